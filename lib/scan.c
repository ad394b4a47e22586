/* SPDX-License-Identifier: MIT */
/*
 * scan.c - the UIO devices in sysfs, without opening them.
 *
 * /sys/class/uio/uioN/{name,device -> parent}; a device's extra interrupts
 * are nodes named "<name>.irq<i>" with the same parent (udrv_uio.h). A DT
 * device's parent has of_node -> /sys/firmware/devicetree/base/...; a PCI
 * function's parent is named by its address and has vendor/device/config.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

long udrv__uio_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "uio", 3) || name[3] < '0' || name[3] > '9')
		return -1;
	n = strtol(name + 3, &end, 10);
	return *end || n > INT_MAX ? -1 : n;
}

static int is_uio(const struct dirent *d)
{
	return udrv__uio_number(d->d_name) >= 0;
}

/* Parse "<base>.irq<i>" (i >= 1); returns i, or 0 if @name has no suffix. */
static unsigned int irq_suffix(const char *name, size_t *base_len)
{
	const char *s = strrchr(name, '.');
	size_t n = strlen(UDRV_UIO_IRQ_SUFFIX);
	char *end;
	unsigned long i;

	if (!s || strncmp(s, UDRV_UIO_IRQ_SUFFIX, n) || s[n] < '1' || s[n] > '9')
		return 0;
	i = strtoul(s + n, &end, 10);
	if (*end || i >= UDRV_MAX_IRQS)
		return 0;
	*base_len = (size_t)(s - name);
	return (unsigned int)i;
}

static int read_name(unsigned int uio, char *name, size_t len)
{
	char path[UDRV_PATH];
	int n;

	if (udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/name", uio))
		return -ENAMETOOLONG;
	n = udrv__read_file(path, name, len);
	if (n == -EFBIG) {
		udrv__log(UDRV_LOG_WARN, "%s: longer than %zu bytes: node ignored", path, len - 1);
		return n;
	}
	if (n < 0)
		return udrv_error(n, "%s: cannot read: %s", path, strerror(-n));
	name[strcspn(name, "\n")] = '\0';
	if (!name[0])
		return udrv_error(-EINVAL, "%s: empty name", path);
	return 0;
}

static bool node_exists(unsigned int uio)
{
	char path[UDRV_PATH];

	return !udrv__path(path, sizeof(path), "/sys/class/uio/uio%u", uio) && !access(path, F_OK);
}

static void read_parent(unsigned int uio, char *parent)
{
	char path[UDRV_PATH];

	if (udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/device", uio) ||
	    !realpath(path, parent))
		parent[0] = '\0';
}

/* The compatible list @prop of @e's DT node into @buf: its length, 0 if none.
 * One too long for @buf is not cut short but left out, with a warning (a
 * cut list could match what the device is not). */
static size_t read_list(const struct udrv__entry *e, const char *prop, char *buf, size_t len)
{
	char path[UDRV_PATH + 32];
	int n;

	snprintf(path, sizeof(path), "%s/%s", e->of_node, prop);
	n = udrv__read_file(path, buf, len);
	if (n == -EFBIG)
		udrv__log(UDRV_LOG_WARN, "%s: longer than %zu bytes: ignored", path, len - 1);
	return n > 0 ? (size_t)n : 0;
}

void udrv__describe(struct udrv__entry *e)
{
	char path[UDRV_PATH + 32], base[UDRV_PATH], rbase[UDRV_PATH];
	const char *bn;
	uint64_t v;

	if (!e->parent[0])
		return;
	udrv__driver_of(e->parent, e->driver, sizeof(e->driver));
	snprintf(path, sizeof(path), "%s/of_node", e->parent);
	if (realpath(path, e->of_node) &&
	    !udrv__path(base, sizeof(base), "/sys/firmware/devicetree/base") &&
	    realpath(base, rbase)) {
		size_t bl = strlen(rbase);

		if (!strncmp(e->of_node, rbase, bl) && (!e->of_node[bl] || e->of_node[bl] == '/')) {
			snprintf(e->dt_path, sizeof(e->dt_path), "%s",
				 e->of_node[bl] ? e->of_node + bl : "/");
			e->source = UDRV_SOURCE_DT;
			e->compatible_len = read_list(e, "compatible", e->compatible,
						      sizeof(e->compatible));
			e->udrv_compatible_len = read_list(e, UDRV_UIO_PROP_COMPATIBLE,
							   e->udrv_compatible,
							   sizeof(e->udrv_compatible));
		}
	}
	if (e->source != UDRV_SOURCE_DT)
		e->of_node[0] = '\0';

	bn = strrchr(e->parent, '/');
	bn = bn ? bn + 1 : e->parent;
	if (udrv_pci_address_parse(bn, e->pci_address, sizeof(e->pci_address)) ||
	    strcmp(bn, e->pci_address)) {
		e->pci_address[0] = '\0';
		return;
	}
	snprintf(path, sizeof(path), "%s/vendor", e->parent);
	if (udrv__read_u64(path, &v) || v > 0xffff)
		return;
	e->vendor = (uint16_t)v;
	snprintf(path, sizeof(path), "%s/device", e->parent);
	if (udrv__read_u64(path, &v) || v > 0xffff)
		return;
	e->device = (uint16_t)v;
	e->source = UDRV_SOURCE_PCI;
}

static struct udrv__entry *find_group(struct udrv__entry *es, size_t n, const char *parent,
				      const char *name, size_t name_len)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(es[i].parent, parent) && strlen(es[i].nodes[0].name) == name_len &&
		    !strncmp(es[i].nodes[0].name, name, name_len))
			return &es[i];
	return NULL;
}

