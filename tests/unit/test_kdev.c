// SPDX-License-Identifier: MIT
/*
 * test_kdev.c - kernel devices (lib/kdev.c), UIO node and map descriptions
 * (lib/scan.c), PCI addresses (lib/parse.c) and udrv_error() (lib/log.c)
 * against the fake sysfs of fake.h, with /sys/bus added here: the three
 * buses list the standard board's devices, a PL061 is held by its kernel
 * driver, /gpio@9040000 is a DT node the kernel made no device of.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static char root[PATH_MAX];

/* fake_write() with the missing directories made. */
static void mk(const char *rel, const char *val)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	fake_write(rel, val);
}

static void bus_link(const char *bus, const char *name, const char *dir)
{
	char p[PATH_MAX * 2], target[PATH_MAX * 2];

	snprintf(p, sizeof(p), "sys/bus/%s/devices/.keep", bus);
	mk(p, "");
	snprintf(target, sizeof(target), "%s/sys/%s", root, dir);
	snprintf(p, sizeof(p), "%s/sys/bus/%s/devices/%s", root, bus, name);
	assert_int_equal(symlink(target, p), 0);
}

/* What @rel holds now (a fake sysfs attribute the library wrote). */
static const char *content(const char *rel)
{
	static char buf[256];
	char p[PATH_MAX * 2];
	int fd, n;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int setup(void **state)
{
	static const char pl061[] = "arm,pl061\0arm,primecell";

	fake_setup(state);
	snprintf(root, sizeof(root), "%s", getenv("UDRV_ROOT"));
	bus_link("platform", "9010000.pl031", "devices/platform/9010000.pl031");
	bus_link("platform", "9020000.pl031", "devices/platform/9020000.pl031");
	bus_link("platform", "ff110000.timer", "devices/platform/ff110000.timer");
	bus_link("pci", "0000:00:02.0", "devices/pci0000:00/0000:00:02.0");
	mk("sys/devices/platform/9030000.pl061/driver_override", "");
	fake_dt("devices/platform/9030000.pl061", "pl061@9030000", pl061, sizeof(pl061));
	fake_driver("devices/platform/9030000.pl061", "pl061");
	bus_link("amba", "9030000.pl061", "devices/platform/9030000.pl061");
	mk("sys/firmware/devicetree/base/gpio@9040000/compatible", "x");
	return 0;
}

static void stub_loaded(void)
{
	mk("sys/bus/platform/drivers/udrv_uio/unbind", "");
	mk("sys/bus/platform/drivers/udrv_uio/pool", "");
	mk("sys/bus/amba/drivers/udrv_uio/unbind", "");
	mk("sys/bus/amba/drivers/udrv_uio/pool", "");
	mk("sys/bus/fake/drivers/pl061/unbind", "");	/* fake_driver()'s bus */
	mk("sys/bus/platform/drivers_probe", "");
	mk("sys/bus/amba/drivers_probe", "");
	mk("sys/devices/platform/ff110000.timer/driver_override", "");
}

static void test_find(void **state)
{
	struct udrv_kdev kd, other;

	(void)state;
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .dt_path = "/pl031@9010000" },
					&kd), 0);
	assert_string_equal(kd.bus, "platform");
	assert_string_equal(kd.name, "9010000.pl031");
	assert_string_equal(kd.driver, "");
	assert_int_equal(kd.uio, 0);
	assert_string_equal(kd.uio_name, "rtc");
	assert_int_equal(kd.pool_size, 0);
	/* the short PCI form; the stub's pool is reported */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .pci_address = "00:02.0" }, &kd),
			 0);
	assert_string_equal(kd.name, "0000:00:02.0");
	assert_string_equal(kd.driver, "udrv_uio");
	assert_int_equal(kd.uio, 4);
	assert_int_equal(kd.pool_size, 0x4000);
	assert_int_equal(kd.vendor, 0x1234);
	assert_int_equal(kd.device, 0x11e8);
	/* names: on a bus, a UIO name, uioN (the device an extra node belongs to) */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "9030000.pl061" }, &kd),
			 0);
	assert_string_equal(kd.bus, "amba");
	assert_string_equal(kd.driver, "pl061");
	assert_int_equal(kd.uio, -1);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "edu" }, &kd), 0);
	assert_string_equal(kd.bus, "pci");
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "uio1" }, &kd), 0);
	assert_string_equal(kd.name, "ff110000.timer");
	assert_int_equal(kd.pool_size, 0x10000);
	/* compatible and PCI id, by index */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .compatible = "arm,pl031" }, &kd),
			 0);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .compatible = "arm,pl031",
								  .index = 1 }, &other), 0);
	assert_string_not_equal(kd.name, other.name);
	assert_non_null(strstr(kd.name, ".pl031"));
	assert_non_null(strstr(other.name, ".pl031"));
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .compatible = "arm,pl031",
								  .index = 2 }, &kd), -ENOENT);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .pci_vendor = 0x1234,
								  .pci_device = 0x11e8 }, &kd), 0);
	assert_string_equal(kd.name, "0000:00:02.0");
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .pci_vendor = 0x8086,
								  .pci_device = 0x100e }, &kd), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "8086:100e"));
	/* absent, and present without a device */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .dt_path = "/nosuch" }, &kd),
			 -ENOENT);
	assert_string_equal(udrv_last_error(), "no device-tree node /nosuch");
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .dt_path = "/gpio@9040000" },
					&kd), -ENODEV);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .pci_address = "0000:00:03.0" },
					&kd), -ENOENT);
	assert_string_equal(udrv_last_error(), "no PCI device 0000:00:03.0");
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "nosuch" }, &kd),
			 -ENOENT);
	/* bad selectors */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ 0 }, &kd), -EINVAL);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "a", .dt_path = "/" },
					&kd), -EINVAL);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .pci_address = "00:02" }, &kd),
			 -EINVAL);
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "../x" }, &kd), -EINVAL);
	assert_int_equal(udrv_kdev_find(NULL, &kd), -EINVAL);
}

