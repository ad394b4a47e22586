// SPDX-License-Identifier: MIT
/*
 * The udrv command-line tool on QEMU virt, run as a separate process and
 * checked against sysfs: list (text and --json, parsed here), info, dt,
 * read/write/dump on the PL031 (ARM DDI 0224: RTCMR at 0x04 reads back what
 * was written, PeriphID/PCellID at 0xfe0..0xffc) and on edu (QEMU
 * docs/specs/edu.rst: ID 0x010000ed at 0x00, 0x04 reads back inverted),
 * irq with the PL031 alarm, bind/unbind of edu (PCI) and the PL031 (DT),
 * bad input, a non-root user in and out of the device's group, and the
 * out-of-tree example driver built against the installed udrv.pc.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tool_run.h"

#define PL031_DT	"/pl031@9010000"
#define RTCDR		0x00
#define RTCMR		0x04
#define RTCIMSC		0x10
#define RTCICR		0x1c
#define OUT_MAX		TOOL_OUT_MAX

/* ---- sysfs ---- */

static int sread(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

static unsigned long long snum(const char *fmt, ...)
{
	char path[PATH_MAX], buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (sread(path, buf, sizeof(buf)) <= 0)
		fail_msg("cannot read %s", path);
	return strtoull(buf, NULL, 0);
}

static void sstr(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (sread(path, buf, len) < 0)
		buf[0] = '\0';
}

/* Basename of a symlink's target ("" if none). */
static void link_base(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX], real[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	if (realpath(path, real))
		snprintf(buf, len, "%s", strrchr(real, '/') + 1);
}

/* uioN of the UIO node named @name, -1 if none. */
static int uio_named(const char *name)
{
	char buf[80];

	for (int u = 0; u < 64; u++) {
		sstr(buf, sizeof(buf), "/sys/class/uio/uio%d/name", u);
		if (!strcmp(buf, name))
			return u;
	}
	return -1;
}

static int uio_first_nodes(int *uios, int max)
{
	char buf[80];
	int n = 0;

	for (int u = 0; u < 64 && n < max; u++) {
		sstr(buf, sizeof(buf), "/sys/class/uio/uio%d/name", u);
		if (buf[0] && !strstr(buf, ".irq"))
			uios[n++] = u;
	}
	return n;
}

/* The PCI address of edu (1234:11e8) in @addr. */
static void edu_address(char *addr, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	addr[0] = '\0';
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snum("/sys/bus/pci/devices/%s/vendor", e->d_name) == 0x1234 &&
		    snum("/sys/bus/pci/devices/%s/device", e->d_name) == 0x11e8)
			snprintf(addr, len, "%.31s", e->d_name);
	}
	closedir(d);
	assert_true(addr[0]);
}

