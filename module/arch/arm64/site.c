// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: is a function's ftrace site patched?
 */
#include "redirect.h"

#define A64_NOP		0xd503201fU
#define A64_BTI_C	0xd503245fU
#define A64_BTI_J	0xd503249fU
#define A64_PACIASP	0xd503233fU
#define A64_MOV_X9_LR	0xaa1e03e9U	/* mov x9, x30 */
#define A64_BL_MASK	0xfc000000U
#define A64_BL		0x94000000U
#define A64_B		0x14000000U

/**
 * hg_arch_site_decode() - do these first words of a function call ftrace
 * @entry: the function's first HG_SITE_CODE_LEN bytes (three instructions)
 *
 * The compiler leaves two NOPs at a function's entry (after a "bti c"
 * landing pad where the kernel has one); ftrace makes them
 * "mov x9, x30; bl <trampoline>". Seeing that pair proves the site is
 * armed; seeing the NOPs means ftrace was killed or never patched it.
 * Debian's kernels have no BTI: hg_arch_site_cases[] below is what checks
 * the landing pad.
 *
 * Return: true when the call is there.
 */
bool hg_arch_site_decode(const void *entry)
{
	const __le32 *raw = entry;
	u32 insn[3];
	unsigned int i = 0, k;

	for (k = 0; k < ARRAY_SIZE(insn); k++)
		insn[k] = le32_to_cpu(raw[k]);
	if (insn[0] == A64_BTI_C)
		i = 1;
	return insn[i] == A64_MOV_X9_LR &&
	       (insn[i + 1] & A64_BL_MASK) == A64_BL;
}

/* Three instructions as they lie in memory. */
#define A64(a, b, c) \
	((const __le32 [3]) { cpu_to_le32(a), cpu_to_le32(b), cpu_to_le32(c) })
#define BL_FWD	(A64_BL | 0x1234)	/* bl .+0x48d0 */
#define BL_BACK	(A64_BL | 0x3ffff00)	/* bl .-0x400 */

/*
 * What hg_arch_site_decode() must say of made-up entries. Debian's arm64
 * kernels are built without BTI, so no real function has the pad: only
 * these cases show that a patched site behind "bti c" is seen as live, and
 * that an unpatched one behind it is not.
 */
const struct hg_site_case hg_arch_site_cases[] = {
	{ "mov x9, x30; bl", A64(A64_MOV_X9_LR, BL_FWD, A64_NOP), true },
	{ "mov x9, x30; bl (backwards)",
	  A64(A64_MOV_X9_LR, BL_BACK, A64_NOP), true },
	{ "bti c; mov x9, x30; bl",
	  A64(A64_BTI_C, A64_MOV_X9_LR, BL_FWD), true },
	{ "nop; nop", A64(A64_NOP, A64_NOP, A64_NOP), false },
	{ "bti c; nop; nop", A64(A64_BTI_C, A64_NOP, A64_NOP), false },
	{ "nop; bl", A64(A64_NOP, BL_FWD, A64_NOP), false },
	{ "bti c; nop; bl", A64(A64_BTI_C, A64_NOP, BL_FWD), false },
	{ "mov x9, x30; nop", A64(A64_MOV_X9_LR, A64_NOP, A64_NOP),
	  false },
	{ "bti c; mov x9, x30; nop",
	  A64(A64_BTI_C, A64_MOV_X9_LR, A64_NOP), false },
	{ "mov x9, x30; b", A64(A64_MOV_X9_LR, A64_B, A64_NOP), false },
	/* The pad and the call must be at the entry, nowhere else. */
	{ "bti j; mov x9, x30; bl",
	  A64(A64_BTI_J, A64_MOV_X9_LR, BL_FWD), false },
	{ "paciasp; mov x9, x30; bl",
	  A64(A64_PACIASP, A64_MOV_X9_LR, BL_FWD), false },
	{ "nop; mov x9, x30; bl",
	  A64(A64_NOP, A64_MOV_X9_LR, BL_FWD), false },
};

const unsigned int hg_arch_site_cases_len = ARRAY_SIZE(hg_arch_site_cases);
