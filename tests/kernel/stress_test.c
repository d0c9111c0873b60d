// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: verdicts under churn, for HG_STRESS_SECONDS (default 20; the debug
 * kernel run uses 120). Three quarters of the time: exec and dlopen storms
 * of listed and unlisted programs and libraries (one storm as uid 65534),
 * allowlist swaps and mode flips between audit and enforce at random, and
 * event readers, three at a time (forwarders on "events", taps on
 * "events_tap"), that stall and quit. The last
 * quarter: module load/unload cycles under the same storms, each instance
 * going through audit and enforce. A scan of resident code runs through
 * the churn (once in a short run, a quarter of the time in a long one): it
 * must finish every time and find nothing, as nothing changes code behind
 * the hooks here.
 *
 * Files: listed ones (in every list), evil ones (a byte-different copy: in
 * no list) and swap ones (in list A, not in list B). Each run leaves a
 * marker only when the code in question ran: hello prints to a pipe, busybox
 * runs `sh -c 'echo ran >&3'`, needs_lib exits 0 only when its library's
 * hg_test_answer() said 42, and a dlopen() counts when the handle's
 * hg_test_answer() says 42.
 *
 * What must hold, counted and asserted:
 *  - in an enforce phase, nothing that the phase's allowlist lacks ever
 *    runs (0 runs), and each refusal is the expected one (EACCES from
 *    execve, 127 from ld.so, NULL from dlopen);
 *  - nothing listed is ever refused, in any phase, nor anything at all in
 *    audit or with the module unloaded;
 *  - every event reaches a forwarder or is counted as dropped: in what each
 *    reader read, seq numbers only climb and each gap is the dropped_before
 *    of the record after it; the forwarders together read every seq but
 *    as many as the events_dropped counter says;
 *  - the events agree with the verdicts: denies only in enforce, would-denies
 *    only in audit, no refusal of a listed file, none of a file that the
 *    list it names (list_serial: odd for A, even for B) holds;
 *  - every child (storms, churn, readers) exits by itself with status 0.
 * Before the churn each file runs alone in each phase, so that the markers
 * are known to work, and the counts under churn must meet every kind of
 * file in every kind of phase.
 *
 * A run is attributed to a phase only when it started after the switch into
 * that phase completed and finished before the next switch began: the churn
 * makes a shared generation odd while switching, even when done; a run that
 * saw an odd generation or a different one at its end straddled a switch
 * and only counts for files listed in every list.
 *
 * The ring fixture makes deterministic the one race the readers here only
 * meet by chance: a copy to the reader that fails while the queue fills.
 */
#include <dlfcn.h>
#include <glob.h>
#include <grp.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define DIR		"/tmp/stress"
#define EVLOG		DIR "/events.log"	/* before the churn */
#define EVLOG_END	DIR "/events-end.log"	/* after it */
/* event_ring: 32 records a uid in the churn phase, 8 in the load cycles. */
#define RING_PARAM	"event_ring=64"
#define CYCLE_RING_PARAM "event_ring=16"
#define NOBODY		65534
#define ARRAY_LEN(a)	(sizeof(a) / sizeof(*(a)))

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

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* What is run, and in which lists it is. */
enum listing { ALWAYS, NEVER, ONLY_A };
enum kind { PROG_MARK, PROG_STATUS, DLOPEN };

enum subject {
	S_HELLO, S_BB, S_NEEDS, S_DL,			/* in every list */
	S_EVIL_HELLO, S_EVIL_BB, S_EVIL_NEEDS, S_EVIL_DL,	/* in none */
	S_SWAP_HELLO, S_SWAP_NEEDS, S_SWAP_DL,		/* in list A only */
	N_SUBJ
};

static const struct {
	const char *name;
	const char *path;
	enum listing listing;
	enum kind kind;
} subj[N_SUBJ] = {
	[S_HELLO]	= { "hello", "/tests/hello", ALWAYS, PROG_MARK },
	[S_BB]		= { "busybox", "/bin/busybox", ALWAYS, PROG_MARK },
	[S_NEEDS]	= { "needs_lib", "/tests/needs_lib", ALWAYS, PROG_STATUS },
	[S_DL]		= { "dlopen", "/tests/libhgtest.so", ALWAYS, DLOPEN },
	[S_EVIL_HELLO]	= { "evil hello", DIR "/evil/hello", NEVER, PROG_MARK },
	[S_EVIL_BB]	= { "evil busybox", DIR "/evil/busybox", NEVER, PROG_MARK },
	[S_EVIL_NEEDS]	= { "needs evil lib", DIR "/evil/needs_lib", NEVER, PROG_STATUS },
	[S_EVIL_DL]	= { "dlopen evil", DIR "/evil/libhgtest.so", NEVER, DLOPEN },
	[S_SWAP_HELLO]	= { "swap hello", DIR "/swap/hello", ONLY_A, PROG_MARK },
	[S_SWAP_NEEDS]	= { "needs swap lib", DIR "/swap/needs_lib", ONLY_A, PROG_STATUS },
	[S_SWAP_DL]	= { "dlopen swap", DIR "/swap/libhgtest.so", ONLY_A, DLOPEN },
};

/* Files whose refusal is expected somewhere; any other refusal is a bug. */
static const char *const evil_files[] = {
	DIR "/evil/hello", DIR "/evil/busybox", DIR "/evil/libhgtest.so",
};

static const char *const swap_files[] = {
	DIR "/swap/hello", DIR "/swap/libhgtest.so",
};

/* Where an attributed run happened. */
enum phase_kind {
	PK_OPEN,		/* audit, or the module unloaded */
	PK_LISTED,		/* enforce, the file in the active list */
	PK_UNLISTED,		/* enforce, the file not in it */
	PK_STRADDLE,		/* across a switch: not attributed */
	N_PK
};

static const char *const pk_name[N_PK] = {
	"audit/off", "enforce+listed", "enforce+unlisted", "straddling",
};

#define MODE_UNLOADED	(-1)
#define LIST_NONE	0
#define LIST_A		1
#define LIST_B		2

/* Shared by every process of the test (MAP_SHARED, before the forks). */
struct shared {
	_Atomic unsigned long gen;	/* odd while switching */
	_Atomic int mode;		/* HG_MODE_* or MODE_UNLOADED */
	_Atomic int list;		/* LIST_* */
	_Atomic long tries[N_SUBJ][N_PK];
	_Atomic long ran[N_SUBJ][N_PK];
	_Atomic long odd;		/* outcomes that are neither ran nor refused */
	_Atomic long phases[3][3];	/* [mode][list] entered */
	_Atomic long readers_opened, readers_tap, readers_einval, readers_efault;
	_Atomic long scans, scan_findings, scan_errors;
};

