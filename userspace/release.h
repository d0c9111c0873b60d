/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_RELEASE_H
#define _HG_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/hashgate.h"

/*
 * A release's file system, assembled from its artifacts (Debian packages,
 * root file system tarballs, OCI image layers) without extracting a byte:
 * what each path would be on the target, and the digest of each file that
 * the kernel would check there.
 */
enum hg_rel_type {
	HG_REL_FILE,		/* a regular file, hashed if selected */
	HG_REL_DIR,
	HG_REL_SYMLINK,		/* link: its target, as written */
	HG_REL_HARDLINK,	/* link: the path of the file it shares */
};

/* OCI: what a layer removes from the layers below it. */
struct hg_rel_whiteout {
	char *path;
	unsigned int layer;
	bool opaque;		/* what is under path, not path itself */
};

struct hg_rel_entry {
	char *path;		/* absolute, normalised */
	char *link;
	const char *origin;	/* owned by the release's origins */
	unsigned int layer;	/* order of the artifact (OCI: of the layer) */
	size_t seq;		/* order added */
	unsigned int mode;
	enum hg_rel_type type;
	bool selected;		/* an executable (or every file with all) */
	bool script;		/* starts with "#!" */
	uint8_t digest[HG_DIGEST_SIZE];
};

enum hg_usr_merge { HG_USR_AUTO, HG_USR_MERGED, HG_USR_SPLIT };

struct hg_release {
	struct hg_rel_entry *v;
	size_t n, cap, added;
	struct hg_rel_whiteout *wh;
	size_t nwh;
	char **origins;
	size_t norigins;
	unsigned int layer;	/* of the artifact being read */
	bool all;		/* every regular file, not just executables */
	bool failed;		/* an error was reported */
	bool rootfs;		/* a whole root file system was read, not packages */
	bool keep_all;		/* every file of a path, not the last one read */
	enum hg_usr_merge usr;
};

/* release.c: the model. */
const char *hg_rel_origin(struct hg_release *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *hg_rel_path(struct hg_release *r, const char *archive, const char *name);
struct hg_rel_entry *hg_rel_add(struct hg_release *r, const char *archive,
				const char *name, enum hg_rel_type type);
int hg_rel_whiteout(struct hg_release *r, const char *archive,
		    const char *name, bool opaque);
int hg_rel_finish(struct hg_release *r);
int hg_rel_read_debs(struct hg_release *r, char *const *files, size_t n,
		     unsigned long jobs);
void hg_rel_free(struct hg_release *r);

/* release_archive.c: artifacts, read with libarchive. */
int hg_rel_read_deb(struct hg_release *r, const char *file);
int hg_rel_read_tar(struct hg_release *r, const char *file, int fd, const char *origin);
int hg_rel_read_oci(struct hg_release *r, const char *dir);

#endif /* _HG_RELEASE_H */
