// SPDX-License-Identifier: MIT
/*
 * test_rtc_cuse - `udrv-pl031 rtc`: the userspace PL031 driver served as an
 * RTC character device, /dev/udrv-rtc0, through CUSE (issue 23), on virt
 * (Linux 6.1, the cuse module from the initramfs).
 *
 * Busybox's hwclock sets the RTC from the guest's clock and reads it back
 * through the node; the hardware holds that time once the export stops
 * (read through the driver). This program, as any RTC client would, drives
 * the alarm ioctls and waits with poll() and read(): an alarm fires once,
 * on time, with rtc-dev's value; a cancelled one does not; a blocked read
 * is interrupted by a signal. Bad times and unsupported ioctls get
 * rtc-dev's errors; a second export is refused with one line; SIGTERM
 * exits 0 and removes the node. The guest's clock and the RTC are put back
 * as they were (the host checks the RTC against its clock: time-check).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "child.h"
#include "pl031.h"

#define CLI		"/usr/bin/udrv-pl031"
#define NODE		"/dev/udrv-rtc0"	/* the default name */
#define NODE2		"/dev/udrv-rtc1"
#define HW_TIME		2000000000ll		/* 2033-05-18 03:33:20 UTC, a Wednesday */
#define HW_DATE		"2033-05-18 03:33:20"
#define EVENT		(RTC_AF | RTC_IRQF | (1ul << 8))	/* one alarm */
#define MS		1000000ull

static struct {
	pid_t pid;		/* the export */
	int out, err;		/* its stdout, stderr */
	uint32_t rtc0;		/* the RTC, read as its second turned ... */
	uint64_t turn;		/* ... at this CLOCK_MONOTONIC time */
	struct timespec real0;	/* the guest's clock ... */
	uint64_t mono0;		/* ... at this time */
	uint64_t set_at;	/* when hwclock -w set the RTC to HW_TIME */
	int fd;			/* the test's open node, closed by teardown() */
} g = { .pid = -1, .fd = -1 };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool wait_gone(const char *path, unsigned int ms)
{
	uint64_t end = mono_ns() + ms * MS;

	while (exists(path)) {
		if (mono_ns() > end)
			return false;
		usleep(5000);
	}
	return true;
}

/* The RTC through the driver, read as its second turns: its value then. */
static uint32_t rtc_at_turn(struct udrv_pl031 *rtc)
{
	uint32_t t0, t;

	udrv_pl031_time(rtc, &t0);
	do {
		usleep(1000);
		udrv_pl031_time(rtc, &t);
	} while (t == t0);
	return t;
}

static int group_setup(void **state)
{
	char *argv[] = { CLI, "rtc", NULL };
	struct udrv_pl031 *rtc;
	char line[128], err[512];

	(void)state;
	if (!exists("/dev/cuse")) {
		fprintf(stderr, "no /dev/cuse: the cuse module is not loaded\n");
		return -1;
	}
	/* What to put back: the RTC's phase and value, the guest's clock. */
	if (udrv_pl031_open(NULL, &rtc)) {
		fprintf(stderr, "udrv_pl031_open: %s\n", udrv_pl031_last_error());
		return -1;
	}
	g.rtc0 = rtc_at_turn(rtc);
	g.turn = mono_ns();
	udrv_pl031_close(rtc);
	clock_gettime(CLOCK_REALTIME, &g.real0);
	g.mono0 = mono_ns();

	g.pid = spawn(argv, -1, &g.out, &g.err);
	if (g.pid < 0)
		return -1;
	read_some(g.out, line, sizeof(line), 10000, true);
	if (strcmp(line, NODE "\n") || !exists(NODE)) {
		read_some(g.err, err, sizeof(err), 200, false);
		fprintf(stderr, "udrv-pl031 rtc printed '%s', stderr '%s'\n", line, err);
		return -1;
	}
	return 0;
}

/* Put the RTC and the guest's clock back where they would be had nobody
 * set them, stop the export if a test left it running. */
