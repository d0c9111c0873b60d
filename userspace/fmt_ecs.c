// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format json': one JSON object per line following the
 * Elastic Common Schema (ECS 8.11), plus a "hashgate" object with what ECS
 * has no field for. Keys come in a fixed order; see EVENTS in hashgate.8.
 *
 * An exec record is an alert in the intrusion_detection category, with the
 * category of what was attempted: process/start for the program of an
 * execve, library/start for an interpreter or a file mapped executable,
 * file/change for a write to a file mapped executable, process/change for
 * executable memory no file vouches for (the category/type pairs ECS
 * allows). A denial is type denied, outcome failure. In audit mode the
 * access went ahead, so type is allowed and outcome success, and the action,
 * like hashgate.decision, is "would-deny". A decision or record type this
 * tool does not know is type info, outcome unknown, severity 8: never
 * allowed. A new allowlist, a mode change and a setting change are
 * configuration change events; a refused allowlist is one with outcome
 * failure and the reason, a new signing key a configuration creation. A
 * module load is a driver start, a heartbeat the driver's state (kind
 * state), with the counters under hashgate.stats.
 *
 * A finding of the scan of resident code (a runtime record) is an alert in
 * intrusion_detection too, with the category of what it found:
 * process/change for a process's copy of a file's code modified (or
 * executable memory no file vouches for), file/change for a page-cache page
 * unlike the file verified, process/info for a process left unexamined.
 * Killed is type denied, outcome failure; reported is type allowed (the
 * code went on running), outcome success; both severity 8. The page is
 * under hashgate.page, for which ECS has no field.
 *
 * Only what the record has is written: no file object for anonymous memory,
 * no inode without one. u64 values ECS maps as long (signed) that can exceed
 * it, the allowlist serial, are strings.
 */
#include <string.h>

#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

/* ECS 8.11 category and type of each subject, besides intrusion_detection. */
static const char *const subject_category[] = {
	[HG_SUBJ_PROGRAM] = "process", [HG_SUBJ_MAPPING] = "library",
	[HG_SUBJ_WRITE] = "file", [HG_SUBJ_MEMORY] = "process",
};
static const char *const subject_type[] = {
	[HG_SUBJ_PROGRAM] = "start", [HG_SUBJ_MAPPING] = "start",
	[HG_SUBJ_WRITE] = "change", [HG_SUBJ_MEMORY] = "change",
};

static const unsigned int severity[HG_LVL_COUNT] = {
	[HG_LVL_CHANGE] = 3, [HG_LVL_ALLOW] = 1, [HG_LVL_STATUS] = 1, [HG_LVL_KEY] = 5,
	[HG_LVL_WOULD_DENY] = 5, [HG_LVL_REJECT] = 6, [HG_LVL_DENY] = 8,
	[HG_LVL_FINDING] = 8, [HG_LVL_KILLED] = 8, [HG_LVL_UNKNOWN] = 8,
};

/* "key":"value" with an untrusted value. */
static void key_str(struct hg_rec *r, const char *key, const void *s, size_t len)
{
	fprintf(r->f, "\"%s\":\"", key);
	hg_put(r, s, len, HG_ESC_JSON, SIZE_MAX);
	fputc('"', r->f);
}

/* intrusion_detection's type: what happened to the access. */
static const char *verdict_type(enum hg_level level)
{
	return level == HG_LVL_DENY ? "denied" : level == HG_LVL_UNKNOWN ? "info" : "allowed";
}

static void exec_event(struct hg_rec *r)
{
	const char *cat = r->subject < HG_SUBJ_UNKNOWN ? subject_category[r->subject] : NULL;
	const char *type = r->subject < HG_SUBJ_UNKNOWN ? subject_type[r->subject] : NULL;
	FILE *f = r->f;

	fprintf(f, "\"kind\":\"%s\",\"category\":[\"intrusion_detection\"",
		r->level == HG_LVL_ALLOW ? "event" : "alert");
	if (cat)
		fprintf(f, ",\"%s\"", cat);
	fprintf(f, "],\"type\":[\"%s\"", verdict_type(r->level));
	if (type)
		fprintf(f, ",\"%s\"", type);
	fprintf(f, "],\"action\":\"%s\",\"outcome\":\"%s\",\"reason\":\"%s\"",
		hg_decision_name(r->ev->decision), hg_outcome(r->level),
		hg_reason_name(r->ev->reason));
}

