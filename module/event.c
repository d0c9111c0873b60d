// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream: binary struct hg_event records in a bounded queue, read
 * from securityfs by any number of readers, each with its own cursor.
 *
 * A hook never waits for the reader. When the queue is full, or a record
 * cannot be allocated without sleeping where sleeping is not allowed, the
 * record is dropped and counted; the next record that makes it carries the
 * count in dropped_before, and seq numbers keep counting dropped records, so
 * a consumer always knows exactly how much it missed. Only this file formats
 * records; turning them into text or SIEM formats is the tool's job.
 *
 * Every record carries the load id, random for each load of the module, as
 * seq starts again at 1 with each load: a receiver tells a reload from a
 * replay by it. The first record of a load says so (HG_EVENT_LOAD).
 */
#include <linux/audit.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/hash.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "allowlist.h"
#include "cache.h"
#include "event.h"
#include "policy.h"
#include "scan.h"
#include "stats.h"
#include "redirect.h"
#include "thunk.h"

/*
 * The record's layout is ABI, given field by field in
 * Documentation/events.rst: a change to it must fail the build here.
 */
static_assert(sizeof(struct hg_event) == 136);
static_assert(offsetof(struct hg_event, size) == 0);
static_assert(offsetof(struct hg_event, version) == 4);
static_assert(offsetof(struct hg_event, type) == 5);
static_assert(offsetof(struct hg_event, flags) == 6);
static_assert(offsetof(struct hg_event, __reserved0) == 7);
static_assert(offsetof(struct hg_event, seq) == 8);
static_assert(offsetof(struct hg_event, dropped_before) == 16);
static_assert(offsetof(struct hg_event, time_ns) == 24);
static_assert(offsetof(struct hg_event, boot_ns) == 32);
static_assert(offsetof(struct hg_event, list_serial) == 40);
static_assert(offsetof(struct hg_event, ino) == 48);
static_assert(offsetof(struct hg_event, dev) == 56);
static_assert(offsetof(struct hg_event, pid) == 60);
static_assert(offsetof(struct hg_event, ppid) == 64);
static_assert(offsetof(struct hg_event, uid) == 68);
static_assert(offsetof(struct hg_event, auid) == 72);
static_assert(offsetof(struct hg_event, hook) == 76);
static_assert(offsetof(struct hg_event, mode) == 77);
static_assert(offsetof(struct hg_event, decision) == 78);
static_assert(offsetof(struct hg_event, reason) == 79);
static_assert(offsetof(struct hg_event, digest) == 80);
static_assert(offsetof(struct hg_event, comm) == 112);
static_assert(offsetof(struct hg_event, exe_len) == 128);
static_assert(offsetof(struct hg_event, path_len) == 130);
static_assert(offsetof(struct hg_event, load_id) == 132);
static_assert(sizeof(struct hg_event_page) == 56);
static_assert(offsetof(struct hg_event_page, offset) == 0);
static_assert(offsetof(struct hg_event_page, address) == 8);
static_assert(offsetof(struct hg_event_page, count) == 16);
static_assert(offsetof(struct hg_event_page, __reserved) == 20);
static_assert(offsetof(struct hg_event_page, expected) == 24);
static_assert(offsetof(struct hg_event_page, actual) == 40);

/*
 * Records held are bounded in number (event_ring) and in bytes (a path can
 * make a record 8 KiB): HG_EVENT_BYTES_PER_SLOT on average. So that one
 * user flooding the queue with their own denials cannot push out another's,
 * a user (by login uid, else uid, in HG_UID_BUCKETS shares) may have at most
 * half of either bound waiting for delivery; their further records are
 * dropped and counted while others still find room.
 *
 * Readers: each open file has its own cursor, and every reader sees every
 * record; none takes one from another. A reader of "events" is a consumer,
 * the one that delivers (the forwarder): a record is delivered once any
 * consumer has read it, and a consumer opened later starts after what was
 * delivered, so a restarted forwarder neither repeats nor skips. A reader of
 * "events_tap" (an administrator watching) delivers nothing: what it reads
 * still waits for a consumer. A record is freed once delivered and read by
 * every open reader. When the queue is full, the oldest delivered record
 * makes room, so a stalled reader costs only itself (it finds the gap in
 * dropped_before); a record nobody delivered yet is never pushed out: the
 * new one is dropped and counted instead.
 */
