/* SPDX-License-Identifier: MIT */
/*
 * dma.c - buffers inside a device's DMA pool (the UIO map named "dma").
 *
 * A first-fit allocator over a sorted array of free spans; freeing merges a
 * span with its neighbours, so alloc/free cycles do not fragment the pool.
 * Alignment is of the bus address (the pool is page-aligned on both sides).
 *
 * Descriptors are slots the device owns (internal.h), taken round-robin, so
 * that freeing one twice finds it not live instead of returning its range
 * to the pool twice, which would hand one bus range to two buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

UDRV_API size_t udrv_device_dma_pool_size(const struct udrv_device *dev)
{
	assert(dev);
	return dev->pool ? dev->pool_size : 0;
}

UDRV_API int udrv_device_dma_pool_bus(const struct udrv_device *dev, uint64_t *bus)
{
	assert(dev && bus);
	if (!dev->pool)
		return -ENXIO;
	*bus = dev->pool_bus;
	return 0;
}

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
	for (size_t i = 0; i < dev->nfree; i++) {
		struct udrv__span *s = &dev->free[i];
		uint64_t bus = dev->pool_bus + s->off;
		size_t pad = (size_t)(((bus + align - 1) & ~(uint64_t)(align - 1)) - bus);

		if (pad > s->len || size > s->len - pad)
			continue;
		buf = new_slot(dev);
		if (!buf)
			return -ENOMEM;
		buf->off = s->off + pad;
		buf->len = size;
		buf->size = size;
		buf->cpu = (char *)dev->pool + buf->off;
		buf->bus = dev->pool_bus + buf->off;
		/* Cut [off+pad, off+pad+size) out of the span. */
		size_t tail_off = buf->off + size, tail_len = s->off + s->len - tail_off;

		if (pad && tail_len) {
			if (dev->nfree == dev->free_cap) {
				struct udrv__span *f = realloc(dev->free, 2 * dev->free_cap * sizeof(*f));

				if (!f)
					return -ENOMEM;	/* the slot stays free */
				dev->free = f;
				dev->free_cap *= 2;
				s = &dev->free[i];
			}
			memmove(s + 2, s + 1, (dev->nfree - i - 1) * sizeof(*s));
			s->len = pad;
			s[1] = (struct udrv__span){ tail_off, tail_len };
			dev->nfree++;
		} else if (pad) {
			s->len = pad;
		} else if (tail_len) {
			*s = (struct udrv__span){ tail_off, tail_len };
		} else {
			memmove(s, s + 1, (dev->nfree - i - 1) * sizeof(*s));
			dev->nfree--;
		}
		buf->live = true;
		*out = buf;
		return 0;
	}
	return udrv__fail(-ENOMEM, "%s: DMA pool exhausted (%zu bytes, align %zu)",
			  dev->e.nodes[0].name, size, align);
}

/* Give [off, off+len) back, merging with neighbours; -EINVAL (nothing done)
 * if it overlaps a free span, -ENOMEM if out of memory. */
static int give_back(struct udrv_device *dev, size_t off, size_t len)
{
	size_t i = 0;

	while (i < dev->nfree && dev->free[i].off < off)
		i++;
	if ((i > 0 && dev->free[i - 1].off + dev->free[i - 1].len > off) ||
	    (i < dev->nfree && off + len > dev->free[i].off))
		return -EINVAL;
	bool prev = i > 0 && dev->free[i - 1].off + dev->free[i - 1].len == off;
	bool next = i < dev->nfree && off + len == dev->free[i].off;

	if (prev && next) {
		dev->free[i - 1].len += len + dev->free[i].len;
		memmove(&dev->free[i], &dev->free[i + 1], (dev->nfree - i - 1) * sizeof(dev->free[0]));
		dev->nfree--;
	} else if (prev) {
		dev->free[i - 1].len += len;
	} else if (next) {
		dev->free[i].off = off;
		dev->free[i].len += len;
	} else {
		if (dev->nfree == dev->free_cap) {
			struct udrv__span *f = realloc(dev->free, 2 * dev->free_cap * sizeof(*f));

			if (!f)
				return -ENOMEM;
			dev->free = f;
			dev->free_cap *= 2;
		}
		memmove(&dev->free[i + 1], &dev->free[i], (dev->nfree - i) * sizeof(dev->free[0]));
		dev->free[i] = (struct udrv__span){ off, len };
		dev->nfree++;
	}
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
	ret = give_back(dev, buf->off, buf->len);
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
