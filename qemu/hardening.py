#!/usr/bin/env python3
"""Host hardening steps of `./qemu/run test`, and `./qemu/run fuzz`.

  sanitizers(tally, build, host_tests)
      the steps (title, function), for the caller to run after the host
      tests (whose build has Debian's hardening flags, _FORTIFY_SOURCE
      included: host_build in qemu/run), that run the host tests built with
      ASan+UBSan ($BUILD/host-asan) and the host build under valgrind
      memcheck (errors and definite/indirect leaks fail a test program);
      each counted per cmocka test, as scopes 'host-asan' and 'host-valgrind'.
  stub_checks(tally, build)
      the stub under sparse and checkpatch.pl --strict (kernel_checks).
  codegen(tally, build)
      what register accesses compile to on aarch64 and armhf: every access
      site of libudrv, the drivers and everything installed, no writeback or
      paired forms (qemu/codegen.py, which says how).
  fuzz(tally, build, seconds)
      every libFuzzer target of tests/fuzz ($BUILD/host-fuzz) for `seconds`,
      starting from tests/fuzz/corpus/<target> (read-only: what it finds goes
      to a temporary folder), all targets side by side; one test per target,
      PASS if it ran to its budget without a crash; its executions and
      coverage are printed. A failing input is kept in
      BUILD/fuzz-crashes/<target>/ and printed in base64.

Run alone: python3 qemu/hardening.py fuzz --build BUILD [SECONDS] (what
`./qemu/run fuzz [SECONDS]` does), keeping the grown corpus in
BUILD/fuzz-out/<target>/ and any crash input in BUILD/fuzz-crashes/<target>/.
"""
import argparse
import base64
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALGRIND = ('valgrind --error-exitcode=1 --leak-check=full '
            '--errors-for-leak-kinds=definite,indirect --quiet')
# Stop at the first report so that it fails the test program.
SAN_ENV = {'ASAN_OPTIONS': 'halt_on_error=1:abort_on_error=1:detect_leaks=1',
           'UBSAN_OPTIONS': 'halt_on_error=1:abort_on_error=1:print_stacktrace=1'}


def sanitizers(tally, build, host_tests):
    """The host tests' runs under the sanitizers, the hardened build and
    valgrind, as (title, function) steps."""
    os.environ.update(SAN_ENV)
    return [
        ('host tests under ASan+UBSan',
         lambda: host_tests(tally, os.path.join(build, 'host-asan'), 'host-asan')),
        # not the simulated devices' suite: its real-time waits are most of
        # the step under valgrind (10 of 31 s), and ASan runs it
        ('host tests under valgrind',
         lambda: host_tests(tally, os.path.join(build, 'host'), 'host-valgrind',
                            ['--wrap=' + VALGRIND, '--timeout-multiplier=5', '--no-suite', 'sim'],
                            'testlog-valgrind.json')),
    ]


def stub_checks(tally, build):
    print('### the stub: sparse and checkpatch', flush=True)
    kernel_checks(tally, build)


def codegen(tally, build):
    """What register accesses compile to on aarch64 and armhf: every recorded
    access site of everything installed, the loop fixtures and the fixtures
    that show the check can fail (qemu/codegen.py)."""
    import codegen as cg
    cg.run(tally, build)


# checkpatch findings the stub keeps on purpose, each explained in a comment
# at that line of kernel/.
CHECKPATCH_JUSTIFIED = [
    'struct of_device_id should normally be const',  # filled from of_id= at init
    # udrv_compat.h: an out-of-tree module builds for several kernels, and
    # that one header is where the version tests live.
    'udrv_compat.h:13: WARNING:LINUX_VERSION_CODE',
]


# The kernels the stub is checked against: scope name, the unpacked
# headers (qemu/run's cache), the stub's build log (qemu/run's build).
STUB_KERNELS = [('stub@6.1', 'aarch64', 'linux-headers-*-arm64', 'aarch64'),
                ('stub@6.12', 'aarch64-6.12', 'linux-headers-*-arm64', 'aarch64-6.12'),
                ('stub@6.12-rt', 'aarch64-6.12', 'linux-headers-*-rt-arm64', 'aarch64-6.12-rt')]


