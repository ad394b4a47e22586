// SPDX-License-Identifier: MIT
/*
 * edu.c - a model of QEMU's educational PCI device "edu" (udrv_sim_edu.h).
 *
 * Register by register from QEMU 7.2's hw/misc/edu.c ("edu.c" below: the
 * release Debian 12 ships, which the guest tests run on) and
 * docs/specs/edu.rst ("edu.rst", whose sections name the registers).
 *
 * One hook covers all of BAR0. Its read half answers every access from the
 * model's state, as edu_mmio_read() does, leaving the answer in the register
 * file for the simulation to return; its write half acts as
 * edu_mmio_write(). Hooks and timers run under the simulation's lock; the
 * model's own mutex guards its state against the controls, which run
 * outside that lock and therefore never call into the simulation while
 * holding the mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udrv_sim_edu.h"

#define MAGIC		0x6564754du	/* "eduM": udrv_sim_data() is one of ours */
#define BAR_SIZE	0x100000u	/* edu.rst "PCI specs": Region 0, 1 MB */
#define EDU_ID		0x010000edu	/* edu.rst 0x00: 0xRRrr00ed, version 1.0 */
#define FACT_IRQ	0x00000001u	/* edu.c FACT_IRQ */
#define DMA_IRQ		0x00000100u	/* edu.c DMA_IRQ */
#define ST_COMPUTING	0x01u		/* edu.c EDU_STATUS_COMPUTING */
#define ST_IRQFACT	0x80u		/* edu.c EDU_STATUS_IRQFACT */
#define DMA_RUN		0x1u		/* edu.c EDU_DMA_RUN */
#define DMA_TO_PCI	0x2u		/* edu.c EDU_DMA_DIR(): 1 = edu -> RAM */
#define DMA_IRQ_ON	0x4u		/* edu.c EDU_DMA_IRQ */
#define DMA_START	0x40000u	/* edu.c DMA_START: the buffer's address */
#define DMA_SIZE	4096u		/* edu.c DMA_SIZE */

struct edu {
	uint32_t magic;
	pthread_mutex_t mu;
	struct udrv_sim_device *dev;
	uint32_t addr4, fact, status, irq_status, stuck;
	uint64_t src, dst, cnt, cmd;	/* edu.c struct dma_state */
	uint64_t dma_mask, fact_ns, dma_ns;
	bool line;			/* INTx as last driven */
	unsigned int factorials, dmas, faults;
	unsigned char buf[DMA_SIZE];	/* edu.c dma_buf */
};

static struct edu *model(struct udrv_sim_device *dev)
{
	struct edu *e = udrv_sim_data(dev);

	return e && e->magic == MAGIC ? e : NULL;
}

/* INTx follows the interrupt status: asserted while it is not 0 (edu.c
 * edu_raise_irq(), edu_lower_irq(); edu.rst "IRQ controller"). Mutex held,
 * under the simulation's lock. */
static void drive_line(struct edu *e)
{
	bool level = e->irq_status != 0;

	if (level != e->line) {
		e->line = level;
		udrv_sim_irq_set(e->dev, 0, level);
	}
}

static void line_timer(struct udrv_sim_device *d, void *ctx)
{
	struct edu *e = ctx;

	(void)d;
	pthread_mutex_lock(&e->mu);
	drive_line(e);
	pthread_mutex_unlock(&e->mu);
}

/* edu.c edu_raise_irq() / edu_lower_irq(); a stuck cause stays raised. */
static void raise_irq(struct edu *e, uint32_t val)
{
	e->irq_status |= val;
	drive_line(e);
}

static void lower_irq(struct edu *e, uint32_t val)
{
	e->irq_status &= ~val | e->stuck;
	drive_line(e);
}

/* edu.c edu_fact_thread(): n! in 32 bits, COMPUTING cleared, then the
 * interrupt if 0x80 is set. (Once the product is 0 it stays 0.) */
static void fact_done(struct udrv_sim_device *d, void *ctx)
{
	struct edu *e = ctx;
	uint32_t r = 1;

	(void)d;
	pthread_mutex_lock(&e->mu);
	for (uint32_t v = e->fact; v > 0 && r; v--)
		r *= v;
	e->fact = r;
	e->status &= ~ST_COMPUTING;
	e->factorials++;
	if (e->status & ST_IRQFACT)
		raise_irq(e, FACT_IRQ);
	pthread_mutex_unlock(&e->mu);
}

