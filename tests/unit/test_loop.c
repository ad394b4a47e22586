/* SPDX-License-Identifier: MIT */
/* Event loop: several devices' interrupts and timers in one thread. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct rec {
	int calls;
	int last_status;
	uint32_t last_count;
	struct udrv_irq *last_irq;
	int ret;		/* what the callback returns */
};

static int irq_cb(struct udrv_irq *irq, int status, void *data)
{
	struct rec *r = data;

	r->calls++;
	r->last_status = status;
	r->last_irq = irq;
	r->last_count = udrv_irq_count(irq);
	if (status == 1)
		udrv_irq_unmask(irq);
	return r->ret;
}

struct tick {
	struct udrv_loop *loop;
	int calls, stop_after;
	uint64_t first_ns;
};

static int tick_cb(struct udrv_loop *loop, void *data)
{
	struct tick *t = data;

	assert_ptr_equal(loop, t->loop);
	if (!t->calls++)
		t->first_ns = now_ns();
	if (t->calls == t->stop_after)
		udrv_loop_stop(loop, 42);
	return 0;
}

static void test_two_devices(void **state)
{
	struct udrv_device *rtc = NULL, *edu = NULL;
	struct udrv_irq *i_rtc = NULL, *i_edu = NULL;
	struct udrv_loop *loop = NULL;
	struct rec r1 = { 0 }, r2 = { 0 };

	(void)state;
	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_device_open("rtc", &rtc), 0);
	assert_int_equal(udrv_device_open("edu", &edu), 0);
	assert_int_equal(udrv_device_irq(rtc, 0, &i_rtc), 0);
	assert_int_equal(udrv_device_irq(edu, 0, &i_edu), 0);
	assert_int_equal(udrv_loop_add_irq(loop, i_rtc, irq_cb, &r1), 0);
	assert_int_equal(udrv_loop_add_irq(loop, i_edu, irq_cb, &r2), 0);
	assert_int_equal(udrv_loop_add_irq(loop, i_edu, irq_cb, &r2), -EEXIST);
	assert_int_equal(udrv_loop_add_irq(loop, NULL, irq_cb, &r2), -EINVAL);
	assert_int_equal(udrv_loop_add_irq(loop, i_edu, NULL, &r2), -EINVAL);

	/* nothing pending: times out, nothing called */
	assert_int_equal(udrv_loop_run_once(loop, 1000000), 0);
	fake_fire(0, 6);
	fake_fire(4, 1);
	assert_int_equal(udrv_loop_run_once(loop, 1000000000), 2);
	assert_int_equal(r1.calls, 1);
	assert_int_equal(r1.last_status, 1);
	assert_int_equal(r1.last_count, 6);
	assert_ptr_equal(r1.last_irq, i_rtc);
	assert_int_equal(r2.calls, 1);
	assert_ptr_equal(r2.last_irq, i_edu);
	assert_int_equal(fake_control(0), 1);	/* the callbacks unmasked */
	assert_int_equal(fake_control(4), 1);

	/* only one fires */
	fake_fire(4, 2);
	assert_int_equal(udrv_loop_run_once(loop, 1000000000), 1);
	assert_int_equal(r1.calls, 1);
	assert_int_equal(r2.calls, 2);

	/* removed: no longer served */
	assert_int_equal(udrv_loop_remove_irq(loop, i_edu), 0);
	assert_int_equal(udrv_loop_remove_irq(loop, i_edu), -ENOENT);
	assert_int_equal(udrv_loop_remove_irq(loop, NULL), -ENOENT);
	fake_fire(4, 3);
	assert_int_equal(udrv_loop_run_once(loop, 1000000), 0);
	assert_int_equal(r2.calls, 2);

	udrv_loop_free(loop);
	udrv_loop_free(NULL);
	udrv_device_close(rtc);
	udrv_device_close(edu);
}

static void test_timers(void **state)
{
	struct udrv_loop *loop = NULL;
	struct tick once = { 0 }, periodic = { 0 }, never = { 0 };
	uint64_t t0;
	int id;

	(void)state;
	assert_int_equal(udrv_loop_new(NULL), -EINVAL);
	assert_int_equal(udrv_loop_new(&loop), 0);
	/* nothing to serve: returns at once */
	assert_int_equal(udrv_loop_run(loop), 0);

	once.loop = periodic.loop = never.loop = loop;
	periodic.stop_after = 5;
	t0 = now_ns();
	assert_true(udrv_loop_add_timer(loop, 5000000, 0, tick_cb, &once) > 0);
	assert_true(udrv_loop_add_timer(loop, 2000000, 2000000, tick_cb, &periodic) > 0);
	id = udrv_loop_add_timer(loop, 1000000, 0, tick_cb, &never);
	assert_true(id > 0);
	assert_int_equal(udrv_loop_remove_timer(loop, id), 0);
	assert_int_equal(udrv_loop_remove_timer(loop, id), -ENOENT);
	assert_int_equal(udrv_loop_add_timer(loop, 0, 0, NULL, NULL), -EINVAL);

	assert_int_equal(udrv_loop_run(loop), 42);
	assert_int_equal(periodic.calls, 5);
	assert_int_equal(once.calls, 1);
	assert_int_equal(never.calls, 0);
	assert_true(once.first_ns - t0 >= 5000000);
	assert_true(now_ns() - t0 >= 10000000);	/* 5 periods of 2 ms */
	udrv_loop_free(loop);
}

