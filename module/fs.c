// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/security/hashgate/: the module's whole interface. Who may
 * use each file and the errors it gives are described once, for those who
 * call it, in Documentation/admin-guide.rst (securityfs files); the formats
 * the tool parses in uapi/hashgate.h.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "allowlist.h"
#include "cache.h"
#include "decide.h"
#include "policy.h"
#include "event.h"
#include "fs.h"
#include "keys.h"
#include "measurements.h"
#include "scan.h"
#include "stats.h"
#include "version.h"

/*
 * A write the module takes whole: from a writer with CAP_MAC_ADMIN, in one
 * write(2) at offset 0 of @min to @max bytes; copied and NUL-terminated.
 */
static char *write_copy(struct file *file, const char __user *buf,
			size_t len, loff_t *ppos, size_t min, size_t max)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN))
		return ERR_PTR(-EPERM);
	if (*ppos != 0 || len < min || len > max)
		return ERR_PTR(-EINVAL);
	return memdup_user_nul(buf, len);
}

/*
 * Lowering a setting needs CAP_SYS_ADMIN of both whoever opened the file
 * and whoever writes: a descriptor opened with less must not become
 * stronger when a privileged process is made to write to it, nor one
 * opened by root when it is passed on.
 */
static bool may_lower(const struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
	       capable(CAP_SYS_ADMIN);
}

static int version_show(struct seq_file *m, void *v)
{
	seq_puts(m, HASHGATE_VERSION "\n");
	return 0;
}

static int mode_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", hg_mode_name(READ_ONCE(hg_mode)));
	return 0;
}

static int anon_exec_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", hg_anon_name(READ_ONCE(hg_anon_policy)));
	return 0;
}

static int lock_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", READ_ONCE(hg_locked));
	return 0;
}

/*
 * "SERIAL DIGESTS sha256:HEX SIGNER": the digest of the list's signed
 * content, so that a tool can tell whether a file is the active list, and
 * the signing key's description (it may hold spaces: the rest of the line),
 * "-" when unsigned. Without a list: "0 0 - -".
 */
static int allowlist_show(struct seq_file *m, void *v)
{
	struct hg_list_info li;

	hg_allowlist_info(&li);
	seq_printf(m, "%llu %u ", li.serial, li.digests);
	if (li.gen)
		seq_printf(m, "sha256:%*phN ", HG_DIGEST_SIZE, li.digest);
	else
		seq_puts(m, "- ");
	seq_printf(m, "%s\n", li.signer[0] ? li.signer : "-");
	return 0;
}

static int trusted_fs_show(struct seq_file *m, void *v)
{
	hg_trusted_fs_show(m);
	return 0;
}

static int keys_show(struct seq_file *m, void *v)
{
	hg_keys_show(m);
	return 0;
}

static int keys_lock_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", hg_keys_locked());
	return 0;
}

static int stats_show(struct seq_file *m, void *v)
{
	hg_stats_show(m);
	return 0;
}

/*
 * A setting written as text of at most @max bytes ("enforce\n", "1\n"):
 * parse and apply it in one call. Empty text is the store's to refuse.
 */
static ssize_t setting_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos, size_t max,
			     int (*store)(const char *s, bool may_lower))
{
	char *s;
	int ret;

	s = write_copy(file, buf, len, ppos, 0, max);
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = store(s, may_lower(file));
	kfree(s);
	return ret ?: len;
}

/*
 * mode: "off", "audit" or "enforce"; policy.c says when a change is
 * refused.
 */
static ssize_t mode_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	return setting_write(file, buf, len, ppos, 32, hg_mode_store);
}

/* anon_exec: "allow", "audit" or "deny"; same rules as mode. */
static ssize_t anon_exec_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	return setting_write(file, buf, len, ppos, 32, hg_anon_store);
}

/*
 * trusted_fs: network filesystem types, space-separated; empty (or "\n")
 * trusts none. Trusting more is lowering.
 */
static ssize_t trusted_fs_write(struct file *file, const char __user *buf,
				size_t len, loff_t *ppos)
{
	return setting_write(file, buf, len, ppos, 256, hg_trusted_fs_store);
}

