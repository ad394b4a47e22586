// SPDX-License-Identifier: MIT
/*
 * udrv bind / unbind: hand a device to the udrv_uio stub and back, the way
 * the kernel documents it (Documentation/ABI/testing/sysfs-bus-*):
 *   bind:   [driver/unbind] -> driver_override = udrv_uio -> bus/drivers_probe
 *   unbind: drivers/udrv_uio/unbind -> driver_override = "" -> bus/drivers_probe
 * Platform, AMBA and PCI devices all have driver_override. --pool SIZE
 * first writes "DEVICE SIZE" to the stub's `pool` attribute.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "udrv_uio.h"

static const char *const buses[] = { "platform", "amba", "pci" };

/* A device in sysfs: /sys/bus/<bus>/devices/<name> -> <dir>. */
struct sysdev {
	const char *bus;
	char name[128];
	char dir[PATH_MAX];
};

static int sysdev_at(struct sysdev *d, const char *bus, const char *name)
{
	char path[TOOL_PATH];

	if (syspath(path, sizeof(path), "/sys/bus/%s/devices/%s", bus, name) ||
	    !realpath(path, d->dir))
		return -ENOENT;
	d->bus = bus;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return 0;
}

/* The platform or AMBA device whose of_node is the DT node @node (resolved). */
static int sysdev_by_of_node(struct sysdev *d, const char *node)
{
	char path[TOOL_PATH], real[PATH_MAX];
	struct dirent *e;
	int found = -ENOENT;

	for (int b = 0; b < 2 && found; b++) {
		DIR *dir;

		if (syspath(path, sizeof(path), "/sys/bus/%s/devices", buses[b]) ||
		    !(dir = opendir(path)))
			continue;
		while (found && (e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s/of_node",
				 e->d_name);
			if (realpath(path, real) && !strcmp(real, node))
				found = sysdev_at(d, buses[b], e->d_name);
			syspath(path, sizeof(path), "/sys/bus/%s/devices", buses[b]);
		}
		closedir(dir);
	}
	return found;
}

/*
 * DEV for bind/unbind: a DT path, a PCI address, a UIO device (uioN, name)
 * or a sysfs device name on one of the three buses. 0 or an exit status.
 */
static int resolve(const char *cmd, const char *spec, struct sysdev *d)
{
	char path[TOOL_PATH], node[PATH_MAX], pci[32];
	struct target t;
	const char *b;

	if (spec[0] == '/') {
		if (syspath(path, sizeof(path), "/sys/firmware/devicetree/base%s", spec) ||
		    !realpath(path, node))
			return report(EXIT_USAGE, cmd, "no device-tree node %s", spec);
		if (sysdev_by_of_node(d, node))
			return report(1, cmd, "%s has no platform or AMBA device (disabled, or a node "
				    "the kernel makes no device for)", spec);
		return 0;
	}
	if (!pci_address(spec, pci, sizeof(pci))) {
		if (sysdev_at(d, "pci", pci))
			return report(EXIT_USAGE, cmd, "no PCI device %s", pci);
		return 0;
	}
	for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++)
		if (spec[0] != '.' && !strchr(spec, '/') && !sysdev_at(d, buses[i], spec))
			return 0;
	if (find_target(spec, &t) == 0) {
		syspath(path, sizeof(path), "/sys/class/uio/uio%u/device", t.uio);
		if (!realpath(path, d->dir))
			return report(1, cmd, "uio%u (%s) has no parent device", t.uio, t.name);
		b = strrchr(d->dir, '/');
		snprintf(d->name, sizeof(d->name), "%s", b + 1);
		for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
			struct sysdev tmp;

			if (!sysdev_at(&tmp, buses[i], d->name) && !strcmp(tmp.dir, d->dir)) {
				d->bus = buses[i];
				return 0;
			}
		}
		return report(1, cmd, "%s (%s) is on none of the platform, AMBA and PCI buses",
			    spec, d->name);
	}
	return report(EXIT_USAGE, cmd, "no device '%s' (want a DT path, a PCI address, a UIO "
		    "device or a sysfs device name)", spec);
}