/* ---- a small JSON parser: enough to check the tool's output ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum jtype t;
	unsigned long long num;
	bool b;
	char *str;
	size_t n;
	char **keys;
	struct json **items;
};

static const char *jp;

static void jws(void)
{
	while (isspace((unsigned char)*jp))
		jp++;
}

static char *jstring(void)
{
	char *s = malloc(strlen(jp) + 1), *o = s;

	if (*jp++ != '"')
		fail_msg("JSON: string expected at '%.20s'", jp - 1);
	while (*jp && *jp != '"') {
		if (*jp == '\\') {
			jp++;
			if (*jp == 'u') {
				*o++ = (char)strtol((char[]){ jp[1], jp[2], jp[3], jp[4], 0 }, NULL, 16);
				jp += 5;
				continue;
			}
			*o++ = *jp == 'n' ? '\n' : *jp;
			jp++;
			continue;
		}
		if ((unsigned char)*jp < 0x20)
			fail_msg("JSON: control character in a string");
		*o++ = *jp++;
	}
	if (*jp++ != '"')
		fail_msg("JSON: unterminated string");
	*o = '\0';
	return s;
}

static struct json *jvalue(void)
{
	struct json *v = calloc(1, sizeof(*v));

	jws();
	if (*jp == '{' || *jp == '[') {
		bool obj = *jp++ == '{';

		v->t = obj ? J_OBJ : J_ARR;
		jws();
		if (*jp == (obj ? '}' : ']')) {
			jp++;
			return v;
		}
		for (;;) {
			v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
			v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
			v->keys[v->n] = NULL;
			if (obj) {
				jws();
				v->keys[v->n] = jstring();
				jws();
				if (*jp++ != ':')
					fail_msg("JSON: ':' expected");
			}
			v->items[v->n++] = jvalue();
			jws();
			if (*jp == ',') {
				jp++;
				continue;
			}
			if (*jp++ != (obj ? '}' : ']'))
				fail_msg("JSON: '%c' expected at '%.20s'", obj ? '}' : ']', jp - 1);
			return v;
		}
	}
	if (*jp == '"') {
		v->t = J_STR;
		v->str = jstring();
	} else if (!strncmp(jp, "null", 4)) {
		jp += 4;
	} else if (!strncmp(jp, "true", 4) || !strncmp(jp, "false", 5)) {
		v->t = J_BOOL;
		v->b = *jp == 't';
		jp += v->b ? 4 : 5;
	} else if (isdigit((unsigned char)*jp)) {
		char *end;

		v->t = J_NUM;
		v->num = strtoull(jp, &end, 10);
		jp = end;
	} else {
		fail_msg("JSON: unexpected '%.20s'", jp);
	}
	return v;
}

static struct json *json_parse(const char *s)
{
	struct json *v;

	jp = s;
	v = jvalue();
	jws();
	if (*jp)
		fail_msg("JSON: trailing text '%.20s'", jp);
	return v;
}

static struct json *jget(const struct json *o, const char *key)
{
	assert_int_equal(o->t, J_OBJ);
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	fail_msg("JSON: no key '%s'", key);
	return NULL;
}

static const char *jstr(const struct json *o, const char *key)
{
	struct json *v = jget(o, key);

	return v->t == J_STR ? v->str : NULL;
}

static unsigned long long jnum(const struct json *o, const char *key)
{
	struct json *v = jget(o, key);

	assert_int_equal(v->t, J_NUM);
	return v->num;
}

static void json_free(struct json *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->keys[i]);
		json_free(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->str);
	free(v);
}

/* ---- checks of one device against sysfs ---- */

static void check_json_device(const struct json *d)
{
	unsigned int u = (unsigned int)jnum(d, "uio");
	char buf[256], real[PATH_MAX], path[PATH_MAX];
	const struct json *maps = jget(d, "maps"), *nodes = jget(d, "nodes");
	const char *dt;
	unsigned int m;

	sstr(buf, sizeof(buf), "/sys/class/uio/uio%u/name", u);
	assert_string_equal(jstr(d, "name"), buf);
	snprintf(buf, sizeof(buf), "/dev/uio%u", u);
	assert_string_equal(jstr(d, "node"), buf);
	link_base(buf, sizeof(buf), "/sys/class/uio/uio%u/device/driver", u);
	assert_string_equal(jstr(d, "driver"), buf);
	/* the source: of_node under /sys/firmware/devicetree/base, or a PCI parent */
	snprintf(path, sizeof(path), "/sys/class/uio/uio%u/device/of_node", u);
	dt = jstr(d, "dt_path");
	if (!strcmp(jstr(d, "source"), "dt")) {
		assert_non_null(realpath(path, real));
		assert_string_equal(dt, real + strlen("/sys/firmware/devicetree/base"));
		sstr(buf, sizeof(buf), "%s/compatible", real);
		assert_true(jget(d, "compatible")->n >= 1);
		assert_string_equal(jget(d, "compatible")->items[0]->str, buf);
	} else if (!strcmp(jstr(d, "source"), "pci")) {
		link_base(buf, sizeof(buf), "/sys/class/uio/uio%u/device", u);
		assert_string_equal(jstr(d, "pci_address"), buf);
		assert_null(dt);
	}
	/* maps: addr, size, offset, name as sysfs has them, no more, no less */
	for (m = 0; m < 5; m++) {
		snprintf(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%u", u, m);
		if (access(path, F_OK))
			break;
		assert_true(m < maps->n);
		assert_int_equal(jnum(maps->items[m], "index"), m);
		assert_int_equal(jnum(maps->items[m], "addr"), snum("%s/addr", path));
		assert_int_equal(jnum(maps->items[m], "size"), snum("%s/size", path));
		assert_int_equal(jnum(maps->items[m], "offset"), snum("%s/offset", path));
		sstr(buf, sizeof(buf), "%s/name", path);
		assert_string_equal(jstr(maps->items[m], "name"), buf);
	}
	assert_int_equal(maps->n, m);
	/* nodes: the first is the device's own, with its event counter */
	assert_true(nodes->n >= 1);
	assert_int_equal(jnum(nodes->items[0], "uio"), u);
	for (size_t i = 0; i < nodes->n; i++) {
		unsigned int nu = (unsigned int)jnum(nodes->items[i], "uio");

		assert_int_equal(jnum(nodes->items[i], "events"),
				 snum("/sys/class/uio/uio%u/event", nu));
		sstr(buf, sizeof(buf), "/sys/class/uio/uio%u/name", nu);
		assert_string_equal(jstr(nodes->items[i], "name"), buf);
	}
}

/* ---- tests ---- */

static void test_help(void **state)
{
	static const char *const cmds[] = {
		"list", "info", "bind", "unbind", "dt", "read", "write", "dump", "irq"
	};
	char want[32];

	(void)state;
	assert_int_equal(udrv("--help", NULL), 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "udrv %s", cmds[i]);
		assert_non_null(strstr(R.out, want));
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "udrv %s", cmds[i]);
		assert_int_equal(udrv(cmds[i], "--help", NULL), 0);
		assert_memory_equal(R.out, want, strlen(want));
		assert_string_equal(R.err, "");
	}
	assert_int_equal(udrv("help", "irq", NULL), 0);
	assert_non_null(strstr(R.out, "--timeout"));
	assert_int_equal(udrv(NULL), 2);
	assert_non_null(strstr(R.err, "usage"));
}

