/* SPDX-License-Identifier: MIT */
/*
 * pl031_cases.h - the PL031 driver's behaviour tests that hold on both
 * targets: QEMU's PL031 in the guest (tests/guest/test_pl031.c) and the
 * model on the host (tests/sim/test_pl031.c, sim/models/pl031.c). One
 * source, two targets: each runs pl031_cases[] in its own cmocka group.
 *
 * They use only the driver's public API and open it with its default
 * selector, which finds QEMU's PL031 in the guest and the simulated one on
 * the host. They hold on real hardware too: an alarm N seconds ahead fires
 * between N - 1 and N seconds later there (at the counter's next edges),
 * exactly N seconds later on QEMU.
 *
 * pl031_alarms_in_a_row (PL031_ALARMS_IN_A_ROW at build time, default 20):
 * how many 1-second alarms test_alarms_in_a_row() chains; each takes a real
 * second on both targets, so a target may set fewer before it runs them.
 */
#ifndef PL031_CASES_H
#define PL031_CASES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

extern unsigned int pl031_alarms_in_a_row;

#include "pl031.h"

#define MS 1000000ull
#define SEC (1000 * MS)

/* What each case gets as *state: the driver opened, the clock saved. */
struct pl031_fixture {
	struct udrv_pl031 *rtc;
	struct udrv_irq *irq;	/* the driver's interrupt, to count its events */
	uint32_t saved;		/* the clock at setup, put back at teardown */
	uint64_t t0;
};

/* Open the driver (default selector) / put the clock back and close it.
 * For a target's own cases too. */
int pl031_setup(void **state);
int pl031_teardown(void **state);

/* The shared cases, each with pl031_setup/pl031_teardown. */
extern const struct CMUnitTest pl031_cases[];
extern const size_t pl031_ncases;

#endif /* PL031_CASES_H */
