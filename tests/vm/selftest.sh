#!/bin/bash
# tests/vm/selftest.sh [KERNEL]...: check scripts/vm-run itself; prints TAP.
#
# For each kernel (default: 6.1 and 6.12) it boots a handful of guests and
# checks what vm-run promises: the console is streamed, exit statuses and
# awkward arguments get through, --disk, --add and --tpm work, the modules
# the guest needs load, and a kernel crash, a kernel warning, a hang, a run
# that never starts its command, or a kmemleak leak in hashgate is reported
# as failure. About 100 s per kernel under TCG (idle 2-core machine).
#
# First, without a VM, init's kmemleak parser (tests/vm/init.c) on recorded
# dumps (tests/vm/kmemleak/). KERNEL "debug" (the kmemleak kernel) boots
# fewer guests but makes real leaks: a module that leaks, built once as
# "hashgate" (must fail the run) and once under another name (reported,
# must not fail it). KERNEL arm64-6.1 or arm64-6.12 boots that kernel with
# vm-run --arch arm64 (after scripts/setup-arm64 and make ARCH=arm64 tool
# tests), about 2 minutes each. make check runs this for 6.12 and
# arm64-6.12 (scripts/check).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/vm
vm_run=$top/scripts/vm-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() {	# ok STATUS DESCRIPTION [DETAIL-FILE]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
		return
	fi
	echo "not ok $n $2"
	[ -n "${3:-}" ] && tail -n 30 "$3" | sed 's/^/#   /'
	failed=1
}

# check NAME WANT_STATUS GREP_PATTERN VM-RUN-ARGUMENTS...
# Passes when vm-run exits WANT_STATUS and its output matches the pattern.
check() {
	local name=$1 want=$2 pattern=$3 start rc secs
	shift 3

	start=$EPOCHREALTIME
	"$vm_run" --arch "$arch" --kernel "$kernel" "$@" >"$tmp/out" 2>&1
	rc=$?
	secs=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }")
	if [ "$rc" = "$want" ] && grep -qaE -- "$pattern" "$tmp/out"; then
		ok 0 "$label $name ($secs s)"
		# An expected failure's saved console log is of no interest.
		sed -n 's/^vm-run: console log: //p' "$tmp/out" | xargs -r rm -f
		return
	fi
	ok 1 "$label $name ($secs s): exit $rc, wanted $want; /$pattern/ $(
		grep -qaE -- "$pattern" "$tmp/out" && echo matched || echo 'not matched')" \
		"$tmp/out"
}

# parse NAME DUMP WANT_STATUS PATTERN: init's parser, on the host.
parse() {
	local rc

	"$tmp/init" --kmemleak-parse "$here/kmemleak/$2" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = "$3" ] && grep -qaE -- "$4" "$tmp/out"
	ok $? "kmemleak parser: $1 (exit $rc, wanted $3)" "$tmp/out"
}

parser_tests() {
	if ! gcc -O2 -Wall -Wextra -Werror -o "$tmp/init" "$here/init.c" 2>"$tmp/out"; then
		ok 1 "tests/vm/init.c builds on the host" "$tmp/out"
		return
	fi
	parse "a leak in hashgate fails" hashgate-leak.txt 1 \
		'^hashgate-vm: kmemleak: LEAK in hashgate: unreferenced object 0x'
	parse "frames of an unloaded module count as hashgate's" \
		unloaded-module-leak.txt 1 '^hashgate-vm: kmemleak: LEAK in hashgate: '
	# Recorded on the debug kernel from tests/vm/leaker.c.
	parse "a leak from init, its frame a bare address, fails (recorded)" \
		hashgate-init-leak.txt 1 '^hashgate-vm: kmemleak: 2 unreferenced objects, 2 of them'
	parse "another module's leak is reported, does not fail (recorded)" \
		other-module-leak.txt 0 '^hashgate-vm: kmemleak: kernel leak .*unreferenced object'
	parse "kernel leaks are reported, do not fail" kernel-leak.txt 0 \
		"^hashgate-vm: kmemleak: kernel leak .*unreferenced object"
	parse "every record is printed" mixed.txt 1 \
		'^hashgate-vm: kmemleak: 2 unreferenced objects, 1 of them hashgate'
	parse "an empty dump passes" empty.txt 0 \
		'^hashgate-vm: kmemleak: 0 unreferenced objects'
	parse "a dump it cannot read fails" not-a-dump.txt 1 \
		'^hashgate-vm: kmemleak: FAILED: not a kmemleak record'
}

