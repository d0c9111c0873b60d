// SPDX-License-Identifier: GPL-2.0
/*
 * Event records as 'hashgate events' prints them: a hostile file name must
 * never break a line or the JSON, and broken records must be refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evfmt.h"
#include "kselftest_harness.h"

#define LONG_LEN	4096

/* @ev with @exe and @path after it, as the module lays a record out. */
static size_t make_record(uint8_t *buf, struct hg_event ev, const char *exe,
			  size_t exe_len, const char *path, size_t path_len)
{
	ev.version = HG_EVENT_VERSION;
	ev.exe_len = (uint16_t)exe_len;
	ev.path_len = (uint16_t)path_len;
	ev.size = (uint32_t)((sizeof(ev) + exe_len + path_len + 7) & ~(size_t)7);
	memset(buf, 0, ev.size);
	memcpy(buf, &ev, sizeof(ev));
	memcpy(buf + sizeof(ev), exe, exe_len);
	memcpy(buf + sizeof(ev) + exe_len, path, path_len);
	return ev.size;
}

static size_t make_event(uint8_t *buf, const char *exe, size_t exe_len,
			 const char *path, size_t path_len)
{
	struct hg_event ev = {
		.version = HG_EVENT_VERSION, .type = HG_EVENT_EXEC,
		.flags = HG_EVENT_F_DIGEST, .seq = 17, .dropped_before = 3,
		.time_ns = 1795822862123456789ull, .list_serial = 5, .ino = 1234,
		.dev = 22, .pid = 123, .ppid = 1, .uid = 0, .auid = UINT32_MAX,
		.hook = HG_HOOK_BPRM_CHECK, .mode = HG_MODE_ENFORCE,
		.decision = HG_DECISION_DENY, .reason = HG_REASON_NOT_IN_ALLOWLIST,
		.comm = "s\"h\n", .exe_len = (uint16_t)exe_len,
		.path_len = (uint16_t)path_len,
	};

	memset(ev.digest, 0xab, sizeof(ev.digest));
	return make_record(buf, ev, exe, exe_len, path, path_len);
}

static const struct hg_fmt_ctx ctx = {
	.hostname = "host-01", .version = "0.1.0", .procid = 77,
};

/* Format @buf's one record with @c; returns a malloc()ed string. */
static char *format_with(const uint8_t *buf, size_t size, enum hg_format fmt,
			 const struct hg_fmt_ctx *c)
{
	struct hg_event ev;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (hg_event_check(buf, size, &ev) != (long)size)
		return NULL;
	f = open_memstream(&out, &len);
	hg_event_format(f, fmt, &ev, (const char *)buf + sizeof(ev), c);
	fclose(f);
	return out;
}

static char *format_as(const uint8_t *buf, size_t size, enum hg_format fmt)
{
	return format_with(buf, size, fmt, &ctx);
}

static char *format(const uint8_t *buf, size_t size, bool json)
{
	return format_as(buf, size, json ? HG_FMT_JSON : HG_FMT_TEXT);
}

static const char hostile[] = "/tmp/a\nb\"c\\d\xff" "e\xc3\xa9";

TEST(text_line)
{
	_Alignas(8) uint8_t buf[1024];
	size_t size = make_event(buf, "/bin/busybox", 12, "/tmp/x", 6);
	char *s = format(buf, size, false);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("2026-11-27T23:41:02.123Z seq=17 deny enforce bprm_check "
		     "reason=not-in-allowlist pid=123 ppid=1 uid=0 auid=unset "
		     "comm=\"s\\\"h\\x0a\" exe=\"/bin/busybox\" path=\"/tmp/x\" dev=0:22 "
		     "ino=1234 sha256=abababababababababababababababababababababababab"
		     "abababababababab serial=5 dropped_before=3\n", s);
	free(s);
}

TEST(hostile_path_text)
{
	_Alignas(8) uint8_t buf[1024];
	size_t size = make_event(buf, hostile, sizeof(hostile) - 1, hostile,
				 sizeof(hostile) - 1);
	char *s = format(buf, size, false);

	ASSERT_NE(NULL, s);
	EXPECT_EQ(strlen(s) - 1, (size_t)(strchr(s, '\n') - s));
	EXPECT_NE(NULL, strstr(s, "path=\"/tmp/a\\x0ab\\\"c\\\\d\\xffe\\xc3\\xa9\""))
		TH_LOG("%s", s);
	free(s);
}

TEST(hostile_path_json)
{
	_Alignas(8) uint8_t buf[1024];
	size_t size = make_event(buf, hostile, sizeof(hostile) - 1, hostile,
				 sizeof(hostile) - 1);
	char *s = format(buf, size, true);

	ASSERT_NE(NULL, s);
	EXPECT_EQ(strlen(s) - 1, (size_t)(strchr(s, '\n') - s));
	/* Valid UTF-8 (é) passes through; the stray 0xff becomes \u00ff. */
	EXPECT_NE(NULL, strstr(s, "\"file\":{\"path\":\"/tmp/a\\nb\\\"c\\\\d\\u00ffe\xc3\xa9\""))
		TH_LOG("%s", s);
	EXPECT_NE(NULL, strstr(s, "\"name\":\"s\\\"h\\n\",\"parent\":{\"pid\":1}},"
			       "\"user\":{\"id\":\"0\"},"));
	EXPECT_NE(NULL, strstr(s, "\"dropped_before\":3,\"path_escaped\":true}}\n"));
	free(s);
}

TEST(long_path)
{
	uint8_t *buf = malloc(sizeof(struct hg_event) + 2 * LONG_LEN + 8);
	char *path = malloc(LONG_LEN);
	size_t size, i;
	char *s;

	for (i = 0; i < LONG_LEN; i++)
		path[i] = "/\n\"\\\x01\x80x"[i % 7];
	size = make_event(buf, path, LONG_LEN, path, LONG_LEN);
	for (i = HG_FMT_TEXT; i <= HG_FMT_SYSLOG; i++) {
		s = format_as(buf, size, (enum hg_format)i);
		ASSERT_NE(NULL, s);
		EXPECT_EQ(strlen(s) - 1, (size_t)(strchr(s, '\n') - s));
		/* Text and JSON keep it all; see default_record_limits. */
		if (i == HG_FMT_TEXT || i == HG_FMT_JSON)
			EXPECT_GT(strlen(s), 2 * LONG_LEN);
		free(s);
	}
	free(path);
	free(buf);
}

