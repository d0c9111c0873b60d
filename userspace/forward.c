// SPDX-License-Identifier: GPL-2.0
/*
 * 'hashgate events --forward': ship formatted records to a syslog receiver
 * over UDP (one datagram each, RFC 5426) or TCP (RFC 6587 octet counting:
 * "LEN SP MSG", so a message may contain anything). Never blocks the
 * reader: records wait in a bounded in-memory queue while the socket is
 * busy or the receiver away; when the queue is full a new record is dropped
 * and counted. A lost TCP connection is retried with exponential backoff
 * (0.1 s doubling to 5 s); a record partly written when it broke is sent
 * again whole on the next connection. tls:// is TCP inside TLS (RFC 5425,
 * forward_tls.c): a record is sent once the handshake has verified the
 * receiver.
 *
 * With a spool (spool.c), records go to disk first and the queue is the
 * window of those read back: a record leaves the spool only once the
 * receiver's TCP has acknowledged its last byte (SIOCOUTQ: what was
 * written less what still waits for an ACK), so after a lost connection
 * the receiver gets again, in order, everything its TCP did not
 * acknowledge; and a forwarder that stops leaves the rest on disk for the
 * next one. What the receiver's TCP acknowledged but its process never
 * read is gone with it: syslog over TCP has no acknowledgment of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "forward.h"
#include "forward_tls.h"
#include "spool.h"
#include "util.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000

struct msg {
	char *buf;
	size_t len;
	uint64_t spool_end;	/* where the next record starts in the spool */
	uint64_t wire_end;	/* bytes written on the connection with this one */
	bool failed;		/* a datagram that could not be sent */
};

struct hg_fwd {
	const char *url;
	bool tcp, tls;
	char host[256];
	struct hg_tls_ctx *tls_ctx;
	struct hg_tls *session;
	bool handshaking;
	short tls_want;		/* what the TLS layer waits for, or 0 */
	struct addrinfo *ai;
	int fd;
	bool connecting, connected;
	int backoff_ms;
	uint64_t retry_at;	/* CLOCK_MONOTONIC ms of the next connect */
	bool down_reported, full_reported;
	struct msg *q;
	/*
	 * q[head..head+count): records in memory; the first @sent of them were
	 * written whole and wait for their acknowledgment (with a spool only);
	 * off: bytes written of the next one.
	 */
	size_t cap, head, count, sent, off;
	struct hg_spool *spool;
	uint64_t read_off;	/* the next spool record to read into q */
	uint64_t wire;		/* bytes written on this connection, TLS included */
	struct hg_fwd_stats st;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool valid_port(const char *p)
{
	size_t digits = strspn(p, "0123456789");
	unsigned long n;

