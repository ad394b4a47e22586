// SPDX-License-Identifier: MIT
/*
 * The PL031 driver (drivers/pl031) on QEMU virt, where dts/virt.dtso hands
 * the RTC to udrv_uio, and on virt-stock, where rtc-pl031 has it at boot
 * (and set the guest's clock from it) until we hand it over here.
 *
 * Issue 6: the time read through the driver agrees with the guest's date
 * within a second; a device bound to another driver and another device of
 * the stub are refused with a reason. The driver's behaviour that holds on
 * the host's model too (alarms, cancelling, setting the clock, bad input)
 * is in ../shared/pl031_cases.c, run here after these.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "../shared/pl031_cases.h"

#define AMBA_DEV "/sys/bus/amba/devices/9010000.pl031"

static int stock;		/* virt-stock: the kernel had the RTC at boot */
static int busy_ret = 1;	/* udrv_pl031_open() while rtc-pl031 had it */
static char busy_why[256];

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -errno;
	ok = fputs(s, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

/* The guest's `date +%s`. */
static long long guest_date(void)
{
	FILE *p = popen("date +%s", "r");
	long long t = -1;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%lld", &t), 1);
	pclose(p);
	return t;
}

static int group_setup(void **state)
{
	struct udrv_pl031 *rtc = NULL;
	const char *b = getenv("UDRV_BOARD");

	(void)state;
	stock = b && !strcmp(b, "virt-stock");
	if (!stock)
		return 0;
	/* virt-stock: rtc-pl031 has it (unless an earlier suite took it). */
	busy_ret = udrv_pl031_open(NULL, &rtc);
	snprintf(busy_why, sizeof(busy_why), "%s", udrv_pl031_last_error());
	if (busy_ret == 0) {
		udrv_pl031_close(rtc);
		return 0;
	}
	if (write_str(AMBA_DEV "/driver/unbind", "9010000.pl031") ||
	    write_str(AMBA_DEV "/driver_override", "udrv_uio") ||
	    write_str("/sys/bus/amba/drivers_probe", "9010000.pl031"))
		return -1;
	return 0;
}

/* virt-stock: give the PL031 back to rtc-pl031, as the boot left it. */
static int group_teardown(void **state)
{
	(void)state;
	if (!stock)
		return 0;
	write_str(AMBA_DEV "/driver/unbind", "9010000.pl031");
	write_str(AMBA_DEV "/driver_override", "\n");
	return write_str("/sys/bus/amba/drivers_probe", "9010000.pl031") ||
	       access(AMBA_DEV "/driver", F_OK) ? -1 : 0;
}

/* The time read through the driver agrees with the guest's date within a
 * second. Two independent witnesses: QEMU starts the PL031 at the host's
 * time; the guest's clock was set either by the kernel from this RTC at
 * boot (virt-stock) or, where the overlay hands the RTC to the stub before
 * the kernel can read it (virt), by the harness's /init from the host's
 * time at QEMU's start plus the kernel's uptime. The host's own clock is
 * a third: it gets the RTC's reading (time-check, PASS/FAIL as a
 * host-checks test). */
static void test_time_matches_date(void **state)
{
	struct pl031_fixture *f = *state;
	const char *name = getenv("UDRV_BOARD_NAME");
	uint32_t t;
	long long d;

	udrv_pl031_time(f->rtc, &t);
	assert_true(t > 1600000000u);	/* QEMU starts it at the host's time */
	/* Report it as the second turns, so the host's reading is not up to a
	 * second past the one the RTC shows. */
	for (uint32_t t0 = t, ms = 0; t == t0; ms++) {
		if (ms == 1500)
			fail_msg("the RTC did not advance in 1.5 s");
		usleep(1000);
		udrv_pl031_time(f->rtc, &t);
	}
	printf("@@UDRV-HOST time-check %u\n", t);
	fflush(stdout);
	/* The 32-bit kernel decompresses itself before its clock starts, so
	 * /init's uptime misses those seconds: the host is the witness there. */
	if (name && !strcmp(name, "virt32"))
		return;
	if (guest_date() < 1000000000)
		fail_msg("the guest's clock was never set (date: %lld)", guest_date());
	for (int i = 0; i < 3; i++) {
		if (i)
			usleep(700 * 1000);
		d = guest_date();
		udrv_pl031_time(f->rtc, &t);
		if (llabs((long long)t - d) > 1)
			fail_msg("RTC %u vs date %lld", t, d);
	}
}

/* Another device of the stub, not a PL031 (virt's virtio-blk): refused by
 * its ID registers, the PL031 left usable. (On the host the model with
 * another part number, tests/sim/test_pl031.c.) */
static void test_other_device(void **state)
{
	struct pl031_fixture *f = *state;
	struct udrv_pl031 *other = NULL;

	if (stock) {
		skip();	/* virt-stock hands no virtio-mmio slot to the stub */
		return;
	}
	assert_int_equal(udrv_pl031_open("virtio-blk", &other), -ENODEV);
	print_message("virtio-blk refused: %s\n", udrv_pl031_last_error());
	assert_null(other);
	assert_int_equal(udrv_pl031_alarm_in(f->rtc, 1), 0);
	assert_int_equal(udrv_pl031_alarm_wait(f->rtc, 3 * SEC), 1);
}

/* virt-stock only: while rtc-pl031 had it, opening said so (group setup). */
static void test_bound_elsewhere(void **state)
{
	(void)state;
	if (busy_ret == 0) {
		print_message("the PL031 was already handed over by an earlier suite\n");
		skip();
		return;
	}
	print_message("refused: %s\n", busy_why);
	assert_int_equal(busy_ret, -EBUSY);
	assert_non_null(strstr(busy_why, "rtc-pl031"));
}

int main(void)
{
	const struct CMUnitTest own[] = {
		cmocka_unit_test(test_bound_elsewhere),
		cmocka_unit_test_setup_teardown(test_time_matches_date, pl031_setup, pl031_teardown),
		cmocka_unit_test_setup_teardown(test_other_device, pl031_setup, pl031_teardown),
	};
	const size_t nown = sizeof(own) / sizeof(own[0]);
	struct CMUnitTest *tests = calloc(nown + pl031_ncases, sizeof(*tests));
	const char *b = getenv("UDRV_BOARD");
	size_t first = b && !strcmp(b, "virt-stock") ? 0 : 1;	/* virt: nobody else has it */
	int failed;

	struct utsname u;

	if (!tests)
		return 1;
	const char *name = getenv("UDRV_BOARD_NAME");	/* b is its family */

	/*
	 * A 10-alarm chain once, on virt with the default kernel (6.1); 5
	 * alarms on the other kernels, virt32 and virt-stock: the chain is the
	 * driver's and the stub's interrupt path, which those run all the
	 * same, and each alarm is a real second (20 of them were a quarter of
	 * the whole guest run of a virt board; the host's model runs 20).
	 */
	pl031_alarms_in_a_row = 10;
	if (!name || strcmp(name, "virt") || uname(&u) || strncmp(u.release, "6.1.", 4))
		pl031_alarms_in_a_row = 5;
	memcpy(tests, own, sizeof(own));
	memcpy(tests + nown, pl031_cases, pl031_ncases * sizeof(*tests));
	failed = _cmocka_run_group_tests("pl031", tests + first, nown + pl031_ncases - first,
					 group_setup, group_teardown);
	free(tests);
	return failed;
}
