// SPDX-License-Identifier: MIT
/*
 * drivers/bcm2835-systimer on rpi3: the BCM2835 system timer of Debian's
 * bcm2837-rpi-3-b.dtb handed to the stub by dts/rpi3.dtso ("systimer",
 * one UIO device per compare channel), and the GPIO lines of its
 * "pulse-gpios" property on the pinctrl-bcm2835 chip.
 *
 * The figures: the counter runs at 1 MHz within 5% of
 * CLOCK_MONOTONIC over about half a second; a one-shot fires once, within
 * 50% of the interval asked; 50 periodic interrupts with none missed;
 * channels 1 and 3 interrupt independently. Nothing else is timed.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bcm2835_systimer.h"
#include "gpiod_compat.h"
#include "proc_irq.h"

#define MS 1000000ull
#define GPIO_NODE "/soc/gpio@7e200000"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct udrv_bcm2835_systimer *open_timer(void)
{
	struct udrv_bcm2835_systimer *t = NULL;

	assert_int_equal(udrv_bcm2835_systimer_open(NULL, &t), 0);
	return t;
}

/* The overlay's hand-over: identity kept, one UIO device per channel. */
static void test_open(void **state)
{
	struct udrv_bcm2835_systimer *t = NULL, *t2 = NULL;
	struct udrv_device *dev;
	struct udrv_irq *irq;

	(void)state;
	assert_int_equal(udrv_bcm2835_systimer_open(NULL, NULL), -EINVAL);
	assert_int_equal(udrv_bcm2835_systimer_open("no-such-timer", &t), -ENOENT);
	assert_null(t);
	t = open_timer();
	dev = udrv_bcm2835_systimer_device(t);
	assert_string_equal(udrv_device_name(dev), "systimer");
	assert_string_equal(udrv_device_dt_path(dev), "/soc/timer@7e003000");
	assert_int_equal(udrv_device_is_compatible(dev, BCM2835_SYSTIMER_COMPATIBLE), 1);
	assert_int_equal(udrv_device_num_irqs(dev), 4);
	irq = udrv_bcm2835_systimer_irq(t, 3);
	assert_non_null(irq);
	assert_int_equal(udrv_irq_index(irq), 3);
	assert_null(udrv_bcm2835_systimer_irq(t, 2));
	/* opens are exclusive: a second one is refused while t holds it */
	assert_int_equal(udrv_bcm2835_systimer_open("systimer", &t2), -EBUSY);
	udrv_bcm2835_systimer_close(NULL);
	udrv_bcm2835_systimer_close(t);
	/* the same device by its UIO name, once free */
	assert_int_equal(udrv_bcm2835_systimer_open("systimer", &t2), 0);
	udrv_bcm2835_systimer_close(t2);
}

static void test_refusals(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();

	(void)state;
	for (unsigned int ch = 0; ch < 5; ch += 2) {	/* 0, 2 (the VideoCore's), 4 */
		assert_int_equal(udrv_bcm2835_systimer_oneshot(t, ch, 1000), -EINVAL);
		assert_int_equal(udrv_bcm2835_systimer_periodic(t, ch, 1000), -EINVAL);
		assert_int_equal(udrv_bcm2835_systimer_stop(t, ch), -EINVAL);
		assert_int_equal(udrv_bcm2835_systimer_wait(t, ch, 0, NULL), -EINVAL);
		assert_int_equal(udrv_bcm2835_systimer_fd(t, ch), -EINVAL);
	}
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 1, 0), -ERANGE);
	assert_int_equal(udrv_bcm2835_systimer_periodic(t, 3, 0), -ERANGE);
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 1, BCM2835_SYSTIMER_MAX_INTERVAL_US + 1u),
			 -ERANGE);
	/* stopped channels: nothing comes */
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 1, 50 * MS, NULL), 0);
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 3, 0, NULL), 0);
	udrv_bcm2835_systimer_close(t);
}

/* ~0.5 s of the counter against CLOCK_MONOTONIC: 1 MHz within 5%; and
 * 64-bit reads never go backwards. */
