/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_CONTENT_H
#define _HG_CONTENT_H

#include <linux/types.h>

#include "uapi/hashgate.h"

struct file;
struct inode;
struct seq_file;

struct inode *hg_mapped_inode(struct file *file);
enum hg_reason hg_content_of(struct file *file, struct inode *inode,
			     bool *cacheable);
unsigned int hg_remote_fs_bit(const char *name, size_t len);
void hg_remote_fs_names(unsigned int mask, char *buf, size_t size);
void hg_remote_fs_show(struct seq_file *m, unsigned int mask);

/* Reasons that make a mapping anonymous memory, decided by anon_exec. */
static inline bool hg_is_anon(enum hg_reason reason)
{
	return reason == HG_REASON_ANON_EXEC || reason == HG_REASON_MEMFD;
}

#endif /* _HG_CONTENT_H */
