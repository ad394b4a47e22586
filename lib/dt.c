/* SPDX-License-Identifier: MIT */
/*
 * dt.c - device-tree nodes over a flattened blob (libfdt), and their
 * properties decoded. Where blobs come from is dt_load.c's job.
 *
 * A blob is loaded once, checked whole with fdt_check_full() (so that the
 * libfdt walks below stay inside it), and shared by the nodes opened on it.
 * Every property is length-checked before it is decoded; every failure
 * names the node and the property.
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Shared by every node opened on it (udrv_dt_open_node(), phandle targets,
 * a device's node), which different threads may hold: the count is atomic. */
struct blob {
	atomic_uint refs;
	void *fdt;
};

struct udrv_dt {
	struct blob *blob;
	int off;
	bool owned_by_device;
	char path[];
};

static void blob_put(struct blob *b)
{
	if (atomic_fetch_sub(&b->refs, 1) == 1) {
		free(b->fdt);
		free(b);
	}
}

/* A node object for @off; takes a reference on @b on success. */
static int node_new(struct blob *b, int off, struct udrv_dt **out)
{
	char path[1024];
	struct udrv_dt *dt;
	int err;

	err = fdt_get_path(b->fdt, off, path, sizeof(path));
	if (err)
		return udrv_error(-EINVAL, "device tree: node path: %s", fdt_strerror(err));
	dt = malloc(sizeof(*dt) + strlen(path) + 1);
	if (!dt)
		return -ENOMEM;
	*dt = (struct udrv_dt){ .blob = b, .off = off };
	strcpy(dt->path, path);
	atomic_fetch_add(&b->refs, 1);
	*out = dt;
	return 0;
}

static int node_at(struct blob *b, const char *path, struct udrv_dt **out)
{
	int off;

	if (!path || path[0] != '/' || !out)
		return -EINVAL;
	off = fdt_path_offset(b->fdt, path);
	if (off < 0)
		return udrv_error(off == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL,
				  "device tree: no node %s: %s", path, fdt_strerror(off));
	return node_new(b, off, out);
}

int udrv__dt_open_owned(void *fdt, size_t len, const char *what, const char *path,
			struct udrv_dt **out)
{
	struct blob *b;
	int err;

	/*
	 * Versions before 16 name each node by its full path; libfdt 1.6.1's
	 * fdt_check_full() dereferences NULL on one whose root name holds no
	 * '/'. dtc and the kernel write version 17, so older ones are refused.
	 */
	if (len < sizeof(struct fdt_header))
		err = -FDT_ERR_TRUNCATED;
	else if ((err = fdt_check_header(fdt)) == 0)
		err = fdt_version(fdt) < 16 ? -FDT_ERR_BADVERSION : fdt_check_full(fdt, len);
	if (err) {
		free(fdt);
		return udrv_error(-EINVAL, "%s: not a valid device tree blob: %s", what,
				  fdt_strerror(err));
	}
	b = malloc(sizeof(*b));
	if (!b) {
		free(fdt);
		return -ENOMEM;
	}
	*b = (struct blob){ .fdt = fdt };
	atomic_init(&b->refs, 1);
	err = node_at(b, path, out);
	blob_put(b);
	return err;
}

UDRV_API int udrv_dt_open_blob(const void *blob, size_t len, const char *path,
			       struct udrv_dt **out)
{
	void *fdt;

	if (!blob || !path || !out)
		return -EINVAL;
	fdt = malloc(len ? len : 1);
	if (!fdt)
		return -ENOMEM;
	memcpy(fdt, blob, len);
	return udrv__dt_open_owned(fdt, len, "device tree blob", path, out);
}

UDRV_API int udrv_dt_open_node(const struct udrv_dt *dt, const char *path, struct udrv_dt **out)
{
	assert(dt);
	return node_at(dt->blob, path, out);
}

/* The live tree, not the boot blob (/sys/firmware/fdt): it is what the
 * kernel bound the device against (overlays included), what
 * udrv_device_dt_property() reads, and the same for root and others. */
UDRV_API int udrv_device_dt(struct udrv_device *dev, struct udrv_dt **out)
{
	int ret;

	assert(dev);
	if (!out)
		return -EINVAL;
	if (dev->e.source != UDRV_SOURCE_DT)
		return -EOPNOTSUPP;
	if (!dev->dt && (ret = udrv_dt_open_live(dev->e.dt_path, &dev->dt)))
		return ret;
	dev->dt->owned_by_device = true;
	*out = dev->dt;
	return 0;
}