static void test_counter_1mhz(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	uint64_t c0, c1, m0, m1, prev;
	double rate;

	(void)state;
	m0 = now_ns();
	c0 = udrv_bcm2835_systimer_counter(t);
	usleep(500000);
	c1 = udrv_bcm2835_systimer_counter(t);
	m1 = now_ns();
	rate = (double)(c1 - c0) * 1e9 / (double)(m1 - m0);
	print_message("counter: %llu ticks in %.1f ms: %.0f Hz\n", (unsigned long long)(c1 - c0),
		      (m1 - m0) / 1e6, rate);
	assert_true(rate >= 950000.0 && rate <= 1050000.0);

	prev = udrv_bcm2835_systimer_counter(t);
	for (int i = 0; i < 20000; i++) {
		uint64_t c = udrv_bcm2835_systimer_counter(t);

		assert_true(c >= prev);
		prev = c;
	}
	udrv_bcm2835_systimer_close(t);
}

/* A 100 ms one-shot on channel 1 fires once, within 50% of 100 ms. */
static void test_oneshot_ch1(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_bcm2835_systimer_tick tk;
	struct udrv_irq *irq = udrv_bcm2835_systimer_irq(t, 1);
	uint64_t t0, elapsed, c0, skipped = 1;
	uint32_t count;

	(void)state;
	t0 = now_ns();
	c0 = udrv_bcm2835_systimer_counter(t);
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 1, 100000), 0);
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 1, 2000 * MS, &tk), 1);
	elapsed = now_ns() - t0;
	print_message("one-shot of 100 ms: %.1f ms by CLOCK_MONOTONIC, %llu us after due\n",
		      elapsed / 1e6, (unsigned long long)(tk.now - tk.due));
	assert_int_equal(tk.channel, 1);
	assert_true(tk.due >= c0 + 100000);	/* armed no earlier than asked */
	assert_true(tk.now >= tk.due);		/* and did not fire before it */
	assert_int_equal(tk.skipped, 0);
	assert_in_range(elapsed, 50 * MS, 150 * MS);
	/* once: no second interrupt reaches the kernel or the driver */
	count = udrv_irq_count(irq);
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 1, 300 * MS, &tk), 0);
	assert_int_equal(udrv_irq_count(irq), count);
	assert_int_equal(udrv_bcm2835_systimer_matches(t, 1, &skipped), 1);
	assert_int_equal(skipped, 0);
	udrv_bcm2835_systimer_close(t);
}

/*
 * 50 interrupts at 50 Hz on channel 3, none missed: each one due exactly one
 * period after the last, no period skipped, no interrupt lost by the
 * kernel. QEMU shares this machine's two cores with other guests; if it is
 * not scheduled for a whole period, the match passes before the driver can
 * re-arm and a period is skipped whatever the driver does. So the run is
 * tried up to three times, each printed; one clean run passes.
 */
static bool fifty(struct udrv_bcm2835_systimer *t, struct udrv_irq *irq)
{
	uint64_t prev_due = 0, missed0 = udrv_irq_missed(irq), skipped = 0, worst = 0;
	bool phase = true;

	assert_int_equal(udrv_bcm2835_systimer_periodic(t, 3, 20000), 0);
	for (int i = 0; i < 50; i++) {
		struct udrv_bcm2835_systimer_tick tk;

		assert_int_equal(udrv_bcm2835_systimer_wait(t, 3, 2000 * MS, &tk), 1);
		assert_int_equal(tk.channel, 3);
		assert_true(tk.now >= tk.due);
		if (i && tk.due != prev_due + 20000)
			phase = false;
		prev_due = tk.due;
		skipped += tk.skipped;
		if (tk.now - tk.due > worst)
			worst = tk.now - tk.due;
	}
	assert_int_equal(udrv_bcm2835_systimer_stop(t, 3), 0);
	print_message("50 Hz x 50: %llu periods skipped, %llu interrupts lost, latest %llu us\n",
		      (unsigned long long)skipped,
		      (unsigned long long)(udrv_irq_missed(irq) - missed0),
		      (unsigned long long)worst);
	return phase && !skipped && udrv_irq_missed(irq) == missed0;
}

static void test_periodic_ch3(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_irq *irq = udrv_bcm2835_systimer_irq(t, 3);
	bool ok = false;

	(void)state;
	for (int attempt = 0; attempt < 3 && !ok; attempt++)
		ok = fifty(t, irq);
	assert_true(ok);
	assert_int_equal(udrv_bcm2835_systimer_matches(t, 3, NULL), 50);
	/* stopped: no more */
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 3, 100 * MS, NULL), 0);
	udrv_bcm2835_systimer_close(t);
}

