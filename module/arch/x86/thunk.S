/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into kernel functions whose addresses were resolved at load time.
 *
 * On kernels built with CONFIG_X86_KERNEL_IBT (Debian's 6.12) the ENDBR of
 * every function whose address is never taken is sealed at boot, and an
 * indirect CALL or JMP into it raises #CP. A RET is not an indirect branch
 * for IBT, so each thunk pushes the target and returns into it: the target
 * then runs with the caller's return address on the stack, exactly as after
 * a direct call, and returns straight to the caller. The same path is used
 * on every kernel so that it is exercised by every test, IBT or not (qemu
 * does not emulate IBT).
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>

.macro thunk name
SYM_FUNC_START(hg_call_\name)
	pushq	hg_orig_\name(%rip)
	RET
SYM_FUNC_END(hg_call_\name)
/* The push makes RET leave through the target: tell objtool it is meant. */
STACK_FRAME_NON_STANDARD hg_call_\name
.endm

	.text
#define HG_THUNK(fn) thunk fn
#include "../../thunk_list.h"

/* x86's syscall dispatchers, for the load-time self-test (syscall.c). */
	thunk x64_sys_call
	thunk ia32_sys_call
