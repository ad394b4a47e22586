// SPDX-License-Identifier: MIT
/*
 * The edu driver (drivers/edu) on the host, against the model of QEMU's
 * edu (sim/models/edu.c): first the cases shared with the guest test
 * (tests/shared/edu_cases.c), then what QEMU cannot produce:
 *
 *   irq_sequence        a raised interrupt: acknowledged at the device, then
 *                       the line unmasked, nothing more (the access trace)
 *   factorial_sequence  interrupt enabled before the argument starts it,
 *                       acknowledged before the unmask, result read after
 *   dma_sequence        the transfer's registers before its command, the
 *                       completion after QEMU's 100 ms, the data in edu's
 *                       buffer and back
 *   irq_storm           a cause stuck raised (the level line fires at every
 *                       unmask): a wait for another cause still ends at its
 *                       timeout, wanted causes and factorials still get
 *                       through, and the storm's end is quiet
 *   dma_never           a transfer that never completes: -ETIMEDOUT, then
 *                       -EBUSY while it hangs (its buffer stays the
 *                       device's); factorials still work; a later open
 *                       refuses the device (-EBUSY)
 *   late_completions    a transfer, a factorial completing after its
 *                       timeout: the buffer is handed back once the driver
 *                       sees the transfer ended; the late interrupt is not
 *                       taken for the next one's
 *   dma_refused_by_iommu  the device's DMA mask cuts the pool's address (QEMU
 *                       started without dma_mask=): the transfer faults and
 *                       edu reports it done; told the mask, the driver
 *                       refuses first
 *   removed_while_waiting  the device unbound while a DMA is waited for in
 *                       another thread: -ENODEV at once, and from every later
 *                       call; close does not touch the revoked registers
 *   removed_between_calls  unbound between two calls: -ENODEV, no SIGBUS
 *   not_an_edu          1234:11e8 without edu's registers: open refuses it
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "edu_cases.h"
#include "edu_regs.h"
#include "udrv_sim_edu.h"

#define MS EDU_MS
#define ANY UINT64_MAX

static struct udrv_sim_device *sim;	/* the edu the driver finds */

static int group_setup(void **state)
{
	(void)state;
	return udrv_sim_edu_add(NULL, &sim) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	udrv_sim_device_free(sim);
	return 0;
}

/* The board's edu again (after a test changed or removed it). */
static void replace(const struct udrv_sim_edu_config *cfg)
{
	udrv_sim_device_free(sim);
	sim = NULL;
	assert_int_equal(udrv_sim_edu_add(cfg, &sim), 0);
}

static struct udrv_sim_edu_state state_of(void)
{
	struct udrv_sim_edu_state st;

	assert_int_equal(udrv_sim_edu_state(sim, &st), 0);
	return st;
}

static uint64_t ms_since(uint64_t t0)
{
	return (udrv_now_ns() - t0) / MS;
}

/* One expected trace event: register off (or irq) and value, ANY for any. */
struct step {
	enum udrv_sim_event ev;
	size_t off;
	uint64_t value;
};

static const char *const ev_names[] = { "read", "write", "irq", "unmask", "mask" };

static bool step_is(const struct udrv_sim_trace *t, const struct step *w)
{
	bool reg = w->ev == UDRV_SIM_READ || w->ev == UDRV_SIM_WRITE;
	/* 64-bit accesses for the DMA addresses and count, 32-bit for the rest */
	unsigned int width = w->off >= EDU_REG_DMA_SRC && w->off < EDU_REG_DMA_CMD ? 8 : 4;

	return t->event == w->ev && (!reg || (t->a.off == w->off && t->a.width == width)) &&
	       (w->value == ANY || t->a.value == w->value);
}

/* The trace since the last clear is exactly @want (printed if not). */
static void expect_trace(const struct step *want, size_t n)
{
	struct udrv_sim_trace t[64];
	size_t got = udrv_sim_trace(sim, t, 64);
	bool same = got == n;

	for (size_t i = 0; same && i < n; i++)
		same = step_is(&t[i], &want[i]);
	if (same)
		return;
	for (size_t i = 0; i < got && i < 64; i++)
		print_message("  %-6s 0x%02zx = 0x%llx (%u bytes)\n", ev_names[t[i].event],
			      t[i].a.off, (unsigned long long)t[i].a.value, t[i].a.width);
	fail_msg("the trace above is not the %zu events expected", n);
}

