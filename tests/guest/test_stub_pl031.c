// SPDX-License-Identifier: MIT
/*
 * udrv_uio and the PL031 RTC on virt (handed over by the overlay) and on
 * virt-stock (handed over at run time: unbind rtc-pl031, AMBA
 * driver_override). The alarm interrupt: read() returns the event count,
 * the line stays masked until userspace writes 1, and unmasking with the
 * cause still pending gives one more event per write, not a storm.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc_irq.h"
#include "test_stub_common.h"

/* PL031 registers (ARM DDI 0224, section 3.2) */
#define RTCDR	0x00
#define RTCMR	0x04
#define RTCCR	0x0c
#define RTCIMSC	0x10
#define RTCRIS	0x14
#define RTCICR	0x1c

#define AMBA_DEV	"/sys/bus/amba/devices/9010000.pl031"

static int stock(void)
{
	return !strcmp(board(), "virt-stock");
}

struct rtc {
	int n, fd;
	void *map;
	volatile char *r;
};

static void rtc_open(struct rtc *t)
{
	t->n = uio_by_name("pl031");
	if (t->n < 0)
		fail_msg("no UIO device pl031");
	t->fd = uio_open(t->n);
	assert_true(t->fd >= 0);
	t->map = uio_mmap(t->fd, 0, getpagesize());
	assert_non_null(t->map);
	t->r = t->map;
	wr32(t->r, RTCIMSC, 0);
	wr32(t->r, RTCICR, 1);
	wr32(t->r, RTCCR, 1);
	assert_int_equal(uio_irqcontrol(t->fd, 1), 0);
}

static void rtc_close(struct rtc *t)
{
	wr32(t->r, RTCIMSC, 0);
	wr32(t->r, RTCICR, 1);
	uio_irqcontrol(t->fd, 1);
	munmap(t->map, getpagesize());
	close(t->fd);
}

static void driver_of(const char *dev, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];

	snprintf(path, sizeof(path), "%s/driver", dev);
	if (!realpath(path, real)) {
		snprintf(out, len, "(none)");
		return;
	}
	snprintf(out, len, "%s", strrchr(real, '/') + 1);
}

/* virt: the overlay made it a platform device of the stub. virt-stock: an
 * AMBA device of rtc-pl031 that we take over through driver_override. */
static void test_handover(void **state)
{
	char dev[PATH_MAX], drv[64];
	struct rtc t;
	int n;

	(void)state;
	if (!stock()) {
		n = uio_by_name("pl031");
		assert_true(n >= 0);
		assert_int_equal(uio_device_dir(n, dev, sizeof(dev)), 0);
		assert_non_null(strstr(dev, "/platform/"));
		driver_of(dev, drv, sizeof(drv));
		assert_string_equal(drv, "udrv_uio");
		return;
	}
	assert_int_equal(uio_by_name("pl031"), -1);
	driver_of(AMBA_DEV, drv, sizeof(drv));
	assert_string_equal(drv, "rtc-pl031");
	assert_int_equal(sysfs_write(AMBA_DEV "/driver/unbind", "9010000.pl031"), 0);
	assert_int_equal(sysfs_write(AMBA_DEV "/driver_override", "udrv_uio"), 0);
	assert_int_equal(sysfs_write("/sys/bus/amba/drivers_probe", "9010000.pl031"), 0);
	driver_of(AMBA_DEV, drv, sizeof(drv));
	assert_string_equal(drv, "udrv_uio");

	n = uio_by_name("pl031");
	assert_true(n >= 0);
	assert_int_equal(uio_map_attr(n, 0, "addr"), 0x9010000);
	assert_int_equal(uio_map_attr(n, 0, "size"), 0x1000);
	assert_int_equal(uio_map_attr(n, 0, "offset"), 0);
	assert_int_equal(uio_map_attr(n, 1, "size"), -1);
	rtc_open(&t);
	assert_int_equal(rd32(t.r, 0xfe0), 0x31);
	assert_int_equal(rd32(t.r, 0xfe4), 0x10);
	assert_int_equal(rd32(t.r, 0xfe8), 0x14);
	assert_int_equal(rd32(t.r, 0xfec), 0x00);
	rtc_close(&t);
}

/* A real alarm one second ahead: read() blocks until it fires, then
 * returns the event count, one more than before. */
static void test_alarm_read_returns_count(void **state)
{
	struct rtc t;
	uint32_t count;
	long long before;

	(void)state;
	rtc_open(&t);
	before = uio_events(t.n);
	wr32(t.r, RTCIMSC, 1);
	wr32(t.r, RTCMR, rd32(t.r, RTCDR) + 1);
	assert_int_equal(rd32(t.r, RTCRIS) & 1, 0);
	assert_int_equal(read(t.fd, &count, sizeof(count)), sizeof(count));
	assert_int_equal(count, before + 1);
	assert_int_equal(rd32(t.r, RTCRIS) & 1, 1);
	rtc_close(&t);
}

