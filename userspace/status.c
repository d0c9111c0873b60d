// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate status: everything securityfs exposes, in one screen, or as one
 * JSON object for scripts. Missing files print as "?" rather than failing,
 * so a partly incompatible module still shows what it can.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate status [--json]\n"
	"  Show module version, mode, lock, the active allowlist and counters.\n";

static void read_or_unknown(const char *file, char *buf, size_t size)
{
	if (hg_sfs_read(file, buf, size) < 0)
		snprintf(buf, size, "?");
}

/* Print a JSON number if @s is one, else a string. */
static void json_value(const char *s)
{
	uint64_t v;

	if (!hg_parse_u64(s, &v))
		printf("%" PRIu64, v);
	else
		hg_escape_json(stdout, s, strlen(s));
}

static void print_stats(const char *stats, bool json)
{
	const char *line = stats;
	bool first = true;

	while (*line) {
		size_t len = strcspn(line, "\n"), name_len = strcspn(line, " \n");
		char value[64];

		if (name_len < len) {
			snprintf(value, sizeof(value), "%.*s", (int)(len - name_len - 1),
				 line + name_len + 1);
			if (json) {
				printf("%s", first ? "" : ",");
				hg_escape_json(stdout, line, name_len);
				putchar(':');
				json_value(value);
			} else {
				printf("  %.*s: %s\n", (int)name_len, line, value);
			}
			first = false;
		}
		line += len + (line[len] == '\n');
	}
}

int status_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char version[128], mode[32], lock[16], list[64];
	char serial[32] = "?", count[32] = "?";
	char *stats;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
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
	if (ret) {
		/* Scripts get an answer on stdout too. */
		if (json)
			printf("{\"loaded\":false}\n");
		return ret;
	}

	read_or_unknown("version", version, sizeof(version));
	read_or_unknown("mode", mode, sizeof(mode));
	read_or_unknown("lock", lock, sizeof(lock));
	read_or_unknown("allowlist", list, sizeof(list));
	sscanf(list, "%31s %31s", serial, count);
	stats = malloc(65536);
	if (!stats) {
		hg_error("cannot allocate", NULL, ENOMEM);
		return HG_EXIT_FAIL;
	}
	ret = hg_sfs_read("stats", stats, 65536);
	if (ret < 0) {
		char path[4096];

		hg_sfs_path(path, sizeof(path), "stats");
		hg_error_text("cannot read", path, hg_sfs_strerror(-ret));
		stats[0] = '\0';
	}

	if (json) {
		printf("{\"loaded\":true,\"version\":");
		hg_escape_json(stdout, version, strlen(version));
		printf(",\"mode\":");
		hg_escape_json(stdout, mode, strlen(mode));
		printf(",\"locked\":%s,\"allowlist\":{\"serial\":",
		       !strcmp(lock, "1") ? "true" :
		       !strcmp(lock, "0") ? "false" : "null");
		json_value(serial);
		printf(",\"count\":");
		json_value(count);
		printf("},\"stats\":{");
		print_stats(stats, true);
		printf("}}\n");
	} else {
		printf("module: hashgate %s\n", version);
		printf("mode: %s\n", mode);
		printf("locked: %s\n", !strcmp(lock, "1") ? "yes (until reboot)" :
		       !strcmp(lock, "0") ? "no" : lock);
		if (!strcmp(serial, "0"))
			printf("allowlist: none loaded\n");
		else
			printf("allowlist: serial %s, %s entries\n", serial, count);
		if (stats[0])
			printf("stats:\n");
		print_stats(stats, false);
	}
	free(stats);
	return ret < 0 ? hg_errno_exit(-ret) : HG_EXIT_OK;
}
