// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: is a function's ftrace site patched?
 */
#include <linux/uaccess.h>

#include "arch.h"

/**
 * hg_arch_site_live() - does the function at @addr call ftrace
 * @addr: the function's address
 *
 * ftrace turns the 5-byte NOP at a function's entry (after the ENDBR on IBT
 * kernels) into a CALL. Seeing the CALL proves the site is armed; seeing the
 * NOP means ftrace was killed or never patched it.
 *
 * Return: true when the CALL is there.
 */
bool hg_arch_site_live(unsigned long addr)
{
	u8 insn[8];

	if (copy_from_kernel_nofault(insn, (void *)addr, sizeof(insn)))
		return false;
	if (insn[0] == 0xe8)
		return true;
	/* ENDBR64 (f3 0f 1e fa) or its sealed form, a 4-byte NOP. */
	return insn[4] == 0xe8 &&
	       ((insn[0] == 0xf3 && insn[1] == 0x0f && insn[2] == 0x1e) ||
		(insn[0] == 0x66 && insn[1] == 0x0f && insn[2] == 0x1f));
}
