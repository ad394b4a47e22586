// SPDX-License-Identifier: MIT
/*
 * pl031.c - the simulated ARM PrimeCell PL031 real time clock
 * (udrv_sim_pl031.h).
 *
 * Sources: the PL031 TRM, ARM DDI 0224 (2.1 "Real Time Clock overview";
 * chapter 3, "Programmer's Model": 3.2 Table 3-1 the map, 3.3 each
 * register), and QEMU's model, hw/rtc/pl031.c, which the guest tests run
 * against.
 *
 * The state lives here and is published to the register file after every
 * change (publish()), so a driver's read of a register returns it through
 * the plain register-file path; reads of the first eight registers have a
 * hook only to bring the counter up to date. A write lands in the register
 * file before the write hook runs (udrv_sim.h): the hook acts on the value,
 * zeroes the bytes written and publishes every register again, which undoes
 * writes to read-only registers and leaves reserved offsets reading 0.
 */
#include <assert.h>
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#include "udrv_sim_pl031.h"

#define NS		1000000000ull

/* TRM 3.2, Table 3-1: all registers 32 bits wide, in a 4 KiB block. */
#define RTCDR		0x000	/* 3.3.1 Data: the counter; read only */
#define RTCMR		0x004	/* 3.3.2 Match: compared with the counter */
#define RTCLR		0x008	/* 3.3.3 Load: a write loads the counter; reads the
				 * value last written (QEMU's s->lr) */
#define RTCCR		0x00c	/* 3.3.4 Control: bit 0 starts the counter; once set,
				 * writes have no effect until reset */
#define RTCIMSC		0x010	/* 3.3.5 Interrupt mask set/clear: bit 0 = 1 lets
				 * the match out on RTCINTR */
#define RTCRIS		0x014	/* 3.3.6 Raw interrupt status: bit 0, the match;
				 * read only */
#define RTCMIS		0x018	/* 3.3.7 Masked interrupt status: RIS & IMSC, the
				 * line; read only */
#define RTCICR		0x01c	/* 3.3.8 Interrupt clear: 1 in bit 0 clears RIS (QEMU:
				 * is &= ~value); write only, reads 0 (QEMU) */
#define PERIPHID0	0xfe0	/* 3.3.9 RTCPeriphID0-3: bits [7:0] of each */
#define PCELLID0	0xff0	/* 3.3.10 RTCPCellID0-3: 0x0d 0xf0 0x05 0xb1 */
#define PCELLID		0xb105f00du
#define QEMU_PERIPHID	0x00141031u	/* QEMU's pl031_id[]: part 0x031, ARM, r1 */
#define REGS_SIZE	0x1000

#define MAGIC		0x91031031u

struct pl031 {
	uint32_t magic;
	uint64_t t0;		/* CLK1HZ rises at t0 + k s (udrv_now_ns() time) */
	uint32_t base;		/* the counter: base, plus the rising edges since t0
				 * once started (TRM 2.1: it counts CLK1HZ edges) */
	bool started;		/* RTCCR bit 0 */
	uint32_t mr, lr, im, is;
	uint32_t periph_id;
	int timer;		/* the match to come (udrv_sim_after()), 0: none */
	uint64_t due;		/* ... when */
};

static uint64_t edges(const struct pl031 *m, uint64_t now)
{
	return (now - m->t0) / NS;
}

static uint32_t counter(const struct pl031 *m, uint64_t now)
{
	return m->base + (m->started ? (uint32_t)edges(m, now) : 0);
}

/* Every register from the state, and the line: RTCINTR is high while
 * RTCRIS & RTCIMSC (TRM 2.1, 3.3.7), a level interrupt. */
static void publish(struct udrv_sim_device *d, const struct pl031 *m)
{
	udrv_sim_set(d, 0, RTCDR, 4, counter(m, udrv_now_ns()));
	udrv_sim_set(d, 0, RTCMR, 4, m->mr);
	udrv_sim_set(d, 0, RTCLR, 4, m->lr);
	udrv_sim_set(d, 0, RTCCR, 4, m->started);
	udrv_sim_set(d, 0, RTCIMSC, 4, m->im);
	udrv_sim_set(d, 0, RTCRIS, 4, m->is);
	udrv_sim_set(d, 0, RTCMIS, 4, m->is & m->im);
	udrv_sim_set(d, 0, RTCICR, 4, 0);
	for (unsigned int i = 0; i < 4; i++) {
		udrv_sim_set(d, 0, PERIPHID0 + 4 * i, 4, m->periph_id >> 8 * i & 0xff);
		udrv_sim_set(d, 0, PCELLID0 + 4 * i, 4, PCELLID >> 8 * i & 0xff);
	}
	udrv_sim_irq_set(d, 0, m->is & m->im);
}

/* The counter reached RTCMR: the comparator sets RTCRIS (TRM 2.1). */
static void matched(struct udrv_sim_device *d, void *ctx)
{
	struct pl031 *m = ctx;

	m->timer = 0;
	m->is = 1;
	publish(d, m);
}

/*
 * After a write of RTCMR or RTCLR, or the start: the match comes when the
 * counter next equals RTCMR, at once if it does now (QEMU's
 * pl031_set_alarm(), the distance taken modulo 2^32 as the counter wraps),
 * else at that rising edge of CLK1HZ. A stopped counter never gets there.
 * The caller publishes.
 */
