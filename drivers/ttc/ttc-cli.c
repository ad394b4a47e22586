// SPDX-License-Identifier: MIT
/*
 * udrv-ttc - drive a Cadence TTC counter from the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "ttc.h"

#define PROG "udrv-ttc"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: udrv-ttc [--device NAME] [--counter N] [--clock HZ] [--rt SPEC] COMMAND\n"
		"  periodic HZ COUNT   interrupt HZ times a second, COUNT times; print each\n"
		"                      wakeup's lateness and min/avg/p99/max, and the latency\n"
		"                      the TTC's own counter measured (min/p50/p99/max)\n"
		"  oneshot MS          one interrupt after MS milliseconds\n"
		"  count               read the counter twice\n"
		"  --device NAME       UIO name of the TTC (default: a cdns,ttc node)\n"
		"  --counter N         counter 0..2 (default 0)\n"
		"  --clock HZ          input clock (default: the DT's clock-frequency)\n"
		CLI_RT_HELP);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "udrv-ttc: %s: %s%s%s\n", what, strerror(-err),
		*udrv_last_error() ? ": " : "", udrv_last_error());
	return 1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int periodic(struct udrv_ttc *t, unsigned long hz, unsigned long count)
{
	int64_t *late = calloc(count, sizeof(*late)), *hw = calloc(count, sizeof(*hw));
	uint64_t missed = 0, first = 0, last = 0;
	double sum = 0;
	int ret;

	if (!late || !hw) {
		free(late);
		free(hw);
		return fail("periodic", -ENOMEM);
	}
	if ((ret = udrv_ttc_start_periodic(t, (uint32_t)hz))) {
		free(late);
		free(hw);
		return fail("start", ret);
	}
	printf("ttc: %lu Hz from a %u Hz clock: period %llu ns\n", hz, udrv_ttc_clock_hz(t),
	       (unsigned long long)udrv_ttc_period_ns(t));
	for (unsigned long i = 0; i < count; i++) {
		struct udrv_ttc_event ev;
		uint64_t timeout = 10 * udrv_ttc_period_ns(t) + 1000000000ull;

		ret = udrv_ttc_wait(t, timeout, &ev);
		if (ret <= 0) {
			free(late);
			free(hw);
			return fail("wait", ret ? ret : -ETIMEDOUT);
		}
		late[i] = ev.lateness_ns;
		hw[i] = (int64_t)ev.hw_latency_ns;
		sum += (double)ev.lateness_ns;
		missed += ev.expirations - 1;
		if (!i)
			first = ev.when_ns;
		last = ev.when_ns;
		printf("wakeup %lu: late %.1f us, %.1f us by the counter%s\n", i + 1,
		       ev.lateness_ns / 1e3, ev.hw_latency_ns / 1e3,
		       ev.expirations > 1 ? " (merged expiries)" : "");
	}
	udrv_ttc_stop(t);
	qsort(late, count, sizeof(*late), cmp_i64);
	qsort(hw, count, sizeof(*hw), cmp_i64);
	size_t p99 = (size_t)((count * 99 + 99) / 100) - 1;

	printf("summary: %lu wakeups, %llu missed, lateness min %.1f avg %.1f p99 %.1f max %.1f us",
	       count, (unsigned long long)missed, late[0] / 1e3, sum / count / 1e3,
	       late[p99] / 1e3, late[count - 1] / 1e3);
	if (count > 1)
		printf(", wakeup rate %.3f Hz", (count - 1) * 1e9 / (double)(last - first));
	printf("\nby the counter: min %.1f p50 %.1f p99 %.1f max %.1f us\n", hw[0] / 1e3,
	       hw[count / 2] / 1e3, hw[p99] / 1e3, hw[count - 1] / 1e3);
	free(late);
	free(hw);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "counter", required_argument, NULL, 'n' },
		{ "clock", required_argument, NULL, 'c' },
		{ "rt", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dev = NULL;
	unsigned long long counter = 0, clk = 0, a, b;
	struct udrv_rt_opts rt = { .cpu = -1 };
	struct udrv_irq *irq;
	struct udrv_ttc *t;
	int c, ret;

	opterr = 0;	/* cli_bad_option() says what was wrong */
	while ((c = getopt_long(argc, argv, "+d:n:c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'n': if (cli_number(PROG, "counter", optarg, 0, 2, &counter)) return 2; break;
		case 'c': if (cli_number(PROG, "clock", optarg, 1, UINT32_MAX, &clk)) return 2; break;
		case 'r': if (cli_rt_parse(PROG, optarg, &rt)) return 2; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option(PROG, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "udrv-ttc: missing command (try --help)\n");
		return 2;
	}
	if (!strcmp(argv[0], "periodic")) {
		if (argc != 3) {
			fprintf(stderr, "udrv-ttc: periodic takes HZ COUNT\n");
			return 2;
		}
		if (cli_number(PROG, "HZ", argv[1], 1, 10000000, &a) ||
		    cli_number(PROG, "COUNT", argv[2], 1, 10000000, &b))
			return 2;
	} else if (!strcmp(argv[0], "oneshot")) {
		if (argc != 2) {
			fprintf(stderr, "udrv-ttc: oneshot takes MS\n");
			return 2;
		}
		if (cli_number(PROG, "MS", argv[1], 1, 60000, &a))
			return 2;
	} else if (!strcmp(argv[0], "count") && argc == 1) {
		a = 0;
	} else {
		fprintf(stderr, "udrv-ttc: unknown command '%s' (try --help)\n", argv[0]);
		return 2;
	}

	if ((ret = udrv_ttc_open(dev, (unsigned int)counter, (uint32_t)clk, &t)))
		return fail(dev ? dev : "the cdns,ttc timer", ret);
	if ((ret = udrv_device_irq(udrv_ttc_device(t), (unsigned int)counter, &irq)) ||
	    cli_rt_apply(PROG, &rt, irq)) {
		udrv_ttc_close(t);
		return ret ? fail("interrupt", ret) : 1;
	}
	if (!strcmp(argv[0], "periodic")) {
		ret = periodic(t, a, b);
	} else if (!strcmp(argv[0], "oneshot")) {
		struct udrv_ttc_event ev;

		if ((ret = udrv_ttc_start_oneshot(t, a * 1000000ull))) {
			ret = fail("start", ret);
		} else if ((ret = udrv_ttc_wait(t, a * 1000000ull + 2000000000ull, &ev)) <= 0) {
			ret = fail("wait", ret ? ret : -ETIMEDOUT);
		} else {
			printf("one-shot of %llu ms fired, %.1f us late\n", a, ev.lateness_ns / 1e3);
			ret = 0;
		}
	} else {
		if ((ret = udrv_ttc_start_periodic(t, 1))) {
			ret = fail("start", ret);
		} else {
			uint32_t c1 = udrv_ttc_count(t), c2;

			usleep(2000);
			c2 = udrv_ttc_count(t);

			printf("counter %llu (%u bits): %u then %u\n", counter, udrv_ttc_width(t), c1, c2);
			ret = 0;
		}
	}
	udrv_ttc_close(t);
	return ret;
}
