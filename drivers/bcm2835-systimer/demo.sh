#!/bin/sh
# demo.d: the BCM2835 system timer on rpi3 - the counter, 20 interrupts at
# 100 Hz on channel 1 toggling GPIO17, a one-shot on channel 3.
[ "$1" = rpi3 ] || exit 0
echo "== BCM2835 system timer (brcm,bcm2835-system-timer at 0x7e003000)"
udrv-systimer read || exit 1
udrv-systimer --channel 1 --pulse periodic 10000 20 || exit 1
udrv-systimer --channel 3 oneshot 50000 || exit 1
