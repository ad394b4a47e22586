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
 * `pci_dma_bits` (default 32), `msi` (use one MSI vector instead of INTx).
 *
 * Pools at run time: root writes "DEVICE SIZE" (the device's sysfs name,
 * bytes) to the `pool` attribute of any of the stub's drivers
 * (/sys/bus/{platform,amba,pci}/drivers/udrv_uio/pool) before binding it;
 * the request wins over UDRV_UIO_PROP_POOL and pci_pool_size for every
 * later binding of that device ("DEVICE 0": no pool) until "-DEVICE" is
 * written. Reading the attribute lists the requests.
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
