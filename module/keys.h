/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_KEYS_H
#define _HG_KEYS_H

#include <linux/types.h>

#define HG_SIGNER_MAX	256

struct seq_file;

/* From certs.S: the DER certificates embedded at build time, back to back. */
extern const u8 hg_embedded_certs[];
extern const u8 hg_embedded_certs_end[];

int hg_keys_init(void);
void hg_keys_exit(void);
int hg_keys_add(const void *der, size_t len);
int hg_keys_lock(void);
bool hg_keys_locked(void);
bool hg_keys_embedded(void);
int hg_keys_verify(const void *data, size_t len, const void *sig,
		   size_t sig_len, char *signer);
void hg_keys_show(struct seq_file *m);

#endif /* _HG_KEYS_H */
