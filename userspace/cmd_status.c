// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate status: everything securityfs exposes, and the load-time
 * parameters hashgate.conf sets, in one screen, or as one JSON object for
 * scripts. Missing files print as "?" (null in JSON) rather than failing,
 * so a partly incompatible module still shows what it can; the scan's
 * files (runtime_action, scan_interval, scan), which older modules do not
 * have, are left out when absent.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "escape.h"
#include "scanreport.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate status [--json]\n"
	"  Show module version, mode, lock, anon_exec, trusted_fs, keys, the\n"
	"  signature and script requirements, the active allowlist, the scan of\n"
	"  resident code (runtime_action, scan_interval, the last scan) and\n"
	"  counters.\n";

/* What status shows besides the counters; "?" where unknown. */
struct status {
	char version[128], mode[32], lock[16], list[512];
	char anon[32], trusted[128], keys_lock[16];
	char req_sig[16], req_scripts[16], min_serial[32];
	char serial[32], count[32];
	struct hg_active act;
	bool act_ok;
	char *keys;		/* the keys file, NULL if unreadable */
	struct hg_last_apply last;
	bool last_ok;		/* 'hashgate apply' ran this boot */
	/* The scan of resident code: "" when the module has no such file. */
	char runtime_action[32], scan_interval[32];
	int scan;		/* the scan file: 1 read, 0 absent, -1 unreadable */
	struct hg_scan_summary last_scan;
};

static void read_or_unknown(const char *file, char *buf, size_t size)
{
	if (hg_sfs_read(file, buf, size) < 0)
		snprintf(buf, size, "?");
}

static void param_or_unknown(const char *name, char *buf, size_t size)
{
	if (hg_param_read(name, buf, size) < 0)
		snprintf(buf, size, "?");
}

/* A file older modules lack: "" when absent, "?" when unreadable. */
static void read_optional(const char *file, char *buf, size_t size)
{
	int ret = hg_sfs_read(file, buf, size);

	if (ret == -ENOENT)
		buf[0] = '\0';
	else if (ret < 0)
		snprintf(buf, size, "?");
}

/* The summary of the last scan: its first line is all status needs. */
static int read_last_scan(struct hg_scan_summary *sum)
{
	char buf[1024], why[128];
	int ret = hg_sfs_read("scan", buf, sizeof(buf));

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return hg_scan_summary_parse(buf, strlen(buf), sum, why, sizeof(why)) ? -1 : 1;
}

static void read_status(struct status *st)
{
	memset(st, 0, sizeof(*st));
	read_or_unknown("version", st->version, sizeof(st->version));
	read_or_unknown("mode", st->mode, sizeof(st->mode));
	read_or_unknown("lock", st->lock, sizeof(st->lock));
	read_or_unknown("allowlist", st->list, sizeof(st->list));
	read_or_unknown("anon_exec", st->anon, sizeof(st->anon));
	read_or_unknown("trusted_fs", st->trusted, sizeof(st->trusted));
	read_or_unknown("keys_lock", st->keys_lock, sizeof(st->keys_lock));
	read_optional("runtime_action", st->runtime_action, sizeof(st->runtime_action));
	read_optional("scan_interval", st->scan_interval, sizeof(st->scan_interval));
	st->scan = read_last_scan(&st->last_scan);
	param_or_unknown("require_signature", st->req_sig, sizeof(st->req_sig));
	param_or_unknown("require_scripts", st->req_scripts, sizeof(st->req_scripts));
	param_or_unknown("min_serial", st->min_serial, sizeof(st->min_serial));
	snprintf(st->serial, sizeof(st->serial), "?");
	snprintf(st->count, sizeof(st->count), "?");
	sscanf(st->list, "%31s %31s", st->serial, st->count);
	st->act_ok = !hg_active_parse(st->list, &st->act);
	st->last_ok = !hg_last_apply_read(&st->last);
	st->keys = malloc(65536);
	if (st->keys && hg_sfs_read("keys", st->keys, 65536) < 0) {
		free(st->keys);
		st->keys = NULL;
	}
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

/* "1"/"Y" true, "0"/"N" false, anything else (such as "?") null. */
static const char *json_bool(const char *v)
{
	return !strcmp(v, "1") || !strcmp(v, "Y") ? "true" :
	       !strcmp(v, "0") || !strcmp(v, "N") ? "false" : "null";
}

static const char *yes_no(const char *v)
{
	return !strcmp(v, "1") || !strcmp(v, "Y") ? "yes" :
	       !strcmp(v, "0") || !strcmp(v, "N") ? "no" : v;
}

static void json_string_or_null(const char *s)
{
	if (strcmp(s, "?"))
		hg_escape_json(stdout, s, strlen(s));
	else
		fputs("null", stdout);
}

/* A space-separated list as a JSON array; "?" as null. */
static void json_words(const char *s)
{
	bool first = true;
	size_t len;

	if (!strcmp(s, "?")) {
		fputs("null", stdout);
		return;
	}
	putchar('[');
	for (;;) {
		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (!len)
			break;
		printf("%s", first ? "" : ",");
		hg_escape_json(stdout, s, len);
		first = false;
		s += len;
	}
	putchar(']');
}

/* The keys file, one key a line, as a JSON array (null if unreadable). */
static void json_lines(const char *s)
{
	bool first = true;
	size_t len;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('[');
	for (; *s; s += len + (s[len] == '\n')) {
		len = strcspn(s, "\n");
		if (!len)
			continue;
		printf("%s", first ? "" : ",");
		hg_escape_json(stdout, s, len);
		first = false;
	}
	putchar(']');
}


/* The last 'hashgate apply' of this boot (NULL: none recorded), as JSON. */
static void print_last_apply_json(const struct hg_last_apply *la)
{
	if (!la) {
		fputs("null", stdout);
		return;
	}
	printf("{\"ok\":%s,\"time\":%" PRIu64 ",\"errors\":%u,\"changes\":%u,"
	       "\"failed_step\":", la->ok ? "true" : "false", la->time,
	       la->errors, la->changes);
	json_string_or_null(*la->step ? la->step : "?");
	printf(",\"config\":");
	hg_escape_json(stdout, la->config, strlen(la->config));
	putchar('}');
}

/* The same as one line: what an admin looks at when the boot went wrong. */
static void print_last_apply_text(const struct hg_last_apply *la)
{
	time_t when = (time_t)la->time;
	char date[64];
	struct tm tm;

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&when, &tm));
	if (la->ok)
		printf("last apply: ok at %s, %u change%s (%s)\n", date, la->changes,
		       la->changes == 1 ? "" : "s", la->config);
	else
		printf("last apply: FAILED at %s: %u error%s, the first in step %s (%s); "
		       "see the journal, or run 'hashgate apply --dry-run'\n", date,
		       la->errors, la->errors == 1 ? "" : "s",
		       *la->step ? la->step : "?", la->config);
}

