#!/bin/sh
# scripts/bench/guest.sh: the benchmark inside the VM (busybox sh, as PID 1's
# child). Prints one line per measurement:
#   R <kernel> <workload> <config> <run> <metric> <value>
# and "NOTE ..." lines the host copies into the results file.
#
# usage: guest.sh normal|ima|ima-appraise|lists|events|storm|storms RUNS EXEC_N \
#                 LIB_ROUNDS COLD_N \
#                 EVENTS_N "LIST_SIZES"
# scripts/bench/run uses normal (workloads 1-6), ima and ima-appraise (1-4,
# booted with IMA's measurement, and measurement and appraisal); the others
# (see below) split a run over more boots. scripts/bench/run --arch arm64
# uses storms (workloads 1-2 only, every hashgate configuration).
set -u
storm=
boot=$1 runs=$2 exec_n=$3 lib_rounds=$4 cold_n=$5 events_n=$6 list_sizes=$7
D=/mnt/disk
KV=$(uname -r)
SFS=/sys/kernel/security/hashgate
LIST=/tmp/bench.list
PATH=/usr/sbin:/usr/bin:/sbin:/bin

emit() { echo "R $KV $*"; }
note() { echo "NOTE $KV $*"; }
die() { echo "bench: $*" >&2; exit 1; }
stat_of() { sed -n "s/^$1 //p" $SFS/stats; }
hgb() { /bench/hgb "$@"; }

# The storms boots' disk (arm64: make storms) has no cold-start copies.
ls $D/cold 2>/dev/null | grep '^c' | head -n "$cold_n" | sed "s|^|$D/cold/|" >/tmp/coldlist
# The SHA-256 driver a server would have: x86-64's AVX2/SHA-NI one, arm64's
# on the Cryptography Extension (whichever exists; both are modules).
modprobe sha256_ssse3 2>/dev/null
modprobe sha2_ce 2>/dev/null

# Every list loaded gets a larger serial than the one before: the module
# may refuse a list older than one it has seen (ESTALE).
SERIAL=$(($(date +%s) * 1000))
next_serial() { SERIAL=$((SERIAL + 1)); }

# --- hashgate states -------------------------------------------------------
loaded() { [ -d $SFS ]; }
hg_unload() {
	loaded || return 0
	[ "$(cat $SFS/mode)" = enforce ] && { hashgate mode audit >/dev/null || die "mode audit"; }
	hashgate module unload >/dev/null || die "module unload"
}
# hg_set MODE: module loaded (freshly if it was not), bench list, MODE.
hg_set() {
	loaded || { hashgate module load >/dev/null || die "module load"; }
	# The allowlist file: "SERIAL DIGESTS ...", "0 0 - -" without a list.
	[ "$(cut -d' ' -f2 $SFS/allowlist)" = 0 ] && { next_serial; hashgate load --serial $SERIAL $LIST >/dev/null || die "list load"; }
	hashgate mode "$1" >/dev/null || die "mode $1"
}
# Reloading the list drops every cached verdict: the next mapping hashes.
hg_flush() { next_serial; hashgate load --serial $SERIAL $LIST >/dev/null || die "list reload"; }

