// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate diff OLD NEW: what changes between two text allowlists, for
 * change review. One line per path, in path order:
 *
 *   + PATH sha256:NEW            added
 *   - PATH sha256:OLD            removed
 *   ~ PATH sha256:OLD -> sha256:NEW   changed
 *
 * Exit 0 when the entries are the same (the serial does not count), 1 when
 * they differ or a list cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "escape.h"
#include "listtext.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate diff [--json] OLD NEW\n"
	"  Show allowlist entries added, removed and changed from OLD to NEW\n"
	"  (text lists, '-' for stdin); exit 1 when they differ.\n"
	"  -j, --json   one JSON object: {\"added\":[],\"removed\":[],\"changed\":[]}\n";

static int read_list(const char *name, struct hg_text_list *list)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "re") : stdin;
	int ret;

	if (!f) {
		hg_error("cannot open", name, errno);
		return -1;
	}
	ret = hg_listtext_parse(f, name, list, stderr);
	if (f != stdin)
		fclose(f);
	if (ret < 0)
		hg_error("cannot read", name, -ret);
	else if (ret > 0)
		hg_errorf("'%s' has %d error%s", name, ret, ret == 1 ? "" : "s");
	if (ret)
		hg_listtext_free(list);
	return ret ? -1 : 0;
}

static int cmp_path(const struct hg_text_entry *a, const struct hg_text_entry *b)
{
	return hg_path_cmp(a->path, a->len, b->path, b->len);
}

enum kind { ADDED, REMOVED, CHANGED };

static void emit(enum kind k, const struct hg_text_entry *o,
		 const struct hg_text_entry *n, bool json, bool *first)
{
	char a[2 * HG_DIGEST_SIZE + 1], b[2 * HG_DIGEST_SIZE + 1];
	const struct hg_text_entry *e = n ? n : o;

	if (o)
		hg_hex(a, o->digest, HG_DIGEST_SIZE);
	if (n)
		hg_hex(b, n->digest, HG_DIGEST_SIZE);
	if (json) {
		printf("%s{\"path\":", *first ? "" : ",");
		hg_escape_json(stdout, e->path, e->len);
		if (k == CHANGED)
			printf(",\"old_sha256\":\"%s\",\"new_sha256\":\"%s\"", a, b);
		else
			printf(",\"sha256\":\"%s\"", k == ADDED ? b : a);
		if (o && o->origin) {
			printf(",\"%s\":", k == CHANGED ? "old_origin" : "origin");
			hg_escape_json(stdout, o->origin, strlen(o->origin));
		}
		if (n && n->origin) {
			printf(",\"%s\":", k == CHANGED ? "new_origin" : "origin");
			hg_escape_json(stdout, n->origin, strlen(n->origin));
		}
		putchar('}');
		*first = false;
		return;
	}
	fputs(k == ADDED ? "+ " : k == REMOVED ? "- " : "~ ", stdout);
	hg_print_path(stdout, e->path, e->len);
	if (k == CHANGED)
		printf(" sha256:%s -> sha256:%s", a, b);
	else
		printf(" sha256:%s", k == ADDED ? b : a);
	if (k == CHANGED && ((o->origin || n->origin) &&
			     (!o->origin || !n->origin || strcmp(o->origin, n->origin))))
		printf(" (from %s -> %s)", o->origin ? o->origin : "?",
		       n->origin ? n->origin : "?");
	else if (e->origin)
		printf(" (from %s)", e->origin);
	putchar('\n');
}

/* For --json: walk both sorted lists, emit the entries of kind @k; how many. */
static size_t walk(const struct hg_text_list *o, const struct hg_text_list *n,
		   enum kind k, bool json)
{
	size_t i = 0, j = 0, count = 0;
	bool first = true;

	while (i < o->count || j < n->count) {
		int r = i == o->count ? 1 : j == n->count ? -1 :
			cmp_path(&o->entries[i], &n->entries[j]);

		if (r < 0) {
			if (k == REMOVED)
				emit(REMOVED, &o->entries[i], NULL, json, &first);
			count += k == REMOVED;
			i++;
		} else if (r > 0) {
			if (k == ADDED)
				emit(ADDED, NULL, &n->entries[j], json, &first);
			count += k == ADDED;
			j++;
		} else {
			if (memcmp(o->entries[i].digest, n->entries[j].digest,
				   HG_DIGEST_SIZE)) {
				if (k == CHANGED)
					emit(CHANGED, &o->entries[i], &n->entries[j],
					     json, &first);
				count += k == CHANGED;
			}
			i++, j++;
		}
	}
	return count;
}

int diff_main(int argc, char *argv[])
{
	struct hg_text_list old, new;
	size_t added, removed, changed;
	bool json = false;
	const struct hg_opt opts[] = {
		HG_OPT_FLAG("json", 'j', &json),
		{ NULL }
	};
	int ret = hg_options(argc, argv, opts, usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (argc - optind != 2)
		return hg_usage_error(usage, "expected OLD and NEW");
	if (!strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-"))
		return hg_usage_error(usage, "only one list can be stdin");
	if (read_list(argv[optind], &old))
		return HG_EXIT_FAIL;
	if (read_list(argv[optind + 1], &new)) {
		hg_listtext_free(&old);
		return HG_EXIT_FAIL;
	}

	if (json) {
		fputs("{\"added\":[", stdout);
		added = walk(&old, &new, ADDED, true);
		fputs("],\"removed\":[", stdout);
		removed = walk(&old, &new, REMOVED, true);
		fputs("],\"changed\":[", stdout);
		changed = walk(&old, &new, CHANGED, true);
		printf("],\"old_serial\":");
		old.has_serial ? printf("%" PRIu64, old.serial) : printf("null");
		printf(",\"new_serial\":");
		new.has_serial ? printf("%" PRIu64, new.serial) : printf("null");
		printf(",\"old_count\":%zu,\"new_count\":%zu}\n", old.count, new.count);
	} else {
		/* One pass in path order, all kinds interleaved. */
		size_t i = 0, j = 0;
		bool first = true;

		added = removed = changed = 0;
		while (i < old.count || j < new.count) {
			int r = i == old.count ? 1 : j == new.count ? -1 :
				cmp_path(&old.entries[i], &new.entries[j]);

			if (r < 0) {
				emit(REMOVED, &old.entries[i++], NULL, false, &first);
				removed++;
			} else if (r > 0) {
				emit(ADDED, NULL, &new.entries[j++], false, &first);
				added++;
			} else {
				if (memcmp(old.entries[i].digest, new.entries[j].digest,
					   HG_DIGEST_SIZE)) {
					emit(CHANGED, &old.entries[i], &new.entries[j],
					     false, &first);
					changed++;
				}
				i++, j++;
			}
		}
		if (added || removed || changed)
			fprintf(stderr, "%zu added, %zu removed, %zu changed\n",
				added, removed, changed);
	}
	hg_listtext_free(&old);
	hg_listtext_free(&new);
	if (fflush(stdout))
		return HG_EXIT_FAIL;
	return added || removed || changed ? HG_EXIT_FAIL : HG_EXIT_OK;
}
