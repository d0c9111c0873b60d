// SPDX-License-Identifier: GPL-2.0
/* Linked against libhgtest.so (DT_NEEDED, found through $ORIGIN). */
#include "libhgtest.h"

int main(void)
{
	return hg_test_answer() == 42 ? 0 : 1;
}
