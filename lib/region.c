/* SPDX-License-Identifier: MIT */
/*
 * region.c - map a device's UIO maps and give checked access to them.
 *
 * Map N of /dev/uioX is mmapped at file offset N * pagesize; the region
 * starts `offset` bytes into the mapping (sysfs maps/mapN/offset, or
 * addr & (pagesize - 1) where a kernel reports 0 for an unaligned addr).
 * A region is exactly the device's window, whatever the kernel driver says:
 *   - an unaligned addr (the udrv_uio stub, old uio_pdrv_genirq): `size` is
 *     the window's length, counted from addr;
 *   - an aligned addr with a non-zero offset (uio_pdrv_genirq since v5.x,
 *     udrv_uio before the exact maps): `size` counts from the page start
 *     and is rounded up to pages;
 * and then no longer than the device's own window where sysfs tells it:
 * the DT node's `reg` entry or the PCI BAR that starts where the region
 * does (which also names it "regN"/"barN", whatever the driver called the
 * map). A map named "dma" is the DMA pool only under the udrv_uio stub
 * (pool.c). The mapping itself covers whole pages; the checked accessors
 * never leave the region.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* #address-cells or #size-cells (@prop) for the DT node of @e: its parent's
 * or its nearest ancestor's that says (the kernel's of_n_addr_cells()). */
static unsigned int dt_cells(const struct udrv__entry *e, const char *prop, unsigned int dflt)
{
	/* of_node is the tree's directory followed by dt_path ("/" for the root) */
	size_t root = strlen(e->of_node) - strlen(e->dt_path);
	char dir[UDRV_PATH], path[UDRV_PATH + 32], *slash;
	unsigned char b[8];

	snprintf(dir, sizeof(dir), "%s", e->of_node);
	while ((slash = strrchr(dir, '/')) && (size_t)(slash - dir) >= root) {
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, prop);
		if (udrv__read_file(path, (char *)b, sizeof(b)) == 4)
			return (unsigned int)udrv__cells(b, 0, 1);
	}
	return dflt;
}

/*
 * The device's own window the region at physical address @phys (map @n,
 * named @name) is: the DT node's `reg` entry, or the PCI BAR, that starts
 * at @phys; failing that (a `reg` address a bus translates), entry @n, or
 * BAR N of a map named "barN", when it starts at the same sub-page offset.
 * Its size (0 if sysfs does not say: then the map decides) and its index
 * in *@k.
 */
static uint64_t device_window(const struct udrv_device *dev, unsigned int n, const char *name,
			      uint64_t phys, size_t pg, unsigned int *k)
{
	uint64_t start[6], size[6];
	unsigned int count = 0, guess = UINT_MAX, i = 0;
	char path[UDRV_PATH + 32];

	if (dev->e.source == UDRV_SOURCE_DT) {
		unsigned char reg[256];
		unsigned int ac = dt_cells(&dev->e, "#address-cells", 2);
		unsigned int sc = dt_cells(&dev->e, "#size-cells", 1);
		int len;

		if (!ac || ac > 4 || !sc || sc > 2)
			return 0;
		snprintf(path, sizeof(path), "%s/reg", dev->e.of_node);
		len = udrv__read_file(path, (char *)reg, sizeof(reg));
		for (; len > 0 && count < 6 && (size_t)len >= (count + 1) * 4 * (ac + sc); count++) {
			start[count] = udrv__cells(reg, count * (ac + sc), ac);
			size[count] = udrv__cells(reg, count * (ac + sc) + ac, sc);
		}
		guess = n;
	} else if (dev->e.source == UDRV_SOURCE_PCI) {
		char buf[1024], *line = buf;
		unsigned long long s, e;

		snprintf(path, sizeof(path), "%s/resource", dev->e.parent);
		if (udrv__read_file(path, buf, sizeof(buf)) < 0)
			return 0;
		for (; line && count < 6; count++) {
			bool bar = sscanf(line, "%llx %llx", &s, &e) == 2 && e && e >= s;

			start[count] = bar ? s : 0;
			size[count] = bar ? e - s + 1 : 0;	/* 0: no such BAR */
			if ((line = strchr(line, '\n')))
				line++;
		}
		if (!strncmp(name, "bar", 3) && name[3] >= '0' && name[3] <= '5' && !name[4])
			guess = (unsigned int)(name[3] - '0');
	}
	while (i < count && !(size[i] && start[i] == phys))
		i++;
	if (i == count)
		i = guess;
	if (i >= count || !size[i] || (start[i] & (pg - 1)) != (phys & (pg - 1)))
		return 0;
	*k = i;
	return size[i];
}

