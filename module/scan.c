// SPDX-License-Identifier: GPL-2.0
/*
 * The scan of resident code: is the code in memory still the code that was
 * verified?
 *
 * A verdict is taken once, when a file is first mapped executable; nothing
 * hooks what happens to the bytes after that. The scan looks, on demand
 * (the scan file) and every scan_interval seconds:
 *
 *   1. the page cache of every file with page digests (pages.c): a resident
 *      page whose digest differs from the one recorded at verification
 *      changed under the kernel (a raw write to the block device, then
 *      eviction and a re-read; a bug; DMA): page-changed. Only resident
 *      pages are read, nothing is read from storage. The file's cached
 *      verdict is dropped, so that its next mapping is verified again.
 *   2. every process's executable mappings: a page of a file mapping that is
 *      anonymous now was copied on write (ptrace, /proc/PID/mem, text
 *      relocations): code-modified; anonymous executable mappings are
 *      counted, and reported as anon-exec. Both follow anon_exec: under
 *      "allow" they are no finding. Only pages present in the page tables
 *      are looked at (FOLL_NOFAULT): nothing is faulted in.
 *
 * A finding is an event (HG_EVENT_RUNTIME) and a line of the report read
 * from the scan file; one found the same in the scan before gets no new
 * event. runtime_action=kill also kills the processes that execute a
 * changed page or run modified code, init excepted (its death is a panic).
 *
 * The scan never waits for an address space: mmap_lock is only tried. A
 * process whose lock is taken is put off until every other process has
 * been walked, then tried again, round after round, HG_SCAN_LOCK_WAIT_MS
 * apart; the rounds, and the waits of a walk whose lock is taken between
 * two holds, share 2 * HG_SCAN_LOCK_TRIES waits per scan: one process, or
 * a thousand, that keep their lock taken cost the scan a second, not a
 * second each; those still locked then are reported unexamined.
 *
 * A lock is held for at most HG_SCAN_PAGES_PER_HOLD pages or
 * HG_SCAN_VMAS_PER_HOLD mappings, then dropped, with a chance to
 * reschedule; the walk goes on from the address it reached, so that
 * mappings changing meanwhile are simply seen as they are then. A process
 * whose copied-on-write file pages exceed HG_SCAN_WALK_MAX of addresses is
 * walked that far and reported unexamined beyond.
 *
 * runtime_action=kill also kills a process left unexamined: it is the
 * process itself that keeps its lock taken or its copied pages past the
 * walk's bound. Uprobes write their breakpoints as copies on write too:
 * under kill, tracing with uprobes kills what it traces (report, then).
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "cache.h"
#include "event.h"
#include "measure.h"
#include "measurements.h"
#include "pages.h"
#include "policy.h"
#include "scan.h"
#include "stats.h"

#define HG_SCAN_PAGES_PER_HOLD	256
#define HG_SCAN_VMAS_PER_HOLD	64
/* Processes whose mmap_lock is taken get this many more tries, in all. */
#define HG_SCAN_LOCK_TRIES	25
#define HG_SCAN_LOCK_WAIT_MS	20
#define HG_SCAN_DEFER_MAX	1024
/* Addresses of one process walked for copied pages, at most. */
#define HG_SCAN_WALK_MAX	SZ_1G
/* Changed files remembered for runtime_action=kill. */
#define HG_SCAN_CHANGED_MAX	64
#define HG_SCAN_GUP_BATCH	32
/* Findings kept per user (login uid) and scan, in 2^bits shares. */
#define HG_SCAN_FINDINGS_PER_USER	32	/* modified code */
#define HG_SCAN_NOISE_PER_USER	16	/* anon-exec, unexamined */
#define HG_SCAN_USER_BITS	10

int hg_runtime_action = HG_RUNTIME_REPORT;

static const char *const action_names[] = {
	[HG_RUNTIME_REPORT] = "report",
	[HG_RUNTIME_KILL] = "kill",
};

struct scan_report {
	u64 scans;
	time64_t time;
	u64 duration_ms;
	u64 processes, busy, mappings, pages, files, file_pages;
	u64 findings, repeated;
	unsigned int kept;
	struct hg_finding f[HG_SCAN_FINDINGS_MAX];
};

/* A file with changed pages: the processes executing them die with kill. */
struct changed_file {
	u64 ino;
	dev_t dev;
	u64 first, last;	/* byte offsets of the first and last page */
};

