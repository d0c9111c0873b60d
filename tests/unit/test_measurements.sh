#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hashgate measurements against lists made by mkmeasure.py from the
# specification (with hashlib, not the tool's parser) and fake TPM sysfs
# trees whose PCRs that script replayed itself: the ASCII and JSON forms,
# escapes included; --verify-pcr matching, and failing on a forged list
# (exit 6), on a TPM one entry behind (6), without a TPM or its banks (7);
# damaged, truncated and malformed lists refused with the file, the offset
# and the fault (exit 1); --against with a list lacking one digest (exit 5,
# that file alone), text and blob; the module's own file through a fake
# securityfs (HASHGATE_SECURITYFS): 3 without it, 4 for nobody; usage
# errors (2). TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_measurements.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init measurements
here=$(cd "$(dirname "$0")" && pwd)
fx=$tmp/fx
python3 "$here/mkmeasure.py" "$fx"
result $? "fixtures made"
M="$HG measurements"

# --- the list as text and as JSON ---
check "a good list: exit 0" 0 "" -- $M --file "$fx/good.bin"
$M --file "$fx/good.bin" >"$tmp/ascii" 2>"$tmp/err"
cmp "$tmp/ascii" "$fx/good.ascii" >>"$tmp/err" 2>&1
result $? "the ASCII list, byte for byte, escapes as \\ooo"
$M -f - <"$fx/good.bin" >"$tmp/ascii2" 2>"$tmp/err" && cmp -s "$tmp/ascii" "$tmp/ascii2"
result $? "-f - reads stdin"
$M --file "$fx/good.bin" --json >"$tmp/json" 2>"$tmp/err"
python3 - "$tmp/json" "$fx/good.json" >>"$tmp/err" 2>&1 <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), (len(got), len(want))
for g, w in zip(got, want):
    path = g.pop("path", None)
    assert g == w, (g, w)
    if w["kind"] == "file":
        assert path == w["name"], (path, w)
    elif w["kind"] == "would-deny":
        assert path == w["name"][len("hashgate:would-deny:"):], (path, w)
    else:
        assert path is None, g
assert [g["kind"] for g in got] == ["hashgate", "file", "file", "hashgate", "file",
                                    "would-deny", "hashgate", "file"], got
PY
result $? "--json: one object an entry, pcr, digests, name, kind"
check "an empty list: nothing, exit 0" 0 "" -- $M --file /dev/null

# --- --verify-pcr ---
check "verify-pcr, a good list: exit 0" 0 "^sha256 PCR 23: match (7 entries)$" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$fx/tpm"
$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$fx/tpm" >"$tmp/out" 2>&1
[ "$(grep -c ': match (' "$tmp/out")" -eq 6 ] && ! grep -q sha512 "$tmp/out"
result $? "every bank present (sha1, sha256, sha384) and PCR (10, 23) matches"
check "verify-pcr, a sha384 bank extended with the SHA-1 padded: exit 0" 0 \
	"^sha384 PCR 23: match, SHA-1 padded (7 entries)$" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$fx/tpm-padded"
check "verify-pcr --json" 0 "" -- sh -c "'$HG' measurements -f '$fx/good.bin' --verify-pcr \
	--tpm-dir '$fx/tpm' --json | python3 -c 'import json, sys
