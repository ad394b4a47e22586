/* SPDX-License-Identifier: MIT */
/*
 * udrv_sim.h - simulated devices for host tests of udrv drivers.
 *
 * libudrv-sim is libudrv with the kernel replaced by models that live in the
 * test's process. A driver links it instead of libudrv, unchanged:
 *
 *     cc driver.c test.c $(pkg-config --cflags --libs udrv-sim)
 *
 * The udrv-sim pkg-config file defines UDRV_SIM, which turns the register
 * accessors of udrv.h (udrv_readN/udrv_writeN and their relaxed, big-endian
 * and string forms) into calls to the simulation; everything else in udrv.h
 * behaves as on a board. In the real library nothing changes.
 *
 * What the simulation does, in the kernel's place:
 *   - udrv_sim_device_add() writes the sysfs files the udrv_uio stub would
 *     (a UIO node per interrupt, its maps, its device's DT node or PCI
 *     identity, the "driver" link) under a private root and points
 *     UDRV_ROOT at it, so udrv_device_open*(), udrv_device_foreach(),
 *     udrv_kdev_find() and the udrv tool (run with that environment) find
 *     the device like a real one.
 *   - Each map is memory: the register file. A driver's read of a register
 *     calls the read hooks covering it, then returns the register file's
 *     value; a write stores the value in the register file, then calls the
 *     write hooks. A register without a hook is plain memory. The DMA pool
 *     (map "dma", as the stub's) is plain memory at its bus address.
 *   - Interrupts with the stub's semantics: the line is masked when an
 *     interrupt is delivered (the event counter moves, a waiting driver
 *     wakes) and stays masked until the driver unmasks it; an edge raised
 *     while masked is delivered at the unmask; a level line still asserted
 *     at the unmask fires again.
 *   - Removal (udrv_sim_device_remove()) as at an unbind of the stub: the
 *     sysfs node goes, read() of the node fails with EIO (the library's
 *     waits return -ENODEV), poll() reports POLLERR, and the next access to
 *     a mapping of the device raises SIGBUS.
 *
 * Locks: flock() and fcntl() open-file-description byte-range locks on a
 * simulated node (the driver's own, e.g. on udrv_irq_fd()) conflict between
 * open files of that node only, as on one /dev/uioN. For that the library
 * exports fcntl(), which passes every other call to the system call.
 *
 * The first udrv_sim_device_add() sets UDRV_ROOT with setenv(): make it
 * before the test starts threads that read the environment.
 *
 * Threads: a hook runs in the thread that made the access, or, for
 * udrv_sim_after(), in the simulation's timer thread; all hooks and timer
 * callbacks of all devices run under one lock, one at a time, so a model
 * needs no locking of its own. The udrv_sim_* functions may be called from a
 * hook (the lock is recursive) and from any thread.
 *
 * Errors as in udrv.h: 0 or a count on success, a negative errno on failure;
 * a NULL device is a programming error (assert). Not async-signal-safe.
 */
#ifndef UDRV_SIM_H
#define UDRV_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_sim_device;

/** One register region of a simulated device (a "reg" entry or a BAR). */
struct udrv_sim_map {
	const char *name;	/* reg-names entry or "barN"; NULL: unnamed */
	uint64_t addr;		/* its physical address (the sysfs "addr") */
	uint64_t size;		/* bytes; the register file has this size */
};

/**
 * struct udrv_sim_config - the identity of a simulated device, as the stub
 * would report it. Strings are copied; the struct may go after the call.
 * @name:       UIO name (the stub's: "linux,uio-name", else the node's
 *              name); required
 * @dt_path:    its DT node, e.g. "/soc/rtc@9010000": a platform device
 *              with an of_node; NULL for none
 * @compatible: its "compatible" (needs @dt_path); several entries are
 *              NUL-separated, @compatible_len bytes in all (0: strlen + 1)
 * @pci:        its PCI address "DDDD:BB:DD.F": a PCI function with
 *              @vendor:@device; NULL for none (exclusive with @dt_path)
 * @maps, @nmaps: the register regions, in UIO map order (at most 4)
 * @irqs:       number of interrupts (0..8); the stub's UIO node per
 *              interrupt: <name>, <name>.irq1, ...
 * @pool_size:  the DMA pool, 0 for none: a map "dma" after the others, at
 *              bus address @pool_addr (0: 0x40000000)
 * @driver:     the kernel driver it is bound to; NULL: "udrv_uio" (the stub)
 */
