#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/bench/report.py RAW OUTDIR: table, targets and chart from the
R lines of scripts/bench/run. Writes OUTDIR/results.txt (run and clock,
table, targets, notes, then the raw lines), OUTDIR/chart.dat and
OUTDIR/bench.png; prints the table and the targets. A raw file whose header
says "# arch: arm64" (scripts/bench/run --arch arm64) gives
results-arm64.txt, chart-arm64.dat and bench-arm64.png instead, with
ARM64_CAVEAT above the run, above the table and in the chart's title.

Every verdict weighs a margin against the noise measured in the same run
(VERDICT_RULES below is printed with the targets, and
Documentation/performance.rst explains it)."""
import os
import re
import statistics
import subprocess
import sys
import textwrap
from collections import defaultdict

EXEC_CONFIGS = ['base', 'enforce-warm', 'enforce-cold', 'audit-warm', 'audit-cold', 'ima', 'ima-appraise',
                'fapolicyd']
COLD_CONFIGS = ['base', 'enforce-cold', 'audit-cold', 'ima', 'ima-appraise', 'fapolicyd']
BIG_CONFIGS = COLD_CONFIGS
OTHER_BOOT = ('ima', 'ima-appraise')    # peers measured in boots of their own
# A between-boot movement of the baseline the run did not measure counts as
# this much: a comparison across boots is then only decided by a large margin.
UNMEASURED_MOVEMENT = 0.05

VERDICT_RULES = '''\
Verdicts: "met" or "MISSED" only when the margin to the target is larger
than the noise measured in this run; "TIE" when it is not (too close to
call); "INCONCLUSIVE" when the run cannot measure the noise (one run).
  - Same boot (overheads against base, hashgate against fapolicyd, events,
    big binary, list load): the ratio of run-by-run pairs (same round,
    interleaved), its median judged; noise = max - min of those ratios.
  - Other boot (hashgate against IMA, and the storm boot's hashgate):
    ratio of the medians; noise = the larger run-to-run spread
    ((max - min) / median) of the two sides, plus the between-boot
    movement of the baseline (normal boot's base against the storm boot's,
    same workload); where that movement was not measured (no storm boot;
    the cold start, which the storm boot does not run) it counts as %.0f %%.
  - Allowlist memory: the measured slab + vmalloc growth per digest of
    each run; noise = max - min over the runs.
  - The guest prints whole units (us, ms, KiB): one unit is added to
    every noise.
  - Cold start: judged on the per-file cost (median of the execs after the
    first), not on the average, which spreads a one-time cost over the
    file count.''' % (100 * UNMEASURED_MOVEMENT)


# --- reading ---------------------------------------------------------------

def read_raw(path):
    """(kernel, workload, config, metric) -> [(run, value)], header, notes."""
    data = defaultdict(list)
    header, notes = [], []
    with open(path) as raw:
        lines = raw.readlines()
    for line in lines:
        f = line.split()
        if line.startswith('R ') and len(f) == 7:
            try:
                data[(f[1], f[2], f[3], f[5])].append((f[4], float(f[6])))
            except ValueError:
                pass
        elif line.startswith('NOTE '):
            notes.append(line.rstrip())
        elif line.startswith('#') and line.rstrip() not in header:
            # Concatenated raw files repeat their column legend.
            header.append(line.rstrip())
    return data, header, notes


# Next to every arm64 number (issue 20): what an emulated arm64 cannot show.
ARM64_CAVEAT = '''\
Caveat: an arm64 guest emulated by qemu (TCG) on an x86-64 host. qemu on an
x86 host shows neither arm64 memory ordering nor real cost: the guest's
loads and stores run with the host's stronger x86 ordering, so a missing
barrier the arm64 memory model allows to bite never does here, and the
times are those of emulated instructions (counted, with -icount), not of an
arm64 CPU's pipeline, caches, pointer authentication or SHA-256
instructions. The ratios say how much more work hashgate makes the guest
do, on arm64 code paths; they do not predict arm64 hardware.'''


def arch_of(header):
    """'arm64' when the raw header names an arm64 guest, else 'x86_64'."""
    return 'arm64' if any(line.startswith('# arch: arm64') for line in header) else 'x86_64'


def clock_of(header):
    """Which guest clock the raw file's header names, and what it hides."""
    kinds = set()
    for line in header:
        if line.startswith('# qemu:'):
            kinds.add('icount' if '-icount' in line else 'wall' if 'wall clock' in line else 'unknown')
    blind = {
        'icount': ('qemu -icount: the guest clock counts the instructions the guest executes (a fixed '
                   'time each, see the qemu line). Repeatable (the min..max of the table shows how far), but an '
                   'instruction count hides cache and TLB misses, memory bandwidth, I/O waits (I/O '
                   'completes in no guest time), contention between CPUs (one vCPU), and the real '
                   'cost of an instruction (an AVX2 or SHA-NI instruction counts as one, like any '
                   'other).'),
        'wall': ('the guest clock is the host\'s wall clock under TCG emulation: it includes whatever '
                 'else the host was doing, and TCG\'s cost per instruction is not a CPU\'s (vector '
                 'and crypto instructions are emulated slowly), so ratios do not carry over to '
                 'hardware.'),
        'unknown': 'the raw header does not say which clock the guests used.',
    }
    if len(kinds) == 1:
        kind = kinds.pop()
        return kind, '%s: %s' % (kind, blind[kind])
    if not kinds:
        return 'unknown', 'unknown: ' + blind['unknown']
    return 'mixed', ('mixed (%s): the raw file joins boots on different clocks; their numbers do not '
                     'compare.' % ', '.join(sorted(kinds)))


