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
      fs-check D PATH SHA256       after the run, disk D's image must hold an
                                   ext4 that the host's e2fsck finds clean, with
                                   a file PATH of this SHA-256 (debugfs)
      uart-check LEN SHA256        after the run, the last LEN bytes the second
                                   UART had sent to the host when this line came
                                   must have this SHA-256

A second QMP monitor (events.sock) reports why QEMU stopped (SHUTDOWN's
reason, WATCHDOG): that is how a guest reset (-no-reboot turns it into an
exit) is told from a panic, a power-off and a crash. See run_status().
"""
import argparse
import atexit
import concurrent.futures
import hashlib
import io
import glob
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
        # Disk 1 is the kernel's (/dev/vda): two virtqueues, so that
        # virtio_blk.poll_queues=1 (added to the command line for a disk
        # with num-queues) makes one of them a poll queue (io_uring IOPOLL;
        # bench/virtio_blk.c). Its 1024-entry ring raises seg_max to 1022:
        # with the default 254 segments a 1 MiB read is split, and on 6.1 a
        # split IOPOLL read through io_uring did not complete (60 s).
        'disk_options': ('', ',num-queues=2,queue-size=1024'),
        # The RNG offers VIRTIO_F_ACCESS_PLATFORM (and insists on it), as a
        # device behind an IOMMU does: drivers/virtio must accept it.
        'devices': ['-nic', 'none', '-device', 'edu,dma_mask=0xffffffff',
                    '-device', 'virtio-rng-device,iommu_platform=on'],
        'uart2': False,
    },
    'zcu102': {
        'arch': 'aarch64',
        'machine': ['-M', 'xlnx-zcu102', '-m', '2G'],
        'console': 'ttyPS0',
        # No PMU firmware: don't hold devices back for its providers.
        # Streaming DMA bounced: guest_zdma@cached's syncs must move the data.
        'append': 'fw_devlink=off cpuidle.off=1 swiotlb=force',
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
# virt with every streaming DMA mapping bounced (swiotlb=force) and the DMA
# drivers' pools cached: virtio's by its DTB (dts/virt-bounce.dtso), edu's by
# its suites (udrv.pool=cached: tests/guest/pool_mode.c). The device sees a
# bounce copy that only the syncs move data in and out of, so a missing or
# wrong sync is wrong data, as on a SoC without DMA coherency, which QEMU
# does not model (issue 21). It runs virt's suites but the three long ones
# that do no DMA (tests/guest/meson.build), plus guest_dma_sync.
# Its ublk suite runs fio: the board's initramfs gets fio.cpio (qemu/run
# fio_build; 78 MB, ~3 s more to boot).
BOARDS['virt-bounce'] = dict(BOARDS['virt'], family='virt', dtb='virt-bounce.dtb',
                             append='swiotlb=force udrv.pool=cached', fio=True)
TEST_BOARDS = ['virt', 'virt-smmu', 'virt-stock', 'zcu102', 'rpi3', 'virt32']

# The kernel's own UIO drivers (issue 17): virt whose overlay hands the
# PL031 to uio_pdrv_genirq, with its own compatible and "generic-uio"
# (virt-genirq), or "generic-uio" alone (virt-genirq-only). Their suites
# load uio_pdrv_genirq (and uio_pci_generic for edu) themselves.
BOARDS['virt-genirq'] = dict(BOARDS['virt'], dtb='virt-genirq.dtb')
BOARDS['virt-genirq-only'] = dict(BOARDS['virt'], dtb='virt-genirq-only.dtb')
TEST_BOARDS += ['virt-genirq', 'virt-genirq-only']
# The debian board (issue 25): virt booting Debian bookworm with systemd and
# udev from a virtio disk (qemu/run debian_rootfs; each run writes to a
# throw-away overlay: snapshot=on), serial udrv-root, which the initramfs
# finds and switches to (qemu/guest/init). A second disk (serial udrv-repo)
# holds the run's local package repository (DEBIAN_REPO under the build).
# Its command is tests/debian/check.sh: install, DKMS, udev, sysusers, a
# service, man pages, purge; its packages are built for arm64 (qemu/debs).
# debian-full also builds the armhf packages, has DKMS build for a second
# kernel, builds an out-of-tree driver against libudrv-dev and runs the
# guest suites from udrv-tests. Both run on request only (--board): on a
# host of CI's speed the board's work (about 270 s of processor time here,
# three times that there) does not fit in the 15 minutes of the default run.
# What it boots is made beside the run (debian_prep, from the test's start).
BOARDS['debian'] = dict(BOARDS['virt'], family='virt', rootfs=True,
                        append='systemd.show_status=0', timeout=900)
BOARDS['debian-full'] = dict(BOARDS['debian'], full=True)
DEBIAN_REPO = 'debian-repo'
# debian_prep's niceness (it takes what the run's timed work leaves), and
# how long one of its steps may take (mmdebstrap on a slow host: ~250 s)
PREP_NICE = 10
PREP_TIMEOUT = 1800
# How long a guest's command may run once the guest is up (--timeout), unless
# its board says otherwise ('timeout'; run_in_guest)
DEFAULT_TIMEOUT = 300
# --- kernels ------------------------------------------------------------------
# The guest kernels, each built by qemu/run into its own folder (see
# build_dir): Debian 12's 6.1 (the default), and 6.12 from bookworm-backports
# with its PREEMPT_RT flavour (arm64 only). A board on a kernel is named
# 'board@kernel' (virt@6.12); a bare board name boots the default kernel.
# The boards `test` runs on each kernel:
KERNELS = {
    '6.1': TEST_BOARDS,
    # zcu102 runs 6.12 as 6.12-rt only: its four A53s take the whole host
    # (BOARD_LOAD), and the RT run has the same userspace, kernel and devices;
    # virt runs on 6.12 as virt-bounce (virt@6.12-rt keeps coherent pools).
    # virt32 runs 6.12 on request only (--board virt32@6.12): its cell of
    # the matrix (armhf with 6.12 and libgpiod 2) costs a userspace build
    # and a board, about 80 s of the 15-minute run; armhf runs on 6.1, and
    # 6.12 and libgpiod 2 on arm64
    '6.12': ['virt-bounce', 'rpi3'],
    '6.12-rt': ['virt', 'zcu102'],
}
DEFAULT_KERNEL = '6.1'
# How much of the host a board's guest takes, in guests of 2 vCPUs (test
# --jobs N runs boards side by side while their sum stays within N): rpi3
# is one TCG thread (-icount), zcu102 four A53s whose TTC suite counts 100 Hz
# periods, which it misses when it shares the host with another 2-vCPU guest.
# virt-genirq and virt-genirq-only boot virt for two short suites of the
# kernel's uio_pdrv_genirq: half a guest, so that they can keep zcu102
# company instead of leaving half the host idle.
BOARD_LOAD = {'rpi3': 0.5, 'zcu102': 1.5, 'virt-genirq': 0.5, 'virt-genirq-only': 0.5}


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

DISK_MB = 32
GUEST_LIBEXEC = '/usr/libexec/udrv'
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEBIAN_CHECK = os.path.join(TOP, 'tests', 'debian', 'check.sh')
DEBIAN_ADDS = (DEBIAN_CHECK,
               os.path.join(TOP, 'examples', 'modules-load.d', 'udrv_uio.conf') + ':/root/modules-load.conf',
               os.path.join(TOP, 'examples', 'modprobe.d', 'udrv_uio.conf') + ':/root/modprobe.conf',
               os.path.join(TOP, 'examples', 'Makefile') + ':/root/example/Makefile',
               os.path.join(TOP, 'examples', 'pl031-alarm.c') + ':/root/example/pl031-alarm.c')

# What a run exits with when the command did not finish (run_status());
# otherwise the command's own status. Listed by --help and the README.
EXIT_USAGE = 2        # a bad flag or file, QEMU refusing the user's arguments
EXIT_REBOOTED = 122   # the guest reset the board (a watchdog, reboot -f, sysrq b)
EXIT_TIMEOUT = 124    # the guest did not boot, or the command did not end, in time
EXIT_DIED = 125       # kernel panic (an oops with panic_on_oops too), QEMU crashed,
                      # the guest powered off before the command ended
EXIT_STATUSES = """exit status: the command's own, or
  2    a bad flag or file, or QEMU refused the --qemu-arg/--device arguments
  122  the guest reset the board (a watchdog, reboot -f, sysrq b)
  124  the guest did not boot, or the command did not end, in time (--timeout)
  125  the guest died: kernel panic (an oops with panic_on_oops too), QEMU
       crashed, or the guest powered off before the command ended
