#!/bin/sh
# virtio-rng driven from userspace on the virt board.
case $1 in virt | virt32) ;; *) exit 0 ;; esac
echo "== virtio-rng in userspace (udrv-rng)"
udrv-rng -x 32 || exit 1
udrv-rng -x 32 || exit 1
