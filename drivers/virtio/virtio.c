// SPDX-License-Identifier: MIT
/*
 * virtio.c - virtio-mmio version 2 transport and split virtqueues over udrv.
 *
 * Initialization follows 3.1.1 (reset, ACKNOWLEDGE, DRIVER, features,
 * FEATURES_OK, queues, DRIVER_OK) with the MMIO specifics of 4.2.3. A queue is
 * two DMA buffers, one per writer (2.6): the driver's (descriptor table,
 * available ring, and an indirect table per descriptor when
 * VIRTIO_F_INDIRECT_DESC is negotiated) and the device's (the used ring).
 * Free descriptors are chained in host memory: only the driver writes the
 * table, so a chain's links are the free list's links when it was taken.
 *
 * Who owns the rings (udrv.h, "Who owns a DMA buffer"): the driver's buffer
 * is the CPU's while buffers are added and the device's from the kick on;
 * the used ring is the device's, each field the CPU reads taken for that
 * read only. Separate buffers keep the two apart in whole pages, as the
 * ownership checker (UDRV_DMA_CHECK=1) needs.
 */
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio.h"
#include "virtio_regs.h"

struct udrv_virtq {
	struct udrv_virtio_dev *vd;
	unsigned int index, size;
	struct udrv_dma_buf *drv, *dev;	/* what the driver writes; the used ring */
	size_t drv_len, dev_len;
	bool drv_cpu;			/* drv is the CPU's (since the first add) */
	struct virtq_desc *desc, *ind;	/* ind: indirect tables, or NULL */
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head, nfree, avail_idx, last_used;
	uint16_t published;		/* avail_idx as the device last saw it */
	uint16_t used_idx;		/* used->idx as last read */
	uint16_t *next;			/* free list / chain links */
	uint16_t *chain;		/* descriptors taken by the buffer at a head */
	void **token;			/* per head; NULL: not in flight */
};

struct udrv_virtio_dev {
	struct udrv_device *udev;
	struct udrv_region *regs;
	volatile void *base;
	struct udrv_irq *irq;		/* NULL: no interrupt, polled only */
	uint32_t id;
	uint64_t features;
	bool negotiated, polled;
	uint64_t irqs;
	struct udrv_virtq *vqs[VIRTIO_MAX_QUEUES];
};

const char *udrv_virtio_last_error(void)
{
	return udrv_last_error();
}

static uint32_t rd(const struct udrv_virtio_dev *vd, size_t off)
{
	return udrv_read32(vd->base, off);
}

static void wr(struct udrv_virtio_dev *vd, size_t off, uint32_t v)
{
	udrv_write32(vd->base, off, v);
}

/* 4.2.3.1.1: write 0 to Status, then wait for it to read back 0. */
static int reset(struct udrv_virtio_dev *vd)
{
	wr(vd, VIRTIO_MMIO_STATUS, 0);
	return udrv_region_poll32(vd->regs, VIRTIO_MMIO_STATUS, ~0u, 0, 1000000000ull, NULL);
}

static const char *type_name(uint32_t id)
{
	static const char *const names[] = { "none", "network", "block", "console", "entropy" };

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : "other";
}

/*
 * The first UIO device whose DT node lists "virtio,mmio" and whose Device
 * ID register (4.2.2) says @device_id (0: any), into *@out; its UIO name
 * into @name. Devices another process holds (-EBUSY) are passed over.
 */
