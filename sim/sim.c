// SPDX-License-Identifier: MIT
/*
 * sim.c - libudrv-sim: the kernel's side of udrv, played in the test's
 * process (udrv_sim.h).
 *
 * libudrv-sim is libudrv's own sources plus this file, linked with
 * -Wl,--wrap for open64, close, read, write, poll, ppoll, mmap64, munmap and
 * flock:
 * the library's system calls on a simulated /dev/uioN land here, every other
 * call goes to libc unchanged. What the kernel would do is done here:
 *   open   an eventfd stands for the node (pollable; readable when the
 *          event counter moved since this file last read it)
 *   read   the 4-byte event counter (uio_read()); EIO once removed
 *   write  1 unmasks, 0 masks (the stub's irqcontrol); EINVAL once removed
 *   poll   POLLERR for a node without interrupt or a removed one (uio_poll())
 *   mmap   map K of the node: a memfd holding the register file or the pool
 *   flock  per node, as on the one inode of /dev/uioN
 *   fcntl  open-file-description byte-range locks, per node as well; this
 *          one is not wrapped but exported, so that it also serves a
 *          driver's own fcntl() on an interrupt fd (drivers/ttc claims its
 *          counter so); every other fcntl() goes to the system call
 * The sysfs side is plain files under a temporary root (UDRV_ROOT).
 *
 * Locking: one recursive mutex (`big`) over every device, mapping and open
 * file; hooks and timer callbacks run under it. The timer list has its own
 * mutex and condition variable, taken inside `big`, never around it.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include "udrv_sim.h"

#define MAX_MAPS	4
#define MAX_IRQS	8
#define MAX_UIO		64
#define TRACE_MAX	65536

int __real_open64(const char *path, int flags, ...);
int __real_close(int fd);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
		 const sigset_t *mask);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
int __real_flock(int fd, int op);

struct hook {
	struct hook *next;
	unsigned int map;
	size_t off, len;
	udrv_sim_hook_fn read, write;
	void *ctx;
};

struct map {
	char name[64];
	uint64_t addr, size;	/* as configured */
	size_t lead;		/* addr's offset in its page: the register file
				 * starts this far into the memfd */
	size_t len;		/* the memfd's size: lead + size, whole pages */
	int memfd;
	unsigned char *mem;	/* our own mapping of the memfd */
	unsigned char *shadow;	/* its contents after removal */
	bool pool;
};

struct line {
	unsigned int uio;	/* its UIO node number */
	uint32_t count;		/* the event counter */
	bool masked, level, edge;
};

struct udrv_sim_device {
	struct udrv_sim_device *next;
	char name[64], dt_path[256], pci[32], parent[320];
	struct map maps[MAX_MAPS + 1];
	unsigned int nmaps;	/* with the pool */
	struct line irq[MAX_IRQS];
	unsigned int nirqs, nnodes;	/* nodes: max(nirqs, 1) */
	struct hook *hooks;
	bool removed;
	void *data;
	void (*release)(void *data);
	struct udrv_sim_trace *trace;	/* ring of TRACE_MAX */
	size_t trace_head, trace_len;
};

/* An open simulated /dev/uioN: an eventfd the library holds. */
struct file {
	struct file *next;
	int fd;
	struct udrv_sim_device *dev;
	unsigned int node;	/* index of the device's node (its irq) */
	uint32_t seen;		/* the counter this file last read */
	bool nonblock;
	int lock;		/* 0, LOCK_SH or LOCK_EX (flock) */
	struct range *ranges;	/* its OFD byte-range locks (fcntl) */
};

/* One byte-range lock an open file holds on its node: [start, end]. */
struct range {
	struct range *next;
	short type;		/* F_RDLCK or F_WRLCK */
	int64_t start, end;
};

/* A mapping the library made of a simulated node. */
struct mapping {
	struct mapping *next;
	unsigned char *start;
	size_t len;
	struct udrv_sim_device *dev;
	unsigned int map;
};

struct timer {
	struct timer *next;
	int id;
	uint64_t due;
	struct udrv_sim_device *dev;
	udrv_sim_timer_fn fn;
	void *ctx;
};

static pthread_mutex_t big = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static char root[256];
static struct udrv_sim_device *devices;
static struct file *files;
static struct mapping *mappings;
static bool uio_used[MAX_UIO];

static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tcond;
static struct timer *timers;
static bool timer_thread;
static int timer_ids, running_id, cancelled_id;
static struct udrv_sim_device *running_dev;

/* ---- the sysfs tree ------------------------------------------------------ */

/* @p (PATH_MAX bytes) = root/@rel. */
static int abs_path(char *p, const char *rel)
{
	int n = snprintf(p, PATH_MAX, "%s/%s", root, rel);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int mkdirs(const char *rel)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof(p), "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= sizeof(p))
		return -ENAMETOOLONG;
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -errno : 0;
}