/*
 * The scan of resident code: each member null when the module does not
 * have the file (or it cannot be read).
 */
static void print_scan_json(const struct status *st)
{
	printf(",\"runtime_action\":");
	json_string_or_null(*st->runtime_action ? st->runtime_action : "?");
	printf(",\"scan_interval\":");
	if (*st->scan_interval && strcmp(st->scan_interval, "?"))
		json_value(st->scan_interval);
	else
		fputs("null", stdout);
	printf(",\"last_scan\":");
	if (st->scan > 0) {
		putchar('{');
		hg_scan_summary_json(stdout, &st->last_scan);
		putchar('}');
	} else {
		fputs("null", stdout);
	}
}

/* The same as lines; nothing at all for a module without the files. */
static void print_scan_text(const struct status *st)
{
	const struct hg_scan_summary *s = &st->last_scan;
	time_t when = (time_t)s->time;
	char date[64];
	struct tm tm;

	if (*st->runtime_action)
		printf("runtime_action: %s\n", st->runtime_action);
	if (!strcmp(st->scan_interval, "0"))
		printf("scan_interval: off\n");
	else if (*st->scan_interval)
		printf("scan_interval: %s%s\n", st->scan_interval,
		       strcmp(st->scan_interval, "?") ? " s" : "");
	if (st->scan < 0) {
		printf("last scan: ?\n");
	} else if (st->scan > 0 && !s->scans) {
		printf("last scan: none since the module was loaded\n");
	} else if (st->scan > 0) {
		if (!localtime_r(&when, &tm) ||
		    !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", &tm))
			snprintf(date, sizeof(date), "?");
		printf("last scan: %s, %" PRIu64 " processes (%" PRIu64 " busy), %" PRIu64
		       " pages, %" PRIu64 " finding%s, %" PRIu64 " ms\n", date, s->processes,
		       s->busy, s->pages, s->findings, s->findings == 1 ? "" : "s",
		       s->duration_ms);
	}
}

static void print_json(const struct status *st)
{
	char hex[2 * HG_DIGEST_SIZE + 1];

	printf("{\"loaded\":true,\"version\":");
	hg_escape_json(stdout, st->version, strlen(st->version));
	printf(",\"mode\":");
	hg_escape_json(stdout, st->mode, strlen(st->mode));
	printf(",\"locked\":%s,\"anon_exec\":", json_bool(st->lock));
	json_string_or_null(st->anon);
	printf(",\"trusted_fs\":");
	json_words(st->trusted);
	print_scan_json(st);
	printf(",\"require_signature\":%s,\"require_scripts\":%s,\"min_serial\":",
	       json_bool(st->req_sig), json_bool(st->req_scripts));
	if (strcmp(st->min_serial, "?"))
		json_value(st->min_serial);
	else
		fputs("null", stdout);
	printf(",\"keys\":");
	json_lines(st->keys);
	printf(",\"keys_locked\":%s,\"allowlist\":{\"serial\":", json_bool(st->keys_lock));
	json_value(st->serial);
	printf(",\"count\":");
	json_value(st->count);
	/* Null where the module does not show them (see hashgate(8)). */
	printf(",\"sha256\":");
	if (st->act_ok && st->act.has_digest) {
		hg_hex(hex, st->act.digest, HG_DIGEST_SIZE);
		printf("\"%s\"", hex);
	} else {
		fputs("null", stdout);
	}
	printf(",\"signed\":%s,\"signer\":",
	       st->act_ok && st->act.has_signer ? (*st->act.signer ? "true" : "false") :
	       "null");
	if (st->act_ok && *st->act.signer)
		hg_escape_json(stdout, st->act.signer, strlen(st->act.signer));
	else
		fputs("null", stdout);
	printf("},\"last_apply\":");
	print_last_apply_json(st->last_ok ? &st->last : NULL);
}

static void print_text(const struct status *st)
{
	char hex[2 * HG_DIGEST_SIZE + 1];
	const char *k;
	size_t len;
	int n = 0;

	printf("module: hashgate %s\n", st->version);
	printf("mode: %s\n", st->mode);
	printf("locked: %s\n", !strcmp(st->lock, "1") ? "yes (until reboot)" :
	       !strcmp(st->lock, "0") ? "no" : st->lock);
	printf("anon_exec: %s\n", st->anon);
	printf("trusted_fs: %s\n", *st->trusted ? st->trusted : "none");
	print_scan_text(st);
	printf("require_signature: %s\n", yes_no(st->req_sig));
	printf("require_scripts: %s\n", yes_no(st->req_scripts));
	for (k = st->keys; k && *k; k += len + (k[len] == '\n'))
		n += (len = strcspn(k, "\n")) > 0;
	if (st->keys)
		printf("keys: %d trusted, %s\n", n, !strcmp(st->keys_lock, "1") ?
		       "locked until reboot" : !strcmp(st->keys_lock, "0") ?
		       "not locked" : "lock ?");
	else
		printf("keys: ?\n");
	for (k = st->keys; k && *k; k += len + (k[len] == '\n')) {
		len = strcspn(k, "\n");
		if (len)
			printf("  %.*s\n", (int)len, k);
	}
	if (!strcmp(st->serial, "0"))
		printf("allowlist: none loaded\n");
	else
		printf("allowlist: serial %s, %s entries\n", st->serial, st->count);
	if (st->act_ok && st->act.serial && st->act.has_digest) {
		hg_hex(hex, st->act.digest, HG_DIGEST_SIZE);
		printf("  sha256:%s\n", hex);
	}
	if (st->act_ok && st->act.serial && st->act.has_signer)
		printf("  %s%s\n", *st->act.signer ? "signed by " : "unsigned",
		       st->act.signer);
	if (strcmp(st->min_serial, "?") && strcmp(st->min_serial, "0"))
		printf("min_serial: %s (the rollback floor given at load)\n", st->min_serial);
	if (st->last_ok)
		print_last_apply_text(&st->last);
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
	struct status st;
	char *stats;
	bool json = false;
	const struct hg_opt opts[] = {
		HG_OPT_FLAG("json", 'j', &json),
		{ NULL }
	};
	int ret = hg_options(argc, argv, opts, usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	ret = hg_sfs_require();
	if (ret) {
		struct hg_last_apply la;
		bool have = !hg_last_apply_read(&la);

		/*
		 * Scripts get an answer on stdout too; and a boot whose apply
		 * failed to load the module is exactly when its outcome matters.
		 */
		if (json) {
			printf("{\"loaded\":false,\"last_apply\":");
			print_last_apply_json(have ? &la : NULL);
			printf("}\n");
		} else if (have) {
			print_last_apply_text(&la);
		}
		return ret;
	}

	read_status(&st);
	stats = malloc(65536);
	if (!stats) {
		hg_error("cannot allocate", NULL, ENOMEM);
		free(st.keys);
		return HG_EXIT_FAIL;
	}
	ret = hg_sfs_read("stats", stats, 65536);
	if (ret < 0) {
		ret = -hg_sfs_error("cannot read", "stats", -ret);
		stats[0] = '\0';
	}

	if (json) {
		print_json(&st);
		printf(",\"stats\":{");
		print_stats(stats, true);
		printf("}}\n");
	} else {
		print_text(&st);
		if (stats[0])
			printf("stats:\n");
		print_stats(stats, false);
	}
	free(stats);
	free(st.keys);
	return ret < 0 ? -ret : HG_EXIT_OK;
}
