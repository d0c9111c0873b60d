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
	char buf[128];
	int ret;

	ret = hg_no_arguments(argc, argv, usage);
	if (ret >= 0)
		return ret;
	printf("hashgate tool %s\n", HASHGATE_VERSION);
	if (hg_sfs_read("version", buf, sizeof(buf)) >= 0)
		printf("hashgate module %s\n", buf);
	else
		printf("hashgate module not loaded\n");
	return HG_EXIT_OK;
}