static int stub_loaded(const char *cmd)
{
	char path[TOOL_PATH];

	syspath(path, sizeof(path), "/sys/bus/platform/drivers/" UDRV_UIO_DRIVER_NAME);
	if (access(path, F_OK))
		return report(1, cmd, "the %s module is not loaded (modprobe %s, or build it with "
			    "'make -C kernel')", UDRV_UIO_DRIVER_NAME, UDRV_UIO_DRIVER_NAME);
	return 0;
}

static int bus_write(const char *cmd, const struct sysdev *d, const char *file, const char *val)
{
	char path[TOOL_PATH];
	int r;

	if (file[0] == '/')
		snprintf(path, sizeof(path), "%s", file);
	else
		syspath(path, sizeof(path), "/sys/bus/%s/%s", d->bus, file);
	r = syswrite(path, val);
	if (r)
		return report(1, cmd, "%s: writing '%s': %s%s", path, val[0] == '\n' ? "\\n" : val,
			    strerror(-r), r == -EACCES ? " (run as root)" : "");
	return 0;
}

/* The UIO node (first one) whose parent is @d; -1 if none. */
static int uio_of(const struct sysdev *d, char *name, size_t len)
{
	char path[TOOL_PATH], real[PATH_MAX];
	unsigned int uios[256];
	int n = uio_numbers(uios, 256);

	for (int k = 0; k < n; k++) {
		int u = (int)uios[k];

		syspath(path, sizeof(path), "/sys/class/uio/uio%d/device", u);
		if (!realpath(path, real) || strcmp(real, d->dir))
			continue;
		syspath(path, sizeof(path), "/sys/class/uio/uio%d/name", u);
		if (sysread(path, name, len) < 0)
			name[0] = '\0';
		if (!strstr(name, UDRV_UIO_IRQ_SUFFIX))
			return u;
	}
	return -1;
}