TEST(broken_records)
{
	_Alignas(8) uint8_t buf[1024];
	struct hg_event ev, *e = (struct hg_event *)buf;
	size_t size = make_event(buf, "/x", 2, "/y", 2);

	EXPECT_EQ(0, hg_event_check(buf, 2, &ev));
	EXPECT_EQ(0, hg_event_check(buf, size - 1, &ev));
	EXPECT_EQ((long)size, hg_event_check(buf, size + 100, &ev));
	e->path_len = 0xffff;
	EXPECT_EQ(-EINVAL, hg_event_check(buf, size, &ev));
	e->path_len = 2;
	e->size = 8;
	EXPECT_EQ(-EINVAL, hg_event_check(buf, size, &ev));
	e->size = (uint32_t)size;
	e->version = 9;
	EXPECT_EQ(-EINVAL, hg_event_check(buf, size, &ev));
}

TEST(list_load_and_mode)
{
	_Alignas(8) uint8_t buf[1024];
	struct hg_event *e = (struct hg_event *)buf;
	size_t size = make_event(buf, "", 0, "", 0);
	char *s;

	e->type = HG_EVENT_LIST_LOAD;
	e->dropped_before = 0;
	s = format(buf, size, false);
	/* The list's own digest identifies exactly which list went live. */
	EXPECT_NE(NULL, strstr(s, " seq=17 list_load serial=5 sha256="));
	EXPECT_NE(NULL, strstr(s, " pid=123 "));
	EXPECT_EQ(NULL, strstr(s, "dropped_before"));
	free(s);
	e->type = HG_EVENT_MODE;
	e->mode = 7;
	e->flags = HG_EVENT_F_LOCKED;
	s = format(buf, size, false);
	EXPECT_NE(NULL, strstr(s, " seq=17 mode mode=? locked=1 serial=5 pid=123 "))
		TH_LOG("%s", s);
	free(s);
}

/* Issue 16, "SIEM fidelity": what each kind of record must say. */

#define EXPECT_IN(s, needle) \
	EXPECT_NE(NULL, strstr(s, needle)) TH_LOG("no <%s> in %s", needle, s)
#define EXPECT_NOT_IN(s, needle) \
	EXPECT_EQ(NULL, strstr(s, needle)) TH_LOG("<%s> in %s", needle, s)

#define UNKNOWN_DECISION	(__HG_DECISION_MAX)
#define UNKNOWN_TYPE		(__HG_EVENT_MAX)	/* the next type a newer module may send */

/* An enforce-mode denial by @hook for @reason, by uid 1000, no digest. */
static struct hg_event exec_ev(uint8_t hook, uint8_t reason)
{
	struct hg_event ev = {
		.type = HG_EVENT_EXEC, .seq = 30, .time_ns = 1795822862123456789ull,
		.list_serial = 5, .ino = 4321, .dev = (8 << 8) | 1, .pid = 500,
		.ppid = 1, .uid = 1000, .auid = 1000, .hook = hook,
		.mode = HG_MODE_ENFORCE, .decision = HG_DECISION_DENY,
		.reason = reason, .comm = "cp",
	};

	return ev;
}

/* @ev with exe /usr/bin/cp and @path, in @fmt with the tests' context. */
static char *fmt_ev(struct hg_event ev, const char *path, enum hg_format fmt)
{
	static _Alignas(8) uint8_t buf[2 * HG_PATH_MAX + 1024];
	size_t size = make_record(buf, ev, "/usr/bin/cp", 11, path, strlen(path));

	return format_as(buf, size, fmt);
}

/* Bytes of the first line of @s, newline excluded. */
static size_t line_len(const char *s)
{
	return strcspn(s, "\n");
}

TEST(write_refused_is_a_file_change)
{
	static const uint8_t hooks[] = {
		HG_HOOK_WRITE_OPEN, HG_HOOK_TRUNCATE, HG_HOOK_WRITE_MAP,
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(hooks); i++) {
		struct hg_event ev = exec_ev(hooks[i], HG_REASON_EXEC_MAPPED);
		const char *path = "/usr/lib/libfoo.so.1";

		s = fmt_ev(ev, path, HG_FMT_JSON);
		EXPECT_IN(s, "\"category\":[\"intrusion_detection\",\"file\"],"
			  "\"type\":[\"denied\",\"change\"]");
		EXPECT_NOT_IN(s, "library");
		EXPECT_NOT_IN(s, "start");
		free(s);
		s = fmt_ev(ev, path, HG_FMT_CEF);
		EXPECT_IN(s, "|write-deny|File write denied: exec-mapped|8|");
		free(s);
		s = fmt_ev(ev, path, HG_FMT_LEEF);
		EXPECT_IN(s, "|write-deny|^|");
		free(s);
		s = fmt_ev(ev, path, HG_FMT_SYSLOG);
		EXPECT_IN(s, " WRITE_DENY [");
		EXPECT_IN(s, "file write denied (exec-mapped, ");
		EXPECT_IN(s, "): /usr/lib/libfoo.so.1\n");
		free(s);
	}
	/* In audit mode the write went ahead. */
	struct hg_event ev = exec_ev(HG_HOOK_TRUNCATE, HG_REASON_EXEC_MAPPED);

	ev.mode = HG_MODE_AUDIT;
	ev.decision = HG_DECISION_WOULD_DENY;
	s = fmt_ev(ev, "/usr/lib/libfoo.so.1", HG_FMT_JSON);
	EXPECT_IN(s, "\"category\":[\"intrusion_detection\",\"file\"],"
		  "\"type\":[\"allowed\",\"change\"],\"action\":\"would-deny\"");
	free(s);
	s = fmt_ev(ev, "/usr/lib/libfoo.so.1", HG_FMT_CEF);
	EXPECT_IN(s, "|write-would-deny|File write would be denied: exec-mapped|5|");
	free(s);
}

