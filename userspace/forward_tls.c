// SPDX-License-Identifier: GPL-2.0
/*
 * TLS for the forwarder (RFC 5425: syslog over TLS, the same octet-counted
 * framing as TCP inside). OpenSSL on the forwarder's non-blocking socket:
 * every step says what to poll for instead of blocking. The receiver's
 * certificate must chain to the CA file (or the system's store) and name
 * the host of the URL, as a DNS name or an IP address; TLS 1.2 at least.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "forward_tls.h"
#include "util.h"

struct hg_tls_ctx {
	SSL_CTX *ssl_ctx;
};

struct hg_tls {
	SSL *ssl;
};

/* The newest OpenSSL error, or @fallback when there is none. */
static const char *ssl_reason(const char *fallback)
{
	static char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return fallback;
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

int hg_tls_ctx_new(struct hg_tls_ctx **out, const struct hg_tls_opts *opts)
{
	struct hg_tls_ctx *ctx = calloc(1, sizeof(*ctx));
	SSL_CTX *c;

	if (!ctx)
		return -ENOMEM;
	ERR_clear_error();
	c = SSL_CTX_new(TLS_client_method());
	if (!c) {
		hg_error_text("cannot set up TLS", "OpenSSL", ssl_reason("no context"));
		free(ctx);
		return -ENOMEM;
	}
	ctx->ssl_ctx = c;
	SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	/* A record partly written is finished from where it stopped. */
	SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE |
			    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (opts->ca ? SSL_CTX_load_verify_locations(c, opts->ca, NULL) != 1 :
		       SSL_CTX_set_default_verify_paths(c) != 1) {
		hg_error_text("cannot load the TLS CA file", opts->ca ? opts->ca :
			      "(system store)", ssl_reason("unreadable"));
		goto fail;
	}
	if (opts->key && !opts->cert) {
		hg_error_text("a TLS key needs its certificate", opts->key,
			      "give --tls-cert too");
		goto fail;
	}
	if (opts->cert) {
		const char *key = opts->key ? opts->key : opts->cert;

		if (SSL_CTX_use_certificate_chain_file(c, opts->cert) != 1) {
			hg_error_text("cannot load the TLS client certificate",
				      opts->cert, ssl_reason("unreadable"));
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(c) != 1) {
			hg_error_text("cannot load the TLS client key", key,
				      ssl_reason("does not match the certificate"));
			goto fail;
		}
	}
	*out = ctx;
	return 0;
fail:
	hg_tls_ctx_free(ctx);
	return -EINVAL;
}

void hg_tls_ctx_free(struct hg_tls_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

int hg_tls_new(struct hg_tls **out, struct hg_tls_ctx *ctx, int fd, const char *host)
{
	struct hg_tls *t = calloc(1, sizeof(*t));
	unsigned char addr[16];
	bool ip;
	int ok;

	if (!t)
		return -ENOMEM;
	ERR_clear_error();
	t->ssl = SSL_new(ctx->ssl_ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
		SSL_free(t->ssl);
		free(t);
		return -ENOMEM;
	}
	ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
	if (ip) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
	} else {
		/* The name to find in the certificate, and to ask for (SNI). */
		ok = SSL_set1_host(t->ssl, host) &&
		     SSL_set_tlsext_host_name(t->ssl, host);
	}
	if (!ok) {
		SSL_free(t->ssl);
		free(t);
		return -EINVAL;
	}
	SSL_set_connect_state(t->ssl);
	*out = t;
	return 0;
}

void hg_tls_free(struct hg_tls *t, int fd)
{
	if (!t)
		return;
	/* A close_notify if the socket takes it now; never waits. */
	if (fd >= 0 && SSL_is_init_finished(t->ssl))
		SSL_shutdown(t->ssl);
	SSL_free(t->ssl);
	ERR_clear_error();
	free(t);
}

/* After a failed call returning @ret: 0 with *@want, or -1 with @why. */
static int step_result(struct hg_tls *t, int ret, short *want, char *why, size_t size)
{
	int err = SSL_get_error(t->ssl, ret);
	long verify;

	switch (err) {
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(why, size, "the receiver closed the TLS session");
		return -1;
	case SSL_ERROR_SYSCALL:
		snprintf(why, size, "%s", errno ? strerror(errno) :
			 ssl_reason("the receiver closed the connection"));
		return -1;
	default:
		verify = SSL_get_verify_result(t->ssl);
		if (!SSL_is_init_finished(t->ssl) && verify != X509_V_OK) {
			ERR_clear_error();
			snprintf(why, size, "TLS: the receiver's certificate is refused: %s",
				 X509_verify_cert_error_string(verify));
		} else {
			snprintf(why, size, "TLS: %s", ssl_reason("protocol error"));
		}
		return -1;
	}
}

int hg_tls_handshake(struct hg_tls *t, short *want, char *why, size_t size)
{
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(t->ssl);
	if (ret == 1)
		return 1;
	return step_result(t, ret, want, why, size);
}

ssize_t hg_tls_write(struct hg_tls *t, const void *buf, size_t len, short *want,
		     char *why, size_t size)
{
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_write(t->ssl, buf, len > 1 << 30 ? 1 << 30 : (int)len);
	if (ret > 0)
		return ret;
	return step_result(t, ret, want, why, size);
}

/* Bytes written to the socket so far, TLS records and handshake included. */
uint64_t hg_tls_wire(struct hg_tls *t)
{
	return BIO_number_written(SSL_get_wbio(t->ssl));
}

/* 1: the receiver closed; 0: not (*@want set); -1: an error, in @why. */
int hg_tls_peer_closed(struct hg_tls *t, short *want, char *why, size_t size)
{
	char buf[256];
	int ret;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		ret = SSL_read(t->ssl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		/* A syslog receiver sends nothing worth reading. */
	}
	if (SSL_get_error(t->ssl, ret) == SSL_ERROR_ZERO_RETURN) {
		snprintf(why, size, "the receiver closed the TLS session");
		return 1;
	}
	return step_result(t, ret, want, why, size) ? -1 : 0;
}
