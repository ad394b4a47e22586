/* SPDX-License-Identifier: MIT */
/*
 * kdev.c - kernel devices on the platform, AMBA and PCI buses, whoever
 * drives them, and handing them to the udrv_uio stub and back the way the
 * kernel documents it (Documentation/ABI/testing/sysfs-bus-*: every one of
 * the three buses has driver_override and drivers_probe):
 *   bind:   [stub's pool] -> driver_override -> [driver/unbind] -> drivers_probe
 *   unbind: drivers/udrv_uio/unbind -> driver_override = "\n" -> drivers_probe
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *const buses[] = { "platform", "amba", "pci" };
#define NBUSES (sizeof(buses) / sizeof(buses[0]))
_Static_assert(sizeof(((struct udrv_kdev *)0)->sysfs_path) >= UDRV_PATH, "realpath() target");

static int uio_cb(const struct udrv__entry *e, void *data)
{
	struct udrv_kdev *kd = data;

	if (strcmp(e->parent, kd->sysfs_path))
		return 0;
	kd->uio = (int)e->nodes[0].uio;
	snprintf(kd->uio_name, sizeof(kd->uio_name), "%s", e->nodes[0].name);
	return 1;
}

/* Its driver, its UIO node and the stub's pool, as they are now. */
static void refresh(struct udrv_kdev *kd)
{
	char path[UDRV_PATH], sync[sizeof(kd->sysfs_path) + sizeof(UDRV_UIO_SYNC_ATTR) + 1];
	struct udrv_uio_map m;

	udrv__driver_of(kd->sysfs_path, kd->driver, sizeof(kd->driver));
	kd->uio = -1;
	kd->uio_name[0] = '\0';
	kd->pool_size = 0;
	kd->pool_cached = false;
	if (udrv__path(path, sizeof(path), "/sys/class/uio") || access(path, F_OK) ||
	    udrv__scan(uio_cb, kd) != 1)
		return;
	for (unsigned int i = 0; !udrv_uio_map((unsigned int)kd->uio, i, &m); i++)
		if (!strcmp(m.name, UDRV_UIO_DMA_MAP_NAME) && !strcmp(kd->driver, UDRV_UIO_DRIVER_NAME))
			kd->pool_size = m.size;
	snprintf(sync, sizeof(sync), "%s/" UDRV_UIO_SYNC_ATTR, kd->sysfs_path);
	kd->pool_cached = kd->pool_size && !access(sync, F_OK);
}

/* The device at sysfs directory @dir as scan.c describes a UIO device's
 * parent (DT node, compatible lists, PCI ids); malloc'ed, NULL if out of memory. */
static struct udrv__entry *entry_of(const char *dir)
{
	size_t len = strlen(dir);
	struct udrv__entry *e = len < sizeof(e->parent) ? calloc(1, sizeof(*e)) : NULL;

	if (e) {
		memcpy(e->parent, dir, len + 1);
		udrv__describe(e);
	}
	return e;
}

/* /sys/bus/@bus/devices/@name into *@kd: 0, or -ENOENT if there is none. */
static int kdev_at(struct udrv_kdev *kd, const char *bus, const char *name)
{
	char path[UDRV_PATH + 16];

	memset(kd, 0, sizeof(*kd));
	if (name[0] == '.' || strchr(name, '/') || strlen(name) >= sizeof(kd->name) ||
	    udrv__path(path, sizeof(path), "/sys/bus/%s/devices/%s", bus, name) ||
	    !realpath(path, kd->sysfs_path))
		return -ENOENT;
	snprintf(kd->bus, sizeof(kd->bus), "%s", bus);
	snprintf(kd->name, sizeof(kd->name), "%s", name);
	if (!strcmp(bus, "pci")) {
		struct udrv__entry *e = entry_of(kd->sysfs_path);

		if (e) {
			kd->vendor = e->vendor;
			kd->device = e->device;
			free(e);
		}
	}
	refresh(kd);
	return 0;
}

/* Does the device at @dir match @sel (dt_path resolved in @node)? */
static bool matches(const char *dir, const struct udrv_open_opts *sel, const char *node)
{
	struct udrv__entry *e = entry_of(dir);
	bool hit;

	if (!e)
		return false;
	if (sel->dt_path)
		hit = !strcmp(e->of_node, node);
	else if (sel->compatible)
		hit = udrv__entry_compatible(e, sel->compatible);
	else
		hit = e->source == UDRV_SOURCE_PCI && e->vendor == sel->pci_vendor &&
		      e->device == sel->pci_device;
	free(e);
	return hit;
}

/* The @sel->index-th device on @nb buses from @b0 that matches, counting in
 * name order on each bus (uio2 before uio10 style): 0 or -ENOENT. */
static int search(const struct udrv_open_opts *sel, const char *node, size_t b0, size_t nb,
		  struct udrv_kdev *out)
{
	unsigned int index = sel->dt_path ? 0 : sel->index;
	char path[UDRV_PATH], dev[UDRV_PATH + NAME_MAX + 2];
	struct dirent **e;
	int ret = -ENOENT;

