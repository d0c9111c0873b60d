// SPDX-License-Identifier: GPL-2.0
/*
 * Executable memory that is no verified file's bytes, made by an
 * unprivileged user (uid 65534) while hashgate enforces: SysV shm, shared
 * anonymous memory, memfds whose seal does not hold, forced writes
 * (/proc/PID/mem, ptrace), READ_IMPLIES_EXEC and executable stacks,
 * userfaultfd fills.
 *
 * Every one of them is anonymous executable memory and follows anon_exec,
 * one fixture variant per value, the mode always enforce:
 *   deny   the attempt is refused and at least one event is logged;
 *   audit  it succeeds and exactly one event is logged;
 *   allow  it succeeds and nothing is logged.
 * Each attack runs in a child of its own (audit reports once per process)
 * that reports what happened through struct outcome.
 */
#include <elf.h>
#include <grp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif

#define NOBODY		65534
#define PAGE		4096
#define EVBUF		(1 << 20)
#define HELLO		"/tests/hello"
/* Same bytes as HELLO, on tmpfs: listed by digest. */
#define LISTED		"/tmp/t/hello"
/* A page of int3: the attacker's code. */
#define PAYLOAD		"/tmp/t/payload"
#define PROBE_DIR	"/tmp/t/xs"
#define PROBE		PROBE_DIR "/probe"
#define STACK_EXEC	42	/* the probe ran with an executable stack */
#define STACK_NOEXEC	43	/* it ran, but its stack was not executable */

/* What an attack child reports; lives in memory shared with the parent. */
struct outcome {
	int ret;		/* the attempt: 0 or -errno */
	bool changed;		/* the executable bytes are no longer the file's */
	bool exec_heap;		/* [heap] is executable */
	bool pinned_write;	/* io_uring wrote into the sealed memfd */
	char setup[200];	/* why the attack could not even be tried */
};

/* The attack could not be set up: a failure of the test, not a verdict. */
#define SETUP_FAIL(o, what) do {						\
	snprintf((o)->setup, sizeof((o)->setup), "line %d: %s: %s",		\
		 __LINE__, (what), strerror(errno));				\
	_exit(2);								\
} while (0)

typedef void (*attack_fn)(struct outcome *o, const void *arg);

/*
 * Run @attack in a child that dropped to nobody, dumpable again (setuid
 * cleared it) so that /proc/self/mem and ptrace work as for any user.
 * Returns the child's exit status, 500 + signal when it was killed.
 */
static int as_nobody(attack_fn attack, const void *arg, struct outcome *o)
{
	pid_t pid;
	int st;

	memset(o, 0, sizeof(*o));
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
		    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			SETUP_FAIL(o, "drop to nobody");
		attack(o, arg);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 500 + WTERMSIG(st);
}

/* Events */

static const char *const hook_names[__HG_HOOK_MAX] = {
	"none", "bprm_check", "exec_open", "mmap", "mprotect", "write_open",
	"truncate", "forced_write", "uffd_fill", "personality", "exec_stack",
	"write_map",
};

static const char *const reason_names[__HG_REASON_MAX] = {
	"none", "not-in-allowlist", "hash-mismatch", "open-writers",
	"unreadable", "memfd", "anon-exec", "no-allowlist", "unverified",
	"exec-mapped", "malformed", "bad-signature", "unknown-key", "unsigned",
	"rollback", "untrusted-fs", "remote-fs", "pinned",
};

static void show_event(const struct hg_event *e)
{
	fprintf(stderr, "#   unexpected event: hook %s reason %s decision %u uid %u path '%.*s'\n",
		e->hook < __HG_HOOK_MAX ? hook_names[e->hook] : "?",
		e->reason < __HG_REASON_MAX ? reason_names[e->reason] : "?",
		e->decision, e->uid, e->path_len, hg_event_path(e));
}

struct tally {
	int match;	/* the expected event */
	int other;	/* any other exec event (shown on stderr) */
};

