/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What aarch32_probe (a static AArch32 program) says through its exit
 * status, for arm64_test.
 */
#ifndef _AARCH32_PROBE_H
#define _AARCH32_PROBE_H

/* "aarch32_probe": it ran, as an AArch32 task of an arm64 kernel. */
#define A32_RAN			0
/*
 * "aarch32_probe map FILE": mmap2(PROT_READ | PROT_EXEC) of FILE; 0 when
 * mapped, else the errno (below 64).
 */
/*
 * "aarch32_probe personality": personality(READ_IMPLIES_EXEC), then a heap
 * grown by brk; the status is one of A32_PERS_* plus A32_HEAP_EXEC when
 * [heap] came out executable.
 */
#define A32_PERS_GRANTED	0
#define A32_PERS_EPERM		1
#define A32_PERS_OTHER		2	/* any other error */
#define A32_HEAP_EXEC		4
/* The probe could not do what it was asked (the message is on stderr). */
#define A32_SETUP		64
/* Not an arm64 kernel's AArch32 task: AT_PLATFORM is not "v8l". */
#define A32_NOT_AARCH32		65

#endif /* _AARCH32_PROBE_H */
