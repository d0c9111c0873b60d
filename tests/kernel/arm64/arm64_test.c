// SPDX-License-Identifier: GPL-2.0
/*
 * What an arm64 CPU adds, under hashgate (built and run only for arm64:
 * make ARCH=arm64 tests). vm-run's -cpu max has all three:
 *
 *   AArch32   32-bit programs (CONFIG_COMPAT, AArch32 at EL0): judged at
 *             exec like any other; their mmap2 and personality go through
 *             the a32 table into the same hooked functions.
 *   BTI       ld.so turns PROT_BTI on for a BTI-marked library: a listed
 *             one loads with its pages guarded ("bt" in smaps), an
 *             unlisted one is refused. Debian 12's ld.so does it without a
 *             PROT_EXEC mprotect the filter sees (mutation
 *             bti-mprotect-anonymous, which refuses every such mprotect,
 *             leaves the library loading guarded); a direct
 *             mprotect(PROT_READ | PROT_EXEC | PROT_BTI) is judged as any
 *             PROT_EXEC one.
 *   PAC       pointer authentication is on (the kernel's pac-ret, which the
 *             hooked functions run with, and user space's): make check
 *             cannot lose it silently.
 *
 * Each test starts from a freshly loaded module with an allowlist of every
 * file on the initramfs and the data disk; copies in /tmp with a byte
 * appended are the same code under a digest nobody listed.
 */
#include <dlfcn.h>
#include <grp.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "hg_test.h"
#include "kselftest_harness.h"
#include "aarch32_probe.h"

#ifndef PROT_BTI
#define PROT_BTI	0x10
#endif
#ifndef HWCAP2_BTI
#define HWCAP2_BTI	(1 << 17)
#endif
#ifndef HWCAP_PACA
#define HWCAP_PACA	(1 << 30)
#endif
#ifndef HWCAP_PACG
#define HWCAP_PACG	(1UL << 31)
#endif

#define NOBODY		65534
#define EVBUF		(1 << 20)
#define HELLO		"/tests/hello"
#define PROBE		"/tests/aarch32_probe"
#define BTI_LIB		"/tests/libhgbti.so"
#define PAC_HELLO	"/tests/pac_hello"
/* Unlisted: HELLO with a byte appended, only ever mapped. */
#define DATA		"/tmp/t/data"
#define LISTED		"/tmp/t/listed"
#define UNLISTED	"/tmp/t/unlisted"

/*
 * fork + execve(@argv[0]) as @uid (-1: root, as the test); the exit
 * status, 1000 + errno when the exec failed, 500 + the signal that killed
 * it. The program's stderr stays the test's.
 */
static int run_as(uid_t uid, char *const argv[])
{
	int pfd[2], err = 0, st;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			err = errno;
		else
			execv(argv[0], argv);
		err = err ? err : errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pfd[0]);
	st = hg_wait(pid);
	if (err)
		return 1000 + err;
	return st >= 1000 ? st - 500 : st;
}

/* The exec events in @buf, and the one of them that names @path. */
struct tally {
	int exec;		/* every exec event */
	int match;		/* those with @path (NULL: no path) */
	struct hg_event last;	/* the last match */
};

static struct tally drain(void *buf, const char *path)
{
	ssize_t len = hg_events(buf, EVBUF);
	size_t plen = path ? strlen(path) : 0;
	struct tally t = { 0 };
	struct hg_event *e;
	size_t off = 0;

	if (len < 0)	/* an unreadable stream is not "no events" */
		t.exec = -1;
	while ((e = hg_next_event(buf, len, &off))) {
		if (e->type != HG_EVENT_EXEC)
			continue;
		t.exec++;
		fprintf(stderr, "#   event: hook %u reason %u decision %u uid %u path '%.*s'\n",
			e->hook, e->reason, e->decision, e->uid, e->path_len,
			hg_event_path(e));
		if (e->path_len == plen &&
		    !memcmp(hg_event_path(e), path ? path : "", plen)) {
			t.match++;
			t.last = *e;
		}
	}
	return t;
}

/*
 * Does the mapping that holds @addr carry VmFlag @flag ("bt")? Read from
 * /proc/self/smaps ("VmFlags: rd ex mr mw me bt").
 */