void udrv__dt_teardown(struct udrv_device *dev)
{
	if (dev->dt)
		dev->dt->owned_by_device = false;
	udrv_dt_close(dev->dt);
	dev->dt = NULL;
}

UDRV_API void udrv_dt_close(struct udrv_dt *dt)
{
	if (!dt || dt->owned_by_device)
		return;
	blob_put(dt->blob);
	free(dt);
}

UDRV_API const char *udrv_dt_path(const struct udrv_dt *dt)
{
	assert(dt);
	return dt->path;
}

/* ---- properties ---- */

static int __attribute__((format(printf, 3, 4)))
bad(const struct udrv_dt *dt, const char *prop, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return udrv_error(-EINVAL, "%s: property \"%s\": %s", dt->path, prop, msg);
}

UDRV_API int udrv_dt_property(const struct udrv_dt *dt, const char *prop, const void **val)
{
	const void *v;
	int len;

	assert(dt);
	if (!prop || !prop[0])
		return -EINVAL;
	v = fdt_getprop(dt->blob->fdt, dt->off, prop, &len);
	if (!v && len == -FDT_ERR_NOTFOUND)
		return udrv_error(-ENOENT, "%s: no property \"%s\"", dt->path, prop);
	if (!v)
		return bad(dt, prop, "%s", fdt_strerror(len));
	if (val)
		*val = v;
	return len;
}

UDRV_API int udrv_dt_bool(const struct udrv_dt *dt, const char *prop)
{
	assert(dt);
	if (!prop || !prop[0])
		return -EINVAL;
	return fdt_getprop(dt->blob->fdt, dt->off, prop, NULL) != NULL;
}

/*
 * @prop as values of @width bytes (4 or 8) into @vals, at most @max of
 * them: returns how many it holds or, if @one, 0 when it holds exactly one.
 */
static int values(const struct udrv_dt *dt, const char *prop, void *vals, size_t max,
		  int width, bool one)
{
	const void *v;
	int len, n;

	if (!vals && max)
		return -EINVAL;
	len = udrv_dt_property(dt, prop, &v);
	if (len < 0)
		return len;
	if (one && len != width)
		return bad(dt, prop, "%d bytes, expected %d", len, width);
	if (len % width)
		return bad(dt, prop, "%d bytes, not a multiple of %d", len, width);
	n = len / width;
	for (size_t i = 0; i < max && i < (size_t)n; i++) {
		if (width == 4)
			((uint32_t *)vals)[i] = (uint32_t)udrv__cells(v, i, 1);
		else
			((uint64_t *)vals)[i] = udrv__cells(v, 2 * i, 2);
	}
	return one ? 0 : n;
}

UDRV_API int udrv_dt_u32(const struct udrv_dt *dt, const char *prop, uint32_t *val)
{
	return values(dt, prop, val, 1, 4, true);
}

UDRV_API int udrv_dt_u64(const struct udrv_dt *dt, const char *prop, uint64_t *val)
{
	return values(dt, prop, val, 1, 8, true);
}

UDRV_API int udrv_dt_u32_array(const struct udrv_dt *dt, const char *prop, uint32_t *vals,
			       size_t max)
{
	return values(dt, prop, vals, max, 4, false);
}

UDRV_API int udrv_dt_u64_array(const struct udrv_dt *dt, const char *prop, uint64_t *vals,
			       size_t max)
{
	return values(dt, prop, vals, max, 8, false);
}

/* A string list: non-empty and NUL-terminated (0, or the error logged), so
 * that libfdt's fdt_stringlist_*() below find nothing else wrong in it. */
static int strings(const struct udrv_dt *dt, const char *prop)
{
	const char *s;
	int len = udrv_dt_property(dt, prop, (const void **)&s);

	if (len >= 0 && (len == 0 || s[len - 1] != '\0'))
		return bad(dt, prop, "not a NUL-terminated string (%d bytes)", len);
	return len < 0 ? len : 0;
}

