// SPDX-License-Identifier: MIT
/*
 * edu-irq-rtt BOARD - the edu interrupt round trip (raise -> userspace
 * wakeup -> acknowledge -> unmask), through the edu driver (drivers/edu on
 * libudrv) and through a bare read()/write() loop on /dev/uioN with the
 * BAR mapped by hand, in the same run, alternating in rounds so both see
 * the same machine, 10 000 samples per path (20 rounds of 500). Prints one
 * JSON object per line: per path min, p50, p99, p99.9 and max in
 * microseconds, then the ratios of the percentiles (driver / bare).
 * Only on virt and virt32 (QEMU's -device edu); other boards print nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "edu_regs.h"

#define ROUNDS		20
#define PER_ROUND	500
#define WARMUP		10
#define TEST_IRQ	0x10000u
#define MS		1000000ull

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i] / 1e3;
}

/* One round through the driver; samples appended at *n. */
static int round_driver(uint64_t *samples, size_t *n)
{
	struct udrv_edu *edu;
	uint32_t seen;
	int ret;

	if ((ret = udrv_edu_open(NULL, &edu))) {
		fprintf(stderr, "edu-irq-rtt: %s\n", udrv_edu_last_error());
		return ret;
	}
	for (int i = 0; i < WARMUP + PER_ROUND; i++) {
		uint64_t t0 = udrv_now_ns();

		udrv_edu_irq_raise(edu, TEST_IRQ);
		ret = udrv_edu_irq_wait(edu, TEST_IRQ, 1000 * MS, &seen);
		if (ret != 1) {
			fprintf(stderr, "edu-irq-rtt: driver: interrupt %d lost\n", i);
			udrv_edu_close(edu);
			return -ETIMEDOUT;
		}
		if (i >= WARMUP)
			samples[(*n)++] = udrv_now_ns() - t0;
	}
	udrv_edu_close(edu);
	return 0;
}

/* One round with nothing but the UIO node: mmap, read, write. */
static int round_bare(unsigned int uio, uint64_t *samples, size_t *n)
{
	char path[64];
	volatile uint32_t *bar;
	uint32_t one = 1, count;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/dev/uio%u", uio);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);	/* map 0 = BAR0 */
	if (bar == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		ret = -errno;
	for (int i = 0; !ret && i < WARMUP + PER_ROUND; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t t0 = udrv_now_ns();
		uint32_t st;

		bar[EDU_REG_IRQ_RAISE / 4] = TEST_IRQ;
		/* a bounded wait, so a lost interrupt cannot hang the bench */
		if (poll(&p, 1, 1000) != 1 || read(fd, &count, sizeof(count)) != sizeof(count)) {
			fprintf(stderr, "edu-irq-rtt: bare: interrupt %d lost\n", i);
			ret = -ETIMEDOUT;
			break;
		}
		st = bar[EDU_REG_IRQ_STATUS / 4];
		bar[EDU_REG_IRQ_ACK / 4] = st;
		if (write(fd, &one, sizeof(one)) != sizeof(one))
			ret = -errno;
		if (i >= WARMUP)
			samples[(*n)++] = udrv_now_ns() - t0;
	}
	munmap((void *)bar, 4096);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	static uint64_t drv[ROUNDS * PER_ROUND], bare[ROUNDS * PER_ROUND];
	size_t nd = 0, nb = 0;
	struct udrv_edu_info info;
	struct udrv_edu *edu;
	double d[3], b[3];
	static const double at[3] = { 0.50, 0.99, 0.999 };

	if (argc != 2) {
		fprintf(stderr, "usage: edu-irq-rtt BOARD\n");
		return 2;
	}
	if (strcmp(argv[1], "virt") && strcmp(argv[1], "virt32"))
		return 0;
	if (udrv_edu_bind(NULL) || udrv_edu_open(NULL, &edu)) {
		fprintf(stderr, "edu-irq-rtt: %s\n", udrv_edu_last_error());
		return 1;
	}
	udrv_edu_info(edu, &info);
	udrv_edu_close(edu);
	for (int r = 0; r < ROUNDS; r++) {
		if (round_driver(drv, &nd) || round_bare(info.uio, bare, &nb)) {
			fprintf(stderr, "edu-irq-rtt: round %d failed\n", r);
			return 1;
		}
	}
	qsort(drv, nd, sizeof(drv[0]), cmp_u64);
	qsort(bare, nb, sizeof(bare[0]), cmp_u64);
	for (int i = 0; i < 3; i++) {
		d[i] = pct(drv, nd, at[i]);
		b[i] = pct(bare, nb, at[i]);
	}
	printf("{\"bench\": \"edu_irq_round_trip\", \"path\": \"driver\", \"samples\": %zu, "
	       "\"min_us\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, \"p99_9_us\": %.1f, "
	       "\"max_us\": %.1f}\n", nd, drv[0] / 1e3, d[0], d[1], d[2], drv[nd - 1] / 1e3);
	printf("{\"bench\": \"edu_irq_round_trip\", \"path\": \"bare_uio\", \"samples\": %zu, "
	       "\"min_us\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, \"p99_9_us\": %.1f, "
	       "\"max_us\": %.1f}\n", nb, bare[0] / 1e3, b[0], b[1], b[2], bare[nb - 1] / 1e3);
	printf("{\"bench\": \"edu_irq_round_trip\", \"path\": \"driver/bare_uio\", "
	       "\"p50_ratio\": %.2f, \"p99_ratio\": %.2f, \"p99_9_ratio\": %.2f}\n",
	       d[0] / b[0], d[1] / b[1], d[2] / b[2]);
	return 0;
}
