// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 of a file through OpenSSL's EVP interface. The only file that
 * touches OpenSSL, so another backend would replace just this one.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include "digest.h"

#define CHUNK	(256 * 1024)

/*
 * Hash the whole of @fd from offset 0 with pread(), so the caller's file
 * offset does not matter. Return 0 or -errno; -ENOMEM covers EVP failures.
 */
int hg_digest_fd(int fd, uint8_t digest[HG_DIGEST_SIZE])
{
	static _Thread_local unsigned char buf[CHUNK];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	off_t off = 0;
	int ret = -ENOMEM;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			goto out;
		off += n;
	}
	if (!EVP_DigestFinal_ex(ctx, digest, &len) || len != HG_DIGEST_SIZE)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

struct hg_digest {
	EVP_MD_CTX *ctx;
};

int hg_digest_begin(struct hg_digest **d)
{
	*d = malloc(sizeof(**d));
	if (!*d)
		return -ENOMEM;
	(*d)->ctx = EVP_MD_CTX_new();
	if (!(*d)->ctx || !EVP_DigestInit_ex((*d)->ctx, EVP_sha256(), NULL)) {
		hg_digest_free(*d);
		*d = NULL;
		return -ENOMEM;
	}
	return 0;
}

int hg_digest_update(struct hg_digest *d, const void *buf, size_t len)
{
	return EVP_DigestUpdate(d->ctx, buf, len) ? 0 : -ENOMEM;
}

/* Finish and free @d. */
int hg_digest_end(struct hg_digest *d, uint8_t digest[HG_DIGEST_SIZE])
{
	unsigned int len = 0;
	int ret = EVP_DigestFinal_ex(d->ctx, digest, &len) && len == HG_DIGEST_SIZE ?
		  0 : -ENOMEM;

	hg_digest_free(d);
	return ret;
}

void hg_digest_free(struct hg_digest *d)
{
	if (d) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
	}
}
