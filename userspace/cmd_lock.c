// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate lock: pin the module and forbid lowering the mode until reboot.
 * There is deliberately no unlock; the kernel offers none.
 */
#include <getopt.h>

#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate lock\n"
	"  Lock the current mode and pin the module until reboot. Irreversible.\n";

int lock_main(int argc, char *argv[])
{
	int ret;

	ret = hg_no_arguments(argc, argv, usage);
	if (ret >= 0)
		return ret;
	ret = hg_sfs_require();
	if (ret)
		return ret;
	ret = hg_sfs_write("lock", "1", 1);
	if (ret < 0)
		return hg_sfs_error("cannot write", "lock", -ret);
	printf("hashgate locked until reboot\n");
	return HG_EXIT_OK;
}
