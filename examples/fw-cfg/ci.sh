#!/bin/sh
# SPDX-License-Identifier: MIT
# CI of the fw-cfg driver project: cross-build it against a udrv checkout,
# boot QEMU's virt board with this project's overlay and a fw_cfg file of
# our own, run the guest test. Nothing is copied into the udrv checkout.
#
#   UDRV=/path/to/udrv ./ci.sh
#
# The exit status is the guest test's (0: all passed), or qemu/run's own:
# 122 the guest rebooted, 124 timeout, 125 the guest died, 2 bad usage.
set -eu
: "${UDRV:?set UDRV to a udrv checkout}"
cd "$(dirname "$0")"

# Build udrv for the guest if needed, and point the cross build at it.
eval "$("$UDRV/qemu/run" env --arch aarch64)"
make -s clean
make -s

# A value only this run knows: the driver must read it from the device.
nonce=udrv-example-$(date +%s)-$$
exec "$UDRV/qemu/run" exec --board virt --timeout 60 \
	--overlay fw-cfg.dtso \
	--qemu-arg -fw_cfg --qemu-arg "name=opt/udrv-example/nonce,string=$nonce" \
	--add fw-cfg:/usr/bin/fw-cfg \
	--add tests/test-fw-cfg.sh:/root/test-fw-cfg.sh \
	-- /root/test-fw-cfg.sh opt/udrv-example/nonce "$nonce"