# --- statistics --------------------------------------------------------------

def med(v):
    return statistics.median(v) if v else None


def spread(v):
    """Run-to-run spread as a fraction of the median; None below two runs."""
    return (max(v) - min(v)) / med(v) if len(v) > 1 and med(v) else None


def mmm(v, fmt='{:.0f}'):
    if not v:
        return '-'
    return (fmt + ' [' + fmt + '..' + fmt + ']').format(med(v), min(v), max(v))


def ratio(a, b):
    return a / b if a is not None and b else None


def rs(x, digits=2):
    return '-' if x is None else '%.*fx' % (digits, x)


def pct(x):
    return '-' if x is None else '%.1f%%' % (100 * x)


def by_run(runs):
    """{(run, nth time that run number appears): value}: concatenated raw
    files may repeat a run number for the same key."""
    seen, out = defaultdict(int), {}
    for run, v in runs:
        out[(run, seen[run])] = v
        seen[run] += 1
    return out


def div(a, b):
    return a / b if b else None


def combine(a_runs, b_runs, f=div):
    """[(run, f(a, b))] for the runs measured in the same round of the same
    boot (None results left out)."""
    a, b = by_run(a_runs), by_run(b_runs)
    out = [(key[0], f(a[key], b[key])) for key in a if key in b]
    return [(run, v) for run, v in out if v is not None]


def pair(a_runs, b_runs, f=div):
    """The values of combine(): run-by-run ratios by default."""
    return [v for _, v in combine(a_runs, b_runs, f)]


# --- verdicts ----------------------------------------------------------------

def judge(margin, noise):
    """margin > 0: the target is met by that much; noise: what the run
    itself moves by. None: not measured, 'noise': noise unknown."""
    if margin is None:
        return None
    if noise is None:
        return 'noise'
    return 'met' if margin > noise else 'MISSED' if -margin > noise else 'tie'


def judge_runs(per_run, limit, lower_is_better=True, unit=0.0):
    """A quantity measured once per run (a paired ratio, bytes per digest)
    against a limit: its median; noise = max - min over the runs, plus one
    unit of the measurement (the guest prints whole us, ms, KiB)."""
    if not per_run:
        return None, None, None
    m = med(per_run)
    margin = (limit - m) if lower_is_better else (m - limit)
    noise = max(per_run) - min(per_run) + unit if len(per_run) > 1 else None
    return judge(margin, noise), m, noise


def judge_ratios(a_runs, b_runs, limit, lower_is_better=True):
    """a/b run by run (same boot, same round) against a limit.
    Returns (verdict, median ratio, noise, number of pairs)."""
    ratios = pair(a_runs, b_runs)
    if not ratios:
        return None, None, None, 0
    b = med([v for _, v in b_runs])
    unit = med(ratios) / b if b else 0.0    # one unit of b, as a ratio
    verdict, r, noise = judge_runs(ratios, limit, lower_is_better, unit)
    return verdict, r, noise, len(ratios)


