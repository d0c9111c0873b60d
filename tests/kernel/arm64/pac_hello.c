// SPDX-License-Identifier: GPL-2.0
/*
 * A program built with -mbranch-protection=pac-ret: its non-leaf functions
 * sign their return address (PACIASP) and authenticate it before they
 * return. Exit 0 when that code is there and pointer authentication is on
 * for user space: PACIA1716, a NOP on a CPU without it, must change the
 * pointer it signs.
 */
#include <stdint.h>
#include <stdio.h>

#define PACIASP	0xd503233f

/* Exit statuses besides 0. */
#define NO_PACIASP	3	/* say_hello() does not start with PACIASP */
#define PAC_OFF		4	/* PACIA1716 left the pointer as it was */

static int pac_signs(void)
{
	register uint64_t x17 asm("x17") = (uint64_t)&pac_signs;
	register uint64_t x16 asm("x16") = 0x1234;	/* the modifier */

	asm volatile("hint #8" : "+r"(x17) : "r"(x16));	/* PACIA1716 */
	return x17 != (uint64_t)&pac_signs;
}

/* Non-leaf, with no path that could leave out the frame: signed at entry. */
static __attribute__((noinline)) int say_hello(void)
{
	return printf("pac_hello: return addresses signed\n") + 1;
}

int main(void)
{
	if (*(const volatile uint32_t *)(uintptr_t)say_hello != PACIASP)
		return NO_PACIASP;
	if (!pac_signs())
		return PAC_OFF;
	return say_hello() > 0 ? 0 : 1;
}
