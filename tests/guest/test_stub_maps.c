// SPDX-License-Identifier: MIT
/*
 * udrv_uio, every board with an overlay: the UIO devices the stub creates
 * match the device tree exactly (name, maps, offsets, DMA pool, one UIO
 * device per interrupt), and mapping /dev/uioN at N * pagesize reaches the
 * device's registers.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_stub_common.h"

#define GIC_INTERRUPT_CELLS 3	/* both boards: GIC, <type number flags> */

static const char *const virt_names[] = { "pl031", "virtio-blk", NULL };
static const char *const zcu102_names[] = {
	"ttc0", "ttc0.irq1", "ttc0.irq2", "zdma0", "uart1", NULL
};

static const char *const *expected_names(void)
{
	if (!strcmp(board(), "virt"))
		return virt_names;
	if (!strcmp(board(), "zcu102"))
		return zcu102_names;
	return NULL;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t cells(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--) {
		v = v << 32 | be32(p);
		p += 4;
	}
	return v;
}

/* A u32 property of the node behind uio<n>, or def if absent. */
static long long node_u32(int n, const char *prop, long long def)
{
	char path[PATH_MAX];
	unsigned char b[4];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device/of_node/%s", n, prop);
	return file_read(path, b, sizeof(b)) == 4 ? be32(b) : def;
}

static int node_prop(int n, const char *prop, void *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device/of_node/%s", n, prop);
	return file_read(path, buf, len);
}

static int has_of_node(int n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device/of_node", n);
	return access(path, F_OK) == 0;
}

/* The name the stub must give: linux,uio-name, else the node name. */
static void node_uio_name(int n, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], *base, *at;
	ssize_t r;

	if (node_prop(n, "linux,uio-name", out, len) > 0)
		return;
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device/of_node", n);
	r = readlink(path, target, sizeof(target) - 1);
	assert_true(r > 0);
	target[r] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	at = strchr(base, '@');
	if (at)
		*at = '\0';
	snprintf(out, len, "%.63s", base);
}

static void test_expected_devices(void **state)
{
	const char *const *names = expected_names();

	(void)state;
	if (!names)
		skip();
	for (; *names; names++) {
		if (uio_by_name(*names) < 0)
			fail_msg("no UIO device named %s on %s", *names, board());
	}
}

/* Every map of every DT-backed UIO device against the node's properties. */
static void test_maps_match_dt(void **state)
{
	long ps = getpagesize();
	char name[64], want[64], rn[256], buf[256];
	unsigned char reg[256];
	int n, checked = 0;

	(void)state;
	for (n = 0; n < MAX_UIO; n++) {
		char path[64];
		int ac, sc, nreg, len, i, rnlen;
		const char *rname;
		long long pool;

		snprintf(path, sizeof(path), "/sys/class/uio/uio%d/name", n);
		if (sysfs_read(path, name, sizeof(name)) < 0 || !has_of_node(n))
			continue;
		if (strstr(name, ".irq")) {
			/* extra interrupt devices carry no maps */
			assert_int_equal(uio_map_attr(n, 0, "size"), -1);
			continue;
		}
		node_uio_name(n, want, sizeof(want));
		assert_string_equal(name, want);

		ac = (int)node_u32(n, "../#address-cells", 2);
		sc = (int)node_u32(n, "../#size-cells", 1);
		len = node_prop(n, "reg", reg, sizeof(reg));
		assert_true(len > 0);
		nreg = len / (4 * (ac + sc));
		rnlen = node_prop(n, "reg-names", rn, sizeof(rn));
		rname = rn;
		for (i = 0; i < nreg; i++) {
			const unsigned char *e = reg + i * 4 * (ac + sc);
			uint64_t base = cells(e, ac), size = cells(e + 4 * ac, sc);
			uint64_t offs = base & (ps - 1);
			char mapname[64];

			/* the device's own window, not its pages (udrv_uio.h) */
			assert_int_equal(uio_map_attr(n, i, "addr"), base);
			assert_int_equal(uio_map_attr(n, i, "offset"), offs);
			assert_int_equal(uio_map_attr(n, i, "size"), size);
			snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/name", n, i);
			assert_true(sysfs_read(path, mapname, sizeof(mapname)) > 0);
			if (rnlen > 0 && rname < rn + rnlen) {
				assert_string_equal(mapname, rname);
				rname += strlen(rname) + 1;
			} else {
				snprintf(buf, sizeof(buf), "reg%d", i);
				assert_string_equal(mapname, buf);
			}
		}
		pool = node_u32(n, "udrv,dma-pool-size", 0);
		if (pool) {
			long long addr = uio_map_attr(n, nreg, "addr");

			snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/name", n, nreg);
			assert_true(sysfs_read(path, buf, sizeof(buf)) > 0);
			assert_string_equal(buf, "dma");
			assert_int_equal(uio_map_attr(n, nreg, "size"), (pool + ps - 1) & ~(ps - 1));
			assert_int_equal(uio_map_attr(n, nreg, "offset"), 0);
			assert_true(addr > 0);
			assert_int_equal(addr & (ps - 1), 0);
			nreg++;
		}
		assert_int_equal(uio_map_attr(n, nreg, "size"), -1);	/* nothing after */
		checked++;
	}
	if (expected_names())
		assert_true(checked >= 2);
}

