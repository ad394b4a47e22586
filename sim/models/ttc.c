// SPDX-License-Identifier: MIT
/*
 * ttc.c - a model of the Cadence Triple Timer Counter on libudrv-sim
 * (udrv_sim_ttc.h).
 *
 * Sources: Zynq UltraScale+ TRM (UG1085), chapter "Timers and Counters",
 * "Triple-timer Counter"; register reference UG1087, module TTC; QEMU's
 * hw/timer/cadence_ttc.c, which the guest tests run against. The register
 * map and its bits are written out here from those, not taken from the
 * driver's ttc_regs.h, so that a mistake there shows.
 *
 * How time is kept: a running counter remembers where it was (base_val)
 * and when (base_ns); its value is computed from real time at each access,
 * from the input clock divided by the prescaler. The causes that happened
 * since the last look are latched lazily (sync()), and one udrv_sim_after()
 * timer per counter is set for the next event that would raise the line,
 * so a waiting driver is woken at the event's time. While the line is up no
 * timer runs: the status latches, and an access computes what it missed.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "udrv_sim_ttc.h"

/* UG1087, module TTC: counter n's copy of a register is at off + 4 * n. */
#define CLK_CTRL	0x00	/* Clock_Control_1..3, bits 6:0, reset 0 */
#define  CLK_PS_EN	0x01	/* prescale: divide by 2^(PS_V + 1) */
#define  CLK_MASK	0x7f	/* PS_EN, PS_V 4:1, C_Src 5, Ex_E 6 */
#define CNT_CTRL	0x0c	/* Counter_Control_1..3, bits 6:0, reset 0x21 */
#define  CNT_DIS	0x01	/* counter stopped, its value held */
#define  CNT_INT	0x02	/* interval mode: count 0..Interval, else 0..2^w - 1 */
#define  CNT_DEC	0x04	/* count down */
#define  CNT_MATCH	0x08	/* the match registers raise M1..M3 */
#define  CNT_RST	0x10	/* "resets the counter value and restarts
				 * counting; automatically cleared" */
#define  CNT_MASK	0x7f	/* with Wave_en 5 (active low), Wave_pol 6 */
#define  CNT_RESET	0x21	/* DIS | Wave_en (disabled) */
#define CNT_VAL		0x18	/* Counter_Value_1..3, read only */
#define INTERVAL	0x24	/* Interval_Counter_1..3 */
#define MATCH(i)	(0x30 + 0x0c * (i))	/* Match_1..3_Counter_1..3 */
#define ISR		0x54	/* Interrupt_Register_1..3: clear on read */
#define IER		0x60	/* Interrupt_Enable_1..3 */
#define  IXR_IV		0x01	/* interval reached (interval mode) */
#define  IXR_M(i)	(0x02 << (i))	/* count == Match_i (match mode) */
#define  IXR_OV		0x10	/* counter overflow (overflow mode) */
#define  IXR_MASK	0x3f	/* with Ev 5, the event timer's overflow */
#define EVT_CTRL	0x6c	/* Event_Control_Timer_1..3, bits 2:0 */
#define EVT		0x78	/* Event_Register_1..3: not modelled, reads 0 */
#define REGS_END	0x84	/* past the last register; the rest reads 0 */

#define NS		1000000000ull

struct counter {
	struct ttc *ttc;
	unsigned int n;
	uint32_t clk, ctrl, interval, match[3], isr, ier, evt_ctrl;
	uint32_t base_val;	/* the value at base_ns */
	uint64_t base_ns;	/* last (re)start or reprogramming */
	uint64_t seen;		/* ticks since base_ns already looked at */
	bool line;
	int timer;		/* udrv_sim_after() id, 0: none */
};

struct ttc {
	const void *magic;
	struct udrv_sim_device *dev;
	uint32_t clock_hz;
	uint32_t mask;		/* 0xffff or 0xffffffff: the counter's width */
	struct counter c[3];
};

static const char ttc_magic = 't';

static bool running(const struct counter *c)
{
	return !(c->ctrl & CNT_DIS);
}

/* Clock_Control: no prescaler, or 2^(PS_V + 1). */
static unsigned int shift(const struct counter *c)
{
	return c->clk & CLK_PS_EN ? ((c->clk >> 1) & 0xf) + 1 : 0;
}

