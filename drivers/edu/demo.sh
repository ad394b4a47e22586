#!/bin/sh
# demo.d/21-edu BOARD: QEMU's edu PCI device through udrv-edu (virt and virt32).
case $1 in virt | virt32) ;; *) exit 0 ;; esac
echo "== edu PCI device (udrv-edu) =="
if ! out=$(udrv-edu info 2>&1); then
	echo "-- handing the edu to udrv_uio with a 64 KiB DMA pool: udrv-edu bind"
	udrv-edu bind || exit 1
fi
udrv-edu info || exit 1
echo "-- factorials by the device, completion by interrupt"
for n in 0 5 10 12; do udrv-edu fact $n || exit 1; done
echo "-- refused: 13! does not fit in 32 bits"
udrv-edu fact 13 && exit 1
echo "-- DMA round trips through edu's 4 KiB buffer"
for n in 1 64 4095; do udrv-edu dma $n || exit 1; done
echo "-- refused: sizes that would crash QEMU 7.2's edu, or do not fit"
for n in 0 4096 4097; do udrv-edu dma $n && exit 1; done
echo "-- interrupts raised and acknowledged"
udrv-edu irq 1000 || exit 1
exit 0