#define RD(off, v)	{ UDRV_SIM_READ, (off), (v) }
#define WR(off, v)	{ UDRV_SIM_WRITE, (off), (v) }
#define IRQ		{ UDRV_SIM_IRQ, 0, ANY }
#define UNMASK		{ UDRV_SIM_UNMASK, 0, 1 }

static void test_irq_sequence(void **state)
{
	static const struct step want[] = {
		WR(EDU_REG_IRQ_RAISE, EDU_TEST_IRQ),
		IRQ,				/* the stub masks the line */
		RD(EDU_REG_IRQ_STATUS, EDU_TEST_IRQ),
		WR(EDU_REG_IRQ_ACK, EDU_TEST_IRQ),	/* the line drops... */
		UNMASK,				/* ...before it is unmasked */
	};
	uint32_t seen = 0;

	udrv_sim_trace_clear(sim);
	assert_int_equal(udrv_edu_irq_raise(*state, EDU_TEST_IRQ), 0);
	assert_int_equal(udrv_edu_irq_wait(*state, EDU_TEST_IRQ, 1000 * MS, &seen), 1);
	assert_int_equal(seen, EDU_TEST_IRQ);
	expect_trace(want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(state_of().irq_status, 0);
	assert_false(udrv_sim_irq_masked(sim, 0));
}

static void test_factorial_sequence(void **state)
{
	static const struct step want[] = {
		RD(EDU_REG_STATUS, 0),		/* not computing */
		WR(EDU_REG_IRQ_ACK, EDU_IRQ_FACT),	/* no stale completion */
		WR(EDU_REG_STATUS, EDU_STATUS_IRQFACT),	/* interrupt first... */
		WR(EDU_REG_FACT, 5),		/* ...then the argument starts it */
		IRQ,
		RD(EDU_REG_IRQ_STATUS, EDU_IRQ_FACT),
		WR(EDU_REG_IRQ_ACK, EDU_IRQ_FACT),
		UNMASK,
		RD(EDU_REG_FACT, 120),		/* the result, once it is done */
	};
	unsigned int done = state_of().factorials;
	uint32_t r = 0;

	udrv_sim_trace_clear(sim);
	assert_int_equal(udrv_edu_factorial(*state, 5, &r, 1000 * MS), 0);
	assert_int_equal(r, 120);
	expect_trace(want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(state_of().factorials, done + 1);
}

static void test_dma_sequence(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_dma_buf *buf = NULL;
	struct udrv_sim_edu_state st0 = state_of();
	uint8_t in[100];
	uint64_t t0, bus;

	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), 100, 0, &buf), 0);
	bus = udrv_dma_bus(buf);
	for (int i = 0; i < 100; i++)
		((uint8_t *)udrv_dma_cpu(buf))[i] = (uint8_t)(i * 7 + 1);
	const struct step to_dev[] = {
		RD(EDU_REG_DMA_CMD, ANY),	/* none running (below) */
		WR(EDU_REG_IRQ_ACK, EDU_IRQ_DMA),	/* no stale completion */
		WR(EDU_REG_DMA_SRC, bus),
		WR(EDU_REG_DMA_DST, EDU_DMA_BUF_ADDR + 16),
		WR(EDU_REG_DMA_COUNT, 100),
		WR(EDU_REG_DMA_CMD, EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ),	/* last */
		IRQ,
		RD(EDU_REG_IRQ_STATUS, EDU_IRQ_DMA),
		WR(EDU_REG_IRQ_ACK, EDU_IRQ_DMA),
		UNMASK,
	};
	const struct step from_dev[] = {
		RD(EDU_REG_DMA_CMD, EDU_DMA_CMD_IRQ),	/* the last command, done */
		WR(EDU_REG_IRQ_ACK, EDU_IRQ_DMA),
		WR(EDU_REG_DMA_DST, bus),
		WR(EDU_REG_DMA_SRC, EDU_DMA_BUF_ADDR + 16),
		WR(EDU_REG_DMA_COUNT, 100),
		WR(EDU_REG_DMA_CMD, EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ | EDU_DMA_CMD_FROM_EDU),
		IRQ,
		RD(EDU_REG_IRQ_STATUS, EDU_IRQ_DMA),
		WR(EDU_REG_IRQ_ACK, EDU_IRQ_DMA),
		UNMASK,
	};

	assert_false(st0.dma_cmd & EDU_DMA_CMD_START);
	udrv_sim_trace_clear(sim);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 16, 100, 1000 * MS), 0);
	assert_true(ms_since(t0) >= 100);	/* QEMU's timer: 100 ms after the command */
	expect_trace(to_dev, sizeof(to_dev) / sizeof(to_dev[0]));
	assert_int_equal(udrv_sim_edu_buffer(sim, 16, in, 100), 0);
	assert_memory_equal(in, udrv_dma_cpu(buf), 100);
	memset(udrv_dma_cpu(buf), 0, 100);
	udrv_sim_trace_clear(sim);
	assert_int_equal(udrv_edu_dma_from_device(edu, 16, buf, 0, 100, 1000 * MS), 0);
	expect_trace(from_dev, sizeof(from_dev) / sizeof(from_dev[0]));
	assert_memory_equal(in, udrv_dma_cpu(buf), 100);
	assert_int_equal(state_of().dmas, st0.dmas + 2);
	assert_int_equal(state_of().dma_faults, 0);
	udrv_dma_free(buf);
}

