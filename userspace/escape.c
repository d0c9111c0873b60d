// SPDX-License-Identifier: GPL-2.0
/*
 * Quoting of untrusted bytes (paths, comm) for terminals, logs and JSON.
 * Neither form ever emits a raw control character, so one event is always
 * exactly one output line whatever a file is called.
 */
#include <stdbool.h>
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

/* A path as is when it is printable ASCII without space, " or \, else quoted. */
void hg_print_path(FILE *f, const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\')
			break;
	if (i == len)
		fwrite(p, 1, len, f);
	else
		hg_escape_text(f, p, len);
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

/* U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: line breaks to some. */
static bool is_line_sep(const uint8_t *p, size_t n)
{
	return n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
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
			if (!n || (n == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
				/* Ill-formed, or a C1 control such as U+0085 NEL. */
				fprintf(f, "\\u%04x", n ? p[i + 1] : c);
				i += n ? n : 1;
				continue;
			}
			if (is_line_sep(p + i, n)) {
				fprintf(f, "\\u%02x%02x", 0x20, p[i + 2] == 0xa8 ? 0x28 : 0x29);
				i += n;
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

/* Length of a printable character at @p: well-formed UTF-8, no C0/C1 control. */
static size_t printable_len(const uint8_t *p, size_t n)
{
	size_t len;

	if (p[0] < 0x20 || p[0] == 0x7f)
		return 0;
	len = utf8_len(p, n);
	/* U+0080..U+009F, the C1 controls, are 0xc2 0x80..0x9f. */
	if ((len == 2 && p[0] == 0xc2 && p[1] < 0xa0) || is_line_sep(p, len))
		return 0;
	return len;
}

/* Would hg_escape_value() write any byte of @s as \xNN? */
bool hg_is_printable_utf8(const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i = 0, n;

	while (i < len) {
		n = printable_len(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/*
 * Untrusted bytes as the value of a SIEM format field. Printable UTF-8 passes
 * through, with the characters special to @style escaped; every other byte
 * (control characters, ill-formed UTF-8) becomes the four characters \xNN,
 * whose backslash is itself escaped where the format has an escape
 * character, so a decoded value reads "\xNN". The output never contains a
 * control character, so a record always stays one line. CEF extensions are
 * the exception the spec makes: a newline is \n and a carriage return \r.
 */
void hg_escape_value(FILE *f, const void *s, size_t len, enum hg_esc style)
{
	const char *bs = style == HG_ESC_LEEF || style == HG_ESC_PLAIN ? "\\" : "\\\\";
	const uint8_t *p = s;
	size_t i = 0, n;

	while (i < len) {
		uint8_t c = p[i];

		n = printable_len(p + i, len - i);
		if (!n) {
			if (style == HG_ESC_CEF_EXT && c == '\n')
				fputs("\\n", f);
			else if (style == HG_ESC_CEF_EXT && c == '\r')
				fputs("\\r", f);
			else
				fprintf(f, "%sx%02x", bs, c);
			i++;
			continue;
		}
		if (n > 1) {
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		}
		switch (style) {
		case HG_ESC_CEF_HDR:
			if (c == '|' || c == '\\')
				fputc('\\', f);
			break;
		case HG_ESC_CEF_EXT:
			if (c == '=' || c == '\\')
				fputc('\\', f);
			break;
		case HG_ESC_LEEF:
			if (c == '^') {
				fputs("\\x5e", f);
				i++;
				continue;
			}
			break;
		case HG_ESC_SD:
			if (c == '"' || c == '\\' || c == ']')
				fputc('\\', f);
			break;
		case HG_ESC_PLAIN:
			break;
		}
		fputc(c, f);
		i++;
	}
}
