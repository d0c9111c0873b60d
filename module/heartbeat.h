/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_HEARTBEAT_H
#define _HG_HEARTBEAT_H

void hg_heartbeat_init(unsigned int seconds);
void hg_heartbeat_exit(void);

#endif /* _HG_HEARTBEAT_H */
