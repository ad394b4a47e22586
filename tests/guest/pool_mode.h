/* SPDX-License-Identifier: MIT */
/*
 * pool_mode.h - the DMA suites' pool mode. With UDRV_POOL=cached in the
 * environment (the virt-bounce board sets it for every suite; run-tests
 * sets it for a "guest_X@cached" entry), a suite rebinds the devices it
 * drives with cached DMA pools before its tests and puts them back as they
 * were after; otherwise both calls do nothing.
 */
#ifndef POOL_MODE_H
#define POOL_MODE_H

#include <stdbool.h>
#include <stdint.h>

#include "udrv.h"

/* true when UDRV_POOL=cached */
bool pool_mode_cached(void);
/* In cached mode: the device @sel selects bound to the stub again with a
 * cached pool of @size bytes (remembered for pool_mode_restore()). 0 or
 * -errno, with the reason on stderr. */
int pool_mode_setup(const struct udrv_open_opts *sel, uint64_t size);
/* Each device pool_mode_setup() rebound: bound again with the pool it had
 * (coherent), and the stub's run-time pool request for it forgotten. 0 or
 * -errno, with the reason on stderr. */
int pool_mode_restore(void);

#endif /* POOL_MODE_H */
