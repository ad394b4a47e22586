// SPDX-License-Identifier: MIT
/*
 * Guest suite for libudrv's device tree and GPIO support.
 *
 * virt:   the PL031's properties read through udrv equal what dts/virt.dtso
 *         declares (compared with the installed .dtbo); button-gpios is
 *         PL061 line 3; the power key pressed by the harness (QMP
 *         system_powerdown) arrives as an edge through the udrv loop,
 *         waiting with no press times out, and an active-low specifier
 *         inverts values and edges.
 * zcu102: TTC0's clock rate (through its clocks phandle) and reg read
 *         through udrv equal the blob the board booted, parsed here with
 *         libfdt directly; devices are found by their udrv,compatible.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <udrv.h>

#define MS 1000000ull

static const char *board(void)
{
	const char *b = getenv("UDRV_BOARD");

	return b ? b : "";
}

static bool on(const char *b)
{
	return strcmp(board(), b) == 0;
}

/* Read a whole file into a malloc'ed buffer; its length in *len. */
static void *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	*len = n;
	return buf;
}

/* ---- virt ---- */

struct virt {
	struct udrv_device *dev;
	struct udrv_dt *dt;
};

static int virt_setup(void **state)
{
	static struct virt v;

	if (strcmp(board(), "virt"))
		return 0;
	/* found by its own identity: "udrv,compatible" */
	if (udrv_device_open_dt_compatible("arm,pl031", 0, &v.dev) ||
	    udrv_device_dt(v.dev, &v.dt))
		return -1;
	*state = &v;
	return 0;
}

static int virt_teardown(void **state)
{
	struct virt *v = *state;

	if (v)
		udrv_device_close(v->dev);
	return 0;
}

static void test_virt_typed_properties(void **state)
{
	struct virt *v = *state;
	uint32_t u32 = 0, cells[5] = { 0 };
	uint64_t u64 = 0, addr = 0, size = 0;
	struct udrv_region *r;
	const char *s;

	if (!on("virt"))
		skip();
	assert_string_equal(udrv_device_name(v->dev), "pl031");
	assert_string_equal(udrv_dt_path(v->dt), "/pl031@9010000");
	assert_int_equal(udrv_device_is_compatible(v->dev, "udrv,uio"), 1);
	assert_int_equal(udrv_dt_is_compatible(v->dt, "arm,pl031"), 1);
	assert_int_equal(udrv_dt_is_compatible(v->dt, "arm,primecell"), 0);

	/* what dts/virt.dtso declares */
	assert_int_equal(udrv_dt_u32(v->dt, "udrv,test-u32", &u32), 0);
	assert_int_equal(u32, 0x12345678);
	assert_int_equal(udrv_dt_u64(v->dt, "udrv,test-u64", &u64), 0);
	assert_true(u64 == 0x1122334455667788ull);
	assert_int_equal(udrv_dt_u32_array(v->dt, "udrv,test-cells", cells, 5), 4);
	assert_int_equal(cells[0], 1);
	assert_int_equal(cells[2], 3);
	assert_int_equal(cells[3], 0xffffffff);
	assert_int_equal(udrv_dt_string_count(v->dt, "udrv,test-strings"), 3);
	assert_int_equal(udrv_dt_string(v->dt, "udrv,test-strings", 2, &s), 0);
	assert_string_equal(s, "third");
	assert_int_equal(udrv_dt_string_index(v->dt, "udrv,test-strings", "second"), 1);
	assert_int_equal(udrv_dt_bool(v->dt, "udrv,test-flag"), 1);
	assert_int_equal(udrv_dt_bool(v->dt, "udrv,test-absent"), 0);
	assert_int_equal(udrv_dt_u32(v->dt, "udrv,test-u64", &u32), -EINVAL);
	assert_non_null(strstr(udrv_last_error(), "udrv,test-u64"));

	/* reg, with the root's 2+2 cells: the region the stub mapped */
	assert_int_equal(udrv_dt_reg(v->dt, 0, &addr, &size), 1);
	assert_true(addr == 0x9010000 && size == 0x1000);
	assert_int_equal(udrv_device_region(v->dev, 0, 0, &r), 0);
	assert_true(udrv_region_phys(r) == addr);
}

