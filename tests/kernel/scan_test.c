// SPDX-License-Identifier: GPL-2.0
/*
 * The scan of resident code (module/scan.c): code changed in memory after
 * it was verified is found, reported and, with runtime_action=kill, killed;
 * a clean system scans clean; the page digests it compares with stay within
 * their budget and go with every write that is let through.
 */
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/statfs.h>

#include "fuse_server.h"
#include "hg_test.h"
#include "kselftest_harness.h"

#define HELLO	"/tests/hello"
#define DISK	"/mnt/disk"
#define VICTIM	DISK "/scan-victim"
#define EVBUF	(1 << 20)
#define LONG_TOP	"/tmp/hg-long"
#define LONG_PROG	"hello-long"
#define LONG_LEN	(HG_PATH_MAX - 2)	/* the longest a path is reported whole */
#define FUSE_MNT	"/tmp/hg-scan-fuse"
#define TRACEFS		"/sys/kernel/tracing"

/* The whole report: a seq_file gives a page per read(2). 0 or -errno. */
static int read_report(char *buf, size_t size)
{
	int fd = open(HG_FS "/scan", O_RDONLY);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (done < size - 1 && (n = read(fd, buf + done, size - 1 - done)) > 0)
		done += n;
	close(fd);
	buf[done] = '\0';
	return 0;
}

/* Run a scan; its report into @buf. 0 or -errno. */
static int scan_now(char *buf, size_t size)
{
	int ret = hg_write("scan", "1", 1);

	return ret ?: read_report(buf, size);
}

/* "key=N" in the report's first line, or -1. */
static long long report_value(const char *report, const char *key)
{
	char pat[64];
	const char *p, *eol = strchr(report, '\n');
	size_t len;

	len = snprintf(pat, sizeof(pat), "%s=", key);
	for (p = report; (p = strstr(p, pat)); p += len) {
		if (eol && p > eol)
			break;
		if (p == report || p[-1] == ' ')
			return strtoll(p + len, NULL, 10);
	}
	return -1;
}

/* The finding line with @reason and pid @pid, or NULL. */
static const char *finding_line(const char *report, const char *reason,
				int pid)
{
	char pat[128];

	snprintf(pat, sizeof(pat), "finding reason=%s pid=%d ", reason, pid);
	return strstr(report, pat);
}

/* The value of "key=" in one finding line, copied into @out. */
static const char *field(const char *line, const char *key, char *out,
			 size_t size)
{
	char pat[32];
	const char *p, *eol = strchrnul(line, '\n');
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p || p > eol)
		return NULL;
	p += strlen(pat);
	n = strcspn(p, "\n ");
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static int set(const char *file, const char *value)
{
	return hg_write(file, value, strlen(value));
}

/*
 * Start @prog (a copy of HELLO), run from @dir when not NULL, sleeping; its
 * pid once it is asleep in main(), past the start-up code a write into its
 * first text page would hit.
 */
static pid_t start_program(const char *dir, const char *prog)
{
	char line[256];
	int out[2];
	FILE *f;
	pid_t pid;

	if (pipe(out))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		if (dir && chdir(dir))
			_exit(126);
		execl(prog, prog, "--sleep", "60", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	/* hello flushes its line before it sleeps. */
	if (f && fgets(line, sizeof(line), f) && strstr(line, "hello from")) {
		fclose(f);
		return pid;
	}
	if (f)
		fclose(f);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static pid_t start_sleeper(void)
{
	return start_program(NULL, HELLO);
}

/*
 * The first executable mapping in @pid of a file whose path has @name:
 * its start and offset.
 */
static int text_of(pid_t pid, const char *name, unsigned long *start,
		   unsigned long *offset)
{
	char path[64], line[2 * HG_PATH_MAX], perms[8];
	unsigned long s, e, off;
	FILE *f;
	int found = -1;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s %lx", &s, &e, perms, &off) == 4 &&
		    perms[2] == 'x' && strstr(line, name)) {
			*start = s;
			*offset = off;
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * HELLO asleep with anon_exec=audit (so that a write into its text is let
 * through), and its first executable mapping. Its pid, or -1.
 */
static pid_t audited_sleeper(unsigned long *start, unsigned long *offset)
{
	pid_t pid;

	if (set("anon_exec", "audit"))
		return -1;
	pid = start_sleeper();
	if (pid > 0 && text_of(pid, HELLO, start, offset)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* Write one word into @pid's text through ptrace, as a debugger would. */
static int poke_text(pid_t pid, unsigned long addr)
{
	long word;
	int st;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0) || ptrace(PTRACE_INTERRUPT, pid, 0, 0))
		return -errno;
	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)addr, 0);
	if (errno)
		return -errno;
	if (ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)(word ^ 0xff)))
		return -errno;
	return ptrace(PTRACE_DETACH, pid, 0, 0) ? -errno : 0;
}

