/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_LISTBLOB_H
#define _HG_LISTBLOB_H

#include <stddef.h>
#include <stdint.h>

#include "listtext.h"

int hg_listblob_build(const struct hg_text_list *list, uint64_t serial,
		      uint8_t **blob, size_t *size);

#endif /* _HG_LISTBLOB_H */
