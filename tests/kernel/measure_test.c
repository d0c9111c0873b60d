// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement list (module/measurements.c): one ima-ng entry per
 * distinct (digest, name) allowed to run, would-denies marked, every
 * allowlist and mode change recorded, a cap that ends in one overflow
 * entry, and, with a TPM, a list that ima-evm-utils' evmctl replays to the
 * PCR read from the TPM.
 */
#include <grp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define HELLO		"/tests/hello"
#define LIST_BUF	(4 << 20)
#define TPM_PCR_DIR	"/sys/class/tpm/tpm0"

/* A whole securityfs file (a seq_file gives a page per read). */
static ssize_t read_all(const char *file, char *buf, size_t size, size_t chunk)
{
	char path[256];
	size_t done = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), HG_FS "/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (done < size - 1) {
		size_t want = size - 1 - done;

		n = read(fd, buf + done, chunk && chunk < want ? chunk : want);
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	buf[done] = '\0';
	return done;
}

static int sha256_hex(const char *file, char hex[65])
{
	char cmd[512];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum %s", file);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fscanf(p, "%64s", hex) == 1;
	pclose(p);
	return ok && strlen(hex) == 64 ? 0 : -1;
}

/* Lines of the ASCII list whose digest and name are these. */
static int count_entries(const char *list, const char *hex, const char *name)
{
	char want[8192];
	const char *p;
	int n = 0;

	snprintf(want, sizeof(want), " ima-ng sha256:%s %s\n", hex, name);
	for (p = list; (p = strstr(p, want)); p += strlen(want))
		n++;
	return n;
}

/* The number of lines naming @name, whatever their digest. */
static int count_named(const char *list, const char *name)
{
	const char *line, *sp;
	int n = 0;

	for (line = list; *line; line = strchr(line, '\n') + 1) {
		sp = strchr(line, ' ');
		sp = sp ? strchr(sp + 1, ' ') : NULL;	/* template */
		sp = sp ? strchr(sp + 1, ' ') : NULL;	/* digest */
		sp = sp ? strchr(sp + 1, ' ') : NULL;	/* name */
		if (sp && !strncmp(sp + 1, name, strlen(name)) &&
		    sp[1 + strlen(name)] == '\n')
			n++;
		if (!strchr(line, '\n'))
			break;
	}
	return n;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static bool have_tpm(void)
{
	return access(TPM_PCR_DIR, F_OK) == 0;
}

/*
 * TPM2_PCR_Reset of PCR 23 with an empty password session. Every module
 * load of this boot extended it; a list starts with its load. (That root
 * can do this is what Documentation/admin-guide.rst says of PCR 23.)
 */
static int tpm_reset_pcr23(void)
{
	static const unsigned char cmd[] = {
		0x80, 0x02,			/* TPM_ST_SESSIONS */
		0x00, 0x00, 0x00, 0x1b,		/* size: 27 */
		0x00, 0x00, 0x01, 0x3d,		/* TPM2_CC_PCR_Reset */
		0x00, 0x00, 0x00, 0x17,		/* PCR 23 */
		0x00, 0x00, 0x00, 0x09,		/* authorization size */
		0x40, 0x00, 0x00, 0x09,		/* TPM_RS_PW */
		0x00, 0x00,			/* nonce */
		0x00,				/* session attributes */
		0x00, 0x00,			/* hmac */
	};
	unsigned char rsp[64];
	ssize_t n;
	int fd = open("/dev/tpmrm0", O_RDWR);

	if (fd < 0)
		fd = open("/dev/tpm0", O_RDWR);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd, sizeof(cmd));
	if (n == sizeof(cmd))
		n = read(fd, rsp, sizeof(rsp));
	close(fd);
	if (n < 10)
		return -EIO;
	/* The response code, big-endian at offset 6: 0 is success. */
	return rsp[6] | rsp[7] | rsp[8] | rsp[9] ? -EPROTO : 0;
}

FIXTURE(measure) {
	char *list;
};

FIXTURE_SETUP(measure)
{
	self->list = malloc(LIST_BUF);
	ASSERT_NE(NULL, self->list);
	ASSERT_EQ(0, hg_load(""));
}

FIXTURE_TEARDOWN(measure)
{
	free(self->list);
	hg_set_mode("audit");
	hg_unload();
}

