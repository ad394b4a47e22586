// SPDX-License-Identifier: MIT
/*
 * udrv_uio module parameters, on virt-stock (no overlay): of_id= binds
 * nodes no kernel driver claims (QEMU's fw-cfg and the CFI flash with its
 * two `reg` entries), ids= binds the edu PCI device by vendor:device (with
 * no DMA pool, or the one ids=vendor:device:POOL asks for); the
 * `pool` driver attribute gives fw-cfg a DMA pool at run time, and fw-cfg's
 * DMA interface uses it. The module is reloaded with its previous
 * parameters afterwards.
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
#include "udrv_uio.h"

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
	/* PCI devices get no DMA pool unless asked: BAR0 only */
	assert_true(uio_by_name("udrv_uio") >= 0);
	assert_int_equal(uio_map_attr(uio_by_name("udrv_uio"), 1, "size"), -1);

	/* ids=vendor:device:POOL asks for one (decimal or 0x hex) */
	assert_int_equal(stub_rmmod(50), 0);
	assert_int_equal(stub_insmod("ids=1234:11e8:0x8000"), 0);
	edu_driver(addr, buf, sizeof(buf));
	assert_string_equal(buf, "udrv_uio");
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map1/name", uio_by_name("udrv_uio"));
	assert_true(sysfs_read(path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "dma");
	assert_int_equal(uio_map_attr(uio_by_name("udrv_uio"), 1, "size"), 0x8000);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/" UDRV_UIO_SYNC_ATTR, addr);
	assert_int_equal(access(path, F_OK), -1);	/* coherent: no syncs */
	/* pci_pool_cached=1: the same pool, cached, with its sync attribute */
	assert_int_equal(stub_rmmod(50), 0);
	assert_int_equal(stub_insmod("ids=1234:11e8:0x8000 pci_pool_cached=1"), 0);
	assert_int_equal(uio_map_attr(uio_by_name("udrv_uio"), 1, "size"), 0x8000);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(stub_rmmod(50), 0);
	assert_int_equal(stub_insmod("ids=1234:11e8:nonsense"), -EINVAL);
	ret = stub_insmod("of_id=qemu,fw-cfg-mmio;cfi-flash ids=1234:11e8");
	if (ret)
		fail_msg("insmod: %s", strerror(-ret));

	/* fw-cfg: one 0x18-byte region, no interrupt; its signature is "QEMU". */
	n = uio_by_name("fw-cfg");
	assert_true(n >= 0);
	assert_int_equal(uio_map_attr(n, 0, "addr"), 0x9020000);
	assert_int_equal(uio_map_attr(n, 0, "offset"), 0);
	assert_int_equal(uio_map_attr(n, 0, "size"), 0x18);	/* its window, not the page */
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

/* fw-cfg's DMA interface (QEMU docs/specs/fw_cfg.rst): big-endian fields. */
#define FW_CFG_DATA		0x00
#define FW_CFG_SELECTOR		0x08
#define FW_CFG_DMA		0x10
#define FW_CFG_ID		0x0001
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_DMA_ERROR	0x01
#define FW_CFG_DMA_READ		0x02
#define FW_CFG_DMA_SELECT	0x08
#define FW_DEV			"9020000.fw-cfg"
#define POOL_ATTR		"/sys/bus/platform/drivers/udrv_uio/pool"

struct fw_cfg_dma {
	uint32_t control, length;
	uint64_t address;
};

/*
 * A DMA pool for a device the overlay never handed over, asked for at run
 * time through the stub's `pool` attribute; fw-cfg then DMAs its signature
 * into it. Without the request the same binding has no pool.
 */
static void test_runtime_pool_dma(void **state)
{
	volatile uint8_t *regs;
	struct fw_cfg_dma *dma;
	uint8_t *pool;
	uint64_t bus;
	char buf[128];
	int n, fd, i, ret;
	uint32_t id;

	(void)state;
	stub_module_params(saved, sizeof(saved));
	assert_int_equal(stub_rmmod(50), 0);
	ret = stub_insmod("of_id=qemu,fw-cfg-mmio");
	if (ret)
		fail_msg("insmod: %s", strerror(-ret));
	n = uio_by_name("fw-cfg");
	assert_true(n >= 0);
	assert_int_equal(uio_map_attr(n, 1, "size"), -1);	/* no pool asked for */

	assert_int_equal(sysfs_write(POOL_ATTR, FW_DEV " 16384"), 0);
	assert_true(sysfs_read(POOL_ATTR, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, FW_DEV " 16384");
	assert_int_equal(sysfs_write(POOL_ATTR, "no-size-given"), -EINVAL);
	assert_int_equal(sysfs_write("/sys/bus/platform/drivers/udrv_uio/unbind", FW_DEV), 0);
	assert_int_equal(sysfs_write("/sys/bus/platform/drivers/udrv_uio/bind", FW_DEV), 0);
	n = uio_by_name("fw-cfg");
	assert_true(n >= 0);
	snprintf(buf, sizeof(buf), "/sys/class/uio/uio%d/maps/map1/name", n);
	assert_true(sysfs_read(buf, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "dma");
	assert_int_equal(uio_map_attr(n, 1, "size"), 16384);
	bus = (uint64_t)uio_map_attr(n, 1, "addr");

	fd = uio_open(n);
	assert_true(fd >= 0);
	regs = uio_mmap(fd, 0, (size_t)uio_map_attr(n, 0, "size"));
	pool = uio_mmap(fd, 1, 16384);
	assert_non_null(regs);
	assert_non_null(pool);
	*(volatile uint16_t *)(regs + FW_CFG_SELECTOR) = __builtin_bswap16(FW_CFG_ID);
	for (i = 0, id = 0; i < 4; i++)
		id |= (uint32_t)regs[FW_CFG_DATA] << (8 * i);
	assert_true(id & 2);	/* the DMA interface is there */

	dma = (struct fw_cfg_dma *)pool;
	dma->control = __builtin_bswap32(FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT |
					 FW_CFG_DMA_READ);
	dma->length = __builtin_bswap32(4);
	dma->address = __builtin_bswap64(bus + 0x100);
	__sync_synchronize();
	*(volatile uint32_t *)(regs + FW_CFG_DMA) = __builtin_bswap32((uint32_t)(bus >> 32));
	*(volatile uint32_t *)(regs + FW_CFG_DMA + 4) = __builtin_bswap32((uint32_t)bus);
	for (i = 0; i < 1000 && *(volatile uint32_t *)&dma->control; i++)
		usleep(1000);
	assert_int_equal(*(volatile uint32_t *)&dma->control, 0);	/* done, no error */
	assert_memory_equal(pool + 0x100, "QEMU", 4);
	printf("# fw-cfg DMAed its signature into a pool asked for at run time (bus %#llx)\n",
	       (unsigned long long)bus);
	munmap((void *)regs, (size_t)getpagesize());
	munmap(pool, 16384);
	close(fd);

	/* Forgotten: the next binding has no pool again. */
	assert_int_equal(sysfs_write(POOL_ATTR, "-" FW_DEV), 0);
	assert_int_equal(uio_rebind("fw-cfg"), 0);
	assert_int_equal(uio_map_attr(uio_by_name("fw-cfg"), 1, "size"), -1);
	assert_int_equal(stub_rmmod(50), 0);
	assert_int_equal(stub_insmod(saved), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_of_id_and_ids),
		cmocka_unit_test(test_runtime_pool_dma),
	};

	return cmocka_run_group_tests_name("stub_params", tests, NULL, NULL);
}
