#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate events --input' on the golden recorded stream: the tool's output
# equals the golden files byte for byte (test_golden checks the formatters),
# and every format parses with an independent parser (check_formats.py):
# JSON with python3's json, CEF with exactly 7 unescaped pipes in the header,
# LEEF 2.0 attributes, RFC 5424 header and structured data; the decoded
# paths, serials and labels agree with the recorded records (see its
# docstring). User names come from golden/passwd, as in test_golden. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_formats.sh
set -u

. "$(dirname "$0")/tap.sh"
cd "$(dirname "$0")" || exit 1
tap_init fmt
bin=golden/events.bin


export HASHGATE_HOSTNAME=host-01
export HASHGATE_PASSWD="$(pwd)/golden/passwd"
for f in text json cef leef syslog; do
	"$HG" events --input "$bin" --format $f >"$tmp/$f" 2>"$tmp/err"
	result $? "events --input --format $f exits 0"
	want=golden/events.$f
	if [ $f = syslog ]; then
		# PROCID is the tool's own pid; the golden files have 4711. A
		# record cut to its 8192 bytes is cut where the length of that
		# pid puts the cut: check_formats.py checks those (a prefix of
		# the path, then the mark), the others are compared here.
		sed 's/^\(<[0-9]*>1 [^ ]* [^ ]* [^ ]*\) [0-9]* /\1 4711 /' "$tmp/$f" >"$tmp/$f.n"
		mv "$tmp/$f.n" "$tmp/$f"
		grep -v ' truncated="1"\]' "$tmp/$f" >"$tmp/$f.whole"
		grep -v ' truncated="1"\]' golden/events.$f >"$tmp/want.whole"
		cmp "$tmp/$f.whole" "$tmp/want.whole" >"$tmp/err" 2>&1
		result $? "$f records not cut equal golden/events.$f"
	else
		cmp "$tmp/$f" "$want" >"$tmp/err" 2>&1
		result $? "$f output equals golden/events.$f"
	fi
	if [ $f != text ]; then
		python3 check_formats.py $f "$tmp/$f" "$bin" >"$tmp/err" 2>&1
		result $? "$f: every record parses, paths decode to the recorded bytes"
	fi
done

# The default record limits (bytes, newline excluded) hold at the CLI.
python3 - "$tmp" >"$tmp/err" 2>&1 <<'PY'
import sys
for fmt, limit in (('cef', 7680), ('leef', 3584), ('syslog', 8192)):
    for n, line in enumerate(open(f'{sys.argv[1]}/{fmt}', 'rb').read().split(b'\n')[:-1], 1):
        if len(line) > limit:
            print(f'{fmt} record {n}: {len(line)} bytes, more than {limit}')
            sys.exit(1)
PY
result $? "cef, leef and syslog records within their default limits"

"$HG" events --input "$bin" --json >"$tmp/j" 2>"$tmp/err"
cmp -s "$tmp/j" golden/events.json
result $? "--json is --format json"

"$HG" events --format ecs --input - <"$bin" >"$tmp/j" 2>"$tmp/err"
cmp -s "$tmp/j" golden/events.json
result $? "--input - reads stdin; ecs names json"

"$HG" events --input "$bin" --format xml >/dev/null 2>"$tmp/out"
[ $? -eq 2 ] && grep -q "invalid format 'xml'" "$tmp/out"
result $? "unknown format exits 2"

"$HG" events --input "$bin" --follow >/dev/null 2>&1
[ $? -eq 2 ]
result $? "--follow with --input exits 2"

"$HG" events --input "$tmp/absent" >/dev/null 2>"$tmp/out"
[ $? -eq 1 ] && grep -q "cannot open '$tmp/absent'" "$tmp/out"
result $? "missing --input file exits 1 and names it"

head -c 300 "$bin" >"$tmp/trunc"
"$HG" events --input "$tmp/trunc" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "truncated event record" "$tmp/out" &&
	[ "$(grep -c seq= "$tmp/out")" -eq 1 ]
result $? "truncated stream: records before it printed, exit 1"

# A FIFO as input: replaying into a pipe works like a file.
mkfifo "$tmp/fifo"
(cat "$bin" >"$tmp/fifo" &)
"$HG" events --input "$tmp/fifo" --format cef >"$tmp/fifo.out" 2>"$tmp/err"
cmp -s "$tmp/fifo.out" "$tmp/cef"
result $? "--input from a FIFO"

echo "1..$n"
exit $fail
