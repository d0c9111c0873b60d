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
 *   security_inode_free    an inode's end: its cached verdicts go with it
 *   __access_remote_vm     writes into another (or one's own) address space
 *                          through /proc/PID/mem or ptrace, which may write
 *                          read-only executable pages (FOLL_FORCE)
 *   userfaultfd fills      UFFDIO_COPY, ZEROPAGE, CONTINUE, POISON, MOVE
 *                          install pages behind every other hook
 *   personality(2)         READ_IMPLIES_EXEC makes brk() and PROT_READ
 *                          memory executable without any mmap hook;
 *                          through the compat table too (x86's ia32 by
 *                          int $0x80, arm64's a32 for AArch32 tasks)
 *   setup_arg_pages        a program given an executable stack (or started
 *                          with READ_IMPLIES_EXEC)
 *
 * Filters run in the ftrace callback for every call and only look at the
 * arguments, through hg_arg() (arch.h); wrappers only classify and call
 * hg_decide(). Each wrapper runs the original through its thunk
 * (module/arch/<arch>/thunk.S) and ends with hg_wrapper_leave(). Wrappers
 * are entered in the caller's context, and sleep where they decide with
 * may_sleep: might_sleep() says so.
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/personality.h>
#include <linux/ptrace.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/userfaultfd_k.h>

#include "cache.h"
#include "decide.h"
#include "policy.h"
#include "redirect.h"
#include "hooks.h"
#include "pages.h"
#include "stats.h"
#include "thunk.h"

unsigned long hg_orig_security_bprm_check __ro_after_init;
unsigned long hg_orig_security_file_open __ro_after_init;
unsigned long hg_orig_security_mmap_file __ro_after_init;
unsigned long hg_orig_security_file_mprotect __ro_after_init;
unsigned long hg_orig_security_path_truncate __ro_after_init;
unsigned long hg_orig_security_file_truncate __ro_after_init;
unsigned long hg_orig_security_inode_free __ro_after_init;
unsigned long hg_orig_forced_access __ro_after_init;
unsigned long hg_orig_uffd_copy __ro_after_init;
unsigned long hg_orig_uffd_zeropage __ro_after_init;
unsigned long hg_orig_uffd_continue __ro_after_init;
unsigned long hg_orig_uffd_poison __ro_after_init;
unsigned long hg_orig_uffd_move __ro_after_init;
unsigned long hg_orig_sys_personality __ro_after_init;
/* Filled only where arch.h names HG_SYS_PERSONALITY_COMPAT. */
unsigned long hg_orig_sys_personality_compat __ro_after_init;
unsigned long hg_orig_setup_arg_pages __ro_after_init;

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

static bool want_bprm_check(struct ftrace_regs *fregs)
{
	return active();
}

/* A file mapped anywhere, executable or not: exclusion.c looks closer. */
static bool mapped(const struct inode *inode)
{
	return mapping_mapped(inode->i_mapping);
}

/* Cached verdicts or page digests: what a write or the inode's end drops. */
static bool known(const struct inode *inode)
{
	return hg_cache_has(inode) || hg_pages_has(inode);
}

/*
 * About to be written: a file with cached verdicts or page digests
 * (whatever the mode: neither may outlive a write), or one mapped
 * somewhere. Through overlayfs the file's inode and its real inode may
 * differ: both count.
 */
static bool want_write(const struct inode *inode, const struct inode *real)
{
	return known(real) || (inode != real && known(inode)) ||
	       (active() && mapped(real));
}

static bool want_file_open(struct ftrace_regs *fregs)
{
	struct file *file = (struct file *)hg_arg(fregs, 0);

	if (file->f_flags & __FMODE_EXEC)
		return active();
	return (file->f_mode & FMODE_WRITE) &&
	       want_write(file_inode(file), d_real_inode(file_dentry(file)));
}

/* A shared mapping that can be made writable: a writer like an open. */
static bool shared_writable(const struct file *file, unsigned long flags)
{
	return (flags & MAP_TYPE) != MAP_PRIVATE &&
	       (file->f_mode & FMODE_WRITE);
}

static bool want_mmap_file(struct ftrace_regs *fregs)
{
	struct file *file = (struct file *)hg_arg(fregs, 0);

	if (!active())
		return false;
	if (file && shared_writable(file, hg_arg(fregs, 2)) &&
	    mapped(d_real_inode(file_dentry(file))))
		return true;
	if (!maps_exec(hg_arg(fregs, 1)))
		return false;
	return file || READ_ONCE(hg_anon_policy) != HG_ANON_ALLOW;
}

/*
 * Pages that are not the file's bytes: anonymous memory, private pages
 * already written (copied on write), or a private mapping that is to be
 * writable and executable at once, whose pages can be written later.
 */
static bool anon_like(struct vm_area_struct *vma, unsigned long prot)
{
	/* userfaultfd can fill any page that is not there yet. */
	return !vma->vm_file || vma->anon_vma || userfaultfd_armed(vma) ||
	       ((prot & PROT_WRITE) && !(vma->vm_flags & VM_SHARED));
}

static bool want_file_mprotect(struct ftrace_regs *fregs)
{
	struct vm_area_struct *vma = (void *)hg_arg(fregs, 0);

	if (!active() || !(hg_arg(fregs, 2) & PROT_EXEC))
		return false;
	if (anon_like(vma, hg_arg(fregs, 2)))
		return READ_ONCE(hg_anon_policy) != HG_ANON_ALLOW;
	return !(vma->vm_flags & VM_EXEC);
}

static bool want_path_truncate(struct ftrace_regs *fregs)
{
	const struct path *path = (const struct path *)hg_arg(fregs, 0);

	return d_is_reg(path->dentry) &&
	       want_write(d_backing_inode(path->dentry),
			  d_real_inode(path->dentry));
}

static bool want_file_truncate(struct ftrace_regs *fregs)
{
	struct file *file = (struct file *)hg_arg(fregs, 0);

	return want_write(file_inode(file), d_real_inode(file_dentry(file)));
}

static bool want_inode_free(struct ftrace_regs *fregs)
{
	return known((const struct inode *)hg_arg(fregs, 0));
}

/* __access_remote_vm(mm, addr, buf, len, gup_flags): writes only. */
static bool want_forced_access(struct ftrace_regs *fregs)
{
	return active() && (hg_arg(fregs, 4) & FOLL_WRITE);
}

static bool want_uffd_fill(struct ftrace_regs *fregs)
{
	return active();
}

/* personality(2)'s syscall wrapper (regs): the caller's registers. */
static bool asks_read_implies_exec(unsigned int persona)
{
	return active() && persona != 0xffffffff &&
	       (persona & READ_IMPLIES_EXEC);
}

static bool want_sys_personality(struct ftrace_regs *fregs)
{
	const struct pt_regs *user = (const struct pt_regs *)hg_arg(fregs, 0);

	return asks_read_implies_exec(hg_syscall_arg0(user));
}

#ifdef HG_SYS_PERSONALITY_COMPAT
static bool want_sys_personality_compat(struct ftrace_regs *fregs)
{
	const struct pt_regs *user = (const struct pt_regs *)hg_arg(fregs, 0);

	return asks_read_implies_exec(hg_compat_syscall_arg0(user));
}
#endif

/* setup_arg_pages(bprm, stack_top, executable_stack) */
static bool want_setup_arg_pages(struct ftrace_regs *fregs)
{
	return active() && (hg_arg(fregs, 2) == EXSTACK_ENABLE_X ||
			    (current->personality & READ_IMPLIES_EXEC));
}

static int wrap_bprm_check(struct linux_binprm *bprm)
{
	int ret;

	might_sleep();
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = hg_decide(bprm->file, HG_HOOK_BPRM_CHECK, true);
	if (!ret)
		ret = hg_call_security_bprm_check(bprm);
	hg_wrapper_leave();
	return ret;
}

/*
 * A write is coming: no cached verdict of the file may survive it, nor,
 * when the write is let through, its page digests. A refused write
 * changes nothing: the scan keeps checking the file's pages.
 */
static int write_coming(const struct path *path, struct inode *inode,
			struct inode *real, enum hg_hook hook)
{
	int ret;

	hg_cache_forget(real);
	if (inode != real)
		hg_cache_forget(inode);
	ret = hg_decide_write(path, real, hook);
	if (!ret) {
		hg_pages_forget(real);
		if (inode != real)
			hg_pages_forget(inode);
	}
	return ret;
}

static int wrap_file_open(struct file *file)
{
	int ret = 0;

	might_sleep();
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (file->f_flags & __FMODE_EXEC) {
		if (!is_selftest(file, HG_HOOK_EXEC_OPEN))
			ret = hg_decide(file, HG_HOOK_EXEC_OPEN, true);
	} else {
		ret = write_coming(&file->f_path, file_inode(file),
				   d_real_inode(file_dentry(file)),
				   HG_HOOK_WRITE_OPEN);
	}
	if (!ret)
		ret = hg_call_security_file_open(file);
	hg_wrapper_leave();
	return ret;
}

static int wrap_mmap_file(struct file *file, unsigned long prot,
			  unsigned long flags)
{
	int ret = 0;

	might_sleep();
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (!file) {
		ret = hg_decide_anon(HG_HOOK_MMAP, true);
	} else if (!is_selftest(file, HG_HOOK_MMAP)) {
		if (shared_writable(file, flags))
			ret = write_coming(&file->f_path, file_inode(file),
					   d_real_inode(file_dentry(file)),
					   HG_HOOK_WRITE_MAP);
		if (!ret && maps_exec(prot))
			ret = hg_decide(file, HG_HOOK_MMAP, true);
		/* Writable and executable private pages: see anon_like(). */
		if (!ret && maps_exec(prot) && (prot & PROT_WRITE) &&
		    (flags & MAP_TYPE) == MAP_PRIVATE)
			ret = hg_decide_anon(HG_HOOK_MMAP, true);
	}
	if (!ret)
		ret = hg_call_security_mmap_file(file, prot, flags);
	hg_wrapper_leave();
	return ret;
}

static int wrap_file_mprotect(struct vm_area_struct *vma,
			      unsigned long reqprot, unsigned long prot)
{
	int ret;

	/* mprotect(2) holds it for writing: decide from the cache alone. */
	mmap_assert_write_locked(vma->vm_mm);
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (anon_like(vma, prot))
		ret = hg_decide_anon(HG_HOOK_MPROTECT, false);
	else
		ret = hg_decide(vma->vm_file, HG_HOOK_MPROTECT, false);
	if (!ret)
		ret = hg_call_security_file_mprotect(vma, reqprot, prot);
	hg_wrapper_leave();
	return ret;
}

static int wrap_path_truncate(const struct path *path)
{
	int ret;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = write_coming(path, d_backing_inode(path->dentry),
			   d_real_inode(path->dentry), HG_HOOK_TRUNCATE);
	if (!ret)
		ret = hg_call_security_path_truncate(path);
	hg_wrapper_leave();
	return ret;
}

static int wrap_file_truncate(struct file *file)
{
	int ret;

	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = write_coming(&file->f_path, file_inode(file),
			   d_real_inode(file_dentry(file)), HG_HOOK_TRUNCATE);
	if (!ret)
		ret = hg_call_security_file_truncate(file);
	hg_wrapper_leave();
	return ret;
}

static void wrap_inode_free(struct inode *inode)
{
	hg_cache_forget(inode);
	hg_pages_forget(inode);
	hg_call_security_inode_free(inode);
	hg_wrapper_leave();
}

/*
 * Does [start, start + len) of @mm touch executable memory? A write there
 * puts bytes no file vouches for under an executable mapping.
 */
static bool range_is_exec(struct mm_struct *mm, unsigned long start,
			  unsigned long len)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma;
	bool exec = false;

	if (end < start)
		end = ULONG_MAX;
	if (mmap_read_lock_killable(mm))
		return true;
	while (!exec && start < end &&
	       (vma = find_vma_intersection(mm, start, end))) {
		exec = vma->vm_flags & VM_EXEC;
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return exec;
}

/*
 * /proc/PID/mem and ptrace pokes write with FOLL_FORCE, which copies a
 * read-only executable page on write: code nobody listed, in a mapping
 * that was verified. Yama does not stop a process writing itself. Such a
 * write follows anon_exec; denied, it copies nothing (the caller sees EIO).
 */
static int wrap_forced_access(struct mm_struct *mm, unsigned long addr,
			      void *buf, int len, unsigned int gup_flags)
{
	int ret = 0;

	might_sleep();
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (len <= 0 || !range_is_exec(mm, addr, len) ||
	    !hg_decide_anon(HG_HOOK_FORCED_WRITE, true))
		ret = hg_call_forced_access(mm, addr, buf, len, gup_flags);
	hg_wrapper_leave();
	return ret;
}

/*
 * userfaultfd fills install pages, anonymous or in a shmem file's page
 * cache, behind every other hook: into an executable range they follow
 * anon_exec. 6.1 passes the mm, 6.12 the userfaultfd context; the length
 * is the third or the fourth argument, by call. The prototypes differ, but
 * every argument is a register, so one generic wrapper per call passes
 * them on unchanged.
 */
static struct mm_struct *uffd_mm(unsigned long arg0)
{
#ifdef HG_HAVE_MFILL_ATOMIC_CTX
	return ((struct userfaultfd_ctx *)arg0)->mm;
#else
	return (struct mm_struct *)arg0;
#endif
}

static long uffd_fill_denied(unsigned long arg0, unsigned long start,
			     unsigned long len)
{
	might_sleep();
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	if (!range_is_exec(uffd_mm(arg0), start, len))
		return 0;
	return hg_decide_anon(HG_HOOK_UFFD_FILL, true);
}

#define HG_UFFD_WRAPPER(fn, len_arg)					\
static long wrap_##fn(unsigned long a0, unsigned long a1, unsigned long a2, \
		      unsigned long a3, unsigned long a4, unsigned long a5) \
{									\
	long ret = uffd_fill_denied(a0, a1, len_arg);			\
									\
	if (!ret)							\
		ret = hg_call_##fn(a0, a1, a2, a3, a4, a5);		\
	hg_wrapper_leave();							\
	return ret;							\
}

HG_UFFD_WRAPPER(uffd_copy, a3)
HG_UFFD_WRAPPER(uffd_zeropage, a2)
HG_UFFD_WRAPPER(uffd_continue, a2)
#ifdef HG_HAVE_MFILL_ATOMIC_CTX
HG_UFFD_WRAPPER(uffd_poison, a2)
HG_UFFD_WRAPPER(uffd_move, a3)
#endif

/*
 * READ_IMPLIES_EXEC makes every readable mapping executable, brk() and the
 * stack included, without an mmap hook for the heap. Asking for it is asking
 * for anonymous executable memory.
 */
static long personality_decided(const struct pt_regs *regs, bool compat)
{
	long ret;

	might_sleep();
	ret = hg_decide_anon(HG_HOOK_PERSONALITY, true) ? -EPERM : 0;
	if (!ret)
		ret = compat ? hg_call_sys_personality_compat(regs) :
			       hg_call_sys_personality(regs);
	hg_wrapper_leave();
	return ret;
}

static long wrap_sys_personality(const struct pt_regs *regs)
{
	return personality_decided(regs, false);
}

#ifdef HG_SYS_PERSONALITY_COMPAT
/* The same request through the compat table (x86: int $0x80; arm64: AArch32). */
static long wrap_sys_personality_compat(const struct pt_regs *regs)
{
	return personality_decided(regs, true);
}
#endif

/*
 * A program marked for an executable stack, or run with READ_IMPLIES_EXEC
 * inherited. This is past exec's point of no return: a denial kills it.
 */
static int wrap_setup_arg_pages(struct linux_binprm *bprm,
				unsigned long stack_top, int executable_stack)
{
	int ret;

	might_sleep();
	hg_stat_inc(HG_STAT_HOOK_CALLS);
	ret = hg_decide_anon(HG_HOOK_EXEC_STACK, true);
	if (!ret)
		ret = hg_call_setup_arg_pages(bprm, stack_top, executable_stack);
	hg_wrapper_leave();
	return ret;
}

#define HG_HOOK(fn) {						\
	.name = "security_" #fn,				\
	.wrapper = wrap_##fn,					\
	.want = want_##fn,					\
	.orig = &hg_orig_security_##fn,				\
}

