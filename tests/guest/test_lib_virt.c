// SPDX-License-Identifier: MIT
/*
 * libudrv on QEMU virt, against the real udrv_uio stub: the PL031 RTC
 * (handed over by dts/virt.dtso) and the edu PCI device (1234:11e8, handed
 * over here through driver_override).
 *
 * PL031 (ARM DDI 0224): writing RTCMR equal to RTCDR raises the alarm at
 * once (QEMU hw/rtc/pl031.c); RTCRIS stays set until RTCICR is written, so
 * the line is level and every unmask with the cause pending is one more
 * event. edu (QEMU docs/specs/edu.rst): ID 0x010000ed at 0x00, liveness
 * (reads back inverted) at 0x04, raise/ack interrupt at 0x60/0x64, DMA
 * source/destination/count/command at 0x80/0x88/0x90/0x98, its 4 KiB
 * buffer at 0x40000 on its side.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "udrv.h"

#define RTCDR	0x00
#define RTCMR	0x04
#define RTCCR	0x0c
#define RTCIMSC	0x10
#define RTCRIS	0x14
#define RTCICR	0x1c

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_START		0x1
#define EDU_DMA_FROM_EDU	0x2
#define EDU_BUF		0x40000

#define MS 1000000ull
#define PCI_DEVS "/sys/bus/pci/devices"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static long read_num(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strtol(buf, NULL, 0);
}

/* The edu function's address (from the PCI bus, bound or not). */
static char edu_addr[64];

static int find_edu(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(PCI_DEVS);

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), PCI_DEVS "/%s/vendor", e->d_name);
		if (read_num(path) != 0x1234)
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/device", e->d_name);
		if (read_num(path) != 0x11e8)
			continue;
		snprintf(edu_addr, sizeof(edu_addr), "%s", e->d_name);
		break;
	}
	closedir(d);
	return edu_addr[0] ? 0 : -1;
}

/* Hand edu to the stub with a 64 KiB DMA pool (PCI devices get none
 * unless asked) if it is not already. */
static int udrv_edu_bind(void)
{
	char path[PATH_MAX], req[64];
	struct udrv_device *dev;
	size_t pool = 0;

	snprintf(req, sizeof(req), "%s 65536", edu_addr);
	if (write_str("/sys/bus/pci/drivers/udrv_uio/pool", req))
		return -1;
	if (udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev) == 0) {
		pool = udrv_device_dma_pool_size(dev);
		udrv_device_close(dev);
		if (pool)
			return 0;
	}
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver/unbind", edu_addr);
	write_str(path, edu_addr);
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver_override", edu_addr);
	if (write_str(path, "udrv_uio"))
		return -1;
	return write_str("/sys/bus/pci/drivers_probe", edu_addr);
}

static int group_setup(void **state)
{
	(void)state;
	if (find_edu() || udrv_edu_bind())
		return -1;
	return 0;
}

/* ---- PL031 helpers ---- */

struct rtc {
	struct udrv_device *dev;
	struct udrv_region *regs;
	volatile void *r;
	struct udrv_irq *irq;
};

static void rtc_open(struct rtc *t)
{
	assert_int_equal(udrv_device_open("pl031", &t->dev), 0);
	assert_int_equal(udrv_device_region(t->dev, 0, 0x1000, &t->regs), 0);
	t->r = udrv_region_base(t->regs);
	assert_int_equal(udrv_device_irq(t->dev, 0, &t->irq), 0);
	udrv_write32(t->r, RTCIMSC, 0);
	udrv_write32(t->r, RTCICR, 1);
	udrv_write32(t->r, RTCCR, 1);
	/* consume whatever an earlier suite left pending */
	assert_int_equal(udrv_irq_unmask(t->irq), 0);
	while (udrv_irq_wait(t->irq, 20 * MS) == 1)
		assert_int_equal(udrv_irq_unmask(t->irq), 0);
}

static void rtc_close(struct rtc *t)
{
	udrv_write32(t->r, RTCIMSC, 0);
	udrv_write32(t->r, RTCICR, 1);
	udrv_irq_unmask(t->irq);
	udrv_device_close(t->dev);
}

