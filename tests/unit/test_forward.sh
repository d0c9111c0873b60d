#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate events --forward' against a real syslog receiver: rsyslogd from
# Debian's archive (scripts/setup installs it; this test installs nothing),
# run with its own config and work directory, listening on loopback only on
# unprivileged ports (imtcp with RFC 6587 octet counting, imudp). Its
# mmpstrucdata module parses the RFC 5424 structured data, and a template
# writes the fields it parsed as one JSON object per message; the test
# checks every record arrived and decodes to what the recorded stream held.
# Skips (TAP SKIP) when rsyslogd is not installed; never leaves it running.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_forward.sh
set -u

HG=${HASHGATE:-$(dirname "$0")/../../build/asan/hashgate}
HG=$(cd "$(dirname "$HG")" && pwd)/$(basename "$HG")
cd "$(dirname "$0")" || exit 1
here=$(pwd)
bin=$here/golden/events.bin
nrec=$(python3 -c 'import check_formats as cf, sys
print(len(list(cf.records(sys.argv[1]))))' "$bin")
tmp=$(mktemp -d /tmp/hg-fwd-XXXXXX)
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		# rsyslogd is not our child once started as a daemon-less -n
		# background job of a subshell; wait for it by polling.
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
n=0
fail=0
export HASHGATE_HOSTNAME=host-01

result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		for f in "$tmp/err" "$tmp/check"; do
			[ -s "$f" ] && sed 's/^/# /' "$f"
		done
		fail=1
	fi
	: >"$tmp/err"
	: >"$tmp/check"
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# Free loopback ports: bound and released; rsyslogd takes them right after.
free_port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, getattr(socket, "SOCK_" + sys.argv[1]))
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

# listening PORT PID: until 127.0.0.1:PORT answers (10 s at most), while
# PID lives.
listening() {
	i=0
	until python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
}

# start_rsyslogd NAME TCP-PORT UDP-PORT|tls: config, work dir, log NAME.log.
# With tls, TCP-PORT takes TLS only (the ossl driver, the CA, the receiver's
# certificate and key in $tmp), and requires a client certificate.
start_rsyslogd() {
	name=$1
	mkdir -p "$tmp/$name.work"
	if [ "$3" = tls ]; then
		global="DefaultNetstreamDriver=\"ossl\"
       DefaultNetstreamDriverCAFile=\"$tmp/ca.pem\"
       DefaultNetstreamDriverCertFile=\"$tmp/receiver.pem\"
       DefaultNetstreamDriverKeyFile=\"$tmp/receiver.key\""
		modules='module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1"
       StreamDriver.AuthMode="x509/certvalid")'
		udp_input=
	else
		global= modules='module(load="imtcp")
module(load="imudp")'
		udp_input="input(type=\"imudp\" address=\"127.0.0.1\" port=\"$3\" ruleset=\"in\")"
	fi
	cat >"$tmp/$name.conf" <<CONF
global(workDirectory="$tmp/$name.work" maxMessageSize="64k"
       $global)
$modules
module(load="mmpstrucdata")
template(name="fields" type="string" string="{\"pri\":\"%pri%\",\"version\":\"%protocol-version%\",\"timestamp\":\"%timereported:::date-rfc3339%\",\"hostname\":\"%hostname:::json%\",\"app\":\"%app-name:::json%\",\"procid\":\"%procid:::json%\",\"msgid\":\"%msgid:::json%\",\"sd\":\"%\$!rfc5424-sd:::json%\",\"rawsd\":\"%structured-data:::json%\",\"msg\":\"%msg:::json%\",\"input\":\"%inputname%\"}\n")
ruleset(name="in") {
	action(type="mmpstrucdata")
	action(type="omfile" file="$tmp/$name.log" template="fields")
}
input(type="imtcp" address="127.0.0.1" port="$2" ruleset="in")
$udp_input
CONF
	"$rsyslogd" -n -f "$tmp/$name.conf" -i "$tmp/$name.pid" \
		>"$tmp/$name.out" 2>&1 &
	pids="$pids $!"
	# Listening once it answers on the TCP port.
	if ! listening "$2" $!; then
		sed 's/^/# rsyslogd: /' "$tmp/$name.out"
		return 1
	fi
}

