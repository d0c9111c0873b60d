/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into kernel functions whose addresses were resolved at load time.
 *
 * arm64 never removes landing pads (x86 IBT seals unused ENDBRs, hence its
 * PUSH/RET thunk), so each thunk loads the target's address into x16 and
 * branches to it: x30 still holds the caller's return address (the wrapper
 * calls the thunk with BL; sibling calls are off), so the target returns
 * straight to the caller, and its pointer authentication signs the same
 * x30 and sp as after a direct call. A "br x16" is accepted by a "bti c"
 * landing pad where the kernel has them.
 */
#include <linux/linkage.h>

.macro thunk name
SYM_FUNC_START(hg_call_\name)
	adrp	x16, hg_orig_\name
	ldr	x16, [x16, :lo12:hg_orig_\name]
	br	x16
SYM_FUNC_END(hg_call_\name)
.endm

	.text
#define HG_THUNK(fn) thunk fn
#include "../../thunk_list.h"
