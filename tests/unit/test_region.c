/* SPDX-License-Identifier: MIT */
/* Regions: mapping, lookup, malformed sysfs maps, accessors, polling. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "udrv.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_lookup(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL, *r2 = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	/* map1 is the DMA pool, not a region */
	assert_int_equal(udrv_device_num_regions(dev), 1);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 0);
	assert_string_equal(udrv_region_name(r), "regs");
	assert_int_equal(udrv_region_size(r), 0x100);
	assert_int_equal(udrv_region_phys(r), 0xff110000);
	/* the base is the test's map0 (another mapping of the same memory) */
	*(volatile uint32_t *)fake_mem(1, 0) = 0xa1b2c3d4;
	assert_int_equal(udrv_read32(udrv_region_base(r), 0), 0xa1b2c3d4);
	assert_int_equal(udrv_device_region_by_name(dev, "regs", 0x100, &r2), 0);
	assert_ptr_equal(r, r2);

	r2 = NULL;
	assert_int_equal(udrv_device_region(dev, 1, 0, &r2), -ENOENT);
	assert_int_equal(udrv_device_region(dev, 5, 0, &r2), -ENOENT);
	assert_int_equal(udrv_device_region(dev, 0, 0x101, &r2), -ERANGE);
	assert_int_equal(udrv_device_region_by_name(dev, "regs", 0x1000, &r2), -ERANGE);
	assert_non_null(strstr(udrv_last_error(), "4096 asked"));
	assert_int_equal(udrv_device_region_by_name(dev, "dma", 0, &r2), -ENOENT);
	assert_int_equal(udrv_device_region_by_name(dev, "ctrl", 0, &r2), -ENOENT);
	assert_int_equal(udrv_device_region_by_name(dev, NULL, 0, &r2), -EINVAL);
	assert_int_equal(udrv_device_region(dev, 0, 0, NULL), -EINVAL);
	assert_int_equal(udrv_device_region_by_name(dev, "regs", 0, NULL), -EINVAL);
	assert_null(r2);
	udrv_device_close(dev);

	/* a PCI BAR */
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_device_num_regions(dev), 1);
	assert_int_equal(udrv_device_region_by_name(dev, "bar0", 0x100000, &r), 0);
	assert_int_equal(udrv_region_phys(r), 0x10000000);
	udrv_device_close(dev);
}

static void test_sub_page_offset(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;

	(void)state;
	/* sysfs offset 0x100 */
	assert_int_equal(udrv_device_open("rtc2", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x100, &r), 0);
	assert_int_equal(udrv_region_phys(r), 0x9020100);
	/* size counts from the page start: 0x200 - 0x100 bytes are the device's */
	assert_int_equal(udrv_region_size(r), 0x100);
	assert_int_equal(udrv_device_region(dev, 0, 0x101, &r), -ERANGE);
	udrv_write32(udrv_region_base(r), 0, 0x12345678);
	assert_int_equal(*(uint32_t *)((char *)fake_mem(6, 0) + 0x100), 0x12345678);
	udrv_device_close(dev);

	/* offset reported 0 with an unaligned addr: addr & (pagesize - 1) */
	assert_int_equal(udrv_device_open("plain", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x40, &r), 0);
	assert_string_equal(udrv_region_name(r), "");
	assert_int_equal(udrv_region_phys(r), 0x1000100);
	assert_int_equal(udrv_region_size(r), 0x40);
	*(volatile uint32_t *)((char *)fake_mem(5, 0) + 0x100) = 0x55aa55aa;
	assert_int_equal(udrv_read32(udrv_region_base(r), 0), 0x55aa55aa);
	udrv_device_close(dev);
}

static void test_offset_not_below_page(void **state)
{
	struct udrv_device *dev = NULL;
	char buf[32];

	(void)state;
	snprintf(buf, sizeof(buf), "0x%lx\n", sysconf(_SC_PAGESIZE));
	fake_write("sys/class/uio/uio0/maps/map0/offset", buf);
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	assert_null(dev);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio0/maps/map0/offset"));
}

static void test_offset_past_size(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_write("sys/class/uio/uio6/maps/map0/offset", "0x200\n");
	assert_int_equal(udrv_device_open("rtc2", &dev), -EINVAL);
	assert_null(dev);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio6/maps/map0/offset"));
}

