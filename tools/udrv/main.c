// SPDX-License-Identifier: MIT
/*
 * udrv - look at and poke the devices handed to userspace through UIO.
 *
 *   udrv list [--json]                      every UIO device
 *   udrv info DEV [--json]                  one device, as libudrv opens it
 *   udrv read DEV REGION OFF [--width W]    one register
 *   udrv write DEV REGION OFF VALUE [--width W]
 *   udrv dump DEV REGION [OFF [LEN]]        32-bit reads, hexdump
 *   udrv irq DEV [--count N] [--timeout MS] [--irq I]
 *   udrv bind DEV [--force] / unbind DEV    (bind.c)
 *   udrv dt DEV                             (dt.c)
 *
 * DEV is uioN, a UIO name, a device-tree path ("/pl031@9010000") or a PCI
 * address ("0000:00:02.0" or "00:02.0"). Devices are found and opened with
 * libudrv; list and info also show the raw sysfs attributes (like lsuio).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "udrv_uio.h"

/* ---- helpers shared with bind.c and dt.c ---- */

int report(int status, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "udrv%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int syspath(char *buf, size_t len, const char *fmt, ...)
{
	const char *root = getenv("UDRV_ROOT");
	va_list ap;
	int n, r;

	n = snprintf(buf, len, "%s", root ? root : "");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return r < 0 || (size_t)r >= len - n ? -ENAMETOOLONG : 0;
}

int sysread(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

int syswrite(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : n == (ssize_t)strlen(val) ? 0 : -EIO;
}

void driver_of(const char *dev, char *out, size_t len)
{
	char path[TOOL_PATH + 8], real[PATH_MAX];
	const char *b;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/driver", dev);
	if (!realpath(path, real))
		return;
	b = strrchr(real, '/');
	snprintf(out, len, "%s", b ? b + 1 : real);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

int uio_numbers(unsigned int *out, int max)
{
	char path[TOOL_PATH], *end;
	struct dirent *e;
	unsigned long u;
	int n = 0;
	DIR *d;

	if (syspath(path, sizeof(path), "/sys/class/uio") || !(d = opendir(path)))
		return 0;
	while (n < max && (e = readdir(d))) {
		if (strncmp(e->d_name, "uio", 3) || e->d_name[3] < '0' || e->d_name[3] > '9')
			continue;
		u = strtoul(e->d_name + 3, &end, 10);
		if (!*end && u <= UINT32_MAX)
			out[n++] = (unsigned int)u;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), cmp_uint);
	return n;
}

int parse_u64(const char *s, uint64_t *v)
{
	return s ? udrv_parse_u64(s, v, NULL) : -EINVAL;
}

int pci_address(const char *s, char *out, size_t len)
{
	unsigned int dom = 0, bus, slot, fn;
	int n = -1;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &slot, &fn, &n) == 4 && n == 12 &&
	    !s[n] && s[4] == ':' && s[7] == ':' && s[10] == '.')
		;
	else if (dom = 0, n = -1, sscanf(s, "%2x:%2x.%1x%n", &bus, &slot, &fn, &n) == 3 &&
		 n == 7 && !s[n] && s[2] == ':' && s[5] == '.')
		;
	else
		return -EINVAL;
	if (slot > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, slot, fn);
	return 0;
}

int bad_option(const char *cmd, char **argv, int c)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return report(EXIT_USAGE, cmd, "option '%s' needs a value (see 'udrv %s --help')",
			    opt, cmd);
	return report(EXIT_USAGE, cmd, "unknown option '%s' (see 'udrv %s --help')", opt, cmd);
}

/* ---- finding a device ---- */

struct find_ctx {
	const char *spec;
	char pci[32];
	bool by_uio;
	unsigned int uio;
	int pass;		/* 0: exact name/path/address, 1: uioN */
	struct target *t;
};

static void copy_info(struct target *t, const struct udrv_device_info *i)
{
	memset(t, 0, sizeof(*t));
	t->uio = i->uio;
	t->nodes = i->nodes;
	t->source = i->source;
	snprintf(t->name, sizeof(t->name), "%s", i->name);
	if (i->dt_path)
		snprintf(t->dt_path, sizeof(t->dt_path), "%s", i->dt_path);
	if (i->pci_address)
		snprintf(t->pci, sizeof(t->pci), "%s", i->pci_address);
	t->vendor = i->vendor;
	t->device = i->device;
}

static int find_cb(const struct udrv_device_info *i, void *data)
{
	struct find_ctx *c = data;
	bool hit;

	if (c->pass == 1)
		hit = c->by_uio && i->uio == c->uio;
	else if (c->spec[0] == '/')
		hit = i->dt_path && !strcmp(i->dt_path, c->spec);
	else if (c->pci[0])
		hit = i->pci_address && !strcmp(i->pci_address, c->pci);
	else
		hit = !strcmp(i->name, c->spec);
	if (hit)
		copy_info(c->t, i);
	return hit;
}

