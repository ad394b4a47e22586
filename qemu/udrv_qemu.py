#!/usr/bin/env python3
"""Boot the emulated boards and talk to them; called by qemu/run.

Sub-commands: dumpdtb, initramfs, exec, shell, demo, bench, test.

The guest's /init (qemu/guest/init) prints marker lines on the console:
  @@UDRV-READY                     the guest is up and the modules are loaded
  @@UDRV-EXIT <rc>                 the command finished with status rc
  @@UDRV-SUITE-BEGIN <name>        a guest test suite starts (run-tests)
  @@UDRV-SUITE-END <name> <rc>     ... and ends with status rc
  @@UDRV-HOST <action> [args]      a guest test asks the host to act:
      powerdown                    QMP system_powerdown (virt: GPIO power key)
      uart-send <hex>              write bytes into the board's second UART
      uart-echo on|off             echo what the second UART sends back into it
      disk-check D OFF LEN SHA256  after the run, bytes OFF..OFF+LEN of disk D's
                                   image file must have this SHA-256
      uart-check LEN SHA256        after the run, the last LEN bytes the second
                                   UART sent to the host must have this SHA-256
"""
import argparse
import concurrent.futures
import hashlib
import io
import json
import os
import re
import select
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

import hardening

os.environ.setdefault('QEMU_AUDIO_DRV', 'none')  # zcu102's DisplayPort audio
# The PL031 counts in the VM's time (-rtc clock=vm), as the guest's clock
# does: the two start from the host's time and stay comparable to a second.
VIRT_MACHINE = ['-M', 'virt', '-cpu', 'cortex-a57', '-m', '512M', '-smp', '2',
                '-rtc', 'clock=vm']
# 32-bit: without highmem=off the non-LPAE kernel cannot reach the PCIe ECAM.
VIRT32_MACHINE = ['-M', 'virt,highmem=off', '-cpu', 'cortex-a15', '-m', '512M', '-smp', '2',
                  '-rtc', 'clock=vm']
ARCHES = {
    'aarch64': {'qemu': 'qemu-system-aarch64', 'triplet': 'aarch64-linux-gnu'},
    'armhf': {'qemu': 'qemu-system-arm', 'triplet': 'arm-linux-gnueabihf'},
}

BOARDS = {
    'virt': {
        'arch': 'aarch64',
        'machine': VIRT_MACHINE,
        'console': 'ttyAMA0',
        'dtb': 'virt.dtb',
        'disks': 2,
        # virtio-mmio slots fill from the top in command-line order: the
        # disks (added first) take 0xa003e00 and 0xa003c00, the RNG 0xa003a00.
        'devices': ['-nic', 'none', '-device', 'edu,dma_mask=0xffffffff',
                    '-device', 'virtio-rng-device'],
        'uart2': False,
    },
    'zcu102': {
        'arch': 'aarch64',
        'machine': ['-M', 'xlnx-zcu102', '-m', '2G'],
        'console': 'ttyPS0',
        # No PMU firmware: don't hold devices back for its providers.
        'append': 'fw_devlink=off cpuidle.off=1',
        'dtb': 'zcu102.dtb',
        'disks': 0,
        'devices': [],
        'uart2': True,
    },
}
# The boards that exercise the stub's lifecycle hardest (virt-smmu, rpi3)
# boot with the allocators checking themselves, so that a wrong or late
# free is caught when it happens (Debian's kernels have no DEBUG_PAGEALLOC:
# poisoning and init-on-free stand in for it). Not every board: poisoning
# all of RAM at boot costs seconds before the guest's clock starts.
DEBUG_APPEND = 'slub_debug=FZPU page_poison=1 init_on_free=1'
# raspi3b has its memory and CPUs fixed; poweroff halts rather than exits,
# so the harness ends QEMU itself after the exit marker. Its guest time runs
# on the instruction count (-icount, sleep=off: idle time is skipped), not on
# the host's clock: on a loaded shared host a descheduled QEMU otherwise
# shows up in the guest as interrupts tens to hundreds of ms late, and the
# system timer suite's periodic interrupts skip periods whatever the driver
# does. Guest sleeps are therefore quick in host time on this board.
BOARDS['rpi3'] = {
    'arch': 'aarch64',
    'machine': ['-M', 'raspi3b', '-icount', 'shift=auto,sleep=off'],
    'console': 'ttyAMA0',
    'dtb': 'rpi3.dtb',
    'disks': 0,
    'devices': [],
    'uart2': False,
    'append': DEBUG_APPEND,
}
# virt booted with QEMU's own DTB, untouched: for tests of run-time binding.
BOARDS['virt-stock'] = dict(BOARDS['virt'], dtb='virt-stock.dtb')
# The virt board on 32-bit ARM runs the virt suites ('family').
# armmp reserves 16 MiB of CMA, arm64 64 MiB: give DMA pools the same room.
BOARDS['virt32'] = dict(BOARDS['virt'], arch='armhf', machine=VIRT32_MACHINE,
                        dtb='virt32.dtb', family='virt', append='cma=64M')
