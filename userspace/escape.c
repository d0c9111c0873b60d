// SPDX-License-Identifier: GPL-2.0
/*
 * Quoting of untrusted bytes (paths, comm) for terminals, logs and JSON.
 * Neither form ever emits a raw control character, so one event is always
 * exactly one output line whatever a file is called.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* One character of a value, escaped: what hg_escape_cut() writes for it. */
struct unit {
	char out[8];
	size_t out_len;
	size_t in_len;		/* input bytes it stands for */
};

static void unit_raw(struct unit *u, const uint8_t *p, size_t n)
{
	memcpy(u->out, p, n);
	u->out_len = u->in_len = n;
}

static void unit_str(struct unit *u, size_t in_len, const char *out)
{
	u->out_len = strlen(out);
	memcpy(u->out, out, u->out_len);
	u->in_len = in_len;
}

/* @prefix, then @v in @digits lowercase hex digits: no printf per byte. */
static void unit_hex(struct unit *u, size_t in_len, const char *prefix,
		     unsigned int v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(prefix);

	memcpy(u->out, prefix, n);
	while (digits--)
		u->out[n++] = hex[(v >> (4 * digits)) & 0xf];
	u->out_len = n;
	u->in_len = in_len;
}

/* A backslash and @c. */
static void unit_esc(struct unit *u, uint8_t c)
{
	u->out[0] = '\\';
	u->out[1] = (char)c;
	u->out_len = 2;
	u->in_len = 1;
}

/*
 * JSON. Well-formed UTF-8 passes through; each byte of an ill-formed sequence
 * becomes \u00XX, i.e. it is read as Latin-1. That keeps the output valid
 * JSON and the byte value visible, at the price of ambiguity with a genuine
 * U+0080..U+00FF, which real paths rarely contain; consumers needing exact
 * bytes should use dev/ino.
 */
static void json_unit(struct unit *u, const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	size_t len = c < 0x80 ? 1 : utf8_len(p, n);

	if (c == '"' || c == '\\')
		unit_esc(u, c);
	else if (c == '\n')
		unit_str(u, 1, "\\n");
	else if (c == '\t')
		unit_str(u, 1, "\\t");
	else if (c < 0x20 || c == 0x7f || !len)
		unit_hex(u, 1, "\\u", c, 4);
	else if (len == 2 && c == 0xc2 && p[1] < 0xa0)	/* C1, e.g. U+0085 NEL */
		unit_hex(u, 2, "\\u", p[1], 4);
	else if (is_line_sep(p, len))
		unit_hex(u, 3, "\\u", p[2] == 0xa8 ? 0x2028 : 0x2029, 4);
	else
		unit_raw(u, p, len);
}

/* A JSON string, quotes included; see json_unit(). */
void hg_escape_json(FILE *f, const void *s, size_t len)
{
	fputc('"', f);
	hg_escape_cut(f, s, len, HG_ESC_JSON, SIZE_MAX, NULL);
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

/* Is @c special to @style, to be written with a backslash before it? */
static bool needs_backslash(uint8_t c, enum hg_esc style)
{
	switch (style) {
	case HG_ESC_CEF_HDR:
		return c == '|' || c == '\\';
	case HG_ESC_CEF_EXT:
		return c == '=' || c == '\\';
	case HG_ESC_SD:
		return c == '"' || c == '\\' || c == ']';
	default:
		return false;
	}
}

/* The character of a SIEM format field at @p, escaped in @style. */
static void value_unit(struct unit *u, const uint8_t *p, size_t n, enum hg_esc style)
{
	/* The backslash of \xNN is itself escaped where backslash escapes. */
	const char *hex = style == HG_ESC_LEEF || style == HG_ESC_PLAIN ? "\\x" : "\\\\x";
	size_t len = printable_len(p, n);
	uint8_t c = p[0];

	if (!len && style == HG_ESC_CEF_EXT && (c == '\n' || c == '\r'))
		unit_esc(u, c == '\n' ? 'n' : 'r');
	else if (!len)
		unit_hex(u, 1, hex, c, 2);
	else if (len > 1)
		unit_raw(u, p, len);
	else if (style == HG_ESC_LEEF && c == '^')	/* LEEF has no escape character */
		unit_str(u, 1, "\\x5e");
	else if (needs_backslash(c, style))
		unit_esc(u, c);
	else
		unit_raw(u, p, 1);
}

static void next_unit(struct unit *u, const uint8_t *p, size_t n, enum hg_esc style)
{
	if (style == HG_ESC_JSON)
		json_unit(u, p, n);
	else
		value_unit(u, p, n, style);
}

/* Does @p, escaped, fit in @cap bytes? Stops reading once it does not. */
static bool fits(const uint8_t *p, size_t len, enum hg_esc style, size_t cap)
{
	size_t i = 0, out = 0;
	struct unit u;

	while (i < len && out <= cap) {
		next_unit(&u, p + i, len - i, style);
		out += u.out_len;
		i += u.in_len;
	}
	return out <= cap;
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
	hg_escape_cut(f, s, len, style, SIZE_MAX, NULL);
}

/*
 * hg_escape_value(), in at most @cap bytes (SIZE_MAX: no limit). A value
 * that does not fit keeps as many whole escaped characters as fit before
 * HG_CUT_MARK, which always ends it, so a cut value is never mistaken for a
 * whole one (and is HG_CUT_MARK alone when @cap is below its length). Sets
 * *@cut, when given, to whether the value was cut; returns the bytes written.
 */
size_t hg_escape_cut(FILE *f, const void *s, size_t len, enum hg_esc style,
		     size_t cap, bool *cut)
{
	const size_t mark = sizeof(HG_CUT_MARK) - 1;
	const uint8_t *p = s;
	size_t i = 0, out = 0, used = 0, room = SIZE_MAX;
	bool over = cap != SIZE_MAX && !fits(p, len, style, cap);
	char buf[512];
	struct unit u;

	if (over)
		room = cap > mark ? cap - mark : 0;
	while (i < len) {
		next_unit(&u, p + i, len - i, style);
		if (out + u.out_len > room)
			break;
		if (used + u.out_len > sizeof(buf)) {
			fwrite(buf, 1, used, f);
			used = 0;
		}
		memcpy(buf + used, u.out, u.out_len);
		used += u.out_len;
		out += u.out_len;
		i += u.in_len;
	}
	if (used)
		fwrite(buf, 1, used, f);
	if (over) {
		fputs(HG_CUT_MARK, f);
		out += mark;
	}
	if (cut)
		*cut = over;
	return out;
}
