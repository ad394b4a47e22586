#!/bin/sh
# virtio-blk driven from userspace on the virt board.
case $1 in virt | virt32) ;; *) exit 0 ;; esac
echo "== virtio-blk in userspace (udrv-blk), disk 0 at virtio-mmio 0xa003e00"
udrv-blk info || exit 1
msg="hello from a userspace virtio-blk driver (pid $$)"
echo "write block 100: \"$msg\""
printf '%s' "$msg" | udrv-blk write 100 1 || exit 1
printf 'read it back:    "'
udrv-blk read 100 1 | tr -d '\0'
echo '"'
echo "the same block, polled completion:"
udrv-blk -p read 100 1 | head -c 48 | od -A d -c | head -n 3
echo "a read past the end is refused:"
data=$(udrv-blk read 65536 1) && exit 1
echo "== quick benchmark, 1 s each"
udrv-blk bench -t 1 -Q 1 && udrv-blk bench -t 1 -Q 32 && udrv-blk -p bench -t 1 -Q 32 || exit 1
