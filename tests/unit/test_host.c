/* SPDX-License-Identifier: MIT */
/* Hosting drivers: matching, probing, a failing probe, one loop, removal. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static int probes, removes, irq_calls, ticks;
static char order[64];
static char log_text[1024];

static void log_cb(int level, const char *msg, void *data)
{
	(void)data;
	if (level <= UDRV_LOG_ERR)
		strncat(log_text, msg, sizeof(log_text) - strlen(log_text) - 2);
}

static int rtc_irq(struct udrv_irq *irq, int status, void *data)
{
	assert_int_equal(status, 1);
	assert_ptr_equal(data, udrv_irq_device(irq));
	irq_calls++;
	return udrv_irq_unmask(irq);
}

static int rtc_probe(struct udrv_device *dev, struct udrv_loop *loop, void **priv)
{
	struct udrv_irq *irq;
	int ret;

	probes++;
	strcat(order, udrv_device_name(dev));
	strcat(order, " ");
	ret = udrv_device_irq(dev, 0, &irq);
	if (ret)
		return ret;
	*priv = irq;
	return udrv_loop_add_irq(loop, irq, rtc_irq, dev);
}

static void rtc_remove(struct udrv_device *dev, struct udrv_loop *loop, void *priv)
{
	(void)dev;
	removes++;
	strcat(order, "-rtc ");
	assert_int_equal(udrv_loop_remove_irq(loop, priv), 0);
}

static int edu_tick(struct udrv_loop *loop, void *data)
{
	(void)data;
	if (++ticks == 3)
		udrv_loop_stop(loop, 7);
	return 0;
}

static int edu_probe(struct udrv_device *dev, struct udrv_loop *loop, void **priv)
{
	uint16_t v = 0;
	int id;

	probes++;
	strcat(order, udrv_device_name(dev));
	strcat(order, " ");
	assert_int_equal(udrv_device_pci_id(dev, &v, NULL), 0);
	assert_int_equal(v, 0x1234);
	id = udrv_loop_add_timer(loop, 1000000, 1000000, edu_tick, NULL);
	if (id < 0)
		return id;
	*priv = (void *)(intptr_t)id;
	return 0;
}

static void edu_remove(struct udrv_device *dev, struct udrv_loop *loop, void *priv)
{
	(void)dev;
	removes++;
	strcat(order, "-edu ");
	assert_int_equal(udrv_loop_remove_timer(loop, (int)(intptr_t)priv), 0);
}

static int bad_probe(struct udrv_device *dev, struct udrv_loop *loop, void **priv)
{
	(void)dev; (void)loop; (void)priv;
	probes++;
	return -EIO;
}

static const char *const rtc_compat[] = { "arm,pl031", NULL };
static const char *const ttc_compat[] = { "cdns,ttc", NULL };
static const struct udrv_pci_id edu_ids[] = { { 0x1234, 0x11e8 }, { 0, 0 } };
static const struct udrv_driver rtc_drv = { "pl031", rtc_compat, NULL, rtc_probe, rtc_remove };
static const struct udrv_driver edu_drv = { "edu", NULL, edu_ids, edu_probe, edu_remove };
static const struct udrv_driver bad_drv = { "ttc", ttc_compat, NULL, bad_probe, NULL };

static void reset(void)
{
	probes = removes = irq_calls = ticks = 0;
	order[0] = log_text[0] = '\0';
	udrv_set_log(log_cb, NULL);
}

static void test_host(void **state)
{
	struct udrv_host *host = NULL;
	unsigned int failed = 99;

	(void)state;
	reset();
	assert_int_equal(udrv_host_new(NULL), -EINVAL);
	assert_int_equal(udrv_host_new(&host), 0);
	assert_non_null(udrv_host_loop(host));
	assert_int_equal(udrv_host_register(host, &rtc_drv), 0);
	assert_int_equal(udrv_host_register(host, &edu_drv), 0);
	assert_int_equal(udrv_host_register(host, &bad_drv), 0);

	/* rtc, edu, rtc2 bound; timer's probe fails; plain matches nothing */
	assert_int_equal(udrv_host_probe(host, &failed), 3);
	assert_int_equal(failed, 1);
	assert_int_equal(probes, 4);
	assert_int_equal(udrv_host_num_bound(host), 3);
	assert_string_equal(order, "rtc edu rtc2 ");
	assert_non_null(strstr(log_text, "ttc: probe of timer failed"));

	/* bound devices are not probed twice; the failed one is retried */
	probes = 0;
	assert_int_equal(udrv_host_probe(host, NULL), 0);
	assert_int_equal(probes, 1);
	assert_int_equal(udrv_host_num_bound(host), 3);

	/* one loop serves the rtc interrupts and edu's timer */
	fake_fire(0, 6);
	fake_fire(6, 1);
	assert_int_equal(udrv_host_run(host), 7);
	assert_int_equal(irq_calls, 2);
	assert_int_equal(ticks, 3);

	order[0] = '\0';
	udrv_host_free(host);
	assert_int_equal(removes, 3);
	assert_string_equal(order, "-rtc -edu -rtc ");
	udrv_host_free(NULL);
	udrv_set_log(NULL, NULL);
}

