// SPDX-License-Identifier: GPL-2.0
/*
 * Signatures over allowlist blobs, lab keys and certificate conversion, all
 * through OpenSSL. The signature is what the kernel's scripts/sign-file
 * makes for a module: a detached CMS (PKCS#7) SignedData in DER, signer
 * identified by issuer and serial number, no certificates and no signed
 * attributes, so the kernel's verify_pkcs7_signature() checks it directly
 * against a certificate on hashgate's keyring.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sign_cms.h"
#include "util.h"

/* "hashgate: <cmd>: <what> '<input>': <OpenSSL's last error>" */
static void ssl_error(const char *what, const char *input)
{
	unsigned long e, last = 0;
	char buf[256];

	while ((e = ERR_get_error()))
		last = e;
	if (last) {
		ERR_error_string_n(last, buf, sizeof(buf));
		hg_error_text(what, input, buf);
	} else {
		hg_error_text(what, input, "OpenSSL failed without saying why");
	}
}

/*
 * Is @pkey one hashgate signs with? RSA >= 2048 bits, ECDSA P-256 or P-384.
 * Set *@md to the digest that goes with it; print why not and return -1.
 */
static int check_key(EVP_PKEY *pkey, const char *path, const EVP_MD **md)
{
	char curve[64] = "";
	size_t len = 0;
	int bits = EVP_PKEY_get_bits(pkey);

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		if (bits < HG_RSA_MIN_BITS) {
			hg_errorf("'%s': RSA key of %d bits is too weak: hashgate "
				  "needs at least %d", path, bits, HG_RSA_MIN_BITS);
			return -1;
		}
		*md = EVP_sha256();
		return 0;
	case EVP_PKEY_EC:
		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
					       curve, sizeof(curve), &len);
		if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256")) {
			*md = EVP_sha256();
			return 0;
		}
		if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384")) {
			*md = EVP_sha384();
			return 0;
		}
		hg_errorf("'%s': ECDSA curve '%s' is not supported: use P-256 or P-384",
			  path, *curve ? curve : "?");
		return -1;
	default:
		hg_errorf("'%s': %s keys are not supported: use RSA (%d bits or "
			  "more) or ECDSA P-256/P-384", path,
			  OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)), HG_RSA_MIN_BITS);
		return -1;
	}
}

/* A certificate, PEM or DER. */
static X509 *read_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x;

	if (!b) {
		hg_error("cannot open", path, errno ? errno : EIO);
		ERR_clear_error();
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		ERR_clear_error();
		if (BIO_reset(b) == 0)
			x = d2i_X509_bio(b, NULL);
	}
	if (!x)
		ssl_error("not an X.509 certificate (PEM or DER)", path);
	BIO_free(b);
	return x;
}

/* A private key, PEM (the usual) or DER. */
static EVP_PKEY *read_key(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	EVP_PKEY *k;

	if (!b) {
		hg_error("cannot open", path, errno ? errno : EIO);
		ERR_clear_error();
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!k) {
		ERR_clear_error();
		if (BIO_reset(b) == 0)
			k = d2i_PrivateKey_bio(b, NULL);
	}
	if (!k)
		ssl_error("not a private key (PEM or DER)", path);
	BIO_free(b);
	return k;
}

int hg_cms_sign(const uint8_t *blob, size_t size, const char *key_path,
		const char *cert_path, uint8_t **sig, size_t *sig_len,
		const char **what)
{
	const unsigned int flags = CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY |
				   CMS_DETACHED | CMS_STREAM;
	const unsigned int signer_flags = CMS_NOCERTS | CMS_BINARY |
					  CMS_NOSMIMECAP | CMS_NOATTR;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	EVP_PKEY *pkey = NULL;
	const EVP_MD *md;
	X509 *x509 = NULL;
	char *mem;
	long len;
	int ret = -1;

	x509 = read_cert(cert_path);
	if (!x509)
		goto out;
	pkey = read_key(key_path);
	if (!pkey || check_key(pkey, key_path, &md))
		goto out;
	if (X509_check_private_key(x509, pkey) != 1) {
		ERR_clear_error();
		hg_errorf("'%s' is not the private key of certificate '%s'",
			  key_path, cert_path);
		goto out;
	}
	if (size > INT32_MAX) {
		hg_errorf("blob of %zu bytes is too large to sign", size);
		goto out;
	}
	in = BIO_new_mem_buf(blob, (int)size);
	out = BIO_new(BIO_s_mem());
	if (!in || !out) {
		ssl_error("cannot sign", NULL);
		goto out;
	}
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!cms || !CMS_add1_signer(cms, x509, pkey, md, signer_flags) ||
	    !CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) ||
	    !i2d_CMS_bio(out, cms)) {
		ssl_error("cannot sign with", key_path);
		goto out;
	}
	len = BIO_get_mem_data(out, &mem);
	*sig = len > 0 ? malloc((size_t)len) : NULL;
	if (!*sig) {
		hg_error("cannot sign", NULL, ENOMEM);
		goto out;
	}
	memcpy(*sig, mem, (size_t)len);
	*sig_len = (size_t)len;
	*what = EVP_MD_get0_name(md);
	ret = 0;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	EVP_PKEY_free(pkey);
	X509_free(x509);
	return ret;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, const char *name, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf(NULL, ctx, name, value);
	int ok = ext && X509_add_ext(x, ext, -1);

	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A self-signed certificate the kernel takes like a module-signing key's. */