#define HG_EVENT_BYTES_PER_SLOT	1024
#define HG_UID_BUCKETS_BITS	8
/*
 * The largest record: two paths (the executable and the file), and a
 * runtime record's page trailer after them.
 */
#define HG_EVENT_MAX_SIZE	(ALIGN(sizeof(struct hg_event) + 2 * PATH_MAX, 8) + \
				 sizeof(struct hg_event_page))

struct hg_reader {
	struct list_head node;	/* in ring.readers, under ring.lock */
	u64 pos;		/* ring index of the next record to read */
	u64 last_seq;		/* seq of the last record read */
	bool consumer;
	struct mutex read_lock;	/* one read(2) at a time on this file */
	struct hg_event *copy;	/* HG_EVENT_MAX_SIZE: a record taken under lock */
};

/*
 * Records have ring indexes, counting every record ever queued: the slots
 * hold [first, end), delivered ones first: [first, delivered).
 */
static struct {
	spinlock_t lock;	/* the fields below; taken by hooks, never held long */
	struct hg_event **slots;
	unsigned int size, head;	/* head: the slot of record first */
	u64 first, delivered, end;
	size_t bytes, max_bytes;	/* of the records held */
	struct {
		unsigned int count;
		size_t bytes;
	} by_uid[1 << HG_UID_BUCKETS_BITS];	/* of those not delivered */
	u64 next_seq;
	u64 dropped;		/* since the last record queued */
	u32 load_id;
	wait_queue_head_t wait;
	struct list_head readers;
} ring;

/*
 * Whose share a record counts in: the login uid, which a user cannot shed
 * (their subordinate uids in a user namespace keep it), else the uid.
 */
static unsigned int uid_bucket(const struct hg_event *rec)
{
	return hash_32(rec->auid != (u32)-1 ? rec->auid : rec->uid,
		       HG_UID_BUCKETS_BITS);
}

/* The record at ring index @i, first <= i < end. Under ring.lock. */
static struct hg_event *slot(u64 i)
{
	lockdep_assert_held(&ring.lock);
	return ring.slots[(ring.head + (unsigned int)(i - ring.first)) % ring.size];
}

static bool full(size_t size)
{
	return ring.end - ring.first == ring.size ||
	       ring.bytes + size > ring.max_bytes;
}

/* Is @rec within its user's share of what waits for delivery? Under ring.lock. */
static bool within_share(const struct hg_event *rec)
{
	unsigned int b = uid_bucket(rec);

	lockdep_assert_held(&ring.lock);
	return ring.by_uid[b].count < ring.size / 2 &&
	       ring.by_uid[b].bytes + rec->size <= ring.max_bytes / 2;
}

/* Count @rec in (@sign 1) or out (-1) of its user's share. Under ring.lock. */
static void share(const struct hg_event *rec, int sign)
{
	unsigned int b = uid_bucket(rec);

	lockdep_assert_held(&ring.lock);
	ring.by_uid[b].count += sign;
	ring.by_uid[b].bytes += sign * (ssize_t)rec->size;
}

/* Free the oldest record, delivered. Under ring.lock. */
static void free_first(void)
{
	struct hg_event *rec = slot(ring.first);

	ring.bytes -= rec->size;
	ring.head = (ring.head + 1) % ring.size;
	ring.first++;
	kfree(rec);
}

/* Records up to @end (not included) are delivered. Under ring.lock. */
static void deliver(u64 end)
{
	for (; ring.delivered < end; ring.delivered++)
		share(slot(ring.delivered), -1);
}

