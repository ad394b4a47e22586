// SPDX-License-Identifier: MIT
/*
 * The PL031 driver (drivers/pl031) on the host, against the model
 * (sim/models/pl031.c).
 *
 * The shared cases (tests/shared/pl031_cases.c, also run in the guest on
 * QEMU's PL031) run in the group "pl031" on the model at its defaults. The
 * group "pl031-host" holds what QEMU cannot show, each case on a model of
 * its own: the register sequences that matter (the alarm cleared at the
 * device before the line is unmasked; a counter nobody started started at
 * open), a level held while the alarm is not waited for, matches the
 * driver did not arm for (one, and a storm while it waits), removal while
 * it waits and between calls, a device that is not a PL031, the selectors.
 *
 * Run with no argument: both groups; "shared" or "host": one (meson runs
 * the two side by side).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shared/pl031_cases.h"
#include "udrv_sim_pl031.h"

/* The driver's registers, as the model and the trace see them (TRM 3.2). */
#define RTCDR	0x000
#define RTCMR	0x004
#define RTCCR	0x00c
#define RTCIMSC	0x010
#define RTCRIS	0x014
#define RTCMIS	0x018
#define RTCICR	0x01c

static struct udrv_sim_device *group_dev;

static int group_setup(void **state)
{
	(void)state;
	return udrv_sim_pl031_add(NULL, &group_dev) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	udrv_sim_device_free(group_dev);
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* A host-only case: its own model (@cfg), the driver opened on it. */
struct host {
	struct udrv_sim_device *d;
	struct udrv_pl031 *rtc;
	struct udrv_irq *irq;
};

/* What the case opened, for cleanup() when it fails half-way (its own
 * struct host is gone with its stack frame then). */
static struct host opened;

static void host_open(struct host *h, const struct udrv_sim_pl031_config *cfg)
{
	memset(h, 0, sizeof(*h));
	assert_int_equal(udrv_sim_pl031_add(cfg, &h->d), 0);
	opened.d = h->d;
	if (udrv_pl031_open(NULL, &h->rtc))
		fail_msg("udrv_pl031_open: %s", udrv_pl031_last_error());
	opened.rtc = h->rtc;
	assert_int_equal(udrv_device_irq(udrv_pl031_device(h->rtc), 0, &h->irq), 0);
}

static void host_close(struct host *h)
{
	udrv_pl031_close(h->rtc);
	udrv_sim_device_free(h->d);
	memset(&opened, 0, sizeof(opened));
}

/* After each host case: what a failed one left open goes, so that the next
 * finds no model in its place. */
static int cleanup(void **state)
{
	(void)state;
	if (opened.d)
		host_close(&opened);
	return 0;
}

static uint32_t reg(struct host *h, size_t off)
{
	return (uint32_t)udrv_sim_get(h->d, 0, off, 4);
}

/* Wait up to 2 s for the model to deliver interrupt number @n. */
static void until_delivered(struct host *h, uint32_t n)
{
	for (int ms = 0; udrv_sim_irq_count(h->d, 0) < n; ms++) {
		if (ms == 2000)
			fail_msg("no interrupt %u from the model in 2 s", n);
		usleep(1000);
	}
}

/* One expected trace event: a read or write of @off (with @value unless
 * @any), or an interrupt event (IRQ, UNMASK, MASK). */
struct step {
	enum udrv_sim_event ev;
	size_t off;
	uint64_t value;
	bool any;
};

#define R(off, v)	{ UDRV_SIM_READ, (off), (v), false }
#define R_ANY(off)	{ UDRV_SIM_READ, (off), 0, true }
#define W(off, v)	{ UDRV_SIM_WRITE, (off), (v), false }
#define EV(e)		{ (e), 0, 0, true }

static const char *const ev_name[] = { "read", "write", "irq", "unmask", "mask" };

static struct udrv_sim_trace *trace(struct udrv_sim_device *d, size_t *n)
{
	struct udrv_sim_trace *t;

	*n = udrv_sim_trace(d, NULL, 0);
	t = calloc(*n + 1, sizeof(*t));
	assert_non_null(t);
	assert_int_equal(udrv_sim_trace(d, t, *n), *n);
	return t;
}

static void print_trace(const struct udrv_sim_trace *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		print_message("  %2zu %-6s 0x%03zx 0x%llx\n", i, ev_name[t[i].event], t[i].a.off,
			      (unsigned long long)t[i].a.value);
}

static bool step_is(const struct udrv_sim_trace *t, const struct step *s)
{
	if (t->event != s->ev)
		return false;
	if (s->ev != UDRV_SIM_READ && s->ev != UDRV_SIM_WRITE)
		return true;
	return t->a.off == s->off && t->a.width == 4 && (s->any || t->a.value == s->value);
}

/* The trace from event @from on is exactly @steps. */
static void expect_steps(const struct udrv_sim_trace *t, size_t n, size_t from,
			 const struct step *steps, size_t nsteps)
{
	bool ok = n - from == nsteps;

	for (size_t i = 0; ok && i < nsteps; i++)
		ok = step_is(&t[from + i], &steps[i]);
	if (!ok) {
		print_trace(t, n);
		fail_msg("the trace from event %zu is not the %zu steps expected", from, nsteps);
	}
}

/* The index of the first event at or after @from that is @s; fails if none. */
static size_t find_step(const struct udrv_sim_trace *t, size_t n, size_t from,
			const struct step *s)
{
	for (size_t i = from; i < n; i++)
		if (step_is(&t[i], s))
			return i;
	print_trace(t, n);
	fail_msg("no %s of 0x%03zx after event %zu", ev_name[s->ev], s->off, from);
	return n;
}

/* ---- register sequences ------------------------------------------------ */

/* Open reads the ID registers, starts a counter nobody started (QEMU's is
 * always started) and only then, disables and clears the alarm at the
 * device before it unmasks the line. A running counter is left alone. */
static void test_open_sequence(void **state)
{
	const struct udrv_sim_pl031_config stopped = { .time = 1000, .stopped = true };
	const struct step id[] = {
		R(0xfe0, 0x31), R(0xfe4, 0x10), R(0xfe8, 0x14), R(0xfec, 0x00),
		R(0xff0, 0x0d), R(0xff4, 0xf0), R(0xff8, 0x05), R(0xffc, 0xb1),
	};
	const struct step start[] = {
		R(RTCCR, 0), W(RTCCR, 1), W(RTCIMSC, 0), W(RTCICR, 1), EV(UDRV_SIM_UNMASK),
	};
	const struct step running[] = {
		R(RTCCR, 1), W(RTCIMSC, 0), W(RTCICR, 1), EV(UDRV_SIM_UNMASK),
	};
	struct udrv_sim_trace *t;
	struct host h;
	uint32_t secs;
	size_t n;

	(void)state;
	host_open(&h, &stopped);
	t = trace(h.d, &n);
	assert_true(n >= 8);
	expect_steps(t, 8, 0, id, 8);
	expect_steps(t, n, 8, start, sizeof(start) / sizeof(start[0]));
	free(t);
	/* it counts now, from where it stood */
	uint32_t from;

	assert_int_equal(udrv_pl031_time(h.rtc, &from), 0);
	assert_true(from == 1000 || from == 1001);	/* a loaded host: a tick on */
	secs = from;
	for (int ms = 0; secs == from; ms++) {
		if (ms == 1200)
			fail_msg("the counter did not start");
		usleep(1000);
		udrv_pl031_time(h.rtc, &secs);
	}
	assert_true(secs > from && secs <= from + 2);
	host_close(&h);

	host_open(&h, NULL);
	t = trace(h.d, &n);
	expect_steps(t, n, 8, running, sizeof(running) / sizeof(running[0]));
	free(t);
	host_close(&h);
}

/* The alarm: armed as clear, match, unmask at the device (RTCICR before the
 * new RTCMR before RTCIMSC); when it fires, the level line is cleared at
 * the device before the driver unmasks it, so it fires once. */
static void test_alarm_sequence(void **state)
{
	const struct step fired[] = {
		EV(UDRV_SIM_IRQ), R(RTCMIS, 1), R_ANY(RTCDR), W(RTCIMSC, 0), W(RTCICR, 1),
		EV(UDRV_SIM_UNMASK),
	};
	struct udrv_sim_trace *t;
	struct host h;
	size_t n, clear, match, enable, irq;
	uint32_t when = 0;

	(void)state;
	host_open(&h, NULL);
	udrv_sim_trace_clear(h.d);
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 1), 0);
	assert_int_equal(udrv_pl031_alarm_armed(h.rtc, &when), 1);
	assert_int_equal(reg(&h, RTCMR), when);
	assert_int_equal(udrv_pl031_alarm_wait(h.rtc, 3 * SEC), 1);
	t = trace(h.d, &n);
	clear = find_step(t, n, 0, &(struct step)W(RTCICR, 1));
	match = find_step(t, n, clear, &(struct step)W(RTCMR, when));
	enable = find_step(t, n, match, &(struct step)W(RTCIMSC, 1));
	irq = find_step(t, n, enable, &(struct step)EV(UDRV_SIM_IRQ));
	expect_steps(t, n, irq, fired, sizeof(fired) / sizeof(fired[0]));
	assert_int_equal(t[irq + 2].a.value, when);	/* the counter at the alarm */
	free(t);
	/* the level is down: the unmask did not fire it again */
	assert_int_equal(reg(&h, RTCRIS), 0);
	assert_false(udrv_sim_irq_masked(h.d, 0));
	assert_int_equal(udrv_sim_irq_count(h.d, 0), 1);
	assert_int_equal(udrv_irq_wait(h.irq, 200 * MS), 0);
	host_close(&h);
}

