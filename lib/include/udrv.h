/* SPDX-License-Identifier: MIT */
/*
 * udrv.h - libudrv, userspace device drivers over UIO.
 *
 * Objects (all opaque):
 *   udrv_device   one device handed to userspace by the udrv_uio stub or by
 *                 another UIO driver (the kernel's uio_pdrv_genirq and
 *                 uio_pci_generic are supported alike): its UIO nodes,
 *                 register regions, interrupts, DMA pool (the stub's only),
 *                 and where it came from (device tree or PCI).
 *   udrv_region   one register region of a device, mapped at open.
 *   udrv_irq      one interrupt of a device (one UIO node).
 *   udrv_dma_buf  one buffer allocated inside a device's DMA pool.
 *   udrv_dt       one node of a flattened device tree (libfdt): a device's
 *                 node in the live tree, or a node of a .dtb.
 *   udrv_gpio     one GPIO line requested through libgpiod, found from a
 *                 "<name>-gpios" property.
 *   udrv_loop     a single-threaded event loop over interrupts, GPIO edge
 *                 events and timers.
 *   udrv_host     runs several drivers over the devices they match.
 *
 * Conventions, once for the whole header:
 *   - Functions return 0 (or a non-negative count) on success and a negative
 *     errno on failure. Constructors return the new object through an
 *     out-parameter, which is left untouched on failure.
 *   - The library never aborts and never prints. Failures that deserve an
 *     explanation (e.g. a missing or malformed sysfs attribute, named with its
 *     path) are passed to the log callback set with udrv_set_log() and kept
 *     in a per-thread buffer read with udrv_last_error().
 *   - Passing NULL as the object argument (the first argument) is a
 *     programming error and is caught by assert(). Other NULL or zero-size
 *     arguments are reported as -EINVAL.
 *   - Objects obtained from a device (regions, interrupts, its DT node) are
 *     owned by the device and live until udrv_device_close(). Strings returned by getters
 *     are owned by the object and live as long as it does.
 *   - The root prefix: if the environment variable UDRV_ROOT is set when a
 *     device is opened or listed, "/sys" and "/dev" are looked up under it
 *     (used by the host tests to build a fake sysfs tree).
 *   - Objects are not thread-safe; use one from one thread at a time.
 *   - fork(): a child gets copies of the objects but shares what they stand
 *     on: the open file descriptions of /dev/uioN (so the interrupt event
 *     counter, an event one of them consumes is gone for the other, and the
 *     flock: the device stays locked until both have closed it), the
 *     MAP_SHARED register and DMA-pool mappings, and the GPIO line fds. The
 *     DMA allocator's state is copied, not shared: after fork() at most one
 *     of parent and child may allocate or free on an inherited device
 *     (otherwise both hand out the same ranges). A child that will drive
 *     the device itself should be the only user: the parent closes its
 *     device, or the child execs and opens it anew once the parent has.
 *     All fds are O_CLOEXEC: exec drops them.
 */
#ifndef UDRV_H
#define UDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef UDRV_API
#define UDRV_API __attribute__((visibility("default")))
#endif

struct udrv_device;
struct udrv_region;
struct udrv_irq;
struct udrv_dma_buf;
struct udrv_dt;
struct udrv_gpio;
struct udrv_loop;
struct udrv_host;

/* ------------------------------------------------------------------ */
/* Logging and errors                                                  */

enum udrv_log_level { UDRV_LOG_ERR = 3, UDRV_LOG_WARN = 4, UDRV_LOG_INFO = 6, UDRV_LOG_DEBUG = 7 };

/**
 * udrv_log_fn - receives a message; @msg lives only during the call.
 */
typedef void (*udrv_log_fn)(int level, const char *msg, void *data);

/**
 * udrv_set_log() - set (or, with NULL, clear) the process-wide log callback.
 * @data is passed back unchanged and stays owned by the caller. Safe to
 * call from any thread; a message being logged meanwhile goes to the old or
 * the new callback (with its own data), which may run in any thread that
 * calls the library.
 */
UDRV_API void udrv_set_log(udrv_log_fn fn, void *data);

/**
 * udrv_last_error() - the message of the last failure with details in this
 * thread ("" if none). Owned by the library, valid until the next call into
 * it from this thread.
 */
UDRV_API const char *udrv_last_error(void);

/**
 * udrv_error() - record a failure the way the library does, for drivers
 * built on it: the message (printf-style, at most 511 bytes, longer is cut)
 * becomes this thread's udrv_last_error() and goes to the log callback at
 * UDRV_LOG_ERR. Arguments may point into udrv_last_error() itself.
 * Returns @err, so that `return udrv_error(-EIO, "...");` reads naturally.
 */
UDRV_API int udrv_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Time                                                                */

/*
 * Every timeout the library takes is in nanoseconds, 0 meaning "just check"
 * and UINT64_MAX "forever"; the clock is CLOCK_MONOTONIC. Drivers that wait
 * in several steps turn a timeout into a deadline once and ask what is left
 * before each step, with the three functions below, which saturate instead of
 * wrapping (a deadline never comes before now + timeout).
 */

/**
 * udrv_parse_u64() - a number as sysfs and the udrv tool write them:
 * decimal, or hexadecimal after "0x" ("010" is ten, never octal).
 * @s: the text (not NULL); @val: set on success only.
 * @end: if not NULL, set to the first character after the number, which
 * may be anything; if NULL, the whole of @s must be the number.
 * Returns 0, or -EINVAL for no number, trailing text (with @end NULL) or a
 * value past UINT64_MAX. Allocates nothing; safe from any thread.
 */
UDRV_API int udrv_parse_u64(const char *s, uint64_t *val, char **end);

/** udrv_now_ns() - CLOCK_MONOTONIC now, in nanoseconds. */
UDRV_API uint64_t udrv_now_ns(void);

/**
 * udrv_deadline_ns() - the udrv_now_ns() time @timeout_ns from now;
 * UINT64_MAX (never) for UINT64_MAX and for any timeout that would pass it.
 */
UDRV_API uint64_t udrv_deadline_ns(uint64_t timeout_ns);

/**
 * udrv_left_ns() - the timeout left until @deadline_ns: 0 once it has
 * passed, UINT64_MAX if it is UINT64_MAX (never).
 */
UDRV_API uint64_t udrv_left_ns(uint64_t deadline_ns);

/* ------------------------------------------------------------------ */
/* Devices                                                             */

/** Where a device comes from. */
enum udrv_source {
	UDRV_SOURCE_OTHER = 0,	/* a UIO device with neither a DT node nor a PCI parent */
	UDRV_SOURCE_DT,		/* a platform device with a device-tree node */
	UDRV_SOURCE_PCI,	/* a PCI function */
};

/**
 * struct udrv_device_info - what udrv_device_foreach() reports about a
 * device without opening it. Valid only during the callback.
 */
struct udrv_device_info {
	const char *name;	/* UIO name of the device's first node */
	unsigned int uio;	/* N of its first node, /dev/uioN */
	unsigned int nodes;	/* UIO nodes it spans (1 + extra interrupts) */
	enum udrv_source source;
	const char *dt_path;	/* DT: node path ("/pl031@9010000"), else NULL */
	const char *compatible;	/* DT: first compatible string, else NULL */
	const char *pci_address;/* PCI: "0000:00:02.0", else NULL */
	uint16_t vendor, device;/* PCI: ids, else 0 */
	const char *udrv_compatible;	/* DT: first "udrv,compatible" string
					 * (the device's own identity when an
					 * overlay handed it to the stub), else NULL */
	const void *entry_;	/* private to the library */
	size_t compatible_len;	/* DT: bytes of the whole NUL-separated
				 * compatible list at @compatible, else 0 */
	const char *driver;	/* the kernel driver that handed it to UIO, or "" */
	const char *sysfs_path;	/* its parent device in sysfs (resolved), or "" */
};

/*
 * Compatibility: an overlay that hands a device to the stub replaces its
 * "compatible" with "udrv,uio" and keeps the device's own list in
 * "udrv,compatible" (UDRV_UIO_PROP_COMPATIBLE in udrv_uio.h). A device is
 * compatible with X when X is in either list: udrv_device_is_compatible(),
 * udrv_device_open_dt_compatible(), udrv_device_info_is_compatible(),
 * udrv_dt_is_compatible() and driver matching (udrv_host) all say so.
 */

/**
 * udrv_device_info_is_compatible() - 1 if the device @info describes is
 * compatible with @compatible (see above), 0 if not, -EINVAL if
 * @compatible is NULL. Only during the udrv_device_foreach() callback.
 */
UDRV_API int udrv_device_info_is_compatible(const struct udrv_device_info *info,
					    const char *compatible);

/** Return 0 to continue, anything else to stop and have it returned. */
typedef int (*udrv_device_info_fn)(const struct udrv_device_info *info, void *data);

/**
 * udrv_device_foreach() - call @fn for every UIO device present, in UIO
 * number order; extra-interrupt nodes are grouped with their device.
 * Returns the number of devices visited, the first non-zero value @fn
 * returned, or -errno: -EINVAL if @fn is NULL, -ENOENT if there is no
 * sysfs UIO class (no UIO module loaded), other -errno from reading sysfs.
 */
UDRV_API int udrv_device_foreach(udrv_device_info_fn fn, void *data);

/** struct udrv_uio_node - one UIO node of a device, as sysfs and poll() see it. */
struct udrv_uio_node {
	unsigned int uio;	/* /dev/uioN */
	char name[64];		/* its UIO name ("<name>.irq<i>" for extra interrupts) */
	int64_t events;		/* the kernel's event count, -1 if unreadable */
	int irq;		/* 1 it has an interrupt, 0 none, -1 unknown (cannot open it) */
};

/**
 * udrv_device_info_node() - node @i (0 .. @info->nodes - 1) of the device
 * @info describes, into *@out (opening /dev/uioN for a moment to ask poll()
 * whether it has an interrupt; the node is not locked). Only during the
 * udrv_device_foreach() callback. Errors: -EINVAL NULL argument, -ENOENT
 * no node @i.
 */
UDRV_API int udrv_device_info_node(const struct udrv_device_info *info, unsigned int i,
				   struct udrv_uio_node *out);

/** struct udrv_uio_map - one map of a UIO node, as its kernel driver put it in sysfs. */
struct udrv_uio_map {
	char name[64];		/* "" if the driver named none */
	uint64_t addr, size, offset;
};

