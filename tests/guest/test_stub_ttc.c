// SPDX-License-Identifier: MIT
/*
 * udrv_uio on zcu102: TTC0 has one interrupt per counter, so the stub makes
 * three UIO devices ("ttc0", "ttc0.irq1", "ttc0.irq2") with one parent.
 * Counter i's interval interrupt arrives on UIO device i and on no other.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_stub_common.h"

/* Cadence TTC registers (Zynq UltraScale+ TRM UG1087, TTC module); counter
 * i's copy of each is at offset + 4 * i. */
#define TTC_CLK_CTRL(i)		(0x00 + 4 * (i))
#define TTC_CNT_CTRL(i)		(0x0c + 4 * (i))
#define TTC_INTERVAL(i)		(0x24 + 4 * (i))
#define TTC_ISR(i)		(0x54 + 4 * (i))	/* clear on read */
#define TTC_IER(i)		(0x60 + 4 * (i))
#define CNT_DIS		0x01
#define CNT_INTERVAL	0x02
#define CNT_RESET	0x10
#define CLK_PRESCALE_64K	0x1f	/* enable, divide by 2^16 */
#define IRQ_INTERVAL	0x01

static const char *const names[3] = { "ttc0", "ttc0.irq1", "ttc0.irq2" };

static void test_three_devices_one_parent(void **state)
{
	char parent[PATH_MAX], dev[PATH_MAX];
	int i, n;

	(void)state;
	for (i = 0; i < 3; i++) {
		n = uio_by_name(names[i]);
		if (n < 0)
			fail_msg("no UIO device %s", names[i]);
		assert_int_equal(uio_device_dir(n, i ? dev : parent, PATH_MAX), 0);
		if (i)
			assert_string_equal(dev, parent);
		/* only the first carries the maps */
		assert_int_equal(uio_map_attr(n, 0, "size") > 0, i == 0);
	}
	assert_non_null(strstr(parent, "ff110000.timer"));
}

static void test_each_interrupt_on_its_own(void **state)
{
	int n[3], fd[3], i, j;
	volatile char *r;
	void *map;
	uint32_t count;

	(void)state;
	for (i = 0; i < 3; i++) {
		n[i] = uio_by_name(names[i]);
		assert_true(n[i] >= 0);
		fd[i] = uio_open(n[i]);
		assert_true(fd[i] >= 0);
		assert_int_equal(uio_irqcontrol(fd[i], 1), 0);
	}
	map = uio_mmap(fd[0], 0, getpagesize());
	assert_non_null(map);
	r = map;
	for (i = 0; i < 3; i++) {
		wr32(r, TTC_CNT_CTRL(i), CNT_DIS | CNT_RESET);
		wr32(r, TTC_IER(i), 0);
		(void)rd32(r, TTC_ISR(i));
	}

	for (i = 0; i < 3; i++) {
		long long before[3];

		for (j = 0; j < 3; j++)
			before[j] = uio_events(n[j]);
		wr32(r, TTC_CLK_CTRL(i), CLK_PRESCALE_64K);
		wr32(r, TTC_INTERVAL(i), 100);	/* about 50 ms */
		wr32(r, TTC_IER(i), IRQ_INTERVAL);
		wr32(r, TTC_CNT_CTRL(i), CNT_INTERVAL | CNT_RESET);

		if (uio_wait(fd[i], 3000, &count) != 1)
			fail_msg("counter %d: no interrupt on %s", i, names[i]);
		assert_int_equal(count, before[i] + 1);
		for (j = 0; j < 3; j++)
			if (j != i)
				assert_int_equal(uio_wait(fd[j], 0, &count), 0);

		/* Stop the counter, clear the cause, unmask: quiet again. */
		wr32(r, TTC_CNT_CTRL(i), CNT_DIS);
		wr32(r, TTC_IER(i), 0);
		assert_true(rd32(r, TTC_ISR(i)) & IRQ_INTERVAL);
		assert_int_equal(uio_irqcontrol(fd[i], 1), 0);
		assert_int_equal(uio_wait(fd[i], 100, &count), 0);
		for (j = 0; j < 3; j++)
			assert_int_equal(uio_events(n[j]), before[j] + (i == j));
	}
	munmap(map, getpagesize());
	for (i = 0; i < 3; i++)
		close(fd[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_devices_one_parent),
		cmocka_unit_test(test_each_interrupt_on_its_own),
	};

	return cmocka_run_group_tests_name("stub_ttc", tests, NULL, NULL);
}