/* The RUNTIME record with @reason for @pid in the event stream, or NULL. */
static const struct hg_event *runtime_event(void *buf, ssize_t len,
					    int reason, int pid)
{
	const struct hg_event *e;
	size_t off = 0;

	while ((e = hg_next_event(buf, len, &off))) {
		if (e->type == HG_EVENT_RUNTIME && e->reason == reason &&
		    (int)e->pid == pid)
			return e;
	}
	return NULL;
}

static const struct hg_event_page *page_of(const struct hg_event *e)
{
	size_t at = (sizeof(*e) + e->exe_len + e->path_len + 7) & ~7UL;

	if (!(e->flags & HG_EVENT_F_PAGE) || at + sizeof(struct hg_event_page) > e->size)
		return NULL;
	return (const void *)((const char *)e + at);
}

FIXTURE(scan) {
	char report[65536];
	void *ev;
	pid_t sleeper;
};

FIXTURE_SETUP(scan)
{
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(1));
	self->ev = malloc(EVBUF);
	ASSERT_NE(NULL, self->ev);
	hg_events(self->ev, EVBUF);	/* what came before the test */
}

FIXTURE_TEARDOWN(scan)
{
	if (self->sleeper > 0) {
		kill(self->sleeper, SIGKILL);
		waitpid(self->sleeper, NULL, 0);
	}
	free(self->ev);
	if (hg_load(""))
		TH_LOG("cannot reload: %s", strerror(EBUSY));
}

/*
 * The test VM as it is: every process, every listed file that was run,
 * and not one finding.
 */
TEST_F(scan, a_clean_system_scans_clean)
{
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_sh("%s >/dev/null && /bin/true", HELLO));
	ASSERT_EQ(0, scan_now(self->report, sizeof(self->report)));
	TH_LOG("%.300s", self->report);
	EXPECT_EQ(1, report_value(self->report, "scans"));
	EXPECT_EQ(0, report_value(self->report, "findings"));
	EXPECT_EQ(0, report_value(self->report, "busy"));
	EXPECT_LT(1, report_value(self->report, "processes"));
	EXPECT_LT(0, report_value(self->report, "mappings"));
	/* HELLO, libc and ld.so at least, their pages resident. */
	EXPECT_LE(3, report_value(self->report, "files"));
	EXPECT_LT(0, report_value(self->report, "file_pages"));
	EXPECT_LT(0, hg_stat("page_digest_files"));
	EXPECT_EQ(1, hg_stat("scans"));
	EXPECT_EQ(0, hg_stat("scan_findings"));
}

/*
 * A debugger's write into a listed program's text (allowed: audit): the
 * scan names the process, the file, the page's offset and its address, in
 * the report and in an event; with runtime_action=kill the process dies.
 */
