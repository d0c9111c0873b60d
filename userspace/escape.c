// SPDX-License-Identifier: GPL-2.0
/*
 * Quoting of untrusted bytes (paths, comm) for terminals, logs and JSON.
 * Neither form ever emits a raw control character, so one event is always
 * exactly one output line whatever a file is called.
 */
#include <stdint.h>

#include "escape.h"

/* "..." with \" and \\, and \xNN for anything not printable ASCII. */
void hg_escape_text(FILE *f, const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], f);
		else
			fprintf(f, "\\x%02x", p[i]);
	}
	fputc('"', f);
}

/* Length of the well-formed UTF-8 sequence at @p (RFC 3629), or 0. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A JSON string, quotes included. Well-formed UTF-8 passes through; each byte
 * of an ill-formed sequence becomes \u00XX, i.e. it is read as Latin-1. That
 * keeps the output valid JSON and the byte value visible, at the price of
 * ambiguity with a genuine U+0080..U+00FF, which real paths rarely contain;
 * consumers needing exact bytes should use dev/ino.
 */
void hg_escape_json(FILE *f, const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		uint8_t c = p[i];

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c >= 0x80) {
			n = utf8_len(p + i, len - i);
			if (!n) {
				fprintf(f, "\\u%04x", c);
				i++;
				continue;
			}
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		} else {
			fputc(c, f);
		}
		i++;
	}
	fputc('"', f);
}
