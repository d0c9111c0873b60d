// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate verify LIST [PATH...]: does the disk still match a text
 * allowlist? Every listed file is hashed again (in parallel, walk.c);
 * with PATHs, the executables found under them (as 'hashgate build' finds
 * them) that LIST lacks are reported too. With a list built from a
 * release ('hashgate build --from-deb'), that is: what here is not from
 * the release, what of it changed here, what is missing; each finding
 * about a listed file names the file's origin. --root DIR checks a staged
 * tree or a mounted image instead of /. Findings, in path order:
 *
 *   changed PATH sha256:LISTED -> sha256:ON-DISK
 *   missing PATH
 *   unreadable PATH: REASON
 *   unlisted PATH
 *
 * Exit 0 when there are none, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "listtext.h"
#include "subcommands.h"
#include "util.h"
#include "walk.h"


static const char usage[] =
	"Usage: hashgate verify [--json] [--jobs N] [--exclude GLOB]... [--root DIR]\n"
	"                       LIST [PATH...]\n"
	"  Report listed files whose bytes no longer match LIST (changed, missing,\n"
	"  unreadable; with where LIST says they come from) and, with PATHs,\n"
	"  executables under them that LIST lacks (unlisted); exit 1 on any finding.\n"
	"      --root DIR      LIST's paths (and PATHs) are inside DIR, a staged\n"
	"                      tree or a mounted image\n"
	"  -j, --jobs N        hashing threads (default: online CPUs)\n"
	"  -x, --exclude GLOB  skip paths matching GLOB under PATH; repeatable\n"
	"      --json          one JSON object with the findings\n";

enum { CHANGED, MISSING, UNREADABLE, UNLISTED, NKINDS };
static const char *const kind_names[] = { "changed", "missing", "unreadable", "unlisted" };

struct finding {
	int kind;
	const char *path;	/* as the target has it, --root taken off */
	const uint8_t *listed, *disk;
	const char *origin;	/* the listed file's, or NULL */
	int err;
};

static void print_text(const struct finding *f)
{
	char a[2 * HG_DIGEST_SIZE + 1], b[2 * HG_DIGEST_SIZE + 1];

	printf("%s ", kind_names[f->kind]);
	hg_print_path(stdout, f->path, strlen(f->path));
	if (f->kind == CHANGED) {
		hg_hex(a, f->listed, HG_DIGEST_SIZE);
		hg_hex(b, f->disk, HG_DIGEST_SIZE);
		printf(" sha256:%s -> sha256:%s", a, b);
	} else if (f->kind == UNREADABLE) {
		printf(": %s", strerror(f->err));
	}
	if (f->origin)
		printf(" (from %s)", f->origin);
	putchar('\n');
}

static void print_json(const struct finding *f, bool first)
{
	char a[2 * HG_DIGEST_SIZE + 1], b[2 * HG_DIGEST_SIZE + 1];

	printf("%s{\"kind\":\"%s\",\"path\":", first ? "" : ",", kind_names[f->kind]);
	hg_escape_json(stdout, f->path, strlen(f->path));
	if (f->kind == CHANGED) {
		hg_hex(a, f->listed, HG_DIGEST_SIZE);
		hg_hex(b, f->disk, HG_DIGEST_SIZE);
		printf(",\"listed_sha256\":\"%s\",\"disk_sha256\":\"%s\"", a, b);
	} else if (f->kind == UNREADABLE) {
		printf(",\"error\":");
		hg_escape_json(stdout, strerror(f->err), strlen(strerror(f->err)));
	}
	if (f->origin) {
		printf(",\"origin\":");
		hg_escape_json(stdout, f->origin, strlen(f->origin));
	}
	putchar('}');
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int r = strcmp(x->path, y->path);

	return r ? r : x->kind - y->kind;
}

