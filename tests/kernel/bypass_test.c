// SPDX-License-Identifier: GPL-2.0
/*
 * The bypasses an attacker with a shell would try, in enforce mode (denied)
 * and in audit mode (allowed, exactly one event with the right reason).
 * Listed files are copies of /tests programs (listed by digest); unlisted
 * ones are the same with a byte appended.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif

#define HELLO	"/tests/hello"
#define LIB	"/tests/libhgtest.so"
#define EVBUF	(1 << 20)

static char *hello_argv[] = { "hello", NULL };

/* Exec events in the stream with @reason (all of them for reason -1). */
static int events_with(void *buf, ssize_t len, int reason)
{
	struct hg_event *e;
	size_t off = 0;
	int n = 0;

	if (len < 0)	/* an unreadable stream is not "no events" */
		return -1;
	while ((e = hg_next_event(buf, len, &off)))
		n += e->type == HG_EVENT_EXEC && (reason < 0 || e->reason == reason);
	return n;
}

FIXTURE(bp) {
	void *ev;
};

FIXTURE_VARIANT(bp) {
	bool enforce;
};

FIXTURE_VARIANT_ADD(bp, enforce) {
	.enforce = true,
};

FIXTURE_VARIANT_ADD(bp, audit) {
	.enforce = false,
};

FIXTURE_SETUP(bp)
{
	ASSERT_EQ(0, hg_sh("rm -rf /tmp/t && mkdir -p /tmp/t"));
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(300));
	self->ev = malloc(EVBUF);
	ASSERT_NE(NULL, self->ev);
	ASSERT_EQ(0, hg_set_mode(variant->enforce ? "enforce" : "audit"));
	hg_events(self->ev, EVBUF);
}

FIXTURE_TEARDOWN(bp)
{
	hg_set_mode("audit");
	hg_unload();
	free(self->ev);
}

/*
 * @got is what the attempt returned; @denied what enforce must return and
 * @allowed what audit must. Audit must also log exactly one event with
 * @reason; enforce at least one.
 */
#define EXPECT_VERDICT(got, denied, allowed, reason) do {			\
	ssize_t __n;								\
	int __got = (got);							\
	if (variant->enforce) {							\
		EXPECT_EQ((denied), __got);					\
	} else {								\
		EXPECT_EQ((allowed), __got);					\
	}									\
	__n = hg_events(self->ev, EVBUF);					\
	if (variant->enforce) {							\
		EXPECT_LE(1, events_with(self->ev, __n, (reason)));		\
	} else {								\
		EXPECT_EQ(1, events_with(self->ev, __n, (reason)));		\
	}									\
	EXPECT_EQ(0, events_with(self->ev, __n, -1) -				\
		     events_with(self->ev, __n, (reason)))			\
		TH_LOG("events with another reason");				\
} while (0)

/* open(2) result as 0 or -errno. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void *map_exec(const char *path)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	return p;
}

/* Wait (up to 20 s) until @pid has @path mapped executable. */
static bool mapped_by(const char *path, pid_t pid)
{
	char maps[64], line[512];
	bool found = false;
	FILE *f;
	int i;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	for (i = 0; i < 200 && !found; i++) {
		f = fopen(maps, "r");
		while (f && !found && fgets(line, sizeof(line), f))
			found = strstr(line, " r-xp ") && strstr(line, path);
		if (f)
			fclose(f);
		if (!found)
			usleep(100 * 1000);
	}
	return found;
}

