/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_EVFMT_H
#define _HG_EVFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "escape.h"
#include "uapi/hashgate.h"

/* The output formats of 'hashgate events', one source file each. */
enum hg_format {
	HG_FMT_TEXT,		/* evfmt.c */
	HG_FMT_JSON,		/* fmt_ecs.c: Elastic Common Schema, one per line */
	HG_FMT_CEF,		/* fmt_cef.c: ArcSight CEF */
	HG_FMT_LEEF,		/* fmt_leef.c: QRadar LEEF 2.0 */
	HG_FMT_SYSLOG,		/* fmt_syslog.c: RFC 5424 with structured data */
};
#define HG_FMT_COUNT		(HG_FMT_SYSLOG + 1)

/*
 * The name of user @uid, NUL-terminated in @buf of @size bytes: 0, or a
 * negative errno when there is none (the record then has no name field).
 */
typedef int hg_user_name_fn(void *arg, uint32_t uid, char *buf, size_t size);

/*
 * Private enterprise number of the RFC 5424 SD-ID (hashgate@PEN) when none is
 * set: 32473, which RFC 5612 reserves for documentation and examples.
 */
#define HG_SYSLOG_PEN_DEFAULT	"32473"
/* "hashgate@" and the PEN make an SD-NAME: 32 characters at most. */
#define HG_SYSLOG_PEN_MAX	23

/* Bounds of hg_fmt_set_max_record(): below 2048 the fixed fields may not fit. */
#define HG_MAX_RECORD_MIN	2048
#define HG_MAX_RECORD_MAX	(1U << 20)

/*
 * What a record alone does not say: who reports it, and how. A zeroed
 * struct is valid and gives every setting its default; hg_fmt_ctx_init()
 * fills in this host and process.
 */
struct hg_fmt_ctx {
	const char *hostname;	/* this machine */
	const char *version;	/* the tool's version */
	unsigned int procid;	/* the reporting process, 0: none */
	/* RFC 5424 SD-ID's enterprise number; "": HG_SYSLOG_PEN_DEFAULT. */
	char enterprise_number[HG_SYSLOG_PEN_MAX + 1];
	/*
	 * Longest record of each format in bytes, newline excluded: 0 for the
	 * format's default (hg_fmt_max_record()), SIZE_MAX for no limit.
	 */
	size_t max_record[HG_FMT_COUNT];
	/* Names of uids; NULL: no names. */
	hg_user_name_fn *user_name;
	void *user_name_arg;
};

long hg_event_check(const void *buf, size_t avail, struct hg_event *ev);
int hg_format_parse(const char *name, enum hg_format *fmt);
void hg_fmt_ctx_init(struct hg_fmt_ctx *ctx, char *host, size_t host_size);
int hg_fmt_set_enterprise_number(struct hg_fmt_ctx *ctx, const char *pen);
int hg_fmt_set_max_record(struct hg_fmt_ctx *ctx, enum hg_format fmt, size_t bytes);
size_t hg_fmt_max_record(const struct hg_fmt_ctx *ctx, enum hg_format fmt);
int hg_user_name_passwd(void *file, uint32_t uid, char *buf, size_t size);
void hg_event_format(FILE *f, enum hg_format fmt, const struct hg_event *ev,
		     const char *strings, const struct hg_fmt_ctx *ctx);
void hg_syslog_header(FILE *f, const struct hg_event *ev, const struct hg_fmt_ctx *ctx);

/* Shared by the fmt_*.c modules. */

/* What an exec record is about; it decides how each format labels it. */
enum hg_subject {
	HG_SUBJ_NONE,		/* not an exec record */
	HG_SUBJ_PROGRAM,	/* the program of an execve */
	HG_SUBJ_MAPPING,	/* a file mapped executable: interpreter, library */
	HG_SUBJ_WRITE,		/* a write or truncate of a file mapped executable */
	HG_SUBJ_MEMORY,		/* executable memory no file vouches for */
	HG_SUBJ_UNKNOWN,	/* a hook this tool does not know */
};

