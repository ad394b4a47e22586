// SPDX-License-Identifier: MIT
/*
 * The edu driver (drivers/edu) on QEMU virt: the edu PCI function handed
 * to udrv_uio through driver_override (udrv_edu_bind()).
 *
 * The behaviour that holds on the host's model too is in
 * tests/shared/edu_cases.c (factorials, interrupts, DMA round trips and
 * refusals, udrv.h's accessors), run here first; this file adds what only a
 * kernel has: the PCI command register the stub set, the host bridge, and
 * an unbound device handed back with udrv_edu_bind(). With UDRV_POOL=cached
 * (virt-bounce; guest_edu@cached on virt-smmu) edu's pool is cached for
 * the cases (pool_mode.h) until the unbound device is handed back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "edu_cases.h"
#include "edu_regs.h"
#include "pool_mode.h"

static int group_setup(void **state)
{
	static const struct udrv_open_opts edu = { .pci_vendor = EDU_VENDOR_ID,
						   .pci_device = EDU_DEVICE_ID };

	(void)state;
	if (udrv_edu_bind(NULL)) {
		fprintf(stderr, "udrv_edu_bind: %s\n", udrv_edu_last_error());
		return -1;
	}
	return pool_mode_setup(&edu, 65536);
}

static int group_teardown(void **state)
{
	(void)state;
	return pool_mode_restore();
}

/* The command register as the stub left it: memory space on (it enabled
 * the function); written back unchanged. */
static void test_pci_command(void **state)
{
	struct udrv_device *dev = udrv_edu_device(*state);
	uint16_t cmd = 0, v16 = 0;

	assert_int_equal(udrv_device_pci_config_read16(dev, EDU_PCI_COMMAND, &cmd), 0);
	assert_true(cmd & 0x2);
	assert_int_equal(udrv_device_pci_config_write16(dev, EDU_PCI_COMMAND, cmd), 0);
	assert_int_equal(udrv_device_pci_config_read16(dev, EDU_PCI_COMMAND, &v16), 0);
	assert_int_equal(v16, cmd);
	assert_int_equal(udrv_edu_liveness(*state, 0x12345678), 0);
}

/* Not an edu, unbound: clear errors; handed back, it works. */
static void test_absent_and_unbound(void **state)
{
	struct udrv_edu *edu = NULL;
	struct udrv_edu_info i;
	char addr[64], path[128];
	FILE *f;

	assert_int_equal(udrv_edu_open("0000:00:00.0", &edu), -ENODEV);	/* the host bridge */
	print_message("host bridge: %s\n", udrv_edu_last_error());
	assert_null(edu);

	/* take it away from udrv_uio */
	assert_int_equal(udrv_edu_info(*state, &i), 0);
	snprintf(addr, sizeof(addr), "%s", i.pci_address);
	edu_case_teardown(state);
	f = fopen("/sys/bus/pci/drivers/udrv_uio/unbind", "w");
	assert_non_null(f);
	fputs(addr, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(udrv_edu_open(NULL, &edu), -ENODEV);
	print_message("unbound: %s\n", udrv_edu_last_error());
	assert_non_null(strstr(udrv_edu_last_error(), "no driver"));
	/* and back */
	assert_int_equal(udrv_edu_bind(addr), 0);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(edu_case_setup(state), 0);
	edu_round_trip(*state, 8, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pci_command, edu_case_setup,
						edu_case_teardown),
		cmocka_unit_test_setup_teardown(test_absent_and_unbound, edu_case_setup,
						edu_case_teardown),
	};

	return edu_cases_run("edu", tests, sizeof(tests) / sizeof(tests[0]), group_setup,
			     group_teardown);
}
