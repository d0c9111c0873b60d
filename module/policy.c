// SPDX-License-Identifier: GPL-2.0
/*
 * The policy knobs: the mode, the lock, the anonymous-exec policy, and the
 * names userspace sees for them. Raising any knob needs CAP_MAC_ADMIN (the
 * securityfs write handler checks it); lowering one also needs
 * CAP_SYS_ADMIN and is impossible once locked.
 */
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "allowlist.h"
#include "content.h"
#include "event.h"
#include "measurements.h"
#include "policy.h"

int hg_mode = HG_MODE_AUDIT;
int hg_anon_policy = HG_ANON_AUDIT;
bool hg_require_scripts;
bool hg_locked;
/*
 * The one lock of every policy setting and of the active list's swap
 * (allowlist.c): invariants between them, such as "enforce only with a
 * non-empty list", are checked and kept under it.
 */
DEFINE_MUTEX(hg_policy_lock);

/* The names are uapi/hashgate.h's, shared with the tool. */
static const char *const anon_names[] = { HG_ANON_NAMES };
static const char *const mode_names[] = { HG_MODE_NAMES };
static const char *const reason_names[] = { HG_REASON_NAMES };
static_assert(ARRAY_SIZE(anon_names) == __HG_ANON_MAX);
static_assert(ARRAY_SIZE(mode_names) == __HG_MODE_MAX);
static_assert(ARRAY_SIZE(reason_names) == __HG_REASON_MAX);

