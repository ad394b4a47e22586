// SPDX-License-Identifier: MIT
/*
 * Guest smoke suite for the QEMU harness itself: the guest is the board we
 * asked for, the UIO core is loaded, our overlay is in the live device tree,
 * and a host action asked for on the console reaches the emulated hardware.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gpiod_compat.h"

#define LIVE_DT "/sys/firmware/devicetree/base"

static const char *board(void)
{
	const char *b = getenv("UDRV_BOARD");

	return b ? b : "";
}

/* Read a whole file; returns its length or -errno. */
static ssize_t slurp(const char *path, void *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)total < size && (n = read(fd, (char *)buf + total, size - total)) > 0)
		total += n;
	close(fd);
	return total;
}

static void test_machine_matches_board(void **state)
{
	struct utsname u;

	const char *name = getenv("UDRV_BOARD_NAME");

	(void)state;
	assert_int_equal(uname(&u), 0);
	assert_string_equal(u.machine, name && strcmp(name, "virt32") == 0 ? "armv7l" : "aarch64");
}

static void test_device_tree_names_the_board(void **state)
{
	char buf[512];
	ssize_t n;

	(void)state;
	n = slurp(LIVE_DT "/compatible", buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = 0;
	if (strncmp(board(), "virt", 4) == 0) {
		assert_string_equal(buf, "linux,dummy-virt");
	} else if (strcmp(board(), "zcu102") == 0) {
		n = slurp(LIVE_DT "/model", buf, sizeof(buf) - 1);
		assert_true(n > 0);
		buf[n] = 0;
		assert_non_null(strstr(buf, "ZCU102"));
	} else if (strcmp(board(), "rpi3") == 0) {
		n = slurp(LIVE_DT "/model", buf, sizeof(buf) - 1);
		assert_true(n > 0);
		buf[n] = 0;
		assert_string_equal(buf, "Raspberry Pi 3 Model B");
	} else {
		fail_msg("unknown board '%s'", board());
	}
}

static void test_uio_core_loaded(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(stat("/sys/module/uio", &st), 0);
	assert_int_equal(stat("/sys/class/uio", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/*
 * Does applying the overlay rewrite property @prop of fragment @frag (a
 * phandle: resolved through __fixups__, or renumbered through
 * __local_fixups__)? Its bytes then differ from the .dtbo's by design.
 */
static int fixed_up(const void *blob, const char *frag, const char *prop)
{
	char want[256];
	int off, p, len;

	off = fdt_path_offset(blob, "/__local_fixups__");
	if (off >= 0) {
		off = fdt_subnode_offset(blob, off, frag);
		if (off >= 0)
			off = fdt_subnode_offset(blob, off, "__overlay__");
		if (off >= 0 && fdt_getprop(blob, off, prop, NULL))
			return 1;
	}
	snprintf(want, sizeof(want), "/%s/__overlay__:%s:", frag, prop);
	off = fdt_path_offset(blob, "/__fixups__");
	if (off < 0)
		return 0;
	fdt_for_each_property_offset(p, blob, off) {
		const char *v = fdt_getprop_by_offset(blob, p, NULL, &len);

		for (int i = 0; v && i < len; i += (int)strnlen(v + i, len - i) + 1)
			if (!strncmp(v + i, want, strlen(want)))
				return 1;
	}
	return 0;
}

/*
 * Every property our overlay sets must be in the live tree with the same
 * bytes (phandles: the same length): proof that the DTB the board booted is
 * the one with our overlay.
 */
static void test_overlay_in_live_tree(void **state)
{
	static char blob[65536] __attribute__((aligned(8))), live[4096];
	char path[PATH_MAX], dtbo[PATH_MAX];
	int frag, checked = 0;
	ssize_t n;

	(void)state;
	const char *bname = getenv("UDRV_BOARD_NAME");

	snprintf(dtbo, sizeof(dtbo), "/usr/share/udrv/dts/%s.dtbo", bname ? bname : board());
	n = slurp(dtbo, blob, sizeof(blob));
	if (n == -ENOENT)
		skip(); /* a board booted without an overlay (virt-stock) */
	assert_true(n > 0);
	assert_int_equal(fdt_check_header(blob), 0);

	fdt_for_each_subnode(frag, blob, 0) {
		const char *target = fdt_getprop(blob, frag, "target-path", NULL);
		int ov = fdt_subnode_offset(blob, frag, "__overlay__");
		int prop;

		if (!target || ov < 0)
			continue;
		fdt_for_each_property_offset(prop, blob, ov) {
			const char *name;
			int len;
			const void *val = fdt_getprop_by_offset(blob, prop, &name, &len);

			snprintf(path, sizeof(path), LIVE_DT "%s/%s", target, name);
			n = slurp(path, live, sizeof(live));
			if (n < 0)
				fail_msg("%s: %s", path, strerror((int)-n));
			assert_int_equal(n, len);
			if (!fixed_up(blob, fdt_get_name(blob, frag, NULL), name))
				assert_memory_equal(live, val, len);
			checked++;
		}
	}
	assert_true(checked > 0);
}

/*
 * QMP system_powerdown, asked for with a console marker, presses the virt
 * board's power key: an edge on line 3 of the PL061 that libgpiod sees.
 */
static void test_host_powerdown_reaches_gpio(void **state)
{
	struct test_gpiod_watch *w;
	char name[32], label[64] = "";
	int i;

	(void)state;
	if (strncmp(board(), "virt", 4) != 0)
		skip(); /* no GPIO model on this board */
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "gpiochip%d", i);
		if (test_gpiod_chip_label(name, label, sizeof(label)) == 0 && strstr(label, "pl061"))
			break;
	}
	assert_true(i < 8);
	w = test_gpiod_watch(name, 3, "udrv-test");
	assert_non_null(w);

	printf("@@UDRV-HOST powerdown\n");
	fflush(stdout);
	assert_int_equal(test_gpiod_next_edge(w, 10), 1);	/* rising */
	test_gpiod_unwatch(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_matches_board),
		cmocka_unit_test(test_device_tree_names_the_board),
		cmocka_unit_test(test_uio_core_loaded),
		cmocka_unit_test(test_overlay_in_live_tree),
		cmocka_unit_test(test_host_powerdown_reaches_gpio),
	};

	return cmocka_run_group_tests_name("harness", tests, NULL, NULL);
}
