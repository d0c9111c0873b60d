#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Independent parsers for the formats of 'hashgate events', used by
test_formats.sh: each checks that every line is one valid record of its
format and decodes it, so the test can compare decoded fields with what the
binary record held.

    check_formats.py FORMAT FILE [EVENTS.BIN]

FORMAT is json, cef, leef or syslog. With EVENTS.BIN, every record is checked
against the binary record it came from:
- the sequence number and the allowlist serial (a u64, also 2^64-1);
- the path of exec records, shown as the formats show it: bytes that are not
  printable UTF-8 as \\xNN (CEF keeps CR and LF); a value cut to fit the
  record's size limit is a prefix ending with MARK, in a record flagged as
  truncated, and never in JSON; no path, inode or device field where the
  record has none (anonymous memory);
- what the record is about: a write to a file mapped executable is a file
  change, executable memory a process change, and a decision or type the
  tool does not know is never allowed (outcome unknown, high severity);
- JSON: every field outside "hashgate" is an ECS 8.11 field of the right
  type, with category/type pairs ECS allows;
- LEEF: no identity attribute for the reporting host, no policy for the
  serial; syslog: a byte order mark before MSG;
- runtime records (findings of the scan of resident code): the path as for
  exec records, a process only with a pid, and the page (offset, address
  unless 0, count, expected unless all zero, actual) as the record's
  struct hg_event_page holds it; a finding killed is never allowed.
