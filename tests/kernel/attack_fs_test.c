// SPDX-License-Identifier: GPL-2.0
/*
 * Where the bytes come from, and what the events say about it:
 *   - FUSE: the server answers hashgate's read and the page faults as it
 *     likes, so its files never run, whatever bytes it shows (untrusted-fs);
 *   - a tmpfs mounted inside an unprivileged user namespace: the same;
 *   - trusted_fs, the admin's list of network filesystems that may run;
 *   - overlayfs: a copy-up in the middle of the hash, and writes through
 *     the overlay to a file mapped executable;
 *   - event paths of a process under another root or mount namespace, and
 *     of a file whose path is longer than HG_PATH_MAX.
 * Attacks run as uid 65534, inside a user and mount namespace when they
 * need one. Nothing in here may pass when the attack was not made: a missed
 * race window is a failure, not a skip.
 */
#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "hg_test.h"
#include "fuse_server.h"
#include "kselftest_harness.h"

#define HELLO		"/tests/hello"
#define LIB		"/tests/libhgtest.so"
#define EVBUF		(1 << 20)
#define NOBODY		65534
#define AFS		"/tmp/afs"
#define O4		AFS "/o4"
#define O5		AFS "/o5"
#define C6		AFS "/c6"
#define HOOK(h)		(1u << (h))
#define EXEC_HOOKS	(HOOK(HG_HOOK_EXEC_OPEN) | HOOK(HG_HOOK_BPRM_CHECK))

/* ---- plumbing ---------------------------------------------------------- */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? errno : 0;
	close(fd);
	return n;
}

/*
 * In a forked child: become uid and gid 65534; with @userns, then the root
 * of a new user namespace (mapped onto 65534) owning a new mount namespace.
 * 0 or an errno.
 */
static int become_nobody(bool userns)
{
	int err;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return errno;
	/* Both are reset by the uid change. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Undumpable, /proc/self/{uid,gid}_map would belong to root. */
	prctl(PR_SET_DUMPABLE, 1);
	if (!userns)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return errno;
	err = write_str("/proc/self/setgroups", "deny");
	err = err ?: write_str("/proc/self/uid_map", "0 65534 1");
	err = err ?: write_str("/proc/self/gid_map", "0 65534 1");
	if (err)
		return err;
	/* Nothing mounted in here may show up outside. */
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	return 0;
}

/* What an attack process tells the test. */
struct report {
	int step;		/* the setup step that failed; 0: none did */
	int err;		/* its errno */
	int res[8];		/* the attack's results, per attack */
	char note[256];
};

typedef void (*attack_fn)(void *arg, struct report *r);

#define FAIL_STEP(r, s, e) do { (r)->step = (s); (r)->err = (e); return; } while (0)

