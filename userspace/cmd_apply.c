// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate apply: bring the running module to the state hashgate.conf(5)
 * describes, one step per setting, in the order that makes each possible:
 * module, keys, keys_lock, allowlist, anon_exec, trusted_fs, runtime_action,
 * scan_interval, mode, lock.
 *
 * Each step reads what the module has and writes only what differs, so a
 * second run writes nothing. A step that changes something prints one line;
 * one that fails says so on stderr, naming the step, the file and the
 * reason, and the later steps still run: the locks too, since they only
 * ever forbid lowering. Only a failed module load stops everything, as
 * there is nothing to apply to. When the allowlist step fails, the
 * config's on_list_failure decides the mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "config.h"
#include "list_format.h"
#include "listblob.h"
#include "state.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate apply [--config FILE] [--dry-run]\n"
	"  Load the module if needed and set what the config file says: keys,\n"
	"  keys_lock, the allowlist, anon_exec, trusted_fs, runtime_action,\n"
	"  scan_interval, the mode and the lock.\n"
	"  Only what differs is written; see hashgate.conf(5).\n"
	"  -c, --config FILE  read FILE (default: $HASHGATE_CONFIG, else\n"
	"                     " HG_CONFIG_DEFAULT ")\n"
	"  -n, --dry-run      say what would change, change nothing\n";

struct apply {
	const struct hg_config *cfg;
	bool dry_run;
	bool fresh;		/* dry run, module absent: a new module's state */
	const char *step;
	char cmd[64];		/* hg_cmd during a step: "apply: <step>" */
	int ret;		/* the first failure's exit code */
	const char *failed_step;	/* the step of the first failure */
	unsigned int changes, failures;
	int locked;		/* the 'lock' file: 0, 1, -1 not read yet */
	bool list_failed;
	char active[512];	/* the 'allowlist' file before the list step */
};

/* Messages of shared code (module load, keys) then name the step too. */
static void step(struct apply *a, const char *name)
{
	a->step = name;
	snprintf(a->cmd, sizeof(a->cmd), "apply: %s", name);
	hg_cmd = a->cmd;
}

static void failed(struct apply *a, int code)
{
	if (!a->ret) {
		a->ret = code ? code : HG_EXIT_FAIL;
		a->failed_step = a->step;
	}
	a->failures++;
}

/* One line on stdout per change: "<step>: <done>..." or "<step>: would <do>...". */
static void changed(struct apply *a, const char *done, const char *todo,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void changed(struct apply *a, const char *done, const char *todo,
		    const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s%s ", a->step, a->dry_run ? "would " : "",
	       a->dry_run ? todo : done);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	a->changes++;
}

/* What a module just loaded with the config's parameters would show. */
static void fresh_value(const struct apply *a, const char *file, char *buf, size_t size)
{
	const struct hg_config *cfg = a->cfg;

	if (!strcmp(file, "mode"))
		snprintf(buf, size, "audit");
	else if (!strcmp(file, "anon_exec"))
		snprintf(buf, size, "%s", cfg->anon_exec >= 0 ?
			 hg_cfg_anon_names[cfg->anon_exec] : "audit");
	else if (!strcmp(file, "trusted_fs"))
		hg_fs_names(cfg->trusted_fs > 0 ? (unsigned int)cfg->trusted_fs : 0,
			    buf, size);
	else if (!strcmp(file, "allowlist"))
		snprintf(buf, size, "0 0");
	else if (!strcmp(file, "runtime_action"))
		snprintf(buf, size, "%s", cfg->runtime_action >= 0 ?
			 hg_cfg_runtime_names[cfg->runtime_action] : "report");
	else if (!strcmp(file, "scan_interval"))
		snprintf(buf, size, "%d", cfg->scan_interval > 0 ? cfg->scan_interval : 0);
	else
		snprintf(buf, size, "%s", strcmp(file, "keys") ? "0" : "");
}

