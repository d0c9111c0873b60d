// SPDX-License-Identifier: GPL-2.0
/*
 * A BTI-marked shared library (-mbranch-protection=standard, linked
 * without the C runtime's start files, which carry no BTI note): ld.so
 * maps its text and then asks mprotect(PROT_READ | PROT_EXEC | PROT_BTI).
 */
int hg_bti_answer(void)
{
	return 42;
}