/* Values the counter takes before it restarts: Interval + 1 or 2^width. */
static uint64_t cycle(const struct counter *c)
{
	return c->ctrl & CNT_INT ? (uint64_t)c->interval + 1 : (uint64_t)c->ttc->mask + 1;
}

/* Prescaled ticks from base_ns to @now, exact in 64 bits. */
static uint64_t ticks(const struct counter *c, uint64_t now)
{
	uint64_t el = now > c->base_ns ? now - c->base_ns : 0, hz = c->ttc->clock_hz;

	return ((el / NS) * hz + (el % NS) * hz / NS) >> shift(c);
}

/* The first time (ns after base_ns) at which @t ticks have passed. */
static uint64_t ns_at(const struct counter *c, uint64_t t)
{
	uint64_t in = t << shift(c), hz = c->ttc->clock_hz;

	return in / hz * NS + ((in % hz) * NS + hz - 1) / hz;
}

/* The value @t ticks after base_ns: up or down, modulo the cycle. */
static uint32_t value_after(const struct counter *c, uint64_t t)
{
	uint64_t len = cycle(c), step = t % len;

	return (uint32_t)(c->ctrl & CNT_DEC ? (c->base_val + len - step) % len
					      : (c->base_val + step) % len);
}

/* Ticks from value @from until the counter next shows @to: 1..cycle. */
static uint64_t dist(const struct counter *c, uint32_t from, uint32_t to)
{
	uint64_t len = cycle(c);
	uint64_t d = c->ctrl & CNT_DEC ? (from + len - to) % len : (to + len - from) % len;

	return d ? d : len;
}

/*
 * The events of a cycle, as values the counter reaches: the restart (to 0
 * counting up, to the top counting down) raises Iv in interval mode, Ov in
 * overflow mode; in match mode, reaching Match_i raises M_i (UG1087
 * Counter_Control; QEMU checks the same crossings). Returns how many.
 */
static unsigned int events(const struct counter *c, uint32_t at[4], uint32_t bit[4])
{
	unsigned int k = 0;

	at[k] = c->ctrl & CNT_DEC ? (uint32_t)(cycle(c) - 1) : 0;
	bit[k++] = c->ctrl & CNT_INT ? IXR_IV : IXR_OV;
	for (unsigned int i = 0; i < 3 && (c->ctrl & CNT_MATCH); i++)
		if (c->match[i] < cycle(c)) {
			at[k] = c->match[i];
			bit[k++] = IXR_M(i);
		}
	return k;
}

/* Latch the causes of the ticks since the last look. */
static void sync(struct counter *c, uint64_t now)
{
	uint32_t at[4], bit[4], from;
	uint64_t t, n;
	unsigned int k;

	if (!running(c))
		return;
	t = ticks(c, now);
	n = t - c->seen;
	from = value_after(c, c->seen);
	c->seen = t;
	k = events(c, at, bit);
	for (unsigned int i = 0; n && i < k; i++)
		if (n >= dist(c, from, at[i]))
			c->isr |= bit[i];
}

static uint32_t value(const struct counter *c, uint64_t now)
{
	return running(c) ? value_after(c, ticks(c, now)) : c->base_val;
}

/* Count on from @val as of @now (after a change of clock, mode or top). */
static void rebase(struct counter *c, uint64_t now, uint32_t val)
{
	c->base_val = (uint32_t)(val % cycle(c));
	c->base_ns = now;
	c->seen = 0;
}

static void tick(struct udrv_sim_device *dev, void *ctx);

/* The line is (Interrupt_Register & Interrupt_Enable) != 0, a level (UG1085;
 * QEMU's cadence_timer_update()); then the timer for the next rise. */
static void update(struct counter *c, uint64_t now)
{
	uint32_t at[4], bit[4], from;
	uint64_t next = 0;
	unsigned int k;
	bool line = (c->isr & c->ier) != 0;

	if (line != c->line) {
		c->line = line;
		udrv_sim_irq_set(c->ttc->dev, c->n, line);
	}
	if (c->timer)
		udrv_sim_cancel(c->ttc->dev, c->timer);
	c->timer = 0;
	if (line || !running(c))
		return;
	from = value_after(c, c->seen);
	k = events(c, at, bit);
	for (unsigned int i = 0; i < k; i++)
		if ((bit[i] & c->ier) && (!next || dist(c, from, at[i]) < next))
			next = dist(c, from, at[i]);
	if (!next)
		return;
	uint64_t due = c->base_ns + ns_at(c, c->seen + next);
	int id = udrv_sim_after(c->ttc->dev, due > now ? due - now : 0, tick, c);

	c->timer = id > 0 ? id : 0;
}

