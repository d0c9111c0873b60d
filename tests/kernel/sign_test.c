// SPDX-License-Identifier: GPL-2.0
/*
 * Signed allowlists, verified in the kernel with its PKCS#7 code: only keys
 * root added before locking count, one flipped byte is refused, serials
 * never go back. Fixtures come from make-sign-fixtures (openssl CLI).
 */
#include "hg_test.h"
#include "kselftest_harness.h"

#define FX "/tests/sign/"

static char *hello_argv[] = { "hello", NULL };

/* Write a whole file to a securityfs file in one write; 0 or -errno. */
static int write_from(const char *sfs, const char *path)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return -EIO;
	return hg_write(sfs, buf, n);
}

static int load(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), FX "%s", name);
	return write_from("allowlist", path);
}

static unsigned long serial(void)
{
	char buf[64];

	if (hg_read_text("allowlist", buf, sizeof(buf)))
		return -1;
	return strtoul(buf, NULL, 10);
}

/* The last record of type @type in the stream, copied to @e. */
static bool last_event(int type, struct hg_event *e, char *text, size_t size)
{
	static char buf[1 << 20];
	ssize_t n = hg_events(buf, sizeof(buf));
	struct hg_event *r;
	size_t off = 0;
	bool found = false;

	while ((r = hg_next_event(buf, n, &off))) {
		if (r->type != type)
			continue;
		*e = *r;
		snprintf(text, size, "%.*s", r->path_len, hg_event_path(r));
		found = true;
	}
	return found;
}

FIXTURE(sig) {
};

FIXTURE_SETUP(sig)
{
	ASSERT_EQ(0, hg_load("require_signature=1"));
	ASSERT_EQ(0, write_from("keys", FX "rsa.der"));
}

FIXTURE_TEARDOWN(sig)
{
	hg_set_mode("audit");
	hg_unload();
}

