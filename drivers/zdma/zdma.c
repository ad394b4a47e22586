// SPDX-License-Identifier: MIT
/*
 * zdma.c - one ZynqMP DMA channel over udrv (see zdma.h).
 *
 * Simple mode (UG1085, DMA Controller, "Simple DMA Mode"): the source and
 * destination descriptors are written into the channel's registers and
 * CTRL2.EN starts the copy; the channel clears EN and raises DMA_DONE in
 * ZDMA_CH_ISR when it is done (QEMU hw/dma/xlnx-zdma.c does the copy at
 * once). One copy at a time: the queue is the driver's, and each completion
 * starts the next copy from the interrupt service.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zdma.h"
#include "zdma_regs.h"

struct copy {
	uint64_t dst, src;
	uint32_t len;
	void *cookie;
	struct udrv_dma_buf *dbuf, *sbuf;	/* udrv_zdma_submit_buf()'s, else NULL */
	size_t doff, soff;
};

struct udrv_zdma {
	struct udrv_device *dev;
	volatile void *r;
	struct udrv_irq *irq;
	uint64_t pool_bus;
	size_t pool_size;
	struct copy q[ZDMA_QUEUE_MAX];	/* ring: q[qhead] is in flight */
	unsigned int qhead, qlen;
	struct udrv_zdma_done done[ZDMA_QUEUE_MAX];	/* finished, not yet reported */
	unsigned int dhead, dlen;
	uint32_t stray;			/* error bits with no copy in flight */
};

static void hw_start(struct udrv_zdma *z, const struct copy *c)
{
	volatile void *r = z->r;

	udrv_write32_relaxed(r, ZDMA_CH_SRC_DSCR_WORD0 + ZDMA_DSCR_ADDR_LO, (uint32_t)c->src);
	udrv_write32_relaxed(r, ZDMA_CH_SRC_DSCR_WORD0 + ZDMA_DSCR_ADDR_HI, (uint32_t)(c->src >> 32));
	udrv_write32_relaxed(r, ZDMA_CH_SRC_DSCR_WORD0 + ZDMA_DSCR_SIZE, c->len);
	udrv_write32_relaxed(r, ZDMA_CH_SRC_DSCR_WORD0 + ZDMA_DSCR_CTRL, 0);
	udrv_write32_relaxed(r, ZDMA_CH_DST_DSCR_WORD0 + ZDMA_DSCR_ADDR_LO, (uint32_t)c->dst);
	udrv_write32_relaxed(r, ZDMA_CH_DST_DSCR_WORD0 + ZDMA_DSCR_ADDR_HI, (uint32_t)(c->dst >> 32));
	udrv_write32_relaxed(r, ZDMA_CH_DST_DSCR_WORD0 + ZDMA_DSCR_SIZE, c->len);
	udrv_write32_relaxed(r, ZDMA_CH_DST_DSCR_WORD0 + ZDMA_DSCR_CTRL, 0);
	/* the CPU's writes to the source buffer before the channel starts */
	udrv_write32(r, ZDMA_CH_CTRL2, ZDMA_CTRL2_EN);
}

static void hw_quiesce(struct udrv_zdma *z)
{
	udrv_write32(z->r, ZDMA_CH_IDS, ZDMA_INT_ALL);
	udrv_write32(z->r, ZDMA_CH_ISR, ZDMA_INT_ALL);
}