/* The first entry says what anchors the list, and stats agree. */
TEST_F(measure, the_first_entry_says_whether_a_tpm_is_extended)
{
	char first[128];

	ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));
	snprintf(first, sizeof(first), "hashgate:start pcr=23 tpm=%s\n",
		 have_tpm() ? "present" : "none");
	TH_LOG("first entry: %.*s", (int)strcspn(self->list, "\n"), self->list);
	ASSERT_NE(NULL, strstr(self->list, first));
	EXPECT_EQ(strstr(self->list, first) + strlen(first),
		  strchr(self->list, '\n') + 1);
	EXPECT_EQ(have_tpm() ? 1 : 0, hg_stat("measure_tpm"));
	EXPECT_EQ(23, hg_stat("measure_pcr"));
}

/* Fifty runs of one program are one entry; a copy elsewhere is another. */
TEST_F(measure, a_program_run_many_times_is_one_entry_per_path)
{
	char *const argv[] = { HELLO, NULL };
	char *const argv2[] = { "/tmp/hg-hello2", NULL };
	char hex[65];
	uint64_t before;
	int i;

	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/hg-hello2", false));
	ASSERT_EQ(0, sha256_hex(HELLO, hex));
	for (i = 0; i < 50; i++)
		ASSERT_EQ(0, hg_exec(HELLO, argv));
	before = hg_stat("measure_entries");
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, hg_exec(HELLO, argv));
		ASSERT_EQ(0, hg_exec(argv2[0], argv2));
	}
	ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));
	EXPECT_EQ(1, count_entries(self->list, hex, HELLO));
	EXPECT_EQ(1, count_entries(self->list, hex, "/tmp/hg-hello2"));
	/* The copy, and nothing else: the loader and libc were there. */
	EXPECT_EQ(before + 1, hg_stat("measure_entries"));
	EXPECT_EQ(hg_stat("measure_entries"), lines(self->list));
	unlink("/tmp/hg-hello2");
}

/* No two entries of the whole list share their digest and name. */
TEST_F(measure, no_entry_repeats_another)
{
	char *const argv[] = { "/bin/sh", "-c", "ls / >/dev/null; true", NULL };
	int i;

	ASSERT_EQ(0, hg_allow_all(1));
	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, hg_exec("/bin/sh", argv));
	ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));
	ASSERT_EQ(0, hg_sh("cut -d' ' -f4- " HG_FS "/measurements | sort | "
			   "uniq -d > /tmp/hg-dups"));
	EXPECT_EQ(0, hg_sh("test ! -s /tmp/hg-dups"));
	if (hg_sh("test ! -s /tmp/hg-dups"))
		hg_sh("sed 's/^/# repeated: /' /tmp/hg-dups");
}

/* The allowlist that became active, with the digest its event gives. */
TEST_F(measure, an_allowlist_load_is_measured_with_its_digest)
{
	static char ev[1 << 20];
	char want[256];
	struct hg_event *e;
	size_t off = 0;
	ssize_t len;
	int i, found = 0;

	hg_events(ev, sizeof(ev));
	ASSERT_EQ(0, hg_allow_all(7));
	len = hg_events(ev, sizeof(ev));
	while ((e = hg_next_event(ev, len, &off))) {
		if (e->type != HG_EVENT_LIST_LOAD)
			continue;
		i = snprintf(want, sizeof(want), " ima-ng sha256:");
		for (int b = 0; b < HG_DIGEST_SIZE; b++)
			i += snprintf(want + i, sizeof(want) - i, "%02x",
				      e->digest[b]);
		snprintf(want + i, sizeof(want) - i,
			 " hashgate:allowlist serial=7 signer=unsigned\n");
		found++;
	}
	ASSERT_EQ(1, found);
	ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));
	EXPECT_NE(NULL, strstr(self->list, want));
}

/*
 * Audit mode: what would be denied is measured, marked so; enforce lists
 * nothing it denied. Mode changes are entries of their own.
 */
TEST_F(measure, would_denies_are_marked_and_denials_not_listed)
{
	char *const argv[] = { "/tmp/hg-tampered", NULL };
	char *const argv2[] = { "/tmp/hg-tampered2", NULL };
	char hex[65], name[128];

	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/hg-tampered", true));
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/hg-tampered2", true));
	ASSERT_EQ(0, hg_sh("echo x >> /tmp/hg-tampered2"));
	ASSERT_EQ(0, sha256_hex("/tmp/hg-tampered", hex));
	ASSERT_EQ(0, hg_exec(argv[0], argv));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(1000 + EACCES, hg_exec(argv2[0], argv2));
	ASSERT_EQ(0, hg_set_mode("audit"));

	ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));
	snprintf(name, sizeof(name), "hashgate:would-deny:%s", argv[0]);
	EXPECT_EQ(1, count_entries(self->list, hex, name));
	EXPECT_EQ(0, count_named(self->list, argv[0]));
	EXPECT_EQ(0, count_named(self->list, argv2[0]));
	snprintf(name, sizeof(name), "hashgate:would-deny:%s", argv2[0]);
	EXPECT_EQ(0, count_named(self->list, name));
	EXPECT_EQ(1, count_named(self->list, "hashgate:mode enforce"));
	EXPECT_EQ(1, count_named(self->list, "hashgate:mode audit"));
	/* In their order: enforce came first. */
	EXPECT_LT(strstr(self->list, " hashgate:mode enforce\n"),
		  strstr(self->list, " hashgate:mode audit\n"));
	unlink(argv[0]);
	unlink(argv2[0]);
}

