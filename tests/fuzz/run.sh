#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz hg_list_parse() (module/list_format.c, the module's own source) with
# libFuzzer under ASan/UBSan for a bounded time, starting from corpus/.
# New inputs found go to build/fuzz/corpus, not into the checked-in corpus.
# Prints one TAP line. Needs clang and libclang-rt-14-dev (scripts/setup).
# Usage: tests/fuzz/run.sh [SECONDS]   (default 30; HG_FUZZ_SECONDS too)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-${HG_FUZZ_SECONDS:-30}}
out=${O:-$top/build}/fuzz
CLANG=${CLANG:-clang}

echo "1..1"
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "ok 1 fuzz hg_list_parse # SKIP clang not installed (scripts/setup)"
	exit 0
fi
mkdir -p "$out/corpus" "$out/crashes"
if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Wall -Wextra -Werror \
	-I"$top/module" -o "$out/fuzz_list" "$here/fuzz_list.c" >"$out/build.log" 2>&1; then
	sed 's/^/# /' "$out/build.log"
	echo "not ok 1 fuzz hg_list_parse: build failed"
	exit 1
fi
"$out/fuzz_list" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -print_final_stats=1 -artifact_prefix="$out/crashes/" \
	"$out/corpus" "$here/corpus" >"$out/run.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$out/run.log" | tail -1)
if [ "$rc" -eq 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ]; then
	echo "ok 1 fuzz hg_list_parse $execs execs"
	exit 0
fi
grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$out/run.log" | head -20 | sed 's/^/# /'
echo "not ok 1 fuzz hg_list_parse (exit $rc, log $out/run.log)"
exit 1