static void switch_begin(struct shared *sh)
{
	atomic_fetch_add(&sh->gen, 1);
}

static void switch_end(struct shared *sh, int mode, int list)
{
	atomic_store(&sh->mode, mode);
	atomic_store(&sh->list, list);
	if (mode >= 0)
		atomic_fetch_add(&sh->phases[mode][list], 1);
	atomic_fetch_add(&sh->gen, 1);
}

/* Is @s in the list that is active in state @list? */
static bool listed_in(enum subject s, int list)
{
	switch (subj[s].listing) {
	case ALWAYS:
		return true;
	case ONLY_A:
		return list == LIST_A;
	default:
		return false;
	}
}

/*
 * One run of a program, fds 1 and 3 on a pipe: *@ran when the program (or,
 * for needs_lib, its library) ran. @status: exit status, 1000 + errno of
 * the execve, or 500 + signal.
 */
static void run_prog(enum subject s, bool *ran, int *status)
{
	char *const bb_argv[] = { "sh", "-c", "echo ran >&3", NULL };
	char *const argv[] = { (char *)subj[s].path, NULL };
	char *const *av = s == S_BB || s == S_EVIL_BB ? bb_argv : argv;
	int mark[2], ep[2], err = 0, st;
	char buf[256];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	*ran = false;
	*status = -1;
	if (pipe2(mark, O_CLOEXEC))
		return;
	if (pipe2(ep, O_CLOEXEC)) {
		close(mark[0]);
		close(mark[1]);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(mark[1], 1);
		dup2(null, 2);
		dup2(mark[1], 3);
		execv(subj[s].path, av);
		err = errno;
		if (write(ep[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(mark[1]);
	close(ep[1]);
	if (pid < 0) {
		close(mark[0]);
		close(ep[0]);
		return;
	}
	if (read(ep[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(ep[0]);
	while ((n = read(mark[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		got += n > 0 ? n : 0;
	close(mark[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (err)
		*status = 1000 + err;
	else if (WIFEXITED(st))
		*status = WEXITSTATUS(st);
	else
		*status = 500 + WTERMSIG(st);
	*ran = subj[s].kind == PROG_STATUS ? *status == 0 : got > 0;
}

/* dlopen, call into it, dlclose: *@ran when its code answered. */
static void run_dlopen(enum subject s, bool *ran, int *status)
{
	void *h = dlopen(subj[s].path, RTLD_NOW | RTLD_LOCAL);
	int (*answer)(void);

	*ran = false;
	*status = 1;		/* refused */
	if (!h)
		return;
	answer = (int (*)(void))dlsym(h, "hg_test_answer");
	*ran = answer && answer() == 42;
	*status = *ran ? 0 : 2;
	dlclose(h);
}

/* Was the outcome of a run one of the two expected ones? */
static bool outcome_expected(enum subject s, bool ran, int status, int pk)
{
	if (ran)
		return status == 0;
	if (pk == PK_STRADDLE)
		return true;	/* may die past the point of no return */
	switch (subj[s].kind) {
	case PROG_MARK:
		return status == 1000 + EACCES;
	case PROG_STATUS:
		return status == 127;	/* ld.so could not map the library */
	default:
		return status == 1;
	}
}

/*
 * A storm: runs @subjects at random until @end, each run attributed to the
 * phase it lay in. Exits 0; 1 when it could not even start.
 */
static void storm(struct shared *sh, double end, const enum subject *subjects,
		  int n, unsigned int seed, bool as_nobody)
{
	int logged = 0;

	if (as_nobody && (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))) {
		fprintf(stderr, "# %s: setuid: %s\n", __func__, strerror(errno));
		_exit(1);
	}
	while (now() < end) {
		enum subject s = subjects[rand_r(&seed) % n];
		unsigned long g1, g2;
		int mode, list, pk, status;
		bool ran, may_run;

		g1 = atomic_load(&sh->gen);
		mode = atomic_load(&sh->mode);
		list = atomic_load(&sh->list);
		if (subj[s].kind == DLOPEN)
			run_dlopen(s, &ran, &status);
		else
			run_prog(s, &ran, &status);
		g2 = atomic_load(&sh->gen);
		/* A dlopen is cheap: leave the CPUs to the exec storms too. */
		if (subj[s].kind == DLOPEN)
			sleep_ms(2);

		if (g1 % 2 || g1 != g2)
			pk = PK_STRADDLE;
		else if (mode != HG_MODE_ENFORCE)
			pk = PK_OPEN;
		else
			pk = listed_in(s, list) ? PK_LISTED : PK_UNLISTED;
		may_run = pk != PK_UNLISTED;
		atomic_fetch_add(&sh->tries[s][pk], 1);
		if (ran)
			atomic_fetch_add(&sh->ran[s][pk], 1);
		/* The verdicts are judged by the parent; report the surprises. */
		if (!outcome_expected(s, ran, status, pk))
			atomic_fetch_add(&sh->odd, 1);
		if (logged < 10 && (!outcome_expected(s, ran, status, pk) ||
				    (pk == PK_UNLISTED && ran) ||
				    (ran != may_run &&
				     (pk != PK_STRADDLE || subj[s].listing == ALWAYS)))) {
			logged++;
			fprintf(stderr, "# %s (uid %d): %s, status %d, in %s (mode %d list %d)\n",
				subj[s].name, (int)getuid(), ran ? "ran" : "refused",
				status, pk_name[pk], mode, list);
		}
	}
	_exit(0);
}

static const enum subject prog_subjects[] = {
	S_HELLO, S_BB, S_NEEDS, S_EVIL_HELLO, S_EVIL_BB, S_EVIL_NEEDS,
	S_SWAP_HELLO, S_SWAP_NEEDS,
};

#define N_PROG_SUBJECTS (sizeof(prog_subjects) / sizeof(*prog_subjects))
static const enum subject dl_subjects[] = { S_DL, S_EVIL_DL, S_SWAP_DL };

#define N_STORMS 3

static void start_storms(struct shared *sh, double end, pid_t *pids)
{
	int i;

	for (i = 0; i < N_STORMS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i == 2)
				storm(sh, end, dl_subjects, 3, 7 * i + 1, false);
			storm(sh, end, prog_subjects, N_PROG_SUBJECTS, 7 * i + 1, i == 1);
		}
	}
}

/* A child's wait status: true for exit(0); anything else is described. */
static bool status_ok(int st, const char *what, int id)
{
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "# %s %d: killed by signal %d\n", what, id, WTERMSIG(st));
		return false;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "# %s %d: exit status %d\n", what, id, WEXITSTATUS(st));
		return false;
	}
	return true;
}

/* Wait for @pid: did it exit(0)? (A signal never reads as success.) */
static bool exited_cleanly(pid_t pid, const char *what, int id)
{
	int st;

	if (pid <= 0) {
		fprintf(stderr, "# %s %d: was never started\n", what, id);
		return false;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "# %s %d: waitpid: %s\n", what, id, strerror(errno));
			return false;
		}
	}
	return status_ok(st, what, id);
}

/* The storms' exit statuses: how many did not exit(0). */
static int wait_storms(pid_t *pids)
{
	int i, bad = 0;

	for (i = 0; i < N_STORMS; i++)
		bad += !exited_cleanly(pids[i], "storm", i);
	return bad;
}

/* ---- allowlists ---- */

struct blob {
	char *data;
	size_t len;
};

static int read_blob(const char *path, struct blob *b)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb))
		return -1;
	b->len = sb.st_size;
	b->data = malloc(b->len);
	if (!b->data || read(fd, b->data, b->len) != (ssize_t)b->len) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Load @b under @serial (an unsigned blob: the serial is only a field). */
static int load_blob(struct blob *b, uint64_t serial)
{
	memcpy(b->data + offsetof(struct hg_list_header, serial), &serial,
	       sizeof(serial));
	return hg_write("allowlist", b->data, b->len);
}

/*
 * Serials of list A are odd, of list B (the fixture's list, which lacks the
 * swap files) even: an event names the list it was decided by.
 */
static bool serial_is_a(uint64_t serial)
{
	return serial % 2;
}

/* Swaps lists and flips the mode at random until @end. */
static void churn(struct shared *sh, double end, struct blob *a,
		  struct blob *b, uint64_t serial, unsigned int seed)
{
	int mode = HG_MODE_AUDIT, list = LIST_B;	/* as left by calibrate() */
	unsigned int dwell = seconds() / 20 ?: 1;

	while (now() < end) {
		switch_begin(sh);
		if (rand_r(&seed) % 2) {
			/* Lists alternate, and so does the serial's parity. */
			list = list == LIST_A ? LIST_B : LIST_A;
			serial++;
			if (load_blob(list == LIST_A ? a : b, serial)) {
				fprintf(stderr, "# %s: load %llu: %s\n", __func__,
					(unsigned long long)serial, strerror(errno));
				_exit(1);
			}
		} else {
			mode = mode == HG_MODE_AUDIT ? HG_MODE_ENFORCE : HG_MODE_AUDIT;
			if (hg_set_mode(mode == HG_MODE_AUDIT ? "audit" : "enforce")) {
				fprintf(stderr, "# %s: mode %d failed\n", __func__, mode);
				_exit(2);
			}
		}
		switch_end(sh, mode, list);
		/*
		 * Long enough for runs to start and end inside a phase: 0.2 to
		 * 0.6 s per 20 s of stress, so a slower kernel given more time
		 * (the debug kernel: 120 s) gets phases to match.
		 */
		sleep_ms((200 + rand_r(&seed) % 400) * dwell);
	}
	switch_begin(sh);
	if (hg_set_mode("audit"))
		_exit(3);
	switch_end(sh, HG_MODE_AUDIT, list);
	_exit(0);
}

/* ---- events ---- */

enum { CLS_OTHER, CLS_EVIL, CLS_SWAP };

/* What a reader keeps of a record. */
struct logrec {
	uint64_t seq, dropped, serial;
	uint32_t uid;
	uint8_t type, mode, decision, reason, hook, cls;
	char path[42];
};

static int classify(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(evil_files); i++)
		if (len == strlen(evil_files[i]) && !memcmp(p, evil_files[i], len))
			return CLS_EVIL;
	for (i = 0; i < ARRAY_LEN(swap_files); i++)
		if (len == strlen(swap_files[i]) && !memcmp(p, swap_files[i], len))
			return CLS_SWAP;
	return CLS_OTHER;
}

/*
 * Check the records of one read(2) and append them to @logfd in one
 * write(2). Returns 0, or -1 for a malformed record or a failed write.
 */
static int log_records(const char *buf, ssize_t n, int logfd)
{
	static struct logrec out[(1 << 16) / sizeof(struct hg_event) + 1];
	size_t off = 0, k = 0;

	while (off < (size_t)n) {
		const struct hg_event *e = (const void *)(buf + off);
		struct logrec *r = &out[k++];
		size_t plen, skip;

		if (n - off < sizeof(*e) || e->size < sizeof(*e) || e->size % 8 ||
		    e->size > n - off || e->version != HG_EVENT_VERSION ||
		    e->type == HG_EVENT_NONE || e->type >= __HG_EVENT_MAX ||
		    sizeof(*e) + e->exe_len + e->path_len > e->size) {
			fprintf(stderr, "# malformed record at %zu of %zd\n", off, n);
			return -1;
		}
		memset(r, 0, sizeof(*r));
		r->seq = e->seq;
		r->dropped = e->dropped_before;
		r->serial = e->list_serial;
		r->uid = e->uid;
		r->type = e->type;
		r->mode = e->mode;
		r->decision = e->decision;
		r->reason = e->reason;
		r->hook = e->hook;
		plen = e->path_len;
		r->cls = e->type == HG_EVENT_EXEC ? classify(hg_event_path(e), plen) : CLS_OTHER;
		skip = plen > sizeof(r->path) - 1 ? plen - (sizeof(r->path) - 1) : 0;
		memcpy(r->path, hg_event_path(e) + skip, plen - skip);
		off += e->size;
	}
	if (k && write(logfd, out, k * sizeof(*out)) != (ssize_t)(k * sizeof(*out))) {
		perror("# event log");
		return -1;
	}
	return 0;
}

/* Read @fd (non-blocking) until empty; -1 on any error. */
static int drain(int fd, int logfd)
{
	static char buf[1 << 16];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			fprintf(stderr, "# %s: read gave %zd: %s\n", __func__, n,
				strerror(errno));
			return -1;
		}
		if (log_records(buf, n, logfd))
			return -1;
	}
}