static int put(const void *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int put(const void *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX], p[PATH_MAX];
	va_list ap;
	int fd, ret = 0;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	char *slash = strrchr(rel, '/');

	if (slash) {
		*slash = '\0';
		ret = mkdirs(rel);
		*slash = '/';
		if (ret)
			return ret;
	}
	if ((ret = abs_path(p, rel)))
		return ret;
	fd = __real_open64(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (__real_write(fd, buf, len) != (ssize_t)len)
		ret = -EIO;
	__real_close(fd);
	return ret;
}

#define PUTS(s, ...) put((s), strlen(s), __VA_ARGS__)

/* The symlink root/@rel -> root/@target. */
static int link_to(const char *target, const char *rel)
{
	char t[PATH_MAX], p[PATH_MAX];

	if (abs_path(t, target) || abs_path(p, rel))
		return -ENAMETOOLONG;
	unlink(p);
	return symlink(t, p) ? -errno : 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static void rm_tree(const char *rel)
{
	char p[PATH_MAX];

	if (!abs_path(p, rel))
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_root(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_root(void)
{
	if (root[0])
		return 0;
	snprintf(root, sizeof(root), "%s/udrv-sim-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		root[0] = '\0';
		return -errno;
	}
	if (setenv("UDRV_ROOT", root, 1))
		return -errno;
	atexit(remove_root);
	return mkdirs("sys/class/uio") ?: mkdirs("dev") ?:
	       mkdirs("sys/firmware/devicetree/base") ?:
	       mkdirs("sys/bus/platform/devices") ?: mkdirs("sys/bus/pci/devices");
}

/* "/soc/rtc@9010000" -> "9010000.rtc", as the kernel names a platform device. */
static void platform_name(const char *dt_path, char *out, size_t size)
{
	const char *base = strrchr(dt_path, '/') + 1;
	const char *at = strchr(base, '@');

	if (at)
		snprintf(out, size, "%s.%.*s", at + 1, (int)(at - base), base);
	else
		snprintf(out, size, "%s", base);
}

/* The files the stub's probe and the UIO core create for node @i of @d. */
static int write_node(struct udrv_sim_device *d, unsigned int i)
{
	unsigned int uio = d->irq[i].uio;
	char name[80];
	int ret;

	if (i)
		snprintf(name, sizeof(name), "%s.irq%u\n", d->name, i);
	else
		snprintf(name, sizeof(name), "%s\n", d->name);
	ret = PUTS(name, "sys/class/uio/uio%u/name", uio) ?:
	      PUTS("0\n", "sys/class/uio/uio%u/event", uio) ?:
	      PUTS("0:0\n", "sys/class/uio/uio%u/dev", uio) ?:
	      PUTS("1\n", "sys/class/uio/uio%u/version", uio);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "sys/class/uio/uio%u/device", uio);
	if ((ret = link_to(d->parent, name)))
		return ret;
	for (unsigned int m = 0; !i && m < d->nmaps; m++) {
		const struct map *mp = &d->maps[m];
		char v[32];

		snprintf(v, sizeof(v), "0x%llx\n", (unsigned long long)(mp->addr - mp->lead));
		ret = PUTS(v, "sys/class/uio/uio%u/maps/map%u/addr", uio, m);
		/* the stub's size counts from the page start, as "addr" */
		snprintf(v, sizeof(v), "0x%llx\n", (unsigned long long)(mp->lead + mp->size));
		ret = ret ?: PUTS(v, "sys/class/uio/uio%u/maps/map%u/size", uio, m);
		snprintf(v, sizeof(v), "0x%zx\n", mp->lead);
		ret = ret ?: PUTS(v, "sys/class/uio/uio%u/maps/map%u/offset", uio, m);
		if (!ret && mp->name[0]) {
			snprintf(name, sizeof(name), "%s\n", mp->name);
			ret = PUTS(name, "sys/class/uio/uio%u/maps/map%u/name", uio, m);
		}
		if (ret)
			return ret;
	}
	/* A FIFO: st_rdev 0 as "dev" says; a program without the simulation
	 * that opens it cannot map it (mmap fails with ENODEV). */
	char p[PATH_MAX];

	snprintf(name, sizeof(name), "dev/uio%u", uio);
	if ((ret = abs_path(p, name)))
		return ret;
	return mkfifo(p, 0600) && errno != EEXIST ? -errno : 0;
}

/* The node's "reg" (two address cells, one size cell: the defaults the
 * library assumes when no parent says) and "reg-names", as in a .dts. */
static int write_reg(const struct udrv_sim_device *d, const char *node)
{
	uint32_t reg[3 * MAX_MAPS];
	char names[MAX_MAPS * 64];
	size_t nl = 0;
	unsigned int n = 0;
	bool named = true;
	int ret;

	for (unsigned int m = 0; m < d->nmaps; m++) {
		const struct map *mp = &d->maps[m];

		if (mp->pool)
			continue;
		reg[3 * n] = __builtin_bswap32((uint32_t)(mp->addr >> 32));
		reg[3 * n + 1] = __builtin_bswap32((uint32_t)mp->addr);
		reg[3 * n + 2] = __builtin_bswap32((uint32_t)mp->size);
		n++;
		named = named && mp->name[0];
		if (named)
			nl += (size_t)snprintf(names + nl, sizeof(names) - nl, "%s", mp->name) + 1;
	}
	if (!n)
		return 0;
	ret = put(reg, 12 * n, "%s/reg", node);
	return ret || !named ? ret : put(names, nl, "%s/reg-names", node);
}

static int write_device(struct udrv_sim_device *d, const struct udrv_sim_config *c)
{
	const char *bus = d->pci[0] ? "pci" : "platform", *drv = c->driver ?: "udrv_uio";
	char rel[PATH_MAX], base[128];
	int ret;

	if (d->pci[0]) {
		unsigned char config[256] = { 0 };
		char v[16];

		snprintf(base, sizeof(base), "%s", d->pci);
		snprintf(d->parent, sizeof(d->parent), "sys/devices/pci%.7s/%s", d->pci, d->pci);
		config[0] = (unsigned char)c->vendor;
		config[1] = (unsigned char)(c->vendor >> 8);
		config[2] = (unsigned char)c->device;
		config[3] = (unsigned char)(c->device >> 8);
		snprintf(v, sizeof(v), "0x%04x\n", c->vendor);
		ret = PUTS(v, "%s/vendor", d->parent);
		snprintf(v, sizeof(v), "0x%04x\n", c->device);
		ret = ret ?: PUTS(v, "%s/device", d->parent) ?:
		      put(config, sizeof(config), "%s/config", d->parent);
	} else {
		if (d->dt_path[0])
			platform_name(d->dt_path, base, sizeof(base));
		else
			snprintf(base, sizeof(base), "%s", d->name);
		snprintf(d->parent, sizeof(d->parent), "sys/devices/platform/%s", base);
		ret = mkdirs(d->parent);
	}
	if (!ret && d->dt_path[0]) {
		size_t len = c->compatible_len ? c->compatible_len :
			     c->compatible ? strlen(c->compatible) + 1 : 0;

		snprintf(rel, sizeof(rel), "sys/firmware/devicetree/base%s", d->dt_path);
		ret = mkdirs(rel);
		if (!ret && len)
			ret = put(c->compatible, len, "%s/compatible", rel);
		if (!ret)
			ret = write_reg(d, rel);
		if (!ret) {
			char l[PATH_MAX];

			snprintf(l, sizeof(l), "%s/of_node", d->parent);
			ret = link_to(rel, l);
		}
	}
	snprintf(rel, sizeof(rel), "sys/bus/%s/drivers/%s", bus, drv);
	ret = ret ?: mkdirs(rel);
	if (!ret) {
		char l[PATH_MAX];

		snprintf(l, sizeof(l), "%s/driver", d->parent);
		ret = link_to(rel, l);
		snprintf(l, sizeof(l), "sys/bus/%s/devices/%s", bus, base);
		ret = ret ?: link_to(d->parent, l);
	}
	for (unsigned int i = 0; !ret && i < d->nnodes; i++)
		ret = write_node(d, i);
	return ret;
}

/* ---- devices ------------------------------------------------------------- */

static int make_map(struct map *mp, const char *name, uint64_t addr, uint64_t size, bool pool)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	if (!size || size > (1ull << 30))
		return -EINVAL;
	snprintf(mp->name, sizeof(mp->name), "%s", name ? name : "");
	mp->addr = addr;
	mp->size = size;
	mp->lead = addr & (pg - 1);
	mp->len = (mp->lead + size + pg - 1) & ~(pg - 1);
	mp->pool = pool;
	mp->memfd = memfd_create(pool ? "udrv-sim-pool" : "udrv-sim-regs", MFD_CLOEXEC);
	if (mp->memfd < 0)
		return -errno;
	if (ftruncate(mp->memfd, (off_t)mp->len))
		return -errno;
	mp->mem = __real_mmap64(NULL, mp->len, PROT_READ | PROT_WRITE, MAP_SHARED, mp->memfd, 0);
	if (mp->mem == MAP_FAILED) {
		mp->mem = NULL;
		return -errno;
	}
	return 0;
}

static void free_device(struct udrv_sim_device *d)
{
	if (d->release)
		d->release(d->data);
	for (unsigned int m = 0; m < d->nmaps; m++) {
		if (d->maps[m].mem)
			__real_munmap(d->maps[m].mem, d->maps[m].len);
		if (d->maps[m].memfd > 0)
			__real_close(d->maps[m].memfd);
		free(d->maps[m].shadow);
	}
	for (struct hook *h = d->hooks, *n; h; h = n) {
		n = h->next;
		free(h);
	}
	free(d->trace);
	free(d);
}

/* Another device on the same DT node, PCI address or (neither) platform
 * device name. Two may share a UIO name, as under the stub (every PCI
 * device it binds is "udrv_uio"). */
static bool clash(const struct udrv_sim_device *d)
{
	for (const struct udrv_sim_device *o = devices; o; o = o->next)
		if (!o->removed &&
		    (d->dt_path[0] ? !strcmp(o->dt_path, d->dt_path) :
		     d->pci[0] ? !strcmp(o->pci, d->pci) :
		     !o->dt_path[0] && !o->pci[0] && !strcmp(o->name, d->name)))
			return true;
	return false;
}

int udrv_sim_device_add(const struct udrv_sim_config *c, struct udrv_sim_device **out)
{
	struct udrv_sim_device *d;
	unsigned int u = 0;
	int ret;

	if (!c || !out || !c->name || !c->name[0] || strchr(c->name, '/') ||
	    strlen(c->name) >= 60 || c->nmaps > MAX_MAPS || (c->nmaps && !c->maps) ||
	    c->irqs > MAX_IRQS || (c->dt_path && c->pci) ||
	    (c->dt_path && (c->dt_path[0] != '/' || strlen(c->dt_path) >= 256)) ||
	    (c->pci && strlen(c->pci) != 12) || (c->compatible && !c->dt_path))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	snprintf(d->name, sizeof(d->name), "%s", c->name);
	snprintf(d->dt_path, sizeof(d->dt_path), "%s", c->dt_path ? c->dt_path : "");
	snprintf(d->pci, sizeof(d->pci), "%s", c->pci ? c->pci : "");
	ret = 0;
	for (unsigned int m = 0; !ret && m < c->nmaps; m++, d->nmaps++)
		ret = make_map(&d->maps[m], c->maps[m].name, c->maps[m].addr, c->maps[m].size,
			       false);
	if (!ret && c->pool_size) {
		ret = make_map(&d->maps[d->nmaps], "dma", c->pool_addr ?: 0x40000000,
			       c->pool_size, true);
		d->nmaps++;
	}
	d->nirqs = c->irqs;
	d->nnodes = c->irqs ? c->irqs : 1;
	pthread_mutex_lock(&big);
	ret = ret ?: make_root();
	if (!ret && clash(d))
		ret = -EEXIST;
	for (unsigned int i = 0; !ret && i < d->nnodes; i++) {
		while (u < MAX_UIO && uio_used[u])
			u++;
		if (u == MAX_UIO)
			ret = -ENOSPC;
		else
			d->irq[i].uio = u++;
	}
	for (unsigned int i = 0; !ret && i < d->nnodes; i++)
		uio_used[d->irq[i].uio] = true;
	ret = ret ?: write_device(d, c);
	if (ret) {
		for (unsigned int i = 0; i < d->nnodes; i++)
			if (d->irq[i].uio || i == 0)
				uio_used[d->irq[i].uio] = false;
		pthread_mutex_unlock(&big);
		free_device(d);
		return ret;
	}
	d->next = devices;
	devices = d;
	pthread_mutex_unlock(&big);
	*out = d;
	return 0;
}

int udrv_sim_dt_prop(struct udrv_sim_device *dev, const char *prop, const void *val, size_t len)
{
	assert(dev);
	if (!dev->dt_path[0] || !prop || !prop[0] || strchr(prop, '/') || (len && !val))
		return -EINVAL;
	return put(val, len, "sys/firmware/devicetree/base%s/%s", dev->dt_path, prop);
}

int udrv_sim_dt_u32(struct udrv_sim_device *dev, const char *prop, const uint32_t *cells,
		    size_t n)
{
	uint32_t be[64];

	if (n > 64 || (n && !cells))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		be[i] = __builtin_bswap32(cells[i]);
	return udrv_sim_dt_prop(dev, prop, be, n * 4);
}

int udrv_sim_dt_load(struct udrv_sim_device *dev, const void *fdt, const char *path)
{
	int node, prop, ret = 0;

	assert(dev);
	if (!dev->dt_path[0] || !fdt || !path || fdt_check_header(fdt))
		return -EINVAL;
	node = fdt_path_offset(fdt, path);
	if (node < 0)
		return node == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);

		if (!val)
			return -EINVAL;
		if ((ret = udrv_sim_dt_prop(dev, name, val, (size_t)len)))
			break;
	}
	return ret;
}

