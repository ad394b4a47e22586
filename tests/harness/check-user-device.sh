#!/bin/sh
# SPDX-License-Identifier: MIT
# Harness self-test, run in the guest with --device virtio-rng-device,
# --overlay user-slot.dtso and --stub-param ids=1234:11e8 --stub-param
# pci_pool_size=0x2000 (edu bound at load, with an 8 KiB pool): each took
# effect. One PASS/FAIL line per check; the status is 1 if one failed.
fail=0
check() {
	if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi
}
uio_dir() {
	for d in /sys/class/uio/uio*; do
		[ "$(cat "$d/name")" = "$1" ] && { echo "$d"; return; }
	done
}
rng=$(uio_dir user-rng)
check overlay_binds_the_slot '[ -n "$rng" ]'
check overlay_slot_address '[ "$(cat "$rng/maps/map0/addr")" = 0x000000000a003800 ] || [ "$(cat "$rng/maps/map0/addr")" = 0x0a003800 ]'
check overlay_dma_pool '[ "$(cat "$rng/maps/map1/name")" = dma ] && [ $(($(cat "$rng/maps/map1/size"))) = $((0x10000)) ]'
# virtio-mmio: magic "virt" at 0x0, device ID at 0x8 (4: entropy source);
# an empty slot reads device ID 0.
check device_is_behind_the_slot '[ "$(udrv read user-rng 0 0x0)" = 0x74726976 ] && [ "$(udrv read user-rng 0 0x8)" = 0x00000004 ]'
edu=$(for d in /sys/class/uio/uio*; do [ -e "$d/device/vendor" ] && [ "$(cat "$d/device/device")" = 0x11e8 ] && echo "$d"; done | head -n1)
check stub_param_pool_size '[ -n "$edu" ] && [ $(($(cat "$edu/maps/map1/size"))) = $((0x2000)) ]'
[ $fail = 0 ] || { udrv list; cat /proc/cmdline; }
exit $fail
