// SPDX-License-Identifier: GPL-2.0
/*
 * The decision on one executable mapping, or on one write to a file that is
 * mapped executable.
 *
 * Hooks only classify and call hg_decide*(); the verdict (cache or hash,
 * then the allowlist), the event and the mode are applied here, in one
 * place, so audit and enforce differ by the last line only.
 */
#include <linux/dcache.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "allowlist.h"
#include "cache.h"
#include "content.h"
#include "decide.h"
#include "event.h"
#include "exclusion.h"
#include "measure.h"
#include "measurements.h"
#include "pages.h"
#include "policy.h"
#include "stats.h"
#include "write_deny.h"

/*
 * In audit mode one exec passes several hooks (exec open, bprm_check, the
 * ELF loader's mmap) and each would deny: report a file once per process
 * and kind of access, not once per hook. Enforce stops at the first hook,
 * so every deny there is a separate attempt and always reported.
 */
static struct {
	spinlock_t lock;	/* protects the table and next */
	struct {
		pid_t tgid;
		u8 reason;
		u8 access;
		u64 list_gen;
		struct hg_cache_key key;
	} seen[32];
	unsigned int next;
} recent = { .lock = __SPIN_LOCK_UNLOCKED(recent.lock) };

/* Hooks that see one and the same exec of a file count as one access. */
static u8 access_of(enum hg_hook hook)
{
	switch (hook) {
	case HG_HOOK_EXEC_OPEN:
	case HG_HOOK_BPRM_CHECK:
		return HG_HOOK_MMAP;
	default:
		return hook;
	}
}

static bool reported_before(const struct hg_cache_key *key, u64 gen,
			    u8 reason, enum hg_hook hook)
{
	pid_t tgid = task_tgid_nr(current);
	u8 access = access_of(hook);
	bool seen = false;
	unsigned int i;

	spin_lock(&recent.lock);
	for (i = 0; i < ARRAY_SIZE(recent.seen); i++) {
		if (recent.seen[i].tgid == tgid &&
		    recent.seen[i].reason == reason &&
		    recent.seen[i].access == access &&
		    recent.seen[i].list_gen == gen &&
		    hg_cache_key_equal(&recent.seen[i].key, key)) {
			seen = true;
			break;
		}
	}
	if (!seen) {
		i = recent.next++ % ARRAY_SIZE(recent.seen);
		recent.seen[i].tgid = tgid;
		recent.seen[i].reason = reason;
		recent.seen[i].access = access;
		recent.seen[i].list_gen = gen;
		recent.seen[i].key = *key;
	}
	spin_unlock(&recent.lock);
	return seen;
}

/* The allowlist to decide against, by generation and serial. */
static u64 list_snapshot(u64 *serial)
{
	struct hg_allowlist *list;
	u64 gen = 0;

	*serial = 0;
	rcu_read_lock();
	list = rcu_dereference(hg_active_list);
	if (list) {
		gen = list->gen;
		*serial = list->view.serial;
	}
	rcu_read_unlock();
	return gen;
}

/* Is the file's path listed, with another digest? Only asked on a miss. */
static bool path_listed(struct file *file, u64 gen)
{
	struct hg_allowlist *list;
	bool listed = false;
	char *buf, *p;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return false;
	p = d_path(&file->f_path, buf, PATH_MAX);
	if (!IS_ERR(p)) {
		rcu_read_lock();
		list = rcu_dereference(hg_active_list);
		if (list && list->gen == gen)
			listed = hg_list_find_path(&list->view, p, strlen(p)) >= 0;
		rcu_read_unlock();
	}
	kfree(buf);
	return listed;
}

/* Look the digest up; returns the generation of the list it was judged by. */
static u64 judge(struct file *file, struct hg_verdict *v, u64 *serial)
{
	struct hg_allowlist *list;
	bool has_paths = false;
	u64 gen = 0;

	rcu_read_lock();
	list = rcu_dereference(hg_active_list);
	if (!list) {
		v->reason = HG_REASON_NO_ALLOWLIST;
	} else {
		gen = list->gen;
		*serial = list->view.serial;
		if (hg_list_has_digest(&list->view, v->digest)) {
			v->reason = HG_REASON_NONE;
		} else {
			v->reason = HG_REASON_NOT_IN_ALLOWLIST;
			has_paths = list->view.path_count;
		}
	}
	rcu_read_unlock();
	if (has_paths && path_listed(file, gen))
		v->reason = HG_REASON_HASH_MISMATCH;
	return gen;
}