# wait_lines FILE N: until FILE has N lines (rsyslogd writes asynchronously)
wait_lines() {
	i=0
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# verify LOG FIRST-LINE FORMAT: lines FIRST.. of LOG are the golden records
verify() {
	python3 - "$1" "$2" "$3" "$bin" >"$tmp/check" 2>&1 <<'PY'
import json, re, sys
sys.path.insert(0, '.')
import check_formats as cf
log, first, fmt, binf = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = open(log, encoding='utf-8').read().splitlines()[first - 1:]
recs = list(cf.records(binf))
bad = []
if len(lines) != len(recs):
    bad.append(f'{len(lines)} messages received for {len(recs)} records')
msgid = {1: None, 2: 'LIST_LOAD', 3: 'MODE', 4: 'LIST_REJECT', 5: 'KEY_ADD',
         6: 'SETTING', 7: 'LOAD', 8: 'HEARTBEAT'}
exec_msgid = r'(EXEC|WRITE|MEMORY|ACCESS)_(DENY|WOULD_DENY|ALLOW|UNKNOWN)'
for n, (line, r) in enumerate(zip(lines, recs), 1):
    try:
        m = json.loads(line)
        m['sd'] = json.loads(m['sd']) if m['sd'] else {}
        assert m['version'] == '1', 'not parsed as RFC 5424'
        assert m['hostname'] == 'host-01', m['hostname']
        assert m['app'] == 'hashgate', m['app']
        assert m['procid'].isdigit(), m['procid']
        assert m['timestamp'].startswith('2026-11-27T23:41:02.12'), m['timestamp']
        want = msgid.get(r['type'], 'UNKNOWN')
        assert want is None and re.fullmatch(exec_msgid, m['msgid']) or \
            m['msgid'] == want, m['msgid']
        if fmt == 'syslog':
            sd = m['sd']['hashgate@32473']
            assert int(sd['seq']) == r['seq'], sd['seq']
            cut = sd.get('truncated') == '1'
            if r['type'] == 1 and r['path']:
                assert cf.path_matches(sd['path'], cf.display(r['path']), cut), \
                    f'path {sd["path"][:60]!r} != {cf.display(r["path"])[:60]!r}'
            elif r['type'] == 1:
                assert 'path' not in sd, 'a path for a record without one'
            if r['type'] == 1:
                assert cf.path_matches(sd['exe'], cf.display(r['exe']), cut) \
                    if r['exe'] else 'exe' not in sd
                assert not r['flags'] & 1 or len(sd['sha256']) == 64
                assert m['rawsd'].startswith('[hashgate@32473 seq=')
        else:
            assert m['sd'] == {} and m['rawsd'] == '-', m['rawsd']
            cf.errors.clear()
            f = {'cef': cf.parse_cef, 'json': cf.parse_json,
                 'leef': cf.parse_leef}[fmt](m['msg'].lstrip(' '))
            assert f['seq'] == r['seq']
            if r['type'] == 1 and r['path']:
                want = cf.want_path(fmt, r['path'])
                assert cf.path_matches(f['path'], want, f['truncated']), \
                    f'path {f["path"]!r:.60}'
            elif r['type'] == 1:
                assert f['path'] is None, 'a path for a record without one'
    except (AssertionError, KeyError, ValueError, TypeError) as e:
        bad.append(f'message {n}: {e!r}: {line[:160]}')
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY
}

# RSYSLOGD= (empty) forces the skip, to test it.
rsyslogd=${RSYSLOGD-$(command -v rsyslogd || ls /usr/sbin/rsyslogd 2>/dev/null)}

# Sending-side accounting needs no receiver: a closed port.
closed=$(free_port STREAM)
"$HG" events --input "$bin" --forward "tcp://127.0.0.1:$closed" --timeout 1 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot connect to 'tcp://127.0.0.1:$closed'" "$tmp/err" &&
	grep -q "forwarded 0 of $nrec records .*; $nrec dropped (0 queue full, $nrec undelivered)" \
		"$tmp/err" && [ ! -s "$tmp/out" ]
result $? "receiver down: every record counted as dropped, exit 1"

"$HG" events --input "$bin" --forward "tcp://127.0.0.1:$closed" --timeout 0 \
	--queue 2 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "forward queue full (2 records)" "$tmp/err" &&
	grep -q "$nrec dropped ($((nrec - 2)) queue full, 2 undelivered)" "$tmp/err"
result $? "bounded queue: overflow dropped, reported and counted"

"$HG" events --input "$bin" --forward "http://127.0.0.1:1" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "invalid forward URL" "$tmp/err"
result $? "unsupported URL exits 2"
for url in udp://127.0.0.1:99999 tcp://127.0.0.1:0 udp://127.0.0.1:12x udp://host:; do
	"$HG" events --input "$bin" --forward "$url" >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "invalid forward URL" "$tmp/err"
	result $? "--forward $url is a usage error, not another port"
done

if [ -z "$rsyslogd" ]; then
	for t in "tcp: $nrec of $nrec records sent, exit 0" \
		 "TCP syslog: rsyslogd parsed every record and its SD" \
		 "udp: $nrec of $nrec records sent, exit 0" \
		 "UDP syslog: rsyslogd parsed every record and its SD" \
		 "TCP CEF in RFC 5424: rsyslogd got every record" \
		 "UDP JSON in RFC 5424: rsyslogd got every record" \
		 "TCP LEEF in RFC 5424: rsyslogd got every record" \
		 "TCP reconnect: receiver started late, nothing lost"; do
		skip "$t" "rsyslogd not installed (scripts/setup installs it)"
	done
	echo "1..$n"
	exit $fail
fi

tcp=$(free_port STREAM)
udp=$(free_port DGRAM)
if ! start_rsyslogd r1 "$tcp" "$udp"; then
	result 1 "rsyslogd starts on 127.0.0.1:$tcp/$udp"
	echo "1..$n"
	exit 1
fi

line=1
for proto in tcp udp; do
	port=$tcp
	[ $proto = udp ] && port=$udp
	"$HG" events --input "$bin" --forward "$proto://127.0.0.1:$port" 2>"$tmp/err"
	rc=$?
	grep -q "forwarded $nrec of $nrec records" "$tmp/err" && [ $rc -eq 0 ]
	result $? "$proto: $nrec of $nrec records sent, exit 0"
	wait_lines "$tmp/r1.log" $((line + nrec - 1))
	verify "$tmp/r1.log" $line syslog
	result $? "$(echo $proto | tr a-z A-Z) syslog: rsyslogd parsed every record and its SD"
	line=$((line + nrec))
done

for spec in tcp:cef udp:json tcp:leef; do
	proto=${spec%:*} fmt=${spec#*:}
	port=$tcp
	[ $proto = udp ] && port=$udp
	"$HG" events --input "$bin" --format $fmt --forward "$proto://127.0.0.1:$port" \
		2>"$tmp/err"
	wait_lines "$tmp/r1.log" $((line + nrec - 1))
	verify "$tmp/r1.log" $line $fmt
	result $? "$(echo $proto | tr a-z A-Z) $(echo $fmt | tr a-z A-Z) in RFC 5424: rsyslogd got every record"
	line=$((line + nrec))
done

# Reconnect with backoff: the sender starts first, the receiver a second later.
tcp2=$(free_port STREAM)
udp2=$(free_port DGRAM)
"$HG" events --input "$bin" --forward "tcp://127.0.0.1:$tcp2" --timeout 20 \
	2>"$tmp/late.err" &
sender=$!
sleep 1
start_rsyslogd r2 "$tcp2" "$udp2"
wait "$sender"
rc=$?
cp "$tmp/late.err" "$tmp/err"
wait_lines "$tmp/r2.log" $nrec
[ $rc -eq 0 ] && grep -q "cannot connect to" "$tmp/err" &&
	grep -q "connected to 'tcp://127.0.0.1:$tcp2'" "$tmp/err" &&
	verify "$tmp/r2.log" 1 syslog
result $? "TCP reconnect: receiver started late, nothing lost"

# The spool: what the receiver did not acknowledge stays on disk, and the
# next run, or the reconnect, sends it first, once, in order.
sp=$(free_port STREAM)
"$HG" events --input "$bin" --forward "tcp://127.0.0.1:$sp" --spool "$tmp/spool" \
	--timeout 1 >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "forwarded 0 of $nrec records .*; 0 dropped" "$tmp/err" &&
	grep -q "$nrec records wait in the spool $tmp/spool for the next run" "$tmp/err"
result $? "spool, receiver down: all $nrec records kept on disk, none dropped, exit 0"
start_rsyslogd r4 "$sp" "$(free_port DGRAM)" >"$tmp/err"
"$HG" events --input /dev/null --forward "tcp://127.0.0.1:$sp" --spool "$tmp/spool" \
	2>"$tmp/err"
rc=$?
wait_lines "$tmp/r4.log" $nrec
[ $rc -eq 0 ] && grep -q "0 records wait in the spool" "$tmp/err" &&
	verify "$tmp/r4.log" 1 syslog && [ ! -s "$tmp/spool/spool" ]
result $? "spool: the next run sends them first, each once, in order; the spool is emptied"

# A receiver restarted in the middle of the stream misses nothing.
mkfifo "$tmp/sp.fifo"
python3 split_records.py "$bin" 10 "$tmp/first.bin" "$tmp/rest.bin"
sp2=$(free_port STREAM)
udp5=$(free_port DGRAM)
start_rsyslogd r5 "$sp2" "$udp5" >"$tmp/err"
"$HG" events --input "$tmp/sp.fifo" --forward "tcp://127.0.0.1:$sp2" --spool "$tmp/spool2" \
	--timeout 20 2>"$tmp/sp2.err" &
sender=$!
exec 7>"$tmp/sp.fifo"
cat "$tmp/first.bin" >&7
wait_lines "$tmp/r5.log" 10
r5=$(cat "$tmp/r5.pid")
kill "$r5"
while kill -0 "$r5" 2>/dev/null; do sleep 0.1; done
cat "$tmp/rest.bin" >&7
# Closed before rsyslogd starts, which would hold it open: the end of input.
exec 7>&-
sleep 1
start_rsyslogd r5 "$sp2" "$udp5" >>"$tmp/err"
wait $sender
rc=$?
cat "$tmp/sp2.err" >>"$tmp/err"
wait_lines "$tmp/r5.log" $nrec
[ $rc -eq 0 ] && grep -q "connection lost to\|cannot connect to" "$tmp/err" &&
	verify "$tmp/r5.log" 1 syslog
result $? "spool: a receiver restarted mid-stream gets every record once, in order"

# A receiver that stalls and then resets the connection: what its TCP did
# not acknowledge is sent again to the next connection, in order; only what
# it acknowledged and never read (its receive queue at the reset) is lost,
# which is all a syslog stream can promise.
cat >"$tmp/staller.py" <<'PY'
import json, re, socket, struct, sys, termios, fcntl, time
out = sys.argv[1]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
ls.bind(('127.0.0.1', 0))
ls.listen(2)
print(ls.getsockname()[1], flush=True)
ls.settimeout(60)                  # a forwarder that never came: fail, not hang

def frames(data):
    seqs, off = [], 0
    while True:
        sp = data.find(b' ', off)
        if sp < 0 or not data[off:sp].isdigit():
            return seqs
        end = sp + 1 + int(data[off:sp])
        if end > len(data):
            return seqs
        seqs.append(int(re.search(rb' seq="(\d+)"', data[sp + 1:end]).group(1)))
        off = end

c1, _ = ls.accept()
time.sleep(2)                      # read nothing: the forwarder stalls
queued = struct.unpack('i', fcntl.ioctl(c1, termios.FIONREAD, b'\0' * 4))[0]
got = b''
while len(got) < queued:           # what its TCP acknowledged, unread
    got = c1.recv(queued, socket.MSG_PEEK)
c1.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
c1.close()                         # reset: that is lost
ls.settimeout(30)                  # no second connection: nothing came again
data = b''
try:
    c2, _ = ls.accept()
    c2.settimeout(60)
    while True:
        b = c2.recv(65536)
        if not b:
            break
        data += b
except socket.timeout:
    pass
json.dump({'lost': frames(got), 'second': frames(data)}, open(out, 'w'))
PY
python3 "$tmp/staller.py" "$tmp/staller.json" >"$tmp/staller.port" 2>"$tmp/staller.err" &
staller=$!
i=0
while [ ! -s "$tmp/staller.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
for i in 1 2 3 4 5 6 7 8; do cat "$bin"; done >"$tmp/many.bin"
"$HG" events --input "$tmp/many.bin" --forward "tcp://127.0.0.1:$(cat "$tmp/staller.port")" \
	--spool "$tmp/spool4" --timeout 60 >/dev/null 2>"$tmp/err"
rc=$?
wait $staller
cat "$tmp/staller.err" >>"$tmp/err"
[ $rc -eq 0 ] && python3 - "$tmp/staller.json" "$tmp/many.bin" >>"$tmp/err" 2>&1 <<'PY'
import json, sys
sys.path.insert(0, '.')
import check_formats as cf
got = json.load(open(sys.argv[1]))
want = [r['seq'] for r in cf.records(sys.argv[2])]
lost, second = got['lost'], got['second']
# The second connection starts at or before the first record not wholly
# acknowledged, and then has every record once, in order.
j = len(want) - len(second)
ok = want[:len(lost)] == lost and 0 <= j <= len(lost) and second == want[j:]
print(f'{len(want)} records; acknowledged unread {len(lost)}; then {len(second)} '
      f'from record {j + 1}' + ('' if ok else ': records missing or repeated'))
sys.exit(0 if ok else 1)
PY
result $? "spool: after a reset, everything the receiver's TCP did not acknowledge comes again"

# Its bound: beyond it records are dropped, counted and said.
"$HG" events --input "$tmp/many.bin" --forward "tcp://127.0.0.1:$closed" \
	--spool "$tmp/spool3" --spool-max 65536 --timeout 0 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "spool full while sending to" "$tmp/err" &&
	grep -q "forwarded 0 of $((8 * nrec)) records .*; [1-9][0-9]* dropped ([1-9][0-9]* queue full" "$tmp/err" &&
	[ "$(stat -c %s "$tmp/spool3/spool")" -le 65536 ]
result $? "spool: past --spool-max records are dropped, counted and reported"

# TLS (RFC 5425): a CA, the receiver's certificate for 127.0.0.1, a client
# certificate the receiver requires, and what must be refused: another CA,
# a certificate for another name.
mkcert() {	# mkcert NAME CA SAN: NAME.pem and NAME.key, signed by CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$1" -keyout "$tmp/$1.key" -out "$tmp/$1.csr" 2>>"$tmp/openssl.log" &&
	printf 'subjectAltName=%s\n' "$3" >"$tmp/$1.ext" &&
	openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.pem" -CAkey "$tmp/$2.key" \
		-CAcreateserial -days 2 -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" 2>>"$tmp/openssl.log"
}
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$1" -keyout "$tmp/$1.key" -out "$tmp/$1.pem" 2>>"$tmp/openssl.log"
}
mkca ca && mkca other-ca && mkcert receiver ca "IP:127.0.0.1" &&
	mkcert elsewhere ca "DNS:elsewhere.example" && mkcert client ca "DNS:host-01"
result $? "TLS test certificates made (openssl)"

tls=$(free_port STREAM)
start_rsyslogd r3 "$tls" tls >"$tmp/err"
result $? "rsyslogd (ossl, client certificates required) listens on 127.0.0.1:$tls"

"$HG" events --input "$bin" --forward "tls://127.0.0.1:$tls" --tls-ca "$tmp/ca.pem" \
	--tls-cert "$tmp/client.pem" --tls-key "$tmp/client.key" 2>"$tmp/err"
rc=$?
wait_lines "$tmp/r3.log" $nrec
[ $rc -eq 0 ] && grep -q "forwarded $nrec of $nrec records" "$tmp/err" &&
	verify "$tmp/r3.log" 1 syslog
result $? "TLS syslog: rsyslogd verified us, parsed every record and its SD"

# The same from hashgate.conf, in JSON.
cat >"$tmp/hashgate.conf" <<CONF
forward = tls://127.0.0.1:$tls
format = ecs
forward_tls_ca = $tmp/ca.pem
forward_tls_cert = $tmp/client.pem
forward_tls_key = $tmp/client.key
CONF
"$HG" events --input "$bin" --from-config --config "$tmp/hashgate.conf" 2>"$tmp/err"
rc=$?
wait_lines "$tmp/r3.log" $((2 * nrec))
[ $rc -eq 0 ] && verify "$tmp/r3.log" $((nrec + 1)) json
result $? "TLS JSON from hashgate.conf's forward_tls_* keys: every record"

"$HG" events --input "$bin" --forward "tls://127.0.0.1:$tls" --tls-ca "$tmp/other-ca.pem" \
	--tls-cert "$tmp/client.pem" --tls-key "$tmp/client.key" --timeout 1 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "receiver.s certificate is refused: .*certificate" "$tmp/err" &&
	grep -q "forwarded 0 of $nrec" "$tmp/err"
result $? "TLS: a receiver whose certificate another CA signed is refused, and says why"

wrong=$(free_port STREAM)
openssl s_server -quiet -accept "$wrong" -cert "$tmp/elsewhere.pem" -key "$tmp/elsewhere.key" \
	</dev/null >"$tmp/s_server.out" 2>&1 &
pids="$pids $!"
listening "$wrong" $!
"$HG" events --input "$bin" --forward "tls://127.0.0.1:$wrong" --tls-ca "$tmp/ca.pem" \
	--timeout 1 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "receiver's certificate is refused: IP address mismatch" "$tmp/err" &&
	grep -q "forwarded 0 of $nrec" "$tmp/err"
result $? "TLS: a certificate for another host is refused, and says why"

for bad in "--tls-ca $tmp/nonesuch.pem:cannot load the TLS CA file" \
	    "--tls-cert $tmp/client.pem --tls-key $tmp/other-ca.key:cannot load the TLS client key"; do
	# shellcheck disable=SC2086
	"$HG" events --input "$bin" --forward "tls://127.0.0.1:$tls" ${bad%%:*} \
		>/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "${bad#*:}" "$tmp/err"
	result $? "TLS: ${bad#*:} is a clear error before anything is sent"
done
"$HG" events --input "$bin" --forward "tcp://127.0.0.1:$tcp" --tls-ca "$tmp/ca.pem" \
	>/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "TLS options need a tls:// URL" "$tmp/err"
result $? "TLS options with a tcp:// URL are refused, not ignored"

echo "1..$n"
exit $fail
