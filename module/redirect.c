// SPDX-License-Identifier: GPL-2.0
/*
 * Install, remove and count ftrace redirections and the wrappers they
 * enter. See redirect.h for the mechanism, module/arch/ for what differs by
 * architecture and Documentation/design.rst for why it is built this way.
 */
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>

#include "redirect.h"
#include "stats.h"
#include "thunk.h"

/*
 * Wrappers entered and not yet left. Every open, exec and mmap passes
 * here, so the count is per CPU: no cache line shared between CPUs, no
 * lock. A wrapper may sleep and leave on another CPU, so one CPU's count
 * means nothing and may go below zero; only the sum does.
 */
static DEFINE_PER_CPU(unsigned long, inflight);

/* Read by the thunk: kallsyms_lookup_name() is not exported since 5.7. */
unsigned long hg_orig_kallsyms_lookup_name __ro_after_init;

/**
 * hg_redirect_resolve_init() - find kallsyms_lookup_name() through a kprobe
 *
 * A kprobe resolves a symbol name to an address without kallsyms being
 * exported. On x86 IBT kernels the address is past the ENDBR; the thunk
 * jumps there with RET, which IBT does not police, so either form is fine.
 *
 * Return: 0 or the error of register_kprobe().
 */
int __init hg_redirect_resolve_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot resolve kallsyms_lookup_name: %d\n", ret);
		return ret;
	}
	hg_orig_kallsyms_lookup_name = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return 0;
}

/**
 * hg_redirect_lookup_name() - the address of a kernel symbol
 * @name: the symbol
 *
 * Return: its address, or 0 when there is none.
 */
unsigned long hg_redirect_lookup_name(const char *name)
{
	if (!hg_orig_kallsyms_lookup_name)
		return 0;
	return hg_call_kallsyms_lookup_name(name);
}

/*
 * The load-time self-test drives syscall dispatchers from module code, and
 * x86's x64_sys_call() reaches the syscall by a tail call: the syscall then
 * looks called by this module. While set, this task's calls from the module
 * are taken as the kernel's.
 */
static struct task_struct *selftest_caller;

/**
 * hg_redirect_selftest_caller() - redirect @task's calls from this module too
 * @task: the self-test's task, or NULL to end it
 *
 * Only for a self-test whose wrappers do not call their originals: such a
 * call would be redirected again.
 */
void __init hg_redirect_selftest_caller(struct task_struct *task)
{
	WRITE_ONCE(selftest_caller, task);
}

static struct ftrace_ops ops;
static struct hg_redirect *table __ro_after_init;
static unsigned int table_len;	/* 0 again once removed */

/* The redirection whose function @ip (its ftrace site) belongs to. */
static struct hg_redirect *redirect_at(unsigned long ip)
{
	unsigned int i;

	/* The site is a few bytes into the function: see arch.h. */
	for (i = 0; i < table_len; i++) {
		if (table[i].addr && ip - table[i].addr < HG_SITE_MAX_OFFSET)
			return &table[i];
	}
	return NULL;
}

static void notrace redirect_callback(unsigned long ip,
				      unsigned long parent_ip,
				      struct ftrace_ops *op,
				      struct ftrace_regs *fregs)
{
	struct hg_redirect *redirect;

	/* The wrapper calling the original: let it run. */
	if (within_module(parent_ip, THIS_MODULE) &&
	    current != READ_ONCE(selftest_caller))
		return;
	redirect = redirect_at(ip);
	if (unlikely(!redirect || !hg_fregs_usable(fregs)) ||
	    !redirect->want(fregs))
		return;
	hg_set_ip(fregs, (unsigned long)redirect->wrapper);
	/*
	 * Counted only when the wrapper will run: an ip setter that does
	 * nothing (arch.h) must fail the self-test and the load, not leave
	 * counts that unload would wait for forever.
	 */
	if (likely(hg_get_ip(fregs) == (unsigned long)redirect->wrapper))
		this_cpu_inc(inflight);
}

/**
 * hg_wrapper_enter() - count work of ours that outlives its wrapper (a task
 * work) as one more wrapper; it must end with hg_wrapper_leave(), and
 * unload waits for it
 */
void hg_wrapper_enter(void)
{
	this_cpu_inc(inflight);
}

/**
 * hg_wrapper_leave() - a wrapper leaves: called last in every wrapper (and
 * in work counted by hg_wrapper_enter())
 */
void hg_wrapper_leave(void)
{
	this_cpu_dec(inflight);
}

/*
 * The sum, modulo 2^BITS_PER_LONG, read CPU by CPU while others change it:
 * a snapshot only when no wrapper enters any more (see hg_redirect_remove()).
 */
static long inflight_sum(void)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(inflight, cpu));
	return (long)sum;
}