/*
 * A lock file: "1" locks until reboot; "0" is accepted while unlocked and
 * refused (EPERM) once locked.
 */
static ssize_t lock_file_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos, bool locked,
			       int (*lock)(void))
{
	bool on;
	int ret;

	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0)
		return -EINVAL;
	ret = kstrtobool_from_user(buf, len, &on);
	if (ret)
		return ret;
	if (!on)
		return locked ? -EPERM : len;
	return lock() ?: len;
}

/* lock: the mode and anon_exec can no longer be lowered. */
static ssize_t lock_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	return lock_file_write(file, buf, len, ppos, READ_ONCE(hg_locked),
			       hg_mode_lock);
}

/*
 * allowlist: the whole blob in one write at offset 0; allowlist.c judges
 * it.
 */
static ssize_t allowlist_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	int ret;

	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0)
		return -EINVAL;
	ret = hg_allowlist_load(buf, len);
	return ret ?: len;
}

/*
 * Open @name for reading only if it is a regular file: looked up as
 * O_PATH first, so that a FIFO cannot block the writer and a tty cannot
 * become its controlling terminal; then that very file is opened.
 */
static struct file *open_regular(const char *name)
{
	struct file *opath, *file;

	opath = filp_open(name, O_PATH, 0);
	if (IS_ERR(opath))
		return opath;
	if (S_ISREG(file_inode(opath)->i_mode))
		file = dentry_open(&opath->f_path,
				   O_RDONLY | O_LARGEFILE | O_NOCTTY | O_NONBLOCK,
				   current_cred());
	else
		file = ERR_PTR(-EINVAL);
	fput(opath);
	return file;
}

/*
 * check: write a path, read back what hashgate would decide for that file:
 * "<allow|deny> <reason> sha256:<hex|-> <serial>\n". Nothing is logged and
 * the mode does not matter. Each open file holds its own answer.
 */
static ssize_t check_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	struct hg_verdict v;
	struct file *target;
	char hex[2 * HG_DIGEST_SIZE + 1] = "-";
	char *path, *answer;
	u64 serial;

	path = write_copy(file, buf, len, ppos, 1, HG_PATH_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path);
	target = path[0] == '/' ? open_regular(path) : ERR_PTR(-EINVAL);
	kfree(path);
	if (IS_ERR(target))
		return PTR_ERR(target);
	hg_check_file(target, &v, &serial);
	fput(target);

	if (v.has_digest)
		bin2hex(hex, v.digest, HG_DIGEST_SIZE)[0] = '\0';
	answer = kasprintf(GFP_KERNEL, "%s %s sha256:%s %llu\n",
			   v.reason ? "deny" : "allow",
			   hg_reason_name(v.reason), hex, serial);
	if (!answer)
		return -ENOMEM;
	kfree(file->private_data);
	file->private_data = answer;
	return len;
}

static ssize_t check_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	const char *answer = file->private_data;

	if (!answer)
		return 0;
	return simple_read_from_buffer(buf, len, ppos, answer, strlen(answer));
}

static int check_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations check_fops = {
	.owner = THIS_MODULE,
	.write = check_write,
	.read = check_read,
	.release = check_release,
	.llseek = generic_file_llseek,
};

/*
 * keys: one DER X.509 certificate per write.
 */
static ssize_t keys_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	void *der;
	int ret;

	der = write_copy(file, buf, len, ppos, 1, 64 * 1024);
	if (IS_ERR(der))
		return PTR_ERR(der);
	ret = hg_keys_add(der, len);
	kfree(der);
	return ret ?: len;
}

/* keys_lock: no key can be added any more. */
static ssize_t keys_lock_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	return lock_file_write(file, buf, len, ppos, hg_keys_locked(),
			       hg_keys_lock);
}

static int runtime_action_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n",
		   hg_runtime_action_name(READ_ONCE(hg_runtime_action)));
	return 0;
}

/* runtime_action: "report" or "kill"; same rules as mode. */
static ssize_t runtime_action_write(struct file *file, const char __user *buf,
				    size_t len, loff_t *ppos)
{
	return setting_write(file, buf, len, ppos, 32, hg_runtime_action_store);
}

static int scan_interval_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%u\n", READ_ONCE(hg_scan_interval));
	return 0;
}

