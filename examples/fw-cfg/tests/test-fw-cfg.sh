#!/bin/sh
# SPDX-License-Identifier: MIT
# The guest test of the fw-cfg driver: run in the guest by ../ci.sh as
#   test-fw-cfg.sh NAME EXPECTED
# where the host put a fw_cfg file NAME holding EXPECTED (qemu -fw_cfg).
# One PASS/FAIL line per check; exit status 1 if any failed.
name=$1 want=$2
fail=0
check() {
	if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi
}
# The overlay took effect: the stub has the node, with a DMA pool.
check overlay_hands_fw_cfg_to_stub 'udrv list | grep -q "^uio[0-9]* *fw-cfg .*/fw-cfg@9020000"'
check driver_opens_device 'fw-cfg info'
check file_directory_by_dma 'fw-cfg list | grep -q " $name\$"'
# The QEMU argument took effect: the host's file, read by the device's DMA.
check host_file_by_dma '[ "$(fw-cfg cat "$name")" = "$want" ]'
check unknown_file_fails '! fw-cfg cat opt/no-such-file 2>/dev/null'
[ $fail = 0 ] || { udrv list; fw-cfg info; fw-cfg list; }
exit $fail
