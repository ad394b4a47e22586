/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dt - libudrv's device-tree readers and GPIO phandle resolution over
 * arbitrary blobs.
 *
 * Each input is a candidate .dtb. udrv_dt_open_blob() must refuse what is
 * not a valid blob; for one that is, every node (up to 64) is opened and
 * every property it has is read with each helper (cells, strings, reg,
 * phandle lists, clocks, "-gpios" lookups). The GPIO lookup runs against a
 * fake sysfs (UDRV_ROOT) holding one chip, gpiochip0, whose of_node is
 * /gpio@9030000, so a blob naming that node resolves all the way.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libfdt.h>

#include "udrv.h"

static char root[64];

static void mk(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char link[512];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/udrv-fuzz-dt-XXXXXX");
	if (!mkdtemp(root))
		abort();
	mk("sys/firmware/devicetree/base/gpio@9030000");
	mk("sys/bus/gpio/devices/gpiochip0");
	snprintf(link, sizeof(link), "%s/sys/bus/gpio/devices/gpiochip0/of_node", root);
	if (symlink("../../../../firmware/devicetree/base/gpio@9030000", link))
		abort();
	setenv("UDRV_ROOT", root, 1);
	return 0;
}

static void props(struct udrv_dt *dt, const char *name)
{
	uint32_t cells[8], args[4];
	uint64_t wide[4], v64, addr, size;
	struct udrv_gpio_desc gd;
	struct udrv_dt *target;
	const char *s;
	const void *raw;
	uint32_t v32;
	char base[64];
	size_t n;

	(void)udrv_dt_property(dt, name, &raw);
	(void)udrv_dt_bool(dt, name);
	(void)udrv_dt_u32(dt, name, &v32);
	(void)udrv_dt_u64(dt, name, &v64);
	(void)udrv_dt_u32_array(dt, name, cells, 8);
	(void)udrv_dt_u64_array(dt, name, wide, 4);
	(void)udrv_dt_string_count(dt, name);
	for (unsigned int i = 0; i < 3; i++)
		(void)udrv_dt_string(dt, name, i, &s);
	(void)udrv_dt_string_index(dt, name, "okay");
	for (unsigned int i = 0; i < 3; i++) {
		if (udrv_dt_phandle_args(dt, name, "#clock-cells", i, &target, args, 4) >= 0)
			udrv_dt_close(target);
		if (udrv_dt_phandle_args(dt, name, NULL, i, NULL, args, 4) >= 0)
			(void)0;
	}
	/* "<base>-gpios" / "<base>-gpio" / "gpios": look the line up. */
	n = strlen(name);
	if (n > 6 && n - 6 < sizeof(base) && !strcmp(name + n - 6, "-gpios")) {
		memcpy(base, name, n - 6);
		base[n - 6] = '\0';
		for (unsigned int i = 0; i < 2; i++)
			(void)udrv_dt_gpio_lookup(dt, base, i, &gd);
	} else if (!strcmp(name, "gpios")) {
		(void)udrv_dt_gpio_lookup(dt, NULL, 0, &gd);
	}
	(void)addr;
	(void)size;
}

static void node(struct udrv_dt *dt, const void *fdt, int off)
{
	uint64_t addr, size, hz;
	int p;

	(void)udrv_dt_path(dt);
	(void)udrv_dt_is_compatible(dt, "arm,pl061");
	for (unsigned int i = 0; i < 3; i++) {
		(void)udrv_dt_reg(dt, i, &addr, &size);
		(void)udrv_dt_clock_frequency(dt, i, &hz);
	}
	(void)udrv_dt_reg_by_name(dt, "ctrl", &addr, &size);
	(void)udrv_dt_irq_index(dt, "tx");
	fdt_for_each_property_offset(p, fdt, off) {
		const char *name;

		if (!fdt_getprop_by_offset(fdt, p, &name, NULL) || !name)
			break;
		props(dt, name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udrv_dt *top, *dt;
	char path[256];
	int off, depth = 0, count = 0;

	if (udrv_dt_open_blob(data, size, "/", &top))
		return 0;
	/* The blob passed the library's full check: walk it with libfdt. */
	for (off = fdt_next_node(data, -1, &depth); off >= 0 && count < 64;
	     off = fdt_next_node(data, off, &depth), count++) {
		if (fdt_get_path(data, off, path, sizeof(path)))
			continue;
		if (udrv_dt_open_node(top, path, &dt))
			continue;
		node(dt, data, off);
		udrv_dt_close(dt);
	}
	udrv_dt_close(top);
	return 0;
}
