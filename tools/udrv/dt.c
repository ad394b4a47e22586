// SPDX-License-Identifier: MIT
/*
 * udrv dt: a device's device-tree node, decoded, in dtc's source syntax.
 *
 * Read with libfdt from /sys/firmware/fdt, the blob the kernel booted with
 * (root only), or, when that cannot be read, from the live tree under
 * /sys/firmware/devicetree/base (readable by anyone; properties in name
 * order), packed into a blob here with libfdt's sequential writer.
 * Values are shown as strings when they look like strings,
 * cells when their length is a multiple of 4, bytes otherwise; a comment
 * decodes `reg` (address/size by the parent's #address-cells/#size-cells),
 * GIC `interrupts` (SPI/PPI, number, trigger) and `interrupt-parent`.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libfdt.h>

#include "tool.h"

#define FDT_MAX (16u << 20)
#define MAX_DEPTH 16
#define TABS "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"	/* MAX_DEPTH of them */

static void *load_fdt(const char *path, int *err)
{
	size_t len = 0, cap = 64 << 10;
	char *buf = malloc(cap), *p;
	ssize_t n;
	int fd;

	*err = -ENOMEM;
	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap) {
			if (cap >= FDT_MAX || !(p = realloc(buf, cap *= 2))) {
				n = -1;
				errno = EFBIG;
				break;
			}
			buf = p;
		}
	}
	*err = n < 0 ? -errno : 0;
	close(fd);
	if (!*err && (len < sizeof(struct fdt_header) || fdt_check_header(buf) ||
		      fdt_totalsize(buf) > len))
		*err = -EINVAL;
	if (*err) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Add the node at directory @dir (its properties, then its children) to the
 * blob being written. 0 or a libfdt error (-FDT_ERR_NOSPACE: retry bigger). */
static int live_node(void *fdt, const char *dir, const char *name, int depth)
{
	struct dirent **e;
	char path[PATH_MAX], val[4096];
	struct stat st;
	int n, r = 0;

	n = scandir(dir, &e, NULL, alphasort);
	if (n < 0)
		return -FDT_ERR_BADPATH;
	r = fdt_begin_node(fdt, name);
	for (int pass = 0; pass < 2; pass++) {	/* properties first, then nodes */
		for (int i = 0; i < n && !r; i++) {
			if (e[i]->d_name[0] == '.' ||
			    snprintf(path, sizeof(path), "%s/%s", dir, e[i]->d_name) >=
			    (int)sizeof(path) || lstat(path, &st))
				continue;
			if (pass == 1 && S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
				r = live_node(fdt, path, e[i]->d_name, depth + 1);
			} else if (pass == 0 && S_ISREG(st.st_mode) && strcmp(e[i]->d_name, "name")) {
				int fd = open(path, O_RDONLY | O_CLOEXEC);
				ssize_t len = fd < 0 ? -1 : read(fd, val, sizeof(val));

				if (fd >= 0)
					close(fd);
				if (len >= 0)
					r = fdt_property(fdt, e[i]->d_name, val, (int)len);
			}
		}
	}
	for (int i = 0; i < n; i++)
		free(e[i]);
	free(e);
	return r ? r : fdt_end_node(fdt);
}

/* The live tree at @base as a blob (malloc'd), or NULL with *@err set. */
static void *live_fdt(const char *base, int *err)
{
	size_t size = 256 << 10;
	void *fdt = NULL, *p;
	int r;

	do {
		if (size > FDT_MAX || !(p = realloc(fdt, size))) {
			*err = -ENOMEM;
			free(fdt);
			return NULL;
		}
		fdt = p;
		r = fdt_create(fdt, (int)size);
		if (!r)
			r = fdt_finish_reservemap(fdt);
		if (!r)
			r = live_node(fdt, base, "", 0);
		if (!r)
			r = fdt_finish(fdt);
		size *= 2;
	} while (r == -FDT_ERR_NOSPACE);
	if (r) {
		*err = r == -FDT_ERR_BADPATH ? -ENOENT : -EINVAL;
		free(fdt);
		return NULL;
	}
	return fdt;
}

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
	char fdt_path[TOOL_PATH], live[TOOL_PATH];
	const char *path;
	struct target t;
	void *fdt;
	int o, r, r2 = 0, node;

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
	syspath(fdt_path, sizeof(fdt_path), "/sys/firmware/fdt");
	fdt = load_fdt(fdt_path, &r);
	if (!fdt && (r == -EACCES || r == -ENOENT)) {
		syspath(live, sizeof(live), "/sys/firmware/devicetree/base");
		fdt = live_fdt(live, &r2);
	}
	if (!fdt)
		return report(1, "dt", "cannot read %s: %s, nor the live tree: %s", fdt_path,
			      r == -EINVAL ? "not a device-tree blob" : strerror(-r),
			      r2 ? strerror(-r2) : "not tried");
	node = fdt_path_offset(fdt, path);
	if (node < 0) {
		free(fdt);
		return report(EXIT_USAGE, "dt", "no node %s in the device tree (%s)", path,
			    fdt_strerror(node));
	}
	print_node(fdt, node, path, 0);
	free(fdt);
	return 0;
}