UDRV_API int udrv_dt_string(const struct udrv_dt *dt, const char *prop, unsigned int index,
			    const char **out)
{
	const char *s;
	int ret;

	if (!out)
		return -EINVAL;
	if ((ret = strings(dt, prop)))
		return ret;
	s = fdt_stringlist_get(dt->blob->fdt, dt->off, prop, (int)index, NULL);
	if (!s)
		return udrv_error(-ENOENT, "%s: property \"%s\" has no string %u", dt->path, prop,
				  index);
	*out = s;
	return 0;
}

UDRV_API int udrv_dt_string_count(const struct udrv_dt *dt, const char *prop)
{
	int ret = strings(dt, prop);

	return ret ? ret : fdt_stringlist_count(dt->blob->fdt, dt->off, prop);
}

UDRV_API int udrv_dt_string_index(const struct udrv_dt *dt, const char *prop, const char *str)
{
	int ret;

	if (!str)
		return -EINVAL;
	if ((ret = strings(dt, prop)))
		return ret;
	ret = fdt_stringlist_search(dt->blob->fdt, dt->off, prop, str);
	if (ret < 0)
		return udrv_error(-ENOENT, "%s: \"%s\" is not in property \"%s\"", dt->path, str,
				  prop);
	return ret;
}

UDRV_API int udrv_dt_is_compatible(const struct udrv_dt *dt, const char *compatible)
{
	const char *l;
	int len;

	assert(dt);
	if (!compatible)
		return -EINVAL;
	if (!fdt_node_check_compatible(dt->blob->fdt, dt->off, compatible))
		return 1;
	/* fdt_stringlist_contains() stays within the property's length */
	l = fdt_getprop(dt->blob->fdt, dt->off, UDRV_UIO_PROP_COMPATIBLE, &len);
	return l && fdt_stringlist_contains(l, len, compatible);
}

/* ---- reg, names ---- */

/* The parent's #address-cells or #size-cells (@name, as libfdt's @get reads
 * it, with its default if absent), which udrv reads from @lo to 2. */
static int parent_cells(const struct udrv_dt *dt, int parent, int (*get)(const void *, int),
			const char *name, int lo)
{
	int val = get(dt->blob->fdt, parent);

	if (val < 0)
		return bad(dt, "reg", "parent's %s: %s", name, fdt_strerror(val));
	if (val < lo || val > 2)
		return bad(dt, "reg", "parent's %s is %d (udrv reads %d to 2)", name, val, lo);
	return val;
}

UDRV_API int udrv_dt_reg(const struct udrv_dt *dt, unsigned int index, uint64_t *addr,
			 uint64_t *size)
{
	const void *v;
	int parent, ac, sc, len, n;

	assert(dt);
	parent = fdt_parent_offset(dt->blob->fdt, dt->off);
	if (parent < 0)
		return bad(dt, "reg", "the root node has no parent for #address-cells");
	if ((ac = parent_cells(dt, parent, fdt_address_cells, "#address-cells", 1)) < 0)
		return ac;
	if ((sc = parent_cells(dt, parent, fdt_size_cells, "#size-cells", 0)) < 0)
		return sc;
	len = udrv_dt_property(dt, "reg", &v);
	if (len < 0)
		return len;
	if (len == 0 || len % (4 * (ac + sc)))
		return bad(dt, "reg", "%d bytes, not a multiple of %d (#address-cells %d + "
			   "#size-cells %d)", len, 4 * (ac + sc), ac, sc);
	n = len / (4 * (ac + sc));
	if (index >= (unsigned int)n)
		return udrv_error(-ENOENT, "%s: \"reg\" has %d entries, no %u", dt->path, n, index);
	if (addr)
		*addr = udrv__cells(v, index * (ac + sc), ac);
	if (size)
		*size = udrv__cells(v, index * (ac + sc) + ac, sc);
	return n;
}

UDRV_API int udrv_dt_reg_by_name(const struct udrv_dt *dt, const char *name, uint64_t *addr,
				 uint64_t *size)
{
	int i = udrv_dt_string_index(dt, "reg-names", name);

	return i < 0 ? i : udrv_dt_reg(dt, (unsigned int)i, addr, size);
}

UDRV_API int udrv_dt_irq_index(const struct udrv_dt *dt, const char *name)
{
	return udrv_dt_string_index(dt, "interrupt-names", name);
}

/* ---- phandles, clocks ---- */

