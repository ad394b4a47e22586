/* SPDX-License-Identifier: MIT */
/* DMA buffers: allocation inside the pool, alignment, exhaustion, coalescing. */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"
#include "udrv_uio.h"

#define POOL 0x10000	/* timer's pool: map1 at bus 0x40000000 */
#define BUS 0x40000000u

static void test_alloc_basic(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *a = NULL, *b = NULL;
	uint8_t *pool = fake_mem(1, 1);

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_dma_pool_size(dev), POOL);
	assert_int_equal(udrv_dma_alloc(dev, 100, 0, &a), 0);
	assert_int_equal(udrv_dma_size(a), 100);
	assert_int_equal(udrv_dma_bus(a), BUS);
	memset(udrv_dma_cpu(a), 0x3e, 100);
	assert_int_equal(pool[0], 0x3e);
	assert_int_equal(pool[99], 0x3e);
	assert_int_equal(pool[100], 0);
	/* default alignment is 64 */
	assert_int_equal(udrv_dma_alloc(dev, 8, 0, &b), 0);
	assert_int_equal(udrv_dma_bus(b), BUS + 128);
	/* cpu pointer and bus address name the same bytes */
	memset(udrv_dma_cpu(b), 0x5c, 8);
	assert_int_equal(pool[udrv_dma_bus(b) - BUS + 7], 0x5c);
	udrv_dma_free(b);
	assert_int_equal(udrv_dma_alloc(dev, 1, 4096, &b), 0);
	assert_int_equal(udrv_dma_bus(b) % 4096, 0);
	assert_int_equal(udrv_dma_bus(b), BUS + 4096);
	pool[4096] = 0x77;
	assert_int_equal(*(volatile uint8_t *)udrv_dma_cpu(b), 0x77);
	udrv_dma_free(b);
	udrv_dma_free(a);
	udrv_dma_free(NULL);
	udrv_device_close(dev);
}

static void test_alloc_errors(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_dma_alloc(dev, 0, 0, &a), -EINVAL);
	assert_int_equal(udrv_dma_alloc(dev, 16, 3, &a), -EINVAL);
	assert_int_equal(udrv_dma_alloc(dev, 16, 0, NULL), -EINVAL);
	assert_int_equal(udrv_dma_alloc(dev, POOL + 1, 0, &a), -ENOMEM);
	assert_non_null(strstr(udrv_last_error(), "exhausted"));
	assert_int_equal(udrv_dma_alloc(dev, SIZE_MAX, 0, &a), -ENOMEM);
	assert_int_equal(udrv_dma_alloc(dev, 1, SIZE_MAX / 2 + 1, &a), -ENOMEM);
	assert_null(a);
	/* exactly the pool, then nothing is left */
	assert_int_equal(udrv_dma_alloc(dev, POOL, 0, &a), 0);
	assert_int_equal(udrv_dma_alloc(dev, 1, 1, &b), -ENOMEM);
	assert_null(b);
	udrv_dma_free(a);
	assert_int_equal(udrv_dma_alloc(dev, 1, 1, &b), 0);
	/* buffers still allocated are freed with the device (ASan checks) */
	udrv_device_close(dev);

	/* no pool */
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0);
	assert_int_equal(udrv_dma_alloc(dev, 16, 0, &a), -ENXIO);
	udrv_device_close(dev);
}

static void test_coalescing(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *q[4] = { 0 }, *all = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(udrv_dma_alloc(dev, POOL / 4, 0, &q[i]), 0);
	assert_int_equal(udrv_dma_alloc(dev, 1, 1, &all), -ENOMEM);
	/* free out of order: spans merge with the one before, then both sides */
	udrv_dma_free(q[2]);
	udrv_dma_free(q[0]);
	assert_int_equal(udrv_dma_alloc(dev, POOL / 2, 0, &all), -ENOMEM);
	udrv_dma_free(q[3]);			/* [2] + [3] */
	assert_int_equal(udrv_dma_alloc(dev, POOL / 2 + 1, 0, &all), -ENOMEM);
	assert_int_equal(udrv_dma_alloc(dev, POOL / 2, 0, &all), 0);
	assert_int_equal(udrv_dma_bus(all), BUS + POOL / 2);
	udrv_dma_free(all);
	udrv_dma_free(q[1]);			/* [0] + [1] + [2..3] */
	assert_int_equal(udrv_dma_alloc(dev, POOL, 0, &all), 0);
	udrv_dma_free(all);
	/* merging with the one after */
	for (int i = 0; i < 4; i++)
		assert_int_equal(udrv_dma_alloc(dev, POOL / 4, 0, &q[i]), 0);
	udrv_dma_free(q[3]);
	udrv_dma_free(q[2]);			/* [2] + [3] */
	assert_int_equal(udrv_dma_alloc(dev, POOL / 2, 0, &all), 0);
	assert_int_equal(udrv_dma_bus(all), BUS + POOL / 2);
	udrv_dma_free(all);
	udrv_dma_free(q[0]);
	udrv_dma_free(q[1]);
	assert_int_equal(udrv_dma_alloc(dev, POOL, 0, &all), 0);
	udrv_dma_free(all);
	udrv_device_close(dev);
}