/*
 * Drain the exec events and count those from nobody with @reason and @hook
 * and the decision of @anon; anonymous memory has no path. Reason -1
 * matches nothing: every event is then an other.
 */
static struct tally drain(void *buf, int reason, int hook, int anon)
{
	int decision = anon == HG_ANON_DENY ? HG_DECISION_DENY :
					      HG_DECISION_WOULD_DENY;
	bool pathless = reason == HG_REASON_ANON_EXEC &&
			hook != HG_HOOK_EXEC_STACK;
	ssize_t len = hg_events(buf, EVBUF);
	struct tally t = { 0 };
	struct hg_event *e;
	size_t off = 0;

	if (len < 0)	/* an unreadable stream is not "no events" */
		t.other++;
	while ((e = hg_next_event(buf, len, &off))) {
		if (e->type != HG_EVENT_EXEC)
			continue;
		if (e->reason == reason && e->hook == hook &&
		    e->decision == decision && e->uid == NOBODY &&
		    (!pathless || e->path_len == 0)) {
			t.match++;
		} else {
			t.other++;
			show_event(e);
		}
	}
	return t;
}

/* deny: at least one event; audit: exactly one; allow: none. No others. */
#define EXPECT_EVENTS(reason, hook) do {					\
	struct tally __t = drain(self->ev, (reason), (hook), variant->anon);	\
	if (variant->anon == HG_ANON_DENY) {					\
		EXPECT_LE(1, __t.match);					\
	} else if (variant->anon == HG_ANON_AUDIT) {				\
		EXPECT_EQ(1, __t.match);					\
	} else {								\
		EXPECT_EQ(0, __t.match);					\
	}									\
	EXPECT_EQ(0, __t.other) TH_LOG("other events, listed above");		\
} while (0)

/* @got is @denied under deny and @allowed otherwise; the events agree. */
#define EXPECT_POLICY(got, denied, allowed, reason, hook) do {			\
	int __got = (got);							\
	if (variant->anon == HG_ANON_DENY) {					\
		EXPECT_EQ((denied), __got);					\
	} else {								\
		EXPECT_EQ((allowed), __got);					\
	}									\
	EXPECT_EVENTS(reason, hook);						\
} while (0)

/* Run the attack as nobody; it must have been tried. */
#define ATTACK(fn, arg) do {							\
	ASSERT_EQ(0, as_nobody((fn), (arg), self->o))				\
		TH_LOG("attack not tried: %s", self->o->setup);		\
} while (0)

#define DENIED (variant->anon == HG_ANON_DENY)

/* Files and mappings */

/* Up to @size bytes of @path from @off; the count, or -1. */
static ssize_t read_at(const char *path, void *buf, size_t size, off_t off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, size, off);
	close(fd);
	return n;
}

