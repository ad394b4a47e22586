/* SPDX-License-Identifier: MIT */
/* Devices: listing, opening by every key, getters, DT properties, PCI config. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static char logged[512];
static int log_calls;

static void log_cb(int level, const char *msg, void *data)
{
	assert_int_equal(level, UDRV_LOG_ERR);
	assert_ptr_equal(data, &log_calls);
	snprintf(logged, sizeof(logged), "%s", msg);
	log_calls++;
}

static void test_log_and_last_error(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	log_calls = 0;
	udrv_set_log(log_cb, &log_calls);
	assert_int_equal(udrv_device_open("nosuch", &dev), -ENOENT);
	assert_null(dev);
	assert_int_equal(log_calls, 1);
	assert_non_null(strstr(logged, "nosuch"));
	assert_string_equal(udrv_last_error(), logged);
	udrv_set_log(NULL, NULL);
	assert_int_equal(udrv_device_open("other", &dev), -ENOENT);
	assert_int_equal(log_calls, 1);
	assert_non_null(strstr(udrv_last_error(), "other"));
}

struct seen {
	int n;
	struct udrv_device_info info[8];
	char names[8][64], dt[8][64], compat[8][64], pci[8][16];
	int stop_at;
};

static int info_cb(const struct udrv_device_info *info, void *data)
{
	struct seen *s = data;
	int i = s->n++;

	s->info[i] = *info;
	snprintf(s->names[i], 64, "%s", info->name);
	snprintf(s->dt[i], 64, "%s", info->dt_path ? info->dt_path : "-");
	snprintf(s->compat[i], 64, "%s", info->compatible ? info->compatible : "-");
	snprintf(s->pci[i], 16, "%s", info->pci_address ? info->pci_address : "-");
	return s->n == s->stop_at ? 77 : 0;
}

static void test_foreach(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(udrv_device_foreach(info_cb, &s), 5);
	assert_int_equal(s.n, 5);
	/* uio2/uio3 are timer's interrupts, not devices */
	assert_string_equal(s.names[0], "rtc");
	assert_int_equal(s.info[0].uio, 0);
	assert_int_equal(s.info[0].source, UDRV_SOURCE_DT);
	assert_string_equal(s.dt[0], "/pl031@9010000");
	assert_string_equal(s.compat[0], "arm,pl031");
	assert_int_equal(s.info[0].nodes, 1);
	assert_string_equal(s.names[1], "timer");
	assert_int_equal(s.info[1].nodes, 3);
	assert_string_equal(s.dt[1], "/soc/timer@ff110000");
	assert_string_equal(s.names[2], "edu");
	assert_int_equal(s.info[2].source, UDRV_SOURCE_PCI);
	assert_string_equal(s.pci[2], "0000:00:02.0");
	assert_int_equal(s.info[2].vendor, 0x1234);
	assert_int_equal(s.info[2].device, 0x11e8);
	assert_string_equal(s.dt[2], "-");
	assert_string_equal(s.names[3], "plain");
	assert_int_equal(s.info[3].source, UDRV_SOURCE_OTHER);
	assert_string_equal(s.compat[3], "-");
	assert_string_equal(s.pci[3], "-");
	assert_string_equal(s.names[4], "rtc2");

	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(udrv_device_foreach(info_cb, &s), 77);
	assert_int_equal(s.n, 2);

	assert_int_equal(udrv_device_foreach(NULL, NULL), -EINVAL);
}

static void test_foreach_no_uio_class(void **state)
{
	struct seen s = { 0 };

	(void)state;
	setenv("UDRV_ROOT", "/nonexistent-udrv-root", 1);
	assert_int_equal(udrv_device_foreach(info_cb, &s), -ENOENT);
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(udrv_last_error(), "/nonexistent-udrv-root/sys/class/uio"));
}

