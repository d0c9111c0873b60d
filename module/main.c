// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate: nothing executes unless the SHA-256 of its file is allowlisted.
 *
 * Units come up in dependency order and the hooks last, after everything
 * they call exists; they go down in reverse, hooks first.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "allowlist.h"
#include "cache.h"
#include "content.h"
#include "decide.h"
#include "policy.h"
#include "event.h"
#include "fs.h"
#include "heartbeat.h"
#include "redirect.h"
#include "hooks.h"
#include "keys.h"
#include "measurements.h"
#include "measure.h"
#include "pages.h"
#include "scan.h"
#include "write_deny.h"
#include "version.h"

static int mode_param_set(const char *val, const struct kernel_param *kp)
{
	enum hg_mode mode;

	if (hg_mode_parse(val, &mode))
		return -EINVAL;
	/* Enforcing with no allowlist would deny every program. */
	if (mode == HG_MODE_ENFORCE) {
		pr_err("mode=enforce needs an allowlist: load in audit mode, load the list, then enforce\n");
		return -EINVAL;
	}
	*(int *)kp->arg = mode;
	return 0;
}

static int mode_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", hg_mode_name(*(int *)kp->arg));
}

static const struct kernel_param_ops mode_param_ops = {
	.set = mode_param_set,
	.get = mode_param_get,
};

/* Read-only after load: the securityfs mode file is the way to change it. */
module_param_cb(mode, &mode_param_ops, &hg_mode, 0444);
MODULE_PARM_DESC(mode, "initial mode: off or audit (default audit)");

static int anon_param_set(const char *val, const struct kernel_param *kp)
{
	enum hg_anon_policy policy;

	if (hg_anon_parse(val, &policy))
		return -EINVAL;
	*(int *)kp->arg = policy;
	return 0;
}

static int anon_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", hg_anon_name(*(int *)kp->arg));
}

static const struct kernel_param_ops anon_param_ops = {
	.set = anon_param_set,
	.get = anon_param_get,
};

module_param_cb(anon_exec, &anon_param_ops, &hg_anon_policy, 0444);
MODULE_PARM_DESC(anon_exec, "initial policy for anonymous executable memory: allow, audit or deny (default audit)");

/*
 * Scripts run directly are checked through their interpreter; with this
 * set, the script file itself must be listed too.
 */
module_param_named(require_scripts, hg_require_scripts, bool, 0444);
MODULE_PARM_DESC(require_scripts, "scripts executed directly must be listed themselves (default N)");

module_param_named(require_signature, hg_require_signature, bool, 0444);
MODULE_PARM_DESC(require_signature, "refuse unsigned allowlists (implied when the module embeds a certificate)");

module_param_named(min_serial, hg_min_serial, ullong, 0444);
MODULE_PARM_DESC(min_serial, "refuse allowlists with a lower serial: the floor kept across reboots by the tool");

static unsigned int event_ring = 4096;
module_param(event_ring, uint, 0444);
MODULE_PARM_DESC(event_ring, "events queued for the reader before they are dropped (16..1048576)");

static unsigned int cache_size = 16384;
module_param(cache_size, uint, 0444);
MODULE_PARM_DESC(cache_size, "verdicts cached (at least 16)");

static char *trusted_fs;
module_param(trusted_fs, charp, 0444);
MODULE_PARM_DESC(trusted_fs, "network filesystem types whose files may run, e.g. \"nfs4 9p\" (default none; see the trusted_fs file)");

static char *hash_driver;
module_param(hash_driver, charp, 0444);
MODULE_PARM_DESC(hash_driver, "SHA-256 driver to hash with, e.g. sha256-avx2 (default: the fastest measured at load)");

static unsigned int heartbeat = 300;
module_param(heartbeat, uint, 0444);
MODULE_PARM_DESC(heartbeat, "seconds between heartbeat events (0: none; default 300, at most 86400)");

static unsigned int page_digests = 32768;
module_param(page_digests, uint, 0444);
MODULE_PARM_DESC(page_digests, "KiB of page digests of verified files, for the scan of resident code (default 32768: 8 GiB of distinct code)");

static int action_param_set(const char *val, const struct kernel_param *kp)
{
	int action = hg_runtime_action_parse(val);

	if (action < 0)
		return action;
	*(int *)kp->arg = action;
	return 0;
}

static int action_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", hg_runtime_action_name(hg_runtime_action));
}

static const struct kernel_param_ops action_param_ops = {
	.set = action_param_set,
	.get = action_param_get,
};

module_param_cb(runtime_action, &action_param_ops, &hg_runtime_action, 0444);
MODULE_PARM_DESC(runtime_action, "what a finding of the scan does besides its event: report or kill (default report)");

module_param_named(scan_interval, hg_scan_interval, uint, 0444);
MODULE_PARM_DESC(scan_interval, "seconds between scans of resident code (0: none, the default; at most 86400)");

module_param_named(scan_patience, hg_scan_patience, uint, 0444);
MODULE_PARM_DESC(scan_patience, "seconds a scan may step aside for other work before it runs at normal priority, at least scan_interval (1..86400, default 60)");

static unsigned int measure_max = HG_MEASURE_MAX_DEFAULT;
module_param(measure_max, uint, 0444);
MODULE_PARM_DESC(measure_max, "entries in the measurement list, its overflow entry included (0: no list; default 65536)");