/* Read securityfs @file (or, in a dry run before a load, what it would say). */
static int get(struct apply *a, const char *file, char *buf, size_t size)
{
	int ret;

	if (a->fresh) {
		fresh_value(a, file, buf, size);
		return 0;
	}
	ret = hg_sfs_read(file, buf, size);
	if (ret >= 0)
		return 0;
	failed(a, hg_sfs_error("cannot read", file, -ret));
	return -1;
}

/* One write(2) to securityfs @file; nothing in a dry run. */
static int put(struct apply *a, const char *file, const char *value)
{
	int ret;

	if (a->dry_run)
		return 0;
	ret = hg_sfs_write(file, value, strlen(value));
	if (!ret)
		return 0;
	failed(a, hg_sfs_error("cannot write", file, -ret));
	return -1;
}

/* Is the module locked? Read once: only the last step changes it. -1: unknown. */
static int is_locked(struct apply *a)
{
	char buf[16];

	if (a->locked < 0 && !get(a, "lock", buf, sizeof(buf)))
		a->locked = !strcmp(buf, "1");
	return a->locked;
}

/*
 * May a setting be lowered? Not once locked: that is an error with a
 * message (from @fmt), never a silent no-op. 0 yes, -1 no (failure noted).
 */
static int may_lower(struct apply *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int may_lower(struct apply *a, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	int locked = is_locked(a);

	if (!locked)
		return 0;
	if (locked > 0) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		hg_errorf("%s: hashgate is locked until reboot", why);
		failed(a, HG_EXIT_PERM);
	}
	return -1;
}

/* A word securityfs shows, as an index into @names; -1 with the error said. */
static int parse_value(struct apply *a, const char *file, const char *buf,
		       const char *const *names, size_t n)
{
	char path[4096];
	int v = hg_cfg_lookup(names, n, buf, strlen(buf));

	if (v >= 0)
		return v;
	hg_sfs_path(path, sizeof(path), file);
	hg_error_text("unexpected content in", path, buf);
	failed(a, HG_EXIT_FAIL);
	return -1;
}

/* The load-time parameters of a module already loaded, against the config. */
static void check_param(struct apply *a, const char *name, int want)
{
	char path[4096];
	int have;

	if (want < 0)
		return;
	have = hg_param_bool(name);
	if (have < 0) {
		snprintf(path, sizeof(path), "%s/parameters/%s", hg_sysmod_dir(), name);
		hg_error_text("cannot read", path, have == -EINVAL ?
			      "neither Y nor N" : strerror(-have));
		failed(a, HG_EXIT_FAIL);
	} else if (want && !have) {
		hg_errorf("%s = yes, but the running module was loaded without it; "
			  "it is set at load time only: reboot, or run 'hashgate "
			  "module unload' (in audit mode, unlocked) and apply again", name);
		failed(a, HG_EXIT_FAIL);
	} else if (!want && have) {
		/* Stricter than asked (an embedded certificate implies it). */
		hg_errorf("note: %s is on in the running module although the config "
			  "says no; it stays on until the module is reloaded", name);
	}
}

