# SPDX-License-Identifier: GPL-2.0
# Shared by the shell tests: the tool under test, a scratch directory
# removed on exit, and TAP reporting. Source it, then call tap_init NAME.
# Usage of a test: HASHGATE=build/asan/hashgate sh tests/unit/test_X.sh

HG=${HASHGATE:-$(dirname "$0")/../../build/asan/hashgate}
HG=$(cd "$(dirname "$HG")" && pwd)/$(basename "$HG")
n=0
fail=0

tap_init() {	# tap_init NAME: makes $tmp, removed on exit
	tmp=$(mktemp -d "/tmp/hg-$1-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
}

# check NAME EXPECTED-RC [GREP-PATTERN-IN-OUTPUT] -- CMD...
check() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$tmp/out" 2>&1
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want" ] &&
	   { [ -z "$pat" ] || grep -q -- "$pat" "$tmp/out"; }; then
		echo "ok $n $name"
	else
		echo "not ok $n $name (rc=$rc, want $want${pat:+, /$pat/})"
		sed 's/^/# /' "$tmp/out"
		fail=1
	fi
}

# result STATUS NAME: one TAP line for a check done by hand; $tmp/err, if
# any, is shown on failure and emptied.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		[ -s "$tmp/err" ] && sed 's/^/# /' "$tmp/err"
		fail=1
	fi
	: >"$tmp/err"
}
