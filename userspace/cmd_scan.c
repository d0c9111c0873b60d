// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate scan: have the module check the resident code of every process
 * now (write "1" to securityfs 'scan'; the write returns when the scan is
 * done), then print its report: a summary line, and one line per finding
 * (scanreport.c parses it). --last prints the last scan's report without
 * starting one. Exit 5 when the scan found anything, so that a script
 * tells "clean" (0), "found something" (5) and "could not tell" (1, or 3
 * and 4 as everywhere) apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "scanreport.h"
#include "subcommands.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

static const char usage[] =
	"Usage: hashgate scan [--json] [--last]\n"
	"  Check the resident code of every process against what was verified\n"
	"  (needs CAP_MAC_ADMIN) and print the report: a summary, then one line\n"
	"  per finding. Exit 0 when nothing was found, 5 when something was.\n"
	"  -j, --json   one JSON object\n"
	"  -l, --last   print the last scan's report, start none\n";

/* Run a scan: one write of "1". 0, or the exit code, the error said. */
static int run_scan(void)
{
	int ret;

	/* The module's own thread scans, at the priority it chooses. */
	ret = hg_sfs_write("scan", "1", 1);
	if (!ret)
		return 0;
	/* The file's mode refuses first, for the same want of privilege. */
	return hg_sfs_error("cannot scan", "scan", ret == -EACCES ? EPERM : -ret);
}

/* Read and parse the report. 0, or the exit code, the error said. */
static int read_report(const char *path, struct hg_scan_report *rep)
{
	unsigned long lineno;
	uint8_t *text;
	char why[160];
	size_t len;
	int ret;

	ret = hg_read_file(path, HG_SCAN_REPORT_MAX, &text, &len);
	if (ret) {
		hg_error_text("cannot read", path, ret == -EFBIG ? "report larger than 8 MiB" :
			      hg_sfs_strerror("scan", -ret));
		return ret == -EFBIG ? HG_EXIT_FAIL : hg_errno_exit(-ret);
	}
	ret = hg_scan_parse((const char *)text, len, rep, &lineno, why, sizeof(why));
	free(text);
	if (ret == -ENOMEM) {
		hg_error("cannot parse", path, ENOMEM);
		return HG_EXIT_FAIL;
	}
	if (ret) {
		hg_errorf("unexpected report in '%s', line %lu: %s; tool and module "
			  "versions differ?", path, lineno, why);
		return HG_EXIT_FAIL;
	}
	return 0;
}

static void print_time(unsigned long long t)
{
	time_t when = (time_t)t;
	char date[64];
	struct tm tm;

	if (!localtime_r(&when, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(date, sizeof(date), "@%llu", t);
	fputs(date, stdout);
}

static void print_summary(const struct hg_scan_summary *s)
{
	printf("scan %llu at ", U(s->scans));
	print_time(s->time);
	printf(" (%llu ms): %llu processes, %llu busy; %llu mappings, %llu pages; "
	       "%llu files, %llu file pages; %llu finding%s, %llu repeated",
	       U(s->duration_ms), U(s->processes), U(s->busy), U(s->mappings),
	       U(s->pages), U(s->files), U(s->file_pages), U(s->findings),
	       s->findings == 1 ? "" : "s", U(s->repeated));
	if (s->kept < s->findings)
		printf(", %llu listed", U(s->kept));
	putchar('\n');
}

static void print_digest(const char *key, bool has, const uint8_t *d)
{
	char hex[2 * HG_PAGE_DIGEST_SIZE + 1];

	if (has)
		hg_hex(hex, d, HG_PAGE_DIGEST_SIZE);
	printf(" %s=%s", key, has ? hex : "-");
}

/* "REASON pid=N comm="C" path=P offset=N ...": quoted only when it must be. */
static void print_finding(const struct hg_scan_finding *f)
{
	printf("%s", f->reason);
	if (f->pid) {
		printf(" pid=%u comm=", f->pid);
		hg_escape_text(stdout, f->comm, f->comm_len);
	} else {
		fputs(" page-cache", stdout);
	}
	fputs(" path=", stdout);
	if (f->path)
		hg_print_path(stdout, f->path, f->path_len);
	else
		fputs("-", stdout);
	printf(" offset=%llu", U(f->offset));
	if (f->address)
		printf(" address=0x%llx", U(f->address));
	printf(" count=%u", f->count);
	print_digest("expected", f->has_expected, f->expected);
	print_digest("actual", f->has_actual, f->actual);
	putchar('\n');
}

static void json_digest(const char *key, bool has, const uint8_t *d)
{
	char hex[2 * HG_PAGE_DIGEST_SIZE + 1];

	printf(",\"%s\":", key);
	if (has) {
		hg_hex(hex, d, HG_PAGE_DIGEST_SIZE);
		printf("\"%s\"", hex);
	} else {
		fputs("null", stdout);
	}
}

/* One finding as an object; null for what is not there (see hashgate.8). */
static void json_finding(const struct hg_scan_finding *f)
{
	bool none = !f->pid && f->comm_len == 1 && f->comm[0] == '-';

	printf("{\"reason\":\"%s\",\"pid\":", f->reason);
	if (f->pid)
		printf("%u", f->pid);
	else
		fputs("null", stdout);
	fputs(",\"comm\":", stdout);
	if (none)
		fputs("null", stdout);
	else
		hg_escape_json(stdout, f->comm, f->comm_len);
	fputs(",\"path\":", stdout);
	if (f->path)
		hg_escape_json(stdout, f->path, f->path_len);
	else
		fputs("null", stdout);
	printf(",\"offset\":%llu,\"address\":", U(f->offset));
	if (f->address)
		printf("\"0x%llx\"", U(f->address));
	else
		fputs("null", stdout);
	printf(",\"count\":%u", f->count);
	json_digest("expected", f->has_expected, f->expected);
	json_digest("actual", f->has_actual, f->actual);
	putchar('}');
}

static void print_json(const struct hg_scan_report *rep)
{
	size_t i;

	putchar('{');
	hg_scan_summary_json(stdout, &rep->sum);
	fputs(",\"findings\":[", stdout);
	for (i = 0; i < rep->count; i++) {
		if (i)
			putchar(',');
		json_finding(&rep->findings[i]);
	}
	puts("]}");
}

int scan_main(int argc, char *argv[])
{
	struct hg_scan_report rep;
	bool json = false, last = false;
	const struct hg_opt opts[] = {
		HG_OPT_FLAG("json", 'j', &json),
		HG_OPT_FLAG("last", 'l', &last),
		{ NULL }
	};
	char path[4096];
	size_t i;
	int ret = hg_options(argc, argv, opts, usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	ret = hg_sfs_require_file("scan");
	if (ret)
		return ret;
	hg_sfs_path(path, sizeof(path), "scan");
	ret = last ? 0 : run_scan();
	if (!ret)
		ret = read_report(path, &rep);
	if (ret)
		return ret;
	if (!last && !rep.sum.scans) {
		hg_error_text("unexpected report in", path, "no scan, after one ran");
		hg_scan_free(&rep);
		return HG_EXIT_FAIL;
	}
	if (json) {
		print_json(&rep);
	} else if (!rep.sum.scans) {
		puts("no scan since the module was loaded");
	} else {
		print_summary(&rep.sum);
		for (i = 0; i < rep.count; i++)
			print_finding(&rep.findings[i]);
	}
	ret = rep.sum.findings ? HG_EXIT_FINDINGS : HG_EXIT_OK;
	hg_scan_free(&rep);
	if (fflush(stdout))
		ret = HG_EXIT_FAIL;
	return ret;
}
