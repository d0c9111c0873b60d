/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ftrace redirection engine: the one place that knows ftrace.
 *
 * One ftrace_ops with IPMODIFY sits on the entry of every target (one ops,
 * so that loading and unloading patch the kernel text once; full pt_regs
 * only on kernels without DYNAMIC_FTRACE_WITH_ARGS, see compat.h). When
 * a target is called from outside this module and
 * the hook's filter wants the call, the callback points regs->ip at a wrapper
 * with the same prototype; the wrapper runs in the caller's context (it may
 * sleep where the target may) and calls the original through the thunk in
 * thunk.S. Calls from this module pass straight through.
 */
#ifndef _HG_HOOK_H
#define _HG_HOOK_H

#include <linux/ftrace.h>
#include <linux/types.h>

struct pt_regs;

struct hg_ftrace_hook {
	const char *name;		/* the kernel function hooked */
	void *wrapper;			/* same prototype as the target */
	/* Atomic context, called for every call: look at arguments only. */
	bool (*want)(const struct pt_regs *regs);
	unsigned long *orig;		/* the thunk jumps to *orig */
	bool optional;			/* absent on some kernels: skip */
	unsigned long addr;
};

int hg_hook_resolve_init(void);
unsigned long hg_hook_lookup_name(const char *name);
int hg_hooks_install(struct hg_ftrace_hook *hooks, unsigned int count);
void hg_hooks_remove(void);
bool hg_hook_site_live(const struct hg_ftrace_hook *hook);
void hg_hook_enter(void);
void hg_hook_exit(void);
unsigned int hg_hook_inflight(void);

#endif /* _HG_HOOK_H */
