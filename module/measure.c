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
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <crypto/hash.h>

#include "measure.h"
#include "stats.h"
#include "uapi/hashgate.h"

/* 64 KiB per update: the SIMD drivers hold the FPU for a whole update. */
#define HG_CHUNK	(64 * 1024)

/*
 * Not __ro_after_init: kmemleak does not scan that section of a module,
 * and would report what only this points to as a leak.
 */
static struct crypto_shash *tfm;
static const struct cred *kcred;
/*
 * Page digests are keyed with a secret drawn at load: cut to 128 bits,
 * an unkeyed digest would let whoever writes a listed file's content
 * prepare two pages with one digest (2^64 work); keyed, they cannot know
 * which digest a page will get. Second preimages stay at 2^128 either way.
 */
static u8 page_key[32];

/**
 * hg_measure_init() - pick the SHA-256 driver, make the read cred
 * @driver: the hash_driver parameter: a driver name, or NULL/"" for the
 *	fastest one measured
 *
 * Return: 0 or a negative errno.
 */
int __init hg_measure_init(const char *driver)
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
	get_random_bytes(page_key, sizeof(page_key));
	return 0;
}

void hg_measure_exit(void)
{
	memzero_explicit(page_key, sizeof(page_key));
	put_cred(kcred);
	crypto_free_shash(tfm);
}

/**
 * hg_measure_driver() - the crypto driver in use, e.g. "sha256-avx2"
 *
 * Return: the driver's name, valid while the module is loaded.
 */
const char *hg_measure_driver(void)
{
	return crypto_shash_driver_name(tfm);
}

/**
 * hg_measure_page() - the page digest of one 4 KiB page
 * @data: its bytes
 * @len: how many there are (the last page of a file may be short: the rest
 *	counts as zeros, as in the page cache)
 * @out: HG_PAGE_DIGEST_SIZE bytes
 *
 * Return: 0 or the crypto API's error.
 */
int hg_measure_page(const void *data, size_t len, u8 *out)
{
	static const u8 zeros[HG_PAGE_SIZE];
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 digest[HG_DIGEST_SIZE];
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, page_key, sizeof(page_key)) ?:
	      crypto_shash_update(desc, data, len);
	if (!ret && len < HG_PAGE_SIZE)
		ret = crypto_shash_update(desc, zeros, HG_PAGE_SIZE - len);
	if (!ret)
		ret = crypto_shash_final(desc, digest);
	if (ret)
		memset(digest, 0, sizeof(digest));
	memcpy(out, digest, HG_PAGE_DIGEST_SIZE);
	shash_desc_zero(desc);
	return ret;
}

/* Page digests of the whole pages in @buf, and of a short last one at EOF. */
static int digest_pages(const u8 *buf, size_t len, u64 first,
			struct hg_page_digests *pd)
{
	size_t off;
	u64 i;
	int ret = 0;

	for (off = 0, i = first; !ret && off < len; off += HG_PAGE_SIZE, i++) {
		if (i >= pd->count)
			return -EFBIG;
		ret = hg_measure_page(buf + off, min_t(size_t, len - off,
						       HG_PAGE_SIZE),
				      pd->digests[i]);
	}
	return ret;
}

/**
 * hg_measure_file() - SHA-256 of the whole content of @file
 * @file: an open regular file; only its path is used
 * @inode: the real inode whose bytes must be hashed
 * @digest: HG_DIGEST_SIZE bytes out
 * @is_script: set when the file starts with "#!"
 * @pd: page digests of the same bytes, read once for both; NULL for none
 *
 * May sleep. Must not be called with mm locks held.
 *
 * Return: 0; -ESTALE when the path no longer leads to @inode's bytes
 * (overlayfs copy-up); -EINTR when a fatal signal arrived; or the error
 * that kept the file from being read.
 */
int hg_measure_file(struct file *file, struct inode *inode, u8 *digest,
		    bool *is_script, struct hg_page_digests *pd)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	struct file *priv;
	size_t fill = 0;
	loff_t pos = 0;
	ssize_t n;
	void *buf;
	int ret;

	might_sleep();
	/* Hashing under mmap_lock would stall every fault of the process. */
	if (current->mm)
		lockdep_assert_not_held(&current->mm->mmap_lock);
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

	/*
	 * The buffer is filled to a whole chunk before its pages are
	 * digested, so that a short read cannot shift page boundaries.
	 */
	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	while (!ret) {
		n = kernel_read(priv, buf + fill, HG_CHUNK - fill, &pos);
		if (n <= 0) {
			ret = n;
			break;
		}
		if (pos == n)
			*is_script = n >= 2 && !memcmp(buf, "#!", 2);
		ret = crypto_shash_update(desc, buf + fill, n);
		hg_stat_add(HG_STAT_BYTES_HASHED, n);
		fill += n;
		if (!ret && pd && fill == HG_CHUNK) {
			ret = digest_pages(buf, fill, (pos - fill) / HG_PAGE_SIZE,
					   pd);
			fill = 0;
		}
		if (!pd)
			fill = 0;
		if (fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret && pd && fill)
		ret = digest_pages(buf, fill, (pos - fill) / HG_PAGE_SIZE, pd);
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
