// SPDX-License-Identifier: GPL-2.0
/*
 * Error reporting, exit-code mapping and securityfs access shared by all
 * subcommands. Every message names the subcommand and the file or input it
 * is about, fsverity-utils style.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util.h"

#define SECURITYFS_MAGIC	0x73636673

const char *hg_cmd = "hashgate";

/* hashgate: <cmd>: <what> '<input>': <text> */
void hg_error_text(const char *what, const char *input, const char *text)
{
	if (input)
		fprintf(stderr, "hashgate: %s: %s '%s': %s\n", hg_cmd, what, input, text);
	else
		fprintf(stderr, "hashgate: %s: %s: %s\n", hg_cmd, what, text);
}

void hg_error(const char *what, const char *input, int err)
{
	hg_error_text(what, input, strerror(err));
}

void hg_errorf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hashgate: %s: ", hg_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print "hashgate: <cmd>: <why>" and the usage to stderr; return 2. */
int hg_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "hashgate: %s: ", hg_cmd);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(usage, stderr);
	return HG_EXIT_USAGE;
}

/* --help prints the usage and succeeds; any other option is a usage error. */
int hg_common_option(int c, const char *usage)
{
	if (c != 'h')
		return hg_usage_error(usage, NULL);
	fputs(usage, stdout);
	return HG_EXIT_OK;
}

/* For a subcommand without options of its own: -1 to go on, or the exit code. */
int hg_common_options_only(int argc, char *argv[], const char *usage)
{
	static const struct option opts[] = { HG_COMMON_OPTIONS };
	int c = getopt_long(argc, argv, HG_COMMON_SHORTOPTS, opts, NULL);

	return c == -1 ? -1 : hg_common_option(c, usage);
}

/* The same, for one that takes no arguments either. */
int hg_no_arguments(int argc, char *argv[], const char *usage)
{
	int ret = hg_common_options_only(argc, argv, usage);

	if (ret >= 0)
		return ret;
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	return -1;
}

int hg_serial_option(void *ctx, int c, const char *arg)
{
	struct hg_serial_opt *so = ctx;

	(void)c;
	if (hg_parse_u64(arg, &so->serial))
		return hg_usage_error(so->usage, "invalid serial '%s'", arg);
	so->have = true;
	return 0;
}

#define HG_MAX_OPTS	32

int hg_options(int argc, char *argv[], const struct hg_opt *opts, const char *usage,
	       hg_opt_fn fn, void *ctx)
{
	struct option lopts[HG_MAX_OPTS + 2] = { { 0 } };
	char shorts[3 * HG_MAX_OPTS + sizeof(HG_COMMON_SHORTOPTS)], *s = shorts;
	const struct hg_opt *o;
	size_t n;
	int c, ret;

	for (n = 0; opts[n].name; n++) {
		if (n == HG_MAX_OPTS)
			abort();
		lopts[n] = (struct option){ opts[n].name, opts[n].has_arg, NULL,
					    opts[n].val };
		if (!opts[n].short_too)
			continue;
		*s++ = (char)opts[n].val;
		if (opts[n].has_arg == required_argument)
			*s++ = ':';
	}
	lopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	strcpy(s, HG_COMMON_SHORTOPTS);

	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		for (o = opts; o->name && o->val != c; o++)
			;
		if (!o->name)
			return hg_common_option(c, usage);
		if (o->arg) {
			*o->arg = optarg;
		} else if (o->flag) {
			*o->flag = true;
		} else {
			ret = fn(ctx, c, optarg);
			if (ret)
				return ret;
		}
	}
	return -1;
}

/* The exit code for a failed securityfs operation. */
int hg_errno_exit(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
		return HG_EXIT_NOKERNEL;
	case EACCES:
	case EPERM:
		return HG_EXIT_PERM;
	default:
		return HG_EXIT_FAIL;
	}
}

