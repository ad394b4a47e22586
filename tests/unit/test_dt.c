/* SPDX-License-Identifier: MIT */
/*
 * Device tree: the readers on a good tree (dt/good.dts), every malformed
 * property of dt/bad.dts, truncated and corrupted blobs (each a clear error,
 * never a crash or a read past the blob: run under ASan/UBSan too), a
 * device's node from /sys/firmware/fdt and GPIO lookups against a fake
 * sysfs. Arguments: good.dtb bad.dtb truncated.dtb.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>

#include "fake.h"
#include "udrv.h"

static const char *good_dtb, *bad_dtb, *trunc_dtb;

/*
 * Guard mode. libfdt is not built with ASan, so its reads are not checked:
 * while `guard` is set, the library's malloc() (wrapped for this test,
 * -Wl,--wrap=malloc,--wrap=free) puts each block of 64 bytes or more right
 * before an inaccessible page, so that reading past a blob copy faults.
 * (libfdt wants an 8-byte aligned blob: a length that is not a multiple of
 * 8 leaves that many bytes of slack.)
 */
static bool guard;
static struct { char *map, *p; size_t len; } guarded[8];
void *__real_malloc(size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n)
{
	size_t ps = (size_t)getpagesize(), span = (n + 7) & ~(size_t)7;
	size_t len = (span + ps - 1) / ps * ps + ps;
	char *m;

	if (!guard || n < 64)
		return __real_malloc(n);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + len - ps, ps, PROT_NONE), 0);
	for (size_t i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		if (!guarded[i].map) {
			guarded[i].map = m;
			guarded[i].len = len;
			return guarded[i].p = m + len - ps - span;
		}
	}
	fail_msg("guard: too many blocks");
	return NULL;
}

void __wrap_free(void *p)
{
	for (size_t i = 0; p && i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		if (guarded[i].p == p) {
			munmap(guarded[i].map, guarded[i].len);
			guarded[i].map = guarded[i].p = NULL;
			return;
		}
	}
	__real_free(p);
}
static unsigned char blob[4096];
static size_t blob_len;

/* The last error must name both the node and the property. */
#define assert_names(node, prop)                                                   \
	do {                                                                       \
		assert_non_null(strstr(udrv_last_error(), node));                  \
		assert_non_null(strstr(udrv_last_error(), "\"" prop "\""));        \
	} while (0)

static struct udrv_dt *open_good(const char *path)
{
	struct udrv_dt *dt = NULL;

	assert_int_equal(udrv_dt_open_file(good_dtb, path, &dt), 0);
	assert_non_null(dt);
	return dt;
}

static struct udrv_dt *open_bad(const char *path)
{
	struct udrv_dt *dt = NULL;

	assert_int_equal(udrv_dt_open_file(bad_dtb, path, &dt), 0);
	return dt;
}