int udrv_zdma_open(const char *name, struct udrv_zdma **out)
{
	struct udrv_region *reg;
	struct udrv_zdma *z;
	uint32_t v;
	int ret;

	if (!out)
		return -EINVAL;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	ret = name ? udrv_device_open(name, &z->dev) :
		     udrv_device_open_dt_compatible("xlnx,zynqmp-dma-1.0", 0, &z->dev);
	if (ret || (ret = udrv_device_region(z->dev, 0, ZDMA_REGS_SIZE, &reg)) ||
	    (ret = udrv_device_irq(z->dev, 0, &z->irq)))
		goto fail;
	z->pool_size = udrv_device_dma_pool_size(z->dev);
	if (!z->pool_size) {
		ret = -ENXIO;
		goto fail;
	}
	if ((ret = udrv_device_dma_pool_bus(z->dev, &z->pool_bus)))
		goto fail;
	z->r = udrv_region_base(reg);
	if ((udrv_read32(z->r, ZDMA_CH_STATUS) & ZDMA_STATE_MASK) == ZDMA_STATE_BUSY) {
		ret = -EBUSY;
		goto fail;
	}
	hw_quiesce(z);
	udrv_write32(z->r, ZDMA_CH_CTRL0, 0);	/* simple mode, read/write */
	v = udrv_read32(z->r, ZDMA_CH_DATA_ATTR);
	v &= ~(ZDMA_DATA_ARBURST_MASK | ZDMA_DATA_AWBURST_MASK);
	udrv_write32(z->r, ZDMA_CH_DATA_ATTR, v | ZDMA_DATA_ARBURST_INCR | ZDMA_DATA_AWBURST_INCR);
	udrv_write32(z->r, ZDMA_CH_TOTAL_BYTE, udrv_read32(z->r, ZDMA_CH_TOTAL_BYTE));
	/* Forget interrupts the kernel counted before, unmask with the status clear. */
	if ((ret = udrv_irq_flush(z->irq)) < 0)
		goto fail;
	udrv_write32(z->r, ZDMA_CH_IEN, ZDMA_INT_DMA_DONE | ZDMA_INT_ERRORS);
	*out = z;
	return 0;
fail:
	udrv_device_close(z->dev);
	free(z);
	return ret;
}

void udrv_zdma_close(struct udrv_zdma *z)
{
	if (!z)
		return;
	hw_quiesce(z);
	udrv_irq_unmask(z->irq);
	udrv_device_close(z->dev);
	free(z);
}

struct udrv_device *udrv_zdma_device(const struct udrv_zdma *z)
{
	assert(z);
	return z->dev;
}

void udrv_zdma_pool(const struct udrv_zdma *z, uint64_t *bus, size_t *size)
{
	assert(z);
	if (bus)
		*bus = z->pool_bus;
	if (size)
		*size = z->pool_size;
}

unsigned int udrv_zdma_pending(const struct udrv_zdma *z)
{
	assert(z);
	return z->qlen;
}

int udrv_zdma_fd(const struct udrv_zdma *z)
{
	assert(z);
	return udrv_irq_fd(z->irq);
}

static bool in_pool(const struct udrv_zdma *z, uint64_t bus, size_t len)
{
	return bus >= z->pool_bus && len <= z->pool_size && bus - z->pool_bus <= z->pool_size - len;
}

/* A udrv_zdma_submit_buf() copy's ranges to the channel, all or none. */
static int give(const struct copy *c)
{
	int ret;

	if ((ret = udrv_dma_sync_for_device(c->sbuf, c->soff, c->len, UDRV_DMA_TO_DEVICE)))
		return ret;
	ret = udrv_dma_sync_for_device(c->dbuf, c->doff, c->len, UDRV_DMA_FROM_DEVICE);
	if (ret)
		udrv_dma_sync_for_cpu(c->sbuf, c->soff, c->len, UDRV_DMA_TO_DEVICE);
	return ret;
}

/* ... and back to the CPU, the copy done. */
static void take_back(const struct copy *c)
{
	udrv_dma_sync_for_cpu(c->dbuf, c->doff, c->len, UDRV_DMA_FROM_DEVICE);
	udrv_dma_sync_for_cpu(c->sbuf, c->soff, c->len, UDRV_DMA_TO_DEVICE);
}

/* Queue @c, checked first; it starts now if the channel is idle. */
static int queue(struct udrv_zdma *z, const struct copy *c)
{
	struct copy *q;
	int ret;

	if (!c->len || c->len > ZDMA_SIZE_MAX)
		return -EINVAL;
	if (!in_pool(z, c->dst, c->len) || !in_pool(z, c->src, c->len))
		return -EFAULT;
	if (z->qlen == ZDMA_QUEUE_MAX)
		return -EBUSY;
	/* The buffers' ranges are the channel's until the copy is retired. */
	if (c->sbuf && (ret = give(c)))
		return ret;
	q = &z->q[(z->qhead + z->qlen) % ZDMA_QUEUE_MAX];
	*q = *c;
	if (z->qlen++ == 0)
		hw_start(z, q);
	return 0;
}

int udrv_zdma_submit(struct udrv_zdma *z, uint64_t dst, uint64_t src, size_t len, void *cookie)
{
	assert(z);
	if (len > ZDMA_SIZE_MAX)
		return -EINVAL;
	return queue(z, &(struct copy){ .dst = dst, .src = src, .len = (uint32_t)len,
					.cookie = cookie });
}

