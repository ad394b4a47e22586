// SPDX-License-Identifier: MIT
/*
 * The simulation itself (sim/sim.c): a simulated device is found and opened
 * like a real one; register accesses reach the hooks and the trace; the
 * interrupt keeps the stub's semantics (masked on delivery, an edge while
 * masked delivered at the unmask, a held level re-fires); the pool is the
 * device's memory by bus address; removal looks like an unbind; bad input is
 * refused.
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "udrv_sim.h"

static const char compat[] = "acme,widget-1.0\0acme,widget";

static struct udrv_sim_device *widget(unsigned int irqs)
{
	static const struct udrv_sim_map maps[] = { { "regs", 0xa0000000, 0x100 },
						    { "fifo", 0xa0010040, 0x40 } };
	struct udrv_sim_config c = {
		.name = "widget", .dt_path = "/soc/widget@a0000000", .compatible = compat,
		.compatible_len = sizeof(compat), .maps = maps, .nmaps = 2, .irqs = irqs,
		.pool_size = 0x10000, .pool_addr = 0x80000000,
	};
	struct udrv_sim_device *d = NULL;

	assert_int_equal(udrv_sim_device_add(&c, &d), 0);
	return d;
}

/* A counter register that counts reads, and a "doorbell" whose write sets a
 * status bit (write-1-to-clear) and raises the interrupt. */
static void count_read(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	(void)ctx;
	udrv_sim_set(d, a->map, 0x10, 4, udrv_sim_get(d, a->map, 0x10, 4) + 1);
}

static void doorbell(struct udrv_sim_device *d, void *ctx, const struct udrv_sim_access *a)
{
	(void)ctx;
	if (a->off == 0x20 && a->value) {
		udrv_sim_set(d, 0, 0x24, 4, udrv_sim_get(d, 0, 0x24, 4) | 1);
		udrv_sim_irq_pulse(d, 0);
	} else if (a->off == 0x24) {	/* write 1 to clear */
		udrv_sim_set(d, 0, 0x24, 4, a->old & ~a->value);
	}
}

static int seen(const struct udrv_device_info *info, void *data)
{
	struct udrv_device_info *out = data;

	if (!strcmp(info->name, "widget")) {
		out->nodes = info->nodes;
		out->source = info->source;
		out->uio = udrv_device_info_is_compatible(info, "acme,widget");
	}
	return 0;
}