/**
 * udrv_uio_map() - map @index of node /dev/uio@uio, read from sysfs
 * (maps/map@index/{name,addr,size,offset}), raw: before the checks and
 * trimming udrv_device_region() applies. Errors: -EINVAL @out NULL or a
 * malformed attribute; -ENOENT no such map (the maps are numbered from 0
 * without gaps: the first -ENOENT ends them); -errno reading sysfs (named in
 * the log).
 */
UDRV_API int udrv_uio_map(unsigned int uio, unsigned int index, struct udrv_uio_map *out);

/**
 * udrv_pci_address_parse() - a PCI function's address, "dddd:bb:dd.f" or
 * the short "bb:dd.f" (domain 0), into its full sysfs form in @out
 * ("0000:00:02.0", at least 13 bytes). Returns 0, or -EINVAL for anything
 * else (device above 0x1f, function above 7, @out too short).
 */
UDRV_API int udrv_pci_address_parse(const char *s, char *out, size_t len);

/*
 * Exclusive use: every open takes an advisory lock (flock) on the device's
 * /dev/uioN, exclusive by default, so that a second driver opening a device
 * another one holds (in this or another process) fails with -EBUSY, naming
 * the node, instead of both programming it. A thread that means to share a
 * device (a monitor, a second driver that coordinates with the first) opens
 * it with udrv_device_open_with() and .shared = true: shared opens coexist with each
 * other, never with an exclusive one, and have no DMA allocator
 * (udrv_dma_alloc() fails with -EPERM). The lock goes with the last fd
 * (close, exit, or the process killed). Processes that open /dev/uioN
 * without libudrv are not stopped by it.
 */

/**
 * struct udrv_open_opts - what udrv_device_open_with() opens, and how.
 * Set exactly one of @name, @dt_path, @compatible (with @index),
 * @pci_address, @pci_vendor (with @pci_device and @index); they mean what
 * the udrv_device_open*() call of the same name takes. @shared: take the
 * shared lock instead of the exclusive one (see above). Zero-initialise the
 * struct so that fields added later keep their defaults. Read during the
 * call only; the caller keeps ownership of it and of its strings.
 */
struct udrv_open_opts {
	const char *name;
	const char *dt_path;
	const char *compatible;
	const char *pci_address;
	uint16_t pci_vendor, pci_device;
	unsigned int index;
	bool shared;
};

/**
 * udrv_device_open_with() - open the device @opts selects, with @opts's
 * options. The caller owns *@out and frees it with udrv_device_close().
 * Errors: -EINVAL @opts or @out NULL, or not exactly one selector set;
 * otherwise those of the udrv_device_open*() call for that selector.
 */
UDRV_API int udrv_device_open_with(const struct udrv_open_opts *opts, struct udrv_device **out);

/**
 * udrv_device_open() - open the device whose (first) UIO node is named
 * @name (the stub and uio_pdrv_genirq name it by "linux,uio-name", else by
 * the DT node's name without its unit address), or whose DT node's name is
 * @name ("pl031@9010000"), or, failing that, whose first node is @name =
 * "uioN". A -ENOENT's udrv_last_error() lists the devices searched.
 * Opens its /dev/uioN nodes, reads its sysfs attributes once and maps all its
 * maps. The caller owns *@out and frees it with udrv_device_close().
 * Errors: -EINVAL @name or @out NULL, empty or malformed; -ENOENT no such
 * device; -ENODEV it changed under the open twice (UIO numbers are reused:
 * after opening, each node is checked against sysfs, its dev_t, name and
 * parent, and on a mismatch the device is looked for once more);
 * -EBUSY another open holds it (see udrv_device_open_with());
 * -EINVAL a malformed sysfs attribute (named in the log);
 * -ENOENT a missing attribute (named); -errno from open/mmap (e.g. -EACCES).
 */
UDRV_API int udrv_device_open(const char *name, struct udrv_device **out);

/**
 * udrv_device_open_dt_path() - open the device whose DT node is @path, the
 * node path as in the device tree ("/pl031@9010000", "/soc/timer@ff110000").
 * Ownership and errors as udrv_device_open().
 */
UDRV_API int udrv_device_open_dt_path(const char *path, struct udrv_device **out);

/**
 * udrv_device_open_dt_compatible() - open the @index-th (0-based, in UIO
 * order) device whose DT node lists @compatible in its "compatible" or
 * "udrv,compatible" property. Ownership and errors as udrv_device_open().
 */
UDRV_API int udrv_device_open_dt_compatible(const char *compatible, unsigned int index,
					    struct udrv_device **out);

/**
 * udrv_device_open_pci() - open the PCI function at @address, in the full
 * sysfs form "0000:00:02.0". Ownership and errors as udrv_device_open().
 */
UDRV_API int udrv_device_open_pci(const char *address, struct udrv_device **out);

/**
 * udrv_device_open_pci_id() - open the @index-th PCI function with ids
 * @vendor:@device. Ownership and errors as udrv_device_open().
 */
UDRV_API int udrv_device_open_pci_id(uint16_t vendor, uint16_t device, unsigned int index,
				     struct udrv_device **out);

/**
 * udrv_device_present() - 0 if @dev is still bound, -ENODEV (with the reason
 * in udrv_last_error()) if it was removed: its driver unbound it, or the
 * device went away. Consumes no interrupt: one poll() of its first node if
 * it has an interrupt (a removed node reports POLLERR), else a look at the
 * node in sysfs. Once it says -ENODEV, so do every interrupt call and checked
 * accessor of @dev. A driver asks before an operation that touches the
 * registers: after a removal the stub has revoked their mapping and the next
 * access is SIGBUS. (A removal during the operation can still fault.)
 */
UDRV_API int udrv_device_present(struct udrv_device *dev);

/**
 * udrv_device_close() - unmap, close and free @dev with all its regions,
 * interrupts and DMA buffers. The interrupts must not be in a loop any more.
 * NULL is accepted and ignored.
 */
UDRV_API void udrv_device_close(struct udrv_device *dev);

/** udrv_device_name() - UIO name of the device's first node. Owned by @dev. */
UDRV_API const char *udrv_device_name(const struct udrv_device *dev);
/** udrv_device_uio() - N of the device's first node (/dev/uioN). */
UDRV_API unsigned int udrv_device_uio(const struct udrv_device *dev);
/** udrv_device_source() - where the device comes from. */
UDRV_API enum udrv_source udrv_device_source(const struct udrv_device *dev);
/** udrv_device_dt_path() - DT node path, or NULL if not a DT device. Owned by @dev. */
UDRV_API const char *udrv_device_dt_path(const struct udrv_device *dev);
/**
 * udrv_device_driver() - the kernel driver that handed @dev to UIO, as of
 * the open: "udrv_uio" (the stub), "uio_pdrv_genirq", "uio_pci_generic"...,
 * "" if sysfs does not say. Owned by @dev.
 */
UDRV_API const char *udrv_device_driver(const struct udrv_device *dev);
/** udrv_device_pci_address() - "0000:00:02.0", or NULL if not PCI. Owned by @dev. */
UDRV_API const char *udrv_device_pci_address(const struct udrv_device *dev);
/**
 * udrv_device_pci_id() - PCI vendor and device ids (either out pointer may
 * be NULL). -EOPNOTSUPP if @dev is not a PCI device.
 */
UDRV_API int udrv_device_pci_id(const struct udrv_device *dev, uint16_t *vendor, uint16_t *device);

/**
 * udrv_device_is_compatible() - 1 if @dev's DT node lists @compatible in
 * "compatible" or "udrv,compatible", 0 if not (or @dev is not a DT device), -EINVAL if @compatible is NULL.
 */
UDRV_API int udrv_device_is_compatible(const struct udrv_device *dev, const char *compatible);

/**
 * udrv_device_dt_property() - copy the raw value (big-endian cells, or
 * NUL-separated strings) of property @name of @dev's DT node into @buf.
 * Returns the property's full length (which may exceed @len; only @len bytes
 * are copied), -EOPNOTSUPP if @dev is not a DT device, -ENOENT if the node
 * has no such property, -EINVAL on a NULL or malformed @name, or @buf NULL
 * with @len > 0.
 */
UDRV_API int udrv_device_dt_property(const struct udrv_device *dev, const char *name,
				     void *buf, size_t len);

/**
 * udrv_device_pci_config_read() - read @len bytes of PCI config space at
 * @offset into @buf. Returns the number of bytes read (less than @len only at
 * the end of config space), -EOPNOTSUPP if @dev is not PCI, -EINVAL for a
 * NULL @buf or zero @len, -errno from the read.
 */
UDRV_API int udrv_device_pci_config_read(struct udrv_device *dev, unsigned int offset,
					 void *buf, size_t len);

/**
 * udrv_device_pci_config_write() - write @len bytes from @buf to PCI config
 * space at @offset. Returns the number of bytes written; errors as
 * udrv_device_pci_config_read().
 */
UDRV_API int udrv_device_pci_config_write(struct udrv_device *dev, unsigned int offset,
					  const void *buf, size_t len);

/**
 * udrv_device_pci_config_read8() / _read16() / _read32() - read the 8-, 16-
 * or 32-bit config register at @offset into *@val, in host order (config
 * space is little-endian). The kernel makes it one config access of that
 * width. *@val is left untouched on failure.
 * Errors: -EINVAL @val NULL or @offset not a multiple of the width;
 * -EOPNOTSUPP @dev is not PCI; -ERANGE the access does not fit in config
 * space (256 bytes, 4096 for PCI Express); -EACCES the kernel does not let
 * this process read there (without CAP_SYS_ADMIN it shows only the first 64
 * bytes: the header); -errno from opening or reading the sysfs "config".
 */
UDRV_API int udrv_device_pci_config_read8(struct udrv_device *dev, unsigned int offset,
					  uint8_t *val);
/** udrv_device_pci_config_read16() - udrv_device_pci_config_read8() for 16 bits. */
UDRV_API int udrv_device_pci_config_read16(struct udrv_device *dev, unsigned int offset,
					   uint16_t *val);
/** udrv_device_pci_config_read32() - udrv_device_pci_config_read8() for 32 bits. */
UDRV_API int udrv_device_pci_config_read32(struct udrv_device *dev, unsigned int offset,
					   uint32_t *val);

