// SPDX-License-Identifier: GPL-2.0
/*
 * More than one reader of the event stream: consumers ("events", the
 * forwarder) and taps ("events_tap", an administrator watching) each get
 * every record, none takes one from another, a stalled reader costs only
 * itself, a restarted consumer neither repeats nor skips, and a tap can
 * never make a record that no consumer has read yet go away.
 *
 * Records come from mode changes (root's, a share of 8 of the 16-record
 * queue) and, where the queue must fill, from would-denies of uid 65534.
 */
#include <poll.h>

#include "hg_test.h"
#include "kselftest_harness.h"

#define EVIL	"/tmp/readers-evil"

/* What a reader saw: seq of each record, and what it was told it missed. */
struct seen {
	uint64_t seq[512];
	unsigned int n;
	uint64_t missed;
};

static int open_ev(const char *file)
{
	char path[128];

	snprintf(path, sizeof(path), HG_FS "/%s", file);
	return open(path, O_RDONLY | O_NONBLOCK);
}

/* Read @fd until EAGAIN; 0, or -errno. */
static int read_into(int fd, struct seen *s)
{
	static char buf[1 << 16];
	struct hg_event *e;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while ((e = hg_next_event(buf, n, &off))) {
			if (s->n < ARRAY_SIZE(s->seq))
				s->seq[s->n++] = e->seq;
			s->missed += e->dropped_before;
		}
	}
	return n < 0 && errno != EAGAIN ? -errno : 0;
}

/* @n mode changes: 2 * @n records, all root's. */
static int flips(int n)
{
	while (n--)
		if (hg_set_mode("enforce") || hg_set_mode("audit"))
			return -1;
	return 0;
}

/* No seq twice, none out of order, no gap that dropped_before did not say. */
static bool contiguous(const struct seen *s)
{
	unsigned int i;

	for (i = 1; i < s->n; i++)
		if (s->seq[i] != s->seq[i - 1] + 1)
			return false;
	return true;
}

FIXTURE(readers) {
	int fd[3];
};

FIXTURE_SETUP(readers)
{
	struct seen drain = { 0 };
	int fd;

	ASSERT_EQ(0, hg_load("event_ring=16 mode=off"));
	ASSERT_EQ(0, hg_allow_all(1));
	ASSERT_EQ(0, hg_set_mode("audit"));
	ASSERT_EQ(0, hg_copy("/tests/hello", EVIL, true));
	/* What setup queued is delivered: each test starts empty. */
	fd = open_ev("events");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read_into(fd, &drain));
	close(fd);
	ASSERT_EQ(0, hg_stat("events_queued"));
	self->fd[0] = -1;
	self->fd[1] = -1;
	self->fd[2] = -1;
}

FIXTURE_TEARDOWN(readers)
{
	int i;

	for (i = 0; i < 3; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
	hg_unload();
	unlink(EVIL);
}

/* Two forwarders at once (no EBUSY), and a tap: all three wake, all get all. */
TEST_F(readers, every_reader_gets_every_record)
{
	struct pollfd p[3];
	struct seen s[3] = { 0 };
	int i;

	self->fd[0] = open_ev("events");
	self->fd[1] = open_ev("events");
	self->fd[2] = open_ev("events_tap");
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, self->fd[i]) TH_LOG("reader %d: %s", i, strerror(errno));
		p[i] = (struct pollfd){ .fd = self->fd[i], .events = POLLIN };
	}
	EXPECT_EQ(0, poll(p, 3, 0));
	ASSERT_EQ(0, flips(3));
	EXPECT_EQ(3, poll(p, 3, 1000));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, read_into(self->fd[i], &s[i]));
		EXPECT_EQ(6, s[i].n) TH_LOG("reader %d", i);
		EXPECT_EQ(0, s[i].missed);
		EXPECT_TRUE(contiguous(&s[i]));
		EXPECT_EQ(s[0].seq[0], s[i].seq[0]);
	}
	EXPECT_EQ(0, hg_stat("events_queued"));
	EXPECT_EQ(0, hg_stat("events_dropped"));
}

/* What a tap read still waits for the forwarder, which then gets it all. */
TEST_F(readers, a_tap_takes_nothing_from_the_consumer)
{
	struct seen tap = { 0 }, again = { 0 }, fwd = { 0 }, late = { 0 };

	ASSERT_EQ(0, flips(2));
	self->fd[0] = open_ev("events_tap");
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, read_into(self->fd[0], &tap));
	EXPECT_EQ(4, tap.n);
	close(self->fd[0]);
	EXPECT_EQ(4, hg_stat("events_queued"));
	/* Another look shows them again: nothing was delivered. */
	self->fd[0] = open_ev("events_tap");
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, read_into(self->fd[0], &again));
	EXPECT_EQ(4, again.n);
	close(self->fd[0]);
	self->fd[0] = -1;

	self->fd[1] = open_ev("events");
	ASSERT_LE(0, self->fd[1]);
	ASSERT_EQ(0, read_into(self->fd[1], &fwd));
	ASSERT_EQ(4, fwd.n);
	EXPECT_EQ(tap.seq[0], fwd.seq[0]);
	EXPECT_EQ(tap.seq[3], fwd.seq[3]);
	EXPECT_EQ(0, fwd.missed);
	EXPECT_EQ(0, hg_stat("events_queued"));
	close(self->fd[1]);
	self->fd[1] = -1;
	/* Delivered and nobody else reading: gone, even for a tap. */
	self->fd[2] = open_ev("events_tap");
	ASSERT_LE(0, self->fd[2]);
	ASSERT_EQ(0, read_into(self->fd[2], &late));
	EXPECT_EQ(0, late.n);
}

