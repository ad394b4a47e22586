// SPDX-License-Identifier: MIT
/*
 * test_pci_generic - edu over the kernel's uio_pci_generic (issue 17):
 * uio_pci_generic has no irqcontrol; its handler sets Interrupt Disable
 * (PCI command register bit 10) and libudrv clears it through the
 * function's sysfs config to unmask. Runs the library's interrupt checks
 * (unmask, wait, missed count, mask, removal), the tool, and udrv-edu's
 * info/irq/fact; dma says it needs the stub's pool. edu goes back to the
 * stub (with a 64 KiB pool) afterwards.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "edu.h"
#include "edu_regs.h"
#include "kuio_common.h"
#include "udrv.h"

#define PCI_DEVS	"/sys/bus/pci/devices"

static char addr[32];

static int command(void)
{
	char path[128];
	unsigned char b[2] = { 0 };
	int fd;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/config", addr);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, b, 2, 4) != 2)
		b[0] = b[1] = 0xff;
	if (fd >= 0)
		close(fd);
	return b[0] | b[1] << 8;
}

/* Hand edu to @drv through driver_override. */
static int hand_to(const char *drv)
{
	char path[128];

	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver/unbind", addr);
	sysfs_write(path, addr);
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver_override", addr);
	if (sysfs_write(path, drv))
		return -1;
	return sysfs_write("/sys/bus/pci/drivers_probe", addr);
}

static int group_setup(void **state)
{
	struct dirent *e;
	DIR *d;
	int r;

	(void)state;
	r = kuio_load("uio_pci_generic", "");
	if (r) {
		fprintf(stderr, "insmod uio_pci_generic: %s\n", strerror(-r));
		return -1;
	}
	d = opendir(PCI_DEVS);
	while (d && (e = readdir(d))) {
		char path[300], buf[16] = "";
		FILE *f;

		snprintf(path, sizeof(path), PCI_DEVS "/%s/device", e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(buf, sizeof(buf), f) && !strcmp(buf, "0x11e8\n"))
			snprintf(addr, sizeof(addr), "%.31s", e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	if (!addr[0] || hand_to("uio_pci_generic"))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	hand_to("\n");
	return udrv_edu_bind(addr);	/* back to the stub, with its pool */
}

static void test_bound(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;

	(void)state;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_string_equal(udrv_device_driver(dev), "uio_pci_generic");
	assert_int_equal(udrv_device_dma_pool_size(dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 1);
	assert_int_equal(udrv_device_region_by_name(dev, "bar0", 0, &r), 0);
	assert_int_equal(udrv_region_size(r), 0x100000);
	assert_int_equal(udrv_device_region_by_name(dev, addr, 0, &r), 0);	/* its own name */
	assert_int_equal(udrv_read32(udrv_region_base(r), EDU_REG_ID) & EDU_ID_MAGIC_MASK,
			 EDU_ID_MAGIC);
	udrv_device_close(dev);
}

/* Raise, wait, acknowledge, unmask; a masked raise waits for the unmask;
 * two raises while masked are one event; removal is reported. */
static void test_library_irq(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	struct udrv_irq *irq = NULL;
	volatile void *b;
	uint32_t c0;

	(void)state;
	assert_int_equal(udrv_device_open_pci(addr, &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	b = udrv_region_base(r);
	udrv_write32(b, EDU_REG_IRQ_ACK, 0xffffffffu);
	while (udrv_irq_wait(irq, 0) == 1)
		;
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(command() & 0x400, 0);
	c0 = udrv_irq_count(irq);
	for (int i = 0; i < 50; i++) {
		udrv_write32(b, EDU_REG_IRQ_RAISE, 0x100);
		if (udrv_irq_wait(irq, 2000000000ull) != 1)
			fail_msg("interrupt %d not seen", i);
		assert_true(command() & 0x400);	/* the handler masked INTx */
		udrv_write32(b, EDU_REG_IRQ_ACK, 0x100);
		assert_int_equal(udrv_irq_unmask(irq), 0);
		assert_int_equal(command() & 0x400, 0);
	}
	assert_int_equal(udrv_irq_count(irq) - c0, 50);
	assert_int_equal(udrv_irq_missed(irq), 0);
	/* masked: nothing arrives until the unmask */
	assert_int_equal(udrv_irq_mask(irq), 0);
	assert_true(command() & 0x400);
	udrv_write32(b, EDU_REG_IRQ_RAISE, 0x100);
	assert_int_equal(udrv_irq_wait(irq, 100000000ull), 0);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 2000000000ull), 1);
	udrv_write32(b, EDU_REG_IRQ_ACK, 0x100);
	assert_int_equal(udrv_irq_unmask(irq), 0);

	/* unbound from uio_pci_generic while open */
	assert_int_equal(sysfs_write("/sys/bus/pci/drivers/uio_pci_generic/unbind", addr), 0);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	assert_non_null(strstr(udrv_last_error(), "removed"));
	assert_int_equal(udrv_irq_wait(irq, 0), -ENODEV);
	udrv_device_close(dev);
	assert_int_equal(sysfs_write("/sys/bus/pci/drivers_probe", addr), 0);
}

static void test_tool(void **state)
{
	(void)state;
	assert_int_equal(sh("udrv list"), 0);
	assert_non_null(strstr(sh_out, "uio_pci_generic"));
	assert_int_equal(sh("udrv info %s", addr), 0);
	assert_non_null(strstr(sh_out, "driver:     uio_pci_generic"));
	assert_non_null(strstr(sh_out, "alias bar0"));
	assert_int_equal(sh("udrv read %s bar0 0", addr), 0);
	assert_string_equal(sh_out, "0x010000ed\n");
	assert_int_equal(sh("udrv dump %s 0 0 16", addr), 0);
	assert_non_null(strstr(sh_out, "00000000: 010000ed"));
	/* udrv irq: a level interrupt raised first is delivered at its unmask
	 * (the tool's exclusive open keeps a second udrv from raising it during
	 * the wait); then acknowledged */
	assert_int_equal(sh("udrv write %s bar0 0x64 0xffffffff && udrv write %s bar0 0x60 0x100 && "
			    "udrv irq %s --timeout 3000", addr, addr, addr), 0);
	assert_non_null(strstr(sh_out, "irq 0 count"));
	assert_int_equal(sh("udrv write %s bar0 0x64 0x100", addr), 0);
}

static void test_edu_cli(void **state)
{
	(void)state;
	assert_int_equal(sh("udrv-edu info"), 0);
	assert_non_null(strstr(sh_out, "uio_pci_generic"));
	assert_int_equal(sh("udrv-edu fact 10"), 0);
	assert_non_null(strstr(sh_out, "10! = 3628800"));
	assert_int_equal(sh("udrv-edu irq 100"), 0);
	assert_non_null(strstr(sh_out, "0 missed"));
	assert_int_equal(sh("udrv-edu dma 64"), 1);
	assert_non_null(strstr(sh_out, "needs the udrv_uio stub's DMA pool"));
	assert_non_null(strstr(sh_out, "--pool"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_library_irq),
		cmocka_unit_test(test_tool),
		cmocka_unit_test(test_edu_cli),
	};

	return cmocka_run_group_tests_name("pci_generic", tests, group_setup, group_teardown);
}
