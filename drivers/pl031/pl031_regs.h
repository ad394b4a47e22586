/* SPDX-License-Identifier: MIT */
/*
 * pl031_regs.h - ARM PrimeCell Real Time Clock (PL031) registers.
 *
 * Source: ARM PrimeCell Real Time Clock (PL031) Technical Reference Manual,
 * ARM DDI 0224. Section numbers below refer to its chapter 3, "Programmer's
 * Model": 3.2 "Summary of RTC registers" (Table 3-1) gives the map, 3.3
 * "Register descriptions" describes each register.
 *
 * All registers are 32 bits wide, at offsets from the 4 KiB block base.
 * The counter is a free-running 32-bit seconds counter clocked by CLK1HZ;
 * an interrupt is raised when it equals the match register. QEMU's model
 * (hw/rtc/pl031.c) reads RTCCR as 1 (always enabled) and computes the
 * match on a timer, firing exactly N seconds after RTCMR is written N
 * seconds ahead.
 */
#ifndef PL031_REGS_H
#define PL031_REGS_H

/* 3.3.1 Data Register: current counter value, read only. */
#define PL031_RTCDR		0x000
/* 3.3.2 Match Register: RTCINTR is asserted when RTCDR == RTCMR. */
#define PL031_RTCMR		0x004
/* 3.3.3 Load Register: writing loads the counter (RTCDR) with the value. */
#define PL031_RTCLR		0x008
/* 3.3.4 Control Register: bit 0 starts the counter (cannot be stopped once
 * started; QEMU reads it as 1 always). */
#define PL031_RTCCR		0x00c
#define  PL031_RTCCR_START		(1u << 0)
/* 3.3.5 Interrupt Mask Set/Clear Register: bit 0 = 1 lets the match
 * interrupt out on RTCINTR; 0 masks it. */
#define PL031_RTCIMSC		0x010
#define  PL031_INT_ALARM		(1u << 0)	/* the one interrupt: RTCINTR */
/* 3.3.6 Raw Interrupt Status Register: bit 0 = match happened (before the
 * mask). Stays set until cleared through RTCICR: the line is level. */
#define PL031_RTCRIS		0x014
/* 3.3.7 Masked Interrupt Status Register: RTCRIS & RTCIMSC, the line. */
#define PL031_RTCMIS		0x018
/* 3.3.8 Interrupt Clear Register: writing 1 to bit 0 clears the interrupt,
 * write only. */
#define PL031_RTCICR		0x01c

/* 3.3.9 Peripheral Identification Registers RTCPeriphID0-3 (bits [7:0] of
 * each): part number 0x031, designer 0x41 (ARM), revision, configuration. */
#define PL031_PERIPHID0		0xfe0
#define PL031_PERIPHID1		0xfe4
#define PL031_PERIPHID2		0xfe8
#define PL031_PERIPHID3		0xfec
#define  PL031_PART_NUMBER		0x031
#define  PL031_DESIGNER_ARM		0x41
/* 3.3.10 PrimeCell Identification Registers RTCPCellID0-3: 0x0d 0xf0 0x05
 * 0xb1, the same for every PrimeCell. */
#define PL031_PCELLID0		0xff0
#define PL031_PCELLID1		0xff4
#define PL031_PCELLID2		0xff8
#define PL031_PCELLID3		0xffc
#define  PL031_PCELLID			0xb105f00du

/* Size of the register block (Table 3-1: 0x000-0xFFC). */
#define PL031_REGS_SIZE		0x1000

#endif /* PL031_REGS_H */