/**
 * hg_wrappers_inflight() - about how many wrappers run right now, for stats
 *
 * Return: the count, never below 0 (per-CPU counts summed while they
 * change can be).
 */
unsigned int hg_wrappers_inflight(void)
{
	return max(inflight_sum(), 0L);
}

/**
 * hg_redirect_site_live() - is the redirection really patched into the kernel
 * @redirect: an installed redirection
 *
 * ftrace turns the NOPs at a function's entry into a call of its
 * trampoline. Seeing the call proves the redirection is armed; seeing the
 * NOPs means ftrace was killed or never patched it, and hashgate would fail
 * open. What the call looks like is the arch's business (site.c).
 *
 * Return: true when the call is there.
 */
bool hg_redirect_site_live(const struct hg_redirect *redirect)
{
	u32 code[DIV_ROUND_UP(HG_SITE_CODE_LEN, 4)];

	if (copy_from_kernel_nofault(code, (void *)redirect->addr,
				     HG_SITE_CODE_LEN))
		return false;
	return hg_arch_site_decode(code);
}

/**
 * hg_redirect_site_selftest() - does the arch's site check read right
 *
 * Feeds hg_arch_site_decode() the arch's made-up entries
 * (hg_arch_site_cases[]): the forms no kernel booted in the tests has (a
 * BTI landing pad on arm64) are checked here or nowhere.
 *
 * Return: true when it says of each what it must; each miss is logged.
 */
bool hg_redirect_site_selftest(void)
{
	const struct hg_site_case *c;
	bool ok = true;
	unsigned int i;

	for (i = 0; i < hg_arch_site_cases_len; i++) {
		c = &hg_arch_site_cases[i];
		if (hg_arch_site_decode(c->code) != c->live) {
			pr_err("self-test: the site check takes \"%s\" for %s\n",
			       c->what, c->live ? "unpatched" : "patched");
			ok = false;
		}
	}
	return ok;
}

/**
 * hg_redirect_install() - install every redirection, or none
 * @redirects: the table; it must stay valid until hg_redirect_remove()
 * @count: its length
 *
 * Return: 0, or the first error with nothing installed.
 */
int __init hg_redirect_install(struct hg_redirect *redirects,
			       unsigned int count)
{
	unsigned int i;
	int ret;

	for (i = 0; i < count; i++) {
		redirects[i].addr = hg_redirect_lookup_name(redirects[i].name);
		if (!redirects[i].addr && !redirects[i].optional) {
			pr_err("cannot find %s\n", redirects[i].name);
			return -ENOENT;
		}
		*redirects[i].orig = redirects[i].addr;
	}
	table = redirects;
	table_len = count;

	ops.func = redirect_callback;
	/*
	 * RECURSION: ftrace guards the callback. PERMANENT: ftrace_enabled
	 * cannot be switched off under us.
	 */
	/* Full pt_regs only where the light trampoline cannot redirect. */
	ops.flags = HG_FTRACE_OPS_REGS | FTRACE_OPS_FL_IPMODIFY |
		    FTRACE_OPS_FL_RECURSION | FTRACE_OPS_FL_PERMANENT;
	for (i = 0; i < count; i++) {
		if (!redirects[i].addr)
			continue;
		ret = ftrace_set_filter_ip(&ops, redirects[i].addr, 0, 0);
		if (ret) {
			pr_err("cannot set ftrace filter on %s: %d\n",
			       redirects[i].name, ret);
			goto err;
		}
	}
	ret = register_ftrace_function(&ops);
	if (ret) {
		/* EBUSY: a livepatch or another IPMODIFY user holds a target. */
		pr_err("cannot hook: %d\n", ret);
		goto err;
	}
	return 0;
err:
	ftrace_free_filter(&ops);
	table_len = 0;
	return ret;
}

/**
 * hg_redirect_remove() - remove the redirections, wait until no wrapper runs
 *
 * After unregistering, ftrace guarantees no callback runs, but a wrapper may
 * still sleep inside a target (reading a file, say). Wait for every wrapper
 * to leave, then for every task to pass a voluntary schedule, so that none is
 * left on the few instructions after hg_wrapper_leave().
 */
void hg_redirect_remove(void)
{
	unsigned int waited;
	int ret;

	if (!table_len)
		return;
	ret = unregister_ftrace_function(&ops);
	if (ret)
		pr_err("cannot unhook: %d\n", ret);
	ftrace_free_filter(&ops);
	/*
	 * No wrapper is entered any more, so every count only falls: a sum
	 * read CPU by CPU is at least the true one, and zero means zero.
	 * Unload is rare; polling keeps the exit path free of any wakeup.
	 */
	for (waited = 0; inflight_sum(); waited += 20) {
		if (waited && !(waited % 10000))
			pr_info("unload waits for %ld hooked calls to return\n",
				inflight_sum());
		msleep(20);
	}
	synchronize_rcu_tasks();
	table_len = 0;
}
