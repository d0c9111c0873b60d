/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's measurement list (securityfs 'binary_measurements'): IMA's
 * binary runtime measurement format, ima-ng template, little-endian. See
 * hashgate(8) and measurelist.c.
 */
#ifndef _HG_MEASURELIST_H
#define _HG_MEASURELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HG_ML_FILE		"binary_measurements"
#define HG_ML_MAX		((size_t)256 << 20)	/* the most read: 256 MiB */
#define HG_ML_SHA1_SIZE		20
#define HG_ML_SHA256_SIZE	32
#define HG_ML_HASH_MAX		64			/* sha512 */
#define HG_ML_PREFIX		"hashgate:"
#define HG_ML_WOULD_DENY	"hashgate:would-deny:"

enum hg_ml_kind {
	HG_ML_KIND_FILE,	/* an allowed executable: name is its path */
	HG_ML_KIND_WOULD_DENY,	/* audit mode: "hashgate:would-deny:" + path */
	HG_ML_KIND_HASHGATE,	/* any other "hashgate:" record */
};

struct hg_ml_entry {
	size_t offset;		/* of the entry in the list */
	uint32_t pcr;
	uint8_t template_digest[HG_ML_SHA1_SIZE];
	uint8_t digest[HG_ML_SHA256_SIZE];
	const uint8_t *data;	/* the template data, in the parsed buffer */
	size_t data_len;
	const char *name;	/* in the parsed buffer, NUL-terminated there */
	size_t name_len;	/* without the NUL */
};

struct hg_ml {
	struct hg_ml_entry *entries;
	size_t count, cap;
};

/*
 * Parse @len bytes at @buf. The entries point into @buf, which must
 * outlive them. 0; -EINVAL with *@offset the offset of the fault and @why
 * saying what it is (nothing is kept); -ENOMEM.
 */
int hg_ml_parse(const uint8_t *buf, size_t len, struct hg_ml *ml, size_t *offset,
		char *why, size_t why_size);
void hg_ml_free(struct hg_ml *ml);

enum hg_ml_kind hg_ml_kind(const struct hg_ml_entry *e);
const char *hg_ml_kind_name(enum hg_ml_kind k);
/* The file's path of a file or would-deny entry; its length in *@len. */
const char *hg_ml_path(const struct hg_ml_entry *e, size_t *len);

/* IMA's ASCII line: "PCR TEMPLATE-SHA1 ima-ng sha256:HEX NAME\n". */
void hg_ml_print_ascii(FILE *f, const struct hg_ml_entry *e);
/* The name as the ASCII list has it: < 0x20, 0x7f and '\' as \ooo. */
void hg_ml_escape_name(FILE *f, const char *name, size_t len);

/*
 * Replay the entries of PCR @pcr in the bank of hash @alg ("sha1",
 * "sha256", "sha384", "sha512"): from zeros, PCR = H(PCR || H(data)), with
 * the template digest as H(data) for sha1. With @sha1_padded, H(data) is
 * the template digest padded with zeros in every bank: what the kernel
 * (IMA, hashgate) extends a bank with when it has no such hash itself.
 * The value to @out, its size to *@size; how many entries were extended,
 * or -EINVAL for an unknown @alg, -ENOMEM.
 */
long hg_ml_replay(const struct hg_ml *ml, uint32_t pcr, const char *alg,
		  bool sha1_padded, uint8_t out[HG_ML_HASH_MAX], size_t *size);

#endif /* _HG_MEASURELIST_H */