static int group_teardown(void **state)
{
	struct udrv_pl031 *rtc;
	struct timespec ts;
	uint64_t d;

	(void)state;
	if (g.pid > 0) {
		kill(g.pid, SIGKILL);
		wait_exit(g.pid, 5000);
	}
	d = mono_ns() - g.mono0;
	ts.tv_sec = g.real0.tv_sec + (time_t)(d / 1000000000u);
	ts.tv_nsec = g.real0.tv_nsec + (long)(d % 1000000000u);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	clock_settime(CLOCK_REALTIME, &ts);
	if (udrv_pl031_open(NULL, &rtc)) {
		fprintf(stderr, "udrv_pl031_open: %s\n", udrv_pl031_last_error());
		return -1;
	}
	/* The counter turns at a fixed phase (loading it does not move it):
	 * whole seconds since the turn we saw, plus a little for the time we
	 * took to see it. */
	udrv_pl031_set_time(rtc, g.rtc0 + (uint32_t)((mono_ns() - g.turn + 20 * MS) / 1000000000u));
	printf("@@UDRV-HOST time-check %u\n", rtc_at_turn(rtc));
	fflush(stdout);
	udrv_pl031_close(rtc);
	return 0;
}

/* The node, open for one test (teardown() closes it). */
static int rtc_open(int flags)
{
	g.fd = open(NODE, flags | O_CLOEXEC);
	if (g.fd < 0)
		fail_msg("open %s: %s", NODE, strerror(errno));
	return g.fd;
}

/* After each test: what a failure left, an alarm armed and the node open. */
static int teardown(void **state)
{
	(void)state;
	if (g.fd >= 0) {
		ioctl(g.fd, RTC_AIE_OFF, 0);
		close(g.fd);
		g.fd = -1;
	}
	return 0;
}

/* The clock through RTC_RD_TIME, in seconds; @tm (may be NULL) gets it. */
static long long rd_time(int fd, struct rtc_time *tm)
{
	struct rtc_time t;

	memset(&t, 0x55, sizeof(t));
	assert_int_equal(ioctl(fd, RTC_RD_TIME, &t), 0);
	if (tm)
		*tm = t;
	return (long long)timegm(&(struct tm){ .tm_year = t.tm_year, .tm_mon = t.tm_mon,
		.tm_mday = t.tm_mday, .tm_hour = t.tm_hour, .tm_min = t.tm_min, .tm_sec = t.tm_sec });
}

/* The RTC's time just after its second turns: an alarm at that + 1 then
 * fires a second later, whatever the load (one set late in a second, with
 * the second turning before it is armed, is due at once). */
static long long rd_time_at_edge(int fd)
{
	long long now = rd_time(fd, NULL), t;

	while ((t = rd_time(fd, NULL)) == now)
		usleep(5000);
	return t;
}

static void to_rtc(long long secs, struct rtc_time *t)
{
	time_t tt = (time_t)secs;
	struct tm tm;

	gmtime_r(&tt, &tm);
	memset(t, 0, sizeof(*t));
	t->tm_sec = tm.tm_sec;
	t->tm_min = tm.tm_min;
	t->tm_hour = tm.tm_hour;
	t->tm_mday = tm.tm_mday;
	t->tm_mon = tm.tm_mon;
	t->tm_year = tm.tm_year;
}

/* The RTC's expected reading: HW_TIME plus the time since hwclock -w. */
static long long expected(void)
{
	return HW_TIME + (long long)((mono_ns() - g.set_at) / 1000000000u);
}

/* hwclock (busybox's, or util-linux's) sets the RTC from the guest's clock and reads it back. */
static void test_hwclock(void **state)
{
	struct rtc_time t;
	struct tm tm;
	char line[128];
	long long got;
	FILE *p;
	int fd;

	(void)state;
	assert_int_equal(system("date -u -s '" HW_DATE "' >/dev/null"), 0);
	assert_int_equal(system("hwclock -w -u -f " NODE), 0);
	g.set_at = mono_ns();
	p = popen("hwclock -r -u -f " NODE, "r");
	assert_non_null(p);
	line[0] = '\0';
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	print_message("hwclock -r: %s", line);
	/* busybox: "Wed May 18 03:33:20 2033  0.000000 seconds" (TZ unset: UTC);
	 * util-linux (the debian board): "2033-05-18 03:33:20.730810+00:00" */
	memset(&tm, 0, sizeof(tm));
	if (!strptime(line, "%a %b %d %H:%M:%S %Y", &tm)) {
		memset(&tm, 0, sizeof(tm));
		if (!strptime(line, "%Y-%m-%d %H:%M:%S", &tm))
			fail_msg("cannot parse hwclock's '%s'", line);
	}
	got = (long long)timegm(&tm);
	if (llabs(got - expected()) > 2)
		fail_msg("hwclock -r read %lld, want %lld", got, expected());
	/* The same through the ioctl, with the fields the kernel fills. */
	fd = rtc_open(O_RDONLY);
	got = rd_time(fd, &t);
	assert_true(llabs(got - expected()) <= 2);
	assert_int_equal(t.tm_wday, 3);		/* Wednesday */
	assert_int_equal(t.tm_yday, 137);	/* 31+28+31+30+18 - 1 */
	assert_int_equal(t.tm_isdst, 0);
}

