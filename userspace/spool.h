/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_SPOOL_H
#define _HG_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hg_spool;

int hg_spool_open(struct hg_spool **out, const char *dir, uint64_t max);
int hg_spool_append(struct hg_spool *s, const void *msg, size_t len);
ssize_t hg_spool_read(struct hg_spool *s, uint64_t off, char **msg, uint64_t *next);
int hg_spool_commit(struct hg_spool *s, uint64_t pos);
uint64_t hg_spool_records(const struct hg_spool *s);
uint64_t hg_spool_pos(const struct hg_spool *s);
uint64_t hg_spool_end(const struct hg_spool *s);
void hg_spool_close(struct hg_spool *s);

#endif /* _HG_SPOOL_H */
