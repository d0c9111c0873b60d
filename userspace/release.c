// SPDX-License-Identifier: GPL-2.0
/*
 * The file system of a release, from its artifacts: entries are added in
 * the order the artifacts (and an image's layers) apply, then
 * hg_rel_finish() computes what the target would hold: the last entry of
 * a path wins, OCI whiteouts remove what lower layers had, hard links take
 * their file's digest, and each file's path goes through the release's own
 * directory symlinks (chroot semantics: an absolute target starts at the
 * release's root, ".." stops there) and merged /usr, so that paths are the
 * ones the kernel reports on the target. Archive names never leave the
 * root: a ".." component is refused, not resolved.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "util.h"

/* Directories that merged /usr makes symlinks into /usr. */
static const char *const usr_merged[] = {
	"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
};

#define MAX_LINKS	40	/* as the kernel's ELOOP */

const char *hg_rel_origin(struct hg_release *r, const char *fmt, ...)
{
	char **v, *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	v = realloc(r->origins, (r->norigins + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return NULL;
	}
	r->origins = v;
	r->origins[r->norigins++] = s;
	return s;
}

/*
 * @name as an absolute path without "." components or repeated slashes, in
 * a new string; NULL with errno EINVAL for a ".." component (the name
 * would leave the root), ENAMETOOLONG, or ENOMEM.
 */
static char *normalise(const char *name)
{
	size_t len = strlen(name), o = 0, i = 0;
	char *p = malloc(len + 2);

	if (!p)
		return NULL;
	while (i < len) {
		size_t n;

		while (name[i] == '/')
			i++;
		n = strcspn(name + i, "/");
		if (n == 2 && !memcmp(name + i, "..", 2)) {
			free(p);
			errno = EINVAL;
			return NULL;
		}
		if (n && !(n == 1 && name[i] == '.')) {
			p[o++] = '/';
			memcpy(p + o, name + i, n);
			o += n;
		}
		i += n;
	}
	if (!o)
		p[o++] = '/';
	p[o] = '\0';
	if (o > HG_PATH_MAX) {
		free(p);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return p;
}

/* @name normalised, in a new string; NULL after saying why it cannot be. */
char *hg_rel_path(struct hg_release *r, const char *archive, const char *name)
{
	char *path = normalise(name);

	if (!path) {
		hg_errorf("%s: entry '%s': %s", archive, name,
			  errno == EINVAL ? "a '..' component would leave the root" :
			  strerror(errno));
		r->failed = true;
	}
	return path;
}

/*
 * A new entry for @name, read from @archive (for messages). NULL after an
 * error, said on stderr: a name that leaves the root fails the build.
 */
struct hg_rel_entry *hg_rel_add(struct hg_release *r, const char *archive,
				const char *name, enum hg_rel_type type)
{
	struct hg_rel_entry *e;
	char *path = hg_rel_path(r, archive, name);

	if (!path)
		return NULL;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4096;

		e = realloc(r->v, cap * sizeof(*e));
		if (!e) {
			free(path);
			hg_error("cannot allocate", NULL, ENOMEM);
			r->failed = true;
			return NULL;
		}
		r->v = e;
		r->cap = cap;
	}
	e = &r->v[r->n++];
	*e = (struct hg_rel_entry){
		.path = path, .type = type, .layer = r->layer, .seq = r->added++,
	};
	return e;
}

/* @name (a directory with @opaque) is removed from the layers below. */
int hg_rel_whiteout(struct hg_release *r, const char *archive,
		    const char *name, bool opaque)
{
	struct hg_rel_whiteout *v;
	char *path = hg_rel_path(r, archive, name);

	if (!path)
		return -1;
	v = realloc(r->wh, (r->nwh + 1) * sizeof(*v));
	if (!v) {
		free(path);
		hg_error("cannot allocate", NULL, ENOMEM);
		r->failed = true;
		return -1;
	}
	r->wh = v;
	r->wh[r->nwh++] = (struct hg_rel_whiteout){
		.path = path, .layer = r->layer, .opaque = opaque,
	};
	return 0;
}

static void entry_free(struct hg_rel_entry *e)
{
	free(e->path);
	free(e->link);
	e->path = e->link = NULL;
}

/*
 * By path, then in the order the artifacts apply and the order added: the
 * last of a path is the one that stays.
 */
static int cmp_added(const void *a, const void *b)
{
	const struct hg_rel_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct hg_rel_entry *)a)->path,
		      ((const struct hg_rel_entry *)b)->path);
}

