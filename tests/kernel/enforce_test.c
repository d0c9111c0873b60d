// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement: what runs, what is denied, what is logged. Each test starts
 * from a freshly loaded module with an allowlist of every file on the
 * initramfs and the data disk; copies made in /tmp with a byte appended are
 * the same code under a digest nobody listed.
 */
#include <dlfcn.h>
#include <sys/mman.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define HELLO		"/tests/hello"
#define EVBUF		(1 << 20)

static char *hello_argv[] = { HELLO, NULL };

/* The hex SHA-256 of @path, by sha256sum. */
static void sha256_hex(const char *path, char hex[65])
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	p = popen(cmd, "r");
	hex[0] = '\0';
	if (p) {
		if (fscanf(p, "%64s", hex) != 1)
			hex[0] = '\0';
		pclose(p);
	}
}

static void to_hex(const uint8_t *d, char hex[65])
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* The exec events in @buf. */
static int count_exec_events(void *buf, ssize_t len)
{
	struct hg_event *e;
	size_t off = 0;
	int n = 0;

	if (len < 0)	/* an unreadable stream is not "no events" */
		return -1;
	while ((e = hg_next_event(buf, len, &off)))
		n += e->type == HG_EVENT_EXEC;
	return n;
}

FIXTURE(hg) {
	void *ev;
};

FIXTURE_SETUP(hg)
{
	ASSERT_EQ(0, hg_sh("rm -rf /tmp/t && mkdir -p /tmp/t"));
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(100));
	self->ev = malloc(EVBUF);
	ASSERT_NE(NULL, self->ev);
	hg_events(self->ev, EVBUF);
}

FIXTURE_TEARDOWN(hg)
{
	hg_set_mode("audit");
	hg_unload();
	free(self->ev);
}

TEST_F(hg, listed_program_runs)
{
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(0, hg_exec(HELLO, hello_argv));
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/same", false));
	EXPECT_EQ(0, hg_exec("/tmp/t/same", hello_argv)) TH_LOG("same bytes, other path");
	EXPECT_EQ(0, hg_stat("denies"));
}

TEST_F(hg, unlisted_program_denied_in_enforce)
{
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/t/evil", hello_argv));
	EXPECT_EQ(1, hg_stat("denies"));
}

TEST_F(hg, unlisted_program_runs_in_audit_with_an_event)
{
	ssize_t n;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	EXPECT_EQ(0, hg_exec("/tmp/t/evil", hello_argv));
	n = hg_events(self->ev, EVBUF);
	/* Exec open, bprm_check and the ELF loader's mmap: reported once. */
	ASSERT_EQ(1, count_exec_events(self->ev, n));
	EXPECT_EQ(HG_DECISION_WOULD_DENY, ((struct hg_event *)self->ev)->decision);
	EXPECT_LE(1, hg_stat("would_denies"));
	EXPECT_EQ(0, hg_stat("denies"));
}

TEST_F(hg, deny_logs_exactly_one_event_with_its_fields)
{
	struct hg_event *e;
	char want[65], got[65];
	size_t off = 0;
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	sha256_hex("/tmp/t/evil", want);
	ASSERT_EQ(0, hg_set_mode("enforce"));
	pid = fork();
	if (pid == 0) {
		execv("/tmp/t/evil", hello_argv);
		_exit(errno);
	}
	ASSERT_EQ(EACCES, hg_wait(pid));

	n = hg_events(self->ev, EVBUF);
	ASSERT_EQ(1, count_exec_events(self->ev, n));
	while ((e = hg_next_event(self->ev, n, &off)) && e->type != HG_EVENT_EXEC)
		;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(HG_EVENT_VERSION, e->version);
	EXPECT_EQ(HG_DECISION_DENY, e->decision);
	EXPECT_EQ(HG_MODE_ENFORCE, e->mode);
	EXPECT_EQ(HG_REASON_NOT_IN_ALLOWLIST, e->reason);
	/* The exec open sees it first: before the point of no return. */
	EXPECT_TRUE(e->hook == HG_HOOK_EXEC_OPEN || e->hook == HG_HOOK_BPRM_CHECK);
	EXPECT_EQ((uint32_t)pid, e->pid);
	EXPECT_EQ((uint32_t)getpid(), e->ppid);
	EXPECT_EQ(0, e->uid);
	EXPECT_EQ(100, e->list_serial);
	EXPECT_EQ(0, e->dropped_before);
	ASSERT_EQ(strlen("/tmp/t/evil"), e->path_len);
	EXPECT_EQ(0, memcmp("/tmp/t/evil", hg_event_path(e), e->path_len));
	ASSERT_TRUE(e->flags & HG_EVENT_F_DIGEST);
	to_hex(e->digest, got);
	EXPECT_STREQ(want, got);
	EXPECT_NE(0, e->ino);
	EXPECT_NE(0, e->seq);
}

