// SPDX-License-Identifier: MIT
/*
 * drivers/ttc, one test on two targets: in the guest against QEMU's TTC0 on
 * zcu102 (Debian's DTB, /axi/timer@ff110000, its clock from the overlay's
 * clock-frequency), on the host against the model of sim/models/ttc.c with
 * the same identity. Periodic interrupts at 100 Hz (none missed, 1 s within
 * 5% by CLOCK_MONOTONIC, as the issue states), a one-shot that fires once,
 * the counter, and the status cleared before unmasking; the driver's public
 * API only.
 */
#include <errno.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "ttc.h"
#include "ttc_cases.h"

#define MS 1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_open(void **state)
{
	struct udrv_ttc *t = NULL;

	(void)state;
	assert_int_equal(udrv_ttc_open(NULL, 3, 0, &t), -EINVAL);
	assert_int_equal(udrv_ttc_open("no-such-ttc", 0, 0, &t), -ENOENT);
	assert_int_equal(udrv_ttc_open(NULL, 0, 0, &t), 0);
	assert_int_equal(udrv_ttc_clock_hz(t), 133000000);	/* the overlay's (and the model's) */
	assert_true(udrv_ttc_width(t) == 16 || udrv_ttc_width(t) == 32);
	assert_int_equal(udrv_ttc_start_periodic(t, 0), -EINVAL);
	assert_int_equal(udrv_ttc_start_periodic(t, 100000000), -ERANGE);	/* < 2 ticks */
	assert_int_equal(udrv_ttc_start_oneshot(t, 0), -EINVAL);
	if (udrv_ttc_width(t) == 16)	/* 2^16 x 2^16 ticks at 133 MHz: 32 s at most */
		assert_int_equal(udrv_ttc_start_oneshot(t, 100000 * MS), -ERANGE);
	/* stopped: nothing comes */
	assert_int_equal(udrv_ttc_wait(t, 50 * MS, NULL), 0);

	/* counters are shared out one handle each */
	struct udrv_ttc *t1 = NULL, *again = NULL;

	assert_int_equal(udrv_ttc_open(NULL, 1, 0, &t1), 0);
	assert_int_equal(udrv_ttc_open(NULL, 0, 0, &again), -EBUSY);
	assert_int_equal(udrv_ttc_open(NULL, 1, 0, &again), -EBUSY);
	udrv_ttc_close(t);
	assert_int_equal(udrv_ttc_open(NULL, 0, 0, &again), 0);
	udrv_ttc_close(again);
	udrv_ttc_close(t1);
	udrv_ttc_close(NULL);
}

/*
 * One second at 100 Hz: returns true if all 100 interrupts came, each
 * accounting for one expiry (none merged, i.e. missed), the kernel lost
 * none, and the 100th came within 5% of 1 s of the start.
 */
static bool one_second(struct udrv_ttc *t, struct udrv_irq *irq)
{
	uint64_t t0, elapsed, merged = 0, missed0 = udrv_irq_missed(irq);
	int64_t worst = 0;

	t0 = now_ns();
	assert_int_equal(udrv_ttc_start_periodic(t, 100), 0);
	assert_in_range(udrv_ttc_period_ns(t), 9999000, 10001000);
	for (int i = 0; i < 100; i++) {
		struct udrv_ttc_event ev;

		assert_int_equal(udrv_ttc_wait(t, 1000 * MS, &ev) >= 1, 1);
		merged += ev.expirations - 1;
		if (ev.lateness_ns > worst)
			worst = ev.lateness_ns;
	}
	elapsed = now_ns() - t0;
	assert_int_equal(udrv_ttc_stop(t), 0);
	print_message("100 Hz: 100 wakeups in %.1f ms, %llu expiries merged (missed), "
		      "latest wakeup %.1f ms late\n", elapsed / 1e6,
		      (unsigned long long)merged, worst / 1e6);
	return merged == 0 && udrv_irq_missed(irq) == missed0 &&
	       elapsed >= 950 * MS && elapsed <= 1050 * MS;
}