static void test_open_failure(void **state)
{
	struct udrv_host *host = NULL;
	unsigned int failed = 0;

	(void)state;
	reset();
	fake_unlink("dev/uio6");	/* rtc2 cannot be opened */
	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, &rtc_drv), 0);
	assert_int_equal(udrv_host_probe(host, &failed), 1);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(log_text, "pl031: cannot open rtc2"));
	udrv_host_free(host);
	assert_int_equal(removes, 1);
	udrv_set_log(NULL, NULL);
}

static void test_register_errors(void **state)
{
	static const struct udrv_driver no_probe = { "x", rtc_compat, NULL, NULL, NULL };
	static const struct udrv_driver no_match = { "x", NULL, NULL, bad_probe, NULL };
	struct udrv_host *host = NULL;

	(void)state;
	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, NULL), -EINVAL);
	assert_int_equal(udrv_host_register(host, &no_probe), -EINVAL);
	assert_int_equal(udrv_host_register(host, &no_match), -EINVAL);
	/* nothing registered: nothing bound, the loop has nothing to do */
	assert_int_equal(udrv_host_probe(host, NULL), 0);
	assert_int_equal(udrv_host_run(host), 0);
	udrv_host_free(host);

	/* listing fails: reported */
	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, &rtc_drv), 0);
	setenv("UDRV_ROOT", "/nonexistent-udrv-root", 1);
	assert_int_equal(udrv_host_probe(host, NULL), -ENOENT);
	udrv_host_free(host);
}

/* A driver matches a stub device by its "udrv,compatible" (udrv_uio.h). */
static void test_match_udrv_compatible(void **state)
{
	static const struct fake_map m[] = { { "regs", 0xff120000, 0x100, 0 } };
	static const char stub[] = "udrv,uio", own[] = "cdns,ttc";
	static const char *const ttc2_compat[] = { "cdns,ttc-r9", "cdns,ttc", NULL };
	static const struct udrv_driver ttc_drv = { "ttc", ttc2_compat, NULL, rtc_probe,
						   rtc_remove };
	struct udrv_host *host = NULL;
	unsigned int failed = 99;

	(void)state;
	reset();
	fake_uio(7, "ttc1", "devices/platform/ff120000.timer", m, 1, true, 0);
	fake_dt("devices/platform/ff120000.timer", "soc/timer@ff120000", stub, sizeof(stub));
	fake_dt_prop("soc/timer@ff120000", "udrv,compatible", own, sizeof(own));
	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, &ttc_drv), 0);
	/* the fake board's timer ("cdns,ttc" in compatible) and ttc1 */
	assert_int_equal(udrv_host_probe(host, &failed), 2);
	assert_int_equal(failed, 0);
	assert_string_equal(order, "timer ttc1 ");
	udrv_host_free(host);
	udrv_set_log(NULL, NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

/* Lifecycle (issue 20): a probe that fails after adding a source leaves
 * nothing in the loop; a device that goes away is removed and unbound. */
static int gone_calls;

static int gone_irq(struct udrv_irq *irq, int status, void *data)
{
	(void)irq; (void)data;
	if (status == -ENODEV)
		gone_calls++;
	return 0;
}

static int half_probe(struct udrv_device *dev, struct udrv_loop *loop, void **priv)
{
	struct udrv_irq *irq;

	(void)priv;
	probes++;
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_loop_add_irq(loop, irq, gone_irq, NULL), 0);
	return -EIO;	/* fails with its source in the loop */
}

static int keep_probe(struct udrv_device *dev, struct udrv_loop *loop, void **priv)
{
	struct udrv_irq *irq;

	(void)priv;
	probes++;
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	return udrv_loop_add_irq(loop, irq, gone_irq, NULL);
}

static void count_remove(struct udrv_device *dev, struct udrv_loop *loop, void *priv)
{
	(void)dev; (void)loop; (void)priv;
	removes++;
}

static void test_lifecycle(void **state)
{
	static const struct udrv_driver half = { "half", rtc_compat, NULL, half_probe, NULL };
	static const struct udrv_driver keep = { "keep", rtc_compat, NULL, keep_probe,
						 count_remove };
	struct udrv_host *host = NULL;
	unsigned int failed = 0;

	(void)state;
	reset();
	gone_calls = 0;
	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, &half), 0);
	assert_int_equal(udrv_host_probe(host, &failed), 0);
	assert_int_equal(failed, 2);
	assert_int_equal(udrv_loop_run_once(udrv_host_loop(host), 0), 0);	/* no sources */
	udrv_host_free(host);

	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, &keep), 0);
	assert_int_equal(udrv_host_probe(host, NULL), 2);	/* rtc, rtc2 */
	fake_remove(0);
	assert_true(udrv_loop_run_once(udrv_host_loop(host), 1000000000u) >= 1);
	assert_int_equal(gone_calls, 1);
	assert_int_equal(removes, 1);	/* remove ran for rtc ... */
	assert_int_equal(udrv_host_num_bound(host), 1);	/* ... and it is unbound */
	udrv_host_free(host);
	assert_int_equal(removes, 2);	/* rtc2's remove at close */
	udrv_set_log(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_host),
		T(test_open_failure),
		T(test_lifecycle),
		T(test_register_errors),
		T(test_match_udrv_compatible),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
