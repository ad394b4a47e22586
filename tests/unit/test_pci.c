/* SPDX-License-Identifier: MIT */
/* Typed PCI config-space accessors (lib/pci.c) on the fake edu's config. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static void test_read(void **state)
{
	struct udrv_device *dev = NULL;
	uint8_t b = 0;
	uint16_t h = 0;
	uint32_t w = 0;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	/* vendor 1234, device 11e8, little-endian in config space */
	assert_int_equal(udrv_device_pci_config_read16(dev, 0, &h), 0);
	assert_int_equal(h, 0x1234);
	assert_int_equal(udrv_device_pci_config_read16(dev, 2, &h), 0);
	assert_int_equal(h, 0x11e8);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0, &w), 0);
	assert_int_equal(w, 0x11e81234);
	assert_int_equal(udrv_device_pci_config_read8(dev, 1, &b), 0);
	assert_int_equal(b, 0x12);
	udrv_device_close(dev);
}

static void test_write(void **state)
{
	struct udrv_device *dev = NULL;
	uint8_t b = 0, raw[4] = { 0 };
	uint16_t h = 0;
	uint32_t w = 0;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_device_pci_config_write32(dev, 0x40, 0xa1b2c3d4), 0);
	assert_int_equal(udrv_device_pci_config_read(dev, 0x40, raw, 4), 4);
	assert_int_equal(raw[0], 0xd4);
	assert_int_equal(raw[3], 0xa1);
	assert_int_equal(udrv_device_pci_config_write16(dev, 0x42, 0x5566), 0);
	assert_int_equal(udrv_device_pci_config_write8(dev, 0x40, 0x77), 0);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0x40, &w), 0);
	assert_int_equal(w, 0x5566c377);
	assert_int_equal(udrv_device_pci_config_read16(dev, 0x42, &h), 0);
	assert_int_equal(h, 0x5566);
	/* the last register of the 256 bytes */
	assert_int_equal(udrv_device_pci_config_write32(dev, 0xfc, 0x01020304), 0);
	assert_int_equal(udrv_device_pci_config_read8(dev, 0xff, &b), 0);
	assert_int_equal(b, 0x01);
	udrv_device_close(dev);
}

static void test_errors(void **state)
{
	struct udrv_device *dev = NULL;
	uint8_t b = 0xaa;
	uint16_t h = 0xaaaa;
	uint32_t w = 0xaaaaaaaa;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	/* misaligned */
	assert_int_equal(udrv_device_pci_config_read16(dev, 1, &h), -EINVAL);
	assert_int_equal(udrv_device_pci_config_read32(dev, 2, &w), -EINVAL);
	assert_int_equal(udrv_device_pci_config_write32(dev, 0x41, 0), -EINVAL);
	assert_int_equal(udrv_device_pci_config_write16(dev, 0x43, 0), -EINVAL);
	/* NULL */
	assert_int_equal(udrv_device_pci_config_read8(dev, 0, NULL), -EINVAL);
	assert_int_equal(udrv_device_pci_config_read16(dev, 0, NULL), -EINVAL);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0, NULL), -EINVAL);
	/* past the end of config space (the fake's is 256 bytes): nothing
	 * written, and the file does not grow */
	assert_int_equal(udrv_device_pci_config_read8(dev, 0x100, &b), -ERANGE);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0x100, &w), -ERANGE);
	assert_int_equal(udrv_device_pci_config_write8(dev, 0x100, 1), -ERANGE);
	assert_int_equal(udrv_device_pci_config_write32(dev, 0xfffffffc, 1), -ERANGE);
	assert_int_equal(udrv_device_pci_config_read16(dev, 0xfffffffe, &h), -ERANGE);
	assert_int_equal(udrv_device_pci_config_read(dev, 0x100, &b, 1), 0);
	/* out values untouched on failure */
	assert_int_equal(b, 0xaa);
	assert_int_equal(h, 0xaaaa);
	assert_int_equal(w, 0xaaaaaaaa);
	udrv_device_close(dev);

	/* not a PCI device */
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0, &w), -EOPNOTSUPP);
	assert_int_equal(udrv_device_pci_config_write8(dev, 0, 0), -EOPNOTSUPP);
	udrv_device_close(dev);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read),
		T(test_write),
		T(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
