/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_LISTBLOB_H
#define _HG_LISTBLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listtext.h"

/* The most 'load' and 'sign' read: text of a list near HG_LIST_MAX_SIZE. */
#define HG_INPUT_MAX	((size_t)4 * HG_LIST_MAX_SIZE)

int hg_listblob_build(const struct hg_text_list *list, uint64_t serial,
		      bool with_paths, uint8_t **blob, size_t *size);
bool hg_listblob_is_blob(const uint8_t *buf, size_t len);
int hg_listblob_compile(const char *name, const uint8_t *text, size_t len,
			const uint64_t *serial, uint16_t flags, bool with_paths,
			uint8_t **blob, size_t *size);
struct hg_list_view;
int hg_listblob_load(const char *file, uint8_t **blob, struct hg_list_view *view);

#endif /* _HG_LISTBLOB_H */
