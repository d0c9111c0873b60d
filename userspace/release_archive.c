// SPDX-License-Identifier: GPL-2.0
/*
 * Reading release artifacts with libarchive, never extracting them: a
 * Debian package (an ar archive whose data.tar.* is read in a stream), a
 * root file system tarball (any compression libarchive knows), and the
 * layers of an OCI image layout (oci.c finds them). Each regular file is
 * examined by the same rule as the live walk (hg_wanted) from its first
 * bytes and hashed as it streams by; nothing is written anywhere.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "digest.h"
#include "release.h"
#include "util.h"
#include "walk.h"

#define BLOCK		(64 * 1024)
#define CONTROL_MAX	(1024 * 1024)	/* a package's control file */
#define OCI_WHITEOUT	".wh."
#define OCI_OPAQUE	".wh..wh..opq"

/*
 * A tar reader. The compressions libarchive does in process only: some of
 * its other filters run an external program on the (hostile) input.
 */
static struct archive *reader(void)
{
	struct archive *a = archive_read_new();

	if (a) {
		archive_read_support_filter_gzip(a);
		archive_read_support_filter_xz(a);
		archive_read_support_filter_lzma(a);
		archive_read_support_filter_zstd(a);
		archive_read_support_filter_bzip2(a);
		archive_read_support_format_tar(a);
		archive_read_support_format_gnutar(a);
	}
	return a;
}

/* Say what went wrong with @a, reading @what. */
static int fail(struct hg_release *r, struct archive *a, const char *what)
{
	const char *msg = a ? archive_error_string(a) : NULL;

	hg_error_text("cannot read", what, msg ? msg : "corrupt archive");
	r->failed = true;
	return -1;
}

/* Examine and hash the data of @e's regular file as it streams from @a. */
static int hash_data(struct hg_release *r, struct archive *a, const char *what,
		     struct hg_rel_entry *e)
{
	static _Thread_local unsigned char buf[BLOCK];
	unsigned char head[HG_WANTED_HEAD];
	size_t have = 0;
	struct hg_digest *d = NULL;
	la_ssize_t n;

	/* The head decides; a short file is whole in it. */
	while (have < sizeof(head)) {
		n = archive_read_data(a, head + have, sizeof(head) - have);
		if (n < 0)
			return fail(r, a, what);
		if (n == 0)
			break;
		have += (size_t)n;
	}
	e->selected = r->all || hg_wanted(head, have, e->mode);
	e->script = have >= 2 && head[0] == '#' && head[1] == '!';
	if (!e->selected)
		return archive_read_data_skip(a) == ARCHIVE_OK ? 0 : fail(r, a, what);
	if (hg_digest_begin(&d) || hg_digest_update(d, head, have))
		goto nomem;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		if (hg_digest_update(d, buf, (size_t)n))
			goto nomem;
	if (n < 0) {
		hg_digest_free(d);
		return fail(r, a, what);
	}
	if (hg_digest_end(d, e->digest)) {
		d = NULL;
		goto nomem;
	}
	return 0;
nomem:
	hg_digest_free(d);
	hg_error("cannot hash", what, ENOMEM);
	r->failed = true;
	return -1;
}

/* An OCI whiteout name ("dir/.wh.x", "dir/.wh..wh..opq"); 1 if it was one. */
static int whiteout(struct hg_release *r, const char *what, const char *name)
{
	const char *base = strrchr(name, '/');
	char *path;
	int ret;

	base = base ? base + 1 : name;
	if (strncmp(base, OCI_WHITEOUT, strlen(OCI_WHITEOUT)))
		return 0;
	if (!strcmp(base, OCI_OPAQUE))
		path = strndup(name, (size_t)(base - name));
	else if (asprintf(&path, "%.*s%s", (int)(base - name), name,
			  base + strlen(OCI_WHITEOUT)) < 0)
		path = NULL;
	if (!path) {
		hg_error("cannot allocate", NULL, ENOMEM);
		r->failed = true;
		return -1;
	}
	ret = hg_rel_whiteout(r, what, path, !strcmp(base, OCI_OPAQUE));
	free(path);
	return ret < 0 ? -1 : 1;
}

/*
 * Every entry of the tar stream in @a into @r, from @origin; @oci: its
 * whiteouts apply. 0, or -1 after an error said on stderr.
 */
