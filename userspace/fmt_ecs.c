// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format json': one JSON object per line following the
 * Elastic Common Schema (ECS 8.11), plus a "hashgate" object with what ECS
 * has no field for. Keys come in a fixed order; see EVENTS in hashgate.8.
 *
 * An exec decision is an alert in the intrusion_detection category (with
 * process for the program of an execve, library for the interpreter and for
 * mmap/mprotect); a denial is type denied, outcome failure. In audit mode
 * the exec went ahead, so type is allowed and outcome success, and the
 * action, like hashgate.decision, is "would-deny". A new allowlist and a
 * mode change are configuration change events; a refused allowlist is one
 * with outcome failure and the reason, a new signing key a configuration
 * creation.
 */
#include <string.h>

#include "escape.h"
#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

static void key_str(FILE *f, const char *key, const void *s, size_t len)
{
	fprintf(f, "\"%s\":", key);
	hg_escape_json(f, s, len);
}

static void print_event(FILE *f, const struct hg_event *ev)
{
	const char *action, *outcome = "success", *kind = "event";
	const char *category = "configuration", *type = "change";
	unsigned int severity = 3;

	switch (ev->type) {
	case HG_EVENT_EXEC:
		action = hg_decision_name(ev->decision);
		category = ev->hook == HG_HOOK_BPRM_CHECK ? "process" : "library";
		if (ev->decision == HG_DECISION_DENY) {
			kind = "alert", type = "denied", outcome = "failure", severity = 8;
		} else if (ev->decision == HG_DECISION_WOULD_DENY) {
			kind = "alert", type = "allowed", severity = 5;
		} else {
			type = "allowed", severity = 1;
		}
		fprintf(f, "\"kind\":\"%s\",\"category\":[\"intrusion_detection\",\"%s\"],"
			"\"type\":[\"%s\",\"start\"],\"action\":\"%s\",\"outcome\":\"%s\","
			"\"reason\":\"%s\"", kind, category, type, action, outcome,
			hg_reason_name(ev->reason));
		break;
	case HG_EVENT_LIST_LOAD:
	case HG_EVENT_MODE:
		action = ev->type == HG_EVENT_MODE ? "mode-change" : "allowlist-load";
		fprintf(f, "\"kind\":\"event\",\"category\":[\"%s\"],\"type\":[\"%s\"],"
			"\"action\":\"%s\",\"outcome\":\"success\"", category, type, action);
		break;
	case HG_EVENT_LIST_REJECT:
		severity = 6;
		fprintf(f, "\"kind\":\"event\",\"category\":[\"configuration\"],"
			"\"type\":[\"change\"],\"action\":\"allowlist-reject\","
			"\"outcome\":\"failure\",\"reason\":\"%s\"",
			hg_reason_name(ev->reason));
		break;
	case HG_EVENT_KEY_ADD:
		severity = 5;
		fprintf(f, "\"kind\":\"event\",\"category\":[\"configuration\"],"
			"\"type\":[\"creation\"],\"action\":\"key-add\","
			"\"outcome\":\"success\"");
		break;
	default:
		fprintf(f, "\"kind\":\"event\",\"category\":[\"configuration\"],"
			"\"type\":[\"info\"],\"action\":\"unknown\",\"outcome\":\"unknown\"");
		break;
	}
	fprintf(f, ",\"severity\":%u,\"sequence\":%llu,\"module\":\"hashgate\","
		"\"dataset\":\"hashgate.%s\"}", severity, U(ev->seq),
		hg_type_name(ev->type));
}

