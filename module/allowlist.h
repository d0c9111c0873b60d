/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_ALLOWLIST_H
#define _HG_ALLOWLIST_H

#include <linux/rcupdate.h>
#include <linux/types.h>

#include "keys.h"
#include "list_format.h"

struct hg_allowlist {
	struct hg_list_view view;	/* points into blob */
	u64 gen;			/* load counter, never 0 */
	size_t bytes;			/* memory held, blob included */
	u8 blob_digest[HG_DIGEST_SIZE];	/* of the signed content */
	char signer[HG_SIGNER_MAX];	/* key description, "" if unsigned */
	struct rcu_head rcu;
	void *blob;
};

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

extern struct hg_allowlist __rcu *hg_active_list;
extern bool hg_require_signature;
extern unsigned long long hg_min_serial;

int hg_allowlist_load(const void __user *buf, size_t len);
void hg_allowlist_info(struct hg_list_info *info);
u32 hg_allowlist_digests(void);
void hg_allowlist_exit(void);

#endif /* _HG_ALLOWLIST_H */
