// SPDX-License-Identifier: MIT
/*
 * drivers/ttc on the host, against the model of sim/models/ttc.c.
 *
 * First the cases shared with the guest (tests/shared/ttc_cases.c), on one
 * model with the ZCU102's identity. Then what QEMU cannot show:
 *   identity              the model is found as the guest finds TTC0
 *   open_close_sequence   the registers open and close touch, in order: the
 *                         counter stopped, its interrupt disabled and its
 *                         status read; the other counters left running
 *   start_then_wait       start masks the line, stops the counter and reads
 *                         away a stale status before the unmask, then
 *                         programs prescaler and interval for the rate; each
 *                         wakeup reads the status before it unmasks
 *   prescaler_widths      the same one-shot on a 16-bit (QEMU's) and a
 *                         32-bit (silicon) counter: the period programmed,
 *                         the wakeup on time, the ranges each can reach
 *   late_wakeup_merges    a wait a hundred periods late counts a hundred
 *                         expiries, and each later expiry once
 *   interrupt_storm       100 kHz for 100 ms: every expiry accounted for
 *                         exactly once, one wakeup per interrupt delivered,
 *                         the status read before every unmask
 *   foreign_interrupts    a spurious interrupt and a cause the driver did not
 *                         enable wake no caller: the wait goes on to the
 *                         interval's, or times out
 *   removed_while_waiting the device is unbound under a waiting thread: the
 *                         wait ends with -ENODEV, then every call says
 *                         -ENODEV and close touches no register
 *   removed_between_calls the same with the removal between two calls, each
 *                         call the first in turn, and a close first
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ttc.h"
#include "ttc_cases.h"
#include "ttc_regs.h"
#include "udrv_sim_ttc.h"

#define MS 1000000ull
#define CLK 133000000u
#define ANY UINT64_MAX

/* ---- fixtures ------------------------------------------------------------ */

/*
 * The model and the handles a test opened: the teardown closes what a
 * failed test left open, so that the next test finds its counters free (the
 * claims are OFD locks on the simulated nodes, as on /dev/uioN).
 */
struct fix {
	struct udrv_sim_device *sim;
	struct udrv_ttc *t[3];
};

static int setup_width(void **state, unsigned int width)
{
	struct udrv_sim_ttc_config cfg = { .width = width };
	struct fix *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? udrv_sim_ttc_add(&cfg, &f->sim) : -1;
}

static int setup(void **state)
{
	return setup_width(state, 0);
}

static int setup_16(void **state)
{
	return setup_width(state, 16);
}

static void close_all(struct fix *f)
{
	for (unsigned int n = 0; n < 3; n++) {
		udrv_ttc_close(f->t[n]);
		f->t[n] = NULL;
	}
}

static int teardown(void **state)
{
	struct fix *f = *state;

	if (f) {
		close_all(f);
		udrv_sim_device_free(f->sim);
		free(f);
	}
	return 0;
}

/* Open counter @n into f->t[n]. */
static struct udrv_ttc *open_counter(struct fix *f, unsigned int n)
{
	assert_int_equal(udrv_ttc_open(NULL, n, 0, &f->t[n]), 0);
	return f->t[n];
}

static void close_counter(struct fix *f, unsigned int n)
{
	udrv_ttc_close(f->t[n]);
	f->t[n] = NULL;
}

/* A fresh model with @cfg in place of the fixture's (handles closed). */
static void renew(struct fix *f, const struct udrv_sim_ttc_config *cfg)
{
	close_all(f);
	udrv_sim_device_free(f->sim);
	f->sim = NULL;
	assert_int_equal(udrv_sim_ttc_add(cfg, &f->sim), 0);
}

/* ---- the trace ------------------------------------------------------------- */

/* One expected event: a 32-bit register access of the counter's copy @off
 * (value ANY: any), or an interrupt event of line @off. */
struct step {
	enum udrv_sim_event ev;
	size_t off;
	uint64_t value;
};

#define RD(off, v) { UDRV_SIM_READ, (off), (v) }
#define WR(off, v) { UDRV_SIM_WRITE, (off), (v) }
#define UNMASK(i) { UDRV_SIM_UNMASK, (i), ANY }
#define MASK(i) { UDRV_SIM_MASK, (i), ANY }
#define IRQ(i) { UDRV_SIM_IRQ, (i), ANY }

