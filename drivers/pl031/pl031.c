// SPDX-License-Identifier: MIT
/*
 * pl031.c - ARM PrimeCell PL031 RTC driver on libudrv (see pl031.h).
 *
 * The alarm: RTCMR is compared with the counter; on a match RTCRIS bit 0 is
 * set and, if RTCIMSC bit 0 is set, RTCINTR goes high and stays high until
 * RTCICR is written (TRM 3.3.2, 3.3.5-3.3.8). The udrv_uio stub masks the
 * line when it fires; we clear the cause at the device and only then
 * unmask, so the level line gives one event per alarm.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pl031.h"
#include "pl031_regs.h"

struct udrv_pl031 {
	struct udrv_device *dev;
	struct udrv_region *regs;
	volatile void *r;
	struct udrv_irq *irq;
	int armed;
	uint32_t when;
	int gone;	/* removed: its registers are revoked, leave them alone */
};

const char *udrv_pl031_last_error(void)
{
	return udrv_last_error();
}

#define fail udrv_error

static uint32_t rd(const struct udrv_pl031 *rtc, size_t off)
{
	return udrv_read32(rtc->r, off);
}

static void wr(const struct udrv_pl031 *rtc, size_t off, uint32_t v)
{
	udrv_write32(rtc->r, off, v);
}

/*
 * The device is not a UIO device: find it on the AMBA or platform bus by
 * its compatible and say whose it is. Returns -EBUSY (another driver has
 * it), -ENODEV (no driver has it) or -ENOENT (no such device at all).
 */
static int explain_absent(const char *compatible)
{
	char searched[512];
	struct udrv_kdev kd;

	snprintf(searched, sizeof(searched), "%s", udrv_last_error());
	if (udrv_kdev_find(&(struct udrv_open_opts){ .compatible = compatible }, &kd))
		return fail(-ENOENT, "%s; no platform or AMBA device lists %s either (a node whose "
			    "compatible is only \"generic-uio\": give its UIO name or DT path)",
			    searched, compatible);
	if (!kd.driver[0])
		return fail(-ENODEV, "%s (%s) is bound to no driver: hand it to udrv_uio "
			    "(udrv bind %s)", kd.name, compatible, kd.name);
	return fail(-EBUSY, "%s (%s) is bound to the kernel driver %s, not to a UIO driver: "
		    "udrv bind --force %s hands it to udrv_uio", kd.name, compatible, kd.driver,
		    kd.name);
}

static int open_dev(const char *name, struct udrv_device **dev)
{
	int ret;

	if (!name || strchr(name, ',')) {
		const char *compat = name ? name : PL031_COMPATIBLE;

		ret = udrv_device_open_dt_compatible(compat, 0, dev);
		if (ret == -ENOENT)
			return explain_absent(compat);
	} else if (name[0] == '/') {
		ret = udrv_device_open_dt_path(name, dev);
		if (ret == -ENOENT)
			return fail(ret, "%s", udrv_last_error());
	} else {
		ret = udrv_device_open(name, dev);
		if (ret == -ENOENT)
			return fail(ret, "%s", udrv_last_error());
	}
	if (ret == -EBUSY)	/* libudrv's exclusive lock of /dev/uioN */
		return fail(ret, "%s is in use by another process (one user at a time: "
			    "is a `udrv-pl031 rtc` export of it running?)",
			    name ? name : PL031_COMPATIBLE);
	if (ret)
		return fail(ret, "cannot open the PL031: %s", udrv_last_error());
	return 0;
}

/* The PrimeCell ID registers (TRM 3.3.9, 3.3.10) say PL031? */
static int check_id(const struct udrv_pl031 *rtc)
{
	uint32_t id[8];
	uint32_t part, designer, cell;

	for (int i = 0; i < 8; i++)
		id[i] = rd(rtc, PL031_PERIPHID0 + 4 * (size_t)i) & 0xff;
	part = id[0] | (id[1] & 0xf) << 8;
	designer = id[1] >> 4 | (id[2] & 0xf) << 4;
	cell = id[4] | id[5] << 8 | id[6] << 16 | id[7] << 24;
	if (part != PL031_PART_NUMBER || designer != PL031_DESIGNER_ARM || cell != PL031_PCELLID)
		return fail(-ENODEV, "%s is not a PL031: part 0x%03x designer 0x%02x cell id 0x%08x",
			    udrv_device_name(rtc->dev), part, designer, cell);
	return 0;
}

