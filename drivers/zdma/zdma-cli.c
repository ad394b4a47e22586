// SPDX-License-Identifier: MIT
/*
 * udrv-zdma - copy memory with a ZynqMP DMA channel from the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli.h"
#include "zdma.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: udrv-zdma [--device NAME] [--rt SPEC] copy SIZE [COUNT]\n"
		"  copy SIZE [COUNT]   copy SIZE bytes (suffix K or M allowed) between two\n"
		"                      DMA pool buffers COUNT times (default 1), queued back\n"
		"                      to back; verify the data and print the throughput\n"
		"  --device NAME       UIO name of the channel (default: an\n"
		"                      xlnx,zynqmp-dma-1.0 node)\n"
		CLI_RT_HELP);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "udrv-zdma: %s: %s%s%s\n", what, strerror(-err),
		*udrv_last_error() ? ": " : "", udrv_last_error());
	return 1;
}

/* A decimal in [1, max], with an optional K or M (x1024, x1048576) after it. */
static int parse_size(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;
	unsigned int shift = 0;
	uint64_t n;

	if (!udrv_parse_u64(s, &n, &end)) {
		*v = n;
		if (*end == 'K' || *end == 'k')
			shift = 10, end++;
		else if (*end == 'M' || *end == 'm')
			shift = 20, end++;
		if (!*end && *v >= 1 && *v <= max >> shift) {
			*v <<= shift;
			return 0;
		}
	}
	return cli_bad_number("udrv-zdma", "number", s, 1, max);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "rt", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct udrv_rt_opts rt = { .cpu = -1 };
	struct udrv_dma_buf *src = NULL, *dst = NULL;
	unsigned long long size, count = 1, submitted = 0, finished = 0;
	const char *name = NULL;
	struct udrv_zdma *z;
	size_t pool;
	uint64_t t0, t1;
	int c, ret;

	opterr = 0;	/* cli_bad_option() says what was wrong */
	while ((c = getopt_long(argc, argv, "+d:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': name = optarg; break;
		case 'r': if (cli_rt_parse("udrv-zdma", optarg, &rt)) return 2; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("udrv-zdma", argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || strcmp(argv[0], "copy")) {
		fprintf(stderr, "udrv-zdma: %s (try --help)\n",
			argc < 1 ? "missing command" : "unknown command");
		return 2;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "udrv-zdma: copy takes SIZE [COUNT]\n");
		return 2;
	}
	if (parse_size(argv[1], (1u << 30) - 1, &size) ||
	    (argc == 3 && parse_size(argv[2], 100000000, &count)))
		return 2;

	if ((ret = udrv_zdma_open(name, &z)))
		return fail(name ? name : "the xlnx,zynqmp-dma-1.0 channel", ret);
	if (cli_rt_apply_dev("udrv-zdma", &rt, udrv_zdma_device(z))) {
		udrv_zdma_close(z);
		return 1;
	}
	udrv_zdma_pool(z, NULL, &pool);
	if ((ret = udrv_dma_alloc(udrv_zdma_device(z), size, 0, &src)) ||
	    (ret = udrv_dma_alloc(udrv_zdma_device(z), size, 0, &dst))) {
		fprintf(stderr, "udrv-zdma: two buffers of %llu bytes do not fit the %zu-byte DMA pool\n",
			size, pool);
		udrv_zdma_close(z);
		return 1;
	}
	unsigned char *s = udrv_dma_cpu(src), *d = udrv_dma_cpu(dst);

	srand((unsigned int)udrv_now_ns());
	for (size_t i = 0; i < size; i++) {
		s[i] = (unsigned char)rand();
		d[i] = (unsigned char)~s[i];
	}
	t0 = udrv_now_ns();
	while (finished < count) {
		struct udrv_zdma_done done;

		while (submitted < count && udrv_zdma_pending(z) < ZDMA_QUEUE_MAX) {
			if ((ret = udrv_zdma_submit_buf(z, dst, 0, src, 0, size, NULL))) {
				udrv_zdma_close(z);
				return fail("submit", ret);
			}
			submitted++;
		}
		ret = udrv_zdma_wait(z, 5000000000ull, &done);
		if (ret <= 0 || done.status) {
			udrv_zdma_close(z);
			if (ret > 0)
				fprintf(stderr, "udrv-zdma: copy %llu failed: error bits 0x%03x\n",
					finished + 1, done.errors);
			else
				fail("wait", ret ? ret : -ETIMEDOUT);
			return 1;
		}
		finished++;
	}
	t1 = udrv_now_ns();
	ret = memcmp(s, d, size);
	if (ret) {
		fprintf(stderr, "udrv-zdma: data mismatch after %llu copies of %llu bytes\n", count, size);
	} else {
		double secs = (double)(t1 - t0) / 1e9;

		printf("zdma: %llu x %llu bytes copied in %.3f ms, %.1f MiB/s, %.0f copies/s; data verified\n",
		       count, size, secs * 1e3, (double)(size * count) / secs / (1 << 20),
		       (double)count / secs);
	}
	udrv_zdma_close(z);
	return ret ? 1 : 0;
}
