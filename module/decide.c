// SPDX-License-Identifier: GPL-2.0
/*
 * The decision on one executable mapping, and the mode it is applied in.
 *
 * Hooks only classify and call hg_decide(); the verdict (cache or hash, then
 * the allowlist), the event and the mode are applied here, in one place, so
 * audit and enforce differ by the last line only.
 */
#include <linux/capability.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "allowlist.h"
#include "cache.h"
#include "decide.h"
#include "event.h"
#include "measure.h"
#include "stats.h"

int hg_mode = HG_MODE_AUDIT;
bool hg_locked;
static DEFINE_MUTEX(mode_lock);

static const char *const mode_names[__HG_MODE_MAX] = {
	[HG_MODE_OFF] = "off",
	[HG_MODE_AUDIT] = "audit",
	[HG_MODE_ENFORCE] = "enforce",
};

static const char *const reason_names[__HG_REASON_MAX] = {
	[HG_REASON_NONE] = "none",
	[HG_REASON_NOT_IN_ALLOWLIST] = "not-in-allowlist",
	[HG_REASON_HASH_MISMATCH] = "hash-mismatch",
	[HG_REASON_OPEN_WRITERS] = "open-writers",
	[HG_REASON_UNREADABLE] = "unreadable",
	[HG_REASON_MEMFD] = "memfd",
	[HG_REASON_ANON_EXEC] = "anon-exec",
	[HG_REASON_NO_ALLOWLIST] = "no-allowlist",
	[HG_REASON_UNVERIFIED] = "unverified",
};

const char *hg_reason_name(enum hg_reason reason)
{
	return reason < __HG_REASON_MAX ? reason_names[reason] : "?";
}

const char *hg_mode_name(enum hg_mode mode)
{
	return mode < __HG_MODE_MAX ? mode_names[mode] : "?";
}

/**
 * hg_mode_parse() - "off", "audit" or "enforce", with or without a newline
 * @s: the text
 * @mode: set on success
 *
 * Return: 0 or -EINVAL.
 */
int hg_mode_parse(const char *s, enum hg_mode *mode)
{
	int i = sysfs_match_string(mode_names, s);

	if (i < 0)
		return -EINVAL;
	*mode = i;
	return 0;
}

/**
 * hg_mode_set() - switch mode
 * @mode: the new mode
 *
 * Enforce holds a reference on the module, so it cannot be unloaded while
 * enforcing. Lowering the mode needs CAP_SYS_ADMIN and an unlocked mode.
 *
 * Return: 0; -EPERM when lowering is not allowed; -ENODATA for enforce
 * without an allowlist, which would deny every program.
 */
int hg_mode_set(enum hg_mode mode)
{
	enum hg_mode old;
	int ret = 0;

	mutex_lock(&mode_lock);
	old = hg_mode;
	if (mode < old && (hg_locked || !capable(CAP_SYS_ADMIN))) {
		ret = -EPERM;
		goto out;
	}
	if (mode == HG_MODE_ENFORCE && !rcu_access_pointer(hg_active_list)) {
		ret = -ENODATA;
		goto out;
	}
	if (mode == old)
		goto out;
	if (mode == HG_MODE_ENFORCE)
		__module_get(THIS_MODULE);
	else if (old == HG_MODE_ENFORCE)
		module_put(THIS_MODULE);
	WRITE_ONCE(hg_mode, mode);
	pr_info("mode %s (was %s)\n", hg_mode_name(mode), hg_mode_name(old));
	hg_event_mode(mode, hg_locked);
out:
	mutex_unlock(&mode_lock);
	return ret;
}

/**
 * hg_mode_lock() - forbid lowering the mode until reboot
 *
 * The module pins itself: unloading would lower the mode too.
 *
 * Return: 0.
 */
int hg_mode_lock(void)
{
	mutex_lock(&mode_lock);
	if (!hg_locked) {
		hg_locked = true;
		__module_get(THIS_MODULE);
		pr_info("mode %s locked until reboot\n", hg_mode_name(hg_mode));
		hg_event_mode(hg_mode, true);
	}
	mutex_unlock(&mode_lock);
	return 0;
}

