/* SPDX-License-Identifier: MIT */
/*
 * blk_bench.h - the read benchmark loop of the userspace virtio-blk driver,
 * shared by `udrv-blk bench` and bench/virtio_blk.c.
 */
#ifndef UDRV_BLK_BENCH_H
#define UDRV_BLK_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_blk.h"

/** struct udrv_blk_bench - what to run: reads of @io_bytes, @qd in flight, for @seconds. */
struct udrv_blk_bench {
	bool random;		/* random aligned offsets, else sequential (wrapping) */
	uint32_t io_bytes;	/* a multiple of the block size */
	unsigned int qd;	/* 1 .. queue depth */
	double seconds;
};

/** struct udrv_blk_bench_result - what came out. */
struct udrv_blk_bench_result {
	uint64_t ios;
	double seconds, iops, mib_s;
	uint64_t irqs;		/* interrupts taken during the run */
};

/**
 * udrv_blk_bench_run() - run @b on @blk (its completion mode as set), allocating
 * @b->qd buffers of @b->io_bytes in its DMA pool for the run.
 * Returns 0, -EINVAL a bad @b, -ENOMEM no room in the pool, or the first
 * error of udrv_virtio_blk_submit()/udrv_virtio_blk_reap() or of a failed read.
 */
int udrv_blk_bench_run(struct udrv_virtio_blk *blk, const struct udrv_blk_bench *b, struct udrv_blk_bench_result *r);


#endif /* UDRV_BLK_BENCH_H */