TEST(anonymous_memory_has_no_file)
{
	static const uint8_t hooks[] = {
		HG_HOOK_MMAP, HG_HOOK_MPROTECT, HG_HOOK_FORCED_WRITE,
		HG_HOOK_UFFD_FILL, HG_HOOK_PERSONALITY, HG_HOOK_EXEC_STACK,
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(hooks); i++) {
		struct hg_event ev = exec_ev(hooks[i], HG_REASON_ANON_EXEC);

		ev.ino = 0;
		ev.dev = 0;
		s = fmt_ev(ev, "", HG_FMT_JSON);
		EXPECT_IN(s, "\"category\":[\"intrusion_detection\",\"process\"],"
			  "\"type\":[\"denied\",\"change\"]");
		EXPECT_NOT_IN(s, "\"file\":");
		EXPECT_NOT_IN(s, "path_escaped");
		free(s);
		s = fmt_ev(ev, "", HG_FMT_CEF);
		EXPECT_IN(s, "|memory-deny|Executable memory denied: anon-exec|8|");
		EXPECT_NOT_IN(s, "filePath=");
		EXPECT_NOT_IN(s, "fname=");
		EXPECT_NOT_IN(s, "fileId=");
		EXPECT_NOT_IN(s, "device");
		free(s);
		s = fmt_ev(ev, "", HG_FMT_LEEF);
		EXPECT_IN(s, "|memory-deny|^|");
		EXPECT_NOT_IN(s, "resource=");
		EXPECT_NOT_IN(s, "fileName=");
		EXPECT_NOT_IN(s, "inode=");
		EXPECT_NOT_IN(s, "device=");
		free(s);
		s = fmt_ev(ev, "", HG_FMT_SYSLOG);
		EXPECT_IN(s, " MEMORY_DENY [");
		EXPECT_NOT_IN(s, " path=\"");
		EXPECT_NOT_IN(s, " dev=\"");
		EXPECT_NOT_IN(s, " ino=\"");
		EXPECT_IN(s, "executable memory denied (anon-exec, ");
		EXPECT_IN(s, ")\n");
		free(s);
	}
}

TEST(memfd_has_an_inode_and_no_path)
{
	struct hg_event ev = exec_ev(HG_HOOK_MMAP, HG_REASON_MEMFD);
	char *s;

	ev.ino = 777;
	ev.dev = 1;
	s = fmt_ev(ev, "", HG_FMT_JSON);
	EXPECT_IN(s, "\"category\":[\"intrusion_detection\",\"process\"],"
		  "\"type\":[\"denied\",\"change\"]");
	EXPECT_IN(s, ",\"file\":{\"inode\":\"777\",\"device\":\"0:1\"},");
	free(s);
	s = fmt_ev(ev, "", HG_FMT_CEF);
	EXPECT_IN(s, " fileId=777 ");
	EXPECT_IN(s, " cs4Label=device cs4=0:1");
	EXPECT_NOT_IN(s, "filePath=");
	free(s);
	s = fmt_ev(ev, "", HG_FMT_SYSLOG);
	EXPECT_IN(s, " dev=\"0:1\" ino=\"777\"");
	EXPECT_NOT_IN(s, " path=\"");
	free(s);
}

/* A newer module's decision or record type never reads as allowed. */
TEST(unknown_decision_is_not_allowed)
{
	struct hg_event ev = exec_ev(HG_HOOK_BPRM_CHECK, HG_REASON_NOT_IN_ALLOWLIST);
	char *s;

	ev.decision = UNKNOWN_DECISION;
	s = fmt_ev(ev, "/tmp/x", HG_FMT_JSON);
	EXPECT_IN(s, "\"kind\":\"alert\",\"category\":[\"intrusion_detection\",\"process\"],"
		  "\"type\":[\"info\",\"start\"]");
	EXPECT_IN(s, "\"outcome\":\"unknown\"");
	EXPECT_IN(s, "\"severity\":8,");
	EXPECT_NOT_IN(s, "allowed");
	EXPECT_NOT_IN(s, "success");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_CEF);
	EXPECT_IN(s, "|exec-unknown|Execution with unknown decision: not-in-allowlist|8|");
	EXPECT_IN(s, " outcome=unknown ");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_LEEF);
	EXPECT_IN(s, "|exec-unknown|^|");
	EXPECT_IN(s, "^sev=8^");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_SYSLOG);
	EXPECT_EQ(0, strncmp(s, "<84>1 ", 6)) TH_LOG("%s", s);
	EXPECT_IN(s, " EXEC_UNKNOWN [");
	free(s);
}

TEST(unknown_type_is_not_allowed)
{
	struct hg_event ev = exec_ev(0, 0);
	char *s, want[64];

	ev.type = UNKNOWN_TYPE;
	ev.decision = 0;
	s = fmt_ev(ev, "", HG_FMT_JSON);
	EXPECT_IN(s, "\"kind\":\"alert\",\"category\":[\"intrusion_detection\"],"
		  "\"type\":[\"info\"],\"action\":\"unknown\",\"outcome\":\"unknown\","
		  "\"severity\":8,");
	EXPECT_IN(s, "\"dataset\":\"hashgate.unknown\"");
	free(s);
	s = fmt_ev(ev, "", HG_FMT_CEF);
	snprintf(want, sizeof(want), "|type-%d|Unknown event type %d|8|", UNKNOWN_TYPE,
		 UNKNOWN_TYPE);
	EXPECT_IN(s, want);
	EXPECT_IN(s, " outcome=unknown ");
	free(s);
	s = fmt_ev(ev, "", HG_FMT_LEEF);
	EXPECT_IN(s, "^sev=8^");
	free(s);
	s = fmt_ev(ev, "", HG_FMT_SYSLOG);
	EXPECT_EQ(0, strncmp(s, "<84>1 ", 6)) TH_LOG("%s", s);
	free(s);
}

/*
 * The words of a setting record become field names: a key that is not
 * [a-z0-9_]{1,32} is left out everywhere, never written as a name.
 */
TEST(odd_setting_keys_are_left_out)
{
	static const char *const text = "Evil=1 ok=2 a\"b]=3 =4 "
		"k23456789012345678901234567890123=5 x^y=6 tail=7";
	struct hg_event ev = exec_ev(0, 0);
	enum hg_format fmts[] = { HG_FMT_JSON, HG_FMT_LEEF, HG_FMT_SYSLOG };
	size_t i;
	char *s;

	ev.type = HG_EVENT_SETTING;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		s = fmt_ev(ev, text, fmts[i]);
		EXPECT_IN(s, "ok");
		EXPECT_IN(s, "tail");
		EXPECT_NOT_IN(s, "\"Evil\"");
		EXPECT_NOT_IN(s, "_Evil");
		EXPECT_NOT_IN(s, "k2345678901234567890123456789012345");
		EXPECT_NOT_IN(s, "_x^y");
		free(s);
	}
	/* A setting's words are strings, numbers too (see print_kv()). */
	s = fmt_ev(ev, text, HG_FMT_JSON);
	EXPECT_IN(s, "\"setting\":{\"ok\":\"2\",\"tail\":\"7\"}");
	free(s);
}