def judge_other_boot(hg, peer, movement):
    """hashgate's runs against a peer's from another boot: ratio of the
    medians; noise = larger spread of the two + the baseline's movement
    between boots (UNMEASURED_MOVEMENT when the run has none) + one unit."""
    if not hg or not peer:
        return None, None, None
    r = med(hg) / med(peer)
    s = [spread(hg), spread(peer)]
    if None in s:
        return 'noise', r, None
    noise = max(s) + (movement if movement is not None else UNMEASURED_MOVEMENT) + 1 / med(peer)
    return judge(1 - r, noise), r, noise


def margin_text(margin, noise, unit='%'):
    if noise is None:
        return 'noise not measurable (one run)'
    if unit == '%':
        return 'margin %.2f%%, noise %.2f%%' % (100 * margin, 100 * noise)
    return 'margin %.1f %s, noise %.1f %s' % (margin, unit, noise, unit)


TAGS = {None: 'NOT MEASURED', 'noise': 'INCONCLUSIVE', 'n/a': 'N/A', 'tie': 'TIE', 'met': 'met',
        'MISSED': 'MISSED'}


# --- the report ----------------------------------------------------------------

class Report:
    def __init__(self, data, notes):
        self.data, self.notes = data, notes
        self.out = []         # table lines
        self.targets = []     # (kernel, name, verdict, detail)
        self.chart = []       # (label, {config: ratio to base})

    def runs(self, k, w, c, m):
        return self.data.get((k, w, c, m), [])

    def vals(self, k, w, c, m):
        return [v for _, v in self.runs(k, w, c, m)]

    def line(self, *cols):
        self.out.append('%-10s %-13s %-32s %-8s %s' % cols)

    def remark(self, w, text, c=''):
        self.out.append('%-10s %-13s %s' % (w, c, text))

    def target(self, k, name, verdict, detail):
        self.targets.append((k, name, verdict, detail))

    def movement(self, k, w):
        """Between-boot movement of w's baseline: the normal boot against
        the storm boot (w2), as a fraction; None if not both measured."""
        a, b = med(self.vals(k, w, 'base', self.metric(w))), med(self.vals(k, w + '2', 'base', self.metric(w)))
        return abs(a - b) / a if a and b else None

    @staticmethod
    def metric(w):
        return 'us_per_dlopen' if w.startswith('lib') else 'us_per_exec'

    # Exec and library storms (exec2/lib2: a boot with base and enforce-warm only).
    def storm(self, k, w, unit):
        metric = self.metric(w)
        base = self.runs(k, w, 'base', metric)
        if not base:
            return
        configs = EXEC_CONFIGS if not w.endswith('2') else ['base', 'enforce-warm']
        row = {}
        for c in configs:
            v = self.runs(k, w, c, metric)
            if not v:
                continue
            vv = [x for _, x in v]
            row[c] = ratio(med(vv), med([x for _, x in base]))
            paired = med(pair(v, base)) if c not in OTHER_BOOT + ('base',) else None
            self.line(w, c, mmm(vv) + ' ' + unit, rs(row[c]), rs(paired))
            if c == 'base':
                self.remark(w, 'run-to-run spread of the baseline: %s of its median' % pct(spread(vv)))
        mv = self.movement(k, w.rstrip('2'))
        if w.endswith('2') and mv is not None:
            self.remark(w, 'baseline moved %s between the normal and the storm boot' % pct(mv))
        if not w.endswith('2'):
            self.chart.append(('%s %s' % (w, short(k)), row))
        self.overhead_target(k, w, metric)
        self.peer_targets(k, w, metric, unit)

    def overhead_target(self, k, w, metric):
        verdict, r, noise, n = judge_ratios(self.runs(k, w, 'enforce-warm', metric), self.runs(k, w, 'base', metric),
                                            1.03)
        if not n:
            return
        self.target(k, '%s storm: enforce (warm) <= 1.03x baseline%s' % (
            w.rstrip('2'), ' (storm boot)' if w.endswith('2') else ''), verdict,
            'paired %s over %d runs, %s' % (rs(r, 3), n, margin_text(1.03 - r, noise)))

    def peer_targets(self, k, w, metric, unit):
        """hashgate (warm) faster than each peer on a storm."""
        storm_boot = w.endswith('2')
        for peer in ('ima', 'ima-appraise') + (('fapolicyd',) if not storm_boot else ()):
            name = '%s: hashgate faster than %s%s' % (w.rstrip('2'), peer, ' (storm boot)' if storm_boot else '')
            self.peer_target(k, w, metric, 'enforce-warm', peer, unit, name)

    def peer_target(self, k, w, metric, hg_config, peer, unit, name):
        """Paired in the same boot (fapolicyd); across boots (IMA, and the
        storm boot's hashgate), medians with the between-boot noise."""
        base_w = w.rstrip('2')
        hg, p = self.runs(k, w, hg_config, metric), self.runs(k, base_w, peer, metric)
        if not p or not hg:
            self.target(k, name, None, 'not measured')
            return
        hv, pv = [x for _, x in hg], [x for _, x in p]
        if peer in OTHER_BOOT or w != base_w:
            mv = self.movement(k, base_w)
            verdict, r, noise = judge_other_boot(hv, pv, mv)
            detail = 'hashgate %.0f vs %s %.0f %s (other boot): %s; spreads %s and %s, %s' % (
                med(hv), peer, med(pv), unit, rs(r, 3), pct(spread(hv)), pct(spread(pv)),
                'baseline moved %s between boots' % pct(mv) if mv is not None
                else 'movement between boots not measured (counted as %s)' % pct(UNMEASURED_MOVEMENT))
            if noise is not None:
                detail += '; ' + margin_text(1 - r, noise)
        else:
            verdict, r, noise, n = judge_ratios(hg, p, 1.0)
            detail = 'paired hashgate/%s %s over %d runs (%.0f vs %.0f %s), %s' % (
                peer, rs(r, 3), n, med(hv), med(pv), unit, margin_text(1 - r, noise) if n else '')
        self.target(k, name, verdict, detail)

    # Cold start: the average per exec, and its split into a cost paid once
    # and a cost per file (guest.sh: first_exec_us, per_file_us).
    def cold(self, k):
        base = self.runs(k, 'cold', 'base', 'us_per_exec')
        if not base:
            return
        files = med(self.vals(k, 'cold', 'base', 'files'))
        avg = '  (average over %.0f files)' % files if files else '  (average)'
        split = any(self.runs(k, 'cold', c, 'per_file_us') for c in COLD_CONFIGS)
        avg_row, file_row = {}, {}
        for c in COLD_CONFIGS:
            v = self.runs(k, 'cold', c, 'us_per_exec')
            if not v:
                continue
            vv = [x for _, x in v]
            avg_row[c] = ratio(med(vv), med([x for _, x in base]))
            paired = med(pair(v, base)) if c not in OTHER_BOOT + ('base',) else None
            self.line('cold', c, mmm(vv) + ' us/exec', rs(avg_row[c]), rs(paired) + avg)
        if split:
            base_pf = self.runs(k, 'cold', 'base', 'per_file_us')
            for c in COLD_CONFIGS:
                pf, first = self.runs(k, 'cold', c, 'per_file_us'), self.runs(k, 'cold', c, 'first_exec_us')
                if not pf:
                    continue
                pfv = [x for _, x in pf]
                file_row[c] = ratio(med(pfv), med([x for _, x in base_pf]))
                paired = med(pair(pf, base_pf)) if c not in OTHER_BOOT + ('base',) else None
                self.line('cold/file', c, mmm(pfv) + ' us/file', rs(file_row[c]), rs(paired))
                # One-time cost = first exec - per-file cost, run by run.
                once = pair(first, pf, lambda a, b: a - b)
                self.remark('cold/once', 'first exec %s us, one-time cost (first - per file) %s us' % (
                    mmm([x for _, x in first]), mmm(once)), c)
        else:
            self.remark('cold', 'first exec and per-file cost: not measured in this run')
        for row in (avg_row, file_row):
            row.pop('ima-appraise', None)   # not comparable, see the targets
        if split:
            self.chart.append(('cold/file %s' % short(k), file_row))
        else:
            self.chart.append(('cold avg %s' % short(k), avg_row))
        self.cold_targets(k, split)

    def cold_targets(self, k, split):
        for peer in ('ima', 'ima-appraise', 'fapolicyd'):
            name = 'cold: hashgate faster than %s (per file)' % peer
            if not self.runs(k, 'cold', peer, 'us_per_exec'):
                self.target(k, name, None, 'not measured')
            elif peer == 'ima-appraise':
                self.target(k, name, 'n/a', 'not comparable: IMA appraisal hashed each rewritten file when '
                            'the writer closed it (to update security.ima), outside the timed exec')
            elif split:
                self.peer_target(k, 'cold', 'per_file_us', 'enforce-cold', peer, 'us/file', name)
            else:
                hg, p = self.vals(k, 'cold', 'enforce-cold', 'us_per_exec'), self.vals(k, 'cold', peer, 'us_per_exec')
                self.target(k, name, None, 'per-file cost not measured in this run (no per_file_us lines); '
                            'the average, which includes one-time costs, not judged: hashgate %.0f vs %s %.0f us/exec'
                            % (med(hg), peer, med(p)))

    def big(self, k):
        size = med(self.vals(k, 'big', 'base', 'bytes')) or 64 * 2**20
        sha = self.runs(k, 'big', 'base', 'sha256sum_ms')
        for c in BIG_CONFIGS:
            first, second = self.vals(k, 'big', c, 'first_exec_ms'), self.vals(k, 'big', c, 'second_exec_ms')
            if first:
                self.out.append('%-10s %-13s first exec %s ms, second %s ms, sha256sum %s ms' % (
                    'big', c, mmm(first), mmm(second), mmm(self.vals(k, 'big', c, 'sha256sum_ms'))))
        if not sha:
            return
        mib = size / 2**20
        # A system's hashing time = first exec - second exec, run by run.
        hashing = {}
        for c in ('enforce-cold', 'ima', 'fapolicyd'):   # not ima-appraise: it hashed at close
            d = combine(self.runs(k, 'big', c, 'first_exec_ms'), self.runs(k, 'big', c, 'second_exec_ms'),
                        lambda a, b: max(a - b, 1))
            if d:
                hashing[c] = d
        tp_u = mib / (med([x for _, x in sha]) / 1000)
        tp = {c: mib / (med([x for _, x in d]) / 1000) for c, d in hashing.items()}
        self.out.append('%-10s hashing throughput (%.0f MiB / (first - second exec)): %s; sha256sum (baseline) '
                        '%.1f MiB/s' % ('big', mib, ', '.join('%s %.1f MiB/s = %.2fx' % (c, t, t / tp_u)
                                                              for c, t in tp.items()), tp_u))
        if 'enforce-cold' in hashing:
            # Run by run: sha256sum's time over hashgate's hashing time.
            verdict, r, noise, n = judge_ratios(sha, hashing['enforce-cold'], 0.8, lower_is_better=False)
            drv = [note.split('hash_driver: ')[1].split(';')[0] for note in self.notes
                   if note.startswith('NOTE %s hash_driver: ' % k)]
            self.target(k, 'big binary: in-kernel hashing >= 0.8x sha256sum throughput', verdict,
                        'paired %s over %d runs (driver %s), %s' % (
                            rs(r), n, drv[0] if drv else '?', margin_text(r - 0.8, noise) if n else ''))

    def lists(self, k):
        sizes = sorted({int(key[2]) for key in self.data if key[0] == k and key[1] == 'list'})
        for n in sizes:
            g = lambda m: self.vals(k, 'list', str(n), m)
            gr = lambda m: self.runs(k, 'list', str(n), m)
            self.out.append('%-10s %-13s compile text %s ms (with paths), %s ms (--no-paths); sha256sum 64 MiB %s ms'
                            % ('list', n, mmm(g('compile_ms')), mmm(g('np_compile_ms')),
                               mmm(g('sha256sum_64mib_ms'))))
            measured = {}
            for tag, what in (('', 'with paths'), ('np_', 'no paths')):
                kib = pair(gr(tag + 'slab_kb'), gr(tag + 'vmalloc_kb'), lambda a, b: a + b)
                measured[tag] = [x * 1024.0 / n for x in kib]
                self.out.append('%-10s %-13s load blob (%s) %s ms; slab+vmalloc %s KiB = %s B/digest measured; '
                                'blob %s B; module\'s sizeof figure %s B/digest' % (
                                    'list', n, what, mmm(g(tag + 'load_ms')), mmm(kib), mmm(measured[tag]),
                                    mmm(g(tag + 'blob_bytes')), mmm(g(tag + 'bytes_per_digest'))))
            self.memory_target(k, n, measured, med(g('np_bytes_per_digest')))
            if n == 1000000:
                self.load_target(k, n)
        if 1000000 not in sizes:
            self.target(k, 'allowlist 1M loads faster than sha256sum of 64 MiB', None, 'not measured')

    def memory_target(self, k, n, measured, sizeof):
        """Judged on what the load added to slab + vmalloc, without the path
        index (optional); the module's own figure is a sum of sizeofs."""
        if not measured['np_']:
            self.target(k, 'allowlist %d: <= 48 bytes per digest' % n, None,
                        'kernel memory not measured in this run')
            return
        verdict, m, noise = judge_runs(measured['np_'], 48, unit=1024.0 / n)
        context = []
        if measured['']:
            context.append('with the path index %.1f B' % med(measured['']))
        if sizeof is not None:
            context.append('module\'s sizeof figure %.0f B' % sizeof)
        self.target(k, 'allowlist %d: <= 48 bytes per digest' % n, verdict,
                    'measured %.1f B/digest (slab+vmalloc growth, no path index, %d runs), %s; context: %s' % (
                        m, len(measured['np_']), margin_text(48 - m, noise, 'B'), ', '.join(context) or '-'))

    def load_target(self, k, n):
        gr = lambda m: self.runs(k, 'list', str(n), m)
        g = lambda m: med(self.vals(k, 'list', str(n), m))
        verdict, r, noise, n_runs = judge_ratios(gr('np_load_ms'), gr('sha256sum_64mib_ms'), 1.0)
        if not n_runs:
            return
        self.target(k, 'allowlist 1M loads faster than sha256sum of 64 MiB', verdict,
                    'compiled blob %.0f ms (with paths %.0f ms) vs sha256sum %.0f ms: paired %s, %s; '
                    'text compile %.0f ms' % (g('np_load_ms'), g('load_ms'), g('sha256sum_64mib_ms'), rs(r),
                                              margin_text(1 - r, noise), g('np_compile_ms')))

    def events(self, k):
        ev = lambda c, m: self.vals(k, 'events', c, m)
        if not ev('noreader', 'us_per_exec'):
            return
        for c in ('noreader', 'reader', 'allowed'):
            self.out.append('%-10s %-13s %s us/exec' % ('events', c, mmm(ev(c, 'us_per_exec'))))
        self.out.append('%-10s %-13s delivered %s, dropped %s, unaccounted %s' % (
            'events', 'reader', mmm(ev('reader', 'delivered')), mmm(ev('reader', 'dropped')),
            mmm(ev('reader', 'unaccounted'))))
        self.out.append('%-10s %-13s queued %s, dropped %s, unaccounted %s' % (
            'events', 'noreader', mmm(ev('noreader', 'queued')), mmm(ev('noreader', 'dropped')),
            mmm(ev('noreader', 'unaccounted'))))
        # Counts, not times: exact, no noise to weigh.
        lost = max(ev('reader', 'dropped') + [abs(x) for x in ev('reader', 'unaccounted')], default=0)
        self.target(k, 'events: zero loss with a reader', 'met' if lost == 0 else 'MISSED',
                    'worst run lost %.0f' % lost)
        unacc = max((abs(x) for x in ev('noreader', 'unaccounted')), default=0)
        self.target(k, 'events: without a reader every loss counted', 'met' if unacc == 0 else 'MISSED',
                    'worst run: %.0f not accounted, median dropped %.0f' % (unacc, med(ev('noreader', 'dropped'))))
        runs = lambda c: self.runs(k, 'events', c, 'us_per_exec')
        verdict, r, noise, n = judge_ratios(runs('noreader'), runs('reader'), 1.03)
        r2 = ratio(med(ev('noreader', 'us_per_exec')), med(ev('allowed', 'us_per_exec')))
        self.target(k, 'events: exec latency without a reader unchanged (<= 1.03x)', verdict,
                    'paired %s of with-reader over %d runs, %s; %s of an allowed exec' % (
                        rs(r, 3), n, margin_text(1.03 - r, noise) if n else '', rs(r2)))

    def kernel(self, k):
        self.out.append('')
        self.out.append('=== %s ===' % k)
        self.line('workload', 'config', 'median [min..max]', 'vs base', 'paired (median of run-by-run ratios)')
        self.storm(k, 'exec', 'us/exec')
        self.storm(k, 'lib', 'us/dlopen')
        self.cold(k)
        self.storm(k, 'exec2', 'us/exec')
        self.storm(k, 'lib2', 'us/dlopen')
        self.big(k)
        self.lists(k)
        self.events(k)


