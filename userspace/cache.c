// SPDX-License-Identifier: GPL-2.0
/*
 * The digest cache of 'hashgate build --cache FILE': a text file, one line
 * per regular file examined by the last build,
 *
 *   <sha256 hex, or - when not an executable> DEV INO SIZE MTIME_S MTIME_NS
 *   CTIME_S CTIME_NS <path, with \\ \n \r escaped>
 *
 * A file whose (dev, ino, size, mtime, ctime) is unchanged is not opened
 * again. Any change to its bytes moves ctime, which no unprivileged process
 * can set, so the cache trusts what the kernel reports. The file is replaced
 * atomically (rename) and a malformed one is ignored as a whole, with a
 * warning: a cache can only save time, never change a result.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listtext.h"
#include "util.h"
#include "walk.h"

#define CACHE_MAGIC	"# hashgate build cache v1"

struct hg_cache {
	struct hg_walk w;
};

static int parse_line(char *line, size_t len, struct hg_walk *w)
{
	struct hg_fileid id;
	uint8_t digest[HG_DIGEST_SIZE] = { 0 };
	bool selected = line[0] != '-';
	size_t plen;
	char *p;
	int n = 0;

	if (selected && (len < 2 * HG_DIGEST_SIZE || hg_unhex(digest, line, HG_DIGEST_SIZE)))
		return -EINVAL;
	if (sscanf(line + (selected ? 64 : 1), " %" SCNu64 " %" SCNu64 " %" SCNu64
		   " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %n", &id.dev, &id.ino,
		   &id.size, &id.mtime_s, &id.mtime_ns, &id.ctime_s, &id.ctime_ns, &n) < 7 ||
	    !n)
		return -EINVAL;
	p = line + (selected ? 64 : 1) + n;
	plen = strlen(p);
	if (*p != '/' || hg_listtext_unescape(p, &plen))
		return -EINVAL;
	if (hg_walk_add(w, p, plen))
		return -ENOMEM;
	w->v[w->n - 1].id = id;
	w->v[w->n - 1].have_id = true;
	w->v[w->n - 1].selected = selected;
	w->v[w->n - 1].examined = true;
	memcpy(w->v[w->n - 1].digest, digest, sizeof(digest));
	return 0;
}

/* Load @file; a missing one is an empty cache. 0, or -errno after a message. */
int hg_cache_load(const char *file, struct hg_cache **out)
{
	struct hg_cache *c = calloc(1, sizeof(*c));
	unsigned long lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	FILE *f;

	if (!c)
		return -ENOMEM;
	*out = c;
	f = fopen(file, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		hg_error("cannot open cache", file, errno);
		return -errno;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (lineno == 1 ? strcmp(line, CACHE_MAGIC) :
		    parse_line(line, (size_t)n, &c->w)) {
			hg_errorf("ignoring malformed cache '%s' (line %lu)", file, lineno);
			hg_walk_free(&c->w);
			break;
		}
	}
	free(line);
	fclose(f);
	hg_walk_sort(&c->w);
	return 0;
}

const struct hg_item *hg_cache_lookup(const struct hg_cache *c, const char *path)
{
	return hg_walk_find(&c->w, path);
}

void hg_cache_free(struct hg_cache *c)
{
	if (!c)
		return;
	hg_walk_free(&c->w);
	free(c);
}

/* Write what @w examined to @file, atomically. 0 or -1 after a message. */
int hg_cache_save(const char *file, const struct hg_walk *w)
{
	char hex[2 * HG_DIGEST_SIZE + 1];
	struct hg_out out;
	size_t i;
	FILE *f;

	if (hg_out_open(&out, file))
		return -1;
	f = out.f;
	fprintf(f, "%s\n", CACHE_MAGIC);
	for (i = 0; i < w->n; i++) {
		const struct hg_item *it = &w->v[i];

		if (it->err || !it->examined || !it->have_id)
			continue;
		hg_hex(hex, it->digest, HG_DIGEST_SIZE);
		fprintf(f, "%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64
			" %" PRId64 " %" PRId64 " ", it->selected ? hex : "-", it->id.dev,
			it->id.ino, it->id.size, it->id.mtime_s, it->id.mtime_ns,
			it->id.ctime_s, it->id.ctime_ns);
		hg_listtext_escape(f, it->path, strlen(it->path));
		fputc('\n', f);
	}
	return hg_out_close(&out, true);
}
