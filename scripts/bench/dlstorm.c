// SPDX-License-Identifier: GPL-2.0
/*
 * The library storm: dlopen + dlsym + call + dlclose of DIR/libbenchNN.so,
 * NN = 0..COUNT-1, ROUNDS times. Prints the elapsed time in nanoseconds.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	int rounds, count, r, i, sum = 0;
	struct timespec a, b;
	char path[4096];

	if (argc != 4)
		return 2;
	rounds = atoi(argv[2]);
	count = atoi(argv[3]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < count; i++) {
			void *h;
			int (*fn)(void);

			snprintf(path, sizeof(path), "%s/libbench%02d.so", argv[1], i);
			h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
			if (!h) {
				fprintf(stderr, "dlstorm: %s\n", dlerror());
				return 1;
			}
			fn = (int (*)(void))dlsym(h, "bench_fn");
			sum += fn ? fn() : 0;
			dlclose(h);
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return sum == -1;
}