static void test_found_like_a_real_device(void **state)
{
	struct udrv_sim_device *d = widget(1);
	struct udrv_device *dev = NULL, *again = NULL;
	struct udrv_region *r;
	struct udrv_open_opts o = { .compatible = "acme,widget" };

	struct udrv_device_info info = { 0 };

	(void)state;
	assert_int_equal(udrv_device_foreach(seen, &info), 1);	/* the one device */
	assert_int_equal(info.nodes, 1);
	assert_int_equal(info.source, UDRV_SOURCE_DT);
	assert_int_equal(info.uio, 1);	/* compatible */
	assert_int_equal(udrv_device_open_with(&o, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "widget");
	assert_string_equal(udrv_device_dt_path(dev), "/soc/widget@a0000000");
	assert_string_equal(udrv_device_driver(dev), "udrv_uio");
	assert_int_equal(udrv_device_num_regions(dev), 2);
	assert_int_equal(udrv_device_region_by_name(dev, "fifo", 0, &r), 0);
	assert_int_equal(udrv_region_size(r), 0x40);
	assert_int_equal(udrv_region_phys(r), 0xa0010040);
	assert_int_equal(udrv_device_dma_pool_size(dev), 0x10000);
	/* exclusive, as /dev/uioN's flock */
	assert_int_equal(udrv_device_open("widget", &again), -EBUSY);
	udrv_device_close(dev);
	/* the kernel's view: a platform device the stub drives, with its pool */
	struct udrv_kdev kd;
	struct udrv_open_opts sel = { .dt_path = "/soc/widget@a0000000" };

	assert_int_equal(udrv_kdev_find(&sel, &kd), 0);
	assert_string_equal(kd.bus, "platform");
	assert_string_equal(kd.name, "a0000000.widget");
	assert_string_equal(kd.driver, "udrv_uio");
	assert_string_equal(kd.uio_name, "widget");
	assert_int_equal(kd.pool_size, 0x10000);
	assert_int_equal(udrv_device_open_dt_path("/soc/widget@a0000000", &dev), 0);
	udrv_device_close(dev);
	udrv_sim_device_free(d);
	assert_int_equal(udrv_device_open("widget", &dev), -ENOENT);
}

static void test_registers_hooks_trace(void **state)
{
	struct udrv_sim_device *d = widget(1);
	struct udrv_sim_trace t[8];
	struct udrv_device *dev;
	struct udrv_region *r;
	volatile void *base;

	(void)state;
	assert_int_equal(udrv_sim_hook(d, 0, 0x10, 4, count_read, NULL, NULL), 0);
	assert_int_equal(udrv_sim_hook(d, 0, 0x20, 8, NULL, doorbell, NULL), 0);
	udrv_sim_set(d, 0, 0x0, 4, 0x12345678);
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	base = udrv_region_base(r);
	assert_int_equal(udrv_read32(base, 0x0), 0x12345678);
	assert_int_equal(udrv_read32(base, 0x10), 1);	/* the hook ran first */
	assert_int_equal(udrv_read32(base, 0x10), 2);
	udrv_write16(base, 0x40, 0xbeef);		/* plain memory */
	assert_int_equal(udrv_sim_get(d, 0, 0x40, 2), 0xbeef);
	assert_int_equal(udrv_sim_trace(d, t, 8), 4);
	assert_int_equal(t[1].event, UDRV_SIM_READ);
	assert_int_equal(t[1].a.off, 0x10);
	assert_int_equal(t[1].a.value, 1);
	assert_int_equal(t[3].event, UDRV_SIM_WRITE);
	assert_int_equal(t[3].a.width, 2);
	assert_int_equal(t[3].a.value, 0xbeef);
	udrv_sim_trace_clear(d);
	assert_int_equal(udrv_sim_trace(d, NULL, 0), 0);
	/* the second region starts 0x40 into its page */
	assert_int_equal(udrv_device_region(dev, 1, 0, &r), 0);
	udrv_write32(udrv_region_base(r), 0x3c, 7);
	assert_int_equal(udrv_sim_get(d, 1, 0x3c, 4), 7);
	udrv_device_close(dev);
	udrv_sim_device_free(d);
}

static void test_interrupt_semantics(void **state)
{
	struct udrv_sim_device *d = widget(1);
	struct udrv_device *dev;
	struct udrv_region *r;
	struct udrv_irq *irq;
	volatile void *base;

	(void)state;
	assert_int_equal(udrv_sim_hook(d, 0, 0x20, 8, NULL, doorbell, NULL), 0);
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	base = udrv_region_base(r);
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	udrv_write32(base, 0x20, 1);			/* the model raises it */
	assert_true(udrv_sim_irq_masked(d, 0));
	assert_int_equal(udrv_irq_wait(irq, 1000000000ull), 1);
	assert_int_equal(udrv_read32(base, 0x24), 1);
	/* an edge while masked waits for the unmask */
	udrv_write32(base, 0x20, 1);
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	assert_int_equal(udrv_sim_irq_count(d, 0), 1);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_sim_irq_count(d, 0), 2);
	assert_int_equal(udrv_irq_wait(irq, 1000000000ull), 1);
	/* a level line held re-fires at each unmask, until released */
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_sim_irq_set(d, 0, true), 0);
	assert_int_equal(udrv_irq_wait(irq, 1000000000ull), 1);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 1000000000ull), 1);
	assert_int_equal(udrv_sim_irq_set(d, 0, false), 0);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	assert_int_equal(udrv_sim_irq_count(d, 0), 4);
	assert_false(udrv_sim_irq_masked(d, 0));
	udrv_device_close(dev);
	assert_int_equal(udrv_sim_irq_set(d, 1, true), -EINVAL);
	udrv_sim_device_free(d);
}

