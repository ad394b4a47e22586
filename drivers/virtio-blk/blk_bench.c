// SPDX-License-Identifier: MIT
/*
 * blk_bench.c - keep @qd reads in flight for a while, count them.
 */
#include <errno.h>
#include <time.h>

#include "blk_bench.h"

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int udrv_blk_bench_run(struct udrv_virtio_blk *blk, const struct udrv_blk_bench *b, struct udrv_blk_bench_result *r)
{
	uint32_t bs = udrv_virtio_blk_block_size(blk), count = b->io_bytes / bs;
	uint64_t slots = udrv_virtio_blk_capacity(blk) / (count ? count : 1), next = 0, seed = 88172645463325252ull;
	struct udrv_virtio_blk_done done[64];
	struct udrv_dma_buf *buf;
	uint64_t irqs0 = udrv_virtio_dev_irq_count(udrv_virtio_blk_virtio(blk));
	double t0, end;
	int ret = 0, n;

	if (!count || b->io_bytes % bs || !slots || !b->qd || b->qd > udrv_virtio_blk_queue_depth(blk) ||
	    b->qd > 64 || b->seconds <= 0)
		return -EINVAL;
	if ((ret = udrv_virtio_blk_dma_alloc(blk, (size_t)b->qd * b->io_bytes, &buf)))
		return ret;
	r->ios = 0;
	t0 = (udrv_now_ns() / 1e9);
	end = t0 + b->seconds;
	for (unsigned int i = 0; i < b->qd && !ret; i++) {
		uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

		ret = udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, s * count, count, buf,
					(size_t)i * b->io_bytes, (void *)(uintptr_t)(i + 1));
	}
	while (!ret && udrv_virtio_blk_inflight(blk)) {
		n = udrv_virtio_blk_reap(blk, done, 64);
		if (n < 0) {
			ret = n;
			break;
		}
		bool more = (udrv_now_ns() / 1e9) < end;

		for (int i = 0; i < n && !ret; i++) {
			uintptr_t k = (uintptr_t)done[i].tag - 1;
			uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

			if ((ret = done[i].status))
				break;
			r->ios++;
			if (more)
				ret = udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, s * count, count, buf,
							(size_t)k * b->io_bytes, done[i].tag);
		}
	}
	r->seconds = (udrv_now_ns() / 1e9) - t0;
	r->iops = (double)r->ios / r->seconds;
	r->mib_s = r->iops * b->io_bytes / (1024.0 * 1024.0);
	r->irqs = udrv_virtio_dev_irq_count(udrv_virtio_blk_virtio(blk)) - irqs0;
	/* On an error, drain what is left before the buffer goes back. */
	while (udrv_virtio_blk_inflight(blk) && udrv_virtio_blk_reap(blk, done, 64) > 0)
		;
	udrv_dma_free(buf);
	return ret;
}