static void schedule(struct udrv_sim_device *d, struct pl031 *m)
{
	uint64_t now = udrv_now_ns();
	uint32_t ahead = m->mr - counter(m, now);
	int id;

	if (m->timer)
		udrv_sim_cancel(d, m->timer);
	m->timer = 0;
	if (!ahead)
		m->is = 1;
	if (!ahead || !m->started)
		return;
	m->due = m->t0 + (edges(m, now) + ahead) * NS;
	id = udrv_sim_after(d, m->due - now, matched, m);
	if (id < 0)
		abort();	/* out of memory: the alarm would silently never come */
	m->timer = id;
}

static void on_write(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	struct pl031 *m = ctx;
	uint32_t v = (uint32_t)a->value;
	uint64_t now = udrv_now_ns();

	if (a->width == 4) {	/* 32-bit registers (TRM 3.2); narrower writes ignored */
		switch (a->off) {
		case RTCMR:
			m->mr = v;
			schedule(d, m);
			break;
		case RTCLR:	/* the counter takes the value, its clock keeps its phase */
			m->lr = v;
			m->base += v - counter(m, now);
			schedule(d, m);
			break;
		case RTCCR:	/* counting starts at the next edge; 0 cannot stop it */
			if ((v & 1) && !m->started) {
				m->base -= (uint32_t)edges(m, now);
				m->started = true;
				schedule(d, m);
			}
			break;
		case RTCIMSC:
			m->im = v & 1;
			break;
		case RTCICR:
			m->is &= ~(v & 1);
			break;
		default:	/* read only or reserved: ignored */
			break;
		}
	}
	udrv_sim_set(d, 0, a->off, a->width, 0);
	publish(d, m);
}

/* A read of RTCDR..RTCICR: the counter now, and a match the timer thread has
 * not run yet although the counter is there (it is due, only late). */
static void on_read(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	struct pl031 *m = ctx;
	uint64_t now = udrv_now_ns();

	(void)a;
	if (m->timer && now >= m->due) {
		udrv_sim_cancel(d, m->timer);
		matched(d, m);
	} else {
		udrv_sim_set(d, 0, RTCDR, 4, counter(m, now));
	}
}

int udrv_sim_pl031_add(const struct udrv_sim_pl031_config *cfg, struct udrv_sim_device **out)
{
	/* dts/virt.dtso: the stub's compatible, the device's own kept aside */
	static const char compat[] = "udrv,uio", own[] = "arm,pl031";
	static const struct udrv_sim_map regs = { "reg0", UDRV_SIM_PL031_ADDR, REGS_SIZE };
	const struct udrv_sim_config c = {
		.name = UDRV_SIM_PL031_NAME, .dt_path = UDRV_SIM_PL031_DT_PATH,
		.compatible = compat, .maps = &regs, .nmaps = 1, .irqs = 1,
	};
	const struct udrv_sim_pl031_config none = { 0 };
	struct udrv_sim_device *d = NULL;
	struct timespec wall;
	struct pl031 *m;
	int ret;

	if (!out)
		return -EINVAL;
	if (!cfg)
		cfg = &none;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	/* QEMU starts it at the host's time; its seconds turn with the host's. */
	clock_gettime(CLOCK_REALTIME, &wall);
	*m = (struct pl031){ .magic = MAGIC, .t0 = udrv_now_ns() - (uint64_t)wall.tv_nsec,
			     .base = cfg->time ? cfg->time : (uint32_t)wall.tv_sec,
			     .started = !cfg->stopped,
			     .periph_id = cfg->periph_id ? cfg->periph_id : QEMU_PERIPHID };
	ret = udrv_sim_device_add(&c, &d);
	if (!ret)
		ret = udrv_sim_dt_prop(d, "udrv,compatible", own, sizeof(own)) ?:
		      udrv_sim_hook(d, 0, 0, REGS_SIZE, NULL, on_write, m) ?:
		      udrv_sim_hook(d, 0, RTCDR, RTCICR + 4, on_read, NULL, m);
	if (ret) {
		udrv_sim_device_free(d);
		free(m);
		return ret;
	}
	udrv_sim_set_data(d, m, free);
	publish(d, m);
	*out = d;
	return 0;
}

/* ---- controls ------------------------------------------------------------ */

struct call {
	struct pl031 *m;
	sem_t done;
};

static void force_match(struct udrv_sim_device *d, void *ctx)
{
	struct call *c = ctx;

	c->m->is = 1;
	publish(d, c->m);
	sem_post(&c->done);
}

int udrv_sim_pl031_match(struct udrv_sim_device *dev)
{
	struct call c = { .m = udrv_sim_data(dev) };
	int ret;

	assert(c.m && c.m->magic == MAGIC);
	if (sem_init(&c.done, 0, 0))
		return -errno;
	/* In the timer thread, which runs under the simulation's lock: the
	 * state is only ever touched there and in hooks. */
	ret = udrv_sim_after(dev, 0, force_match, &c);
	if (ret > 0) {
		while (sem_wait(&c.done))
			;	/* EINTR */
		ret = 0;
	}
	sem_destroy(&c.done);
	return ret;
}
