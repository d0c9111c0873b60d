// SPDX-License-Identifier: GPL-2.0
/*
 * The event queue checked against a deliberately trivial reference: the
 * records as an array by ring index, a count of drops, and a count per
 * share recomputed by walking it. Included at the end of event.c under
 * DEBUG, so that it can shrink the queue's bounds and read its static
 * state; run at load by hg_init(), before the first record.
 *
 * What is checked (Documentation/events.rst, "Drop accounting"): at most
 * event_ring records and max_bytes bytes held; a user's share at most half
 * of either while undelivered; a full queue pushes out the oldest delivered
 * record, never an undelivered one, else drops the new one; seq counts
 * every record, dropped ones included, and dropped_before says how many
 * were dropped just before it.
 */
#include <linux/prandom.h>

#define ST_SIZE		16	/* the queue's bound in records, during the test */
#define ST_BYTES	(ST_SIZE * 512)	/* and in bytes: both bounds are met */
#define ST_OPS		2000
#define ST_UIDS		4

struct st_rec {
	u64 seq, dropped_before;
	u32 uid;
	u32 size;
};

static struct {
	struct st_rec *rec;	/* by ring index, [0, ST_OPS) */
	u64 first, delivered, end;
	u64 next_seq, dropped;
	u64 pos[2];		/* the consumer's, the tap's */
} st;

static u32 st_uids[ST_UIDS];

static bool __init st_ref_full(u32 size)
{
	size_t bytes = 0;
	u64 i;

	for (i = st.first; i < st.end; i++)
		bytes += st.rec[i].size;
	return st.end - st.first == ST_SIZE || bytes + size > ST_BYTES;
}

static bool __init st_ref_within_share(u32 uid, u32 size)
{
	unsigned int n = 0;
	size_t bytes = 0;
	u64 i;

	for (i = st.delivered; i < st.end; i++) {
		if (hash_32(st.rec[i].uid, HG_UID_BUCKETS_BITS) ==
		    hash_32(uid, HG_UID_BUCKETS_BITS)) {
			n++;
			bytes += st.rec[i].size;
		}
	}
	return n < ST_SIZE / 2 && bytes + size <= ST_BYTES / 2;
}

/* Queue a record of @uid and @size in both; false when they disagree. */
static bool __init st_queue(u32 uid, u32 size, unsigned int op)
{
	struct hg_event *rec = kzalloc(size, GFP_KERNEL);
	bool queued, ref_queued = false;
	u64 end = ring.end;

	if (!rec) {
		pr_err("event selftest: no memory\n");
		return false;
	}
	rec->size = size;
	rec->uid = uid;
	rec->auid = (u32)-1;
	queue(rec);
	queued = ring.end != end;

	st.next_seq++;
	if (st_ref_within_share(uid, size)) {
		while (st_ref_full(size) && st.first < st.delivered)
			st.first++;
		ref_queued = !st_ref_full(size);
	}
	if (!ref_queued) {
		st.dropped++;
	} else {
		st.rec[st.end].seq = st.next_seq;
		st.rec[st.end].dropped_before = st.dropped;
		st.rec[st.end].uid = uid;
		st.rec[st.end].size = size;
		st.end++;
		st.dropped = 0;
	}
	if (queued != ref_queued) {
		pr_err("event selftest: op %u: record %s, reference %s\n", op,
		       queued ? "queued" : "dropped",
		       ref_queued ? "queues it" : "drops it");
		return false;
	}
	return true;
}

/* Reader @n (0: the consumer, 1: the tap) reads one record in both. */
static bool __init st_read(struct hg_reader *r, unsigned int n,
			   unsigned int op)
{
	const struct st_rec *want;
	s64 i = take(r, HG_EVENT_MAX_SIZE);
	u64 *pos = &st.pos[n];

	if (*pos < st.first)
		*pos = st.first;
	if (*pos == st.end) {
		if (i != -EAGAIN) {
			pr_err("event selftest: op %u: read a record the reference lacks\n",
			       op);
			return false;
		}
		return true;
	}
	want = &st.rec[*pos];
	if (i != *pos || r->copy->seq != want->seq ||
	    r->copy->dropped_before != want->dropped_before ||
	    r->copy->uid != want->uid || r->copy->size != want->size) {
		pr_err("event selftest: op %u: read index %lld seq %llu, reference index %llu seq %llu\n",
		       op, i, i >= 0 ? r->copy->seq : 0, *pos, want->seq);
		return false;
	}
	advance(r, i);
	(*pos)++;
	if (r->consumer)
		st.delivered = max(st.delivered, *pos);
	/* Freed once delivered and read by both. */
	st.first = max(st.first,
		       min3(st.delivered, st.pos[0], max(st.pos[1], st.first)));
	return true;
}

