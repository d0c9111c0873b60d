/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_FORWARD_H
#define _HG_FORWARD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hg_fwd;

struct hg_fwd_stats {
	uint64_t queued;	/* records handed to hg_fwd_send() */
	uint64_t sent;		/* written whole to the socket */
	uint64_t dropped_full;	/* refused: the queue was full */
	uint64_t dropped_unsent; /* still queued at the end, or unsendable */
	uint64_t connects;	/* successful (re)connections, TCP */
	uint64_t spooled;	/* left in the spool for the next run */
};

/* --spool: where records wait until the receiver acknowledged them. */
struct hg_spool_opts {
	const char *dir;	/* NULL: no spool */
	uint64_t max;		/* bytes the spool may hold */
};

struct hg_tls_opts;

bool hg_fwd_url_valid(const char *url);
int hg_fwd_open(struct hg_fwd **out, const char *url, size_t queue_max,
		const struct hg_tls_opts *tls, const struct hg_spool_opts *spool);
int hg_fwd_send(struct hg_fwd *fw, const char *msg, size_t len);
int hg_fwd_pollfd(struct hg_fwd *fw, struct pollfd *pfd);
void hg_fwd_progress(struct hg_fwd *fw, short revents);
void hg_fwd_drain(struct hg_fwd *fw, int timeout_ms, const volatile int *stop);
void hg_fwd_close(struct hg_fwd *fw, struct hg_fwd_stats *stats);

#endif /* _HG_FORWARD_H */
