// SPDX-License-Identifier: GPL-2.0
/*
 * The report of the scan of resident code (securityfs 'scan', see
 * uapi/hashgate.h) as scanreport.c reads it: every documented field, the
 * /proc/mounts escapes undone, keys of a newer module skipped, and every
 * malformed or cut-short report refused with the line and the reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scanreport.h"
#include "kselftest_harness.h"

#define E	"101112131415161718191a1b1c1d1e1f"
#define A	"e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
#define SUMMARY(findings, kept, repeated) \
	"scans=7 time=1764675811 duration_ms=1234 processes=143 busy=2 " \
	"mappings=1200 pages=45000 files=310 file_pages=9000 findings=" \
	#findings " kept=" #kept " repeated=" #repeated

static const char good[] =
	SUMMARY(4, 3, 1) "\n"
	"finding reason=code-modified pid=4242 comm=ba\\040sh offset=163840 "
	"address=0x7f3a12428000 count=1 expected=" E " actual=" A
	" path=/usr/lib/a\\040b\\011c\\012d\\134e\n"
	"finding reason=page-changed pid=0 comm=- offset=8192 address=0x0 count=3 "
	"expected=" E " actual=" A " path=/usr/sbin/sshd\n"
	"finding reason=anon-exec pid=777 comm=node offset=0 address=0x7f0000000000 "
	"count=2 expected=- actual=" A " path=-\n";

struct parsed {
	struct hg_scan_report rep;
	unsigned long line;
	char why[160];
	int ret;
};

static void parse(struct parsed *p, const char *text)
{
	p->why[0] = '\0';
	p->ret = hg_scan_parse(text, strlen(text), &p->rep, &p->line, p->why, sizeof(p->why));
}

TEST(a_whole_report)
{
	struct parsed p;
	const struct hg_scan_finding *f;
	static const uint8_t e0 = 0x10, a0 = 0xe0;

	parse(&p, good);
	ASSERT_EQ(0, p.ret) TH_LOG("line %lu: %s", p.line, p.why);
	EXPECT_EQ(7, p.rep.sum.scans);
	EXPECT_EQ(1764675811, p.rep.sum.time);
	EXPECT_EQ(1234, p.rep.sum.duration_ms);
	EXPECT_EQ(143, p.rep.sum.processes);
	EXPECT_EQ(2, p.rep.sum.busy);
	EXPECT_EQ(1200, p.rep.sum.mappings);
	EXPECT_EQ(45000, p.rep.sum.pages);
	EXPECT_EQ(310, p.rep.sum.files);
	EXPECT_EQ(9000, p.rep.sum.file_pages);
	EXPECT_EQ(4, p.rep.sum.findings);
	EXPECT_EQ(3, p.rep.sum.kept);
	EXPECT_EQ(1, p.rep.sum.repeated);
	ASSERT_EQ(3, p.rep.count);

	f = &p.rep.findings[0];
	EXPECT_STREQ("code-modified", f->reason);
	EXPECT_EQ(4242, f->pid);
	EXPECT_EQ(5, f->comm_len);
	EXPECT_EQ(0, memcmp("ba sh", f->comm, 5));
	/* \040 space, \011 tab, \012 newline, \134 backslash. */
	EXPECT_STREQ("/usr/lib/a b\tc\nd\\e", f->path);
	EXPECT_EQ(strlen(f->path), f->path_len);
	EXPECT_EQ(163840, f->offset);
	EXPECT_EQ(0x7f3a12428000ull, f->address);
	EXPECT_EQ(1, f->count);
	EXPECT_TRUE(f->has_expected);
	EXPECT_TRUE(f->has_actual);
	EXPECT_EQ(e0, f->expected[0]);
	EXPECT_EQ(0x1f, f->expected[15]);
	EXPECT_EQ(a0, f->actual[0]);
	EXPECT_EQ(0xef, f->actual[15]);

	f = &p.rep.findings[1];
	EXPECT_EQ(0, f->pid);
	EXPECT_EQ(1, f->comm_len);
	EXPECT_EQ('-', f->comm[0]);
	EXPECT_STREQ("/usr/sbin/sshd", f->path);
	EXPECT_EQ(0, f->address);
	EXPECT_EQ(3, f->count);

	f = &p.rep.findings[2];
	EXPECT_EQ(NULL, f->path);	/* "-": anonymous memory */
	EXPECT_FALSE(f->has_expected);
	EXPECT_TRUE(f->has_actual);
	EXPECT_EQ(2, f->count);
	hg_scan_free(&p.rep);
}

/* Before the first scan the module writes "scans=0" alone. */
TEST(no_scan_yet)
{
	struct parsed p;

	parse(&p, "scans=0\n");
	ASSERT_EQ(0, p.ret) TH_LOG("%s", p.why);
	EXPECT_EQ(0, p.rep.sum.scans);
	EXPECT_EQ(0, p.rep.count);
	hg_scan_free(&p.rep);
	/* Without a newline, with blank lines after it: the same. */
	parse(&p, "scans=0");
	EXPECT_EQ(0, p.ret);
	parse(&p, "scans=0\n\n\n");
	EXPECT_EQ(0, p.ret);
	/* But a finding without a scan is not. */
	parse(&p, "scans=0\nfinding reason=x pid=1 comm=a offset=0 address=0x1 count=1 "
	      "expected=- actual=- path=-\n");
	EXPECT_EQ(-EINVAL, p.ret);
	EXPECT_EQ(2, p.line);
}

