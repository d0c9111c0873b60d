// SPDX-License-Identifier: GPL-2.0
/*
 * The lock: once set, the mode cannot be lowered and the module cannot be
 * unloaded until reboot. Runs last in a VM boot for that reason.
 */
#include "hg_test.h"
#include "kselftest_harness.h"

TEST(lock_pins_mode_and_module)
{
	char mode[32];

	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(3));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_write("lock", "1", 1));
	EXPECT_EQ(-EPERM, hg_set_mode("audit"));
	EXPECT_EQ(-EPERM, hg_set_mode("off"));
	EXPECT_EQ(-EPERM, hg_write("lock", "0", 1));
	ASSERT_EQ(0, hg_read_text("mode", mode, sizeof(mode)));
	EXPECT_STREQ("enforce\n", mode);
	/* delete_module() says EWOULDBLOCK for a module in use. */
	EXPECT_EQ(-EAGAIN, hg_unload());
	EXPECT_TRUE(hg_loaded());
	/* Raising or keeping the mode is still fine. */
	EXPECT_EQ(0, hg_set_mode("enforce"));
}

TEST(keys_cannot_be_added_after_lock)
{
	static char der[65536];
	ssize_t n;
	int fd;

	/* The module is pinned already (above); its keys can be locked too. */
	if (!hg_loaded())
		ASSERT_EQ(0, hg_load(""));
	fd = open("/tests/sign/other.der", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, der, sizeof(der));
	close(fd);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, hg_write("keys_lock", "1", 1));
	EXPECT_EQ(-EPERM, hg_write("keys", der, n));
	EXPECT_EQ(-EPERM, hg_write("keys_lock", "0", 1));
	EXPECT_EQ(0, hg_sh("grep -qx 1 " HG_FS "/keys_lock"));
}

TEST_HARNESS_MAIN
