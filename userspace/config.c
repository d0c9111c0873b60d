// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate.conf(5): one "key = value" a line, '#' comments. Parsing is
 * strict, so that a typo never becomes a setting silently left alone: an
 * unknown key, a bad value or a key set twice is an error naming FILE:LINE,
 * every error is reported, and the caller applies nothing.
 *
 * Also here, as they are about the state the config describes: the names of
 * the values (shared with apply and status), the running module's load-time
 * parameters under /sys/module/hashgate/parameters/, the 'allowlist' file's
 * fields and the outcome of the last apply. 'hashgate config' is in
 * cmd_config.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "forward.h"
#include "util.h"

/* A config file is a few dozen lines; anything near this is not one. */
#define CONFIG_MAX	(1U << 20)
#define LINE_MAX_LEN	4096

/* uapi/hashgate.h's names; the module checks both lists are complete. */
const char *const hg_cfg_mode_names[__HG_MODE_MAX] = { HG_MODE_NAMES };
const char *const hg_cfg_anon_names[__HG_ANON_MAX] = { HG_ANON_NAMES };
const char *const hg_cfg_runtime_names[2] = {
	[HG_RUNTIME_REPORT] = "report", [HG_RUNTIME_KILL] = "kill",
};
const char *const hg_cfg_onfail_names[3] = {
	[HG_ONFAIL_AUDIT] = "audit", [HG_ONFAIL_KEEP] = "keep",
	[HG_ONFAIL_ENFORCE] = "enforce",
};
const char *const hg_cfg_apt_hook_names[3] = {
	[HG_APT_REFUSE] = "refuse", [HG_APT_WARN] = "warn", [HG_APT_OFF] = "off",
};
const char *const hg_cfg_format_names[5] = {
	[HG_CFG_FMT_ECS] = "ecs", [HG_CFG_FMT_CEF] = "cef", [HG_CFG_FMT_LEEF] = "leef",
	[HG_CFG_FMT_SYSLOG] = "syslog", [HG_CFG_FMT_TEXT] = "text",
};

/* The module's trusted_fs names (module/content.c), bit i for name i. */
static const char *const fs_names[] = {
	"nfs", "nfs4", "cifs", "smb3", "9p", "ceph", "virtiofs",
};

/* The index of the @len bytes at @s in @names, or -1. */
int hg_cfg_lookup(const char *const *names, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i] && strlen(names[i]) == len && !memcmp(names[i], s, len))
			return (int)i;
	}
	return -1;
}

/* Space-separated type names -> bits; -EINVAL names the first bad one in @s. */
int hg_fs_mask(const char *s, unsigned int *mask)
{
	unsigned int m = 0;
	size_t len;
	int i;

	for (;;) {
		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (!len)
			break;
		i = hg_cfg_lookup(fs_names, sizeof(fs_names) / sizeof(fs_names[0]), s, len);
		if (i < 0)
			return -EINVAL;
		m |= 1U << i;
		s += len;
	}
	*mask = m;
	return 0;
}

/* Bits -> "nfs4 9p", as the module's trusted_fs file prints them. */
void hg_fs_names(unsigned int mask, char *buf, size_t size)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++) {
		if (!(mask & (1U << i)))
			continue;
		off += (size_t)snprintf(buf + off, off < size ? size - off : 0, "%s%s",
					off ? " " : "", fs_names[i]);
	}
}

/* --config, else HASHGATE_CONFIG (tests), else /etc/hashgate/hashgate.conf. */
const char *hg_config_path(const char *option)
{
	const char *env = getenv("HASHGATE_CONFIG");

	if (option)
		return option;
	return env && *env ? env : HG_CONFIG_DEFAULT;
}

/* One key's value parser: 0, or -1 with the reason in @why. */
typedef int parse_fn(struct hg_config *cfg, const char *v, char *why, size_t size);