/* 1. Write after check. */
TEST_F(bp, write_truncate_of_exec_mapped_file)
{
	void *p;

	ASSERT_EQ(0, hg_copy(LIB, "/tmp/t/lib.so", false));
	p = map_exec("/tmp/t/lib.so");
	ASSERT_NE(MAP_FAILED, p);
	hg_events(self->ev, EVBUF);

	EXPECT_VERDICT(try_open("/tmp/t/lib.so", O_WRONLY), -ETXTBSY, 0,
		       HG_REASON_EXEC_MAPPED);
	EXPECT_VERDICT(truncate("/tmp/t/lib.so", 4096) ? -errno : 0, -ETXTBSY,
		       0, HG_REASON_EXEC_MAPPED);
	/* O_TRUNC truncates whatever the access mode (6.2+: file_truncate). */
	EXPECT_VERDICT(try_open("/tmp/t/lib.so", O_RDONLY | O_TRUNC), -ETXTBSY,
		       0, HG_REASON_EXEC_MAPPED);
	munmap(p, 4096);

	/* No exec mapping left: writing works, and the next map re-hashes. */
	ASSERT_EQ(0, hg_sh("echo >> /tmp/t/lib.so"));
	hg_events(self->ev, EVBUF);
	p = map_exec("/tmp/t/lib.so");
	EXPECT_VERDICT(p == MAP_FAILED ? -EACCES : 0, -EACCES, 0,
		       HG_REASON_NOT_IN_ALLOWLIST);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/*
 * A program run through the loader (ld.so PROG) is mapped, not executed:
 * the kernel does not deny writes to it, hashgate must. (A program run
 * directly is protected by the kernel's own deny_write_access, which would
 * make a test of it pass without hashgate.)
 */
TEST_F(bp, write_to_program_run_by_the_loader)
{
	ssize_t n;
	pid_t pid;
	int st, ret;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/bb", false));
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(HG_LDSO, HG_LDSO, "/tmp/t/bb", "--sleep", "5", NULL);
		_exit(127);
	}
	ASSERT_TRUE(mapped_by("/tmp/t/bb", pid));
	hg_events(self->ev, EVBUF);
	ret = try_open("/tmp/t/bb", O_WRONLY);
	n = hg_events(self->ev, EVBUF);
	if (variant->enforce) {
		EXPECT_EQ(-ETXTBSY, ret);
		EXPECT_EQ(1, events_with(self->ev, n, HG_REASON_EXEC_MAPPED));
		EXPECT_EQ(-ETXTBSY, try_open("/tmp/t/bb", O_RDWR | O_TRUNC));
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(1, events_with(self->ev, n, HG_REASON_EXEC_MAPPED));
	}
	EXPECT_EQ(0, events_with(self->ev, n, -1) -
		     events_with(self->ev, n, HG_REASON_EXEC_MAPPED));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* 2. Writers first. */
TEST_F(bp, open_writer_blocks_exec)
{
	char *const argv[] = { "/tmp/t/prog", NULL };
	int fd;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/prog", false));
	fd = open("/tmp/t/prog", O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(hg_exec(argv[0], argv), 1000 + EACCES, 1000 + ETXTBSY,
		       HG_REASON_OPEN_WRITERS);
	close(fd);
	EXPECT_EQ(0, hg_exec(argv[0], argv));
}

TEST_F(bp, shared_writable_mapping_blocks_exec_mapping)
{
	void *w, *x;
	int fd;

	ASSERT_EQ(0, hg_copy(LIB, "/tmp/t/lib.so", false));
	fd = open("/tmp/t/lib.so", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, w);
	close(fd);
	hg_events(self->ev, EVBUF);
	/* The fd is closed, but the mapping keeps a writer. */
	x = map_exec("/tmp/t/lib.so");
	EXPECT_VERDICT(x == MAP_FAILED ? -EACCES : 0, -EACCES, 0,
		       HG_REASON_OPEN_WRITERS);
	if (x != MAP_FAILED)
		munmap(x, 4096);
	munmap(w, 4096);
}

/*
 * 3. No write while being hashed: hashgate denies writes to a file while
 * it hashes it (in audit mode too: a verdict must never be cached for bytes
 * that changed under the hash). The writer is timed by the hash's own
 * progress, the bytes_hashed counter, not by a sleep.
 */
#define BIG_MB	48

struct racer {
	const char *path;
	uint64_t start;		/* bytes_hashed before the mapping */
	int result;		/* the open for write: 0 or -errno */
	bool during;		/* it happened while the hash ran */
};

static void *write_during_hash(void *arg)
{
	struct racer *r = arg;
	uint64_t total = (uint64_t)BIG_MB << 20;
	int i;

	/* Under way: past the first MiB of the big file, not at its end. */
	for (i = 0; i < 60000; i++) {
		if (hg_stat("bytes_hashed") > r->start + (1 << 20))
			break;
		usleep(1000);
	}
	r->result = try_open(r->path, O_WRONLY | O_APPEND);
	r->during = hg_stat("bytes_hashed") < r->start + total;
	return NULL;
}

TEST_F_TIMEOUT(bp, no_write_while_hashed, 300)
{
	struct racer r = { .path = "/tmp/t/big" };
	pthread_t t;
	ssize_t n;
	void *p;

	/* A listed program made big: hashing it takes long under TCG. */
	ASSERT_EQ(0, hg_sh("cp " HELLO " /tmp/t/big && "
			   "dd if=/dev/zero bs=1M count=%d 2>/dev/null >> /tmp/t/big && "
			   "(cat /tmp/all.list; sha256sum /tmp/t/big) > /tmp/t/l && "
			   "hashgate load --serial 301 /tmp/t/l >/dev/null", BIG_MB));
	hg_events(self->ev, EVBUF);
	r.start = hg_stat("bytes_hashed");
	ASSERT_EQ(0, pthread_create(&t, NULL, write_during_hash, &r));
	p = map_exec("/tmp/t/big");
	pthread_join(t, NULL);
	ASSERT_TRUE(r.during)
		TH_LOG("the write came after the hash: "
		       "hashing %d MiB took less than the writer's start", BIG_MB);
	EXPECT_EQ(-ETXTBSY, r.result);
	/* The listed bytes were hashed and mapped; nothing to report. */
	EXPECT_NE(MAP_FAILED, p);
	n = hg_events(self->ev, EVBUF);
	EXPECT_EQ(0, events_with(self->ev, n, -1));
	if (p != MAP_FAILED)
		munmap(p, 4096);
	/* After the hash, writing works again (no exec mapping left). */
	EXPECT_EQ(0, try_open("/tmp/t/big", O_WRONLY | O_APPEND));
}

/* 4. memfd. */
static int memfd_with(const char *src, unsigned int seals)
{
	char buf[65536];
	int in, fd;
	ssize_t n;

	fd = memfd_create("payload", MFD_ALLOW_SEALING);
	in = open(src, O_RDONLY);
	if (fd < 0 || in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return -1;
	close(in);
	if (seals && fcntl(fd, F_ADD_SEALS, seals))
		return -1;
	return fd;
}

static int run_fd(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		fexecve(fd, hello_argv, environ);
		_exit(100 + errno);
	}
	return hg_wait(pid);
}

/* An unsealed memfd is anonymous memory: anon_exec decides. */
TEST_F(bp, unsealed_memfd_is_denied)
{
	int fd = memfd_with(HELLO, 0);
	void *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	EXPECT_VERDICT(run_fd(fd), 100 + EACCES, 0, HG_REASON_MEMFD);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	EXPECT_VERDICT(p == MAP_FAILED ? -EACCES : 0, -EACCES, 0,
		       HG_REASON_MEMFD);
	close(fd);
}

TEST_F(bp, sealed_memfd_runs_by_digest)
{
	unsigned int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
	int fd = memfd_with(HELLO, seals);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, run_fd(fd));
	close(fd);
	EXPECT_EQ(0, events_with(self->ev, hg_events(self->ev, EVBUF), -1));

	/*
	 * FUTURE_WRITE does not count: pages pinned before it (an io_uring
	 * buffer) can still be written. Only F_SEAL_WRITE makes it a file.
	 */
	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	fd = memfd_with(HELLO, F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW);
	ASSERT_LE(0, fd);
	EXPECT_VERDICT(run_fd(fd), 100 + EACCES, 0, HG_REASON_MEMFD);
	close(fd);

	/* Sealed, but not listed. */
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	fd = memfd_with("/tmp/t/evil", seals);
	ASSERT_LE(0, fd);
	EXPECT_VERDICT(run_fd(fd), 100 + EACCES, 0, HG_REASON_NOT_IN_ALLOWLIST);
	close(fd);
}

TEST_F(bp, future_write_seal_with_a_writable_mapping_is_not_sealed)
{
	int fd = memfd_with(HELLO, 0);
	void *w;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, w);
	ASSERT_EQ(0, fcntl(fd, F_ADD_SEALS,
			   F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW));
	/* The old mapping can still change the bytes. */
	EXPECT_VERDICT(run_fd(fd), 100 + EACCES, 0, HG_REASON_MEMFD);
	munmap(w, 4096);
	close(fd);
}

