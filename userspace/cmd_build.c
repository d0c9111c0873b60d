// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate build: print a sha256sum-format allowlist of what the kernel
 * would have to verify, sorted by path so the output of two runs over the
 * same input diff cleanly: from live directory trees (walk.c, with the
 * digest cache of cache.c), a staged tree under --root, or the release's
 * own artifacts, never extracted (release.c, release_archive.c, oci.c):
 * Debian packages, root file system tarballs, OCI image layouts. Paths are
 * the ones the kernel reports on the target, and entries from artifacts
 * say where they come from ("# hashgate-from:" lines).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listtext.h"
#include "release.h"
#include "subcommands.h"
#include "util.h"
#include "walk.h"


static const char usage[] =
	"Usage: hashgate build [-o FILE] [--all] [--jobs N] [--exclude GLOB]...\n"
	"                      [--cache FILE] [--progress|--no-progress] PATH...\n"
	"       hashgate build [-o FILE] [--all] --root DIR [PATH...]\n"
	"       hashgate build [-o FILE] [--all] [--merged-usr|--split-usr]\n"
	"                      --from-deb FILE.deb... | --from-tar FILE... |\n"
	"                      --from-oci DIR\n"
	"  Hash ELF executables, shared objects and executable '#!' scripts\n"
	"  under each PATH (one filesystem, symlinks not followed), or in a\n"
	"  release's artifacts, read without extracting them.\n"
	"      --root DIR      a staged tree or mounted image: paths are written\n"
	"                      relative to DIR (PATHs are inside it; default /)\n"
	"      --from-deb      the arguments are Debian packages: the files they\n"
	"                      install, each with its package and version (--jobs\n"
	"                      packages at a time)\n"
	"      --from-tar      the arguments are root file system tarballs (plain,\n"
	"                      gzip, xz, zstd, bzip2), applied in order\n"
	"      --from-oci      the argument is an OCI image layout directory: its\n"
	"                      image's layers in order, whiteouts honoured\n"
	"      --merged-usr, --split-usr\n"
	"                      whether the target has /bin, /sbin and /lib* as\n"
	"                      symlinks into /usr (default: what a root file\n"
	"                      system says; merged for packages, as Debian 12)\n"
	"  -o, --output FILE   write the list to FILE instead of stdout\n"
	"  -a, --all           hash every regular file\n"
	"  -j, --jobs N        hashing threads (default: online CPUs)\n"
	"  -x, --exclude GLOB  skip paths matching GLOB (fnmatch(3), '*' matches '/';\n"
	"                      a matching directory is not entered); repeatable\n"
	"  -c, --cache FILE    reuse digests of files whose device, inode, size,\n"
	"                      mtime and ctime did not change; FILE is rewritten\n"
	"      --progress      show a progress line on stderr (default: if a terminal)\n"
	"      --no-progress   never show it\n";

enum source { FROM_TREE, FROM_ROOT, FROM_DEB, FROM_TAR, FROM_OCI };

/* @strip: the length of the --root prefix to take off each path. */
static int write_list(struct hg_walk *w, const char *output, size_t strip)
{
	struct hg_out out;
	size_t i;

	if (hg_out_open(&out, output))
		return -1;
	for (i = 0; i < w->n; i++) {
		const struct hg_item *it = &w->v[i];

		if (it->err) {
			hg_error("cannot hash", it->path, it->err);
			w->failed = true;
		} else if (it->selected) {
			const char *p = it->path + strip;

			hg_listtext_write(out.f, it->digest, *p ? p : "/",
					  strlen(*p ? p : "/"));
		}
	}
	return hg_out_close(&out, true);
}

/* A release's list; nothing at all when an artifact could not be read. */
static int write_release(struct hg_release *r, const char *output)
{
	const char *origin = NULL;
	struct hg_out out;
	size_t i;

	if (r->failed || hg_rel_finish(r)) {
		hg_errorf("no list written: the release could not be read whole");
		return -1;
	}
	if (hg_out_open(&out, output))
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct hg_rel_entry *e = &r->v[i];

		if (e->origin != origin)
			hg_listtext_write_origin(out.f, e->origin);
		origin = e->origin;
		hg_listtext_write(out.f, e->digest, e->path, strlen(e->path));
	}
	return hg_out_close(&out, true);
}

static int build_release(enum source from, char **args, int n, bool all,
			 enum hg_usr_merge usr, unsigned long jobs, const char *output)
{
	struct hg_release r = { .all = all, .usr = usr, .rootfs = from != FROM_DEB };
	int i, ret;

	if (from == FROM_OCI && n != 1) {
		hg_errorf("--from-oci takes one image layout directory");
		return HG_EXIT_USAGE;
	}
	if (from == FROM_DEB)
		hg_rel_read_debs(&r, args, (size_t)n, jobs);
	for (i = 0; from != FROM_DEB && i < n; i++, r.layer++) {
		if (from == FROM_TAR)
			hg_rel_read_tar(&r, args[i], -1, NULL);
		else
			hg_rel_read_oci(&r, args[i]);
	}
	ret = write_release(&r, output);
	hg_rel_free(&r);
	return ret ? HG_EXIT_FAIL : HG_EXIT_OK;
}