/*
 * Any page of the file pinned for DMA (an io_uring fixed buffer, O_DIRECT in
 * flight) can be written behind every hook, the write denial included.
 * A writable pin needs a writable mapping, which needs a writer: none can
 * appear while the caller holds the write denial, so older pins are all
 * there is to find.
 */
static bool pages_pinned(struct address_space *mapping)
{
	struct folio_batch fbatch;
	pgoff_t index = 0;
	bool pinned = false;
	unsigned int i;

	folio_batch_init(&fbatch);
	while (!pinned &&
	       filemap_get_folios(mapping, &index, ULONG_MAX, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++)
			pinned |= folio_maybe_dma_pinned(fbatch.folios[i]);
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return pinned;
}

/*
 * Hash with writers denied, so that the bytes cannot change meanwhile. The
 * page digests of a file the list allows are recorded before writers are
 * let in again: a writer can only come after, and its open drops them.
 * Content that can change elsewhere (!@cacheable) gets none.
 */
static void hash_and_judge(struct file *file, struct inode *inode,
			   struct hg_verdict *v, u64 *serial, u64 *gen,
			   bool cacheable)
{
	struct hg_page_digests *pd = NULL;
	int ret;

	if (hg_write_deny(inode)) {
		v->reason = HG_REASON_OPEN_WRITERS;
		return;
	}
	if (pages_pinned(inode->i_mapping)) {
		v->reason = HG_REASON_PINNED;
		goto out;
	}
	if (cacheable)
		pd = hg_pages_alloc(i_size_read(inode));
	ret = hg_measure_file(file, inode, v->digest, &v->is_script, pd);
	if (ret) {
		/* -ESTALE: overlayfs copied it up while it was read. */
		v->reason = ret == -ESTALE ? HG_REASON_OPEN_WRITERS :
					     HG_REASON_UNREADABLE;
		goto out;
	}
	v->has_digest = true;
	*gen = judge(file, v, serial);
	if (pd && v->reason == HG_REASON_NONE) {
		hg_pages_record(inode, v->digest, pd,
				hg_event_path_dup(&file->f_path));
		pd = NULL;
	}
out:
	hg_pages_free(pd);
	hg_write_allow(inode);
}

/*
 * Hash the file and judge it. The verdict is cached only when the file
 * provably did not change while it was read: writers denied throughout, no
 * pinned page, the same real inode at both ends of the read and the same
 * change cookie.
 */
static void verify(struct file *file, struct inode *inode,
		   struct hg_verdict *v, u64 *serial, bool cacheable)
{
	struct hg_cache_key before, after;
	struct hg_cache_wait *claim;
	u64 gen = 0;

	hg_cache_key_of(inode, &before);
	claim = cacheable ? hg_cache_claim(&before) : ERR_PTR(-ENOENT);
	if (!claim) {
		/* Someone else just hashed this file. */
		hg_stat_inc(HG_STAT_CACHE_WAITS);
		gen = list_snapshot(serial);
		if (hg_cache_lookup(&before, gen, v))
			return;
	}

	memset(v, 0, sizeof(*v));
	/*
	 * A read of a network file can hang: hold the module while hashing,
	 * so that rmmod fails with EBUSY instead of waiting for it forever.
	 */
	if (!try_module_get(THIS_MODULE)) {
		v->reason = HG_REASON_UNREADABLE;
		hg_cache_release(claim);
		return;
	}
	hash_and_judge(file, inode, v, serial, &gen, cacheable);
	module_put(THIS_MODULE);

	hg_cache_key_of(inode, &after);
	if (!v->reason && !hg_cache_key_equal(&before, &after))
		v->reason = HG_REASON_OPEN_WRITERS;
	if (v->has_digest && cacheable &&
	    v->reason != HG_REASON_OPEN_WRITERS)
		hg_cache_insert(&before, gen, v);
	hg_cache_release(claim);
}

/* Anything that can write the file's pages without a new writer. */
static bool has_writers(struct inode *inode)
{
	return inode_is_open_for_write(inode) ||
	       mapping_writably_mapped(inode->i_mapping);
}

/*
 * The verdict on @file now: from the cache, or hashed when allowed to.
 * HG_REASON_ANON_EXEC or HG_REASON_MEMFD: the caller applies anon_exec.
 */
static void verdict_of(struct file *file, struct inode *inode, bool may_sleep,
		       struct hg_cache_key *key, struct hg_verdict *v,
		       u64 *serial, u64 gen)
{
	bool cacheable;

	hg_cache_key_of(inode, key);
	memset(v, 0, sizeof(*v));
	if (!S_ISREG(inode->i_mode)) {
		/* A device (/dev/zero, say): memory no file vouches for. */
		v->reason = HG_REASON_ANON_EXEC;
		return;
	}
	v->reason = hg_content_of(file, inode, &cacheable);
	if (v->reason) {
		/* Anonymous memory, or content hashgate cannot vouch for. */
	} else if (has_writers(inode)) {
		/* Bytes checked now could differ from the bytes mapped. */
		v->reason = HG_REASON_OPEN_WRITERS;
	} else if (cacheable && hg_cache_lookup(key, gen, v)) {
		hg_stat_inc(HG_STAT_CACHE_HITS);
	} else if (!may_sleep) {
		hg_stat_inc(HG_STAT_CACHE_MISSES);
		hg_stat_inc(HG_STAT_HOOK_MISSES);
		v->reason = HG_REASON_UNVERIFIED;
	} else {
		hg_stat_inc(HG_STAT_CACHE_MISSES);
		verify(file, inode, v, serial, cacheable);
	}
}

/* Count it, report it (once per process in audit), apply the mode. */
static int apply(const struct path *path, enum hg_hook hook, enum hg_mode mode,
		 const struct hg_cache_key *key, const struct hg_verdict *v,
		 u64 serial, u64 gen, bool may_sleep, int deny_errno)
{
	enum hg_decision decision;

	decision = mode == HG_MODE_ENFORCE ? HG_DECISION_DENY :
					     HG_DECISION_WOULD_DENY;
	hg_stat_inc(decision == HG_DECISION_DENY ? HG_STAT_DENIES :
						   HG_STAT_WOULD_DENIES);
	if (decision == HG_DECISION_WOULD_DENY && path && v->has_digest)
		hg_ml_file(path, v->digest, true, may_sleep);
	if (decision == HG_DECISION_WOULD_DENY &&
	    reported_before(key, gen, v->reason, hook)) {
		hg_stat_inc(HG_STAT_EVENTS_REPEATED);
		return 0;
	}
	hg_event_exec(path, hook, mode, decision, v, serial,
		      may_sleep ? GFP_KERNEL : GFP_NOWAIT);
	return decision == HG_DECISION_DENY ? deny_errno : 0;
}

/* Executable memory no file vouches for, under the anon_exec policy. */
static int decide_anon(const struct path *path, enum hg_hook hook,
		       enum hg_reason reason, enum hg_mode mode, u64 serial,
		       u64 gen, bool may_sleep)
{
	enum hg_anon_policy policy = READ_ONCE(hg_anon_policy);
	struct hg_verdict v = { .reason = reason };
	struct hg_cache_key key = { };

	if (policy == HG_ANON_ALLOW) {
		hg_stat_inc(HG_STAT_ALLOWS);
		return 0;
	}
	if (policy == HG_ANON_AUDIT)
		mode = HG_MODE_AUDIT;
	return apply(path, hook, mode, &key, &v, serial, gen, may_sleep,
		     -EACCES);
}

/**
 * hg_decide() - the verdict on mapping @file executable, applied
 * @file: the file
 * @hook: the hook that saw it
 * @may_sleep: false under mmap_lock: decide from the cache alone
 *
 * For mmap and mprotect in enforce mode, writes to the file stay denied
 * until the task is back in user space, when the mapping exists and the
 * exclusion walk sees it (write_deny.c). A program and its ELF interpreter
 * are held so by the kernel itself for the whole exec.
 *
 * Return: 0 to allow, -EACCES to deny, -ENOMEM (enforce mode only).
 */
int hg_decide(struct file *file, enum hg_hook hook, bool may_sleep)
{
	struct inode *inode = hg_mapped_inode(file);
	enum hg_mode mode = READ_ONCE(hg_mode);
	bool hold = mode == HG_MODE_ENFORCE && S_ISREG(inode->i_mode) &&
		    (hook == HG_HOOK_MMAP || hook == HG_HOOK_MPROTECT);
	struct hg_cache_key key;
	struct hg_verdict v;
	u64 serial, gen;
	int ret;

	if (mode == HG_MODE_OFF)
		return 0;
	/*
	 * Without a list (gen 0) everything is judged no-allowlist. Enforce
	 * cannot be entered without one, so that is audit mode: every program
	 * is reported, with its digest, rather than nothing decided at all.
	 */
	gen = list_snapshot(&serial);
	hg_stat_inc(HG_STAT_DECISIONS);
	/*
	 * Writers are shut out before the verdict is taken, so that none can
	 * come between a cache hit and the mapping.
	 */
	ret = hold ? hg_write_deny_until_return(inode, may_sleep ? GFP_KERNEL :
								   GFP_NOWAIT) : 0;
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		hg_cache_key_of(inode, &key);
		memset(&v, 0, sizeof(v));
		v.reason = HG_REASON_OPEN_WRITERS;
	} else {
		verdict_of(file, inode, may_sleep, &key, &v, &serial, gen);
	}
	if (hg_is_anon(v.reason))
		return decide_anon(&file->f_path, hook, v.reason, mode, serial,
				   gen, may_sleep);

	/*
	 * A script run directly: its interpreter is checked as a program when
	 * the kernel opens it; the script itself only when the admin asks.
	 */
	if (v.reason && v.is_script && !READ_ONCE(hg_require_scripts) &&
	    (hook == HG_HOOK_EXEC_OPEN || hook == HG_HOOK_BPRM_CHECK))
		v.reason = HG_REASON_NONE;

	if (v.reason == HG_REASON_NONE) {
		hg_stat_inc(HG_STAT_ALLOWS);
		if (v.has_digest)
			hg_ml_file(&file->f_path, v.digest, false, may_sleep);
		return 0;
	}
	return apply(&file->f_path, hook, mode, &key, &v, serial, gen,
		     may_sleep, -EACCES);
}