static void test_bind(void **state)
{
	struct udrv_kdev kd;

	(void)state;
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .dt_path = "/pl061@9030000" },
					&kd), 0);
	assert_int_equal(udrv_kdev_bind(&kd, true, UDRV_POOL_UNSET), -ENXIO);
	assert_non_null(strstr(udrv_last_error(), "module is not loaded"));
	assert_int_equal(udrv_kdev_stub_loaded(), -ENXIO);
	stub_loaded();
	assert_int_equal(udrv_kdev_stub_loaded(), 0);
	/* held by pl061: left alone without force, nothing written */
	assert_int_equal(udrv_kdev_bind(&kd, false, UDRV_POOL_UNSET), -EBUSY);
	assert_string_equal(udrv_last_error(), "9030000.pl061 is held by the pl061 driver");
	assert_string_equal(content("sys/bus/fake/drivers/pl061/unbind"), "");
	/* forced: pool asked of the stub on the device's bus, unbound, overridden,
	 * probed; the fake kernel binds nothing, so the stub "did not take" it */
	assert_int_equal(udrv_kdev_bind(&kd, true, 0x4000), -EIO);
	assert_non_null(strstr(udrv_last_error(), "udrv_uio did not take 9030000.pl061"));
	assert_string_equal(content("sys/bus/amba/drivers/udrv_uio/pool"), "9030000.pl061 16384");
	assert_string_equal(content("sys/bus/fake/drivers/pl061/unbind"), "9030000.pl061");
	assert_string_equal(content("sys/devices/platform/9030000.pl061/driver_override"),
			    "udrv_uio");
	assert_string_equal(content("sys/bus/amba/drivers_probe"), "9030000.pl061");
	/* the stub has it already: 0 with its pool, -EEXIST with another */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "timer" }, &kd), 0);
	assert_int_equal(udrv_kdev_bind(&kd, false, UDRV_POOL_UNSET), 0);
	assert_int_equal(udrv_kdev_bind(&kd, false, 0x10000), 0);
	assert_int_equal(udrv_kdev_bind(&kd, false, 4096), -EEXIST);
	assert_non_null(strstr(udrv_last_error(), "with a 65536-byte DMA pool"));
	/* forced: off the stub and on again with the new pool, the override kept */
	mk("sys/bus/fake/drivers/udrv_uio/unbind", "");
	assert_int_equal(udrv_kdev_bind(&kd, true, 4096), 0);
	assert_string_equal(content("sys/bus/platform/drivers/udrv_uio/pool"), "ff110000.timer 4096");
	assert_string_equal(content("sys/devices/platform/ff110000.timer/driver_override"),
			    "udrv_uio");
	assert_string_equal(content("sys/bus/fake/drivers/udrv_uio/unbind"), "ff110000.timer");
	assert_string_equal(content("sys/bus/platform/drivers_probe"), "ff110000.timer");
	assert_int_equal(udrv_kdev_bind(NULL, false, 0), -EINVAL);
}

