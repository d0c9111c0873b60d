// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the guests that scripts/vm-run boots.
 *
 * It mounts the usual filesystems, optionally loads virtio_blk and mounts the
 * test disk, runs the one command found in /hashgate-vm/argv and reports its
 * exit status on the second serial port (/dev/ttyS1; hashgate_vm.status=
 * names another, such as arm64's virtio console /dev/hvc0), which the host
 * reads from a file. The host never parses the console for success: a
 * status line exists only if the command really ran to completion, so a
 * panic, a hang or a failure in here all look like "no status" and fail
 * the run.
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

/*
 * hashgate_vm.modules=A,B: drivers the guest needs before anything else,
 * the status channel's among them (virtio_pci and virtio_console on arm64's
 * 6.1, where they are modules; on 6.12 built in, modprobe is a no-op).
 */
static void load_modules(const char *list)
{
	char *copy = strdup(list), *mod, *save;

	if (!copy)
		fatal("strdup");
	for (mod = strtok_r(copy, ",", &save); mod; mod = strtok_r(NULL, ",", &save))
		modprobe(mod, false);
	free(copy);
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
/* vm-run's check_console fails the run on "LEAK in hashgate" and "FAILED". */
#define LEAK_MARK "hashgate-vm: kmemleak: "

/*
 * Debug kernels: forget what booting leaked, so that only what the command
 * leaks is reported (see kmemleak_report).
 */
static void kmemleak_start(void)
{
	if (write_file(KMEMLEAK, "clear"))
		fatal("cannot clear %s", KMEMLEAK);
}

/*
 * x86_64's module area (MODULES_VADDR with or without KASLR, up to
 * MODULES_END). A backtrace frame printed as a bare address there is module
 * code whose symbols are gone: %pS resolves them when the dump is read, not
 * when the object was allocated, so this is a module unloaded before the
 * scan, or a module's __init code, freed once the module loaded (a leak in
 * hg_init shows so even with hashgate loaded). The debug kernel has every
 * driver built in, so the only module a test loads there is hashgate.
 */
#define MODULE_AREA_START 0xffffffffa0000000ULL
#define MODULE_AREA_END 0xffffffffff000000ULL

/* Does one backtrace line of a kmemleak record name hashgate? */
static bool frame_is_hashgate(const char *line)
{
	unsigned long long addr;
	const char *p = line;
	char *end;

	if (strstr(line, " [hashgate]"))
		return true;
	while (*p == ' ')
		p++;
	if (strncmp(p, "0x", 2))
		return false;
	errno = 0;
	addr = strtoull(p, &end, 16);
	while (*end == ' ' || *end == '\r')
		end++;
	return !errno && !*end && addr >= MODULE_AREA_START && addr < MODULE_AREA_END;
}

/* One record: its lines from @first up to, not including, @end. */
static void print_record(char **lines, int first, int end, bool mine)
{
	int i;

	printf(LEAK_MARK "%s%s\n", mine ? "LEAK in hashgate: " :
	       "kernel leak (not hashgate's: reported, does not fail the run): ",
	       lines[first]);
	for (i = first + 1; i < end; i++)
		printf(LEAK_MARK "  | %s\n", lines[i]);
}

/*
 * Parse a kmemleak dump (what /sys/kernel/debug/kmemleak shows after a scan:
 * records of "unreferenced object 0x... (size N):", a comm line, a hex dump
 * and a backtrace of %pS frames) and print every record on stdout, each
 * line marked: the kernel's own "N new suspected memory leaks" is KERN_INFO,
 * which loglevel=5 keeps off the console, and the dump never reaches it.
 *
 * Only a record whose backtrace names hashgate counts: it is printed as
 * "LEAK in hashgate", which fails the run. Other kernel leaks are printed as
 * "kernel leak" and do not fail it: the debug kernel is a stock 6.12 whose
 * own subsystems leak, or seem to leak (kmemleak's false positives: pointers
 * kept only where it does not scan, or stored encoded), whatever hashgate
 * does; failing on them would fail the tier for causes no change to hashgate
 * can fix. They stay in the log for a human to judge.
 *
 * Returns the number of hashgate leaks, or -1 when the text is not a kmemleak
 * dump: a check that cannot read its input must not pass. @text is split in
 * place; *@objects gets the number of records.
 */
static int kmemleak_parse(char *text, int *objects)
{
	int nlines = 0, cap = 256, i, start = -1, leaks = 0;
	bool in_trace = false, mine = false;
	char **lines, *p, *nl;

	*objects = 0;
	lines = malloc(cap * sizeof(*lines));
	if (!lines)
		goto nomem;
	for (p = text; *p; p = nl) {
		nl = strchrnul(p, '\n');
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*nl)
			*nl++ = '\0';
		if (nlines == cap) {
			char **more = realloc(lines, 2 * cap * sizeof(*lines));

			if (!more) {
				free(lines);
				goto nomem;
			}
			lines = more;
			cap *= 2;
		}
		lines[nlines++] = p;
	}

	for (i = 0; i <= nlines; i++) {
		if (i == nlines || !strncmp(lines[i], "unreferenced object ", 20)) {
			if (start >= 0) {
				print_record(lines, start, i, mine);
				leaks += mine;
			}
			if (i == nlines)
				break;
			start = i;
			in_trace = mine = false;
			(*objects)++;
		} else if (start < 0) {
			if (!lines[i][0])
				continue;
			printf(LEAK_MARK "FAILED: not a kmemleak record: %s\n", lines[i]);
			free(lines);
			return -1;
		} else if (!strncmp(lines[i], "  backtrace", 11)) {
			in_trace = true;
		} else if (in_trace && frame_is_hashgate(lines[i])) {
			mine = true;
		}
	}
	free(lines);
	return leaks;
nomem:
	printf(LEAK_MARK "FAILED: out of memory parsing the dump\n");
	return -1;
}

/* The whole of @path, NUL-terminated; NULL with errno set on failure. */
static char *read_all(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf, *more;
	int fd, err = 0;
	ssize_t n;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		if (cap - len < 2) {
			more = realloc(buf, cap * 2);
			if (!more) {
				err = ENOMEM;
				break;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (!buf || err) {
		free(buf);
		errno = err ?: ENOMEM;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/*
 * Print what @path holds (a kmemleak dump), marked; returns the number of
 * hashgate leaks, -1 when the dump cannot be read or parsed.
 */
static int kmemleak_print(const char *path)
{
	int leaks, objects;
	char *text;

	text = read_all(path);
	if (!text) {
		printf(LEAK_MARK "FAILED: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	leaks = kmemleak_parse(text, &objects);
	free(text);
	if (leaks >= 0)
		printf(LEAK_MARK "%d unreferenced object%s, %d of them hashgate's\n",
		       objects, objects == 1 ? "" : "s", leaks);
	return leaks;
}

/*
 * An object is only reported once unreferenced over two scans, and older
 * than 5 s. @source is "1" (scan, then read debugfs) or the path of a
 * recorded dump to parse instead: tests/vm/selftest.sh drives the parser
 * and vm-run's verdict that way on a kernel without kmemleak. Returns the
 * number of hashgate leaks, -1 when the check could not be done.
 */
static int kmemleak_report(const char *source)
{
	const char *path = KMEMLEAK;
	int leaks, i;

	if (source[0] == '/') {
		path = source;
	} else {
		sleep(6);	/* older than kmemleak's minimum age of 5 s */
		for (i = 0; i < 2; i++) {
			if (write_file(KMEMLEAK, "scan")) {
				printf(LEAK_MARK "FAILED: cannot scan (%s): %s\n",
				       KMEMLEAK, strerror(errno));
				fflush(stdout);
				return -1;
			}
		}
	}
	leaks = kmemleak_print(path);
	fflush(stdout);
	return leaks;
}

/*
 * Raw mode, so the host sees exactly one "\n"-terminated line per value.
 * With kmemleak, its verdict comes first (hashgate's leaks, -1 for a check
 * that could not run): the console copy of it could be lost, this cannot.
 */
static int report_status(const char *tty, int status, bool leak_check, int leaks)
{
	struct termios tio;
	int fd;

	fd = open(tty, O_WRONLY | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (!tcgetattr(fd, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	if ((leak_check && dprintf(fd, "hashgate-vm-kmemleak=%d\n", leaks) < 0) ||
	    dprintf(fd, "hashgate-vm-exit=%d\n", status) < 0 || tcdrain(fd)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Host-side test mode: "init --kmemleak-parse FILE" parses a recorded dump
 * as the guest would and exits 1 when it names hashgate or is unreadable.
 */
static int test_mode(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--kmemleak-parse")) {
		fprintf(stderr, "usage: %s --kmemleak-parse FILE (as PID 1: none)\n", argv[0]);
		return 2;
	}
	return kmemleak_print(argv[2]) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *disk, *input, *leaks, *mods;
	char *status_tty;
	char **cmd;
	int status, leak_count = 0, i;

	if (getpid() != 1)
		return test_mode(argc, argv);

	mount_filesystems();
	setup_console();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/", 1);
	setenv("TERM", "linux", 1);
	/* scripts/check: tests may tell a make check run from a manual one. */
	if (cmdline_get("in_check"))
		setenv("HASHGATE_IN_CHECK", "1", 1);

	mods = cmdline_get("modules");
	if (mods)
		load_modules(mods);
	/* cmdline_get() returns into a buffer its next call reuses. */
	status_tty = strdup(cmdline_get("status") ?: STATUS_TTY);
	if (!status_tty)
		fatal("strdup");
	/*
	 * A status channel that is not there would only show at the end, as
	 * a run without a status: say why now. A module's device may appear
	 * a little after modprobe returns.
	 */
	for (i = 0; access(status_tty, W_OK); i++) {
		if (i == 100)
			fatal("waiting for `%s'", status_tty);
		usleep(100 * 1000);
	}

	disk = cmdline_get("disk");
	if (disk)
		setup_disk(disk);

	/* cmdline_get() returns into a buffer its next call reuses. */
	leaks = cmdline_get("kmemleak");
	if (leaks) {
		leaks = strdup(leaks);
		if (!leaks)
			fatal("strdup");
		if (leaks[0] != '/')
			kmemleak_start();
	}

	cmd = read_argv();
	/* vm-run tells early kernel failures from ours by this line. */
	printf("hashgate-vm: running %s\n", cmd[0]);
	fflush(stdout);
	input = cmdline_get("stdin");
	status = run(cmd, !input || strcmp(input, "console"));
	if (leaks)
		leak_count = kmemleak_report(leaks);

	if (report_status(status_tty, status, leaks, leak_count))
		fatal("write status to `%s'", status_tty);
	poweroff();
}
