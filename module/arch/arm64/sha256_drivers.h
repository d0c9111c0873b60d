/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64: the SHA-256 drivers sha256_select.c times besides the crypto
 * API's own pick, included there after struct candidate and always().
 * sha2-ce.ko loads only where the CPU has the SHA-2 instructions, and
 * sha256-arm64.ko registers its NEON driver only where there is NEON:
 * asking for one the CPU cannot run would make the crypto API run
 * modprobe twice for nothing.
 */
#ifndef _HG_SHA256_DRIVERS_H
#define _HG_SHA256_DRIVERS_H

#include <asm/cpufeature.h>

static bool has_sha2(void)
{
	return cpu_have_named_feature(SHA2);
}

static bool has_neon(void)
{
	return cpu_have_named_feature(ASIMD);
}

static const struct candidate candidates[] = {
	{ "sha256-ce", has_sha2 },
	{ "sha256-arm64-neon", has_neon },
	{ "sha256-arm64", always },
	{ "sha256-generic", always },
};

#endif /* _HG_SHA256_DRIVERS_H */