static void test_malformed_maps(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	fake_unlink("sys/class/uio/uio0/maps/map0/size");
	assert_int_equal(udrv_device_open("rtc", &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio0/maps/map0/size"));
	fake_write("sys/class/uio/uio0/maps/map0/size", "0\n");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio0/maps/map0/size"));
	fake_write("sys/class/uio/uio0/maps/map0/size", "0x1000\n");
	fake_write("sys/class/uio/uio0/maps/map0/addr", "zzz\n");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "sys/class/uio/uio0/maps/map0/addr"));
	fake_write("sys/class/uio/uio0/maps/map0/addr", "-1\n");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	fake_write("sys/class/uio/uio0/maps/map0/addr", "");
	assert_int_equal(udrv_device_open("rtc", &dev), -EINVAL);
	assert_null(dev);
	/* repaired, it opens */
	fake_write("sys/class/uio/uio0/maps/map0/addr", "0x9010000\n");
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	udrv_device_close(dev);
}

static void test_map_fails(void **state)
{
	struct udrv_device *dev = NULL;

	(void)state;
	/* the memory behind map0 is gone: mmap fails and is reported */
	fake_unlink("dev/uio0.map0");
	assert_int_equal(udrv_device_open("rtc", &dev), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "map0"));
	assert_null(dev);
}

static void test_inline_accessors(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	volatile void *base;
	uint8_t *mem = fake_mem(0, 0);

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x1000, &r), 0);
	base = udrv_region_base(r);

	udrv_write8(base, 0x1, 0xa5);
	udrv_write16(base, 0x2, 0xbeef);
	udrv_write32(base, 0x4, 0xcafef00d);
	udrv_write64(base, 0x8, 0x0123456789abcdefull);
	assert_int_equal(mem[1], 0xa5);
	assert_int_equal(*(uint16_t *)(mem + 2), 0xbeef);
	assert_int_equal(*(uint32_t *)(mem + 4), 0xcafef00d);
	assert_true(*(uint64_t *)(mem + 8) == 0x0123456789abcdefull);
	assert_int_equal(udrv_read8(base, 1), 0xa5);
	assert_int_equal(udrv_read16(base, 2), 0xbeef);
	assert_int_equal(udrv_read32(base, 4), 0xcafef00d);
	assert_true(udrv_read64(base, 8) == 0x0123456789abcdefull);

	udrv_write8_relaxed(base, 0x10, 0x5a);
	udrv_write16_relaxed(base, 0x12, 0x1234);
	udrv_write32_relaxed(base, 0x14, 0x89abcdef);
	udrv_write64_relaxed(base, 0x18, 0xfedcba9876543210ull);
	udrv_wmb();
	udrv_rmb();
	udrv_mb();
	assert_int_equal(udrv_read8_relaxed(base, 0x10), 0x5a);
	assert_int_equal(udrv_read16_relaxed(base, 0x12), 0x1234);
	assert_int_equal(udrv_read32_relaxed(base, 0x14), 0x89abcdef);
	assert_true(udrv_read64_relaxed(base, 0x18) == 0xfedcba9876543210ull);
	/* the last word of the region */
	udrv_write32(base, 0xffc, 0x11223344);
	assert_int_equal(*(uint32_t *)(mem + 0xffc), 0x11223344);
	udrv_device_close(dev);
}

/* Once an interrupt call has seen the device removed, the checked
 * accessors refuse with -ENODEV instead of touching the registers. */
static void test_checked_access_gone(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	struct udrv_irq *irq = NULL;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), 0);
	fake_remove(0);
	assert_int_equal(udrv_irq_wait(irq, 1000000000), -ENODEV);
	assert_int_equal(udrv_region_read(r, 0, 32, &v), -ENODEV);
	assert_int_equal(udrv_region_write(r, 0, 32, 1), -ENODEV);
	assert_int_equal(udrv_region_poll32(r, 0, 1, 1, 0, NULL), -ENODEV);
	assert_int_equal(udrv_region_read(r, 0x1000, 32, &v), -ERANGE);	/* bad input first */
	udrv_device_close(dev);
}

