/* SPDX-License-Identifier: MIT */
/*
 * device.c - find UIO devices in sysfs, group a device's nodes, open/close.
 *
 * /sys/class/uio/uioN/{name,device -> parent}; a device's extra interrupts
 * are nodes named "<name>.irq<i>" with the same parent (udrv_uio.h). A DT
 * device's parent has of_node -> /sys/firmware/devicetree/base/...; a PCI
 * function's parent is named by its address and has vendor/device/config.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Parse "<base>.irq<i>" (i >= 1); returns i, or 0 if @name has no suffix. */
static unsigned int irq_suffix(const char *name, size_t *base_len)
{
	const char *s = strrchr(name, '.');
	char *end;
	unsigned long i;

	if (!s || strncmp(s, UDRV_UIO_IRQ_SUFFIX, strlen(UDRV_UIO_IRQ_SUFFIX)))
		return 0;
	s += strlen(UDRV_UIO_IRQ_SUFFIX);
	if (*s < '1' || *s > '9')
		return 0;
	i = strtoul(s, &end, 10);
	if (*end || i >= UDRV_MAX_IRQS)
		return 0;
	*base_len = (size_t)(s - name) - strlen(UDRV_UIO_IRQ_SUFFIX);
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
		return udrv__fail(n, "%s: cannot read: %s", path, strerror(-n));
	name[strcspn(name, "\n")] = '\0';
	if (!name[0])
		return udrv__fail(-EINVAL, "%s: empty name", path);
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

	parent[0] = '\0';
	if (udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/device", uio))
		return;
	if (udrv__realpath(path, parent, UDRV_PATH))
		parent[0] = '\0';
}

static int parse_pci_address(const char *s)
{
	unsigned int dom, bus, slot, fn;
	int n = 0;

	if (strlen(s) != 12 || sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &slot, &fn, &n) != 4 ||
	    n != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
		return -EINVAL;
	return 0;
}

/* A compatible list; one too long for @buf is not cut short but left out,
 * with a warning (a cut list could match what the device is not). */
static int read_list(const char *path, char *buf, size_t len)
{
	int n = udrv__read_file(path, buf, len);

	if (n == -EFBIG)
		udrv__log(UDRV_LOG_WARN, "%s: longer than %zu bytes: ignored", path, len - 1);
	return n;
}

/* Fill the DT / PCI facts of an entry from its parent directory. */
static void describe(struct udrv__entry *e)
{
	char path[UDRV_PATH + 32], base[UDRV_PATH], rbase[UDRV_PATH];
	const char *bn;
	uint64_t v;
	int n;

	if (!e->parent[0])
		return;
	snprintf(path, sizeof(path), "%s/driver", e->parent);
	if (!udrv__realpath(path, base, sizeof(base))) {
		bn = strrchr(base, '/');
		snprintf(e->driver, sizeof(e->driver), "%.63s", bn ? bn + 1 : base);
	}
	snprintf(path, sizeof(path), "%s/of_node", e->parent);
	if (!udrv__realpath(path, e->of_node, sizeof(e->of_node)) &&
	    !udrv__path(base, sizeof(base), "/sys/firmware/devicetree/base") &&
	    !udrv__realpath(base, rbase, sizeof(rbase))) {
		size_t bl = strlen(rbase);

		if (!strncmp(e->of_node, rbase, bl) && (!e->of_node[bl] || e->of_node[bl] == '/')) {
			snprintf(e->dt_path, sizeof(e->dt_path), "%s",
				 e->of_node[bl] ? e->of_node + bl : "/");
			e->source = UDRV_SOURCE_DT;
			snprintf(path, sizeof(path), "%s/compatible", e->of_node);
			n = read_list(path, e->compatible, sizeof(e->compatible));
			e->compatible_len = n > 0 ? (size_t)n : 0;
			snprintf(path, sizeof(path), "%s/" UDRV_UIO_PROP_COMPATIBLE, e->of_node);
			n = read_list(path, e->udrv_compatible, sizeof(e->udrv_compatible));
			e->udrv_compatible_len = n > 0 ? (size_t)n : 0;
		}
	}
	if (e->source != UDRV_SOURCE_DT)
		e->of_node[0] = '\0';

	bn = strrchr(e->parent, '/');
	bn = bn ? bn + 1 : e->parent;
	if (parse_pci_address(bn))
		return;
	snprintf(path, sizeof(path), "%s/vendor", e->parent);
	if (udrv__read_u64(path, &v) || v > 0xffff)
		return;
	e->vendor = (uint16_t)v;
	snprintf(path, sizeof(path), "%s/device", e->parent);
	if (udrv__read_u64(path, &v) || v > 0xffff)
		return;
	e->device = (uint16_t)v;
	snprintf(e->pci_address, sizeof(e->pci_address), "%.12s", bn);
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
	unsigned int *uios = NULL, u;
	size_t n = 0, cap = 0, ne = 0;
	struct udrv__entry *es = NULL;
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	if (udrv__path(path, sizeof(path), "/sys/class/uio"))
		return -ENAMETOOLONG;
	dir = opendir(path);
	if (!dir)
		return udrv__fail(-errno, "%s: cannot open: %s", path, strerror(errno));
	while ((d = readdir(dir))) {
		char *end;

		if (strncmp(d->d_name, "uio", 3) || d->d_name[3] < '0' || d->d_name[3] > '9')
			continue;
		u = (unsigned int)strtoul(d->d_name + 3, &end, 10);
		if (*end)
			continue;
		if (n == cap) {
			unsigned int *p = realloc(uios, (cap = cap ? 2 * cap : 16) * sizeof(*p));

			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
			uios = p;
		}
		uios[n++] = u;
	}
	if (n)
		qsort(uios, n, sizeof(*uios), cmp_uint);
	es = calloc(n ? n : 1, sizeof(*es));
	if (!es) {
		ret = -ENOMEM;
		goto out;
	}
	/* Pass 1: first nodes; pass 2: attach "<name>.irq<i>" nodes. */
	for (int pass = 1; pass <= 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			struct udrv__node node = { .uio = uios[i] };
			char parent[UDRV_PATH];
			struct udrv__entry *e;
			size_t base_len = 0;

			ret = read_name(uios[i], node.name, sizeof(node.name));
			if ((ret == -ENOENT && !node_exists(uios[i])) || ret == -EFBIG)
				continue;	/* removed while we looked, or not ours */
			if (ret)
				goto out;
			node.irq_index = irq_suffix(node.name, &base_len);
			read_parent(uios[i], parent);
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
			describe(e);
		}
	}
	ret = 0;
	for (size_t i = 0; i < ne && !ret; i++)
		ret = fn(&es[i], data);
out:
	closedir(dir);
	free(uios);
	free(es);
	return ret;
}

