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
 *
 * Predefined attributes are used only for what they mean: usrName for the
 * user, resource for the file. The ident* attributes describe the subject of
 * an identity (login) event and feed QRadar's asset model, and policy names
 * a policy: the reporting host and the allowlist serial are custom
 * attributes (dvchost, as in CEF, and allowlistSerial). QRadar takes the
 * log source from the syslog header the record travels in.
 *
 * A runtime record (a finding of the scan of resident code) has the
 * attributes of an exec record, and its page as pageOffset, pageAddress,
 * pageCount, pageExpected and pageActual.
 */
#include <string.h>

#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

static const unsigned int severity[HG_LVL_COUNT] = {
	[HG_LVL_CHANGE] = 3, [HG_LVL_ALLOW] = 1, [HG_LVL_STATUS] = 1, [HG_LVL_KEY] = 5,
	[HG_LVL_WOULD_DENY] = 5, [HG_LVL_REJECT] = 7, [HG_LVL_DENY] = 8,
	[HG_LVL_FINDING] = 8, [HG_LVL_KILLED] = 8, [HG_LVL_UNKNOWN] = 8,
};

/* "^key=value" with an untrusted value. */
static void attr(struct hg_rec *r, const char *key, const void *s, size_t len)
{
	fprintf(r->f, "^%s=", key);
	hg_put(r, s, len, HG_ESC_LEEF, SIZE_MAX);
}

/* As CEF's Device Event Class ID. */
static void event_id(const struct hg_rec *r, char *id, size_t size)
{
	static const char *const ids[__HG_EVENT_MAX] = {
		[HG_EVENT_LIST_LOAD] = "list-load", [HG_EVENT_MODE] = "mode",
		[HG_EVENT_LIST_REJECT] = "list-reject", [HG_EVENT_KEY_ADD] = "key-add",
		[HG_EVENT_SETTING] = "setting-change", [HG_EVENT_LOAD] = "module-load",
		[HG_EVENT_HEARTBEAT] = "heartbeat",
	};
	const struct hg_event *ev = r->ev;

	if (ev->type == HG_EVENT_EXEC)
		snprintf(id, size, "%s-%s", hg_subject_class(r->subject),
			 hg_decision_token(ev));
	else if (ev->type == HG_EVENT_RUNTIME)
		snprintf(id, size, "runtime-%s", hg_runtime_token(ev));
	else if (ev->type < __HG_EVENT_MAX && ids[ev->type])
		snprintf(id, size, "%s", ids[ev->type]);
	else
		snprintf(id, size, "type-%u", ev->type);
}

/* A runtime record's page. */
static void page_attrs(struct hg_rec *r)
{
	const struct hg_event_page *pg = &r->page;
	char hex[2 * HG_PAGE_DIGEST_SIZE + 1];

	fprintf(r->f, "^pageOffset=%llu", U(pg->offset));
	if (pg->address)
		fprintf(r->f, "^pageAddress=0x%llx", U(pg->address));
	fprintf(r->f, "^pageCount=%u", pg->count);
	if (hg_page_digest_known(pg->expected)) {
		hg_hex(hex, pg->expected, HG_PAGE_DIGEST_SIZE);
		fprintf(r->f, "^pageExpected=%s", hex);
	}
	if (hg_page_digest_known(pg->actual)) {
		hg_hex(hex, pg->actual, HG_PAGE_DIGEST_SIZE);
		fprintf(r->f, "^pageActual=%s", hex);
	}
}

/*
 * An exec or runtime record's attributes, and the file's, those it has:
 * none for anonymous memory.
 */