/* A heartbeat is info, names no process, and gives numbers as numbers. */
TEST(heartbeat_is_low_severity_state_without_a_process)
{
	struct hg_event ev = exec_ev(0, 0);
	char *s;

	ev.type = HG_EVENT_HEARTBEAT;
	ev.load_id = 7;
	s = fmt_ev(ev, "decisions=5 events_dropped=9223372036854775808", HG_FMT_JSON);
	EXPECT_IN(s, "\"kind\":\"state\",\"category\":[\"driver\"],\"type\":[\"info\"]");
	EXPECT_IN(s, "\"severity\":1,");
	EXPECT_IN(s, "\"stats\":{\"decisions\":5,\"events_dropped\":\"9223372036854775808\"}");
	EXPECT_IN(s, "\"load_id\":7");
	EXPECT_NOT_IN(s, "\"process\"");
	EXPECT_NOT_IN(s, "\"user\"");
	free(s);
	s = fmt_ev(ev, "decisions=5", HG_FMT_SYSLOG);
	EXPECT_EQ(0, strncmp(s, "<86>1 ", 6)) TH_LOG("%s", s);
	EXPECT_IN(s, " HEARTBEAT [");
	EXPECT_NOT_IN(s, " pid=");
	free(s);
	s = fmt_ev(ev, "decisions=5", HG_FMT_CEF);
	EXPECT_IN(s, "|heartbeat|hashgate heartbeat|1|");
	EXPECT_NOT_IN(s, " spid=");
	EXPECT_IN(s, " cn4Label=loadId cn4=7");
	free(s);
}

TEST(audit_uid_is_not_user_audit_id)
{
	char *s = fmt_ev(exec_ev(HG_HOOK_BPRM_CHECK, 1), "/tmp/x", HG_FMT_JSON);

	EXPECT_NOT_IN(s, "\"audit\":");
	EXPECT_IN(s, "\"user\":{\"id\":\"1000\"},");
	EXPECT_IN(s, ",\"auid\":\"1000\",");
	free(s);
}

/* 2^64-1 overflows Elasticsearch's long and CEF's cnN. */
TEST(serial_beyond_signed_64_bits)
{
	struct hg_event ev = exec_ev(HG_HOOK_BPRM_CHECK, 1);
	char *s;

	ev.list_serial = UINT64_MAX;
	s = fmt_ev(ev, "/tmp/x", HG_FMT_JSON);
	EXPECT_IN(s, "\"allowlist\":{\"serial\":\"18446744073709551615\"}");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_CEF);
	EXPECT_IN(s, " cs6Label=allowlistSerial cs6=18446744073709551615");
	EXPECT_NOT_IN(s, "cn3=18446744073709551615");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_LEEF);
	EXPECT_IN(s, "^allowlistSerial=18446744073709551615^");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_SYSLOG);
	EXPECT_IN(s, " serial=\"18446744073709551615\"");
	free(s);
}

TEST(leef_host_and_serial_attributes)
{
	char *s = fmt_ev(exec_ev(HG_HOOK_BPRM_CHECK, 1), "/tmp/x", HG_FMT_LEEF);

	EXPECT_NOT_IN(s, "identHostName");
	EXPECT_NOT_IN(s, "^policy=");
	EXPECT_IN(s, "^dvchost=host-01^");
	EXPECT_IN(s, "^allowlistSerial=5^");
	free(s);
}

/* RFC 5424 section 6.4: a UTF-8 MSG starts with the byte order mark. */
TEST(syslog_msg_starts_with_bom)
{
	struct hg_event ev = exec_ev(HG_HOOK_BPRM_CHECK, 1);
	char *s = fmt_ev(ev, "/tmp/\xc3\xa9", HG_FMT_SYSLOG);

	EXPECT_IN(s, "] \xef\xbb\xbf" "execution denied (not-in-allowlist, bprm_check): "
		  "/tmp/\xc3\xa9\n");
	EXPECT_IN(s, "[hashgate@32473 ");
	free(s);
}

/* 4 KiB of hostile path, twice: beyond what receivers take by default. */
TEST(default_record_limits)
{
	static const struct { enum hg_format fmt; size_t max; } limits[] = {
		{ HG_FMT_CEF, 7680 }, { HG_FMT_LEEF, 3584 }, { HG_FMT_SYSLOG, 8192 },
	};
	struct hg_event ev = exec_ev(HG_HOOK_MMAP, HG_REASON_HASH_MISMATCH);
	uint8_t *buf = malloc(sizeof(struct hg_event) + 2 * LONG_LEN + 8);
	char *path = malloc(LONG_LEN), *s, *v;
	size_t size, i;

	for (i = 0; i < LONG_LEN; i++)
		path[i] = "/\n\"\\\x01\x80x^]|="[i % 11];
	size = make_record(buf, ev, path, LONG_LEN, path, LONG_LEN);
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		s = format_as(buf, size, limits[i].fmt);
		EXPECT_LE(line_len(s), limits[i].max) TH_LOG("format %d", limits[i].fmt);
		EXPECT_EQ(strlen(s) - 1, line_len(s));
		EXPECT_IN(s, "...(truncated)");
		free(s);
	}
	/* CEF's filePath holds 1023 characters. */
	s = format_as(buf, size, HG_FMT_CEF);
	v = strstr(s, " filePath=");
	ASSERT_NE(NULL, v);
	v += strlen(" filePath=");
	EXPECT_LE((size_t)(strstr(v, " fname=") - v), 1023);
	EXPECT_EQ(0, strncmp(strstr(v, " fname=") - 14, "...(truncated)", 14));
	free(s);
	/* JSON keeps the whole path. */
	s = format_as(buf, size, HG_FMT_JSON);
	EXPECT_GT(line_len(s), 2 * LONG_LEN);
	EXPECT_NOT_IN(s, "(truncated)");
	free(s);
	free(path);
	free(buf);
}

/* Names as a fixed table: uid 1000 is alice, 0 root, others have none. */
static int fake_names(void *arg, uint32_t uid, char *buf, size_t size)
{
	(void)arg;
	if (uid != 0 && uid != 1000)
		return -ENOENT;
	snprintf(buf, size, "%s", uid ? "alice" : "root");
	return 0;
}

static char *fmt_ev_with(struct hg_event ev, const char *path, enum hg_format fmt,
			 const struct hg_fmt_ctx *c)
{
	static _Alignas(8) uint8_t buf[2 * HG_PATH_MAX + 1024];
	size_t size = make_record(buf, ev, "/usr/bin/cp", 11, path, strlen(path));

	return format_with(buf, size, fmt, c);
}