static int parse_word(const char *const *names, size_t n, const char *what,
		      const char *v, int *out, char *why, size_t size)
{
	size_t i;
	int off;

	*out = hg_cfg_lookup(names, n, v, strlen(v));
	if (*out >= 0)
		return 0;
	off = snprintf(why, size, "invalid %s '%s' (expected", what, v);
	for (i = 0; i < n && off > 0 && (size_t)off < size; i++)
		off += snprintf(why + off, size - (size_t)off, "%s%s",
				i ? (i == n - 1 ? " or " : ", ") : " ", names[i]);
	if (off > 0 && (size_t)off < size)
		snprintf(why + off, size - (size_t)off, ")");
	return -1;
}

static int parse_yes_no(const char *key, const char *v, int *out, char *why, size_t size)
{
	static const char *const yes_no[] = { "no", "yes" };
	char what[64];

	snprintf(what, sizeof(what), "%s value", key);
	return parse_word(yes_no, 2, what, v, out, why, size);
}

static int p_mode(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_word(hg_cfg_mode_names, __HG_MODE_MAX, "mode", v, &c->mode, why, size);
}

static int p_lock(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_yes_no("lock", v, &c->lock, why, size);
}

static int p_keys_lock(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_yes_no("keys_lock", v, &c->keys_lock, why, size);
}

static int p_require_scripts(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_yes_no("require_scripts", v, &c->require_scripts, why, size);
}

static int p_require_signature(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_yes_no("require_signature", v, &c->require_signature, why, size);
}

static int p_anon_exec(struct hg_config *c, const char *v, char *why, size_t size)
{
	static const char *const order[] = { "deny", "audit", "allow" };
	int i;

	if (parse_word(order, 3, "anon_exec policy", v, &i, why, size))
		return -1;
	c->anon_exec = hg_cfg_lookup(hg_cfg_anon_names, __HG_ANON_MAX, v, strlen(v));
	return 0;
}

static int p_runtime_action(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_word(hg_cfg_runtime_names, 2, "runtime_action", v, &c->runtime_action,
			  why, size);
}

static int p_scan_interval(struct hg_config *c, const char *v, char *why, size_t size)
{
	uint64_t n;

	if (hg_parse_u64(v, &n) || n > HG_SCAN_INTERVAL_MAX) {
		snprintf(why, size, "scan_interval: '%s' is not a number of seconds from 0 "
			 "(no periodic scan) to %d", v, HG_SCAN_INTERVAL_MAX);
		return -1;
	}
	c->scan_interval = (int)n;
	return 0;
}

static int p_apt_hook(struct hg_config *c, const char *v, char *why, size_t size)
{
	int i;

	if (parse_word(hg_cfg_apt_hook_names, 3, "apt_hook", v, &i, why, size))
		return -1;
	c->apt_hook = (enum hg_apt_hook)i;
	return 0;
}

static int p_on_list_failure(struct hg_config *c, const char *v, char *why, size_t size)
{
	int i;

	if (parse_word(hg_cfg_onfail_names, 3, "on_list_failure", v, &i, why, size))
		return -1;
	c->on_list_failure = (enum hg_on_list_failure)i;
	return 0;
}

static int p_initramfs(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_yes_no("initramfs", v, &c->initramfs, why, size);
}

static int p_format(struct hg_config *c, const char *v, char *why, size_t size)
{
	return parse_word(hg_cfg_format_names, 5, "format", v, &c->format, why, size);
}

static int p_trusted_fs(struct hg_config *c, const char *v, char *why, size_t size)
{
	unsigned int mask;
	size_t len;

	if (!strcmp(v, "none")) {
		c->trusted_fs = 0;
		return 0;
	}
	if (!hg_fs_mask(v, &mask)) {
		c->trusted_fs = (int)mask;
		return 0;
	}
	/* Name the culprit. */
	for (;;) {
		v += strspn(v, " \t");
		len = strcspn(v, " \t");
		if (hg_cfg_lookup(fs_names, sizeof(fs_names) / sizeof(fs_names[0]), v, len) < 0)
			break;
		v += len;
	}
	snprintf(why, size, "'%.*s' is not a file system type the module can trust "
		 "(nfs, nfs4, cifs, smb3, 9p, ceph, virtiofs; or none)", (int)len, v);
	return -1;
}

static int check_path(const char *key, const char *p, size_t len, char *why, size_t size)
{
	if (p[0] != '/') {
		snprintf(why, size, "%s: '%.*s' is not an absolute path", key, (int)len, p);
		return -1;
	}
	return 0;
}