/* ---- a level held, matches not armed for ------------------------------- */

/* An alarm that fires while nobody waits holds its level line, masked by
 * the stub: one event, no storm. The wait then takes it at once and clears
 * it; a cancel after it fired says so (1) and leaves nothing pending. */
static void test_level_held_until_taken(void **state)
{
	struct host h;
	uint64_t t0;

	(void)state;
	host_open(&h, NULL);
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 1), 0);
	until_delivered(&h, 1);
	usleep(200 * 1000);
	assert_int_equal(udrv_sim_irq_count(h.d, 0), 1);
	assert_true(udrv_sim_irq_masked(h.d, 0));
	assert_int_equal(reg(&h, RTCMIS), 1);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_pl031_alarm_wait(h.rtc, 3 * SEC), 1);
	assert_true(udrv_now_ns() - t0 < 100 * MS);
	assert_int_equal(reg(&h, RTCRIS), 0);
	assert_false(udrv_sim_irq_masked(h.d, 0));

	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 1), 0);
	until_delivered(&h, 2);
	assert_int_equal(udrv_pl031_alarm_cancel(h.rtc), 1);
	assert_int_equal(udrv_pl031_alarm_armed(h.rtc, NULL), 0);
	assert_int_equal(reg(&h, RTCRIS), 0);
	assert_int_equal(reg(&h, RTCIMSC), 0);
	assert_false(udrv_sim_irq_masked(h.d, 0));
	assert_int_equal(udrv_irq_wait(h.irq, 100 * MS), 0);
	assert_int_equal(udrv_sim_irq_count(h.d, 0), 2);
	host_close(&h);
}