/* Free what is delivered and every open reader has read. Under ring.lock. */
static void trim(void)
{
	u64 done = ring.delivered;
	struct hg_reader *r;

	lockdep_assert_held(&ring.lock);
	list_for_each_entry(r, &ring.readers, node)
		done = min(done, r->pos);
	while (ring.first < done)
		free_first();
}

static void queue(struct hg_event *rec)
{
	unsigned long flags;

	if (rec && WARN_ON_ONCE(rec->size > HG_EVENT_MAX_SIZE)) {
		kfree(rec);
		rec = NULL;
	}
	spin_lock_irqsave(&ring.lock, flags);
	ring.next_seq++;
	if (rec && !within_share(rec)) {
		kfree(rec);
		rec = NULL;
	}
	/* Readers that have not read the oldest delivered records lose them. */
	while (rec && full(rec->size) && ring.first < ring.delivered)
		free_first();
	if (!rec || full(rec->size)) {
		ring.dropped++;
		spin_unlock_irqrestore(&ring.lock, flags);
		hg_stat_inc(HG_STAT_EVENTS_DROPPED);
		kfree(rec);
		return;
	}
	rec->seq = ring.next_seq;
	rec->dropped_before = ring.dropped;
	ring.dropped = 0;
	ring.slots[(ring.head + (unsigned int)(ring.end - ring.first)) % ring.size] = rec;
	WRITE_ONCE(ring.end, ring.end + 1);	/* readable() peeks */
	ring.bytes += rec->size;
	share(rec, 1);
	spin_unlock_irqrestore(&ring.lock, flags);
	hg_stat_inc(HG_STAT_EVENTS);
	wake_up_interruptible(&ring.wait);
}

static u32 ppid_of_current(void)
{
	u32 ppid;

	rcu_read_lock();
	ppid = task_tgid_nr(rcu_dereference(current->real_parent));
	rcu_read_unlock();
	return ppid;
}

/* Who did it: the fields every record carries. */
static void fill_task(struct hg_event *rec)
{
	rec->version = HG_EVENT_VERSION;
	rec->load_id = ring.load_id;
	rec->time_ns = ktime_get_real_ns();
	rec->boot_ns = ktime_get_boottime_ns();
	rec->pid = task_tgid_nr(current);
	rec->ppid = ppid_of_current();
	rec->uid = from_kuid(&init_user_ns, current_uid());
	rec->auid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	get_task_comm(rec->comm, current);
}

/* d_absolute_path() is not exported; found at load (thunk.S calls it). */
unsigned long hg_orig_d_absolute_path __ro_after_init;

/*
 * The path from the initial root, whatever root or mount namespace the
 * process is in: a process in a chroot must not be able to name another
 * file than the one it used. Into @buf (PATH_MAX bytes); returns the
 * length, 0 when there is none. A longer path is cut to the longest suffix
 * that fits, and @truncated is set.
 */
static u16 path_of(const struct path *path, char *buf, char **out,
		   bool *truncated)
{
	char *p = hg_call_d_absolute_path(path, buf, PATH_MAX);

	if (p == ERR_PTR(-ENAMETOOLONG)) {
		/* d_path.c fills the buffer from its end until it is full. */
		*truncated = true;
		*out = buf;
		return strnlen(buf, PATH_MAX - 1);
	}
	if (IS_ERR(p)) {
		*out = buf;
		return 0;
	}
	*out = p;
	return buf + PATH_MAX - 1 - p;
}

/**
 * hg_event_path_dup() - @path from the initial root, as events give it
 * @path: a file's path
 *
 * Return: a kmalloc'd string, NULL when there is none or memory is short.
 */
char *hg_event_path_dup(const struct path *path)
{
	bool cut = false;
	char *buf, *p, *dup = NULL;
	u16 len;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return NULL;
	len = path_of(path, buf, &p, &cut);
	if (len)
		dup = kmemdup_nul(p, len, GFP_KERNEL);
	kfree(buf);
	return dup;
}

