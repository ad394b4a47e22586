/* SPDX-License-Identifier: MIT */
/*
 * rtc_cuse.h - serve the userspace PL031 driver as a Linux RTC character
 * device, /dev/NAME, through CUSE (character devices in userspace: the
 * kernel's cuse module and libfuse3), so that unmodified programs
 * (hwclock -f /dev/NAME, anything using <linux/rtc.h>) read and set the
 * clock and wait for its alarm.
 *
 * What a program sees is Linux's RTC character device (drivers/rtc/dev.c
 * and interface.c; include/uapi/linux/rtc.h), for an RTC with an alarm of
 * one-second resolution and a 32-bit seconds counter (0 .. 2^32 - 1,
 * 1970-01-01 .. 2106-02-07 UTC), as the kernel's rtc-pl031 serves it:
 *  - RTC_RD_TIME, RTC_SET_TIME; RTC_ALM_READ, RTC_ALM_SET (within the next
 *    24 hours; does not enable), RTC_WKALM_RD, RTC_WKALM_SET, RTC_AIE_ON,
 *    RTC_AIE_OFF; RTC_PARAM_GET of RTC_PARAM_FEATURES (the alarm only).
 *    A time that is not a valid date is -EINVAL, one outside the counter's
 *    range -ERANGE (rtc_valid_tm(), rtc_valid_range()). An alarm enabled
 *    at or before the clock's time fires at once, also when the clock is
 *    set past an enabled alarm. A fired alarm is disabled. An alarm enabled
 *    more than 2^31 - 1 s (68 years) ahead is -ERANGE: the match register
 *    compares modulo 2^32, as the driver does (udrv_pl031_alarm_at()).
 *  - read() of an unsigned int or unsigned long blocks until an alarm has
 *    fired and returns RTC_AF | RTC_IRQF | (alarms since the last read) << 8;
 *    -EAGAIN with O_NONBLOCK; poll() says POLLIN while an event is unread.
 *  - No update (UIE) or periodic (PIE) interrupts: RTC_UIE_ON is -EINVAL
 *    (as rtc-dev for an RTC without them, no UIE emulation), RTC_UIE_OFF and
 *    RTC_PIE_OFF succeed (nothing to turn off); RTC_PIE_ON, RTC_IRQP_READ,
 *    RTC_IRQP_SET and every other ioctl are -ENOTTY (the kernel emulates
 *    periodic interrupts with a timer for every RTC; this export does not).
 *  - One open at a time, as rtc-dev (a second open is -EBUSY); an alarm
 *    stays armed when the file is closed; open clears unread events.
 * It is not an RTC class device: it does not appear in /sys/class/rtc, and
 * the kernel does not set the system clock from it.
 *
 * One thread: the caller's serves both the CUSE requests (/dev/cuse) and
 * the PL031's interrupt (the UIO fd), with one poll().
 *
 * Conventions of pl031.h: 0 or -errno, the reason in
 * udrv_pl031_last_error(). Needs the cuse module (/dev/cuse) and the right
 * to open it (root).
 */
#ifndef UDRV_EXPORTS_RTC_CUSE_H
#define UDRV_EXPORTS_RTC_CUSE_H

#include "pl031.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The default device name: /dev/udrv-rtc0. */
#define UDRV_PL031_CUSE_NAME	"udrv-rtc0"

/** struct udrv_pl031_cuse_opts - how to serve; zero fields mean defaults. */
struct udrv_pl031_cuse_opts {
	const char *name;	/* the node's name under /dev (no '/');
				 * NULL: UDRV_PL031_CUSE_NAME */
	int stop_fd;		/* readable = stop (a signalfd, an eventfd...);
				 * borrowed, never read or closed; -1: none */
	/* called once /dev/NAME exists, with its path */
	void (*ready)(const char *node, void *data);
	void *data;
};

/**
 * udrv_pl031_cuse_serve() - create /dev/@opts->name through CUSE, serve it
 * until @opts->stop_fd becomes readable, then remove it (blocked readers
 * get -ENODEV) and return 0. @rtc is borrowed and must have no alarm armed
 * by the caller; on return an alarm a program set may still be armed
 * (udrv_pl031_close() disarms it).
 * Errors (every one also in udrv_pl031_last_error(), one line):
 * -EINVAL bad @opts (a name that is empty, too long or has a '/');
 * -EEXIST /dev/NAME exists already; -ENODEV no CUSE in this kernel
 * (/dev/cuse missing: the cuse module not loaded), or the PL031 was
 * removed while served; -EACCES /dev/cuse not allowed; -EPROTO the kernel
 * refused the device or ended the connection; -ENOMEM; -errno.
 */
int udrv_pl031_cuse_serve(struct udrv_pl031 *rtc, const struct udrv_pl031_cuse_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_EXPORTS_RTC_CUSE_H */
