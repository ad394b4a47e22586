// SPDX-License-Identifier: MIT
/*
 * bcm2835_systimer.c - the BCM2835 System Timer over udrv (see
 * bcm2835_systimer.h and, for the registers, bcm2835_systimer_regs.h).
 *
 * A channel matches once when the counter's low 32 bits reach its compare
 * register; the match bit and the (level) interrupt stay until written 1 to
 * CS. The stub masks the line when it fires; the driver clears the match
 * bit, writes the next compare value (periodic) and only then unmasks, so
 * the stub never sees a stale cause.
 *
 * A compare value is only useful if the counter has not passed it by the
 * time the write lands: set_compare() reads the counter back after the
 * write, and if it is not still ahead, waits until the counter is strictly
 * past the value and looks at the match bit (set: the match happened; clear:
 * it never will, until the counter wraps 2^32 us later).
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "bcm2835_systimer.h"
#include "bcm2835_systimer_regs.h"

enum st_mode { ST_IDLE, ST_ONESHOT, ST_PERIODIC };

struct st_channel {
	struct udrv_irq *irq;
	enum st_mode mode;
	uint32_t interval;	/* delay or period, us */
	uint64_t due;		/* counter value of the next match */
	uint64_t matches, skipped;
};

struct udrv_bcm2835_systimer {
	struct udrv_device *dev;
	volatile void *r;
	struct st_channel ch[ST_NUM_CHANNELS];	/* only 1 and 3 are used */
};

static struct st_channel *chan(struct udrv_bcm2835_systimer *t, unsigned int n)
{
	return n == 1 || n == 3 ? &t->ch[n] : NULL;
}

uint64_t udrv_bcm2835_systimer_counter(const struct udrv_bcm2835_systimer *t)
{
	uint32_t hi, lo, hi2;

	assert(t);
	hi = udrv_read32(t->r, ST_CHI);
	lo = udrv_read32(t->r, ST_CLO);
	hi2 = udrv_read32(t->r, ST_CHI);
	if (hi2 != hi)		/* CLO wrapped in between: read it again */
		lo = udrv_read32(t->r, ST_CLO);
	return (uint64_t)hi2 << 32 | lo;
}

/* Write channel @n's compare value; true if its match will happen (or
 * already has), false if the counter passed @due before the write landed. */
static bool set_compare(struct udrv_bcm2835_systimer *t, unsigned int n, uint64_t due)
{
	udrv_write32(t->r, ST_C(n), (uint32_t)due);
	if (udrv_bcm2835_systimer_counter(t) < due)
		return true;
	while (udrv_bcm2835_systimer_counter(t) <= due)
		;	/* at most 1 us: let the match (if any) happen */
	return udrv_read32(t->r, ST_CS) & ST_CS_MATCH(n);
}

/*
 * Mask, park the compare value, clear the match bit, forget the mode:
 * afterwards the line is low and stays low for 2^32 - 1 us (71 minutes).
 * The compare cannot be switched off, and a match while the line is masked
 * from userspace is not harmless: the kernel masks lazily, so such a match
 * still reaches it, and it is replayed as an interrupt at the next unmask
 * (the bcm2835 interrupt controller's lines are not marked level). Parking
 * the compare one tick behind the counter keeps matches away.
 */
static int hw_stop(struct udrv_bcm2835_systimer *t, unsigned int n)
{
	struct st_channel *c = &t->ch[n];
	int ret = udrv_irq_mask(c->irq);

	udrv_write32(t->r, ST_C(n), (uint32_t)(udrv_bcm2835_systimer_counter(t) - 1));
	udrv_write32(t->r, ST_CS, ST_CS_MATCH(n));
	c->mode = ST_IDLE;
	return ret;
}

int udrv_bcm2835_systimer_open(const char *name, struct udrv_bcm2835_systimer **out)
{
	struct udrv_region *reg;
	struct udrv_bcm2835_systimer *t;
	int ret;

	if (!out)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (name)
		ret = udrv_device_open(name, &t->dev);
	else
		ret = udrv_device_open_dt_compatible(BCM2835_SYSTIMER_COMPATIBLE, 0, &t->dev);
	if (ret)
		goto fail;
	if (udrv_device_is_compatible(t->dev, BCM2835_SYSTIMER_COMPATIBLE) != 1) {
		ret = -ENODEV;
		goto fail;
	}
	if (udrv_device_num_irqs(t->dev) < ST_NUM_CHANNELS) {
		ret = -ENOENT;
		goto fail;
	}
	if ((ret = udrv_device_region(t->dev, 0, ST_REGS_SIZE, &reg)))
		goto fail;
	t->r = udrv_region_base(reg);
	for (unsigned int n = 1; n < ST_NUM_CHANNELS; n += 2) {
		if ((ret = udrv_device_irq(t->dev, n, &t->ch[n].irq)) || (ret = hw_stop(t, n)))
			goto fail;
	}
	*out = t;
	return 0;
fail:
	udrv_device_close(t->dev);
	free(t);
	return ret;
}

void udrv_bcm2835_systimer_close(struct udrv_bcm2835_systimer *t)
{
	if (!t)
		return;
	hw_stop(t, 1);
	hw_stop(t, 3);
	udrv_device_close(t->dev);
	free(t);
}