int udrv__scan(int (*fn)(const struct udrv__entry *e, void *data), void *data)
{
	char path[UDRV_PATH];
	struct udrv__entry *es = NULL;
	struct dirent **ds = NULL;
	size_t ne = 0;
	int n, ret = 0;

	if (udrv__path(path, sizeof(path), "/sys/class/uio"))
		return -ENAMETOOLONG;
	n = scandir(path, &ds, is_uio, versionsort);	/* uio2 before uio10 */
	if (n < 0)
		return udrv_error(-errno, "%s: cannot open: %s", path, strerror(errno));
	es = calloc(n ? (size_t)n : 1, sizeof(*es));
	if (!es) {
		ret = -ENOMEM;
		goto out;
	}
	/* Pass 1: first nodes; pass 2: attach "<name>.irq<i>" nodes. */
	for (int pass = 1; pass <= 2; pass++) {
		for (int i = 0; i < n; i++) {
			struct udrv__node node = { .uio = (unsigned int)udrv__uio_number(ds[i]->d_name) };
			char parent[UDRV_PATH];
			struct udrv__entry *e;
			size_t base_len = 0;

			ret = read_name(node.uio, node.name, sizeof(node.name));
			if ((ret == -ENOENT && !node_exists(node.uio)) || ret == -EFBIG)
				continue;	/* removed while we looked, or not ours */
			if (ret)
				goto out;
			node.irq_index = irq_suffix(node.name, &base_len);
			read_parent(node.uio, parent);
			if (pass == 2 && node.irq_index) {
				e = find_group(es, ne, parent, node.name, base_len);
				if (e && e->nnodes < UDRV_MAX_IRQS) {
					e->nodes[e->nnodes++] = node;
					continue;
				}
				node.irq_index = 0;	/* an orphan: a device of its own */
			} else if (pass == 2 || node.irq_index) {
				continue;
			}
			e = &es[ne++];
			memcpy(e->parent, parent, sizeof(parent));
			e->nodes[0] = node;
			e->nnodes = 1;
			udrv__describe(e);
		}
	}
	ret = 0;
	for (size_t i = 0; i < ne && !ret; i++)
		ret = fn(&es[i], data);
out:
	for (int i = 0; i < n; i++)
		free(ds[i]);
	free(ds);
	free(es);
	return ret;
}

/* X is in "compatible" or in "udrv,compatible" (the identity an overlay
 * keeps when it replaces a device's compatible with "udrv,uio"). */
bool udrv__entry_compatible(const struct udrv__entry *e, const char *compat)
{
	return fdt_stringlist_contains(e->compatible, (int)e->compatible_len, compat) ||
	       fdt_stringlist_contains(e->udrv_compatible, (int)e->udrv_compatible_len, compat);
}

struct info_ctx {
	udrv_device_info_fn fn;
	void *data;
	int count;
};

