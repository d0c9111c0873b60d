// SPDX-License-Identifier: GPL-2.0
/*
 * Signed blobs, in process: lab keys from hg_keygen() (RSA-2048, ECDSA P-256
 * and P-384), a text list compiled with HG_LIST_F_SIGNED and signed by
 * hg_cms_sign(); the kernel's parser (module/list_format.c) must find the
 * signature exactly after the blob, and OpenSSL's CMS_verify() must accept
 * it over exactly the signed bytes, and refuse it after any flipped byte.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "kselftest_harness.h"
#include "list_format.h"
#include "listblob.h"
#include "sign_cms.h"

static const char list_text[] =
	"# hashgate-serial: 77\n"
	"0000000000000000000000000000000000000000000000000000000000000003  /usr/bin/a\n"
	"0000000000000000000000000000000000000000000000000000000000000002  /usr/bin/b\n"
	"0000000000000000000000000000000000000000000000000000000000000003  /usr/lib/c.so\n";

/* CMS_verify() of the detached @sig over @data with @crt's key. */
static int cms_verify(const char *crt, const uint8_t *data, size_t len,
		      const uint8_t *sig, size_t sig_len)
{
	const unsigned char *p = sig;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	BIO *content = BIO_new_mem_buf(data, (int)len);
	STACK_OF(X509) *certs = sk_X509_new_null();
	FILE *f = fopen(crt, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	int ok = 0;

	if (f)
		fclose(f);
	if (cms && content && certs && x && sk_X509_push(certs, x))
		ok = CMS_verify(cms, certs, NULL, content, NULL,
				CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
	else
		X509_free(x);
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	return ok;
}

FIXTURE(signed_list) {
	char dir[64], prefix[96], key[128], crt[128];
	uint8_t *blob, *sig, *all;
	size_t size, sig_len;
};

FIXTURE_VARIANT(signed_list) {
	enum hg_key_type type;
	int bits;
	const char *md;
};

FIXTURE_VARIANT_ADD(signed_list, rsa2048) { .type = HG_KEY_RSA, .bits = 2048, .md = "SHA256" };
FIXTURE_VARIANT_ADD(signed_list, p256) { .type = HG_KEY_P256, .md = "SHA256" };
FIXTURE_VARIANT_ADD(signed_list, p384) { .type = HG_KEY_P384, .md = "SHA384" };

FIXTURE_SETUP(signed_list)
{
	const char *md = NULL;

	strcpy(self->dir, "/tmp/hg-sign-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->prefix, sizeof(self->prefix), "%s/k", self->dir);
	snprintf(self->key, sizeof(self->key), "%s.key", self->prefix);
	snprintf(self->crt, sizeof(self->crt), "%s.crt", self->prefix);
	ASSERT_EQ(0, hg_keygen(variant->type, variant->bits, 30, "test key", self->prefix));
	ASSERT_EQ(0, hg_listblob_compile("test", (const uint8_t *)list_text,
					 strlen(list_text), NULL, HG_LIST_F_SIGNED, true,
					 &self->blob, &self->size));
	ASSERT_EQ(0, hg_cms_sign(self->blob, self->size, self->key, self->crt,
				 &self->sig, &self->sig_len, &md));
	ASSERT_STREQ(variant->md, md);
	self->all = malloc(self->size + self->sig_len);
	ASSERT_NE(NULL, self->all);
	memcpy(self->all, self->blob, self->size);
	memcpy(self->all + self->size, self->sig, self->sig_len);
}

FIXTURE_TEARDOWN(signed_list)
{
	static const char *const sfx[] = { ".key", ".crt", ".der" };
	char path[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", self->prefix, sfx[i]);
		unlink(path);
	}
	rmdir(self->dir);
	free(self->blob);
	free(self->sig);
	free(self->all);
}

TEST_F(signed_list, key_file_is_private)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->key, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
}

TEST_F(signed_list, parser_finds_signature)
{
	struct hg_list_header h;
	struct hg_list_view v;

	memcpy(&h, self->all, sizeof(h));
	EXPECT_EQ(HG_LIST_F_SIGNED, le16toh(h.flags));
	ASSERT_EQ(0, hg_list_parse(self->all, self->size + self->sig_len, &v));
	EXPECT_EQ(77, v.serial);
	EXPECT_EQ(2, v.digest_count);
	EXPECT_EQ(3, v.path_count);
	EXPECT_EQ(self->size, v.signed_size);
	EXPECT_EQ(self->all + self->size, v.sig);
	EXPECT_EQ(self->sig_len, v.sig_len);
	/* The blob alone, flag set but no signature: malformed. */
	EXPECT_EQ(-EINVAL, hg_list_parse(self->all, self->size, &v));
}

TEST_F(signed_list, signature_verifies)
{
	EXPECT_TRUE(cms_verify(self->crt, self->all, self->size, self->sig,
			       self->sig_len));
}

/*
 * Every header byte, then every 7th byte and the last one: the whole blob
 * flips ~1000 verifications, which P-384 under ASan on a busy two-core
 * machine does not finish within the harness's timeout.
 */
static size_t next_probe(size_t i, size_t size)
{
	if (i < 32)
		return i + 1;
	if (i + 7 < size)
		return i + 7;
	return i == size - 1 ? size : size - 1;
}

TEST_F(signed_list, flipped_blob_bytes_fail)
{
	size_t i;

	for (i = 0; i < self->size; i = next_probe(i, self->size)) {
		self->all[i] ^= 0x01;
		EXPECT_FALSE(cms_verify(self->crt, self->all, self->size, self->sig,
					self->sig_len)) TH_LOG("byte %zu", i);
		self->all[i] ^= 0x01;
	}
}

TEST_F(signed_list, flipped_signature_bytes_fail)
{
	size_t i;

	/* The last bytes are the signature value itself. */
	for (i = self->sig_len - 8; i < self->sig_len; i++) {
		self->sig[i] ^= 0x80;
		EXPECT_FALSE(cms_verify(self->crt, self->all, self->size, self->sig,
					self->sig_len)) TH_LOG("sig byte %zu", i);
		self->sig[i] ^= 0x80;
	}
}

TEST_F(signed_list, other_key_fails)
{
	char prefix[128], crt[140];

	snprintf(prefix, sizeof(prefix), "%s/other", self->dir);
	snprintf(crt, sizeof(crt), "%s.crt", prefix);
	ASSERT_EQ(0, hg_keygen(HG_KEY_P256, 0, 30, "other", prefix));
	EXPECT_FALSE(cms_verify(crt, self->all, self->size, self->sig, self->sig_len));
	/* The key must match the certificate. */
	EXPECT_EQ(-1, hg_cms_sign(self->blob, self->size, self->key, crt,
				  &self->sig, &self->sig_len, &(const char *){ NULL }));
	snprintf(crt, sizeof(crt), "%s.key", prefix);
	unlink(crt);
	snprintf(crt, sizeof(crt), "%s.crt", prefix);
	unlink(crt);
	snprintf(crt, sizeof(crt), "%s.der", prefix);
	unlink(crt);
}

TEST(keygen_refuses_weak_rsa)
{
	EXPECT_EQ(-1, hg_keygen(HG_KEY_RSA, 1024, 30, "weak", "/tmp/hg-never-written"));
	EXPECT_NE(0, access("/tmp/hg-never-written.key", F_OK));
}

TEST_HARNESS_MAIN