/* Make the alarm cause pending now (RTCMR = RTCDR fires at once). */
static void rtc_alarm_now(struct rtc *t)
{
	for (int i = 0; i < 5 && !(udrv_read32(t->r, RTCRIS) & 1); i++)
		udrv_write32(t->r, RTCMR, udrv_read32(t->r, RTCDR));
	assert_int_equal(udrv_read32(t->r, RTCRIS) & 1, 1);
	udrv_write32(t->r, RTCIMSC, 1);
}

/* ---- tests ---- */

static void test_open_by_name_and_dt(void **state)
{
	struct udrv_device *dev = NULL, *other = NULL;
	struct udrv_region *regs = NULL;
	uint64_t v = 0;
	unsigned int i, uio;

	(void)state;
	assert_int_equal(udrv_device_open("pl031", &dev), 0);
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_DT);
	assert_string_equal(udrv_device_dt_path(dev), "/pl031@9010000");
	assert_int_equal(udrv_device_is_compatible(dev, "udrv,uio"), 1);
	assert_int_equal(udrv_device_num_regions(dev), 1);
	assert_int_equal(udrv_device_num_irqs(dev), 1);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x1000, &regs), 0);
	assert_int_equal(udrv_region_phys(regs), 0x9010000);
	assert_int_equal(udrv_region_size(regs), 0x1000);
	/* PrimeCell peripheral ID: 0x31 0x10 0x14 0x00 */
	assert_int_equal(udrv_read32(udrv_region_base(regs), 0xfe0), 0x31);
	assert_int_equal(udrv_read32(udrv_region_base(regs), 0xfe4), 0x10);
	assert_int_equal(udrv_read32(udrv_region_base(regs), 0xfe8), 0x14);
	assert_int_equal(udrv_region_read(regs, 0xfec, 32, &v), 0);
	assert_int_equal(v, 0x00);
	assert_int_equal(udrv_region_read(regs, 0x1000, 32, &v), -ERANGE);

	/* the same device by DT path and by compatible (once it is free:
	 * opens are exclusive) */
	uio = udrv_device_uio(dev);
	assert_int_equal(udrv_device_open_dt_path("/pl031@9010000", &other), -EBUSY);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open_dt_path("/pl031@9010000", &other), 0);
	assert_int_equal(udrv_device_uio(other), uio);
	udrv_device_close(other);
	for (i = 0;; i++) {
		other = NULL;
		assert_int_equal(udrv_device_open_dt_compatible("udrv,uio", i, &other), 0);
		if (!strcmp(udrv_device_dt_path(other), "/pl031@9010000"))
			break;
		udrv_device_close(other);
	}
	assert_int_equal(udrv_device_uio(other), uio);
	udrv_device_close(other);
	/* and by its own compatible, kept in udrv,compatible by the overlay */
	assert_int_equal(udrv_device_open_dt_compatible("arm,pl031", 0, &other), 0);
	assert_int_equal(udrv_device_uio(other), uio);
	udrv_device_close(other);
	assert_int_equal(udrv_device_open_dt_compatible("udrv,uio", 99, &other), -ENOENT);
	assert_int_equal(udrv_device_open("no-such-device", &other), -ENOENT);
}

/* virtio-mmio at 0xa003e00 is not page aligned: map0 has offset 0xe00 */
static void test_sub_page_region(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *regs = NULL;

	(void)state;
	assert_int_equal(udrv_device_open("virtio-blk", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x200, &regs), 0);
	assert_int_equal(udrv_region_phys(regs), 0xa003e00);
	assert_int_equal(udrv_region_size(regs), 0x200);
	assert_int_equal(udrv_read32(udrv_region_base(regs), 0x0), 0x74726976);	/* "virt" */
	assert_int_equal(udrv_read32(udrv_region_base(regs), 0x4), 2);		/* version */
	/* dts/virt.dtso; virt-bounce's cached one is at most what swiotlb maps */
	assert_int_equal(udrv_device_dma_pool_size(dev),
			 udrv_device_dma_pool_cached(dev) ? 0x40000 : 0x200000);
	udrv_device_close(dev);
}

struct listing {
	int pl031, edu;
};

static int list_cb(const struct udrv_device_info *info, void *data)
{
	struct listing *l = data;

	if (!strcmp(info->name, "pl031") && info->source == UDRV_SOURCE_DT &&
	    !strcmp(info->dt_path, "/pl031@9010000"))
		l->pl031++;
	if (info->source == UDRV_SOURCE_PCI && info->vendor == 0x1234 && info->device == 0x11e8 &&
	    !strcmp(info->pci_address, edu_addr))
		l->edu++;
	return 0;
}

