// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: is a function's ftrace site patched?
 */
#include "redirect.h"

#define X86_CALL	0xe8

/* ENDBR64, and the 4-byte NOP (osp nopl (%rax)) that seals an unused one. */
static const u8 endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const u8 endbr_sealed[4] = { 0x66, 0x0f, 0x1f, 0x00 };

/**
 * hg_arch_site_decode() - do these first bytes of a function call ftrace
 * @entry: the function's first HG_SITE_CODE_LEN bytes
 *
 * ftrace turns the 5-byte NOP at a function's entry (after the ENDBR on IBT
 * kernels) into a CALL. Seeing the CALL proves the site is armed; seeing the
 * NOP means ftrace was killed or never patched it.
 *
 * Return: true when the CALL is there.
 */
bool hg_arch_site_decode(const void *entry)
{
	const u8 *code = entry;

	if (code[0] == X86_CALL)
		return true;
	return code[4] == X86_CALL &&
	       (!memcmp(code, endbr64, 4) || !memcmp(code, endbr_sealed, 4));
}

/* A made-up entry: its first bytes, the rest zero. */
#define X86(...)	((const u8 [HG_SITE_CODE_LEN]) { __VA_ARGS__ })

/*
 * What hg_arch_site_decode() must say of made-up entries. Debian's 6.1 is
 * built without IBT and its 6.12 with it: these cases check both forms on
 * every kernel. e8 is a CALL, 0f 1f 44 00 00 the 5-byte NOP, f3 0f 1e fa
 * ENDBR64 and 66 0f 1f 00 its seal.
 */
const struct hg_site_case hg_arch_site_cases[] = {
	{ "call", X86(0xe8, 0x12, 0x34, 0x56, 0x78), true },
	{ "endbr64; call", X86(0xf3, 0x0f, 0x1e, 0xfa, 0xe8, 1, 2, 3, 4), true },
	{ "sealed endbr; call",
	  X86(0x66, 0x0f, 0x1f, 0x00, 0xe8, 1, 2, 3, 4), true },
	{ "nop5", X86(0x0f, 0x1f, 0x44, 0x00, 0x00), false },
	{ "endbr64; nop5",
	  X86(0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x44, 0x00, 0x00), false },
	{ "sealed endbr; nop5",
	  X86(0x66, 0x0f, 0x1f, 0x00, 0x0f, 0x1f, 0x44, 0x00, 0x00), false },
	{ "endbr64; jmp", X86(0xf3, 0x0f, 0x1e, 0xfa, 0xe9, 1, 2, 3, 4), false },
	/* Only an ENDBR64 or its seal may come first. */
	{ "endbr32; call", X86(0xf3, 0x0f, 0x1e, 0xfb, 0xe8, 1, 2, 3, 4), false },
	{ "nop4; call", X86(0x0f, 0x1f, 0x40, 0x00, 0xe8, 1, 2, 3, 4), false },
	{ "push %rbp; mov %rsp, %rbp; call",
	  X86(0x55, 0x48, 0x89, 0xe5, 0xe8, 1, 2, 3, 4), false },
};

const unsigned int hg_arch_site_cases_len = ARRAY_SIZE(hg_arch_site_cases);