# --- fapolicyd -------------------------------------------------------------
fapo_ok=0
fapo_pid=
fapo_setup() {
	[ -x /usr/sbin/fapolicyd ] || { note "fapolicyd: not in the guest (see host log)"; return; }
	mkdir -p /var/lib/fapolicyd /run/fapolicyd /var/log /etc/fapolicyd/rules.d
	grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/:/bin/sh' >>/etc/passwd
	grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >>/etc/group
	echo 'fapolicyd:x:0:0::/var/lib/fapolicyd:/bin/false' >>/etc/passwd
	echo 'fapolicyd:x:0:' >>/etc/group
	fapo_start && fapo_ok=1
	fapo_stop
	[ $fapo_ok = 1 ] || note "fapolicyd: did not start; its log follows"
	[ $fapo_ok = 1 ] || sed 's/^/NOTE fapolicyd-log /' /tmp/fapolicyd.log | tail -n 30
}
fapo_start() {
	rm -f /run/fapolicyd/fapolicyd.fifo
	/usr/sbin/fapolicyd --debug-deny >/tmp/fapolicyd.log 2>&1 &
	fapo_pid=$!
	i=0
	while [ $i -lt 600 ]; do
		grep -q 'Starting to listen' /tmp/fapolicyd.log && return 0
		kill -0 $fapo_pid 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
fapo_stop() {
	[ -n "$fapo_pid" ] || return 0
	kill -TERM $fapo_pid 2>/dev/null
	wait $fapo_pid 2>/dev/null
	fapo_pid=
}

# --- workloads -------------------------------------------------------------
# $1 config, $2 run; $3 = warm|cold for hashgate (what precedes the timing).
w_exec() {
	case $3 in
	warm) hgb exec 20 $D/bin/tiny >/dev/null ;;
	cold) hg_flush ;;
	esac
	t=$(hgb exec "$exec_n" $D/bin/tiny) || note "exec $1 run $2: failures"
	emit "exec$storm" "$1" "$2" us_per_exec $((t / exec_n / 1000))
}
w_lib() {
	case $3 in
	warm) $D/bin/dlstorm $D/libs 1 50 >/dev/null ;;
	cold) hg_flush ;;
	esac
	t=$($D/bin/dlstorm $D/libs "$lib_rounds" 50) || note "lib $1 run $2: failed"
	emit "lib$storm" "$1" "$2" us_per_dlopen $((t / lib_rounds / 50 / 1000))
}
# Cold start and big binary: every file is rewritten with its own bytes first,
# so it is a changed file for hashgate, IMA and fapolicyd alike (same digest).
# Besides the average, the first exec and the median of the others: a cost
# paid once (whatever the first file drags in) would otherwise be spread over
# the file count, and the average would depend on that count.
w_cold() {
	hgb rewrite $(cat /tmp/coldlist)
	t=$(hgb execlist /tmp/coldlist) || note "cold $1 run $2: failures"
	set -- "$1" "$2" $t 0 -1 -1	# total first rest (ns); -1: none
	nf=$(grep -c . /tmp/coldlist)
	[ "$nf" -gt 0 ] || { note "cold $1 run $2: no files"; return; }
	emit cold "$1" "$2" us_per_exec $(($3 / nf / 1000))
	emit cold "$1" "$2" files "$nf"
	if [ "$5" -ge 0 ]; then
		emit cold "$1" "$2" first_exec_us $(($4 / 1000))
		emit cold "$1" "$2" per_file_us $(($5 / 1000))
	fi
}
w_big() {
	hgb rewrite $D/big/big
	t1=$(hgb time $D/big/big) || note "big $1 run $2: first exec failed"
	t2=$(hgb time $D/big/big)
	ts=$(hgb time /usr/bin/sha256sum $D/big/big)
	emit big "$1" "$2" first_exec_ms $((t1 / 1000000))
	emit big "$1" "$2" second_exec_ms $((t2 / 1000000))
	emit big "$1" "$2" sha256sum_ms $((ts / 1000000))
	emit big "$1" "$2" bytes "$(wc -c <$D/big/big)"
}

# One configuration, all exec workloads, in a fixed order. The storm and
# storms boots run only the exec and library storms.
storms_only() { [ "$boot" = storm ] || [ "$boot" = storms ]; }
run_config() {
	c=$1 r=$2
	case $c in
	base) hg_unload; w_exec $c $r -; w_lib $c $r -
		storms_only || { w_cold $c $r; w_big $c $r; } ;;
	enforce-warm | audit-warm)
		hg_set ${c%-warm}; w_exec $c $r warm; w_lib $c $r warm ;;
	enforce-cold | audit-cold)
		hg_set ${c%-cold}; w_exec $c $r cold; w_lib $c $r cold
		storms_only || { w_cold $c $r; w_big $c $r; } ;;
	fapolicyd)
		hg_unload
		fapo_start || { note "fapolicyd: start failed in run $r"; return; }
		w_exec $c $r warm; w_lib $c $r warm; w_cold $c $r; w_big $c $r
		fapo_stop ;;
	ima | ima-appraise) w_exec $c $r warm; w_lib $c $r warm; w_cold $c $r; w_big $c $r ;;
	esac
	# Every denial in these runs is a bug in the setup, not a result.
	if loaded && [ "$(stat_of denies)" != 0 ]; then
		note "unexpected denies in $c run $r:"; hashgate events | tail -n 3
	fi
}

