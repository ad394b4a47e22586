// SPDX-License-Identifier: MIT
/*
 * ttc.c - one counter of a Cadence TTC over udrv (see ttc.h).
 *
 * Interval mode: the counter runs 0..Interval on the prescaled clock and
 * raises Iv each time it restarts, so the period is (Interval + 1) << shift
 * input ticks, where shift = 0 (no prescaler) or PS_V + 1 (UG1085, TTC
 * "Prescaler"; QEMU hw/timer/cadence_ttc.c counts the same way). A one-shot
 * is the same with the counter stopped when its first interrupt is read.
 * The interrupt register is clear-on-read and the line is level: the driver
 * reads it before unmasking, so the stub never sees a stale cause.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ttc.h"
#include "ttc_regs.h"

enum ttc_mode { TTC_IDLE, TTC_PERIODIC, TTC_ONESHOT };

struct udrv_ttc {
	struct udrv_device *dev;
	struct udrv_region *reg;
	volatile void *r;
	struct udrv_irq *irq;
	unsigned int n;		/* counter 0..2 */
	uint32_t clk_hz;
	unsigned int width;	/* 16 or 32 */
	enum ttc_mode mode;
	double period_ns;	/* as programmed */
	double count_ns;	/* one count of the prescaled clock */
	uint64_t start_ns;	/* CLOCK_MONOTONIC when the counter started */
	uint64_t expired;	/* expiries accounted for since start */
};

/* Stop, disable and clear: afterwards the line is low. */
static void hw_stop(struct udrv_ttc *t)
{
	udrv_write32(t->r, TTC_CNT_CTRL(t->n), TTC_CNT_DIS | TTC_CNT_WAVE_DIS);
	udrv_write32(t->r, TTC_IER(t->n), 0);
	(void)udrv_read32(t->r, TTC_ISR(t->n));
	t->mode = TTC_IDLE;
}

/*
 * Outside a wait, the registers are touched only after masking the line,
 * which also says whether the device is still there: once it is unbound,
 * the stub has revoked the mapping (an access faults with SIGBUS) and the
 * interrupt calls return -ENODEV.
 */
static int hw_stop_masked(struct udrv_ttc *t)
{
	int ret = udrv_irq_mask(t->irq);

	if (!ret)
		hw_stop(t);
	return ret;
}

/*
 * The three counters of a TTC are independent, so the device is opened
 * shared and each handle claims its counter with an open-file-description
 * lock on byte n of the device's first node: two handles (in any process)
 * never drive one counter.
 */
static int claim_counter(struct udrv_ttc *t)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = t->n, .l_len = 1 };
	struct udrv_irq *irq0;
	int ret = udrv_device_irq(t->dev, 0, &irq0);

	if (ret)
		return ret;
	if (fcntl(udrv_irq_fd(irq0), F_OFD_SETLK, &fl))
		return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
	return 0;
}

int udrv_ttc_open(const char *name, unsigned int counter, uint32_t clk_hz, struct udrv_ttc **out)
{
	struct udrv_region *reg;
	struct udrv_ttc *t;
	uint32_t probe;
	uint64_t hz;
	int ret;

	if (!out || counter >= TTC_NUM_COUNTERS)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->n = counter;
	ret = udrv_device_open_with(&(struct udrv_open_opts){
		.name = name, .compatible = name ? NULL : "cdns,ttc", .shared = true }, &t->dev);
	if (ret || (ret = claim_counter(t)))
		goto fail;
	if ((ret = udrv_device_region(t->dev, 0, TTC_EVT(2) + 4, &reg)) ||
	    (ret = udrv_device_irq(t->dev, counter, &t->irq)))
		goto fail;
	/* 0: the DT's clock (its clocks phandle, else clock-frequency) */
	hz = clk_hz;
	if (!hz && (ret = udrv_device_clock_frequency(t->dev, 0, &hz)))
		goto fail;
	if (!hz || hz > UINT32_MAX) {
		ret = -EINVAL;
		goto fail;
	}
	t->clk_hz = (uint32_t)hz;
	t->reg = reg;
	t->r = udrv_region_base(reg);
	hw_stop(t);
	/* Which interval bits exist? (32 on ZynqMP silicon, 16 in QEMU.) */
	udrv_write32(t->r, TTC_INTERVAL(t->n), 0xFFFFFFFFu);
	probe = udrv_read32(t->r, TTC_INTERVAL(t->n));
	t->width = probe > 0xFFFFu ? 32 : 16;
	udrv_write32(t->r, TTC_INTERVAL(t->n), 0);
	*out = t;
	return 0;
fail:
	udrv_device_close(t->dev);
	free(t);
	return ret;
}

void udrv_ttc_close(struct udrv_ttc *t)
{
	if (!t)
		return;
	if (hw_stop_masked(t) != -ENODEV)
		udrv_irq_unmask(t->irq);	/* leave the line as the stub found it */
	udrv_device_close(t->dev);
	free(t);
}

uint32_t udrv_ttc_clock_hz(const struct udrv_ttc *t)
{
	assert(t);
	return t->clk_hz;
}

unsigned int udrv_ttc_width(const struct udrv_ttc *t)
{
	assert(t);
	return t->width;
}

