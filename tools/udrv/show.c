// SPDX-License-Identifier: MIT
/*
 * udrv list / info: the UIO devices as libudrv describes them (the kernel's
 * view: nodes, event counters, maps), and for info what libudrv finds when
 * it opens the device (regions, interrupts, DMA pool).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "udrv_uio.h"

#define MAX_NODES 16

struct desc {
	struct target t;
	char parent[4096];
	char driver[64];
	char compat[1024];
	int compat_len;
	unsigned int nmaps, nnodes;
	struct udrv_uio_map maps[UDRV_UIO_MAX_MAPS];
	struct udrv_uio_node nodes[MAX_NODES];
};

static void describe(const struct udrv_device_info *i, struct desc *d)
{
	memset(d, 0, sizeof(*d));
	copy_info(&d->t, i);
	snprintf(d->parent, sizeof(d->parent), "%s", i->sysfs_path ? i->sysfs_path : "");
	snprintf(d->driver, sizeof(d->driver), "%s", i->driver ? i->driver : "");
	if (i->compatible && i->compatible_len <= sizeof(d->compat)) {
		memcpy(d->compat, i->compatible, i->compatible_len);
		d->compat_len = (int)i->compatible_len;
	}
	while (d->nmaps < UDRV_UIO_MAX_MAPS && !udrv_uio_map(i->uio, d->nmaps, &d->maps[d->nmaps]))
		d->nmaps++;
	while (d->nnodes < MAX_NODES && !udrv_device_info_node(i, d->nnodes, &d->nodes[d->nnodes]))
		d->nnodes++;
}

struct one_ctx {
	unsigned int uio;
	struct desc *d;
	bool found;
};

static int one_cb(const struct udrv_device_info *i, void *data)
{
	struct one_ctx *c = data;

	if (i->uio != c->uio)
		return 0;
	describe(i, c->d);
	c->found = true;
	return 1;
}

/* The device whose first node is uio@uio, described: 0 or -ENOENT. */
static int describe_uio(unsigned int uio, struct desc *d)
{
	struct one_ctx c = { uio, d, false };

	udrv_device_foreach(one_cb, &c);
	return c.found ? 0 : -ENOENT;
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
		const struct udrv_uio_node *n = &d->nodes[i];

		printf("%s{\"uio\": %u, \"name\": ", i ? ", " : "", n->uio);
		json_str(n->name);
		printf(", \"irq\": %s, \"events\": %" PRId64 "}",
		       n->irq < 0 ? "null" : n->irq ? "true" : "false", n->events);
	}
	fputs("], \"maps\": [", stdout);
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct udrv_uio_map *m = &d->maps[i];

		printf("%s{\"index\": %u, \"name\": ", i ? ", " : "", i);
		json_str(m->name);
		printf(", \"addr\": %" PRIu64 ", \"size\": %" PRIu64 ", \"offset\": %" PRIu64 "}",
		       m->addr, m->size, m->offset);
	}
	fputs("]", stdout);	/* the caller closes the object */
}


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
			printf("  uio%-3u    %-20s irq %-3s events %" PRId64 "\n", d->nodes[i].uio,
			       d->nodes[i].name, d->nodes[i].irq < 0 ? "?" :
			       d->nodes[i].irq ? "yes" : "no", d->nodes[i].events);
	}
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct udrv_uio_map *m = &d->maps[i];

		printf("  map%u      %-12s addr 0x%-10" PRIx64 " size 0x%-8" PRIx64
		       " offset 0x%" PRIx64 "\n", i, m->name[0] ? m->name : "-",
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
	struct desc d;

	describe(i, &d);
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

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct list_ctx c = { 0 };
	int o, r;

	while ((o = getopt_long(argc, argv, ":j", opts, NULL)) != -1) {
		if (o != 'j')
			return bad_option("list", argv, o);
		c.json = true;
	}
	if (optind < argc)
		return report(EXIT_USAGE, "list", "unexpected argument '%s'", argv[optind]);
	if (c.json)
		putchar('[');
	r = udrv_device_foreach(list_cb, &c);
	if (c.json)
		puts(c.n ? "\n]" : "]");
	if (r == -ENOENT && !c.json)	/* no UIO module: nothing to list, not an error */
		fprintf(stderr, "udrv list: no UIO devices (the uio module is not loaded: %s)\n",
			udrv_last_error());
	if (r < 0 && r != -ENOENT)
		return report(1, "list", "cannot list UIO devices: %s", strerror(-r));
	return 0;
}


int cmd_info(int argc, char **argv)
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
	if (describe_uio(t.uio, &d)) {
		udrv_device_close(dev);
		return report(1, "info", "%s (uio%u) went away", t.name, t.uio);
	}
	if (json) {
		json_desc(&d);
		fputs(", \"regions\": [", stdout);
	} else {
		text_desc(&d, true);
		printf("libudrv:    %u region%s, %u interrupt%s, DMA pool %zu bytes%s\n",
		       udrv_device_num_regions(dev), udrv_device_num_regions(dev) == 1 ? "" : "s",
		       udrv_device_num_irqs(dev), udrv_device_num_irqs(dev) == 1 ? "" : "s",
		       udrv_device_dma_pool_size(dev),
		       udrv_device_dma_pool_size(dev) ?
		       (udrv_device_dma_pool_cached(dev) ? " (cached)" : "") :
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
		printf("], \"num_irqs\": %u, \"dma_pool_size\": %zu, \"dma_pool_cached\": %s}\n",
		       udrv_device_num_irqs(dev), udrv_device_dma_pool_size(dev),
		       udrv_device_dma_pool_cached(dev) ? "true" : "false");
	}
	udrv_device_close(dev);
	return 0;
}