int find_target(const char *spec, struct target *t)
{
	struct find_ctx c = { .spec = spec, .t = t };
	char *end;
	int r;

	if (!spec[0])
		return -ENOENT;
	pci_address(spec, c.pci, sizeof(c.pci));
	if (!strncmp(spec, "uio", 3) && spec[3] >= '0' && spec[3] <= '9') {
		errno = 0;
		c.uio = (unsigned int)strtoul(spec + 3, &end, 10);
		c.by_uio = !*end && !errno;
	}
	r = udrv_device_foreach(find_cb, &c);
	if (r == 1)
		return 0;
	if (r < 0)
		return r;
	c.pass = 1;
	r = udrv_device_foreach(find_cb, &c);
	return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}

int need_target(const char *cmd, const char *spec, struct target *t)
{
	char path[TOOL_PATH];
	int r = find_target(spec, t);

	if (!r)
		return 0;
	syspath(path, sizeof(path), "/sys/class/uio");
	if (access(path, F_OK))
		return report(1, cmd, "no UIO devices at all: %s is missing (is the uio module "
			    "loaded?)", path);
	if (r != -ENOENT)
		return report(1, cmd, "cannot list UIO devices: %s", strerror(-r));
	if (spec[0] == '/') {
		syspath(path, sizeof(path), "/sys/firmware/devicetree/base%s", spec);
		if (!access(path, F_OK))
			return report(EXIT_USAGE, cmd, "%s is not handed to UIO (try 'udrv bind %s')",
				    spec, spec);
		return report(EXIT_USAGE, cmd, "no device-tree node %s", spec);
	}
	return report(EXIT_USAGE, cmd, "no UIO device '%s' ('udrv list' shows uioN, names, "
		    "DT paths and PCI addresses)", spec);
}

/* Open @t with libudrv, by the most exact key it has. 0 or an exit status. */
static int open_target(const char *cmd, const struct target *t, struct udrv_device **dev)
{
	char uio[32], path[TOOL_PATH];
	struct stat st = { 0 };
	int r;

	if (t->source == UDRV_SOURCE_DT)
		r = udrv_device_open_dt_path(t->dt_path, dev);
	else if (t->source == UDRV_SOURCE_PCI)
		r = udrv_device_open_pci(t->pci, dev);
	else
		r = udrv_device_open(t->name, dev);
	if (!r)
		return 0;
	snprintf(uio, sizeof(uio), "/dev/uio%u", t->uio);
	if (r == -EACCES || r == -EPERM) {
		struct group *g = NULL;

		if (!syspath(path, sizeof(path), "%s", uio) && !stat(path, &st))
			g = getgrgid(st.st_gid);
		return report(1, cmd, "%s: permission denied (mode %04o, group %s): run as root or "
			    "join that group (see the udev rule 60-udrv-uio.rules)", uio,
			    (unsigned int)(st.st_mode & 07777), g ? g->gr_name : "?");
	}
	return report(1, cmd, "cannot open %s (%s): %s%s%s", t->name, uio, strerror(-r),
		    udrv_last_error()[0] ? ": " : "", udrv_last_error());
}

/* ---- describing a device from sysfs (list, info) ---- */

#define MAX_NODES 16

struct map_desc {
	unsigned int index;
	char name[64];
	uint64_t addr, size, offset;
};

struct node_desc {
	unsigned int uio;
	char name[80];
	long long events;	/* -1 unreadable */
	int irq;		/* 1 has an interrupt, 0 none, -1 unknown (cannot open) */
};

struct desc {
	struct target t;
	char parent[PATH_MAX];
	char driver[64];
	char compat[256];
	int compat_len;
	unsigned int nmaps, nnodes;
	struct map_desc maps[UDRV_UIO_MAX_MAPS];
	struct node_desc nodes[MAX_NODES];
};

static long long read_num(const char *path)
{
	char buf[64];
	uint64_t v;

	if (sysread(path, buf, sizeof(buf)) <= 0 || parse_u64(buf, &v) || v > LLONG_MAX)
		return -1;
	return (long long)v;
}

static int node_irq(unsigned int uio)
{
	char path[TOOL_PATH];
	struct pollfd p = { .events = POLLIN };
	int r;

	if (syspath(path, sizeof(path), "/dev/uio%u", uio))
		return -1;
	p.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (p.fd < 0)
		return -1;
	r = poll(&p, 1, 0);
	close(p.fd);
	return r < 0 ? -1 : !(p.revents & (POLLERR | POLLNVAL));
}