static void test_list_text(void **state)
{
	int uios[32], n = uio_first_nodes(uios, 32), seen = 0;
	char *line, *save, name[80], drv[64];

	(void)state;
	assert_true(n >= 2);	/* PL031 and the virtio-mmio slot */
	UDRV_OK("list");
	for (line = strtok_r(R.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char lname[80], src[8], origin[256], ldrv[64], irqs[8];
		unsigned int u, m;
		unsigned long long addr, size, offs;
		char mname[64];

		if (sscanf(line, "uio%u %79s %7s %255s %63s irqs %7s", &u, lname, src, origin,
			   ldrv, irqs) == 6) {
			sstr(name, sizeof(name), "/sys/class/uio/uio%u/name", u);
			assert_string_equal(lname, name);
			link_base(drv, sizeof(drv), "/sys/class/uio/uio%u/device/driver", u);
			assert_string_equal(ldrv, drv);
			seen++;
			continue;
		}
		/* "  mapM name addr 0x.. size 0x.. offset 0x.." of the last device */
		assert_int_equal(sscanf(line, " map%u %63s addr %llx size %llx offset %llx", &m,
					mname, &addr, &size, &offs), 5);
	}
	assert_int_equal(seen, n);
	/* the PL031's line, field by field */
	int u = uio_named("pl031");

	assert_true(u >= 0);
	UDRV_OK("list");
	snprintf(name, sizeof(name), "uio%d", u);
	line = strstr(R.out, name);
	assert_non_null(line);
	assert_non_null(strstr(line, "dt    " PL031_DT));
	assert_non_null(strstr(line, "udrv_uio"));
	assert_non_null(strstr(line, "irqs 1"));
	assert_non_null(strstr(line, "map0"));
	snprintf(name, sizeof(name), "addr 0x%-10llx size 0x%-8llx offset 0x%llx",
		 snum("/sys/class/uio/uio%d/maps/map0/addr", u),
		 snum("/sys/class/uio/uio%d/maps/map0/size", u),
		 snum("/sys/class/uio/uio%d/maps/map0/offset", u));
	assert_non_null(strstr(line, name));
}

static void test_list_json(void **state)
{
	int uios[32], n = uio_first_nodes(uios, 32);
	struct json *j;

	(void)state;
	UDRV_OK("list", "--json");
	j = json_parse(R.out);
	assert_int_equal(j->t, J_ARR);
	assert_int_equal(j->n, n);
	for (size_t i = 0; i < j->n; i++) {
		assert_int_equal(jnum(j->items[i], "uio"), uios[i]);
		check_json_device(j->items[i]);
	}
	json_free(j);
}

static void test_info(void **state)
{
	int u = uio_named("virtio-blk");
	static char first[OUT_MAX];
	char spec[3][64];
	struct json *j, *regs;
	unsigned long long addr, offs, size;

	(void)state;
	assert_true(u >= 0);
	UDRV_OK("info", "--json", "virtio-blk");
	j = json_parse(R.out);
	check_json_device(j);
	/* what libudrv makes of the maps: the device's exact window, which
	 * starts `offset` bytes into its page (virtio-mmio: 0x200 bytes) */
	regs = jget(j, "regions");
	assert_int_equal(regs->n, 1);
	addr = snum("/sys/class/uio/uio%d/maps/map0/addr", u);
	offs = snum("/sys/class/uio/uio%d/maps/map0/offset", u);
	size = snum("/sys/class/uio/uio%d/maps/map0/size", u);
	assert_int_equal(addr & (getpagesize() - 1), offs);
	assert_int_equal(jnum(regs->items[0], "phys"), addr);
	assert_int_equal(jnum(regs->items[0], "size"), size);
	assert_int_equal(size, 0x200);
	assert_int_equal(jnum(j, "dma_pool_size"), snum("/sys/class/uio/uio%d/maps/map1/size", u));
	assert_int_equal(jnum(j, "num_irqs"), 1);
	json_free(j);

	/* the same device by uioN, by name and by DT path */
	u = uio_named("pl031");
	snprintf(spec[0], sizeof(spec[0]), "uio%d", u);
	snprintf(spec[1], sizeof(spec[1]), "pl031");
	snprintf(spec[2], sizeof(spec[2]), PL031_DT);
	for (int i = 0; i < 3; i++) {
		UDRV_OK("info", spec[i]);
		if (!i)
			snprintf(first, sizeof(first), "%s", R.out);
		else
			assert_string_equal(R.out, first);
	}
	assert_non_null(strstr(first, "name:       pl031\n"));
	snprintf(spec[0], sizeof(spec[0]), "node:       /dev/uio%d\n", u);
	assert_non_null(strstr(first, spec[0]));
	assert_non_null(strstr(first, "source:     dt " PL031_DT "\n"));
	assert_non_null(strstr(first, "driver:     udrv_uio\n"));
	assert_non_null(strstr(first, "libudrv:    1 region, 1 interrupt"));
}

static void test_dt(void **state)
{
	const char *base = "/sys/firmware/devicetree/base" PL031_DT;
	static char by_path[OUT_MAX];
	char want[512], val[256];
	struct dirent *e;
	DIR *d;
	int len;

	(void)state;
	UDRV_OK("dt", PL031_DT);
	snprintf(by_path, sizeof(by_path), "%s", R.out);
	UDRV_OK("dt", "pl031");
	assert_string_equal(R.out, by_path);
	assert_memory_equal(R.out, PL031_DT " {\n", strlen(PL031_DT " {\n"));
	/* every property of the live node is there */
	d = opendir(base);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "name") || e->d_type == DT_DIR)
			continue;
		snprintf(want, sizeof(want), "\t%s", e->d_name);
		if (!strstr(R.out, want))
			fail_msg("'%s' is not in the output of udrv dt", e->d_name);
	}
	closedir(d);
	/* decoded: the compatible string, the reg cells, the GIC interrupt */
	snprintf(want, sizeof(want), "%s/compatible", base);
	sstr(val, sizeof(val), "%s", want);
	snprintf(want, sizeof(want), "\tcompatible = \"%s\";\n", val);
	assert_non_null(strstr(R.out, want));
	snprintf(want, sizeof(want), "%s/reg", base);
	{
		int fd = open(want, O_RDONLY);
		uint8_t raw[64];
		size_t used;

		assert_true(fd >= 0);
		len = (int)read(fd, raw, sizeof(raw));
		close(fd);
		assert_int_equal(len, 16);
		used = (size_t)snprintf(want, sizeof(want), "\treg = <");
		for (int i = 0; i < len; i += 4)
			used += (size_t)snprintf(want + used, sizeof(want) - used, "%s0x%x",
						 i ? " " : "", (unsigned int)raw[i] << 24 |
						 raw[i + 1] << 16 | raw[i + 2] << 8 | raw[i + 3]);
		snprintf(want + used, sizeof(want) - used, ">;\t// 0x9010000 size 0x1000\n");
		assert_non_null(strstr(R.out, want));
	}
	assert_non_null(strstr(R.out, "// SPI 2 level-high"));
	/* any node, handed to UIO or not */
	UDRV_OK("dt", "/chosen");
	assert_non_null(strstr(R.out, "/chosen {\n"));
}