122, 124 and 125 print the reason and the console's tail on stderr."""
# The boards whose DTB QEMU generates (-machine dumpdtb=): a user's QEMU
# arguments can change it (-m, -smp, -M options, platform-bus devices), so
# a run with --qemu-arg/--device dumps it again with them (run_dtb()).
QEMU_DTB_BOARDS = ('virt', 'virt-stock', 'virt-smmu', 'virt32')


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


def cpio_names(path):
    """The names in a newc cpio archive."""
    data, names, at = open(path, 'rb').read(), set(), 0
    while data[at:at + 6] == b'070701':
        size, namesize = int(data[at + 54:at + 62], 16), int(data[at + 94:at + 102], 16)
        name = data[at + 110:at + 110 + namesize - 1].decode()
        if name == 'TRAILER!!!':
            break
        names.add(name)
        at += 110 + namesize
        at += -at % 4 + size
        at += -at % 4
    return names


def cmd_initramfs(a):
    """The guest's initramfs; with --base, an archive to append to that one:
    no skeleton, and none of the libraries it already has."""
    global TRIPLET
    TRIPLET = a.triplet
    c = Cpio()
    if a.base:
        c.names = cpio_names(a.base)
    else:
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
            if lib in seen or libdir + '/' + lib in c.names:
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


# --- the user's additions to a run ------------------------------------------------
# exec, shell, test and demo take overlays, QEMU arguments, stub parameters
# and files of the user's own. All are checked before anything boots: a
# mistake is one line on stderr and exit status 2.

RUN_OPTIONS = ('--overlay', '--qemu-arg', '--device', '--stub-param', '--append', '--add')


def join_option_values(argv):
    """'--qemu-arg -M' -> '--qemu-arg=-M': argparse takes a value that starts
    with '-' for an option only in the joined form, and QEMU's all do."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] == '--':
            return out + argv[i:]
        if argv[i] in RUN_OPTIONS and i + 1 < len(argv):
            out.append(argv[i] + '=' + argv[i + 1])
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def add_run_options(p):
    p.add_argument('--overlay', action='append', default=[], metavar='FILE.dtso|FILE.dtbo',
                   help="a device-tree overlay of your own, applied after the board's "
                        '(a source is compiled with dtc -@); repeatable, in order')
    p.add_argument('--qemu-arg', dest='qemu', action='append', default=[], metavar='ARG',
                   type=lambda s: [s], help='one more QEMU argument, after the board\'s '
                   "devices (--qemu-arg -fw_cfg --qemu-arg name=opt/x,string=y); repeatable")
    p.add_argument('--device', dest='qemu', action='append', metavar='SPEC',
                   type=lambda s: ['-device', s], help='-device SPEC; repeatable')
    p.add_argument('--stub-param', action='append', default=[], metavar='KEY=VALUE',
                   help="a parameter for the stub's insmod, e.g. 'of_id=vendor,a;vendor,b' "
                        'ids=1234:11e8 pci_pool_size=0x2000; repeatable')
    p.add_argument('--append', action='append', default=[], metavar='ARGS',
                   help='more kernel command line (e.g. oops=panic); repeatable')
    p.add_argument('--add', action='append', default=[], metavar='HOST[:GUEST]',
                   help='copy a host file into the guest (default /root/NAME); repeatable')


class RunExtras:
    """What the user adds to each run: compiled overlays, QEMU arguments,
    stub parameters, kernel arguments and files."""

    def __init__(self, overlays=(), qemu=(), stub_params=(), append=(), files=()):
        self.overlays = list(overlays)      # [(name given, path of the .dtbo)]
        self.qemu = list(qemu)              # QEMU arguments, in command-line order
        self.stub_params = list(stub_params)
        self.append = list(append)
        self.files = list(files)            # [(guest path, data, mode)]
        self.disk_aio = None                # the disks' aio= (the bench's io_uring)
        self.fio = False                    # append fio.cpio (the bench's ublk-fio)
        self.tmp = None

    def guest_files(self):
        """The run's own files: --add, and the stub's parameters, which the
        guest's /init passes to insmod from /etc/udrv/udrv_uio.conf."""
        files = list(self.files)
        if self.stub_params:
            files.append(('etc/udrv/udrv_uio.conf',
                          (' '.join(self.stub_params) + '\n').encode(), 0o644))
        return files


def stub_parameters(build):
    """The udrv_uio parameters, from the built module's .modinfo (aarch64's,
    else armhf's), or None before the first build."""
    for arch in ARCHES:
        ko = os.path.join(build, arch, 'kmod', 'udrv_uio.ko')
        if os.path.exists(ko):
            with open(ko, 'rb') as f:
                return sorted(set(re.findall(rb'parmtype=(\w+):', f.read())))
    return None


def compile_overlay(src, out):
    """A .dtso/.dts compiled with dtc -@ (labels usable by later overlays),
    or a .dtbo checked; die() with one line if it is neither."""
    if not os.path.isfile(src):
        die('--overlay %s: no such file' % src)
    if src.endswith('.dtbo'):
        with open(src, 'rb') as f:
            if f.read(4) != b'\xd0\x0d\xfe\xed':
                die('--overlay %s: not a flattened device tree (.dtbo)' % src)
        shutil.copyfile(src, out)
        return
    if not src.endswith(('.dtso', '.dts')):
        die('--overlay %s: give a .dtso (source) or a .dtbo (compiled) file' % src)
    if not shutil.which('dtc'):
        die('--overlay %s: no dtc on this machine (qemu/run setup installs it)' % src)
    p = subprocess.run(['dtc', '-q', '-@', '-I', 'dts', '-O', 'dtb', '-i',
                        os.path.dirname(os.path.abspath(src)), '-o', out, src],
                       capture_output=True, text=True)
    if p.returncode:
        msg = [l for l in p.stderr.splitlines() if l.strip()] or ['dtc failed']
        err = [l for l in msg if l.startswith('Error')]
        die('--overlay %s: %s' % (src, (err or msg)[0]))


def apply_overlays(dtb, overlays, board):
    """Apply the user's overlays to dtb in place; die() with one line if one
    does not apply (a target-path or label it names is not in this board's tree)."""
    for given, dtbo in overlays:
        p = subprocess.run(['fdtoverlay', '-i', dtb, '-o', dtb + '.new', dtbo],
                           capture_output=True, text=True)
        if p.returncode:
            why = (p.stderr.strip().splitlines() or ['fdtoverlay failed'])[-1].split(': ')[-1]
            die('--overlay %s does not apply to the %s device tree: %s (is every '
                'target-path and &label in it on this board?)' % (given, board, why))
        os.replace(dtb + '.new', dtb)


