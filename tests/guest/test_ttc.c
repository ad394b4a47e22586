// SPDX-License-Identifier: MIT
/*
 * drivers/ttc on zcu102: TTC0 (Debian's DTB, /axi/timer@ff110000). The
 * cases are shared with the host's run against the model
 * (tests/shared/ttc_cases.c, tests/sim/test_ttc.c); then udrv-ttc's --rt
 * (udrv_rt_apply()) and its counter-measured latency, which only a kernel
 * has.
 */
#include "kuio_common.h"
#include "ttc_cases.h"

/* The CPU list /proc/irq/N/smp_affinity_list gives ttc0's interrupt, or "". */
static const char *ttc0_affinity(void)
{
	if (sh("cat /proc/irq/$(awk '$NF == \"ttc0\" { sub(\":\", \"\", $1); print $1 }' "
	       "/proc/interrupts)/smp_affinity_list"))
		return "";
	sh_out[strcspn(sh_out, "\n")] = '\0';
	return sh_out;
}

/* --rt fifo=50,cpu=1,mlock: the run works, its interrupt is on CPU 1 after
 * it (the kernel's setting stays), the counter's latencies are printed; a
 * bad SPEC is one line and exit 2. */
static void test_cli_rt(void **state)
{
	char was[64];

	(void)state;
	snprintf(was, sizeof(was), "%s", ttc0_affinity());
	assert_true(was[0]);
	assert_int_equal(sh("udrv-ttc --rt fifo=50,cpu=1,mlock periodic 100 20 | tail -2"), 0);
	assert_non_null(strstr(sh_out, "by the counter: min"));
	assert_string_equal(ttc0_affinity(), "1");
	assert_int_equal(sh("udrv-ttc --rt fast periodic 100 1"), 2);
	assert_non_null(strstr(sh_out, "udrv-ttc: --rt: real-time settings: 'fast'"));
	assert_int_equal(sh("udrv-ttc --rt cpu=64 count"), 1);	/* no CPU 64 here */
	assert_non_null(strstr(sh_out, "CPU 64"));
	assert_int_equal(sh("awk '$NF == \"ttc0\" { sub(\":\", \"\", $1); print $1 }' /proc/interrupts"
			    " | xargs -I N sh -c 'echo %s >/proc/irq/N/smp_affinity_list'", was), 0);
	assert_string_equal(ttc0_affinity(), was);
}

int main(void)
{
	const struct CMUnitTest cli[] = {
		cmocka_unit_test(test_cli_rt),
	};

	return cmocka_run_group_tests_name("ttc", ttc_cases, NULL, NULL) |
	       cmocka_run_group_tests_name("ttc_cli", cli, NULL, NULL);
}
