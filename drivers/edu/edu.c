// SPDX-License-Identifier: MIT
/*
 * edu.c - QEMU edu PCI device driver on libudrv (see edu.h, edu_regs.h).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edu.h"
#include "edu_regs.h"

#define MS		1000000ull
#define STUB		"udrv_uio"
#define EDU_POOL_SIZE	65536u	/* what udrv_edu_bind() asks the stub for */

struct udrv_edu {
	struct udrv_device *dev;
	struct udrv_region *bar0;
	volatile void *r;
	struct udrv_irq *irq;
	uint32_t pending;	/* causes seen and acknowledged, not yet asked for */
	unsigned int dma_bits;
	struct {		/* the range a transfer that timed out still holds */
		struct udrv_dma_buf *buf;
		size_t off;
		uint32_t len;
		enum udrv_dma_dir dir;
	} busy;
};

const char *udrv_edu_last_error(void)
{
	return udrv_last_error();
}

#define fail udrv_error

#define rd(edu, off)		udrv_read32((edu)->r, (off))
#define wr(edu, off, v)		udrv_write32((edu)->r, (off), (v))

/* ---- finding and binding the PCI function (libudrv's udrv_kdev) ---- */

/* The function at @addr, or else the first 1234:11e8. 0 or -ENOENT. */
static int locate(const char *addr, struct udrv_kdev *kd)
{
	struct udrv_open_opts sel = { .pci_address = addr };
	int ret;

	if (!addr)
		sel = (struct udrv_open_opts){ .pci_vendor = EDU_VENDOR_ID, .pci_device = EDU_DEVICE_ID };
	ret = udrv_kdev_find(&sel, kd);
	if (ret == -ENOENT && !addr)
		return fail(-ENOENT, "no edu device (PCI %04x:%04x) on the PCI bus", EDU_VENDOR_ID,
			    EDU_DEVICE_ID);
	return ret;
}

int udrv_edu_bind(const char *pci_address)
{
	struct udrv_kdev kd;
	int ret;

	if ((ret = locate(pci_address, &kd)))
		return ret;
	if (kd.driver[0] && strcmp(kd.driver, STUB))
		return fail(-EBUSY, "%s is bound to the kernel driver %s, not " STUB
			    " (left alone)", kd.name, kd.driver);
	/* The stub gives a PCI device a DMA pool only when asked (its pool
	 * attribute), before the binding: edu's DMA engine needs one. */
	if (!strcmp(kd.driver, STUB) && kd.pool_size)
		return 0;
	/* forced only off the stub: bound without a pool, it is bound again with one */
	if ((ret = udrv_kdev_bind(&kd, true, EDU_POOL_SIZE)))
		return fail(ret, "%s: %s", kd.name, udrv_last_error());
	return 0;
}

/* Why udrv could not open the function: absent, unbound or someone else's. */
static int explain_absent(const char *pci_address)
{
	struct udrv_kdev kd;
	int ret;

	if ((ret = locate(pci_address, &kd)))
		return ret;
	if (kd.vendor != EDU_VENDOR_ID || kd.device != EDU_DEVICE_ID)
		return fail(-ENODEV, "%s is %04x:%04x, not an edu (%04x:%04x)", kd.name, kd.vendor,
			    kd.device, EDU_VENDOR_ID, EDU_DEVICE_ID);
	if (!kd.driver[0])
		return fail(-ENODEV, "%s is bound to no driver: hand it to " STUB
			    " (udrv_edu_bind(), or `udrv bind %s --pool 65536`) or to uio_pci_generic",
			    kd.name, kd.name);
	if (strcmp(kd.driver, STUB) && strcmp(kd.driver, "uio_pci_generic"))
		return fail(-EBUSY, "%s is bound to the kernel driver %s, not to a UIO driver "
			    "(" STUB " or uio_pci_generic)", kd.name, kd.driver);
	return fail(-ENOENT, "%s is bound to %s but has no UIO device", kd.name, kd.driver);
}

/* ---- interrupts ---- */

/* One interrupt by @deadline: the stub masked the line; acknowledge what we
 * read (the line drops once the status is empty), keep it, unmask.
 * 1, 0 if none came, -errno (-ENODEV: removed). */