static int write_file(const char *path, const void *buf, size_t len,
		      mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * Is a mapping named @name ("[heap]", "[stack]") executable? Read with
 * plain syscalls: after READ_IMPLIES_EXEC every allocation by mmap would be
 * executable memory of its own.
 */
static bool mapping_executable(const char *name)
{
	static char maps[1 << 16];
	size_t len = strlen(name), n = 0;
	char *line, *end;
	ssize_t r;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (n < sizeof(maps) - 1 &&
	       (r = read(fd, maps + n, sizeof(maps) - 1 - n)) > 0)
		n += r;
	close(fd);
	maps[n] = '\0';
	for (line = maps; *line; line = end + 1) {
		char *perms = strchr(line, ' ');

		end = strchrnul(line, '\n');
		if (end - line > (ptrdiff_t)len && perms &&
		    !strncmp(end - len, name, len) && perms[3] == 'x')
			return true;
		if (!*end)
			break;
	}
	return false;
}

/* A memfd holding @src's bytes, sealed with @seals (0: none). */
static int memfd_with(const char *src, unsigned int seals)
{
	char buf[65536];
	int in, fd;
	ssize_t n;

	fd = memfd_create("payload", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	in = open(src, O_RDONLY | O_CLOEXEC);
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

/* mmap(2) as 0 or -errno, unmapping at once on success. */
static int try_map(int fd, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

FIXTURE(am) {
	void *ev;
	struct outcome *o;
};

FIXTURE_VARIANT(am) {
	int anon;		/* enum hg_anon_policy */
	const char *name;	/* as written to anon_exec */
};

FIXTURE_VARIANT_ADD(am, deny) {
	.anon = HG_ANON_DENY,
	.name = "deny",
};

FIXTURE_VARIANT_ADD(am, audit) {
	.anon = HG_ANON_AUDIT,
	.name = "audit",
};

FIXTURE_VARIANT_ADD(am, allow) {
	.anon = HG_ANON_ALLOW,
	.name = "allow",
};

FIXTURE_SETUP(am)
{
	char int3[PAGE];

	/* Children run as nobody: everything they use must be readable. */
	ASSERT_EQ(0, hg_sh("rm -rf /tmp/t && mkdir -p /tmp/t && chmod 755 /tmp/t"));
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(400));
	ASSERT_EQ(0, hg_copy(HELLO, LISTED, false));
	memset(int3, 0xcc, sizeof(int3));
	ASSERT_EQ(0, write_file(PAYLOAD, int3, sizeof(int3), 0644));
	self->ev = malloc(EVBUF);
	ASSERT_NE(NULL, self->ev);
	self->o = mmap(NULL, sizeof(*self->o), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->o);
	ASSERT_EQ(0, hg_write("anon_exec", variant->name, strlen(variant->name)));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	hg_events(self->ev, EVBUF);
}

FIXTURE_TEARDOWN(am)
{
	hg_write("anon_exec", "audit", 5);
	hg_set_mode("audit");
	hg_unload();
	free(self->ev);
}

/* 1. SysV shared memory attached with SHM_EXEC. */
struct shm_case {
	int shmflg;		/* for the executable attach */
	const char *bytes;	/* fill with this file's bytes, or NULL */
};

static void shm_attack(struct outcome *o, const void *arg)
{
	const struct shm_case *c = arg;
	static char buf[1 << 20];
	ssize_t size = PAGE;
	void *p;
	int id;

	if (c->bytes) {
		size = read_at(c->bytes, buf, sizeof(buf), 0);
		if (size <= 0)
			SETUP_FAIL(o, c->bytes);
	}
	/* Execute permission: shmat(SHM_EXEC) asks for it. */
	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0700);
	if (id < 0)
		SETUP_FAIL(o, "shmget");
	if (c->bytes) {
		/* Exactly the listed program: same size, same bytes. */
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			SETUP_FAIL(o, "shmat rw");
		memcpy(p, buf, size);
		shmdt(p);
	}
	p = shmat(id, NULL, c->shmflg);
	o->ret = p == (void *)-1 ? -errno : 0;
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

TEST_F(am, sysv_shm_attached_rwx)
{
	struct shm_case c = { .shmflg = SHM_EXEC };

	ATTACK(shm_attack, &c);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_ANON_EXEC,
		      HG_HOOK_MMAP);
}

/* Hashed like a file, it would pass: the bytes are a listed program's. */
TEST_F(am, sysv_shm_with_listed_bytes_is_not_a_file)
{
	struct shm_case c = { .shmflg = SHM_EXEC | SHM_RDONLY, .bytes = LISTED };

	ATTACK(shm_attack, &c);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_ANON_EXEC,
		      HG_HOOK_MMAP);
}

/* 2. Shared anonymous memory is anonymous, though shmem backs it. */
static void shared_anon_attack(struct outcome *o, const void *arg)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		SETUP_FAIL(o, "mmap shared anonymous");
	p[0] = 0xc3;	/* ret */
	o->ret = mprotect(p, PAGE, PROT_READ | PROT_EXEC) ? -errno : 0;
}