/* QEMU 7.2's edu_check_range(): [addr, addr + cnt) inside the buffer, not
 * empty and ending before its last byte, else hw_error() aborts QEMU. So
 * does the model: a driver must never send such a transfer. */
static void check_range(uint64_t addr, uint64_t cnt)
{
	uint64_t end = addr + cnt;

	if (addr >= DMA_START && addr < DMA_START + DMA_SIZE && end > addr &&
	    end < DMA_START + DMA_SIZE)
		return;
	fprintf(stderr, "edu model: DMA range 0x%llx-0x%llx out of bounds (0x%x-0x%x): "
		"QEMU 7.2's edu aborts the emulator here (hw_error())\n",
		(unsigned long long)addr, (unsigned long long)(end - 1), DMA_START,
		DMA_START + DMA_SIZE - 1);
	abort();
}

/* edu.c edu_dma_timer(): copy, clear RUN, raise 0x100 if asked. The bus
 * address is masked (edu_clamp_addr()); the bus's error is ignored. */
static void dma_done(struct udrv_sim_device *d, void *ctx)
{
	struct edu *e = ctx;
	bool to_ram;
	uint64_t at;
	int ret;

	pthread_mutex_lock(&e->mu);
	if (!(e->cmd & DMA_RUN))
		goto out;
	to_ram = e->cmd & DMA_TO_PCI;
	at = to_ram ? e->src : e->dst;
	check_range(at, e->cnt);
	at -= DMA_START;
	if (to_ram) {
		ret = udrv_sim_dma_write(d, e->dst & e->dma_mask, e->buf + at, e->cnt);
	} else {
		ret = udrv_sim_dma_read(d, e->src & e->dma_mask, e->buf + at, e->cnt);
		if (ret)	/* refused: QEMU's unassigned memory reads 0 */
			memset(e->buf + at, 0, e->cnt);
	}
	e->faults += ret != 0;
	e->dmas++;
	e->cmd &= ~(uint64_t)DMA_RUN;
	if (e->cmd & DMA_IRQ_ON)
		raise_irq(e, DMA_IRQ);
out:
	pthread_mutex_unlock(&e->mu);
}

/* edu.c edu_mmio_read(): 32-bit accesses below 0x80, 32 or 64 from there
 * (edu.rst "MMIO area spec"); anything else, and any other offset, reads
 * as all ones. */
static void mmio_read(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	struct edu *e = ctx;
	uint64_t v = ~0ull;

	pthread_mutex_lock(&e->mu);
	if (a->off < 0x80 ? a->width == 4 : a->width >= 4) {
		switch (a->off) {
		case 0x00: v = EDU_ID; break;		/* identification (RO) */
		case 0x04: v = e->addr4; break;		/* liveness: ~ the last write */
		case 0x08: v = e->fact; break;		/* factorial: n, then n! */
		case 0x20: v = e->status; break;	/* status */
		case 0x24: v = e->irq_status; break;	/* interrupt status (RO) */
		case 0x80: v = e->src; break;		/* DMA source address */
		case 0x88: v = e->dst; break;		/* DMA destination address */
		case 0x90: v = e->cnt; break;		/* DMA transfer count */
		case 0x98: v = e->cmd; break;		/* DMA command */
		}
	}
	pthread_mutex_unlock(&e->mu);
	udrv_sim_set(d, a->map, a->off, a->width, v);
}

/* edu.c edu_mmio_write(); accesses of other sizes are dropped. */
static void mmio_write(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	struct edu *e = ctx;
	uint64_t v = a->value;

	(void)d;
	if (a->off < 0x80 ? a->width != 4 : a->width < 4)
		return;
	pthread_mutex_lock(&e->mu);
	switch (a->off) {
	case 0x04:	/* liveness: the inverse is kept */
		e->addr4 = ~(uint32_t)v;
		break;
	case 0x08:	/* factorial: ignored while computing, else starts one */
		if (e->status & ST_COMPUTING)
			break;
		e->fact = (uint32_t)v;
		e->status |= ST_COMPUTING;
		if (e->fact_ns != UDRV_SIM_EDU_NEVER)
			udrv_sim_after(d, e->fact_ns, fact_done, e);
		break;
	case 0x20:	/* status: only 0x80 is writable */
		e->status = (v & ST_IRQFACT) ? e->status | ST_IRQFACT : e->status & ~ST_IRQFACT;
		break;
	case 0x60:	/* interrupt raise: ORed into the status */
		raise_irq(e, (uint32_t)v);
		break;
	case 0x64:	/* interrupt acknowledge: cleared from the status */
		lower_irq(e, (uint32_t)v);
		break;
	case 0x80:	/* DMA registers: ignored while a DMA runs (edu.c dma_rw()) */
	case 0x88:
	case 0x90:
		if (!(e->cmd & DMA_RUN))
			*(a->off == 0x80 ? &e->src : a->off == 0x88 ? &e->dst : &e->cnt) = v;
		break;
	case 0x98:	/* DMA command: with 0x1 set and none running, starts one */
		if (!(v & DMA_RUN) || (e->cmd & DMA_RUN))
			break;
		e->cmd = v;
		if (e->dma_ns != UDRV_SIM_EDU_NEVER)
			udrv_sim_after(d, e->dma_ns, dma_done, e);
		break;
	}
	pthread_mutex_unlock(&e->mu);
}

