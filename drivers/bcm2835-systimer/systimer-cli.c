// SPDX-License-Identifier: MIT
/*
 * udrv-systimer - drive the BCM2835 system timer from the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "bcm2835_systimer.h"

#define PROG "udrv-systimer"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: udrv-systimer [--device NAME] [--channel 1|3] [--pulse] [--quiet] [--rt SPEC]\n"
		"                     COMMAND\n"
		"  read                the 64-bit 1 MHz counter\n"
		"  periodic US COUNT   an interrupt every US microseconds, COUNT times; print\n"
		"                      each one's lateness, then min/avg/max and missed periods\n"
		"  oneshot US          one interrupt US microseconds from now\n"
		"  --device NAME       UIO name of the timer (default: the first\n"
		"                      brcm,bcm2835-system-timer)\n"
		"  --channel N         compare channel 1 or 3 (default 1)\n"
		"  --pulse             periodic: toggle the timer node's first pulse-gpios\n"
		"                      line at every interrupt\n"
		"  --quiet             periodic: the summary only\n"
		CLI_RT_HELP);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "udrv-systimer: %s: %s%s%s\n", what, strerror(-err),
		*udrv_last_error() ? ": " : "", udrv_last_error());
	return 1;
}

static int periodic(struct udrv_bcm2835_systimer *t, unsigned int ch, unsigned long us,
		    unsigned long count, int pulse, int quiet)
{
	static const struct udrv_gpio_config out = { .mode = UDRV_GPIO_OUTPUT, .consumer = "udrv-systimer" };
	struct udrv_gpio *gpio = NULL;
	uint64_t late_min = UINT64_MAX, late_max = 0, skipped = 0, first = 0, last = 0;
	double sum = 0;
	int ret, level = 0;

	if (pulse && (ret = udrv_device_gpio_open(udrv_bcm2835_systimer_device(t), "pulse", 0, &out,
						  &gpio)))
		return fail("pulse-gpios", ret);
	if ((ret = udrv_bcm2835_systimer_periodic(t, ch, (uint32_t)us))) {
		udrv_gpio_close(gpio);
		return fail("start", ret);
	}
	printf("systimer: channel %u, every %lu us", ch, us);
	if (gpio)
		printf(", toggling %s line %u", udrv_gpio_desc(gpio)->chip, udrv_gpio_desc(gpio)->offset);
	printf("\n");
	for (unsigned long i = 0; i < count; i++) {
		struct udrv_bcm2835_systimer_tick tk;
		uint64_t late;

		ret = udrv_bcm2835_systimer_wait(t, ch, 10 * us * 1000ull + 2000000000ull, &tk);
		if (ret <= 0) {
			udrv_gpio_close(gpio);
			return fail("wait", ret ? ret : -ETIMEDOUT);
		}
		if (gpio && (ret = udrv_gpio_set(gpio, level ^= 1)) < 0) {
			udrv_gpio_close(gpio);
			return fail("pulse", ret);
		}
		late = tk.now - tk.due;
		late_min = late < late_min ? late : late_min;
		late_max = late > late_max ? late : late_max;
		sum += (double)late;
		skipped += tk.skipped;
		if (!i)
			first = tk.due;
		last = tk.due;
		if (!quiet)
			printf("tick %lu: due %llu, late %llu us%s\n", i + 1, (unsigned long long)tk.due,
			       (unsigned long long)late, tk.skipped ? " (periods skipped after it)" : "");
	}
	udrv_bcm2835_systimer_stop(t, ch);
	udrv_gpio_close(gpio);
	printf("summary: %lu interrupts, %llu periods missed, lateness min %llu avg %.1f max %llu us",
	       count, (unsigned long long)skipped, (unsigned long long)late_min, sum / count,
	       (unsigned long long)late_max);
	if (count > 1)
		printf(", mean period %.1f us", (double)(last - first) / (count - 1));
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "channel", required_argument, NULL, 'c' },
		{ "pulse", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rt", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dev = NULL;
	unsigned long ch = 1;
	unsigned long long a = 0, b = 0;
	int c, ret, pulse = 0, quiet = 0;
	struct udrv_bcm2835_systimer *t;
	struct udrv_rt_opts rt = { .cpu = -1 };

	opterr = 0;	/* cli_bad_option() says what was wrong */
	while ((c = getopt_long(argc, argv, "+d:c:pqr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'c':
			if (strcmp(optarg, "1") && strcmp(optarg, "3")) {
				fprintf(stderr, "udrv-systimer: bad channel '%s' (want 1 or 3; "
					"0 and 2 belong to the VideoCore)\n", optarg);
				return 2;
			}
			ch = *optarg - '0';
			break;
		case 'p': pulse = 1; break;
		case 'q': quiet = 1; break;
		case 'r': if (cli_rt_parse(PROG, optarg, &rt)) return 2; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option(PROG, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "udrv-systimer: missing command (try --help)\n");
		return 2;
	}
	if (!strcmp(argv[0], "periodic")) {
		if (argc != 3) {
			fprintf(stderr, "udrv-systimer: periodic takes US COUNT\n");
			return 2;
		}
		if (cli_number(PROG, "US", argv[1], 1, BCM2835_SYSTIMER_MAX_INTERVAL_US, &a) ||
		    cli_number(PROG, "COUNT", argv[2], 1, 10000000, &b))
			return 2;
	} else if (!strcmp(argv[0], "oneshot")) {
		if (argc != 2) {
			fprintf(stderr, "udrv-systimer: oneshot takes US\n");
			return 2;
		}
		if (cli_number(PROG, "US", argv[1], 1, BCM2835_SYSTIMER_MAX_INTERVAL_US, &a))
			return 2;
	} else if (strcmp(argv[0], "read")) {
		fprintf(stderr, "udrv-systimer: unknown command '%s' (try --help)\n", argv[0]);
		return 2;
	} else if (argc != 1) {
		fprintf(stderr, "udrv-systimer: read takes no arguments\n");
		return 2;
	}

	if ((ret = udrv_bcm2835_systimer_open(dev, &t)))
		return fail(dev ? dev : BCM2835_SYSTIMER_COMPATIBLE, ret);
	if (cli_rt_apply(PROG, &rt, udrv_bcm2835_systimer_irq(t, (unsigned int)ch))) {
		udrv_bcm2835_systimer_close(t);
		return 1;
	}
	if (!strcmp(argv[0], "periodic")) {
		ret = periodic(t, (unsigned int)ch, a, b, pulse, quiet);
	} else if (!strcmp(argv[0], "oneshot")) {
		struct udrv_bcm2835_systimer_tick tk;

		if ((ret = udrv_bcm2835_systimer_oneshot(t, (unsigned int)ch, (uint32_t)a))) {
			ret = fail("start", ret);
		} else if ((ret = udrv_bcm2835_systimer_wait(t, (unsigned int)ch,
							a * 1000ull + 2000000000ull, &tk)) <= 0) {
			ret = fail("wait", ret ? ret : -ETIMEDOUT);
		} else {
			printf("one-shot of %llu us on channel %lu fired %llu us late\n", a, ch,
			       (unsigned long long)(tk.now - tk.due));
			ret = 0;
		}
	} else {
		uint64_t v = udrv_bcm2835_systimer_counter(t);

		printf("counter %llu us (%.6f s since the timer started)\n", (unsigned long long)v,
		       v / 1e6);
		ret = 0;
	}
	udrv_bcm2835_systimer_close(t);
	return ret;
}
