#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate events --input' on the golden recorded streams (events.bin, and
# runtime.bin: findings of the scan of resident code, with their pages):
# the tool's output equals the golden files byte for byte (test_golden
# checks the formatters),
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

# The findings of the scan of resident code: the same, and their pages
# decode to what the records' struct hg_event_page holds.
rt=golden/runtime.bin
for f in text json cef leef syslog; do
	"$HG" events --input "$rt" --format $f >"$tmp/rt.$f" 2>"$tmp/err"
	result $? "runtime records: --format $f exits 0"
	[ $f = syslog ] &&
		sed -i 's/^\(<[0-9]*>1 [^ ]* [^ ]* [^ ]*\) [0-9]* /\1 4711 /' "$tmp/rt.$f"
	cmp "$tmp/rt.$f" golden/runtime.$f >"$tmp/err" 2>&1
	result $? "runtime records: $f output equals golden/runtime.$f"
	if [ $f != text ]; then
		python3 check_formats.py $f "$tmp/rt.$f" "$rt" >"$tmp/err" 2>&1
		result $? "runtime records: $f parses; paths, pids and pages decode to the records'"
	fi
done

# A runtime record whose page would run past its size is refused whole: no
# line for it, an error, exit 1 (the record before it is printed).
python3 - "$rt" "$tmp/badpage.bin" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
first = struct.unpack_from('<I', data)[0]
rec = bytearray(data[first:first + struct.unpack_from('<I', data, first)[0]])
struct.pack_into('<I', rec, 0, len(rec) - 8)     # the page's last 8 bytes gone
open(sys.argv[2], 'wb').write(data[:first] + bytes(rec[:-8]))
PY
"$HG" events --input "$tmp/badpage.bin" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "malformed event record" "$tmp/out" &&
	[ "$(grep -c ' runtime ' "$tmp/out")" -eq 1 ]
result $? "a runtime record with its page cut short: refused, exit 1"

# The default record limits (bytes, newline excluded) hold at the CLI.
python3 - "$tmp" >"$tmp/err" 2>&1 <<'PY'
import sys
for fmt, limit in (('cef', 7680), ('leef', 3584), ('syslog', 8192)):
    for name in (fmt, 'rt.' + fmt):
        for n, line in enumerate(open(f'{sys.argv[1]}/{name}', 'rb').read().split(b'\n')[:-1], 1):
            if len(line) > limit:
                print(f'{name} record {n}: {len(line)} bytes, more than {limit}')
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

# hashgate-events.service: --journal puts each record's syslog severity in
# front, for journald (record 1 is a denial: 4; record 3 an allow: 6).
"$HG" events --input "$bin" --journal >"$tmp/journal" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(sed -n 1p "$tmp/journal" | cut -c1-3)" = "<4>" ] &&
	[ "$(sed -n 3p "$tmp/journal" | cut -c1-3)" = "<6>" ] &&
	[ "$(grep -vc '^<[0-7]>' "$tmp/journal")" -eq 0 ] &&
	sed 's/^<[0-7]>//' "$tmp/journal" | cmp -s - "$tmp/text"
result $? "--journal: the text records, each with its severity as <N>"

"$HG" events --input "$bin" --format syslog --enterprise-number 99999.1 >"$tmp/pen" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(grep -c '\[hashgate@99999.1 ' "$tmp/pen")" -eq "$(wc -l <"$tmp/pen")" ]
result $? "--enterprise-number is the SD-ID's"

"$HG" events --input "$bin" --enterprise-number 12x >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "invalid enterprise number '12x'" "$tmp/err"
result $? "a bad enterprise number is a usage error"

"$HG" events --input "$bin" --format cef --max-record 100 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "invalid record size 100" "$tmp/err"
result $? "--max-record below 2048 is a usage error"

