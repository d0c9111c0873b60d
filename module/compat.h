/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels hashgate supports (Debian 12's 6.1 and
 * 6.12), in one place. Force-included by Kbuild, which detects each feature
 * in the kernel's headers and passes HG_HAVE_* flags; .c files call the
 * current API and never test the kernel version themselves.
 */
#ifndef _HG_COMPAT_H
#define _HG_COMPAT_H

#ifndef __ASSEMBLY__
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>

/* 6.6 moved ctime behind accessors, 6.7 mtime; 6.1 has the plain fields. */
#ifndef HG_HAVE_INODE_GET_CTIME
static inline struct timespec64 hg_inode_ctime(const struct inode *inode)
{
	return inode->i_ctime;
}
#else
#define hg_inode_ctime(inode) inode_get_ctime(inode)
#endif

#ifndef HG_HAVE_INODE_GET_MTIME
static inline struct timespec64 hg_inode_mtime(const struct inode *inode)
{
	return inode->i_mtime;
}
#else
#define hg_inode_mtime(inode) inode_get_mtime(inode)
#endif

/*
 * get_mm_exe_file() is not exported. Before 6.7 files are freed after an RCU
 * grace period, so a reference can be taken under rcu_read_lock(); 6.7 made
 * struct file SLAB_TYPESAFE_BY_RCU and exported get_file_rcu() for this.
 */
static inline struct file *hg_get_mm_exe_file(struct mm_struct *mm)
{
	struct file *exe;

	rcu_read_lock();
#ifndef HG_HAVE_GET_FILE_RCU_PTR
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
#else
	exe = get_file_rcu(&mm->exe_file);
#endif
	rcu_read_unlock();
	return exe;
}

/* 6.5 dropped the vmas argument of get_user_pages_remote(). */
#ifdef HG_HAVE_GUP_VMAS
#define hg_gup_remote(mm, start, n, flags, pages) \
	get_user_pages_remote(mm, start, n, flags, pages, NULL, NULL)
#else
#define hg_gup_remote(mm, start, n, flags, pages) \
	get_user_pages_remote(mm, start, n, flags, pages, NULL)
#endif

#endif /* __ASSEMBLY__ */
#endif /* _HG_COMPAT_H */
