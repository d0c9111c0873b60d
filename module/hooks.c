// SPDX-License-Identifier: GPL-2.0
/*
 * The places an executable mapping is made or an exec-mapped file could be
 * changed, and their wrappers.
 *
 *   security_bprm_check    the program of an execve, before the point of no
 *                          return (a deny later would be a SIGSEGV)
 *   security_file_open     opens with __FMODE_EXEC: the ELF interpreter, also
 *                          before the point of no return; and opens for
 *                          write of files mapped somewhere (exclusion.c)
 *   security_mmap_file     mmap with PROT_EXEC: libraries, dlopen, ld.so ./x,
 *                          and anonymous executable memory
 *   security_file_mprotect PROT_EXEC added to a mapping; mmap_lock is held,
 *                          so the decision comes from the cache only
 *   security_path_truncate truncate(2) of a file mapped somewhere (and on
 *                          6.1 ftruncate(2) and O_TRUNC too)
 *   security_file_truncate ftruncate(2) and O_TRUNC, since 6.2
 *
 * Filters run in the ftrace callback for every call and only look at the
 * arguments; wrappers only classify and call hg_decide(). Each wrapper runs
 * the original through its thunk (thunk.S) and ends with hg_hook_exit().
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/personality.h>
#include <linux/ptrace.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>

#include "decide.h"
#include "policy.h"
#include "hook.h"
#include "hooks.h"
#include "stats.h"
#include "thunk.h"

unsigned long hg_orig_security_bprm_check;
unsigned long hg_orig_security_file_open;
unsigned long hg_orig_security_mmap_file;
unsigned long hg_orig_security_file_mprotect;
unsigned long hg_orig_security_path_truncate;
unsigned long hg_orig_security_file_truncate;

/* The self-test at load: a private shmem file that the hooks must see. */
static struct file *selftest_file;
static atomic_t selftest_seen[__HG_HOOK_MAX];

static bool is_selftest(struct file *file, enum hg_hook hook)
{
	struct file *st = READ_ONCE(selftest_file);

	if (!st || file_inode(file) != file_inode(st))
		return false;
	atomic_inc(&selftest_seen[hook]);
	return true;
}

static bool active(void)
{
	return hg_enabled() || READ_ONCE(selftest_file);
}

static bool maps_exec(unsigned long prot)
{
	return (prot & PROT_EXEC) ||
	       ((prot & PROT_READ) &&
		(current->personality & READ_IMPLIES_EXEC));
}

static bool want_bprm_check(const struct pt_regs *regs)
{
	return active();
}

/* A file mapped anywhere, executable or not: exclusion.c looks closer. */
static bool mapped(const struct inode *inode)
{
	return mapping_mapped(inode->i_mapping);
}

static bool want_file_open(const struct pt_regs *regs)
{
	const struct file *file = (const struct file *)regs->di;

	if (!active())
		return false;
	return (file->f_flags & __FMODE_EXEC) ||
	       ((file->f_mode & FMODE_WRITE) && mapped(file_inode(file)));
}

static bool want_mmap_file(const struct pt_regs *regs)
{
	if (!active() || !maps_exec(regs->si))
		return false;
	return regs->di || READ_ONCE(hg_anon_policy) != HG_ANON_ALLOW;
}

/*
 * Pages that are not the file's bytes: anonymous memory, private pages
 * already written (copied on write), or a private mapping that is to be
 * writable and executable at once, whose pages can be written later.
 */
static bool anon_like(const struct vm_area_struct *vma, unsigned long prot)
{
	return !vma->vm_file || vma->anon_vma ||
	       ((prot & PROT_WRITE) && !(vma->vm_flags & VM_SHARED));
}

static bool want_file_mprotect(const struct pt_regs *regs)
{
	const struct vm_area_struct *vma = (const void *)regs->di;

	if (!active() || !(regs->dx & PROT_EXEC))
		return false;
	if (anon_like(vma, regs->dx))
		return READ_ONCE(hg_anon_policy) != HG_ANON_ALLOW;
	return !(vma->vm_flags & VM_EXEC);
}

static bool want_path_truncate(const struct pt_regs *regs)
{
	const struct path *path = (const struct path *)regs->di;

	return active() && d_is_reg(path->dentry) &&
	       mapped(d_backing_inode(path->dentry));
}

static bool want_file_truncate(const struct pt_regs *regs)
{
	const struct file *file = (const struct file *)regs->di;

	return active() && mapped(file_inode(file));
}

static int hg_bprm_check(struct linux_binprm *bprm)
{
	int ret;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = hg_decide(bprm->file, HG_HOOK_BPRM_CHECK, true);
	if (!ret)
		ret = hg_call_security_bprm_check(bprm);
	hg_hook_exit();
	return ret;
}

static int hg_file_open(struct file *file)
{
	struct inode *inode;
	int ret = 0;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (file->f_flags & __FMODE_EXEC) {
		if (!is_selftest(file, HG_HOOK_EXEC_OPEN))
			ret = hg_decide(file, HG_HOOK_EXEC_OPEN, true);
	} else {
		inode = d_real_inode(file_dentry(file));
		ret = hg_decide_write(&file->f_path, inode, HG_HOOK_WRITE_OPEN);
	}
	if (!ret)
		ret = hg_call_security_file_open(file);
	hg_hook_exit();
	return ret;
}

