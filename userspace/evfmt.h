/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_EVFMT_H
#define _HG_EVFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hashgate.h"

/* The output formats of 'hashgate events', one source file each. */
enum hg_format {
	HG_FMT_TEXT,		/* evfmt.c */
	HG_FMT_JSON,		/* fmt_ecs.c: Elastic Common Schema, one per line */
	HG_FMT_CEF,		/* fmt_cef.c: ArcSight CEF */
	HG_FMT_LEEF,		/* fmt_leef.c: QRadar LEEF 2.0 */
	HG_FMT_SYSLOG,		/* fmt_syslog.c: RFC 5424 with structured data */
};

/* What a record alone does not say: who reports it. */
struct hg_fmt_ctx {
	const char *hostname;	/* this machine */
	const char *version;	/* the tool's version */
	unsigned int procid;	/* the reporting process, 0: none */
};

/* Private enterprise number of the RFC 5424 SD-ID: 32473 is IANA's example. */
#define HG_SYSLOG_PEN		"32473"
#define HG_SYSLOG_SDID		"hashgate@" HG_SYSLOG_PEN

long hg_event_check(const void *buf, size_t avail, struct hg_event *ev);
int hg_format_parse(const char *name, enum hg_format *fmt);
void hg_fmt_ctx_init(struct hg_fmt_ctx *ctx, char *host, size_t host_size);
void hg_event_format(FILE *f, enum hg_format fmt, const struct hg_event *ev,
		     const char *strings, const struct hg_fmt_ctx *ctx);

/* Shared by the fmt_*.c modules. */
bool hg_event_signed(const struct hg_event *ev);
const char *hg_type_name(unsigned int v);
const char *hg_mode_name(unsigned int v);
const char *hg_hook_name(unsigned int v);
const char *hg_decision_name(unsigned int v);
const char *hg_reason_name(unsigned int v);
const char *hg_path_flags(const struct hg_event *ev);
void hg_fmt_time(char *buf, size_t size, uint64_t ns, int digits);
void hg_fmt_dev(char *buf, size_t size, uint32_t dev);
size_t hg_basename_off(const char *path, size_t len);

void hg_fmt_text(FILE *f, const struct hg_event *ev, const char *strings);
void hg_fmt_ecs(FILE *f, const struct hg_event *ev, const char *strings,
		const struct hg_fmt_ctx *ctx);
void hg_fmt_cef(FILE *f, const struct hg_event *ev, const char *strings,
		const struct hg_fmt_ctx *ctx);
void hg_fmt_leef(FILE *f, const struct hg_event *ev, const char *strings,
		 const struct hg_fmt_ctx *ctx);
void hg_fmt_syslog(FILE *f, const struct hg_event *ev, const char *strings,
		   const struct hg_fmt_ctx *ctx);
void hg_syslog_header(FILE *f, const struct hg_event *ev, const struct hg_fmt_ctx *ctx);

#endif /* _HG_EVFMT_H */