/*
 * Both channels at once: channel 3 periodic every 10 ms, channel 1 a single
 * 45 ms one-shot, served from one poll() over the two fds for 150 ms.
 * Channel 1 interrupts exactly once, in the middle of channel 3's run (some
 * of channel 3's matches were due before it, some after), and each
 * channel's UIO device counts only its own interrupts: every event on
 * channel 3's was one of its matches (none stale, none from channel 1).
 */
static void test_channels_independent(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_irq *irq1 = udrv_bcm2835_systimer_irq(t, 1), *irq3 = udrv_bcm2835_systimer_irq(t, 3);
	uint32_t k1 = udrv_irq_count(irq1), k3 = udrv_irq_count(irq3);
	struct pollfd pfd[2] = {
		{ .fd = udrv_bcm2835_systimer_fd(t, 1), .events = POLLIN },
		{ .fd = udrv_bcm2835_systimer_fd(t, 3), .events = POLLIN },
	};
	uint64_t end, due1 = 0, before = 0, after = 0;
	unsigned int n1 = 0, n3 = 0;

	(void)state;
	assert_true(pfd[0].fd >= 0 && pfd[1].fd >= 0 && pfd[0].fd != pfd[1].fd);
	assert_int_equal(udrv_bcm2835_systimer_periodic(t, 3, 10000), 0);
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 1, 45000), 0);
	end = now_ns() + 150 * MS;
	for (uint64_t now; (now = now_ns()) < end;) {
		struct udrv_bcm2835_systimer_tick tk;
		int r = poll(pfd, 2, (int)((end - now) / MS) + 1);

		assert_true(r >= 0);
		if (pfd[0].revents & POLLIN) {
			assert_int_equal(udrv_irq_wait(irq1, 0), 1);
			if (udrv_bcm2835_systimer_handle(t, 1, &tk) == 1) {
				assert_int_equal(tk.channel, 1);
				due1 = tk.due;
				n1++;
			}
		}
		if (pfd[1].revents & POLLIN) {
			assert_int_equal(udrv_irq_wait(irq3, 0), 1);
			if (udrv_bcm2835_systimer_handle(t, 3, &tk) == 1) {
				assert_int_equal(tk.channel, 3);
				if (!before || tk.due < before)
					before = tk.due;	/* the first */
				after = tk.due;			/* the last */
				n3++;
			}
		}
	}
	assert_int_equal(udrv_bcm2835_systimer_stop(t, 3), 0);
	print_message("150 ms: channel 1 %u interrupt(s), channel 3 %u\n", n1, n3);
	assert_int_equal(n1, 1);
	assert_true(before < due1 && due1 < after);
	assert_int_equal((uint32_t)(udrv_irq_count(irq1) - k1), 1);
	assert_int_equal((uint32_t)(udrv_irq_count(irq3) - k3), n3);
	assert_int_equal(udrv_bcm2835_systimer_matches(t, 3, NULL), n3);
	udrv_bcm2835_systimer_close(t);
}

/*
 * A match left pending (fired, never handled, line masked by the stub)
 * must not wake the next start: it is cleared before the unmask. And a
 * channel stopped while running must not come back as an interrupt at the
 * next start (its compare is parked, see hw_stop()).
 */
static void test_stale_match_cleared(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_irq *irq = udrv_bcm2835_systimer_irq(t, 3);
	struct udrv_bcm2835_systimer_tick tk;
	uint32_t count;
	uint64_t t0;

	(void)state;
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 1, 1000), 0);
	usleep(30000);		/* matched; the kernel took it and masked the line */
	t0 = now_ns();
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 1, 100000), 0);
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 1, 2000 * MS, &tk), 1);
	assert_true(tk.now >= tk.due);
	assert_true(now_ns() - t0 >= 50 * MS);	/* the new one-shot's, not the stale one */
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 1, 100 * MS, NULL), 0);

	assert_int_equal(udrv_bcm2835_systimer_periodic(t, 3, 1000), 0);
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 3, 2000 * MS, NULL), 1);
	assert_int_equal(udrv_bcm2835_systimer_stop(t, 3), 0);
	usleep(30000);		/* where its next matches would have been */
	assert_int_equal(udrv_bcm2835_systimer_oneshot(t, 3, 50000), 0);
	count = udrv_irq_count(irq);
	assert_int_equal(udrv_bcm2835_systimer_wait(t, 3, 2000 * MS, &tk), 1);
	assert_true(tk.now >= tk.due);
	assert_int_equal(udrv_irq_count(irq) - count, 1);	/* the one-shot's alone */
	udrv_bcm2835_systimer_close(t);
}

