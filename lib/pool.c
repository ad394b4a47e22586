/* SPDX-License-Identifier: MIT */
/*
 * pool.c - a device's DMA pool: the udrv_uio stub's map named "dma"
 * (udrv_uio.h), mapped by region.c, with its allocator (alloc.c) over it.
 * Buffers in it are dma.c's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* A cached pool (udrv_uio.h): its device has the sync attribute. */
static int open_sync(struct udrv_device *dev)
{
	char path[UDRV_PATH + 16];

	snprintf(path, sizeof(path), "%s/" UDRV_UIO_SYNC_ATTR, dev->e.parent);
	if (access(path, F_OK))
		return 0;	/* coherent */
	dev->sync_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (dev->sync_fd < 0)
		return udrv_error(-errno, "%s: the DMA pool is cached, and its sync attribute "
				  "cannot be opened: %s%s", path, strerror(errno),
				  errno == EACCES ? " (the udev rule of examples/udev gives it "
				  "the group of /dev/uioN)" : "");
	return 0;
}

int udrv__pool_init(struct udrv_device *dev, void *map, size_t map_len, size_t offset,
		    size_t size, uint64_t bus)
{
	int ret;

	if (dev->pool) {
		munmap(map, map_len);
		return udrv_error(-EINVAL, "uio%u: two DMA pools", dev->e.nodes[0].uio);
	}
	dev->pool = (char *)map + offset;
	dev->pool_map = map;
	dev->pool_size = size;
	dev->pool_map_len = map_len;
	dev->pool_bus = bus;
	/* on failure, close unmaps it and closes the fd */
	ret = open_sync(dev);
	return ret ? ret : udrv__alloc_init(&dev->alloc, size);
}

void udrv__pool_teardown(struct udrv_device *dev)
{
	if (dev->pool)
		munmap(dev->pool_map, dev->pool_map_len);
	dev->pool = NULL;
	if (dev->sync_fd >= 0)
		close(dev->sync_fd);
	dev->sync_fd = -1;
	udrv__alloc_fini(&dev->alloc);
}

UDRV_API size_t udrv_device_dma_pool_size(const struct udrv_device *dev)
{
	assert(dev);
	return dev->pool ? dev->pool_size : 0;
}

UDRV_API bool udrv_device_dma_pool_cached(const struct udrv_device *dev)
{
	assert(dev);
	return dev->pool && dev->sync_fd >= 0;
}

UDRV_API int udrv_device_dma_pool_bus(const struct udrv_device *dev, uint64_t *bus)
{
	assert(dev && bus);
	if (!dev->pool)
		return -ENXIO;
	*bus = dev->pool_bus;
	return 0;
}