int udrv_zdma_submit_buf(struct udrv_zdma *z, struct udrv_dma_buf *dst, size_t dst_off,
		    struct udrv_dma_buf *src, size_t src_off, size_t len, void *cookie)
{
	assert(z);
	if (!dst || !src || len > ZDMA_SIZE_MAX ||
	    dst_off > udrv_dma_size(dst) || len > udrv_dma_size(dst) - dst_off ||
	    src_off > udrv_dma_size(src) || len > udrv_dma_size(src) - src_off)
		return -EINVAL;
	return queue(z, &(struct copy){
		.dst = udrv_dma_bus(dst) + dst_off, .src = udrv_dma_bus(src) + src_off,
		.len = (uint32_t)len, .cookie = cookie,
		.dbuf = dst, .doff = dst_off, .sbuf = src, .soff = src_off,
	});
}

/* Serve one interrupt: retire the copy in flight, start the next. */
static int serve(struct udrv_zdma *z)
{
	uint32_t isr = udrv_read32(z->r, ZDMA_CH_ISR), err = isr & ZDMA_INT_ERRORS;
	uint32_t state = udrv_read32(z->r, ZDMA_CH_STATUS) & ZDMA_STATE_MASK;
	bool next = false;
	int ret;

	udrv_write32(z->r, ZDMA_CH_ISR, isr);
	/* the channel's writes to memory are seen after its status */
	udrv_rmb();
	if (z->qlen && ((isr & ZDMA_INT_DMA_DONE) || (err && state != ZDMA_STATE_BUSY))) {
		struct copy *c = &z->q[z->qhead];

		z->done[(z->dhead + z->dlen++) % ZDMA_QUEUE_MAX] = (struct udrv_zdma_done){
			.cookie = c->cookie, .status = err ? -EIO : 0, .errors = err, .len = c->len,
		};
		if (c->sbuf)
			take_back(c);
		z->qhead = (z->qhead + 1) % ZDMA_QUEUE_MAX;
		next = --z->qlen > 0;
	} else {
		z->stray |= err;
	}
	/* Unmask first, with the status clear, then start the next copy: its
	 * interrupt then finds the line open (an interrupt raised while the
	 * line is masked waits far longer to be delivered under QEMU). */
	ret = udrv_irq_unmask(z->irq);
	if (next)
		hw_start(z, &z->q[z->qhead]);
	return ret;
}

int udrv_zdma_wait(struct udrv_zdma *z, uint64_t timeout_ns, struct udrv_zdma_done *done)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);

	assert(z);
	for (;;) {
		bool last;
		int ret;

		if (z->dlen) {
			if (done)
				*done = z->done[z->dhead];
			z->dhead = (z->dhead + 1) % ZDMA_QUEUE_MAX;
			z->dlen--;
			return 1;
		}
		if (z->stray) {
			if (done)
				*done = (struct udrv_zdma_done){ .status = -EIO, .errors = z->stray };
			z->stray = 0;
			return -EIO;
		}
		last = !udrv_left_ns(deadline);
		ret = udrv_irq_wait_until(z->irq, deadline);
		if (ret <= 0)
			return ret;
		if ((ret = serve(z)))
			return ret;
		if (last && !z->dlen && !z->stray)
			return 0;
	}
}

/* Wait for the copy queued with @mine, completing those before it. */
static int finish(struct udrv_zdma *z, const void *mine, uint64_t deadline)
{
	struct udrv_zdma_done d;
	int ret;

	for (;;) {
		ret = udrv_zdma_wait(z, udrv_left_ns(deadline), &d);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -ETIMEDOUT;
		if (d.cookie == mine)
			return d.status;
	}
}

int udrv_zdma_copy(struct udrv_zdma *z, uint64_t dst, uint64_t src, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);
	char mine;
	int ret;

	assert(z);
	if ((ret = udrv_zdma_submit(z, dst, src, len, &mine)))
		return ret;
	return finish(z, &mine, deadline);
}

int udrv_zdma_copy_buf(struct udrv_zdma *z, struct udrv_dma_buf *dst, size_t dst_off,
		  struct udrv_dma_buf *src, size_t src_off, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);
	char mine;
	int ret;

	assert(z);
	if ((ret = udrv_zdma_submit_buf(z, dst, dst_off, src, src_off, len, &mine)))
		return ret;
	return finish(z, &mine, deadline);
}
