// SPDX-License-Identifier: GPL-2.0
/*
 * Where and when scans run: one kernel thread, hashgate-scan, runs every
 * scan (scan.c), those asked for through the scan file and the periodic
 * ones, so that every scan runs at the priority chosen here whoever asks.
 *
 * A scan is background work that must not slow the server's own: while it
 * reads the page cache, where it holds no lock a task could wait for across
 * a point where it may be preempted, it runs as SCHED_IDLE. While it walks
 * address spaces it holds mmap_lock (for a bounded stretch, scan.c), and a
 * SCHED_IDLE holder could be starved by a busy CPU while the process waits
 * on it to mmap(), so there it runs at nice 19, as khugepaged does for the
 * same walk. In both, between steps, it steps aside while other tasks are
 * runnable on its CPU (hg_scan_step_aside()), until the scan is overdue.
 * What step aside may cost a server's work (the exec storm beside a scan):
 * Documentation/performance.rst.
 *
 * A writer of the scan file waits for the first scan that starts after its
 * request; requests that come while a scan runs share the next one.
 */
#include <linux/freezer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/sched/prio.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <uapi/linux/sched/types.h>

#include "event.h"
#include "policy.h"
#include "scan.h"

/* The longest the scanner steps aside for the server's work, at a time. */
#define HG_SCAN_ASIDE_MS	100

unsigned int hg_scan_interval;
unsigned int hg_scan_patience = HG_SCAN_PATIENCE_DEFAULT;

static struct task_struct *scanner;
static DECLARE_WAIT_QUEUE_HEAD(scanner_wait);	/* the thread sleeps here */
static DECLARE_WAIT_QUEUE_HEAD(done_wait);	/* writers wait here */
static DEFINE_SPINLOCK(request_lock);
/* Under request_lock: scans asked for, and the requests the last one met. */
static u64 asked, done;
static int done_ret;
static bool rearm;	/* scan_interval changed: count it from now */
static bool stopped;
/*
 * The scanner thread's own: a scan still running at @deadline is overdue,
 * and runs at nice 0 without stepping aside from then on.
 */
static unsigned long deadline;
static bool overdue;

void hg_scan_background(void)
{
	const struct sched_attr idle = { .sched_policy = SCHED_IDLE };

	WARN_ON_ONCE(current != scanner);
	if (!overdue)
		sched_setattr_nocheck(current, &idle);
}

void hg_scan_foreground(void)
{
	WARN_ON_ONCE(current != scanner);
	sched_set_normal(current, overdue ? 0 : MAX_NICE);
}

/*
 * Whoever keeps every CPU busy, an unprivileged user included, would
 * otherwise put a scan off for as long as they like: past its deadline a
 * scan takes its fair share of the CPU, so that what it finds comes
 * within scan_interval (at least scan_patience) of when it was due.
 */
static bool check_overdue(void)
{
	if (!overdue && time_after(jiffies, deadline)) {
		overdue = true;
		sched_set_normal(current, 0);
		pr_info("scan overdue after %u s: no longer stepping aside\n",
			max(hg_scan_patience, READ_ONCE(hg_scan_interval)));
	}
	return overdue;
}

/**
 * hg_scan_step_aside() - let the server's work run first
 *
 * Called between folios, holds and processes, with no lock held. While
 * other tasks are runnable on this CPU the scanner sleeps, a tick at a
 * time, up to HG_SCAN_ASIDE_MS: a scheduler gives even a SCHED_IDLE task
 * slices of a busy CPU (6.1's CFS a sixth of it in the exec storm), and
 * this gives them back. A woken scanner goes to an idle CPU if there is
 * one; on CPUs that are never idle the scan still ends, a step per
 * HG_SCAN_ASIDE_MS.
 */
void hg_scan_step_aside(void)
{
	unsigned long until = jiffies + msecs_to_jiffies(HG_SCAN_ASIDE_MS);

	while (!check_overdue() && !single_task_running() && time_before(jiffies, until) &&
	       !kthread_should_stop())
		schedule_timeout_idle(1);
	cond_resched();
}

static bool work_waiting(void)
{
	return kthread_should_stop() || READ_ONCE(asked) != READ_ONCE(done) ||
	       READ_ONCE(rearm);
}