static void add_node(struct desc *d, unsigned int uio, const char *name)
{
	struct node_desc *n = &d->nodes[d->nnodes++];
	char path[TOOL_PATH];

	n->uio = uio;
	snprintf(n->name, sizeof(n->name), "%s", name);
	syspath(path, sizeof(path), "/sys/class/uio/uio%u/event", uio);
	n->events = read_num(path);
	n->irq = node_irq(uio);
}

static void describe(const struct target *t, struct desc *d)
{
	char path[TOOL_PATH], real[PATH_MAX], name[80], want[80];

	memset(d, 0, sizeof(*d));
	d->t = *t;
	syspath(path, sizeof(path), "/sys/class/uio/uio%u/device", t->uio);
	if (realpath(path, d->parent))
		driver_of(d->parent, d->driver, sizeof(d->driver));
	else
		d->parent[0] = '\0';
	if (d->parent[0]) {
		snprintf(path, sizeof(path), "%.400s/of_node/compatible", d->parent);
		d->compat_len = sysread(path, d->compat, sizeof(d->compat));
		if (d->compat_len < 0)
			d->compat_len = 0;
	}
	for (unsigned int m = 0; m < UDRV_UIO_MAX_MAPS; m++) {
		struct map_desc *md = &d->maps[d->nmaps];
		long long v;

		syspath(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u/addr", t->uio, m);
		if ((v = read_num(path)) < 0)
			break;
		md->index = m;
		md->addr = (uint64_t)v;
		syspath(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u/size", t->uio, m);
		md->size = (uint64_t)read_num(path);
		syspath(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u/offset", t->uio, m);
		v = read_num(path);
		md->offset = v < 0 ? 0 : (uint64_t)v;
		syspath(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u/name", t->uio, m);
		if (sysread(path, md->name, sizeof(md->name)) < 0)
			md->name[0] = '\0';
		d->nmaps++;
	}
	add_node(d, t->uio, t->name);
	/* The extra interrupts: "<name>.irq<i>" nodes with the same parent. */
	unsigned int uios[256];
	int nuio = t->nodes > 1 ? uio_numbers(uios, 256) : 0;

	for (unsigned int i = 1; i < MAX_NODES && d->nnodes < t->nodes; i++) {
		snprintf(want, sizeof(want), "%s.irq%u", t->name, i);
		for (int k = 0; k < nuio; k++) {
			unsigned int u = uios[k];

			syspath(path, sizeof(path), "/sys/class/uio/uio%u/name", u);
			if (sysread(path, name, sizeof(name)) < 0 || strcmp(name, want))
				continue;
			syspath(path, sizeof(path), "/sys/class/uio/uio%u/device", u);
			if (realpath(path, real) && !strcmp(real, d->parent)) {
				add_node(d, u, name);
				break;
			}
		}
	}
}

static int desc_irqs(const struct desc *d)
{
	int n = 0;

	for (unsigned int i = 0; i < d->nnodes; i++) {
		if (d->nodes[i].irq < 0)
			return -1;
		n += d->nodes[i].irq;
	}
	return n;
}

static const char *source_name(enum udrv_source s)
{
	return s == UDRV_SOURCE_DT ? "dt" : s == UDRV_SOURCE_PCI ? "pci" : "other";
}

static const char *origin(const struct target *t)
{
	return t->source == UDRV_SOURCE_DT ? t->dt_path : t->source == UDRV_SOURCE_PCI ? t->pci : "-";
}

/* ---- JSON output ---- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_str_or_null(const char *s)
{
	if (s && s[0])
		json_str(s);
	else
		fputs("null", stdout);
}

static void json_desc(const struct desc *d)
{
	const struct target *t = &d->t;
	int irqs = desc_irqs(d);

	printf("{\"uio\": %u, \"name\": ", t->uio);
	json_str(t->name);
	printf(", \"node\": \"/dev/uio%u\", \"source\": \"%s\", \"dt_path\": ", t->uio,
	       source_name(t->source));
	json_str_or_null(t->source == UDRV_SOURCE_DT ? t->dt_path : NULL);
	fputs(", \"compatible\": [", stdout);
	for (int i = 0; i < d->compat_len; i += (int)strlen(d->compat + i) + 1) {
		printf("%s", i ? ", " : "");
		json_str(d->compat + i);
	}
	fputs("], \"pci_address\": ", stdout);
	json_str_or_null(t->source == UDRV_SOURCE_PCI ? t->pci : NULL);
	if (t->source == UDRV_SOURCE_PCI)
		printf(", \"pci_id\": \"%04x:%04x\"", t->vendor, t->device);
	else
		fputs(", \"pci_id\": null", stdout);
	fputs(", \"driver\": ", stdout);
	json_str_or_null(d->driver);
	if (irqs < 0)
		fputs(", \"irqs\": null", stdout);
	else
		printf(", \"irqs\": %d", irqs);
	fputs(", \"nodes\": [", stdout);
	for (unsigned int i = 0; i < d->nnodes; i++) {
		const struct node_desc *n = &d->nodes[i];

		printf("%s{\"uio\": %u, \"name\": ", i ? ", " : "", n->uio);
		json_str(n->name);
		printf(", \"irq\": %s, \"events\": %lld}",
		       n->irq < 0 ? "null" : n->irq ? "true" : "false", n->events);
	}
	fputs("], \"maps\": [", stdout);
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct map_desc *m = &d->maps[i];

		printf("%s{\"index\": %u, \"name\": ", i ? ", " : "", m->index);
		json_str(m->name);
		printf(", \"addr\": %" PRIu64 ", \"size\": %" PRIu64 ", \"offset\": %" PRIu64 "}",
		       m->addr, m->size, m->offset);
	}
	fputs("]", stdout);	/* the caller closes the object */
}

/* ---- list ---- */

static void text_desc(const struct desc *d, bool long_form)
{
	const struct target *t = &d->t;
	int irqs = desc_irqs(d);
	char irqs_s[16];

	if (irqs < 0)
		snprintf(irqs_s, sizeof(irqs_s), "?");
	else
		snprintf(irqs_s, sizeof(irqs_s), "%d", irqs);
	if (!long_form) {
		printf("uio%-3u %-16s %-5s %-28s %-14s irqs %s\n", t->uio, t->name,
		       source_name(t->source), origin(t), d->driver[0] ? d->driver : "-", irqs_s);
	} else {
		printf("name:       %s\nnode:       /dev/uio%u\nsource:     %s %s\n", t->name,
		       t->uio, source_name(t->source), origin(t));
		if (d->compat_len) {
			fputs("compatible:", stdout);
			for (int i = 0; i < d->compat_len; i += (int)strlen(d->compat + i) + 1)
				printf(" \"%s\"", d->compat + i);
			putchar('\n');
		}
		if (t->source == UDRV_SOURCE_PCI)
			printf("pci id:     %04x:%04x\n", t->vendor, t->device);
		printf("driver:     %s\nsysfs:      %s\nirqs:       %s\n",
		       d->driver[0] ? d->driver : "-", d->parent[0] ? d->parent : "-", irqs_s);
		for (unsigned int i = 0; i < d->nnodes; i++)
			printf("  uio%-3u    %-20s irq %-3s events %lld\n", d->nodes[i].uio,
			       d->nodes[i].name, d->nodes[i].irq < 0 ? "?" :
			       d->nodes[i].irq ? "yes" : "no", d->nodes[i].events);
	}
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct map_desc *m = &d->maps[i];

		printf("  map%u      %-12s addr 0x%-10" PRIx64 " size 0x%-8" PRIx64
		       " offset 0x%" PRIx64 "\n", m->index, m->name[0] ? m->name : "-",
		       m->addr, m->size, m->offset);
	}
}

struct list_ctx {
	bool json;
	int n;
};

static int list_cb(const struct udrv_device_info *i, void *data)
{
	struct list_ctx *c = data;
	struct target t;
	struct desc d;

	copy_info(&t, i);
	describe(&t, &d);
	if (c->json) {
		fputs(c->n ? ",\n " : "\n ", stdout);
		json_desc(&d);
		putchar('}');
	} else {
		text_desc(&d, false);
	}
	c->n++;
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct list_ctx c = { 0 };
	char path[TOOL_PATH];
	int o, r;

	while ((o = getopt_long(argc, argv, ":j", opts, NULL)) != -1) {
		if (o != 'j')
			return bad_option("list", argv, o);
		c.json = true;
	}
	if (optind < argc)
		return report(EXIT_USAGE, "list", "unexpected argument '%s'", argv[optind]);
	syspath(path, sizeof(path), "/sys/class/uio");
	if (access(path, F_OK)) {	/* no UIO module: nothing to list, not an error */
		if (c.json)
			puts("[]");
		else
			fprintf(stderr, "udrv list: no UIO devices (%s is missing: the uio module "
				"is not loaded)\n", path);
		return 0;
	}
	if (c.json)
		putchar('[');
	r = udrv_device_foreach(list_cb, &c);
	if (c.json)
		puts(c.n ? "\n]" : "]");
	if (r < 0)
		return report(1, "list", "cannot list UIO devices: %s", strerror(-r));
	return 0;
}

/* ---- info ---- */

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct udrv_device *dev;
	struct target t;
	struct desc d;
	bool json = false;
	int o, r;

	while ((o = getopt_long(argc, argv, ":j", opts, NULL)) != -1) {
		if (o != 'j')
			return bad_option("info", argv, o);
		json = true;
	}
	if (argc - optind != 1)
		return report(EXIT_USAGE, "info", "want one DEV (see 'udrv info --help')");
	if ((r = need_target("info", argv[optind], &t)) || (r = open_target("info", &t, &dev)))
		return r;
	describe(&t, &d);
	if (json) {
		json_desc(&d);
		fputs(", \"regions\": [", stdout);
	} else {
		text_desc(&d, true);
		printf("libudrv:    %u region%s, %u interrupt%s, DMA pool %zu bytes%s\n",
		       udrv_device_num_regions(dev), udrv_device_num_regions(dev) == 1 ? "" : "s",
		       udrv_device_num_irqs(dev), udrv_device_num_irqs(dev) == 1 ? "" : "s",
		       udrv_device_dma_pool_size(dev),
		       udrv_device_dma_pool_size(dev) ? "" :
		       strcmp(udrv_device_driver(dev), UDRV_UIO_DRIVER_NAME) ?
		       " (only the udrv_uio stub gives pools: udrv bind DEV --pool SIZE)" :
		       " (udrv unbind, then udrv bind DEV --pool SIZE)");
	}
	for (unsigned int i = 0; i < udrv_device_num_regions(dev); i++) {
		struct udrv_region *reg;

		if (udrv_device_region(dev, i, 0, &reg))
			continue;
		if (json) {
			printf("%s{\"index\": %u, \"name\": ", i ? ", " : "", udrv_region_index(reg));
			json_str(udrv_region_name(reg));
			fputs(", \"alias\": ", stdout);
			json_str_or_null(udrv_region_alias(reg));
			printf(", \"phys\": %" PRIu64 ", \"size\": %zu}", udrv_region_phys(reg),
			       udrv_region_size(reg));
		} else {
			/* the alias when it is not the map's own name (the stub's are) */
			bool alias = udrv_region_alias(reg)[0] &&
				     strcmp(udrv_region_alias(reg), udrv_region_name(reg));

			printf("  region %u  %-12s phys 0x%-10" PRIx64 " size 0x%zx%s%s\n",
			       udrv_region_index(reg), udrv_region_name(reg),
			       udrv_region_phys(reg), udrv_region_size(reg),
			       alias ? "  alias " : "", alias ? udrv_region_alias(reg) : "");
		}
	}
	if (json) {
		printf("], \"num_irqs\": %u, \"dma_pool_size\": %zu}\n", udrv_device_num_irqs(dev),
		       udrv_device_dma_pool_size(dev));
	}
	udrv_device_close(dev);
	return 0;
}

/* ---- registers: read, write, dump ---- */

/* The device named by @spec, opened. 0 or an exit status. */
static int open_spec(const char *cmd, const char *spec, struct udrv_device **dev)
{
	struct target t;
	int r = need_target(cmd, spec, &t);

	return r ? r : open_target(cmd, &t, dev);
}

static int get_region(const char *cmd, struct udrv_device *dev, const char *spec,
		      struct udrv_region **reg)
{
	unsigned int n = udrv_device_num_regions(dev);
	char names[256] = "";
	size_t used = 0;
	uint64_t idx;
	int r;

	if (!parse_u64(spec, &idx))
		r = idx >= n ? -ENOENT : udrv_device_region(dev, (unsigned int)idx, 0, reg);
	else
		r = udrv_device_region_by_name(dev, spec, 0, reg);
	if (!r)
		return 0;
	for (unsigned int i = 0; i < n && used < sizeof(names) - 80; i++) {
		struct udrv_region *g;

		bool alias;

		if (udrv_device_region(dev, i, 0, &g))
			continue;
		alias = udrv_region_alias(g)[0] && strcmp(udrv_region_alias(g), udrv_region_name(g));
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%u '%s'%s%s%s",
					 i ? ", " : "", i, udrv_region_name(g), alias ? " (" : "",
					 alias ? udrv_region_alias(g) : "", alias ? ")" : "");
	}
	if (!strcmp(spec, "dma"))
		return report(EXIT_USAGE, cmd, "'dma' is the DMA pool of %s, not a register region "
			    "(regions: %s)", udrv_device_name(dev), n ? names : "none");
	return report(EXIT_USAGE, cmd, "%s has no region '%s' (regions: %s)", udrv_device_name(dev),
		    spec, n ? names : "none");
}