/* Entry @k of the DT node's reg-names as @r's reg_name (left "" if none). */
static void reg_name(struct udrv_region *r, unsigned int k)
{
	char path[UDRV_PATH + 32], names[512];
	int n, off = 0;

	snprintf(path, sizeof(path), "%s/reg-names", r->dev->e.of_node);
	n = udrv__read_file(path, names, sizeof(names));
	for (; off < n && k; k--)
		off += (int)strlen(names + off) + 1;
	if (off < n)
		snprintf(r->reg_name, sizeof(r->reg_name), "%s", names + off);
}

static int map_one(struct udrv_device *dev, unsigned int n, size_t pg)
{
	unsigned int uio = dev->e.nodes[0].uio, k = UINT_MAX;
	uint64_t sub, size, offset, phys, window;
	struct udrv_region *r;
	struct udrv_uio_map m;
	size_t len;
	bool pool;
	void *p;
	int ret;

	if ((ret = udrv_uio_map(uio, n, &m)))
		return ret;
	sub = m.addr & (pg - 1), size = m.size, offset = m.offset;
	/*
	 * UIO maps (sub + size) bytes rounded up to pages from the page holding
	 * addr (sub bytes into it). With a page-aligned addr, size counts from
	 * the page start and the device's registers begin `offset` bytes in.
	 */
	if (offset >= pg)
		return udrv_error(-EINVAL, "%s/sys/class/uio/uio%u/maps/map%u/offset: %#llx is not "
				  "below the page size", udrv__root(), uio, n,
				  (unsigned long long)offset);
	if (!size || size > SIZE_MAX - 2 * pg)
		return udrv_error(-EINVAL, "%s/sys/class/uio/uio%u/maps/map%u/size: bad size %#llx",
				  udrv__root(), uio, n, (unsigned long long)size);
	len = (size_t)((sub + size + pg - 1) & ~(uint64_t)(pg - 1));
	if (!offset)
		offset = sub;
	else if (offset >= sub + size)
		return udrv_error(-EINVAL, "%s/sys/class/uio/uio%u/maps/map%u/offset: %#llx is past "
				  "the map's size %#llx", udrv__root(), uio, n,
				  (unsigned long long)offset, (unsigned long long)size);
	size = sub + size - offset;
	phys = m.addr - sub + offset;
	/* Only the stub's map "dma" is a pool (udrv_uio.h); any other is registers. */
	pool = !strcmp(m.name, UDRV_UIO_DMA_MAP_NAME) &&
	       !strcmp(dev->e.driver, UDRV_UIO_DRIVER_NAME);
	window = pool ? 0 : device_window(dev, n, m.name, phys, pg, &k);
	if (window && window < size)
		size = window;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)n * (off_t)pg);
	if (p == MAP_FAILED)
		return udrv_error(-errno, "uio%u: cannot map map%u: %s", uio, n, strerror(errno));
	if (pool)
		return udrv__pool_init(dev, p, len, offset, size, m.addr);
	r = &dev->regions[dev->nregions++];
	*r = (struct udrv_region){ .dev = dev, .index = n, .phys = phys, .size = size,
				   .base = (char *)p + offset, .map = p, .map_len = len };
	memcpy(r->name, m.name, sizeof(r->name));
	if (k != UINT_MAX) {
		snprintf(r->alias, sizeof(r->alias), "%s%u",
			 dev->e.source == UDRV_SOURCE_PCI ? "bar" : "reg", k % 8);	/* k < 6 */
		if (dev->e.source == UDRV_SOURCE_DT)
			reg_name(r, k);
	}
	return 0;
}

int udrv__map_all(struct udrv_device *dev)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	int ret = 0;

	for (unsigned int n = 0; n < UDRV_UIO_MAX_MAPS && !ret; n++)
		ret = udrv__uio_has_map(dev->e.nodes[0].uio, n) ? map_one(dev, n, pg) : 1;
	return ret > 0 ? 0 : ret;
}

void udrv__unmap_all(struct udrv_device *dev)
{
	for (unsigned int i = 0; i < dev->nregions; i++)
		munmap(dev->regions[i].map, dev->regions[i].map_len);
	dev->nregions = 0;
	udrv__pool_teardown(dev);
}

UDRV_API unsigned int udrv_device_num_regions(const struct udrv_device *dev)
{
	assert(dev);
	return dev->nregions;
}

static int give(struct udrv_region *r, size_t min_size, struct udrv_region **out)
{
	if (r->size < min_size)
		return udrv_error(-ERANGE, "%s: region %u is %zu bytes, %zu asked",
				  r->dev->e.nodes[0].name, r->index, r->size, min_size);
	*out = r;
	return 0;
}

UDRV_API int udrv_device_region(struct udrv_device *dev, unsigned int index, size_t min_size,
				struct udrv_region **out)
{
	assert(dev);
	if (!out)
		return -EINVAL;
	for (unsigned int i = 0; i < dev->nregions; i++)
		if (dev->regions[i].index == index)
			return give(&dev->regions[i], min_size, out);
	return udrv_error(-ENOENT, "%s: no region %u (%u region%s)", dev->e.nodes[0].name,
			  index, dev->nregions, dev->nregions == 1 ? "" : "s");
}

