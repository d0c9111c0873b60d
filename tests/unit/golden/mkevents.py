#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write golden/events.bin: a recorded stream of struct hg_event records
(module/uapi/hashgate.h layout, little-endian), hostile paths included,
and, given a second file, golden/runtime.bin: the findings of the scan of
resident code (runtime records, with their struct hg_event_page), then
the load and setting records of a module with the scan. The
checked-in files are this script's output:
    python3 tests/unit/golden/mkevents.py tests/unit/golden/events.bin \
        tests/unit/golden/runtime.bin
"""
import struct
import sys

FMT = '<IBBBBQQQQQQIIIIIBBBB32s16sHHI'
EXEC, LIST_LOAD, MODE, LIST_REJECT, KEY_ADD = 1, 2, 3, 4, 5
SETTING, LOAD, HEARTBEAT, RUNTIME = 6, 7, 8, 9
NEW_TYPE = 200                    # a record type from a newer module
H_MMAP, H_WRITE_OPEN, H_TRUNCATE = 3, 5, 6
AUDIT, DENY, WOULD_DENY, NEW_DECISION = 1, 1, 2, 200
ENFORCE, REPORTED, KILLED = 2, 3, 4
H_SCAN = 12
R_MEMFD, R_ANON_EXEC, R_EXEC_MAPPED = 5, 6, 9
F_DIGEST, F_LOCKED, F_SIGNED, F_FOREIGN_ROOT, F_PATH_TRUNCATED = 1, 2, 4, 8, 16
R_MALFORMED, R_BAD_SIGNATURE, R_UNKNOWN_KEY, R_UNSIGNED, R_ROLLBACK = 10, 11, 12, 13, 14
R_CODE_MODIFIED, R_PAGE_CHANGED, R_UNEXAMINED = 18, 19, 20
F_PAGE = 0x20
PAGE_FMT = '<QQII16s16s'          # struct hg_event_page
T0 = 1795822862123456789          # 2026-11-27T23:41:02.123456789Z
NOAUID = 0xffffffff
DIG = bytes(range(32))


def rec(seq, typ, flags=F_DIGEST, dropped=0, serial=5, ino=1234, dev=(8 << 8) | 1,
        pid=4242, ppid=4100, uid=1000, auid=1000, hook=1, mode=2, decision=1,
        reason=1, digest=DIG, comm=b'bash', exe=b'/usr/bin/bash', path=b'/tmp/x',
        load_id=0, page=None):
    """One record; @page, a struct hg_event_page, follows the strings at
    the next 8-byte offset (and sets HG_EVENT_F_PAGE)."""
    strings = (struct.calcsize(FMT) + len(exe) + len(path) + 7) & ~7
    size = strings + (len(page) if page else 0)
    if page:
        flags |= F_PAGE
    r = struct.pack(FMT, size, 1, typ, flags, 0, seq, dropped, T0 + seq * 1000,
                    seq * 1000, serial, ino, dev, pid, ppid, uid, auid, hook, mode,
                    decision, reason, digest, comm, len(exe), len(path), load_id)
    r += exe + path
    r += b'\0' * (strings - len(r))
    return r + (page or b'')


def page(offset, address, count, expected, actual):
    return struct.pack(PAGE_FMT, offset, address, count, 0, expected, actual)


hostile = b'/tmp/a|b=c\\d]e"f^g\nh\ri\tj\xffk\xc3\xa9l\xc2\x85m [x@1 y="z"] CEF:0|'
long_path = (b'/very' + b'/long|=\\]"^\n\xfe' * 512)[:4096]
records = [
    # enforce: a denied execve of an unlisted program
    rec(1, EXEC, path=b'/tmp/payload'),
    # audit mode: an mmap that would be denied, hostile path, odd comm
    rec(2, EXEC, dropped=3, hook=3, mode=1, decision=2, reason=2, auid=NOAUID,
        comm=b's"h\\]|=^\n', exe=b'/usr/bin/python3.11', path=hostile),
    # allowed interpreter, dev with a large minor
    rec(3, EXEC, hook=2, decision=0, reason=0, dev=(259 << 8) | 5 | (300 << 20),
        exe=b'/usr/bin/ls', path=b'/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
    # unreadable: no digest
    rec(4, EXEC, flags=0, hook=4, reason=4, path=b'/mnt/nfs/tool', uid=0, auid=0),
    # 4 KiB path, exe hostile too
    rec(5, EXEC, exe=hostile, path=long_path),
    # a new allowlist went live
    rec(6, LIST_LOAD, dropped=1, serial=42, ino=0, dev=0, hook=0, decision=0,
        reason=0, comm=b'hashgate', exe=b'/usr/sbin/hashgate', path=b''),
    # mode changed to enforce and locked
    rec(7, MODE, flags=F_LOCKED, serial=42, ino=0, dev=0, hook=0, decision=0,
        reason=0, digest=b'\0' * 32, comm=b'hashgate', exe=b'/usr/sbin/hashgate',
        path=b''),
    # values the tool does not know yet print as '?'
    rec(8, EXEC, hook=99, mode=7, decision=6, reason=42, path=b'/opt/new'),
    # no allowlist loaded: serial 0, empty exe
    rec(9, EXEC, serial=0, reason=7, exe=b'', path=b'/sbin/init', pid=1, ppid=0,
        uid=0, auid=NOAUID, comm=b'swapper/0'),
    # an older list replayed: refused, the offered serial and its digest
    rec(10, LIST_REJECT, serial=41, ino=0, dev=0, hook=0, decision=0,
        reason=R_ROLLBACK, comm=b'hashgate', exe=b'/usr/sbin/hashgate', path=b''),
    # a signed list went live; path: the signer's key description
    rec(11, LIST_LOAD, flags=F_DIGEST | F_SIGNED, serial=43, ino=0, dev=0, hook=0,
        decision=0, reason=0, comm=b'hashgate', exe=b'/usr/sbin/hashgate',
        path=b'hashgate lab: "ops" signing key: 6e89f9df7392aba222c45f1b08d4f708a14eadfb'),
    # a key was added; path: its description, hostile on purpose
    rec(12, KEY_ADD, flags=0, serial=43, ino=0, dev=0, hook=0, decision=0,
        reason=0, digest=b'\0' * 32, comm=b'hashgate', exe=b'/usr/sbin/hashgate',
        path=b'Evil|Co=\\]"^\n: 0011'),
    # a forced write into exec memory from a chroot: anon, no path
    rec(13, EXEC, flags=F_FOREIGN_ROOT, hook=7, reason=6, digest=b'\0' * 32,
        uid=65534, auid=NOAUID, comm=b'dd', exe=b'/tmp/jail/bin/dd', path=b'',
        ino=0, dev=0),
    # a program on a FUSE mount, path cut to its last 4 KiB
    rec(14, EXEC, flags=F_FOREIGN_ROOT | F_PATH_TRUNCATED, hook=1, reason=15,
        path=b'x' * 4000 + b'/fuse/prog'),
    # a write refused: the library is mapped executable somewhere (ETXTBSY)
    rec(15, EXEC, flags=0, hook=H_WRITE_OPEN, reason=R_EXEC_MAPPED, digest=b'\0' * 32,
        comm=b'cp', exe=b'/usr/bin/cp', path=b'/usr/lib/x86_64-linux-gnu/libssl.so.3'),
    # audit mode: a truncate that would be refused
    rec(16, EXEC, flags=0, hook=H_TRUNCATE, mode=AUDIT, decision=WOULD_DENY,
        reason=R_EXEC_MAPPED, digest=b'\0' * 32, comm=b'sh', exe=b'/usr/bin/dash',
        path=b'/opt/app/bin/server'),
    # anonymous executable memory: no file at all
    rec(17, EXEC, flags=0, hook=H_MMAP, reason=R_ANON_EXEC, digest=b'\0' * 32,
        ino=0, dev=0, comm=b'node', exe=b'/usr/bin/node', path=b''),
    # anon_exec=audit: an unsealed memfd; its inode on the internal mount, no path
    rec(18, EXEC, flags=0, hook=H_MMAP, mode=AUDIT, decision=WOULD_DENY,
        reason=R_MEMFD, digest=b'\0' * 32, ino=2049, dev=1, uid=0,
        comm=b'loader', exe=b'/usr/local/bin/loader', path=b''),
    # a list that did not parse: no serial, no digest
    rec(19, LIST_REJECT, flags=0, serial=0, ino=0, dev=0, hook=0, decision=0,
        reason=R_MALFORMED, digest=b'\0' * 32, uid=0, comm=b'hashgate',
        exe=b'/usr/sbin/hashgate', path=b''),
    # a record type from a newer module
    rec(20, NEW_TYPE, flags=0, serial=43, ino=0, dev=0, hook=0, decision=0,
        reason=0, digest=b'\0' * 32, uid=0, comm=b'hashgate',
        exe=b'/usr/sbin/hashgate', path=b''),
    # a decision from a newer module, on a known hook
    rec(21, EXEC, decision=NEW_DECISION, path=b'/tmp/dropper'),
    # the largest serial: 2^64-1 overflows signed 64-bit fields
    rec(22, LIST_LOAD, serial=2**64 - 1, ino=0, dev=0, hook=0, decision=0,
        reason=0, uid=0, comm=b'hashgate', exe=b'/usr/sbin/hashgate', path=b''),
    # and a decision against that list
    rec(23, EXEC, serial=2**64 - 1, hook=H_MMAP, path=b'/home/alice/.cache/x.so'),
    # a module load's first record: what it runs with; its load id
    rec(1, LOAD, flags=0, serial=0, ino=0, dev=0, hook=0, decision=0, reason=0,
        digest=b'\0' * 32, uid=0, auid=NOAUID, pid=311, ppid=1, comm=b'modprobe',
        exe=b'/usr/bin/kmod', load_id=0x9e3779b9,
        path=b'version=0.1.0 hash_driver=sha256-ni anon_exec=audit require_scripts=0 '
             b'require_signature=1 trusted_fs=nfs4,9p min_serial=43 event_ring=4096 '
             b'heartbeat=300'),
    # a setting lowered: anon_exec from deny to allow
    rec(2, SETTING, flags=0, serial=43, ino=0, dev=0, hook=0, decision=0, reason=0,
        digest=b'\0' * 32, uid=0, comm=b'hashgate', exe=b'/usr/sbin/hashgate',
        load_id=0x9e3779b9, path=b'name=anon_exec value=allow was=deny'),
    # the heartbeat: no task, the counters (one above a signed long: a string)
    rec(3, HEARTBEAT, flags=F_LOCKED, serial=43, ino=0, dev=0, hook=0, decision=0,
        reason=0, digest=b'\0' * 32, pid=0, ppid=0, uid=0, auid=NOAUID, comm=b'',
        exe=b'', load_id=0x9e3779b9,
        path=b'decisions=123456 allows=123000 denies=56 would_denies=400 hashes=789 '
             b'events=460 events_dropped=18446744073709551615'),
]

EXP = bytes(range(0x10, 0x20))
ACT = bytes(range(0xe0, 0xf0))
LOAD_ID = 0x9e3779b9
runtime = [
    # a process's copy of libc's code modified (written through ptrace
    # before the module loaded, say): reported
    rec(40, RUNTIME, hook=H_SCAN, decision=REPORTED, reason=R_CODE_MODIFIED,
        load_id=LOAD_ID, path=b'/usr/lib/x86_64-linux-gnu/libc.so.6',
        page=page(0x28000, 0x7f3a12428000, 1, EXP, ACT)),
    # a page-cache page unlike the verified file: no process owns it, the
    # processes that map it were killed
    rec(41, RUNTIME, hook=H_SCAN, decision=KILLED, reason=R_PAGE_CHANGED,
        pid=0, ppid=0, uid=0, auid=NOAUID, comm=b'', exe=b'', load_id=LOAD_ID,
        path=b'/usr/sbin/sshd', page=page(8192, 0, 3, EXP, ACT)),
    # executable memory no file vouches for, found running: no file, no
    # expected digest, two mappings
    rec(42, RUNTIME, flags=0, hook=H_SCAN, decision=REPORTED, reason=R_ANON_EXEC,
        digest=b'\0' * 32, ino=0, dev=0, pid=777, comm=b'node', exe=b'/usr/bin/node',
        path=b'', load_id=LOAD_ID,
        page=page(0, 0x7f0000000000, 2, b'\0' * 16, ACT)),
    # a process whose address space stayed locked: where the walk stopped,
    # no page read (no digests)
    rec(43, RUNTIME, flags=0, hook=H_SCAN, decision=REPORTED, reason=R_UNEXAMINED,
        digest=b'\0' * 32, ino=0, dev=0, pid=555, uid=0, auid=NOAUID,
        comm=b's"h\\]|=^\n', exe=b'/opt/odd/bin/held', path=b'', load_id=LOAD_ID,
        page=page(0, 0x7f00dead0000, 0, b'\0' * 16, b'\0' * 16)),
    # hostile path and exe, processes killed
    rec(44, RUNTIME, hook=H_SCAN, decision=KILLED, reason=R_CODE_MODIFIED,
        exe=hostile, path=hostile, dropped=2, load_id=LOAD_ID,
        page=page(4096, 0x55d0c0de1000, 1, EXP, ACT)),
    # a decision from a newer module on a runtime record
    rec(45, RUNTIME, hook=H_SCAN, decision=NEW_DECISION, reason=R_CODE_MODIFIED,
        path=b'/usr/bin/new', load_id=LOAD_ID, page=page(0, 0x400000, 1, EXP, ACT)),
    # a 4 KiB path: cut in CEF, LEEF and syslog, the page kept whole
    rec(46, RUNTIME, hook=H_SCAN, decision=REPORTED, reason=R_CODE_MODIFIED,
        exe=long_path, path=long_path, load_id=LOAD_ID,
        page=page(2**40, 0xffffffffff600000, 0xffffffff, b'\xff' * 16, b'\x01' * 16)),
    # what else a module with the scan sends: its settings in the load
    # record, and a change of scan_interval
    rec(1, LOAD, flags=0, serial=0, ino=0, dev=0, hook=0, decision=0, reason=0,
        digest=b'\0' * 32, uid=0, auid=NOAUID, pid=311, ppid=1, comm=b'modprobe',
        exe=b'/usr/bin/kmod', load_id=0x7f4a7c15,
        path=b'version=0.1.0 hash_driver=sha256-ni anon_exec=audit require_scripts=0 '
             b'require_signature=1 trusted_fs=none min_serial=43 event_ring=4096 '
             b'heartbeat=300 runtime_action=kill scan_interval=3600 page_digests=32768'),
    rec(2, SETTING, flags=0, serial=43, ino=0, dev=0, hook=0, decision=0, reason=0,
        digest=b'\0' * 32, uid=0, comm=b'hashgate', exe=b'/usr/sbin/hashgate',
        load_id=0x7f4a7c15, path=b'name=scan_interval value=3600 was=0'),
]
with open(sys.argv[1], 'wb') as f:
    f.write(b''.join(records))
if len(sys.argv) > 2:
    with open(sys.argv[2], 'wb') as f:
        f.write(b''.join(runtime))
