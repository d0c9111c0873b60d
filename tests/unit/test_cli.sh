#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The hashgate CLI's error paths and securityfs I/O, against a fake
# securityfs directory (HASHGATE_SECURITYFS) so no module is needed. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_cli.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init cli
D1=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
D2=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210


# A fake securityfs directory shaped like the module's.
sfs=$tmp/sfs
mkdir "$sfs"
echo 0.1.0 >"$sfs/version"
echo audit >"$sfs/mode"
echo 0 >"$sfs/lock"
echo "5 2" >"$sfs/allowlist"
printf 'execs 10\ndenied 2\n' >"$sfs/stats"
: >"$sfs/events"
: >"$sfs/events_tap"
chmod 755 "$tmp"
chmod 644 "$sfs"/*
export HASHGATE_SECURITYFS="$sfs"
# 'load' records the serial it loaded: never in the host's /var/lib/hashgate.
export HASHGATE_STATE_DIR="$tmp/state"

check "unknown subcommand exits 2" 2 "invalid subcommand 'frob'" -- "$HG" frob
check "unknown flag exits 2" 2 "Usage: hashgate status" -- "$HG" status --frob
check "missing argument exits 2" 2 "Usage: hashgate load" -- "$HG" load
check "invalid mode exits 2" 2 "invalid mode 'max'" -- "$HG" mode max
check "--help exits 0" 0 "Usage: hashgate build" -- "$HG" build --help
check "version shows tool and module" 0 "hashgate module 0.1.0" -- "$HG" --version
check "load of a missing file names it" 1 "cannot open '$tmp/nope.txt'" -- \
	"$HG" load "$tmp/nope.txt"
check "status without the module exits 3" 3 "not loaded" -- \
	env HASHGATE_SECURITYFS="$tmp/absent" "$HG" status
check "no arguments means status" 3 "not loaded" -- \
	env HASHGATE_SECURITYFS="$tmp/absent" "$HG"
check "status" 0 "allowlist: serial 5, 2 entries" -- "$HG" status
check "status --json parses" 0 "" -- sh -c "'$HG' status --json | python3 -c \
	'import json,sys; d=json.load(sys.stdin); assert d[\"stats\"][\"denied\"] == 2'"
check "mode prints" 0 "^audit$" -- "$HG" mode
check "mode enforce writes" 0 "" -- "$HG" mode enforce
check "mode file holds enforce" 0 "^enforce$" -- cat "$sfs/mode"
check "mode enforce as nobody exits 4" 4 "permission denied (run as root)" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$HG" mode enforce
check "module load as nobody exits 4" 4 "needs root" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$HG" module load

printf '# hashgate-serial: 9\n%s  /bin/a\n%s  /bin/b\n%s  /bin/c\n' \
	$D1 $D2 $D1 >"$tmp/list"
check "load -o writes a blob" 0 "wrote allowlist serial 9: 2 digests, 3 paths" -- \
	"$HG" load -o "$tmp/blob" "$tmp/list"
check "load sends the same blob in one write" 0 \
	"loaded allowlist serial 9: 2 digests, 3 paths" -- "$HG" load "$tmp/list"
check "kernel side got the exact blob" 0 "" -- cmp "$sfs/allowlist" "$tmp/blob"
check "load recorded serial 9 in HASHGATE_STATE_DIR" 0 "^9$" -- cat "$tmp/state/serial"
check "--serial overrides the directive" 0 "serial 12:" -- \
	"$HG" load --serial 12 --dry-run "$tmp/list"
check "load --no-paths: digests only" 0 "wrote allowlist serial 9: 2 digests, 0 paths" -- \
	"$HG" load --no-paths -o "$tmp/blob-np" "$tmp/list"
check "load --no-paths: 32 bytes a digest after the header" 0 "^96$" -- \
	stat -c %s "$tmp/blob-np"

cp "$sfs/allowlist" "$tmp/before"
printf '%s  /bin/a\nabc  /bin/b\n%s  /bin/a\n' $D1 $D2 >"$tmp/bad"
check "bad list: every error with FILE:LINE" 1 "$tmp/bad:3: path \"/bin/a\" already" -- \
	"$HG" load "$tmp/bad"
check "bad list: short digest reported" 1 "$tmp/bad:2: digest is shorter" -- \
	"$HG" load "$tmp/bad"
check "bad list: kernel side untouched" 0 "" -- cmp "$sfs/allowlist" "$tmp/before"

# Hostile event records, in the module's binary layout, read back: all
# three on the tap (what 'hashgate events' reads), the first alone on the
# consumer's file (--consume).
python3 - "$sfs/events_tap" "$sfs/events" <<'PY'
import struct, sys
fmt = '<IBBBBQQQQQQIIIIIBBBB32s16sHHI'
out = b''
paths = [b'/tmp/a\nb"c\\d\xffe\xc3\xa9', b'/x' * 2048, b'/bin/ok']
for i, p in enumerate(paths):
    exe = b'/bin/\x1b[31mred'
    size = (struct.calcsize(fmt) + len(exe) + len(p) + 7) & ~7
    rec = struct.pack(fmt, size, 1, 1, 1, 0, i + 1, i, 1795822862123456789, 0, 5,
                      1234, 22, 123, 1, 0, 0xffffffff, 1, 2, 1, 1, b'\xab' * 32,
                      b'evil\n"', len(exe), len(p), 0) + exe + p
    out += rec + b'\0' * (size - len(rec))
    if i == 0:
        open(sys.argv[2], 'wb').write(out)
open(sys.argv[1], 'wb').write(out)
PY
check "events text: one line per record" 0 "" -- sh -c "[ \$('$HG' events | wc -l) = 3 ]"
check "events text: escaped path" 0 'path="/tmp/a\\x0ab\\"c\\\\d\\xffe' -- "$HG" events
check "events --json parses" 0 "" -- sh -c "'$HG' events --json | python3 -c \
	'import json,sys; l=[json.loads(x) for x in sys.stdin]; \
	assert len(l) == 3 and l[0][\"file\"][\"path\"].startswith(\"/tmp/a\\nb\")'"
check "events: dropped_before shown" 0 "seq=2 .*dropped_before=1" -- "$HG" events
check "events --consume reads the consumer's file" 0 "" -- \
	sh -c "[ \$('$HG' events --consume | wc -l) = 1 ]"
check "events --consume with --input: usage error" 2 "not with --input" -- \
	"$HG" events --consume --input "$sfs/events"

echo "1..$n"
exit $fail