TEST_F(am, shared_anonymous_memory_made_exec)
{
	ATTACK(shared_anon_attack, NULL);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_ANON_EXEC,
		      HG_HOOK_MPROTECT);
}

/* 3. memfd: only F_SEAL_WRITE makes its bytes final. */
static void memfd_map_attack(struct outcome *o, const void *arg)
{
	int fd = memfd_with(LISTED, *(const unsigned int *)arg);

	if (fd < 0)
		SETUP_FAIL(o, "sealed memfd");
	o->ret = try_map(fd, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED);
}

TEST_F(am, memfd_future_write_seal_is_not_a_seal)
{
	unsigned int seals = F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;

	ATTACK(memfd_map_attack, &seals);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_MEMFD, HG_HOOK_MMAP);
}

TEST_F(am, memfd_write_sealed_still_maps_exec)
{
	unsigned int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;

	ATTACK(memfd_map_attack, &seals);
	EXPECT_EQ(0, self->o->ret);
	/* Listed bytes, sealed for good: a file like any other, no event. */
	EXPECT_EQ(0, drain(self->ev, -1, -1, variant->anon).other)
		TH_LOG("events, listed above");
}

/* A minimal io_uring: one request at a time, waited for. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p = { 0 };
	char *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(__u32),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(*r->cqes),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(*r->sqes),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (void *)(sq + p.sq_off.tail);
	r->sq_mask = (void *)(sq + p.sq_off.ring_mask);
	r->sq_array = (void *)(sq + p.sq_off.array);
	r->cq_head = (void *)(cq + p.cq_off.head);
	r->cq_tail = (void *)(cq + p.cq_off.tail);
	r->cq_mask = (void *)(cq + p.cq_off.ring_mask);
	r->cqes = (void *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submit @sqe and wait for it: its result, or -errno. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * F_SEAL_FUTURE_WRITE forbids new writable mappings and write(2), but not
 * pages pinned for I/O before it: register a writable mapping of the memfd
 * as an io_uring fixed buffer, unmap it (no writable mapping left), seal,
 * map it executable, then have io_uring write the pinned page.
 */
static void memfd_pinned_attack(struct outcome *o, const void *arg)
{
	struct io_uring_sqe sqe = { .opcode = IORING_OP_READ_FIXED };
	char want[PAGE], got[PAGE];
	struct iovec iov;
	struct ring r;
	char *w, *x;
	int fd, in, n;

	fd = memfd_with(LISTED, 0);
	if (fd < 0)
		SETUP_FAIL(o, "memfd");
	if (pread(fd, want, PAGE, 0) != PAGE)
		SETUP_FAIL(o, "pread memfd");
	w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED)
		SETUP_FAIL(o, "mmap memfd rw");
	if (ring_init(&r))
		SETUP_FAIL(o, "io_uring_setup");
	iov.iov_base = w;
	iov.iov_len = PAGE;
	if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS,
		    &iov, 1))
		SETUP_FAIL(o, "IORING_REGISTER_BUFFERS");
	munmap(w, PAGE);
	if (fcntl(fd, F_ADD_SEALS,
		  F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW))
		SETUP_FAIL(o, "F_ADD_SEALS");

	x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	o->ret = x == MAP_FAILED ? -errno : 0;

	/* The write the seal should stop, through the pinned page. */
	in = open(PAYLOAD, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		SETUP_FAIL(o, PAYLOAD);
	sqe.fd = in;
	sqe.addr = (uintptr_t)w;	/* checked against the registration */
	sqe.len = PAGE;
	n = ring_run(&r, &sqe);
	if (n != PAGE) {
		errno = n < 0 ? -n : EIO;
		SETUP_FAIL(o, "IORING_OP_READ_FIXED");
	}
	o->pinned_write = pread(fd, got, PAGE, 0) == PAGE &&
			  memcmp(got, want, PAGE);
	if (x != MAP_FAILED)
		o->changed = memcmp(x, want, PAGE);
}

