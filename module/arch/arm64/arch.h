/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64: what the redirection engine and the filters need to know of the
 * registers at a traced function's entry (see module/arch/x86/arch.h for
 * the list every arch provides).
 *
 * 6.1 has only DYNAMIC_FTRACE_WITH_REGS: the ops asks for full pt_regs and
 * the callback sets their pc. The generic ftrace_instruction_pointer_set()
 * compiles there and does nothing, which would leave the module loaded and
 * blind: the load-time self-test catches any such no-op. Since 6.2 arm64
 * has only DYNAMIC_FTRACE_WITH_ARGS: SAVE_REGS is refused, and ftrace_regs
 * (x0-x8, fp, lr, sp, pc) has its own accessors.
 */
#ifndef _HG_ARCH_H
#define _HG_ARCH_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>

#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define HG_FTRACE_OPS_REGS 0

static __always_inline bool hg_fregs_usable(struct ftrace_regs *fregs)
{
	return true;
}

static __always_inline unsigned long hg_arg(struct ftrace_regs *fregs,
					    unsigned int n)
{
	return ftrace_regs_get_argument(fregs, n);
}

static __always_inline void hg_set_ip(struct ftrace_regs *fregs,
				      unsigned long ip)
{
	ftrace_regs_set_instruction_pointer(fregs, ip);
}

static __always_inline unsigned long hg_get_ip(struct ftrace_regs *fregs)
{
	return ftrace_regs_get_instruction_pointer(fregs);
}
#else
#define HG_FTRACE_OPS_REGS FTRACE_OPS_FL_SAVE_REGS

static __always_inline bool hg_fregs_usable(struct ftrace_regs *fregs)
{
	return ftrace_get_regs(fregs);
}

static __always_inline unsigned long hg_arg(struct ftrace_regs *fregs,
					    unsigned int n)
{
	return regs_get_kernel_argument(ftrace_get_regs(fregs), n);
}

static __always_inline void hg_set_ip(struct ftrace_regs *fregs,
				      unsigned long ip)
{
	instruction_pointer_set(ftrace_get_regs(fregs), ip);
}

static __always_inline unsigned long hg_get_ip(struct ftrace_regs *fregs)
{
	return instruction_pointer(ftrace_get_regs(fregs));
}
#endif

/*
 * The site is the BL of "mov x9, x30; bl <trampoline>" at the entry: at
 * +4, or +8 behind a BTI landing pad.
 */
#define HG_SITE_MAX_OFFSET 16

bool hg_arch_site_live(unsigned long addr);

/*
 * arch/arm64/kernel/sys.c points the 64-bit table's personality at
 * arm64_personality, which refuses PER_LINUX32 where EL0 has no AArch32.
 */
#define HG_SYS_PERSONALITY "__arm64_sys_arm64_personality"

static __always_inline unsigned long
hg_syscall_arg0(const struct pt_regs *user)
{
	return user->regs[0];
}

/*
 * CONFIG_COMPAT: the a32 table (sys32.c, from asm/unistd32.h) calls the
 * generic wrapper for AArch32 tasks; their r0 is regs[0].
 */
#define HG_SYS_PERSONALITY_COMPAT "__arm64_sys_personality"

static __always_inline unsigned long
hg_compat_syscall_arg0(const struct pt_regs *user)
{
	return user->regs[0];
}

#endif /* _HG_ARCH_H */
