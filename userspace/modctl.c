// SPDX-License-Identifier: GPL-2.0
/*
 * Module loading and removal through libkmod; the only file that uses it.
 * By name we go through modprobe's logic (modules.dep, softdeps, options
 * from /etc/modprobe.d); an explicit file is inserted as insmod would.
 */
#include <errno.h>
#include <libkmod.h>
#include <stdlib.h>
#include <syslog.h>

#include "modctl.h"

/* libkmod logs errors to stderr itself; we report our own unless KMOD_LOG. */
static struct kmod_ctx *ctx_new(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx && !getenv("KMOD_LOG"))
		kmod_set_log_priority(ctx, LOG_CRIT);
	return ctx;
}

static int state_of(struct kmod_module *mod)
{
	int state = kmod_module_get_initstate(mod);

	if (state == KMOD_MODULE_BUILTIN)
		return HG_MODCTL_BUILTIN;
	return state >= 0 ? HG_MODCTL_LOADED : HG_MODCTL_NOT_LOADED;
}

/*
 * Insert hashgate, from @path or (NULL) by name for the running kernel, with
 * @options ("key=value ..."). Return 0, an HG_MODCTL_* code or -errno.
 */
int hg_modctl_insert(const char *path, const char *options)
{
	struct kmod_ctx *ctx = ctx_new();
	struct kmod_module *mod = NULL;
	int ret;

	if (!ctx)
		return -ENOMEM;
	if (path)
		ret = kmod_module_new_from_path(ctx, path, &mod);
	else
		ret = kmod_module_new_from_name(ctx, HG_MODULE_NAME, &mod);
	if (ret < 0) {
		ret = ret == -ENOENT ? HG_MODCTL_NOT_FOUND : ret;
		goto out;
	}
	ret = state_of(mod);
	if (ret != HG_MODCTL_NOT_LOADED)
		goto out;
	if (path) {
		ret = kmod_module_insert_module(mod, 0, options);
	} else {
		/* Without a modules.dep entry probe would fail with a vague ENOENT. */
		if (!kmod_module_get_path(mod)) {
			ret = HG_MODCTL_NOT_FOUND;
			goto out;
		}
		ret = kmod_module_probe_insert_module(mod, KMOD_PROBE_FAIL_ON_LOADED,
						      options, NULL, NULL, NULL);
	}
	if (ret == -EEXIST)
		ret = HG_MODCTL_LOADED;
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

/* Remove hashgate. Return 0, an HG_MODCTL_* code or -errno (EBUSY: in use). */
int hg_modctl_remove(void)
{
	struct kmod_ctx *ctx = ctx_new();
	struct kmod_module *mod = NULL;
	int ret;

	if (!ctx)
		return -ENOMEM;
	ret = kmod_module_new_from_name(ctx, HG_MODULE_NAME, &mod);
	if (ret < 0)
		goto out;
	ret = state_of(mod);
	if (ret != HG_MODCTL_LOADED)
		goto out;
	ret = kmod_module_remove_module(mod, KMOD_REMOVE_NOWAIT);
	if (ret == -EAGAIN)
		ret = -EBUSY;
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}
