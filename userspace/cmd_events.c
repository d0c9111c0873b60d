// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate events: read struct hg_event records from securityfs (or, with
 * --input, from a file holding a recorded stream) and print one line each in
 * the chosen format, or forward them to a syslog receiver (forward.c). The
 * module hands out whole records per read(2); partial ones are still carried
 * over so that a file or a pipe reads the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "evfmt.h"
#include "forward.h"
#include "forward_tls.h"
#include "subcommands.h"
#include "util.h"

#define BUF_SIZE	(64 * 1024)
#define QUEUE_DEFAULT	10000
#define SPOOL_MAX_DEFAULT	(64ULL << 20)

static const char usage[] =
	"Usage: hashgate events [--follow] [--consume] [--format FMT] [--input FILE]\n"
	"                       [--forward URL [--queue N] [--timeout SEC]\n"
	"                        [--tls-ca FILE] [--tls-cert FILE [--tls-key FILE]]\n"
	"                        [--spool DIR [--spool-max BYTES]]]\n"
	"                       [--enterprise-number N] [--max-record BYTES]\n"
	"                       [--journal] [--output FILE]\n"
	"                       [--from-config [--config FILE]]\n"
	"  -f, --follow       wait for new events instead of exiting when none are left\n"
	"      --consume      deliver what is read, as the forwarder does: it is not\n"
	"                     kept for the next consumer (default: watch, a tap that\n"
	"                     leaves every record to the forwarder)\n"
	"  -F, --format FMT   text (default), json (ECS), cef, leef or syslog (RFC 5424)\n"
	"  -j, --json         same as --format json\n"
	"  -i, --input FILE   read recorded binary records from FILE ('-': stdin)\n"
	"                     instead of the module\n"
	"  -w, --forward URL  send each record to udp://HOST:PORT, tcp://HOST:PORT\n"
	"                     (RFC 6587 octet counting) or tls://HOST:PORT (RFC 5425:\n"
	"                     the receiver's certificate must name HOST) instead of\n"
	"                     printing it;\n"
	"                     the format defaults to syslog, others are wrapped in an\n"
	"                     RFC 5424 header\n"
	"  -q, --queue N      records held while the receiver is slow or away\n"
	"                     (default 10000); more are dropped and counted\n"
	"  -t, --timeout SEC  at the end, wait this long to deliver the queue (10)\n"
	"      --spool DIR    keep each record in DIR/spool until the receiver has\n"
	"                     acknowledged it; what is left there is sent first by\n"
	"                     the next run\n"
	"      --spool-max BYTES\n"
	"                     the spool's bound (default 64 MiB); more is dropped\n"
	"                     and counted\n"
	"      --tls-ca FILE  CA certificates (PEM) the receiver's must chain to\n"
	"                     (default: the system's)\n"
	"      --tls-cert FILE, --tls-key FILE\n"
	"                     a client certificate (PEM) and its key (default: in\n"
	"                     the certificate file), for receivers that ask\n"
	"  -e, --enterprise-number N\n"
	"                     the IANA enterprise number in RFC 5424 SD-IDs\n"
	"                     (default 32473, the documentation number)\n"
	"  -m, --max-record BYTES\n"
	"                     cut records longer than this (2048..1048576; 0: no\n"
	"                     limit; default per format, see hashgate(8))\n"
	"  -J, --journal      also print each record as text, with the syslog\n"
	"                     priority of its severity as a \"<N>\" prefix, for the\n"
	"                     journal (hashgate-events.service)\n"
	"  -o, --output FILE  append the records to FILE (created 0640) instead of\n"
	"                     standard output, and with --forward as a local copy;\n"
	"                     reopened on SIGHUP, for logrotate\n"
	"  -C, --from-config  forward (and its TLS files), format, enterprise number\n"
	"                     and output from hashgate.conf(5) (options given here win)\n"
	"  -c, --config FILE  the configuration file (default " HG_CONFIG_DEFAULT ")\n";

static volatile int stop;
static volatile sig_atomic_t reopen;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		stop = 1;
}

struct out {
	enum hg_format fmt;
	bool journal;		/* a text copy on stdout, "<severity>" first */
	const char *output;	/* --output FILE, or NULL: stdout */
	FILE *file;
	struct hg_fmt_ctx ctx;
	struct hg_fwd *fwd;
	char *buf;		/* one formatted record, for forwarding */
	size_t size;
	FILE *mem;
};

/* (Re)open --output: appended to, so that a rotated file is never cut. */
static int open_output(struct out *o)
{
	int fd, err;

	if (o->file)
		fclose(o->file);
	o->file = NULL;
	fd = open(o->output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd >= 0)
		o->file = fdopen(fd, "a");
	if (!o->file) {
		err = errno;
		if (fd >= 0)
			close(fd);
		hg_error("cannot open", o->output, err);
		return -err;
	}
	return 0;
}