r = [json.loads(l) for l in sys.stdin]
assert [(x[\"bank\"], x[\"pcr\"], x[\"entries\"], x[\"match\"]) for x in r] == [
	(b, p, n, True) for b in (\"sha1\", \"sha256\", \"sha384\") for p, n in ((10, 1), (23, 7))], r
assert all(x[\"expected\"] == x[\"tpm\"] for x in r), r
'"
check "a forged list (one byte, template digest made to fit): exit 6" 6 \
	"^sha256 PCR 23: MISMATCH expected [0-9a-f]\{64\} tpm [0-9a-f]\{64\}$" -- \
	$M --file "$fx/forged.bin" --verify-pcr --tpm-dir "$fx/tpm"
check "... the PCR it does not touch still matches" 6 "^sha1 PCR 10: match" -- \
	$M --file "$fx/forged.bin" --verify-pcr --tpm-dir "$fx/tpm"
check "a TPM one entry behind the list: exit 6" 6 "^sha384 PCR 23: MISMATCH" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$fx/tpm-stale"
check "no TPM: exit 7" 7 "cannot verify against '$fx/none': no TPM" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$fx/none"
check "no TPM, and the list says tpm=none" 7 "made without a TPM" -- \
	$M --file "$fx/notpm.bin" --verify-pcr --tpm-dir "$fx/none"
check "a TPM without pcr-* banks: exit 7" 7 "no PCR banks exported" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$fx/tpm-nobanks"
check "a TPM, but the list says tpm=none: a note, exit 6" 6 "made without a TPM" -- \
	$M --file "$fx/notpm.bin" --verify-pcr --tpm-dir "$fx/tpm"
cp -r "$fx/tpm" "$tmp/tpm-bad"
echo 1234 >"$tmp/tpm-bad/pcr-sha256/23"
check "a PCR file that is not a PCR: exit 1" 1 "unexpected PCR value in '$tmp/tpm-bad/pcr-sha256/23'" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$tmp/tpm-bad"
rm "$tmp/tpm-bad/pcr-sha256/10"
check "a PCR file missing: exit 1" 1 "cannot read PCR '$tmp/tpm-bad/pcr-sha256/10'" -- \
	$M --file "$fx/good.bin" --verify-pcr --tpm-dir "$tmp/tpm-bad"
check "an empty list has nothing to replay" 0 "nothing to replay" -- \
	$M --file /dev/null --verify-pcr --tpm-dir "$fx/tpm"

# --- damaged and malformed lists ---
off=$(sed -n 1p "$fx/bad-flipped.want")
check "one byte changed: refused, exit 1" 1 \
	"malformed measurement list '$fx/flipped.bin' at offset $off: entry 2: template digest is not the SHA-1" -- \
	$M --file "$fx/flipped.bin"
check "... and not verified either" 1 "template digest is not" -- \
	$M --file "$fx/flipped.bin" --verify-pcr --tpm-dir "$fx/tpm"
for f in "$fx"/bad-*.bin; do
	off=$(sed -n 1p "${f%.bin}.want")
	msg=$(sed -n 2p "${f%.bin}.want")
	$M --file "$f" >"$tmp/out" 2>&1
	rc=$?
	{ [ "$rc" -eq 1 ] &&
	  grep -qF "malformed measurement list '$f' at offset $off: " "$tmp/out" &&
	  grep -qF -- "$msg" "$tmp/out"; } ||
		{ echo "rc=$rc, want 1, offset $off, '$msg':"; cat "$tmp/out"; } >"$tmp/err"
	[ ! -s "$tmp/err" ]; result $? "refused: $(basename "$f" .bin) (offset $off)"
done
check "a missing file: exit 1" 1 "cannot read '$tmp/nope': No such file or directory" -- \
	$M --file "$tmp/nope"

# --- --against ---
check "against a list with every digest: exit 0" 0 "" -- \
	$M --file "$fx/good.bin" --against "$fx/allow-all.txt"
$M --file "$fx/good.bin" --against "$fx/allow-all.txt" >"$tmp/out" 2>/dev/null
[ ! -s "$tmp/out" ]; result $? "... and nothing printed"
check "against a list lacking one digest: exit 5" 5 \
	"^file /usr/lib/x86_64-linux-gnu/libc.so.6 sha256:fe7f1034d4a63dde9192739732fb553a720788f422c5723ec7ca1c683280837e$" -- \
	$M --file "$fx/good.bin" --against "$fx/allow-short.txt"
$M --file "$fx/good.bin" --against "$fx/allow-short.txt" >"$tmp/out" 2>"$tmp/err2"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q "^1 of 5 measured files not in" "$tmp/err2"
result $? "... that one alone, and a count on stderr"
"$HG" load -o "$tmp/short.hgl" --serial 3 "$fx/allow-short.txt" >/dev/null 2>"$tmp/err"
result $? "the short list compiled to a blob"
check "against the blob: the same finding" 5 "^file /usr/lib/x86_64-linux-gnu/libc.so.6 " -- \
	$M --file "$fx/good.bin" --against "$tmp/short.hgl"
check "against --json" 5 '^{"kind":"file","path":"/usr/lib/x86_64-linux-gnu/libc.so.6","digest":"sha256:fe7f' -- \
	$M --file "$fx/good.bin" --against "$fx/allow-short.txt" --json
grep -v /tmp/evil "$fx/allow-all.txt" >"$tmp/no-evil.txt"
check "a would-deny entry is checked too" 5 "^would-deny /tmp/evil sha256:" -- \
	$M --file "$fx/good.bin" --against "$tmp/no-evil.txt"
check "against a missing list: exit 1" 1 "cannot read '$tmp/nope'" -- \
	$M --file "$fx/good.bin" --against "$tmp/nope"

# --- the module's file ---
sfs=$tmp/sfs
mkdir "$sfs"
chmod 755 "$tmp"
export HASHGATE_SECURITYFS="$sfs"
check "no binary_measurements (older module): exit 3" 3 "no 'binary_measurements' file" -- $M
cp "$fx/good.bin" "$sfs/binary_measurements"
chmod 400 "$sfs/binary_measurements"
$M >"$tmp/live" 2>"$tmp/err" && cmp "$tmp/live" "$fx/good.ascii" >>"$tmp/err" 2>&1
result $? "the module's list, by default"
check "the module's list, verified" 0 "sha1 PCR 23: match" -- \
	$M --verify-pcr --tpm-dir "$fx/tpm"
check "the module's list, forged: still a mismatch after the retries" 6 "MISMATCH" -- \
	sh -c "cp '$fx/forged.bin' '$sfs/binary_measurements' && $M --verify-pcr --tpm-dir '$fx/tpm'"
check "the module's list as nobody: exit 4, naming root" 4 \
	"cannot read '$sfs/binary_measurements': permission denied: the list is root's alone" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups $M
HASHGATE_SECURITYFS=$tmp/none
check "no module: exit 3" 3 "hashgate module is not loaded" -- $M
unset HASHGATE_SECURITYFS

# --- usage ---
check "an unknown option: exit 2" 2 "unrecognized option '--bogus'" -- $M --bogus
check "an argument: exit 2" 2 "unexpected argument 'x'" -- $M x
check "--tpm-dir without --verify-pcr: exit 2" 2 "is for --verify-pcr" -- \
	$M --file "$fx/good.bin" --tpm-dir "$fx/tpm"
check "--verify-pcr with --against: exit 2" 2 "do not go together" -- \
	$M --file "$fx/good.bin" --verify-pcr --against "$fx/allow-all.txt"
check "--file without its argument: exit 2" 2 "requires an argument" -- $M --file
check "--help: exit 0" 0 "^Usage: hashgate measurements" -- $M --help
check "listed in hashgate help" 0 "^  measurements " -- "$HG" help

echo "1..$n"
exit $fail