/* A finding of the scan: what it found, and whether its code was stopped. */
static void runtime_event(struct hg_rec *r)
{
	const char *cat = NULL, *type = NULL;
	FILE *f = r->f;

	switch (r->ev->reason) {
	case HG_REASON_CODE_MODIFIED:
	case HG_REASON_ANON_EXEC:
	case HG_REASON_MEMFD:
		cat = "process";
		type = "change";
		break;
	case HG_REASON_PAGE_CHANGED:
		cat = "file";
		type = "change";
		break;
	case HG_REASON_UNEXAMINED:
		cat = "process";
		type = "info";
		break;
	}
	fputs("\"kind\":\"alert\",\"category\":[\"intrusion_detection\"", f);
	if (cat)
		fprintf(f, ",\"%s\"", cat);
	fprintf(f, "],\"type\":[\"%s\"", r->level == HG_LVL_KILLED ? "denied" :
		r->level == HG_LVL_FINDING ? "allowed" : "info");
	if (type)
		fprintf(f, ",\"%s\"", type);
	fprintf(f, "],\"action\":\"%s\",\"outcome\":\"%s\",\"reason\":\"%s\"",
		hg_decision_name(r->ev->decision), hg_outcome(r->level),
		hg_reason_name(r->ev->reason));
}

static void config_event(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	FILE *f = r->f;

	switch (ev->type) {
	case HG_EVENT_LIST_LOAD:
	case HG_EVENT_MODE:
		fprintf(f, "\"kind\":\"event\",\"category\":[\"configuration\"],"
			"\"type\":[\"change\"],\"action\":\"%s\",\"outcome\":\"success\"",
			ev->type == HG_EVENT_MODE ? "mode-change" : "allowlist-load");
		break;
	case HG_EVENT_LIST_REJECT:
		fprintf(f, "\"kind\":\"event\",\"category\":[\"configuration\"],"
			"\"type\":[\"change\"],\"action\":\"allowlist-reject\","
			"\"outcome\":\"failure\",\"reason\":\"%s\"",
			hg_reason_name(ev->reason));
		break;
	case HG_EVENT_KEY_ADD:
		fputs("\"kind\":\"event\",\"category\":[\"configuration\"],"
		      "\"type\":[\"creation\"],\"action\":\"key-add\","
		      "\"outcome\":\"success\"", f);
		break;
	case HG_EVENT_SETTING:
		fputs("\"kind\":\"event\",\"category\":[\"configuration\"],"
		      "\"type\":[\"change\"],\"action\":\"setting-change\","
		      "\"outcome\":\"success\"", f);
		break;
	case HG_EVENT_LOAD:
		fputs("\"kind\":\"event\",\"category\":[\"driver\"],"
		      "\"type\":[\"start\"],\"action\":\"module-load\","
		      "\"outcome\":\"success\"", f);
		break;
	case HG_EVENT_HEARTBEAT:
		fputs("\"kind\":\"state\",\"category\":[\"driver\"],"
		      "\"type\":[\"info\"],\"action\":\"heartbeat\","
		      "\"outcome\":\"success\"", f);
		break;
	default:
		/* A newer module's record: worth a look, whatever it is. */
		fputs("\"kind\":\"alert\",\"category\":[\"intrusion_detection\"],"
		      "\"type\":[\"info\"],\"action\":\"unknown\",\"outcome\":\"unknown\"", f);
		break;
	}
}

static void print_event(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;

	if (ev->type == HG_EVENT_EXEC)
		exec_event(r);
	else if (ev->type == HG_EVENT_RUNTIME)
		runtime_event(r);
	else
		config_event(r);
	fprintf(r->f, ",\"severity\":%u,\"sequence\":%llu,\"module\":\"hashgate\","
		"\"dataset\":\"hashgate.%s\"}", severity[r->level], U(ev->seq),
		ev->type < __HG_EVENT_MAX ? hg_type_name(ev->type) : "unknown");
}