/* One record to --output, whole: flushed, so that a reader never sees half. */
static int put_file(struct out *o, const struct hg_event *ev, const char *strings)
{
	if (reopen) {
		reopen = 0;
		if (open_output(o))
			return -EIO;
	}
	hg_event_format(o->file, o->fmt, ev, strings, &o->ctx);
	if (fflush(o->file) || ferror(o->file)) {
		hg_error("cannot write", o->output, errno);
		return -EIO;
	}
	return 0;
}

static int emit(struct out *o, const struct hg_event *ev, const char *strings)
{
	size_t len;

	if (o->file && put_file(o, ev, strings))
		return -EIO;
	if (o->journal) {
		/* sd-daemon(3): journald reads the priority off the prefix. */
		printf("<%u>", hg_syslog_severity(ev));
		hg_event_format(stdout, o->fwd ? HG_FMT_TEXT : o->fmt, ev, strings, &o->ctx);
	}
	if (!o->fwd) {
		if (!o->journal && !o->file)
			hg_event_format(stdout, o->fmt, ev, strings, &o->ctx);
		return 0;
	}
	rewind(o->mem);
	if (o->fmt != HG_FMT_SYSLOG) {
		hg_syslog_header(o->mem, ev, &o->ctx);
		fputs("- ", o->mem);
	}
	hg_event_format(o->mem, o->fmt, ev, strings, &o->ctx);
	if (fflush(o->mem))
		return -ENOMEM;
	len = (size_t)ftell(o->mem);
	while (len && o->buf[len - 1] == '\n')
		len--;
	hg_fwd_send(o->fwd, o->buf, len);
	return 0;
}

/* Handle every complete record in @buf; return the bytes consumed or -1. */
static long drain(struct out *o, const char *buf, size_t len)
{
	struct hg_event ev;
	size_t off = 0;
	long n;

	while ((n = hg_event_check(buf + off, len - off, &ev)) > 0) {
		int err = emit(o, &ev, buf + off + sizeof(ev));

		if (err) {
			if (err == -ENOMEM)
				hg_error("cannot format a record", NULL, ENOMEM);
			return -1;
		}
		off += (size_t)n;
	}
	if (n < 0) {
		hg_errorf("malformed event record at byte %zu of a read; "
			  "tool and module versions differ?", off);
		return -1;
	}
	return (long)off;
}

/*
 * The module's stream: "events" for a consumer (what it reads is
 * delivered), "events_tap" for a watcher; any number of each at once.
 */
static int open_source(const char *input, bool consume, char *path, size_t size)
{
	int fd, err;

	if (input && !strcmp(input, "-")) {
		snprintf(path, size, "<stdin>");
		fd = dup(STDIN_FILENO);
	} else if (input) {
		snprintf(path, size, "%s", input);
		/* Blocking open, so a FIFO waits for its writer. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	} else {
		hg_sfs_path(path, size, consume ? "events" : "events_tap");
		/* Non-blocking even with --follow: poll() waits, EAGAIN: drained. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd < 0) {
		err = errno;
		hg_error_text("cannot open", path, input ? strerror(err) : hg_sfs_strerror("events", err));
		return input ? -HG_EXIT_FAIL : -hg_errno_exit(err);
	}
	if (input)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int run(struct out *o, int fd, const char *path, bool follow, bool file)
{
	struct pollfd pfd[2];
	size_t have = 0;
	bool eof = false;
	char *buf = malloc(BUF_SIZE);
	int ret = HG_EXIT_FAIL;

	if (!buf) {
		hg_error("cannot allocate", NULL, ENOMEM);
		return HG_EXIT_FAIL;
	}
	while (!stop) {
		ssize_t n = read(fd, buf + have, BUF_SIZE - have);
		long used;
		int timeout = -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !follow && !file) {
			eof = true;
		} else if (n < 0 && errno == EAGAIN) {
			/* Wait for the source, and keep the forwarder moving. */
			pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
			pfd[1] = (struct pollfd){ .fd = -1 };
			if (o->fwd)
				timeout = hg_fwd_pollfd(o->fwd, &pfd[1]);
			if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
				hg_error("cannot poll", path, errno);
				break;
			}
			if (o->fwd && pfd[1].fd >= 0 && pfd[1].revents)
				hg_fwd_progress(o->fwd, pfd[1].revents);
			continue;
		} else if (n < 0) {
			int err = errno;

			hg_error_text("cannot read", path, err == EINVAL ?
				      "event record larger than the read buffer" :
				      file ? strerror(err) : hg_sfs_strerror("events", err));
			ret = file ? HG_EXIT_FAIL : hg_errno_exit(err);
			break;
		} else if (n == 0) {
			eof = true;
		}
		if (eof) {
			if (have)
				hg_errorf("truncated event record at end of '%s'", path);
			ret = have ? HG_EXIT_FAIL : HG_EXIT_OK;
			break;
		}
		have += (size_t)n;
		used = drain(o, buf, have);
		if (used < 0)
			break;
		have -= (size_t)used;
		memmove(buf, buf + used, have);
		if (have == BUF_SIZE) {
			hg_errorf("event record larger than %d bytes", BUF_SIZE);
			break;
		}
		if (o->fwd) {
			/* Opportunistic: send without waiting. */
			pfd[1] = (struct pollfd){ .fd = -1 };
			hg_fwd_pollfd(o->fwd, &pfd[1]);
			if (pfd[1].fd >= 0 && poll(&pfd[1], 1, 0) > 0)
				hg_fwd_progress(o->fwd, pfd[1].revents);
		}
		if (follow)
			fflush(stdout);
	}
	if (stop)
		ret = HG_EXIT_OK;
	free(buf);
	return ret;
}

