#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'hashgate events --forward' against syslog-ng, the other receiver SIEM
# pipelines run, from Debian's packages. syslog-ng conflicts with rsyslog
# (test_forward.sh), so scripts/setup unpacks syslog-ng-core and the
# libraries Debian 12 lacks without it into build/syslog-ng/ instead of
# installing it; it runs from there with its own config, on loopback only.
# Each format is parsed into fields by syslog-ng itself: the RFC 5424
# structured data by its syslog() source, JSON by json-parser, CEF and LEEF
# by kv-parser once their headers are cut (Debian's 3.38 has no cef-parser);
# plain TCP, UDP and TLS (the
# receiver verifying the forwarder's client certificate). Every record must
# arrive, in order, with its sequence number and allowlist serial in the
# parsed fields. Skips (TAP SKIP) when build/syslog-ng is missing.
# Usage: HASHGATE=build/asan/hashgate sh tests/unit/test_syslog_ng.sh
set -u

. "$(dirname "$0")/tap.sh"
cd "$(dirname "$0")" || exit 1
tap_init sng
here=$(pwd)
root=${SYSLOG_NG_ROOT-$here/../../build/syslog-ng/root}
bin=$here/golden/events.bin
pid=
export HASHGATE_HOSTNAME=host-01 HASHGATE_PASSWD="$here/golden/passwd"

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	i=0
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tests="syslog-ng starts on loopback
TCP syslog: every record, its structured data parsed
UDP JSON: every record, parsed by json-parser
TCP CEF: every record, parsed by kv-parser
TCP LEEF: every record, parsed by kv-parser
TLS syslog, client certificate verified: every record"
if [ ! -x "$root/usr/sbin/syslog-ng" ]; then
	echo "$tests" | while IFS= read -r t; do
		n=$((n + 1))
		echo "ok $n $t # SKIP build/syslog-ng missing (scripts/setup unpacks it)"
	done
	echo "1..$(echo "$tests" | wc -l)"
	exit 0
fi

port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, getattr(socket, "SOCK_" + sys.argv[1]))
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