static int open_events(void)
{
	return open(HG_FS "/events", O_RDONLY | O_NONBLOCK);
}

/*
 * A reader: a forwarder or a tap, each with its own log, reads until @quit
 * in one of
 * four styles (non-blocking with 64 KiB; blocking behind poll(2); one
 * record at a time with a buffer that some records do not fit, EINVAL; a
 * buffer that ends 1000 bytes before an inaccessible page, so that the
 * record after the first few faults and must be put back first in line),
 * stalls now and then, and quits at @quit whatever is queued.
 */
/* Scan resident code until @end, again and again; count what it found. */
static void scanner(struct shared *sh, double end)
{
	static char report[1 << 16];
	bool again = seconds() >= 60;
	char *p;

	/*
	 * A short run (20 s on 6.1 and 6.12) scans once, halfway: its storms
	 * need the CPUs to meet every kind of file in every kind of phase.
	 * The debug kernel's long run scans over and over.
	 */
	if (!again)
		sleep_ms((int)((end - now()) * 500));
	while (now() < end) {
		double t0 = now();

		if (hg_write("scan", "1", 1) ||
		    hg_read_text("scan", report, sizeof(report))) {
			atomic_fetch_add(&sh->scan_errors, 1);
			_exit(1);
		}
		atomic_fetch_add(&sh->scans, 1);
		p = strstr(report, " findings=");
		if (!p || strtol(p + 10, NULL, 10)) {
			atomic_fetch_add(&sh->scan_findings, 1);
			if (atomic_load(&sh->scan_findings) < 3)
				fprintf(stderr, "# scan: %.600s\n", report);
		}
		/*
		 * A scan re-hashes every resident page of listed code: a vCPU
		 * for seconds under TCG, where the guest's vCPUs share one host
		 * thread. A quarter of the time, so that the storms beside it
		 * still meet every kind of file in every kind of phase.
		 */
		if (!again)
			break;
		sleep_ms(100 + (int)((now() - t0) * 3000));
	}
	if (atomic_load(&sh->scans))
		fprintf(stderr, "# scan: last report: %.200s\n", report);
	_exit(0);
}