# vm-run gives qemu a -pidfile in its temp dir and removes that dir on exit,
# so a qemu whose pidfile directory is gone outlived its vm-run. (Other
# vm-runs going on meanwhile still have theirs.)
leaked_qemu() {
	local pid pidfile

	for pid in $(pgrep -f "^qemu-system-(x86_64|aarch64) "); do
		pidfile=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
			sed -n '/^-pidfile$/{n;p}')
		case $pidfile in
		"$top"/build/vm/run.*) [ -d "${pidfile%/*}" ] || return 0 ;;
		esac
	done
	return 1
}

# The same for vm-run --tpm's swtpm, by its state directory.
leaked_swtpm() {
	local pid dir

	for pid in $(pgrep -x swtpm); do
		dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
			sed -n 's/^dir=//p')
		case $dir in
		"$top"/build/vm/run.*/tpm) [ -d "$dir" ] || return 0 ;;
		esac
	done
	return 1
}

run_kernel() {
	kernel=$1 arch=x86_64 label=$1

	HASHGATE_IN_CHECK=1 check smoke 0 '^hi in_check=1' \
		-- /bin/sh -c 'uname -r; echo "hi in_check=$HASHGATE_IN_CHECK"'
	check exit-status 3 . -- sh -c 'exit 3'
	check arguments 0 "^<a b><c'd><e\"f><>\\\$" \
		-- sh -c 'printf "<%s>" "$@"; echo \$' sh 'a b' "c'd" 'e"f' ''
	check disk 0 '^disk ok' --disk "$tmp/disk" \
		-- sh -c 'grep -qx "hello disk" /mnt/disk/hello.txt && touch /mnt/disk/w && echo disk ok'
	# ba78... is sha256("abc"); --version proves it is coreutils, not busybox.
	check add-dynamic 0 '^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' \
		--add /usr/bin/sha256sum \
		-- sh -c '/usr/bin/sha256sum --version | grep -q coreutils && printf abc | sha256sum'
	# --tpm: a TPM 2.0 with a sha256 bank, and evmctl (the host's, with
	# its libraries) that replays IMA's list (its boot_aggregate extends
	# PCR 10 even with no policy) to the TPM's PCR 10, and not to another
	# value. Debian's evmctl 1.4 cannot read TPM 2.0 PCRs itself (it wants
	# tsspcrread; then it says "Failed to read any TPM PCRs" and exits 0):
	# they go in with --pcrs.
	check tpm 0 '^tpm ok' --tpm \
		-- sh -c 't=/sys/class/tpm/tpm0 l=/sys/kernel/security/ima/binary_runtime_measurements
			[ "$(cat $t/tpm_version_major)" = 2 ] || exit 1
			grep -qvx "0\{64\}" $t/pcr-sha256/10 || exit 1
			for i in $(seq 0 23); do
				printf "PCR-%02d %s\n" $i "$(cat $t/pcr-sha256/$i)"
			done >/tmp/pcrs
			evmctl ima_measurement --pcrs sha256,/tmp/pcrs $l >/tmp/out 2>&1 ||
				{ cat /tmp/out; exit 1; }
			grep -qx "Matched per TPM bank calculated digest(s)." /tmp/out || exit 1
			sed -i "s/^PCR-10 .*/PCR-10 $(printf %064d 1)/" /tmp/pcrs
			! evmctl ima_measurement --pcrs sha256,/tmp/pcrs $l >/dev/null 2>&1 &&
				echo tpm ok'
	check modules 0 '^modules ok' \
		-- sh -c 'modprobe overlay && grep -qw overlay /proc/filesystems &&
			modprobe sha256_ssse3 && echo modules ok'
	check crash 125 'Kernel panic' -- sh -c 'echo c > /proc/sysrq-trigger'
	# Only kernel lines count: not COMMAND's output, not a verbose boot.
	check kmsg-warning 125 'kernel trouble' \
		-- sh -c 'echo "<4>WARNING: fake" >/dev/kmsg'
	check quiet-scan 0 '^WARNING: not the kernel' --append loglevel=8 \
		-- echo 'WARNING: not the kernel'
	# With --tpm, so that the end below also sees swtpm go on this path.
	check timeout 125 'timed out' --tpm --timeout 15 -- sleep 1000
	# A run whose command never starts says why, in one line.
	check cannot-start 125 "^vm-run: the command never ran: init: waiting for .*/dev/vdz" \
		--append hashgate_vm.disk=/dev/vdz -- /bin/true
	# init's kmemleak verdict reaches vm-run (a recorded dump stands in for
	# debugfs on kernels without kmemleak): a leak in hashgate fails the
	# run, another kernel leak is reported and does not.
	check leak-hashgate 125 '^vm-run: +hashgate-vm: kmemleak: LEAK in hashgate' \
		--add "$here/kmemleak/mixed.txt:/kmemleak.txt" \
		--append hashgate_vm.kmemleak=/kmemleak.txt -- /bin/true
	check leak-kernel 0 '^hashgate-vm: kmemleak: kernel leak .*unreferenced object' \
		--add "$here/kmemleak/kernel-leak.txt:/kmemleak.txt" \
		--append hashgate_vm.kmemleak=/kmemleak.txt -- /bin/true
}