static void wake_files(struct udrv_sim_device *d, unsigned int node)
{
	uint64_t one = 1;

	for (struct file *f = files; f; f = f->next)
		if (f->dev == d && f->node == node &&
		    __real_write(f->fd, &one, sizeof(one)) != sizeof(one))
			abort();	/* an eventfd refuses only at 2^64 - 1 */
}

int udrv_sim_device_remove(struct udrv_sim_device *dev)
{
	char rel[64];

	assert(dev);
	pthread_mutex_lock(&big);
	if (dev->removed) {
		pthread_mutex_unlock(&big);
		return -ENODEV;
	}
	dev->removed = true;
	pthread_mutex_lock(&tmu);
	for (struct timer **t = &timers; *t;) {
		struct timer *x = *t;

		if (x->dev == dev) {
			*t = x->next;
			free(x);
		} else {
			t = &x->next;
		}
	}
	if (running_dev == dev)
		cancelled_id = running_id;	/* taken off the list, not run yet */
	pthread_mutex_unlock(&tmu);
	/* Revoke: keep the contents for the model, then every mapping of the
	 * memfd faults (SIGBUS) on its next access, as after the stub's zap. */
	for (unsigned int m = 0; m < dev->nmaps; m++) {
		struct map *mp = &dev->maps[m];

		mp->shadow = malloc(mp->len);
		if (mp->shadow)
			memcpy(mp->shadow, mp->mem, mp->len);
		if (ftruncate(mp->memfd, 0))
			abort();
	}
	for (unsigned int i = 0; i < dev->nnodes; i++) {
		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u", dev->irq[i].uio);
		rm_tree(rel);
		snprintf(rel, sizeof(rel), "dev/uio%u", dev->irq[i].uio);
		rm_tree(rel);
		uio_used[dev->irq[i].uio] = false;
		wake_files(dev, i);
	}
	snprintf(rel, sizeof(rel), "%.50s/driver", dev->parent);
	rm_tree(rel);
	pthread_mutex_unlock(&big);
	return 0;
}

