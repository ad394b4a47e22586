/* SPDX-License-Identifier: MIT */
/*
 * device.c - pick a device by what the caller knows of it, open and close
 * it, and what it is. Finding devices is scan.c's job; mapping, interrupts
 * and the pool are region.c's, irq.c's and pool.c's.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct match {
	const struct udrv_open_opts *o;
	struct udrv_device **out;
	unsigned int index;
	int uio;		/* the name is "uioN": N, else -1 */
	unsigned int searched;	/* devices looked at, for the error message */
	char seen[192];		/* their names, as many as fit */
};

/* The DT node's name with its unit address ("pl031@9010000"), or "". */
static const char *node_name(const struct udrv__entry *e)
{
	const char *s = strrchr(e->dt_path, '/');

	return e->source == UDRV_SOURCE_DT && s ? s + 1 : "";
}

static bool matches(const struct udrv__entry *e, const struct udrv_open_opts *o)
{
	bool pci = e->source == UDRV_SOURCE_PCI;

	if (o->name)	/* the UIO name (linux,uio-name or the node's), or the DT node name */
		return !strcmp(e->nodes[0].name, o->name) || !strcmp(node_name(e), o->name);
	if (o->dt_path)
		return e->source == UDRV_SOURCE_DT && !strcmp(e->dt_path, o->dt_path);
	if (o->compatible)
		return udrv__entry_compatible(e, o->compatible);
	if (o->pci_address)
		return pci && !strcmp(e->pci_address, o->pci_address);
	return pci && e->vendor == o->pci_vendor && e->device == o->pci_device;
}

/* Open the device found: 1, or the error (-ESTALE: it changed since the scan). */
static int open_found(const struct udrv__entry *e, struct match *m)
{
	int ret = udrv__open_entry(e, m->o->shared, m->out);

	return ret ? ret : 1;
}

static int match_cb(const struct udrv__entry *e, void *data)
{
	struct match *m = data;
	size_t used = strlen(m->seen);

	m->searched++;
	if (used + strlen(e->nodes[0].name) + 8 < sizeof(m->seen))
		snprintf(m->seen + used, sizeof(m->seen) - used, "%s%s", used ? ", " : "",
			 e->nodes[0].name);
	else if (used + 5 < sizeof(m->seen) && !strstr(m->seen, "..."))
		snprintf(m->seen + used, sizeof(m->seen) - used, ", ...");
	return matches(e, m->o) && !m->index-- ? open_found(e, m) : 0;
}

/* uioN as a name: the device whose first node is uioN */
static int match_uio_cb(const struct udrv__entry *e, void *data)
{
	struct match *m = data;

	return (int)e->nodes[0].uio == m->uio ? open_found(e, m) : 0;
}

int udrv__opts_check(const struct udrv_open_opts *o, size_t name_max)
{
	if (!o || !!o->name + !!o->dt_path + !!o->compatible + !!o->pci_address + !!o->pci_vendor != 1)
		return -EINVAL;
	if (o->name && (!o->name[0] || strlen(o->name) >= name_max || strchr(o->name, '/')))
		return -EINVAL;
	if (o->dt_path && (o->dt_path[0] != '/' || strlen(o->dt_path) >= UDRV_PATH))
		return -EINVAL;
	if (o->compatible && (!o->compatible[0] ||
			      strlen(o->compatible) >= sizeof(((struct udrv__entry *)0)->compatible)))
		return -EINVAL;
	return 0;
}

UDRV_API int udrv_device_open_with(const struct udrv_open_opts *o, struct udrv_device **out)
{
	struct match m = { .o = o, .out = out };
	char what[400], pci[16];
	int ret;

	if (udrv__opts_check(o, sizeof(((struct udrv__node *)0)->name)) || !out || (o->pci_address &&	/* the full form only */
	    (udrv_pci_address_parse(o->pci_address, pci, sizeof(pci)) || strcmp(pci, o->pci_address))))
		return -EINVAL;
	m.uio = o->name ? (int)udrv__uio_number(o->name) : -1;
	/* A device that changed between the scan and the open (-ESTALE, see
	 * udrv__verify_node()) is looked for once more. */
	for (int tries = 0; tries < 2; tries++) {
		m.index = o->index;
		m.searched = 0;
		m.seen[0] = '\0';
		ret = udrv__scan(match_cb, &m);
		if (ret == 0 && m.uio >= 0)
			ret = udrv__scan(match_uio_cb, &m);
		if (ret != -ESTALE)
			break;
	}
	if (ret == 1)
		return 0;
	if (ret)
		return ret == -ESTALE ? -ENODEV : ret;
	if (o->name)
		snprintf(what, sizeof(what), "named \"%s\" (UIO name or DT node name)", o->name);
	else if (o->dt_path)
		snprintf(what, sizeof(what), "with DT node %.280s", o->dt_path);
	else if (o->compatible)
		snprintf(what, sizeof(what), "with \"%.256s\" (#%u) in its DT compatible or "
			 UDRV_UIO_PROP_COMPATIBLE " list", o->compatible, o->index);
	else if (o->pci_address)
		snprintf(what, sizeof(what), "at PCI %s", o->pci_address);
	else
		snprintf(what, sizeof(what), "with PCI id %04x:%04x (#%u)", o->pci_vendor,
			 o->pci_device, o->index);
	if (!m.searched)
		return udrv_error(-ENOENT, "no UIO device %s: there are no UIO devices at all",
				  what);
	return udrv_error(-ENOENT, "no UIO device %s among the %u UIO device%s (%s)%s", what,
			  m.searched, m.searched == 1 ? "" : "s", m.seen, !o->compatible ? "" :
			  "; a node whose compatible is only \"generic-uio\" is opened by its name "
			  "or DT path");
}

