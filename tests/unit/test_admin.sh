#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The review workflow on the host: build --exclude/--cache/--progress, diff,
# verify, and check/status without the module. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_admin.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init admin
D0=0000000000000000000000000000000000000000000000000000000000000000


t=$tmp/tree
mkdir -p "$t/bin" "$t/cache.d" "$t/lib"
cp /bin/true "$t/bin/true"
cp /bin/true "$t/bin/odd
name"
cp /bin/true "$t/cache.d/skipped"
cp /bin/true "$t/lib/x.pyc"
printf '#!/bin/sh\n' >"$t/bin/script"
chmod 755 "$t/bin/script"

check "build --exclude skips a directory and a glob" 0 "" -- sh -c \
	"'$HG' build -x '*/cache.d' --exclude '*.pyc' '$t' >'$tmp/l1' &&
	 [ \$(grep -c . '$tmp/l1') -eq 3 ] && ! grep -q 'skipped\|pyc' '$tmp/l1'"
check "build without --exclude takes them" 0 "" -- sh -c \
	"[ \$('$HG' build '$t' | grep -c .) -eq 5 ]"

check "build --cache writes the cache" 0 "" -- sh -c \
	"'$HG' build --cache '$tmp/cache' '$t' >'$tmp/c1' && cmp '$tmp/c1' \
	 \$(cd / && printf %s '$tmp/c1') && [ \$(grep -c . '$tmp/cache') -eq 6 ]"
# Prove reuse: the cached digest of an unchanged file is taken as is.
sed "s|^[0-9a-f]\{64\} \(.* $t/bin/true\)$|$D0 \1|" "$tmp/cache" >"$tmp/cache.fake"
check "build --cache reuses digests of unchanged files" 0 "^$D0  $t/bin/true$" -- \
	"$HG" build --cache "$tmp/cache.fake" "$t"
touch "$t/bin/true"
check "build --cache rehashes a touched file" 0 "" -- sh -c \
	"'$HG' build --cache '$tmp/cache.fake' '$t' | cmp - '$tmp/c1'"
echo garbage >"$tmp/cache.bad"
check "a malformed cache is ignored, with a warning" 0 "ignoring malformed cache" -- \
	"$HG" build --cache "$tmp/cache.bad" "$t"
check "build --progress draws a progress line" 0 "hashing: 5/5 files" -- \
	"$HG" build --progress "$t"
check "no progress line when stderr is not a terminal" 0 "" -- sh -c \
	"'$HG' build '$t' 2>'$tmp/err' >/dev/null && [ ! -s '$tmp/err' ]"

# diff
cp "$tmp/c1" "$tmp/old"
{ echo "# hashgate-serial: 8"; grep -v "$t/bin/script" "$tmp/c1" |
	sed "s|^[0-9a-f]*\(  $t/bin/true\)$|$D0\1|"
  echo "$D0  $t/bin/added"; } >"$tmp/new"
check "diff of a list with itself exits 0, prints nothing" 0 "" -- sh -c \
	"'$HG' diff '$tmp/old' '$tmp/old' >'$tmp/d' && [ ! -s '$tmp/d' ]"
check "diff: added" 1 "^+ $t/bin/added sha256:$D0$" -- "$HG" diff "$tmp/old" "$tmp/new"
check "diff: removed" 1 "^- $t/bin/script sha256:" -- "$HG" diff "$tmp/old" "$tmp/new"
check "diff: changed" 1 "^~ $t/bin/true sha256:[0-9a-f]\{64\} -> sha256:$D0$" -- \
	"$HG" diff "$tmp/old" "$tmp/new"
check "diff: a path with a newline is quoted" 1 "odd\\\\x0aname" -- \
	"$HG" diff "$tmp/new" /dev/null
check "diff: summary on stderr" 1 "^1 added, 1 removed, 1 changed$" -- \
	"$HG" diff "$tmp/old" "$tmp/new"
check "diff --json parses" 0 "" -- sh -c "'$HG' diff --json '$tmp/old' '$tmp/new' |
	python3 -c 'import json,sys; d=json.load(sys.stdin)
assert [len(d[k]) for k in (\"added\",\"removed\",\"changed\")] == [1,1,1], d
assert d[\"new_serial\"] == 8 and d[\"old_serial\"] is None
assert d[\"changed\"][0][\"new_sha256\"] == \"$D0\"'"
check "diff of a broken list exits 1 with FILE:LINE" 1 "$tmp/bad:1:" -- sh -c \
	"echo nonsense >'$tmp/bad'; '$HG' diff '$tmp/old' '$tmp/bad'"
check "diff needs two lists" 2 "Usage: hashgate diff" -- "$HG" diff "$tmp/old"

# verify
check "verify: a fresh list matches" 0 "" -- "$HG" verify "$tmp/old" "$t/bin"
cp /bin/false "$t/bin/true"
rm "$t/bin/script"
cp /bin/true "$t/bin/intruder"
check "verify: changed file" 1 "^changed $t/bin/true sha256:" -- "$HG" verify "$tmp/old"
check "verify: missing file" 1 "^missing $t/bin/script$" -- "$HG" verify "$tmp/old"
check "verify: unlisted executable under PATH" 1 "^unlisted $t/bin/intruder$" -- \
	"$HG" verify "$tmp/old" "$t"
check "verify: --exclude applies to PATH" 0 "" -- sh -c \
	"'$HG' verify -x '*/intruder' -x '*/cache.d' -x '*.pyc' '$tmp/old' '$t' >'$tmp/v';
	 ! grep -q unlisted '$tmp/v' && grep -q '^changed' '$tmp/v'"
check "verify --json parses" 0 "" -- sh -c "'$HG' verify --json '$tmp/old' '$t/bin' |
	python3 -c 'import json,sys; d=json.load(sys.stdin)
assert (d[\"changed\"], d[\"missing\"], d[\"unlisted\"]) == (1, 1, 1), d
assert {f[\"kind\"] for f in d[\"findings\"]} == {\"changed\",\"missing\",\"unlisted\"}'"
chmod 755 "$tmp"
chmod 600 "$t/bin/odd
name"
check "verify: unreadable file reported" 1 "^unreadable \"$t/bin/odd\\\\x0aname\": Permission denied" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$HG" verify "$tmp/old"

# check and status without the module
check "check without the module exits 3" 3 "not loaded" -- \
	env HASHGATE_SECURITYFS="$tmp/absent" "$HG" check /bin/true
mkdir "$tmp/sfs"
check "check against a module without 'check' exits 3" 3 "no 'check' file" -- \
	env HASHGATE_SECURITYFS="$tmp/sfs" "$HG" check /bin/true
: >"$tmp/sfs/check"
chmod 600 "$tmp/sfs/check"
chmod 755 "$tmp/sfs"
check "check as an unprivileged user exits 4" 4 "permission denied" -- \
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env HASHGATE_SECURITYFS="$tmp/sfs" "$HG" check /bin/true
check "check needs a PATH" 2 "Usage: hashgate check" -- "$HG" check
check "status --json without the module" 3 '^{"loaded":false,"last_apply":null}$' -- \
	env HASHGATE_SECURITYFS="$tmp/absent" "$HG" status --json
for c in diff verify check; do
	check "$c --help exits 0" 0 "Usage: hashgate $c" -- "$HG" $c --help
done

echo "1..$n"
exit $fail
