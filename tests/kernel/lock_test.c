// SPDX-License-Identifier: GPL-2.0
/*
 * The lock: once set, the mode and anon_exec cannot be lowered, no more
 * file systems can be trusted, and the module cannot be unloaded until
 * reboot. Runs last in a VM boot for that reason; each test after the
 * first finds the module locked already.
 */
#include "hg_test.h"
#include "kselftest_harness.h"

#define EVBUF	(1 << 20)

/* The MODE records in the event stream, drained: how many; the last in @e. */
static int mode_events(struct hg_event *e)
{
	static char buf[EVBUF];
	ssize_t n = hg_events(buf, sizeof(buf));
	struct hg_event *r;
	size_t off = 0;
	int count = 0;

	while ((r = hg_next_event(buf, n, &off))) {
		if (r->type != HG_EVENT_MODE)
			continue;
		*e = *r;
		count++;
	}
	return n < 0 ? (int)n : count;
}

/* Loaded, listed and locked: what the tests after the first start from. */
static int ensure_locked(void)
{
	if (!hg_loaded() && (hg_load("") || hg_allow_all(3)))
		return -1;
	return hg_write("lock", "1", 1);
}

TEST(lock_pins_mode_and_module)
{
	struct hg_event e;
	char mode[32];

	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(3));
	ASSERT_LE(0, mode_events(&e));
	/* Locked in audit: the lock is a record of its own, flagged. */
	ASSERT_EQ(0, hg_write("lock", "1", 1));
	ASSERT_EQ(1, mode_events(&e));
	EXPECT_EQ(HG_MODE_AUDIT, e.mode);
	EXPECT_EQ(HG_EVENT_F_LOCKED, e.flags);
	EXPECT_EQ(3, e.list_serial);
	EXPECT_EQ((uint32_t)getpid(), e.pid);
	/* Raising is still fine, and says it is locked. */
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(1, mode_events(&e));
	EXPECT_EQ(HG_MODE_ENFORCE, e.mode);
	EXPECT_EQ(HG_EVENT_F_LOCKED, e.flags);
	/* Locking again changes nothing and says nothing. */
	ASSERT_EQ(0, hg_write("lock", "1", 1));

	EXPECT_EQ(-EPERM, hg_set_mode("audit"));
	EXPECT_EQ(-EPERM, hg_set_mode("off"));
	EXPECT_EQ(-EPERM, hg_write("lock", "0", 1));
	EXPECT_EQ(4, hg_sh("hashgate mode audit 2>/dev/null"));
	EXPECT_EQ(0, mode_events(&e)) TH_LOG("refused changes are no changes");
	ASSERT_EQ(0, hg_read_text("mode", mode, sizeof(mode)));
	EXPECT_STREQ("enforce\n", mode);
	/* delete_module() says EWOULDBLOCK for a module in use. */
	EXPECT_EQ(-EAGAIN, hg_unload());
	EXPECT_TRUE(hg_loaded());
	/* Keeping the mode is still fine. */
	EXPECT_EQ(0, hg_set_mode("enforce"));
}

TEST(anon_exec_cannot_be_lowered_after_lock)
{
	char policy[32];

	ASSERT_EQ(0, ensure_locked());
	ASSERT_EQ(0, hg_read_text("anon_exec", policy, sizeof(policy)));
	ASSERT_STREQ("audit\n", policy);
	/* Root with every capability: the lock, not a capability, refuses. */
	EXPECT_EQ(-EPERM, hg_write("anon_exec", "allow", 5));
	EXPECT_EQ(0, hg_write("anon_exec", "deny", 4));
	EXPECT_EQ(-EPERM, hg_write("anon_exec", "audit", 5));
	EXPECT_EQ(-EPERM, hg_write("anon_exec", "allow", 5));
	ASSERT_EQ(0, hg_read_text("anon_exec", policy, sizeof(policy)));
	EXPECT_STREQ("deny\n", policy);
	EXPECT_EQ(0, hg_write("anon_exec", "deny", 4));
}

TEST(no_file_system_can_be_trusted_after_lock)
{
	char fs[128];

	ASSERT_EQ(0, ensure_locked());
	EXPECT_EQ(-EPERM, hg_write("trusted_fs", "nfs", 3));
	EXPECT_EQ(-EPERM, hg_write("trusted_fs", "virtiofs 9p", 11));
	ASSERT_EQ(0, hg_read_text("trusted_fs", fs, sizeof(fs)));
	EXPECT_STREQ("\n", fs);
	/* Trusting none, as now, is no lowering. */
	EXPECT_EQ(0, hg_write("trusted_fs", "\n", 1));
}

TEST(keys_cannot_be_added_after_lock)
{
	static char der[65536], ev[1 << 16];
	struct hg_event *e;
	size_t off = 0;
	int fd, settings = 0;
	ssize_t n, len;

	/* The module is pinned already (above); its keys can be locked too. */
	if (!hg_loaded())
		ASSERT_EQ(0, hg_load(""));
	fd = open("/tests/sign/other.der", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, der, sizeof(der));
	close(fd);
	ASSERT_LT(0, n);
	hg_events(ev, sizeof(ev));
	ASSERT_EQ(0, hg_write("keys_lock", "1", 1));
	EXPECT_EQ(-EPERM, hg_write("keys", der, n));
	EXPECT_EQ(-EPERM, hg_write("keys_lock", "0", 1));
	EXPECT_EQ(0, hg_sh("grep -qx 1 " HG_FS "/keys_lock"));
	/* Said once, as a setting change. */
	len = hg_events(ev, sizeof(ev));
	ASSERT_LE(0, len);
	while ((e = hg_next_event(ev, len, &off)))
		if (e->type == HG_EVENT_SETTING) {
			settings++;
			EXPECT_EQ(0, memcmp(hg_event_path(e), "name=keys_lock value=1 was=0",
					    e->path_len)) TH_LOG("%.*s", e->path_len,
								 hg_event_path(e));
		}
	EXPECT_EQ(1, settings);
}

TEST_HARNESS_MAIN
