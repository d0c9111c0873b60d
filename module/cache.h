/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_CACHE_H
#define _HG_CACHE_H

#include <linux/time64.h>
#include <linux/types.h>

#include "uapi/hashgate.h"

struct inode;

/*
 * What identifies one version of one file's content. The file is the inode
 * object itself, not numbers a filesystem may repeat (btrfs subvolumes, FUSE):
 * its entries are dropped when the inode is freed (hg_cache_forget()), and
 * when it is opened for write or truncated, so an entry never outlives a
 * write. The change cookie stays as a second, independent check.
 */
struct hg_cache_key {
	const struct inode *inode;
	u64 ino;
	/* The change cookie: any write moves at least one of these. */
	u64 iversion;
	struct timespec64 ctime;
	struct timespec64 mtime;
	loff_t size;
};

struct hg_verdict {
	u8 digest[HG_DIGEST_SIZE];
	bool has_digest;
	bool is_script;		/* starts with "#!" */
	u8 reason;		/* enum hg_reason; HG_REASON_NONE allows */
};

struct hg_cache_wait;

int hg_cache_init(unsigned int max_entries);
void hg_cache_exit(void);
void hg_cache_key_of(struct inode *inode, struct hg_cache_key *key);
bool hg_cache_key_equal(const struct hg_cache_key *a,
			const struct hg_cache_key *b);
bool hg_cache_lookup(const struct hg_cache_key *key, u64 list_gen,
		     struct hg_verdict *v);
void hg_cache_insert(const struct hg_cache_key *key, u64 list_gen,
		     const struct hg_verdict *v);
void hg_cache_forget(const struct inode *inode);
bool hg_cache_has(const struct inode *inode);
void hg_cache_flush(void);
unsigned int hg_cache_count(void);

struct hg_cache_wait *hg_cache_claim(const struct hg_cache_key *key);
void hg_cache_release(struct hg_cache_wait *w);

#ifdef DEBUG
bool hg_cache_selftest(void);
#endif

#endif /* _HG_CACHE_H */
