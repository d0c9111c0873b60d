/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into kernel functions found at load time, through the arch's
 * thunk.S (module/arch/<arch>/). Each hg_call_<fn>() has <fn>'s prototype
 * and jumps to hg_orig_<fn>, which the redirection engine fills in before
 * anything can call it.
 */
#ifndef _HG_THUNK_H
#define _HG_THUNK_H

#include <linux/types.h>

struct file;
struct path;
struct linux_binprm;
struct vm_area_struct;
struct inode;
struct mm_struct;
struct pt_regs;

#define HG_THUNK(fn) extern unsigned long hg_orig_##fn
#include "thunk_list.h"
#undef HG_THUNK

unsigned long hg_call_kallsyms_lookup_name(const char *name);
int hg_call_security_bprm_check(struct linux_binprm *bprm);
int hg_call_security_file_open(struct file *file);
int hg_call_security_mmap_file(struct file *file, unsigned long prot,
			       unsigned long flags);
int hg_call_security_file_mprotect(struct vm_area_struct *vma,
				   unsigned long reqprot, unsigned long prot);
int hg_call_security_path_truncate(const struct path *path);
int hg_call_security_file_truncate(struct file *file);
void hg_call_security_inode_free(struct inode *inode);
/* __access_remote_vm() */
int hg_call_forced_access(struct mm_struct *mm, unsigned long addr,
			  void *buf, int len, unsigned int gup_flags);
/* The userfaultfd fills: every argument passed on as it came. */
long hg_call_uffd_copy(unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5);
long hg_call_uffd_zeropage(unsigned long a0, unsigned long a1,
			   unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5);
long hg_call_uffd_continue(unsigned long a0, unsigned long a1,
			   unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5);
long hg_call_uffd_poison(unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3,
			 unsigned long a4, unsigned long a5);
long hg_call_uffd_move(unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5);
/* personality(2)'s syscall wrappers: HG_SYS_PERSONALITY(_COMPAT) */
long hg_call_sys_personality(const struct pt_regs *regs);
long hg_call_sys_personality_compat(const struct pt_regs *regs);
int hg_call_setup_arg_pages(struct linux_binprm *bprm,
			    unsigned long stack_top, int executable_stack);
/* d_absolute_path(): not exported, found at load time */
char *hg_call_d_absolute_path(const struct path *path, char *buf, int buflen);

#endif /* _HG_THUNK_H */
