/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_FORWARD_TLS_H
#define _HG_FORWARD_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What 'hashgate events --forward tls://...' trusts and presents. */
struct hg_tls_opts {
	const char *ca;		/* CA file (PEM); NULL: the system's store */
	const char *cert;	/* client certificate (PEM), with key */
	const char *key;	/* its private key (PEM); NULL: in cert */
};

struct hg_tls_ctx;
struct hg_tls;

int hg_tls_ctx_new(struct hg_tls_ctx **out, const struct hg_tls_opts *opts);
void hg_tls_ctx_free(struct hg_tls_ctx *ctx);

int hg_tls_new(struct hg_tls **out, struct hg_tls_ctx *ctx, int fd, const char *host);
void hg_tls_free(struct hg_tls *t, int fd);

/*
 * Each returns bytes done (hg_tls_write), 1 (hg_tls_handshake: done), or
 * 0 and sets *@want to POLLIN or POLLOUT to wait for; -1 on an error, with
 * its reason in @why.
 */
int hg_tls_handshake(struct hg_tls *t, short *want, char *why, size_t size);
ssize_t hg_tls_write(struct hg_tls *t, const void *buf, size_t len, short *want,
		     char *why, size_t size);
int hg_tls_peer_closed(struct hg_tls *t, short *want, char *why, size_t size);
uint64_t hg_tls_wire(struct hg_tls *t);

#endif /* _HG_FORWARD_TLS_H */