static void reader(struct shared *sh, unsigned int id, double end)
{
	static char buf[1 << 16];
	unsigned int seed = id * 2654435761u;
	double quit = now() + 0.3 + (rand_r(&seed) % 2500) / 1000.0;
	int style = id % 4, tap = id / 4 % 2, fd, logfd;
	char log[64];
	size_t small = sizeof(struct hg_event) + 48;
	size_t size = style == 2 ? small : style == 3 ? 4096 : sizeof(buf);
	char *rbuf = buf, *guarded;

	if (style == 3) {
		guarded = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (guarded == MAP_FAILED || mprotect(guarded + 2 * 4096, 4096, PROT_NONE))
			_exit(7);
		rbuf = guarded + 2 * 4096 - 1000;
	}
	if (quit > end)
		quit = end;
	fd = open(tap ? HG_FS "/events_tap" : HG_FS "/events",
		  O_RDONLY | (style == 1 ? 0 : O_NONBLOCK));
	if (fd < 0) {
		fprintf(stderr, "# %s: open: %s\n", __func__, strerror(errno));
		_exit(2);
	}
	atomic_fetch_add(&sh->readers_opened, 1);
	atomic_fetch_add(&sh->readers_tap, tap);
	snprintf(log, sizeof(log), DIR "/%s-%s-%u.log", __func__, tap ? "tap" : "fwd", id);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (logfd < 0)
		_exit(3);
	while (now() < quit) {
		char *into = rbuf;
		ssize_t n;

		if (style == 1) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int r = poll(&p, 1, 50);

			if (r < 0 && errno != EINTR)
				_exit(4);
			if (r <= 0)
				continue;
		}
		n = read(fd, into, size);
		if (n < 0 && errno == EAGAIN) {
			sleep_ms(5);
			continue;
		}
		if (n < 0 && errno == EINVAL && size < sizeof(buf)) {
			/* The next record does not fit: the ABI says EINVAL. */
			atomic_fetch_add(&sh->readers_einval, 1);
			into = buf;
			n = read(fd, into, sizeof(buf));
		} else if (n < 0 && errno == EFAULT && style == 3) {
			/* Not even the first record fitted before the bad page. */
			atomic_fetch_add(&sh->readers_efault, 1);
			into = buf;
			n = read(fd, into, sizeof(buf));
		}
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			fprintf(stderr, "# %s %u: read gave %zd: %s\n", __func__, id, n,
				strerror(errno));
			_exit(5);
		}
		if (log_records(into, n, logfd))
			_exit(6);
		if (rand_r(&seed) % 8 == 0)
			sleep_ms(200 + rand_r(&seed) % 600);	/* stall: the queue fills */
	}
	/* The log is written before the events file is let go. */
	close(logfd);
	close(fd);
	_exit(0);
}

struct evcheck {
	long seen, dropped, instances;
	uint64_t last_seq;
	long by_type[__HG_EVENT_MAX];
	long denies, would_denies, uid0, uid_other;
	long refusals[3];		/* by CLS_* */
	long bad_seq, bad_mode, bad_listed, bad_swap;
};

static void report_bad(long *count, const struct logrec *r, const char *what)
{
	if ((*count)++ < 5)
		fprintf(stderr, "# %s: seq %llu dropped_before %llu type %u mode %u "
			"decision %u reason %u hook %u serial %llu uid %u path ...%s\n",
			what, (unsigned long long)r->seq, (unsigned long long)r->dropped,
			r->type, r->mode, r->decision, r->reason, r->hook,
			(unsigned long long)r->serial, r->uid, r->path);
}

/* The seqs that forwarders read. */
struct seqs {
	uint64_t *v;
	size_t n, cap;
};