/**
 * udrv_device_pci_config_write8() / _write16() / _write32() - write @val
 * (host order) to the config register at @offset as one config access of
 * that width. Errors as the reads (but @val), and -EACCES from opening the
 * sysfs "config" (writable by root only), -EIO if the kernel took less than
 * the whole access, -errno from the write.
 */
UDRV_API int udrv_device_pci_config_write8(struct udrv_device *dev, unsigned int offset,
					   uint8_t val);
/** udrv_device_pci_config_write16() - udrv_device_pci_config_write8() for 16 bits. */
UDRV_API int udrv_device_pci_config_write16(struct udrv_device *dev, unsigned int offset,
					    uint16_t val);
/** udrv_device_pci_config_write32() - udrv_device_pci_config_write8() for 32 bits. */
UDRV_API int udrv_device_pci_config_write32(struct udrv_device *dev, unsigned int offset,
					    uint32_t val);

/* ------------------------------------------------------------------ */
/* Kernel devices: finding one, handing it to the stub and back        */

/*
 * A device as the kernel has it on the platform, AMBA or PCI bus, whoever
 * drives it: a UIO driver, a kernel driver or none. Drivers and tools find
 * and bind devices with these calls; none of them needs to know sysfs.
 * Binding follows the kernel's documented way (sysfs-bus-*, driver_override),
 * in the order that leaves no other driver a chance to probe the device:
 *   bind:   [stub's pool] -> driver_override -> [its driver's unbind] -> drivers_probe
 *   unbind: stub's unbind -> driver_override cleared -> drivers_probe
 * Everything runs as the caller: binding needs root (-EACCES otherwise).
 */

/** struct udrv_kdev - a kernel device, as of the last call that filled it. */
struct udrv_kdev {
	char bus[16];		/* "platform", "amba" or "pci" */
	char name[128];		/* its name on the bus: "9010000.pl031", "0000:00:02.0" */
	char driver[64];	/* the kernel driver bound to it, "" if none */
	int uio;		/* N of its first UIO node when a UIO driver has it, else -1 */
	char uio_name[64];	/* that node's name, else "" */
	uint64_t pool_size;	/* the stub's DMA pool (map "dma"), 0 if none */
	bool pool_cached;	/* that pool is cached (udrv_device_dma_pool_cached()) */
	uint16_t vendor, device;/* PCI: its ids, else 0 */
	char sysfs_path[4096];	/* its sysfs directory (resolved) */
};

/**
 * udrv_kdev_find() - the kernel device @sel selects into *@out, with the
 * selectors of udrv_device_open_with() (@sel->shared is ignored):
 * @dt_path: the platform or AMBA device made from that DT node;
 * @name: a device of that name on one of the three buses, else a UIO device
 * by its name or by "uioN" of any of its nodes (the device it belongs to);
 * @compatible, @index: the @index-th platform or AMBA device whose DT node is
 * compatible, counting platform devices first, each bus in name order;
 * @pci_address, in either form of udrv_pci_address_parse(); @pci_vendor,
 * @pci_device, @index: the @index-th PCI function with those ids.
 * Errors, with the reason in udrv_last_error(): -EINVAL @sel or @out NULL,
 * not exactly one selector, or a malformed one; -ENOENT nothing by that name
 * or match (no such DT node, PCI function, device); -ENODEV the DT node
 * exists but the kernel made no device of it, or the UIO device's parent is
 * on none of the three buses.
 */
UDRV_API int udrv_kdev_find(const struct udrv_open_opts *sel, struct udrv_kdev *out);

/**
 * udrv_kdev_stub_loaded() - 0 if the udrv_uio stub is loaded, else -ENXIO
 * with what to do about it in udrv_last_error().
 */
UDRV_API int udrv_kdev_stub_loaded(void);

/** Give udrv_kdev_bind() as @pool to leave the pool to the DT node or module parameters. */
#define UDRV_POOL_UNSET UINT64_MAX
/** OR into udrv_kdev_bind()'s @pool for a cached pool of that size (udrv_uio.h). */
#define UDRV_POOL_CACHED (UINT64_C(1) << 62)

/**
 * udrv_kdev_bind() - hand @kd to the udrv_uio stub, then refresh *@kd.
 * @force: unbind it from the kernel driver that has it first; without it a
 * device another driver holds is left alone. @pool: the DMA pool size to
 * ask the stub for (its `pool` attribute, kept for the device's later
 * bindings; 0 for none), | UDRV_POOL_CACHED for a cached one, or
 * UDRV_POOL_UNSET.
 * Returns 0 (also when the stub has it already with that pool), or, with
 * the reason in udrv_last_error(): -EINVAL @kd NULL; -ENXIO the stub is not
 * loaded; -EBUSY another driver holds it and @force is false; -EEXIST the
 * stub has it with another pool size or mode and @force is false (with @force it is
 * unbound from the stub and bound again with @pool); -EIO the stub did not
 * take it (the kernel log says why); -errno writing sysfs (-EACCES: not root).
 */
UDRV_API int udrv_kdev_bind(struct udrv_kdev *kd, bool force, uint64_t pool);

/**
 * udrv_kdev_unbind() - take @kd from the stub and let the kernel probe its
 * own driver for it, then refresh *@kd (->driver names the one that took
 * it, "" if none). Returns 0; 1 if the stub matches the device on its own
 * (by compatible, of_id= or ids=) and took it back, so it was unbound again
 * and left without a driver; -EINVAL @kd NULL or not bound to the stub;
 * -ENXIO the stub is not loaded; -errno writing sysfs.
 */
UDRV_API int udrv_kdev_unbind(struct udrv_kdev *kd);

/* ------------------------------------------------------------------ */
/* Regions                                                             */

/** udrv_device_num_regions() - number of register regions (the DMA pool is not one). */
UDRV_API unsigned int udrv_device_num_regions(const struct udrv_device *dev);

/**
 * udrv_device_region() - register region @index (the UIO map number), at
 * least @min_size bytes long (0: any size). *@out is owned by @dev.
 * Errors: -EINVAL @out NULL; -ENOENT no such region; -ERANGE the region is
 * smaller than @min_size.
 */
UDRV_API int udrv_device_region(struct udrv_device *dev, unsigned int index, size_t min_size,
				struct udrv_region **out);

/**
 * udrv_device_region_by_name() - the region called @name, whatever UIO
 * driver made its map: its map name as the driver gave it (the stub: the
 * "reg-names" entry, else "regN", "barN" on PCI; uio_pdrv_genirq: the node
 * name, "pl031@9010000"; uio_pci_generic: the PCI address), or the
 * stub-style aliases every driver's regions get: "regN" for the DT node's
 * `reg` entry N (and that entry's "reg-names" name), "barN" for PCI BAR N.
 * As udrv_device_region(); -EINVAL also for a NULL @name.
 */
UDRV_API int udrv_device_region_by_name(struct udrv_device *dev, const char *name,
					size_t min_size, struct udrv_region **out);

/**
 * udrv_region_base() - the mapped registers, for the inline accessors below.
 * Valid until the device is closed.
 */
UDRV_API volatile void *udrv_region_base(const struct udrv_region *region);
/** udrv_region_size() - region length in bytes: the device's window (its DT
 * `reg` size or BAR size), not the pages mapped around it. */
UDRV_API size_t udrv_region_size(const struct udrv_region *region);
/** udrv_region_phys() - physical (bus) address of the region's first byte. */
UDRV_API uint64_t udrv_region_phys(const struct udrv_region *region);
/** udrv_region_name() - the map's name, "" if it has none. Owned by the device. */
UDRV_API const char *udrv_region_name(const struct udrv_region *region);
/** udrv_region_index() - the map's number. */
UDRV_API unsigned int udrv_region_index(const struct udrv_region *region);
/** udrv_region_alias() - "regN" (the DT node's `reg` entry N) or "barN" (PCI
 * BAR N) the region is, "" if sysfs does not say. Owned by the device. */
UDRV_API const char *udrv_region_alias(const struct udrv_region *region);

/**
 * udrv_region_read() - checked, ordered read of @width bits (8, 16, 32, 64)
 * at byte @offset into *@val. Errors: -EINVAL @val NULL, bad width, or
 * @offset not a multiple of the width; -ERANGE if the access does not fit
 * inside the region; -ENODEV once an interrupt call on the device
 * (udrv_irq_wait(), _unmask(), _mask()) has found it removed: the registers
 * are then left alone (they may belong to another driver by now).
 */
UDRV_API int udrv_region_read(const struct udrv_region *region, size_t offset, unsigned int width,
			      uint64_t *val);

/**
 * udrv_region_write() - checked, ordered write of the low @width bits of
 * @val at @offset. Errors as udrv_region_read() (except @val).
 */
UDRV_API int udrv_region_write(const struct udrv_region *region, size_t offset, unsigned int width,
			       uint64_t val);

/**
 * udrv_region_poll32() - read the 32-bit register at @offset until
 * (value & @mask) == @expect or @timeout_ns passes (spinning briefly, then
 * sleeping a few microseconds between reads). The last value read goes to
 * *@last if @last is not NULL. Returns 0 when the condition holds,
 * -ETIMEDOUT if it did not in time (as Linux's read_poll_timeout(), one
 * read after the timeout has passed decides), -ERANGE/-EINVAL as
 * udrv_region_read(); the whole access must lie inside the region.
 */
UDRV_API int udrv_region_poll32(const struct udrv_region *region, size_t offset, uint32_t mask,
				uint32_t expect, uint64_t timeout_ns, uint32_t *last);

/**
 * udrv_region_poll32_ne() - as udrv_region_poll32() but waits until
 * (value & @mask) != @unexpected.
 */
UDRV_API int udrv_region_poll32_ne(const struct udrv_region *region, size_t offset,
				   uint32_t mask, uint32_t unexpected, uint64_t timeout_ns,
				   uint32_t *last);

