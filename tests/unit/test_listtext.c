// SPDX-License-Identifier: GPL-2.0
/*
 * The text allowlist parser, as a user meets it: sha256sum output goes in
 * unchanged, and every bad line comes back as FILE:LINE: reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "listtext.h"

#define D1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

struct result {
	struct hg_text_list list;
	char *err;
	size_t err_len;
	int ret;
};

static void parse_text(struct result *r, const char *text)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *err = open_memstream(&r->err, &r->err_len);

	r->ret = hg_listtext_parse(in, "list.txt", &r->list, err);
	fclose(err);
	fclose(in);
}

static void result_free(struct result *r)
{
	hg_listtext_free(&r->list);
	free(r->err);
}

TEST(accepts_sha256sum_output)
{
	char dir[] = "/tmp/hg-lt-XXXXXX", cmd[512], *text = NULL;
	const char *names[] = { "/plain", "/with\nnewline", "/back\\slash" };
	struct result r = { 0 };
	size_t len = 0, i;
	FILE *p, *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	for (i = 0; i < 3; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s%s", dir, names[i]);
		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		fprintf(f, "content %zu\n", i);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "sha256sum %s/* && sha256sum -b %s/plain", dir, dir);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	f = open_memstream(&text, &len);
	for (int c; (c = fgetc(p)) != EOF;)
		fputc(c, f);
	fclose(f);
	ASSERT_EQ(0, pclose(p));

	parse_text(&r, text);
	EXPECT_EQ(0, r.ret) TH_LOG("%s", r.err);
	/* "-b" repeats /plain with the same digest: merged, not an error. */
	ASSERT_EQ(3, r.list.count);
	for (i = 0; i < r.list.count; i++) {
		const char *rel = r.list.entries[i].path + strlen(dir);

		EXPECT_TRUE(!strcmp(rel, names[0]) || !strcmp(rel, names[1]) ||
			    !strcmp(rel, names[2])) TH_LOG("unexpected path %s", rel);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	EXPECT_EQ(0, system(cmd));
	result_free(&r);
	free(text);
}

TEST(comments_blank_lines_serial)
{
	struct result r = { 0 };

	parse_text(&r, "# a comment\n\n# hashgate-serial: 42\n" D1 "  /bin/a\n"
		       "\\" D2 "  /bin/b\\nc\n" D2 " */bin/c\n");
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.err);
	ASSERT_TRUE(r.list.has_serial);
	EXPECT_EQ(42, r.list.serial);
	ASSERT_EQ(3, r.list.count);
	EXPECT_STREQ("/bin/a", r.list.entries[0].path);
	EXPECT_STREQ("/bin/b\nc", r.list.entries[1].path);
	EXPECT_EQ(0x01, r.list.entries[0].digest[0]);
	EXPECT_EQ(0xef, r.list.entries[0].digest[31]);
	result_free(&r);
}

TEST(bad_lines_report_file_and_line)
{
	struct result r = { 0 };

	parse_text(&r, D1 "  /ok\n"
		       "0123abcd  /short\n"
		       "0123456789abcdef0123456789abcdef"
		       "0123456789abcdef0123456789abcdeg  /x\n"
		       D1 "\n"
		       D1 "  \n"
		       D1 "  relative/path\n"
		       D1 "0  /long\n"
		       "# hashgate-serial: soon\n"
		       D1 "  /dup\n"
		       D2 "  /dup\n");
	EXPECT_EQ(8, r.ret);
	ASSERT_NE(NULL, r.err);
	EXPECT_NE(NULL, strstr(r.err, "list.txt:2: digest is shorter than 64 hex"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:3: digest contains a non-hex"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:4: missing path\n"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:5: missing path\n"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:6: path is not absolute\n"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:7: digest is longer than 64 hex"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:8: serial is not a decimal number\n"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:10: path \"/dup\" already listed with "
				      "another digest at line 9\n")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.err, "list.txt:1:"));
	result_free(&r);
}

TEST(same_digest_many_paths)
{
	struct result r = { 0 };

	parse_text(&r, D1 "  /usr/bin/b\n" D1 "  /usr/bin/a\n" D1 "  /usr/bin/b\n");
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(2, r.list.count);
	/* Sorted by path after parsing, ready for the blob's index. */
	EXPECT_STREQ("/usr/bin/a", r.list.entries[0].path);
	EXPECT_STREQ("/usr/bin/b", r.list.entries[1].path);
	result_free(&r);
}

TEST(bad_escapes_and_separators)
{
	struct result r = { 0 };

	parse_text(&r, "\\" D1 "  /a\\q\n" "\\" D1 "  /a\\\n" D1 " /one-space\n"
		       D1 "\t/tab\n");
	EXPECT_EQ(4, r.ret);
	EXPECT_NE(NULL, strstr(r.err, "list.txt:1: invalid escape sequence in path\n"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:2: path ends in a lone backslash\n"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:3: expected two spaces"));
	EXPECT_NE(NULL, strstr(r.err, "list.txt:4: expected two spaces"))
		TH_LOG("%s", r.err);
	result_free(&r);
}

TEST(write_round_trips)
{
	static const char path[] = "/odd\\name\nwith\rall";
	struct result r = { 0 };
	char *text = NULL;
	uint8_t digest[HG_DIGEST_SIZE];
	size_t len = 0;
	FILE *f;

	memset(digest, 0xab, sizeof(digest));
	f = open_memstream(&text, &len);
	hg_listtext_write(f, digest, path, strlen(path));
	fclose(f);
	EXPECT_EQ('\\', text[0]);
	EXPECT_EQ(NULL, strchr(text, '\n') == text + len - 1 ? NULL : text);
	parse_text(&r, text);
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(1, r.list.count);
	EXPECT_STREQ(path, r.list.entries[0].path);
	EXPECT_EQ(0, memcmp(digest, r.list.entries[0].digest, HG_DIGEST_SIZE));
	result_free(&r);
	free(text);
}

TEST_HARNESS_MAIN