/* Bad times and what this RTC has not: rtc-dev's errors, the clock untouched. */
static void test_bad_input(void **state)
{
	struct rtc_param param = { .param = RTC_PARAM_FEATURES };
	struct rtc_wkalrm w = { .enabled = 1 };
	struct rtc_time t;
	unsigned long v;
	short s;
	int fd = rtc_open(O_RDWR), fd2;

	(void)state;
	to_rtc(HW_TIME, &t);
	t.tm_mon = 12;
	assert_int_equal(ioctl(fd, RTC_SET_TIME, &t), -1);
	assert_int_equal(errno, EINVAL);
	to_rtc(HW_TIME, &t);
	t.tm_mon = 1;
	t.tm_mday = 29;		/* 2033 is no leap year */
	assert_int_equal(ioctl(fd, RTC_SET_TIME, &t), -1);
	assert_int_equal(errno, EINVAL);
	t.tm_mday = 28;
	t.tm_year = 69;		/* before 1970 */
	assert_int_equal(ioctl(fd, RTC_SET_TIME, &t), -1);
	assert_int_equal(errno, EINVAL);
	/* 2106-02-07 06:28:16, 2^32: past the counter (rtc_valid_range()) */
	t = (struct rtc_time){ .tm_year = 206, .tm_mon = 1, .tm_mday = 7, .tm_hour = 6,
			       .tm_min = 28, .tm_sec = 16 };
	assert_int_equal(ioctl(fd, RTC_SET_TIME, &t), -1);
	assert_int_equal(errno, ERANGE);
	assert_true(llabs(rd_time(fd, NULL) - expected()) <= 2);
	to_rtc(HW_TIME, &w.time);
	w.time.tm_hour = 24;
	assert_int_equal(ioctl(fd, RTC_WKALM_SET, &w), -1);
	assert_int_equal(errno, EINVAL);
	/* No update or periodic interrupts; the features say the alarm only. */
	assert_int_equal(ioctl(fd, RTC_UIE_ON, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioctl(fd, RTC_UIE_OFF, 0), 0);
	assert_int_equal(ioctl(fd, RTC_PIE_ON, 0), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, RTC_IRQP_READ, &v), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, RTC_PARAM_GET, &param), 0);
	assert_int_equal(param.uvalue, 1u << RTC_FEATURE_ALARM);
	/* read(): an unsigned int or long only; no event: EAGAIN if asked */
	assert_int_equal(read(fd, &s, sizeof(s)), -1);
	assert_int_equal(errno, EINVAL);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	assert_int_equal(read(fd, &v, sizeof(v)), -1);
	assert_int_equal(errno, EAGAIN);
	/* One open at a time, as rtc-dev. */
	fd2 = open(NODE, O_RDONLY | O_CLOEXEC);
	assert_int_equal(fd2, -1);
	assert_int_equal(errno, EBUSY);
}

/* An alarm one second ahead (RTC_WKALM_SET): poll() wakes when it fires,
 * read() gives rtc-dev's value; it fires once and is then disabled. */
