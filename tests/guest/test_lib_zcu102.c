// SPDX-License-Identifier: MIT
/*
 * libudrv on QEMU xlnx-zcu102 (Debian's real board device tree), against
 * the real udrv_uio stub: TTC0 (timer@ff110000, one interrupt per counter,
 * so one udrv device with three interrupts over three UIO nodes) and the
 * first FPD DMA channel, ZDMA (dma-controller@fd500000, with a DMA pool).
 *
 * TTC registers: Zynq UltraScale+ TRM (UG1087), Triple-timer Counter; the
 * interrupt register is clear-on-read, so the level line stays up until it
 * is read. ZDMA registers: UG1087, ZDMA; in "simple" mode the descriptors
 * are written into the channel's registers (QEMU hw/dma/xlnx-zdma.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "udrv.h"

#define TTC_CLK_CTRL(i)		(0x00 + 4 * (i))
#define TTC_CNT_CTRL(i)		(0x0c + 4 * (i))
#define TTC_INTERVAL(i)		(0x24 + 4 * (i))
#define TTC_ISR(i)		(0x54 + 4 * (i))
#define TTC_IER(i)		(0x60 + 4 * (i))
#define CNT_DIS			0x01
#define CNT_INTERVAL		0x02
#define CNT_RESET		0x10
#define CLK_PRESCALE_64K	0x1f
#define TTC_IRQ_INTERVAL	0x01

#define ZDMA_CH_ISR		0x100	/* write 1 to clear */
#define ZDMA_CH_IEN		0x108
#define ZDMA_CH_IDS		0x10c
#define ZDMA_CH_CTRL0		0x110
#define ZDMA_CH_STATUS		0x11c
#define ZDMA_CH_SRC_DSCR_WORD0	0x128	/* address low, high, size, control */
#define ZDMA_CH_DST_DSCR_WORD0	0x138
#define ZDMA_CH_TOTAL_BYTE	0x188
#define ZDMA_CH_CTRL2		0x200
#define ZDMA_DMA_DONE		(1u << 10)
#define ZDMA_CTRL0_POINT_TYPE	(1u << 6)

#define MS 1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct udrv_ttc {
	struct udrv_device *dev;
	struct udrv_region *regs;
	volatile void *r;
	struct udrv_irq *irq[3];
};

static void udrv_ttc_stop(struct udrv_ttc *t, int i)
{
	udrv_write32(t->r, TTC_CNT_CTRL(i), CNT_DIS | CNT_RESET);
	udrv_write32(t->r, TTC_IER(i), 0);
	(void)udrv_read32(t->r, TTC_ISR(i));
}

static void udrv_ttc_open(struct udrv_ttc *t)
{
	assert_int_equal(udrv_device_open("ttc0", &t->dev), 0);
	assert_int_equal(udrv_device_region(t->dev, 0, 0x100, &t->regs), 0);
	t->r = udrv_region_base(t->regs);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(udrv_device_irq(t->dev, (unsigned int)i, &t->irq[i]), 0);
		udrv_ttc_stop(t, i);
		assert_int_equal(udrv_irq_unmask(t->irq[i]), 0);
		while (udrv_irq_wait(t->irq[i], 10 * MS) == 1)
			assert_int_equal(udrv_irq_unmask(t->irq[i]), 0);
	}
}

/* Counter i interrupts every ~50 ms (prescaler 2^16, interval 100). */
static void ttc_start(struct udrv_ttc *t, int i)
{
	udrv_write32(t->r, TTC_CLK_CTRL(i), CLK_PRESCALE_64K);
	udrv_write32(t->r, TTC_INTERVAL(i), 100);
	udrv_write32(t->r, TTC_IER(i), TTC_IRQ_INTERVAL);
	udrv_write32(t->r, TTC_CNT_CTRL(i), CNT_INTERVAL | CNT_RESET);
}

static void udrv_ttc_close(struct udrv_ttc *t)
{
	for (int i = 0; i < 3; i++) {
		udrv_ttc_stop(t, i);
		udrv_irq_unmask(t->irq[i]);
	}
	udrv_device_close(t->dev);
}

