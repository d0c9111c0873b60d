/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_HOOKS_H
#define _HG_HOOKS_H

int hg_hooks_init(void);
void hg_hooks_exit(void);

#endif /* _HG_HOOKS_H */