# Allowlist load. An operator builds (and signs) the list once, off the
# server, and every server loads the compiled blob: "load" is
# 'hashgate load BLOB' into a freshly loaded module (the tool reads and
# checks the blob, the kernel copies, hashes and validates it), timed with
# /proc/meminfo read around it, once with the path index and once without.
# The text compile ('hashgate load -o', with and without --no-paths) is
# timed on its own, and so is sha256sum of the 64 MiB file, the target's
# yardstick, in the same run.
w_list_load() {	# w_list_load N RUN TAG BLOB
	hg_unload
	rm -rf /tmp/hs-list	# a fresh rollback floor: blobs are reloaded
	HASHGATE_STATE_DIR=/tmp/hs-list hashgate module load >/dev/null || die "module load"
	sync; echo 3 >/proc/sys/vm/drop_caches
	m0=$(hgb meminfo)
	t=$(HASHGATE_STATE_DIR=/tmp/hs-list hgb time /usr/sbin/hashgate load "$4") ||
		note "list $1 run $2: $3 load failed"
	m1=$(hgb meminfo)
	set -- "$1" "$2" "$3" "$4" $m0 $m1
	emit list "$1" "$2" "${3}load_ms" $((t / 1000000))
	emit list "$1" "$2" "${3}slab_kb" $(($7 - $5))
	emit list "$1" "$2" "${3}vmalloc_kb" $(($8 - $6))
	emit list "$1" "$2" "${3}blob_bytes" "$(wc -c <"$4")"
	emit list "$1" "$2" "${3}list_bytes" "$(stat_of list_bytes)"
	emit list "$1" "$2" "${3}bytes_per_digest" "$(stat_of list_bytes_per_digest)"
	emit list "$1" "$2" "${3}digests" "$(stat_of list_digests)"
}
w_list() {
	n=$1 r=$2
	next_serial
	tc=$(hgb time /usr/sbin/hashgate load --serial $SERIAL -o /tmp/blob$n /tmp/list$n) ||
		note "list $n run $r: compile failed"
	emit list "$n" "$r" compile_ms $((tc / 1000000))
	tc=$(hgb time /usr/sbin/hashgate load --no-paths --serial $SERIAL -o /tmp/blobnp$n /tmp/list$n) ||
		note "list $n run $r: compile --no-paths failed"
	emit list "$n" "$r" np_compile_ms $((tc / 1000000))
	w_list_load "$n" "$r" "" /tmp/blob$n
	w_list_load "$n" "$r" np_ /tmp/blobnp$n
	rm -f /tmp/blob$n /tmp/blobnp$n
	ts=$(hgb time /usr/bin/sha256sum $D/big/big)
	emit list "$n" "$r" sha256sum_64mib_ms $((ts / 1000000))
}

