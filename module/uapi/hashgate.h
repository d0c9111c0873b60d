/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * hashgate userspace ABI.
 *
 * Everything the module and the hashgate tool exchange is defined here; the
 * tool includes this very file. All multi-byte fields are little-endian.
 *
 * securityfs, /sys/kernel/security/hashgate/: each file, who may read or
 * write it and its errors are described once, in
 * Documentation/admin-guide.rst (securityfs files). The formats the tool
 * parses are here: the event records and list blob below, and the text of
 * the scan file.
 *
 * The scan file reads as the last scan's report. A first line of key=value
 * words, "scans=N time=UNIX_S duration_ms=N processes=N busy=N mappings=N
 * pages=N files=N file_pages=N findings=N kept=N repeated=N" ("scans=0"
 * alone before any scan): processes examined and those left unexamined
 * (busy), executable mappings, their resident pages checked, files and
 * page-cache pages checked against page digests, findings (kept: listed
 * below; repeated: the same as in the scan before, reported again here but
 * with no new event). Then one line per finding kept (at most
 * HG_SCAN_FINDINGS_MAX): "finding reason=R pid=N comm=C offset=N
 * address=0xX count=N expected=HEX|- actual=HEX|- path=P": pid 0 and comm
 * "-" for a page-cache page, path "-" for anonymous memory; comm and path
 * escaped as in /proc/mounts (octal for space, tab, newline and
 * backslash), path last.
 *
 * Allowlist blob: the header, then digest_count SHA-256 digests in strictly
 * ascending memcmp() order, then path_count struct hg_list_path entries in
 * strictly ascending path order, then strings_size bytes of path text
 * referenced by those entries. Nothing may follow, unless the header has
 * HG_LIST_F_SIGNED: then the rest of the write is a detached PKCS#7 (CMS)
 * signature, DER, over every byte before it (header included).
 */
#ifndef _UAPI_HASHGATE_H
#define _UAPI_HASHGATE_H

#include <linux/types.h>

#define HG_DIGEST_SIZE		32
#define HG_COMM_SIZE		16

#define HG_LIST_MAGIC		0x4c414748	/* "HGAL" */
#define HG_LIST_VERSION		1
#define HG_HASH_SHA256		1
#define HG_LIST_MAX_SIZE	(256U << 20)
#define HG_PATH_MAX		4096

struct hg_list_header {
	__le32 magic;
	__le16 version;
	__le16 header_size;	/* sizeof(struct hg_list_header) */
	__le64 serial;		/* chosen by the admin, shown in events */
	__le32 digest_count;
	__le32 path_count;
	__le32 strings_size;
	__le16 hash_algo;	/* HG_HASH_SHA256 */
	__le16 flags;		/* HG_LIST_F_* */
};

#define HG_LIST_F_SIGNED	0x0001	/* a PKCS#7 signature follows */

struct hg_list_path {
	__le32 name_off;	/* offset into the string area */
	__le32 name_len;	/* bytes, no terminating NUL, 1..HG_PATH_MAX */
	__le32 digest_index;	/* index into the digest array */
	__le32 reserved;	/* must be 0 */
};

enum hg_mode {
	HG_MODE_OFF,
	HG_MODE_AUDIT,
	HG_MODE_ENFORCE,
	__HG_MODE_MAX
};

/*
 * The names of the values, for the module and the tool alike: a table is
 * { HG_MODE_NAMES }, and each user checks at build time that its size is
 * __HG_MODE_MAX. Values are ABI and only ever added last, before __*_MAX,
 * so a value added without a name fails that check. The same holds for
 * every HG_*_NAMES below.
 */
#define HG_MODE_NAMES					\
	[HG_MODE_OFF] = "off",				\
	[HG_MODE_AUDIT] = "audit",			\
	[HG_MODE_ENFORCE] = "enforce"

enum hg_anon_policy {
	HG_ANON_ALLOW,
	HG_ANON_AUDIT,
	HG_ANON_DENY,
	__HG_ANON_MAX
};