/* Every property of the overlay fragment for the PL031, byte for byte
 * (phandles: resolved to the node the overlay names). */
static void test_virt_properties_match_overlay(void **state)
{
	struct virt *v = *state;
	const char *name = getenv("UDRV_BOARD_NAME");
	char path[PATH_MAX];
	int frag, checked = 0;
	size_t len;
	void *ov;

	if (!on("virt"))
		skip();
	if (name && !strcmp(name, "virt-bounce"))
		name = "virt";	/* dts/virt-bounce.dtso goes on virt's, the PL031's */
	snprintf(path, sizeof(path), "/usr/share/udrv/dts/%s.dtbo", name ? name : board());
	ov = slurp(path, &len);
	assert_int_equal(fdt_check_full(ov, len), 0);
	fdt_for_each_subnode(frag, ov, 0) {
		const char *target = fdt_getprop(ov, frag, "target-path", NULL);
		int o = fdt_subnode_offset(ov, frag, "__overlay__"), p;

		if (!target || strcmp(target, "/pl031@9010000") || o < 0)
			continue;
		fdt_for_each_property_offset(p, ov, o) {
			const char *pname;
			int plen;
			const void *want = fdt_getprop_by_offset(ov, p, &pname, &plen);
			const void *got = NULL;

			assert_int_equal(udrv_dt_property(v->dt, pname, &got), plen);
			if (strstr(pname, "-gpios")) {
				/* <&pl061 line flags>...: the phandles were resolved */
				const uint8_t *g = got, *w = want;

				for (int i = 0; i < plen / 12; i++) {
					struct udrv_dt *ctl = NULL;
					uint32_t args[2];

					assert_memory_equal(g + 12 * i + 4, w + 12 * i + 4, 8);
					assert_int_equal(udrv_dt_phandle_args(v->dt, pname,
									      "#gpio-cells", i,
									      &ctl, args, 2), 2);
					assert_string_equal(udrv_dt_path(ctl), "/pl061@9030000");
					udrv_dt_close(ctl);
				}
			} else {
				assert_memory_equal(got, want, plen);
			}
			checked++;
		}
	}
	free(ov);
	assert_true(checked >= 10);
}

/* The PL031's clock: QEMU's apb-pclk fixed clock, as in the blob. */
static void test_virt_clock(void **state)
{
	struct virt *v = *state;
	struct udrv_dt *clk = NULL;
	uint64_t hz = 0;
	uint32_t raw;

	if (!on("virt"))
		skip();
	assert_int_equal(udrv_dt_clock_frequency(v->dt, 0, &hz), 0);
	assert_int_equal(udrv_dt_phandle_args(v->dt, "clocks", "#clock-cells", 0, &clk, NULL, 0),
			 0);
	assert_int_equal(udrv_dt_u32(clk, "clock-frequency", &raw), 0);
	assert_true(hz == raw && hz > 0);
	udrv_dt_close(clk);
}

static void test_virt_button_lookup(void **state)
{
	struct virt *v = *state;
	struct udrv_gpio_desc d;
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (!on("virt"))
		skip();
	assert_int_equal(udrv_dt_gpio_lookup(v->dt, "button", 0, &d), 0);
	assert_string_equal(d.controller, "/pl061@9030000");
	assert_int_equal(d.offset, 3);
	assert_int_equal(d.dt_flags, 0);
	/* the chip the kernel's gpio-pl061 made for that node */
	snprintf(path, sizeof(path), "/sys/bus/gpio/devices/%s/of_node", d.chip);
	assert_non_null(realpath(path, real));
	assert_string_equal(real, "/sys/firmware/devicetree/base/pl061@9030000");
	snprintf(path, sizeof(path), "/dev/%s", d.chip);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(udrv_dt_gpio_lookup(v->dt, "button", 1, &d), -ENOENT);
	assert_int_equal(udrv_dt_gpio_lookup(v->dt, "reset", 0, &d), -ENOENT);
	assert_non_null(strstr(udrv_last_error(), "reset-gpios"));
}

