// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 of a whole file, read through a private instance of it.
 *
 * The file is reopened with kernel credentials and __FMODE_NONOTIFY: an
 * exec-only file, an LSM or a fanotify listener must not stand between
 * hashgate and the bytes, and the open carries no __FMODE_EXEC so that it
 * does not re-enter our own exec-open hook. The whole file is hashed, not
 * only what is mapped, because mremap() can later grow a mapping over pages
 * that no hook sees.
 *
 * The bytes must be those of the one real inode the verdict is kept for:
 * through overlayfs, a copy-up in the middle of the read switches the
 * private instance from the lower to the upper file. The real inode is
 * checked before the first read and after the last one; copy-up only goes
 * one way, so the same inode at both ends means every byte came from it.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <crypto/hash.h>

#include "measure.h"
#include "stats.h"
#include "uapi/hashgate.h"

/* 64 KiB per update: the SIMD drivers hold the FPU for a whole update. */
#define HG_CHUNK	(64 * 1024)

static struct crypto_shash *tfm;
static const struct cred *kcred;

/**
 * hg_measure_init() - pick the SHA-256 driver, make the read cred
 * @driver: the hash_driver parameter: a driver name, or NULL/"" for the
 *	fastest one measured
 *
 * Return: 0 or a negative errno.
 */
int hg_measure_init(const char *driver)
{
	tfm = hg_sha256_select(driver, HG_CHUNK);
	if (IS_ERR(tfm)) {
		pr_err("no usable sha256 in the crypto API: %ld\n", PTR_ERR(tfm));
		return PTR_ERR(tfm);
	}
	kcred = prepare_kernel_cred(&init_task);
	if (!kcred) {
		crypto_free_shash(tfm);
		return -ENOMEM;
	}
	return 0;
}

void hg_measure_exit(void)
{
	put_cred(kcred);
	crypto_free_shash(tfm);
}

/**
 * hg_measure_driver() - the crypto driver in use, e.g. "sha256-avx2"
 */
const char *hg_measure_driver(void)
{
	return crypto_shash_driver_name(tfm);
}

/**
 * hg_measure_file() - SHA-256 of the whole content of @file
 * @file: an open regular file; only its path is used
 * @inode: the real inode whose bytes must be hashed
 * @digest: HG_DIGEST_SIZE bytes out
 * @is_script: set when the file starts with "#!"
 *
 * May sleep. Must not be called with mm locks held.
 *
 * Return: 0; -ESTALE when the path no longer leads to @inode's bytes
 * (overlayfs copy-up); -EINTR when a fatal signal arrived; or the error
 * that kept the file from being read.
 */
int hg_measure_file(struct file *file, struct inode *inode, u8 *digest,
		    bool *is_script)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	struct file *priv;
	loff_t pos = 0;
	ssize_t n;
	void *buf;
	int ret;

	priv = dentry_open(&file->f_path,
			   O_RDONLY | O_LARGEFILE | __FMODE_NONOTIFY, kcred);
	if (IS_ERR(priv))
		return PTR_ERR(priv);

	if (d_real_inode(file_dentry(priv)) != inode) {
		ret = -ESTALE;
		goto out_put;
	}
	buf = kvmalloc(HG_CHUNK, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out_put;
	}

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	while (!ret) {
		n = kernel_read(priv, buf, HG_CHUNK, &pos);
		if (n <= 0) {
			ret = n;
			break;
		}
		if (pos == n)
			*is_script = n >= 2 && !memcmp(buf, "#!", 2);
		ret = crypto_shash_update(desc, buf, n);
		hg_stat_add(HG_STAT_BYTES_HASHED, n);
		if (fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret && d_real_inode(file_dentry(priv)) != inode)
		ret = -ESTALE;
	if (!ret)
		ret = crypto_shash_final(desc, digest);
	hg_stat_inc(HG_STAT_HASHES);
	shash_desc_zero(desc);
	kvfree(buf);
out_put:
	fput(priv);
	return ret;
}

/**
 * hg_measure_buffer() - SHA-256 of kernel memory, e.g. an allowlist blob
 * @buf: the bytes
 * @len: their number
 * @digest: HG_DIGEST_SIZE bytes out
 *
 * Return: 0 or the crypto API's error.
 */
int hg_measure_buffer(const void *buf, size_t len, u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	size_t off, n;
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	for (off = 0; !ret && off < len; off += n) {
		n = min_t(size_t, len - off, HG_CHUNK);
		ret = crypto_shash_update(desc, buf + off, n);
		cond_resched();
	}
	if (!ret)
		ret = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	return ret;
}