/* Step 1: load the module if absent, with the config's load-time parameters. */
static int step_module(struct apply *a)
{
	const struct hg_config *cfg = a->cfg;
	char kv[6][128], *params[6], names[64], *opts = NULL;
	struct stat st;
	size_t i, n = 0;
	int ret;

	step(a, "module");
	if ((!stat(hg_sfs_dir(), &st) && S_ISDIR(st.st_mode)) || hg_module_present()) {
		ret = hg_sfs_require();
		if (ret) {
			failed(a, ret);
			return -1;
		}
		check_param(a, "require_signature", cfg->require_signature);
		check_param(a, "require_scripts", cfg->require_scripts);
		return 0;
	}
	if (cfg->require_signature >= 0)
		snprintf(kv[n++], sizeof(kv[0]), "require_signature=%d", cfg->require_signature);
	if (cfg->require_scripts >= 0)
		snprintf(kv[n++], sizeof(kv[0]), "require_scripts=%d", cfg->require_scripts);
	if (cfg->anon_exec >= 0)
		snprintf(kv[n++], sizeof(kv[0]), "anon_exec=%s",
			 hg_cfg_anon_names[cfg->anon_exec]);
	if (cfg->trusted_fs > 0) {
		hg_fs_names((unsigned int)cfg->trusted_fs, names, sizeof(names));
		snprintf(kv[n++], sizeof(kv[0]), "trusted_fs=%s", names);
	}
	/* At load too, so that they hold from the start, as anon_exec does. */
	if (cfg->runtime_action >= 0)
		snprintf(kv[n++], sizeof(kv[0]), "runtime_action=%s",
			 hg_cfg_runtime_names[cfg->runtime_action]);
	if (cfg->scan_interval > 0)
		snprintf(kv[n++], sizeof(kv[0]), "scan_interval=%d", cfg->scan_interval);
	for (i = 0; i < n; i++)
		params[i] = kv[i];
	ret = hg_module_load(NULL, params, n,
			     HG_LOAD_QUIET | (a->dry_run ? HG_LOAD_DRY_RUN : 0), &opts);
	if (ret) {
		failed(a, ret);
		return -1;
	}
	changed(a, "loaded", "load", "hashgate%s%s", opts ? " with " : "", opts ? opts : "");
	free(opts);
	if (a->dry_run) {
		a->fresh = true;
		return 0;
	}
	ret = hg_sfs_require();
	if (ret) {
		failed(a, ret);
		return -1;
	}
	return 0;
}

/* Step 2: trust each configured certificate's key, unless already trusted. */
static void step_keys(struct apply *a)
{
	char subject[512], id[HG_KEY_ID_MAX], lock[16], *text = NULL;
	const struct hg_config *cfg = a->cfg;
	unsigned char *der;
	size_t i, len;
	int ret;

	if (!cfg->nkeys)
		return;
	step(a, "keys");
	if (get(a, "keys_lock", lock, sizeof(lock)))
		return;
	ret = a->fresh ? ((text = strdup("")) ? 0 : HG_EXIT_FAIL) : hg_keys_read(&text);
	if (ret) {
		failed(a, ret);
		return;
	}
	for (i = 0; i < cfg->nkeys; i++) {
		if (hg_cert_key(cfg->keys[i], &der, &len, subject, sizeof(subject), id)) {
			failed(a, HG_EXIT_FAIL);
			continue;
		}
		if (hg_key_trusted(text, id)) {
			free(der);
			continue;
		}
		if (!strcmp(lock, "1")) {
			hg_error_text("cannot add the key of", cfg->keys[i],
				      "keys are locked until reboot (keys_lock)");
			failed(a, HG_EXIT_PERM);
		} else if (!a->dry_run && (ret = hg_keys_write(der, len))) {
			failed(a, ret);
		} else {
			changed(a, "added", "add", "key %s (%s)", subject, cfg->keys[i]);
		}
		free(der);
	}
	free(text);
}

/* Step 3: close the keyring. Opening it again takes a reboot: say so. */
static void step_keys_lock(struct apply *a)
{
	char buf[16];
	int want = a->cfg->keys_lock;

	if (want < 0)
		return;
	step(a, "keys_lock");
	if (get(a, "keys_lock", buf, sizeof(buf)) || want == !strcmp(buf, "1"))
		return;
	if (!want) {
		hg_errorf("keys_lock = no, but the keyring is locked until reboot: "
			  "there is no unlock");
		failed(a, HG_EXIT_PERM);
	} else if (!put(a, "keys_lock", "1")) {
		changed(a, "locked", "lock", "the keyring until reboot");
	}
}

/*
 * The configured list as the blob the kernel takes: a blob as it is, a text
 * list compiled with its '# hashgate-serial:' line or else the file's
 * modification time as serial, so that the same file is the same list on
 * every run and a rewritten one gets a higher serial.
 */