static int parse_width(const char *cmd, const char *s, unsigned int *width)
{
	uint64_t v;

	if (parse_u64(s, &v) || (v != 8 && v != 16 && v != 32 && v != 64))
		return report(EXIT_USAGE, cmd, "bad width '%s' (8, 16, 32 or 64)", s);
	*width = (unsigned int)v;
	return 0;
}

/* Check that @len bytes at @s (an offset) fit in @reg, aligned to @align. */
static int parse_range(const char *cmd, const struct udrv_region *reg, const char *s,
		       uint64_t len, unsigned int align, uint64_t *off)
{
	size_t size = udrv_region_size(reg);

	if (parse_u64(s, off))
		return report(EXIT_USAGE, cmd, "bad offset '%s' (a number: 16, 0x10)", s);
	if (*off % align)
		return report(EXIT_USAGE, cmd, "offset 0x%" PRIx64 " is not a multiple of %u "
			    "(the access width in bytes)", *off, align);
	if (*off >= size || len > size - *off)
		return report(EXIT_USAGE, cmd, "offset 0x%" PRIx64 " + %" PRIu64 " bytes is past the "
			    "end of region '%s' (0x%zx bytes)", *off, len, udrv_region_name(reg),
			    size);
	return 0;
}

/*
 * Checked register accesses with SIGBUS and SIGSEGV caught: a bus that
 * refuses one (an unassigned address, a register that takes other widths,
 * an external abort) or a mapping revoked under us (unbind) is one line on
 * stderr naming the device, region and offset, exit 1 -- never a signal.
 * The handlers live only while a command accesses registers (guard_on() to
 * guard_off()); the caller's come back after (the host tests and the
 * fuzzer run the tool in-process). SA_NODEFER leaves the signal mask alone,
 * so each access costs a sigsetjmp() and no system call.
 */