static int p_allowlist(struct hg_config *c, const char *v, char *why, size_t size)
{
	if (check_path("allowlist", v, strlen(v), why, size))
		return -1;
	c->allowlist = strdup(v);
	return c->allowlist ? 0 : -ENOMEM;
}

static int p_keys(struct hg_config *c, const char *v, char *why, size_t size)
{
	size_t len;
	char **k;

	for (;;) {
		v += strspn(v, " \t");
		len = strcspn(v, " \t");
		if (!len)
			return 0;
		if (check_path("keys", v, len, why, size))
			return -1;
		k = realloc(c->keys, (c->nkeys + 1) * sizeof(*k));
		if (!k)
			return -ENOMEM;
		c->keys = k;
		k[c->nkeys] = strndup(v, len);
		if (!k[c->nkeys])
			return -ENOMEM;
		c->nkeys++;
		v += len;
	}
}

/* What 'hashgate events --forward' takes (forward.c says). */
static int p_forward(struct hg_config *c, const char *v, char *why, size_t size)
{
	if (!hg_fwd_url_valid(v)) {
		snprintf(why, size, "invalid forward target '%s' (expected udp://, "
			 "tcp:// or tls:// HOST:PORT, an IPv6 HOST in brackets, PORT "
			 "1..65535 or a service name)", v);
		return -1;
	}
	c->forward = strdup(v);
	return c->forward ? 0 : -ENOMEM;
}

/* The TLS files of a tls:// forward target: one absolute path each. */
static int p_path(const char *key, char **to, const char *v, char *why, size_t size)
{
	if (check_path(key, v, strlen(v), why, size))
		return -1;
	if (strpbrk(v, " \t")) {
		snprintf(why, size, "%s: one path, without blanks", key);
		return -1;
	}
	free(*to);
	*to = strdup(v);
	return *to ? 0 : -ENOMEM;
}

static int p_spool(struct hg_config *c, const char *v, char *why, size_t size)
{
	return p_path("forward_spool", &c->spool, v, why, size);
}

static int p_spool_max(struct hg_config *c, const char *v, char *why, size_t size)
{
	if (hg_parse_u64(v, &c->spool_max) || c->spool_max < 65536) {
		snprintf(why, size, "forward_spool_max: '%s' is not a size in bytes of "
			 "64 KiB or more", v);
		return -1;
	}
	return 0;
}

static int p_output(struct hg_config *c, const char *v, char *why, size_t size)
{
	return p_path("output", &c->output, v, why, size);
}

static int p_tls_ca(struct hg_config *c, const char *v, char *why, size_t size)
{
	return p_path("forward_tls_ca", &c->tls_ca, v, why, size);
}

static int p_tls_cert(struct hg_config *c, const char *v, char *why, size_t size)
{
	return p_path("forward_tls_cert", &c->tls_cert, v, why, size);
}

static int p_tls_key(struct hg_config *c, const char *v, char *why, size_t size)
{
	return p_path("forward_tls_key", &c->tls_key, v, why, size);
}

/* RFC 5424 enterpriseId: 1*10DIGIT *("." 1*10DIGIT), short enough for an SD-ID. */
static int p_enterprise_number(struct hg_config *c, const char *v, char *why, size_t size)
{
	const char *p = v;
	size_t len;

	if (strlen(v) > HG_CONFIG_PEN_MAX)
		goto bad;
	for (;;) {
		len = strspn(p, "0123456789");
		if (!len || len > 10)
			goto bad;
		p += len;
		if (!*p)
			break;
		if (*p++ != '.')
			goto bad;
	}
	memcpy(c->enterprise_number, v, strlen(v) + 1);
	return 0;
bad:
	snprintf(why, size, "invalid enterprise_number '%s' (expected a private "
		 "enterprise number such as 32473, or 32473.1; at most %d characters)",
		 v, HG_CONFIG_PEN_MAX);
	return -1;
}