static int take(struct udrv_edu *edu, uint64_t deadline)
{
	uint32_t st;
	int ret = udrv_irq_wait_until(edu->irq, deadline);

	if (ret <= 0)
		return ret;
	st = rd(edu, EDU_REG_IRQ_STATUS);
	if (st)
		wr(edu, EDU_REG_IRQ_ACK, st);
	edu->pending |= st;
	ret = udrv_irq_unmask(edu->irq);
	return ret < 0 ? ret : 1;
}

/*
 * Before an operation touches the registers: is the device still there?
 * After an unbind the stub has revoked the mappings (the next access is
 * SIGBUS); udrv_device_present() tells without touching them. 0, -ENODEV.
 * (A removal during the operation can still fault.)
 */
static int alive(struct udrv_edu *edu)
{
	return udrv_device_present(edu->dev);
}

int udrv_edu_irq_wait(struct udrv_edu *edu, uint32_t bits, uint64_t timeout_ns, uint32_t *seen)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);
	int ret;

	assert(edu);
	if (!bits)
		return -EINVAL;
	if (!edu->irq)
		return fail(-ENXIO, "%s: %s gave the device no interrupt",
			    udrv_device_pci_address(edu->dev), udrv_device_driver(edu->dev));
	for (bool waited = false;; waited = true) {
		if (edu->pending & bits) {
			if (seen)
				*seen = edu->pending & bits;
			edu->pending &= ~bits;
			return 1;
		}
		/* A cause that does not clear fires again at every unmask
		 * (an interrupt storm): the deadline ends the wait all the same. */
		if (waited && !udrv_left_ns(deadline))
			return 0;
		if ((ret = take(edu, deadline)) <= 0)
			return ret;
	}
}

/* Wait for the device's own completion interrupt @cause: 0 or -errno. */
static int completion(struct udrv_edu *edu, uint32_t cause, uint64_t timeout_ns)
{
	int ret = udrv_edu_irq_wait(edu, cause, timeout_ns, NULL);

	if (ret == 0)
		return fail(-ETIMEDOUT, "no %s-done interrupt within %llu ms",
			    cause == EDU_IRQ_DMA ? "DMA" : "factorial",
			    (unsigned long long)(timeout_ns / MS));
	return ret < 0 ? ret : 0;
}

int udrv_edu_irq_raise(struct udrv_edu *edu, uint32_t bits)
{
	int ret;

	assert(edu);
	if (!bits || (bits & EDU_IRQ_RESERVED))
		return fail(-EINVAL, "interrupt cause 0x%x: must be non-zero and leave 0x%x "
			    "(factorial and DMA completion) alone", bits, EDU_IRQ_RESERVED);
	if ((ret = alive(edu)))
		return ret;
	wr(edu, EDU_REG_IRQ_RAISE, bits);
	return 0;
}

void udrv_edu_irq_stats(const struct udrv_edu *edu, uint32_t *count, uint64_t *missed)
{
	assert(edu);
	if (count)
		*count = edu->irq ? udrv_irq_count(edu->irq) : 0;
	if (missed)
		*missed = edu->irq ? udrv_irq_missed(edu->irq) : 0;
}

/* ---- open / close ---- */

int udrv_edu_liveness(struct udrv_edu *edu, uint32_t pattern)
{
	uint32_t v;
	int ret;

	assert(edu);
	if ((ret = alive(edu)))
		return ret;
	wr(edu, EDU_REG_LIVENESS, pattern);
	v = rd(edu, EDU_REG_LIVENESS);
	if (v != ~pattern)
		return fail(-EIO, "liveness check: wrote 0x%08x, read 0x%08x (expected 0x%08x)",
			    pattern, v, ~pattern);
	return 0;
}

/* Quiesce: no factorial interrupt, no DMA running, every cause acknowledged. */
static int quiesce(struct udrv_edu *edu)
{
	int ret;

	if ((ret = alive(edu)))
		return ret;	/* removed: its registers are left alone */
	wr(edu, EDU_REG_STATUS, 0);
	udrv_region_poll32(edu->bar0, EDU_REG_STATUS, EDU_STATUS_COMPUTING, 0, 1000 * MS, NULL);
	if (udrv_region_poll32(edu->bar0, EDU_REG_DMA_CMD, EDU_DMA_CMD_START, 0, 1000 * MS, NULL))
		return fail(-EBUSY, "a DMA left running by an earlier user did not finish");
	wr(edu, EDU_REG_IRQ_ACK, 0xffffffffu);
	if (!edu->irq)
		return 0;
	edu->pending = 0;
	ret = udrv_irq_flush(edu->irq);
	return ret < 0 ? ret : 0;
}

