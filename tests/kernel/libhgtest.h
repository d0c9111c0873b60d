/* SPDX-License-Identifier: GPL-2.0 */
/* The one function of libhgtest.so, for the programs linked against it. */
#ifndef _HG_LIBHGTEST_H
#define _HG_LIBHGTEST_H

int hg_test_answer(void);

#endif /* _HG_LIBHGTEST_H */