/* Fork @fn(@arg); returns its pid, and the read end its report comes on. */
static pid_t attack_start(attack_fn fn, void *arg, int *rfd)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct report mine;

		memset(&mine, 0, sizeof(mine));
		close(pfd[0]);
		/* A test that stopped listening must not kill the attacker. */
		signal(SIGPIPE, SIG_IGN);
		fn(arg, &mine);
		if (write(pfd[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	*rfd = pfd[0];
	return pid;
}

/* Its report; 0 when it reported and exited normally, else -1. */
static int attack_finish(pid_t pid, int rfd, struct report *r)
{
	size_t got = 0;
	ssize_t n;
	int st;

	memset(r, 0, sizeof(*r));
	while (got < sizeof(*r)) {
		n = read(rfd, (char *)r + got, sizeof(*r) - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(rfd);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (got != sizeof(*r) || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

static int attack(attack_fn fn, void *arg, struct report *r, pid_t *pidp)
{
	int rfd;
	pid_t pid = attack_start(fn, arg, &rfd);

	if (pidp)
		*pidp = pid;
	if (pid < 0)
		return -1;
	return attack_finish(pid, rfd, r);
}

#define ASSERT_ATTACK(ret, r) do {						\
	ASSERT_EQ(0, (ret)) TH_LOG("the attack process died");		\
	ASSERT_EQ(0, (r)->step)							\
		TH_LOG("attack setup step %d failed: %s %s", (r)->step,	\
		       strerror((r)->err), (r)->note);				\
} while (0)

/*
 * fork + execv(@path) with its stdout in @out; the exit status, 1000 +
 * errno when execve failed, 500 + the signal that killed it.
 */
static int run_capture(const char *path, char *const argv[], char *out,
		       size_t size, pid_t *pidp)
{
	int data[2], errp[2], err = 0, st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(data, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(data[1], 1);
		dup2(null, 2);
		execv(path, argv);
		err = errno;
		if (write(errp[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	if (pidp)
		*pidp = pid;
	close(data[1]);
	close(errp[1]);
	while (got + 1 < size && (n = read(data[0], out + got, size - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	if (read(errp[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(data[0]);
	close(errp[0]);
	waitpid(pid, &st, 0);
	if (err)
		return 1000 + err;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 500 + WTERMSIG(st);
}

/* A whole file in memory, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st))
		buf = malloc(st.st_size);
	if (!buf) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Write @len bytes of @buf to a new file @name in @dirfd, mode 0755. */
static int put_file(int dirfd, const char *name, const void *buf, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, buf, len);
	n = n == (ssize_t)len ? 0 : (n < 0 ? errno : EIO);
	close(fd);
	return n;
}

/*
 * mmap(PROT_READ | PROT_EXEC) of @path: 0 or -errno. When mapped, *what
 * says which bytes the mapping shows: 1 @tampered, 2 @listed, 3 others.
 */
static int map_exec_shows(const char *path, size_t len, const void *listed,
			  const void *tampered, int *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	*what = 0;
	if (fd < 0)
		return -1000 - errno;
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	if (tampered && !memcmp(p, tampered, len))
		*what = 1;
	else if (!memcmp(p, listed, len))
		*what = 2;
	else
		*what = 3;
	munmap(p, len);
	return 0;
}

/* open(2) as 0 or -errno. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* What the check file says about @path, in @out. 0 or -errno. */
static int hg_check(const char *path, char *out, size_t size)
{
	int fd = open(HG_FS "/check", O_RDWR | O_CLOEXEC);
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return -errno;
	if (pwrite(fd, path, strlen(path), 0) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	n = pread(fd, out, size - 1, 0);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	out[n] = '\0';
	close(fd);
	return 0;
}

/* Exec events in @buf. With @pid, only that process's. */
static int exec_events(void *buf, ssize_t len, pid_t pid)
{
	struct hg_event *e;
	size_t off = 0;
	int n = 0;

	if (len < 0)	/* an unreadable stream is not "no events" */
		return -1;
	while ((e = hg_next_event(buf, len, &off)))
		n += e->type == HG_EVENT_EXEC && (!pid || e->pid == (uint32_t)pid);
	return n;
}

/* The first exec event in @buf (of @pid, when not 0), or NULL. */
static struct hg_event *first_exec_event(void *buf, ssize_t len, pid_t pid)
{
	struct hg_event *e;
	size_t off = 0;

	while ((e = hg_next_event(buf, len, &off)))
		if (e->type == HG_EVENT_EXEC && (!pid || e->pid == (uint32_t)pid))
			return e;
	return NULL;
}

/*
 * The events since the last drain: exactly @want exec events, each with
 * @reason, a hook in @hooks and the decision of the mode.
 */
static void expect_events(struct __test_metadata *_metadata, void *ev,
			  int want, int reason, unsigned int hooks,
			  bool enforce)
{
	ssize_t n = hg_events(ev, EVBUF);
	struct hg_event *e;
	size_t off = 0;
	int all = 0, match = 0;

	EXPECT_LE(0, n);
	while ((e = hg_next_event(ev, n, &off))) {
		if (e->type != HG_EVENT_EXEC)
			continue;
		all++;
		if (e->reason != reason) {
			TH_LOG("event with reason %u (hook %u, decision %u), want reason %d",
			       e->reason, e->hook, e->decision, reason);
			continue;
		}
		match++;
		EXPECT_TRUE(hooks & HOOK(e->hook)) TH_LOG("hook %u", e->hook);
		EXPECT_EQ(enforce ? HG_DECISION_DENY : HG_DECISION_WOULD_DENY,
			  e->decision);
	}
	EXPECT_EQ(want, match) TH_LOG("events with reason %d", reason);
	EXPECT_EQ(match, all) TH_LOG("events with another reason");
}

/*
 * As bypass_test's EXPECT_VERDICT: @got is what enforce must refuse with
 * @denied and audit allow with @allowed; audit logs exactly one event with
 * @reason, enforce at least one, and nothing with another reason.
 */
#define EXPECT_VERDICT(got, denied, allowed, _reason, _hooks) do {		\
	ssize_t __n;								\
	int __got = (got), __want = 0, __all = 0;				\
	struct hg_event *__e;							\
	size_t __off = 0;							\
	EXPECT_EQ(variant->enforce ? (denied) : (allowed), __got);		\
	__n = hg_events(self->ev, EVBUF);					\
	while ((__e = hg_next_event(self->ev, __n, &__off))) {		\
		if (__e->type != HG_EVENT_EXEC)					\
			continue;						\
		__all++;							\
		if (__e->reason == (_reason)) {					\
			__want++;						\
			EXPECT_TRUE((_hooks) & HOOK(__e->hook))			\
				TH_LOG("hook %u", __e->hook);			\
		}								\
	}									\
	if (variant->enforce) {							\
		EXPECT_LE(1, __want);						\
	} else {								\
		EXPECT_EQ(1, __want);						\
	}									\
	EXPECT_EQ(__want, __all) TH_LOG("events with another reason");	\
} while (0)

/* rm -rf of @name in @dirfd, however deep: names relative to open dirs. */
static void rm_tree_at(int dirfd, const char *name)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			rm_tree_at(fd, d->d_name);
	closedir(dir);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* ---- fixtures ----------------------------------------------------------- */

static void afs_setup(struct __test_metadata *_metadata, void **ev,
		      bool enforce)
{
	hg_sh("umount -l " O5 "/merged 2>/dev/null");
	rm_tree_at(AT_FDCWD, AFS);
	ASSERT_EQ(0, mkdir(AFS, 0755));
	/* 6.1 has both as modules; devtmpfs makes /dev/fuse 0600. */
	ASSERT_EQ(0, hg_sh("modprobe fuse 2>/dev/null; modprobe overlay 2>/dev/null; "
			   "chmod 666 /dev/fuse && grep -qw overlay /proc/filesystems"))
		TH_LOG("no /dev/fuse or no overlayfs in the guest");
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(400));
	*ev = malloc(EVBUF);
	ASSERT_NE(NULL, *ev);
	if (enforce)
		ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	ASSERT_EQ(0, hg_set_mode(enforce ? "enforce" : "audit"));
	hg_events(*ev, EVBUF);
}

static void afs_teardown(void *ev)
{
	hg_write("anon_exec", "audit", 5);
	hg_set_mode("audit");
	hg_unload();
	hg_sh("umount -l " O5 "/merged 2>/dev/null");
	rm_tree_at(AT_FDCWD, AFS);
	free(ev);
}

FIXTURE(fs) {
	void *ev;
};

FIXTURE_VARIANT(fs) {
	bool enforce;
};

FIXTURE_VARIANT_ADD(fs, enforce) {
	.enforce = true,
};

FIXTURE_VARIANT_ADD(fs, audit) {
	.enforce = false,
};

FIXTURE_SETUP(fs)
{
	afs_setup(_metadata, &self->ev, variant->enforce);
}

FIXTURE_TEARDOWN(fs)
{
	afs_teardown(self->ev);
}

/* Enforce only: races and event fields, where audit adds nothing. */
FIXTURE(fse) {
	void *ev;
};

FIXTURE_SETUP(fse)
{
	afs_setup(_metadata, &self->ev, true);
}

FIXTURE_TEARDOWN(fse)
{
	afs_teardown(self->ev);
}

/* ---- 1. FUSE ------------------------------------------------------------ */

/* /tests/hello, and the same program printing "HACKD" instead of "hello". */
struct hello_pair {
	char *listed, *tampered;
	size_t len;
};

static int hello_pair(struct hello_pair *h)
{
	char *at;

	h->listed = slurp(HELLO, &h->len);
	if (!h->listed)
		return -1;
	h->tampered = malloc(h->len);
	if (!h->tampered)
		return -1;
	memcpy(h->tampered, h->listed, h->len);
	at = memmem(h->tampered, h->len, "hello from", 10);
	if (!at)
		return -1;
	memcpy(at, "HACKD", 5);
	return 0;
}

struct fuse_attack {
	struct hello_pair *h;
	bool tamper;		/* listed bytes to the first reads only */
	bool exec, map;
	struct fsrv_shared *sh;
};

#define FUSE_DIR	AFS "/fuse"
#define FUSE_PROG	FUSE_DIR "/prog"

/* Which program printed @out: 1 the tampered one, 2 the listed one, 0 none. */
static int printed_by(const char *out)
{
	if (strstr(out, "HACKD from"))
		return 1;
	return strstr(out, "hello from") ? 2 : 0;
}

/*
 * res[0] exec status, res[1] whose output; res[2] mmap result, res[3]
 * which bytes it shows.
 */
static void fuse_attack(void *arg, struct report *r)
{
	struct fuse_attack *a = arg;
	struct fsrv s = {
		.name = "prog",
		.first = a->h->listed,
		.after = a->tamper ? a->h->tampered : NULL,
		.len = a->h->len,
		/* hashgate's read: the bytes, then end of file. */
		.n_first = a->tamper ? 2 : -1,
		/* Every read(2) and every mmap() asks the server again. */
		.direct_io = true,
		/*
		 * A file no earlier mount's verdict could be taken for: the
		 * same sb address, device number, inode and times come back
		 * after an unmount.
		 */
		.generation = getpid(),
		.sh = a->sh,
	};
	char out[256], *argv[] = { "prog", NULL };
	int err;

	err = become_nobody(true);
	if (err)
		FAIL_STEP(r, 1, err);
	err = fsrv_mount(&s, FUSE_DIR);
	if (err)
		FAIL_STEP(r, 2, -err);
	err = fsrv_start(&s);
	if (err) {
		fsrv_stop(&s, FUSE_DIR);
		FAIL_STEP(r, 3, -err);
	}
	if (a->exec) {
		r->res[0] = run_capture(FUSE_PROG, argv, out, sizeof(out), NULL);
		r->res[1] = printed_by(out);
	}
	if (a->map)
		r->res[2] = map_exec_shows(FUSE_PROG, a->h->len, a->h->listed,
					   a->h->tampered, &r->res[3]);
	fsrv_stop(&s, FUSE_DIR);
}

static void fuse_prepare(struct __test_metadata *_metadata,
			 struct hello_pair *h, struct fsrv_shared **sh)
{
	ASSERT_EQ(0, hello_pair(h));
	*sh = fsrv_shared_alloc();
	ASSERT_NE(NULL, *sh);
	ASSERT_EQ(0, mkdir(FUSE_DIR, 0755));
}

/* The listed bytes of /tests/hello, served by FUSE: never run. */
TEST_F_TIMEOUT(fs, fuse_exec_of_listed_bytes_is_untrusted, 120)
{
	struct fuse_attack a = { .exec = true };
	struct hello_pair h;
	struct report r;

	fuse_prepare(_metadata, &h, &a.sh);
	a.h = &h;
	ASSERT_ATTACK(attack(fuse_attack, &a, &r, NULL), &r);
	EXPECT_EQ(1, a.sh->inits) TH_LOG("the server never saw FUSE_INIT");
	EXPECT_EQ(0, a.sh->error) TH_LOG("a reply failed: %s", strerror(a.sh->error));
	if (variant->enforce) {
		EXPECT_EQ(1000 + EACCES, r.res[0])
			TH_LOG("exec of the FUSE file: %d (listed bytes, but a FUSE server's)",
			       r.res[0]);
	} else {
		EXPECT_EQ(0, r.res[0]);
		EXPECT_EQ(2, r.res[1]) TH_LOG("it did not run: %d", r.res[0]);
	}
	expect_events(_metadata, self->ev, 1, HG_REASON_UNTRUSTED_FS,
		      EXEC_HOOKS, variant->enforce);
}

TEST_F_TIMEOUT(fs, fuse_mmap_of_listed_bytes_is_untrusted, 120)
{
	struct fuse_attack a = { .map = true };
	struct hello_pair h;
	struct report r;

	fuse_prepare(_metadata, &h, &a.sh);
	a.h = &h;
	ASSERT_ATTACK(attack(fuse_attack, &a, &r, NULL), &r);
	EXPECT_EQ(1, a.sh->inits);
	EXPECT_EQ(variant->enforce ? -EACCES : 0, r.res[2]);
	if (!r.res[2])
		EXPECT_EQ(2, r.res[3]) TH_LOG("the mapping shows other bytes");
	expect_events(_metadata, self->ev, 1, HG_REASON_UNTRUSTED_FS,
		      HOOK(HG_HOOK_MMAP), variant->enforce);
}

/*
 * The attack that makes FUSE untrustable: hashgate's read gets the listed
 * bytes, the page faults after it get others. Enforce must never run or
 * map the tampered code.
 */
TEST_F_TIMEOUT(fs, fuse_server_switching_bytes_after_the_hash, 120)
{
	struct fuse_attack a = { .tamper = true, .exec = true };
	struct hello_pair h;
	struct report r;

	fuse_prepare(_metadata, &h, &a.sh);
	a.h = &h;

	ASSERT_ATTACK(attack(fuse_attack, &a, &r, NULL), &r);
	TH_LOG("exec: status %d, output from the %s program; %d READs, %d of them tampered",
	       r.res[0], r.res[1] == 1 ? "tampered" : r.res[1] == 2 ? "listed" : "no",
	       a.sh->reads, a.sh->reads_after);
	if (variant->enforce) {
		EXPECT_EQ(1000 + EACCES, r.res[0]);
		EXPECT_NE(1, r.res[1]) TH_LOG("the tampered code ran in enforce mode");
	} else {
		EXPECT_EQ(0, r.res[0]);
	}
	expect_events(_metadata, self->ev, 1, HG_REASON_UNTRUSTED_FS,
		      EXEC_HOOKS, variant->enforce);

	fsrv_shared_reset(a.sh);
	a.exec = false;
	a.map = true;
	ASSERT_ATTACK(attack(fuse_attack, &a, &r, NULL), &r);
	TH_LOG("mmap: %d, showing the %s bytes; %d READs, %d of them tampered",
	       r.res[2], r.res[3] == 1 ? "tampered" : r.res[3] == 2 ? "listed" : "no",
	       a.sh->reads, a.sh->reads_after);
	if (variant->enforce) {
		EXPECT_EQ(-EACCES, r.res[2]);
		EXPECT_NE(1, r.res[3]) TH_LOG("tampered code mapped executable in enforce mode");
	} else {
		EXPECT_EQ(0, r.res[2]);
	}
	expect_events(_metadata, self->ev, 1, HG_REASON_UNTRUSTED_FS,
		      HOOK(HG_HOOK_MMAP), variant->enforce);
}

/* ---- 2. a tmpfs of a user namespace -------------------------------------- */

#define USERNS_MNT	AFS "/mnt"

/* res[0] exec status, res[1] whose output, res[2] mmap, res[3] its bytes. */
static void userns_tmpfs_attack(void *arg, struct report *r)
{
	struct hello_pair *h = arg;
	char out[256], *argv[] = { "hello", NULL };
	int err, dir;

	err = become_nobody(true);
	if (err)
		FAIL_STEP(r, 1, err);
	if (mount("tmpfs", USERNS_MNT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"))
		FAIL_STEP(r, 2, errno);
	dir = open(USERNS_MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		FAIL_STEP(r, 3, errno);
	err = put_file(dir, "hello", h->listed, h->len);
	close(dir);
	if (err)
		FAIL_STEP(r, 4, err);
	r->res[0] = run_capture(USERNS_MNT "/hello", argv, out, sizeof(out), NULL);
	r->res[1] = printed_by(out);
	r->res[2] = map_exec_shows(USERNS_MNT "/hello", h->len, h->listed, NULL,
				   &r->res[3]);
	umount2(USERNS_MNT, MNT_DETACH);
}

TEST_F_TIMEOUT(fs, userns_tmpfs_copy_of_listed_program_is_untrusted, 120)
{
	struct hello_pair h;
	struct report r;

	ASSERT_EQ(0, hello_pair(&h));
	ASSERT_EQ(0, mkdir(USERNS_MNT, 0755));
	ASSERT_ATTACK(attack(userns_tmpfs_attack, &h, &r, NULL), &r);
	if (variant->enforce) {
		EXPECT_EQ(1000 + EACCES, r.res[0])
			TH_LOG("exec from the user namespace's tmpfs: %d", r.res[0]);
		EXPECT_EQ(-EACCES, r.res[2]);
	} else {
		EXPECT_EQ(0, r.res[0]);
		EXPECT_EQ(2, r.res[1]);
		EXPECT_EQ(0, r.res[2]);
	}
	/* The exec (one event for its hooks) and the mmap (another process). */
	expect_events(_metadata, self->ev, 2, HG_REASON_UNTRUSTED_FS,
		      EXEC_HOOKS | HOOK(HG_HOOK_MMAP), variant->enforce);
}

/* ---- 3. trusted_fs ------------------------------------------------------- */

FIXTURE(tfs) {
	char buf[256];
};

FIXTURE_SETUP(tfs)
{
	ASSERT_EQ(0, hg_load(""));
}

FIXTURE_TEARDOWN(tfs)
{
	hg_unload();
}

TEST_F(tfs, trusted_fs_takes_network_filesystems_only)
{
	ASSERT_EQ(0, hg_read_text("trusted_fs", self->buf, sizeof(self->buf)))
		TH_LOG("no readable " HG_FS "/trusted_fs");
	EXPECT_STREQ("\n", self->buf) TH_LOG("trusts nothing by default");
	EXPECT_EQ(0, hg_write("trusted_fs", "nfs 9p", 6));
	ASSERT_EQ(0, hg_read_text("trusted_fs", self->buf, sizeof(self->buf)));
	EXPECT_STREQ("nfs 9p\n", self->buf);
	/* FUSE can never be trusted; nor can a name nobody knows. */
	EXPECT_EQ(-EINVAL, hg_write("trusted_fs", "fuse", 4));
	EXPECT_EQ(-EINVAL, hg_write("trusted_fs", "bogus", 5));
	EXPECT_EQ(-EINVAL, hg_write("trusted_fs", "nfs4 fuse", 9));
	ASSERT_EQ(0, hg_read_text("trusted_fs", self->buf, sizeof(self->buf)));
	EXPECT_STREQ("nfs 9p\n", self->buf) TH_LOG("a refused write changed it");
}

/* res[0]: open for write, 0 or -errno; res[1]: the write, when it opened. */
static void trusted_fs_writer(void *arg, struct report *r)
{
	bool userns = arg;
	int err, fd;

	err = become_nobody(userns);
	if (err)
		FAIL_STEP(r, 1, err);
	fd = open(HG_FS "/trusted_fs", O_WRONLY);
	r->res[0] = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		r->res[1] = write(fd, "nfs", 3) < 0 ? -errno : 0;
		close(fd);
	}
}

TEST_F(tfs, unprivileged_user_cannot_change_trusted_fs)
{
	struct report r;
	int i;

	ASSERT_EQ(0, hg_read_text("trusted_fs", self->buf, sizeof(self->buf)))
		TH_LOG("no readable " HG_FS "/trusted_fs");
	/* As nobody, then as root of its own user namespace. */
	for (i = 0; i < 2; i++) {
		ASSERT_ATTACK(attack(trusted_fs_writer, i ? "userns" : NULL, &r,
				     NULL), &r);
		if (r.res[0] == 0) {
			EXPECT_EQ(-EPERM, r.res[1]) TH_LOG("write as nobody%s",
							   i ? " in a userns" : "");
		} else {
			EXPECT_TRUE(r.res[0] == -EACCES || r.res[0] == -EPERM)
				TH_LOG("open as nobody%s: %s", i ? " in a userns" : "",
				       strerror(-r.res[0]));
		}
	}
	ASSERT_EQ(0, hg_read_text("trusted_fs", self->buf, sizeof(self->buf)));
	EXPECT_STREQ("\n", self->buf);
}

/* ---- 4. overlayfs copy-up in the middle of the hash ---------------------- */

#define BIG_MB		64
#define TAIL		4096		/* the bytes the copy-up rewrites */
#define HASH_STARTED	(1 << 20)	/* bytes hashed before the copy-up */
#define IN_FLIGHT	(256 << 10)	/* hashed, or being, when counted */

/* Mount an overlay of @base/{lower,upper,work} on @base/merged. */
static int mount_overlay(const char *base, char *used, size_t size)
{
	static const char *const extra[] = { "", ",userxattr" };
	char opts[512];
	int err = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		char merged[256];

		snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/upper,"
			 "workdir=%s/work%s", base, base, base, extra[i]);
		snprintf(merged, sizeof(merged), "%s/merged", base);
		if (!mount("overlay", merged, "overlay", 0, opts)) {
			size_t len = strlen(opts) < size ? strlen(opts) : size - 1;

			memcpy(used, opts, len);
			used[len] = '\0';
			return 0;
		}
		err = errno;
	}
	return err;
}

/* 1: the last TAIL bytes are zeros (the listed program's); 2: all 'X'. */
static int tail_kind(const char *p)
{
	int i, zeros = 0, xs = 0;

	for (i = 0; i < TAIL; i++) {
		zeros += p[i] == 0;
		xs += p[i] == 'X';
	}
	return zeros == TAIL ? 1 : xs == TAIL ? 2 : 3;
}

struct ovl_race {
	bool lower_listed;	/* else the upper gets the listed bytes */
	off_t size;
	int ready[2];		/* attacker -> test: mounted and opened */
	int go_map[2];		/* test -> attacker */
	int go_write[2];	/* test -> writer */
	int wrote[2];		/* writer -> test: its errno */
};

/* res[0]/res[1]: the racing mmap and its tail; res[2]/res[3]: one after. */
static void ovl_race_attack(void *arg, struct report *r)
{
	struct ovl_race *o = arg;
	const char *big = O4 "/merged/big";
	pid_t writer;
	void *m;
	char c;
	int err, fd;

	close(o->ready[0]);
	close(o->go_map[1]);
	close(o->go_write[1]);
	close(o->wrote[0]);
	err = become_nobody(true);
	if (err)
		FAIL_STEP(r, 1, err);
	err = mount_overlay(O4, r->note, sizeof(r->note));
	if (err)
		FAIL_STEP(r, 2, err);
	writer = fork();
	if (writer == 0) {
		char tail[TAIL];
		int wfd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The listed tail is zeros; anything else is unlisted. */
		memset(tail, o->lower_listed ? 'X' : 0, TAIL);
		if (read(o->go_write[0], &c, 1) != 1)
			_exit(1);
		err = 0;
		/* The open for write copies the file up... */
		wfd = open(big, O_WRONLY);
		if (wfd < 0)
			err = errno;
		/* ...and the write changes the upper copy only. */
		else if (pwrite(wfd, tail, TAIL, o->size - TAIL) != TAIL)
			err = errno ?: EIO;
		if (wfd >= 0)
			close(wfd);
		if (write(o->wrote[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		_exit(0);
	}
	close(o->go_write[0]);
	close(o->wrote[1]);
	/* Opened before the copy-up: the lower file's bytes. */
	fd = open(big, O_RDONLY);
	if (fd < 0)
		FAIL_STEP(r, 3, errno);
	if (write(o->ready[1], "r", 1) != 1 || read(o->go_map[0], &c, 1) != 1)
		FAIL_STEP(r, 4, errno);
	m = mmap(NULL, o->size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	r->res[0] = m == MAP_FAILED ? -errno : 0;
	/* The map is decided: the test stops waiting for the hash. */
	if (write(o->ready[1], "d", 1) != 1)
		r->res[4] = errno;
	if (m != MAP_FAILED) {
		r->res[1] = tail_kind((char *)m + o->size - TAIL);
		munmap(m, o->size);
	}
	close(fd);
	waitpid(writer, NULL, 0);

	/* A fresh open: the upper file now. */
	fd = open(big, O_RDONLY);
	if (fd < 0)
		FAIL_STEP(r, 5, errno);
	m = mmap(NULL, o->size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	r->res[2] = m == MAP_FAILED ? -errno : 0;
	if (m != MAP_FAILED) {
		r->res[3] = tail_kind((char *)m + o->size - TAIL);
		munmap(m, o->size);
	}
	close(fd);
	umount2(O4 "/merged", MNT_DETACH);
}

/* Wait up to @ms for a byte (or an int) on @fd; bytes read, or -1. */
static ssize_t read_within(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return read(fd, buf, len);
}

/* Wait up to @ms for the attacker's byte on @ready; false if it reported first. */
static bool ready_or_done(int ready, int rfd, int ms)
{
	struct pollfd p[2] = {
		{ .fd = ready, .events = POLLIN },
		{ .fd = rfd, .events = POLLIN },
	};
	char c;

	if (poll(p, 2, ms) < 1 || !(p[0].revents & POLLIN))
		return false;
	return read(ready, &c, 1) == 1;
}

/*
 * A big listed program in the lower layer of an overlay the attacker
 * mounted: /tests/hello and 64 MiB of zeros, a hole, so that hashing it
 * takes long and copying it up does not (the copy-up skips holes). The
 * attacker maps it executable through the overlay, and once
 * hashgate has hashed the first MiB the attacker opens it for write (the
 * copy-up) and rewrites its tail in the upper layer. hashgate's private
 * instance of the overlay file switches to the upper file at its next read,
 * so the bytes hashed are part lower, part upper.
 *
 * @lower_listed: the lower file is the listed program and the upper gets
 * an unlisted tail. Otherwise the lower file is the unlisted one and the
 * upper gets the listed tail: hashed bytes listed, mapped bytes (the lower
 * file, which the attacker's fd still reads) not.
 */
static void overlay_race(struct __test_metadata *_metadata, void *ev,
			 bool lower_listed)
{
	struct ovl_race o = { .lower_listed = lower_listed };
	uint64_t base, at_copy_up = 0, at_done = 0;
	char *const argv[] = { "big", NULL };
	char out[256], hex[65];
	struct hg_event *e;
	struct report r;
	struct stat st;
	int rfd, ret, werr = -1;
	pid_t pid;
	ssize_t n;

	ASSERT_EQ(0, hg_sh("mkdir -p " O4 "/lower " O4 "/upper " O4 "/work " O4 "/merged && "
			   "cp " HELLO " " O4 "/lower/big && "
			   "chown %d:%d " O4 "/upper " O4 "/work " O4 "/merged " O4 "/lower/big",
			   NOBODY, NOBODY));
	ASSERT_EQ(0, stat(O4 "/lower/big", &st));
	o.size = st.st_size + ((off_t)BIG_MB << 20);
	ASSERT_EQ(0, truncate(O4 "/lower/big", o.size));
	/*
	 * List it (hashed by the kernel: the check file gives the digest; the
	 * verdict it keeps is for the list before, so the race hashes again).
	 */
	ASSERT_EQ(0, hg_check(O4 "/lower/big", out, sizeof(out)));
	n = sscanf(out, "%*s %*s sha256:%64s", hex);
	ASSERT_EQ(1, n) TH_LOG("check: %s", out);
	ASSERT_EQ(0, hg_sh("(cat /tmp/all.list; echo '%s  /tmp/listed-big') > " AFS "/l && "
			   "hashgate load --serial 401 " AFS "/l >/dev/null", hex));
	if (!lower_listed) {
		/* The lower file: the listed program with another tail. */
		char x[TAIL];
		int fd = open(O4 "/lower/big", O_WRONLY);

		ASSERT_LE(0, fd);
		memset(x, 'X', TAIL);
		ASSERT_EQ(TAIL, pwrite(fd, x, TAIL, o.size - TAIL));
		close(fd);
	}
	ASSERT_EQ(0, pipe2(o.ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(o.go_map, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(o.go_write, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(o.wrote, O_CLOEXEC));
	hg_events(ev, EVBUF);

	pid = attack_start(ovl_race_attack, &o, &rfd);
	ASSERT_LT(0, pid);
	close(o.ready[1]);
	close(o.go_map[0]);
	close(o.go_write[0]);
	close(o.wrote[1]);
	if (ready_or_done(o.ready[0], rfd, 60000)) {
		base = hg_stat("bytes_hashed");
		if (write(o.go_map[1], "m", 1) == 1) {
			/* Poll the hash's progress; stop once the map is decided. */
			struct pollfd p = { .fd = o.ready[0], .events = POLLIN };
			time_t end = time(NULL) + 120;

			while (time(NULL) < end) {
				at_copy_up = hg_stat("bytes_hashed") - base;
				if (at_copy_up >= HASH_STARTED || poll(&p, 1, 1) == 1)
					break;
			}
			if (at_copy_up >= HASH_STARTED && at_copy_up < (uint64_t)o.size &&
			    write(o.go_write[1], "w", 1) == 1 &&
			    read_within(o.wrote[0], &werr, sizeof(werr), 120000) ==
			    sizeof(werr))
				at_done = hg_stat("bytes_hashed") - base;
		}
	}
	close(o.go_map[1]);
	close(o.go_write[1]);
	ret = attack_finish(pid, rfd, &r);
	close(o.ready[0]);
	close(o.wrote[0]);
	ASSERT_ATTACK(ret, &r);
	TH_LOG("overlay %s; hashed %llu of %lld bytes when the copy-up began, "
	       "%llu when the write was done",
	       r.note, (unsigned long long)at_copy_up, (long long)o.size,
	       (unsigned long long)at_done);
	ASSERT_TRUE(at_copy_up >= HASH_STARTED && at_copy_up < (uint64_t)o.size)
		TH_LOG("the copy-up did not land inside the hash window: no hash in progress");
	ASSERT_EQ(0, werr)
		TH_LOG("the copy-up write: %s", werr > 0 ? strerror(werr) : "not made");
	ASSERT_TRUE(at_done && at_done + IN_FLIGHT <= (uint64_t)(o.size - TAIL))
		TH_LOG("the copy-up did not land inside the hash window: "
		       "the hash was past the tail");

	n = hg_events(ev, EVBUF);
	e = first_exec_event(ev, n, pid);
	/* The racing map: refused as changed while hashed, or maps listed bytes. */
	if (r.res[0]) {
		EXPECT_EQ(-EACCES, r.res[0]);
		ASSERT_NE(NULL, e) TH_LOG("a refusal without an event");
		EXPECT_EQ(HG_REASON_OPEN_WRITERS, e->reason)
			TH_LOG("refused with reason %u: the bytes hashed were not one file's",
			       e->reason);
		EXPECT_EQ(HG_HOOK_MMAP, e->hook);
	} else {
		EXPECT_EQ(1, r.res[1])
			TH_LOG("unlisted bytes (the lower file's) mapped executable");
	}
	/* The upper file, mapped afresh, by its own bytes. */
	if (lower_listed) {
		EXPECT_EQ(-EACCES, r.res[2]) TH_LOG("the tampered upper file mapped");
	} else {
		EXPECT_EQ(0, r.res[2]);
		EXPECT_EQ(1, r.res[3]);
	}

	/* No verdict was kept for the lower file from bytes not its own. */
	ASSERT_EQ(0, hg_check(O4 "/lower/big", out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, lower_listed ? "allow" : "deny", 4))
		TH_LOG("the lower file after the race: %s", out);
	EXPECT_EQ(lower_listed ? 0 : 1000 + EACCES, hg_exec(O4 "/lower/big", argv))
		TH_LOG("exec of the lower file after the race");
	hg_sh("rm -rf " O4);
}

TEST_F_TIMEOUT(fse, overlay_copy_up_mid_hash_does_not_vouch_for_the_lower_file, 400)
{
	overlay_race(_metadata, self->ev, false);
}

TEST_F_TIMEOUT(fse, overlay_copy_up_mid_hash_is_never_cached_for_either_file, 400)
{
	overlay_race(_metadata, self->ev, true);
}

/*
 * Deterministic, no race: a file opened through the overlay before its
 * copy-up keeps reading (and mapping) the lower file, while the path
 * leads to the upper one. Mapping that stale file must judge the bytes it
 * maps: the unlisted lower file, not the listed upper one.
 */
static void ovl_stale_attack(void *arg, struct report *r)
{
	struct hello_pair *h = arg;
	const char *prog = O4 "/merged/prog";
	void *m;
	int err, fd, wfd;

	err = become_nobody(true);
	if (err)
		FAIL_STEP(r, 1, err);
	err = mount_overlay(O4, r->note, sizeof(r->note));
	if (err)
		FAIL_STEP(r, 2, err);
	fd = open(prog, O_RDONLY);
	if (fd < 0)
		FAIL_STEP(r, 3, errno);
	/* Copy up, and make the upper file the listed program. */
	wfd = open(prog, O_WRONLY);
	if (wfd < 0)
		FAIL_STEP(r, 4, errno);
	if (pwrite(wfd, h->listed, h->len, 0) != (ssize_t)h->len)
		FAIL_STEP(r, 5, errno);
	close(wfd);
	m = mmap(NULL, h->len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	r->res[0] = m == MAP_FAILED ? -errno : 0;
	if (m != MAP_FAILED) {
		r->res[1] = !memcmp(m, h->listed, h->len) ? 2 :
			    !memcmp(m, h->tampered, h->len) ? 1 : 3;
		munmap(m, h->len);
	}
	close(fd);
	umount2(O4 "/merged", MNT_DETACH);
}

TEST_F_TIMEOUT(fse, overlay_fd_opened_before_copy_up_is_judged_by_what_it_maps, 120)
{
	struct hello_pair h;
	struct report r;
	int dir;

	ASSERT_EQ(0, hello_pair(&h));
	ASSERT_EQ(0, hg_sh("mkdir -p " O4 "/lower " O4 "/upper " O4 "/work " O4 "/merged && "
			   "chown %d:%d " O4 "/upper " O4 "/work " O4 "/merged",
			   NOBODY, NOBODY));
	dir = open(O4 "/lower", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dir);
	/* The lower file: same size, other code, not listed. */
	ASSERT_EQ(0, put_file(dir, "prog", h.tampered, h.len));
	ASSERT_EQ(0, fchownat(dir, "prog", NOBODY, NOBODY, 0));
	close(dir);
	ASSERT_ATTACK(attack(ovl_stale_attack, &h, &r, NULL), &r);
	TH_LOG("overlay %s; mmap %d showing the %s bytes", r.note, r.res[0],
	       r.res[1] == 1 ? "unlisted lower" : r.res[1] == 2 ? "listed upper" : "no");
	if (r.res[0] == 0) {
		EXPECT_EQ(2, r.res[1]) TH_LOG("the unlisted lower file was mapped executable");
		return;
	}
	EXPECT_EQ(-EACCES, r.res[0]);
}

/* ---- 5. writes through an overlay to a file mapped executable ------------ */

TEST_F_TIMEOUT(fs, overlay_write_and_truncate_of_exec_mapped_file, 120)
{
	const char *lib = O5 "/merged/lib.so";
	struct stat before, after;
	void *p;
	int fd;

	ASSERT_EQ(0, hg_sh("mkdir -p " O5 "/lower " O5 "/upper " O5 "/work " O5 "/merged && "
			   "mount -t overlay -o lowerdir=" O5 "/lower,upperdir=" O5
			   "/upper,workdir=" O5 "/work overlay " O5 "/merged"));
	/* Made through the overlay: the file lives in the upper layer. */
	ASSERT_EQ(0, hg_copy(LIB, lib, false));
	fd = open(lib, O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	ASSERT_EQ(0, stat(lib, &before));
	hg_events(self->ev, EVBUF);

	EXPECT_VERDICT(try_open(lib, O_WRONLY), -ETXTBSY, 0, HG_REASON_EXEC_MAPPED,
		       HOOK(HG_HOOK_WRITE_OPEN));
	EXPECT_VERDICT(truncate(lib, 4096) ? -errno : 0, -ETXTBSY, 0,
		       HG_REASON_EXEC_MAPPED, HOOK(HG_HOOK_TRUNCATE));
	EXPECT_VERDICT(try_open(lib, O_RDONLY | O_TRUNC), -ETXTBSY, 0,
		       HG_REASON_EXEC_MAPPED, HOOK(HG_HOOK_TRUNCATE));
	if (variant->enforce) {
		ASSERT_EQ(0, stat(lib, &after));
		EXPECT_EQ(before.st_size, after.st_size) TH_LOG("the mapped file changed");
	}
	munmap(p, 4096);
	umount(O5 "/merged");
}

/* ---- 6. event paths from another root ----------------------------------- */

#define DMESG		"/usr/bin/dmesg"

struct chroot_attack {
	bool userns, chroot;
};

/* res[0] exec status, res[1] the pid that tried. */
static void chroot_attack(void *arg, struct report *r)
{
	struct chroot_attack *a = arg;
	char out[64], *argv[] = { "true", NULL };
	pid_t pid = 0;
	int err;

	err = become_nobody(a->userns);
	if (err)
		FAIL_STEP(r, 1, err);
	/* Root of its user namespace: CAP_SYS_CHROOT there. */
	if (a->chroot && (chroot(C6) || chdir("/")))
		FAIL_STEP(r, 2, errno);
	r->res[0] = run_capture(a->chroot ? DMESG : C6 DMESG, argv, out,
				sizeof(out), &pid);
	r->res[1] = pid;
}

/* The one exec event of @pid: its path must be @path; its FOREIGN_ROOT flag @foreign. */
static void expect_event_path(struct __test_metadata *_metadata, void *ev,
			      pid_t pid, const char *path, bool foreign,
			      uint32_t uid)
{
	ssize_t n = hg_events(ev, EVBUF);
	struct hg_event *e = first_exec_event(ev, n, pid);

	EXPECT_EQ(1, exec_events(ev, n, 0));
	ASSERT_NE(NULL, e) TH_LOG("no event for pid %d", pid);
	EXPECT_EQ(HG_REASON_NOT_IN_ALLOWLIST, e->reason);
	EXPECT_EQ(uid, e->uid);
	EXPECT_EQ(strlen(path), e->path_len)
		TH_LOG("event path \"%.*s\", want \"%s\"", e->path_len,
		       hg_event_path(e), path);
	if (e->path_len == strlen(path))
		EXPECT_EQ(0, memcmp(path, hg_event_path(e), e->path_len))
			TH_LOG("event path \"%.*s\", want \"%s\"", e->path_len,
			       hg_event_path(e), path);
	EXPECT_EQ(foreign, !!(e->flags & HG_EVENT_F_FOREIGN_ROOT))
		TH_LOG("flags %#x", e->flags);
}

TEST_F_TIMEOUT(fse, event_paths_are_from_the_initial_root, 120)
{
	struct chroot_attack a = { .userns = true, .chroot = true };
	char *const argv[] = { "true", NULL };
	struct report r;

	/* An unlisted program where a chroot's /usr/bin/dmesg would be. */
	ASSERT_EQ(0, hg_sh("mkdir -p " C6 "/usr/bin"));
	ASSERT_EQ(0, hg_copy("/bin/busybox", C6 DMESG, true));

	/* Chrooted in a user and mount namespace. */
	ASSERT_ATTACK(attack(chroot_attack, &a, &r, NULL), &r);
	EXPECT_EQ(1000 + EACCES, r.res[0]);
	expect_event_path(_metadata, self->ev, r.res[1], C6 DMESG, true, NOBODY);

	/* Another mount namespace, same root directory. */
	a.chroot = false;
	ASSERT_ATTACK(attack(chroot_attack, &a, &r, NULL), &r);
	EXPECT_EQ(1000 + EACCES, r.res[0]);
	expect_event_path(_metadata, self->ev, r.res[1], C6 DMESG, true, NOBODY);

	/* The initial namespaces and root: not foreign. */
	a.userns = false;
	ASSERT_ATTACK(attack(chroot_attack, &a, &r, NULL), &r);
	EXPECT_EQ(1000 + EACCES, r.res[0]);
	expect_event_path(_metadata, self->ev, r.res[1], C6 DMESG, false, NOBODY);
	EXPECT_EQ(1000 + EACCES, hg_exec(C6 DMESG, argv));
	expect_event_path(_metadata, self->ev, 0, C6 DMESG, false, 0);
}

/* ---- 7. a path longer than HG_PATH_MAX ----------------------------------- */

#define DEPTH		20
#define NAME_LEN	250
#define LONG_PROG	"longprog"

/* res[0] exec status. */
static void deep_exec(void *arg, struct report *r)
{
	char out[64], *argv[] = { LONG_PROG, NULL };
	int err;

	if (fchdir(*(int *)arg))
		FAIL_STEP(r, 1, errno);
	err = become_nobody(false);
	if (err)
		FAIL_STEP(r, 2, err);
	r->res[0] = run_capture("./" LONG_PROG, argv, out, sizeof(out), NULL);
}

TEST_F_TIMEOUT(fse, denial_with_a_path_longer_than_hg_path_max, 120)
{
	static char full[DEPTH * (NAME_LEN + 1) + 64];
	char name[NAME_LEN + 1];
	int fds[DEPTH + 1], i;
	struct hello_pair h;
	struct hg_event *e;
	struct report r;
	size_t plen;
	ssize_t n;

	ASSERT_EQ(0, hello_pair(&h));
	memset(name, 'd', NAME_LEN);
	name[NAME_LEN] = '\0';
	ASSERT_EQ(0, mkdir(AFS "/long", 0755));
	fds[0] = open(AFS "/long", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fds[0]);
	strcpy(full, AFS "/long");
	for (i = 1; i <= DEPTH; i++) {
		ASSERT_EQ(0, mkdirat(fds[i - 1], name, 0755));
		fds[i] = openat(fds[i - 1], name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		strcat(full, "/");
		strcat(full, name);
	}
	strcat(full, "/" LONG_PROG);
	plen = strlen(full);
	ASSERT_LT(HG_PATH_MAX, plen);
	/* Not listed: the tampered program. */
	ASSERT_EQ(0, put_file(fds[DEPTH], LONG_PROG, h.tampered, h.len));
	hg_events(self->ev, EVBUF);

	ASSERT_ATTACK(attack(deep_exec, &fds[DEPTH], &r, NULL), &r);
	EXPECT_EQ(1000 + EACCES, r.res[0]);
	n = hg_events(self->ev, EVBUF);
	EXPECT_EQ(1, exec_events(self->ev, n, 0));
	e = first_exec_event(self->ev, n, 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(HG_REASON_NOT_IN_ALLOWLIST, e->reason);
	EXPECT_NE(0, e->path_len) TH_LOG("no path at all");
	EXPECT_GE(HG_PATH_MAX, e->path_len);
	EXPECT_TRUE(e->flags & HG_EVENT_F_PATH_TRUNCATED) TH_LOG("flags %#x", e->flags);
	if (e->path_len && e->path_len <= plen) {
		/* The last bytes of the real path: its name at the end. */
		EXPECT_EQ(0, memcmp(full + plen - e->path_len, hg_event_path(e),
				    e->path_len))
			TH_LOG("not the end of the path: \"%.40s...\"", hg_event_path(e));
	}

	unlinkat(fds[DEPTH], LONG_PROG, 0);
	for (i = DEPTH; i >= 1; i--) {
		close(fds[i]);
		unlinkat(fds[i - 1], name, AT_REMOVEDIR);
	}
	close(fds[0]);
}

TEST_HARNESS_MAIN