/**
 * hg_decide_anon() - executable memory that is no file's verified content
 * @hook: where it was seen
 * @may_sleep: false where no sleeping allocation is allowed
 *
 * Anonymous memory, private file pages that were written (copied on write)
 * and so are no longer the file's bytes, forced writes and userfaultfd
 * fills into executable memory, READ_IMPLIES_EXEC and executable stacks.
 * Decided by the anon_exec policy, within the mode: audit in either makes
 * it a would-deny.
 *
 * Return: 0 to allow, -EACCES to deny.
 */
int hg_decide_anon(enum hg_hook hook, bool may_sleep)
{
	enum hg_mode mode = READ_ONCE(hg_mode);
	u64 serial, gen;

	if (mode == HG_MODE_OFF || READ_ONCE(hg_anon_policy) == HG_ANON_ALLOW)
		return 0;
	gen = list_snapshot(&serial);
	hg_stat_inc(HG_STAT_DECISIONS);
	return decide_anon(NULL, hook, HG_REASON_ANON_EXEC, mode, serial, gen,
			   may_sleep);
}

/**
 * hg_decide_write() - may a file about to be written change under an exec
 * mapping
 * @path: the file opened for write, mapped shared and writable, or
 *	truncated
 * @inode: its real inode
 * @hook: HG_HOOK_WRITE_OPEN, HG_HOOK_WRITE_MAP or HG_HOOK_TRUNCATE
 *
 * Return: 0, or -ETXTBSY in enforce mode while the file is mapped
 * executable anywhere.
 */