/* Read the binary list to its end, seek back to 0, read @len again. */
static ssize_t reread_after_seek(char *buf, size_t len)
{
	int fd = open(HG_FS "/binary_measurements", O_RDONLY);
	size_t got = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	do
		r = read(fd, buf, 4096);
	while (r > 0);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	memset(buf, 0, len);
	while (got < len && (r = read(fd, buf + got, 1000)) > 0)
		got += r;
	close(fd);
	return got;
}

/*
 * The binary list, read 7 bytes at a time (a seq_file restarts at every
 * read), is the same as read at once, and each of its entries is the
 * ASCII list's line.
 */
TEST_F(measure, the_binary_list_reads_the_same_in_any_chunks)
{
	static char whole[LIST_BUF], bits[LIST_BUF];
	ssize_t a, b;
	size_t off = 0;
	int n = 0;

	ASSERT_EQ(0, hg_allow_all(1));
	a = read_all("binary_measurements", whole, sizeof(whole), 0);
	b = read_all("binary_measurements", bits, sizeof(bits), 7);
	ASSERT_LT(0, a);
	ASSERT_EQ(a, b);
	ASSERT_EQ(0, memcmp(whole, bits, a));
	/* Read to the end, back to the start, read again: the same. */
	memset(bits, 0, a);
	ASSERT_EQ(a, reread_after_seek(bits, a));
	ASSERT_EQ(0, memcmp(whole, bits, a));
	ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));

	while (off + 8 + 20 + 4 <= (size_t)a) {
		uint32_t pcr, tlen, dlen, d_len, n_len;
		char line[8192], *p = whole + off;
		int i, k;

		memcpy(&pcr, p, 4);
		memcpy(&tlen, p + 24, 4);
		ASSERT_EQ(23, pcr);
		ASSERT_EQ(6, tlen);
		ASSERT_EQ(0, memcmp(p + 28, "ima-ng", 6));
		memcpy(&dlen, p + 34, 4);
		ASSERT_LE(off + 38 + dlen, (size_t)a);
		memcpy(&d_len, p + 38, 4);
		ASSERT_EQ(40, d_len);
		ASSERT_EQ(0, memcmp(p + 42, "sha256:", 8));
		memcpy(&n_len, p + 82, 4);
		ASSERT_EQ(dlen, 4 + 40 + 4 + n_len);
		ASSERT_EQ('\0', p[86 + n_len - 1]);
		k = snprintf(line, sizeof(line), "23 ");
		for (i = 0; i < 20; i++)
			k += snprintf(line + k, sizeof(line) - k, "%02x",
				      (unsigned char)p[4 + i]);
		k += snprintf(line + k, sizeof(line) - k, " ima-ng sha256:");
		for (i = 0; i < 32; i++)
			k += snprintf(line + k, sizeof(line) - k, "%02x",
				      (unsigned char)p[50 + i]);
		snprintf(line + k, sizeof(line) - k, " %s\n", p + 86);
		EXPECT_NE(NULL, strstr(self->list, line));
		off += 38 + dlen;
		n++;
	}
	EXPECT_EQ((size_t)a, off);
	EXPECT_EQ(lines(self->list), n);
	EXPECT_EQ(hg_stat("measure_entries"), n);
	/* The tool prints the kernel's binary list as the kernel's text. */
	EXPECT_EQ(0, hg_sh("hashgate measurements >/tmp/hg-ml.txt && "
			   "cmp /tmp/hg-ml.txt " HG_FS "/measurements"));
}

/*
 * Past measure_max: one overflow entry ends the list, what follows is only
 * counted, and programs still run.
 */