struct stopper {
	pthread_t th;
	uint64_t after_ms;
	volatile int done;	/* the test is past the part that may hang */
};

/* Ends the storm after a while, whatever the driver does meanwhile: a
 * driver that cannot leave a storm returns then, late, not never. */
static void *stop_storm(void *arg)
{
	struct stopper *s = arg;
	const struct timespec ms10 = { 0, 10000000 };

	for (uint64_t t = 0; t < s->after_ms && !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE);
	     t += 10)
		nanosleep(&ms10, NULL);
	udrv_sim_edu_storm(sim, 0);
	return NULL;
}

#define STUCK 0x40000000u

static void test_irq_storm(void **state)
{
	struct udrv_edu *edu = *state;
	struct stopper stop = { .after_ms = 3000 };
	uint32_t c0, c1, c2, r = 0, seen = 0;
	uint64_t t0, m0, m1, took;
	int ret;

	udrv_edu_irq_stats(edu, &c0, &m0);
	assert_int_equal(udrv_sim_edu_storm(sim, STUCK), 0);
	assert_int_equal(pthread_create(&stop.th, NULL, stop_storm, &stop), 0);
	/* waiting for another cause: the stuck one comes back at every
	 * unmask, and the wait still ends at its timeout */
	t0 = udrv_now_ns();
	ret = udrv_edu_irq_wait(edu, EDU_TEST_IRQ, 100 * MS, &seen);
	took = ms_since(t0);
	udrv_edu_irq_stats(edu, &c1, &m1);
	print_message("storm: the wait returned %d after %llu ms, %u interrupts\n", ret,
		      (unsigned long long)took, c1 - c0);
	assert_int_equal(ret, 0);
	assert_true(took >= 100 && took < 1000);
	assert_true(c1 - c0 > 10);		/* it was a storm */
	assert_int_equal(m1 - m0, 0);		/* each one was read */
	assert_true(state_of().irq_status & STUCK);
	/* what is asked for still gets through */
	assert_int_equal(udrv_edu_irq_raise(edu, EDU_TEST_IRQ), 0);
	assert_int_equal(udrv_edu_irq_wait(edu, EDU_TEST_IRQ, 1000 * MS, &seen), 1);
	assert_int_equal(seen, EDU_TEST_IRQ);
	assert_int_equal(udrv_edu_factorial(edu, 10, &r, 1000 * MS), 0);
	assert_int_equal(r, 3628800);
	/* the stuck cause was seen and kept for whoever asks */
	assert_int_equal(udrv_edu_irq_wait(edu, STUCK, 0, &seen), 1);
	assert_int_equal(seen, STUCK);
	/* the storm ends: acknowledged once more, the line stays quiet */
	__atomic_store_n(&stop.done, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(stop.th, NULL), 0);
	udrv_edu_irq_wait(edu, STUCK, 50 * MS, NULL);
	udrv_edu_irq_stats(edu, &c1, NULL);
	assert_int_equal(udrv_edu_irq_wait(edu, ~0u, 50 * MS, NULL), 0);
	udrv_edu_irq_stats(edu, &c2, NULL);
	assert_int_equal(c2, c1);
	assert_int_equal(state_of().irq_status, 0);
}