TEST_F(scan, code_written_through_ptrace_is_found_then_killed)
{
	unsigned long start, offset;
	const struct hg_event_page *page;
	const struct hg_event *e;
	char report[65536], val[64], want[64];
	const char *line;
	ssize_t len;
	pid_t pid;
	int st;

	pid = audited_sleeper(&start, &offset);
	self->sleeper = pid;
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, poke_text(pid, start));

	ASSERT_EQ(0, scan_now(report, sizeof(report)));
	line = finding_line(report, "code-modified", pid);
	ASSERT_NE(NULL, line) TH_LOG("%s", report);
	EXPECT_STREQ(HELLO, field(line, "path", val, sizeof(val)));
	snprintf(want, sizeof(want), "%lu", offset);
	EXPECT_STREQ(want, field(line, "offset", val, sizeof(val)));
	snprintf(want, sizeof(want), "0x%lx", start);
	EXPECT_STREQ(want, field(line, "address", val, sizeof(val)));
	EXPECT_STREQ("1", field(line, "count", val, sizeof(val)));
	/* Its page digest was taken at verification: the two differ. */
	field(line, "expected", want, sizeof(want));
	EXPECT_EQ(32, strlen(want));
	EXPECT_STRNE(want, field(line, "actual", val, sizeof(val)));

	len = hg_events(self->ev, EVBUF);
	e = runtime_event(self->ev, len, HG_REASON_CODE_MODIFIED, pid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(HG_HOOK_SCAN, e->hook);
	EXPECT_EQ(HG_DECISION_REPORTED, e->decision);
	EXPECT_EQ(0, strncmp(hg_event_path(e), HELLO, e->path_len));
	page = page_of(e);
	ASSERT_NE(NULL, page);
	EXPECT_EQ(offset, page->offset);
	EXPECT_EQ(start, page->address);
	EXPECT_EQ(0, kill(pid, 0));	/* report kills nothing */

	/* The same finding again: in the report, but no second event. */
	ASSERT_EQ(0, scan_now(report, sizeof(report)));
	EXPECT_NE(NULL, finding_line(report, "code-modified", pid));
	EXPECT_EQ(1, report_value(report, "repeated"));
	len = hg_events(self->ev, EVBUF);
	EXPECT_EQ(NULL, runtime_event(self->ev, len, HG_REASON_CODE_MODIFIED, pid));

	/* Killed: that is news, with an event of its own. */
	ASSERT_EQ(0, set("runtime_action", "kill"));
	ASSERT_EQ(0, scan_now(report, sizeof(report)));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	self->sleeper = 0;
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("status 0x%x", st);
	EXPECT_EQ(0, report_value(report, "repeated"));
	len = hg_events(self->ev, EVBUF);
	e = runtime_event(self->ev, len, HG_REASON_CODE_MODIFIED, pid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(HG_DECISION_KILLED, e->decision);
}

/*
 * One user's own processes (anonymous executable memory, allowed in
 * audit) fill at most their share of the report (16 lines): another's
 * finding is still kept, with its event.
 */
TEST_F(scan, one_user_cannot_crowd_out_the_findings_of_others)
{
	char report[65536];
	pid_t pids[40], victim;
	unsigned long start, offset;
	int i, n = 0;

	ASSERT_EQ(0, set("anon_exec", "audit"));
	for (i = 0; i < 40; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			if (setgid(65534) || setuid(65534) ||
			    mmap(NULL, 4096, PROT_READ | PROT_EXEC,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
				_exit(1);
			pause();
			_exit(0);
		}
	}
	victim = start_sleeper();
	self->sleeper = victim;
	ASSERT_LT(0, victim);
	ASSERT_EQ(0, text_of(victim, HELLO, &start, &offset));
	ASSERT_EQ(0, poke_text(victim, start));
	usleep(300000);
	ASSERT_EQ(0, scan_now(report, sizeof(report)));
	for (i = 0; i < 40; i++) {
		if (finding_line(report, "anon-exec", pids[i]))
			n++;
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	EXPECT_EQ(16, n) TH_LOG("%.400s", report);
	EXPECT_LE(40, report_value(report, "findings"));
	EXPECT_NE(NULL, finding_line(report, "code-modified", victim))
		TH_LOG("victim %d: %s", victim, report);
}

/* Where the data disk's ext4 lives, from /proc/mounts. */
static int disk_device(char *dev, size_t size)
{
	char line[512], d[256], m[256];
	FILE *f = fopen("/proc/mounts", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %255s", d, m) == 2 && !strcmp(m, DISK)) {
			snprintf(dev, size, "%s", d);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* The byte offset on the device of @path's first byte. */
static long long physical_offset(const char *path)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[1];
	} q = { .fm = { .fm_length = ~0ULL, .fm_extent_count = 1,
			.fm_flags = FIEMAP_FLAG_SYNC } };
	int fd = open(path, O_RDONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, FS_IOC_FIEMAP, &q);
	close(fd);
	if (ret || q.fm.fm_mapped_extents < 1 || q.ext[0].fe_logical)
		return -1;
	return q.ext[0].fe_physical;
}

/*
 * A listed program on the data disk is verified; then its first block is
 * rewritten through the block device, behind the file system, and its
 * page comes back from storage changed. The scan names the file, the page
 * and both digests; the next exec in enforce is refused.
 */
TEST_F(scan, a_page_changed_under_the_file_system_is_found_and_refused)
{
	char dev[256], val[64];
	const char *line;
	long long at;
	char *block;
	int fd;

	ASSERT_EQ(0, hg_copy(HELLO, VICTIM, false));
	ASSERT_EQ(0, hg_sh("sync"));
	ASSERT_EQ(0, hg_allow_all(2));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_sh("%s >/dev/null", VICTIM));

	ASSERT_EQ(0, disk_device(dev, sizeof(dev)));
	at = physical_offset(VICTIM);
	ASSERT_LE(0, at);
	ASSERT_EQ(0, posix_memalign((void **)&block, 4096, 4096));
	fd = open(dev, O_RDWR | O_DIRECT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4096, pread(fd, block, 4096, at & ~4095LL));
	block[(at & 4095) + 0x40] ^= 0xff;	/* in the ELF program headers */
	ASSERT_EQ(4096, pwrite(fd, block, 4096, at & ~4095LL));
	close(fd);
	free(block);
	/* The old page goes, the changed one comes back on the next read. */
	fd = open(VICTIM, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	ASSERT_EQ(4096, pread(fd, val, 1, 0) == 1 ? 4096 : -1);
	close(fd);

	ASSERT_EQ(0, scan_now(self->report, sizeof(self->report)));
	line = finding_line(self->report, "page-changed", 0);
	ASSERT_NE(NULL, line) TH_LOG("%s", self->report);
	EXPECT_STREQ(VICTIM, field(line, "path", val, sizeof(val)));
	EXPECT_STREQ("0", field(line, "offset", val, sizeof(val)));
	EXPECT_EQ(32, strlen(field(line, "expected", val, sizeof(val))));
	EXPECT_EQ(32, strlen(field(line, "actual", val, sizeof(val))));
	EXPECT_EQ(1, report_value(self->report, "findings"));

	/* Verified again from the changed page: no longer listed. */
	EXPECT_EQ(1000 + EACCES, hg_exec(VICTIM, (char *const[]){ VICTIM, NULL }));
	hg_set_mode("audit");
	unlink(VICTIM);
}

/*
 * Page digests are bounded by page_digests: past it a file is verified
 * as before, without them, and counted.
 */
TEST(page_digests_stay_within_their_budget)
{
	ASSERT_EQ(0, hg_load("page_digests=4"));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_sh("/bin/ls / >/dev/null && " HELLO " >/dev/null"));
	EXPECT_LE(hg_stat("page_digest_bytes"), 4096);
	EXPECT_LT(0, hg_stat("page_digests_over_budget"));
	hg_load("");
}

/* Seconds since some fixed point, as a double. */
static double seconds_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * A user who keeps every CPU busy makes the scanner step aside, but only
 * until scan_patience (here 1 s): then the scan is raised to nice -20 and
 * ends. 200 listed files, about 2000 folios, each a step aside while the
 * spinners run: 47 s on 6.12 with four spinners when an overdue scan
 * still stepped aside (the mutation overdue-scan-steps-aside), 2 s
 * without.
 */
TEST_F_TIMEOUT(scan, a_busy_system_puts_a_scan_off_only_until_its_patience, 600)
{
	char report[4096];
	pid_t spin[8];
	double t0, took;
	int i;

	ASSERT_EQ(0, hg_load("scan_patience=1"));
	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/busy && for i in $(seq 200); do "
			   "cp " HELLO " /tmp/busy/h$i; done"));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_sh("for i in $(seq 200); do /tmp/busy/h$i >/dev/null || exit 1; done"));
	ASSERT_LE(200, hg_stat("page_digest_files"));

	for (i = 0; i < 8; i++) {
		spin[i] = fork();
		if (!spin[i]) {
			if (setgid(65534) || setuid(65534))
				_exit(2);
			for (;;)
				;
		}
		ASSERT_LT(0, spin[i]);
	}
	t0 = seconds_now();
	EXPECT_EQ(0, hg_write("scan", "1", 1));
	took = seconds_now() - t0;
	for (i = 0; i < 8; i++) {
		kill(spin[i], SIGKILL);
		waitpid(spin[i], NULL, 0);
	}
	ASSERT_EQ(0, read_report(report, sizeof(report)));
	TH_LOG("the scan took %.1f s beside 8 spinners: %.200s", took, report);
	EXPECT_LE(200, report_value(report, "files"));
	EXPECT_GT(30, took);
	hg_sh("rm -rf /tmp/busy");
}

