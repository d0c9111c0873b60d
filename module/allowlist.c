// SPDX-License-Identifier: GPL-2.0
/*
 * The active allowlist: one validated blob, swapped as a whole under RCU.
 *
 * The blob written by userspace is kept as it is: the digests are already a
 * sorted array (32 bytes each, bisected in place) and the path index is
 * sorted too, so nothing is rebuilt and memory per digest stays at the
 * digest itself. A blob that fails validation is freed and changes nothing.
 */
#include <linux/build_bug.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "allowlist.h"
#include "cache.h"
#include "event.h"
#include "measure.h"
#include "measurements.h"
#include "policy.h"
#include "stats.h"

/*
 * The blob's layout is ABI, given field by field in
 * Documentation/allowlist-format.rst: a change to it must fail the build.
 */
static_assert(sizeof(struct hg_list_header) == 32);
static_assert(offsetof(struct hg_list_header, magic) == 0);
static_assert(offsetof(struct hg_list_header, version) == 4);
static_assert(offsetof(struct hg_list_header, header_size) == 6);
static_assert(offsetof(struct hg_list_header, serial) == 8);
static_assert(offsetof(struct hg_list_header, digest_count) == 16);
static_assert(offsetof(struct hg_list_header, path_count) == 20);
static_assert(offsetof(struct hg_list_header, strings_size) == 24);
static_assert(offsetof(struct hg_list_header, hash_algo) == 28);
static_assert(offsetof(struct hg_list_header, flags) == 30);
static_assert(sizeof(struct hg_list_path) == 16);
static_assert(offsetof(struct hg_list_path, name_off) == 0);
static_assert(offsetof(struct hg_list_path, name_len) == 4);
static_assert(offsetof(struct hg_list_path, digest_index) == 8);
static_assert(offsetof(struct hg_list_path, reserved) == 12);

/*
 * The active list is this file's alone, as WireGuard's allowedips.c keeps its
 * trie roots: others ask for a snapshot (generation and serial), a digest
 * judged or a path looked up, and never see the blob.
 */
struct hg_allowlist {
	struct hg_list_view view;	/* points into blob */
	u64 gen;			/* load counter, never 0 */
	size_t bytes;			/* memory held, blob included */
	u8 blob_digest[HG_DIGEST_SIZE];	/* of the signed content */
	char signer[HG_SIGNER_MAX];	/* key description, "" if unsigned */
	struct rcu_head rcu;
	void *blob;
};

static struct hg_allowlist __rcu *active_list;
bool hg_require_signature;
unsigned long long hg_min_serial;
static u64 last_gen;

static void list_free(struct hg_allowlist *list)
{
	kvfree(list->blob);
	kfree(list);
}

static void list_free_rcu(struct rcu_head *rcu)
{
	list_free(container_of(rcu, struct hg_allowlist, rcu));
}

static enum hg_reason reason_of(int err)
{
	switch (err) {
	case -EKEYREJECTED:
	case -EBADMSG:
	case -ENOPKG:
		return HG_REASON_BAD_SIGNATURE;
	case -ENOKEY:
		return HG_REASON_UNKNOWN_KEY;
	case -EACCES:
		return HG_REASON_UNSIGNED;
	case -ESTALE:
		return HG_REASON_ROLLBACK;
	case -ENODATA:
		return HG_REASON_NO_ALLOWLIST;
	default:
		return HG_REASON_MALFORMED;
	}
}

/* Signed by a trusted key, or unsigned where that is allowed. */
static int check_signature(struct hg_allowlist *list)
{
	const struct hg_list_view *v = &list->view;
	int ret;

	if (!v->sig)
		return READ_ONCE(hg_require_signature) ? -EACCES : 0;
	ret = hg_keys_verify(list->blob, v->signed_size, v->sig, v->sig_len,
			     list->signer);
	/* A message the PKCS#7 parser cannot read is a bad signature. */
	return ret == -EBADMSG || ret == -ENOPKG ? -EKEYREJECTED : ret;
}

/*
 * Serials never go down, and one serial names one content: replaying an
 * older list, or another list under the active one's serial, is refused.
 */
