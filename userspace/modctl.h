/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_MODCTL_H
#define _HG_MODCTL_H

#define HG_MODULE_NAME	"hashgate"

/* Positive results of hg_modctl_insert()/hg_modctl_remove(); errors are -errno. */
enum {
	HG_MODCTL_NOT_FOUND = 1,	/* no such module file / not in modules.dep */
	HG_MODCTL_LOADED,		/* already in the kernel */
	HG_MODCTL_NOT_LOADED,		/* nothing to remove */
	HG_MODCTL_BUILTIN,		/* built into the kernel: cannot (un)load */
};

int hg_modctl_insert(const char *path, const char *options);
int hg_modctl_remove(void);

#endif /* _HG_MODCTL_H */
