/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal FUSE server over raw /dev/fuse, for the kernel tests: no libfuse.
 *
 * It serves a root directory holding one regular executable file whose
 * bytes it keeps in memory. The first @n_first READ requests are answered
 * from one buffer and every later one from another, so a test can hand a
 * checker one content and the page faults that follow another. Requests
 * are counted in memory shared with the test (fsrv_shared_alloc()).
 *
 * Use, in a process that may mount FUSE (root of a user namespace that owns
 * its mount namespace):
 *
 *	struct fsrv s = { .name = "prog", .first = a, .after = b,
 *			  .len = n, .n_first = 2, .sh = shared };
 *	fsrv_mount(&s, "/some/dir");	opens /dev/fuse, mounts
 *	fsrv_start(&s);			forks the server
 *	... use /some/dir/prog ...
 *	fsrv_stop(&s, "/some/dir");	unmounts, kills and reaps it
 *
 * Opcodes served: INIT, LOOKUP, GETATTR, OPEN, READ, FLUSH, RELEASE,
 * OPENDIR, READDIR, RELEASEDIR, STATFS, ACCESS; FORGET, BATCH_FORGET and
 * INTERRUPT get no reply; everything else gets ENOSYS.
 */
#ifndef _HG_FUSE_SERVER_H
#define _HG_FUSE_SERVER_H

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FSRV_ROOT_INO	FUSE_ROOT_ID
#define FSRV_FILE_INO	2
#define FSRV_BUF_SIZE	(1 << 20)	/* >= FUSE_MIN_READ_BUFFER + max_write */
#define FSRV_MAX_WRITE	(128 * 1024)

/* Counters the server keeps in memory the test can read. */
struct fsrv_shared {
	volatile int inits;
	volatile int lookups;
	volatile int opens;
	volatile int reads;		/* READ requests on the file */
	volatile int reads_after;	/* of them, answered from @after */
	volatile int releases;
	volatile int unknown;		/* requests answered with ENOSYS */
	volatile int last_unknown;	/* the opcode of the last of those */
	volatile int error;		/* errno of a failed reply, 0 if none */
};

struct fsrv {
	const char *name;	/* the file's name in the root directory */
	const void *first;	/* bytes for the first n_first READs */
	const void *after;	/* bytes for the later ones; NULL: first */
	size_t len;		/* the file's size; both buffers hold len bytes */
	int n_first;		/* READs answered from first; < 0: all of them */
	bool direct_io;		/* FOPEN_DIRECT_IO: read(2) bypasses the cache */
	bool stall_reads;	/* READ gets no answer: a reader waits for good */
	uint64_t generation;	/* the file's i_generation; 0: 1 */
	struct fsrv_shared *sh;	/* from fsrv_shared_alloc(), or NULL */
	/* Set by fsrv_mount() / fsrv_start(). */
	int fd;
	pid_t pid;
};

