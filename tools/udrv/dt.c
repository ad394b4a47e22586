// SPDX-License-Identifier: MIT
/*
 * udrv dt: a device's device-tree node, decoded, in dtc's source syntax.
 *
 * The tree is libudrv's udrv_dt_open_boot(): the blob the kernel booted
 * with (root only), or, when that cannot be read, the live tree (readable
 * by anyone; properties in name order), walked here with libfdt.
 * Values are shown as strings when they look like strings,
 * cells when their length is a multiple of 4, bytes otherwise; a comment
 * decodes `reg` (address/size by the parent's #address-cells/#size-cells),
 * GIC `interrupts` (SPI/PPI, number, trigger) and `interrupt-parent`.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#include "tool.h"

#define MAX_DEPTH 16
#define TABS "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"	/* MAX_DEPTH of them */

static bool is_strings(const char *v, int len)
{
	if (len < 1 || v[len - 1] || !v[0])
		return false;
	for (int i = 0; i < len; i++) {
		if (!v[i] && i + 1 < len && !v[i + 1])
			return false;
		if (v[i] && !isprint((unsigned char)v[i]))
			return false;
	}
	return true;
}

static uint32_t cell(const void *v, int i)
{
	return fdt32_ld((const fdt32_t *)v + i);
}

/* A property's own cell count, as #address-cells: the node's or @def. */
static int cells_prop(const void *fdt, int node, const char *name, int def)
{
	int len;
	const void *v = fdt_getprop(fdt, node, name, &len);

	return v && len == 4 ? (int)cell(v, 0) : def;
}

/* The node's interrupt parent (inherited from its ancestors), or < 0. */
static int irq_parent(const void *fdt, int node)
{
	const void *v;
	int len;

	for (; node >= 0; node = fdt_parent_offset(fdt, node)) {
		v = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (v && len == 4)
			return fdt_node_offset_by_phandle(fdt, cell(v, 0));
	}
	return -FDT_ERR_NOTFOUND;
}

static void comment_reg(const void *fdt, int node, const void *v, int len)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = parent >= 0 ? cells_prop(fdt, parent, "#address-cells", 2) : 2;
	int sc = parent >= 0 ? cells_prop(fdt, parent, "#size-cells", 1) : 1;
	int n = len / 4, step = ac + sc;

	if (ac < 1 || ac > 2 || sc < 0 || sc > 2 || n % step)
		return;
	fputs("\t//", stdout);
	for (int i = 0; i < n; i += step) {
		uint64_t a = ac == 2 ? (uint64_t)cell(v, i) << 32 | cell(v, i + 1) : cell(v, i);
		uint64_t s = sc == 2 ? (uint64_t)cell(v, i + ac) << 32 | cell(v, i + ac + 1) :
			     sc ? cell(v, i + ac) : 0;

		printf("%s 0x%" PRIx64 " size 0x%" PRIx64, i ? "," : "", a, s);
	}
}

static void comment_interrupts(const void *fdt, int node, const void *v, int len)
{
	static const char *const trig[] = {
		[1] = "edge-rising", [2] = "edge-falling", [3] = "edge-both",
		[4] = "level-high", [8] = "level-low",
	};
	int gic = irq_parent(fdt, node);
	const char *c;
	int clen;

	if (gic < 0 || cells_prop(fdt, gic, "#interrupt-cells", 0) != 3 || len % 12)
		return;
	c = fdt_getprop(fdt, gic, "compatible", &clen);
	if (!c || !memmem(c, (size_t)clen, "gic", 3))
		return;
	fputs("\t//", stdout);
	for (int i = 0; i < len / 4; i += 3) {
		uint32_t type = cell(v, i), flags = cell(v, i + 2) & 0xf;

		printf("%s %s %" PRIu32 " %s", i ? "," : "", type == 0 ? "SPI" : type == 1 ? "PPI" :
		       "type?", cell(v, i + 1), flags < 9 && trig[flags] ? trig[flags] : "trigger?");
	}
}

static void print_value(const void *fdt, int node, const char *name, const void *v, int len)
{
	char path[256];
	int target;

	if (!len) {
		puts(";");
		return;
	}
	fputs(" = ", stdout);
	if (is_strings(v, len)) {
		for (int i = 0; i < len; i += (int)strlen((const char *)v + i) + 1) {
			fputs(i ? ", \"" : "\"", stdout);
			for (const char *s = (const char *)v + i; *s; s++)
				printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
			putchar('"');
		}
		puts(";");
		return;
	}
	if (len % 4) {
		putchar('[');
		for (int i = 0; i < len; i++)
			printf("%s%02x", i ? " " : "", ((const unsigned char *)v)[i]);
		puts("];");
		return;
	}
	putchar('<');
	for (int i = 0; i < len / 4; i++)
		printf("%s0x%" PRIx32, i ? " " : "", cell(v, i));
	fputs(">;", stdout);
	if (!strcmp(name, "reg"))
		comment_reg(fdt, node, v, len);
	else if (!strcmp(name, "interrupts"))
		comment_interrupts(fdt, node, v, len);
	else if (!strcmp(name, "interrupt-parent") && len == 4 &&
		 (target = fdt_node_offset_by_phandle(fdt, cell(v, 0))) >= 0 &&
		 !fdt_get_path(fdt, target, path, sizeof(path)))
		printf("\t// %s", path);
	putchar('\n');
}

static void print_node(const void *fdt, int node, const char *label, int depth)
{
	const char *name;
	const void *v;
	int prop, len, child;

	printf("%.*s%s {\n", depth, TABS, label);
	fdt_for_each_property_offset(prop, fdt, node) {
		v = fdt_getprop_by_offset(fdt, prop, &name, &len);
		if (!v)
			continue;
		printf("%.*s\t%s", depth, TABS, name);
		print_value(fdt, node, name, v, len);
	}
	fdt_for_each_subnode(child, fdt, node) {
		if (depth >= MAX_DEPTH)
			break;
		putchar('\n');
		print_node(fdt, child, fdt_get_name(fdt, child, NULL), depth + 1);
	}
	printf("%.*s};\n", depth, TABS);
}

int cmd_dt(int argc, char **argv)
{
	struct udrv_dt *dt;
	struct target t;
	const char *path;
	const void *fdt;
	int o, r, node;

	while ((o = getopt_long(argc, argv, ":", (const struct option[]){ { 0 } }, NULL)) != -1)
		return bad_option("dt", argv, o);
	if (argc - optind != 1)
		return report(EXIT_USAGE, "dt", "want one DEV (see 'udrv dt --help')");
	path = argv[optind];
	if (path[0] != '/') {
		if ((r = need_target("dt", path, &t)))
			return r;
		if (t.source != UDRV_SOURCE_DT)
			return report(1, "dt", "%s (uio%u) has no device-tree node%s%s", t.name, t.uio,
				    t.pci[0] ? ": it is the PCI device " : "", t.pci);
		path = t.dt_path;
	}
	r = udrv_dt_open_boot(path, &dt);
	if (r == -ENOENT && strstr(udrv_last_error(), "no node"))
		return report(EXIT_USAGE, "dt", "no node %s in the device tree", path);
	if (r)
		return report(1, "dt", "cannot read the device tree: %s", udrv_last_error());
	fdt = udrv_dt_fdt(dt, &node);
	print_node(fdt, node, path, 0);
	udrv_dt_close(dt);
	return 0;
}