struct scan {
	struct scan_report *rep;
	const struct scan_report *prev;
	bool kill;
	enum hg_anon_policy anon;
	struct changed_file changed[HG_SCAN_CHANGED_MAX];
	unsigned int nchanged;
	pid_t deferred[HG_SCAN_DEFER_MAX];	/* found locked: tried last */
	unsigned int ndeferred;
	unsigned int waits_left;	/* HG_SCAN_LOCK_WAIT_MS sleeps */
	u8 per_user[2][1 << HG_SCAN_USER_BITS];	/* kept, by kind and share */
	unsigned int noise_kept;
};

static DEFINE_MUTEX(scan_lock);	/* one scan at a time; the reports */
static struct scan_report *last;	/* under scan_lock */
static u64 epoch;			/* under scan_lock */

static void finding_free(struct hg_finding *f)
{
	kfree(f->path);
	kfree(f->exe);
}

static void report_free(struct scan_report *rep)
{
	unsigned int i;

	if (!rep)
		return;
	for (i = 0; i < rep->kept; i++)
		finding_free(&rep->f[i]);
	kvfree(rep);
}

/* The same finding, with the same outcome: a kill is news again. */
static bool same_finding(const struct hg_finding *a, const struct hg_finding *b)
{
	return a->reason == b->reason && a->decision == b->decision &&
	       a->pid == b->pid &&
	       a->ino == b->ino && a->dev == b->dev && a->offset == b->offset &&
	       !memcmp(a->actual, b->actual, HG_PAGE_DIGEST_SIZE);
}

static bool found_before(const struct scan *s, const struct hg_finding *f)
{
	unsigned int i;

	if (!s->prev)
		return false;
	for (i = 0; i < s->prev->kept; i++) {
		if (same_finding(&s->prev->f[i], f))
			return true;
	}
	return false;
}

/*
 * A user's share of the findings kept: what their own processes show must
 * not crowd out the findings of others, nor their own modified code. By
 * login uid, which a user cannot shed, as the event queue does, and by
 * kind: modified code has shares of its own, apart from anonymous
 * executable memory and processes left unexamined, which also have at most
 * half of the report together. Page-cache findings (no process) are
 * nobody's.
 */
static bool within_share(struct scan *s, const struct hg_finding *f)
{
	bool code = f->reason == HG_REASON_CODE_MODIFIED;
	u8 *n;

	if (!f->pid)
		return true;
	if (!code && s->noise_kept >= HG_SCAN_FINDINGS_MAX / 2)
		return false;
	n = &s->per_user[code][hash_32(f->auid != (u32)-1 ? f->auid : f->uid,
				       HG_SCAN_USER_BITS)];
	if (*n >= (code ? HG_SCAN_FINDINGS_PER_USER : HG_SCAN_NOISE_PER_USER))
		return false;
	(*n)++;
	if (!code)
		s->noise_kept++;
	return true;
}

/*
 * Keep @f in the report and send its event, unless the scan before found
 * the same; past HG_SCAN_FINDINGS_MAX findings, or past its user's share,
 * it is only counted. Takes @f's strings either way.
 */
static void add_finding(struct scan *s, struct hg_finding *f)
{
	struct scan_report *rep = s->rep;
	bool repeated = found_before(s, f);

	lockdep_assert_held(&scan_lock);
	rep->findings++;
	hg_stat_inc(HG_STAT_SCAN_FINDINGS);
	if (repeated)
		rep->repeated++;
	if (rep->kept == ARRAY_SIZE(rep->f) || !within_share(s, f)) {
		finding_free(f);
		return;
	}
	if (!repeated) {
		hg_event_runtime(f);
		/* Not waited for: a starved scanner must hold no lock. */
		hg_ml_record(false, NULL,
			     "hashgate:runtime %s pid=%d offset=%llu path=%s",
			     hg_reason_name(f->reason), f->pid, f->offset,
			     f->path ?: "");
	}
	rep->f[rep->kept++] = *f;
}

/* Who: the fields of a finding that name the process. */
static void finding_task(struct hg_finding *f, struct task_struct *tsk,
			 struct mm_struct *mm)
{
	struct file *exe = hg_get_mm_exe_file(mm);

