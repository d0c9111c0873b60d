#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hashgate apply and hashgate.conf(5) against a fake module: a securityfs
# directory of plain files (HASHGATE_SECURITYFS) and a sysfs module
# directory with parameters/ (HASHGATE_SYSFS_MODULE). A write to the fake
# only overwrites the start of a file, so each test sets the module state it
# starts from (fresh, settled, locked...), and "nothing written" is checked
# on the files' modification times, all set back to an old one before. The
# module step is seen with --dry-run and failing; loading for real, the
# kernel's refusals and the events are the VM's to test. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_apply.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init apply

sfs=$tmp/sfs
sysmod=$tmp/sysmod
cfg=$tmp/hashgate.conf
export HASHGATE_SECURITYFS=$sfs HASHGATE_SYSFS_MODULE=$sysmod \
	HASHGATE_STATE_DIR=$tmp/state HASHGATE_CONFIG=$cfg HASHGATE_RUN_DIR=$tmp/run
OLD=1000000000

# fresh: the files of a module just loaded with no parameters.
fresh() {
	rm -rf "$sfs" "$sysmod"
	mkdir -p "$sfs" "$sysmod/parameters"
	echo 0.1.0 >"$sfs/version"
	echo audit >"$sfs/mode"
	echo 0 >"$sfs/lock"
	echo audit >"$sfs/anon_exec"
	echo "0 0 - -" >"$sfs/allowlist"
	: >"$sfs/keys"
	echo 0 >"$sfs/keys_lock"
	echo >"$sfs/trusted_fs"
	echo report >"$sfs/runtime_action"
	echo 0 >"$sfs/scan_interval"
	echo scans=0 >"$sfs/scan"
	printf 'decisions 3\n' >"$sfs/stats"
	echo N >"$sysmod/parameters/require_signature"
	echo N >"$sysmod/parameters/require_scripts"
	echo 0 >"$sysmod/parameters/min_serial"
	echo audit >"$sysmod/parameters/anon_exec"
	echo "(null)" >"$sysmod/parameters/trusted_fs"
}

