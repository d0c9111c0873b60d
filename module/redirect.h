/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ftrace redirection engine: the one place that knows ftrace.
 *
 * One ftrace_ops with IPMODIFY sits on the entry of every target (one ops,
 * so that loading and unloading patch the kernel text once; the registers
 * the arch's trampoline saves, see arch.h). When a target is called from
 * outside this module and the redirection's filter wants the call, the
 * callback sets the instruction pointer to a wrapper with the same
 * prototype; the wrapper runs in the caller's context (it may sleep where
 * the target may) and calls the original through the arch's thunk
 * (module/arch/<arch>/thunk.S). Calls from this module pass straight
 * through.
 */
#ifndef _HG_REDIRECT_H
#define _HG_REDIRECT_H

#include <linux/ftrace.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "arch.h"

struct hg_redirect {
	const char *name;		/* the kernel function redirected */
	void *wrapper;			/* same prototype as the target */
	/*
	 * Atomic context, called for every call: look at the arguments only,
	 * through hg_arg().
	 */
	bool (*want)(struct ftrace_regs *fregs);
	unsigned long *orig;		/* the thunk jumps to *orig */
	bool optional;			/* absent on some kernels: skip */
	unsigned long addr;
};

/* A made-up function entry and what hg_arch_site_decode() must say of it. */
struct hg_site_case {
	const char *what;		/* its instructions, for the log */
	const void *code;		/* its first HG_SITE_CODE_LEN bytes */
	bool live;
};

extern const struct hg_site_case hg_arch_site_cases[];
extern const unsigned int hg_arch_site_cases_len;

int hg_redirect_resolve_init(void);
unsigned long hg_redirect_lookup_name(const char *name);
int hg_redirect_install(struct hg_redirect *redirects, unsigned int count);
void hg_redirect_remove(void);
bool hg_redirect_site_live(const struct hg_redirect *redirect);
bool hg_redirect_site_selftest(void);
void hg_redirect_selftest_caller(struct task_struct *task);
void hg_wrapper_enter(void);
void hg_wrapper_leave(void);
unsigned int hg_wrappers_inflight(void);

#endif /* _HG_REDIRECT_H */