# virt with its PCIe devices behind an SMMUv3 (QEMU's SMMU translates PCI
# only): edu's pool address is then an I/O virtual address, and a DMA
# outside what the kernel mapped faults. Its DTB is dumped with the same -M
# options, since only that DTB describes the SMMU.
# It runs virt's suites.
BOARDS['virt-smmu'] = dict(BOARDS['virt'], dtb='virt-smmu.dtb', append=DEBUG_APPEND, family='virt',
                           machine=['-M', 'virt,iommu=smmuv3'] + VIRT_MACHINE[2:])
TEST_BOARDS = ['virt', 'virt-smmu', 'virt-stock', 'zcu102', 'rpi3', 'virt32']

# --- kernels ------------------------------------------------------------------
# The guest kernels, each built by qemu/run into its own folder (see
# build_dir): Debian 12's 6.1 (the default), and 6.12 from bookworm-backports
# with its PREEMPT_RT flavour (arm64 only). A board on a kernel is named
# 'board@kernel' (virt@6.12); a bare board name boots the default kernel.
# The boards `test` runs on each kernel:
KERNELS = {
    '6.1': TEST_BOARDS,
    '6.12': ['virt', 'zcu102', 'rpi3', 'virt32'],
    '6.12-rt': ['virt', 'zcu102'],
}
DEFAULT_KERNEL = '6.1'
# How much of the host a board's guest takes, in guests of 2 vCPUs (test
# --jobs N runs boards side by side while their sum stays within N): rpi3
# is one TCG thread (-icount), zcu102 four A53s whose TTC suite counts 100 Hz
# periods, which it misses when it shares the host with another 2-vCPU guest.
BOARD_LOAD = {'rpi3': 0.5, 'zcu102': 1.5}


def split_spec(spec, kernel=None):
    """'virt@6.12' -> ('virt', '6.12'); a bare name takes `kernel` or the default."""
    board, _, k = spec.partition('@')
    k = k or kernel or DEFAULT_KERNEL
    if board not in BOARDS:
        die('unknown board %r (known: %s, all)' % (board, ', '.join(BOARDS)))
    if k not in KERNELS:
        die('unknown kernel %r (known: %s)' % (k, ', '.join(KERNELS)))
    if k.endswith('-rt') and BOARDS[board]['arch'] != 'aarch64':
        die('%s: kernel %s is built for arm64 only' % (board, k))
    return board, k


def build_dir(build, arch, kernel):
    """Where qemu/run puts a kernel's stub, DTBs and initramfs for arch."""
    return os.path.join(build, arch if kernel == DEFAULT_KERNEL else '%s-%s' % (arch, kernel))


def board_specs(arg, kernel, default):
    """The 'board@kernel' names --board ARG and --kernel KERNEL select.

    ARG is 'all' or a comma list of boards, each maybe with its @kernel.
    KERNEL is None (the default kernel; for `test` with 'all' boards, the
    whole matrix), a kernel, or 'all'. default is the board list 'all'
    means, or 'matrix': each kernel's board set (KERNELS)."""
    if kernel == 'all' or (kernel is None and default == 'matrix' and arg == 'all'):
        kernels = list(KERNELS)
    else:
        kernels = [kernel or DEFAULT_KERNEL]
    out = []
    for k in kernels:
        if k not in KERNELS:
            die('unknown kernel %r (known: %s, all)' % (k, ', '.join(KERNELS)))
        if arg == 'all':
            names = KERNELS[k] if default == 'matrix' else default
        else:
            names = arg.split(',')
        for n in names:
            if '@' not in n and len(kernels) > 1 and n not in KERNELS[k]:
                continue  # --kernel all --board B: B on the kernels that test it
            spec = '%s@%s' % split_spec(n, k)
            if spec not in out:
                out.append(spec)
    return out

DISK_MB = 16
GUEST_LIBEXEC = '/usr/libexec/udrv'


def die(msg, code=2):
    print('qemu/run: ' + msg, file=sys.stderr)
    sys.exit(code)


# --- initramfs (newc cpio, written here so no root or mknod is needed) --------

class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1
        self.names = set()

    def _entry(self, name, mode, data=b'', rdev=(0, 0)):
        name = name.lstrip('/') or '.'
        if name in self.names:
            return
        self.names.add(name)
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        self.ino += 1
        self.out += b'070701' + ''.join('%08X' % f for f in fields).encode()
        self.out += name.encode() + b'\0'
        self.out += b'\0' * (-len(self.out) % 4)
        self.out += data
        self.out += b'\0' * (-len(self.out) % 4)

    def dirs(self, path):
        parts = path.strip('/').split('/')[:-1]
        for i in range(len(parts)):
            self._entry('/'.join(parts[:i + 1]), stat.S_IFDIR | 0o755)

    def dir(self, path, mode=0o755):
        self.dirs(path)
        self._entry(path, stat.S_IFDIR | mode)

    def file(self, path, data, mode=0o644):
        self.dirs(path)
        self._entry(path, stat.S_IFREG | mode, data)

    def symlink(self, path, target):
        self.dirs(path)
        self._entry(path, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, path, major, minor, mode=0o600):
        self.dirs(path)
        self._entry(path, stat.S_IFCHR | mode, rdev=(major, minor))

    def tree(self, src, dest='/'):
        for root, dirnames, filenames in os.walk(src):
            rel = os.path.relpath(root, src)
            base = os.path.normpath(os.path.join(dest, rel))
            for n in sorted(dirnames) + sorted(filenames):
                p = os.path.join(root, n)
                g = os.path.join(base, n)
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    self.symlink(g, os.readlink(p))
                elif stat.S_ISDIR(st.st_mode):
                    self.dir(g, stat.S_IMODE(st.st_mode))
                else:
                    with open(p, 'rb') as f:
                        self.file(g, f.read(), stat.S_IMODE(st.st_mode))

    def finish(self):
        self._entry('TRAILER!!!', 0)
        return bytes(self.out)