/* A newer module's keys, in the summary and in a finding, are skipped. */
TEST(unknown_keys_are_skipped)
{
	struct parsed p;

	parse(&p, "future=1 " SUMMARY(1, 1, 0) " later=abc\n"
	      "finding new=x reason=code-modified pid=1 comm=init offset=4096 extra=9 "
	      "address=0x1000 count=1 expected=- actual=" A " path=/sbin/init\n");
	ASSERT_EQ(0, p.ret) TH_LOG("line %lu: %s", p.line, p.why);
	ASSERT_EQ(1, p.rep.count);
	EXPECT_STREQ("/sbin/init", p.rep.findings[0].path);
	EXPECT_EQ(4096, p.rep.findings[0].offset);
	hg_scan_free(&p.rep);
}

/* The path is last and takes the rest of the line, '=' and all. */
TEST(path_takes_the_rest_of_the_line)
{
	struct parsed p;

	parse(&p, SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
	      "address=0x1 count=1 expected=- actual=- path=/a=b\\040c=d\n");
	ASSERT_EQ(0, p.ret) TH_LOG("%s", p.why);
	EXPECT_STREQ("/a=b c=d", p.rep.findings[0].path);
	hg_scan_free(&p.rep);
}

/* Each malformed report: refused, with the line it is on. */
TEST(malformed_reports)
{
	static const struct {
		const char *text;
		unsigned long line;
		const char *why;
	} bad[] = {
		{ "", 1, "no scans=" },
		{ "hello\n", 1, "not key=value" },
		{ "scans=x\n", 1, "scans is not a number" },
		{ "scans=-1\n", 1, "scans is not a number" },
		{ "scans=18446744073709551616\n", 1, "scans is not a number" },
		{ "scans=1 scans=1\n", 1, "scans given twice" },
		{ "scans=1 time=1\n", 1, "no duration_ms=" },
		{ SUMMARY(1, 2, 0) "\n", 1, "do not fit" },
		{ SUMMARY(1, 0, 2) "\n", 1, "do not fit" },
		{ SUMMARY(300, 257, 0) "\n", 1, "do not fit" },
		/* Cut short: fewer finding lines than kept. */
		{ SUMMARY(2, 2, 0) "\nfinding reason=r pid=1 comm=c offset=0 address=0x1 "
		  "count=1 expected=- actual=- path=-\n", 3, "cut short" },
		{ SUMMARY(1, 1, 0) "\n", 2, "cut short" },
		{ SUMMARY(0, 0, 0) "\nfinding reason=r pid=1 comm=c offset=0 address=0x1 "
		  "count=1 expected=- actual=- path=-\n", 2, "more finding lines" },
		{ SUMMARY(1, 1, 0) "\nfound reason=r\n", 2, "not a finding line" },
		{ SUMMARY(1, 1, 0) "\nfinding\n", 2, "not a finding line" },
		/* Each key missing, or bad. */
		{ SUMMARY(1, 1, 0) "\nfinding pid=1 comm=c offset=0 address=0x1 count=1 "
		  "expected=- actual=- path=-\n", 2, "no reason=" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 address=0x1 "
		  "count=1 expected=- actual=-\n", 2, "no path=" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 address=0x1 "
		  "count=1 actual=- path=-\n", 2, "no expected=" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=R! pid=1 comm=c offset=0 address=0x1 "
		  "count=1 expected=- actual=- path=-\n", 2, "bad reason" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=4294967296 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=-\n", 2, "bad pid" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0x10 "
		  "address=0x1 count=1 expected=- actual=- path=-\n", 2, "bad offset" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=1000 count=1 expected=- actual=- path=-\n", 2, "bad address" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x11112222333344445 count=1 expected=- actual=- path=-\n", 2,
		  "bad address" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=-1 expected=- actual=- path=-\n", 2, "bad count" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=abc actual=- path=-\n", 2, "bad expected" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=" E "0 path=-\n", 2, "bad actual" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=x" E " path=-\n", 2, "bad actual" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 pid=2 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=-\n", 2, "pid given twice" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- junk path=-\n", 2, "not key=value" },
		/* Escapes that do not decode: short, not octal, past 0377, NUL. */
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=/a\\04\n", 2, "path does not" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=/a\\x41b\n", 2, "path does not" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=/a\\400\n", 2, "path does not" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=/a\\000\n", 2, "path does not" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=a\\ offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=-\n", 2, "bad comm" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 "
		  "comm=0123456789012345678901234567890123456789012345678901234567890123 "
		  "offset=0 address=0x1 count=1 expected=- actual=- path=-\n", 2, "bad comm" },
		{ SUMMARY(1, 1, 0) "\nfinding reason=r pid=1 comm=c offset=0 "
		  "address=0x1 count=1 expected=- actual=- path=\n", 2, "path does not" },
	};
	struct parsed p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(&p, bad[i].text);
		EXPECT_EQ(-EINVAL, p.ret) TH_LOG("bad[%zu]", i);
		EXPECT_EQ(bad[i].line, p.line) TH_LOG("bad[%zu]: %s", i, p.why);
		EXPECT_NE(NULL, strstr(p.why, bad[i].why))
			TH_LOG("bad[%zu]: <%s>, not <%s>", i, p.why, bad[i].why);
		/* Nothing is left to free, however far it got. */
		EXPECT_EQ(NULL, p.rep.findings) TH_LOG("bad[%zu]", i);
	}
}