TEST_F(hg, changed_after_cached_is_rehashed_and_denied)
{
	uint64_t hashes;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/prog", false));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_exec("/tmp/t/prog", hello_argv));
	hashes = hg_stat("hashes");
	ASSERT_EQ(0, hg_sh("echo >> /tmp/t/prog"));
	EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/t/prog", hello_argv));
	EXPECT_LT(hashes, hg_stat("hashes"));
}

TEST_F(hg, cache_hit_does_no_hashing)
{
	uint64_t hashes, hits;

	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_exec(HELLO, hello_argv));
	hashes = hg_stat("hashes");
	hits = hg_stat("cache_hits");
	ASSERT_EQ(0, hg_exec(HELLO, hello_argv));
	EXPECT_EQ(hashes, hg_stat("hashes"));
	/* The program twice (exec open, bprm), ld.so, libc at least. */
	EXPECT_LE(hits + 4, hg_stat("cache_hits"));
}

TEST_F(hg, unlisted_library_fails_dt_needed_and_dlopen)
{
	void *h;

	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/t/lib && cp /tests/needs_lib /tmp/t/lib/"));
	ASSERT_EQ(0, hg_copy("/tests/libhgtest.so", "/tmp/t/lib/libhgtest.so", true));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	/* The program is listed (same bytes); its library is not. */
	EXPECT_EQ(127, hg_exec("/tmp/t/lib/needs_lib", hello_argv));
	EXPECT_EQ(0, hg_exec("/tests/needs_lib", hello_argv));

	h = dlopen("/tmp/t/lib/libhgtest.so", RTLD_NOW);
	EXPECT_EQ(NULL, h);
	if (h)
		dlclose(h);
	h = dlopen("/tests/libhgtest.so", RTLD_NOW);
	EXPECT_NE(NULL, h);
	if (h)
		dlclose(h);
}

TEST_F(hg, ld_so_running_an_unlisted_program_is_denied)
{
	char *const argv[] = { HG_LDSO, "/tmp/t/evil", NULL };
	char *const good[] = { HG_LDSO, HELLO, NULL };

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(0, hg_exec(argv[0], good));
	EXPECT_NE(0, hg_exec(argv[0], argv));
	EXPECT_LE(1, hg_stat("denies"));
}

TEST_F(hg, unlisted_interpreter_is_denied_before_exec)
{
	char *const argv[] = { "/tests/hello_interp", NULL };

	ASSERT_EQ(0, hg_copy(HG_LDSO, "/tmp/hg-ld.so", false));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(0, hg_exec(argv[0], argv));
	ASSERT_EQ(0, hg_copy(HG_LDSO, "/tmp/hg-ld.so", true));
	EXPECT_EQ(1000 + EACCES, hg_exec(argv[0], argv));
	unlink("/tmp/hg-ld.so");
}

TEST_F(hg, mprotect_exec_of_unlisted_file_is_denied)
{
	void *p;
	int fd;

	ASSERT_EQ(0, hg_copy("/tests/libhgtest.so", "/tmp/t/data", true));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	fd = open("/tmp/t/data", O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 4096);
	/* And mapping it executable directly is denied too. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_EXEC,
				   MAP_PRIVATE, fd, 0));
	close(fd);

	/* A listed file that was verified may be made executable. */
	fd = open("/tests/libhgtest.so", O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	munmap(p, 4096);
	close(fd);
}

TEST_F(hg, malformed_allowlist_leaves_the_old_one_active)
{
	char before[64], after[64];

	ASSERT_EQ(0, hg_read_text("allowlist", before, sizeof(before)));
	ASSERT_EQ(0, strncmp(before, "100 ", 4));
	EXPECT_EQ(-EINVAL, hg_write("allowlist", "garbage", 7));
	/* A valid blob cut short. */
	ASSERT_EQ(0, hg_sh("hashgate load --serial 200 -o /tmp/t/blob /tmp/all.list >/dev/null"));
	ASSERT_EQ(0, hg_sh("head -c 100 /tmp/t/blob > /tmp/t/cut"));
	EXPECT_NE(0, hg_sh("cat /tmp/t/cut > " HG_FS "/allowlist 2>/dev/null"));
	EXPECT_NE(0, hg_sh("printf 'zz  /bin/sh\\n' > /tmp/t/bad.list; "
			   "hashgate load /tmp/t/bad.list 2>/dev/null"));
	ASSERT_EQ(0, hg_read_text("allowlist", after, sizeof(after)));
	EXPECT_STREQ(before, after);
	EXPECT_LE(2, hg_stat("list_rejects"));
	/* Still enforcing the old list. */
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(0, hg_exec(HELLO, hello_argv));
}

TEST_F(hg, hash_mismatch_when_the_path_is_listed_with_another_digest)
{
	struct hg_event *e;
	size_t off = 0;
	ssize_t n;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/listed", false));
	ASSERT_EQ(0, hg_sh("(cat /tmp/all.list; sha256sum /tmp/t/listed) > /tmp/t/l && "
			   "hashgate load --serial 101 /tmp/t/l >/dev/null"));
	ASSERT_EQ(0, hg_sh("echo >> /tmp/t/listed"));
	hg_events(self->ev, EVBUF);
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/t/listed", hello_argv));
	n = hg_events(self->ev, EVBUF);
	while ((e = hg_next_event(self->ev, n, &off)) && e->type != HG_EVENT_EXEC)
		;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(HG_REASON_HASH_MISMATCH, e->reason);
	EXPECT_EQ(101, e->list_serial);
}

TEST_F(hg, files_on_the_ext4_disk)
{
	if (access("/mnt/disk/hello", F_OK))
		SKIP(return, "no data disk");
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(0, hg_exec("/mnt/disk/hello", hello_argv));
	ASSERT_EQ(0, hg_copy("/mnt/disk/hello", "/mnt/disk/evil", true));
	EXPECT_EQ(1000 + EACCES, hg_exec("/mnt/disk/evil", hello_argv));
	unlink("/mnt/disk/evil");
}

TEST_F(hg, mode_changes_by_non_root_fail)
{
	pid_t pid;

	ASSERT_EQ(0, hg_set_mode("enforce"));
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		_exit(hg_set_mode("audit") == -EACCES ? 0 : 11);
	}
	EXPECT_EQ(0, hg_wait(pid));
	EXPECT_EQ(0, hg_sh("grep -qx enforce " HG_FS "/mode"));
}

