// SPDX-License-Identifier: MIT
/*
 * The PL031 driver's (drivers/pl031) behaviour on either target, QEMU's
 * PL031 in the guest or the model on the host (pl031_cases.h).
 *
 * Issue 6: setting the clock; a 2-second alarm fires after 1 to 2 s
 * (hardware) or 2 s (QEMU) through the interrupt, once; a cancelled alarm
 * does not fire; alarms in a row each fire exactly once; an alarm in the
 * past and absent devices are refused with a reason, the device left
 * usable. And the counter's arithmetic: an alarm across the 2^32 wrap, an
 * armed alarm moved by loading the clock.
 */
#include <errno.h>
#include <string.h>

#include "pl031_cases.h"

#ifndef PL031_ALARMS_IN_A_ROW
#define PL031_ALARMS_IN_A_ROW 20
#endif
unsigned int pl031_alarms_in_a_row = PL031_ALARMS_IN_A_ROW;

int pl031_setup(void **state)
{
	static struct pl031_fixture f;

	memset(&f, 0, sizeof(f));
	if (udrv_pl031_open(NULL, &f.rtc)) {
		print_error("udrv_pl031_open: %s\n", udrv_pl031_last_error());
		return -1;
	}
	if (udrv_device_irq(udrv_pl031_device(f.rtc), 0, &f.irq))
		return -1;
	udrv_pl031_time(f.rtc, &f.saved);
	f.t0 = udrv_now_ns();
	*state = &f;
	return 0;
}

int pl031_teardown(void **state)
{
	struct pl031_fixture *f = *state;

	/* Put the clock back where it would be had nobody set it. */
	udrv_pl031_set_time(f->rtc, f->saved + (uint32_t)((udrv_now_ns() - f->t0 + SEC / 2) / SEC));
	udrv_pl031_close(f->rtc);
	return 0;
}

static void test_set_time(void **state)
{
	struct pl031_fixture *f = *state;
	uint32_t t;

	assert_int_equal(udrv_pl031_set_time(f->rtc, 1700000000u), 0);
	udrv_pl031_time(f->rtc, &t);
	assert_true(t - 1700000000u <= 1);
	assert_int_equal(udrv_pl031_set_time(f->rtc, 4000000000u), 0);
	udrv_pl031_time(f->rtc, &t);
	assert_true(t - 4000000000u <= 1);
}

/* A 2-second alarm fires after 1 to 2 s (QEMU: 2 s), through the
 * interrupt, once. */
static void test_alarm_2s(void **state)
{
	struct pl031_fixture *f = *state;
	uint32_t before = udrv_irq_count(f->irq), when = 0, t;
	uint64_t t0, dt;

	t0 = udrv_now_ns();
	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 2), 0);
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, &when), 1);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 0), 0);	/* not yet */
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 5 * SEC), 1);
	dt = udrv_now_ns() - t0;
	print_message("2 s alarm fired after %.3f s\n", (double)dt / 1e9);
	assert_true(dt >= 1 * SEC && dt <= 3 * SEC);
	assert_int_equal(udrv_irq_count(f->irq), before + 1);
	udrv_pl031_time(f->rtc, &t);
	assert_true((int32_t)(t - when) >= 0);
	/* one-shot, cleared before the unmask: no second event */
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, NULL), 0);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 0), -ENOENT);
	assert_int_equal(udrv_irq_wait(f->irq, 300 * MS), 0);
	assert_int_equal(udrv_irq_count(f->irq), before + 1);
}

/* A cancelled alarm does not fire; the next one fires on time (not at once,
 * from the old match), once. */
static void test_cancelled_alarm(void **state)
{
	struct pl031_fixture *f = *state;
	uint32_t before = udrv_irq_count(f->irq), when = 0, t;
	uint64_t t0;

	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 1), 0);
	assert_int_equal(udrv_pl031_alarm_cancel(f->rtc), 0);
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, NULL), 0);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 0), -ENOENT);
	assert_int_equal(udrv_irq_wait(f->irq, 2500 * MS), 0);	/* past its time */
	assert_int_equal(udrv_irq_count(f->irq), before);

	t0 = udrv_now_ns();
	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 2), 0);
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, &when), 1);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 4 * SEC), 1);
	assert_true(udrv_now_ns() - t0 >= 1 * SEC);
	udrv_pl031_time(f->rtc, &t);
	assert_true((int32_t)(t - when) >= 0);
	assert_int_equal(udrv_irq_count(f->irq), before + 1);
}

