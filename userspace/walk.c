// SPDX-License-Identifier: GPL-2.0
/*
 * Walking trees and hashing what the kernel would check, for 'hashgate
 * build' and 'hashgate verify': one filesystem per root, symlinks never
 * followed, --exclude globs, parallel SHA-256 with a thread pool, digests
 * reused from a cache (cache.c) when a file's identity did not change, and
 * a progress line on a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "util.h"
#include "walk.h"

/* nftw() takes no context pointer, hence the walk being filled. */
static struct hg_walk *cur;

static void fileid_from_stat(struct hg_fileid *id, const struct stat *st)
{
	*id = (struct hg_fileid){
		.dev = st->st_dev, .ino = st->st_ino, .size = (uint64_t)st->st_size,
		.mtime_s = st->st_mtim.tv_sec, .mtime_ns = st->st_mtim.tv_nsec,
		.ctime_s = st->st_ctim.tv_sec, .ctime_ns = st->st_ctim.tv_nsec,
	};
}

static bool excluded(const struct hg_walk *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->nexcludes; i++)
		if (!fnmatch(w->excludes[i], path, 0))
			return true;
	return false;
}

static struct hg_item *grow(struct hg_walk *w)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 1024;
		struct hg_item *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n] = (struct hg_item){ 0 };
	return &w->v[w->n];
}

/* Add one path to hash, e.g. from a list; no walk, no identity. */
int hg_walk_add(struct hg_walk *w, const char *path, size_t len)
{
	struct hg_item *it = grow(w);

	if (!it)
		return -ENOMEM;
	it->path = malloc(len + 1);
	if (!it->path)
		return -ENOMEM;
	memcpy(it->path, path, len);
	it->path[len] = '\0';
	w->n++;
	return 0;
}

static int add_file(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	int err = errno ? errno : EACCES;
	struct hg_item *it;

	(void)ftw;
	if (cur->nexcludes && excluded(cur, path))
		return flag == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	if (flag == FTW_DNR || flag == FTW_NS) {
		hg_error(flag == FTW_DNR ? "cannot read directory" : "cannot stat",
			 path, err);
		cur->failed = true;
		return FTW_CONTINUE;
	}
	if (flag != FTW_F || !S_ISREG(sb->st_mode))
		return FTW_CONTINUE;
	it = grow(cur);
	if (!it || !(it->path = strdup(path)))
		return FTW_STOP;
	fileid_from_stat(&it->id, sb);
	it->have_id = true;
	cur->n++;
	if (cur->progress && !(cur->n % 4096))
		fprintf(stderr, "\rscanning: %zu files", cur->n);
	return FTW_CONTINUE;
}

/* Walk the tree at @arg, made absolute and canonical: the kernel matches those. */
int hg_walk_root(struct hg_walk *w, const char *arg)
{
	char *root = realpath(arg, NULL);
	int ret;

	if (!root) {
		hg_error("cannot resolve", arg, errno);
		w->failed = true;
		return -1;
	}
	cur = w;
	errno = 0;
	ret = nftw(root, add_file, 64, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	if (ret) {
		hg_error("cannot walk", root, errno ? errno : ENOMEM);
		w->failed = true;
	}
	free(root);
	return ret ? -1 : 0;
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct hg_item *)a)->path, ((const struct hg_item *)b)->path);
}

/* Sorted and unique, so overlapping roots list a file once. */
void hg_walk_sort(struct hg_walk *w)
{
	size_t i, o;

	if (w->n)
		qsort(w->v, w->n, sizeof(*w->v), cmp_item);
	for (i = 0, o = 0; i < w->n; i++) {
		if (o && !strcmp(w->v[o - 1].path, w->v[i].path))
			free(w->v[i].path);
		else
			w->v[o++] = w->v[i];
	}
	w->n = o;
}

struct hg_item *hg_walk_find(const struct hg_walk *w, const char *path)
{
	struct hg_item key = { .path = (char *)path };

	if (!w->n)
		return NULL;
	return bsearch(&key, w->v, w->n, sizeof(*w->v), cmp_item);
}

/*
 * What the kernel checks: ELF programs and libraries, and #! scripts; from
 * the first bytes of a file (@head, @n of them) and its mode. Shared with
 * the archive readers (release_archive.c): one rule for trees and releases.
 */