static void test_virt_button_input(void **state)
{
	struct virt *v = *state;
	struct udrv_gpio *g = NULL, *g2 = NULL;

	if (!on("virt"))
		skip();
	assert_int_equal(udrv_device_gpio_open(v->dev, "button", 0, NULL, &g), 0);
	assert_int_equal(udrv_gpio_get(g), 0);	/* not pressed */
	assert_int_equal(udrv_gpio_set(g, 1), -EPERM);
	assert_int_equal(udrv_gpio_fd(g), -EPERM);
	assert_int_equal(udrv_gpio_wait_event(g, 0, NULL), -EPERM);
	assert_int_equal(udrv_gpio_desc(g)->offset, 3);
	/* the line is ours while we hold it */
	assert_int_equal(udrv_device_gpio_open(v->dev, "button", 0, NULL, &g2), -EBUSY);
	assert_null(g2);
	udrv_gpio_close(g);
	assert_int_equal(udrv_device_gpio_open(v->dev, "button", 0, NULL, &g2), 0);
	udrv_gpio_close(g2);
}

struct press {
	struct udrv_gpio_event ev[4];
	int n;
	int timeouts;
};

static int on_edge(struct udrv_gpio *g, const struct udrv_gpio_event *ev, int status,
		   void *data)
{
	struct press *p = data;

	(void)g;
	if (status < 0)
		return status;
	if (p->n < 4)
		p->ev[p->n] = *ev;
	p->n++;
	return 0;
}

static int on_timer(struct udrv_loop *loop, void *data)
{
	struct press *p = data;

	p->timeouts++;
	udrv_loop_stop(loop, p->n ? 2 : 1);
	return 0;
}

static int stop_on_edge(struct udrv_gpio *g, const struct udrv_gpio_event *ev, int status,
			void *data)
{
	int ret = on_edge(g, ev, status, data);

	return ret ? ret : -EINTR;	/* stop the loop at the first edge */
}

/*
 * Request @name for edge events. The PL061 latches an edge that happens
 * while nobody has the line (the release after another suite's press) and
 * reports it as soon as a request unmasks its interrupt: drain such a stale
 * edge (there is at most one) before the test proper.
 */
static struct udrv_gpio *events(struct virt *v, const char *name)
{
	static const struct udrv_gpio_config cfg = { .mode = UDRV_GPIO_EVENTS,
						     .edge = UDRV_GPIO_EDGE_BOTH,
						     .consumer = "udrv-test" };
	struct udrv_gpio *g = NULL;
	int stale = 0;

	assert_int_equal(udrv_device_gpio_open(v->dev, name, 0, &cfg, &g), 0);
	while (udrv_gpio_wait_event(g, 200 * MS, NULL) == 1)
		stale++;
	assert_true(stale <= 1);
	return g;
}

/* Nobody presses the key: waits time out, the loop serves only its timer. */
static void test_virt_button_timeout(void **state)
{
	struct virt *v = *state;
	struct udrv_gpio *g = NULL;
	struct udrv_loop *loop = NULL;
	struct press p = { 0 };

	if (!on("virt"))
		skip();
	g = events(v, "button");
	assert_true(udrv_gpio_fd(g) >= 0);
	assert_int_equal(udrv_gpio_wait_event(g, 0, NULL), 0);
	assert_int_equal(udrv_gpio_wait_event(g, 200 * MS, NULL), 0);

	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_loop_add_gpio(loop, g, on_edge, &p), 0);
	assert_int_equal(udrv_loop_add_gpio(loop, g, on_edge, &p), -EEXIST);
	assert_true(udrv_loop_add_timer(loop, 200 * MS, 0, on_timer, &p) > 0);
	assert_int_equal(udrv_loop_run(loop), 1);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.timeouts, 1);
	assert_int_equal(udrv_loop_remove_gpio(loop, g), 0);
	assert_int_equal(udrv_loop_remove_gpio(loop, g), -ENOENT);
	udrv_loop_free(loop);
	udrv_gpio_close(g);
}

/*
 * The harness presses the power key (QMP system_powerdown): QEMU raises
 * PL061 line 3 and releases it shortly after. The press arrives through the
 * udrv loop as a rising edge, the release as a falling one.
 */