struct events_opts {
	struct out *o;
	struct hg_spool_opts *spool;
	uint64_t queue, timeout, max_record;
	bool fmt_set, max_set, spool_max_set;
};

/* The options that check their argument or set more than one thing. */
static int events_option(void *ctx, int c, const char *arg)
{
	struct events_opts *e = ctx;

	switch (c) {
	case 'j':
		e->o->fmt = HG_FMT_JSON;
		e->fmt_set = true;
		break;
	case 'F':
		if (hg_format_parse(arg, &e->o->fmt))
			return hg_usage_error(usage, "invalid format '%s'", arg);
		e->fmt_set = true;
		break;
	case 'q':
		if (hg_parse_u64(arg, &e->queue) || e->queue < 1 || e->queue > 10000000)
			return hg_usage_error(usage, "invalid queue size '%s'", arg);
		break;
	case 't':
		if (hg_parse_u64(arg, &e->timeout) || e->timeout > 3600)
			return hg_usage_error(usage, "invalid timeout '%s'", arg);
		break;
	case 'm':
		if (hg_parse_u64(arg, &e->max_record))
			return hg_usage_error(usage, "invalid record size '%s'", arg);
		e->max_set = true;
		break;
	default:	/* 5: --spool-max */
		if (hg_parse_u64(arg, &e->spool->max) || e->spool->max < 65536)
			return hg_usage_error(usage, "invalid spool size '%s' (64 KiB at least)",
					      arg);
		e->spool_max_set = true;
		break;
	}
	return 0;
}