static void test_scalars_and_strings(void **state)
{
	struct udrv_dt *dt = open_good("/soc/dev@1000");
	uint32_t u32 = 0, cells[4] = { 0 };
	uint64_t u64 = 0, quads[2] = { 0 };
	const char *s = NULL;
	const void *raw;

	(void)state;
	assert_string_equal(udrv_dt_path(dt), "/soc/dev@1000");
	assert_int_equal(udrv_dt_u32(dt, "u32-prop", &u32), 0);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(udrv_dt_u64(dt, "u64-prop", &u64), 0);
	assert_true(u64 == 0x123456789abcdef0ull);
	assert_int_equal(udrv_dt_u32_array(dt, "cells", cells, 4), 3);
	assert_int_equal(cells[0], 1);
	assert_int_equal(cells[2], 3);
	assert_int_equal(cells[3], 0);
	assert_int_equal(udrv_dt_u32_array(dt, "cells", cells, 1), 3);
	assert_int_equal(udrv_dt_u32_array(dt, "cells", NULL, 0), 3);
	assert_int_equal(udrv_dt_u64_array(dt, "quads", quads, 2), 2);
	assert_true(quads[1] == 0xffffffff00000002ull);
	assert_int_equal(udrv_dt_u64_array(dt, "cells", quads, 2), -EINVAL);

	assert_int_equal(udrv_dt_string(dt, "str", 0, &s), 0);
	assert_string_equal(s, "hello");
	assert_int_equal(udrv_dt_string(dt, "str", 1, &s), -ENOENT);
	assert_int_equal(udrv_dt_string_count(dt, "strs"), 3);
	assert_int_equal(udrv_dt_string(dt, "strs", 2, &s), 0);
	assert_string_equal(s, "ccc");
	assert_int_equal(udrv_dt_string_index(dt, "strs", "bb"), 1);
	assert_int_equal(udrv_dt_string_index(dt, "strs", "b"), -ENOENT);
	assert_int_equal(udrv_dt_string(dt, "empty-str", 0, &s), 0);
	assert_string_equal(s, "");

	assert_int_equal(udrv_dt_bool(dt, "flag"), 1);
	assert_int_equal(udrv_dt_bool(dt, "u32-prop"), 1);
	assert_int_equal(udrv_dt_bool(dt, "nosuch"), 0);
	assert_int_equal(udrv_dt_property(dt, "cells", &raw), 12);
	assert_int_equal(udrv_dt_property(dt, "flag", NULL), 0);

	/* absent properties: -ENOENT, named */
	assert_int_equal(udrv_dt_u32(dt, "nosuch", &u32), -ENOENT);
	assert_names("/soc/dev@1000", "nosuch");
	assert_int_equal(udrv_dt_string(dt, "nosuch", 0, &s), -ENOENT);
	assert_int_equal(udrv_dt_u32_array(dt, "nosuch", cells, 4), -ENOENT);

	/* wrong sizes on good properties */
	assert_int_equal(udrv_dt_u32(dt, "u64-prop", &u32), -EINVAL);
	assert_names("/soc/dev@1000", "u64-prop");
	assert_int_equal(udrv_dt_u64(dt, "u32-prop", &u64), -EINVAL);
	assert_int_equal(udrv_dt_string(dt, "flag", 0, &s), -EINVAL);
	assert_names("/soc/dev@1000", "flag");

	/* bad arguments */
	assert_int_equal(udrv_dt_u32(dt, NULL, &u32), -EINVAL);
	assert_int_equal(udrv_dt_u32(dt, "", &u32), -EINVAL);
	assert_int_equal(udrv_dt_u32(dt, "u32-prop", NULL), -EINVAL);
	assert_int_equal(udrv_dt_u32_array(dt, "cells", NULL, 2), -EINVAL);
	assert_int_equal(udrv_dt_string(dt, "str", 0, NULL), -EINVAL);
	assert_int_equal(udrv_dt_string_index(dt, "strs", NULL), -EINVAL);
	assert_int_equal(udrv_dt_bool(dt, NULL), -EINVAL);
	udrv_dt_close(dt);
}

static void test_compatible(void **state)
{
	struct udrv_dt *dt = open_good("/soc/dev@1000"), *gpio = open_good("/gpio@9030000");

	(void)state;
	assert_int_equal(udrv_dt_is_compatible(dt, "udrv,uio"), 1);
	assert_int_equal(udrv_dt_is_compatible(dt, "acme,widget"), 1);
	assert_int_equal(udrv_dt_is_compatible(dt, "acme,widget-v2"), 1);
	assert_int_equal(udrv_dt_is_compatible(dt, "acme,widge"), 0);
	assert_int_equal(udrv_dt_is_compatible(dt, NULL), -EINVAL);
	assert_int_equal(udrv_dt_is_compatible(gpio, "arm,primecell"), 1);
	assert_int_equal(udrv_dt_is_compatible(gpio, "udrv,uio"), 0);
	udrv_dt_close(dt);
	udrv_dt_close(gpio);
}