struct guard {
	struct sigaction bus, segv;
};

static sigjmp_buf access_env;
static volatile sig_atomic_t access_signal;

static void access_fault(int sig)
{
	access_signal = sig;
	siglongjmp(access_env, 1);
}

static void guard_on(struct guard *g)
{
	struct sigaction sa = { .sa_handler = access_fault, .sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &g->bus);
	sigaction(SIGSEGV, &sa, &g->segv);
}

static void guard_off(const struct guard *g)
{
	sigaction(SIGBUS, &g->bus, NULL);
	sigaction(SIGSEGV, &g->segv, NULL);
}

/* One access between guard_on() and guard_off(). */
static int access_reg(const char *cmd, struct udrv_device *dev, const struct udrv_region *reg,
		      uint64_t off, unsigned int width, bool write, uint64_t *val)
{
	volatile int r = 0;

	access_signal = 0;
	if (!sigsetjmp(access_env, 0))
		r = write ? udrv_region_write(reg, off, width, *val) :
			    udrv_region_read(reg, off, width, val);
	if (access_signal)
		return report(1, cmd, "%s region '%s' offset 0x%" PRIx64 ": the %u-bit %s was "
			    "refused (%s)", udrv_device_name(dev), udrv_region_name(reg), off,
			    width, write ? "write" : "read",
			    access_signal == SIGBUS ? "bus error" : "segmentation fault");
	if (r)
		return report(1, cmd, "%s region '%s' offset 0x%" PRIx64 ": %s",
			    udrv_device_name(dev), udrv_region_name(reg), off,
			    r == -ENODEV ? "the device was removed" : strerror(-r));
	return 0;
}