static int scanner_fn(void *unused)
{
	unsigned int secs = READ_ONCE(hg_scan_interval);
	unsigned long next = jiffies + (unsigned long)secs * HZ;
	bool periodic;
	u64 want;
	int ret;

	set_freezable();
	hg_scan_foreground();
	while (!kthread_should_stop()) {
		spin_lock(&request_lock);
		want = asked;
		if (rearm) {
			secs = hg_scan_interval;
			next = jiffies + (unsigned long)secs * HZ;
			rearm = false;
		}
		spin_unlock(&request_lock);

		periodic = secs && time_after_eq(jiffies, next);
		if (want == done && !periodic) {
			long timeout = MAX_SCHEDULE_TIMEOUT;

			if (secs)
				timeout = max_t(long, next - jiffies, 1);
			wait_event_freezable_timeout(scanner_wait,
						     work_waiting(), timeout);
			continue;
		}
		/* The periodic scan does not run in mode off; asked ones do. */
		deadline = jiffies + (unsigned long)max(hg_scan_patience, secs) * HZ;
		overdue = false;
		ret = want != done || hg_enabled() ? hg_scan_once() : 0;
		overdue = false;
		hg_scan_foreground();
		next = jiffies + (unsigned long)secs * HZ;
		spin_lock(&request_lock);
		done = want;
		done_ret = ret;
		spin_unlock(&request_lock);
		wake_up_all(&done_wait);
	}
	return 0;
}

static bool request_met(u64 ticket, int *ret)
{
	bool met;

	spin_lock(&request_lock);
	met = stopped || done >= ticket;
	*ret = stopped ? -ENODEV : done_ret;
	spin_unlock(&request_lock);
	return met;
}

/**
 * hg_scan_run() - scan resident code now, and wait for it
 *
 * Return: 0, -EINTR when a signal came while waiting (the scan still
 * runs), -ENOMEM, -ENODEV when the module is going.
 */
int hg_scan_run(void)
{
	u64 ticket;
	int ret;

	spin_lock(&request_lock);
	ticket = ++asked;
	spin_unlock(&request_lock);
	wake_up(&scanner_wait);
	/* Interruptible: a signal ends the wait, not the scan. */
	if (wait_event_interruptible(done_wait, request_met(ticket, &ret)))
		return -EINTR;
	return ret;
}

/* Scanning less often, or never, lowers the protection. */
static bool interval_lowers(unsigned int to, unsigned int from)
{
	return from && (!to || to > from);
}

/**
 * hg_scan_interval_store() - seconds between periodic scans, 0 for none
 * @s: the number, at most HG_SCAN_INTERVAL_MAX
 * @may_lower: the caller holds CAP_SYS_ADMIN
 *
 * The next periodic scan comes @s seconds after the change.
 *
 * Return: 0, -EINVAL or -EPERM.
 */
int hg_scan_interval_store(const char *s, bool may_lower)
{
	unsigned int secs;
	char was[16], now[16];
	int ret;

	ret = kstrtouint(s, 10, &secs);
	if (ret || secs > HG_SCAN_INTERVAL_MAX)
		return -EINVAL;
	mutex_lock(&hg_policy_lock);
	if (interval_lowers(secs, hg_scan_interval) &&
	    (hg_locked || !may_lower)) {
		ret = -EPERM;
	} else if (secs != hg_scan_interval) {
		snprintf(was, sizeof(was), "%u", hg_scan_interval);
		snprintf(now, sizeof(now), "%u", secs);
		pr_info("scan_interval %s (was %s)\n", now, was);
		hg_event_setting("scan_interval", now, was);
		spin_lock(&request_lock);
		WRITE_ONCE(hg_scan_interval, secs);
		WRITE_ONCE(rearm, true);
		spin_unlock(&request_lock);
		wake_up(&scanner_wait);
	}
	mutex_unlock(&hg_policy_lock);
	return ret;
}

/**
 * hg_scan_init() - start the thread that runs scans
 *
 * Return: 0 or the error of kthread_create().
 */
int hg_scan_init(void)
{
	struct task_struct *tsk;

	/* Named before it runs: the thread checks it is the scanner. */
	tsk = kthread_create(scanner_fn, NULL, "hashgate-scan");
	if (IS_ERR(tsk))
		return PTR_ERR(tsk);
	scanner = tsk;
	wake_up_process(tsk);
	return 0;
}

/**
 * hg_scan_exit() - no scan runs after this returns; the report is freed
 */
void hg_scan_exit(void)
{
	if (scanner)
		kthread_stop(scanner);
	scanner = NULL;
	spin_lock(&request_lock);
	stopped = true;
	spin_unlock(&request_lock);
	wake_up_all(&done_wait);
	hg_scan_free_report();
}
