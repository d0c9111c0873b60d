/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_ESCAPE_H
#define _HG_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

void hg_escape_text(FILE *f, const void *s, size_t len);
void hg_escape_json(FILE *f, const void *s, size_t len);

#endif /* _HG_ESCAPE_H */