static void test_alarm_poll(void **state)
{
	struct rtc_wkalrm w = { .enabled = 1 }, r;
	struct pollfd p;
	unsigned long v = 0;
	uint64_t t0, dt;
	long long now;
	int fd = rtc_open(O_RDONLY);

	(void)state;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	now = rd_time_at_edge(fd);
	to_rtc(now + 1, &w.time);
	t0 = mono_ns();
	assert_int_equal(ioctl(fd, RTC_WKALM_SET, &w), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(ioctl(fd, RTC_WKALM_RD, &r), 0);
	assert_int_equal(r.enabled, 1);
	assert_int_equal(memcmp(&r.time, &w.time, 6 * sizeof(int)), 0);
	assert_int_equal(poll(&p, 1, 0), 0);	/* not yet */
	assert_int_equal(poll(&p, 1, 3000), 1);
	dt = mono_ns() - t0;
	assert_true(p.revents & POLLIN);
	print_message("1 s alarm: poll() woke after %.3f s\n", (double)dt / 1e9);
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, EVENT);
	/* On time: QEMU fires 1 s after arming, hardware at the next edge. */
	assert_true(dt >= 500 * MS && dt <= 2000 * MS);
	now = rd_time(fd, NULL) - (now + 1);
	assert_true(now >= 0 && now <= 1);
	assert_int_equal(poll(&p, 1, 0), 0);	/* read: no event left */
	assert_int_equal(ioctl(fd, RTC_WKALM_RD, &r), 0);
	assert_int_equal(r.enabled, 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* RTC_AIE_OFF cancels an armed alarm: a read() waiting past its time gets
 * nothing, and the signal that ends the wait interrupts it (EINTR). */
static void test_alarm_cancel(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_sec = 1, .tv_usec = 300000 } };
	struct rtc_wkalrm w = { .enabled = 1 }, r;
	unsigned long v = 0;
	uint64_t t0, dt;
	ssize_t n;
	int fd = rtc_open(O_RDONLY), err;

	(void)state;
	to_rtc(rd_time(fd, NULL) + 1, &w.time);
	assert_int_equal(ioctl(fd, RTC_WKALM_SET, &w), 0);
	assert_int_equal(ioctl(fd, RTC_AIE_OFF, 0), 0);
	assert_int_equal(ioctl(fd, RTC_WKALM_RD, &r), 0);
	assert_int_equal(r.enabled, 0);
	sigaction(SIGALRM, &sa, &old);
	t0 = mono_ns();
	setitimer(ITIMER_REAL, &it, NULL);
	n = read(fd, &v, sizeof(v));
	err = errno;
	dt = mono_ns() - t0;
	sigaction(SIGALRM, &old, NULL);
	print_message("read() after a cancelled alarm: %zd (%s) after %.3f s\n", n,
		      n < 0 ? strerror(err) : "an event", (double)dt / 1e9);
	assert_int_equal(n, -1);
	assert_int_equal(err, EINTR);
	assert_true(dt >= 1200 * MS);
}

/* RTC_ALM_SET (a time of day) + RTC_AIE_ON: a blocking read() of an
 * unsigned int returns when it fires, not before the RTC reads its time.
 * And an alarm enabled in the past fires at once, as the kernel's. */
static void test_alarm_read(void **state)
{
	struct rtc_wkalrm w = { .enabled = 1 };
	struct rtc_time t, r;
	unsigned int v = 0;
	unsigned long lv = 0;
	uint64_t t0, dt;
	long long now;
	int fd = rtc_open(O_RDONLY | O_NONBLOCK);

	(void)state;
	to_rtc(rd_time(fd, NULL) - 10, &w.time);
	assert_int_equal(ioctl(fd, RTC_WKALM_SET, &w), 0);
	assert_int_equal(read(fd, &lv, sizeof(lv)), sizeof(lv));
	assert_int_equal(lv, EVENT);
	fcntl(fd, F_SETFL, 0);

	now = rd_time_at_edge(fd);
	to_rtc(now + 1, &t);
	t.tm_mday = t.tm_mon = t.tm_year = -1;	/* ALM_SET ignores the date */
	assert_int_equal(ioctl(fd, RTC_ALM_SET, &t), 0);
	assert_int_equal(ioctl(fd, RTC_ALM_READ, &r), 0);
	to_rtc(now + 1, &t);
	assert_int_equal(memcmp(&r, &t, 6 * sizeof(int)), 0);	/* today's date */
	t0 = mono_ns();
	assert_int_equal(ioctl(fd, RTC_AIE_ON, 0), 0);
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	dt = mono_ns() - t0;
	print_message("1 s alarm: read() returned after %.3f s\n", (double)dt / 1e9);
	assert_int_equal(v, (unsigned int)EVENT);
	assert_true(rd_time(fd, NULL) >= now + 1);
	assert_true(dt >= 500 * MS && dt <= 2000 * MS);
}

/* A second export of the PL031 while the first runs: one line, exit 1. */
static void test_second_export(void **state)
{
	char *argv[] = { CLI, "rtc", "--name", "udrv-rtc1", NULL };
	char err[512], out[512];
	int st;

	(void)state;
	st = run_to_end(argv, 5000, out, err, sizeof(err));
	print_message("second export: status %d, stderr: %s", st, err);
	assert_int_equal(st, 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "in use by another process"));
	assert_non_null(strchr(err, '\n'));
	assert_string_equal(strchr(err, '\n'), "\n");	/* one line */
	assert_false(exists(NODE2));
	assert_true(exists(NODE));
}

/* SIGTERM: exit 0, nothing on stderr, the node gone; the hardware holds the
 * time hwclock set. */
