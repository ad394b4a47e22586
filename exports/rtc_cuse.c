// SPDX-License-Identifier: MIT
/*
 * rtc_cuse.c - the PL031 as a Linux RTC character device through CUSE (see
 * rtc_cuse.h).
 *
 * One thread, one poll() over three fds: /dev/cuse (the kernel's requests
 * for /dev/NAME: open, ioctl, read, poll, release, interrupt), the PL031's
 * UIO interrupt (udrv_pl031_irq_fd()) and the caller's stop fd. No request
 * ever blocks the thread: a read() with no event is kept (its fuse_req_t)
 * and answered when the alarm's interrupt comes, or with -EINTR when the
 * reader is interrupted by a signal (FUSE_INTERRUPT).
 *
 * The alarm follows the kernel's RTC core (drivers/rtc/interface.c): the
 * alarm time and its enable bit are ours (aie_timer there); enabling it
 * arms the PL031's match register (RTCMR, TRM 3.3.2) through the driver,
 * and an alarm already due fires at once in software. The driver's alarm
 * is a one-shot that clears itself at the device when its interrupt is
 * taken (pl031.c).
 *
 * ioctls: CUSE passes them unrestricted (CUSE_UNRESTRICTED_IOCTL): the
 * first call comes with no data; we answer fuse_reply_ioctl_retry() with
 * the caller's buffer and its size, and the kernel calls again with the
 * data copied in and room for ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/rtc.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cuse_export.h"
#include "rtc_cuse.h"

#define fail udrv_error

/* The PL031's range: its 32-bit counter (rtc-pl031's range_max, U32_MAX). */
#define RANGE_MAX	UINT32_MAX

/* A read() waiting for an alarm. */
struct reader {
	fuse_req_t req;
	size_t size;
	struct reader *next;
};

struct server {
	struct udrv_pl031 *rtc;
	struct cuse_export x;		/* the session, /dev/NAME */
	int opened;			/* rtc-dev's RTC_DEV_BUSY: one open at a time */
	unsigned long irq_data;		/* RTC_AF | RTC_IRQF | count << 8; 0: no event */
	int64_t alarm;			/* the alarm time, seconds; 0 until set */
	int alarm_on;			/* enabled (the kernel's aie_timer.enabled) */
	struct reader *readers;		/* blocked read()s, oldest first */
	struct fuse_pollhandle *ph;	/* the latest poll() to notify */
	int err;			/* fatal: the PL031 went away (-ENODEV) */
};

/* ---- struct rtc_time <-> seconds (UTC), as rtc_tm_to_time64() and
 * rtc_time64_to_tm(); our own arithmetic: a 32-bit time_t (armhf) ends in
 * 2038, the PL031's counter in 2106. */

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(unsigned int mon, int64_t year)
{
	static const unsigned char d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return d[mon] + (mon == 1 && leap(year));
}

/* Days from 1970-01-01 to @y-@m-@d (m 1..12), proleptic Gregorian. */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Linux's rtc_valid_tm(): -EINVAL unless @t is a date and time. */
static int tm_valid(const struct rtc_time *t)
{
	if (t->tm_year < 70 || t->tm_year > INT_MAX - 1900 || (unsigned int)t->tm_mon >= 12 ||
	    t->tm_mday < 1 || t->tm_mday > month_days((unsigned int)t->tm_mon, (int64_t)t->tm_year + 1900) ||
	    (unsigned int)t->tm_hour >= 24 || (unsigned int)t->tm_min >= 60 ||
	    (unsigned int)t->tm_sec >= 60)
		return -EINVAL;
	return 0;
}

static int64_t tm_to_secs(const struct rtc_time *t)
{
	return days_from_civil((int64_t)t->tm_year + 1900, (unsigned int)t->tm_mon + 1,
			       (unsigned int)t->tm_mday) * 86400 +
	       t->tm_hour * 3600 + t->tm_min * 60 + t->tm_sec;
}

static void secs_to_tm(int64_t secs, struct rtc_time *t)
{
	int64_t days = secs / 86400, y = 1970;
	int rem = (int)(secs % 86400), mon = 0;

	memset(t, 0, sizeof(*t));	/* tm_isdst 0, as the kernel's */
	t->tm_wday = (int)((days + 4) % 7);	/* 1970-01-01 was a Thursday */
	t->tm_hour = rem / 3600;
	t->tm_min = rem / 60 % 60;
	t->tm_sec = rem % 60;
	while (days >= 365 + leap(y))
		days -= 365 + leap(y++);
	t->tm_year = (int)(y - 1900);
	t->tm_yday = (int)days;
	while (days >= month_days((unsigned int)mon, y))
		days -= month_days((unsigned int)mon++, y);
	t->tm_mon = mon;
	t->tm_mday = (int)days + 1;
}