static void test_open_by_name(void **state)
{
	struct udrv_device *dev = NULL;
	char longname[100];

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_non_null(dev);
	assert_string_equal(udrv_device_name(dev), "rtc");
	assert_int_equal(udrv_device_uio(dev), 0);
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_DT);
	assert_string_equal(udrv_device_dt_path(dev), "/pl031@9010000");
	assert_null(udrv_device_pci_address(dev));
	udrv_device_close(dev);

	/* the "uioN" form */
	assert_int_equal(udrv_device_open("uio5", &dev), 0);
	assert_string_equal(udrv_device_name(dev), "plain");
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_OTHER);
	assert_null(udrv_device_dt_path(dev));
	udrv_device_close(dev);
	udrv_device_close(NULL);

	dev = NULL;
	assert_int_equal(udrv_device_open("absent", &dev), -ENOENT);
	assert_int_equal(udrv_device_open("uio42", &dev), -ENOENT);
	assert_int_equal(udrv_device_open("timer.irq1", &dev), -ENOENT);
	assert_int_equal(udrv_device_open(NULL, &dev), -EINVAL);
	assert_int_equal(udrv_device_open("", &dev), -EINVAL);
	assert_int_equal(udrv_device_open("a/b", &dev), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(udrv_device_open(longname, &dev), -EINVAL);
	assert_int_equal(udrv_device_open("rtc", NULL), -EINVAL);
	assert_null(dev);
}

static void test_open_dev_node_missing(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_unlink("dev/uio0");
	assert_int_equal(udrv_device_open("rtc", &dev), -ENOENT);
	assert_null(dev);
	assert_non_null(strstr(udrv_last_error(), "/dev/uio0"));
}

static void test_open_name_missing(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_unlink("sys/class/uio/uio5/name");
	assert_int_equal(udrv_device_open("rtc", &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio5/name"));
	fake_write("sys/class/uio/uio5/name", "\n");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio5/name"));
	assert_null(dev);
}

/* A node that disappears between readdir and reading it is skipped. */
static void test_node_vanishing(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_unlink("sys/class/uio/uio5/name");
	fake_unlink("sys/class/uio/uio5/event");
	fake_unlink("sys/class/uio/uio5/dev");
	fake_unlink("sys/class/uio/uio5/maps/map0/addr");
	fake_unlink("sys/class/uio/uio5/maps/map0/size");
	fake_unlink("sys/class/uio/uio5/maps/map0/offset");
	fake_rmdir("sys/class/uio/uio5/maps/map0");
	fake_rmdir("sys/class/uio/uio5/maps");
	fake_rmdir("sys/class/uio/uio5");
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open("plain", &dev), -ENOENT);
}

static void test_open_dt_path(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	assert_int_equal(udrv_device_open_dt_path("/soc/timer@ff110000", &dev), 0);
	assert_string_equal(udrv_device_name(dev), "timer");
	assert_string_equal(udrv_device_dt_path(dev), "/soc/timer@ff110000");
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open_dt_path("/soc/timer@ff120000", &dev), -ENOENT);
	assert_int_equal(udrv_device_open_dt_path("soc/timer@ff110000", &dev), -EINVAL);
	assert_int_equal(udrv_device_open_dt_path(NULL, &dev), -EINVAL);
	assert_int_equal(udrv_device_open_dt_path("/pl031@9010000", NULL), -EINVAL);
	assert_null(dev);
}

/*
 * Long paths (review L1, L15): a parent device and a DT node whose resolved
 * paths are longer than 512 bytes (realpath() used to write them into
 * 512-byte buffers: an abort under _FORTIFY_SOURCE, a stack overflow
 * without) and a DT path longer than 255 bytes (used to be cut short).
 */
static void test_long_paths(void **state)
{
	static const struct fake_map regs[] = { { "regs", 0x9030000, 0x1000, 0 } };
	char parent[1200] = "devices/platform", node[900] = "soc", dt_path[1000];
	char comp[201];
	struct udrv_device *dev = NULL;

	(void)state;
	memset(comp, 'a', 200);
	comp[200] = '\0';
	for (int i = 0; i < 5; i++)
		snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "/%d%s", i, comp);
	for (int i = 0; i < 3; i++)
		snprintf(node + strlen(node), sizeof(node) - strlen(node), "/bus%d-%s@%d", i, comp, i);
	assert_true(strlen(parent) > 1000 && strlen(node) > 600);
	fake_uio(7, "deep", parent, regs, 1, true, 0);
	fake_dt(parent, node, "arm,pl031", sizeof("arm,pl031"));
	snprintf(dt_path, sizeof(dt_path), "/%s", node);

	assert_int_equal(udrv_device_open("deep", &dev), 0);
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_DT);
	assert_string_equal(udrv_device_dt_path(dev), dt_path);
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open_dt_path(dt_path, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "deep");
	udrv_device_close(dev);
}