static int seqs_add(struct seqs *s, uint64_t seq)
{
	if (s->n == s->cap) {
		uint64_t *v = realloc(s->v, (s->cap * 2 + 1024) * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = s->cap * 2 + 1024;
	}
	s->v[s->n++] = seq;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How many records at least one forwarder read. */
static size_t seqs_distinct(struct seqs *s)
{
	size_t i, d = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 0; i < s->n; i++)
		d += !i || s->v[i] != s->v[i - 1];
	return d;
}

/*
 * Account for what one reader read of one module instance, in @path: seq
 * climbs by one plus the record's dropped_before, from 0 with @from_start
 * (the instance's first reader), else from what the first record says;
 * the verdicts in them are consistent with the mode and with the list they
 * name. A forwarder's seqs go into @fwd.
 */
static int check_log(const char *path, struct evcheck *c, struct seqs *fwd,
		     bool from_start)
{
	FILE *f = fopen(path, "r");
	uint64_t prev = 0;
	struct logrec r;
	bool first = true;

	if (!f)
		return -errno;
	c->instances++;
	while (fread(&r, sizeof(r), 1, f) == 1) {
		if (first && !from_start)
			prev = r.seq - r.dropped - 1;
		first = false;
		if (fwd && seqs_add(fwd, r.seq)) {
			fclose(f);
			return -ENOMEM;
		}
		c->seen++;
		c->dropped += r.dropped;
		c->by_type[r.type]++;
		if (r.seq <= prev || r.seq - prev - 1 != r.dropped)
			report_bad(&c->bad_seq, &r, prev >= r.seq ?
				   "seq not climbing (delivered twice?)" :
				   "seq gap not covered by dropped_before");
		if (r.seq > prev)
			prev = r.seq;
		c->uid0 += r.uid == 0;
		c->uid_other += r.uid != 0;
		if (r.type != HG_EVENT_EXEC || r.decision == HG_DECISION_ALLOW)
			continue;
		c->denies += r.decision == HG_DECISION_DENY;
		c->would_denies += r.decision == HG_DECISION_WOULD_DENY;
		c->refusals[r.cls]++;
		if (r.mode == HG_MODE_ENFORCE ? r.decision != HG_DECISION_DENY :
						r.decision == HG_DECISION_DENY)
			report_bad(&c->bad_mode, &r, "decision does not match mode");
		/* Before any list everything is a would-deny, listed or not. */
		if (r.reason == HG_REASON_NO_ALLOWLIST) {
			if (r.decision != HG_DECISION_WOULD_DENY || r.serial)
				report_bad(&c->bad_listed, &r,
					   "no-allowlist but a list or a deny");
			continue;
		}
		if (r.cls == CLS_OTHER)
			report_bad(&c->bad_listed, &r, "listed file refused");
		if (r.cls == CLS_SWAP && serial_is_a(r.serial))
			report_bad(&c->bad_swap, &r, "refused by a list that holds it");
	}
	if (prev > c->last_seq)
		c->last_seq = prev;
	fclose(f);
	return 0;
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

/*
 * One run of each file, alone, in the phase the module is in now (@mode,
 * @list): every marker must say what the phase says, so that the counts
 * under churn cannot be vacuous. 0, or -1 with the culprit on stderr.
 */
static int calibrate(int mode, int list)
{
	int s, status, bad = 0;
	bool ran, want;

	for (s = 0; s < N_SUBJ; s++) {
		want = mode != HG_MODE_ENFORCE || listed_in(s, list);
		if (subj[s].kind == DLOPEN)
			run_dlopen(s, &ran, &status);
		else
			run_prog(s, &ran, &status);
		if (ran != want || !outcome_expected(s, ran, status, want ?
						     PK_LISTED : PK_UNLISTED)) {
			fprintf(stderr, "# calibration, mode %d list %d: %s %s (status %d)\n",
				mode, list, subj[s].name, ran ? "ran" : "was refused", status);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

/* ---- the test ---- */

FIXTURE(stress) {
	struct shared *sh;
	struct blob a, b;
};

FIXTURE_SETUP(stress)
{
	static const char *const listed[] = {
		"/tests/hello", "/bin/busybox", "/tests/needs_lib",
		"/tests/libhgtest.so", DIR "/evil/needs_lib", DIR "/swap/needs_lib",
	};
	char answer[256];
	size_t i;

	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	ASSERT_EQ(0, hg_sh("rm -rf " DIR " && mkdir -p " DIR "/evil " DIR "/swap"));
	ASSERT_EQ(0, hg_load(RING_PARAM));
	/* List B: everything on the initramfs and disk (not /tmp: a tmpfs). */
	ASSERT_EQ(0, hg_allow_all(998));
	/*
	 * The same code under digests of their own: evil ones are in no
	 * list, swap ones only in list A. needs_lib copies stay listed and
	 * find the library beside them ($ORIGIN).
	 */
	ASSERT_EQ(0, hg_sh("cp /bin/busybox " DIR "/evil/ && "
			   "for d in evil swap; do "
			   "cp /tests/hello /tests/libhgtest.so /tests/needs_lib " DIR "/$d/ && "
			   "for f in " DIR "/$d/*; do "
			   "case $f in */needs_lib) ;; *) echo \"hashgate stress $d\" >> $f;; esac; "
			   "done; done && chmod -R a+rX " DIR " && chmod 755 " DIR "/*/*"));
	ASSERT_EQ(0, hg_sh("cp /tmp/all.list " DIR "/a.list && sha256sum " DIR
			   "/swap/hello " DIR "/swap/libhgtest.so >> " DIR "/a.list"));
	ASSERT_EQ(0, hg_sh("hashgate load -o " DIR "/a.blob --serial 1 " DIR "/a.list"
			   " >/dev/null && hashgate load -o " DIR "/b.blob --serial 1"
			   " /tmp/all.list >/dev/null"));
	ASSERT_EQ(0, read_blob(DIR "/a.blob", &self->a));
	ASSERT_EQ(0, read_blob(DIR "/b.blob", &self->b));

	/* What the module itself says about each file, under each list. */
	for (i = 0; i < ARRAY_LEN(listed); i++) {
		ASSERT_EQ(0, check_path(listed[i], answer, sizeof(answer)));
		ASSERT_EQ(0, strncmp(answer, "allow ", 6)) TH_LOG("%s: %s", listed[i], answer);
	}
	for (i = 0; i < ARRAY_LEN(evil_files); i++) {
		ASSERT_EQ(0, check_path(evil_files[i], answer, sizeof(answer)));
		ASSERT_EQ(0, strncmp(answer, "deny not-in-allowlist ", 22))
			TH_LOG("%s: %s", evil_files[i], answer);
	}
	for (i = 0; i < ARRAY_LEN(swap_files); i++) {
		ASSERT_EQ(0, check_path(swap_files[i], answer, sizeof(answer)));
		ASSERT_EQ(0, strncmp(answer, "deny not-in-allowlist ", 22))
			TH_LOG("%s: %s", swap_files[i], answer);
	}
	ASSERT_EQ(0, load_blob(&self->a, 999));
	for (i = 0; i < ARRAY_LEN(swap_files); i++) {
		ASSERT_EQ(0, check_path(swap_files[i], answer, sizeof(answer)));
		ASSERT_EQ(0, strncmp(answer, "allow ", 6)) TH_LOG("%s: %s", swap_files[i], answer);
	}
	for (i = 0; i < ARRAY_LEN(evil_files); i++) {
		ASSERT_EQ(0, check_path(evil_files[i], answer, sizeof(answer)));
		ASSERT_EQ(0, strncmp(answer, "deny ", 5)) TH_LOG("%s: %s", evil_files[i], answer);
	}
	ASSERT_EQ(0, load_blob(&self->b, 1000));	/* B again: even */
	atomic_store(&self->sh->mode, HG_MODE_AUDIT);
	atomic_store(&self->sh->list, LIST_B);
}

FIXTURE_TEARDOWN(stress)
{
	hg_set_mode("audit");
	hg_unload();
}

/* The runs, judged against the phase each lay in. */
struct verdicts {
	long tries, attributed, straddled;
	long unlisted_ran;	/* ran in enforce, not in the active list */
	long listed_refused;	/* refused although listed (or listed in every list) */
	long open_refused;	/* refused in audit or with the module unloaded */
};

static void judge_runs(struct shared *sh, const char *phase, struct verdicts *v)
{
	int s, pk;

	memset(v, 0, sizeof(*v));
	fprintf(stderr, "# %s: ran/tries by phase kind\n", phase);
	for (s = 0; s < N_SUBJ; s++) {
		long t[N_PK], r[N_PK];

		for (pk = 0; pk < N_PK; pk++) {
			t[pk] = atomic_load(&sh->tries[s][pk]);
			r[pk] = atomic_load(&sh->ran[s][pk]);
			v->tries += t[pk];
			if (pk == PK_STRADDLE) {
				v->straddled += t[pk];
				if (subj[s].listing == ALWAYS)
					v->listed_refused += t[pk] - r[pk];
				continue;
			}
			v->attributed += t[pk];
			if (pk == PK_UNLISTED)
				v->unlisted_ran += r[pk];
			else if (pk == PK_LISTED || subj[s].listing == ALWAYS)
				v->listed_refused += t[pk] - r[pk];
			else
				v->open_refused += t[pk] - r[pk];
		}
		fprintf(stderr, "#   %-15s %s %4ld/%-4ld %s %4ld/%-4ld"
			" %s %4ld/%-4ld %s %4ld/%-4ld\n",
			subj[s].name, pk_name[0], r[0], t[0], pk_name[1], r[1], t[1],
			pk_name[2], r[2], t[2], pk_name[3], r[3], t[3]);
	}
	fprintf(stderr, "# %s: %ld runs, %ld attributed, %ld straddling a switch; "
		"unlisted ran in enforce %ld, listed refused %ld, refused in audit/off %ld, "
		"odd outcomes %ld\n", phase, v->tries, v->attributed, v->straddled,
		v->unlisted_ran, v->listed_refused, v->open_refused,
		atomic_load(&sh->odd));
}

static void reset_runs(struct shared *sh)
{
	int s, pk;

	for (s = 0; s < N_SUBJ; s++) {
		for (pk = 0; pk < N_PK; pk++) {
			atomic_store(&sh->tries[s][pk], 0);
			atomic_store(&sh->ran[s][pk], 0);
		}
	}
	atomic_store(&sh->odd, 0);
}

static void print_events(const char *phase, const struct evcheck *c)
{
	fprintf(stderr, "# %s: %ld log(s), %ld records read, %ld missed "
		"(sum of dropped_before), last seq %llu; exec %ld (deny %ld, would-deny %ld; "
		"of evil files %ld, swap files %ld, others %ld), mode %ld, list load %ld, "
		"reject %ld; uid 0: %ld, other uids: %ld\n", phase, c->instances,
		c->seen, c->dropped, (unsigned long long)c->last_seq,
		c->by_type[HG_EVENT_EXEC], c->denies, c->would_denies,
		c->refusals[CLS_EVIL], c->refusals[CLS_SWAP], c->refusals[CLS_OTHER],
		c->by_type[HG_EVENT_MODE], c->by_type[HG_EVENT_LIST_LOAD],
		c->by_type[HG_EVENT_LIST_REJECT], c->uid0, c->uid_other);
}

/* delete_module fails while a hash or a reader holds the module: retry. */
static int unload_retry(void)
{
	double until = now() + 10;
	int r;

	while ((r = hg_unload()) == -EAGAIN || r == -EBUSY) {
		if (now() > until)
			break;
		sleep_ms(20);
	}
	return r;
}

TEST_F_TIMEOUT(stress, verdicts_and_events_under_churn, 600)
{
	struct shared *sh = self->sh;
	unsigned int seed = time(NULL), next_reader = 0;
	double end = now() + seconds() * 3 / 4.0;
	uint64_t events, dropped;
	pid_t storms[N_STORMS], churner, scanning, readers[3] = { 0 };
	struct evcheck ev = { 0 };
	struct seqs fwd = { 0 };
	struct verdicts v;
	int i, fd, logfd, bad_children = 0, st;
	long end_dropped;
	size_t delivered;
	glob_t logs;

	/* Each file alone in each phase first: the markers work. */
	ASSERT_EQ(0, calibrate(HG_MODE_AUDIT, LIST_B));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, calibrate(HG_MODE_ENFORCE, LIST_B));
	ASSERT_EQ(0, load_blob(&self->a, 1001));
	ASSERT_EQ(0, calibrate(HG_MODE_ENFORCE, LIST_A));
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, calibrate(HG_MODE_AUDIT, LIST_A));
	ASSERT_EQ(0, load_blob(&self->b, 1002));

	TH_LOG("%d s: churn for %.1f s, then load/unload cycles; seed %u",
	       seconds(), seconds() * 3 / 4.0, seed);
	/* The churn phase's records are accounted from the module's first. */
	unlink(EVLOG);
	logfd = open(EVLOG, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, logfd);
	fd = open_events();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, drain(fd, logfd));
	close(fd);
	close(logfd);
	start_storms(sh, end, storms);
	churner = fork();
	if (churner == 0)
		churn(sh, end, &self->a, &self->b, 1002, seed);
	scanning = fork();
	if (scanning == 0)
		scanner(sh, end);

	/* Three readers at a time, forwarders and taps; each quits soon. */
	while (now() < end) {
		for (i = 0; i < 3; i++) {
			if (readers[i] > 0) {
				pid_t p = waitpid(readers[i], &st, WNOHANG);

				if (p == 0)
					continue;
				if (p < 0 || !status_ok(st, "reader", i))
					bad_children++;
			}
			readers[i] = fork();
			if (readers[i] == 0)
				reader(sh, next_reader, end);
			next_reader++;
		}
		sleep_ms(50);
	}
	for (i = 0; i < 3; i++)
		bad_children += !exited_cleanly(readers[i], "reader", i);
	bad_children += !exited_cleanly(churner, "churn", 0);
	bad_children += !exited_cleanly(scanning, "scanner", 0);
	bad_children += wait_storms(storms);
	EXPECT_EQ(0, bad_children);

	/*
	 * Everything has stopped. Overflow the queue on purpose (mode
	 * records: 32 fit a uid), drain it, then one more record carries the
	 * drops at the tail in its dropped_before.
	 */
	logfd = open(EVLOG_END, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	ASSERT_LE(0, logfd);
	fd = open_events();
	ASSERT_LE(0, fd) TH_LOG("events: %s", strerror(errno));
	ASSERT_EQ(0, drain(fd, logfd));
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, hg_set_mode("enforce"));
		ASSERT_EQ(0, hg_set_mode("audit"));
	}
	ASSERT_EQ(0, drain(fd, logfd));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, drain(fd, logfd));
	close(fd);
	close(logfd);

	fprintf(stderr, "# churn: phases entered: audit+A %ld, audit+B %ld, enforce+A %ld, "
		"enforce+B %ld; readers: %ld read (%ld of them taps), %ld EINVAL, "
		"%ld EFAULT on a first record\n",
		atomic_load(&sh->phases[HG_MODE_AUDIT][LIST_A]),
		atomic_load(&sh->phases[HG_MODE_AUDIT][LIST_B]),
		atomic_load(&sh->phases[HG_MODE_ENFORCE][LIST_A]),
		atomic_load(&sh->phases[HG_MODE_ENFORCE][LIST_B]),
		atomic_load(&sh->readers_opened), atomic_load(&sh->readers_tap),
		atomic_load(&sh->readers_einval), atomic_load(&sh->readers_efault));
	judge_runs(sh, "churn", &v);
	EXPECT_EQ(0, v.unlisted_ran) TH_LOG("unlisted code ran in enforce");
	EXPECT_EQ(0, v.listed_refused) TH_LOG("a listed file was refused");
	EXPECT_EQ(0, v.open_refused) TH_LOG("refused in audit");
	EXPECT_EQ(0, atomic_load(&sh->odd)) TH_LOG("runs that neither ran nor were refused");
	TH_LOG("scans of resident code: %ld", atomic_load(&sh->scans));
	EXPECT_LT(0, atomic_load(&sh->scans));
	EXPECT_EQ(0, atomic_load(&sh->scan_findings)) TH_LOG("a scan found something");
	/*
	 * Not vacuous: programs, programs with a library and dlopen() each
	 * met unlisted files in enforce and ran them in audit; the swap files
	 * met enforce under both lists.
	 */
	{
		long unl[3] = { 0 }, open_ran[3] = { 0 }, swap_listed = 0;

		for (i = 0; i < N_SUBJ; i++) {
			if (subj[i].listing == ALWAYS)
				continue;
			unl[subj[i].kind] += atomic_load(&sh->tries[i][PK_UNLISTED]);
			open_ran[subj[i].kind] += atomic_load(&sh->ran[i][PK_OPEN]);
			if (subj[i].listing == ONLY_A)
				swap_listed += atomic_load(&sh->tries[i][PK_LISTED]);
		}
		for (i = 0; i < 3; i++) {
			EXPECT_LT(0, unl[i]) TH_LOG("kind %d never unlisted in enforce", i);
			EXPECT_LT(0, open_ran[i]) TH_LOG("kind %d never ran unlisted in audit", i);
		}
		EXPECT_LT(0, swap_listed) TH_LOG("swap files never met enforce under list A");
	}

	ASSERT_EQ(0, check_log(EVLOG, &ev, &fwd, true));
	ASSERT_EQ(0, glob(DIR "/reader-*.log", 0, NULL, &logs));
	for (i = 0; i < (int)logs.gl_pathc; i++)
		ASSERT_EQ(0, check_log(logs.gl_pathv[i], &ev,
				       strstr(logs.gl_pathv[i], "-tap-") ? NULL : &fwd, false));
	globfree(&logs);
	end_dropped = ev.dropped;
	ASSERT_EQ(0, check_log(EVLOG_END, &ev, &fwd, false));
	end_dropped = ev.dropped - end_dropped;
	delivered = seqs_distinct(&fwd);
	free(fwd.v);
	events = hg_stat("events");
	dropped = hg_stat("events_dropped");
	print_events("churn", &ev);
	fprintf(stderr, "# churn: stats: events %llu, events_dropped %llu, events_repeated %llu\n",
		(unsigned long long)events, (unsigned long long)dropped,
		(unsigned long long)hg_stat("events_repeated"));
	fprintf(stderr, "# churn: %zu records reached a forwarder\n", delivered);
	EXPECT_EQ(0, ev.bad_seq)
		TH_LOG("a reader lost a record without a count, or read one twice");
	EXPECT_EQ(delivered + dropped, ev.last_seq)
		TH_LOG("a record neither forwarded nor counted as dropped");
	EXPECT_EQ(delivered, events);
	EXPECT_LE(40, end_dropped) TH_LOG("the overflow was not counted");
	EXPECT_EQ(0, ev.bad_mode);
	EXPECT_EQ(0, ev.bad_listed) TH_LOG("an event refuses a listed file");
	EXPECT_EQ(0, ev.bad_swap) TH_LOG("an event refuses a file its list holds");
	EXPECT_LT(0, ev.refusals[CLS_EVIL]);
	EXPECT_LT(0, atomic_load(&sh->readers_opened));
	EXPECT_EQ(0, hg_stat("inflight"));

	/*
	 * Load/unload cycles under the same storms: each instance starts in
	 * audit with no list, gets list A, enforces, goes back to audit and is
	 * unloaded. Its events are read as they come and checked on their own
	 * (seq starts again with each instance).
	 */
	reset_runs(sh);
	memset(&ev, 0, sizeof(ev));
	end = now() + seconds() / 4.0;
	start_storms(sh, end, storms);
	for (i = 0; now() < end; i++) {
		char log[64];
		int r;

		switch_begin(sh);
		r = unload_retry();
		switch_end(sh, MODE_UNLOADED, LIST_NONE);
		if (r) {
			fprintf(stderr, "# cycle %d: unload: %s\n", i, strerror(-r));
			break;
		}
		sleep_ms(200);
		switch_begin(sh);
		r = hg_load(CYCLE_RING_PARAM);
		switch_end(sh, HG_MODE_AUDIT, LIST_NONE);
		if (r) {
			fprintf(stderr, "# cycle %d: load: %s\n", i, strerror(-r));
			break;
		}
		snprintf(log, sizeof(log), DIR "/cycle-%d.log", i);
		logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		fd = open_events();
		if (fd < 0 || logfd < 0)
			break;
		switch_begin(sh);
		r = load_blob(&self->a, 1);
		switch_end(sh, HG_MODE_AUDIT, LIST_A);
		sleep_ms(200);
		r = r ?: drain(fd, logfd);
		switch_begin(sh);
		r = r ?: hg_set_mode("enforce");
		switch_end(sh, HG_MODE_ENFORCE, LIST_A);
		sleep_ms(500);
		r = r ?: drain(fd, logfd);
		switch_begin(sh);
		r = r ?: hg_set_mode("audit");
		switch_end(sh, HG_MODE_AUDIT, LIST_A);
		r = r ?: drain(fd, logfd);
		close(fd);
		close(logfd);
		if (r) {
			fprintf(stderr, "# cycle %d: %d\n", i, r);
			break;
		}
		if (check_log(log, &ev, NULL, true))
			break;
	}
	EXPECT_EQ(0, wait_storms(storms));
	EXPECT_LT(0, i);
	EXPECT_EQ(i, ev.instances) TH_LOG("a cycle failed");
	fprintf(stderr, "# load/unload: %d cycles\n", i);
	judge_runs(sh, "load/unload", &v);
	print_events("load/unload", &ev);
	EXPECT_EQ(0, v.unlisted_ran) TH_LOG("unlisted code ran in enforce");
	EXPECT_EQ(0, v.listed_refused) TH_LOG("a listed file was refused");
	EXPECT_EQ(0, v.open_refused) TH_LOG("refused in audit or unloaded");
	EXPECT_EQ(0, atomic_load(&sh->odd));
	EXPECT_EQ(0, ev.bad_seq);
	EXPECT_EQ(0, ev.bad_mode);
	EXPECT_EQ(0, ev.bad_listed);
	EXPECT_EQ(0, ev.bad_swap);
}

