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
 * One decision, like IPE's struct ipe_eval_ctx: filled once at the entry
 * (decision_start()), completed as the verdict is taken, then applied
 * whole (apply()).
 */
struct decision {
	const struct path *path;	/* the file, NULL for anonymous memory */
	enum hg_hook hook;
	enum hg_mode mode;		/* read once, at the entry */
	bool may_sleep;
	u64 gen;			/* of the list decided against, 0: none */
	u64 serial;			/* of the list judged by, 0: none */
	struct hg_cache_key key;
	struct hg_verdict v;
};

/*
 * The entry prologue: the mode, read once, and the list to decide against.
 * Return: false in off mode, when there is nothing to decide.
 */
static bool decision_start(struct decision *d, const struct path *path,
			   enum hg_hook hook, bool may_sleep)
{
	if (may_sleep)
		might_sleep();
	memset(d, 0, sizeof(*d));
	d->mode = READ_ONCE(hg_mode);
	if (d->mode == HG_MODE_OFF)
		return false;
	d->path = path;
	d->hook = hook;
	d->may_sleep = may_sleep;
	d->gen = hg_allowlist_snapshot(&d->serial);
	return true;
}

/* Is the file's path listed, with another digest? Only asked on a miss. */
static bool path_listed(struct file *file, u64 gen)
{
	bool listed = false;
	char *buf, *p;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return false;
	p = d_path(&file->f_path, buf, PATH_MAX);
	if (!IS_ERR(p))
		listed = hg_allowlist_path_listed(gen, p, strlen(p));
	kfree(buf);
	return listed;
}

/* Look the digest up; returns the generation of the list it was judged by. */
static u64 judge(struct file *file, struct hg_verdict *v, u64 *serial)
{
	bool has_paths;
	u64 gen;

	v->reason = hg_allowlist_judge(v->digest, &gen, serial, &has_paths);
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
		gen = hg_allowlist_snapshot(serial);
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
static void verdict_of(struct decision *d, struct file *file,
		       struct inode *inode)
{
	struct hg_verdict *v = &d->v;
	bool cacheable;

	hg_cache_key_of(inode, &d->key);
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
	} else if (cacheable && hg_cache_lookup(&d->key, d->gen, v)) {
		hg_stat_inc(HG_STAT_CACHE_HITS);
	} else if (!d->may_sleep) {
		hg_stat_inc(HG_STAT_CACHE_MISSES);
		hg_stat_inc(HG_STAT_HOOK_MISSES);
		v->reason = HG_REASON_UNVERIFIED;
	} else {
		hg_stat_inc(HG_STAT_CACHE_MISSES);
		verify(file, inode, v, &d->serial, cacheable);
	}
}

/* Count it, report it (once per process in audit), apply the mode. */
static int apply(const struct decision *d, int deny_errno)
{
	const struct hg_verdict *v = &d->v;
	enum hg_decision decision;

	decision = d->mode == HG_MODE_ENFORCE ? HG_DECISION_DENY :
						HG_DECISION_WOULD_DENY;
	hg_stat_inc(decision == HG_DECISION_DENY ? HG_STAT_DENIES :
						   HG_STAT_WOULD_DENIES);
	if (decision == HG_DECISION_WOULD_DENY && d->path && v->has_digest)
		hg_ml_file(d->path, v->digest, true, d->may_sleep);
	if (decision == HG_DECISION_WOULD_DENY &&
	    hg_event_reported_before(&d->key, d->gen, v->reason, d->hook)) {
		hg_stat_inc(HG_STAT_EVENTS_REPEATED);
		return 0;
	}
	hg_event_exec(d->path, d->hook, d->mode, decision, v, d->serial,
		      d->may_sleep ? GFP_KERNEL : GFP_NOWAIT);
	return decision == HG_DECISION_DENY ? deny_errno : 0;
}

/*
 * Executable memory no file vouches for, under the anon_exec policy: judged
 * by @reason alone, with no digest and no file key.
 */
static int decide_anon(struct decision *d, enum hg_reason reason)
{
	enum hg_anon_policy policy = READ_ONCE(hg_anon_policy);

	if (policy == HG_ANON_ALLOW) {
		hg_stat_inc(HG_STAT_ALLOWS);
		return 0;
	}
	if (policy == HG_ANON_AUDIT)
		d->mode = HG_MODE_AUDIT;
	memset(&d->key, 0, sizeof(d->key));
	memset(&d->v, 0, sizeof(d->v));
	d->v.reason = reason;
	return apply(d, -EACCES);
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
	struct hg_verdict *v;
	struct decision d;
	int ret;

	/*
	 * Without a list (gen 0) everything is judged no-allowlist. Enforce
	 * cannot be entered without one, so that is audit mode: every program
	 * is reported, with its digest, rather than nothing decided at all.
	 */
	if (!decision_start(&d, &file->f_path, hook, may_sleep))
		return 0;
	hg_stat_inc(HG_STAT_DECISIONS);
	v = &d.v;
	/*
	 * Writers are shut out before the verdict is taken, so that none can
	 * come between a cache hit and the mapping.
	 */
	ret = 0;
	if (d.mode == HG_MODE_ENFORCE && S_ISREG(inode->i_mode) &&
	    (hook == HG_HOOK_MMAP || hook == HG_HOOK_MPROTECT))
		ret = hg_write_deny_until_return(inode, may_sleep ? GFP_KERNEL :
								    GFP_NOWAIT);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		hg_cache_key_of(inode, &d.key);
		v->reason = HG_REASON_OPEN_WRITERS;
	} else {
		verdict_of(&d, file, inode);
	}
	if (hg_is_anon(v->reason))
		return decide_anon(&d, v->reason);

	/*
	 * A script run directly: its interpreter is checked as a program when
	 * the kernel opens it; the script itself only when the admin asks.
	 */
	if (v->reason && v->is_script && !READ_ONCE(hg_require_scripts) &&
	    (hook == HG_HOOK_EXEC_OPEN || hook == HG_HOOK_BPRM_CHECK))
		v->reason = HG_REASON_NONE;

	if (v->reason == HG_REASON_NONE) {
		hg_stat_inc(HG_STAT_ALLOWS);
		if (v->has_digest)
			hg_ml_file(&file->f_path, v->digest, false, may_sleep);
		return 0;
	}
	return apply(&d, -EACCES);
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
	struct decision d;

	if (!decision_start(&d, NULL, hook, may_sleep) ||
	    READ_ONCE(hg_anon_policy) == HG_ANON_ALLOW)
		return 0;
	hg_stat_inc(HG_STAT_DECISIONS);
	return decide_anon(&d, HG_REASON_ANON_EXEC);
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
	struct decision d;

	if (!decision_start(&d, path, hook, true) || !hg_exec_mapped(inode))
		return 0;
	hg_stat_inc(HG_STAT_DECISIONS);
	hg_cache_key_of(inode, &d.key);
	d.v.reason = HG_REASON_EXEC_MAPPED;
	return apply(&d, -ETXTBSY);
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
	struct decision d = { .may_sleep = true };

	d.gen = hg_allowlist_snapshot(&d.serial);
	verdict_of(&d, file, hg_mapped_inode(file));
	*v = d.v;
	*serial = d.serial;
	if (!d.gen && !v->reason)
		v->reason = HG_REASON_NO_ALLOWLIST;
}
