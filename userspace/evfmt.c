// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of struct hg_event records, the names of their enumerations, and
 * the text format of 'hashgate events'. The SIEM formats live in fmt_*.c;
 * all are documented under EVENTS in hashgate.8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "evfmt.h"
#include "util.h"
#include "version.h"

/* __u64 is unsigned long long in the uapi types, not uint64_t. */
#define U(x) ((unsigned long long)(x))

#define NAME(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "?")

static const char *const type_names[] = {
	[HG_EVENT_NONE] = "none", [HG_EVENT_EXEC] = "exec",
	[HG_EVENT_LIST_LOAD] = "list_load", [HG_EVENT_MODE] = "mode",
	[HG_EVENT_LIST_REJECT] = "list_reject", [HG_EVENT_KEY_ADD] = "key_add",
};
static const char *const mode_names[] = {
	[HG_MODE_OFF] = "off", [HG_MODE_AUDIT] = "audit", [HG_MODE_ENFORCE] = "enforce",
};
static const char *const hook_names[] = {
	[HG_HOOK_NONE] = "none", [HG_HOOK_BPRM_CHECK] = "bprm_check",
	[HG_HOOK_EXEC_OPEN] = "exec_open", [HG_HOOK_MMAP] = "mmap",
	[HG_HOOK_MPROTECT] = "mprotect", [HG_HOOK_WRITE_OPEN] = "write_open",
	[HG_HOOK_TRUNCATE] = "truncate", [HG_HOOK_FORCED_WRITE] = "forced_write",
	[HG_HOOK_UFFD_FILL] = "uffd_fill", [HG_HOOK_PERSONALITY] = "personality",
	[HG_HOOK_EXEC_STACK] = "exec_stack", [HG_HOOK_WRITE_MAP] = "write_map",
};
static const char *const decision_names[] = {
	[HG_DECISION_ALLOW] = "allow", [HG_DECISION_DENY] = "deny",
	[HG_DECISION_WOULD_DENY] = "would-deny",
};
static const char *const reason_names[] = {
	[HG_REASON_NONE] = "none", [HG_REASON_NOT_IN_ALLOWLIST] = "not-in-allowlist",
	[HG_REASON_HASH_MISMATCH] = "hash-mismatch",
	[HG_REASON_OPEN_WRITERS] = "open-writers",
	[HG_REASON_UNREADABLE] = "unreadable",
	[HG_REASON_MEMFD] = "memfd", [HG_REASON_ANON_EXEC] = "anon-exec",
	[HG_REASON_NO_ALLOWLIST] = "no-allowlist", [HG_REASON_UNVERIFIED] = "unverified",
	[HG_REASON_EXEC_MAPPED] = "exec-mapped",
	[HG_REASON_MALFORMED] = "malformed", [HG_REASON_BAD_SIGNATURE] = "bad-signature",
	[HG_REASON_UNKNOWN_KEY] = "unknown-key", [HG_REASON_UNSIGNED] = "unsigned",
	[HG_REASON_ROLLBACK] = "rollback", [HG_REASON_UNTRUSTED_FS] = "untrusted-fs",
	[HG_REASON_REMOTE_FS] = "remote-fs", [HG_REASON_PINNED] = "pinned",
};

/*
 * Validate the record at @buf, of which @avail bytes are present, and copy
 * its fixed part to @ev (the buffer need not be aligned). Return its size,
 * 0 when it is incomplete, -EINVAL when it cannot be a record.
 */
long hg_event_check(const void *buf, size_t avail, struct hg_event *ev)
{
	if (avail < sizeof(ev->size))
		return 0;
	memcpy(&ev->size, buf, sizeof(ev->size));
	if (ev->size < sizeof(*ev))
		return -EINVAL;
	if (avail < sizeof(*ev))
		return 0;
	memcpy(ev, buf, sizeof(*ev));
	if (ev->size < sizeof(*ev) || ev->version != HG_EVENT_VERSION ||
	    (size_t)ev->exe_len + ev->path_len > ev->size - sizeof(*ev))
		return -EINVAL;
	if (ev->size > avail)
		return 0;
	return ev->size;
}

