/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_SCAN_H
#define _HG_SCAN_H

#include <linux/sched.h>
#include <linux/types.h>

#include "uapi/hashgate.h"

struct seq_file;

enum hg_runtime_action {
	HG_RUNTIME_REPORT,
	HG_RUNTIME_KILL,
};

#define HG_SCAN_INTERVAL_MAX	86400
/* Seconds a scan steps aside for other work at most (scanner.c). */
#define HG_SCAN_PATIENCE_DEFAULT	60

/* One thing a scan found: an HG_EVENT_RUNTIME record and a report line. */
struct hg_finding {
	u8 reason;		/* enum hg_reason */
	u8 decision;		/* HG_DECISION_REPORTED or _KILLED */
	bool has_digest;	/* digest[] is the file's verified SHA-256 */
	pid_t pid, ppid;	/* 0: no process (a page-cache page) */
	u32 uid, auid;
	char comm[TASK_COMM_LEN];
	u64 ino;
	dev_t dev;
	u64 offset, address;
	u32 count;
	u8 expected[HG_PAGE_DIGEST_SIZE];
	u8 actual[HG_PAGE_DIGEST_SIZE];
	u8 digest[HG_DIGEST_SIZE];
	char *path, *exe;	/* kmalloc'd, may be NULL */
};

extern int hg_runtime_action;
extern unsigned int hg_scan_interval;
extern unsigned int hg_scan_patience;

int hg_scan_run(void);
int hg_scan_once(void);
void hg_scan_free_report(void);
void hg_scan_background(void);
void hg_scan_foreground(void);
void hg_scan_step_aside(void);
void hg_scan_unidle(void);
bool hg_scan_overdue(void);
bool hg_scan_stopping(void);
int hg_scan_show(struct seq_file *m);
const char *hg_runtime_action_name(enum hg_runtime_action action);
int hg_runtime_action_parse(const char *s);
int hg_runtime_action_store(const char *s, bool may_lower);
int hg_scan_interval_store(const char *s, bool may_lower);
int hg_scan_init(void);
void hg_scan_exit(void);

#endif /* _HG_SCAN_H */
