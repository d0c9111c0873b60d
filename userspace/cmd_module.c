// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate module load|unload: a modprobe/rmmod for this one module, with
 * errors that say what to do next. libkmod itself is confined to modctl.c.
 *
 * Every way the module gets loaded should pass the recorded rollback floor:
 * userspace/etc/modprobe.d/hashgate.conf (installed in /etc/modprobe.d)
 * makes modprobe (and systemd-modules-load,
 * udev, the initramfs) run 'hashgate module load $CMDLINE_OPTS' instead of
 * inserting the module itself. libkmod runs that command with
 * MODPROBE_MODULE set; then this inserts the file modules.dep names, since
 * a probe by name would run the install command again, forever.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "modctl.h"
#include "state.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate module load [--param KEY=VALUE]... [KEY=VALUE]... [FILE.ko]\n"
	"       hashgate module unload\n"
	"  load    insert hashgate from /lib/modules/$(uname -r), or FILE.ko;\n"
	"          passes min_serial=<recorded serial> from /var/lib/hashgate/serial\n"
	"          unless min_serial is given; already loaded with the same\n"
	"          parameters: nothing to do\n"
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

/* KEY=VALUE or a bare KEY (a bool the kernel then sets); no quotes. */
static bool param_ok(const char *kv)
{
	size_t klen = strcspn(kv, "= \t");

	return klen && (!kv[klen] || kv[klen] == '=') && !strpbrk(kv, "\"\n");
}

/*
 * Add a parameter to libkmod's "k=v k=v" option string. A value with
 * blanks (trusted_fs=nfs4 9p, as the shell hands over modprobe's
 * trusted_fs="nfs4 9p") is quoted again for the kernel's parser, which
 * strips the quotes. 0, -EINVAL or -ENOMEM.
 */
static int add_param(char **opts, const char *kv)
{
	size_t old = *opts ? strlen(*opts) : 0, klen = strcspn(kv, "=");
	const char *v = kv + klen;
	bool quote;
	char *p;

	if (!param_ok(kv))
		return -EINVAL;
	quote = *v && strpbrk(v, " \t");
	p = realloc(*opts, old + strlen(kv) + 4);
	if (!p)
		return -ENOMEM;
	if (old)
		p[old++] = ' ';
	if (quote)
		sprintf(p + old, "%.*s=\"%s\"", (int)klen, kv, v + 1);
	else
		strcpy(p + old, kv);
	*opts = p;
	return 0;
}

/* Is min_serial among the parameters asked for? */
static bool has_min_serial(char *const params[], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strncmp(params[i], "min_serial", 10) &&
		    (!params[i][10] || params[i][10] == '='))
			return true;
	}
	return false;
}

/*
 * The rollback floor survives reboots: unless the caller chose min_serial,
 * pass the highest serial 'hashgate load' or 'apply' recorded. No record: nothing to
 * pass. A corrupt record is an error, not a silent floor of 0.
 */
