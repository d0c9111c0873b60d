// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format syslog': RFC 5424 messages, one per line
 *
 *   <PRI>1 TIMESTAMP HOSTNAME hashgate PROCID MSGID [hashgate@PEN k="v" ...] BOM MSG
 *
 * Facility authpriv (10); severity warning for a denial, a refused
 * allowlist and anything this tool does not know, notice for a would-deny,
 * list, key and mode changes, info for an allow. MSGID names the event:
 * EXEC_, WRITE_, MEMORY_ or ACCESS_ (what was attempted) then DENY,
 * WOULD_DENY, ALLOW or UNKNOWN; LIST_LOAD, LIST_REJECT, KEY_ADD, MODE,
 * SETTING, LOAD, HEARTBEAT, UNKNOWN. A heartbeat is info. A finding of the
 * scan of resident code is RUNTIME_REPORTED or RUNTIME_KILLED (or
 * RUNTIME_UNKNOWN), warning, with its page as page_* parameters.
 * PEN, the private enterprise number of the SD-ID, is a setting
 * (hg_fmt_set_enterprise_number()); it defaults to 32473, which RFC 5612
 * reserves for documentation. SD-PARAM values escape " \ and ] (escape.c);
 * MSG is UTF-8 text without control characters, so it starts with the byte
 * order mark (RFC 5424, section 6.4).
 */
#include <ctype.h>
#include <string.h>

#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))
#define FACILITY_AUTHPRIV	10
#define BOM			"\xef\xbb\xbf"

static const unsigned int severity[HG_LVL_COUNT] = {
	[HG_LVL_CHANGE] = 5, [HG_LVL_ALLOW] = 6, [HG_LVL_STATUS] = 6, [HG_LVL_KEY] = 5,
	[HG_LVL_WOULD_DENY] = 5, [HG_LVL_REJECT] = 4, [HG_LVL_DENY] = 4,
	[HG_LVL_FINDING] = 4, [HG_LVL_KILLED] = 4, [HG_LVL_UNKNOWN] = 4,
};

/* The record's RFC 5424 severity (journald takes the same numbers). */
unsigned int hg_syslog_severity(const struct hg_event *ev)
{
	return severity[hg_event_level(ev)];
}

/* " key="value"" with an untrusted value. */
static void param(struct hg_rec *r, const char *key, const void *s, size_t len)
{
	fprintf(r->f, " %s=\"", key);
	hg_put(r, s, len, HG_ESC_SD, SIZE_MAX);
	fputc('"', r->f);
}

/* HOSTNAME is 1..255 PRINTUSASCII: anything else becomes '-'. */
static void print_hostname(FILE *f, const char *host)
{
	size_t i, len = strnlen(host, 255);

	if (!len) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < len; i++)
		fputc(host[i] > ' ' && host[i] < 0x7f ? host[i] : '-', f);
}

/* @s in capitals, '-' as '_': an exec record's MSGID from its parts. */
static void print_upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '-' ? '_' : toupper((unsigned char)*s), f);
}

static void print_msgid(FILE *f, const struct hg_event *ev)
{
	static const char *const ids[__HG_EVENT_MAX] = {
		[HG_EVENT_LIST_LOAD] = "LIST_LOAD", [HG_EVENT_MODE] = "MODE",
		[HG_EVENT_LIST_REJECT] = "LIST_REJECT", [HG_EVENT_KEY_ADD] = "KEY_ADD",
		[HG_EVENT_SETTING] = "SETTING", [HG_EVENT_LOAD] = "LOAD",
		[HG_EVENT_HEARTBEAT] = "HEARTBEAT",
	};
	if (ev->type == HG_EVENT_RUNTIME) {
		fputs("RUNTIME_", f);
		print_upper(f, hg_runtime_token(ev));
		return;
	}
	if (ev->type != HG_EVENT_EXEC) {
		fputs(ev->type < __HG_EVENT_MAX && ids[ev->type] ? ids[ev->type] : "UNKNOWN", f);
		return;
	}
	print_upper(f, hg_subject_class(hg_exec_subject(ev)));
	fputc('_', f);
	print_upper(f, hg_decision_token(ev));
}

/* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID ", also used by cmd_events.c. */
void hg_syslog_header(FILE *f, const struct hg_event *ev, const struct hg_fmt_ctx *ctx)
{
	char ts[40];

	hg_fmt_time(ts, sizeof(ts), ev->time_ns, 6);
	fprintf(f, "<%u>1 %s ", FACILITY_AUTHPRIV * 8 + severity[hg_event_level(ev)], ts);
	print_hostname(f, ctx->hostname);
	if (ctx->procid)
		fprintf(f, " hashgate %u ", ctx->procid);
	else
		fputs(" hashgate - ", f);
	print_msgid(f, ev);
	fputc(' ', f);
}

/* hashgate@PEN: the SD-ID. */
static void print_sd_id(struct hg_rec *r)
{
	const char *pen = r->ctx->enterprise_number;

	fprintf(r->f, "[hashgate@%s", *pen ? pen : HG_SYSLOG_PEN_DEFAULT);
}

static void exec_params(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char dev[24];

	if (ev->path_len)
		param(r, "path", r->path, ev->path_len);
	if (ev->ino) {
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fprintf(r->f, " dev=\"%s\" ino=\"%llu\"", dev, U(ev->ino));
	}
	if (*hg_path_flags(ev))
		fprintf(r->f, " path_flags=\"%s\"", hg_path_flags(ev));
}

/* A runtime record's page, prefixed: "count" alone would say little. */
static void page_params(struct hg_rec *r)
{
	const struct hg_event_page *pg = &r->page;
	char hex[2 * HG_PAGE_DIGEST_SIZE + 1];

	fprintf(r->f, " page_offset=\"%llu\"", U(pg->offset));
	if (pg->address)
		fprintf(r->f, " page_address=\"0x%llx\"", U(pg->address));
	fprintf(r->f, " page_count=\"%u\"", pg->count);
	if (hg_page_digest_known(pg->expected)) {
		hg_hex(hex, pg->expected, HG_PAGE_DIGEST_SIZE);
		fprintf(r->f, " page_expected=\"%s\"", hex);
	}
	if (hg_page_digest_known(pg->actual)) {
		hg_hex(hex, pg->actual, HG_PAGE_DIGEST_SIZE);
		fprintf(r->f, " page_actual=\"%s\"", hex);
	}
}

static void who_params(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;

	fprintf(r->f, " pid=\"%u\" ppid=\"%u\" uid=\"%u\"", ev->pid, ev->ppid, ev->uid);
	if (r->user)
		param(r, "user", r->user, strlen(r->user));
	if (ev->auid != UINT32_MAX)
		fprintf(r->f, " auid=\"%u\"", ev->auid);
	param(r, "comm", ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	if (ev->exe_len)
		param(r, "exe", r->exe, ev->exe_len);
}

/*
 * A setting, load or heartbeat record's words as SD-PARAMs, prefixed as in
 * LEEF so that none takes a name the element already has.
 */
static void kv_params(struct hg_rec *r)
{
	const char *p = r->path, *end = r->path + r->ev->path_len;
	struct hg_kv kv;
	char key[48];

	while (hg_kv_next(&p, end, &kv)) {
		/* An SD-NAME has 32 characters at most. */
		if (snprintf(key, sizeof(key), "%s_%.*s", hg_kv_group(r->ev),
			     (int)kv.key_len, kv.key) <= 32)
			param(r, key, kv.val, kv.val_len);
	}
}

static void structured_data(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char hex[2 * HG_DIGEST_SIZE + 1];
	FILE *f = r->f;

	print_sd_id(r);
	fprintf(f, " seq=\"%llu\" type=\"%s\"", U(ev->seq), hg_type_name(ev->type));
	if (ev->type == HG_EVENT_EXEC || ev->type == HG_EVENT_RUNTIME)
		fprintf(f, " decision=\"%s\" reason=\"%s\" hook=\"%s\"",
			hg_decision_name(ev->decision), hg_reason_name(ev->reason),
			hg_hook_name(ev->hook));
	if (ev->type == HG_EVENT_LIST_REJECT)
		fprintf(f, " reason=\"%s\"", hg_reason_name(ev->reason));
	fprintf(f, " mode=\"%s\"", hg_mode_name(ev->mode));
	if (ev->type == HG_EVENT_MODE || ev->type == HG_EVENT_HEARTBEAT)
		fprintf(f, " locked=\"%d\"", !!(ev->flags & HG_EVENT_F_LOCKED));
	if (hg_event_has_task(ev))
		who_params(r);
	if (hg_event_has_kv(ev))
		kv_params(r);
	if (ev->type == HG_EVENT_EXEC || ev->type == HG_EVENT_RUNTIME)
		exec_params(r);
	if (r->has_page)
		page_params(r);
	if (hg_event_signed(ev))
		param(r, "signer", r->path, ev->path_len);
	if (ev->type == HG_EVENT_KEY_ADD)
		param(r, "key", r->path, ev->path_len);
	if (ev->flags & HG_EVENT_F_DIGEST) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(f, " sha256=\"%s\"", hex);
	}
	fprintf(f, " serial=\"%llu\" dropped_before=\"%llu\"", U(ev->list_serial),
		U(ev->dropped_before));
	if (ev->load_id)
		fprintf(f, " load_id=\"%u\"", ev->load_id);
	if (r->truncated)
		fputs(" truncated=\"1\"", f);
	fputc(']', f);
}