int hg_decide_write(const struct path *path, struct inode *inode,
		    enum hg_hook hook)
{
	enum hg_mode mode = READ_ONCE(hg_mode);
	struct hg_verdict v = { .reason = HG_REASON_EXEC_MAPPED };
	struct hg_cache_key key;
	u64 serial, gen;

	if (mode == HG_MODE_OFF)
		return 0;
	gen = list_snapshot(&serial);
	if (!hg_exec_mapped(inode))
		return 0;
	hg_stat_inc(HG_STAT_DECISIONS);
	hg_cache_key_of(inode, &key);
	return apply(path, hook, mode, &key, &v, serial, gen, true, -ETXTBSY);
}

/**
 * hg_check_file() - what hashgate would decide for @file, for admins
 * @file: an open regular file
 * @v: the verdict
 * @serial: the serial of the list it was judged by, 0 for none
 *
 * Hashes when needed and fills the cache like a hook would, but applies no
 * mode and logs no event.
 */
void hg_check_file(struct file *file, struct hg_verdict *v, u64 *serial)
{
	struct hg_cache_key key;
	u64 gen = list_snapshot(serial);

	verdict_of(file, hg_mapped_inode(file), true, &key, v, serial,
		   gen);
	if (!gen && !v->reason)
		v->reason = HG_REASON_NO_ALLOWLIST;
}
