// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format syslog': RFC 5424 messages, one per line
 *
 *   <PRI>1 TIMESTAMP HOSTNAME hashgate PROCID MSGID [hashgate@32473 k="v" ...] MSG
 *
 * Facility authpriv (10); severity warning for a denial and a refused
 * allowlist, notice for a would-deny, list, key and mode changes, info for
 * an allow. MSGID names the event: EXEC_DENY, EXEC_WOULD_DENY, EXEC_ALLOW,
 * LIST_LOAD, LIST_REJECT, KEY_ADD, MODE.
 * The SD-ID uses 32473, the private enterprise number RFC 5612 reserves for
 * documentation: a deployment with its own PEN should change HG_SYSLOG_PEN.
 * SD-PARAM values escape " \ and ] (escape.c); MSG is plain UTF-8 text
 * without a BOM and without control characters.
 */
#include <string.h>

#include "escape.h"
#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))
#define FACILITY_AUTHPRIV	10

static void param(FILE *f, const char *key, const void *s, size_t len)
{
	fprintf(f, " %s=\"", key);
	hg_escape_value(f, s, len, HG_ESC_SD);
	fputc('"', f);
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

static const char *msgid(const struct hg_event *ev)
{
	switch (ev->type) {
	case HG_EVENT_EXEC:
		return ev->decision == HG_DECISION_DENY ? "EXEC_DENY" :
		       ev->decision == HG_DECISION_WOULD_DENY ? "EXEC_WOULD_DENY" :
		       ev->decision == HG_DECISION_ALLOW ? "EXEC_ALLOW" : "EXEC";
	case HG_EVENT_LIST_LOAD:
		return "LIST_LOAD";
	case HG_EVENT_LIST_REJECT:
		return "LIST_REJECT";
	case HG_EVENT_KEY_ADD:
		return "KEY_ADD";
	case HG_EVENT_MODE:
		return "MODE";
	default:
		return "UNKNOWN";
	}
}

/* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID ", also used by forward.c. */
void hg_syslog_header(FILE *f, const struct hg_event *ev, const struct hg_fmt_ctx *ctx)
{
	unsigned int sev = 5;
	char ts[40];

	if (ev->type == HG_EVENT_EXEC)
		sev = ev->decision == HG_DECISION_DENY ? 4 :
		      ev->decision == HG_DECISION_WOULD_DENY ? 5 : 6;
	else if (ev->type == HG_EVENT_LIST_REJECT)
		sev = 4;
	hg_fmt_time(ts, sizeof(ts), ev->time_ns, 6);
	fprintf(f, "<%u>1 %s ", FACILITY_AUTHPRIV * 8 + sev, ts);
	print_hostname(f, ctx->hostname);
	if (ctx->procid)
		fprintf(f, " hashgate %u %s ", ctx->procid, msgid(ev));
	else
		fprintf(f, " hashgate - %s ", msgid(ev));
}

void hg_fmt_syslog(FILE *f, const struct hg_event *ev, const char *strings,
		   const struct hg_fmt_ctx *ctx)
{
	const char *path = strings + ev->exe_len;
	char dev[24], hex[2 * HG_DIGEST_SIZE + 1];

	hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
	hg_syslog_header(f, ev, ctx);
	fprintf(f, "[" HG_SYSLOG_SDID " seq=\"%llu\" type=\"%s\"", U(ev->seq),
		hg_type_name(ev->type));
	if (ev->type == HG_EVENT_EXEC)
		fprintf(f, " decision=\"%s\" reason=\"%s\" hook=\"%s\"",
			hg_decision_name(ev->decision), hg_reason_name(ev->reason),
			hg_hook_name(ev->hook));
	if (ev->type == HG_EVENT_LIST_REJECT)
		fprintf(f, " reason=\"%s\"", hg_reason_name(ev->reason));
	fprintf(f, " mode=\"%s\"", hg_mode_name(ev->mode));
	if (ev->type == HG_EVENT_MODE)
		fprintf(f, " locked=\"%d\"", !!(ev->flags & HG_EVENT_F_LOCKED));
	fprintf(f, " pid=\"%u\" ppid=\"%u\" uid=\"%u\"", ev->pid, ev->ppid, ev->uid);
	if (ev->auid != UINT32_MAX)
		fprintf(f, " auid=\"%u\"", ev->auid);
	param(f, "comm", ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	if (ev->exe_len)
		param(f, "exe", strings, ev->exe_len);
	if (ev->type == HG_EVENT_EXEC) {
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		param(f, "path", path, ev->path_len);
		fprintf(f, " dev=\"%s\" ino=\"%llu\"", dev, U(ev->ino));
		if (*hg_path_flags(ev))
			fprintf(f, " path_flags=\"%s\"", hg_path_flags(ev));
	}
	if (hg_event_signed(ev))
		param(f, "signer", path, ev->path_len);
	if (ev->type == HG_EVENT_KEY_ADD)
		param(f, "key", path, ev->path_len);
	if (ev->flags & HG_EVENT_F_DIGEST)
		fprintf(f, " sha256=\"%s\"", hex);
	fprintf(f, " serial=\"%llu\" dropped_before=\"%llu\"]", U(ev->list_serial),
		U(ev->dropped_before));

	/* MSG: a human summary. */
	switch (ev->type) {
	case HG_EVENT_EXEC:
		fprintf(f, " %s %s (%s): ", hg_hook_name(ev->hook),
			hg_decision_name(ev->decision), hg_reason_name(ev->reason));
		hg_escape_value(f, path, ev->path_len, HG_ESC_PLAIN);
		break;
	case HG_EVENT_LIST_LOAD:
		fprintf(f, " allowlist serial %llu loaded", U(ev->list_serial));
		if (hg_event_signed(ev)) {
			fputs(", signed by ", f);
			hg_escape_value(f, path, ev->path_len, HG_ESC_PLAIN);
		}
		break;
	case HG_EVENT_LIST_REJECT:
		fprintf(f, " allowlist serial %llu refused (%s)", U(ev->list_serial),
			hg_reason_name(ev->reason));
		break;
	case HG_EVENT_KEY_ADD:
		fputs(" key added: ", f);
		hg_escape_value(f, path, ev->path_len, HG_ESC_PLAIN);
		break;
	case HG_EVENT_MODE:
		fprintf(f, " mode %s%s", hg_mode_name(ev->mode),
			ev->flags & HG_EVENT_F_LOCKED ? ", locked" : "");
		break;
	default:
		fprintf(f, " event type %u", ev->type);
		break;
	}
	fputc('\n', f);
}