int udrv_edu_open(const char *pci_address, struct udrv_edu **out)
{
	struct udrv_edu *edu;
	char addr[16];
	uint32_t id;
	int ret;

	if (!out)
		return -EINVAL;
	/* either form of a PCI address: the library opens the full one */
	if (pci_address && udrv_pci_address_parse(pci_address, addr, sizeof(addr)))
		return fail(-EINVAL, "'%s' is not a PCI address (0000:00:02.0 or 00:02.0)",
			    pci_address);
	if (pci_address)
		pci_address = addr;
	edu = calloc(1, sizeof(*edu));
	if (!edu)
		return -ENOMEM;
	edu->dma_bits = 32;
	ret = pci_address ? udrv_device_open_pci(pci_address, &edu->dev)
			  : udrv_device_open_pci_id(EDU_VENDOR_ID, EDU_DEVICE_ID, 0, &edu->dev);
	if (ret == -ENOENT) {
		ret = explain_absent(pci_address);
		goto err_free;
	}
	if (ret) {
		ret = fail(ret, "cannot open the edu device: %s", udrv_last_error());
		goto err_free;
	}
	/* BAR0 is all that opening needs; the interrupt (factorial, irq, DMA)
	 * and the stub's DMA pool (DMA) are asked for by what uses them. */
	if (udrv_device_region_by_name(edu->dev, "bar0", EDU_REG_DMA_CMD + 8, &edu->bar0)) {
		ret = fail(-EIO, "%s: %s gave no BAR0 of %u bytes: %s",
			   udrv_device_pci_address(edu->dev), udrv_device_driver(edu->dev),
			   EDU_REG_DMA_CMD + 8, udrv_last_error());
		goto err_close;
	}
	if (udrv_device_irq(edu->dev, 0, &edu->irq))
		edu->irq = NULL;
	edu->r = udrv_region_base(edu->bar0);
	id = rd(edu, EDU_REG_ID);
	if ((id & EDU_ID_MAGIC_MASK) != EDU_ID_MAGIC) {
		ret = fail(-ENODEV, "%s: identification register reads 0x%08x, not 0xRRrr00ed",
			   udrv_device_pci_address(edu->dev), id);
		goto err_close;
	}
	if ((ret = udrv_edu_liveness(edu, 0x5a5aa5a5u ^ (uint32_t)udrv_now_ns()))) {
		ret = -ENODEV;
		goto err_close;
	}
	if ((ret = quiesce(edu)) < 0) {
		if (ret != -EBUSY)
			fail(ret, "cannot unmask the interrupt: %s", strerror(-ret));
		goto err_close;
	}
	*out = edu;
	return 0;

err_close:
	udrv_device_close(edu->dev);
err_free:
	free(edu);
	return ret;
}

void udrv_edu_close(struct udrv_edu *edu)
{
	if (!edu)
		return;
	quiesce(edu);
	udrv_device_close(edu->dev);
	free(edu);
}

struct udrv_device *udrv_edu_device(const struct udrv_edu *edu)
{
	assert(edu);
	return edu->dev;
}

int udrv_edu_info(struct udrv_edu *edu, struct udrv_edu_info *info)
{
	int ret;

	assert(edu);
	if (!info)
		return -EINVAL;
	if ((ret = alive(edu)))
		return ret;
	info->id = rd(edu, EDU_REG_ID);
	info->major = EDU_ID_MAJOR(info->id);
	info->minor = EDU_ID_MINOR(info->id);
	info->pci_address = udrv_device_pci_address(edu->dev);
	info->uio = udrv_device_uio(edu->dev);
	info->dma_pool = udrv_device_dma_pool_size(edu->dev);
	info->driver = udrv_device_driver(edu->dev);
	info->dma_bits = edu->dma_bits;
	return 0;
}

int udrv_edu_set_dma_bits(struct udrv_edu *edu, unsigned int bits)
{
	assert(edu);
	if (bits < EDU_DMA_DEFAULT_BITS || bits > 64)
		return fail(-EINVAL, "DMA mask of %u bits: must be 28..64", bits);
	edu->dma_bits = bits;
	return 0;
}

