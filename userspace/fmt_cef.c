// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --format cef': ArcSight Common Event Format, one line
 *
 *   CEF:0|hashgate|hashgate|VERSION|CLASS|NAME|SEVERITY|k=v k=v ...
 *
 * Header fields escape | and \; extension values escape \ and = and write
 * CR/LF as \r and \n (escape.c). Extension keys are the standard ones where
 * CEF has them, custom strings (csN/csNLabel) and numbers (cnN, a signed
 * long: nothing that can reach 2^63) otherwise. Values longer than the
 * lengths CEF gives their keys are cut, with HG_CUT_MARK. A runtime record
 * (a finding of the scan of resident code) has the file's fields as an exec
 * record does, and its page as "key=value" words in msg, the words of the
 * scan's report.
 */
#include <string.h>

#include "evfmt.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

/* Lengths of the CEF extension dictionary (characters; we count bytes). */
#define CEF_DVCHOST_MAX		100
#define CEF_STRING_MAX		1023	/* filePath, fname, sproc, suser */
#define CEF_CS_MAX		4000	/* csN */

static const unsigned int severity[HG_LVL_COUNT] = {
	[HG_LVL_CHANGE] = 3, [HG_LVL_ALLOW] = 1, [HG_LVL_STATUS] = 1, [HG_LVL_KEY] = 5,
	[HG_LVL_WOULD_DENY] = 5, [HG_LVL_REJECT] = 7, [HG_LVL_DENY] = 8,
	[HG_LVL_FINDING] = 8, [HG_LVL_KILLED] = 8, [HG_LVL_UNKNOWN] = 8,
};

static void hdr(FILE *f, const char *s)
{
	hg_escape_value(f, s, strlen(s), HG_ESC_CEF_HDR);
	fputc('|', f);
}

/* " key=value" with an untrusted value of at most @limit bytes. */
static void ext(struct hg_rec *r, const char *key, const void *s, size_t len,
		size_t limit)
{
	fprintf(r->f, " %s=", key);
	hg_put(r, s, len, HG_ESC_CEF_EXT, limit);
}

/* Device Event Class ID and Name: what was attempted, and what came of it. */
static void class_and_name(const struct hg_rec *r, char *class, size_t class_size,
			   char *name, size_t name_size)
{
	const struct hg_event *ev = r->ev;
	const char *reason = hg_reason_name(ev->reason);

	switch (ev->type) {
	case HG_EVENT_EXEC:
		snprintf(class, class_size, "%s-%s", hg_subject_class(r->subject),
			 hg_decision_token(ev));
		snprintf(name, name_size, "%s %s: %s", hg_subject_name(r->subject),
			 hg_verdict_phrase(ev), reason);
		break;
	case HG_EVENT_RUNTIME:
		snprintf(class, class_size, "runtime-%s", hg_runtime_token(ev));
		snprintf(name, name_size, "Resident code finding%s: %s",
			 hg_runtime_phrase(ev), reason);
		break;
	case HG_EVENT_LIST_LOAD:
		snprintf(class, class_size, "list-load");
		snprintf(name, name_size, "Allowlist loaded");
		break;
	case HG_EVENT_LIST_REJECT:
		snprintf(class, class_size, "list-reject");
		snprintf(name, name_size, "Allowlist refused: %s", reason);
		break;
	case HG_EVENT_KEY_ADD:
		snprintf(class, class_size, "key-add");
		snprintf(name, name_size, "Allowlist signing key added");
		break;
	case HG_EVENT_MODE:
		snprintf(class, class_size, "mode");
		snprintf(name, name_size, "Mode set to %s%s", hg_mode_name(ev->mode),
			 ev->flags & HG_EVENT_F_LOCKED ? " (locked)" : "");
		break;
	case HG_EVENT_SETTING:
		snprintf(class, class_size, "setting-change");
		snprintf(name, name_size, "Setting changed");
		break;
	case HG_EVENT_LOAD:
		snprintf(class, class_size, "module-load");
		snprintf(name, name_size, "hashgate module loaded");
		break;
	case HG_EVENT_HEARTBEAT:
		snprintf(class, class_size, "heartbeat");
		snprintf(name, name_size, "hashgate heartbeat");
		break;
	default:
		snprintf(class, class_size, "type-%u", ev->type);
		snprintf(name, name_size, "Unknown event type %u", ev->type);
		break;
	}
}

static void header(struct hg_rec *r)
{
	char class[48], name[96];

	class_and_name(r, class, sizeof(class), name, sizeof(name));
	fputs("CEF:0|", r->f);
	hdr(r->f, "hashgate");
	hdr(r->f, "hashgate");
	hdr(r->f, r->ctx->version);
	hdr(r->f, class);
	hdr(r->f, name);
	fprintf(r->f, "%u|", severity[r->level]);
}

static void who(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;

	fprintf(r->f, " spid=%u", ev->pid);
	ext(r, "sproc", ev->comm, strnlen(ev->comm, HG_COMM_SIZE), CEF_STRING_MAX);
	fprintf(r->f, " suid=%u", ev->uid);
	if (r->user)
		ext(r, "suser", r->user, strlen(r->user), CEF_STRING_MAX);
}

/* The file's fields, those it has: none for anonymous memory. */
static void exec_file(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	size_t base = hg_basename_off(r->path, ev->path_len);
	char hex[2 * HG_DIGEST_SIZE + 1];

	if (ev->path_len)
		ext(r, "filePath", r->path, ev->path_len, CEF_STRING_MAX);
	if (base < ev->path_len)
		ext(r, "fname", r->path + base, ev->path_len - base, CEF_STRING_MAX);
	if (ev->flags & HG_EVENT_F_DIGEST) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(r->f, " fileHash=%s", hex);
	}
	if (ev->ino)
		fprintf(r->f, " fileId=%llu", U(ev->ino));
}