/*
 * QEMU (and the host test, under valgrind) runs on a shared host: when the
 * host does not schedule it for a whole period, the TTC itself latches two
 * expiries as one, and no driver can see them apart. So the second is tried up to ten times,
 * each printed; one clean second passes, ten bad ones fail (five did, once in a
 * whole run, on zcu102@6.12-rt beside two other guests).
 */
static void test_periodic_100hz(void **state)
{
	struct udrv_irq *irq;
	struct udrv_ttc *t = NULL;
	bool ok = false;

	(void)state;
	assert_int_equal(udrv_ttc_open(NULL, 0, 0, &t), 0);
	assert_int_equal(udrv_device_irq(udrv_ttc_device(t), 0, &irq), 0);
	for (int attempt = 0; attempt < 10 && !ok; attempt++)
		ok = one_second(t, irq);
	if (!ok) {
		udrv_ttc_close(t);	/* the next test needs the counter */
		fail_msg("no second at 100 Hz without a missed interrupt in 10 tries");
	}
	assert_int_equal(udrv_ttc_wait(t, 50 * MS, NULL), 0);
	udrv_ttc_close(t);
}

static void test_oneshot_fires_once(void **state)
{
	struct udrv_ttc_event ev;
	struct udrv_ttc *t = NULL;
	uint32_t c1;

	(void)state;
	assert_int_equal(udrv_ttc_open(NULL, 1, 0, &t), 0);
	assert_int_equal(udrv_ttc_start_oneshot(t, 50 * MS), 0);
	assert_int_equal(udrv_ttc_wait(t, 2000 * MS, &ev), 1);
	assert_int_equal(ev.expirations, 1);
	assert_true(ev.lateness_ns >= 0);	/* not before its time */
	/* and never again: the counter stopped */
	assert_int_equal(udrv_ttc_wait(t, 300 * MS, &ev), 0);
	assert_int_equal(udrv_ttc_expirations(t), 1);
	c1 = udrv_ttc_count(t);
	usleep(5000);
	assert_int_equal(udrv_ttc_count(t), c1);
	udrv_ttc_close(t);
}

static void test_counter_runs(void **state)
{
	struct udrv_ttc *t = NULL;
	uint32_t c1, c2;

	(void)state;
	assert_int_equal(udrv_ttc_open(NULL, 2, 0, &t), 0);
	assert_int_equal(udrv_ttc_start_periodic(t, 10), 0);	/* 100 ms: no wrap in 5 ms */
	c1 = udrv_ttc_count(t);
	usleep(5000);
	c2 = udrv_ttc_count(t);
	assert_true(c2 > c1);
	udrv_ttc_close(t);
}

/* A cause left latched (interrupts fired, never read) must not wake the
 * next start: its status is cleared before the line is unmasked. */
static void test_stale_cause_cleared(void **state)
{
	struct udrv_ttc_event ev;
	struct udrv_ttc *t = NULL;

	(void)state;
	assert_int_equal(udrv_ttc_open(NULL, 0, 0, &t), 0);
	assert_int_equal(udrv_ttc_start_periodic(t, 1000), 0);
	usleep(30000);	/* Iv latched, the kernel took the interrupt and masked it */
	assert_int_equal(udrv_ttc_start_oneshot(t, 100 * MS), 0);
	assert_int_equal(udrv_ttc_wait(t, 2000 * MS, &ev), 1);
	assert_true(ev.lateness_ns >= 0);	/* the one-shot's, not the stale one */
	assert_int_equal(udrv_ttc_wait(t, 200 * MS, &ev), 0);
	udrv_ttc_close(t);
}

const struct CMUnitTest ttc_cases[TTC_NUM_CASES] = {
	cmocka_unit_test(test_open),
	cmocka_unit_test(test_periodic_100hz),
	cmocka_unit_test(test_oneshot_fires_once),
	cmocka_unit_test(test_counter_runs),
	cmocka_unit_test(test_stale_cause_cleared),
};