/* ---- the alarm ---- */

static int64_t now(struct server *s)
{
	uint32_t t = 0;

	udrv_pl031_time(s->rtc, &t);
	return t;
}

/* Answer the oldest waiting reader with the event. */
static void reply_event(fuse_req_t req, size_t size, unsigned long data)
{
	if (size == sizeof(unsigned int)) {
		unsigned int v = (unsigned int)data;

		fuse_reply_buf(req, (const char *)&v, sizeof(v));
	} else {
		fuse_reply_buf(req, (const char *)&data, sizeof(data));
	}
}

/* An event is there: give it to a waiting reader, wake a poller. */
static void deliver(struct server *s)
{
	if (!s->irq_data)
		return;
	if (s->readers) {
		struct reader *r = s->readers;

		s->readers = r->next;
		reply_event(r->req, r->size, s->irq_data);
		s->irq_data = 0;
		free(r);
	}
	if (s->ph && s->irq_data) {
		fuse_lowlevel_notify_poll(s->ph);
		fuse_pollhandle_destroy(s->ph);
		s->ph = NULL;
	}
}

/* The alarm fired (rtc_handle_legacy_irq(rtc, 1, RTC_AF)): it is disabled. */
static void fire(struct server *s)
{
	s->alarm_on = 0;
	s->irq_data = (s->irq_data + (1ul << 8)) | RTC_IRQF | RTC_AF;
	deliver(s);
}

/* Disarm the device's alarm; one that fired unseen is delivered. */
static int disarm(struct server *s)
{
	int ret = udrv_pl031_alarm_cancel(s->rtc);

	if (ret < 0)
		return s->err = ret;
	if (ret == 1 && s->alarm_on)
		fire(s);
	s->alarm_on = 0;
	return 0;
}

/* Enable the alarm at s->alarm: arm the device, or fire now if it is due. */
static int enable(struct server *s)
{
	int64_t t = now(s);
	int ret;

	s->alarm_on = 1;
	if (s->alarm <= t) {
		fire(s);
		return 0;
	}
	if (s->alarm - t > INT32_MAX) {
		/* The driver takes the counter modulo 2^32, as the match does:
		 * it cannot tell an alarm 68 years ahead from one in the past. */
		s->alarm_on = 0;
		return -ERANGE;
	}
	ret = udrv_pl031_alarm_at(s->rtc, (uint32_t)s->alarm);
	if (ret == -EINVAL)	/* the second turned to it while arming */
		fire(s);
	else if (ret < 0)
		return s->err = ret;
	return 0;
}

/* The interrupt fd is readable. */
static int interrupt(struct server *s)
{
	int ret = udrv_pl031_alarm_wait(s->rtc, 0);

	if (ret == 1) {
		fire(s);
		return 0;
	}
	if (ret == -ENOENT)	/* no alarm armed: a stale interrupt, drop it */
		ret = udrv_pl031_alarm_cancel(s->rtc);
	if (ret < 0)
		return s->err = ret;
	return 0;
}

/* ---- the character device ---- */

static void rtc_open(fuse_req_t req, struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);

	if (s->opened) {
		fuse_reply_err(req, EBUSY);
		return;
	}
	s->opened = 1;
	s->irq_data = 0;
	fi->nonseekable = 1;
	fuse_reply_open(req, fi);
}

static void rtc_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);

	(void)fi;
	s->opened = 0;
	if (s->ph) {
		fuse_pollhandle_destroy(s->ph);
		s->ph = NULL;
	}
	fuse_reply_err(req, 0);
}

/* FUSE_INTERRUPT for a waiting read(): a signal reached the reader. */
static void read_interrupted(fuse_req_t req, void *data)
{
	struct server *s = data;

	for (struct reader **p = &s->readers; *p; p = &(*p)->next) {
		if ((*p)->req == req) {
			struct reader *r = *p;

			*p = r->next;
			free(r);
			fuse_reply_err(req, EINTR);
			return;
		}
	}
}