def short(k):
    return k.split('-')[0].split('+')[0]


def kernel_key(s):
    return [int(x) for x in re.split(r'[-+]', s)[0].split('.') if x.isdigit()]


# --- output --------------------------------------------------------------------

def targets_text(targets):
    lines = [VERDICT_RULES, '']
    for k, name, verdict, detail in targets:
        lines.append('%-12s %-30s %-66s %s' % (TAGS[verdict], k, name, detail))
    return '\n'.join(lines)


def write_results(outdir, raw, header, clock, table, targets, notes, suffix='', caveat=''):
    # The "=== ... ===" lines are the anchors performance.rst includes by.
    # An arm64 run's caveat opens the run and the table, where the numbers are.
    cav = caveat + '\n\n' if caveat else ''
    with open(os.path.join(outdir, 'results%s.txt' % suffix), 'w') as f:
        f.write('hashgate benchmark results (scripts/bench/report.py; see Documentation/performance.rst)\n\n')
        f.write('=== run ===\n' + cav)
        f.write('\n'.join(header) + '\n')
        f.write(textwrap.fill('clock: ' + clock, 78, subsequent_indent='  ') + '\n')
        f.write('=== end of run ===\n\n')
        f.write('Medians of all runs, [min..max]; ratios are to the baseline median of the same kernel.\n')
        f.write('=== table ===\n' + cav + table.strip('\n') + '\n=== end of table ===\n\n')
        f.write('=== targets ===\n' + targets + '\n=== end of targets ===\n\n')
        f.write('=== notes from the guests ===\n')
        f.write('\n'.join(notes) + '\n\n=== raw lines ===\n')
        with open(raw) as r:
            f.write(''.join(line for line in r if line.startswith('R ')))


