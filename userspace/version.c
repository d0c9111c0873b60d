// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate version: the tool's version, and the module's when it is loaded,
 * since the two are built and shipped separately.
 */
#include <getopt.h>
#include <stdio.h>

#include "subcommands.h"
#include "util.h"
#include "version.h"

static const char usage[] = "Usage: hashgate version\n";

int version_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char buf[128];
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'h')
			return hg_usage_error(usage, NULL);
		fputs(usage, stdout);
		return HG_EXIT_OK;
	}
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	printf("hashgate tool %s\n", HASHGATE_VERSION);
	if (hg_sfs_read("version", buf, sizeof(buf)) >= 0)
		printf("hashgate module %s\n", buf);
	else
		printf("hashgate module not loaded\n");
	return HG_EXIT_OK;
}