static void test_open(void **state)
{
	struct udrv_device *dev = NULL, *other = NULL;
	struct udrv_region *regs = NULL;
	struct udrv_irq *irq = NULL;
	unsigned int i, uio;

	(void)state;
	assert_int_equal(udrv_device_open("ttc0", &dev), 0);
	assert_int_equal(udrv_device_source(dev), UDRV_SOURCE_DT);
	assert_string_equal(udrv_device_dt_path(dev), "/axi/timer@ff110000");
	assert_int_equal(udrv_device_is_compatible(dev, "udrv,uio"), 1);
	assert_int_equal(udrv_device_num_regions(dev), 1);
	assert_int_equal(udrv_device_region(dev, 0, 0x1000, &regs), 0);
	assert_int_equal(udrv_region_phys(regs), 0xff110000);
	/* three UIO nodes, one device */
	assert_int_equal(udrv_device_num_irqs(dev), 3);
	assert_int_equal(udrv_device_irq(dev, 2, &irq), 0);
	assert_int_equal(udrv_irq_index(irq), 2);
	assert_int_equal(udrv_device_irq(dev, 3, &irq), -ENOENT);
	/* DT properties come from the live tree: reg = <0 0xff110000 0 0x1000> */
	uint8_t reg[16];

	assert_int_equal(udrv_device_dt_property(dev, "reg", reg, sizeof(reg)), 16);
	assert_int_equal((uint32_t)reg[4] << 24 | reg[5] << 16 | reg[6] << 8 | reg[7], 0xff110000);
	assert_int_equal((uint32_t)reg[12] << 24 | reg[13] << 16 | reg[14] << 8 | reg[15], 0x1000);
	assert_int_equal(udrv_device_dt_property(dev, "no-such-property", reg, sizeof(reg)), -ENOENT);
	/* the board's TTC node has no interrupt-names */
	assert_int_equal(udrv_device_irq_by_name(dev, "irq0", &irq), -ENOENT);
	assert_int_equal(udrv_device_open("ttc0.irq1", &other), -ENOENT);

	/* by its other keys once it is free (opens are exclusive) */
	uio = udrv_device_uio(dev);
	assert_int_equal(udrv_device_open_dt_path("/axi/timer@ff110000", &other), -EBUSY);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open_dt_path("/axi/timer@ff110000", &other), 0);
	assert_int_equal(udrv_device_uio(other), uio);
	udrv_device_close(other);
	for (i = 0;; i++) {
		other = NULL;
		assert_int_equal(udrv_device_open_dt_compatible("udrv,uio", i, &other), 0);
		if (!strcmp(udrv_device_name(other), "ttc0"))
			break;
		udrv_device_close(other);
	}
	assert_int_equal(udrv_device_uio(other), uio);
	assert_int_equal(udrv_device_num_irqs(other), 3);
	udrv_device_close(other);
	/* and by its own compatible, kept in udrv,compatible by the overlay */
	assert_int_equal(udrv_device_open_dt_compatible("cdns,ttc", 0, &other), 0);
	assert_int_equal(udrv_device_uio(other), uio);
	udrv_device_close(other);

	assert_int_equal(udrv_device_open("zdma0", &dev), 0);
	assert_string_equal(udrv_device_dt_path(dev), "/axi/dma-controller@fd500000");
	assert_int_equal(udrv_device_num_irqs(dev), 1);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0x400000);
	udrv_device_close(dev);
}

static int list_cb(const struct udrv_device_info *info, void *data)
{
	int *ttc = data;

	if (!strncmp(info->name, "ttc0", 4)) {
		assert_string_equal(info->name, "ttc0");
		assert_int_equal(info->nodes, 3);
		assert_string_equal(info->dt_path, "/axi/timer@ff110000");
		assert_string_equal(info->compatible, "udrv,uio");
		(*ttc)++;
	}
	return 0;
}

static void test_foreach(void **state)
{
	int ttc = 0;

	(void)state;
	assert_true(udrv_device_foreach(list_cb, &ttc) >= 2);
	assert_int_equal(ttc, 1);
}

static void test_register_round_trip(void **state)
{
	struct udrv_ttc t;
	uint64_t v = 0;

	(void)state;
	udrv_ttc_open(&t);
	udrv_write32(t.r, TTC_INTERVAL(1), 0x1234);
	assert_int_equal(udrv_read32(t.r, TTC_INTERVAL(1)), 0x1234);
	assert_int_equal(udrv_region_write(t.regs, TTC_INTERVAL(2), 32, 0xbeef), 0);
	assert_int_equal(udrv_region_read(t.regs, TTC_INTERVAL(2), 32, &v), 0);
	assert_int_equal(v, 0xbeef);
	udrv_ttc_close(&t);
}

