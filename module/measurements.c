// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement list: evidence, for an evaluator, of what ran.
 *
 * One entry per distinct (digest, name) that was allowed to map code (in
 * audit mode also those that would have been denied), per allowlist made
 * active, per change of mode or lock and per runtime finding. Entries use
 * IMA's ima-ng template, so that evmctl and Keylime read the list as they
 * read IMA's. With a TPM each entry extends one PCR, in list order, before
 * the mapping that caused it goes on: a quote of that PCR then proves that
 * the list shown is the one the kernel wrote, even to whoever later takes
 * the kernel.
 *
 * Entries are never removed while the module is loaded: the list is walked
 * without a lock, and readers see only the entries already extended, so
 * that what they read replays to the PCR.
 */
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tpm.h>
#include <linux/workqueue.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>

#include "measurements.h"
#include "thunk.h"
#include "uapi/hashgate.h"

/*
 * ima-ng template data: [u32 40]["sha256:\0" + digest][u32 n][name + NUL],
 * lengths in CPU order, as IMA writes them without ima_canonical_fmt.
 */
#define DIGEST_PREFIX	"sha256:"
#define DIGEST_FIELD	(sizeof(DIGEST_PREFIX) + HG_DIGEST_SIZE)
#define NAME_FIELD	(4 + DIGEST_FIELD + 4)
#define WOULD_DENY	"hashgate:would-deny:"

struct entry {
	struct list_head list;		/* in measurement order */
	struct hlist_node node;		/* in the table: file entries only */
	u64 hash;
	u8 sha1[SHA1_DIGEST_SIZE];	/* the template digest */
	u32 len;			/* of data */
	u8 data[];			/* the template data */
};

static unsigned int max_entries;
static unsigned int pcr;

static LIST_HEAD(entries);
static DEFINE_SPINLOCK(append_lock);	/* entries, table, the counts */
static struct hlist_head *table;	/* NULL: no measurement at all */
static unsigned int table_bits;
static siphash_key_t table_key;
static unsigned int nr_entries;
static bool overflowed;
static bool users_overflowed;
static size_t users_bytes;	/* held by entries users' mappings made */
static unsigned int users_entries;
static size_t users_budget;
static u64 dropped;
static size_t bytes;
static struct entry *overflow_entry;
static struct entry *users_overflow_entry;
static atomic64_t lost = ATOMIC64_INIT(0);

/* What a file's name is read into, per CPU: no allocation on a hit. */
static char __percpu *path_buf;
static struct crypto_shash *name_tfm;	/* SHA-256 of a record's name */

static DEFINE_MUTEX(extend_lock);	/* extended, the TPM digests */
static struct list_head *extended = &entries;	/* last extended entry */
static unsigned int nr_extended;
static u64 extend_errors;
static u64 extend_ns;			/* time spent in tpm_pcr_extend() */
static struct tpm_chip *chip;
static struct crypto_shash **bank_tfm;	/* NULL where SHA-1 or unknown */
static struct tpm_digest *bank_digest;

static void extend_pending(void);

static void extend_work_fn(struct work_struct *work)
{
	extend_pending();
}

static DECLARE_WORK(extend_work, extend_work_fn);

static u8 *digest_of(struct entry *e)
{
	return e->data + 4 + sizeof(DIGEST_PREFIX);
}

static char *name_of(struct entry *e)
{
	return e->data + NAME_FIELD;
}

/* With its NUL. */
static u32 name_len_of(struct entry *e)
{
	u32 n;

	memcpy(&n, e->data + 4 + DIGEST_FIELD, sizeof(n));
	return n;
}

