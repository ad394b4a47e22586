#!/usr/bin/env python3
"""The code-generation check of `./qemu/run test`: what register accesses
compile to on aarch64 and armhf.

Under KVM on ARM an access to emulated device memory that writes back its
base register (pre- or post-indexed) or moves a pair (ldp/stp, ldrd/strd,
ldm/stm) traps with no valid syndrome (ESR_EL2.ISV = 0) and cannot be
emulated; QEMU's TCG emulates them, so the guest tests cannot see it. udrv.h
makes every access one ldr/str in inline assembly and records each one's
address in the ELF section "udrv_mmio" (a 32-bit offset from the entry to
the instruction). Per arch, as tests codegen/<arch>/<name>:

  sites      every recorded access site of every ELF file installed in
             BUILD/<arch>/staging (libudrv.so, the tool, the drivers' CLIs,
             the guest tests, the benchmarks) and of every installed static
             library (each relinked whole into a throwaway shared object),
             disassembled with the cross objdump: it must be ldr/str (b, h)
             (ldur/stur on aarch64) with one base register and at most an
             immediate offset. An offender is printed with its binary,
             address, function and instruction.
  libudrv, <driver>
             each installed library (libudrv and every driver's static
             library) records access sites at all; except a driver built on
             another driver's library (virtio-blk and virtio-rng on the
             virtio-mmio transport) that takes no register region from
             libudrv: its registers are that library's, whose sites count.
  linked     every installed binary that contains a driver's or libudrv's
             code records access sites inside that code (for a driver of the
             kind just named, inside the code of the library it is built on).
  write32    udrv_pl031_set_time(), a driver's 32-bit register write, is the
             barrier then one store of the value, with no call.
  loop, loop-arm, loop-clang
             tests/codegen/loop.c (loops of relaxed accesses over a register
             window, a 64-bit write) built with the cross GCC (and in ARM
             state, and with clang): no device load or store in it writes
             back or pairs.
  link-forms the sites of loop.c are found, at the right instructions, in a
             shared object, a PIE and a static executable.
  loop-control
             the same loops with plain volatile C must be flagged (they
             compile to post-indexed stores and strd): the loop check can fail.
  bad-sites  tests/codegen/bad_sites.c records a post-indexed store, a
             pre-indexed load, a paired store and a register-offset load;
             the site check must flag exactly those four: it can fail.

Run alone: python3 qemu/codegen.py --build BUILD (after ./qemu/run build).
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import hardening  # LineTally, for running this file on its own

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTION = 'udrv_mmio'
ARCHES = {
    'aarch64': {'prefix': 'aarch64-linux-gnu-', 'triplet': 'aarch64-linux-gnu',
                'clang': 'aarch64-linux-gnu', 'barrier': 'dmb oshst', 'store': r'str w1, \['},
    'armhf': {'prefix': 'arm-linux-gnueabihf-', 'triplet': 'arm-linux-gnueabihf',
              'clang': 'armv7a-linux-gnueabihf', 'barrier': 'dsb st', 'store': r'str(\.w)? r1, \['},
}

# One load or store, one base register, at most an immediate offset.
_IMM = r'(, #-?(0x[0-9a-f]+|\d+))?'
GOOD = {
    'aarch64': re.compile(r'^(ldr|ldrb|ldrh|ldur|ldurb|ldurh|str|strb|strh|stur|sturb|sturh) '
                          r'[wx](\d+|zr), \[(x\d+|sp)' + _IMM + r'\]$'),
    'armhf': re.compile(r'^(ldr|ldrb|ldrh|str|strb|strh)(\.w|\.n)? '
                        r'(r\d+|sb|sl|fp|ip|lr), \[(r\d+|sb|sl|fp|ip|lr|sp)' + _IMM + r'\]$'),
}
PAIRED = re.compile(r'^(ldp|stp|ldnp|stnp|ldpsw|ldxp|stxp|ldaxp|stlxp|ldrd|strd|ldrexd|strexd|'
                    r'ldm|stm|push|pop|vldm|vstm|vpush|vpop|ld[1-4]|st[1-4])')


def normalise(arch, insn):
    """'str\tw1, [x0, #128]\t// ...' -> 'str w1, [x0, #128]'."""
    insn = insn.split('//' if arch == 'aarch64' else '@')[0]
    return re.sub(r'\s+', ' ', insn).strip()


def judge(arch, insn):
    """None if `insn` is a load/store a hypervisor can emulate, else why not."""
    text = normalise(arch, insn)
    if GOOD[arch].match(text):
        return None
    mnem = text.split(' ')[0]
    if PAIRED.match(mnem):
        return 'paired or multiple access'
    if ']!' in text:
        return 'pre-index (writeback)'
    if re.search(r'\], ', text):
        return 'post-index (writeback)'
    if re.search(r'\[\w+, [a-z]', text):
        return 'register offset'
    return 'not one plain load or store'


def writes_back(arch, insn, want):
    """For the loops: why a device access (`want` 'load' or 'store') in a
    function is not emulable; stack accesses (push/pop, [sp]) are not device
    accesses."""
    text = normalise(arch, insn)
    mnem = text.split(' ')[0] if text else ''
    if mnem in ('push', 'pop') or re.search(r'\[sp\b', text) or 'sp!' in text or \
            re.match(r'(ldm|stm)\w* sp', text):
        return None
    is_load = re.match(r'(ld|pop|vld)', mnem) is not None
    is_store = re.match(r'(st|push|vst)', mnem) is not None
    if not ((want == 'load' and is_load) or (want == 'store' and is_store)):
        return None
    return judge(arch, insn)


# --- ELF ---------------------------------------------------------------------

class Elf:
    """The little this check needs from an ELF file: type, machine, sections."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b'\x7fELF':
            raise ValueError('not ELF')
        self.end = '<' if d[5] == 1 else '>'
        wide = d[4] == 2
        self.type, self.machine = struct.unpack_from(self.end + 'HH', d, 16)
        if wide:
            shoff, = struct.unpack_from(self.end + 'Q', d, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from(self.end + 'HHH', d, 0x3a)
            fmt = 'IIQQQQ'
        else:
            shoff, = struct.unpack_from(self.end + 'I', d, 0x20)
            shentsize, shnum, shstrndx = struct.unpack_from(self.end + 'HHH', d, 0x2e)
            fmt = 'IIIIII'
        raw = [struct.unpack_from(self.end + fmt, d, shoff + i * shentsize) for i in range(shnum)]
        strtab = raw[shstrndx][4] if shnum else 0
        self.sections = {}
        for name, typ, _, addr, off, size in raw:
            n = d[strtab + name:d.index(b'\0', strtab + name)].decode()
            self.sections[n] = (addr, off, size, typ)

    def sites(self):
        """The addresses the udrv_mmio entries point at."""
        if SECTION not in self.sections:
            return []
        addr, off, size, _ = self.sections[SECTION]
        n = size // 4
        vals = struct.unpack_from('%s%di' % (self.end, n), self.data, off)
        # ARM: a Thumb address may carry bit 0; instructions are 2-aligned.
        mask = ~1 if self.machine == 40 else ~0
        return [(addr + 4 * i + v) & mask for i, v in enumerate(vals)]


def disassemble(objdump, path, extra=()):
    """{address: (instruction, function)} of every instruction in `path`."""
    out = subprocess.run([objdump, '-d', '-w', '--no-show-raw-insn'] + list(extra) + [path],
                         capture_output=True, text=True).stdout
    insns, func = {}, None
    for line in out.splitlines():
        m = re.match(r'^([0-9a-f]+) <(.+)>:$', line)
        if m:
            if not m.group(2).startswith(('.L', '$')):
                func = m.group(2)
            continue
        m = re.match(r'^\s*([0-9a-f]+):\s+(.*)$', line)
        if m and not m.group(2).startswith('.word'):
            insns[int(m.group(1), 16)] = (m.group(2), func)
    return insns


def check_sites(arch, tools, path):
    """(sites [(addr, insn, func)], offenders [(addr, insn, func, why)])."""
    elf = Elf(path)
    insns = disassemble(tools['objdump'], path)
    sites, bad = [], []
    for a in elf.sites():
        insn, func = insns.get(a, (None, None))
        if insn is None:
            bad.append((a, '?', func, 'no instruction at the recorded address'))
            continue
        why = judge(arch, insn)
        sites.append((a, insn, func))
        if why:
            bad.append((a, normalise(arch, insn), func, why))
    return sites, bad


def describe(label, bad):
    return '; '.join('%s 0x%x <%s>: %s (%s)' % (label, a, f or '?', i, why)
                     for a, i, f, why in bad)


# --- what is installed ---------------------------------------------------------

def installed(staging):
    """(ELF executables and shared objects, static libraries) under staging."""
    elves, archives = [], []
    for root, _, files in os.walk(staging):
        for n in sorted(files):
            p = os.path.join(root, n)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if n.endswith('.a'):
                archives.append(p)
                continue
            with open(p, 'rb') as f:
                if f.read(4) != b'\x7fELF':
                    continue
            if Elf(p).type in (2, 3):	# ET_EXEC, ET_DYN
                elves.append(p)
    return sorted(elves), sorted(archives)


def archive_symbols(nm, archive):
    """(global functions, all functions) an archive defines."""
    out = subprocess.run([nm, '--defined-only', archive], capture_output=True, text=True).stdout
    glob, every = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'Tt':
            every.add(parts[2])
            if parts[1] == 'T':
                glob.add(parts[2])
    return glob, every


# What hands a driver a register mapping: a library that references none of
# these has no register of its own to access.
REGION_GETTERS = {'udrv_device_region', 'udrv_device_region_by_name', 'udrv_region_base'}


def archive_undefined(nm, archive):
    """The symbols an archive uses and does not define itself."""
    out = subprocess.run([nm, '--undefined-only', archive], capture_output=True, text=True).stdout
    return set(p[-1] for p in (l.split() for l in out.splitlines()) if len(p) == 2 and p[0] == 'U')


def built_on(name, libs, undefined):
    """The driver libraries with access sites that library `name` calls into
    (libudrv is not one: every driver calls it), if it takes no register
    region of its own; else []."""
    own = undefined[name] - libs[name][0]
    if own & REGION_GETTERS:
        return []
    return sorted(b for b, (glob, _, sites) in libs.items()
                  if b not in (name, 'libudrv') and sites and glob & own)


def global_functions(nm, path):
    """The global functions `path` defines (its own static ones may share a
    name with a driver's)."""
    out = subprocess.run([nm, '--defined-only', path], capture_output=True, text=True).stdout
    return set(p[2] for p in (l.split() for l in out.splitlines()) if len(p) == 3 and p[1] == 'T')


def relink(tools, archive, out):
    """The whole archive as one shared object, so that its udrv_mmio entries
    are resolved (the objects are PIC; undefined symbols are allowed)."""
    p = subprocess.run([tools['gcc'], '-shared', '-nostdlib', '-o', out, '-Wl,--whole-archive',
                        archive, '-Wl,--no-whole-archive'], capture_output=True, text=True)
    return p.returncode == 0, p.stderr


def library_name(path):
    n = os.path.basename(path)
    n = re.sub(r'\.(a|so(\.[\d.]+)?)$', '', n)
    n = re.sub(r'^lib', '', n)
    return 'libudrv' if n == 'udrv' else re.sub(r'^udrv[-_]', '', n)


# --- the checks ------------------------------------------------------------------

def check_installed(tally, arch, tools, build, tmp):
    staging = os.path.join(build, arch, 'staging')
    elves, archives = installed(staging)
    rel = lambda p: os.path.relpath(p, staging)
    all_bad, nsites, nbin = [], 0, 0
    libs = {}	# name -> (globals, functions, sites)
    undefined = {}	# name -> symbols it uses and does not define
    for a in archives:
        so = os.path.join(tmp, os.path.basename(a) + '.so')
        ok, err = relink(tools, a, so)
        name = library_name(a)
        if not ok:
            tally.add('codegen', arch, name, 'FAIL', 'cannot relink %s: %s' % (rel(a), err[-300:]))
            continue
        sites, bad = check_sites(arch, tools, so)
        all_bad += [(rel(a),) + b for b in bad]
        nsites += len(sites)
        nbin += 1
        glob, every = archive_symbols(tools['nm'], a)
        libs[name] = (glob, every, sites)
        undefined[name] = archive_undefined(tools['nm'], a)
    bases = {name: built_on(name, libs, undefined) for name, (_, _, sites) in libs.items()
             if not sites}
    linked, unlinked_bad = [], []
    for e in elves:
        sites, bad = check_sites(arch, tools, e)
        all_bad += [(rel(e),) + b for b in bad]
        nsites += len(sites)
        nbin += 1
        funcs = global_functions(tools['nm'], e)
        if not funcs:
            unlinked_bad.append('%s: no symbols to tell what it contains (stripped?)' % rel(e))
            continue
        for name, (glob, every, _) in sorted(libs.items()):
            if not glob & funcs:
                continue
            n = sum(1 for _, _, f in sites if f in every)
            # A driver built on another's library: the sites are in that one.
            under = [b for b in bases.get(name, []) if sum(1 for _, _, f in sites if f in libs[b][1])]
            linked.append('%s: %s %d%s' % (os.path.basename(e), name, n,
                                          ''.join(' (via %s)' % b for b in under)))
            if n == 0 and not under:
                unlinked_bad.append('%s contains %s code (%s) but records no access site in it'
                                    % (rel(e), name, sorted(glob & funcs)[0]))
    tally.add('codegen', arch, 'sites', 'FAIL' if all_bad or not nsites else 'PASS',
              '; '.join('%s 0x%x <%s>: %s — %s' % (b, a, f or '?', i, why)
                        for b, a, i, f, why in all_bad) if all_bad else
              '%d access sites in %d binaries and libraries, each one ldr/str with one base '
              'register, no writeback, no pair' % (nsites, nbin))
    for name, (_, _, sites) in sorted(libs.items(), key=lambda kv: kv[0] != 'libudrv'):
        funcs = sorted(set(f for _, _, f in sites if f))
        if not sites and bases.get(name):
            tally.add('codegen', arch, name, 'PASS', 'no register access of its own (it takes no '
                      'region from libudrv): built on %s' % ', '.join(
                          '%s (%d access sites)' % (b, len(libs[b][2])) for b in bases[name]))
            continue
        tally.add('codegen', arch, name, 'PASS' if sites else 'FAIL',
                  '%d access sites in %d functions (%s%s)' % (
                      len(sites), len(funcs), ', '.join(funcs[:4]), ', …' if len(funcs) > 4 else '')
                  if sites else 'no access site recorded: its accesses bypass udrv.h, or the '
                  'section was dropped')
    if 'libudrv' not in libs:
        tally.add('codegen', arch, 'libudrv', 'FAIL', 'libudrv.a not installed in %s' % staging)
    tally.add('codegen', arch, 'linked', 'FAIL' if unlinked_bad or not linked else 'PASS',
              '; '.join(unlinked_bad) if unlinked_bad else
              '%d binaries contain driver or libudrv code, each with access sites in it'
              % len(linked) if linked else 'no installed binary contains driver code')


def check_write32(tally, arch, tools, build):
    """udrv_pl031_set_time(): the barrier, then the store of the value, no call."""
    lib = os.path.join(build, arch, 'meson', 'drivers', 'libudrv-pl031.a')
    cfg = ARCHES[arch]
    if not os.path.isfile(lib):
        tally.add('codegen', arch, 'write32', 'FAIL', '%s not built' % lib)
        return
    out = subprocess.run([tools['objdump'], '-d', '--no-show-raw-insn', lib],
                         capture_output=True, text=True).stdout
    m = re.search(r'<udrv_pl031_set_time>:\n(.*?)(?:\n\n|\Z)', out, re.S)
    insns = [normalise(arch, l.split(':', 1)[1]) for l in (m.group(1).splitlines() if m else [])
             if ':' in l]
    calls = [i for i in insns if re.match(r'(bl|blx|call)\b', i)]
    path, why = [], 'no %s in udrv_pl031_set_time' % cfg['barrier']
    if cfg['barrier'] in insns:
        for i in insns[insns.index(cfg['barrier']):]:
            path.append(i)
            if re.match(r'(b|bl|blx|bx|ret|pop)\b', i):
                why = 'no store of the value before %s' % i
                break
            if re.match(cfg['store'], i):
                why = None
                break
    if not why and any('__assert_fail' not in c for c in calls):
        why = 'calls %s' % ', '.join(calls)
    tally.add('codegen', arch, 'write32', 'FAIL' if why else 'PASS',
              why or '%s; no call on the write path' % '; '.join(path))
    if why:
        print(m.group(0) if m else out[-2000:])


LOOP_FUNCS = {'codegen_write_loop': 'store', 'codegen_read_loop': 'load',
              'codegen_write64': 'store'}


def loop_offenders(arch, tools, obj):
    """Device accesses in the loop functions that write back or pair."""
    insns = disassemble(tools['objdump'], obj)
    found = {f: 0 for f in LOOP_FUNCS}
    bad = []
    for a, (insn, func) in sorted(insns.items()):
        if func not in LOOP_FUNCS:
            continue
        found[func] += 1
        why = writes_back(arch, insn, LOOP_FUNCS[func])
        if why:
            bad.append((a, normalise(arch, insn), func, why))
    missing = [f for f, n in found.items() if not n]
    return bad, missing


def compile_fixture(argv, tally, arch, name):
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode:
        tally.add('codegen', arch, name, 'FAIL', 'cannot compile: %s' % p.stderr[-500:])
        return False
    return True


def check_loops(tally, arch, tools, tmp):
    src = os.path.join(TOP, 'tests', 'codegen', 'loop.c')
    inc = ['-I', os.path.join(TOP, 'lib', 'include')]
    cfg = ARCHES[arch]
    variants = [('loop', [tools['gcc']], [])]
    if arch == 'armhf':
        variants.append(('loop-arm', [tools['gcc']], ['-marm']))
    if shutil.which('clang'):
        variants.append(('loop-clang', ['clang', '--target=' + cfg['clang'], '-ffreestanding'], []))
    for name, cc, flags in variants:
        obj = os.path.join(tmp, name + '.so')
        link = ['-fPIC', '-shared', '-nostdlib'] if cc[0] != 'clang' else ['-c']
        if not compile_fixture(cc + ['-O2', '-Wall', '-Wextra', '-Werror'] + flags + inc + link +
                               [src, '-o', obj], tally, arch, name):
            continue
        bad, missing = loop_offenders(arch, tools, obj)
        # clang makes an object file here (no cross linker for it), whose
        # udrv_mmio entries are not resolved yet: the loop check only.
        sites, site_bad = check_sites(arch, tools, obj) if cc[0] != 'clang' else ([None], [])
        why = (describe(name, bad) if bad else
               'functions not found: %s' % ', '.join(missing) if missing else
               describe(name, site_bad) if site_bad else
               'no access site recorded' if not sites else None)
        tally.add('codegen', arch, name, 'FAIL' if why else 'PASS', why or
                  'relaxed 32-bit write and read loops and a 64-bit write (%s -O2%s): no device '
                  'access writes back or pairs' % (' '.join(cc), ''.join(' ' + f for f in flags)))
    # The same sites whether linked into a shared object, a PIE or a static
    # executable (no libc: entry point set by hand).
    want = 4 if arch == 'armhf' else 3	# two stores for the 64-bit write on armhf
    counts, why = [], None
    for form, flags in (('shared', ['-fPIC', '-shared']), ('PIE', ['-fPIE', '-pie']),
                        ('static', ['-fno-PIE', '-static'])):
        out = os.path.join(tmp, 'link-' + form)
        if not compile_fixture([tools['gcc'], '-O2', '-nostdlib', '-Wl,-e,codegen_write_loop'] +
                               flags + inc + [src, '-o', out], tally, arch, 'link-forms'):
            return
        sites, bad = check_sites(arch, tools, out)
        funcs = set(f for _, _, f in sites)
        counts.append('%s %d' % (form, len(sites)))
        if bad or len(sites) != want or funcs != set(LOOP_FUNCS):
            why = why or '%s: %d sites in %s, want %d in %s%s' % (
                form, len(sites), sorted(funcs), want, sorted(LOOP_FUNCS),
                '; ' + describe(form, bad) if bad else '')
    tally.add('codegen', arch, 'link-forms', 'FAIL' if why else 'PASS',
              why or 'loop.c sites found and resolved when linked as %s' % ', '.join(counts))
    # The control: the same loops in plain volatile C must be caught.
    obj = os.path.join(tmp, 'control.o')
    if compile_fixture([tools['gcc'], '-O2', '-DCODEGEN_PLAIN_VOLATILE', '-c'] + inc +
                       [src, '-o', obj], tally, arch, 'loop-control'):
        bad, missing = loop_offenders(arch, tools, obj)
        tally.add('codegen', arch, 'loop-control', 'PASS' if bad and not missing else 'FAIL',
                  ('plain volatile C flagged as expected: %s' % describe('control', bad)) if bad
                  else 'plain volatile C was not flagged: the loop check cannot fail here')


def check_bad_fixture(tally, arch, tools, tmp):
    src = os.path.join(TOP, 'tests', 'codegen', 'bad_sites.c')
    so = os.path.join(tmp, 'bad_sites.so')
    if not compile_fixture([tools['gcc'], '-O2', '-fPIC', '-shared', '-nostdlib', '-I',
                            os.path.join(TOP, 'lib', 'include'), src, '-o', so],
                           tally, arch, 'bad-sites'):
        return
    sites, bad = check_sites(arch, tools, so)
    want = ['post-index (writeback)', 'pre-index (writeback)', 'paired or multiple access',
            'register offset']
    got = [why for _, _, _, why in bad]
    ok = got == want and len(sites) == len(want) + 1
    tally.add('codegen', arch, 'bad-sites', 'PASS' if ok else 'FAIL',
              '%s of %d recorded sites flagged%s: %s' % (
                  len(bad), len(sites), '' if ok else ' (want the 4 bad ones, in order)',
                  describe('bad_sites.so', bad)))


def run(tally, build, arches=None):
    for arch in arches or ARCHES:
        cfg = ARCHES[arch]
        tools = {t: cfg['prefix'] + t for t in ('objdump', 'gcc', 'nm')}
        missing = [t for t in tools.values() if not shutil.which(t)]
        if not os.path.isdir(os.path.join(build, arch, 'staging')):
            tally.add('codegen', arch, 'sites', 'SKIP',
                      '%s not built (the boards tested do not need it)' % arch)
            continue
        if missing:
            tally.add('codegen', arch, 'sites', 'FAIL', 'missing %s' % ', '.join(missing))
            continue
        with tempfile.TemporaryDirectory(prefix='udrv-codegen-') as tmp:
            check_installed(tally, arch, tools, build, tmp)
            check_write32(tally, arch, tools, build)
            check_loops(tally, arch, tools, tmp)
            check_bad_fixture(tally, arch, tools, tmp)


def main():
    ap = argparse.ArgumentParser(prog='qemu/codegen.py')
    ap.add_argument('--build', required=True)
    ap.add_argument('--arch', choices=sorted(ARCHES), action='append')
    a = ap.parse_args()
    t = hardening.LineTally()
    run(t, a.build, a.arch)
    return 1 if t.failed else 0


if __name__ == '__main__':
    sys.exit(main())
