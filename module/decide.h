/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_DECIDE_H
#define _HG_DECIDE_H

#include <linux/compiler.h>
#include <linux/types.h>

#include "uapi/hashgate.h"

struct file;
struct hg_verdict;

extern int hg_mode;
extern bool hg_locked;

static inline bool hg_enabled(void)
{
	return READ_ONCE(hg_mode) != HG_MODE_OFF;
}

int hg_decide(struct file *file, enum hg_hook hook, bool may_sleep);
void hg_check_file(struct file *file, struct hg_verdict *v, u64 *serial);
const char *hg_reason_name(enum hg_reason reason);
int hg_mode_set(enum hg_mode mode);
int hg_mode_lock(void);
const char *hg_mode_name(enum hg_mode mode);
int hg_mode_parse(const char *s, enum hg_mode *mode);

#endif /* _HG_DECIDE_H */