UDRV_API int udrv_device_region_by_name(struct udrv_device *dev, const char *name,
					size_t min_size, struct udrv_region **out)
{
	assert(dev);
	if (!out || !name)
		return -EINVAL;
	/* The driver's own names first: an alias never hides a real name. */
	for (unsigned int i = 0; i < dev->nregions; i++)
		if (!strcmp(dev->regions[i].name, name))
			return give(&dev->regions[i], min_size, out);
	for (unsigned int i = 0; i < dev->nregions && name[0]; i++)
		if (!strcmp(dev->regions[i].alias, name) || !strcmp(dev->regions[i].reg_name, name))
			return give(&dev->regions[i], min_size, out);
	return udrv_error(-ENOENT, "%s: no region \"%s\" (by map name, regN/barN or reg-names)",
			  dev->e.nodes[0].name, name);
}

UDRV_API volatile void *udrv_region_base(const struct udrv_region *region)
{
	assert(region);
	return region->base;
}

UDRV_API size_t udrv_region_size(const struct udrv_region *region)
{
	assert(region);
	return region->size;
}

UDRV_API uint64_t udrv_region_phys(const struct udrv_region *region)
{
	assert(region);
	return region->phys;
}

UDRV_API const char *udrv_region_name(const struct udrv_region *region)
{
	assert(region);
	return region->name;
}

UDRV_API unsigned int udrv_region_index(const struct udrv_region *region)
{
	assert(region);
	return region->index;
}

UDRV_API const char *udrv_region_alias(const struct udrv_region *region)
{
	assert(region);
	return region->alias;
}

static int check(const struct udrv_region *r, size_t offset, unsigned int width)
{
	size_t bytes = width / 8;

	if ((width != 8 && width != 16 && width != 32 && width != 64) || offset % bytes)
		return -EINVAL;
	if (offset >= r->size || bytes > r->size - offset)
		return -ERANGE;
	/* Removed: its registers may belong to another driver by now. */
	if (r->dev->gone)
		return -ENODEV;
	return 0;
}

UDRV_API int udrv_region_read(const struct udrv_region *region, size_t offset, unsigned int width,
			      uint64_t *val)
{
	int ret;

	assert(region);
	ret = val ? check(region, offset, width) : -EINVAL;
	if (ret)
		return ret;
	switch (width) {
	case 8: *val = udrv_read8(region->base, offset); break;
	case 16: *val = udrv_read16(region->base, offset); break;
	case 32: *val = udrv_read32(region->base, offset); break;
	default: *val = udrv_read64(region->base, offset); break;
	}
	return 0;
}

UDRV_API int udrv_region_write(const struct udrv_region *region, size_t offset, unsigned int width,
			       uint64_t val)
{
	int ret;

	assert(region);
	ret = check(region, offset, width);
	if (ret)
		return ret;
	switch (width) {
	case 8: udrv_write8(region->base, offset, (uint8_t)val); break;
	case 16: udrv_write16(region->base, offset, (uint16_t)val); break;
	case 32: udrv_write32(region->base, offset, (uint32_t)val); break;
	default: udrv_write64(region->base, offset, val); break;
	}
	return 0;
}

static int poll32(const struct udrv_region *r, size_t offset, uint32_t mask, uint32_t v,
		  bool equal, uint64_t timeout_ns, uint32_t *last)
{
	uint64_t deadline;
	bool late, done;
	uint32_t x;
	int ret;

	assert(r);
	ret = check(r, offset, 32);
	if (ret)
		return ret;
	deadline = udrv_deadline_ns(timeout_ns);
	for (unsigned int spins = 0;; spins++) {
		/* As read_poll_timeout(): a read after the deadline decides, however
		 * long the thread was away since the read before. */
		late = udrv_now_ns() >= deadline;
		x = udrv_read32(r->base, offset);
		done = ((x & mask) == v) == equal;
		if (done || late)
			break;
		if (spins >= 100)
			nanosleep(&(struct timespec){ .tv_nsec = 5000 }, NULL);
	}
	if (last)
		*last = x;
	return done ? 0 : -ETIMEDOUT;
}

UDRV_API int udrv_region_poll32(const struct udrv_region *region, size_t offset, uint32_t mask,
				uint32_t expect, uint64_t timeout_ns, uint32_t *last)
{
	return poll32(region, offset, mask, expect, true, timeout_ns, last);
}

UDRV_API int udrv_region_poll32_ne(const struct udrv_region *region, size_t offset,
				   uint32_t mask, uint32_t unexpected, uint64_t timeout_ns,
				   uint32_t *last)
{
	return poll32(region, offset, mask, unexpected, false, timeout_ns, last);
}