void udrv_sim_device_free(struct udrv_sim_device *dev)
{
	if (!dev)
		return;
	udrv_sim_device_remove(dev);
	pthread_mutex_lock(&big);
	for (struct udrv_sim_device **p = &devices; *p; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	for (struct file *f = files; f; f = f->next)
		if (f->dev == dev)
			f->dev = NULL;	/* the library did not close it: it stays removed */
	for (struct mapping *m = mappings; m; m = m->next)
		if (m->dev == dev)
			m->dev = NULL;
	pthread_mutex_unlock(&big);
	free_device(dev);
}

void udrv_sim_set_data(struct udrv_sim_device *dev, void *data, void (*release)(void *data))
{
	assert(dev);
	pthread_mutex_lock(&big);
	if (dev->release)
		dev->release(dev->data);
	dev->data = data;
	dev->release = release;
	pthread_mutex_unlock(&big);
}

void *udrv_sim_data(struct udrv_sim_device *dev)
{
	assert(dev);
	return dev->data;
}

/* ---- registers ----------------------------------------------------------- */

static unsigned char *reg(struct udrv_sim_device *d, unsigned int map, size_t off,
			  unsigned int width)
{
	struct map *mp = &d->maps[map];

	assert(map < d->nmaps && off + width <= mp->size &&
	       (width == 1 || width == 2 || width == 4 || width == 8));
	return (d->removed && mp->shadow ? mp->shadow : mp->mem) + mp->lead + off;
}

uint64_t udrv_sim_get(struct udrv_sim_device *dev, unsigned int map, size_t off,
		      unsigned int width)
{
	uint64_t v = 0;

	assert(dev);
	pthread_mutex_lock(&big);
	memcpy(&v, reg(dev, map, off, width), width);	/* little-endian hosts only */
	pthread_mutex_unlock(&big);
	return v;
}

void udrv_sim_set(struct udrv_sim_device *dev, unsigned int map, size_t off,
		  unsigned int width, uint64_t value)
{
	assert(dev);
	pthread_mutex_lock(&big);
	memcpy(reg(dev, map, off, width), &value, width);
	pthread_mutex_unlock(&big);
}

int udrv_sim_hook(struct udrv_sim_device *dev, unsigned int map, size_t off, size_t len,
		  udrv_sim_hook_fn read, udrv_sim_hook_fn write, void *ctx)
{
	struct hook *h;

	assert(dev);
	if (map >= dev->nmaps || !len || off > dev->maps[map].size ||
	    len > dev->maps[map].size - off)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	*h = (struct hook){ .map = map, .off = off, .len = len, .read = read, .write = write,
			    .ctx = ctx };
	pthread_mutex_lock(&big);
	h->next = dev->hooks;
	dev->hooks = h;
	pthread_mutex_unlock(&big);
	return 0;
}

static void record(struct udrv_sim_device *d, enum udrv_sim_event ev,
		   const struct udrv_sim_access *a)
{
	if (!d->trace && !(d->trace = calloc(TRACE_MAX, sizeof(*d->trace))))
		return;
	d->trace[(d->trace_head + d->trace_len) % TRACE_MAX] =
		(struct udrv_sim_trace){ .event = ev, .a = *a };
	if (d->trace_len < TRACE_MAX)
		d->trace_len++;
	else
		d->trace_head = (d->trace_head + 1) % TRACE_MAX;
}

size_t udrv_sim_trace(struct udrv_sim_device *dev, struct udrv_sim_trace *out, size_t max)
{
	size_t n;

	assert(dev);
	pthread_mutex_lock(&big);
	n = dev->trace_len;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = dev->trace[(dev->trace_head + i) % TRACE_MAX];
	pthread_mutex_unlock(&big);
	return n;
}

void udrv_sim_trace_clear(struct udrv_sim_device *dev)
{
	assert(dev);
	pthread_mutex_lock(&big);
	dev->trace_head = dev->trace_len = 0;
	pthread_mutex_unlock(&big);
}

/* The library's mapping that holds @a, or NULL; under `big`. */
static struct mapping *mapping_of(const volatile void *a, unsigned int width)
{
	const unsigned char *p = (const unsigned char *)a;

	for (struct mapping *m = mappings; m; m = m->next)
		if (m->dev && p >= m->start && p + width <= m->start + m->len)
			return m;
	return NULL;
}

static void call_hooks(struct udrv_sim_device *d, bool write, const struct udrv_sim_access *a)
{
	for (struct hook *h = d->hooks; h && !d->removed; h = h->next) {
		udrv_sim_hook_fn fn = write ? h->write : h->read;

		if (fn && h->map == a->map && a->off < h->off + h->len && h->off < a->off + a->width)
			fn(d, h->ctx, a);
	}
}

/* One access through the mapping itself: SIGBUS once the memfd is truncated. */
static uint64_t raw_read(const volatile void *a, unsigned int width)
{
	switch (width) {
	case 1: return *(const volatile uint8_t *)a;
	case 2: return *(const volatile uint16_t *)a;
	case 4: return *(const volatile uint32_t *)a;
	default: return *(const volatile uint64_t *)a;
	}
}

static void raw_write(volatile void *a, unsigned int width, uint64_t v)
{
	switch (width) {
	case 1: *(volatile uint8_t *)a = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)a = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)a = (uint32_t)v; break;
	default: *(volatile uint64_t *)a = v; break;
	}
}

