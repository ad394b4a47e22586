// SPDX-License-Identifier: MIT
/*
 * zcu102-drivers BOARD - the TTC and ZDMA drivers (drivers/ttc, drivers/zdma)
 * on QEMU's xlnx-zcu102. Prints one JSON object per line:
 *   ttc_wakeup      lateness of 1000 wakeups at 1 kHz (p50/p99/max, us) and
 *                   the expiries merged because a wakeup came a period late
 *   zdma_copy       one copy at a time, submit to completion interrupt (us)
 *   zdma_throughput 4 KiB and 1 MiB copies queued back to back, MiB/s,
 *                   beside the CPU's memcpy between the same pool buffers
 * Other boards print nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ttc.h"
#include "zdma.h"

#define MS 1000000ull

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double pct_us(int64_t *v, size_t n, double p)
{
	return (double)v[(size_t)(p * (double)(n - 1) + 0.5)] / 1e3;
}

static int bench_ttc(void)
{
	enum { N = 1000 };
	static int64_t late[N];
	uint64_t merged = 0;
	struct udrv_ttc *t = NULL;
	int ret;

	if ((ret = udrv_ttc_open(NULL, 0, 0, &t)) || (ret = udrv_ttc_start_periodic(t, 1000)))
		goto out;
	for (int i = 0; i < N; i++) {
		struct udrv_ttc_event ev;

		if ((ret = udrv_ttc_wait(t, 1000 * MS, &ev)) <= 0) {
			ret = ret ? ret : -1;
			goto out;
		}
		late[i] = ev.lateness_ns;
		merged += ev.expirations - 1;
	}
	qsort(late, N, sizeof(late[0]), cmp_i64);
	printf("{\"bench\": \"ttc_wakeup\", \"hz\": 1000, \"wakeups\": %d, \"merged\": %llu, "
	       "\"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f}\n", N,
	       (unsigned long long)merged, pct_us(late, N, 0.5), pct_us(late, N, 0.99),
	       late[N - 1] / 1e3);
	ret = 0;
out:
	udrv_ttc_close(t);
	return ret;
}

/* @count copies of @len, queued back to back; MiB/s. */
static double queued(struct udrv_zdma *z, struct udrv_dma_buf *d, struct udrv_dma_buf *s, size_t len,
		     unsigned int count)
{
	unsigned int sent = 0, done = 0;
	uint64_t t0 = udrv_now_ns();

	while (done < count) {
		while (sent < count && udrv_zdma_pending(z) < ZDMA_QUEUE_MAX)
			if (udrv_zdma_submit_buf(z, d, 0, s, 0, len, NULL) == 0)
				sent++;
		struct udrv_zdma_done r;

		if (udrv_zdma_wait(z, 5000 * MS, &r) != 1 || r.status)
			return -1;
		done++;
	}
	return (double)len * count / ((double)(udrv_now_ns() - t0) / 1e9) / (1 << 20);
}

static double cpu_copy(struct udrv_dma_buf *d, struct udrv_dma_buf *s, size_t len,
		       unsigned int count)
{
	uint64_t t0 = udrv_now_ns();

	for (unsigned int i = 0; i < count; i++) {
		memcpy(udrv_dma_cpu(d), udrv_dma_cpu(s), len);
		__asm__ __volatile__("" ::: "memory");
	}
	return (double)len * count / ((double)(udrv_now_ns() - t0) / 1e9) / (1 << 20);
}

static int bench_zdma(void)
{
	enum { N = 500 };
	static const struct { size_t len; unsigned int count; } runs[] = {
		{ 4096, 2000 }, { 1 << 20, 64 },
	};
	static int64_t rtt[N];
	struct udrv_dma_buf *s, *d;
	struct udrv_zdma *z;
	int ret;

	if ((ret = udrv_zdma_open(NULL, &z)))
		return ret;
	if ((ret = udrv_dma_alloc(udrv_zdma_device(z), 1 << 20, 0, &s)) ||
	    (ret = udrv_dma_alloc(udrv_zdma_device(z), 1 << 20, 0, &d)))
		goto out;
	memset(udrv_dma_cpu(s), 0x5a, 1 << 20);
	for (int i = 0; i < N; i++) {
		uint64_t t0 = udrv_now_ns();

		if ((ret = udrv_zdma_copy_buf(z, d, 0, s, 0, 64, 5000 * MS)))
			goto out;
		rtt[i] = (int64_t)(udrv_now_ns() - t0);
	}
	qsort(rtt, N, sizeof(rtt[0]), cmp_i64);
	printf("{\"bench\": \"zdma_copy\", \"bytes\": 64, \"copies\": %d, \"p50_us\": %.1f, "
	       "\"p99_us\": %.1f}\n", N, pct_us(rtt, N, 0.5), pct_us(rtt, N, 0.99));
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		double dma = queued(z, d, s, runs[i].len, runs[i].count);
		double cpu = cpu_copy(d, s, runs[i].len, runs[i].count);

		if (dma < 0) {
			ret = -1;
			goto out;
		}
		printf("{\"bench\": \"zdma_throughput\", \"bytes\": %zu, \"copies\": %u, "
		       "\"zdma_mib_s\": %.1f, \"cpu_memcpy_mib_s\": %.1f}\n",
		       runs[i].len, runs[i].count, dma, cpu);
	}
	ret = 0;
out:
	udrv_zdma_close(z);
	return ret;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: zcu102-drivers BOARD\n");
		return 2;
	}
	if (strcmp(argv[1], "zcu102"))
		return 0;
	if (bench_ttc()) {
		fprintf(stderr, "zcu102-drivers: ttc failed\n");
		rc = 1;
	}
	if (bench_zdma()) {
		fprintf(stderr, "zcu102-drivers: zdma failed\n");
		rc = 1;
	}
	return rc;
}