static void test_reg_and_names(void **state)
{
	struct udrv_dt *dt = open_good("/soc/dev@1000"), *g = open_good("/gpio@9030000");
	struct udrv_dt *leaf = open_good("/bus-nosize/leaf@5");
	uint64_t a = 0, sz = 0;

	(void)state;
	/* parent /soc: 1 address cell, 1 size cell */
	assert_int_equal(udrv_dt_reg(dt, 0, &a, &sz), 2);
	assert_true(a == 0x1000 && sz == 0x100);
	assert_int_equal(udrv_dt_reg(dt, 1, &a, NULL), 2);
	assert_true(a == 0x2000);
	assert_int_equal(udrv_dt_reg(dt, 2, &a, &sz), -ENOENT);
	assert_int_equal(udrv_dt_reg_by_name(dt, "fifo", &a, &sz), 2);
	assert_true(a == 0x2000 && sz == 0x40);
	assert_int_equal(udrv_dt_reg_by_name(dt, "nope", &a, &sz), -ENOENT);
	assert_int_equal(udrv_dt_irq_index(dt, "tx"), 1);
	assert_int_equal(udrv_dt_irq_index(dt, "rx"), 0);
	assert_int_equal(udrv_dt_irq_index(dt, "err"), -ENOENT);
	/* parent /: 2 and 2 */
	assert_int_equal(udrv_dt_reg(g, 0, &a, &sz), 1);
	assert_true(a == 0x9030000 && sz == 0x1000);
	/* #size-cells 0 */
	sz = 99;
	assert_int_equal(udrv_dt_reg(leaf, 0, &a, &sz), 1);
	assert_true(a == 0x100000005ull && sz == 0);
	/* the root has no reg, nor a parent */
	udrv_dt_close(leaf);
	assert_int_equal(udrv_dt_open_node(dt, "/", &leaf), 0);
	assert_string_equal(udrv_dt_path(leaf), "/");
	assert_int_equal(udrv_dt_reg(leaf, 0, &a, &sz), -EINVAL);
	udrv_dt_close(leaf);
	assert_int_equal(udrv_dt_open_node(dt, "/soc/nosuch", &leaf), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "/soc/nosuch"));
	assert_int_equal(udrv_dt_open_node(dt, "soc", &leaf), -EINVAL);
	udrv_dt_close(dt);
	udrv_dt_close(g);
}

static void test_clocks(void **state)
{
	struct udrv_dt *dt = open_good("/soc/dev@1000"), *own = open_good("/soc/own-freq@3000");
	struct udrv_dt *none = open_good("/soc/no-clock@4000"), *clk = NULL;
	uint32_t args[4];
	uint64_t hz = 0;

	(void)state;
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &hz), 0);
	assert_true(hz == 100000000);
	assert_int_equal(udrv_dt_clock_frequency(dt, 2, &hz), 0);
	assert_true(hz == 5000000000ull);
	/* a firmware clock: no rate to give */
	assert_int_equal(udrv_dt_clock_frequency(dt, 1, &hz), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "/firmware-clocks"));
	assert_int_equal(udrv_dt_clock_frequency(dt, 3, &hz), -ENOENT);
	assert_int_equal(udrv_dt_clock_frequency(own, 0, &hz), 0);
	assert_true(hz == 50000000);
	assert_int_equal(udrv_dt_clock_frequency(own, 1, &hz), -ENOENT);
	assert_int_equal(udrv_dt_clock_frequency(none, 0, &hz), -ENOENT);
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, NULL), -EINVAL);

	assert_int_equal(udrv_dt_phandle_args(dt, "clocks", "#clock-cells", 1, &clk, args, 4), 1);
	assert_int_equal(args[0], 7);
	assert_string_equal(udrv_dt_path(clk), "/firmware-clocks");
	udrv_dt_close(clk);
	assert_int_equal(udrv_dt_phandle_args(dt, "clocks", "#clock-cells", 1, NULL, args, 0),
			 -EINVAL);
	assert_int_equal(udrv_dt_phandle_args(dt, "clocks", "#clock-cells", 2, NULL, NULL, 0), 0);
	/* an empty entry */
	assert_int_equal(udrv_dt_phandle_args(dt, "button-gpios", "#gpio-cells", 1, NULL, args,
					      4), -ENOENT);
	assert_int_equal(udrv_dt_phandle_args(dt, "button-gpios", "#gpio-cells", 2, NULL, args,
					      4), 2);
	assert_int_equal(args[0], 5);
	assert_int_equal(args[1], 1);
	udrv_dt_close(dt);
	udrv_dt_close(own);
	udrv_dt_close(none);
}

