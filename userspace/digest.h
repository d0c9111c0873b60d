/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_DIGEST_H
#define _HG_DIGEST_H

#include <stdint.h>

#include "uapi/hashgate.h"

int hg_digest_fd(int fd, uint8_t digest[HG_DIGEST_SIZE]);

#endif /* _HG_DIGEST_H */
