// SPDX-License-Identifier: MIT
/*
 * test-crc.c - the crc driver (../crc.c, unchanged) against the model of
 * its IP (crc_model.c), on the host: no board, no QEMU, no root. Prints
 * "PASS name" or "FAIL name: why" per test; exits 1 if any failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../crc.h"
#include "../crc_regs.h"
#include "crc_model.h"

#define SEC 1000000000ull

static int failed;

#define CHECK(name, cond)                                                            \
	do {                                                                         \
		if (cond) {                                                          \
			printf("PASS %s\n", name);                                   \
		} else {                                                             \
			printf("FAIL %s: %s (line %d)\n", name, #cond, __LINE__);    \
			failed = 1;                                                  \
		}                                                                    \
	} while (0)

#define ANY UINT64_MAX

/* Index of the first event @ev at offset @off (with @value unless ANY) in
 * the trace from @from on, or -1. */
static long find(const struct udrv_sim_trace *t, size_t n, long from, enum udrv_sim_event ev,
		 size_t off, uint64_t value)
{
	for (size_t i = from < 0 ? n : (size_t)from; i < n; i++)
		if (t[i].event == ev && t[i].a.off == off && (value == ANY || t[i].a.value == value))
			return (long)i;
	return -1;
}

struct waiter {
	struct crc *c;
	int ret;
};

static void *compute_in_thread(void *arg)
{
	struct waiter *w = arg;
	uint32_t v;

	w->ret = crc_compute(w->c, "x", 1, 5 * SEC, &v);
	return NULL;
}

int main(void)
{
	static struct udrv_sim_trace t[256];
	struct udrv_sim_device *dev;
	struct crc *c;
	uint32_t v = 0;
	size_t n;
	long start, irq, clear, unmask;

	setvbuf(stdout, NULL, _IONBF, 0);	/* every line, even if it dies */
	if (crc_model_add(&dev) || crc_open(&c)) {
		printf("FAIL setup\n");
		return 1;
	}

	/* The check value of CRC-32/IEEE: crc32("123456789") = 0xcbf43926. */
	udrv_sim_trace_clear(dev);
	CHECK("computes-crc", crc_compute(c, "123456789", 9, SEC, &v) == 0 && v == 0xcbf43926u);

	/* The order the IP's data sheet asks for: address and length before
	 * START; the status cleared at the device before the line is unmasked
	 * (else the level interrupt fires again at once). */
	n = udrv_sim_trace(dev, t, 256);
	start = find(t, n, 0, UDRV_SIM_WRITE, CRC_CTRL, CRC_CTRL_IRQ_EN | CRC_CTRL_START);
	CHECK("programs-then-starts",
	      start > 0 && find(t, n, 0, UDRV_SIM_WRITE, CRC_SRC_LO, ANY) < start &&
	      find(t, n, 0, UDRV_SIM_WRITE, CRC_SRC_HI, ANY) < start &&
	      find(t, n, 0, UDRV_SIM_WRITE, CRC_LEN, 9) < start &&
	      find(t, n, 0, UDRV_SIM_WRITE, CRC_LEN, 9) >= 0);
	irq = find(t, n, start, UDRV_SIM_IRQ, 0, ANY);
	clear = find(t, n, irq, UDRV_SIM_WRITE, CRC_STATUS, CRC_ST_DONE);
	unmask = find(t, n, clear, UDRV_SIM_UNMASK, 0, ANY);
	CHECK("clears-then-unmasks", irq > 0 && clear > irq && unmask > clear);
	CHECK("one-interrupt-per-transfer", udrv_sim_irq_count(dev, 0) == 1);

	/* A DMA error: the driver says so, and the next transfer works. */
	crc_model_fail_next(dev);
	CHECK("dma-error-is-eio", crc_compute(c, "abc", 3, SEC, &v) == -EIO);
	CHECK("works-after-error", crc_compute(c, "abc", 3, SEC, &v) == 0 && v == 0x352441c2u);

	/* A transfer that does not complete in time: the timeout, not a hang;
	 * the buffer stays the device's while it may still read it; its late
	 * completion is not taken for the next transfer's. */
	crc_model_set_latency(dev, UINT64_MAX);
	CHECK("lost-completion-times-out", crc_compute(c, "abc", 3, SEC / 10, &v) == -ETIMEDOUT);
	CHECK("busy-until-it-ends", crc_compute(c, "abc", 3, SEC / 10, &v) == -EBUSY);
	crc_model_complete(dev);
	crc_model_set_latency(dev, 1000000);
	for (uint64_t end = udrv_deadline_ns(SEC); udrv_sim_irq_count(dev, 0) < 4 &&
	     udrv_left_ns(end);)
		;	/* until the late one is in (the fourth interrupt) */
	CHECK("late-completion-not-taken", crc_compute(c, "123456789", 9, SEC, &v) == 0 &&
	      v == 0xcbf43926u);
	crc_model_set_latency(dev, UINT64_MAX);

	/* Bad input is refused before the device is touched. */
	CHECK("length-0-einval", crc_compute(c, "", 0, SEC, &v) == -EINVAL);
	CHECK("length-over-64k-einval", crc_compute(c, "", 65537, SEC, &v) == -EINVAL);

	/* The device goes away while a transfer waits for its interrupt. */
	struct waiter w = { c, 1 };
	pthread_t th;

	udrv_sim_trace_clear(dev);
	pthread_create(&th, NULL, compute_in_thread, &w);
	do	/* until the transfer has started: it is waiting, or about to */
		n = udrv_sim_trace(dev, t, 256);
	while (find(t, n, 0, UDRV_SIM_WRITE, CRC_CTRL, CRC_CTRL_IRQ_EN | CRC_CTRL_START) < 0);
	udrv_sim_device_remove(dev);
	pthread_join(th, NULL);
	CHECK("removal-mid-transfer-enodev", w.ret == -ENODEV);
	crc_close(c);
	udrv_sim_device_free(dev);
	return failed;
}
