// SPDX-License-Identifier: GPL-2.0
/*
 * Page digests: what each 4 KiB page of a verified file held when it was
 * verified, so that the scan (scan.c) can tell a resident page that changed
 * since.
 *
 * They are taken in the same read as the file's SHA-256, with writers
 * denied, and kept only for files the allowlist allowed. They belong to the
 * content, not to the file: every copy of one listed file shares one set,
 * so copies cost a record each, not a set each. A record belongs to an inode
 * object, like a cached verdict: a write that is let through (open for
 * write, truncate, a shared writable mapping) and the inode's end drop it,
 * so a record never outlives a change of the bytes it vouches for. A write
 * that is refused drops nothing: the bytes did not change.
 *
 * Memory is bounded by the page_digests setting (KiB, sets and records
 * together); past it, files are verified as before but get no page digests,
 * and page_digests_over_budget counts them. Files no user but root owns
 * (the system's programs and libraries) may use all of it; the others,
 * together, half: copies of listed programs made by users, however many,
 * cannot leave the system's own files without.
 */
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/vmalloc.h>

#include "measure.h"
#include "pages.h"
#include "stats.h"

#define HG_PAGES_BUCKET_BITS	10

/* One content's page digests, shared by every file with that content. */
struct page_set {
	struct hlist_node node;		/* in sets[], under pages_lock */
	unsigned int nusers;		/* records, under pages_lock */
	size_t bytes;
	bool users;			/* charged to users' half */
	u8 file_digest[HG_DIGEST_SIZE];
	struct rcu_head rcu;
	struct hg_page_digests pd;	/* pd.digests points into data[] */
	u8 data[][HG_PAGE_DIGEST_SIZE];
};

/* One inode's: the content it was verified to hold. */
struct page_record {
	struct hlist_node node;		/* in records[], RCU */
	struct list_head all;		/* in all_records, under pages_lock */
	const struct inode *inode;
	struct page_set *set;
	refcount_t ref;			/* the table's, and the scan's */
	bool dead;			/* forgotten: the bytes may change */
	bool users;			/* charged to users' half */
	u64 scanned;			/* the last scan that took it */
	size_t bytes;
	struct hg_page_file info;
	struct rcu_head rcu;
};

static struct hlist_head records[1 << HG_PAGES_BUCKET_BITS];
static struct hlist_head sets[1 << HG_PAGES_BUCKET_BITS];
static LIST_HEAD(all_records);
static DEFINE_SPINLOCK(pages_lock);
static size_t used, used_by_users, budget;
static unsigned int record_count;

static struct hlist_head *record_bucket(const struct inode *inode)
{
	return &records[hash_ptr(inode, HG_PAGES_BUCKET_BITS)];
}

static struct hlist_head *set_bucket(const u8 *digest)
{
	u32 head;

	memcpy(&head, digest, sizeof(head));
	return &sets[hash_32(head, HG_PAGES_BUCKET_BITS)];
}

static void set_free_rcu(struct rcu_head *rcu)
{
	/* kvfree() from an RCU callback: vfree() defers what it must. */
	kvfree(container_of(rcu, struct page_set, rcu));
}

static void record_free_rcu(struct rcu_head *rcu)
{
	struct page_record *r = container_of(rcu, struct page_record, rcu);

	kfree(r->info.path);
	kfree(r);
}

/* Under pages_lock. */
static void set_put(struct page_set *set)
{
	if (--set->nusers)
		return;
	hlist_del(&set->node);
	used -= set->bytes;
	if (set->users)
		used_by_users -= set->bytes;
	call_rcu(&set->rcu, set_free_rcu);
}

/* The last reference: under pages_lock, or with it taken here. */
static void record_put(struct page_record *r)
{
	unsigned long flags;

	/* __cond_lock: sparse learns the lock is taken when this is true. */
	if (!__cond_lock(pages_lock,
			 refcount_dec_and_lock_irqsave(&r->ref, &pages_lock,
						       &flags)))
		return;
	set_put(r->set);
	used -= r->bytes;
	if (r->users)
		used_by_users -= r->bytes;
	spin_unlock_irqrestore(&pages_lock, flags);
	call_rcu(&r->rcu, record_free_rcu);
}