/* Cause left pending: nothing more until write(1); each write(1) with the
 * cause still there gives exactly one event; clearing it stops them. */
static void test_masked_until_unmask(void **state)
{
	struct rtc t;
	uint32_t count, last;
	int i;

	(void)state;
	rtc_open(&t);
	wr32(t.r, RTCIMSC, 1);
	wr32(t.r, RTCMR, rd32(t.r, RTCDR));	/* match now: fires at once */
	assert_int_equal(uio_wait(t.fd, 2000, &count), 1);
	last = count;
	assert_int_equal(uio_wait(t.fd, 200, &count), 0);	/* masked */

	for (i = 0; i < 20; i++) {
		assert_int_equal(uio_irqcontrol(t.fd, 1), 0);	/* cause pending */
		assert_int_equal(uio_wait(t.fd, 2000, &count), 1);
		assert_int_equal(count, last + 1);
		last = count;
		assert_int_equal(uio_wait(t.fd, 50, &count), 0);
	}
	assert_int_equal(uio_events(t.n), last);

	wr32(t.r, RTCICR, 1);
	assert_int_equal(rd32(t.r, RTCRIS) & 1, 0);
	assert_int_equal(uio_irqcontrol(t.fd, 1), 0);
	assert_int_equal(uio_wait(t.fd, 200, &count), 0);
	/* Masking from userspace holds a new alarm back until unmasked. */
	assert_int_equal(uio_irqcontrol(t.fd, 0), 0);
	wr32(t.r, RTCMR, rd32(t.r, RTCDR));
	assert_int_equal(uio_wait(t.fd, 200, &count), 0);
	assert_int_equal(uio_irqcontrol(t.fd, 1), 0);
	assert_int_equal(uio_wait(t.fd, 2000, &count), 1);
	assert_int_equal(count, last + 1);
	rtc_close(&t);
}

/*
 * The stub requests its interrupt itself and notifies from its handler:
 * no kernel thread stands between the interrupt and the reader (the UIO
 * core's own path since Linux 6.10 adds one, "irq/N-pl031"), and on
 * PREEMPT_RT only the forced thread of the handler ("irq/N-pl031", no
 * "irq/N-s-pl031" secondary). An alarm still reaches read().
 */
/* Count the secondary ("irq/N-s-name") threads. */
static void count_secondary(const char *pid, const char *comm, void *data)
{
	(void)pid;
	*(int *)data += strstr(comm, "-s-") != NULL;
}

static void test_notify_from_handler(void **state)
{
	int irq = proc_irq_number("pl031"), threads, secondary = 0;
	struct utsname u;
	struct rtc t;
	uint32_t count;

	(void)state;
	assert_true(irq > 0);
	threads = proc_irq_threads(irq, count_secondary, &secondary);
	assert_int_equal(uname(&u), 0);
	print_message("interrupt %d: %d thread(s) on %s\n", irq, threads, u.version);
	assert_int_equal(secondary, 0);
	assert_int_equal(threads, strstr(u.version, "PREEMPT_RT") ? 1 : 0);

	rtc_open(&t);
	wr32(t.r, RTCIMSC, 1);
	wr32(t.r, RTCMR, rd32(t.r, RTCDR));	/* match now: fires at once */
	assert_int_equal(uio_wait(t.fd, 2000, &count), 1);
	rtc_close(&t);
}

/* Whether rtc-pl031 registered an RTC class device for the PL031. */
static int rtc_class_device(void)
{
	DIR *d = opendir(AMBA_DEV "/rtc");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		found |= !strncmp(e->d_name, "rtc", 3);
	closedir(d);
	return found;
}

/* virt-stock: give the RTC back to rtc-pl031. virt: the overlay took the
 * node off the AMBA bus, so rtc-pl031 never had it. */
static void test_rtc_driver(void **state)
{
	char drv[64];

	(void)state;
	if (!stock()) {
		assert_int_equal(access(AMBA_DEV, F_OK), -1);
		assert_false(rtc_class_device());
		return;
	}
	assert_int_equal(sysfs_write(AMBA_DEV "/driver/unbind", "9010000.pl031"), 0);
	assert_int_equal(sysfs_write(AMBA_DEV "/driver_override", "\n"), 0);
	assert_int_equal(sysfs_write("/sys/bus/amba/drivers_probe", "9010000.pl031"), 0);
	driver_of(AMBA_DEV, drv, sizeof(drv));
	assert_string_equal(drv, "rtc-pl031");
	assert_true(rtc_class_device());
	assert_int_equal(uio_by_name("pl031"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_alarm_read_returns_count),
		cmocka_unit_test(test_masked_until_unmask),
		cmocka_unit_test(test_notify_from_handler),
		cmocka_unit_test(test_rtc_driver),
	};

	return cmocka_run_group_tests_name("stub_pl031", tests, NULL, NULL);
}