#define HG_ANON_NAMES					\
	[HG_ANON_ALLOW] = "allow",			\
	[HG_ANON_AUDIT] = "audit",			\
	[HG_ANON_DENY] = "deny"

enum hg_hook {
	HG_HOOK_NONE,
	HG_HOOK_BPRM_CHECK,	/* the program of an execve */
	HG_HOOK_EXEC_OPEN,	/* an open for exec: the ELF interpreter */
	HG_HOOK_MMAP,		/* mmap with PROT_EXEC */
	HG_HOOK_MPROTECT,	/* mprotect adding PROT_EXEC */
	HG_HOOK_WRITE_OPEN,	/* an open for write of an exec-mapped file */
	HG_HOOK_TRUNCATE,	/* truncate(2) of an exec-mapped file */
	HG_HOOK_FORCED_WRITE,	/* /proc/PID/mem or ptrace write to exec memory */
	HG_HOOK_UFFD_FILL,	/* userfaultfd fill into an executable range */
	HG_HOOK_PERSONALITY,	/* personality(2) asking for READ_IMPLIES_EXEC */
	HG_HOOK_EXEC_STACK,	/* a program given an executable stack or heap */
	HG_HOOK_WRITE_MAP,	/* shared writable mmap of an exec-mapped file */
	HG_HOOK_SCAN,		/* the scan of resident code (HG_EVENT_RUNTIME) */
	__HG_HOOK_MAX
};

#define HG_HOOK_NAMES					\
	[HG_HOOK_NONE] = "none",			\
	[HG_HOOK_BPRM_CHECK] = "bprm_check",		\
	[HG_HOOK_EXEC_OPEN] = "exec_open",		\
	[HG_HOOK_MMAP] = "mmap",			\
	[HG_HOOK_MPROTECT] = "mprotect",		\
	[HG_HOOK_WRITE_OPEN] = "write_open",		\
	[HG_HOOK_TRUNCATE] = "truncate",		\
	[HG_HOOK_FORCED_WRITE] = "forced_write",	\
	[HG_HOOK_UFFD_FILL] = "uffd_fill",		\
	[HG_HOOK_PERSONALITY] = "personality",		\
	[HG_HOOK_EXEC_STACK] = "exec_stack",		\
	[HG_HOOK_WRITE_MAP] = "write_map",		\
	[HG_HOOK_SCAN] = "scan"

enum hg_decision {
	HG_DECISION_ALLOW,
	HG_DECISION_DENY,
	HG_DECISION_WOULD_DENY,	/* audit mode: logged, allowed */
	/* HG_EVENT_RUNTIME, runtime_action report: logged, nothing stopped */
	HG_DECISION_REPORTED,
	/* HG_EVENT_RUNTIME, runtime_action kill: the processes were killed */
	HG_DECISION_KILLED,
	__HG_DECISION_MAX
};

#define HG_DECISION_NAMES				\
	[HG_DECISION_ALLOW] = "allow",			\
	[HG_DECISION_DENY] = "deny",			\
	[HG_DECISION_WOULD_DENY] = "would-deny",	\
	[HG_DECISION_REPORTED] = "reported",		\
	[HG_DECISION_KILLED] = "killed"