/* Unlink @r from the table; its reference is dropped by the caller. */
static void record_unlink(struct page_record *r)
{
	lockdep_assert_held(&pages_lock);
	WRITE_ONCE(r->dead, true);
	hlist_del_rcu(&r->node);
	list_del(&r->all);
	record_count--;
}

/**
 * hg_pages_alloc() - room for the page digests of a file of @size bytes
 * @size: the file's size
 *
 * Return: the room, to pass to hg_measure_file() and then to
 * hg_pages_record() or hg_pages_free(); NULL when the budget has no room
 * (counted) or memory is short.
 */
struct hg_page_digests *hg_pages_alloc(loff_t size)
{
	u64 count = DIV_ROUND_UP_ULL(size, HG_PAGE_SIZE);
	struct page_set *set;
	size_t bytes;

	if (size <= 0 || count > U32_MAX)
		return NULL;
	bytes = struct_size(set, data, count);
	if (READ_ONCE(used) + bytes > READ_ONCE(budget)) {
		hg_stat_inc(HG_STAT_PAGE_DIGESTS_OVER_BUDGET);
		return NULL;
	}
	set = kvzalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
	if (!set) {
		hg_stat_inc(HG_STAT_PAGE_DIGESTS_OVER_BUDGET);
		return NULL;
	}
	set->bytes = bytes;
	set->pd.count = count;
	set->pd.digests = set->data;
	return &set->pd;
}

/**
 * hg_pages_free() - give back room that is not recorded
 * @pd: from hg_pages_alloc(), or NULL
 */
void hg_pages_free(struct hg_page_digests *pd)
{
	if (pd)
		kvfree(container_of(pd, struct page_set, pd));
}

/* A set with this content already, under pages_lock. */
static struct page_set *find_set(const u8 *digest, u64 count)
{
	struct page_set *set;

	lockdep_assert_held(&pages_lock);
	hlist_for_each_entry(set, set_bucket(digest), node) {
		if (!memcmp(set->file_digest, digest, HG_DIGEST_SIZE) &&
		    set->pd.count == count)
			return set;
	}
	return NULL;
}

/* The record of @inode, under pages_lock or RCU. */
static struct page_record *find_record(const struct inode *inode)
{
	struct page_record *r;

	hlist_for_each_entry_rcu(r, record_bucket(inode), node,
				 lockdep_is_held(&pages_lock)) {
		if (r->inode == inode)
			return r;
	}
	return NULL;
}

/**
 * hg_pages_record() - keep the page digests of a file the list allowed
 * @inode: its real inode; writers must be denied until this returns
 * @digest: the SHA-256 of its content
 * @pd: its page digests from hg_measure_file(); consumed
 * @path: its path now, for reports; consumed (kfree'd), may be NULL
 */
