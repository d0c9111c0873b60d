// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of struct hg_event records, the names of their enumerations, what
 * a record is about and how serious it is (the same for every format), the
 * formats' settings, the size limit, and the text format of 'hashgate
 * events'. The SIEM formats live in fmt_*.c; all are documented under
 * EVENTS in hashgate.8 and in Documentation/events.rst.
 */
#include <errno.h>
#include <pwd.h>
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

/* The names are uapi/hashgate.h's, shared with the module. */
static const char *const type_names[] = { HG_EVENT_NAMES };
static const char *const mode_names[] = { HG_MODE_NAMES };
static const char *const hook_names[] = { HG_HOOK_NAMES };
static const char *const decision_names[] = { HG_DECISION_NAMES };
static const char *const reason_names[] = { HG_REASON_NAMES };
#define COMPLETE(table, max) \
	_Static_assert(sizeof(table) / sizeof(table[0]) == (max), #table " names every value")
COMPLETE(type_names, __HG_EVENT_MAX);
COMPLETE(mode_names, __HG_MODE_MAX);
COMPLETE(hook_names, __HG_HOOK_MAX);
COMPLETE(decision_names, __HG_DECISION_MAX);
COMPLETE(reason_names, __HG_REASON_MAX);

/*
 * Where a runtime record's struct hg_event_page starts: after the exe and
 * path text, at the next multiple of 8 from the record's start.
 */
static size_t page_off(const struct hg_event *ev)
{
	return (sizeof(*ev) + ev->exe_len + ev->path_len + 7) & ~(size_t)7;
}

/* A runtime record says it has a page, and its size leaves room for it. */
static bool page_fits(const struct hg_event *ev)
{
	return page_off(ev) + sizeof(struct hg_event_page) <= ev->size;
}

static bool has_page(const struct hg_event *ev)
{
	return ev->type == HG_EVENT_RUNTIME && (ev->flags & HG_EVENT_F_PAGE);
}

/*
 * Validate the record at @buf, of which @avail bytes are present, and copy
 * its fixed part to @ev (the buffer need not be aligned). Return its size,
 * 0 when it is incomplete, -EINVAL when it cannot be a record: among
 * others, a runtime record whose page would not fit in its size.
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
	    (size_t)ev->exe_len + ev->path_len > ev->size - sizeof(*ev) ||
	    (has_page(ev) && !page_fits(ev)))
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

/* Setting, load and heartbeat records carry "key=value ..." as their path. */
bool hg_event_has_kv(const struct hg_event *ev)
{
	return ev->type == HG_EVENT_SETTING || ev->type == HG_EVENT_LOAD ||
	       ev->type == HG_EVENT_HEARTBEAT;
}

/* The group a setting, load or heartbeat record's words go under. */
const char *hg_kv_group(const struct hg_event *ev)
{
	return ev->type == HG_EVENT_SETTING ? "setting" :
	       ev->type == HG_EVENT_LOAD ? "load" : "stats";
}

/*
 * A heartbeat comes from no task: no pid, user or command to show; nor
 * does a runtime record with pid 0, a page-cache page no process owns.
 */
bool hg_event_has_task(const struct hg_event *ev)
{
	return ev->type != HG_EVENT_HEARTBEAT && !(ev->type == HG_EVENT_RUNTIME && !ev->pid);
}

/*
 * A page digest the module knows: all zero stands for "not known" (no
 * expected digest, or no page read: a process left unexamined).
 */
bool hg_page_digest_known(const uint8_t *digest)
{
	size_t i;

	for (i = 0; i < HG_PAGE_DIGEST_SIZE; i++)
		if (digest[i])
			return true;
	return false;
}

/*
 * The next "key=value" word between *@p and @end, skipping any whose key is
 * not [a-z0-9_]{1,32}: keys become field names in every format.
 */
bool hg_kv_next(const char **p, const char *end, struct hg_kv *kv)
{
	const char *s = *p, *sp, *eq;

	for (;;) {
		while (s < end && *s == ' ')
			s++;
		if (s >= end)
			return false;
		sp = memchr(s, ' ', (size_t)(end - s));
		if (!sp)
			sp = end;
		eq = memchr(s, '=', (size_t)(sp - s));
		*p = sp;
		if (eq && eq > s && eq - s <= 32 &&
		    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") >= (size_t)(eq - s)) {
			kv->key = s;
			kv->key_len = (size_t)(eq - s);
			kv->val = eq + 1;
			kv->val_len = (size_t)(sp - eq - 1);
			return true;
		}
		s = sp;
	}
}

/* A value that is a number: decimal digits that fit a signed 64-bit long. */
bool hg_kv_number(const struct hg_kv *kv)
{
	size_t i;

	if (!kv->val_len || kv->val_len > 18)
		return false;
	for (i = 0; i < kv->val_len; i++)
		if (kv->val[i] < '0' || kv->val[i] > '9')
			return false;
	return true;
}

/* Memory that follows anon_exec: no file's verified content. */
static bool anon_reason(const struct hg_event *ev)
{
	return ev->reason == HG_REASON_ANON_EXEC || ev->reason == HG_REASON_MEMFD;
}

/*
 * The hook says what was attempted: a write path (open for write, truncate,
 * shared writable mmap) changes a file; the anon_exec hooks, and mmap or
 * mprotect of memory no file vouches for, make memory executable.
 */
enum hg_subject hg_exec_subject(const struct hg_event *ev)
{
	if (ev->type != HG_EVENT_EXEC)
		return HG_SUBJ_NONE;
	switch (ev->hook) {
	case HG_HOOK_BPRM_CHECK:
		return HG_SUBJ_PROGRAM;
	case HG_HOOK_EXEC_OPEN:
		return HG_SUBJ_MAPPING;
	case HG_HOOK_MMAP:
	case HG_HOOK_MPROTECT:
		return anon_reason(ev) ? HG_SUBJ_MEMORY : HG_SUBJ_MAPPING;
	case HG_HOOK_WRITE_OPEN:
	case HG_HOOK_TRUNCATE:
	case HG_HOOK_WRITE_MAP:
		return HG_SUBJ_WRITE;
	case HG_HOOK_FORCED_WRITE:
	case HG_HOOK_UFFD_FILL:
	case HG_HOOK_PERSONALITY:
	case HG_HOOK_EXEC_STACK:
		return HG_SUBJ_MEMORY;
	default:
		return HG_SUBJ_UNKNOWN;
	}
}

/* A finding of the scan: reported, or its processes killed; nothing else. */
static enum hg_level runtime_level(const struct hg_event *ev)
{
	switch (ev->decision) {
	case HG_DECISION_REPORTED:
		return HG_LVL_FINDING;
	case HG_DECISION_KILLED:
		return HG_LVL_KILLED;
	default:
		return HG_LVL_UNKNOWN;
	}
}

static enum hg_level exec_level(const struct hg_event *ev)
{
	switch (ev->decision) {
	case HG_DECISION_DENY:
		return HG_LVL_DENY;
	case HG_DECISION_WOULD_DENY:
		return HG_LVL_WOULD_DENY;
	case HG_DECISION_ALLOW:
		return HG_LVL_ALLOW;
	default:
		return HG_LVL_UNKNOWN;
	}
}

/* Unknown is never allowed: a newer module may mean anything by it. */
enum hg_level hg_event_level(const struct hg_event *ev)
{
	switch (ev->type) {
	case HG_EVENT_EXEC:
		return exec_level(ev);
	case HG_EVENT_RUNTIME:
		return runtime_level(ev);
	case HG_EVENT_LIST_LOAD:
	case HG_EVENT_MODE:
	case HG_EVENT_SETTING:
	case HG_EVENT_LOAD:
		return HG_LVL_CHANGE;
	case HG_EVENT_HEARTBEAT:
		return HG_LVL_STATUS;
	case HG_EVENT_LIST_REJECT:
		return HG_LVL_REJECT;
	case HG_EVENT_KEY_ADD:
		return HG_LVL_KEY;
	default:
		return HG_LVL_UNKNOWN;
	}
}

/*
 * "success", "failure" or "unknown", as ECS's event.outcome and CEF's
 * outcome: what was attempted failed when it was denied, or when the
 * processes running a finding's code were killed.
 */
const char *hg_outcome(enum hg_level level)
{
	if (level == HG_LVL_DENY || level == HG_LVL_REJECT || level == HG_LVL_KILLED)
		return "failure";
	return level == HG_LVL_UNKNOWN ? "unknown" : "success";
}

/*
 * An exec record's decision as a word for identifiers: deny, would-deny,
 * allow, or unknown (also for a runtime record's decisions).
 */
const char *hg_decision_token(const struct hg_event *ev)
{
	switch (exec_level(ev)) {
	case HG_LVL_DENY:
	case HG_LVL_WOULD_DENY:
	case HG_LVL_ALLOW:
		return decision_names[ev->decision];
	default:
		return "unknown";
	}
}

/* The decision in a sentence: "Execution denied", "... would be denied". */
const char *hg_verdict_phrase(const struct hg_event *ev)
{
	switch (exec_level(ev)) {
	case HG_LVL_DENY:
		return "denied";
	case HG_LVL_WOULD_DENY:
		return "would be denied";
	case HG_LVL_ALLOW:
		return "allowed";
	default:
		return "with unknown decision";
	}
}

/* A runtime record's decision as a word: reported, killed, unknown. */
const char *hg_runtime_token(const struct hg_event *ev)
{
	return runtime_level(ev) == HG_LVL_UNKNOWN ? "unknown" : decision_names[ev->decision];
}

/* ... and after "Resident code finding": " reported", ", processes killed". */
const char *hg_runtime_phrase(const struct hg_event *ev)
{
	switch (runtime_level(ev)) {
	case HG_LVL_FINDING:
		return " reported";
	case HG_LVL_KILLED:
		return ", processes killed";
	default:
		return " with unknown decision";
	}
}

/* Prefix of CEF's class, LEEF's event id and syslog's MSGID. */
const char *hg_subject_class(enum hg_subject s)
{
	static const char *const classes[] = {
		[HG_SUBJ_NONE] = "", [HG_SUBJ_PROGRAM] = "exec",
		[HG_SUBJ_MAPPING] = "exec", [HG_SUBJ_WRITE] = "write",
		[HG_SUBJ_MEMORY] = "memory", [HG_SUBJ_UNKNOWN] = "access",
	};

	return classes[s];
}

/* What was attempted, for a name or a message: "File write". */
const char *hg_subject_name(enum hg_subject s)
{
	static const char *const names[] = {
		[HG_SUBJ_NONE] = "", [HG_SUBJ_PROGRAM] = "Execution",
		[HG_SUBJ_MAPPING] = "Executable mapping", [HG_SUBJ_WRITE] = "File write",
		[HG_SUBJ_MEMORY] = "Executable memory", [HG_SUBJ_UNKNOWN] = "Access",
	};

	return names[s];
}

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

/*
 * This host's name (HASHGATE_HOSTNAME overrides it), version and pid, and
 * user names from its user database, or from the passwd(5) file that
 * HASHGATE_PASSWD names (for a recording replayed on another host, and for
 * tests). Every other setting has its default.
 */
void hg_fmt_ctx_init(struct hg_fmt_ctx *ctx, char *host, size_t host_size)
{
	const char *env = getenv("HASHGATE_HOSTNAME");
	char *passwd = getenv("HASHGATE_PASSWD");

	*ctx = (struct hg_fmt_ctx){ .user_name = hg_user_name_passwd };
	if (env && *env)
		snprintf(host, host_size, "%s", env);
	else if (gethostname(host, host_size - 1))
		snprintf(host, host_size, "-");
	host[host_size - 1] = '\0';
	ctx->hostname = host;
	ctx->version = HASHGATE_VERSION;
	ctx->procid = (unsigned int)getpid();
	ctx->user_name_arg = passwd && *passwd ? passwd : NULL;
}

/*
 * RFC 5424's enterpriseId, 1*10DIGIT *("." 1*10DIGIT) ("32473", "32473.1"),
 * short enough that "hashgate@" and it make an SD-NAME.
 */
static bool valid_pen(const char *pen)
{
	size_t len, total = strlen(pen);

	if (total > HG_SYSLOG_PEN_MAX)
		return false;
	for (;;) {
		len = strspn(pen, "0123456789");
		if (!len || len > 10)
			return false;
		pen += len;
		if (!*pen)
			return true;
		if (*pen++ != '.')
			return false;
	}
}

/* The enterprise number of the syslog SD-ID; -EINVAL if it cannot be one. */
int hg_fmt_set_enterprise_number(struct hg_fmt_ctx *ctx, const char *pen)
{
	if (!valid_pen(pen))
		return -EINVAL;
	snprintf(ctx->enterprise_number, sizeof(ctx->enterprise_number), "%s", pen);
	return 0;
}

/*
 * Default record limits, newline excluded, sized for receivers' defaults:
 * rsyslog takes 8 KiB messages (maxMessageSize), QRadar 4096-byte syslog
 * payloads. CEF and LEEF travel in syslog, so theirs leave 512 bytes for the
 * RFC 5424 header that 'events --forward' puts before them. Text and JSON
 * keep every byte: the text is for people, and JSON is where the whole path
 * stays available.
 */
static const size_t default_max_record[HG_FMT_COUNT] = {
	[HG_FMT_TEXT] = SIZE_MAX, [HG_FMT_JSON] = SIZE_MAX,
	[HG_FMT_CEF] = 8192 - 512, [HG_FMT_LEEF] = 4096 - 512,
	[HG_FMT_SYSLOG] = 8192,
};

/*
 * Limit @fmt's records to @bytes, newline excluded; 0 for no limit. -EINVAL
 * outside HG_MAX_RECORD_MIN..HG_MAX_RECORD_MAX, and for text, which has none.
 */
int hg_fmt_set_max_record(struct hg_fmt_ctx *ctx, enum hg_format fmt, size_t bytes)
{
	if ((unsigned int)fmt >= HG_FMT_COUNT || (fmt == HG_FMT_TEXT && bytes) ||
	    (bytes && (bytes < HG_MAX_RECORD_MIN || bytes > HG_MAX_RECORD_MAX)))
		return -EINVAL;
	ctx->max_record[fmt] = bytes ? bytes : SIZE_MAX;
	return 0;
}

/* The limit in force for @fmt: the one set, or the default. */
size_t hg_fmt_max_record(const struct hg_fmt_ctx *ctx, enum hg_format fmt)
{
	if ((unsigned int)fmt >= HG_FMT_COUNT)
		return SIZE_MAX;
	return ctx->max_record[fmt] ? ctx->max_record[fmt] : default_max_record[fmt];
}

static int copy_name(const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);

	if (!len)
		return -ENOENT;
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, name, len + 1);
	return 0;
}

