/* SPDX-License-Identifier: MIT */
/*
 * The udrv tool on the host, in-process (udrv_tool_main) against the fake
 * sysfs tree of fake.h: list and info from the fake attributes, read, write
 * and dump on the fake registers, irq on fake events, dt on a blob built
 * here with libfdt, bind/unbind on a fake /sys/bus, and bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>

#include "fake.h"
#include "tool.h"

static char out[65536], err[4096];

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* udrv ARGS... (NULL-terminated), stdout and stderr captured. */
static int udrv(const char *arg, ...)
{
	char *argv[32] = { "udrv" };
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so = dup(1), se = dup(2), argc = 1, r;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	assert_non_null(fo);
	assert_non_null(fe);
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	r = udrv_tool_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, out, sizeof(out));
	slurp(fe, err, sizeof(err));
	return r;
}

#define OK(...)                                                                    \
	do {                                                                       \
		int r_ = udrv(__VA_ARGS__, NULL);                                  \
		if (r_)                                                            \
			fail_msg("udrv exited %d: %s", r_, err);                   \
	} while (0)

/* A failure: @status, nothing on stdout, one line on stderr containing @why. */
#define BAD(status, why, ...)                                                      \
	do {                                                                       \
		int r_ = udrv(__VA_ARGS__, NULL);                                  \
		if (r_ != (status) || !strstr(err, why) || out[0] ||               \
		    strchr(err, '\n') != err + strlen(err) - 1)                    \
			fail_msg("want %d and '%s', got %d: '%s' (stdout '%s')",   \
				 status, why, r_, err, out);                       \
	} while (0)

static void test_list(void **state)
{
	(void)state;
	OK("list");
	assert_non_null(strstr(out, "uio0   rtc              dt    /pl031@9010000"));
	assert_non_null(strstr(out, "uio1   timer            dt    /soc/timer@ff110000"));
	assert_non_null(strstr(out, "uio4   edu              pci   0000:00:02.0"));
	assert_non_null(strstr(out, "uio5   plain            other -"));
	assert_non_null(strstr(out, "irqs 3\n"));	/* the timer's three nodes */
	assert_non_null(strstr(out, "irqs 0\n"));	/* plain has none */
	assert_null(strstr(out, "timer.irq1"));	/* grouped, not a device line */
	assert_non_null(strstr(out, "  map1      dma          addr 0x80000000 "));

	OK("list", "--json");
	assert_int_equal(out[0], '[');
	assert_non_null(strstr(out, "{\"uio\": 0, \"name\": \"rtc\", \"node\": \"/dev/uio0\", "
				    "\"source\": \"dt\", \"dt_path\": \"/pl031@9010000\", "
				    "\"compatible\": [\"arm,pl031\", \"arm,primecell\"], "
				    "\"pci_address\": null, \"pci_id\": null, \"driver\": null, "
				    "\"irqs\": 1, \"nodes\": [{\"uio\": 0, \"name\": \"rtc\", "
				    "\"irq\": true, \"events\": 5}], \"maps\": [{\"index\": 0, "
				    "\"name\": \"regs\", \"addr\": 151060480, \"size\": 4096, "
				    "\"offset\": 0}]}"));
	assert_non_null(strstr(out, "\"pci_address\": \"0000:00:02.0\", \"pci_id\": \"1234:11e8\""));
	assert_non_null(strstr(out, "{\"uio\": 3, \"name\": \"timer.irq2\", \"irq\": true"));
	assert_string_equal(out + strlen(out) - 3, "\n]\n");
}

static void test_info(void **state)
{
	(void)state;
	OK("info", "timer");
	assert_non_null(strstr(out, "name:       timer\nnode:       /dev/uio1\n"
				    "source:     dt /soc/timer@ff110000\ncompatible: \"cdns,ttc\"\n"));
	assert_non_null(strstr(out, "  uio3      timer.irq2           irq yes events 0\n"));
	assert_non_null(strstr(out, "libudrv:    1 region, 3 interrupts, DMA pool 65536 bytes\n"));
	OK("info", "--json", "rtc2");
	/* the region starts at addr + offset and is size - offset long */
	assert_non_null(strstr(out, "\"regions\": [{\"index\": 0, \"name\": \"regs\", "
				    "\"alias\": null, \"phys\": 151126272, \"size\": 256}]"));
	OK("info", "00:02.0");
	assert_non_null(strstr(out, "pci id:     1234:11e8\n"));
}