/*
 * The interrupt calls are where removal (an unbind) shows: they return
 * -ENODEV (the reason in udrv_last_error()). The stub has revoked the
 * register mappings by then (an access is SIGBUS) and the device may be
 * another driver's: from then on every call returns -ENODEV without
 * touching a register (as libudrv's checked accessors).
 */
static int removed(struct udrv_pl031 *rtc, int ret)
{
	if (ret == -ENODEV)
		rtc->gone = 1;
	return ret;
}

/* Mask and clear the alarm at the device. */
static void quiet(struct udrv_pl031 *rtc)
{
	wr(rtc, PL031_RTCIMSC, 0);
	wr(rtc, PL031_RTCICR, PL031_INT_ALARM);
	rtc->armed = 0;
}

int udrv_pl031_open(const char *name, struct udrv_pl031 **out)
{
	struct udrv_pl031 *rtc;
	int ret;

	if (!out)
		return -EINVAL;
	rtc = calloc(1, sizeof(*rtc));
	if (!rtc)
		return -ENOMEM;
	ret = open_dev(name, &rtc->dev);
	if (ret)
		goto err_free;
	ret = udrv_device_region(rtc->dev, 0, PL031_REGS_SIZE, &rtc->regs);
	if (ret) {
		ret = fail(-ENODEV, "%s has no 4 KiB register region", udrv_device_name(rtc->dev));
		goto err_close;
	}
	rtc->r = udrv_region_base(rtc->regs);
	if ((ret = check_id(rtc)))
		goto err_close;
	ret = udrv_device_irq(rtc->dev, 0, &rtc->irq);
	if (ret) {
		ret = fail(-ENODEV, "%s has no interrupt", udrv_device_name(rtc->dev));
		goto err_close;
	}
	if (!(rd(rtc, PL031_RTCCR) & PL031_RTCCR_START))
		wr(rtc, PL031_RTCCR, PL031_RTCCR_START);
	quiet(rtc);
	ret = udrv_irq_flush(rtc->irq);
	if (ret < 0) {
		ret = fail(ret, "%s: cannot unmask its interrupt", udrv_device_name(rtc->dev));
		goto err_close;
	}
	*out = rtc;
	return 0;

err_close:
	udrv_device_close(rtc->dev);
err_free:
	free(rtc);
	return ret;
}

void udrv_pl031_close(struct udrv_pl031 *rtc)
{
	if (!rtc)
		return;
	/* Masking the line first finds a removal nobody noticed yet. */
	if (!rtc->gone && removed(rtc, udrv_irq_mask(rtc->irq)) != -ENODEV) {
		quiet(rtc);
		udrv_irq_flush(rtc->irq);
	}
	udrv_device_close(rtc->dev);
	free(rtc);
}

struct udrv_device *udrv_pl031_device(const struct udrv_pl031 *rtc)
{
	assert(rtc);
	return rtc->dev;
}

int udrv_pl031_irq_fd(const struct udrv_pl031 *rtc)
{
	assert(rtc);
	return udrv_irq_fd(rtc->irq);
}

int udrv_pl031_time(struct udrv_pl031 *rtc, uint32_t *secs)
{
	assert(rtc);
	if (!secs)
		return -EINVAL;
	if (rtc->gone)
		return -ENODEV;
	*secs = rd(rtc, PL031_RTCDR);
	return 0;
}

int udrv_pl031_set_time(struct udrv_pl031 *rtc, uint32_t secs)
{
	assert(rtc);
	if (rtc->gone)
		return -ENODEV;
	wr(rtc, PL031_RTCLR, secs);
	return 0;
}