/* How serious a record is; each format's severity follows from it. */
enum hg_level {
	HG_LVL_CHANGE,		/* list_load, mode, setting, load */
	HG_LVL_ALLOW,
	HG_LVL_STATUS,		/* heartbeat */
	HG_LVL_KEY,		/* key_add */
	HG_LVL_WOULD_DENY,
	HG_LVL_REJECT,		/* list_reject */
	HG_LVL_DENY,
	HG_LVL_FINDING,		/* runtime, reported: code unlike what was verified */
	HG_LVL_KILLED,		/* runtime, killed: its processes were killed */
	HG_LVL_UNKNOWN,		/* a type or decision this tool does not know */
	HG_LVL_COUNT
};

/* Values of a record whose lengths size the cut (a format writes fewer). */
#define HG_REC_VALUES		16

/* One record being written in a SIEM format (see hg_event_format()). */
struct hg_rec {
	const struct hg_event *ev;
	const char *exe, *path;		/* ev->exe_len, ev->path_len bytes */
	const struct hg_fmt_ctx *ctx;
	const char *user;		/* the uid's name, NULL: none */
	/* A runtime record's page (HG_EVENT_F_PAGE), copied out aligned. */
	struct hg_event_page page;
	bool has_page;
	enum hg_subject subject;
	enum hg_level level;
	FILE *f;
	size_t cap;			/* most bytes of one value, SIZE_MAX: any */
	bool cut;			/* a value was cut so far */
	bool truncated;			/* some value is cut: say so in the record */
	size_t longest;			/* the longest value written so far */
	size_t values;			/* bytes of all values written so far */
	size_t lens[HG_REC_VALUES];	/* the length of each, the first ones */
	size_t nvalues;
	char user_buf[256];
};

/* One "key=value" word of a setting, load or heartbeat record's text. */
struct hg_kv {
	const char *key, *val;
	size_t key_len, val_len;
};

bool hg_kv_next(const char **p, const char *end, struct hg_kv *kv);
bool hg_kv_number(const struct hg_kv *kv);
bool hg_event_has_kv(const struct hg_event *ev);
const char *hg_kv_group(const struct hg_event *ev);
bool hg_event_has_task(const struct hg_event *ev);
bool hg_page_digest_known(const uint8_t *digest);
/* "offset=" 20 digits, " address=0x" 16, " count=" 10, two digests: room. */
#define HG_PAGE_WORDS_MAX	192
void hg_page_words(const struct hg_event_page *pg, char *buf);
const char *hg_runtime_token(const struct hg_event *ev);
const char *hg_runtime_phrase(const struct hg_event *ev);
enum hg_subject hg_exec_subject(const struct hg_event *ev);
enum hg_level hg_event_level(const struct hg_event *ev);
unsigned int hg_syslog_severity(const struct hg_event *ev);
bool hg_event_signed(const struct hg_event *ev);
const char *hg_type_name(unsigned int v);
const char *hg_mode_name(unsigned int v);
const char *hg_hook_name(unsigned int v);
const char *hg_decision_name(unsigned int v);
const char *hg_reason_name(unsigned int v);
const char *hg_path_flags(const struct hg_event *ev);
const char *hg_outcome(enum hg_level level);
const char *hg_decision_token(const struct hg_event *ev);
const char *hg_verdict_phrase(const struct hg_event *ev);
const char *hg_subject_class(enum hg_subject s);
const char *hg_subject_name(enum hg_subject s);
void hg_fmt_time(char *buf, size_t size, uint64_t ns, int digits);
void hg_fmt_dev(char *buf, size_t size, uint32_t dev);
size_t hg_basename_off(const char *path, size_t len);
void hg_put(struct hg_rec *r, const void *s, size_t len, enum hg_esc style,
	    size_t limit);

void hg_fmt_ecs(struct hg_rec *r);
void hg_fmt_cef(struct hg_rec *r);
void hg_fmt_leef(struct hg_rec *r);
void hg_fmt_syslog(struct hg_rec *r);

#endif /* _HG_EVFMT_H */
