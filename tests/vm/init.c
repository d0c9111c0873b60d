// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the guests that scripts/vm-run boots.
 *
 * It mounts the usual filesystems, optionally loads virtio_blk and mounts the
 * test disk, runs the one command found in /hashgate-vm/argv and reports its
 * exit status on the second serial port (/dev/ttyS1), which the host reads
 * from a file. The host never parses the console for success: a status line
 * exists only if the command really ran to completion, so a panic, a hang
 * or a failure in here all look like "no status" and fail the run.
 *
 * Configuration arrives on the kernel command line as hashgate_vm.<key>=
 * (not hashgate.<key>=: modprobe would hand those to the hashgate module as
 * parameters it does not know, and the load would fail).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define ARGV_FILE "/hashgate-vm/argv"
#define STATUS_TTY "/dev/ttyS1"
#define DISK_DIR "/mnt/disk"

static void __attribute__((noreturn)) poweroff(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Returning would kill PID 1 and panic; wait for the power to go. */
	for (;;)
		pause();
}

/* Anything failing before the command ran ends the run without a status. */
static void __attribute__((noreturn, format(printf, 1, 2))) fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs("init: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	poweroff();
}

static void mkdir_p(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		fatal("mkdir `%s'", dir);
}

/* No nosuid/noexec flags: tests may run anything from anywhere. */
static void mount_fs(const char *type, const char *dir, bool optional)
{
	mkdir_p(dir);
	if (mount(type, dir, type, 0, NULL) && !optional)
		fatal("mount %s on `%s'", type, dir);
}

static void mount_filesystems(void)
{
	mount_fs("proc", "/proc", false);
	mount_fs("sysfs", "/sys", false);
	mount_fs("devtmpfs", "/dev", false);
	mount_fs("devpts", "/dev/pts", true);
	mount_fs("tmpfs", "/dev/shm", false);
	mount_fs("tmpfs", "/tmp", false);
	mount_fs("tmpfs", "/run", false);
	mount_fs("securityfs", "/sys/kernel/security", false);
	mount_fs("debugfs", "/sys/kernel/debug", true);
}

/*
 * The kernel gave us the /dev/console of its built-in initramfs; reopen it
 * from devtmpfs so output still works if that node was never there.
 */
static void setup_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		fatal("open `/dev/console'");
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Value of hashgate_vm.<key>= on the kernel command line, or NULL. */
static const char *cmdline_get(const char *key)
{
	static char line[4096];
	char name[64], *tok, *save;
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		fatal("open `/proc/cmdline'");
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 0)
		fatal("read `/proc/cmdline'");
	line[n] = '\0';

	snprintf(name, sizeof(name), "hashgate_vm.%s=", key);
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strncmp(tok, name, strlen(name)))
			return tok + strlen(name);
	return NULL;
}

/* Fork, exec and reap; returns a shell-style status (128 + signal). */
static int run(char *const argv[], bool stdin_null)
{
	int status, fd;
	pid_t pid, w;

	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (!pid) {
		/*
		 * Without a terminal on the host nobody will ever type into the
		 * console, so a command reading stdin would hang until timeout.
		 */
		if (stdin_null) {
			fd = open("/dev/null", O_RDONLY);
			if (fd >= 0)
				dup2(fd, STDIN_FILENO);
		}
		if (chdir("/"))
			perror("init: chdir /");
		execvp(argv[0], argv);
		fprintf(stderr, "init: exec `%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}

	/* As PID 1 we inherit every orphan: reap them until ours is done. */
	for (;;) {
		w = wait(&status);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			fatal("wait");
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void modprobe(const char *module, bool optional)
{
	char *const argv[] = { "modprobe", (char *)module, NULL };

	if (run(argv, true) && !optional) {
		errno = EIO;
		fatal("modprobe %s", module);
	}
}

/*
 * Nothing runs udev here, so the virtio transport and disk driver must be
 * loaded by hand: on 6.1 virtio_pci is a module that virtio_blk does not
 * depend on, on 6.12 it is built in (and modprobe of it is a no-op).
 */
static void setup_disk(const char *dev)
{
	struct stat st;
	int i;

	modprobe("virtio_pci", true);
	modprobe("virtio_blk", false);
	/* Probing may finish after modprobe returns: give it a few seconds. */
	for (i = 0; stat(dev, &st); i++) {
		if (i == 100)
			fatal("waiting for `%s'", dev);
		usleep(100 * 1000);
	}
	mkdir_p("/mnt");
	mkdir_p(DISK_DIR);
	if (mount(dev, DISK_DIR, "ext4", 0, NULL))
		fatal("mount `%s' on `%s'", dev, DISK_DIR);
}

/* The command is stored NUL-separated so any argument survives verbatim. */
static char **read_argv(void)
{
	static char buf[65536];
	size_t len = 0, argc = 0, i;
	char **argv;
	ssize_t n;
	int fd;

	fd = open(ARGV_FILE, O_RDONLY);
	if (fd < 0)
		fatal("open `%s'", ARGV_FILE);
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(fd);
	if (n < 0 || len == sizeof(buf) || !len || buf[len - 1]) {
		errno = EINVAL;
		fatal("bad `%s'", ARGV_FILE);
	}

	for (i = 0; i < len; i++)
		argc += !buf[i];
	argv = calloc(argc + 1, sizeof(*argv));
	if (!argv)
		fatal("calloc");
	for (i = 0, argc = 0; i < len; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	return argv;
}

/* Write @s to a debugfs/procfs control file; errors are the caller's. */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) < 0 ? -1 : 0;
	close(fd);
	return ret;
}

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

/*
 * Debug kernels: forget what booting leaked, so that only what the command
 * leaks is reported. The kernel itself then prints "N new suspected memory
 * leaks" on a scan, which vm-run treats like any other kernel complaint.
 */
static void kmemleak_start(void)
{
	if (write_file(KMEMLEAK, "clear"))
		fatal("cannot clear %s", KMEMLEAK);
}

/* An object is only reported once unreferenced over two scans. */
static void kmemleak_report(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	sleep(6);	/* older than kmemleak's minimum age of 5 s */
	write_file(KMEMLEAK, "scan");
	write_file(KMEMLEAK, "scan");
	fd = open(KMEMLEAK, O_RDONLY);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) < 0)
			break;
	close(fd);
}

/* Raw mode, so the host sees exactly one "\n"-terminated line. */
static int report_status(int status)
{
	struct termios tio;
	int fd;

	fd = open(STATUS_TTY, O_WRONLY | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (!tcgetattr(fd, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	if (dprintf(fd, "hashgate-vm-exit=%d\n", status) < 0 || tcdrain(fd)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(void)
{
	const char *disk, *input, *leaks;
	char **argv;
	int status;

	mount_filesystems();
	setup_console();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/", 1);
	setenv("TERM", "linux", 1);

	disk = cmdline_get("disk");
	if (disk)
		setup_disk(disk);

	leaks = cmdline_get("kmemleak");
	if (leaks)
		kmemleak_start();

	argv = read_argv();
	/* vm-run tells early kernel failures from ours by this line. */
	printf("hashgate-vm: running %s\n", argv[0]);
	fflush(stdout);
	input = cmdline_get("stdin");
	status = run(argv, !input || strcmp(input, "console"));
	if (leaks)
		kmemleak_report();

	if (report_status(status))
		fatal("write status to `%s'", STATUS_TTY);
	poweroff();
}