TEST(user_names)
{
	struct hg_fmt_ctx c = ctx;
	struct hg_event ev = exec_ev(HG_HOOK_BPRM_CHECK, 1);
	char *s;

	c.user_name = fake_names;
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_JSON, &c);
	EXPECT_IN(s, "\"user\":{\"id\":\"1000\",\"name\":\"alice\"}");
	free(s);
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_CEF, &c);
	EXPECT_IN(s, " suid=1000 suser=alice ");
	free(s);
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_LEEF, &c);
	EXPECT_IN(s, "^uid=1000^usrName=alice^");
	free(s);
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_SYSLOG, &c);
	EXPECT_IN(s, " uid=\"1000\" user=\"alice\" ");
	free(s);
	/* The text format is for people on the host: no name there. */
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_TEXT, &c);
	EXPECT_NOT_IN(s, "alice");
	free(s);
	/* A uid without a name gets no name field. */
	ev.uid = 4242;
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_JSON, &c);
	EXPECT_IN(s, "\"user\":{\"id\":\"4242\"}");
	free(s);
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_CEF, &c);
	EXPECT_NOT_IN(s, "suser=");
	free(s);
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_LEEF, &c);
	EXPECT_NOT_IN(s, "usrName=");
	free(s);
	s = fmt_ev_with(ev, "/tmp/x", HG_FMT_SYSLOG, &c);
	EXPECT_NOT_IN(s, " user=");
	free(s);
}

TEST(user_names_from_a_passwd_file)
{
	char file[] = "/tmp/hg-passwd-XXXXXX", name[64];
	int fd = mkstemp(file);
	FILE *f = fdopen(fd, "w");

	ASSERT_NE(NULL, f);
	fputs("root:x:0:0:root:/root:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n", f);
	fclose(f);
	EXPECT_EQ(0, hg_user_name_passwd(file, 1001, name, sizeof(name)));
	EXPECT_STREQ("bob", name);
	EXPECT_EQ(-ENOENT, hg_user_name_passwd(file, 1000, name, sizeof(name)));
	EXPECT_EQ(-ENAMETOOLONG, hg_user_name_passwd(file, 1001, name, 3));
	/* The system's database knows root. */
	EXPECT_EQ(0, hg_user_name_passwd(NULL, 0, name, sizeof(name)));
	EXPECT_STREQ("root", name);
	unlink(file);
}

TEST(ctx_init_reads_the_environment)
{
	struct hg_fmt_ctx c;
	char host[256];

	setenv("HASHGATE_PASSWD", "/nonexistent/passwd", 1);
	hg_fmt_ctx_init(&c, host, sizeof(host));
	EXPECT_TRUE(c.user_name == hg_user_name_passwd);
	EXPECT_STREQ("/nonexistent/passwd", (const char *)c.user_name_arg);
	unsetenv("HASHGATE_PASSWD");
	hg_fmt_ctx_init(&c, host, sizeof(host));
	EXPECT_EQ(NULL, c.user_name_arg);
	EXPECT_STREQ("", c.enterprise_number);
	EXPECT_EQ(8192, hg_fmt_max_record(&c, HG_FMT_SYSLOG));
}

TEST(enterprise_number)
{
	static const char *const bad[] = {
		"", "0x1", "12a", ".1", "1.", "1..2", "-1", "1 2", "12345678901",
		"1.12345678901", "123456789012345678901234",
	};
	struct hg_fmt_ctx c = ctx;
	char *s;
	size_t i;

	EXPECT_EQ(0, hg_fmt_set_enterprise_number(&c, "12345.1.2"));
	s = fmt_ev_with(exec_ev(HG_HOOK_BPRM_CHECK, 1), "/tmp/x", HG_FMT_SYSLOG, &c);
	EXPECT_IN(s, "[hashgate@12345.1.2 seq=");
	free(s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, hg_fmt_set_enterprise_number(&c, bad[i])) TH_LOG("bad[%zu]", i);
	EXPECT_STREQ("12345.1.2", c.enterprise_number);
	/* RFC 5424's enterpriseId: parts of 1 to 10 digits. */
	EXPECT_EQ(0, hg_fmt_set_enterprise_number(&c, "0"));
	EXPECT_EQ(0, hg_fmt_set_enterprise_number(&c, "0123.1234567890"));
	EXPECT_EQ(0, hg_fmt_set_enterprise_number(&c, "1234567890.1234567890.1"));
}

TEST(max_record_setting)
{
	struct hg_fmt_ctx c = ctx;

	EXPECT_EQ(7680, hg_fmt_max_record(&c, HG_FMT_CEF));
	EXPECT_EQ(3584, hg_fmt_max_record(&c, HG_FMT_LEEF));
	EXPECT_EQ(8192, hg_fmt_max_record(&c, HG_FMT_SYSLOG));
	EXPECT_EQ(SIZE_MAX, hg_fmt_max_record(&c, HG_FMT_JSON));
	EXPECT_EQ(SIZE_MAX, hg_fmt_max_record(&c, HG_FMT_TEXT));
	EXPECT_EQ(0, hg_fmt_set_max_record(&c, HG_FMT_JSON, 4096));
	EXPECT_EQ(4096, hg_fmt_max_record(&c, HG_FMT_JSON));
	EXPECT_EQ(0, hg_fmt_set_max_record(&c, HG_FMT_SYSLOG, 0));
	EXPECT_EQ(SIZE_MAX, hg_fmt_max_record(&c, HG_FMT_SYSLOG));
	EXPECT_EQ(-EINVAL, hg_fmt_set_max_record(&c, HG_FMT_CEF, HG_MAX_RECORD_MIN - 1));
	EXPECT_EQ(-EINVAL, hg_fmt_set_max_record(&c, HG_FMT_CEF, HG_MAX_RECORD_MAX + 1));
	EXPECT_EQ(-EINVAL, hg_fmt_set_max_record(&c, HG_FMT_TEXT, 4096));
	EXPECT_EQ(0, hg_fmt_set_max_record(&c, HG_FMT_TEXT, 0));
	EXPECT_EQ(-EINVAL, hg_fmt_set_max_record(&c, (enum hg_format)HG_FMT_COUNT, 4096));
	EXPECT_EQ(7680, hg_fmt_max_record(&c, HG_FMT_CEF));
}

/*
 * The worst record: hostile everything, long host and user names, in every
 * format at the smallest limit, fits and says it was cut; with no limit,
 * nothing is cut.
 */
