/* SPDX-License-Identifier: MIT */
/*
 * bcm2835_systimer_regs.h - BCM2835 System Timer, "brcm,bcm2835-system-timer"
 * (bus address 0x7E003000; 0x3F003000 for the ARM on BCM2836/7).
 *
 * BCM2835 ARM Peripherals (Broadcom, 2012), section 12 "System Timer":
 * a 64-bit free-running counter at 1 MHz and four 32-bit compare channels.
 * A channel matches when the counter's low 32 bits equal its compare
 * register: the match bit in CS is set and the channel's interrupt raised
 * (interrupt controller, section 7.5: ARM peripheral interrupts 0-3 are
 * "system timer match 0..3"; 0 and 2 are left out of that table because the
 * VideoCore uses those channels). The match stays set, and the interrupt
 * asserted, until software writes 1 to the bit. The hardware has no
 * periodic mode: software adds the period to the compare register at each
 * match (section 12, introduction).
 *
 * QEMU (hw/timer/bcm2835_systmr.c) counts QEMU_CLOCK_VIRTUAL in
 * microseconds, raises a channel's interrupt when the counter reaches the
 * compare value (a value written equal to the counter fires at once, one
 * behind it fires after 2^32 us), and clears bit and interrupt on a
 * write of 1 to CS.
 */
#ifndef UDRV_BCM2835_SYSTIMER_REGS_H
#define UDRV_BCM2835_SYSTIMER_REGS_H

#define ST_CLOCK_HZ		1000000u	/* section 12: 1 MHz timer clock */
#define ST_NUM_CHANNELS		4

/* 12.1 CS: System Timer Control/Status. M0..M3 (bits 0..3): match detected
 * on channel n; write 1 to clear, 0 leaves the bit alone. */
#define ST_CS			0x00
#define  ST_CS_MATCH(n)		(1u << (n))

/* 12.1 CLO: counter, low 32 bits (read only). */
#define ST_CLO			0x04
/* 12.1 CHI: counter, high 32 bits (read only). */
#define ST_CHI			0x08

/* 12.1 C0..C3: compare channel n, matched against CLO. */
#define ST_C(n)			(0x0C + 4 * (n))

#define ST_REGS_SIZE		0x1C		/* CS .. C3 */

#endif /* UDRV_BCM2835_SYSTIMER_REGS_H */
