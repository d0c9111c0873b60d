/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_CONFIG_H
#define _HG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/hashgate.h"

/* hashgate.conf(5); HASHGATE_CONFIG or --config override it. */
#define HG_CONFIG_DEFAULT	"/etc/hashgate/hashgate.conf"
/* The module in sysfs; HASHGATE_SYSFS_MODULE overrides it (tests). */
#define HG_SYSMOD_DEFAULT	"/sys/module/hashgate"
/* The enterprise number of an RFC 5424 SD-ID: at most this many characters. */
#define HG_CONFIG_PEN_MAX	23

/* What apply does to the mode when the allowlist step fails. */
enum hg_on_list_failure {
	HG_ONFAIL_AUDIT,	/* audit instead of enforce: everything reported */
	HG_ONFAIL_KEEP,		/* the mode stays what it is now */
	HG_ONFAIL_ENFORCE,	/* the configured mode anyway (fail closed) */
};

/* What the APT hook does with packages whose executables are not listed. */
enum hg_apt_hook {
	HG_APT_REFUSE,		/* in enforce: refuse the transaction */
	HG_APT_WARN,		/* say so, let it go on */
	HG_APT_OFF,		/* not even look */
};

/* What a finding of the scan of resident code does besides its event. */
enum hg_runtime_action {
	HG_RUNTIME_REPORT,	/* nothing more */
	HG_RUNTIME_KILL,	/* SIGKILL to the processes that run the page */
};
/* securityfs scan_interval: seconds between periodic scans, at most this. */
#define HG_SCAN_INTERVAL_MAX	86400

/* Event forwarding formats, as 'hashgate events --format' names them. */
enum hg_config_format {
	HG_CFG_FMT_ECS,
	HG_CFG_FMT_CEF,
	HG_CFG_FMT_LEEF,
	HG_CFG_FMT_SYSLOG,
	HG_CFG_FMT_TEXT,
};

/*
 * A parsed hashgate.conf. A key the file does not set is -1 (or NULL):
 * apply leaves that setting as it is. Strings are malloc()ed.
 */
struct hg_config {
	char *file;			/* the file it was read from */
	int mode;			/* enum hg_mode */
	int lock, keys_lock;		/* 0 or 1 */
	int anon_exec;			/* enum hg_anon_policy */
	int require_scripts, require_signature;	/* 0 or 1 */
	int trusted_fs;			/* hg_fs_mask() bits */
	int runtime_action;		/* enum hg_runtime_action */
	int scan_interval;		/* seconds, 0: no periodic scan */
	char *allowlist;		/* absolute path of a blob or text list */
	char **keys;			/* absolute certificate paths */
	size_t nkeys;
	char *forward;			/* udp://, tcp:// or tls:// HOST:PORT */
	char *tls_ca, *tls_cert, *tls_key;	/* for tls://; NULL: unset */
	char *output;			/* events written to this file too */
	char *spool;			/* the forwarder's spool directory */
	uint64_t spool_max;		/* its bound in bytes, 0: the default */
	int format;			/* enum hg_config_format */
	char enterprise_number[HG_CONFIG_PEN_MAX + 1];	/* "" when unset */
	enum hg_on_list_failure on_list_failure;	/* default: audit */
	enum hg_apt_hook apt_hook;	/* default: refuse */
	int initramfs;			/* 0 or 1: for the initramfs hook */
};

/* Where apply leaves its last outcome for status; HASHGATE_RUN_DIR (tests). */
#define HG_RUN_DEFAULT		"/run/hashgate"
#define HG_LAST_APPLY_FILE	"last-apply"

/* The last 'hashgate apply' of this boot, as 'hashgate status' shows it. */
struct hg_last_apply {
	bool ok;
	uint64_t time;			/* seconds since the epoch */
	unsigned int errors, changes;
	char step[32];			/* the first step that failed, or "" */
	char config[4096];
};

const char *hg_config_path(const char *option);
int hg_config_load(const char *path, struct hg_config *cfg);
void hg_config_free(struct hg_config *cfg);
bool hg_config_key_known(const char *key);
void hg_initramfs_hint(void);
int hg_last_apply_write(const struct hg_last_apply *la);
int hg_last_apply_read(struct hg_last_apply *la);

/* Names of the values, indexed by the enums above and in uapi/hashgate.h. */
extern const char *const hg_cfg_mode_names[__HG_MODE_MAX];
extern const char *const hg_cfg_anon_names[__HG_ANON_MAX];
extern const char *const hg_cfg_runtime_names[2];
extern const char *const hg_cfg_onfail_names[3];
extern const char *const hg_cfg_apt_hook_names[3];
extern const char *const hg_cfg_format_names[5];
int hg_cfg_lookup(const char *const *names, size_t n, const char *s, size_t len);

/* trusted_fs: the module's type names, one bit each, in its order. */
int hg_fs_mask(const char *s, unsigned int *mask);
void hg_fs_names(unsigned int mask, char *buf, size_t size);

/*
 * The securityfs 'allowlist' file: "serial count", and, where the module
 * shows them, the content digest and the signer: "sha256:HEX SIGNER", each
 * "-" when there is none.
 */
struct hg_active {
	uint64_t serial, count;
	bool has_digest;		/* the module shows the digest */
	uint8_t digest[HG_DIGEST_SIZE];
	bool has_signer;		/* the module shows the signer */
	char signer[256];		/* "" for an unsigned list */
};
int hg_active_parse(const char *s, struct hg_active *act);

/* The running module's load-time parameters, under sysfs. */
const char *hg_sysmod_dir(void);
bool hg_module_present(void);
int hg_param_read(const char *name, char *buf, size_t size);
int hg_param_bool(const char *name);

#endif /* _HG_CONFIG_H */
