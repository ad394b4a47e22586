// SPDX-License-Identifier: MIT
/*
 * The edu driver (drivers/edu) on the host, against the model of QEMU's
 * edu (sim/models/edu.c): first the cases shared with the guest test
 * (tests/shared/edu_cases.c), then what QEMU cannot produce.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "edu_cases.h"
#include "edu_regs.h"
#include "udrv_sim_edu.h"

#define MS EDU_MS

static struct udrv_sim_device *sim;	/* the edu the driver finds */

static int group_setup(void **state)
{
	(void)state;
	return udrv_sim_edu_add(NULL, &sim) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	udrv_sim_device_free(sim);
	return 0;
}

int main(void)
{
	return edu_cases_run("edu", NULL, 0, group_setup, group_teardown);
}
