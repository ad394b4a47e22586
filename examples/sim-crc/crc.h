/* SPDX-License-Identifier: MIT */
/*
 * crc.h - driver for "acme,crc32-1.0", a CRC-32 engine in an FPGA: it reads
 * a buffer by DMA and computes its CRC-32 (IEEE 802.3, as zlib's crc32()).
 * The IP is made up for this example; its register map is in crc_regs.h.
 *
 * Functions return 0 on success and a negative errno on failure.
 */
#ifndef CRC_H
#define CRC_H

#include <stddef.h>
#include <stdint.h>

struct crc;

/* Open the first "acme,crc32-1.0" handed to userspace. -ENOENT: none;
 * -ENODEV: its ID register is not the engine's; others from libudrv. */
int crc_open(struct crc **out);
void crc_close(struct crc *c);

/*
 * crc_compute() - the CRC-32 of @len bytes at @buf (1 .. 64 KiB), computed
 * by the engine. -EINVAL bad length; -EIO the engine reported a DMA error;
 * -ETIMEDOUT no completion within @timeout_ns (the transfer may still end:
 * until it has, -EBUSY); -ENODEV the device went away.
 */
int crc_compute(struct crc *c, const void *buf, size_t len, uint64_t timeout_ns, uint32_t *out);

#endif