static bool has_vm_flag(const void *addr, const char *flag)
{
	unsigned long a = (unsigned long)addr, start, end;
	bool inside = false, found = false;
	char line[512], *tok, *save;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = start <= a && a < end;
			continue;
		}
		if (!inside || strncmp(line, "VmFlags:", 8))
			continue;
		for (tok = strtok_r(line + 8, "\n ", &save); tok;
		     tok = strtok_r(NULL, "\n ", &save))
			found |= !strcmp(tok, flag);
		break;
	}
	fclose(f);
	return found;
}

/* Loaded with everything listed, in @mode (and anon_exec @anon). */
static int start(const char *mode, const char *anon, unsigned long serial,
		 void **ev)
{
	if (hg_sh("rm -rf /tmp/t && mkdir -p /tmp/t && chmod 755 /tmp/t") ||
	    hg_load("") || hg_allow_all(serial) ||
	    hg_copy(HELLO, DATA, true) ||
	    hg_write("anon_exec", anon, strlen(anon)) || hg_set_mode(mode))
		return -1;
	*ev = malloc(EVBUF);
	if (!*ev)
		return -1;
	hg_events(*ev, EVBUF);
	return 0;
}

static void stop(void *ev)
{
	hg_write("anon_exec", "audit", 5);
	hg_set_mode("audit");
	hg_unload();
	free(ev);
}

/* The probe runs, as an AArch32 process; else the test is skipped. */
#define NEED_AARCH32() do {							\
	char *const __argv[] = { PROBE, NULL };				\
	int __st = run_as(-1, __argv);						\
	if (__st == 1000 + ENOEXEC)						\
		SKIP(return, "this CPU runs no AArch32 at EL0 (ENOEXEC)");	\
	ASSERT_EQ(A32_RAN, __st) TH_LOG("%s does not run as AArch32", PROBE);	\
} while (0)

/* 1. AArch32 programs: exec and mmap2, in enforce and in audit. */
FIXTURE(a32) {
	void *ev;
};

FIXTURE_VARIANT(a32) {
	const char *mode;
	bool enforce;
};

FIXTURE_VARIANT_ADD(a32, enforce) {
	.mode = "enforce",
	.enforce = true,
};

FIXTURE_VARIANT_ADD(a32, audit) {
	.mode = "audit",
};

FIXTURE_SETUP(a32)
{
	/* Before the module: a CPU without AArch32 is a skip, not a deny. */
	NEED_AARCH32();
	ASSERT_EQ(0, start(variant->mode, "audit", 700, &self->ev));
	ASSERT_EQ(0, hg_copy(PROBE, LISTED, false));
	ASSERT_EQ(0, hg_copy(PROBE, UNLISTED, true));
	drain(self->ev, NULL);
}

FIXTURE_TEARDOWN(a32)
{
	stop(self->ev);
}

TEST_F(a32, listed_aarch32_program_runs)
{
	char *const argv[] = { LISTED, NULL };

	EXPECT_EQ(A32_RAN, run_as(-1, argv));
	EXPECT_EQ(0, drain(self->ev, NULL).exec);
}

TEST_F(a32, unlisted_aarch32_program_refused_or_reported)
{
	char *const argv[] = { UNLISTED, NULL };
	struct tally t;

	EXPECT_EQ(variant->enforce ? 1000 + EACCES : A32_RAN, run_as(-1, argv));
	t = drain(self->ev, UNLISTED);
	/* Exec open, bprm_check and the ELF loader's mmap: reported once. */
	EXPECT_EQ(1, t.exec);
	ASSERT_EQ(1, t.match);
	EXPECT_EQ(variant->enforce ? HG_DECISION_DENY : HG_DECISION_WOULD_DENY,
		  t.last.decision);
	EXPECT_EQ(HG_REASON_NOT_IN_ALLOWLIST, t.last.reason);
	EXPECT_TRUE(t.last.hook == HG_HOOK_EXEC_OPEN ||
		    t.last.hook == HG_HOOK_BPRM_CHECK);
}