void hg_pages_record(struct inode *inode, const u8 *digest,
		     struct hg_page_digests *pd, char *path)
{
	struct page_set *set = container_of(pd, struct page_set, pd), *have;
	struct page_record *r, *old;
	size_t rbytes, need;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		hg_pages_free(pd);
		kfree(path);
		return;
	}
	rbytes = sizeof(*r) + (path ? strlen(path) + 1 : 0);
	r->inode = inode;
	r->bytes = rbytes;
	refcount_set(&r->ref, 1);
	r->info.path = path;
	r->info.ino = inode->i_ino;
	r->info.dev = inode->i_sb->s_dev;
	r->info.pages = pd->count;
	memcpy(r->info.file_digest, digest, HG_DIGEST_SIZE);
	memcpy(set->file_digest, digest, HG_DIGEST_SIZE);

	spin_lock_irq(&pages_lock);
	old = find_record(inode);
	if (old && old->set->pd.count == pd->count &&
	    !memcmp(old->set->file_digest, digest, HG_DIGEST_SIZE)) {
		spin_unlock_irq(&pages_lock);
		goto drop;	/* verified again, same bytes: nothing new */
	}
	have = find_set(digest, pd->count);
	r->users = !uid_eq(inode->i_uid, GLOBAL_ROOT_UID);
	need = rbytes + (have ? 0 : set->bytes);
	if (used + need > budget ||
	    (r->users && used_by_users + need > budget / 2)) {
		spin_unlock_irq(&pages_lock);
		hg_stat_inc(HG_STAT_PAGE_DIGESTS_OVER_BUDGET);
		goto drop;
	}
	if (old) {
		record_unlink(old);
		/* The table's reference: freed after the lock is dropped. */
	}
	if (have) {
		r->set = have;
	} else {
		r->set = set;
		set->nusers = 0;
		set->users = r->users;
		hlist_add_head(&set->node, set_bucket(digest));
		set = NULL;
	}
	r->set->nusers++;
	used += need;
	if (r->users)
		used_by_users += need;
	hlist_add_head_rcu(&r->node, record_bucket(inode));
	list_add_tail(&r->all, &all_records);
	record_count++;
	spin_unlock_irq(&pages_lock);
	if (old)
		record_put(old);
	hg_pages_free(set ? &set->pd : NULL);
	return;
drop:
	hg_pages_free(pd);
	kfree(path);
	kfree(r);
}

/**
 * hg_pages_has() - does @inode have page digests
 * @inode: any inode
 *
 * Lock-free; callable from the ftrace callback, like hg_cache_has().
 *
 * Return: true when page digests are recorded for @inode.
 */
bool hg_pages_has(const struct inode *inode)
{
	bool found;

	if (!READ_ONCE(record_count))
		return false;
	rcu_read_lock();
	found = find_record(inode);
	rcu_read_unlock();
	return found;
}

/**
 * hg_pages_forget() - @inode's bytes may change, or it is going away
 * @inode: any inode
 *
 * Does not sleep.
 */
void hg_pages_forget(const struct inode *inode)
{
	struct page_record *r;
	unsigned long flags;

	spin_lock_irqsave(&pages_lock, flags);
	r = find_record(inode);
	if (r)
		record_unlink(r);
	spin_unlock_irqrestore(&pages_lock, flags);
	if (r)
		record_put(r);
}

/**
 * hg_pages_expected() - the page digest @inode's page @index was verified
 *	with
 * @inode: the real inode
 * @index: the 4 KiB page's index in the file
 * @out: HG_PAGE_DIGEST_SIZE bytes
 * @file_digest: HG_DIGEST_SIZE bytes: the file's SHA-256
 *
 * Return: true when known.
 */
bool hg_pages_expected(const struct inode *inode, u64 index, u8 *out,
		       u8 *file_digest)
{
	struct page_record *r;
	bool found = false;

	rcu_read_lock();
	r = find_record(inode);
	if (r && index < r->set->pd.count) {
		memcpy(out, r->set->pd.digests[index], HG_PAGE_DIGEST_SIZE);
		memcpy(file_digest, r->info.file_digest, HG_DIGEST_SIZE);
		found = true;
	}
	rcu_read_unlock();
	return found;
}

/**
 * hg_pages_next() - the next file for the scan @epoch to check
 * @epoch: the scan's number; each file is handed out once per scan
 * @inode: set to the file's inode, referenced (iput() it)
 *
 * Its superblock is held active too, so that an unmount in the meantime
 * waits for hg_pages_done() rather than finding the inode busy.
 *
 * Return: the file's record, or NULL when every file has been handed out.
 */
struct hg_page_file *hg_pages_next(u64 epoch, struct inode **inode)
{
	struct super_block *sb;
	struct page_record *r;
	bool active, held;
	struct inode *in;

