#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hashgate scan and the scan in hashgate status, against a fake securityfs
# directory (HASHGATE_SECURITYFS) whose 'scan' file holds a report: the
# summary and findings as text and JSON, the escapes undone, the exit
# statuses (0 nothing found, 5 findings, 1 a report that does not parse,
# 3 no module or no scan file, 4 not permitted), and a status that shows
# runtime_action, scan_interval and the last scan, or nothing of them for
# an older module. A write to the fake overwrites the start of the file,
# so a report that is to survive a scan starts with a key this tool skips
# ("x=0" becomes "1=0"). The scan itself is the VM's to test. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_scan.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init scan
E=101112131415161718191a1b1c1d1e1f
A=e0e1e2e3e4e5e6e7e8e9eaebecedeeef
SUM="scans=7 time=1764675811 duration_ms=1234 processes=143 busy=2 mappings=1200 pages=45000 files=310 file_pages=9000"

sfs=$tmp/sfs
mkdir "$sfs"
echo 0.1.0 >"$sfs/version"
echo enforce >"$sfs/mode"
echo 0 >"$sfs/lock"
echo "5 2" >"$sfs/allowlist"
printf 'decisions 3\nscans 7\nscan_findings 4\n' >"$sfs/stats"
echo kill >"$sfs/runtime_action"
echo 3600 >"$sfs/scan_interval"
chmod 755 "$tmp"
export HASHGATE_SECURITYFS="$sfs"

# report LINE...: the scan file, one argument a line.
report() {
	printf '%s\n' "$@" >"$sfs/scan"
	chmod 644 "$sfs/scan"
}

FINDINGS="x=0 $SUM findings=4 kept=3 repeated=1"
F1="finding reason=code-modified pid=4242 comm=ba\\040sh offset=163840 address=0x7f3a12428000 count=1 expected=$E actual=$A path=/usr/lib/a\\040b\\012c\\134d"
F2="finding reason=page-changed pid=0 comm=- offset=8192 address=0x0 count=3 expected=$E actual=$A path=/usr/sbin/sshd"
F3="finding reason=anon-exec pid=777 comm=node offset=0 address=0x7f0000000000 count=2 expected=- actual=$A path=-"

# --- the last report, as text ---
report "$FINDINGS" "$F1" "$F2" "$F3"
check "scan --last with findings: exit 5" 5 "" -- "$HG" scan --last
check "the summary line" 5 \
	"^scan 7 at .* (1234 ms): 143 processes, 2 busy; 1200 mappings, 45000 pages; 310 files, 9000 file pages; 4 findings, 1 repeated, 3 listed$" -- \
	"$HG" scan --last
check "a finding of a process: unescaped, then quoted" 5 \
	"^code-modified pid=4242 comm=\"ba sh\" path=\"/usr/lib/a b\\\\x0ac\\\\\\\\d\" offset=163840 address=0x7f3a12428000 count=1 expected=$E actual=$A$" -- \
	"$HG" scan --last
check "a page-cache page: no process, no address" 5 \
	"^page-changed page-cache path=/usr/sbin/sshd offset=8192 count=3 expected=$E actual=$A$" -- \
	"$HG" scan --last
check "anonymous memory: path -, expected -" 5 \
	"^anon-exec pid=777 comm=\"node\" path=- offset=0 address=0x7f0000000000 count=2 expected=- actual=$A$" -- \
	"$HG" scan --last
"$HG" scan --last >"$tmp/out" 2>&1
[ "$(wc -l <"$tmp/out")" -eq 4 ]; result $? "one line of summary, one a finding"
"$HG" scan -l >"$tmp/out2" 2>&1
cmp -s "$tmp/out" "$tmp/out2"; result $? "-l is --last"

# --- as JSON ---
check "scan --last --json with findings: exit 5" 5 "" -- "$HG" scan --last --json
check "scan --json: one object, the summary and the findings" 0 "" -- sh -c "'$HG' scan --last --json |
	python3 -c 'import json,sys