/* mmap2(PROT_EXEC) from inside an AArch32 process. */
TEST_F(a32, mmap2_exec_from_aarch32)
{
	char *const listed[] = { PROBE, "map", HELLO, NULL };
	char *const unlisted[] = { PROBE, "map", DATA, NULL };
	struct tally t;

	EXPECT_EQ(0, run_as(-1, listed));
	EXPECT_EQ(0, drain(self->ev, NULL).exec);
	EXPECT_EQ(variant->enforce ? EACCES : 0, run_as(-1, unlisted));
	t = drain(self->ev, DATA);
	EXPECT_EQ(1, t.exec);
	ASSERT_EQ(1, t.match);
	EXPECT_EQ(variant->enforce ? HG_DECISION_DENY : HG_DECISION_WOULD_DENY,
		  t.last.decision);
	EXPECT_EQ(HG_REASON_NOT_IN_ALLOWLIST, t.last.reason);
	EXPECT_EQ(HG_HOOK_MMAP, t.last.hook);
}

/*
 * 2. personality(READ_IMPLIES_EXEC) from an AArch32 process, as nobody,
 * in enforce: it follows anon_exec exactly as attack_mem_test's 64-bit
 * personality tests, one variant per value.
 */
FIXTURE(a32_anon) {
	void *ev;
};

FIXTURE_VARIANT(a32_anon) {
	int anon;		/* enum hg_anon_policy */
	const char *name;	/* as written to anon_exec */
};

FIXTURE_VARIANT_ADD(a32_anon, deny) {
	.anon = HG_ANON_DENY,
	.name = "deny",
};

FIXTURE_VARIANT_ADD(a32_anon, audit) {
	.anon = HG_ANON_AUDIT,
	.name = "audit",
};

FIXTURE_VARIANT_ADD(a32_anon, allow) {
	.anon = HG_ANON_ALLOW,
	.name = "allow",
};

FIXTURE_SETUP(a32_anon)
{
	NEED_AARCH32();
	ASSERT_EQ(0, start("enforce", variant->name, 701, &self->ev));
}

FIXTURE_TEARDOWN(a32_anon)
{
	stop(self->ev);
}

TEST_F(a32_anon, personality_read_implies_exec_from_aarch32)
{
	char *const argv[] = { PROBE, "personality", NULL };
	int st = run_as(NOBODY, argv);
	int ret = st & ~A32_HEAP_EXEC;
	bool exec_heap = st & A32_HEAP_EXEC;
	struct tally t;

	ASSERT_GT(A32_SETUP, st) TH_LOG("probe: %d", st);
	/* Deny: refused, or granted without its effect. Else: an RWX heap. */
	if (variant->anon == HG_ANON_DENY) {
		EXPECT_TRUE(ret == A32_PERS_EPERM ||
			    (ret == A32_PERS_GRANTED && !exec_heap))
			TH_LOG("personality: %d, heap %s", ret,
			       exec_heap ? "rwx" : "not executable");
	} else {
		EXPECT_EQ(A32_PERS_GRANTED, ret);
		EXPECT_TRUE(exec_heap);
	}
	/* deny: at least one event; audit: exactly one; allow: none. */
	t = drain(self->ev, NULL);
	EXPECT_EQ(variant->anon != HG_ANON_ALLOW, t.match > 0);
	if (variant->anon == HG_ANON_AUDIT)
		EXPECT_EQ(1, t.match);
	EXPECT_EQ(t.match, t.exec) TH_LOG("other events, listed above");
	if (t.match) {
		EXPECT_EQ(HG_HOOK_PERSONALITY, t.last.hook);
		EXPECT_EQ(HG_REASON_ANON_EXEC, t.last.reason);
		EXPECT_EQ(NOBODY, t.last.uid);
		EXPECT_EQ(variant->anon == HG_ANON_DENY ? HG_DECISION_DENY :
							  HG_DECISION_WOULD_DENY,
			  t.last.decision);
	}
}

/*
 * 3. BTI, in enforce with anon_exec=deny: a PROT_BTI request misread as
 * anonymous memory would be refused too.
 */
FIXTURE(bti) {
	void *ev;
	long page;
};

FIXTURE_SETUP(bti)
{
	/* Without FEAT_BTI ld.so asks for no PROT_BTI: nothing is tested. */
	ASSERT_TRUE(getauxval(AT_HWCAP2) & HWCAP2_BTI)
		TH_LOG("the CPU has no BTI (HWCAP2_BTI)");
	self->page = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(0, start("enforce", "deny", 702, &self->ev));
	ASSERT_EQ(0, hg_copy(BTI_LIB, LISTED, false));
	ASSERT_EQ(0, hg_copy(BTI_LIB, UNLISTED, true));
}

FIXTURE_TEARDOWN(bti)
{
	stop(self->ev);
}

