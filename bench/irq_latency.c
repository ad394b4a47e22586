// SPDX-License-Identifier: MIT
/*
 * irq-latency BOARD - how late a device interrupt reaches its userspace
 * driver's thread, timestamped by the device's own counter, beside
 * cyclictest (rt-tests) on the same guest at the same time:
 *   zcu102  Cadence TTC counter 0 at 1 kHz: the counter's value when the
 *           driver wakes is the time since its interval expired
 *           (udrv_ttc_event.hw_latency_ns);
 *   rpi3    BCM2835 system timer, channel 1 every 1000 us: the 1 MHz
 *           counter at wakeup minus the compare value it matched.
 * SAMPLES wakeups for each configuration of the driver's thread, each in a
 * process of its own so that nothing leaks into the next: none; fifo
 * (SCHED_FIFO 80); fifo,cpu (it and its interrupt on the last CPU); fifo,
 * cpu,mlock (udrv_rt_apply()). cyclictest runs meanwhile (SCHED_FIFO 80,
 * 1000 us, on CPU 0). One JSON object per configuration: min, p50, p99,
 * p99.9, max in microseconds for both, the histogram of the driver's (10 us
 * buckets), and the driver's p99 over cyclictest's. Emulated times are not
 * hardware times: the ratio is the claim. Other boards print nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bcm2835_systimer.h"
#include "ttc.h"

#define SAMPLES		10000
#define PERIOD_US	1000
#define BUCKET_US	10
#define BUCKETS		200	/* the last one holds everything from 1990 us */
#define MS		1000000ull

struct stats {
	double min, p50, p99, p999, max;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Percentiles of @n sorted samples in ns. */
static struct stats stats_of(const uint64_t *v, size_t n)
{
	return (struct stats){ v[0] / 1e3, v[n / 2] / 1e3, v[(n * 99) / 100] / 1e3,
			       v[(n * 999) / 1000] / 1e3, v[n - 1] / 1e3 };
}

/* One sample per wakeup into @v (ns); @merged counts the expiries or
 * periods lost to a late wakeup; *@moved: the interrupt went to @rt's CPU
 * (the BCM2836's ARMCTRL interrupts cannot: CPU 0 serves them, and their
 * thread on PREEMPT_RT is pinned there instead). 0 or -errno. */
static int collect(bool ttc, const struct udrv_rt_opts *rt, uint64_t *v, uint64_t *merged,
		   bool *moved)
{
	struct udrv_bcm2835_systimer *st = NULL;
	struct udrv_ttc *t = NULL;
	struct udrv_irq *irq = NULL;
	int ret;

	if (ttc)
		ret = udrv_ttc_open(NULL, 0, 0, &t);
	else
		ret = udrv_bcm2835_systimer_open(NULL, &st);
	if (ret)
		return ret;
	if (ttc)
		ret = udrv_device_irq(udrv_ttc_device(t), 0, &irq);
	else
		irq = udrv_bcm2835_systimer_irq(st, 1);
	if (!ret)
		ret = udrv_rt_apply(rt, NULL);
	if (!ret && rt->cpu >= 0) {
		struct udrv_rt_opts cpu_only = { .cpu = rt->cpu };

		*moved = udrv_rt_apply(&cpu_only, irq) == 0;
	}
	if (!ret)
		ret = ttc ? udrv_ttc_start_periodic(t, 1000000 / PERIOD_US) :
			    udrv_bcm2835_systimer_periodic(st, 1, PERIOD_US);
	for (size_t i = 0; !ret && i < SAMPLES; i++) {
		if (ttc) {
			struct udrv_ttc_event ev;

			ret = udrv_ttc_wait(t, 1000 * MS, &ev);
			v[i] = ev.hw_latency_ns;
			*merged += ret > 0 ? ev.expirations - 1 : 0;
		} else {
			struct udrv_bcm2835_systimer_tick tk;

			ret = udrv_bcm2835_systimer_wait(st, 1, 1000 * MS, &tk);
			v[i] = (tk.now - tk.due) * 1000;
			*merged += ret > 0 ? tk.skipped : 0;
		}
		ret = ret > 0 ? 0 : ret ? ret : -ETIMEDOUT;
	}
	if (ret)
		fprintf(stderr, "irq-latency: %s\n", udrv_last_error());
	udrv_ttc_close(t);
	udrv_bcm2835_systimer_close(st);
	return ret;
}

/* cyclictest -h's histogram (one line per microsecond) into stats. */
static int cyclictest_stats(FILE *f, struct stats *s)
{
	static uint64_t hist[10001];
	uint64_t n = 0, seen = 0, over = 0;
	unsigned int us, max = 0;
	unsigned long long c;
	char line[256];

	memset(hist, 0, sizeof(hist));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %llu", &us, &c) == 2 && us <= 10000) {
			hist[us] += c;
			n += c;
		} else if (sscanf(line, "# Max Latencies: %u", &us) == 1) {
			max = us;
		} else if (sscanf(line, "# Histogram Overflows: %llu", &c) == 1) {
			over = c;
		}
	}
	if (!n)
		return -1;
	double want[] = { 0, 0.5, 0.99, 0.999 }, *out[] = { &s->min, &s->p50, &s->p99, &s->p999 };

	for (size_t k = 0; k < 4; k++) {
		seen = 0;
		for (us = 0; us <= 10000; us++) {
			seen += hist[us];
			if (seen > (uint64_t)(want[k] * (double)(n + over)))
				break;
		}
		*out[k] = us;
	}
	s->max = max;
	return 0;
}

