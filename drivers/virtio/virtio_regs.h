/* SPDX-License-Identifier: MIT */
/*
 * virtio_regs.h - virtio over MMIO, version 2 ("modern"), and split
 * virtqueues: what every device type shares. Each device's own definitions
 * are beside its driver (virtio_blk_regs.h, virtio_rng_regs.h). Section
 * numbers are those of "Virtual I/O Device (VIRTIO) Version 1.1" (OASIS,
 * 2019); 1.0 and 1.2 agree on all of it. Everything the device reads or
 * writes in memory is little-endian.
 */
#ifndef VIRTIO_REGS_H
#define VIRTIO_REGS_H

#include <stdint.h>

/* 4.2.2 MMIO Device Register Layout (all registers 32 bits wide) */
#define VIRTIO_MMIO_MAGIC		0x000	/* R  "virt" */
#define VIRTIO_MMIO_VERSION		0x004	/* R  2 (1 is the legacy interface) */
#define VIRTIO_MMIO_DEVICE_ID		0x008	/* R  5 Device Types; 0: no device */
#define VIRTIO_MMIO_VENDOR_ID		0x00c	/* R */
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010	/* R  32 bits of the set chosen by ..._SEL */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014	/* W */
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020	/* W */
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024	/* W */
#define VIRTIO_MMIO_QUEUE_SEL		0x030	/* W */
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034	/* R  0: the queue is not available */
#define VIRTIO_MMIO_QUEUE_NUM		0x038	/* W */
#define VIRTIO_MMIO_QUEUE_READY		0x044	/* RW */
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050	/* W  queue index */
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060	/* R */
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064	/* W */
#define VIRTIO_MMIO_STATUS		0x070	/* RW 2.1 Device Status Field; 0 resets */
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080	/* W  Descriptor Area */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090	/* W  Driver Area (available ring) */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0	/* W  Device Area (used ring) */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc	/* R  2.4.1 */
#define VIRTIO_MMIO_CONFIG		0x100	/* device-specific configuration */
#define VIRTIO_MMIO_SIZE		0x200
/* The DT binding of a virtio-mmio slot (Linux virtio/mmio.yaml). */
#define VIRTIO_MMIO_COMPATIBLE		"virtio,mmio"

#define VIRTIO_MMIO_MAGIC_VALUE		0x74726976u
#define VIRTIO_MMIO_VERSION_MODERN	2

/* 4.2.2 InterruptStatus / InterruptACK bits */
#define VIRTIO_MMIO_INT_VRING		(1u << 0)	/* Used Buffer Notification */
#define VIRTIO_MMIO_INT_CONFIG		(1u << 1)	/* Configuration Change */

/* 2.1 Device Status Field */
#define VIRTIO_STATUS_ACKNOWLEDGE	1u
#define VIRTIO_STATUS_DRIVER		2u
#define VIRTIO_STATUS_DRIVER_OK		4u
#define VIRTIO_STATUS_FEATURES_OK	8u
#define VIRTIO_STATUS_NEEDS_RESET	64u
#define VIRTIO_STATUS_FAILED		128u

/* 6 Reserved Feature Bits */
#define VIRTIO_F_INDIRECT_DESC		28	/* 2.6.5.3 indirect descriptors */
#define VIRTIO_F_EVENT_IDX		29	/* 2.6.7, 2.6.8 (not used here) */
#define VIRTIO_F_VERSION_1		32	/* compliance with 1.x: required */
#define VIRTIO_F_ACCESS_PLATFORM	33	/* 6.1: addresses go through the platform (IOMMU) */
#define VIRTIO_F_ORDER_PLATFORM		36	/* 6.1: platform barriers order the rings */

/* 5 Device Types */
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_ENTROPY		4

/* 2.6 Split Virtqueues. Alignment (2.6, table): descriptor table 16,
 * available ring 2, used ring 4. The queue size is a power of 2. */
struct virtq_desc {			/* 2.6.5 The Virtqueue Descriptor Table */
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2	/* device-writable */
#define VIRTQ_DESC_F_INDIRECT		4

struct virtq_avail {			/* 2.6.6 The Virtqueue Available Ring */
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];		/* queue size entries, then used_event */
};
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

struct virtq_used_elem {
	uint32_t id;			/* head of the descriptor chain */
	uint32_t len;			/* bytes written into the buffer */
};

struct virtq_used {			/* 2.6.8 The Virtqueue Used Ring */
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* queue size entries, then avail_event */
};
#define VIRTQ_USED_F_NO_NOTIFY		1

#endif /* VIRTIO_REGS_H */