static void test_read_write_dump(void **state)
{
	static const uint32_t id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	char want[256];

	(void)state;
	/* PL031 PeriphID0 at 0xfe0, in each width */
	UDRV_OK("read", "pl031", "0", "0xfe0");
	assert_string_equal(R.out, "0x00000031\n");
	UDRV_OK("read", "pl031", "reg0", "0xfe0", "--width", "8");
	assert_string_equal(R.out, "0x31\n");
	UDRV_OK("read", "pl031", "0", "4064", "--width", "16");
	assert_string_equal(R.out, "0x0031\n");
	/* RTCMR holds what is written (the alarm stays masked: RTCIMSC 0) */
	UDRV_OK("write", "pl031", "0", "0x4", "0x12345678");
	assert_string_equal(R.out, "");
	UDRV_OK("read", PL031_DT, "0", "4");
	assert_string_equal(R.out, "0x12345678\n");
	UDRV_OK("write", "pl031", "0", "0x4", "0xab", "--width", "32");
	UDRV_OK("read", "pl031", "0", "4");
	assert_string_equal(R.out, "0x000000ab\n");
	/* dump: PeriphID and PCellID, four words a line */
	UDRV_OK("dump", "pl031", "0", "0xfe0", "0x20");
	snprintf(want, sizeof(want),
		 "00000fe0: %08x %08x %08x %08x\n00000ff0: %08x %08x %08x %08x\n",
		 id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7]);
	assert_string_equal(R.out, want);
	/* an unaligned start is padded; the whole region by default */
	UDRV_OK("dump", "pl031", "reg0", "0xff8");
	snprintf(want, sizeof(want), "00000ff0:                   %08x %08x\n", id[6], id[7]);
	assert_string_equal(R.out, want);
	UDRV_OK("dump", "pl031", "0");
	assert_int_equal(strlen(R.out), 0x1000 / 16 * strlen("00000000: 00000000 00000000 00000000 00000000\n"));
}