	for (;;) {
		spin_lock_irq(&pages_lock);
		/* Handed-out files move to the tail: the head is next. */
		r = list_first_entry_or_null(&all_records, struct page_record,
					     all);
		if (!r || r->scanned == epoch) {
			spin_unlock_irq(&pages_lock);
			return NULL;
		}
		r->scanned = epoch;
		list_move_tail(&r->all, &all_records);
		/* The record is linked: its inode has not reached its end. */
		in = (struct inode *)r->inode;
		sb = in->i_sb;
		active = atomic_inc_not_zero(&sb->s_active);
		held = active && igrab(in);
		if (held)
			refcount_inc(&r->ref);
		spin_unlock_irq(&pages_lock);
		if (held) {
			*inode = in;
			return &r->info;
		}
		/* Being unmounted, or the inode being evicted: skip it. */
		if (active)
			deactivate_super(sb);
	}
}

/**
 * hg_pages_digests() - the page digests of a file hg_pages_next() gave
 * @f: the file
 * @dead: set to whether its record was forgotten since (a write came)
 *
 * Return: the file's page digests, valid while hg_pages_next() holds it.
 */
const struct hg_page_digests *hg_pages_digests(const struct hg_page_file *f,
					       bool *dead)
{
	struct page_record *r = container_of(f, struct page_record, info);

	*dead = READ_ONCE(r->dead);
	return &r->set->pd;
}

/**
 * hg_pages_pause() - let go of a file's inode and file system for a while
 * @f: a file from hg_pages_next()
 * @inode: its inode
 *
 * So that the scan, while it waits, holds up neither an unmount nor the
 * end of an unlinked file; hg_pages_resume() takes them again.
 */
void hg_pages_pause(const struct hg_page_file *f, struct inode *inode)
{
	struct super_block *sb = inode->i_sb;

	iput(inode);
	deactivate_super(sb);
}

/**
 * hg_pages_resume() - take a paused file's inode and file system again
 * @f: a file hg_pages_pause() let go of
 *
 * Return: its inode, referenced, or NULL when the file reached its end or
 * its file system is going meanwhile.
 */
struct inode *hg_pages_resume(const struct hg_page_file *f)
{
	struct page_record *r = container_of(f, struct page_record, info);
	struct super_block *sb;
	bool active, held;
	struct inode *in;

	spin_lock_irq(&pages_lock);
	/* Not dead: still linked, so its inode has not reached its end. */
	if (r->dead) {
		spin_unlock_irq(&pages_lock);
		return NULL;
	}
	in = (struct inode *)r->inode;
	sb = in->i_sb;
	active = atomic_inc_not_zero(&sb->s_active);
	held = active && igrab(in);
	spin_unlock_irq(&pages_lock);
	if (held)
		return in;
	if (active)
		deactivate_super(sb);
	return NULL;
}

/**
 * hg_pages_done() - the scan is done with a file from hg_pages_next()
 * @f: the file
 * @inode: its inode, or NULL when hg_pages_resume() found it gone
 */
void hg_pages_done(const struct hg_page_file *f, struct inode *inode)
{
	struct page_record *r = container_of(f, struct page_record, info);

	if (inode)
		hg_pages_pause(f, inode);
	record_put(r);
}

/**
 * hg_pages_usage() - bytes held, the budget and the files covered
 * @bytes: set to the bytes held
 * @files: set to the files with page digests
 */
void hg_pages_usage(size_t *bytes, unsigned int *files)
{
	spin_lock_irq(&pages_lock);
	*bytes = used;
	*files = record_count;
	spin_unlock_irq(&pages_lock);
}

/**
 * hg_pages_init() - set the budget
 * @kib: page_digests, in KiB
 */
void hg_pages_init(unsigned int kib)
{
	budget = (size_t)kib * 1024;
}

/**
 * hg_pages_exit() - free everything; no hook and no scan may run any more
 */
void hg_pages_exit(void)
{
	struct page_record *r, *tmp;

	spin_lock_irq(&pages_lock);
	list_for_each_entry_safe(r, tmp, &all_records, all) {
		record_unlink(r);
		/* The table's reference is the last one now. */
		if (refcount_dec_and_test(&r->ref)) {
			set_put(r->set);
			used -= r->bytes;
			if (r->users)
				used_by_users -= r->bytes;
			call_rcu(&r->rcu, record_free_rcu);
		}
	}
	spin_unlock_irq(&pages_lock);
	rcu_barrier();
}
