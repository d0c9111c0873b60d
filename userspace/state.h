/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_STATE_H
#define _HG_STATE_H

#include <stddef.h>
#include <stdint.h>

/* The highest allowlist serial loaded: the rollback floor across reboots. */
#define HG_STATE_DEFAULT	"/var/lib/hashgate"
#define HG_STATE_FILE		"serial"

void hg_state_path(char *buf, size_t size);
int hg_state_read(uint64_t *serial);
int hg_state_record(uint64_t serial, uint64_t *recorded);

#endif /* _HG_STATE_H */