enum hg_reason {
	HG_REASON_NONE,
	HG_REASON_NOT_IN_ALLOWLIST,
	HG_REASON_HASH_MISMATCH,	/* path listed with another digest */
	HG_REASON_OPEN_WRITERS,		/* open for write, or changed while hashed */
	HG_REASON_UNREADABLE,		/* could not be read and hashed */
	HG_REASON_MEMFD,		/* memfd not sealed against writes */
	HG_REASON_ANON_EXEC,		/* anonymous or written private memory */
	HG_REASON_NO_ALLOWLIST,
	HG_REASON_UNVERIFIED,		/* mprotect of a file never verified */
	HG_REASON_EXEC_MAPPED,		/* write to a file mapped executable */
	/* Why an allowlist was refused (HG_EVENT_LIST_REJECT). */
	HG_REASON_MALFORMED,
	HG_REASON_BAD_SIGNATURE,
	HG_REASON_UNKNOWN_KEY,
	HG_REASON_UNSIGNED,
	HG_REASON_ROLLBACK,
	/* Content the local kernel does not own (exec decisions again). */
	HG_REASON_UNTRUSTED_FS,		/* FUSE, or a mount owned by a user namespace */
	HG_REASON_REMOTE_FS,		/* network file system not in trusted_fs */
	HG_REASON_PINNED,		/* pages pinned for DMA could be written */
	/* Found by the scan of resident code (HG_EVENT_RUNTIME). */
	HG_REASON_CODE_MODIFIED,	/* a file's exec page copied on write */
	HG_REASON_PAGE_CHANGED,		/* a page-cache page unlike the file verified */
	HG_REASON_UNEXAMINED,		/* address space kept locked past the scan's wait */
	__HG_REASON_MAX
};

#define HG_REASON_NAMES					\
	[HG_REASON_NONE] = "none",			\
	[HG_REASON_NOT_IN_ALLOWLIST] = "not-in-allowlist", \
	[HG_REASON_HASH_MISMATCH] = "hash-mismatch",	\
	[HG_REASON_OPEN_WRITERS] = "open-writers",	\
	[HG_REASON_UNREADABLE] = "unreadable",		\
	[HG_REASON_MEMFD] = "memfd",			\
	[HG_REASON_ANON_EXEC] = "anon-exec",		\
	[HG_REASON_NO_ALLOWLIST] = "no-allowlist",	\
	[HG_REASON_UNVERIFIED] = "unverified",		\
	[HG_REASON_EXEC_MAPPED] = "exec-mapped",	\
	[HG_REASON_MALFORMED] = "malformed",		\
	[HG_REASON_BAD_SIGNATURE] = "bad-signature",	\
	[HG_REASON_UNKNOWN_KEY] = "unknown-key",	\
	[HG_REASON_UNSIGNED] = "unsigned",		\
	[HG_REASON_ROLLBACK] = "rollback",		\
	[HG_REASON_UNTRUSTED_FS] = "untrusted-fs",	\
	[HG_REASON_REMOTE_FS] = "remote-fs",		\
	[HG_REASON_PINNED] = "pinned",			\
	[HG_REASON_CODE_MODIFIED] = "code-modified",	\
	[HG_REASON_PAGE_CHANGED] = "page-changed",	\
	[HG_REASON_UNEXAMINED] = "unexamined"

enum hg_event_type {
	HG_EVENT_NONE,
	HG_EVENT_EXEC,		/* a decision on an executable mapping */
	HG_EVENT_LIST_LOAD,	/* a new allowlist became active */
	HG_EVENT_MODE,		/* the mode or the lock changed */
	HG_EVENT_LIST_REJECT,	/* an allowlist was refused; see reason */
	HG_EVENT_KEY_ADD,	/* a key was added; path: its description */
	/*
	 * The path text of these three is "key=value" words separated by
	 * single spaces; a value holds no space ("," separates a list).
	 */
	/* anon_exec, trusted_fs or keys_lock changed: "name= value= was=" */
	HG_EVENT_SETTING,
	/* The first record of a module load: version, hash driver, settings. */
	HG_EVENT_LOAD,
	HG_EVENT_HEARTBEAT,	/* every heartbeat seconds: counters; no task */
	/*
	 * A finding of the scan of resident code: pid, comm, uid and exe are
	 * the process's (pid 0 and no exe for a page-cache page, which no
	 * one process owns); path, ino and dev the file's; digest the SHA-256
	 * the file was verified with. HG_EVENT_F_PAGE: struct hg_event_page
	 * follows the strings.
	 */
	HG_EVENT_RUNTIME,
	__HG_EVENT_MAX
};