def kernel_checks(tally, build):
    """The stub under sparse (if installed) against each kernel's arm64
    headers, its compiler warnings from each kernel's build, and
    checkpatch.pl --strict (from the linux-source tree qemu/run setup
    unpacks; the source does not depend on the kernel), one test each."""
    for scope, cache, headers, out in STUB_KERNELS:
        kdir = [os.path.abspath(d) for d in glob.glob(os.path.join(build, 'cache', cache, 'root', 'usr', 'src', headers))
                if scope.endswith('-rt') or not d.endswith('-rt-arm64')]
        if scope != 'stub@6.1' and not kdir:
            continue  # that kernel is not fetched: its boards are not tested either
        stub_sparse(tally, scope, kdir)
        log = os.path.join(build, out, 'kmod', 'build.log')
        if os.path.isfile(log):
            warn = [l for l in open(log) if re.search(r'warning|error', l) and 'Skipping BTF' not in l]
            tally.add('kernel', scope, 'build', 'FAIL' if warn else 'PASS',
                      '%d compiler warnings' % len(warn))
            if warn:
                print(''.join(warn[-40:]))
    stub_checkpatch(tally, build)


def stub_sparse(tally, scope, kdir):
    if shutil.which('sparse') and kdir:
        with tempfile.TemporaryDirectory(prefix='udrv-sparse-') as d:
            for f in glob.glob(os.path.join(TOP, 'kernel', '*')):
                if f.endswith(('.c', '.h', 'Kbuild', 'Makefile')):
                    shutil.copy(f, d)
            p = subprocess.run(['make', '-s', '-C', d, 'KDIR=' + kdir[0], 'ARCH=arm64',
                                'CROSS_COMPILE=aarch64-linux-gnu-', 'C=2', 'CHECK=sparse'],
                               capture_output=True, text=True)
        out = p.stdout + p.stderr
        bad = [l for l in out.splitlines() if re.search(r'udrv_\w+\.[ch]:\d+:\d+: (warning|error)', l)]
        tally.add('kernel', scope, 'sparse', 'PASS' if p.returncode == 0 and not bad else 'FAIL',
                  '%d findings' % len(bad))
        if bad or p.returncode:
            print(out[-3000:])
    else:
        tally.add('kernel', scope, 'sparse', 'FAIL', 'sparse or the arm64 headers not installed (qemu/run setup installs them)')


def stub_checkpatch(tally, build):
    cp = glob.glob(os.path.join(build, 'cache', 'checkpatch', 'checkpatch.pl'))
    if not cp:
        tally.add('kernel', 'stub', 'checkpatch', 'FAIL', 'no checkpatch.pl in the cache (qemu/run build fetches it)')
        return
    p = subprocess.run(['perl', cp[0], '--no-tree', '--strict', '--terse', '--show-types', '-f'] +
                       sorted(glob.glob(os.path.join(TOP, 'kernel', '*.[ch]')) +
                              glob.glob(os.path.join(TOP, 'tests', 'kmod', '*.c'))),
                       capture_output=True, text=True)
    found = [l for l in p.stdout.splitlines() if re.search(r': (ERROR|WARNING|CHECK):', l)]
    bad = [l for l in found if not any(j in l for j in CHECKPATCH_JUSTIFIED)]
    tally.add('kernel', 'stub', 'checkpatch', 'FAIL' if bad else 'PASS',
              '%d findings, %d justified in the source' % (len(found), len(found) - len(bad)))
    if bad:
        print('\n'.join(bad))


# What libFuzzer names an input that failed, in -artifact_prefix.
FAILED_INPUT = re.compile(r'(crash|leak|timeout|oom)-')


def fuzz_targets(build):
    d = os.path.join(build, 'host-fuzz', 'tests', 'fuzz')
    if not os.path.isdir(d):
        return []
    return sorted(n[5:] for n in os.listdir(d)
                  if n.startswith('fuzz_') and os.path.isfile(os.path.join(d, n))
                  and os.access(os.path.join(d, n), os.X_OK))


