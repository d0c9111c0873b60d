// SPDX-License-Identifier: GPL-2.0
/*
 * hgb: the benchmark harness that runs inside the VM (static, on the
 * initramfs). Every timing is taken here with CLOCK_MONOTONIC and printed
 * in nanoseconds; the guest script turns them into result lines.
 *
 *   hgb exec N PROG [ARG]...   fork+exec PROG N times, one after the other
 *   hgb execlist FILE          exec each path listed in FILE once, in order;
 *                              prints "TOTAL FIRST REST_MEDIAN": the whole
 *                              loop, the first exec alone, and the median
 *                              of the others (-1 with fewer than two), so
 *                              that a one-time cost paid by whichever file
 *                              comes first is not spread over the count
 *   hgb time CMD [ARG]...      wall time of one command (its output kept)
 *   hgb rewrite FILE...        rewrite each file's first byte with itself:
 *                              content unchanged, mtime/ctime/i_version move,
 *                              so every integrity system sees a changed file
 *   hgb evread OUT             read hashgate event records until SIGTERM,
 *                              then write "records exec_records dropped_before
 *                              last_seq" to OUT
 *   hgb genlist N SEED         print N distinct pseudo-random digest lines
 *   hgb meminfo                print "slab_kb vmalloc_kb" from /proc/meminfo
 *   hgb writefile SRC DST      time open(DST) + one write(2) of all of SRC
 *                              (an allowlist blob into securityfs)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run1(char *const argv[], int quiet)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmd_exec(int argc, char **argv)
{
	long n = atol(argv[2]), i, fails = 0;
	long long t0 = now_ns();

	(void)argc;
	for (i = 0; i < n; i++)
		if (run1(argv + 3, 1))
			fails++;
	printf("%lld\n", now_ns() - t0);
	if (fails)
		fprintf(stderr, "hgb exec: %ld of %ld runs of %s failed\n", fails, n, argv[3]);
	return fails ? 1 : 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int cmd_execlist(char *file)
{
	static char *paths[100000];
	static long long each[100000];
	char line[4096];
	long n = 0, i, fails = 0;
	long long t0, total, rest = -1;
	FILE *f = fopen(file, "r");

	if (!f) {
		perror(file);
		return 1;
	}
	while (n < 100000 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		paths[n++] = strdup(line);
	}
	fclose(f);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		char *av[] = { paths[i], NULL };
		long long t = now_ns();

		if (run1(av, 1))
			fails++;
		each[i] = now_ns() - t;
	}
	total = now_ns() - t0;
	/* The median of the others: robust to a stray slow exec among them. */
	if (n > 1) {
		qsort(each + 1, n - 1, sizeof(each[0]), cmp_ll);
		rest = n % 2 ? (each[n / 2] + each[n / 2 + 1]) / 2 : each[n / 2];
	}
	printf("%lld %lld %lld\n", total, n ? each[0] : -1, rest);
	if (fails)
		fprintf(stderr, "hgb execlist: %ld of %ld failed\n", fails, n);
	return fails ? 1 : 0;
}

static int cmd_time(char **argv)
{
	long long t0 = now_ns();
	int rc = run1(argv, 1);

	printf("%lld\n", now_ns() - t0);
	if (rc)
		fprintf(stderr, "hgb time: %s exited %d\n", argv[0], rc);
	return rc ? 1 : 0;
}

static int cmd_rewrite(int argc, char **argv)
{
	int i, rc = 0;

	for (i = 2; i < argc; i++) {
		char c;
		int fd = open(argv[i], O_RDWR);

		if (fd < 0 || pread(fd, &c, 1, 0) != 1 || pwrite(fd, &c, 1, 0) != 1) {
			perror(argv[i]);
			rc = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The layout of struct hg_event that matters here (uapi/hashgate.h). */
static int cmd_evread(const char *out)
{
	static unsigned char buf[1 << 16];
	unsigned long long records = 0, execs = 0, dropped = 0, last_seq = 0;
	struct sigaction sa = { .sa_handler = on_term };
	int fd = open("/sys/kernel/security/hashgate/events", O_RDONLY);
	FILE *f;

	if (fd < 0) {
		perror("events");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: read() returns EINTR */
	while (!stop) {
		ssize_t n = read(fd, buf, sizeof(buf)), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		while (off + 80 <= n) {
			uint32_t size;
			uint64_t seq, db;

			memcpy(&size, buf + off, 4);
			memcpy(&seq, buf + off + 8, 8);
			memcpy(&db, buf + off + 16, 8);
			records++;
			if (buf[off + 5] == 1)
				execs++;
			dropped += db;
			last_seq = seq;
			if (!size)
				break;
			off += size;
		}
	}
	f = fopen(out, "w");
	if (!f)
		return 1;
	fprintf(f, "%llu %llu %llu %llu\n", records, execs, dropped, last_seq);
	fclose(f);
	return 0;
}

/* splitmix64: distinct seeds give independent streams; 256-bit collisions are moot. */
static uint64_t sm(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmd_genlist(long n, uint64_t seed)
{
	long i;
	int k;

	printf("# hashgate-serial: %llu\n", (unsigned long long)seed);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++)
			printf("%016llx", (unsigned long long)sm(&seed));
		printf("  /g/%ld\n", i);
	}
	return 0;
}

static int cmd_meminfo(void)
{
	char line[256];
	long slab = -1, vm = -1, v;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", &v) == 1)
			slab = v;
		else if (sscanf(line, "VmallocUsed: %ld", &v) == 1)
			vm = v;
	}
	fclose(f);
	printf("%ld %ld\n", slab, vm);
	return 0;
}

static int cmd_writefile(const char *src, const char *dst)
{
	FILE *f = fopen(src, "rb");
	long size;
	char *buf;
	long long t0;
	int fd;
	ssize_t n;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0) {
		perror(src);
		return 1;
	}
	rewind(f);
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size) {
		perror(src);
		return 1;
	}
	fclose(f);
	t0 = now_ns();
	fd = open(dst, O_WRONLY);
	n = fd < 0 ? -1 : write(fd, buf, size);
	if (fd >= 0)
		close(fd);
	printf("%lld\n", now_ns() - t0);
	if (n != size) {
		perror(dst);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "exec") && argc > 3)
		return cmd_exec(argc, argv);
	if (!strcmp(c, "execlist") && argc == 3)
		return cmd_execlist(argv[2]);
	if (!strcmp(c, "time") && argc > 2)
		return cmd_time(argv + 2);
	if (!strcmp(c, "rewrite"))
		return cmd_rewrite(argc, argv);
	if (!strcmp(c, "evread") && argc == 3)
		return cmd_evread(argv[2]);
	if (!strcmp(c, "genlist") && argc == 4)
		return cmd_genlist(atol(argv[2]), strtoull(argv[3], NULL, 0));
	if (!strcmp(c, "writefile") && argc == 4)
		return cmd_writefile(argv[2], argv[3]);
	if (!strcmp(c, "meminfo"))
		return cmd_meminfo();
	fprintf(stderr, "usage: see the comment at the top of scripts/bench/hgb.c\n");
	return 2;
}