static void rtc_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);
	struct reader *r, **p;

	(void)off;
	if (size != sizeof(unsigned int) && size < sizeof(unsigned long)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (s->irq_data) {
		reply_event(req, size, s->irq_data);
		s->irq_data = 0;
		return;
	}
	if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
		return;
	}
	/* Interrupted before we saw it (the kernel's INTERRUPT came first):
	 * answer now; registering would call read_interrupted() at once,
	 * inside libfuse's lock of the request it frees. */
	if (fuse_req_interrupted(req)) {
		fuse_reply_err(req, EINTR);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r->req = req;
	r->size = size;
	for (p = &s->readers; *p; p = &(*p)->next)
		;
	*p = r;
	fuse_req_interrupt_func(req, read_interrupted, s);
}

static void rtc_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct server *s = fuse_req_userdata(req);

	(void)fi;
	if (ph) {
		if (s->ph)
			fuse_pollhandle_destroy(s->ph);
		s->ph = ph;
	}
	fuse_reply_poll(req, s->irq_data ? POLLIN | POLLRDNORM : 0);
}

/* RTC_ALM_SET: a time of day within the next 24 hours (rtc-dev's rule:
 * today's date, or tomorrow's if that time has passed). Not enabled. */
static int alm_set(struct server *s, const struct rtc_time *in)
{
	struct rtc_time t = *in, today;
	int64_t n = now(s), then;
	int ret;

	secs_to_tm(n, &today);
	t.tm_mday = today.tm_mday;
	t.tm_mon = today.tm_mon;
	t.tm_year = today.tm_year;
	if ((ret = tm_valid(&t)))
		return ret;
	then = tm_to_secs(&t);
	if (then < n)
		then += 86400;	/* same time of day, tomorrow */
	if (then > RANGE_MAX)
		return -ERANGE;
	if ((ret = disarm(s)))
		return ret;
	s->alarm = then;
	return 0;
}

/* RTC_WKALM_SET (rtc_set_alarm()): time and enable in one call. */
static int wkalm_set(struct server *s, const struct rtc_wkalrm *w)
{
	int64_t then;
	int ret;

	if ((ret = tm_valid(&w->time)))
		return ret;
	then = tm_to_secs(&w->time);
	if (then > RANGE_MAX)
		return -ERANGE;
	if ((ret = disarm(s)))
		return ret;
	s->alarm = then;
	return w->enabled ? enable(s) : 0;
}

/* RTC_SET_TIME (rtc_set_time()): an enabled alarm the new time has passed
 * fires now, as the kernel's timer queue would. */
static int set_time(struct server *s, const struct rtc_time *t)
{
	int64_t secs;
	int ret;

	if ((ret = tm_valid(t)))
		return ret;
	secs = tm_to_secs(t);
	if (secs > RANGE_MAX)
		return -ERANGE;
	if ((ret = udrv_pl031_set_time(s->rtc, (uint32_t)secs)))
		return s->err = ret;
	if (s->alarm_on && s->alarm <= secs) {
		if ((ret = disarm(s)))
			return ret;
		fire(s);
	}
	return 0;
}