	f->pid = task_tgid_nr(tsk);
	rcu_read_lock();
	f->ppid = task_tgid_nr(rcu_dereference(tsk->real_parent));
	rcu_read_unlock();
	f->uid = from_kuid(&init_user_ns, task_uid(tsk));
	f->auid = from_kuid(&init_user_ns, audit_get_loginuid(tsk));
	get_task_comm(f->comm, tsk);
	if (exe) {
		f->exe = hg_event_path_dup(&exe->f_path);
		fput(exe);
	}
}

/* --- 1. The page cache of files with page digests --- */

static void note_changed(struct scan *s, const struct hg_page_file *pf,
			 u64 first, u64 last_off)
{
	struct changed_file *c;

	if (s->nchanged == ARRAY_SIZE(s->changed))
		return;
	c = &s->changed[s->nchanged++];
	c->ino = pf->ino;
	c->dev = pf->dev;
	c->first = first;
	c->last = last_off;
}

/*
 * Digest the resident, up-to-date pages of @folio within the file's
 * recorded pages. Locked, so that no read from storage is filling it.
 */
static void check_folio(struct scan *s, struct folio *folio,
			struct address_space *mapping,
			const struct hg_page_digests *pd,
			struct hg_finding *f, u64 *nchanged, u64 *last_off)
{
	u8 actual[HG_PAGE_DIGEST_SIZE];
	unsigned long i, n;
	void *addr;
	u64 index;
	int ret;

	if (!folio_trylock(folio))
		return;
	if (folio->mapping != mapping || !folio_test_uptodate(folio))
		goto out;
	n = folio_size(folio) / HG_PAGE_SIZE;
	for (i = 0; i < n; i++) {
		index = (u64)folio->index * (PAGE_SIZE / HG_PAGE_SIZE) + i;
		if (index >= pd->count)
			break;
		addr = kmap_local_folio(folio, i * HG_PAGE_SIZE);
		ret = hg_measure_page(addr, HG_PAGE_SIZE, actual);
		kunmap_local(addr);
		if (ret)
			continue;
		s->rep->file_pages++;
		if (!memcmp(actual, pd->digests[index], HG_PAGE_DIGEST_SIZE))
			continue;
		if (!(*nchanged)++) {
			f->offset = index * HG_PAGE_SIZE;
			memcpy(f->expected, pd->digests[index],
			       HG_PAGE_DIGEST_SIZE);
			memcpy(f->actual, actual, HG_PAGE_DIGEST_SIZE);
		}
		*last_off = index * HG_PAGE_SIZE;
	}
out:
	folio_unlock(folio);
}

/*
 * Let go of the file while the server's work runs first (so that the
 * wait holds up neither an unmount nor an unlinked file's end), then take
 * it again. Return: its inode, or NULL when it went meanwhile.
 */
static struct inode *step_aside_from(const struct hg_page_file *pf,
				     struct inode *inode)
{
	hg_scan_unidle();	/* the iput() may be the last */
	hg_pages_pause(pf, inode);
	hg_scan_background();
	hg_scan_step_aside();
	return hg_pages_resume(pf);
}

/* @inodep: the file's inode, NULL when it went while the scan waited. */
static void check_file(struct scan *s, const struct hg_page_file *pf,
		       struct inode **inodep)
{
	struct address_space *mapping = (*inodep)->i_mapping;
	struct hg_finding f = { .reason = HG_REASON_PAGE_CHANGED };
	const struct hg_page_digests *pd;
	struct folio_batch fbatch;
	u64 nchanged = 0, last_off = 0;
	pgoff_t index = 0, end;
	struct folio *folio;
	unsigned int i;
	bool dead, aside;

