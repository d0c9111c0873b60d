/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_POLICY_H
#define _HG_POLICY_H

#include <linux/compiler.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "uapi/hashgate.h"

struct seq_file;

extern int hg_mode;
extern int hg_anon_policy;
extern bool hg_require_scripts;
extern bool hg_locked;
extern unsigned int hg_trusted_fs;
extern struct mutex hg_policy_lock;

static inline bool hg_enabled(void)
{
	return READ_ONCE(hg_mode) != HG_MODE_OFF;
}

/*
 * "enforce needs a non-empty list" holds because both halves are checked
 * and changed under hg_policy_lock: the mode here, the list in allowlist.c.
 */
static inline bool hg_enforcing_locked(void)
{
	lockdep_assert_held(&hg_policy_lock);
	return hg_mode == HG_MODE_ENFORCE;
}

int hg_mode_set(enum hg_mode mode, bool may_lower);
int hg_mode_lock(void);
const char *hg_mode_name(enum hg_mode mode);
int hg_mode_parse(const char *s, enum hg_mode *mode);
int hg_anon_set(enum hg_anon_policy policy, bool may_lower);
const char *hg_anon_name(enum hg_anon_policy policy);
int hg_anon_parse(const char *s, enum hg_anon_policy *policy);
const char *hg_reason_name(enum hg_reason reason);
int hg_mode_store(const char *s, bool may_lower);
int hg_anon_store(const char *s, bool may_lower);
int hg_trusted_fs_parse(const char *s, unsigned int *mask);
int hg_trusted_fs_store(const char *s, bool may_lower);
void hg_trusted_fs_show(struct seq_file *m);

#endif /* _HG_POLICY_H */