static void test_registers(void **state)
{
	volatile uint32_t *rtc = fake_mem(0, 0);

	(void)state;
	rtc[0x10 / 4] = 0xcafef00d;
	OK("read", "rtc", "regs", "0x10");
	assert_string_equal(out, "0xcafef00d\n");
	OK("read", "uio0", "0", "0x11", "--width", "8");
	assert_string_equal(out, "0xf0\n");
	OK("read", "/pl031@9010000", "0", "0x10", "--width", "64");
	assert_string_equal(out, "0x00000000cafef00d\n");
	OK("write", "rtc", "0", "0x20", "0xbeef", "--width", "16");
	assert_int_equal(rtc[0x20 / 4], 0xbeef);
	assert_string_equal(out, "");
	rtc[0x24 / 4] = 1;
	rtc[0x28 / 4] = 2;
	OK("dump", "rtc", "0", "0x20", "0x10");
	assert_string_equal(out, "00000020: 0000beef 00000001 00000002 00000000\n");
	/* numbers are decimal or 0x hex: "040" is forty, not octal 32 */
	rtc[0x28 / 4] = 0x28;
	OK("read", "rtc", "0", "040");
	assert_string_equal(out, "0x00000028\n");
	rtc[0x28 / 4] = 2;
	OK("dump", "rtc2", "regs");	/* the whole 256-byte region */
	assert_int_equal(strlen(out), 16 * strlen("00000000: 00000000 00000000 00000000 00000000\n"));
}

/*
 * An access the bus refuses: the memory behind edu's 1 MiB BAR is cut to
 * its first page, so touching a later page is a SIGBUS from the kernel, as
 * an external abort on a device register would be. One line naming device,
 * region and offset, exit 1, and the caller's own signal handling is back
 * afterwards.
 */
static void test_bus_error(void **state)
{
	char path[512];
	struct sigaction bus, segv, now;
	long pg = sysconf(_SC_PAGESIZE);
	char off[32], want[160];

	(void)state;
	assert_int_equal(sigaction(SIGBUS, NULL, &bus), 0);	/* cmocka's */
	assert_int_equal(sigaction(SIGSEGV, NULL, &segv), 0);
	snprintf(path, sizeof(path), "%s/dev/uio4.map0", getenv("UDRV_ROOT"));
	assert_int_equal(truncate(path, pg), 0);
	snprintf(off, sizeof(off), "%#lx", pg - 4);
	OK("read", "edu", "bar0", off);
	snprintf(off, sizeof(off), "%#lx", pg);
	snprintf(want, sizeof(want), "edu region 'bar0' offset %#lx: the 32-bit read was refused "
		 "(bus error)", pg);
	BAD(1, want, "read", "edu", "bar0", off);
	snprintf(want, sizeof(want), "edu region 'bar0' offset %#lx: the 16-bit write was refused "
		 "(bus error)", pg);
	BAD(1, want, "write", "edu", "bar0", off, "1", "--width", "16");
	/* dump: what was read before stays on stdout, then the one line */
	snprintf(off, sizeof(off), "%#lx", pg - 16);
	assert_int_equal(udrv("dump", "edu", "bar0", off, "0x20", NULL), 1);
	snprintf(want, sizeof(want), "%08lx: 00000000 00000000 00000000 00000000\n%08lx:\n",
		 pg - 16, pg);
	assert_string_equal(out, want);
	snprintf(want, sizeof(want), "udrv dump: edu region 'bar0' offset %#lx: the 32-bit read "
		 "was refused (bus error)\n", pg);
	assert_string_equal(err, want);
	assert_int_equal(sigaction(SIGBUS, NULL, &now), 0);
	assert_true(now.sa_handler == bus.sa_handler);
	assert_int_equal(sigaction(SIGSEGV, NULL, &now), 0);
	assert_true(now.sa_handler == segv.sa_handler);
}

/* Events need the device open (fake.h), so the guest suite fires real ones;
 * here: the unmask before waiting, the timeout, a missing interrupt. */
static void test_irq(void **state)
{
	(void)state;
	BAD(1, "timeout: 0 of 1 interrupt in 10 ms", "irq", "rtc", "--timeout", "10");
	assert_int_equal(fake_control(0), 1);	/* unmasked before waiting */
	BAD(1, "timeout: 0 of 3 interrupts in 10 ms", "irq", "timer", "--irq", "2", "-c", "3",
	    "-t", "10");
	assert_int_equal(fake_control(3), 1);	/* timer.irq2 */
	BAD(2, "plain has no interrupt 0 (it has 0)", "irq", "plain");
	BAD(2, "timer has no interrupt 3 (it has 3)", "irq", "timer", "--irq", "3");
}