uint64_t udrv_ttc_period_ns(const struct udrv_ttc *t)
{
	assert(t);
	return (uint64_t)llround(t->period_ns);
}

uint64_t udrv_ttc_expirations(const struct udrv_ttc *t)
{
	assert(t);
	return t->expired;
}

struct udrv_device *udrv_ttc_device(const struct udrv_ttc *t)
{
	assert(t);
	return t->dev;
}

int udrv_ttc_fd(const struct udrv_ttc *t)
{
	assert(t);
	return udrv_irq_fd(t->irq);
}

uint32_t udrv_ttc_count(const struct udrv_ttc *t)
{
	uint64_t v = 0;

	assert(t);
	/* checked: 0, not a fault, once the device is known to be gone */
	(void)udrv_region_read(t->reg, TTC_CNT_VAL(t->n), 32, &v);
	return (uint32_t)v;
}

/* Program a period of @ticks input clock ticks and start counting. */
static int start(struct udrv_ttc *t, double ticks, enum ttc_mode mode)
{
	uint64_t max = t->width == 32 ? 0x100000000ull : 0x10000ull;
	unsigned int shift;
	uint64_t counts = 0;
	uint32_t clk = 0;
	int ret;

	if (!(ticks >= 1.5))
		return -ERANGE;
	for (shift = 0; shift <= TTC_CLK_PS_V_MAX + 1; shift++) {
		counts = (uint64_t)llround(ticks / (double)(1u << shift));
		if (counts <= max)
			break;
	}
	if (shift > TTC_CLK_PS_V_MAX + 1 || counts < 2)
		return -ERANGE;
	if (shift)
		clk = TTC_CLK_PS_EN | (shift - 1) << TTC_CLK_PS_V_SHIFT;

	/* Drop interrupts the kernel counted before now, then unmask with the
	 * status already cleared by hw_stop(). */
	if ((ret = hw_stop_masked(t)) || (ret = udrv_irq_flush(t->irq)) < 0)
		return ret;
	udrv_write32(t->r, TTC_CLK_CTRL(t->n), clk);
	udrv_write32(t->r, TTC_INTERVAL(t->n), (uint32_t)(counts - 1));
	udrv_write32(t->r, TTC_IER(t->n), TTC_IXR_INTERVAL);
	t->period_ns = (double)(counts << shift) * 1e9 / t->clk_hz;
	t->count_ns = (double)(1u << shift) * 1e9 / t->clk_hz;
	t->expired = 0;
	t->mode = mode;
	t->start_ns = udrv_now_ns();
	udrv_write32(t->r, TTC_CNT_CTRL(t->n), TTC_CNT_INTERVAL | TTC_CNT_RST | TTC_CNT_WAVE_DIS);
	return 0;
}

int udrv_ttc_start_periodic(struct udrv_ttc *t, uint32_t hz)
{
	assert(t);
	if (!hz)
		return -EINVAL;
	return start(t, (double)t->clk_hz / hz, TTC_PERIODIC);
}

int udrv_ttc_start_oneshot(struct udrv_ttc *t, uint64_t delay_ns)
{
	assert(t);
	if (!delay_ns)
		return -EINVAL;
	return start(t, (double)delay_ns * t->clk_hz / 1e9, TTC_ONESHOT);
}

int udrv_ttc_stop(struct udrv_ttc *t)
{
	int ret;

	assert(t);
	if ((ret = hw_stop_masked(t)))
		return ret;
	return udrv_irq_unmask(t->irq);
}

int udrv_ttc_wait(struct udrv_ttc *t, uint64_t timeout_ns, struct udrv_ttc_event *ev)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);

	assert(t);
	for (;;) {
		uint64_t now, n = 1;
		bool last = !udrv_left_ns(deadline);
		uint32_t isr, cnt;
		int ret;

		ret = udrv_irq_wait_until(t->irq, deadline);
		if (ret <= 0)
			return ret;
		now = udrv_now_ns();
		/* counts since the interval wrapped: the hardware's own timestamp */
		cnt = udrv_read32(t->r, TTC_CNT_VAL(t->n));
		isr = udrv_read32(t->r, TTC_ISR(t->n));
		if (t->mode == TTC_ONESHOT && (isr & TTC_IXR_INTERVAL))
			hw_stop(t);
		if ((ret = udrv_irq_unmask(t->irq)))
			return ret;
		if (!(isr & TTC_IXR_INTERVAL)) {
			if (last)
				return 0;
			continue;
		}
		/* Ideal time of the first expiry not yet accounted for. */
		double ideal = (double)t->start_ns + (double)(t->expired + 1) * t->period_ns;
		double late = (double)now - ideal;

		/* A wakeup a whole period late read an Iv that stood for more
		 * than one expiry (the register only latches). */
		if (t->period_ns > 0 && late >= t->period_ns && t->mode != TTC_IDLE)
			n += (uint64_t)(late / t->period_ns);
		t->expired += n;
		if (ev) {
			ev->expirations = n;
			ev->when_ns = now;
			ev->lateness_ns = (int64_t)llround(late);
			/* the counter has wrapped once per expiry since the first */
			ev->hw_latency_ns = (uint64_t)llround(cnt * t->count_ns +
							      (double)(n - 1) * t->period_ns);
		}
		return (int)(n > INT32_MAX ? INT32_MAX : n);
	}
}
