#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Signed allowlists from the command line, on the host: keygen, sign (text
# and --blob), the signature checked by 'openssl cms -verify' over exactly
# the signed bytes, load of blobs into a fake securityfs (HASHGATE_SECURITYFS)
# byte for byte, the recorded serial (HASHGATE_STATE_DIR) and keys add/list/
# lock. The kernel's side is tested in the VM. TAP.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_signing.sh
set -u

. "$(dirname "$0")/tap.sh"
tap_init signing


# signed_size FILE: header + digests + path index + strings (uapi/hashgate.h).
signed_size() {
	od -An -tu4 -j16 -N12 "$1" | awk '{ print 32 + $1 * 32 + $2 * 16 + $3 }'
}

# verify BLOB CERT: split blob||signature and let openssl check it.
verify() {
	s=$(signed_size "$1")
	head -c "$s" "$1" >"$tmp/v.body"
	tail -c +$((s + 1)) "$1" >"$tmp/v.sig"
	openssl cms -verify -binary -inform DER -in "$tmp/v.sig" -content "$tmp/v.body" \
		-noverify -certfile "$2" -nointern -out /dev/null
}

refused() { ! verify "$@" 2>/dev/null; }

# flip FILE OFFSET OUT: OUT is FILE with the byte at OFFSET xor 0x01.
flip() {
	python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read());
d[int(sys.argv[2])] ^= 1; open(sys.argv[3], "wb").write(d)' "$1" "$2" "$3"
}

D1=0000000000000000000000000000000000000000000000000000000000000001
D2=0000000000000000000000000000000000000000000000000000000000000002
printf '# hashgate-serial: 10\n%s  /usr/bin/a\n%s  /usr/bin/b\n' $D1 $D2 >"$tmp/list.txt"

check "keygen refuses RSA-1024" 2 "too weak" -- "$HG" keygen --rsa 1024 -o "$tmp/weak"
check "keygen wrote nothing for RSA-1024" 0 "" -- sh -c "! ls '$tmp'/weak.* 2>/dev/null"
check "keygen refuses an unknown curve" 2 "invalid curve" -- \
	"$HG" keygen --ecdsa p521 -o "$tmp/weak"