/* Does the current task see the files from another root than init's? */
static bool foreign_root(void)
{
	struct path root, init_root;
	bool foreign;

	if (!current->fs || !current->nsproxy)
		return false;
	if (current->nsproxy->mnt_ns != init_task.nsproxy->mnt_ns)
		return true;
	get_fs_root(current->fs, &root);
	get_fs_root(init_task.fs, &init_root);
	foreign = !path_equal(&root, &init_root);
	path_put(&root);
	path_put(&init_root);
	return foreign;
}

/*
 * In audit mode one exec passes several hooks (exec open, bprm_check, the
 * ELF loader's mmap) and each would deny: report a file once per process
 * and kind of access, not once per hook. Enforce stops at the first hook,
 * so every deny there is a separate attempt and always reported.
 */
static struct {
	spinlock_t lock;	/* protects the table and next */
	struct {
		pid_t tgid;
		u8 reason;
		u8 access;
		u64 list_gen;
		struct hg_cache_key key;
	} seen[32];
	unsigned int next;
} recent = { .lock = __SPIN_LOCK_UNLOCKED(recent.lock) };

/* Hooks that see one and the same exec of a file count as one access. */
static u8 access_of(enum hg_hook hook)
{
	switch (hook) {
	case HG_HOOK_EXEC_OPEN:
	case HG_HOOK_BPRM_CHECK:
		return HG_HOOK_MMAP;
	default:
		return hook;
	}
}

/**
 * hg_event_reported_before() - was this would-deny reported already
 * @key: the file's content key, all zero for anonymous memory
 * @list_gen: the generation of the list it was judged by
 * @reason: why it would be denied
 * @hook: where it was seen
 *
 * Remembers it when not: the next call with the same current process, key,
 * list, reason and kind of access (access_of()) returns true. The table
 * holds the last 32; an older entry is forgotten and reported again.
 *
 * Return: true when the caller should count a repeat instead of a record.
 */
bool hg_event_reported_before(const struct hg_cache_key *key, u64 list_gen,
			      u8 reason, enum hg_hook hook)
{
	pid_t tgid = task_tgid_nr(current);
	u8 access = access_of(hook);
	bool seen = false;
	unsigned int i;

	spin_lock(&recent.lock);
	for (i = 0; i < ARRAY_SIZE(recent.seen); i++) {
		if (recent.seen[i].tgid == tgid &&
		    recent.seen[i].reason == reason &&
		    recent.seen[i].access == access &&
		    recent.seen[i].list_gen == list_gen &&
		    hg_cache_key_equal(&recent.seen[i].key, key)) {
			seen = true;
			break;
		}
	}
	if (!seen) {
		i = recent.next++ % ARRAY_SIZE(recent.seen);
		recent.seen[i].tgid = tgid;
		recent.seen[i].reason = reason;
		recent.seen[i].access = access;
		recent.seen[i].list_gen = list_gen;
		recent.seen[i].key = *key;
	}
	spin_unlock(&recent.lock);
	return seen;
}

/**
 * hg_event_exec() - record a decision on an executable mapping or a write
 * @path: the file, NULL for anonymous memory
 * @hook: where it was seen
 * @mode: the mode in force
 * @decision: what was done
 * @v: the verdict, with digest and reason
 * @serial: serial of the allowlist decided against, 0 for none
 * @gfp: GFP_KERNEL where the hook may sleep, else GFP_NOWAIT
 */