/* Every malformed property of bad.dts: a clear error, named. */
static void test_malformed_properties(void **state)
{
	struct udrv_dt *dt;
	struct udrv_gpio_desc d;
	uint32_t u32, cells[4];
	uint64_t u64, a, sz;
	const char *s;

	(void)state;
	dt = open_bad("/wide/child@0");
	assert_int_equal(udrv_dt_reg(dt, 0, &a, &sz), -EINVAL);
	assert_names("/wide/child@0", "reg");
	assert_non_null(strstr(udrv_last_error(), "#address-cells"));
	udrv_dt_close(dt);
	dt = open_bad("/malformed-cells/child");
	assert_int_equal(udrv_dt_reg(dt, 0, &a, &sz), -EINVAL);
	assert_names("/malformed-cells/child", "reg");
	udrv_dt_close(dt);
	dt = open_bad("/short-reg@0");
	assert_int_equal(udrv_dt_reg(dt, 0, &a, &sz), -EINVAL);
	assert_names("/short-reg@0", "reg");
	udrv_dt_close(dt);
	dt = open_bad("/empty-reg");
	assert_int_equal(udrv_dt_reg(dt, 0, &a, &sz), -EINVAL);
	udrv_dt_close(dt);

	dt = open_bad("/props");
	assert_int_equal(udrv_dt_u32(dt, "u32-short", &u32), -EINVAL);
	assert_names("/props", "u32-short");
	assert_int_equal(udrv_dt_u32(dt, "u32-long", &u32), -EINVAL);
	assert_int_equal(udrv_dt_u64(dt, "u64-short", &u64), -EINVAL);
	assert_names("/props", "u64-short");
	assert_int_equal(udrv_dt_u32_array(dt, "cells-odd", cells, 4), -EINVAL);
	assert_names("/props", "cells-odd");
	assert_int_equal(udrv_dt_string(dt, "no-nul", 0, &s), -EINVAL);
	assert_names("/props", "no-nul");
	assert_int_equal(udrv_dt_string_count(dt, "no-nul"), -EINVAL);
	assert_int_equal(udrv_dt_string_index(dt, "no-nul", "abc"), -EINVAL);
	assert_int_equal(udrv_dt_is_compatible(dt, "abc"), 0);
	assert_int_equal(udrv_dt_bool(dt, "flag-with-value"), 1);
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &u64), -EINVAL);
	assert_names("/clock-bad-frequency", "clock-frequency");
	udrv_dt_close(dt);

	dt = open_bad("/dangling");
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &u64), -EINVAL);
	assert_names("/dangling", "clocks");
	assert_non_null(strstr(udrv_last_error(), "0xdead"));
	assert_int_equal(udrv_dt_gpio_lookup(dt, "foo", 0, &d), -EINVAL);
	assert_names("/dangling", "foo-gpios");
	udrv_dt_close(dt);
	dt = open_bad("/no-cells");
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &u64), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "#clock-cells"));
	udrv_dt_close(dt);
	dt = open_bad("/cut-short");
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &u64), -EINVAL);
	assert_names("/cut-short", "clocks");
	assert_int_equal(udrv_dt_gpio_lookup(dt, "foo", 0, &d), -EINVAL);
	udrv_dt_close(dt);
	dt = open_bad("/too-many");
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &u64), -EINVAL);
	assert_names("/too-many", "clocks");
	udrv_dt_close(dt);
	dt = open_bad("/not-gpio");
	assert_int_equal(udrv_dt_gpio_lookup(dt, "foo", 0, &d), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "gpio-controller"));
	assert_int_equal(udrv_dt_gpio_lookup(dt, "bar", 0, &d), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "#gpio-cells"));
	assert_int_equal(udrv_dt_gpio_lookup(dt, "baz", 0, &d), -ENOENT);
	assert_names("/not-gpio", "baz-gpios");
	udrv_dt_close(dt);
	dt = open_bad("/odd-list");
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &u64), -EINVAL);
	assert_names("/odd-list", "clocks");
	udrv_dt_close(dt);
}

/* Exercise every reader on a node; the results do not matter, only that
 * nothing crashes or reads outside the blob. */
static void read_everything(struct udrv_dt *dt)
{
	static const char *const props[] = { "reg", "u32-prop", "u64-prop", "cells", "str",
					     "strs", "clocks", "button-gpios", "compatible" };
	struct udrv_gpio_desc d;
	uint32_t cells[8];
	uint64_t v, a, sz;
	const char *s;

	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		udrv_dt_u32(dt, props[i], cells);
		udrv_dt_u64(dt, props[i], &v);
		udrv_dt_u32_array(dt, props[i], cells, 8);
		udrv_dt_u64_array(dt, props[i], &v, 1);
		for (unsigned int j = 0; j < 4; j++)
			udrv_dt_string(dt, props[i], j, &s);
		udrv_dt_string_count(dt, props[i]);
		udrv_dt_string_index(dt, props[i], "bb");
		for (unsigned int j = 0; j < 4; j++)
			udrv_dt_phandle_args(dt, props[i], "#clock-cells", j, NULL, cells, 8);
	}
	for (unsigned int j = 0; j < 4; j++) {
		udrv_dt_reg(dt, j, &a, &sz);
		udrv_dt_clock_frequency(dt, j, &v);
		udrv_dt_gpio_lookup(dt, "button", j, &d);
	}
	udrv_dt_reg_by_name(dt, "fifo", &a, &sz);
	udrv_dt_is_compatible(dt, "acme,widget");
}