static void test_many_cycles(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *live[32] = { 0 }, *all = NULL;
	unsigned int seed = 1;
	size_t used = 0;
	int allocs = 0, failures = 0;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);	/* 16 KiB pool */
	for (int round = 0; round < 20000; round++) {
		int i = rand_r(&seed) % 32;

		if (live[i]) {
			used -= udrv_dma_size(live[i]);
			udrv_dma_free(live[i]);
			live[i] = NULL;
		} else {
			size_t size = 1 + (size_t)(rand_r(&seed) % 600);
			size_t align = (size_t)1 << (rand_r(&seed) % 9);
			int ret = udrv_dma_alloc(dev, size, align, &live[i]);

			allocs++;
			if (ret == 0) {
				uint64_t bus = udrv_dma_bus(live[i]);

				assert_int_equal(bus % align, 0);
				assert_true(bus >= 0x80000000u && bus + size <= 0x80000000u + 0x4000);
				memset(udrv_dma_cpu(live[i]), i, size);
				used += size;
				assert_true(used <= 0x4000);	/* never more than the pool */
			} else {
				assert_int_equal(ret, -ENOMEM);
				failures++;
			}
		}
		/* no two live buffers overlap: each still holds its fill byte */
		if (round % 1000 == 0)
			for (int j = 0; j < 32; j++)
				if (live[j]) {
					uint8_t *p = udrv_dma_cpu(live[j]);

					for (size_t k = 0; k < udrv_dma_size(live[j]); k++)
						assert_int_equal(p[k], j);
				}
	}
	/* about 16 buffers of 300 bytes live in 16 KiB: nearly always room */
	assert_true(allocs > 5000);
	assert_true(failures * 100 <= allocs);
	for (int i = 0; i < 32; i++)
		udrv_dma_free(live[i]);
	assert_int_equal(udrv_dma_alloc(dev, 0x4000, 0, &all), 0);
	udrv_dma_free(all);
	udrv_device_close(dev);
}

static bool overlap(struct udrv_dma_buf *x, struct udrv_dma_buf *y)
{
	return udrv_dma_bus(x) < udrv_dma_bus(y) + udrv_dma_size(y) &&
	       udrv_dma_bus(y) < udrv_dma_bus(x) + udrv_dma_size(x);
}

/*
 * A double free (review L5) is refused and changes nothing: before, it put
 * the range back a second time, overlapping a free span, and two later
 * allocations got the same bus range (or glibc's tcache had overwritten the
 * freed descriptor and it crashed).
 */
static void test_double_free(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);	/* 16 KiB pool */
	assert_int_equal(udrv_dma_alloc(dev, 0x1000, 0, &a), 0);
	assert_int_equal(udrv_dma_alloc(dev, 0x1000, 0, &b), 0);
	assert_int_equal(udrv_dma_free(a), 0);
	assert_int_equal(udrv_dma_free(a), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "not a live buffer"));
	assert_int_equal(udrv_dma_free(NULL), 0);
	/* the pool is as it was: 0x3000 free around b, handed out once */
	assert_int_equal(udrv_dma_alloc(dev, 0x1000, 0, &c), 0);
	assert_int_equal(udrv_dma_alloc(dev, 0x1000, 0, &d), 0);
	assert_int_equal(udrv_dma_alloc(dev, 0x1000, 0, &e), 0);
	assert_false(overlap(b, c) || overlap(b, d) || overlap(b, e) || overlap(c, d) ||
		     overlap(c, e) || overlap(d, e));
	assert_int_equal(udrv_dma_alloc(dev, 1, 1, &a), -ENOMEM);
	/* b freed twice after the others came and went */
	assert_int_equal(udrv_dma_free(b), 0);
	assert_int_equal(udrv_dma_free(c), 0);
	assert_int_equal(udrv_dma_free(b), -EINVAL);
	assert_int_equal(udrv_dma_alloc(dev, 0x2000, 0, &a), 0);
	assert_int_equal(udrv_dma_alloc(dev, 1, 1, &c), -ENOMEM);
	udrv_device_close(dev);
}