TEST_F(bti, listed_bti_library_loads_with_guarded_pages)
{
	int (*answer)(void);
	void *h;

	h = dlopen(LISTED, RTLD_NOW);
	ASSERT_NE(NULL, h) TH_LOG("dlopen: %s", dlerror());
	answer = (int (*)(void))dlsym(h, "hg_bti_answer");
	ASSERT_NE(NULL, answer);
	EXPECT_EQ(42, answer());
	/* ld.so's PROT_BTI request for it went through. */
	EXPECT_TRUE(has_vm_flag((void *)answer, "bt"))
		TH_LOG("its text is not BTI-guarded: no PROT_BTI was applied");
	EXPECT_EQ(0, drain(self->ev, NULL).exec);
	EXPECT_EQ(0, hg_stat("denies"));
	dlclose(h);
}

TEST_F(bti, unlisted_bti_library_is_refused)
{
	struct tally t;
	void *h;

	h = dlopen(UNLISTED, RTLD_NOW);
	EXPECT_EQ(NULL, h);
	if (h)
		dlclose(h);
	t = drain(self->ev, UNLISTED);
	EXPECT_EQ(1, t.exec);
	ASSERT_EQ(1, t.match);
	EXPECT_EQ(HG_DECISION_DENY, t.last.decision);
	EXPECT_EQ(HG_HOOK_MMAP, t.last.hook);
}

/* mprotect(PROT_READ | PROT_EXEC | PROT_BTI) of a PROT_READ file mapping. */
static int mprotect_bti(const char *path, long page, bool verify_first,
			bool *bt)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;
	void *p;

	if (fd < 0)
		return -1000;
	/* Under mmap_lock the verdict comes from the cache: verify first. */
	if (verify_first) {
		p = mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return -1001;
		munmap(p, page);
	}
	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1002;
	ret = mprotect(p, page, PROT_READ | PROT_EXEC | PROT_BTI) ? -errno : 0;
	*bt = has_vm_flag(p, "bt");
	munmap(p, page);
	return ret;
}

TEST_F(bti, mprotect_bti_of_a_listed_file)
{
	bool bt = false;

	EXPECT_EQ(0, mprotect_bti(LISTED, self->page, true, &bt));
	EXPECT_TRUE(bt);
	EXPECT_EQ(0, drain(self->ev, NULL).exec);
}

TEST_F(bti, mprotect_bti_of_an_unlisted_file_is_refused)
{
	struct tally t;
	bool bt = true;

	EXPECT_EQ(-EACCES, mprotect_bti(UNLISTED, self->page, false, &bt));
	EXPECT_FALSE(bt);
	t = drain(self->ev, UNLISTED);
	EXPECT_EQ(1, t.exec);
	ASSERT_EQ(1, t.match);
	EXPECT_EQ(HG_DECISION_DENY, t.last.decision);
	EXPECT_EQ(HG_HOOK_MPROTECT, t.last.hook);
}

/* 4. Pointer authentication. */
TEST(pac_address_authentication_is_on)
{
	unsigned long hwcap = getauxval(AT_HWCAP);

	EXPECT_TRUE(hwcap & HWCAP_PACA) TH_LOG("no HWCAP_PACA: address authentication off");
	EXPECT_TRUE(hwcap & HWCAP_PACG) TH_LOG("no HWCAP_PACG: generic authentication off");
}

FIXTURE(pac) {
	void *ev;
};

FIXTURE_SETUP(pac)
{
	ASSERT_EQ(0, start("enforce", "audit", 703, &self->ev));
	ASSERT_EQ(0, hg_copy(PAC_HELLO, LISTED, false));
	ASSERT_EQ(0, hg_copy(PAC_HELLO, UNLISTED, true));
}

FIXTURE_TEARDOWN(pac)
{
	stop(self->ev);
}

/* pac_hello exits 0 only when its code signs and PAC is on for it. */
TEST_F(pac, pac_ret_program_listed_runs_unlisted_refused)
{
	char *const listed[] = { LISTED, NULL };
	char *const unlisted[] = { UNLISTED, NULL };

	EXPECT_EQ(0, run_as(-1, listed));
	EXPECT_EQ(1000 + EACCES, run_as(-1, unlisted));
	EXPECT_EQ(1, hg_stat("denies"));
}

TEST_HARNESS_MAIN
