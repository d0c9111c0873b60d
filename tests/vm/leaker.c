// SPDX-License-Identifier: GPL-2.0
/*
 * A module that leaks on purpose, for tests/vm/selftest.sh on the debug
 * kernel. Built as "hashgate" it leaks from its init function, the way a
 * forgotten kfree() in hg_init would: init's kmemleak check must fail the
 * run (the frame is a bare address once the module's init text is freed).
 * Built under another name and loaded with from_work=1 it leaks from a work
 * item, so that every frame resolves and names that module: the leak must be
 * reported and must not fail the run. Never part of the product.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

static bool from_work;
module_param(from_work, bool, 0444);

/*
 * Several objects: one that a stale stack slot still points at is not
 * reported. A macro, so that the init path's frame is init's own.
 */
#define LEAK() do {						\
	int i;							\
	for (i = 0; i < 8; i++) {				\
		char *p = kmalloc(96, GFP_KERNEL);		\
		if (p)						\
			strscpy(p, "leaked on purpose", 96);	\
	}							\
} while (0)

static void leak_work(struct work_struct *work)
{
	LEAK();
}

static DECLARE_WORK(leaker_work, leak_work);

static int __init leaker_init(void)
{
	if (from_work) {
		schedule_work(&leaker_work);
		flush_work(&leaker_work);
	} else {
		LEAK();
	}
	return 0;
}

static void __exit leaker_exit(void)
{
}

module_init(leaker_init);
module_exit(leaker_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test fixture: leaks 8 objects when loaded");
