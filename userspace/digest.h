/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_DIGEST_H
#define _HG_DIGEST_H

#include <stdint.h>

#include "uapi/hashgate.h"

#include <stddef.h>

struct hg_digest;

int hg_digest_fd(int fd, uint8_t digest[HG_DIGEST_SIZE]);
/* Streaming, for data that is not a file (an archive member): -ENOMEM. */
int hg_digest_begin(struct hg_digest **d);
int hg_digest_update(struct hg_digest *d, const void *buf, size_t len);
int hg_digest_end(struct hg_digest *d, uint8_t digest[HG_DIGEST_SIZE]);
void hg_digest_free(struct hg_digest *d);

#endif /* _HG_DIGEST_H */