def write_chart(outdir, chart, clock_kind, suffix='', arm64=False):
    """Median time relative to baseline, per workload and kernel."""
    configs = [c for c in EXEC_CONFIGS if c != 'base' and any(c in row for _, row in chart)]
    dat = os.path.join(outdir, 'chart%s.dat' % suffix)
    with open(dat, 'w') as f:
        f.write('label ' + ' '.join(configs) + '\n')
        for label, row in chart:
            f.write('"%s" ' % label + ' '.join('%.3f' % row[c] if row.get(c) else '-' for c in configs) + '\n')
    clock = {'icount': 'guest clock counting instructions (-icount)',
             'wall': 'guest clock on the host\'s wall clock'}.get(clock_kind, 'guest clock: see results.txt')
    if arm64:
        sub = ('arm64 guest, qemu TCG on an x86-64 host, %s:\\nshows neither arm64 memory ordering nor real cost;'
               ' exec and library storms only; see Documentation/performance.rst' % clock)
    else:
        sub = ('qemu TCG, %s; IMA in separate boots of the same kernel\\ncold avg: average per exec, cold/file: '
               'cost per file after the first; see Documentation/performance.rst' % clock)
    gp = '''set terminal pngcairo size 1100,520 font "sans,10"
set output "%s"
set title "hashgate benchmark: median time relative to baseline (1.0 = no integrity system; lower is better)\\n%s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set datafile missing "-"
set key outside right top
set ylabel "x baseline"
set yrange [0:*]
set grid ytics
set xtics rotate by -20
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "black"
plot for [i=2:%d] "%s" using i:xtic(1) title columnheader(i)
''' % (os.path.join(outdir, 'bench%s.png' % suffix), sub, len(configs) + 1, dat)
    subprocess.run(['gnuplot'], input=gp.encode(), check=True)


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    data, header, notes = read_raw(raw)
    clock_kind, clock = clock_of(header)
    arm64 = arch_of(header) == 'arm64'
    suffix, caveat = ('-arm64', ARM64_CAVEAT) if arm64 else ('', '')
    rep = Report(data, notes)
    for k in sorted({key[0] for key in data}, key=kernel_key):
        rep.kernel(k)
    table = '\n'.join(rep.out)
    targets = targets_text(rep.targets)
    if caveat:
        print(caveat + '\n')
    print(textwrap.fill('clock: ' + clock, 78, subsequent_indent='  '))
    print(table)
    print('\n=== targets ===\n' + targets)
    write_results(outdir, raw, header, clock, table, targets, notes, suffix, caveat)
    try:
        write_chart(outdir, rep.chart, clock_kind, suffix, arm64)
    except (OSError, subprocess.CalledProcessError) as e:
        print('report: gnuplot failed: %s' % e, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