/* Alarms in a row (1 s each) each fire exactly once. */
static void test_alarms_in_a_row(void **state)
{
	struct pl031_fixture *f = *state;
	uint32_t before = udrv_irq_count(f->irq);
	uint64_t missed = udrv_irq_missed(f->irq);

	for (uint32_t i = 0; i < pl031_alarms_in_a_row; i++) {
		assert_int_equal(udrv_pl031_alarm_in(f->rtc, 1), 0);
		if (udrv_pl031_alarm_wait(f->rtc, 3 * SEC) != 1)
			fail_msg("alarm %u did not fire", i);
		if (udrv_irq_count(f->irq) != before + i + 1)
			fail_msg("alarm %u: %u events, expected %u", i,
				 udrv_irq_count(f->irq) - before, i + 1);
	}
	assert_int_equal(udrv_irq_wait(f->irq, 1200 * MS), 0);
	assert_int_equal(udrv_irq_count(f->irq), before + pl031_alarms_in_a_row);
	assert_int_equal(udrv_irq_missed(f->irq), missed);
}

/* The counter wraps at 2^32, and the alarm with it: loaded with
 * 0xffffffff, an alarm 2 s ahead is at 1 (or 2, had the second turned)
 * and fires after the wrap. */
static void test_alarm_across_wrap(void **state)
{
	struct pl031_fixture *f = *state;
	uint32_t when = 0, t;

	assert_int_equal(udrv_pl031_set_time(f->rtc, 0xffffffffu), 0);
	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 2), 0);
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, &when), 1);
	assert_true(when == 1 || when == 2);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 4 * SEC), 1);
	udrv_pl031_time(f->rtc, &t);
	assert_true(t >= when && t < 10);
}

/* Loading the clock moves an armed alarm (it stays at its counter value):
 * past it, the alarm does not fire (until the wrap); a second before it,
 * it fires within a second or so. */
static void test_set_time_moves_alarm(void **state)
{
	struct pl031_fixture *f = *state;
	uint32_t now, when, t;
	uint64_t t0;

	udrv_pl031_time(f->rtc, &now);
	when = now + 100;
	assert_int_equal(udrv_pl031_alarm_at(f->rtc, when), 0);
	assert_int_equal(udrv_pl031_set_time(f->rtc, when + 100), 0);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 1500 * MS), 0);
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, NULL), 1);

	t0 = udrv_now_ns();
	assert_int_equal(udrv_pl031_set_time(f->rtc, when - 1), 0);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 3 * SEC), 1);
	assert_true(udrv_now_ns() - t0 <= 2 * SEC);
	udrv_pl031_time(f->rtc, &t);
	assert_true((int32_t)(t - when) >= 0);
}

/* Alarms in the past and absent devices: refused with a reason; the
 * device still works afterwards. */
static void test_bad_input(void **state)
{
	struct pl031_fixture *f = *state;
	struct udrv_pl031 *other = NULL;
	uint32_t now;

	udrv_pl031_time(f->rtc, &now);
	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 0), -EINVAL);
	assert_true(strlen(udrv_pl031_last_error()) > 0);
	assert_int_equal(udrv_pl031_alarm_at(f->rtc, now - 10), -EINVAL);
	assert_non_null(strstr(udrv_pl031_last_error(), "not in the future"));
	assert_int_equal(udrv_pl031_alarm_at(f->rtc, now), -EINVAL);
	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 0x80000000u), -EINVAL);
	assert_int_equal(udrv_pl031_alarm_armed(f->rtc, NULL), 0);

	assert_int_equal(udrv_pl031_open("no-such-rtc", &other), -ENOENT);
	assert_non_null(strstr(udrv_pl031_last_error(), "no-such-rtc"));
	assert_int_equal(udrv_pl031_open("vendor,no-such-rtc", &other), -ENOENT);
	assert_true(strlen(udrv_pl031_last_error()) > 0);
	assert_null(other);

	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 1), 0);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 3 * SEC), 1);
}

const struct CMUnitTest pl031_cases[] = {
	cmocka_unit_test_setup_teardown(test_set_time, pl031_setup, pl031_teardown),
	cmocka_unit_test_setup_teardown(test_alarm_2s, pl031_setup, pl031_teardown),
	cmocka_unit_test_setup_teardown(test_cancelled_alarm, pl031_setup, pl031_teardown),
	cmocka_unit_test_setup_teardown(test_alarms_in_a_row, pl031_setup, pl031_teardown),
	cmocka_unit_test_setup_teardown(test_alarm_across_wrap, pl031_setup, pl031_teardown),
	cmocka_unit_test_setup_teardown(test_set_time_moves_alarm, pl031_setup, pl031_teardown),
	cmocka_unit_test_setup_teardown(test_bad_input, pl031_setup, pl031_teardown),
};

const size_t pl031_ncases = sizeof(pl031_cases) / sizeof(pl031_cases[0]);