static int read_tree(struct hg_release *r, struct archive *a, const char *what,
		     const char *origin, bool oci)
{
	struct archive_entry *ae;
	int ret;

	while ((ret = archive_read_next_header(a, &ae)) == ARCHIVE_OK ||
	       ret == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ae);
		const char *hard = archive_entry_hardlink(ae);
		mode_t type = archive_entry_filetype(ae);
		struct hg_rel_entry *e;
		enum hg_rel_type t;

		if (!name) {
			hg_errorf("%s: an entry without a name", what);
			r->failed = true;
			return -1;
		}
		if (oci) {
			int w = whiteout(r, what, name);

			if (w < 0)
				return -1;
			if (w)
				continue;
		}
		if (hard)
			t = HG_REL_HARDLINK;
		else if (type == AE_IFREG)
			t = HG_REL_FILE;
		else if (type == AE_IFDIR)
			t = HG_REL_DIR;
		else if (type == AE_IFLNK)
			t = HG_REL_SYMLINK;
		else
			continue;	/* devices, FIFOs: never executable */
		e = hg_rel_add(r, what, name, t);
		if (!e)
			return -1;
		e->origin = origin;
		e->mode = archive_entry_perm(ae);
		if (t == HG_REL_HARDLINK) {
			/* A path in the archive, like the entry's own name. */
			e->link = hg_rel_path(r, what, hard);
			if (!e->link)
				return -1;
		} else if (t == HG_REL_SYMLINK) {
			const char *to = archive_entry_symlink(ae);

			e->link = to && *to ? strdup(to) : NULL;
			if (!e->link) {
				hg_errorf("%s: entry '%s': a symlink without a target", what, name);
				r->failed = true;
				return -1;
			}
		} else if (t == HG_REL_FILE && hash_data(r, a, what, e)) {
			return -1;
		}
	}
	return ret == ARCHIVE_EOF ? 0 : fail(r, a, what);
}

/**
 * hg_rel_read_tar() - a root file system tarball into @r
 * @file: plain, gzip, xz, zstd, bzip2, lzma
 * @fd: @file open, or -1 to open it (an OCI layer: the file whose digest
 *	was checked)
 * @origin: what its files are said to come from (NULL: "tar FILE"; "oci
 *	...": an image layer, whose whiteouts apply)
 */
int hg_rel_read_tar(struct hg_release *r, const char *file, int fd, const char *origin)
{
	struct archive *a = reader();
	int ret;

	if (!origin)
		origin = hg_rel_origin(r, "tar %s", file);
	if (!a || !origin) {
		archive_read_free(a);
		hg_error("cannot allocate", NULL, ENOMEM);
		r->failed = true;
		return -1;
	}
	if ((fd >= 0 ? archive_read_open_fd(a, fd, BLOCK) :
	     archive_read_open_filename(a, file, BLOCK)) != ARCHIVE_OK)
		ret = fail(r, a, file);
	else
		ret = read_tree(r, a, file, origin, strncmp(origin, "oci ", 4) == 0);
	archive_read_free(a);
	return ret;
}

/* A member of the outer ar archive read as a stream by an inner reader. */
struct member {
	struct archive *outer;
	unsigned char buf[BLOCK];
};

static la_ssize_t member_read(struct archive *a, void *arg, const void **out)
{
	struct member *m = arg;
	la_ssize_t n = archive_read_data(m->outer, m->buf, sizeof(m->buf));

	if (n < 0)
		archive_set_error(a, archive_errno(m->outer), "%s",
				  archive_error_string(m->outer));
	*out = m->buf;
	return n;
}