/* Where the access lands in its map, or false for pool and foreign memory. */
static bool locate(struct mapping *m, const volatile void *a, unsigned int width,
		   struct udrv_sim_access *acc)
{
	const struct map *mp;
	size_t at;

	if (!m || m->dev->removed)
		return false;
	mp = &m->dev->maps[m->map];
	at = (size_t)((const unsigned char *)a - m->start);
	if (mp->pool || at < mp->lead || at - mp->lead + width > mp->size)
		return false;
	*acc = (struct udrv_sim_access){ .map = m->map, .off = at - mp->lead, .width = width };
	return true;
}

uint64_t udrv__sim_read(const volatile void *a, unsigned int width)
{
	struct udrv_sim_access acc;
	struct mapping *m;
	uint64_t v;

	pthread_mutex_lock(&big);
	m = mapping_of(a, width);
	if (!locate(m, a, width, &acc)) {
		pthread_mutex_unlock(&big);
		return raw_read(a, width);
	}
	call_hooks(m->dev, false, &acc);
	acc.value = v = raw_read(a, width);
	record(m->dev, UDRV_SIM_READ, &acc);
	pthread_mutex_unlock(&big);
	return v;
}

void udrv__sim_write(volatile void *a, unsigned int width, uint64_t v)
{
	struct udrv_sim_access acc;
	struct mapping *m;

	pthread_mutex_lock(&big);
	m = mapping_of(a, width);
	if (!locate(m, a, width, &acc)) {
		pthread_mutex_unlock(&big);
		raw_write(a, width, v);
		return;
	}
	acc.old = raw_read(a, width);
	raw_write(a, width, v);
	acc.value = v;
	record(m->dev, UDRV_SIM_WRITE, &acc);
	call_hooks(m->dev, true, &acc);
	pthread_mutex_unlock(&big);
}

/* ---- the pool ------------------------------------------------------------ */

static int pool_at(struct udrv_sim_device *d, uint64_t bus, size_t len, unsigned char **p)
{
	for (unsigned int m = 0; m < d->nmaps; m++) {
		struct map *mp = &d->maps[m];

		if (!mp->pool)
			continue;
		if (bus < mp->addr || bus - mp->addr > mp->size || len > mp->size - (bus - mp->addr))
			return -EFAULT;
		*p = (d->removed && mp->shadow ? mp->shadow : mp->mem) + mp->lead +
		     (bus - mp->addr);
		return 0;
	}
	return -EINVAL;
}

/* The device's side of a DMA: @len bytes between @buf and the pool at @bus. */
static int dma_copy(struct udrv_sim_device *dev, uint64_t bus, void *buf, size_t len,
		    bool to_pool)
{
	unsigned char *p;
	int ret;

	assert(dev);
	pthread_mutex_lock(&big);
	ret = pool_at(dev, bus, len, &p);
	if (!ret)
		memcpy(to_pool ? p : buf, to_pool ? buf : p, len);
	pthread_mutex_unlock(&big);
	return ret;
}

int udrv_sim_dma_read(struct udrv_sim_device *dev, uint64_t bus, void *buf, size_t len)
{
	return dma_copy(dev, bus, buf, len, false);
}

int udrv_sim_dma_write(struct udrv_sim_device *dev, uint64_t bus, const void *buf, size_t len)
{
	return dma_copy(dev, bus, (void *)buf, len, true);
}

/* ---- interrupts ---------------------------------------------------------- */

/* The stub's handler: count, mask, wake the readers. Under `big`. */
static void deliver(struct udrv_sim_device *d, unsigned int irq)
{
	struct line *l = &d->irq[irq];
	struct udrv_sim_access a = { .map = irq };
	char rel[64], v[16];

	l->count++;
	l->masked = true;
	l->edge = false;
	a.value = l->count;
	record(d, UDRV_SIM_IRQ, &a);
	snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/event", l->uio);
	snprintf(v, sizeof(v), "%u\n", l->count);
	PUTS(v, "%s", rel);
	wake_files(d, irq);
}

static int irq_check(struct udrv_sim_device *d, unsigned int irq)
{
	if (irq >= d->nirqs)
		return -EINVAL;
	return d->removed ? -ENODEV : 0;
}

int udrv_sim_irq_set(struct udrv_sim_device *dev, unsigned int irq, bool level)
{
	int ret;

	assert(dev);
	pthread_mutex_lock(&big);
	ret = irq_check(dev, irq);
	if (!ret) {
		dev->irq[irq].level = level;
		if (level && !dev->irq[irq].masked)
			deliver(dev, irq);
	}
	pthread_mutex_unlock(&big);
	return ret;
}

