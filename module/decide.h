/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_DECIDE_H
#define _HG_DECIDE_H

#include <linux/types.h>

#include "uapi/hashgate.h"

struct file;
struct inode;
struct path;
struct hg_verdict;

int hg_decide(struct file *file, enum hg_hook hook, bool may_sleep);
int hg_decide_anon(enum hg_hook hook, bool may_sleep);
int hg_decide_write(const struct path *path, struct inode *inode,
		    enum hg_hook hook);
void hg_check_file(struct file *file, struct hg_verdict *v, u64 *serial);

#endif /* _HG_DECIDE_H */