/* 5. Anonymous executable memory. */
TEST_F(bp, anonymous_exec_memory_follows_anon_exec)
{
	void *p;

	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	EXPECT_VERDICT(p == MAP_FAILED ? -EACCES : 0, -EACCES, 0,
		       HG_REASON_ANON_EXEC);
	if (p != MAP_FAILED)
		munmap(p, 4096);

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(mprotect(p, 4096, PROT_READ | PROT_EXEC) ? -errno : 0,
		       -EACCES, 0, HG_REASON_ANON_EXEC);
	munmap(p, 4096);

	/* allow: a JIT works, nothing is logged. */
	ASSERT_EQ(0, hg_write("anon_exec", "allow", 5));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	EXPECT_EQ(0, events_with(self->ev, hg_events(self->ev, EVBUF), -1));
}

/* mprotect() in a forked child; 0 or -errno. */
static int in_child_mprotect(void *p, int prot)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(mprotect(p, 4096, prot) ? errno : 0);
	return -hg_wait(pid);
}

TEST_F(bp, written_private_file_pages_are_not_the_file)
{
	char *p;
	int fd;

	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	ASSERT_EQ(0, hg_copy(LIB, "/tmp/t/lib.so", false));
	fd = open("/tmp/t/lib.so", O_RDONLY);
	ASSERT_LE(0, fd);
	/* Verified... */
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	/* ...but these pages were written after mapping: copies, not the file. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	p[0] = 0x7f;
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(mprotect(p, 4096, PROT_READ | PROT_EXEC) ? -errno : 0,
		       -EACCES, 0, HG_REASON_ANON_EXEC);
	munmap(p, 4096);

	/* Writable and executable at once: writable later, so not the file. */
	fd = open("/tmp/t/lib.so", O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE,
		 fd, 0);
	EXPECT_VERDICT(p == MAP_FAILED ? -EACCES : 0, -EACCES, 0,
		       HG_REASON_ANON_EXEC);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	hg_events(self->ev, EVBUF);
	/*
	 * In a child: audit reports a file once per process and kind of
	 * access, and this process already had its mprotect reported above.
	 */
	EXPECT_VERDICT(in_child_mprotect(p, PROT_READ | PROT_WRITE | PROT_EXEC),
		       -EACCES, 0, HG_REASON_ANON_EXEC);
	munmap(p, 4096);
}

