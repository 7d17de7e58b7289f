"""`./vireo bench`: boot latency scenarios, parse their serial report, write
results/<date>-<platform>/ (JSON + CSV per scenario, a Markdown table in
the layout of Table 1 of Schild et al. 2009, histogram plots).

The guest (bench/bench.c) prints `bench: ...` lines; every figure is in
TSC cycles next to the TSC frequency (`bench: clock tsc-khz=...`), so the
conversion to time happens here, once. On QEMU (-icount shift=0,sleep=off)
and Bochs (clock: sync=none, fixed ips) one TSC cycle is one instruction
of virtual time: the figures are path lengths, identical run after run,
not hardware latencies. doc/schild2009.md explains how to read them.
"""
import csv
import datetime
import json
import os
import re
import sys

from . import platforms

# Table 1 of Schild et al. 2009 (AMD Phenom 9550, L4/Fiasco): the maximum
# interrupt latency per setup, in microseconds. `scenario` is ours for the
# row, None where Vireo cannot run the setup yet (the VM rows come with
# the VMM).
PAPER_HARDWARE = 'AMD Phenom 9550, L4/Fiasco (Schild et al. 2009, Table 1)'
PAPER_ROWS = [
    (1, 'busy loop', False, 7.05, 'busy'),
    (2, 'vm simple', True, 8.38, None),
    (3, 'vm expensive', True, 9.57, None),
    (4, 'vm triplefault', True, 12.78, None),
    (5, 'cache', False, 10.41, 'cache'),
    (6, 'cache vm', True, 12.5, None),
]
# Our rows without a counterpart in the paper.
EXTRA_ROWS = [
    ('idle', 'idle (CPU halted between interrupts)'),
    ('ipc', 'IPC call+reply load'),
    ('mapunmap', 'map/unmap load (4096 pages per mem_map and mem_unmap)'),
    ('periodic', 'busy loop, periodic HPET mode'),
    ('reference', 'idle, bench kernel (in-kernel reference)'),
]
DEFAULT_SCENARIOS = ['busy', 'cache', 'ipc', 'mapunmap', 'idle', 'periodic',
                     'reference']
BENCH_TIMEOUT = 300  # seconds on QEMU; slower platforms get a multiple

LINE = re.compile(r'^bench: (\S+)(.*)$', re.MULTILINE)
PAIR = re.compile(r'([\w.-]+)=(\S+)')


def _pairs(text):
    """key=value pairs of a line; values that are integers become int."""
    result = {}
    for key, value in PAIR.findall(text):
        result[key] = int(value) if re.fullmatch(r'\d+', value) else value
    return result


def parse(output):
    """Turn the serial output of one benchmark run into a dict.

    Keys: scenario (load, mode, samples, ...), clock, overhead, ipc (the
    round trip within one address space), ipc_cross_space (between two),
    results {user, kernel}, events, histograms {user, kernel,
    ipc-same-space, ipc-cross-space: [(low, high, count)]}, errors [str],
    complete (a `bench: end` line without failure was seen).
    """
    data = {'scenario': {}, 'clock': {}, 'overhead': {}, 'ipc': {},
            'ipc_cross_space': {}, 'results': {}, 'events': {}, 'histograms': {'user': [],
                                                      'kernel': []},
            'errors': [], 'notes': [], 'complete': False}
    for match in LINE.finditer(output):
        kind, rest = match.group(1), match.group(2).strip()
        if kind == 'hpet-latency':
            data['scenario'] = _pairs(rest)
        elif kind in ('clock', 'events'):
            data[kind] = _pairs(rest)
        elif kind == 'overhead':
            data['overhead'].update(_pairs(rest))
        elif kind == 'ipc':
            if rest.startswith('same-space'):
                data['ipc'] = _pairs(rest)
            elif rest.startswith('cross-space'):
                data['ipc_cross_space'] = _pairs(rest)
            else:
                data['notes'].append('ipc ' + rest)
        elif kind == 'result':
            name, _, values = rest.partition(' ')
            data['results'][name] = _pairs(values)
        elif kind == 'hist':
            name, low, high, count = rest.split()
            data['histograms'].setdefault(name, []).append(
                (int(low), int(high), int(count)))
        elif kind in ('error:', 'scenario'):
            data['errors'].append(rest)
        elif kind == 'load':
            data['notes'].append('load ' + rest)
        elif kind == 'end':
            data['complete'] = '(failed)' not in rest
    return data


