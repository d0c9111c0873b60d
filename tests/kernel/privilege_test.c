// SPDX-License-Identifier: GPL-2.0
/*
 * Who may change hashgate. Every control file needs CAP_MAC_ADMIN in the
 * initial user namespace, checked against the credentials of the process
 * that opened it (file_ns_capable(), as Documentation/threat-model.rst
 * says): a descriptor root opened works in anyone's hands, one opened
 * without the capability works in no one's. Lowering the mode or anon_exec,
 * or trusting more file systems, also needs CAP_SYS_ADMIN: of the writer
 * (nobody holding root's descriptor cannot lower) and of the opener (a
 * descriptor opened without it cannot be used to lower by a privileged
 * writer, such as a setuid program writing to the stdout it was given).
 * Root without CAP_MAC_ADMIN and root in a user namespace can change
 * nothing. Each child says which step failed; a child killed by a signal
 * is a failure, not a success.
 */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/capability.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define FX "/tests/sign/"

/* @fn(@arg) in a child; what hg_wait() says of it. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fflush(stdout);
		_exit(fn(arg));
	}
	return hg_wait(pid);
}

/* In a child: fail with step @n (its exit status) unless @cond holds. */
#define STEP(n, cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# step %d: %s is false (errno %d)\n",	\
			(n), #cond, errno);				\
		return n;						\
	}								\
} while (0)

static ssize_t read_all(const char *path, void *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	return n < 0 ? -errno : n;
}

/* Write a whole file to the securityfs file @sfs in one write. */
static int write_from(const char *sfs, const char *path)
{
	static char buf[4 << 20];
	ssize_t n = read_all(path, buf, sizeof(buf));

	return n <= 0 ? -EIO : hg_write(sfs, buf, n);
}

static int open_sfs(const char *file, int flags)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), HG_FS "/%s", file);
	fd = open(path, flags);
	return fd < 0 ? -errno : fd;
}

/* One write on an open control file; 0 or -errno. */
static int fd_write(int fd, const char *s)
{
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
		return -errno;
	return write(fd, s, strlen(s)) < 0 ? -errno : 0;
}

static bool sfs_is(const char *file, const char *want)
{
	char buf[4096];

	return !hg_read_text(file, buf, sizeof(buf)) && !strcmp(buf, want);
}

