// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate's own keys: the certificates allowed to sign allowlists.
 *
 * Certificates come from the module itself (embedded at build time with
 * make SIGNING_CERT=cert.pem, so that a signed module carries its trust
 * anchor) and from root through securityfs until the keys are locked.
 * Userspace cannot touch the keyring otherwise: it is linked nowhere and
 * grants users view and search only.
 *
 * Each key also sits alone in a keyring of its own, so that the key that
 * verified a signature can be named in the load event: verification is
 * tried key by key; lists are loaded rarely and keys are few.
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/verification.h>
#include <keys/asymmetric-type.h>

#include "event.h"
#include "keys.h"

#define HG_KEYS_MAX	16

static struct {
	struct key *key;
	struct key *ring;	/* holding only this key */
} keys[HG_KEYS_MAX];
static unsigned int nkeys, nembedded;
static struct key *keyring;
static bool locked;
static DEFINE_MUTEX(keys_lock);

static struct key *ring_alloc(const char *name)
{
	return keyring_alloc(name, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
			     current_cred(),
			     (KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW |
			     KEY_USR_SEARCH,
			     KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
}

static int add_locked(const void *der, size_t len)
{
	struct key *ring;
	key_ref_t ref;
	int ret;

	lockdep_assert_held(&keys_lock);
	if (nkeys == HG_KEYS_MAX)
		return -ENOSPC;
	ref = key_create_or_update(make_key_ref(keyring, true), "asymmetric",
				   NULL, der, len,
				   (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				   KEY_USR_VIEW | KEY_USR_READ,
				   KEY_ALLOC_NOT_IN_QUOTA);
	if (IS_ERR(ref))
		return PTR_ERR(ref);
	ring = ring_alloc(".hashgate_key");
	if (IS_ERR(ring)) {
		ret = PTR_ERR(ring);
		goto err;
	}
	ret = key_link(ring, key_ref_to_ptr(ref));
	if (ret) {
		key_put(ring);
		goto err;
	}
	keys[nkeys].key = key_ref_to_ptr(ref);
	keys[nkeys].ring = ring;
	nkeys++;
	pr_info("key added: %s\n", keys[nkeys - 1].key->description);
	return 0;
err:
	key_ref_put(ref);
	return ret;
}

/**
 * hg_keys_add() - trust one more certificate
 * @der: an X.509 certificate, DER
 * @len: its size
 *
 * Return: 0; -EPERM once locked; -EBADMSG or -ENOPKG (an algorithm this
 * kernel lacks) from the X.509 parser; -ENOSPC past HG_KEYS_MAX keys.
 */
int hg_keys_add(const void *der, size_t len)
{
	char desc[HG_SIGNER_MAX];
	int ret;

	mutex_lock(&keys_lock);
	ret = locked ? -EPERM : add_locked(der, len);
	if (!ret)
		strscpy(desc, keys[nkeys - 1].key->description, sizeof(desc));
	mutex_unlock(&keys_lock);
	if (!ret)
		hg_event_key_add(desc);
	return ret;
}

/**
 * hg_keys_lock() - no key can be added until reboot
 *
 * Pins the module: reloading it would start with an unlocked keyring.
 *
 * Return: 0.
 */
int hg_keys_lock(void)
{
	mutex_lock(&keys_lock);
	if (!locked) {
		locked = true;
		__module_get(THIS_MODULE);
		pr_info("keys locked until reboot\n");
		hg_event_setting("keys_lock", "1", "0");
	}
	mutex_unlock(&keys_lock);
	return 0;
}

bool hg_keys_locked(void)
{
	return READ_ONCE(locked);
}

/**
 * hg_keys_embedded() - whether the module carries certificates of its own
 *
 * Return: true when certificates were embedded at build time.
 */
bool hg_keys_embedded(void)
{
	return nembedded;
}

/**
 * hg_keys_verify() - check a detached PKCS#7 signature over @data
 * @data: the signed bytes
 * @len: their number
 * @sig: the PKCS#7 message, DER
 * @sig_len: its size
 * @signer: HG_SIGNER_MAX bytes; the verifying key's description on success
 *
 * Return: 0; -ENOKEY when no trusted key signed it; -EKEYREJECTED when the
 * signature does not match; -EBADMSG or -ENOPKG for a message the kernel
 * cannot read.
 */
int hg_keys_verify(const void *data, size_t len, const void *sig,
		   size_t sig_len, char *signer)
{
	int ret = -ENOKEY, r;
	unsigned int i;

	mutex_lock(&keys_lock);
	for (i = 0; i < nkeys; i++) {
		r = verify_pkcs7_signature(data, len, sig, sig_len,
					   keys[i].ring,
					   VERIFYING_UNSPECIFIED_SIGNATURE,
					   NULL, NULL);
		if (!r) {
			strscpy(signer, keys[i].key->description,
				HG_SIGNER_MAX);
			ret = 0;
			break;
		}
		/* Another key's verdict is worth more than "not mine". */
		if (r != -ENOKEY)
			ret = r;
	}
	mutex_unlock(&keys_lock);
	return ret;
}

/**
 * hg_keys_show() - one line per key, for the keys file
 * @m: the seq_file
 */
void hg_keys_show(struct seq_file *m)
{
	unsigned int i;

	mutex_lock(&keys_lock);
	for (i = 0; i < nkeys; i++)
		seq_printf(m, "%s%s\n", keys[i].key->description,
			   i < nembedded ? " (embedded)" : "");
	mutex_unlock(&keys_lock);
}

/* Embedded DER certificates are concatenated; each starts with its length. */
static int add_embedded(void)
{
	const u8 *p = hg_embedded_certs, *end = hg_embedded_certs_end;
	size_t len;
	int ret;

	while (end - p >= 4) {
		/* SEQUENCE with a two-byte length: what every X.509 cert is. */
		if (p[0] != 0x30 || p[1] != 0x82)
			return -EBADMSG;
		len = 4 + ((size_t)p[2] << 8 | p[3]);
		if (len > end - p)
			return -EBADMSG;
		mutex_lock(&keys_lock);
		ret = add_locked(p, len);
		if (!ret)
			nembedded++;
		mutex_unlock(&keys_lock);
		if (ret)
			return ret;
		p += len;
	}
	return 0;
}

/**
 * hg_keys_init() - make the keyring and add the embedded certificates
 *
 * Return: 0 or an error; an embedded certificate that does not load fails
 * the module load, since lists signed for it would all be refused.
 */
int __init hg_keys_init(void)
{
	int ret;

	keyring = ring_alloc(".hashgate");
	if (IS_ERR(keyring))
		return PTR_ERR(keyring);
	ret = add_embedded();
	if (ret) {
		pr_err("embedded certificate refused: %d\n", ret);
		hg_keys_exit();
	}
	return ret;
}

void hg_keys_exit(void)
{
	unsigned int i;

	for (i = 0; i < nkeys; i++) {
		key_put(keys[i].ring);
		key_put(keys[i].key);
	}
	nkeys = 0;
	nembedded = 0;
	key_put(keyring);
}