TEST(smallest_limit_fits_the_worst_record)
{
	struct hg_event ev = exec_ev(HG_HOOK_MMAP, HG_REASON_HASH_MISMATCH);
	uint8_t *buf = malloc(sizeof(struct hg_event) + 2 * LONG_LEN + 8);
	char *path = malloc(LONG_LEN), host[256], *s;
	struct hg_fmt_ctx c = ctx;
	size_t size, i, fmt;

	memset(host, 0x01, 255);
	host[255] = '\0';
	c.hostname = host;
	c.user_name = fake_names;
	for (i = 0; i < LONG_LEN; i++)
		path[i] = "\x01\"\\]^=|\n"[i % 8];
	memset(ev.comm, 0x01, sizeof(ev.comm));
	ev.flags = HG_EVENT_F_DIGEST | HG_EVENT_F_FOREIGN_ROOT | HG_EVENT_F_PATH_TRUNCATED;
	size = make_record(buf, ev, path, LONG_LEN, path, LONG_LEN);
	for (fmt = HG_FMT_JSON; fmt <= HG_FMT_SYSLOG; fmt++) {
		ASSERT_EQ(0, hg_fmt_set_max_record(&c, fmt, HG_MAX_RECORD_MIN));
		s = format_with(buf, size, fmt, &c);
		EXPECT_LE(line_len(s), HG_MAX_RECORD_MIN) TH_LOG("format %zu", fmt);
		EXPECT_GT(line_len(s), HG_MAX_RECORD_MIN - 100) TH_LOG("format %zu", fmt);
		EXPECT_EQ(strlen(s) - 1, line_len(s));
		EXPECT_IN(s, HG_CUT_MARK);
		EXPECT_IN(s, fmt == HG_FMT_JSON ? ",\"truncated\":true}}" :
			  fmt == HG_FMT_CEF ? " flexString2Label=truncated flexString2=yes\n" :
			  fmt == HG_FMT_LEEF ? "^truncated=yes\n" : " truncated=\"1\"]");
		free(s);
		ASSERT_EQ(0, hg_fmt_set_max_record(&c, fmt, 0));
		s = format_with(buf, size, fmt, &c);
		/* CEF's own field lengths still apply. */
		EXPECT_GT(line_len(s), fmt == HG_FMT_CEF ? 6000 : 2 * LONG_LEN);
		EXPECT_TRUE(fmt == HG_FMT_CEF || !strstr(s, HG_CUT_MARK)) TH_LOG("%zu", fmt);
		EXPECT_NOT_IN(s, "\"truncated\":true");
		EXPECT_NOT_IN(s, "^truncated=yes");
		EXPECT_NOT_IN(s, " truncated=\"1\"");
		free(s);
	}
	free(path);
	free(buf);
}

/* A cut never splits an escape or a character, and always shows. */
TEST(escape_cut)
{
	static const char v[] = "a\\b\xc3\xa9\x01z";
	char *out = NULL;
	size_t len = 0, n, cap;
	bool cut;
	FILE *f;

	/* Escaped for SD: a \\ \\ b é \\ \\ x 0 1 z, 12 bytes. */
	for (cap = 0; cap <= 40; cap++) {
		f = open_memstream(&out, &len);
		n = hg_escape_cut(f, v, sizeof(v) - 1, HG_ESC_SD, cap, &cut);
		fclose(f);
		EXPECT_EQ(n, len);
		EXPECT_EQ(cap < 12, cut) TH_LOG("cap %zu", cap);
		if (cap >= 12) {
			EXPECT_STREQ("a\\\\b\xc3\xa9\\\\x01z", out);
		} else {
			const char *whole[] = { "", "a", "a\\\\", "a\\\\b",
						"a\\\\b\xc3\xa9", "a\\\\b\xc3\xa9\\\\x01" };
			size_t room = cap > 14 ? cap - 14 : 0, k, best = 0;
			char want[64];

			for (k = 0; k < 6; k++)
				if (strlen(whole[k]) <= room)
					best = k;
			snprintf(want, sizeof(want), "%s" HG_CUT_MARK, whole[best]);
			EXPECT_STREQ(want, out) TH_LOG("cap %zu", cap);
		}
		free(out);
		out = NULL;
	}
}

/* Issue 17: findings of the scan of resident code (runtime records). */

/* A page at the 8-aligned offset after @exe and @path, as the module lays it. */
static size_t make_runtime(uint8_t *buf, struct hg_event ev, const char *exe,
			   const char *path, const struct hg_event_page *pg)
{
	size_t off = (sizeof(ev) + strlen(exe) + strlen(path) + 7) & ~(size_t)7;
	size_t size = make_record(buf, ev, exe, strlen(exe), path, strlen(path));

	if (!pg)
		return size;
	memcpy(buf + off, pg, sizeof(*pg));
	size = off + sizeof(*pg);
	((struct hg_event *)buf)->size = (uint32_t)size;
	return size;
}

/* A code-modified finding, reported, by pid 500 (cp), with a page. */
static struct hg_event runtime_ev(void)
{
	struct hg_event ev = exec_ev(HG_HOOK_SCAN, HG_REASON_CODE_MODIFIED);

	ev.type = HG_EVENT_RUNTIME;
	ev.flags = HG_EVENT_F_DIGEST | HG_EVENT_F_PAGE;
	ev.decision = HG_DECISION_REPORTED;
	memset(ev.digest, 0xab, sizeof(ev.digest));
	return ev;
}

static struct hg_event_page test_page(void)
{
	struct hg_event_page pg = {
		.offset = 0x3000, .address = 0x7f0012343000, .count = 1,
	};

	memset(pg.expected, 0x11, sizeof(pg.expected));
	memset(pg.actual, 0xee, sizeof(pg.actual));
	return pg;
}

static char *fmt_runtime(struct hg_event ev, const char *path,
			 const struct hg_event_page *pg, enum hg_format fmt)
{
	static _Alignas(8) uint8_t buf[2 * HG_PATH_MAX + 1024];
	size_t size = make_runtime(buf, ev, "/usr/bin/cp", path, pg);

	return format_as(buf, size, fmt);
}

#define HEX16(b)	b b b b b b b b b b b b b b b b

TEST(runtime_text_line)
{
	struct hg_event_page pg = test_page();
	char *s = fmt_runtime(runtime_ev(), "/usr/lib/libc.so.6", &pg, HG_FMT_TEXT);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("2026-11-27T23:41:02.123Z seq=30 runtime reported "
		     "reason=code-modified mode=enforce pid=500 ppid=1 uid=1000 auid=1000 "
		     "comm=\"cp\" exe=\"/usr/bin/cp\" path=\"/usr/lib/libc.so.6\" dev=8:1 "
		     "ino=4321 sha256=" HEX16("ab") HEX16("ab") " serial=5 offset=12288 "
		     "address=0x7f0012343000 count=1 expected=" HEX16("11") " actual="
		     HEX16("ee") "\n", s);
	free(s);
}