int udrv_sim_irq_pulse(struct udrv_sim_device *dev, unsigned int irq)
{
	int ret;

	assert(dev);
	pthread_mutex_lock(&big);
	ret = irq_check(dev, irq);
	if (!ret && dev->irq[irq].masked)
		dev->irq[irq].edge = true;
	else if (!ret)
		deliver(dev, irq);
	pthread_mutex_unlock(&big);
	return ret;
}

/* A copy of line @irq's state, taken under `big`. */
static struct line line_of(struct udrv_sim_device *dev, unsigned int irq)
{
	struct line l;

	assert(dev && irq < MAX_IRQS);
	pthread_mutex_lock(&big);
	l = dev->irq[irq];
	pthread_mutex_unlock(&big);
	return l;
}

uint32_t udrv_sim_irq_count(struct udrv_sim_device *dev, unsigned int irq)
{
	return line_of(dev, irq).count;
}

bool udrv_sim_irq_masked(struct udrv_sim_device *dev, unsigned int irq)
{
	return line_of(dev, irq).masked;
}

/* The stub's irqcontrol: 1 unmasks (and a pending edge or a held level
 * fires at once), 0 masks. Under `big`. */
static void irqcontrol(struct udrv_sim_device *d, unsigned int irq, uint32_t on)
{
	struct line *l = &d->irq[irq];
	struct udrv_sim_access a = { .map = irq, .value = on };

	record(d, on ? UDRV_SIM_UNMASK : UDRV_SIM_MASK, &a);
	if (!on) {
		l->masked = true;
		return;
	}
	if (!l->masked)
		return;
	l->masked = false;
	if (l->level || l->edge)
		deliver(d, irq);
}

/* ---- timers -------------------------------------------------------------- */

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tmu);
	for (;;) {
		struct timer *t = timers;
		uint64_t now = udrv_now_ns();

		if (!t) {
			pthread_cond_wait(&tcond, &tmu);
			continue;
		}
		if (t->due > now) {
			struct timespec ts = { (time_t)(t->due / 1000000000u),
					       (long)(t->due % 1000000000u) };

			pthread_cond_timedwait(&tcond, &tmu, &ts);
			continue;
		}
		timers = t->next;
		running_id = t->id;
		running_dev = t->dev;
		pthread_mutex_unlock(&tmu);
		pthread_mutex_lock(&big);
		pthread_mutex_lock(&tmu);
		bool cancelled = cancelled_id == t->id;

		pthread_mutex_unlock(&tmu);
		if (!cancelled)
			t->fn(t->dev, t->ctx);
		pthread_mutex_lock(&tmu);
		running_id = cancelled_id = 0;
		running_dev = NULL;
		pthread_mutex_unlock(&big);
		free(t);
	}
	return NULL;
}

int udrv_sim_after(struct udrv_sim_device *dev, uint64_t ns, udrv_sim_timer_fn fn, void *ctx)
{
	struct timer *t, **p;
	int id;

	assert(dev && fn);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	pthread_mutex_lock(&big);
	if (dev->removed) {
		pthread_mutex_unlock(&big);
		free(t);
		return -ENODEV;
	}
	pthread_mutex_lock(&tmu);
	if (!timer_thread) {
		pthread_condattr_t ca;
		pthread_attr_t ta;
		pthread_t th;
		sigset_t all, old;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&tcond, &ca);
		pthread_attr_init(&ta);
		pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
		/* Signals go to the test's threads, never to this one. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&th, &ta, timer_main, NULL)) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			pthread_mutex_unlock(&tmu);
			pthread_mutex_unlock(&big);
			free(t);
			return -EAGAIN;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		timer_thread = true;
	}
	id = ++timer_ids > 0 ? timer_ids : (timer_ids = 1);
	*t = (struct timer){ .id = id, .due = udrv_deadline_ns(ns), .dev = dev, .fn = fn,
			     .ctx = ctx };
	for (p = &timers; *p && (*p)->due <= t->due; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	pthread_cond_signal(&tcond);
	pthread_mutex_unlock(&tmu);
	pthread_mutex_unlock(&big);
	return id;
}

int udrv_sim_cancel(struct udrv_sim_device *dev, int id)
{
	int ret = -ENOENT;

	assert(dev);
	pthread_mutex_lock(&big);
	pthread_mutex_lock(&tmu);
	for (struct timer **p = &timers; *p; p = &(*p)->next)
		if ((*p)->id == id && (*p)->dev == dev) {
			struct timer *t = *p;

			*p = t->next;
			free(t);
			ret = 0;
			break;
		}
	/* Taken off the list, waiting for `big` (which we hold): it must not run. */
	if (ret && running_id == id && cancelled_id != id) {
		cancelled_id = id;
		ret = 0;
	}
	pthread_mutex_unlock(&tmu);
	pthread_mutex_unlock(&big);
	return ret;
}

/* ---- the wrapped system calls ---------------------------------------------- */

/* The open file behind @fd, or NULL; under `big`. */
static struct file *file_of(int fd)
{
	for (struct file *f = files; f; f = f->next)
		if (f->fd == fd)
			return f;
	return NULL;
}

/* The device and node of root/dev/uioN, or NULL. Under `big`. */
static struct udrv_sim_device *node_of(const char *path, unsigned int *node)
{
	size_t rl = strlen(root);
	unsigned long uio;
	char *end;

	if (!rl || strncmp(path, root, rl) || strncmp(path + rl, "/dev/uio", 8))
		return NULL;
	uio = strtoul(path + rl + 8, &end, 10);
	if (*end || end == path + rl + 8)
		return NULL;
	for (struct udrv_sim_device *d = devices; d; d = d->next)
		for (unsigned int i = 0; !d->removed && i < d->nnodes; i++)
			if (d->irq[i].uio == uio) {
				*node = i;
				return d;
			}
	return NULL;
}