static void fire(struct udrv_sim_device *d, void *ctx)
{
	(void)ctx;
	udrv_sim_irq_pulse(d, 0);
}

static void test_timer_wakes_a_waiting_driver(void **state)
{
	struct udrv_sim_device *d = widget(1);
	struct udrv_device *dev;
	struct udrv_irq *irq;
	uint64_t t0;
	int id;

	(void)state;
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	t0 = udrv_now_ns();
	assert_true(udrv_sim_after(d, 50000000, fire, NULL) > 0);
	assert_int_equal(udrv_irq_wait(irq, 2000000000ull), 1);
	assert_true(udrv_now_ns() - t0 >= 50000000);
	/* a cancelled timer does not fire */
	assert_int_equal(udrv_irq_unmask(irq), 0);
	id = udrv_sim_after(d, 20000000, fire, NULL);
	assert_int_equal(udrv_sim_cancel(d, id), 0);
	assert_int_equal(udrv_sim_cancel(d, id), -ENOENT);
	assert_int_equal(udrv_irq_wait(irq, 100000000ull), 0);
	udrv_device_close(dev);
	udrv_sim_device_free(d);
}

static void test_pool_by_bus_address(void **state)
{
	struct udrv_sim_device *d = widget(1);
	struct udrv_device *dev;
	struct udrv_dma_buf *b;
	char back[6] = "";

	(void)state;
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_dma_alloc(dev, 4096, 0, &b), 0);
	assert_true(udrv_dma_bus(b) >= 0x80000000 && udrv_dma_bus(b) < 0x80010000);
	memcpy(udrv_dma_cpu(b), "hello", 6);
	assert_int_equal(udrv_sim_dma_read(d, udrv_dma_bus(b), back, 6), 0);
	assert_string_equal(back, "hello");
	assert_int_equal(udrv_sim_dma_write(d, udrv_dma_bus(b), "bye!", 5), 0);
	assert_string_equal(udrv_dma_cpu(b), "bye!");
	assert_int_equal(udrv_sim_dma_read(d, 0x80010000 - 2, back, 4), -EFAULT);
	assert_int_equal(udrv_sim_dma_read(d, 0x7fffffff, back, 1), -EFAULT);
	udrv_dma_free(b);
	udrv_device_close(dev);
	udrv_sim_device_free(d);
}

static void test_removal_is_an_unbind(void **state)
{
	struct udrv_sim_device *d = widget(2);
	struct udrv_device *dev;
	struct udrv_region *r;
	struct udrv_irq *irq;
	volatile void *base;
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_num_irqs(dev), 2);
	assert_int_equal(udrv_device_irq(dev, 1, &irq), 0);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	base = udrv_region_base(r);
	udrv_write32(base, 0, 5);
	assert_int_equal(udrv_device_present(dev), 0);
	assert_int_equal(udrv_sim_device_remove(d), 0);
	assert_int_equal(udrv_device_present(dev), -ENODEV);
	assert_int_equal(udrv_sim_device_remove(d), -ENODEV);
	assert_int_equal(udrv_irq_wait(irq, 1000000000ull), -ENODEV);
	assert_int_equal(udrv_sim_irq_pulse(d, 1), -ENODEV);
	assert_int_equal(udrv_sim_get(d, 0, 0, 4), 5);	/* the model still sees it */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		signal(SIGBUS, SIG_DFL);	/* not cmocka's handler */
		(void)udrv_read32(base, 0);	/* revoked: SIGBUS */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
	udrv_device_close(dev);
	assert_int_equal(udrv_device_open("widget", &dev), -ENOENT);
	udrv_sim_device_free(d);
}

static int lock_byte(struct udrv_device *dev, short type, off_t byte)
{
	struct udrv_irq *irq;
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };

	assert_int_equal(udrv_device_irq(dev, 0, &irq), 0);
	return fcntl(udrv_irq_fd(irq), F_OFD_SETLK, &fl) ? -errno : 0;
}