def unit_for(platform):
    """How to read a cycle on this platform (for the report)."""
    if platform.startswith('qemu'):
        return ('virtual ns = instructions (QEMU -icount shift=0: one '
                'instruction per virtual ns, TSC 1 GHz); path lengths, not '
                'hardware latencies')
    if platform.startswith('bochs'):
        return ('instructions (Bochs ips=%d, clock: sync=none: one TSC '
                'cycle per instruction, %g ns of virtual time each); path '
                'lengths, not hardware latencies'
                % (platforms.BOCHS_IPS, 1e9 / platforms.BOCHS_IPS))
    return 'TSC cycles of a real PC, and microseconds at its TSC rate'


def microseconds(cycles, tsc_khz):
    return cycles / tsc_khz * 1000.0 if tsc_khz else None


def summary(name, platform, data):
    """The JSON document of one scenario."""
    khz = data['clock'].get('tsc-khz', 0)
    results = {}
    for which, values in data['results'].items():
        results[which] = dict(values)
        results[which]['us'] = {
            key: microseconds(values[key], khz)
            for key in ('min', 'mean', 'p50', 'p99', 'p99.9', 'max')
            if key in values}
    return {
        'scenario': name, 'platform': platform, 'unit': unit_for(platform),
        'configuration': data['scenario'], 'clock': data['clock'],
        'overhead': data['overhead'], 'events': data['events'],
        'ipc': data['ipc'], 'ipc_cross_space': data['ipc_cross_space'],
        'results': results,
        'histograms': data['histograms'], 'notes': data['notes'],
        'errors': data['errors'], 'complete': data['complete'],
    }


def write_csv_rows(stream, data):
    """Every histogram as `path,low_cycles,high_cycles,count` rows: path
    user, kernel (latency), ipc-same-space, ipc-cross-space (round
    trips)."""
    out = csv.writer(stream, lineterminator='\n')
    out.writerow(['path', 'low_cycles', 'high_cycles', 'count'])
    for which in sorted(data['histograms']):
        for low, high, count in data['histograms'][which]:
            out.writerow([which, low, high, count])


def write_csv(path, data):
    with open(path, 'w', newline='') as f:
        write_csv_rows(f, data)


