/* SPDX-License-Identifier: MIT */
/*
 * dma.c - buffers inside a device's DMA pool (pool.c), their ranges from
 * the pool's allocator (alloc.c). Alignment is of the bus address (the
 * pool is page-aligned on both sides).
 *
 * Descriptors are slots the device owns (internal.h), taken round-robin, so
 * that freeing one twice finds it not live instead of returning its range
 * to the pool twice, which would hand one bus range to two buffers.
 *
 * Ownership (udrv.h): the syncs cost nothing on the stub's coherent pools
 * and are one pwrite() to the stub's sync attribute on a cached one (pool.c
 * opens it); when the device was opened with UDRV_DMA_CHECK=1, buffers take
 * whole pages and those handed to the device are PROT_NONE until handed back.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* A slot that is not live (not yet marked live), after the last one taken. */
static struct udrv_dma_buf *new_slot(struct udrv_device *dev)
{
	size_t n = dev->nslabs * UDRV_DMA_SLAB;
	struct udrv_dma_buf **s, *slab;

	for (size_t k = 0; k < n; k++) {
		size_t i = (dev->next_slot + k) % n;
		struct udrv_dma_buf *b = &dev->slabs[i / UDRV_DMA_SLAB][i % UDRV_DMA_SLAB];

		if (!b->live) {
			dev->next_slot = i + 1;
			return b;
		}
	}
	s = realloc(dev->slabs, (dev->nslabs + 1) * sizeof(*s));
	if (!s)
		return NULL;
	dev->slabs = s;
	slab = calloc(UDRV_DMA_SLAB, sizeof(*slab));
	if (!slab)
		return NULL;
	for (size_t i = 0; i < UDRV_DMA_SLAB; i++)
		slab[i].dev = dev;
	dev->slabs[dev->nslabs++] = slab;
	dev->next_slot = n + 1;
	return &slab[0];
}

/* Is @buf one of @dev's slots? (Pointer comparisons only.) */
static bool owns(const struct udrv_device *dev, const struct udrv_dma_buf *buf)
{
	for (size_t i = 0; i < dev->nslabs; i++) {
		uintptr_t lo = (uintptr_t)dev->slabs[i], p = (uintptr_t)buf;

		if (p >= lo && p < lo + UDRV_DMA_SLAB * sizeof(*buf) && (p - lo) % sizeof(*buf) == 0)
			return true;
	}
	return false;
}

/* Is @buf a live buffer of its device? If not, say so (for @what) and
 * return false. A slot stays its device's until close: reading it is safe
 * even when it is not live any more. */
static bool live(const struct udrv_dma_buf *buf, const char *what)
{
	if (buf->live && owns(buf->dev, buf))
		return true;
	udrv_error(-EINVAL, "%s: %s of %p: not a live buffer (freed twice?)",
		   buf->dev->e.nodes[0].name, what, (void *)buf);
	return false;
}

UDRV_API int udrv_dma_alloc(struct udrv_device *dev, size_t size, size_t align,
			    struct udrv_dma_buf **out)
{
	struct udrv_dma_buf *buf;
	int ret;

	assert(dev);
	if (!out || !size || (align & (align - 1)))
		return -EINVAL;
	if (!dev->pool)
		return udrv_error(-ENXIO, "%s: no DMA pool", dev->e.nodes[0].name);
	if (dev->shared)
		return udrv_error(-EPERM, "%s: opened shared: no DMA allocator (the other opens "
				  "would hand out the same ranges)", dev->e.nodes[0].name);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len = size;

	if (!align)
		align = 64;
	if (dev->dma_check) {	/* whole pages, so that they can be protected */
		align = align > pg ? align : pg;
		len = size > SIZE_MAX - pg ? SIZE_MAX : (size + pg - 1) & ~(pg - 1);
	}
	buf = new_slot(dev);
	if (!buf)
		return -ENOMEM;
	ret = udrv__alloc_take(&dev->alloc, dev->pool_bus, len, align, &buf->off);
	if (ret == -ENOSPC)
		return udrv_error(-ENOMEM, "%s: DMA pool exhausted (%zu bytes, align %zu)",
				  dev->e.nodes[0].name, size, align);
	if (ret)
		return ret;	/* the slot stays free */
	buf->len = len;
	buf->size = size;
	buf->cpu = (char *)dev->pool + buf->off;
	buf->bus = dev->pool_bus + buf->off;
	buf->live = true;
	*out = buf;
	return 0;
}

