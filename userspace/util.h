/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_UTIL_H
#define _HG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, the same for every subcommand; documented in hashgate.8. */
enum {
	HG_EXIT_OK = 0,
	HG_EXIT_FAIL = 1,	/* failure, list differs, request denied */
	HG_EXIT_USAGE = 2,	/* bad command line */
	HG_EXIT_NOKERNEL = 3,	/* module not loaded or securityfs absent */
	HG_EXIT_PERM = 4,	/* EACCES/EPERM, or root needed */
	HG_EXIT_FINDINGS = 5,	/* scan: resident code unlike what was verified;
				   measurements --against: files the list lacks */
	HG_EXIT_MISMATCH = 6,	/* measurements --verify-pcr: a PCR does not match */
	HG_EXIT_NOTPM = 7,	/* measurements --verify-pcr: no TPM to compare with */
};

#define HG_SFS_DEFAULT	"/sys/kernel/security/hashgate"

/* The subcommand being run, for error messages; set by main(). */
extern const char *hg_cmd;

void hg_error(const char *what, const char *input, int err);
void hg_error_text(const char *what, const char *input, const char *text);
void hg_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int hg_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The options every subcommand takes, in one place (fsverity-utils'
 * handle_common_options()): end each getopt_long() table with
 * HG_COMMON_OPTIONS and each option string with HG_COMMON_SHORTOPTS, and
 * hand whatever the switch does not know to hg_common_option().
 */
#define HG_COMMON_SHORTOPTS	"h"
#define HG_COMMON_OPTIONS	{ "help", no_argument, NULL, 'h' }, { 0 }
int hg_common_option(int c, const char *usage);
int hg_common_options_only(int argc, char *argv[], const char *usage);
int hg_no_arguments(int argc, char *argv[], const char *usage);

/*
 * A subcommand's options as one table (wireguard-tools' per-command
 * tables): each names its long form, whether -VAL works too, and where it
 * goes: optarg to *arg, true to *flag, or else to the subcommand's handler
 * (0 to go on, else the exit code). The table ends with { NULL }; --help
 * comes last, as HG_COMMON_OPTIONS did. hg_options() returns -1 once the
 * options are read, or the exit code.
 */
struct hg_opt {
	const char *name;
	int has_arg;		/* no_argument or required_argument */
	int val;		/* what getopt_long() returns for it */
	bool short_too;		/* -VAL works as well as --NAME */
	const char **arg;
	bool *flag;
};

#define HG_OPT_ARG(n, c, p)	{ n, required_argument, c, true, p, NULL }
#define HG_OPT_FLAG(n, c, p)	{ n, no_argument, c, true, NULL, p }
/* Handed to the handler; _LONG: no short form. */
#define HG_OPT_CALL(n, h, c)	{ n, h, c, true, NULL, NULL }
#define HG_OPT_LONG(n, h, c)	{ n, h, c, false, NULL, NULL }
#define HG_OPT_LONG_FLAG(n, c, p) { n, no_argument, c, false, NULL, p }
#define HG_OPT_LONG_ARG(n, c, p) { n, required_argument, c, false, p, NULL }

typedef int (*hg_opt_fn)(void *ctx, int c, const char *arg);
int hg_options(int argc, char *argv[], const struct hg_opt *opts, const char *usage,
	       hg_opt_fn fn, void *ctx);

/* --serial N of load and sign, as a handler for hg_options(). */
struct hg_serial_opt {
	const char *usage;
	uint64_t serial;
	bool have;
};
int hg_serial_option(void *ctx, int c, const char *arg);
int hg_errno_exit(int err);
const char *hg_sfs_strerror(const char *file, int err);
int hg_sfs_error(const char *what, const char *file, int err);

const char *hg_sfs_dir(void);
void hg_sfs_path(char *buf, size_t size, const char *file);
int hg_sfs_require(void);
int hg_sfs_require_file(const char *file);
int hg_sfs_open(const char *file, int flags);
int hg_sfs_read(const char *file, char *buf, size_t size);
int hg_sfs_write(const char *file, const void *buf, size_t len);
int hg_write_close(int fd, const void *buf, size_t len);

int hg_read_file(const char *path, size_t max, uint8_t **buf, size_t *len);

/*
 * A file the tool writes, whole or not at all (fsverity-utils' struct
 * filedes, for output): a regular or new file is written to a temporary
 * beside it and renamed over it once complete, so that no reader sees
 * half a list, blob or cache; anything else (a FIFO, /dev/stdout) is
 * written in place; NULL is stdout. Every error names the file.
 */
struct hg_out {
	FILE *f;
	const char *name;	/* for messages */
	const char *path;	/* what the temporary becomes, or NULL */
	char tmp[4096];
};

int hg_out_open(struct hg_out *o, const char *path);
int hg_out_close(struct hg_out *o, bool keep);
int hg_write_file(const char *path, const void *buf, size_t len);

int hg_parse_u64(const char *s, uint64_t *out);
void hg_hex(char *out, const uint8_t *bytes, size_t len);
int hg_hexval(int c);
int hg_unhex(uint8_t *out, const char *hex, size_t len);

#endif /* _HG_UTIL_H */
