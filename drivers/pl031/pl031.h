/* SPDX-License-Identifier: MIT */
/*
 * pl031.h - userspace driver for the ARM PrimeCell PL031 real time clock,
 * on libudrv (the device handed to userspace by the udrv_uio stub).
 *
 * The PL031 is a 32-bit seconds counter with one match register and one
 * level interrupt (RTCINTR). This driver reads and sets the counter and
 * uses the match as a one-shot alarm: armed absolute or relative, waited
 * for through the UIO interrupt with a timeout, cancelled. When the alarm
 * fires the driver clears it at the device (RTCICR) before unmasking the
 * line, so a level interrupt is seen exactly once.
 *
 * Conventions (as libudrv): functions return 0 (or a count) on success and
 * a negative errno on failure; a NULL object is a programming error
 * (assert). Failures that deserve a reason (a device absent or bound to
 * another driver, an alarm in the past) leave one in udrv_pl031_last_error().
 * One struct udrv_pl031 is used from one thread at a time.
 *
 * Removal: when the device is unbound from UIO the stub revokes its
 * register mappings (the next access is SIGBUS, as for any UIO driver).
 * The driver learns of it from the interrupt: udrv_pl031_alarm_wait()
 * returns -ENODEV (the reason in udrv_pl031_last_error()), also when the
 * removal comes while it waits. From then on every call returns -ENODEV
 * without touching a register (and without a new reason). Before that, the
 * calls that start with a register access fault; udrv_pl031_close() does
 * not: it asks the interrupt first, and after a removal only frees.
 */
#ifndef PL031_H
#define PL031_H

#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_pl031;

/** The DT compatible of the PL031 (ARM's binding, arm,pl031). */
#define PL031_COMPATIBLE	"arm,pl031"
/**
 * udrv_pl031_open() - open a PL031 handed to UIO (by the udrv_uio stub or the
 * kernel's uio_pdrv_genirq).
 * @name: NULL: the first device whose DT node lists PL031_COMPATIBLE in
 *        "compatible" or "udrv,compatible"; a string with a comma: that
 *        compatible; "/...": a DT path; else a UIO name ("rtc0", or a node
 *        whose compatible is only "generic-uio", found by its name).
 * @out:  receives the new object; owned by the caller, freed with
 *        udrv_pl031_close(). Untouched on failure.
 *
 * Checks the PrimeCell identification registers, starts the counter if it
 * is stopped, disables and clears the alarm and consumes any interrupt an
 * earlier user left pending.
 * Errors: -EINVAL @out NULL; -ENOENT no such device; -EBUSY the PL031 is
 * bound to another kernel driver (e.g. rtc-pl031; the reason names it);
 * -ENODEV the device is not a PL031 (wrong ID registers) or has no
 * interrupt; -errno from libudrv (udrv_last_error() has details).
 */
int udrv_pl031_open(const char *name, struct udrv_pl031 **out);

/**
 * udrv_pl031_close() - disable and clear the alarm, unmask the line (for the
 * next user), close the device and free @rtc; after a removal only the last
 * two. NULL is ignored.
 */
void udrv_pl031_close(struct udrv_pl031 *rtc);

/** udrv_pl031_device() - the underlying device, owned by @rtc (borrowed). */
struct udrv_device *udrv_pl031_device(const struct udrv_pl031 *rtc);

/**
 * udrv_pl031_irq_fd() - the alarm interrupt's fd, to poll for POLLIN in the
 * caller's own loop; then call udrv_pl031_alarm_wait(rtc, 0). Borrowed: valid
 * until udrv_pl031_close().
 */
int udrv_pl031_irq_fd(const struct udrv_pl031 *rtc);

/** udrv_pl031_time() - the counter (seconds since the epoch, by convention). 0. */
int udrv_pl031_time(struct udrv_pl031 *rtc, uint32_t *secs);

/**
 * udrv_pl031_set_time() - load the counter with @secs (RTCLR). An armed alarm
 * stays armed at its absolute time; if the clock is set past it, it does
 * not fire until the counter wraps (cancel and re-arm instead). 0.
 */
int udrv_pl031_set_time(struct udrv_pl031 *rtc, uint32_t secs);

/**
 * udrv_pl031_alarm_at() - arm the alarm for counter value @when, replacing any
 * armed one. The match fires when the counter reaches @when.
 * Errors: -EINVAL @when is not in the future (at or before the counter,
 * taken modulo 2^32 as the hardware does; reason in udrv_pl031_last_error()).
 */
int udrv_pl031_alarm_at(struct udrv_pl031 *rtc, uint32_t when);

/**
 * udrv_pl031_alarm_in() - arm the alarm @seconds from now (at least 1; the
 * counter has one-second resolution, so on hardware it fires between
 * @seconds - 1 and @seconds later; QEMU fires @seconds after the call).
 * Errors: -EINVAL @seconds is 0 (in the past/now) or above 2^31 - 1.
 */
int udrv_pl031_alarm_in(struct udrv_pl031 *rtc, uint32_t seconds);

/**
 * udrv_pl031_alarm_wait() - wait up to @timeout_ns (0: just check; UINT64_MAX:
 * forever) for the armed alarm. When it fires: clears it at the device,
 * disarms it, unmasks the line. Returns 1 if it fired, 0 on timeout (still
 * armed), -ENOENT if no alarm is armed, -ENODEV device removed, -EINTR,
 * -errno.
 */
int udrv_pl031_alarm_wait(struct udrv_pl031 *rtc, uint64_t timeout_ns);

/**
 * udrv_pl031_alarm_cancel() - disarm the alarm: masks it at the device, clears
 * it, discards an interrupt already delivered but not waited for. Returns
 * 0, or 1 if the alarm had already fired (and is now discarded); -ENODEV.
 */
int udrv_pl031_alarm_cancel(struct udrv_pl031 *rtc);

/** udrv_pl031_alarm_armed() - 1 if an alarm is armed, with its time in *@when (may be NULL); else 0. */
int udrv_pl031_alarm_armed(const struct udrv_pl031 *rtc, uint32_t *when);

/**
 * udrv_pl031_last_error() - the reason for the last failure with one in this
 * thread: libudrv's udrv_last_error(), where the driver records its own
 * (udrv_error()). A failure without one (a NULL argument) leaves an older
 * reason in place. Valid until the next call into the driver or libudrv.
 */
const char *udrv_pl031_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PL031_H */