void hg_event_exec(const struct path *path, enum hg_hook hook,
		   enum hg_mode mode, enum hg_decision decision,
		   const struct hg_verdict *v, u64 serial, gfp_t gfp)
{
	struct inode *inode = path ? d_real_inode(path->dentry) : NULL;
	char *tmp, *exe_p = NULL, *path_p = NULL;
	u16 exe_len = 0, path_len = 0;
	struct hg_event *rec = NULL;
	bool exe_cut = false, cut = false;
	struct file *exe = NULL;
	size_t size;

	tmp = kmalloc(2 * PATH_MAX, gfp | __GFP_NOWARN);
	if (!tmp)
		goto out;
	if (current->mm)
		exe = hg_get_mm_exe_file(current->mm);
	if (exe)
		exe_len = path_of(&exe->f_path, tmp, &exe_p, &exe_cut);
	if (path)
		path_len = path_of(path, tmp + PATH_MAX, &path_p, &cut);

	size = ALIGN(sizeof(*rec) + exe_len + path_len, 8);
	rec = kzalloc(size, gfp | __GFP_NOWARN);
	if (!rec)
		goto out;
	fill_task(rec);
	rec->size = size;
	rec->type = HG_EVENT_EXEC;
	rec->list_serial = serial;
	if (inode) {
		rec->ino = inode->i_ino;
		rec->dev = new_encode_dev(inode->i_sb->s_dev);
	}
	rec->hook = hook;
	rec->mode = mode;
	rec->decision = decision;
	rec->reason = v->reason;
	if (cut || exe_cut)
		rec->flags |= HG_EVENT_F_PATH_TRUNCATED;
	/* Under mmap_lock (GFP_NOWAIT) no sleeping lock: the root is unknown. */
	if (gfpflags_allow_blocking(gfp) && foreign_root())
		rec->flags |= HG_EVENT_F_FOREIGN_ROOT;
	if (v->has_digest) {
		rec->flags |= HG_EVENT_F_DIGEST;
		memcpy(rec->digest, v->digest, HG_DIGEST_SIZE);
	}
	rec->exe_len = exe_len;
	rec->path_len = path_len;
	if (exe_len)
		memcpy(rec + 1, exe_p, exe_len);
	if (path_len)
		memcpy((char *)(rec + 1) + exe_len, path_p, path_len);
out:
	/* A NULL record is counted as dropped. */
	queue(rec);
	if (exe)
		fput(exe);
	kfree(tmp);
}

/* The serial of the active list, 0 for none. */
static u64 active_serial(void)
{
	u64 serial;

	hg_allowlist_snapshot(&serial);
	return serial;
}

/**
 * hg_event_runtime() - record a finding of the scan of resident code
 * @f: the finding; its process, or pid 0 for none
 */
void hg_event_runtime(const struct hg_finding *f)
{
	u16 exe_len = f->exe ? strnlen(f->exe, HG_PATH_MAX - 1) : 0;
	u16 path_len = f->path ? strnlen(f->path, HG_PATH_MAX - 1) : 0;
	size_t strings = ALIGN(sizeof(struct hg_event) + exe_len + path_len, 8);
	struct hg_event_page *page;
	struct hg_event *rec;

	rec = kzalloc(strings + sizeof(*page), GFP_KERNEL);
	if (rec) {
		rec->version = HG_EVENT_VERSION;
		rec->load_id = ring.load_id;
		rec->time_ns = ktime_get_real_ns();
		rec->boot_ns = ktime_get_boottime_ns();
		rec->size = strings + sizeof(*page);
		rec->type = HG_EVENT_RUNTIME;
		rec->flags = HG_EVENT_F_PAGE;
		rec->hook = HG_HOOK_SCAN;
		rec->mode = READ_ONCE(hg_mode);
		rec->decision = f->decision;
		rec->reason = f->reason;
		rec->list_serial = active_serial();
		rec->pid = f->pid;
		rec->ppid = f->ppid;
		rec->uid = f->pid ? f->uid : 0;
		rec->auid = f->pid ? f->auid : (u32)-1;
		if (f->pid)
			memcpy(rec->comm, f->comm, HG_COMM_SIZE);
		rec->ino = f->ino;
		rec->dev = new_encode_dev(f->dev);
		if (f->has_digest) {
			rec->flags |= HG_EVENT_F_DIGEST;
			memcpy(rec->digest, f->digest, HG_DIGEST_SIZE);
		}
		rec->exe_len = exe_len;
		rec->path_len = path_len;
		memcpy(rec + 1, f->exe, exe_len);
		memcpy((char *)(rec + 1) + exe_len, f->path, path_len);
		page = (void *)rec + strings;
		page->offset = f->offset;
		page->address = f->address;
		page->count = f->count;
		memcpy(page->expected, f->expected, HG_PAGE_DIGEST_SIZE);
		memcpy(page->actual, f->actual, HG_PAGE_DIGEST_SIZE);
	}
	queue(rec);
}