/* What the check file answers for @path. */
static int check_path(const char *path, char *answer, size_t size)
{
	int fd = open(HG_FS "/check", O_RDWR);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (write(fd, path, strlen(path)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	n = read(fd, answer, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	answer[n] = '\0';
	return 0;
}

TEST_F(hg, check_answers_without_logging)
{
	char answer[256], want[256], hex[65];
	ssize_t n;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	sha256_hex(HELLO, hex);
	ASSERT_EQ(0, check_path(HELLO, answer, sizeof(answer)));
	snprintf(want, sizeof(want), "allow none sha256:%s 100\n", hex);
	EXPECT_STREQ(want, answer);
	sha256_hex("/tmp/t/evil", hex);
	ASSERT_EQ(0, check_path("/tmp/t/evil", answer, sizeof(answer)));
	snprintf(want, sizeof(want), "deny not-in-allowlist sha256:%s 100\n", hex);
	EXPECT_STREQ(want, answer);
	EXPECT_EQ(-ENOENT, check_path("/tmp/t/nothing", answer, sizeof(answer)));
	EXPECT_EQ(-EINVAL, check_path("relative", answer, sizeof(answer)));
	n = hg_events(self->ev, EVBUF);
	EXPECT_EQ(0, count_exec_events(self->ev, n));
}

FIXTURE(small_ring) {
	void *ev;
};

FIXTURE_SETUP(small_ring)
{
	/* Off while the list is built: its programs would fill the ring. */
	ASSERT_EQ(0, hg_load("event_ring=16 mode=off"));
	ASSERT_EQ(0, hg_allow_all(7));
	ASSERT_EQ(0, hg_set_mode("audit"));
	self->ev = malloc(EVBUF);
	ASSERT_NE(NULL, self->ev);
	hg_events(self->ev, EVBUF);
}

FIXTURE_TEARDOWN(small_ring)
{
	hg_unload();
	free(self->ev);
}

TEST_F(small_ring, overflow_is_counted_not_lost)
{
	struct hg_event *e, *last = NULL;
	size_t off = 0;
	ssize_t n;
	int i;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/evil", true));
	/*
	 * Audit mode, no reader: 40 would-denies by one user, who may hold
	 * half of the 16 slots (the rest is kept for other users).
	 */
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, hg_exec("/tmp/evil", hello_argv));
	EXPECT_EQ(32, hg_stat("events_dropped"));
	n = hg_events(self->ev, EVBUF);
	EXPECT_EQ(8, count_exec_events(self->ev, n));
	/* The next record after the gap says how many were lost. */
	ASSERT_EQ(0, hg_exec("/tmp/evil", hello_argv));
	n = hg_events(self->ev, EVBUF);
	while ((e = hg_next_event(self->ev, n, &off)))
		last = e;
	ASSERT_NE(NULL, last);
	EXPECT_EQ(32, last->dropped_before);
	unlink("/tmp/evil");
}

TEST_HARNESS_MAIN