static void test_truncated(void **state)
{
	struct udrv_dt *dt = (struct udrv_dt *)1;

	(void)state;
	/* the truncated file built by meson */
	assert_int_equal(udrv_dt_open_file(trunc_dtb, "/", &dt), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), trunc_dtb));
	assert_non_null(strstr(udrv_last_error(), "TRUNCATED"));
	assert_ptr_equal(dt, (struct udrv_dt *)1);
	/* and every shorter prefix of the good blob, against a guard page */
	guard = true;
	for (size_t len = 0; len < blob_len; len++)
		assert_int_equal(udrv_dt_open_blob(blob, len, "/", &dt), -EINVAL);
	assert_int_equal(udrv_dt_open_blob(blob, blob_len, "/", &dt), 0);
	read_everything(dt);
	udrv_dt_close(dt);
	guard = false;
	/* not a blob at all */
	assert_int_equal(udrv_dt_open_file("/dev/null", "/", &dt), -EINVAL);
	assert_int_equal(udrv_dt_open_file("/nonexistent.dtb", "/", &dt), -ENOENT);
	assert_int_equal(udrv_dt_open_blob(blob, blob_len, "/nosuch", &dt), -ENOENT);
	assert_int_equal(udrv_dt_open_blob(blob, blob_len, "nosuch", &dt), -EINVAL);
	assert_int_equal(udrv_dt_open_blob(NULL, 4, "/", &dt), -EINVAL);
	assert_int_equal(udrv_dt_open_file(good_dtb, "/", NULL), -EINVAL);
}

/* Corrupt each byte of the good blob in turn (two ways): the blob is either
 * refused or every reader copes. */
static void test_corrupted(void **state)
{
	static unsigned char copy[sizeof(blob)];
	static const unsigned char junk[] = { 0xff, 0x03 };
	unsigned int opened = 0, refused = 0;

	(void)state;
	guard = true;
	for (size_t i = 0; i < blob_len; i++) {
		for (size_t k = 0; k < sizeof(junk); k++) {
			struct udrv_dt *dt = NULL;

			memcpy(copy, blob, blob_len);
			copy[i] ^= junk[k];
			if (udrv_dt_open_blob(copy, blob_len, "/soc/dev@1000", &dt)) {
				refused++;
				continue;
			}
			opened++;
			read_everything(dt);
			udrv_dt_close(dt);
		}
	}
	guard = false;
	assert_true(opened > 0);
	assert_true(refused > 0);
}

/*
 * Header versions: 16 and 17 are read; older ones (nodes named by full path)
 * are refused with FDT_ERR_BADVERSION. Found by fuzz_dt: libfdt 1.6.1's
 * fdt_check_full() itself crashed on version 2..15 with a plain root name.
 */
static void test_old_version(void **state)
{
	static unsigned char copy[sizeof(blob)];

	(void)state;
	for (uint32_t v = 2; v <= 17; v++) {
		struct udrv_dt *dt = NULL;

		memcpy(copy, blob, blob_len);
		fdt_set_version(copy, v);
		fdt_set_last_comp_version(copy, 2);
		if (v >= 16) {
			assert_int_equal(udrv_dt_open_blob(copy, blob_len, "/soc/dev@1000", &dt), 0);
			udrv_dt_close(dt);
			continue;
		}
		assert_int_equal(udrv_dt_open_blob(copy, blob_len, "/soc/dev@1000", &dt), -EINVAL);
		assert_null(dt);
		assert_non_null(strstr(udrv_last_error(), "BADVERSION"));
	}
}

static void test_good_tree_everything(void **state)
{
	struct udrv_dt *dt = open_good("/soc/dev@1000");

	(void)state;
	read_everything(dt);
	udrv_dt_close(dt);
}

