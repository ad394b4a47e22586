/* SPDX-License-Identifier: MIT */
/*
 * zdma_regs.h - one ZynqMP DMA (ZDMA) channel, "xlnx,zynqmp-dma-1.0"
 * (FPD DMA channel 0 at 0xFD500000; the LPD channels at 0xFFA80000...).
 *
 * Zynq UltraScale+ MPSoC TRM (UG1085), chapter "DMA Controller" (simple
 * and scatter-gather modes, "Simple DMA Mode" programming); register
 * reference UG1087, module ZDMA (FPD_DMA_CH0..7 / LPD_DMA_CH0..7).
 * All registers are 32-bit; QEMU: hw/dma/xlnx-zdma.c.
 */
#ifndef UDRV_ZDMA_REGS_H
#define UDRV_ZDMA_REGS_H

/* UG1087 ZDMA_ERR_CTRL: APB_ERR_RES (bit 0) answers bad register
 * accesses with SLVERR; the channel registers start at 0x100. */
#define ZDMA_ERR_CTRL		0x000

/* UG1087 ZDMA_CH_ISR (write 1 to clear), _IMR (1: masked, read only),
 * _IEN (write 1 to unmask), _IDS (write 1 to mask): the same bits. */
#define ZDMA_CH_ISR		0x100
#define ZDMA_CH_IMR		0x104
#define ZDMA_CH_IEN		0x108
#define ZDMA_CH_IDS		0x10C
#define  ZDMA_INT_INV_APB	(1u << 0)	/* invalid register access */
#define  ZDMA_INT_SRC_DSCR_DONE	(1u << 1)
#define  ZDMA_INT_DST_DSCR_DONE	(1u << 2)
#define  ZDMA_INT_BYTE_CNT_OVRFL (1u << 3)	/* ZDMA_CH_TOTAL_BYTE wrapped */
#define  ZDMA_INT_SRC_ACCT_ERR	(1u << 4)
#define  ZDMA_INT_DST_ACCT_ERR	(1u << 5)
#define  ZDMA_INT_AXI_RD_SRC_DSCR (1u << 6)	/* AXI error reading a descriptor */
#define  ZDMA_INT_AXI_RD_DST_DSCR (1u << 7)
#define  ZDMA_INT_AXI_RD_DATA	(1u << 8)	/* AXI error reading data */
#define  ZDMA_INT_AXI_WR_DATA	(1u << 9)	/* AXI error writing data */
#define  ZDMA_INT_DMA_DONE	(1u << 10)
#define  ZDMA_INT_DMA_PAUSE	(1u << 11)
#define  ZDMA_INT_ALL		0xFFFu
#define  ZDMA_INT_ERRORS	(ZDMA_INT_INV_APB | ZDMA_INT_BYTE_CNT_OVRFL | \
				 ZDMA_INT_SRC_ACCT_ERR | ZDMA_INT_DST_ACCT_ERR | \
				 ZDMA_INT_AXI_RD_SRC_DSCR | ZDMA_INT_AXI_RD_DST_DSCR | \
				 ZDMA_INT_AXI_RD_DATA | ZDMA_INT_AXI_WR_DATA)

/* UG1087 ZDMA_CH_CTRL0: mode and descriptor location. */
#define ZDMA_CH_CTRL0		0x110
#define  ZDMA_CTRL0_CONT	(1u << 1)
#define  ZDMA_CTRL0_CONT_ADDR	(1u << 2)
#define  ZDMA_CTRL0_RATE_CTRL	(1u << 3)
#define  ZDMA_CTRL0_MODE_MASK	(3u << 4)	/* 0: read/write, 1: write only, 2: read only */
#define  ZDMA_CTRL0_POINT_TYPE	(1u << 6)	/* 0: simple (descriptors in registers) */
#define  ZDMA_CTRL0_OVR_FETCH	(1u << 7)

/* UG1087 ZDMA_CH_STATUS: STATE, bits 1:0. */
#define ZDMA_CH_STATUS		0x11C
#define  ZDMA_STATE_MASK	3u
#define  ZDMA_STATE_DONE_OK	0u
#define  ZDMA_STATE_PAUSED	1u
#define  ZDMA_STATE_BUSY	2u
#define  ZDMA_STATE_DONE_ERR	3u

/* UG1087 ZDMA_CH_DATA_ATTR: AXI burst types, INCR for both directions. */
#define ZDMA_CH_DATA_ATTR	0x120
#define  ZDMA_DATA_ARBURST_MASK	(3u << 26)
#define  ZDMA_DATA_ARBURST_INCR	(1u << 26)
#define  ZDMA_DATA_AWBURST_MASK	(3u << 12)
#define  ZDMA_DATA_AWBURST_INCR	(1u << 12)

/* UG1087 ZDMA_CH_SRC_DSCR_WORD0..3 and ZDMA_CH_DST_DSCR_WORD0..3: the
 * descriptors of simple mode. WORD0 address[31:0], WORD1 address[43:32],
 * WORD2 SIZE (bits 29:0, bytes), WORD3 flags (INTR bit 2, CMD bits 4:3
 * for the source; 0: no interrupt per descriptor, DMA_DONE is enough). */
#define ZDMA_CH_SRC_DSCR_WORD0	0x128
#define ZDMA_CH_DST_DSCR_WORD0	0x138
#define  ZDMA_DSCR_ADDR_LO	0x0
#define  ZDMA_DSCR_ADDR_HI	0x4
#define  ZDMA_DSCR_SIZE		0x8
#define  ZDMA_DSCR_CTRL		0xC
#define  ZDMA_SIZE_MAX		((1u << 30) - 1)
#define  ZDMA_ADDR_BITS		44

/* UG1087 ZDMA_CH_TOTAL_BYTE: bytes moved (write the value read to clear). */
#define ZDMA_CH_TOTAL_BYTE	0x188
/* UG1087 ZDMA_CH_IRQ_SRC_ACCT / _DST_ACCT: clear on read. */
#define ZDMA_CH_IRQ_SRC_ACCT	0x190
#define ZDMA_CH_IRQ_DST_ACCT	0x194
/* UG1087 ZDMA_CH_CTRL2: EN (bit 0) starts the channel; cleared when done. */
#define ZDMA_CH_CTRL2		0x200
#define  ZDMA_CTRL2_EN		(1u << 0)

#define ZDMA_REGS_SIZE		(ZDMA_CH_CTRL2 + 4)

#endif /* UDRV_ZDMA_REGS_H */