static unsigned int measure_pcr = HG_MEASURE_PCR_DEFAULT;
module_param(measure_pcr, uint, 0444);
MODULE_PARM_DESC(measure_pcr, "the TPM PCR the measurement list extends (0..23, default 23)");

/* The first record of this load: what it runs with. */
static void __init report_load(void)
{
	unsigned int mask = READ_ONCE(hg_trusted_fs);
	char fs[128] = "none", text[512];
	size_t len;

	if (mask)
		hg_remote_fs_names(mask, fs, sizeof(fs));
	len = scnprintf(text, sizeof(text), "version=%s hash_driver=%s",
			HASHGATE_VERSION, hg_measure_driver());
	len += scnprintf(text + len, sizeof(text) - len,
			 " anon_exec=%s require_scripts=%d require_signature=%d",
			 hg_anon_name(hg_anon_policy), hg_require_scripts,
			 hg_require_signature);
	scnprintf(text + len, sizeof(text) - len,
		  " trusted_fs=%s min_serial=%llu event_ring=%u heartbeat=%u",
		  fs, hg_min_serial, event_ring, heartbeat);
	len = strlen(text);
	len += scnprintf(text + len, sizeof(text) - len,
			 " runtime_action=%s scan_interval=%u page_digests=%u",
			 hg_runtime_action_name(hg_runtime_action),
			 hg_scan_interval, page_digests);
	scnprintf(text + len, sizeof(text) - len,
		  " measure_max=%u measure_pcr=%u", measure_max, measure_pcr);
	hg_event_load(text);
}

static int __init hashgate_init(void)
{
	int ret;

	/* Symbols the units below call (d_absolute_path) are found first. */
	ret = hg_redirect_resolve_init();
	if (ret)
		return ret;
	if (heartbeat > 86400) {
		pr_err("heartbeat=%u: at most 86400 seconds\n", heartbeat);
		return -EINVAL;
	}
	if (hg_scan_interval > HG_SCAN_INTERVAL_MAX) {
		pr_err("scan_interval=%u: at most %u seconds\n",
		       hg_scan_interval, HG_SCAN_INTERVAL_MAX);
		return -EINVAL;
	}
	if (!hg_scan_patience || hg_scan_patience > HG_SCAN_INTERVAL_MAX) {
		pr_err("scan_patience=%u: 1 to %u seconds\n",
		       hg_scan_patience, HG_SCAN_INTERVAL_MAX);
		return -EINVAL;
	}
	hg_pages_init(page_digests);
	/* Set, not stored: there is no event stream yet to tell. */
	if (trusted_fs && hg_trusted_fs_parse(trusted_fs, &hg_trusted_fs)) {
		pr_err("trusted_fs=%s: not a list of network filesystem types\n",
		       trusted_fs);
		return -EINVAL;
	}
	ret = hg_measure_init(hash_driver);
	if (ret)
		return ret;
	ret = hg_write_deny_init();
	if (ret)
		goto err_write_deny;
	ret = hg_cache_init(cache_size);
	if (ret)
		goto err_cache;
	ret = hg_ml_init(measure_max, measure_pcr);
	if (ret)
		goto err_ml;
	ret = hg_event_init(event_ring);
	if (ret)
		goto err_event;
#ifdef DEBUG
	/* Before the first record and the first hook: both start empty. */
	if (!hg_cache_selftest() || !hg_event_selftest()) {
		pr_err("selftests failed: not loading\n");
		ret = -ENOTRECOVERABLE;
		goto err_keys;
	}
#endif
	report_load();
	ret = hg_keys_init();
	if (ret)
		goto err_keys;
	/* A module that carries its trust anchor accepts only signed lists. */
	if (hg_keys_embedded())
		hg_require_signature = true;
	/* Before the files: a write to scan must find the thread. */
	ret = hg_scan_init();
	if (ret)
		goto err_scan;
	ret = hg_fs_init();
	if (ret)
		goto err_fs;
	ret = hg_hooks_init();
	if (ret)
		goto err_hooks;

	hg_heartbeat_init(heartbeat);
	pr_info("hashgate " HASHGATE_VERSION " loaded: mode %s, sha256 driver %s\n",
		hg_mode_name(hg_mode), hg_measure_driver());
	return 0;

err_hooks:
	hg_fs_exit();
err_fs:
	hg_scan_exit();
	/* A list may have been written while the files existed. */
	hg_allowlist_exit();
err_scan:
	hg_keys_exit();
err_keys:
	hg_event_exit();
err_event:
	hg_ml_exit();
err_ml:
	hg_pages_exit();
	hg_cache_exit();
err_cache:
	hg_write_deny_exit();
err_write_deny:
	hg_measure_exit();
	return ret;
}

static void __exit hashgate_exit(void)
{
	hg_heartbeat_exit();
	/* No one opens a file of a module that is going; then no scan. */
	hg_fs_exit();
	hg_scan_exit();
	hg_hooks_exit();
	hg_ml_exit();
	hg_pages_exit();
	hg_allowlist_exit();
	hg_keys_exit();
	hg_event_exit();
	hg_cache_exit();
	hg_write_deny_exit();
	hg_measure_exit();
	pr_info("hashgate unloaded\n");
}

module_init(hashgate_init);
module_exit(hashgate_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The hashgate authors");
MODULE_DESCRIPTION("Allow only executable code whose SHA-256 is allowlisted");
MODULE_VERSION(HASHGATE_VERSION);
/* The SIMD drivers, so that the load-time measurement finds them. */
MODULE_SOFTDEP("pre: sha256_ssse3");