/* A record about the allowlist or the keys; @text goes where a path would. */
static void queue_config(u8 type, u8 flags, u64 serial, const u8 *digest,
			 u8 reason, const char *text)
{
	size_t len = text ? strnlen(text, HG_PATH_MAX) : 0;
	size_t size = ALIGN(sizeof(struct hg_event) + len, 8);
	struct hg_event *rec = kzalloc(size, GFP_KERNEL);

	if (rec) {
		fill_task(rec);
		rec->size = size;
		rec->type = type;
		rec->flags = flags;
		rec->mode = READ_ONCE(hg_mode);
		rec->reason = reason;
		rec->list_serial = serial;
		if (digest) {
			rec->flags |= HG_EVENT_F_DIGEST;
			memcpy(rec->digest, digest, HG_DIGEST_SIZE);
		}
		rec->path_len = len;
		if (len)
			memcpy(rec + 1, text, len);
	}
	queue(rec);
}

/**
 * hg_event_list_load() - record that an allowlist became active
 * @serial: its serial
 * @digest: the digest of its signed content
 * @signer: the key that signed it, "" if unsigned
 */
void hg_event_list_load(u64 serial, const u8 *digest, const char *signer)
{
	queue_config(HG_EVENT_LIST_LOAD, signer[0] ? HG_EVENT_F_SIGNED : 0,
		     serial, digest, HG_REASON_NONE, signer);
}

/**
 * hg_event_list_reject() - record that an allowlist was refused
 * @serial: the serial it offered, 0 when unreadable
 * @digest: the digest of its content, or NULL
 * @reason: why (HG_REASON_MALFORMED ... HG_REASON_ROLLBACK)
 */
void hg_event_list_reject(u64 serial, const u8 *digest, enum hg_reason reason)
{
	queue_config(HG_EVENT_LIST_REJECT, 0, serial, digest, reason, NULL);
}

/**
 * hg_event_key_add() - record that a key is trusted from now on
 * @description: the key's "<subject>: <key id>"
 */
void hg_event_key_add(const char *description)
{
	queue_config(HG_EVENT_KEY_ADD, 0, active_serial(), NULL, HG_REASON_NONE,
		     description);
}

/**
 * hg_event_mode() - record a change of mode or lock
 * @mode: the mode now
 * @locked: whether the mode is locked now
 */
void hg_event_mode(enum hg_mode mode, bool locked)
{
	struct hg_event *rec = kzalloc(sizeof(*rec), GFP_KERNEL);

	if (rec) {
		fill_task(rec);
		rec->size = sizeof(*rec);
		rec->type = HG_EVENT_MODE;
		rec->mode = mode;
		rec->list_serial = active_serial();
		rec->flags = locked ? HG_EVENT_F_LOCKED : 0;
	}
	queue(rec);
}

/**
 * hg_event_setting() - record that a setting changed
 * @name: "anon_exec", "trusted_fs" or "keys_lock"
 * @value: its value now, without spaces
 * @was: its value before
 */
void hg_event_setting(const char *name, const char *value, const char *was)
{
	char *text = kasprintf(GFP_KERNEL, "name=%s value=%s was=%s", name,
			       value, was);

	if (!text) {
		queue(NULL);
		return;
	}
	queue_config(HG_EVENT_SETTING, 0, active_serial(), NULL, HG_REASON_NONE,
		     text);
	kfree(text);
}

/**
 * hg_event_load() - the first record of this load of the module
 * @settings: "key=value ..." of its version, hash driver and settings
 */