static int capget_now(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

static bool has_cap(int cap)
{
	struct __user_cap_data_struct d[2];

	return !capget_now(d) && (d[cap / 32].effective & (1u << (cap % 32)));
}

/*
 * Drop the capabilities in @caps (ending with -1) from the bounding set and
 * the effective, permitted and inheritable sets: uid 0 stays, and a program
 * it runs (the tool, through the shell) does not get them back either.
 */
static int drop_caps(const int *caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	const int *c;

	if (capget_now(d))
		return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (c = caps; *c >= 0; c++) {
		if (prctl(PR_CAPBSET_DROP, *c, 0, 0, 0))
			return -errno;
		d[*c / 32].effective &= ~(1u << (*c % 32));
		d[*c / 32].permitted &= ~(1u << (*c % 32));
		d[*c / 32].inheritable &= ~(1u << (*c % 32));
	}
	if (syscall(SYS_capset, &h, d))
		return -errno;
	for (c = caps; *c >= 0; c++)
		if (has_cap(*c) || prctl(PR_CAPBSET_READ, *c, 0, 0, 0) != 0)
			return -EPERM;
	return 0;
}

static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Become root (uid and gid 0 mapped to 0) in a new user namespace. */
static int enter_userns(void)
{
	if (unshare(CLONE_NEWUSER))
		return -errno;
	if (write_text("/proc/self/setgroups", "deny") ||
	    write_text("/proc/self/gid_map", "0 0 1") ||
	    write_text("/proc/self/uid_map", "0 0 1"))
		return -errno;
	return 0;
}

static int send_fd(int sock, int fd)
{
	char data = 'x', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &data, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * @file opened O_WRONLY by a child of root without the capabilities in
 * @drop, handed to this process: its descriptor, or -1.
 */
static int opened_without(const char *file, const int *drop)
{
	int sv[2], fd = -1, st;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	pid = fork();
	if (pid == 0) {
		int f;

		close(sv[0]);
		if (drop_caps(drop))
			_exit(10);
		f = open_sfs(file, O_WRONLY);
		if (f < 0)
			_exit(11);
		_exit(send_fd(sv[1], f) ? 12 : 0);
	}
	close(sv[1]);
	if (pid > 0) {
		fd = recv_fd(sv[0]);
		st = hg_wait(pid);
		if (st) {
			fprintf(stderr, "# opener child: status %d\n", st);
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
	}
	close(sv[0]);
	return fd;
}

/* Every write and the events open refused; -EPERM expected. */
static int try_everything(void *arg)
{
	int want = *(int *)arg, fd;

	STEP(20, hg_set_mode("enforce") == want);
	STEP(21, hg_set_mode("off") == want);
	STEP(22, hg_write("anon_exec", "deny", 4) == want);
	STEP(23, hg_write("anon_exec", "allow", 5) == want);
	STEP(24, write_from("allowlist", "/tmp/t/b101") == want);
	STEP(25, write_from("keys", FX "other.der") == want);
	STEP(26, hg_write("lock", "1", 1) == want);
	STEP(27, hg_write("keys_lock", "1", 1) == want);
	STEP(28, hg_write("trusted_fs", "nfs", 3) == want);
	STEP(29, hg_write("trusted_fs", "\n", 1) == want);
	STEP(30, hg_write("check", "/tests/hello", 12) == want);
	fd = open_sfs("events", O_RDONLY | O_NONBLOCK);
	STEP(31, fd == want);
	fd = open_sfs("events_tap", O_RDONLY | O_NONBLOCK);
	STEP(32, fd == want);
	/* The tool says so in its exit status: 4, permission. */
	STEP(33, hg_sh("hashgate mode audit 2>/dev/null") == 4);
	STEP(34, hg_sh("hashgate mode off 2>/dev/null") == 4);
	return 0;
}

static int without_cap_mac_admin(void *arg)
{
	static const int drop[] = { CAP_MAC_ADMIN, -1 };

	STEP(1, drop_caps(drop) == 0);
	STEP(2, getuid() == 0 && geteuid() == 0);
	/* Everything else root has is still there. */
	STEP(3, has_cap(CAP_SYS_ADMIN) && has_cap(CAP_DAC_OVERRIDE));
	return try_everything(arg);
}

static int in_user_namespace(void *arg)
{
	STEP(1, enter_userns() == 0);
	STEP(2, getuid() == 0 && geteuid() == 0);
	/* Every capability, in the namespace it owns. */
	STEP(3, has_cap(CAP_MAC_ADMIN) && has_cap(CAP_SYS_ADMIN));
	return try_everything(arg);
}

/* Nothing the refused writes asked for took effect. */
static void expect_unchanged(struct __test_metadata *_metadata)
{
	EXPECT_TRUE(sfs_is("mode", "audit\n"));
	EXPECT_TRUE(sfs_is("anon_exec", "audit\n"));
	EXPECT_EQ(0, hg_sh("grep -q '^100 ' " HG_FS "/allowlist"));
	EXPECT_TRUE(sfs_is("keys", ""));
	EXPECT_TRUE(sfs_is("lock", "0\n"));
	EXPECT_TRUE(sfs_is("keys_lock", "0\n"));
	EXPECT_TRUE(sfs_is("trusted_fs", "\n"));
}

FIXTURE(priv) {
};

FIXTURE_SETUP(priv)
{
	ASSERT_EQ(0, hg_sh("rm -rf /tmp/t && mkdir -p /tmp/t"));
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(100));
	ASSERT_EQ(0, hg_sh("hashgate load --serial 101 -o /tmp/t/b101 /tmp/all.list >/dev/null"));
	ASSERT_TRUE(sfs_is("trusted_fs", "\n"));
}

FIXTURE_TEARDOWN(priv)
{
	hg_set_mode("audit");
	hg_unload();
}

/* The helpers the tests below rely on: a killed child is no success. */
static int killed(void *arg)
{
	raise(SIGKILL);
	return 0;
}

TEST(a_child_killed_by_a_signal_is_a_failure)
{
	EXPECT_EQ(1000 + SIGKILL, in_child(killed, NULL));
}

TEST_F(priv, root_without_cap_mac_admin_changes_nothing)
{
	int want = -EPERM, st;

	st = in_child(without_cap_mac_admin, &want);
	EXPECT_EQ(0, st) TH_LOG("step %d failed", st);
	expect_unchanged(_metadata);
}

TEST_F(priv, root_in_a_user_namespace_changes_nothing)
{
	int want = -EPERM, st;

	st = in_child(in_user_namespace, &want);
	EXPECT_EQ(0, st) TH_LOG("step %d failed", st);
	expect_unchanged(_metadata);
}

static int without_cap_sys_admin(void *arg)
{
	static const int drop[] = { CAP_SYS_ADMIN, -1 };

	STEP(1, drop_caps(drop) == 0);
	STEP(2, has_cap(CAP_MAC_ADMIN));
	/* Raising, or keeping, is CAP_MAC_ADMIN's. */
	STEP(3, hg_set_mode("enforce") == 0);
	STEP(4, hg_set_mode("enforce") == 0);
	STEP(5, hg_write("anon_exec", "deny", 4) == 0);
	STEP(6, write_from("allowlist", "/tmp/t/b101") == 0);
	/* Lowering is not. */
	STEP(7, hg_set_mode("audit") == -EPERM);
	STEP(8, hg_set_mode("off") == -EPERM);
	STEP(9, hg_write("anon_exec", "audit", 5) == -EPERM);
	STEP(10, hg_write("anon_exec", "allow", 5) == -EPERM);
	STEP(11, sfs_is("mode", "enforce\n"));
	STEP(12, sfs_is("anon_exec", "deny\n"));
	/* Trusting more file systems lowers too; trusting fewer does not. */
	STEP(13, hg_write("trusted_fs", "nfs 9p cifs", 11) == -EPERM);
	STEP(14, sfs_is("trusted_fs", "nfs 9p\n"));
	STEP(15, hg_write("trusted_fs", "nfs", 3) == 0);
	STEP(16, sfs_is("trusted_fs", "nfs\n"));
	STEP(17, hg_write("trusted_fs", "nfs 9p", 6) == -EPERM);
	STEP(18, hg_sh("hashgate mode audit 2>/dev/null") == 4);
	return 0;
}

TEST_F(priv, lowering_needs_cap_sys_admin)
{
	ASSERT_EQ(0, hg_write("trusted_fs", "nfs 9p", 6));
	EXPECT_EQ(0, in_child(without_cap_sys_admin, NULL));
	EXPECT_TRUE(sfs_is("mode", "enforce\n"));
	EXPECT_EQ(0, hg_sh("grep -q '^101 ' " HG_FS "/allowlist"));
	/* With it, the same writes pass: what was refused was the capability. */
	EXPECT_EQ(0, hg_set_mode("audit"));
	EXPECT_EQ(0, hg_write("anon_exec", "allow", 5));
	EXPECT_EQ(0, hg_write("trusted_fs", "nfs 9p cifs", 11));
	/* Shown in the order of the uapi's list of names. */
	EXPECT_TRUE(sfs_is("trusted_fs", "nfs cifs 9p\n"));
}

struct fds {
	int mode, anon, events;
};

/* Descriptors root opened, used by nobody: the opener's CAP_MAC_ADMIN counts. */
static int use_roots_descriptors(void *arg)
{
	struct fds *f = arg;
	char ev[1 << 16];

	STEP(1, setgid(65534) == 0 && setuid(65534) == 0);
	STEP(2, !has_cap(CAP_MAC_ADMIN) && !has_cap(CAP_SYS_ADMIN));
	/* Its own opens are refused... */
	STEP(3, open_sfs("mode", O_WRONLY) == -EACCES);
	STEP(4, open_sfs("events", O_RDONLY) == -EACCES);
	/* ...but root's descriptors were opened with CAP_MAC_ADMIN. */
	STEP(5, fd_write(f->mode, "enforce") == 0);
	STEP(6, fd_write(f->anon, "deny") == 0);
	/* The events were opened by root: the mode change above is there. */
	STEP(7, read(f->events, ev, sizeof(ev)) > 0);
	/* Lowering asks the writer for CAP_SYS_ADMIN, which nobody has. */
	STEP(8, fd_write(f->mode, "audit") == -EPERM);
	STEP(9, fd_write(f->mode, "off") == -EPERM);
	STEP(10, fd_write(f->anon, "allow") == -EPERM);
	return 0;
}

TEST_F(priv, root_opened_descriptor_in_unprivileged_hands)
{
	struct fds f;
	int st;

	f.mode = open_sfs("mode", O_WRONLY);
	f.anon = open_sfs("anon_exec", O_WRONLY);
	f.events = open_sfs("events", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, f.mode);
	ASSERT_LE(0, f.anon);
	ASSERT_LE(0, f.events);
	st = in_child(use_roots_descriptors, &f);
	EXPECT_EQ(0, st) TH_LOG("step %d failed", st);
	EXPECT_TRUE(sfs_is("mode", "enforce\n"));
	EXPECT_TRUE(sfs_is("anon_exec", "deny\n"));
	close(f.events);
	close(f.anon);
	close(f.mode);
}

/* Inherited across fork: the allowlist can be replaced through it. */
static int load_through(void *arg)
{
	static char blob[4 << 20];
	int fd = *(int *)arg;
	ssize_t n = read_all("/tmp/t/b101", blob, sizeof(blob));

	STEP(1, n > 0);
	STEP(2, setgid(65534) == 0 && setuid(65534) == 0);
	STEP(3, open_sfs("allowlist", O_WRONLY) == -EACCES);
	STEP(4, write(fd, blob, n) == n);
	return 0;
}

TEST_F(priv, root_opened_allowlist_descriptor_loads_for_whoever_holds_it)
{
	int fd = open_sfs("allowlist", O_WRONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, in_child(load_through, &fd));
	close(fd);
	EXPECT_EQ(0, hg_sh("grep -q '^101 ' " HG_FS "/allowlist"));
}

/*
 * The converse: a descriptor opened without CAP_MAC_ADMIN stays powerless
 * in the hands of root with every capability.
 */
TEST_F(priv, descriptor_opened_without_cap_mac_admin_is_refused_to_root)
{
	static const int drop[] = { CAP_MAC_ADMIN, -1 };
	static char blob[4 << 20];
	int mode = opened_without("mode", drop);
	int list = opened_without("allowlist", drop);
	int lock = opened_without("lock", drop);
	ssize_t n = read_all("/tmp/t/b101", blob, sizeof(blob));

	ASSERT_LE(0, mode);
	ASSERT_LE(0, list);
	ASSERT_LE(0, lock);
	ASSERT_LT(0, n);
	ASSERT_TRUE(has_cap(CAP_MAC_ADMIN));
	EXPECT_EQ(-EPERM, fd_write(mode, "enforce"));
	EXPECT_EQ(-EPERM, fd_write(mode, "off"));
	EXPECT_EQ(-1, write(list, blob, n));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EPERM, fd_write(lock, "1"));
	close(mode);
	close(list);
	close(lock);
	expect_unchanged(_metadata);
}

/*
 * Lowering needs CAP_SYS_ADMIN: a descriptor opened by root without it
 * must not lower the mode when a more privileged process writes to it (a
 * setuid program writing "off" to the stdout it was given, say).
 */
TEST_F(priv, lowering_through_a_descriptor_opened_without_cap_sys_admin)
{
	static const int drop[] = { CAP_SYS_ADMIN, -1 };
	int mode = opened_without("mode", drop);
	int anon = opened_without("anon_exec", drop);
	int tfs = opened_without("trusted_fs", drop);

	ASSERT_LE(0, mode);
	ASSERT_LE(0, anon);
	ASSERT_LE(0, tfs);
	ASSERT_TRUE(has_cap(CAP_SYS_ADMIN));
	ASSERT_EQ(0, fd_write(mode, "enforce"));
	ASSERT_EQ(0, fd_write(anon, "deny"));
	EXPECT_EQ(-EPERM, fd_write(mode, "off"));
	EXPECT_EQ(-EPERM, fd_write(anon, "allow"));
	EXPECT_EQ(-EPERM, fd_write(tfs, "nfs"));
	EXPECT_TRUE(sfs_is("mode", "enforce\n"));
	EXPECT_TRUE(sfs_is("anon_exec", "deny\n"));
	EXPECT_TRUE(sfs_is("trusted_fs", "\n"));
	close(mode);
	close(anon);
	close(tfs);
}

TEST_HARNESS_MAIN
