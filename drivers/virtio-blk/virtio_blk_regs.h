/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk_regs.h - the virtio block device: its feature bits,
 * configuration space and request format. Section numbers are those of
 * "Virtual I/O Device (VIRTIO) Version 1.1" (OASIS, 2019), as in the
 * transport's virtio_regs.h. Everything is little-endian.
 */
#ifndef VIRTIO_BLK_REGS_H
#define VIRTIO_BLK_REGS_H

#include <stdint.h>

/* 5.2 Block Device: one request queue (index 0) without VIRTIO_BLK_F_MQ. */
#define VIRTIO_BLK_REQUESTQ		0	/* 5.2.2 Virtqueues: requestq1 */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9

/* 5.2.4 Device configuration layout (offsets into the config space) */
#define VIRTIO_BLK_CFG_CAPACITY		0x00	/* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX		0x08	/* le32, if SIZE_MAX */
#define VIRTIO_BLK_CFG_SEG_MAX		0x0c	/* le32, if SEG_MAX */
#define VIRTIO_BLK_CFG_BLK_SIZE		0x14	/* le32, if BLK_SIZE */
#define VIRTIO_BLK_SECTOR_SIZE		512

/* 5.2.6 Device Operation: header, data, then one status byte */
struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;		/* in 512-byte units whatever blk_size says */
};
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_ID_BYTES		20
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#endif /* VIRTIO_BLK_REGS_H */
