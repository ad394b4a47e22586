/* SPDX-License-Identifier: MIT */
/*
 * crc_regs.h - register map of "acme,crc32-1.0" (the example IP's "data
 * sheet": one 0x100-byte region, one level interrupt).
 */
#ifndef CRC_REGS_H
#define CRC_REGS_H

#define CRC_ID		0x00	/* RO: CRC_ID_VALUE */
#define CRC_ID_VALUE	0xacc00100u
#define CRC_CTRL	0x04	/* RW */
#define CRC_CTRL_START	(1u << 0)	/* write 1: start; reads 0 */
#define CRC_CTRL_IRQ_EN	(1u << 1)	/* interrupt on DONE or ERR */
#define CRC_STATUS	0x08	/* RO BUSY; DONE, ERR write 1 to clear */
#define CRC_ST_BUSY	(1u << 0)
#define CRC_ST_DONE	(1u << 1)
#define CRC_ST_ERR	(1u << 2)	/* the DMA read failed */
#define CRC_SRC_LO	0x10	/* RW: bus address of the data, low word */
#define CRC_SRC_HI	0x14	/* RW: high word */
#define CRC_LEN		0x18	/* RW: bytes, 1 .. 65536 */
#define CRC_RESULT	0x1c	/* RO: the CRC-32 once DONE */
#define CRC_REGS_SIZE	0x100

/* The interrupt is a level: asserted while IRQ_EN and (DONE or ERR). */

#endif