/* A list_load with a verified signature: the path text names the signer. */
bool hg_event_signed(const struct hg_event *ev)
{
	return ev->type == HG_EVENT_LIST_LOAD && (ev->flags & HG_EVENT_F_SIGNED);
}

/*
 * What an exec record says about its paths, "" for nothing:
 * "foreign-root", "path-truncated", or both separated by a comma.
 */
const char *hg_path_flags(const struct hg_event *ev)
{
	bool foreign = ev->flags & HG_EVENT_F_FOREIGN_ROOT;
	bool cut = ev->flags & HG_EVENT_F_PATH_TRUNCATED;

	if (ev->type != HG_EVENT_EXEC)
		return "";
	return foreign && cut ? "foreign-root,path-truncated" :
	       foreign ? "foreign-root" : cut ? "path-truncated" : "";
}

const char *hg_type_name(unsigned int v) { return NAME(type_names, v); }
const char *hg_mode_name(unsigned int v) { return NAME(mode_names, v); }
const char *hg_hook_name(unsigned int v) { return NAME(hook_names, v); }
const char *hg_decision_name(unsigned int v) { return NAME(decision_names, v); }
const char *hg_reason_name(unsigned int v) { return NAME(reason_names, v); }

/* RFC 3339 UTC with @digits (3 or 6) fractional digits: ...T23:41:02.123Z */
void hg_fmt_time(char *buf, size_t size, uint64_t ns, int digits)
{
	time_t sec = (time_t)(ns / 1000000000);
	unsigned int frac = (unsigned int)(ns % 1000000000);
	char date[32];
	struct tm tm;

	if (!gmtime_r(&sec, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		strcpy(date, "1970-01-01T00:00:00");
	if (digits == 6)
		snprintf(buf, size, "%s.%06uZ", date, frac / 1000);
	else
		snprintf(buf, size, "%s.%03uZ", date, frac / 1000000);
}

/* new_encode_dev(): minor bits are split around the major. */
void hg_fmt_dev(char *buf, size_t size, uint32_t dev)
{
	snprintf(buf, size, "%u:%u", (dev & 0xfff00) >> 8,
		 (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

/* Offset of the last path component. */
size_t hg_basename_off(const char *path, size_t len)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	return i;
}

int hg_format_parse(const char *name, enum hg_format *fmt)
{
	static const char *const names[] = {
		[HG_FMT_TEXT] = "text", [HG_FMT_JSON] = "json", [HG_FMT_CEF] = "cef",
		[HG_FMT_LEEF] = "leef", [HG_FMT_SYSLOG] = "syslog",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*fmt = (enum hg_format)i;
			return 0;
		}
	}
	if (!strcmp(name, "ecs")) {
		*fmt = HG_FMT_JSON;
		return 0;
	}
	return -EINVAL;
}

/* This host's name (HASHGATE_HOSTNAME overrides it), version and pid. */
void hg_fmt_ctx_init(struct hg_fmt_ctx *ctx, char *host, size_t host_size)
{
	const char *env = getenv("HASHGATE_HOSTNAME");

	if (env && *env)
		snprintf(host, host_size, "%s", env);
	else if (gethostname(host, host_size - 1))
		snprintf(host, host_size, "-");
	host[host_size - 1] = '\0';
	ctx->hostname = host;
	ctx->version = HASHGATE_VERSION;
	ctx->procid = (unsigned int)getpid();
}

void hg_event_format(FILE *f, enum hg_format fmt, const struct hg_event *ev,
		     const char *strings, const struct hg_fmt_ctx *ctx)
{
	switch (fmt) {
	case HG_FMT_TEXT:
		hg_fmt_text(f, ev, strings);
		break;
	case HG_FMT_JSON:
		hg_fmt_ecs(f, ev, strings, ctx);
		break;
	case HG_FMT_CEF:
		hg_fmt_cef(f, ev, strings, ctx);
		break;
	case HG_FMT_LEEF:
		hg_fmt_leef(f, ev, strings, ctx);
		break;
	case HG_FMT_SYSLOG:
		hg_fmt_syslog(f, ev, strings, ctx);
		break;
	}
}

static void print_time(FILE *f, uint64_t ns)
{
	char buf[40];

	hg_fmt_time(buf, sizeof(buf), ns, 3);
	fputs(buf, f);
}

static void print_dev(FILE *f, uint32_t dev)
{
	char buf[24];

	hg_fmt_dev(buf, sizeof(buf), dev);
	fputs(buf, f);
}

static void print_who(FILE *f, const struct hg_event *ev)
{
	fprintf(f, " pid=%u ppid=%u uid=%u auid=", ev->pid, ev->ppid, ev->uid);
	if (ev->auid == UINT32_MAX)
		fputs("unset", f);
	else
		fprintf(f, "%u", ev->auid);
	fputs(" comm=", f);
	hg_escape_text(f, ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
}

/* One line per record, keys in a fixed order; see EVENTS in hashgate.8. */
void hg_fmt_text(FILE *f, const struct hg_event *ev, const char *strings)
{
	char hex[2 * HG_DIGEST_SIZE + 1] = "?";

	print_time(f, ev->time_ns);
	fprintf(f, " seq=%llu", U(ev->seq));
	switch (ev->type) {
	case HG_EVENT_EXEC:
		fprintf(f, " %s %s %s reason=%s", NAME(decision_names, ev->decision),
			NAME(mode_names, ev->mode), NAME(hook_names, ev->hook),
			NAME(reason_names, ev->reason));
		print_who(f, ev);
		fputs(" exe=", f);
		hg_escape_text(f, strings, ev->exe_len);
		fputs(" path=", f);
		hg_escape_text(f, strings + ev->exe_len, ev->path_len);
		fputs(" dev=", f);
		print_dev(f, ev->dev);
		if (ev->flags & HG_EVENT_F_DIGEST)
			hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(f, " ino=%llu sha256=%s serial=%llu", U(ev->ino), hex,
			U(ev->list_serial));
		break;
	case HG_EVENT_LIST_LOAD:
	case HG_EVENT_LIST_REJECT:
		fputs(ev->type == HG_EVENT_LIST_LOAD ? " list_load" : " list_reject", f);
		if (ev->type == HG_EVENT_LIST_REJECT)
			fprintf(f, " reason=%s", NAME(reason_names, ev->reason));
		fprintf(f, " serial=%llu", U(ev->list_serial));
		if (ev->flags & HG_EVENT_F_DIGEST) {
			hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
			fprintf(f, " sha256=%s", hex);
		}
		if (hg_event_signed(ev)) {
			fputs(" signer=", f);
			hg_escape_text(f, strings + ev->exe_len, ev->path_len);
		}
		print_who(f, ev);
		break;
	case HG_EVENT_KEY_ADD:
		fputs(" key_add key=", f);
		hg_escape_text(f, strings + ev->exe_len, ev->path_len);
		fprintf(f, " serial=%llu", U(ev->list_serial));
		print_who(f, ev);
		break;
	case HG_EVENT_MODE:
		fprintf(f, " mode mode=%s locked=%d serial=%llu",
			NAME(mode_names, ev->mode),
			!!(ev->flags & HG_EVENT_F_LOCKED), U(ev->list_serial));
		print_who(f, ev);
		break;
	default:
		fprintf(f, " type=%u", ev->type);
		break;
	}
	if (*hg_path_flags(ev))
		fprintf(f, " path_flags=%s", hg_path_flags(ev));
	if (ev->dropped_before)
		fprintf(f, " dropped_before=%llu", U(ev->dropped_before));
	fputc('\n', f);
}