/* A match the driver did not arm for (the counter passing an older RTCMR):
 * not its alarm, by the counter. The wait consumes and clears it and goes
 * on waiting; a cancel does not count it as fired; the alarm still fires
 * when the counter gets there. */
static void test_stale_match(void **state)
{
	struct host h;
	uint32_t when = 0, t;

	(void)state;
	host_open(&h, NULL);
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 2), 0);
	assert_int_equal(udrv_pl031_alarm_armed(h.rtc, &when), 1);
	assert_int_equal(udrv_sim_pl031_match(h.d), 0);
	assert_int_equal(udrv_sim_irq_count(h.d, 0), 1);
	assert_int_equal(udrv_pl031_alarm_wait(h.rtc, 0), 0);
	assert_int_equal(udrv_pl031_alarm_armed(h.rtc, NULL), 1);
	assert_int_equal(reg(&h, RTCRIS), 0);
	assert_false(udrv_sim_irq_masked(h.d, 0));

	assert_int_equal(udrv_sim_pl031_match(h.d), 0);
	assert_int_equal(udrv_pl031_alarm_cancel(h.rtc), 0);
	assert_int_equal(reg(&h, RTCRIS), 0);
	assert_int_equal(udrv_irq_wait(h.irq, 0), 0);

	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 2), 0);
	assert_int_equal(udrv_pl031_alarm_armed(h.rtc, &when), 1);
	assert_int_equal(udrv_sim_pl031_match(h.d), 0);
	assert_int_equal(udrv_pl031_alarm_wait(h.rtc, 4 * SEC), 1);
	udrv_pl031_time(h.rtc, &t);
	assert_true((int32_t)(t - when) >= 0);
	assert_int_equal(udrv_sim_irq_count(h.d, 0), 4);
	host_close(&h);
}

struct storm {
	struct udrv_sim_device *d;
	unsigned int n;		/* matches made */
};