"$HG" events --input "$bin" --format cef --max-record 2048 >"$tmp/cut" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(awk '{ if (length($0) + 1 > m) m = length($0) + 1 } END { print m }' "$tmp/cut")" -le 2048 ]
result $? "--max-record 2048: no CEF record longer"

printf 'format = syslog\nenterprise_number = 4242\n' >"$tmp/conf"
"$HG" events --input "$bin" --from-config --config "$tmp/conf" >"$tmp/fc" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '^<[0-9]*>1 .*\[hashgate@4242 ' "$tmp/fc"
result $? "--from-config takes format and enterprise number from the file"

printf 'format = syslog\nbogus = 1\n' >"$tmp/badconf"
"$HG" events --input "$bin" --from-config --config "$tmp/badconf" >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q 'bogus' "$tmp/err"
result $? "--from-config with a bad config fails and names the key"

"$HG" events --input "$bin" --config "$tmp/conf" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]
result $? "--config without --from-config is a usage error"

# The Elasticsearch assets fit what the tool writes (offline: no cluster here).
python3 check_siem_assets.py ../../Documentation/siem/elasticsearch-index-template.json \
	../../Documentation/siem/elasticsearch-ingest-pipeline.json golden/events.json >"$tmp/err" 2>&1
result $? "the Elasticsearch template maps every golden JSON field (serial unsigned_long); the pipeline sets only mapped fields"
# The runtime records too, and the load record of a module with the scan.
cat golden/events.json golden/runtime.json >"$tmp/all.json"
python3 check_siem_assets.py ../../Documentation/siem/elasticsearch-index-template.json \
	../../Documentation/siem/elasticsearch-ingest-pipeline.json "$tmp/all.json" >"$tmp/err" 2>&1
result $? "the Elasticsearch template maps every field of the runtime records"

# --output: the records to a file, stdout empty; appended to, never cut.
"$HG" events --input "$bin" --format json --output "$tmp/out.json" >"$tmp/stdout" 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/stdout" ] && cmp -s "$tmp/out.json" golden/events.json &&
	[ "$(stat -c %a "$tmp/out.json")" = 640 ]
result $? "--output FILE: the records in FILE (0640), nothing on stdout"
"$HG" events --input "$bin" --format json --output "$tmp/out.json" 2>"$tmp/err" &&
	cat golden/events.json golden/events.json | cmp -s - "$tmp/out.json"
result $? "--output appends to what is there"
"$HG" events --input "$bin" --output /nonexistent/dir/ev.log 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "cannot open '/nonexistent/dir/ev.log'" "$tmp/err"
result $? "--output to a path that cannot be opened: a clear error, exit 1"

# SIGHUP reopens it: logrotate moves the file, the next record starts a new
# one, and no record is lost or cut across the two.
nrec=$(python3 -c 'import check_formats as cf, sys
print(len(list(cf.records(sys.argv[1]))))' "$bin")
python3 split_records.py "$bin" 5 "$tmp/first.bin" "$tmp/rest.bin"
mkfifo "$tmp/rot.fifo"
"$HG" events --input "$tmp/rot.fifo" --format json --output "$tmp/rot.json" 2>"$tmp/err" &
reader=$!
exec 7>"$tmp/rot.fifo"
cat "$tmp/first.bin" >&7
i=0
while [ "$(wc -l <"$tmp/rot.json" 2>/dev/null || echo 0)" -lt 5 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mv "$tmp/rot.json" "$tmp/rot.json.1"
kill -HUP $reader
sleep 0.2
cat "$tmp/rest.bin" >&7
exec 7>&-
wait $reader
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/rot.json.1")" -eq 5 ] &&
	[ "$(wc -l <"$tmp/rot.json")" -eq $((nrec - 5)) ] &&
	cat "$tmp/rot.json.1" "$tmp/rot.json" | cmp -s - golden/events.json
result $? "SIGHUP reopens --output: 5 records in the rotated file, the other $((nrec - 5)) in the new one"

echo "1..$n"
exit $fail