# set FILE VALUE...: the module now shows VALUE in FILE.
set_sfs() {
	while [ $# -ge 2 ]; do
		printf '%s\n' "$2" >"$sfs/$1"
		shift 2
	done
}

# age: every fake file written long ago, so that a write shows.
age() {
	touch -d @$OLD "$sfs"/* "$sysmod"/parameters/*
}

# untouched [FILE...]: none of them (default: all) written since age.
untouched() {
	[ $# -eq 0 ] && set -- $(cd "$sfs" && ls)
	for f; do
		if [ "$(stat -c %Y "$sfs/$f")" != $OLD ]; then
			echo "$f was written" >>"$tmp/err"
			return 1
		fi
	done
}

# written FILE...: each of them written since age.
written() {
	for f; do
		if [ "$(stat -c %Y "$sfs/$f")" = $OLD ]; then
			echo "$f was not written" >>"$tmp/err"
			return 1
		fi
	done
}

# steps: the steps the last check's output has a change line for, in order
# (errors and notes start with "hashgate: ").
steps() {
	grep -v '^hashgate: ' "$tmp/last" | sed -n 's/^\([a-z_]*\): .*/\1/p' | tr '\n' ' '
}

# starts FILE TEXT: the fake FILE begins with TEXT (what apply wrote).
starts() {
	[ "$(head -c ${#2} "$sfs/$1")" = "$2" ] ||
		{ echo "$1 holds '$(head -c 40 "$sfs/$1")', not '$2'" >>"$tmp/err"; return 1; }
}

# conf LINE...: the config file, one argument a line.
conf() {
	printf '%s\n' "$@" >"$cfg"
}

# signed_size FILE: header + digests + path index + strings (uapi/hashgate.h).
signed_size() {
	od -An -tu4 -j16 -N12 "$1" | awk '{ print 32 + $1 * 32 + $2 * 16 + $3 }'
}

D1=0000000000000000000000000000000000000000000000000000000000000001
D2=0000000000000000000000000000000000000000000000000000000000000002
"$HG" keygen --rsa 2048 --subject "apply test" -o "$tmp/k" >/dev/null 2>&1
"$HG" keygen --rsa 2048 --subject "other key" -o "$tmp/k2" >/dev/null 2>&1
printf '# hashgate-serial: 10\n%s  /usr/bin/a\n%s  /usr/bin/b\n' $D1 $D2 >"$tmp/list.txt"
"$HG" sign -k "$tmp/k.key" -c "$tmp/k.crt" -o "$tmp/list.hgl" "$tmp/list.txt" >/dev/null
skid() {
	openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -n 1 |
		tr -d ' :' | tr A-F a-f
}
KID=$(skid "$tmp/k.crt")
DIGEST=$(head -c "$(signed_size "$tmp/list.hgl")" "$tmp/list.hgl" | sha256sum | cut -c1-64)
# More than the 512-byte blocks of 'ulimit -f 1', for the refused write below.
{ echo "# hashgate-serial: 20"
  for i in $(seq 10 49); do
	echo "00000000000000000000000000000000000000000000000000000000000000$i  /usr/bin/p$i"
  done; } >"$tmp/big.txt"

FULL="mode = enforce
lock = yes
keys_lock = yes
anon_exec = deny
trusted_fs = nfs4 9p
runtime_action = kill
scan_interval = 600
allowlist = $tmp/list.hgl
keys = $tmp/k.crt
on_list_failure = audit"

# settled: what the module shows once FULL is applied.
settled() {
	fresh
	set_sfs mode enforce lock 1 keys_lock 1 anon_exec deny trusted_fs "9p nfs4" \
		runtime_action kill scan_interval 600 \
		allowlist "10 2 sha256:$DIGEST hashgate lab: apply test: $KID" \
		keys "hashgate lab: apply test: $KID"
}

# --- strict parsing: every error with FILE:LINE, nothing applied ---
fresh; age
conf "mode = audit" "lock = no" "mdoe = enforce"
check "unknown key: FILE:LINE" 1 "^$cfg:3: unknown key 'mdoe'$" -- "$HG" apply
check "unknown key: the errors counted" 1 "^hashgate: apply: 1 error in '$cfg'$" -- "$HG" apply
check "unknown key: nothing applied" 1 "^hashgate: apply: nothing applied$" -- "$HG" apply
untouched; result $? "unknown key: no file written"
conf "mode = max"
check "bad value: FILE:LINE and the values it takes" 1 \
	"$cfg:1: invalid mode 'max' (expected off, audit or enforce)" -- "$HG" apply
conf "lock = yes" "anon_exec = deny" "lock = no"
check "duplicate key: FILE:LINE and the first line" 1 \
	"$cfg:3: duplicate key 'lock' (first set on line 1)" -- "$HG" apply
conf "mode = enforce" "lock = maybe" "keys_lock = 1" "mode audit" "= x"
check "every error reported, in order" 0 "" -- sh -c "'$HG' apply 2>&1 |
	grep '^$cfg:' | cut -d: -f2 | tr '\n' ' ' | grep -qx '2 3 4 5 '"
check "a line without '=' says what is expected" 1 "$cfg:4: expected 'key = value'" -- \
	"$HG" apply
check "4 errors counted" 1 "4 errors in '$cfg'" -- "$HG" apply
untouched; result $? "errors: no file written"
conf "allowlist = list.hgl"
check "relative paths are refused" 1 "$cfg:1: allowlist: 'list.hgl' is not an absolute path" -- \
	"$HG" apply
conf "keys = /a.crt b.crt"
check "each of several keys is checked" 1 "$cfg:1: keys: 'b.crt' is not an absolute" -- \
	"$HG" apply
conf "trusted_fs = nfs4 fuse"
check "trusted_fs names the type it cannot trust" 1 "$cfg:1: 'fuse' is not a file system type" -- \
	"$HG" apply
conf "mode ="
check "an empty value is an error" 1 "$cfg:1: 'mode' needs a value" -- "$HG" apply
conf "forward = ftp://siem:514"
check "forward: only udp://, tcp:// and tls://" 1 "$cfg:1: invalid forward target" -- "$HG" apply
conf "forward_tls_ca = ca.pem"
check "forward_tls_ca: an absolute path" 1 "$cfg:1: forward_tls_ca: 'ca.pem' is not an absolute path" -- \
	"$HG" apply
conf "forward = tcp://siem:99999"
check "forward: port out of range" 1 "$cfg:1: invalid forward target" -- "$HG" apply
conf "format = json"
check "format: ecs, cef, leef, syslog or text" 1 \
	"$cfg:1: invalid format 'json' (expected ecs, cef, leef, syslog or text)" -- "$HG" apply
conf "enterprise_number = 32473x"
check "enterprise_number: digits" 1 "$cfg:1: invalid enterprise_number" -- "$HG" apply
conf "enterprise_number = 12345678901"
check "enterprise_number: 10 digits a component at most" 1 "$cfg:1: invalid enterprise_number" -- \
	"$HG" apply
conf "enterprise_number = 1234567890.1234567890.12"
check "enterprise_number: fits an SD-ID (23 characters)" 1 "$cfg:1: invalid enterprise_number" -- \
	"$HG" apply
conf "on_list_failure = off"
check "on_list_failure: no value turns hashgate off" 1 \
	"$cfg:1: invalid on_list_failure 'off' (expected audit, keep or enforce)" -- "$HG" apply
conf "mode = audit" "runtime_action = stop"
check "runtime_action: report or kill, FILE:LINE" 1 \
	"$cfg:2: invalid runtime_action 'stop' (expected report or kill)" -- "$HG" apply
for v in 86401 -1 1h 0x10 ""; do
	conf "scan_interval = $v"
	check "scan_interval '$v': refused with FILE:LINE" 1 \
		"$cfg:1: .*scan_interval" -- "$HG" apply
done
conf "runtime_action = kill" "scan_interval = 86400" "runtime_action = report"
check "runtime_action set twice" 1 "$cfg:3: duplicate key 'runtime_action' (first set on line 1)" -- \
	"$HG" apply
untouched; result $? "runtime_action, scan_interval errors: no file written"
conf "# comment" "" "  mode = audit   # a comment after a blank" \
	"forward = tls://[2001:db8::1]:6514" "forward_tls_ca = /etc/ssl/certs/ca-certificates.crt" \
	"format = cef" "enterprise_number = 32473.1" \
	"trusted_fs = none" "on_list_failure = keep"
check "comments, blanks, forwarding keys: accepted" 0 "nothing changed" -- "$HG" apply
untouched; result $? "a config matching the module writes nothing"
mkdir -p "$tmp/a#b"
cp "$tmp/list.hgl" "$tmp/a#b/l.hgl"
conf "allowlist = $tmp/a#b/l.hgl"
check "a '#' inside a path is part of it" 0 "allowlist: would load signed allowlist serial 10" -- \
	"$HG" apply --dry-run
check "a missing config file is named" 1 "cannot open config '$tmp/none.conf'" -- \
	"$HG" apply --config "$tmp/none.conf"
conf "mode = audit"
chmod 646 "$cfg"
check "a config others may write is refused" 1 "writable by others" -- "$HG" apply
chmod 644 "$cfg"
conf "mode = max"
printf 'mode = audit\n' >"$tmp/other.conf"
check "--config wins over HASHGATE_CONFIG" 0 "nothing changed: hashgate already matches $tmp/other.conf" -- \
	"$HG" apply --config "$tmp/other.conf"
check "apply takes no arguments" 2 "Usage: hashgate apply" -- "$HG" apply extra

# --- apply from scratch ---
conf "$FULL"
fresh; age
check "dry run from a fresh module: exit 0" 0 "" -- "$HG" apply --dry-run
cp "$tmp/out" "$tmp/last"
[ "$(steps)" = "keys keys_lock allowlist anon_exec trusted_fs runtime_action scan_interval mode lock " ]
result $? "dry run says what it would do, step by step"
check "dry run: would set the mode" 0 "^mode: would set audit -> enforce$" -- "$HG" apply -n
untouched; result $? "dry run: no file written"
test ! -e "$tmp/state"; result $? "dry run: no serial recorded"

check "apply from a fresh module" 0 "^lock: locked hashgate until reboot$" -- "$HG" apply
cp "$tmp/out" "$tmp/last"
[ "$(steps)" = "keys keys_lock allowlist anon_exec trusted_fs runtime_action scan_interval mode lock " ]
result $? "one line per change, in step order"
cmp -s "$sfs/keys" "$tmp/k.der"; result $? "keys: the certificate as DER"
starts keys_lock 1; result $? "keys_lock: 1 written"
cmp -s "$sfs/allowlist" "$tmp/list.hgl"; result $? "allowlist: the blob, as it is"
starts anon_exec deny; result $? "anon_exec: deny written"
starts trusted_fs "nfs4 9p"; result $? "trusted_fs: the types written"
starts runtime_action kill; result $? "runtime_action: kill written"
starts scan_interval 600; result $? "scan_interval: 600 written"
starts mode enforce; result $? "mode: enforce written"
starts lock 1; result $? "lock: 1 written"
check "the serial is recorded as the rollback floor" 0 "^10$" -- cat "$tmp/state/serial"

# --- a second run changes nothing ---
settled; age
check "second apply: exit 0, says nothing changed" 0 \
	"^nothing changed: hashgate already matches $cfg$" -- "$HG" apply
cp "$tmp/out" "$tmp/last"
[ -z "$(steps)" ]; result $? "second apply: not a line of change"
untouched; result $? "second apply: no file written"
check "second dry run: nothing would change" 0 "^nothing would change" -- "$HG" apply -n
set_sfs allowlist "10 2"; age
check "a module that shows no digest: same serial and count, not loaded again" 0 \
	"nothing changed" -- "$HG" apply
untouched allowlist; result $? "no digest shown: allowlist not written"
set_sfs allowlist "10 2 sha256:$D1 -"; age
check "another content digest under the same serial: loaded" 0 \
	"^allowlist: loaded signed allowlist serial 10" -- "$HG" apply
set_sfs allowlist "9 2"; age
check "another serial: loaded" 0 "^allowlist: loaded signed" -- "$HG" apply
set_sfs allowlist "10 3"; age
check "another count: loaded" 0 "^allowlist: loaded signed" -- "$HG" apply
untouched keys keys_lock mode lock anon_exec trusted_fs runtime_action scan_interval
result $? "only the list was written"

# A text list without a serial line: its modification time is the serial.
grep -v '^#' "$tmp/list.txt" >"$tmp/noserial.txt"
touch -d @1700000000 "$tmp/noserial.txt"
conf "allowlist = $tmp/noserial.txt"
fresh; age
check "text list without a serial: the file's mtime is its serial" 0 \
	"^allowlist: loaded allowlist serial 1700000000: 2 digests, 2 paths ($tmp/noserial.txt)$" -- \
	"$HG" apply
set_sfs allowlist "1700000000 2"; age
check "the same text list again: nothing changed" 0 "nothing changed" -- "$HG" apply
touch -d @1700000100 "$tmp/noserial.txt"
check "the text list rewritten: loaded with the higher serial" 0 \
	"^allowlist: loaded allowlist serial 1700000100" -- "$HG" apply

# hashgate load with the list in the initramfs: the initramfs is stale now.
conf "initramfs = yes"
fresh
check "load with initramfs = yes says to refresh the initramfs" 0 \
	"run 'update-initramfs -u'" -- "$HG" load "$tmp/list.txt"
conf "initramfs = no"
fresh
"$HG" load "$tmp/list.txt" >"$tmp/out" 2>&1
[ $? -eq 0 ] && ! grep -q update-initramfs "$tmp/out"
result $? "load with initramfs = no says nothing of it"

# Lowering an unlocked setting is done, not refused.
conf "anon_exec = audit" "trusted_fs = none" "mode = audit"
settled; set_sfs lock 0; age
check "unlocked: lowering is applied" 0 "^mode: set enforce -> audit$" -- "$HG" apply
starts anon_exec audit; result $? "unlocked: anon_exec lowered"
[ "$(head -c 1 "$sfs/trusted_fs" | od -An -c | tr -d ' ')" = '\n' ]
result $? "trusted_fs = none: written as a newline (an empty write trusts none)"
conf "runtime_action = report" "scan_interval = 0"
settled; set_sfs lock 0; age
check "unlocked: runtime_action lowered" 0 "^runtime_action: set kill -> report$" -- "$HG" apply
starts runtime_action report; result $? "unlocked: report written"
starts scan_interval 0 && written scan_interval; result $? "unlocked: scan_interval 0 written"
grep -q "^scan_interval: set 600 s -> off$" "$tmp/out"; result $? "unlocked: scan_interval 600 s -> off"

# --- keys already trusted are skipped ---
conf "$FULL"
settled; set_sfs keys_lock 0 keys "hashgate lab: other key: 0011
hashgate lab: apply test: $(echo "$KID" | tr a-f A-F) (embedded)"; age
check "a trusted key (embedded, upper case) is not added again" 0 "^keys_lock: locked" -- \
	"$HG" apply
cp "$tmp/out" "$tmp/last"
[ "$(steps)" = "keys_lock " ]; result $? "and no keys line"
untouched keys; result $? "keys not written"
conf "keys = $tmp/k.crt $tmp/k2.crt"
settled; set_sfs keys_lock 0; age
check "of two keys, only the missing one is added" 0 "^keys: added key .*other key ($tmp/k2.crt)$" -- \
	"$HG" apply
cp "$tmp/out" "$tmp/last"
[ "$(grep -c '^keys:' "$tmp/last")" = 1 ]; result $? "one key added, not two"
cmp -s "$sfs/keys" "$tmp/k2.der"; result $? "the missing key's certificate written"
settled; age
check "keys add of a trusted key: exit 0, says so" 0 "already trusted" -- "$HG" keys add "$tmp/k.crt"
untouched keys; result $? "keys add of a trusted key writes nothing"
set_sfs keys "hashgate lab: apply test: 0011"; age
check "keys add of a new key still writes it" 0 "added key" -- "$HG" keys add "$tmp/k.crt"
cmp -s "$sfs/keys" "$tmp/k.der"; result $? "keys add wrote the certificate"

# --- locked settings: an error, never a silent no-op ---
conf "$FULL"
settled; set_sfs mode audit; age
check "raising the mode while locked is allowed" 0 "^mode: set audit -> enforce$" -- "$HG" apply
conf "mode = audit"
settled; age
check "lowering a locked mode: exit 4, clearly" 4 \
	"mode: cannot lower the mode from enforce to audit: hashgate is locked until reboot" -- \
	"$HG" apply
untouched; result $? "locked mode: nothing written"
conf "anon_exec = allow"
check "lowering a locked anon_exec: exit 4" 4 \
	"anon_exec: cannot lower anon_exec from deny to allow: hashgate is locked" -- "$HG" apply
conf "trusted_fs = nfs4 9p cifs"
check "trusting more while locked: exit 4" 4 \
	"trusted_fs: cannot trust more file systems (nfs4 9p -> nfs4 cifs 9p)" -- "$HG" apply
untouched; result $? "locked anon_exec, trusted_fs: nothing written"
conf "trusted_fs = 9p"
check "trusting fewer while locked is allowed" 0 "^trusted_fs: set nfs4 9p -> 9p$" -- "$HG" apply
written trusted_fs; result $? "trusted_fs: fewer types written"
conf "runtime_action = report"
settled; age
check "lowering a locked runtime_action: exit 4" 4 \
	"runtime_action: cannot lower runtime_action from kill to report: hashgate is locked" -- \
	"$HG" apply
conf "scan_interval = 0"
check "stopping periodic scans while locked: exit 4" 4 \
	"scan_interval: cannot scan less often (scan_interval 600 s -> off): hashgate is locked" -- \
	"$HG" apply
conf "scan_interval = 3600"
check "scanning less often while locked: exit 4" 4 \
	"cannot scan less often (scan_interval 600 s -> 3600 s)" -- "$HG" apply
untouched; result $? "locked runtime_action, scan_interval: nothing written"
conf "scan_interval = 60"
check "scanning more often while locked is allowed" 0 "^scan_interval: set 600 s -> 60 s$" -- \
	"$HG" apply
starts scan_interval 60; result $? "scan_interval: 60 written"
conf "runtime_action = kill" "scan_interval = 300"
settled; set_sfs runtime_action report scan_interval 0; age
check "raising runtime_action while locked is allowed" 0 "^runtime_action: set report -> kill$" -- \
	"$HG" apply
grep -q "^scan_interval: set off -> 300 s$" "$tmp/out"
result $? "starting periodic scans while locked is allowed"
starts runtime_action kill && starts scan_interval 300; result $? "kill and 300 written"
set_sfs scan_interval 60x; age
check "scan_interval not a number: unexpected content" 1 "unexpected content in '$sfs/scan_interval': 60x" -- \
	"$HG" apply
rm "$sfs/runtime_action" "$sfs/scan_interval"
check "a module without the scan's files: exit 3, says so" 3 \
	"runtime_action: no file '$sfs/runtime_action': the loaded module has no scan of resident code" -- \
	"$HG" apply
grep -q "scan_interval: no file '$sfs/scan_interval'" "$tmp/out"
result $? "and for scan_interval too"
conf "lock = no"
settled; age
check "lock = no on a locked module: exit 4, no unlock" 4 \
	"lock: lock = no, but hashgate is locked until reboot: there is no unlock" -- "$HG" apply
conf "keys_lock = no"
check "keys_lock = no on a locked keyring: exit 4" 4 \
	"keys_lock: keys_lock = no, but the keyring is locked until reboot" -- "$HG" apply
conf "keys = $tmp/k2.crt"
check "a new key on a locked keyring: exit 4" 4 \
	"keys: cannot add the key of '$tmp/k2.crt': keys are locked until reboot" -- "$HG" apply
untouched; result $? "locks: nothing written"
conf "mode = audit" "anon_exec = allow" "lock = yes"
check "a failed step does not stop the others" 4 "anon_exec: cannot lower" -- "$HG" apply
check "both failures counted" 4 "2 errors; the module is not in the state" -- "$HG" apply

# --- the list fails: on_list_failure ---
conf "mode = enforce" "anon_exec = deny" "allowlist = $tmp/missing.hgl" "lock = yes"
fresh; age
check "missing list: exit 1, names step and file" 1 \
	"allowlist: cannot read '$tmp/missing.hgl': No such file or directory" -- "$HG" apply
untouched mode allowlist; result $? "missing list, audit: mode stays audit, no list written"
starts anon_exec deny && starts lock 1; result $? "missing list: the other settings still applied"
fresh; age
check "missing list, audit: says the mode and the list" 1 \
	"mode: on_list_failure = audit: the mode is audit, with no list (none is active): every program is reported as would-deny (no-allowlist) until a list is loaded" -- \
	"$HG" apply
printf '%s  /usr/bin/a\nnonsense\n' $D1 >"$tmp/bad.txt"
conf "mode = enforce" "allowlist = $tmp/bad.txt"
fresh; age
check "malformed text list: FILE:LINE, exit 1" 1 "^$tmp/bad.txt:2:" -- "$HG" apply
untouched; result $? "malformed list: nothing written"

# The kernel refusing the list: a file size limit makes the write fail.
refused() {
	(trap '' XFSZ; ulimit -f 1; exec "$HG" apply "$@")
}
conf "mode = enforce" "allowlist = $tmp/big.txt" "on_list_failure = audit"
fresh; set_sfs mode enforce allowlist "5 3"; age
check "refused list: exit 1, the step, the file, the reason" 1 \
	"allowlist: the kernel refused '$tmp/big.txt' (serial 20)" -- refused
starts mode audit; result $? "refused list, audit: enforce lowered to audit"
fresh; set_sfs mode enforce allowlist "5 3"; age
check "refused list, audit: audit with the previous list" 1 \
	"on_list_failure = audit: the mode is audit, with the previous list (serial 5)" -- refused
test ! -e "$tmp/state/serial" || [ "$(cat "$tmp/state/serial")" != 20 ]
result $? "refused list: its serial is not recorded"
fresh; set_sfs mode enforce lock 1 allowlist "5 3"; age
check "refused list, audit, locked enforce: a second error" 1 \
	"cannot lower the mode from enforce to audit: hashgate is locked" -- refused
untouched mode; result $? "locked enforce: mode not written"
conf "mode = enforce" "allowlist = $tmp/big.txt" "on_list_failure = keep"
fresh; set_sfs mode enforce allowlist "5 3"; age
check "refused list, keep: the mode stays enforce" 1 \
	"on_list_failure = keep: the mode is enforce, with the previous list (serial 5)" -- refused
untouched mode; result $? "keep: mode not written"
fresh; set_sfs allowlist "5 3"; age
check "refused list, keep: audit is not raised either" 1 "the mode is audit" -- refused
untouched mode; result $? "keep: audit mode not written"
conf "mode = enforce" "allowlist = $tmp/big.txt" "on_list_failure = enforce"
fresh; set_sfs allowlist "5 3"; age
check "refused list, enforce: the configured mode anyway" 1 \
	"on_list_failure = enforce: the mode is enforce, with the previous list (serial 5): whatever it does not list is denied" -- \
	refused
starts mode enforce; result $? "enforce: mode written"

"$HG" load -o "$tmp/unsigned.hgl" "$tmp/list.txt" >/dev/null
conf "allowlist = $tmp/unsigned.hgl"
fresh; echo Y >"$sysmod/parameters/require_signature"; age
check "dry run foresees an unsigned list refused when signatures are required" 1 \
	"allowlist: the module requires signed allowlists, and this one is unsigned: '$tmp/unsigned.hgl'" -- \
	"$HG" apply --dry-run
echo N >"$sysmod/parameters/require_signature"
check "and not when they are not" 0 "would load allowlist serial 10" -- "$HG" apply --dry-run

# --- the module step ---
conf "$FULL" "require_signature = yes"
fresh; age
check "loaded without require_signature: exit 1, how to fix" 1 \
	"module: require_signature = yes, but the running module was loaded without it; it is set at load time only" -- \
	"$HG" apply --dry-run
conf "require_signature = no"
echo Y >"$sysmod/parameters/require_signature"
check "a module stricter than the config: a note, exit 0" 0 "note: require_signature is on" -- \
	"$HG" apply
echo 12 >"$tmp/st-serial"
mkdir -p "$tmp/st" && mv "$tmp/st-serial" "$tmp/st/serial"
conf "$FULL" "require_signature = yes" "require_scripts = no"
check "no module, dry run: would load it with the config's parameters and the floor" 0 \
	'^module: would load hashgate with require_signature=1 require_scripts=0 anon_exec=deny trusted_fs="nfs4 9p" runtime_action=kill scan_interval=600 min_serial=12$' -- \
	env HASHGATE_SECURITYFS="$tmp/absent" HASHGATE_SYSFS_MODULE="$tmp/absent" \
	HASHGATE_STATE_DIR="$tmp/st" "$HG" apply --dry-run
cp "$tmp/out" "$tmp/last"
[ "$(steps)" = "module keys keys_lock allowlist mode lock " ]
result $? "no module, dry run: then every step from a new module's state"
if [ "$(id -u)" -eq 0 ] && ! modinfo hashgate >/dev/null 2>&1; then
	check "no module to load: exit 3 at the module step, nothing else" 3 \
		"^hashgate: apply: module: module 'hashgate' not found" -- \
		env HASHGATE_SECURITYFS="$tmp/absent" HASHGATE_SYSFS_MODULE="$tmp/absent" \
		HASHGATE_STATE_DIR="$tmp/st" "$HG" apply
	cp "$tmp/out" "$tmp/last"
	[ -z "$(steps)" ] && ! grep -q \
		'^hashgate: apply: \(keys\|keys_lock\|allowlist\|anon_exec\|trusted_fs\|runtime_action\|scan_interval\|mode\|lock\):' \
		"$tmp/last"
	result $? "no step after a failed module load"
fi

# --- module load when the module is there ---
if [ "$(id -u)" -eq 0 ]; then
	fresh
	echo Y >"$sysmod/parameters/require_signature"
	echo "nfs4 9p" >"$sysmod/parameters/trusted_fs"
	check "module load, already loaded with those parameters: exit 0" 0 \
		"already loaded with these parameters" -- "$HG" module load \
		require_signature=1 anon_exec=audit "trusted_fs=9p nfs4" --param min_serial=0
	check "module load, already loaded: exit 0 with a note" 0 \
		"hashgate module is already loaded" -- "$HG" module load
	check "module load, already loaded with another value: exit 1" 1 \
		"already loaded, with anon_exec=audit: not 'anon_exec=deny'" -- \
		"$HG" module load anon_exec=deny require_scripts
	check "module load names every differing parameter" 1 \
		"with require_scripts=N: not 'require_scripts'" -- \
		"$HG" module load anon_exec=deny require_scripts
	check "module load of an unknown parameter when loaded: exit 1" 1 \
		"with frob=(no such parameter)" -- "$HG" module load frob=1
	check "module load: quotes are a usage error" 2 "invalid parameter" -- \
		"$HG" module load 'trusted_fs="nfs4"'
	check "module load: two files are a usage error" 2 "more than one FILE.ko" -- \
		"$HG" module load a.ko ./b.ko
fi

# --- status shows what the config sets ---
settled
echo Y >"$sysmod/parameters/require_signature"
echo 7 >"$sysmod/parameters/min_serial"
check "status --json: what the config sets" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; d=json.load(sys.stdin)
assert d[\"anon_exec\"] == \"deny\" and d[\"trusted_fs\"] == [\"9p\", \"nfs4\"], d
assert d[\"require_signature\"] is True and d[\"require_scripts\"] is False, d
assert d[\"keys_locked\"] is True and d[\"locked\"] is True and d[\"min_serial\"] == 7, d
assert d[\"keys\"] == [\"hashgate lab: apply test: $KID\"], d
a = d[\"allowlist\"]
assert (a[\"serial\"], a[\"count\"], a[\"sha256\"], a[\"signed\"]) == (10, 2, \"$DIGEST\", True), a
assert a[\"signer\"] == \"hashgate lab: apply test: $KID\", a'"
set_sfs allowlist "10 2"
check "status --json: null digest and signer where the module does not show them" 0 "" -- \
	sh -c "'$HG' status --json | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"allowlist\"]
assert (a[\"sha256\"], a[\"signed\"], a[\"signer\"]) == (None, None, None), a'"
set_sfs allowlist "11 2 sha256:$DIGEST -"
check "status --json: an unsigned list" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; a=json.load(sys.stdin)[\"allowlist\"]
assert a[\"signed\"] is False and a[\"signer\"] is None, a'"
check "status: no list, as the module shows it" 0 "^allowlist: none loaded$" -- \
	sh -c "echo '0 0 - -' >'$sfs/allowlist'; '$HG' status"
set_sfs allowlist "10 2 sha256:$DIGEST hashgate lab: apply test: $KID"
check "status text: anon_exec" 0 "^anon_exec: deny$" -- "$HG" status
check "status text: trusted_fs" 0 "^trusted_fs: 9p nfs4$" -- "$HG" status
check "status text: require_signature" 0 "^require_signature: yes$" -- "$HG" status
check "status text: keys and their lock" 0 "^keys: 1 trusted, locked until reboot$" -- "$HG" status
check "status text: the signer" 0 "^  signed by hashgate lab: apply test" -- "$HG" status
rm "$sfs/anon_exec"
check "status --json: an unreadable file is null" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; assert json.load(sys.stdin)[\"anon_exec\"] is None'"

# --- the outcome stays visible; config get and check ---
conf "mode = enforce" "allowlist = $tmp/missing.hgl"
fresh; "$HG" apply >/dev/null 2>&1
check "status: the last apply failed, and where" 0 \
	"^last apply: FAILED at .*: 1 error, the first in step allowlist ($cfg)" -- "$HG" status
check "status --json: last_apply" 0 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; l=json.load(sys.stdin)[\"last_apply\"]
assert l[\"ok\"] is False and l[\"failed_step\"] == \"allowlist\" and l[\"errors\"] == 1, l'"
conf "mode = audit"
"$HG" apply >/dev/null 2>&1
check "status: the last apply succeeded" 0 "^last apply: ok at .*, 0 changes ($cfg)$" -- "$HG" status
conf "mode = nope"
"$HG" apply >/dev/null 2>&1
check "a config with errors is a failed apply too" 0 "first in step config" -- "$HG" status
# A boot whose apply could not load the module: status still says so.
mv "$sfs" "$sfs.away"
check "status without the module: exit 3, and the failed apply" 3 \
	"^last apply: FAILED at .*first in step config" -- "$HG" status
check "status --json without the module: loaded false, and the failed apply" 3 "" -- sh -c "'$HG' status --json |
	python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s[\"loaded\"] is False and s[\"last_apply\"][\"failed_step\"] == \"config\", s'; exit 3"
mv "$sfs.away" "$sfs"
rm -rf "$tmp/run"
"$HG" apply --dry-run >/dev/null 2>&1
test ! -e "$tmp/run"; result $? "a dry run records nothing"
conf "keys = /a.crt /b.crt" "initramfs = yes" "trusted_fs = 9p nfs4" "anon_exec = deny"
check "config get: keys, one a line" 0 "" -- sh -c "'$HG' config get keys >'$tmp/keys' &&
	printf '/a.crt\n/b.crt\n' | cmp - '$tmp/keys'"
check "config get: initramfs" 0 "^yes$" -- "$HG" config get initramfs
check "config get: trusted_fs in the module's order" 0 "^nfs4 9p$" -- "$HG" config get trusted_fs
check "config get: a default" 0 "^audit$" -- "$HG" config get on_list_failure
conf "runtime_action = kill" "scan_interval = 0"
check "config get: runtime_action" 0 "^kill$" -- "$HG" config get runtime_action
check "config get: scan_interval 0" 0 "^0$" -- "$HG" config get scan_interval
conf "keys = /a.crt /b.crt" "initramfs = yes" "trusted_fs = 9p nfs4" "anon_exec = deny"
check "config get: a key not set prints nothing" 0 "" -- sh -c "[ -z \"\$('$HG' config get mode)\" ]"
check "config get: an unknown key is a usage error" 2 "unknown key 'mdoe'" -- "$HG" config get mdoe
check "config check: a good file" 0 "" -- "$HG" config check
check "config --config FILE check: errors with FILE:LINE" 1 "^$tmp/bad.conf:1: unknown key" -- \
	sh -c "echo 'frob = 1' >'$tmp/bad.conf'; '$HG' config --config '$tmp/bad.conf' check"
check "config get of an invalid file: exit 1" 1 "unknown key" -- \
	"$HG" config --config "$tmp/bad.conf" get keys

# --- the shipped files ---
top=$(cd "$(dirname "$0")/../.." && pwd)
check "the shipped hashgate.conf parses" 1 "" -- sh -c \
	"'$HG' apply --dry-run --config '$top/userspace/etc/hashgate.conf' 2>&1 | grep 'hashgate.conf:[0-9]'"
check "it ships mode = audit and on_list_failure = audit" 0 "" -- sh -c \
	"grep -qx 'mode = audit' '$top/userspace/etc/hashgate.conf' &&
	 grep -qx 'on_list_failure = audit' '$top/userspace/etc/hashgate.conf'"
check "modprobe.d: the install line goes through the tool" 0 "" -- grep -qx \
	'install hashgate /usr/sbin/hashgate module load \$CMDLINE_OPTS' "$top/userspace/etc/modprobe.d/hashgate.conf"

echo "1..$n"
exit $fail
