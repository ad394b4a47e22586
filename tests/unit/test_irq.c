/* SPDX-License-Identifier: MIT */
/* Interrupts: lookup, unmask/mask, wait, fd, counters, several per device, removal. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_irq_basic(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL, *none = NULL;
	uint64_t t0;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 1);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_irq_index(irq), 0);
	assert_ptr_equal(udrv_irq_device(irq), dev);
	assert_true(udrv_irq_fd(irq) >= 0);
	assert_int_equal(udrv_device_irq(dev, 1, &none), -ENOENT);
	assert_int_equal(udrv_device_irq(dev, 0, NULL), -EINVAL);
	assert_null(none);
	/* the counter starts at sysfs "event" */
	assert_int_equal(udrv_irq_count(irq), 5);
	assert_int_equal(udrv_irq_missed(irq), 0);

	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(fake_control(0), 1);
	assert_int_equal(udrv_irq_mask(irq), 0);
	assert_int_equal(fake_control(0), 0);

	/* timeouts: 0 checks, a finite one waits at least that long */
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	t0 = now_ns();
	assert_int_equal(udrv_irq_wait(irq, 20000000), 0);
	assert_true(now_ns() - t0 >= 20000000);

	/* events */
	fake_fire(0, 6);
	assert_int_equal(udrv_irq_wait(irq, UINT64_MAX), 1);
	assert_int_equal(udrv_irq_count(irq), 6);
	assert_int_equal(udrv_irq_missed(irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	/* a jump of 3 means 2 were missed */
	fake_fire(0, 9);
	assert_int_equal(udrv_irq_wait(irq, 1000000000), 1);
	assert_int_equal(udrv_irq_count(irq), 9);
	assert_int_equal(udrv_irq_missed(irq), 2);
	fake_fire(0, 10);
	assert_int_equal(udrv_irq_wait(irq, 0), 1);
	assert_int_equal(udrv_irq_missed(irq), 2);
	/* the counter wraps */
	fake_fire(0, 0xffffffff);
	assert_int_equal(udrv_irq_wait(irq, 0), 1);
	fake_fire(0, 1);
	assert_int_equal(udrv_irq_wait(irq, 0), 1);
	assert_int_equal(udrv_irq_count(irq), 1);
	assert_int_equal(udrv_irq_missed(irq), 2 + (0xffffffffu - 10 - 1) + 1);
	udrv_device_close(dev);
}

/*
 * Deadlines (review L13): saturating, never wrapping; a timeout longer than
 * a time_t holds (a 32-bit one on armhf: ~68 years) waits like forever
 * instead of making ppoll() fail with EINVAL.
 */
static void test_deadlines(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;
	uint64_t t0 = udrv_now_ns(), d;

	(void)state;
	assert_true(t0 > 0 && udrv_now_ns() >= t0);
	assert_true(now_ns() - t0 < 1000000000);	/* the same clock as the test's */
	assert_int_equal(udrv_deadline_ns(UINT64_MAX), UINT64_MAX);
	assert_int_equal(udrv_deadline_ns(UINT64_MAX - 1), UINT64_MAX);
	assert_int_equal(udrv_deadline_ns(UINT64_MAX - t0 + 1), UINT64_MAX);
	d = udrv_deadline_ns(1000000000);
	assert_true(d >= t0 + 1000000000 && d < now_ns() + 1000000000 + 1);
	assert_int_equal(udrv_left_ns(UINT64_MAX), UINT64_MAX);
	assert_int_equal(udrv_left_ns(0), 0);
	assert_int_equal(udrv_left_ns(t0), 0);
	assert_true(udrv_left_ns(d) > 0 && udrv_left_ns(d) <= 1000000000);

	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	fake_fire(0, 6);
	assert_int_equal(udrv_irq_wait(irq, UINT64_MAX - 1), 1);
	fake_fire(0, 7);
	assert_int_equal(udrv_irq_wait(irq, (uint64_t)1 << 62), 1);
	udrv_device_close(dev);
}

static void test_irq_fd(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;
	struct pollfd p;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	p = (struct pollfd){ .fd = udrv_irq_fd(irq), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 0), 0);
	fake_fire(0, 6);
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_true(p.revents & POLLIN);
	assert_int_equal(udrv_irq_wait(irq, 0), 1);
	assert_int_equal(poll(&p, 1, 0), 0);
	udrv_device_close(dev);
}

