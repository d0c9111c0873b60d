// SPDX-License-Identifier: GPL-2.0
/*
 * An OCI image layout (image-spec v1: oci-layout, index.json, blobs/): the
 * image's manifest, from the index (an index inside it is followed to the
 * manifest for linux and this machine's architecture), then its layers in
 * order, each read by release_archive.c with whiteouts honoured. Every blob
 * read is checked against its digest first, and then read from the same
 * open file: the layout is content addressed, and a digest is never used
 * as a path before it is checked to be "sha256:" and 64 hex digits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "json.h"
#include "release.h"
#include "util.h"

#define JSON_MAX	(4 << 20)	/* an index or a manifest */
#define MAX_NESTING	4		/* indexes within indexes */

#if defined(__x86_64__)
#define HOST_ARCH	"amd64"
#elif defined(__aarch64__)
#define HOST_ARCH	"arm64"
#else
#define HOST_ARCH	"unknown"
#endif

static bool media(const char *type, const char *what)
{
	return type && strstr(type, what);
}

/*
 * DIR/blobs/sha256/HEX for @digest, open, its content checked against it:
 * the fd (at offset 0), its path in @path; -1 after saying why not.
 */
static int blob_open(struct hg_release *r, const char *dir, const char *digest,
		     char **path)
{
	uint8_t want[HG_DIGEST_SIZE], got[HG_DIGEST_SIZE];
	size_t i;
	int fd, ret;

	if (!digest || strncmp(digest, "sha256:", 7) || strlen(digest) != 7 + 64 ||
	    strspn(digest + 7, "0123456789abcdef") != 64) {
		hg_errorf("%s: a blob digest that is not sha256:<64 hex>: '%s'", dir,
			  digest ? digest : "(none)");
		r->failed = true;
		return -1;
	}
	for (i = 0; i < HG_DIGEST_SIZE; i++)
		sscanf(digest + 7 + 2 * i, "%2hhx", &want[i]);
	if (asprintf(path, "%s/blobs/sha256/%s", dir, digest + 7) < 0)
		return -1;
	fd = open(*path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	/* pread() from 0: the offset stays at 0 for the reader. */
	ret = fd < 0 ? -errno : hg_digest_fd(fd, got);
	if (ret || memcmp(want, got, sizeof(want))) {
		if (ret)
			hg_error("cannot read", *path, -ret);
		else
			hg_error_text("cannot use", *path, "content does not match its digest");
		r->failed = true;
		if (fd >= 0)
			close(fd);
		free(*path);
		*path = NULL;
		return -1;
	}
	return fd;
}

/* The JSON document in @path, or in @fd (which it closes) when not -1. */
static struct hg_json *read_json(struct hg_release *r, const char *path, int fd)
{
	struct hg_json *j = NULL;
	const char *why = NULL;
	char *text = NULL;
	struct stat st;
	FILE *f = fd >= 0 ? fdopen(fd, "r") : fopen(path, "re");

	if (!f && fd >= 0)
		close(fd);
	if (!f || fstat(fileno(f), &st)) {
		hg_error("cannot read", path, errno);
		goto out;
	}
	if (st.st_size > JSON_MAX) {
		hg_error_text("cannot read", path, "larger than 4 MiB");
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text || fread(text, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		hg_error("cannot read", path, text ? EIO : ENOMEM);
		goto out;
	}
	text[st.st_size] = '\0';
	j = hg_json_parse(text, (size_t)st.st_size, &why);
	if (!j)
		hg_error_text("cannot parse", path, why ? why : "invalid JSON");
out:
	if (!j)
		r->failed = true;
	if (f)
		fclose(f);
	free(text);
	return j;
}

/* The manifest descriptor of @index for this platform (or its only one). */
static const struct hg_json *pick(const struct hg_json *index)
{
	const struct hg_json *m = hg_json_get(index, "manifests"), *d, *only = NULL;
	int n = 0;

	for (d = m && m->type == HG_JSON_ARRAY ? m->child : NULL; d; d = d->next) {
		const struct hg_json *pf = hg_json_get(d, "platform");
		const char *os = hg_json_str(pf, "os"), *arch = hg_json_str(pf, "architecture");

		n++;
		only = d;
		if (os && arch && !strcmp(os, "linux") && !strcmp(arch, HOST_ARCH))
			return d;
	}
	return n == 1 ? only : NULL;
}

/* The layers of the manifest described by @desc, into @r. */
static int read_manifest(struct hg_release *r, const char *dir,
			 const struct hg_json *desc, int depth)
{
	const char *type = hg_json_str(desc, "mediaType");
	const char *digest = hg_json_str(desc, "digest");
	const struct hg_json *doc, *layers, *l;
	char *path;
	int fd = blob_open(r, dir, digest, &path), ret = -1;

	if (fd < 0)
		return -1;
	doc = read_json(r, path, fd);
	free(path);
	if (!doc)
		return -1;
	if (media(type, "image.index") || media(type, "manifest.list") ||
	    hg_json_get(doc, "manifests")) {
		const struct hg_json *d = pick(doc);

		if (depth >= MAX_NESTING || !d) {
			hg_errorf("%s: index %s: %s", dir, digest, d ? "nested too deep" :
				  "no manifest for linux/" HOST_ARCH);
			r->failed = true;
		} else {
			ret = read_manifest(r, dir, d, depth + 1);
		}
		goto out;
	}
	layers = hg_json_get(doc, "layers");
	if (!layers || layers->type != HG_JSON_ARRAY) {
		hg_errorf("%s: manifest %s has no layers", dir, digest);
		r->failed = true;
		goto out;
	}
	ret = 0;
	for (l = layers->child; l && !ret; l = l->next, r->layer++) {
		const char *ld = hg_json_str(l, "digest");
		const char *lt = hg_json_str(l, "mediaType");
		const char *origin;

		if (lt && !media(lt, "tar")) {
			hg_errorf("%s: layer %s: media type '%s' is not a tar layer", dir,
				  ld ? ld : "?", lt);
			r->failed = true;
			ret = -1;
			break;
		}
		fd = blob_open(r, dir, ld, &path);
		origin = fd >= 0 ? hg_rel_origin(r, "oci %s layer %s", digest, ld) : NULL;
		ret = origin ? hg_rel_read_tar(r, path, fd, origin) : -1;
		if (fd >= 0)
			close(fd);
		free(path);
	}
out:
	hg_json_free((struct hg_json *)doc);
	return ret;
}

/**
 * hg_rel_read_oci() - the image of an OCI image layout, into @r
 * @dir: the layout's directory (oci-layout, index.json, blobs/)
 */
int hg_rel_read_oci(struct hg_release *r, const char *dir)
{
	const struct hg_json *desc;
	struct hg_json *index;
	char *path;
	int ret = -1;

	if (asprintf(&path, "%s/oci-layout", dir) < 0)
		return -1;
	if (access(path, R_OK)) {
		hg_error_text("cannot read", dir, "not an OCI image layout (no oci-layout file)");
		r->failed = true;
		free(path);
		return -1;
	}
	free(path);
	if (asprintf(&path, "%s/index.json", dir) < 0)
		return -1;
	index = read_json(r, path, -1);
	free(path);
	if (!index)
		return -1;
	desc = pick(index);
	if (!desc) {
		hg_errorf("%s: index.json names no single image for linux/" HOST_ARCH, dir);
		r->failed = true;
	} else {
		ret = read_manifest(r, dir, desc, 0);
	}
	hg_json_free(index);
	return ret;
}