TEST_F(am, memfd_pinned_by_io_uring_changes_under_exec_map)
{
	ATTACK(memfd_pinned_attack, NULL);
	/* The attack is real: the sealed memfd's bytes did change. */
	EXPECT_TRUE(self->o->pinned_write);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_MEMFD, HG_HOOK_MMAP);
	if (DENIED) {
		EXPECT_FALSE(self->o->changed)
			TH_LOG("the executable mapping changed after it was allowed: the bypass");
	} else {
		/* Allowed as anonymous memory: the attack works, and is seen. */
		EXPECT_TRUE(self->o->changed);
	}
}

/* 4. Forced writes: /proc/PID/mem (DDexec) and ptrace. */
static void proc_mem_attack(struct outcome *o, const void *arg)
{
	char want[PAGE], int3[16];
	int fd, mem;
	ssize_t n;
	char *x;

	fd = open(LISTED, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, want, PAGE, 0) != PAGE)
		SETUP_FAIL(o, LISTED);
	x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (x == MAP_FAILED)
		SETUP_FAIL(o, "mmap listed file exec");
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (mem < 0)
		SETUP_FAIL(o, "/proc/self/mem");
	memset(int3, 0xcc, sizeof(int3));
	n = pwrite(mem, int3, sizeof(int3), (off_t)(uintptr_t)x);
	o->ret = n == (ssize_t)sizeof(int3) ? 0 : n < 0 ? -errno : -ENOSPC;
	o->changed = memcmp(x, want, PAGE);
}

/* The kernel says EIO when access_remote_vm() fails; EACCES is fine too. */
static int refused_as_eio(int ret)
{
	return ret == -EACCES ? -EIO : ret;
}

TEST_F(am, proc_self_mem_write_into_exec_mapping)
{
	ATTACK(proc_mem_attack, NULL);
	EXPECT_POLICY(refused_as_eio(self->o->ret), -EIO, 0,
		      HG_REASON_ANON_EXEC, HG_HOOK_FORCED_WRITE);
	EXPECT_EQ(!DENIED, self->o->changed);
}

/* What ptrace pokes at: this program's own text, listed. */
static __attribute__((noinline)) int poke_target(int x)
{
	return x + 1;
}

static void ptrace_attack(struct outcome *o, const void *arg)
{
	void *addr = (void *)poke_target;
	long word, after;
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		SETUP_FAIL(o, "fork");
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(poke_target(0) == 1 ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		SETUP_FAIL(o, "traced child did not stop");
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, addr, NULL);
	if (errno)
		SETUP_FAIL(o, "PTRACE_PEEKTEXT");
	o->ret = ptrace(PTRACE_POKETEXT, pid, addr, (void *)~word) ? -errno : 0;
	errno = 0;
	after = ptrace(PTRACE_PEEKTEXT, pid, addr, NULL);
	if (errno)
		SETUP_FAIL(o, "PTRACE_PEEKTEXT after");
	o->changed = after != word;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

TEST_F(am, ptrace_poketext_into_child_text)
{
	ATTACK(ptrace_attack, NULL);
	EXPECT_POLICY(refused_as_eio(self->o->ret), -EIO, 0,
		      HG_REASON_ANON_EXEC, HG_HOOK_FORCED_WRITE);
	EXPECT_EQ(!DENIED, self->o->changed);
}

/* 5. READ_IMPLIES_EXEC and executable stacks. */
static void personality_attack(struct outcome *o, const void *arg)
{
	int old = personality(0xffffffff);

	o->ret = personality(old | READ_IMPLIES_EXEC) == -1 ? -errno : 0;
	/* brk takes its flags from the personality: no mmap hook sees it. */
	if (sbrk(1 << 20) == (void *)-1)
		SETUP_FAIL(o, "sbrk");
	o->exec_heap = mapping_executable("[heap]");
}

/* Deny: refused, or granted without its effect. Else: an RWX heap. */
#define EXPECT_PERSONALITY_POLICY() do {					\
	if (DENIED) {								\
		EXPECT_TRUE(self->o->ret == -EPERM ||				\
			    (!self->o->ret && !self->o->exec_heap))		\
			TH_LOG("personality: %d, heap %s", self->o->ret,	\
			       self->o->exec_heap ? "rwx" : "not executable");	\
	} else {								\
		EXPECT_EQ(0, self->o->ret);					\
		EXPECT_TRUE(self->o->exec_heap);				\
	}									\
	EXPECT_EVENTS(HG_REASON_ANON_EXEC, HG_HOOK_PERSONALITY);		\
} while (0)

