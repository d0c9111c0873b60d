/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_VERSION_H
#define _HG_VERSION_H

#define HASHGATE_VERSION "0.1.0"

#endif /* _HG_VERSION_H */
