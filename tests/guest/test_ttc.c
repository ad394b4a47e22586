// SPDX-License-Identifier: MIT
/*
 * drivers/ttc on zcu102: TTC0 (Debian's DTB, /axi/timer@ff110000). The
 * cases are shared with the host's run against the model
 * (tests/shared/ttc_cases.c, tests/sim/test_ttc.c).
 */
#include "ttc_cases.h"

int main(void)
{
	return cmocka_run_group_tests_name("ttc", ttc_cases, NULL, NULL);
}