TEST_F(am, personality_read_implies_exec_heap)
{
	ATTACK(personality_attack, NULL);
	EXPECT_PERSONALITY_POLICY();
}

#ifdef __x86_64__
/*
 * The ia32 table's personality: int $0x80 reaches it from a 64-bit
 * process on every kernel with IA32_EMULATION (Debian's), through a
 * syscall wrapper of its own.
 */
static long personality_ia32(unsigned int persona)
{
	long ret = 136;	/* __NR_personality in the i386 table */

	asm volatile("int $0x80"
		     : "+a"(ret)
		     : "b"(persona)
		     : "r8", "r9", "r10", "r11", "cc", "memory");
	return (int)ret;	/* the ia32 result, sign-extended */
}

static void personality_ia32_attack(struct outcome *o, const void *arg)
{
	long old = personality_ia32(0xffffffff);
	long ret;

	if (old < 0)
		SETUP_FAIL(o, "int $0x80 personality: no ia32 table");
	ret = personality_ia32(old | READ_IMPLIES_EXEC);
	o->ret = ret < 0 ? ret : 0;
	if (sbrk(1 << 20) == (void *)-1)
		SETUP_FAIL(o, "sbrk");
	o->exec_heap = mapping_executable("[heap]");
}

TEST_F(am, personality_through_the_ia32_table)
{
	ATTACK(personality_ia32_attack, NULL);
	EXPECT_PERSONALITY_POLICY();
}
#endif

/*
 * The probe: a copy of this program whose PT_GNU_STACK asks for an
 * executable stack, run with HG_STACK_PROBE set, says what it got.
 */
__attribute__((constructor)) static void stack_probe(void)
{
	if (getenv("HG_STACK_PROBE"))
		_exit(mapping_executable("[stack]") ? STACK_EXEC : STACK_NOEXEC);
}

/* Copy @src to @dst (0755) with PF_X added to its PT_GNU_STACK. */
static int copy_with_exec_stack(const char *src, const char *dst)
{
	static char buf[8 << 20];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	bool found = false;
	ssize_t len;
	int i;

	len = read_at(src, buf, sizeof(buf), 0);
	if (len < (ssize_t)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phoff + (size_t)eh->e_phnum * eh->e_phentsize > (size_t)len)
		return -1;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(buf + eh->e_phoff +
						(size_t)i * eh->e_phentsize);

		if (ph->p_type == PT_GNU_STACK) {
			ph->p_flags |= PF_X;
			found = true;
		}
	}
	return found ? write_file(dst, buf, len, 0755) : -1;
}

static void exec_attack(struct outcome *o, const void *arg)
{
	char *const argv[] = { "probe", NULL };
	char *const envp[] = { "HG_STACK_PROBE=1", NULL };

	execve(arg, argv, envp);
	o->ret = -errno;
}

