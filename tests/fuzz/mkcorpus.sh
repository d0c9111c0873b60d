#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the seed corpus: blobs made by 'hashgate load -o' and
# 'hashgate sign' (RSA and ECDSA, lab keys made on the spot), plus
# truncations and a few hand-broken headers. Deterministic except for the
# signatures' bytes. Then the measurement list's seeds, corpus-measure/.
# Usage: tests/fuzz/mkcorpus.sh [HASHGATE]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
HG=${1:-$here/../../build/hashgate}
c=$here/corpus
tmp=$(mktemp -d /tmp/hg-corpus-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rm -f "$c"/*
mkdir -p "$c"

d() { printf '%064x' "$1"; }
: >"$tmp/empty.txt"
printf '%s  /bin/true\n' "$(d 1)" >"$tmp/one.txt"
{
	echo '# hashgate-serial: 42'
	printf '%s  /usr/bin/a\n%s  /usr/bin/b\n%s  /usr/lib/x.so\n' "$(d 3)" "$(d 2)" "$(d 3)"
	printf '%s  /opt/with\\nnewline\n' "$(d 9)"
} >"$tmp/three.txt"

"$HG" load -o "$c/empty.hgl" --serial 3 "$tmp/empty.txt" >/dev/null
"$HG" load -o "$c/one.hgl" --serial 1 "$tmp/one.txt" >/dev/null
"$HG" load -o "$c/shared-digest.hgl" "$tmp/three.txt" >/dev/null
"$HG" keygen --rsa 2048 -o "$tmp/rsa" >/dev/null 2>&1
"$HG" keygen --ecdsa p256 -o "$tmp/p256" >/dev/null 2>&1
"$HG" sign -k "$tmp/rsa.key" -c "$tmp/rsa.crt" -o "$c/signed-rsa.hgl" "$tmp/three.txt" >/dev/null
"$HG" sign -k "$tmp/p256.key" -c "$tmp/p256.crt" -o "$c/signed-p256.hgl" "$tmp/one.txt" >/dev/null
"$HG" sign -k "$tmp/p256.key" -c "$tmp/p256.crt" --serial 5 -o "$c/signed-empty.hgl" "$tmp/empty.txt" >/dev/null

# Truncations: inside the header, the digests, the path index, the strings,
# the signature; and the signed header without any signature.
sz=$(stat -c %s "$c/shared-digest.hgl")
for n in 4 31 40 100 $((sz - 1)); do
	head -c "$n" "$c/shared-digest.hgl" >"$c/trunc-$n.hgl"
done
body=$(stat -c %s "$c/shared-digest.hgl")
head -c "$body" "$c/signed-rsa.hgl" >"$c/signed-no-sig.hgl"
head -c $((body + 20)) "$c/signed-rsa.hgl" >"$c/signed-short-sig.hgl"
# Unknown flag bit, and a trailing byte on an unsigned blob.
{ head -c 30 "$c/one.hgl"; printf '\002\000'; tail -c +33 "$c/one.hgl"; } >"$c/bad-flags.hgl"
{ cat "$c/one.hgl"; printf 'x'; } >"$c/trailing.hgl"
ls "$c" | wc -l

# The measurement list's seeds (corpus-measure/): the lists of
# tests/unit/mkmeasure.py, good, forged and malformed. Deterministic.
m=$here/corpus-measure
rm -f "$m"/*
mkdir -p "$m"
python3 "$here/../unit/mkmeasure.py" "$tmp/measure"
cp "$tmp/measure"/good.bin "$tmp/measure"/notpm.bin "$tmp/measure"/forged.bin \
	"$tmp/measure"/bad-*.bin "$m"/
ls "$m" | wc -l