static X509 *make_cert(EVP_PKEY *pkey, const EVP_MD *md, int days,
		       const char *subject)
{
	unsigned char rnd[16];
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	X509_NAME *name;
	X509 *x = X509_new();

	if (!x || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto fail;
	rnd[0] &= 0x7f;		/* a positive serial number */
	rnd[0] |= 0x40;		/* of the full 16 bytes */
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (!serial || !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, serial) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)"hashgate lab", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)subject, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, pkey))
		goto fail;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, "basicConstraints", "critical,CA:FALSE") ||
	    add_ext(x, &ctx, "keyUsage", "critical,digitalSignature") ||
	    add_ext(x, &ctx, "subjectKeyIdentifier", "hash") ||
	    add_ext(x, &ctx, "authorityKeyIdentifier", "keyid:always") ||
	    !X509_sign(x, pkey, md))
		goto fail;
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return x;
fail:
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(x);
	return NULL;
}

/* Create @path exclusively with @mode and hand it over as a stdio stream. */
static FILE *create(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0) {
		hg_error("cannot create", path, errno);
		return NULL;
	}
	if (fchmod(fd, mode)) {		/* whatever the umask said */
		hg_error("cannot chmod", path, errno);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		hg_error("cannot open", path, errno);
		close(fd);
	}
	return f;
}

static int finish(FILE *f, int ok, const char *path)
{
	if (!ok) {
		ssl_error("cannot write", path);
		fclose(f);
		return -1;
	}
	if (fflush(f) || fsync(fileno(f))) {
		hg_error("cannot write", path, errno);
		fclose(f);
		return -1;
	}
	if (fclose(f)) {
		hg_error("cannot write", path, errno);
		return -1;
	}
	return 0;
}

int hg_keygen(enum hg_key_type type, int rsa_bits, int days, const char *subject,
	      const char *prefix)
{
	static const char *const sfx[] = { ".key", ".crt", ".der" };
	char path[3][4096];
	EVP_PKEY *pkey = NULL;
	const EVP_MD *md;
	X509 *x = NULL;
	struct stat st;
	size_t i;
	FILE *f;
	int ret = -1;

	for (i = 0; i < 3; i++) {
		if ((size_t)snprintf(path[i], sizeof(path[i]), "%s%s", prefix, sfx[i]) >=
		    sizeof(path[i])) {
			hg_error("output prefix", prefix, ENAMETOOLONG);
			return -1;
		}
		if (!lstat(path[i], &st)) {
			hg_error_text("refusing to overwrite", path[i],
				      "file exists (remove it or choose another -o)");
			return -1;
		}
	}
	if (type == HG_KEY_RSA && rsa_bits < HG_RSA_MIN_BITS) {
		hg_errorf("RSA keys of %d bits are too weak: hashgate needs at least %d",
			  rsa_bits, HG_RSA_MIN_BITS);
		return -1;
	}
	if (type == HG_KEY_RSA)
		pkey = EVP_RSA_gen((unsigned int)rsa_bits);
	else
		pkey = EVP_EC_gen(type == HG_KEY_P256 ? "P-256" : "P-384");
	if (!pkey) {
		ssl_error("cannot generate a key", NULL);
		goto out;
	}
	if (check_key(pkey, "generated key", &md))
		goto out;
	x = make_cert(pkey, md, days, subject);
	if (!x) {
		ssl_error("cannot make the certificate", NULL);
		goto out;
	}

	f = create(path[0], 0600);
	if (!f || finish(f, PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL),
			 path[0]))
		goto out;
	f = create(path[1], 0644);
	if (!f || finish(f, PEM_write_X509(f, x), path[1]))
		goto out;
	f = create(path[2], 0644);
	if (!f || finish(f, i2d_X509_fp(f, x), path[2]))
		goto out;
	ret = 0;
out:
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ret;
}

int hg_cert_load_der(const char *path, uint8_t **der, size_t *der_len,
		     char *subject, size_t subject_size)
{
	unsigned char *buf = NULL;
	EVP_PKEY *pkey;
	const EVP_MD *md;
	X509 *x = read_cert(path);
	int len, ret = -1;

	if (!x)
		return -1;
	pkey = X509_get0_pubkey(x);
	if (!pkey) {
		ssl_error("cannot read the public key of", path);
		goto out;
	}
	if (check_key(pkey, path, &md))
		goto out;
	X509_NAME_oneline(X509_get_subject_name(x), subject, (int)subject_size);
	len = i2d_X509(x, &buf);
	if (len <= 0) {
		ssl_error("cannot encode", path);
		goto out;
	}
	*der = malloc((size_t)len);
	if (!*der) {
		hg_error("cannot read", path, ENOMEM);
		goto out;
	}
	memcpy(*der, buf, (size_t)len);
	*der_len = (size_t)len;
	ret = 0;
out:
	OPENSSL_free(buf);
	X509_free(x);
	return ret;
}