Prints one line per failure; exits 1 if there was any.
"""
import json
import re
import struct
import sys

FMT = '<IBBBBQQQQQQIIIIIBBBB32s16sHHI'
HDR = struct.calcsize(FMT)
MARK = '...(truncated)'
BOM = '\ufeff'
errors = []

EXEC, KNOWN_TYPES, KNOWN_DECISIONS = 1, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 2}
HEARTBEAT, RUNTIME = 8, 9
RUNTIME_DECISIONS = {3: 'reported', 4: 'killed'}
F_PAGE = 0x20
PAGE_FMT = '<QQII16s16s'            # struct hg_event_page
WRITE_HOOKS = {5, 6, 11}            # write_open, truncate, write_map
MEMORY_HOOKS = {7, 8, 9, 10}        # forced_write, uffd_fill, personality, exec_stack
ANON_REASONS = {5, 6}               # memfd, anon-exec

# The ECS 8.11 fields the JSON format uses, with their types, and the
# event.type values ECS expects with each event.category it uses
# (from the ECS 8.11 field reference, ecs_flat.yml).
ECS_FIELDS = {
    '@timestamp': 'date', 'ecs.version': 'keyword', 'event.kind': 'keyword',
    'event.category': 'keyword', 'event.type': 'keyword', 'event.action': 'keyword',
    'event.outcome': 'keyword', 'event.reason': 'keyword', 'event.severity': 'long',
    'event.sequence': 'long', 'event.module': 'keyword', 'event.dataset': 'keyword',
    'observer.vendor': 'keyword', 'observer.product': 'keyword',
    'observer.version': 'keyword', 'host.hostname': 'keyword', 'host.name': 'keyword',
    'process.pid': 'long', 'process.executable': 'keyword', 'process.name': 'keyword',
    'process.parent.pid': 'long', 'user.id': 'keyword', 'user.name': 'keyword',
    'file.path': 'keyword', 'file.name': 'keyword', 'file.inode': 'keyword',
    'file.device': 'keyword', 'file.hash.sha256': 'keyword',
}
ECS_CATEGORY_TYPES = {
    'intrusion_detection': {'allowed', 'denied', 'info'},
    'process': {'access', 'change', 'end', 'info', 'start'},
    'library': {'start'},
    'file': {'access', 'change', 'creation', 'deletion', 'info'},
    'configuration': {'access', 'change', 'creation', 'deletion', 'info'},
    'driver': {'change', 'end', 'info', 'start'},
}
ECS_KINDS = {'alert', 'event', 'state'}
ECS_OUTCOMES = {'success', 'failure', 'unknown'}


def fail(lineno, msg):
    errors.append(f'line {lineno}: {msg}')


def records(path):
    data = open(path, 'rb').read()
    off = 0
    while off < len(data):
        f = struct.unpack_from(FMT, data, off)
        size, exe_len, path_len = f[0], f[-3], f[-2]
        exe = data[off + HDR:off + HDR + exe_len]
        p = data[off + HDR + exe_len:off + HDR + exe_len + path_len]
        page = None
        if f[2] == RUNTIME and f[3] & F_PAGE:
            at = off + ((HDR + exe_len + path_len + 7) & ~7)
            o, a, c, _, e, act = struct.unpack_from(PAGE_FMT, data, at)
            page = {'offset': str(o), 'address': '0x%x' % a if a else None,
                    'count': str(c), 'expected': e.hex() if any(e) else None,
                    'actual': act.hex() if any(act) else None}
        yield {'type': f[2], 'flags': f[3], 'seq': f[5], 'serial': f[9], 'ino': f[10],
               'pid': f[12], 'uid': f[14], 'auid': f[15], 'hook': f[16],
               'decision': f[18], 'reason': f[19], 'exe': exe, 'path': p, 'page': page}
        off += size


def subject(r):
    """What an exec record is about, as the tool classifies it."""
    if r['hook'] in WRITE_HOOKS:
        return 'write'
    if r['hook'] in MEMORY_HOOKS or (r['hook'] in (3, 4) and r['reason'] in ANON_REASONS):
        return 'memory'
    return {1: 'program', 2: 'mapping', 3: 'mapping', 4: 'mapping'}.get(r['hook'], 'unknown')


def unknown(r):
    return r['type'] not in KNOWN_TYPES or \
        (r['type'] == EXEC and r['decision'] not in KNOWN_DECISIONS) or \
        (r['type'] == RUNTIME and r['decision'] not in RUNTIME_DECISIONS)


def page_of(get):
    """A format's page fields, normalized as records() gives them; None
    without any. @get(name) is the field's value or None; names: offset,
    address, count, expected, actual."""
    p = {k: get(k) for k in ('offset', 'address', 'count', 'expected', 'actual')}
    if all(v is None for v in p.values()):
        return None
    return {k: None if v is None else str(v) for k, v in p.items()}


def display(b, keep_crlf=False):
    """Non-printable-UTF-8 bytes as \\xNN, the rest decoded."""
    out, i = [], 0
    while i < len(b):
        c = b[i]
        n = 1 if c < 0x80 else 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef \
            else 4 if 0xf0 <= c <= 0xf4 else 0
        ch = None
        if n:
            try:
                ch = b[i:i + n].decode('utf-8')
            except UnicodeDecodeError:
                ch = None
        if ch is None or len(ch) != 1 or ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f \
                or ch in '\u2028\u2029':
            if keep_crlf and c in (10, 13):
                out.append(chr(c))
            else:
                out.append('\\x%02x' % c)
            i += 1
        else:
            out.append(ch)
            i += n
    return ''.join(out)


def json_path(b):
    """What hg_escape_json() makes of @b, decoded: ill-formed bytes as Latin-1."""
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                ch = b[i:i + n].decode('utf-8')
                if len(ch) == 1:
                    out.append(ch)
                    i += n
                    break
            except UnicodeDecodeError:
                pass
        else:
            out.append(chr(b[i]))
            i += 1
    return ''.join(out)


def want_path(fmt, b):
    """The decoded path of a record in @fmt."""
    return {'json': json_path, 'cef': lambda p: display(p, keep_crlf=True),
            'leef': lambda p: display(p).replace('^', '\\x5e'),
            'syslog': display}[fmt](b)


def path_matches(got, want, truncated):
    """@got is @want, or, in a record flagged truncated, a prefix of it and MARK."""
    if got == want:
        return True
    return truncated and got.endswith(MARK) and want.startswith(got[:-len(MARK)])


def check_line_chars(lineno, line):
    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in '\u2028\u2029' for c in line):
        fail(lineno, 'raw control character in the record')


def flatten(d, prefix=''):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + '.'))
        else:
            out[prefix + k] = v
    return out


def check_ecs(d):
    """Every field outside hashgate is ECS 8.11's, of its type; pairs ECS allows."""
    for k, v in flatten(d).items():
        if k.startswith('hashgate.'):
            continue
        assert k in ECS_FIELDS, f'{k} is not an ECS 8.11 field'
        t = ECS_FIELDS[k]
        ok = isinstance(v, int) and not isinstance(v, bool) if t == 'long' else \
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        assert ok, f'{k}: {v!r} is not an ECS {t}'
    e = d['event']
    assert e['kind'] in ECS_KINDS and e['outcome'] in ECS_OUTCOMES
    for c in e['category']:
        assert c in ECS_CATEGORY_TYPES, f'category {c}'
        assert set(e['type']) & ECS_CATEGORY_TYPES[c], f'no type of {c} in {e["type"]}'
    for t in e['type']:
        assert any(t in ECS_CATEGORY_TYPES[c] for c in e['category']), \
            f'type {t} fits none of {e["category"]}'