static void test_dma_never(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_dma_buf *buf = NULL;
	struct udrv_sim_trace t[64];
	unsigned int dmas = state_of().dmas;
	uint32_t r = 0;
	size_t n;
	uint64_t t0, took;

	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), 64, 0, &buf), 0);
	assert_int_equal(udrv_sim_edu_timing(sim, 10000, UDRV_SIM_EDU_NEVER), 0);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 64, 100 * MS), -ETIMEDOUT);
	took = ms_since(t0);
	print_message("never: %s (after %llu ms)\n", udrv_edu_last_error(),
		      (unsigned long long)took);
	assert_true(took >= 100 && took < 1000);
	assert_non_null(strstr(udrv_edu_last_error(), "DMA-done"));
	assert_true(state_of().dma_cmd & EDU_DMA_CMD_START);	/* still running */
	/* a second transfer is refused, the first one's registers untouched */
	udrv_sim_trace_clear(sim);
	assert_int_equal(udrv_edu_dma_from_device(edu, 0, buf, 0, 64, 100 * MS), -EBUSY);
	assert_non_null(strstr(udrv_edu_last_error(), "still running"));
	assert_int_equal(udrv_edu_dma_ready(edu), -EBUSY);	/* its buffer still the device's */
	n = udrv_sim_trace(sim, t, 64);
	assert_in_range(n, 1, 64);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(t[i].event, UDRV_SIM_WRITE);
	/* the rest of the device works */
	assert_int_equal(udrv_edu_factorial(edu, 6, &r, 1000 * MS), 0);
	assert_int_equal(r, 720);
	udrv_dma_free(buf);
	/* closing waits for it (up to 1 s), in vain; the next open refuses */
	edu_case_teardown(state);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_edu_open(NULL, &edu), -EBUSY);
	print_message("open: %s\n", udrv_edu_last_error());
	assert_non_null(strstr(udrv_edu_last_error(), "did not finish"));
	assert_true(ms_since(t0) >= 1000);
	assert_true(state_of().dma_cmd & EDU_DMA_CMD_START);
	assert_int_equal(state_of().dmas, dmas);
	replace(NULL);	/* only a reset ends it */
}

static void test_late_completions(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_dma_buf *a = NULL, *b = NULL;
	unsigned int dmas = state_of().dmas;
	uint8_t *pa, *pb, in[64];
	uint64_t t0, took;
	uint32_t r = 0;

	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), 64, 0, &a), 0);
	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), 64, 0, &b), 0);
	pa = udrv_dma_cpu(a);
	pb = udrv_dma_cpu(b);
	memset(pa, 0x5a, 64);
	memset(pb, 0, 64);
	/* 300 ms for a transfer given 50: it times out, then completes */
	assert_int_equal(udrv_sim_edu_timing(sim, 10000, 300 * MS), 0);
	assert_int_equal(udrv_edu_dma_to_device(edu, a, 0, 0, 64, 50 * MS), -ETIMEDOUT);
	assert_int_equal(udrv_edu_dma_to_device(edu, a, 0, 0, 64, 50 * MS), -EBUSY);
	t0 = udrv_now_ns();
	while ((state_of().dma_cmd & EDU_DMA_CMD_START) && ms_since(t0) < 2000) {
		const struct timespec ms5 = { 0, 5000000 };

		nanosleep(&ms5, NULL);
	}
	assert_int_equal(state_of().dmas, dmas + 1);
	/* the buffer is the CPU's again once the driver has seen it end */
	assert_int_equal(udrv_edu_dma_ready(edu), 0);
	assert_int_equal(udrv_sim_edu_buffer(sim, 0, in, 64), 0);
	assert_memory_equal(in, pa, 64);	/* it did land, late */
	/* the next transfer completes by its own interrupt, not the late one */
	assert_int_equal(udrv_sim_edu_timing(sim, 10000, 100 * MS), 0);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_edu_dma_from_device(edu, 0, b, 0, 64, 1000 * MS), 0);
	took = ms_since(t0);
	print_message("the transfer after the late one took %llu ms\n", (unsigned long long)took);
	assert_true(took >= 100);
	assert_int_equal(state_of().dmas, dmas + 2);
	assert_memory_equal(pb, pa, 64);
	udrv_dma_free(a);
	udrv_dma_free(b);

	/* the same with a factorial: the next result is its own, not its argument */
	assert_int_equal(udrv_sim_edu_timing(sim, 300 * MS, 100 * MS), 0);
	assert_int_equal(udrv_edu_factorial(edu, 7, &r, 50 * MS), -ETIMEDOUT);
	t0 = udrv_now_ns();
	while ((state_of().status & EDU_STATUS_COMPUTING) && ms_since(t0) < 2000) {
		const struct timespec ms5 = { 0, 5000000 };

		nanosleep(&ms5, NULL);
	}
	assert_int_equal(udrv_sim_edu_timing(sim, 50 * MS, 100 * MS), 0);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_edu_factorial(edu, 8, &r, 1000 * MS), 0);
	assert_int_equal(r, 40320);
	assert_true(ms_since(t0) >= 50);
	assert_int_equal(udrv_sim_edu_timing(sim, 10000, 100 * MS), 0);
}

