#!/bin/bash
# tests/vm/selftest.sh [KERNEL]...: check scripts/vm-run itself.
#
# For each kernel (default: 6.1 and 6.12) it boots a handful of guests and
# checks what vm-run promises: the console is streamed, exit statuses and
# awkward arguments get through, --disk and --add work, the modules the
# guest needs load, and a kernel crash, a kernel warning or a hang is
# reported as failure. About 70 s per kernel under TCG.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
vm_run=$top/scripts/vm-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# check NAME WANT_STATUS GREP_PATTERN VM-RUN-ARGUMENTS...
# Passes when vm-run exits WANT_STATUS and its output matches the pattern.
check() {
	local name=$1 want=$2 pattern=$3 start rc secs
	shift 3

	start=$EPOCHREALTIME
	"$vm_run" --kernel "$kernel" "$@" >"$tmp/out" 2>&1
	rc=$?
	secs=$(awk "BEGIN { print $EPOCHREALTIME - $start }")
	if [ "$rc" = "$want" ] && grep -qaE -- "$pattern" "$tmp/out"; then
		printf 'PASS %-5s %-12s %5.1f s\n' "$kernel" "$name" "$secs"
		# An expected failure's saved console log is of no interest.
		sed -n 's/^vm-run: console log: //p' "$tmp/out" | xargs -r rm -f
		return
	fi
	printf 'FAIL %-5s %-12s %5.1f s (exit %s, wanted %s; no match for /%s/?)\n' \
		"$kernel" "$name" "$secs" "$rc" "$want" "$pattern"
	tail -n 30 "$tmp/out" | sed 's/^/    /'
	failed=1
}

# vm-run gives qemu a -pidfile in its temp dir and removes that dir on exit,
# so a qemu whose pidfile directory is gone outlived its vm-run. (Other
# vm-runs going on meanwhile still have theirs.)
leaked_qemu() {
	local pid pidfile

	for pid in $(pgrep -f "^qemu-system-x86_64 "); do
		pidfile=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
			sed -n '/^-pidfile$/{n;p}')
		case $pidfile in
		"$top"/build/vm/run.*) [ -d "${pidfile%/*}" ] || return 0 ;;
		esac
	done
	return 1
}

run_kernel() {
	kernel=$1

	check smoke 0 '^hi' -- /bin/sh -c 'uname -r; echo hi'
	check exit-status 3 . -- sh -c 'exit 3'
	check arguments 0 "^<a b><c'd><e\"f><>\\\$" \
		-- sh -c 'printf "<%s>" "$@"; echo \$' sh 'a b' "c'd" 'e"f' ''
	check disk 0 '^disk ok' --disk "$tmp/disk" \
		-- sh -c 'grep -qx "hello disk" /mnt/disk/hello.txt && touch /mnt/disk/w && echo disk ok'
	# ba78... is sha256("abc"); --version proves it is coreutils, not busybox.
	check add-dynamic 0 '^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' \
		--add /usr/bin/sha256sum \
		-- sh -c '/usr/bin/sha256sum --version | grep -q coreutils && printf abc | sha256sum'
	check modules 0 '^modules ok' \
		-- sh -c 'modprobe overlay && grep -qw overlay /proc/filesystems &&
			modprobe sha256_ssse3 && echo modules ok'
	check crash 125 'Kernel panic' -- sh -c 'echo c > /proc/sysrq-trigger'
	# Only kernel lines count: not COMMAND's output, not a verbose boot.
	check kmsg-warning 125 'kernel trouble' \
		-- sh -c 'echo "<4>WARNING: fake" >/dev/kmsg'
	check quiet-scan 0 '^WARNING: not the kernel' --append loglevel=8 \
		-- echo 'WARNING: not the kernel'
	check timeout 125 'timed out' --timeout 15 -- sleep 1000
}

mkdir -p "$tmp/disk"
echo "hello disk" >"$tmp/disk/hello.txt"
[ $# -gt 0 ] || set -- 6.1 6.12
for k in "$@"; do
	run_kernel "$k"
done
if leaked_qemu; then
	echo "FAIL a qemu outlived its vm-run"
	failed=1
fi
exit "$failed"
