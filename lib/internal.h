/* SPDX-License-Identifier: MIT */
/* internal.h - libudrv's private structures and helpers. */
#ifndef UDRV_INTERNAL_H
#define UDRV_INTERNAL_H

#include <assert.h>
#include <errno.h>
#include <limits.h>

#include "udrv.h"
#include "udrv_uio.h"

#define UDRV_MAX_IRQS 16
/* Every path buffer holds any path the kernel accepts (realpath() needs it). */
#define UDRV_PATH PATH_MAX

/* ---- sysfs.c: paths under the root prefix, reading and writing files ---- */

/* "/sys/..." under the root prefix (UDRV_ROOT); returns -ENAMETOOLONG. */
int udrv__path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Root prefix ("" if none); valid until the next call. */
const char *udrv__root(void);
/* Read a whole small file (NUL-terminated, trailing newline kept) into buf;
 * its length, -EFBIG if it holds more than len - 1 bytes, or -errno. */
int udrv__read_file(const char *path, char *buf, size_t len);
/* Read a file holding one unsigned number (0x... or decimal). */
int udrv__read_u64(const char *path, uint64_t *val);
/* The basename of the driver bound to the sysfs device @dir, "" if none. */
void udrv__driver_of(const char *dir, char *out, size_t len);
/* Write @val to the attribute @path: 0 or -errno (not logged). */
int udrv__write_attr(const char *path, const char *val);

/* @n big-endian 32-bit cells from cell @i of @v (a DT "reg" and the like),
 * as one number; of more than 2 cells, the low 64 bits. */
static inline uint64_t udrv__cells(const void *v, size_t i, unsigned int n)
{
	const unsigned char *p = (const unsigned char *)v + 4 * i;
	uint64_t x = 0;

	for (unsigned int b = 0; b < 4 * n; b++)
		x = x << 8 | p[b];
	return x;
}

/* ---- log.c ---- */

void udrv__log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- scan.c: the UIO devices in sysfs ---- */

struct udrv__node {
	unsigned int uio;
	unsigned int irq_index;	/* 0 for the first node, i for "<name>.irq<i>" */
	char name[64];
};

struct udrv__entry {
	char parent[UDRV_PATH];	/* realpath of the common parent device */
	char of_node[UDRV_PATH];/* realpath of of_node, "" if none */
	char dt_path[UDRV_PATH];
	char compatible[1024];	/* raw NUL-separated list (a longer one is refused) */
	size_t compatible_len;
	char udrv_compatible[1024];	/* UDRV_UIO_PROP_COMPATIBLE, raw list */
	size_t udrv_compatible_len;
	char pci_address[32];
	uint16_t vendor, device;
	char driver[64];	/* the kernel driver bound to the parent, "" if none */
	enum udrv_source source;
	unsigned int nnodes;
	struct udrv__node nodes[UDRV_MAX_IRQS];	/* nodes[0] is the first node */
};

/* "uioN": N, or -1 for any other name. */
long udrv__uio_number(const char *name);
/* Fill the driver, DT and PCI facts of @e from its parent directory e->parent. */
void udrv__describe(struct udrv__entry *e);
/* Calls fn for every device; fn returns non-zero to stop (returned). */
int udrv__scan(int (*fn)(const struct udrv__entry *e, void *data), void *data);
/* Does /dev/uio@uio have map @index? */
bool udrv__uio_has_map(unsigned int uio, unsigned int index);
bool udrv__entry_compatible(const struct udrv__entry *e, const char *compat);
int udrv__open_entry(const struct udrv__entry *e, bool shared, struct udrv_device **out);
/* device.c: is @opts one valid selector (a name shorter than @name_max)? 0 or -EINVAL */
int udrv__opts_check(const struct udrv_open_opts *opts, size_t name_max);
/* loop.c, for host.c: drop every IRQ source of @dev; call @fn after an IRQ
 * source's callback was told its device is gone (-ENODEV). */
void udrv__loop_forget_device(struct udrv_loop *loop, const struct udrv_device *dev);
void udrv__loop_on_gone(struct udrv_loop *loop, void (*fn)(struct udrv_device *, void *),
			void *data);
/* After open: is @node (open as @fd, or -1) still what the scan saw? -ESTALE if not. */
int udrv__verify_node(const struct udrv__entry *e, const struct udrv__node *node, int fd);
/* pread (@rbuf) or pwrite (@wbuf) of @len bytes of PCI config space at
 * @offset through sysfs `config`; bytes done or -errno (logged). */
int udrv__pci_config(const struct udrv_device *dev, unsigned int offset, void *rbuf,
		     const void *wbuf, size_t len);

/* ---- objects ---- */