/*
 * Raise the PL031 alarm at once and leave it pending: writing RTCMR equal
 * to RTCDR fires it (QEMU hw/rtc/pl031.c), unless RTCDR ticked between our
 * read and write; RTCRIS (0x14) says whether it did.
 */
static void raise_alarm(void)
{
	char now[32];

	UDRV_OK("write", "pl031", "0", "0x1c", "1");
	for (int tries = 0; tries < 5; tries++) {
		UDRV_OK("read", "pl031", "0", "0");
		snprintf(now, sizeof(now), "%s", strtok(R.out, "\n"));
		UDRV_OK("write", "pl031", "0", "0x4", now);
		UDRV_OK("read", "pl031", "0", "0x14");
		if (!strcmp(R.out, "0x00000001\n"))
			break;
	}
	assert_string_equal(R.out, "0x00000001\n");
	UDRV_OK("write", "pl031", "0", "0x10", "1");
}

static void clear_alarm(void)
{
	UDRV_OK("write", "pl031", "0", "0x10", "0");
	UDRV_OK("write", "pl031", "0", "0x1c", "1");
}

static void test_irq(void **state)
{
	int u = uio_named("pl031");
	unsigned long long before;
	unsigned int idx, count;
	unsigned long missed;
	double t;

	(void)state;
	assert_true(u >= 0);
	/* nothing pending: a bounded wait fails, saying so */
	assert_int_equal(udrv("irq", "pl031", "--timeout", "200", NULL), 1);
	assert_non_null(strstr(R.err, "timeout: 0 of 1 interrupt in 200 ms"));
	/* the alarm, raised at once and left pending: a level interrupt */
	raise_alarm();
	before = snum("/sys/class/uio/uio%d/event", u);
	UDRV_OK("irq", "pl031", "--count", "1", "--timeout", "5000");
	assert_int_equal(sscanf(R.out, "%lf irq %u count %u missed %lu", &t, &idx, &count, &missed),
			 4);
	assert_int_equal(idx, 0);
	assert_true(count > before);
	assert_int_equal(count, snum("/sys/class/uio/uio%d/event", u));
	/* still pending: each unmask is one more event, two lines */
	UDRV_OK("irq", "pl031", "--count", "2", "--timeout", "5000");
	assert_int_equal(strchr(strchr(R.out, '\n') + 1, '\n')[1], '\0');
	clear_alarm();
	assert_int_equal(udrv("irq", "pl031", "--timeout", "100", NULL), 1);
}

