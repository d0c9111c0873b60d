#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate apt-hook', as APT runs it before dpkg unpacks (the .deb files on
# standard input): in enforce mode a package whose executables the
# allowlist lacks is refused, with each file and its package named; in
# audit, with apt_hook = warn, or when every file is listed, the
# transaction goes on. The module is a fake securityfs directory
# (HASHGATE_SECURITYFS). The real APT, on a real system: tests/system.
# TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_apt_hook.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init apt-hook

sfs=$tmp/sfs
mkdir "$sfs"
echo enforce >"$sfs/mode"
export HASHGATE_SECURITYFS=$sfs

# Version 1 of a package, and version 2 with one more program.
p=$tmp/pkg
mkdir -p "$p/DEBIAN" "$p/usr/bin"
printf 'Package: hgtest\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n' \
	>"$p/DEBIAN/control"
cp /bin/true "$p/usr/bin/hgtrue"
dpkg-deb --root-owner-group -b "$p" "$tmp/v1.deb" >/dev/null
cp /bin/true "$p/usr/bin/hgnew" && echo >>"$p/usr/bin/hgnew"
sed -i 's/^Version: 1/Version: 2/' "$p/DEBIAN/control"
dpkg-deb --root-owner-group -b "$p" "$tmp/v2.deb" >/dev/null

"$HG" build --from-deb "$tmp/v1.deb" >"$tmp/v1.list"
"$HG" build --from-deb "$tmp/v2.deb" >"$tmp/v2.list"
conf() {	# conf FILE [apt_hook VALUE]
	printf 'mode = enforce\nallowlist = %s\n%s\n' "$1" "${2:+apt_hook = $2}" >"$tmp/conf"
}

conf "$tmp/v1.list"
check "enforce: a program the list lacks refuses the transaction" 1 \
	"not on the allowlist: /usr/bin/hgnew (from deb hgtest 2 amd64)" -- \
	sh -c "echo '$tmp/v2.deb' | '$HG' apt-hook --config '$tmp/conf'"
check "... and says how to go on" 1 "refusing the transaction" -- \
	sh -c "echo '$tmp/v2.deb' | '$HG' apt-hook --config '$tmp/conf'"
check "enforce: every file listed, the transaction goes on" 0 "" -- \
	sh -c "echo '$tmp/v1.deb' | '$HG' apt-hook --config '$tmp/conf'"
conf "$tmp/v2.list"
check "enforce: the new list covers version 2" 0 "" -- \
	sh -c "printf '%s\n\n%s\n' '$tmp/v1.deb' '$tmp/v2.deb' | '$HG' apt-hook --config '$tmp/conf'"
conf "$tmp/v1.list"
check "enforce: packages as arguments, too" 1 "1 file in 1 package would not be allowed" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v2.deb"
check "--list overrides the config's allowlist" 0 "" -- \
	"$HG" apt-hook --config "$tmp/conf" --list "$tmp/v2.list" "$tmp/v2.deb"
check "--warn: said, not refused" 0 "would not be allowed" -- \
	"$HG" apt-hook --config "$tmp/conf" --warn "$tmp/v2.deb"
conf "$tmp/v1.list" warn
check "apt_hook = warn: said, not refused" 0 "would not be allowed" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v2.deb"
conf "$tmp/v1.list" off
check "apt_hook = off: not even looked at" 0 "" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/absent.deb"
[ ! -s "$tmp/out" ]
result $? "... and silent"
conf "$tmp/v1.list"
echo audit >"$sfs/mode"
check "audit: said, nothing refused" 0 "not enforcing, nothing refused" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v2.deb"
echo enforce >"$sfs/mode"
echo garbage >"$tmp/bad.deb"
check "enforce: a package that cannot be read refuses the transaction" 1 "could not all be read" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/bad.deb"
echo audit >"$sfs/mode"
check "audit: an unreadable package is said, the transaction goes on" 0 "cannot read" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/bad.deb"
echo enforce >"$sfs/mode"
printf 'mode = enforce\n' >"$tmp/nolist.conf"
check "enforce, no allowlist configured: nothing to check against, refused" 1 \
	"no allowlist.*refusing" -- "$HG" apt-hook --config "$tmp/nolist.conf" "$tmp/v2.deb"
echo audit >"$sfs/mode"
check "audit, no allowlist configured: goes on" 0 "no allowlist" -- \
	"$HG" apt-hook --config "$tmp/nolist.conf" "$tmp/v2.deb"
echo enforce >"$sfs/mode"
printf 'mode = sideways\n' >"$tmp/broken.conf"
check "a broken hashgate.conf while enforcing: refused" 1 "cannot check the packages" -- \
	"$HG" apt-hook --config "$tmp/broken.conf" "$tmp/v2.deb"
echo 'not a list' >"$tmp/badlist"
conf "$tmp/badlist"
check "enforce: an allowlist that does not parse: refused" 1 "" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v1.deb"
# Version 3 changes only its maintainer script: a script counts only when
# the module requires scripts listed (require_scripts), as the kernel does.
printf '#!/bin/sh\necho v3\n' >"$p/DEBIAN/postinst" && chmod 755 "$p/DEBIAN/postinst"
rm "$p/usr/bin/hgnew"
sed -i 's/^Version: 2/Version: 3/' "$p/DEBIAN/control"
dpkg-deb --root-owner-group -b "$p" "$tmp/v3.deb" >/dev/null
conf "$tmp/v1.list"
check "enforce: a new maintainer script alone goes on (scripts not required)" 0 "" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v3.deb"
printf 'require_scripts = yes\n' >>"$tmp/conf"
check "enforce, require_scripts = yes: the new script refuses the transaction" 1 \
	"not on the allowlist: /var/lib/dpkg/info/hgtest.postinst (from deb hgtest 3 amd64)" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v3.deb"
# A mode that cannot be read while the module is loaded counts as enforce.
mkdir "$tmp/nosfs" "$tmp/sysmod"
conf "$tmp/v1.list"
check "module loaded, mode unreadable: refused as in enforce" 1 "refusing the transaction" -- \
	env HASHGATE_SECURITYFS="$tmp/nosfs" HASHGATE_SYSFS_MODULE="$tmp/sysmod" \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v2.deb"
check "no module at all: said, not refused" 0 "not enforcing" -- \
	env HASHGATE_SECURITYFS="$tmp/nosfs" HASHGATE_SYSFS_MODULE="$tmp/absent" \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v2.deb"
# Two packages with a file at one path (a diversion): both files exist, both count.
q=$tmp/divert
mkdir -p "$q/DEBIAN" "$q/usr/bin"
printf 'Package: hgdivert\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n' \
	>"$q/DEBIAN/control"
cp /bin/true "$q/usr/bin/hgtrue" && echo >>"$q/usr/bin/hgtrue" && echo >>"$q/usr/bin/hgtrue"
dpkg-deb --root-owner-group -b "$q" "$tmp/divert.deb" >/dev/null
check "a file two packages ship at one path counts for both" 1 \
	"not on the allowlist: /usr/bin/hgtrue (from deb hgdivert 1 amd64)" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/divert.deb" "$tmp/v1.deb"
printf '9 99 sha256:%064d -\n' 0 >"$sfs/allowlist"
check "a list that is not the one loaded is said" 0 "is not the list the module has loaded" -- \
	"$HG" apt-hook --config "$tmp/conf" "$tmp/v1.deb"
check "an unknown option" 2 "Usage" -- "$HG" apt-hook --sideways
check "config get apt_hook: the default" 0 "^refuse$" -- \
	"$HG" config --config "$tmp/nolist.conf" get apt_hook

echo "1..$n"
exit $fail