TEST_F_TIMEOUT(am, executable_stack_program, 90)
{
	int st;

	ASSERT_EQ(0, hg_sh("mkdir -p " PROBE_DIR " && chmod 755 " PROBE_DIR));
	ASSERT_EQ(0, copy_with_exec_stack("/proc/self/exe", PROBE));
	/* A listed program: its digest joins the list (serial up). */
	ASSERT_EQ(0, hg_sh("hashgate build -o /tmp/t/xs.list " PROBE_DIR " >/dev/null 2>&1 && "
			   "cat /tmp/all.list /tmp/t/xs.list > /tmp/t/l && "
			   "hashgate load --serial 401 /tmp/t/l >/dev/null"));
	hg_events(self->ev, EVBUF);

	st = as_nobody(exec_attack, PROBE, self->o);
	if (st == 0 && self->o->ret)
		st = 1000 - self->o->ret;	/* as hg_exec(): 1000 + errno */
	if (DENIED) {
		/* Refused, killed, or run without the executable stack. */
		EXPECT_TRUE(st >= 500 || st == STACK_NOEXEC)
			TH_LOG("the probe ran with status %d (%d: executable stack)",
			       st, STACK_EXEC);
	} else {
		EXPECT_EQ(STACK_EXEC, st);
	}
	EXPECT_EVENTS(HG_REASON_ANON_EXEC, HG_HOOK_EXEC_STACK);
}

/* 6. userfaultfd fills: pages that never came from the file. */
static int uffd_open(struct outcome *o)
{
	struct uffdio_api api = { .api = UFFD_API };
	/* Unprivileged users may have one for faults in user mode only. */
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	if (fd < 0)
		SETUP_FAIL(o, "userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api))
		SETUP_FAIL(o, "UFFDIO_API");
	return fd;
}

static void uffd_register(struct outcome *o, int uffd, void *p, size_t len)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		SETUP_FAIL(o, "UFFDIO_REGISTER");
}

static void uffd_fill_attack(struct outcome *o, const void *arg)
{
	char want[PAGE];
	static char int3[PAGE];
	struct uffdio_copy copy;
	int fd, uffd = uffd_open(o);
	char *x;

	fd = open(LISTED, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, want, PAGE, PAGE) != PAGE)
		SETUP_FAIL(o, LISTED " (two pages at least)");
	x = mmap(NULL, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (x == MAP_FAILED)
		SETUP_FAIL(o, "mmap listed file exec");
	uffd_register(o, uffd, x, 2 * PAGE);
	memset(int3, 0xcc, sizeof(int3));
	/* The second page was never touched: it has no page table entry. */
	copy = (struct uffdio_copy) {
		.dst = (uintptr_t)(x + PAGE),
		.src = (uintptr_t)int3,
		.len = PAGE,
	};
	o->ret = ioctl(uffd, UFFDIO_COPY, &copy) ? -errno : 0;
	/* Unregistered: reading now faults the file's page in, unless filled. */
	close(uffd);
	o->changed = memcmp(x + PAGE, want, PAGE);
}

TEST_F(am, uffd_copy_into_exec_mapping)
{
	ATTACK(uffd_fill_attack, NULL);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_ANON_EXEC,
		      HG_HOOK_UFFD_FILL);
	EXPECT_EQ(!DENIED, self->o->changed);
}

/* A registered range can be filled at any time: it is not the file. */
static void uffd_mprotect_attack(struct outcome *o, const void *arg)
{
	int fd, uffd = uffd_open(o);
	char *x;

	fd = open(LISTED, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SETUP_FAIL(o, LISTED);
	/* Verified first: as a plain file, the mprotect would then pass. */
	if (try_map(fd, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE))
		SETUP_FAIL(o, "mmap listed file exec");
	x = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (x == MAP_FAILED)
		SETUP_FAIL(o, "mmap listed file");
	uffd_register(o, uffd, x, PAGE);
	o->ret = mprotect(x, PAGE, PROT_READ | PROT_EXEC) ? -errno : 0;
}

TEST_F(am, uffd_registered_mapping_made_exec)
{
	ATTACK(uffd_mprotect_attack, NULL);
	EXPECT_POLICY(self->o->ret, -EACCES, 0, HG_REASON_ANON_EXEC,
		      HG_HOOK_MPROTECT);
}

TEST_HARNESS_MAIN
