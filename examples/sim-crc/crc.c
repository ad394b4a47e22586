// SPDX-License-Identifier: MIT
/*
 * crc.c - the "acme,crc32-1.0" driver (crc.h). The same source is built
 * against libudrv for the board and against libudrv-sim for the host test
 * (tests/): only the pkg-config name differs (Makefile).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <udrv.h>

#include "crc.h"
#include "crc_regs.h"

struct crc {
	struct udrv_device *dev;
	volatile void *regs;
	struct udrv_irq *irq;
	struct udrv_dma_buf *buf;
	size_t inflight;	/* bytes of buf the device may still read, 0: none */
};

int crc_open(struct crc **out)
{
	struct udrv_open_opts o = { .compatible = "acme,crc32-1.0" };
	struct udrv_region *r;
	struct crc *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	ret = udrv_device_open_with(&o, &c->dev);
	if (!ret)
		ret = udrv_device_region(c->dev, 0, CRC_REGS_SIZE, &r);
	if (!ret)
		ret = udrv_device_irq(c->dev, 0, &c->irq);
	if (!ret)
		ret = udrv_dma_alloc(c->dev, 65536, 64, &c->buf);
	if (!ret) {
		c->regs = udrv_region_base(r);
		if (udrv_read32(c->regs, CRC_ID) != CRC_ID_VALUE)
			ret = -ENODEV;
	}
	if (ret) {
		crc_close(c);
		return ret;
	}
	/* Idle: no interrupt enabled, old status cleared, line unmasked. */
	udrv_write32(c->regs, CRC_CTRL, 0);
	udrv_write32(c->regs, CRC_STATUS, CRC_ST_DONE | CRC_ST_ERR);
	ret = udrv_irq_flush(c->irq);
	if (ret < 0) {
		crc_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

void crc_close(struct crc *c)
{
	if (!c)
		return;
	/* After a removal the registers are gone (an access is SIGBUS). */
	if (c->regs && !udrv_device_present(c->dev))
		udrv_write32(c->regs, CRC_CTRL, 0);
	udrv_device_close(c->dev);	/* frees c->buf too */
	free(c);
}

int crc_compute(struct crc *c, const void *buf, size_t len, uint64_t timeout_ns, uint32_t *out)
{
	uint64_t bus = udrv_dma_bus(c->buf);
	uint32_t st;
	int ret;

	if (!len || len > udrv_dma_size(c->buf) || !buf || !out)
		return -EINVAL;
	ret = udrv_device_present(c->dev);	/* -ENODEV once removed */
	if (ret)
		return ret;
	if (c->inflight) {	/* a transfer that timed out: is it over now? */
		if (udrv_read32(c->regs, CRC_STATUS) & CRC_ST_BUSY)
			return -EBUSY;
		udrv_dma_sync_for_cpu(c->buf, 0, c->inflight, UDRV_DMA_TO_DEVICE);
		c->inflight = 0;
	}
	/* No stale completion: clear it at the device, drop its interrupt. */
	udrv_write32(c->regs, CRC_STATUS, CRC_ST_DONE | CRC_ST_ERR);
	ret = udrv_irq_flush(c->irq);
	if (ret < 0)
		return ret;
	memcpy(udrv_dma_cpu(c->buf), buf, len);
	/* The buffer is the device's from here until it is done with it. */
	ret = udrv_dma_sync_for_device(c->buf, 0, len, UDRV_DMA_TO_DEVICE);
	if (ret)
		return ret;
	c->inflight = len;
	udrv_write32(c->regs, CRC_SRC_LO, (uint32_t)bus);
	udrv_write32(c->regs, CRC_SRC_HI, (uint32_t)(bus >> 32));
	udrv_write32(c->regs, CRC_LEN, (uint32_t)len);
	/* udrv_write32() orders the memcpy above before the start. */
	udrv_write32(c->regs, CRC_CTRL, CRC_CTRL_IRQ_EN | CRC_CTRL_START);
	ret = udrv_irq_wait(c->irq, timeout_ns);
	if (ret == 0)
		ret = -ETIMEDOUT;	/* the device keeps the buffer: see above */
	if (ret < 0)
		return ret;
	st = udrv_read32(c->regs, CRC_STATUS);
	*out = udrv_read32(c->regs, CRC_RESULT);
	/* Clear the cause at the device before unmasking the level line. */
	udrv_write32(c->regs, CRC_STATUS, st & (CRC_ST_DONE | CRC_ST_ERR));
	udrv_dma_sync_for_cpu(c->buf, 0, len, UDRV_DMA_TO_DEVICE);
	c->inflight = 0;
	ret = udrv_irq_unmask(c->irq);
	if (ret)
		return ret;
	if (st & CRC_ST_ERR)
		return -EIO;
	return st & CRC_ST_DONE ? 0 : -EIO;
}