static void test_virt_button_press(void **state)
{
	struct virt *v = *state;
	struct udrv_gpio *g = NULL, *in = NULL;
	struct udrv_loop *loop = NULL;
	struct udrv_gpio_event ev;
	struct press p = { 0 };

	if (!on("virt"))
		skip();
	g = events(v, "button");
	assert_int_equal(udrv_loop_new(&loop), 0);
	assert_int_equal(udrv_loop_add_gpio(loop, g, stop_on_edge, &p), 0);
	/* a bound, not a timing check: a guest with no edge in 30 s has failed */
	assert_true(udrv_loop_add_timer(loop, 30000 * MS, 0, on_timer, &p) > 0);

	printf("@@UDRV-HOST powerdown\n");
	fflush(stdout);
	assert_int_equal(udrv_loop_run(loop), -EINTR);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.timeouts, 0);
	assert_int_equal(p.ev[0].edge, UDRV_GPIO_EDGE_RISING);
	udrv_loop_free(loop);

	/* the release */
	assert_int_equal(udrv_gpio_wait_event(g, 30000 * MS, &ev), 1);
	assert_int_equal(ev.edge, UDRV_GPIO_EDGE_FALLING);
	assert_true(ev.timestamp_ns > p.ev[0].timestamp_ns);
	udrv_gpio_close(g);
	assert_int_equal(udrv_device_gpio_open(v->dev, "button", 0, NULL, &in), 0);
	assert_int_equal(udrv_gpio_get(in), 0);
	udrv_gpio_close(in);
}

/*
 * The same line through a specifier with GPIO_ACTIVE_LOW: values and edges
 * are logical, so the idle line reads 1 and a press is a falling edge.
 */
static void test_virt_button_active_low(void **state)
{
	struct virt *v = *state;
	struct udrv_gpio *g = NULL;
	struct udrv_gpio_event ev[2];

	if (!on("virt"))
		skip();
	assert_int_equal(udrv_device_gpio_open(v->dev, "inverted-button", 0, NULL, &g), 0);
	assert_int_equal(udrv_gpio_desc(g)->dt_flags, UDRV_GPIO_DT_ACTIVE_LOW);
	assert_int_equal(udrv_gpio_get(g), 1);
	udrv_gpio_close(g);

	g = events(v, "inverted-button");
	printf("@@UDRV-HOST powerdown\n");
	fflush(stdout);
	/* bounds, not timing checks */
	assert_int_equal(udrv_gpio_wait_event(g, 30000 * MS, &ev[0]), 1);
	assert_int_equal(udrv_gpio_wait_event(g, 30000 * MS, &ev[1]), 1);
	assert_int_equal(ev[0].edge, UDRV_GPIO_EDGE_FALLING);
	assert_int_equal(ev[1].edge, UDRV_GPIO_EDGE_RISING);
	udrv_gpio_close(g);
}

/* Outputs: two free PL061 lines, the second through an active-low specifier;
 * values are logical both ways. */
static void test_virt_outputs(void **state)
{
	const struct udrv_gpio_config out1 = { .mode = UDRV_GPIO_OUTPUT, .value = 1 };
	struct virt *v = *state;
	struct udrv_gpio *g = NULL, *inv = NULL;
	struct udrv_dt *ctl = NULL;
	uint32_t args[2];

	if (!on("virt"))
		skip();
	assert_int_equal(udrv_device_gpio_open(v->dev, "udrv,test-out", 0, &out1, &g), 0);
	assert_int_equal(udrv_gpio_desc(g)->offset, 0);
	assert_int_equal(udrv_gpio_get(g), 1);
	assert_int_equal(udrv_gpio_set(g, 0), 0);
	assert_int_equal(udrv_gpio_get(g), 0);
	assert_int_equal(udrv_gpio_set(g, 1), 0);
	assert_int_equal(udrv_gpio_get(g), 1);
	assert_int_equal(udrv_gpio_fd(g), -EPERM);

	assert_int_equal(udrv_device_gpio_open(v->dev, "udrv,test-out", 1, &out1, &inv), 0);
	assert_int_equal(udrv_gpio_desc(inv)->offset, 1);
	assert_int_equal(udrv_gpio_desc(inv)->dt_flags, UDRV_GPIO_DT_ACTIVE_LOW);
	assert_int_equal(udrv_gpio_get(inv), 1);
	assert_int_equal(udrv_gpio_set(inv, 0), 0);
	assert_int_equal(udrv_gpio_get(inv), 0);
	udrv_gpio_close(inv);
	udrv_gpio_close(g);

	/* the specifiers themselves, through the generic reader */
	assert_int_equal(udrv_dt_phandle_args(v->dt, "udrv,test-out-gpios", "#gpio-cells", 1,
					      &ctl, args, 2), 2);
	assert_string_equal(udrv_dt_path(ctl), "/pl061@9030000");
	assert_int_equal(args[0], 1);
	assert_int_equal(args[1], 1);
	udrv_dt_close(ctl);
	assert_int_equal(udrv_device_gpio_open(v->dev, "udrv,test-out", 2, &out1, &g), -ENOENT);
}