/*
 * The page follows the strings at the next multiple of 8 (here 136 + 11 +
 * 5 = 152, no padding; with a 6-byte path, 7 bytes of it), and every
 * format reads it from there.
 */
TEST(runtime_page_after_the_strings)
{
	struct hg_event_page pg = test_page();
	const char *paths[] = { "/a/bc", "/a/bcd" };
	size_t i;
	char *s;

	for (i = 0; i < 2; i++) {
		s = fmt_runtime(runtime_ev(), paths[i], &pg, HG_FMT_JSON);
		EXPECT_IN(s, ",\"page\":{\"offset\":12288,\"address\":\"0x7f0012343000\","
			  "\"count\":1,\"expected\":\"" HEX16("11") "\",\"actual\":\""
			  HEX16("ee") "\"}");
		free(s);
		s = fmt_runtime(runtime_ev(), paths[i], &pg, HG_FMT_LEEF);
		EXPECT_IN(s, "^pageOffset=12288^pageAddress=0x7f0012343000^pageCount=1"
			  "^pageExpected=" HEX16("11") "^pageActual=" HEX16("ee") "^");
		free(s);
		s = fmt_runtime(runtime_ev(), paths[i], &pg, HG_FMT_SYSLOG);
		EXPECT_IN(s, " page_offset=\"12288\" page_address=\"0x7f0012343000\" "
			  "page_count=\"1\" page_expected=\"" HEX16("11") "\" page_actual=\""
			  HEX16("ee") "\"");
		free(s);
		s = fmt_runtime(runtime_ev(), paths[i], &pg, HG_FMT_CEF);
		EXPECT_IN(s, " msg=offset\\=12288 address\\=0x7f0012343000 count\\=1 "
			  "expected\\=" HEX16("11") " actual\\=" HEX16("ee") " ");
		free(s);
	}
}

/* A page that would run past the record's size is refused, never read. */
TEST(runtime_page_cut_short_is_refused)
{
	_Alignas(8) uint8_t buf[1024];
	struct hg_event_page pg = test_page();
	struct hg_event ev, *e = (struct hg_event *)buf;
	size_t size = make_runtime(buf, runtime_ev(), "/usr/bin/cp", "/a/bcd", &pg);
	size_t strings = (sizeof(ev) + 11 + 6 + 7) & ~(size_t)7;

	EXPECT_EQ((long)size, hg_event_check(buf, size, &ev));
	EXPECT_EQ(strings + sizeof(pg), size);
	/* One byte, 8 bytes (the size stays 8-aligned), the whole page short. */
	e->size = (uint32_t)(size - 1);
	EXPECT_EQ(-EINVAL, hg_event_check(buf, size, &ev));
	e->size = (uint32_t)(size - 8);
	EXPECT_EQ(-EINVAL, hg_event_check(buf, size, &ev));
	e->size = (uint32_t)strings;
	EXPECT_EQ(-EINVAL, hg_event_check(buf, size, &ev));
	/* Without the flag there is no page to fit: a valid record. */
	e->flags &= (uint8_t)~HG_EVENT_F_PAGE;
	EXPECT_EQ((long)strings, hg_event_check(buf, size, &ev));
	/* Incomplete (more to read) is not malformed. */
	e->flags |= HG_EVENT_F_PAGE;
	e->size = (uint32_t)size;
	EXPECT_EQ(0, hg_event_check(buf, size - 8, &ev));
	/* The flag means nothing on other types: not checked there. */
	e->type = HG_EVENT_EXEC;
	e->size = (uint32_t)strings;
	EXPECT_EQ((long)strings, hg_event_check(buf, size, &ev));
}

/* A page-cache page: pid 0, no process, no user, in every format. */
TEST(runtime_without_a_process)
{
	struct hg_event ev = runtime_ev();
	struct hg_event_page pg = test_page();
	char *s;

	ev.pid = ev.ppid = ev.uid = 0;
	ev.auid = UINT32_MAX;
	memset(ev.comm, 0, sizeof(ev.comm));
	ev.reason = HG_REASON_PAGE_CHANGED;
	ev.decision = HG_DECISION_KILLED;
	pg.address = 0;
	s = fmt_runtime(ev, "/usr/sbin/sshd", &pg, HG_FMT_JSON);
	EXPECT_NOT_IN(s, "\"process\"");
	EXPECT_NOT_IN(s, "\"user\"");
	EXPECT_NOT_IN(s, "\"address\"");
	EXPECT_IN(s, "\"category\":[\"intrusion_detection\",\"file\"],"
		  "\"type\":[\"denied\",\"change\"],\"action\":\"killed\","
		  "\"outcome\":\"failure\",\"reason\":\"page-changed\",\"severity\":8,");
	free(s);
	s = fmt_runtime(ev, "/usr/sbin/sshd", &pg, HG_FMT_TEXT);
	EXPECT_NOT_IN(s, " pid=");
	EXPECT_NOT_IN(s, " exe=");
	EXPECT_NOT_IN(s, " address=");
	EXPECT_IN(s, " runtime killed reason=page-changed mode=enforce path=\"/usr/sbin/sshd\" ");
	free(s);
	s = fmt_runtime(ev, "/usr/sbin/sshd", &pg, HG_FMT_CEF);
	EXPECT_IN(s, "|runtime-killed|Resident code finding, processes killed: page-changed|8|");
	EXPECT_IN(s, " outcome=failure ");
	EXPECT_NOT_IN(s, " spid=");
	EXPECT_NOT_IN(s, " cn2Label=ppid");
	EXPECT_NOT_IN(s, "address");
	free(s);
	s = fmt_runtime(ev, "/usr/sbin/sshd", &pg, HG_FMT_LEEF);
	EXPECT_IN(s, "|runtime-killed|^|");
	EXPECT_NOT_IN(s, "^pid=");
	EXPECT_NOT_IN(s, "^pageAddress=");
	free(s);
	s = fmt_runtime(ev, "/usr/sbin/sshd", &pg, HG_FMT_SYSLOG);
	EXPECT_EQ(0, strncmp(s, "<84>1 ", 6)) TH_LOG("%s", s);
	EXPECT_IN(s, " RUNTIME_KILLED [");
	EXPECT_NOT_IN(s, " pid=");
	EXPECT_NOT_IN(s, " page_address=");
	EXPECT_IN(s, "resident code finding, processes killed (page-changed): /usr/sbin/sshd\n");
	free(s);
}