void hg_event_load(const char *settings)
{
	queue_config(HG_EVENT_LOAD, 0, 0, NULL, HG_REASON_NONE, settings);
}

/**
 * hg_event_heartbeat() - the module is alive: mode, list and counters
 * @counters: "key=value ..."
 * @locked: whether the mode is locked
 *
 * Comes from a worker, not a task anyone should be told about: no pid,
 * no user, no command.
 */
void hg_event_heartbeat(const char *counters, bool locked)
{
	size_t len = strnlen(counters, HG_PATH_MAX);
	size_t size = ALIGN(sizeof(struct hg_event) + len, 8);
	struct hg_event *rec = kzalloc(size, GFP_KERNEL);

	if (rec) {
		rec->version = HG_EVENT_VERSION;
		rec->load_id = ring.load_id;
		rec->time_ns = ktime_get_real_ns();
		rec->boot_ns = ktime_get_boottime_ns();
		rec->auid = (u32)-1;
		rec->size = size;
		rec->type = HG_EVENT_HEARTBEAT;
		rec->flags = locked ? HG_EVENT_F_LOCKED : 0;
		rec->mode = READ_ONCE(hg_mode);
		rec->list_serial = active_serial();
		rec->path_len = len;
		memcpy(rec + 1, counters, len);
	}
	queue(rec);
}

/**
 * hg_event_queued() - records no consumer has read yet
 *
 * Return: their count.
 */
unsigned int hg_event_queued(void)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&ring.lock, flags);
	n = ring.end - ring.delivered;
	spin_unlock_irqrestore(&ring.lock, flags);
	return n;
}

/*
 * Reading is seeing every violation: CAP_MAC_ADMIN, as for writes. A
 * consumer starts after what was delivered; a tap at the oldest record
 * held, so that it also sees what still waits for delivery.
 */
static int open_reader(struct file *file, bool consumer)
{
	struct hg_reader *r;
	unsigned long flags;

	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN))
		return -EPERM;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->copy = kvmalloc(HG_EVENT_MAX_SIZE, GFP_KERNEL);
	if (!r->copy) {
		kfree(r);
		return -ENOMEM;
	}
	mutex_init(&r->read_lock);
	r->consumer = consumer;
	spin_lock_irqsave(&ring.lock, flags);
	r->pos = consumer ? ring.delivered : ring.first;
	/* As if it had read what came before: the first record's gap counts. */
	if (r->pos < ring.end)
		r->last_seq = slot(r->pos)->seq - slot(r->pos)->dropped_before - 1;
	else
		r->last_seq = ring.next_seq - ring.dropped;
	list_add_tail(&r->node, &ring.readers);
	spin_unlock_irqrestore(&ring.lock, flags);
	file->private_data = r;
	return 0;
}

/* events_tap is created with HG_EVENT_TAP as its data: a watcher's file. */
static int events_open(struct inode *inode, struct file *file)
{
	return open_reader(file, inode->i_private != HG_EVENT_TAP);
}

static int events_release(struct inode *inode, struct file *file)
{
	struct hg_reader *r = file->private_data;
	unsigned long flags;

	spin_lock_irqsave(&ring.lock, flags);
	list_del(&r->node);
	trim();
	spin_unlock_irqrestore(&ring.lock, flags);
	kvfree(r->copy);
	kfree(r);
	return 0;
}

/*
 * Copy the reader's next record into r->copy if it fits in @room. Returns
 * its ring index, -EAGAIN when there is none, -EINVAL when it does not fit.
 * A record pushed out before this reader got to it is skipped: the seq gap
 * says so.
 */
static s64 take(struct hg_reader *r, size_t room)
{
	struct hg_event *rec;
	unsigned long flags;
	s64 ret = -EAGAIN;

	spin_lock_irqsave(&ring.lock, flags);
	if (r->pos < ring.first)
		WRITE_ONCE(r->pos, ring.first);
	if (r->pos < ring.end) {
		rec = slot(r->pos);
		if (rec->size > room) {
			ret = -EINVAL;
		} else {
			memcpy(r->copy, rec, rec->size);
			ret = r->pos;
		}
	}
	spin_unlock_irqrestore(&ring.lock, flags);
	return ret;
}