/* Counter i's interrupt arrives on interrupt i and on no other. */
static void test_irq_per_counter(void **state)
{
	struct udrv_ttc t;
	uint64_t t0;

	(void)state;
	udrv_ttc_open(&t);
	for (int i = 0; i < 3; i++) {
		uint32_t before = udrv_irq_count(t.irq[i]);

		t0 = now_ns();
		assert_int_equal(udrv_irq_wait(t.irq[i], 30 * MS), 0);
		assert_true(now_ns() - t0 >= 30 * MS);
		ttc_start(&t, i);
		assert_int_equal(udrv_irq_wait(t.irq[i], 3000 * MS), 1);
		assert_int_equal(udrv_irq_count(t.irq[i]), before + 1);
		for (int j = 0; j < 3; j++)
			if (j != i)
				assert_int_equal(udrv_irq_wait(t.irq[j], 0), 0);
		udrv_ttc_stop(&t, i);
		assert_int_equal(udrv_irq_unmask(t.irq[i]), 0);
		assert_int_equal(udrv_irq_wait(t.irq[i], 100 * MS), 0);
	}
	udrv_ttc_close(&t);
}

static void test_missed_count(void **state)
{
	struct udrv_ttc t;
	uint32_t before;

	(void)state;
	udrv_ttc_open(&t);
	before = udrv_irq_count(t.irq[0]);
	ttc_start(&t, 0);
	assert_int_equal(udrv_irq_wait(t.irq[0], 3000 * MS), 1);
	/* stop counting, keep the cause (the ISR is not read): each unmask is
	 * one more event; two unmasks without waiting in between lose one */
	udrv_write32(t.r, TTC_CNT_CTRL(0), CNT_DIS);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(udrv_irq_unmask(t.irq[0]), 0);
		usleep(20000);
	}
	assert_int_equal(udrv_irq_wait(t.irq[0], 1000 * MS), 1);
	assert_int_equal(udrv_irq_count(t.irq[0]), before + 3);
	assert_int_equal(udrv_irq_missed(t.irq[0]), 1);
	udrv_ttc_close(&t);
}

/* ---- ZDMA ---- */

static void udrv_zdma_copy(volatile void *r, uint64_t src, uint64_t dst, uint32_t len)
{
	udrv_write32(r, ZDMA_CH_CTRL0, udrv_read32(r, ZDMA_CH_CTRL0) & ~ZDMA_CTRL0_POINT_TYPE);
	udrv_write32(r, ZDMA_CH_SRC_DSCR_WORD0, (uint32_t)src);
	udrv_write32(r, ZDMA_CH_SRC_DSCR_WORD0 + 4, (uint32_t)(src >> 32));
	udrv_write32(r, ZDMA_CH_SRC_DSCR_WORD0 + 8, len);
	udrv_write32(r, ZDMA_CH_SRC_DSCR_WORD0 + 12, 0);
	udrv_write32(r, ZDMA_CH_DST_DSCR_WORD0, (uint32_t)dst);
	udrv_write32(r, ZDMA_CH_DST_DSCR_WORD0 + 4, (uint32_t)(dst >> 32));
	udrv_write32(r, ZDMA_CH_DST_DSCR_WORD0 + 8, len);
	udrv_write32(r, ZDMA_CH_DST_DSCR_WORD0 + 12, 0);
	udrv_write32(r, ZDMA_CH_CTRL2, 1);	/* enable: go */
}

struct udrv_zdma {
	struct udrv_device *dev;
	struct udrv_region *regs;
	volatile void *r;
	struct udrv_irq *irq;
	struct udrv_dma_buf *src, *dst;
};

static void udrv_zdma_open(struct udrv_zdma *z, uint32_t len)
{
	assert_int_equal(udrv_device_open("zdma0", &z->dev), 0);
	assert_int_equal(udrv_device_region(z->dev, 0, 0x204, &z->regs), 0);
	z->r = udrv_region_base(z->regs);
	assert_int_equal(udrv_device_irq(z->dev, 0, &z->irq), 0);
	udrv_write32(z->r, ZDMA_CH_IDS, 0xfff);
	udrv_write32(z->r, ZDMA_CH_ISR, 0xfff);
	assert_int_equal(udrv_irq_unmask(z->irq), 0);
	while (udrv_irq_wait(z->irq, 10 * MS) == 1)
		assert_int_equal(udrv_irq_unmask(z->irq), 0);
	udrv_write32(z->r, ZDMA_CH_IEN, ZDMA_DMA_DONE);
	assert_int_equal(udrv_dma_alloc(z->dev, len, 64, &z->src), 0);
	assert_int_equal(udrv_dma_alloc(z->dev, len, 64, &z->dst), 0);
	uint8_t *s = udrv_dma_cpu(z->src), *d = udrv_dma_cpu(z->dst);

	for (uint32_t i = 0; i < len; i++) {
		s[i] = (uint8_t)(i * 13 + 1);
		d[i] = 0;
	}
}