/* ---- against the fake sysfs: a device's node, GPIO chips ---- */

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n = in < 0 ? -1 : read(in, buf, sizeof(buf));

	assert_true(in >= 0 && out >= 0 && n > 0);
	assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* Write node @off of the good blob (and its subnodes) as the live tree does:
 * a directory per node, a file per property, under @dir. */
static void blob_to_live(const char *dir, int off)
{
	char p[PATH_MAX];
	int sub, prop;

	assert_true(!mkdir(dir, 0755) || errno == EEXIST);
	fdt_for_each_property_offset(prop, blob, off) {
		const char *name;
		int len, fd;
		const void *val = fdt_getprop_by_offset(blob, prop, &name, &len);

		snprintf(p, sizeof(p), "%s/%s", dir, name);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0 && write(fd, val, (size_t)len) == len);
		close(fd);
	}
	fdt_for_each_subnode(sub, blob, off) {
		snprintf(p, sizeof(p), "%s/%s", dir, fdt_get_name(blob, sub, NULL));
		blob_to_live(p, sub);
	}
}

/* uio7 "widget" is /soc/dev@1000; gpiochip3 is /gpio@9030000. The live tree
 * is the good blob; the boot blob (/sys/firmware/fdt) an outdated tree,
 * which the library must not read (review L11). */
static int dt_setup(void **state)
{
	static const struct fake_map m[] = { { "ctrl", 0x1000, 0x100, 0 } };
	static const char compat[] = "udrv,uio";
	char p[PATH_MAX], t[PATH_MAX];
	const char *root;

	fake_setup(state);
	root = getenv("UDRV_ROOT");
	fake_uio(7, "widget", "devices/platform/1000.dev", m, 1, false, 0);
	fake_dt("devices/platform/1000.dev", "soc/dev@1000", compat, sizeof(compat));
	snprintf(p, sizeof(p), "%s/sys/firmware/devicetree/base", root);
	blob_to_live(p, 0);
	snprintf(p, sizeof(p), "%s/sys/firmware/fdt", root);
	copy_file(bad_dtb, p);
	static const char *const dirs[] = { "sys/devices/platform/9030000.pl061",
		"sys/devices/platform/9030000.pl061/gpiochip3", "sys/bus", "sys/bus/gpio",
		"sys/bus/gpio/devices" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		assert_true(!mkdir(p, 0755) || errno == EEXIST);
	}
	fake_dt("devices/platform/9030000.pl061", "gpio@9030000", "arm,pl061", 10);
	snprintf(t, sizeof(t), "%s/sys/devices/platform/9030000.pl061/gpiochip3", root);
	snprintf(p, sizeof(p), "%s/sys/bus/gpio/devices/gpiochip3", root);
	assert_int_equal(symlink(t, p), 0);
	fake_write("dev/gpiochip3", "");
	return 0;
}

static void test_device_node(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dt *dt = NULL, *again = NULL;
	uint64_t a = 0;
	uint32_t v = 0;

	(void)state;
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_string_equal(udrv_dt_path(dt), "/soc/dev@1000");
	assert_int_equal(udrv_dt_u32(dt, "u32-prop", &v), 0);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(udrv_dt_reg_by_name(dt, "ctrl", &a, NULL), 2);
	assert_true(a == 0x1000);
	assert_int_equal(udrv_device_dt(dev, &again), 0);
	assert_ptr_equal(dt, again);
	udrv_dt_close(dt);	/* owned by the device: ignored */
	assert_int_equal(udrv_dt_u32(dt, "u32-prop", &v), 0);
	assert_int_equal(udrv_device_dt(dev, NULL), -EINVAL);
	assert_int_equal(udrv_device_clock_frequency(dev, 0, &a), 0);
	assert_true(a == 100000000);
	assert_int_equal(udrv_device_clock_frequency(dev, 1, &a), -ENOENT);
	assert_int_equal(udrv_device_clock_frequency(dev, 0, NULL), -EINVAL);
	udrv_device_close(dev);

	/* another device's node, in the same (live) tree */
	assert_int_equal(udrv_device_open("rtc", &dev), 0);
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_int_equal(udrv_dt_is_compatible(dt, "arm,primecell"), 1);
	udrv_device_close(dev);
	/* not a DT device */
	assert_int_equal(udrv_device_open("edu", &dev), 0);
	assert_int_equal(udrv_device_dt(dev, &dt), -EOPNOTSUPP);
	assert_int_equal(udrv_device_clock_frequency(dev, 0, &a), -EOPNOTSUPP);
	udrv_device_close(dev);
}