/* A kernel function @sym hooked by hg_@fn, filtered by want_@fn. */
#define HG_HOOK_SYM(sym, fn) {					\
	.name = sym,						\
	.wrapper = wrap_##fn,					\
	.want = want_##fn,					\
	.orig = &hg_orig_##fn,					\
}

#define HG_HOOK_UFFD(sym, fn) {					\
	.name = sym,						\
	.wrapper = wrap_##fn,					\
	.want = want_uffd_fill,					\
	.orig = &hg_orig_##fn,					\
}

#ifdef HG_HAVE_MFILL_ATOMIC_CTX
#define HG_UFFD_COPY		"mfill_atomic_copy"
#define HG_UFFD_ZEROPAGE	"mfill_atomic_zeropage"
#define HG_UFFD_CONTINUE	"mfill_atomic_continue"
#else
#define HG_UFFD_COPY		"mcopy_atomic"
#define HG_UFFD_ZEROPAGE	"mfill_zeropage"
#define HG_UFFD_CONTINUE	"mcopy_continue"
#endif

static struct hg_redirect hooks[] __ro_after_init = {
	HG_HOOK(bprm_check),
	HG_HOOK(file_open),
	HG_HOOK(mmap_file),
	HG_HOOK(file_mprotect),
	HG_HOOK(path_truncate),
	{
		/* 6.2 moved ftruncate and O_TRUNC from path_truncate here. */
		.name = "security_file_truncate",
		.wrapper = wrap_file_truncate,
		.want = want_file_truncate,
		.orig = &hg_orig_security_file_truncate,
		.optional = true,
	},
	HG_HOOK(inode_free),
	HG_HOOK_SYM("__access_remote_vm", forced_access),
	HG_HOOK_UFFD(HG_UFFD_COPY, uffd_copy),
	HG_HOOK_UFFD(HG_UFFD_ZEROPAGE, uffd_zeropage),
	HG_HOOK_UFFD(HG_UFFD_CONTINUE, uffd_continue),
#ifdef HG_HAVE_MFILL_ATOMIC_CTX
	/* UFFDIO_POISON (6.6) and UFFDIO_MOVE (6.8) */
	HG_HOOK_UFFD("mfill_atomic_poison", uffd_poison),
	HG_HOOK_UFFD("move_pages", uffd_move),
#endif
	HG_HOOK_SYM(HG_SYS_PERSONALITY, sys_personality),
#ifdef HG_SYS_PERSONALITY_COMPAT
	{
		/* Absent where the kernel has no compat table. */
		.name = HG_SYS_PERSONALITY_COMPAT,
		.wrapper = wrap_sys_personality_compat,
		.want = want_sys_personality_compat,
		.orig = &hg_orig_sys_personality_compat,
		.optional = true,
	},
#endif
	HG_HOOK_SYM("setup_arg_pages", setup_arg_pages),
};

/*
 * Drive a real mmap(PROT_EXEC) and a real open for exec through the kernel
 * and require that the hooks saw them; check that every hook site is
 * patched. A hook that is not live means no protection: refuse to load.
 */
static int __init hooks_selftest(void)
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
		if (hooks[i].addr && !hg_redirect_site_live(&hooks[i])) {
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
int __init hg_hooks_init(void)
{
	int ret;

	ret = hg_redirect_install(hooks, ARRAY_SIZE(hooks));
	if (ret)
		return ret;
	ret = hooks_selftest();
	if (ret)
		hg_redirect_remove();
	return ret;
}

/**
 * hg_hooks_exit() - remove the hooks; returns when no wrapper runs
 */
void hg_hooks_exit(void)
{
	hg_redirect_remove();
}
