// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate build: walk directory trees and print a sha256sum-format
 * allowlist of what the kernel would have to verify, sorted by path so the
 * output of two runs over the same tree diff cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "listtext.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate build [-o FILE] [--all] [--jobs N] PATH...\n"
	"  Hash ELF executables, shared objects and executable '#!' scripts\n"
	"  under each PATH (one filesystem, symlinks not followed).\n"
	"  -o, --output FILE  write the list to FILE instead of stdout\n"
	"  -a, --all          hash every regular file\n"
	"  -j, --jobs N       hashing threads (default: online CPUs)\n";

struct item {
	char *path;
	int err;		/* errno from open/read, 0 if fine */
	bool selected;
	uint8_t digest[HG_DIGEST_SIZE];
};

/* nftw() takes no context pointer, hence file-scope state. */
static struct {
	struct item *v;
	size_t n, cap;
	bool all, failed;
	atomic_size_t next;
} walk;

static int add_file(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	int err = errno ? errno : EACCES;

	(void)ftw;
	if (flag == FTW_DNR || flag == FTW_NS) {
		hg_error(flag == FTW_DNR ? "cannot read directory" : "cannot stat",
			 path, err);
		walk.failed = true;
		return 0;
	}
	if (flag != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	if (walk.n == walk.cap) {
		size_t cap = walk.cap ? 2 * walk.cap : 1024;
		struct item *v = realloc(walk.v, cap * sizeof(*v));

		if (!v)
			return -1;
		walk.v = v;
		walk.cap = cap;
	}
	walk.v[walk.n] = (struct item){ .path = strdup(path) };
	if (!walk.v[walk.n].path)
		return -1;
	walk.n++;
	return 0;
}

/* What the kernel checks: ELF programs and libraries, and #! scripts. */
static int wanted(int fd, const struct stat *st)
{
	unsigned char h[18];
	unsigned int type;
	ssize_t n = pread(fd, h, sizeof(h), 0);

	if (n < 0)
		return -errno;
	if (n >= 2 && h[0] == '#' && h[1] == '!')
		return !!(st->st_mode & 0111);
	if (n < (ssize_t)sizeof(h) || memcmp(h, "\177ELF", 4))
		return 0;
	/* e_type sits at offset 16 in both ELF classes, in EI_DATA byte order. */
	if (h[5] == 2)
		type = (unsigned int)h[16] << 8 | h[17];
	else
		type = (unsigned int)h[17] << 8 | h[16];
	return type == 2 || type == 3;	/* ET_EXEC, ET_DYN */
}

static void hash_one(struct item *it)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a file swapped for a FIFO since the walk must not hang us. */
	fd = open(it->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		it->err = errno;
		return;
	}
	if (fstat(fd, &st)) {
		it->err = errno;
	} else if (S_ISREG(st.st_mode)) {
		int ret = walk.all ? 1 : wanted(fd, &st);

		if (ret > 0) {
			ret = hg_digest_fd(fd, it->digest);
			it->selected = !ret;
		}
		it->err = ret < 0 ? -ret : 0;
	}
	close(fd);
}

static void *worker(void *arg)
{
	size_t i;

	(void)arg;
	while ((i = atomic_fetch_add(&walk.next, 1)) < walk.n)
		hash_one(&walk.v[i]);
	return NULL;
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path, ((const struct item *)b)->path);
}

/* Hash with up to @jobs threads; falls back to this thread if none start. */
static void hash_all(unsigned long jobs)
{
	pthread_t *tids = calloc(jobs, sizeof(*tids));
	unsigned long i, started = 0;

	for (i = 0; tids && i < jobs; i++) {
		if (pthread_create(&tids[i], NULL, worker, NULL))
			break;
		started++;
	}
	if (!started)
		worker(NULL);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}

static int write_list(const char *output)
{
	FILE *out = output ? fopen(output, "we") : stdout;
	size_t i;

	if (!out) {
		hg_error("cannot create", output, errno);
		return -1;
	}
	for (i = 0; i < walk.n; i++) {
		const struct item *it = &walk.v[i];

		if (it->err) {
			hg_error("cannot hash", it->path, it->err);
			walk.failed = true;
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long jobs = ncpu > 0 ? (unsigned long)ncpu : 1;
	const char *output = NULL;
	uint64_t v;
	size_t i, o;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:aj:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'a':
			walk.all = true;
			break;
		case 'j':
			if (hg_parse_u64(optarg, &v) || v < 1 || v > 1024)
				return hg_usage_error(usage, "invalid job count '%s'",
						      optarg);
			jobs = v;
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

	for (; optind < argc; optind++) {
		/* Absolute, canonical roots: the kernel matches absolute paths. */
		char *root = realpath(argv[optind], NULL);

		if (!root) {
			hg_error("cannot resolve", argv[optind], errno);
			walk.failed = true;
			continue;
		}
		errno = 0;
		ret = nftw(root, add_file, 64, FTW_PHYS | FTW_MOUNT);
		if (ret) {
			hg_error("cannot walk", root, errno ? errno : ENOMEM);
			walk.failed = true;
		}
		free(root);
	}

	/* Sorted and unique, so overlapping PATHs list a file once. */
	if (walk.n)
		qsort(walk.v, walk.n, sizeof(*walk.v), cmp_item);
	for (i = 0, o = 0; i < walk.n; i++) {
		if (o && !strcmp(walk.v[o - 1].path, walk.v[i].path))
			free(walk.v[i].path);
		else
			walk.v[o++] = walk.v[i];
	}
	walk.n = o;
	if (jobs > walk.n)
		jobs = walk.n ? walk.n : 1;

	hash_all(jobs);
	if (write_list(output))
		walk.failed = true;
	for (i = 0; i < walk.n; i++)
		free(walk.v[i].path);
	free(walk.v);
	return walk.failed ? HG_EXIT_FAIL : HG_EXIT_OK;
}
