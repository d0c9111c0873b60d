// SPDX-License-Identifier: GPL-2.0
/*
 * Event records as 'hashgate events' prints them: a hostile file name must
 * never break a line or the JSON, and broken records must be refused.
 */
#include <stdlib.h>
#include <string.h>

#include "evfmt.h"
#include "kselftest_harness.h"

#define LONG_LEN	4096

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
	ev.size = (uint32_t)((sizeof(ev) + exe_len + path_len + 7) & ~(size_t)7);
	memset(buf, 0, ev.size);
	memcpy(buf, &ev, sizeof(ev));
	memcpy(buf + sizeof(ev), exe, exe_len);
	memcpy(buf + sizeof(ev) + exe_len, path, path_len);
	return ev.size;
}

static const struct hg_fmt_ctx ctx = {
	.hostname = "host-01", .version = "0.1.0", .procid = 77,
};

/* Format @buf's one record; returns a malloc()ed string. */
static char *format_as(const uint8_t *buf, size_t size, enum hg_format fmt)
{
	struct hg_event ev;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (hg_event_check(buf, size, &ev) != (long)size)
		return NULL;
	f = open_memstream(&out, &len);
	hg_event_format(f, fmt, &ev, (const char *)buf + sizeof(ev), &ctx);
	fclose(f);
	return out;
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

TEST_HARNESS_MAIN