/* --root DIR: its tree, or PATHs inside it; paths written relative to DIR. */
static int walk_root(struct hg_walk *w, const char *dir, char **paths, int n,
		     size_t *strip)
{
	char *root = realpath(dir, NULL), *p, *real;
	int i;

	if (!root) {
		hg_error("cannot resolve", dir, errno);
		return -1;
	}
	*strip = strcmp(root, "/") ? strlen(root) : 0;
	for (i = 0; i < (n ? n : 1); i++) {
		if (asprintf(&p, "%s/%s", root, n ? paths[i] : "") < 0) {
			free(root);
			return -1;
		}
		/* A PATH must not leave DIR, by ".." or an absolute symlink. */
		real = realpath(p, NULL);
		if (!real) {
			hg_error("cannot resolve", p, errno);
			w->failed = true;
		} else if (*strip && (strncmp(real, root, *strip) ||
				      (real[*strip] && real[*strip] != '/'))) {
			hg_errorf("'%s' leads to '%s', outside --root %s", paths[i],
				  real, root);
			w->failed = true;
		} else {
			hg_walk_root(w, real);
		}
		free(real);
		free(p);
	}
	free(root);
	return 0;
}

struct build_opts {
	struct hg_walk_opts wo;
	const char *root;
	enum hg_usr_merge usr;
	enum source from;
	int progress;
};

/* The options that do more than keep their argument. */
static int build_option(void *ctx, int c, const char *arg)
{
	struct build_opts *b = ctx;

	switch (c) {
	case 'j':
	case 'x':
		return hg_walk_option(&b->wo, c, arg, usage);
	case 'P':
	case 'N':
		b->progress = c == 'P';
		break;
	case 'r':
	case 1:
	case 2:
	case 3:
		if (b->from != FROM_TREE)
			return hg_usage_error(usage, "one of --root, --from-deb, "
					      "--from-tar and --from-oci");
		b->from = c == 'r' ? FROM_ROOT : c == 1 ? FROM_DEB :
			  c == 2 ? FROM_TAR : FROM_OCI;
		b->root = c == 'r' ? arg : NULL;
		break;
	default:	/* 4, 5 */
		b->usr = c == 4 ? HG_USR_MERGED : HG_USR_SPLIT;
		break;
	}
	return 0;
}

int build_main(int argc, char *argv[])
{
	struct build_opts b = { .usr = HG_USR_AUTO, .from = FROM_TREE, .progress = -1 };
	struct hg_walk w = { .hash = true };
	struct hg_cache *cache = NULL;
	const char *output = NULL, *cache_file = NULL, *root;
	const struct hg_opt opts[] = {
		HG_OPT_ARG("output", 'o', &output),
		HG_OPT_FLAG("all", 'a', &w.all),
		HG_OPT_CALL("jobs", required_argument, 'j'),
		HG_OPT_CALL("exclude", required_argument, 'x'),
		HG_OPT_ARG("cache", 'c', &cache_file),
		HG_OPT_LONG("progress", no_argument, 'P'),
		HG_OPT_LONG("no-progress", no_argument, 'N'),
		HG_OPT_LONG("root", required_argument, 'r'),
		HG_OPT_LONG("from-deb", no_argument, 1),
		HG_OPT_LONG("from-tar", no_argument, 2),
		HG_OPT_LONG("from-oci", no_argument, 3),
		HG_OPT_LONG("merged-usr", no_argument, 4),
		HG_OPT_LONG("split-usr", no_argument, 5),
		{ NULL }
	};
	struct hg_walk_opts wo;
	enum hg_usr_merge usr;
	enum source from;
	size_t strip = 0;
	int ret, progress;

	hg_walk_opts_init(&b.wo);
	ret = hg_options(argc, argv, opts, usage, build_option, &b);
	if (ret >= 0)
		return ret;
	wo = b.wo;
	root = b.root;
	usr = b.usr;
	from = b.from;
	progress = b.progress;
	w.excludes = wo.excludes;
	w.nexcludes = wo.nexcludes;
	if (usr != HG_USR_AUTO && from != FROM_DEB && from != FROM_TAR && from != FROM_OCI)
		return hg_usage_error(usage, "--merged-usr and --split-usr go with "
				      "--from-deb, --from-tar or --from-oci");
	if (from >= FROM_DEB) {
		if (optind == argc)
			return hg_usage_error(usage, "expected the artifacts to read");
		if (cache_file || w.nexcludes)
			return hg_usage_error(usage, "--cache and --exclude are for "
					      "directory trees");
		return build_release(from, argv + optind, argc - optind, w.all, usr,
				     wo.jobs, output);
	}
	if (optind == argc && from != FROM_ROOT)
		return hg_usage_error(usage, "expected at least one PATH");
	w.progress = progress < 0 ? isatty(STDERR_FILENO) : progress;
	if (cache_file) {
		if (hg_cache_load(cache_file, &cache)) {
			hg_cache_free(cache);
			return HG_EXIT_FAIL;
		}
		w.cache = cache;
	}

	if (root) {
		if (walk_root(&w, root, argv + optind, argc - optind, &strip))
			w.failed = true;
	} else {
		for (; optind < argc; optind++)
			hg_walk_root(&w, argv[optind]);
	}
	hg_walk_sort(&w);
	hg_walk_run(&w, wo.jobs);
	if (write_list(&w, output, strip))
		w.failed = true;
	if (cache_file && hg_cache_save(cache_file, &w))
		w.failed = true;
	hg_cache_free(cache);
	hg_walk_free(&w);
	return w.failed ? HG_EXIT_FAIL : HG_EXIT_OK;
}
