// SPDX-License-Identifier: GPL-2.0
/*
 * Counters for /sys/kernel/security/hashgate/stats.
 */
#include <linux/cpumask.h>

#include "allowlist.h"
#include "cache.h"
#include "event.h"
#include "redirect.h"
#include "measure.h"
#include "measurements.h"
#include "pages.h"
#include "stats.h"

DEFINE_PER_CPU(struct hg_stats, hg_stats);

static const char *const stat_names[__HG_STAT_MAX] = {
	[HG_STAT_HOOK_CALLS] = "hook_calls",
	[HG_STAT_DECISIONS] = "decisions",
	[HG_STAT_CACHE_HITS] = "cache_hits",
	[HG_STAT_CACHE_MISSES] = "cache_misses",
	[HG_STAT_CACHE_WAITS] = "cache_waits",
	[HG_STAT_HASHES] = "hashes",
	[HG_STAT_BYTES_HASHED] = "bytes_hashed",
	[HG_STAT_ALLOWS] = "allows",
	[HG_STAT_DENIES] = "denies",
	[HG_STAT_WOULD_DENIES] = "would_denies",
	[HG_STAT_HOOK_MISSES] = "hook_misses",
	[HG_STAT_EVENTS] = "events",
	[HG_STAT_EVENTS_DROPPED] = "events_dropped",
	[HG_STAT_EVENTS_REPEATED] = "events_repeated",
	[HG_STAT_LIST_LOADS] = "list_loads",
	[HG_STAT_LIST_REJECTS] = "list_rejects",
	[HG_STAT_SCANS] = "scans",
	[HG_STAT_SCAN_FINDINGS] = "scan_findings",
	[HG_STAT_PAGE_DIGESTS_OVER_BUDGET] = "page_digests_over_budget",
};

/**
 * hg_stat_read() - the sum of one counter over all CPUs
 * @s: the counter
 *
 * Return: the sum, with no lock: the other CPUs count on while it is read.
 */
u64 hg_stat_read(enum hg_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(hg_stats, cpu).v[s];
	return sum;
}

/**
 * hg_stats_show() - print every counter as "name value" lines
 * @m: the seq_file of the stats file
 */
void hg_stats_show(struct seq_file *m)
{
	struct hg_list_info li;
	unsigned int files;
	size_t bytes;
	int s;

	for (s = 0; s < __HG_STAT_MAX; s++)
		seq_printf(m, "%s %llu\n", stat_names[s], hg_stat_read(s));

	hg_allowlist_info(&li);
	seq_printf(m, "list_serial %llu\n", li.serial);
	seq_printf(m, "list_digests %u\n", li.digests);
	seq_printf(m, "list_paths %u\n", li.paths);
	seq_printf(m, "list_bytes %zu\n", li.bytes);
	seq_printf(m, "list_bytes_per_digest %zu\n",
		   li.digests ? li.digest_bytes / li.digests : 0);
	seq_printf(m, "cache_entries %u\n", hg_cache_count());
	hg_pages_usage(&bytes, &files);
	seq_printf(m, "page_digest_files %u\n", files);
	seq_printf(m, "page_digest_bytes %zu\n", bytes);
	seq_printf(m, "events_queued %u\n", hg_event_queued());
	hg_ml_stats(m);
	seq_printf(m, "inflight %u\n", hg_wrappers_inflight());
	seq_printf(m, "hash_driver %s\n", hg_measure_driver());
}