# Events: EVENTS_N would-denials (one per process) in audit mode.
w_events() {
	r=$1
	hashgate events --consume >/dev/null 2>&1	# drain
	e0=$(stat_of events) d0=$(stat_of events_dropped)
	t=$(hgb exec "$events_n" $D/denied)
	e1=$(stat_of events) d1=$(stat_of events_dropped) q=$(stat_of events_queued)
	emit events noreader "$r" us_per_exec $((t / events_n / 1000))
	emit events noreader "$r" queued $((e1 - e0))
	emit events noreader "$r" dropped $((d1 - d0))
	emit events noreader "$r" waiting "$q"
	emit events noreader "$r" unaccounted $((events_n - (e1 - e0) - (d1 - d0)))
	hashgate events --consume >/dev/null 2>&1

	e0=$(stat_of events) d0=$(stat_of events_dropped)
	rm -f /tmp/ev.out
	/bench/hgb evread /tmp/ev.out &
	rp=$!
	sleep 0.5
	t=$(hgb exec "$events_n" $D/denied)
	i=0
	while [ "$(stat_of events_queued)" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.3
	kill -TERM $rp; wait $rp
	e1=$(stat_of events) d1=$(stat_of events_dropped)
	set -- $(cat /tmp/ev.out 2>/dev/null) 0 0
	emit events reader "$r" us_per_exec $((t / events_n / 1000))
	emit events reader "$r" delivered "$2"
	emit events reader "$r" dropped $((d1 - d0))
	emit events reader "$r" unaccounted $((events_n - $2 - (d1 - d0)))

	# Reference: the same program, listed, same mode.
	t=$(hgb exec "$events_n" $D/bin/static)
	emit events allowed "$r" us_per_exec $((t / events_n / 1000))
}

rotate() {	# rotate N WORDS...: the words, starting at the Nth
	k=$1; shift
	k=$((k % $#))
	i=0; out=
	for w in "$@"; do [ $i -ge $k ] && out="$out $w"; i=$((i + 1)); done
	i=0
	for w in "$@"; do [ $i -lt $k ] && out="$out $w"; i=$((i + 1)); done
	echo $out
}

echo "bench: $boot boot on $KV, $(grep -c ^processor /proc/cpuinfo) vCPU, runs=$runs"
if [ "$boot" = ima ] || [ "$boot" = ima-appraise ]; then
	[ -r /sys/kernel/security/ima/ascii_runtime_measurements ] || die "no IMA"
	m0=$(wc -l </sys/kernel/security/ima/ascii_runtime_measurements)
	$D/bin/tiny
	m1=$(wc -l </sys/kernel/security/ima/ascii_runtime_measurements)
	note "$boot: $(tr ' ' '\n' </proc/cmdline | grep '^ima_' | tr '\n' ' ')measurements $m0 -> $m1 after one exec from the disk; last: $(tail -n 1 /sys/kernel/security/ima/ascii_runtime_measurements | cut -c1-120)"
	note "$boot: crypto drivers for sha256: $(grep -A3 '^name *: sha256$' /proc/crypto | sed -n 's/^driver *: //p' | tr '\n' ' ')"
	if [ "$boot" = ima-appraise ]; then
		# The proof that appraisal is on: a program whose security.ima
		# does not match its content must not run; labelled ones must.
		$D/bin/tiny >/dev/null 2>&1 || die "ima-appraise: a correctly labelled program was refused"
		if $D/bin/ima-mislabelled 2>/dev/null; then
			die "ima-appraise: a mislabelled program ran: appraisal is not enforcing"
		fi
		note "$boot: a program whose security.ima does not match its content is refused, labelled ones run"
	fi
	for r in $(seq 1 "$runs"); do run_config $boot $r; done
	note "$boot: $(wc -l </sys/kernel/security/ima/ascii_runtime_measurements) measurements at the end"
	exit 0
fi

t0=$(date +%s)
hashgate build -o $LIST / $D >/dev/null || die "hashgate build"
note "allowlist for the exec workloads: $(grep -vc '^#' $LIST) entries, built in $(( $(date +%s) - t0 )) s"
# The denied program: the listed static one plus a byte, on the same disk.
cp $D/bin/static $D/denied && echo unlisted >>$D/denied
note "transparent hugepages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
# Boot kinds besides normal and ima, to split a run over several boots:
# "lists" runs only workload 5, "events" only workload 6, "storm" only the
# exec and library storms in base and enforce-warm (to judge the 3% target
# with more runs), "storms" the exec and library storms in every hashgate
# configuration and nothing else (arm64: no fapolicyd, no IMA boots).
runs_exec=$runs runs_events=${HG_EVENT_RUNS:-$runs}
[ "$boot" = events ] && list_sizes= runs_exec=0
[ "$boot" = lists ] && runs_exec=0 runs_events=0
[ "$boot" = storm ] && list_sizes= runs_events=0 storm=2	# exec2, lib2
[ "$boot" = storms ] && list_sizes= runs_events=0
[ $runs_exec = 0 ] || storms_only || fapo_setup
configs="base enforce-warm enforce-cold audit-warm audit-cold"
[ $fapo_ok = 1 ] && configs="$configs fapolicyd"
[ "$boot" = storm ] && configs="base enforce-warm"
for r in $(seq 1 "$runs_exec"); do
	for c in $(rotate $((r - 1)) $configs); do run_config $c $r; done
done
hg_unload
hashgate module load >/dev/null
note "hash_driver: $(stat_of hash_driver); $(dmesg | grep -o 'sha256 implementations: .*' | tail -n 1)"
[ "$boot" = storms ] && { hg_unload; exit 0; }

for n in $list_sizes; do hgb genlist "$n" "$n" >/tmp/list$n; done
# Transparent hugepages off for the list phase: with THP "always" the tool's
# compile of 100k digests took 30 s instead of 3 and once soft-locked a
# guest in a huge-page fault (TCG on a starved host); see performance.rst.
thp=/sys/kernel/mm/transparent_hugepage/enabled
thp_was=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp 2>/dev/null)
if [ -n "$list_sizes" ] && [ -n "$thp_was" ]; then
	echo never >$thp && note "transparent hugepages: $thp_was, set to never for the list loads"
fi
[ -n "$list_sizes" ] && for r in $(seq 1 "$runs"); do
	for n in $(rotate $((r - 1)) $list_sizes); do w_list $n $r; done
done
[ -n "$thp_was" ] && echo "$thp_was" >$thp
rm -f /tmp/list*

# The ring is scaled with EVENTS_N (4096 records for 10,000 denials by
# default) so that a run without a reader overflows it the same way.
hg_unload
hashgate module load --param event_ring=$((events_n * 4096 / 10000)) >/dev/null || die "module load"
note "events: event_ring $(cat /sys/module/hashgate/parameters/event_ring 2>/dev/null || echo "$((events_n * 4096 / 10000)) (asked)") for $events_n denials"
hg_set audit
for r in $(seq 1 "$runs_events"); do w_events $r; done
hg_unload
exit 0