void hg_fmt_ecs(FILE *f, const struct hg_event *ev, const char *strings,
		const struct hg_fmt_ctx *ctx)
{
	const char *exe = strings, *path = strings + ev->exe_len;
	char ts[40], dev[24], hex[2 * HG_DIGEST_SIZE + 1];
	size_t base;

	hg_fmt_time(ts, sizeof(ts), ev->time_ns, 6);
	fprintf(f, "{\"@timestamp\":\"%s\",\"ecs\":{\"version\":\"8.11.0\"},\"event\":{", ts);
	print_event(f, ev);
	fputs(",\"observer\":{\"vendor\":\"hashgate\",\"product\":\"hashgate\",", f);
	key_str(f, "version", ctx->version, strlen(ctx->version));
	fputs("},\"host\":{", f);
	key_str(f, "hostname", ctx->hostname, strlen(ctx->hostname));
	fputc(',', f);
	key_str(f, "name", ctx->hostname, strlen(ctx->hostname));
	fprintf(f, "},\"process\":{\"pid\":%u,", ev->pid);
	if (ev->exe_len) {
		key_str(f, "executable", exe, ev->exe_len);
		fputc(',', f);
	}
	key_str(f, "name", ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	fprintf(f, ",\"parent\":{\"pid\":%u}},\"user\":{\"id\":\"%u\"", ev->ppid, ev->uid);
	if (ev->auid != UINT32_MAX)
		fprintf(f, ",\"audit\":{\"id\":\"%u\"}", ev->auid);
	fputc('}', f);

	hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
	if (ev->type == HG_EVENT_EXEC) {
		base = hg_basename_off(path, ev->path_len);
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fputs(",\"file\":{", f);
		key_str(f, "path", path, ev->path_len);
		fputc(',', f);
		key_str(f, "name", path + base, ev->path_len - base);
		fprintf(f, ",\"inode\":\"%llu\",\"device\":\"%s\"", U(ev->ino), dev);
		if (ev->flags & HG_EVENT_F_DIGEST)
			fprintf(f, ",\"hash\":{\"sha256\":\"%s\"}", hex);
		fputc('}', f);
	}

	fprintf(f, ",\"hashgate\":{\"type\":\"%s\"", hg_type_name(ev->type));
	if (ev->type == HG_EVENT_EXEC)
		fprintf(f, ",\"decision\":\"%s\"", hg_decision_name(ev->decision));
	fprintf(f, ",\"mode\":\"%s\"", hg_mode_name(ev->mode));
	if (ev->type == HG_EVENT_EXEC)
		fprintf(f, ",\"hook\":\"%s\",\"reason\":\"%s\"",
			hg_hook_name(ev->hook), hg_reason_name(ev->reason));
	if (ev->type == HG_EVENT_LIST_REJECT)
		fprintf(f, ",\"reason\":\"%s\"", hg_reason_name(ev->reason));
	if (ev->type == HG_EVENT_KEY_ADD) {
		fputc(',', f);
		key_str(f, "key", path, ev->path_len);
	}
	if (ev->type == HG_EVENT_MODE)
		fprintf(f, ",\"locked\":%s", ev->flags & HG_EVENT_F_LOCKED ? "true" : "false");
	fprintf(f, ",\"allowlist\":{\"serial\":%llu", U(ev->list_serial));
	if ((ev->type == HG_EVENT_LIST_LOAD || ev->type == HG_EVENT_LIST_REJECT) &&
	    (ev->flags & HG_EVENT_F_DIGEST))
		fprintf(f, ",\"sha256\":\"%s\"", hex);
	if (hg_event_signed(ev)) {
		fputc(',', f);
		key_str(f, "signer", path, ev->path_len);
	}
	fprintf(f, "},\"dropped_before\":%llu", U(ev->dropped_before));
	if (ev->type == HG_EVENT_EXEC)
		fprintf(f, ",\"path_escaped\":%s",
			hg_is_printable_utf8(path, ev->path_len) ? "false" : "true");
	if (ev->flags & HG_EVENT_F_FOREIGN_ROOT)
		fputs(",\"foreign_root\":true", f);
	if (ev->flags & HG_EVENT_F_PATH_TRUNCATED)
		fputs(",\"path_truncated\":true", f);
	fputs("}}\n", f);
}