UDRV_API int udrv_dt_phandle_args(const struct udrv_dt *dt, const char *prop,
				  const char *cells_name, unsigned int index,
				  struct udrv_dt **target, uint32_t *args, unsigned int max_args)
{
	const void *fdt, *v, *c;
	unsigned int entry;
	int len, clen, n, ret, i = 0;

	assert(dt);
	fdt = dt->blob->fdt;
	if (!args && max_args)
		return -EINVAL;
	len = udrv_dt_property(dt, prop, &v);
	if (len < 0)
		return len;
	if (len % 4)
		return bad(dt, prop, "%d bytes, not a multiple of 4", len);
	n = len / 4;
	for (entry = 0; i < n; entry++) {
		uint32_t ph = (uint32_t)udrv__cells(v, i++, 1), nargs = 0;
		int off = -1;

		if (ph && (off = fdt_node_offset_by_phandle(fdt, ph)) < 0)
			return bad(dt, prop, "entry %u: phandle 0x%x names no node", entry, ph);
		if (ph && cells_name) {
			c = fdt_getprop(fdt, off, cells_name, &clen);
			if (!c || clen != 4 || (nargs = (uint32_t)udrv__cells(c, 0, 1)) > 16)
				return bad(dt, prop, "entry %u: its target (phandle 0x%x) has "
					   "%s %s", entry, ph, c ? "a malformed" : "no",
					   cells_name);
		}
		if ((uint32_t)(n - i) < nargs)
			return bad(dt, prop, "entry %u: %u argument cells expected, %d left", entry,
				   nargs, n - i);
		if (entry != index) {
			i += (int)nargs;
			continue;
		}
		if (!ph)
			return udrv_error(-ENOENT, "%s: property \"%s\": entry %u is empty",
					  dt->path, prop, index);
		if (nargs > max_args)
			return bad(dt, prop, "entry %u: %u arguments, at most %u read", index,
				   nargs, max_args);
		for (uint32_t a = 0; a < nargs; a++)
			args[a] = (uint32_t)udrv__cells(v, (size_t)i + a, 1);
		ret = target ? node_new(dt->blob, off, target) : 0;
		return ret ? ret : (int)nargs;
	}
	return udrv_error(-ENOENT, "%s: property \"%s\" has %u entries, no %u", dt->path, prop,
			  entry, index);
}

static int frequency(const struct udrv_dt *dt, uint64_t *hz)
{
	const void *v;
	int len = udrv_dt_property(dt, "clock-frequency", &v);

	if (len < 0)
		return len;
	if (len != 4 && len != 8)
		return bad(dt, "clock-frequency", "%d bytes, expected 4 or 8", len);
	*hz = udrv__cells(v, 0, (unsigned int)len / 4);
	return 0;
}

UDRV_API int udrv_device_clock_frequency(struct udrv_device *dev, unsigned int index,
					 uint64_t *hz)
{
	struct udrv_dt *dt;
	int ret;

	assert(dev);
	ret = udrv_device_dt(dev, &dt);
	return ret ? ret : udrv_dt_clock_frequency(dt, index, hz);
}

UDRV_API int udrv_dt_clock_frequency(const struct udrv_dt *dt, unsigned int index, uint64_t *hz)
{
	struct udrv_dt *clk = NULL;
	uint32_t args[16];
	int len, ret;

	assert(dt);
	if (!hz)
		return -EINVAL;
	if (!fdt_getprop(dt->blob->fdt, dt->off, "clocks", &len) || len == 0) {
		if (index)
			return udrv_error(-ENOENT, "%s: no \"clocks\", no clock %u", dt->path,
					  index);
		return frequency(dt, hz);
	}
	ret = udrv_dt_phandle_args(dt, "clocks", "#clock-cells", index, &clk, args, 16);
	if (ret < 0)
		return ret;
	if (udrv_dt_bool(clk, "clock-frequency") != 1)
		ret = udrv_error(-ENOENT, "%s: clock %u is %s, which has no \"clock-frequency\" "
				 "(not a fixed clock)", dt->path, index, clk->path);
	else
		ret = frequency(clk, hz);
	udrv_dt_close(clk);
	return ret;
}

UDRV_API const void *udrv_dt_fdt(const struct udrv_dt *dt, int *offset)
{
	assert(dt);
	if (offset)
		*offset = dt->off;
	return dt->blob->fdt;
}