static void test_checked_access(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	uint8_t *mem;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(udrv_device_open("timer", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	mem = fake_mem(1, 0);
	for (unsigned int w = 8; w <= 64; w *= 2) {
		size_t off = 0x100 - w / 8;	/* the last one that fits */
		uint64_t val = 0x8877665544332211ull & (w == 64 ? ~0ull : (1ull << w) - 1);

		assert_int_equal(udrv_region_write(r, off, w, 0x8877665544332211ull), 0);
		assert_int_equal(udrv_region_read(r, off, w, &v), 0);
		assert_true(v == val);
		assert_int_equal(mem[off], 0x11);
		assert_int_equal(udrv_region_read(r, off + w / 8, w, &v), -ERANGE);
		assert_int_equal(udrv_region_write(r, off + w / 8, w, 0), -ERANGE);
	}
	assert_int_equal(udrv_region_read(r, 0xfe, 32, &v), -EINVAL);	/* misaligned */
	assert_int_equal(udrv_region_read(r, 0x100, 8, &v), -ERANGE);
	assert_int_equal(udrv_region_read(r, SIZE_MAX - 3, 32, &v), -ERANGE);
	assert_int_equal(udrv_region_write(r, SIZE_MAX - 7, 64, 0), -ERANGE);
	assert_int_equal(udrv_region_read(r, 0, 24, &v), -EINVAL);
	assert_int_equal(udrv_region_read(r, 0, 0, &v), -EINVAL);
	assert_int_equal(udrv_region_write(r, 0, 128, 0), -EINVAL);
	assert_int_equal(udrv_region_read(r, 0, 32, NULL), -EINVAL);
	/* -ERANGE wrote nothing past the region: the byte after it is untouched */
	assert_int_equal(mem[0x100], 0);
	udrv_device_close(dev);
}

struct flipper {
	volatile uint32_t *reg;
	unsigned int delay_ms;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;
	struct timespec ts = { 0, (long)f->delay_ms * 1000000 };

	nanosleep(&ts, NULL);
	__atomic_store_n(f->reg, 0x80000001u, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_poll(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	uint32_t last = 0;
	uint64_t t0;
	pthread_t th;
	struct flipper f;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	f.reg = (uint32_t *)((char *)fake_mem(0, 0) + 0x10);
	*f.reg = 0x1;

	/* already true */
	assert_int_equal(udrv_region_poll32(r, 0x10, 0x1, 0x1, 0, &last), 0);
	assert_int_equal(last, 0x1);
	assert_int_equal(udrv_region_poll32_ne(r, 0x10, 0x1, 0x0, 0, NULL), 0);

	/* never true: times out after the timeout, not before */
	t0 = now_ns();
	assert_int_equal(udrv_region_poll32(r, 0x10, 0x80000000, 0x80000000, 20000000, &last),
			 -ETIMEDOUT);
	assert_true(now_ns() - t0 >= 20000000);
	assert_int_equal(last, 0x1);
	assert_int_equal(udrv_region_poll32_ne(r, 0x10, 0xff, 0x1, 1000000, &last), -ETIMEDOUT);

	/* becomes true while polling */
	f.delay_ms = 10;
	assert_int_equal(pthread_create(&th, NULL, flip, &f), 0);
	assert_int_equal(udrv_region_poll32(r, 0x10, 0x80000000, 0x80000000, 5000000000ull, &last),
			 0);
	assert_int_equal(last, 0x80000001);
	pthread_join(th, NULL);

	*f.reg = 0x1;
	f.delay_ms = 10;
	assert_int_equal(pthread_create(&th, NULL, flip, &f), 0);
	assert_int_equal(udrv_region_poll32_ne(r, 0x10, 0xffffffff, 0x1, 5000000000ull, &last), 0);
	assert_int_equal(last, 0x80000001);
	pthread_join(th, NULL);

	assert_int_equal(udrv_region_poll32(r, 0x1000, 1, 1, 0, &last), -ERANGE);
	assert_int_equal(udrv_region_poll32(r, 0x2, 1, 1, 0, &last), -EINVAL);
	assert_int_equal(udrv_region_poll32_ne(r, 0xffe, 1, 1, 0, &last), -EINVAL);
	udrv_device_close(dev);
}

/* ---- exact windows: the region is the device's, not the page's ---- */

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* reg = <0 addr 0 size> (#address-cells = #size-cells = <2> in /soc). */
static void dt_reg(const char *node, uint32_t addr, uint32_t size)
{
	unsigned char reg[16] = { 0 };

	be32(reg + 4, addr);
	be32(reg + 12, size);
	fake_dt_prop(node, "reg", reg, sizeof(reg));
}

/* Give sys/<parent> the DT node /<node> (under /soc) with that reg. */
static void dt_node_reg(const char *parent, const char *node, uint32_t addr, uint32_t size)
{
	static const char compat[] = "virtio,mmio";
	unsigned char two[4];

	fake_dt(parent, node, compat, sizeof(compat));
	be32(two, 2);
	fake_dt_prop("soc", "#address-cells", two, 4);
	fake_dt_prop("soc", "#size-cells", two, 4);
	dt_reg(node, addr, size);
}

/* Open @name, check region 0 is @phys + @size and that the checked
 * accessors stop exactly at its end. */
static void check_window(const char *name, uint64_t phys, size_t size)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	uint64_t v = 0;

	assert_int_equal(udrv_device_open(name, &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_region_phys(r), phys);
	assert_int_equal(udrv_region_size(r), size);
	assert_int_equal(udrv_device_region(dev, 0, size + 1, &r), -ERANGE);
	for (unsigned int w = 8; w <= 64; w *= 2) {
		assert_int_equal(udrv_region_write(r, size - w / 8, w, 0), 0);
		assert_int_equal(udrv_region_read(r, size - w / 8, w, &v), 0);
		assert_int_equal(udrv_region_read(r, size, w, &v), -ERANGE);
		assert_int_equal(udrv_region_write(r, size, w, 0), -ERANGE);
	}
	assert_int_equal(udrv_region_poll32(r, size - 4, 0, 0, 0, NULL), 0);
	assert_int_equal(udrv_region_poll32(r, size, 0, 0, 0, NULL), -ERANGE);
	assert_int_equal(udrv_region_poll32_ne(r, size, 0, 1, 0, NULL), -ERANGE);
	udrv_device_close(dev);
}

/* udrv_uio: addr is the window's exact (unaligned) start, size its length.
 * virtio-rng on QEMU virt: 0x200 bytes at 0xa003a00, its neighbour's Status
 * register at 0xa003c70 (0x270 in) is not part of it. */
static void test_exact_window_stub(void **state)
{
	static const struct fake_map m[] = { { "reg0", 0xa003a00, 0x200, 0xa00 } };
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;

	(void)state;
	fake_uio(7, "virtio-rng", "devices/platform/a003a00.virtio_mmio", m, 1, true, 0);
	check_window("virtio-rng", 0xa003a00, 0x200);
	assert_int_equal(udrv_device_open("virtio-rng", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_region_write(r, 0x270, 32, 0), -ERANGE);
	assert_int_equal(*(uint32_t *)((char *)fake_mem(7, 0) + 0xc70), 0);
	udrv_device_close(dev);
	/* the same with a DT node that agrees: no change */
	dt_node_reg("devices/platform/a003a00.virtio_mmio", "soc/virtio_mmio@a003a00", 0xa003a00,
		    0x200);
	check_window("virtio-rng", 0xa003a00, 0x200);
}

/* uio_pdrv_genirq (v5.x on): addr rounded down to the page, offset, size
 * from the page start rounded up to pages. The DT reg says the window. */
static void test_exact_window_genirq(void **state)
{
	static const struct fake_map rng[] = { { "virtio", 0xa003000, 0x1000, 0xa00 } };
	static const struct fake_map cfg[] = { { "fw-cfg", 0x9020000, 0x1000, 0 } };

	(void)state;
	fake_uio(7, "virtio-rng", "devices/platform/a003a00.virtio_mmio", rng, 1, true, 0);
	/* nothing else to go by: the map's rest of the page */
	check_window("virtio-rng", 0xa003a00, 0x600);
	dt_node_reg("devices/platform/a003a00.virtio_mmio", "soc/virtio_mmio@a003a00", 0xa003a00,
		    0x200);
	check_window("virtio-rng", 0xa003a00, 0x200);

	/* a 0x18-byte window at a page start (QEMU fw-cfg) */
	fake_uio(8, "fw-cfg", "devices/platform/9020000.fw-cfg", cfg, 1, false, 0);
	check_window("fw-cfg", 0x9020000, 0x1000);
	dt_node_reg("devices/platform/9020000.fw-cfg", "soc/fw-cfg@9020000", 0x9020000, 0x18);
	check_window("fw-cfg", 0x9020000, 0x18);
}

/* A DT reg that does not describe the map (another sub-page offset, or
 * larger than what is mapped) changes nothing. */
static void test_exact_window_dt_disagrees(void **state)
{
	static const struct fake_map m[] = { { "reg0", 0xa003a00, 0x200, 0xa00 } };

	(void)state;
	fake_uio(7, "virtio-rng", "devices/platform/a003a00.virtio_mmio", m, 1, true, 0);
	dt_node_reg("devices/platform/a003a00.virtio_mmio", "soc/virtio_mmio@a003a00", 0xa003c00,
		    0x100);
	check_window("virtio-rng", 0xa003a00, 0x200);
	dt_reg("soc/virtio_mmio@a003a00", 0xa003a00, 0x400);
	check_window("virtio-rng", 0xa003a00, 0x200);
}

/* PCI: a BAR smaller than a page reported page-rounded; sysfs resource
 * (start end flags per BAR) has the BAR's size. */
static void test_exact_window_pci_bar(void **state)
{
	static const struct fake_map m[] = { { "bar0", 0x10100000, 0x1000, 0 },
					     { "bar2", 0x10200000, 0x1000, 0 } };
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;

	(void)state;
	fake_uio(7, "small", "devices/pci0000:00/0000:00:03.0", m, 2, true, 0);
	fake_pci("devices/pci0000:00/0000:00:03.0", 0x1af4, 0x1005);
	fake_write("sys/devices/pci0000:00/0000:00:03.0/resource",
		   "0x0000000010100000 0x00000000101000ff 0x0000000000040200\n"
		   "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		   "0x0000000010200000 0x0000000010200fff 0x0000000000040200\n");
	check_window("small", 0x10100000, 0x100);
	assert_int_equal(udrv_device_open("small", &dev), 0);
	assert_int_equal(udrv_device_region_by_name(dev, "bar2", 0, &r), 0);
	assert_int_equal(udrv_region_size(r), 0x1000);
	udrv_device_close(dev);
}

/* ---- poll32: one more read after the deadline (read_poll_timeout) ---- */

/*
 * The library's clock, wrapped (-Wl,--wrap=clock_gettime): once armed, the
 * second reading (the first after a read of the register) stands for a
 * thread preempted past the deadline, and the device finished meanwhile.
 */
int __real_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clk, struct timespec *ts);
static volatile uint32_t *late_reg;
static uint32_t late_value;
static int late_calls;

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
	int r = __real_clock_gettime(clk, ts);

	if (late_reg && ++late_calls == 2) {
		*late_reg = late_value;
		ts->tv_sec += 10;
	}
	return r;
}

static void test_poll_reads_after_deadline(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;
	volatile uint32_t *reg = (uint32_t *)((char *)fake_mem(0, 0) + 0x20);
	uint32_t last = 0;

	(void)state;
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);

	/* done while "preempted": the read after the deadline sees it */
	*reg = 0x1;
	late_reg = reg, late_value = 0x80000001u, late_calls = 0;
	assert_int_equal(udrv_region_poll32(r, 0x20, 0x80000000, 0x80000000, 1000000, &last), 0);
	if (late_calls < 2)
		skip();	/* the library's clock is not the wrapped one here */
	assert_int_equal(last, 0x80000001u);

	*reg = 0x1;
	late_value = 0x0, late_calls = 0;
	assert_int_equal(udrv_region_poll32_ne(r, 0x20, 0x1, 0x1, 1000000, &last), 0);
	assert_int_equal(last, 0x0);

	/* still not done after the deadline: -ETIMEDOUT with that last value */
	*reg = 0x1;
	late_value = 0x3, late_calls = 0;
	assert_int_equal(udrv_region_poll32(r, 0x20, 0x80000000, 0x80000000, 1000000, &last),
			 -ETIMEDOUT);
	assert_int_equal(last, 0x3);
	late_reg = NULL;
	udrv_device_close(dev);
}

/* Whatever UIO driver made the maps, regions are found by the map's own
 * name, by "regN"/"barN" and by reg-names; a map named "dma" is a pool only
 * under the stub. */
static void test_aliases_any_driver(void **state)
{
	static const struct fake_map gen[] = { { "pl031@9030000", 0x9030000, 0x1000, 0 },
					       { "dma", 0x9040000, 0x1000, 0 } };
	static const struct fake_map pci[] = { { "0000:00:03.0", 0x10200000, 0x1000, 0 } };
	static const char names[] = "ctrl\0dma";
	unsigned char reg[32] = { 0 }, two[4];
	struct udrv_device *dev = NULL;
	struct udrv_region *r = NULL;

	(void)state;
	fake_uio(7, "pl031", "devices/platform/9030000.pl031", gen, 2, true, 0);
	fake_driver("devices/platform/9030000.pl031", "uio_pdrv_genirq");
	fake_dt("devices/platform/9030000.pl031", "soc/pl031@9030000", "generic-uio",
		sizeof("generic-uio"));
	be32(two, 2);
	fake_dt_prop("soc", "#address-cells", two, 4);
	fake_dt_prop("soc", "#size-cells", two, 4);
	be32(reg + 4, 0x9030000);
	be32(reg + 12, 0x1000);
	be32(reg + 20, 0x9040000);
	be32(reg + 28, 0x100);
	fake_dt_prop("soc/pl031@9030000", "reg", reg, sizeof(reg));
	fake_dt_prop("soc/pl031@9030000", "reg-names", names, sizeof(names));
	assert_int_equal(udrv_device_open("pl031", &dev), 0);
	assert_int_equal(udrv_device_num_regions(dev), 2);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0);
	assert_int_equal(udrv_device_region_by_name(dev, "pl031@9030000", 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 0);
	assert_string_equal(udrv_region_alias(r), "reg0");
	r = NULL;
	assert_int_equal(udrv_device_region_by_name(dev, "reg0", 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 0);
	assert_int_equal(udrv_device_region_by_name(dev, "ctrl", 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 0);
	/* "dma" under uio_pdrv_genirq: registers, cut to its reg entry */
	assert_int_equal(udrv_device_region_by_name(dev, "dma", 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 1);
	assert_int_equal(udrv_region_size(r), 0x100);
	assert_int_equal(udrv_device_region_by_name(dev, "reg1", 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 1);
	assert_int_equal(udrv_device_region_by_name(dev, "reg2", 0, &r), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "no region \"reg2\""));
	udrv_device_close(dev);

	/* uio_pci_generic: maps named by the PCI address; BAR0 is I/O, so
	 * map 0 is BAR 2 */
	fake_uio(8, "uio_pci_generic", "devices/pci0000:00/0000:00:03.0", pci, 1, true, 0);
	fake_pci("devices/pci0000:00/0000:00:03.0", 0x1af4, 0x1005);
	fake_driver("devices/pci0000:00/0000:00:03.0", "uio_pci_generic");
	fake_write("sys/devices/pci0000:00/0000:00:03.0/resource",
		   "0x0000000000001000 0x000000000000101f 0x0000000000040101\n"
		   "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		   "0x0000000010200000 0x00000000102000ff 0x0000000000040200\n");
	assert_int_equal(udrv_device_open_pci("0000:00:03.0", &dev), 0);
	assert_int_equal(udrv_device_region_by_name(dev, "bar2", 0, &r), 0);
	assert_int_equal(udrv_region_index(r), 0);
	assert_int_equal(udrv_region_size(r), 0x100);
	assert_string_equal(udrv_region_alias(r), "bar2");
	assert_int_equal(udrv_device_region_by_name(dev, "0000:00:03.0", 0, &r), 0);
	assert_int_equal(udrv_device_region_by_name(dev, "bar0", 0, &r), -ENOENT);
	udrv_device_close(dev);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lookup),
		T(test_sub_page_offset),
		T(test_offset_not_below_page),
		T(test_offset_past_size),
		T(test_malformed_maps),
		T(test_map_fails),
		T(test_inline_accessors),
		T(test_checked_access),
		T(test_poll),
		T(test_checked_access_gone),
		T(test_exact_window_stub),
		T(test_exact_window_genirq),
		T(test_exact_window_dt_disagrees),
		T(test_exact_window_pci_bar),
		T(test_poll_reads_after_deadline),
		T(test_aliases_any_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
