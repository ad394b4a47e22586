// SPDX-License-Identifier: GPL-2.0
/*
 * udrv_test_irq - a fixture for the udrv_uio stub's guest tests: two
 * platform devices whose interrupts the stub cannot mask from its handler.
 *
 *   udrv-test-irq.0  on a slow-bus irqchip (irq_bus_lock, as an I2C or SPI
 *                    GPIO expander has): masking it sleeps
 *   udrv-test-irq.1  nested in another interrupt's thread (IRQ_NESTED_THREAD):
 *                    its primary handler never runs
 *
 * Nothing raises these interrupts; the stub must refuse both at probe.
 */
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>

#define UDRV_TEST_NIRQ	2

static struct irq_domain *udrv_test_domain;
static struct platform_device *udrv_test_pdev[UDRV_TEST_NIRQ];
static DEFINE_MUTEX(udrv_test_bus);	/* stands for the slow bus */

static void udrv_test_nop(struct irq_data *d)
{
}

static void udrv_test_bus_lock(struct irq_data *d)
{
	mutex_lock(&udrv_test_bus);
}

static void udrv_test_bus_unlock(struct irq_data *d)
{
	mutex_unlock(&udrv_test_bus);
}

static struct irq_chip udrv_test_slow_chip = {
	.name = "udrv-test-slow",
	.irq_mask = udrv_test_nop,
	.irq_unmask = udrv_test_nop,
	.irq_bus_lock = udrv_test_bus_lock,
	.irq_bus_sync_unlock = udrv_test_bus_unlock,
};

static struct irq_chip udrv_test_nested_chip = {
	.name = "udrv-test-nested",
	.irq_mask = udrv_test_nop,
	.irq_unmask = udrv_test_nop,
};

static int udrv_test_map(struct irq_domain *d, unsigned int virq, irq_hw_number_t hw)
{
	if (hw == 0) {
		irq_set_chip_and_handler(virq, &udrv_test_slow_chip, handle_simple_irq);
	} else {
		irq_set_chip_and_handler(virq, &udrv_test_nested_chip, handle_simple_irq);
		irq_set_nested_thread(virq, true);
	}
	return 0;
}

static const struct irq_domain_ops udrv_test_ops = {
	.map = udrv_test_map,
};

static void udrv_test_cleanup(void)
{
	int i;

	for (i = 0; i < UDRV_TEST_NIRQ; i++) {
		if (!IS_ERR_OR_NULL(udrv_test_pdev[i]))
			platform_device_unregister(udrv_test_pdev[i]);
		irq_dispose_mapping(irq_find_mapping(udrv_test_domain, i));
	}
	irq_domain_remove(udrv_test_domain);
}

static int __init udrv_test_init(void)
{
	int i;

	udrv_test_domain = irq_domain_add_linear(NULL, UDRV_TEST_NIRQ, &udrv_test_ops, NULL);
	if (!udrv_test_domain)
		return -ENOMEM;
	for (i = 0; i < UDRV_TEST_NIRQ; i++) {
		unsigned int virq = irq_create_mapping(udrv_test_domain, i);
		struct resource res = DEFINE_RES_IRQ(virq);

		if (!virq) {
			udrv_test_cleanup();
			return -ENOMEM;
		}
		udrv_test_pdev[i] = platform_device_register_simple("udrv-test-irq", i, &res, 1);
		if (IS_ERR(udrv_test_pdev[i])) {
			int ret = PTR_ERR(udrv_test_pdev[i]);

			udrv_test_cleanup();
			return ret;
		}
	}
	return 0;
}
module_init(udrv_test_init);

static void __exit udrv_test_exit(void)
{
	udrv_test_cleanup();
}
module_exit(udrv_test_exit);

MODULE_DESCRIPTION("udrv_uio test fixture: interrupts the stub must refuse");
MODULE_AUTHOR("The udrv authors");
MODULE_LICENSE("GPL");
