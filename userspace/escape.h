/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_ESCAPE_H
#define _HG_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

void hg_escape_text(FILE *f, const void *s, size_t len);
void hg_escape_json(FILE *f, const void *s, size_t len);
void hg_print_path(FILE *f, const void *s, size_t len);

/* Escaping styles of hg_escape_value(), one per SIEM format. */
enum hg_esc {
	HG_ESC_CEF_HDR,		/* CEF/LEEF header field: \| and \\ */
	HG_ESC_CEF_EXT,		/* CEF extension value: \\ \= \n \r */
	HG_ESC_LEEF,		/* LEEF 2.0 value: the '^' delimiter as \x5e */
	HG_ESC_SD,		/* RFC 5424 SD-PARAM value: \" \\ \] */
	HG_ESC_PLAIN,		/* free text: only \xNN */
	HG_ESC_JSON,		/* the inside of a JSON string, as hg_escape_json() */
};

/*
 * What ends a value cut short to keep a record within its size limit. No
 * format escapes any of its characters, so it reads the same in all.
 */
#define HG_CUT_MARK	"...(truncated)"

bool hg_is_printable_utf8(const void *s, size_t len);
void hg_escape_value(FILE *f, const void *s, size_t len, enum hg_esc style);
size_t hg_escape_cut(FILE *f, const void *s, size_t len, enum hg_esc style,
		     size_t cap, bool *cut);

#endif /* _HG_ESCAPE_H */
