// SPDX-License-Identifier: GPL-2.0
/*
 * The text allowlist: sha256sum(1) output, so 'sha256sum FILE... >list'
 * and 'hashgate build' both produce it. Lines are "<64 hex>  <path>" or
 * "<64 hex> *<path>"; a leading backslash marks a path escaped with \\, \n
 * and \r as coreutils does. '#' starts a comment; "# hashgate-serial: N"
 * sets the serial; "# hashgate-from: ORIGIN" says where the entries after
 * it come from (a package, an image layer), until the next such line. Errors are collected, never fatal one by one, so a user
 * fixes a whole file in one pass.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "listtext.h"
#include "util.h"

#define DIRECTIVE "hashgate-serial:"
#define FROM "hashgate-from:"

/*
 * Undo sha256sum's escaping of a path in place; NULL or the reason it is
 * malformed. The build cache escapes its paths the same way.
 */
const char *hg_listtext_unescape(char *s, size_t *len)
{
	size_t i, o = 0;

	for (i = 0; i < *len; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		if (++i == *len)
			return "path ends in a lone backslash";
		if (s[i] == '\\')
			s[o++] = '\\';
		else if (s[i] == 'n')
			s[o++] = '\n';
		else if (s[i] == 'r')
			s[o++] = '\r';
		else
			return "invalid escape sequence in path";
	}
	*len = o;
	s[o] = '\0';
	return NULL;
}

/* "# hashgate-from: ORIGIN": the origin of the entries that follow. */
static const char *parse_from(const char *s, struct hg_text_list *list,
			      const char **origin)
{
	char **v, *o;
	size_t n;

	s += strlen(FROM);
	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return "'# hashgate-from:' without an origin";
	if (*origin && strlen(*origin) == n && !memcmp(*origin, s, n))
		return NULL;
	v = realloc(list->origins, (list->norigins + 1) * sizeof(*v));
	if (!v)
		return strerror(ENOMEM);
	list->origins = v;
	o = strndup(s, n);
	if (!o)
		return strerror(ENOMEM);
	list->origins[list->norigins++] = o;
	*origin = o;
	return NULL;
}

static const char *parse_directive(const char *s, struct hg_text_list *list,
				   const char **origin)
{
	char num[32];
	size_t n;

	s += strspn(s, " \t");
	if (!strncmp(s, FROM, strlen(FROM)))
		return parse_from(s, list, origin);
	if (strncmp(s, DIRECTIVE, strlen(DIRECTIVE)))
		return NULL;			/* an ordinary comment */
	s += strlen(DIRECTIVE);
	s += strspn(s, " \t");
	n = strcspn(s, " \t");
	if (s[n + strspn(s + n, " \t")] || n == 0 || n >= sizeof(num))
		return "malformed '# hashgate-serial: N' line";
	memcpy(num, s, n);
	num[n] = '\0';
	if (list->has_serial)
		return "second '# hashgate-serial:' line";
	if (hg_parse_u64(num, &list->serial))
		return "serial is not a decimal number";
	list->has_serial = true;
	return NULL;
}

/* Parse one line (newline stripped) into @e; NULL or why it is wrong. */
static const char *parse_line(char *s, size_t len, struct hg_text_entry *e)
{
	bool escaped = s[0] == '\\';
	const char *why;
	size_t i;

	if (escaped)
		s++, len--;
	for (i = 0; i < 2 * HG_DIGEST_SIZE; i++) {
		if (i >= len || s[i] == ' ' || s[i] == '\t')
			return "digest is shorter than 64 hex digits";
		if (hg_hexval((unsigned char)s[i]) < 0)
			return "digest contains a non-hex character";
	}
	hg_unhex(e->digest, s, HG_DIGEST_SIZE);
	if (i < len && hg_hexval((unsigned char)s[i]) >= 0)
		return "digest is longer than 64 hex digits";
	if (i + 2 > len || s[i] != ' ' || (s[i + 1] != ' ' && s[i + 1] != '*'))
		return i + 2 > len ? "missing path" :
		       "expected two spaces or ' *' between digest and path";
	s += i + 2;
	len -= i + 2;
	if (!len)
		return "missing path";
	if (memchr(s, '\0', len))
		return "NUL byte in path";
	s[len] = '\0';
	if (escaped && (why = hg_listtext_unescape(s, &len)))
		return why;
	if (s[0] != '/')
		return "path is not absolute";
	if (len > HG_PATH_MAX)
		return "path is longer than 4096 bytes";
	e->path = malloc(len + 1);
	if (!e->path)
		return strerror(ENOMEM);
	memcpy(e->path, s, len + 1);
	e->len = len;
	return NULL;
}

