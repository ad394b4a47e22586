#!/bin/sh
# demo.d: the ZynqMP DMA channel on zcu102 - verified copies, queued back to back.
[ "$1" = zcu102 ] || exit 0
echo "== ZDMA channel (xlnx,zynqmp-dma-1.0 at 0xfd500000): udrv-zdma copy"
udrv-zdma copy 4K 256 || exit 1
udrv-zdma copy 1M 16 || exit 1
