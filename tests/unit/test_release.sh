#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate build' from a release's artifacts, never extracted: Debian
# packages (made here with dpkg-deb, and real ones that scripts/setup
# downloads into build/debs), root file system tarballs in every
# compression, an OCI image layout with whiteouts, and a staged tree under
# --root. What it lists must be what the live walk lists for the same files
# once extracted, under the paths of the target (merged /usr), with where
# each entry comes from; hostile or corrupt artifacts are refused with no
# list written. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_release.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init release
debs=$(cd "$(dirname "$0")/../.." && pwd)/build/debs

# Entries only: the list without its comment lines.
entries() { grep -v '^#' "$1"; }

# A package: an ELF program in /bin (merged /usr moves it), a script, a
# text file, a shared object, a hard link to the program, a symlink, and a
# maintainer script (dpkg keeps it as /var/lib/dpkg/info/hgtest.postinst).
p=$tmp/pkg
mkdir -p "$p/DEBIAN" "$p/bin" "$p/usr/lib" "$p/usr/share/doc/hgtest"
printf 'Package: hgtest\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: test\n' \
	>"$p/DEBIAN/control"
cp /bin/true "$p/bin/hgtrue"
ln "$p/bin/hgtrue" "$p/bin/hgtrue-hardlink"
printf '#!/bin/sh\necho hi\n' >"$p/bin/hgscript"
chmod 755 "$p/bin/hgscript"
echo text >"$p/usr/share/doc/hgtest/README"
cp "$(ls /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1 2>/dev/null | head -1)" \
	"$p/usr/lib/libhgtest.so.1"
ln -s libhgtest.so.1 "$p/usr/lib/libhgtest.so"
printf '#!/bin/sh\nexit 0\n' >"$p/DEBIAN/postinst"
chmod 755 "$p/DEBIAN/postinst"
dpkg-deb -Zxz --root-owner-group -b "$p" "$tmp/hgtest.deb" >/dev/null

"$HG" build --from-deb "$tmp/hgtest.deb" >"$tmp/deb.list" 2>"$tmp/err"
result $? "--from-deb reads a package"
grep -q '^# hashgate-from: deb hgtest 1.0-1 amd64$' "$tmp/deb.list" 2>"$tmp/err"
result $? "--from-deb: entries say their package and version"
want=$(cd "$p" && sha256sum bin/hgtrue | cut -c1-64)
grep -qx "$want  /usr/bin/hgtrue" "$tmp/deb.list" && grep -qx "$want  /usr/bin/hgtrue-hardlink" "$tmp/deb.list"
result $? "--from-deb: /bin as the merged target has it (/usr/bin), hard link with its file's digest"
[ "$(entries "$tmp/deb.list" | wc -l)" = 5 ] && ! grep -q 'README\|libhgtest.so$' "$tmp/deb.list"
result $? "--from-deb: executables, scripts and libraries only; no symlinks, no text"
grep -qx "$(sha256sum "$p/DEBIAN/postinst" | cut -c1-64)  /var/lib/dpkg/info/hgtest.postinst" \
	"$tmp/deb.list" 2>"$tmp/err"
result $? "--from-deb: the maintainer script, where dpkg keeps it"
"$HG" build --from-deb --split-usr "$tmp/hgtest.deb" >"$tmp/split.list" 2>"$tmp/err"
grep -q '  /bin/hgtrue$' "$tmp/split.list" 2>>"$tmp/err"
result $? "--split-usr keeps /bin"

# Digests equal sha256sum of the extracted files, and the list reads as
# sha256sum -c input (its comment lines are skipped).
mkdir -p "$tmp/x/var/lib/dpkg/info" "$tmp/ctl"
dpkg-deb -x "$tmp/hgtest.deb" "$tmp/x"
dpkg-deb -e "$tmp/hgtest.deb" "$tmp/ctl"
cp "$tmp/ctl/postinst" "$tmp/x/var/lib/dpkg/info/hgtest.postinst"
sed "s|  /|  $tmp/x/|" "$tmp/split.list" >"$tmp/split.check"
sha256sum -c --strict --quiet "$tmp/split.check" >"$tmp/err" 2>&1
result $? "sha256sum -c accepts the list, and every digest is the extracted file's"