/*
 * One source of truth (review L11): udrv_device_dt() reads the live tree,
 * what the kernel bound against and what udrv_device_dt_property() reads,
 * also for root, who can read the boot blob: a property an overlay added
 * at run time is there, whoever asks.
 */
static void test_device_node_is_live(void **state)
{
	static const uint8_t v7[] = { 0, 0, 0, 7 };
	struct udrv_device *dev = NULL;
	struct udrv_dt *dt = NULL;
	char p[PATH_MAX];
	uint32_t v = 0, raw = 0;

	(void)state;
	snprintf(p, sizeof(p), "%s/sys/firmware/fdt", getenv("UDRV_ROOT"));
	copy_file(good_dtb, p);		/* readable: the old code read it */
	fake_dt_prop("soc/dev@1000", "overlay-prop", v7, 4);
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_dt_property(dev, "overlay-prop", &raw, 4), 4);
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_int_equal(udrv_dt_u32(dt, "overlay-prop", &v), 0);
	assert_int_equal(v, 7);
	udrv_device_close(dev);
}

/* The live tree (sysfs) made into a blob: without /sys/firmware/fdt (or
 * without the right to read it) a device's node comes from there. */
static void test_live_tree(void **state)
{
	static const uint8_t u32[] = { 0xde, 0xad, 0xbe, 0xef }, cells2[] = { 0, 0, 0, 2 };
	static const uint8_t ph[] = { 0, 0, 0, 0x55 },
			     button[] = { 0, 0, 0, 0x55, 0, 0, 0, 3, 0, 0, 0, 1 };
	struct udrv_device *dev = NULL;
	struct udrv_dt *dt = NULL, *live = NULL;
	struct udrv_gpio_desc d;
	uint32_t v = 0;

	(void)state;
	fake_dt_prop("soc/dev@1000", "u32-prop", u32, 4);
	fake_dt_prop("soc/dev@1000", "button-gpios", button, sizeof(button));
	fake_dt_prop("gpio@9030000", "phandle", ph, 4);
	fake_dt_prop("gpio@9030000", "#gpio-cells", cells2, 4);
	fake_dt_prop("gpio@9030000", "gpio-controller", "", 0);
	fake_unlink("sys/firmware/fdt");

	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_string_equal(udrv_dt_path(dt), "/soc/dev@1000");
	assert_int_equal(udrv_dt_u32(dt, "u32-prop", &v), 0);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(udrv_dt_is_compatible(dt, "udrv,uio"), 1);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 0, &d), 0);
	assert_string_equal(d.chip, "gpiochip3");
	assert_int_equal(d.offset, 3);
	assert_int_equal(d.dt_flags, UDRV_GPIO_DT_ACTIVE_LOW);
	udrv_device_close(dev);

	assert_int_equal(udrv_dt_open_live("/pl031@9010000", &live), 0);
	assert_int_equal(udrv_dt_is_compatible(live, "arm,primecell"), 1);
	udrv_dt_close(live);
	assert_int_equal(udrv_dt_open_live("/soc/nosuch", &live), -ENOENT);
	assert_int_equal(udrv_dt_open_live("soc", &live), -EINVAL);
	setenv("UDRV_ROOT", "/nonexistent-udrv-root", 1);
	assert_int_equal(udrv_dt_open_live("/", &live), -ENOENT);
}

