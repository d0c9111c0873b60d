// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format cef': ArcSight Common Event Format, one line
 *
 *   CEF:0|hashgate|hashgate|VERSION|CLASS|NAME|SEVERITY|k=v k=v ...
 *
 * Header fields escape | and \; extension values escape \ and = and write
 * CR/LF as \r and \n (escape.c). Extension keys are the standard ones where
 * CEF has them, custom strings (csN/csNLabel) and numbers (cnN) otherwise.
 */
#include <string.h>

#include "escape.h"
#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

static void hdr(FILE *f, const char *s)
{
	hg_escape_value(f, s, strlen(s), HG_ESC_CEF_HDR);
	fputc('|', f);
}

static void ext(FILE *f, const char *key, const void *s, size_t len)
{
	fprintf(f, " %s=", key);
	hg_escape_value(f, s, len, HG_ESC_CEF_EXT);
}

static void ext_str(FILE *f, const char *key, const char *s)
{
	ext(f, key, s, strlen(s));
}

static void who(FILE *f, const struct hg_event *ev)
{
	fprintf(f, " spid=%u sproc=", ev->pid);
	hg_escape_value(f, ev->comm, strnlen(ev->comm, HG_COMM_SIZE), HG_ESC_CEF_EXT);
	fprintf(f, " suid=%u", ev->uid);
}

void hg_fmt_cef(FILE *f, const struct hg_event *ev, const char *strings,
		const struct hg_fmt_ctx *ctx)
{
	const char *path = strings + ev->exe_len;
	char class[48], name[96], dev[24], hex[2 * HG_DIGEST_SIZE + 1];
	const char *decision = hg_decision_name(ev->decision);
	const char *reason = hg_reason_name(ev->reason);
	unsigned int sev = 3;
	size_t base;

	hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
	switch (ev->type) {
	case HG_EVENT_EXEC:
		snprintf(class, sizeof(class), "exec-%s", decision);
		snprintf(name, sizeof(name), "%s %s: %s",
			 ev->hook == HG_HOOK_BPRM_CHECK ? "Execution" : "Executable mapping",
			 ev->decision == HG_DECISION_DENY ? "denied" :
			 ev->decision == HG_DECISION_WOULD_DENY ? "would be denied" :
			 "allowed", reason);
		sev = ev->decision == HG_DECISION_DENY ? 8 :
		      ev->decision == HG_DECISION_WOULD_DENY ? 5 : 1;
		break;
	case HG_EVENT_LIST_LOAD:
		snprintf(class, sizeof(class), "list-load");
		snprintf(name, sizeof(name), "Allowlist loaded");
		break;
	case HG_EVENT_LIST_REJECT:
		snprintf(class, sizeof(class), "list-reject");
		snprintf(name, sizeof(name), "Allowlist refused: %s", reason);
		sev = 7;
		break;
	case HG_EVENT_KEY_ADD:
		snprintf(class, sizeof(class), "key-add");
		snprintf(name, sizeof(name), "Allowlist signing key added");
		sev = 5;
		break;
	case HG_EVENT_MODE:
		snprintf(class, sizeof(class), "mode");
		snprintf(name, sizeof(name), "Mode set to %s%s", hg_mode_name(ev->mode),
			 ev->flags & HG_EVENT_F_LOCKED ? " (locked)" : "");
		break;
	default:
		snprintf(class, sizeof(class), "type-%u", ev->type);
		snprintf(name, sizeof(name), "Unknown event");
		break;
	}
	fputs("CEF:0|", f);
	hdr(f, "hashgate");
	hdr(f, "hashgate");
	hdr(f, ctx->version);
	hdr(f, class);
	hdr(f, name);
	fprintf(f, "%u|rt=%llu", sev, U(ev->time_ns / 1000000));
	ext_str(f, "dvchost", ctx->hostname);
	fprintf(f, " externalId=%llu cat=/hashgate/%s", U(ev->seq), hg_type_name(ev->type));
	if (ev->type == HG_EVENT_EXEC) {
		base = hg_basename_off(path, ev->path_len);
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fprintf(f, " act=%s outcome=%s reason=%s", decision,
			ev->decision == HG_DECISION_DENY ? "failure" : "success", reason);
		ext(f, "filePath", path, ev->path_len);
		ext(f, "fname", path + base, ev->path_len - base);
		if (ev->flags & HG_EVENT_F_DIGEST)
			fprintf(f, " fileHash=%s", hex);
		fprintf(f, " fileId=%llu", U(ev->ino));
		who(f, ev);
		fprintf(f, " cs1Label=mode cs1=%s cs2Label=hook cs2=%s",
			hg_mode_name(ev->mode), hg_hook_name(ev->hook));
		if (ev->exe_len) {
			fputs(" cs3Label=exe", f);
			ext(f, "cs3", strings, ev->exe_len);
		}
		fprintf(f, " cs4Label=device cs4=%s", dev);
		if (*hg_path_flags(ev))
			fprintf(f, " flexString1Label=pathFlags flexString1=%s",
				hg_path_flags(ev));
	} else {
		if (ev->type == HG_EVENT_LIST_REJECT)
			fprintf(f, " outcome=failure reason=%s", reason);
		if ((ev->type == HG_EVENT_LIST_LOAD || ev->type == HG_EVENT_LIST_REJECT) &&
		    (ev->flags & HG_EVENT_F_DIGEST))
			fprintf(f, " fileHash=%s", hex);
		who(f, ev);
		fprintf(f, " cs1Label=mode cs1=%s", hg_mode_name(ev->mode));
		if (ev->type == HG_EVENT_MODE)
			fprintf(f, " cs2Label=locked cs2=%s",
				ev->flags & HG_EVENT_F_LOCKED ? "yes" : "no");
		if (hg_event_signed(ev)) {
			fputs(" cs3Label=signer", f);
			ext(f, "cs3", path, ev->path_len);
		}
		if (ev->type == HG_EVENT_KEY_ADD) {
			fputs(" cs3Label=key", f);
			ext(f, "cs3", path, ev->path_len);
		}
	}
	if (ev->auid != UINT32_MAX)
		fprintf(f, " cs5Label=auid cs5=%u", ev->auid);
	fprintf(f, " cn1Label=seq cn1=%llu cn2Label=ppid cn2=%u cn3Label=allowlistSerial"
		" cn3=%llu cs6Label=droppedBefore cs6=%llu\n", U(ev->seq), ev->ppid,
		U(ev->list_serial), U(ev->dropped_before));
}