int events_main(int argc, char *argv[])
{
	struct hg_tls_opts tls = { 0 };
	struct hg_spool_opts spool = { .max = SPOOL_MAX_DEFAULT };
	bool spool_max_set;
	struct out o = { .fmt = HG_FMT_TEXT };
	struct events_opts eo = { .o = &o, .spool = &spool, .queue = QUEUE_DEFAULT,
				  .timeout = 10 };
	const char *input = NULL, *forward = NULL, *pen = NULL, *config = NULL;
	bool follow = false, fmt_set, from_config = false, max_set;
	bool consume = false;
	const struct hg_opt opts[] = {
		HG_OPT_FLAG("follow", 'f', &follow),
		HG_OPT_CALL("json", no_argument, 'j'),
		HG_OPT_CALL("format", required_argument, 'F'),
		HG_OPT_ARG("input", 'i', &input),
		HG_OPT_ARG("forward", 'w', &forward),
		HG_OPT_CALL("queue", required_argument, 'q'),
		HG_OPT_CALL("timeout", required_argument, 't'),
		HG_OPT_ARG("enterprise-number", 'e', &pen),
		HG_OPT_CALL("max-record", required_argument, 'm'),
		HG_OPT_FLAG("journal", 'J', &o.journal),
		HG_OPT_FLAG("from-config", 'C', &from_config),
		HG_OPT_ARG("config", 'c', &config),
		HG_OPT_ARG("output", 'o', &o.output),
		HG_OPT_LONG_ARG("tls-ca", 1, &tls.ca),
		HG_OPT_LONG_ARG("tls-cert", 2, &tls.cert),
		HG_OPT_LONG_ARG("tls-key", 3, &tls.key),
		HG_OPT_LONG_ARG("spool", 4, &spool.dir),
		HG_OPT_LONG("spool-max", required_argument, 5),
		HG_OPT_LONG_FLAG("consume", 6, &consume),
		{ NULL }
	};
	uint64_t queue, timeout, max_record;
	struct hg_config cfg = { 0 };
	char path[4096], host[256];
	int fd, ret;

	ret = hg_options(argc, argv, opts, usage, events_option, &eo);
	if (ret >= 0)
		return ret;
	spool_max_set = eo.spool_max_set;
	fmt_set = eo.fmt_set;
	max_set = eo.max_set;
	queue = eo.queue;
	timeout = eo.timeout;
	max_record = eo.max_record;
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (follow && input)
		return hg_usage_error(usage, "--follow reads the module; not with --input");
	if (consume && input)
		return hg_usage_error(usage, "--consume reads the module; not with --input");
	if (config && !from_config)
		return hg_usage_error(usage, "--config goes with --from-config");
	if (from_config) {
		ret = hg_config_load(hg_config_path(config), &cfg);
		if (ret)
			return ret;
		if (!forward)
			forward = cfg.forward;
		if (!fmt_set && cfg.format >= 0) {
			hg_format_parse(hg_cfg_format_names[cfg.format], &o.fmt);
			fmt_set = true;
		}
		if (!pen && cfg.enterprise_number[0])
			pen = cfg.enterprise_number;
		if (!o.output)
			o.output = cfg.output;
		if (!spool.dir && forward == cfg.forward)
			spool.dir = cfg.spool;
		if (!spool_max_set && cfg.spool_max)
			spool.max = cfg.spool_max;
		/* The config's TLS files go with the config's target. */
		if (forward == cfg.forward && !tls.ca && !tls.cert && !tls.key) {
			tls.ca = cfg.tls_ca;
			tls.cert = cfg.tls_cert;
			tls.key = cfg.tls_key;
		}
	}
	if (!forward && spool.dir) {
		hg_config_free(&cfg);
		return hg_usage_error(usage, "--spool goes with --forward");
	}
	if (!forward && (tls.ca || tls.cert || tls.key)) {
		hg_config_free(&cfg);
		return hg_usage_error(usage, "--tls-ca, --tls-cert and --tls-key go with --forward");
	}
	if (forward && !fmt_set)
		o.fmt = HG_FMT_SYSLOG;
	hg_fmt_ctx_init(&o.ctx, host, sizeof(host));
	ret = HG_EXIT_OK;
	if (pen && hg_fmt_set_enterprise_number(&o.ctx, pen))
		ret = hg_usage_error(usage, "invalid enterprise number '%s'", pen);
	else if (max_set && hg_fmt_set_max_record(&o.ctx, o.fmt, (size_t)max_record))
		ret = hg_usage_error(usage, "invalid record size %llu for format %s "
				     "(2048..1048576, or 0; text is never cut)",
				     (unsigned long long)max_record,
				     forward ? "syslog or the one given" : "given");
	if (!ret && !input)
		ret = hg_sfs_require();
	if (!ret && forward) {
		ret = hg_fwd_open(&o.fwd, forward, (size_t)queue, &tls, &spool);
		if (ret) {
			ret = ret == -EINVAL ? HG_EXIT_USAGE : HG_EXIT_FAIL;
		} else {
			o.mem = open_memstream(&o.buf, &o.size);
			if (!o.mem) {
				struct hg_fwd_stats st;

				hg_error("cannot allocate", NULL, ENOMEM);
				hg_fwd_close(o.fwd, &st);
				o.fwd = NULL;
				ret = HG_EXIT_FAIL;
			}
		}
	}
	if (ret) {
		hg_config_free(&cfg);
		return ret;
	}
	if (o.output && open_output(&o)) {
		ret = HG_EXIT_FAIL;
		goto out;
	}
	fd = open_source(input, consume, path, sizeof(path));
	if (fd < 0) {
		ret = -fd;
		goto out;
	}
	if (follow || forward || o.output) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	ret = run(&o, fd, path, follow, input != NULL);
	close(fd);
out:
	if (o.fwd) {
		struct hg_fwd_stats st;
		unsigned long long dropped;

		/* A first signal ends reading; a second one ends the draining. */
		stop = 0;
		hg_fwd_drain(o.fwd, (int)timeout * 1000, &stop);
		hg_fwd_close(o.fwd, &st);
		fclose(o.mem);
		free(o.buf);
		dropped = st.dropped_full + st.dropped_unsent;
		hg_errorf("forwarded %llu of %llu records to '%s'; %llu dropped "
			  "(%llu queue full, %llu undelivered)",
			  (unsigned long long)st.sent, (unsigned long long)st.queued,
			  forward, dropped, (unsigned long long)st.dropped_full,
			  (unsigned long long)st.dropped_unsent);
		if (spool.dir)
			hg_errorf("%llu records wait in the spool %s for the next run",
				  (unsigned long long)st.spooled, spool.dir);
		if (dropped && ret == HG_EXIT_OK)
			ret = HG_EXIT_FAIL;
	}
	if (o.file && fclose(o.file) && ret == HG_EXIT_OK)
		ret = HG_EXIT_FAIL;
	if (fflush(stdout) && ret == HG_EXIT_OK)
		ret = HG_EXIT_FAIL;
	hg_config_free(&cfg);
	return ret;
}