TEST_F(sig, signed_list_loads_and_names_its_signer)
{
	char text[256], keys[1024], active[512], want[128], hex[2 * HG_DIGEST_SIZE + 1];
	struct hg_event e;
	int i;

	ASSERT_EQ(0, load("rsa10.hgl"));
	EXPECT_EQ(10, serial());
	ASSERT_TRUE(last_event(HG_EVENT_LIST_LOAD, &e, text, sizeof(text)));
	EXPECT_TRUE(e.flags & HG_EVENT_F_SIGNED);
	EXPECT_TRUE(e.flags & HG_EVENT_F_DIGEST);
	EXPECT_EQ(10, e.list_serial);
	EXPECT_NE(NULL, strstr(text, "hashgate test rsa")) TH_LOG("signer '%s'", text);
	ASSERT_EQ(0, hg_read_text("keys", keys, sizeof(keys)));
	EXPECT_NE(NULL, strstr(keys, "hashgate test rsa"));
	/* The allowlist file names the list's digest and signer (hashgate apply). */
	ASSERT_EQ(0, hg_read_text("allowlist", active, sizeof(active)));
	for (i = 0; i < HG_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", e.digest[i]);
	snprintf(want, sizeof(want), " sha256:%s ", hex);
	EXPECT_EQ(0, strncmp(active, "10 ", 3)) TH_LOG("'%s'", active);
	ASSERT_NE(NULL, strstr(active, want)) TH_LOG("'%s', want '%s'", active, want);
	EXPECT_NE(NULL, strstr(strstr(active, want) + strlen(want), "hashgate test rsa"))
		TH_LOG("'%s'", active);
}

TEST_F(sig, allowlist_file_without_a_list)
{
	char active[64];

	ASSERT_EQ(0, hg_read_text("allowlist", active, sizeof(active)));
	EXPECT_STREQ("0 0 - -\n", active);
}

TEST_F(sig, one_flipped_byte_is_refused_and_the_old_list_enforces)
{
	struct hg_event e;
	char text[256];

	ASSERT_EQ(0, load("rsa10.hgl"));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(-EKEYREJECTED, load("rsa13-flip-blob.hgl"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_BAD_SIGNATURE, e.reason);
	EXPECT_EQ(-EKEYREJECTED, load("rsa13-flip-sig.hgl"));
	EXPECT_EQ(10, serial());
	/* Still enforcing list 10: hello runs, a tampered copy does not. */
	EXPECT_EQ(0, hg_exec("/tests/hello", hello_argv));
	ASSERT_EQ(0, hg_copy("/tests/hello", "/tmp/evil", true));
	EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/evil", hello_argv));
	unlink("/tmp/evil");
}

TEST_F(sig, untrusted_key_and_unsigned_are_refused)
{
	struct hg_event e;
	char text[256];

	EXPECT_EQ(-ENOKEY, load("other12.hgl"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_UNKNOWN_KEY, e.reason);
	EXPECT_EQ(12, e.list_serial);
	EXPECT_EQ(-EACCES, load("unsigned10.hgl"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_UNSIGNED, e.reason);
	EXPECT_EQ(0, serial());
}

TEST_F(sig, serials_never_go_back)
{
	struct hg_event e;
	char text[256];

	ASSERT_EQ(0, load("rsa11.hgl"));
	EXPECT_EQ(-ESTALE, load("rsa9.hgl"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_ROLLBACK, e.reason);
	/* The same serial: only with the same content. */
	EXPECT_EQ(0, load("rsa11.hgl"));
	EXPECT_EQ(-ESTALE, load("rsa11-other.hgl"));
	EXPECT_EQ(11, serial());
	ASSERT_EQ(0, load("rsa13.hgl"));
	EXPECT_EQ(13, serial());
}

TEST_F(sig, ecdsa_p256)
{
	int ret = write_from("keys", FX "ec.der");

	/*
	 * Debian's 6.1 cloud kernel is built without CONFIG_CRYPTO_ECDSA: the
	 * X.509 parser finds no "ecdsa-nist-p256" and says ENOENT.
	 */
	if (ret == -ENOPKG || ret == -EBADMSG || ret == -ENOENT)
		SKIP(return, "this kernel cannot parse ECDSA certificates (%d)", ret);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, load("ec12.hgl"));
	EXPECT_EQ(12, serial());
}

TEST_F(sig, non_root_can_do_none_of_it)
{
	pid_t pid = fork();
	int st;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (write_from("keys", FX "other.der") != -EACCES)
			_exit(11);
		if (load("rsa11.hgl") != -EACCES)
			_exit(12);
		if (hg_write("keys_lock", "1", 1) != -EACCES)
			_exit(13);
		_exit(0);
	}
	st = hg_wait(pid);
	EXPECT_EQ(0, st) TH_LOG("step %d", st);
	EXPECT_EQ(0, serial());
}

/*
 * The floor's tests load and unload the module several times: a few
 * seconds each under TCG on a busy host, past the harness's default 30 s.
 */
FIXTURE(reload) {
	int unused;
};

FIXTURE_SETUP(reload)
{
}

FIXTURE_TEARDOWN(reload)
{
}

TEST_F_TIMEOUT(reload, min_serial_is_a_floor_from_load_time, 300)
{
	ASSERT_EQ(0, hg_load("min_serial=11"));
	ASSERT_EQ(0, write_from("keys", FX "rsa.der"));
	EXPECT_EQ(-ESTALE, load("rsa10.hgl"));
	EXPECT_EQ(0, load("rsa11.hgl"));
	/* Without require_signature, unsigned lists load as before. */
	EXPECT_EQ(-ESTALE, load("unsigned10.hgl"));
	hg_unload();
	ASSERT_EQ(0, hg_load(""));
	EXPECT_EQ(0, load("unsigned10.hgl"));
	hg_unload();
}

/*
 * The rollback floor across a reload, through the tool: 'hashgate load'
 * records the serial under $HASHGATE_STATE_DIR, 'hashgate module load'
 * passes it back as min_serial, and a list below it is refused.
 */
#define FLOOR "/tmp/t-floor"

static bool sysfs_min_serial_is(unsigned long want)
{
	char buf[64];
	ssize_t n;
	int fd = open("/sys/module/hashgate/parameters/min_serial", O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10) == want;
}

/* A private state directory, and the module unloaded. */
static int floor_setup(void)
{
	if (hg_loaded()) {
		hg_set_mode("audit");
		if (hg_unload())
			return -1;
	}
	setenv("HASHGATE_STATE_DIR", FLOOR "/state", 1);
	return hg_sh("rm -rf " FLOOR " && mkdir -p " FLOOR " && "
		     "sha256sum /tests/hello /bin/busybox > " FLOOR "/list");
}

static void floor_teardown(void)
{
	hg_set_mode("audit");
	hg_unload();
	unsetenv("HASHGATE_STATE_DIR");
}

TEST_F_TIMEOUT(reload, rollback_floor_survives_a_reload_through_the_tool, 300)
{
	struct hg_event e;
	char text[256];

	ASSERT_EQ(0, floor_setup());
	ASSERT_EQ(0, hg_sh("hashgate module load >/dev/null"));
	EXPECT_TRUE(sysfs_min_serial_is(0)) TH_LOG("nothing recorded yet");
	ASSERT_EQ(0, hg_sh("hashgate load --serial 20 " FLOOR "/list >/dev/null"));
	ASSERT_EQ(0, hg_sh("grep -qx 20 " FLOOR "/state/serial"));
	ASSERT_EQ(0, hg_sh("hashgate module unload >/dev/null"));
	ASSERT_FALSE(hg_loaded());

	ASSERT_EQ(0, hg_sh("hashgate module load > " FLOOR "/out"));
	EXPECT_EQ(0, hg_sh("grep -q 'min_serial=20' " FLOOR "/out"));
	EXPECT_TRUE(sysfs_min_serial_is(20));
	EXPECT_EQ(0, serial());

	/* Below the floor: the tool fails and says why; the module says ESTALE. */
	EXPECT_EQ(1, hg_sh("hashgate load --serial 19 " FLOOR "/list 2>" FLOOR "/err"));
	EXPECT_EQ(0, hg_sh("grep -q 'rollback refused: serial 19' " FLOOR "/err"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_ROLLBACK, e.reason);
	EXPECT_EQ(19, e.list_serial);
	ASSERT_EQ(0, hg_sh("hashgate load --serial 19 -o " FLOOR "/b19 " FLOOR "/list >/dev/null"));
	EXPECT_EQ(-ESTALE, write_from("allowlist", FLOOR "/b19"));
	EXPECT_EQ(0, serial());
	EXPECT_EQ(0, hg_sh("grep -qx 20 " FLOOR "/state/serial"));

	/* At the floor and above: accepted, and the floor follows. */
	EXPECT_EQ(0, hg_sh("hashgate load --serial 20 " FLOOR "/list >/dev/null"));
	EXPECT_EQ(20, serial());
	EXPECT_EQ(0, hg_sh("hashgate load --serial 21 " FLOOR "/list >/dev/null"));
	EXPECT_EQ(21, serial());
	EXPECT_EQ(0, hg_sh("grep -qx 21 " FLOOR "/state/serial"));

	/* An explicit min_serial is the admin's choice, and wins. */
	ASSERT_EQ(0, hg_sh("hashgate module unload >/dev/null"));
	ASSERT_EQ(0, hg_sh("hashgate module load --param min_serial=5 >/dev/null"));
	EXPECT_TRUE(sysfs_min_serial_is(5));
	EXPECT_EQ(0, hg_sh("hashgate load --serial 19 " FLOOR "/list >/dev/null"));
	floor_teardown();
}

/* The case the floor is for: an older list signed by a key still trusted. */
TEST_F_TIMEOUT(reload, signed_replay_below_the_floor_is_refused_after_a_reload, 300)
{
	ASSERT_EQ(0, floor_setup());
	ASSERT_EQ(0, hg_sh("hashgate module load --param require_signature=1 >/dev/null"));
	ASSERT_EQ(0, write_from("keys", FX "rsa.der"));
	ASSERT_EQ(0, hg_sh("hashgate load " FX "rsa11.hgl >/dev/null"));
	ASSERT_EQ(0, hg_sh("grep -qx 11 " FLOOR "/state/serial"));
	ASSERT_EQ(0, hg_sh("hashgate module unload >/dev/null"));

	ASSERT_EQ(0, hg_sh("hashgate module load --param require_signature=1 >/dev/null"));
	EXPECT_TRUE(sysfs_min_serial_is(11));
	ASSERT_EQ(0, write_from("keys", FX "rsa.der"));
	EXPECT_EQ(1, hg_sh("hashgate load " FX "rsa10.hgl 2>/dev/null"));
	EXPECT_EQ(-ESTALE, load("rsa10.hgl"));
	EXPECT_EQ(-ESTALE, load("rsa9.hgl"));
	EXPECT_EQ(0, serial());
	EXPECT_EQ(0, hg_sh("hashgate load " FX "rsa11.hgl >/dev/null"));
	EXPECT_EQ(11, serial());
	EXPECT_EQ(0, load("rsa13.hgl"));
	EXPECT_EQ(13, serial());
	floor_teardown();
}

TEST_HARNESS_MAIN
