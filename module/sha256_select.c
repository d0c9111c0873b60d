// SPDX-License-Identifier: GPL-2.0
/*
 * Which SHA-256 implementation hashes files: the fastest one measured here.
 *
 * The crypto API ranks drivers by a static priority that assumes the CPU
 * runs its vector units at full speed. That is not always so: under an
 * emulator (qemu TCG) AVX2 is several times slower than plain code, and
 * what a CPU advertises is not always what it does well. Like the RAID-6
 * and XOR code choosing their routines at boot, hashgate times every
 * implementation the CPU can run on the chunk size it hashes with and keeps
 * the fastest. An administrator can name one with hash_driver= instead.
 */
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <crypto/hash.h>

#include "measure.h"
#include "uapi/hashgate.h"

/* Rounds per driver; the minimum time counts (interrupts only add). */
#define HG_SELECT_ROUNDS	3

struct candidate {
	const char *driver;
	bool (*usable)(void);
};

static bool always(void)
{
	return true;
}

/* The drivers to time, from module/arch/<arch>/: candidates[]. */
#include "sha256_drivers.h"

/* A transform of driver (or algorithm) @name, if it implements SHA-256. */
static struct crypto_shash *sha256_alloc(const char *name)
{
	struct crypto_shash *tfm;

	tfm = crypto_alloc_shash(name, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	if (strcmp(crypto_shash_alg_name(tfm), "sha256") ||
	    crypto_shash_digestsize(tfm) != HG_DIGEST_SIZE) {
		crypto_free_shash(tfm);
		return ERR_PTR(-EINVAL);
	}
	return tfm;
}

/* Nanoseconds to hash @len bytes of @buf in one update, or U64_MAX. */
static u64 time_one(struct crypto_shash *tfm, const void *buf, size_t len)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 digest[HG_DIGEST_SIZE];
	u64 t0, t;
	int ret;

	desc->tfm = tfm;
	t0 = ktime_get_ns();
	ret = crypto_shash_digest(desc, buf, len, digest);
	t = ktime_get_ns() - t0;
	shash_desc_zero(desc);
	return ret ? U64_MAX : t ?: 1;
}

/**
 * hg_sha256_select() - the SHA-256 transform to hash files with
 * @forced: a driver name from the hash_driver parameter, or NULL/"" to time
 *	every usable driver and keep the fastest
 * @chunk: the size of one update, which is what gets timed
 *
 * Logs what it measured. May sleep (and run modprobe for a driver module).
 *
 * Return: the transform, or an ERR_PTR: -EINVAL when @forced is not a
 * SHA-256 driver, -ENOENT when it is not available.
 */
struct crypto_shash *hg_sha256_select(const char *forced, size_t chunk)
{
	struct crypto_shash *tfm[ARRAY_SIZE(candidates) + 1] = {};
	u64 best_ns[ARRAY_SIZE(candidates) + 1];
	struct crypto_shash *chosen;
	char report[256] = "";
	size_t n = 0, i, best, len = 0;
	int round;
	void *buf;

	if (forced && *forced) {
		chosen = sha256_alloc(forced);
		if (IS_ERR(chosen))
			pr_err("hash_driver=%s: %s\n", forced,
			       PTR_ERR(chosen) == -EINVAL ?
			       "not a sha256 implementation" : "not available");
		return chosen;
	}

	/* The crypto API's own pick first: it wins ties. */
	chosen = sha256_alloc("sha256");
	if (IS_ERR(chosen))
		return chosen;
	tfm[n++] = chosen;
	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		const char *name = candidates[i].driver;
		struct crypto_shash *t;

		if (!strcmp(name, crypto_shash_driver_name(chosen)) ||
		    !candidates[i].usable())
			continue;
		t = sha256_alloc(name);
		if (!IS_ERR(t))
			tfm[n++] = t;
	}

	buf = kvmalloc(chunk, GFP_KERNEL);
	if (!buf) {
		best = 0;
		goto out;
	}
	memset(buf, 0x5a, chunk);
	for (i = 0; i < n; i++)
		best_ns[i] = U64_MAX;
	/* Interleaved, so that a slow moment is not pinned on one driver. */
	for (round = 0; round < HG_SELECT_ROUNDS; round++)
		for (i = 0; i < n; i++)
			best_ns[i] = min(best_ns[i], time_one(tfm[i], buf, chunk));
	kvfree(buf);

	best = 0;
	for (i = 0; i < n; i++) {
		if (best_ns[i] < best_ns[best])
			best = i;
		if (best_ns[i] != U64_MAX && len < sizeof(report))
			len += scnprintf(report + len, sizeof(report) - len,
					 "%s%s %llu MB/s", i ? ", " : "",
					 crypto_shash_driver_name(tfm[i]),
					 div64_u64((u64)chunk * 1000, best_ns[i]));
	}
	pr_info("sha256 implementations: %s; using %s\n", report,
		crypto_shash_driver_name(tfm[best]));
out:
	chosen = tfm[best];
	for (i = 0; i < n; i++)
		if (i != best)
			crypto_free_shash(tfm[i]);
	return chosen;
}