/* The trace so far (a running counter may add to it meanwhile). */
static struct udrv_sim_trace *trace_of(struct udrv_sim_device *dev, size_t *n)
{
	size_t len = udrv_sim_trace(dev, NULL, 0);
	struct udrv_sim_trace *t = calloc(len + 1, sizeof(*t));

	assert_non_null(t);
	*n = udrv_sim_trace(dev, t, len);
	if (*n > len)
		*n = len;
	return t;
}

static bool step_is(const struct udrv_sim_trace *t, const struct step *s)
{
	if (t->event != s->ev)
		return false;
	if (s->ev != UDRV_SIM_READ && s->ev != UDRV_SIM_WRITE)
		return t->a.map == s->off;
	return t->a.map == 0 && t->a.off == s->off && t->a.width == 4 &&
	       (s->value == ANY || t->a.value == s->value);
}

/* The trace since the last clear is the first @nmin to @nwant steps of
 * @want; cleared after. */
static void expect_trace_upto(struct udrv_sim_device *dev, const struct step *want,
			      size_t nmin, size_t nwant)
{
	size_t n;
	struct udrv_sim_trace *t = trace_of(dev, &n);

	if (n >= nmin && n < nwant)
		nwant = n;
	for (size_t i = 0; i < n || i < nwant; i++) {
		if (i < n && i < nwant && step_is(&t[i], &want[i]))
			continue;
		if (i < n)
			print_error("event %zu: %d map %u off 0x%zx value 0x%llx\n", i, t[i].event,
				    t[i].a.map, t[i].a.off, (unsigned long long)t[i].a.value);
		if (i < nwant)
			print_error("expected:  %d off 0x%zx value 0x%llx\n", want[i].ev,
				    want[i].off, (unsigned long long)want[i].value);
		free(t);
		fail_msg("trace differs at event %zu (%zu events, %zu expected)", i, n, nwant);
	}
	free(t);
	udrv_sim_trace_clear(dev);
}

/* The trace since the last clear is exactly @want; cleared after. */
static void expect_trace(struct udrv_sim_device *dev, const struct step *want, size_t nwant)
{
	expect_trace_upto(dev, want, nwant, nwant);
}

static struct udrv_sim_ttc_state model(struct udrv_sim_device *dev, unsigned int n)
{
	struct udrv_sim_ttc_state s;

	assert_int_equal(udrv_sim_ttc_state(dev, n, &s), 0);
	return s;
}

/* ---- host-only tests --------------------------------------------------------- */

static void test_identity(void **state)
{
	struct fix *f = *state;
	struct udrv_device *dev;
	struct udrv_region *r;

	/* as the guest's lib_zcu102 suite finds the stub's TTC0 */
	assert_int_equal(udrv_device_open("ttc0", &dev), 0);
	assert_string_equal(udrv_device_dt_path(dev), "/axi/timer@ff110000");
	assert_int_equal(udrv_device_is_compatible(dev, "udrv,uio"), 1);
	assert_int_equal(udrv_device_is_compatible(dev, "cdns,ttc"), 1);
	assert_int_equal(udrv_device_num_regions(dev), 1);
	assert_int_equal(udrv_device_region(dev, 0, 0x1000, &r), 0);
	assert_int_equal(udrv_region_phys(r), 0xff110000);
	assert_int_equal(udrv_device_num_irqs(dev), 3);
	udrv_device_close(dev);
	/* after reset every counter is stopped with its waveform off */
	for (unsigned int n = 0; n < 3; n++) {
		struct udrv_sim_ttc_state s = model(f->sim, n);

		assert_false(s.running);
		assert_int_equal(s.cnt_ctrl, TTC_CNT_DIS | TTC_CNT_WAVE_DIS);
	}
	assert_int_equal(udrv_sim_ttc_state(f->sim, 3, &(struct udrv_sim_ttc_state){ 0 }), -EINVAL);
	assert_int_equal(udrv_sim_ttc_raise(f->sim, 0, 0x40), -EINVAL);
}

