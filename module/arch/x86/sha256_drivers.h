/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64: the SHA-256 drivers sha256_select.c times besides the crypto
 * API's own pick, included there after struct candidate and always(). The
 * x86 glue registers each only where the CPU has the feature: asking for a
 * driver the CPU cannot run would make the crypto API run modprobe twice
 * for nothing.
 */
#ifndef _HG_SHA256_DRIVERS_H
#define _HG_SHA256_DRIVERS_H

#include <asm/cpufeature.h>

static bool has_sha_ni(void)
{
	return boot_cpu_has(X86_FEATURE_SHA_NI);
}

static bool has_avx2(void)
{
	return boot_cpu_has(X86_FEATURE_AVX2) && boot_cpu_has(X86_FEATURE_BMI2);
}

static bool has_avx(void)
{
	return boot_cpu_has(X86_FEATURE_AVX);
}

static bool has_ssse3(void)
{
	return boot_cpu_has(X86_FEATURE_SSSE3);
}

static const struct candidate candidates[] = {
	{ "sha256-ni", has_sha_ni },
	{ "sha256-avx2", has_avx2 },
	{ "sha256-avx", has_avx },
	{ "sha256-ssse3", has_ssse3 },
	{ "sha256-generic", always },
};

#endif /* _HG_SHA256_DRIVERS_H */