/* The stub's DMA pool of its UIO node @u (map "dma"), 0 if none. */
static uint64_t pool_of(int u)
{
	char path[TOOL_PATH], buf[64];
	uint64_t size = 0;

	for (int m = 0; u >= 0 && m < UDRV_UIO_MAX_MAPS; m++) {
		syspath(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/name", u, m);
		if (sysread(path, buf, sizeof(buf)) < 0)
			break;
		if (strcmp(buf, UDRV_UIO_DMA_MAP_NAME))
			continue;
		syspath(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/size", u, m);
		if (sysread(path, buf, sizeof(buf)) > 0)
			parse_u64(buf, &size);
	}
	return size;
}

int cmd_bind(int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      { "pool", required_argument, NULL, 'p' }, { 0 } };
	char drv[64], path[PATH_MAX + 32], name[80], req[200];
	struct sysdev d;
	bool force = false;
	uint64_t pool = UINT64_MAX;
	int o, r, u;

	while ((o = getopt_long(argc, argv, ":fp:", opts, NULL)) != -1) {
		if (o == 'p') {
			if (parse_u64(optarg, &pool) || pool > UINT32_MAX)
				return report(EXIT_USAGE, "bind", "bad pool size '%s' (bytes, up to "
					    "4 GiB - 1: 65536, 0x10000; 0 for none)", optarg);
			continue;
		}
		if (o != 'f')
			return bad_option("bind", argv, o);
		force = true;
	}
	if (argc - optind != 1)
		return report(EXIT_USAGE, "bind", "want one DEV (see 'udrv bind --help')");
	if ((r = stub_loaded("bind")) || (r = resolve("bind", argv[optind], &d)))
		return r;
	driver_of(d.dir, drv, sizeof(drv));
	if (!strcmp(drv, UDRV_UIO_DRIVER_NAME)) {
		u = uio_of(&d, name, sizeof(name));
		if (pool != UINT64_MAX && pool != pool_of(u))
			return report(1, "bind", "%s is already bound to %s as uio%d with a %" PRIu64
				    "-byte DMA pool: 'udrv unbind %s' first to bind it with --pool %"
				    PRIu64, d.name, drv, u, pool_of(u), argv[optind], pool);
		printf("%s: already bound to %s as uio%d (%s)\n", d.name, drv, u, name);
		return 0;
	}
	if (drv[0] && !force)
		return report(1, "bind", "%s (%s) is held by the %s driver; --force unbinds it from %s",
			    argv[optind], d.name, drv, drv);
	/* The stub's pool request, for this device's next bindings (udrv_uio.h). */
	snprintf(req, sizeof(req), "%s %" PRIu64, d.name, pool);
	if (pool != UINT64_MAX &&
	    (r = bus_write("bind", &d, "drivers/" UDRV_UIO_DRIVER_NAME "/pool", req)))
		return r;
	snprintf(path, sizeof(path), "%s/driver/unbind", d.dir);
	if (drv[0] && (r = bus_write("bind", &d, path, d.name)))
		return r;
	snprintf(path, sizeof(path), "%s/driver_override", d.dir);
	if ((r = bus_write("bind", &d, path, UDRV_UIO_DRIVER_NAME)))
		return r;
	r = bus_write("bind", &d, "drivers_probe", d.name);
	driver_of(d.dir, drv, sizeof(drv));
	if (strcmp(drv, UDRV_UIO_DRIVER_NAME))
		return r ? r : report(1, "bind", "%s did not take %s (see dmesg)",
				    UDRV_UIO_DRIVER_NAME, d.name);
	u = uio_of(&d, name, sizeof(name));
	printf("%s: bound to %s as uio%d (%s)", d.name, drv, u, name);
	if (pool_of(u))
		printf(", DMA pool %" PRIu64 " bytes", pool_of(u));
	putchar('\n');
	return 0;
}

int cmd_unbind(int argc, char **argv)
{
	char drv[64], path[PATH_MAX + 32];
	struct sysdev d;
	int o, r;

	while ((o = getopt_long(argc, argv, ":", (const struct option[]){ { 0 } }, NULL)) != -1)
		return bad_option("unbind", argv, o);
	if (argc - optind != 1)
		return report(EXIT_USAGE, "unbind", "want one DEV (see 'udrv unbind --help')");
	if ((r = stub_loaded("unbind")) || (r = resolve("unbind", argv[optind], &d)))
		return r;
	driver_of(d.dir, drv, sizeof(drv));
	if (strcmp(drv, UDRV_UIO_DRIVER_NAME))
		return report(1, "unbind", "%s (%s) is not bound to %s (driver: %s)", argv[optind],
			    d.name, UDRV_UIO_DRIVER_NAME, drv[0] ? drv : "none");
	if ((r = bus_write("unbind", &d, "drivers/" UDRV_UIO_DRIVER_NAME "/unbind", d.name)))
		return r;
	snprintf(path, sizeof(path), "%s/driver_override", d.dir);
	if ((r = bus_write("unbind", &d, path, "\n")))
		return r;
	/* Let the kernel find its own driver; a failed probe is not ours to report. */
	syspath(path, sizeof(path), "/sys/bus/%s/drivers_probe", d.bus);
	syswrite(path, d.name);
	driver_of(d.dir, drv, sizeof(drv));
	if (!strcmp(drv, UDRV_UIO_DRIVER_NAME)) {
		/* The stub matches it on its own (compatible, of_id=, ids=): keep it off. */
		if ((r = bus_write("unbind", &d, "drivers/" UDRV_UIO_DRIVER_NAME "/unbind", d.name)))
			return r;
		printf("%s: unbound from %s, left without a driver (%s matches it by "
		       "compatible or id)\n", d.name, UDRV_UIO_DRIVER_NAME, UDRV_UIO_DRIVER_NAME);
	} else if (drv[0]) {
		printf("%s: unbound from %s, now bound to %s\n", d.name, UDRV_UIO_DRIVER_NAME, drv);
	} else {
		printf("%s: unbound from %s, no driver took it\n", d.name, UDRV_UIO_DRIVER_NAME);
	}
	return 0;
}
