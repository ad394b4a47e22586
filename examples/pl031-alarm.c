// SPDX-License-Identifier: MIT
/*
 * pl031-alarm - a whole userspace driver, built out of tree with nothing but
 *     cc -o pl031-alarm pl031-alarm.c $(pkg-config --cflags --libs udrv)
 * It opens the PL031 RTC handed to the udrv_uio stub, prints its time, sets
 * the alarm SECS seconds ahead and waits for the interrupt.
 * Registers: ARM PrimeCell RTC (PL031) TRM, ARM DDI 0224, section 3.3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <udrv.h>

#define RTCDR	0x00	/* 3.3.1 data: the current time in seconds */
#define RTCMR	0x04	/* 3.3.2 match: the alarm fires when RTCDR reaches it */
#define RTCIMSC	0x10	/* 3.3.5 interrupt mask set/clear: 1 enables the alarm */
#define RTCICR	0x1c	/* 3.3.8 interrupt clear */

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "pl031";
	unsigned int secs = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 1;
	struct udrv_device *dev;
	struct udrv_region *regs;
	struct udrv_irq *irq;
	volatile void *base;
	uint32_t start;
	int r;

	if ((r = udrv_device_open(name, &dev))) {
		fprintf(stderr, "pl031-alarm: cannot open %s: %s %s\n", name, strerror(-r),
			udrv_last_error());
		return 1;
	}
	if ((r = udrv_device_region(dev, 0, 0x20, &regs)) || (r = udrv_device_irq(dev, 0, &irq))) {
		fprintf(stderr, "pl031-alarm: %s is not a PL031: %s\n", name, strerror(-r));
		udrv_device_close(dev);
		return 1;
	}
	base = udrv_region_base(regs);
	start = udrv_read32(base, RTCDR);
	printf("%s: time %u, alarm in %u s\n", name, start, secs);
	udrv_write32(base, RTCICR, 1);
	udrv_write32(base, RTCMR, start + secs);
	udrv_write32(base, RTCIMSC, 1);
	udrv_irq_unmask(irq);
	r = udrv_irq_wait(irq, (secs + 2) * 1000000000ull);
	udrv_write32(base, RTCIMSC, 0);
	udrv_write32(base, RTCICR, 1);
	if (r == 1)
		printf("%s: alarm at time %u, interrupt count %u\n", name,
		       udrv_read32(base, RTCDR), udrv_irq_count(irq));
	else
		fprintf(stderr, "pl031-alarm: no alarm: %s\n", r ? strerror(-r) : "timeout");
	udrv_device_close(dev);
	return r == 1 ? 0 : 1;
}