static int check_rollback(const struct hg_allowlist *list,
			  const struct hg_allowlist *old)
{
	if (list->view.serial < READ_ONCE(hg_min_serial))
		return -ESTALE;
	if (!old || list->view.serial > old->view.serial)
		return 0;
	if (list->view.serial == old->view.serial &&
	    !memcmp(list->blob_digest, old->blob_digest, HG_DIGEST_SIZE))
		return 0;
	return -ESTALE;
}

/**
 * hg_allowlist_load() - validate a blob from userspace and make it active
 * @buf: the blob, in user memory
 * @len: its size
 *
 * Return: 0; -EINVAL for a malformed blob, -EFBIG for one over
 * HG_LIST_MAX_SIZE, -ENODATA for an empty list while enforcing,
 * -EKEYREJECTED for a bad signature, -ENOKEY when no trusted key signed it,
 * -EACCES for an unsigned list while signatures are required, -ESTALE for
 * a rollback, -ENOMEM, -EFAULT. On error the active list stays and a
 * rejection event says why.
 */
int hg_allowlist_load(const void __user *buf, size_t len)
{
	struct hg_allowlist *list, *old;
	bool digested = false;
	int ret;

	if (len > HG_LIST_MAX_SIZE) {
		ret = -EFBIG;
		goto rejected;
	}
	list = kzalloc(sizeof(*list), GFP_KERNEL);
	if (!list) {
		ret = -ENOMEM;
		goto rejected;
	}
	list->blob = kvmalloc(len ?: 1, GFP_KERNEL);
	if (!list->blob) {
		kfree(list);
		ret = -ENOMEM;
		goto rejected;
	}
	if (copy_from_user(list->blob, buf, len)) {
		ret = -EFAULT;
		goto free;
	}
	ret = hg_list_parse(list->blob, len, &list->view);
	if (ret)
		goto free;
	ret = hg_measure_buffer(list->blob, list->view.signed_size,
				list->blob_digest);
	if (ret)
		goto free;
	digested = true;
	ret = check_signature(list);
	if (ret)
		goto free;
	list->bytes = len + sizeof(*list);

	/*
	 * One lock with the mode (policy.c): "enforce needs a non-empty list"
	 * is checked and kept under it by both sides, and the new list is
	 * only read here while no other load can replace and free it.
	 */
	mutex_lock(&hg_policy_lock);
	old = rcu_dereference_protected(active_list,
					lockdep_is_held(&hg_policy_lock));
	ret = check_rollback(list, old);
	/* An empty list would deny everything, the way back included. */
	if (!ret && !list->view.digest_count && hg_mode == HG_MODE_ENFORCE)
		ret = -ENODATA;
	if (ret) {
		mutex_unlock(&hg_policy_lock);
		goto free;
	}
	list->gen = ++last_gen;
	rcu_assign_pointer(active_list, list);
	/* Verdicts name their list generation; this only frees memory. */
	hg_cache_flush();
	hg_stat_inc(HG_STAT_LIST_LOADS);
	hg_event_list_load(list->view.serial, list->blob_digest, list->signer);
	hg_ml_record(true, list->blob_digest,
		     "hashgate:allowlist serial=%llu signer=%s",
		     list->view.serial,
		     list->signer[0] ? list->signer : "unsigned");
	pr_info("allowlist serial %llu active: %u digests, %u paths%s%s\n",
		list->view.serial, list->view.digest_count,
		list->view.path_count, list->signer[0] ? ", signed by " : "",
		list->signer);
	mutex_unlock(&hg_policy_lock);
	if (old)
		call_rcu(&old->rcu, list_free_rcu);
	return 0;

free:
	hg_event_list_reject(list->view.serial,
			     digested ? list->blob_digest : NULL,
			     reason_of(ret));
	list_free(list);
	hg_stat_inc(HG_STAT_LIST_REJECTS);
	pr_warn("allowlist rejected (%d), the active list stays\n", ret);
	return ret;
rejected:
	hg_event_list_reject(0, NULL, reason_of(ret));
	hg_stat_inc(HG_STAT_LIST_REJECTS);
	pr_warn("allowlist rejected (%d), the active list stays\n", ret);
	return ret;
}