static int read_list(const char *file, uint8_t **blob, size_t *size,
		     struct hg_list_view *view)
{
	struct hg_text_list list;
	uint8_t *in = NULL;
	struct stat st;
	size_t len;
	FILE *f;
	int ret;

	ret = hg_read_file(file, HG_INPUT_MAX, &in, &len);
	if (ret || stat(file, &st) || !len) {
		hg_error_text("cannot read", file, ret == -EFBIG ?
			      "larger than the kernel accepts" : ret ? strerror(-ret) :
			      len ? strerror(errno) : "empty file");
		free(in);
		return -1;
	}
	if (hg_listblob_is_blob(in, len)) {
		if (hg_list_parse(in, len, view)) {
			hg_error_text("not a valid allowlist blob", file,
				      "malformed or truncated");
			free(in);
			return -1;
		}
		*blob = in;
		*size = len;
		return 0;
	}
	f = fmemopen(in, len, "r");
	ret = f ? hg_listtext_parse(f, file, &list, stderr) : -errno;
	if (f)
		fclose(f);
	free(in);
	if (ret) {
		if (ret < 0)
			hg_error("cannot read", file, -ret);
		else
			hg_errorf("%d error%s in '%s'", ret, ret == 1 ? "" : "s", file);
		if (ret > 0)
			hg_listtext_free(&list);
		return -1;
	}
	ret = hg_listblob_build(&list, list.has_serial ? list.serial : (uint64_t)st.st_mtime,
				true, blob, size);
	hg_listtext_free(&list);
	if (!ret)
		ret = hg_list_parse(*blob, *size, view);
	if (ret) {
		hg_error("cannot compile", file, -ret);
		return -1;
	}
	return 0;
}

/* One write(2): an open error is about access, a write error about the list. */
static int write_list(struct apply *a, const uint8_t *blob, size_t size,
		      uint64_t serial)
{
	char msg[256];
	int fd, err;

	fd = hg_sfs_open("allowlist", O_WRONLY);
	if (fd < 0) {
		failed(a, hg_sfs_error("cannot open", "allowlist", -fd));
		return -1;
	}
	err = -hg_write_close(fd, blob, size);
	if (!err)
		return 0;
	hg_errorf("the kernel refused '%s' (serial %" PRIu64 "): %s", a->cfg->allowlist,
		  serial, hg_list_strerror(err, serial, msg, sizeof(msg)));
	failed(a, err == EPERM ? HG_EXIT_PERM : HG_EXIT_FAIL);
	return -1;
}

/*
 * Is @view (blob @blob) the active list? Same serial and digest count, and,
 * where the module shows the active list's content digest, the same one. A
 * module that does not show it cannot tell two lists with one serial and
 * one count apart; it would refuse the other one anyway (ESTALE).
 */
static bool is_active(const char *active, const uint8_t *blob,
		      const struct hg_list_view *view)
{
	uint8_t digest[HG_DIGEST_SIZE];
	struct hg_active act;
	unsigned int len = 0;

	if (hg_active_parse(active, &act) || act.serial != view->serial ||
	    act.count != view->digest_count)
		return false;
	if (!act.has_digest)
		return true;
	/* What the kernel hashes: every byte the signature covers. */
	if (!EVP_Digest(blob, view->signed_size, digest, &len, EVP_sha256(), NULL) ||
	    len != HG_DIGEST_SIZE)
		return false;
	return !memcmp(digest, act.digest, HG_DIGEST_SIZE);
}

/* The list is live: raise the recorded rollback floor, as 'load' does. */
static void record_serial(struct apply *a, uint64_t serial)
{
	char path[4096];
	uint64_t now;
	int ret = hg_state_record(serial, &now);

	if (!ret)
		return;
	hg_state_path(path, sizeof(path));
	hg_error_text("the list is active, but the serial cannot be recorded in",
		      path, ret == -EINVAL ? "file is corrupt (fix or remove it)" :
		      strerror(-ret));
	failed(a, HG_EXIT_FAIL);
}

