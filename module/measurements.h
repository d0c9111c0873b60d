/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_MEASUREMENTS_H
#define _HG_MEASUREMENTS_H

#include <linux/compiler_attributes.h>
#include <linux/fs.h>
#include <linux/types.h>

struct path;
struct seq_file;

#define HG_MEASURE_MAX_DEFAULT	65536
/* TCG's "application support" PCR: see Documentation/admin-guide.rst. */
#define HG_MEASURE_PCR_DEFAULT	23
#define HG_MEASURE_PCR_MAX	23

int hg_ml_init(unsigned int max_entries, unsigned int pcr);
void hg_ml_exit(void);
void hg_ml_file(const struct path *path, const u8 *digest, bool would_deny,
		bool may_sleep);
__printf(3, 4)
void hg_ml_record(bool may_sleep, const u8 *digest, const char *fmt, ...);
void hg_ml_stats(struct seq_file *m);

/* Both files: the binary one is created with HG_ML_BINARY as its data. */
extern const struct file_operations hg_ml_fops;
#define HG_ML_BINARY ((void *)1)

#endif /* _HG_MEASUREMENTS_H */