static int cmd_rw(int argc, char **argv, bool write)
{
	static const struct option opts[] = { { "width", required_argument, NULL, 'w' }, { 0 } };
	const char *cmd = write ? "write" : "read";
	struct udrv_device *dev = NULL;
	struct guard g;
	struct udrv_region *reg;
	unsigned int width = 32;
	uint64_t off, val = 0;
	int o, r;

	while ((o = getopt_long(argc, argv, ":w:", opts, NULL)) != -1) {
		if (o != 'w')
			return bad_option(cmd, argv, o);
		if ((r = parse_width(cmd, optarg, &width)))
			return r;
	}
	if (argc - optind != 3 + write)
		return report(EXIT_USAGE, cmd, "want DEV REGION OFF%s (see 'udrv %s --help')",
			    write ? " VALUE" : "", cmd);
	if (write) {
		if (parse_u64(argv[optind + 3], &val))
			return report(EXIT_USAGE, cmd, "bad value '%s' (a number: 255, 0xff)",
				    argv[optind + 3]);
		if (width < 64 && val >> width)
			return report(EXIT_USAGE, cmd, "value 0x%" PRIx64 " does not fit in %u bits",
				    val, width);
	}
	if ((r = open_spec(cmd, argv[optind], &dev)) ||
	    (r = get_region(cmd, dev, argv[optind + 1], &reg)) ||
	    (r = parse_range(cmd, reg, argv[optind + 2], width / 8, width / 8, &off)))
		goto out;
	guard_on(&g);
	r = access_reg(cmd, dev, reg, off, width, write, &val);
	guard_off(&g);
	if (!r && !write)
		printf("0x%0*" PRIx64 "\n", (int)width / 4, val);
out:
	udrv_device_close(dev);
	return r;
}

static int cmd_read(int argc, char **argv)
{
	return cmd_rw(argc, argv, false);
}

static int cmd_write(int argc, char **argv)
{
	return cmd_rw(argc, argv, true);
}