static struct hg_rel_entry *find(const struct hg_release *r, const char *path)
{
	struct hg_rel_entry key = { .path = (char *)path };

	return r->n ? bsearch(&key, r->v, r->n, sizeof(*r->v), cmp_path) : NULL;
}

/* Is @e removed by a whiteout of a layer above its own? */
static bool whited_out(const struct hg_release *r, const struct hg_rel_entry *e)
{
	size_t i, n;

	for (i = 0; i < r->nwh; i++) {
		const struct hg_rel_whiteout *w = &r->wh[i];

		if (w->layer <= e->layer)
			continue;
		n = strlen(w->path);
		if (!strcmp(w->path, e->path) && !w->opaque)
			return true;
		if ((n == 1 || (!strncmp(w->path, e->path, n) && e->path[n] == '/')) &&
		    strcmp(w->path, e->path))
			return true;
	}
	return false;
}

/*
 * Sorted by path; the last entry of each path kept (every one with
 * keep_all: two packages' files at one path, a diversion, both exist).
 */
static void keep_last(struct hg_release *r)
{
	size_t i, o;

	qsort(r->v, r->n, sizeof(*r->v), cmp_added);
	if (r->keep_all)
		return;
	for (i = 0, o = 0; i < r->n; i++) {
		if (i + 1 < r->n && !strcmp(r->v[i].path, r->v[i + 1].path)) {
			entry_free(&r->v[i]);
			continue;
		}
		r->v[o++] = r->v[i];
	}
	r->n = o;
}

/* Did a layer above @e's make a directory above it a symlink or a file? */
static bool replaced_above(const struct hg_release *r, const struct hg_rel_entry *e)
{
	char *p = strdup(e->path), *slash;
	bool gone = false;

	if (!p)
		return false;
	while (!gone && (slash = strrchr(p, '/')) && slash != p) {
		const struct hg_rel_entry *k;

		*slash = '\0';
		k = find(r, p);
		gone = k && k->type != HG_REL_DIR && k->layer > e->layer;
	}
	free(p);
	return gone;
}

/*
 * @path with every directory symlink of the release resolved, the last
 * component kept as it is; NULL for a loop (ELOOP) or ENOMEM.
 */
static char *resolve(const struct hg_release *r, const char *path)
{
	char *cur = strdup(path);
	int links = 0;
	size_t at = 1;		/* the component to look at next starts here */

	while (cur) {
		const struct hg_rel_entry *e;
		size_t end = at + strcspn(cur + at, "/");
		char *next, *base;
		int n;

		if (!cur[end])
			return cur;		/* the file itself: not followed */
		cur[end] = '\0';
		e = find(r, cur);
		cur[end] = '/';
		if (!e || e->type != HG_REL_SYMLINK) {
			at = end + 1;
			continue;
		}
		if (++links > MAX_LINKS) {
			free(cur);
			errno = ELOOP;
			return NULL;
		}
		/* The link's directory, then its target, then the rest. */
		base = strndup(cur, at > 1 ? at - 1 : 1);
		if (!base)
			break;
		n = e->link[0] == '/' ?
		    asprintf(&next, "%s%s", e->link, cur + end) :
		    asprintf(&next, "%s/%s%s", base, e->link, cur + end);
		free(base);
		free(cur);
		if (n < 0)
			return NULL;
		/* ".." in a link target stops at the root, as in a chroot. */
		cur = malloc(strlen(next) + 2);
		if (cur) {
			char *s = next, *o = cur;

			while (*s) {
				size_t k;

				while (*s == '/')
					s++;
				k = strcspn(s, "/");
				if (k == 2 && !memcmp(s, "..", 2)) {
					while (o > cur && *--o != '/')
						;
				} else if (k && !(k == 1 && *s == '.')) {
					*o++ = '/';
					memcpy(o, s, k);
					o += k;
				}
				s += k;
			}
			if (o == cur)
				*o++ = '/';
			*o = '\0';
		}
		free(next);
		at = 1;
	}
	errno = ENOMEM;
	free(cur);
	return NULL;
}

