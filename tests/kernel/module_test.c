// SPDX-License-Identifier: GPL-2.0
/*
 * Loading, unloading and the module's interface: what an operator sees
 * before any enforcement.
 */
#include <sys/klog.h>

#include "hg_test.h"
#include "kselftest_harness.h"

/* True when the kernel log holds @needle. */
static bool klog_has(const char *needle)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle);
}

FIXTURE(cycles) {
};

FIXTURE_SETUP(cycles)
{
}

FIXTURE_TEARDOWN(cycles)
{
}

/* About 0.3 s a cycle under TCG: more than the harness's default 30 s. */
TEST_F_TIMEOUT(cycles, load_unload_100_times, 600)
{
	int i;

	if (hg_loaded())
		ASSERT_EQ(0, hg_unload());
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, hg_load("")) TH_LOG("load %d", i);
		ASSERT_TRUE(hg_loaded());
		ASSERT_EQ(0, access(HG_FS "/events", R_OK));
		ASSERT_EQ(0, hg_unload()) TH_LOG("unload %d", i);
		ASSERT_NE(0, access(HG_FS, F_OK)) TH_LOG("%s left behind", HG_FS);
	}
}

TEST(load_logs_version_and_hash_driver)
{
	char v[64];

	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_read_text("version", v, sizeof(v)));
	ASSERT_EQ(0, strncmp(v, "0.", 2));
	EXPECT_TRUE(klog_has("sha256 driver sha256-"));
	EXPECT_TRUE(klog_has("hook self-tests: pass"));
	ASSERT_EQ(0, hg_unload());
}

/* The plain C driver runs everywhere: it is always among those timed. */
TEST(hash_driver_is_the_fastest_measured_or_the_one_named)
{
	if (hg_loaded())
		ASSERT_EQ(0, hg_unload());
	klogctl(5, NULL, 0);
	ASSERT_EQ(0, hg_load(""));
	EXPECT_TRUE(klog_has("sha256 implementations: "));
	EXPECT_TRUE(klog_has(" sha256-generic "));
	EXPECT_TRUE(klog_has("; using sha256-"));

	ASSERT_EQ(0, hg_load("hash_driver=sha256-generic"));
	EXPECT_EQ(0, hg_sh("grep -qx 'hash_driver sha256-generic' " HG_FS "/stats"));
	EXPECT_TRUE(klog_has("sha256 driver sha256-generic"));

	EXPECT_EQ(-EINVAL, hg_load("hash_driver=md5-generic"));
	EXPECT_TRUE(klog_has("hash_driver=md5-generic: not a sha256 implementation"));
	EXPECT_FALSE(hg_loaded());
	EXPECT_EQ(-ENOENT, hg_load("hash_driver=sha256-nonesuch"));
	EXPECT_TRUE(klog_has("hash_driver=sha256-nonesuch: not available"));
	EXPECT_FALSE(hg_loaded());
}

TEST(tool_loads_and_unloads_through_libkmod)
{
	if (hg_loaded())
		ASSERT_EQ(0, hg_unload());
	ASSERT_EQ(0, hg_sh("hashgate module load --param event_ring=64"));
	ASSERT_TRUE(hg_loaded());
	ASSERT_EQ(0, hg_sh("hashgate status | grep -q audit"));
	ASSERT_EQ(0, hg_sh("grep -qx 64 /sys/module/hashgate/parameters/event_ring"));
	/* Loading what is loaded is done (hashgate apply relies on it)... */
	ASSERT_EQ(0, hg_sh("hashgate module load --param event_ring=64 2>&1 | "
			   "grep -q 'already loaded'"))
		TH_LOG("loading again with the same parameters must succeed, saying so");
	ASSERT_EQ(0, hg_sh("hashgate module load --param event_ring=64 >/dev/null 2>&1"));
	/* ...unless it asks for what the loaded module does not have. */
	ASSERT_EQ(1, hg_sh("hashgate module load --param event_ring=128 >/dev/null 2>&1"));
	ASSERT_EQ(0, hg_sh("hashgate module load --param event_ring=128 2>&1 | grep -q event_ring"))
		TH_LOG("the differing parameter must be named");
	ASSERT_EQ(0, hg_sh("hashgate module unload"));
	ASSERT_FALSE(hg_loaded());
}

TEST(tool_errors_are_clear_and_nonzero)
{
	if (hg_loaded())
		ASSERT_EQ(0, hg_unload());
	EXPECT_EQ(3, hg_sh("hashgate status >/dev/null 2>&1"));
	EXPECT_EQ(2, hg_sh("hashgate no-such-command 2>/dev/null"));
	EXPECT_EQ(2, hg_sh("hashgate status --no-such-flag 2>/dev/null"));
	EXPECT_EQ(3, hg_sh("hashgate module load /nonexistent/hashgate.ko 2>/dev/null"));
	EXPECT_EQ(0, hg_sh("hashgate module load /nonexistent/hashgate.ko 2>&1 | "
			   "grep -q nonexistent"));
	EXPECT_FALSE(hg_loaded());
}