/*
 * Files users own may fill half of page_digests, however many: the
 * system's own (root's) files still get theirs.
 */
TEST_F_TIMEOUT(scan, users_copies_leave_the_system_its_page_digests, 300)
{
	uint64_t before;

	ASSERT_EQ(0, hg_load("page_digests=64"));
	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/uc && for i in $(seq 400); do "
			   "cp " HELLO " /tmp/uc/copy-of-hello-with-a-long-name-$i; done && "
			   "chown -R 65534:65534 /tmp/uc"));
	ASSERT_EQ(0, hg_allow_all(2));
	ASSERT_EQ(0, hg_sh("for f in /tmp/uc/*; do $f >/dev/null || exit 1; done"));
	TH_LOG("after 400 copies: %llu bytes, %llu over budget",
	       (unsigned long long)hg_stat("page_digest_bytes"),
	       (unsigned long long)hg_stat("page_digests_over_budget"));
	EXPECT_LT(0, hg_stat("page_digests_over_budget"));
	EXPECT_GE(64 * 1024, hg_stat("page_digest_bytes"));
	before = hg_stat("page_digest_files");
	ASSERT_EQ(0, hg_sh("/usr/sbin/hashgate version >/dev/null"));
	EXPECT_LT(before, hg_stat("page_digest_files"));
	hg_sh("rm -rf /tmp/uc");
}