/* A NUL byte anywhere: the text is not a report. */
TEST(nul_byte)
{
	static const char text[] = "scans=0\0junk";
	struct hg_scan_report rep;
	unsigned long line;
	char why[64];

	EXPECT_EQ(-EINVAL, hg_scan_parse(text, sizeof(text) - 1, &rep, &line, why,
					 sizeof(why)));
}

/*
 * The text need not end with a NUL: nothing is read past @len, even when a
 * value ends the buffer (ASan sees a read past this exact-size copy).
 */
TEST(no_read_past_the_end)
{
	static const char *const ends[] = {
		SUMMARY(1, 1, 0) "\nfinding reason=code-modified",
		SUMMARY(1, 1, 0) "\nfinding pid=1 comm=a\\04",
		SUMMARY(1, 1, 0) "\nfinding path=/a",
		"scans=12",
	};
	struct hg_scan_report rep;
	unsigned long line;
	char why[160], *copy;
	size_t i, len;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		len = strlen(ends[i]);
		copy = malloc(len);
		ASSERT_NE(NULL, copy);
		memcpy(copy, ends[i], len);
		EXPECT_EQ(-EINVAL, hg_scan_parse(copy, len, &rep, &line, why, sizeof(why)))
			TH_LOG("ends[%zu]", i);
		free(copy);
	}
}

/* The most findings the module keeps, each with a long escaped path. */
TEST(the_most_findings)
{
	size_t i, cap = 300 * (HG_PATH_MAX * 4 + 256), off;
	char *text = malloc(cap), *path = malloc(HG_PATH_MAX * 4 + 1);
	struct parsed p;

	ASSERT_NE(NULL, text);
	for (i = 0, off = 0; i < HG_PATH_MAX - 1; i++)
		off += (size_t)snprintf(path + off, 5, i % 2 ? "\\040" : "/");
	off = (size_t)snprintf(text, cap, SUMMARY(1000, 256, 744) "\n");
	for (i = 0; i < HG_SCAN_FINDINGS_MAX; i++)
		off += (size_t)snprintf(text + off, cap - off, "finding reason=code-modified "
					"pid=%zu comm=c offset=%zu address=0x%zx count=1 "
					"expected=" E " actual=" A " path=%s\n", i + 1, i * 4096,
					i * 4096 + 0x400000, path);
	parse(&p, text);
	ASSERT_EQ(0, p.ret) TH_LOG("line %lu: %s", p.line, p.why);
	ASSERT_EQ(HG_SCAN_FINDINGS_MAX, p.rep.count);
	EXPECT_EQ(HG_PATH_MAX - 1, p.rep.findings[255].path_len);
	EXPECT_EQ(255 * 4096, p.rep.findings[255].offset);
	EXPECT_EQ(256, p.rep.findings[255].pid);
	hg_scan_free(&p.rep);
	free(text);
	free(path);
}

/* The summary alone, as status reads it. */
TEST(summary_alone_and_as_json)
{
	struct hg_scan_summary sum;
	char why[128], *out = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(0, hg_scan_summary_parse(SUMMARY(4, 3, 1), strlen(SUMMARY(4, 3, 1)),
					   &sum, why, sizeof(why)));
	f = open_memstream(&out, &len);
	hg_scan_summary_json(f, &sum);
	fclose(f);
	EXPECT_STREQ("\"scans\":7,\"time\":1764675811,\"duration_ms\":1234,"
		     "\"processes\":143,\"busy\":2,\"mappings\":1200,\"pages\":45000,"
		     "\"files\":310,\"file_pages\":9000,\"findings_total\":4,\"kept\":3,"
		     "\"repeated\":1", out);
	free(out);
	ASSERT_EQ(0, hg_scan_summary_parse("scans=0", 7, &sum, why, sizeof(why)));
	f = open_memstream(&out, &len);
	hg_scan_summary_json(f, &sum);
	fclose(f);
	EXPECT_STREQ("\"scans\":0,\"time\":null,\"duration_ms\":null,\"processes\":null,"
		     "\"busy\":null,\"mappings\":null,\"pages\":null,\"files\":null,"
		     "\"file_pages\":null,\"findings_total\":null,\"kept\":null,"
		     "\"repeated\":null", out);
	free(out);
}

TEST_HARNESS_MAIN