/*
 * The live tree made into a blob gives what the booted blob gives, also to
 * a process that may not read /sys/firmware/fdt (root only).
 */
/* No cmocka asserts here: a forked child runs it too. 0 if all is well,
 * else the line that found otherwise. */
static int check_live(void)
{
	struct udrv_dt *live = NULL, *ctl = NULL;
	uint32_t u32 = 0, args[2];
	int bad = 0;

	if (udrv_dt_open_live("/pl031@9010000", &live))
		return __LINE__;
	if (udrv_dt_u32(live, "udrv,test-u32", &u32) || u32 != 0x12345678)
		bad = __LINE__;
	else if (udrv_dt_is_compatible(live, "arm,pl031") != 1)
		bad = __LINE__;
	else if (udrv_dt_phandle_args(live, "button-gpios", "#gpio-cells", 0, &ctl, args, 2) != 2)
		bad = __LINE__;
	else if (strcmp(udrv_dt_path(ctl), "/pl061@9030000") || args[0] != 3)
		bad = __LINE__;
	udrv_dt_close(ctl);
	udrv_dt_close(live);
	return bad;
}

static void test_virt_live_tree(void **state)
{
	struct virt *v = *state;
	struct udrv_dt *live = NULL;
	const void *a, *b;
	int la, lb, st = -1;
	pid_t pid;

	if (!on("virt"))
		skip();
	assert_int_equal(check_live(), 0);
	/* byte for byte, a property of each kind */
	assert_int_equal(udrv_dt_open_live("/pl031@9010000", &live), 0);
	static const char *const props[] = { "reg", "udrv,test-u64", "udrv,test-strings",
					     "udrv,test-cells", "interrupts", "udrv,compatible" };
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		la = udrv_dt_property(v->dt, props[i], &a);
		lb = udrv_dt_property(live, props[i], &b);
		assert_true(la > 0);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
	}
	udrv_dt_close(live);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct udrv_dt *dt = NULL;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (udrv_dt_open_file("/sys/firmware/fdt", "/pl031@9010000", &dt) != -EACCES)
			_exit(3);
		_exit(check_live() ? 4 : 0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- zcu102 ---- */

/* reg entry 0 and the rate of clock 0 of @path, from the blob with libfdt. */
static void blob_facts(const void *fdt, const char *path, uint64_t *addr, uint64_t *size,
		       uint64_t *hz, const char **clk_path)
{
	static char cp[256];
	const fdt32_t *reg, *clocks, *freq;
	int off, parent, ac, sc, len, clk;

	off = fdt_path_offset(fdt, path);
	assert_true(off >= 0);
	parent = fdt_parent_offset(fdt, off);
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	assert_true(ac == 2 && sc == 2);
	reg = fdt_getprop(fdt, off, "reg", &len);
	assert_true(reg && len >= 16);
	*addr = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
	*size = (uint64_t)fdt32_to_cpu(reg[2]) << 32 | fdt32_to_cpu(reg[3]);
	clocks = fdt_getprop(fdt, off, "clocks", &len);
	assert_true(clocks && len >= 4);
	clk = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(clocks[0]));
	assert_true(clk >= 0);
	assert_int_equal(fdt_get_path(fdt, clk, cp, sizeof(cp)), 0);
	*clk_path = cp;
	freq = fdt_getprop(fdt, clk, "clock-frequency", &len);
	assert_true(freq && len == 4);
	*hz = fdt32_to_cpu(*freq);
}