static void test_foreach(void **state)
{
	struct listing l = { 0 };

	(void)state;
	assert_true(udrv_device_foreach(list_cb, &l) >= 2);
	assert_int_equal(l.pl031, 1);
	assert_int_equal(l.edu, 1);
}

static void test_register_round_trip(void **state)
{
	struct rtc t;
	uint64_t v = 0;

	(void)state;
	rtc_open(&t);
	udrv_write32(t.r, RTCMR, 0x12345678);
	assert_int_equal(udrv_read32(t.r, RTCMR), 0x12345678);
	udrv_write32_relaxed(t.r, RTCMR, 0x9abcdef0);
	assert_int_equal(udrv_read32_relaxed(t.r, RTCMR), 0x9abcdef0);
	assert_int_equal(udrv_region_write(t.regs, RTCMR, 32, 0xa5a5a5a5), 0);
	assert_int_equal(udrv_region_read(t.regs, RTCMR, 32, &v), 0);
	assert_int_equal(v, 0xa5a5a5a5);
	/* the RTC counts seconds: RTCDR moves within two seconds */
	uint32_t dr = udrv_read32(t.r, RTCDR), last = 0;

	assert_int_equal(udrv_region_poll32_ne(t.regs, RTCDR, 0xffffffff, dr, 2500 * MS, &last), 0);
	assert_true(last - dr >= 1 && last - dr <= 2);
	rtc_close(&t);
}

static void test_irq_timeout_and_event(void **state)
{
	struct rtc t;
	uint32_t before;
	uint64_t t0;

	(void)state;
	rtc_open(&t);
	/* nothing pending: times out, after the timeout */
	t0 = now_ns();
	assert_int_equal(udrv_irq_wait(t.irq, 50 * MS), 0);
	assert_true(now_ns() - t0 >= 50 * MS);
	assert_int_equal(udrv_irq_wait(t.irq, 0), 0);

	/* the alarm: one event, the counter moves by one */
	before = udrv_irq_count(t.irq);
	rtc_alarm_now(&t);
	assert_int_equal(udrv_irq_wait(t.irq, 2000 * MS), 1);
	assert_int_equal(udrv_irq_count(t.irq), before + 1);
	assert_int_equal(udrv_irq_missed(t.irq), 0);
	/* masked by the stub until we unmask: no storm while the cause stays */
	assert_int_equal(udrv_irq_wait(t.irq, 30 * MS), 0);
	/* cleared at the device, then unmasked: quiet */
	udrv_write32(t.r, RTCICR, 1);
	assert_int_equal(udrv_irq_unmask(t.irq), 0);
	assert_int_equal(udrv_irq_wait(t.irq, 30 * MS), 0);
	assert_int_equal(udrv_irq_count(t.irq), before + 1);

	/* a finite timeout longer than a 32-bit time_t counts (virt32):
	 * waits as forever would, it is not -EINVAL from ppoll() */
	rtc_alarm_now(&t);
	assert_int_equal(udrv_irq_wait(t.irq, UINT64_MAX - 1), 1);
	assert_int_equal(udrv_irq_count(t.irq), before + 2);
	udrv_write32(t.r, RTCICR, 1);
	assert_int_equal(udrv_irq_unmask(t.irq), 0);
	rtc_close(&t);
}