static void test_gpio_lookup(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_gpio *g = (struct udrv_gpio *)1;
	struct udrv_gpio_desc d;
	struct udrv_dt *dt;

	(void)state;
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 0, &d), 0);
	assert_string_equal(d.chip, "gpiochip3");
	assert_string_equal(d.controller, "/gpio@9030000");
	assert_int_equal(d.offset, 3);
	assert_int_equal(d.dt_flags, 0);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 2, &d), 0);
	assert_int_equal(d.offset, 5);
	assert_int_equal(d.dt_flags, UDRV_GPIO_DT_ACTIVE_LOW);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 1, &d), -ENOENT);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 3, &d), -ENOENT);
	/* "gpios" (no name) */
	assert_int_equal(udrv_dt_gpio_lookup(dt, NULL, 0, &d), 0);
	assert_int_equal(d.offset, 7);
	assert_int_equal(d.dt_flags, 0x16);
	/* legacy "-gpio"; a controller with no chip in sysfs */
	assert_int_equal(udrv_dt_gpio_lookup(dt, "reset", 0, &d), -ENODEV);
	assert_non_null(strstr(udrv_last_error(), "/gpio-one-cell"));
	assert_int_equal(udrv_dt_gpio_lookup(dt, "", 0, &d), -EINVAL);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 0, NULL), -EINVAL);

	/* /dev/gpiochip3 is a plain file here: libgpiod refuses it, cleanly */
	assert_true(udrv_device_gpio_open(dev, "button", 0, NULL, &g) < 0);
	assert_non_null(strstr(udrv_last_error(), "gpiochip3"));
	assert_ptr_equal(g, (struct udrv_gpio *)1);
	assert_int_equal(udrv_device_gpio_open(dev, "button", 0,
					       &(struct udrv_gpio_config){ .mode = 7 }, &g),
			 -EINVAL);
	assert_int_equal(udrv_device_gpio_open(dev, "button", 0,
					       &(struct udrv_gpio_config){
						       .mode = UDRV_GPIO_EVENTS },
					       &g), -EINVAL);
	assert_int_equal(udrv_device_gpio_open(dev, "nope", 0, NULL, &g), -ENOENT);
	assert_int_equal(udrv_device_gpio_open(dev, "button", 0, NULL, NULL), -EINVAL);
	udrv_device_close(dev);

	/* the loop refuses what is not a line */
	struct udrv_loop *loop = NULL;

	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_loop_add_gpio(loop, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(udrv_loop_remove_gpio(loop, NULL), -ENOENT);
	udrv_loop_free(loop);

	/* no GPIO bus at all */
	fake_unlink("sys/bus/gpio/devices/gpiochip3");
	fake_rmdir("sys/bus/gpio/devices");
	assert_int_equal(udrv_dt_open_file(good_dtb, "/soc/dev@1000", &dt), 0);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "button", 0, &d), -ENODEV);
	udrv_dt_close(dt);
}

/*
 * Nodes of one tree used from several threads, each its own (review L10):
 * they share the blob's reference count, which must not lose updates (a
 * lost increment frees the blob under a live node: use after free; a lost
 * decrement leaks it), as ASan and valgrind would report.
 */
static void *node_churn(void *arg)
{
	const struct udrv_dt *root = arg;

	for (int i = 0; i < 20000; i++) {
		struct udrv_dt *n = NULL;
		uint32_t v = 0;

		if (udrv_dt_open_node(root, "/soc/dev@1000", &n) ||
		    udrv_dt_u32(n, "u32-prop", &v) || v != 0xdeadbeef)
			return (void *)1;
		udrv_dt_close(n);
	}
	return NULL;
}

static void test_nodes_across_threads(void **state)
{
	struct udrv_dt *root = open_good("/");
	pthread_t t[4];
	void *r;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, node_churn, root), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
	udrv_dt_close(root);
}

#define T(f) cmocka_unit_test(f)
#define TF(f) cmocka_unit_test_setup_teardown(f, dt_setup, fake_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_scalars_and_strings),
		T(test_compatible),
		T(test_reg_and_names),
		T(test_clocks),
		T(test_malformed_properties),
		T(test_truncated),
		T(test_corrupted),
		T(test_old_version),
		T(test_good_tree_everything),
		T(test_nodes_across_threads),
		TF(test_device_node),
		TF(test_device_node_is_live),
		TF(test_live_tree),
		TF(test_gpio_lookup),
	};
	FILE *f;

	if (argc != 4 && !(argc == 6 && !strcmp(argv[4], "--only"))) {
		fprintf(stderr, "usage: %s good.dtb bad.dtb truncated.dtb [--only TEST]\n",
			argv[0]);
		return 2;
	}
	/* meson runs the slow byte-corruption test as a test of its own, beside the rest */
	if (argc == 6)
		cmocka_set_test_filter(argv[5]);
	else
		cmocka_set_skip_filter("test_corrupted");
	good_dtb = argv[1];
	bad_dtb = argv[2];
	trunc_dtb = argv[3];
	f = fopen(good_dtb, "rb");
	if (!f)
		return 2;
	blob_len = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