/*
 * The order of a list's paths: bytewise, a prefix first, as the blob's
 * path index and 'sort' under LC_ALL=C have them. Paths may hold NULs
 * only in theory, but lengths are what the entries carry.
 */
int hg_path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct hg_text_entry *x = a, *y = b;
	int r = hg_path_cmp(x->path, x->len, y->path, y->len);

	return r ? r : x->line < y->line ? -1 : x->line > y->line;
}

/* Sort by path, drop exact repeats, report a path with two digests. */
static int dedup(const char *name, struct hg_text_list *list, FILE *err)
{
	size_t i, o = 0;
	int errors = 0;

	/* 'hashgate build' writes sorted lists: check before sorting. */
	for (i = 1; i < list->count; i++)
		if (cmp_entry(&list->entries[i - 1], &list->entries[i]) > 0)
			break;
	if (i < list->count)
		qsort(list->entries, list->count, sizeof(*list->entries), cmp_entry);
	for (i = 0; i < list->count; i++) {
		struct hg_text_entry *e = &list->entries[i];
		struct hg_text_entry *prev = o ? &list->entries[o - 1] : NULL;

		if (prev && !hg_path_cmp(prev->path, prev->len, e->path, e->len)) {
			if (memcmp(prev->digest, e->digest, HG_DIGEST_SIZE)) {
				fprintf(err, "%s:%lu: path ", name, e->line);
				hg_escape_text(err, e->path, e->len);
				fprintf(err, " already listed with another digest"
					" at line %lu\n", prev->line);
				errors++;
			}
			free(e->path);
			continue;
		}
		list->entries[o++] = *e;
	}
	list->count = o;
	return errors;
}

/*
 * Parse @in, named @name in messages written to @err as "FILE:LINE: reason".
 * Return the number of errors (0: @list is ready), or -errno on I/O failure.
 */
int hg_listtext_parse(FILE *in, const char *name, struct hg_text_list *list, FILE *err)
{
	unsigned long lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	const char *why, *origin = NULL;
	ssize_t n;
	int errors = 0, ret;

	memset(list, 0, sizeof(*list));
	while ((n = getline(&line, &cap, in)) >= 0) {
		struct hg_text_entry e = { .line = ++lineno, .origin = origin };

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[strspn(line, " \t")] == '\0' && !memchr(line, '\0', n))
			continue;
		if (line[0] == '#')
			why = parse_directive(line + 1, list, &origin);
		else
			why = parse_line(line, n, &e);
		if (why) {
			fprintf(err, "%s:%lu: %s\n", name, lineno, why);
			errors++;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (list->count == list->cap) {
			size_t ncap = list->cap ? 2 * list->cap : 256;
			void *p = realloc(list->entries, ncap * sizeof(*list->entries));

			if (!p) {
				free(e.path);
				ret = -ENOMEM;
				goto fail;
			}
			list->entries = p;
			list->cap = ncap;
		}
		list->entries[list->count++] = e;
	}
	if (ferror(in)) {
		ret = -EIO;
		goto fail;
	}
	free(line);
	return errors + dedup(name, list, err);
fail:
	free(line);
	hg_listtext_free(list);
	return ret;
}

void hg_listtext_free(struct hg_text_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->entries[i].path);
	free(list->entries);
	for (i = 0; i < list->norigins; i++)
		free(list->origins[i]);
	free(list->origins);
	memset(list, 0, sizeof(*list));
}

/* One line in sha256sum's format, escaped the way coreutils 9 does it. */
void hg_listtext_write(FILE *out, const uint8_t *digest, const char *path, size_t len)
{
	char hex[2 * HG_DIGEST_SIZE + 1];
	bool escape = memchr(path, '\\', len) || memchr(path, '\n', len) ||
		      memchr(path, '\r', len);

	hg_hex(hex, digest, HG_DIGEST_SIZE);
	fprintf(out, "%s%s  ", escape ? "\\" : "", hex);
	if (escape)
		hg_listtext_escape(out, path, len);
	else
		fwrite(path, 1, len, out);
	fputc('\n', out);
}

/* A path with \\, \n and \r escaped, as coreutils does and the build cache too. */
void hg_listtext_escape(FILE *out, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (path[i] == '\\')
			fputs("\\\\", out);
		else if (path[i] == '\n')
			fputs("\\n", out);
		else if (path[i] == '\r')
			fputs("\\r", out);
		else
			fputc(path[i], out);
	}
}

/* Where the entries written next come from; sha256sum -c skips the line. */
void hg_listtext_write_origin(FILE *out, const char *origin)
{
	fprintf(out, "# " FROM " %s\n", origin);
}
