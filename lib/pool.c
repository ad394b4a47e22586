/* SPDX-License-Identifier: MIT */
/*
 * pool.c - a device's DMA pool: the udrv_uio stub's map named "dma"
 * (udrv_uio.h), mapped by region.c, with its allocator (alloc.c) over it.
 * Buffers in it are dma.c's.
 */
#include <sys/mman.h>

#include "internal.h"

int udrv__pool_init(struct udrv_device *dev, void *map, size_t map_len, size_t offset,
		    size_t size, uint64_t bus)
{
	if (dev->pool) {
		munmap(map, map_len);
		return udrv__fail(-EINVAL, "uio%u: two DMA pools", dev->e.nodes[0].uio);
	}
	dev->pool = (char *)map + offset;
	dev->pool_map = map;
	dev->pool_size = size;
	dev->pool_map_len = map_len;
	dev->pool_bus = bus;
	return udrv__alloc_init(&dev->alloc, size);	/* on failure, close unmaps it */
}

void udrv__pool_teardown(struct udrv_device *dev)
{
	if (dev->pool)
		munmap(dev->pool_map, dev->pool_map_len);
	dev->pool = NULL;
	udrv__alloc_fini(&dev->alloc);
}

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
