// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: everything at once, for HG_STRESS_SECONDS (default 20; the debug
 * kernel run uses 120). Parallel exec and dlopen storms of listed and
 * unlisted files, allowlist swaps every few hundred milliseconds, mode flips
 * between audit and enforce, event readers that start, stall and quit, then
 * module load/unload cycles under load in audit mode. The kernel's detectors
 * (on the debug kernel) and vm-run's console scan catch bugs; this test
 * checks what the module itself must keep true: every event is delivered or
 * counted, and allows + denies + would-denies = decisions.
 */
#include <dlfcn.h>
#include <signal.h>
#include <time.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define SEQ_LOG "/tmp/stress/seqs"

static int seconds(void)
{
	const char *s = getenv("HG_STRESS_SECONDS");

	return s && atoi(s) > 0 ? atoi(s) : 20;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Children run until @end, then exit 0; anything unexpected exits 1. */
static void exec_storm(double end, const char *prog, bool listed)
{
	char *argv[] = { (char *)prog, NULL };

	while (now() < end) {
		int r = hg_exec(prog, argv);

		/*
		 * Listed: always runs. Unlisted: runs or EACCES, by mode; or
		 * SIGSEGV when enforce began between the exec checks and the
		 * ELF loader's mmap, past the point of no return.
		 */
		if (listed ? r != 0 : (r != 0 && r != 1000 + EACCES &&
				       r != 500 + SIGSEGV)) {
			fprintf(stderr, "# %s: exec gave %d\n", prog, r);
			_exit(1);
		}
	}
	_exit(0);
}

static void dlopen_storm(double end, const char *lib)
{
	while (now() < end) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

		if (h)
			dlclose(h);
	}
	_exit(0);
}

/* Alternates two lists (serials climb) and the two modes. */
static void churn(double end)
{
	unsigned long serial = 1000;

	while (now() < end) {
		serial++;
		if (hg_sh("hashgate load --serial %lu %s >/dev/null 2>&1", serial,
			  serial % 2 ? "/tmp/stress/a.list" : "/tmp/stress/b.list")) {
			fprintf(stderr, "# churn: load failed\n");
			_exit(1);
		}
		if (hg_set_mode(serial % 3 ? "enforce" : "audit")) {
			fprintf(stderr, "# churn: mode failed\n");
			_exit(2);
		}
		usleep(200 * 1000);
	}
	hg_set_mode("audit");
	_exit(0);
}

/*
 * Reads events, logs "seq dropped_before" lines, sometimes stalls, then
 * quits after a while so that another reader takes over.
 */
static void reader(double end, unsigned int id)
{
	static char buf[1 << 16];
	double quit = now() + 1 + id % 4;
	struct hg_event *e;
	FILE *log;
	int fd;

	srand(id);
	while ((fd = open(HG_FS "/events", O_RDONLY | O_NONBLOCK)) < 0) {
		if (errno != EBUSY || now() > end + 5)
			_exit(errno == EBUSY ? 0 : 1);
		usleep(10 * 1000);
	}
	log = fopen(SEQ_LOG, "a");
	if (!log)
		_exit(1);
	while (now() < quit || now() > end) {
		ssize_t n = read(fd, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0 && errno == EAGAIN) {
			if (now() > end + 2)
				break;
			usleep(5 * 1000);
			continue;
		}
		if (n < 0)
			_exit(1);
		while ((e = hg_next_event(buf, n, &off)))
			fprintf(log, "%llu %llu\n", (unsigned long long)e->seq,
				(unsigned long long)e->dropped_before);
		fflush(log);
		if (rand() % 20 == 0)
			usleep(300 * 1000);	/* stall: let the queue fill */
	}
	fclose(log);
	close(fd);
	_exit(0);
}

static pid_t spawn(void (*fn)(double, const char *, bool), double end,
		   const char *arg, bool flag)
{
	pid_t pid = fork();

	if (pid == 0)
		fn(end, arg, flag);
	return pid;
}