/* A digest of all zero is "not known": left out everywhere. */
TEST(runtime_unknown_expected_digest_left_out)
{
	struct hg_event_page pg = test_page();
	enum hg_format fmts[] = { HG_FMT_TEXT, HG_FMT_JSON, HG_FMT_CEF, HG_FMT_LEEF,
				  HG_FMT_SYSLOG };
	size_t i;
	char *s;

	memset(pg.expected, 0, sizeof(pg.expected));
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		s = fmt_runtime(runtime_ev(), "/x", &pg, fmts[i]);
		EXPECT_NOT_IN(s, "xpected");
		EXPECT_IN(s, HEX16("ee"));
		free(s);
	}
	/* A process left unexamined: no page read, neither digest. */
	memset(pg.actual, 0, sizeof(pg.actual));
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		s = fmt_runtime(runtime_ev(), "/x", &pg, fmts[i]);
		EXPECT_NOT_IN(s, "xpected");
		EXPECT_NOT_IN(s, "ctual");
		EXPECT_IN(s, "0x7f0012343000");
		free(s);
	}
	/* And no page at all without the flag. */
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct hg_event ev = runtime_ev();

		ev.flags &= (uint8_t)~HG_EVENT_F_PAGE;
		s = fmt_runtime(ev, "/x", NULL, fmts[i]);
		EXPECT_NOT_IN(s, "ffset");
		EXPECT_NOT_IN(s, HEX16("ee"));
		free(s);
	}
}

/* What each reason is about, in ECS; reported went on running: allowed. */
TEST(runtime_categories)
{
	static const struct { uint8_t reason; const char *want; } cases[] = {
		{ HG_REASON_CODE_MODIFIED, "[\"intrusion_detection\",\"process\"],"
		  "\"type\":[\"allowed\",\"change\"]" },
		{ HG_REASON_ANON_EXEC, "[\"intrusion_detection\",\"process\"],"
		  "\"type\":[\"allowed\",\"change\"]" },
		{ HG_REASON_PAGE_CHANGED, "[\"intrusion_detection\",\"file\"],"
		  "\"type\":[\"allowed\",\"change\"]" },
		{ HG_REASON_UNEXAMINED, "[\"intrusion_detection\",\"process\"],"
		  "\"type\":[\"allowed\",\"info\"]" },
		{ 99, "[\"intrusion_detection\"],\"type\":[\"allowed\"]" },
	};
	struct hg_event_page pg = test_page();
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hg_event ev = runtime_ev();

		ev.reason = cases[i].reason;
		s = fmt_runtime(ev, "/x", &pg, HG_FMT_JSON);
		EXPECT_IN(s, cases[i].want);
		EXPECT_IN(s, "\"action\":\"reported\",\"outcome\":\"success\"");
		EXPECT_IN(s, "\"dataset\":\"hashgate.runtime\"");
		EXPECT_IN(s, "\"hashgate\":{\"type\":\"runtime\",\"decision\":\"reported\","
			  "\"mode\":\"enforce\",\"hook\":\"scan\",");
		free(s);
	}
	s = fmt_runtime(runtime_ev(), "/x", &pg, HG_FMT_CEF);
	EXPECT_IN(s, "|runtime-reported|Resident code finding reported: code-modified|8|");
	EXPECT_IN(s, " act=reported outcome=success reason=code-modified filePath=/x ");
	EXPECT_IN(s, " cs2Label=hook cs2=scan ");
	free(s);
	s = fmt_runtime(runtime_ev(), "/x", &pg, HG_FMT_SYSLOG);
	EXPECT_IN(s, " RUNTIME_REPORTED [");
	EXPECT_IN(s, " type=\"runtime\" decision=\"reported\" reason=\"code-modified\" "
		  "hook=\"scan\" ");
	free(s);
}

/*
 * A runtime record with a decision it cannot have, and an exec record with
 * a runtime decision, are unknown: never allowed, never a success.
 */
TEST(runtime_decisions_out_of_place)
{
	struct hg_event ev = runtime_ev();
	struct hg_event_page pg = test_page();
	char *s;

	ev.decision = HG_DECISION_ALLOW;
	s = fmt_runtime(ev, "/x", &pg, HG_FMT_JSON);
	EXPECT_IN(s, "\"type\":[\"info\",\"change\"],\"action\":\"allow\","
		  "\"outcome\":\"unknown\"");
	free(s);
	s = fmt_runtime(ev, "/x", &pg, HG_FMT_CEF);
	EXPECT_IN(s, "|runtime-unknown|Resident code finding with unknown decision: "
		  "code-modified|8|");
	free(s);
	s = fmt_runtime(ev, "/x", &pg, HG_FMT_SYSLOG);
	EXPECT_IN(s, " RUNTIME_UNKNOWN [");
	free(s);
	ev = exec_ev(HG_HOOK_BPRM_CHECK, HG_REASON_NOT_IN_ALLOWLIST);
	ev.decision = HG_DECISION_REPORTED;
	s = fmt_ev(ev, "/tmp/x", HG_FMT_CEF);
	EXPECT_IN(s, "|exec-unknown|Execution with unknown decision: not-in-allowlist|8|");
	free(s);
	s = fmt_ev(ev, "/tmp/x", HG_FMT_JSON);
	EXPECT_IN(s, "\"type\":[\"info\",\"start\"]");
	EXPECT_IN(s, "\"outcome\":\"unknown\"");
	free(s);
}

/* The page stays whole when a long path is cut to the record limit. */
TEST(runtime_page_survives_the_cut)
{
	struct hg_event_page pg = test_page();
	uint8_t *buf = malloc(sizeof(struct hg_event) + 2 * LONG_LEN + 64);
	char *path = malloc(LONG_LEN + 1), *s;
	struct hg_fmt_ctx c = ctx;
	size_t size, fmt;

	memset(path, 'p', LONG_LEN);
	path[0] = '/';
	path[LONG_LEN] = '\0';
	size = make_runtime(buf, runtime_ev(), path, path, &pg);
	for (fmt = HG_FMT_JSON; fmt <= HG_FMT_SYSLOG; fmt++) {
		ASSERT_EQ(0, hg_fmt_set_max_record(&c, fmt, HG_MAX_RECORD_MIN));
		s = format_with(buf, size, fmt, &c);
		EXPECT_LE(line_len(s), HG_MAX_RECORD_MIN) TH_LOG("format %zu", fmt);
		EXPECT_IN(s, HG_CUT_MARK);
		EXPECT_IN(s, HEX16("11"));
		EXPECT_IN(s, HEX16("ee"));
		EXPECT_IN(s, "0x7f0012343000");
		free(s);
	}
	free(path);
	free(buf);
}

TEST_HARNESS_MAIN
