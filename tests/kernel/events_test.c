// SPDX-License-Identifier: GPL-2.0
/*
 * The events the threat model promises, each asserted: a key added, a mode
 * change, a setting change, a malformed list refused, an mprotect of a file
 * never verified, anonymous executable memory reported under anon_exec=audit
 * while enforcing, the load record that starts each load and the heartbeat.
 * (The locks' events are in lock_test: locking pins the module.)
 * Each test starts from a freshly loaded module with an allowlist of every
 * file on the initramfs and an empty event queue.
 */
#include <sys/mman.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define FX		"/tests/sign/"
#define EVBUF		(1 << 20)

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

/* The records of @type in @buf: how many, and a copy of the last one. */
static int find_events(void *buf, ssize_t len, int type, struct hg_event *last,
		       char *text, size_t size)
{
	struct hg_event *e;
	size_t off = 0;
	int n = 0;

	if (len < 0)	/* an unreadable stream is not "no events" */
		return -1;
	while ((e = hg_next_event(buf, len, &off))) {
		if (e->type != type)
			continue;
		n++;
		if (last)
			*last = *e;
		if (text)
			snprintf(text, size, "%.*s", e->path_len, hg_event_path(e));
	}
	return n;
}

FIXTURE(ev) {
	void *buf;
};

FIXTURE_SETUP(ev)
{
	ASSERT_EQ(0, hg_sh("rm -rf /tmp/t && mkdir -p /tmp/t"));
	ASSERT_EQ(0, hg_load(""));
	ASSERT_EQ(0, hg_allow_all(100));
	self->buf = malloc(EVBUF);
	ASSERT_NE(NULL, self->buf);
	ASSERT_LE(0, hg_events(self->buf, EVBUF));
}

FIXTURE_TEARDOWN(ev)
{
	hg_set_mode("audit");
	hg_unload();
	free(self->buf);
}

TEST_F(ev, key_added_names_the_key)
{
	struct hg_event e;
	char text[512], keys[1024];
	static char der[65536];
	ssize_t n = read_all(FX "rsa.der", der, sizeof(der));

	ASSERT_LT(0, n);
	/* A certificate that does not parse adds nothing, and says nothing. */
	EXPECT_EQ(-EBADMSG, hg_write("keys", der + 1, n - 1));
	ASSERT_EQ(0, hg_write("keys", der, n));
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	ASSERT_EQ(1, find_events(self->buf, n, HG_EVENT_KEY_ADD, &e, text,
				 sizeof(text)));
	EXPECT_EQ(HG_EVENT_VERSION, e.version);
	EXPECT_EQ(100, e.list_serial);
	EXPECT_EQ(0, e.uid);
	EXPECT_EQ((uint32_t)getpid(), e.pid);
	/* The key's description, as the keys file shows it. */
	EXPECT_EQ(0, strncmp(text, "hashgate test rsa: ", 19)) TH_LOG("'%s'", text);
	ASSERT_EQ(0, hg_read_text("keys", keys, sizeof(keys)));
	strcat(text, "\n");
	EXPECT_STREQ(keys, text);
}

/*
 * A setting change says which, to what and from what; writing the value a
 * setting already has says nothing.
 */
TEST_F(ev, setting_changes_are_reported)
{
	static const char *const want[] = {
		"name=anon_exec value=deny was=audit",
		"name=trusted_fs value=nfs4,9p was=none",
		"name=trusted_fs value=none was=nfs4,9p",
		"name=anon_exec value=audit was=deny",
	};
	struct hg_event *e;
	size_t off = 0;
	ssize_t n;
	int i = 0;

	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	ASSERT_EQ(0, hg_write("trusted_fs", "9p nfs4", 7));
	ASSERT_EQ(0, hg_write("trusted_fs", "\n", 1));
	ASSERT_EQ(0, hg_write("anon_exec", "audit", 5));
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	while ((e = hg_next_event(self->buf, n, &off))) {
		if (e->type != HG_EVENT_SETTING)
			continue;
		if (i < 4) {
			EXPECT_EQ(strlen(want[i]), e->path_len);
			EXPECT_EQ(0, memcmp(want[i], hg_event_path(e), e->path_len))
				TH_LOG("%d: '%.*s', want '%s'", i, e->path_len,
				       hg_event_path(e), want[i]);
			EXPECT_EQ(100, e->list_serial);
			EXPECT_EQ((uint32_t)getpid(), e->pid);
		}
		i++;
	}
	EXPECT_EQ(4, i) TH_LOG("one record per change, none for the same value");
}

/*
 * Each load starts its stream with a load record (seq 1) naming what it
 * runs with; every record of a load has its load id, and a reload has
 * another one, with seq from 1 again.
 */
