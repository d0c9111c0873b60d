// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON reader (RFC 8259): one value, nothing after it but blanks,
 * depth bounded, \u escapes (surrogate pairs too) to UTF-8, no NUL in a
 * string. Errors say what was wrong, not where: the documents it reads are
 * machine-written.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_DEPTH	64

struct parser {
	const char *s, *end;
	const char *why;
};

static void blanks(struct parser *p)
{
	while (p->s < p->end && strchr(" \t\r\n", *p->s) && *p->s)
		p->s++;
}

static struct hg_json *fail(struct parser *p, const char *why, struct hg_json *j)
{
	if (!p->why)
		p->why = why;
	hg_json_free(j);
	return NULL;
}

static int hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t utf8(char *o, unsigned long c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A string at p->s (the opening quote), unescaped, in a new buffer. */
static char *string(struct parser *p)
{
	const char *s = ++p->s;
	char *out, *o;

	while (s < p->end && *s != '"')
		s += *s == '\\' ? 2 : 1;
	if (s >= p->end) {
		p->why = p->why ? p->why : "unterminated string";
		return NULL;
	}
	/* Unescaping never makes a string longer (\uXXXX: 6 bytes, at most 4). */
	out = o = malloc((size_t)(s - p->s) + 1);
	if (!out) {
		p->why = "out of memory";
		return NULL;
	}
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s++;
		long u, lo;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		c = (unsigned char)*p->s++;
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = (char)c;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (p->end - p->s < 4 || (u = hex4(p->s)) < 0)
				goto bad;
			p->s += 4;
			if (u >= 0xd800 && u < 0xdc00) {
				if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' ||
				    (lo = hex4(p->s + 2)) < 0xdc00 || lo > 0xdfff)
					goto bad;
				p->s += 6;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			} else if (u >= 0xdc00 && u < 0xe000) {
				goto bad;
			}
			if (!u)
				goto bad;	/* no NUL inside a C string */
			o += utf8(o, (unsigned long)u);
			break;
		default:
			goto bad;
		}
	}
	p->s++;
	*o = '\0';
	return out;
bad:
	free(out);
	p->why = p->why ? p->why : "invalid string";
	return NULL;
}

static struct hg_json *value(struct parser *p, int depth);

/* The elements of an array or the members of an object, after its bracket. */
static struct hg_json *members(struct parser *p, struct hg_json *j, int depth)
{
	bool object = j->type == HG_JSON_OBJECT;
	char close = object ? '}' : ']';
	struct hg_json **tail = &j->child;

	p->s++;
	blanks(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct hg_json *v;

		blanks(p);
		if (object) {
			if (p->s >= p->end || *p->s != '"')
				return fail(p, "expected a member name", j);
			key = string(p);
			if (!key)
				return fail(p, NULL, j);
			blanks(p);
			if (p->s >= p->end || *p->s != ':') {
				free(key);
				return fail(p, "expected ':'", j);
			}
			p->s++;
		}
		/* Parsers disagree on which of two equal names wins: none does. */
		if (key && hg_json_get(j, key)) {
			free(key);
			return fail(p, "a member name given twice", j);
		}
		v = value(p, depth + 1);
		if (!v) {
			free(key);
			return fail(p, NULL, j);
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		blanks(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return j;
		}
		return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'", j);
	}
}

static struct hg_json *value(struct parser *p, int depth)
{
	struct hg_json *j;
	size_t n;

	if (depth > MAX_DEPTH)
		return fail(p, "nested too deep", NULL);
	blanks(p);
	if (p->s >= p->end)
		return fail(p, "unexpected end", NULL);
	j = calloc(1, sizeof(*j));
	if (!j)
		return fail(p, "out of memory", NULL);
	switch (*p->s) {
	case '{':
		j->type = HG_JSON_OBJECT;
		return members(p, j, depth);
	case '[':
		j->type = HG_JSON_ARRAY;
		return members(p, j, depth);
	case '"':
		j->type = HG_JSON_STRING;
		j->str = string(p);
		return j->str ? j : fail(p, NULL, j);
	}
	if ((size_t)(p->end - p->s) >= 4 && !memcmp(p->s, "null", 4)) {
		p->s += 4;
		return j;
	}
	if ((size_t)(p->end - p->s) >= 4 && !memcmp(p->s, "true", 4)) {
		j->type = HG_JSON_BOOL;
		j->str = strdup("true");
		p->s += 4;
		return j->str ? j : fail(p, "out of memory", j);
	}
	if ((size_t)(p->end - p->s) >= 5 && !memcmp(p->s, "false", 5)) {
		j->type = HG_JSON_BOOL;
		j->str = strdup("false");
		p->s += 5;
		return j->str ? j : fail(p, "out of memory", j);
	}
	n = strspn(p->s, "-+0123456789.eE");
	if (!n || n > (size_t)(p->end - p->s))
		return fail(p, "unexpected character", j);
	j->type = HG_JSON_NUMBER;
	j->str = strndup(p->s, n);
	p->s += n;
	return j->str ? j : fail(p, "out of memory", j);
}

/**
 * hg_json_parse() - @len bytes of JSON text into a tree
 * @why: set to the reason on failure
 *
 * @text must be NUL-terminated after @len bytes.
 */
struct hg_json *hg_json_parse(const char *text, size_t len, const char **why)
{
	struct parser p = { .s = text, .end = text + len };
	struct hg_json *j;

	if (memchr(text, '\0', len)) {
		*why = "NUL byte in the text";
		return NULL;
	}
	j = value(&p, 0);
	if (j) {
		blanks(&p);
		if (p.s != p.end)
			j = fail(&p, "text after the value", j);
	}
	*why = p.why;
	return j;
}

/* @obj's member @key, or NULL. */
const struct hg_json *hg_json_get(const struct hg_json *obj, const char *key)
{
	const struct hg_json *m;

	if (!obj || obj->type != HG_JSON_OBJECT)
		return NULL;
	for (m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

/* @obj's string member @key, or NULL. */
const char *hg_json_str(const struct hg_json *obj, const char *key)
{
	const struct hg_json *m = hg_json_get(obj, key);

	return m && m->type == HG_JSON_STRING ? m->str : NULL;
}

void hg_json_free(struct hg_json *j)
{
	while (j) {
		struct hg_json *next = j->next;

		hg_json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}
