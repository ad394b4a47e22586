// SPDX-License-Identifier: MIT
/*
 * test_genirq - libudrv, the udrv tool and the PL031 driver over the
 * kernel's uio_pdrv_genirq instead of the stub (issue 17), on the boards
 * whose overlay hands the PL031 to it:
 *   virt-genirq       compatible = "arm,pl031", "generic-uio"
 *   virt-genirq-only  compatible = "generic-uio", linux,uio-name = "board-rtc"
 * The suite loads uio_pdrv_genirq.ko with of_id=generic-uio (not auto-loaded).
 * What differs from the stub: the map is named after the node
 * ("pl031@9010000"), its addr is page-aligned with an in-page offset, there
 * is no DMA pool, and irqcontrol enables/disables the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "kuio_common.h"
#include "pl031.h"
#include "pl031_regs.h"
#include "udrv.h"

#define DT_PATH		"/pl031@9010000"
#define NODE_NAME	"pl031@9010000"

static bool only;	/* compatible is only "generic-uio" */
static const char *uio_name;	/* its UIO name */

static int group_setup(void **state)
{
	char compat[128] = "";
	FILE *f;
	size_t n = 0;
	int r;

	(void)state;
	r = kuio_load("uio_pdrv_genirq", "of_id=generic-uio");
	if (r) {
		fprintf(stderr, "insmod uio_pdrv_genirq of_id=generic-uio: %s\n", strerror(-r));
		return -1;
	}
	f = fopen("/sys/firmware/devicetree/base" DT_PATH "/compatible", "re");
	if (f) {
		n = fread(compat, 1, sizeof(compat) - 1, f);
		fclose(f);
	}
	only = n == sizeof("generic-uio") && !strcmp(compat, "generic-uio");
	uio_name = only ? "board-rtc" : "pl031";
	printf("# PL031 compatible: %s\n", only ? "\"generic-uio\" only" :
	       "\"arm,pl031\", \"generic-uio\"");
	return 0;
}

static void test_bound_to_genirq(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	assert_int_equal(udrv_device_open_dt_path(DT_PATH, &dev), 0);
	assert_string_equal(udrv_device_driver(dev), "uio_pdrv_genirq");
	assert_string_equal(udrv_device_name(dev), uio_name);
	udrv_device_close(dev);
}

/* Open by compatible (the whole list), DT path, UIO name, node name. */
static void test_open_every_way(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	if (only) {
		assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 0, &dev), -ENOENT);
		assert_non_null(strstr(udrv_last_error(), "among the"));
		assert_non_null(strstr(udrv_last_error(), uio_name));
		assert_non_null(strstr(udrv_last_error(), "generic-uio"));
	} else {
		assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 0, &dev), 0);
		assert_string_equal(udrv_device_dt_path(dev), DT_PATH);
		udrv_device_close(dev);
		dev = NULL;
	}
	assert_int_equal(udrv_device_open_dt_compatible("generic-uio", 0, &dev), 0);
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open(uio_name, &dev), 0);
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open(NODE_NAME, &dev), 0);
	udrv_device_close(dev);
}

/* One region: the node-named map, found as reg0 too, cut to the 0x1000
 * reg window; no DMA pool; one interrupt. */
static void test_regions(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL, *r2 = NULL;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(udrv_device_open_dt_path(DT_PATH, &dev), 0);
	assert_int_equal(udrv_device_num_regions(dev), 1);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 1);
	assert_int_equal(udrv_device_region(dev, 0, PL031_REGS_SIZE, &r), 0);
	assert_string_equal(udrv_region_name(r), NODE_NAME);
	assert_string_equal(udrv_region_alias(r), "reg0");
	assert_int_equal(udrv_region_phys(r), 0x9010000);
	assert_int_equal(udrv_region_size(r), 0x1000);
	assert_int_equal(udrv_device_region_by_name(dev, "reg0", 0, &r2), 0);
	assert_ptr_equal(r, r2);
	assert_int_equal(udrv_device_region_by_name(dev, NODE_NAME, 0, &r2), 0);
	assert_ptr_equal(r, r2);
	assert_int_equal(udrv_region_read(r, PL031_PERIPHID0, 32, &v), 0);
	assert_int_equal(v, 0x31);
	udrv_device_close(dev);
}

/* The library's interrupt path: the PL031's match interrupt, unmasked
 * through irqcontrol, counted; removal by unbinding reported. */