static const struct {
	const char *name;
	parse_fn *parse;
	bool empty_ok;
} keys[] = {
	{ "mode", p_mode, false },
	{ "lock", p_lock, false },
	{ "keys_lock", p_keys_lock, false },
	{ "anon_exec", p_anon_exec, false },
	{ "require_scripts", p_require_scripts, false },
	{ "require_signature", p_require_signature, false },
	{ "trusted_fs", p_trusted_fs, true },
	{ "runtime_action", p_runtime_action, false },
	{ "scan_interval", p_scan_interval, false },
	{ "allowlist", p_allowlist, false },
	{ "keys", p_keys, false },
	{ "forward", p_forward, false },
	{ "forward_tls_ca", p_tls_ca, false },
	{ "forward_tls_cert", p_tls_cert, false },
	{ "forward_tls_key", p_tls_key, false },
	{ "output", p_output, false },
	{ "forward_spool", p_spool, false },
	{ "forward_spool_max", p_spool_max, false },
	{ "format", p_format, false },
	{ "enterprise_number", p_enterprise_number, false },
	{ "on_list_failure", p_on_list_failure, false },
	{ "apt_hook", p_apt_hook, false },
	{ "initramfs", p_initramfs, false },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* Is @key one hashgate.conf may set? */
bool hg_config_key_known(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS && strcmp(keys[i].name, key); i++)
		;
	return i < NKEYS;
}

static void init(struct hg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = cfg->lock = cfg->keys_lock = cfg->anon_exec = -1;
	cfg->require_scripts = cfg->require_signature = cfg->trusted_fs = -1;
	cfg->format = cfg->initramfs = -1;
	cfg->runtime_action = cfg->scan_interval = -1;
	cfg->on_list_failure = HG_ONFAIL_AUDIT;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * One line, NUL-terminated, modified in place. 0; -1 with the reason in
 * @why; -ENOMEM. @seen holds the line each key was first set on.
 */
static int parse_line(struct hg_config *cfg, char *line, unsigned long *seen,
		      unsigned long lineno, char *why, size_t size)
{
	char *key, *eq, *v, *end, *hash;
	size_t klen, i;
	int k, ret;

	line += strspn(line, " \t\r");
	if (!*line || *line == '#')
		return 0;
	/* A '#' after a blank starts a comment; one inside a word does not. */
	for (hash = strchr(line, '#'); hash; hash = strchr(hash + 1, '#')) {
		if (blank(hash[-1])) {
			*hash = '\0';
			break;
		}
	}
	key = line;
	klen = strspn(key, "abcdefghijklmnopqrstuvwxyz_0123456789");
	eq = key + klen + strspn(key + klen, " \t");
	if (!klen || *eq != '=') {
		snprintf(why, size, "expected 'key = value'");
		return -1;
	}
	k = -1;
	for (i = 0; i < NKEYS; i++) {
		if (strlen(keys[i].name) == klen && !memcmp(keys[i].name, key, klen))
			k = (int)i;
	}
	if (k < 0) {
		snprintf(why, size, "unknown key '%.*s'", (int)klen, key);
		return -1;
	}
	if (seen[k]) {
		snprintf(why, size, "duplicate key '%s' (first set on line %lu)",
			 keys[k].name, seen[k]);
		return -1;
	}
	seen[k] = lineno;
	v = eq + 1 + strspn(eq + 1, " \t");
	end = v + strlen(v);
	while (end > v && blank(end[-1]))
		*--end = '\0';
	if (!*v && !keys[k].empty_ok) {
		snprintf(why, size, "'%s' needs a value", keys[k].name);
		return -1;
	}
	ret = keys[k].parse(cfg, v, why, size);
	return ret == -ENOMEM ? -ENOMEM : ret ? -1 : 0;
}

/*
 * Parse @len bytes of @text, read from @name, into @cfg. Every error goes
 * to stderr as "NAME:LINE: reason". Return the number of errors (@cfg is
 * then freed), or -ENOMEM.
 */
static int config_parse(const char *name, const char *text, size_t len,
			struct hg_config *cfg)
{
	unsigned long seen[NKEYS] = { 0 }, lineno = 0;
	const char *p = text, *end = text + len;
	char line[LINE_MAX_LEN + 1], why[512];
	int errors = 0, ret;

	init(cfg);
	cfg->file = strdup(name);
	if (!cfg->file)
		return -ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (nl ? nl : end) - p;

		lineno++;
		if (memchr(p, '\0', n)) {
			snprintf(why, sizeof(why), "NUL byte in the line");
			ret = -1;
		} else if (n > LINE_MAX_LEN) {
			snprintf(why, sizeof(why), "line longer than %d bytes", LINE_MAX_LEN);
			ret = -1;
		} else {
			memcpy(line, p, n);
			line[n] = '\0';
			ret = parse_line(cfg, line, seen, lineno, why, sizeof(why));
		}
		if (ret == -ENOMEM) {
			hg_config_free(cfg);
			return -ENOMEM;
		}
		if (ret) {
			fprintf(stderr, "%s:%lu: %s\n", name, lineno, why);
			errors++;
		}
		p += n + (nl != NULL);
	}
	if (errors)
		hg_config_free(cfg);
	return errors;
}

