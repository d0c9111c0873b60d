/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_EVFMT_H
#define _HG_EVFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "uapi/hashgate.h"

long hg_event_check(const void *buf, size_t avail, struct hg_event *ev);
void hg_event_print(FILE *f, const struct hg_event *ev, const char *strings, bool json);

#endif /* _HG_EVFMT_H */