bool hg_wanted(const unsigned char *head, size_t n, unsigned int mode)
{
	unsigned int type;

	if (n >= 2 && head[0] == '#' && head[1] == '!')
		return mode & 0111;
	if (n < HG_WANTED_HEAD || memcmp(head, "\177ELF", 4))
		return false;
	/* e_type sits at offset 16 in both ELF classes, in EI_DATA byte order. */
	if (head[5] == 2)
		type = (unsigned int)head[16] << 8 | head[17];
	else
		type = (unsigned int)head[17] << 8 | head[16];
	return type == 2 || type == 3;	/* ET_EXEC, ET_DYN */
}

static int wanted(int fd, const struct stat *st)
{
	unsigned char h[HG_WANTED_HEAD];
	ssize_t n = pread(fd, h, sizeof(h), 0);

	if (n < 0)
		return -errno;
	return hg_wanted(h, (size_t)n, st->st_mode);
}

static bool from_cache(struct hg_walk *w, struct hg_item *it)
{
	const struct hg_item *c;

	if (!w->cache || !it->have_id)
		return false;
	c = hg_cache_lookup(w->cache, it->path);
	if (!c || memcmp(&c->id, &it->id, sizeof(it->id)))
		return false;
	/* A file cached as "not an executable" must be hashed for --all. */
	if (!c->selected && w->all)
		return false;
	it->selected = c->selected;
	it->examined = true;
	memcpy(it->digest, c->digest, sizeof(it->digest));
	atomic_fetch_add(&w->cache_hits, 1);
	return true;
}

static void hash_one(struct hg_walk *w, struct hg_item *it)
{
	struct stat st;
	int fd;

	if (w->hash && from_cache(w, it))
		return;
	/* O_NONBLOCK: a file swapped for a FIFO since the walk must not hang us. */
	fd = open(it->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		it->err = errno;
		return;
	}
	if (fstat(fd, &st)) {
		it->err = errno;
	} else if (S_ISREG(st.st_mode)) {
		int ret = w->all ? 1 : wanted(fd, &st);

		it->examined = ret >= 0;
		it->selected = ret > 0;
		if (ret > 0 && w->hash) {
			ret = hg_digest_fd(fd, it->digest);
			atomic_fetch_add(&w->bytes, (unsigned long long)st.st_size);
		}
		it->err = ret < 0 ? -ret : 0;
		/* The identity the digest belongs to, for the cache. */
		fileid_from_stat(&it->id, &st);
		it->have_id = true;
	} else {
		it->err = EISDIR;
	}
	close(fd);
}

static void *worker(void *arg)
{
	struct hg_walk *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < w->n) {
		hash_one(w, &w->v[i]);
		atomic_fetch_add(&w->done, 1);
	}
	return NULL;
}

static void show_progress(struct hg_walk *w)
{
	size_t done = atomic_load(&w->done);

	fprintf(stderr, "\r%s: %zu/%zu files, %llu MiB hashed, %llu from cache\033[K",
		w->hash ? "hashing" : "checking", done, w->n,
		atomic_load(&w->bytes) >> 20, atomic_load(&w->cache_hits));
}

/* Examine (and hash) every item with up to @jobs threads. */
void hg_walk_run(struct hg_walk *w, unsigned long jobs)
{
	pthread_t *tids;
	unsigned long i, started = 0;

	if (jobs > w->n)
		jobs = w->n ? w->n : 1;
	tids = calloc(jobs, sizeof(*tids));
	atomic_store(&w->next, 0);
	for (i = 0; tids && i < jobs; i++) {
		if (pthread_create(&tids[i], NULL, worker, w))
			break;
		started++;
	}
	if (!started) {
		worker(w);
	} else if (w->progress) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		while (atomic_load(&w->done) < w->n) {
			show_progress(w);
			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	if (w->progress) {
		show_progress(w);
		fputs("\n", stderr);
	}
}

void hg_walk_free(struct hg_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i].path);
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

/* Hash with as many threads as there are CPUs online, and exclude nothing. */
void hg_walk_opts_init(struct hg_walk_opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->jobs = ncpu > 0 ? (unsigned long)ncpu : 1;
}

/* Take option @c ('j' or 'x') with @arg: 0, or the exit code of a usage error. */
int hg_walk_option(struct hg_walk_opts *o, int c, const char *arg, const char *usage)
{
	uint64_t v;

	if (c == 'j') {
		if (hg_parse_u64(arg, &v) || v < 1 || v > 1024)
			return hg_usage_error(usage, "invalid job count '%s'", arg);
		o->jobs = v;
	} else {
		if (o->nexcludes == HG_WALK_MAX_EXCLUDES)
			return hg_usage_error(usage, "more than %d --exclude",
					      HG_WALK_MAX_EXCLUDES);
		o->excludes[o->nexcludes++] = arg;
	}
	return 0;
}