static void test_irq_and_removal(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	struct udrv_irq *irq = NULL;
	uint64_t now = 0;

	(void)state;
	assert_int_equal(udrv_device_open_dt_path(DT_PATH, &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_region_write(r, PL031_RTCIMSC, 32, 0), 0);
	assert_int_equal(udrv_region_write(r, PL031_RTCICR, 32, 1), 0);
	while (udrv_irq_wait(irq, 0) == 1)
		;
	assert_int_equal(udrv_irq_unmask(irq), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(udrv_region_read(r, PL031_RTCDR, 32, &now), 0);
		assert_int_equal(udrv_region_write(r, PL031_RTCMR, 32, now + 1), 0);
		assert_int_equal(udrv_region_write(r, PL031_RTCIMSC, 32, 1), 0);
		assert_int_equal(udrv_irq_wait(irq, 3000000000ull), 1);
		assert_int_equal(udrv_region_write(r, PL031_RTCICR, 32, 1), 0);
		assert_int_equal(udrv_irq_unmask(irq), 0);
	}
	assert_int_equal(udrv_irq_missed(irq), 0);
	assert_int_equal(udrv_irq_mask(irq), 0);
	assert_int_equal(udrv_region_write(r, PL031_RTCIMSC, 32, 0), 0);

	/* Unbound while open: the next interrupt call says so. */
	assert_int_equal(sysfs_write("/sys/bus/platform/drivers/uio_pdrv_genirq/unbind",
				    "9010000.pl031"), 0);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	assert_non_null(strstr(udrv_last_error(), "removed"));
	assert_int_equal(udrv_irq_wait(irq, 0), -ENODEV);
	udrv_device_close(dev);
	assert_int_equal(sysfs_write("/sys/bus/platform/drivers/uio_pdrv_genirq/bind",
				    "9010000.pl031"), 0);
}

/* The tool: list, info, read, dump, irq, dt, by every name. */
static void test_tool(void **state)
{
	(void)state;
	assert_int_equal(sh("udrv list"), 0);
	assert_non_null(strstr(sh_out, "uio_pdrv_genirq"));
	assert_non_null(strstr(sh_out, DT_PATH));
	assert_int_equal(sh("udrv info %s", DT_PATH), 0);
	assert_non_null(strstr(sh_out, "driver:     uio_pdrv_genirq"));
	assert_non_null(strstr(sh_out, "alias reg0"));
	assert_non_null(strstr(sh_out, "DMA pool 0 bytes (only the udrv_uio stub gives pools"));
	assert_int_equal(sh("udrv info --json %s", uio_name), 0);
	assert_non_null(strstr(sh_out, "\"driver\": \"uio_pdrv_genirq\""));
	assert_int_equal(sh("udrv read %s reg0 0xfe0", uio_name), 0);
	assert_string_equal(sh_out, "0x00000031\n");
	assert_int_equal(sh("udrv read %s %s 0xfe0", DT_PATH, NODE_NAME), 0);
	assert_string_equal(sh_out, "0x00000031\n");
	assert_int_equal(sh("udrv dump %s 0 0xfe0 0x20", uio_name), 0);
	assert_non_null(strstr(sh_out, "00000fe0: 00000031 00000010 00000014 00000000"));
	assert_int_equal(sh("udrv read %s reg1 0", uio_name), 2);
	assert_non_null(strstr(sh_out, "(reg0)"));
	assert_int_equal(sh("udrv dt %s", DT_PATH), 0);
	assert_non_null(strstr(sh_out, "generic-uio"));
	/* udrv irq: the match interrupt one second ahead */
	assert_int_equal(sh("udrv write %s 0 0x1c 1 && udrv write %s 0 0x10 1 && "
			    "udrv write %s 0 4 $(( $(udrv read %s 0 0) + 1 ))",
			    uio_name, uio_name, uio_name, uio_name), 0);
	assert_int_equal(sh("udrv irq %s --timeout 3000", uio_name), 0);
	assert_non_null(strstr(sh_out, "irq 0 count"));
	assert_int_equal(sh("udrv write %s 0 0x10 0 && udrv write %s 0 0x1c 1", uio_name,
			    uio_name), 0);
}

/* The PL031 driver and its CLI, by default (compatible) or by name. */
static void test_pl031_driver(void **state)
{
	struct udrv_pl031 *rtc = NULL;
	uint32_t t = 0;

	(void)state;
	if (only) {
		assert_int_equal(udrv_pl031_open(NULL, &rtc), -ENOENT);
		assert_int_equal(sh("udrv-pl031 time"), 1);
		assert_non_null(strstr(sh_out, "generic-uio"));
		assert_int_equal(udrv_pl031_open(uio_name, &rtc), 0);
	} else {
		assert_int_equal(udrv_pl031_open(NULL, &rtc), 0);
	}
	assert_int_equal(udrv_pl031_time(rtc, &t), 0);
	assert_true(t > 1000000000u);
	assert_int_equal(udrv_pl031_alarm_in(rtc, 1), 0);
	assert_int_equal(udrv_pl031_alarm_wait(rtc, 3000000000ull), 1);
	udrv_pl031_close(rtc);
	rtc = NULL;
	assert_int_equal(udrv_pl031_open(DT_PATH, &rtc), 0);
	udrv_pl031_close(rtc);

	assert_int_equal(sh("udrv-pl031 -d %s time", only ? uio_name : "arm,pl031"), 0);
	assert_int_equal(sh("udrv-pl031 -d %s alarm 1", DT_PATH), 0);
	if (!only)
		assert_int_equal(sh("udrv-pl031 alarm 1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound_to_genirq),
		cmocka_unit_test(test_open_every_way),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_irq_and_removal),
		cmocka_unit_test(test_tool),
		cmocka_unit_test(test_pl031_driver),
	};

	return cmocka_run_group_tests_name("genirq", tests, group_setup, NULL);
}
