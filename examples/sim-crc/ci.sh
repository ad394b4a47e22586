#!/bin/sh
# SPDX-License-Identifier: MIT
# CI of the crc driver project: build its host test against libudrv-sim
# from a udrv checkout (pkg-config only) and run it. No board, no QEMU.
#
#   UDRV=/path/to/udrv ./ci.sh
#
# Prints PASS/FAIL per test; the exit status is the test's (0: all passed).
set -eu
: "${UDRV:?set UDRV to a udrv checkout}"
cd "$(dirname "$0")"
eval "$("$UDRV/qemu/run" env --arch host)"
make -s clean
make -s crc.o test-crc
exec ./test-crc
