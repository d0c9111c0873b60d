// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate(8): manage the hashgate executable-allowlist module. A wg(8)-style
 * dispatch table; each subcommand lives in its own cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "subcommands.h"
#include "util.h"
#include "version.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "status", status_main, "Show module state, allowlist and counters" },
	{ "apply", apply_main, "Bring the module to the state hashgate.conf describes" },
	{ "config", config_main, "Check hashgate.conf, or print one of its settings" },
	{ "mode", mode_main, "Show or set the mode: off, audit or enforce" },
	{ "lock", lock_main, "Lock the mode and pin the module until reboot" },
	{ "build", build_main, "Hash executables into a sha256sum-format allowlist" },
	{ "load", load_main, "Compile a text allowlist (or take a blob) and make it active" },
	{ "sign", sign_main, "Compile a text allowlist and sign it" },
	{ "keygen", keygen_main, "Make a signing key and certificate for labs" },
	{ "keys", keys_main, "Add, list or lock the keys trusted for signed lists" },
	{ "diff", diff_main, "Show entries added, removed and changed between two lists" },
	{ "verify", verify_main, "Check files on disk against a list" },
	{ "apt-hook", apt_hook_main, "Refuse packages whose executables the list lacks (APT)" },
	{ "check", check_main, "Ask the module whether it would allow files, and why" },
	{ "scan", scan_main, "Verify the code running processes have in memory" },
	{ "measurements", measurements_main, "Print or check the list of what was measured" },
	{ "events", events_main, "Print decision, list and mode events" },
	{ "module", module_main, "Load or unload the kernel module" },
	{ "version", version_main, "Show tool and module versions" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: hashgate <cmd> [<args>]\n\nAvailable subcommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-12s %s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f, "You may pass '--help' to any of these subcommands to view usage.\n"
		   "With no subcommand, 'status' is run.\n");
}

int main(int argc, char *argv[])
{
	static char *status_argv[] = { "hashgate status", NULL };
	static char prog[32];
	size_t i;

	if (argc < 2) {
		hg_cmd = "status";
		return status_main(1, status_argv);
	}
	if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version")) {
		hg_cmd = "version";
		argv[1] = "hashgate version";
		return version_main(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		show_usage(stdout);
		return HG_EXIT_OK;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		/* getopt_long() prefixes its messages with argv[0]. */
		snprintf(prog, sizeof(prog), "hashgate %s", subcommands[i].name);
		argv[1] = prog;
		hg_cmd = subcommands[i].name;
		return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "hashgate: invalid subcommand '%s'\n", argv[1]);
	show_usage(stderr);
	return HG_EXIT_USAGE;
}
