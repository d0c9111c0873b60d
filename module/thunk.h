/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into kernel functions found at load time, through thunk.S. Each
 * hg_call_<fn>() has <fn>'s prototype and jumps to hg_orig_<fn>, which the
 * hook engine fills in before anything can call it.
 */
#ifndef _HG_THUNK_H
#define _HG_THUNK_H

#include <linux/types.h>

struct file;
struct path;
struct linux_binprm;
struct vm_area_struct;

extern unsigned long hg_orig_kallsyms_lookup_name;
extern unsigned long hg_orig_security_bprm_check;
extern unsigned long hg_orig_security_file_open;
extern unsigned long hg_orig_security_mmap_file;
extern unsigned long hg_orig_security_file_mprotect;
extern unsigned long hg_orig_security_path_truncate;
extern unsigned long hg_orig_security_file_truncate;

unsigned long hg_call_kallsyms_lookup_name(const char *name);
int hg_call_security_bprm_check(struct linux_binprm *bprm);
int hg_call_security_file_open(struct file *file);
int hg_call_security_mmap_file(struct file *file, unsigned long prot,
			       unsigned long flags);
int hg_call_security_file_mprotect(struct vm_area_struct *vma,
				   unsigned long reqprot, unsigned long prot);
int hg_call_security_path_truncate(const struct path *path);
int hg_call_security_file_truncate(struct file *file);

#endif /* _HG_THUNK_H */