/* The queue's own counters against the reference's. Under ring.lock. */
static bool __init st_invariants_locked(unsigned int op)
{
	static unsigned int count[1 << HG_UID_BUCKETS_BITS] __initdata;
	size_t bytes = 0;
	unsigned int b;
	u64 i;

	if (ring.first != st.first || ring.delivered != st.delivered ||
	    ring.end != st.end || ring.next_seq != st.next_seq ||
	    ring.dropped != st.dropped) {
		pr_err("event selftest: op %u: ring [%llu %llu %llu) seq %llu dropped %llu, reference [%llu %llu %llu) seq %llu dropped %llu\n",
		       op, ring.first, ring.delivered, ring.end, ring.next_seq,
		       ring.dropped, st.first, st.delivered, st.end,
		       st.next_seq, st.dropped);
		return false;
	}
	for (i = st.first; i < st.end; i++) {
		if (slot(i)->seq != st.rec[i].seq) {
			pr_err("event selftest: op %u: slot %llu holds seq %llu, reference %llu\n",
			       op, i, slot(i)->seq, st.rec[i].seq);
			return false;
		}
		bytes += st.rec[i].size;
	}
	if (ring.bytes != bytes || bytes > ST_BYTES ||
	    st.end - st.first > ST_SIZE) {
		pr_err("event selftest: op %u: %zu bytes held, reference %zu\n",
		       op, ring.bytes, bytes);
		return false;
	}
	memset(count, 0, sizeof(count));
	for (i = st.delivered; i < st.end; i++)
		count[hash_32(st.rec[i].uid, HG_UID_BUCKETS_BITS)]++;
	for (b = 0; b < ARRAY_SIZE(count); b++) {
		if (ring.by_uid[b].count != count[b] ||
		    count[b] > ST_SIZE / 2 ||
		    ring.by_uid[b].bytes > ST_BYTES / 2) {
			pr_err("event selftest: op %u: share %u holds %u, reference %u\n",
			       op, b, ring.by_uid[b].count, count[b]);
			return false;
		}
	}
	return true;
}

static bool __init st_invariants(unsigned int op)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ring.lock, flags);
	ok = st_invariants_locked(op);
	spin_unlock_irqrestore(&ring.lock, flags);
	return ok;
}

static bool __init st_random(struct hg_reader *r)
{
	struct rnd_state rnd;
	unsigned int i, op;
	u32 size;

	prandom_seed_state(&rnd, 19);
	for (i = 0; i < ST_OPS; i++) {
		op = prandom_u32_state(&rnd) % 100;
		if (op < 60) {
			/* Mostly small records; now and then a long path. */
			size = sizeof(struct hg_event) +
			       8 * (prandom_u32_state(&rnd) % 16);
			if (op < 5)
				size += 1024 + 8 * (prandom_u32_state(&rnd) % 256);
			/* One user floods, the others do not. */
			if (!st_queue(st_uids[op < 30 ? 0 :
					      prandom_u32_state(&rnd) % ST_UIDS],
				      size, i))
				return false;
		} else if (!st_read(&r[op < 95 ? 0 : 1], op < 95 ? 0 : 1, i)) {
			return false;
		}
		if (!st_invariants(i))
			return false;
	}
	return true;
}

/* Four uids in four different shares. */
static void __init st_pick_uids(void)
{
	unsigned int n = 0, j;
	u32 uid;

	for (uid = 1000; n < ST_UIDS; uid++) {
		for (j = 0; j < n; j++)
			if (hash_32(st_uids[j], HG_UID_BUCKETS_BITS) ==
			    hash_32(uid, HG_UID_BUCKETS_BITS))
				break;
		if (j == n)
			st_uids[n++] = uid;
	}
}

/* Empty the queue and forget the test: the first real record has seq 1. */
static void __init st_reset(void)
{
	unsigned long flags;
	unsigned int cpu;

	drain();
	spin_lock_irqsave(&ring.lock, flags);
	ring.head = 0;
	ring.first = 0;
	ring.delivered = 0;
	ring.end = 0;
	ring.next_seq = 0;
	ring.dropped = 0;
	spin_unlock_irqrestore(&ring.lock, flags);
	/* Nothing has counted an event before the test. */
	for_each_possible_cpu(cpu) {
		per_cpu(hg_stats, cpu).v[HG_STAT_EVENTS] = 0;
		per_cpu(hg_stats, cpu).v[HG_STAT_EVENTS_DROPPED] = 0;
	}
}

/**
 * hg_event_selftest() - check the queue against a trivial reference
 *
 * Runs on the empty queue after hg_event_init(), before the first record
 * and before any reader; leaves it empty, with its bounds restored.
 *
 * Return: true when every check passed; a failed one is named in the log.
 */
bool __init hg_event_selftest(void)
{
	unsigned int saved_size = ring.size;
	size_t saved_bytes = ring.max_bytes;
	/* A consumer that keeps up, and a tap that lags. */
	struct hg_reader r[2] = { { .consumer = true }, {} };
	unsigned long flags;
	bool ok;

	st.rec = kvcalloc(ST_OPS, sizeof(*st.rec), GFP_KERNEL);
	r[0].copy = kvmalloc(HG_EVENT_MAX_SIZE, GFP_KERNEL);
	r[1].copy = kvmalloc(HG_EVENT_MAX_SIZE, GFP_KERNEL);
	if (!st.rec || !r[0].copy || !r[1].copy) {
		kvfree(st.rec);
		kvfree(r[0].copy);
		kvfree(r[1].copy);
		pr_err("event selftest: no memory\n");
		return false;
	}
	st_pick_uids();
	/* The slots array holds at least 16: the bound may only shrink. */
	ring.size = ST_SIZE;
	ring.max_bytes = ST_BYTES;
	spin_lock_irqsave(&ring.lock, flags);
	list_add_tail(&r[0].node, &ring.readers);
	list_add_tail(&r[1].node, &ring.readers);
	spin_unlock_irqrestore(&ring.lock, flags);

	ok = st_random(r);

	spin_lock_irqsave(&ring.lock, flags);
	list_del(&r[0].node);
	list_del(&r[1].node);
	spin_unlock_irqrestore(&ring.lock, flags);
	st_reset();
	ring.size = saved_size;
	ring.max_bytes = saved_bytes;
	kvfree(r[0].copy);
	kvfree(r[1].copy);
	kvfree(st.rec);
	memset(&st, 0, sizeof(st));
	if (ok)
		pr_info("event selftest: pass\n");
	return ok;
}