/* A node with k interrupts: k UIO devices with one parent, name, name.irqI. */
static void test_one_uio_device_per_interrupt(void **state)
{
	char path[PATH_MAX], parent[PATH_MAX], other[PATH_MAX], name[64], want[80];
	unsigned char irqs[256];
	int n, m, groups = 0;

	(void)state;
	for (n = 0; n < MAX_UIO; n++) {
		int nirq, found, i;

		snprintf(path, sizeof(path), "/sys/class/uio/uio%d/name", n);
		if (sysfs_read(path, name, sizeof(name)) < 0 || !has_of_node(n) ||
		    strstr(name, ".irq"))
			continue;
		nirq = node_prop(n, "interrupts", irqs, sizeof(irqs));
		nirq = nirq > 0 ? nirq / (4 * GIC_INTERRUPT_CELLS) : 0;
		snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device", n);
		assert_non_null(realpath(path, parent));
		found = 1;
		for (m = 0; m < MAX_UIO; m++) {
			if (m == n)
				continue;
			snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device", m);
			if (!realpath(path, other) || strcmp(other, parent))
				continue;
			snprintf(path, sizeof(path), "/sys/class/uio/uio%d/name", m);
			assert_true(sysfs_read(path, other, sizeof(other)) > 0);
			for (i = 1; i < nirq; i++) {
				snprintf(want, sizeof(want), "%s.irq%d", name, i);
				if (!strcmp(other, want))
					break;
			}
			if (i == nirq)
				fail_msg("uio%d (%s) shares a parent with %s", m, other, name);
			found++;
		}
		assert_int_equal(found, nirq ? nirq : 1);
		if (nirq > 1)
			groups++;
	}
	if (!strcmp(board(), "zcu102"))
		assert_int_equal(groups, 1);	/* ttc0 */
}

/* Map 0 of a device and the registers at its sub-page offset. */
struct regs {
	int fd;
	void *map;
	size_t len;
	volatile char *base;
};

static void regs_open(struct regs *r, const char *name)
{
	int n = uio_by_name(name);

	if (n < 0)
		fail_msg("no UIO device %s", name);
	/* The registers' window, from the start of its first page. */
	r->len = (size_t)(uio_map_attr(n, 0, "offset") + uio_map_attr(n, 0, "size"));
	r->fd = uio_open(n);
	assert_true(r->fd >= 0);
	r->map = uio_mmap(r->fd, 0, r->len);
	assert_non_null(r->map);
	r->base = (volatile char *)r->map + uio_map_attr(n, 0, "offset");
}

static void regs_close(struct regs *r)
{
	munmap(r->map, r->len);
	close(r->fd);
}