/*
 * A forwarder restarted: starts right after what it delivered, even with
 * a tap open that still holds those records.
 */
TEST_F(readers, a_restarted_consumer_neither_repeats_nor_skips)
{
	struct seen first = { 0 }, second = { 0 };

	self->fd[2] = open_ev("events_tap");
	ASSERT_LE(0, self->fd[2]);
	self->fd[0] = open_ev("events");
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, flips(2));
	ASSERT_EQ(0, read_into(self->fd[0], &first));
	ASSERT_EQ(4, first.n);
	close(self->fd[0]);
	self->fd[0] = -1;
	ASSERT_EQ(0, flips(1));
	self->fd[1] = open_ev("events");
	ASSERT_LE(0, self->fd[1]);
	ASSERT_EQ(0, read_into(self->fd[1], &second));
	ASSERT_EQ(2, second.n);
	EXPECT_EQ(first.seq[3] + 1, second.seq[0]);
	EXPECT_EQ(0, second.missed);
}

/*
 * A forwarder keeps up; a tap and a second consumer stall while five times
 * the queue goes by. The forwarder misses nothing, nothing is dropped; each
 * stalled reader is told exactly what it missed.
 */
TEST_F(readers, a_stalled_reader_costs_only_itself)
{
	struct seen fwd = { 0 }, tap = { 0 }, slow = { 0 };
	int i;

	self->fd[0] = open_ev("events");
	self->fd[1] = open_ev("events_tap");
	self->fd[2] = open_ev("events");
	for (i = 0; i < 3; i++)
		ASSERT_LE(0, self->fd[i]);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, flips(1));
		ASSERT_EQ(0, read_into(self->fd[0], &fwd));
	}
	ASSERT_EQ(0, read_into(self->fd[1], &tap));
	ASSERT_EQ(0, read_into(self->fd[2], &slow));
	EXPECT_EQ(80, fwd.n);
	EXPECT_EQ(0, fwd.missed);
	EXPECT_TRUE(contiguous(&fwd));
	EXPECT_EQ(0, hg_stat("events_dropped"));
	/* The queue held the newest 16 for them; the rest is said missed. */
	EXPECT_EQ(16, tap.n);
	EXPECT_EQ(80, tap.n + tap.missed);
	EXPECT_EQ(fwd.seq[79], tap.seq[tap.n - 1]);
	EXPECT_EQ(16, slow.n);
	EXPECT_EQ(80, slow.n + slow.missed);
}

/*
 * No consumer: a tap reading everything must not make room. The queue
 * fills with what waits for delivery; more is dropped and counted (root's
 * over its share, and uid 65533's, within its share, because the queue is
 * full), and the forwarder that comes finds the oldest ones, then the count.
 */
TEST_F(readers, a_tap_cannot_push_out_what_waits_for_delivery)
{
	struct seen tap = { 0 }, fwd = { 0 };
	int i;

	self->fd[0] = open_ev("events_tap");
	ASSERT_LE(0, self->fd[0]);
	/* 8 of root's (its share), then 8 of uid 65534's: full. */
	ASSERT_EQ(0, flips(4));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, hg_exec_as_nobody(EVIL));
	ASSERT_EQ(0, read_into(self->fd[0], &tap));
	EXPECT_EQ(16, tap.n);
	ASSERT_EQ(0, flips(2));
	ASSERT_EQ(0, hg_exec_as(65533, EVIL));
	ASSERT_EQ(0, read_into(self->fd[0], &tap));
	EXPECT_EQ(16, tap.n);
	EXPECT_EQ(5, hg_stat("events_dropped"));

	self->fd[1] = open_ev("events");
	ASSERT_LE(0, self->fd[1]);
	ASSERT_EQ(0, read_into(self->fd[1], &fwd));
	ASSERT_EQ(16, fwd.n);
	EXPECT_EQ(tap.seq[0], fwd.seq[0]);
	EXPECT_EQ(0, fwd.missed);
	/* The next record carries the five dropped. */
	ASSERT_EQ(0, flips(1));
	ASSERT_EQ(0, read_into(self->fd[1], &fwd));
	EXPECT_EQ(18, fwd.n);
	EXPECT_EQ(5, fwd.missed);
	EXPECT_EQ(fwd.seq[15] + 6, fwd.seq[16]);
}

TEST_HARNESS_MAIN
