// SPDX-License-Identifier: MIT
/*
 * The edu driver's behaviour on either target (edu_cases.h): QEMU's edu in
 * the guest, the model of it (sim/models/edu.c) on the host.
 *
 * Issue 6: factorials 0..12 equal the host-computed values; 1000 raised
 * interrupts are each seen exactly once with no missed count; DMA round
 * trips of 1, 7, 64 and 4095 bytes of random data compare equal; sizes 0
 * and 4097 are refused (and every other transfer QEMU 7.2's edu would
 * abort the emulator on), with a reason, the device left usable; an absent
 * device is a clear error. Issue 16: udrv.h's accessors on the device.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <cmocka.h>

#include "edu_cases.h"
#include "edu_regs.h"

#define MS EDU_MS
#define TEST_IRQ EDU_TEST_IRQ

int edu_case_setup(void **state)
{
	struct udrv_edu *edu = NULL;

	if (udrv_edu_open(NULL, &edu)) {
		fprintf(stderr, "udrv_edu_open: %s\n", udrv_edu_last_error());
		return -1;
	}
	*state = edu;
	return 0;
}

int edu_case_teardown(void **state)
{
	udrv_edu_close(*state);
	*state = NULL;
	return 0;
}

static void test_info(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_device *d = udrv_edu_device(edu);
	struct udrv_region *bar0 = NULL;
	struct udrv_edu_info i;
	uint16_t ven = 0, dev = 0;
	uint64_t pool = 0;

	assert_int_equal(udrv_edu_info(edu, &i), 0);
	assert_int_equal(udrv_device_region_by_name(d, "bar0", 0, &bar0), 0);
	assert_int_equal(udrv_device_dma_pool_bus(d, &pool), 0);
	print_message("edu %s, UIO \"%s\" (uio%u, %s), BAR0 at 0x%llx, pool of %zu bytes at 0x%llx\n",
		      i.pci_address, udrv_device_name(d), i.uio, i.driver,
		      (unsigned long long)udrv_region_phys(bar0), i.dma_pool,
		      (unsigned long long)pool);
	assert_int_equal(i.id, 0x010000ed);
	assert_int_equal(i.major, 1);
	assert_int_equal(i.minor, 0);
	assert_non_null(i.pci_address);
	assert_string_equal(i.driver, "udrv_uio");
	assert_int_equal(udrv_region_size(bar0), EDU_BAR_SIZE);
	assert_true(i.dma_pool >= 2 * 4096);
	assert_int_equal(udrv_device_pci_id(d, &ven, &dev), 0);
	assert_int_equal(ven, 0x1234);
	assert_int_equal(dev, 0x11e8);
	assert_int_equal(udrv_edu_liveness(edu, 0x12345678), 0);
	assert_int_equal(udrv_edu_liveness(edu, 0), 0);
}

/*
 * The accessors of udrv.h (issue 16) on the device: big-endian, data-port
 * and 64-bit forms (two 32-bit stores on virt32, which edu takes: the low
 * word sets the register, it ignores the high one), and the typed PCI
 * config accessors on the function's sysfs config.
 */
