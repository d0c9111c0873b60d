// SPDX-License-Identifier: GPL-2.0
/*
 * Golden files: golden/events.bin, a recorded stream of records with hostile
 * paths, and golden/runtime.bin, findings of the scan of resident code with
 * their pages (golden/mkevents.py wrote both), rendered in every format and
 * compared byte for byte with golden/events.<format> and
 * golden/runtime.<format>. After an intended change of a
 * format, regenerate and review the diff:
 *	HG_GOLDEN_UPDATE=1 build/tests/test_golden   (from tests/unit)
 * User names come from golden/passwd (root is 0, alice 1000; 65534 has
 * none), as 'hashgate events' gives them with HASHGATE_PASSWD=golden/passwd
 * (test_formats.sh), so the files do not depend on this host's users.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evfmt.h"
#include "kselftest_harness.h"

#define RECORDS		26
#define RUNTIME_RECORDS	9

static char passwd[512];
static const struct hg_fmt_ctx ctx = {
	.hostname = "host-01", .version = "0.1.0", .procid = 4711,
	.user_name = hg_user_name_passwd, .user_name_arg = passwd,
};

static void golden_path(char *path, size_t size, const char *name)
{
	const char *dir = getenv("HG_GOLDEN_DIR");

	snprintf(path, size, "%s/%s", dir ? dir : "golden", name);
}

static char *slurp(const char *name, size_t *len)
{
	char path[512], *buf = NULL;
	size_t cap = 0;
	FILE *f;

	golden_path(path, sizeof(path), name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	*len = 0;
	for (;;) {
		size_t n;

		if (*len + 4096 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* Render every record of @stream in @fmt. */
static char *render(const char *stream, enum hg_format fmt, size_t *out_len, int *records)
{
	size_t len, off = 0;
	char *bin = slurp(stream, &len), *out = NULL;
	struct hg_event ev;
	FILE *f;
	long n;

	if (!bin)
		return NULL;
	golden_path(passwd, sizeof(passwd), "passwd");
	f = open_memstream(&out, out_len);
	*records = 0;
	while ((n = hg_event_check(bin + off, len - off, &ev)) > 0) {
		hg_event_format(f, fmt, &ev, bin + off + sizeof(ev), &ctx);
		off += (size_t)n;
		(*records)++;
	}
	fclose(f);
	free(bin);
	if (off != len) {
		free(out);
		return NULL;
	}
	return out;
}

static void golden_of(struct __test_metadata *_metadata, const char *stream,
		      int want_records, enum hg_format fmt, const char *name)
{
	size_t got_len, want_len, i, line = 1;
	int records;
	char *got = render(stream, fmt, &got_len, &records), *want;

	ASSERT_NE(NULL, got) TH_LOG("cannot read or decode golden/%s", stream);
	EXPECT_EQ(want_records, records);
	if (getenv("HG_GOLDEN_UPDATE")) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "golden/%s", name);
		f = fopen(path, "wb");
		ASSERT_NE(NULL, f);
		fwrite(got, 1, got_len, f);
		fclose(f);
	}
	want = slurp(name, &want_len);
	ASSERT_NE(NULL, want) TH_LOG("missing golden/%s", name);
	for (i = 0; i < got_len && i < want_len && got[i] == want[i]; i++)
		line += got[i] == '\n';
	EXPECT_TRUE(i == got_len && i == want_len)
		TH_LOG("%s differs at byte %zu (line %zu)", name, i, line);
	/* One line per record, whatever the paths held. */
	for (i = 0, line = 0; i < got_len; i++)
		line += got[i] == '\n';
	EXPECT_EQ((size_t)records, line);
	free(got);
	free(want);
}

static void golden(struct __test_metadata *_metadata, enum hg_format fmt,
		   const char *name)
{
	golden_of(_metadata, "events.bin", RECORDS, fmt, name);
}

static void golden_runtime(struct __test_metadata *_metadata, enum hg_format fmt,
			   const char *name)
{
	golden_of(_metadata, "runtime.bin", RUNTIME_RECORDS, fmt, name);
}

TEST(text) { golden(_metadata, HG_FMT_TEXT, "events.text"); }
TEST(json) { golden(_metadata, HG_FMT_JSON, "events.json"); }
TEST(cef) { golden(_metadata, HG_FMT_CEF, "events.cef"); }
TEST(leef) { golden(_metadata, HG_FMT_LEEF, "events.leef"); }
TEST(syslog) { golden(_metadata, HG_FMT_SYSLOG, "events.syslog"); }
TEST(runtime_text) { golden_runtime(_metadata, HG_FMT_TEXT, "runtime.text"); }
TEST(runtime_json) { golden_runtime(_metadata, HG_FMT_JSON, "runtime.json"); }
TEST(runtime_cef) { golden_runtime(_metadata, HG_FMT_CEF, "runtime.cef"); }
TEST(runtime_leef) { golden_runtime(_metadata, HG_FMT_LEEF, "runtime.leef"); }
TEST(runtime_syslog) { golden_runtime(_metadata, HG_FMT_SYSLOG, "runtime.syslog"); }

TEST_HARNESS_MAIN
