// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate check PATH...: ask the loaded module what it would decide for
 * each file, through securityfs 'check': open it read-write, write the
 * absolute path in one write(2), read back
 * "<allow|deny> <reason> sha256:<hex|-> <serial>". A new open per path, as
 * each open file holds one answer. Nothing is logged and the mode does not
 * matter: this is what the list says, not what enforcement would do now.
 * With --list, the text list the loaded one was made from says where an
 * allowed file's digest comes from ("# hashgate-from:" lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "listtext.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate check [--json] [--list LIST] PATH...\n"
	"  Ask the module whether the loaded allowlist allows each file, and why;\n"
	"  exit 1 if any would be denied.\n"
	"  -j, --json       one JSON object per PATH\n"
	"  -l, --list LIST  the text list the loaded one came from: say where each\n"
	"                   file's digest comes from, as LIST says it\n";

/* Where @hex's digest comes from in @list: @path's entry first, else any. */
static const char *origin_of(const struct hg_text_list *list, const char *hex,
			     const char *path)
{
	char h[2 * HG_DIGEST_SIZE + 1];
	const char *any = NULL;
	size_t i;

	for (i = 0; list && i < list->count; i++) {
		const struct hg_text_entry *e = &list->entries[i];

		hg_hex(h, e->digest, HG_DIGEST_SIZE);
		if (strcmp(h, hex) || !e->origin)
			continue;
		if (!strcmp(e->path, path))
			return e->origin;
		any = any ? any : e->origin;
	}
	return any;
}

static int read_list(const char *name, struct hg_text_list *list)
{
	FILE *f = fopen(name, "re");
	int ret;

	if (!f) {
		hg_error("cannot open", name, errno);
		return -1;
	}
	ret = hg_listtext_parse(f, name, list, stderr);
	fclose(f);
	if (ret < 0)
		hg_error("cannot read", name, -ret);
	else if (ret)
		hg_errorf("'%s' has %d error%s", name, ret, ret == 1 ? "" : "s");
	return ret ? -1 : 0;
}

/* Ask about @abs; fill @answer. 0, or -errno of the securityfs I/O. */
static int ask(const char *sfs, const char *abs, char *answer, size_t size)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(sfs, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, abs, strlen(abs));
	if (n < 0)
		err = errno;
	else if ((size_t)n != strlen(abs))
		err = EIO;
	if (!err) {
		n = pread(fd, answer, size - 1, 0);
		if (n < 0)
			err = errno;
		else
			answer[n] = '\0';
	}
	close(fd);
	return -err;
}

int check_main(int argc, char *argv[])
{
	char sfs[4096], answer[256], decision[16], reason[64], digest[80];
	struct hg_text_list list = { 0 };
	const char *list_file = NULL, *origin;
	bool json = false, denied = false, failed = false;
	const struct hg_opt opts[] = {
		HG_OPT_FLAG("json", 'j', &json),
		HG_OPT_ARG("list", 'l', &list_file),
		{ NULL }
	};
	int ret = hg_options(argc, argv, opts, usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (optind == argc)
		return hg_usage_error(usage, "expected at least one PATH");
	ret = hg_sfs_require_file("check");
	if (ret)
		return ret;
	hg_sfs_path(sfs, sizeof(sfs), "check");
	if (list_file && read_list(list_file, &list))
		return HG_EXIT_FAIL;

	for (; optind < argc; optind++) {
		const char *arg = argv[optind];
		/* The kernel wants an absolute path; resolve it as exec would. */
		char *abs = realpath(arg, NULL);
		unsigned long long serial;

		if (!abs) {
			hg_error("cannot resolve", arg, errno);
			failed = true;
			continue;
		}
		ret = ask(sfs, abs, answer, sizeof(answer));
		if (ret == -EPERM || ret == -EACCES) {
			hg_error_text("cannot check", arg, "permission denied "
				      "(needs root with CAP_MAC_ADMIN)");
			free(abs);
			hg_listtext_free(&list);
			return HG_EXIT_PERM;
		}
		if (ret) {
			hg_error("cannot check", arg, -ret);
			failed = true;
			free(abs);
			continue;
		}
		if (sscanf(answer, "%15s %63s %79s %llu", decision, reason, digest,
			   &serial) != 4 || strncmp(digest, "sha256:", 7) ||
		    (strcmp(decision, "allow") && strcmp(decision, "deny"))) {
			answer[strcspn(answer, "\n")] = '\0';
			hg_error_text("unexpected answer for", arg, answer);
			failed = true;
			free(abs);
			continue;
		}
		denied |= !strcmp(decision, "deny");
		origin = list_file ? origin_of(&list, digest + 7, abs) : NULL;
		if (json) {
			printf("{\"path\":");
			hg_escape_json(stdout, arg, strlen(arg));
			printf(",\"resolved\":");
			hg_escape_json(stdout, abs, strlen(abs));
			printf(",\"decision\":\"%s\",\"reason\":", decision);
			hg_escape_json(stdout, reason, strlen(reason));
			if (strcmp(digest + 7, "-"))
				printf(",\"sha256\":\"%s\"", digest + 7);
			else
				printf(",\"sha256\":null");
			printf(",\"serial\":%llu", serial);
			if (origin) {
				printf(",\"origin\":");
				hg_escape_json(stdout, origin, strlen(origin));
			}
			printf("}\n");
		} else {
			hg_print_path(stdout, arg, strlen(arg));
			printf(": %s (%s) %s", decision, reason, digest);
			if (origin)
				printf(" (from %s)", origin);
			putchar('\n');
		}
		free(abs);
	}
	if (fflush(stdout))
		failed = true;
	hg_listtext_free(&list);
	return denied || failed ? HG_EXIT_FAIL : HG_EXIT_OK;
}
