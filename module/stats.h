/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_STATS_H
#define _HG_STATS_H

#include <linux/percpu.h>
#include <linux/seq_file.h>

enum hg_stat {
	HG_STAT_HOOK_CALLS,	/* wrappers entered */
	HG_STAT_DECISIONS,	/* decisions taken while not off */
	HG_STAT_CACHE_HITS,
	HG_STAT_CACHE_MISSES,
	HG_STAT_CACHE_WAITS,	/* misses that waited for another hasher */
	HG_STAT_HASHES,
	HG_STAT_BYTES_HASHED,
	HG_STAT_ALLOWS,
	HG_STAT_DENIES,
	HG_STAT_WOULD_DENIES,
	HG_STAT_HOOK_MISSES,	/* decided without a verdict (mprotect miss) */
	HG_STAT_EVENTS,
	HG_STAT_EVENTS_DROPPED,
	HG_STAT_EVENTS_REPEATED,	/* audit: same file, same process again */
	HG_STAT_LIST_LOADS,
	HG_STAT_LIST_REJECTS,
	HG_STAT_SCANS,
	HG_STAT_SCAN_FINDINGS,
	/* Verified files left without page digests: budget, or memory. */
	HG_STAT_PAGE_DIGESTS_OVER_BUDGET,
	__HG_STAT_MAX
};

struct hg_stats {
	u64 v[__HG_STAT_MAX];
};

DECLARE_PER_CPU(struct hg_stats, hg_stats);

/* Per-CPU so that the hot path never bounces a cache line. */
static inline void hg_stat_add(enum hg_stat s, u64 n)
{
	this_cpu_add(hg_stats.v[s], n);
}

static inline void hg_stat_inc(enum hg_stat s)
{
	this_cpu_inc(hg_stats.v[s]);
}

u64 hg_stat_read(enum hg_stat s);
void hg_stats_show(struct seq_file *m);

#endif /* _HG_STATS_H */