/* SHA-1 from lib/: the crypto API's may not be built (CRYPTO_SHA1=n). */
static void sha1_of(const u8 *data, u32 len, u8 out[SHA1_DIGEST_SIZE])
{
	u32 state[SHA1_DIGEST_WORDS], ws[SHA1_WORKSPACE_WORDS];
	u8 block[SHA1_BLOCK_SIZE];
	__be64 bits = cpu_to_be64((u64)len << 3);
	__be32 word;
	unsigned int i;

	sha1_init(state);
	for (; len >= SHA1_BLOCK_SIZE; data += SHA1_BLOCK_SIZE,
	     len -= SHA1_BLOCK_SIZE)
		sha1_transform(state, (const char *)data, ws);
	memset(block, 0, sizeof(block));
	memcpy(block, data, len);
	block[len] = 0x80;
	if (len >= SHA1_BLOCK_SIZE - 8) {
		sha1_transform(state, (const char *)block, ws);
		memset(block, 0, sizeof(block));
	}
	memcpy(block + SHA1_BLOCK_SIZE - 8, &bits, sizeof(bits));
	sha1_transform(state, (const char *)block, ws);
	for (i = 0; i < SHA1_DIGEST_WORDS; i++) {
		word = cpu_to_be32(state[i]);
		memcpy(out + 4 * i, &word, sizeof(word));
	}
	memzero_explicit(ws, sizeof(ws));
}

static u64 key_of(const u8 *digest, const char *prefix, const char *name,
		  size_t len)
{
	u64 d;

	memcpy(&d, digest, sizeof(d));
	return siphash(name, len, &table_key) ^ d ^ (*prefix ? 1 : 0);
}

static struct entry *entry_new(const u8 *digest, const char *prefix,
			       const char *name, size_t name_len, gfp_t gfp)
{
	size_t plen = strlen(prefix);
	u32 n_len = plen + name_len + 1;
	u32 len = NAME_FIELD + n_len;
	u32 d_len = DIGEST_FIELD;
	struct entry *e;
	u8 *p;

	e = kmalloc(struct_size(e, data, len), gfp);
	if (!e)
		return NULL;
	INIT_HLIST_NODE(&e->node);
	e->len = len;
	p = e->data;
	memcpy(p, &d_len, sizeof(d_len));
	memcpy(p + 4, DIGEST_PREFIX, sizeof(DIGEST_PREFIX));
	memcpy(digest_of(e), digest, HG_DIGEST_SIZE);
	memcpy(p + 4 + DIGEST_FIELD, &n_len, sizeof(n_len));
	p = name_of(e);
	memcpy(p, prefix, plen);
	memcpy(p + plen, name, name_len);
	p[plen + name_len] = '\0';
	sha1_of(e->data, e->len, e->sha1);
	return e;
}

static bool same(struct entry *e, u64 hash, const u8 *digest,
		 const char *prefix, const char *name, size_t len)
{
	size_t plen = strlen(prefix);
	const char *n = name_of(e);

	return e->hash == hash && name_len_of(e) == plen + len + 1 &&
	       !memcmp(digest_of(e), digest, HG_DIGEST_SIZE) &&
	       !memcmp(n, prefix, plen) && !memcmp(n + plen, name, len);
}