static void test_udrv_accessors(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_device *dev = udrv_edu_device(edu);
	struct udrv_region *r = NULL;
	volatile void *base;
	uint32_t ids[3] = { 0 }, live[3] = { 1, 2, 0xa5a5a5a5 }, v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	assert_int_equal(udrv_device_region(dev, 0, 0x100, &r), 0);
	base = udrv_region_base(r);
	assert_int_equal(udrv_read32(base, EDU_REG_ID), 0x010000ed);
	assert_int_equal(udrv_read32be(base, EDU_REG_ID), 0xed000001);
	udrv_reads32(base, EDU_REG_ID, ids, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(ids[i], 0x010000ed);
	/* liveness returns the complement of the last value written */
	udrv_writes32(base, EDU_REG_LIVENESS, live, 3);
	assert_int_equal(udrv_read32(base, EDU_REG_LIVENESS), ~0xa5a5a5a5u);
	udrv_write32be(base, EDU_REG_LIVENESS, 0x11223344);
	assert_int_equal(udrv_read32(base, EDU_REG_LIVENESS), ~0x44332211u);
	assert_int_equal(udrv_read32be_relaxed(base, EDU_REG_LIVENESS), ~0x11223344u);
	udrv_write64(base, EDU_REG_DMA_SRC, 0x12345678);
	assert_int_equal(udrv_read32(base, EDU_REG_DMA_SRC), 0x12345678);

	assert_int_equal(udrv_device_pci_config_read16(dev, 0, &v16), 0);
	assert_int_equal(v16, 0x1234);
	assert_int_equal(udrv_device_pci_config_read16(dev, 2, &v16), 0);
	assert_int_equal(v16, 0x11e8);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0, &v32), 0);
	assert_int_equal(v32, 0x11e81234);
	assert_int_equal(udrv_device_pci_config_read8(dev, 1, &v8), 0);
	assert_int_equal(v8, 0x12);
	assert_int_equal(udrv_device_pci_config_read16(dev, 1, &v16), -EINVAL);
	assert_int_equal(udrv_device_pci_config_read32(dev, 0x1000, &v32), -ERANGE);
	assert_int_equal(udrv_device_pci_config_write8(dev, 0x1000, 0), -ERANGE);
	assert_int_equal(udrv_edu_liveness(edu, 0x12345678), 0);
}

/* 0!..12! by the device, each completion by its interrupt. */
static void test_factorials(void **state)
{
	struct udrv_edu *edu = *state;
	uint32_t c0, c1, r;
	uint64_t expect = 1;

	udrv_edu_irq_stats(edu, &c0, NULL);
	for (uint32_t n = 0; n <= 12; n++) {
		if (n)
			expect *= n;
		r = 0;
		assert_int_equal(udrv_edu_factorial(edu, n, &r, 2000 * MS), 0);
		if (r != expect)
			fail_msg("%u! = %u from the device, %llu here", n, r,
				 (unsigned long long)expect);
	}
	udrv_edu_irq_stats(edu, &c1, NULL);
	assert_int_equal(c1 - c0, 13);	/* one completion interrupt each */
}

/* Arguments whose factorial does not fit 32 bits are refused; the device
 * still computes afterwards. */
static void test_factorial_refused(void **state)
{
	struct udrv_edu *edu = *state;
	uint32_t r = 77;

	assert_int_equal(udrv_edu_factorial(edu, 13, &r, 2000 * MS), -ERANGE);
	assert_non_null(strstr(udrv_edu_last_error(), "32-bit"));
	assert_int_equal(udrv_edu_factorial(edu, 34, &r, 2000 * MS), -ERANGE);
	assert_int_equal(udrv_edu_factorial(edu, UINT32_MAX, &r, 2000 * MS), -ERANGE);
	assert_int_equal(r, 77);
	assert_int_equal(udrv_edu_factorial(edu, 5, &r, 2000 * MS), 0);
	assert_int_equal(r, 120);
}

