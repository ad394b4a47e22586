/* SPDX-License-Identifier: MIT */
/*
 * bcm2835_systimer.h - driver for the BCM2835 System Timer
 * ("brcm,bcm2835-system-timer", the Raspberry Pi's 1 MHz timer at bus
 * address 0x7E003000) handed to userspace by the udrv_uio stub: the 64-bit
 * free-running counter, and one-shot and periodic interrupts on compare
 * channels 1 and 3 (channels 0 and 2 belong to the VideoCore on a real Pi
 * and are refused).
 *
 * The stub hands the timer over with one UIO device per interrupt, in the
 * node's order, one interrupt per channel: channel n uses the device's
 * interrupt n ("systimer.irq1", "systimer.irq3"; dts/rpi3.dtso).
 *
 * Times are in counter ticks: microseconds. The hardware only matches the
 * counter's low 32 bits, so intervals are limited to
 * BCM2835_SYSTIMER_MAX_INTERVAL_US; a periodic channel is re-armed by
 * software at each match, one period after the previous due time (no drift),
 * skipping (and counting) periods whose time passed before it could re-arm.
 *
 * Conventions as libudrv (udrv.h): 0 or a count on success, -errno on
 * failure; a NULL object argument is a programming error (assert); nothing
 * is printed. A struct udrv_bcm2835_systimer is used from one thread at a time.
 */
#ifndef UDRV_BCM2835_SYSTIMER_H
#define UDRV_BCM2835_SYSTIMER_H

#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BCM2835_SYSTIMER_COMPATIBLE	"brcm,bcm2835-system-timer"
#define BCM2835_SYSTIMER_HZ		1000000u
/* Longest one-shot delay or period: half the 32-bit compare range. */
#define BCM2835_SYSTIMER_MAX_INTERVAL_US	0x7fffffffu

struct udrv_bcm2835_systimer;

/** What one match reports (see udrv_bcm2835_systimer_wait()). */
struct udrv_bcm2835_systimer_tick {
	unsigned int channel;	/* 1 or 3 */
	uint64_t due;		/* counter value the match was due at */
	uint64_t now;		/* counter value when the driver handled it */
	/* Periodic: periods after this one whose due time had already passed
	 * when the driver re-armed (their matches never happened); the next
	 * tick's due is after them. 0 for a one-shot. */
	uint32_t skipped;
};

/**
 * udrv_bcm2835_systimer_open() - open the system timer handed to userspace
 * under UIO name @name, or (@name NULL) the first device compatible with
 * BCM2835_SYSTIMER_COMPATIBLE. Channels 1 and 3 start stopped (as
 * udrv_bcm2835_systimer_stop() leaves them); channels 0 and 2 are not touched.
 * The caller owns *@out and frees it with udrv_bcm2835_systimer_close().
 * Errors: -EINVAL @out NULL; -ENOENT no such device, or one with fewer than
 * four interrupts; -ENODEV @name is not a device-tree node compatible with
 * BCM2835_SYSTIMER_COMPATIBLE (in "compatible" or "udrv,compatible");
 * -ERANGE the register region is too small; -ENOMEM; others from
 * udrv_device_open().
 */
int udrv_bcm2835_systimer_open(const char *name, struct udrv_bcm2835_systimer **out);

/** udrv_bcm2835_systimer_close() - stop both channels and close. NULL is ignored. */
void udrv_bcm2835_systimer_close(struct udrv_bcm2835_systimer *t);

/**
 * udrv_bcm2835_systimer_counter() - the 64-bit free-running counter
 * (microseconds since the timer started), read race-free from CHI and CLO:
 * CHI is read again after CLO and CLO re-read if CHI moved meanwhile.
 */
uint64_t udrv_bcm2835_systimer_counter(const struct udrv_bcm2835_systimer *t);

/**
 * udrv_bcm2835_systimer_oneshot() - one interrupt on @channel, @delay_us after
 * now; the channel stops by itself when udrv_bcm2835_systimer_wait() sees it.
 * Replaces whatever the channel was doing. The match bit is cleared before
 * the interrupt is unmasked. If the counter passes the compare value before
 * the write lands (a delay of a few us on a slow machine), the driver
 * re-arms a little later, so the interrupt comes late rather than never.
 * Errors: -EINVAL @channel not 1 or 3; -ERANGE @delay_us 0 or above
 * BCM2835_SYSTIMER_MAX_INTERVAL_US; -ENODEV the device was removed.
 */
