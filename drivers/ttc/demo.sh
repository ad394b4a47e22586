#!/bin/sh
# demo.d: the Cadence TTC on zcu102 - 20 wakeups at 100 Hz, then a one-shot.
[ "$1" = zcu102 ] || exit 0
echo "== TTC0 counter 0 (cdns,ttc at 0xff110000): udrv-ttc periodic 100 20"
udrv-ttc periodic 100 20 || exit 1
udrv-ttc oneshot 50 || exit 1