/*
 * The scan and the open race with unbind/bind (review L9): UIO numbers are
 * reused, so /dev/uioN may be another device by the time it is opened. The
 * open checks the node against sysfs afterwards and looks again.
 */
static void test_open_race(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	/* uio0 became another device between the scan and the open: "rtc"
	 * is looked for again, and is nowhere */
	fake_rename_on_open(0, "intruder");
	assert_int_equal(udrv_device_open("rtc", &dev), -ENOENT);
	assert_null(dev);
	assert_int_equal(udrv_device_open("intruder", &dev), 0);
	udrv_device_close(dev);
	/* an interrupt node of timer (uio3) changed: found again on retry */
	fake_rename_on_open(3, "timer.irq2");
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	udrv_device_close(dev);
	fake_rename_on_open(3, "other");
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 2);	/* uio3 is not its own any more */
	udrv_device_close(dev);
	dev = NULL;
	/* /dev/uio0 is not the device sysfs's uio0/dev names */
	fake_write("sys/class/uio/uio0/dev", "243:0\n");
	assert_int_equal(udrv_device_open("intruder", &dev), -ENODEV);
	assert_non_null(strstr(udrv_last_error(), "243:0"));
	assert_null(dev);
}

/* Numbers in sysfs are decimal or 0x hex, never octal; lists are never cut
 * short (review L15). */
static void test_numbers_and_long_lists(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;
	char list[1100];
	size_t n = 0;

	(void)state;
	fake_write("sys/class/uio/uio0/event", "010\n");
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_irq_count(irq), 10);	/* strtoull base 0 said 8 */
	udrv_device_close(dev);
	dev = NULL;
	fake_write("sys/class/uio/uio0/event", "0x0x5\n");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	fake_write("sys/class/uio/uio0/event", "-1\n");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	fake_write("sys/class/uio/uio0/event", "0x1F\n");
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	udrv_device_close(dev);
	dev = NULL;

	/* a 600-byte compatible list, the wanted entry last (was cut at 255) */
	for (int i = 0; i < 10; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "acme,filler-%02d-%s", i,
				      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") + 1;
	n += (size_t)snprintf(list + n, sizeof(list) - n, "acme,the-one") + 1;
	assert_true(n > 500);
	fake_dt_prop("soc/timer@ff110000", "compatible", list, n);
	assert_int_equal(udrv_device_open_dt_compatible("acme,the-one", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "timer");
	udrv_device_close(dev);
	dev = NULL;
	/* one too long for the library is left out, with a warning */
	memset(list, 'a', sizeof(list));
	memcpy(list + sizeof(list) - 13, "acme,the-one", 13);
	fake_dt_prop("soc/timer@ff110000", "compatible", list, sizeof(list));
	assert_int_equal(udrv_device_open_dt_compatible("acme,the-one", 0, &dev), -ENOENT);
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_is_compatible(dev, "acme,the-one"), 0);
	udrv_device_close(dev);
}

static void test_open_dt_compatible(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "rtc");
	assert_int_equal(udrv_device_is_compatible(dev, "arm,primecell"), 1);
	assert_int_equal(udrv_device_is_compatible(dev, "arm,pl03"), 0);
	assert_int_equal(udrv_device_is_compatible(dev, NULL), -EINVAL);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open_dt_compatible("arm,primecell", 1, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "rtc2");
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 2, &dev), -ENOENT);
	assert_int_equal(udrv_device_open_dt_compatible("arm,pl061", 0, &dev), -ENOENT);
	assert_int_equal(udrv_device_open_dt_compatible("", 0, &dev), -EINVAL);
	assert_int_equal(udrv_device_open_dt_compatible(NULL, 0, &dev), -EINVAL);
	assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 0, NULL), -EINVAL);
	assert_null(dev);

	/* a PCI device is compatible with nothing */
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_device_is_compatible(dev, "arm,pl031"), 0);
	udrv_device_close(dev);
}