	if (!p[digits]) {
		if (digits > 5)
			return false;
		n = strtoul(p, NULL, 10);
		return n >= 1 && n <= 65535;
	}
	if (digits)		/* "12x": neither a port nor a name */
		return false;
	return !p[strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")];
}

/* "udp://", "tcp://" or "tls://" HOST:PORT, HOST possibly "[v6]"; -EINVAL. */
static int parse_url(const char *url, bool *tcp, bool *tls, char *host, size_t size,
		     const char **port)
{
	const char *h, *colon;
	size_t len;

	*tls = !strncmp(url, "tls://", 6);
	if (!strncmp(url, "tcp://", 6) || *tls)
		*tcp = true;
	else if (!strncmp(url, "udp://", 6))
		*tcp = false;
	else
		return -EINVAL;
	h = url + 6;
	if (*h == '[') {
		const char *end = strchr(h, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		len = (size_t)(end - h - 1);
		h++;
		colon = end + 1;
	} else {
		colon = strrchr(h, ':');
		if (!colon)
			return -EINVAL;
		len = (size_t)(colon - h);
	}
	if (!len || len >= size || !colon[1] || strchr(colon + 1, '/'))
		return -EINVAL;
	/*
	 * A number is a port: 1..65535 (getaddrinfo() would take 99999 as
	 * 34463). Otherwise a service name, as in /etc/services.
	 */
	if (!valid_port(colon + 1))
		return -EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = colon + 1;
	return 0;
}

/* For hashgate.conf: the URL as --forward would take it. */
bool hg_fwd_url_valid(const char *url)
{
	const char *port;
	char host[256];
	bool tcp, tls;

	return !parse_url(url, &tcp, &tls, host, sizeof(host), &port);
}

static void refill(struct hg_fwd *fw);

int hg_fwd_open(struct hg_fwd **out, const char *url, size_t queue_max,
		const struct hg_tls_opts *tls_opts, const struct hg_spool_opts *spool)
{
	struct addrinfo hints = { .ai_flags = AI_ADDRCONFIG };
	struct hg_fwd *fw;
	char host[256];
	const char *port;
	bool tcp, tls;
	int ret;

	if (parse_url(url, &tcp, &tls, host, sizeof(host), &port)) {
		hg_error_text("invalid forward URL", url,
			      "expected udp://, tcp:// or tls:// HOST:PORT, PORT "
			      "1..65535 or a service name");
		return -EINVAL;
	}
	if (!tls && tls_opts && (tls_opts->ca || tls_opts->cert || tls_opts->key)) {
		hg_error_text("TLS options need a tls:// URL", url,
			      "the records would go in clear text");
		return -EINVAL;
	}
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	fw->q = calloc(queue_max, sizeof(*fw->q));
	if (!fw->q) {
		free(fw);
		return -ENOMEM;
	}
	if (tls) {
		static const struct hg_tls_opts none;

		ret = hg_tls_ctx_new(&fw->tls_ctx, tls_opts ? tls_opts : &none);
		if (ret) {
			free(fw->q);
			free(fw);
			return ret;
		}
	}
	ret = getaddrinfo(host, port, &hints, &fw->ai);
	if (ret) {
		hg_error_text("cannot resolve", url, gai_strerror(ret));
		hg_tls_ctx_free(fw->tls_ctx);
		free(fw->q);
		free(fw);
		return -ENOENT;
	}
	fw->url = url;
	fw->tcp = tcp;
	fw->tls = tls;
	snprintf(fw->host, sizeof(fw->host), "%s", host);
	fw->cap = queue_max;
	fw->fd = -1;
	fw->backoff_ms = BACKOFF_MIN_MS;
	if (!tcp) {
		fw->fd = socket(fw->ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fw->fd < 0) {
			ret = -errno;
			hg_error("cannot create socket for", url, errno);
			freeaddrinfo(fw->ai);
			hg_tls_ctx_free(fw->tls_ctx);
			free(fw->q);
			free(fw);
			return ret;
		}
		fw->connected = true;
	}
	if (spool && spool->dir) {
		ret = hg_spool_open(&fw->spool, spool->dir, spool->max);
		if (ret) {
			struct hg_fwd_stats st;

			hg_fwd_close(fw, &st);
			return ret;
		}
		/* What an earlier run left goes first. */
		fw->read_off = hg_spool_pos(fw->spool);
		refill(fw);
	}
	*out = fw;
	return 0;
}

static void pop(struct hg_fwd *fw)
{
	free(fw->q[fw->head].buf);
	fw->q[fw->head].buf = NULL;
	fw->q[fw->head].failed = false;
	fw->head = (fw->head + 1) % fw->cap;
	fw->count--;
}

/* Read spooled records into the window while it has room. */
static void refill(struct hg_fwd *fw)
{
	while (fw->count < fw->cap && fw->read_off < hg_spool_end(fw->spool)) {
		struct msg *m = &fw->q[(fw->head + fw->count) % fw->cap];
		ssize_t n = hg_spool_read(fw->spool, fw->read_off, &m->buf, &m->spool_end);

		if (n <= 0) {
			if (n < 0)
				hg_error("cannot read the spool for", fw->url, (int)-n);
			return;
		}
		m->len = (size_t)n;
		fw->read_off = m->spool_end;
		fw->count++;
	}
}

/* Bytes written on the connection that its peer has not acknowledged. */
static uint64_t unacked(struct hg_fwd *fw)
{
	int outq = 0;

	if (!fw->tcp || fw->fd < 0 || ioctl(fw->fd, SIOCOUTQ, &outq) || outq < 0)
		return 0;
	return (uint64_t)outq;
}

/* Drop from the spool what the receiver acknowledged. */
static void ack(struct hg_fwd *fw)
{
	uint64_t acked, pos = 0;
	bool any = false;

	if (!fw->spool || !fw->sent)
		return;
	acked = fw->wire - unacked(fw);
	while (fw->sent && fw->q[fw->head].wire_end <= acked) {
		pos = fw->q[fw->head].spool_end;
		any = true;
		if (!fw->q[fw->head].failed)
			fw->st.sent++;
		pop(fw);
		fw->sent--;
	}
	if (!any)
		return;
	if (hg_spool_commit(fw->spool, pos))
		hg_error("cannot write the spool position for", fw->url, errno);
	if (!hg_spool_end(fw->spool))
		fw->read_off = 0;	/* emptied */
	refill(fw);
}

/* @msg as it goes on the wire (TCP: "LEN SP MSG"), malloc'd; NULL: no memory. */
static char *frame(const struct hg_fwd *fw, const char *msg, size_t len, size_t *out)
{
	char *buf = malloc(len + 24);
	int hdr = 0;

	if (!buf)
		return NULL;
	if (fw->tcp)
		hdr = snprintf(buf, 24, "%zu ", len);
	memcpy(buf + hdr, msg, len);
	*out = (size_t)hdr + len;
	return buf;
}

/* A record dropped because @what is full: said once for a run of drops. */
static int dropped(struct hg_fwd *fw, const char *what)
{
	fw->st.dropped_full++;
	if (!fw->full_reported)
		hg_errorf("%s while sending to '%s': dropping records", what, fw->url);
	fw->full_reported = true;
	return -ENOBUFS;
}

/* Room again after a run of drops: say so, with the count so far. */
static void room_again(struct hg_fwd *fw, const char *what)
{
	if (!fw->full_reported)
		return;
	hg_errorf("%s has room again; %llu records dropped so far", what,
		  (unsigned long long)fw->st.dropped_full);
	fw->full_reported = false;
}

/* Into the spool, framed as it will be sent; -ENOBUFS when dropped. */
static int spool_send(struct hg_fwd *fw, const char *msg, size_t len)
{
	size_t size;
	char *buf = frame(fw, msg, len, &size);
	int ret;

	if (!buf)
		return dropped(fw, "out of memory");
	ret = hg_spool_append(fw->spool, buf, size);
	free(buf);
	if (ret)
		return dropped(fw, ret == -ENOSPC ? "spool full" : "cannot write the spool");
	room_again(fw, "spool");
	refill(fw);
	return 0;
}

/* Queue one record (without trailing newline); -ENOBUFS when dropped. */
int hg_fwd_send(struct hg_fwd *fw, const char *msg, size_t len)
{
	struct msg *m;
	char what[64];

	fw->st.queued++;
	if (fw->spool)
		return spool_send(fw, msg, len);
	if (fw->count == fw->cap) {
		snprintf(what, sizeof(what), "forward queue full (%zu records)", fw->cap);
		return dropped(fw, what);
	}
	room_again(fw, "forward queue");
	m = &fw->q[(fw->head + fw->count) % fw->cap];
	m->buf = frame(fw, msg, len, &m->len);
	if (!m->buf)
		return dropped(fw, "out of memory");
	fw->count++;
	return 0;
}

static size_t pending(const struct hg_fwd *fw)
{
	if (fw->spool && fw->read_off < hg_spool_end(fw->spool))
		return fw->count + 1;
	return fw->count;
}

/* Down, for @why (an errno's text, or the TLS layer's reason). */
static void disconnect_why(struct hg_fwd *fw, const char *what, const char *why)
{
	hg_tls_free(fw->session, fw->fd);
	fw->session = NULL;
	fw->handshaking = false;
	fw->tls_want = 0;
	if (fw->fd >= 0)
		close(fw->fd);
	fw->fd = -1;
	/* Whatever was not acknowledged goes again, whole, in order. */
	fw->sent = 0;
	fw->wire = 0;
	if (!fw->down_reported && why)
		hg_error_text(what, fw->url, why);
	if (fw->connected)
		fw->backoff_ms = BACKOFF_MIN_MS;
	fw->down_reported = true;
	fw->connecting = fw->connected = false;
	fw->off = 0;
	fw->retry_at = now_ms() + (uint64_t)fw->backoff_ms;
	fw->backoff_ms = fw->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			 fw->backoff_ms * 2;
}

static void disconnect(struct hg_fwd *fw, int err, const char *what)
{
	disconnect_why(fw, what, err ? strerror(err) : NULL);
}

/* Ready to send: the connection is up (and for TLS, verified). */
static void up(struct hg_fwd *fw)
{
	fw->connected = true;
	fw->st.connects++;
	if (fw->down_reported)
		hg_errorf("connected to '%s'", fw->url);
	fw->down_reported = false;
}

static void handshake(struct hg_fwd *fw)
{
	char why[512];
	int ret = hg_tls_handshake(fw->session, &fw->tls_want, why, sizeof(why));

	if (ret < 0) {
		disconnect_why(fw, "TLS handshake failed with", why);
	} else if (ret > 0) {
		fw->handshaking = false;
		fw->tls_want = 0;
		up(fw);
	}
}

/* The TCP connection is made: up, or the TLS handshake first. */
static void tcp_up(struct hg_fwd *fw)
{
	fw->connecting = false;
	if (!fw->tls) {
		up(fw);
		return;
	}
	if (hg_tls_new(&fw->session, fw->tls_ctx, fw->fd, fw->host)) {
		disconnect_why(fw, "cannot start TLS with", "out of memory");
		return;
	}
	fw->handshaking = true;
	handshake(fw);
}

static void start_connect(struct hg_fwd *fw)
{
	int fd = socket(fw->ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		disconnect(fw, errno, "cannot create socket for");
		return;
	}
	fw->fd = fd;
	if (!connect(fd, fw->ai->ai_addr, fw->ai->ai_addrlen))
		tcp_up(fw);
	else if (errno == EINPROGRESS)
		fw->connecting = true;
	else
		disconnect(fw, errno, "cannot connect to");
}

/* What to poll for, and the timeout in ms (-1: none) until a retry. */
int hg_fwd_pollfd(struct hg_fwd *fw, struct pollfd *pfd)
{
	uint64_t now;

	pfd->fd = -1;
	pfd->events = 0;
	ack(fw);
	if (fw->tcp && fw->fd < 0) {
		if (!fw->count)
			return -1;
		now = now_ms();
		if (now < fw->retry_at)
			return (int)(fw->retry_at - now);
		start_connect(fw);
		if (fw->fd < 0)
			return (int)(fw->retry_at - now_ms() + 1);
	}
	pfd->fd = fw->fd;
	if (fw->handshaking) {
		pfd->events = fw->tls_want;
		return -1;
	}
	if (fw->connecting || fw->count > fw->sent)
		pfd->events = POLLOUT;
	if (fw->tcp && fw->connected)
		pfd->events |= POLLIN;	/* the peer closing */
	/* An acknowledgment wakes nobody: look again soon. */
	return fw->sent ? 20 : -1;
}

/* A record was written whole: gone, or (spool) waiting for its ACK. */
static void written(struct hg_fwd *fw, struct msg *m)
{
	fw->off = 0;
	if (!fw->spool) {
		if (!m->failed)
			fw->st.sent++;
		pop(fw);
		return;
	}
	m->wire_end = fw->wire;
	fw->sent++;
}

static void send_some(struct hg_fwd *fw)
{
	while (fw->count > fw->sent) {
		struct msg *m = &fw->q[(fw->head + fw->sent) % fw->cap];
		ssize_t n;

		if (fw->tls) {
			char why[512];

			n = hg_tls_write(fw->session, m->buf + fw->off, m->len - fw->off,
					 &fw->tls_want, why, sizeof(why));
			if (n < 0) {
				disconnect_why(fw, "connection lost to", why);
				return;
			}
			if (!n)
				return;
			fw->wire = hg_tls_wire(fw->session);
		} else if (fw->tcp)
			n = send(fw->fd, m->buf + fw->off, m->len - fw->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			n = sendto(fw->fd, m->buf, m->len, MSG_DONTWAIT,
				   fw->ai->ai_addr, fw->ai->ai_addrlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS)
				return;
			if (!fw->tcp) {
				/* EMSGSIZE and the like: this datagram cannot go. */
				hg_error("cannot send to", fw->url, errno);
				fw->st.dropped_unsent++;
				m->failed = true;
				written(fw, m);
				continue;
			}
			disconnect(fw, errno, "connection lost to");
			return;
		}
		if (!fw->tls)
			fw->wire += (uint64_t)n;
		fw->off += (size_t)n;
		if (fw->tcp && fw->off < m->len)
			continue;
		written(fw, m);
	}
	ack(fw);
}

void hg_fwd_progress(struct hg_fwd *fw, short revents)
{
	if (fw->fd < 0)
		return;
	if (fw->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (getsockopt(fw->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err) {
			disconnect(fw, err, "cannot connect to");
			return;
		}
		tcp_up(fw);
		return;
	}
	if (fw->handshaking) {
		if (revents & (fw->tls_want | POLLERR | POLLHUP))
			handshake(fw);
		return;
	}
	if (fw->tls && (revents & (POLLIN | POLLHUP | POLLERR))) {
		char why[512];

		if (hg_tls_peer_closed(fw->session, &fw->tls_want, why, sizeof(why))) {
			disconnect_why(fw, "connection lost to", why);
			return;
		}
	} else if (fw->tcp && (revents & (POLLIN | POLLHUP | POLLERR))) {
		char buf[256];
		ssize_t n = recv(fw->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			disconnect(fw, n ? errno : ECONNRESET, "connection lost to");
			return;
		}
	}
	if (fw->count)
		send_some(fw);
}

/* Send what is queued, for at most @timeout_ms or until *@stop. */
void hg_fwd_drain(struct hg_fwd *fw, int timeout_ms, const volatile int *stop)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (pending(fw) && !*stop) {
		struct pollfd pfd;
		uint64_t now = now_ms();
		int t, left;

		if (now >= end)
			break;
		left = (int)(end - now);
		t = hg_fwd_pollfd(fw, &pfd);
		if (t < 0 || t > left)
			t = left;
		if (pfd.fd >= 0 && !(pfd.events & (POLLOUT | POLLIN)))
			t = left;
		if (poll(&pfd, 1, t) > 0)
			hg_fwd_progress(fw, pfd.revents);
	}
}

void hg_fwd_close(struct hg_fwd *fw, struct hg_fwd_stats *stats)
{
	ack(fw);
	/* Spooled records wait for the next run: not lost. */
	if (fw->spool)
		fw->st.spooled = hg_spool_records(fw->spool);
	while (fw->count) {
		if (!fw->spool)
			fw->st.dropped_unsent++;
		pop(fw);
	}
	hg_spool_close(fw->spool);
	hg_tls_free(fw->session, fw->fd);
	if (fw->fd >= 0) {
		if (fw->tcp)
			shutdown(fw->fd, SHUT_WR);
		close(fw->fd);
	}
	*stats = fw->st;
	freeaddrinfo(fw->ai);
	hg_tls_ctx_free(fw->tls_ctx);
	free(fw->q);
	free(fw);
}
