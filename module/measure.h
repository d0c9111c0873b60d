/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_MEASURE_H
#define _HG_MEASURE_H

#include <linux/types.h>

struct file;

int hg_measure_init(void);
void hg_measure_exit(void);
int hg_measure_file(struct file *file, u8 *digest, bool *is_script);
int hg_measure_buffer(const void *buf, size_t len, u8 *digest);
const char *hg_measure_driver(void);

#endif /* _HG_MEASURE_H */