static int fail_cb(struct udrv_loop *loop, void *data)
{
	(void)loop;
	(*(int *)data)++;
	return -EPROTO;
}

static void test_callback_error(void **state)
{
	struct udrv_device *rtc = NULL;
	struct udrv_irq *irq = NULL;
	struct udrv_loop *loop = NULL;
	struct rec r = { .ret = -EBADMSG };
	int calls = 0;

	(void)state;
	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_true(udrv_loop_add_timer(loop, 0, 1000000, fail_cb, &calls) > 0);
	assert_int_equal(udrv_loop_run(loop), -EPROTO);
	assert_int_equal(calls, 1);
	udrv_loop_free(loop);

	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_device_open("rtc", &rtc), 0);
	assert_int_equal(udrv_device_irq(rtc, 0, &irq), 0);
	assert_int_equal(udrv_loop_add_irq(loop, irq, irq_cb, &r), 0);
	fake_fire(0, 6);
	assert_int_equal(udrv_loop_run(loop), -EBADMSG);
	assert_int_equal(r.calls, 1);
	udrv_loop_free(loop);
	udrv_device_close(rtc);
}

static void test_removal_in_loop(void **state)
{
	struct udrv_device *rtc = NULL;
	struct udrv_irq *irq = NULL;
	struct udrv_loop *loop = NULL;
	struct rec r = { 0 };

	(void)state;
	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_device_open("rtc", &rtc), 0);
	assert_int_equal(udrv_device_irq(rtc, 0, &irq), 0);
	assert_int_equal(udrv_loop_add_irq(loop, irq, irq_cb, &r), 0);
	fake_remove(0);
	/* reported once as -ENODEV, then dropped: the loop has nothing left */
	assert_int_equal(udrv_loop_run(loop), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.last_status, -ENODEV);
	assert_int_equal(udrv_loop_remove_irq(loop, irq), -ENOENT);
	udrv_loop_free(loop);
	udrv_device_close(rtc);
}

/* Callbacks that add and remove sources while the loop walks them. */
struct churn {
	struct udrv_loop *loop;
	struct udrv_irq *other;
	struct rec other_rec;
	int irq_calls, timer_calls, added;
};

static int churn_timer(struct udrv_loop *loop, void *data)
{
	struct churn *c = data;

	c->timer_calls++;
	if (c->added < 40) {	/* grows the timer list from inside a timer */
		c->added++;
		assert_true(udrv_loop_add_timer(loop, 0, 0, churn_timer, c) > 0);
	}
	return 0;
}

static int churn_irq(struct udrv_irq *irq, int status, void *data)
{
	struct churn *c = data;

	assert_int_equal(status, 1);
	c->irq_calls++;
	/* drop itself and the other interrupt, add many timers */
	assert_int_equal(udrv_loop_remove_irq(c->loop, irq), 0);
	assert_int_equal(udrv_loop_remove_irq(c->loop, c->other), 0);
	for (int i = 0; i < 20; i++)
		assert_true(udrv_loop_add_timer(c->loop, 0, 0, churn_timer, c) > 0);
	c->added = 20;
	return 0;
}

static void test_callbacks_change_loop(void **state)
{
	struct udrv_device *rtc = NULL, *edu = NULL;
	struct udrv_irq *i_rtc = NULL, *i_edu = NULL;
	struct churn c = { 0 };

	(void)state;
	assert_int_equal(udrv_loop_new(&c.loop), 0);
	assert_int_equal(udrv_device_open("rtc", &rtc), 0);
	assert_int_equal(udrv_device_open("edu", &edu), 0);
	assert_int_equal(udrv_device_irq(rtc, 0, &i_rtc), 0);
	assert_int_equal(udrv_device_irq(edu, 0, &i_edu), 0);
	c.other = i_edu;
	assert_int_equal(udrv_loop_add_irq(c.loop, i_rtc, churn_irq, &c), 0);
	assert_int_equal(udrv_loop_add_irq(c.loop, i_edu, irq_cb, &c.other_rec), 0);
	/* both fire; the first served removes the second before it is served */
	fake_fire(0, 6);
	fake_fire(4, 1);
	assert_int_equal(udrv_loop_run(c.loop), 0);
	assert_int_equal(c.irq_calls, 1);
	assert_int_equal(c.other_rec.calls, 0);
	assert_int_equal(c.timer_calls, 40);
	udrv_loop_free(c.loop);
	udrv_device_close(rtc);
	udrv_device_close(edu);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_two_devices),
		T(test_timers),
		T(test_callback_error),
		T(test_removal_in_loop),
		T(test_callbacks_change_loop),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