static int add_min_serial(char **opts, uint64_t *recorded, bool *passed)
{
	char kv[48], path[4096];
	int ret;

	*passed = false;
	ret = hg_state_read(recorded);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		hg_state_path(path, sizeof(path));
		hg_error_text("cannot read the recorded serial", path,
			      ret == -EINVAL ? "file is corrupt (fix it, or pass "
			      "min_serial=N)" : strerror(-ret));
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

/* kstrtobool()'s reading of a bool parameter's value: "Y", "N" or NULL. */
static const char *bool_value(const char *v)
{
	if (!*v || strchr("yY1", v[0]) || !strcasecmp(v, "on"))
		return "Y";
	if (strchr("nN0", v[0]) || !strcasecmp(v, "off"))
		return "N";
	return NULL;
}

/*
 * Does the loaded module have the value @kv asks for? Compared as sysfs
 * shows it (in @shown): bools as Y/N, numbers as numbers, trusted_fs as a
 * set of names; anon_exec and mode show the current setting.
 */
static bool param_matches(const char *kv, char *shown, size_t size)
{
	size_t klen = strcspn(kv, "=");
	const char *want = kv[klen] ? kv + klen + 1 : "";
	unsigned int m1, m2;
	uint64_t n1, n2;
	char name[64];
	const char *b;

	snprintf(name, sizeof(name), "%.*s", (int)klen, kv);
	if (hg_param_read(name, shown, size) < 0) {
		snprintf(shown, size, "(no such parameter)");
		return false;
	}
	if (!strcmp(shown, "Y") || !strcmp(shown, "N")) {
		b = bool_value(want);
		return b && !strcmp(b, shown);
	}
	if (!hg_parse_u64(shown, &n1) && !hg_parse_u64(want, &n2))
		return n1 == n2;
	if (!strcmp(name, "trusted_fs"))
		return !hg_fs_mask(strcmp(shown, "(null)") ? shown : "", &m1) &&
		       !hg_fs_mask(want, &m2) && m1 == m2;
	return !strcmp(shown, want);
}

/* Already loaded: fine when it has every parameter asked for, else an error. */
static int check_loaded(char *const params[], size_t n, unsigned int flags)
{
	char shown[256];
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		if (param_matches(params[i], shown, sizeof(shown)))
			continue;
		hg_errorf("hashgate is already loaded, with %.*s=%s: not '%s'",
			  (int)strcspn(params[i], "="), params[i], shown, params[i]);
		bad++;
	}
	if (bad) {
		hg_errorf("load-time parameters change only with a reload ('hashgate "
			  "module unload' first); anon_exec, trusted_fs, runtime_action, "
			  "scan_interval and the mode change at run time ('hashgate apply')");
		return HG_EXIT_FAIL;
	}
	if (!(flags & HG_LOAD_QUIET))
		printf("hashgate module is already loaded%s\n",
		       n ? " with these parameters" : "");
	return HG_EXIT_OK;
}

/*
 * Run as modprobe's install command: the file modprobe would insert, from
 * modules.dep (text, always written by depmod next to the .bin index).
 */
static int find_ko(char *path, size_t size)
{
	static const char ko[] = HG_MODULE_NAME ".ko";
	char dep[512], line[4096], *colon, *base;
	struct utsname u;
	FILE *f;
	int ret = -ENOENT;

	uname(&u);
	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
	f = fopen(dep, "re");
	if (!f) {
		hg_error("cannot open", dep, errno);
		return HG_EXIT_NOKERNEL;
	}
	/* Paths in modules.dep are relative to its directory. */
	*strrchr(dep, '/') = '\0';
	while (fgets(line, sizeof(line), f)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		/* hashgate.ko, or compressed: hashgate.ko.xz, .zst, .gz */
		if (strncmp(base, ko, sizeof(ko) - 1) ||
		    (base[sizeof(ko) - 1] && base[sizeof(ko) - 1] != '.'))
			continue;
		if ((size_t)snprintf(path, size, "%s%s%s", line[0] == '/' ? "" : dep,
				     line[0] == '/' ? "" : "/", line) < size)
			ret = 0;
		break;
	}
	fclose(f);
	if (ret)
		hg_errorf("module '%s' not found in %s/modules.dep (installed? run "
			  "depmod)", HG_MODULE_NAME, dep);
	return ret ? HG_EXIT_NOKERNEL : HG_EXIT_OK;
}

/**
 * hg_module_load() - insert hashgate unless it is loaded; 'module load' and 'apply'
 * @file: a .ko to insert, or NULL: by name, as modprobe would
 * @params: KEY=VALUE (or bare KEY) parameters asked for
 * @n: how many
 * @flags: HG_LOAD_QUIET: print errors only; HG_LOAD_DRY_RUN: only work out
 *	the options
 * @options: if not NULL, gets the malloc()ed option string (or NULL)
 *
 * min_serial is added from the recorded serial unless among @params. When
 * the module is already loaded it is not touched: success if it has every
 * parameter asked for, an error naming each one it has not.
 *
 * Return: an HG_EXIT_* code; errors are printed.
 */