/* ---- factorial ---- */

int udrv_edu_factorial(struct udrv_edu *edu, uint32_t n, uint32_t *result, uint64_t timeout_ns)
{
	int ret;

	assert(edu);
	if (!result)
		return -EINVAL;
	if (n > EDU_FACT_MAX)
		return fail(-ERANGE, "%u! does not fit the device's 32-bit factorial register "
			    "(largest: %u! = 479001600)", n, EDU_FACT_MAX);
	if ((ret = alive(edu)))
		return ret;
	ret = udrv_region_poll32(edu->bar0, EDU_REG_STATUS, EDU_STATUS_COMPUTING, 0,
				 timeout_ns, NULL);
	if (ret)
		return ret != -ETIMEDOUT ? ret :
		       fail(-ETIMEDOUT, "the device is still busy with an earlier factorial");
	/* A completion still raised is an earlier factorial's (one that timed
	 * out): cleared at the device, it cannot pass for this one's. */
	wr(edu, EDU_REG_IRQ_ACK, EDU_IRQ_FACT);
	edu->pending &= ~EDU_IRQ_FACT;
	/* Interrupt on completion first, then the argument starts it. */
	wr(edu, EDU_REG_STATUS, EDU_STATUS_IRQFACT);
	wr(edu, EDU_REG_FACT, n);
	if ((ret = completion(edu, EDU_IRQ_FACT, timeout_ns)))
		return ret;
	*result = rd(edu, EDU_REG_FACT);
	return 0;
}

/* ---- DMA ---- */

/*
 * The stub turns bus mastering on while the device is open; another UIO
 * driver may not (uio_pci_generic leaves it as it finds it): then set
 * Bus Master Enable (PCI command register bit 2) ourselves. Only a buffer
 * of the device's own pool reaches this, and only the stub gives pools, so
 * this is for a stub that changes its mind, not a path in use today.
 */
static int bus_master(struct udrv_edu *edu)
{
	uint8_t cmd[2];
	int ret;

	if (!strcmp(udrv_device_driver(edu->dev), STUB))
		return 0;
	ret = udrv_device_pci_config_read(edu->dev, EDU_PCI_COMMAND, cmd, 2);
	if (ret == 2 && !(cmd[0] & EDU_PCI_COMMAND_MASTER)) {
		cmd[0] |= EDU_PCI_COMMAND_MASTER;
		ret = udrv_device_pci_config_write(edu->dev, EDU_PCI_COMMAND, cmd, 2);
	}
	return ret == 2 ? 0 : fail(ret < 0 ? ret : -EIO, "cannot turn bus mastering on: %s",
				   udrv_last_error());
}

/*
 * A transfer that was not waited for to its end (a timeout) keeps its
 * range of the buffer the device's. Once the device has finished it, hand
 * the range back to the CPU. 0, -EBUSY still running, -ENODEV removed.
 */
