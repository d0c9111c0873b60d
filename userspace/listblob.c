// SPDX-License-Identifier: GPL-2.0
/*
 * Compile a parsed text allowlist into the blob of uapi/hashgate.h: sorted
 * unique digests (the kernel bisects them on every exec), then the path
 * index in memcmp() order with offsets into one string area.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "list_format.h"
#include "listblob.h"
#include "util.h"

/* Digests are uniformly distributed: the first 8 bytes nearly always decide. */
static int cmp_digest_fast(const void *a, const void *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x = be64toh(x);
	y = be64toh(y);
	if (x != y)
		return x < y ? -1 : 1;
	return memcmp(a, b, HG_DIGEST_SIZE);
}

/*
 * @list must come from a clean hg_listtext_parse(): sorted by path, unique.
 * Without @with_paths the blob has no path index (32 bytes a digest; the
 * kernel then cannot tell hash-mismatch from not-in-allowlist). On success
 * *@blob is malloc()ed and *@size its length; -ENOMEM, or -EFBIG when the
 * result would exceed what the kernel accepts.
 */
int hg_listblob_build(const struct hg_text_list *list, uint64_t serial,
		      bool with_paths, uint8_t **blob, size_t *size)
{
	size_t npaths = with_paths ? list->count : 0;
	struct hg_list_header h = { 0 };
	struct hg_list_path *paths;
	uint8_t *buf, *digests;
	uint64_t strings = 0, total;
	size_t i, ndig = 0;
	char *str;

	for (i = 0; i < npaths; i++)
		strings += list->entries[i].len;
	total = sizeof(h) + (uint64_t)list->count * HG_DIGEST_SIZE +
		(uint64_t)npaths * sizeof(*paths) + strings;
	if (total > HG_LIST_MAX_SIZE)
		return -EFBIG;
	buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;

	/* Unique digests first; the blob is then shrunk to what is used. */
	digests = buf + sizeof(h);
	for (i = 0; i < list->count; i++)
		memcpy(digests + i * HG_DIGEST_SIZE, list->entries[i].digest,
		       HG_DIGEST_SIZE);
	if (list->count)
		qsort(digests, list->count, HG_DIGEST_SIZE, cmp_digest_fast);
	for (i = 0; i < list->count; i++) {
		if (ndig && !memcmp(digests + (ndig - 1) * HG_DIGEST_SIZE,
				    digests + i * HG_DIGEST_SIZE, HG_DIGEST_SIZE))
			continue;
		memmove(digests + ndig * HG_DIGEST_SIZE, digests + i * HG_DIGEST_SIZE,
			HG_DIGEST_SIZE);
		ndig++;
	}

	paths = (struct hg_list_path *)(digests + ndig * HG_DIGEST_SIZE);
	str = (char *)(paths + npaths);
	strings = 0;
	for (i = 0; i < npaths; i++) {
		const struct hg_text_entry *e = &list->entries[i];
		const uint8_t *d = bsearch(e->digest, digests, ndig, HG_DIGEST_SIZE,
					   cmp_digest_fast);
		struct hg_list_path p = {
			.name_off = htole32((uint32_t)strings),
			.name_len = htole32((uint32_t)e->len),
			.digest_index =
				htole32((uint32_t)((d - digests) / HG_DIGEST_SIZE)),
		};

		memcpy(&paths[i], &p, sizeof(p));
		memcpy(str + strings, e->path, e->len);
		strings += e->len;
	}

	h.magic = htole32(HG_LIST_MAGIC);
	h.version = htole16(HG_LIST_VERSION);
	h.header_size = htole16(sizeof(h));
	h.serial = htole64(serial);
	h.digest_count = htole32((uint32_t)ndig);
	h.path_count = htole32((uint32_t)npaths);
	h.strings_size = htole32((uint32_t)strings);
	h.hash_algo = htole16(HG_HASH_SHA256);
	memcpy(buf, &h, sizeof(h));

	*size = (size_t)(str + strings - (char *)buf);
	*blob = buf;
	return 0;
}

/* Does @buf start like a compiled blob (rather than text)? */
bool hg_listblob_is_blob(const uint8_t *buf, size_t len)
{
	uint32_t magic;

	if (len < sizeof(magic))
		return false;
	memcpy(&magic, buf, sizeof(magic));
	return le32toh(magic) == HG_LIST_MAGIC;
}

/*
 * Text allowlist @text (@len bytes, read from @name) -> blob, with header
 * @flags (HG_LIST_F_SIGNED: the caller appends the signature), with the path
 * index when @with_paths. The serial is
 * *@serial, else the list's '# hashgate-serial:' line, else the time. The
 * blob is checked with the kernel's own hg_list_parse() before it is
 * returned. Errors are printed; return 0 or an HG_EXIT_* code.
 */
int hg_listblob_compile(const char *name, const uint8_t *text, size_t len,
			const uint64_t *serial, uint16_t flags, bool with_paths,
			uint8_t **blob, size_t *size)
{
	struct hg_text_list list;
	struct hg_list_header h;
	struct hg_list_view view;
	uint64_t s;
	FILE *in;
	int ret;

	/* fmemopen() of a const buffer in "r" mode never writes to it. */
	in = fmemopen((void *)text, len, "r");
	if (!in) {
		hg_error("cannot read", name, errno);
		return HG_EXIT_FAIL;
	}
	ret = hg_listtext_parse(in, name, &list, stderr);
	fclose(in);
	if (ret < 0) {
		hg_error("cannot read", name, -ret);
		return HG_EXIT_FAIL;
	}
	if (ret > 0) {
		hg_errorf("%d error%s in '%s'; nothing loaded", ret,
			  ret == 1 ? "" : "s", name);
		ret = HG_EXIT_FAIL;
		goto out;
	}
	s = serial ? *serial : list.has_serial ? list.serial : (uint64_t)time(NULL);
	ret = hg_listblob_build(&list, s, with_paths, blob, size);
	if (ret) {
		hg_error("cannot compile", name, -ret);
		ret = HG_EXIT_FAIL;
		goto out;
	}
	/* Self-check with the kernel's validator, before the flags are set. */
	ret = hg_list_parse(*blob, *size, &view);
	memcpy(&h, *blob, sizeof(h));
	h.flags = htole16(flags);
	memcpy(*blob, &h, sizeof(h));
	if (ret) {
		hg_error("internal error: compiled blob fails validation", name, -ret);
		free(*blob);
		*blob = NULL;
		ret = HG_EXIT_FAIL;
	}
out:
	hg_listtext_free(&list);
	return ret;
}

/*
 * The digests of @file, a text allowlist or a compiled blob (signed or
 * not; the signature is the kernel's to check, not this): *@blob is the
 * blob, malloc()ed, and *@view its view. 0, or -1 with the error said.
 */
int hg_listblob_load(const char *file, uint8_t **blob, struct hg_list_view *view)
{
	uint8_t *in = NULL;
	size_t len, size;
	int ret = hg_read_file(file, HG_INPUT_MAX, &in, &len);

	if (ret || !len) {
		hg_error_text("cannot read", file, ret ? strerror(-ret) : "empty file");
		free(in);
		return -1;
	}
	if (hg_listblob_is_blob(in, len)) {
		*blob = in;
	} else {
		ret = hg_listblob_compile(file, in, len, NULL, 0, false, blob, &size);
		free(in);
		if (ret)
			return -1;
		len = size;
	}
	if (hg_list_parse(*blob, len, view)) {
		hg_error_text("not a valid allowlist", file, "malformed or truncated");
		free(*blob);
		*blob = NULL;
		return -1;
	}
	return 0;
}