/*
 * A reader's copy that faults (EFAULT) while the queue fills: the record
 * stays the reader's next, nothing is taken from the queue meanwhile, and
 * what the full queue refuses is counted. The stress test only meets that
 * race by chance; here a userfaultfd holds the copy while the queue fills,
 * then the page goes away and the copy fails. The reader must then read
 * that record and every other, each gap covered by dropped_before, and
 * events_dropped must agree.
 */
FIXTURE(ring) {
	int evfd;
	char *page;
	ssize_t ret;
	int err;
};

FIXTURE_SETUP(ring)
{
	/* 8 records a uid; off while the list's programs run. */
	ASSERT_EQ(0, hg_load("event_ring=16 mode=off"));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, hg_copy("/tests/hello", "/tmp/stress-ring-evil", true));
	self->evfd = -1;
}

FIXTURE_TEARDOWN(ring)
{
	if (self->evfd >= 0)
		close(self->evfd);
	hg_set_mode("audit");
	hg_unload();
}

static void *faulting_read(void *arg)
{
	struct _test_data_ring *self = arg;	/* FIXTURE_DATA(ring) */

	self->ret = read(self->evfd, self->page, 4096);
	self->err = errno;
	return NULL;
}

/* Every record now queued, each checked against the seq before it. */
struct accounted {
	uint64_t prev, seen, sum, bad;
};