/* scan_interval: seconds, 0 for none; same rules as mode. */
static ssize_t scan_interval_write(struct file *file, const char __user *buf,
				   size_t len, loff_t *ppos)
{
	return setting_write(file, buf, len, ppos, 32, hg_scan_interval_store);
}

static int scan_show(struct seq_file *m, void *v)
{
	return hg_scan_show(m);
}

/*
 * scan: "1" scans now, and returns when the scan is done.
 */
static ssize_t scan_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	bool on;
	int ret;

	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN) ||
	    !capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0)
		return -EINVAL;
	ret = kstrtobool_from_user(buf, len, &on);
	if (ret || !on)
		return -EINVAL;
	return hg_scan_run() ?: len;
}

#define HG_SEQ_FOPS(name, writer)					\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	return single_open(file, name##_show, NULL);			\
}									\
static const struct file_operations name##_fops = {			\
	.owner = THIS_MODULE,						\
	.open = name##_open,						\
	.read = seq_read,						\
	.write = writer,						\
	.llseek = seq_lseek,						\
	.release = single_release,					\
}

HG_SEQ_FOPS(version, NULL);
HG_SEQ_FOPS(mode, mode_write);
HG_SEQ_FOPS(lock, lock_write);
HG_SEQ_FOPS(anon_exec, anon_exec_write);
HG_SEQ_FOPS(allowlist, allowlist_write);
HG_SEQ_FOPS(stats, NULL);
HG_SEQ_FOPS(keys, keys_write);
HG_SEQ_FOPS(keys_lock, keys_lock_write);
HG_SEQ_FOPS(trusted_fs, trusted_fs_write);
HG_SEQ_FOPS(runtime_action, runtime_action_write);
HG_SEQ_FOPS(scan_interval, scan_interval_write);
HG_SEQ_FOPS(scan, scan_write);

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
	void *data;		/* the inode's i_private: which file of a pair */
} files[] = {
	{ "version", 0444, &version_fops, NULL },
	{ "mode", 0600, &mode_fops, NULL },
	{ "lock", 0600, &lock_fops, NULL },
	{ "anon_exec", 0600, &anon_exec_fops, NULL },
	{ "allowlist", 0600, &allowlist_fops, NULL },
	{ "events", 0400, &hg_event_fops, NULL },
	{ "events_tap", 0400, &hg_event_fops, HG_EVENT_TAP },
	{ "stats", 0444, &stats_fops, NULL },
	{ "check", 0600, &check_fops, NULL },
	{ "keys", 0600, &keys_fops, NULL },
	{ "keys_lock", 0600, &keys_lock_fops, NULL },
	{ "trusted_fs", 0600, &trusted_fs_fops, NULL },
	{ "scan", 0600, &scan_fops, NULL },
	{ "runtime_action", 0600, &runtime_action_fops, NULL },
	{ "scan_interval", 0600, &scan_interval_fops, NULL },
	{ "binary_measurements", 0400, &hg_ml_fops, HG_ML_BINARY },
	{ "measurements", 0400, &hg_ml_fops, NULL },
};

static struct dentry *dir;
static struct dentry *dentries[ARRAY_SIZE(files)];

/**
 * hg_fs_init() - create the securityfs directory and files
 *
 * Return: 0 or the securityfs error, with nothing left behind.
 */
int __init hg_fs_init(void)
{
	unsigned int i;

	dir = securityfs_create_dir("hashgate", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		dentries[i] = securityfs_create_file(files[i].name,
						     files[i].mode, dir,
						     files[i].data,
						     files[i].fops);
		if (IS_ERR(dentries[i])) {
			int ret = PTR_ERR(dentries[i]);

			dentries[i] = NULL;
			hg_fs_exit();
			return ret;
		}
	}
	return 0;
}

/**
 * hg_fs_exit() - remove the files in reverse order, then the directory
 */
void hg_fs_exit(void)
{
	unsigned int i;

	for (i = ARRAY_SIZE(files); i-- > 0;) {
		securityfs_remove(dentries[i]);
		dentries[i] = NULL;
	}
	securityfs_remove(dir);
	dir = NULL;
}
