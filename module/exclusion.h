/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_EXCLUSION_H
#define _HG_EXCLUSION_H

#include <linux/types.h>

struct inode;

bool hg_exec_mapped(struct inode *inode);

#endif /* _HG_EXCLUSION_H */
