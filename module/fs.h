/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_FS_H
#define _HG_FS_H

int hg_fs_init(void);
void hg_fs_exit(void);

#endif /* _HG_FS_H */