static void test_registers_reachable(void **state)
{
	struct regs r;

	(void)state;
	if (!strcmp(board(), "virt")) {
		regs_open(&r, "pl031");	/* PrimeCell PeriphID0..3 */
		assert_int_equal(rd32(r.base, 0xfe0), 0x31);
		assert_int_equal(rd32(r.base, 0xfe4), 0x10);
		assert_int_equal(rd32(r.base, 0xfe8), 0x14);
		assert_int_equal(rd32(r.base, 0xfec), 0x00);
		regs_close(&r);
		regs_open(&r, "virtio-blk");	/* virtio-mmio header, offset 0xe00 */
		assert_int_equal(rd32(r.base, 0x000), 0x74726976);	/* "virt" */
		assert_int_equal(rd32(r.base, 0x004), 2);	/* version */
		assert_int_equal(rd32(r.base, 0x008), 2);	/* block device */
		regs_close(&r);
	} else if (!strcmp(board(), "zcu102")) {
		regs_open(&r, "ttc0");	/* Counter_Control_1 resets to 0x21 */
		assert_int_equal(rd32(r.base, 0x0c), 0x21);
		regs_close(&r);
		regs_open(&r, "uart1");	/* Baud_rate_gen 0x28b, Baud_rate_divider 0xf */
		assert_int_equal(rd32(r.base, 0x18), 0x28b);
		assert_int_equal(rd32(r.base, 0x34), 0xf);
		regs_close(&r);
		regs_open(&r, "zdma0");	/* ZDMA_CH_IMR: all masked at reset */
		assert_int_equal(rd32(r.base, 0x104), 0xfff);
		regs_close(&r);
	} else {
		skip();
	}
}

/*
 * A region smaller than its pages exposes their rest to the process: the
 * stub says so in the kernel log when it binds such a device (virtio-blk,
 * 0x200 bytes at 0xa003e00), and says nothing for a whole-page one (PL031).
 */
static int bind_log_has(const char *name, const char *needle)
{
	const char *const needles[] = { needle, NULL };
	int fd = kmsg_open(), found;

	assert_true(fd >= 0);
	assert_int_equal(uio_rebind(name), 0);
	found = kmsg_scan(fd, needles, 0);
	close(fd);
	return found > 0;
}

static void test_subpage_region_logged(void **state)
{
	unsigned long long addr, offs, size;
	char want[160];
	int n;

	(void)state;
	if (strcmp(board(), "virt"))
		skip();
	n = uio_by_name("virtio-blk");
	assert_true(n >= 0);
	addr = (unsigned long long)uio_map_attr(n, 0, "addr");
	offs = (unsigned long long)uio_map_attr(n, 0, "offset");
	size = (unsigned long long)uio_map_attr(n, 0, "size");
	assert_int_equal(offs, 0xe00);
	assert_int_equal(addr & 0xfff, offs);
	/* the node's reg: 0x200 bytes, the rest of its page is not its own */
	assert_int_equal(size, 0x200);
	snprintf(want, sizeof(want),
		 "map0 [mem 0x%08llx-0x%08llx] is not page-aligned: userspace can reach the %llu bytes",
		 addr, addr + size - 1, (unsigned long long)getpagesize() - size);
	assert_true(bind_log_has("virtio-blk", want));
	assert_false(bind_log_has("pl031", "is not page-aligned"));
}

/* The DMA pool maps, keeps what is written, and is zeroed again at bind. */
static void test_dma_pool_mapped_zeroed(void **state)
{
	const char *name = !strcmp(board(), "virt") ? "virtio-blk" : "zdma0";
	int n = uio_by_name(name), fd, map = 1;
	size_t size, i;
	uint32_t *p;

	(void)state;
	if (n < 0)
		fail_msg("no UIO device %s", name);
	size = (size_t)uio_map_attr(n, map, "size");
	fd = uio_open(n);
	assert_true(fd >= 0);
	p = uio_mmap(fd, map, size);
	assert_non_null(p);
	for (i = 0; i < size / 4; i++)
		p[i] = 0xa5000000u | (uint32_t)i;
	munmap(p, size);
	p = uio_mmap(fd, map, size);
	assert_non_null(p);
	for (i = 0; i < size / 4; i++)
		assert_int_equal(p[i], 0xa5000000u | (uint32_t)i);
	munmap(p, size);
	/* Beyond the last map: refused. */
	assert_null(uio_mmap(fd, map + 1, getpagesize()));
	close(fd);

	assert_int_equal(uio_rebind(name), 0);
	n = uio_by_name(name);
	assert_true(n >= 0);
	fd = uio_open(n);
	assert_true(fd >= 0);
	p = uio_mmap(fd, map, size);
	assert_non_null(p);
	for (i = 0; i < size / 4; i++)
		if (p[i])
			fail_msg("pool word %zu is 0x%x after rebind, not zero", i, p[i]);
	munmap(p, size);
	close(fd);
}

/* A sysfs attribute of platform device `dev` as a string. */
static void platform_attr(const char *dev, const char *attr, char *out, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/%s", dev, attr);
	if (sysfs_read(path, out, len) < 0)
		snprintf(out, len, "(none)");
}