def plot(base, name, platform, data):
    """Histogram plots base.png and base.svg in the manner of the paper's
    Fig. 2 (latency on x, number of samples on a log y axis). Returns the
    files written, or [] without matplotlib (with a message)."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as pyplot
    except ImportError:
        print('vireo: no matplotlib (Debian python3-matplotlib): no plots',
              file=sys.stderr)
        return []
    khz = data['clock'].get('tsc-khz', 0)
    emulated = not platform.startswith('iso')
    figure, axes = pyplot.subplots(figsize=(7, 3.5))
    for which, label in (('user', 'deadline -> user-level handler'),
                         ('kernel', 'deadline -> in-kernel handler')):
        buckets = data['histograms'].get(which) or []
        if not buckets:
            continue
        if emulated:
            xs = [low for low, _, _ in buckets]
            widths = [high - low + 1 for low, high, _ in buckets]
        else:
            xs = [microseconds(low, khz) for low, _, _ in buckets]
            widths = [microseconds(high - low + 1, khz)
                      for low, high, _ in buckets]
        axes.bar(xs, [c for _, _, c in buckets], width=widths, align='edge',
                 label=label, alpha=0.8)
    drawn = any(data['histograms'].get(w) for w in ('user', 'kernel'))
    axes.set_yscale('log' if drawn else 'linear')
    axes.set_xlabel('instructions (virtual time)' if emulated
                    else 'latency [us]')
    axes.set_ylabel('samples')
    axes.set_title('Vireo HPET interrupt latency: %s on %s' % (name,
                                                               platform))
    if drawn:
        axes.legend(fontsize='small')
    else:
        axes.text(0.5, 0.5, 'no samples (see %s.json: events)' % name,
                  ha='center', transform=axes.transAxes)
    figure.tight_layout()
    files = [base + '.png', base + '.svg']
    for path in files:
        figure.savefig(path)
    pyplot.close(figure)
    return files


def _figure(document, which, key):
    """A figure of a scenario's result in the table's unit, or None."""
    values = document['results'].get(which) or {}
    if key not in values:
        return None
    if document['platform'].startswith('iso'):
        return '%.2f' % values['us'][key]
    return '%d' % values[key]


def table(documents, platform):
    """Table 1's layout in Markdown, the paper's column beside ours."""
    unit = 'µs' if platform.startswith('iso') else 'instructions'
    lines = [
        '| # | setup | virtualization | paper: max [µs] | Vireo: max '
        '[%s] | Vireo: p50 | Vireo: p99.9 | Vireo: min | in-kernel '
        'floor: max | samples | missed/past/early |' % unit,
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]

    def row(number, setup, virtualization, paper, name):
        document = documents.get(name) if name else None
        if document is None:
            ours = ['not measured (needs the VMM)' if virtualization
                    else 'not run'] + [''] * 6
        else:
            events = document['events']
            ours = [_figure(document, 'user', 'max') or '-',
                    _figure(document, 'user', 'p50') or '-',
                    _figure(document, 'user', 'p99.9') or '-',
                    _figure(document, 'user', 'min') or '-',
                    _figure(document, 'kernel', 'max') or '-',
                    str(document['results'].get('user', {}).get('count',
                                                                 0)),
                    '%s/%s/%s' % (events.get('missed', '?'),
                                  events.get('past', '?'),
                                  events.get('early', '?'))]
        lines.append('| %s | %s | %s | %s | %s |' % (
            number, setup, 'X' if virtualization else '-',
            '%.2f' % paper if paper is not None else '',
            ' | '.join(ours)))

    for number, setup, virtualization, paper, name in PAPER_ROWS:
        row(number, setup, virtualization, paper, name)
    described = dict(EXTRA_ROWS)
    for name in sorted(documents):
        if name in described or all(name != r[4] for r in PAPER_ROWS):
            row('', described.get(name, 'scenario ' + name), False, None,
                name)
    lines += [
        '',
        'Paper: maximum latency on %s.' % PAPER_HARDWARE,
        'Vireo on %s: %s. Percentiles are upper bounds of histogram '
        'buckets (at most 1/64 wide).' % (platform, unit_for(platform)),
    ]
    for key, space in (('ipc', 'same address space'),
                       ('ipc_cross_space', 'between address spaces')):
        ipc = [(n, d[key]) for n, d in sorted(documents.items())
               if d.get(key)]
        if ipc:
            name, values = ipc[0]
            lines.append('IPC call+reply round trip, %s (scenario %s): '
                         'min %s, p50 %s, max %s TSC ticks.'
                         % (space, name, values.get('min'),
                            values.get('p50'), values.get('max')))
    return '\n'.join(lines) + '\n'


class Progress:
    """Serial output sink that shows `bench: progress` lines and errors
    as they arrive, one status line per scenario."""

    def __init__(self, label, stream):
        self.label = label
        self.stream = stream
        self.pending = ''

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split('\n')
        for line in lines:
            if line.startswith('bench: progress '):
                self.stream.write('\r%s: %s samples' % (
                    self.label, line.split()[2]))
                self.stream.flush()
            elif line.startswith(('bench: error', 'bench: scenario', 'PANIC')):
                self.stream.write('\n%s: %s\n' % (self.label, line))

    def flush(self):
        self.stream.flush()


def same_figures(first, second):
    """None if two parsed runs have the same figures, else what differs."""
    for key in ('clock', 'overhead', 'ipc', 'ipc_cross_space', 'results',
                'events', 'histograms'):
        if first[key] != second[key]:
            return '%s differ: %s vs %s' % (key, first[key], second[key])
    return None


def results_dir(root, platform):
    return os.path.join(root, 'results', '%s-%s' % (
        datetime.date.today().isoformat(), platform))


def write_results(directory, platform, documents):
    """Write the per-scenario files and the table; return the table."""
    os.makedirs(directory, exist_ok=True)
    for name, document in documents.items():
        base = os.path.join(directory, name)
        with open(base + '.json', 'w') as f:
            json.dump(document, f, indent=1, sort_keys=True)
            f.write('\n')
        write_csv(base + '.csv', document)
        plot(base, name, platform, document)
    text = table(documents, platform)
    with open(os.path.join(directory, 'table.md'), 'w') as f:
        f.write('# HPET interrupt latency: Table 1 of Schild et al. 2009 '
                'and Vireo on %s\n\n' % platform)
        f.write(text)
    return text


def run_scenario(root, iso, name, platform, log_dir, stream):
    """Boot one scenario; return (document or None, problem or None)."""
    log = os.path.join(log_dir, 'bench-%s-%s.log' % (name, platform))
    timeout = platforms.timeout_for(platform, BENCH_TIMEOUT)
    label = '%s on %s' % (name, platform)
    stream.write('%s: booting (log %s)\n' % (label, os.path.relpath(log,
                                                                   root)))
    result = platforms.run(platform, iso, log, timeout,
                           echo=Progress(label, stream), icount=True)
    stream.write('\n')
    data = parse(result.output)
    if result.problem:
        return None, '%s: %s (log %s)' % (label, result.problem, log)
    if not data['complete'] or data['errors']:
        return None, '%s: benchmark failed: %s (log %s)' % (
            label, '; '.join(data['errors']) or 'no `bench: end`', log)
    return summary(name, platform, data), None
