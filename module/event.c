// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream: binary struct hg_event records in a bounded queue, read
 * by one reader from securityfs.
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
#include "stats.h"
#include "hook.h"
#include "thunk.h"

/*
 * Records waiting are bounded in number (event_ring) and in bytes (a path
 * can make a record 8 KiB): HG_EVENT_BYTES_PER_SLOT on average. So that one
 * user flooding the queue with their own denials cannot push out another's,
 * a user (by uid, in HG_UID_BUCKETS shares) may hold at most half of either
 * bound; their further records are dropped and counted while others still
 * find room.
 */
#define HG_EVENT_BYTES_PER_SLOT	1024
#define HG_UID_BUCKETS_BITS	8

static struct {
	spinlock_t lock;	/* the fields below; taken by hooks, never held long */
	struct hg_event **slots;
	unsigned int size, head, count;
	size_t bytes, max_bytes;
	struct {
		unsigned int count;
		size_t bytes;
	} by_uid[1 << HG_UID_BUCKETS_BITS];
	u64 next_seq;
	u64 dropped;		/* since the last record queued */
	u32 load_id;
	wait_queue_head_t wait;
	atomic_t reader;
} ring;

static unsigned int uid_bucket(const struct hg_event *rec)
{
	return hash_32(rec->uid, HG_UID_BUCKETS_BITS);
}

/* Room for @rec, its user's share included. Under ring.lock. */
static bool room_for(const struct hg_event *rec)
{
	unsigned int b = uid_bucket(rec);

	return ring.count < ring.size &&
	       ring.bytes + rec->size <= ring.max_bytes &&
	       ring.by_uid[b].count < ring.size / 2 &&
	       ring.by_uid[b].bytes + rec->size <= ring.max_bytes / 2;
}

/* Account @rec in (@sign 1) or out (-1) of the queue. Under ring.lock. */
static void account(const struct hg_event *rec, int sign)
{
	unsigned int b = uid_bucket(rec);

	ring.count += sign;
	ring.bytes += sign * (ssize_t)rec->size;
	ring.by_uid[b].count += sign;
	ring.by_uid[b].bytes += sign * (ssize_t)rec->size;
}

static void queue(struct hg_event *rec)
{
	unsigned long flags;

	spin_lock_irqsave(&ring.lock, flags);
	ring.next_seq++;
	if (!rec || !room_for(rec)) {
		ring.dropped++;
		spin_unlock_irqrestore(&ring.lock, flags);
		hg_stat_inc(HG_STAT_EVENTS_DROPPED);
		kfree(rec);
		return;
	}
	rec->seq = ring.next_seq;
	rec->dropped_before = ring.dropped;
	ring.dropped = 0;
	ring.slots[(ring.head + ring.count) % ring.size] = rec;
	account(rec, 1);
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
unsigned long hg_orig_d_absolute_path;

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

static u64 active_serial(void)
{
	struct hg_allowlist *list;
	u64 serial = 0;

	rcu_read_lock();
	list = rcu_dereference(hg_active_list);
	if (list)
		serial = list->view.serial;
	rcu_read_unlock();
	return serial;
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
 * hg_event_list_load() - record that @list became active
 * @list: the new list; its content digest and signer go into the record
 */
void hg_event_list_load(const struct hg_allowlist *list)
{
	queue_config(HG_EVENT_LIST_LOAD, list->signer[0] ? HG_EVENT_F_SIGNED : 0,
		     list->view.serial, list->blob_digest, HG_REASON_NONE,
		     list->signer);
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
 * hg_event_queued() - records waiting for the reader
 */
unsigned int hg_event_queued(void)
{
	return READ_ONCE(ring.count);
}

/* Draining or holding the queue hides violations: CAP_MAC_ADMIN, as for writes. */
static int events_open(struct inode *inode, struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN))
		return -EPERM;
	if (atomic_cmpxchg(&ring.reader, 0, 1))
		return -EBUSY;
	return 0;
}

static int events_release(struct inode *inode, struct file *file)
{
	atomic_set(&ring.reader, 0);
	return 0;
}

static struct hg_event *pop_if_fits(size_t room, bool *too_big)
{
	struct hg_event *rec = NULL;
	unsigned long flags;

	*too_big = false;
	spin_lock_irqsave(&ring.lock, flags);
	if (ring.count) {
		rec = ring.slots[ring.head];
		if (rec->size > room) {
			*too_big = true;
			rec = NULL;
		} else {
			ring.head = (ring.head + 1) % ring.size;
			account(rec, -1);
		}
	}
	spin_unlock_irqrestore(&ring.lock, flags);
	return rec;
}

/*
 * A record the reader could not take: first in line again, or, when the
 * queue filled up meanwhile, counted as dropped by the record after it.
 * It was in the queue a moment ago: the per-user share is not asked again.
 */
static void push_back(struct hg_event *rec)
{
	unsigned long flags;

	spin_lock_irqsave(&ring.lock, flags);
	if (ring.count < ring.size) {
		ring.head = (ring.head + ring.size - 1) % ring.size;
		ring.slots[ring.head] = rec;
		account(rec, 1);
		rec = NULL;
	} else {
		/* Lost just before the oldest record left, which says so. */
		ring.slots[ring.head]->dropped_before++;
	}
	spin_unlock_irqrestore(&ring.lock, flags);
	if (rec) {
		hg_stat_inc(HG_STAT_EVENTS_DROPPED);
		kfree(rec);
	}
}

/* Whole records only; EINVAL when the buffer cannot hold the next one. */
static ssize_t events_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	struct hg_event *rec;
	size_t done = 0;
	bool too_big;
	int ret;

	if (!(file->f_flags & O_NONBLOCK)) {
		ret = wait_event_interruptible(ring.wait, READ_ONCE(ring.count));
		if (ret)
			return ret;
	}
	while ((rec = pop_if_fits(len - done, &too_big))) {
		if (copy_to_user(buf + done, rec, rec->size)) {
			push_back(rec);
			return done ?: -EFAULT;
		}
		done += rec->size;
		kfree(rec);
	}
	if (done)
		return done;
	return too_big ? -EINVAL : -EAGAIN;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &ring.wait, wait);
	return READ_ONCE(ring.count) ? EPOLLIN | EPOLLRDNORM : 0;
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
int hg_event_init(unsigned int ring_size)
{
	hg_orig_d_absolute_path = hg_hook_lookup_name("d_absolute_path");
	if (!hg_orig_d_absolute_path) {
		pr_err("cannot find d_absolute_path\n");
		return -ENOENT;
	}
	spin_lock_init(&ring.lock);
	init_waitqueue_head(&ring.wait);
	ring.size = clamp(ring_size, 16U, 1U << 20);
	ring.max_bytes = max_t(size_t, (size_t)ring.size * HG_EVENT_BYTES_PER_SLOT,
			       64 * 1024);
	ring.slots = kvcalloc(ring.size, sizeof(*ring.slots), GFP_KERNEL);
	do {
		ring.load_id = get_random_u32();
	} while (!ring.load_id);
	return ring.slots ? 0 : -ENOMEM;
}

/**
 * hg_event_exit() - free queued records; no hook and no reader remain
 */
void hg_event_exit(void)
{
	while (ring.count) {
		struct hg_event *rec = ring.slots[ring.head];

		ring.head = (ring.head + 1) % ring.size;
		account(rec, -1);
		kfree(rec);
	}
	kvfree(ring.slots);
}