/* The record at ring index @i reached the reader. */
static void advance(struct hg_reader *r, u64 i)
{
	unsigned long flags;

	spin_lock_irqsave(&ring.lock, flags);
	WRITE_ONCE(r->pos, i + 1);
	r->last_seq = r->copy->seq;
	if (r->consumer)
		deliver(max(ring.delivered, r->pos));
	trim();
	spin_unlock_irqrestore(&ring.lock, flags);
}

static bool readable(struct hg_reader *r)
{
	return READ_ONCE(r->pos) < READ_ONCE(ring.end);
}

/*
 * Whole records only; EINVAL when the buffer cannot hold the next one. A
 * record whose copy faults stays the reader's next. dropped_before is what
 * this reader missed just before the record: the seq gap since the last
 * record it read (records dropped, or pushed out before it read them).
 */
static ssize_t events_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	struct hg_reader *r = file->private_data;
	struct hg_event *rec = r->copy;
	size_t done = 0;
	s64 i = 0;
	int ret;

	do {
		if (!(file->f_flags & O_NONBLOCK)) {
			ret = wait_event_interruptible(ring.wait, readable(r));
			if (ret)
				return ret;
		}
		if (mutex_lock_interruptible(&r->read_lock))
			return -ERESTARTSYS;
		while ((i = take(r, len - done)) >= 0) {
			rec->dropped_before = rec->seq - r->last_seq - 1;
			if (copy_to_user(buf + done, rec, rec->size)) {
				i = -EFAULT;
				break;
			}
			done += rec->size;
			advance(r, i);
		}
		mutex_unlock(&r->read_lock);
		/* Another read(2) on this file took them while this one waited. */
	} while (!done && i == -EAGAIN && !(file->f_flags & O_NONBLOCK));
	return done ?: i;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	struct hg_reader *r = file->private_data;

	poll_wait(file, &ring.wait, wait);
	return readable(r) ? EPOLLIN | EPOLLRDNORM : 0;
}

const struct file_operations hg_event_fops = {
	.owner = THIS_MODULE,
	.open = events_open,
	.release = events_release,
	.read = events_read,
	.poll = events_poll,
	.llseek = noop_llseek,
};

/**
 * hg_event_init() - allocate the queue
 * @ring_size: records it holds before dropping
 *
 * Return: 0 or -ENOMEM.
 */
int __init hg_event_init(unsigned int ring_size)
{
	hg_orig_d_absolute_path = hg_redirect_lookup_name("d_absolute_path");
	if (!hg_orig_d_absolute_path) {
		pr_err("cannot find d_absolute_path\n");
		return -ENOENT;
	}
	spin_lock_init(&ring.lock);
	init_waitqueue_head(&ring.wait);
	INIT_LIST_HEAD(&ring.readers);
	ring.size = clamp(ring_size, 16U, 1U << 20);
	ring.max_bytes = max_t(size_t, (size_t)ring.size * HG_EVENT_BYTES_PER_SLOT,
			       64 * 1024);
	ring.slots = kvcalloc(ring.size, sizeof(*ring.slots), GFP_KERNEL);
	do {
		ring.load_id = get_random_u32();
	} while (!ring.load_id);
	return ring.slots ? 0 : -ENOMEM;
}

/* Free every record, delivered or not: nothing reads the queue any more. */
static void drain(void)
{
	unsigned long flags;

	spin_lock_irqsave(&ring.lock, flags);
	deliver(ring.end);
	while (ring.first < ring.end)
		free_first();
	spin_unlock_irqrestore(&ring.lock, flags);
}

/**
 * hg_event_exit() - free queued records; no hook and no reader remain
 */
void hg_event_exit(void)
{
	drain();
	kvfree(ring.slots);
}

#ifdef DEBUG
#include "selftest/event.c"
#endif
