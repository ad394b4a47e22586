// SPDX-License-Identifier: MIT
/*
 * udrv_uio module parameters, on virt-stock (no overlay): of_id= binds
 * nodes no kernel driver claims (QEMU's fw-cfg and the CFI flash with its
 * two `reg` entries), ids= binds the edu PCI device by vendor:device.
 * The module is reloaded with its previous parameters afterwards.
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
#include <unistd.h>
#include <cmocka.h>

#include "test_stub_common.h"

#define EDU_DEV_GLOB	"/sys/bus/pci/devices"

static char saved[512];

static int find_edu(char *addr, size_t len)
{
	DIR *d = opendir(EDU_DEV_GLOB);
	struct dirent *e;
	char path[PATH_MAX];
	int found = 0;

	while (d && (e = readdir(d)) && !found) {
		snprintf(path, sizeof(path), EDU_DEV_GLOB "/%s/vendor", e->d_name);
		if (sysfs_num(path) != 0x1234)
			continue;
		snprintf(path, sizeof(path), EDU_DEV_GLOB "/%s/device", e->d_name);
		if (sysfs_num(path) != 0x11e8)
			continue;
		snprintf(addr, len, "%.31s", e->d_name);
		found = 1;
	}
	if (d)
		closedir(d);
	return found ? 0 : -1;
}

static void edu_driver(const char *addr, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];

	snprintf(path, sizeof(path), EDU_DEV_GLOB "/%s/driver", addr);
	snprintf(out, len, "%s", realpath(path, real) ? strrchr(real, '/') + 1 : "");
}

static void test_of_id_and_ids(void **state)
{
	char addr[32], path[PATH_MAX], buf[64], was_override[64];
	volatile uint8_t *r;
	void *map;
	int n, fd, i, ret;

	(void)state;
	assert_int_equal(find_edu(addr, sizeof(addr)), 0);
	stub_module_params(saved, sizeof(saved));
	snprintf(path, sizeof(path), EDU_DEV_GLOB "/%s/driver_override", addr);
	assert_true(sysfs_read(path, was_override, sizeof(was_override)) >= 0);

	/* Nothing but ids= may bind edu: no override, no driver. */
	assert_int_equal(sysfs_write(path, "\n"), 0);
	assert_int_equal(stub_rmmod(50), 0);
	edu_driver(addr, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(uio_by_name("fw-cfg"), -1);

	ret = stub_insmod("of_id=qemu,fw-cfg-mmio;cfi-flash ids=1234:11e8");
	if (ret)
		fail_msg("insmod: %s", strerror(-ret));
	assert_int_equal(sysfs_read("/sys/module/udrv_uio/parameters/of_id", buf, sizeof(buf)) > 0, 1);
	assert_string_equal(buf, "qemu,fw-cfg-mmio;cfi-flash");

	edu_driver(addr, buf, sizeof(buf));
	assert_string_equal(buf, "udrv_uio");

	/* fw-cfg: one 0x18-byte region, no interrupt; its signature is "QEMU". */
	n = uio_by_name("fw-cfg");
	assert_true(n >= 0);
	assert_int_equal(uio_map_attr(n, 0, "addr"), 0x9020000);
	assert_int_equal(uio_map_attr(n, 0, "offset"), 0);
	assert_int_equal(uio_map_attr(n, 0, "size"), 0x18);	/* the window, not the page */
	assert_int_equal(uio_map_attr(n, 1, "size"), -1);
	fd = uio_open(n);
	assert_true(fd >= 0);
	map = uio_mmap(fd, 0, getpagesize());
	assert_non_null(map);
	r = map;
	*(volatile uint16_t *)(r + 8) = 0;	/* select FW_CFG_SIGNATURE (BE) */
	for (i = 0; i < 4; i++)
		buf[i] = (char)r[0];
	buf[4] = '\0';
	assert_string_equal(buf, "QEMU");
	munmap(map, getpagesize());
	close(fd);

	/* The flash: two `reg` entries, two maps in order, named reg0/reg1. */
	n = uio_by_name("flash");
	assert_true(n >= 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(uio_map_attr(n, i, "addr"), i * 0x4000000);
		assert_int_equal(uio_map_attr(n, i, "size"), 0x4000000);
		snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/name", n, i);
		assert_true(sysfs_read(path, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, i ? "reg1" : "reg0");
	}
	assert_int_equal(uio_map_attr(n, 2, "size"), -1);

	/* Back as it was. */
	assert_int_equal(stub_rmmod(50), 0);
	snprintf(path, sizeof(path), EDU_DEV_GLOB "/%s/driver_override", addr);
	if (strcmp(was_override, "(null)"))
		assert_int_equal(sysfs_write(path, was_override), 0);
	assert_int_equal(stub_insmod(saved), 0);
	assert_int_equal(uio_by_name("fw-cfg"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_of_id_and_ids),
	};

	return cmocka_run_group_tests_name("stub_params", tests, NULL, NULL);
}