struct udrv_sim_config {
	const char *name;
	const char *dt_path;
	const char *compatible;
	size_t compatible_len;
	const char *pci;
	uint16_t vendor, device;
	const struct udrv_sim_map *maps;
	unsigned int nmaps;
	unsigned int irqs;
	uint64_t pool_size, pool_addr;
	const char *driver;
};

/**
 * udrv_sim_device_add() - create a simulated device; *@out owns it until
 * udrv_sim_device_free(). The first call creates the simulation's root
 * (a temporary directory) and sets UDRV_ROOT for the whole process.
 * Returns 0; -EINVAL a bad config (no name, too many maps or interrupts, a
 * map of size 0, both @dt_path and @pci); -EEXIST a device with that DT
 * path or PCI address exists (or, with neither, that name: the platform
 * device's name); two devices may share a UIO name, as under the stub; -ENOMEM; another -errno if the root
 * cannot be written.
 */
UDRV_API int udrv_sim_device_add(const struct udrv_sim_config *cfg,
				 struct udrv_sim_device **out);

/**
 * udrv_sim_dt_prop() - set property @prop of the device's DT node to the
 * @len bytes at @val (big-endian cells, as in a .dtb). Returns 0; -EINVAL no
 * DT node or a bad name; -errno from the file system.
 */
UDRV_API int udrv_sim_dt_prop(struct udrv_sim_device *dev, const char *prop,
			      const void *val, size_t len);

/** udrv_sim_dt_u32() - as udrv_sim_dt_prop() for a list of @n cells. */
UDRV_API int udrv_sim_dt_u32(struct udrv_sim_device *dev, const char *prop,
			     const uint32_t *cells, size_t n);

/**
 * udrv_sim_dt_load() - copy every property of node @path of the flattened
 * device tree @fdt (a .dtb, e.g. compiled from the IP's .dts fragment with
 * dtc) into the device's DT node, as udrv_sim_dt_prop() would one by one.
 * @fdt is read during the call only. Returns 0; -EINVAL no DT node or a bad
 * blob; -ENOENT no node @path in it; -errno from the file system.
 */
UDRV_API int udrv_sim_dt_load(struct udrv_sim_device *dev, const void *fdt, const char *path);

/**
 * udrv_sim_device_remove() - unbind the device as the stub's unbind does
 * (see the top of this file). Its hooks are not called again; its register
 * files and pool stay readable through udrv_sim_get()/udrv_sim_dma_read().
 * Returns 0; -ENODEV removed already.
 */
UDRV_API int udrv_sim_device_remove(struct udrv_sim_device *dev);

/**
 * udrv_sim_device_free() - remove the device if it is not, and free it. The
 * driver must have closed it (udrv_device_close()) before. NULL is a no-op.
 */
UDRV_API void udrv_sim_device_free(struct udrv_sim_device *dev);

/**
 * udrv_sim_set_data() - attach the model's state @data to @dev; @release
 * (may be NULL) is called with it by udrv_sim_device_free(), and on a
 * later udrv_sim_set_data(). udrv_sim_data() returns it (NULL if none).
 */
UDRV_API void udrv_sim_set_data(struct udrv_sim_device *dev, void *data,
				void (*release)(void *data));
UDRV_API void *udrv_sim_data(struct udrv_sim_device *dev);

/* ---- models ---------------------------------------------------------- */

/** What a hook is told: which register, how wide (1, 2, 4, 8 bytes). */
struct udrv_sim_access {
	unsigned int map;	/* the map's index in the config */
	size_t off;		/* byte offset in the map */
	unsigned int width;	/* bytes */
	uint64_t value;		/* written; for a read, the value returned */
	uint64_t old;		/* a write: the register's value before it
				 * (for write-1-to-clear bits and the like) */
};

/*
 * A read hook runs before the register file is read: it may change the
 * register (udrv_sim_set()), e.g. a counter that moves with time. A write
 * hook runs after the value is stored: it may act on it, e.g. start a
 * transfer, clear write-1-to-clear bits, raise an interrupt.
 */
typedef void (*udrv_sim_hook_fn)(struct udrv_sim_device *dev, void *ctx,
				 const struct udrv_sim_access *a);

/**
 * udrv_sim_hook() - call @read / @write (either may be NULL) with @ctx for
 * every access that overlaps bytes [@off, @off + @len) of map @map.
 * Hooks added later run first. Returns 0; -EINVAL no such map or a range
 * outside it; -ENOMEM.
 */
