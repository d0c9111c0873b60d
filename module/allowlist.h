/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_ALLOWLIST_H
#define _HG_ALLOWLIST_H

#include <linux/types.h>

#include "keys.h"
#include "list_format.h"
#include "uapi/hashgate.h"

struct hg_list_info {
	u64 serial;
	u64 gen;
	u32 digests;
	u32 paths;
	size_t bytes;
	size_t digest_bytes;	/* memory for the digests alone */
	u8 digest[HG_DIGEST_SIZE];	/* of the signed content */
	char signer[HG_SIGNER_MAX];	/* "" if unsigned */
};

extern bool hg_require_signature;
extern unsigned long long hg_min_serial;

int hg_allowlist_load(const void __user *buf, size_t len);
void hg_allowlist_info(struct hg_list_info *info);
u64 hg_allowlist_snapshot(u64 *serial);
enum hg_reason hg_allowlist_judge(const u8 *digest, u64 *gen, u64 *serial,
				  bool *has_paths);
bool hg_allowlist_path_listed(u64 gen, const char *path, size_t len);
u32 hg_allowlist_digests_locked(void);
void hg_allowlist_exit(void);

#endif /* _HG_ALLOWLIST_H */
