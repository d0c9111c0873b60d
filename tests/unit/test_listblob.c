// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled blobs against the kernel's own validator (module/list_format.c):
 * what the tool writes must parse, and what the kernel refuses must be every
 * damaged variant of it.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "list_format.h"
#include "listblob.h"

#define NPATHS	200

/* Paths /p/000../p/199; every third path shares its digest with the next. */
static void make_list(struct hg_text_list *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	l->entries = calloc(NPATHS, sizeof(*l->entries));
	l->count = l->cap = NPATHS;
	for (i = 0; i < NPATHS; i++) {
		struct hg_text_entry *e = &l->entries[i];
		unsigned int seed = (unsigned int)(i - (i % 3 == 1)) * 2654435761u;
		size_t j;

		for (j = 0; j < HG_DIGEST_SIZE; j++)
			e->digest[j] = (uint8_t)(seed >> (j % 4 * 8)) ^ (uint8_t)(j * 7);
		e->path = malloc(16);
		e->len = (size_t)snprintf(e->path, 16, "/p/%03zu", i);
		e->line = i + 1;
	}
}

FIXTURE(blob) {
	struct hg_text_list list;
	uint8_t *blob;
	size_t size;
};

FIXTURE_SETUP(blob)
{
	make_list(&self->list);
	ASSERT_EQ(0, hg_listblob_build(&self->list, 99, true, &self->blob, &self->size));
}

FIXTURE_TEARDOWN(blob)
{
	hg_listtext_free(&self->list);
	free(self->blob);
}

static int parse_copy(const uint8_t *blob, size_t size)
{
	/* A fresh exact-size copy, so ASan flags any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	struct hg_list_view v;
	int ret;

	memcpy(copy, blob, size);
	ret = hg_list_parse(copy, size, &v);
	free(copy);
	return ret;
}

TEST_F(blob, round_trip)
{
	struct hg_list_view v;
	uint8_t other[HG_DIGEST_SIZE];
	size_t i;

	ASSERT_EQ(0, hg_list_parse(self->blob, self->size, &v));
	EXPECT_EQ(99, v.serial);
	EXPECT_EQ(NPATHS, v.path_count);
	EXPECT_EQ(NPATHS - (NPATHS + 1) / 3, v.digest_count);
	for (i = 0; i < NPATHS; i++) {
		const struct hg_text_entry *e = &self->list.entries[i];
		long idx = hg_list_find_path(&v, e->path, e->len);

		EXPECT_TRUE(hg_list_has_digest(&v, e->digest));
		ASSERT_GE(idx, 0);
		EXPECT_EQ(0, memcmp(v.digests + idx * HG_DIGEST_SIZE, e->digest,
				    HG_DIGEST_SIZE));
	}
	memset(other, 0x5a, sizeof(other));
	EXPECT_FALSE(hg_list_has_digest(&v, other));
	other[0] = 0;
	EXPECT_FALSE(hg_list_has_digest(&v, other));
	EXPECT_EQ(-1, hg_list_find_path(&v, "/p/200", 6));
	EXPECT_EQ(-1, hg_list_find_path(&v, "/p/00", 5));
	EXPECT_EQ(-1, hg_list_find_path(&v, "/p/0000", 7));
}

TEST_F(blob, truncation_at_every_length)
{
	size_t len;

	for (len = 0; len < self->size; len++)
		ASSERT_EQ(-EINVAL, parse_copy(self->blob, len)) TH_LOG("length %zu", len);
	EXPECT_EQ(0, parse_copy(self->blob, self->size));
}

TEST_F(blob, trailing_bytes)
{
	uint8_t *longer = calloc(1, self->size + 8);

	memcpy(longer, self->blob, self->size);
	EXPECT_EQ(-EINVAL, parse_copy(longer, self->size + 1));
	EXPECT_EQ(-EINVAL, parse_copy(longer, self->size + 8));
	free(longer);
}

TEST_F(blob, bad_magic_version_flags)
{
	struct hg_list_header *h = (struct hg_list_header *)self->blob;

	h->magic ^= 1;
	EXPECT_EQ(-EINVAL, parse_copy(self->blob, self->size));
	h->magic ^= 1;
	h->version = 2;
	EXPECT_EQ(-EINVAL, parse_copy(self->blob, self->size));
	h->version = 1;
	h->flags = 1;
	EXPECT_EQ(-EINVAL, parse_copy(self->blob, self->size));
	h->flags = 0;
	EXPECT_EQ(0, parse_copy(self->blob, self->size));
}

TEST_F(blob, flipped_sort_order)
{
	struct hg_list_view v;
	uint8_t tmp[HG_DIGEST_SIZE];
	struct hg_list_path p0, p1;
	uint8_t *d, *paths;

	ASSERT_EQ(0, hg_list_parse(self->blob, self->size, &v));
	d = (uint8_t *)v.digests;
	memcpy(tmp, d, HG_DIGEST_SIZE);
	memcpy(d, d + HG_DIGEST_SIZE, HG_DIGEST_SIZE);
	memcpy(d + HG_DIGEST_SIZE, tmp, HG_DIGEST_SIZE);
	EXPECT_EQ(-EINVAL, parse_copy(self->blob, self->size));
	memcpy(d + HG_DIGEST_SIZE, d, HG_DIGEST_SIZE);	/* a duplicate */
	EXPECT_EQ(-EINVAL, parse_copy(self->blob, self->size));
	memcpy(d, tmp, HG_DIGEST_SIZE);
	memcpy(d + HG_DIGEST_SIZE, d, HG_DIGEST_SIZE);
	free(self->blob);
	ASSERT_EQ(0, hg_listblob_build(&self->list, 99, true, &self->blob, &self->size));

	ASSERT_EQ(0, hg_list_parse(self->blob, self->size, &v));
	paths = (uint8_t *)v.paths;
	memcpy(&p0, paths, sizeof(p0));
	memcpy(&p1, paths + sizeof(p0), sizeof(p1));
	memcpy(paths, &p1, sizeof(p1));
	memcpy(paths + sizeof(p0), &p0, sizeof(p0));
	EXPECT_EQ(-EINVAL, parse_copy(self->blob, self->size));
}

/* Without the path index: digests only, 32 bytes each, still all matched. */
TEST_F(blob, without_paths_keeps_every_digest)
{
	struct hg_list_view v, full;
	uint8_t *small;
	size_t size, i;

	ASSERT_EQ(0, hg_list_parse(self->blob, self->size, &full));
	ASSERT_EQ(0, hg_listblob_build(&self->list, 99, false, &small, &size));
	ASSERT_EQ(0, hg_list_parse(small, size, &v));
	EXPECT_EQ(0, v.path_count);
	EXPECT_EQ(full.digest_count, v.digest_count);
	EXPECT_EQ(sizeof(struct hg_list_header) + HG_DIGEST_SIZE * v.digest_count, size);
	for (i = 0; i < self->list.count; i++)
		EXPECT_TRUE(hg_list_has_digest(&v, self->list.entries[i].digest));
	free(small);
}

TEST(empty_list)
{
	struct hg_text_list l = { 0 };
	struct hg_list_view v;
	uint8_t *blob, d[HG_DIGEST_SIZE] = { 0 };
	size_t size;

	ASSERT_EQ(0, hg_listblob_build(&l, 1, true, &blob, &size));
	EXPECT_EQ(sizeof(struct hg_list_header), size);
	ASSERT_EQ(0, hg_list_parse(blob, size, &v));
	EXPECT_FALSE(hg_list_has_digest(&v, d));
	free(blob);
}

TEST_HARNESS_MAIN
