#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz hg_list_parse() (module/list_format.c, the module's own source),
# hg_scan_parse() (userspace/scanreport.c, the scan report the tool reads
# from the module) and hg_ml_parse() (userspace/measurelist.c, the binary
# measurement list) with libFuzzer under ASan/UBSan for a bounded time
# each, starting from corpus/, corpus-scan/ and corpus-measure/. New inputs
# found go to build/fuzz/, not into the checked-in corpora. Prints TAP, a
# line each. Needs clang and libclang-rt-14-dev (scripts/setup), and
# libcrypto for the measurement list.
# Usage: tests/fuzz/run.sh [SECONDS]   (default 30 for the list parser, a
# third of it, at least 5, for the scan report and the measurement list;
# HG_FUZZ_SECONDS too)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-${HG_FUZZ_SECONDS:-30}}
scan_secs=$((secs / 3 > 5 ? secs / 3 : 5))
out=${O:-$top/build}/fuzz
CLANG=${CLANG:-clang}
fail=0

echo "1..3"
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "ok 1 fuzz hg_list_parse # SKIP clang not installed (scripts/setup)"
	echo "ok 2 fuzz hg_scan_parse # SKIP clang not installed (scripts/setup)"
	echo "ok 3 fuzz hg_ml_parse # SKIP clang not installed (scripts/setup)"
	exit 0
fi

# fuzz N NAME FUNCTION SECONDS MAX_LEN SEEDS DIR [LIBS]: DIR gets the
# binary, the logs, corpus/ (inputs found) and crashes/.
fuzz() {
	n=$1 name=$2 fn=$3 t=$4 max=$5 seeds=$6 dir=$7 libs=${8:-}
	mkdir -p "$dir/corpus" "$dir/crashes"
	if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Wall -Wextra -Werror -D_GNU_SOURCE \
		-I"$top/module" -o "$dir/$name" "$here/$name.c" $libs >"$dir/build.log" 2>&1; then
		sed 's/^/# /' "$dir/build.log"
		echo "not ok $n fuzz $fn: build failed"
		fail=1
		return
	fi
	"$dir/$name" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$max" -print_final_stats=1 -artifact_prefix="$dir/crashes/" \
		"$dir/corpus" "$seeds" >"$dir/run.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
		"$dir/run.log" | tail -1)
	if [ "$rc" -eq 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ]; then
		echo "ok $n fuzz $fn $execs execs"
		return
	fi
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$dir/run.log" |
		head -20 | sed 's/^/# /'
	echo "not ok $n fuzz $fn (exit $rc, log $dir/run.log)"
	fail=1
}

fuzz 1 fuzz_list hg_list_parse "$secs" 65536 "$here/corpus" "$out"
fuzz 2 fuzz_scan hg_scan_parse "$scan_secs" 16384 "$here/corpus-scan" "$out/scan"
fuzz 3 fuzz_measure hg_ml_parse "$scan_secs" 4096 "$here/corpus-measure" "$out/measure" -lcrypto
exit $fail