/* The settings module/fs.c lets only CAP_SYS_ADMIN lower, and none once locked. */
static bool may_be_lowered(const char *file)
{
	static const char *const settings[] = {
		"mode", "anon_exec", "trusted_fs", "runtime_action", "scan_interval",
	};
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (!strcmp(file, settings[i]))
			return true;
	return false;
}

/*
 * Like kmod's mod_strerror(): what an errno means for securityfs @file.
 * Writing any file, and reading the events, takes CAP_MAC_ADMIN
 * (module/fs.c); the file-specific errors are the caller's to name.
 */
const char *hg_sfs_strerror(const char *file, int err)
{
	switch (err) {
	case EPERM:
		if (may_be_lowered(file))
			return "lowering it needs CAP_SYS_ADMIN and is refused once "
			       "locked; any change needs CAP_MAC_ADMIN";
		return "permission denied (needs root with CAP_MAC_ADMIN)";
	case EACCES:
		return "permission denied (run as root)";
	case ENOENT:
		return "hashgate module is not loaded";
	case ENODATA:
		return "enforce needs a non-empty allowlist: load one first";
	default:
		return strerror(err);
	}
}

/* Say "<what> '<dir>/<file>': <why>" and return the exit code for @err. */
int hg_sfs_error(const char *what, const char *file, int err)
{
	char path[4096];

	hg_sfs_path(path, sizeof(path), file);
	hg_error_text(what, path, hg_sfs_strerror(file, err));
	return hg_errno_exit(err);
}

/* HASHGATE_SECURITYFS lets tests point the tool at a fake directory. */
const char *hg_sfs_dir(void)
{
	const char *dir = getenv("HASHGATE_SECURITYFS");

	return dir && *dir ? dir : HG_SFS_DEFAULT;
}

void hg_sfs_path(char *buf, size_t size, const char *file)
{
	snprintf(buf, size, "%s/%s", hg_sfs_dir(), file);
}

/* Is the module's securityfs directory there? Say why not and return 3. */
int hg_sfs_require(void)
{
	const char *dir = hg_sfs_dir();
	struct statfs sfs;
	struct stat st;

	if (!stat(dir, &st) && S_ISDIR(st.st_mode))
		return 0;
	if (!strcmp(dir, HG_SFS_DEFAULT) &&
	    (statfs("/sys/kernel/security", &sfs) || sfs.f_type != SECURITYFS_MAGIC)) {
		hg_error_text("securityfs", "/sys/kernel/security", "not mounted "
			      "(mount -t securityfs none /sys/kernel/security)");
		return HG_EXIT_NOKERNEL;
	}
	hg_error_text("no directory", dir,
		      "hashgate module is not loaded (try 'hashgate module load')");
	return HG_EXIT_NOKERNEL;
}

/* open(2) securityfs @file: the descriptor, or -errno. */
int hg_sfs_open(const char *file, int flags)
{
	char path[4096];
	int fd;

	hg_sfs_path(path, sizeof(path), file);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* hg_sfs_require(), and @file in it, which a module older than the tool lacks. */
int hg_sfs_require_file(const char *file)
{
	char path[4096], why[128];
	int ret = hg_sfs_require();

	if (ret)
		return ret;
	hg_sfs_path(path, sizeof(path), file);
	if (!access(path, F_OK))
		return 0;
	snprintf(why, sizeof(why), "the loaded module has no '%s' file (older than "
		 "this tool?)", file);
	hg_error_text("no file", path, why);
	return HG_EXIT_NOKERNEL;
}

/* Read a small securityfs file, without its trailing newline; -errno. */
int hg_sfs_read(const char *file, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = hg_sfs_open(file, O_RDONLY);
	if (fd < 0)
		return fd;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return (int)n;
}

/*
 * One write(2), as the module wants a whole setting or list at offset 0,
 * then close(2), whose error counts too. Return 0 or -errno.
 */
int hg_write_close(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);
	int err = n < 0 ? errno : 0;

	if (close(fd) && !err)
		err = errno;
	if (!err && (size_t)n != len)
		err = EIO;
	return -err;
}

