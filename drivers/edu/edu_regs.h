/* SPDX-License-Identifier: MIT */
/*
 * edu_regs.h - QEMU's educational PCI device "edu" (1234:11e8).
 *
 * Source: QEMU docs/specs/edu.rst ("EDU device"), sections "PCI specs",
 * "MMIO area spec", "IRQ controller" and "DMA controller"; behaviour
 * checked against hw/misc/edu.c. BAR0 is 1 MiB of MMIO. Registers below
 * 0x80 take 32-bit accesses only; from 0x80 on, 32 or 64 bits. Other
 * sizes read as all ones and writes are dropped.
 *
 * QEMU 7.2 quirks (hw/misc/edu.c of that release; fixed upstream in 2024):
 *  - edu_check_range() calls hw_error(), aborting the whole emulator, on a
 *    DMA of count 0 and on one whose end (offset + count) reaches the end
 *    of the 4 KiB buffer: only offset + count <= EDU_DMA_BUF_SIZE - 1
 *    is safe.
 *  - DMA addresses are ANDed with the device's dma_mask, 28 bits unless
 *    QEMU is started with -device edu,dma_mask=...: a RAM address above it
 *    is silently redirected.
 *  - The factorial is computed in 32 bits (uint32_t): 12! is the last one
 *    that fits.
 *  - Each DMA completes 100 ms (virtual clock) after the command is written.
 */
#ifndef EDU_REGS_H
#define EDU_REGS_H

#define EDU_VENDOR_ID		0x1234	/* "PCI specs": PCI ID 1234:11e8 */
#define EDU_DEVICE_ID		0x11e8
#define EDU_BAR			0	/* "PCI specs": PCI Region 0, 1 MB of I/O memory */

/* PCI Local Bus 3.0, 6.2.2: the command register, Bus Master Enable. */
#define EDU_PCI_COMMAND		0x04
#define EDU_PCI_COMMAND_MASTER	0x04
#define EDU_BAR_SIZE		0x100000

/* "MMIO area spec" 0x00 (RO) identification: 0xRRrr00ed, RR major, rr minor. */
#define EDU_REG_ID		0x00
#define  EDU_ID_MAGIC_MASK	0x0000ffffu
#define  EDU_ID_MAGIC		0x000000edu
#define  EDU_ID_MAJOR(id)	(((id) >> 24) & 0xff)
#define  EDU_ID_MINOR(id)	(((id) >> 16) & 0xff)
/* 0x04 (RW) card liveness check: reads back the bitwise inverse of the last write. */
#define EDU_REG_LIVENESS	0x04
/* 0x08 (RW) factorial: write n, read n! once status bit 0x01 clears.
 * Ignored while a computation runs. */
#define EDU_REG_FACT		0x08
/* 0x20 (RW) status register. */
#define EDU_REG_STATUS		0x20
#define  EDU_STATUS_COMPUTING	0x01u	/* computing factorial (RO) */
#define  EDU_STATUS_IRQFACT	0x80u	/* raise interrupt 0x01 after the factorial */
/* 0x24 (RO) interrupt status: OR of the values that raised the interrupt. */
#define EDU_REG_IRQ_STATUS	0x24
/* 0x60 (WO) interrupt raise: value ORed into the interrupt status. */
#define EDU_REG_IRQ_RAISE	0x60
/* 0x64 (WO) interrupt acknowledge: value cleared from the interrupt status;
 * INTx stays asserted while any bit is set ("IRQ controller"). */
#define EDU_REG_IRQ_ACK		0x64
#define  EDU_IRQ_FACT		0x00000001u	/* hw/misc/edu.c FACT_IRQ */
#define  EDU_IRQ_DMA		0x00000100u	/* hw/misc/edu.c DMA_IRQ */
/* 0x80 (RW) DMA source address, 0x88 (RW) DMA destination address,
 * 0x90 (RW) DMA transfer count: 64-bit; writes ignored while a DMA runs. */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
/* 0x98 (RW) DMA command register. */
#define EDU_REG_DMA_CMD		0x98
#define  EDU_DMA_CMD_START	0x1u	/* start transfer; reads 1 while it runs */
#define  EDU_DMA_CMD_FROM_EDU	0x2u	/* direction: 0 RAM -> edu, 1 edu -> RAM */
#define  EDU_DMA_CMD_IRQ	0x4u	/* raise interrupt 0x100 when done */

/* "DMA controller": one 4096-byte buffer at device address 0x40000. */
#define EDU_DMA_BUF_ADDR	0x40000u
#define EDU_DMA_BUF_SIZE	4096u
/* "Command line switches": default dma_mask, 28 bits (256 MiB). */
#define EDU_DMA_DEFAULT_BITS	28

#endif /* EDU_REGS_H */
