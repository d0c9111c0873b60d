// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate config get|check: hashgate.conf(5) as the tool reads it, for
 * scripts such as the initramfs hook. The parser is config.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "subcommands.h"
#include "util.h"

/* 'config get KEY': the value as the file sets it, in the file's words. */
static int print_key(const struct hg_config *cfg, const char *key)
{
	static const char *const yes_no[] = { "no", "yes" };
	char names[128];
	size_t i;

	if (!strcmp(key, "mode") && cfg->mode >= 0)
		puts(hg_cfg_mode_names[cfg->mode]);
	else if (!strcmp(key, "lock") && cfg->lock >= 0)
		puts(yes_no[cfg->lock]);
	else if (!strcmp(key, "keys_lock") && cfg->keys_lock >= 0)
		puts(yes_no[cfg->keys_lock]);
	else if (!strcmp(key, "anon_exec") && cfg->anon_exec >= 0)
		puts(hg_cfg_anon_names[cfg->anon_exec]);
	else if (!strcmp(key, "require_scripts") && cfg->require_scripts >= 0)
		puts(yes_no[cfg->require_scripts]);
	else if (!strcmp(key, "require_signature") && cfg->require_signature >= 0)
		puts(yes_no[cfg->require_signature]);
	else if (!strcmp(key, "trusted_fs") && cfg->trusted_fs >= 0) {
		hg_fs_names((unsigned int)cfg->trusted_fs, names, sizeof(names));
		puts(*names ? names : "none");
	} else if (!strcmp(key, "runtime_action") && cfg->runtime_action >= 0)
		puts(hg_cfg_runtime_names[cfg->runtime_action]);
	else if (!strcmp(key, "scan_interval") && cfg->scan_interval >= 0)
		printf("%d\n", cfg->scan_interval);
	else if (!strcmp(key, "allowlist") && cfg->allowlist)
		puts(cfg->allowlist);
	else if (!strcmp(key, "keys"))
		for (i = 0; i < cfg->nkeys; i++)
			puts(cfg->keys[i]);
	else if (!strcmp(key, "forward") && cfg->forward)
		puts(cfg->forward);
	else if (!strcmp(key, "forward_tls_ca") && cfg->tls_ca)
		puts(cfg->tls_ca);
	else if (!strcmp(key, "forward_tls_cert") && cfg->tls_cert)
		puts(cfg->tls_cert);
	else if (!strcmp(key, "forward_tls_key") && cfg->tls_key)
		puts(cfg->tls_key);
	else if (!strcmp(key, "output") && cfg->output)
		puts(cfg->output);
	else if (!strcmp(key, "forward_spool") && cfg->spool)
		puts(cfg->spool);
	else if (!strcmp(key, "forward_spool_max") && cfg->spool_max)
		printf("%llu\n", (unsigned long long)cfg->spool_max);
	else if (!strcmp(key, "format") && cfg->format >= 0)
		puts(hg_cfg_format_names[cfg->format]);
	else if (!strcmp(key, "enterprise_number") && *cfg->enterprise_number)
		puts(cfg->enterprise_number);
	else if (!strcmp(key, "on_list_failure"))
		puts(hg_cfg_onfail_names[cfg->on_list_failure]);
	else if (!strcmp(key, "apt_hook"))
		puts(hg_cfg_apt_hook_names[cfg->apt_hook]);
	else if (!strcmp(key, "initramfs"))
		puts(yes_no[cfg->initramfs > 0]);
	return fflush(stdout) ? HG_EXIT_FAIL : HG_EXIT_OK;
}

static const char config_usage[] =
	"Usage: hashgate config [--config FILE] get KEY\n"
	"       hashgate config [--config FILE] check\n"
	"  get    print KEY as the file sets it: one path a line for keys, the\n"
	"         default for on_list_failure, apt_hook and initramfs, nothing for a key\n"
	"         the file does not set\n"
	"  check  parse the file; every error as FILE:LINE, exit 1 if any\n"
	"  -c, --config FILE  read FILE (default: $HASHGATE_CONFIG, else\n"
	"                     " HG_CONFIG_DEFAULT ")\n";

int config_main(int argc, char *argv[])
{
	const char *file = NULL, *action, *key = NULL;
	const struct hg_opt opts[] = {
		HG_OPT_ARG("config", 'c', &file),
		{ NULL }
	};
	struct hg_config cfg;
	int ret = hg_options(argc, argv, opts, config_usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	action = argv[optind];
	if (!action || (strcmp(action, "get") && strcmp(action, "check")))
		return hg_usage_error(config_usage, action ? "invalid action '%s'" :
				      "expected 'get' or 'check'%s", action ? action : "");
	if (!strcmp(action, "get")) {
		if (argc - optind != 2)
			return hg_usage_error(config_usage, "get takes one KEY");
		key = argv[optind + 1];
		if (!hg_config_key_known(key))
			return hg_usage_error(config_usage, "unknown key '%s'", key);
	} else if (argc - optind != 1) {
		return hg_usage_error(config_usage, "check takes no arguments");
	}
	if (hg_config_load(hg_config_path(file), &cfg))
		return HG_EXIT_FAIL;
	ret = key ? print_key(&cfg, key) : HG_EXIT_OK;
	hg_config_free(&cfg);
	return ret;
}