def parse_json(line):
    d = json.loads(line)
    for k in ('@timestamp', 'event', 'host', 'hashgate'):
        assert k in d, f'missing key {k}'
    # A heartbeat comes from no process; a runtime record may not (its
    # pid decides: check_record); everything else does.
    if d['hashgate']['type'] != 'runtime':
        assert ('process' in d) == (d['hashgate']['type'] != 'heartbeat'), 'process'
    e = d['event']
    for k in ('kind', 'category', 'type', 'action', 'outcome', 'sequence'):
        assert k in e, f'missing event.{k}'
    check_ecs(d)
    h, f = d['hashgate'], d.get('file', {})
    serial = h['allowlist']['serial']
    assert isinstance(serial, str), 'the serial is not a string'
    pg = h.get('page', {})
    for k in ('offset', 'count'):
        assert k not in pg or isinstance(pg[k], int), f'hashgate.page.{k} is not a number'
    return {'seq': e['sequence'], 'type': h['type'], 'path': f.get('path'),
            'inode': f.get('inode'), 'serial': serial, 'truncated': h.get('truncated', False),
            'outcome': e['outcome'], 'high': e['severity'] >= 7,
            'category': e['category'], 'etype': e['type'], 'pid': d.get('process', {}).get('pid'),
            'page': page_of(pg.get)}


def cef_split_header(line):
    """The 7 header fields (unescaped) and the extension; exactly 7 unescaped |."""
    fields, cur, i, pipes = [], [], 0, 0
    while i < len(line) and pipes < 7:
        c = line[i]
        if c == '\\' and i + 1 < len(line) and line[i + 1] in '|\\':
            cur.append(line[i + 1])
            i += 2
            continue
        if c == '|':
            fields.append(''.join(cur))
            cur = []
            pipes += 1
        else:
            cur.append(c)
        i += 1
    assert pipes == 7, f'{pipes} unescaped pipes in the header'
    return fields, line[i:]


def cef_ext(ext):
    """Keys are \\w+ before an unescaped '='; values decode \\\\ \\= \\n \\r."""
    keys = list(re.finditer(r'(?:^| )(\w+)=', ext))
    real = []
    for m in keys:   # an '=' preceded by an odd number of backslashes is escaped
        j, bs = m.end() - 2, 0
        while j >= 0 and ext[j] == '\\':
            bs, j = bs + 1, j - 1
        if bs % 2 == 0:
            real.append(m)
    out = {}
    for n, m in enumerate(real):
        end = real[n + 1].start() if n + 1 < len(real) else len(ext)
        raw = ext[m.end():end]
        val, i = [], 0
        while i < len(raw):
            if raw[i] == '\\':
                nxt = raw[i + 1]
                assert nxt in '\\=nr', f'bad escape \\{nxt} in {m.group(1)}'
                val.append({'n': '\n', 'r': '\r'}.get(nxt, nxt))
                i += 2
                continue
            assert raw[i] != '=', f'unescaped = in value of {m.group(1)}'
            val.append(raw[i])
            i += 1
        assert m.group(1) not in out, f'duplicate key {m.group(1)}'
        out[m.group(1)] = ''.join(val)
    return out


def cef_labelled(kv, label):
    """The value of the custom field labelled @label, or None."""
    for k, v in kv.items():
        if k.endswith('Label') and v == label:
            return kv.get(k[:-len('Label')])
    return None


def parse_cef(line):
    hdr, ext = cef_split_header(line)
    assert hdr[0] == 'CEF:0', hdr[0]
    assert re.fullmatch(r'\d|10', hdr[6]), f'severity {hdr[6]}'
    kv = cef_ext(ext)
    assert kv['cn1'] == kv['externalId']
    for k in ('cn1', 'cn2', 'cn3'):   # cnN is a signed long
        assert k not in kv or -2**63 <= int(kv[k]) < 2**63, f'{k} overflows'
    for k in ('filePath', 'fname'):   # CEF's lengths
        assert len(kv.get(k, '')) <= 1023, f'{k} longer than 1023'
    # A runtime record's page: the scan report's words in msg.
    words = dict(w.split('=', 1) for w in kv['msg'].split(' ')) \
        if kv['cat'].endswith('/runtime') and 'msg' in kv else {}
    return {'seq': int(kv['cn1']), 'type': kv['cat'].split('/')[-1],
            'path': kv.get('filePath'), 'inode': kv.get('fileId'),
            'serial': cef_labelled(kv, 'allowlistSerial'),
            'truncated': cef_labelled(kv, 'truncated') == 'yes',
            'outcome': kv.get('outcome'), 'high': int(hdr[6]) >= 7, 'class': hdr[4],
            'pid': int(kv['spid']) if 'spid' in kv else None, 'page': page_of(words.get)}


