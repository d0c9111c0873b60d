// SPDX-License-Identifier: GPL-2.0
/* A shared library for the tests: loaded by needs_lib and by dlopen(). */
#include "libhgtest.h"

int hg_test_answer(void)
{
	return 42;
}