/* 1000 raised interrupts, each seen exactly once, none missed. */
static void test_1000_irqs(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_irq *irq = NULL;
	uint32_t c0, c1, seen;
	uint64_t m0, m1;

	udrv_edu_irq_stats(edu, &c0, &m0);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(udrv_edu_irq_raise(edu, TEST_IRQ), 0);
		seen = 0;
		if (udrv_edu_irq_wait(edu, TEST_IRQ, 2000 * MS, &seen) != 1)
			fail_msg("interrupt %d not seen", i);
		assert_int_equal(seen, TEST_IRQ);
		udrv_edu_irq_stats(edu, &c1, NULL);
		if (c1 != c0 + (uint32_t)i + 1)
			fail_msg("interrupt %d: counter moved by %u", i, c1 - c0);
	}
	udrv_edu_irq_stats(edu, &c1, &m1);
	assert_int_equal(c1 - c0, 1000);
	assert_int_equal(m1 - m0, 0);
	/* acknowledged before the unmask: nothing more comes */
	assert_int_equal(udrv_edu_irq_wait(edu, TEST_IRQ, 50 * MS, NULL), 0);
	assert_int_equal(udrv_device_irq(udrv_edu_device(edu), 0, &irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 50 * MS), 0);
	/* the device's own causes cannot be raised as test interrupts */
	assert_int_equal(udrv_edu_irq_raise(edu, 0), -EINVAL);
	assert_int_equal(udrv_edu_irq_raise(edu, 0x100), -EINVAL);
	assert_int_equal(udrv_edu_irq_raise(edu, 0x1), -EINVAL);
}

/* A cause raised while waiting for another is kept, not lost. */
static void test_irq_kept_across_calls(void **state)
{
	struct udrv_edu *edu = *state;
	uint32_t r, seen = 0;

	assert_int_equal(udrv_edu_irq_raise(edu, 0x20000), 0);
	assert_int_equal(udrv_edu_factorial(edu, 3, &r, 2000 * MS), 0);
	assert_int_equal(r, 6);
	assert_int_equal(udrv_edu_irq_wait(edu, 0x20000, 0, &seen), 1);
	assert_int_equal(seen, 0x20000);
}

void edu_round_trip(struct udrv_edu *edu, uint32_t len, uint32_t edu_off)
{
	struct udrv_dma_buf *src = NULL, *dst = NULL;
	uint8_t *s, *d;

	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), len, 0, &src), 0);
	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), len, 0, &dst), 0);
	s = udrv_dma_cpu(src);
	d = udrv_dma_cpu(dst);
	assert_int_equal(getrandom(s, len, 0), (ssize_t)len);
	for (uint32_t i = 0; i < len; i++)
		d[i] = (uint8_t)~s[i];
	if (udrv_edu_dma_to_device(edu, src, 0, edu_off, len, 2000 * MS))
		fail_msg("dma %u to the device: %s", len, udrv_edu_last_error());
	if (udrv_edu_dma_from_device(edu, edu_off, dst, 0, len, 2000 * MS))
		fail_msg("dma %u from the device: %s", len, udrv_edu_last_error());
	assert_memory_equal(s, d, len);
	udrv_dma_free(src);
	udrv_dma_free(dst);
}

