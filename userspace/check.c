// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate check PATH...: ask the loaded module what it would decide for
 * each file, through securityfs 'check': open it read-write, write the
 * absolute path in one write(2), read back
 * "<allow|deny> <reason> sha256:<hex|-> <serial>". A new open per path, as
 * each open file holds one answer. Nothing is logged and the mode does not
 * matter: this is what the list says, not what enforcement would do now.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate check [--json] PATH...\n"
	"  Ask the module whether the loaded allowlist allows each file, and why;\n"
	"  exit 1 if any would be denied.\n"
	"  -j, --json   one JSON object per PATH\n";

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
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char sfs[4096], answer[256], decision[16], reason[64], digest[80];
	bool json = false, denied = false, failed = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
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
	ret = hg_sfs_require();
	if (ret)
		return ret;
	hg_sfs_path(sfs, sizeof(sfs), "check");
	if (access(sfs, F_OK)) {
		hg_error_text("no file", sfs, "the loaded module has no 'check' file "
			      "(older than this tool?)");
		return HG_EXIT_NOKERNEL;
	}

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
			printf(",\"serial\":%llu}\n", serial);
		} else {
			hg_print_path(stdout, arg, strlen(arg));
			printf(": %s (%s) %s\n", decision, reason, digest);
		}
		free(abs);
	}
	if (fflush(stdout))
		failed = true;
	return denied || failed ? HG_EXIT_FAIL : HG_EXIT_OK;
}