# Real packages: exactly what the live walk finds in their extraction, and
# their maintainer scripts.
for deb in "$debs"/*.deb; do
	name=$(basename "$deb")
	rm -rf "$tmp/real"
	mkdir "$tmp/real"
	dpkg-deb -x "$deb" "$tmp/real"
	"$HG" build --root "$tmp/real" >"$tmp/walk.list" 2>"$tmp/err" &&
		"$HG" build --from-deb --split-usr "$deb" >"$tmp/real.list" 2>>"$tmp/err" &&
		entries "$tmp/real.list" | grep -v '  /var/lib/dpkg/info/' |
		diff - "$tmp/walk.list" >>"$tmp/err" &&
		[ -s "$tmp/walk.list" ]
	result $? "$name: the list equals the live walk of its extraction"
done
ls "$debs"/perl-base_*.deb >/dev/null 2>&1 &&
	"$HG" build --from-deb "$debs"/perl-base_*.deb >"$tmp/perl.list" 2>"$tmp/err" &&
	[ "$(grep -E '  /usr/bin/perl(5[.0-9]*)?$' "$tmp/perl.list" | cut -c1-64 | sort -u | wc -l)" = 1 ] &&
	[ "$(grep -cE '  /usr/bin/perl(5[.0-9]*)?$' "$tmp/perl.list")" = 2 ]
result $? "perl-base: the hard link /usr/bin/perl5.* listed with perl's digest"
"$HG" build --from-deb "$debs"/*.deb >"$tmp/all.list" 2>"$tmp/err" &&
	grep -q '  /usr/bin/bash$' "$tmp/all.list" && ! grep -q '  /bin/' "$tmp/all.list" &&
	grep -q '^# hashgate-from: deb libc6 ' "$tmp/all.list"
result $? "several packages at once: merged /usr, each entry's package named"

# Packages are read several at a time: the list is the same as one at a time.
"$HG" build --from-deb --jobs 1 "$debs"/*.deb >"$tmp/j1.list" 2>"$tmp/err" &&
	"$HG" build --from-deb --jobs 4 "$debs"/*.deb >"$tmp/j4.list" 2>>"$tmp/err" &&
	cmp "$tmp/j1.list" "$tmp/j4.list" >>"$tmp/err" 2>&1 && [ -s "$tmp/j1.list" ]
result $? "--from-deb --jobs 4: the same list as --jobs 1"

# A root file system tarball in each compression: what --root finds in it.
r=$tmp/rootfs
mkdir -p "$r/usr/bin" "$r/usr/lib" "$r/etc" "$r/opt/app"
cp /bin/true "$r/usr/bin/true"
cp /bin/true "$r/opt/app/tool"
printf '#!/bin/sh\n' >"$r/usr/bin/script" && chmod 755 "$r/usr/bin/script"
echo conf >"$r/etc/conf"
ln -s usr/bin "$r/bin"
ln -s usr/lib "$r/lib"
"$HG" build --root "$r" >"$tmp/rootfs.walk" 2>"$tmp/err"
result $? "--root walks a staged tree, paths relative to it"
grep -qx "$(sha256sum "$r/opt/app/tool" | cut -c1-64)  /opt/app/tool" "$tmp/rootfs.walk" 2>"$tmp/err"
result $? "--root: /opt/app/tool, not $r/opt/app/tool"
for z in "" gzip xz zstd; do
	f=$tmp/rootfs.tar${z:+.$z}
	tar -C "$r" ${z:+--$z} -cf "$f" .
	"$HG" build --from-tar "$f" >"$tmp/tar.list" 2>"$tmp/err" &&
		entries "$tmp/tar.list" | diff - "$tmp/rootfs.walk" >>"$tmp/err"
	result $? "--from-tar ${z:-plain}: the list equals --root of the same tree"
done
# Files reached through the image's own directory symlinks get the target's path.
mkdir -p "$tmp/via/usr/bin"
cp /bin/true "$tmp/via/usr/bin/x"
tar -C "$tmp/via" -cf "$tmp/via.tar" ./usr
mkdir "$tmp/via2" && ln -s usr/bin "$tmp/via2/bin" && mkdir "$tmp/via2/bin2"
cp /bin/true "$tmp/via2/bin2/y"
(cd "$tmp/via2" && tar -cf "$tmp/via2.tar" ./bin ./bin2 && tar -rf "$tmp/via2.tar" \
	--transform 's|^\./bin2/|./bin/|' ./bin2/y)
"$HG" build --from-tar "$tmp/via.tar" "$tmp/via2.tar" >"$tmp/via.list" 2>"$tmp/err" &&
	grep -q '  /usr/bin/y$' "$tmp/via.list" && ! grep -q '  /bin/y$' "$tmp/via.list"
result $? "--from-tar: a file under a symlinked directory, at the path the target resolves"

# An OCI image layout: two layers; the second replaces a file, removes one
# (whiteout) and empties a directory (opaque whiteout).
# Two more: a directory that a higher layer replaces with a symlink (what
# was under it is gone), and a whiteout through a symlinked directory.
python3 - "$tmp" /bin/true <<'PY' >"$tmp/oci.ids" 2>"$tmp/err"
import gzip, hashlib, io, json, os, sys, tarfile
top, elf = sys.argv[1], open(sys.argv[2], 'rb').read()
def layout(out, layers):
    blobs = os.path.join(out, 'blobs', 'sha256')
    os.makedirs(blobs)
    def blob(data):
        d = hashlib.sha256(data).hexdigest()
        open(os.path.join(blobs, d), 'wb').write(data)
        return 'sha256:' + d, len(data)
    def layer(files):
        b = io.BytesIO()
        with tarfile.open(fileobj=b, mode='w') as t:
            for name, data, mode in files:
                i = tarfile.TarInfo(name)
                if data is None:
                    i.type, i.mode = tarfile.DIRTYPE, 0o755
                    t.addfile(i)
                elif isinstance(data, str):
                    i.type, i.linkname = tarfile.SYMTYPE, data
                    t.addfile(i)
                else:
                    i.size, i.mode = len(data), mode
                    t.addfile(i, io.BytesIO(data))
        return blob(gzip.compress(b.getvalue()))
    ls = [layer(f) for f in layers]
    cfg = blob(b'{}')
    m = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
         'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cfg[0], 'size': cfg[1]},
         'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': d, 'size': n}
                    for d, n in ls]}
    md = blob(json.dumps(m).encode())
    json.dump({'imageLayoutVersion': '1.0.0'}, open(os.path.join(out, 'oci-layout'), 'w'))
    json.dump({'schemaVersion': 2, 'manifests': [{'mediaType': m['mediaType'], 'digest': md[0],
               'size': md[1], 'platform': {'os': 'linux', 'architecture': 'amd64'}}]},
              open(os.path.join(out, 'index.json'), 'w'))
    return ls
ls = layout(top + '/oci', [
    [('usr', None, 0), ('usr/bin', None, 0), ('usr/bin/keep', elf, 0o755),
     ('usr/bin/replaced', elf, 0o755), ('usr/bin/removed', elf, 0o755),
     ('opt', None, 0), ('opt/old', elf, 0o755)],
    [('usr/bin/replaced', elf + b'\0', 0o755), ('usr/bin/.wh.removed', b'', 0o644),
     ('opt/.wh..wh..opq', b'', 0o644), ('opt/new', elf, 0o755)]])
layout(top + '/oci-dirlink', [
    [('bin', None, 0), ('bin/oldtool', elf, 0o755), ('usr', None, 0), ('usr/bin', None, 0),
     ('usr/bin/keep', elf, 0o755)],
    [('bin', 'usr/bin', 0)]])
layout(top + '/oci-whlink', [
    [('usr', None, 0), ('usr/bin', None, 0), ('usr/bin/oldtool', elf, 0o755),
     ('usr/bin/keep', elf, 0o755), ('bin', 'usr/bin', 0)],
    [('bin/.wh.oldtool', b'', 0o644)]])
print(hashlib.sha256(elf).hexdigest(), hashlib.sha256(elf + b'\0').hexdigest(), ls[1][0])
PY
read -r elf elf0 layer2 <"$tmp/oci.ids"
"$HG" build --from-oci "$tmp/oci" >"$tmp/oci.list" 2>"$tmp/err"
printf '%s  /opt/new\n%s  /usr/bin/keep\n%s  /usr/bin/replaced\n' "$elf" "$elf" "$elf0" >"$tmp/oci.want"
entries "$tmp/oci.list" | diff - "$tmp/oci.want" >>"$tmp/err"
result $? "--from-oci: layers in order, whiteout and opaque directory honoured"
grep -q "^# hashgate-from: oci sha256:[0-9a-f]* layer $layer2\$" "$tmp/oci.list" 2>"$tmp/err"
result $? "--from-oci: entries name their layer"
printf '%s  /usr/bin/keep\n' "$elf" >"$tmp/keep.want"
"$HG" build --from-oci "$tmp/oci-dirlink" 2>"$tmp/err" | grep -v '^#' | diff - "$tmp/keep.want" >>"$tmp/err"
result $? "--from-oci: a directory a higher layer made a symlink takes its files with it"
"$HG" build --from-oci "$tmp/oci-whlink" 2>"$tmp/err" | grep -v '^#' | diff - "$tmp/keep.want" >>"$tmp/err"
result $? "--from-oci: a whiteout through a symlinked directory removes the file"
cp -r "$tmp/oci" "$tmp/oci-bad"
for b in "$tmp/oci-bad"/blobs/sha256/*; do
	if gzip -t "$b" 2>/dev/null; then printf 'x' >>"$b"; break; fi
done
check "--from-oci: a blob that does not match its digest is refused" 1 \
	"content does not match its digest" -- "$HG" build --from-oci "$tmp/oci-bad"
sed -i 's/"digest": "sha256:[0-9a-f]*"/"digest": "sha256:..\/..\/..\/etc\/passwd"/' "$tmp/oci-bad/index.json"
check "--from-oci: a digest that is not one is never a path" 1 "not sha256:<64 hex>" -- \
	"$HG" build --from-oci "$tmp/oci-bad"
check "--from-oci: a directory that is no layout" 1 "not an OCI image layout" -- \
	"$HG" build --from-oci "$tmp"

# Hostile and broken artifacts: a clear error, exit 1, no list written.
python3 - "$tmp/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w') as t:
    i = tarfile.TarInfo('usr/bin/../../../etc/evil')
    i.size = 4
    t.addfile(i, io.BytesIO(b'\x7fELF'))
PY
check "a name with '..' is refused" 1 "would leave the root" -- \
	"$HG" build --from-tar "$tmp/evil.tar" -o "$tmp/evil.list"
[ ! -e "$tmp/evil.list" ]
result $? "... and no list is written"
# A symlink out of the tree and a file under it; escape.tar adds a hard
# link out of the tree.
python3 - "$tmp" /bin/true <<'PY'
import io, sys, tarfile
elf = open(sys.argv[2], 'rb').read()
for name, hard in (('escape2.tar', False), ('escape.tar', True)):
    with tarfile.open(sys.argv[1] + '/' + name, 'w') as t:
        i = tarfile.TarInfo('lnk')
        i.type, i.linkname = tarfile.SYMTYPE, '/../../../../etc'
        t.addfile(i)
        i = tarfile.TarInfo('lnk/x')
        i.size, i.mode = len(elf), 0o755
        t.addfile(i, io.BytesIO(elf))
        if hard:
            i = tarfile.TarInfo('hard')
            i.type, i.linkname = tarfile.LNKTYPE, '../outside'
            t.addfile(i)
PY
check "a hard link out of the tree is refused" 1 "would leave the root" -- \
	"$HG" build --from-tar "$tmp/escape.tar"
check "a symlink out of the tree resolves inside it, as on the target" 0 "  /etc/x$" -- \
	"$HG" build --from-tar "$tmp/escape2.tar"
head -c 3000 "$tmp/rootfs.tar.gzip" >"$tmp/trunc.tar.gz"
check "a truncated archive: an error, no list" 1 "cannot read" -- \
	"$HG" build --from-tar "$tmp/trunc.tar.gz"
check "a file that is no archive" 1 "cannot read" -- "$HG" build --from-tar /etc/hostname
cp "$tmp/rootfs.tar" "$tmp/fake.deb"
check "a tarball given as a package" 1 "cannot read" -- "$HG" build --from-deb "$tmp/fake.deb"
check "a missing package" 1 "cannot read" -- "$HG" build --from-deb "$tmp/absent.deb"
mkdir "$tmp/ar" && (cd "$tmp/ar" && ar x "$tmp/hgtest.deb" && gzip -c <data.tar.xz >data.tar.gz &&
	ar rc "$tmp/twodata.deb" debian-binary control.tar.xz data.tar.xz data.tar.gz &&
	ar rc "$tmp/nobinary.deb" control.tar.xz data.tar.xz)
check "a package with two data.tar members" 1 "not a Debian package" -- \
	"$HG" build --from-deb "$tmp/twodata.deb"
check "a package without debian-binary first" 1 "not a Debian package" -- \
	"$HG" build --from-deb "$tmp/nobinary.deb"
cp -r "$tmp/oci" "$tmp/oci-dup"
sed -i 's/"schemaVersion": 2,/"schemaVersion": 2, "schemaVersion": 2,/' "$tmp/oci-dup/index.json"
check "--from-oci: a JSON member name given twice" 1 "given twice" -- \
	"$HG" build --from-oci "$tmp/oci-dup"
mkdir -p "$tmp/stage/usr/bin" && ln -s /usr "$tmp/stage/abs"
check "--root: a PATH that leads out of DIR is refused" 1 "outside --root" -- \
	"$HG" build --root "$tmp/stage" /abs

# Usage.
check "--from-deb without packages" 2 "expected the artifacts" -- "$HG" build --from-deb
check "two sources at once" 2 "one of --root" -- "$HG" build --from-deb --from-tar x
check "--merged-usr with a live walk" 2 "go with" -- "$HG" build --merged-usr /usr/bin
check "--cache with packages" 2 "for directory trees" -- \
	"$HG" build --from-deb --cache "$tmp/c" "$tmp/hgtest.deb"

# diff shows where entries come from.
cp "$p/bin/hgscript" "$p/bin/hgscript.new" && echo 'echo more' >>"$p/bin/hgscript"
sed -i 's/^Version: 1.0-1/Version: 1.0-2/' "$p/DEBIAN/control"
dpkg-deb -Zxz --root-owner-group -b "$p" "$tmp/hgtest2.deb" >/dev/null
"$HG" build --from-deb "$tmp/hgtest2.deb" >"$tmp/deb2.list" 2>"$tmp/err"
# (diff exits 1 when the lists differ, as diff(1) does.)
check "diff: a changed file names both packages" 1 \
	"~ /usr/bin/hgscript .*(from deb hgtest 1.0-1 amd64 -> deb hgtest 1.0-2 amd64)" -- \
	"$HG" diff "$tmp/deb.list" "$tmp/deb2.list"
check "diff: an added file names its package" 1 "+ /usr/bin/hgscript.new .*(from deb hgtest 1.0-2 amd64)" -- \
	"$HG" diff "$tmp/deb.list" "$tmp/deb2.list"
check "diff --json: origins" 1 '"new_origin":"deb hgtest 1.0-2 amd64"' -- \
	"$HG" diff --json "$tmp/deb.list" "$tmp/deb2.list"

# A server (here a staged tree) against the release's list: what is not
# from the release, what of it changed, what is missing, with provenance.
s=$tmp/server
dpkg-deb -x "$tmp/hgtest.deb" "$s"
mkdir -p "$s/var/lib/dpkg/info" && cp "$tmp/ctl/postinst" "$s/var/lib/dpkg/info/hgtest.postinst"
echo >>"$s/bin/hgscript"
rm "$s/bin/hgtrue-hardlink"
cp /bin/true "$s/bin/intruder"
check "verify --root: a changed release file, with its package" 1 \
	"^changed /bin/hgscript sha256:.* (from deb hgtest 1.0-1 amd64)$" -- \
	"$HG" verify --root "$s" "$tmp/split.list" /bin /usr
check "verify --root: a missing release file, with its package" 1 \
	"^missing /bin/hgtrue-hardlink (from deb hgtest 1.0-1 amd64)$" -- \
	"$HG" verify --root "$s" "$tmp/split.list" /bin /usr
check "verify --root: an executable that is not from the release" 1 "^unlisted /bin/intruder$" -- \
	"$HG" verify --root "$s" "$tmp/split.list" /bin /usr
check "verify --root --json: origins" 1 '"kind":"missing","path":"/bin/hgtrue-hardlink","origin":"deb hgtest 1.0-1 amd64"' -- \
	"$HG" verify --json --root "$s" "$tmp/split.list" /bin /usr
rm "$s/bin/intruder" && cp "$p/bin/hgtrue" "$s/bin/hgtrue-hardlink"
sed -i '$d' "$s/bin/hgscript"
check "verify --root: the extracted release itself has no finding" 0 "" -- \
	"$HG" verify --root "$s" "$tmp/split.list" /bin /usr

echo "1..$n"
exit $fail
