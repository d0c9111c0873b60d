// SPDX-License-Identifier: GPL-2.0
/*
 * Write denial held across an executable mapping, as the kernel does for a
 * running program (deny_write_access()).
 *
 * The mmap and mprotect hooks decide before the mapping exists: the kernel
 * takes mmap_lock, may wait for it for as long as another thread of the
 * process holds it, and only then inserts the VMA. A writer that appeared in
 * between would change bytes that were checked but not yet mapped, and the
 * exclusion walk (exclusion.c) could not see a VMA that is not there yet.
 * So the check takes a real write denial on the inode (i_writecount below
 * zero: every open for write and truncate fails with ETXTBSY in the VFS
 * itself) and keeps it until the task returns to user space, when the
 * mapping exists and the exclusion walk covers it. The same denial is held
 * while a file is hashed, so that no writer can appear during the hash.
 */
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "redirect.h"
#include "write_deny.h"

struct held {
	struct callback_head work;
	struct inode *inode;
};

/*
 * Not __ro_after_init: kmemleak does not scan that section of a module,
 * and would report what only this points to as a leak.
 */
static struct kmem_cache *held_cache;

/**
 * hg_write_deny() - deny opens for write of @inode until hg_write_allow()
 * @inode: the real inode of a regular file
 *
 * Return: 0, or -ETXTBSY when the file is open for write now.
 */
int hg_write_deny(struct inode *inode)
{
	return atomic_dec_unless_positive(&inode->i_writecount) ? 0 : -ETXTBSY;
}

/**
 * hg_write_allow() - end a denial taken with hg_write_deny()
 * @inode: the same inode
 */
void hg_write_allow(struct inode *inode)
{
	atomic_inc(&inode->i_writecount);
}

static void release_on_return(struct callback_head *work)
{
	struct held *h = container_of(work, struct held, work);

	hg_write_allow(h->inode);
	iput(h->inode);
	kmem_cache_free(held_cache, h);
	/* Last: unload waits for this count (hg_redirect_remove()). */
	hg_wrapper_leave();
}

/**
 * hg_write_deny_until_return() - deny writes until back in user space
 * @inode: the real inode of the file being mapped executable
 * @gfp: GFP_KERNEL, or GFP_NOWAIT under mmap_lock
 *
 * Kernel threads never return to user space and map nothing for it: no
 * denial is taken for them. A task already exiting runs no task work; it
 * maps nothing it could run either, so the denial ends at once.
 *
 * Return: 0; -ETXTBSY when the file is open for write; -ENOMEM.
 */
int hg_write_deny_until_return(struct inode *inode, gfp_t gfp)
{
	struct held *h;
	int ret;

	if (current->flags & PF_KTHREAD)
		return 0;
	h = kmem_cache_alloc(held_cache, gfp | __GFP_NOWARN);
	if (!h)
		return -ENOMEM;
	ret = hg_write_deny(inode);
	if (ret) {
		kmem_cache_free(held_cache, h);
		return ret;
	}
	h->inode = igrab(inode);
	if (!h->inode) {
		/* Being evicted: nobody can map it any more. */
		hg_write_allow(inode);
		kmem_cache_free(held_cache, h);
		return 0;
	}
	init_task_work(&h->work, release_on_return);
	hg_wrapper_enter();
	if (task_work_add(current, &h->work, TWA_RESUME)) {
		hg_write_allow(inode);
		iput(inode);
		kmem_cache_free(held_cache, h);
		hg_wrapper_leave();
	}
	return 0;
}

int __init hg_write_deny_init(void)
{
	held_cache = KMEM_CACHE(held, 0);
	return held_cache ? 0 : -ENOMEM;
}

/* Called once no hook and no task work of ours can run any more. */
void hg_write_deny_exit(void)
{
	kmem_cache_destroy(held_cache);
}