/*
 * Inline register accessors on a base from udrv_region_base(). No bounds
 * check: the caller keeps @off inside the region and aligned to the width.
 * None can fail; none calls a function.
 *
 *   udrv_writeN(base, off, v)  barrier that orders all earlier memory writes
 *                              (e.g. DMA descriptors) before the store, then
 *                              the store                   (Linux writel)
 *   udrv_readN(base, off)      the load, then a barrier that keeps later
 *                              memory reads after it       (Linux readl)
 *   udrv_writeN_relaxed / udrv_readN_relaxed
 *                              the access alone; device accesses stay in
 *                              program order among themselves, not with
 *                              ordinary memory
 *   udrv_writeNbe / udrv_readNbe, udrv_writeNbe_relaxed / udrv_readNbe_relaxed
 *                              (N = 16, 32, 64) the same for a big-endian
 *                              register: the value is byte-swapped on the way
 *                              (Linux iowrite32be / ioread32be)
 *   udrv_writesN / udrv_readsN the one register at @off written from / read
 *                              into a buffer, @count times  (Linux writesl)
 *   udrv_wmb() / udrv_rmb() / udrv_mb()
 *                              order memory writes / reads / both against
 *                              device accesses; udrv_wmb() before a relaxed
 *                              write that starts DMA
 * N is 8, 16, 32 or 64. udrv_readN/udrv_writeN are for little-endian
 * registers, like Linux's readl/writel; every CPU udrv is built for is
 * little-endian, so they never swap there.
 *
 * How an access is made. On aarch64, 32-bit ARM (ARMv7, ARM or Thumb-2) and
 * x86_64 each access is one load or store instruction written in inline
 * assembly, so the compiler cannot choose its form:
 *   aarch64  ldr/str (b, h, w, x) with one base register and at most an
 *            immediate offset: never pre- or post-indexed (writeback), never
 *            a register offset, never a pair (ldp/stp)
 *   arm      ldr/str (b, h, word) under the same rules, never ldrd/strd or
 *            ldm/stm. A 64-bit access is two 32-bit accesses, the less
 *            significant word first (Linux's io-64-nonatomic-lo-hi order):
 *            the word at @off, then @off + 4 for udrv_read64/udrv_write64;
 *            the word at @off + 4, then @off for the big-endian ones. It is
 *            not atomic: the device may change, or act on, one half before
 *            the other is accessed. An ordered 64-bit access has its barrier
 *            once, before both writes or after both reads.
 *   x86_64   mov
 * These are the forms a hypervisor can emulate from the fault alone: under
 * KVM on ARM a writeback or pair access to emulated device memory comes with
 * no valid syndrome (ESR_EL2.ISV = 0) and fails. On those three architectures
 * every access site also leaves a 4-byte entry in the ELF section "udrv_mmio"
 * of the binary it is linked into: the distance from the entry to the
 * instruction (no code, no relocation; the same in shared libraries, PIE and
 * static executables; a program may walk its own between __start_udrv_mmio
 * and __stop_udrv_mmio; a link with --gc-sections drops them). The
 * code-generation test of `qemu/run test` disassembles every recorded
 * instruction of the aarch64 and armhf builds. Other architectures get a volatile
 * access of the width in C, whose form the compiler chooses (and a 64-bit one
 * on a 32-bit CPU may be split in either order).
 * In the simulation build (UDRV_SIM, set by pkg-config udrv-sim; see
 * udrv_sim.h) each access is a call into libudrv-sim instead.
 *
 * Barriers: aarch64 udrv_wmb() is "dmb oshst", udrv_rmb() "dmb oshld",
 * udrv_mb() "dmb osh" (Linux's __iowmb/__iormb, without the control
 * dependency Linux's readl adds for udelay()); 32-bit ARM uses "dsb st",
 * "dsb sy", "dsb sy". Linux's arm wmb() also drains an outer cache controller
 * (outer_sync(): PL310/L2C-310, CONFIG_ARM_HEAVY_MB), which userspace cannot
 * do: on such a SoC, memory written just before a udrv_writeN() that starts
 * DMA may not have reached the device yet.
 */
#if defined(__aarch64__)
#define udrv_mb()	__asm__ __volatile__("dmb osh" ::: "memory")
#define udrv_wmb()	__asm__ __volatile__("dmb oshst" ::: "memory")
#define udrv_rmb()	__asm__ __volatile__("dmb oshld" ::: "memory")
#elif defined(__arm__)
#define udrv_mb()	__asm__ __volatile__("dsb sy" ::: "memory")
#define udrv_wmb()	__asm__ __volatile__("dsb st" ::: "memory")
#define udrv_rmb()	__asm__ __volatile__("dsb sy" ::: "memory")
#elif defined(__x86_64__) || defined(__i386__)
/* x86 keeps loads and stores to uncached memory in order; a full fence only
 * for udrv_mb(), which also orders earlier stores against later loads. */
#define udrv_mb()	__asm__ __volatile__("mfence" ::: "memory")
#define udrv_wmb()	__asm__ __volatile__("" ::: "memory")
#define udrv_rmb()	__asm__ __volatile__("" ::: "memory")
#else
#define udrv_mb()	__sync_synchronize()
#define udrv_wmb()	__sync_synchronize()
#define udrv_rmb()	__sync_synchronize()
#endif

/*
 * udrv__raw_readN(addr) / udrv__raw_writeN(addr, v): one access of width N at
 * addr, no barrier, no byte swap. Private to this header.
 */
#if !defined(UDRV_SIM) && (defined(__aarch64__) || defined(__arm__) || defined(__x86_64__))
/* One access instruction, its address recorded in section udrv_mmio. */
#define UDRV__MMIO(insn)                                                       \
	"1:\t" insn "\n\t"                                                    \
	".pushsection udrv_mmio, \"a\"\n\t"                                    \
	".balign 4\n\t"                                                       \
	".long 1b - .\n\t"                                                    \
	".popsection"
#endif

#if defined(UDRV_SIM)
/*
 * The simulation build (pkg-config udrv-sim, udrv_sim.h): each access is a
 * call into libudrv-sim, which hands it to the device's model. Defined there;
 * not for direct use.
 */
