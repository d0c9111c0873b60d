// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict cache checked against a deliberately trivial reference: an
 * array of entries searched from end to end, with an age stamp for eviction.
 * Included at the end of cache.c under DEBUG, so that it can shrink the
 * table's bound and read its static state; run at load by hg_init().
 *
 * The keys name fake inodes (addresses in a local array): the cache only
 * compares and hashes the pointer, it never follows it.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>

#define ST_MAX		16	/* the cache's bound during the test */
#define ST_INODES	40
#define ST_VERSIONS	3
#define ST_GENS		2
#define ST_OPS		2000

struct st_ref {
	bool used;
	struct hg_cache_key key;
	u64 gen;
	u8 reason;
	u64 age;
};

static struct st_ref *st_ref;
static u64 st_age;
static char st_inodes[ST_INODES];

static void __init st_key(struct hg_cache_key *key, unsigned int inode,
			  unsigned int version)
{
	memset(key, 0, sizeof(*key));
	key->inode = (const struct inode *)&st_inodes[inode];
	key->ino = 1000 + inode;
	key->iversion = version;
	key->ctime.tv_sec = 100 + version;
	key->mtime.tv_sec = 200 + version;
	key->size = 4096 + version;
}

static unsigned int __init st_ref_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < ST_MAX; i++)
		n += st_ref[i].used;
	return n;
}

static void __init st_ref_forget(const struct inode *inode)
{
	unsigned int i;

	for (i = 0; i < ST_MAX; i++)
		if (st_ref[i].used && st_ref[i].key.inode == inode)
			st_ref[i].used = false;
}

static void __init st_ref_insert(const struct hg_cache_key *key, u64 gen,
				 u8 reason)
{
	unsigned int i, slot = ST_MAX, oldest = ST_MAX;

	st_ref_forget(key->inode);
	for (i = 0; i < ST_MAX; i++) {
		if (!st_ref[i].used) {
			slot = i;
			continue;
		}
		if (oldest == ST_MAX || st_ref[i].age < st_ref[oldest].age)
			oldest = i;
	}
	if (slot == ST_MAX)
		slot = oldest;	/* full: the oldest goes */
	st_ref[slot].used = true;
	st_ref[slot].key = *key;
	st_ref[slot].gen = gen;
	st_ref[slot].reason = reason;
	st_ref[slot].age = ++st_age;
}

static bool __init st_ref_lookup(const struct hg_cache_key *key, u64 gen,
				 u8 *reason)
{
	unsigned int i;

	for (i = 0; i < ST_MAX; i++) {
		struct st_ref *r = &st_ref[i];

		if (r->used && r->gen == gen && r->key.inode == key->inode &&
		    r->key.ino == key->ino && r->key.iversion == key->iversion &&
		    r->key.ctime.tv_sec == key->ctime.tv_sec &&
		    r->key.mtime.tv_sec == key->mtime.tv_sec &&
		    r->key.size == key->size) {
			*reason = r->reason;
			return true;
		}
	}
	return false;
}

static bool __init st_ref_has(const struct inode *inode)
{
	unsigned int i;

	for (i = 0; i < ST_MAX; i++)
		if (st_ref[i].used && st_ref[i].key.inode == inode)
			return true;
	return false;
}

/* Against the reference, with random operations. */
static bool __init st_random(void)
{
	struct hg_verdict v = {}, got;
	struct hg_cache_key key;
	struct rnd_state rnd;
	unsigned int i, op, in, ver;
	u64 gen;
	u8 reason;
	bool hit, ref_hit;

	prandom_seed_state(&rnd, 19);
	for (i = 0; i < ST_OPS; i++) {
		op = prandom_u32_state(&rnd) % 100;
		in = prandom_u32_state(&rnd) % ST_INODES;
		ver = prandom_u32_state(&rnd) % ST_VERSIONS;
		gen = prandom_u32_state(&rnd) % ST_GENS;
		st_key(&key, in, ver);
		if (op < 45) {
			v.reason = prandom_u32_state(&rnd) % 8;
			v.has_digest = v.reason & 1;
			memset(v.digest, v.reason, sizeof(v.digest));
			hg_cache_insert(&key, gen, &v);
			st_ref_insert(&key, gen, v.reason);
		} else if (op < 85) {
			memset(&got, 0xa5, sizeof(got));
			hit = hg_cache_lookup(&key, gen, &got);
			ref_hit = st_ref_lookup(&key, gen, &reason);
			if (hit != ref_hit) {
				pr_err("cache selftest: random op %u: lookup %s, reference %s\n",
				       i, hit ? "hit" : "missed",
				       ref_hit ? "hits" : "misses");
				return false;
			}
			if (hit && (got.reason != reason ||
				    got.has_digest != (reason & 1) ||
				    got.digest[0] != reason ||
				    got.digest[HG_DIGEST_SIZE - 1] != reason)) {
				pr_err("cache selftest: random op %u: lookup gave another verdict\n",
				       i);
				return false;
			}
		} else if (op < 93) {
			hg_cache_forget(key.inode);
			st_ref_forget(key.inode);
		} else if (op < 99) {
			if (hg_cache_has(key.inode) != st_ref_has(key.inode)) {
				pr_err("cache selftest: random op %u: has() disagrees\n",
				       i);
				return false;
			}
		} else {
			hg_cache_flush();
			memset(st_ref, 0, ST_MAX * sizeof(*st_ref));
		}
		if (hg_cache_count() != st_ref_count()) {
			pr_err("cache selftest: random op %u: %u entries, reference %u\n",
			       i, hg_cache_count(), st_ref_count());
			return false;
		}
	}
	return true;
}