def parse_leef(line):
    m = re.match(r'LEEF:2\.0\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)'
                 r'\|((?:[^|\\]|\\.)*)\|\^\|', line)
    assert m, 'bad LEEF 2.0 header'
    kv = {}
    for a in line[m.end():].split('^'):
        k, sep, v = a.partition('=')
        assert sep and re.fullmatch(r'\w+', k), f'bad attribute {a!r}'
        assert k not in kv, f'duplicate key {k}'
        kv[k] = v
    # ident* describe identity events; policy names a policy.
    assert not any(k.startswith('ident') for k in kv), 'identity attribute'
    assert 'policy' not in kv, 'policy attribute'
    return {'seq': int(kv['seq']), 'type': kv['cat'], 'path': kv.get('resource'),
            'inode': kv.get('inode'), 'serial': kv['allowlistSerial'],
            'truncated': kv.get('truncated') == 'yes', 'outcome': None,
            'high': int(kv['sev']) >= 7, 'class': m.group(4),
            'pid': int(kv['pid']) if 'pid' in kv else None,
            'page': page_of(lambda k: kv.get('page' + k.capitalize()))}


SD_NAME = r'[^= \]"\x00-\x20\x7f-\xff]{1,32}'


def parse_sd(rest):
    """The SD-ELEMENTs at the start of @rest, and what follows them."""
    sd = {}
    assert rest.startswith('['), 'no structured data'
    while rest.startswith('['):
        mm = re.match(r'\[(' + SD_NAME + ')', rest)
        assert mm, 'bad SD-ID'
        sdid, i, params = mm.group(1), mm.end(), {}
        while rest[i] == ' ':
            mp = re.compile(r' (' + SD_NAME + ')="').match(rest, i)
            assert mp, f'bad SD-PARAM at {rest[i:i + 20]!r}'
            i, val = mp.end(), []
            while rest[i] != '"':
                if rest[i] == '\\' and rest[i + 1] in '"\\]':
                    val.append(rest[i + 1])
                    i += 2
                    continue
                assert rest[i] not in '"]', 'unescaped " or ] in PARAM-VALUE'
                val.append(rest[i])
                i += 1
            params[mp.group(1)] = ''.join(val)
            i += 1
        assert rest[i] == ']', 'SD-ELEMENT not closed'
        sd[sdid] = params
        rest = rest[i + 1:]
    return sd, rest


def parse_syslog(line):
    m = re.match(r'<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) ',
                 line)
    assert m, 'bad RFC 5424 header'
    pri, ts = int(m.group(1)), m.group(2)
    assert pri <= 191
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)', ts)
    assert m.group(4) == 'hashgate'
    sd, rest = parse_sd(line[m.end():])
    # RFC 5424 section 6.4: UTF-8 text starts with the BOM.
    assert rest.startswith(' ' + BOM), 'MSG without a byte order mark'
    ids = [k for k in sd if re.fullmatch(r'hashgate@\d+(\.\d+)*', k)]
    assert len(ids) == 1, f'SD-IDs {list(sd)}'
    p = sd[ids[0]]
    return {'seq': int(p['seq']), 'type': p['type'], 'path': p.get('path'),
            'inode': p.get('ino'), 'serial': p['serial'],
            'truncated': p.get('truncated') == '1', 'outcome': None,
            'high': pri % 8 <= 4, 'class': m.group(6),
            'pid': int(p['pid']) if 'pid' in p else None,
            'page': page_of(lambda k: p.get('page_' + k))}


