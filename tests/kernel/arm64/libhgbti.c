// SPDX-License-Identifier: GPL-2.0
/*
 * A BTI-marked shared library (-mbranch-protection=standard, linked
 * without the C runtime's start files, which carry no BTI note): ld.so
 * maps its text with PROT_BTI added.
 */
int hg_bti_answer(void)
{
	return 42;
}
