// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: personality(2) the way the syscall entry runs it.
 *
 * Since the branch history fixes (6.9, and 6.1.85 in the stable series)
 * do_syscall_64() and the 32-bit entries no longer call through
 * sys_call_table: they call x64_sys_call() and ia32_sys_call(), switches
 * generated from the syscall tables (6.12 has no sys_call_table in
 * kallsyms at all). Calling the switch is calling what a syscall calls.
 */
#include <linux/errno.h>
#include <asm/unistd.h>

#include "redirect.h"

/* Filled at load, called through thunk.S (the switches' ENDBRs are sealed). */
unsigned long hg_orig_x64_sys_call __ro_after_init;
unsigned long hg_orig_ia32_sys_call __ro_after_init;

/**
 * hg_arch_personality_dispatch() - personality(2) as a syscall runs it
 * @regs: the caller's registers
 * @compat: through the ia32 entry (int $0x80) instead of the 64-bit one
 * @via: the dispatcher called, for the log
 * @ret: the syscall's return value
 *
 * Return: 0 when it ran; -EOPNOTSUPP when the kernel has no such entry
 * (no IA32_EMULATION); -ENOENT, logged, when the dispatcher is not found.
 */
int __init hg_arch_personality_dispatch(const struct pt_regs *regs,
					bool compat, unsigned long *via,
					long *ret)
{
	const char *name = compat ? "ia32_sys_call" : "x64_sys_call";
	unsigned long *orig = compat ? &hg_orig_ia32_sys_call :
				       &hg_orig_x64_sys_call;

	if (compat && !IS_ENABLED(CONFIG_IA32_EMULATION))
		return -EOPNOTSUPP;
	*orig = hg_redirect_lookup_name(name);
	if (!*orig) {
		pr_err("self-test: cannot find %s\n", name);
		return -ENOENT;
	}
	*via = *orig;
	*ret = compat ? hg_call_ia32_sys_call(regs, __NR_ia32_personality) :
			hg_call_x64_sys_call(regs, __NR_personality);
	return 0;
}
