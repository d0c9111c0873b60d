// SPDX-License-Identifier: GPL-2.0
/*
 * Install, remove and count ftrace-redirected hooks. See hook.h for the
 * mechanism and Documentation/design.rst for why it is built this way.
 */
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>

#include "hook.h"
#include "stats.h"
#include "thunk.h"

/*
 * Wrappers entered and not yet left. Every open, exec and mmap passes
 * here, so the count is per CPU: no cache line shared between CPUs, no
 * lock. A wrapper may sleep and leave on another CPU, so one CPU's count
 * means nothing and may go below zero; only the sum does.
 */
static DEFINE_PER_CPU(unsigned long, inflight);

/* Read by thunk.S: kallsyms_lookup_name() is not exported since 5.7. */
unsigned long hg_orig_kallsyms_lookup_name __ro_after_init;

/**
 * hg_hook_resolve_init() - find kallsyms_lookup_name() through a kprobe
 *
 * A kprobe resolves a symbol name to an address without kallsyms being
 * exported. On IBT kernels the address is past the ENDBR; the thunk jumps
 * there with RET, which IBT does not police, so either form is fine.
 *
 * Return: 0 or the error of register_kprobe().
 */
int __init hg_hook_resolve_init(void)
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
 * hg_hook_lookup_name() - the address of a kernel symbol
 * @name: the symbol
 *
 * Return: its address, or 0 when there is none.
 */
unsigned long hg_hook_lookup_name(const char *name)
{
	if (!hg_orig_kallsyms_lookup_name)
		return 0;
	return hg_call_kallsyms_lookup_name(name);
}

static struct ftrace_ops ops;
static struct hg_ftrace_hook *table __ro_after_init;
static unsigned int table_len;	/* 0 again once removed */

/* The hook whose function @ip (its ftrace site) belongs to. */
static struct hg_ftrace_hook *hook_at(unsigned long ip)
{
	unsigned int i;

	/* The site is the entry, or just past the ENDBR on IBT kernels. */
	for (i = 0; i < table_len; i++) {
		if (table[i].addr && ip - table[i].addr < 16)
			return &table[i];
	}
	return NULL;
}

static void notrace hook_callback(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op,
				  struct ftrace_regs *fregs)
{
	struct pt_regs *regs = hg_ftrace_regs(fregs);
	struct hg_ftrace_hook *hook;

	/* The wrapper calling the original: let it run. */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	hook = hook_at(ip);
	if (unlikely(!regs || !hook) || !hook->want(regs))
		return;
	this_cpu_inc(inflight);
	regs->ip = (unsigned long)hook->wrapper;
}

/**
 * hg_hook_enter() - count work of ours that outlives the wrapper (a task
 * work); it must end with hg_hook_exit(), and unload waits for it
 */
void hg_hook_enter(void)
{
	this_cpu_inc(inflight);
}

/**
 * hg_hook_exit() - a wrapper is done; called last in every wrapper
 */
void hg_hook_exit(void)
{
	this_cpu_dec(inflight);
}

/*
 * The sum, modulo 2^BITS_PER_LONG, read CPU by CPU while others change it:
 * a snapshot only when no wrapper enters any more (see hg_hooks_remove()).
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
 * hg_hook_inflight() - about how many wrappers run right now, for stats
 *
 * Return: the count, never below 0 (per-CPU counts summed while they
 * change can be).
 */
unsigned int hg_hook_inflight(void)
{
	return max(inflight_sum(), 0L);
}

/**
 * hg_hook_site_live() - is the hook really patched into the kernel
 * @hook: an installed hook
 *
 * ftrace turns the 5-byte NOP at a function's entry (after the ENDBR on IBT
 * kernels) into a CALL. Seeing the CALL proves the hook is armed; seeing the
 * NOP means ftrace was killed or never patched it, and hashgate would fail
 * open.
 *
 * Return: true when the CALL is there.
 */
bool hg_hook_site_live(const struct hg_ftrace_hook *hook)
{
	u8 insn[8];

	if (copy_from_kernel_nofault(insn, (void *)hook->addr, sizeof(insn)))
		return false;
	if (insn[0] == 0xe8)
		return true;
	/* ENDBR64 (f3 0f 1e fa) or its sealed form, a 4-byte NOP. */
	return insn[4] == 0xe8 &&
	       ((insn[0] == 0xf3 && insn[1] == 0x0f && insn[2] == 0x1e) ||
		(insn[0] == 0x66 && insn[1] == 0x0f && insn[2] == 0x1f));
}

/**
 * hg_hooks_install() - install every hook, or none
 * @hooks: the table; it must stay valid until hg_hooks_remove()
 * @count: its length
 *
 * Return: 0, or the first error with nothing installed.
 */
int __init hg_hooks_install(struct hg_ftrace_hook *hooks, unsigned int count)
{
	unsigned int i;
	int ret;

	for (i = 0; i < count; i++) {
		hooks[i].addr = hg_hook_lookup_name(hooks[i].name);
		if (!hooks[i].addr && !hooks[i].optional) {
			pr_err("cannot find %s\n", hooks[i].name);
			return -ENOENT;
		}
		*hooks[i].orig = hooks[i].addr;
	}
	table = hooks;
	table_len = count;

	ops.func = hook_callback;
	/*
	 * RECURSION: ftrace guards the callback. PERMANENT: ftrace_enabled
	 * cannot be switched off under us.
	 */
	/* Full pt_regs only where the light trampoline cannot redirect. */
	ops.flags = HG_FTRACE_OPS_REGS | FTRACE_OPS_FL_IPMODIFY |
		    FTRACE_OPS_FL_RECURSION | FTRACE_OPS_FL_PERMANENT;
	for (i = 0; i < count; i++) {
		if (!hooks[i].addr)
			continue;
		ret = ftrace_set_filter_ip(&ops, hooks[i].addr, 0, 0);
		if (ret) {
			pr_err("cannot set ftrace filter on %s: %d\n",
			       hooks[i].name, ret);
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
 * hg_hooks_remove() - remove the hooks and wait until no wrapper runs
 *
 * After unregistering, ftrace guarantees no callback runs, but a wrapper may
 * still sleep inside a target (reading a file, say). Wait for every wrapper
 * to leave, then for every task to pass a voluntary schedule, so that none is
 * left on the few instructions after hg_hook_exit().
 */
void hg_hooks_remove(void)
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