TEST(load_record_starts_each_load)
{
	static char buf[EVBUF];
	struct hg_event *e, first;
	uint32_t id = 0;
	char text[512];
	size_t off = 0;
	ssize_t n;
	int round;

	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, hg_load("anon_exec=deny heartbeat=0 event_ring=64"));
		ASSERT_EQ(0, hg_write("anon_exec", "audit", 5));
		n = hg_events(buf, sizeof(buf));
		ASSERT_LE(0, n);
		off = 0;
		e = hg_next_event(buf, n, &off);
		ASSERT_NE(NULL, e);
		first = *e;
		snprintf(text, sizeof(text), "%.*s", e->path_len, hg_event_path(e));
		EXPECT_EQ(HG_EVENT_LOAD, first.type);
		EXPECT_EQ(1, first.seq);
		EXPECT_NE(0, first.load_id);
		EXPECT_NE(id, first.load_id) TH_LOG("a reload kept its load id");
		EXPECT_EQ(HG_MODE_AUDIT, first.mode);
		EXPECT_EQ(0, strncmp(text, "version=0.", 10)) TH_LOG("%s", text);
		EXPECT_NE(NULL, strstr(text, " hash_driver=sha256-")) TH_LOG("%s", text);
		EXPECT_NE(NULL, strstr(text, " anon_exec=deny ")) TH_LOG("%s", text);
		EXPECT_NE(NULL, strstr(text, " event_ring=64 heartbeat=0")) TH_LOG("%s", text);
		while ((e = hg_next_event(buf, n, &off)))
			EXPECT_EQ(first.load_id, e->load_id)
				TH_LOG("seq %llu", (unsigned long long)e->seq);
		id = first.load_id;
		ASSERT_EQ(0, hg_unload());
	}
}

/* A quiet module still says it is there, with its counters; no task. */
TEST(heartbeat_comes_with_counters)
{
	static char buf[EVBUF];
	struct hg_event e;
	char text[512];
	int beats;

	ASSERT_EQ(0, hg_load("heartbeat=1"));
	hg_events(buf, sizeof(buf));
	sleep(3);
	beats = find_events(buf, hg_events(buf, sizeof(buf)), HG_EVENT_HEARTBEAT, &e,
			    text, sizeof(text));
	EXPECT_LE(2, beats);
	EXPECT_GE(4, beats);
	EXPECT_EQ(HG_MODE_AUDIT, e.mode);
	EXPECT_EQ(0, e.pid);
	EXPECT_EQ(0, e.comm[0]);
	EXPECT_EQ(0, strncmp(text, "decisions=", 10)) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, " events_dropped=")) TH_LOG("%s", text);
	ASSERT_EQ(0, hg_unload());
	EXPECT_EQ(-EINVAL, hg_load("heartbeat=86401"));
	EXPECT_FALSE(hg_loaded());
}

TEST_F(ev, mode_changes_are_reported_in_order)
{
	struct hg_event *e, *got[4];
	size_t off = 0;
	ssize_t n;
	int i = 0;

	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_EQ(0, hg_set_mode("enforce"));	/* no change: no record */
	ASSERT_EQ(-EINVAL, hg_set_mode("bogus"));
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, hg_set_mode("off"));
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	while ((e = hg_next_event(self->buf, n, &off)))
		if (e->type == HG_EVENT_MODE && i < 4)
			got[i++] = e;
	/* One per change: none for "enforce" again, none for "bogus". */
	ASSERT_EQ(3, i);
	EXPECT_EQ(HG_MODE_ENFORCE, got[0]->mode);
	EXPECT_EQ(HG_MODE_AUDIT, got[1]->mode);
	EXPECT_EQ(HG_MODE_OFF, got[2]->mode);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, got[i]->flags) TH_LOG("not locked: record %d", i);
		EXPECT_EQ(100, got[i]->list_serial);
		EXPECT_EQ((uint32_t)getpid(), got[i]->pid);
		EXPECT_EQ(0, got[i]->uid);
		if (i)
			EXPECT_LT(got[i - 1]->seq, got[i]->seq);
	}
}

TEST_F(ev, malformed_lists_are_rejected_with_their_reason)
{
	struct hg_event e;
	static char blob[4 << 20];
	ssize_t n;

	EXPECT_EQ(-EINVAL, hg_write("allowlist", "garbage", 7));
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	ASSERT_EQ(1, find_events(self->buf, n, HG_EVENT_LIST_REJECT, &e, NULL, 0));
	EXPECT_EQ(HG_REASON_MALFORMED, e.reason);
	EXPECT_EQ(0, find_events(self->buf, n, HG_EVENT_LIST_LOAD, NULL, NULL, 0));

	/* A valid blob cut short; and one with a byte past its end. */
	ASSERT_EQ(0, hg_sh("hashgate load --serial 200 -o /tmp/t/blob /tmp/all.list >/dev/null"));
	n = read_all("/tmp/t/blob", blob, sizeof(blob) - 1);
	ASSERT_LT(100, n);
	EXPECT_EQ(-EINVAL, hg_write("allowlist", blob, n - 1));
	blob[n] = 0;
	EXPECT_EQ(-EINVAL, hg_write("allowlist", blob, n + 1));
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	ASSERT_EQ(2, find_events(self->buf, n, HG_EVENT_LIST_REJECT, &e, NULL, 0));
	EXPECT_EQ(HG_REASON_MALFORMED, e.reason);
	EXPECT_EQ(0, hg_sh("grep -q '^100 ' " HG_FS "/allowlist"));
}

