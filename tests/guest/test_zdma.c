// SPDX-License-Identifier: MIT
/*
 * drivers/zdma on zcu102: the first FPD DMA channel (Debian's DTB,
 * /axi/dma-controller@fd500000) with the stub's DMA pool, coherent or cached
 * (the zcu102 board bounces streaming DMA: a missing sync is wrong data).
 * Copies of 1 B, 4 KiB and 1 MiB, a copy ending at the pool's last byte,
 * copies queued back to back, an error interrupt reported, and copies
 * outside the pool refused before they reach the hardware. The _buf calls
 * sync the buffers themselves; around udrv_zdma_copy() (bus addresses) the
 * test does. Every case also passes with UDRV_DMA_CHECK=1 (buffers of whole
 * pages).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "zdma.h"
#include "zdma_regs.h"
#include "pool_mode.h"

#define MS 1000000ull

static void fill(struct udrv_dma_buf *src, struct udrv_dma_buf *dst)
{
	uint8_t *s = udrv_dma_cpu(src), *d = udrv_dma_cpu(dst);

	for (size_t i = 0; i < udrv_dma_size(src); i++)
		s[i] = (uint8_t)rand();
	for (size_t i = 0; i < udrv_dma_size(dst); i++)
		d[i] = (uint8_t)~(i < udrv_dma_size(src) ? s[i] : 0);
}

/* 1 MiB as the largest unless the pool is smaller (a cached pool under
 * swiotlb=force is at most 256 KiB): then the largest power of 2 that fits
 * twice. */
static void test_copy_sizes(void **state)
{
	size_t sizes[] = { 1, 4096, 1 << 20 }, pool;
	struct udrv_dma_buf *src, *dst;
	struct udrv_zdma *z = NULL;

	(void)state;
	assert_int_equal(udrv_zdma_open(NULL, &z), 0);
	udrv_zdma_pool(z, NULL, &pool);
	while (2 * (sizes[2] + 4096) > pool)
		sizes[2] /= 2;
	assert_true(sizes[2] >= 4096);
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), sizes[2] + 64, 0, &src), 0);
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), sizes[2] + 64, 0, &dst), 0);
	for (unsigned int i = 0; i < 3; i++) {
		size_t len = sizes[i];
		uint8_t *d = udrv_dma_cpu(dst);

		fill(src, dst);
		assert_int_equal(udrv_zdma_copy_buf(z, dst, 0, src, 0, len, 5000 * MS), 0);
		assert_memory_equal(udrv_dma_cpu(src), d, len);
		/* not a byte more */
		assert_int_equal(d[len], (uint8_t)~((uint8_t *)udrv_dma_cpu(src))[len]);
	}
	assert_int_equal(udrv_zdma_pending(z), 0);
	udrv_zdma_close(z);
}

/* src at the pool's start, the copy into the pool's last @n bytes: three
 * buffers of whole pages fill the pool (so also when checking ownership,
 * where every buffer takes whole pages). */
static void test_pool_last_byte(void **state)
{
	struct udrv_dma_buf *src, *filler, *dst;
	const size_t n = 1000, pg = (size_t)sysconf(_SC_PAGESIZE), at = pg - n;
	struct udrv_zdma *z = NULL;
	uint64_t pool;
	size_t size;

	(void)state;
	assert_int_equal(udrv_zdma_open(NULL, &z), 0);
	udrv_zdma_pool(z, &pool, &size);
	assert_int_equal(size, udrv_device_dma_pool_size(udrv_zdma_device(z)));
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), pg, 8, &src), 0);
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), size - 2 * pg, 8, &filler), 0);
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), pg, 8, &dst), 0);
	assert_int_equal(udrv_dma_bus(src), pool);
	assert_int_equal(udrv_dma_bus(dst) + at + n, pool + size);
	fill(src, dst);
	assert_int_equal(udrv_zdma_submit_buf(z, dst, at, src, 0, n, dst), 0);
	struct udrv_zdma_done done;

	assert_int_equal(udrv_zdma_wait(z, 5000 * MS, &done), 1);
	assert_ptr_equal(done.cookie, dst);
	assert_int_equal(done.status, 0);
	assert_int_equal(done.len, n);
	assert_memory_equal(udrv_dma_cpu(src), (uint8_t *)udrv_dma_cpu(dst) + at, n);
	/* not a byte before it */
	assert_int_equal(((uint8_t *)udrv_dma_cpu(dst))[at - 1],
			 (uint8_t)~((uint8_t *)udrv_dma_cpu(src))[at - 1]);
	/* one byte more would run past the pool */
	assert_int_equal(udrv_zdma_submit(z, udrv_dma_bus(dst) + at, udrv_dma_bus(src), n + 1, NULL),
			 -EFAULT);
	assert_int_equal(udrv_zdma_submit_buf(z, dst, at + 1, src, 0, n, NULL), -EINVAL);
	udrv_zdma_close(z);
}