def fuzz_one(build, target, seconds, out):
    """Run one target; (ok, detail, log)."""
    exe = os.path.join(build, 'host-fuzz', 'tests', 'fuzz', 'fuzz_' + target)
    seeds = os.path.join(TOP, 'tests', 'fuzz', 'corpus', target)
    corpus = os.path.join(out, 'corpus')
    os.makedirs(corpus, exist_ok=True)
    argv = [exe, '-max_total_time=%d' % seconds, '-timeout=10', '-rss_limit_mb=1024',
            '-print_final_stats=1', '-artifact_prefix=' + out + '/', corpus]
    if os.path.isdir(seeds):
        argv.append(seeds)
    env = dict(os.environ, **SAN_ENV)
    p = subprocess.run(argv, capture_output=True, text=True, errors='replace',
                       env=env, cwd=out, timeout=seconds + 300)
    log = p.stdout + p.stderr
    runs = re.findall(r'^Done (\d+) runs in (\d+) second', log, re.M)
    cov = re.findall(r'^#\d+\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/', log, re.M)
    crashes = [n for n in os.listdir(out) if FAILED_INPUT.match(n)]
    ok = p.returncode == 0 and bool(runs) and not crashes
    detail = '%s executions in %s s, coverage %s edges / %s features, corpus %s' % (
        runs[-1][0] if runs else '?', runs[-1][1] if runs else '?',
        cov[-1][0] if cov else '?', cov[-1][1] if cov else '?', cov[-1][2] if cov else '?')
    if not ok:
        detail += '; status %d%s' % (p.returncode,
                                     ', ' + ', '.join(crashes) if crashes else '')
    return ok, detail, log


def keep_crashes(out, dest):
    """Move the inputs that failed out of `out` into `dest`, and return them as
    text for the log (base64), so that a CI log alone can reproduce them."""
    text = ''
    for n in sorted(os.listdir(out)):
        if not FAILED_INPUT.match(n):
            continue
        os.makedirs(dest, exist_ok=True)
        shutil.move(os.path.join(out, n), os.path.join(dest, n))
        with open(os.path.join(dest, n), 'rb') as f:
            data = f.read()
        text += '\n%s/%s (%d bytes; base64 -d > input):\n%s\n' % (
            dest, n, len(data), base64.encodebytes(data[:65536]).decode())
    return text


def fuzz(tally, build, seconds, keep=None):
    """Every target at once (libFuzzer is single-threaded): `seconds` of wall
    time each, the whole step takes `seconds`, not seconds x targets."""
    targets = fuzz_targets(build)
    print('### fuzzing (%d s per target, %d targets side by side)' % (seconds, len(targets)),
          flush=True)
    if not targets:
        tally.add('fuzz', 'build', 'targets', 'FAIL', 'no fuzz targets in %s/host-fuzz' % build)
        return

    def one(t):
        out = os.path.join(keep, t) if keep else tempfile.mkdtemp(prefix='udrv-fuzz-')
        os.makedirs(out, exist_ok=True)
        try:
            ok, detail, log = fuzz_one(build, t, seconds, out)
        except subprocess.TimeoutExpired:
            ok, detail, log = False, 'did not stop within its budget', ''
        if not ok:
            log += keep_crashes(out, os.path.join(build, 'fuzz-crashes', t))
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
        return ok, detail, log

    with concurrent.futures.ThreadPoolExecutor(len(targets)) as pool:
        results = list(pool.map(one, targets))
    for t, (ok, detail, log) in zip(targets, results):
        tally.add('fuzz', t, 'run', 'PASS' if ok else 'FAIL', detail)
        if not ok:
            print(log[-12000:])


class LineTally:
    """Prints each result as the test run does; counts the failures."""

    def __init__(self):
        self.failed = 0

    def add(self, scope, suite, test, status, detail=None):
        self.failed += status == 'FAIL'
        print('%-4s %s/%s/%s%s' % (status, scope, suite, test,
                                   (' — ' + detail) if detail else ''), flush=True)


def main():
    ap = argparse.ArgumentParser(prog='qemu/run fuzz')
    ap.add_argument('sub', choices=['fuzz'])
    ap.add_argument('--build', required=True)
    ap.add_argument('seconds', type=int, nargs='?', default=600,
                    help='seconds per target (default 600)')
    a = ap.parse_intermixed_args()
    keep = os.path.join(a.build, 'fuzz-out')
    t = LineTally()
    fuzz(t, a.build, a.seconds, keep=keep)
    print('grown corpora: %s/<target>/' % keep)
    return 1 if t.failed else 0


if __name__ == '__main__':
    sys.exit(main())
