// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format leef': IBM QRadar LEEF 2.0, one line
 *
 *   LEEF:2.0|hashgate|hashgate|VERSION|EVENTID|^|key=value^key=value...
 *
 * The attribute delimiter is '^', declared in the header. LEEF has no escape
 * character, so a '^' inside a value is written as the four characters \x5e,
 * as are control characters and ill-formed UTF-8 (as \xNN); header fields
 * escape | and \ as CEF does (escape.c).
 */
#include <string.h>

#include "escape.h"
#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

static void attr(FILE *f, const char *key, const void *s, size_t len)
{
	fprintf(f, "^%s=", key);
	hg_escape_value(f, s, len, HG_ESC_LEEF);
}

void hg_fmt_leef(FILE *f, const struct hg_event *ev, const char *strings,
		 const struct hg_fmt_ctx *ctx)
{
	const char *path = strings + ev->exe_len;
	char id[48], ts[40], dev[24], hex[2 * HG_DIGEST_SIZE + 1];
	unsigned int sev = 3;
	size_t base;

	hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
	hg_fmt_time(ts, sizeof(ts), ev->time_ns, 3);
	if (ev->type == HG_EVENT_EXEC) {
		snprintf(id, sizeof(id), "exec-%s", hg_decision_name(ev->decision));
		sev = ev->decision == HG_DECISION_DENY ? 8 :
		      ev->decision == HG_DECISION_WOULD_DENY ? 5 : 1;
	} else if (ev->type == HG_EVENT_LIST_LOAD) {
		snprintf(id, sizeof(id), "list-load");
	} else if (ev->type == HG_EVENT_LIST_REJECT) {
		snprintf(id, sizeof(id), "list-reject");
		sev = 7;
	} else if (ev->type == HG_EVENT_KEY_ADD) {
		snprintf(id, sizeof(id), "key-add");
		sev = 5;
	} else if (ev->type == HG_EVENT_MODE) {
		snprintf(id, sizeof(id), "mode");
	} else {
		snprintf(id, sizeof(id), "type-%u", ev->type);
	}
	fputs("LEEF:2.0|hashgate|hashgate|", f);
	hg_escape_value(f, ctx->version, strlen(ctx->version), HG_ESC_CEF_HDR);
	fprintf(f, "|%s|^|devTime=%s^devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX"
		"^cat=%s^sev=%u", id, ts, hg_type_name(ev->type), sev);
	attr(f, "identHostName", ctx->hostname, strlen(ctx->hostname));
	fprintf(f, "^seq=%llu", U(ev->seq));
	if (ev->type == HG_EVENT_EXEC) {
		base = hg_basename_off(path, ev->path_len);
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fprintf(f, "^action=%s^reason=%s^mode=%s^hook=%s",
			hg_decision_name(ev->decision), hg_reason_name(ev->reason),
			hg_mode_name(ev->mode), hg_hook_name(ev->hook));
		attr(f, "resource", path, ev->path_len);
		attr(f, "fileName", path + base, ev->path_len - base);
		if (ev->flags & HG_EVENT_F_DIGEST)
			fprintf(f, "^fileHash=%s", hex);
		fprintf(f, "^inode=%llu^device=%s", U(ev->ino), dev);
		if (*hg_path_flags(ev))
			fprintf(f, "^pathFlags=%s", hg_path_flags(ev));
	} else {
		fprintf(f, "^mode=%s", hg_mode_name(ev->mode));
		if (ev->type == HG_EVENT_MODE)
			fprintf(f, "^locked=%s", ev->flags & HG_EVENT_F_LOCKED ? "yes" : "no");
		if (ev->type == HG_EVENT_LIST_REJECT)
			fprintf(f, "^reason=%s", hg_reason_name(ev->reason));
		if ((ev->type == HG_EVENT_LIST_LOAD || ev->type == HG_EVENT_LIST_REJECT) &&
		    (ev->flags & HG_EVENT_F_DIGEST))
			fprintf(f, "^allowlistHash=%s", hex);
		if (hg_event_signed(ev))
			attr(f, "signer", path, ev->path_len);
		if (ev->type == HG_EVENT_KEY_ADD)
			attr(f, "key", path, ev->path_len);
	}
	fprintf(f, "^pid=%u^ppid=%u^uid=%u", ev->pid, ev->ppid, ev->uid);
	if (ev->auid != UINT32_MAX)
		fprintf(f, "^auid=%u", ev->auid);
	attr(f, "comm", ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	if (ev->exe_len)
		attr(f, "exe", strings, ev->exe_len);
	fprintf(f, "^policy=%llu^droppedBefore=%llu\n", U(ev->list_serial),
		U(ev->dropped_before));
}