/* Counters in anonymous shared memory: allocate before forking. */
static inline struct fsrv_shared *fsrv_shared_alloc(void)
{
	void *p = mmap(NULL, sizeof(struct fsrv_shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void fsrv_shared_reset(struct fsrv_shared *sh)
{
	memset((void *)sh, 0, sizeof(*sh));
}

/* One reply: header and an optional payload, in one write(2). */
static inline void fsrv_reply(struct fsrv *s, uint64_t unique, int error,
			      const void *data, size_t len)
{
	struct fuse_out_header oh = {
		.len = sizeof(oh) + (error ? 0 : len),
		.error = error,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{ &oh, sizeof(oh) },
		{ (void *)data, error ? 0 : len },
	};

	if (writev(s->fd, iov, data && !error && len ? 2 : 1) < 0 && s->sh &&
	    !s->sh->error && errno != ENOENT)	/* ENOENT: request interrupted */
		s->sh->error = errno;
}

static inline void fsrv_attr(const struct fsrv *s, uint64_t ino,
			     struct fuse_attr *a)
{
	time_t now = time(NULL);

	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->atime = now;
	a->mtime = now;
	a->ctime = now;
	a->uid = getuid();
	a->gid = getgid();
	a->blksize = 4096;
	if (ino == FSRV_ROOT_INO) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0755;
		a->nlink = 1;
		a->size = s->len;
		a->blocks = (s->len + 511) / 512;
	}
}

static inline void fsrv_entry(struct fsrv *s, uint64_t unique)
{
	struct fuse_entry_out e;

	memset(&e, 0, sizeof(e));
	e.nodeid = FSRV_FILE_INO;
	e.generation = s->generation ?: 1;
	e.entry_valid = 60;
	e.attr_valid = 60;
	fsrv_attr(s, FSRV_FILE_INO, &e.attr);
	fsrv_reply(s, unique, 0, &e, sizeof(e));
}

static inline void fsrv_readdir(struct fsrv *s, uint64_t unique,
				const struct fuse_read_in *in)
{
	char out[4096];
	const char *const names[] = { ".", "..", s->name };
	uint64_t inos[] = { FSRV_ROOT_INO, FSRV_ROOT_INO, FSRV_FILE_INO };
	uint32_t types[] = { S_IFDIR >> 12, S_IFDIR >> 12, S_IFREG >> 12 };
	size_t used = 0, i;

	for (i = in->offset; i < 3; i++) {
		struct fuse_dirent *d = (struct fuse_dirent *)(out + used);
		size_t nl = strlen(names[i]);
		size_t sz = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + nl);

		if (used + sz > in->size || used + sz > sizeof(out))
			break;
		memset(d, 0, sz);
		d->ino = inos[i];
		d->off = i + 1;
		d->namelen = nl;
		d->type = types[i];
		memcpy(d->name, names[i], nl);
		used += sz;
	}
	fsrv_reply(s, unique, 0, out, used);
}

static inline void fsrv_read(struct fsrv *s, uint64_t unique,
			     const struct fuse_read_in *in)
{
	const char *src = s->first;
	size_t n = 0;
	int nr;

	nr = s->sh ? ++s->sh->reads : 0;
	if (s->stall_reads)
		return;
	if (s->after && s->n_first >= 0 && nr > s->n_first) {
		src = s->after;
		if (s->sh)
			s->sh->reads_after++;
	}
	if (in->offset < s->len) {
		n = s->len - in->offset;
		if (n > in->size)
			n = in->size;
	}
	fsrv_reply(s, unique, 0, n ? src + in->offset : NULL, n);
}

static inline void fsrv_init(struct fsrv *s, uint64_t unique,
			     const struct fuse_init_in *in)
{
	struct fuse_init_out out;

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = in->minor < FUSE_KERNEL_MINOR_VERSION ?
		    in->minor : FUSE_KERNEL_MINOR_VERSION;
	out.max_readahead = in->max_readahead;
	out.flags = 0;
	out.max_background = 16;
	out.congestion_threshold = 12;
	out.max_write = FSRV_MAX_WRITE;
	out.time_gran = 1;
	if (s->sh)
		s->sh->inits++;
	fsrv_reply(s, unique, 0, &out, sizeof(out));
}

/* Serve until the connection goes away (unmount, abort). */
static inline void fsrv_loop(struct fsrv *s)
{
	char *buf = malloc(FSRV_BUF_SIZE);

	if (!buf)
		return;
	for (;;) {
		struct fuse_in_header *ih = (struct fuse_in_header *)buf;
		void *arg = buf + sizeof(*ih);
		ssize_t n = read(s->fd, buf, FSRV_BUF_SIZE);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
				continue;
			break;	/* ENODEV: unmounted */
		}
		if ((size_t)n < sizeof(*ih))
			continue;
		switch (ih->opcode) {
		case FUSE_INIT:
			fsrv_init(s, ih->unique, arg);
			break;
		case FUSE_LOOKUP:
			if (s->sh)
				s->sh->lookups++;
			if (ih->nodeid == FSRV_ROOT_INO && !strcmp(arg, s->name))
				fsrv_entry(s, ih->unique);
			else
				fsrv_reply(s, ih->unique, -ENOENT, NULL, 0);
			break;
		case FUSE_GETATTR: {
			struct fuse_attr_out a;

			if (ih->nodeid != FSRV_ROOT_INO &&
			    ih->nodeid != FSRV_FILE_INO) {
				fsrv_reply(s, ih->unique, -ENOENT, NULL, 0);
				break;
			}
			memset(&a, 0, sizeof(a));
			a.attr_valid = 60;
			fsrv_attr(s, ih->nodeid, &a.attr);
			fsrv_reply(s, ih->unique, 0, &a, sizeof(a));
			break;
		}
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out o;

			memset(&o, 0, sizeof(o));
			if (ih->opcode == FUSE_OPEN) {
				o.fh = s->sh ? ++s->sh->opens : 1;
				if (s->direct_io)
					o.open_flags = FOPEN_DIRECT_IO;
			}
			fsrv_reply(s, ih->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ:
			fsrv_read(s, ih->unique, arg);
			break;
		case FUSE_READDIR:
			fsrv_readdir(s, ih->unique, arg);
			break;
		case FUSE_STATFS: {
			struct fuse_statfs_out st;

			memset(&st, 0, sizeof(st));
			st.st.bsize = 4096;
			st.st.frsize = 4096;
			st.st.namelen = 255;
			st.st.files = 2;
			fsrv_reply(s, ih->unique, 0, &st, sizeof(st));
			break;
		}
		case FUSE_RELEASE:
			if (s->sh)
				s->sh->releases++;
			/* fall through */
		case FUSE_FLUSH:
		case FUSE_RELEASEDIR:
		case FUSE_ACCESS:
			fsrv_reply(s, ih->unique, 0, NULL, 0);
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;	/* no reply */
		default:
			if (s->sh) {
				s->sh->unknown++;
				s->sh->last_unknown = ih->opcode;
			}
			fsrv_reply(s, ih->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
	free(buf);
}

/*
 * Open /dev/fuse and mount it on @dir as "fuse", nosuid and nodev, owned by
 * the caller's ids in its own user namespace. 0 or -errno.
 */
static inline int fsrv_mount(struct fsrv *s, const char *dir)
{
	char opts[128];

	s->pid = -1;
	s->fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%u,group_id=%u",
		 s->fd, (unsigned int)getuid(), (unsigned int)getgid());
	if (mount("hgfuse", dir, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		int err = errno;

		close(s->fd);
		s->fd = -1;
		return -err;
	}
	return 0;
}

/* Fork the server; it dies with its parent. 0 or -errno. */
static inline int fsrv_start(struct fsrv *s)
{
	pid_t parent = getpid();

	s->pid = fork();
	if (s->pid < 0)
		return -errno;
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		fsrv_loop(s);
		_exit(0);
	}
	return 0;
}

/* Unmount @dir (lazily), stop and reap the server. */
static inline void fsrv_stop(struct fsrv *s, const char *dir)
{
	umount2(dir, MNT_DETACH);
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = -1;
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

#endif /* _HG_FUSE_SERVER_H */