static int find_by_type(uint32_t device_id, struct udrv_device **out, char *name, size_t len)
{
	struct udrv_device *dev;
	struct udrv_region *r;
	unsigned int seen = 0, busy = 0;
	int ret;

	for (unsigned int i = 0;; i++) {
		ret = udrv_device_open_dt_compatible(VIRTIO_MMIO_COMPATIBLE, i, &dev);
		if (ret == -EBUSY) {
			busy++;
			continue;
		}
		if (ret == -ENOENT)
			break;
		if (ret)
			return ret;
		seen++;
		if (!udrv_device_region(dev, 0, VIRTIO_MMIO_SIZE, &r) &&
		    udrv_read32(udrv_region_base(r), VIRTIO_MMIO_MAGIC) == VIRTIO_MMIO_MAGIC_VALUE &&
		    (!device_id ||
		     udrv_read32(udrv_region_base(r), VIRTIO_MMIO_DEVICE_ID) == device_id)) {
			snprintf(name, len, "%s", udrv_device_name(dev));
			*out = dev;
			return 0;
		}
		udrv_device_close(dev);
	}
	if (busy)	/* what is wanted may be one of them: say so */
		return udrv_error(-EBUSY, "no free virtio %s device: %u UIO device%s with "
				    "compatible \"%s\" %s in use by another driver (%u other%s "
				    "looked at)", type_name(device_id), busy, busy == 1 ? "" : "s",
				    VIRTIO_MMIO_COMPATIBLE, busy == 1 ? "is" : "are", seen,
				    seen == 1 ? "" : "s");
	return udrv_error(-ENOENT, "no free UIO device with compatible \"%s\" is a virtio "
			    "%s device (%u looked at)", VIRTIO_MMIO_COMPATIBLE,
			    type_name(device_id), seen);
}

