// SPDX-License-Identifier: MIT
/*
 * test_dma_sync - cached DMA pools (issue 21) on the virt-bounce board, whose
 * kernel bounces every streaming mapping (swiotlb=force): edu's DMA engine
 * reads and writes a bounce copy of the pool, and only the syncs move data
 * between it and the pages the CPU maps. So a missing sync is wrong data
 * here, as it is on a SoC without DMA coherency, which QEMU does not model.
 * Shown: the syncs move exactly their range, each missing one shows as
 * stale data, the stub refuses malformed syncs, the ownership checker
 * (UDRV_DMA_CHECK=1) stops a CPU access to a device-owned buffer, pools too
 * big to bounce or for CMA are refused with a reason, and unbinding under an open
 * device leaves its syncs failing with -ENODEV. edu is put back with its
 * coherent pool at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "edu_regs.h"
#include "kuio_common.h"
#include "udrv.h"
#include "udrv_uio.h"

#define POOL	65536u
#define LEN	1024u		/* < EDU_DMA_BUF_SIZE - 1: QEMU 7.2's edu_check_range() */

static struct udrv_kdev kd;
static const struct udrv_open_opts edu_sel = { .pci_vendor = EDU_VENDOR_ID,
					       .pci_device = EDU_DEVICE_ID };

struct edu {
	struct udrv_device *dev;
	volatile void *r;
	struct udrv_dma_buf *src, *dst;
};

static void edu_open(struct edu *e)
{
	struct udrv_region *bar0;

	assert_int_equal(udrv_device_open_with(&edu_sel, &e->dev), 0);
	assert_true(udrv_device_dma_pool_cached(e->dev));
	assert_int_equal(udrv_device_region(e->dev, EDU_BAR, 0x100, &bar0), 0);
	e->r = udrv_region_base(bar0);
	assert_int_equal(udrv_dma_alloc(e->dev, LEN, 0, &e->src), 0);
	assert_int_equal(udrv_dma_alloc(e->dev, LEN, 0, &e->dst), 0);
}

static void edu_close(struct edu *e)
{
	udrv_device_close(e->dev);
}