/* The driver bound to PCI device @addr ("" if none). */
static void pci_driver(const char *addr, char *drv, size_t len)
{
	link_base(drv, len, "/sys/bus/pci/devices/%s/driver", addr);
}

static void test_bind_unbind(void **state)
{
	char addr[32], drv[64], was[64], msg[128], name[80];
	int u;

	(void)state;
	edu_address(addr, sizeof(addr));
	pci_driver(addr, was, sizeof(was));
	if (!strcmp(was, "udrv_uio"))
		UDRV_OK("unbind", addr);
	pci_driver(addr, drv, sizeof(drv));
	assert_string_not_equal(drv, "udrv_uio");

	/* PCI: bind, use, unbind */
	UDRV_OK("bind", addr);
	pci_driver(addr, drv, sizeof(drv));
	assert_string_equal(drv, "udrv_uio");
	assert_int_equal(sscanf(strstr(R.out, "as uio"), "as uio%d (%79[^)])", &u, name), 2);
	link_base(msg, sizeof(msg), "/sys/class/uio/uio%d/device", u);
	assert_string_equal(msg, addr);
	sstr(msg, sizeof(msg), "/sys/class/uio/uio%d/name", u);
	assert_string_equal(msg, name);
	UDRV_OK("bind", addr);
	assert_non_null(strstr(R.out, "already bound"));
	UDRV_OK("read", addr, "bar0", "0");
	assert_string_equal(R.out, "0x010000ed\n");
	UDRV_OK("write", addr + 5, "0", "4", "0x12345678");	/* "00:02.0" form */
	UDRV_OK("read", addr, "0", "4");
	assert_string_equal(R.out, "0xedcba987\n");
	UDRV_OK("info", "--json", addr);
	assert_non_null(strstr(R.out, "\"source\": \"pci\""));
	assert_non_null(strstr(R.out, "\"pci_id\": \"1234:11e8\""));
	/* another pool: refused while the stub has it, unless --force, which
	 * rebinds it (the override kept, so nothing else can take it between) */
	assert_int_equal(udrv("bind", "--pool", "8192", addr, NULL), 1);
	assert_non_null(strstr(R.err, "' first to bind it with --pool 8192 (or --force)"));
	UDRV_OK("bind", "--force", "--pool", "8192", addr);
	assert_non_null(strstr(R.out, ", DMA pool 8192 bytes\n"));
	pci_driver(addr, drv, sizeof(drv));
	assert_string_equal(drv, "udrv_uio");
	UDRV_OK("info", "--json", addr);
	assert_non_null(strstr(R.out, "\"dma_pool_size\": 8192, \"dma_pool_cached\": false}"));
	UDRV_OK("bind", "--force", "--pool", "0", addr);	/* as before: no pool */
	assert_null(strstr(R.out, "DMA pool"));
	UDRV_OK("unbind", addr);
	pci_driver(addr, drv, sizeof(drv));
	assert_string_not_equal(drv, "udrv_uio");
	link_base(msg, sizeof(msg), "/sys/class/uio/uio%d/device", u);
	assert_string_not_equal(msg, addr);
	sstr(msg, sizeof(msg), "/sys/bus/pci/devices/%s/driver_override", addr);
	assert_string_equal(msg, "(null)");
	assert_int_equal(udrv("unbind", addr, NULL), 1);
	assert_non_null(strstr(R.err, "is not bound to udrv_uio"));

	/* DT: the PL031, which the stub matches by compatible */
	UDRV_OK("unbind", PL031_DT);
	assert_non_null(strstr(R.out, "left without a driver"));
	assert_int_equal(uio_named("pl031"), -1);
	link_base(drv, sizeof(drv), "/sys/bus/platform/devices/9010000.pl031/driver");
	assert_string_equal(drv, "");
	UDRV_OK("bind", PL031_DT);
	assert_non_null(strstr(R.out, "bound to udrv_uio as uio"));
	assert_true(uio_named("pl031") >= 0);
	UDRV_OK("read", "pl031", "0", "0xfe0");
	assert_string_equal(R.out, "0x00000031\n");

	/* a device held by another driver (the PL061's) is left alone */
	link_base(drv, sizeof(drv), "/sys/bus/amba/devices/9030000.pl061/driver");
	assert_true(drv[0] && strcmp(drv, "udrv_uio"));
	assert_int_equal(udrv("bind", "/pl061@9030000", NULL), 1);
	snprintf(msg, sizeof(msg), "is held by the %s driver; --force", drv);
	assert_non_null(strstr(R.err, msg));
	link_base(msg, sizeof(msg), "/sys/bus/amba/devices/9030000.pl061/driver");
	assert_string_equal(msg, drv);

	if (!strcmp(was, "udrv_uio"))
		UDRV_OK("bind", addr);
}