/*
 * The DT clocks of a platform device are enabled while it is bound to the
 * stub (virt's PL031 names apb-pclk, clk24mhz), and runtime PM is held while its node
 * is open: "active" while open, back to "suspended" after the last close.
 */
static void test_clocks_and_runtime_pm(void **state)
{
	/* QEMU's apb-pclk node, clock-output-names = "clk24mhz" */
	const char *clk = "/sys/kernel/debug/clk/clk24mhz/clk_enable_count";
	const char *dev = "9010000.pl031";
	char buf[64], path[256];
	long long bound, unbound;
	int n, fd, i;

	(void)state;
	if (strcmp(board(), "virt"))
		skip();
	bound = sysfs_num(clk);
	assert_true(bound >= 1);
	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver/unbind", dev);
	assert_int_equal(sysfs_write(path, dev), 0);
	unbound = sysfs_num(clk);
	assert_int_equal(sysfs_write("/sys/bus/platform/drivers/udrv_uio/bind", dev), 0);
	assert_int_equal(sysfs_num(clk), bound);
	assert_int_equal(bound - unbound, 1);

	platform_attr(dev, "power/runtime_status", buf, sizeof(buf));
	assert_string_equal(buf, "suspended");
	n = uio_by_name("pl031");
	assert_true(n >= 0);
	fd = uio_open(n);
	assert_true(fd >= 0);
	platform_attr(dev, "power/runtime_status", buf, sizeof(buf));
	assert_string_equal(buf, "active");
	close(fd);
	for (i = 0; i < 100; i++) {	/* the put is asynchronous */
		platform_attr(dev, "power/runtime_status", buf, sizeof(buf));
		if (!strcmp(buf, "suspended"))
			break;
		usleep(10000);
	}
	assert_string_equal(buf, "suspended");
	printf("# apb-pclk enabled %lld times bound, %lld unbound; runtime PM active only while open\n",
	       bound, unbound);
}

/* Is there a task named irq/<irq>-... (a threaded interrupt handler)? */
static int irq_thread_exists(int irq)
{
	char path[PATH_MAX], comm[64], want[32];
	struct dirent *e;
	int found = 0;
	DIR *d = opendir("/proc");

	assert_non_null(d);
	snprintf(want, sizeof(want), "irq/%d-", irq);
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		found = sysfs_read(path, comm, sizeof(comm)) > 0 &&
			!strncmp(comm, want, strlen(want));
	}
	closedir(d);
	return found;
}

/*
 * On PREEMPT_RT every handler that did not ask otherwise is forced into a
 * thread, the stub's included: the line is masked (oneshot) until that
 * thread has run the stub's handler, which masks it for userspace. The
 * interrupt suites show it works; this shows that path is the one taken:
 * each of the stub's interrupts (named after its UIO device in
 * /proc/interrupts) has its irq/N-name thread.
 */
static void test_irq_threaded_on_rt(void **state)
{
	const char *const *names = expected_names();
	char line[512], *last;
	struct utsname u;
	int irq, i, checked = 0;
	FILE *f;

	(void)state;
	assert_int_equal(uname(&u), 0);
	if (!strstr(u.version, "PREEMPT_RT") || !names)
		skip();	/* hard interrupt context: no thread to look for */
	f = fopen("/proc/interrupts", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, ' ');
		if (!last || sscanf(line, " %d:", &irq) != 1)
			continue;
		for (i = 0; names[i]; i++) {
			if (strcmp(last + 1, names[i]))
				continue;
			if (!irq_thread_exists(irq))
				fail_msg("interrupt %d (%s): no irq/%d-%s thread on PREEMPT_RT", irq,
					 names[i], irq, names[i]);
			printf("# %s: interrupt %d runs in thread irq/%d-%s\n", names[i], irq, irq,
			       names[i]);
			checked++;
		}
	}
	fclose(f);
	assert_true(checked >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_devices),
		cmocka_unit_test(test_maps_match_dt),
		cmocka_unit_test(test_one_uio_device_per_interrupt),
		cmocka_unit_test(test_registers_reachable),
		cmocka_unit_test(test_subpage_region_logged),
		cmocka_unit_test(test_dma_pool_mapped_zeroed),
		cmocka_unit_test(test_clocks_and_runtime_pm),
		cmocka_unit_test(test_irq_threaded_on_rt),
	};

	return cmocka_run_group_tests_name("stub_maps", tests, NULL, NULL);
}