static void dl_adapter(double end, const char *lib, bool unused)
{
	dlopen_storm(end, lib);
}

static void churn_adapter(double end, const char *unused, bool unused2)
{
	churn(end);
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
	ASSERT_EQ(0, hg_sh("rm -rf /tmp/stress && mkdir -p /tmp/stress"));
	ASSERT_EQ(0, hg_load("event_ring=64"));
	ASSERT_EQ(0, hg_allow_all(999));
	/* b.list lacks libhgtest.so: dlopen flips between allowed and not. */
	ASSERT_EQ(0, hg_sh("cp /tmp/all.list /tmp/stress/a.list && "
			   "grep -v libhgtest /tmp/all.list > /tmp/stress/b.list"));
	ASSERT_EQ(0, hg_copy("/tests/hello", "/tmp/stress/evil", true));
}

FIXTURE_TEARDOWN(stress)
{
	hg_set_mode("audit");
	hg_unload();
}

static int wait_all(pid_t *pids, int n)
{
	int i, st, bad = 0;

	for (i = 0; i < n; i++) {
		if (pids[i] <= 0)
			continue;
		waitpid(pids[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	return bad;
}

TEST_F_TIMEOUT(stress, everything_at_once, 900)
{
	unsigned long long seq, dropped, max_seq = 0, seen = 0;
	double end = now() + seconds() * 3 / 4;
	pid_t pids[16], readers[64];
	int n = 0, r = 0;
	FILE *log;

	pids[n++] = spawn(exec_storm, end, "/tests/hello", true);
	pids[n++] = spawn(exec_storm, end, "/tmp/stress/evil", false);
	pids[n++] = spawn(dl_adapter, end, "/tests/libhgtest.so", false);
	pids[n++] = spawn(churn_adapter, end, NULL, false);
	while (now() < end && r < 64) {
		readers[r] = fork();
		if (readers[r] == 0)
			reader(end, r);
		waitpid(readers[r++], NULL, 0);
	}
	EXPECT_EQ(0, wait_all(pids, n)) TH_LOG("a storm saw a wrong verdict");
	hg_set_mode("audit");

	/*
	 * Drain what is left; one more event then carries any drops at the
	 * tail in its dropped_before. Then account for every sequence number.
	 */
	readers[0] = fork();
	if (readers[0] == 0)
		reader(now() - 1, 99);
	waitpid(readers[0], NULL, 0);
	EXPECT_EQ(0, hg_exec("/tmp/stress/evil", (char *[]){ "evil", NULL }));
	readers[0] = fork();
	if (readers[0] == 0)
		reader(now() - 1, 100);
	waitpid(readers[0], NULL, 0);
	log = fopen(SEQ_LOG, "r");
	ASSERT_NE(NULL, log);
	while (fscanf(log, "%llu %llu", &seq, &dropped) == 2) {
		seen++;
		if (seq > max_seq)
			max_seq = seq;
	}
	fclose(log);
	TH_LOG("%llu events read by %d readers, %llu dropped (counted), last seq %llu",
	       seen, r, (unsigned long long)hg_stat("events_dropped"), max_seq);
	EXPECT_LT(0, seen);
	EXPECT_EQ(max_seq, seen + hg_stat("events_dropped")) TH_LOG("lost without a count");
	EXPECT_EQ(hg_stat("decisions"), hg_stat("allows") + hg_stat("denies") +
					hg_stat("would_denies"));
	EXPECT_EQ(0, hg_stat("inflight"));

	/* Load/unload cycles while storms run, in audit mode. */
	end = now() + seconds() / 4;
	n = 0;
	pids[n++] = spawn(exec_storm, end, "/tests/hello", true);
	pids[n++] = spawn(dl_adapter, end, "/tests/libhgtest.so", false);
	while (now() < end) {
		ASSERT_EQ(0, hg_load(""));
		ASSERT_EQ(0, hg_allow_all(5));
		ASSERT_EQ(0, hg_unload());
	}
	EXPECT_EQ(0, wait_all(pids, n));
}

TEST_HARNESS_MAIN
