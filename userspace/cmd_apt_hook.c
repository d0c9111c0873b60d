// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate apt-hook: before dpkg unpacks anything, are the executables of
 * the packages about to be installed on the allowlist? APT runs it as a
 * DPkg::Pre-Install-Pkgs command (etc/apt/apt.conf.d/50hashgate), with the
 * .deb files on standard input, one per line. A program or library that
 * the list lacks could not run once installed while enforcing: the next
 * restart of the service that uses it would fail. In enforce mode the
 * transaction is refused (apt_hook = refuse, the default) or let through
 * with a warning (apt_hook = warn); otherwise it only warns. The packages
 * are read as 'hashgate build --from-deb' reads them, nothing extracted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "list_format.h"
#include "listblob.h"
#include "release.h"
#include "subcommands.h"
#include "util.h"

#define MAX_SHOWN	50	/* files named before "and N more" */

static const char usage[] =
	"Usage: hashgate apt-hook [--config FILE] [--list FILE] [--warn] [PACKAGE.deb...]\n"
	"  Check the executables of the packages APT is about to install (on\n"
	"  standard input, one .deb a line, as DPkg::Pre-Install-Pkgs gives them,\n"
	"  or as arguments) against the allowlist: in enforce mode, refuse the\n"
	"  transaction (exit 1) when one is not on it.\n"
	"  -c, --config FILE  hashgate.conf (default " HG_CONFIG_DEFAULT "): its\n"
	"                     allowlist and apt_hook settings\n"
	"  -l, --list FILE    this allowlist (text or blob) instead of the config's\n"
	"  -w, --warn         only warn, whatever apt_hook says\n";

/*
 * Is the module enforcing? A loaded module whose mode cannot be read (no
 * securityfs in this mount namespace) counts as enforcing: fail closed.
 */
static bool enforcing_now(void)
{
	char mode[32] = "";

	if (hg_sfs_read("mode", mode, sizeof(mode)) > 0)
		return !strncmp(mode, "enforce", 7);
	return !access(hg_sysmod_dir(), F_OK);
}

/* Say so when @view is not the list the module has loaded. */
static void compare_loaded(const char *file, const struct hg_list_view *view)
{
	char text[256];
	unsigned long long serial, count;

	if (hg_sfs_read("allowlist", text, sizeof(text)) <= 0 ||
	    sscanf(text, "%llu %llu", &serial, &count) != 2 ||
	    (serial == view->serial && count == view->digest_count))
		return;
	hg_errorf("note: %s (serial %llu, %u digests) is not the list the module has "
		  "loaded (serial %llu, %llu digests); the packages are checked against %s",
		  file, (unsigned long long)view->serial, view->digest_count, serial,
		  count, file);
}

/* The packages, from the arguments or from APT on standard input. */
static int read_packages(struct hg_release *r, char **argv, int argc)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int i, count = 0;

	for (i = 0; i < argc; i++, r->layer++, count++)
		hg_rel_read_deb(r, argv[i]);
	if (argc)
		return count;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (!n)
			continue;
		hg_rel_read_deb(r, line);
		r->layer++;
		count++;
	}
	free(line);
	if (ferror(stdin)) {
		hg_error("cannot read", "<stdin>", errno ? errno : EIO);
		r->failed = true;
	}
	return count;
}

int apt_hook_main(int argc, char *argv[])
{
	/* Every file counts: two packages' files at one path both exist (diversions). */
	struct hg_release r = { .usr = HG_USR_AUTO, .keep_all = true };
	const char *config = NULL, *list = NULL;
	struct hg_config cfg = { 0 };
	struct hg_list_view view;
	uint8_t *blob = NULL;
	bool warn = false, enforcing, refuse, scripts;
	const struct hg_opt opts[] = {
		HG_OPT_ARG("config", 'c', &config),
		HG_OPT_ARG("list", 'l', &list),
		HG_OPT_FLAG("warn", 'w', &warn),
		{ NULL }
	};
	size_t i, bad = 0;
	int ret, packages;

	ret = hg_options(argc, argv, opts, usage, NULL, NULL);
	if (ret >= 0)
		return ret;
	/* Not loaded, or off or audit: what would not run is said, nothing refused. */
	enforcing = enforcing_now();
	ret = hg_config_load(hg_config_path(config), &cfg);
	if (ret && !list) {
		/* Unchecked packages while enforcing could lock the server out. */
		hg_errorf("cannot check the packages without hashgate.conf%s",
			  enforcing ? ": refusing the transaction (enforce mode)" : "");
		return enforcing ? HG_EXIT_FAIL : HG_EXIT_OK;
	}
	if (!ret && cfg.apt_hook == HG_APT_OFF && !list) {
		hg_config_free(&cfg);
		return HG_EXIT_OK;
	}
	warn = warn || (!ret && cfg.apt_hook == HG_APT_WARN);
	scripts = !ret && cfg.require_scripts == 1;
	refuse = enforcing && !warn;
	if (!list)
		list = cfg.allowlist;
	if (!list) {
		hg_errorf("no allowlist in %s: nothing to check the packages against%s",
			  hg_config_path(config), refuse ? "; refusing the transaction (enforce "
			  "mode; apt_hook = warn or off lets it go on)" : "");
		hg_config_free(&cfg);
		return refuse ? HG_EXIT_FAIL : HG_EXIT_OK;
	}
	if (hg_listblob_load(list, &blob, &view)) {
		hg_config_free(&cfg);
		return refuse ? HG_EXIT_FAIL : HG_EXIT_OK;
	}
	compare_loaded(list, &view);
	packages = read_packages(&r, argv + optind, argc - optind);
	if (r.failed || hg_rel_finish(&r)) {
		hg_errorf("the packages could not all be read: %s", refuse ?
			  "refusing the transaction (enforce mode)" : "going on");
		ret = refuse ? HG_EXIT_FAIL : HG_EXIT_OK;
		goto out;
	}
	for (i = 0; i < r.n; i++) {
		const struct hg_rel_entry *e = &r.v[i];

		/* A script is checked only when the module requires scripts listed. */
		if (hg_list_has_digest(&view, e->digest) || (e->script && !scripts))
			continue;
		if (bad++ < MAX_SHOWN)
			hg_errorf("not on the allowlist: %s (from %s)", e->path, e->origin);
	}
	if (bad > MAX_SHOWN)
		hg_errorf("... and %zu more", bad - MAX_SHOWN);
	if (!bad) {
		ret = HG_EXIT_OK;
		goto out;
	}
	hg_errorf("%zu file%s in %d package%s would not be allowed to run by %s (serial %llu)%s",
		  bad, bad == 1 ? "" : "s", packages, packages == 1 ? "" : "s", list,
		  (unsigned long long)view.serial,
		  enforcing ? "" : "; the module is not enforcing, nothing refused");
	if (refuse)
		hg_errorf("refusing the transaction (enforce mode, apt_hook = refuse): load a "
			  "list that covers these packages first (hashgate build --from-deb, "
			  "sign, load), or set apt_hook = warn");
	ret = refuse ? HG_EXIT_FAIL : HG_EXIT_OK;
out:
	hg_rel_free(&r);
	free(blob);
	hg_config_free(&cfg);
	return ret;
}