/* 6. Paths do not matter, content does. */
TEST_F(bp, every_path_to_the_same_bytes_gets_the_same_verdict)
{
	char path[64], *argv[] = { "x", NULL };
	int fd, dir;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/evil", true));
	ASSERT_EQ(0, hg_sh("ln /tmp/t/evil /tmp/t/hardlink && cp -p /tmp/t/evil /dev/shm/evil && "
			   "mkdir -p /tmp/b && mount --bind /tmp/t /tmp/b"));
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(hg_exec("/tmp/t/hardlink", argv), 1000 + EACCES, 0,
		       HG_REASON_NOT_IN_ALLOWLIST);
	ASSERT_EQ(0, rename("/tmp/t/hardlink", "/tmp/t/renamed"));
	/* Same inode, same process-less cache: still denied in enforce. */
	if (variant->enforce)
		EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/t/renamed", argv));
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(hg_exec("/dev/shm/evil", argv), 1000 + EACCES, 0,
		       HG_REASON_NOT_IN_ALLOWLIST);
	if (variant->enforce) {
		EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/b/evil", argv));
		fd = open("/tmp/t/evil", O_RDONLY);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		EXPECT_EQ(1000 + EACCES, hg_exec(path, argv));
		close(fd);
		dir = open("/tmp/t", O_RDONLY | O_DIRECTORY);
		EXPECT_EQ(-1, syscall(SYS_execveat, dir, "evil", argv, environ, 0));
		EXPECT_EQ(EACCES, errno);
		close(dir);
		/* And the listed bytes run through all of them. */
		ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/good", false));
		EXPECT_EQ(0, hg_exec("/tmp/b/good", argv));
	}
	umount("/tmp/b");
	unlink("/dev/shm/evil");
}