# arm64 (vm-run --arch arm64): what differs from x86-64, the status channel
# on a virtio console (a module on 6.1), the arm64 userland (loader,
# libraries found without ldd) and the TPM device, and the checks that
# must not be lost.
run_arm64() {
	kernel=$1 arch=arm64 label=arm64-$1

	HASHGATE_IN_CHECK=1 check smoke 0 '^aarch64 in_check=1' \
		-- /bin/sh -c 'echo "$(uname -m) in_check=$HASHGATE_IN_CHECK"'
	check exit-status 3 . -- sh -c 'exit 3'
	# The cross-built tool and its libraries (libkmod, OpenSSL, libarchive).
	check tool 0 "^hashgate tool .* / .*module is not loaded.* / exit 3" \
		-- sh -c 'v=$(hashgate --version | head -n 1); s=$(hashgate status 2>&1); echo "$v / $s / exit $?"'
	check disk 0 '^disk ok' --disk "$tmp/disk" \
		-- sh -c 'grep -qx "hello disk" /mnt/disk/hello.txt && touch /mnt/disk/w && echo disk ok'
	check modules 0 '^modules ok' \
		-- sh -c 'modprobe overlay && grep -qw overlay /proc/filesystems && echo modules ok'
	check kmsg-warning 125 'kernel trouble' \
		-- sh -c 'echo "<4>WARNING: fake" >/dev/kmsg'
	check cannot-start 125 "^vm-run: the command never ran: init: waiting for .*/dev/vdz" \
		--append hashgate_vm.disk=/dev/vdz -- /bin/true
	# --tpm: a TPM 2.0 on virt's memory-mapped TIS, its driver a module.
	check tpm 0 '^tpm ok' --tpm \
		-- sh -c 't=/sys/class/tpm/tpm0
			[ "$(cat $t/tpm_version_major)" = 2 ] && [ -c /dev/tpm0 ] &&
				grep -qx "[0-9a-f]\{64\}" $t/pcr-sha256/10 && echo tpm ok'
}

# The leaking module, built against the debug kernel as NAME.
build_leaker() {
	local name=$1 dir=$tmp/leaker-$1 rel

	rel=$(cat "${HASHGATE_CACHE:-/var/cache/hashgate}/debug-kernel/release") || return 1
	mkdir -p "$dir"
	cp "$here/leaker.c" "$dir/$name.c"
	echo "obj-m := $name.o" >"$dir/Kbuild"
	make -s -C "/lib/modules/$rel/build" M="$dir" modules >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log"; return 1; }
	echo "$dir/$name.ko"
}

# The debug kernel is slow (KASAN under TCG): only what differs there.
run_debug() {
	local ko ko2

	kernel=debug arch=x86_64 label=debug
	check smoke 0 '^hi' -- /bin/sh -c 'uname -r; echo hi'
	if ! build_leaker hashgate >"$tmp/ko" 2>&1 ||
	   ! build_leaker hg_other_leaker >"$tmp/ko2" 2>&1; then
		cat "$tmp/ko2" >>"$tmp/ko" 2>/dev/null
		ok 1 "debug: the leaking module builds" "$tmp/ko"
		return
	fi
	ko=$(tail -n 1 "$tmp/ko") ko2=$(tail -n 1 "$tmp/ko2")
	check leak-live-hashgate 125 '^vm-run: +hashgate-vm: kmemleak: LEAK in hashgate' \
		--add "$ko:/leaker.ko" -- insmod /leaker.ko
	check leak-live-other 0 "^hashgate-vm: kmemleak: [1-9][0-9]* unreferenced objects?, 0 of them hashgate's" \
		--add "$ko2:/leaker.ko" -- insmod /leaker.ko from_work=1
}

mkdir -p "$tmp/disk"
echo "hello disk" >"$tmp/disk/hello.txt"
[ $# -gt 0 ] || set -- 6.1 6.12
parser_tests
for k in "$@"; do
	if [ "$k" = debug ]; then
		run_debug
	elif [ "${k#arm64-}" != "$k" ]; then
		run_arm64 "${k#arm64-}"
	else
		run_kernel "$k"
	fi
done
leaked_qemu
ok $((!$?)) "no qemu outlived its vm-run"
leaked_swtpm
ok $((!$?)) "no swtpm outlived its vm-run"
echo "1..$n"
exit "$failed"