/*
 * Remove what the layers above took away: a path under a whiteout of a
 * higher layer (its directories resolved through the release's symlinks,
 * as the runtime resolves them), or under a directory that a higher layer
 * replaced with a symlink or a file (the runtime removes the directory).
 */
static int apply_layers(struct hg_release *r)
{
	bool *gone = calloc(r->n ? r->n : 1, sizeof(*gone));
	size_t i, o;

	if (!gone) {
		hg_error("cannot allocate", NULL, ENOMEM);
		return -1;
	}
	for (i = 0; i < r->nwh; i++) {
		char *p = resolve(r, r->wh[i].path);

		if (p) {
			free(r->wh[i].path);
			r->wh[i].path = p;
		}
	}
	for (i = 0; i < r->n; i++)
		gone[i] = (r->nwh && whited_out(r, &r->v[i])) || replaced_above(r, &r->v[i]);
	for (i = 0, o = 0; i < r->n; i++) {
		if (gone[i]) {
			entry_free(&r->v[i]);
			continue;
		}
		r->v[o++] = r->v[i];
	}
	r->n = o;
	free(gone);
	return 0;
}

/* Merged /usr on the target: from the release's /bin, else Debian's default. */
static bool merged(const struct hg_release *r)
{
	const struct hg_rel_entry *bin = find(r, "/bin");

	if (r->usr != HG_USR_AUTO)
		return r->usr == HG_USR_MERGED;
	if (r->rootfs && bin)
		return bin->type == HG_REL_SYMLINK;
	return true;		/* Debian 12 and later */
}

static char *usr_path(char *path)
{
	size_t i, n;
	char *p;

	for (i = 0; i < sizeof(usr_merged) / sizeof(*usr_merged); i++) {
		n = strlen(usr_merged[i]);
		if (strncmp(path, usr_merged[i], n) || path[n] != '/')
			continue;
		if (asprintf(&p, "/usr%s", path) < 0) {
			free(path);
			return NULL;
		}
		free(path);
		return p;
	}
	return path;
}

/*
 * What the target holds: r->v becomes its selected files, by path as the
 * kernel reports them, each with its digest and origin. 0, or -1 after an
 * error said on stderr.
 */
int hg_rel_finish(struct hg_release *r)
{
	char **target;
	bool usr;
	size_t i, o;

	keep_last(r);
	if (apply_layers(r))
		return -1;
	usr = merged(r);
	/* Hard links share their file's digest (it is in the release, or an error). */
	for (i = 0; i < r->n; i++) {
		struct hg_rel_entry *e = &r->v[i], *t;

		if (e->type != HG_REL_HARDLINK)
			continue;
		t = find(r, e->link);
		if (!t || t->type != HG_REL_FILE) {
			hg_errorf("%s: hard link to '%s', which the release does not have",
				  e->path, e->link);
			r->failed = true;
			continue;
		}
		e->selected = t->selected;
		e->script = t->script;
		memcpy(e->digest, t->digest, sizeof(e->digest));
	}
	/* Paths on the target, while every entry is there to resolve them. */
	target = calloc(r->n ? r->n : 1, sizeof(*target));
	if (!target) {
		hg_error("cannot allocate", NULL, ENOMEM);
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		struct hg_rel_entry *e = &r->v[i];

		if ((e->type != HG_REL_FILE && e->type != HG_REL_HARDLINK) || !e->selected)
			continue;
		target[i] = resolve(r, e->path);
		if (target[i] && usr)
			target[i] = usr_path(target[i]);
		if (!target[i]) {
			hg_error("cannot resolve", e->path, errno);
			r->failed = true;
		}
	}
	/* What stays: selected files, under their paths on the target. */
	for (i = 0, o = 0; i < r->n; i++) {
		struct hg_rel_entry *e = &r->v[i];

		entry_free(e);
		if (!target[i])
			continue;
		e->path = target[i];
		r->v[o++] = *e;
	}
	r->n = o;
	free(target);
	qsort(r->v, r->n, sizeof(*r->v), cmp_added);
	if (r->keep_all)
		return r->failed ? -1 : 0;
	/* One path, two files (/bin/x and /usr/bin/x when merged): the last read wins. */
	for (i = 0, o = 0; i < r->n; i++) {
		if (i + 1 < r->n && !strcmp(r->v[i].path, r->v[i + 1].path)) {
			if (memcmp(r->v[i].digest, r->v[i + 1].digest, HG_DIGEST_SIZE))
				hg_errorf("warning: %s: two different files (from %s and %s); "
					  "listing the one from %s", r->v[i].path,
					  r->v[i].origin, r->v[i + 1].origin,
					  r->v[i + 1].origin);
			entry_free(&r->v[i]);
			continue;
		}
		r->v[o++] = r->v[i];
	}
	r->n = o;
	return r->failed ? -1 : 0;
}