static void test_stop(void **state)
{
	struct udrv_pl031 *rtc;
	char err[512];
	uint32_t t;
	int st;

	(void)state;
	assert_int_equal(kill(g.pid, SIGTERM), 0);
	st = wait_exit(g.pid, 5000);
	read_some(g.err, err, sizeof(err), 100, false);
	if (st != 0)
		fail_msg("udrv-pl031 rtc after SIGTERM: status %d, stderr '%s'", st, err);
	g.pid = -1;
	close(g.out);
	close(g.err);
	assert_string_equal(err, "");
	assert_true(wait_gone(NODE, 2000));
	if (udrv_pl031_open(NULL, &rtc))
		fail_msg("udrv_pl031_open after the export: %s", udrv_pl031_last_error());
	udrv_pl031_time(rtc, &t);
	udrv_pl031_close(rtc);
	print_message("the PL031 after the export: %u (hwclock set %lld, %lld s ago)\n", t,
		      HW_TIME, expected() - HW_TIME);
	assert_true(llabs((long long)t - expected()) <= 2);
}

/* Wait up to @ms for @pid to be in read() (/proc/PID/syscall). */
static bool in_read(pid_t pid, unsigned int ms)
{
	uint64_t end = mono_ns() + ms * MS;
	char path[64];
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (;;) {
		FILE *f = fopen(path, "r");

		nr = -1;
		if (f) {
			if (fscanf(f, "%ld", &nr) != 1)
				nr = -1;
			fclose(f);
		}
		if (nr == SYS_read)
			return true;
		if (mono_ns() > end)
			return false;
		usleep(2000);
	}
}

/* Start an export, wait for its node: its pid (out/err in *o, *e). */
static pid_t start(int *o, int *e)
{
	char *argv[] = { CLI, "rtc", NULL };
	char line[128], err[512];
	pid_t pid = spawn(argv, -1, o, e);

	assert_true(pid > 0);
	read_some(*o, line, sizeof(line), 10000, true);
	if (strcmp(line, NODE "\n") || !exists(NODE)) {
		kill(pid, SIGKILL);
		wait_exit(pid, 5000);
		read_some(*e, err, sizeof(err), 200, false);
		fail_msg("udrv-pl031 rtc printed '%s', stderr '%s'", line, err);
	}
	return pid;
}

/* SIGKILL: the kernel removes the node and fails a blocked read(); the
 * next export starts as if nothing happened (the PL031's lock went with the
 * process, its armed alarm is disarmed when it is opened again). */
static void test_sigkill(void **state)
{
	struct rtc_wkalrm w = { .enabled = 1 };
	int o, e, st, fd;
	pid_t pid, reader;
	uint64_t t0;

	(void)state;
	pid = start(&o, &e);
	fd = rtc_open(O_RDONLY);
	to_rtc(rd_time(fd, NULL) + 60, &w.time);
	assert_int_equal(ioctl(fd, RTC_WKALM_SET, &w), 0);
	reader = fork();
	if (reader == 0) {
		unsigned long v;

		_exit(read(fd, &v, sizeof(v)) < 0 ? errno : 0);
	}
	assert_true(in_read(reader, 3000));
	t0 = mono_ns();
	kill(pid, SIGKILL);
	assert_int_equal(wait_exit(pid, 5000), 128 + SIGKILL);
	st = wait_exit(reader, 3000);
	print_message("after SIGKILL: the blocked read() got %s after %.3f s\n",
		      st < 0 ? "nothing" : strerror(st), (double)(mono_ns() - t0) / 1e9);
	if (st < 0)
		kill(reader, SIGKILL), wait_exit(reader, 1000);
	assert_true(st > 0);
	close(o);
	close(e);
	close(g.fd);
	g.fd = -1;
	assert_true(wait_gone(NODE, 2000));
	pid = start(&o, &e);
	kill(pid, SIGTERM);
	assert_int_equal(wait_exit(pid, 5000), 0);
	assert_true(wait_gone(NODE, 2000));
	close(o);
	close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_hwclock, teardown),
		cmocka_unit_test_teardown(test_bad_input, teardown),
		cmocka_unit_test_teardown(test_alarm_poll, teardown),
		cmocka_unit_test_teardown(test_alarm_cancel, teardown),
		cmocka_unit_test_teardown(test_alarm_read, teardown),
		cmocka_unit_test_teardown(test_second_export, teardown),
		cmocka_unit_test_teardown(test_stop, teardown),
		cmocka_unit_test_teardown(test_sigkill, teardown),
	};

	return cmocka_run_group_tests_name("rtc_cuse", tests, group_setup, group_teardown);
}