/* One DMA of LEN bytes between @bus and edu's buffer; 0 or -ETIMEDOUT. */
static int edu_dma(struct edu *e, uint64_t bus, bool to_ram)
{
	uint64_t src = to_ram ? EDU_DMA_BUF_ADDR : bus, dst = to_ram ? bus : EDU_DMA_BUF_ADDR;

	udrv_write64(e->r, EDU_REG_DMA_SRC, src);
	udrv_write64(e->r, EDU_REG_DMA_DST, dst);
	udrv_write64(e->r, EDU_REG_DMA_COUNT, LEN);
	udrv_write32(e->r, EDU_REG_DMA_CMD,
		     EDU_DMA_CMD_START | (to_ram ? EDU_DMA_CMD_FROM_EDU : 0));
	for (int i = 0; i < 300; i++) {		/* edu takes 100 ms per DMA */
		if (!(udrv_read32(e->r, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static void fill(struct udrv_dma_buf *b, uint8_t seed)
{
	uint8_t *p = udrv_dma_cpu(b);

	for (unsigned int i = 0; i < LEN; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Does [off, off + len) of @b hold fill(@seed)'s bytes? */
static bool holds(const struct udrv_dma_buf *b, uint8_t seed, unsigned int off, unsigned int len)
{
	const uint8_t *p = udrv_dma_cpu(b);

	for (unsigned int i = off; i < off + len; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

/* src -> edu -> dst with every sync in place; dst then holds @seed. */
static void roundtrip(struct edu *e, uint8_t seed)
{
	fill(e->src, seed);
	assert_int_equal(udrv_dma_sync_for_device(e->src, 0, LEN, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(edu_dma(e, udrv_dma_bus(e->src), false), 0);
	assert_int_equal(udrv_dma_sync_for_cpu(e->src, 0, LEN, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(udrv_dma_sync_for_device(e->dst, 0, LEN, UDRV_DMA_FROM_DEVICE), 0);
	assert_int_equal(edu_dma(e, udrv_dma_bus(e->dst), true), 0);
	assert_int_equal(udrv_dma_sync_for_cpu(e->dst, 0, LEN, UDRV_DMA_FROM_DEVICE), 0);
	assert_true(holds(e->dst, seed, 0, LEN));
}

static int setup(void **state)
{
	(void)state;
	/* The mode this board is for: without bouncing nothing here could fail. */
	if (sh("grep -qw swiotlb=force /proc/cmdline")) {
		fprintf(stderr, "not booted with swiotlb=force: this suite is for virt-bounce\n");
		return -1;
	}
	if (udrv_kdev_find(&edu_sel, &kd) ||
	    udrv_kdev_bind(&kd, true, POOL | UDRV_POOL_CACHED)) {
		fprintf(stderr, "binding edu with a cached pool: %s\n", udrv_last_error());
		return -1;
	}
	return 0;
}

/* edu back as the other suites expect it: the stub's, a coherent pool. */
static int teardown(void **state)
{
	(void)state;
	if (udrv_kdev_bind(&kd, true, POOL)) {
		fprintf(stderr, "rebinding edu: %s\n", udrv_last_error());
		return -1;
	}
	return sh("echo -%s >/sys/bus/pci/drivers/udrv_uio/pool", kd.name) ? -1 : 0;
}

static void test_cached_binding(void **state)
{
	char path[4200];
	struct stat st;

	(void)state;
	assert_true(kd.pool_cached);
	assert_int_equal(kd.pool_size, POOL);
	assert_int_equal(sh("cat /sys/bus/pci/drivers/udrv_uio/pool"), 0);
	assert_non_null(strstr(sh_out, " 65536 cached"));
	assert_int_equal(sh("udrv info --json %s", kd.name), 0);
	assert_non_null(strstr(sh_out, "\"dma_pool_cached\": true"));
	snprintf(path, sizeof(path), "%s/" UDRV_UIO_SYNC_ATTR, kd.sysfs_path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Already so: nothing to do; the other mode is another binding. */
	assert_int_equal(sh("udrv bind --pool 65536 --cached %s", kd.name), 0);
	assert_non_null(strstr(sh_out, "already bound"));
	assert_int_equal(sh("udrv bind --cached %s", kd.name), 2);
	assert_non_null(strstr(sh_out, "--pool SIZE"));
}

static void test_synced_roundtrip(void **state)
{
	struct edu e;

	(void)state;
	edu_open(&e);
	roundtrip(&e, 0x11);
	roundtrip(&e, 0x5a);
	edu_close(&e);
}

/* dts/virt-bounce.dtso's udrv,dma-pool-cached: the virtio pools are cached
 * from boot (the disk's at the 256 KiB swiotlb maps at most). */
static void test_dt_cached_pools(void **state)
{
	static const struct { const char *path; uint64_t size; } dt[] = {
		{ "/virtio_mmio@a003e00", 0x40000 }, { "/virtio_mmio@a003a00", 0x10000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(dt) / sizeof(dt[0]); i++) {
		struct udrv_open_opts sel = { .dt_path = dt[i].path };
		struct udrv_kdev k;

		assert_int_equal(udrv_kdev_find(&sel, &k), 0);
		assert_string_equal(k.driver, "udrv_uio");
		assert_int_equal(k.pool_size, dt[i].size);
		assert_true(k.pool_cached);
	}
}

/* The CPU's new bytes never reach the device without sync_for_device. */
static void test_missing_sync_for_device_is_stale(void **state)
{
	struct edu e;

	(void)state;
	edu_open(&e);
	roundtrip(&e, 0x21);		/* the device's copy of src holds 0x21 */
	fill(e.src, 0x77);		/* ... and no sync */
	assert_int_equal(edu_dma(&e, udrv_dma_bus(e.src), false), 0);
	assert_int_equal(udrv_dma_sync_for_device(e.dst, 0, LEN, UDRV_DMA_FROM_DEVICE), 0);
	assert_int_equal(edu_dma(&e, udrv_dma_bus(e.dst), true), 0);
	assert_int_equal(udrv_dma_sync_for_cpu(e.dst, 0, LEN, UDRV_DMA_FROM_DEVICE), 0);
	assert_true(holds(e.dst, 0x21, 0, LEN));	/* stale: what the last sync sent */
	assert_false(holds(e.dst, 0x77, 0, LEN));
	edu_close(&e);
}

/* The device's bytes never reach the CPU without sync_for_cpu, and a
 * partial sync moves exactly its range. */
static void test_missing_sync_for_cpu_is_stale(void **state)
{
	struct edu e;

	(void)state;
	edu_open(&e);
	roundtrip(&e, 0x31);		/* dst holds 0x31 on both sides */
	fill(e.src, 0x42);
	assert_int_equal(udrv_dma_sync_for_device(e.src, 0, LEN, UDRV_DMA_TO_DEVICE), 0);
	assert_int_equal(edu_dma(&e, udrv_dma_bus(e.src), false), 0);
	assert_int_equal(udrv_dma_sync_for_device(e.dst, 0, LEN, UDRV_DMA_FROM_DEVICE), 0);
	assert_int_equal(edu_dma(&e, udrv_dma_bus(e.dst), true), 0);
	assert_true(holds(e.dst, 0x31, 0, LEN));	/* no sync yet: the old bytes */
	assert_int_equal(udrv_dma_sync_for_cpu(e.dst, 256, 128, UDRV_DMA_FROM_DEVICE), 0);
	assert_true(holds(e.dst, 0x31, 0, 256));
	assert_true(holds(e.dst, 0x42, 256, 128));	/* that range only */
	assert_true(holds(e.dst, 0x31, 384, LEN - 384));
	assert_int_equal(udrv_dma_sync_for_cpu(e.dst, 0, LEN, UDRV_DMA_FROM_DEVICE), 0);
	assert_true(holds(e.dst, 0x42, 0, LEN));
	edu_close(&e);
}

/* The stub's own checks, past the library's (udrv_uio.h). */
static void test_stub_refuses_bad_syncs(void **state)
{
	struct udrv_uio_sync ok = { .offset = 0, .len = 4096, .op = UDRV_UIO_SYNC_FOR_CPU,
				    .dir = UDRV_UIO_DIR_FROM_DEVICE };
	struct udrv_uio_sync bad[] = {
		{ .offset = 0, .len = 0, .op = 0, .dir = 0 },			/* empty */
		{ .offset = POOL, .len = 1, .op = 0, .dir = 0 },		/* past the end */
		{ .offset = POOL - 4096, .len = 8192, .op = 0, .dir = 0 },	/* straddles it */
		{ .offset = 4096, .len = UINT64_MAX, .op = 0, .dir = 0 },	/* wraps */
		{ .offset = 0, .len = 64, .op = 2, .dir = 0 },			/* no such op */
		{ .offset = 0, .len = 64, .op = 0, .dir = 3 },			/* DMA_NONE */
	};
	char path[4200];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/" UDRV_UIO_SYNC_ATTR, kd.sysfs_path);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &ok, sizeof(ok), 0), sizeof(ok));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(pwrite(fd, &bad[i], sizeof(bad[i]), 0), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(pwrite(fd, &ok, sizeof(ok) - 1, 0), -1);	/* short */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pwrite(fd, &ok, sizeof(ok), 8), -1);		/* not at 0 */
	assert_int_equal(errno, EINVAL);
	close(fd);
}

/* UDRV_DMA_CHECK=1: reading a buffer the device owns is a SIGSEGV at once;
 * after sync_for_cpu it reads. In children, as a driver would die. */
static void test_checker_stops_cpu_access(void **state)
{
	for (int touch_owned = 0; touch_owned < 2; touch_owned++) {
		int st;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			struct udrv_device *dev;
			struct udrv_dma_buf *b;
			volatile uint8_t *p;

			signal(SIGSEGV, SIG_DFL);	/* not cmocka's handler: die */
			setenv("UDRV_DMA_CHECK", "1", 1);
			if (udrv_device_open_with(&edu_sel, &dev) ||
			    udrv_dma_alloc(dev, LEN, 0, &b) ||
			    udrv_dma_sync_for_device(b, 0, LEN, UDRV_DMA_FROM_DEVICE))
				_exit(3);
			p = udrv_dma_cpu(b);
			if (touch_owned)
				(void)p[LEN / 2];	/* the device's: SIGSEGV */
			if (udrv_dma_sync_for_cpu(b, 0, LEN, UDRV_DMA_FROM_DEVICE))
				_exit(4);
			(void)p[LEN / 2];
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (touch_owned)
			assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
		else
			assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	(void)state;
}

/* swiotlb bounces at most 256 KiB in one mapping: a bigger cached pool is
 * refused at bind with the reason in the kernel log, and the device can be
 * bound again. */
static void test_pool_too_big_to_bounce(void **state)
{
	(void)state;
	assert_int_equal(sh("dmesg -c >/dev/null; udrv bind --force --pool 0x100000 --cached %s",
			    kd.name), 1);
	assert_non_null(strstr(sh_out, "did not take"));
	assert_int_equal(sh("dmesg | grep 'cached DMA pool is at most'"), 0);
	assert_non_null(strstr(sh_out, "bounce buffers"));
	assert_int_equal(udrv_kdev_bind(&kd, true, POOL | UDRV_POOL_CACHED), 0);
	assert_true(kd.pool_cached);
}

/* A coherent pool bigger than the contiguous memory there is: the stub's
 * log line and udrv bind's both say how much there is and how to get more
 * (and the page allocator, asked for more than it ever gives, stays quiet). */
static void test_pool_beyond_cma(void **state)
{
	(void)state;
	assert_int_equal(sh("dmesg -c >/dev/null; udrv bind --force --pool 0x10000000 %s",
			    kd.name), 1);
	assert_non_null(strstr(sh_out, "KiB free (more: boot with cma=SIZE"));
	assert_int_equal(sh("dmesg | grep 'cannot allocate a 268435456 byte DMA pool'"), 0);
	assert_non_null(strstr(sh_out, "KiB of CMA free): boot with a larger cma="));
	assert_non_null(strstr(sh_out, "memory-region"));
	assert_int_equal(udrv_kdev_bind(&kd, true, POOL | UDRV_POOL_CACHED), 0);
}

/* Unbound under an open device: the attribute goes before the pool, the
 * syncs then fail with -ENODEV; closing is clean. */
static void test_unbind_under_open_device(void **state)
{
	struct edu e;

	(void)state;
	edu_open(&e);
	roundtrip(&e, 0x66);
	assert_int_equal(udrv_kdev_unbind(&kd), 0);
	assert_int_equal(udrv_dma_sync_for_device(e.src, 0, LEN, UDRV_DMA_TO_DEVICE), -ENODEV);
	assert_int_equal(udrv_dma_sync_for_cpu(e.dst, 0, LEN, UDRV_DMA_FROM_DEVICE), -ENODEV);
	edu_close(&e);
	assert_int_equal(udrv_kdev_bind(&kd, true, POOL | UDRV_POOL_CACHED), 0);
}

/* As a member of the device's group, the way examples/udev's rule sets it
 * up (no udev in this guest: applied by hand): 0 opened, synced and read
 * back, 1 the open was refused (the reason on stderr), else a failure. */
static int as_member(gid_t gid)
{
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct edu e;
		int r;

		if (setgroups(1, &gid) || setgid(gid) || setuid(1000))
			_exit(5);
		r = udrv_device_open_with(&edu_sel, &e.dev);
		if (r) {
			fprintf(stderr, "as uid 1000: %s\n", udrv_last_error());
			_exit(r == -EACCES && strstr(udrv_last_error(), "udev rule") ? 1 : 6);
		}
		_exit(udrv_dma_alloc(e.dev, 64, 0, &e.src) ||
		      udrv_dma_sync_for_device(e.src, 0, 64, UDRV_DMA_TO_DEVICE) ? 7 : 0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_non_root_needs_the_rule(void **state)
{
	const gid_t gid = 4242;
	char node[32], attr[4200];

	(void)state;
	assert_true(kd.uio >= 0);
	snprintf(node, sizeof(node), "/dev/uio%d", kd.uio);
	snprintf(attr, sizeof(attr), "%s/" UDRV_UIO_SYNC_ATTR, kd.sysfs_path);
	assert_int_equal(chown(node, 0, gid), 0);	/* the rule's first line */
	assert_int_equal(chmod(node, 0660), 0);
	assert_int_equal(as_member(gid), 1);		/* the attribute is root's */
	assert_int_equal(chown(attr, 0, gid), 0);	/* its second line */
	assert_int_equal(chmod(attr, 0660), 0);
	assert_int_equal(as_member(gid), 0);
	assert_int_equal(chown(node, 0, 0), 0);
	assert_int_equal(chmod(node, 0600), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_binding),
		cmocka_unit_test(test_dt_cached_pools),
		cmocka_unit_test(test_synced_roundtrip),
		cmocka_unit_test(test_missing_sync_for_device_is_stale),
		cmocka_unit_test(test_missing_sync_for_cpu_is_stale),
		cmocka_unit_test(test_stub_refuses_bad_syncs),
		cmocka_unit_test(test_checker_stops_cpu_access),
		cmocka_unit_test(test_non_root_needs_the_rule),
		cmocka_unit_test(test_pool_too_big_to_bounce),
		cmocka_unit_test(test_pool_beyond_cma),
		cmocka_unit_test(test_unbind_under_open_device),
	};

	return cmocka_run_group_tests_name("dma_sync", tests, setup, teardown);
}