/*
 * In audit mode one exec passes several hooks (exec open, bprm_check, the
 * ELF loader's mmap) and each would deny: report a file once per process,
 * not once per hook. Enforce stops at the first hook, so every deny there
 * is a separate attempt and always reported.
 */
static struct {
	spinlock_t lock;	/* protects the table and next */
	struct {
		pid_t tgid;
		u64 list_gen;
		struct hg_cache_key key;
	} seen[32];
	unsigned int next;
} recent = { .lock = __SPIN_LOCK_UNLOCKED(recent.lock) };

static bool reported_before(const struct hg_cache_key *key, u64 gen)
{
	pid_t tgid = task_tgid_nr(current);
	bool seen = false;
	unsigned int i;

	spin_lock(&recent.lock);
	for (i = 0; i < ARRAY_SIZE(recent.seen); i++) {
		if (recent.seen[i].tgid == tgid &&
		    recent.seen[i].list_gen == gen &&
		    hg_cache_key_equal(&recent.seen[i].key, key)) {
			seen = true;
			break;
		}
	}
	if (!seen) {
		i = recent.next++ % ARRAY_SIZE(recent.seen);
		recent.seen[i].tgid = tgid;
		recent.seen[i].list_gen = gen;
		recent.seen[i].key = *key;
	}
	spin_unlock(&recent.lock);
	return seen;
}

/* The allowlist to decide against, by generation and serial. */
static u64 list_snapshot(u64 *serial)
{
	struct hg_allowlist *list;
	u64 gen = 0;

	*serial = 0;
	rcu_read_lock();
	list = rcu_dereference(hg_active_list);
	if (list) {
		gen = list->gen;
		*serial = list->view.serial;
	}
	rcu_read_unlock();
	return gen;
}

/* Is the file's path listed, with another digest? Only asked on a miss. */
static bool path_listed(struct file *file, u64 gen)
{
	struct hg_allowlist *list;
	bool listed = false;
	char *buf, *p;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return false;
	p = d_path(&file->f_path, buf, PATH_MAX);
	if (!IS_ERR(p)) {
		rcu_read_lock();
		list = rcu_dereference(hg_active_list);
		if (list && list->gen == gen)
			listed = hg_list_find_path(&list->view, p, strlen(p)) >= 0;
		rcu_read_unlock();
	}
	kfree(buf);
	return listed;
}

/* Look the digest up; returns the generation of the list it was judged by. */
static u64 judge(struct file *file, struct hg_verdict *v, u64 *serial)
{
	struct hg_allowlist *list;
	bool has_paths = false;
	u64 gen = 0;

	rcu_read_lock();
	list = rcu_dereference(hg_active_list);
	if (!list) {
		v->reason = HG_REASON_NO_ALLOWLIST;
	} else {
		gen = list->gen;
		*serial = list->view.serial;
		if (hg_list_has_digest(&list->view, v->digest)) {
			v->reason = HG_REASON_NONE;
		} else {
			v->reason = HG_REASON_NOT_IN_ALLOWLIST;
			has_paths = list->view.path_count;
		}
	}
	rcu_read_unlock();
	if (has_paths && path_listed(file, gen))
		v->reason = HG_REASON_HASH_MISMATCH;
	return gen;
}

/*
 * Hash the file and judge it. The verdict is cached only when the file
 * provably did not change while it was read: same change cookie before and
 * after, and nobody holding it open for write.
 */
static void verify(struct file *file, struct inode *inode,
		   struct hg_verdict *v, u64 *serial)
{
	struct hg_cache_key before, after;
	struct hg_cache_wait *claim;
	u64 gen;

	hg_cache_key_of(inode, &before);
	claim = hg_cache_claim(&before);
	if (!claim) {
		/* Someone else just hashed this file. */
		hg_stat_inc(HG_STAT_CACHE_WAITS);
		gen = list_snapshot(serial);
		if (hg_cache_lookup(&before, gen, v))
			return;
	}

	memset(v, 0, sizeof(*v));
	if (hg_measure_file(file, v->digest)) {
		v->reason = HG_REASON_UNREADABLE;
		hg_cache_release(claim);
		return;
	}
	v->has_digest = true;
	gen = judge(file, v, serial);