static int cmd_dump(int argc, char **argv)
{
	struct udrv_device *dev = NULL;
	struct guard g;
	struct udrv_region *reg;
	uint64_t off = 0, len = 0, v;
	int o, r;

	while ((o = getopt_long(argc, argv, ":", (const struct option[]){ { 0 } }, NULL)) != -1)
		return bad_option("dump", argv, o);
	if (argc - optind < 2 || argc - optind > 4)
		return report(EXIT_USAGE, "dump", "want DEV REGION [OFF [LEN]] (see 'udrv dump --help')");
	if (argc - optind == 4 && (parse_u64(argv[optind + 3], &len) || !len || len % 4))
		return report(EXIT_USAGE, "dump", "bad length '%s' (a non-zero multiple of 4)",
			    argv[optind + 3]);
	if ((r = open_spec("dump", argv[optind], &dev)) ||
	    (r = get_region("dump", dev, argv[optind + 1], &reg)))
		goto out;
	if (argc - optind >= 3 &&
	    (r = parse_range("dump", reg, argv[optind + 2], len ? len : 4, 4, &off)))
		goto out;
	if (!len)
		len = (udrv_region_size(reg) - off) & ~(uint64_t)3;
	guard_on(&g);
	for (uint64_t a = off; a < off + len; a += 4) {
		if (a == off || !(a % 16))
			printf("%s%08" PRIx64 ":", a == off ? "" : "\n", a & ~(uint64_t)15);
		if (a == off)
			for (uint64_t pad = a & ~(uint64_t)15; pad < a; pad += 4)
				fputs("         ", stdout);
		if ((r = access_reg("dump", dev, reg, a, 32, false, &v))) {
			putchar('\n');
			break;
		}
		printf(" %08" PRIx64, v);
	}
	guard_off(&g);
	if (!r)
		putchar('\n');
out:
	udrv_device_close(dev);
	return r;
}

/* ---- irq ---- */

static int cmd_irq(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "irq", required_argument, NULL, 'i' },
		{ 0 }
	};
	uint64_t count = 1, timeout_ms = 0, index = 0, got = 0, deadline = UINT64_MAX, *v;
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq;
	int o, r;

	while ((o = getopt_long(argc, argv, ":c:t:i:", opts, NULL)) != -1) {
		v = o == 'c' ? &count : o == 't' ? &timeout_ms : o == 'i' ? &index : NULL;
		if (!v)
			return bad_option("irq", argv, o);
		if (parse_u64(optarg, v) || (o == 't' && (!*v || *v > UINT32_MAX)) ||
		    (o == 'i' && *v > 64))
			return report(EXIT_USAGE, "irq", "bad %s '%s'", o == 'c' ? "count" :
				    o == 't' ? "timeout (milliseconds, > 0)" : "interrupt index",
				    optarg);
	}
	if (argc - optind != 1)
		return report(EXIT_USAGE, "irq", "want one DEV (see 'udrv irq --help')");
	if ((r = open_spec("irq", argv[optind], &dev)))
		return r;
	if (udrv_device_irq(dev, (unsigned int)index, &irq)) {
		r = report(EXIT_USAGE, "irq", "%s has no interrupt %" PRIu64 " (it has %u)",
			 udrv_device_name(dev), index, udrv_device_num_irqs(dev));
		goto out;
	}
	if (timeout_ms)
		deadline = udrv_deadline_ns(timeout_ms * 1000000u);
	while (!count || got < count) {
		if ((r = udrv_irq_unmask(irq))) {
			r = report(1, "irq", "unmask: %s", strerror(-r));
			goto out;
		}
		r = udrv_irq_wait_until(irq, deadline);
		if (r < 0) {
			r = report(1, "irq", "%s", r == -ENODEV ? "the device was removed" :
				 strerror(-r));
			goto out;
		}
		if (!r) {
			r = report(1, "irq", "timeout: %" PRIu64 " of %" PRIu64 " interrupt%s in %"
				 PRIu64 " ms", got, count, count == 1 ? "" : "s", timeout_ms);
			goto out;
		}
		uint64_t t = udrv_now_ns();

		got++;
		printf("%" PRIu64 ".%06" PRIu64 " irq %" PRIu64 " count %" PRIu32 " missed %" PRIu64
		       "\n", t / 1000000000u, t / 1000 % 1000000, index, udrv_irq_count(irq),
		       udrv_irq_missed(irq));
		fflush(stdout);
	}
	r = 0;
out:
	udrv_device_close(dev);
	return r;
}