static bool listed(const struct hg_text_list *list, const char *path)
{
	size_t lo = 0, hi = list->count, len = strlen(path);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct hg_text_entry *e = &list->entries[mid];
		int r = hg_path_cmp(e->path, e->len, path, len);

		if (!r)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

struct verify_opts {
	struct hg_walk_opts wo;
	char *root;
	size_t strip;
};

static int verify_option(void *ctx, int c, const char *arg)
{
	struct verify_opts *v = ctx;

	if (c != 'r')
		return hg_walk_option(&v->wo, c, arg, usage);
	free(v->root);
	v->root = realpath(arg, NULL);
	if (!v->root) {
		hg_error("cannot resolve", arg, errno);
		return HG_EXIT_FAIL;
	}
	v->strip = strcmp(v->root, "/") ? strlen(v->root) : 0;
	return 0;
}

int verify_main(int argc, char *argv[])
{
	struct verify_opts vo = { .root = NULL };
	struct hg_walk lw = { .all = true, .hash = true };
	struct hg_walk tw = { 0 };
	struct hg_walk_opts wo;
	size_t counts[NKINDS] = { 0 }, nf = 0, i;
	struct hg_text_list list;
	struct finding *fs = NULL;
	const char *name;
	char *root, *p;
	size_t strip;
	bool json = false;
	const struct hg_opt opts[] = {
		HG_OPT_LONG_FLAG("json", 'J', &json),
		HG_OPT_CALL("jobs", required_argument, 'j'),
		HG_OPT_CALL("exclude", required_argument, 'x'),
		HG_OPT_LONG("root", required_argument, 'r'),
		{ NULL }
	};
	FILE *f;
	int c, ret;

	hg_walk_opts_init(&vo.wo);
	ret = hg_options(argc, argv, opts, usage, verify_option, &vo);
	if (ret >= 0) {
		free(vo.root);
		return ret;
	}
	ret = HG_EXIT_FAIL;
	wo = vo.wo;
	root = vo.root;
	strip = vo.strip;
	tw.excludes = wo.excludes;
	tw.nexcludes = wo.nexcludes;
	if (optind == argc) {
		free(root);
		return hg_usage_error(usage, "expected a LIST");
	}
	name = argv[optind++];
	f = strcmp(name, "-") ? fopen(name, "re") : stdin;
	if (!f) {
		hg_error("cannot open", name, errno);
		free(root);
		return HG_EXIT_FAIL;
	}
	c = hg_listtext_parse(f, name, &list, stderr);
	if (f != stdin)
		fclose(f);
	if (c) {
		if (c < 0)
			hg_error("cannot read", name, -c);
		else
			hg_errorf("'%s' has %d error%s", name, c, c == 1 ? "" : "s");
		hg_listtext_free(&list);
		free(root);
		return HG_EXIT_FAIL;
	}

	for (i = 0; i < list.count; i++) {
		int err;

		if (asprintf(&p, "%s%s", strip ? root : "", list.entries[i].path) < 0)
			goto oom;
		err = hg_walk_add(&lw, p, strlen(p));
		free(p);
		if (err)
			goto oom;
	}
	hg_walk_run(&lw, wo.jobs);
	for (; optind < argc; optind++) {
		if (asprintf(&p, "%s/%s", strip ? root : "", argv[optind]) < 0)
			goto oom;
		hg_walk_root(&tw, strip ? p : argv[optind]);
		free(p);
	}
	hg_walk_sort(&tw);
	hg_walk_run(&tw, wo.jobs);

	fs = calloc(lw.n + tw.n + 1, sizeof(*fs));
	if (!fs)
		goto oom;
	/* lw.v[i] is list.entries[i]: added in order, never sorted. */
	for (i = 0; i < lw.n; i++) {
		const struct hg_item *it = &lw.v[i];
		struct finding fd = {
			.path = it->path + strip, .err = it->err,
			.origin = list.entries[i].origin,
		};

		if (it->err == ENOENT || it->err == ENOTDIR)
			fd.kind = MISSING;
		else if (it->err)
			fd.kind = UNREADABLE;
		else if (memcmp(it->digest, list.entries[i].digest, HG_DIGEST_SIZE))
			fd.kind = CHANGED, fd.listed = list.entries[i].digest,
			fd.disk = it->digest;
		else
			continue;
		fs[nf++] = fd;
	}
	for (i = 0; i < tw.n; i++) {
		const struct hg_item *it = &tw.v[i];

		if (it->err) {
			hg_error("cannot read", it->path, it->err);
			tw.failed = true;
		} else if (it->selected) {
			/* Outside DIR (a symlink in a PATH): never from the release. */
			bool inside = !strncmp(it->path, root ? root : "", strip);
			const char *path = it->path + (inside ? strip : 0);

			if (!inside || !listed(&list, path))
				fs[nf++] = (struct finding){ .kind = UNLISTED, .path = path };
		}
	}
	if (nf)
		qsort(fs, nf, sizeof(*fs), cmp_finding);
	if (json)
		fputs("{\"findings\":[", stdout);
	for (i = 0; i < nf; i++) {
		counts[fs[i].kind]++;
		if (json)
			print_json(&fs[i], !i);
		else
			print_text(&fs[i]);
	}
	if (json)
		printf("],\"listed\":%zu,\"scanned\":%zu,\"changed\":%zu,\"missing\":%zu,"
		       "\"unreadable\":%zu,\"unlisted\":%zu}\n", lw.n, tw.n,
		       counts[CHANGED], counts[MISSING], counts[UNREADABLE],
		       counts[UNLISTED]);
	if (nf)
		fprintf(stderr, "%zu listed file%s checked: %zu changed, %zu missing, "
			"%zu unreadable; %zu unlisted executable%s\n", lw.n,
			lw.n == 1 ? "" : "s", counts[CHANGED], counts[MISSING],
			counts[UNREADABLE], counts[UNLISTED], counts[UNLISTED] == 1 ? "" : "s");
	ret = nf || tw.failed || lw.failed ? HG_EXIT_FAIL : HG_EXIT_OK;
	if (fflush(stdout))
		ret = HG_EXIT_FAIL;
	goto out;
oom:
	hg_error("cannot allocate", NULL, ENOMEM);
out:
	free(fs);
	free(root);
	hg_walk_free(&lw);
	hg_walk_free(&tw);
	hg_listtext_free(&list);
	return ret;
}
