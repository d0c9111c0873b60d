// SPDX-License-Identifier: GPL-2.0
/* A small dynamically linked program: libc, ld.so, its own code. */
#include <stdio.h>

int main(int argc, char *argv[])
{
	printf("hello from %s\n", argc ? argv[0] : "?");
	return 0;
}