for k in rsa2048:--rsa=2048 p256:--ecdsa=p256 p384:--ecdsa=p384; do
	kn=${k%%:*} opt=${k#*:}
	check "keygen $kn warns it is for labs" 0 "for labs" -- \
		"$HG" keygen "$opt" --days 30 --subject "test $kn" -o "$tmp/$kn"
	check "keygen $kn: key 0600, PEM and DER certificate" 0 "" -- sh -c \
		"[ \$(stat -c %a '$tmp/$kn.key') = 600 ] &&
		 openssl x509 -in '$tmp/$kn.crt' -noout &&
		 openssl x509 -inform DER -in '$tmp/$kn.der' -noout"
	check "keygen $kn: CA:FALSE, digitalSignature, SKID, AKID" 0 "" -- sh -c \
		"openssl x509 -in '$tmp/$kn.crt' -noout -text >'$tmp/x.txt' &&
		 grep -q 'CA:FALSE' '$tmp/x.txt' && grep -q 'Digital Signature' '$tmp/x.txt' &&
		 grep -q 'Subject Key Identifier' '$tmp/x.txt' &&
		 grep -q 'Authority Key Identifier' '$tmp/x.txt' &&
		 grep -q 'CN *= *test $kn' '$tmp/x.txt'"
	check "sign with $kn" 0 "signed allowlist serial 10" -- \
		"$HG" sign --key "$tmp/$kn.key" --cert "$tmp/$kn.crt" -o "$tmp/$kn.hgl" \
		"$tmp/list.txt"
	check "$kn: header has HG_LIST_F_SIGNED" 0 "" -- sh -c \
		"[ \$(od -An -tu2 -j30 -N2 '$tmp/$kn.hgl' | tr -d ' ') = 1 ]"
	check "$kn: openssl cms -verify accepts it" 0 "" -- verify "$tmp/$kn.hgl" "$tmp/$kn.crt"
	flip "$tmp/$kn.hgl" 40 "$tmp/bad.hgl"
	check "$kn: a flipped digest byte fails verification" 0 "" -- \
		refused "$tmp/bad.hgl" "$tmp/$kn.crt"
	flip "$tmp/$kn.hgl" 5 "$tmp/bad.hgl"
	check "$kn: a flipped header byte fails verification" 0 "" -- \
		refused "$tmp/bad.hgl" "$tmp/$kn.crt"
	flip "$tmp/$kn.hgl" $(($(stat -c %s "$tmp/$kn.hgl") - 3)) "$tmp/bad.hgl"
	check "$kn: a flipped signature byte fails verification" 0 "" -- \
		refused "$tmp/bad.hgl" "$tmp/$kn.crt"
done

check "sign --no-paths: a signed list of digests only" 0 "signed allowlist serial 10: 2 digests, 0 paths" -- \
	"$HG" sign --no-paths -k "$tmp/p256.key" -c "$tmp/p256.crt" -o "$tmp/np.hgl" "$tmp/list.txt"
check "sign --no-paths: openssl cms -verify accepts it" 0 "" -- verify "$tmp/np.hgl" "$tmp/p256.crt"
check "P-384 signs with SHA-384" 0 "SHA384" -- \
	"$HG" sign -k "$tmp/p384.key" -c "$tmp/p384.crt" -o "$tmp/x.hgl" "$tmp/list.txt"
check "another key's certificate does not verify" 0 "" -- \
	refused "$tmp/rsa2048.hgl" "$tmp/p256.crt"
check "sign refuses a key that is not the certificate's" 1 "not the private key" -- \
	"$HG" sign -k "$tmp/p256.key" -c "$tmp/rsa2048.crt" -o "$tmp/x.hgl" "$tmp/list.txt"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/r1024.key" 2>/dev/null
openssl req -new -x509 -key "$tmp/r1024.key" -subj /CN=weak -days 1 -out "$tmp/r1024.crt" 2>/dev/null
check "sign refuses an RSA-1024 key" 1 "1024 bits is too weak" -- \
	"$HG" sign -k "$tmp/r1024.key" -c "$tmp/r1024.crt" -o "$tmp/x.hgl" "$tmp/list.txt"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp521r1 -out "$tmp/p521.key" 2>/dev/null
openssl req -new -x509 -key "$tmp/p521.key" -subj /CN=p521 -days 1 -out "$tmp/p521.crt" 2>/dev/null
check "sign refuses a P-521 key" 1 "use P-256 or P-384" -- \
	"$HG" sign -k "$tmp/p521.key" -c "$tmp/p521.crt" -o "$tmp/x.hgl" "$tmp/list.txt"
openssl genpkey -algorithm ED25519 -out "$tmp/ed.key" 2>/dev/null
openssl req -new -x509 -key "$tmp/ed.key" -subj /CN=ed -days 1 -out "$tmp/ed.crt" 2>/dev/null
check "sign refuses an Ed25519 key" 1 "not supported" -- \
	"$HG" sign -k "$tmp/ed.key" -c "$tmp/ed.crt" -o "$tmp/x.hgl" "$tmp/list.txt"
check "sign accepts a DER certificate" 0 "" -- \
	"$HG" sign -k "$tmp/p256.key" -c "$tmp/p256.der" -o "$tmp/der.hgl" "$tmp/list.txt"
check "sign without --key is a usage error" 2 "required" -- \
	"$HG" sign -c "$tmp/p256.crt" "$tmp/list.txt"
check "sign of a list with errors signs nothing" 1 "nothing loaded" -- sh -c \
	"echo 'junk' >'$tmp/bad.txt'; '$HG' sign -k '$tmp/p256.key' -c '$tmp/p256.crt' \
	 '$tmp/bad.txt'; rc=\$?; [ ! -e '$tmp/bad.hgl' ] && exit \$rc"
cp "$tmp/list.txt" "$tmp/default.txt"
check "sign writes LIST.hgl by default" 0 "" -- sh -c \
	"'$HG' sign -k '$tmp/p256.key' -c '$tmp/p256.crt' '$tmp/default.txt' >/dev/null &&
	 [ -s '$tmp/default.hgl' ]"
check "sign --serial sets the serial" 0 "serial 99" -- \
	"$HG" sign -k "$tmp/p256.key" -c "$tmp/p256.crt" --serial 99 -o "$tmp/s99.hgl" \
	"$tmp/list.txt"

# --blob: sign what 'load -o' compiled; the same bytes as signing the text.
"$HG" load -o "$tmp/unsigned.hgl" "$tmp/list.txt" >/dev/null
check "sign --blob signs a compiled blob" 0 "" -- \
	"$HG" sign -k "$tmp/rsa2048.key" -c "$tmp/rsa2048.crt" --blob -o "$tmp/b.hgl" \
	"$tmp/unsigned.hgl"
check "sign --blob: same blob as signing the text" 0 "" -- sh -c \
	"cmp -n $(signed_size "$tmp/rsa2048.hgl") '$tmp/b.hgl' '$tmp/rsa2048.hgl'"
check "sign --blob output verifies" 0 "" -- verify "$tmp/b.hgl" "$tmp/rsa2048.crt"
check "sign --blob refuses a signed blob" 1 "already signed" -- \
	"$HG" sign -k "$tmp/rsa2048.key" -c "$tmp/rsa2048.crt" --blob -o "$tmp/c.hgl" \
	"$tmp/b.hgl"
check "sign of a blob without --blob says to use it" 1 "use --blob" -- \
	"$HG" sign -k "$tmp/rsa2048.key" -c "$tmp/rsa2048.crt" -o "$tmp/c.hgl" \
	"$tmp/unsigned.hgl"

# load into a fake securityfs; the recorded serial in a fake state dir.
sfs=$tmp/sfs
mkdir -p "$sfs"
export HASHGATE_SECURITYFS=$sfs HASHGATE_STATE_DIR=$tmp/state
: >"$sfs/allowlist"
check "load of a signed blob" 0 "loaded signed allowlist serial 10" -- \
	"$HG" load "$tmp/p384.hgl"
check "load wrote exactly the file's bytes" 0 "" -- cmp "$sfs/allowlist" "$tmp/p384.hgl"
check "load recorded the serial, state dir 0700" 0 "" -- sh -c \
	"[ \"\$(cat '$tmp/state/serial')\" = 10 ] &&
	 [ \$(stat -c %a '$tmp/state') = 700 ]"
: >"$sfs/allowlist"
check "load of an unsigned blob" 0 "loaded allowlist serial 10" -- \
	"$HG" load "$tmp/unsigned.hgl"
check "load wrote the unsigned blob as is" 0 "" -- cmp "$sfs/allowlist" "$tmp/unsigned.hgl"
: >"$sfs/allowlist"
check "load of a blob from stdin" 0 "" -- sh -c \
	"'$HG' load - <'$tmp/s99.hgl' && cmp '$sfs/allowlist' '$tmp/s99.hgl'"
check "serial recorded upward: 99" 0 "^99$" -- cat "$tmp/state/serial"
: >"$sfs/allowlist"
check "load of a text list still compiles it" 0 "loaded allowlist serial 10" -- \
	"$HG" load "$tmp/list.txt"
check "text load: same bytes as load -o" 0 "" -- cmp "$sfs/allowlist" "$tmp/unsigned.hgl"
check "a lower serial leaves the record at 99" 0 "^99$" -- cat "$tmp/state/serial"
check "load --serial of a blob is a usage error" 2 "serial and paths are fixed" -- \
	"$HG" load --serial 5 "$tmp/p384.hgl"
check "load --no-paths of a blob is a usage error" 2 "serial and paths are fixed" -- \
	"$HG" load --no-paths "$tmp/p384.hgl"
head -c 50 "$tmp/p384.hgl" >"$tmp/trunc.hgl"
: >"$sfs/allowlist"
check "load of a truncated blob fails before the kernel" 1 "malformed or truncated" -- \
	"$HG" load "$tmp/trunc.hgl"
check "nothing was written for it" 0 "" -- test ! -s "$sfs/allowlist"
s=$(signed_size "$tmp/p384.hgl")
head -c "$s" "$tmp/p384.hgl" >"$tmp/nosig.hgl"
check "load of a signed-flag blob without signature fails" 1 "malformed" -- \
	"$HG" load "$tmp/nosig.hgl"
check "load -o of a blob copies it" 0 "" -- sh -c \
	"'$HG' load -o '$tmp/copy.hgl' '$tmp/p256.hgl' >/dev/null &&
	 cmp '$tmp/copy.hgl' '$tmp/p256.hgl'"
check "load creates missing parents of the state dir" 0 "" -- sh -c \
	"HASHGATE_STATE_DIR='$tmp/a/b/state' '$HG' load '$tmp/s99.hgl' >/dev/null &&
	 [ \"\$(cat '$tmp/a/b/state/serial')\" = 99 ] &&
	 [ \$(stat -c %a '$tmp/a/b/state') = 700 ]"
echo garbage >"$tmp/state/serial"
check "a corrupt state file is reported, the load still happens" 1 "corrupt" -- \
	"$HG" load "$tmp/s99.hgl"
check "and the corrupt file is kept" 0 "garbage" -- cat "$tmp/state/serial"
rm -rf "$tmp/state"
chmod 0 "$sfs" 2>/dev/null
if [ "$(id -u)" -ne 0 ]; then
	check "load: unwritable securityfs exits 4" 4 "" -- "$HG" load "$tmp/s99.hgl"
fi
chmod 755 "$sfs"

# keys: DER into 'keys' in one write, whatever the input format.
: >"$sfs/keys"
check "keys add of a PEM certificate" 0 "added key" -- "$HG" keys add "$tmp/p256.crt"
check "keys add wrote the DER certificate" 0 "" -- cmp "$sfs/keys" "$tmp/p256.der"
: >"$sfs/keys"
check "keys add of a DER certificate" 0 "" -- "$HG" keys add "$tmp/rsa2048.der"
check "keys add wrote it unchanged" 0 "" -- cmp "$sfs/keys" "$tmp/rsa2048.der"
check "keys add refuses an RSA-1024 certificate" 1 "too weak" -- \
	"$HG" keys add "$tmp/r1024.crt"
check "keys add of a non-certificate fails" 1 "not an X.509 certificate" -- \
	"$HG" keys add "$tmp/list.txt"
printf 'hashgate lab: test p256: 0011\n' >"$sfs/keys"
check "keys list prints the file" 0 "^hashgate lab: test p256: 0011$" -- "$HG" keys list
: >"$sfs/keys_lock"
check "keys lock writes 1" 0 "locked until reboot" -- sh -c \
	"'$HG' keys lock && [ \"\$(cat '$sfs/keys_lock')\" = 1 ]"
check "keys with no action is a usage error" 2 "" -- "$HG" keys
check "keys add without CERT is a usage error" 2 "" -- "$HG" keys add
rm "$sfs/keys"
check "keys list without a 'keys' file explains" 3 "does not support signed" -- \
	"$HG" keys list
rmdir "$sfs" 2>/dev/null; rm -rf "$sfs"
check "keys add without the module exits 3" 3 "not loaded" -- \
	"$HG" keys add "$tmp/p256.crt"

# module load: the recorded serial becomes min_serial. A missing .ko keeps
# this from inserting anything; only the floor's handling is seen here.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$tmp/st"
	echo junk >"$tmp/st/serial"
	check "module load refuses a corrupt recorded serial" 1 "corrupt" -- \
		env HASHGATE_STATE_DIR="$tmp/st" "$HG" module load "$tmp/absent.ko"
	check "module load --param min_serial= overrides the record" 3 "cannot open" -- \
		env HASHGATE_STATE_DIR="$tmp/st" "$HG" module load --param min_serial=5 \
		"$tmp/absent.ko"
	echo 12 >"$tmp/st/serial"
	check "module load with a good record goes on to insert" 3 "cannot open" -- \
		env HASHGATE_STATE_DIR="$tmp/st" "$HG" module load "$tmp/absent.ko"
fi

echo "1..$n"
exit $fail