static void test_open_close_sequence(void **state)
{
	struct fix *f = *state;
	struct udrv_sim_ttc_state s;
	const struct step open1[] = {
		WR(TTC_CNT_CTRL(1), TTC_CNT_DIS | TTC_CNT_WAVE_DIS),
		WR(TTC_IER(1), 0),
		RD(TTC_ISR(1), ANY),
		WR(TTC_INTERVAL(1), 0xffffffff),	/* the width probe */
		RD(TTC_INTERVAL(1), 0xffffffff),
		WR(TTC_INTERVAL(1), 0),
	};
	const struct step close1[] = {
		MASK(1),
		WR(TTC_CNT_CTRL(1), TTC_CNT_DIS | TTC_CNT_WAVE_DIS),
		WR(TTC_IER(1), 0),
		RD(TTC_ISR(1), ANY),
		UNMASK(1),
	};

	assert_int_equal(udrv_ttc_start_periodic(open_counter(f, 0), 10), 0);
	assert_int_equal(udrv_ttc_start_periodic(open_counter(f, 2), 10), 0);
	udrv_sim_trace_clear(f->sim);
	open_counter(f, 1);
	expect_trace(f->sim, open1, sizeof(open1) / sizeof(open1[0]));
	assert_int_equal(udrv_ttc_width(f->t[1]), 32);
	assert_false(model(f->sim, 1).running);
	assert_int_equal(udrv_ttc_start_periodic(f->t[1], 10), 0);
	assert_true(model(f->sim, 1).running);
	udrv_sim_trace_clear(f->sim);
	close_counter(f, 1);
	expect_trace(f->sim, close1, sizeof(close1) / sizeof(close1[0]));
	/* counter 1 stopped, quiet and unmasked as the stub left it; the others
	 * run on with their interrupts enabled */
	s = model(f->sim, 1);
	assert_false(s.running);
	assert_int_equal(s.ier, 0);
	assert_false(s.line);
	assert_false(udrv_sim_irq_masked(f->sim, 1));
	for (unsigned int n = 0; n < 3; n += 2) {
		s = model(f->sim, n);
		assert_true(s.running);
		assert_int_equal(s.ier, TTC_IXR_INTERVAL);
	}
	close_all(f);
	assert_false(model(f->sim, 0).running);
	assert_false(model(f->sim, 2).running);
}

static void test_start_then_wait(void **state)
{
	struct fix *f = *state;
	struct udrv_ttc_event ev;
	struct udrv_ttc *t = open_counter(f, 2);
	/* 1 kHz at 133 MHz: 133000 ticks, no prescaler on 32 bits */
	const struct step start[] = {
		MASK(2),
		WR(TTC_CNT_CTRL(2), TTC_CNT_DIS | TTC_CNT_WAVE_DIS),
		WR(TTC_IER(2), 0),
		RD(TTC_ISR(2), TTC_IXR_INTERVAL),	/* the stale cause, cleared */
		UNMASK(2),
		WR(TTC_CLK_CTRL(2), 0),
		WR(TTC_INTERVAL(2), 133000 - 1),
		WR(TTC_IER(2), TTC_IXR_INTERVAL),
		WR(TTC_CNT_CTRL(2), TTC_CNT_INTERVAL | TTC_CNT_RST | TTC_CNT_WAVE_DIS),
	};
	/* each wakeup: the interrupt, the counter (its latency) and status
	 * reads, then the unmask */
	struct step wake[5 * 4 + 1];

	for (int i = 0; i < 5; i++) {
		wake[4 * i] = (struct step)IRQ(2);
		wake[4 * i + 1] = (struct step)RD(TTC_CNT_VAL(2), ANY);
		wake[4 * i + 2] = (struct step)RD(TTC_ISR(2), TTC_IXR_INTERVAL);
		wake[4 * i + 3] = (struct step)UNMASK(2);
	}
	wake[20] = (struct step)IRQ(2);

	/* a cause latched before the start, its interrupt taken and unread */
	assert_int_equal(udrv_ttc_start_periodic(t, 1000), 0);
	usleep(20000);
	assert_true(udrv_sim_irq_masked(f->sim, 2));
	assert_true(model(f->sim, 2).line);
	udrv_sim_trace_clear(f->sim);
	assert_int_equal(udrv_ttc_start_periodic(t, 1000), 0);
	expect_trace(f->sim, start, sizeof(start) / sizeof(start[0]));
	assert_int_equal(udrv_ttc_period_ns(t), 1000000);
	for (int i = 0; i < 5; i++) {
		assert_true(udrv_ttc_wait(t, 1000 * MS, &ev) >= 1);	/* 2+ if late */
		assert_true(ev.lateness_ns >= 0);
		/* by the model's counter: since an expiry, within the merged ones */
		assert_true(ev.hw_latency_ns < ev.expirations * 1000000);
	}
	/* and the next interrupt, if it came before the last unmask (late) */
	expect_trace_upto(f->sim, wake, 20, 21);
}