/* Does the module (or the one a dry run would load) refuse unsigned lists? */
static bool requires_signature(const struct apply *a)
{
	if (a->fresh)
		return a->cfg->require_signature > 0;
	return hg_param_bool("require_signature") > 0;
}

/* Step 4: make the configured list active, unless it already is. */
static void step_list(struct apply *a)
{
	const char *file = a->cfg->allowlist;
	struct hg_list_view view;
	uint8_t *blob = NULL;
	size_t size = 0;

	if (!file)
		return;
	step(a, "allowlist");
	a->list_failed = true;
	if (get(a, "allowlist", a->active, sizeof(a->active)))
		return;
	if (read_list(file, &blob, &size, &view)) {
		failed(a, HG_EXIT_FAIL);
		return;
	}
	if (is_active(a->active, blob, &view)) {
		a->list_failed = false;
		goto out;
	}
	/* A dry run cannot ask the kernel; this refusal it can foresee. */
	if (a->dry_run && !view.sig && requires_signature(a)) {
		hg_error_text("the module requires signed allowlists, and this one is "
			      "unsigned:", file, "the kernel would refuse it");
		failed(a, HG_EXIT_FAIL);
		goto out;
	}
	if (!a->dry_run && write_list(a, blob, size, view.serial))
		goto out;
	a->list_failed = false;
	changed(a, "loaded", "load", "%sallowlist serial %" PRIu64 ": %u digests, %u paths (%s)",
		view.sig ? "signed " : "", (uint64_t)view.serial, view.digest_count,
		view.path_count, file);
	if (!a->dry_run)
		record_serial(a, view.serial);
out:
	free(blob);
}

/* Step 6: the network file system types whose files may run. */
static void step_trusted_fs(struct apply *a)
{
	char buf[128], old[128], new[128];
	unsigned int have, want;

	if (a->cfg->trusted_fs < 0)
		return;
	want = (unsigned int)a->cfg->trusted_fs;
	step(a, "trusted_fs");
	if (get(a, "trusted_fs", buf, sizeof(buf)))
		return;
	if (hg_fs_mask(buf, &have)) {
		parse_value(a, "trusted_fs", buf, NULL, 0);
		return;
	}
	if (have == want)
		return;
	hg_fs_names(have, old, sizeof(old));
	hg_fs_names(want, new, sizeof(new));
	/* Trusting a type more is lowering. */
	if ((want & ~have) && may_lower(a, "cannot trust more file systems (%s -> %s)",
					*old ? old : "none", new))
		return;
	/* An empty write trusts none; a newline is what "none" is written as. */
	if (!put(a, "trusted_fs", *new ? new : "\n"))
		changed(a, "set", "set", "%s -> %s", *old ? old : "none", *new ? new : "none");
}

/*
 * Read a file of the scan of resident code, which a module older than this
 * tool lacks: then the config asks for what it cannot do, and says so.
 */
static int get_scan_file(struct apply *a, const char *file, char *buf, size_t size)
{
	char path[4096];

	hg_sfs_path(path, sizeof(path), file);
	if (!a->fresh && access(path, F_OK) && errno == ENOENT) {
		hg_error_text("no file", path, "the loaded module has no scan of resident "
			      "code (older than this tool?)");
		failed(a, HG_EXIT_NOKERNEL);
		return -1;
	}
	return get(a, file, buf, size);
}

/*
 * A setting the module shows as one of @names, lowest first: lowering it
 * is refused once locked. @read is get(), or get_scan_file() for a file
 * older modules lack.
 */