	pd = hg_pages_digests(pf, &dead);
	if (dead)
		return;
	s->rep->files++;
	end = DIV_ROUND_UP_ULL(pd->count * HG_PAGE_SIZE, PAGE_SIZE) - 1;
	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &index, end, &fbatch)) {
		/*
		 * A folio at a time: a task woken meanwhile waits for one
		 * folio's digests, not a batch's (no lock is held here).
		 */
		aside = false;
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			folio = fbatch.folios[i];
			check_folio(s, folio, mapping, pd, &f, &nchanged,
				    &last_off);
			cond_resched();
			if (!single_task_running() && !hg_scan_overdue()) {
				index = folio->index + folio_nr_pages(folio);
				aside = true;
				break;
			}
		}
		folio_batch_release(&fbatch);
		if (hg_scan_stopping())
			return;
		if (aside) {
			*inodep = step_aside_from(pf, *inodep);
			if (!*inodep)
				return;
			mapping = (*inodep)->i_mapping;
		}
	}
	/*
	 * A write let through since the pages were taken drops the record
	 * before the bytes change (hooks.c): what it changed is no finding.
	 */
	hg_pages_digests(pf, &dead);
	if (!nchanged || dead)
		return;
	f.count = nchanged;
	f.ino = pf->ino;
	f.dev = pf->dev;
	f.has_digest = true;
	memcpy(f.digest, pf->file_digest, HG_DIGEST_SIZE);
	f.path = kstrdup(pf->path, GFP_KERNEL);
	f.decision = s->kill ? HG_DECISION_KILLED : HG_DECISION_REPORTED;
	strscpy(f.comm, "-", sizeof(f.comm));
	/* Its next mapping is verified again, from the pages as they are. */
	hg_cache_forget(*inodep);
	note_changed(s, pf, f.offset, last_off);
	add_finding(s, &f);
}

static void scan_page_cache(struct scan *s)
{
	struct hg_page_file *pf;
	struct inode *inode;

	lockdep_assert_held(&scan_lock);
	while (!hg_scan_stopping() && (pf = hg_pages_next(epoch, &inode))) {
		check_file(s, pf, &inode);
		hg_scan_unidle();	/* the iput() may be the last */
		hg_pages_done(pf, inode);
		hg_scan_background();
		hg_scan_step_aside();
	}
}

/* --- 2. The executable mappings of every process --- */

/* What one process's walk found. */
struct mm_walk_state {
	unsigned long addr;		/* where the walk goes on */
	unsigned long walked;		/* addresses walked for copied pages */
	unsigned long anon_maps, anon_first;
	bool kill, truncated;
	struct hg_finding *cow;		/* the first copied page's finding */
	unsigned int ncow;
};

/*
 * Try for the lock, without queueing behind a writer that never ends;
 * with @wait, again while the scan has waits left.
 */
static bool lock_mm(struct scan *s, struct mm_struct *mm, bool wait)
{
	while (!mmap_read_trylock(mm)) {
		if (!wait || !s->waits_left)
			return false;
		s->waits_left--;
		msleep(HG_SCAN_LOCK_WAIT_MS);
	}
	return true;
}

static bool executes_changed(const struct scan *s, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	u64 start = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 end = start + (vma->vm_end - vma->vm_start);
	unsigned int i;

	for (i = 0; i < s->nchanged; i++) {
		if (s->changed[i].ino == inode->i_ino &&
		    s->changed[i].dev == inode->i_sb->s_dev &&
		    s->changed[i].first < end && s->changed[i].last >= start)
			return true;
	}
	return false;
}

/* A page of @vma's file at @addr is an anonymous copy now. */
static void note_cow(struct scan *s, struct mm_walk_state *w,
		     struct vm_area_struct *vma, unsigned long addr,
		     struct page *page)
{
	struct inode *inode = file_inode(vma->vm_file);
	struct hg_finding *f;
	void *data;

	if (w->ncow++)
		return;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return;
	f->reason = HG_REASON_CODE_MODIFIED;
	f->address = addr;
	f->offset = ((u64)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
	f->ino = inode->i_ino;
	f->dev = inode->i_sb->s_dev;
	f->path = hg_event_path_dup(&vma->vm_file->f_path);
	data = kmap_local_page(page);
	hg_measure_page(data, HG_PAGE_SIZE, f->actual);
	kunmap_local(data);
	f->has_digest = hg_pages_expected(inode, f->offset / HG_PAGE_SIZE,
					  f->expected, f->digest);
	w->cow = f;
}

/*
 * Pages of a file mapping that are anonymous now: copied on write. Only a
 * mapping with an anon_vma can hold any. Present pages only.
 */
static unsigned long walk_cow(struct scan *s, struct mm_walk_state *w,
			      struct mm_struct *mm, struct vm_area_struct *vma,
			      unsigned long budget)
{
	struct page *pages[HG_SCAN_GUP_BATCH];
	unsigned long start = max(w->addr, vma->vm_start), addr = start;
	unsigned long stop = vma->vm_end;
	unsigned long done = 0;
	long i, n;

	if (stop - start > HG_SCAN_WALK_MAX - w->walked) {
		stop = start + (HG_SCAN_WALK_MAX - w->walked);
		w->truncated = true;
	}

	while (addr < stop && done < budget) {
		n = min_t(long, (stop - addr) >> PAGE_SHIFT, HG_SCAN_GUP_BATCH);
		n = hg_gup_remote(mm, addr, n, FOLL_FORCE | FOLL_NOFAULT, pages);
		if (n <= 0) {
			/* Not present: nothing resident to check there. */
			addr += PAGE_SIZE;
			done++;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (PageAnon(pages[i]))
				note_cow(s, w, vma, addr + i * PAGE_SIZE,
					 pages[i]);
			put_page(pages[i]);
		}
		s->rep->pages += n;
		addr += n * PAGE_SIZE;
		done += n;
	}
	w->walked += addr - start;
	w->addr = addr < stop ? addr : vma->vm_end;
	return done;
}

/* One hold of the lock: up to the budget, from w->addr on. */
static bool walk_some(struct scan *s, struct mm_walk_state *w,
		      struct mm_struct *mm)
{
	unsigned long budget = HG_SCAN_PAGES_PER_HOLD;
	struct vm_area_struct *vma;
	unsigned int nvma;

