// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: is a function's ftrace site patched?
 */
#include <linux/uaccess.h>

#include "arch.h"

#define A64_NOP		0xd503201fU
#define A64_BTI_C	0xd503245fU
#define A64_MOV_X9_LR	0xaa1e03e9U	/* mov x9, x30 */
#define A64_BL_MASK	0xfc000000U
#define A64_BL		0x94000000U

/**
 * hg_arch_site_live() - does the function at @addr call ftrace
 * @addr: the function's address
 *
 * The compiler leaves two NOPs at a function's entry (after a "bti c"
 * landing pad where the kernel has one); ftrace makes them
 * "mov x9, x30; bl <trampoline>". Seeing that pair proves the site is
 * armed; seeing the NOPs means ftrace was killed or never patched it.
 *
 * Return: true when the call is there.
 */
bool hg_arch_site_live(unsigned long addr)
{
	__le32 raw[3];
	u32 insn[3];
	unsigned int i = 0, k;

	if (copy_from_kernel_nofault(raw, (void *)addr, sizeof(raw)))
		return false;
	for (k = 0; k < ARRAY_SIZE(raw); k++)
		insn[k] = le32_to_cpu(raw[k]);
	if (insn[0] == A64_BTI_C)
		i = 1;
	return insn[i] == A64_MOV_X9_LR &&
	       (insn[i + 1] & A64_BL_MASK) == A64_BL;
}
