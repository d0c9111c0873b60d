// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarder's on-disk spool: every record to forward is appended to
 * DIR/spool before it is sent, and DIR/spool.pos says where the first
 * record the receiver has not acknowledged starts. A forwarder restarted
 * after a crash or a SIEM outage sends again from there, in order. When
 * everything was acknowledged the file is emptied, so it only grows while
 * the receiver is behind; past its bound, new records are refused (and
 * the caller counts them).
 *
 * On disk, each record is a little-endian u32 length and the bytes. A
 * record cut short by a crash during its append is the last one, and is
 * dropped at the next open. One forwarder at a time: the spool is locked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "util.h"

struct hg_spool {
	int fd, posfd;
	uint64_t pos;		/* first record not acknowledged */
	uint64_t end;		/* where the next record goes */
	uint64_t max;
	char path[4096];
};

static int get_le32(int fd, uint64_t off, uint32_t *v)
{
	unsigned char b[4];

	if (pread(fd, b, 4, (off_t)off) != 4)
		return -EIO;
	*v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

/* The end of the last whole record from @pos: a torn append is cut off. */
static uint64_t whole_end(int fd, uint64_t pos, uint64_t size)
{
	uint32_t len;

	while (pos + 4 <= size && !get_le32(fd, pos, &len) && pos + 4 + len <= size)
		pos += 4 + len;
	return pos;
}

int hg_spool_open(struct hg_spool **out, const char *dir, uint64_t max)
{
	struct hg_spool *s = calloc(1, sizeof(*s));
	unsigned char b[8] = { 0 };
	char pospath[4200];
	struct stat st;
	int err, i;

	if (!s)
		return -ENOMEM;
	s->max = max;
	s->posfd = -1;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = errno;
		hg_error("cannot create the spool directory", dir, err);
		s->fd = -1;
		goto fail;
	}
	snprintf(s->path, sizeof(s->path), "%s/spool", dir);
	snprintf(pospath, sizeof(pospath), "%s/spool.pos", dir);
	s->fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	s->posfd = s->fd < 0 ? -1 :
		   open(pospath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->fd < 0 || s->posfd < 0) {
		err = errno;
		hg_error("cannot open the spool in", dir, err);
		goto fail;
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB)) {
		err = errno;
		hg_error_text("cannot use the spool in", dir, err == EWOULDBLOCK ?
			      "another forwarder has it" : strerror(err));
		goto fail;
	}
	if (fstat(s->fd, &st)) {
		err = errno;
		goto fail;
	}
	if (pread(s->posfd, b, 8, 0) == 8)
		for (i = 7; i >= 0; i--)
			s->pos = s->pos << 8 | b[i];
	if (s->pos > (uint64_t)st.st_size)
		s->pos = 0;	/* a position from before the file was emptied */
	s->end = whole_end(s->fd, s->pos, (uint64_t)st.st_size);
	if (s->end < (uint64_t)st.st_size && ftruncate(s->fd, (off_t)s->end)) {
		err = errno;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	if (s->posfd >= 0)
		close(s->posfd);
	free(s);
	return -err;
}

/* Append one record; -ENOSPC beyond the bound, -EIO when the disk fails. */
int hg_spool_append(struct hg_spool *s, const void *msg, size_t len)
{
	unsigned char hdr[4] = { len, len >> 8, len >> 16, len >> 24 };

	if (s->end - s->pos + 4 + len > s->max)
		return -ENOSPC;
	if (pwrite(s->fd, hdr, 4, (off_t)s->end) != 4 ||
	    pwrite(s->fd, msg, len, (off_t)s->end + 4) != (ssize_t)len)
		return -EIO;
	s->end += 4 + len;
	return 0;
}

/*
 * The record at @off (a record boundary at or after the committed
 * position), in a malloc'd buffer; its end in *@next. 0 when there is
 * none, -errno on failure.
 */
ssize_t hg_spool_read(struct hg_spool *s, uint64_t off, char **msg, uint64_t *next)
{
	uint32_t len;

	if (off + 4 > s->end)
		return 0;
	if (get_le32(s->fd, off, &len))
		return -EIO;
	*msg = malloc(len ? len : 1);
	if (!*msg)
		return -ENOMEM;
	if (pread(s->fd, *msg, len, (off_t)off + 4) != (ssize_t)len) {
		free(*msg);
		return -EIO;
	}
	*next = off + 4 + len;
	return len;
}

/* Everything before @pos was acknowledged: remember it; empty when all was. */
int hg_spool_commit(struct hg_spool *s, uint64_t pos)
{
	unsigned char b[8];
	int i;

	if (pos == s->end) {
		/* Nothing is waiting: start the file again. */
		if (ftruncate(s->fd, 0))
			return -errno;
		s->end = 0;
		pos = 0;
	}
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(pos >> (8 * i));
	if (pwrite(s->posfd, b, 8, 0) != 8)
		return -EIO;
	s->pos = pos;
	return 0;
}

/* Records from the position to the end: what has not been acknowledged. */
uint64_t hg_spool_records(const struct hg_spool *s)
{
	uint64_t off = s->pos, n = 0;
	uint32_t len;

	while (off + 4 <= s->end && !get_le32(s->fd, off, &len)) {
		off += 4 + len;
		n++;
	}
	return n;
}

uint64_t hg_spool_pos(const struct hg_spool *s)
{
	return s->pos;
}

uint64_t hg_spool_end(const struct hg_spool *s)
{
	return s->end;
}

void hg_spool_close(struct hg_spool *s)
{
	if (!s)
		return;
	fsync(s->fd);
	fsync(s->posfd);
	close(s->fd);
	close(s->posfd);
	free(s);
}