def elf_needed(path):
    """The DT_NEEDED names and the interpreter of an ELF file, or None."""
    with open(path, 'rb') as f:
        if f.read(4) != b'\x7fELF':
            return None
    out = subprocess.run([TRIPLET + '-readelf', '-d', '-l', '-W', path],
                         capture_output=True, text=True).stdout
    needed = re.findall(r'\(NEEDED\)\s+Shared library: \[(.*?)\]', out)
    interp = re.findall(r'Requesting program interpreter: (.*?)\]', out)
    return needed, interp


TRIPLET = 'aarch64-linux-gnu'


def cmd_initramfs(a):
    global TRIPLET
    TRIPLET = a.triplet
    c = Cpio()
    for d in ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp',
              'run', 'root', 'etc', 'lib/modules/udrv', 'mnt']:
        c.dir(d)
    c.chardev('dev/console', 5, 1)
    c.chardev('dev/null', 1, 3, 0o666)
    c.file('bin/busybox', open(a.busybox, 'rb').read(), 0o755)
    c.symlink('bin/sh', 'busybox')
    trees = []
    for t in a.tree:
        src, _, dest = t.partition(':')
        if os.path.isdir(src):
            c.tree(src, dest or '/')
            trees.append(src)
    for m in a.module:
        c.file('lib/modules/udrv/' + os.path.basename(m), open(m, 'rb').read())
    # Shared libraries the ELF files need, found in the --libs folders.
    want, seen = [], set()
    for src in trees:
        for root, _, files in os.walk(src):
            for n in files:
                p = os.path.join(root, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    want.append(p)
    libdir = 'usr/lib/' + a.triplet
    while want:
        r = elf_needed(want.pop())
        if not r:
            continue
        needed, interp = r
        for lib in needed + [os.path.basename(i) for i in interp]:
            if lib in seen:
                continue
            seen.add(lib)
            for d in a.libs:
                p = os.path.join(d, lib)
                if os.path.exists(p):
                    real = os.path.realpath(p)
                    c.file(libdir + '/' + lib, open(real, 'rb').read(), 0o755)
                    want.append(real)
                    break
            else:
                die('initramfs: no %s in %s' % (lib, ', '.join(a.libs)))
        for i in interp:
            c.symlink(i.lstrip('/'), '/' + libdir + '/' + os.path.basename(i))
    with open(a.out, 'wb') as f:
        f.write(c.finish())


# --- booting ------------------------------------------------------------------

class Guest:
    """One QEMU run of a board; the console is read line by line."""

    def __init__(self, build, board, workdir, interactive=False, quiet=True):
        board, self.kernel = split_spec(board)
        if board not in BOARDS:
            die('unknown board %r (known: %s)' % (board, ', '.join(BOARDS)))
        self.b = BOARDS[board]
        self.board = board
        self.build = build_dir(build, self.b['arch'], self.kernel)
        self.work = workdir
        self.interactive = interactive
        self.quiet = quiet and not os.environ.get('UDRV_VERBOSE')
        self.lines = []
        self.qmp_path = os.path.join(workdir, 'qmp.sock')
        self.uart_path = os.path.join(workdir, 'uart.sock')
        self.uart = None
        self.uart_echo = False
        self.uart_rx = bytearray()
        self.uart_tx = bytearray()  # bytes for the UART, sent as it takes them
        self.checks = []
        self.proc = None

    def argv(self, initrd):
        b = self.b
        cmdline = ('console=%s rdinit=/init panic=-1 udrv.board=%s udrv.family=%s'
                   % (b['console'], self.board, b.get('family', self.board)))
        # The guest's clock: boards whose RTC goes to the stub (or that have
        # none the kernel reads) would start at 1970. /init adds its uptime.
        cmdline += ' udrv.epoch=%.3f' % time.time()
        if b.get('append'):
            cmdline += ' ' + b['append']
        if self.quiet:
            cmdline += ' quiet loglevel=4'
        argv = [ARCHES[b['arch']]['qemu']] + b['machine'] + [
            '-kernel', os.path.join(self.build, 'vmlinuz'),
            '-initrd', initrd,
            '-dtb', os.path.join(self.build, 'dtb', b['dtb']),
            '-append', cmdline, '-no-reboot',
            '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
        ]
        if self.interactive:
            argv += ['-nographic', '-serial', 'mon:stdio']
        else:
            argv += ['-display', 'none', '-monitor', 'none', '-serial', 'stdio']
        if b['uart2']:
            argv += ['-serial', 'unix:%s,server=on,wait=off' % self.uart_path]
        global_mmio = False
        for i in range(b['disks']):
            img = os.path.join(self.work, 'disk%d.img' % i)
            with open(img, 'wb') as f:
                f.truncate(DISK_MB << 20)
            argv += ['-drive', 'file=%s,if=none,format=raw,id=d%d' % (img, i),
                     '-device', 'virtio-blk-device,drive=d%d' % i]
            global_mmio = True
        if global_mmio:
            argv += ['-global', 'virtio-mmio.force-legacy=false']
        return argv + b['devices']

    def initrd(self, files):
        """The base initramfs plus a second archive with the run's own files."""
        c = Cpio()
        for guest, data, mode in files:
            c.file(guest, data, mode)
        path = os.path.join(self.work, 'initrd.cpio')
        with open(path, 'wb') as f:
            with open(os.path.join(self.build, 'initramfs.cpio'), 'rb') as base:
                shutil.copyfileobj(base, f)
            f.write(c.finish())
        return path

    def start(self, files):
        argv = self.argv(self.initrd(files))
        if self.interactive:
            return subprocess.call(argv)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b''
        self.t0 = time.monotonic()

    # Host actions asked for by the guest ---------------------------------------
    def qmp(self, command):
        for _ in range(50):
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.qmp_path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            return 'no QMP socket'
        f = s.makefile('rw')
        f.readline()
        for cmd in ({'execute': 'qmp_capabilities'}, {'execute': command}):
            f.write(json.dumps(cmd) + '\n')
            f.flush()
            while True:
                r = json.loads(f.readline())
                if 'return' in r or 'error' in r:
                    break
        s.close()
        return json.dumps(r)

    def uart_connect(self):
        if self.uart is None and self.b['uart2']:
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.uart_path)
            s.setblocking(False)
            self.uart = s
        return self.uart

    def host_action(self, words):
        what = words[0] if words else ''
        if what == 'powerdown':
            r = self.qmp('system_powerdown')
        elif what == 'uart-send' and len(words) == 2:
            self.uart_connect()
            self.uart_tx += bytes.fromhex(words[1])
            self._flush_uart()
            r = 'sent %d bytes' % (len(words[1]) // 2)
        elif what == 'uart-echo' and len(words) == 2:
            self.uart_connect()
            self.uart_echo = words[1] == 'on'
            r = 'echo ' + words[1]
        elif what == 'time-check' and len(words) == 2:
            # time-check SECONDS: a guest clock read just now, against ours.
            self.checks.append(words + ['%.3f' % time.time()])
            r = 'checked when the guest ends'
        elif what in ('disk-check', 'uart-check'):
            # Checked once QEMU has exited and flushed its files.
            self.checks.append(words)
            r = 'checked when the guest ends'
        else:
            r = 'unknown action'
        self.lines.append('[host] %s: %s' % (' '.join(words), r))

    def run_checks(self):
        """Verify the deferred checks; a list of (name, ok, detail)."""
        out = []
        for i, w in enumerate(self.checks):
            name = '%s-%d' % (w[0], i)
            try:
                if w[0] == 'disk-check' and len(w) == 5:
                    # disk-check DISK OFFSET LENGTH SHA256
                    img = os.path.join(self.work, 'disk%d.img' % int(w[1]))
                    with open(img, 'rb') as f:
                        f.seek(int(w[2], 0))
                        data = f.read(int(w[3], 0))
                    want = w[4]
                elif w[0] == 'uart-check' and len(w) == 3:
                    # uart-check LENGTH SHA256: the last LENGTH bytes the UART sent
                    data = bytes(self.uart_rx[-int(w[1], 0):])
                    want = w[2]
                elif w[0] == 'time-check' and len(w) == 3:
                    # Read by the guest as its second turned, a console
                    # line ago, from a clock QEMU started at the host's
                    # whole second (tests that set it put it back to the
                    # nearest one): up to ~1.5 s behind ours, never ahead.
                    apart = float(w[2]) - int(w[1], 0)
                    out.append((name, -1.0 <= apart <= 3.0,
                                'guest clock %s, host %s: %.2f s apart (allowed -1..3)'
                                % (w[1], w[2], apart)))
                    continue
                else:
                    out.append((name, False, 'malformed: ' + ' '.join(w)))
                    continue
                got = hashlib.sha256(data).hexdigest()
                out.append((name, got == want.lower(), '%s: %d bytes, sha256 %s, expected %s'
                            % (' '.join(w[:-1]), len(data), got[:16], want[:16])))
            except (OSError, ValueError) as e:
                out.append((name, False, '%s: %s' % (' '.join(w), e)))
        return out

    def _pump_uart(self):
        if self.uart is None:
            return
        try:
            data = self.uart.recv(4096)
        except BlockingIOError:
            return
        if data:
            self.uart_rx += data
            if self.uart_echo:
                self.uart_tx += data
        self._flush_uart()

    def _flush_uart(self):
        # The socket is non-blocking: send what it takes now, keep the rest
        # for when select() says it is writable.
        while self.uart_tx:
            try:
                n = self.uart.send(self.uart_tx)
            except BlockingIOError:
                return
            del self.uart_tx[:n]

    def lines_until(self, deadline):
        """Yield console lines until QEMU exits or the deadline passes.

        Sets self.outcome to 'exit' or 'timeout' when it stops."""
        fd = self.proc.stdout.fileno()
        while True:
            now = time.monotonic()
            if now >= deadline:
                self.outcome = 'timeout'
                return
            rl = [fd] + ([self.uart] if self.uart else [])
            wl = [self.uart] if self.uart and self.uart_tx else []
            r, w, _ = select.select(rl, wl, [], min(0.5, deadline - now))
            if self.uart in r:
                self._pump_uart()
            if self.uart in w:
                self._flush_uart()
            if fd not in r:
                continue
            data = os.read(fd, 65536)
            if not data:
                if self.buf:
                    yield self._line(self.buf)
                    self.buf = b''
                self.outcome = 'exit'
                return
            self.buf += data
            while b'\n' in self.buf:
                line, self.buf = self.buf.split(b'\n', 1)
                yield self._line(line)

    def _line(self, raw):
        line = raw.decode('utf-8', 'replace').rstrip('\r')
        self.lines.append(line)
        if line.startswith('@@UDRV-READY') and self.b['uart2']:
            self.uart_connect()  # from now on every byte UART1 sends is kept
        m = re.search(r'@@UDRV-HOST (.*)$', line)
        if m:
            self.host_action(m.group(1).split())
        return line

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        if self.uart:
            self.uart.close()

    def tail(self, n=40):
        return '\n'.join(self.lines[-n:])


def guest_script(argv):
    return ('#!/bin/sh\n' + ' '.join(shlex.quote(x) for x in argv) + '\n').encode()


def run_in_guest(build, board, argv, adds=(), timeout=300, boot_timeout=120,
                 on_line=None):
    """Boot `board`, run argv, return (status, guest).

    status is the command's exit status, or None if the guest did not boot,
    panicked, hung or died before the command finished; the caller reports it.
    on_line(line) sees each console line of the command's output."""
    work = tempfile.mkdtemp(prefix='udrv-%s-' % board)
    g = Guest(build, board, work)
    files = [('udrv/cmd', guest_script(argv), 0o755)]
    for spec in adds:
        host, _, guest = spec.partition(':')
        if not os.path.exists(host):
            die('--add: no such file: ' + host)
        guest = guest or '/root/' + os.path.basename(host)
        files.append((guest, open(host, 'rb').read(), stat.S_IMODE(os.stat(host).st_mode)))
    g.start(files)
    status, running, why = None, False, None
    deadline = time.monotonic() + boot_timeout
    try:
        for line in g.lines_until(deadline):
            if 'Kernel panic' in line:
                why = 'kernel panic'
                # Let the panic message reach the console, then stop.
                for _ in g.lines_until(time.monotonic() + 2):
                    pass
                break
            if line.startswith('@@UDRV-READY'):
                running = True
                g.booted = time.monotonic() - g.t0
                deadline = time.monotonic() + timeout
                for line in g.lines_until(deadline):
                    m = re.search(r'@@UDRV-EXIT (\d+)', line)
                    if m:
                        status = int(m.group(1))
                        # Output without a final newline ends up before it.
                        if on_line and line[:m.start()]:
                            on_line(line[:m.start()])
                        break
                    if 'Kernel panic' in line:
                        why = 'kernel panic'
                        for _ in g.lines_until(time.monotonic() + 2):
                            pass
                        break
                    if on_line:
                        on_line(line)
                break
        else:
            pass
        if status is None and why is None:
            if g.outcome == 'timeout':
                why = ('the command did not finish within %d s' % timeout if running
                       else 'the guest did not boot within %d s' % boot_timeout)
            else:
                why = 'QEMU exited before the command finished'
    finally:
        g.stop()
    g.failure = why
    g.elapsed = time.monotonic() - g.t0
    g.check_results = g.run_checks()
    shutil.rmtree(work, ignore_errors=True)
    return status, g


def report_failure(g):
    print('%s: %s; console tail:' % (g.board, g.failure), file=sys.stderr)
    print(g.tail(), file=sys.stderr)


def print_line(line):
    if not line.startswith('@@UDRV-'):
        print(line, flush=True)


def cmd_exec(a):
    if not a.cmd:
        die('exec: no command (usage: exec [--board B] [--add HOST[:GUEST]] -- CMD...)')
    status, g = run_in_guest(a.build, a.board, a.cmd, a.add, timeout=a.timeout,
                             on_line=print_line)
    if status is None:
        report_failure(g)
        return 124 if 'within' in (g.failure or '') else 125
    for name, ok, detail in g.check_results:
        print('host check %s: %s' % ('passed' if ok else 'FAILED', detail), file=sys.stderr)
        if not ok and status == 0:
            status = 1
    return status


def cmd_shell(a):
    work = tempfile.mkdtemp(prefix='udrv-shell-')
    g = Guest(a.build, a.board, work, interactive=True, quiet=False)
    print('udrv: booting %s; leave the shell with `poweroff -f`, QEMU with Ctrl-a x'
          % a.board, file=sys.stderr)
    rc = g.start([])
    shutil.rmtree(work, ignore_errors=True)
    return rc


def boards_of(arg, default, kernel=None):
    if kernel or '@' in arg:
        return board_specs(arg, kernel, default)
    if arg == 'all':
        return default
    for b in arg.split(','):
        if b not in BOARDS:
            die('unknown board %r (known: %s, all)' % (b, ', '.join(BOARDS)))
    return arg.split(',')


def cmd_demo(a):
    rc = 0
    for board in boards_of(a.board, ['virt', 'zcu102', 'rpi3'], a.kernel):
        print('### demo on %s' % board, flush=True)
        status, g = run_in_guest(a.build, board, [GUEST_LIBEXEC + '/demo', board],
                                 timeout=a.timeout, on_line=print_line)
        if status is None:
            report_failure(g)
            rc = 1
        elif status:
            print('demo on %s failed with status %d' % (board, status))
            rc = 1
    return rc


def cmd_bench(a):
    out = []
    for board in boards_of(a.board, ['virt', 'zcu102'], a.kernel):
        lines = []
        status, g = run_in_guest(a.build, board, [GUEST_LIBEXEC + '/bench', board],
                                 timeout=a.timeout, on_line=lines.append)
        if status is None:
            report_failure(g)
            return 1
        for line in lines:
            if line.startswith('{'):
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                r['board'] = board
                out.append(r)
        if status:
            print('\n'.join(lines), file=sys.stderr)
            return 1
    print(json.dumps(out, indent=2))
    return 0


# --- tests ----------------------------------------------------------------------

CMOCKA = re.compile(r'^\[\s*(OK|FAILED|ERROR|SKIPPED)\s*\] (.+)$')


class Tally:
    def __init__(self):
        self.results = {}  # (scope, suite, test) -> status

    def add(self, scope, suite, test, status, detail=None):
        key = (scope, suite, test)
        if self.results.get(key) in ('FAIL', status):
            return  # cmocka lists failures and skips again at the end
        self.results[key] = status
        print('%-4s %s/%s/%s%s' % (status, scope, suite, test,
                                   (' — ' + detail) if detail else ''), flush=True)

    def cmocka(self, scope, suite, text):
        """Record cmocka's per-test lines; return how many failed."""
        failed = 0
        for line in text.splitlines():
            m = CMOCKA.match(line.strip())
            # Skip cmocka's summary and its '--- message' detail lines.
            if not m or re.match(r'\d+ test\(s\)|---', m.group(2)):
                continue
            status = {'OK': 'PASS', 'SKIPPED': 'SKIP'}.get(m.group(1), 'FAIL')
            failed += status == 'FAIL'
            self.add(scope, suite, m.group(2).strip(), status)
        return failed

    def count(self, status):
        return sum(1 for s in self.results.values() if s == status)


def host_tests(tally, host_build, scope='host', args=(), log='testlog.json'):
    """meson test in host_build (extra args, e.g. --wrap=valgrind, which
    names the log testlog-valgrind.json), per test."""
    log = os.path.join(host_build, 'meson-logs', log)
    if os.path.exists(log):
        os.unlink(log)
    p = subprocess.run(['meson', 'test', '-C', host_build, '--print-errorlogs', *args],
                       capture_output=True, text=True)
    if not os.path.exists(log):
        print(p.stdout + p.stderr)
        tally.add(scope, 'meson', 'test', 'FAIL', 'meson test did not run')
        return
    for raw in open(log):
        t = json.loads(raw)
        text = (t.get('stdout') or '') + '\n' + (t.get('stderr') or '')
        failed = tally.cmocka(scope, t['name'], text)
        if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL') and not failed:
            tally.add(scope, t['name'], '(exit)', 'FAIL', '%s, status %s' %
                      (t['result'], t.get('returncode')))
            print(text[-3000:])


def guest_tests(tally, build, board, timeout):
    suite = [None]
    text = {}
    ended = {}
    dmesg_bad = {}

    def on_line(line):
        m = re.match(r'@@UDRV-SUITE-BEGIN (\S+)', line)
        if m:
            suite[0] = m.group(1)
            text[suite[0]] = []
            return
        m = re.match(r'@@UDRV-DMESG (\S+) (\S+)', line)
        if m:
            dmesg_bad[m.group(1)] = m.group(2) != 'clean'
            tally.add(board, m.group(1), '(kernel log clean)',
                      'FAIL' if dmesg_bad[m.group(1)] else 'PASS')
            if dmesg_bad[m.group(1)]:
                print('\n'.join(text.get(m.group(1), [])[-30:]))
            return
        m = re.match(r'@@UDRV-SUITE-END (\S+) (\d+)', line)
        if m:
            ended[m.group(1)] = int(m.group(2))
            name = m.group(1)
            failed = tally.cmocka(board, name, '\n'.join(text.get(name, [])))
            if ended[name] and not failed and not dmesg_bad.get(name):
                tally.add(board, name, '(exit)', 'FAIL', 'status %d' % ended[name])
                print('\n'.join(text.get(name, [])[-30:]))
            elif failed:
                print('\n'.join(text.get(name, [])[-60:]))
            suite[0] = None
            return
        if suite[0]:
            text[suite[0]].append(line)

    t0 = time.monotonic()
    status, g = run_in_guest(build, board, [GUEST_LIBEXEC + '/run-tests', board],
                             timeout=timeout, on_line=on_line)
    if status is None:
        if suite[0]:
            tally.cmocka(board, suite[0], '\n'.join(text[suite[0]]))
            tally.add(board, suite[0], '(unfinished)', 'FAIL', g.failure)
        tally.add(board, 'boot', 'guest', 'FAIL', g.failure)
        report_failure(g)
    else:
        tally.add(board, 'boot', 'guest', 'PASS' if status == 0 else 'FAIL',
                  'booted in %.1f s, %d suites in %.0f s in all'
                  % (g.booted, len(ended), time.monotonic() - t0))
    for name, ok, detail in g.check_results:
        tally.add(board, 'host-checks', name, 'PASS' if ok else 'FAIL', detail)


def harness_tests(tally, build):
    """The harness turns a failing command, a panic and a hang into failures."""
    def check(name, argv, timeout, ok):
        t0 = time.monotonic()
        status, g = run_in_guest(build, 'virt', argv, timeout=timeout)
        took = time.monotonic() - t0
        good = ok(status, g.failure or '') and took < timeout + 30
        tally.add('harness', 'exec', name, 'PASS' if good else 'FAIL',
                  'status %s, %s, %.1f s' % (status, g.failure or 'finished', took))
        if not good:
            print(g.tail())

    check('exit_status_passes_through', ['sh', '-c', 'exit 3'], 60,
          lambda st, why: st == 3)
    check('panic_is_a_failure', ['sh', '-c', 'echo c >/proc/sysrq-trigger; sleep 60'], 60,
          lambda st, why: st is None and why == 'kernel panic')
    check('hang_is_a_failure', ['sleep', '600'], 5,
          lambda st, why: st is None and 'did not finish within 5 s' in why)


def cmd_test(a):
    tally = Tally()
    t0 = time.monotonic()
    if not a.guest_only:
        print('### host tests', flush=True)
        host_tests(tally, a.host_build)
        hardening.sanitizers(tally, a.build, host_tests)
        print('### register access code generation', flush=True)
        hardening.codegen(tally, a.build)
        hardening.fuzz(tally, a.build, seconds=60)
        print('### harness', flush=True)
        harness_tests(tally, a.build)
    run_guests(tally, a, board_specs(a.board, a.kernel, 'matrix'))
    passed, failed = tally.count('PASS'), tally.count('FAIL')
    skipped = tally.count('SKIP')
    print('### %.0f s, %d skipped' % (time.monotonic() - t0, skipped))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed or not passed else 0


class ThreadOutput:
    """Stands in for sys.stdout or sys.stderr: what a thread writes goes to
    its own buffer while it has one, so that guests run side by side print
    their reports whole, one after the other."""

    def __init__(self, real):
        self.real = real
        self.local = threading.local()

    def write(self, text):
        buf = getattr(self.local, 'buf', None)
        return (self.real if buf is None else buf).write(text)

    def flush(self):
        if getattr(self.local, 'buf', None) is None:
            self.real.flush()

    def __getattr__(self, name):
        return getattr(self.real, name)


def run_guests(tally, a, specs):
    """guest_tests on every 'board@kernel' in specs, side by side while the
    boards' BOARD_LOAD sum stays within a.jobs: a.jobs workers each take the
    first waiting board that fits. Longest first, as the last run timed
    them (build/test-times.json), so that the run ends with short ones
    filling in. Each board's lines are printed when it ends."""
    times_path = os.path.join(a.build, 'test-times.json')
    try:
        with open(times_path) as f:
            times = json.load(f)
    except (OSError, ValueError):
        times = {}
    order = sorted(specs, key=lambda s: -times.get(s, 1e9))
    lock = threading.Lock()
    room = threading.Condition()
    used = [0.0]

    def load(spec):
        return min(float(a.jobs), BOARD_LOAD.get(split_spec(spec)[0], 1.0))
    out, err = sys.stdout, sys.stderr
    if a.jobs > 1:
        sys.stdout, sys.stderr = ThreadOutput(out), ThreadOutput(err)

    def fits():
        return [s for s in order if used[0] + load(s) <= a.jobs]

    def worker():
        while True:
            with room:  # the first waiting board the host has room for
                room.wait_for(lambda: not order or fits())
                if not order:
                    return
                spec = fits()[0]
                order.remove(spec)
                used[0] += load(spec)
            try:
                one_guest(spec)
            finally:
                with room:
                    used[0] -= load(spec)
                    room.notify_all()

    def one_guest(spec):
        t0 = time.monotonic()
        if a.jobs > 1:
            sys.stdout.local.buf = sys.stderr.local.buf = io.StringIO()
            with lock:
                out.write('### guest tests on %s: started\n' % spec)
                out.flush()
        else:
            print('### guest tests on %s' % spec, flush=True)
        try:
            guest_tests(tally, a.build, spec, a.timeout)
        finally:
            took = time.monotonic() - t0
            times[spec] = round(took, 1)
            if a.jobs > 1:
                text = sys.stdout.local.buf.getvalue()
                sys.stdout.local.buf = sys.stderr.local.buf = None
                with lock:
                    out.write('### guest tests on %s (%.0f s)\n%s' % (spec, took, text))
                    out.flush()

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            for f in [pool.submit(worker) for _ in range(max(1, a.jobs))]:
                f.result()
    finally:
        sys.stdout, sys.stderr = out, err
    try:
        with open(times_path, 'w') as f:
            json.dump(times, f, indent=1, sort_keys=True)
    except OSError:
        pass


def cmd_targets(a):
    """For qemu/run: the 'arch@kernel' builds the boards of a command need."""
    default = {'test': 'matrix', 'demo': ['virt', 'zcu102', 'rpi3'],
               'bench': ['virt', 'zcu102']}.get(a.command, ['virt'])
    board = a.board or ('all' if a.command in ('test', 'demo', 'bench') else 'virt')
    if a.kernel == 'all' and a.command in ('exec', 'shell'):
        die('%s: --kernel all: name one kernel' % a.command)
    seen = []
    for spec in board_specs(board, a.kernel, default):
        b, k = split_spec(spec)
        t = '%s@%s' % (BOARDS[b]['arch'], k)
        if t not in seen:
            seen.append(t)
    print(' '.join(seen))
    return 0


def cmd_dumpdtb(a):
    b = BOARDS[a.board]
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([ARCHES[b['arch']]['qemu']] + b['machine'] + [
            '-machine', 'dumpdtb=' + a.out, '-display', 'none'] +
            b['devices'], capture_output=True, text=True, cwd=d)
    if not os.path.exists(a.out):
        die('dumpdtb failed: ' + p.stderr)
    return 0


def add_kernel_args(p, name):
    p.add_argument('--kernel', help='the guest kernel: %s (default %s)%s' % (
        ', '.join(KERNELS), DEFAULT_KERNEL,
        '; all, each with its boards' if name in ('test', 'demo', 'bench') else ''))
    if name == 'test':
        p.add_argument('--jobs', type=int,
                       default=int(os.environ.get('UDRV_JOBS', max(2, (os.cpu_count() or 2) // 2))),
                       help='guests run side by side (default: half the CPUs, at least 2)')


def main():
    ap = argparse.ArgumentParser(prog='qemu/run')
    sub = ap.add_subparsers(dest='sub', required=True)
    p = sub.add_parser('initramfs')
    p.add_argument('--out', required=True)
    p.add_argument('--busybox', required=True)
    p.add_argument('--tree', action='append', default=[])
    p.add_argument('--libs', action='append', default=[])
    p.add_argument('--module', action='append', default=[])
    p.add_argument('--triplet', default='aarch64-linux-gnu')
    p = sub.add_parser('dumpdtb')
    p.add_argument('--out', required=True)
    p.add_argument('--board', default='virt')
    for name in ('exec', 'shell', 'demo', 'bench', 'test'):
        p = sub.add_parser(name)
        p.add_argument('--build', required=True)
        p.add_argument('--board', default={'test': 'all', 'demo': 'all', 'bench': 'all'}.get(name, 'virt'))
        p.add_argument('--timeout', type=int, default=300,
                       help='seconds the command may run once the guest is up')
        if name == 'exec':
            p.add_argument('--add', action='append', default=[],
                           metavar='HOST[:GUEST]', help='copy a host file into the guest')
            p.add_argument('cmd', nargs=argparse.REMAINDER)
        if name == 'test':
            p.add_argument('--host-build')
            p.add_argument('--guest-only', action='store_true')
        add_kernel_args(p, name)
    p = sub.add_parser('targets')
    p.add_argument('command')
    p.add_argument('--board')
    p.add_argument('--kernel')
    if sys.argv[1:2] == ['targets']:
        # Only --board and --kernel matter; the command's own options and
        # the guest command after -- are not ours to parse.
        args = sys.argv[1:]
        args = args[:args.index('--')] if '--' in args else args
        a, _ = ap.parse_known_args(args)
    else:
        a = ap.parse_args()
    if getattr(a, 'kernel', None) and a.sub in ('exec', 'shell'):
        if a.kernel == 'all':
            die('%s: --kernel all: name one kernel' % a.sub)
        a.board = '%s@%s' % split_spec(a.board, a.kernel)
    if getattr(a, 'cmd', None) and a.cmd[0] == '--':
        a.cmd = a.cmd[1:]
    return globals()['cmd_' + a.sub](a)


if __name__ == '__main__':
    sys.exit(main())
