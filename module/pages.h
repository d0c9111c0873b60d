/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_PAGES_H
#define _HG_PAGES_H

#include <linux/types.h>

#include "uapi/hashgate.h"

struct inode;
struct hg_page_digests;

/* What the scan knows of a file with page digests. */
struct hg_page_file {
	char *path;		/* at verification; may be NULL */
	u64 ino;
	dev_t dev;
	u64 pages;
	u8 file_digest[HG_DIGEST_SIZE];
};

void hg_pages_init(unsigned int kib);
void hg_pages_exit(void);
struct hg_page_digests *hg_pages_alloc(loff_t size);
void hg_pages_free(struct hg_page_digests *pd);
void hg_pages_record(struct inode *inode, const u8 *digest,
		     struct hg_page_digests *pd, char *path);
bool hg_pages_has(const struct inode *inode);
void hg_pages_forget(const struct inode *inode);
bool hg_pages_expected(const struct inode *inode, u64 index, u8 *out,
		       u8 *file_digest);
struct hg_page_file *hg_pages_next(u64 epoch, struct inode **inode);
const struct hg_page_digests *hg_pages_digests(const struct hg_page_file *f,
					       bool *dead);
void hg_pages_done(const struct hg_page_file *f, struct inode *inode);
void hg_pages_pause(const struct hg_page_file *f, struct inode *inode);
struct inode *hg_pages_resume(const struct hg_page_file *f);
void hg_pages_usage(size_t *bytes, unsigned int *files);

#endif /* _HG_PAGES_H */
