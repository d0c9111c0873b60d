// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: personality(2) the way the syscall entry runs it.
 *
 * do_el0_svc() calls the function in slot scno of sys_call_table, and
 * do_el0_svc_compat() (AArch32 tasks) that of compat_sys_call_table. The
 * tables are data, which kallsyms lists only with KALLSYMS_ALL (Debian's
 * 6.1 arm64 kernel has not): each is found where its dispatcher finds it,
 * by the ADRP and ADD that form its address in the dispatcher's code, and
 * taken only when its read, write and exit slots hold those syscalls'
 * wrappers (and, where kallsyms names the table, only at that address).
 */
#include <linux/bits.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/unistd.h>

#include "redirect.h"

/*
 * AArch32's syscall numbers (arch/arm/tools/syscall.tbl): 6.12's headers
 * no longer name them.
 */
#define A32_NR_EXIT		1
#define A32_NR_READ		3
#define A32_NR_WRITE		4
#define A32_NR_PERSONALITY	136

/* Instructions the dispatcher is searched for its table in. */
#define SCAN_INSNS 64

struct slot {
	unsigned int nr;
	const char *fn;
};

struct table {
	const char *name;
	const char *dispatcher;
	unsigned int personality;
	struct slot known[3];
};

static const struct table native = {
	"sys_call_table", "do_el0_svc", __NR_personality, {
		{ __NR_read, "__arm64_sys_read" },
		{ __NR_write, "__arm64_sys_write" },
		{ __NR_exit, "__arm64_sys_exit" },
	},
};

static const struct table compat32 = {
	"compat_sys_call_table", "do_el0_svc_compat", A32_NR_PERSONALITY, {
		{ A32_NR_READ, "__arm64_sys_read" },
		{ A32_NR_WRITE, "__arm64_sys_write" },
		{ A32_NR_EXIT, "__arm64_sys_exit" },
	},
};

static unsigned long __init slot_fn(unsigned long table, unsigned int nr)
{
	unsigned long fn;

	if (copy_from_kernel_nofault(&fn, (void *)(table + nr * sizeof(fn)),
				     sizeof(fn)))
		return 0;
	return fn;
}

static bool __init is_table(unsigned long addr, const struct table *t)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t->known); i++) {
		unsigned long fn = hg_redirect_lookup_name(t->known[i].fn);

		if (!fn || slot_fn(addr, t->known[i].nr) != fn)
			return false;
	}
	return true;
}

/* The table @t's dispatcher forms the address of with ADRP and ADD. */
static unsigned long __init find_table(const struct table *t)
{
	unsigned long pc = hg_redirect_lookup_name(t->dispatcher);
	unsigned long page[32] = {}, addr;
	__le32 code[SCAN_INSNS];
	unsigned int i, rn;
	u32 insn;

	if (!pc || copy_from_kernel_nofault(code, (void *)pc, sizeof(code)))
		return 0;
	for (i = 0; i < SCAN_INSNS; i++, pc += 4) {
		insn = le32_to_cpu(code[i]);
		if ((insn & 0x9f000000) == 0x90000000) {
			/* ADRP Xd, page: immhi (23:5), immlo (30:29) */
			s64 off = ((insn >> 29) & 3) | ((insn >> 5) & 0x7ffff) << 2;

			page[insn & 31] = (pc & ~0xfffUL) +
					  (sign_extend64(off, 20) << 12);
		} else if ((insn & 0xff800000) == 0x91000000) {
			/* ADD Xd, Xn, #imm12 (LSL #12 when bit 22) */
			rn = (insn >> 5) & 31;
			if (!page[rn])
				continue;
			addr = page[rn] + (((insn >> 10) & 0xfff) <<
					   (insn & BIT(22) ? 12 : 0));
			if (is_table(addr, t))
				return addr;
		}
	}
	return 0;
}

/**
 * hg_arch_personality_dispatch() - personality(2) as a syscall runs it
 * @regs: the caller's registers
 * @compat: through the AArch32 table instead of the native one
 * @via: the function in the table's slot, for the log
 * @ret: the syscall's return value
 *
 * Calls the function in the table's personality slot, from a kernel
 * worker: the redirection lets calls made from this module through (they
 * are its wrappers calling the originals), so the call must come from the
 * kernel, as a syscall's does.
 *
 * Return: 0 when it ran; -EOPNOTSUPP when the kernel has no such table
 * (no COMPAT); -ENOENT, logged, when the table is not found.
 */
int __init hg_arch_personality_dispatch(const struct pt_regs *regs,
					bool compat, unsigned long *via,
					long *ret)
{
	const struct table *t = compat ? &compat32 : &native;
	unsigned long table, named, fn;

	if (compat && !IS_ENABLED(CONFIG_COMPAT))
		return -EOPNOTSUPP;
	table = find_table(t);
	named = hg_redirect_lookup_name(t->name);
	if (named && table != named) {
		pr_err("self-test: %s uses the table at %pS, not %s\n",
		       t->dispatcher, (void *)table, t->name);
		return -ENOENT;
	}
	fn = table ? slot_fn(table, t->personality) : 0;
	if (!fn) {
		pr_err("self-test: cannot find the syscall table of %s\n",
		       t->dispatcher);
		return -ENOENT;
	}
	*via = fn;
	*ret = work_on_cpu_safe(raw_smp_processor_id(),
				(long (*)(void *))fn, (void *)regs);
	return 0;
}