static void test_unbind(void **state)
{
	struct udrv_kdev kd;

	(void)state;
	stub_loaded();
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "uio2" }, &kd), 0);
	/* the fake kernel leaves the driver link: the stub "took it back", so it
	 * was unbound a second time and left without a driver (1) */
	assert_int_equal(udrv_kdev_unbind(&kd), 1);
	assert_string_equal(content("sys/bus/platform/drivers/udrv_uio/unbind"), "ff110000.timer");
	assert_string_equal(content("sys/devices/platform/ff110000.timer/driver_override"), "\n");
	assert_string_equal(content("sys/bus/platform/drivers_probe"), "ff110000.timer");
	/* not the stub's */
	assert_int_equal(udrv_kdev_find(&(struct udrv_open_opts){ .name = "9030000.pl061" }, &kd),
			 0);
	assert_int_equal(udrv_kdev_unbind(&kd), -EINVAL);
	assert_string_equal(udrv_last_error(), "9030000.pl061 is not bound to udrv_uio (driver: pl061)");
}

static void test_uio_map(void **state)
{
	struct udrv_uio_map m;

	(void)state;
	assert_int_equal(udrv_uio_map(4, 1, &m), 0);
	assert_string_equal(m.name, "dma");
	assert_int_equal(m.addr, 0x80000000);
	assert_int_equal(m.size, 0x4000);
	assert_int_equal(m.offset, 0);
	assert_int_equal(udrv_uio_map(6, 0, &m), 0);
	assert_int_equal(m.offset, 0x100);
	assert_int_equal(udrv_uio_map(5, 0, &m), 0);
	assert_string_equal(m.name, "");
	assert_int_equal(udrv_uio_map(4, 2, &m), -ENOENT);
	assert_int_equal(udrv_uio_map(99, 0, &m), -ENOENT);
	fake_write("sys/class/uio/uio0/maps/map0/size", "zz\n");
	assert_int_equal(udrv_uio_map(0, 0, &m), -EINVAL);
	assert_int_equal(udrv_uio_map(0, 0, NULL), -EINVAL);
}

struct nodes {
	const char *name;
	struct udrv_uio_node n[4];
	int count, ret;
};

static int nodes_cb(const struct udrv_device_info *info, void *data)
{
	struct nodes *c = data;

	if (strcmp(info->name, c->name))
		return 0;
	for (c->count = 0; c->count < 4; c->count++)
		if (udrv_device_info_node(info, (unsigned int)c->count, &c->n[c->count]))
			break;
	c->ret = udrv_device_info_node(info, 0, NULL);
	return 1;
}

static void test_info_node(void **state)
{
	struct nodes c = { .name = "timer" };

	(void)state;
	fake_write("sys/class/uio/uio3/event", "7\n");
	assert_int_equal(udrv_device_foreach(nodes_cb, &c), 1);
	assert_int_equal(c.count, 3);
	assert_int_equal(c.ret, -EINVAL);
	assert_int_equal(c.n[0].uio, 1);
	assert_string_equal(c.n[2].name, "timer.irq2");
	assert_int_equal(c.n[2].events, 7);
	assert_int_equal(c.n[2].irq, 1);
	c = (struct nodes){ .name = "plain" };
	assert_int_equal(udrv_device_foreach(nodes_cb, &c), 1);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.n[0].irq, 0);	/* poll() says POLLERR: no interrupt */
}

static void test_pci_address(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(udrv_pci_address_parse("0000:00:02.0", out, sizeof(out)), 0);
	assert_string_equal(out, "0000:00:02.0");
	assert_int_equal(udrv_pci_address_parse("1f:1f.7", out, sizeof(out)), 0);
	assert_string_equal(out, "0000:1f:1f.7");
	assert_int_equal(udrv_pci_address_parse("ABCD:01:00.1", out, sizeof(out)), 0);
	assert_string_equal(out, "abcd:01:00.1");
	static const char *const bad[] = { "", "00:02", "00:20.0", "00:02.8", "0000:00:02.0x",
					   "0000-00:02.0", " 0:02.0", "0:00:02.0", "00:02.0 ",
					   "0000:-1:02.0", "0000:+1:02.0", "0x12:00:02.0", "00:0x.0",
					   "+0:02.0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (udrv_pci_address_parse(bad[i], out, sizeof(out)) != -EINVAL)
			fail_msg("'%s' was taken", bad[i]);
	assert_int_equal(udrv_pci_address_parse("00:02.0", out, 12), -EINVAL);	/* no room */
	assert_int_equal(udrv_pci_address_parse(NULL, out, sizeof(out)), -EINVAL);
}

static void test_error(void **state)
{
	(void)state;
	assert_int_equal(udrv_error(-EIO, "first %d", 1), -EIO);
	assert_string_equal(udrv_last_error(), "first 1");
	/* the message may quote the last one */
	assert_int_equal(udrv_error(-EBUSY, "second: %s", udrv_last_error()), -EBUSY);
	assert_string_equal(udrv_last_error(), "second: first 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_bind, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_unbind, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_uio_map, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_info_node, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_pci_address, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_error, setup, fake_teardown),
	};

	return cmocka_run_group_tests_name("kdev", tests, NULL, NULL);
}
