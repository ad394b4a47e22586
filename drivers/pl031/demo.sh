#!/bin/sh
# demo.d/20-pl031 BOARD: the PL031 RTC through udrv-pl031 (virt and virt32).
case $1 in virt | virt32) ;; *) exit 0 ;; esac
echo "== PL031 RTC (udrv-pl031) =="
udrv-pl031 time || exit 1
now=$(udrv-pl031 time | cut -d' ' -f1)
echo "-- set the clock to 1700000000, read it back, then put it back"
udrv-pl031 set 1700000000 || exit 1
udrv-pl031 time || exit 1
out=$(udrv-pl031 set $((now + 1))) || exit 1
udrv-pl031 time || exit 1
echo "-- a 2-second alarm, waited for through the UIO interrupt"
udrv-pl031 alarm 2 || exit 1
echo "-- refused: an alarm 0 s ahead"
udrv-pl031 alarm 0 && exit 1
exit 0