static void tick(struct udrv_sim_device *dev, void *ctx)
{
	struct counter *c = ctx;
	uint64_t now = udrv_now_ns();

	(void)dev;
	c->timer = 0;
	sync(c, now);
	update(c, now);
}

/* What a read of register @reg of @c returns; reading the status clears it. */
static uint32_t read_reg(struct counter *c, size_t reg, uint64_t now)
{
	uint32_t v;

	switch (reg) {
	case CLK_CTRL: return c->clk;
	case CNT_CTRL: return c->ctrl;
	case CNT_VAL: return value(c, now);
	case INTERVAL: return c->interval;
	case MATCH(0): case MATCH(1): case MATCH(2): return c->match[(reg - MATCH(0)) / 0x0c];
	case ISR:
		v = c->isr;
		c->isr = 0;
		update(c, now);
		return v;
	case IER: return c->ier;
	case EVT_CTRL: return c->evt_ctrl;
	default: return 0;	/* EVT, reserved */
	}
}

static void write_reg(struct counter *c, size_t reg, uint32_t v, uint64_t now)
{
	uint32_t cur = value(c, now);

	switch (reg) {
	case CLK_CTRL:
		c->clk = v & CLK_MASK;
		rebase(c, now, cur);
		break;
	case CNT_CTRL:
		c->ctrl = v & CNT_MASK & ~CNT_RST;
		rebase(c, now, v & CNT_RST ? 0 : cur);	/* QEMU: RST sets 0 */
		break;
	case INTERVAL:
		c->interval = v & c->ttc->mask;
		rebase(c, now, cur);
		break;
	case MATCH(0): case MATCH(1): case MATCH(2):
		c->match[(reg - MATCH(0)) / 0x0c] = v & c->ttc->mask;
		break;
	case IER:
		c->ier = v & IXR_MASK;
		break;
	case EVT_CTRL:
		c->evt_ctrl = v & 0x7;
		break;
	default:		/* read only (CNT_VAL, ISR, EVT) or reserved */
		break;
	}
	update(c, now);
}

/*
 * One hook over the whole region. Registers are 32 bits: an access of
 * another width reads the words it covers, and a write of another width is
 * dropped. The register file always ends up holding what a read returns.
 */
static void access(struct udrv_sim_device *dev, void *ctx, const struct udrv_sim_access *a,
		   bool write)
{
	struct ttc *t = ctx;
	uint64_t now = udrv_now_ns();

	for (size_t w = a->off & ~(size_t)3; w < a->off + a->width; w += 4) {
		unsigned int n = (unsigned int)(w / 4 % 3);	/* every register has 3 copies */
		struct counter *c = &t->c[n];
		size_t reg = w - 4 * n;				/* counter 0's copy */
		uint32_t v = 0;

		if (w < REGS_END) {
			sync(c, now);
			if (write && a->width == 4)
				write_reg(c, reg, (uint32_t)a->value, now);
			/* a read takes the value (and clears the status); a
			 * write leaves what a read would return */
			v = write && reg == ISR ? c->isr : read_reg(c, reg, now);
		}
		udrv_sim_set(dev, 0, w, 4, v);
	}
}

static void on_read(struct udrv_sim_device *dev, void *ctx, const struct udrv_sim_access *a)
{
	access(dev, ctx, a, false);
}

static void on_write(struct udrv_sim_device *dev, void *ctx, const struct udrv_sim_access *a)
{
	access(dev, ctx, a, true);
}