UDRV_API uint64_t udrv__sim_read(const volatile void *a, unsigned int width);
UDRV_API void udrv__sim_write(volatile void *a, unsigned int width, uint64_t v);
#define UDRV__RAW(bits)                                                                   \
static inline uint##bits##_t udrv__raw_read##bits(const volatile void *a)                \
{                                                                                         \
	return (uint##bits##_t)udrv__sim_read(a, bits / 8);                               \
}                                                                                         \
static inline void udrv__raw_write##bits(volatile void *a, uint##bits##_t v)             \
{                                                                                         \
	udrv__sim_write(a, bits / 8, v);                                                  \
}
UDRV__RAW(8)
UDRV__RAW(16)
UDRV__RAW(32)
UDRV__RAW(64)
#elif defined(__aarch64__)
/*
 * "Q": a base register alone; "o": base plus an immediate, never writeback.
 * Bytes get "Q" only: for a 1-byte operand GCC also counts base + index
 * register as "offsettable".
 */
#define UDRV__RAW(bits, sfx, reg, mem)                                                    \
static inline uint##bits##_t udrv__raw_read##bits(const volatile void *a)                \
{                                                                                         \
	uint##bits##_t v;                                                                 \
	__asm__ __volatile__(UDRV__MMIO("ldr" sfx " %" reg "0, %1")                      \
			     : "=r"(v) : mem(*(const volatile uint##bits##_t *)a));      \
	return v;                                                                         \
}                                                                                         \
static inline void udrv__raw_write##bits(volatile void *a, uint##bits##_t v)             \
{                                                                                         \
	__asm__ __volatile__(UDRV__MMIO("str" sfx " %" reg "0, %1")                      \
			     : : "rZ"(v), mem(*(volatile uint##bits##_t *)a));           \
}
UDRV__RAW(8, "b", "w", "Q")
UDRV__RAW(16, "h", "w", "Qo")
UDRV__RAW(32, "", "w", "Qo")
UDRV__RAW(64, "", "x", "Qo")
#elif defined(__arm__)
/* As aarch64; ldrh/strh take a plain base ("Q") too: their immediate range
 * is smaller than what "o" may produce. */
#define UDRV__RAW(bits, sfx, mem)                                                         \
static inline uint##bits##_t udrv__raw_read##bits(const volatile void *a)                \
{                                                                                         \
	uint##bits##_t v;                                                                 \
	__asm__ __volatile__(UDRV__MMIO("ldr" sfx " %0, %1")                             \
			     : "=r"(v) : mem(*(const volatile uint##bits##_t *)a));      \
	return v;                                                                         \
}                                                                                         \
static inline void udrv__raw_write##bits(volatile void *a, uint##bits##_t v)             \
{                                                                                         \
	__asm__ __volatile__(UDRV__MMIO("str" sfx " %0, %1")                             \
			     : : "r"(v), mem(*(volatile uint##bits##_t *)a));            \
}
UDRV__RAW(8, "b", "Q")
UDRV__RAW(16, "h", "Q")
UDRV__RAW(32, "", "Qo")
/* Two 32-bit accesses, @a first; the bytes keep their places in memory. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define UDRV__W64(first, second)	((uint64_t)(second) << 32 | (first))
#define UDRV__W32(v, first)		((uint32_t)((v) >> ((first) ? 0 : 32)))
#else
#define UDRV__W64(first, second)	((uint64_t)(first) << 32 | (second))
#define UDRV__W32(v, first)		((uint32_t)((v) >> ((first) ? 32 : 0)))
#endif
static inline uint64_t udrv__raw_read64(const volatile void *a)
{
	uint32_t first = udrv__raw_read32(a);

	return UDRV__W64(first, udrv__raw_read32((const volatile char *)a + 4));
}
static inline void udrv__raw_write64(volatile void *a, uint64_t v)
{
	udrv__raw_write32(a, UDRV__W32(v, 1));
	udrv__raw_write32((volatile char *)a + 4, UDRV__W32(v, 0));
}
#undef UDRV__W64
#undef UDRV__W32
#define UDRV__SPLIT64 1
#elif defined(__x86_64__)
#define UDRV__RAW(bits, sfx, rd, wr)                                                      \
static inline uint##bits##_t udrv__raw_read##bits(const volatile void *a)                \
{                                                                                         \
	uint##bits##_t v;                                                                 \
	__asm__ __volatile__(UDRV__MMIO("mov" sfx " %1, %0")                             \
			     : rd(v) : "m"(*(const volatile uint##bits##_t *)a));        \
	return v;                                                                         \
}                                                                                         \
static inline void udrv__raw_write##bits(volatile void *a, uint##bits##_t v)             \
{                                                                                         \
	__asm__ __volatile__(UDRV__MMIO("mov" sfx " %0, %1")                             \
			     : : wr(v), "m"(*(volatile uint##bits##_t *)a));             \
}
UDRV__RAW(8, "b", "=q", "qi")
UDRV__RAW(16, "w", "=r", "ri")
UDRV__RAW(32, "l", "=r", "ri")
UDRV__RAW(64, "q", "=r", "re")
#else
/* Any other architecture: a volatile access; the compiler picks its form. */
#define UDRV__RAW(bits)                                                                   \
static inline uint##bits##_t udrv__raw_read##bits(const volatile void *a)                \
{                                                                                         \
	return *(const volatile uint##bits##_t *)a;                                       \
}                                                                                         \
static inline void udrv__raw_write##bits(volatile void *a, uint##bits##_t v)             \
{                                                                                         \
	*(volatile uint##bits##_t *)a = v;                                                \
}
UDRV__RAW(8)
UDRV__RAW(16)
UDRV__RAW(32)
UDRV__RAW(64)
#endif
#undef UDRV__RAW

/* Register (little- or big-endian) to CPU order and back: the same swap. */
static inline uint8_t udrv__le8(uint8_t v) { return v; }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint16_t udrv__le16(uint16_t v) { return v; }
static inline uint32_t udrv__le32(uint32_t v) { return v; }
static inline uint64_t udrv__le64(uint64_t v) { return v; }
static inline uint16_t udrv__be16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t udrv__be32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t udrv__be64(uint64_t v) { return __builtin_bswap64(v); }
#else
static inline uint16_t udrv__le16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t udrv__le32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t udrv__le64(uint64_t v) { return __builtin_bswap64(v); }
static inline uint16_t udrv__be16(uint16_t v) { return v; }
static inline uint32_t udrv__be32(uint32_t v) { return v; }
static inline uint64_t udrv__be64(uint64_t v) { return v; }
#endif

/* udrv_read<bits><be>_relaxed, udrv_write<bits><be>_relaxed */
#define UDRV__RELAXED(bits, be, order)                                                    \
static inline uint##bits##_t udrv_read##bits##be##_relaxed(const volatile void *base, size_t off) \
{                                                                                         \
	return udrv__##order##bits(udrv__raw_read##bits((const volatile char *)base + off)); \
}                                                                                         \
static inline void udrv_write##bits##be##_relaxed(volatile void *base, size_t off,       \
						  uint##bits##_t v)                       \
{                                                                                         \
	udrv__raw_write##bits((volatile char *)base + off, udrv__##order##bits(v));       \
}

/* udrv_read<bits><be>, udrv_write<bits><be>: the relaxed access and a barrier. */
#define UDRV__ORDERED(bits, be)                                                           \
static inline uint##bits##_t udrv_read##bits##be(const volatile void *base, size_t off)  \
{                                                                                         \
	uint##bits##_t v = udrv_read##bits##be##_relaxed(base, off);                      \
	udrv_rmb();                                                                       \
	return v;                                                                         \
}                                                                                         \
static inline void udrv_write##bits##be(volatile void *base, size_t off, uint##bits##_t v) \
{                                                                                         \
	udrv_wmb();                                                                       \
	udrv_write##bits##be##_relaxed(base, off, v);                                     \
}

UDRV__RELAXED(8, , le)
UDRV__RELAXED(16, , le)
UDRV__RELAXED(32, , le)
UDRV__RELAXED(64, , le)
UDRV__RELAXED(16, be, be)
UDRV__RELAXED(32, be, be)
#ifdef UDRV__SPLIT64
/* The less significant word first, which is the one at @off + 4. */
static inline uint64_t udrv_read64be_relaxed(const volatile void *base, size_t off)
{
	uint32_t lo = udrv_read32be_relaxed(base, off + 4);

	return (uint64_t)udrv_read32be_relaxed(base, off) << 32 | lo;
}
static inline void udrv_write64be_relaxed(volatile void *base, size_t off, uint64_t v)
{
	udrv_write32be_relaxed(base, off + 4, (uint32_t)v);
	udrv_write32be_relaxed(base, off, (uint32_t)(v >> 32));
}
#else
UDRV__RELAXED(64, be, be)
#endif
UDRV__ORDERED(8, )
UDRV__ORDERED(16, )
UDRV__ORDERED(32, )
UDRV__ORDERED(64, )
UDRV__ORDERED(16, be)
UDRV__ORDERED(32, be)
UDRV__ORDERED(64, be)
#undef UDRV__RELAXED
#undef UDRV__ORDERED

/*
 * udrv_readsN() - read the N-bit register at @off (the same address each
 * time: a data port or a FIFO) @count times, storing the values one after
 * the other in @buf, then udrv_rmb().
 * udrv_writesN() - udrv_wmb(), then write the @count N-bit elements of @buf,
 * in order, to the register at @off.
 * The elements are moved as they are, without byte swapping (Linux
 * readsl/writesl), so a byte stream keeps its order whatever the width. Each
 * access is made as described above (on 32-bit ARM, two per 64-bit element);
 * device memory is never touched by memcpy. @buf is ordinary memory, owned by
 * the caller, used only during the call, and need not be aligned; it holds
 * @count * N / 8 bytes. @count 0 accesses nothing.
 */
#define UDRV__STRING(bits)                                                                \
static inline void udrv_reads##bits(const volatile void *base, size_t off, void *buf,    \
				    size_t count)                                         \
{                                                                                         \
	const volatile char *a = (const volatile char *)base + off;                       \
	unsigned char *p = (unsigned char *)buf;                                          \
                                                                                          \
	for (size_t i = 0; i < count; i++) {                                              \
		uint##bits##_t v = udrv__raw_read##bits(a);                               \
		__builtin_memcpy(p + i * sizeof(v), &v, sizeof(v));                       \
	}                                                                                 \
	udrv_rmb();                                                                       \
}                                                                                         \
static inline void udrv_writes##bits(volatile void *base, size_t off, const void *buf,   \
				     size_t count)                                        \
{                                                                                         \
	volatile char *a = (volatile char *)base + off;                                   \
	const unsigned char *p = (const unsigned char *)buf;                              \
                                                                                          \
	udrv_wmb();                                                                       \
	for (size_t i = 0; i < count; i++) {                                              \
		uint##bits##_t v;                                                         \
                                                                                          \
		__builtin_memcpy(&v, p + i * sizeof(v), sizeof(v));                       \
		udrv__raw_write##bits(a, v);                                              \
	}                                                                                 \
}

UDRV__STRING(8)
UDRV__STRING(16)
UDRV__STRING(32)
UDRV__STRING(64)
#undef UDRV__STRING
#undef UDRV__SPLIT64

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */

/** udrv_device_num_irqs() - number of interrupts the device has. */
UDRV_API unsigned int udrv_device_num_irqs(const struct udrv_device *dev);

/**
 * udrv_device_irq() - interrupt @index (0 is the device's first UIO node,
 * i >= 1 the node "<name>.irq<i>"). *@out is owned by @dev.
 * Errors: -EINVAL @out NULL; -ENOENT the device has no interrupt @index
 * (e.g. it has none at all).
 */
UDRV_API int udrv_device_irq(struct udrv_device *dev, unsigned int index, struct udrv_irq **out);

/**
 * udrv_device_irq_by_name() - the interrupt named @name in the DT node's
 * "interrupt-names". Errors: -EINVAL NULL argument; -ENOENT no such name
 * (or no "interrupt-names", or not a DT device).
 */
UDRV_API int udrv_device_irq_by_name(struct udrv_device *dev, const char *name,
				     struct udrv_irq **out);

/** udrv_irq_index() - the interrupt's index in its device. */
UDRV_API unsigned int udrv_irq_index(const struct udrv_irq *irq);
/** udrv_irq_device() - the device owning @irq. */
UDRV_API struct udrv_device *udrv_irq_device(const struct udrv_irq *irq);

/**
 * udrv_irq_unmask() - let the interrupt fire again. The stub and
 * uio_pdrv_genirq mask the line when it fires; call this once before
 * waiting, and after servicing the device each time. A UIO driver without
 * irqcontrol on a PCI device (uio_pci_generic, whose handler sets the
 * command register's Interrupt Disable bit) is unmasked by clearing that
 * bit through the function's sysfs `config` (root only, as DPDK does).
 * Returns 0, -ENODEV if the device was removed, -ENOSYS a non-PCI UIO
 * driver without irqcontrol, -errno (every failure in udrv_last_error()).
 */
UDRV_API int udrv_irq_unmask(struct udrv_irq *irq);

/** udrv_irq_mask() - keep the line masked. Errors as udrv_irq_unmask(). */
UDRV_API int udrv_irq_mask(struct udrv_irq *irq);

/**
 * udrv_irq_wait() - wait up to @timeout_ns nanoseconds (0: just check;
 * UINT64_MAX: forever) for the interrupt, and consume it.
 * Returns 1 on an event (the counters below are updated), 0 on timeout,
 * -ENODEV if the device was removed, -EINTR if a signal arrived, -errno.
 * Never blocks past the timeout: if another user of the node (a thread, a
 * forked child) consumes the event between the poll and the read, the wait
 * goes on for what is left of the timeout (0 with a timeout of 0).
 */
UDRV_API int udrv_irq_wait(struct udrv_irq *irq, uint64_t timeout_ns);

/**
 * udrv_irq_wait_until() - udrv_irq_wait() with an absolute deadline in
 * udrv_now_ns() time (UINT64_MAX: never; a deadline already past: just
 * check). For loops that wait again after a spurious or foreign event: they
 * keep one deadline instead of recomputing the time left. Same returns.
 */
UDRV_API int udrv_irq_wait_until(struct udrv_irq *irq, uint64_t deadline_ns);

/**
 * udrv_irq_flush() - consume every event already counted, then unmask: the
 * step after the caller has cleared (and usually disabled) the interrupt's
 * cause at the device, so that only interrupts raised from now on are seen.
 * Returns 1 if events were pending, 0 if none, or the -errno of
 * udrv_irq_wait() / udrv_irq_unmask() (the line then stays masked).
 */
UDRV_API int udrv_irq_flush(struct udrv_irq *irq);

/**
 * udrv_irq_fd() - the fd to poll for POLLIN in the caller's own loop; when
 * readable, call udrv_irq_wait(irq, 0) to consume the event. Borrowed: owned
 * by @irq, never closed by the caller, valid until the device is closed.
 */
UDRV_API int udrv_irq_fd(const struct udrv_irq *irq);

/**
 * udrv_irq_count() - the kernel's event counter as of the last event
 * consumed (or as of open).
 */
UDRV_API uint32_t udrv_irq_count(const struct udrv_irq *irq);

/**
 * udrv_irq_missed() - interrupts that fired but were never seen as separate
 * events since open: the sum of (jump in the counter - 1) over all events.
 */
UDRV_API uint64_t udrv_irq_missed(const struct udrv_irq *irq);

/* ------------------------------------------------------------------ */
/* Real-time settings                                                  */

/**
 * struct udrv_rt_opts - what a latency-sensitive driver sets once at start.
 * @priority: SCHED_FIFO priority 1..99 for the calling thread; 0 leaves its
 * policy as it is.
 * @cpu: the CPU the calling thread, and the interrupt given to
 * udrv_rt_apply(), are pinned to; -1 leaves both as they are.
 * @lock_memory: mlockall(MCL_CURRENT | MCL_FUTURE): no page fault on the
 * driver's memory once it runs.
 */
struct udrv_rt_opts {
	int priority;
	int cpu;
	bool lock_memory;
};

/**
 * udrv_rt_apply() - apply @opts: memory locked, then the calling thread's
 * CPU, then its policy, then (@irq not NULL and @opts->cpu >= 0) the CPU of
 * @irq's Linux interrupt (found in /proc/interrupts by its UIO node's name,
 * set in /proc/irq/N/smp_affinity_list; on PREEMPT_RT the interrupt's
 * thread follows). An interrupt whose controller cannot move it (the
 * kernel refuses with EIO or EPERM: the BCM2836's ARMCTRL lines) stays on
 * the CPU that serves it, and its threads ("irq/N-name", PREEMPT_RT or
 * threadirqs) are pinned to that CPU, which wakes them without an
 * inter-processor interrupt. Starts no thread and keeps nothing: call it
 * from the thread that waits for the interrupt. Stops at the first failure,
 * leaving the steps before it done.
 * Returns 0; 1 when all was applied but the interrupt's CPU, as above; or
 * an error, with the reason in udrv_last_error(): -EINVAL @opts NULL or out
 * of range; -EPERM/-ENOMEM from mlockall, sched_setaffinity or
 * sched_setscheduler (SCHED_FIFO needs CAP_SYS_NICE or an RLIMIT_RTPRIO);
 * -ENOENT no interrupt of that name; -EACCES writing the interrupt's
 * affinity (root only); -EPERM pinning its thread.
 */
UDRV_API int udrv_rt_apply(const struct udrv_rt_opts *opts, struct udrv_irq *irq);

/**
 * udrv_rt_parse() - @spec, comma-separated "fifo=PRIO", "cpu=N", "mlock"
 * (any subset, e.g. "fifo=80,cpu=1,mlock"), into *@out, whose other fields
 * are cleared (cpu -1). The form the drivers' CLIs take as --rt SPEC.
 * Returns 0, or -EINVAL (nothing written) with the word it did not take.
 */
UDRV_API int udrv_rt_parse(const char *spec, struct udrv_rt_opts *out);

/* ------------------------------------------------------------------ */
/* DMA buffers                                                         */

/**
 * udrv_device_dma_pool_size() - size in bytes of the device's DMA pool,
 * 0 if it has none. Only the udrv_uio stub gives pools (its map named
 * "dma"): under any other UIO driver a map of that name is a register
 * region. `udrv bind DEV --pool SIZE` gives a device one at run time.
 */
UDRV_API size_t udrv_device_dma_pool_size(const struct udrv_device *dev);

/**
 * udrv_device_dma_pool_cached() - true if the device's pool is cached (the
 * stub's cached pools, udrv_uio.h): the CPU maps it cacheable and each
 * udrv_dma_sync_for_device()/_for_cpu() is one system call that moves the
 * range between the CPU's caches (or pages) and what the device sees.
 * False for a coherent pool, whose syncs make no call, and for no pool.
 */
UDRV_API bool udrv_device_dma_pool_cached(const struct udrv_device *dev);

/**
 * udrv_device_dma_pool_bus() - the bus address of the pool's first byte
 * (what the device must be given; an IOVA behind an IOMMU) in @bus.
 * Returns 0, or -ENXIO if the device has no pool. For programming a DMA
 * engine with ranges of the pool; buffers have udrv_dma_bus().
 */
UDRV_API int udrv_device_dma_pool_bus(const struct udrv_device *dev, uint64_t *bus);

/**
 * udrv_dma_alloc() - allocate @size bytes aligned to @align (a power of two;
 * 0 means 64) inside @dev's DMA pool. The memory is coherent and zeroed at
 * bind time only (not per allocation). The caller may free *@out with
 * udrv_dma_free(); the descriptor itself belongs to @dev, and
 * udrv_device_close() frees every buffer still allocated, after which
 * their pointers must not be used. Errors: -EINVAL @out NULL, @size 0 or
 * @align not a power of two; -ENXIO the device has no pool; -EPERM the
 * device was opened shared (udrv_open_opts.shared): each open has its own
 * allocator over the one pool, so shared opens get none rather than hand
 * out ranges another open also hands out; -ENOMEM no free range fits.
 */
UDRV_API int udrv_dma_alloc(struct udrv_device *dev, size_t size, size_t align,
			    struct udrv_dma_buf **out);

/**
 * udrv_dma_free() - return @buf to its pool. NULL is accepted (0).
 * Returns 0; -EINVAL (logged) if @buf is not live: freed already (a double
 * free is recognised as long as its descriptor has not been handed out
 * again: descriptors are reused round-robin, not at once) and nothing is
 * done; -ENOMEM the buffer is freed but its range could not be put back
 * (it is lost to the pool, never handed out twice).
 */
UDRV_API int udrv_dma_free(struct udrv_dma_buf *buf);
/** udrv_dma_cpu() - CPU pointer to the buffer, valid until it is freed. */
UDRV_API void *udrv_dma_cpu(const struct udrv_dma_buf *buf);
/** udrv_dma_bus() - bus address to give the device. */
UDRV_API uint64_t udrv_dma_bus(const struct udrv_dma_buf *buf);
/** udrv_dma_size() - the size asked for. */
UDRV_API size_t udrv_dma_size(const struct udrv_dma_buf *buf);

/*
 * Who owns a DMA buffer (the kernel's DMA API rules, Documentation/core-api/
 * dma-api-howto.rst "streaming DMA"). A new buffer is the CPU's.
 * udrv_dma_sync_for_device() hands bytes [@offset, @offset + @len) of it to
 * the device: from then on the CPU does not read or write them, until the
 * device is done with them and udrv_dma_sync_for_cpu() hands them back.
 * @dir says which way the data goes: UDRV_DMA_TO_DEVICE (the CPU wrote what
 * the device reads), UDRV_DMA_FROM_DEVICE (the device writes what the CPU
 * will read), UDRV_DMA_BIDIRECTIONAL (both); give the same to both calls.
 * On a coherent pool (the default) the calls make no system call and cost a
 * few nanoseconds: drivers call them unconditionally, and they are what
 * keeps a driver right on a cached pool (udrv_device_dma_pool_cached()),
 * where each is one system call that moves exactly that range, and where
 * data the CPU or the device wrote is seen by the other only after the
 * sync (with bounce buffers, a missed sync is stale data, not just a
 * stale cache line).
 *
 * Checking: with UDRV_DMA_CHECK=1 in the environment when a device is opened,
 * its buffers take whole pages, and the pages a buffer has handed to the
 * device are inaccessible (PROT_NONE) until handed back: a CPU access to a
 * buffer the device owns is a SIGSEGV at the faulty line, on any board.
 * Ownership is per page of a buffer then: handing part of a page to the
 * device hands it all.
 */
enum udrv_dma_dir {
	UDRV_DMA_TO_DEVICE = 1,
	UDRV_DMA_FROM_DEVICE = 2,
	UDRV_DMA_BIDIRECTIONAL = 3,
};

/**
 * udrv_dma_sync_for_device() - hand [@offset, @offset + @len) of @buf to the
 * device (see above). Returns 0; -EINVAL @buf not live, @len 0, the range
 * not inside the buffer, or @dir not one of enum udrv_dma_dir (nothing done);
 * -ENODEV the device was removed; -errno from the stub's sync (cached pool)
 * or from mprotect() (checking).
 */
UDRV_API int udrv_dma_sync_for_device(struct udrv_dma_buf *buf, size_t offset, size_t len,
				      enum udrv_dma_dir dir);

/**
 * udrv_dma_sync_for_cpu() - hand [@offset, @offset + @len) of @buf back to
 * the CPU once the device is done with it. Returns as
 * udrv_dma_sync_for_device().
 */
UDRV_API int udrv_dma_sync_for_cpu(struct udrv_dma_buf *buf, size_t offset, size_t len,
				   enum udrv_dma_dir dir);

/* ------------------------------------------------------------------ */
/* Device tree                                                         */

/*
 * A udrv_dt is one node of a flattened device tree. The blob is checked
 * whole when loaded (fdt_check_full), every property is length-checked when
 * read, and every failure names the node and the property in the log and in
 * udrv_last_error(). Errors common to the readers below:
 *   -EINVAL  a NULL or empty argument, or a malformed property (wrong
 *            length, missing NUL, wrong cell count, dangling phandle)
 *   -ENOENT  no such property (or entry)
 * Pointers a reader returns point into the blob and live as long as @dt.
 */

/**
 * udrv_device_dt() - @dev's node in the live tree (udrv_dt_open_live()):
 * what the kernel bound the device against, run-time overlays included, the
 * same tree udrv_device_dt_property() reads, whoever runs the program (the
 * boot blob /sys/firmware/fdt is not read). Found by the node's path
 * (udrv_device_dt_path()), made into a blob at the first call and kept:
 * *@out is owned by @dev and lives until udrv_device_close()
 * (udrv_dt_close() on it does nothing). Errors: -EINVAL @out NULL or a
 * malformed tree; -EOPNOTSUPP @dev is not a DT device; -ENOENT the node is
 * not in the tree any more; -errno (-EACCES, -ENOMEM) reading it.
 */
UDRV_API int udrv_device_dt(struct udrv_device *dev, struct udrv_dt **out);

/**
 * udrv_dt_open_file() - node @path ("/soc/timer@ff110000") of the .dtb file
 * @dtb (at most 16 MiB). The caller owns *@out (udrv_dt_close()).
 * Errors: -EINVAL NULL argument, or the file is not a valid blob (bad
 * magic, truncated, inconsistent); -ENOENT no such node; -EFBIG too large;
 * -errno from reading it.
 */
UDRV_API int udrv_dt_open_file(const char *dtb, const char *path, struct udrv_dt **out);

/**
 * udrv_dt_open_live() - node @path of the live tree the kernel shows in
 * /sys/firmware/devicetree/base (readable without root, and with any
 * overlay applied at run time), made into a blob. As udrv_dt_open_file().
 */
UDRV_API int udrv_dt_open_live(const char *path, struct udrv_dt **out);

/**
 * udrv_dt_open_boot() - node @path of the tree the kernel booted with
 * (/sys/firmware/fdt, properties in the blob's order), or, where that blob
 * cannot be read (it is root's), of the live tree as udrv_dt_open_live().
 * As udrv_dt_open_file().
 */
UDRV_API int udrv_dt_open_boot(const char *path, struct udrv_dt **out);

/**
 * udrv_dt_fdt() - the flattened blob @dt is a node of, and the node's
 * offset in it (*@offset, if not NULL), for walking it with libfdt. The
 * blob was checked whole when it was loaded; it is read-only and lives as
 * long as @dt.
 */
UDRV_API const void *udrv_dt_fdt(const struct udrv_dt *dt, int *offset);

/**
 * udrv_dt_open_blob() - as udrv_dt_open_file() on the @len bytes at @blob,
 * which are copied (the caller keeps ownership of @blob).
 */
UDRV_API int udrv_dt_open_blob(const void *blob, size_t len, const char *path,
			       struct udrv_dt **out);

/**
 * udrv_dt_open_node() - node @path of the same tree as @dt (which it shares,
 * refcounted atomically: nodes of one tree may be used and closed from
 * different threads, each node from one thread at a time). The caller owns
 * *@out. -EINVAL, -ENOENT, -ENOMEM.
 */
UDRV_API int udrv_dt_open_node(const struct udrv_dt *dt, const char *path, struct udrv_dt **out);

/** udrv_dt_close() - free a node the caller owns. NULL is ignored. */
UDRV_API void udrv_dt_close(struct udrv_dt *dt);

/** udrv_dt_path() - the node's full path. Owned by @dt. */
UDRV_API const char *udrv_dt_path(const struct udrv_dt *dt);

/**
 * udrv_dt_property() - the raw value of @prop: *@val (may be NULL) points
 * into the blob. Returns its length in bytes, or -ENOENT / -EINVAL.
 */
UDRV_API int udrv_dt_property(const struct udrv_dt *dt, const char *prop, const void **val);

/** udrv_dt_bool() - 1 if @prop is present (whatever its value), 0 if not; -EINVAL. */
UDRV_API int udrv_dt_bool(const struct udrv_dt *dt, const char *prop);

/** udrv_dt_u32() - a property of exactly one cell (4 bytes), host order. */
UDRV_API int udrv_dt_u32(const struct udrv_dt *dt, const char *prop, uint32_t *val);
/** udrv_dt_u64() - a property of exactly two cells (8 bytes), host order. */
UDRV_API int udrv_dt_u64(const struct udrv_dt *dt, const char *prop, uint64_t *val);

/**
 * udrv_dt_u32_array() - the cells of @prop (its length must be a multiple
 * of 4) into @vals, at most @max of them. Returns the number of cells the
 * property has (which may exceed @max). @vals may be NULL if @max is 0.
 */
UDRV_API int udrv_dt_u32_array(const struct udrv_dt *dt, const char *prop, uint32_t *vals,
			       size_t max);
/** udrv_dt_u64_array() - as udrv_dt_u32_array() for 64-bit (two-cell) values. */
UDRV_API int udrv_dt_u64_array(const struct udrv_dt *dt, const char *prop, uint64_t *vals,
			       size_t max);

/**
 * udrv_dt_string() - string @index of the string list @prop (a plain string
 * is index 0). The list must end with a NUL. -ENOENT if it has fewer strings.
 */
UDRV_API int udrv_dt_string(const struct udrv_dt *dt, const char *prop, unsigned int index,
			    const char **out);
/** udrv_dt_string_count() - the number of strings in @prop. */
UDRV_API int udrv_dt_string_count(const struct udrv_dt *dt, const char *prop);
/** udrv_dt_string_index() - the index of @str in the list @prop; -ENOENT if absent. */
UDRV_API int udrv_dt_string_index(const struct udrv_dt *dt, const char *prop, const char *str);

/**
 * udrv_dt_is_compatible() - 1 if @compatible is in the node's "compatible"
 * or "udrv,compatible" list, 0 if not; -EINVAL.
 */
UDRV_API int udrv_dt_is_compatible(const struct udrv_dt *dt, const char *compatible);

/**
 * udrv_dt_reg() - entry @index of "reg", decoded with the parent's
 * #address-cells (1 or 2; 2 if absent) and #size-cells (0 to 2; 1 if
 * absent): the address in the parent's address space (not translated
 * through "ranges") and the size (either pointer may be NULL).
 * Returns the number of entries; -ENOENT no "reg" or fewer entries;
 * -EINVAL cell counts out of range or a "reg" length that is not a
 * multiple of the entry size.
 */
UDRV_API int udrv_dt_reg(const struct udrv_dt *dt, unsigned int index, uint64_t *addr,
			 uint64_t *size);
/** udrv_dt_reg_by_name() - the "reg" entry at the index of @name in "reg-names". */
UDRV_API int udrv_dt_reg_by_name(const struct udrv_dt *dt, const char *name, uint64_t *addr,
				 uint64_t *size);
/** udrv_dt_irq_index() - the index of @name in "interrupt-names" (for udrv_device_irq()). */
UDRV_API int udrv_dt_irq_index(const struct udrv_dt *dt, const char *name);

/**
 * udrv_dt_phandle_args() - entry @index of a phandle list @prop ("clocks",
 * "resets", "foo-gpios"): each entry is a phandle and as many argument
 * cells as the target node's @cells_name property ("#clock-cells") says
 * (none if @cells_name is NULL). The target goes to *@target (owned by the
 * caller; may be NULL if not wanted), its arguments to @args (at most
 * @max_args of them). Returns the entry's number of arguments.
 * Errors: -ENOENT no @prop, or fewer entries, or entry @index is empty
 * (phandle 0); -EINVAL a phandle that names no node, a target without
 * @cells_name, an entry cut short, more than @max_args arguments.
 */
UDRV_API int udrv_dt_phandle_args(const struct udrv_dt *dt, const char *prop,
				  const char *cells_name, unsigned int index,
				  struct udrv_dt **target, uint32_t *args, unsigned int max_args);

/**
 * udrv_dt_clock_frequency() - the rate in Hz of the node's clock @index.
 * If the node has a non-empty "clocks", entry @index is followed to its
 * provider, which must be a fixed clock: its "clock-frequency" (one or two
 * cells) is the rate. Otherwise the node's own "clock-frequency" (@index 0
 * only). Errors: -ENOENT no clock, or a provider with no "clock-frequency"
 * (a clock udrv cannot compute, e.g. a firmware clock); -EINVAL as
 * udrv_dt_phandle_args() or a malformed "clock-frequency".
 */
UDRV_API int udrv_dt_clock_frequency(const struct udrv_dt *dt, unsigned int index,
				     uint64_t *hz);

/**
 * udrv_device_clock_frequency() - udrv_dt_clock_frequency() on
 * udrv_device_dt(@dev); errors of either.
 */
UDRV_API int udrv_device_clock_frequency(struct udrv_device *dev, unsigned int index,
					 uint64_t *hz);

/* ------------------------------------------------------------------ */
/* GPIO lines (libgpiod)                                               */

/* Flags of a GPIO specifier's second cell (include/dt-bindings/gpio/gpio.h). */
#define UDRV_GPIO_DT_ACTIVE_LOW		0x01
#define UDRV_GPIO_DT_SINGLE_ENDED	0x02
#define UDRV_GPIO_DT_LINE_OPEN_DRAIN	0x04
#define UDRV_GPIO_DT_PULL_UP		0x10
#define UDRV_GPIO_DT_PULL_DOWN		0x20

/** struct udrv_gpio_desc - where a "<name>-gpios" entry points. */
struct udrv_gpio_desc {
	char chip[64];		/* the kernel's chip: "gpiochip0" (/dev/gpiochip0) */
	char controller[256];	/* the controller's DT path: "/pl061@9030000" */
	unsigned int offset;	/* the line on that chip */
	uint32_t dt_flags;	/* UDRV_GPIO_DT_* (0 if the controller has one cell) */
};

/**
 * udrv_dt_gpio_lookup() - resolve entry @index of the node's "<@name>-gpios"
 * (or legacy "<@name>-gpio"; "gpios" if @name is NULL) to the GPIO chip
 * the kernel created for the controller it names (the chip in
 * /sys/bus/gpio/devices whose of_node, or whose parent's, is that node)
 * and the line offset. Errors: as udrv_dt_phandle_args() (with
 * "#gpio-cells"); -ENODEV no GPIO chip for that controller (its driver is
 * not bound); -EINVAL @desc NULL.
 */
UDRV_API int udrv_dt_gpio_lookup(const struct udrv_dt *dt, const char *name, unsigned int index,
				 struct udrv_gpio_desc *desc);

enum udrv_gpio_mode {
	UDRV_GPIO_INPUT = 0,	/* read with udrv_gpio_get() */
	UDRV_GPIO_OUTPUT,	/* driven to .value, then udrv_gpio_set() */
	UDRV_GPIO_EVENTS,	/* input with edge events of .edge */
};

enum udrv_gpio_edge {
	UDRV_GPIO_EDGE_RISING = 1,	/* inactive -> active (logical) */
	UDRV_GPIO_EDGE_FALLING = 2,	/* active -> inactive */
	UDRV_GPIO_EDGE_BOTH = 3,
};

/** struct udrv_gpio_config - how to request a line. NULL means input. */
struct udrv_gpio_config {
	enum udrv_gpio_mode mode;
	enum udrv_gpio_edge edge;	/* UDRV_GPIO_EVENTS: which edges */
	int value;			/* UDRV_GPIO_OUTPUT: initial logical value */
	const char *consumer;		/* label shown by the kernel; NULL: "udrv" */
};

/** struct udrv_gpio_event - one edge, in logical terms (active-low applied). */
struct udrv_gpio_event {
	enum udrv_gpio_edge edge;	/* RISING or FALLING */
	uint64_t timestamp_ns;		/* the kernel's timestamp */
};

/**
 * udrv_gpio_open() - look up the line as udrv_dt_gpio_lookup() and request
 * it through libgpiod as @cfg says. Values are logical: the specifier's
 * active-low flag is honoured (as are open-drain/open-source and pull
 * flags). The caller owns *@out (udrv_gpio_close()); it does not depend on
 * @dt afterwards. Some controllers (the PL061) latch an edge that happens
 * while the line is not requested for events and report it right after
 * the request. Errors: as udrv_dt_gpio_lookup(); -EINVAL a bad @cfg;
 * -EBUSY the line is taken; -errno from libgpiod.
 */
UDRV_API int udrv_gpio_open(const struct udrv_dt *dt, const char *name, unsigned int index,
			    const struct udrv_gpio_config *cfg, struct udrv_gpio **out);

/** udrv_device_gpio_open() - udrv_gpio_open() on udrv_device_dt(@dev). */
UDRV_API int udrv_device_gpio_open(struct udrv_device *dev, const char *name, unsigned int index,
				   const struct udrv_gpio_config *cfg, struct udrv_gpio **out);

/** udrv_gpio_close() - release the line. It must not be in a loop any more. NULL is ignored. */
UDRV_API void udrv_gpio_close(struct udrv_gpio *gpio);

/** udrv_gpio_get() - the logical value, 0 or 1; -errno. */
UDRV_API int udrv_gpio_get(struct udrv_gpio *gpio);

/** udrv_gpio_set() - drive an output to logical @value (0 or not). -EPERM if not an output. */
UDRV_API int udrv_gpio_set(struct udrv_gpio *gpio, int value);

/**
 * udrv_gpio_wait_event() - wait up to @timeout_ns (0: just check;
 * UINT64_MAX: forever) for an edge and consume it into *@ev (may be NULL).
 * Returns 1 on an event, 0 on timeout, -EPERM if not requested for events,
 * -EINTR, -errno.
 */
UDRV_API int udrv_gpio_wait_event(struct udrv_gpio *gpio, uint64_t timeout_ns,
				  struct udrv_gpio_event *ev);

/**
 * udrv_gpio_fd() - the fd to poll for POLLIN (events pending); then call
 * udrv_gpio_wait_event(gpio, 0, ...). Borrowed, valid until close;
 * -EPERM if not requested for events.
 */
UDRV_API int udrv_gpio_fd(const struct udrv_gpio *gpio);

/** udrv_gpio_desc() - where the line is. Owned by @gpio. */
UDRV_API const struct udrv_gpio_desc *udrv_gpio_desc(const struct udrv_gpio *gpio);

/* ------------------------------------------------------------------ */
/* Event loop                                                          */

/**
 * udrv_irq_fn - called by the loop with @status 1 when @irq fired (already
 * consumed: read udrv_irq_count(); unmask when done), or with a negative
 * errno (-ENODEV: device removed) after which the loop drops @irq.
 * Return 0 to go on, a negative errno to stop the loop with it.
 */
typedef int (*udrv_irq_fn)(struct udrv_irq *irq, int status, void *data);

/**
 * udrv_gpio_fn - called by the loop with @status 1 and the edge in *@ev
 * (already consumed), or a negative errno (@ev NULL) after which the loop
 * drops @gpio. Return 0 to go on, a negative errno to stop the loop with it.
 */
typedef int (*udrv_gpio_fn)(struct udrv_gpio *gpio, const struct udrv_gpio_event *ev,
			    int status, void *data);

/** udrv_timer_fn - a timer expired. Return 0 to go on, a negative errno to stop the loop. */
typedef int (*udrv_timer_fn)(struct udrv_loop *loop, void *data);

/** udrv_loop_new() - a new empty loop owned by the caller (udrv_loop_free()). -EINVAL, -ENOMEM. */
UDRV_API int udrv_loop_new(struct udrv_loop **out);

/**
 * udrv_loop_free() - free @loop; borrowed interrupts are not touched.
 * NULL is accepted and ignored.
 */
UDRV_API void udrv_loop_free(struct udrv_loop *loop);

/**
 * udrv_loop_add_irq() - serve @irq with @fn. The loop borrows @irq: remove it
 * (or free the loop) before closing its device. Errors: -EINVAL @irq or @fn
 * NULL; -EEXIST already added; -ENOMEM.
 */
UDRV_API int udrv_loop_add_irq(struct udrv_loop *loop, struct udrv_irq *irq, udrv_irq_fn fn,
			       void *data);

/** udrv_loop_remove_irq() - stop serving @irq. -ENOENT if it was not added. */
UDRV_API int udrv_loop_remove_irq(struct udrv_loop *loop, struct udrv_irq *irq);

/**
 * udrv_loop_add_gpio() - serve the edge events of @gpio (requested with
 * UDRV_GPIO_EVENTS) with @fn. Borrowed as udrv_loop_add_irq(). Errors:
 * -EINVAL @gpio or @fn NULL; -EPERM not an event line; -EEXIST; -ENOMEM.
 */
UDRV_API int udrv_loop_add_gpio(struct udrv_loop *loop, struct udrv_gpio *gpio, udrv_gpio_fn fn,
				void *data);

/** udrv_loop_remove_gpio() - stop serving @gpio. -ENOENT if it was not added. */
UDRV_API int udrv_loop_remove_gpio(struct udrv_loop *loop, struct udrv_gpio *gpio);

/**
 * udrv_loop_add_timer() - call @fn after @delay_ns and then every @period_ns
 * (0: once). Returns a timer id > 0, or -EINVAL (@fn NULL), -ENOMEM.
 */
UDRV_API int udrv_loop_add_timer(struct udrv_loop *loop, uint64_t delay_ns, uint64_t period_ns,
				 udrv_timer_fn fn, void *data);

/** udrv_loop_remove_timer() - cancel timer @id. -ENOENT if no such timer is pending. */
UDRV_API int udrv_loop_remove_timer(struct udrv_loop *loop, int id);

/**
 * udrv_loop_run() - serve interrupts, GPIO events and timers until
 * udrv_loop_stop() is called, a callback returns an error, or nothing is
 * left to serve.
 * Returns the value given to udrv_loop_stop(), the callback's error, or 0
 * when nothing is left; -errno from poll (not -EINTR, which is retried).
 */
UDRV_API int udrv_loop_run(struct udrv_loop *loop);

/**
 * udrv_loop_run_once() - wait up to @timeout_ns for anything to serve and
 * serve what is ready. Returns the number of callbacks called, or as
 * udrv_loop_run() for errors (-EINTR is returned here).
 */
UDRV_API int udrv_loop_run_once(struct udrv_loop *loop, uint64_t timeout_ns);

/** udrv_loop_stop() - make udrv_loop_run() return @result after the current callback. */
UDRV_API void udrv_loop_stop(struct udrv_loop *loop, int result);

/* ------------------------------------------------------------------ */
/* Hosting drivers                                                     */

/** struct udrv_pci_id - a PCI vendor:device pair; tables end with {0, 0}. */
struct udrv_pci_id {
	uint16_t vendor;
	uint16_t device;
};

/**
 * struct udrv_driver - a userspace driver. Statically allocated by the
 * driver and borrowed by the host.
 * @name:        for messages
 * @compatibles: NULL-terminated DT compatibles it handles, or NULL
 * @pci_ids:     {0,0}-terminated PCI ids it handles, or NULL
 * @probe:       set the device up; register its interrupts and timers on
 *               @loop; store any state in *@priv. Return 0 or -errno. The
 *               host owns @dev and keeps it open until after remove.
 * @remove:      undo probe (may be NULL); remove what it added to @loop.
 *               Called when the host is freed, and when the loop finds the
 *               device removed (after the IRQ callback got -ENODEV); the
 *               host then drops the device's IRQ sources left in the loop
 *               and closes it. A probe that fails has its device's IRQ
 *               sources dropped and the device closed; remove is not called.
 */
struct udrv_driver {
	const char *name;
	const char *const *compatibles;
	const struct udrv_pci_id *pci_ids;
	int (*probe)(struct udrv_device *dev, struct udrv_loop *loop, void **priv);
	void (*remove)(struct udrv_device *dev, struct udrv_loop *loop, void *priv);
};

/** udrv_host_new() - a host with its own loop, owned by the caller (udrv_host_free()). */
UDRV_API int udrv_host_new(struct udrv_host **out);

/**
 * udrv_host_free() - remove every bound driver (in reverse probe order),
 * close the devices and free @host and its loop. NULL is ignored.
 */
UDRV_API void udrv_host_free(struct udrv_host *host);

/**
 * udrv_host_register() - add @drv (borrowed; must outlive @host).
 * -EINVAL if @drv, its probe, or both match tables are missing; -ENOMEM.
 */
UDRV_API int udrv_host_register(struct udrv_host *host, const struct udrv_driver *drv);

/**
 * udrv_host_probe() - for every present device not yet bound, probe the first
 * registered driver that matches it. A failing open or probe is logged, the
 * device is closed and the others go on. Returns the number of devices bound
 * by this call and stores the number of failures in *@failed (may be NULL);
 * -errno if the devices cannot be listed.
 */
UDRV_API int udrv_host_probe(struct udrv_host *host, unsigned int *failed);

/** udrv_host_num_bound() - devices currently bound. */
UDRV_API unsigned int udrv_host_num_bound(const struct udrv_host *host);

/** udrv_host_loop() - the host's loop, owned by @host. */
UDRV_API struct udrv_loop *udrv_host_loop(struct udrv_host *host);

/** udrv_host_run() - udrv_loop_run() on the host's loop. */
UDRV_API int udrv_host_run(struct udrv_host *host);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_H */
