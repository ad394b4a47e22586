// SPDX-License-Identifier: MIT
/*
 * Regions are exactly the device's window (issue 16, review L4), and the udrv
 * tool never dies of a signal on a register access:
 *   virt        the virtio-rng slot (0xa003a00) is 0x200 bytes, not the rest
 *               of its page; a write at 0x270 (the Status register of the
 *               disk slot at 0xa003c00) is refused by libudrv and the tool.
 *   virt-stock  QEMU's fw-cfg (0x9020000, a 0x18-byte window that no kernel
 *               driver claims), handed to the stub at run time with
 *               `udrv bind`: read/write/dump past the window are refused
 *               (exit 2), and accesses the device refuses (its selector takes
 *               16-bit writes only: reads are an external abort, SIGBUS;
 *               its data register refuses 32-bit reads at 0x4) are one
 *               line on stderr, exit 1.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tool_run.h"
#include "udrv.h"

#define FW_CFG_DT	"/fw-cfg@9020000"

static const char *board(void)
{
	const char *b = getenv("UDRV_BOARD");

	return b ? b : "";
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A refusal: @status, one line on stderr containing @why, nothing on stdout. */
static void refused(int status, const char *why)
{
	if (R.status != status || !strstr(R.err, why) || lines(R.err) != 1 || R.out[0])
		fail_msg("want %d and one line '%s', got %d: '%s' (stdout '%s')", status, why,
			 R.status, R.err, R.out);
}

/* Never a signal: 0, or 1 with one line naming device, region and offset
 * (@off: how the offset starts, "0x8:" for exactly 0x8). */
static void clean(const char *dev, const char *region, const char *off)
{
	char want[128];

	snprintf(want, sizeof(want), "%s region '%s' offset %s", dev, region, off);
	if (R.status >= 128)
		fail_msg("udrv died of signal %d: '%s'", R.status - 128, R.err);
	if (R.status && (R.status != 1 || !strstr(R.err, want) || lines(R.err) != 1))
		fail_msg("want 0, or 1 and one line '%s...', got %d: '%s'", want, R.status, R.err);
}

/* ---- virt: virtio-rng ---- */

static void test_virtio_rng_window(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	uint64_t v = 0;

	(void)state;
	if (strcmp(board(), "virt"))
		skip();
	assert_int_equal(udrv_device_open("virtio-rng", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_region_phys(r), 0xa003a00);
	assert_int_equal(udrv_region_size(r), 0x200);	/* not 0x600: the page's rest */
	assert_int_equal(udrv_device_region(dev, 0, 0x201, &r), -ERANGE);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), 0);
	assert_int_equal(v, 0x74726976);	/* "virt" */
	assert_int_equal(udrv_region_read(r, 0x1fc, 32, &v), 0);
	assert_int_equal(udrv_region_read(r, 0x200, 32, &v), -ERANGE);
	assert_int_equal(udrv_region_write(r, 0x270, 32, 0), -ERANGE);
	udrv_device_close(dev);

	udrv("write", "virtio-rng", "reg0", "0x270", "0", NULL);
	refused(2, "offset 0x270 + 4 bytes is past the end of region 'reg0' (0x200 bytes)");
	udrv("read", "virtio-rng", "reg0", "0x200", NULL);
	refused(2, "past the end of region 'reg0' (0x200 bytes)");
	assert_int_equal(udrv("dump", "virtio-rng", "reg0", NULL), 0);
	assert_int_equal(lines(R.out), 0x200 / 16);
	assert_non_null(strstr(R.out, "000001f0:"));
	assert_null(strstr(R.out, "00000200:"));
	assert_int_equal(udrv("info", "virtio-rng", NULL), 0);
	assert_non_null(strstr(R.out, "phys 0xa003a00 "));
	assert_non_null(strstr(R.out, " size 0x200\n"));
}

/* ---- virt-stock: fw-cfg bound at run time ---- */

static bool bound_here;