static void test_no_irq(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("plain", &dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "plain"));
	assert_int_equal(udrv_device_irq_by_name(dev, "first", &irq), -ENOENT);
	assert_null(irq);
	udrv_device_close(dev);
}

static void test_several_irqs(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *i0 = NULL, *i1 = NULL, *i2 = NULL, *x = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 3);
	assert_int_equal(udrv_device_irq(dev, 0, &i0), 0);
	assert_int_equal(udrv_device_irq(dev, 1, &i1), 0);
	assert_int_equal(udrv_device_irq(dev, 2, &i2), 0);
	assert_int_equal(udrv_device_irq(dev, 3, &x), -ENOENT);
	assert_int_equal(udrv_irq_index(i2), 2);
	assert_int_not_equal(udrv_irq_fd(i0), udrv_irq_fd(i1));
	assert_int_not_equal(udrv_irq_fd(i1), udrv_irq_fd(i2));
	assert_int_equal(udrv_device_irq_by_name(dev, "second", &x), 0);
	assert_ptr_equal(x, i1);
	assert_int_equal(udrv_device_irq_by_name(dev, "third", &x), 0);
	assert_ptr_equal(x, i2);
	assert_int_equal(udrv_device_irq_by_name(dev, "first", &x), 0);
	assert_ptr_equal(x, i0);
	x = NULL;
	assert_int_equal(udrv_device_irq_by_name(dev, "fourth", &x), -ENOENT);
	assert_int_equal(udrv_device_irq_by_name(dev, "secon", &x), -ENOENT);
	assert_int_equal(udrv_device_irq_by_name(dev, NULL, &x), -EINVAL);
	assert_int_equal(udrv_device_irq_by_name(dev, "first", NULL), -EINVAL);
	assert_null(x);

	/* each interrupt is its own node: firing uio3 wakes only irq 2 */
	fake_fire(3, 1);
	assert_int_equal(udrv_irq_wait(i0, 0), 0);
	assert_int_equal(udrv_irq_wait(i1, 0), 0);
	assert_int_equal(udrv_irq_wait(i2, 0), 1);
	assert_int_equal(udrv_irq_unmask(i1), 0);
	assert_int_equal(fake_control(2), 1);
	assert_int_equal(fake_control(1), -1);
	udrv_device_close(dev);

	/* a DT device without interrupt-names */
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq_by_name(dev, "first", &x), -ENOENT);
	udrv_device_close(dev);
}

static void test_removal(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	fake_remove(0);
	/* an endless wait returns at once */
	assert_int_equal(udrv_irq_wait(irq, UINT64_MAX), -ENODEV);
	assert_int_equal(udrv_irq_wait(irq, 0), -ENODEV);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	assert_int_equal(udrv_irq_mask(irq), -ENODEV);
	udrv_device_close(dev);

	/* unmask is the first to notice: the kernel answers the write with
	 * EINVAL (the fake does too), which is removal, not a bad argument;
	 * from then on the checked accessors leave the registers alone */
	struct udrv_region *r = NULL;
	uint64_t v;

	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), 0);
	fake_remove(0);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), -ENODEV);
	assert_int_equal(udrv_region_write(r, 0, 32, 1), -ENODEV);
	assert_int_equal(udrv_irq_mask(irq), -ENODEV);
	assert_int_equal(udrv_irq_wait(irq, UINT64_MAX), -ENODEV);
	udrv_device_close(dev);

	/* mask first, on another device's interrupt node */
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 2, &irq), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	fake_remove(3);
	assert_int_equal(udrv_irq_mask(irq), -ENODEV);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), -ENODEV);
	udrv_device_close(dev);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * An event that poll() reported but someone else consumed before the read
 * (another thread, or a forked child sharing the open file description):
 * the nodes are non-blocking, so the wait goes back to polling for what is
 * left of its timeout instead of blocking in read() until the next
 * interrupt (review L12). The alarm turns a blocking read into -EINTR.
 */
static void test_event_stolen(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;
	uint64_t t0;

	(void)state;
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);	/* no SA_RESTART */
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	fake_fire(0, 6);
	fake_steal(0);
	alarm(2);
	t0 = now_ns();
	assert_int_equal(udrv_irq_wait(irq, 100000000), 0);
	assert_true(now_ns() - t0 >= 100000000);
	fake_fire(0, 6);
	fake_steal(0);
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	alarm(0);
	assert_int_equal(udrv_irq_count(irq), 5);
	fake_fire(0, 7);
	assert_int_equal(udrv_irq_wait(irq, 0), 1);
	assert_int_equal(udrv_irq_count(irq), 7);
	assert_int_equal(udrv_irq_missed(irq), 1);
	udrv_device_close(dev);
	sigaction(SIGALRM, &old, NULL);
}