TEST(the_cap_ends_the_list_with_one_overflow_entry)
{
	static char list[LIST_BUF];
	char path[64], *argv[2] = { path, NULL };
	int i;

	ASSERT_EQ(0, hg_load("measure_max=6"));
	ASSERT_EQ(0, hg_allow_all(1));
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/tmp/hg-capped%d", i);
		ASSERT_EQ(0, hg_copy(HELLO, path, false));
		EXPECT_EQ(0, hg_exec(path, argv));
	}
	ASSERT_LT(0, read_all("measurements", list, sizeof(list), 0));
	TH_LOG("list:\n%s", list);
	EXPECT_EQ(6, lines(list));
	EXPECT_EQ(6, hg_stat("measure_entries"));
	EXPECT_EQ(1, count_named(list, "hashgate:overflow max=6"));
	EXPECT_NE(NULL, strstr(list, " hashgate:overflow max=6\n"));
	EXPECT_EQ(strstr(list, " hashgate:overflow max=6\n") +
		  strlen(" hashgate:overflow max=6\n"), list + strlen(list));
	EXPECT_LE(4, hg_stat("measure_dropped"));
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/tmp/hg-capped%d", i);
		unlink(path);
	}
	hg_unload();
}

/* The start of @pid's first executable mapping of @name, or 0. */
static unsigned long text_start(pid_t pid, const char *name)
{
	char path[64], line[1024], perms[8];
	unsigned long s = 0, e, off, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s %lx", &s, &e, perms, &off) == 4 &&
		    perms[2] == 'x' && strstr(line, name))
			found = s;
	fclose(f);
	return found;
}

/*
 * Code written into a running listed program through ptrace (let through
 * by anon_exec=audit) is found by the scan, and the finding is an entry.
 */
TEST_F(measure, a_runtime_finding_is_an_entry)
{
	char want[128];
	unsigned long start;
	int st, i, out[2];
	long word;
	pid_t pid;

	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(HELLO, HELLO, "--sleep", "60", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	/* hello prints its line, then sleeps: past the loader by then. */
	ASSERT_LT(0, read(out[0], want, sizeof(want)));
	close(out[0]);
	start = text_start(pid, HELLO);
	ASSERT_NE(0, start);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, 0));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)start, 0);
	ASSERT_EQ(0, errno);
	ASSERT_EQ(0, ptrace(PTRACE_POKETEXT, pid, (void *)start,
			    (void *)(word ^ 0xff)));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, 0, 0));
	ASSERT_EQ(0, hg_write("scan", "1", 1));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* Found by the scanner, extended by a worker: a moment later. */
	snprintf(want, sizeof(want),
		 " hashgate:runtime code-modified pid=%d offset=", pid);
	for (i = 0; i < 50; i++) {
		ASSERT_LT(0, read_all("measurements", self->list, LIST_BUF, 0));
		if (strstr(self->list, want))
			break;
		usleep(100000);
	}
	EXPECT_NE(NULL, strstr(self->list, want));
	EXPECT_NE(NULL, strstr(self->list, " path=" HELLO "\n"));
	if (!strstr(self->list, want)) {
		hg_sh("head -n 5 " HG_FS "/scan | sed 's/^/# scan: /'");
		TH_LOG("list:\n%s", self->list);
	}
}

/*
 * An unprivileged user who runs a listed program under ever new paths
 * fills only the users' half of the list: past it one overflow entry for
 * users, and what root runs after is still measured.
 */
TEST(a_user_cannot_crowd_the_system_out_of_the_list)
{
	char *const root_argv[] = { "/tmp/hg-root-after", NULL };
	static char list[LIST_BUF];
	char path[128];
	int i, st;
	pid_t pid;

	ASSERT_EQ(0, hg_load("measure_max=60"));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_sh("mkdir -p /tmp/hg-user && chmod 1777 /tmp/hg-user"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[2] = { path, NULL };

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(99);
		for (i = 0; i < 40; i++) {
			snprintf(path, sizeof(path), "/tmp/hg-user/copy-%d", i);
			if (hg_copy(HELLO, path, false) || hg_exec(path, argv))
				_exit(98);
		}
		_exit(0);
	}
	st = hg_wait(pid);
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, hg_copy(HELLO, "/tmp/hg-root-after", false));
	ASSERT_EQ(0, hg_exec(root_argv[0], root_argv));
	ASSERT_LT(0, read_all("measurements", list, sizeof(list), 0));
	EXPECT_EQ(1, count_named(list, "hashgate:overflow users bytes=7680"));
	EXPECT_EQ(0, count_named(list, "hashgate:overflow max=60"));
	EXPECT_EQ(1, count_named(list, "/tmp/hg-root-after"));
	EXPECT_LT(0, hg_stat("measure_dropped"));
	if (count_named(list, "/tmp/hg-root-after") != 1)
		TH_LOG("list:\n%s", list);
	hg_sh("rm -rf /tmp/hg-user /tmp/hg-root-after");
	hg_unload();
}