static void test_zcu102_ttc_clock_and_reg(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dt *dt = NULL;
	struct udrv_region *r;
	uint64_t hz = 0, addr = 0, size = 0, b_addr, b_size, b_hz;
	const char *clk_path;
	size_t len;
	void *fdt;

	(void)state;
	if (!on("zcu102"))
		skip();
	/* the blob the board booted, parsed here without udrv */
	fdt = slurp("/sys/firmware/fdt", &len);
	assert_int_equal(fdt_check_full(fdt, len), 0);
	blob_facts(fdt, "/axi/timer@ff110000", &b_addr, &b_size, &b_hz, &clk_path);

	assert_int_equal(udrv_device_open_dt_compatible("cdns,ttc", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "ttc0");
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_string_equal(udrv_dt_path(dt), "/axi/timer@ff110000");

	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &hz), 0);
	assert_true(hz == b_hz);
	/* the fixed clock dts/zcu102.dtso gives TTC0: QEMU's cadence_ttc rate */
	assert_string_equal(clk_path, "/udrv-ttc-clk");
	assert_true(hz == 133000000);

	assert_int_equal(udrv_dt_reg(dt, 0, &addr, &size), 1);
	assert_true(addr == b_addr && size == b_size);
	assert_true(addr == 0xff110000);
	assert_int_equal(udrv_device_region(dev, 0, 0, &r), 0);
	assert_true(udrv_region_phys(r) == addr);
	udrv_device_close(dev);
	free(fdt);
}

/* Other clocks of the board: UART1's own clock-frequency (its clocks were
 * emptied), ZDMA has none, the console UART's fixed clock. */
static void test_zcu102_other_clocks(void **state)
{
	struct udrv_device *dev = NULL;
	struct udrv_dt *dt = NULL, *uart0 = NULL;
	uint64_t hz = 0;

	(void)state;
	if (!on("zcu102"))
		skip();
	assert_int_equal(udrv_device_open_dt_compatible("cdns,uart-r1p12", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "uart1");
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &hz), 0);
	assert_true(hz == 50000000);
	assert_int_equal(udrv_dt_is_compatible(dt, "xlnx,zynqmp-uart"), 1);
	udrv_device_close(dev);

	assert_int_equal(udrv_device_open_dt_compatible("xlnx,zynqmp-dma-1.0", 0, &dev), 0);
	assert_string_equal(udrv_device_name(dev), "zdma0");
	assert_int_equal(udrv_device_is_compatible(dev, "udrv,uio"), 1);
	assert_int_equal(udrv_device_dt(dev, &dt), 0);
	assert_int_equal(udrv_dt_clock_frequency(dt, 0, &hz), -ENOENT);
	udrv_device_close(dev);

	/* a node no UIO device stands for, from the same blob */
	assert_int_equal(udrv_dt_open_file("/sys/firmware/fdt", "/axi/serial@ff000000", &uart0),
			 0);
	assert_int_equal(udrv_dt_clock_frequency(uart0, 0, &hz), 0);
	assert_true(hz == 100000000);
	udrv_dt_close(uart0);
}

static int own_cb(const struct udrv_device_info *info, void *data)
{
	int *seen = data;

	if (!strcmp(info->name, "ttc0")) {
		assert_string_equal(info->compatible, "udrv,uio");
		assert_string_equal(info->udrv_compatible, "cdns,ttc");
		assert_int_equal(udrv_device_info_is_compatible(info, "cdns,ttc"), 1);
		(*seen)++;
	}
	return 0;
}

static void test_zcu102_foreach_identity(void **state)
{
	int seen = 0;

	(void)state;
	if (!on("zcu102"))
		skip();
	assert_true(udrv_device_foreach(own_cb, &seen) >= 3);
	assert_int_equal(seen, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virt_typed_properties),
		cmocka_unit_test(test_virt_properties_match_overlay),
		cmocka_unit_test(test_virt_clock),
		cmocka_unit_test(test_virt_button_lookup),
		cmocka_unit_test(test_virt_button_input),
		cmocka_unit_test(test_virt_button_timeout),
		cmocka_unit_test(test_virt_button_press),
		cmocka_unit_test(test_virt_button_active_low),
		cmocka_unit_test(test_virt_outputs),
		cmocka_unit_test(test_virt_live_tree),
		cmocka_unit_test(test_zcu102_ttc_clock_and_reg),
		cmocka_unit_test(test_zcu102_other_clocks),
		cmocka_unit_test(test_zcu102_foreach_identity),
	};

	return cmocka_run_group_tests_name("dt", tests, virt_setup, virt_teardown);
}