/*
 * A device handed to the stub by an overlay: "compatible" is "udrv,uio", its
 * own identity is in "udrv,compatible" (udrv_uio.h). It is compatible with
 * both lists, and found by either.
 */
static void stub_device(void)
{
	static const struct fake_map m[] = { { "regs", 0xff120000, 0x100, 0 } };
	static const char stub[] = "udrv,uio";
	static const char own[] = "cdns,ttc\0cdns,ttc-r2";

	fake_uio(7, "ttc1", "devices/platform/ff120000.timer", m, 1, true, 0);
	fake_dt("devices/platform/ff120000.timer", "soc/timer@ff120000", stub, sizeof(stub));
	fake_dt_prop("soc/timer@ff120000", "udrv,compatible", own, sizeof(own));
}

static int compat_cb(const struct udrv_device_info *info, void *data)
{
	int *hits = data;

	if (udrv_device_info_is_compatible(info, "cdns,ttc-r2") == 1) {
		assert_string_equal(info->name, "ttc1");
		assert_string_equal(info->compatible, "udrv,uio");
		assert_string_equal(info->udrv_compatible, "cdns,ttc");
		hits[0]++;
	}
	if (udrv_device_info_is_compatible(info, "arm,pl031") == 1)
		hits[1]++;
	if (!strcmp(info->name, "rtc"))
		assert_null(info->udrv_compatible);
	assert_int_equal(udrv_device_info_is_compatible(info, NULL), -EINVAL);
	return 0;
}

static void test_udrv_compatible(void **state)
{
	struct udrv_device *dev = NULL;
	int hits[2] = { 0 };

	(void)state;
	stub_device();
	assert_int_equal(udrv_device_foreach(compat_cb, hits), 6);
	assert_int_equal(hits[0], 1);
	assert_int_equal(hits[1], 2);

	/* "cdns,ttc": the fake board's timer (compatible) comes first, then ttc1 */
	assert_int_equal(udrv_device_open_dt_compatible("cdns,ttc", 1, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "ttc1");
	assert_int_equal(udrv_device_is_compatible(dev, "cdns,ttc"), 1);
	assert_int_equal(udrv_device_is_compatible(dev, "cdns,ttc-r2"), 1);
	assert_int_equal(udrv_device_is_compatible(dev, "udrv,uio"), 1);
	assert_int_equal(udrv_device_is_compatible(dev, "cdns,tt"), 0);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open_dt_compatible("cdns,ttc-r2", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "ttc1");
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open_dt_compatible("udrv,uio", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "ttc1");
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open_dt_compatible("cdns,ttc-r2", 1, &dev), -ENOENT);
	assert_null(dev);
}

static void test_open_pci(void **state)
{
	struct udrv_device *dev = NULL;
	uint16_t v = 0, d = 0;

	(void)state;
	assert_int_equal(udrv_device_open_pci("0000:00:02.0", &dev), 0);
	assert_string_equal(udrv_device_name(dev), "edu");
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_PCI);
	assert_string_equal(udrv_device_pci_address(dev), "0000:00:02.0");
	assert_null(udrv_device_dt_path(dev));
	assert_int_equal(udrv_device_pci_id(dev, &v, &d), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(d, 0x11e8);
	assert_int_equal(udrv_device_pci_id(dev, NULL, NULL), 0);
	udrv_device_close(dev);

	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "edu");
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 1, &dev), -ENOENT);
	assert_int_equal(udrv_device_open_pci_id(0x8086, 0x100e, 0, &dev), -ENOENT);
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, NULL), -EINVAL);
	assert_int_equal(udrv_device_open_pci("0000:00:03.0", &dev), -ENOENT);
	assert_int_equal(udrv_device_open_pci("00:02.0", &dev), -EINVAL);
	assert_int_equal(udrv_device_open_pci("0000:00:02.0x", &dev), -EINVAL);
	assert_int_equal(udrv_device_open_pci("0000-00:02.0", &dev), -EINVAL);
	assert_int_equal(udrv_device_open_pci(NULL, &dev), -EINVAL);
	assert_int_equal(udrv_device_open_pci("0000:00:02.0", NULL), -EINVAL);
	assert_null(dev);

	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_pci_id(dev, &v, &d), -EOPNOTSUPP);
	udrv_device_close(dev);
}

