// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the parser of the measurement list (securityfs
 * 'binary_measurements', or a saved copy given to 'hashgate measurements
 * --file'): the very measurelist.c the tool builds, fed arbitrary bytes.
 * A list that parses must hold what the parser promises: entries back to
 * back from offset 0 to the end, each name NUL-terminated inside its
 * template data and without an inner NUL, each template digest the SHA-1
 * of its data; it is then printed (ASCII) and replayed. A refused one
 * leaves nothing behind and says why, at an offset inside the input.
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/measurelist.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy, pcr[HG_ML_HASH_MAX], sum[HG_ML_SHA1_SIZE];
	char why[160], *out = NULL;
	struct hg_ml ml;
	size_t i, off, len = 0, at = 0, dsize;
	FILE *f;

	/* An exact-size heap copy: ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	why[0] = '\0';
	if (hg_ml_parse(copy, size, &ml, &off, why, sizeof(why))) {
		if (ml.entries || ml.count || !why[0] || !memchr(why, '\0', sizeof(why)) ||
		    off > size)
			abort();
		free(copy);
		return 0;
	}
	for (i = 0; i < ml.count; i++) {
		const struct hg_ml_entry *e = &ml.entries[i];
		const uint8_t *name = (const uint8_t *)e->name;

		if (e->offset != at || e->data < copy + at ||
		    e->data + e->data_len > copy + size ||
		    name < e->data || name + e->name_len >= e->data + e->data_len ||
		    name[e->name_len] || strlen(e->name) != e->name_len)
			abort();
		if (sha1(e->data, e->data_len, sum) ||
		    memcmp(sum, e->template_digest, sizeof(sum)))
			abort();
		at = (size_t)(e->data + e->data_len - copy);
	}
	if (at != size)
		abort();
	f = open_memstream(&out, &len);
	if (f) {
		for (i = 0; i < ml.count; i++)
			hg_ml_print_ascii(f, &ml.entries[i]);
		fclose(f);
	}
	free(out);
	if (ml.count && hg_ml_replay(&ml, ml.entries[0].pcr, "sha256", false, pcr, &dsize) <= 0)
		abort();
	hg_ml_free(&ml);
	free(copy);
	return 0;
}