UDRV_API int udrv_dma_free(struct udrv_dma_buf *buf)
{
	struct udrv_device *dev;
	int ret;

	if (!buf)
		return 0;
	dev = buf->dev;
	if (!live(buf, "udrv_dma_free"))
		return -EINVAL;
	buf->live = false;
	if (dev->dma_check)	/* the CPU's again, whoever had it */
		mprotect(buf->cpu, buf->len, PROT_READ | PROT_WRITE);
	ret = udrv__alloc_give(&dev->alloc, buf->off, buf->len);
	if (ret == -EINVAL)	/* cannot happen: the free list would be corrupt */
		return udrv_error(-EINVAL, "%s: udrv_dma_free(): range %#zx+%#zx is already free",
				  dev->e.nodes[0].name, buf->off, buf->len);
	/* On -ENOMEM the range is lost to the pool, never handed out twice. */
	return ret;
}

/* The checks both syncs make; then the stub's sync (@op) on a cached pool;
 * then, when checking, the pages of the range get @prot. */
static int hand_over(struct udrv_dma_buf *buf, size_t off, size_t len, enum udrv_dma_dir dir,
		     unsigned int op, int prot)
{
	/* enum udrv_dma_dir to the stub's UDRV_UIO_DIR_* */
	static const unsigned int uio_dir[] = {
		[UDRV_DMA_TO_DEVICE] = UDRV_UIO_DIR_TO_DEVICE,
		[UDRV_DMA_FROM_DEVICE] = UDRV_UIO_DIR_FROM_DEVICE,
		[UDRV_DMA_BIDIRECTIONAL] = UDRV_UIO_DIR_BIDIRECTIONAL,
	};
	struct udrv_device *dev;
	size_t pg;
	uintptr_t lo, hi;

	assert(buf);
	dev = buf->dev;
	if (!live(buf, "DMA sync"))
		return -EINVAL;
	if (dir < UDRV_DMA_TO_DEVICE || dir > UDRV_DMA_BIDIRECTIONAL)
		return udrv_error(-EINVAL, "%s: DMA sync: direction %d is none of "
				  "UDRV_DMA_TO_DEVICE, _FROM_DEVICE, _BIDIRECTIONAL",
				  dev->e.nodes[0].name, (int)dir);
	if (!len || off > buf->size || len > buf->size - off)
		return udrv_error(-EINVAL, "%s: DMA sync of %#zx+%#zx: outside the %#zx-byte buffer",
				  dev->e.nodes[0].name, off, len, buf->size);
	if (dev->gone)
		return udrv_error(-ENODEV, "%s: the device was removed", dev->e.nodes[0].name);
	if (dev->sync_fd >= 0) {
		struct udrv_uio_sync s = { .offset = buf->off + off, .len = len, .op = op,
					   .dir = uio_dir[dir] };

		if (pwrite(dev->sync_fd, &s, sizeof(s), 0) != (ssize_t)sizeof(s))
			return udrv_error(-errno, "%s: DMA sync of %#zx+%#zx: %s",
					  dev->e.nodes[0].name, off, len, errno == ENODEV ?
					  "the device was removed" : strerror(errno));
	}
	if (!dev->dma_check)
		return 0;
	pg = (size_t)sysconf(_SC_PAGESIZE);
	lo = ((uintptr_t)buf->cpu + off) & ~(uintptr_t)(pg - 1);
	hi = ((uintptr_t)buf->cpu + off + len + pg - 1) & ~(uintptr_t)(pg - 1);
	if (mprotect((void *)lo, hi - lo, prot))
		return udrv_error(-errno, "%s: DMA ownership check: mprotect: %s",
				  dev->e.nodes[0].name, strerror(errno));
	return 0;
}

UDRV_API int udrv_dma_sync_for_device(struct udrv_dma_buf *buf, size_t offset, size_t len,
				      enum udrv_dma_dir dir)
{
	return hand_over(buf, offset, len, dir, UDRV_UIO_SYNC_FOR_DEVICE, PROT_NONE);
}

UDRV_API int udrv_dma_sync_for_cpu(struct udrv_dma_buf *buf, size_t offset, size_t len,
				   enum udrv_dma_dir dir)
{
	return hand_over(buf, offset, len, dir, UDRV_UIO_SYNC_FOR_CPU, PROT_READ | PROT_WRITE);
}

void udrv__dma_teardown(struct udrv_device *dev)
{
	for (size_t i = 0; i < dev->nslabs; i++)
		free(dev->slabs[i]);
	free(dev->slabs);
	dev->slabs = NULL;
	dev->nslabs = 0;
}

UDRV_API void *udrv_dma_cpu(const struct udrv_dma_buf *buf)
{
	assert(buf);
	return buf->cpu;
}

UDRV_API uint64_t udrv_dma_bus(const struct udrv_dma_buf *buf)
{
	assert(buf);
	return buf->bus;
}

UDRV_API size_t udrv_dma_size(const struct udrv_dma_buf *buf)
{
	assert(buf);
	return buf->size;
}
