#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate build' on a small tree must say exactly what sha256sum says, for
# the files the kernel would check and no others. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_build.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init build


t=$tmp/tree
mkdir -p "$t/bin" "$t/lib" "$t/share"
cp /bin/true "$t/bin/elf"
cp /bin/true "$t/bin/elf copy
with newline"
printf '#!/bin/sh\necho hi\n' >"$t/bin/script"
chmod 755 "$t/bin/script"
printf '#!/bin/sh\necho hi\n' >"$t/share/noexec-script"
chmod 644 "$t/share/noexec-script"
echo "just text" >"$t/share/text"
printf '\177ELF' >"$t/share/tiny-elf-header"
ln -s /bin/ls "$t/bin/link-out"
ln -s ../bin/elf "$t/lib/link-in"
mkfifo "$t/share/fifo"
libc=$(ls /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || ls /lib*/libc.so.* | head -1)
cp "$libc" "$t/lib/libc.so"

# Sorted by path in byte order, as sha256sum(1) prints them.
(cd / && LC_ALL=C sha256sum "$t/bin/elf" "$t/bin/elf copy
with newline" "$t/bin/script" "$t/lib/libc.so") >"$tmp/want"
"$HG" build "$t" >"$tmp/got" 2>"$tmp/err"
result $? "build exits 0"
cmp -s "$tmp/want" "$tmp/got"
result $? "build output equals sha256sum of ELF files and +x scripts only"
[ ! -s "$tmp/err" ]
result $? "build is silent on stderr"

"$HG" build --jobs 1 "$t" "$t/bin" >"$tmp/got1"
cmp -s "$tmp/want" "$tmp/got1"
result $? "--jobs 1 and overlapping paths give the same list"

(cd "$t/.." && "$HG" build -o "$tmp/rel" tree)
cmp -s "$tmp/want" "$tmp/rel"
result $? "relative PATH gives absolute paths, -o writes the file"

"$HG" build --all "$t" | sed 's/^\\\{0,1\}[0-9a-f]*  //' >"$tmp/all"
[ "$(grep -c . "$tmp/all")" -eq 7 ] && grep -qx "$t/share/text" "$tmp/all" &&
	! grep -q "link" "$tmp/all" && ! grep -q "fifo" "$tmp/all"
result $? "--all takes every regular file, still no symlinks or fifos"

"$HG" load --dry-run "$tmp/got" >/dev/null
result $? "build output loads (escaped newline path included)"

# Unreadable file: reported, exit 1, the rest still listed.
chmod 755 "$tmp"
chmod -R a+rX "$t"
chmod 000 "$t/bin/script"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$HG" build "$t" \
	>"$tmp/got2" 2>"$tmp/err2"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot hash '$t/bin/script': Permission denied" "$tmp/err2" &&
	[ "$(grep -c . "$tmp/got2")" -eq 3 ]
result $? "unreadable file: error on stderr, exit 1, others listed"

echo "1..$n"
exit $fail
