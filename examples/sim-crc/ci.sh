#!/bin/sh
# SPDX-License-Identifier: MIT
# CI of the crc driver project: build its host test against libudrv-sim
# from a udrv checkout (pkg-config only) and run it. No board, no QEMU.
#
#   UDRV=/path/to/udrv ./ci.sh
#
# Prints PASS/FAIL per test; the exit status is the tests' (0: all passed).
set -eu
: "${UDRV:?set UDRV to a udrv checkout}"
cd "$(dirname "$0")"
eval "$("$UDRV/qemu/run" env --arch host)"
make -s clean
make -s crc.o test-crc
./test-crc
# Again with libudrv checking who owns the DMA buffer: a driver that
# touched it while the engine reads it would die at that line (SIGSEGV).
rc=0
UDRV_DMA_CHECK=1 ./test-crc >checked.out || rc=$?
sed 's/^\(PASS\|FAIL\) /\1 checked-/' checked.out
exit $rc
