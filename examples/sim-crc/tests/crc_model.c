// SPDX-License-Identifier: MIT
/*
 * crc_model.c - the "acme,crc32-1.0" engine as crc_regs.h describes it,
 * for host tests on libudrv-sim: START reads the buffer from the DMA pool by
 * bus address, and after the configured latency sets RESULT and DONE (or
 * ERR when the read fails); the level interrupt follows IRQ_EN and
 * DONE|ERR.
 */
#include <errno.h>
#include <stdlib.h>

#include "crc_model.h"
#include "../crc_regs.h"

struct model {
	uint64_t latency_ns;
	int fail_next;
	unsigned char data[65536];
};

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static uint32_t reg(struct udrv_sim_device *d, size_t off)
{
	return (uint32_t)udrv_sim_get(d, 0, off, 4);
}

/* The interrupt line: IRQ_EN and (DONE or ERR). */
static void update_irq(struct udrv_sim_device *d)
{
	udrv_sim_irq_set(d, 0, (reg(d, CRC_CTRL) & CRC_CTRL_IRQ_EN) &&
			       (reg(d, CRC_STATUS) & (CRC_ST_DONE | CRC_ST_ERR)));
}

/* The transfer ends: read the buffer by DMA, set the result. */
static void finish(struct udrv_sim_device *d, void *ctx)
{
	struct model *m = ctx;
	uint64_t src = reg(d, CRC_SRC_LO) | (uint64_t)reg(d, CRC_SRC_HI) << 32;
	uint32_t len = reg(d, CRC_LEN), st = CRC_ST_DONE;

	if (m->fail_next || !len || len > sizeof(m->data) ||
	    udrv_sim_dma_read(d, src, m->data, len)) {
		m->fail_next = 0;
		st = CRC_ST_ERR;
	} else {
		udrv_sim_set(d, 0, CRC_RESULT, 4, crc32_ieee(m->data, len));
	}
	udrv_sim_set(d, 0, CRC_STATUS, 4, st);
	update_irq(d);
}

static void on_write(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	struct model *m = ctx;

	switch (a->off) {
	case CRC_CTRL:
		udrv_sim_set(d, 0, CRC_CTRL, 4, a->value & CRC_CTRL_IRQ_EN);	/* START reads 0 */
		if ((a->value & CRC_CTRL_START) && !(reg(d, CRC_STATUS) & CRC_ST_BUSY)) {
			udrv_sim_set(d, 0, CRC_STATUS, 4, CRC_ST_BUSY);
			if (m->latency_ns != UINT64_MAX)
				udrv_sim_after(d, m->latency_ns, finish, m);
		}
		break;
	case CRC_STATUS:	/* BUSY stays; DONE and ERR: write 1 to clear */
		udrv_sim_set(d, 0, CRC_STATUS, 4, a->old & ~(a->value & (CRC_ST_DONE | CRC_ST_ERR)));
		break;
	case CRC_ID:
	case CRC_RESULT:	/* read-only */
		udrv_sim_set(d, 0, a->off, 4, a->old);
		break;
	}
	update_irq(d);
}

int crc_model_add(struct udrv_sim_device **out)
{
	static const char compat[] = "acme,crc32-1.0";
	static const struct udrv_sim_map regs = { "regs", 0xa0040000, CRC_REGS_SIZE };
	struct udrv_sim_config c = {
		.name = "crc", .dt_path = "/amba_pl/crc@a0040000", .compatible = compat,
		.maps = &regs, .nmaps = 1, .irqs = 1, .pool_size = 1 << 20,
	};
	struct model *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	m->latency_ns = 1000000;
	ret = udrv_sim_device_add(&c, out);
	if (ret) {
		free(m);
		return ret;
	}
	udrv_sim_set_data(*out, m, free);
	udrv_sim_set(*out, 0, CRC_ID, 4, CRC_ID_VALUE);
	return udrv_sim_hook(*out, 0, 0, CRC_REGS_SIZE, NULL, on_write, m);
}

void crc_model_fail_next(struct udrv_sim_device *dev)
{
	((struct model *)udrv_sim_data(dev))->fail_next = 1;
}

void crc_model_set_latency(struct udrv_sim_device *dev, uint64_t ns)
{
	((struct model *)udrv_sim_data(dev))->latency_ns = ns;
}

void crc_model_complete(struct udrv_sim_device *dev)
{
	udrv_sim_after(dev, 0, finish, udrv_sim_data(dev));
}