	for (nvma = 0; budget && nvma < HG_SCAN_VMAS_PER_HOLD; nvma++) {
		vma = find_vma(mm, w->addr);
		if (!vma)
			return true;
		if (w->addr <= vma->vm_start) {
			w->addr = vma->vm_start;
			if (vma->vm_flags & VM_EXEC)
				s->rep->mappings++;
		}
		if (!(vma->vm_flags & VM_EXEC)) {
			w->addr = vma->vm_end;
		} else if (!vma->vm_file) {
			/* The vDSO is the kernel's own: no finding. */
			if (!(vma->vm_flags & VM_DONTEXPAND) &&
			    !w->anon_maps++)
				w->anon_first = vma->vm_start;
			w->addr = vma->vm_end;
		} else {
			if (s->nchanged && executes_changed(s, vma))
				w->kill = true;
			if (s->anon != HG_ANON_ALLOW && vma->anon_vma &&
			    !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
				budget -= min(budget, walk_cow(s, w, mm, vma,
							       budget));
			else
				w->addr = vma->vm_end;
		}
		if (!w->addr)	/* wrapped past the top */
			return true;
	}
	return false;
}

/* The process's mm, from its leader, or from a thread if the leader exited. */
static struct mm_struct *task_mm(struct task_struct *tsk)
{
	struct mm_struct *mm;
	struct task_struct *t;

	if (tsk->flags & PF_KTHREAD)
		return NULL;
	mm = get_task_mm(tsk);
	if (mm)
		return mm;
	rcu_read_lock();
	for_each_thread(tsk, t) {
		mm = get_task_mm(t);
		if (mm)
			break;
	}
	rcu_read_unlock();
	return mm;
}

static void kill_process(struct task_struct *tsk, const char *why)
{
	if (task_tgid_nr(tsk) == 1) {
		pr_warn("init runs %s: not killed (that would panic)\n", why);
		return;
	}
	pr_warn("killing %d (%s): it runs %s\n", task_tgid_nr(tsk), tsk->comm,
		why);
	send_sig(SIGKILL, tsk, 1);
}

static u8 outcome(const struct scan *s, struct task_struct *tsk)
{
	return s->kill && task_tgid_nr(tsk) != 1 ? HG_DECISION_KILLED :
						   HG_DECISION_REPORTED;
}

/* A process the scan could not examine whole; it dies under kill. */
static void report_unexamined(struct scan *s, struct task_struct *tsk,
			      struct mm_struct *mm, unsigned long addr)
{
	struct hg_finding f = {
		.reason = HG_REASON_UNEXAMINED,
		.address = addr,
	};

	f.decision = outcome(s, tsk);
	s->rep->busy++;
	finding_task(&f, tsk, mm);
	add_finding(s, &f);
	if (s->kill)
		kill_process(tsk, "code the scan could not examine");
}

enum scan_try {
	TRY_FIRST,	/* locked: put off, if there is room */
	TRY_AGAIN,	/* locked: still put off */
	TRY_LAST,	/* locked: unexamined */
};

/*
 * Walk one process's executable mappings. Return: false when its lock was
 * taken at the first try and it is put off (@try is not TRY_LAST).
 */
static bool scan_mm(struct scan *s, struct task_struct *tsk,
		    struct mm_struct *mm, enum scan_try try)
{
	struct mm_walk_state w = { };
	struct hg_finding f = { };
	bool done = false, first = true;