def check_subject(fmt, r, g):
    """A write is a file change, memory a process change, unknown never allowed."""
    s = subject(r)
    if unknown(r):
        assert g['high'], 'unknown, not high severity'
        assert g['outcome'] in (None, 'unknown'), f'unknown, outcome {g["outcome"]}'
        if fmt == 'json':
            assert 'allowed' not in g['etype'], 'unknown, allowed'
        elif fmt == 'syslog':
            assert g['class'].endswith('UNKNOWN'), g['class']
        else:
            assert g['class'].endswith('-unknown') or g['class'].startswith('type-'), \
                g['class']
    if r['type'] == RUNTIME:
        check_runtime(fmt, r, g)
        return
    if r['type'] != EXEC:
        return
    if fmt == 'json':
        want = {'write': ('file', 'change'), 'memory': ('process', 'change'),
                'program': ('process', 'start'), 'mapping': ('library', 'start'),
                'unknown': (None, None)}[s]
        assert want[0] is None or want[0] in g['category'], g['category']
        assert want[1] is None or want[1] in g['etype'], g['etype']
    else:
        prefix = {'write': 'write', 'memory': 'memory', 'program': 'exec',
                  'mapping': 'exec', 'unknown': 'access'}[s]
        if fmt == 'syslog':
            assert g['class'].startswith(prefix.upper() + '_'), g['class']
        else:
            assert g['class'].startswith(prefix + '-'), g['class']


def check_runtime(fmt, r, g):
    """A finding: labelled runtime, killed never allowed, the category
    of what it found (JSON)."""
    verdict = RUNTIME_DECISIONS.get(r['decision'], 'unknown')
    if fmt == 'syslog':
        assert g['class'] == 'RUNTIME_' + verdict.upper(), g['class']
    elif fmt != 'json':
        assert g['class'] == 'runtime-' + verdict, g['class']
    else:
        assert g['outcome'] == {'reported': 'success', 'killed': 'failure'}.get(
            verdict, 'unknown'), g['outcome']
        assert verdict != 'killed' or 'denied' in g['etype'], g['etype']
        want = {18: 'process', 19: 'file', 20: 'process', 5: 'process', 6: 'process'}
        assert r['reason'] not in want or want[r['reason']] in g['category'], g['category']
    assert g['high'], 'a finding, not high severity'


def check_record(fmt, n, r, g):
    if g['seq'] != r['seq']:
        fail(n, f'seq {g["seq"]} != {r["seq"]}')
    if g['serial'] != str(r['serial']):
        fail(n, f'serial {g["serial"]!r} != {r["serial"]}')
    try:
        check_subject(fmt, r, g)
    except AssertionError as e:
        fail(n, f'{fmt}: {e}')
    if r['type'] == RUNTIME:
        if g['page'] != r['page']:
            fail(n, f'page {g["page"]} != {r["page"]}')
        if g['pid'] != (r['pid'] or None):
            fail(n, f'pid {g["pid"]} for a record of pid {r["pid"]}')
    if r['type'] not in (EXEC, RUNTIME):
        return
    if not r['ino'] and g['inode'] is not None:
        fail(n, f'inode {g["inode"]!r} for a record without one')
    if not r['path']:
        if g['path'] is not None:
            fail(n, f'path {g["path"]!r} for a record without one')
        return
    want = want_path(fmt, r['path'])
    if g['path'] is None or not path_matches(g['path'], want, g['truncated'] and fmt != 'json'):
        fail(n, f'path {g["path"]!r:.80} != {want!r:.80}')


def main():
    fmt, name = sys.argv[1], sys.argv[2]
    parse = {'json': parse_json, 'cef': parse_cef, 'leef': parse_leef,
             'syslog': parse_syslog}[fmt]
    raw = open(name, 'rb').read()
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        print(f'{name}: not UTF-8: {e}')
        return 1
    lines = text.split('\n')
    if lines[-1] != '':
        fail(len(lines), 'no final newline')
    lines = lines[:-1]
    got = []
    for n, line in enumerate(lines, 1):
        check_line_chars(n, line)
        try:
            got.append(parse(line))
        except (AssertionError, KeyError, ValueError, IndexError) as e:
            fail(n, f'{fmt}: {e!r}: {line[:120]!r}')
            got.append(None)
    if len(sys.argv) > 3:
        recs = list(records(sys.argv[3]))
        if len(recs) != len(lines):
            fail(0, f'{len(lines)} lines for {len(recs)} records')
        for n, (r, g) in enumerate(zip(recs, got), 1):
            if g is not None:
                check_record(fmt, n, r, g)
    for e in errors:
        print(f'{name}: {e}')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
