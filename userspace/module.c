// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate module load|unload: a modprobe/rmmod for this one module, with
 * errors that say what to do next. libkmod itself is confined to modctl.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "modctl.h"
#include "state.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate module load [--param KEY=VALUE]... [FILE.ko]\n"
	"       hashgate module unload\n"
	"  load    insert hashgate from /lib/modules/$(uname -r), or FILE.ko;\n"
	"          passes min_serial=<recorded serial> from /var/lib/hashgate/serial\n"
	"          unless --param min_serial=N is given\n"
	"  unload  remove it (refused while enforcing, locked or in use)\n";

/* kmod's mod_strerror(): what init_module(2)/delete_module(2) errnos mean. */
static const char *mod_strerror(int err)
{
	switch (err) {
	case ENOEXEC:
		return "invalid module format (built for another kernel?)";
	case ENOENT:
	case ESRCH:
		return "unknown symbol in module (see dmesg)";
	case EINVAL:
		return "unknown symbol, or unknown or invalid parameter (see dmesg)";
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
		return "module signature rejected (Secure Boot / module.sig_enforce?)";
	case EPERM:
		return "operation not permitted (lockdown or modules disabled?)";
	case EBUSY:
		return "hashgate is in use or enforcing; switch to audit first";
	default:
		return strerror(err);
	}
}

static int report(int ret, const char *file)
{
	struct utsname u;

	switch (ret) {
	case 0:
		return HG_EXIT_OK;
	case HG_MODCTL_NOT_FOUND:
		if (file) {
			hg_error("cannot open", file, ENOENT);
		} else {
			uname(&u);
			hg_errorf("module '%s' not found in /lib/modules/%s "
				  "(installed? run depmod)", HG_MODULE_NAME, u.release);
		}
		return HG_EXIT_NOKERNEL;
	case HG_MODCTL_LOADED:
		hg_errorf("hashgate is already loaded");
		return HG_EXIT_FAIL;
	case HG_MODCTL_NOT_LOADED:
		hg_errorf("hashgate is not loaded");
		return HG_EXIT_NOKERNEL;
	case HG_MODCTL_BUILTIN:
		hg_errorf("hashgate is built into the kernel");
		return HG_EXIT_FAIL;
	}
	hg_error_text(file ? "cannot insert" : "failed for module",
		      file ? file : "hashgate", mod_strerror(-ret));
	return -ret == EPERM || -ret == EACCES ? HG_EXIT_PERM : HG_EXIT_FAIL;
}

/* Join the --param values into libkmod's "k=v k=v" option string. */
static int add_param(char **opts, const char *kv)
{
	size_t old = *opts ? strlen(*opts) : 0;
	char *p;

	if (!strchr(kv, '=') || kv[0] == '=' || strpbrk(kv, " \t\n\""))
		return -EINVAL;
	p = realloc(*opts, old + strlen(kv) + 2);
	if (!p)
		return -ENOMEM;
	if (old)
		p[old++] = ' ';
	strcpy(p + old, kv);
	*opts = p;
	return 0;
}

/*
 * The rollback floor survives reboots: unless the caller chose min_serial,
 * pass the highest serial 'hashgate load' recorded. No record: nothing to
 * pass. A corrupt record is an error, not a silent floor of 0.
 */
static int add_min_serial(char **opts, uint64_t *recorded, bool *passed)
{
	char kv[48], path[4096];
	const char *o = *opts;
	int ret;

	*passed = false;
	while (o && (o = strstr(o, "min_serial="))) {
		if (o == *opts || o[-1] == ' ')
			return 0;
		o++;
	}
	ret = hg_state_read(recorded);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		hg_state_path(path, sizeof(path));
		hg_error_text("cannot read the recorded serial", path,
			      ret == -EINVAL ? "file is corrupt (fix it, or pass "
			      "--param min_serial=N)" : strerror(-ret));
		return HG_EXIT_FAIL;
	}
	snprintf(kv, sizeof(kv), "min_serial=%llu", (unsigned long long)*recorded);
	ret = add_param(opts, kv);
	if (ret) {
		hg_error("cannot allocate", NULL, -ret);
		return HG_EXIT_FAIL;
	}
	*passed = true;
	return 0;
}

int module_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "param", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *action, *file = NULL;
	char *options = NULL;
	uint64_t recorded = 0;
	bool rec_passed = false;
	int c, ret = HG_EXIT_OK;

	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			goto out;
		}
		if (c != 'p') {
			ret = hg_usage_error(usage, NULL);
			goto out;
		}
		ret = add_param(&options, optarg);
		if (ret == -EINVAL) {
			ret = hg_usage_error(usage, "invalid --param '%s' (expected "
					     "KEY=VALUE, no spaces or quotes)", optarg);
			goto out;
		}
		if (ret) {
			hg_error("cannot allocate", NULL, -ret);
			ret = HG_EXIT_FAIL;
			goto out;
		}
	}
	action = argv[optind];
	if (!action || (strcmp(action, "load") && strcmp(action, "unload"))) {
		ret = hg_usage_error(usage, action ? "invalid action '%s'" :
				     "expected 'load' or 'unload'%s",
				     action ? action : "");
		goto out;
	}
	if (!strcmp(action, "load") && argc - optind > 2) {
		ret = hg_usage_error(usage, "too many arguments");
		goto out;
	}
	if (!strcmp(action, "unload") && (argc - optind > 1 || options)) {
		ret = hg_usage_error(usage, "unload takes no arguments");
		goto out;
	}
	file = argv[optind + 1];

	/* The kernel would say EPERM; this says why, before touching anything. */
	if (geteuid()) {
		hg_errorf("%s needs root", action);
		ret = HG_EXIT_PERM;
		goto out;
	}
	if (!strcmp(action, "load")) {
		ret = add_min_serial(&options, &recorded, &rec_passed);
		if (ret)
			goto out;
		ret = report(hg_modctl_insert(file, options), file);
	} else {
		ret = report(hg_modctl_remove(), NULL);
	}
	if (!ret && rec_passed)
		printf("hashgate module loaded with min_serial=%llu (the recorded "
		       "rollback floor)\n", (unsigned long long)recorded);
	else if (!ret)
		printf("hashgate module %sed\n", action);
out:
	free(options);
	return ret;
}
