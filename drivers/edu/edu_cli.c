// SPDX-License-Identifier: MIT
/*
 * udrv-edu - QEMU's edu PCI device: identify it, compute factorials, DMA
 * through its buffer, raise and count interrupts.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edu.h"

#define MS 1000000ull

static const char usage[] =
	"usage: udrv-edu [-a PCI_ADDRESS] [-b BITS] COMMAND\n"
	"  info            identify the device and check it is alive\n"
	"  fact N          N! computed by the device (N <= 12: the result is 32 bits)\n"
	"  dma SIZE        DMA SIZE random bytes into edu's buffer and back, and compare\n"
	"                  (1 .. 4095: QEMU 7.2's edu aborts on 0 and on the buffer's last byte)\n"
	"  irq COUNT       raise and acknowledge COUNT interrupts, counting them\n"
	"  -a ADDRESS      the PCI function (0000:00:01.0); default: the first 1234:11e8\n"
	"  -b BITS         the DMA mask QEMU gave edu (dma_mask=), in bits; default 32\n"
	"  -h, --help      this text\n"
	"The device must be bound to udrv_uio (its driver_override).\n";

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "udrv-edu: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int failed(const char *what, int err)
{
	const char *why = edu_last_error();

	fprintf(stderr, "udrv-edu: %s: %s\n", what, *why ? why : strerror(-err));
	return 1;
}

/* A decimal number, whole string, no sign. */
static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_info(struct edu *edu)
{
	struct edu_info i;

	edu_info(edu, &i);
	printf("edu %u.%u (id 0x%08" PRIx32 ") at %s, /dev/uio%u, DMA pool %zu KiB, "
	       "%u-bit DMA mask assumed\n", i.major, i.minor, i.id, i.pci_address, i.uio,
	       i.dma_pool / 1024, i.dma_bits);
	if (edu_liveness(edu, 0xc0ffee00))
		return failed("liveness", -EIO);
	printf("liveness: wrote 0xc0ffee00, read back 0x%08x\n", ~0xc0ffee00u);
	return 0;
}

static int cmd_fact(struct edu *edu, uint32_t n)
{
	double t0 = mono();
	uint32_t r;
	int ret = edu_factorial(edu, n, &r, 2000 * MS);

	if (ret)
		return failed("fact", ret);
	printf("%" PRIu32 "! = %" PRIu32 " (by the device, completion interrupt after %.3f ms)\n",
	       n, r, (mono() - t0) * 1e3);
	return 0;
}

static int cmd_dma(struct edu *edu, uint32_t size)
{
	struct udrv_dma_buf *src = NULL, *dst = NULL;
	uint8_t *s, *d;
	double t0, t1, t2;
	int ret, rc = 1;
	uint32_t i;

	/* Sizes are checked by the driver (which says why it refuses); the
	 * buffers are at least one byte so that it gets to say it. */
	size_t n = size == 0 || size > 4096 ? 1 : size;

	if ((ret = udrv_dma_alloc(edu_device(edu), n, 0, &src)) ||
	    (ret = udrv_dma_alloc(edu_device(edu), n, 0, &dst))) {
		fprintf(stderr, "udrv-edu: dma: cannot allocate %zu bytes in the DMA pool: %s\n",
			n, strerror(-ret));
		goto out;
	}
	s = udrv_dma_cpu(src);
	d = udrv_dma_cpu(dst);
	srand((unsigned int)(mono() * 1e6));
	for (i = 0; i < n; i++) {
		s[i] = (uint8_t)rand();
		d[i] = (uint8_t)~s[i];
	}
	t0 = mono();
	ret = edu_dma_to_device(edu, src, 0, 0, size, 2000 * MS);
	if (ret) {
		failed("dma to the device", ret);
		goto out;
	}
	t1 = mono();
	ret = edu_dma_from_device(edu, 0, dst, 0, size, 2000 * MS);
	if (ret) {
		failed("dma from the device", ret);
		goto out;
	}
	t2 = mono();
	if (memcmp(s, d, size)) {
		fprintf(stderr, "udrv-edu: dma: %u bytes came back different\n", size);
		goto out;
	}
	printf("dma: %u random bytes RAM 0x%llx -> edu buffer (%.1f ms) -> RAM 0x%llx "
	       "(%.1f ms), equal\n", size, (unsigned long long)udrv_dma_bus(src), (t1 - t0) * 1e3,
	       (unsigned long long)udrv_dma_bus(dst), (t2 - t1) * 1e3);
	rc = 0;
out:
	udrv_dma_free(src);
	udrv_dma_free(dst);
	return rc;
}

static int cmd_irq(struct edu *edu, uint32_t count)
{
	uint32_t c0, c1, seen;
	uint64_t missed;
	double t0 = mono();
	uint32_t i;
	int ret;

	if (count == 0)
		return bad("%s", "irq COUNT must be at least 1");
	edu_irq_stats(edu, &c0, NULL);
	for (i = 0; i < count; i++) {
		if ((ret = edu_irq_raise(edu, 0x10000)))
			return failed("irq raise", ret);
		ret = edu_irq_wait(edu, 0x10000, 2000 * MS, &seen);
		if (ret != 1) {
			fprintf(stderr, "udrv-edu: irq: interrupt %u of %u not seen: %s\n", i + 1,
				count, ret ? strerror(-ret) : "timed out");
			return 1;
		}
	}
	edu_irq_stats(edu, &c1, &missed);
	printf("irq: %u raised, %u seen by the kernel's counter, %llu missed, %.1f us per "
	       "round trip\n", count, c1 - c0, (unsigned long long)missed,
	       (mono() - t0) * 1e6 / count);
	return c1 - c0 == count && !missed ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "address", required_argument, NULL, 'a' },
		{ "dma-bits", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *addr = NULL, *cmd;
	uint32_t arg = 0, bits = 32;
	struct edu *edu;
	int c, ret, rc;

	opterr = 0;	/* one line of our own instead */
	while ((c = getopt_long(argc, argv, "+ha:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'a':
			addr = optarg;
			break;
		case 'b':
			if (parse_u32(optarg, &bits) || bits < 28 || bits > 64)
				return bad("-b wants a number of bits 28..64, not '%s'", optarg);
			break;
		default:
			return bad("bad option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad("%s", "no command (info, fact N, dma SIZE, irq COUNT; see --help)");
	cmd = argv[optind++];
	if (!strcmp(cmd, "info")) {
		if (optind != argc)
			return bad("info takes no argument, got '%s'", argv[optind]);
	} else if (!strcmp(cmd, "fact") || !strcmp(cmd, "dma") || !strcmp(cmd, "irq")) {
		if (optind + 1 != argc)
			return bad("%s takes one number (see --help)", cmd);
		if (parse_u32(argv[optind], &arg))
			return bad("'%s' is not a whole number 0..4294967295", argv[optind]);
	} else {
		return bad("unknown command '%s' (info, fact, dma, irq; see --help)", cmd);
	}

	ret = edu_open(addr, &edu);
	if (ret)
		return failed("cannot open the edu device", ret);
	edu_set_dma_bits(edu, bits);
	if (!strcmp(cmd, "info"))
		rc = cmd_info(edu);
	else if (!strcmp(cmd, "fact"))
		rc = cmd_fact(edu, arg);
	else if (!strcmp(cmd, "dma"))
		rc = cmd_dma(edu, arg);
	else
		rc = cmd_irq(edu, arg);
	edu_close(edu);
	return rc;
}