static int retire(struct udrv_edu *edu)
{
	int ret;

	if (!edu->busy.buf)
		return 0;
	if ((ret = alive(edu)))
		return ret;
	if (rd(edu, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START)
		return fail(-EBUSY, "a DMA is still running");
	udrv_dma_sync_for_cpu(edu->busy.buf, edu->busy.off, edu->busy.len, edu->busy.dir);
	edu->busy.buf = NULL;
	return 0;
}

int udrv_edu_dma_ready(struct udrv_edu *edu)
{
	int ret;

	assert(edu);
	if ((ret = retire(edu)))
		return ret;
	if (!udrv_device_dma_pool_size(edu->dev))
		return fail(-ENXIO, "DMA needs the udrv_uio stub's DMA pool, and %s (bound to %s) "
			    "has none: bind it with `udrv bind %s --pool 65536` (or udrv_edu_bind())",
			    udrv_device_pci_address(edu->dev),
			    udrv_device_driver(edu->dev)[0] ? udrv_device_driver(edu->dev) : "?",
			    udrv_device_pci_address(edu->dev));
	if (!edu->irq)
		return fail(-ENXIO, "DMA completion needs the device's interrupt, and %s has none",
			    udrv_device_pci_address(edu->dev));
	return 0;
}

static int dma(struct udrv_edu *edu, uint32_t dir, struct udrv_dma_buf *buf, size_t buf_off,
	       uint32_t edu_off, uint32_t len, uint64_t timeout_ns)
{
	enum udrv_dma_dir sync = dir ? UDRV_DMA_FROM_DEVICE : UDRV_DMA_TO_DEVICE;
	uint64_t bus, dev;
	int ret;

	if (!buf)
		return fail(-EINVAL, "no DMA buffer");
	if (len == 0)
		return fail(-EINVAL, "DMA of 0 bytes refused: QEMU 7.2's edu aborts the "
			    "emulator on a count of 0");
	if (len > EDU_DMA_BUF_SIZE)
		return fail(-EMSGSIZE, "DMA of %u bytes refused: edu's buffer holds %u", len,
			    EDU_DMA_BUF_SIZE);
	if ((uint64_t)edu_off + len > EDU_DMA_MAX)
		return fail(-ERANGE, "DMA of %u bytes at buffer offset %u refused: it reaches "
			    "the last byte of edu's 4 KiB buffer, which makes QEMU 7.2's edu "
			    "abort the emulator (offset + size must be at most %u)", len, edu_off,
			    EDU_DMA_MAX);
	if (buf_off > udrv_dma_size(buf) || len > udrv_dma_size(buf) - buf_off)
		return fail(-ERANGE, "DMA of %u bytes at offset %zu overruns the %zu-byte buffer",
			    len, buf_off, udrv_dma_size(buf));
	bus = udrv_dma_bus(buf) + buf_off;
	if (edu->dma_bits < 64 && ((bus + len - 1) >> edu->dma_bits))
		return fail(-ERANGE, "bus address 0x%llx is beyond the device's %u-bit DMA mask: "
			    "the device would silently use another address",
			    (unsigned long long)bus, edu->dma_bits);
	if ((ret = alive(edu)) || (ret = retire(edu)))
		return ret;
	if (rd(edu, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START)
		return fail(-EBUSY, "a DMA is still running");
	if ((ret = bus_master(edu)))
		return ret;

	dev = EDU_DMA_BUF_ADDR + edu_off;
	/* As for the factorial: a DMA-done still raised is an earlier
	 * transfer's, one that completed after its timeout. */
	wr(edu, EDU_REG_IRQ_ACK, EDU_IRQ_DMA);
	edu->pending &= ~EDU_IRQ_DMA;
	/* The range is the device's from here until the transfer has ended. */
	if ((ret = udrv_dma_sync_for_device(buf, buf_off, len, sync)))
		return fail(ret, "cannot hand the buffer to the device: %s", udrv_last_error());
	/* 64-bit registers; where the CPU splits the access, the low word's
	 * write sets the whole address (edu.c) and the high word's is ignored. */
	udrv_write64(edu->r, dir ? EDU_REG_DMA_DST : EDU_REG_DMA_SRC, bus);
	udrv_write64(edu->r, dir ? EDU_REG_DMA_SRC : EDU_REG_DMA_DST, dev);
	udrv_write64(edu->r, EDU_REG_DMA_COUNT, len);
	/* udrv_write32 orders the buffer's contents before the command. */
	wr(edu, EDU_REG_DMA_CMD, EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ | dir);
	edu->busy.buf = buf;
	edu->busy.off = buf_off;
	edu->busy.len = len;
	edu->busy.dir = sync;
	if ((ret = completion(edu, EDU_IRQ_DMA, timeout_ns)))
		return ret;	/* the range stays the device's: see retire() */
	udrv_rmb();	/* the device's writes before our reads of the buffer */
	udrv_dma_sync_for_cpu(buf, buf_off, len, sync);
	edu->busy.buf = NULL;
	return 0;
}

int udrv_edu_dma_to_device(struct udrv_edu *edu, struct udrv_dma_buf *buf, size_t buf_off,
		      uint32_t edu_off, uint32_t len, uint64_t timeout_ns)
{
	assert(edu);
	return dma(edu, 0, buf, buf_off, edu_off, len, timeout_ns);
}

int udrv_edu_dma_from_device(struct udrv_edu *edu, uint32_t edu_off, struct udrv_dma_buf *buf,
			size_t buf_off, uint32_t len, uint64_t timeout_ns)
{
	assert(edu);
	return dma(edu, EDU_DMA_CMD_FROM_EDU, buf, buf_off, edu_off, len, timeout_ns);
}