/*
 * mprotect(PROT_EXEC) runs under mmap_lock, where hashgate cannot read and
 * hash the file: a file never verified before is refused as unverified,
 * even when its bytes are listed.
 */
TEST_F(ev, mprotect_of_a_file_never_verified_is_unverified)
{
	struct hg_event e;
	char text[256], answer[256];
	ssize_t n;
	void *p;
	int fd;

	/* Same bytes as a listed library; a new inode nothing has seen. */
	ASSERT_EQ(0, hg_copy("/tests/libhgtest.so", "/tmp/t/lib.so", false));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_LE(0, hg_events(self->buf, EVBUF));
	fd = open("/tmp/t/lib.so", O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 4096);
	close(fd);

	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	ASSERT_EQ(1, find_events(self->buf, n, HG_EVENT_EXEC, &e, text, sizeof(text)));
	EXPECT_EQ(HG_REASON_UNVERIFIED, e.reason);
	EXPECT_EQ(HG_DECISION_DENY, e.decision);
	EXPECT_EQ(HG_HOOK_MPROTECT, e.hook);
	EXPECT_EQ(HG_MODE_ENFORCE, e.mode);
	EXPECT_EQ(100, e.list_serial);
	EXPECT_STREQ("/tmp/t/lib.so", text);
	EXPECT_FALSE(e.flags & HG_EVENT_F_DIGEST);

	/* It is listed: what was missing was a verdict, not a digest. */
	fd = open(HG_FS "/check", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(13, write(fd, "/tmp/t/lib.so", 13));
	n = read(fd, answer, sizeof(answer) - 1);
	close(fd);
	ASSERT_LT(0, n);
	answer[n] = '\0';
	EXPECT_EQ(0, strncmp(answer, "allow none ", 11)) TH_LOG("%s", answer);
}

/* Anonymous executable memory in a child of its own; its exit status. */
static int anon_exec_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int i;

		for (i = 0; i < 2; i++)
			if (mmap(NULL, 4096, PROT_READ | PROT_EXEC,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
				_exit(10 + i);
		_exit(0);
	}
	return pid < 0 ? -1 : hg_wait(pid);
}

TEST_F(ev, anon_exec_audit_reports_while_enforcing)
{
	struct hg_event e;
	uint64_t would;
	ssize_t n;

	ASSERT_EQ(0, hg_write("anon_exec", "audit", 5));
	ASSERT_EQ(0, hg_set_mode("enforce"));
	ASSERT_LE(0, hg_events(self->buf, EVBUF));
	would = hg_stat("would_denies");
	/* Allowed, twice, and reported once for the process. */
	EXPECT_EQ(0, anon_exec_child());
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	ASSERT_EQ(1, find_events(self->buf, n, HG_EVENT_EXEC, &e, NULL, 0));
	EXPECT_EQ(HG_REASON_ANON_EXEC, e.reason);
	EXPECT_EQ(HG_DECISION_WOULD_DENY, e.decision);
	EXPECT_EQ(HG_HOOK_MMAP, e.hook);
	/* The mode of this decision: anon_exec=audit made it audit. */
	EXPECT_EQ(HG_MODE_AUDIT, e.mode);
	EXPECT_EQ(0, e.path_len);
	EXPECT_EQ(100, e.list_serial);
	EXPECT_EQ(would + 2, hg_stat("would_denies"));

	/* The same with anon_exec=deny: refused, with the same reason. */
	ASSERT_EQ(0, hg_write("anon_exec", "deny", 4));
	EXPECT_EQ(10, anon_exec_child());
	n = hg_events(self->buf, EVBUF);
	ASSERT_LE(0, n);
	ASSERT_EQ(1, find_events(self->buf, n, HG_EVENT_EXEC, &e, NULL, 0));
	EXPECT_EQ(HG_REASON_ANON_EXEC, e.reason);
	EXPECT_EQ(HG_DECISION_DENY, e.decision);
	EXPECT_EQ(HG_MODE_ENFORCE, e.mode);
}

TEST_HARNESS_MAIN