	hg_cache_key_of(inode, &after);
	if (!hg_cache_key_equal(&before, &after) ||
	    inode_is_open_for_write(inode))
		v->reason = HG_REASON_OPEN_WRITERS;
	else
		hg_cache_insert(&before, gen, v);
	hg_cache_release(claim);
}

/* The verdict on @file now: from the cache, or hashed when allowed to. */
static void verdict_of(struct file *file, bool may_sleep,
		       struct hg_cache_key *key, struct hg_verdict *v,
		       u64 *serial, u64 gen)
{
	struct inode *inode = d_real_inode(file_dentry(file));

	hg_cache_key_of(inode, key);
	if (!S_ISREG(inode->i_mode)) {
		memset(v, 0, sizeof(*v));
		v->reason = HG_REASON_UNREADABLE;
	} else if (inode_is_open_for_write(inode)) {
		/* Bytes checked now could differ from the bytes mapped. */
		memset(v, 0, sizeof(*v));
		v->reason = HG_REASON_OPEN_WRITERS;
	} else if (hg_cache_lookup(key, gen, v)) {
		hg_stat_inc(HG_STAT_CACHE_HITS);
	} else if (!may_sleep) {
		hg_stat_inc(HG_STAT_CACHE_MISSES);
		hg_stat_inc(HG_STAT_HOOK_MISSES);
		memset(v, 0, sizeof(*v));
		v->reason = HG_REASON_UNVERIFIED;
	} else {
		hg_stat_inc(HG_STAT_CACHE_MISSES);
		verify(file, inode, v, serial);
	}
}

/**
 * hg_decide() - the verdict on mapping @file executable, applied
 * @file: the file
 * @hook: the hook that saw it
 * @may_sleep: false under mmap_lock: decide from the cache alone
 *
 * Return: 0 to allow, -EACCES to deny (enforce mode only).
 */
int hg_decide(struct file *file, enum hg_hook hook, bool may_sleep)
{
	enum hg_mode mode = READ_ONCE(hg_mode);
	enum hg_decision decision;
	struct hg_cache_key key;
	struct hg_verdict v;
	u64 serial, gen;

	if (mode == HG_MODE_OFF)
		return 0;
	gen = list_snapshot(&serial);
	/*
	 * Nothing to check against yet. Enforce cannot be entered without a
	 * list, so this is audit mode: a would-deny for every program run
	 * before the first list would only bury the events that matter.
	 */
	if (!gen)
		return 0;
	hg_stat_inc(HG_STAT_DECISIONS);
	verdict_of(file, may_sleep, &key, &v, &serial, gen);

	if (v.reason == HG_REASON_NONE) {
		hg_stat_inc(HG_STAT_ALLOWS);
		return 0;
	}
	decision = mode == HG_MODE_ENFORCE ? HG_DECISION_DENY :
					     HG_DECISION_WOULD_DENY;
	hg_stat_inc(decision == HG_DECISION_DENY ? HG_STAT_DENIES :
						   HG_STAT_WOULD_DENIES);
	if (decision == HG_DECISION_WOULD_DENY && reported_before(&key, gen)) {
		hg_stat_inc(HG_STAT_EVENTS_REPEATED);
		return 0;
	}
	hg_event_exec(file, hook, mode, decision, &v, serial,
		      may_sleep ? GFP_KERNEL : GFP_NOWAIT);
	return decision == HG_DECISION_DENY ? -EACCES : 0;
}

/**
 * hg_check_file() - what hashgate would decide for @file, for admins
 * @file: an open regular file
 * @v: the verdict
 * @serial: the serial of the list it was judged by, 0 for none
 *
 * Hashes when needed and fills the cache like a hook would, but applies no
 * mode and logs no event.
 */
void hg_check_file(struct file *file, struct hg_verdict *v, u64 *serial)
{
	struct hg_cache_key key;
	u64 gen = list_snapshot(serial);

	verdict_of(file, true, &key, v, serial, gen);
	if (!gen && !v->reason)
		v->reason = HG_REASON_NO_ALLOWLIST;
}