	for (size_t b = b0; b < b0 + nb && ret; b++) {
		int n;

		if (udrv__path(path, sizeof(path), "/sys/bus/%s/devices", buses[b]) ||
		    (n = scandir(path, &e, NULL, versionsort)) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			snprintf(dev, sizeof(dev), "%s/%s", path, e[i]->d_name);
			if (ret && e[i]->d_name[0] != '.' && matches(dev, sel, node) && !index--)
				ret = kdev_at(out, buses[b], e[i]->d_name);
			free(e[i]);
		}
		free(e);
	}
	return ret;
}

/* @data: a UIO name or "uioN" (any node of the device), in; its parent, out. */
static int entry_cb(const struct udrv__entry *e, void *data)
{
	char uio[16];
	bool hit = !strcmp(e->nodes[0].name, data);

	for (unsigned int i = 0; i < e->nnodes && !hit; i++) {
		snprintf(uio, sizeof(uio), "uio%u", e->nodes[i].uio);
		hit = !strcmp(uio, data);
	}
	if (hit)
		snprintf(data, UDRV_PATH, "%s", e->parent);
	return hit;
}

/* A UIO device named @name (or uioN): its parent on one of the buses. */
static int by_uio(const char *name, struct udrv_kdev *out)
{
	char parent[UDRV_PATH];
	const char *base;

	snprintf(parent, sizeof(parent), "%s", name);
	if (udrv__scan(entry_cb, parent) != 1)
		return udrv_error(-ENOENT, "no device '%s' (want a DT path, a PCI address, a UIO "
				  "device or a sysfs device name)", name);
	base = strrchr(parent, '/');
	for (size_t b = 0; base && b < NBUSES; b++)
		if (!kdev_at(out, buses[b], base + 1) && !strcmp(out->sysfs_path, parent))
			return 0;
	return udrv_error(-ENODEV, "%s (%s) is on none of the platform, AMBA and PCI buses", name,
			  base ? base + 1 : "no parent device");
}

UDRV_API int udrv_kdev_find(const struct udrv_open_opts *sel, struct udrv_kdev *out)
{
	char path[UDRV_PATH], node[UDRV_PATH], pci[16];

	if (udrv__opts_check(sel, sizeof(out->name)) || !out)
		return udrv_error(-EINVAL, "not one valid device selector");
	if (sel->dt_path) {
		if (udrv__path(path, sizeof(path), "/sys/firmware/devicetree/base%s", sel->dt_path) ||
		    !realpath(path, node))
			return udrv_error(-ENOENT, "no device-tree node %s", sel->dt_path);
		if (search(sel, node, 0, 2, out))
			return udrv_error(-ENODEV, "%s has no platform or AMBA device (disabled, or a "
					  "node the kernel makes no device for)", sel->dt_path);
		return 0;
	}
	if (sel->pci_address) {
		if (udrv_pci_address_parse(sel->pci_address, pci, sizeof(pci)))
			return udrv_error(-EINVAL, "'%s' is not a PCI address", sel->pci_address);
		if (kdev_at(out, "pci", pci))
			return udrv_error(-ENOENT, "no PCI device %s", pci);
		return 0;
	}
	if (sel->name) {
		for (size_t b = 0; b < NBUSES; b++)
			if (!kdev_at(out, buses[b], sel->name))
				return 0;
		return by_uio(sel->name, out);
	}
	if (sel->compatible && search(sel, NULL, 0, 2, out))
		return udrv_error(-ENOENT, "no platform or AMBA device #%u lists %s", sel->index,
				  sel->compatible);
	if (sel->pci_vendor && search(sel, NULL, 2, 1, out))
		return udrv_error(-ENOENT, "no PCI device #%u with id %04x:%04x", sel->index,
				  sel->pci_vendor, sel->pci_device);
	return 0;
}

UDRV_API int udrv_kdev_stub_loaded(void)
{
	char path[UDRV_PATH];
	int ret = udrv__path(path, sizeof(path), "/sys/bus/platform/drivers/" UDRV_UIO_DRIVER_NAME);

	if (!ret && access(path, F_OK))
		ret = udrv_error(-ENXIO, "the " UDRV_UIO_DRIVER_NAME " module is not loaded "
				 "(modprobe " UDRV_UIO_DRIVER_NAME ", or build it with "
				 "'make -C kernel')");
	return ret;
}

enum where { DEV, BUS, STUB };

/* Write @val to @file of @kd's directory, of its bus's, or of the stub's
 * driver on its bus; a failure is logged unless @quiet. */