static void test_pci_config(void **state)
{
	struct udrv_device *dev = NULL;
	uint8_t buf[16];
	uint32_t w = 0xdeadbeef, r = 0;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_device_pci_config_read(dev, 0, buf, 4), 4);
	assert_int_equal(buf[0] | buf[1] << 8, 0x1234);
	assert_int_equal(buf[2] | buf[3] << 8, 0x11e8);
	assert_int_equal(udrv_device_pci_config_write(dev, 0x40, &w, 4), 4);
	assert_int_equal(udrv_device_pci_config_read(dev, 0x40, &r, 4), 4);
	assert_int_equal(r, 0xdeadbeef);
	/* short read at the end of config space */
	assert_int_equal(udrv_device_pci_config_read(dev, 250, buf, sizeof(buf)), 6);
	assert_int_equal(udrv_device_pci_config_read(dev, 256, buf, sizeof(buf)), 0);
	assert_int_equal(udrv_device_pci_config_read(dev, 0, NULL, 4), -EINVAL);
	assert_int_equal(udrv_device_pci_config_read(dev, 0, buf, 0), -EINVAL);
	assert_int_equal(udrv_device_pci_config_write(dev, 0, NULL, 4), -EINVAL);
	assert_int_equal(udrv_device_pci_config_write(dev, 0, &w, 0), -EINVAL);
	udrv_device_close(dev);

	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_pci_config_read(dev, 0, buf, 4), -EOPNOTSUPP);
	assert_int_equal(udrv_device_pci_config_write(dev, 0, &w, 4), -EOPNOTSUPP);
	udrv_device_close(dev);
}