int __wrap_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...)
{
	struct udrv_sim_device *d;
	struct file *f;
	unsigned int node;
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	pthread_mutex_lock(&big);
	d = root[0] ? node_of(path, &node) : NULL;
	if (!d) {
		pthread_mutex_unlock(&big);
		return __real_open64(path, flags, mode);
	}
	f = calloc(1, sizeof(*f));
	if (!f || (f->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		int err = f ? errno : ENOMEM;

		free(f);
		pthread_mutex_unlock(&big);
		errno = err;
		return -1;
	}
	f->dev = d;
	f->node = node;
	f->seen = d->irq[node].count;	/* uio_open(): events from now on */
	f->nonblock = flags & O_NONBLOCK;
	f->next = files;
	files = f;
	pthread_mutex_unlock(&big);
	return f->fd;
}

static void drop_ranges(struct file *f, int64_t start, int64_t end);

int __wrap_close(int fd);
int __wrap_close(int fd)
{
	pthread_mutex_lock(&big);
	for (struct file **p = &files; *p; p = &(*p)->next)
		if ((*p)->fd == fd) {
			struct file *f = *p;

			*p = f->next;
			drop_ranges(f, 0, INT64_MAX);
			free(f);
			break;
		}
	pthread_mutex_unlock(&big);
	return __real_close(fd);
}

/* uio_read(): the counter once it moved; EAGAIN (non-blocking) until then. */
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	struct file *f;

	for (;;) {
		uint64_t drain;
		int err = 0;

		pthread_mutex_lock(&big);
		f = file_of(fd);
		if (!f) {
			pthread_mutex_unlock(&big);
			return __real_read(fd, buf, len);
		}
		if (!f->dev || f->dev->removed || f->node >= f->dev->nirqs)
			err = EIO;
		else if (len != sizeof(uint32_t))
			err = EINVAL;
		if (!err) {
			uint32_t c = f->dev->irq[f->node].count;

			(void)!__real_read(fd, &drain, sizeof(drain));
			if (c != f->seen) {
				f->seen = c;
				memcpy(buf, &c, sizeof(c));
				pthread_mutex_unlock(&big);
				return sizeof(c);
			}
			err = EAGAIN;
		}
		bool block = err == EAGAIN && !f->nonblock;

		pthread_mutex_unlock(&big);
		if (!block) {
			errno = err;
			return -1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (__real_poll(&p, 1, -1) < 0 && errno != EINTR)
			return -1;
	}
}

ssize_t __wrap_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	struct file *f;
	uint32_t on;
	int err = 0;

	pthread_mutex_lock(&big);
	f = file_of(fd);
	if (!f) {
		pthread_mutex_unlock(&big);
		return __real_write(fd, buf, len);
	}
	if (!f->dev || f->dev->removed || len != sizeof(on))
		err = EINVAL;
	else if (f->node >= f->dev->nirqs)
		err = EIO;		/* uio_write() without an interrupt */
	if (!err) {
		memcpy(&on, buf, sizeof(on));
		irqcontrol(f->dev, f->node, on);
	}
	pthread_mutex_unlock(&big);
	if (err) {
		errno = err;
		return -1;
	}
	return sizeof(on);
}

/* uio_poll(): POLLERR for a node without interrupt or a removed device. */
static bool poll_err(int fd)
{
	struct file *f = file_of(fd);

	return f && (!f->dev || f->dev->removed || f->node >= f->dev->nirqs);
}

static int polled(struct pollfd *fds, nfds_t n, int ret)
{
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&big);
	for (nfds_t i = 0; i < n; i++) {
		struct file *f = file_of(fds[i].fd);

		if (!f)
			continue;
		bool was = fds[i].revents;

		if (poll_err(fds[i].fd))
			fds[i].revents = POLLERR;
		else if ((fds[i].revents & POLLIN) &&
			 f->dev->irq[f->node].count == f->seen) {
			uint64_t drain;

			(void)!__real_read(f->fd, &drain, sizeof(drain));
			fds[i].revents &= ~POLLIN;	/* a stale wake-up */
		}
		ret += !was && fds[i].revents ? 1 : was && !fds[i].revents ? -1 : 0;
	}
	pthread_mutex_unlock(&big);
	return ret;
}

static bool any_err(struct pollfd *fds, nfds_t n)
{
	bool err = false;

	pthread_mutex_lock(&big);
	for (nfds_t i = 0; i < n && !err; i++)
		err = poll_err(fds[i].fd);
	pthread_mutex_unlock(&big);
	return err;
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	for (;;) {
		uint64_t start = udrv_now_ns();
		int ret = polled(fds, n, __real_poll(fds, n, any_err(fds, n) ? 0 : timeout));

		if (ret || !timeout)
			return ret;
		if (timeout > 0) {
			int spent = (int)((udrv_now_ns() - start) / 1000000u);

			if (spent >= timeout)
				return 0;
			timeout -= spent;
		}
	}
}

int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask);
int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	uint64_t deadline = ts ? udrv_deadline_ns((uint64_t)ts->tv_sec * 1000000000u +
						  (uint64_t)ts->tv_nsec) : UINT64_MAX;

	for (;;) {
		struct timespec left, zero = { 0, 0 };
		uint64_t ns = udrv_left_ns(deadline);

		left.tv_sec = (time_t)(ns / 1000000000u);
		left.tv_nsec = (long)(ns % 1000000000u);
		int ret = polled(fds, n, __real_ppoll(fds, n, any_err(fds, n) ? &zero :
						       ts ? &left : NULL, mask));

		if (ret || (ts && !udrv_left_ns(deadline)))
			return ret;
	}
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct mapping *m;
	struct file *f;
	unsigned int map;
	void *p;

	pthread_mutex_lock(&big);
	f = file_of(fd);
	if (!f) {
		pthread_mutex_unlock(&big);
		return __real_mmap64(addr, len, prot, flags, fd, off);
	}
	map = (unsigned int)(off / pg);
	/* uio_mmap(): maps live on the first node only; EINVAL past them or
	 * past the map's pages. */
	if (!f->dev || f->dev->removed || f->node || off % pg || map >= f->dev->nmaps ||
	    len > f->dev->maps[map].len || !(m = calloc(1, sizeof(*m)))) {
		int err = f->dev && !f->dev->removed && f->node == 0 && off % pg == 0 &&
			  map < f->dev->nmaps && len <= f->dev->maps[map].len ? ENOMEM : EINVAL;

		pthread_mutex_unlock(&big);
		errno = err;
		return MAP_FAILED;
	}
	p = __real_mmap64(addr, len, prot, flags, f->dev->maps[map].memfd, 0);
	if (p == MAP_FAILED) {
		pthread_mutex_unlock(&big);
		free(m);
		return p;
	}
	*m = (struct mapping){ .start = p, .len = len, .dev = f->dev, .map = map,
			       .next = mappings };
	mappings = m;
	pthread_mutex_unlock(&big);
	return p;
}