static void test_prescaler_widths(void **state)
{
	struct udrv_sim_ttc_config cfg[2] = { { .width = 16 }, { .width = 32 } };
	struct fix *f = *state;

	for (int w = 0; w < 2; w++) {
		struct udrv_sim_ttc_state s;
		struct udrv_ttc_event ev;
		struct udrv_ttc *t;
		unsigned int shift;
		uint64_t t0;

		renew(f, &cfg[w]);
		t = open_counter(f, 0);
		assert_int_equal(udrv_ttc_width(t), cfg[w].width);
		/* 30 ms: 3990000 ticks; 16 bits need a prescaler of 2^6 */
		t0 = udrv_now_ns();
		assert_int_equal(udrv_ttc_start_oneshot(t, 30 * MS), 0);
		s = model(f->sim, 0);
		shift = s.clk_ctrl & TTC_CLK_PS_EN ? ((s.clk_ctrl >> 1) & 15) + 1 : 0;
		assert_int_equal(shift, w ? 0 : 6);
		assert_int_equal(((uint64_t)s.interval + 1) << shift, w ? 3990000 : 3990016);
		assert_int_equal(udrv_ttc_period_ns(t), w ? 30000000 : 30000120);
		assert_int_equal(udrv_ttc_wait(t, 1000 * MS, &ev), 1);
		assert_true(ev.when_ns - t0 >= 30 * MS);
		assert_true(ev.lateness_ns >= 0);
		assert_false(model(f->sim, 0).running);	/* the one-shot stopped */
		/* 2^16 (2^32) values times a prescaler of up to 2^16: 32.3 s on
		 * 16 bits, 24 days on 32 */
		assert_int_equal(udrv_ttc_start_oneshot(t, (w ? 3000000 : 33) * 1000 * MS), -ERANGE);
		assert_int_equal(udrv_ttc_start_oneshot(t, (w ? 2000000 : 32) * 1000 * MS), 0);
		assert_int_equal(udrv_ttc_start_periodic(t, CLK / 2), 0);	/* 2 ticks */
		assert_int_equal(udrv_ttc_start_periodic(t, CLK / 2 + CLK / 4), -ERANGE);
	}
}

/* @n expiries counted at @when, for a start between @before and @after. */
static void expect_expiries(uint64_t n, uint64_t when, uint64_t before, uint64_t after,
			    uint64_t period)
{
	uint64_t lo = (when - after) / period, hi = (when - before) / period + 1;

	if (n < lo || n > hi)
		fail_msg("%llu expiries, %llu..%llu expected", (unsigned long long)n,
			 (unsigned long long)lo, (unsigned long long)hi);
}