static void test_dt_property(void **state)
{
	struct udrv_device *dev = NULL;
	char buf[64];

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(udrv_device_dt_property(dev, "compatible", buf, sizeof(buf)), 24);
	assert_string_equal(buf, "arm,pl031");
	assert_string_equal(buf + 10, "arm,primecell");
	/* the length without a buffer, and a truncated copy */
	assert_int_equal(udrv_device_dt_property(dev, "compatible", NULL, 0), 24);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(udrv_device_dt_property(dev, "compatible", buf, 3), 24);
	assert_string_equal(buf, "arm");
	assert_int_equal(udrv_device_dt_property(dev, "clock-frequency", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(udrv_device_dt_property(dev, NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(udrv_device_dt_property(dev, "", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(udrv_device_dt_property(dev, "../x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(udrv_device_dt_property(dev, "..", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(udrv_device_dt_property(dev, "compatible", NULL, 4), -EINVAL);
	udrv_device_close(dev);

	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_device_dt_property(dev, "compatible", buf, sizeof(buf)), -EOPNOTSUPP);
	udrv_device_close(dev);
}

/*
 * Exclusive use: a second open of a held device is -EBUSY, naming the node,
 * unless both ask to share. The fake's /dev/uioN opens are sockets, one per
 * open; uio7 here is a plain file, which flock() sees as one device.
 */
static void test_open_exclusive(void **state)
{
	const struct udrv_open_opts shared = { .name = "solo", .shared = true };
	struct udrv_device *a = NULL, *b = NULL, *c = NULL;
	char dir[512];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sys/class/uio/uio7", getenv("UDRV_ROOT"));
	assert_int_equal(mkdir(dir, 0755), 0);
	fake_write("sys/class/uio/uio7/name", "solo\n");
	fake_write("sys/class/uio/uio7/event", "0\n");
	fake_write("sys/class/uio/uio7/dev", "0:0\n");
	fake_write("dev/uio7", "");
	assert_int_equal(udrv_device_open("solo", &a), 0);
	assert_int_equal(udrv_device_open("solo", &b), -EBUSY);
	assert_null(b);
	assert_non_null(strstr(udrv_last_error(), "uio7 (solo): in use by another open"));
	assert_int_equal(udrv_device_open_with(&(struct udrv_open_opts){ .name = "uio7",
		.shared = true }, &b), -EBUSY);	/* a is exclusive */
	assert_non_null(strstr(udrv_last_error(), "that is not shared"));
	udrv_device_close(a);
	assert_int_equal(udrv_device_open_with(&shared, &a), 0);
	assert_int_equal(udrv_device_open_with(&shared, &b), 0);	/* both shared */
	assert_int_equal(udrv_device_open("solo", &c), -EBUSY);
	assert_non_null(strstr(udrv_last_error(), "udrv_open_opts.shared to share"));
	udrv_device_close(a);
	udrv_device_close(b);
	assert_int_equal(udrv_device_open("solo", &c), 0);	/* the lock went with the fds */
	udrv_device_close(c);
}

/* uio_pdrv_genirq with compatible = "generic-uio" alone: not found by the
 * device's compatible (it has none other), found by its UIO name and its DT
 * node name; the error says what was searched. */
static void test_open_generic_uio(void **state)
{
	static const struct fake_map m[] = { { "pl031@9030000", 0x9030000, 0x1000, 0 } };
	static const char both[] = "arm,pl031\0generic-uio";
	struct udrv_device *dev = NULL;

	(void)state;
	fake_uio(7, "myrtc", "devices/platform/9030000.pl031", m, 1, true, 0);
	fake_dt("devices/platform/9030000.pl031", "pl031@9030000", "generic-uio",
		sizeof("generic-uio"));
	fake_driver("devices/platform/9030000.pl031", "uio_pdrv_genirq");
	assert_int_equal(udrv_device_open_dt_compatible("vendor,none", 0, &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "among the 6 UIO devices (rtc, timer, edu, "));
	assert_non_null(strstr(udrv_last_error(), "myrtc"));
	assert_non_null(strstr(udrv_last_error(), "only \"generic-uio\""));
	assert_int_equal(udrv_device_open("myrtc", &dev), 0);
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open("pl031@9030000", &dev), 0);
	assert_string_equal(udrv_device_name(dev), "myrtc");
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open("nothing", &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "named \"nothing\""));

	/* "arm,pl031", "generic-uio": the whole list matches */
	fake_unlink("sys/firmware/devicetree/base/pl031@9030000/compatible");
	fake_dt_prop("pl031@9030000", "compatible", both, sizeof(both));
	assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 2, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "myrtc");
	udrv_device_close(dev);
	dev = NULL;
	assert_int_equal(udrv_device_open_dt_compatible("generic-uio", 0, &dev), 0);
	udrv_device_close(dev);
}

/* udrv_device_present(): a removed device is told apart without consuming
 * its interrupt; from then on the interrupt calls and checked reads say so. */
static void test_present(void **state)
{
	struct udrv_device *rtc, *plain;
	struct udrv_region *r;
	struct udrv_irq *irq;
	uint64_t v;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &rtc), 0);
	assert_int_equal(udrv_device_irq(rtc, 0, &irq), 0);
	assert_int_equal(udrv_device_region(rtc, 0, 0, &r), 0);
	fake_fire(0, 6);
	assert_int_equal(udrv_device_present(rtc), 0);
	assert_int_equal(udrv_irq_wait(irq, 0), 1);	/* the event is still there */
	fake_remove(0);
	assert_int_equal(udrv_device_present(rtc), -ENODEV);
	assert_non_null(strstr(udrv_last_error(), "removed"));
	assert_int_equal(udrv_device_present(rtc), -ENODEV);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), -ENODEV);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	udrv_device_close(rtc);

	/* no interrupt: sysfs tells (here, its number taken by another device) */
	assert_int_equal(udrv_device_open("plain", &plain), 0);
	assert_int_equal(udrv_device_present(plain), 0);
	fake_write("sys/class/uio/uio5/name", "other\n");
	assert_int_equal(udrv_device_present(plain), -ENODEV);
	udrv_device_close(plain);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_log_and_last_error),
		T(test_foreach),
		T(test_foreach_no_uio_class),
		T(test_open_by_name),
		T(test_open_dev_node_missing),
		T(test_open_name_missing),
		T(test_node_vanishing),
		T(test_open_dt_path),
		T(test_long_paths),
		T(test_open_race),
		T(test_numbers_and_long_lists),
		T(test_open_dt_compatible),
		T(test_udrv_compatible),
		T(test_open_pci),
		T(test_pci_config),
		T(test_dt_property),
		T(test_open_exclusive),
		T(test_open_generic_uio),
		T(test_present),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
