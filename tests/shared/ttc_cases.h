/* SPDX-License-Identifier: MIT */
/*
 * ttc_cases.h - the behaviour tests of drivers/ttc that hold on both
 * targets (tests/shared/ttc_cases.c): run by the guest suite against
 * QEMU's TTC0 on zcu102 (tests/guest/test_ttc.c) and by the host suite
 * against the model (tests/sim/test_ttc.c).
 */
#ifndef UDRV_TTC_CASES_H
#define UDRV_TTC_CASES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* For cmocka_run_group_tests_name(): each case opens the TTC with the
 * driver's default selector (the first "cdns,ttc") and closes it again. */
#define TTC_NUM_CASES 5
extern const struct CMUnitTest ttc_cases[TTC_NUM_CASES];

#endif /* UDRV_TTC_CASES_H */