int udrv_bcm2835_systimer_oneshot(struct udrv_bcm2835_systimer *t, unsigned int channel, uint32_t delay_us);

/**
 * udrv_bcm2835_systimer_periodic() - an interrupt on @channel every @period_us,
 * the first one @period_us from now, until udrv_bcm2835_systimer_stop().
 * Errors as udrv_bcm2835_systimer_oneshot().
 */
int udrv_bcm2835_systimer_periodic(struct udrv_bcm2835_systimer *t, unsigned int channel,
			      uint32_t period_us);

/**
 * udrv_bcm2835_systimer_stop() - stop @channel: mask its interrupt, park its
 * compare register one tick behind the counter (the next match 2^32 - 1 us
 * away: a channel cannot be switched off) and clear its match bit.
 * Errors: -EINVAL @channel not 1 or 3; -ENODEV.
 */
int udrv_bcm2835_systimer_stop(struct udrv_bcm2835_systimer *t, unsigned int channel);

/**
 * udrv_bcm2835_systimer_wait() - wait up to @timeout_ns (0: just check;
 * UINT64_MAX: forever) for @channel's match, and handle it as
 * udrv_bcm2835_systimer_handle() does. Interrupts without a match (stale ones)
 * are consumed and the wait goes on; waiting on a stopped channel times out.
 * Returns 1 with *@tick (may be NULL) filled, 0 on timeout, -EINVAL
 * @channel, -ENODEV the device was removed, -EINTR a signal, -errno.
 */
int udrv_bcm2835_systimer_wait(struct udrv_bcm2835_systimer *t, unsigned int channel, uint64_t timeout_ns,
			  struct udrv_bcm2835_systimer_tick *tick);

/**
 * udrv_bcm2835_systimer_handle() - for a caller whose own loop consumed the
 * channel's interrupt (udrv_loop with udrv_bcm2835_systimer_irq(), or poll on
 * udrv_bcm2835_systimer_fd() then udrv_irq_wait(irq, 0)): if the channel
 * matched, clear the match bit, re-arm a periodic channel (or stop a
 * one-shot), unmask, fill *@tick (may be NULL) and return 1; else return 0
 * (unmasking an active channel again). -EINVAL @channel, -ENODEV.
 */
int udrv_bcm2835_systimer_handle(struct udrv_bcm2835_systimer *t, unsigned int channel,
			    struct udrv_bcm2835_systimer_tick *tick);

/**
 * udrv_bcm2835_systimer_irq() - @channel's interrupt (NULL for a channel other
 * than 1 or 3), owned by @t and valid until udrv_bcm2835_systimer_close().
 */
struct udrv_irq *udrv_bcm2835_systimer_irq(const struct udrv_bcm2835_systimer *t, unsigned int channel);

/**
 * udrv_bcm2835_systimer_fd() - a pollable fd (POLLIN on @channel's interrupt).
 * Borrowed: valid until udrv_bcm2835_systimer_close(). -EINVAL @channel.
 */
int udrv_bcm2835_systimer_fd(const struct udrv_bcm2835_systimer *t, unsigned int channel);

/**
 * udrv_bcm2835_systimer_matches() - matches handled on @channel since it was
 * last started, and (if @skipped is not NULL) the periods skipped. 0 for a
 * bad @channel.
 */
uint64_t udrv_bcm2835_systimer_matches(const struct udrv_bcm2835_systimer *t, unsigned int channel,
				  uint64_t *skipped);

/**
 * udrv_bcm2835_systimer_device() - the udrv device behind @t, owned by @t (valid
 * until udrv_bcm2835_systimer_close()), e.g. for udrv_device_gpio_open().
 */
struct udrv_device *udrv_bcm2835_systimer_device(const struct udrv_bcm2835_systimer *t);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_BCM2835_SYSTIMER_H */