/*
 * evmctl 1.4 reads no TPM 2.0 PCRs itself (it wants tsspcrread) and then
 * exits 0: give it the PCRs the kernel reads from the TPM, in its --pcrs
 * files ("PCR-NN HEX" lines). Read them before the list, so that the list
 * can only be longer than what they cover.
 */
static int pcr_files(void)
{
	return hg_sh("for b in sha1 sha256; do for i in $(seq 0 23); do "
		     "printf 'PCR-%%02d %%s\\n' $i \"$(cat " TPM_PCR_DIR "/pcr-$b/$i)\"; "
		     "done >/tmp/hg-pcrs-$b || exit 1; done");
}

/*
 * Replay @list with evmctl; 0 only when it exits 0, says every bank
 * matched, and matched at the list's last entry (@entries of them): it
 * stops at the first entry where the banks match, so entries appended
 * after that would go unread.
 */
static int evmctl_replays(const char *list, int entries)
{
	char want[64];
	int ret;

	ret = hg_sh("evmctl -v ima_measurement --pcrs sha256,/tmp/hg-pcrs-sha256"
		    " --pcrs sha1,/tmp/hg-pcrs-sha1 %s >/tmp/hg-evmctl.out 2>&1",
		    list);
	hg_sh("grep -E 'Matched|Failed|succeed|Invalid' /tmp/hg-evmctl.out | "
	      "sed 's/^/# evmctl: /'");
	if (ret)
		return ret;
	if (hg_sh("grep -q '^Matched per TPM bank calculated digest' /tmp/hg-evmctl.out"))
		return -1;
	snprintf(want, sizeof(want), "sha256 PCR-23: succeed at entry %d",
		 entries);
	return hg_sh("grep -qx '%s' /tmp/hg-evmctl.out", want) ? -2 : 0;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * With a TPM: ima-evm-utils' evmctl (Debian's, not ours) replays the list
 * to the PCR the kernel reads from the TPM; one byte changed in a copy of
 * the list, or one entry left out, makes it fail. Our own replay agrees.
 */
TEST_F(measure, evmctl_replays_the_list_to_the_tpm_pcr)
{
	char *const argv[] = { "/bin/sh", "-c", "ls >/dev/null", NULL };
	static char bin[LIST_BUF];
	int entries;
	ssize_t n;

	if (!have_tpm())
		SKIP(return, "no TPM in this guest");
	ASSERT_EQ(0, access("/usr/bin/evmctl", X_OK));
	hg_unload();
	ASSERT_EQ(0, tpm_reset_pcr23());
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_exec("/bin/sh", argv));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_set_mode("audit"));

	ASSERT_EQ(0, pcr_files());
	n = read_all("binary_measurements", bin, sizeof(bin), 0);
	ASSERT_LT(0, n);
	entries = hg_stat("measure_entries");
	ASSERT_LT(3, entries);
	ASSERT_EQ(0, write_file("/tmp/hg-ml.bin", bin, n));
	EXPECT_EQ(0, evmctl_replays("/tmp/hg-ml.bin", entries));
	EXPECT_EQ(0, hg_sh("hashgate measurements --verify-pcr >/dev/null"));

	/* A byte of the first entry's name. */
	bin[86 + 5] ^= 1;
	ASSERT_EQ(0, write_file("/tmp/hg-ml-edited.bin", bin, n));
	EXPECT_NE(0, evmctl_replays("/tmp/hg-ml-edited.bin", entries));
	EXPECT_NE(0, hg_sh("hashgate measurements --file /tmp/hg-ml-edited.bin"
			   " --verify-pcr >/dev/null 2>&1"));
	bin[86 + 5] ^= 1;

	/* The list without its last entry: the PCR holds one more. */
	{
		size_t off = 0, last = 0;
		uint32_t dlen;

		while (off < (size_t)n) {
			last = off;
			memcpy(&dlen, bin + off + 34, 4);
			off += 38 + dlen;
		}
		ASSERT_EQ(0, write_file("/tmp/hg-ml-short.bin", bin, last));
	}
	EXPECT_NE(0, evmctl_replays("/tmp/hg-ml-short.bin", entries - 1));
	EXPECT_EQ(6, hg_sh("hashgate measurements --file /tmp/hg-ml-short.bin"
			   " --verify-pcr >/dev/null 2>&1"));
}

TEST_HARNESS_MAIN