/* A match every millisecond for 300 ms, well before the alarm's time. */
static void *storm_main(void *arg)
{
	struct storm *s = arg;
	uint64_t end = udrv_deadline_ns(300 * MS);

	while (udrv_left_ns(end)) {
		if (udrv_sim_pl031_match(s->d))
			return (void *)1;
		s->n++;
		usleep(1000);
	}
	return NULL;
}

/* Hundreds of matches not armed for, a millisecond apart, while the driver
 * waits for its alarm: each is taken and cleared, none is taken for the
 * alarm, which fires when the counter gets there; nothing is left pending. */
static void test_match_storm(void **state)
{
	struct storm s = { 0 };
	struct host h;
	pthread_t th;
	void *ret;
	uint32_t when = 0, t;
	uint64_t t0;

	(void)state;
	host_open(&h, NULL);
	s.d = h.d;
	t0 = udrv_now_ns();
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 2), 0);
	assert_int_equal(udrv_pl031_alarm_armed(h.rtc, &when), 1);
	assert_int_equal(pthread_create(&th, NULL, storm_main, &s), 0);
	assert_int_equal(udrv_pl031_alarm_wait(h.rtc, 5 * SEC), 1);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_null(ret);
	udrv_pl031_time(h.rtc, &t);
	assert_true((int32_t)(t - when) >= 0);
	assert_true(udrv_now_ns() - t0 >= 1 * SEC);
	print_message("%u matches, %u interrupts delivered\n", s.n, udrv_sim_irq_count(h.d, 0));
	assert_true(s.n >= 20);
	/* each taken (a match while the line was masked shares its event) */
	assert_true(udrv_sim_irq_count(h.d, 0) >= 20);
	assert_int_equal(reg(&h, RTCRIS), 0);
	assert_false(udrv_sim_irq_masked(h.d, 0));
	assert_int_equal(udrv_irq_wait(h.irq, 0), 0);
	host_close(&h);
}

/* ---- removal ------------------------------------------------------------ */

struct waiter {
	struct udrv_pl031 *rtc;
	int ret;
	char why[256];
};

static void *wait_main(void *arg)
{
	struct waiter *w = arg;

	w->ret = udrv_pl031_alarm_wait(w->rtc, 10 * SEC);
	snprintf(w->why, sizeof(w->why), "%s", udrv_pl031_last_error());
	return NULL;
}

/* After the driver saw the device removed, every call says -ENODEV and
 * none touches the registers (revoked: an access would be SIGBUS). */
static void expect_all_enodev(struct host *h)
{
	uint32_t secs;

	assert_int_equal(udrv_pl031_alarm_wait(h->rtc, 0), -ENODEV);
	assert_int_equal(udrv_pl031_time(h->rtc, &secs), -ENODEV);
	assert_int_equal(udrv_pl031_set_time(h->rtc, 5), -ENODEV);
	assert_int_equal(udrv_pl031_alarm_in(h->rtc, 1), -ENODEV);
	assert_int_equal(udrv_pl031_alarm_at(h->rtc, 0x7fffffff), -ENODEV);
	assert_int_equal(udrv_pl031_alarm_cancel(h->rtc), -ENODEV);
	host_close(h);	/* the close frees, touches nothing */
}

/* Removed (unbound) while the driver waits in another thread for an alarm
 * 5 s away: the wait returns -ENODEV at once. */
static void test_removed_while_waiting(void **state)
{
	struct waiter w = { .ret = 1 };
	struct host h;
	pthread_t th;
	uint64_t t0;

	(void)state;
	host_open(&h, NULL);
	w.rtc = h.rtc;
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 5), 0);
	assert_int_equal(pthread_create(&th, NULL, wait_main, &w), 0);
	usleep(100 * 1000);
	t0 = udrv_now_ns();
	assert_int_equal(udrv_sim_device_remove(h.d), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.ret, -ENODEV);
	assert_non_null(strstr(w.why, "removed"));
	assert_true(udrv_now_ns() - t0 < 500 * MS);
	expect_all_enodev(&h);
}

/* Removed between arming and waiting: the wait says -ENODEV, does not hang.
 * Removed and closed with no call in between: the close does not fault. */