static void rtc_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi,
		      unsigned int flags, const void *in, size_t in_size, size_t out_size)
{
	struct server *s = fuse_req_userdata(req);
	size_t need_in = 0, need_out = 0;
	union {
		struct rtc_time tm;
		struct rtc_wkalrm wk;
		struct rtc_param param;
	} u;
	int ret = 0;

	(void)fi;
	(void)flags;
	memset(&u, 0, sizeof(u));
	switch ((unsigned int)cmd) {
	case RTC_RD_TIME:
	case RTC_ALM_READ:
		need_out = sizeof(struct rtc_time);
		break;
	case RTC_SET_TIME:
	case RTC_ALM_SET:
		need_in = sizeof(struct rtc_time);
		break;
	case RTC_WKALM_RD:
		need_out = sizeof(struct rtc_wkalrm);
		break;
	case RTC_WKALM_SET:
		need_in = sizeof(struct rtc_wkalrm);
		break;
	case RTC_PARAM_GET:
		need_in = need_out = sizeof(struct rtc_param);
		break;
	case RTC_PARAM_SET:
		need_in = sizeof(struct rtc_param);
		break;
	}
	if (in_size < need_in || out_size < need_out) {
		struct iovec iv = { arg, need_in }, ov = { arg, need_out };

		fuse_reply_ioctl_retry(req, need_in ? &iv : NULL, need_in ? 1 : 0,
				       need_out ? &ov : NULL, need_out ? 1 : 0);
		return;
	}
	if (need_in)
		memcpy(&u, in, need_in);
	switch ((unsigned int)cmd) {
	case RTC_RD_TIME:
		secs_to_tm(now(s), &u.tm);
		break;
	case RTC_SET_TIME:
		ret = set_time(s, &u.tm);
		break;
	case RTC_ALM_READ:
		secs_to_tm(s->alarm, &u.tm);
		break;
	case RTC_ALM_SET:
		ret = alm_set(s, &u.tm);
		break;
	case RTC_WKALM_RD:	/* rtc_read_alarm(): pending is never set */
		u.wk.enabled = (unsigned char)s->alarm_on;
		secs_to_tm(s->alarm, &u.wk.time);
		break;
	case RTC_WKALM_SET:
		ret = wkalm_set(s, &u.wk);
		break;
	case RTC_AIE_ON:
		if (!s->alarm_on)
			ret = enable(s);
		break;
	case RTC_AIE_OFF:
		if (s->alarm_on)
			ret = disarm(s);
		break;
	case RTC_UIE_ON:	/* no update interrupt (RTC_FEATURE_UPDATE_INTERRUPT) */
		ret = -EINVAL;
		break;
	case RTC_UIE_OFF:	/* nothing to turn off */
	case RTC_PIE_OFF:
		break;
	case RTC_PARAM_GET:
		if (u.param.param == RTC_PARAM_FEATURES && u.param.index == 0)
			u.param.uvalue = 1ull << RTC_FEATURE_ALARM;
		else
			ret = -EINVAL;	/* no offset correction, no backup switch */
		break;
	case RTC_PARAM_SET:
		ret = -EINVAL;
		break;
	default:	/* PIE_ON, IRQP_*, EPOCH_*, VL_*: rtc-dev's ENOTTY */
		ret = -ENOTTY;
		break;
	}
	cuse_export_reply_ioctl(req, ret, &u, need_out);
}

static void rtc_init_done(void *userdata)
{
	struct server *s = userdata;

	cuse_export_ready(&s->x);
}

static const struct cuse_lowlevel_ops rtc_ops = {
	.init_done = rtc_init_done,
	.open = rtc_open,
	.read = rtc_read,
	.release = rtc_release,
	.ioctl = rtc_ioctl,
	.poll = rtc_poll,
};

/* ---- the loop ---- */

static void irq_events(void *data, struct pollfd *p)
{
	struct server *s = data;

	p->fd = udrv_pl031_irq_fd(s->rtc);
	p->events = POLLIN;
}

static int irq_step(void *data, short revents)
{
	struct server *s = data;

	if (revents)
		interrupt(s);
	return s->err;
}

int udrv_pl031_cuse_serve(struct udrv_pl031 *rtc, const struct udrv_pl031_cuse_opts *opts)
{
	static const struct udrv_pl031_cuse_opts defaults = { .stop_fd = -1 };
	const struct udrv_pl031_cuse_opts *o = opts ? opts : &defaults;
	const char *name = o->name ? o->name : UDRV_PL031_CUSE_NAME;
	struct server s = { .rtc = rtc };
	const struct cuse_export_dev dev = { .events = irq_events, .step = irq_step, .data = &s };
	int ret;

	if (!rtc)
		return -EINVAL;
	if ((ret = cuse_export_open(&s.x, "udrv-pl031", name, CUSE_UNRESTRICTED_IOCTL, &rtc_ops, &s,
				    o->ready, o->data)))
		return ret;
	ret = cuse_export_loop(&s.x, o->stop_fd, &dev);
	if (s.err)
		ret = fail(s.err, "the PL031 %s: %s", s.err == -ENODEV ? "was removed" : "failed",
			   udrv_pl031_last_error());
	/* Going away: blocked readers get -ENODEV, pollers are woken by the
	 * kernel when the connection ends. */
	while (s.readers) {
		struct reader *r = s.readers;

		s.readers = r->next;
		fuse_reply_err(r->req, ENODEV);
		free(r);
	}
	if (s.ph)
		fuse_pollhandle_destroy(s.ph);
	cuse_export_close(&s.x);
	return ret;
}
