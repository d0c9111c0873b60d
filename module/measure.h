/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_MEASURE_H
#define _HG_MEASURE_H

#include <linux/types.h>

#include "uapi/hashgate.h"

/* Page digests are of 4 KiB pages, whatever the kernel's page size. */
#define HG_PAGE_SIZE	4096

/* Room for the page digests of one file, filled by hg_measure_file(). */
struct hg_page_digests {
	u64 count;
	u8 (*digests)[HG_PAGE_DIGEST_SIZE];
};

struct crypto_shash;
struct file;
struct inode;

int hg_measure_init(const char *driver);
void hg_measure_exit(void);
int hg_measure_file(struct file *file, struct inode *inode, u8 *digest,
		    bool *is_script, struct hg_page_digests *pd);
int hg_measure_page(const void *data, size_t len, u8 *out);
int hg_measure_buffer(const void *buf, size_t len, u8 *digest);
const char *hg_measure_driver(void);

/* sha256_select.c */
struct crypto_shash *hg_sha256_select(const char *forced, size_t chunk);

#endif /* _HG_MEASURE_H */