lines = sys.stdin.read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert list(d)[:13] == [\"scans\", \"time\", \"duration_ms\", \"processes\", \"busy\", \"mappings\",
	\"pages\", \"files\", \"file_pages\", \"findings_total\", \"kept\", \"repeated\", \"findings\"], list(d)
assert (d[\"scans\"], d[\"time\"], d[\"findings_total\"], d[\"kept\"], d[\"repeated\"]) == (7, 1764675811, 4, 3, 1), d
f = d[\"findings\"]
assert len(f) == 3, f
assert f[0] == {\"reason\": \"code-modified\", \"pid\": 4242, \"comm\": \"ba sh\",
	\"path\": \"/usr/lib/a b\\nc\\\\d\", \"offset\": 163840, \"address\": \"0x7f3a12428000\",
	\"count\": 1, \"expected\": \"$E\", \"actual\": \"$A\"}, f[0]
assert (f[1][\"pid\"], f[1][\"comm\"], f[1][\"address\"], f[1][\"path\"]) == (None, None, None, \"/usr/sbin/sshd\"), f[1]
assert (f[2][\"path\"], f[2][\"expected\"], f[2][\"actual\"]) == (None, None, \"$A\"), f[2]'"

# --- nothing found, no scan yet ---
report "x=0 $SUM findings=0 kept=0 repeated=0"
check "a clean scan: exit 0" 0 "; 0 findings, 0 repeated$" -- "$HG" scan --last
check "a clean scan as JSON: an empty list" 0 '"findings_total":0,"kept":0,"repeated":0,"findings":\[\]}$' -- \
	"$HG" scan --last --json
report "scans=0"
check "no scan yet: exit 0, says so" 0 "^no scan since the module was loaded$" -- "$HG" scan --last
check "no scan yet as JSON: nulls" 0 '^{"scans":0,"time":null,.*"repeated":null,"findings":\[\]}$' -- \
	"$HG" scan --last --json
report "x=0 $SUM findings=2 kept=0 repeated=2"
check "findings, all repeated and none listed: still exit 5" 5 "; 2 findings, 2 repeated, 0 listed$" -- \
	"$HG" scan --last

# --- running one ---
report "$FINDINGS" "$F1" "$F2" "$F3"
check "scan runs one and reads the report: exit 5" 5 "^scan 7 at " -- "$HG" scan
[ "$(head -c 1 "$sfs/scan")" = 1 ]; result $? "scan wrote \"1\" to the scan file"
report "x=0 $SUM findings=0 kept=0 repeated=0"
check "scan, nothing found: exit 0" 0 '"findings_total":0,' -- "$HG" scan --json
report "x=0 scans=0"
check "a scan that the report does not show: exit 1" 1 "no scan, after one ran" -- "$HG" scan
report "$FINDINGS" "$F1" "$F2" "$F3"
cp "$sfs/scan" "$tmp/before"
check "scan as an unprivileged user: exit 4" 4 \
	"cannot scan '$sfs/scan': permission denied (needs root with CAP_MAC_ADMIN)" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$HG" scan
cmp -s "$sfs/scan" "$tmp/before"; result $? "nothing written as nobody"
chmod 600 "$sfs/scan"
check "scan --last of an unreadable report: exit 4" 4 "cannot read '$sfs/scan': permission denied" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$HG" scan --last

# --- reports that do not parse ---
report "x=0 $SUM findings=4 kept=3 repeated=1" "$F1" "$F2"
check "a report cut short: exit 1, the file and the line" 1 \
	"unexpected report in '$sfs/scan', line 4: 2 finding lines, but kept=3: the report is cut short" -- \
	"$HG" scan --last
"$HG" scan --last >"$tmp/stdout" 2>/dev/null
[ ! -s "$tmp/stdout" ]; result $? "a report that does not parse prints no part of it"
report "x=0 $SUM findings=1 kept=1 repeated=0" "finding reason=code-modified pid=1 comm=a offset=0 address=0x1 count=1 expected=- actual=- path=/a\\9"
check "an escape that does not decode: exit 1" 1 "line 2: the path does not decode" -- \
	"$HG" scan --last
report "scans=1 time=1"
check "a summary without its counts: exit 1" 1 "line 1: no duration_ms= in the summary" -- \
	"$HG" scan --last --json
report "garbage"
check "not a report at all: exit 1" 1 "line 1: a word of the summary is not key=value" -- \
	"$HG" scan --last

# --- no module, an older one, usage ---
check "scan without the module: exit 3" 3 "not loaded" -- \
	env HASHGATE_SECURITYFS="$tmp/absent" "$HG" scan
rm "$sfs/scan"
check "a module without the scan file: exit 3" 3 "the loaded module has no 'scan' file" -- \
	"$HG" scan --last
check "scan takes no arguments" 2 "Usage: hashgate scan" -- "$HG" scan now
check "scan --help exits 0" 0 "Usage: hashgate scan" -- "$HG" scan --help
check "an unknown option: exit 2" 2 "Usage: hashgate scan" -- "$HG" scan --frob

# --- status ---
report "$FINDINGS" "$F1" "$F2" "$F3"
check "status: runtime_action" 0 "^runtime_action: kill$" -- "$HG" status
check "status: scan_interval" 0 "^scan_interval: 3600 s$" -- "$HG" status
check "status: the last scan" 0 \
	"^last scan: .*, 143 processes (2 busy), 45000 pages, 4 findings, 1234 ms$" -- "$HG" status
check "status: the new counters" 0 "^  scan_findings: 4$" -- "$HG" status
check "status --json: runtime_action, scan_interval, last_scan" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; d=json.load(sys.stdin)
assert (d[\"runtime_action\"], d[\"scan_interval\"]) == (\"kill\", 3600), d
s = d[\"last_scan\"]
assert (s[\"scans\"], s[\"time\"], s[\"processes\"], s[\"busy\"], s[\"pages\"], s[\"findings_total\"], s[\"duration_ms\"]) == \
	(7, 1764675811, 143, 2, 45000, 4, 1234), s
assert d[\"stats\"][\"scan_findings\"] == 4, d'"
echo 0 >"$sfs/scan_interval"
report "scans=0"
check "status: scan_interval 0 is off" 0 "^scan_interval: off$" -- "$HG" status
check "status: no scan yet" 0 "^last scan: none since the module was loaded$" -- "$HG" status
check "status --json: no scan yet" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; d=json.load(sys.stdin)
assert d[\"scan_interval\"] == 0 and d[\"last_scan\"][\"scans\"] == 0, d
assert d[\"last_scan\"][\"time\"] is None, d'"
report "scans=x"
check "status: a report that does not parse is ?, not an error" 0 "^last scan: ?$" -- "$HG" status
rm "$sfs/scan" "$sfs/runtime_action" "$sfs/scan_interval"
"$HG" status >"$tmp/out" 2>&1
[ $? -eq 0 ] && ! grep -q 'runtime_action\|scan_interval\|last scan' "$tmp/out" &&
	grep -q "^allowlist: serial 5, 2 entries$" "$tmp/out"
result $? "status of an older module: no scan lines, no error"
check "status --json of an older module: nulls" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; d=json.load(sys.stdin)
assert (d[\"runtime_action\"], d[\"scan_interval\"], d[\"last_scan\"]) == (None, None, None), d'"

echo "1..$n"
exit $fail