/* 1, 7, 64 and 4095 random bytes into edu's buffer and back. */
static void test_dma_round_trips(void **state)
{
	static const uint32_t sizes[] = { 1, 7, 64, 4095 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		edu_round_trip(*state, sizes[i], 0);
	edu_round_trip(*state, 100, 3994);	/* ends on the last byte QEMU 7.2 allows */
}

/* Sizes 0 and 4097 refused, and every transfer QEMU 7.2's edu would abort
 * on; the device still works afterwards. */
static void test_dma_refused(void **state)
{
	struct udrv_edu *edu = *state;
	struct udrv_dma_buf *buf = NULL;

	assert_int_equal(udrv_dma_alloc(udrv_edu_device(edu), 8192, 0, &buf), 0);
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 0, 2000 * MS), -EINVAL);
	print_message("size 0: %s\n", udrv_edu_last_error());
	assert_non_null(strstr(udrv_edu_last_error(), "count of 0"));
	assert_int_equal(udrv_edu_dma_from_device(edu, 0, buf, 0, 0, 2000 * MS), -EINVAL);
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 4097, 2000 * MS), -EMSGSIZE);
	print_message("size 4097: %s\n", udrv_edu_last_error());
	assert_int_equal(udrv_edu_dma_from_device(edu, 0, buf, 0, 4097, 2000 * MS), -EMSGSIZE);
	/* reaching the buffer's last byte */
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 4096, 2000 * MS), -ERANGE);
	print_message("size 4096: %s\n", udrv_edu_last_error());
	assert_non_null(strstr(udrv_edu_last_error(), "last byte"));
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 1, 4095, 2000 * MS), -ERANGE);
	assert_int_equal(udrv_edu_dma_from_device(edu, 4000, buf, 0, 96, 2000 * MS), -ERANGE);
	assert_int_equal(udrv_edu_dma_from_device(edu, 4095, buf, 0, 1, 2000 * MS), -ERANGE);
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, UINT32_MAX, 16, 2000 * MS), -ERANGE);
	/* beyond the udrv buffer */
	assert_int_equal(udrv_edu_dma_to_device(edu, buf, 8190, 0, 16, 2000 * MS), -ERANGE);
	assert_int_equal(udrv_edu_dma_to_device(edu, NULL, 0, 0, 16, 2000 * MS), -EINVAL);
	/* beyond the DMA mask the device was started with */
	if (udrv_dma_bus(buf) >> 28) {
		assert_int_equal(udrv_edu_set_dma_bits(edu, 28), 0);
		assert_int_equal(udrv_edu_dma_to_device(edu, buf, 0, 0, 16, 2000 * MS), -ERANGE);
		print_message("28-bit mask: %s\n", udrv_edu_last_error());
		assert_int_equal(udrv_edu_set_dma_bits(edu, 32), 0);
	}
	assert_int_equal(udrv_edu_set_dma_bits(edu, 27), -EINVAL);
	udrv_dma_free(buf);
	edu_round_trip(edu, 32, 0);
}

/* A PCI address with no device behind it, one that is not an address,
 * missing arguments: refused, nothing done. */
static void test_bad_arguments(void **state)
{
	struct udrv_edu *edu = NULL;
	uint32_t c0, c1;

	assert_int_equal(udrv_edu_open("0000:00:1f.7", &edu), -ENOENT);
	assert_non_null(strstr(udrv_edu_last_error(), "0000:00:1f.7"));
	assert_int_equal(udrv_edu_open("00:1f", &edu), -EINVAL);
	assert_int_equal(udrv_edu_open(NULL, NULL), -EINVAL);
	assert_null(edu);
	edu = *state;
	udrv_edu_irq_stats(edu, &c0, NULL);
	assert_int_equal(udrv_edu_factorial(edu, 3, NULL, 2000 * MS), -EINVAL);
	assert_int_equal(udrv_edu_irq_wait(edu, 0, 2000 * MS, NULL), -EINVAL);
	assert_int_equal(udrv_edu_info(edu, NULL), -EINVAL);
	udrv_edu_irq_stats(edu, &c1, NULL);
	assert_int_equal(c1, c0);	/* nothing started */
}

#define CASE(t) cmocka_unit_test_setup_teardown(t, edu_case_setup, edu_case_teardown)

const struct CMUnitTest edu_cases[] = {
	CASE(test_info),
	CASE(test_udrv_accessors),
	CASE(test_factorials),
	CASE(test_factorial_refused),
	CASE(test_1000_irqs),
	CASE(test_irq_kept_across_calls),
	CASE(test_dma_round_trips),
	CASE(test_dma_refused),
	CASE(test_bad_arguments),
};
const size_t edu_cases_count = sizeof(edu_cases) / sizeof(edu_cases[0]);

int edu_cases_run(const char *name, const struct CMUnitTest *own, size_t nown,
		  CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
	struct CMUnitTest *all = calloc(edu_cases_count + nown, sizeof(*all));
	int ret;

	if (!all)
		return 1;
	memcpy(all, edu_cases, sizeof(edu_cases));
	if (nown)
		memcpy(all + edu_cases_count, own, nown * sizeof(*own));
	ret = _cmocka_run_group_tests(name, all, edu_cases_count + nown, group_setup,
				      group_teardown);
	free(all);
	return ret;
}