static void print_process_user(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	FILE *f = r->f;

	fprintf(f, ",\"process\":{\"pid\":%u,", ev->pid);
	if (ev->exe_len) {
		key_str(r, "executable", r->exe, ev->exe_len);
		fputc(',', f);
	}
	key_str(r, "name", ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	fprintf(f, ",\"parent\":{\"pid\":%u}},\"user\":{\"id\":\"%u\"", ev->ppid, ev->uid);
	if (r->user) {
		fputc(',', f);
		key_str(r, "name", r->user, strlen(r->user));
	}
	fputc('}', f);
}

/* Exec and runtime records are about a file, or memory no file vouches for. */
static bool about_a_file(const struct hg_event *ev)
{
	return ev->type == HG_EVENT_EXEC || ev->type == HG_EVENT_RUNTIME;
}

/* What the record has of a file: nothing at all for anonymous memory. */
static void print_file(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	size_t base = hg_basename_off(r->path, ev->path_len);
	bool digest = ev->flags & HG_EVENT_F_DIGEST;
	char dev[24], hex[2 * HG_DIGEST_SIZE + 1];
	const char *sep = "";
	FILE *f = r->f;

	if (!about_a_file(ev) || (!ev->path_len && !ev->ino && !digest))
		return;
	fputs(",\"file\":{", f);
	if (ev->path_len) {
		key_str(r, "path", r->path, ev->path_len);
		if (base < ev->path_len) {
			fputc(',', f);
			key_str(r, "name", r->path + base, ev->path_len - base);
		}
		sep = ",";
	}
	if (ev->ino) {
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fprintf(f, "%s\"inode\":\"%llu\",\"device\":\"%s\"", sep, U(ev->ino), dev);
		sep = ",";
	}
	if (digest) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(f, "%s\"hash\":{\"sha256\":\"%s\"}", sep, hex);
	}
	fputc('}', f);
}

static void print_allowlist(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char hex[2 * HG_DIGEST_SIZE + 1];

	/* A string: 2^63 and above do not fit Elasticsearch's long. */
	fprintf(r->f, ",\"allowlist\":{\"serial\":\"%llu\"", U(ev->list_serial));
	if ((ev->type == HG_EVENT_LIST_LOAD || ev->type == HG_EVENT_LIST_REJECT) &&
	    (ev->flags & HG_EVENT_F_DIGEST)) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(r->f, ",\"sha256\":\"%s\"", hex);
	}
	if (hg_event_signed(ev)) {
		fputc(',', r->f);
		key_str(r, "signer", r->path, ev->path_len);
	}
	fputc('}', r->f);
}

/*
 * A setting, load or heartbeat record's words as an object: numbers as
 * numbers, under "setting", "load" or "stats". A setting's value and was
 * are strings whatever the setting: one field holds the values of every
 * setting (anon_exec's words, scan_interval's seconds), and Elasticsearch
 * maps it as keyword.
 */
static void print_kv(struct hg_rec *r)
{
	const char *p = r->path, *end = r->path + r->ev->path_len;
	const char *sep = "";
	struct hg_kv kv;
	char key[40];

	fprintf(r->f, ",\"%s\":{", hg_kv_group(r->ev));
	while (hg_kv_next(&p, end, &kv)) {
		fputs(sep, r->f);
		sep = ",";
		if (r->ev->type != HG_EVENT_SETTING && hg_kv_number(&kv)) {
			fprintf(r->f, "\"%.*s\":%.*s", (int)kv.key_len, kv.key,
				(int)kv.val_len, kv.val);
		} else {
			snprintf(key, sizeof(key), "%.*s", (int)kv.key_len, kv.key);
			key_str(r, key, kv.val, kv.val_len);
		}
	}
	fputc('}', r->f);
}