/* Write securityfs @file; an open and a write error look alike here. 0 or -errno. */
int hg_sfs_write(const char *file, const void *buf, size_t len)
{
	int fd = hg_sfs_open(file, O_WRONLY);

	return fd < 0 ? fd : hg_write_close(fd, buf, len);
}

/*
 * Read all of @path ('-': stdin) into a malloc()ed *@buf, NUL-terminated
 * for convenience (not counted in *@len). More than @max bytes: -EFBIG.
 * Return 0 or -errno.
 */
int hg_read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	size_t cap = 0, n = 0;
	uint8_t *b = NULL, *nb;
	int err = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap = cap ? 2 * cap : 65536;
			nb = realloc(b, cap);
			if (!nb) {
				err = ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			err = EFBIG;
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (err) {
		free(b);
		return -err;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

/* Open @path (NULL: stdout) for writing; 0, or -1 with the error said. */
int hg_out_open(struct hg_out *o, const char *path)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->name = path ? path : "<stdout>";
	if (!path) {
		o->f = stdout;
		return 0;
	}
	if (stat(path, &st) || S_ISREG(st.st_mode)) {
		mode_t mask;

		if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX",
				     path) >= sizeof(o->tmp)) {
			hg_error("cannot create", path, ENAMETOOLONG);
			return -1;
		}
		o->path = path;
		/*
		 * A name no one could have made before us (the directory may
		 * be /tmp), then the mode a plain creat() would have given.
		 */
		fd = mkostemp(o->tmp, O_CLOEXEC);
		mask = umask(0);
		umask(mask);
		if (fd >= 0 && fchmod(fd, 0666 & ~mask)) {
			close(fd);
			unlink(o->tmp);
			fd = -1;
		}
	} else {
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	}
	if (fd >= 0)
		o->f = fdopen(fd, "w");
	if (!o->f) {
		hg_error("cannot create", path, errno);
		if (fd >= 0) {
			close(fd);
			if (o->path)
				unlink(o->tmp);
		}
		return -1;
	}
	return 0;
}

/*
 * Finish what hg_out_open() began: with @keep, flush it to disk and put it
 * in place; without, throw it away. 0, or -1 with the error said.
 */
int hg_out_close(struct hg_out *o, bool keep)
{
	int err = 0;

	errno = 0;
	if (keep && (fflush(o->f) || ferror(o->f) || (o->path && fsync(fileno(o->f)))))
		err = errno ? errno : EIO;
	if (o->f != stdout && fclose(o->f) && keep && !err)
		err = errno;
	if (keep && !err && o->path && rename(o->tmp, o->path))
		err = errno;
	if (o->path && (!keep || err))
		unlink(o->tmp);
	if (err)
		hg_error("cannot write", o->name, err);
	return keep && !err ? 0 : -1;
}

/* All of @buf to @path (NULL: stdout), whole or not at all; 0 or -1. */
int hg_write_file(const char *path, const void *buf, size_t len)
{
	struct hg_out o;

	if (hg_out_open(&o, path))
		return -1;
	fwrite(buf, 1, len, o.f);	/* its error stays in ferror() */
	return hg_out_close(&o, true);
}

int hg_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

void hg_hex(char *out, const uint8_t *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

/* The value of hex digit @c, either case; -1 for anything else. */
int hg_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @len bytes from the 2 * @len hex digits at @hex; 0 or -EINVAL. */
int hg_unhex(uint8_t *out, const char *hex, size_t len)
{
	size_t i;

	for (i = 0; i < 2 * len; i++) {
		int v = hg_hexval((unsigned char)hex[i]);

		if (v < 0)
			return -EINVAL;
		if (i & 1)
			out[i / 2] |= (uint8_t)v;
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return 0;
}