static void test_missed_count(void **state)
{
	struct rtc t;
	uint32_t before;

	(void)state;
	rtc_open(&t);
	before = udrv_irq_count(t.irq);
	rtc_alarm_now(&t);
	assert_int_equal(udrv_irq_wait(t.irq, 2000 * MS), 1);
	/* Unmask twice with the cause pending without consuming the events in
	 * between: the kernel counts three, we see one more event and two
	 * missed. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(udrv_irq_unmask(t.irq), 0);
		usleep(20000);
	}
	assert_int_equal(udrv_irq_wait(t.irq, 1000 * MS), 1);
	assert_int_equal(udrv_irq_count(t.irq), before + 3);
	assert_int_equal(udrv_irq_missed(t.irq), 1);
	rtc_close(&t);
}

/* ---- edu ---- */

static void test_edu_open_and_registers(void **state)
{
	struct udrv_device *dev = NULL, *other = NULL;
	struct udrv_region *bar0 = NULL;
	uint16_t v = 0, d = 0;
	uint8_t cfg[4];
	unsigned int uio;

	(void)state;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_PCI);
	assert_string_equal(udrv_device_pci_address(dev), edu_addr);
	assert_int_equal(udrv_device_pci_id(dev, &v, &d), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(d, 0x11e8);
	assert_int_equal(udrv_device_pci_config_read(dev, 0, cfg, 4), 4);
	assert_int_equal(cfg[0] | cfg[1] << 8, 0x1234);
	assert_int_equal(cfg[2] | cfg[3] << 8, 0x11e8);
	assert_int_equal(udrv_device_region_by_name(dev, "bar0", 0x100, &bar0), 0);
	assert_int_equal(udrv_read32(udrv_region_base(bar0), EDU_ID), 0x010000ed);
	udrv_write32(udrv_region_base(bar0), EDU_LIVENESS, 0x12345678);
	assert_int_equal(udrv_read32(udrv_region_base(bar0), EDU_LIVENESS), ~0x12345678u);
	assert_true(udrv_device_dma_pool_size(dev) > 0);

	/* by address, once free (opens are exclusive) */
	assert_int_equal(udrv_device_open_pci(edu_addr, &other), -EBUSY);
	uio = udrv_device_uio(dev);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open_pci(edu_addr, &other), 0);
	assert_int_equal(udrv_device_uio(other), uio);
	udrv_device_close(other);
}

static void test_edu_irq(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *bar0 = NULL;
	struct udrv_irq *irq = NULL;
	volatile void *r;
	uint32_t before;

	(void)state;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x100, &bar0), 0);
	r = udrv_region_base(bar0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	udrv_write32(r, EDU_IRQ_ACK, 0xffffffff);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	while (udrv_irq_wait(irq, 20 * MS) == 1)
		assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 20 * MS), 0);

	before = udrv_irq_count(irq);
	udrv_write32(r, EDU_IRQ_RAISE, 0x40);
	assert_int_equal(udrv_irq_wait(irq, 2000 * MS), 1);
	assert_int_equal(udrv_irq_count(irq), before + 1);
	assert_int_equal(udrv_read32(r, EDU_IRQ_STATUS), 0x40);
	udrv_write32(r, EDU_IRQ_ACK, 0x40);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 30 * MS), 0);
	udrv_device_close(dev);
}

static void edu_dma(volatile void *r, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
	udrv_write64(r, EDU_DMA_SRC, src);
	udrv_write64(r, EDU_DMA_DST, dst);
	udrv_write64(r, EDU_DMA_COUNT, len);
	/* udrv_write32 orders the buffer writes above before the kick */
	udrv_write32(r, EDU_DMA_CMD, cmd | EDU_DMA_START);
}

static void test_edu_dma(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *bar0 = NULL;
	struct udrv_dma_buf *src = NULL, *dst = NULL;
	volatile void *r;
	uint8_t *s, *d;
	const uint32_t len = 1024;

	(void)state;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0x100, &bar0), 0);
	r = udrv_region_base(bar0);
	assert_int_equal(udrv_dma_alloc(dev, len, 4096, &src), 0);
	assert_int_equal(udrv_dma_alloc(dev, len, 0, &dst), 0);
	assert_int_equal(udrv_dma_bus(src) % 4096, 0);
	assert_true(udrv_dma_bus(dst) >= udrv_dma_bus(src) + len);
	s = udrv_dma_cpu(src);
	d = udrv_dma_cpu(dst);
	for (uint32_t i = 0; i < len; i++) {
		s[i] = (uint8_t)(i * 7 + 3);
		d[i] = 0;
	}
	/* pool -> edu's buffer -> another pool buffer, by the device */
	edu_dma(r, udrv_dma_bus(src), EDU_BUF, len, 0);
	assert_int_equal(udrv_region_poll32(bar0, EDU_DMA_CMD, EDU_DMA_START, 0, 1000 * MS, NULL), 0);
	edu_dma(r, EDU_BUF, udrv_dma_bus(dst), len, EDU_DMA_FROM_EDU);
	assert_int_equal(udrv_region_poll32(bar0, EDU_DMA_CMD, EDU_DMA_START, 0, 1000 * MS, NULL), 0);
	udrv_rmb();
	assert_memory_equal(s, d, len);
	udrv_dma_free(src);
	udrv_dma_free(dst);
	udrv_device_close(dev);
}