static void print_stats(const char *key, const struct stats *s)
{
	printf("\"%s\": {\"min_us\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, \"p99_9_us\": %.1f, "
	       "\"max_us\": %.1f}", key, s->min, s->p50, s->p99, s->p999, s->max);
}

/* One configuration: cyclictest beside the measurement. */
static int run(bool ttc, const char *name, struct udrv_rt_opts rt)
{
	static uint64_t v[SAMPLES];
	char loops[16], tmp[] = "/tmp/cyclictest-XXXXXX";
	struct stats cs = { 0 };
	struct utsname u;
	uint64_t merged = 0;
	bool moved = false;
	int st, fd, ret;
	pid_t cyc;

	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	snprintf(loops, sizeof(loops), "%d", SAMPLES);
	cyc = fork();
	if (cyc == 0) {
		dup2(fd, 1);
		execlp("cyclictest", "cyclictest", "-q", "-m", "-p", "80", "-t1", "-a", "0", "-i",
		       "1000", "-l", loops, "-h", "10000", (char *)NULL);
		_exit(127);
	}
	ret = collect(ttc, &rt, v, &merged, &moved);
	if (cyc > 0)
		waitpid(cyc, &st, 0);
	lseek(fd, 0, SEEK_SET);
	FILE *f = fdopen(fd, "r");
	bool have_cyc = f && cyc > 0 && !cyclictest_stats(f, &cs);

	if (f)
		fclose(f);
	unlink(tmp);
	if (ret)
		return ret;
	qsort(v, SAMPLES, sizeof(v[0]), cmp_u64);
	struct stats us = stats_of(v, SAMPLES);

	uname(&u);
	printf("{\"bench\": \"irq_latency\", \"device\": \"%s\", \"kernel\": \"%s\", \"config\": \"%s\", "
	       "\"samples\": %d, \"period_us\": %d, \"lost_periods\": %llu, \"irq_moved\": %s, ",
	       ttc ? "ttc" : "systimer", u.release, name, SAMPLES, PERIOD_US,
	       (unsigned long long)merged, moved ? "true" : "false");
	print_stats("udrv", &us);
	printf(", ");
	if (have_cyc) {
		print_stats("cyclictest", &cs);
		printf(", \"p99_over_cyclictest\": %.2f, ", cs.p99 > 0 ? us.p99 / cs.p99 : 0.0);
	} else {
		printf("\"cyclictest\": null, ");
	}
	printf("\"hist_10us\": [");
	for (size_t i = 0, b = 0, first = 1; b < BUCKETS; b++) {
		size_t c = 0;

		while (i < SAMPLES && (v[i] / 1000 / BUCKET_US < b + 1 || b == BUCKETS - 1))
			i++, c++;
		if (c) {
			printf("%s[%zu, %zu]", first ? "" : ", ", b * BUCKET_US, c);
			first = 0;
		}
	}
	printf("]}\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *board = argc > 1 ? argv[1] : "?";
	bool ttc = !strncmp(board, "zcu102", 6);
	int last = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;	/* cyclictest has CPU 0 */
	const struct { const char *name; struct udrv_rt_opts rt; } configs[] = {
		{ "none", { 0, -1, false } }, { "fifo", { 80, -1, false } },
		{ "fifo,cpu", { 80, last, false } }, { "fifo,cpu,mlock", { 80, last, true } },
	};
	int rc = 0;

	if (!ttc && strncmp(board, "rpi3", 4))
		return 0;
	for (size_t k = 0; k < sizeof(configs) / sizeof(configs[0]); k++) {
		pid_t pid = fork();
		int st;

		if (pid == 0)
			_exit(run(ttc, configs[k].name, configs[k].rt) ? 1 : 0);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	}
	return rc;
}