static int start(struct udrv_bcm2835_systimer *t, unsigned int n, uint32_t us, enum st_mode mode)
{
	struct st_channel *c;
	uint64_t due, margin = 1;
	int ret;

	assert(t);
	if (!(c = chan(t, n)))
		return -EINVAL;
	if (!us || us > BCM2835_SYSTIMER_MAX_INTERVAL_US)
		return -ERANGE;
	if ((ret = hw_stop(t, n)))
		return ret;
	if ((ret = udrv_irq_flush(c->irq)) < 0)	/* drop those counted before the stop */
		return ret;
	due = udrv_bcm2835_systimer_counter(t) + us;
	while (!set_compare(t, n, due)) {
		/* too short for this machine: a little later, then later still */
		due = udrv_bcm2835_systimer_counter(t) + margin;
		if (margin < BCM2835_SYSTIMER_MAX_INTERVAL_US / 2)
			margin *= 2;
	}
	c->mode = mode;
	c->interval = us;
	c->due = due;
	c->matches = c->skipped = 0;
	return 0;
}

int udrv_bcm2835_systimer_oneshot(struct udrv_bcm2835_systimer *t, unsigned int channel, uint32_t delay_us)
{
	return start(t, channel, delay_us, ST_ONESHOT);
}

int udrv_bcm2835_systimer_periodic(struct udrv_bcm2835_systimer *t, unsigned int channel,
			      uint32_t period_us)
{
	return start(t, channel, period_us, ST_PERIODIC);
}

int udrv_bcm2835_systimer_stop(struct udrv_bcm2835_systimer *t, unsigned int channel)
{
	assert(t);
	if (!chan(t, channel))
		return -EINVAL;
	return hw_stop(t, channel);
}

int udrv_bcm2835_systimer_handle(struct udrv_bcm2835_systimer *t, unsigned int channel,
			    struct udrv_bcm2835_systimer_tick *tick)
{
	struct st_channel *c;
	uint32_t skipped = 0;
	uint64_t now, due;

	assert(t);
	if (!(c = chan(t, channel)))
		return -EINVAL;
	if (c->mode == ST_IDLE) {	/* a stray match: clear it, stay masked */
		udrv_write32(t->r, ST_CS, ST_CS_MATCH(channel));
		return 0;
	}
	if (!(udrv_read32(t->r, ST_CS) & ST_CS_MATCH(channel)))
		return udrv_irq_unmask(c->irq);		/* stale: wait on */
	udrv_write32(t->r, ST_CS, ST_CS_MATCH(channel));
	now = udrv_bcm2835_systimer_counter(t);
	due = c->due;
	c->matches++;
	if (c->mode == ST_PERIODIC) {
		uint64_t next = due + c->interval;

		if (now >= next) {	/* whole periods passed already */
			uint64_t k = (now - next) / c->interval + 1;

			next += k * c->interval;
			skipped += (uint32_t)k;
		}
		while (!set_compare(t, channel, next)) {
			next += c->interval;
			skipped++;
		}
		c->due = next;
		c->skipped += skipped;
	} else {
		c->mode = ST_IDLE;	/* stays masked until the next start */
	}
	if (tick) {
		tick->channel = channel;
		tick->due = due;
		tick->now = now;
		tick->skipped = skipped;
	}
	if (c->mode == ST_PERIODIC) {
		int ret = udrv_irq_unmask(c->irq);

		if (ret)
			return ret;
	}
	return 1;
}

int udrv_bcm2835_systimer_wait(struct udrv_bcm2835_systimer *t, unsigned int channel, uint64_t timeout_ns,
			  struct udrv_bcm2835_systimer_tick *tick)
{
	struct st_channel *c;
	uint64_t deadline = udrv_deadline_ns(timeout_ns);
	int ret;

	assert(t);
	if (!(c = chan(t, channel)))
		return -EINVAL;
	for (;;) {
		bool last = !udrv_left_ns(deadline);

		ret = udrv_irq_wait_until(c->irq, deadline);
		if (ret <= 0)
			return ret;
		ret = udrv_bcm2835_systimer_handle(t, channel, tick);
		if (ret)
			return ret;
		if (last)
			return 0;
	}
}

struct udrv_irq *udrv_bcm2835_systimer_irq(const struct udrv_bcm2835_systimer *t, unsigned int channel)
{
	assert(t);
	return channel == 1 || channel == 3 ? t->ch[channel].irq : NULL;
}

int udrv_bcm2835_systimer_fd(const struct udrv_bcm2835_systimer *t, unsigned int channel)
{
	assert(t);
	if (channel != 1 && channel != 3)
		return -EINVAL;
	return udrv_irq_fd(t->ch[channel].irq);
}

uint64_t udrv_bcm2835_systimer_matches(const struct udrv_bcm2835_systimer *t, unsigned int channel,
				  uint64_t *skipped)
{
	assert(t);
	if (channel != 1 && channel != 3)
		return 0;
	if (skipped)
		*skipped = t->ch[channel].skipped;
	return t->ch[channel].matches;
}

struct udrv_device *udrv_bcm2835_systimer_device(const struct udrv_bcm2835_systimer *t)
{
	assert(t);
	return t->dev;
}