/*
 * An exec or runtime record: the decision, the file, the process (none for
 * a runtime record's page-cache page); a runtime record's page in msg, the
 * words of the scan's report, short and fixed in form: never cut.
 */
static void exec_ext(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char dev[24], words[HG_PAGE_WORDS_MAX];

	fprintf(r->f, " act=%s outcome=%s reason=%s", hg_decision_name(ev->decision),
		hg_outcome(r->level), hg_reason_name(ev->reason));
	exec_file(r);
	if (hg_event_has_task(ev))
		who(r);
	fprintf(r->f, " cs1Label=mode cs1=%s cs2Label=hook cs2=%s",
		hg_mode_name(ev->mode), hg_hook_name(ev->hook));
	if (ev->exe_len) {
		fputs(" cs3Label=exe", r->f);
		ext(r, "cs3", r->exe, ev->exe_len, CEF_CS_MAX);
	}
	if (ev->ino) {
		hg_fmt_dev(dev, sizeof(dev), ev->dev);
		fprintf(r->f, " cs4Label=device cs4=%s", dev);
	}
	if (*hg_path_flags(ev))
		fprintf(r->f, " flexString1Label=pathFlags flexString1=%s", hg_path_flags(ev));
	if (r->has_page) {
		hg_page_words(&r->page, words);
		fputs(" msg=", r->f);
		hg_escape_value(r->f, words, strlen(words), HG_ESC_CEF_EXT);
	}
}

/*
 * A setting, load or heartbeat record's words: all of them in msg, as the
 * module wrote them; a setting's name, value and former value in cs2-cs4.
 */
static void kv_ext(struct hg_rec *r)
{
	static const char *const keys[] = { "cs2", "cs3", "cs4" };
	static const char *const labels[] = { "setting", "value", "was" };
	const char *p = r->path, *end = r->path + r->ev->path_len;
	struct hg_kv kv;
	int i = 0;

	ext(r, "msg", r->path, r->ev->path_len, CEF_CS_MAX);
	if (r->ev->type != HG_EVENT_SETTING)
		return;
	while (i < 3 && hg_kv_next(&p, end, &kv)) {
		fprintf(r->f, " %sLabel=%s", keys[i], labels[i]);
		ext(r, keys[i], kv.val, kv.val_len, CEF_CS_MAX);
		i++;
	}
}

static void config_ext(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char hex[2 * HG_DIGEST_SIZE + 1];

	if (ev->type == HG_EVENT_LIST_REJECT || r->level == HG_LVL_UNKNOWN)
		fprintf(r->f, " outcome=%s", hg_outcome(r->level));
	if (ev->type == HG_EVENT_LIST_REJECT)
		fprintf(r->f, " reason=%s", hg_reason_name(ev->reason));
	if ((ev->type == HG_EVENT_LIST_LOAD || ev->type == HG_EVENT_LIST_REJECT) &&
	    (ev->flags & HG_EVENT_F_DIGEST)) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(r->f, " fileHash=%s", hex);
	}
	if (hg_event_has_task(ev))
		who(r);
	fprintf(r->f, " cs1Label=mode cs1=%s", hg_mode_name(ev->mode));
	if (hg_event_has_kv(ev))
		kv_ext(r);
	if (ev->type == HG_EVENT_MODE || ev->type == HG_EVENT_HEARTBEAT)
		fprintf(r->f, " cs2Label=locked cs2=%s",
			ev->flags & HG_EVENT_F_LOCKED ? "yes" : "no");
	if (hg_event_signed(ev) || ev->type == HG_EVENT_KEY_ADD) {
		fprintf(r->f, " cs3Label=%s", ev->type == HG_EVENT_KEY_ADD ? "key" : "signer");
		ext(r, "cs3", r->path, ev->path_len, CEF_CS_MAX);
	}
}

void hg_fmt_cef(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;

	header(r);
	fprintf(r->f, "rt=%llu", U(ev->time_ns / 1000000));
	ext(r, "dvchost", r->ctx->hostname, strlen(r->ctx->hostname), CEF_DVCHOST_MAX);
	fprintf(r->f, " externalId=%llu cat=/hashgate/%s", U(ev->seq), hg_type_name(ev->type));
	if (ev->type == HG_EVENT_EXEC || ev->type == HG_EVENT_RUNTIME)
		exec_ext(r);
	else
		config_ext(r);
	if (ev->auid != UINT32_MAX)
		fprintf(r->f, " cs5Label=auid cs5=%u", ev->auid);
	/* The serial is a u64: a string, since cnN is a signed long. */
	fprintf(r->f, " cn1Label=seq cn1=%llu", U(ev->seq));
	if (hg_event_has_task(ev))
		fprintf(r->f, " cn2Label=ppid cn2=%u", ev->ppid);
	fprintf(r->f, " cn3Label=droppedBefore cn3=%llu cs6Label=allowlistSerial cs6=%llu",
		U(ev->dropped_before), U(ev->list_serial));
	if (ev->load_id)
		fprintf(r->f, " cn4Label=loadId cn4=%u", ev->load_id);
	if (r->truncated)
		fputs(" flexString2Label=truncated flexString2=yes", r->f);
	fputc('\n', r->f);
}
