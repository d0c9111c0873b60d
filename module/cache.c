// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict cache: which version of which file has which digest and
 * verdict under which allowlist.
 *
 * Readers walk an RCU hash table: no lock, no allocation. Writers take one
 * spinlock; the table is bounded and evicts the oldest entry. An entry is
 * only valid for the allowlist generation it was computed under, so a new
 * list invalidates everything at once; hg_cache_flush() then frees the
 * memory.
 *
 * Entries belong to inode objects: a write path (open for write, truncate)
 * and the inode's end drop them (hg_cache_forget()), so a verdict never
 * outlives a write even where the filesystem keeps no i_version and its
 * timestamps are coarser than a rewrite.
 *
 * Concurrent misses on one file hash it once: the first claims the key, the
 * others sleep until it is done and look again (hg_cache_claim()).
 */
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/iversion.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "cache.h"

struct cache_entry {
	struct hlist_node node;		/* in a bucket, RCU */
	struct list_head age;		/* oldest first, under lock */
	struct hg_cache_key key;
	u64 list_gen;
	struct hg_verdict verdict;
	struct rcu_head rcu;
};

struct hg_cache_wait {
	struct list_head node;
	struct hg_cache_key key;
	struct completion done;
	refcount_t ref;
};

/*
 * Not __ro_after_init: kmemleak does not scan that section of a module,
 * and would report what only this points to as a leak.
 */
static struct hlist_head *buckets;
static unsigned int bucket_bits __ro_after_init;
static unsigned int max_count __ro_after_init;
static unsigned int count;
static LIST_HEAD(age_list);
static DEFINE_SPINLOCK(cache_lock);
static struct kmem_cache *entry_cache;

static LIST_HEAD(claims);
static DEFINE_MUTEX(claims_lock);

/**
 * hg_cache_key_equal() - same file, same version
 * @a: a key
 * @b: another
 *
 * Return: true when @a and @b name the same version of one file.
 */
bool hg_cache_key_equal(const struct hg_cache_key *a,
			const struct hg_cache_key *b)
{
	return a->inode == b->inode && a->ino == b->ino &&
	       a->iversion == b->iversion &&
	       timespec64_equal(&a->ctime, &b->ctime) &&
	       timespec64_equal(&a->mtime, &b->mtime) && a->size == b->size;
}

static bool same_file(const struct hg_cache_key *a, const struct hg_cache_key *b)
{
	return a->inode == b->inode;
}

/* Bucket by the inode only, so that a file's versions meet. */
static struct hlist_head *bucket_of_inode(const struct inode *inode)
{
	return &buckets[hash_ptr(inode, bucket_bits)];
}

static struct hlist_head *bucket_of(const struct hg_cache_key *key)
{
	return bucket_of_inode(key->inode);
}

/**
 * hg_cache_key_of() - the identity and change cookie of @inode now
 * @inode: the real inode of the file
 * @key: filled in
 *
 * i_version is used where the filesystem keeps it; ctime, mtime and size
 * are always included, so a filesystem without i_version is covered too.
 */
void hg_cache_key_of(struct inode *inode, struct hg_cache_key *key)
{
	memset(key, 0, sizeof(*key));
	key->inode = inode;
	key->ino = inode->i_ino;
	if (IS_I_VERSION(inode))
		key->iversion = inode_query_iversion(inode);
	key->ctime = hg_inode_ctime(inode);
	key->mtime = hg_inode_mtime(inode);
	key->size = i_size_read(inode);
}

/**
 * hg_cache_lookup() - the cached verdict for @key under list @list_gen
 * @key: from hg_cache_key_of()
 * @list_gen: generation of the allowlist the caller decides against
 * @v: filled in on a hit
 *
 * Lock-free and allocation-free; callable in atomic context.
 *
 * Return: true on a hit.
 */
bool hg_cache_lookup(const struct hg_cache_key *key, u64 list_gen,
		     struct hg_verdict *v)
{
	struct cache_entry *e;
	bool hit = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, bucket_of(key), node) {
		if (e->list_gen == list_gen && hg_cache_key_equal(&e->key, key)) {
			*v = e->verdict;
			hit = true;
			break;
		}
	}
	rcu_read_unlock();
	return hit;
}

static void entry_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(entry_cache, container_of(rcu, struct cache_entry, rcu));
}

static void entry_drop(struct cache_entry *e)
{
	lockdep_assert_held(&cache_lock);
	hlist_del_rcu(&e->node);
	list_del(&e->age);
	WRITE_ONCE(count, count - 1);
	call_rcu(&e->rcu, entry_free_rcu);
}

/**
 * hg_cache_insert() - remember a verdict
 * @key: the file version it was computed for
 * @list_gen: the allowlist generation it was computed under
 * @v: the verdict
 *
 * Older entries of the same file are replaced. Allocation failure only
 * costs a later re-hash.
 */
