/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything hashgate does with keys, certificates and signatures, through
 * OpenSSL: signing allowlist blobs, making lab keys, converting certificates.
 * The only file besides digest.c that touches OpenSSL.
 */
#ifndef _HG_SIGN_CMS_H
#define _HG_SIGN_CMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Key types 'hashgate keygen' makes; also what 'hashgate sign' accepts. */
enum hg_key_type {
	HG_KEY_RSA,		/* bits >= 2048, signed with SHA-256 */
	HG_KEY_P256,		/* ECDSA NIST P-256, SHA-256 */
	HG_KEY_P384,		/* ECDSA NIST P-384, SHA-384 */
};

#define HG_RSA_MIN_BITS		2048

/*
 * Sign @blob (@size bytes, HG_LIST_F_SIGNED already set) with the private
 * key in @key_path (PEM) and the certificate in @cert_path (PEM or DER), as
 * the kernel's scripts/sign-file does: a detached CMS SignedData, DER, no
 * certificates, no signed attributes. On success *@sig is malloc()ed and
 * *@sig_len its length; *@what names the digest used ("sha256"). Errors are
 * printed to stderr; return 0 or -1.
 */
int hg_cms_sign(const uint8_t *blob, size_t size, const char *key_path,
		const char *cert_path, uint8_t **sig, size_t *sig_len,
		const char **what);

/*
 * Make a key pair and a self-signed certificate valid for @days, write
 * @prefix.key (PEM, 0600), @prefix.crt (PEM) and @prefix.der. Return 0 or
 * -1 (error printed).
 */
int hg_keygen(enum hg_key_type type, int rsa_bits, int days, const char *subject,
	      const char *prefix);

/*
 * Read a certificate, PEM or DER, from @path and return it as DER in a
 * malloc()ed *@der; also its subject, one line, in @subject. 0 or -1.
 */
int hg_cert_load_der(const char *path, uint8_t **der, size_t *der_len,
		     char *subject, size_t subject_size);

#endif /* _HG_SIGN_CMS_H */