static void test_late_wakeup_merges(void **state)
{
	struct fix *f = *state;
	struct udrv_ttc *t = open_counter(f, 1);	/* 16 bits: prescaled */
	struct udrv_ttc_event ev;
	uint64_t before, after;
	int n, more = 0;

	before = udrv_now_ns();
	assert_int_equal(udrv_ttc_start_periodic(t, 1000), 0);
	after = udrv_now_ns();
	usleep(100000);		/* a hundred expiries, one interrupt */
	assert_int_equal(udrv_sim_irq_count(f->sim, 1), 1);
	n = udrv_ttc_wait(t, 1000 * MS, &ev);
	assert_true(n >= 100);
	assert_int_equal(ev.expirations, n);
	assert_int_equal(udrv_ttc_expirations(t), n);
	expect_expiries((uint64_t)n, ev.when_ns, before, after, 1000000);
	assert_true(ev.lateness_ns >= (int64_t)(n - 1) * 1000000);
	/* and on from there, counting each expiry once (one per wakeup when
	 * the wakeups are on time) */
	for (int i = 0; i < 5; i++) {
		int k = udrv_ttc_wait(t, 1000 * MS, &ev);

		assert_true(k >= 1);
		more += k;
	}
	assert_int_equal(udrv_ttc_expirations(t), (uint64_t)(n + more));
	expect_expiries((uint64_t)(n + more), ev.when_ns, before, after, 1000000);
}

static void test_interrupt_storm(void **state)
{
	struct fix *f = *state;
	struct udrv_ttc *t = open_counter(f, 0);
	uint64_t before, after, sum = 0, wakeups = 0, unmasks = 0, end;
	struct udrv_ttc_event ev = { 0 };
	struct udrv_sim_trace *tr;
	uint32_t irqs0, irqs;
	bool read = false;
	size_t len;

	irqs0 = udrv_sim_irq_count(f->sim, 0);
	before = udrv_now_ns();
	assert_int_equal(udrv_ttc_start_periodic(t, 100000), 0);	/* every 10 us */
	after = udrv_now_ns();
	udrv_sim_trace_clear(f->sim);
	end = after + 100 * MS;
	while (udrv_now_ns() < end) {
		int n = udrv_ttc_wait(t, 1000 * MS, &ev);

		assert_true(n >= 1);
		assert_int_equal(ev.expirations, n);
		sum += (uint64_t)n;
		wakeups++;
	}
	assert_int_equal(udrv_ttc_stop(t), 0);
	assert_int_equal(udrv_ttc_expirations(t), sum);
	expect_expiries(sum, ev.when_ns, before, after, 10000);
	/* one wakeup per interrupt (one more if it came after the last wait) */
	irqs = udrv_sim_irq_count(f->sim, 0) - irqs0;
	assert_true(irqs == wakeups || irqs == wakeups + 1);
	/* and every unmask came after the status was read */
	tr = trace_of(f->sim, &len);
	for (size_t i = 0; i < len; i++) {
		if (tr[i].event == UDRV_SIM_READ && tr[i].a.off == TTC_ISR(0))
			read = true;
		if (tr[i].event == UDRV_SIM_UNMASK) {
			if (!read)
				fail_msg("event %zu: an unmask before the status was read", i);
			read = false;
			unmasks++;
		}
	}
	free(tr);
	assert_int_equal(unmasks, wakeups + 1);	/* and the stop's */
	print_message("100 kHz for 100 ms: %llu wakeups, %llu expiries\n",
		      (unsigned long long)wakeups, (unsigned long long)sum);
}

static void test_foreign_interrupts(void **state)
{
	struct fix *f = *state;
	struct udrv_ttc *t = open_counter(f, 0);
	struct udrv_ttc_event ev;
	uint64_t t0;
	const struct step seq[] = {
		RD(TTC_CNT_VAL(0), ANY), RD(TTC_ISR(0), TTC_IXR_MATCH(0)),
		UNMASK(0),					/* not ours: on */
		IRQ(0), RD(TTC_CNT_VAL(0), ANY),
		RD(TTC_ISR(0), TTC_IXR_INTERVAL),		/* the one-shot */
		WR(TTC_CNT_CTRL(0), TTC_CNT_DIS | TTC_CNT_WAVE_DIS), WR(TTC_IER(0), 0),
		RD(TTC_ISR(0), 0), UNMASK(0),
	};

	t0 = udrv_now_ns();
	assert_int_equal(udrv_ttc_start_oneshot(t, 50 * MS), 0);
	/* a cause the driver did not enable raises no interrupt */
	assert_int_equal(udrv_sim_ttc_raise(f->sim, 0, TTC_IXR_MATCH(0)), 0);
	assert_false(model(f->sim, 0).line);
	/* a spurious one (say, a shared line) wakes the wait, which reads the
	 * status (M1 only), unmasks and goes on */
	assert_int_equal(udrv_sim_irq_pulse(f->sim, 0), 0);
	udrv_sim_trace_clear(f->sim);
	assert_int_equal(udrv_ttc_wait(t, 1000 * MS, &ev), 1);
	assert_true(ev.when_ns - t0 >= 50 * MS);
	assert_true(ev.lateness_ns >= 0);
	expect_trace(f->sim, seq, sizeof(seq) / sizeof(seq[0]));
	assert_int_equal(udrv_ttc_expirations(t), 1);
	/* with no time left, a spurious interrupt is a timeout */
	assert_int_equal(udrv_sim_irq_pulse(f->sim, 0), 0);
	assert_int_equal(udrv_ttc_wait(t, 0, &ev), 0);
	assert_false(udrv_sim_irq_masked(f->sim, 0));
}