/* A driver's own fcntl() locks on an interrupt fd (drivers/ttc claims its
 * counters so): per node, between open files, as on /dev/uioN. */
static void test_fcntl_locks_per_node(void **state)
{
	struct udrv_sim_device *d = widget(1), *d2;
	struct udrv_open_opts o = { .name = "widget", .shared = true };
	struct udrv_sim_config c = { .name = "other", .irqs = 1 };
	struct udrv_device *a, *b, *other;
	struct udrv_irq *irq;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

	(void)state;
	assert_int_equal(udrv_sim_device_add(&c, &d2), 0);
	assert_int_equal(udrv_device_open_with(&o, &a), 0);
	assert_int_equal(udrv_device_open_with(&o, &b), 0);
	assert_int_equal(udrv_device_open("other", &other), 0);
	assert_int_equal(lock_byte(a, F_WRLCK, 0), 0);
	assert_int_equal(lock_byte(a, F_WRLCK, 0), 0);		/* its own: fine */
	assert_int_equal(lock_byte(b, F_WRLCK, 0), -EAGAIN);	/* another open file */
	assert_int_equal(lock_byte(b, F_RDLCK, 0), -EAGAIN);
	assert_int_equal(lock_byte(b, F_WRLCK, 1), 0);		/* another byte */
	assert_int_equal(lock_byte(other, F_WRLCK, 0), 0);	/* another node */
	assert_int_equal(udrv_device_irq(b, 0, &irq), 0);
	assert_int_equal(fcntl(udrv_irq_fd(irq), F_OFD_GETLK, &fl), 0);
	assert_int_equal(fl.l_type, F_WRLCK);			/* a's, on byte 0 */
	assert_int_equal(fl.l_start, 0);
	assert_int_equal(lock_byte(a, F_UNLCK, 0), 0);
	assert_int_equal(lock_byte(b, F_WRLCK, 0), 0);		/* released */
	assert_int_equal(lock_byte(a, F_WRLCK, 0), -EAGAIN);
	udrv_device_close(b);					/* close releases */
	assert_int_equal(lock_byte(a, F_WRLCK, 0), 0);
	/* any other fcntl() is the system call's */
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	assert_int_equal(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
	assert_int_equal(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
	udrv_device_close(a);
	udrv_device_close(other);
	udrv_sim_device_free(d2);
	udrv_sim_device_free(d);
}

static void test_bad_configs(void **state)
{
	static const struct udrv_sim_map zero[] = { { "regs", 0x1000, 0 } };
	struct udrv_sim_config c = { .name = "x" };
	struct udrv_sim_device *d = NULL, *d2 = NULL;

	(void)state;
	assert_int_equal(udrv_sim_device_add(&(struct udrv_sim_config){ 0 }, &d), -EINVAL);
	c.maps = zero;
	c.nmaps = 1;
	assert_int_equal(udrv_sim_device_add(&c, &d), -EINVAL);
	c.nmaps = 0;
	c.irqs = 9;
	assert_int_equal(udrv_sim_device_add(&c, &d), -EINVAL);
	c.irqs = 0;
	c.dt_path = "/a";
	c.pci = "0000:00:01.0";
	assert_int_equal(udrv_sim_device_add(&c, &d), -EINVAL);
	c.dt_path = NULL;
	assert_int_equal(udrv_sim_device_add(&c, &d), 0);
	assert_int_equal(udrv_sim_device_add(&c, &d2), -EEXIST);
	assert_null(d2);
	assert_int_equal(udrv_sim_hook(d, 0, 0, 4, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(udrv_sim_dt_prop(d, "x", "", 1), -EINVAL);	/* no DT node */
	udrv_sim_device_free(d);
}

static void test_dt_fragment(void **state)
{
	struct udrv_sim_device *d = widget(1);
	struct udrv_device *dev;
	struct udrv_dt *node;
	static char blob[4096];
	uint32_t v = 0;
	uint64_t hz = 0;
	FILE *f = fopen(WIDGET_DTB, "rb");

	(void)state;
	assert_non_null(f);
	assert_true(fread(blob, 1, sizeof(blob), f) > 0);
	fclose(f);
	assert_int_equal(udrv_sim_dt_load(d, blob, "/widget@a0000000"), 0);
	assert_int_equal(udrv_sim_dt_load(d, blob, "/nothing"), -ENOENT);
	assert_int_equal(udrv_sim_dt_load(d, "not a blob", "/"), -EINVAL);
	assert_int_equal(udrv_device_open("widget", &dev), 0);
	assert_int_equal(udrv_device_dt(dev, &node), 0);
	assert_int_equal(udrv_dt_u32(node, "acme,fifo-depth", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(udrv_device_clock_frequency(dev, 0, &hz), 0);
	assert_int_equal(hz, 100000000);
	udrv_device_close(dev);
	udrv_sim_device_free(d);
}

static void test_pci_identity(void **state)
{
	struct udrv_sim_map bar = { "bar0", 0xfe000000, 0x100000 };
	struct udrv_sim_config c = { .name = "edu", .pci = "0000:00:02.0", .vendor = 0x1234,
				     .device = 0x11e8, .maps = &bar, .nmaps = 1, .irqs = 1,
				     .pool_size = 0x4000 };
	struct udrv_sim_device *d;
	struct udrv_device *dev;
	uint16_t v, id;

	(void)state;
	assert_int_equal(udrv_sim_device_add(&c, &d), 0);
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 0, &dev), 0);
	assert_string_equal(udrv_device_pci_address(dev), "0000:00:02.0");
	assert_int_equal(udrv_device_pci_id(dev, &v, &id), 0);
	assert_int_equal(id, 0x11e8);
	udrv_device_close(dev);
	/* a second function with the same UIO name, as the stub names them */
	struct udrv_sim_device *d2;

	c.pci = "0000:00:03.0";
	assert_int_equal(udrv_sim_device_add(&c, &d2), 0);
	assert_int_equal(udrv_device_open_pci_id(0x1234, 0x11e8, 1, &dev), 0);
	assert_string_equal(udrv_device_pci_address(dev), "0000:00:03.0");
	udrv_device_close(dev);
	assert_int_equal(udrv_sim_device_add(&c, &d), -EEXIST);	/* that address again */
	udrv_sim_device_free(d2);
	udrv_sim_device_free(d);
}

/* The output of `udrv ARGS` (the real tool, another process, the same
 * UDRV_ROOT) into @buf; its exit status. */
static int tool(char *buf, size_t size, const char *args)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", getenv("UDRV_TOOL"), args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, size - 1, p);
	buf[n] = '\0';
	return WEXITSTATUS(pclose(p));
}

static void test_the_tool_finds_it(void **state)
{
	struct udrv_sim_device *d = widget(1);
	char out[4096];

	(void)state;
	if (!getenv("UDRV_TOOL"))
		skip();
	assert_int_equal(tool(out, sizeof(out), "list"), 0);
	assert_non_null(strstr(out, "widget"));
	assert_non_null(strstr(out, "/soc/widget@a0000000"));
	assert_non_null(strstr(out, "fifo"));
	assert_non_null(strstr(out, "offset 0x40"));
	/* Its registers live in this process: another one that opens it gets
	 * a one-line error, not a crash. */
	assert_int_equal(tool(out, sizeof(out), "read widget regs 0"), 1);
	assert_non_null(strstr(out, "cannot open widget"));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);	/* one line */
	udrv_sim_device_free(d);
	assert_int_equal(tool(out, sizeof(out), "list"), 0);
	assert_null(strstr(out, "widget"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_like_a_real_device),
		cmocka_unit_test(test_registers_hooks_trace),
		cmocka_unit_test(test_interrupt_semantics),
		cmocka_unit_test(test_timer_wakes_a_waiting_driver),
		cmocka_unit_test(test_pool_by_bus_address),
		cmocka_unit_test(test_removal_is_an_unbind),
		cmocka_unit_test(test_fcntl_locks_per_node),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_dt_fragment),
		cmocka_unit_test(test_pci_identity),
		cmocka_unit_test(test_the_tool_finds_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