static void exec_attrs(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	size_t base = hg_basename_off(r->path, ev->path_len);
	char dev[24], hex[2 * HG_DIGEST_SIZE + 1];

	fprintf(r->f, "^action=%s^reason=%s^mode=%s^hook=%s",
		hg_decision_name(ev->decision), hg_reason_name(ev->reason),
		hg_mode_name(ev->mode), hg_hook_name(ev->hook));
	if (ev->path_len)
		attr(r, "resource", r->path, ev->path_len);
	if (base < ev->path_len)
		attr(r, "fileName", r->path + base, ev->path_len - base);
	if (ev->flags & HG_EVENT_F_DIGEST) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(r->f, "^fileHash=%s", hex);
	}
	if (ev->ino) {
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fprintf(r->f, "^inode=%llu^device=%s", U(ev->ino), dev);
	}
	if (*hg_path_flags(ev))
		fprintf(r->f, "^pathFlags=%s", hg_path_flags(ev));
	if (r->has_page)
		page_attrs(r);
}

/*
 * A setting, load or heartbeat record's words, each its own attribute,
 * prefixed so that none takes a predefined LEEF name (a setting's "name"
 * and "value" become settingName and settingValue).
 */
static void kv_attrs(struct hg_rec *r)
{
	const char *p = r->path, *end = r->path + r->ev->path_len;
	struct hg_kv kv;
	char key[48];

	while (hg_kv_next(&p, end, &kv)) {
		snprintf(key, sizeof(key), "%s_%.*s", hg_kv_group(r->ev), (int)kv.key_len,
			 kv.key);
		attr(r, key, kv.val, kv.val_len);
	}
}

static void config_attrs(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char hex[2 * HG_DIGEST_SIZE + 1];

	fprintf(r->f, "^mode=%s", hg_mode_name(ev->mode));
	if (hg_event_has_kv(ev))
		kv_attrs(r);
	if (ev->type == HG_EVENT_MODE || ev->type == HG_EVENT_HEARTBEAT)
		fprintf(r->f, "^locked=%s", ev->flags & HG_EVENT_F_LOCKED ? "yes" : "no");
	if (ev->type == HG_EVENT_LIST_REJECT)
		fprintf(r->f, "^reason=%s", hg_reason_name(ev->reason));
	if ((ev->type == HG_EVENT_LIST_LOAD || ev->type == HG_EVENT_LIST_REJECT) &&
	    (ev->flags & HG_EVENT_F_DIGEST)) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(r->f, "^allowlistHash=%s", hex);
	}
	if (hg_event_signed(ev))
		attr(r, "signer", r->path, ev->path_len);
	if (ev->type == HG_EVENT_KEY_ADD)
		attr(r, "key", r->path, ev->path_len);
}

static void who(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;

	fprintf(r->f, "^pid=%u^ppid=%u^uid=%u", ev->pid, ev->ppid, ev->uid);
	if (r->user)
		attr(r, "usrName", r->user, strlen(r->user));
	if (ev->auid != UINT32_MAX)
		fprintf(r->f, "^auid=%u", ev->auid);
	attr(r, "comm", ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	if (ev->exe_len)
		attr(r, "exe", r->exe, ev->exe_len);
}

void hg_fmt_leef(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char id[48], ts[40];

	event_id(r, id, sizeof(id));
	hg_fmt_time(ts, sizeof(ts), ev->time_ns, 3);
	fputs("LEEF:2.0|hashgate|hashgate|", r->f);
	hg_escape_value(r->f, r->ctx->version, strlen(r->ctx->version), HG_ESC_CEF_HDR);
	fprintf(r->f, "|%s|^|devTime=%s^devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX"
		"^cat=%s^sev=%u", id, ts, hg_type_name(ev->type), severity[r->level]);
	attr(r, "dvchost", r->ctx->hostname, strlen(r->ctx->hostname));
	fprintf(r->f, "^seq=%llu", U(ev->seq));
	if (ev->type == HG_EVENT_EXEC || ev->type == HG_EVENT_RUNTIME)
		exec_attrs(r);
	else
		config_attrs(r);
	if (hg_event_has_task(ev))
		who(r);
	fprintf(r->f, "^allowlistSerial=%llu^droppedBefore=%llu", U(ev->list_serial),
		U(ev->dropped_before));
	if (ev->load_id)
		fprintf(r->f, "^loadId=%u", ev->load_id);
	if (r->truncated)
		fputs("^truncated=yes", r->f);
	fputc('\n', r->f);
}
