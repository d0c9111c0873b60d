// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of allowlist blobs and lookups in a validated one. Everything
 * is checked before anything is trusted: a blob either parses completely or
 * is refused, so a truncated or hostile write can never become active.
 */
#include "list_format.h"

static int cmp_name(const char *a, u32 alen, const char *b, u32 blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static int check_paths(const struct hg_list_view *v)
{
	const char *prev = NULL;
	u32 prev_len = 0, i;

	for (i = 0; i < v->path_count; i++) {
		const struct hg_list_path *p = &v->paths[i];
		u32 off = le32_to_cpu(p->name_off);
		u32 len = le32_to_cpu(p->name_len);
		const char *name;

		if (p->reserved || len == 0 || len > HG_PATH_MAX ||
		    off > v->strings_size || len > v->strings_size - off)
			return -EINVAL;
		if (le32_to_cpu(p->digest_index) >= v->digest_count)
			return -EINVAL;
		name = v->strings + off;
		if (name[0] != '/' || memchr(name, '\0', len))
			return -EINVAL;
		/* Strictly ascending: sorted for bisection, and no duplicates. */
		if (prev && cmp_name(prev, prev_len, name, len) >= 0)
			return -EINVAL;
		prev = name;
		prev_len = len;
	}
	return 0;
}

/**
 * hg_list_parse() - validate an allowlist blob and describe it
 * @blob: the bytes, as written by userspace
 * @size: their number
 * @view: filled in on success; points into @blob
 *
 * Only the structure is checked here; a signature found after a blob with
 * HG_LIST_F_SIGNED is described in @view, and verifying it is the caller's.
 *
 * Return: 0, -EINVAL for any malformed or truncated blob, -EFBIG when it is
 * larger than HG_LIST_MAX_SIZE.
 */
int hg_list_parse(const void *blob, size_t size, struct hg_list_view *view)
{
	const struct hg_list_header *h = blob;
	const u8 *bytes = blob;
	u64 need;
	u32 i;

	if (size > HG_LIST_MAX_SIZE)
		return -EFBIG;
	if (size < sizeof(*h))
		return -EINVAL;
	if (le32_to_cpu(h->magic) != HG_LIST_MAGIC ||
	    le16_to_cpu(h->version) != HG_LIST_VERSION ||
	    le16_to_cpu(h->header_size) != sizeof(*h) ||
	    le16_to_cpu(h->hash_algo) != HG_HASH_SHA256 ||
	    (le16_to_cpu(h->flags) & ~HG_LIST_F_SIGNED))
		return -EINVAL;

	view->serial = le64_to_cpu(h->serial);
	view->digest_count = le32_to_cpu(h->digest_count);
	view->path_count = le32_to_cpu(h->path_count);
	view->strings_size = le32_to_cpu(h->strings_size);

	/* 64-bit arithmetic: three u32 terms cannot overflow it. */
	need = sizeof(*h) + (u64)view->digest_count * HG_DIGEST_SIZE +
	       (u64)view->path_count * sizeof(struct hg_list_path) +
	       view->strings_size;
	view->signed_size = need;
	view->sig = NULL;
	view->sig_len = 0;
	if (le16_to_cpu(h->flags) & HG_LIST_F_SIGNED) {
		/* The signature is whatever follows; it cannot be empty. */
		if (need >= size)
			return -EINVAL;
		view->sig = bytes + need;
		view->sig_len = size - need;
	} else if (need != size) {
		return -EINVAL;
	}

	view->digests = bytes + sizeof(*h);
	view->paths = (const struct hg_list_path *)(view->digests +
			(size_t)view->digest_count * HG_DIGEST_SIZE);
	view->strings = (const char *)(view->paths + view->path_count);

	for (i = 1; i < view->digest_count; i++) {
		if (memcmp(view->digests + (size_t)(i - 1) * HG_DIGEST_SIZE,
			   view->digests + (size_t)i * HG_DIGEST_SIZE,
			   HG_DIGEST_SIZE) >= 0)
			return -EINVAL;
	}
	return check_paths(view);
}

/**
 * hg_list_has_digest() - is @digest in a validated list
 * @view: from hg_list_parse()
 * @digest: HG_DIGEST_SIZE bytes
 *
 * Bisection over the sorted array: O(log n), no locks, no allocation.
 *
 * Return: true when the list holds @digest.
 */
bool hg_list_has_digest(const struct hg_list_view *view, const u8 *digest)
{
	size_t lo = 0, hi = view->digest_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = memcmp(view->digests + mid * HG_DIGEST_SIZE, digest,
			       HG_DIGEST_SIZE);

		if (!r)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/**
 * hg_list_find_path() - the digest index listed for @path
 * @view: from hg_list_parse()
 * @path: the path, not necessarily NUL-terminated
 * @len: its length
 *
 * Return: the index into the digest array, or -1 when @path is not listed.
 */
long hg_list_find_path(const struct hg_list_view *view, const char *path,
		       size_t len)
{
	size_t lo = 0, hi = view->path_count;

	if (len == 0 || len > HG_PATH_MAX)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct hg_list_path *p = &view->paths[mid];
		int r = cmp_name(view->strings + le32_to_cpu(p->name_off),
				 le32_to_cpu(p->name_len), path, len);

		if (!r)
			return le32_to_cpu(p->digest_index);
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