static void test_outside_pool_refused(void **state)
{
	struct udrv_region *regs;
	struct udrv_dma_buf *src;
	struct udrv_zdma *z = NULL;
	volatile void *r;
	uint64_t pool, bad[3];
	uint32_t total, dst_lo;
	size_t size;

	(void)state;
	assert_int_equal(udrv_zdma_open(NULL, &z), 0);
	udrv_zdma_pool(z, &pool, &size);
	assert_int_equal(udrv_device_region(udrv_zdma_device(z), 0, ZDMA_REGS_SIZE, &regs), 0);
	r = udrv_region_base(regs);
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), 4096, 0, &src), 0);
	bad[0] = pool + size;		/* the first byte after the pool */
	bad[1] = pool - 4096;		/* the page before it */
	bad[2] = 0x0;			/* DRAM's first page, not ours */
	total = udrv_read32(r, ZDMA_CH_TOTAL_BYTE);
	dst_lo = udrv_read32(r, ZDMA_CH_DST_DSCR_WORD0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(udrv_zdma_submit(z, bad[i], udrv_dma_bus(src), 4096, NULL), -EFAULT);
		assert_int_equal(udrv_zdma_submit(z, udrv_dma_bus(src), bad[i], 4096, NULL), -EFAULT);
		assert_int_equal(udrv_zdma_copy(z, bad[i], udrv_dma_bus(src), 16, 100 * MS), -EFAULT);
	}
	assert_int_equal(udrv_zdma_submit(z, udrv_dma_bus(src), udrv_dma_bus(src), 0, NULL), -EINVAL);
	/* nothing reached the channel: no descriptor, no bytes, no interrupt */
	assert_int_equal(udrv_zdma_pending(z), 0);
	assert_int_equal(udrv_read32(r, ZDMA_CH_DST_DSCR_WORD0), dst_lo);
	assert_int_equal(udrv_read32(r, ZDMA_CH_TOTAL_BYTE), total);
	assert_int_equal(udrv_zdma_wait(z, 50 * MS, NULL), 0);
	udrv_zdma_close(z);
}

static void test_queue_back_to_back(void **state)
{
	enum { N = 16, LEN = 4096 };
	struct udrv_dma_buf *src[N], *dst[N];
	struct udrv_zdma *z = NULL;

	(void)state;
	assert_int_equal(udrv_zdma_open(NULL, &z), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), LEN, 0, &src[i]), 0);
		assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), LEN, 0, &dst[i]), 0);
		fill(src[i], dst[i]);
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(udrv_zdma_submit_buf(z, dst[i], 0, src[i], 0, LEN, &src[i]), 0);
	assert_true(udrv_zdma_pending(z) >= 1);
	for (int i = 0; i < N; i++) {
		struct udrv_zdma_done done;

		assert_int_equal(udrv_zdma_wait(z, 5000 * MS, &done), 1);
		assert_ptr_equal(done.cookie, &src[i]);	/* in order */
		assert_int_equal(done.status, 0);
		assert_memory_equal(udrv_dma_cpu(src[i]), udrv_dma_cpu(dst[i]), LEN);
	}
	assert_int_equal(udrv_zdma_pending(z), 0);
	assert_int_equal(udrv_zdma_wait(z, 30 * MS, NULL), 0);
	/* the queue has a bound */
	for (int i = 0; i < ZDMA_QUEUE_MAX; i++)
		assert_int_equal(udrv_zdma_submit_buf(z, dst[0], 0, src[0], 0, 64, NULL), 0);
	assert_int_equal(udrv_zdma_submit_buf(z, dst[0], 0, src[0], 0, 64, NULL), -EBUSY);
	for (int i = 0; i < ZDMA_QUEUE_MAX; i++)
		assert_int_equal(udrv_zdma_wait(z, 5000 * MS, NULL), 1);
	udrv_zdma_close(z);
}

/* A register access the channel does not decode raises INV_APB, an error
 * interrupt; the driver reports it, and copies go on afterwards. */
static void test_error_interrupt_reported(void **state)
{
	struct udrv_dma_buf *src, *dst;
	struct udrv_region *regs;
	struct udrv_zdma_done done;
	struct udrv_zdma *z = NULL;

	(void)state;
	assert_int_equal(udrv_zdma_open(NULL, &z), 0);
	assert_int_equal(udrv_device_region(udrv_zdma_device(z), 0, ZDMA_REGS_SIZE, &regs), 0);
	(void)udrv_read32(udrv_region_base(regs), 0x004);	/* no register there */
	assert_int_equal(udrv_zdma_wait(z, 2000 * MS, &done), -EIO);
	assert_true(done.errors & ZDMA_INT_INV_APB);
	assert_null(done.cookie);
	assert_int_equal(udrv_zdma_wait(z, 30 * MS, NULL), 0);

	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), 256, 0, &src), 0);
	assert_int_equal(udrv_dma_alloc(udrv_zdma_device(z), 256, 0, &dst), 0);
	fill(src, dst);
	/* by bus address: the caller hands the buffers over and takes them back */
	assert_int_equal(udrv_dma_sync_for_device(src, 0, 256, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(udrv_dma_sync_for_device(dst, 0, 256, UDRV_DMA_FROM_DEVICE), 0);
	assert_int_equal(udrv_zdma_copy(z, udrv_dma_bus(dst), udrv_dma_bus(src), 256, 5000 * MS), 0);
	assert_int_equal(udrv_dma_sync_for_cpu(dst, 0, 256, UDRV_DMA_FROM_DEVICE), 0);
	assert_int_equal(udrv_dma_sync_for_cpu(src, 0, 256, UDRV_DMA_TO_DEVICE), 0);
	assert_memory_equal(udrv_dma_cpu(src), udrv_dma_cpu(dst), 256);
	udrv_zdma_close(z);
}

/* UDRV_POOL=cached (guest_zdma@cached): the channel's pool cached, 256 KiB,
 * the most swiotlb=force (zcu102's command line) maps at once. */
static int group_setup(void **state)
{
	static const struct udrv_open_opts zdma0 = { .name = "zdma0" };

	(void)state;
	return pool_mode_setup(&zdma0, 0x40000);
}

static int group_teardown(void **state)
{
	(void)state;
	return pool_mode_restore();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_sizes),
		cmocka_unit_test(test_pool_last_byte),
		cmocka_unit_test(test_outside_pool_refused),
		cmocka_unit_test(test_queue_back_to_back),
		cmocka_unit_test(test_error_interrupt_reported),
	};

	srand(1);
	return cmocka_run_group_tests_name("zdma", tests, group_setup, group_teardown);
}