static void step_word(struct apply *a, const char *file, int want,
		      const char *const *names, size_t n,
		      int (*read)(struct apply *a, const char *file, char *buf, size_t size))
{
	char buf[32];
	int have;

	if (want < 0)
		return;
	step(a, file);
	if (read(a, file, buf, sizeof(buf)))
		return;
	have = parse_value(a, file, buf, names, n);
	if (have < 0 || have == want)
		return;
	if (want < have && may_lower(a, "cannot lower %s from %s to %s", file, buf,
				     names[want]))
		return;
	if (!put(a, file, names[want]))
		changed(a, "set", "set", "%s -> %s", buf, names[want]);
}

/* Step 5: the policy for executable memory no file vouches for. */
static void step_anon_exec(struct apply *a)
{
	step_word(a, "anon_exec", a->cfg->anon_exec, hg_cfg_anon_names, __HG_ANON_MAX, get);
}

/* Step 7: what a finding of the scan does besides its event; report is lower than kill. */
static void step_runtime_action(struct apply *a)
{
	step_word(a, "runtime_action", a->cfg->runtime_action, hg_cfg_runtime_names, 2,
		  get_scan_file);
}

/* "3600 s", or "off" for 0: no periodic scan. */
static const char *interval_name(uint64_t s, char *buf, size_t size)
{
	if (!s)
		return "off";
	snprintf(buf, size, "%" PRIu64 " s", s);
	return buf;
}

/* Step 8: seconds between periodic scans; scanning less often is lowering. */
static void step_scan_interval(struct apply *a)
{
	char buf[32], old_buf[32], new_buf[32], value[16];
	const char *old, *new;
	uint64_t have, want;

	if (a->cfg->scan_interval < 0)
		return;
	want = (uint64_t)a->cfg->scan_interval;
	step(a, "scan_interval");
	if (get_scan_file(a, "scan_interval", buf, sizeof(buf)))
		return;
	if (hg_parse_u64(buf, &have)) {
		parse_value(a, "scan_interval", buf, NULL, 0);
		return;
	}
	if (have == want)
		return;
	old = interval_name(have, old_buf, sizeof(old_buf));
	new = interval_name(want, new_buf, sizeof(new_buf));
	if (have && (!want || want > have) &&
	    may_lower(a, "cannot scan less often (scan_interval %s -> %s)", old, new))
		return;
	snprintf(value, sizeof(value), "%" PRIu64, want);
	if (!put(a, "scan_interval", value))
		changed(a, "set", "set", "%s -> %s", old, new);
}

/* The mode to set: the config's, or what on_list_failure says (-1: none). */
static int target_mode(struct apply *a, int have)
{
	int want = a->cfg->mode;

	if (!a->list_failed)
		return want;
	switch (a->cfg->on_list_failure) {
	case HG_ONFAIL_KEEP:
		return -1;
	case HG_ONFAIL_ENFORCE:
		return want;
	case HG_ONFAIL_AUDIT:
	default:
		return want == HG_MODE_ENFORCE || (want < 0 && have == HG_MODE_ENFORCE) ?
		       HG_MODE_AUDIT : want;
	}
}

/* After a failed list step: what the mode now means, on stderr. */
static void explain_list_failure(struct apply *a, int mode)
{
	char active[64];
	struct hg_active act;
	bool none = false;

	if (hg_active_parse(a->active, &act)) {
		snprintf(active, sizeof(active), "whatever list is active");
	} else if (act.serial) {
		snprintf(active, sizeof(active), "the previous list (serial %" PRIu64 ")",
			 act.serial);
	} else {
		snprintf(active, sizeof(active), "no list (none is active)");
		none = true;
	}
	/* Without any list the module judges every program no-allowlist. */
	hg_errorf("on_list_failure = %s: the mode %s %s, with %s%s",
		  hg_cfg_onfail_names[a->cfg->on_list_failure],
		  a->dry_run ? "would be" : "is", hg_cfg_mode_names[mode],
		  active, none && mode == HG_MODE_AUDIT ?
		  ": every program is reported as would-deny (no-allowlist) "
		  "until a list is loaded" :
		  mode == HG_MODE_AUDIT ? ": whatever it does not list is "
		  "reported as would-deny" : mode == HG_MODE_ENFORCE ?
		  ": whatever it does not list is denied" : "");
}