/* ---- main ---- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "list", cmd_list,
	  "udrv list [--json]\n"
	  "  Every UIO device: uioN, name, source (dt PATH | pci ADDRESS), kernel driver,\n"
	  "  interrupt count and maps (addr, size, offset, name) as sysfs reports them.\n"
	  "  --json  one JSON array of objects instead of text\n" },
	{ "info", cmd_info,
	  "udrv info DEV [--json]\n"
	  "  One device: what list shows, its compatible strings or PCI id, each UIO\n"
	  "  node's event counter, and the regions, interrupts and DMA pool libudrv\n"
	  "  finds when it opens the device (so this needs access to /dev/uioN).\n"
	  "  --json  one JSON object\n" },
	{ "bind", cmd_bind,
	  "udrv bind DEV [--force] [--pool SIZE]\n"
	  "  Hand a platform, AMBA or PCI device to the udrv_uio stub: set its\n"
	  "  driver_override and probe it. DEV is a DT path, a PCI address or a sysfs\n"
	  "  device name (9010000.pl031). A device held by another driver is left\n"
	  "  alone unless --force: then it is unbound from that driver first.\n"
	  "  --pool SIZE  give it a DMA pool of SIZE bytes (0: none), whatever its DT\n"
	  "               node or the module's parameters say (the stub's pool\n"
	  "               attribute, kept for its later bindings); PCI devices get\n"
	  "               none unless asked\n" },
	{ "unbind", cmd_unbind,
	  "udrv unbind DEV\n"
	  "  Take a device from the udrv_uio stub and give it back: unbind it, clear its\n"
	  "  driver_override and let the kernel probe its own driver. A device the stub\n"
	  "  matches by compatible (udrv,uio or of_id=) or id is left without a driver.\n" },
	{ "dt", cmd_dt,
	  "udrv dt DEV\n"
	  "  The device's device-tree node, decoded from /sys/firmware/fdt (the tree the\n"
	  "  kernel booted with; for non-root users, the live tree under\n"
	  "  /sys/firmware/devicetree/base): properties as strings, cells or bytes, reg as\n"
	  "  address/size pairs, GIC interrupt specifiers, phandles as node paths, then\n"
	  "  its child nodes. DEV may be any DT path, handed to UIO or not.\n" },
	{ "read", cmd_read,
	  "udrv read DEV REGION OFF [--width 8|16|32|64]\n"
	  "  Read one register: REGION is a region number or its map name, OFF a byte\n"
	  "  offset aligned to the width (default 32). Prints 0x-prefixed hex.\n" },
	{ "write", cmd_write,
	  "udrv write DEV REGION OFF VALUE [--width 8|16|32|64]\n"
	  "  Write one register (VALUE must fit in the width, default 32).\n" },
	{ "dump", cmd_dump,
	  "udrv dump DEV REGION [OFF [LEN]]\n"
	  "  Hexdump LEN bytes (default: to the end of the region) from OFF (default 0),\n"
	  "  one 32-bit read per word, four words a line. Beware registers that change\n"
	  "  on read (FIFOs, clear-on-read status).\n" },
	{ "irq", cmd_irq,
	  "udrv irq DEV [--count N] [--timeout MS] [--irq I]\n"
	  "  Unmask interrupt I (default 0: the device's first UIO node; I >= 1 is\n"
	  "  <name>.irqI) and wait for N events (default 1, 0 = forever), unmasking after\n"
	  "  each. Prints one line per event: monotonic time in seconds, the interrupt,\n"
	  "  the kernel's event count and how many were missed. --timeout bounds the\n"
	  "  whole wait; running out of it is a failure (exit 1).\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("usage: udrv COMMAND [ARGS]   (udrv COMMAND --help for details)\n\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %.*s\n", (int)strcspn(commands[i].usage, "\n"), commands[i].usage);
	fputs("\nDEV is uioN, a UIO name, a device-tree path (/pl031@9010000) or a PCI\n"
	      "address (0000:00:02.0 or 00:02.0). Exit status: 0 done, 1 failed, 2 bad usage.\n",
	      f);
}

static const struct command *lookup(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int udrv_tool_main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			if (!(c = lookup(argv[2])))
				return report(EXIT_USAGE, NULL, "no command '%s'", argv[2]);
			fputs(c->usage, stdout);
			return 0;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("udrv %s\n", UDRV_VERSION);
		return 0;
	}
	if (!(c = lookup(argv[1])))
		return report(EXIT_USAGE, NULL, "no command '%s' (see 'udrv --help')", argv[1]);
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(c->usage, stdout);
			return 0;
		}
	}
	optind = 0;	/* glibc: a full reset, for callers that run the tool twice */
	opterr = 0;
	return c->fn(argc - 1, argv + 1);
}

#ifndef UDRV_TOOL_NO_MAIN
int main(int argc, char **argv)
{
	int r = udrv_tool_main(argc, argv);

	if (fflush(stdout) && !r)
		r = report(1, NULL, "cannot write the output: %s", strerror(errno));
	return r;
}
#endif