/* MSG for an exec record: "file write denied (exec-mapped, write_open): PATH". */
static void exec_msg(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	const char *what = hg_subject_name(r->subject);

	fprintf(r->f, "%c%s %s (%s, %s)", tolower((unsigned char)what[0]), what + 1,
		hg_verdict_phrase(ev), hg_reason_name(ev->reason), hg_hook_name(ev->hook));
	if (ev->path_len) {
		fputs(": ", r->f);
		hg_put(r, r->path, ev->path_len, HG_ESC_PLAIN, SIZE_MAX);
	}
}

/* MSG for a runtime record: "resident code finding reported (code-modified): PATH". */
static void runtime_msg(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;

	fprintf(r->f, "resident code finding%s (%s)", hg_runtime_phrase(ev),
		hg_reason_name(ev->reason));
	if (ev->path_len) {
		fputs(": ", r->f);
		hg_put(r, r->path, ev->path_len, HG_ESC_PLAIN, SIZE_MAX);
	}
}

/* MSG: a human summary. */
static void message(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	FILE *f = r->f;

	fputs(" " BOM, f);
	switch (ev->type) {
	case HG_EVENT_EXEC:
		exec_msg(r);
		break;
	case HG_EVENT_RUNTIME:
		runtime_msg(r);
		break;
	case HG_EVENT_LIST_LOAD:
		fprintf(f, "allowlist serial %llu loaded", U(ev->list_serial));
		if (hg_event_signed(ev)) {
			fputs(", signed by ", f);
			hg_put(r, r->path, ev->path_len, HG_ESC_PLAIN, SIZE_MAX);
		}
		break;
	case HG_EVENT_LIST_REJECT:
		fprintf(f, "allowlist serial %llu refused (%s)", U(ev->list_serial),
			hg_reason_name(ev->reason));
		break;
	case HG_EVENT_KEY_ADD:
		fputs("key added: ", f);
		hg_put(r, r->path, ev->path_len, HG_ESC_PLAIN, SIZE_MAX);
		break;
	case HG_EVENT_MODE:
		fprintf(f, "mode %s%s", hg_mode_name(ev->mode),
			ev->flags & HG_EVENT_F_LOCKED ? ", locked" : "");
		break;
	case HG_EVENT_SETTING:
	case HG_EVENT_LOAD:
	case HG_EVENT_HEARTBEAT:
		fprintf(f, "%s: ", ev->type == HG_EVENT_SETTING ? "setting changed" :
			ev->type == HG_EVENT_LOAD ? "module loaded" : "heartbeat");
		hg_put(r, r->path, ev->path_len, HG_ESC_PLAIN, SIZE_MAX);
		break;
	default:
		fprintf(f, "unknown event type %u", ev->type);
		break;
	}
}

void hg_fmt_syslog(struct hg_rec *r)
{
	hg_syslog_header(r->f, r->ev, r->ctx);
	structured_data(r);
	message(r);
	fputc('\n', r->f);
}