/* Each bad input: exit status 2 (1 for what the system refused), nothing
 * on stdout, one line on stderr naming what was wrong. */
static void test_bad_input(void **state)
{
	static const struct {
		const char *args[8];
		int status;
		const char *reason;
	} cases[] = {
		{ { "read", "nosuchdev", "0", "0" }, 2, "no UIO device 'nosuchdev'" },
		{ { "read", "uio99", "0", "0" }, 2, "no UIO device 'uio99'" },
		{ { "read", "/nosuch@0", "0", "0" }, 2, "no device-tree node /nosuch@0" },
		{ { "read", "/pl061@9030000", "0", "0" }, 2, "is not handed to UIO" },
		{ { "read", "0000:00:1f.0", "0", "0" }, 2, "no UIO device '0000:00:1f.0'" },
		{ { "read", "pl031", "3", "0" }, 2, "pl031 has no region '3' (regions: 0 'reg0')" },
		{ { "read", "pl031", "regs", "0" }, 2, "pl031 has no region 'regs'" },
		{ { "read", "virtio-blk", "dma", "0" }, 2, "'dma' is the DMA pool" },
		{ { "read", "pl031", "0", "0x1000" }, 2, "past the end of region 'reg0' (0x1000" },
		{ { "read", "pl031", "0", "0x1000", "--width", "8" }, 2, "past the end" },
		{ { "read", "pl031", "0", "0x2" }, 2, "offset 0x2 is not a multiple of 4" },
		{ { "read", "pl031", "0", "4", "--width", "64" }, 2, "not a multiple of 8" },
		{ { "read", "pl031", "0", "0", "--width", "12" }, 2, "bad width '12'" },
		{ { "read", "pl031", "0", "0", "--width" }, 2, "option '--width' needs a value" },
		{ { "read", "pl031", "0", "zz" }, 2, "bad offset 'zz'" },
		{ { "read", "pl031", "0" }, 2, "want DEV REGION OFF" },
		{ { "write", "pl031", "0", "4", "0x1ff", "--width", "8" }, 2,
		  "value 0x1ff does not fit in 8 bits" },
		{ { "write", "pl031", "0", "4", "banana" }, 2, "bad value 'banana'" },
		{ { "dump", "pl031", "0", "0", "6" }, 2, "bad length '6'" },
		{ { "dump", "pl031", "0", "0xff0", "0x20" }, 2, "past the end" },
		{ { "irq", "pl031", "--irq", "3" }, 2, "pl031 has no interrupt 3 (it has 1)" },
		{ { "irq", "pl031", "--timeout", "0" }, 2, "bad timeout" },
		{ { "list", "--frob" }, 2, "unknown option '--frob'" },
		{ { "frobnicate" }, 2, "no command 'frobnicate'" },
		{ { "bind", "/nosuch@0" }, 2, "no device-tree node /nosuch@0" },
		{ { "bind", "0000:00:1f.0" }, 2, "no PCI device 0000:00:1f.0" },
		{ { "unbind", "/pl061@9030000" }, 1, "is not bound to udrv_uio (driver: pl061" },
		{ { "dt", "/nosuch@0" }, 2, "no node /nosuch@0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[10] = { (char *)tool() };
		const char *nl;

		for (int a = 0; a < 8 && cases[i].args[a]; a++)
			argv[a + 1] = (char *)cases[i].args[a];
		run_as(-1, -1, -1, argv);
		printf("udrv %s %s ... -> %d: %s", cases[i].args[0],
		       cases[i].args[1] ? cases[i].args[1] : "", R.status, R.err);
		if (R.status != cases[i].status || !strstr(R.err, cases[i].reason))
			fail_msg("case %zu (udrv %s %s): status %d, stderr '%s'; want %d and '%s'",
				 i, cases[i].args[0], cases[i].args[1] ? cases[i].args[1] : "",
				 R.status, R.err, cases[i].status, cases[i].reason);
		nl = strchr(R.err, '\n');
		assert_non_null(nl);
		assert_int_equal(nl[1], '\0');	/* one line */
		assert_memory_equal(R.err, "udrv", 4);	/* "udrv CMD: " or "udrv: " */
		assert_string_equal(R.out, "");
	}
}

/*
 * Non-root: /dev/uioN given to a group the way 60-udrv-uio.rules does
 * (there is no udev in this guest), a uid in the group maps the registers
 * and waits for an interrupt, one outside it is refused with EACCES.
 */
static void test_non_root(void **state)
{
	const int gid = 4242, uid = 1000;
	char dev[32], *argv[8] = { (char *)tool() };
	int u = uio_named("pl031");
	struct stat st;

	(void)state;
	assert_true(u >= 0);
	snprintf(dev, sizeof(dev), "/dev/uio%d", u);
	assert_int_equal(stat(dev, &st), 0);
	assert_int_equal(chown(dev, 0, gid), 0);
	assert_int_equal(chmod(dev, 0660), 0);

	argv[1] = "read", argv[2] = "pl031", argv[3] = "0", argv[4] = "0xfe0";
	assert_int_equal(run_as(uid, uid, gid, argv), 0);
	assert_string_equal(R.out, "0x00000031\n");
	/* an interrupt: the alarm, pending */
	raise_alarm();
	argv[1] = "irq", argv[3] = "--timeout", argv[4] = "5000", argv[5] = NULL;
	assert_int_equal(run_as(uid, uid, gid, argv), 0);
	assert_non_null(strstr(R.out, " count "));
	clear_alarm();

	/* outside the group */
	argv[1] = "read", argv[3] = "0", argv[4] = "0xfe0";
	assert_int_equal(run_as(uid, uid, -1, argv), 1);
	printf("outside the group: %s", R.err);
	assert_non_null(strstr(R.err, "permission denied"));
	assert_non_null(strstr(R.err, dev));
	assert_non_null(strstr(R.err, "group"));
	/* list still works: it reads sysfs only */
	argv[1] = "list", argv[2] = NULL;
	assert_int_equal(run_as(uid, uid, -1, argv), 0);
	assert_non_null(strstr(R.out, "pl031"));
	/* so does dt, from the live tree (/sys/firmware/fdt is root's): the
	 * same lines as root gets from the blob, in name order */
	{
		static char as_root[OUT_MAX];
		int lines = 0;

		UDRV_OK("dt", "pl031");
		snprintf(as_root, sizeof(as_root), "%s", R.out);
		argv[1] = "dt", argv[2] = "pl031", argv[3] = NULL;
		assert_int_equal(run_as(uid, uid, -1, argv), 0);
		assert_int_equal(strlen(R.out), strlen(as_root));
		for (char *l = strtok(as_root, "\n"); l; l = strtok(NULL, "\n"), lines++)
			if (!strstr(R.out, l))
				fail_msg("'%s' is not in the non-root output:\n%s", l, R.out);
		assert_true(lines >= 5);
	}

	assert_int_equal(chown(dev, st.st_uid, st.st_gid), 0);
	assert_int_equal(chmod(dev, st.st_mode & 07777), 0);
}

/* The out-of-tree example, built by examples/Makefile with pkg-config: on the
 * host against the staged udrv.pc (qemu/run), or on the debian board against
 * the installed libudrv-dev (tests/debian/check.sh). */
static void test_example(void **state)
{
	char *argv[] = { "/usr/bin/pl031-alarm", "pl031", "1", NULL };
	unsigned int t0, t1, count;

	(void)state;
	assert_int_equal(access(argv[0], X_OK), 0);
	assert_int_equal(run_as(-1, -1, -1, argv), 0);
	printf("%s", R.out);
	assert_int_equal(sscanf(R.out, "pl031: time %u, alarm in 1 s\npl031: alarm at time %u, "
				"interrupt count %u", &t0, &t1, &count), 3);
	assert_true(t1 >= t0 + 1);
	assert_int_equal(count, snum("/sys/class/uio/uio%d/event", uio_named("pl031")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_list_text),
		cmocka_unit_test(test_list_json),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_dt),
		cmocka_unit_test(test_read_write_dump),
		cmocka_unit_test(test_irq),
		cmocka_unit_test(test_bind_unbind),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_non_root),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests_name("tool", tests, NULL, NULL);
}