/*
 * Read and parse the config file @path. Errors are printed; return 0 or
 * HG_EXIT_FAIL. A file others may write is refused: it decides what runs.
 */
int hg_config_load(const char *path, struct hg_config *cfg)
{
	struct stat st;
	uint8_t *text;
	size_t len;
	int ret;

	init(cfg);
	if (stat(path, &st)) {
		hg_error("cannot open config", path, errno);
		return HG_EXIT_FAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		hg_error_text("cannot read config", path, "not a regular file");
		return HG_EXIT_FAIL;
	}
	if (st.st_mode & S_IWOTH) {
		hg_error_text("refusing config", path, "it is writable by others "
			      "(chmod o-w)");
		return HG_EXIT_FAIL;
	}
	ret = hg_read_file(path, CONFIG_MAX, &text, &len);
	if (ret) {
		hg_error_text("cannot read config", path, ret == -EFBIG ?
			      "larger than 1 MiB: not a config file" : strerror(-ret));
		return HG_EXIT_FAIL;
	}
	ret = config_parse(path, (const char *)text, len, cfg);
	free(text);
	if (ret < 0) {
		hg_error("cannot read config", path, -ret);
		return HG_EXIT_FAIL;
	}
	if (ret > 0) {
		hg_errorf("%d error%s in '%s'", ret, ret == 1 ? "" : "s", path);
		return HG_EXIT_FAIL;
	}
	return HG_EXIT_OK;
}

/*
 * After 'hashgate load' made a list active: when hashgate.conf puts the
 * list into the initramfs, that copy stays the old one until
 * update-initramfs runs, and the next boot's initramfs would apply it.
 */
void hg_initramfs_hint(void)
{
	const char *path = hg_config_path(NULL);
	struct hg_config cfg;

	if (access(path, F_OK) || hg_config_load(path, &cfg))
		return;
	if (cfg.initramfs == 1)
		fprintf(stderr, "hashgate: %s: %s has initramfs = yes: run "
			"'update-initramfs -u' so that the next boot's initramfs "
			"carries this list\n", hg_cmd, path);
	hg_config_free(&cfg);
}

void hg_config_free(struct hg_config *cfg)
{
	size_t i;

	free(cfg->file);
	free(cfg->allowlist);
	for (i = 0; i < cfg->nkeys; i++)
		free(cfg->keys[i]);
	free(cfg->keys);
	free(cfg->forward);
	free(cfg->tls_ca);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->output);
	free(cfg->spool);
	init(cfg);
}