/* Move what @src read into @dst; @src is left empty. 0 or -ENOMEM. */
static int merge(struct hg_release *dst, struct hg_release *src)
{
	struct hg_rel_entry *v = dst->v;
	struct hg_rel_whiteout *wh = dst->wh;
	char **o = dst->origins;

	if (src->n && dst->n + src->n > dst->cap) {
		v = realloc(dst->v, (dst->n + src->n) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		dst->v = v;
		dst->cap = dst->n + src->n;
	}
	if (src->nwh) {
		wh = realloc(dst->wh, (dst->nwh + src->nwh) * sizeof(*wh));
		if (!wh)
			return -ENOMEM;
		dst->wh = wh;
	}
	if (src->norigins) {
		o = realloc(dst->origins, (dst->norigins + src->norigins) * sizeof(*o));
		if (!o)
			return -ENOMEM;
		dst->origins = o;
	}
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	if (src->nwh)
		memcpy(dst->wh + dst->nwh, src->wh, src->nwh * sizeof(*src->wh));
	dst->nwh += src->nwh;
	if (src->norigins)
		memcpy(dst->origins + dst->norigins, src->origins,
		       src->norigins * sizeof(*o));
	dst->norigins += src->norigins;
	dst->failed |= src->failed;
	src->n = src->nwh = src->norigins = 0;
	return 0;
}

struct deb_pool {
	struct hg_release *parts;	/* one a package */
	char *const *files;
	size_t n;
	atomic_size_t next;
};

static void *deb_worker(void *arg)
{
	struct deb_pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		hg_rel_read_deb(&p->parts[i], p->files[i]);
	return NULL;
}

/**
 * hg_rel_read_debs() - Debian packages into @r, @jobs at a time
 * @files: the packages, in the order they apply (a path two of them ship
 *	is the later one's)
 *
 * Each package is read on its own (decompressing is most of the work),
 * then all are put together in order. 0, or -1 after an error said.
 */
int hg_rel_read_debs(struct hg_release *r, char *const *files, size_t n,
		     unsigned long jobs)
{
	struct deb_pool p = { .files = files, .n = n };
	pthread_t *tids = NULL;
	unsigned long i, started = 0;
	int ret = 0;

	p.parts = calloc(n ? n : 1, sizeof(*p.parts));
	if (!p.parts) {
		hg_error("cannot allocate", NULL, ENOMEM);
		r->failed = true;
		return -1;
	}
	for (i = 0; i < n; i++)
		p.parts[i] = (struct hg_release){
			.all = r->all, .usr = r->usr, .rootfs = r->rootfs,
			.layer = r->layer + (unsigned int)i,
		};
	if (jobs > n)
		jobs = n ? n : 1;
	tids = calloc(jobs, sizeof(*tids));
	for (i = 0; tids && i < jobs && pthread_create(&tids[i], NULL, deb_worker, &p) == 0; i++)
		started++;
	if (!started)
		deb_worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	r->layer += (unsigned int)n;
	for (i = 0; i < n; i++) {
		if (!ret && merge(r, &p.parts[i])) {
			hg_error("cannot allocate", NULL, ENOMEM);
			r->failed = true;
			ret = -1;
		}
		hg_rel_free(&p.parts[i]);
	}
	free(p.parts);
	return r->failed ? -1 : ret;
}

void hg_rel_free(struct hg_release *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		entry_free(&r->v[i]);
	free(r->v);
	for (i = 0; i < r->nwh; i++)
		free(r->wh[i].path);
	free(r->wh);
	for (i = 0; i < r->norigins; i++)
		free(r->origins[i]);
	free(r->origins);
	memset(r, 0, sizeof(*r));
}