static int hg_mmap_file(struct file *file, unsigned long prot,
			unsigned long flags)
{
	int ret = 0;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (!file) {
		ret = hg_decide_anon(HG_HOOK_MMAP);
	} else if (!is_selftest(file, HG_HOOK_MMAP)) {
		ret = hg_decide(file, HG_HOOK_MMAP, true);
		/* Writable and executable private pages: see anon_like(). */
		if (!ret && (prot & PROT_WRITE) && !(flags & MAP_SHARED))
			ret = hg_decide_anon(HG_HOOK_MMAP);
	}
	if (!ret)
		ret = hg_call_security_mmap_file(file, prot, flags);
	hg_hook_exit();
	return ret;
}

static int hg_file_mprotect(struct vm_area_struct *vma, unsigned long reqprot,
			    unsigned long prot)
{
	int ret;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (anon_like(vma, prot))
		ret = hg_decide_anon(HG_HOOK_MPROTECT);
	else
		ret = hg_decide(vma->vm_file, HG_HOOK_MPROTECT, false);
	if (!ret)
		ret = hg_call_security_file_mprotect(vma, reqprot, prot);
	hg_hook_exit();
	return ret;
}

static int hg_path_truncate(const struct path *path)
{
	int ret;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = hg_decide_write(path, d_real_inode(path->dentry),
			      HG_HOOK_TRUNCATE);
	if (!ret)
		ret = hg_call_security_path_truncate(path);
	hg_hook_exit();
	return ret;
}

static int hg_file_truncate(struct file *file)
{
	int ret;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = hg_decide_write(&file->f_path, d_real_inode(file_dentry(file)),
			      HG_HOOK_TRUNCATE);
	if (!ret)
		ret = hg_call_security_file_truncate(file);
	hg_hook_exit();
	return ret;
}

#define HG_HOOK(fn) {						\
	.name = "security_" #fn,				\
	.wrapper = hg_##fn,					\
	.want = want_##fn,					\
	.orig = &hg_orig_security_##fn,				\
}

static struct hg_ftrace_hook hooks[] = {
	HG_HOOK(bprm_check),
	HG_HOOK(file_open),
	HG_HOOK(mmap_file),
	HG_HOOK(file_mprotect),
	HG_HOOK(path_truncate),
	{
		/* 6.2 moved ftruncate and O_TRUNC from path_truncate here. */
		.name = "security_file_truncate",
		.wrapper = hg_file_truncate,
		.want = want_file_truncate,
		.orig = &hg_orig_security_file_truncate,
		.optional = true,
	},
};

/*
 * Drive a real mmap(PROT_EXEC) and a real open for exec through the kernel
 * and require that the hooks saw them; check that every hook site is
 * patched. A hook that is not live means no protection: refuse to load.
 */
static int hooks_selftest(void)
{
	struct file *file, *exec_open;
	unsigned long addr;
	unsigned int i;
	int ret = 0;

	file = shmem_file_setup("hashgate-probe", PAGE_SIZE, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	WRITE_ONCE(selftest_file, file);

	if (current->mm) {
		addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ | PROT_EXEC,
			       MAP_PRIVATE, 0);
		if (!IS_ERR_VALUE(addr))
			vm_munmap(addr, PAGE_SIZE);
		if (!atomic_read(&selftest_seen[HG_HOOK_MMAP])) {
			pr_err("self-test: mmap(PROT_EXEC) not seen\n");
			ret = -ENOTRECOVERABLE;
		}
	}
	exec_open = dentry_open(&file->f_path, O_RDONLY | __FMODE_EXEC,
				current_cred());
	if (!IS_ERR(exec_open))
		fput(exec_open);
	if (!atomic_read(&selftest_seen[HG_HOOK_EXEC_OPEN])) {
		pr_err("self-test: open for exec not seen\n");
		ret = -ENOTRECOVERABLE;
	}
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (hooks[i].addr && !hg_hook_site_live(&hooks[i])) {
			pr_err("self-test: %s is not patched\n", hooks[i].name);
			ret = -ENOTRECOVERABLE;
		}
	}

	WRITE_ONCE(selftest_file, NULL);
	fput(file);
	if (!ret)
		pr_info("hook self-tests: pass\n");
	return ret;
}

/**
 * hg_hooks_init() - install the hooks and prove they work
 *
 * Return: 0, or an error and nothing installed.
 */
int hg_hooks_init(void)
{
	int ret;

	ret = hg_hooks_install(hooks, ARRAY_SIZE(hooks));
	if (ret)
		return ret;
	ret = hooks_selftest();
	if (ret)
		hg_hooks_remove();
	return ret;
}

/**
 * hg_hooks_exit() - remove the hooks; returns when no wrapper runs
 */
void hg_hooks_exit(void)
{
	hg_hooks_remove();
}
