// SPDX-License-Identifier: GPL-2.0
/* The exec-storm program: dynamically linked against libc, libm and libz. */
#include <math.h>
#include <string.h>
#include <zlib.h>

#ifndef TAG
#define TAG "tiny"
#endif
const char bench_tag[] = TAG;

int main(int argc, char **argv)
{
	volatile double x = argc;

	(void)argv;
	return (cos(x) > 2.0) + (strlen(zlibVersion()) == 0);
}
