// SPDX-License-Identifier: GPL-2.0
/*
 * A static AArch32 (armhf) program for arm64_test, run by an arm64 kernel
 * with CONFIG_COMPAT on a CPU that has AArch32 at EL0. Its system calls go
 * through the kernel's a32 table: mmap2 and personality are asked here, not
 * in the 64-bit test. aarch32_probe.h lists what its exit status says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aarch32_probe.h"

#define PAGE	4096

static int setup_fail(const char *what)
{
	fprintf(stderr, "# aarch32_probe: %s: %s\n", what, strerror(errno));
	return A32_SETUP;
}

/* mmap2(2) itself, not whatever libc makes of mmap(). */
static int map_exec(const char *path)
{
	long p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return setup_fail(path);
	p = syscall(__NR_mmap2, NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE,
		    fd, 0);
	if (p == -1)
		return errno < A32_SETUP ? errno : setup_fail("mmap2");
	munmap((void *)p, PAGE);
	close(fd);
	return 0;
}

/*
 * Is [heap] executable? Plain system calls only: after READ_IMPLIES_EXEC
 * any mmap by libc would be executable memory of its own.
 */
static int heap_executable(void)
{
	static char maps[1 << 16];
	size_t n = 0;
	char *line, *end;
	ssize_t r;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (n < sizeof(maps) - 1 &&
	       (r = read(fd, maps + n, sizeof(maps) - 1 - n)) > 0)
		n += r;
	close(fd);
	maps[n] = '\0';
	for (line = maps; *line; line = end + 1) {
		char *perms = strchr(line, ' ');

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		/* brk grown with other flags is a second [heap] mapping. */
		if (end - line > 6 && perms && !strncmp(end - 6, "[heap]", 6) &&
		    perms[3] == 'x')
			return 1;
		if (!*end)
			break;
	}
	return 0;
}

/* The a32 table's personality: arm64_personality, as for 64-bit tasks. */
static int read_implies_exec(void)
{
	long old = syscall(__NR_personality, 0xffffffff);
	int status, heap;
	long ret;

	if (old == -1)
		return setup_fail("personality(0xffffffff)");
	ret = syscall(__NR_personality, old | READ_IMPLIES_EXEC);
	if (ret != -1)
		status = A32_PERS_GRANTED;
	else if (errno == EPERM)
		status = A32_PERS_EPERM;
	else
		status = A32_PERS_OTHER;
	/* brk takes its flags from the personality: no mmap hook sees it. */
	if (sbrk(1 << 20) == (void *)-1)
		return setup_fail("sbrk");
	heap = heap_executable();
	if (heap < 0)
		return setup_fail("/proc/self/maps");
	return status | (heap ? A32_HEAP_EXEC : 0);
}

int main(int argc, char *argv[])
{
	const char *platform = (const char *)getauxval(AT_PLATFORM);

	/* arm64's compat ELF loader says so (COMPAT_ELF_PLATFORM). */
	if (!platform || strcmp(platform, "v8l"))
		return A32_NOT_AARCH32;
	if (argc == 3 && !strcmp(argv[1], "map"))
		return map_exec(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "personality"))
		return read_implies_exec();
	if (argc != 1) {
		fprintf(stderr, "# usage: aarch32_probe [map FILE | personality]\n");
		return A32_SETUP;
	}
	return A32_RAN;
}
