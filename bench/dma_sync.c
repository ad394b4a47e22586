// SPDX-License-Identifier: MIT
/*
 * dma-sync BOARD - what cached DMA pools cost (issue 21), on edu's pool
 * (virt, virt-bounce, virt32; other boards print nothing):
 *  - one udrv_dma_sync_for_device() / _for_cpu() by length (4 KiB .. 4 MiB,
 *    as far as the pool goes: 256 KiB under swiotlb=force) and direction,
 *    on a cached pool (one system call into the stub's dma_sync attribute)
 *    and on a coherent one (no call); beside it a memcpy() of the same
 *    length in the same run, the cost of moving the bytes once;
 *  - CPU read and write bandwidth over the same buffer of a cached and of a
 *    coherent pool, and their ratio.
 * QEMU models no caches: a coherent pool is as fast as a cached one here,
 * and a sync costs its system call (plus a copy under swiotlb=force), not a
 * cache flush. On hardware without DMA coherency the bandwidth ratio is the
 * point (the issue cites 5-14x); here the point is correctness.
 * edu is left bound with its usual coherent 64 KiB pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edu_regs.h"
#include "udrv.h"

#define MiB		(1024u * 1024u)
#define EDU_POOL	65536u
#define ITERS		200

static const struct udrv_open_opts edu_sel = { .pci_vendor = EDU_VENDOR_ID,
					       .pci_device = EDU_DEVICE_ID };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return (double)v[n / 2] / 1e3;
}

typedef int (*sync_fn)(struct udrv_dma_buf *, size_t, size_t, enum udrv_dma_dir);

static double time_sync(sync_fn fn, struct udrv_dma_buf *b, size_t len, enum udrv_dma_dir dir)
{
	uint64_t t[ITERS];

	for (int i = 0; i < ITERS; i++) {
		uint64_t t0 = udrv_now_ns();

		if (fn(b, 0, len, dir))
			return -1;
		t[i] = udrv_now_ns() - t0;
	}
	return median_us(t, ITERS);
}

static double time_memcpy(void *dst, const void *src, size_t len)
{
	uint64_t t[ITERS];

	for (int i = 0; i < ITERS; i++) {
		uint64_t t0 = udrv_now_ns();

		memcpy(dst, src, len);
		__asm__ volatile("" ::: "memory");
		t[i] = udrv_now_ns() - t0;
	}
	return median_us(t, ITERS);
}

/* MB/s reading (summing 64-bit words) and writing (memset) @len bytes. */
static void bandwidth(volatile uint64_t *p, size_t len, double *rd, double *wr)
{
	uint64_t tr[20], tw[20], sum = 0;

	for (int i = 0; i < 20; i++) {
		uint64_t t0 = udrv_now_ns();

		for (size_t k = 0; k < len / 8; k++)
			sum += p[k];
		tr[i] = udrv_now_ns() - t0;
		t0 = udrv_now_ns();
		memset((void *)p, i, len);
		__asm__ volatile("" ::: "memory");
		tw[i] = udrv_now_ns() - t0;
	}
	*rd = (double)len / median_us(tr, 20);
	*wr = (double)len / median_us(tw, 20);
	if (sum == 42)
		putchar(' ');	/* keep the reads */
}

/* edu bound again with a pool of @size (| UDRV_POOL_CACHED), opened. */
static int rebind(struct udrv_kdev *kd, uint64_t pool, struct udrv_device **dev)
{
	int ret = udrv_kdev_bind(kd, true, pool);

	if (!ret)
		ret = udrv_device_open_with(&edu_sel, dev);
	if (ret)
		fprintf(stderr, "dma-sync: %s\n", udrv_last_error());
	return ret;
}

int main(int argc, char **argv)
{
	static const struct { enum udrv_dma_dir dir; const char *name; } dirs[] = {
		{ UDRV_DMA_TO_DEVICE, "to_device" }, { UDRV_DMA_FROM_DEVICE, "from_device" },
		{ UDRV_DMA_BIDIRECTIONAL, "bidirectional" },
	};
	const char *board = argc > 1 ? argv[1] : "?";
	double bw[2][2];	/* [coherent, cached][read, write] */
	struct udrv_device *dev;
	struct udrv_dma_buf *b;
	struct udrv_kdev kd;
	size_t max = 4 * MiB;
	char *scratch;
	int ret = 1;

	if (strncmp(board, "virt", 4) || !strcmp(board, "virt-stock"))
		return 0;
	if (udrv_kdev_find(&edu_sel, &kd)) {
		fprintf(stderr, "dma-sync: %s\n", udrv_last_error());
		return 1;
	}
	/* Under swiotlb=force a cached pool is at most 256 KiB. */
	if (udrv_kdev_bind(&kd, true, max | UDRV_POOL_CACHED))
		max = 256 * 1024;
	scratch = malloc(2 * max);
	if (!scratch)
		return 1;
	memset(scratch, 1, 2 * max);
	for (int cached = 1; cached >= 0; cached--) {
		if (rebind(&kd, cached ? max | UDRV_POOL_CACHED : max, &dev))
			goto out;
		if (udrv_device_dma_pool_cached(dev) != cached ||
		    udrv_dma_alloc(dev, max, 4096, &b)) {
			fprintf(stderr, "dma-sync: a %s %zu-byte pool: %s\n",
				cached ? "cached" : "coherent", max, udrv_last_error());
			udrv_device_close(dev);
			goto out;
		}
		/* every page faulted in and warm before anything is timed */
		memset(udrv_dma_cpu(b), 0, max);
		memcpy(scratch, scratch + max, max);
		for (size_t len = 4096; len <= max; len *= 4) {
			double mc = time_memcpy(scratch, scratch + max, len);

			for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
				double fd = time_sync(udrv_dma_sync_for_device, b, len, dirs[d].dir);
				double fc = time_sync(udrv_dma_sync_for_cpu, b, len, dirs[d].dir);

				printf("{\"bench\": \"dma-sync\", \"pool\": \"%s\", \"len\": %zu, "
				       "\"dir\": \"%s\", \"for_device_us\": %.2f, \"for_cpu_us\": %.2f, "
				       "\"memcpy_us\": %.2f, \"for_device_over_memcpy\": %.2f, "
				       "\"for_cpu_over_memcpy\": %.2f}\n",
				       cached ? "cached" : "coherent", len, dirs[d].name, fd, fc, mc,
				       fd / mc, fc / mc);
			}
		}
		bandwidth(udrv_dma_cpu(b), max, &bw[cached][0], &bw[cached][1]);
		printf("{\"bench\": \"dma-cpu-bandwidth\", \"pool\": \"%s\", \"bytes\": %zu, "
		       "\"read_MBps\": %.0f, \"write_MBps\": %.0f}\n", cached ? "cached" : "coherent",
		       max, bw[cached][0], bw[cached][1]);
		udrv_dma_free(b);
		udrv_device_close(dev);
	}
	printf("{\"bench\": \"dma-cpu-bandwidth-ratio\", \"read_cached_over_coherent\": %.2f, "
	       "\"write_cached_over_coherent\": %.2f, \"note\": \"QEMU models no caches: "
	       "about 1 here; the ratio shows on SoCs without DMA coherency\"}\n",
	       bw[1][0] / bw[0][0], bw[1][1] / bw[0][1]);
	ret = 0;
out:
	free(scratch);
	/* edu as the other benchmarks and suites expect it */
	if (udrv_kdev_bind(&kd, true, EDU_POOL))
		ret = 1;
	return ret;
}