const char *hg_reason_name(enum hg_reason reason)
{
	return reason < __HG_REASON_MAX && reason_names[reason] ?
	       reason_names[reason] : "?";
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
 * @may_lower: the caller holds CAP_SYS_ADMIN (see fs.c: the opener of the
 *	file and the writer both)
 *
 * Enforce holds a reference on the module, so it cannot be unloaded while
 * enforcing. Lowering the mode needs CAP_SYS_ADMIN and an unlocked mode.
 *
 * Return: 0; -EPERM when lowering is not allowed; -ENODATA for enforce
 * without an allowlist or with an empty one, which would deny every
 * program, the tools to recover included.
 */
int hg_mode_set(enum hg_mode mode, bool may_lower)
{
	enum hg_mode old;
	int ret = 0;

	mutex_lock(&hg_policy_lock);
	old = hg_mode;
	if (mode < old && (hg_locked || !may_lower)) {
		ret = -EPERM;
		goto out;
	}
	if (mode == HG_MODE_ENFORCE && !hg_allowlist_digests_locked()) {
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
	hg_ml_record(true, NULL, "hashgate:mode %s%s", hg_mode_name(mode),
		     hg_locked ? " locked" : "");
out:
	mutex_unlock(&hg_policy_lock);
	return ret;
}

/**
 * hg_mode_lock() - forbid lowering the mode or the anon policy until reboot
 *
 * The module pins itself: unloading would lower the mode too.
 *
 * Return: 0.
 */
int hg_mode_lock(void)
{
	mutex_lock(&hg_policy_lock);
	if (!hg_locked) {
		hg_locked = true;
		__module_get(THIS_MODULE);
		pr_info("mode %s locked until reboot\n", hg_mode_name(hg_mode));
		hg_event_mode(hg_mode, true);
		hg_ml_record(true, NULL, "hashgate:mode %s locked",
			     hg_mode_name(hg_mode));
	}
	mutex_unlock(&hg_policy_lock);
	return 0;
}

const char *hg_anon_name(enum hg_anon_policy policy)
{
	return policy < __HG_ANON_MAX ? anon_names[policy] : "?";
}

/**
 * hg_anon_parse() - "allow", "audit" or "deny", with or without a newline
 * @s: the text
 * @policy: set on success
 *
 * Return: 0 or -EINVAL.
 */
int hg_anon_parse(const char *s, enum hg_anon_policy *policy)
{
	int i = sysfs_match_string(anon_names, s);

	if (i < 0)
		return -EINVAL;
	*policy = i;
	return 0;
}

/**
 * hg_anon_set() - set the policy for anonymous executable memory
 * @policy: the new policy
 * @may_lower: the caller holds CAP_SYS_ADMIN
 *
 * Return: 0, or -EPERM when lowering is not allowed.
 */
int hg_anon_set(enum hg_anon_policy policy, bool may_lower)
{
	int ret = 0;

	mutex_lock(&hg_policy_lock);
	if (policy < hg_anon_policy && (hg_locked || !may_lower)) {
		ret = -EPERM;
	} else if (policy != hg_anon_policy) {
		pr_info("anon_exec %s (was %s)\n", hg_anon_name(policy),
			hg_anon_name(hg_anon_policy));
		hg_event_setting("anon_exec", hg_anon_name(policy),
				 hg_anon_name(hg_anon_policy));
		WRITE_ONCE(hg_anon_policy, policy);
	}
	mutex_unlock(&hg_policy_lock);
	return ret;
}

/**
 * hg_mode_store() - parse and set the mode, for the securityfs file
 * @s: "off", "audit" or "enforce"
 * @may_lower: the caller holds CAP_SYS_ADMIN
 *
 * Return: 0, -EINVAL, or what hg_mode_set() says.
 */
int hg_mode_store(const char *s, bool may_lower)
{
	enum hg_mode mode;

	return hg_mode_parse(s, &mode) ?: hg_mode_set(mode, may_lower);
}

/**
 * hg_anon_store() - parse and set the anon_exec policy
 * @s: "allow", "audit" or "deny"
 * @may_lower: the caller holds CAP_SYS_ADMIN
 *
 * Return: 0, -EINVAL, or what hg_anon_set() says.
 */
int hg_anon_store(const char *s, bool may_lower)
{
	enum hg_anon_policy policy;

	return hg_anon_parse(s, &policy) ?: hg_anon_set(policy, may_lower);
}

/* Network filesystem types trusted by the admin (content.c has the names). */
unsigned int hg_trusted_fs;

static void report_trusted_fs(unsigned int mask, unsigned int was)
{
	char now[128] = "none", before[128] = "none";

	if (mask)
		hg_remote_fs_names(mask, now, sizeof(now));
	if (was)
		hg_remote_fs_names(was, before, sizeof(before));
	pr_info("trusted_fs %s (was %s)\n", now, before);
	hg_event_setting("trusted_fs", now, before);
}

/**
 * hg_trusted_fs_parse() - network filesystem type names to trusted_fs bits
 * @s: type names separated by spaces or newlines; empty trusts none
 * @mask: set on success
 *
 * Return: 0, or -EINVAL for a name that cannot be trusted.
 */
int hg_trusted_fs_parse(const char *s, unsigned int *mask)
{
	unsigned int bit;
	size_t len;

	*mask = 0;
	for (;;) {
		s = skip_spaces(s);
		len = strcspn(s, " \t\n");
		if (!len)
			return 0;
		bit = hg_remote_fs_bit(s, len);
		if (!bit)
			return -EINVAL;
		*mask |= bit;
		s += len;
	}
}

/**
 * hg_trusted_fs_store() - set the trusted network filesystem types
 * @s: type names separated by spaces or newlines; empty trusts none
 * @may_lower: the caller holds CAP_SYS_ADMIN
 *
 * Trusting a type that was not trusted lowers the protection: it needs
 * CAP_SYS_ADMIN and an unlocked mode, as lowering the mode does.
 *
 * Return: 0; -EINVAL for a name that cannot be trusted; -EPERM.
 */
int hg_trusted_fs_store(const char *s, bool may_lower)
{
	unsigned int mask;
	int ret = hg_trusted_fs_parse(s, &mask);

	if (ret)
		return ret;
	mutex_lock(&hg_policy_lock);
	if ((mask & ~hg_trusted_fs) && (hg_locked || !may_lower)) {
		ret = -EPERM;
	} else if (mask != hg_trusted_fs) {
		report_trusted_fs(mask, hg_trusted_fs);
		WRITE_ONCE(hg_trusted_fs, mask);
	}
	mutex_unlock(&hg_policy_lock);
	return ret;
}

void hg_trusted_fs_show(struct seq_file *m)
{
	hg_remote_fs_show(m, READ_ONCE(hg_trusted_fs));
}