/* dts/virt.dtso gives virtio-rng's pool a memory-region, a 1 MiB no-map
 * shared-dma-pool at 0x5f000000: the pool is in it (bus address = physical:
 * virtio-mmio sits behind no IOMMU), zeroed, and the CPU's writes read back
 * through the mapping the stub gives (write-combined, as the kernel maps
 * the region). */
#define RNG_POOL_REGION	0x5f000000u

static void test_memory_region_pool(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dma_buf *b = NULL;
	uint64_t bus;
	uint8_t *p;

	(void)state;
	assert_int_equal(access("/proc/device-tree/reserved-memory/udrv-pool@5f000000/no-map",
				F_OK), 0);
	assert_int_equal(udrv_device_open_dt_path("/virtio_mmio@a003a00", &dev), 0);
	if (!strcmp(getenv("UDRV_BOARD_NAME") ? getenv("UDRV_BOARD_NAME") : "", "virt-bounce")) {
		/* dts/virt-bounce.dtso makes it cached: from the page allocator */
		assert_true(udrv_device_dma_pool_cached(dev));
		udrv_device_close(dev);
		return;
	}
	assert_false(udrv_device_dma_pool_cached(dev));
	assert_int_equal(udrv_device_dma_pool_bus(dev, &bus), 0);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0x10000);
	assert_true(bus >= RNG_POOL_REGION && bus + 0x10000 <= RNG_POOL_REGION + 0x100000);
	assert_int_equal(udrv_dma_alloc(dev, 4096, 0, &b), 0);
	p = udrv_dma_cpu(b);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(p[i], 0);
	for (int i = 0; i < 4096; i++)
		p[i] = (uint8_t)(i * 5 + 1);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(p[i], (uint8_t)(i * 5 + 1));
	udrv_dma_free(b);
	udrv_device_close(dev);
}

/* ---- one loop, two devices ---- */

struct served {
	int rtc, edu;
	volatile void *rtc_r, *edu_r;
};

static int rtc_cb(struct udrv_irq *irq, int status, void *data)
{
	struct served *s = data;

	assert_int_equal(status, 1);
	s->rtc++;
	udrv_write32(s->rtc_r, RTCIMSC, 0);
	udrv_write32(s->rtc_r, RTCICR, 1);
	return udrv_irq_unmask(irq);
}

static int edu_cb(struct udrv_irq *irq, int status, void *data)
{
	struct served *s = data;

	assert_int_equal(status, 1);
	s->edu++;
	udrv_write32(s->edu_r, EDU_IRQ_ACK, udrv_read32(s->edu_r, EDU_IRQ_STATUS));
	return udrv_irq_unmask(irq);
}

static int check_done(struct udrv_loop *loop, void *data)
{
	struct served *s = data;

	if (s->rtc && s->edu)
		udrv_loop_stop(loop, 0);
	return 0;
}

static int too_long(struct udrv_loop *loop, void *data)
{
	(void)data;
	udrv_loop_stop(loop, -ETIMEDOUT);
	return 0;
}

static void test_loop_two_devices(void **state)
{
	struct udrv_device *edu = NULL;
	struct udrv_region *bar0 = NULL;
	struct udrv_irq *edu_irq = NULL;
	struct udrv_loop *loop = NULL;
	struct served s = { 0 };
	struct rtc t;

	(void)state;
	rtc_open(&t);
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &edu), 0);
	assert_int_equal(udrv_device_region(edu, 0, 0x100, &bar0), 0);
	assert_int_equal(udrv_device_irq(edu, 0, &edu_irq), 0);
	s.rtc_r = t.r;
	s.edu_r = udrv_region_base(bar0);
	assert_int_equal(udrv_irq_unmask(edu_irq), 0);

	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_loop_add_irq(loop, t.irq, rtc_cb, &s), 0);
	assert_int_equal(udrv_loop_add_irq(loop, edu_irq, edu_cb, &s), 0);
	assert_true(udrv_loop_add_timer(loop, 5 * MS, 5 * MS, check_done, &s) > 0);
	assert_true(udrv_loop_add_timer(loop, 3000 * MS, 0, too_long, NULL) > 0);
	rtc_alarm_now(&t);
	udrv_write32(s.edu_r, EDU_IRQ_RAISE, 0x1);
	assert_int_equal(udrv_loop_run(loop), 0);
	assert_int_equal(s.rtc, 1);
	assert_int_equal(s.edu, 1);
	udrv_loop_free(loop);
	udrv_device_close(edu);
	rtc_close(&t);
}

