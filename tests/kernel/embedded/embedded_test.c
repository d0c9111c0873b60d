// SPDX-License-Identifier: GPL-2.0
/*
 * A module built with make SIGNING_CERT=cert.pem: it trusts the embedded
 * certificate's key from the moment it loads, requires signed lists
 * whatever require_signature says, and shows the key as embedded. Run by
 * tests/kernel/embedded/run, which builds that module (with the test
 * fixtures' rsa.crt) and adds it, this program and the fixtures under
 * /embedded in the VM; the normal module is not used.
 */
#include "../hg_test.h"
#include "kselftest_harness.h"

#define DIR		"/embedded/"
#define FX		DIR "sign/"

static char *hello_argv[] = { "hello", NULL };

/* Load the embedded-certificate module with @params, unloading first. */
static int load_embedded(const char *params)
{
	int fd, ret;

	if (hg_loaded()) {
		hg_set_mode("audit");
		if (hg_unload())
			return -EBUSY;
	}
	fd = open(DIR "hashgate.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int write_from(const char *sfs, const char *path)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n <= 0 ? -EIO : hg_write(sfs, buf, n);
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

/* The last record of @type in the stream (drained), copied to @e. */
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

FIXTURE(emb) {
};

FIXTURE_SETUP(emb)
{
	ASSERT_EQ(0, load_embedded(""));
}

FIXTURE_TEARDOWN(emb)
{
	hg_set_mode("audit");
	hg_unload();
}

TEST_F(emb, the_embedded_key_is_listed_as_embedded)
{
	char keys[1024], *nl;

	ASSERT_EQ(0, hg_read_text("keys", keys, sizeof(keys)));
	/* One key, before anyone added one: "<subject>: <key id> (embedded)". */
	nl = strchr(keys, '\n');
	ASSERT_NE(NULL, nl) TH_LOG("keys: '%s'", keys);
	EXPECT_EQ('\0', nl[1]) TH_LOG("one line only: '%s'", keys);
	*nl = '\0';
	EXPECT_EQ(0, strncmp(keys, "hashgate test rsa: ", 19)) TH_LOG("'%s'", keys);
	EXPECT_NE(NULL, strstr(keys, " (embedded)"));
	EXPECT_EQ(0, strcmp(nl - 11, " (embedded)"));
	EXPECT_EQ(0, hg_sh("hashgate keys list | grep -q '^hashgate test rsa: .* (embedded)$'"));

	/* A key root adds is trusted too, and is not called embedded. */
	ASSERT_EQ(0, write_from("keys", FX "other.der"));
	ASSERT_EQ(0, hg_read_text("keys", keys, sizeof(keys)));
	EXPECT_EQ(0, hg_sh("grep -c embedded " HG_FS "/keys | grep -qx 1"));
	EXPECT_EQ(0, hg_sh("grep -q '^hashgate test other: [0-9a-f]*$' " HG_FS "/keys"))
		TH_LOG("keys: '%s'", keys);
}

TEST_F(emb, a_list_signed_with_the_embedded_key_loads_and_enforces)
{
	struct hg_event e;
	char text[256];

	ASSERT_EQ(0, load("rsa10.hgl"));
	EXPECT_EQ(10, serial());
	ASSERT_TRUE(last_event(HG_EVENT_LIST_LOAD, &e, text, sizeof(text)));
	EXPECT_TRUE(e.flags & HG_EVENT_F_SIGNED);
	EXPECT_EQ(10, e.list_serial);
	EXPECT_EQ(0, strncmp(text, "hashgate test rsa: ", 19)) TH_LOG("signer '%s'", text);

	ASSERT_EQ(0, hg_set_mode("enforce"));
	EXPECT_EQ(0, hg_exec(DIR "hello", hello_argv));
	ASSERT_EQ(0, hg_copy(DIR "hello", "/tmp/evil", true));
	EXPECT_EQ(1000 + EACCES, hg_exec("/tmp/evil", hello_argv));
	unlink("/tmp/evil");
	/* Higher serials signed by the same key follow. */
	EXPECT_EQ(0, load("rsa13.hgl"));
	EXPECT_EQ(13, serial());
}

TEST_F(emb, unsigned_and_other_key_lists_are_refused)
{
	struct hg_event e;
	char text[256];

	EXPECT_EQ(-EACCES, load("unsigned10.hgl"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_UNSIGNED, e.reason);
	EXPECT_EQ(-ENOKEY, load("other12.hgl"));
	ASSERT_TRUE(last_event(HG_EVENT_LIST_REJECT, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_UNKNOWN_KEY, e.reason);
	EXPECT_EQ(-EKEYREJECTED, load("rsa13-flip-blob.hgl"));
	EXPECT_EQ(0, serial());
	/* Nor after a trusted list: that one stays. */
	ASSERT_EQ(0, load("rsa10.hgl"));
	EXPECT_EQ(-EACCES, load("unsigned10.hgl"));
	EXPECT_EQ(-ENOKEY, load("other12.hgl"));
	EXPECT_EQ(10, serial());
	/* The tool, too, fails and names the reason. */
	EXPECT_EQ(1, hg_sh("hashgate load " FX "unsigned10.hgl >/dev/null 2>/tmp/err"));
	EXPECT_EQ(0, hg_sh("grep -q 'requires signed allowlists' /tmp/err"));
}

/* The embedded certificate implies signatures: require_signature=0 cannot undo it. */
TEST(signatures_are_required_whatever_the_parameter_says)
{
	char v[8];
	ssize_t n;
	int fd;

	ASSERT_EQ(0, load_embedded("require_signature=0"));
	fd = open("/sys/module/hashgate/parameters/require_signature", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, v, sizeof(v) - 1);
	close(fd);
	ASSERT_LT(0, n);
	v[n] = '\0';
	EXPECT_STREQ("Y\n", v);
	EXPECT_EQ(-EACCES, load("unsigned10.hgl"));
	EXPECT_EQ(0, load("rsa11.hgl"));
	EXPECT_EQ(11, serial());
	hg_unload();
}

TEST_HARNESS_MAIN
