#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Independent parsers for the formats of 'hashgate events', used by
test_formats.sh: each checks that every line is one valid record of its
format and decodes it, so the test can compare decoded fields with what the
binary record held.

    check_formats.py FORMAT FILE [EVENTS.BIN]

FORMAT is json, cef, leef or syslog. With EVENTS.BIN, the decoded path (and
sequence number) of every exec record must equal the record's own, shown as
the formats show it: bytes that are not printable UTF-8 as \\xNN (CEF keeps
CR and LF). Prints one line per failure; exits 1 if there was any.
"""
import json
import re
import struct
import sys

FMT = '<IBBBBQQQQQQIIIIIBBBB32s16sHHI'
HDR = struct.calcsize(FMT)
errors = []


def fail(lineno, msg):
    errors.append(f'line {lineno}: {msg}')


def records(path):
    data = open(path, 'rb').read()
    off = 0
    while off < len(data):
        f = struct.unpack_from(FMT, data, off)
        size, typ, flags, seq, exe_len, path_len = f[0], f[2], f[3], f[5], f[-3], f[-2]
        exe = data[off + HDR:off + HDR + exe_len]
        p = data[off + HDR + exe_len:off + HDR + exe_len + path_len]
        yield {'type': typ, 'flags': flags, 'seq': seq, 'exe': exe, 'path': p}
        off += size


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


def check_line_chars(lineno, line):
    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in '\u2028\u2029' for c in line):
        fail(lineno, 'raw control character in the record')


def parse_json(line):
    d = json.loads(line)
    for k in ('@timestamp', 'event', 'host', 'process', 'hashgate'):
        assert k in d, f'missing key {k}'
    e = d['event']
    for k in ('kind', 'category', 'type', 'action', 'outcome', 'sequence'):
        assert k in e, f'missing event.{k}'
    assert e['outcome'] in ('success', 'failure', 'unknown')
    fields = {'seq': e['sequence'], 'type': d['hashgate']['type']}
    if 'file' in d:
        fields['path'] = d['file']['path']
    return fields


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


def parse_cef(line):
    hdr, ext = cef_split_header(line)
    assert hdr[0] == 'CEF:0', hdr[0]
    assert re.fullmatch(r'\d|10', hdr[6]), f'severity {hdr[6]}'
    kv = cef_ext(ext)
    assert kv['cn1'] == kv['externalId']
    fields = {'seq': int(kv['cn1']), 'type': kv['cat'].split('/')[-1]}
    if 'filePath' in kv:
        fields['path'] = kv['filePath']
    return fields


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
    fields = {'seq': int(kv['seq']), 'type': kv['cat']}
    if 'resource' in kv:
        fields['path'] = kv['resource']
    return fields


SD_NAME = r'[^= \]"\x00-\x20\x7f-\xff]{1,32}'


def parse_syslog(line):
    m = re.match(r'<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) ',
                 line)
    assert m, 'bad RFC 5424 header'
    pri, ts = int(m.group(1)), m.group(2)
    assert pri <= 191
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)', ts)
    assert m.group(4) == 'hashgate'
    rest = line[m.end():]
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
    assert rest == '' or rest.startswith(' '), 'no space before MSG'
    p = sd['hashgate@32473']
    fields = {'seq': int(p['seq']), 'type': p['type']}
    if 'path' in p:
        fields['path'] = p['path']
    return fields


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
            if g is None:
                continue
            if g['seq'] != r['seq']:
                fail(n, f'seq {g["seq"]} != {r["seq"]}')
            if r['type'] != 1:
                continue
            want = {'json': json_path(r['path']),
                    'cef': display(r['path'], keep_crlf=True),
                    'leef': display(r['path']).replace('^', '\\x5e'),
                    'syslog': display(r['path'])}[fmt]
            if g.get('path') != want:
                fail(n, f'path {g.get("path")!r:.80} != {want!r:.80}')
    for e in errors:
        print(f'{name}: {e}')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