/* QEMU's own default DMA mask (28 bits) with the pool above it: the device
 * cuts the address, the IOMMU refuses it. edu has no error status: the
 * transfer completes, nothing lands. Told the mask, the driver refuses. */
static void test_dma_refused_by_iommu(void **state)
{
	struct udrv_sim_edu_config c = { .dma_mask = 0x0fffffff };
	struct udrv_edu *edu = NULL;
	struct udrv_dma_buf *buf = NULL;
	uint8_t in[64], zero[64] = { 0 }, aa[64];

	edu_case_teardown(state);
	replace(&c);
	assert_int_equal(udrv_edu_open(NULL, &edu), 0);
	*state = edu;
	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), 64, 0, &buf), 0);
	assert_true(udrv_dma_bus(buf) >> 28);
	memset(udrv_dma_cpu(buf), 0x33, 64);
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 64, 1000 * MS), 0);
	assert_int_equal(state_of().dma_faults, 1);
	assert_int_equal(udrv_sim_edu_buffer(sim, 0, in, 64), 0);
	assert_memory_equal(in, zero, 64);	/* read nothing but zeros */
	memset(aa, 0xaa, 64);
	memcpy(udrv_dma_cpu(buf), aa, 64);
	assert_int_equal(udrv_edu_dma_from_device(edu, 0, buf, 0, 64, 1000 * MS), 0);
	assert_int_equal(state_of().dma_faults, 2);
	assert_memory_equal(udrv_dma_cpu(buf), aa, 64);	/* wrote nothing */
	/* told the device's mask, the driver refuses before the device sees it */
	assert_int_equal(udrv_edu_set_dma_bits(edu, 28), 0);
	udrv_sim_trace_clear(sim);
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 64, 1000 * MS), -ERANGE);
	assert_non_null(strstr(udrv_edu_last_error(), "28-bit"));
	assert_int_equal(udrv_sim_trace(sim, NULL, 0), 0);
	assert_int_equal(state_of().dmas, 2);
	udrv_dma_free(buf);
	edu_case_teardown(state);
	replace(NULL);
	assert_int_equal(edu_case_setup(state), 0);
}

struct waiter {
	pthread_t th;
	struct udrv_edu *edu;
	struct udrv_dma_buf *buf;
	int ret;
	uint64_t done;
};

static void *dma_waiter(void *arg)
{
	struct waiter *w = arg;

	w->ret = udrv_edu_dma_to_device(w->edu, w->buf, 0, 0, 64, 10000 * MS);
	w->done = udrv_now_ns();
	return NULL;
}