int udrv_virtio_dev_open(const char *name, uint32_t device_id, struct udrv_virtio_dev **out)
{
	struct udrv_virtio_dev *vd;
	char found[64];
	uint32_t v;
	int ret;

	if (!out)
		return -EINVAL;
	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return -ENOMEM;
	if (!name) {
		ret = find_by_type(device_id, &vd->udev, found, sizeof(found));
		if (ret) {
			free(vd);
			return ret;
		}
		name = found;
	} else {
		ret = name[0] == '/' ? udrv_device_open_dt_path(name, &vd->udev) :
				       udrv_device_open(name, &vd->udev);
	}
	if (ret) {
		ret = udrv_error(ret, "%s: cannot open UIO device: %s", name,
				   *udrv_last_error() ? udrv_last_error() : strerror(-ret));
		goto err;
	}
	ret = udrv_device_region(vd->udev, 0, VIRTIO_MMIO_SIZE, &vd->regs);
	if (ret) {
		ret = udrv_error(ret, "%s: no register region of 0x%x bytes", name,
				   VIRTIO_MMIO_SIZE);
		goto err;
	}
	vd->base = udrv_region_base(vd->regs);
	if ((v = rd(vd, VIRTIO_MMIO_MAGIC)) != VIRTIO_MMIO_MAGIC_VALUE) {
		ret = udrv_error(-ENODEV, "%s: not virtio-mmio (magic 0x%08x)", name, v);
		goto err;
	}
	if ((v = rd(vd, VIRTIO_MMIO_VERSION)) != VIRTIO_MMIO_VERSION_MODERN) {
		ret = udrv_error(-EPROTONOSUPPORT, "%s: virtio-mmio version %u, need 2 (QEMU: "
				   "-global virtio-mmio.force-legacy=false)", name, v);
		goto err;
	}
	vd->id = rd(vd, VIRTIO_MMIO_DEVICE_ID);
	if (!vd->id || (device_id && vd->id != device_id)) {
		ret = udrv_error(-ENODEV, "%s: virtio device ID %u (%s), not %u (%s)", name,
				   vd->id, type_name(vd->id), device_id, type_name(device_id));
		goto err;
	}
	if (udrv_device_irq(vd->udev, 0, &vd->irq))
		vd->irq = NULL;
	vd->polled = !vd->irq;
	if (reset(vd)) {
		ret = udrv_error(-EIO, "%s: the device did not reset", name);
		goto err;
	}
	wr(vd, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(vd, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	*out = vd;
	return 0;
err:
	udrv_device_close(vd->udev);
	free(vd);
	return ret;
}

static void virtq_release(struct udrv_virtq *vq)
{
	udrv_dma_free(vq->drv);
	udrv_dma_free(vq->dev);
	free(vq->next);
	free(vq->chain);
	free(vq->token);
	free(vq);
}

void udrv_virtio_dev_close(struct udrv_virtio_dev *vd)
{
	if (!vd)
		return;
	/* The device forgets the queues once Status reads 0 (4.2.3.1.1):
	 * only then are the rings the driver's to free. A removed device's
	 * registers are revoked (the next access is a bus error): the stub
	 * has stopped it. */
	if (udrv_device_present(vd->udev) == 0 && reset(vd))
		udrv_error(-EIO, "%s: the device did not reset at close",
			     udrv_device_name(vd->udev));
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		if (vd->vqs[i])
			virtq_release(vd->vqs[i]);
	udrv_device_close(vd->udev);
	free(vd);
}

struct udrv_device *udrv_virtio_dev_udrv(const struct udrv_virtio_dev *vd)
{
	assert(vd);
	return vd->udev;
}

uint32_t udrv_virtio_dev_id(const struct udrv_virtio_dev *vd)
{
	assert(vd);
	return vd->id;
}

uint64_t udrv_virtio_dev_features(const struct udrv_virtio_dev *vd)
{
	assert(vd);
	return vd->features;
}

bool udrv_virtio_dev_has(const struct udrv_virtio_dev *vd, unsigned int bit)
{
	assert(vd);
	return bit < 64 && (vd->features >> bit & 1);
}

int udrv_virtio_dev_negotiate(struct udrv_virtio_dev *vd, uint64_t wanted)
{
	uint64_t offered;
	uint32_t st;

	assert(vd);
	if (vd->negotiated)
		return -EALREADY;
	wr(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered = (uint64_t)rd(vd, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered |= rd(vd, VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(offered >> VIRTIO_F_VERSION_1 & 1))
		return udrv_error(-EPROTONOSUPPORT, "device offers no VIRTIO_F_VERSION_1");
	/*
	 * Accepted whenever offered (6.1): the driver hands the device bus
	 * addresses of the stub's DMA pool (IOVAs behind an IOMMU), which is
	 * what ACCESS_PLATFORM means, and a device that sets it may refuse
	 * FEATURES_OK without it (QEMU iommu_platform=on). Its ring barriers
	 * (udrv_wmb/rmb/mb) are already the platform's, as ORDER_PLATFORM asks.
	 */
	vd->features = offered & (wanted | 1ull << VIRTIO_F_VERSION_1 |
				  1ull << VIRTIO_F_ACCESS_PLATFORM |
				  1ull << VIRTIO_F_ORDER_PLATFORM);
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(vd->features >> 32));
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(vd, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)vd->features);
	st = rd(vd, VIRTIO_MMIO_STATUS);
	wr(vd, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(vd, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		wr(vd, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FAILED);
		return udrv_error(-ENOTSUP, "device refused features 0x%llx",
				    (unsigned long long)vd->features);
	}
	vd->negotiated = true;
	return 0;
}

int udrv_virtio_config_read(struct udrv_virtio_dev *vd, unsigned int off, unsigned int width,
		       uint64_t *val)
{
	size_t at = VIRTIO_MMIO_CONFIG + off;
	uint32_t gen;
	uint64_t v;

	assert(vd);
	if (!val || (width != 8 && width != 16 && width != 32 && width != 64) ||
	    off % (width / 8) || at + width / 8 > VIRTIO_MMIO_SIZE)
		return -EINVAL;
	do {
		gen = rd(vd, VIRTIO_MMIO_CONFIG_GENERATION);
		switch (width) {
		case 8: v = udrv_read8(vd->base, at); break;
		case 16: v = le16toh(udrv_read16(vd->base, at)); break;
		case 32: v = le32toh(udrv_read32(vd->base, at)); break;
		default:	/* 4.2.2.2: 64-bit fields as two 32-bit reads */
			v = le32toh(udrv_read32(vd->base, at)) |
			    (uint64_t)le32toh(udrv_read32(vd->base, at + 4)) << 32;
		}
	} while (gen != rd(vd, VIRTIO_MMIO_CONFIG_GENERATION));
	*val = v;
	return 0;
}

static int check_status(struct udrv_virtio_dev *vd)
{
	uint32_t st = rd(vd, VIRTIO_MMIO_STATUS);

	if (st & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		return udrv_error(-EIO, "device status 0x%x: %s", st,
				    st & VIRTIO_STATUS_FAILED ? "failed" : "needs reset");
	return 0;
}

int udrv_virtio_dev_start(struct udrv_virtio_dev *vd)
{
	assert(vd);
	wr(vd, VIRTIO_MMIO_STATUS, rd(vd, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
	if (!vd->polled)
		udrv_irq_unmask(vd->irq);
	return check_status(vd);
}

/* The driver's buffer to the CPU (before it writes there) and back to the
 * device (so that it sees what was written). */
static void drv_take(struct udrv_virtq *vq)
{
	if (!vq->drv_cpu)
		udrv_dma_sync_for_cpu(vq->drv, 0, vq->drv_len, UDRV_DMA_TO_DEVICE);
	vq->drv_cpu = true;
}

static void drv_give(struct udrv_virtq *vq)
{
	if (vq->drv_cpu)
		udrv_dma_sync_for_device(vq->drv, 0, vq->drv_len, UDRV_DMA_TO_DEVICE);
	vq->drv_cpu = false;
}

/* A 16-bit field of the used ring (flags, idx), the CPU's for the read. */
static uint16_t used_read16(struct udrv_virtq *vq, uint16_t *field)
{
	size_t off = (size_t)((char *)field - (char *)vq->used);
	uint16_t v;

	udrv_dma_sync_for_cpu(vq->dev, off, sizeof(*field), UDRV_DMA_FROM_DEVICE);
	v = le16toh(__atomic_load_n(field, __ATOMIC_RELAXED));
	udrv_dma_sync_for_device(vq->dev, off, sizeof(*field), UDRV_DMA_FROM_DEVICE);
	return v;
}

int udrv_virtio_dev_set_polled(struct udrv_virtio_dev *vd, bool polled)
{
	assert(vd);
	if (!polled && !vd->irq)
		return udrv_error(-ENXIO, "%s: no interrupt", udrv_device_name(vd->udev));
	vd->polled = polled;
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		struct udrv_virtq *vq = vd->vqs[i];

		if (!vq)
			continue;
		drv_take(vq);	/* 2.6.7: a hint the device may ignore */
		__atomic_store_n(&vq->avail->flags,
				 htole16(polled ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0),
				 __ATOMIC_RELAXED);
		drv_give(vq);
	}
	udrv_mb();
	if (!polled) {
		/* Clear what came while polling, then let edges through again. */
		uint32_t isr = rd(vd, VIRTIO_MMIO_INTERRUPT_STATUS);

		if (isr)
			wr(vd, VIRTIO_MMIO_INTERRUPT_ACK, isr);
		return udrv_irq_unmask(vd->irq);
	}
	return 0;
}

bool udrv_virtio_dev_polled(const struct udrv_virtio_dev *vd)
{
	assert(vd);
	return vd->polled;
}

uint64_t udrv_virtio_dev_irq_count(const struct udrv_virtio_dev *vd)
{
	assert(vd);
	return vd->irqs;
}

/* Wait for the interrupt until @deadline; if it fired, acknowledge and
 * unmask it. 1 it fired, 0 not, -errno. */
static int irq_take(struct udrv_virtio_dev *vd, uint64_t deadline)
{
	int ret = udrv_irq_wait_until(vd->irq, deadline);

	if (ret < 0)
		return udrv_error(ret, "%s: waiting for the interrupt: %s",
				    udrv_device_name(vd->udev), strerror(-ret));
	if (ret > 0) {
		/* Acknowledge before looking at the ring: a buffer
		 * used after this makes a new edge (4.2.3.4). */
		uint32_t isr = rd(vd, VIRTIO_MMIO_INTERRUPT_STATUS);

		if (isr)
			wr(vd, VIRTIO_MMIO_INTERRUPT_ACK, isr);
		/* The ACK store before the used->idx load: a
		 * store-load order only a full barrier gives. */
		udrv_mb();
		vd->irqs++;
		udrv_irq_unmask(vd->irq);
	}
	return ret;
}

int udrv_virtio_dev_wait(struct udrv_virtio_dev *vd, struct udrv_virtq *vq, uint64_t timeout_ns)
{
	uint64_t deadline;
	unsigned int spins = 0;
	int ret;

	assert(vd && vq);
	if (!timeout_ns) {	/* just look: take an interrupt that fired, never wait */
		if (!vd->polled && (ret = irq_take(vd, 0)) < 0)
			return ret;
		if (udrv_virtq_pending(vq))
			return 0;
		return (ret = check_status(vd)) ? ret : -EAGAIN;
	}
	if (udrv_virtq_pending(vq))
		return 0;
	deadline = udrv_deadline_ns(timeout_ns);
	for (;;) {
		if (vd->polled) {
			if (udrv_virtq_pending(vq))
				return 0;
			if (++spins % 1024)
				continue;
		} else {
			if ((ret = irq_take(vd, deadline)) < 0)
				return ret;
			if (udrv_virtq_pending(vq))
				return 0;
		}
		if ((ret = check_status(vd)))
			return ret;
		if (!udrv_left_ns(deadline))
			return udrv_error(-ETIMEDOUT, "%s: queue %u: no buffer used in %llu ms",
					    udrv_device_name(vd->udev), vq->index,
					    (unsigned long long)(timeout_ns / 1000000));
	}
}

int udrv_virtq_create(struct udrv_virtio_dev *vd, unsigned int index, unsigned int size,
		 struct udrv_virtq **out)
{
	size_t avail_off, ind_off;
	unsigned int max;
	struct udrv_virtq *vq;
	int ret;

	assert(vd);
	if (!out || index >= VIRTIO_MAX_QUEUES)
		return -EINVAL;
	if (vd->vqs[index])
		return -EBUSY;
	wr(vd, VIRTIO_MMIO_QUEUE_SEL, index);
	if (rd(vd, VIRTIO_MMIO_QUEUE_READY))
		return udrv_error(-EBUSY, "queue %u is already live", index);
	max = rd(vd, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return udrv_error(-ENOENT, "the device has no queue %u", index);
	if (!size)
		for (size = 1; size * 2 <= max && size * 2 <= VIRTQ_DEFAULT_SIZE; size *= 2)
			;
	if (size & (size - 1) || size > max || size > 32768)
		return udrv_error(-EINVAL, "queue %u: size %u refused: the device allows "
				    "powers of 2 up to %u", index, size, max);
	vq = calloc(1, sizeof(*vq));
	if (!vq)
		return -ENOMEM;
	vq->vd = vd;
	vq->index = index;
	vq->size = size;
	avail_off = 16 * size;
	ind_off = (avail_off + 6 + 2 * size + 15) & ~(size_t)15;
	vq->drv_len = ind_off;
	if (udrv_virtio_dev_has(vd, VIRTIO_F_INDIRECT_DESC))
		vq->drv_len += (size_t)size * VIRTQ_MAX_SEGS * 16;
	vq->dev_len = 6 + 8 * size;
	vq->next = calloc(size, sizeof(*vq->next));
	vq->chain = calloc(size, sizeof(*vq->chain));
	vq->token = calloc(size, sizeof(*vq->token));
	if (!vq->next || !vq->chain || !vq->token) {
		ret = -ENOMEM;
		goto err;
	}
	ret = udrv_dma_alloc(vd->udev, vq->drv_len, 4096, &vq->drv);
	if (!ret)
		ret = udrv_dma_alloc(vd->udev, vq->dev_len, 4096, &vq->dev);
	if (ret) {
		ret = udrv_error(ret, "queue %u of %u entries: %zu bytes do not fit in the "
				   "DMA pool (%zu bytes)", index, size, vq->drv_len + vq->dev_len,
				   udrv_device_dma_pool_size(vd->udev));
		goto err;
	}
	memset(udrv_dma_cpu(vq->drv), 0, vq->drv_len);
	memset(udrv_dma_cpu(vq->dev), 0, vq->dev_len);
	vq->desc = udrv_dma_cpu(vq->drv);
	vq->avail = (void *)((char *)vq->desc + avail_off);
	if (vq->drv_len > ind_off)
		vq->ind = (void *)((char *)vq->desc + ind_off);
	vq->used = udrv_dma_cpu(vq->dev);
	for (unsigned int i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1 < size ? i + 1 : 0);
	vq->nfree = (uint16_t)(size < 65535 ? size : 65535);
	if (vd->polled)
		vq->avail->flags = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	/* Both to the device: the zeroed used ring too, the state it starts from. */
	vq->drv_cpu = true;
	drv_give(vq);
	udrv_dma_sync_for_device(vq->dev, 0, vq->dev_len, UDRV_DMA_BIDIRECTIONAL);
	/* 4.2.3.2 Virtqueue Configuration */
	uint64_t bus = udrv_dma_bus(vq->drv), used = udrv_dma_bus(vq->dev);

	wr(vd, VIRTIO_MMIO_QUEUE_NUM, size);
	wr(vd, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)bus);
	wr(vd, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(bus >> 32));
	wr(vd, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(bus + avail_off));
	wr(vd, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)((bus + avail_off) >> 32));
	wr(vd, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(vd, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(vd, VIRTIO_MMIO_QUEUE_READY, 1);
	if (rd(vd, VIRTIO_MMIO_QUEUE_READY) != 1) {
		ret = udrv_error(-EOPNOTSUPP, "queue %u: the device did not take it", index);
		goto err;
	}
	vd->vqs[index] = vq;
	*out = vq;
	return 0;
err:
	virtq_release(vq);
	return ret;
}

unsigned int udrv_virtq_size(const struct udrv_virtq *vq)
{
	assert(vq);
	return vq->size;
}

unsigned int udrv_virtq_free(const struct udrv_virtq *vq, unsigned int nsegs)
{
	assert(vq);
	if (!nsegs)
		return 0;
	return vq->ind && nsegs > 1 ? vq->nfree : vq->nfree / nsegs;
}

/* Descriptor @d for segment @s of a buffer, linked to @next if @more follow (2.6.5). */
static void set_desc(struct virtq_desc *d, const struct udrv_virtq_seg *s, bool more, uint16_t next)
{
	d->addr = htole64(s->bus);
	d->len = htole32(s->len);
	d->flags = htole16((s->device_writes ? VIRTQ_DESC_F_WRITE : 0) | (more ? VIRTQ_DESC_F_NEXT : 0));
	d->next = htole16(next);
}

int udrv_virtq_add(struct udrv_virtq *vq, const struct udrv_virtq_seg *segs, unsigned int n, void *token)
{
	struct virtq_desc *d;
	uint16_t head, id;
	bool ind;

	assert(vq);
	if (!segs || !n || n > VIRTQ_MAX_SEGS || !token)
		return -EINVAL;
	for (unsigned int i = 1; i < n; i++)
		if (segs[i - 1].device_writes && !segs[i].device_writes)
			return -EINVAL;
	ind = vq->ind && n > 1;
	if (vq->nfree < (ind ? 1 : n))
		return -ENOSPC;
	drv_take(vq);
	head = id = vq->free_head;
	if (ind) {	/* 2.6.5.3.1: one descriptor pointing at a table of n */
		d = vq->ind + (size_t)head * VIRTQ_MAX_SEGS;
		for (unsigned int i = 0; i < n; i++)
			set_desc(&d[i], &segs[i], i + 1 < n, (uint16_t)(i + 1));
		vq->desc[head].addr = htole64(udrv_dma_bus(vq->drv) +
					      (uint64_t)((char *)d - (char *)vq->desc));
		d = &vq->desc[head];
		d->len = htole32(n * 16);
		d->flags = htole16(VIRTQ_DESC_F_INDIRECT);
		vq->free_head = vq->next[head];
		vq->chain[head] = 1;
	} else {
		for (unsigned int i = 0; i < n; i++) {
			set_desc(&vq->desc[id], &segs[i], i + 1 < n, vq->next[id]);
			id = vq->next[id];
		}
		vq->free_head = id;
		vq->chain[head] = (uint16_t)n;
	}
	vq->nfree -= vq->chain[head];
	vq->token[head] = token;
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = htole16(head);
	vq->avail_idx++;
	return 0;
}

void udrv_virtq_kick(struct udrv_virtq *vq)
{
	size_t idx;

	assert(vq);
	idx = (size_t)((char *)&vq->avail->idx - (char *)vq->desc);
	drv_give(vq);	/* descriptors and ring entries, the index as last published */
	if (vq->avail_idx == vq->published)
		return;
	vq->published = vq->avail_idx;
	udrv_wmb();	/* descriptors and ring entries before the index (2.6.13) */
	udrv_dma_sync_for_cpu(vq->drv, idx, sizeof(vq->avail->idx), UDRV_DMA_TO_DEVICE);
	__atomic_store_n(&vq->avail->idx, htole16(vq->avail_idx), __ATOMIC_RELAXED);
	udrv_dma_sync_for_device(vq->drv, idx, sizeof(vq->avail->idx), UDRV_DMA_TO_DEVICE);
	udrv_mb();	/* the index before reading the device's flags */
	if (!(used_read16(vq, &vq->used->flags) & VIRTQ_USED_F_NO_NOTIFY))
		wr(vq->vd, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
}

bool udrv_virtq_pending(struct udrv_virtq *vq)
{
	assert(vq);
	if (vq->used_idx == vq->last_used)
		vq->used_idx = used_read16(vq, &vq->used->idx);
	return vq->used_idx != vq->last_used;
}

int udrv_virtq_get(struct udrv_virtq *vq, void **token, uint32_t *len)
{
	struct virtq_used_elem *u, e;
	uint16_t id, last;
	size_t at;

	assert(vq);
	if (!udrv_virtq_pending(vq))
		return 0;
	udrv_rmb();	/* the index before the element it covers */
	u = &vq->used->ring[vq->last_used & (vq->size - 1)];
	at = (size_t)((char *)u - (char *)vq->used);
	udrv_dma_sync_for_cpu(vq->dev, at, sizeof(e), UDRV_DMA_FROM_DEVICE);
	e = *u;
	udrv_dma_sync_for_device(vq->dev, at, sizeof(e), UDRV_DMA_FROM_DEVICE);
	id = (uint16_t)le32toh(e.id);
	if (le32toh(e.id) >= vq->size || !vq->token[id])
		return udrv_error(-EIO, "queue %u: the device used id %u, not in flight",
				    vq->index, le32toh(e.id));
	vq->last_used++;
	if (token)
		*token = vq->token[id];
	if (len)
		*len = le32toh(e.len);
	vq->token[id] = NULL;
	last = id;
	for (unsigned int i = 1; i < vq->chain[id]; i++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;
	vq->free_head = id;
	vq->nfree += vq->chain[id];
	return 1;
}