/* ---- a hosted driver ---- */

static int edu_probes;

static int edu_probe(struct udrv_device *dev, struct udrv_loop *loop, void **priv)
{
	struct udrv_region *bar0;

	(void)loop;
	(void)priv;
	edu_probes++;
	if (udrv_device_region(dev, 0, 0x100, &bar0))
		return -ENODEV;
	return udrv_read32(udrv_region_base(bar0), EDU_ID) == 0x010000ed ? 0 : -ENODEV;
}

static void test_host(void **state)
{
	static const struct udrv_pci_id ids[] = { { 0x1234, 0x11e8 }, { 0, 0 } };
	static const struct udrv_driver drv = { "edu", NULL, ids, edu_probe, NULL };
	struct udrv_host *host = NULL;
	unsigned int failed = 9;

	(void)state;
	assert_int_equal(udrv_host_new(&host), 0);
	assert_int_equal(udrv_host_register(host, &drv), 0);
	assert_int_equal(udrv_host_probe(host, &failed), 1);
	assert_int_equal(failed, 0);
	assert_int_equal(edu_probes, 1);
	assert_int_equal(udrv_host_num_bound(host), 1);
	udrv_host_free(host);
}

/* ---- removal: unbinding edu wakes a waiter with -ENODEV ---- */

static void test_removal(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq = NULL;
	char path[PATH_MAX];
	uint64_t t0;
	pid_t pid;

	(void)state;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(100000);
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/udrv_uio/unbind");
		_exit(write_str(path, edu_addr) ? 1 : 0);
	}
	t0 = now_ns();
	assert_int_equal(udrv_irq_wait(irq, 5000 * MS), -ENODEV);
	assert_true(now_ns() - t0 < 4000 * MS);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	udrv_device_close(dev);
	int st = -1;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* bind it again for whoever comes next */
	assert_int_equal(write_str("/sys/bus/pci/drivers_probe", edu_addr), 0);
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	udrv_device_close(dev);
}

/*
 * Unbound while open, and the first call after is an unmask (udrv_ttc_stop(),
 * udrv_cdns_uart_close() do that): the kernel answers its write with EINVAL,
 * which the library reports as -ENODEV, and from then on the checked
 * accessors refuse instead of touching the revoked mapping (SIGBUS).
 */
static void test_removal_unmask_first(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_region *bar0 = NULL;
	struct udrv_irq *irq = NULL;
	uint64_t v;

	(void)state;
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &bar0), 0);
	assert_int_equal(udrv_region_read(bar0, EDU_ID, 32, &v), 0);
	assert_int_equal(v, 0x010000ed);
	assert_int_equal(write_str("/sys/bus/pci/drivers/udrv_uio/unbind", edu_addr), 0);
	assert_int_equal(udrv_irq_unmask(irq), -ENODEV);
	assert_int_equal(udrv_region_read(bar0, EDU_ID, 32, &v), -ENODEV);
	assert_int_equal(udrv_region_write(bar0, EDU_LIVENESS, 32, 1), -ENODEV);
	assert_int_equal(udrv_irq_mask(irq), -ENODEV);
	udrv_device_close(dev);
	assert_int_equal(write_str("/sys/bus/pci/drivers_probe", edu_addr), 0);
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	udrv_device_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_by_name_and_dt),
		cmocka_unit_test(test_sub_page_region),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_register_round_trip),
		cmocka_unit_test(test_irq_timeout_and_event),
		cmocka_unit_test(test_missed_count),
		cmocka_unit_test(test_edu_open_and_registers),
		cmocka_unit_test(test_edu_irq),
		cmocka_unit_test(test_edu_dma),
		cmocka_unit_test(test_memory_region_pool),
		cmocka_unit_test(test_loop_two_devices),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_removal),
		cmocka_unit_test(test_removal_unmask_first),
	};

	return cmocka_run_group_tests_name("lib_virt", tests, group_setup, NULL);
}
