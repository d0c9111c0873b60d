// SPDX-License-Identifier: GPL-2.0
/*
 * A small dynamically linked program: libc, ld.so, its own code.
 * "hello --sleep N" stays mapped for N seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	printf("hello from %s\n", argc ? argv[0] : "?");
	if (argc > 2 && !strcmp(argv[1], "--sleep")) {
		/* Whoever waits for the line knows it is past start-up now. */
		fflush(stdout);
		sleep(atoi(argv[2]));
	}
	return 0;
}