int udrv_sim_ttc_add(const struct udrv_sim_ttc_config *cfg, struct udrv_sim_device **out)
{
	static const char compat[] = "udrv,uio", own[] = "cdns,ttc";
	static const struct udrv_sim_map map = { NULL, 0xff110000, 0x1000 };
	const struct udrv_sim_config dc = {
		.name = "ttc0", .dt_path = "/axi/timer@ff110000", .compatible = compat,
		.maps = &map, .nmaps = 1, .irqs = 3,
	};
	uint32_t hz = cfg && cfg->clock_hz ? cfg->clock_hz : 133000000;
	unsigned int width = cfg && cfg->width ? cfg->width : 32;
	uint32_t thirty_two = 32;
	struct udrv_sim_device *dev;
	struct ttc *t;
	int ret;

	if (!out || (width != 16 && width != 32))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if ((ret = udrv_sim_device_add(&dc, &dev))) {
		free(t);
		return ret;
	}
	*t = (struct ttc){ .magic = &ttc_magic, .dev = dev, .clock_hz = hz,
			   .mask = width == 32 ? 0xffffffffu : 0xffffu };
	for (unsigned int n = 0; n < 3; n++) {
		t->c[n] = (struct counter){ .ttc = t, .n = n, .ctrl = CNT_RESET };
		udrv_sim_set(dev, 0, CNT_CTRL + 4 * n, 4, CNT_RESET);
	}
	udrv_sim_set_data(dev, t, free);
	/* the node as dts/zcu102.dtso leaves it; Debian's DTB says 32 bits
	 * even where QEMU counts 16 */
	ret = udrv_sim_dt_prop(dev, "udrv,compatible", own, sizeof(own)) ?:
	      udrv_sim_dt_prop(dev, "linux,uio-name", "ttc0", 5) ?:
	      udrv_sim_dt_prop(dev, "status", "okay", 5) ?:
	      udrv_sim_dt_u32(dev, "clock-frequency", &hz, 1) ?:
	      udrv_sim_dt_u32(dev, "timer-width", &thirty_two, 1) ?:
	      udrv_sim_hook(dev, 0, 0, map.size, on_read, on_write, t);
	if (ret) {
		udrv_sim_device_free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

/*
 * The controls touch the model from the test's thread: they run under the
 * simulation's lock like the hooks, as a udrv_sim_after() callback due at
 * once, and wait for it here. A device removed meanwhile cancels its
 * timers: a cancel that finds the call neither pending nor done says so.
 */
struct call {
	struct counter *c;
	struct udrv_sim_ttc_state *st;	/* udrv_sim_ttc_state() */
	uint32_t bits;			/* udrv_sim_ttc_raise() */
	bool done;
};

static pthread_mutex_t call_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t call_cv = PTHREAD_COND_INITIALIZER;

static void call_cb(struct udrv_sim_device *dev, void *ctx)
{
	struct call *k = ctx;
	struct counter *c = k->c;
	uint64_t now = udrv_now_ns();

	(void)dev;
	sync(c, now);
	if (k->bits) {
		c->isr |= k->bits;
		update(c, now);
	}
	if (k->st)
		*k->st = (struct udrv_sim_ttc_state){
			.running = running(c), .value = value(c, now), .clk_ctrl = c->clk,
			.cnt_ctrl = c->ctrl, .interval = c->interval, .isr = c->isr,
			.ier = c->ier, .line = c->line,
		};
	pthread_mutex_lock(&call_mu);
	k->done = true;
	pthread_cond_broadcast(&call_cv);
	pthread_mutex_unlock(&call_mu);
}

static int call(struct udrv_sim_device *dev, struct call *k)
{
	for (;;) {
		int id = udrv_sim_after(dev, 0, call_cb, k);
		struct timespec ts;
		bool done;

		if (id < 0)
			return id;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_mutex_lock(&call_mu);
		while (!k->done && !pthread_cond_timedwait(&call_cv, &call_mu, &ts))
			;
		pthread_mutex_unlock(&call_mu);
		if (k->done)
			return 0;
		/* still pending after a second (it is not now), or cancelled */
		int ret = udrv_sim_cancel(dev, id);

		pthread_mutex_lock(&call_mu);
		done = k->done;
		pthread_mutex_unlock(&call_mu);
		if (done)
			return 0;
		if (ret)
			return -ENODEV;
	}
}

static struct counter *counter_of(struct udrv_sim_device *dev, unsigned int n)
{
	struct ttc *t = udrv_sim_data(dev);

	assert(t && t->magic == &ttc_magic);
	return n < 3 ? &t->c[n] : NULL;
}

int udrv_sim_ttc_state(struct udrv_sim_device *dev, unsigned int counter,
		       struct udrv_sim_ttc_state *out)
{
	struct call k = { .c = counter_of(dev, counter), .st = out };

	return !k.c || !out ? -EINVAL : call(dev, &k);
}

int udrv_sim_ttc_raise(struct udrv_sim_device *dev, unsigned int counter, uint32_t bits)
{
	struct call k = { .c = counter_of(dev, counter), .bits = bits };

	return !k.c || !bits || (bits & ~IXR_MASK) ? -EINVAL : call(dev, &k);
}