/*
 * After the removal: -ENODEV from every call, whichever comes first, and no
 * register touched (it would fault: the mapping is revoked).
 */
static void calls_after_removal(struct fix *f, unsigned int n, int first)
{
	struct udrv_ttc *t = f->t[n];

	for (int i = 0; i < 4; i++) {
		switch ((first + i) % 4) {
		case 0: assert_int_equal(udrv_ttc_wait(t, 0, NULL), -ENODEV); break;
		case 1: assert_int_equal(udrv_ttc_start_periodic(t, 100), -ENODEV); break;
		case 2: assert_int_equal(udrv_ttc_start_oneshot(t, MS), -ENODEV); break;
		case 3: assert_int_equal(udrv_ttc_stop(t), -ENODEV); break;
		}
	}
	assert_int_equal(udrv_ttc_count(t), 0);
	close_counter(f, n);
	assert_int_equal(udrv_sim_trace(f->sim, NULL, 0), 0);
}

struct waiter {
	struct udrv_ttc *t;
	int ret;
	uint64_t ended;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = udrv_ttc_wait(w->t, 5000 * MS, NULL);
	w->ended = udrv_now_ns();
	return NULL;
}

static void test_removed_while_waiting(void **state)
{
	struct fix *f = *state;
	struct waiter w = { .t = open_counter(f, 1), .ret = 99 };
	uint64_t removed;
	pthread_t th;

	assert_int_equal(udrv_ttc_start_periodic(w.t, 1), 0);	/* nothing for a second */
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	usleep(50000);
	removed = udrv_now_ns();
	assert_int_equal(udrv_sim_device_remove(f->sim), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.ret, -ENODEV);
	assert_true(w.ended - removed < 500 * MS);
	udrv_sim_trace_clear(f->sim);
	calls_after_removal(f, 1, 0);
	assert_int_equal(udrv_sim_ttc_state(f->sim, 1, &(struct udrv_sim_ttc_state){ 0 }),
			 -ENODEV);
}

static void test_removed_between_calls(void **state)
{
	struct fix *f = *state;

	/* each handle's first call after the removal is another one */
	for (int first = 0; first < 4; first++) {
		renew(f, NULL);
		for (unsigned int n = 0; n < 3; n++)
			assert_int_equal(udrv_ttc_start_periodic(open_counter(f, n), 1000), 0);
		assert_int_equal(udrv_sim_device_remove(f->sim), 0);
		udrv_sim_trace_clear(f->sim);
		close_counter(f, 2);			/* a close first */
		assert_int_equal(udrv_sim_trace(f->sim, NULL, 0), 0);
		calls_after_removal(f, 0, first);
		calls_after_removal(f, 1, first + 1);
		assert_int_equal(udrv_ttc_open(NULL, 0, 0, &f->t[0]), -ENOENT);
	}
}

int main(void)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_close_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_then_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prescaler_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_wakeup_merges, setup_16, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_while_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_between_calls, setup, teardown),
	};
	int failed;

	/* the cases the guest runs, on one model with TTC0's identity */
	failed = cmocka_run_group_tests_name("ttc", ttc_cases, setup, teardown);
	failed += cmocka_run_group_tests_name("ttc_sim", host, NULL, NULL);
	return failed;
}
