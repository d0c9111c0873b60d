// SPDX-License-Identifier: GPL-2.0
/*
 * Write/exec exclusion: the time-of-check gap the kernel no longer closes.
 *
 * A file verified and mapped executable must not change underneath its
 * mappings: ETXTBSY for libraries went away in 5.15, and for programs it is
 * missing in 6.11 to early 6.12.y. hashgate closes it from both sides:
 *   - an exec mapping is refused while the inode has writers (i_writecount
 *     counts every open-for-write file, and a shared writable mapping keeps
 *     its file, so nothing escapes it) - see decide.c;
 *   - an open for write or a truncate is refused while any VMA maps the
 *     inode executable - below.
 * Together no byte of an exec-mapped file changes through the page cache.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rbtree.h>

#include "exclusion.h"

/**
 * hg_exec_mapped() - does any VMA map @inode executable
 * @inode: the real inode
 *
 * Walks the file's reverse map, every mapping of it in every process. The
 * interval-tree iterators are not exported; a plain in-order walk of the
 * same tree needs nothing but rb_next(), and only runs for writes to files
 * that are mapped at all. Sleeps (i_mmap_rwsem).
 *
 * Return: true when a mapping of @inode is executable.
 */
bool hg_exec_mapped(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;
	struct vm_area_struct *vma;
	bool found = false;
	struct rb_node *n;

	might_sleep();
	if (!mapping_mapped(mapping))
		return false;
	i_mmap_lock_read(mapping);
	for (n = rb_first_cached(&mapping->i_mmap); n; n = rb_next(n)) {
		vma = rb_entry(n, struct vm_area_struct, shared.rb);
		if (vma->vm_flags & VM_EXEC) {
			found = true;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return found;
}
