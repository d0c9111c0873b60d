/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_LISTTEXT_H
#define _HG_LISTTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hashgate.h"

struct hg_text_entry {
	uint8_t digest[HG_DIGEST_SIZE];
	char *path;		/* unescaped bytes, NUL-terminated for convenience */
	size_t len;
	unsigned long line;
	const char *origin;	/* its "# hashgate-from:" line's, or NULL */
};

/* A parsed text allowlist; after a clean parse, sorted by path and unique. */
struct hg_text_list {
	struct hg_text_entry *entries;
	size_t count, cap;
	bool has_serial;	/* a "# hashgate-serial: N" line was seen */
	uint64_t serial;
	char **origins;		/* of "# hashgate-from:" lines, owned here */
	size_t norigins;
};

int hg_listtext_parse(FILE *in, const char *name, struct hg_text_list *list, FILE *err);
void hg_listtext_free(struct hg_text_list *list);
void hg_listtext_write(FILE *out, const uint8_t *digest, const char *path, size_t len);
void hg_listtext_write_origin(FILE *out, const char *origin);
const char *hg_listtext_unescape(char *s, size_t *len);
void hg_listtext_escape(FILE *out, const char *path, size_t len);
int hg_path_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif /* _HG_LISTTEXT_H */