static void put_fdt(void)
{
	static const char compat[] = "arm,pl031\0arm,primecell";
	char buf[4096], path[512];
	uint32_t reg[4] = { 0, cpu_to_fdt32(0x9010000), 0, cpu_to_fdt32(0x1000) };
	uint32_t irq[3] = { 0, cpu_to_fdt32(2), cpu_to_fdt32(4) };
	int fd, node, gic;

	assert_int_equal(fdt_create_empty_tree(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_setprop_u32(buf, 0, "#address-cells", 2), 0);
	assert_int_equal(fdt_setprop_u32(buf, 0, "#size-cells", 2), 0);
	assert_int_equal(fdt_setprop_u32(buf, 0, "interrupt-parent", 1), 0);
	gic = fdt_add_subnode(buf, 0, "intc@8000000");
	assert_true(gic >= 0);
	assert_int_equal(fdt_setprop_string(buf, gic, "compatible", "arm,cortex-a15-gic"), 0);
	assert_int_equal(fdt_setprop_u32(buf, gic, "#interrupt-cells", 3), 0);
	assert_int_equal(fdt_setprop_u32(buf, gic, "phandle", 1), 0);
	node = fdt_add_subnode(buf, 0, "pl031@9010000");
	assert_true(node >= 0);
	assert_int_equal(fdt_setprop(buf, node, "compatible", compat, sizeof(compat)), 0);
	assert_int_equal(fdt_setprop(buf, node, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(fdt_setprop(buf, node, "interrupts", irq, sizeof(irq)), 0);
	assert_int_equal(fdt_setprop(buf, node, "dma-coherent", NULL, 0), 0);
	assert_int_equal(fdt_setprop(buf, node, "odd", "\x01\x02\x03", 3), 0);
	assert_int_equal(fdt_pack(buf), 0);
	snprintf(path, sizeof(path), "%s/sys/firmware/fdt", getenv("UDRV_ROOT"));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, fdt_totalsize(buf)), (ssize_t)fdt_totalsize(buf));
	close(fd);
}

static void test_dt(void **state)
{
	(void)state;
	/* no /sys/firmware/fdt: the live tree, properties in name order */
	OK("dt", "timer");
	assert_string_equal(out, "/soc/timer@ff110000 {\n"
				 "\tcompatible = \"cdns,ttc\";\n"
				 "\tinterrupt-names = \"first\", \"second\", \"third\";\n"
				 "};\n");
	OK("dt", "/");
	assert_non_null(strstr(out, "\n\tsoc {\n\n\t\ttimer@ff110000 {\n"));
	put_fdt();
	OK("dt", "rtc");
	/* in the blob's order: fdt_setprop() puts each new property first */
	assert_string_equal(out,
		"/pl031@9010000 {\n"
		"\todd = [01 02 03];\n"
		"\tdma-coherent;\n"
		"\tinterrupts = <0x0 0x2 0x4>;\t// SPI 2 level-high\n"
		"\treg = <0x0 0x9010000 0x0 0x1000>;\t// 0x9010000 size 0x1000\n"
		"\tcompatible = \"arm,pl031\", \"arm,primecell\";\n"
		"};\n");
	OK("dt", "/");
	assert_non_null(strstr(out, "\tinterrupt-parent = <0x1>;\t// /intc@8000000\n"));
	assert_non_null(strstr(out, "\n\tintc@8000000 {\n"));
	BAD(2, "no node /soc/timer@ff110000 in the device tree", "dt", "timer");
	BAD(1, "edu (uio4) has no device-tree node: it is the PCI device 0000:00:02.0", "dt", "edu");
}

/* fake_write() with the missing directories made. */
static void mk(const char *rel, const char *content)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", getenv("UDRV_ROOT"), rel);
	for (char *p = path + strlen(getenv("UDRV_ROOT")) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	fake_write(rel, content);
}

static void ln(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", getenv("UDRV_ROOT"), rel);
	assert_int_equal(symlink(target, path), 0);
}

static void content(const char *rel, const char *want)
{
	char path[512], buf[256] = "";
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", getenv("UDRV_ROOT"), rel);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_bind(void **state)
{
	(void)state;
	BAD(1, "the udrv_uio module is not loaded", "bind", "/pl031@9010000");
	/* a fake /sys/bus: rtc (uio0) is the stub's, 9030000.pl061 is pl061's */
	mk("sys/bus/platform/drivers/udrv_uio/unbind", "");
	mk("sys/bus/platform/drivers/pl061/unbind", "");
	mk("sys/bus/platform/drivers_probe", "");
	mk("sys/bus/platform/devices/.keep", "");
	ln("../../../devices/platform/9010000.pl031", "sys/bus/platform/devices/9010000.pl031");
	ln("../../../bus/platform/drivers/udrv_uio", "sys/devices/platform/9010000.pl031/driver");
	mk("sys/devices/platform/9010000.pl031/driver_override", "");
	mk("sys/devices/platform/9030000.pl061/driver_override", "");
	ln("../../../devices/platform/9030000.pl061", "sys/bus/platform/devices/9030000.pl061");
	ln("../../../bus/platform/drivers/pl061", "sys/devices/platform/9030000.pl061/driver");
	mk("sys/devices/platform/9030000.pl061/.keep", "");

	OK("bind", "/pl031@9010000");
	assert_string_equal(out, "9010000.pl031: already bound to udrv_uio as uio0 (rtc)\n");
	OK("bind", "rtc");
	assert_non_null(strstr(out, "already bound"));
	BAD(1, "9030000.pl061 (9030000.pl061) is held by the pl061 driver; --force unbinds it",
	    "bind", "9030000.pl061");
	/* --force: unbind from pl061, override, probe; the fake kernel binds nothing */
	BAD(1, "udrv_uio did not take 9030000.pl061", "bind", "--force", "9030000.pl061");
	content("sys/bus/platform/drivers/pl061/unbind", "9030000.pl061");
	content("sys/devices/platform/9030000.pl061/driver_override", "udrv_uio");
	content("sys/bus/platform/drivers_probe", "9030000.pl061");
	/* --pool: the stub's pool attribute is asked first */
	mk("sys/bus/platform/drivers/udrv_uio/pool", "");
	BAD(2, "bad pool size '64k'", "bind", "--pool", "64k", "9030000.pl061");
	BAD(1, "udrv_uio did not take 9030000.pl061", "bind", "--force", "--pool", "0x4000",
	    "9030000.pl061");
	content("sys/bus/platform/drivers/udrv_uio/pool", "9030000.pl061 16384");
	BAD(1, "already bound to udrv_uio as uio0 with a 0-byte DMA pool: 'udrv unbind "
	    "/pl031@9010000' first", "bind", "--pool", "4096", "/pl031@9010000");

	OK("unbind", "uio0");
	content("sys/bus/platform/drivers/udrv_uio/unbind", "9010000.pl031");
	content("sys/devices/platform/9010000.pl031/driver_override", "\n");
	/* the fake driver link stays: to the tool, the stub took it back */
	assert_non_null(strstr(out, "left without a driver"));
	BAD(1, "is not bound to udrv_uio (driver: pl061)", "unbind", "9030000.pl061");
	BAD(2, "no device '..'", "bind", "..");
	BAD(2, "no PCI device 0000:00:03.0", "bind", "00:03.0");
}

static void test_bad_input(void **state)
{
	(void)state;
	BAD(2, "no UIO device 'nosuch'", "read", "nosuch", "0", "0");
	BAD(2, "rtc has no region 'bar0' (regions: 0 'regs')", "read", "rtc", "bar0", "0");
	BAD(2, "rtc2 has no region 'reg1' (regions: 0 'regs')", "read", "rtc2", "reg1", "0");
	BAD(2, "'dma' is the DMA pool of edu", "dump", "edu", "dma");
	BAD(2, "offset 0x1000 + 4 bytes is past the end of region 'regs' (0x1000 bytes)",
	    "read", "rtc", "0", "0x1000");
	BAD(2, "offset 0x102 is not a multiple of 4", "write", "rtc", "0", "0x102", "1");
	BAD(2, "bad width '0'", "read", "rtc", "0", "0", "-w", "0");
	BAD(2, "value 0x10000 does not fit in 16 bits", "write", "rtc", "0", "0", "65536",
	    "--width", "16");
	BAD(2, "bad offset '-4'", "read", "rtc", "0", "--", "-4");
	BAD(2, "bad length '0'", "dump", "rtc", "0", "0", "0");
	BAD(2, "bad offset '0x0x4'", "read", "rtc", "0", "0x0x4");
	BAD(2, "bad offset ' 4'", "read", "rtc", "0", " 4");
	BAD(2, "want one DEV", "info");
	BAD(2, "unexpected argument 'x'", "list", "x");
	BAD(2, "no command 'lsit'", "lsit");
	BAD(2, "no device-tree node /nosuch", "info", "/nosuch");
	assert_int_equal(udrv(NULL), 2);
	assert_non_null(strstr(err, "usage: udrv COMMAND"));
	OK("read", "--help");
	assert_memory_equal(out, "udrv read DEV REGION OFF", 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_info, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_registers, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_bus_error, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_irq, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_dt, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_bind, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests_name("tool", tests, NULL, NULL);
}