int hg_module_load(const char *file, char *const params[], size_t n,
		   unsigned int flags, char **options)
{
	char *opts = NULL, ko[4096];
	uint64_t recorded = 0;
	bool rec_passed = false;
	size_t i;
	int ret;

	if (options)
		*options = NULL;
	if (hg_module_present() && !(flags & HG_LOAD_DRY_RUN))
		return check_loaded(params, n, flags);
	for (i = 0; i < n; i++) {
		ret = add_param(&opts, params[i]);
		if (ret) {
			if (ret == -EINVAL)
				hg_errorf("invalid module parameter '%s' (expected "
					  "KEY=VALUE, no quotes)", params[i]);
			else
				hg_error("cannot allocate", NULL, -ret);
			ret = HG_EXIT_FAIL;
			goto out;
		}
	}
	if (!has_min_serial(params, n)) {
		ret = add_min_serial(&opts, &recorded, &rec_passed);
		if (ret)
			goto out;
	}
	ret = HG_EXIT_OK;
	if (flags & HG_LOAD_DRY_RUN)
		goto out;
	/* Under modprobe's install command, by name would run it again. */
	if (!file && getenv("MODPROBE_MODULE")) {
		ret = find_ko(ko, sizeof(ko));
		if (ret)
			goto out;
		file = ko;
	}
	ret = hg_modctl_insert(file, opts);
	if (ret == HG_MODCTL_LOADED) {
		ret = check_loaded(params, n, flags);
		goto out;
	}
	ret = report(ret, file);
	if (ret || (flags & HG_LOAD_QUIET))
		goto out;
	if (rec_passed)
		printf("hashgate module loaded with min_serial=%llu (the recorded "
		       "rollback floor)\n", (unsigned long long)recorded);
	else
		printf("hashgate module loaded\n");
out:
	if (options && !ret)
		*options = opts;
	else
		free(opts);
	return ret;
}

/* A FILE.ko, or else KEY=VALUE as modprobe's $CMDLINE_OPTS hands them over. */
static bool is_module_file(const char *arg)
{
	const char *dot = strstr(arg, ".ko");

	return !strchr(arg, '=') && (strchr(arg, '/') ||
				     (dot && (!dot[3] || dot[3] == '.')));
}

int module_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "param", required_argument, NULL, 'p' },
		HG_COMMON_OPTIONS
	};
	const char *action, *file = NULL;
	char **params;
	size_t n = 0;
	int c, i, ret = HG_EXIT_OK;

	params = calloc((size_t)argc + 1, sizeof(*params));
	if (!params) {
		hg_error("cannot allocate", NULL, ENOMEM);
		return HG_EXIT_FAIL;
	}
	while ((c = getopt_long(argc, argv, "p:" HG_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (c != 'p') {
			ret = hg_common_option(c, usage);
			goto out;
		}
		if (!strchr(optarg, '=') || !param_ok(optarg)) {
			ret = hg_usage_error(usage, "invalid --param '%s' (expected "
					     "KEY=VALUE, no quotes)", optarg);
			goto out;
		}
		params[n++] = optarg;
	}
	action = argv[optind];
	if (!action || (strcmp(action, "load") && strcmp(action, "unload"))) {
		ret = hg_usage_error(usage, action ? "invalid action '%s'" :
				     "expected 'load' or 'unload'%s",
				     action ? action : "");
		goto out;
	}
	if (!strcmp(action, "unload") && (argc - optind > 1 || n)) {
		ret = hg_usage_error(usage, "unload takes no arguments");
		goto out;
	}
	for (i = optind + 1; i < argc; i++) {
		if (!is_module_file(argv[i])) {
			if (!param_ok(argv[i])) {
				ret = hg_usage_error(usage, "invalid parameter '%s' "
						     "(expected KEY=VALUE, no quotes)",
						     argv[i]);
				goto out;
			}
			params[n++] = argv[i];
		} else if (!file) {
			file = argv[i];
		} else {
			ret = hg_usage_error(usage, "more than one FILE.ko");
			goto out;
		}
	}

	/* The kernel would say EPERM; this says why, before touching anything. */
	if (geteuid()) {
		hg_errorf("%s needs root", action);
		ret = HG_EXIT_PERM;
		goto out;
	}
	if (!strcmp(action, "load")) {
		/* modprobe is silent on success; so is its install command. */
		ret = hg_module_load(file, params, n,
				     getenv("MODPROBE_MODULE") ? HG_LOAD_QUIET : 0, NULL);
	} else {
		ret = report(hg_modctl_remove(), NULL);
		if (!ret)
			printf("hashgate module unloaded\n");
	}
out:
	free(params);
	return ret;
}