void hg_cache_insert(const struct hg_cache_key *key, u64 list_gen,
		     const struct hg_verdict *v)
{
	struct hlist_head *head = bucket_of(key);
	struct cache_entry *e, *old;
	struct hlist_node *tmp;
	unsigned long flags;

	e = kmem_cache_alloc(entry_cache, GFP_KERNEL);
	if (!e)
		return;
	e->key = *key;
	e->list_gen = list_gen;
	e->verdict = *v;

	spin_lock_irqsave(&cache_lock, flags);
	hlist_for_each_entry_safe(old, tmp, head, node) {
		if (same_file(&old->key, key))
			entry_drop(old);
	}
	if (count >= max_count)
		entry_drop(list_first_entry(&age_list, struct cache_entry, age));
	hlist_add_head_rcu(&e->node, head);
	list_add_tail(&e->age, &age_list);
	WRITE_ONCE(count, count + 1);
	spin_unlock_irqrestore(&cache_lock, flags);
}

/**
 * hg_cache_has() - is there an entry for @inode
 * @inode: any inode
 *
 * Lock-free; callable from the ftrace callback, to decide whether a write
 * or an inode's end needs hg_cache_forget().
 *
 * Return: true when @inode has an entry.
 */
bool hg_cache_has(const struct inode *inode)
{
	struct cache_entry *e;
	bool found = false;

	if (!READ_ONCE(count))
		return false;
	rcu_read_lock();
	hlist_for_each_entry_rcu(e, bucket_of_inode(inode), node) {
		if (e->key.inode == inode) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * hg_cache_forget() - drop the entries of @inode
 * @inode: about to be written, truncated or freed
 *
 * Does not sleep. A hash of @inode that is in progress is not cached
 * afterwards: it runs with writers denied (see decide.c), so a writer can
 * only come before it starts or after it is done.
 */
void hg_cache_forget(const struct inode *inode)
{
	struct cache_entry *e;
	struct hlist_node *tmp;
	unsigned long flags;

	spin_lock_irqsave(&cache_lock, flags);
	hlist_for_each_entry_safe(e, tmp, bucket_of_inode(inode), node) {
		if (e->key.inode == inode)
			entry_drop(e);
	}
	spin_unlock_irqrestore(&cache_lock, flags);
}

/**
 * hg_cache_flush() - drop every entry; used when the allowlist changes
 */
void hg_cache_flush(void)
{
	struct cache_entry *e, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&cache_lock, flags);
	list_for_each_entry_safe(e, tmp, &age_list, age)
		entry_drop(e);
	spin_unlock_irqrestore(&cache_lock, flags);
}

/**
 * hg_cache_count() - entries held now
 *
 * Return: the count, read without the lock.
 */
unsigned int hg_cache_count(void)
{
	return READ_ONCE(count);
}

/**
 * hg_cache_claim() - become the one hasher of @key, or wait for it
 * @key: the file version about to be hashed
 *
 * Return: a claim to pass to hg_cache_release() once the verdict is in
 * the cache, or NULL after another task's hash of the same file finished
 * (or a fatal signal arrived): the caller then looks the cache up again.
 */
struct hg_cache_wait *hg_cache_claim(const struct hg_cache_key *key)
{
	struct hg_cache_wait *w;

	mutex_lock(&claims_lock);
	list_for_each_entry(w, &claims, node) {
		if (same_file(&w->key, key)) {
			refcount_inc(&w->ref);
			mutex_unlock(&claims_lock);
			wait_for_completion_killable(&w->done);
			if (refcount_dec_and_test(&w->ref))
				kfree(w);
			return NULL;
		}
	}
	/* On allocation failure, hash without telling others: still correct. */
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (w) {
		w->key = *key;
		init_completion(&w->done);
		refcount_set(&w->ref, 1);
		list_add(&w->node, &claims);
	}
	mutex_unlock(&claims_lock);
	return w ?: ERR_PTR(-ENOMEM);
}

/**
 * hg_cache_release() - the hash is done; wake whoever waits for it
 * @w: from hg_cache_claim(); an ERR_PTR is ignored
 */
void hg_cache_release(struct hg_cache_wait *w)
{
	if (IS_ERR_OR_NULL(w))
		return;
	mutex_lock(&claims_lock);
	list_del(&w->node);
	mutex_unlock(&claims_lock);
	complete_all(&w->done);
	if (refcount_dec_and_test(&w->ref))
		kfree(w);
}

/**
 * hg_cache_init() - allocate the table
 * @max_entries: bound on cached verdicts
 *
 * Return: 0 or -ENOMEM.
 */
int __init hg_cache_init(unsigned int max_entries)
{
	unsigned int i;

	max_count = max(max_entries, 16U);
	bucket_bits = ilog2(roundup_pow_of_two(max_count));
	buckets = kvmalloc_array(1U << bucket_bits, sizeof(*buckets),
				 GFP_KERNEL);
	if (!buckets)
		return -ENOMEM;
	for (i = 0; i < (1U << bucket_bits); i++)
		INIT_HLIST_HEAD(&buckets[i]);
	entry_cache = KMEM_CACHE(cache_entry, 0);
	if (!entry_cache) {
		kvfree(buckets);
		return -ENOMEM;
	}
	return 0;
}

/**
 * hg_cache_exit() - free everything; no hook may run any more
 */
void hg_cache_exit(void)
{
	hg_cache_flush();
	/* Entries are freed by call_rcu(): let those run before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(entry_cache);
	kvfree(buckets);
}

#ifdef DEBUG
#include "selftest/cache.c"
#endif