static void release(void *data)
{
	struct edu *e = data;

	pthread_mutex_destroy(&e->mu);
	free(e);
}

int udrv_sim_edu_add(const struct udrv_sim_edu_config *cfg, struct udrv_sim_device **out)
{
	struct udrv_sim_edu_config c = cfg ? *cfg : (struct udrv_sim_edu_config){ 0 };
	struct udrv_sim_map bar = { "bar0", c.bar0 ? c.bar0 : 0x10000000, BAR_SIZE };
	struct udrv_sim_config sc = {
		.name = "udrv_uio", .pci = c.pci ? c.pci : "0000:00:01.0",
		.vendor = 0x1234, .device = 0x11e8, .maps = &bar, .nmaps = 1, .irqs = 1,
		.pool_size = c.pool_size ? c.pool_size : 65536,
		.pool_addr = c.pool_addr ? c.pool_addr : 0x5c000000,
	};
	struct udrv_sim_device *d;
	struct edu *e;
	int ret;

	if (!out)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->magic = MAGIC;
	pthread_mutex_init(&e->mu, NULL);
	e->dma_mask = c.dma_mask ? c.dma_mask : 0xffffffffu;
	e->fact_ns = c.fact_ns ? c.fact_ns : 10000;
	e->dma_ns = c.dma_ns ? c.dma_ns : 100000000;
	if ((ret = udrv_sim_device_add(&sc, &d))) {
		release(e);
		return ret;
	}
	e->dev = d;
	udrv_sim_set_data(d, e, release);
	if ((ret = udrv_sim_hook(d, 0, 0, BAR_SIZE, mmio_read, mmio_write, e))) {
		udrv_sim_device_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

int udrv_sim_edu_timing(struct udrv_sim_device *dev, uint64_t fact_ns, uint64_t dma_ns)
{
	struct edu *e = model(dev);

	if (!e)
		return -EINVAL;
	pthread_mutex_lock(&e->mu);
	e->fact_ns = fact_ns;
	e->dma_ns = dma_ns;
	pthread_mutex_unlock(&e->mu);
	return 0;
}

int udrv_sim_edu_storm(struct udrv_sim_device *dev, uint32_t bits)
{
	struct edu *e = model(dev);

	if (!e)
		return -EINVAL;
	pthread_mutex_lock(&e->mu);
	e->stuck = bits;
	e->irq_status |= bits;
	pthread_mutex_unlock(&e->mu);
	/* The line is driven under the simulation's lock, from its timer
	 * thread: -ENODEV once removed, when there is no line to drive. */
	(void)udrv_sim_after(dev, 0, line_timer, e);
	return 0;
}

int udrv_sim_edu_state(struct udrv_sim_device *dev, struct udrv_sim_edu_state *st)
{
	struct edu *e = model(dev);

	if (!e || !st)
		return -EINVAL;
	pthread_mutex_lock(&e->mu);
	*st = (struct udrv_sim_edu_state){ .status = e->status, .irq_status = e->irq_status,
					   .dma_cmd = e->cmd, .factorials = e->factorials,
					   .dmas = e->dmas, .dma_faults = e->faults };
	pthread_mutex_unlock(&e->mu);
	return 0;
}

int udrv_sim_edu_buffer(struct udrv_sim_device *dev, size_t off, void *out, size_t len)
{
	struct edu *e = model(dev);

	if (!e || !out || off > DMA_SIZE || len > DMA_SIZE - off)
		return -EINVAL;
	pthread_mutex_lock(&e->mu);
	memcpy(out, e->buf + off, len);
	pthread_mutex_unlock(&e->mu);
	return 0;
}
