// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement list parser (measurelist.c) on lists built here: every
 * field of a good list, every cut of it refused (never read past the end:
 * ASan), every byte flip refused but those of a PCR index, the ASCII
 * escapes, the kinds, and the PCR replay against a hand-rolled one.
 * test_measurements.sh checks the same against lists and PCRs made in
 * Python from the specification.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "measurelist.h"
#include "kselftest_harness.h"

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
	v = htole32(v);
	put(b, &v, 4);
}

/* Append an ima-ng entry for @name with digest bytes all @fill. */
static void add(struct buf *b, uint32_t pcr, const char *name, uint8_t fill)
{
	uint8_t data[512], d[32];
	struct buf t = { .n = 0 };
	unsigned int len;

	memset(d, fill, sizeof(d));
	put32(&t, 40);
	put(&t, "sha256:", 8);
	put(&t, d, 32);
	put32(&t, (uint32_t)strlen(name) + 1);
	put(&t, name, strlen(name) + 1);
	memcpy(data, t.b, t.n);
	put32(b, pcr);
	EVP_Digest(data, t.n, b->b + b->n, &len, EVP_sha1(), NULL);
	b->n += 20;
	put32(b, 6);
	put(b, "ima-ng", 6);
	put32(b, (uint32_t)t.n);
	put(b, data, t.n);
}

static void good_list(struct buf *b)
{
	b->n = 0;
	add(b, 23, "hashgate:start pcr=23 tpm=present", 0x11);
	add(b, 23, "/usr/bin/true", 0x22);
	add(b, 10, "hashgate:would-deny:/tmp/x", 0x33);
}

/* Parse an exact-size heap copy, so that ASan sees any read past the end. */
static int parse(const uint8_t *p, size_t n, struct hg_ml *ml, size_t *off, char *why)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	memcpy(copy, p, n);
	ret = hg_ml_parse(copy, n, ml, off, why, 160);
	hg_ml_free(ml);
	free(copy);
	return ret;
}