/*
 * Copies of one listed file share one set of page digests: each costs a
 * record, not its size again.
 */
TEST_F_TIMEOUT(scan, copies_share_their_page_digests, 180)
{
	uint64_t one, ten;
	int i;

	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/copies && for i in 0 1 2 3 4 5 6 7 8 9 10; do "
			   "cp /usr/sbin/hashgate /tmp/copies/b$i; done"));
	ASSERT_EQ(0, hg_allow_all(2));
	ASSERT_EQ(0, hg_sh("/tmp/copies/b0 version >/dev/null"));
	one = hg_stat("page_digest_bytes");
	for (i = 1; i <= 10; i++)
		ASSERT_EQ(0, hg_sh("/tmp/copies/b%d version >/dev/null", i));
	ten = hg_stat("page_digest_bytes");
	TH_LOG("one copy: %llu bytes, eleven: %llu", (unsigned long long)one,
	       (unsigned long long)ten);
	/* The tool is a few hundred KiB: a set of several KiB each. */
	EXPECT_LT(0, one);
	EXPECT_LT(ten - one, 10 * 512);
	hg_sh("rm -rf /tmp/copies");
}

/*
 * A write that is let through drops the file's page digests; one that is
 * refused (enforce, the file mapped executable) keeps them.
 */
TEST_F(scan, only_a_write_let_through_drops_page_digests)
{
	uint64_t before;
	int fd, ready[2];
	char c;
	pid_t pid;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/w-hello", false));
	ASSERT_EQ(0, hg_allow_all(2));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	before = hg_stat("page_digest_files");
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	if (!pid) {
		/* Mapped like a library: the kernel's own ETXTBSY does not apply. */
		fd = open("/tmp/w-hello", O_RDONLY);
		if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
				   fd, 0) == MAP_FAILED)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(before + 1, hg_stat("page_digest_files"));
	fd = open("/tmp/w-hello", O_WRONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ETXTBSY, errno);
	EXPECT_EQ(before + 1, hg_stat("page_digest_files"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	hg_set_mode("audit");
	fd = open("/tmp/w-hello", O_WRONLY);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(before, hg_stat("page_digest_files"));
	unlink("/tmp/w-hello");
}

/* scan_interval scans on its own; 0 stops it. */
TEST_F(scan, scan_interval_scans_periodically)
{
	uint64_t n;

	ASSERT_EQ(0, set("scan_interval", "1"));
	sleep(4);
	n = hg_stat("scans");
	EXPECT_LE(2, n);
	ASSERT_EQ(0, set("scan_interval", "0"));
	sleep(2);
	n = hg_stat("scans");
	sleep(3);
	EXPECT_EQ(n, hg_stat("scans"));
	EXPECT_EQ(-EINVAL, set("scan_interval", "86401"));
	EXPECT_EQ(-EINVAL, set("runtime_action", "maybe"));
}

/* Scanning is for the admin: nobody cannot start one or read the report. */
TEST_F(scan, nobody_cannot_scan)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(hg_write("scan", "1", 1) == -EACCES &&
		      hg_read_text("scan", self->report, 64) == -EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(0, hg_stat("scans"));
}

/*
 * Make the directories of a path of LONG_LEN bytes ending in /LONG_PROG
 * under LONG_TOP; the directory into @dir. 0 or -errno.
 */
static int make_long_dir(char *dir)
{
	size_t len, want = LONG_LEN - strlen("/" LONG_PROG);
	size_t n;

	hg_sh("rm -rf " LONG_TOP);
	if (mkdir(LONG_TOP, 0755))
		return -errno;
	strcpy(dir, LONG_TOP);
	for (len = strlen(dir); len < want; len += n + 1) {
		n = want - len - 1;
		if (n > 250)
			n = n - 250 < 2 ? 200 : 250;	/* the last one not tiny */
		dir[len] = '/';
		memset(dir + len + 1, 'd', n);
		dir[len + 1 + n] = '\0';
		if (mkdir(dir, 0755))
			return -errno;
	}
	return 0;
}

/* Copy HELLO into the current directory as LONG_PROG. 0 or -errno. */
static int copy_hello_here(void)
{
	static char buf[1 << 16];
	int in = open(HELLO, O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(LONG_PROG, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	close(in);
	return close(out) || n < 0 ? -EIO : 0;
}

/*
 * The largest runtime record there is: a program and a file at paths of
 * HG_PATH_MAX - 2 bytes, and the page trailer after both. The event comes
 * whole, and the kernel does not warn (vm-run fails the run if it does).
 */
TEST_F(scan, the_longest_paths_are_reported_whole)
{
	char dir[HG_PATH_MAX], cwd[HG_PATH_MAX], full[HG_PATH_MAX];
	unsigned long start, offset;
	const struct hg_event *e;
	ssize_t len;
	pid_t pid;

	ASSERT_EQ(0, set("anon_exec", "audit"));
	ASSERT_EQ(0, make_long_dir(dir));
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	ASSERT_EQ(0, chdir(dir));
	ASSERT_EQ(0, copy_hello_here());
	ASSERT_EQ(0, chdir(cwd));
	snprintf(full, sizeof(full), "%s/%s", dir, LONG_PROG);
	ASSERT_EQ(LONG_LEN, strlen(full));

	pid = start_program(dir, "./" LONG_PROG);
	self->sleeper = pid;
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, text_of(pid, LONG_PROG, &start, &offset));
	ASSERT_EQ(0, poke_text(pid, start));
	ASSERT_EQ(0, scan_now(self->report, sizeof(self->report)));
	EXPECT_NE(NULL, finding_line(self->report, "code-modified", pid))
		TH_LOG("%.2000s", self->report);

	len = hg_events(self->ev, EVBUF);
	e = runtime_event(self->ev, len, HG_REASON_CODE_MODIFIED, pid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LONG_LEN, e->exe_len);
	EXPECT_EQ(LONG_LEN, e->path_len);
	EXPECT_EQ(0, memcmp(hg_event_path(e), full, LONG_LEN));
	ASSERT_NE(NULL, page_of(e));
	EXPECT_EQ(start, page_of(e)->address);
	hg_sh("rm -rf " LONG_TOP);
}

/*
 * Read the mapped FUSE page through /proc/self/mem: GUP faults it in
 * holding mmap_lock, and the server never answers.
 */
static void *read_stalled(void *addr)
{
	int fd = open("/proc/self/mem", O_RDONLY);
	char c;

	if (fd >= 0 && pread(fd, &c, 1, (off_t)(uintptr_t)addr) < 0)
		close(fd);
	return NULL;
}

/*
 * A process that keeps its mmap_lock taken (here: a read of its own memory
 * stuck in a fault on a FUSE file whose server does not answer, and an
 * mmap() queued behind it) cannot be examined: after the scan's second of
 * waits it is reported unexamined and, with runtime_action=kill, killed.
 */
TEST_F(scan, a_process_that_keeps_its_lock_taken_is_unexamined_and_killed)
{
	static char data[4 * 4096];
	struct fsrv_shared *sh = fsrv_shared_alloc();
	struct fsrv srv = { .name = "data", .first = data, .len = sizeof(data),
			    .n_first = -1, .stall_reads = true, .sh = sh };
	const struct hg_event *e;
	pid_t victim;
	ssize_t len;
	int i, st = 0;

	ASSERT_NE(NULL, sh);
	ASSERT_EQ(0, hg_sh("modprobe fuse 2>/dev/null; test -c /dev/fuse"));
	mkdir(FUSE_MNT, 0755);
	ASSERT_EQ(0, fsrv_mount(&srv, FUSE_MNT));
	ASSERT_EQ(0, fsrv_start(&srv));

	victim = fork();
	if (!victim) {
		pthread_t t;
		void *map;
		int fd;

		close(srv.fd);	/* the connection must end with the server */
		fd = open(FUSE_MNT "/data", O_RDONLY);
		map = mmap(NULL, sizeof(data), PROT_READ, MAP_PRIVATE, fd, 0);
		if (fd < 0 || map == MAP_FAILED ||
		    pthread_create(&t, NULL, read_stalled, map))
			_exit(2);
		while (!sh->reads)
			usleep(1000);
		usleep(100 * 1000);
		/* Queued behind the stuck reader: the lock stays taken. */
		mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (;;)
			pause();
	}
	ASSERT_LT(0, victim);
	for (i = 0; i < 5000 && !sh->reads; i++)
		usleep(1000);
	ASSERT_LT(0, sh->reads);
	usleep(300 * 1000);

	ASSERT_EQ(0, set("runtime_action", "kill"));
	ASSERT_EQ(0, scan_now(self->report, sizeof(self->report)));
	EXPECT_NE(NULL, finding_line(self->report, "unexamined", victim))
		TH_LOG("%.2000s", self->report);
	EXPECT_LE(1, report_value(self->report, "busy"));
	len = hg_events(self->ev, EVBUF);
	e = runtime_event(self->ev, len, HG_REASON_UNEXAMINED, victim);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(HG_DECISION_KILLED, e->decision);

	/* The stuck read ends with the server; the kill then takes effect. */
	fsrv_stop(&srv, FUSE_MNT);
	for (i = 0; i < 5000 && waitpid(victim, &st, WNOHANG) == 0; i++)
		usleep(1000);
	if (i == 5000) {
		kill(victim, SIGKILL);
		waitpid(victim, &st, 0);
		st = 0;
	}
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("status 0x%x: the scan did not kill it", st);
	munmap(sh, sizeof(*sh));
}

/* Write @text to the tracefs file @file. 0 or -errno. */
static int trace_write(const char *file, const char *text)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * A uprobe's breakpoint is a copy on write of the text page like any
 * other: the scan reports it as modified code; no process is exempt for
 * being traced. Removed, the probe leaves the file's own page and no
 * finding.
 */
TEST_F(scan, a_uprobe_breakpoint_is_modified_code)
{
	unsigned long start, offset;
	const struct hg_event *e;
	char probe[256];
	ssize_t len;
	pid_t pid;

	pid = audited_sleeper(&start, &offset);
	self->sleeper = pid;
	ASSERT_LT(0, pid);
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
		ASSERT_EQ(EBUSY, errno);
	/* The first instruction of the text segment (_init): probe-able. */
	snprintf(probe, sizeof(probe), "p:hgscan/text %s:0x%lx\n", HELLO, offset);
	ASSERT_EQ(0, trace_write("uprobe_events", probe));
	ASSERT_EQ(0, trace_write("events/hgscan/text/enable", "1"));

	ASSERT_EQ(0, scan_now(self->report, sizeof(self->report)));
	EXPECT_NE(NULL, finding_line(self->report, "code-modified", pid))
		TH_LOG("%.2000s", self->report);
	len = hg_events(self->ev, EVBUF);
	e = runtime_event(self->ev, len, HG_REASON_CODE_MODIFIED, pid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(start, page_of(e)->address);

	ASSERT_EQ(0, trace_write("events/hgscan/text/enable", "0"));
	ASSERT_EQ(0, trace_write("uprobe_events", "-:hgscan/text\n"));
	ASSERT_EQ(0, scan_now(self->report, sizeof(self->report)));
	EXPECT_EQ(NULL, finding_line(self->report, "code-modified", pid))
		TH_LOG("%.2000s", self->report);
}

TEST_HARNESS_MAIN
