// SPDX-License-Identifier: GPL-2.0
/*
 * Whose bytes would an executable mapping of a file run?
 *
 * Hashing a file proves something only when the bytes hashed are the bytes
 * that will be mapped and stay so. That holds for a regular file of a local
 * filesystem the kernel owns, whose writers hashgate sees and excludes. It
 * does not hold for:
 *   - memory no one can hold still: SysV shm segments, shared anonymous
 *     memory and any other internal shmem file, hugetlbfs, and memfds not
 *     sealed against writes (F_SEAL_WRITE: the seal the kernel refuses
 *     while pages are pinned, unlike F_SEAL_FUTURE_WRITE). These are
 *     anonymous memory and follow the anon_exec policy;
 *   - filesystems whose content a user process serves or another host
 *     changes: FUSE (the server can answer hashgate's read and the page
 *     fault differently), any mount whose superblock belongs to a user
 *     namespace or was mounted by an untrusted mounter, and network
 *     filesystems. The first two are never trusted; a network filesystem
 *     is trusted only when the admin names its type in trusted_fs, and its
 *     verdicts are then never cached, since its content changes elsewhere.
 */
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "content.h"
#include "policy.h"

/* Network filesystems an admin may trust, by the type name mount(8) uses. */
static const struct {
	unsigned long magic;
	const char *name;
} remote_fs[] = {
	{ NFS_SUPER_MAGIC, "nfs" },
	{ NFS_SUPER_MAGIC, "nfs4" },
	{ CIFS_SUPER_MAGIC, "cifs" },
	{ CIFS_SUPER_MAGIC, "smb3" },	/* statfs says SMB2; the sb does not */
	{ V9FS_MAGIC, "9p" },
	{ CEPH_SUPER_MAGIC, "ceph" },
	{ FUSE_SUPER_MAGIC, "virtiofs" },
};

/**
 * hg_remote_fs_bit() - the trusted_fs bit of a network filesystem type
 * @name: a type name, e.g. "nfs4"
 * @len: its length
 *
 * Return: the bit, or 0 when @name is not a type that can be trusted.
 */
unsigned int hg_remote_fs_bit(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(remote_fs); i++) {
		if (strlen(remote_fs[i].name) == len &&
		    !memcmp(remote_fs[i].name, name, len))
			return BIT(i);
	}
	return 0;
}

/**
 * hg_remote_fs_names() - the names of the types in @mask, comma-separated
 * @mask: trusted_fs bits
 * @buf: where to write them, NUL-terminated (cut if too small)
 * @size: its size
 */
void hg_remote_fs_names(unsigned int mask, char *buf, size_t size)
{
	const char *sep = "";
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(remote_fs) && len < size; i++) {
		if (mask & BIT(i)) {
			len += scnprintf(buf + len, size - len, "%s%s", sep,
					 remote_fs[i].name);
			sep = ",";
		}
	}
}

/**
 * hg_remote_fs_show() - the names of the types in @mask, space-separated
 * @m: where to print
 * @mask: trusted_fs bits
 */
void hg_remote_fs_show(struct seq_file *m, unsigned int mask)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(remote_fs); i++) {
		if (mask & BIT(i)) {
			seq_printf(m, "%s%s", sep, remote_fs[i].name);
			sep = " ";
		}
	}
	seq_putc(m, '\n');
}

/**
 * hg_mapped_inode() - the inode whose bytes a mapping of @file holds
 * @file: a file about to be executed or mapped
 *
 * Below overlayfs, the real inode. A file opened through an overlay keeps
 * the real file it opened (its private data, on every kernel supported)
 * and maps that one, even after a copy-up has made the path lead to
 * another: the verdict must be on what will be mapped, not on what the
 * path leads to now.
 *
 * Return: the inode of @file, or below overlayfs the real one it maps.
 */
struct inode *hg_mapped_inode(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct file *realfile;

	if (inode->i_sb->s_magic == OVERLAYFS_SUPER_MAGIC &&
	    S_ISREG(inode->i_mode)) {
		realfile = READ_ONCE(file->private_data);
		if (realfile)
			return file_inode(realfile);
	}
	return d_real_inode(file_dentry(file));
}

static bool is_memfd(struct file *file)
{
	return (file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
	       !strncmp(file_dentry(file)->d_name.name, "memfd:", 6);
}

/* Sealed so that its bytes can never change again, pins included. */
static bool memfd_sealed(struct inode *inode)
{
	const unsigned int need = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;

	return inode->i_sb->s_magic == TMPFS_MAGIC &&
	       (READ_ONCE(SHMEM_I(inode)->seals) & need) == need;
}

/* Not local content: HG_REASON_NONE when trusted, and cacheable then? */
static enum hg_reason foreign_fs(const struct super_block *sb, bool *cacheable)
{
	unsigned int i, trusted = READ_ONCE(hg_trusted_fs);

	if (sb->s_user_ns != &init_user_ns ||
	    (sb->s_iflags & SB_I_UNTRUSTED_MOUNTER))
		return HG_REASON_UNTRUSTED_FS;
	for (i = 0; i < ARRAY_SIZE(remote_fs); i++) {
		if (sb->s_magic != remote_fs[i].magic ||
		    strcmp(sb->s_type->name, remote_fs[i].name))
			continue;
		if (!(trusted & BIT(i)))
			return HG_REASON_REMOTE_FS;
		*cacheable = false;
		return HG_REASON_NONE;
	}
	/* Plain FUSE (and fuseblk): the server is a user process. */
	if (sb->s_magic == FUSE_SUPER_MAGIC)
		return HG_REASON_UNTRUSTED_FS;
	return HG_REASON_NONE;
}

/**
 * hg_content_of() - can @file's bytes be verified, and the verdict kept
 * @file: the file to be mapped executable (or executed)
 * @inode: its real inode (overlayfs resolved)
 * @cacheable: set to whether a verdict may be cached; only meaningful
 *	when HG_REASON_NONE is returned
 *
 * Return: HG_REASON_NONE for a file to hash; HG_REASON_ANON_EXEC or
 * HG_REASON_MEMFD for memory that follows anon_exec (see hg_is_anon());
 * HG_REASON_UNTRUSTED_FS or HG_REASON_REMOTE_FS for content the local
 * kernel does not own.
 */
enum hg_reason hg_content_of(struct file *file, struct inode *inode,
			     bool *cacheable)
{
	*cacheable = true;
	if (is_memfd(file))
		return memfd_sealed(inode) ? HG_REASON_NONE : HG_REASON_MEMFD;
	if ((file->f_path.mnt->mnt_flags & MNT_INTERNAL) ||
	    inode->i_sb->s_magic == HUGETLBFS_MAGIC)
		return HG_REASON_ANON_EXEC;
	return foreign_fs(inode->i_sb, cacheable);
}
