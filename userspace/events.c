// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate events: read struct hg_event records from securityfs and print
 * one line (or one JSON object) each. The module hands out whole records per
 * read(2); partial ones are still carried over so that a copy of the stream
 * in a regular file (HASHGATE_SECURITYFS, tests) reads the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evfmt.h"
#include "subcommands.h"
#include "util.h"

#define BUF_SIZE	(64 * 1024)

static const char usage[] =
	"Usage: hashgate events [--follow] [--json]\n"
	"  -f, --follow  wait for new events instead of exiting when none are left\n"
	"  -j, --json    one JSON object per line\n";

/* Print every complete record in @buf; return the bytes consumed or -1. */
static long drain(const char *buf, size_t len, bool json)
{
	struct hg_event ev;
	size_t off = 0;
	long n;

	while ((n = hg_event_check(buf + off, len - off, &ev)) > 0) {
		hg_event_print(stdout, &ev, buf + off + sizeof(ev), json);
		off += (size_t)n;
	}
	if (n < 0) {
		hg_errorf("malformed event record at byte %zu of a read; "
			  "tool and module versions differ?", off);
		return -1;
	}
	return (long)off;
}

int events_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool follow = false, json = false;
	size_t have = 0;
	char path[4096], *buf;
	int c, fd, ret = HG_EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
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
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	ret = hg_sfs_require();
	if (ret)
		return ret;

	hg_sfs_path(path, sizeof(path), "events");
	/* Non-blocking even with --follow: poll() waits, EAGAIN means drained. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int err = errno;

		hg_error_text("cannot open", path, hg_sfs_strerror(err));
		return hg_errno_exit(err);
	}
	buf = malloc(BUF_SIZE);
	if (!buf) {
		hg_error("cannot allocate", NULL, ENOMEM);
		close(fd);
		return HG_EXIT_FAIL;
	}
	ret = HG_EXIT_FAIL;
	for (;;) {
		ssize_t n = read(fd, buf + have, BUF_SIZE - have);
		long used;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && follow) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
				hg_error("cannot poll", path, errno);
				break;
			}
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			ret = HG_EXIT_OK;
			break;
		}
		if (n < 0) {
			int err = errno;

			hg_error_text("cannot read", path, err == EINVAL ?
				      "event record larger than the read buffer" :
				      hg_sfs_strerror(err));
			ret = hg_errno_exit(err);
			break;
		}
		if (n == 0) {
			if (have)
				hg_errorf("truncated event record at end of '%s'", path);
			ret = have ? HG_EXIT_FAIL : HG_EXIT_OK;
			break;
		}
		have += (size_t)n;
		used = drain(buf, have, json);
		if (used < 0)
			break;
		have -= (size_t)used;
		memmove(buf, buf + used, have);
		if (have == BUF_SIZE) {
			hg_errorf("event record larger than %d bytes", BUF_SIZE);
			break;
		}
		if (follow)
			fflush(stdout);
	}
	free(buf);
	close(fd);
	if (fflush(stdout) && ret == HG_EXIT_OK)
		ret = HG_EXIT_FAIL;
	return ret;
}
