#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What `./qemu/run bench` leaves under BUILD/bench from one run's JSON: the
JSON itself, an SVG per histogram and one of every ratio, and report.md,
the README's performance section (between its perf markers, which
`bench --update-readme` rewrites). Plain SVG written here: no plotting
package needed."""
import datetime
import html
import json
import os
import platform
import re
import subprocess

BEGIN, END = '<!-- perf:begin -->', '<!-- perf:end -->'


def machine():
    """Where the run happened, in one line."""
    cpu = ''
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    try:
        qemu = subprocess.run(['qemu-system-aarch64', '--version'], capture_output=True,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        qemu = 'QEMU (version unknown)'
    return '%s, %d CPUs, Linux %s; %s (TCG)' % (cpu or platform.machine(), os.cpu_count() or 0,
                                                 platform.release(), qemu)


def svg_bars(title, bars, unit, width=640):
    """A horizontal bar chart: bars is [(label, value)]."""
    if not bars:
        return None
    top = max(v for _, v in bars) or 1
    h = 28 + 18 * len(bars)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="11">' % (width, h),
           '<text x="4" y="14" font-weight="bold">%s</text>' % html.escape(title)]
    for i, (label, v) in enumerate(bars):
        y = 24 + 18 * i
        w = max(1, int((width - 330) * v / top))
        out.append('<text x="4" y="%d">%s</text>' % (y + 11, html.escape(label)))
        out.append('<rect x="260" y="%d" width="%d" height="13" fill="#4878a8"/>' % (y + 1, w))
        out.append('<text x="%d" y="%d">%.4g%s</text>' % (264 + w, y + 11, v, unit))
    out.append('</svg>')
    return '\n'.join(out)


def svg_histogram(title, hist, p99, width=640, height=160):
    """hist: [[bucket_start_us, count]] of 10 us buckets; a log count axis."""
    import math
    if not hist:
        return None
    last = max(b for b, _ in hist) + 10
    top = math.log10(max(c for _, c in hist) + 1)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="11">' % (width, height + 30),
           '<text x="4" y="14" font-weight="bold">%s</text>' % html.escape(title)]
    for b, c in hist:
        x = 4 + (width - 8) * b / last
        h = (height - 10) * math.log10(c + 1) / top
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4878a8"/>'
                   % (x, 20 + height - 10 - h, max(1.0, (width - 8) * 10 / last), h))
    x = 4 + (width - 8) * p99 / last
    out.append('<line x1="%.1f" y1="20" x2="%.1f" y2="%d" stroke="#c04040"/>' % (x, x, height + 10))
    out.append('<text x="%.1f" y="%d" fill="#c04040">p99 %.0f us</text>' % (x + 2, 32, p99))
    out.append('<text x="4" y="%d">0 us</text><text x="%d" y="%d" text-anchor="end">%d us '
               '(count, log scale)</text>' % (height + 26, width - 4, height + 26, last))
    out.append('</svg>')
    return '\n'.join(out)


def ratios(results):
    """Every ratio field of every result: [(label, value)]."""
    out = []
    for r in results:
        for k, v in r.items():
            if isinstance(v, (int, float)) and ('_over_' in k or 'ratio' in k):
                what = ' '.join(str(r[f]) for f in ('bench', 'test', 'device', 'config', 'len', 'dir',
                                                          'host_disk_aio')
                                if f in r)
                out.append(('%s %s: %s' % (r.get('board', '?'), what, k), float(v)))
    return out


def write(results, outdir):
    """Write bench.json, the SVGs and report.md into outdir; returns report.md's text."""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'bench.json'), 'w') as f:
        json.dump(results, f, indent=2)
    pictures = []
    for r in results:
        if r.get('bench') == 'irq_latency' and r.get('hist_10us'):
            name = 'irq_latency-%s-%s-%s.svg' % (r['board'], r['device'],
                                                  re.sub(r'[^a-z0-9]+', '_', r['config']))
            svg = svg_histogram('%s %s (%s), %s: %d wakeups' % (r['board'], r['device'], r['kernel'],
                                                                 r['config'], r['samples']),
                                r['hist_10us'], r['udrv']['p99_us'])
            open(os.path.join(outdir, name), 'w').write(svg)
            pictures.append(name)
    svg = svg_bars('ratios (each against its baseline in the same run)', ratios(results), '')
    if svg:
        open(os.path.join(outdir, 'ratios.svg'), 'w').write(svg)
        pictures.append('ratios.svg')

    md = ['Generated by `./qemu/run bench --update-readme` on %s, on %s. Every figure is a QEMU '
          'guest under emulation: absolute times are not hardware times (TCG runs each guest '
          'instruction in software); the claims are the ratios, each against a baseline measured '
          'in the same run. Pictures: `build/bench/*.svg`.'
          % (datetime.date.today().isoformat(), machine()), '']
    lat = [r for r in results if r.get('bench') == 'irq_latency']
    if lat:
        md += ['Interrupt latency (`irq-latency`: the device\'s own counter at wakeup, 10 000 '
               'wakeups per row, beside `cyclictest -p 80 -i 1000` on the same guest):', '',
               '| board | kernel | driver thread | udrv p50 / p99 / p99.9 / max (us) | cyclictest p99 (us) | udrv p99 / cyclictest p99 |',
               '| --- | --- | --- | --- | --- | --- |']
        for r in lat:
            u, c = r['udrv'], r.get('cyclictest') or {}
            md.append('| %s | %s | %s | %.0f / %.0f / %.0f / %.0f | %s | %s |' % (
                r['board'], r['kernel'], r['config'], u['p50_us'], u['p99_us'], u['p99_9_us'],
                u['max_us'], '%.0f' % c['p99_us'] if c else '-',
                '%.2f' % r['p99_over_cyclictest'] if 'p99_over_cyclictest' in r else '-'))
        md.append('')
    rtt = [r for r in results if r.get('bench') == 'edu_irq_round_trip' and 'p50_us' in r]
    if rtt:
        md += ['edu interrupt round trip (`edu-irq-rtt`: raise, wake, acknowledge, unmask):', '',
               '| board | path | samples | p50 / p99 / p99.9 (us) |', '| --- | --- | --- | --- |']
        md += ['| %s | %s | %d | %.0f / %.0f / %.0f |' % (r['board'], r['path'], r['samples'],
                                                        r['p50_us'], r['p99_us'], r['p99_9_us'])
               for r in rtt]
        md.append('')
    sync = [r for r in results if r.get('bench') == 'dma-sync' and r.get('dir') == 'to_device']
    if sync:
        md += ['DMA syncs (`dma-sync`: one `udrv_dma_sync_for_device()`, to the device, in us; '
               'beside a `memcpy` of the same length in the same run):', '',
               '| board | pool | ' + ' | '.join('%d KiB' % (n // 1024) for n in
                                               sorted({r['len'] for r in sync})) + ' |',
               '| --- | --- |' + ' --- |' * len({r['len'] for r in sync})]
        for key in sorted({(r['board'], r['pool']) for r in sync}):
            cells = {r['len']: r for r in sync if (r['board'], r['pool']) == key}
            md.append('| %s | %s | %s |' % (key[0], key[1], ' | '.join(
                '%.2f (memcpy %.1f)' % (cells[n]['for_device_us'], cells[n]['memcpy_us'])
                if n in cells else '-' for n in sorted({r['len'] for r in sync}))))
        md.append('')
    rest = [(l, v) for l, v in ratios(results) if 'irq_latency' not in l and 'dma-sync' not in l]
    if rest:
        md += ['Other ratios:', '', '| result | ratio |', '| --- | --- |']
        md += ['| %s | %.2f |' % (l, v) for l, v in rest]
        md.append('')
    text = '\n'.join(md)
    open(os.path.join(outdir, 'report.md'), 'w').write(text)
    return text


def update_readme(readme, text):
    """Replace what is between the perf markers of readme with text."""
    s = open(readme).read()
    if BEGIN not in s or END not in s:
        raise SystemExit('%s has no %s ... %s markers' % (readme, BEGIN, END))
    head, rest = s.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    open(readme, 'w').write(head + BEGIN + '\n' + text + '\n' + END + tail)