UDRV_API int udrv_sim_hook(struct udrv_sim_device *dev, unsigned int map, size_t off,
			   size_t len, udrv_sim_hook_fn read, udrv_sim_hook_fn write,
			   void *ctx);

/**
 * udrv_sim_get() / udrv_sim_set() - the model's view of the register file:
 * the @width-byte (1, 2, 4, 8) little-endian value at @off of map @map, with
 * no hook called and nothing traced. Out of range is a programming error
 * (assert).
 */
UDRV_API uint64_t udrv_sim_get(struct udrv_sim_device *dev, unsigned int map, size_t off,
			       unsigned int width);
UDRV_API void udrv_sim_set(struct udrv_sim_device *dev, unsigned int map, size_t off,
			   unsigned int width, uint64_t value);

/**
 * udrv_sim_irq_set() - drive level interrupt @irq: asserted (@level true)
 * fires it now if it is unmasked and again at each unmask while it stays
 * asserted. Returns 0; -EINVAL no such interrupt; -ENODEV removed.
 */
UDRV_API int udrv_sim_irq_set(struct udrv_sim_device *dev, unsigned int irq, bool level);

/**
 * udrv_sim_irq_pulse() - an edge on interrupt @irq: delivered now if the
 * line is unmasked, else at the next unmask (several edges while masked are
 * one). Returns as udrv_sim_irq_set().
 */
UDRV_API int udrv_sim_irq_pulse(struct udrv_sim_device *dev, unsigned int irq);

/**
 * udrv_sim_irq_count() - how many interrupts @irq has delivered (the
 * kernel's event counter); udrv_sim_irq_masked(): whether it is masked now.
 */
UDRV_API uint32_t udrv_sim_irq_count(struct udrv_sim_device *dev, unsigned int irq);
UDRV_API bool udrv_sim_irq_masked(struct udrv_sim_device *dev, unsigned int irq);

/**
 * udrv_sim_dma_read() / udrv_sim_dma_write() - the device's side of a DMA:
 * copy @len bytes from / to bus address @bus in the device's pool. Returns
 * 0; -EFAULT the range is not inside the pool (what an IOMMU would refuse);
 * -EINVAL no pool.
 */
UDRV_API int udrv_sim_dma_read(struct udrv_sim_device *dev, uint64_t bus, void *buf,
			       size_t len);
UDRV_API int udrv_sim_dma_write(struct udrv_sim_device *dev, uint64_t bus, const void *buf,
				size_t len);

/**
 * udrv_sim_after() - call @fn(@dev, @ctx) from the simulation's timer
 * thread @ns nanoseconds from now (under the lock, as a hook). Returns a
 * positive id for udrv_sim_cancel(); -ENOMEM; -ENODEV removed. Timers of a
 * device are cancelled when it is removed.
 */
typedef void (*udrv_sim_timer_fn)(struct udrv_sim_device *dev, void *ctx);
UDRV_API int udrv_sim_after(struct udrv_sim_device *dev, uint64_t ns, udrv_sim_timer_fn fn,
			    void *ctx);

/**
 * udrv_sim_cancel() - cancel timer @id of @dev. Returns 0; -ENOENT it has
 * run or was cancelled (from a callback other than its own, it will not
 * run once this returns).
 */
UDRV_API int udrv_sim_cancel(struct udrv_sim_device *dev, int id);

/* ---- the access trace -------------------------------------------------- */

enum udrv_sim_event {
	UDRV_SIM_READ,		/* a register read: map, off, width, value */
	UDRV_SIM_WRITE,		/* a register write */
	UDRV_SIM_IRQ,		/* an interrupt delivered: map = irq, value = count */
	UDRV_SIM_UNMASK,	/* the driver unmasked: map = irq */
	UDRV_SIM_MASK,		/* the driver masked: map = irq */
};

struct udrv_sim_trace {
	enum udrv_sim_event event;
	struct udrv_sim_access a;
};

/**
 * udrv_sim_trace() - the events recorded for @dev since it was added or
 * since the last udrv_sim_trace_clear(), oldest first: copies up to @max
 * into @out and returns how many there are in all (so a call with @max 0
 * counts them). Pool accesses are not traced. At most 65536 are kept; the
 * oldest go first.
 */
UDRV_API size_t udrv_sim_trace(struct udrv_sim_device *dev, struct udrv_sim_trace *out,
			       size_t max);
UDRV_API void udrv_sim_trace_clear(struct udrv_sim_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_SIM_H */
