/* SPDX-License-Identifier: MIT */
/*
 * cdns_uart_regs.h - Cadence UART ("cdns,uart-r1p12", "xlnx,zynqmp-uart";
 * ZynqMP UART0 at 0xFF000000, UART1 at 0xFF010000).
 *
 * Zynq UltraScale+ MPSoC TRM (UG1085), chapter "UART Controller"
 * ("Baud Rate Generator", "Transmit and Receive FIFOs", "Receiver
 * Timeout"); register reference UG1087, module UART. The FIFOs are 64
 * bytes deep on silicon, 16 in QEMU (hw/char/cadence_uart.c): the driver
 * uses the status flags (full/empty), never the depth.
 */
#ifndef UDRV_CDNS_UART_REGS_H
#define UDRV_CDNS_UART_REGS_H

/* UG1087 UART Control (CR). */
#define UART_CR			0x00
#define  UART_CR_RXRST		(1u << 0)	/* self-clearing: empty the RX FIFO */
#define  UART_CR_TXRST		(1u << 1)
#define  UART_CR_RX_EN		(1u << 2)
#define  UART_CR_RX_DIS		(1u << 3)
#define  UART_CR_TX_EN		(1u << 4)
#define  UART_CR_TX_DIS		(1u << 5)
#define  UART_CR_RSTTO		(1u << 6)	/* restart the receiver timeout */
#define  UART_CR_STTBRK		(1u << 7)
#define  UART_CR_STPBRK		(1u << 8)

/* UG1087 UART mode (MR). */
#define UART_MR			0x04
#define  UART_MR_CLKSEL_DIV8	(1u << 0)	/* baud clock = ref / 8 */
#define  UART_MR_CHRL_8		(0u << 1)	/* bits 2:1; 0x: 8 bits */
#define  UART_MR_CHRL_7		(2u << 1)
#define  UART_MR_CHRL_6		(3u << 1)
#define  UART_MR_PAR_EVEN	(0u << 3)	/* bits 5:3 */
#define  UART_MR_PAR_ODD	(1u << 3)
#define  UART_MR_PAR_SPACE	(2u << 3)	/* the parity bit always 0 */
#define  UART_MR_PAR_MARK	(3u << 3)	/* ... always 1 */
#define  UART_MR_PAR_NONE	(4u << 3)
#define  UART_MR_NBSTOP_1	(0u << 6)	/* bits 7:6 */
#define  UART_MR_NBSTOP_2	(2u << 6)
#define  UART_MR_CHMODE_NORMAL	(0u << 8)	/* bits 9:8 */
#define  UART_MR_CHMODE_LLOOP	(2u << 8)	/* local loopback: TX into RX */

/* UG1087 UART Intrpt_en (IER), Intrpt_dis (IDR), Intrpt_mask (IMR, read
 * only, 1: enabled), Chnl_int_sts (ISR, write 1 to clear): the same bits.
 * The interrupt line is (ISR & IMR) != 0, level. */
#define UART_IER		0x08
#define UART_IDR		0x0C
#define UART_IMR		0x10
#define UART_ISR		0x14
#define  UART_IXR_RTRIG		(1u << 0)	/* RX FIFO reached Rcvr_FIFO_trigger_level */
#define  UART_IXR_REMPTY	(1u << 1)
#define  UART_IXR_RFUL		(1u << 2)
#define  UART_IXR_TEMPTY	(1u << 3)
#define  UART_IXR_TFUL		(1u << 4)
#define  UART_IXR_ROVR		(1u << 5)	/* RX overflow: a byte was lost */
#define  UART_IXR_FRAME		(1u << 6)
#define  UART_IXR_PARITY	(1u << 7)
#define  UART_IXR_TOUT		(1u << 8)	/* receiver timeout */
#define  UART_IXR_DMS		(1u << 9)
#define  UART_IXR_TTRIG		(1u << 10)
#define  UART_IXR_TNFUL		(1u << 11)
#define  UART_IXR_TOVR		(1u << 12)
#define  UART_IXR_ALL		0x1FFFu

/* UG1087 UART Baud_rate_gen (CD, 1..65535) and Baud_rate_divider (BDIV,
 * 4..255): baud = baud clock / (CD * (BDIV + 1)). */
#define UART_BAUDGEN		0x18
#define  UART_CD_MAX		65535u
#define UART_BAUDDIV		0x34
#define  UART_BDIV_MIN		4u
#define  UART_BDIV_MAX		255u

/* UG1087 UART Rcvr_timeout (RTOR): idle time, in units of 4 bit periods,
 * after which TOUT is raised; 0 disables it. */
#define UART_RXTOUT		0x1C
/* UG1087 UART Rcvr_FIFO_trigger_level (RTRIG), 1..63; 0 disables it. */
#define UART_RXWM		0x20
#define UART_MODEMCR		0x24
#define UART_MODEMSR		0x28

/* UG1087 UART Channel_sts (SR): the live FIFO state. */
#define UART_SR			0x2C
#define  UART_SR_RTRIG		(1u << 0)
#define  UART_SR_REMPTY		(1u << 1)
#define  UART_SR_RFUL		(1u << 2)
#define  UART_SR_TEMPTY		(1u << 3)
#define  UART_SR_TFUL		(1u << 4)
#define  UART_SR_RACTIVE	(1u << 10)
#define  UART_SR_TACTIVE	(1u << 11)
#define  UART_SR_TTRIG		(1u << 13)

/* UG1087 UART TX_RX_FIFO: write to transmit, read to receive (one byte). */
#define UART_FIFO		0x30
#define UART_FLOWDEL		0x38
#define UART_TXWM		0x44	/* Tx_FIFO_trigger_level */

#define UART_REGS_SIZE		0x48

#endif /* UDRV_CDNS_UART_REGS_H */