static bool in_list(const char *list, size_t len, const char *s)
{
	for (size_t i = 0; i < len; i += strlen(list + i) + 1)
		if (!strcmp(list + i, s))
			return true;
	return false;
}

bool udrv__entry_is_stub(const struct udrv__entry *e)
{
	return !strcmp(e->driver, UDRV_UIO_DRIVER_NAME);
}

/* X is in "compatible" or in "udrv,compatible" (the identity an overlay
 * keeps when it replaces a device's compatible with "udrv,uio"). */
bool udrv__entry_compatible(const struct udrv__entry *e, const char *compat)
{
	return in_list(e->compatible, e->compatible_len, compat) ||
	       in_list(e->udrv_compatible, e->udrv_compatible_len, compat);
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

/* ---- open ---- */

enum match_kind { BY_NAME, BY_DT_PATH, BY_COMPAT, BY_PCI_ADDR, BY_PCI_ID };

struct match {
	enum match_kind kind;
	const char *s;
	uint16_t vendor, device;
	unsigned int index;
	bool shared;		/* struct udrv_open_opts.shared */
	struct udrv__entry *found;
	unsigned int searched;	/* devices looked at, for the error message */
	char seen[192];		/* their names, as many as fit */
};

/* The DT node's name with its unit address ("pl031@9010000"), or "". */
static const char *node_name(const struct udrv__entry *e)
{
	const char *s = strrchr(e->dt_path, '/');

	return e->source == UDRV_SOURCE_DT && s ? s + 1 : "";
}

static void note_seen(struct match *m, const struct udrv__entry *e)
{
	size_t used = strlen(m->seen);

	m->searched++;
	if (used + strlen(e->nodes[0].name) + 8 < sizeof(m->seen))
		snprintf(m->seen + used, sizeof(m->seen) - used, "%s%s", used ? ", " : "",
			 e->nodes[0].name);
	else if (used + 5 < sizeof(m->seen) && !strstr(m->seen, "..."))
		snprintf(m->seen + used, sizeof(m->seen) - used, ", ...");
}

static int match_cb(const struct udrv__entry *e, void *data)
{
	struct match *m = data;
	bool hit = false;

	note_seen(m, e);
	switch (m->kind) {
	case BY_NAME:	/* the UIO name (linux,uio-name or the node's), or the DT node name */
		hit = !strcmp(e->nodes[0].name, m->s) || !strcmp(node_name(e), m->s);
		break;
	case BY_DT_PATH:
		hit = e->source == UDRV_SOURCE_DT && !strcmp(e->dt_path, m->s);
		break;
	case BY_COMPAT:
		hit = udrv__entry_compatible(e, m->s);
		break;
	case BY_PCI_ADDR:
		hit = e->source == UDRV_SOURCE_PCI && !strcmp(e->pci_address, m->s);
		break;
	case BY_PCI_ID:
		hit = e->source == UDRV_SOURCE_PCI && e->vendor == m->vendor &&
		      e->device == m->device;
		break;
	}
	if (!hit || m->index--)
		return 0;
	*m->found = *e;
	return 1;
}

/* uioN as a name: the device whose first node is uioN */
static int match_uio_cb(const struct udrv__entry *e, void *data)
{
	struct match *m = data;

	if (e->nodes[0].uio != m->index)
		return 0;
	*m->found = *e;
	return 1;
}

static int open_match(struct match *m, const char *what, struct udrv_device **out)
{
	unsigned int index = m->index;
	int ret;

	m->found = malloc(sizeof(*m->found));
	if (!m->found)
		return -ENOMEM;
	/* A device that changed between the scan and the open (-ESTALE, see
	 * verify_node()) is looked for once more. */
	for (int tries = 0; tries < 2; tries++) {
		m->index = index;
		m->searched = 0;
		m->seen[0] = '\0';
		ret = udrv__scan(match_cb, m);
		if (ret == 0 && m->kind == BY_NAME && !strncmp(m->s, "uio", 3) && m->s[3] >= '0' &&
		    m->s[3] <= '9') {
			char *end;

			m->index = (unsigned int)strtoul(m->s + 3, &end, 10);
			if (!*end)
				ret = udrv__scan(match_uio_cb, m);
		}
		if (ret == 0 && !m->searched)
			ret = udrv__fail(-ENOENT, "no UIO device %s: there are no UIO devices at all",
					 what);
		else if (ret == 0)
			ret = udrv__fail(-ENOENT, "no UIO device %s among the %u UIO device%s (%s)%s",
					 what, m->searched, m->searched == 1 ? "" : "s", m->seen,
					 m->kind != BY_COMPAT ? "" : "; a node whose compatible is "
					 "only \"generic-uio\" is opened by its name or DT path");
		else if (ret == 1)
			ret = udrv__open_entry(m->found, m->shared, out);
		if (ret != -ESTALE)
			break;
	}
	free(m->found);
	return ret == -ESTALE ? -ENODEV : ret;
}

static int open_name(const char *name, bool shared, struct udrv_device **out)
{
	struct match m = { .kind = BY_NAME, .s = name, .shared = shared };
	char what[128];

	if (!name || !out || !name[0] || strlen(name) >= sizeof(((struct udrv__node *)0)->name) ||
	    strchr(name, '/'))
		return -EINVAL;
	snprintf(what, sizeof(what), "named \"%s\" (UIO name or DT node name)", name);
	return open_match(&m, what, out);
}

static int open_dt_path(const char *path, bool shared, struct udrv_device **out)
{
	struct match m = { .kind = BY_DT_PATH, .s = path, .shared = shared };
	char what[300];

	if (!path || !out || path[0] != '/' || strlen(path) >= sizeof(m.found->dt_path))
		return -EINVAL;
	snprintf(what, sizeof(what), "with DT node %.280s", path);
	return open_match(&m, what, out);
}

static int open_dt_compatible(const char *compatible, unsigned int index, bool shared, struct udrv_device **out)
{
	struct match m = { .kind = BY_COMPAT, .s = compatible, .index = index, .shared = shared };
	char what[400];

	if (!compatible || !out || !compatible[0] ||
	    strlen(compatible) >= sizeof(((struct udrv__entry *)0)->compatible))
		return -EINVAL;
	snprintf(what, sizeof(what), "with \"%.256s\" (#%u) in its DT compatible or "
		 UDRV_UIO_PROP_COMPATIBLE " list", compatible, index);
	return open_match(&m, what, out);
}

static int open_pci(const char *address, bool shared, struct udrv_device **out)
{
	struct match m = { .kind = BY_PCI_ADDR, .s = address, .shared = shared };
	char what[64];

	if (!address || !out || parse_pci_address(address))
		return -EINVAL;
	snprintf(what, sizeof(what), "at PCI %s", address);
	return open_match(&m, what, out);
}

static int open_pci_id(uint16_t vendor, uint16_t device, unsigned int index, bool shared, struct udrv_device **out)
{
	struct match m = { .kind = BY_PCI_ID, .vendor = vendor, .device = device, .index = index, .shared = shared };
	char what[64];

	if (!out)
		return -EINVAL;
	snprintf(what, sizeof(what), "with PCI id %04x:%04x (#%u)", vendor, device, index);
	return open_match(&m, what, out);
}

UDRV_API int udrv_device_open_with(const struct udrv_open_opts *opts, struct udrv_device **out)
{
	bool sh;

	if (!opts || !out || !!opts->name + !!opts->dt_path + !!opts->compatible +
	    !!opts->pci_address + !!opts->pci_vendor != 1)
		return -EINVAL;
	sh = opts->shared;
	if (opts->name)
		return open_name(opts->name, sh, out);
	if (opts->dt_path)
		return open_dt_path(opts->dt_path, sh, out);
	if (opts->compatible)
		return open_dt_compatible(opts->compatible, opts->index, sh, out);
	if (opts->pci_address)
		return open_pci(opts->pci_address, sh, out);
	return open_pci_id(opts->pci_vendor, opts->pci_device, opts->index, sh, out);
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
	return open_pci_id(vendor, device, index, false, out);
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
		return udrv__fail(-ESTALE, "%s: unreadable (%s)", path,
				  n < 0 ? strerror(-n) : "malformed");
	if (fd >= 0 && (fstat(fd, &st) || st.st_rdev != makedev(maj, min)))
		return udrv__fail(-ESTALE, "uio%u: /dev/uio%u is not the device %u:%u sysfs names",
				  node->uio, node->uio, maj, min);
	read_parent(node->uio, parent);
	if (read_name(node->uio, name, sizeof(name)) || strcmp(name, node->name) ||
	    strcmp(parent, e->parent))
		return udrv__fail(-ESTALE, "uio%u: changed while being opened (was \"%s\")",
				  node->uio, node->name);
	return 0;
}

int udrv__open_entry(const struct udrv__entry *e, bool shared, struct udrv_device **out)
{
	struct udrv_device *dev;
	char path[UDRV_PATH];
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->e = *e;
	dev->fd = -1;
	for (unsigned int i = 0; i < UDRV_MAX_IRQS; i++)
		dev->irqs[i].fd = -1;
	ret = udrv__path(path, sizeof(path), "/dev/uio%u", e->nodes[0].uio);
	if (ret)
		goto err;
	dev->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);	/* see irq.c */
	if (dev->fd < 0) {
		ret = udrv__fail(-errno, "%s: cannot open: %s", path, strerror(errno));
		goto err;
	}
	if (flock(dev->fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ?
		      udrv__fail(-EBUSY, "%s (%s): in use by another open%s", path, e->nodes[0].name,
				 shared ? " that is not shared" : " (open it with udrv_open_opts.shared to share)") :
		      udrv__fail(-errno, "%s: cannot lock: %s", path, strerror(errno));
		goto err;
	}
	dev->shared = shared;
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

UDRV_API int udrv_device_dt_property(const struct udrv_device *dev, const char *name, void *buf,
				     size_t len)
{
	char path[UDRV_PATH + 256];
	ssize_t n;
	off_t size;
	int fd, ret;

	assert(dev);
	if (!name || !name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > 255 || (!buf && len))
		return -EINVAL;
	if (dev->e.source != UDRV_SOURCE_DT)
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), "%s/%s", dev->e.of_node, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	ret = size < 0 || size > INT_MAX ? -EIO : (int)size;
	if (ret >= 0 && len) {
		n = pread(fd, buf, len < (size_t)size ? len : (size_t)size, 0);
		if (n < 0)
			ret = -errno;
	}
	close(fd);
	return ret;
}

int udrv__pci_config(const struct udrv_device *dev, unsigned int offset, void *rbuf,
		     const void *wbuf, size_t len)
{
	char path[UDRV_PATH + 16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/config", dev->e.parent);
	fd = open(path, (rbuf ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0)
		return udrv__fail(-errno, "%s: cannot open: %s", path, strerror(errno));
	n = rbuf ? pread(fd, rbuf, len, offset) : pwrite(fd, wbuf, len, offset);
	if (n < 0)
		n = udrv__fail(-errno, "%s: cannot %s %zu bytes at %#x: %s", path,
			       rbuf ? "read" : "write", len, offset, strerror(errno));
	close(fd);
	return (int)n;
}

static int pci_config_io(struct udrv_device *dev, unsigned int offset, void *rbuf,
			 const void *wbuf, size_t len)
{
	assert(dev);
	if ((!rbuf && !wbuf) || !len || len > INT_MAX)
		return -EINVAL;
	if (dev->e.source != UDRV_SOURCE_PCI)
		return -EOPNOTSUPP;
	return udrv__pci_config(dev, offset, rbuf, wbuf, len);
}

UDRV_API int udrv_device_pci_config_read(struct udrv_device *dev, unsigned int offset, void *buf,
					 size_t len)
{
	return pci_config_io(dev, offset, buf, NULL, len);
}

UDRV_API int udrv_device_pci_config_write(struct udrv_device *dev, unsigned int offset,
					  const void *buf, size_t len)
{
	return pci_config_io(dev, offset, NULL, buf, len);
}
