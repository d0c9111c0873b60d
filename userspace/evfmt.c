// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding and printing of struct hg_event records. Only this file knows the
 * output formats of 'hashgate events'; both are documented in hashgate.8.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "evfmt.h"
#include "util.h"

/* __u64 is unsigned long long in the uapi types, not uint64_t. */
#define U(x) ((unsigned long long)(x))

#define NAME(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "?")

static const char *const type_names[] = {
	[HG_EVENT_NONE] = "none", [HG_EVENT_EXEC] = "exec",
	[HG_EVENT_LIST_LOAD] = "list_load", [HG_EVENT_MODE] = "mode",
};
static const char *const mode_names[] = {
	[HG_MODE_OFF] = "off", [HG_MODE_AUDIT] = "audit", [HG_MODE_ENFORCE] = "enforce",
};
static const char *const hook_names[] = {
	[HG_HOOK_NONE] = "none", [HG_HOOK_BPRM_CHECK] = "bprm_check",
	[HG_HOOK_EXEC_OPEN] = "exec_open", [HG_HOOK_MMAP] = "mmap",
	[HG_HOOK_MPROTECT] = "mprotect",
};
static const char *const decision_names[] = {
	[HG_DECISION_ALLOW] = "allow", [HG_DECISION_DENY] = "deny",
	[HG_DECISION_WOULD_DENY] = "would-deny",
};
static const char *const reason_names[] = {
	[HG_REASON_NONE] = "none", [HG_REASON_NOT_IN_ALLOWLIST] = "not-in-allowlist",
	[HG_REASON_HASH_MISMATCH] = "hash-mismatch",
	[HG_REASON_UNREADABLE] = "unreadable",
	[HG_REASON_NO_ALLOWLIST] = "no-allowlist", [HG_REASON_UNVERIFIED] = "unverified",
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

static void print_time(FILE *f, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000);
	char buf[32];
	struct tm tm;

	if (!gmtime_r(&sec, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm))
		strcpy(buf, "?");
	fprintf(f, "%s.%03uZ", buf, (unsigned int)(ns / 1000000 % 1000));
}

/* new_encode_dev(): minor bits are split around the major. */
static void print_dev(FILE *f, uint32_t dev)
{
	fprintf(f, "%u:%u", (dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

static void print_json(FILE *f, const struct hg_event *ev, const char *strings)
{
	char hex[2 * HG_DIGEST_SIZE + 1];

	fputs("{\"time\":\"", f);
	print_time(f, ev->time_ns);
	fprintf(f, "\",\"seq\":%llu,\"type\":\"%s\",\"decision\":\"%s\","
		"\"mode\":\"%s\",\"hook\":\"%s\",\"reason\":\"%s\",\"pid\":%u,"
		"\"ppid\":%u,\"uid\":%u,\"auid\":", U(ev->seq),
		NAME(type_names, ev->type),
		NAME(decision_names, ev->decision), NAME(mode_names, ev->mode),
		NAME(hook_names, ev->hook), NAME(reason_names, ev->reason),
		ev->pid, ev->ppid, ev->uid);
	if (ev->auid == UINT32_MAX)
		fputs("null", f);
	else
		fprintf(f, "%u", ev->auid);
	fputs(",\"comm\":", f);
	hg_escape_json(f, ev->comm, strnlen(ev->comm, HG_COMM_SIZE));
	fputs(",\"exe\":", f);
	hg_escape_json(f, strings, ev->exe_len);
	fputs(",\"path\":", f);
	hg_escape_json(f, strings + ev->exe_len, ev->path_len);
	fputs(",\"dev\":\"", f);
	print_dev(f, ev->dev);
	fprintf(f, "\",\"ino\":%llu,\"sha256\":", U(ev->ino));
	if (ev->flags & HG_EVENT_F_DIGEST) {
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
		fprintf(f, "\"%s\"", hex);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"serial\":%llu,\"dropped_before\":%llu}\n",
		U(ev->list_serial), U(ev->dropped_before));
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
void hg_event_print(FILE *f, const struct hg_event *ev, const char *strings, bool json)
{
	char hex[2 * HG_DIGEST_SIZE + 1] = "?";

	if (json) {
		print_json(f, ev, strings);
		return;
	}
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
		fprintf(f, " list_load serial=%llu", U(ev->list_serial));
		if (ev->flags & HG_EVENT_F_DIGEST) {
			hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
			fprintf(f, " sha256=%s", hex);
		}
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
	if (ev->dropped_before)
		fprintf(f, " dropped_before=%llu", U(ev->dropped_before));
	fputc('\n', f);
}