/**
 * hg_allowlist_info() - numbers about the active list, for stats
 * @info: filled in; all zero without a list
 */
void hg_allowlist_info(struct hg_list_info *info)
{
	struct hg_allowlist *list;

	memset(info, 0, sizeof(*info));
	rcu_read_lock();
	list = rcu_dereference(active_list);
	if (list) {
		info->serial = list->view.serial;
		info->gen = list->gen;
		info->digests = list->view.digest_count;
		info->paths = list->view.path_count;
		info->bytes = list->bytes;
		memcpy(info->digest, list->blob_digest, HG_DIGEST_SIZE);
		strscpy(info->signer, list->signer, sizeof(info->signer));
		info->digest_bytes = sizeof(*list) +
				     sizeof(struct hg_list_header) +
				     (size_t)info->digests * HG_DIGEST_SIZE;
	}
	rcu_read_unlock();
}

/**
 * hg_allowlist_snapshot() - the active list, by generation and serial
 * @serial: set to the active list's serial, 0 without a list
 *
 * Return: the active list's generation, 0 without a list.
 */
u64 hg_allowlist_snapshot(u64 *serial)
{
	struct hg_allowlist *list;
	u64 gen = 0;

	*serial = 0;
	rcu_read_lock();
	list = rcu_dereference(active_list);
	if (list) {
		gen = list->gen;
		*serial = list->view.serial;
	}
	rcu_read_unlock();
	return gen;
}

/**
 * hg_allowlist_judge() - look a content digest up in the active list
 * @digest: the digest, HG_DIGEST_SIZE bytes
 * @gen: set to the generation of the list it was judged by, 0 without one
 * @serial: set to that list's serial; left as it is without a list
 * @has_paths: set when the digest is not listed and the list has paths, so
 *	that the caller may ask hg_allowlist_path_listed()
 *
 * Return: HG_REASON_NONE for a listed digest, HG_REASON_NOT_IN_ALLOWLIST
 * for one that is not, HG_REASON_NO_ALLOWLIST without a list.
 */
enum hg_reason hg_allowlist_judge(const u8 *digest, u64 *gen, u64 *serial,
				  bool *has_paths)
{
	enum hg_reason reason = HG_REASON_NO_ALLOWLIST;
	struct hg_allowlist *list;

	*gen = 0;
	*has_paths = false;
	rcu_read_lock();
	list = rcu_dereference(active_list);
	if (list) {
		*gen = list->gen;
		*serial = list->view.serial;
		if (hg_list_has_digest(&list->view, digest)) {
			reason = HG_REASON_NONE;
		} else {
			reason = HG_REASON_NOT_IN_ALLOWLIST;
			*has_paths = list->view.path_count;
		}
	}
	rcu_read_unlock();
	return reason;
}

/**
 * hg_allowlist_path_listed() - is a path in the list of generation @gen
 * @gen: the generation a digest was judged by
 * @path: the path, not necessarily NUL-terminated
 * @len: its length
 *
 * Return: true when the list of generation @gen is still active and lists
 * @path (with whatever digest); false otherwise.
 */
bool hg_allowlist_path_listed(u64 gen, const char *path, size_t len)
{
	struct hg_allowlist *list;
	bool listed = false;

	rcu_read_lock();
	list = rcu_dereference(active_list);
	if (list && list->gen == gen)
		listed = hg_list_find_path(&list->view, path, len) >= 0;
	rcu_read_unlock();
	return listed;
}

/**
 * hg_allowlist_digests() - digests in the active list
 *
 * Return: the digest count of the active list, 0 without one.
 */
u32 hg_allowlist_digests(void)
{
	struct hg_list_info info;

	hg_allowlist_info(&info);
	return info.digests;
}

/**
 * hg_allowlist_exit() - free the active list; no hook may run any more
 */
void hg_allowlist_exit(void)
{
	struct hg_allowlist *list;

	list = rcu_replace_pointer(active_list, NULL, true);
	synchronize_rcu();
	if (list)
		list_free(list);
	/* Lists replaced earlier are freed by call_rcu(). */
	rcu_barrier();
}