/* ---- GPIO lines of pinctrl-bcm2835 through "pulse-gpios" ---------------- */

static struct udrv_dt *timer_dt(struct udrv_bcm2835_systimer *t)
{
	struct udrv_dt *dt = NULL;

	assert_int_equal(udrv_device_dt(udrv_bcm2835_systimer_device(t), &dt), 0);
	return dt;
}

/* The kernel's view of line @offset of @chip_name: direction, consumer. */
static void line_info(const char *chip_name, unsigned int offset, int *dir, char *consumer,
		      size_t len, bool *used)
{
	assert_int_equal(test_gpiod_line_info(chip_name, offset, dir, used, consumer, len), 0);
}

/* The physical level of a free line, read through a request of its own. */
static int raw_level(const char *chip_name, unsigned int offset)
{
	int v = test_gpiod_raw_level(chip_name, offset, "udrv-test-raw");

	assert_true(v == 0 || v == 1);
	return v;
}

static void test_gpio_lookup(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_dt *dt = timer_dt(t);
	struct udrv_gpio_desc d0, d1, d2;
	char label[64];

	(void)state;
	assert_int_equal(udrv_dt_gpio_lookup(dt, "pulse", 0, &d0), 0);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "pulse", 1, &d1), 0);
	assert_int_equal(udrv_dt_gpio_lookup(dt, "pulse", 2, &d2), -ENOENT);
	/* the overlay's numeric phandle still names the GPIO controller */
	assert_string_equal(d0.controller, GPIO_NODE);
	assert_string_equal(d1.controller, GPIO_NODE);
	assert_string_equal(d0.chip, d1.chip);
	assert_int_equal(d0.offset, 17);
	assert_int_equal(d0.dt_flags, 0);
	assert_int_equal(d1.offset, 27);
	assert_int_equal(d1.dt_flags, UDRV_GPIO_DT_ACTIVE_LOW);
	assert_int_equal(test_gpiod_chip_label(d0.chip, label, sizeof(label)), 0);
	assert_string_equal(label, "pinctrl-bcm2835");
	udrv_bcm2835_systimer_close(t);
}

/*
 * GPIO17 as an output through libudrv: the kernel reports it as our
 * output; each level set reads back (the bcm2835 driver reads GPLEV, which
 * QEMU's model updates from GPSET/GPCLR); a second request of the held line
 * is refused; once released, a second handle of its own reads the last
 * level driven (QEMU keeps GPLEV latched when the pin turns input; a real
 * pin would float to its pull).
 */
static void test_gpio_output_readback(void **state)
{
	static const struct udrv_gpio_config hi = { .mode = UDRV_GPIO_OUTPUT, .value = 1,
						    .consumer = "udrv-test" };
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_device *dev = udrv_bcm2835_systimer_device(t);
	struct udrv_gpio *g = NULL, *g2 = NULL;
	char chip[64], consumer[64];
	bool used;
	int dir;

	(void)state;
	assert_int_equal(udrv_device_gpio_open(dev, "pulse", 0, &hi, &g), 0);
	snprintf(chip, sizeof(chip), "%s", udrv_gpio_desc(g)->chip);
	line_info(chip, 17, &dir, consumer, sizeof(consumer), &used);
	assert_int_equal(dir, GPIOD_LINE_DIRECTION_OUTPUT);
	assert_true(used);
	assert_string_equal(consumer, "udrv-test");
	assert_int_equal(udrv_gpio_get(g), 1);
	assert_int_equal(udrv_gpio_set(g, 0), 0);
	assert_int_equal(udrv_gpio_get(g), 0);
	assert_int_equal(udrv_gpio_set(g, 1), 0);
	assert_int_equal(udrv_gpio_get(g), 1);
	assert_int_equal(udrv_device_gpio_open(dev, "pulse", 0, NULL, &g2), -EBUSY);
	assert_null(g2);
	udrv_gpio_close(g);

	/* released: read back through a second request, as an input */
	assert_int_equal(udrv_device_gpio_open(dev, "pulse", 0, NULL, &g2), 0);
	assert_int_equal(udrv_gpio_get(g2), 1);
	assert_int_equal(udrv_gpio_set(g2, 0), -EPERM);
	udrv_gpio_close(g2);
	/* and low the same way */
	assert_int_equal(udrv_device_gpio_open(dev, "pulse", 0, &hi, &g), 0);
	assert_int_equal(udrv_gpio_set(g, 0), 0);
	udrv_gpio_close(g);
	assert_int_equal(raw_level(chip, 17), 0);
	line_info(chip, 17, &dir, consumer, sizeof(consumer), &used);
	assert_false(used);
	udrv_bcm2835_systimer_close(t);
}