static bool listed(u64 hash, const u8 *digest, const char *prefix,
		   const char *name, size_t len)
{
	struct entry *e;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &table[hash_64(hash, table_bits)], node) {
		if (same(e, hash, digest, prefix, name, len)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Extend the TPM with every entry not yet in it, in list order. */
static void extend_pending(void)
{
	struct list_head *next;
	struct entry *e;
	unsigned int i;
	int ret;

	mutex_lock(&extend_lock);
	for (;;) {
		spin_lock(&append_lock);
		next = extended->next;
		spin_unlock(&append_lock);
		if (next == &entries)
			break;
		e = list_entry(next, struct entry, list);
		for (i = 0; chip && i < chip->nr_allocated_banks; i++) {
			u8 *d = bank_digest[i].digest;

			/* As IMA: SHA-1 where the bank's hash is unknown. */
			memset(d, 0, TPM2_MAX_DIGEST_SIZE);
			if (!bank_tfm[i] ||
			    crypto_shash_tfm_digest(bank_tfm[i], e->data,
						    e->len, d))
				memcpy(d, e->sha1, SHA1_DIGEST_SIZE);
		}
		if (chip) {
			u64 t0 = ktime_get_ns();

			ret = tpm_pcr_extend(chip, pcr, bank_digest);
			WRITE_ONCE(extend_ns, extend_ns + ktime_get_ns() - t0);
		} else {
			ret = 0;
		}
		if (ret) {
			WRITE_ONCE(extend_errors, extend_errors + 1);
			pr_err_ratelimited("PCR %u extend failed: %d\n", pcr,
					   ret);
		}
		extended = next;
		/* Pairs with shown(): the entry is whole before it counts. */
		smp_store_release(&nr_extended, nr_extended + 1);
	}
	mutex_unlock(&extend_lock);
}

/* Entries a reader may see: those in the TPM, all written. */
static unsigned int shown(void)
{
	/* Pairs with the release in extend_pending(). */
	return smp_load_acquire(&nr_extended);
}

/* Put one of the overflow entries made at load in the list, once. */
static void overflow(struct entry *e, bool *done)
{
	lockdep_assert_held(&append_lock);
	if (!*done) {
		*done = true;
		list_add_tail_rcu(&e->list, &entries);
		nr_entries++;
	}
	dropped++;
}

/*
 * Append @e, unless @dedup and an equal entry is there. Past the cap, or
 * past the users' budget for a @user entry, an overflow entry goes in
 * instead, once, and the rest is only counted. A caller that may sleep
 * returns with its entry in the TPM.
 */
static void append(struct entry *e, bool dedup, bool user, bool may_sleep)
{
	size_t size = struct_size(e, data, e->len);

	if (may_sleep)
		might_sleep();
	spin_lock(&append_lock);
	if (dedup) {
		struct entry *old;

		hlist_for_each_entry(old, &table[hash_64(e->hash, table_bits)],
				     node) {
			if (old->hash == e->hash && old->len == e->len &&
			    !memcmp(old->data, e->data, e->len)) {
				spin_unlock(&append_lock);
				kfree(e);
				return;
			}
		}
	}
	if (nr_entries + 1 >= max_entries || overflowed) {
		overflow(overflow_entry, &overflowed);
		spin_unlock(&append_lock);
		kfree(e);
		goto extend;
	}
	if (user && (users_entries + 1 > max_entries / 2 ||
		     users_bytes + size > users_budget)) {
		overflow(users_overflow_entry, &users_overflowed);
		spin_unlock(&append_lock);
		kfree(e);
		goto extend;
	}
	list_add_tail_rcu(&e->list, &entries);
	nr_entries++;
	bytes += size;
	if (user) {
		users_entries++;
		users_bytes += size;
	}
	if (dedup)
		hlist_add_head_rcu(&e->node,
				   &table[hash_64(e->hash, table_bits)]);
	spin_unlock(&append_lock);
extend:
	if (may_sleep)
		extend_pending();
	else
		queue_work(system_unbound_wq, &extend_work);
}

/*
 * The name a file is measured under: its path from the initial root, as
 * events give it, whatever root the process sees.
 */
static size_t file_name(const struct path *path, char *buf, char **name)
{
	struct inode *inode = d_inode(path->dentry);
	char *p = hg_call_d_absolute_path(path, buf, PATH_MAX);

	if (IS_ERR(p)) {
		*name = buf;
		return scnprintf(buf, PATH_MAX,
				 "hashgate:unnamed dev=%u:%u ino=%lu",
				 MAJOR(inode->i_sb->s_dev),
				 MINOR(inode->i_sb->s_dev), inode->i_ino);
	}
	*name = p;
	return buf + PATH_MAX - 1 - p;
}

/**
 * hg_ml_file() - measure a file mapped executable
 * @path: the file
 * @digest: its SHA-256
 * @would_deny: audit mode would have denied it
 * @may_sleep: false under mmap_lock: the TPM is extended by a worker
 *
 * Once per (digest, name): a hit costs a path walk and a table lookup.
 */
void hg_ml_file(const struct path *path, const u8 *digest, bool would_deny,
		bool may_sleep)
{
	const char *prefix = would_deny ? WOULD_DENY : "";
	struct entry *e;
	char *buf, *name;
	size_t len;
	u64 hash;

	if (!table)
		return;
	buf = get_cpu_ptr(path_buf);
	len = file_name(path, buf, &name);
	hash = key_of(digest, prefix, name, len);
	if (listed(hash, digest, prefix, name, len)) {
		put_cpu_ptr(path_buf);
		return;
	}
	e = entry_new(digest, prefix, name, len, GFP_NOWAIT | __GFP_NOWARN);
	put_cpu_ptr(path_buf);
	if (!e && may_sleep) {
		buf = kmalloc(PATH_MAX, GFP_KERNEL);
		if (buf) {
			len = file_name(path, buf, &name);
			hash = key_of(digest, prefix, name, len);
			e = entry_new(digest, prefix, name, len, GFP_KERNEL);
			kfree(buf);
		}
	}
	if (!e) {
		atomic64_inc(&lost);
		return;
	}
	e->hash = hash;
	append(e, true, !uid_eq(current_uid(), GLOBAL_ROOT_UID), may_sleep);
}

__printf(3, 0)
static struct entry *record_entry(gfp_t gfp, const u8 *digest,
				  const char *fmt, va_list args)
{
	u8 d[HG_DIGEST_SIZE];
	struct entry *e;
	char *name;
	size_t len;

	name = kvasprintf(gfp, fmt, args);
	if (!name)
		return NULL;
	len = strlen(name);
	if (!digest && crypto_shash_tfm_digest(name_tfm, name, len, d)) {
		kfree(name);
		return NULL;
	}
	e = entry_new(digest ?: d, "", name, len, gfp);
	kfree(name);
	return e;
}

__printf(3, 4)
static struct entry *record_new(gfp_t gfp, const u8 *digest,
				const char *fmt, ...)
{
	struct entry *e;
	va_list args;

	va_start(args, fmt);
	e = record_entry(gfp, digest, fmt, args);
	va_end(args);
	return e;
}

/**
 * hg_ml_record() - measure one of hashgate's own acts
 * @may_sleep: wait for the TPM
 * @digest: what it measures (an allowlist's digest), or NULL for the
 *	SHA-256 of the name itself
 * @fmt: the name, beginning "hashgate:"
 */
void hg_ml_record(bool may_sleep, const u8 *digest, const char *fmt, ...)
{
	struct entry *e;
	va_list args;

	if (!table)
		return;
	va_start(args, fmt);
	e = record_entry(may_sleep ? GFP_KERNEL : GFP_NOWAIT | __GFP_NOWARN,
			 digest, fmt, args);
	va_end(args);
	if (!e) {
		atomic64_inc(&lost);
		return;
	}
	append(e, false, false, may_sleep);
}

/**
 * hg_ml_stats() - the list's counters, as "name value" lines
 * @m: the stats file
 */
void hg_ml_stats(struct seq_file *m)
{
	unsigned int n;
	u64 drops;
	size_t b;

	spin_lock(&append_lock);
	n = nr_entries;
	drops = dropped;
	b = bytes;
	spin_unlock(&append_lock);
	seq_printf(m, "measure_entries %u\n", n);
	seq_printf(m, "measure_extended %u\n", shown());
	seq_printf(m, "measure_max %u\n", max_entries);
	seq_printf(m, "measure_dropped %llu\n", drops);
	seq_printf(m, "measure_lost %lld\n", atomic64_read(&lost));
	seq_printf(m, "measure_bytes %zu\n", b);
	seq_printf(m, "measure_pcr %u\n", pcr);
	seq_printf(m, "measure_tpm %d\n", chip ? 1 : 0);
	seq_printf(m, "measure_extend_errors %llu\n", READ_ONCE(extend_errors));
	seq_printf(m, "measure_extend_ns %llu\n", READ_ONCE(extend_ns));
}

/* --- The two files --- */

/* Where the last read stopped: a list of 64k entries is read in O(n). */
struct cursor {
	struct list_head *node;
	loff_t pos;
};

static void *ml_start(struct seq_file *m, loff_t *pos)
{
	struct cursor *c = m->private;
	struct list_head *node;
	loff_t i;

	if (*pos >= shown())
		return NULL;
	if (c->node && c->pos == *pos)
		return list_entry(c->node, struct entry, list);
	node = READ_ONCE(entries.next);
	for (i = 0; i < *pos; i++)
		node = READ_ONCE(node->next);
	c->node = node;
	c->pos = *pos;
	return list_entry(node, struct entry, list);
}

static void *ml_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct cursor *c = m->private;
	struct entry *e = v;

	++*pos;
	if (*pos >= shown())
		return NULL;
	c->node = READ_ONCE(e->list.next);
	c->pos = *pos;
	return list_entry(c->node, struct entry, list);
}

static void ml_stop(struct seq_file *m, void *v)
{
}

static int binary_show(struct seq_file *m, void *v)
{
	static const char template[] = "ima-ng";
	struct entry *e = v;
	u32 n;

	seq_write(m, &pcr, sizeof(u32));
	seq_write(m, e->sha1, SHA1_DIGEST_SIZE);
	n = sizeof(template) - 1;
	seq_write(m, &n, sizeof(n));
	seq_write(m, template, n);
	seq_write(m, &e->len, sizeof(e->len));
	seq_write(m, e->data, e->len);
	return 0;
}

/* IMA prints names raw; a newline in a path must not forge a line here. */
static int ascii_show(struct seq_file *m, void *v)
{
	struct entry *e = v;
	const unsigned char *s = name_of(e);

	seq_printf(m, "%u %*phN ima-ng %s%*phN ", pcr, SHA1_DIGEST_SIZE,
		   e->sha1, DIGEST_PREFIX, HG_DIGEST_SIZE, digest_of(e));
	for (; *s; s++) {
		if (*s < 0x20 || *s == 0x7f || *s == '\\')
			seq_printf(m, "\\%03o", *s);
		else
			seq_putc(m, *s);
	}
	seq_putc(m, '\n');
	return 0;
}

/* One file per format: HG_ML_BINARY as the inode's data picks IMA's binary. */
static int ml_show(struct seq_file *m, void *v)
{
	if (file_inode(m->file)->i_private == HG_ML_BINARY)
		return binary_show(m, v);
	return ascii_show(m, v);
}

static const struct seq_operations ml_ops = {
	.start = ml_start,
	.next = ml_next,
	.stop = ml_stop,
	.show = ml_show,
};

static int ml_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &ml_ops, sizeof(struct cursor));
}

