// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the allowlist blob parser: the very list_format.c the
 * module compiles, fed arbitrary bytes. A blob that parses is then searched
 * for every digest and path it claims to hold, and for near misses, so the
 * lookups run on exactly what a hostile writer got past validation.
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../module/list_format.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_list_view v;
	uint8_t probe[HG_DIGEST_SIZE];
	uint8_t *copy;
	u32 i;

	/* An exact-size heap copy: ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (hg_list_parse(copy, size, &v)) {
		free(copy);
		return 0;
	}
	if (v.signed_size > size || (v.sig && v.sig + v.sig_len != copy + size) ||
	    (!v.sig && v.signed_size != size))
		abort();
	for (i = 0; i < v.digest_count; i++) {
		memcpy(probe, v.digests + (size_t)i * HG_DIGEST_SIZE, HG_DIGEST_SIZE);
		if (!hg_list_has_digest(&v, probe))
			abort();
		probe[HG_DIGEST_SIZE - 1] ^= 1;
		(void)hg_list_has_digest(&v, probe);
	}
	for (i = 0; i < v.path_count; i++) {
		const struct hg_list_path *p = &v.paths[i];
		const char *name = v.strings + le32_to_cpu(p->name_off);
		size_t len = le32_to_cpu(p->name_len);

		if (hg_list_find_path(&v, name, len) != (long)le32_to_cpu(p->digest_index))
			abort();
		(void)hg_list_find_path(&v, name, len - 1);
	}
	/* Lookups of arbitrary input, too: the tail of the data as a path. */
	if (size > 1)
		(void)hg_list_find_path(&v, (const char *)copy + size / 2, size - size / 2);
	free(copy);
	return 0;
}
