/* SPDX-License-Identifier: MIT */
/* Real-time settings (lib/rt.c): the --rt form, and the interrupt's CPU
 * written where /proc/interrupts says it is, against the fake tree. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "fake.h"
#include "udrv.h"

static void test_parse(void **state)
{
	struct udrv_rt_opts o = { .priority = 5, .cpu = 7, .lock_memory = false };

	(void)state;
	assert_int_equal(udrv_rt_parse("fifo=80,cpu=1,mlock", &o), 0);
	assert_int_equal(o.priority, 80);
	assert_int_equal(o.cpu, 1);
	assert_true(o.lock_memory);
	assert_int_equal(udrv_rt_parse("mlock", &o), 0);	/* the rest cleared */
	assert_int_equal(o.priority, 0);
	assert_int_equal(o.cpu, -1);
	o.priority = 3;
	assert_int_equal(udrv_rt_parse("fifo=100", &o), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "'fifo=100'"));
	assert_int_equal(o.priority, 3);			/* untouched */
	assert_int_equal(udrv_rt_parse("fifo=0", &o), -EINVAL);
	assert_int_equal(udrv_rt_parse("cpu=x", &o), -EINVAL);
	assert_int_equal(udrv_rt_parse("fast", &o), -EINVAL);
	assert_int_equal(udrv_rt_parse(NULL, &o), -EINVAL);
}

/* The timer's second node is "timer.irq1": its Linux interrupt is the
 * /proc/interrupts line whose last word is that name, not a prefix of it. */
static void test_irq_affinity(void **state)
{
	struct udrv_rt_opts o = { .cpu = 0 };
	struct udrv_device *dev;
	struct udrv_irq *irq;
	char path[4200], buf[16] = "";
	FILE *f;

	(void)state;
	for (const char *d = "proc\0proc/irq\0proc/irq/46\0"; *d; d += strlen(d) + 1) {
		snprintf(path, sizeof(path), "%s/%s", getenv("UDRV_ROOT"), d);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	fake_write("proc/interrupts",
		   "           CPU0       CPU1\n"
		   " 11:        100          0     GICv2  30 Level     arch_timer\n"
		   " 45:          3          0     GICv2  68 Level     timer.irq10\n"
		   " 46:          5          0     GICv2  69 Level     timer.irq1\n"
		   "IPI0:        10         12       Rescheduling interrupts\n");
	fake_write("proc/irq/46/smp_affinity_list", "");
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 1, &irq), 0);
	assert_int_equal(udrv_rt_apply(&o, irq), 0);
	snprintf(path, sizeof(path), "%s/proc/irq/46/smp_affinity_list", getenv("UDRV_ROOT"));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "0");
	/* no line for it */
	assert_int_equal(udrv_device_irq(dev, 2, &irq), 0);
	assert_int_equal(udrv_rt_apply(&o, irq), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "timer.irq2"));
	/* out of range: nothing done */
	o.priority = 100;
	assert_int_equal(udrv_rt_apply(&o, irq), -EINVAL);
	udrv_device_close(dev);
	/* the thread itself went to CPU 0 */
	cpu_set_t set;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET(0, &set));
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse),
		T(test_irq_affinity),
	};

	return cmocka_run_group_tests_name("rt", tests, NULL, NULL);
}