struct udrv_region {
	struct udrv_device *dev;
	unsigned int index;
	char name[64];		/* the map's name, as the kernel driver gave it */
	char alias[8];		/* "regN" (DT reg entry N) or "barN" (PCI BAR N), or "" */
	char reg_name[64];	/* entry N of the DT node's reg-names, or "" */
	uint64_t phys;
	size_t size;
	volatile void *base;
	void *map;		/* page-aligned mmap start */
	size_t map_len;
};

struct udrv_irq {
	struct udrv_device *dev;
	unsigned int index;
	unsigned int uio;
	int fd;
	uint32_t count;
	uint64_t missed;
	bool intx;		/* no irqcontrol: (un)mask in the PCI command register */
};

/* alloc.c: a range allocator over [0, size) */
struct udrv__span {
	size_t off, len;
};

struct udrv__alloc {
	struct udrv__span *free;	/* sorted, never adjacent */
	size_t nfree, cap;
};

/* All of [0, @size) free: 0 or -ENOMEM. */
int udrv__alloc_init(struct udrv__alloc *a, size_t size);
void udrv__alloc_fini(struct udrv__alloc *a);
/* @size bytes at an offset *@off with @base + *@off a multiple of @align
 * (a power of two): 0, -ENOSPC (no room) or -ENOMEM. */
int udrv__alloc_take(struct udrv__alloc *a, uint64_t base, size_t size, size_t align,
		     size_t *off);
/* [off, off+len) free again: 0, -EINVAL (part of it is free: nothing
 * done) or -ENOMEM (it stays taken). */
int udrv__alloc_give(struct udrv__alloc *a, size_t off, size_t len);

/* A buffer descriptor: a slot in one of its device's slabs, which live until
 * the device is closed, so that a stale pointer (a double free) still points
 * at a slot of the device and is recognised as not live. */
struct udrv_dma_buf {
	struct udrv_device *dev;
	bool live;
	size_t off, len;		/* the range taken from the pool */
	size_t size;
	void *cpu;
	uint64_t bus;
};

#define UDRV_DMA_SLAB 32		/* descriptors per slab */

struct udrv_device {
	struct udrv__entry e;
	int fd;			/* first node's /dev/uioN */
	unsigned int nregions;
	struct udrv_region regions[UDRV_UIO_MAX_MAPS];
	unsigned int nirqs;
	struct udrv_irq irqs[UDRV_MAX_IRQS];
	/* DMA pool (pool.c) */
	void *pool, *pool_map;
	size_t pool_size, pool_map_len;
	uint64_t pool_bus;
	int sync_fd;		/* a cached pool's UDRV_UIO_SYNC_ATTR, else -1 */
	struct udrv__alloc alloc;
	struct udrv_dma_buf **slabs;	/* nslabs arrays of UDRV_DMA_SLAB */
	size_t nslabs, next_slot;	/* slots are handed out round-robin */
	struct udrv_dt *dt;	/* udrv_device_dt(), loaded on first use */
	bool shared;		/* opened shared: no DMA allocator */
	bool dma_check;		/* UDRV_DMA_CHECK=1: buffers' ownership enforced (dma.c) */
	bool gone;		/* an interrupt call found the device removed */
};

/* time.c: @ns as a ppoll() timeout in *@ts, or NULL (forever) for UINT64_MAX
 * and for any value a time_t cannot hold. */
struct timespec;
struct timespec *udrv__timespec(uint64_t ns, struct timespec *ts);
/* a + b, or UINT64_MAX if that does not fit */
static inline uint64_t udrv__add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}
/* region.c */
int udrv__map_all(struct udrv_device *dev);
void udrv__unmap_all(struct udrv_device *dev);
/* pool.c: the map @map (@map_len bytes) holds the pool, @size bytes from
 * @offset, at bus address @bus. */
int udrv__pool_init(struct udrv_device *dev, void *map, size_t map_len, size_t offset,
		    size_t size, uint64_t bus);
void udrv__pool_teardown(struct udrv_device *dev);
/* irq.c */
int udrv__irq_setup(struct udrv_device *dev);
/* Does the UIO node open as @fd have an interrupt? 1, 0, or -1 if poll() fails. */
int udrv__has_irq(int fd);
void udrv__irq_teardown(struct udrv_device *dev);
/* dma.c */
void udrv__dma_teardown(struct udrv_device *dev);
/* dt.c */
void udrv__dt_teardown(struct udrv_device *dev);
/* A node @path of the blob @fdt (@len bytes, malloc'ed, owned by the call
 * in every case; @what names it in messages). */
int udrv__dt_open_owned(void *fdt, size_t len, const char *what, const char *path,
			struct udrv_dt **out);

#endif /* UDRV_INTERNAL_H */