static void test_removed_between_calls(void **state)
{
	struct host h;

	(void)state;
	host_open(&h, NULL);
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 5), 0);
	assert_int_equal(udrv_sim_device_remove(h.d), 0);
	assert_int_equal(udrv_pl031_alarm_wait(h.rtc, 10 * SEC), -ENODEV);
	assert_non_null(strstr(udrv_pl031_last_error(), "removed"));
	expect_all_enodev(&h);

	host_open(&h, NULL);
	assert_int_equal(udrv_pl031_alarm_in(h.rtc, 5), 0);
	assert_int_equal(udrv_sim_device_remove(h.d), 0);
	host_close(&h);
}

/* ---- identity ----------------------------------------------------------- */

/* A device whose ID registers are not a PL031's (here part 0x030): refused
 * with the reason, after reads of its ID registers only (nothing written
 * to a device the driver does not know). */
static void test_not_a_pl031(void **state)
{
	const struct udrv_sim_pl031_config pl030 = { .periph_id = 0x00041030 };
	struct udrv_sim_device *d;
	struct udrv_pl031 *rtc = NULL;
	struct udrv_sim_trace *t;
	size_t n;

	(void)state;
	assert_int_equal(udrv_sim_pl031_add(&pl030, &d), 0);
	opened.d = d;
	assert_int_equal(udrv_pl031_open(NULL, &rtc), -ENODEV);
	assert_null(rtc);
	print_message("refused: %s\n", udrv_pl031_last_error());
	assert_non_null(strstr(udrv_pl031_last_error(), "not a PL031"));
	assert_non_null(strstr(udrv_pl031_last_error(), "part 0x030"));
	t = trace(d, &n);
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++)
		assert_true(t[i].event == UDRV_SIM_READ && t[i].a.off >= 0xfe0);
	free(t);
	host_close(&opened);
}

/* Each selector finds the virt board's PL031: the default (its
 * compatible), a compatible, its DT path, its UIO name; it is one
 * driver's at a time. */
static void test_selectors(void **state)
{
	const char *const sel[] = { NULL, "arm,pl031", UDRV_SIM_PL031_DT_PATH, UDRV_SIM_PL031_NAME };
	struct udrv_sim_device *d;
	struct udrv_pl031 *rtc, *again = NULL;

	(void)state;
	assert_int_equal(udrv_sim_pl031_add(NULL, &d), 0);
	opened.d = d;
	for (size_t i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		if (udrv_pl031_open(sel[i], &rtc))
			fail_msg("%s: %s", sel[i] ? sel[i] : "(default)", udrv_pl031_last_error());
		assert_string_equal(udrv_device_dt_path(udrv_pl031_device(rtc)),
				    UDRV_SIM_PL031_DT_PATH);
		assert_int_equal(udrv_pl031_open(sel[i], &again), -EBUSY);
		assert_null(again);
		udrv_pl031_close(rtc);
	}
	host_close(&opened);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test_teardown(test_open_sequence, cleanup),
		cmocka_unit_test_teardown(test_alarm_sequence, cleanup),
		cmocka_unit_test_teardown(test_level_held_until_taken, cleanup),
		cmocka_unit_test_teardown(test_stale_match, cleanup),
		cmocka_unit_test_teardown(test_match_storm, cleanup),
		cmocka_unit_test_teardown(test_removed_while_waiting, cleanup),
		cmocka_unit_test_teardown(test_removed_between_calls, cleanup),
		cmocka_unit_test_teardown(test_not_a_pl031, cleanup),
		cmocka_unit_test_teardown(test_selectors, cleanup),
	};
	/* [shared|host [K/N]]: one group, and of it the cases i with i % N == K,
	 * so that meson runs the slow real-time cases side by side */
	const char *which = argc > 1 ? argv[1] : "";
	unsigned int k = 0, parts = 1;
	int failed = 0;

	if (argc > 2 && (sscanf(argv[2], "%u/%u", &k, &parts) != 2 || !parts || k >= parts)) {
		fprintf(stderr, "usage: %s [shared|host [K/N]]\n", argv[0]);
		return 2;
	}
	if (strcmp(which, "host")) {
		struct CMUnitTest part[pl031_ncases];
		size_t n = 0;

		for (size_t i = 0; i < pl031_ncases; i++)
			if (i % parts == k)
				part[n++] = pl031_cases[i];
		failed += _cmocka_run_group_tests("pl031", part, n, group_setup, group_teardown);
	}
	if (strcmp(which, "shared")) {
		struct CMUnitTest part[sizeof(host) / sizeof(host[0])];
		size_t n = 0;

		for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
			if (i % parts == k)
				part[n++] = host[i];
		failed += _cmocka_run_group_tests("pl031-host", part, n, NULL, NULL);
	}
	return failed;
}
