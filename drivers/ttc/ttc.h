/* SPDX-License-Identifier: MIT */
/*
 * ttc.h - driver for one counter of a Cadence Triple Timer Counter
 * ("cdns,ttc", e.g. ZynqMP TTC0 at 0xFF110000) handed to userspace by the
 * udrv_uio stub: one-shot and periodic interval interrupts at a requested
 * rate, and the counter's value.
 *
 * The counter's input clock comes from the device tree ("clock-frequency"
 * on the timer node) unless the caller gives it. The stub hands the TTC over
 * with one interrupt per counter, and counter n uses the device's interrupt n.
 *
 * Conventions as libudrv (udrv.h): 0 or a count on success, -errno on
 * failure; a NULL object argument is a programming error (assert); nothing
 * is printed. A struct udrv_ttc is used from one thread at a time.
 */
#ifndef UDRV_TTC_H
#define UDRV_TTC_H

#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_ttc;

/** What one wakeup reports (see udrv_ttc_wait()). */
struct udrv_ttc_event {
	/* Expiries this wakeup accounts for: 1, or more when the wakeup came
	 * a whole period (or more) late and the hardware merged expiries. */
	uint64_t expirations;
	/* CLOCK_MONOTONIC time of the wakeup (after the interrupt was read). */
	uint64_t when_ns;
	/* when_ns minus the ideal time of the first expiry it accounts for:
	 * start + k * period. Normally >= 0 (interrupt latency). */
	int64_t lateness_ns;
	/* Time from the first expiry it accounts for to the wakeup, by the
	 * TTC's own counter (UG1085 ch. 14: the counter restarts from 0 at each
	 * interval expiry; its value is read first thing after the wakeup),
	 * plus a period for each further expiry merged into this wakeup: the
	 * interrupt latency as the hardware saw it. */
	uint64_t hw_latency_ns;
};

/**
 * udrv_ttc_open() - open counter @counter (0..2) of the TTC handed to userspace
 * under UIO name @name (NULL: the first whose DT node lists "cdns,ttc" in
 * "compatible" or "udrv,compatible", whatever UIO driver has it). @clk_hz is the
 * counter's input clock; 0 reads it from the node's "clock-frequency"
 * property. The counter is stopped and its interrupt disabled and cleared.
 * The caller owns *@out and frees it with udrv_ttc_close(). The device is opened
 * shared (udrv_open_opts.shared) and the
 * counter claimed, so handles on different counters of one TTC coexist, in
 * any processes.
 * Errors: -EINVAL @out NULL or @counter > 2; -EBUSY another handle holds
 * the counter, or the TTC is open exclusively elsewhere; -ENOENT no such
 * device, the device has no interrupt @counter, or (@clk_hz 0) no
 * "clock-frequency"; -ERANGE the register region is too small; -ENOMEM;
 * others from udrv_device_open().
 */
int udrv_ttc_open(const char *name, unsigned int counter, uint32_t clk_hz, struct udrv_ttc **out);

/**
 * udrv_ttc_close() - stop the counter, disable its interrupt, close; once the
 * device was removed (unbound), just close. NULL is ignored.
 */
void udrv_ttc_close(struct udrv_ttc *t);

/** udrv_ttc_clock_hz() - the counter's input clock in Hz. */
uint32_t udrv_ttc_clock_hz(const struct udrv_ttc *t);

/** udrv_ttc_width() - bits of the counter and interval registers (16 or 32), as probed at open. */
unsigned int udrv_ttc_width(const struct udrv_ttc *t);

/**
 * udrv_ttc_start_periodic() - interrupt @hz times a second until udrv_ttc_stop().
 * Picks the smallest prescaler whose interval fits the counter, so the
 * period is 1/@hz rounded to the nearest (prescaled) clock tick; read the
 * period programmed with udrv_ttc_period_ns(). Clears the interrupt status
 * (and any interrupt already counted by the kernel) before unmasking.
 * Errors: -EINVAL @hz 0; -ERANGE the rate cannot be reached (faster than
 * half the input clock, or slower than the counter and prescaler allow);
 * -ENODEV the device was removed.
 */
int udrv_ttc_start_periodic(struct udrv_ttc *t, uint32_t hz);

/**
 * udrv_ttc_start_oneshot() - interrupt once, @delay_ns from now; the counter
 * stops by itself when udrv_ttc_wait() sees the interrupt. Errors as
 * udrv_ttc_start_periodic() (-EINVAL for a zero @delay_ns).
 */
int udrv_ttc_start_oneshot(struct udrv_ttc *t, uint64_t delay_ns);

/** udrv_ttc_stop() - stop the counter and disable its interrupt. 0 or -ENODEV. */
int udrv_ttc_stop(struct udrv_ttc *t);

/** udrv_ttc_period_ns() - the period (or one-shot delay) programmed, in ns; 0 if never started. */
uint64_t udrv_ttc_period_ns(const struct udrv_ttc *t);

/**
 * udrv_ttc_wait() - wait up to @timeout_ns (0: just check; UINT64_MAX: forever)
 * for the counter's interval interrupt. On one, reads (and so clears) the
 * interrupt status, stops a one-shot counter, unmasks the line, and fills
 * *@ev (may be NULL). Interrupts without the interval cause are consumed
 * and the wait goes on. Waiting on a stopped counter simply times out.
 * Returns the number of expiries (>= 1), 0 on timeout, -ENODEV if the
 * device was removed, -EINTR on a signal, -errno.
 */
int udrv_ttc_wait(struct udrv_ttc *t, uint64_t timeout_ns, struct udrv_ttc_event *ev);

/**
 * udrv_ttc_fd() - a pollable fd (POLLIN on an interrupt) for the caller's own
 * loop; then call udrv_ttc_wait(t, 0, ev). Borrowed: valid until udrv_ttc_close().
 */
int udrv_ttc_fd(const struct udrv_ttc *t);

/**
 * udrv_ttc_count() - the counter's current value (ticks of the prescaled
 * clock); 0 once a call has returned -ENODEV (the device was removed).
 */
uint32_t udrv_ttc_count(const struct udrv_ttc *t);

/** udrv_ttc_expirations() - expiries accounted for since the last start. */
uint64_t udrv_ttc_expirations(const struct udrv_ttc *t);

/**
 * udrv_ttc_device() - the udrv device behind @t, owned by @t (valid until
 * udrv_ttc_close()), e.g. for udrv_irq_missed() on its interrupt.
 */
struct udrv_device *udrv_ttc_device(const struct udrv_ttc *t);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_TTC_H */