TEST(non_root_can_change_nothing)
{
	pid_t pid;
	int st;

	ASSERT_EQ(0, hg_load(""));
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (hg_set_mode("off") != -EACCES)
			_exit(11);
		if (hg_write("allowlist", "x", 1) != -EACCES)
			_exit(12);
		if (open(HG_FS "/events", O_RDONLY) >= 0 || errno != EACCES)
			_exit(13);
		if (hg_sh("hashgate module unload 2>/dev/null") != 4)
			_exit(14);
		if (hg_sh("hashgate mode off 2>/dev/null") != 4)
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	/* A child killed by a signal has WEXITSTATUS 0: not a success. */
	ASSERT_TRUE(WIFEXITED(st)) TH_LOG("killed by signal %d", WTERMSIG(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("step %d failed", WEXITSTATUS(st));
	EXPECT_TRUE(hg_loaded());
	ASSERT_EQ(0, hg_unload());
}

TEST(enforce_refuses_unload)
{
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	/* delete_module() says EWOULDBLOCK for a module in use. */
	EXPECT_EQ(-EAGAIN, hg_unload());
	EXPECT_EQ(0, hg_sh("hashgate module unload 2>&1 | grep -q 'in use'"));
	EXPECT_TRUE(hg_loaded());
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, hg_unload());
}

TEST(enforce_needs_an_allowlist)
{
	char mode[32];

	ASSERT_EQ(0, hg_load(""));
	EXPECT_EQ(-ENODATA, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_read_text("mode", mode, sizeof(mode)));
	EXPECT_STREQ("audit\n", mode);
	EXPECT_EQ(-EINVAL, hg_set_mode("bogus"));
	ASSERT_EQ(0, hg_unload());
	EXPECT_EQ(-EINVAL, hg_load("mode=enforce"));
	EXPECT_FALSE(hg_loaded());
	ASSERT_EQ(0, hg_load("mode=off"));
	ASSERT_EQ(0, hg_read_text("mode", mode, sizeof(mode)));
	EXPECT_STREQ("off\n", mode);
	ASSERT_EQ(0, hg_unload());
}

/*
 * No list loaded (a boot whose list is missing or refused): audit mode still
 * decides and reports every program, with its digest, instead of nothing.
 */
TEST(audit_without_a_list_reports_what_runs)
{
	static char *const argv[] = { "/tests/hello", NULL };
	static char buf[1 << 20];
	struct hg_event *e, *found = NULL;
	size_t off = 0;
	ssize_t n;

	ASSERT_EQ(0, hg_load(""));
	hg_events(buf, sizeof(buf));
	EXPECT_EQ(0, hg_exec("/tests/hello", argv)) TH_LOG("audit refused it");
	n = hg_events(buf, sizeof(buf));
	ASSERT_LE(0, n);
	while ((e = hg_next_event(buf, n, &off)))
		if (e->type == HG_EVENT_EXEC && e->path_len == strlen(argv[0]) &&
		    !memcmp(hg_event_path(e), argv[0], e->path_len))
			found = e;
	ASSERT_NE(NULL, found) TH_LOG("a program ran without a list, unreported");
	EXPECT_EQ(HG_DECISION_WOULD_DENY, found->decision);
	EXPECT_EQ(HG_REASON_NO_ALLOWLIST, found->reason);
	EXPECT_EQ(0, found->list_serial);
	EXPECT_TRUE(found->flags & HG_EVENT_F_DIGEST);
	EXPECT_LE(1, hg_stat("would_denies"));
	EXPECT_EQ(0, hg_stat("denies"));
	ASSERT_EQ(0, hg_unload());
}

/*
 * check --list: the module's verdict, and where the text list the loaded
 * one came from says the file's digest comes from (its "# hashgate-from:"
 * line, as build --from-deb writes them).
 */
TEST(check_names_the_origin_the_list_gives)
{
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_sh("hashgate build -o /tmp/origin.list / >/dev/null 2>&1 && "
			   "sed -i '1i # hashgate-from: deb hello 1.0-1 amd64' /tmp/origin.list && "
			   "hashgate load --serial 7 /tmp/origin.list >/dev/null"));
	EXPECT_EQ(0, hg_sh("hashgate check --list /tmp/origin.list /tests/hello | "
			   "grep -q '^/tests/hello: allow (none) sha256:[0-9a-f]* "
			   "(from deb hello 1.0-1 amd64)$'"));
	EXPECT_EQ(0, hg_sh("hashgate check --json --list /tmp/origin.list /tests/hello | "
			   "grep -q '\"origin\":\"deb hello 1.0-1 amd64\"'"));
	/* Without --list, the module's answer alone. */
	EXPECT_EQ(0, hg_sh("hashgate check /tests/hello | "
			   "grep -q 'allow (none) sha256:[0-9a-f]*$'"));
	EXPECT_EQ(1, hg_sh("hashgate check --list /nonexistent /tests/hello >/dev/null 2>&1"));
	hg_unload();
}

TEST_HARNESS_MAIN