/* A runtime record's page: hex as the scan's report gives it. */
static void print_page(struct hg_rec *r)
{
	const struct hg_event_page *pg = &r->page;
	char hex[2 * HG_PAGE_DIGEST_SIZE + 1];
	FILE *f = r->f;

	fprintf(f, ",\"page\":{\"offset\":%llu", U(pg->offset));
	if (pg->address)
		fprintf(f, ",\"address\":\"0x%llx\"", U(pg->address));
	fprintf(f, ",\"count\":%u", pg->count);
	if (hg_page_digest_known(pg->expected)) {
		hg_hex(hex, pg->expected, HG_PAGE_DIGEST_SIZE);
		fprintf(f, ",\"expected\":\"%s\"", hex);
	}
	if (hg_page_digest_known(pg->actual)) {
		hg_hex(hex, pg->actual, HG_PAGE_DIGEST_SIZE);
		fprintf(f, ",\"actual\":\"%s\"", hex);
	}
	fputc('}', f);
}

static void print_hashgate(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	FILE *f = r->f;

	fprintf(f, ",\"hashgate\":{\"type\":\"%s\"", hg_type_name(ev->type));
	if (about_a_file(ev))
		fprintf(f, ",\"decision\":\"%s\"", hg_decision_name(ev->decision));
	fprintf(f, ",\"mode\":\"%s\"", hg_mode_name(ev->mode));
	if (about_a_file(ev))
		fprintf(f, ",\"hook\":\"%s\",\"reason\":\"%s\"",
			hg_hook_name(ev->hook), hg_reason_name(ev->reason));
	if (r->has_page)
		print_page(r);
	if (ev->type == HG_EVENT_LIST_REJECT)
		fprintf(f, ",\"reason\":\"%s\"", hg_reason_name(ev->reason));
	if (ev->type == HG_EVENT_KEY_ADD) {
		fputc(',', f);
		key_str(r, "key", r->path, ev->path_len);
	}
	if (ev->type == HG_EVENT_MODE || ev->type == HG_EVENT_HEARTBEAT)
		fprintf(f, ",\"locked\":%s", ev->flags & HG_EVENT_F_LOCKED ? "true" : "false");
	if (hg_event_has_kv(ev))
		print_kv(r);
	if (ev->load_id)
		fprintf(f, ",\"load_id\":%u", ev->load_id);
	/* The login uid: ECS has no field for it (user.audit is auditbeat's). */
	if (ev->auid != UINT32_MAX)
		fprintf(f, ",\"auid\":\"%u\"", ev->auid);
	print_allowlist(r);
	fprintf(f, ",\"dropped_before\":%llu", U(ev->dropped_before));
	if (about_a_file(ev) && ev->path_len)
		fprintf(f, ",\"path_escaped\":%s",
			hg_is_printable_utf8(r->path, ev->path_len) ? "false" : "true");
	if (ev->flags & HG_EVENT_F_FOREIGN_ROOT)
		fputs(",\"foreign_root\":true", f);
	if (ev->flags & HG_EVENT_F_PATH_TRUNCATED)
		fputs(",\"path_truncated\":true", f);
	if (r->truncated)
		fputs(",\"truncated\":true", f);
	fputc('}', f);
}

void hg_fmt_ecs(struct hg_rec *r)
{
	const struct hg_fmt_ctx *ctx = r->ctx;
	char ts[40];
	FILE *f = r->f;

	hg_fmt_time(ts, sizeof(ts), r->ev->time_ns, 6);
	fprintf(f, "{\"@timestamp\":\"%s\",\"ecs\":{\"version\":\"8.11.0\"},\"event\":{", ts);
	print_event(r);
	fputs(",\"observer\":{\"vendor\":\"hashgate\",\"product\":\"hashgate\",", f);
	key_str(r, "version", ctx->version, strlen(ctx->version));
	fputs("},\"host\":{", f);
	key_str(r, "hostname", ctx->hostname, strlen(ctx->hostname));
	fputc(',', f);
	key_str(r, "name", ctx->hostname, strlen(ctx->hostname));
	fputc('}', f);
	if (hg_event_has_task(r->ev))
		print_process_user(r);
	print_file(r);
	print_hashgate(r);
	fputs("}\n", f);
}