static void udrv_zdma_close(struct udrv_zdma *z)
{
	udrv_write32(z->r, ZDMA_CH_IDS, 0xfff);
	udrv_write32(z->r, ZDMA_CH_ISR, 0xfff);
	udrv_irq_unmask(z->irq);
	udrv_dma_free(z->src);
	udrv_dma_free(z->dst);
	udrv_device_close(z->dev);
}

static void test_zdma_copy(void **state)
{
	struct udrv_zdma z;
	const uint32_t len = 4096;

	(void)state;
	udrv_zdma_open(&z, len);
	udrv_zdma_copy(z.r, udrv_dma_bus(z.src), udrv_dma_bus(z.dst), len);
	assert_int_equal(udrv_irq_wait(z.irq, 2000 * MS), 1);
	assert_true(udrv_read32(z.r, ZDMA_CH_ISR) & ZDMA_DMA_DONE);
	udrv_rmb();
	assert_memory_equal(udrv_dma_cpu(z.src), udrv_dma_cpu(z.dst), len);
	udrv_write32(z.r, ZDMA_CH_ISR, 0xfff);
	assert_int_equal(udrv_irq_unmask(z.irq), 0);
	assert_int_equal(udrv_irq_wait(z.irq, 30 * MS), 0);
	udrv_zdma_close(&z);
}

/* ---- one loop, two devices ---- */

struct served {
	int ttc, zdma;
	volatile void *ttc_r, *zdma_r;
};

static int ttc_cb(struct udrv_irq *irq, int status, void *data)
{
	struct served *s = data;

	assert_int_equal(status, 1);
	assert_int_equal(udrv_irq_index(irq), 1);
	s->ttc++;
	udrv_write32(s->ttc_r, TTC_CNT_CTRL(1), CNT_DIS);
	(void)udrv_read32(s->ttc_r, TTC_ISR(1));
	return udrv_irq_unmask(irq);
}

static int zdma_cb(struct udrv_irq *irq, int status, void *data)
{
	struct served *s = data;

	assert_int_equal(status, 1);
	s->zdma++;
	udrv_write32(s->zdma_r, ZDMA_CH_ISR, 0xfff);
	return udrv_irq_unmask(irq);
}

static int check_done(struct udrv_loop *loop, void *data)
{
	struct served *s = data;

	if (s->ttc && s->zdma)
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
	struct udrv_loop *loop = NULL;
	struct served s = { 0 };
	struct udrv_ttc t;
	struct udrv_zdma z;

	(void)state;
	udrv_ttc_open(&t);
	udrv_zdma_open(&z, 256);
	s.ttc_r = t.r;
	s.zdma_r = z.r;
	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_loop_add_irq(loop, t.irq[1], ttc_cb, &s), 0);
	assert_int_equal(udrv_loop_add_irq(loop, z.irq, zdma_cb, &s), 0);
	assert_true(udrv_loop_add_timer(loop, 5 * MS, 5 * MS, check_done, &s) > 0);
	assert_true(udrv_loop_add_timer(loop, 3000 * MS, 0, too_long, NULL) > 0);
	ttc_start(&t, 1);
	udrv_zdma_copy(z.r, udrv_dma_bus(z.src), udrv_dma_bus(z.dst), 256);
	assert_int_equal(udrv_loop_run(loop), 0);
	assert_int_equal(s.ttc, 1);
	assert_int_equal(s.zdma, 1);
	assert_memory_equal(udrv_dma_cpu(z.src), udrv_dma_cpu(z.dst), 256);
	udrv_loop_free(loop);
	udrv_zdma_close(&z);
	udrv_ttc_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_register_round_trip),
		cmocka_unit_test(test_irq_per_counter),
		cmocka_unit_test(test_missed_count),
		cmocka_unit_test(test_zdma_copy),
		cmocka_unit_test(test_loop_two_devices),
	};

	return cmocka_run_group_tests_name("lib_zcu102", tests, NULL, NULL);
}
