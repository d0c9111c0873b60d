/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64: what the redirection engine and the filters need to know of the
 * registers at a traced function's entry. Each arch's arch.h provides:
 *
 *   HG_FTRACE_OPS_REGS      the ftrace_ops flags that give the callback
 *                           registers it can redirect with
 *   hg_fregs_usable()       the callback has those registers
 *   hg_arg(fregs, n)        the traced function's n-th argument (n < 6)
 *   hg_set_ip(fregs, ip)    continue at @ip instead of the function
 *   hg_get_ip(fregs)        where the function will continue
 *   HG_SITE_MAX_OFFSET      the ftrace site lies within this many bytes of
 *                           the function's address
 *   HG_SITE_CODE_LEN        bytes of a function's entry that show whether
 *                           its site calls ftrace
 *   hg_arch_site_decode()   (site.c) those bytes call ftrace: a pure
 *                           function of them
 *   hg_arch_site_cases[]    (site.c) made-up entries, each with what
 *                           hg_arch_site_decode() must say of it
 *   hg_arch_personality_dispatch()
 *                           (syscall.c) run personality(2) the way the
 *                           kernel's syscall entry (or its compat entry)
 *                           does
 *   HG_SYS_PERSONALITY      the symbol of personality(2)'s pt_regs wrapper
 *   hg_syscall_arg0(user)   a syscall's first argument in its pt_regs
 *
 * and, where a second syscall table reaches personality(2) through a
 * wrapper of its own (x86's int $0x80 for 32-bit code, open to 64-bit
 * processes too; arm64's AArch32 table):
 *
 *   HG_SYS_PERSONALITY_COMPAT        that wrapper's symbol
 *   hg_compat_syscall_arg0(user)     its first argument in its pt_regs
 */
#ifndef _HG_ARCH_H
#define _HG_ARCH_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>

/*
 * With DYNAMIC_FTRACE_WITH_ARGS (x86 since 5.11) the light trampoline
 * saves the argument registers and the instruction pointer, and honours a
 * changed ip, as livepatch relies on; 6.12 (Debian's .117) wraps them in
 * arch_ftrace_regs(). Without it, the ops asks for full pt_regs
 * (FTRACE_OPS_FL_SAVE_REGS).
 */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define HG_FTRACE_OPS_REGS 0
#ifdef HG_HAVE_ARCH_FTRACE_REGS
#define hg_ftrace_regs(fregs) (&arch_ftrace_regs(fregs)->regs)
#else
#define hg_ftrace_regs(fregs) (&(fregs)->regs)
#endif

static __always_inline bool hg_fregs_usable(struct ftrace_regs *fregs)
{
	return true;
}
#else
#define HG_FTRACE_OPS_REGS FTRACE_OPS_FL_SAVE_REGS
#define hg_ftrace_regs(fregs) ftrace_get_regs(fregs)

static __always_inline bool hg_fregs_usable(struct ftrace_regs *fregs)
{
	return ftrace_get_regs(fregs);
}
#endif

static __always_inline unsigned long hg_arg(struct ftrace_regs *fregs,
					    unsigned int n)
{
	return regs_get_kernel_argument(hg_ftrace_regs(fregs), n);
}

static __always_inline void hg_set_ip(struct ftrace_regs *fregs,
				      unsigned long ip)
{
	hg_ftrace_regs(fregs)->ip = ip;
}

static __always_inline unsigned long hg_get_ip(struct ftrace_regs *fregs)
{
	return hg_ftrace_regs(fregs)->ip;
}

/* The site is the entry, or just past the ENDBR on IBT kernels. */
#define HG_SITE_MAX_OFFSET 16
#define HG_SITE_CODE_LEN 10

bool hg_arch_site_decode(const void *entry);

#define HG_SYS_PERSONALITY "__x64_sys_personality"

int hg_arch_personality_dispatch(const struct pt_regs *regs, bool compat,
				 unsigned long *via, long *ret);
/* thunk.S, for syscall.c: the 64-bit and the ia32 syscall dispatchers */
extern unsigned long hg_orig_x64_sys_call;
extern unsigned long hg_orig_ia32_sys_call;
long hg_call_x64_sys_call(const struct pt_regs *regs, unsigned int nr);
long hg_call_ia32_sys_call(const struct pt_regs *regs, unsigned int nr);

static __always_inline unsigned long
hg_syscall_arg0(const struct pt_regs *user)
{
	return user->di;
}

/* IA32_EMULATION: the ia32 table, reached by int $0x80 from any process. */
#define HG_SYS_PERSONALITY_COMPAT "__ia32_sys_personality"

static __always_inline unsigned long
hg_compat_syscall_arg0(const struct pt_regs *user)
{
	return user->bx;
}

#endif /* _HG_ARCH_H */
