/* SPDX-License-Identifier: MIT */
/*
 * dma.c - buffers inside a device's DMA pool (pool.c), their ranges from
 * the pool's allocator (alloc.c). Alignment is of the bus address (the
 * pool is page-aligned on both sides).
 *
 * Descriptors are slots the device owns (internal.h), taken round-robin, so
 * that freeing one twice finds it not live instead of returning its range
 * to the pool twice, which would hand one bus range to two buffers.
 */
#include <stdlib.h>
#include <string.h>

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

UDRV_API int udrv_dma_alloc(struct udrv_device *dev, size_t size, size_t align,
			    struct udrv_dma_buf **out)
{
	struct udrv_dma_buf *buf;
	int ret;

	assert(dev);
	if (!out || !size || (align & (align - 1)))
		return -EINVAL;
	if (!dev->pool)
		return udrv__fail(-ENXIO, "%s: no DMA pool", dev->e.nodes[0].name);
	if (dev->shared)
		return udrv__fail(-EPERM, "%s: opened shared: no DMA allocator (the other opens "
				  "would hand out the same ranges)", dev->e.nodes[0].name);
	if (!align)
		align = 64;
	buf = new_slot(dev);
	if (!buf)
		return -ENOMEM;
	ret = udrv__alloc_take(&dev->alloc, dev->pool_bus, size, align, &buf->off);
	if (ret == -ENOSPC)
		return udrv__fail(-ENOMEM, "%s: DMA pool exhausted (%zu bytes, align %zu)",
				  dev->e.nodes[0].name, size, align);
	if (ret)
		return ret;	/* the slot stays free */
	buf->len = size;
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
	/* A slot stays the device's until close: reading it is safe even
	 * when it is not live any more. */
	dev = buf->dev;
	if (!buf->live || !owns(dev, buf))
		return udrv__fail(-EINVAL, "%s: udrv_dma_free(%p): not a live buffer (freed twice?)",
				  dev->e.nodes[0].name, (void *)buf);
	buf->live = false;
	ret = udrv__alloc_give(&dev->alloc, buf->off, buf->len);
	if (ret == -EINVAL)	/* cannot happen: the free list would be corrupt */
		return udrv__fail(-EINVAL, "%s: udrv_dma_free(): range %#zx+%#zx is already free",
				  dev->e.nodes[0].name, buf->off, buf->len);
	/* On -ENOMEM the range is lost to the pool, never handed out twice. */
	return ret;
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