def run_extras(a, build, boards):
    """Check the user's additions in a (a parsed exec/shell/test/demo) and
    return them as RunExtras; die() with one line on the first mistake.
    Overlays are compiled, and applied to each board's DTB once to check they
    fit; stub parameters are checked against the built module's."""
    x = RunExtras(qemu=[w for ws in (a.qemu or []) for w in ws], append=a.append)
    for spec in boards:
        split_spec(spec)  # one line and exit 2 for an unknown board or kernel
    x.tmp = tempfile.mkdtemp(prefix='udrv-extras-')
    atexit.register(shutil.rmtree, x.tmp, True)
    for i, src in enumerate(a.overlay):
        out = os.path.join(x.tmp, '%d-%s.dtbo' % (i, os.path.splitext(os.path.basename(src))[0]))
        compile_overlay(src, out)
        x.overlays.append((src, out))
    known = stub_parameters(build)
    for kv in a.stub_param:
        key, eq, value = kv.partition('=')
        if not eq or not re.fullmatch(r'[a-z_][a-z0-9_]*', key) or not value or re.search(r'\s', value):
            die('--stub-param %r: give KEY=VALUE, no spaces (e.g. ids=1234:11e8)' % kv)
        if known is not None and key.encode() not in known:
            die('--stub-param %s: udrv_uio has no parameter %r (it has %s)'
                % (kv, key, ', '.join(k.decode() for k in known)))
        x.stub_params.append(kv)
    for spec in a.add:
        host, _, guest = spec.partition(':')
        if not os.path.isfile(host):
            die('--add %s: no such file: %s' % (spec, host))
        guest = guest or '/root/' + os.path.basename(host)
        x.files.append((guest, open(host, 'rb').read(), stat.S_IMODE(os.stat(host).st_mode)))
    for spec in boards if x.overlays else ():
        board, kernel = split_spec(spec)
        dtb = os.path.join(build_dir(build, BOARDS[board]['arch'], kernel), 'dtb',
                           BOARDS[board]['dtb'])
        if os.path.exists(dtb):
            shutil.copyfile(dtb, os.path.join(x.tmp, 'check.dtb'))
            apply_overlays(os.path.join(x.tmp, 'check.dtb'), x.overlays, board)
    return x


def run_dtb(g):
    """The DTB g boots: the board's, or, with user additions, a copy in g's
    work folder. On boards whose DTB QEMU generates, user QEMU arguments
    mean a fresh dump with them (given the symbols and overlay qemu/run gave
    the board's), so the tree describes the machine that runs. Then the
    user's overlays, in order."""
    board_dtb = os.path.join(g.build, 'dtb', g.b['dtb'])
    x = g.extras
    if not x.overlays and not (x.qemu and g.board in QEMU_DTB_BOARDS):
        return board_dtb
    dtb = os.path.join(g.work, 'run.dtb')
    if x.qemu and g.board in QEMU_DTB_BOARDS:
        dump = os.path.join(g.work, 'dump.dtb')
        dump_dtb(g.board, dump, x.qemu)
        subprocess.run(['dtc', '-q', '-I', 'dtb', '-O', 'dtb', '-o', dtb, dump], check=True)
        base = board_dtb[:-len('.dtb')] + '-base.dtb'   # absent for virt-stock
        if os.path.exists(base):
            symbols = subprocess.run(['fdtget', '-p', base, '/__symbols__'],
                                     capture_output=True, text=True).stdout.split()
            if symbols:
                subprocess.run(['fdtput', '-c', dtb, '/__symbols__'], check=True)
            for sym in symbols:
                val = subprocess.run(['fdtget', base, '/__symbols__', sym], check=True,
                                     capture_output=True, text=True).stdout.strip()
                subprocess.run(['fdtput', '-ts', dtb, '/__symbols__', sym, val], check=True)
        ovl = os.path.join(g.build, 'dtb', 'overlays', g.board + '.dtbo')
        if os.path.exists(base) and os.path.exists(ovl):
            subprocess.run(['fdtoverlay', '-i', dtb, '-o', dtb, ovl], check=True)
    else:
        shutil.copyfile(board_dtb, dtb)
    apply_overlays(dtb, x.overlays, g.board)
    return dtb


# --- booting ------------------------------------------------------------------

