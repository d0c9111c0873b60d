/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_WALK_H
#define _HG_WALK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "uapi/hashgate.h"

/* What the cache compares: a file whose identity is unchanged is unchanged. */
struct hg_fileid {
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct hg_item {
	char *path;
	int err;		/* errno from open/read, 0 if fine */
	bool selected;		/* an executable (or --all), digest valid */
	bool examined;		/* looked at: selected, or known not executable */
	bool have_id;		/* id below is from the walk's lstat */
	struct hg_fileid id;
	uint8_t digest[HG_DIGEST_SIZE];
};

struct hg_cache;

struct hg_walk {
	struct hg_item *v;
	size_t n, cap;
	bool all;		/* every regular file, not just executables */
	bool hash;		/* hash the selected files; else only select */
	bool progress;		/* a progress line on stderr */
	bool failed;		/* an error was reported */
	const char *const *excludes;	/* fnmatch() globs on the full path */
	size_t nexcludes;
	const struct hg_cache *cache;
	atomic_size_t next, done;
	atomic_ullong bytes, cache_hits;
};

/* What 'build' and 'verify' both take: -j/--jobs N and -x/--exclude GLOB. */
#define HG_WALK_MAX_EXCLUDES	256

struct hg_walk_opts {
	unsigned long jobs;
	const char *excludes[HG_WALK_MAX_EXCLUDES];
	size_t nexcludes;
};

void hg_walk_opts_init(struct hg_walk_opts *o);
int hg_walk_option(struct hg_walk_opts *o, int c, const char *arg, const char *usage);

/* Bytes of a file's start that hg_wanted() looks at. */
#define HG_WANTED_HEAD	18

bool hg_wanted(const unsigned char *head, size_t n, unsigned int mode);
int hg_walk_root(struct hg_walk *w, const char *arg);
int hg_walk_add(struct hg_walk *w, const char *path, size_t len);
void hg_walk_sort(struct hg_walk *w);
struct hg_item *hg_walk_find(const struct hg_walk *w, const char *path);
void hg_walk_run(struct hg_walk *w, unsigned long jobs);
void hg_walk_free(struct hg_walk *w);

/* cache.c: digests by file identity, for 'hashgate build --cache'. */
int hg_cache_load(const char *file, struct hg_cache **out);
const struct hg_item *hg_cache_lookup(const struct hg_cache *c, const char *path);
int hg_cache_save(const char *file, const struct hg_walk *w);
void hg_cache_free(struct hg_cache *c);

#endif /* _HG_WALK_H */