/* Many descriptors: slots beyond the first slab, reused round-robin. */
static void test_many_buffers(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *b[200], *x = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);	/* 64 KiB pool */
	for (int i = 0; i < 200; i++)
		assert_int_equal(udrv_dma_alloc(dev, 64, 64, &b[i]), 0);
	for (int i = 0; i < 200; i += 2)
		assert_int_equal(udrv_dma_free(b[i]), 0);
	assert_int_equal(udrv_dma_alloc(dev, 64, 64, &x), 0);
	assert_int_equal(udrv_dma_free(b[0]), -EINVAL);	/* not handed out again yet */
	for (int i = 1; i < 200; i += 2)
		assert_int_equal(udrv_dma_free(b[i]), 0);
	assert_int_equal(udrv_dma_free(x), 0);
	assert_int_equal(udrv_dma_alloc(dev, 0x10000, 0, &x), 0);
	udrv_device_close(dev);	/* frees x */
}

/* Shared opens (review L6) have no allocator: two of them over one pool
 * would each hand out the same ranges. */
static void test_shared_open_no_allocator(void **state)
{
	struct udrv_device *dev = NULL, *dev2 = NULL;
	const struct udrv_open_opts shared = { .name = "timer", .shared = true };
	struct udrv_dma_buf *a = NULL;

	(void)state;

	assert_int_equal(udrv_device_open_with(&shared, &dev), 0);
	assert_int_equal(udrv_device_open_with(&shared, &dev2), 0);
	assert_int_equal(udrv_device_dma_pool_size(dev), POOL);
	assert_int_equal(udrv_dma_alloc(dev, 64, 0, &a), -EPERM);
	assert_non_null(strstr(udrv_last_error(), "shared"));
	assert_int_equal(udrv_dma_alloc(dev2, 64, 0, &a), -EPERM);
	assert_null(a);
	udrv_device_close(dev2);
	udrv_device_close(dev);
	/* an exclusive open has one */
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_dma_alloc(dev, 64, 0, &a), 0);
	udrv_device_close(dev);
}

/* Ranges and directions of the syncs: refused outside the buffer, with no
 * effect; on a coherent pool (no checking) a sync changes nothing. */