/* Parse the 'allowlist' file (see struct hg_active); 0 or -EINVAL. */
int hg_active_parse(const char *s, struct hg_active *act)
{
	char *end;

	memset(act, 0, sizeof(*act));
	if (*s < '0' || *s > '9')
		return -EINVAL;
	act->serial = strtoull(s, &end, 10);
	if (*end != ' ' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	act->count = strtoull(end + 1, &end, 10);
	if (!*end || *end == '\n')
		return 0;
	if (*end++ != ' ')
		return -EINVAL;
	if (!strncmp(end, "sha256:", 7)) {
		end += 7;
		/* Stops at the first non-digit, the string's end included. */
		if (hg_unhex(act->digest, end, HG_DIGEST_SIZE))
			return -EINVAL;
		act->has_digest = true;
		end += 2 * HG_DIGEST_SIZE;
	} else if (*end == '-') {
		end++;
	} else {
		return -EINVAL;
	}
	if (!*end || *end == '\n')
		return 0;
	if (*end++ != ' ' || !*end)
		return -EINVAL;
	act->has_signer = true;
	if (strcmp(end, "-"))
		snprintf(act->signer, sizeof(act->signer), "%.*s",
			 (int)strcspn(end, "\n"), end);
	return 0;
}

/* HASHGATE_SYSFS_MODULE lets tests fake the module's sysfs directory. */
const char *hg_sysmod_dir(void)
{
	const char *dir = getenv("HASHGATE_SYSFS_MODULE");

	return dir && *dir ? dir : HG_SYSMOD_DEFAULT;
}

/* Loaded (or built in): sysfs has its directory. */
bool hg_module_present(void)
{
	struct stat st;

	return !stat(hg_sysmod_dir(), &st) && S_ISDIR(st.st_mode);
}

/* A module parameter as sysfs shows it, without the newline; len or -errno. */
int hg_param_read(const char *name, char *buf, size_t size)
{
	char path[4096];
	uint8_t *b;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/parameters/%s", hg_sysmod_dir(), name);
	ret = hg_read_file(path, 4096, &b, &len);
	if (ret)
		return ret;
	while (len && b[len - 1] == '\n')
		len--;
	snprintf(buf, size, "%.*s", (int)len, (const char *)b);
	free(b);
	return (int)strlen(buf);
}

/* A bool parameter: 1 (Y), 0 (N), or -errno (-EINVAL: neither). */
int hg_param_bool(const char *name)
{
	char buf[16];
	int ret = hg_param_read(name, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	if (!strcmp(buf, "Y"))
		return 1;
	return strcmp(buf, "N") ? -EINVAL : 0;
}

static const char *run_dir(void)
{
	const char *dir = getenv("HASHGATE_RUN_DIR");

	return dir && *dir ? dir : HG_RUN_DEFAULT;
}

/*
 * Leave @la in the run directory (tmpfs: this boot only), replaced
 * atomically. 0 or -errno.
 */
int hg_last_apply_write(const struct hg_last_apply *la)
{
	char path[4000], tmp[4096];
	const char *dir = run_dir();
	FILE *f;
	int fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/" HG_LAST_APPLY_FILE, dir);
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	fprintf(f, "result=%s\ntime=%" PRIu64 "\nerrors=%u\nchanges=%u\nstep=%s\n"
		"config=%s\n", la->ok ? "ok" : "failed", la->time, la->errors,
		la->changes, la->step, la->config);
	if (fflush(f) || ferror(f) || fclose(f) || rename(tmp, path)) {
		int err = errno ? errno : EIO;

		unlink(tmp);
		return -err;
	}
	return 0;
}

/* The last apply of this boot: 0, -ENOENT (none), -EINVAL (unreadable). */
int hg_last_apply_read(struct hg_last_apply *la)
{
	char path[4096], *line, *next, *v;
	uint8_t *text;
	uint64_t n;
	size_t len;
	int ret, seen = 0;

	memset(la, 0, sizeof(*la));
	snprintf(path, sizeof(path), "%s/" HG_LAST_APPLY_FILE, run_dir());
	ret = hg_read_file(path, 16384, &text, &len);
	if (ret)
		return ret;
	for (line = (char *)text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		v = strchr(line, '=');
		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "result")) {
			la->ok = !strcmp(v, "ok");
			seen = 1;
		} else if (!strcmp(line, "time") && !hg_parse_u64(v, &n)) {
			la->time = n;
		} else if (!strcmp(line, "errors") && !hg_parse_u64(v, &n)) {
			la->errors = (unsigned int)n;
		} else if (!strcmp(line, "changes") && !hg_parse_u64(v, &n)) {
			la->changes = (unsigned int)n;
		} else if (!strcmp(line, "step")) {
			snprintf(la->step, sizeof(la->step), "%s", v);
		} else if (!strcmp(line, "config")) {
			snprintf(la->config, sizeof(la->config), "%s", v);
		}
	}
	free(text);
	return seen ? 0 : -EINVAL;
}
