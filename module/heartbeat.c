// SPDX-License-Identifier: GPL-2.0
/*
 * The heartbeat: every heartbeat seconds, a record with the mode, the active
 * list's serial and the main counters. A quiet server still sends it; a
 * sensor that stopped does not, so a receiver can tell the two apart.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/workqueue.h>

#include "event.h"
#include "heartbeat.h"
#include "policy.h"
#include "stats.h"

static struct delayed_work beat;
static unsigned long period __ro_after_init;	/* jiffies; 0: no heartbeat */

static void send_beat(struct work_struct *work)
{
	char counters[256];
	size_t len;

	len = scnprintf(counters, sizeof(counters),
			"decisions=%llu allows=%llu denies=%llu would_denies=%llu",
			hg_stat_read(HG_STAT_DECISIONS), hg_stat_read(HG_STAT_ALLOWS),
			hg_stat_read(HG_STAT_DENIES),
			hg_stat_read(HG_STAT_WOULD_DENIES));
	scnprintf(counters + len, sizeof(counters) - len,
		  " hashes=%llu events=%llu events_dropped=%llu",
		  hg_stat_read(HG_STAT_HASHES), hg_stat_read(HG_STAT_EVENTS),
		  hg_stat_read(HG_STAT_EVENTS_DROPPED));
	hg_event_heartbeat(counters, READ_ONCE(hg_locked));
	schedule_delayed_work(&beat, period);
}

/**
 * hg_heartbeat_init() - send a heartbeat every @seconds, from now on
 * @seconds: the period; 0 sends none
 */
void __init hg_heartbeat_init(unsigned int seconds)
{
	period = (unsigned long)seconds * HZ;
	if (!period)
		return;
	INIT_DELAYED_WORK(&beat, send_beat);
	schedule_delayed_work(&beat, period);
}

/**
 * hg_heartbeat_exit() - no heartbeat after this returns
 */
void hg_heartbeat_exit(void)
{
	/* Also stops a beat that is about to schedule the next one. */
	if (period)
		cancel_delayed_work_sync(&beat);
}