/* 7. Overlayfs: the verdict follows the real inode. */
TEST_F(bp, overlay_copy_up_of_modified_file_is_denied)
{
	char *const argv[] = { "hello", NULL };

	if (access("/mnt/disk/hello", F_OK))
		SKIP(return, "no data disk");
	if (hg_sh("modprobe overlay 2>/dev/null; grep -qw overlay /proc/filesystems"))
		SKIP(return, "no overlayfs");
	ASSERT_EQ(0, hg_sh("rm -rf /mnt/disk/ovl && "
			   "mkdir -p /mnt/disk/ovl/lower /mnt/disk/ovl/upper "
			   "/mnt/disk/ovl/work /tmp/merged && cp /mnt/disk/hello /mnt/disk/ovl/lower/ && "
			   "mount -t overlay -o lowerdir=/mnt/disk/ovl/lower,"
			   "upperdir=/mnt/disk/ovl/upper,workdir=/mnt/disk/ovl/work "
			   "overlay /tmp/merged"));
	EXPECT_EQ(0, hg_exec("/tmp/merged/hello", argv));
	ASSERT_EQ(0, hg_sh("echo >> /tmp/merged/hello"));
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(hg_exec("/tmp/merged/hello", argv), 1000 + EACCES, 0,
		       HG_REASON_NOT_IN_ALLOWLIST);
	/* The lower file is untouched and still runs. */
	EXPECT_EQ(0, hg_exec("/mnt/disk/ovl/lower/hello", argv));
	umount("/tmp/merged");
	hg_sh("rm -rf /mnt/disk/ovl");
}

/* 8. Scripts: interpreters are programs. */
TEST_F(bp, script_interpreters_are_checked)
{
	char *const argv[] = { "s", NULL };

	ASSERT_EQ(0, hg_sh("printf '#!/bin/sh\\nexit 7\\n' > /tmp/t/ok.sh && "
			   "chmod 755 /tmp/t/ok.sh"));
	/* Named sh: busybox picks its applet by name. */
	ASSERT_EQ(0, hg_copy("/bin/busybox", "/tmp/t/sh", true));
	ASSERT_EQ(0, hg_sh("printf '#!/tmp/t/sh\\nexit 7\\n' > /tmp/t/bad.sh && "
			   "chmod 755 /tmp/t/bad.sh"));
	/* The script is not listed, its interpreter is: it runs. */
	EXPECT_EQ(7, hg_exec("/tmp/t/ok.sh", argv));
	EXPECT_EQ(0, events_with(self->ev, hg_events(self->ev, EVBUF), -1));
	EXPECT_VERDICT(hg_exec("/tmp/t/bad.sh", argv), 1000 + EACCES, 7,
		       HG_REASON_NOT_IN_ALLOWLIST);
}

