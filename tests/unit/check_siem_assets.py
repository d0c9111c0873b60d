#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Offline checks of the Elasticsearch assets in Documentation/siem/ against
what the tool writes (golden/events.json) and the ECS 8.11 field types
(check_formats.ECS_FIELDS, and the three the pipeline adds):

- every field of every golden JSON record is mapped by the index template
  (it maps with dynamic false: an unmapped field would be kept but not
  searchable), with a type its values fit: keyword for strings, long or
  unsigned_long for integers (the largest a long takes is 2^63-1; the
  serial 2^64-1 needs unsigned_long), boolean for booleans, date for
  @timestamp;
- every ECS field the template maps has the type ECS 8.11 gives it;
- the ingest pipeline only sets fields the template maps (or _id).

    check_siem_assets.py TEMPLATE PIPELINE EVENTS_JSON
Prints one line per failure; exits 1 if there was any.
"""
import json
import sys

from check_formats import ECS_FIELDS

ECS = dict(ECS_FIELDS, **{'event.id': 'keyword', 'event.ingested': 'date',
                          'error.message': 'match_only_text'})

LONG_MAX = 2**63 - 1
ULONG_MAX = 2**64 - 1


def leaves(mapping, prefix=''):
    for name, spec in mapping.items():
        if 'properties' in spec:
            yield from leaves(spec['properties'], prefix + name + '.')
        else:
            yield prefix + name, spec['type']


def fields(doc, prefix=''):
    for k, v in doc.items():
        if isinstance(v, dict):
            yield from fields(v, prefix + k + '.')
        else:
            yield prefix + k, v


def fits(kind, v):
    if isinstance(v, list):
        return all(fits(kind, x) for x in v)
    if isinstance(v, bool):
        return kind == 'boolean'
    if isinstance(v, int):
        return kind == 'unsigned_long' and 0 <= v <= ULONG_MAX or \
            kind == 'long' and -LONG_MAX - 1 <= v <= LONG_MAX
    if isinstance(v, str):
        if kind == 'unsigned_long':
            return v.isdigit() and int(v) <= ULONG_MAX
        return kind in ('keyword', 'date', 'match_only_text', 'wildcard')
    return False


def main():
    tpl, pipe = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
    events = open(sys.argv[3], encoding='utf-8')
    bad = []
    mapped = dict(leaves(tpl['template']['mappings']['properties']))
    for name, kind in mapped.items():
        if not name.startswith('hashgate.') and name in ECS and ECS[name] != kind:
            bad.append(f'template: {name} is {kind}, ECS 8.11 says {ECS[name]}')
        if not name.startswith('hashgate.') and name not in ECS:
            bad.append(f'template: {name} is not an ECS 8.11 field')
    seen = set()
    for n, line in enumerate(events, 1):
        for name, value in fields(json.loads(line)):
            seen.add(name)
            if name not in mapped:
                bad.append(f'record {n}: {name} is not mapped')
            elif not fits(mapped[name], value):
                bad.append(f'record {n}: {name}={value!r} does not fit {mapped[name]}')
    if mapped.get('hashgate.allowlist.serial') != 'unsigned_long':
        bad.append('hashgate.allowlist.serial is not unsigned_long')
    for proc in pipe['processors'] + pipe.get('on_failure', []):
        (kind, spec), = proc.items()
        if kind != 'set':
            bad.append(f'pipeline: unexpected processor {kind}')
        elif spec['field'] != '_id' and spec['field'] not in mapped:
            bad.append(f'pipeline: sets {spec["field"]}, which is not mapped')
    for name in ('hashgate.setting.name', 'hashgate.stats.decisions', 'hashgate.load_id'):
        if name not in seen:
            bad.append(f'the golden records never have {name}: the check proves nothing')
    print('\n'.join(bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
