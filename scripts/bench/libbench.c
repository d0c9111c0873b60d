// SPDX-License-Identifier: GPL-2.0
/* Built 50 times with a different LIBNUM: 50 distinct files, 50 digests. */
const char bench_lib_tag[] = "libbench-" LIBNUM_STR;

int bench_fn(void)
{
	return LIBNUM;
}
