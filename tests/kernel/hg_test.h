/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the kernel tests. They run as root inside the test VM, where
 * the module is installed under /lib/modules/$(uname -r)/extra and the tool
 * at /usr/sbin/hashgate.
 */
#ifndef _HG_TEST_H
#define _HG_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/hashgate.h"

#define HG_FS "/sys/kernel/security/hashgate"

/* The loader of the guest's programs (the tests are built for its arch). */
#if defined(__aarch64__)
#define HG_LDSO "/lib/ld-linux-aarch64.so.1"
#else
#define HG_LDSO "/lib64/ld-linux-x86-64.so.2"
#endif

static inline int hg_unload(void)
{
	return syscall(SYS_delete_module, "hashgate", O_NONBLOCK) ? -errno : 0;
}

static inline bool hg_loaded(void)
{
	return access(HG_FS "/mode", F_OK) == 0;
}

/*
 * Load with @params ("" for none); unload first when loaded. Without a
 * heartbeat unless @params asks for one: a test that counts records must
 * not find one that came with the time it took.
 */
static inline int hg_load(const char *params)
{
	char path[256], all[512];
	struct utsname u;
	int fd, ret;

	if (hg_loaded()) {
		int m = open(HG_FS "/mode", O_WRONLY);

		if (m >= 0) {
			if (write(m, "audit", 5) < 0)
				perror("mode audit");
			close(m);
		}
		if (hg_unload())
			return -EBUSY;
	}
	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/extra/hashgate.ko",
		 u.release);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(all, sizeof(all), "%s%s", params,
		 strstr(params, "heartbeat=") ? "" : " heartbeat=0");
	ret = syscall(SYS_finit_module, fd, all, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Write @s to a securityfs file; 0 or -errno. */
static inline int hg_write(const char *file, const void *s, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), HG_FS "/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static inline int hg_set_mode(const char *mode)
{
	return hg_write("mode", mode, strlen(mode));
}

static inline int hg_read_text(const char *file, char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), HG_FS "/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* One counter from the stats file, or UINT64_MAX when missing. */
static inline uint64_t hg_stat(const char *name)
{
	char buf[4096], *p;
	size_t len = strlen(name);

	if (hg_read_text("stats", buf, sizeof(buf)))
		return UINT64_MAX;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoull(p + len + 1, NULL, 10);
	}
	return UINT64_MAX;
}

/*
 * Reap child @pid: its exit status, or 1000 + the signal that killed it (a
 * killed child has WEXITSTATUS 0 and must never read as success); -1 when
 * it cannot be reaped.
 */
static inline int hg_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) != pid)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 1000 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Run a shell command; its exit status, or -1. */
static inline int hg_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* fork + execve(@path, {@path, args...}); exit status, or 1000 + errno. */
static inline int hg_exec(const char *path, char *const argv[])
{
	int pfd[2], err = 0, st;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execv(path, argv);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (err)
		return 1000 + err;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 500 + WTERMSIG(st);
}

/*
 * An allowlist of everything on the initramfs (and the disk, when there is
 * one), loaded; returns the tool's exit status. The tool's digest cache
 * (build --cache, which never changes the list) spares each test hashing the
 * same 65 MiB again: 5 s a test under TCG, a third of a kernel suite.
 */
static inline int hg_allow_all(unsigned long serial)
{
	return hg_sh("hashgate build --cache /tmp/hg-test.cache -o /tmp/all.list / %s "
		     ">/dev/null 2>&1 && "
		     "hashgate load --serial %lu /tmp/all.list >/dev/null",
		     access("/mnt/disk", F_OK) ? "" : "/mnt/disk", serial);
}

/* Copy @src to @dst, executable; @tamper appends a byte: same code, new digest. */
static inline int hg_copy(const char *src, const char *dst, bool tamper)
{
	return hg_sh("cp %s %s && chmod 755 %s%s%s", src, dst, dst,
		     tamper ? " && echo >> " : "", tamper ? dst : "");
}

/*
 * Run @path as @uid (and that gid), its output to /dev/null; its exit
 * status, or -1. A would-deny then lands in another user's share of the
 * event queue than root's.
 */
static inline int hg_exec_as(uid_t uid, const char *path)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			_exit(99);
		execl(path, path, (char *)NULL);
		_exit(98);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline int hg_exec_as_nobody(const char *path)
{
	return hg_exec_as(65534, path);
}

/*
 * Drain the event stream; returns the bytes of whole records read into @buf,
 * or -errno when nothing could be read for another reason than an empty
 * ring (the events file cannot be opened: module not loaded, securityfs
 * not mounted; @buf too small for the next record). Every error, and a
 * buffer that filled up with events still queued, is also said on stderr
 * ("# hg_events: ..."), so a caller that ignores the result still leaves a
 * trace in the test's output; a negative result reads as no records in
 * hg_next_event().
 */
static inline ssize_t hg_events(void *buf, size_t size)
{
	int fd = open(HG_FS "/events", O_RDONLY | O_NONBLOCK);
	ssize_t n, done = 0;
	int err;

	if (fd < 0) {
		err = errno;
		fprintf(stderr, "# %s: cannot open %s: %s\n", __func__,
			HG_FS "/events", strerror(err));
		return -err;
	}
	while ((size_t)done < size) {
		n = read(fd, (char *)buf + done, size - done);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n == 0 || errno == EAGAIN)
			break;
		if (errno == EINTR)
			continue;
		err = errno;
		if (err == EINVAL && done) {
			/* The next record does not fit: it stays queued. */
			fprintf(stderr, "# %s: %zu-byte buffer full after %zd bytes:"
				" events left in the ring\n", __func__, size, done);
			break;
		}
		fprintf(stderr, "# %s: read %s: %s\n", __func__, HG_FS "/events",
			strerror(err));
		if (!done) {
			close(fd);
			return -err;
		}
		break;
	}
	close(fd);
	return done;
}

/*
 * The next record in a buffer filled by hg_events(), or NULL; NULL for an
 * hg_events() error (@len < 0) and for a record too short to be one.
 */
static inline struct hg_event *hg_next_event(void *buf, ssize_t len,
					     size_t *off)
{
	struct hg_event *e;

	if (len < 0 || *off + sizeof(*e) > (size_t)len)
		return NULL;
	e = (struct hg_event *)((char *)buf + *off);
	if (e->size < sizeof(*e) || *off + e->size > (size_t)len) {
		fprintf(stderr, "# hg_next_event: bad record size %u at offset %zu of %zd\n",
			(unsigned int)e->size, *off, len);
		return NULL;
	}
	*off += e->size;
	return e;
}

static inline const char *hg_event_path(const struct hg_event *e)
{
	return (const char *)(e + 1) + e->exe_len;
}

#endif /* _HG_TEST_H */