/* Every call on a removed device: -ENODEV, no register touched. */
static void check_gone(struct udrv_edu *edu, struct udrv_dma_buf *buf)
{
	struct udrv_edu_info info;
	uint32_t r = 0;

	assert_int_equal(udrv_edu_factorial(edu, 3, &r, 100 * MS), -ENODEV);
	assert_int_equal(udrv_edu_irq_raise(edu, EDU_TEST_IRQ), -ENODEV);
	assert_int_equal(udrv_edu_irq_wait(edu, EDU_TEST_IRQ, 100 * MS, NULL), -ENODEV);
	assert_int_equal(udrv_edu_liveness(edu, 1), -ENODEV);
	assert_int_equal(udrv_edu_info(edu, &info), -ENODEV);
	if (buf)
		assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 64, 100 * MS), -ENODEV);
}

static void test_removed_while_waiting(void **state)
{
	struct waiter w = { .edu = *state };
	const struct timespec ms100 = { 0, 100000000 };
	uint64_t t0;

	assert_int_equal(udrv_dma_alloc(udrv_edu_device(w.edu), 64, 0, &w.buf), 0);
	assert_int_equal(udrv_sim_edu_timing(sim, 10000, UDRV_SIM_EDU_NEVER), 0);
	assert_int_equal(pthread_create(&w.th, NULL, dma_waiter, &w), 0);
	nanosleep(&ms100, NULL);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_sim_device_remove(sim), 0);
	assert_int_equal(pthread_join(w.th, NULL), 0);
	print_message("the waiter got %d %llu ms after the removal\n", w.ret,
		      (unsigned long long)((w.done - t0) / MS));
	assert_int_equal(w.ret, -ENODEV);
	assert_true(w.done - t0 < 1000 * MS);
	check_gone(w.edu, w.buf);
	edu_case_teardown(state);	/* no SIGBUS: the registers are left alone */
	assert_int_equal(udrv_edu_open(NULL, &w.edu), -ENODEV);	/* the function stays */
	assert_non_null(strstr(udrv_edu_last_error(), "no driver"));
	replace(NULL);
}

static void test_removed_between_calls(void **state)
{
	struct udrv_edu *edu = *state;
	uint32_t r = 0;

	assert_int_equal(udrv_edu_factorial(edu, 4, &r, 1000 * MS), 0);
	assert_int_equal(r, 24);
	assert_int_equal(udrv_sim_device_remove(sim), 0);
	check_gone(edu, NULL);
	edu_case_teardown(state);
	replace(NULL);
}

/* A function with edu's PCI id but not its registers: refused at open. */
static void test_not_an_edu(void **state)
{
	static const struct udrv_sim_map bar = { "bar0", 0x10000000, 0x100000 };
	static const struct udrv_sim_config c = {
		.name = "udrv_uio", .pci = "0000:00:01.0", .vendor = 0x1234, .device = 0x11e8,
		.maps = &bar, .nmaps = 1, .irqs = 1, .pool_size = 65536,
	};
	struct udrv_edu *edu = NULL;

	edu_case_teardown(state);
	udrv_sim_device_free(sim);
	assert_int_equal(udrv_sim_device_add(&c, &sim), 0);
	assert_int_equal(udrv_edu_open(NULL, &edu), -ENODEV);
	print_message("no registers: %s\n", udrv_edu_last_error());
	assert_non_null(strstr(udrv_edu_last_error(), "identification register reads 0x00000000"));
	/* the identification right, but plain memory behind the liveness register */
	udrv_sim_set(sim, 0, EDU_REG_ID, 4, 0x010000ed);
	assert_int_equal(udrv_edu_open(NULL, &edu), -ENODEV);
	print_message("no liveness: %s\n", udrv_edu_last_error());
	assert_non_null(strstr(udrv_edu_last_error(), "liveness"));
	assert_null(edu);
	replace(NULL);
}

#define OWN(t) cmocka_unit_test_setup_teardown(t, edu_case_setup, edu_case_teardown)

int main(void)
{
	const struct CMUnitTest own[] = {
		OWN(test_irq_sequence),
		OWN(test_factorial_sequence),
		OWN(test_dma_sequence),
		OWN(test_irq_storm),
		OWN(test_dma_never),
		OWN(test_late_completions),
		OWN(test_dma_refused_by_iommu),
		OWN(test_removed_while_waiting),
		OWN(test_removed_between_calls),
		OWN(test_not_an_edu),
	};

	return edu_cases_run("edu", own, sizeof(own) / sizeof(own[0]), group_setup,
			     group_teardown);
}
