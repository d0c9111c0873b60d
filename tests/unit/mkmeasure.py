#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Fixtures for test_measurements.sh: binary measurement lists in the format
# of securityfs 'binary_measurements' (IMA's binary list, ima-ng template,
# little-endian; see hashgate(8)), written here from the specification, with
# hashlib, independently of the tool's parser, and fake TPM sysfs trees whose
# PCR values are the replay of a list computed here. Writes into DIR:
#
#   good.bin        a list: PCRs 23 and 10, files, a would-deny, records
#   good.ascii      what 'hashgate measurements' should print for it
#   good.json       the JSON objects it should print, one a line
#   tpm/            pcr-sha1, pcr-sha256, pcr-sha384 for good.bin (no sha512)
#   tpm-stale/      the same, but PCR 23 lacks the last entry
#   tpm-padded/     the same, its sha384 bank extended with the SHA-1 padded
#   notpm.bin       a list whose start entry says tpm=none
#   forged.bin      good.bin with one byte of a file digest changed and the
#                   template digest made to fit: parses, must not replay
#   flipped.bin     good.bin with one byte of a file digest changed only
#   bad-NAME.bin    malformed lists; bad-NAME.want holds the offset and a
#                   piece of the message the tool must print
#   allow-all.txt   an allowlist with every measured file's digest
#   allow-short.txt the same without one (MISSING_PATH)
# Usage: mkmeasure.py DIR
import hashlib
import json
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def sha256(b):
    return hashlib.sha256(b).digest()


def template_data(digest, name, d_prefix=b"sha256:\0", d_len=None, n_len=None,
                  nul=True):
    d = d_prefix + digest
    n = name + (b"\0" if nul else b"")
    return (struct.pack("<I", len(d) if d_len is None else d_len) + d +
            struct.pack("<I", len(n) if n_len is None else n_len) + n)


def entry(pcr, data, tname=b"ima-ng", tdigest=None, tn_len=None, td_len=None):
    td = hashlib.sha1(data).digest() if tdigest is None else tdigest
    return (struct.pack("<I", pcr) + td +
            struct.pack("<I", len(tname) if tn_len is None else tn_len) + tname +
            struct.pack("<I", len(data) if td_len is None else td_len) + data)


def fdigest(i):
    return sha256(b"file %d" % i)


# (pcr, name, digest); names are bytes, as the kernel has them.
start = b"hashgate:start pcr=23 tpm=present"
ENTRIES = [
    (23, start, sha256(start)),
    (23, b"/usr/bin/true", fdigest(1)),
    (23, b"/usr/lib/x86_64-linux-gnu/libc.so.6", fdigest(2)),
    (23, b"hashgate:allowlist serial=5 signer=unsigned", fdigest(9)),
    (10, b"/opt/odd name\n\\x\x7f\x01\xc3\xa9", fdigest(3)),
    (23, b"hashgate:would-deny:/tmp/evil", fdigest(4)),
    (23, b"hashgate:mode enforce", sha256(b"hashgate:mode enforce")),
    (23, b"/usr/sbin/sshd", fdigest(5)),
]
MISSING_PATH = "/usr/lib/x86_64-linux-gnu/libc.so.6"


def build(entries):
    return b"".join(entry(p, template_data(d, n)) for p, n, d in entries)


def replay(entries, alg, padded=False):
    pcrs = {}
    for p, n, d in entries:
        data = template_data(d, n)
        h = hashlib.sha1(data).digest() if alg == "sha1" else hashlib.new(alg, data).digest()
        if padded:
            h = hashlib.sha1(data).digest().ljust(hashlib.new(alg).digest_size, b"\0")
        v = pcrs.get(p, bytes(hashlib.new(alg).digest_size))
        pcrs[p] = hashlib.new(alg, v + h).digest()
    return pcrs


def tpm(dirname, entries, algs=("sha1", "sha256", "sha384"), padded=()):
    for alg in algs:
        d = os.path.join(out, dirname, "pcr-" + alg)
        os.makedirs(d, exist_ok=True)
        pcrs = replay(entries, alg, alg in padded)
        for i in range(24):
            v = pcrs.get(i, bytes(hashlib.new(alg).digest_size))
            # As the kernel prints them: upper case, a newline.
            with open(os.path.join(d, str(i)), "w") as f:
                f.write(v.hex().upper() + "\n")


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


good = build(ENTRIES)
write("good.bin", good)
with open(os.path.join(out, "good.ascii"), "wb") as f:
    for p, n, d in ENTRIES:
        td = hashlib.sha1(template_data(d, n)).hexdigest()
        line = "%d %s ima-ng sha256:%s " % (p, td, d.hex())
        f.write(line.encode() + b"".join(
            b"\\%03o" % c if c < 0x20 or c == 0x7f or c == 0x5c else bytes([c])
            for c in n) + b"\n")
with open(os.path.join(out, "good.json"), "w") as f:
    for p, n, d in ENTRIES:
        s = n.decode("utf-8", "replace")
        kind = ("would-deny" if s.startswith("hashgate:would-deny:") else
                "hashgate" if s.startswith("hashgate:") else "file")
        o = {"pcr": p, "template_digest": hashlib.sha1(template_data(d, n)).hexdigest(),
             "digest": "sha256:" + d.hex(), "name": s, "kind": kind}
        f.write(json.dumps(o) + "\n")
