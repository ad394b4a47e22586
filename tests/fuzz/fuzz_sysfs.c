/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sysfs - libudrv's reading of sysfs attributes, over arbitrary bytes.
 *
 * The fake tree of tests/unit/fake.h (seven UIO devices: DT, PCI, several
 * interrupts, a DMA pool) is built once. Each input is cut at '\n\n' into
 * pieces that replace, in order, the attributes in attrs[] below (the rest
 * keep their good value); then every device is listed and opened as a driver
 * would (by name, DT path, compatible, PCI address and ids), its regions,
 * interrupts and pool looked at, and closed. No register is touched (a
 * fuzzed size may exceed the file standing in for the registers).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "udrv.h"

static const struct {
	const char *rel;
	const char *good;
} attrs[] = {
	{ "sys/class/uio/uio0/name", "rtc\n" },
	{ "sys/class/uio/uio0/maps/map0/addr", "0x9010000\n" },
	{ "sys/class/uio/uio0/maps/map0/size", "0x1000\n" },
	{ "sys/class/uio/uio0/maps/map0/offset", "0x0\n" },
	{ "sys/class/uio/uio0/maps/map0/name", "regs\n" },
	{ "sys/class/uio/uio1/maps/map1/size", "0x10000\n" },
	{ "sys/class/uio/uio1/maps/map1/addr", "0x40000000\n" },
	{ "sys/class/uio/uio1/maps/map1/name", "dma\n" },
	{ "sys/class/uio/uio2/name", "timer.irq1\n" },
	{ "sys/class/uio/uio3/name", "timer.irq2\n" },
	{ "sys/devices/pci0000:00/0000:00:02.0/vendor", "0x1234\n" },
	{ "sys/devices/pci0000:00/0000:00:02.0/device", "0x11e8\n" },
	{ "sys/class/uio/uio6/maps/map0/offset", "0x100\n" },
	{ "sys/class/uio/uio6/maps/map0/size", "0x200\n" },
	{ "sys/firmware/devicetree/base/pl031@9010000/compatible", "arm,pl031\0arm,primecell" },
	{ "sys/firmware/devicetree/base/soc/timer@ff110000/interrupt-names",
	  "first\0second\0third" },
	{ "sys/class/uio/uio5/maps/map0/addr", "0x1000100\n" },
	{ "sys/class/uio/uio4/name", "edu\n" },
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

static size_t good_len(unsigned int i)
{
	/* The two DT properties are NUL-separated lists. */
	if (strstr(attrs[i].rel, "compatible"))
		return sizeof("arm,pl031\0arm,primecell");
	if (strstr(attrs[i].rel, "interrupt-names"))
		return sizeof("first\0second\0third");
	return strlen(attrs[i].good);
}

static void put(unsigned int i, const void *buf, size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", getenv("UDRV_ROOT"), attrs[i].rel);
	f = fopen(p, "w");
	if (!f)
		abort();
	if (len && fwrite(buf, 1, len, f) != len)
		abort();
	fclose(f);
}

static int visit(const struct udrv_device_info *info, void *data)
{
	(void)data;
	(void)udrv_device_info_is_compatible(info, "arm,pl031");
	return 0;
}

static void look(struct udrv_device *dev)
{
	struct udrv_region *r;
	struct udrv_irq *irq;
	struct udrv_dma_buf *b;
	uint16_t v, d;
	char prop[64];

	(void)udrv_device_name(dev);
	(void)udrv_device_pci_id(dev, &v, &d);
	(void)udrv_device_is_compatible(dev, "cdns,ttc");
	(void)udrv_device_dt_property(dev, "compatible", prop, sizeof(prop));
	for (unsigned int i = 0; i < 5; i++)
		if (!udrv_device_region(dev, i, 0, &r))
			(void)udrv_region_size(r);
	for (unsigned int i = 0; i < udrv_device_num_irqs(dev); i++)
		if (!udrv_device_irq(dev, i, &irq))
			(void)udrv_irq_count(irq);
	(void)udrv_device_irq_by_name(dev, "second", &irq);
	if (!udrv_dma_alloc(dev, 4096, 0, &b))
		udrv_dma_free(b);
}

static void try(int ret, struct udrv_device *dev)
{
	if (!ret) {
		look(dev);
		udrv_device_close(dev);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fake_setup(NULL);
	atexit(fake_cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct udrv_device *dev;
	unsigned int i;

	for (i = 0; i < NATTRS; i++) {
		const uint8_t *cut = p < end ? memmem(p, (size_t)(end - p), "\n\n", 2) : NULL;

		if (p >= end) {
			put(i, attrs[i].good, good_len(i));
			continue;
		}
		if (!cut)
			cut = end;
		put(i, p, (size_t)(cut - p));
		p = cut + 2;
	}
	(void)udrv_device_foreach(visit, NULL);
	try(udrv_device_open("rtc", &dev), dev);
	try(udrv_device_open("timer", &dev), dev);
	try(udrv_device_open("uio5", &dev), dev);
	try(udrv_device_open("rtc2", &dev), dev);
	try(udrv_device_open_dt_path("/soc/timer@ff110000", &dev), dev);
	try(udrv_device_open_dt_compatible("arm,primecell", 0, &dev), dev);
	try(udrv_device_open_pci("0000:00:02.0", &dev), dev);
	try(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), dev);
	return 0;
}
