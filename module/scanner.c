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
#include <linux/workqueue.h>
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
 * A scan still running at its deadline is overdue: overdue_work raises it
 * from outside (the scanner may be waiting for a slice of a busy CPU) to
 * nice -20, and it no longer steps aside.
 */
static bool overdue;
static unsigned int overdue_after;	/* seconds, for the message */
static void overdue_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(overdue_work, overdue_fn);

void hg_scan_background(void)
{
	const struct sched_attr idle = { .sched_policy = SCHED_IDLE };

	WARN_ON_ONCE(current != scanner);
	if (READ_ONCE(overdue))
		return;
	sched_setattr_nocheck(current, &idle);
	/* overdue_fn() may have raised it in between. */
	if (READ_ONCE(overdue))
		sched_set_normal(current, MIN_NICE);
}

void hg_scan_foreground(void)
{
	WARN_ON_ONCE(current != scanner);
	sched_set_normal(current, READ_ONCE(overdue) ? MIN_NICE : MAX_NICE);
}

/*
 * For what may end in a file system's own work (a last iput() evicts the
 * inode inside a journal handle): not at SCHED_IDLE, where a busy CPU
 * would make every writer of that file system wait for the scanner.
 */
void hg_scan_unidle(void)
{
	WARN_ON_ONCE(current != scanner);
	sched_set_normal(current, READ_ONCE(overdue) ? MIN_NICE : 0);
}

/*
 * Whoever keeps every CPU busy, an unprivileged user included, would
 * otherwise put a scan off for as long as they like: past its deadline a
 * scan runs at nice -20, so that what it finds comes within scan_interval
 * (at least scan_patience) of when it was due, plus its own time.
 */
static void overdue_fn(struct work_struct *work)
{
	WRITE_ONCE(overdue, true);
	sched_set_normal(scanner, MIN_NICE);
	pr_info("scan overdue after %u s: no longer stepping aside\n",
		overdue_after);
}

bool hg_scan_overdue(void)
{
	return READ_ONCE(overdue);
}

bool hg_scan_stopping(void)
{
	return kthread_should_stop();
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

	while (!READ_ONCE(overdue) && !single_task_running() &&
	       time_before(jiffies, until) && !kthread_should_stop())
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
		/* An asked-for scan is due now, a periodic one was due at next. */
		overdue_after = hg_scan_patience;
		if (want == done)
			overdue_after = max(overdue_after, secs);
		WRITE_ONCE(overdue, false);
		queue_delayed_work(system_wq, &overdue_work,
				   (unsigned long)overdue_after * HZ);
		/* The periodic scan does not run in mode off; asked ones do. */
		ret = want != done || hg_enabled() ? hg_scan_once() : 0;
		cancel_delayed_work_sync(&overdue_work);
		WRITE_ONCE(overdue, false);
		hg_scan_foreground();
		next = jiffies + (unsigned long)secs * HZ;
		spin_lock(&request_lock);
		/* A periodic scan's result is no asked-for one's. */
		if (want != done)
			done_ret = ret;
		done = want;
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
 * Return: 0, -ERESTARTSYS when a signal came while waiting (the scan
 * still runs), -ENOMEM, -ENODEV when the module is going.
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
		return -ERESTARTSYS;
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
	/*
	 * As kthread_bind() does: no one moves it to other CPUs or into a
	 * cgroup that would throttle or freeze it.
	 */
	tsk->flags |= PF_NO_SETAFFINITY;
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