static int fw_cfg_setup(void **state)
{
	(void)state;
	if (strcmp(board(), "virt-stock"))
		return 0;
	if (udrv("info", "fw-cfg", NULL)) {
		if (udrv("bind", FW_CFG_DT, NULL))
			fail_msg("udrv bind %s: %d: %s", FW_CFG_DT, R.status, R.err);
		bound_here = true;
	}
	return 0;
}

static int fw_cfg_teardown(void **state)
{
	(void)state;
	if (bound_here && udrv("unbind", FW_CFG_DT, NULL))
		fprintf(stderr, "udrv unbind %s: %d: %s\n", FW_CFG_DT, R.status, R.err);
	bound_here = false;
	return 0;
}

static void test_fw_cfg_window(void **state)
{
	(void)state;
	if (strcmp(board(), "virt-stock"))
		skip();
	assert_int_equal(udrv("info", "fw-cfg", NULL), 0);
	assert_non_null(strstr(R.out, "phys 0x9020000 "));
	assert_non_null(strstr(R.out, " size 0x18\n"));

	/* past the window: bad usage, one line, nothing touched */
	udrv("read", "fw-cfg", "reg0", "0x18", NULL);
	refused(2, "offset 0x18 + 4 bytes is past the end of region 'reg0' (0x18 bytes)");
	udrv("write", "fw-cfg", "reg0", "0x18", "0", NULL);
	refused(2, "past the end of region 'reg0' (0x18 bytes)");
	udrv("read", "fw-cfg", "reg0", "0x10", "--width", "64", NULL);
	assert_int_equal(R.status, 0);	/* the DMA address register: the last 8 bytes */
	udrv("read", "fw-cfg", "reg0", "0x18", "--width", "8", NULL);
	refused(2, "past the end of region 'reg0'");
	udrv("dump", "fw-cfg", "reg0", "0x10", "0x10", NULL);
	refused(2, "offset 0x10 + 16 bytes is past the end of region 'reg0' (0x18 bytes)");

	/* inside the window: select the signature (16-bit BE write), read "QEMU" */
	assert_int_equal(udrv("write", "fw-cfg", "reg0", "0x8", "0", "--width", "16", NULL), 0);
	for (const char *c = "QEMU"; *c; c++) {
		char want[8];

		assert_int_equal(udrv("read", "fw-cfg", "reg0", "0", "--width", "8", NULL), 0);
		snprintf(want, sizeof(want), "0x%02x\n", *c);
		assert_string_equal(R.out, want);
	}
}

/* The selector refuses reads (QEMU fw_cfg_ctl_mem_valid: 16-bit writes
 * only): an external abort, SIGBUS in the tool. One line, exit 1. */
static void test_fw_cfg_refused_access(void **state)
{
	(void)state;
	if (strcmp(board(), "virt-stock"))
		skip();
	udrv("read", "fw-cfg", "reg0", "0x8", NULL);
	clean("fw-cfg", "reg0", "0x8:");
	udrv("read", "fw-cfg", "reg0", "0x8", "--width", "16", NULL);
	clean("fw-cfg", "reg0", "0x8:");
	udrv("write", "fw-cfg", "reg0", "0x8", "0", NULL);	/* 32-bit: refused too */
	clean("fw-cfg", "reg0", "0x8:");
	/* the whole window: the data register (QEMU 7.2 refuses a 32-bit read
	 * at 0x4 already), then the selector; the line names the offset */
	udrv("dump", "fw-cfg", "reg0", NULL);
	clean("fw-cfg", "reg0", "0x");
	assert_true(lines(R.out) <= 2);
	assert_non_null(strstr(R.out, "00000000:"));
	if (R.status)
		assert_non_null(strstr(R.err, "refused (bus error)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_rng_window),
		cmocka_unit_test(test_fw_cfg_window),
		cmocka_unit_test(test_fw_cfg_refused_access),
	};

	return cmocka_run_group_tests_name("regions", tests, fw_cfg_setup, fw_cfg_teardown);
}