#define HG_EVENT_NAMES					\
	[HG_EVENT_NONE] = "none",			\
	[HG_EVENT_EXEC] = "exec",			\
	[HG_EVENT_LIST_LOAD] = "list_load",		\
	[HG_EVENT_MODE] = "mode",			\
	[HG_EVENT_LIST_REJECT] = "list_reject",		\
	[HG_EVENT_KEY_ADD] = "key_add",			\
	[HG_EVENT_SETTING] = "setting",			\
	[HG_EVENT_LOAD] = "load",			\
	[HG_EVENT_HEARTBEAT] = "heartbeat",		\
	[HG_EVENT_RUNTIME] = "runtime"

#define HG_EVENT_VERSION	1
#define HG_EVENT_F_DIGEST	0x01	/* digest[] is valid */
#define HG_EVENT_F_LOCKED	0x02	/* HG_EVENT_MODE: the mode is locked */
/* LIST_LOAD: signature verified; the path text is the signer's key. */
#define HG_EVENT_F_SIGNED	0x04
/*
 * EXEC: the process runs in another mount namespace or under another root.
 * Paths never depend on the process's root: they are absolute from the
 * root of the mount namespace the file's mount belongs to (the initial one
 * for every file that is visible there).
 */
#define HG_EVENT_F_FOREIGN_ROOT	0x08
/*
 * EXEC: the path (or the exe) was longer than HG_PATH_MAX; its last bytes
 * are given.
 */
#define HG_EVENT_F_PATH_TRUNCATED 0x10
/* RUNTIME: a struct hg_event_page follows exe and path, at an 8-byte offset. */
#define HG_EVENT_F_PAGE		0x20

struct hg_event {
	__u32 size;		/* whole record, strings included, 8-aligned */
	__u8 version;		/* HG_EVENT_VERSION */
	__u8 type;		/* enum hg_event_type */
	__u8 flags;		/* HG_EVENT_F_* */
	__u8 __reserved0;
	__u64 seq;		/* +1 per record produced, dropped ones too */
	__u64 dropped_before;	/* records lost just before this one */
	__u64 time_ns;		/* CLOCK_REALTIME */
	__u64 boot_ns;		/* CLOCK_BOOTTIME */
	/* The active allowlist's serial (0: none); LIST_*: the offered one's. */
	__u64 list_serial;
	__u64 ino;
	__u32 dev;		/* new_encode_dev() of the file's device */
	__u32 pid;		/* thread group id */
	__u32 ppid;
	__u32 uid;		/* real uid in the initial namespace */
	__u32 auid;		/* login uid, (u32)-1 when unset */
	__u8 hook;		/* enum hg_hook */
	__u8 mode;		/* enum hg_mode in force at the decision */
	__u8 decision;		/* enum hg_decision */
	__u8 reason;		/* enum hg_reason */
	__u8 digest[HG_DIGEST_SIZE];
	char comm[HG_COMM_SIZE];	/* NUL-padded */
	__u16 exe_len;		/* bytes of exe text following the record */
	__u16 path_len;		/* bytes of path text following exe */
	/*
	 * Random, never 0, the same in every record of one module load: seq
	 * starts again at 1 with each load, so (boot, load_id, seq) names a
	 * record. Version 1 records of older modules have 0 here.
	 */
	__u32 load_id;
	/* exe bytes, then path bytes: raw, not NUL-terminated */
};

/*
 * Page digests: SHA-256 of a 4 KiB page keyed with a secret drawn at each
 * module load, cut to 16 bytes. They compare pages within one load; they
 * cannot be checked outside the kernel.
 */
#define HG_PAGE_DIGEST_SIZE	16
#define HG_SCAN_FINDINGS_MAX	256

struct hg_event_page {
	__u64 offset;		/* byte offset of the page in the file */
	__u64 address;		/* its address in the process, 0 for none */
	__u32 count;		/* pages (anon-exec: mappings) it stands for */
	__u32 __reserved;
	__u8 expected[HG_PAGE_DIGEST_SIZE];	/* all 0 when not known */
	__u8 actual[HG_PAGE_DIGEST_SIZE];
};

#endif /* _UAPI_HASHGATE_H */