static void read_accounted(int fd, struct accounted *a)
{
	static char buf[1 << 16];
	struct hg_event *e;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while ((e = hg_next_event(buf, n, &off))) {
			if ((e->seq <= a->prev ||
			     e->seq - a->prev - 1 != e->dropped_before) && a->bad++ < 5)
				fprintf(stderr, "# seq %llu after %llu, dropped_before %llu\n",
					(unsigned long long)e->seq,
					(unsigned long long)a->prev,
					(unsigned long long)e->dropped_before);
			a->seen++;
			a->sum += e->dropped_before;
			a->prev = e->seq;
		}
	}
}

TEST_F_TIMEOUT(ring, a_failed_copy_leaves_the_record_first, 120)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct pollfd pfd = { .events = POLLIN };
	struct uffd_msg msg;
	uint64_t prev, sum, bad, seen, dropped;
	struct accounted acc = { 0 };
	pthread_t t;
	int i, uffd;

	self->evfd = open(HG_FS "/events", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->evfd);
	read_accounted(self->evfd, &acc);	/* what setup queued */
	ASSERT_EQ(0, hg_stat("events_queued"));
	/* Full: 8 records of root's (mode changes), 8 of uid 65534's. */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, hg_set_mode("enforce"));
		ASSERT_EQ(0, hg_set_mode("audit"));
	}
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, hg_exec_as_nobody("/tmp/stress-ring-evil"));
	ASSERT_EQ(16, hg_stat("events_queued"));

	/* The reader copies the first record; the copy waits on the uffd. */
	/* poll(2) on a uffd needs O_NONBLOCK (EPOLLERR otherwise). */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	self->page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	reg.range.start = (unsigned long)self->page;
	reg.range.len = 4096;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pthread_create(&t, NULL, faulting_read, self));
	pfd.fd = uffd;
	ASSERT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("the read never reached the buffer");
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	ASSERT_EQ((unsigned long)self->page, msg.arg.pagefault.address & ~4095UL);
	/* Nothing is taken until it reached the reader. */
	EXPECT_EQ(16, hg_stat("events_queued"));

	/* Root's share is full: a mode change is dropped twice... */
	dropped = hg_stat("events_dropped");
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_set_mode("audit"));
	EXPECT_EQ(16, hg_stat("events_queued"));
	EXPECT_EQ(dropped + 2, hg_stat("events_dropped"));
	/* ...and the copy fails: no page there any more. */
	ASSERT_EQ(0, munmap(self->page, 4096));
	close(uffd);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, self->ret);
	EXPECT_EQ(EFAULT, self->err);

	/* All 16 are still there, the one the copy failed on first. */
	seen = acc.seen;
	read_accounted(self->evfd, &acc);
	EXPECT_EQ(16, acc.seen - seen);
	EXPECT_EQ(0, hg_stat("events_queued"));
	/* Then one more record carries the two drops. */
	ASSERT_EQ(0, hg_set_mode("enforce"));
	read_accounted(self->evfd, &acc);
	seen = acc.seen, sum = acc.sum, prev = acc.prev, bad = acc.bad;
	TH_LOG("%llu records read, %llu dropped, last seq %llu, events_dropped %llu",
	       (unsigned long long)seen, (unsigned long long)sum,
	       (unsigned long long)prev, (unsigned long long)hg_stat("events_dropped"));
	EXPECT_EQ(0, bad) TH_LOG("a gap that dropped_before does not account for");
	EXPECT_EQ(sum, hg_stat("events_dropped"));
}

TEST_HARNESS_MAIN