static int put(const struct udrv_kdev *kd, enum where w, const char *file, const char *val,
	       bool quiet)
{
	char path[UDRV_PATH + 64];
	int ret = 0;

	if (w == DEV)
		snprintf(path, sizeof(path), "%s/%s", kd->sysfs_path, file);
	else
		ret = udrv__path(path, sizeof(path), "/sys/bus/%s/%s%s", kd->bus,
				 w == STUB ? "drivers/" UDRV_UIO_DRIVER_NAME "/" : "", file);
	if (!ret)
		ret = udrv__write_attr(path, val);
	if (ret && !quiet)
		udrv_error(ret, "%s: writing '%s': %s%s", path, val[0] == '\n' ? "\\n" : val,
			   strerror(-ret), ret == -EACCES ? " (run as root)" : "");
	return ret;
}

static bool is_stub(const struct udrv_kdev *kd)
{
	return !strcmp(kd->driver, UDRV_UIO_DRIVER_NAME);
}

/* Before binding or unbinding @kd: the stub is there, @kd is up to date. */
static int begin(struct udrv_kdev *kd)
{
	int ret = kd ? udrv_kdev_stub_loaded() : udrv_error(-EINVAL, "no device given");

	if (!ret)
		refresh(kd);
	return ret;
}

/* After a failed bind with a pool: the contiguous memory there is, from
 * /proc/meminfo, and how to get more (the stub's log line says the same). */
static void cma_note(char *out, size_t len)
{
	char path[UDRV_PATH], info[4096], *t, *f;

	out[0] = '\0';
	if (udrv__path(path, sizeof(path), "/proc/meminfo") ||
	    udrv__read_file(path, info, sizeof(info)) < 0 ||
	    !(t = strstr(info, "CmaTotal:")) || !(f = strstr(info, "CmaFree:")))
		return;
	snprintf(out, len, "; CMA: %llu KiB, %llu KiB free (more: boot with cma=SIZE, or give "
		 "the DT node a memory-region)", strtoull(t + 9, NULL, 10),
		 strtoull(f + 8, NULL, 10));
}

UDRV_API int udrv_kdev_bind(struct udrv_kdev *kd, bool force, uint64_t pool)
{
	bool cached = pool != UDRV_POOL_UNSET && (pool & UDRV_POOL_CACHED);
	char req[200];
	int ret;

	if ((ret = begin(kd)))
		return ret;
	if (pool != UDRV_POOL_UNSET)
		pool &= ~UDRV_POOL_CACHED;
	if (is_stub(kd) && (pool == UDRV_POOL_UNSET ||
			    (pool == kd->pool_size && (!pool || cached == kd->pool_cached))))
		return 0;
	if (is_stub(kd) && !force)
		return udrv_error(-EEXIST, "%s is already bound to " UDRV_UIO_DRIVER_NAME
				  " as uio%d with a %" PRIu64 "-byte%s DMA pool", kd->name, kd->uio,
				  kd->pool_size, kd->pool_cached ? " cached" : "");
	if (kd->driver[0] && !force)
		return udrv_error(-EBUSY, "%s is held by the %s driver", kd->name, kd->driver);
	/* The stub's pool request, for this device's next bindings (udrv_uio.h). */
	snprintf(req, sizeof(req), "%s %" PRIu64 "%s", kd->name, pool, cached ? " cached" : "");
	/* the override before the unbind: from then on only the stub may probe it */
	if ((pool != UDRV_POOL_UNSET && (ret = put(kd, STUB, "pool", req, false))) ||
	    (ret = put(kd, DEV, "driver_override", UDRV_UIO_DRIVER_NAME, false)) ||
	    (kd->driver[0] && (ret = put(kd, DEV, "driver/unbind", kd->name, false))))
		return ret;
	ret = put(kd, BUS, "drivers_probe", kd->name, false);
	refresh(kd);
	if (!is_stub(kd)) {
		char cma[160] = "";

		if (pool != UDRV_POOL_UNSET && pool && !cached)
			cma_note(cma, sizeof(cma));
		return udrv_error(ret ? ret : -EIO, UDRV_UIO_DRIVER_NAME " did not take %s (see "
				  "dmesg)%s%s%s", kd->name, ret ? ": " : "", ret ? strerror(-ret) : "",
				  cma);
	}
	return 0;
}

UDRV_API int udrv_kdev_unbind(struct udrv_kdev *kd)
{
	int ret;

	if ((ret = begin(kd)))
		return ret;
	if (!is_stub(kd))
		return udrv_error(-EINVAL, "%s is not bound to " UDRV_UIO_DRIVER_NAME " (driver: %s)",
				  kd->name, kd->driver[0] ? kd->driver : "none");
	if ((ret = put(kd, STUB, "unbind", kd->name, false)) ||
	    (ret = put(kd, DEV, "driver_override", "\n", false)))
		return ret;
	/* Let the kernel find its own driver; a failed probe is not ours to report. */
	put(kd, BUS, "drivers_probe", kd->name, true);
	refresh(kd);
	if (!is_stub(kd))
		return 0;
	/* The stub matches it on its own (compatible, of_id=, ids=): keep it off. */
	ret = put(kd, STUB, "unbind", kd->name, false);
	refresh(kd);
	return ret ? ret : 1;
}