/* Step 9: the mode, after the list it needs (enforce wants a non-empty one). */
static void step_mode(struct apply *a)
{
	int want, have;
	char buf[32];

	if (a->cfg->mode < 0 && !a->list_failed)
		return;
	step(a, "mode");
	if (get(a, "mode", buf, sizeof(buf)))
		return;
	have = parse_value(a, "mode", buf, hg_cfg_mode_names, __HG_MODE_MAX);
	if (have < 0)
		return;
	want = target_mode(a, have);
	if (want >= 0 && want != have &&
	    (want > have || !may_lower(a, "cannot lower the mode from %s to %s", buf,
				       hg_cfg_mode_names[want])) &&
	    !put(a, "mode", hg_cfg_mode_names[want])) {
		changed(a, "set", "set", "%s -> %s", buf, hg_cfg_mode_names[want]);
		have = want;
	}
	if (a->list_failed)
		explain_list_failure(a, have);
}

/* Step 10: the lock, last, so that every lowering above was still possible. */
static void step_lock(struct apply *a)
{
	int want = a->cfg->lock, have;

	if (want < 0)
		return;
	step(a, "lock");
	have = is_locked(a);
	if (have < 0 || have == want)
		return;
	if (!want) {
		hg_errorf("lock = no, but hashgate is locked until reboot: there is "
			  "no unlock");
		failed(a, HG_EXIT_PERM);
	} else if (!put(a, "lock", "1")) {
		changed(a, "locked", "lock", "hashgate until reboot");
	}
}

/* For 'hashgate status': a failed apply stays visible after the boot log scrolls. */
static void record_outcome(const struct apply *a, const char *file)
{
	struct hg_last_apply la = {
		.ok = !a->failures, .time = (uint64_t)time(NULL),
		.errors = a->failures, .changes = a->changes,
	};
	int ret;

	snprintf(la.step, sizeof(la.step), "%s", a->failed_step ? a->failed_step : "");
	snprintf(la.config, sizeof(la.config), "%s", file);
	ret = hg_last_apply_write(&la);
	if (ret)
		hg_errorf("note: cannot record the outcome for 'hashgate status': %s",
			  strerror(-ret));
}

int apply_main(int argc, char *argv[])
{
	struct apply a = { .locked = -1 };
	const char *file = NULL;
	const struct hg_opt opts[] = {
		HG_OPT_ARG("config", 'c', &file),
		HG_OPT_FLAG("dry-run", 'n', &a.dry_run),
		{ NULL }
	};
	struct hg_config cfg;
	int ret = hg_options(argc, argv, opts, usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	file = hg_config_path(file);
	if (hg_config_load(file, &cfg)) {
		hg_errorf("nothing applied");
		a.step = "config";
		failed(&a, HG_EXIT_FAIL);
		goto out;
	}
	a.cfg = &cfg;
	/* Changes and errors interleave in the order they happen, in logs too. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!step_module(&a)) {
		step_keys(&a);
		step_keys_lock(&a);
		step_list(&a);
		step_anon_exec(&a);
		step_trusted_fs(&a);
		step_runtime_action(&a);
		step_scan_interval(&a);
		step_mode(&a);
		step_lock(&a);
	}
	hg_cmd = "apply";
	if (a.failures)
		hg_errorf("%u error%s; the module is not in the state '%s' describes",
			  a.failures, a.failures == 1 ? "" : "s", file);
	else if (!a.changes)
		printf("nothing %s: hashgate already matches %s\n",
		       a.dry_run ? "would change" : "changed", file);
	hg_config_free(&cfg);
out:
	if (!a.dry_run)
		record_outcome(&a, file);
	return a.ret;
}
