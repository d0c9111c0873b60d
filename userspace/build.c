// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate build: walk directory trees and print a sha256sum-format
 * allowlist of what the kernel would have to verify, sorted by path so the
 * output of two runs over the same tree diff cleanly. The walking and
 * hashing are in walk.c, the digest cache in cache.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listtext.h"
#include "subcommands.h"
#include "util.h"
#include "walk.h"

#define MAX_EXCLUDES	256

static const char usage[] =
	"Usage: hashgate build [-o FILE] [--all] [--jobs N] [--exclude GLOB]...\n"
	"                      [--cache FILE] [--progress|--no-progress] PATH...\n"
	"  Hash ELF executables, shared objects and executable '#!' scripts\n"
	"  under each PATH (one filesystem, symlinks not followed).\n"
	"  -o, --output FILE   write the list to FILE instead of stdout\n"
	"  -a, --all           hash every regular file\n"
	"  -j, --jobs N        hashing threads (default: online CPUs)\n"
	"  -x, --exclude GLOB  skip paths matching GLOB (fnmatch(3), '*' matches '/';\n"
	"                      a matching directory is not entered); repeatable\n"
	"  -c, --cache FILE    reuse digests of files whose device, inode, size,\n"
	"                      mtime and ctime did not change; FILE is rewritten\n"
	"      --progress      show a progress line on stderr (default: if a terminal)\n"
	"      --no-progress   never show it\n";

static int write_list(struct hg_walk *w, const char *output)
{
	FILE *out = output ? fopen(output, "we") : stdout;
	size_t i;

	if (!out) {
		hg_error("cannot create", output, errno);
		return -1;
	}
	for (i = 0; i < w->n; i++) {
		const struct hg_item *it = &w->v[i];

		if (it->err) {
			hg_error("cannot hash", it->path, it->err);
			w->failed = true;
		} else if (it->selected) {
			hg_listtext_write(out, it->digest, it->path, strlen(it->path));
		}
	}
	if (fflush(out) || ferror(out) || (out != stdout && fclose(out))) {
		hg_error("cannot write", output ? output : "<stdout>",
			 errno ? errno : EIO);
		return -1;
	}
	return 0;
}

int build_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "cache", required_argument, NULL, 'c' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *excludes[MAX_EXCLUDES];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long jobs = ncpu > 0 ? (unsigned long)ncpu : 1;
	struct hg_walk w = { .hash = true, .excludes = excludes };
	struct hg_cache *cache = NULL;
	const char *output = NULL, *cache_file = NULL;
	int c, progress = -1;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "o:aj:x:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'a':
			w.all = true;
			break;
		case 'j':
			if (hg_parse_u64(optarg, &v) || v < 1 || v > 1024)
				return hg_usage_error(usage, "invalid job count '%s'",
						      optarg);
			jobs = v;
			break;
		case 'x':
			if (w.nexcludes == MAX_EXCLUDES)
				return hg_usage_error(usage, "more than %d --exclude",
						      MAX_EXCLUDES);
			excludes[w.nexcludes++] = optarg;
			break;
		case 'c':
			cache_file = optarg;
			break;
		case 'P':
			progress = 1;
			break;
		case 'N':
			progress = 0;
			break;
		case 'h':
			fputs(usage, stdout);
			return HG_EXIT_OK;
		default:
			return hg_usage_error(usage, NULL);
		}
	}
	if (optind == argc)
		return hg_usage_error(usage, "expected at least one PATH");
	w.progress = progress < 0 ? isatty(STDERR_FILENO) : progress;
	if (cache_file) {
		if (hg_cache_load(cache_file, &cache)) {
			hg_cache_free(cache);
			return HG_EXIT_FAIL;
		}
		w.cache = cache;
	}

	for (; optind < argc; optind++)
		hg_walk_root(&w, argv[optind]);
	hg_walk_sort(&w);
	hg_walk_run(&w, jobs);
	if (write_list(&w, output))
		w.failed = true;
	if (cache_file && hg_cache_save(cache_file, &w))
		w.failed = true;
	hg_cache_free(cache);
	hg_walk_free(&w);
	return w.failed ? HG_EXIT_FAIL : HG_EXIT_OK;
}