const struct file_operations hg_ml_fops = {
	.owner = THIS_MODULE,
	.open = ml_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* --- Setup --- */

static const char *bank_hash(u16 alg_id)
{
	switch (alg_id) {
	case TPM_ALG_SHA256:
		return "sha256";
	case TPM_ALG_SHA384:
		return "sha384";
	case TPM_ALG_SHA512:
		return "sha512";
	case TPM_ALG_SM3_256:
		return "sm3";
	default:
		return NULL;	/* SHA-1: the template digest itself */
	}
}

static void tpm_exit(void)
{
	unsigned int i;

	if (!chip)
		return;
	for (i = 0; bank_tfm && i < chip->nr_allocated_banks; i++)
		crypto_free_shash(bank_tfm[i]);
	kfree(bank_tfm);
	kfree(bank_digest);
	put_device(&chip->dev);
	chip = NULL;
}

static int __init tpm_init(void)
{
	struct crypto_shash *tfm;
	const char *name;
	unsigned int i, n;

	chip = tpm_default_chip();
	if (!chip)
		return 0;
	n = chip->nr_allocated_banks;
	if (!n) {
		put_device(&chip->dev);
		chip = NULL;
		return 0;
	}
	bank_tfm = kcalloc(n, sizeof(*bank_tfm), GFP_KERNEL);
	bank_digest = kcalloc(n, sizeof(*bank_digest), GFP_KERNEL);
	if (!bank_tfm || !bank_digest) {
		tpm_exit();
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		bank_digest[i].alg_id = chip->allocated_banks[i].alg_id;
		name = bank_hash(bank_digest[i].alg_id);
		tfm = name ? crypto_alloc_shash(name, 0, 0) : NULL;
		bank_tfm[i] = IS_ERR(tfm) ? NULL : tfm;
	}
	return 0;
}

/**
 * hg_ml_init() - start the list, with its first entry
 * @max: the most entries, the overflow entry included; 0: no list at all
 * @pcr_index: the PCR to extend
 *
 * Return: 0 or a negative errno.
 */
int __init hg_ml_init(unsigned int max, unsigned int pcr_index)
{
	unsigned int buckets;
	int ret;

	if (pcr_index > HG_MEASURE_PCR_MAX) {
		pr_err("measure_pcr=%u: a TPM has PCRs 0 to %u\n", pcr_index,
		       HG_MEASURE_PCR_MAX);
		return -EINVAL;
	}
	if (max == 1) {
		pr_err("measure_max=1: the first entry and the overflow entry need 2\n");
		return -EINVAL;
	}
	pcr = pcr_index;
	max_entries = max;
	if (!max)
		return 0;
	name_tfm = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(name_tfm)) {
		ret = PTR_ERR(name_tfm);
		goto err_sha;
	}
	ret = -ENOMEM;
	path_buf = __alloc_percpu(PATH_MAX, SMP_CACHE_BYTES);
	if (!path_buf)
		goto err_buf;
	buckets = roundup_pow_of_two(clamp(max / 8, 64U, 65536U));
	table_bits = ilog2(buckets);
	table = kvcalloc(buckets, sizeof(*table), GFP_KERNEL);
	if (!table)
		goto err_table;
	get_random_bytes(&table_key, sizeof(table_key));
	/*
	 * Users' mappings (any uid but the initial namespace's root) may fill
	 * half the entries, and 256 bytes each on average: copies of a listed
	 * program under ever new paths must not push the system's own out,
	 * nor hold more memory than that whatever their paths' length.
	 */
	users_budget = (size_t)(max / 2) * 256;
	overflow_entry = record_new(GFP_KERNEL, NULL, "hashgate:overflow max=%u",
				    max);
	users_overflow_entry = record_new(GFP_KERNEL, NULL,
					  "hashgate:overflow users bytes=%zu",
					  users_budget);
	if (!overflow_entry || !users_overflow_entry)
		goto err_overflow;
	ret = tpm_init();
	if (ret)
		goto err_tpm;
	hg_ml_record(true, NULL, "hashgate:start pcr=%u tpm=%s", pcr,
		     chip ? "present" : "none");
	pr_info("measurement list: PCR %u, %s\n", pcr,
		chip ? "extended in the TPM" : "no TPM");
	return 0;

err_tpm:
err_overflow:
	kfree(overflow_entry);
	kfree(users_overflow_entry);
	kvfree(table);
	table = NULL;
err_table:
	free_percpu(path_buf);
err_buf:
	crypto_free_shash(name_tfm);
err_sha:
	pr_err("measurement list: %d\n", ret);
	return ret;
}

/**
 * hg_ml_exit() - free the list; no hook may call in any more
 */
void hg_ml_exit(void)
{
	struct entry *e, *tmp;

	if (!table)
		return;
	cancel_work_sync(&extend_work);
	list_for_each_entry_safe(e, tmp, &entries, list)
		kfree(e);
	if (!overflowed)
		kfree(overflow_entry);
	if (!users_overflowed)
		kfree(users_overflow_entry);
	INIT_LIST_HEAD(&entries);
	tpm_exit();
	kvfree(table);
	table = NULL;
	free_percpu(path_buf);
	crypto_free_shash(name_tfm);
}