/* GPIO27 is active low in the property: logical 1 drives the pin low. */
static void test_gpio_active_low(void **state)
{
	struct udrv_gpio_config cfg = { .mode = UDRV_GPIO_OUTPUT, .value = 1 };
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_device *dev = udrv_bcm2835_systimer_device(t);
	struct udrv_gpio *g = NULL;
	char chip[64];

	(void)state;
	assert_int_equal(udrv_device_gpio_open(dev, "pulse", 1, &cfg, &g), 0);
	snprintf(chip, sizeof(chip), "%s", udrv_gpio_desc(g)->chip);
	assert_int_equal(udrv_gpio_get(g), 1);
	udrv_gpio_close(g);
	assert_int_equal(raw_level(chip, 27), 0);
	cfg.value = 0;
	assert_int_equal(udrv_device_gpio_open(dev, "pulse", 1, &cfg, &g), 0);
	assert_int_equal(udrv_gpio_get(g), 0);
	udrv_gpio_close(g);
	assert_int_equal(raw_level(chip, 27), 1);
	udrv_bcm2835_systimer_close(t);
}

/* The CPUs task @pid may run on ("Cpus_allowed_list"), into @out. */
static void cpus_allowed(const char *pid, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	out[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			snprintf(out, len, "%s", line + 18 + strspn(line + 18, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	fclose(f);
}

/* Each thread of the interrupt runs on CPU 0 only. */
static void on_cpu0(const char *pid, const char *comm, void *data)
{
	char cpus[64];

	(void)data;
	cpus_allowed(pid, cpus, sizeof(cpus));
	print_message("%s: CPUs %s\n", comm, cpus);
	assert_string_equal(cpus, "0");
}

/*
 * udrv_rt_apply() with cpu=1 on channel 1: the BCM2836's ARMCTRL interrupt
 * cannot leave CPU 0 (the kernel refuses the affinity), so it returns 1,
 * the calling thread runs on CPU 1 only, and the interrupt's threads (on
 * PREEMPT_RT or threadirqs; none otherwise) are pinned to CPU 0, which
 * serves it.
 */
static void test_rt_fixed_interrupt(void **state)
{
	struct udrv_bcm2835_systimer *t = open_timer();
	struct udrv_rt_opts o = { .cpu = 1 };
	int irq = proc_irq_number("systimer.irq1"), threads;
	cpu_set_t set;

	(void)state;
	assert_int_equal(udrv_rt_apply(&o, udrv_bcm2835_systimer_irq(t, 1)), 1);
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET(1, &set));
	assert_true(irq > 0);
	threads = proc_irq_threads(irq, on_cpu0, NULL);
	print_message("interrupt %d: %d thread(s)\n", irq, threads);
	CPU_ZERO(&set);
	for (int c = 0; c < CPU_SETSIZE && c < 4; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
	udrv_bcm2835_systimer_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rt_fixed_interrupt),
		cmocka_unit_test(test_counter_1mhz),
		cmocka_unit_test(test_oneshot_ch1),
		cmocka_unit_test(test_periodic_ch3),
		cmocka_unit_test(test_channels_independent),
		cmocka_unit_test(test_stale_match_cleared),
		cmocka_unit_test(test_gpio_lookup),
		cmocka_unit_test(test_gpio_output_readback),
		cmocka_unit_test(test_gpio_active_low),
	};

	return cmocka_run_group_tests_name("systimer", tests, NULL, NULL);
}
