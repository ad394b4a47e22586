/* SPDX-License-Identifier: MIT */
/*
 * ttc_regs.h - Cadence Triple Timer Counter (TTC), "cdns,ttc".
 *
 * Zynq UltraScale+ MPSoC TRM (UG1085), chapter "Timers and Counters",
 * section "Triple-timer Counter"; register reference UG1087, module TTC
 * (TTC0..TTC3 at 0xFF110000..0xFF140000). Each TTC has three counters; the
 * copy of a register for counter n (0..2) is at its offset + 4 * n.
 * The counters are 32 bits wide on ZynqMP and 16 bits on Zynq-7000 (UG585);
 * QEMU's model (hw/timer/cadence_ttc.c) keeps 16 bits, so the driver probes
 * the width of the interval register rather than trusting "timer-width".
 */
#ifndef UDRV_TTC_REGS_H
#define UDRV_TTC_REGS_H

#define TTC_NUM_COUNTERS	3

/* UG1087 TTC Clock_Control_1..3: prescaler and clock source. */
#define TTC_CLK_CTRL(n)		(0x00 + 4 * (n))
#define  TTC_CLK_PS_EN		(1u << 0)	/* divide by 2^(PS_V + 1) */
#define  TTC_CLK_PS_V_SHIFT	1		/* PS_V, bits 4:1 */
#define  TTC_CLK_PS_V_MAX	15
#define  TTC_CLK_SRC_EXT	(1u << 5)	/* 0: the LPD_LSBUS clock */

/* UG1087 TTC Counter_Control_1..3. */
#define TTC_CNT_CTRL(n)		(0x0C + 4 * (n))
#define  TTC_CNT_DIS		(1u << 0)	/* counter stopped */
#define  TTC_CNT_INTERVAL	(1u << 1)	/* count 0..Interval, then restart */
#define  TTC_CNT_DECR		(1u << 2)
#define  TTC_CNT_MATCH		(1u << 3)
#define  TTC_CNT_RST		(1u << 4)	/* self-clearing: counter back to 0 */
#define  TTC_CNT_WAVE_DIS	(1u << 5)	/* Wave_en, active low */
#define  TTC_CNT_WAVE_POL	(1u << 6)

/* UG1087 TTC Counter_Value_1..3 (read only). */
#define TTC_CNT_VAL(n)		(0x18 + 4 * (n))
/* UG1087 TTC Interval_Counter_1..3: the top value in interval mode. */
#define TTC_INTERVAL(n)		(0x24 + 4 * (n))
/* UG1087 TTC Match_1_Counter_1..3, Match_2_..., Match_3_... */
#define TTC_MATCH1(n)		(0x30 + 4 * (n))
#define TTC_MATCH2(n)		(0x3C + 4 * (n))
#define TTC_MATCH3(n)		(0x48 + 4 * (n))

/* UG1087 TTC Interrupt_Register_1..3: clear on read; the level interrupt
 * line is (Interrupt_Register & Interrupt_Enable) != 0. */
#define TTC_ISR(n)		(0x54 + 4 * (n))
/* UG1087 TTC Interrupt_Enable_1..3: same bits. */
#define TTC_IER(n)		(0x60 + 4 * (n))
#define  TTC_IXR_INTERVAL	(1u << 0)	/* Iv: interval reached */
#define  TTC_IXR_MATCH(i)	(1u << (1 + (i)))	/* M1..M3 */
#define  TTC_IXR_OVERFLOW	(1u << 4)	/* Ov */
#define  TTC_IXR_EVENT		(1u << 5)	/* Ev: event timer overflow */
#define  TTC_IXR_ALL		0x3Fu

/* UG1087 TTC Event_Control_Timer_1..3 and Event_Register_1..3. */
#define TTC_EVT_CTRL(n)		(0x6C + 4 * (n))
#define TTC_EVT(n)		(0x78 + 4 * (n))

#endif /* UDRV_TTC_REGS_H */