int udrv_pl031_alarm_at(struct udrv_pl031 *rtc, uint32_t when)
{
	uint32_t now;
	int ret;

	assert(rtc);
	if (rtc->gone)
		return -ENODEV;
	now = rd(rtc, PL031_RTCDR);
	if ((int32_t)(when - now) <= 0)
		return fail(-EINVAL, "alarm at %u is not in the future (the clock reads %u)",
			    when, now);
	/* Disarm, drop any stale event, then: clear, match, unmask at the
	 * device. A match of the old value between the clear and the new
	 * RTCMR is caught in udrv_pl031_alarm_wait() by its time. */
	quiet(rtc);
	if ((ret = removed(rtc, udrv_irq_flush(rtc->irq))) < 0)
		return ret;
	wr(rtc, PL031_RTCMR, when);
	wr(rtc, PL031_RTCIMSC, PL031_INT_ALARM);
	rtc->armed = 1;
	rtc->when = when;
	/* The second may have ticked past @when while we armed: the match
	 * then never comes; say so rather than wait forever. */
	now = rd(rtc, PL031_RTCDR);
	if ((int32_t)(when - now) < 0 && !(rd(rtc, PL031_RTCRIS) & PL031_INT_ALARM)) {
		quiet(rtc);
		return fail(-EINVAL, "alarm at %u passed while it was armed (the clock reads %u)",
			    when, now);
	}
	return 0;
}

int udrv_pl031_alarm_in(struct udrv_pl031 *rtc, uint32_t seconds)
{
	assert(rtc);
	if (rtc->gone)
		return -ENODEV;
	if (seconds == 0)
		return fail(-EINVAL, "an alarm 0 s ahead is not in the future");
	if (seconds > INT32_MAX)
		return fail(-EINVAL, "an alarm %u s ahead is beyond the 32-bit counter's reach",
			    seconds);
	return udrv_pl031_alarm_at(rtc, rd(rtc, PL031_RTCDR) + seconds);
}

int udrv_pl031_alarm_wait(struct udrv_pl031 *rtc, uint64_t timeout_ns)
{
	uint64_t deadline;
	int ret;

	assert(rtc);
	if (rtc->gone)
		return -ENODEV;
	if (!rtc->armed)
		return -ENOENT;
	deadline = udrv_deadline_ns(timeout_ns);
	for (;;) {
		ret = removed(rtc, udrv_irq_wait_until(rtc->irq, deadline));
		if (ret <= 0)
			return ret;
		/* The line is masked by the stub. Ours if the match is raw
		 * pending and the counter has reached our time. */
		if ((rd(rtc, PL031_RTCMIS) & PL031_INT_ALARM) &&
		    (int32_t)(rd(rtc, PL031_RTCDR) - rtc->when) >= 0) {
			quiet(rtc);	/* cleared at the device ... */
			ret = removed(rtc, udrv_irq_unmask(rtc->irq));	/* ... before unmasking */
			return ret < 0 ? ret : 1;
		}
		/* Stale (a match of an earlier value): clear and go on. */
		wr(rtc, PL031_RTCICR, PL031_INT_ALARM);
		if ((ret = removed(rtc, udrv_irq_unmask(rtc->irq))) < 0)
			return ret;
		if (!udrv_left_ns(deadline))
			return 0;
	}
}

int udrv_pl031_alarm_cancel(struct udrv_pl031 *rtc)
{
	int fired;

	assert(rtc);
	if (rtc->gone)
		return -ENODEV;
	fired = rtc->armed && (rd(rtc, PL031_RTCRIS) & PL031_INT_ALARM) &&
		(int32_t)(rd(rtc, PL031_RTCDR) - rtc->when) >= 0;
	quiet(rtc);
	int ret = removed(rtc, udrv_irq_flush(rtc->irq));

	if (ret < 0)
		return ret;
	return fired;
}

int udrv_pl031_alarm_armed(const struct udrv_pl031 *rtc, uint32_t *when)
{
	assert(rtc);
	if (rtc->armed && when)
		*when = rtc->when;
	return rtc->armed;
}