/* A full cache evicts the oldest entry, and only that one. */
static bool __init st_eviction(void)
{
	struct hg_verdict v = {}, got;
	struct hg_cache_key key;
	unsigned int i;

	hg_cache_flush();
	for (i = 0; i <= ST_MAX; i++) {
		st_key(&key, i, 0);
		v.reason = i % 8;
		hg_cache_insert(&key, 1, &v);
	}
	if (hg_cache_count() != ST_MAX) {
		pr_err("cache selftest: eviction: %u entries, bound %u\n",
		       hg_cache_count(), ST_MAX);
		return false;
	}
	st_key(&key, 0, 0);
	if (hg_cache_lookup(&key, 1, &got) || hg_cache_has(key.inode)) {
		pr_err("cache selftest: eviction: the oldest entry survived\n");
		return false;
	}
	for (i = 1; i <= ST_MAX; i++) {
		st_key(&key, i, 0);
		if (!hg_cache_lookup(&key, 1, &got) || got.reason != i % 8) {
			pr_err("cache selftest: eviction: entry %u lost\n", i);
			return false;
		}
	}
	hg_cache_flush();
	return hg_cache_count() == 0;
}

/* Every part of the change cookie counts, and so does the generation. */
static bool __init st_key_fields(void)
{
	static const char * const field[] = {
		"inode", "ino", "iversion", "ctime", "mtime", "size",
		"list generation",
	};
	struct hg_verdict v = {}, got;
	struct hg_cache_key key, other;
	unsigned int i;
	u64 gen;

	st_key(&key, 1, 0);
	hg_cache_insert(&key, 1, &v);
	if (!hg_cache_lookup(&key, 1, &got)) {
		pr_err("cache selftest: key: an entry just inserted is missing\n");
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(field); i++) {
		other = key;
		gen = 1;
		switch (i) {
		case 0:
			other.inode = (const struct inode *)&st_inodes[2];
			break;
		case 1:
			other.ino++;
			break;
		case 2:
			other.iversion++;
			break;
		case 3:
			other.ctime.tv_nsec++;
			break;
		case 4:
			other.mtime.tv_nsec++;
			break;
		case 5:
			other.size++;
			break;
		default:
			gen = 2;
		}
		if (hg_cache_lookup(&other, gen, &got)) {
			pr_err("cache selftest: key: another %s still hits\n",
			       field[i]);
			return false;
		}
	}
	hg_cache_flush();
	return true;
}

struct st_claimer {
	const struct hg_cache_key *key;
	struct hg_cache_wait *got;
	struct completion done;
};

/* Not __init: the thread may still be returning when init ends. */
static int st_claimer_fn(void *data)
{
	struct st_claimer *c = data;

	c->got = hg_cache_claim(c->key);
	complete(&c->done);
	return 0;
}

/* A second claimer of the same file waits for the first, then gets NULL. */
static bool __init st_claims(void)
{
	struct hg_cache_wait *first, *other;
	struct hg_cache_key key, key2;
	struct st_claimer c;
	struct task_struct *t;
	bool ok = true, early;

	st_key(&key, 3, 0);
	st_key(&key2, 4, 0);
	first = hg_cache_claim(&key);
	if (IS_ERR_OR_NULL(first)) {
		pr_err("cache selftest: claims: the first claim failed\n");
		return false;
	}
	/* Another file is not held up by it. */
	other = hg_cache_claim(&key2);
	if (IS_ERR_OR_NULL(other)) {
		pr_err("cache selftest: claims: another file's claim failed\n");
		hg_cache_release(first);
		return false;
	}
	hg_cache_release(other);

	/* Another version of the same file waits all the same. */
	st_key(&key2, 3, 1);
	c.key = &key2;
	c.got = ERR_PTR(-EINVAL);
	init_completion(&c.done);
	t = kthread_run(st_claimer_fn, &c, "hg_selftest");
	if (IS_ERR(t)) {
		hg_cache_release(first);
		pr_err("cache selftest: claims: no thread\n");
		return false;
	}
	early = wait_for_completion_timeout(&c.done, msecs_to_jiffies(100));
	if (early) {
		pr_err("cache selftest: claims: a second claimer did not wait\n");
		ok = false;
	}
	hg_cache_release(first);
	wait_for_completion(&c.done);
	if (c.got) {
		pr_err("cache selftest: claims: a second claimer got a claim, not NULL\n");
		hg_cache_release(c.got);
		ok = false;
	}
	if (!list_empty(&claims)) {
		pr_err("cache selftest: claims: a claim was left behind\n");
		ok = false;
	}
	return ok;
}

/**
 * hg_cache_selftest() - check the cache against a trivial reference
 *
 * Runs on the empty cache after hg_cache_init(), before any hook; leaves it
 * empty, with its bound restored.
 *
 * Return: true when every check passed; a failed one is named in the log.
 */
bool __init hg_cache_selftest(void)
{
	unsigned int saved_max = max_count;
	bool ok;

	st_ref = kcalloc(ST_MAX, sizeof(*st_ref), GFP_KERNEL);
	if (!st_ref)
		return false;
	max_count = ST_MAX;
	ok = st_random() && st_eviction() && st_key_fields() && st_claims();
	hg_cache_flush();
	max_count = saved_max;
	kfree(st_ref);
	st_ref = NULL;
	if (ok)
		pr_info("cache selftest: pass\n");
	return ok;
}
