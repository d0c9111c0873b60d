/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_WRITE_DENY_H
#define _HG_WRITE_DENY_H

#include <linux/gfp.h>

struct inode;

int hg_write_deny_init(void);
void hg_write_deny_exit(void);
int hg_write_deny(struct inode *inode);
void hg_write_allow(struct inode *inode);
int hg_write_deny_until_return(struct inode *inode, gfp_t gfp);

#endif /* _HG_WRITE_DENY_H */
