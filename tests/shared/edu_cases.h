/* SPDX-License-Identifier: MIT */
/*
 * edu_cases.h - the edu driver's behaviour tests that hold on both targets:
 * QEMU's edu in the guest (tests/guest/test_edu.c) and the model on the
 * host (tests/sim/test_edu.c). One source, two targets.
 *
 * The cases use only the driver's public API and libudrv, and open the
 * device with the driver's default selector (the first 1234:11e8): QEMU's
 * edu in the guest, the simulated one on the host (libudrv-sim points
 * UDRV_ROOT at it). Include <cmocka.h> (and what it needs) first.
 */
#ifndef EDU_CASES_H
#define EDU_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "edu.h"

#define EDU_MS		1000000ull
#define EDU_TEST_IRQ	0x10000u	/* a cause of our own (not EDU_IRQ_RESERVED) */

/* The shared cases, each with edu_case_setup/edu_case_teardown. */
extern const struct CMUnitTest edu_cases[];
extern const size_t edu_cases_count;

/** Open the edu with the default selector into *@state / close it. */
int edu_case_setup(void **state);
int edu_case_teardown(void **state);

/** @len random bytes DMAed into edu's buffer at @edu_off and back compare equal. */
void edu_round_trip(struct udrv_edu *edu, uint32_t len, uint32_t edu_off);

/**
 * Run the shared cases, then the target's own @own (@nown of them), as one
 * cmocka group @name. Returns cmocka's result (the number of failures).
 */
int edu_cases_run(const char *name, const struct CMUnitTest *own, size_t nown,
		  CMFixtureFunction group_setup, CMFixtureFunction group_teardown);

#endif /* EDU_CASES_H */
