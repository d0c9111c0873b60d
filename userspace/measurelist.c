// SPDX-License-Identifier: GPL-2.0
/*
 * The module's measurement list, securityfs 'binary_measurements': IMA's
 * binary runtime measurement format with the ima-ng template (what
 * 'evmctl ima_measurement' reads), little-endian, entries back to back:
 *
 *   u32 pcr, u8 template_digest[20] (SHA-1 of the template data),
 *   u32 template_name_len (6), "ima-ng", u32 template_data_len, and the
 *   template data: u32 d_len (40), "sha256:" NUL + 32-byte digest,
 *   u32 n_len, the name and its NUL (n_len counts the NUL).
 *
 * The parser trusts no length: every field is checked against what is left
 * of the entry and of the list before it is read, and anything that is not
 * exactly the above (a short entry, another template, trailing bytes in the
 * template data, a template digest that is not the SHA-1 of the data) is
 * refused with the offset of the fault. The list is the kernel's, read by
 * root, but a saved copy (--file) may come from anywhere.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "measurelist.h"

#define HDR_SIZE	(4 + HG_ML_SHA1_SIZE + 4)	/* pcr, digest, name length */
#define TEMPLATE	"ima-ng"
#define TEMPLATE_LEN	6
#define D_LEN		40
#define D_PREFIX	"sha256:"			/* and its NUL: 8 bytes */
#define D_PREFIX_LEN	8

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static int fault(size_t *offset, size_t at, size_t entry, char *why, size_t why_size,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fault(size_t *offset, size_t at, size_t entry, char *why, size_t why_size,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	*offset = at;
	n = snprintf(why, why_size, "entry %zu: ", entry + 1);
	if (n >= 0 && (size_t)n < why_size) {
		va_start(ap, fmt);
		vsnprintf(why + n, why_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The SHA-1 of @len bytes at @p, as IMA's template digest; 0 or -ENOMEM. */
static int sha1(const uint8_t *p, size_t len, uint8_t out[HG_ML_SHA1_SIZE])
{
	unsigned int n = 0;

	if (!EVP_Digest(p, len, out, &n, EVP_sha1(), NULL) || n != HG_ML_SHA1_SIZE)
		return -ENOMEM;
	return 0;
}

/* One entry at @o, which is < @len; its end to *@next. 0 or -errno. */
static int parse_entry(const uint8_t *buf, size_t len, size_t o, size_t idx,
		       struct hg_ml_entry *e, size_t *next, size_t *offset,
		       char *why, size_t why_size)
{
	size_t left = len - o, tn_len, td_len, d_len, n_len, d, end;
	uint8_t sum[HG_ML_SHA1_SIZE];

#define FAULT(at, ...) fault(offset, at, idx, why, why_size, __VA_ARGS__)
	if (left < HDR_SIZE)
		return FAULT(o, "truncated entry: %zu bytes left, the entry header "
			     "alone has %d", left, HDR_SIZE);
	memset(e, 0, sizeof(*e));
	e->offset = o;
	e->pcr = get_le32(buf + o);
	memcpy(e->template_digest, buf + o + 4, HG_ML_SHA1_SIZE);
	tn_len = get_le32(buf + o + 4 + HG_ML_SHA1_SIZE);
	o += HDR_SIZE;
	left -= HDR_SIZE;
	if (tn_len != TEMPLATE_LEN)
		return FAULT(o - 4, "template name length %zu: not ima-ng (6)", tn_len);
	if (left < TEMPLATE_LEN + 4)
		return FAULT(o, "truncated entry: %zu bytes left for the template name "
			     "and data length", left);
	if (memcmp(buf + o, TEMPLATE, TEMPLATE_LEN))
		return FAULT(o, "template name is not ima-ng");
	o += TEMPLATE_LEN;
	td_len = get_le32(buf + o);
	o += 4;
	left -= TEMPLATE_LEN + 4;
	if (td_len > left)
		return FAULT(o - 4, "template data length %zu past the end of the list "
			     "(%zu bytes left)", td_len, left);
	e->data = buf + o;
	e->data_len = td_len;
	end = o + td_len;

	/* The template data: the digest field, then the name field. */
	if (td_len < 4)
		return FAULT(o, "template data of %zu bytes: too short for ima-ng", td_len);
	d_len = get_le32(buf + o);
	if (d_len != D_LEN)
		return FAULT(o, "digest field length %zu, not %d", d_len, D_LEN);
	if (td_len < 4 + D_LEN + 4)
		return FAULT(o, "template data of %zu bytes: too short for ima-ng", td_len);
	d = o + 4;
	if (memcmp(buf + d, D_PREFIX, D_PREFIX_LEN))
		return FAULT(d, "digest field does not start \"sha256:\" and a NUL");
	memcpy(e->digest, buf + d + D_PREFIX_LEN, HG_ML_SHA256_SIZE);
	o = d + D_LEN;
	n_len = get_le32(buf + o);
	o += 4;
	if (n_len > end - o)
		return FAULT(o - 4, "name length %zu past the end of the template data "
			     "(%zu bytes left)", n_len, end - o);
	if (!n_len || buf[o + n_len - 1])
		return FAULT(o, "name not NUL-terminated");
	if (memchr(buf + o, '\0', n_len - 1))
		return FAULT(o, "NUL inside the name");
	e->name = (const char *)buf + o;
	e->name_len = n_len - 1;
	o += n_len;
	if (o != end)
		return FAULT(o, "%zu bytes in the template data after the name", end - o);
	if (sha1(e->data, e->data_len, sum))
		return -ENOMEM;
	if (memcmp(sum, e->template_digest, HG_ML_SHA1_SIZE))
		return FAULT(e->offset + 4, "template digest is not the SHA-1 of the "
			     "template data");
#undef FAULT
	*next = end;
	return 0;
}

int hg_ml_parse(const uint8_t *buf, size_t len, struct hg_ml *ml, size_t *offset,
		char *why, size_t why_size)
{
	size_t o = 0;
	int ret;

	memset(ml, 0, sizeof(*ml));
	*offset = 0;
	if (why_size)
		why[0] = '\0';
	while (o < len) {
		if (ml->count == ml->cap) {
			size_t cap = ml->cap ? 2 * ml->cap : 64;
			struct hg_ml_entry *v = realloc(ml->entries, cap * sizeof(*v));

			if (!v) {
				ret = -ENOMEM;
				goto fail;
			}
			ml->entries = v;
			ml->cap = cap;
		}
		ret = parse_entry(buf, len, o, ml->count, &ml->entries[ml->count], &o,
				  offset, why, why_size);
		if (ret)
			goto fail;
		ml->count++;
	}
	return 0;
fail:
	hg_ml_free(ml);
	return ret;
}

void hg_ml_free(struct hg_ml *ml)
{
	free(ml->entries);
	memset(ml, 0, sizeof(*ml));
}

static bool starts(const struct hg_ml_entry *e, const char *prefix)
{
	size_t n = strlen(prefix);

	return e->name_len >= n && !memcmp(e->name, prefix, n);
}

enum hg_ml_kind hg_ml_kind(const struct hg_ml_entry *e)
{
	if (starts(e, HG_ML_WOULD_DENY))
		return HG_ML_KIND_WOULD_DENY;
	if (starts(e, HG_ML_PREFIX))
		return HG_ML_KIND_HASHGATE;
	return HG_ML_KIND_FILE;
}

const char *hg_ml_kind_name(enum hg_ml_kind k)
{
	switch (k) {
	case HG_ML_KIND_FILE:
		return "file";
	case HG_ML_KIND_WOULD_DENY:
		return "would-deny";
	default:
		return "hashgate";
	}
}

const char *hg_ml_path(const struct hg_ml_entry *e, size_t *len)
{
	size_t skip = hg_ml_kind(e) == HG_ML_KIND_WOULD_DENY ? strlen(HG_ML_WOULD_DENY) : 0;

	*len = e->name_len - skip;
	return e->name + skip;
}

void hg_ml_escape_name(FILE *f, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
}

static void print_hex(FILE *f, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

void hg_ml_print_ascii(FILE *f, const struct hg_ml_entry *e)
{
	fprintf(f, "%u ", e->pcr);
	print_hex(f, e->template_digest, HG_ML_SHA1_SIZE);
	fputs(" " TEMPLATE " " D_PREFIX, f);
	print_hex(f, e->digest, HG_ML_SHA256_SIZE);
	fputc(' ', f);
	hg_ml_escape_name(f, e->name, e->name_len);
	fputc('\n', f);
}

static const EVP_MD *bank_md(const char *alg)
{
	if (!strcmp(alg, "sha1"))
		return EVP_sha1();
	if (!strcmp(alg, "sha256"))
		return EVP_sha256();
	if (!strcmp(alg, "sha384"))
		return EVP_sha384();
	if (!strcmp(alg, "sha512"))
		return EVP_sha512();
	return NULL;
}

long hg_ml_replay(const struct hg_ml *ml, uint32_t pcr, const char *alg,
		  bool sha1_padded, uint8_t out[HG_ML_HASH_MAX], size_t *size)
{
	const EVP_MD *md = bank_md(alg);
	bool is_sha1 = md && !strcmp(alg, "sha1");
	uint8_t h[HG_ML_HASH_MAX];
	EVP_MD_CTX *ctx;
	unsigned int n;
	long count = 0;
	size_t i, sz;

	if (!md)
		return -EINVAL;
	sz = (size_t)EVP_MD_get_size(md);
	memset(out, 0, HG_ML_HASH_MAX);
	*size = sz;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < ml->count; i++) {
		const struct hg_ml_entry *e = &ml->entries[i];

		if (e->pcr != pcr)
			continue;
		if (is_sha1 || sha1_padded) {
			memset(h, 0, sizeof(h));
			memcpy(h, e->template_digest, HG_ML_SHA1_SIZE);
		} else if (!EVP_Digest(e->data, e->data_len, h, &n, md, NULL))
			goto fail;
		if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, out, sz) ||
		    !EVP_DigestUpdate(ctx, h, sz) || !EVP_DigestFinal_ex(ctx, out, &n))
			goto fail;
		count++;
	}
	EVP_MD_CTX_free(ctx);
	return count;
fail:
	EVP_MD_CTX_free(ctx);
	return -ENOMEM;
}