UDRV_API int udrv_device_open(const char *name, struct udrv_device **out)
{
	return udrv_device_open_with(&(struct udrv_open_opts){ .name = name ? name : "" }, out);
}

UDRV_API int udrv_device_open_dt_path(const char *path, struct udrv_device **out)
{
	return udrv_device_open_with(&(struct udrv_open_opts){ .dt_path = path ? path : "" }, out);
}

UDRV_API int udrv_device_open_dt_compatible(const char *compatible, unsigned int index,
					    struct udrv_device **out)
{
	return udrv_device_open_with(&(struct udrv_open_opts){
		.compatible = compatible ? compatible : "", .index = index }, out);
}

UDRV_API int udrv_device_open_pci(const char *address, struct udrv_device **out)
{
	return udrv_device_open_with(&(struct udrv_open_opts){
		.pci_address = address ? address : "" }, out);
}

UDRV_API int udrv_device_open_pci_id(uint16_t vendor, uint16_t device, unsigned int index,
				     struct udrv_device **out)
{
	return udrv_device_open_with(&(struct udrv_open_opts){
		.pci_vendor = vendor, .pci_device = device, .index = index }, out);
}

/* -EACCES opening the node @path: say who may. */
static int denied(const char *path)
{
	char buf[1024];
	struct group gr, *g = NULL;
	struct stat st;

	if (stat(path, &st))
		return udrv_error(-EACCES, "%s: permission denied", path);
	getgrgid_r(st.st_gid, &gr, buf, sizeof(buf), &g);
	return udrv_error(-EACCES, "%s: permission denied (mode %04o, group %s)", path,
			  (unsigned int)(st.st_mode & 07777), g ? g->gr_name : "?");
}

int udrv__open_entry(const struct udrv__entry *e, bool shared, struct udrv_device **out)
{
	struct udrv_device *dev;
	char path[UDRV_PATH];
	const char *check;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->e = *e;
	dev->fd = -1;
	dev->sync_fd = -1;
	ret = udrv__path(path, sizeof(path), "/dev/uio%u", e->nodes[0].uio);
	if (ret)
		goto err;
	dev->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);	/* see irq.c */
	if (dev->fd < 0) {
		ret = errno == EACCES ? denied(path) :
		      udrv_error(-errno, "%s: cannot open: %s", path, strerror(errno));
		goto err;
	}
	if (flock(dev->fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ?
		      udrv_error(-EBUSY, "%s (%s): in use by another open%s", path, e->nodes[0].name,
				 shared ? " that is not shared" : " (open it with udrv_open_opts.shared to share)") :
		      udrv_error(-errno, "%s: cannot lock: %s", path, strerror(errno));
		goto err;
	}
	dev->shared = shared;
	check = getenv("UDRV_DMA_CHECK");
	dev->dma_check = check && !strcmp(check, "1");
	ret = udrv__verify_node(e, &e->nodes[0], dev->fd);
	if (ret)
		goto err;
	ret = udrv__map_all(dev);
	if (ret)
		goto err;
	ret = udrv__irq_setup(dev);
	if (ret)
		goto err;
	*out = dev;
	return 0;
err:
	udrv_device_close(dev);
	return ret;
}

UDRV_API int udrv_device_present(struct udrv_device *dev)
{
	assert(dev);
	if (dev->gone)
		return udrv_error(-ENODEV, "%s: the device was removed", dev->e.nodes[0].name);
	/* A node with an interrupt polls POLLERR once removed; one without
	 * polls so always, and its sysfs node says instead. */
	if (dev->nirqs ? udrv__has_irq(dev->irqs[0].fd) == 1 :
	    !udrv__verify_node(&dev->e, &dev->e.nodes[0], dev->fd))
		return 0;
	dev->gone = true;
	return udrv_error(-ENODEV, "%s: the device was removed (uio%u)", dev->e.nodes[0].name,
			  dev->e.nodes[0].uio);
}

UDRV_API void udrv_device_close(struct udrv_device *dev)
{
	if (!dev)
		return;
	udrv__dt_teardown(dev);
	udrv__dma_teardown(dev);
	udrv__irq_teardown(dev);
	udrv__unmap_all(dev);
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev);
}

UDRV_API const char *udrv_device_name(const struct udrv_device *dev)
{
	assert(dev);
	return dev->e.nodes[0].name;
}

UDRV_API unsigned int udrv_device_uio(const struct udrv_device *dev)
{
	assert(dev);
	return dev->e.nodes[0].uio;
}

UDRV_API enum udrv_source udrv_device_source(const struct udrv_device *dev)
{
	assert(dev);
	return dev->e.source;
}

UDRV_API const char *udrv_device_dt_path(const struct udrv_device *dev)
{
	assert(dev);
	return dev->e.source == UDRV_SOURCE_DT ? dev->e.dt_path : NULL;
}

UDRV_API const char *udrv_device_driver(const struct udrv_device *dev)
{
	assert(dev);
	return dev->e.driver;
}

UDRV_API const char *udrv_device_pci_address(const struct udrv_device *dev)
{
	assert(dev);
	return dev->e.source == UDRV_SOURCE_PCI ? dev->e.pci_address : NULL;
}

UDRV_API int udrv_device_pci_id(const struct udrv_device *dev, uint16_t *vendor, uint16_t *device)
{
	assert(dev);
	if (dev->e.source != UDRV_SOURCE_PCI)
		return -EOPNOTSUPP;
	if (vendor)
		*vendor = dev->e.vendor;
	if (device)
		*device = dev->e.device;
	return 0;
}

UDRV_API int udrv_device_is_compatible(const struct udrv_device *dev, const char *compatible)
{
	assert(dev);
	if (!compatible)
		return -EINVAL;
	return udrv__entry_compatible(&dev->e, compatible);
}

