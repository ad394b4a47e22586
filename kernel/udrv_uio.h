/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * udrv_uio.h - the contract between the udrv_uio stub and libudrv.
 *
 * Included by kernel/udrv_uio.c and by lib/. Plain C, no kernel types.
 *
 * Map numbering (UIO allows UDRV_UIO_MAX_MAPS maps per device):
 *   maps 0 .. R-1  the device's register regions, in `reg` order for a
 *                  platform node (name from `reg-names`, else "regN"), in BAR
 *                  order for a PCI device (memory BARs only, name "barN").
 *                  `addr` is the region's exact start, `offset` its
 *                  offset in its page (addr & (pagesize - 1): the
 *                  registers are at mmap(..., N * pagesize) + offset),
 *                  `size` the region's exact length (DT `reg` size, BAR
 *                  size), as the UIO core expects for an unaligned addr.
 *                  The mapping still spans whole pages (offset + size
 *                  rounded up): libudrv's checked accessors and the udrv
 *                  tool stay inside the `size` bytes.
 *   map  R         the DMA pool, if the device has one: named
 *                  UDRV_UIO_DMA_MAP_NAME, `addr` is its bus address (an IOVA
 *                  behind an IOMMU), `offset` is 0, `size` is the pool size
 *                  rounded up to a page, the memory is zeroed at bind time.
 *                  Coherent unless asked cached (below).
 * A device with more regions than fit (R > 5, or R > 4 with a pool), or
 * with a zero-size region, is refused at probe with a kernel log line
 * saying so. PCI I/O BARs are UIO port regions (`portio/portN`, name
 * "barN"), not maps.
 *
 * Mappings: MAP_SHARED only (MAP_PRIVATE is refused with EINVAL). At unbind
 * every mapping of the registers and of the pool is revoked: the next
 * access through it raises SIGBUS, whether or not /dev/uioN is still open.
 * The device is then quiesced (PCI: bus mastering off and a function reset
 * where it has one; platform: its DT `resets` line asserted) and the pool
 * freed. PCI bus mastering is on only while /dev/uioN is open: the last
 * close turns it off, so a killed driver leaves no DMA running into the
 * pool the next opener gets. Platform devices' DT `clocks` are enabled and
 * `resets` deasserted while bound, and runtime PM is held while open.
 *
 * Names: a device-tree node's UIO device is named by UDRV_UIO_PROP_NAME,
 * else by the node name without its unit address ("pl031"); a PCI device's
 * UIO device is named UDRV_UIO_DRIVER_NAME. Binding: compatible
 * UDRV_UIO_COMPATIBLE or one in the `of_id="vendor,a;vendor,b"` module
 * parameter (semicolons: compatibles contain commas), or
 * driver_override = UDRV_UIO_DRIVER_NAME on the platform, AMBA (PrimeCell)
 * or PCI bus, or PCI new_id / the `ids=vvvv:dddd[:POOL],...` parameter
 * (POOL: that id's DMA pool in bytes, e.g. ids=1234:11e8:65536).
 * PCI-only parameters: `pci_pool_size` (bytes, default 0 = none: a PCI
 * device gets a pool only when asked, by ids=, this or the pool attribute),
 * `pci_dma_bits` (default 32), `msi` (use one MSI vector instead of INTx),
 * `pci_pool_cached` (PCI pools are cached, see below).
 *
 * Pools at run time: root writes "DEVICE SIZE" or "DEVICE SIZE cached"
 * (the device's sysfs name, bytes) to the `pool` attribute of any of the
 * stub's drivers (/sys/bus/{platform,amba,pci}/drivers/udrv_uio/pool)
 * before binding it; the request (size and mode) wins over the DT
 * properties and the pci_pool_* parameters for every later binding of that
 * device ("DEVICE 0": no pool) until "-DEVICE" is written. Reading the
 * attribute lists the requests.
 *
 * Interrupts: UIO gives a device one interrupt. A node with several
 * interrupts gets one UIO device per interrupt. The first carries the maps
 * and is named as the device; interrupt i >= 1 gets a UIO device with no
 * maps named "<name>" UDRV_UIO_IRQ_SUFFIX "<i>" (e.g. "timer.irq1"). All of
 * them have the same parent (`/sys/class/uio/uioN/device`), which is how
 * userspace groups them.
 *
 * Interrupt control: the handler masks the line and counts it; userspace
 * writes a 32-bit 1 to /dev/uioN to unmask, 0 to mask. Unmasking while the
 * device still asserts the interrupt delivers it again (one more event).
 *
 * Device gone (unbind, or the device removed) while /dev/uioN is open: read
 * fails with EIO, write with EINVAL (the UIO core's choices). An open
 * /dev/uioN pins the module: rmmod fails with EWOULDBLOCK until it closes.
 */
#ifndef UDRV_UIO_H
#define UDRV_UIO_H

#define UDRV_UIO_DRIVER_NAME	"udrv_uio"
#define UDRV_UIO_COMPATIBLE	"udrv,uio"
#define UDRV_UIO_MAX_MAPS	5
#define UDRV_UIO_DMA_MAP_NAME	"dma"
#define UDRV_UIO_IRQ_SUFFIX	".irq"

/* Device-tree properties the stub reads from a device's node. */
#define UDRV_UIO_PROP_NAME	"linux,uio-name"
#define UDRV_UIO_PROP_POOL	"udrv,dma-pool-size"	/* u32 bytes */
#define UDRV_UIO_PROP_DMA_BITS	"udrv,dma-bits"		/* u32, 24..64 */
#define UDRV_UIO_PROP_POOL_CACHED "udrv,dma-pool-cached"	/* boolean */

/*
 * Pool memory. A coherent pool (the default) comes from dma_alloc_coherent():
 * the device's CMA area, or its DT `memory-region` (a reserved-memory node,
 * "shared-dma-pool") when the node names one; the CPU maps it uncached
 * (write-combined) on a SoC whose DMA is not cache-coherent and for a
 * memory-region, as the kernel does. A cached pool (the DT property above,
 * "DEVICE SIZE cached" written to the pool attribute, or pci_pool_cached=1
 * for PCI devices) ignores memory-region: it is physically contiguous
 * page-allocator memory (at most its largest block: 4 MiB with 4 KiB pages),
 * mapped for streaming DMA in both directions for as long as it is bound
 * (dma_map_single(); through bounce buffers where the kernel bounces, at
 * most dma_max_mapping_size(), 256 KiB with swiotlb). Userspace maps it
 * cacheable, and the DMA API's ownership rules hold: the CPU's writes reach
 * the device, and the device's writes the CPU, only through a sync.
 *
 * Syncs: a device with a cached pool has a binary attribute
 * UDRV_UIO_SYNC_ATTR in its sysfs directory (the parent of every
 * /sys/class/uio/uioN it has); its presence is how userspace tells the pool
 * is cached. One pwrite() of a struct udrv_uio_sync at offset 0 runs
 * dma_sync_single_for_device() or dma_sync_single_for_cpu() on that range
 * of the pool. Errors: EINVAL a write of another size or offset, a zero or
 * out-of-pool range, an unknown op or direction; ENODEV the device was
 * unbound (the attribute goes before the pool is freed). Mode 0600: the
 * udev rule (examples/udev) gives it the group of /dev/uioN.
 */
#define UDRV_UIO_SYNC_ATTR	"dma_sync"
#define UDRV_UIO_SYNC_FOR_DEVICE	0	/* op */
#define UDRV_UIO_SYNC_FOR_CPU		1
#define UDRV_UIO_DIR_BIDIRECTIONAL	0	/* dir: enum dma_data_direction's values */
#define UDRV_UIO_DIR_TO_DEVICE		1
#define UDRV_UIO_DIR_FROM_DEVICE	2

struct udrv_uio_sync {
	unsigned long long offset;	/* bytes into the pool */
	unsigned long long len;
	unsigned int op;		/* UDRV_UIO_SYNC_FOR_* */
	unsigned int dir;		/* UDRV_UIO_DIR_* */
};

/*
 * An overlay hands a device to the stub by replacing its "compatible" with
 * UDRV_UIO_COMPATIBLE, which hides it from its kernel driver and loses its
 * identity. The overlay keeps that identity by copying the device's own
 * compatible list into this property (e.g. udrv,compatible = "arm,pl031";).
 * The stub ignores it; libudrv treats a device as compatible with X when X
 * is in "compatible" or in this list.
 */
#define UDRV_UIO_PROP_COMPATIBLE "udrv,compatible"	/* string list */

#endif /* UDRV_UIO_H */