/* 9. Writers are counted on the inode, not the fd or the mount. */
TEST_F(bp, writer_through_another_mount_or_from_before_load)
{
	char *const argv[] = { "/tmp/t/prog", NULL };
	int fd;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/prog", false));
	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/b && mount --bind /tmp/t /tmp/b"));
	fd = open("/tmp/b/prog", O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	/* Reload: the writer predates this module instance. */
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(302));
	ASSERT_EQ(0, hg_set_mode(variant->enforce ? "enforce" : "audit"));
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(hg_exec(argv[0], argv), 1000 + EACCES, 1000 + ETXTBSY,
		       HG_REASON_OPEN_WRITERS);
	close(fd);
	umount("/tmp/b");
}

/* 10. A cache entry never outlives its inode. */
TEST_F(bp, reused_inode_number_is_hashed_again)
{
	char *const argv[] = { "r", NULL };
	struct stat a, b;
	uint64_t hashes;

	if (access("/mnt/disk/hello", F_OK))
		SKIP(return, "no data disk");
	ASSERT_EQ(0, hg_copy("/mnt/disk/hello", "/mnt/disk/r1", false));
	ASSERT_EQ(0, hg_exec("/mnt/disk/r1", argv));
	ASSERT_EQ(0, stat("/mnt/disk/r1", &a));
	ASSERT_EQ(0, unlink("/mnt/disk/r1"));
	ASSERT_EQ(0, hg_copy("/mnt/disk/hello", "/mnt/disk/r2", true));
	ASSERT_EQ(0, stat("/mnt/disk/r2", &b));
	TH_LOG("inode %s reused (%lu, %lu)", a.st_ino == b.st_ino ? "was" : "was not",
	       (unsigned long)a.st_ino, (unsigned long)b.st_ino);
	hashes = hg_stat("hashes");
	hg_events(self->ev, EVBUF);
	EXPECT_VERDICT(hg_exec("/mnt/disk/r2", argv), 1000 + EACCES, 0,
		       HG_REASON_NOT_IN_ALLOWLIST);
	EXPECT_LT(hashes, hg_stat("hashes"));
	unlink("/mnt/disk/r2");
}

/* Scripts must be listed themselves when the admin asks. */
/*
 * A verdict belongs to the inode object, not to numbers a filesystem may
 * hand out again (btrfs subvolumes, FUSE): it goes when the inode goes.
 */
TEST_F(bp, verdict_dies_with_its_inode)
{
	char *const argv[] = { "/tmp/t/prog", NULL };
	uint64_t before;

	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/t/prog", false));
	/* Its loader and libraries are cached by this first run. */
	ASSERT_EQ(0, hg_exec(HELLO, hello_argv));
	before = hg_stat("cache_entries");
	ASSERT_EQ(0, hg_exec(argv[0], argv));
	ASSERT_EQ(before + 1, hg_stat("cache_entries"));
	/* tmpfs frees the inode at the last unlink: its entry must go too. */
	ASSERT_EQ(0, unlink("/tmp/t/prog"));
	EXPECT_EQ(before, hg_stat("cache_entries"));
}

TEST(require_scripts_checks_the_script_itself)
{
	char *const argv[] = { "s", NULL };

	ASSERT_EQ(0, hg_load("require_scripts=1"));
	ASSERT_EQ(0, hg_allow_all(303));
	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/t && printf '#!/bin/sh\\nexit 7\\n' > /tmp/t/ok.sh && "
			   "chmod 755 /tmp/t/ok.sh"));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/t/ok.sh", argv));
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, hg_sh("(cat /tmp/all.list; sha256sum /tmp/t/ok.sh) > /tmp/t/l && "
			   "hashgate load --serial 304 /tmp/t/l >/dev/null"));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(7, hg_exec("/tmp/t/ok.sh", argv));
	hg_set_mode("audit");
	hg_unload();
}

TEST_HARNESS_MAIN