class Guest:
    """One QEMU run of a board; the console is read line by line."""

    def __init__(self, build, board, workdir, interactive=False, quiet=True, extras=None):
        board, self.kernel = split_spec(board)
        if board not in BOARDS:
            die('unknown board %r (known: %s)' % (board, ', '.join(BOARDS)))
        self.b = BOARDS[board]
        self.board = board
        self.build = build_dir(build, self.b['arch'], self.kernel)
        self.extras = extras or RunExtras()
        self.dtb = os.path.join(self.build, 'dtb', self.b['dtb'])
        self.events_path = os.path.join(workdir, 'events.sock')
        self.events = None       # the QMP monitor QEMU's events come from
        self.events_buf = b''
        self.shutdown = None     # SHUTDOWN's reason ('guest-reset', 'guest-shutdown'...)
        self.watchdog = None     # WATCHDOG's action, if a watchdog fired
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
        for extra in self.extras.append:
            cmdline += ' ' + extra
        if any('num-queues=' in o for o in b.get('disk_options', ())):
            cmdline += ' virtio_blk.poll_queues=1'
        if self.quiet:
            cmdline += ' quiet loglevel=4'
        argv = [ARCHES[b['arch']]['qemu']] + b['machine'] + [
            '-kernel', os.path.join(self.build, 'vmlinuz'),
            '-initrd', initrd,
            '-dtb', self.dtb,
            '-append', cmdline, '-no-reboot',
            '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
        ]
        if self.interactive:
            argv += ['-nographic', '-serial', 'mon:stdio']
        else:
            argv += ['-display', 'none', '-monitor', 'none', '-serial', 'stdio']
            # QEMU waits for us on this one, so no event is missed.
            argv += ['-qmp', 'unix:%s,server=on,wait=on' % self.events_path]
        if b['uart2']:
            argv += ['-serial', 'unix:%s,server=on,wait=off' % self.uart_path]
        global_mmio = False
        for i in range(b['disks']):
            img = os.path.join(self.work, 'disk%d.img' % i)
            with open(img, 'wb') as f:
                f.truncate(DISK_MB << 20)
            opts = b.get('disk_options', ('',) * b['disks'])[i]
            aio = ',aio=' + self.extras.disk_aio if self.extras.disk_aio else ''
            argv += ['-drive', 'file=%s,if=none,format=raw,id=d%d%s' % (img, i, aio),
                     '-device', 'virtio-blk-device,drive=d%d%s' % (i, opts)]
            global_mmio = True
        if b.get('rootfs'):
            global_mmio = True
        if global_mmio:
            argv += ['-global', 'virtio-mmio.force-legacy=false']
        # The user's devices come after the board's: virtio-mmio slots fill
        # from the top in command-line order, so the board's keep theirs.
        # (the debian board's disks after the board's devices: slots
        # 0xa003800 and 0xa003600, which stay with the kernel)
        return (argv + b['devices'] + (self.debian_disks() if b.get('rootfs') else [])
                + self.extras.qemu)

    def debian_disks(self):
        """The debian board's root disk (copy-on-write: the image stays as
        qemu/run built it) and its package repository, as an ext4 image
        made from the run's repository folder."""
        root = debian_image(os.path.dirname(self.build))
        if not os.path.exists(root):
            die('no %s: qemu/run builds it for the debian board' % root)
        argv = ['-drive', 'file=%s,if=none,format=raw,id=root,snapshot=on' % root,
                '-device', 'virtio-blk-device,drive=root,serial=udrv-root']
        repo = os.path.join(os.path.dirname(self.build), DEBIAN_REPO)
        if os.path.isdir(repo):
            img = os.path.join(self.work, 'repo.img')
            subprocess.run(['mkfs.ext4', '-q', '-F', '-L', 'udrv-repo', '-d', repo, img, '512M'],
                           check=True)
            argv += ['-drive', 'file=%s,if=none,format=raw,id=repo' % img,
                     '-device', 'virtio-blk-device,drive=repo,serial=udrv-repo']
        return argv

    def initrd(self, files):
        """The base initramfs (and fio's, for a board that runs it) plus an
        archive with the run's own files."""
        c = Cpio()
        for guest, data, mode in files:
            c.file(guest, data, mode)
        path = os.path.join(self.work, 'initrd.cpio')
        parts = ['initramfs.cpio']
        if (self.b.get('fio') or self.extras.fio) and os.path.exists(os.path.join(self.build, 'fio.cpio')):
            parts.append('fio.cpio')    # built for 6.12 only (qemu/run fio_build)
        with open(path, 'wb') as f:
            for part in parts:
                with open(os.path.join(self.build, part), 'rb') as src:
                    shutil.copyfileobj(src, f)
            f.write(c.finish())
        return path

    def start(self, files):
        self.dtb = run_dtb(self)
        argv = self.argv(self.initrd(files))
        if self.interactive:
            return subprocess.call(argv)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b''
        self.t0 = time.monotonic()
        self._events_connect()

    # QEMU's events, from the second QMP monitor -------------------------------
    def _events_connect(self):
        while self.proc.poll() is None and time.monotonic() - self.t0 < 10:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.events_path)
            except OSError:
                s.close()
                time.sleep(0.02)
                continue
            s.setblocking(False)
            self.events = s
            return

    def _pump_events(self, wait=0):
        """Read what the event monitor sent: answer its greeting, note
        SHUTDOWN's reason and WATCHDOG's action. wait: seconds to wait for
        the end of the stream (once QEMU has exited)."""
        if self.events is None:
            return
        end = time.monotonic() + wait
        while True:
            try:
                data = self.events.recv(65536)
            except BlockingIOError:
                if time.monotonic() >= end:
                    return
                select.select([self.events], [], [], max(0, end - time.monotonic()))
                continue
            except OSError:
                data = b''
            if not data:
                self.events.close()
                self.events = None
                return
            self.events_buf += data
            while b'\n' in self.events_buf:
                raw, self.events_buf = self.events_buf.split(b'\n', 1)
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if 'QMP' in msg:
                    try:
                        self.events.send(b'{"execute": "qmp_capabilities"}\n')
                    except OSError:
                        pass
                elif msg.get('event') == 'SHUTDOWN':
                    self.shutdown = msg.get('data', {}).get('reason', 'unknown')
                elif msg.get('event') == 'WATCHDOG':
                    self.watchdog = msg.get('data', {}).get('action', 'unknown')

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
        elif what == 'uart-send-pattern' and len(words) == 2:
            # uart-send-pattern LENGTH: byte i is (i + (i >> 8) * 97) & 0xff,
            # every byte value (test_uart_pty's pattern())
            self.uart_connect()
            self.uart_tx += bytes((i + (i >> 8) * 97) & 0xff for i in range(int(words[1], 0)))
            self._flush_uart()
            r = 'sent %s bytes' % words[1]
        elif what == 'uart-echo' and len(words) == 2:
            self.uart_connect()
            self.uart_echo = words[1] == 'on'
            r = 'echo ' + words[1]
        elif what == 'time-check' and len(words) == 2:
            # time-check SECONDS: a guest clock read just now, against ours.
            self.checks.append(words + ['%.3f' % time.time()])
            r = 'checked when the guest ends'
        elif what == 'uart-check' and len(words) == 3:
            # Checked at the end, against what had arrived by now (a later
            # suite may send more).
            self.checks.append(words + [str(len(self.uart_rx))])
            r = 'checked when the guest ends'
        elif what in ('disk-check', 'fs-check'):
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
                elif w[0] == 'fs-check' and len(w) == 4:
                    # fs-check DISK PATH SHA256: disk D's image holds an ext4
                    # filesystem (from offset 0) that e2fsck finds clean, with
                    # a file PATH of this SHA-256.
                    img = os.path.join(self.work, 'disk%d.img' % int(w[1]))
                    fsck = subprocess.run([shutil.which('e2fsck') or '/sbin/e2fsck', '-f', '-n', img], capture_output=True, text=True)
                    if fsck.returncode:
                        out.append((name, False, 'e2fsck -f -n: status %d: %s' % (
                            fsck.returncode, (fsck.stdout + fsck.stderr).strip().replace('\n', ' | '))))
                        continue
                    cat = subprocess.run([shutil.which('debugfs') or '/sbin/debugfs', '-R', 'cat ' + w[2], img], capture_output=True)
                    data = cat.stdout
                    want = w[3]
                elif w[0] == 'uart-check' and len(w) == 4:
                    # uart-check LENGTH SHA256 (+ the bytes received by then):
                    # the last LENGTH bytes the UART had sent then
                    end = int(w[3])
                    data = bytes(self.uart_rx[max(0, end - int(w[1], 0)):end])
                    want = w[2]
                    w = w[:3]
                elif w[0] == 'time-check' and len(w) == 3:
                    # Read by the guest as its second turned, a console
                    # line ago, from a clock QEMU started at the host's
                    # whole second (tests that set it put it back to the
                    # nearest one): up to ~1.5 s behind ours, never ahead,
                    # plus the time QEMU spends loading the kernel and the
                    # initramfs between creating the RTC and starting the
                    # VM's clock (seconds when other guests load the host).
                    apart = float(w[2]) - int(w[1], 0)
                    out.append((name, -1.0 <= apart <= 5.0,
                                'guest clock %s, host %s: %.2f s apart (allowed -1..5)'
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
            rl = [fd] + ([self.uart] if self.uart else []) + ([self.events] if self.events else [])
            wl = [self.uart] if self.uart and self.uart_tx else []
            r, w, _ = select.select(rl, wl, [], min(0.5, deadline - now))
            if self.events in r:
                self._pump_events()
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
        if 'QEMU waiting for connection on' in line:  # our event monitor
            return line
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
        if self.events:
            self.events.close()

    def tail(self, n=40):
        return '\n'.join(self.lines[-n:])


def guest_script(argv):
    return ('#!/bin/sh\n' + ' '.join(shlex.quote(x) for x in argv) + '\n').encode()


def run_in_guest(build, board, argv, adds=(), timeout=None, boot_timeout=120,
                 on_line=None, extras=None):
    """Boot `board`, run argv, return (status, guest).

    timeout: seconds argv may run once the guest is up; None: the board's
    own limit ('timeout': the debian board installs and builds), or
    DEFAULT_TIMEOUT.

    status is the command's exit status, or None if the guest did not boot,
    panicked, hung, rebooted or died before the command finished: then
    guest.failure says what happened and guest.kind is 'timeout', 'died',
    'rebooted' or 'usage' (QEMU refused the user's arguments); the caller
    reports it (run_status()). on_line(line) sees each console line of the
    command's output. adds: more HOST[:GUEST] files (the harness's own);
    extras: the user's additions (RunExtras)."""
    timeout = timeout or BOARDS[split_spec(board)[0]].get('timeout', DEFAULT_TIMEOUT)
    work = tempfile.mkdtemp(prefix='udrv-%s-' % board)
    atexit.register(shutil.rmtree, work, True)  # also when a check below die()s
    extras = extras or RunExtras()
    g = Guest(build, board, work, extras=extras)
    files = [('udrv/cmd', guest_script(argv), 0o755)] + extras.guest_files()
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
            if line.startswith('init: '):
                print('%s: %s' % (board, line), file=sys.stderr)  # /init's complaints
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
        g.kind = 'died' if why else None
        if status is None and why is None:
            g.kind, why = why_stopped(g, running, timeout, boot_timeout)
    finally:
        g.stop()
    g.failure = why
    g.elapsed = time.monotonic() - g.t0
    g.check_results = g.run_checks()
    shutil.rmtree(work, ignore_errors=True)
    return status, g


def why_stopped(g, running, timeout, boot_timeout):
    """(kind, reason) for a guest that stopped, or ran out of time, without
    finishing its command and without a kernel panic on the console."""
    if g.outcome == 'timeout':
        return 'timeout', ('the command did not finish within %d s' % timeout if running
                           else 'the guest did not boot within %d s' % boot_timeout)
    try:
        rc = g.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        rc = None
    g._pump_events(wait=2)
    said = [l for l in g.lines if re.match(r'qemu-system-\w+: ', l)]
    if not running and rc == 1 and said:
        return 'usage', 'QEMU refused its arguments: ' + said[-1]
    # -no-reboot: a reset request (watchdog, reboot, sysrq b, PSCI reset)
    # makes QEMU exit with SHUTDOWN reason guest-reset.
    if g.shutdown == 'guest-reset' or any('reboot: Restarting system' in l for l in g.lines):
        return 'rebooted', ('the guest rebooted (%s)' % (
            'its watchdog fired, action %s' % g.watchdog if g.watchdog
            else 'a reset: reboot, sysrq b or a watchdog') +
            (' before it was up' if not running else ' before the command finished'))
    if g.shutdown == 'guest-shutdown':
        return 'died', 'the guest powered off before the command finished'
    if rc is not None and rc < 0:
        return 'died', 'QEMU crashed (signal %d) before the command finished' % -rc
    if said:
        return 'died', 'QEMU stopped: ' + said[-1]
    return 'died', 'QEMU exited (status %s) before the command finished' % rc


def run_status(g, status):
    """The exit status a run reports (EXIT_*, or the command's own), after
    printing why on stderr: the reason and the console tail for a guest that
    did not finish, one line for arguments QEMU refused."""
    if status is not None:
        return status
    if g.kind == 'usage':
        print('qemu/run: %s' % g.failure, file=sys.stderr)
        return EXIT_USAGE
    report_failure(g)
    return {'timeout': EXIT_TIMEOUT, 'rebooted': EXIT_REBOOTED}.get(g.kind, EXIT_DIED)


def report_failure(g):
    print('%s: %s; console tail:' % (g.board, g.failure), file=sys.stderr)
    print(g.tail(), file=sys.stderr)


def print_line(line):
    if not line.startswith('@@UDRV-'):
        print(line, flush=True)


def cmd_exec(a):
    if not a.cmd:
        die('exec: no command (usage: exec [--board B] [RUN OPTIONS] -- CMD...)')
    extras = run_extras(a, a.build, [a.board])
    if a.preflight:
        return 0
    status, g = run_in_guest(a.build, a.board, a.cmd, timeout=a.timeout,
                             on_line=print_line, extras=extras)
    if status is None:
        return run_status(g, status)
    for name, ok, detail in g.check_results:
        print('host check %s: %s' % ('passed' if ok else 'FAILED', detail), file=sys.stderr)
        if not ok and status == 0:
            status = 1
    return status


def cmd_shell(a):
    extras = run_extras(a, a.build, [a.board])
    if a.preflight:
        return 0
    work = tempfile.mkdtemp(prefix='udrv-shell-')
    g = Guest(a.build, a.board, work, interactive=True, quiet=False, extras=extras)
    print('udrv: booting %s; leave the shell with `poweroff -f`, QEMU with Ctrl-a x'
          % a.board, file=sys.stderr)
    rc = g.start(extras.guest_files())
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
    boards = boards_of(a.board, ['virt', 'zcu102', 'rpi3'], a.kernel)
    extras = run_extras(a, a.build, boards)
    if a.preflight:
        return 0
    for board in boards:
        print('### demo on %s' % board, flush=True)
        status, g = run_in_guest(a.build, board, [GUEST_LIBEXEC + '/demo', board],
                                 timeout=a.timeout, on_line=print_line, extras=extras)
        if status is None:
            run_status(g, status)
            rc = 1
        elif status:
            print('demo on %s failed with status %d' % (board, status))
            rc = 1
    return rc


BENCH_BOARDS = ['virt', 'virt-bounce', 'zcu102', 'zcu102@6.12-rt', 'rpi3', 'rpi3@6.12-rt']


def io_uring_usable():
    """Whether this host lets QEMU use io_uring (kernel.io_uring_disabled)."""
    try:
        return open('/proc/sys/kernel/io_uring_disabled').read().strip() == '0'
    except OSError:
        return os.path.exists('/proc/sys/kernel')  # older kernels: no switch


def cmd_bench(a):
    """The benchmarks on each board; the JSON on stdout, and bench_report's
    pictures and report under BUILD/bench."""
    import bench_report
    out = []
    runs = [(board, RunExtras(), [GUEST_LIBEXEC + '/bench', board])
            for board in boards_of(a.board, BENCH_BOARDS, a.kernel)]
    # virtio-blk once more with the disks read through io_uring on the host.
    # With QEMU's default thread pool, handing each request to a worker
    # thread and back costs more host CPU than either guest driver (perf on
    # QEMU at depth 32: 47-66% of its time in the host kernel's futex wakeups
    # and switches), which hides the drivers' difference; with io_uring a
    # read completes within the kick, so it measures the drivers' own cost
    # (and a driver that looks at the ring before it sleeps takes no
    # interrupt). The tests keep the default.
    if io_uring_usable() and any(r[0] == 'virt' for r in runs):
        fast = RunExtras()
        fast.disk_aio = 'io_uring'
        runs.append(('virt', fast, [GUEST_LIBEXEC + '/bench.d/virtio-blk', 'virt']))
    # fio on the ublk export against fio on the kernel's disk (issue 23):
    # Linux 6.12 for ublk, with fio in the image; with both disk backends.
    if any(r[0] == 'virt' for r in runs):
        for aio in [None] + (['io_uring'] if io_uring_usable() else []):
            with_fio = RunExtras()
            with_fio.fio = True
            with_fio.disk_aio = aio
            runs.append(('virt@6.12', with_fio, [GUEST_LIBEXEC + '/bench.d/ublk-fio', 'virt']))
    for board, extras, argv in runs:
        lines = []
        status, g = run_in_guest(a.build, board, argv, timeout=a.timeout,
                                 on_line=lines.append, extras=extras)
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
                if r.get('bench') in ('virtio-blk', 'ublk-fio'):
                    r['host_disk_aio'] = extras.disk_aio or 'threads'
                out.append(r)
        if status:
            print('\n'.join(lines), file=sys.stderr)
            return 1
    print(json.dumps(out, indent=2))
    text = bench_report.write(out, os.path.join(a.build, 'bench'))
    if a.update_readme:
        bench_report.update_readme(os.path.join(TOP, 'README.md'), text)
    print('bench: %s/bench/ (bench.json, report.md, *.svg)' % a.build, file=sys.stderr)
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
        """Record cmocka's per-test lines; return how many failed. A test's
        '@@UDRV-TOOK NAME SECONDS' line before it (tests/debian/check.sh)
        becomes its detail."""
        failed = 0
        took = {}
        for line in text.splitlines():
            t = re.match(r'@@UDRV-TOOK (\S+) (\d+)$', line.strip())
            if t:
                took[t.group(1)] = '%s s' % t.group(2)
                continue
            m = CMOCKA.match(line.strip())
            # Skip cmocka's summary and its '--- message' detail lines.
            if not m or re.match(r'\d+ test\(s\)|---', m.group(2)):
                continue
            status = {'OK': 'PASS', 'SKIPPED': 'SKIP'}.get(m.group(1), 'FAIL')
            failed += status == 'FAIL'
            self.add(scope, suite, m.group(2).strip(), status, took.get(m.group(2).strip()))
        return failed

    def count(self, status):
        return sum(1 for s in self.results.values() if s == status)


def host_tests(tally, host_build, scope='host', args=(), log='testlog.json'):
    """meson test in host_build (extra args, e.g. --wrap=valgrind, which
    names the log testlog-valgrind.json), per test."""
    log = os.path.join(host_build, 'meson-logs', log)
    if os.path.exists(log):
        os.unlink(log)
    # Three test programs per CPU: most of the tests against models wait on
    # real time (alarms, timers), not on the CPU.
    jobs = '--num-processes=%d' % (3 * (os.cpu_count() or 1))
    p = subprocess.run(['meson', 'test', '-C', host_build, '--print-errorlogs', jobs, *args],
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


def debian_image(build):
    """The debian boards' root disk image (qemu/run debian_rootfs)."""
    return os.path.join(build, 'cache', 'debian', 'rootfs.img')


def debian_prep(build, full):
    """What the debian boards boot, made beside the run's other work (cmd_test
    starts it in a thread): the root filesystem and the second kernel's
    packages (qemu/run debian-rootfs), udrv's packages built and checked by
    qemu/debs for arm64 (and armhf when full), and the local repository of
    the arm64 ones that the board's second disk carries (Guest.debian_disks).
    It prints nothing, for it runs amid other reports: it returns (results,
    text), results as (suite, test, status, detail) of scope 'debs' for the
    board's guest run to report, text what the failed steps said. Its
    programs run at nice PREP_NICE: the host tests and the guests time
    themselves."""
    results, text = [], []
    env = dict(os.environ, UDRV_BUILD=os.path.abspath(build))

    def run(argv):  # (nice(1): preexec_fn is unsafe beside other threads)
        return subprocess.run(['nice', '-n', str(PREP_NICE)] + argv, env=env,
                              capture_output=True, text=True, errors='replace',
                              timeout=PREP_TIMEOUT)
    try:
        # (the packages first: the image waits on mmdebstrap, which qemu/run
        # started in the background)
        for arch in ('aarch64', 'armhf') if full else ('aarch64',):
            p = run([os.path.join(TOP, 'qemu', 'debs'), arch,
                     os.path.join(build, 'debs', arch)])
            seen = False
            for line in p.stdout.splitlines():
                m = re.match(r'(PASS|FAIL|SKIP) debs/(\S+)/(\S+)(?: \((.*)\))?$', line)
                if m:
                    seen = True
                    results.append((m.group(2), m.group(3), m.group(1), m.group(4)))
            if p.returncode != 0:
                text.append(p.stderr[-3000:])
                if not seen:
                    results.append((arch, 'qemu/debs', 'FAIL', 'status %d' % p.returncode))
        t0 = time.monotonic()
        if not os.environ.get('UDRV_NO_BUILD'):
            p = run([os.path.join(TOP, 'qemu', 'run'), 'debian-rootfs'] + (['--full'] if full else []))
            if p.returncode != 0:
                results.append(('debian', 'rootfs', 'FAIL', 'qemu/run debian-rootfs: status %d'
                                % p.returncode))
                text.append(p.stderr[-3000:])
                return results, text
            results.append(('debian', 'rootfs', 'PASS', 'made or found in %.0f s'
                            % (time.monotonic() - t0)))
        repo = os.path.join(build, DEBIAN_REPO)
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
        debs = [f for f in glob.glob(os.path.join(build, 'debs', 'aarch64', '*.deb'))
                if '-dbgsym_' not in f and (f.endswith('_arm64.deb') or f.endswith('_all.deb'))]
        # and what they depend on from Debian's archive (the guest has no
        # network): the guest libraries qemu/run fetched for the sysroot
        deps = [f for f in glob.glob(os.path.join(build, 'cache', 'debs', 'aarch64', '*.deb'))
                if not re.match(r'(linux-|busybox)', os.path.basename(f))]
        # and what the checks install beyond the root filesystem (qemu/run
        # debian_extra_debs: a second kernel's headers)
        deps += glob.glob(os.path.join(build, 'cache', 'debian', 'extra', '*.deb'))
        for f in debs + deps:
            shutil.copy(f, repo)
        with open(os.path.join(repo, 'Packages'), 'w') as f:
            subprocess.run(['dpkg-scanpackages', '-m', '.'], cwd=repo, stdout=f,
                           stderr=subprocess.DEVNULL, check=True)
    except Exception as e:  # (in a thread: whatever it is, the lane reports it)
        results.append(('debian', 'repository', 'FAIL', '%s: %s' % (type(e).__name__, e)))
    return results, text


def guest_tests(tally, build, board, timeout, extras=None, prep=None):
    """The guest suites of board (a 'board@kernel'), counted in tally. prep: a
    future of debian_prep's results, for a board with a root filesystem
    (else it is made here)."""
    suite = [None]
    text = {}
    ended = {}
    dmesg_bad = {}

    began = {}

    def on_line(line):
        m = re.match(r'@@UDRV-SUITE-BEGIN (\S+)', line)
        if m:
            suite[0] = m.group(1)
            text[suite[0]] = []
            began[suite[0]] = time.monotonic()
            return
        m = re.match(r'@@UDRV-DMESG (\S+) (\S+)', line)
        if m:
            dmesg_bad[m.group(1)] = m.group(2) != 'clean'
            # the suite's time, for whoever keeps the run under its budget
            tally.add(board, m.group(1), '(kernel log clean)',
                      'FAIL' if dmesg_bad[m.group(1)] else 'PASS',
                      'suite ran %.0f s' % (time.monotonic() - began.get(m.group(1), 0)))
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
    argv, adds = [GUEST_LIBEXEC + '/run-tests', board], ()
    b = BOARDS[split_spec(board)[0]]
    if b.get('rootfs'):
        argv, adds = ['/root/check.sh'] + (['full'] if b.get('full') else []), DEBIAN_ADDS
        results, said = prep.result() if prep else debian_prep(build, b.get('full'))
        for r in results:
            tally.add('debs', *r)
        if said:
            print('\n'.join(said))
        if any(r[2] == 'FAIL' and r[1] in ('rootfs', 'repository') for r in results):
            tally.add(board, 'boot', 'guest', 'FAIL', 'nothing to boot: see debs/debian')
            return
        if not os.path.exists(debian_image(build)):
            tally.add(board, 'boot', 'guest', 'FAIL', 'no %s: qemu/run test or exec --board '
                      'debian makes it, without UDRV_NO_BUILD' % debian_image(build))
            return
    status, g = run_in_guest(build, board, argv, adds, timeout=timeout, on_line=on_line,
                             extras=extras)
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


def qemu_run(build, args, timeout=600):
    """qemu/run ARGS, as a user runs it, on the existing build: (status,
    stdout, stderr)."""
    env = dict(os.environ, UDRV_NO_BUILD='1', UDRV_BUILD=os.path.abspath(build))
    p = subprocess.run([os.path.join(TOP, 'qemu', 'run')] + args, env=env,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def harness_tests(tally, build):
    """Each way a run can end gives its own exit status, through qemu/run
    itself; a user's overlay, device and stub parameter take effect."""
    here = os.path.join(TOP, 'tests', 'harness')

    def check(name, args, want, timeout=60, stderr_has='console tail:', lines=None):
        t0 = time.monotonic()
        rc, out, err = qemu_run(build, args)
        took = time.monotonic() - t0
        errs = err.strip().splitlines()
        good = rc == want and took < timeout + 30 and stderr_has in err
        if lines is not None:
            good = good and len(errs) == lines
        tally.add('harness', 'exec', name, 'PASS' if good else 'FAIL',
                  'status %d (want %d), %.1f s: %s' % (rc, want, took, errs[0] if errs else ''))
        if not good:
            print(out[-3000:] + err[-3000:])
        return out

    exec_ = ['exec', '--board', 'virt']
    check('exit_status_passes_through', exec_ + ['--', 'sh', '-c', 'exit 3'], 3, stderr_has='')
    check('timeout_is_124', exec_ + ['--timeout', '5', '--', 'sleep', '600'], EXIT_TIMEOUT,
          stderr_has='did not finish within 5 s')
    check('panic_is_125', exec_ + ['--', 'sh', '-c', 'echo c >/proc/sysrq-trigger; sleep 60'],
          EXIT_DIED, stderr_has='kernel panic')
    check('reboot_is_122', exec_ + ['--', 'sh', '-c', 'echo b >/proc/sysrq-trigger; sleep 60'],
          EXIT_REBOOTED, stderr_has='the guest rebooted')
    # A real watchdog: QEMU's i6300esb, added with --device, its Debian module
    # with --add; opened and left unfed, it resets the board.
    abi = open(os.path.join(build, 'cache', 'aarch64', 'abi')).read().strip()
    wdt = os.path.join(build, 'cache', 'aarch64', 'root', 'lib', 'modules', abi + '-arm64',
                       'kernel', 'drivers', 'watchdog', 'i6300esb.ko')
    check('watchdog_is_122', exec_ + [
        '--device', 'i6300esb', '--add', wdt + ':/root/i6300esb.ko', '--',
        'sh', '-c', 'insmod /root/i6300esb.ko heartbeat=2 && echo >/dev/watchdog && sleep 60'],
        EXIT_REBOOTED, stderr_has='its watchdog fired')
    # Usage errors: one line on stderr, status 2, before anything boots.
    check('bad_flag_is_2', exec_ + ['--bogus', '--', 'true'], EXIT_USAGE,
          stderr_has='--bogus', lines=1)
    check('missing_overlay_is_2', exec_ + ['--overlay', '/nonexistent.dtso', '--', 'true'],
          EXIT_USAGE, stderr_has='no such file', lines=1)
    check('bad_overlay_is_2', exec_ + ['--overlay', os.path.join(here, 'bad.dtso'), '--', 'true'],
          EXIT_USAGE, stderr_has='does not apply', lines=1)
    check('bad_stub_param_is_2', exec_ + ['--stub-param', 'nosuch=1', '--', 'true'],
          EXIT_USAGE, stderr_has='no parameter', lines=1)
    check('bad_device_is_2', exec_ + ['--device', 'nosuchdevice', '--', 'true'],
          EXIT_USAGE, stderr_has='QEMU refused', lines=1)
    # A user's overlay hands a device added with --device (a fourth
    # virtio-mmio slot) to the stub; stub parameters bind edu with a smaller pool.
    out = check('user_overlay_device_param', exec_ + [
        '--device', 'virtio-rng-device', '--overlay', os.path.join(here, 'user-slot.dtso'),
        '--stub-param', 'ids=1234:11e8', '--stub-param', 'pci_pool_size=0x2000',
        '--add', os.path.join(here, 'check-user-device.sh') + ':/root/check',
        '--', '/root/check'], 0, stderr_has='')
    for line in out.splitlines():
        m = re.match(r'(PASS|FAIL) (\S+)', line)
        if m:
            tally.add('harness', 'user-device', m.group(2), m.group(1))


def example_project(tally, build):
    """The driver projects outside the tree under examples/ (fw-cfg against
    QEMU, sim-crc against its model on the host) each run their own CI
    script from a copy in a temporary folder, as their READMEs say."""
    for name in ('fw-cfg', 'sim-crc'):
        with tempfile.TemporaryDirectory(prefix='udrv-example-') as d:
            proj = os.path.join(d, name)
            shutil.copytree(os.path.join(TOP, 'examples', name), proj)
            env = dict(os.environ, UDRV=TOP, UDRV_NO_BUILD='1',
                       UDRV_BUILD=os.path.abspath(build))
            t0 = time.monotonic()
            p = subprocess.run(['./ci.sh'], cwd=proj, env=env, capture_output=True, text=True,
                               timeout=600)
            failed = 0
            for line in p.stdout.splitlines():
                m = re.match(r'(PASS|FAIL) (\S+)', line)
                if m:
                    tally.add('example', name, m.group(2), m.group(1))
                    failed += m.group(1) == 'FAIL'
            ok = p.returncode == 0 and not failed
            tally.add('example', name, 'ci.sh', 'PASS' if ok else 'FAIL',
                      'status %d, %.0f s' % (p.returncode, time.monotonic() - t0))
            if not ok:
                print(p.stdout[-3000:] + p.stderr[-3000:])


def cmd_test(a):
    specs = board_specs(a.board, a.kernel, 'matrix')
    extras = run_extras(a, a.build, specs)
    if a.preflight:
        return 0
    tally = Tally()
    t0 = time.monotonic()
    # the debian boards' disk and packages are made from now on, beside the
    # rest; their guests wait for them (run_guests)
    rootfs = [s for s in specs if BOARDS[split_spec(s)[0]].get('rootfs')]
    waits = {}
    if rootfs:
        full = any(BOARDS[split_spec(s)[0]].get('full') for s in rootfs)
        prep_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        prep = prep_pool.submit(debian_prep, a.build, full)
        prep_pool.shutdown(wait=False)
        waits = {s: prep for s in rootfs}
    if not a.guest_only:
        for title, step in ([('host tests', lambda: host_tests(tally, a.host_build))] +
                            hardening.sanitizers(tally, a.build, host_tests)):
            # one after the other: the timer tests against models count
            # 100 Hz periods, which a host busy with another run misses
            print('### ' + title, flush=True)
            step()
        # Fuzzing takes its 20 s whatever else runs: the checks that do not
        # count time run meanwhile, and fuzzing prints when it is done.
        with WhileRunning(lambda: hardening.fuzz(tally, a.build, seconds=20)):
            hardening.stub_checks(tally, a.build)
            print('### register access code generation', flush=True)
            hardening.codegen(tally, a.build)
            print('### example projects (examples/*/ci.sh)', flush=True)
            example_project(tally, a.build)
    # The harness's own tests boot virt one guest at a time: they take a
    # lane of the guest matrix rather than the whole host.
    jobs = {} if a.guest_only else {'harness': lambda: harness_tests(tally, a.build)}
    run_guests(tally, a, specs, extras, jobs, waits)
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


class WhileRunning:
    """with WhileRunning(fn): fn runs in a thread while the block runs; what
    it prints is kept and printed after the block, when fn has returned."""

    def __init__(self, fn):
        self.fn = fn

    def __enter__(self):
        self.out, self.err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = ThreadOutput(self.out), ThreadOutput(self.err)
        self.buf = io.StringIO()

        def run():
            sys.stdout.local.buf = sys.stderr.local.buf = self.buf
            self.fn()

        self.thread = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.future = self.thread.submit(run)
        return self

    def __exit__(self, *exc):
        try:
            self.future.result()
        finally:
            self.thread.shutdown()
            sys.stdout, sys.stderr = self.out, self.err
            sys.stdout.write(self.buf.getvalue())
            sys.stdout.flush()
        return False


def run_guests(tally, a, specs, extras=None, jobs=None, waits=None):
    """guest_tests on every 'board@kernel' in specs, side by side while the
    boards' BOARD_LOAD sum stays within a.jobs: a.jobs workers each take the
    first waiting board that fits. Longest first, as the last run timed
    them (build/test-times.json, else qemu/test-times.json), so that the run
    ends with short ones filling in. Each board's lines are printed when it ends.
    jobs: name -> function, more work of one guest's load each, scheduled
    and reported as the boards are. waits: spec -> a future the board needs
    (debian_prep's): it is not started before the future is done, and is
    handed it."""
    jobs = jobs or {}
    waits = waits or {}
    times_path = os.path.join(a.build, 'test-times.json')
    times = {}
    # a fresh clone has no timings of its own: qemu/test-times.json, from a
    # run on a CI-sized machine, orders its first run
    for path in (times_path, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          'test-times.json')):
        try:
            with open(path) as f:
                times = json.load(f)
            break
        except (OSError, ValueError):
            pass
    # The heavier boards first (zcu102 takes 1.5 guests: only a half-load
    # board fits beside it, and left for later it runs with a lane idle),
    # then the longest first.
    def load(spec):
        if spec in jobs:
            return 1.0
        return min(float(a.jobs), BOARD_LOAD.get(split_spec(spec)[0], 1.0))
    order = sorted(list(specs) + list(jobs), key=lambda s: (-load(s), -times.get(s, 1e9)))
    lock = threading.Lock()
    room = threading.Condition()
    used = [0.0]
    out, err = sys.stdout, sys.stderr
    if a.jobs > 1:
        sys.stdout, sys.stderr = ThreadOutput(out), ThreadOutput(err)

    def fits():
        return [s for s in order if used[0] + load(s) <= a.jobs
                and (s not in waits or waits[s].done())]

    def ready(_future):
        with room:
            room.notify_all()
    for f in waits.values():
        f.add_done_callback(ready)

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

    def title(spec):
        return spec if spec in jobs else 'guest tests on ' + spec

    def one_guest(spec):
        t0 = time.monotonic()
        if a.jobs > 1:
            sys.stdout.local.buf = sys.stderr.local.buf = io.StringIO()
            with lock:
                out.write('### %s: started\n' % title(spec))
                out.flush()
        else:
            print('### ' + title(spec), flush=True)
        try:
            if spec in jobs:
                jobs[spec]()
            else:
                guest_tests(tally, a.build, spec, a.timeout, extras, waits.get(spec))
        finally:
            took = time.monotonic() - t0
            times[spec] = round(took, 1)
            if a.jobs > 1:
                text = sys.stdout.local.buf.getvalue()
                sys.stdout.local.buf = sys.stderr.local.buf = None
                with lock:
                    out.write('### %s (%.0f s)\n%s' % (title(spec), took, text))
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
               'bench': BENCH_BOARDS}.get(a.command, ['virt'])
    board = a.board or ('all' if a.command in ('test', 'demo', 'bench') else 'virt')
    if a.kernel == 'all' and a.command in ('exec', 'shell'):
        die('%s: --kernel all: name one kernel' % a.command)
    seen = []
    for spec in board_specs(board, a.kernel, default):
        b, k = split_spec(spec)
        t = '%s@%s' % (BOARDS[b]['arch'], k)
        if t not in seen:
            seen.append(t)
    # the debian boards: the armhf sysroot debian-full's armhf packages are
    # built against (qemu/debs), and their disk image (qemu/run
    # debian_build), after their kernel (test assembles it itself, beside
    # its other work: debian_prep)
    rootfs = [BOARDS[split_spec(s)[0]] for s in board_specs(board, a.kernel, default)
              if BOARDS[split_spec(s)[0]].get('rootfs')]
    if any(b.get('full') for b in rootfs) and 'armhf@6.1' not in seen:
        seen.append('armhf@6.1')
    if rootfs:
        seen.append('debian-full' if any(b.get('full') for b in rootfs) else 'debian')
    print(' '.join(seen))
    return 0


def dump_dtb(board, out, extra=()):
    """QEMU's generated DTB for board, with the user's QEMU arguments extra
    (if QEMU refuses them: one line, exit status 2)."""
    b = BOARDS[board]
    if os.path.exists(out):
        os.unlink(out)
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([ARCHES[b['arch']]['qemu']] + b['machine'] + [
            '-machine', 'dumpdtb=' + out, '-display', 'none'] +
            b['devices'] + list(extra), capture_output=True, text=True, cwd=d)
    if not os.path.exists(out):
        said = [l for l in p.stderr.splitlines() if l.strip()] or ['no DTB']
        if extra:
            die('QEMU refused its arguments: ' + said[0])
        die('dumpdtb failed: ' + p.stderr)


def cmd_dumpdtb(a):
    dump_dtb(a.board, a.out)
    return 0


def positive_int(text):
    """argparse type: an integer of at least 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError('%r is not a whole number of at least 1' % text)
    return n


class Parser(argparse.ArgumentParser):
    """A bad flag or value is one line on stderr and exit status 2."""

    def error(self, message):
        print('%s: %s (see %s --help)' % (self.prog, message, self.prog), file=sys.stderr)
        sys.exit(EXIT_USAGE)


def add_kernel_args(p, name):
    p.add_argument('--kernel', help='the guest kernel: %s (default %s)%s' % (
        ', '.join(KERNELS), DEFAULT_KERNEL,
        '; all, each with its boards' if name in ('test', 'demo', 'bench') else ''))
    if name == 'test':
        p.add_argument('--jobs', type=positive_int,
                       default=os.environ.get('UDRV_JOBS', str(max(2, (os.cpu_count() or 2) // 2))),
                       help='guests run side by side (default: half the CPUs, at least 2)')


def main():
    ap = Parser(prog='qemu/run')
    sub = ap.add_subparsers(dest='sub', required=True)
    p = sub.add_parser('initramfs')
    p.add_argument('--out', required=True)
    p.add_argument('--busybox')
    p.add_argument('--base', help='an initramfs this archive is appended to')
    p.add_argument('--tree', action='append', default=[])
    p.add_argument('--libs', action='append', default=[])
    p.add_argument('--module', action='append', default=[])
    p.add_argument('--triplet', default='aarch64-linux-gnu')
    p = sub.add_parser('dumpdtb')
    p.add_argument('--out', required=True)
    p.add_argument('--board', default='virt')
    for name in ('exec', 'shell', 'demo', 'bench', 'test'):
        p = sub.add_parser(name, epilog=EXIT_STATUSES if name == 'exec' else None,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument('--build', required=True, help=argparse.SUPPRESS)
        p.add_argument('--board', default={'test': 'all', 'demo': 'all', 'bench': 'all'}.get(name, 'virt'))
        p.add_argument('--timeout', type=int,
                       help='seconds the command may run once the guest is up (default %d; '
                       'the debian boards 900)' % DEFAULT_TIMEOUT)
        if name != 'bench':
            add_run_options(p)
            # qemu/run checks the arguments before it builds anything.
            p.add_argument('--preflight', action='store_true', help=argparse.SUPPRESS)
        if name == 'exec':
            p.add_argument('cmd', nargs=argparse.REMAINDER)
        if name == 'test':
            p.add_argument('--host-build')
            p.add_argument('--guest-only', action='store_true')
        if name == 'bench':
            p.add_argument('--update-readme', action='store_true',
                           help="rewrite the README's performance section from this run")
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
        a, rest = ap.parse_known_args(join_option_values(sys.argv[1:]))
        if rest:
            die('%s: unknown option %s (see qemu/run %s --help)' % (a.sub, rest[0], a.sub))
    if getattr(a, 'kernel', None) and a.sub in ('exec', 'shell'):
        if a.kernel == 'all':
            die('%s: --kernel all: name one kernel' % a.sub)
        a.board = '%s@%s' % split_spec(a.board, a.kernel)
    if getattr(a, 'cmd', None) and a.cmd[0] == '--':
        a.cmd = a.cmd[1:]
    return globals()['cmd_' + a.sub](a)


if __name__ == '__main__':
    sys.exit(main())