TEST(a_good_list)
{
	struct buf b;
	struct hg_ml ml;
	char why[160];
	size_t off, len;
	const char *path;

	good_list(&b);
	ASSERT_EQ(0, hg_ml_parse(b.b, b.n, &ml, &off, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(3, ml.count);
	EXPECT_EQ(23, ml.entries[0].pcr);
	EXPECT_EQ(0, ml.entries[0].offset);
	EXPECT_EQ(33, ml.entries[0].name_len);
	EXPECT_EQ(0, strcmp("hashgate:start pcr=23 tpm=present", ml.entries[0].name));
	EXPECT_EQ(HG_ML_KIND_HASHGATE, hg_ml_kind(&ml.entries[0]));
	EXPECT_EQ(0x22, ml.entries[1].digest[0]);
	EXPECT_EQ(0x22, ml.entries[1].digest[31]);
	EXPECT_EQ(HG_ML_KIND_FILE, hg_ml_kind(&ml.entries[1]));
	EXPECT_EQ(4 + 40 + 4 + 14, ml.entries[1].data_len);
	EXPECT_EQ(10, ml.entries[2].pcr);
	EXPECT_EQ(HG_ML_KIND_WOULD_DENY, hg_ml_kind(&ml.entries[2]));
	path = hg_ml_path(&ml.entries[2], &len);
	EXPECT_EQ(6, len);
	EXPECT_EQ(0, memcmp("/tmp/x", path, 6));
	EXPECT_EQ(ml.entries[1].offset + 28 + 10 + ml.entries[1].data_len,
		  ml.entries[2].offset);
	hg_ml_free(&ml);
	EXPECT_EQ(0, hg_ml_parse(b.b, 0, &ml, &off, why, sizeof(why)));
	EXPECT_EQ(0, ml.count);
}

TEST(every_cut_is_refused)
{
	struct buf b;
	struct hg_ml ml;
	char why[160];
	size_t n, off;
	int ret;

	good_list(&b);
	for (n = 1; n < b.n; n++) {
		why[0] = '\0';
		ret = parse(b.b, n, &ml, &off, why);
		/* A cut between entries is a shorter good list. */
		if (!ret) {
			struct hg_ml full;
			size_t i, o2;
			bool at_end = false;

			ASSERT_EQ(0, hg_ml_parse(b.b, b.n, &full, &o2, why, sizeof(why)));
			for (i = 1; i < full.count; i++)
				at_end |= full.entries[i].offset == n;
			hg_ml_free(&full);
			EXPECT_TRUE(at_end) TH_LOG("cut at %zu accepted", n);
			continue;
		}
		EXPECT_EQ(-EINVAL, ret);
		EXPECT_LE(off, n);
		EXPECT_NE(0, why[0]);
		EXPECT_EQ(NULL, ml.entries);
	}
}

TEST(every_flip_is_refused_but_the_pcr)
{
	struct buf b, c;
	struct hg_ml ml;
	char why[160];
	size_t i, j, off;
	size_t starts[3];
	int ret;

	good_list(&b);
	ASSERT_EQ(0, hg_ml_parse(b.b, b.n, &ml, &off, why, sizeof(why)));
	for (i = 0; i < 3; i++)
		starts[i] = ml.entries[i].offset;
	hg_ml_free(&ml);
	for (i = 0; i < b.n; i++) {
		bool pcr = false;

		for (j = 0; j < 3; j++)
			pcr |= i >= starts[j] && i < starts[j] + 4;
		c = b;
		c.b[i] ^= 0x40;
		ret = parse(c.b, c.n, &ml, &off, why);
		if (pcr) {
			EXPECT_EQ(0, ret) TH_LOG("flip at %zu: %s", i, why);
		} else {
			EXPECT_EQ(-EINVAL, ret) TH_LOG("flip at %zu accepted", i);
		}
	}
}

static void expect_fault(struct __test_metadata *_metadata, struct buf *b,
			 size_t want_off, const char *want)
{
	struct hg_ml ml;
	char why[160] = "";
	size_t off = 0;

	EXPECT_EQ(-EINVAL, parse(b->b, b->n, &ml, &off, why));
	EXPECT_EQ(want_off, off);
	EXPECT_NE(NULL, strstr(why, want)) TH_LOG("'%s', want '%s'", why, want);
}

TEST(malformed_fields)
{
	struct buf b;
	size_t e1;

	good_list(&b);
	e1 = 28 + 10 + 4 + 40 + 4 + 34;		/* the second entry */
	b.b[e1 + 28 + 3] = 'x';			/* "ima-xg" */
	expect_fault(_metadata, &b, e1 + 28, "entry 2: template name is not ima-ng");

	good_list(&b);
	b.b[e1 + 24] = 7;			/* template name length */
	expect_fault(_metadata, &b, e1 + 24, "not ima-ng");

	good_list(&b);
	b.b[e1 + 38] = 41;			/* d_len */
	expect_fault(_metadata, &b, e1 + 38, "digest field length 41, not 40");

	good_list(&b);
	b.b[e1 + 34 + 3] = 0x10;		/* template data length: huge */
	expect_fault(_metadata, &b, e1 + 34, "past the end of the list");

	good_list(&b);
	b.b[e1 + 42 + 7] = ' ';			/* "sha256: " */
	expect_fault(_metadata, &b, e1 + 42, "\"sha256:\"");

	good_list(&b);
	b.b[e1 + 4] ^= 1;			/* template digest */
	expect_fault(_metadata, &b, e1 + 4, "not the SHA-1 of the template data");

	good_list(&b);
	b.b[e1 + 82] += 2;			/* n_len past the data */
	expect_fault(_metadata, &b, e1 + 82, "past the end of the template data");
}

TEST(empty_name_and_kinds)
{
	struct buf b = { .n = 0 };
	struct hg_ml ml;
	char why[160];
	size_t off;

	add(&b, 1, "", 0);
	add(&b, 1, "hashgate:would-deny:", 0);
	add(&b, 1, "hashgate:", 0);
	add(&b, 1, "hashgate", 0);
	add(&b, 1, "/hashgate:x", 0);
	ASSERT_EQ(0, hg_ml_parse(b.b, b.n, &ml, &off, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(5, ml.count);
	EXPECT_EQ(0, ml.entries[0].name_len);
	EXPECT_EQ(HG_ML_KIND_FILE, hg_ml_kind(&ml.entries[0]));
	EXPECT_EQ(HG_ML_KIND_WOULD_DENY, hg_ml_kind(&ml.entries[1]));
	EXPECT_EQ(HG_ML_KIND_HASHGATE, hg_ml_kind(&ml.entries[2]));
	EXPECT_EQ(HG_ML_KIND_FILE, hg_ml_kind(&ml.entries[3]));
	EXPECT_EQ(HG_ML_KIND_FILE, hg_ml_kind(&ml.entries[4]));
	EXPECT_STREQ("would-deny", hg_ml_kind_name(HG_ML_KIND_WOULD_DENY));
	hg_ml_free(&ml);
}

TEST(ascii_escapes)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	hg_ml_escape_name(f, "a b\\c\n\x7f\x01\xc3\xa9~", 11);
	fclose(f);
	EXPECT_STREQ("a b\\134c\\012\\177\\001\xc3\xa9~", out);
	free(out);
}

TEST(replay)
{
	struct buf b;
	struct hg_ml ml;
	uint8_t want[64] = { 0 }, got[64], cat[128], h[64];
	unsigned int n;
	char why[160];
	size_t off, size, i;

	good_list(&b);
	ASSERT_EQ(0, hg_ml_parse(b.b, b.n, &ml, &off, why, sizeof(why)));
	/* sha1: the template digests; PCR 23 has entries 0 and 1. */
	for (i = 0; i < 2; i++) {
		memcpy(cat, want, 20);
		memcpy(cat + 20, ml.entries[i].template_digest, 20);
		EVP_Digest(cat, 40, want, &n, EVP_sha1(), NULL);
	}
	EXPECT_EQ(2, hg_ml_replay(&ml, 23, "sha1", false, got, &size));
	EXPECT_EQ(20, size);
	EXPECT_EQ(0, memcmp(want, got, 20));
	/* sha384 of the template data, for PCR 10's one entry. */
	memset(cat, 0, 48);
	EVP_Digest(ml.entries[2].data, ml.entries[2].data_len, h, &n, EVP_sha384(), NULL);
	memcpy(cat + 48, h, 48);
	EVP_Digest(cat, 96, want, &n, EVP_sha384(), NULL);
	EXPECT_EQ(1, hg_ml_replay(&ml, 10, "sha384", false, got, &size));
	EXPECT_EQ(48, size);
	EXPECT_EQ(0, memcmp(want, got, 48));
	/* A PCR without entries stays zero; an unknown bank is refused. */
	EXPECT_EQ(0, hg_ml_replay(&ml, 7, "sha256", false, got, &size));
	memset(want, 0, sizeof(want));
	EXPECT_EQ(0, memcmp(want, got, 32));
	EXPECT_EQ(-EINVAL, hg_ml_replay(&ml, 23, "sm3", false, got, &size));
	hg_ml_free(&ml);
}

TEST_HARNESS_MAIN