tpm("tpm", ENTRIES)
tpm("tpm-stale", ENTRIES[:-1])
tpm("tpm-padded", ENTRIES, padded=("sha384",))
os.makedirs(os.path.join(out, "tpm-nobanks"), exist_ok=True)

nostart = b"hashgate:start pcr=23 tpm=none"
write("notpm.bin", build([(23, nostart, sha256(nostart))] + ENTRIES[1:3]))

# One byte of /usr/bin/true's digest changed: with the template digest made
# to fit (a forger's list) and without (a damaged one).
forged = list(ENTRIES)
fd = bytearray(forged[1][2])
fd[0] ^= 1
forged[1] = (forged[1][0], forged[1][1], bytes(fd))
write("forged.bin", build(forged))
e0 = len(entry(23, template_data(ENTRIES[0][2], ENTRIES[0][1])))
flipped = bytearray(good)
flip_at = e0 + 4 + 20 + 4 + 6 + 4 + 4 + 8      # entry 2's file digest
flipped[flip_at] ^= 1
write("flipped.bin", bytes(flipped))

# Allowlists, in sha256sum format.
with open(os.path.join(out, "allow-all.txt"), "w") as fa, \
        open(os.path.join(out, "allow-short.txt"), "w") as fs:
    for p, n, d in ENTRIES:
        if n.startswith(b"hashgate:") and not n.startswith(b"hashgate:would-deny:"):
            continue
        path = n[len(b"hashgate:would-deny:"):] if n.startswith(b"hashgate:would-deny:") else n
        if b"\n" in path or b"\\" in path or b"\x7f" in path or b"\x01" in path:
            path = b"/opt/plain"        # the text format's escapes are not tested here
        line = "%s  %s\n" % (d.hex(), path.decode())
        fa.write(line)
        if path.decode() != MISSING_PATH:
            fs.write(line)

# Malformed lists: (name, bytes, offset of the fault, piece of the message).
one = entry(23, template_data(fdigest(1), b"/usr/bin/true"))
hdr = 4 + 20 + 4
BAD = []


def bad(name, data, off, msg):
    BAD.append((name, data, off, msg))


data1 = template_data(fdigest(1), b"/usr/bin/true")
bad("trunc-header", one + one[:10], len(one), "truncated entry")
bad("trunc-name", one + one[:hdr + 3], len(one) + hdr, "truncated entry")
bad("trunc-data", one + one[:-1], len(one) + hdr + 6, "past the end of the list")
bad("trunc-last-byte", one[:-1], hdr + 6, "past the end of the list")
bad("template-sg", entry(23, data1, tname=b"ima-sg"), hdr, "not ima-ng")
bad("template-len", entry(23, data1, tname=b"ima-ngx"), hdr - 4, "not ima-ng")
bad("template-ima", entry(23, data1, tname=b"ima"), hdr - 4, "not ima-ng")
bad("d-len-36", entry(23, template_data(fdigest(1)[:28], b"/x", d_len=36)),
    hdr + 6 + 4, "digest field length 36, not 40")
bad("d-len-big", entry(23, template_data(fdigest(1), b"/x", d_len=0xffffffff)),
    hdr + 6 + 4, "digest field length 4294967295")
bad("sha1-prefix", entry(23, template_data(fdigest(1), b"/x", d_prefix=b"sha512:\0")),
    hdr + 6 + 4 + 4, "\"sha256:\"")
bad("no-nul-prefix", entry(23, template_data(fdigest(1), b"/x", d_prefix=b"sha256::")),
    hdr + 6 + 4 + 4, "\"sha256:\"")
bad("name-no-nul", entry(23, template_data(fdigest(1), b"/usr/bin/true", nul=False)),
    hdr + 6 + 4 + 4 + 40 + 4, "not NUL-terminated")
bad("name-len-0", entry(23, template_data(fdigest(1), b"", nul=False)),
    hdr + 6 + 4 + 4 + 40 + 4, "not NUL-terminated")
bad("name-inner-nul", entry(23, template_data(fdigest(1), b"/a\0b")),
    hdr + 6 + 4 + 4 + 40 + 4, "NUL inside the name")
bad("name-len-past", entry(23, template_data(fdigest(1), b"/x", n_len=100)),
    hdr + 6 + 4 + 4 + 40, "past the end of the template data")
bad("data-len-past", one[:hdr + 6] + struct.pack("<I", 0xfffffff0) + one[hdr + 10:],
    hdr + 6, "past the end of the list")
bad("data-trailing", entry(23, data1 + b"zz"), hdr + 10 + len(data1),
    "2 bytes in the template data after the name")
bad("data-short", entry(23, b"\x28\0\0\0sha256"), hdr + 10, "too short")
bad("data-tiny", entry(23, b"\x28\0"), hdr + 10, "too short")
bad("template-digest", one[:4] + bytes(20) + one[24:], 4,
    "template digest is not the SHA-1")
bad("flipped", bytes(flipped), e0 + 4, "template digest is not the SHA-1")
for name, data, off, msg in BAD:
    write("bad-%s.bin" % name, data)
    with open(os.path.join(out, "bad-%s.want" % name), "w") as f:
        f.write("%d\n%s\n" % (off, msg))
