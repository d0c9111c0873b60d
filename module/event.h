/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_EVENT_H
#define _HG_EVENT_H

#include <linux/fs.h>
#include <linux/types.h>

#include "uapi/hashgate.h"

struct hg_cache_key;
struct hg_verdict;

int hg_event_init(unsigned int ring_size);
void hg_event_exit(void);
void hg_event_exec(const struct path *path, enum hg_hook hook,
		   enum hg_mode mode,
		   enum hg_decision decision, const struct hg_verdict *v,
		   u64 serial, gfp_t gfp);
bool hg_event_reported_before(const struct hg_cache_key *key, u64 list_gen,
			      u8 reason, enum hg_hook hook);
void hg_event_list_load(u64 serial, const u8 *digest, const char *signer);
void hg_event_list_reject(u64 serial, const u8 *digest, enum hg_reason reason);
void hg_event_key_add(const char *description);
void hg_event_mode(enum hg_mode mode, bool locked);
void hg_event_setting(const char *name, const char *value, const char *was);
void hg_event_load(const char *settings);
void hg_event_heartbeat(const char *counters, bool locked);
struct hg_finding;
void hg_event_runtime(const struct hg_finding *f);
unsigned int hg_event_queued(void);
char *hg_event_path_dup(const struct path *path);

#ifdef DEBUG
bool hg_event_selftest(void);
#endif

/* events and events_tap: the tap is created with HG_EVENT_TAP as its data. */
extern const struct file_operations hg_event_fops;
#define HG_EVENT_TAP ((void *)1)

#endif /* _HG_EVENT_H */
