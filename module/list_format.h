/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allowlist blob: validation and lookups. This unit is compiled into the
 * module and, unchanged, into the hashgate tool and its fuzz target, so it
 * uses nothing but fixed-width types, memcmp() and byte-order helpers.
 */
#ifndef _HG_LIST_FORMAT_H
#define _HG_LIST_FORMAT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/byteorder.h>
#else
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)
#endif

#include "uapi/hashgate.h"

struct hg_list_view {
	u64 serial;
	u32 digest_count;
	u32 path_count;
	u32 strings_size;
	const u8 *digests;		/* digest_count * HG_DIGEST_SIZE */
	const struct hg_list_path *paths;
	const char *strings;
	size_t signed_size;		/* bytes the signature covers */
	const u8 *sig;			/* HG_LIST_F_SIGNED: PKCS#7, DER */
	size_t sig_len;
};

int hg_list_parse(const void *blob, size_t size, struct hg_list_view *view);
bool hg_list_has_digest(const struct hg_list_view *view, const u8 *digest);
long hg_list_find_path(const struct hg_list_view *view, const char *path,
		       size_t len);

#endif /* _HG_LIST_FORMAT_H */