static void test_sync_checks(void **state)
{
	struct udrv_device *dev;
	struct udrv_dma_buf *b, *gone;
	unsigned char *p;

	(void)state;
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_dma_alloc(dev, 100, 0, &b), 0);
	assert_int_equal(udrv_dma_sync_for_device(b, 0, 100, UDRV_DMA_TO_DEVICE), 0);
	p = udrv_dma_cpu(b);
	p[99] = 7;	/* coherent, unchecked: still the CPU's memory */
	assert_int_equal(udrv_dma_sync_for_cpu(b, 0, 100, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(udrv_dma_sync_for_device(b, 99, 1, UDRV_DMA_FROM_DEVICE), 0);
	assert_int_equal(udrv_dma_sync_for_device(b, 99, 2, UDRV_DMA_FROM_DEVICE), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "outside"));
	assert_int_equal(udrv_dma_sync_for_device(b, 100, 1, UDRV_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(udrv_dma_sync_for_device(b, 0, 0, UDRV_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(udrv_dma_sync_for_cpu(b, SIZE_MAX, 2, UDRV_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(udrv_dma_sync_for_cpu(b, 0, 1, (enum udrv_dma_dir)0), -EINVAL);
	assert_int_equal(udrv_dma_sync_for_cpu(b, 0, 1, (enum udrv_dma_dir)4), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "direction"));
	gone = b;
	assert_int_equal(udrv_dma_free(b), 0);
	assert_int_equal(udrv_dma_sync_for_cpu(gone, 0, 1, UDRV_DMA_BIDIRECTIONAL), -EINVAL);
	udrv_device_close(dev);
}

#define EDU_SYNC "sys/devices/pci0000:00/0000:00:02.0/" UDRV_UIO_SYNC_ATTR

/* The struct the library last wrote to the fake sync attribute. */
static struct udrv_uio_sync last_sync(void)
{
	struct udrv_uio_sync s = { 0 };
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/" EDU_SYNC, getenv("UDRV_ROOT"));
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(&s, sizeof(s), 1, f), 1);
	fclose(f);
	return s;
}

/* A cached pool (udrv_uio.h: the stub's sync attribute in the device's
 * directory): each sync is one write of a struct udrv_uio_sync with the
 * range in pool offsets and the stub's codes; a refused one writes nothing. */
static void test_cached_pool_syncs(void **state)
{
	struct udrv_device *dev;
	struct udrv_dma_buf *a, *b;
	struct udrv_uio_sync s;

	(void)state;
	fake_write(EDU_SYNC, "");
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_true(udrv_device_dma_pool_cached(dev));
	assert_int_equal(udrv_dma_alloc(dev, 100, 0, &a), 0);
	assert_int_equal(udrv_dma_alloc(dev, 64, 4096, &b), 0);
	assert_int_equal(udrv_dma_sync_for_device(b, 8, 16, UDRV_DMA_FROM_DEVICE), 0);
	s = last_sync();
	assert_int_equal(s.offset, 4096 + 8);
	assert_int_equal(s.len, 16);
	assert_int_equal(s.op, UDRV_UIO_SYNC_FOR_DEVICE);
	assert_int_equal(s.dir, UDRV_UIO_DIR_FROM_DEVICE);
	assert_int_equal(udrv_dma_sync_for_cpu(a, 0, 100, UDRV_DMA_BIDIRECTIONAL), 0);
	s = last_sync();
	assert_int_equal(s.offset, 0);
	assert_int_equal(s.len, 100);
	assert_int_equal(s.op, UDRV_UIO_SYNC_FOR_CPU);
	assert_int_equal(s.dir, UDRV_UIO_DIR_BIDIRECTIONAL);
	assert_int_equal(udrv_dma_sync_for_cpu(a, 1, 100, UDRV_DMA_TO_DEVICE), -EINVAL);
	assert_int_equal(last_sync().len, 100);		/* nothing written */
	assert_int_equal(udrv_dma_sync_for_device(a, 99, 1, UDRV_DMA_TO_DEVICE), 0);
	s = last_sync();
	assert_int_equal(s.offset, 99);
	assert_int_equal(s.dir, UDRV_UIO_DIR_TO_DEVICE);
	udrv_device_close(dev);
	/* without the attribute the pool is coherent */
	fake_unlink(EDU_SYNC);
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_false(udrv_device_dma_pool_cached(dev));
	udrv_device_close(dev);
}

/* Does touching @p in a child end it with SIGSEGV? */
static bool access_faults(volatile unsigned char *p)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		signal(SIGSEGV, SIG_DFL);	/* not cmocka's handler */
		(void)*p;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* UDRV_DMA_CHECK=1: what the device owns faults on a CPU access, per page of
 * the buffer; what was handed back, and other buffers, do not. */
static void test_ownership_check(void **state)
{
	struct udrv_device *dev;
	struct udrv_dma_buf *a, *b;
	unsigned char *pa, *pb;
	long pg = sysconf(_SC_PAGESIZE);

	(void)state;
	setenv("UDRV_DMA_CHECK", "1", 1);
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	unsetenv("UDRV_DMA_CHECK");
	assert_int_equal(udrv_dma_alloc(dev, 100, 0, &a), 0);
	assert_int_equal(udrv_dma_alloc(dev, 2 * pg, 0, &b), 0);
	assert_int_equal(udrv_dma_bus(a) % pg, 0);	/* whole pages each */
	assert_int_equal(udrv_dma_bus(b) % pg, 0);
	assert_int_equal(udrv_dma_size(a), 100);
	pa = udrv_dma_cpu(a);
	pb = udrv_dma_cpu(b);
	memset(pa, 1, 100);
	assert_int_equal(udrv_dma_sync_for_device(a, 0, 100, UDRV_DMA_TO_DEVICE), 0);
	assert_true(access_faults(pa));
	assert_true(access_faults(pa + 99));
	assert_false(access_faults(pb));		/* another buffer */
	/* the second page of b only */
	assert_int_equal(udrv_dma_sync_for_device(b, pg + 8, 8, UDRV_DMA_FROM_DEVICE), 0);
	assert_false(access_faults(pb + pg - 1));
	assert_true(access_faults(pb + pg));
	assert_int_equal(udrv_dma_sync_for_cpu(b, pg + 8, 8, UDRV_DMA_FROM_DEVICE), 0);
	assert_false(access_faults(pb + pg));
	assert_int_equal(udrv_dma_sync_for_cpu(a, 0, 100, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(pa[50], 1);			/* the CPU's again */
	/* freed while the device had it: the range is whole again for the next */
	assert_int_equal(udrv_dma_sync_for_device(a, 0, 1, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(udrv_dma_free(a), 0);
	assert_int_equal(udrv_dma_alloc(dev, 100, 0, &a), 0);
	memset(udrv_dma_cpu(a), 2, 100);
	assert_int_equal(udrv_dma_free(a), 0);
	assert_int_equal(udrv_dma_free(b), 0);
	udrv_device_close(dev);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_basic),
		T(test_sync_checks),
		T(test_ownership_check),
		T(test_cached_pool_syncs),
		T(test_alloc_errors),
		T(test_coalescing),
		T(test_many_cycles),
		T(test_double_free),
		T(test_many_buffers),
		T(test_shared_open_no_allocator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