static void test_event_attr_bad(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_unlink("sys/class/uio/uio2/event");
	assert_int_equal(udrv_device_open("timer", &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio2/event"));
	fake_write("sys/class/uio/uio2/event", "many\n");
	assert_int_equal(udrv_device_open("timer", &dev), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio2/event"));
	assert_null(dev);
}

static void test_irq_node_missing(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_unlink("dev/uio3");
	assert_int_equal(udrv_device_open("timer", &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "/dev/uio3"));
	assert_null(dev);
}

/* The fake edu (uio4) under uio_pci_generic, opened: no irqcontrol (writes
 * fail ENOSYS); the handler sets Interrupt Disable (bit 10 of the PCI
 * command register) and the library clears it through config space to
 * unmask, sets it to mask. */
static const char *const intx_fn = "devices/pci0000:00/0000:00:02.0";

static void open_intx(struct udrv_device **dev, struct udrv_irq **irq)
{
	fake_no_irqcontrol(4);
	fake_driver(intx_fn, "uio_pci_generic");
	assert_int_equal(udrv_device_open_pci("0000:00:02.0", dev), 0);
	assert_int_equal(udrv_device_irq(*dev, 0, irq), 0);
}

static void test_pci_intx(void **state)
{
	const char *fn = intx_fn;
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;

	(void)state;
	fake_set_pci_command(fn, 0x0406);	/* memory, master, INTx masked */
	open_intx(&dev, &irq);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0);	/* not the stub's */
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(fake_pci_command(fn), 0x0006);
	assert_int_equal(fake_control(4), -1);	/* nothing written to the node */
	fake_fire(4, 1);
	fake_set_pci_command(fn, 0x0406);	/* what the handler does */
	assert_int_equal(udrv_irq_wait(irq, UINT64_MAX), 1);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(fake_pci_command(fn), 0x0006);
	fake_fire(4, 4);	/* two missed */
	assert_int_equal(udrv_irq_wait(irq, UINT64_MAX), 1);
	assert_int_equal(udrv_irq_count(irq), 4);
	assert_int_equal(udrv_irq_missed(irq), 2);
	assert_int_equal(udrv_irq_mask(irq), 0);
	assert_int_equal(fake_pci_command(fn), 0x0406);
	assert_int_equal(udrv_irq_mask(irq), 0);
	assert_int_equal(fake_pci_command(fn), 0x0406);

	/* unbound from UIO: the config file stays, the node polls POLLERR */
	fake_remove(4);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	assert_non_null(strstr(udrv_last_error(), "removed"));
	assert_int_equal(fake_pci_command(fn), 0x0406);
	assert_int_equal(udrv_irq_wait(irq, 0), -ENODEV);
	udrv_device_close(dev);
}

/* A config file that cannot be written: the failure is explained. */
static void test_pci_intx_config_fails(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;

	(void)state;
	open_intx(&dev, &irq);
	fake_unlink("sys/devices/pci0000:00/0000:00:02.0/config");
	fake_write("sys/devices/pci0000:00/0000:00:02.0/config", "");	/* empty: short read */
	assert_int_equal(udrv_irq_unmask(irq), -EIO);
	assert_non_null(strstr(udrv_last_error(), "command register"));
	udrv_device_close(dev);
}

/* No irqcontrol on a platform device: -ENOSYS, saying which driver. */
static void test_no_irqcontrol_platform(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;

	(void)state;
	fake_no_irqcontrol(0);
	fake_driver("devices/platform/9010000.pl031", "some_uio");
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_irq_unmask(irq), -ENOSYS);
	assert_non_null(strstr(udrv_last_error(), "some_uio"));
	udrv_device_close(dev);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_irq_basic),
		T(test_deadlines),
		T(test_irq_fd),
		T(test_no_irq),
		T(test_several_irqs),
		T(test_removal),
		T(test_event_stolen),
		T(test_event_attr_bad),
		T(test_irq_node_missing),
		T(test_pci_intx),
		T(test_pci_intx_config_fails),
		T(test_no_irqcontrol_platform),
	};

	signal(SIGPIPE, SIG_IGN);	/* writes to a removed fake device */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