static int info_cb(const struct udrv__entry *e, void *data)
{
	struct info_ctx *c = data;
	struct udrv_device_info info = {
		.name = e->nodes[0].name,
		.uio = e->nodes[0].uio,
		.nodes = e->nnodes,
		.source = e->source,
		.dt_path = e->source == UDRV_SOURCE_DT ? e->dt_path : NULL,
		.compatible = e->compatible_len ? e->compatible : NULL,
		.udrv_compatible = e->udrv_compatible_len ? e->udrv_compatible : NULL,
		.entry_ = e,
		.pci_address = e->source == UDRV_SOURCE_PCI ? e->pci_address : NULL,
		.vendor = e->vendor,
		.device = e->device,
		.compatible_len = e->compatible_len,
		.driver = e->driver,
		.sysfs_path = e->parent,
	};

	c->count++;
	return c->fn(&info, c->data);
}

UDRV_API int udrv_device_info_is_compatible(const struct udrv_device_info *info,
					    const char *compatible)
{
	assert(info);
	if (!compatible)
		return -EINVAL;
	return info->entry_ ? udrv__entry_compatible(info->entry_, compatible) : 0;
}

UDRV_API int udrv_device_foreach(udrv_device_info_fn fn, void *data)
{
	struct info_ctx c = { fn, data, 0 };
	int ret;

	if (!fn)
		return -EINVAL;
	ret = udrv__scan(info_cb, &c);
	return ret ? ret : c.count;
}

/*
 * After open (and lock): is the node behind @fd (-1: do not check) still
 * the one the scan saw? UIO numbers are reused: between the scan and the
 * open, the device can go and another take its number. The node's dev_t
 * must be sysfs's uioN/dev, and its name and parent the scanned ones.
 * -ESTALE (logged) if not.
 */
int udrv__verify_node(const struct udrv__entry *e, const struct udrv__node *node, int fd)
{
	char path[UDRV_PATH], name[sizeof(node->name)], parent[UDRV_PATH], buf[32];
	unsigned int maj, min;
	struct stat st;
	int n;

	if (udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/dev", node->uio))
		return -ENAMETOOLONG;
	n = udrv__read_file(path, buf, sizeof(buf));
	if (n < 0 || sscanf(buf, "%u:%u", &maj, &min) != 2)
		return udrv_error(-ESTALE, "%s: unreadable (%s)", path,
				  n < 0 ? strerror(-n) : "malformed");
	if (fd >= 0 && (fstat(fd, &st) || st.st_rdev != makedev(maj, min)))
		return udrv_error(-ESTALE, "uio%u: /dev/uio%u is not the device %u:%u sysfs names",
				  node->uio, node->uio, maj, min);
	read_parent(node->uio, parent);
	if (read_name(node->uio, name, sizeof(name)) || strcmp(name, node->name) ||
	    strcmp(parent, e->parent))
		return udrv_error(-ESTALE, "uio%u: changed while being opened (was \"%s\")",
				  node->uio, node->name);
	return 0;
}


UDRV_API int udrv_device_info_node(const struct udrv_device_info *info, unsigned int i,
				   struct udrv_uio_node *out)
{
	const struct udrv__entry *e = info ? info->entry_ : NULL;
	char path[UDRV_PATH];
	uint64_t v;
	int fd;

	if (!e || !out)
		return -EINVAL;
	if (i >= e->nnodes)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->uio = e->nodes[i].uio;
	snprintf(out->name, sizeof(out->name), "%s", e->nodes[i].name);
	out->events = -1;
	if (!udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/event", out->uio) &&
	    !udrv__read_u64(path, &v) && v <= INT64_MAX)
		out->events = (int64_t)v;
	out->irq = -1;
	if (!udrv__path(path, sizeof(path), "/dev/uio%u", out->uio) &&
	    (fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0) {
		out->irq = udrv__has_irq(fd);
		close(fd);
	}
	return 0;
}

bool udrv__uio_has_map(unsigned int uio, unsigned int index)
{
	char path[UDRV_PATH];

	return !udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u", uio, index) &&
	       !access(path, F_OK);
}

UDRV_API int udrv_uio_map(unsigned int uio, unsigned int index, struct udrv_uio_map *out)
{
	static const char *const attrs[] = { "addr", "size", "offset" };
	char path[UDRV_PATH];
	int ret;

	if (!out)
		return -EINVAL;
	uint64_t *vals[] = { &out->addr, &out->size, &out->offset };

	if (!udrv__uio_has_map(uio, index))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < 3; i++) {
		udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u/%s", uio, index,
			   attrs[i]);
		if ((ret = udrv__read_u64(path, vals[i])))
			return ret;
	}
	udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u/name", uio, index);
	if (udrv__read_file(path, out->name, sizeof(out->name)) < 0)
		out->name[0] = '\0';
	out->name[strcspn(out->name, "\n")] = '\0';
	return 0;
}
