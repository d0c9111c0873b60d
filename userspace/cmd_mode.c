// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate mode [off|audit|enforce]: print or set the mode. The module does
 * the permission checks (CAP_MAC_ADMIN, plus CAP_SYS_ADMIN and the lock for
 * lowering); here they only become readable messages and exit code 4.
 */
#include <getopt.h>
#include <string.h>

#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate mode [off|audit|enforce]\n"
	"  Without an argument, print the current mode.\n"
	"  Lowering the mode is refused once 'hashgate lock' was run.\n";

int mode_main(int argc, char *argv[])
{
	char buf[32];
	const char *mode;
	int ret;

	ret = hg_common_options_only(argc, argv, usage);
	if (ret >= 0)
		return ret;
	if (argc - optind > 1)
		return hg_usage_error(usage, "too many arguments");
	mode = argv[optind];
	if (mode && strcmp(mode, "off") && strcmp(mode, "audit") &&
	    strcmp(mode, "enforce"))
		return hg_usage_error(usage, "invalid mode '%s'", mode);

	ret = hg_sfs_require();
	if (ret)
		return ret;
	if (!mode) {
		ret = hg_sfs_read("mode", buf, sizeof(buf));
		if (ret < 0)
			return hg_sfs_error("cannot read", "mode", -ret);
		printf("%s\n", buf);
		return HG_EXIT_OK;
	}
	ret = hg_sfs_write("mode", mode, strlen(mode));
	if (ret < 0)
		return hg_sfs_error("cannot write", "mode", -ret);
	return HG_EXIT_OK;
}