/* getpwuid_r(), with a buffer as large as the entry needs (up to 1 MiB). */
static int name_from_nss(uint32_t uid, char *buf, size_t size)
{
	struct passwd pw, *found = NULL;
	size_t cap = 1024;
	char *tmp = NULL, *bigger;
	int err = ENOMEM, ret;

	while ((bigger = realloc(tmp, cap))) {
		tmp = bigger;
		err = getpwuid_r(uid, &pw, tmp, cap, &found);
		if (err != ERANGE || cap >= (1U << 20))
			break;
		cap *= 2;
	}
	ret = !err && found ? copy_name(found->pw_name, buf, size) : -ENOENT;
	free(tmp);
	return ret;
}

static int name_from_file(const char *file, uint32_t uid, char *buf, size_t size)
{
	struct passwd pw, *found;
	char line[1024];
	int ret = -ENOENT;
	FILE *f = fopen(file, "re");

	if (!f)
		return -ENOENT;
	while (!fgetpwent_r(f, &pw, line, sizeof(line), &found)) {
		if (pw.pw_uid == uid) {
			ret = copy_name(pw.pw_name, buf, size);
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * hg_user_name_fn for the system's user database (getpwuid_r(), so NSS:
 * LDAP, sssd...), or for @file, a passwd(5) file, when not NULL.
 */
int hg_user_name_passwd(void *file, uint32_t uid, char *buf, size_t size)
{
	return file ? name_from_file(file, uid, buf, size) : name_from_nss(uid, buf, size);
}

/*
 * An untrusted value in @style, at most @limit bytes (a format's own limit
 * for this field, SIZE_MAX: none) and at most the rendering's cap; a value
 * cut short ends with HG_CUT_MARK.
 */
void hg_put(struct hg_rec *r, const void *s, size_t len, enum hg_esc style,
	    size_t limit)
{
	size_t n, cap = r->cap < limit ? r->cap : limit;
	bool cut;

	n = hg_escape_cut(r->f, s, len, style, cap, &cut);
	r->cut |= cut;
	if (n > r->longest)
		r->longest = n;
	r->values += n;
	if (r->nvalues < HG_REC_VALUES)
		r->lens[r->nvalues] = n;
	r->nvalues++;
}

typedef void fmt_fn(struct hg_rec *r);
static fmt_fn fmt_text;

static fmt_fn *const formatters[HG_FMT_COUNT] = {
	[HG_FMT_TEXT] = fmt_text, [HG_FMT_JSON] = hg_fmt_ecs,
	[HG_FMT_CEF] = hg_fmt_cef, [HG_FMT_LEEF] = hg_fmt_leef,
	[HG_FMT_SYSLOG] = hg_fmt_syslog,
};

static void rec_init(struct hg_rec *r, enum hg_format fmt, const struct hg_event *ev,
		     const char *strings, const struct hg_fmt_ctx *ctx)
{
	memset(r, 0, sizeof(*r));
	r->ev = ev;
	r->exe = strings;
	r->path = strings + ev->exe_len;
	r->ctx = ctx;
	r->subject = hg_exec_subject(ev);
	r->level = hg_event_level(ev);
	r->cap = SIZE_MAX;
	if (has_page(ev) && page_fits(ev)) {
		memcpy(&r->page, strings - sizeof(*ev) + page_off(ev),
		       sizeof(r->page));
		r->has_page = true;
	}
	/* The text format, for people on this host, has no names. */
	if (fmt != HG_FMT_TEXT && ctx->user_name &&
	    !ctx->user_name(ctx->user_name_arg, ev->uid, r->user_buf, sizeof(r->user_buf)))
		r->user = r->user_buf;
}

/*
 * Write @r into @m, from its start, with every value capped at @cap bytes;
 * return the record's length, newline excluded. @flagged: the record says
 * it was cut (decided before writing, since the flag comes before some
 * values in some formats).
 */
static size_t render(fmt_fn *fn, struct hg_rec *r, FILE *m, size_t cap, bool flagged)
{
	long end;

	r->cap = cap;
	r->truncated = flagged;
	r->cut = false;
	r->longest = 0;
	r->values = 0;
	r->nvalues = 0;
	rewind(m);
	fn(r);
	end = fflush(m) ? -1 : ftell(m);
	return end > 0 ? (size_t)end - 1 : 0;
}

/* The largest cap under which values of @lens bytes take at most @budget. */
static size_t water_level(const size_t *lens, size_t n, size_t budget)
{
	size_t lo = 0, hi = 0, mid, i, sum;

	for (i = 0; i < n; i++)
		hi = lens[i] > hi ? lens[i] : hi;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		for (i = 0, sum = 0; i < n; i++)
			sum += lens[i] < mid ? lens[i] : mid;
		if (sum <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * @r, just written whole and flagged in @len bytes, in at most @max: every
 * value gets the same cap, the largest that makes it fit, so that short
 * values stay whole and long ones (paths) share what is left. A record is
 * its fixed text and its values, and under a cap a value takes at most the
 * cap and at most its length uncapped, so the cap follows from the values'
 * lengths. It is checked all the same, and searched for below if it missed:
 * that takes more values than lens[] counts, or a cap shorter than
 * HG_CUT_MARK, which the formats and HG_MAX_RECORD_MIN rule out today.
 * Below the longest value's length that value is cut, so the flag is right.
 * A record whose fixed part alone is longer is written with every value at
 * its shortest.
 */
static size_t fit(fmt_fn *fn, struct hg_rec *r, FILE *m, size_t len, size_t max)
{
	size_t fixed = len - r->values, lo = 0, hi, mid;

	hi = r->nvalues > HG_REC_VALUES || fixed >= max ? 0 :
	     water_level(r->lens, r->nvalues, max - fixed);
	if (hi >= r->longest)
		hi = r->longest - 1;
	len = render(fn, r, m, hi, true);
	if (len <= max || !hi)
		return len;
	hi--;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (render(fn, r, m, mid, true) <= max)
			lo = mid;
		else
			hi = mid - 1;
	}
	return render(fn, r, m, lo, true);
}

/* The record in at most @max bytes, cut if it must be (see fit()). */
static void format_capped(FILE *f, fmt_fn *fn, struct hg_rec *r, size_t max)
{
	char *buf = NULL;
	size_t size = 0, len;
	FILE *m = open_memstream(&buf, &size);

	if (!m) {	/* no memory to measure in: whole rather than nothing */
		r->f = f;
		fn(r);
		return;
	}
	r->f = m;
	len = render(fn, r, m, SIZE_MAX, false);
	/* Cut by a format's own limit on a field, or to be: say so. */
	if (r->cut || (len > max && r->longest)) {
		len = render(fn, r, m, SIZE_MAX, true);
		if (len > max)
			len = fit(fn, r, m, len, max);
	}
	if (buf && len < size)
		fwrite(buf, 1, len + 1, f);
	fclose(m);
	free(buf);
}

void hg_event_format(FILE *f, enum hg_format fmt, const struct hg_event *ev,
		     const char *strings, const struct hg_fmt_ctx *ctx)
{
	struct hg_rec r;

	if ((unsigned int)fmt >= HG_FMT_COUNT)
		return;
	rec_init(&r, fmt, ev, strings, ctx);
	if (fmt == HG_FMT_TEXT) {
		r.f = f;
		fmt_text(&r);
		return;
	}
	format_capped(f, formatters[fmt], &r, hg_fmt_max_record(ctx, fmt));
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

/*
 * A runtime record's page as the words of the scan's report, "offset=N
 * [address=0xX] count=N [expected=HEX] [actual=HEX]", what it has of them,
 * in @buf of HG_PAGE_WORDS_MAX bytes (text, and CEF's msg).
 */
void hg_page_words(const struct hg_event_page *pg, char *buf)
{
	char hex[2 * HG_PAGE_DIGEST_SIZE + 1];
	size_t n;

	n = (size_t)snprintf(buf, HG_PAGE_WORDS_MAX, "offset=%llu", U(pg->offset));
	if (pg->address)
		n += (size_t)snprintf(buf + n, HG_PAGE_WORDS_MAX - n, " address=0x%llx",
				      U(pg->address));
	n += (size_t)snprintf(buf + n, HG_PAGE_WORDS_MAX - n, " count=%u", pg->count);
	if (hg_page_digest_known(pg->expected)) {
		hg_hex(hex, pg->expected, HG_PAGE_DIGEST_SIZE);
		n += (size_t)snprintf(buf + n, HG_PAGE_WORDS_MAX - n, " expected=%s", hex);
	}
	if (hg_page_digest_known(pg->actual)) {
		hg_hex(hex, pg->actual, HG_PAGE_DIGEST_SIZE);
		snprintf(buf + n, HG_PAGE_WORDS_MAX - n, " actual=%s", hex);
	}
}

static void print_page(FILE *f, const struct hg_rec *r)
{
	char words[HG_PAGE_WORDS_MAX];

	if (!r->has_page)
		return;
	hg_page_words(&r->page, words);
	fprintf(f, " %s", words);
}

/* A finding of the scan of resident code: who, the file, the page. */
static void print_runtime(FILE *f, const struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	char hex[2 * HG_DIGEST_SIZE + 1] = "?";

	fprintf(f, " runtime %s reason=%s mode=%s", NAME(decision_names, ev->decision),
		NAME(reason_names, ev->reason), NAME(mode_names, ev->mode));
	if (hg_event_has_task(ev)) {
		print_who(f, ev);
		fputs(" exe=", f);
		hg_escape_text(f, r->exe, ev->exe_len);
	}
	fputs(" path=", f);
	hg_escape_text(f, r->path, ev->path_len);
	fputs(" dev=", f);
	print_dev(f, ev->dev);
	if (ev->flags & HG_EVENT_F_DIGEST)
		hg_hex(hex, ev->digest, HG_DIGEST_SIZE);
	fprintf(f, " ino=%llu sha256=%s serial=%llu", U(ev->ino), hex, U(ev->list_serial));
	print_page(f, r);
}

/* One line per record, keys in a fixed order; see EVENTS in hashgate.8. */
static void fmt_text(struct hg_rec *r)
{
	const struct hg_event *ev = r->ev;
	const char *strings = r->exe;
	char hex[2 * HG_DIGEST_SIZE + 1] = "?";
	FILE *f = r->f;

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
	case HG_EVENT_SETTING:
	case HG_EVENT_LOAD:
	case HG_EVENT_HEARTBEAT:
		fprintf(f, " %s mode=%s", NAME(type_names, ev->type), NAME(mode_names, ev->mode));
		if (ev->type == HG_EVENT_HEARTBEAT)
			fprintf(f, " locked=%d", !!(ev->flags & HG_EVENT_F_LOCKED));
		fprintf(f, " serial=%llu ", U(ev->list_serial));
		hg_escape_text(f, strings + ev->exe_len, ev->path_len);
		if (hg_event_has_task(ev))
			print_who(f, ev);
		break;
	case HG_EVENT_RUNTIME:
		print_runtime(f, r);
		break;
	default:
		fprintf(f, " type=%u", ev->type);
		break;
	}
	if (*hg_path_flags(ev))
		fprintf(f, " path_flags=%s", hg_path_flags(ev));
	if (ev->load_id)
		fprintf(f, " load_id=%u", ev->load_id);
	if (ev->dropped_before)
		fprintf(f, " dropped_before=%llu", U(ev->dropped_before));
	fputc('\n', f);
}