	while (!done) {
		if (!lock_mm(s, mm, !first)) {
			if (first && try != TRY_LAST)
				return false;
			report_unexamined(s, tsk, mm, w.addr);
			break;
		}
		if (first)
			s->rep->processes++;
		first = false;
		done = walk_some(s, &w, mm);
		mmap_read_unlock(mm);
		hg_scan_step_aside();
	}
	if (w.truncated)
		report_unexamined(s, tsk, mm, w.addr);

	if (w.cow) {
		w.cow->count = w.ncow;
		w.cow->decision = outcome(s, tsk);
		finding_task(w.cow, tsk, mm);
		add_finding(s, w.cow);
		kfree(w.cow);
	}
	if (w.anon_maps && s->anon != HG_ANON_ALLOW) {
		f.reason = HG_REASON_ANON_EXEC;
		f.decision = HG_DECISION_REPORTED;
		f.address = w.anon_first;
		f.count = w.anon_maps;
		finding_task(&f, tsk, mm);
		add_finding(s, &f);
	}
	if (s->kill && w.ncow)
		kill_process(tsk, "code modified in memory");
	else if (s->kill && w.kill)
		kill_process(tsk, "a changed page of a file");
	return true;
}

/*
 * The process @nr, if it is one and has an address space. Return: false
 * when it was put off.
 */
static bool scan_pid(struct scan *s, pid_t nr, enum scan_try try)
{
	struct task_struct *tsk;
	struct mm_struct *mm;
	bool done = true;

	rcu_read_lock();
	tsk = pid_task(find_pid_ns(nr, &init_pid_ns), PIDTYPE_TGID);
	if (tsk)
		get_task_struct(tsk);
	rcu_read_unlock();
	if (!tsk)
		return true;
	mm = task_mm(tsk);
	if (mm) {
		done = scan_mm(s, tsk, mm, try);
		mmput(mm);
	}
	put_task_struct(tsk);
	return done;
}

/*
 * Every process, by ascending pid; one that comes or goes meanwhile may or
 * may not be seen, as with ps(1). Then those put off, round after round.
 */
static void scan_processes(struct scan *s)
{
	unsigned int i, n, round;
	struct pid *pid;
	int nr = 1;

	lockdep_assert_held(&scan_lock);
	while (!hg_scan_stopping()) {
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		nr = pid ? pid_nr(pid) : 0;
		rcu_read_unlock();
		if (!pid)
			break;
		if (!scan_pid(s, nr, s->ndeferred < HG_SCAN_DEFER_MAX ?
				     TRY_FIRST : TRY_LAST))
			s->deferred[s->ndeferred++] = nr;
		nr++;
		hg_scan_step_aside();
	}

	for (round = 0; s->ndeferred && !hg_scan_stopping(); round++) {
		if (round) {
			if (!s->waits_left)
				break;
			s->waits_left--;
			msleep(HG_SCAN_LOCK_WAIT_MS);
		}
		for (i = n = 0; i < s->ndeferred; i++) {
			if (!scan_pid(s, s->deferred[i], TRY_AGAIN))
				s->deferred[n++] = s->deferred[i];
		}
		s->ndeferred = n;
	}
	/* The module is going: no process is reported, nor killed, for it. */
	if (hg_scan_stopping())
		return;
	for (i = 0; i < s->ndeferred; i++)
		scan_pid(s, s->deferred[i], TRY_LAST);
}

/**
 * hg_scan_once() - scan resident code, in the scanner thread (scanner.c)
 *
 * Return: 0 or -ENOMEM.
 */
int hg_scan_once(void)
{
	struct scan_report *rep;
	u64 t0 = ktime_get_ns();
	struct scan *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	rep = kvzalloc(sizeof(*rep), GFP_KERNEL);
	if (!s || !rep) {
		kfree(s);
		kvfree(rep);
		return -ENOMEM;
	}
	mutex_lock(&scan_lock);
	s->rep = rep;
	s->prev = last;
	s->kill = READ_ONCE(hg_runtime_action) == HG_RUNTIME_KILL;
	s->anon = READ_ONCE(hg_anon_policy);
	s->waits_left = 2 * HG_SCAN_LOCK_TRIES;
	epoch++;
	/* No lock is held across a preemption point here: the CPU no one wants. */
	hg_scan_background();
	scan_page_cache(s);
	/* mmap_lock is, here: not so low that a busy CPU starves its holder. */
	hg_scan_foreground();
	scan_processes(s);
	kfree(s);
	rep->scans = last ? last->scans + 1 : 1;
	rep->time = ktime_get_real_seconds();
	rep->duration_ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	report_free(last);
	last = rep;
	hg_stat_inc(HG_STAT_SCANS);
	mutex_unlock(&scan_lock);
	return 0;
}

static void show_finding(struct seq_file *m, const struct hg_finding *f)
{
	seq_printf(m, "finding reason=%s pid=%d comm=", hg_reason_name(f->reason),
		   f->pid);
	seq_escape(m, f->comm[0] ? f->comm : "-", " \t\n\\");
	seq_printf(m, " offset=%llu address=0x%llx count=%u", f->offset,
		   f->address, f->count);
	if (memchr_inv(f->expected, 0, HG_PAGE_DIGEST_SIZE))
		seq_printf(m, " expected=%*phN", HG_PAGE_DIGEST_SIZE,
			   f->expected);
	else
		seq_puts(m, " expected=-");
	if (memchr_inv(f->actual, 0, HG_PAGE_DIGEST_SIZE))
		seq_printf(m, " actual=%*phN", HG_PAGE_DIGEST_SIZE, f->actual);
	else
		seq_puts(m, " actual=-");
	seq_puts(m, " path=");
	seq_escape(m, f->path ?: "-", " \t\n\\");
	seq_putc(m, '\n');
}

/**
 * hg_scan_show() - the last scan's report, for the scan file
 * @m: where to print it
 *
 * Return: 0 or -EINTR.
 */
int hg_scan_show(struct seq_file *m)
{
	const struct scan_report *r;
	unsigned int i;

	if (mutex_lock_killable(&scan_lock))
		return -EINTR;
	r = last;
	if (!r) {
		seq_puts(m, "scans=0\n");
	} else {
		seq_printf(m, "scans=%llu time=%lld duration_ms=%llu processes=%llu busy=%llu",
			   r->scans, (long long)r->time, r->duration_ms,
			   r->processes, r->busy);
		seq_printf(m, " mappings=%llu pages=%llu files=%llu file_pages=%llu",
			   r->mappings, r->pages, r->files, r->file_pages);
		seq_printf(m, " findings=%llu kept=%u repeated=%llu\n",
			   r->findings, r->kept, r->repeated);
		for (i = 0; i < r->kept; i++)
			show_finding(m, &r->f[i]);
	}
	mutex_unlock(&scan_lock);
	return 0;
}

const char *hg_runtime_action_name(enum hg_runtime_action action)
{
	return action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

/**
 * hg_runtime_action_parse() - "report" or "kill", with or without a newline
 * @s: the text
 *
 * Return: enum hg_runtime_action, or -EINVAL.
 */
int hg_runtime_action_parse(const char *s)
{
	return sysfs_match_string(action_names, s);
}

/**
 * hg_runtime_action_store() - "report" or "kill"
 * @s: the text, with or without a newline
 * @may_lower: the caller holds CAP_SYS_ADMIN (report is lower than kill)
 *
 * Return: 0, -EINVAL or -EPERM.
 */
int hg_runtime_action_store(const char *s, bool may_lower)
{
	int action = hg_runtime_action_parse(s);
	int ret = 0;

	if (action < 0)
		return -EINVAL;
	mutex_lock(&hg_policy_lock);
	if (action < hg_runtime_action && (hg_locked || !may_lower)) {
		ret = -EPERM;
	} else if (action != hg_runtime_action) {
		pr_info("runtime_action %s (was %s)\n",
			hg_runtime_action_name(action),
			hg_runtime_action_name(hg_runtime_action));
		hg_event_setting("runtime_action", hg_runtime_action_name(action),
				 hg_runtime_action_name(hg_runtime_action));
		WRITE_ONCE(hg_runtime_action, action);
	}
	mutex_unlock(&hg_policy_lock);
	return ret;
}

/**
 * hg_scan_free_report() - free the last scan's report, once no scan runs
 */
void hg_scan_free_report(void)
{
	mutex_lock(&scan_lock);
	report_free(last);
	last = NULL;
	mutex_unlock(&scan_lock);
}