int __wrap_munmap(void *addr, size_t len);
int __wrap_munmap(void *addr, size_t len)
{
	pthread_mutex_lock(&big);
	for (struct mapping **p = &mappings; *p; p = &(*p)->next)
		if ((*p)->start == addr) {
			struct mapping *m = *p;

			*p = m->next;
			free(m);
			break;
		}
	pthread_mutex_unlock(&big);
	return __real_munmap(addr, len);
}

/* flock() on the node: the files of one node share its lock, as the opens
 * of /dev/uioN share its inode. */
int __wrap_flock(int fd, int op);
int __wrap_flock(int fd, int op)
{
	struct file *f;
	int want = op & ~LOCK_NB;

	pthread_mutex_lock(&big);
	f = file_of(fd);
	if (!f) {
		pthread_mutex_unlock(&big);
		return __real_flock(fd, op);
	}
	if (want != LOCK_SH && want != LOCK_EX && want != LOCK_UN) {
		pthread_mutex_unlock(&big);
		errno = EINVAL;
		return -1;
	}
	for (struct file *o = files; want != LOCK_UN && o; o = o->next)
		if (o != f && o->dev == f->dev && o->node == f->node && o->lock &&
		    (want == LOCK_EX || o->lock == LOCK_EX)) {
			pthread_mutex_unlock(&big);
			errno = EWOULDBLOCK;	/* the library asks with LOCK_NB only */
			return -1;
		}
	f->lock = want == LOCK_UN ? 0 : want;
	pthread_mutex_unlock(&big);
	return 0;
}

/* ---- fcntl() byte-range locks ------------------------------------------------ */

/* Take [start, end] out of @f's locks, splitting a lock that spans it. */
static void drop_ranges(struct file *f, int64_t start, int64_t end)
{
	for (struct range **p = &f->ranges; *p;) {
		struct range *r = *p;

		if (r->end < start || r->start > end) {
			p = &r->next;
			continue;
		}
		if (r->start < start && r->end > end) {	/* keep both sides */
			struct range *tail = malloc(sizeof(*tail));

			if (tail) {
				*tail = (struct range){ r->next, r->type, end + 1, r->end };
				r->next = tail;
			}
			r->end = start - 1;
			return;
		}
		if (r->start < start) {
			r->end = start - 1;
		} else if (r->end > end) {
			r->start = end + 1;
		} else {
			*p = r->next;
			free(r);
			continue;
		}
		p = &r->next;
	}
}

/* Another open file of @f's node whose lock conflicts with @type on
 * [start, end], or NULL. */
static struct range *conflict(struct file *f, short type, int64_t start, int64_t end)
{
	for (struct file *o = files; o; o = o->next) {
		if (o == f || o->dev != f->dev || o->node != f->node)
			continue;
		for (struct range *r = o->ranges; r; r = r->next)
			if (r->start <= end && start <= r->end &&
			    (type == F_WRLCK || r->type == F_WRLCK))
				return r;
	}
	return NULL;
}

/* F_OFD_SETLK(W) / F_OFD_GETLK on a simulated node (SEEK_SET ranges: the
 * node has no size or position); POSIX locks (F_SETLK...) belong to the
 * process, which is the only one that can open the node: they always
 * succeed. Under `big`. */
static int ofd_lock(struct file *f, int cmd, struct flock *fl)
{
	int64_t start = fl->l_start, end;
	struct range *r;

	if (cmd == F_SETLK || cmd == F_SETLKW)
		return 0;
	if (cmd == F_GETLK) {
		fl->l_type = F_UNLCK;
		return 0;
	}
	if (fl->l_whence != SEEK_SET || start < 0 || fl->l_len < 0 ||
	    (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK))
		return -EINVAL;
	end = fl->l_len ? start + fl->l_len - 1 : INT64_MAX;
	r = fl->l_type == F_UNLCK ? NULL : conflict(f, fl->l_type, start, end);
	if (cmd == F_OFD_GETLK) {
		if (r) {
			*fl = (struct flock){ .l_type = r->type, .l_whence = SEEK_SET,
					      .l_start = r->start, .l_pid = -1,
					      .l_len = r->end == INT64_MAX ? 0 : r->end - r->start + 1 };
		} else {
			fl->l_type = F_UNLCK;
		}
		return 0;
	}
	if (r)
		return -EAGAIN;	/* F_OFD_SETLKW too: nobody else can release it while we wait */
	drop_ranges(f, start, end);
	if (fl->l_type == F_UNLCK)
		return 0;
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOLCK;
	*r = (struct range){ f->ranges, fl->l_type, start, end };
	f->ranges = r;
	return 0;
}

UDRV_API int fcntl64(int fd, int cmd, ...);
UDRV_API int fcntl64(int fd, int cmd, ...)
{
	struct file *f;
	va_list ap;
	long arg;
	int ret;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	bool lockcmd = cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK ||
		       cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;

	if (lockcmd) {
		pthread_mutex_lock(&big);
		f = file_of(fd);
		if (f) {
			ret = ofd_lock(f, cmd, (struct flock *)arg);
			pthread_mutex_unlock(&big);
			if (ret) {
				errno = -ret;
				return -1;
			}
			return 0;
		}
		pthread_mutex_unlock(&big);
	}
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

/* A caller built without _FILE_OFFSET_BITS=64 links to "fcntl": on LP64
 * the same call. (<fcntl.h> names ours "fcntl64" in this file.) */
UDRV_API int udrv__sim_fcntl(int fd, int cmd, ...) __asm__("fcntl")
	__attribute__((alias("fcntl64")));
