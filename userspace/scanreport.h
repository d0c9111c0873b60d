/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_SCANREPORT_H
#define _HG_SCANREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hashgate.h"

/* The whole report: 256 findings of a 4 KiB path each, escaped, fit. */
#define HG_SCAN_REPORT_MAX	(8U << 20)
/* A finding's path, unescaped: PATH_MAX, and room for a suffix. */
#define HG_SCAN_PATH_MAX	(2 * HG_PATH_MAX)
/* A finding's comm, unescaped: TASK_COMM_LEN today, a newer kernel's more. */
#define HG_SCAN_COMM_MAX	64

/* The first line of the securityfs 'scan' file (uapi/hashgate.h). */
struct hg_scan_summary {
	uint64_t scans;		/* 0: no scan yet, nothing else is set */
	uint64_t time;		/* when it ran, seconds since the epoch */
	uint64_t duration_ms;
	uint64_t processes;	/* examined */
	uint64_t busy;		/* left unexamined: address space kept locked */
	uint64_t mappings;	/* executable mappings */
	uint64_t pages;		/* their resident pages, checked */
	uint64_t files;		/* files whose page-cache pages were checked */
	uint64_t file_pages;
	uint64_t findings;	/* all of them */
	uint64_t kept;		/* those listed as finding lines */
	uint64_t repeated;	/* the same as in the scan before: no new event */
};

/* One "finding ..." line, unescaped. */
struct hg_scan_finding {
	char reason[32];
	uint32_t pid;		/* 0: a page-cache page, no process */
	char comm[HG_SCAN_COMM_MAX];
	size_t comm_len;	/* "-" with pid 0: no process */
	char *path;		/* malloc()ed, NULL: anonymous memory ("-") */
	size_t path_len;
	uint64_t offset, address;
	uint32_t count;
	bool has_expected, has_actual;
	uint8_t expected[HG_PAGE_DIGEST_SIZE], actual[HG_PAGE_DIGEST_SIZE];
};

struct hg_scan_report {
	struct hg_scan_summary sum;
	struct hg_scan_finding *findings;	/* sum.kept of them */
	size_t count;
};

int hg_scan_summary_parse(const char *line, size_t len, struct hg_scan_summary *sum,
			  char *why, size_t size);
int hg_scan_parse(const char *text, size_t len, struct hg_scan_report *rep,
		  unsigned long *lineno, char *why, size_t size);
void hg_scan_free(struct hg_scan_report *rep);
void hg_scan_summary_json(FILE *f, const struct hg_scan_summary *sum);

#endif /* _HG_SCANREPORT_H */
