// SPDX-License-Identifier: GPL-2.0
/*
 * The recorded rollback floor: HASHGATE_STATE_DIR (default /var/lib/hashgate)
 * holds 'serial', one decimal number and a newline, the highest allowlist
 * serial 'hashgate load' made active on this machine. 'hashgate module load'
 * passes it to the module as min_serial, so a reboot does not reopen the
 * door to an older signed list. Updates only ever go up, under flock(2) on
 * the directory, and replace the file atomically (write, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

static const char *state_dir(void)
{
	const char *dir = getenv("HASHGATE_STATE_DIR");

	return dir && *dir ? dir : HG_STATE_DEFAULT;
}

void hg_state_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/" HG_STATE_FILE, state_dir());
}

static int read_at(int dirfd, uint64_t *serial)
{
	char buf[32], *nl;
	ssize_t n;
	int fd = openat(dirfd, HG_STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (!nl || nl[1])
		return -EINVAL;
	*nl = '\0';
	return hg_parse_u64(buf, serial);
}

/* The recorded serial: 0, -ENOENT when there is none, -EINVAL if corrupt. */
int hg_state_read(uint64_t *serial)
{
	int dirfd = open(state_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (dirfd < 0)
		return -errno;
	ret = read_at(dirfd, serial);
	close(dirfd);
	return ret;
}

/* mkdir -p: parents 0755 (/var/lib exists on any real system), @dir 0700. */
static int make_dir(const char *dir)
{
	char path[4096], *p;

	if (!mkdir(dir, 0700) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Record @serial unless a higher or equal one is already recorded; create
 * the directory (0700, parents 0755) if needed. *@recorded is what the file holds after.
 * Return 0 or -errno (-EINVAL: the existing file is corrupt and was kept).
 */
int hg_state_record(uint64_t serial, uint64_t *recorded)
{
	const char *dir = state_dir();
	char tmp[32], line[32];
	uint64_t old;
	int dirfd, fd = -1, ret, len;

	ret = make_dir(dir);
	if (ret)
		return ret;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	if (flock(dirfd, LOCK_EX)) {
		ret = -errno;
		goto out;
	}
	ret = read_at(dirfd, &old);
	if (!ret && old >= serial) {
		*recorded = old;
		goto out;
	}
	if (ret && ret != -ENOENT)
		goto out;

	snprintf(tmp, sizeof(tmp), HG_STATE_FILE ".%ld", (long)getpid());
	len = snprintf(line, sizeof(line), "%llu\n", (unsigned long long)serial);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	errno = 0;
	if (write(fd, line, (size_t)len) != len || fsync(fd)) {
		ret = errno ? -errno : -EIO;
		unlinkat(dirfd, tmp, 0);
		goto out;
	}
	if (renameat(dirfd, tmp, dirfd, HG_STATE_FILE)) {
		ret = -errno;
		unlinkat(dirfd, tmp, 0);
		goto out;
	}
	fsync(dirfd);
	*recorded = serial;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	close(dirfd);		/* drops the lock */
	return ret;
}