/* The value of @field in a control file's first paragraph, in a new string. */
static char *control_field(const char *text, const char *field)
{
	size_t n = strlen(field);
	const char *p = text;

	while (p && *p && *p != '\n') {
		if (!strncmp(p, field, n) && p[n] == ':') {
			p += n + 1;
			p += strspn(p, " \t");
			return strndup(p, strcspn(p, "\n"));
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* The maintainer scripts dpkg keeps as /var/lib/dpkg/info/PACKAGE.SCRIPT. */
static const char *const scripts[] = { "preinst", "postinst", "prerm", "postrm", "config" };
#define NSCRIPTS	(sizeof(scripts) / sizeof(*scripts))

static int script_index(const char *p)
{
	size_t i;

	if (!strncmp(p, "./", 2))
		p += 2;
	for (i = 0; i < NSCRIPTS; i++)
		if (!strcmp(p, scripts[i]))
			return (int)i;
	return -1;
}

/*
 * The control.tar member being read: its control file gives the origin,
 * "deb NAME VERSION ARCH", and its maintainer scripts, which run at every
 * upgrade, are entries under the names dpkg installs them as
 * ("NAME:ARCH.postinst" for a Multi-Arch: same package).
 */
static const char *deb_control(struct hg_release *r, struct archive *in,
			       const char *file)
{
	struct hg_rel_entry script[NSCRIPTS] = { 0 };
	bool have[NSCRIPTS] = { false };
	struct archive_entry *ae;
	const char *origin = NULL;
	char *text = NULL, *name = NULL, *version = NULL, *arch = NULL, *ma = NULL;
	size_t i;
	int st;

	while ((st = archive_read_next_header(in, &ae)) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(ae);
		la_int64_t size = archive_entry_size(ae);
		int k = p ? script_index(p) : -1;

		if (k >= 0 && archive_entry_filetype(ae) == AE_IFREG) {
			script[k].mode = archive_entry_perm(ae);
			if (hash_data(r, in, file, &script[k]))
				goto out;
			have[k] = true;
			continue;
		}
		if (!p || (strcmp(p, "./control") && strcmp(p, "control")) || text)
			continue;
		if (size < 0 || size > CONTROL_MAX)
			break;
		text = calloc(1, (size_t)size + 1);
		if (!text || archive_read_data(in, text, (size_t)size) != size) {
			free(text);
			text = NULL;
			break;
		}
	}
	if (!text || (st != ARCHIVE_OK && st != ARCHIVE_EOF)) {
		hg_errorf("%s: no readable control file in control.tar", file);
		r->failed = true;
		goto out;
	}
	name = control_field(text, "Package");
	version = control_field(text, "Version");
	arch = control_field(text, "Architecture");
	ma = control_field(text, "Multi-Arch");
	if (name && version && arch && *name && !strpbrk(name, " \t/") &&
	    !strpbrk(version, " \t") && !strpbrk(arch, " \t/"))
		origin = hg_rel_origin(r, "deb %s %s %s", name, version, arch);
	else
		hg_errorf("%s: control file without Package, Version and Architecture",
			  file);
	if (!origin) {
		r->failed = true;
		goto out;
	}
	for (i = 0; i < NSCRIPTS; i++) {
		struct hg_rel_entry *e;
		char *path;

		if (!have[i] || !script[i].selected)
			continue;
		if (asprintf(&path, "/var/lib/dpkg/info/%s%s%s.%s", name,
			     ma && !strcmp(ma, "same") ? ":" : "",
			     ma && !strcmp(ma, "same") ? arch : "", scripts[i]) < 0)
			path = NULL;
		e = path ? hg_rel_add(r, file, path, HG_REL_FILE) : NULL;
		free(path);
		if (!e) {
			origin = NULL;
			r->failed = true;
			break;
		}
		e->origin = origin;
		e->mode = script[i].mode;
		e->selected = true;
		e->script = script[i].script;
		memcpy(e->digest, script[i].digest, sizeof(e->digest));
	}
out:
	free(name);
	free(version);
	free(arch);
	free(ma);
	free(text);
	return origin;
}

/**
 * hg_rel_read_deb() - the files a Debian package installs, into @r
 * @file: the .deb
 *
 * Its data.tar.* (any compression) is read through the ar archive; the
 * control file names the origin of each file.
 */
int hg_rel_read_deb(struct hg_release *r, const char *file)
{
	struct archive *outer = archive_read_new();
	struct archive_entry *ae;
	struct member *m = malloc(sizeof(*m));
	const char *origin = NULL;
	bool data = false;
	int ret = -1, st;

	if (!outer || !m) {
		hg_error("cannot allocate", NULL, ENOMEM);
		r->failed = true;
		goto out;
	}
	archive_read_support_format_ar(outer);
	if (archive_read_open_filename(outer, file, BLOCK) != ARCHIVE_OK) {
		fail(r, outer, file);
		goto out;
	}
	m->outer = outer;
	/* As dpkg: debian-binary first, then control.tar, then one data.tar. */
	st = archive_read_next_header(outer, &ae);
	if (st != ARCHIVE_OK || !archive_entry_pathname(ae) ||
	    strcmp(archive_entry_pathname(ae), "debian-binary")) {
		if (st == ARCHIVE_OK)
			hg_errorf("%s: no debian-binary first: not a Debian package", file);
		else
			fail(r, outer, file);
		r->failed = true;
		goto out;
	}
	while ((st = archive_read_next_header(outer, &ae)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);
		bool control = name && !strncmp(name, "control.tar", 11);
		struct archive *in;

		if (!name || (!control && strncmp(name, "data.tar", 8)))
			continue;
		if ((!control && !origin) || (control && origin) || data) {
			hg_errorf("%s: members out of order or repeated: not a Debian package",
				  file);
			r->failed = true;
			goto out;
		}
		in = reader();
		if (!in || archive_read_open(in, m, NULL, member_read, NULL) != ARCHIVE_OK) {
			fail(r, in, file);
			archive_read_free(in);
			goto out;
		}
		if (control)
			origin = deb_control(r, in, file);
		else
			data = read_tree(r, in, file, origin, false) == 0;
		archive_read_free(in);
		if (control ? !origin : !data)
			goto out;
	}
	if (st != ARCHIVE_EOF && st != ARCHIVE_OK) {
		fail(r, outer, file);
		goto out;
	}
	if (!data) {
		hg_errorf("%s: no data.tar member: not a Debian package", file);
		r->failed = true;
		goto out;
	}
	ret = 0;
out:
	archive_read_free(outer);
	free(m);
	return ret;
}