# The TLS receiver's CA, certificate and the forwarder's client certificate.
mk() {	# mk NAME SAN: NAME.pem/.key signed by ca
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$tmp/$1.key" -out "$tmp/$1.csr" 2>>"$tmp/openssl.log" &&
	printf 'subjectAltName=%s\n' "$2" >"$tmp/$1.ext" &&
	openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
		-CAcreateserial -days 2 -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" 2>>"$tmp/openssl.log"
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=ca \
	-keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>>"$tmp/openssl.log" &&
	mk receiver IP:127.0.0.1 && mk client DNS:host-01 || cp "$tmp/openssl.log" "$tmp/err"

sys=$(port STREAM) json=$(port DGRAM) cef=$(port STREAM) leef=$(port STREAM) tls=$(port STREAM)
out() {	# out NAME: a file destination of one JSON object per message
	echo "destination d_$1 { file(\"$tmp/$1.log\" template(\"\$(format-json --scope rfc5424 --scope sdata --scope dot-nv-pairs)\\n\")); };"
}
cat >"$tmp/syslog-ng.conf" <<CONF
@version: 3.38
options { chain_hostnames(no); keep_hostname(yes); log_msg_size(65536); stats_freq(0); };
source s_sys { syslog(ip("127.0.0.1") port($sys) transport("tcp")); };
source s_json { syslog(ip("127.0.0.1") port($json) transport("udp")); };
source s_cef { syslog(ip("127.0.0.1") port($cef) transport("tcp")); };
source s_leef { syslog(ip("127.0.0.1") port($leef) transport("tcp")); };
source s_tls { syslog(ip("127.0.0.1") port($tls) transport("tls")
	tls(key-file("$tmp/receiver.key") cert-file("$tmp/receiver.pem")
	    ca-file("$tmp/ca.pem") peer-verify(required-trusted))); };
parser p_json { json-parser(prefix(".json.")); };
rewrite r_cef { subst("^CEF:0(\\\\|([^|\\\\\\\\]|\\\\\\\\.)*){6}\\\\|", "", value("MESSAGE")); };
parser p_cef { kv-parser(prefix(".cef.")); };
rewrite r_leef { subst("^LEEF:2\\\\.0\\\\|([^|]*\\\\|){4}\\\\^\\\\|", "", value("MESSAGE")); };
parser p_leef { kv-parser(prefix(".leef.") pair-separator("^")); };
$(out sys)
$(out json)
$(out cef)
$(out leef)
$(out tls)
log { source(s_sys); destination(d_sys); };
log { source(s_json); parser(p_json); destination(d_json); };
log { source(s_cef); rewrite(r_cef); parser(p_cef); destination(d_cef); };
log { source(s_leef); rewrite(r_leef); parser(p_leef); destination(d_leef); };
log { source(s_tls); destination(d_tls); };
CONF
lib=$root/usr/lib
LD_LIBRARY_PATH=$lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu:$lib/syslog-ng \
	"$root/usr/sbin/syslog-ng" -F -f "$tmp/syslog-ng.conf" --module-path="$lib/syslog-ng/3.38" \
	-R "$tmp/persist" -c "$tmp/ctl" -p "$tmp/pid" >"$tmp/syslog-ng.out" 2>&1 &
pid=$!
i=0
until python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$tls" 2>/dev/null; do
	i=$((i + 1))
	{ [ $i -ge 100 ] || ! kill -0 $pid 2>/dev/null; } && break
	sleep 0.1
done
cp "$tmp/syslog-ng.out" "$tmp/err"
[ $i -lt 100 ] && kill -0 $pid 2>/dev/null
result $? "syslog-ng starts on loopback"

# parsed LOG FORMAT: every golden record, in order, parsed into fields
parsed() {
	python3 - "$tmp/$1.log" "$2" "$bin" >"$tmp/err" 2>&1 <<'PY'
import json, sys, time
sys.path.insert(0, '.')
import check_formats as cf
log, fmt, binf = sys.argv[1:4]
recs = list(cf.records(binf))
for _ in range(100):
    try:
        lines = open(log, encoding='utf-8').read().split('\n')[:-1]
    except FileNotFoundError:
        lines = []
    if len(lines) >= len(recs):
        break
    time.sleep(0.1)
bad = [] if len(lines) == len(recs) else [f'{len(lines)} messages for {len(recs)} records']
for n, (line, r) in enumerate(zip(lines, recs), 1):
    try:
        m = json.loads(line)
        if fmt == 'syslog':
            sd = m['_SDATA']['hashgate@32473']
            seq, serial = sd['seq'], sd['serial']
        elif fmt == 'json':
            seq, serial = m['_json']['event']['sequence'], m['_json']['hashgate']['allowlist']['serial']
        elif fmt == 'cef':
            seq, serial = m['_cef']['externalId'], m['_cef']['cs6']
            assert m['_cef']['cs6Label'] == 'allowlistSerial'
        else:
            seq, serial = m['_leef']['seq'], m['_leef']['allowlistSerial']
        assert int(seq) == r['seq'], f'seq {seq} != {r["seq"]}'
        assert serial == str(r['serial']), f'serial {serial} != {r["serial"]}'
        assert m['PROGRAM'] == 'hashgate' and m['HOST'] == 'host-01', m['HOST']
    except (AssertionError, KeyError, ValueError) as e:
        bad.append(f'message {n}: {e!r}: {line[:200]}')
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY
}

send() {	# send FORMAT URL [OPTION...]
	fmt=$1 url=$2
	shift 2
	"$HG" events --input "$bin" --format "$fmt" --forward "$url" "$@" 2>"$tmp/send.err" ||
		{ cp "$tmp/send.err" "$tmp/err"; return 1; }
}

send syslog "tcp://127.0.0.1:$sys" && parsed sys syslog
result $? "TCP syslog: every record, its structured data parsed"
send json "udp://127.0.0.1:$json" && parsed json json
result $? "UDP JSON: every record, parsed by json-parser"
send cef "tcp://127.0.0.1:$cef" && parsed cef cef
result $? "TCP CEF: every record, parsed by kv-parser"
send leef "tcp://127.0.0.1:$leef" && parsed leef leef
result $? "TCP LEEF: every record, parsed by kv-parser"
send syslog "tls://127.0.0.1:$tls" --tls-ca "$tmp/ca.pem" --tls-cert "$tmp/client.pem" \
	--tls-key "$tmp/client.key" && parsed tls syslog
result $? "TLS syslog, client certificate verified: every record"

echo "1..$n"
exit $fail
