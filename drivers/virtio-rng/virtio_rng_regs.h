/* SPDX-License-Identifier: MIT */
/*
 * virtio_rng_regs.h - the virtio entropy device. Section numbers are those
 * of "Virtual I/O Device (VIRTIO) Version 1.1" (OASIS, 2019), as in the
 * transport's virtio_regs.h.
 */
#ifndef VIRTIO_RNG_REGS_H
#define VIRTIO_RNG_REGS_H

/* 5.4 Entropy Device: one queue, requestq (index 0), of device-writable
 * buffers the device fills with random bytes; no feature bits, no config. */
#define VIRTIO_RNG_REQUESTQ		0	/* 5.4.2 Virtqueues */

#endif /* VIRTIO_RNG_REGS_H */
