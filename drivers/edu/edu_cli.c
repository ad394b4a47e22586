// SPDX-License-Identifier: MIT
/*
 * udrv-edu - QEMU's edu PCI device: identify it, compute factorials, DMA
 * through its buffer, raise and count interrupts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli.h"
#include "edu.h"

#define MS 1000000ull
#define TEST_IRQ 0x10000u

static const char usage[] =
	"usage: udrv-edu [-a PCI_ADDRESS] [-b BITS] [--rt SPEC] COMMAND\n"
	"  info          identify the device and check it is alive\n"
	"  bind          hand it to udrv_uio with a 64 KiB DMA pool (root; a device\n"
	"                another driver holds is left alone)\n"
	"  fact N        N! computed by the device (N <= 12: the result is 32 bits)\n"
	"  dma SIZE      DMA SIZE random bytes into edu's buffer and back, and compare\n"
	"                (1..4095: QEMU 7.2's edu aborts on 0 and on the buffer's last byte)\n"
	"  irq COUNT     raise and acknowledge COUNT interrupts, counting them\n"
	"  -a ADDRESS    the PCI function (0000:00:01.0); default: the first 1234:11e8\n"
	"  -b BITS       the DMA mask QEMU gave edu (dma_mask=), in bits; default 32\n"
	CLI_RT_HELP
	"The device is bound to udrv_uio (udrv-edu bind, or `udrv bind ADDRESS --pool\n"
	"65536`: dma needs its DMA pool) or to uio_pci_generic (info, fact and irq).\n";

__attribute__((format(printf, 2, 3)))
static int say(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("udrv-edu: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return rc;
}

/* A failed driver call: its reason, else the errno's text. */
static int failed(const char *what, int err)
{
	return say(1, "%s: %s", what, *udrv_edu_last_error() ? udrv_edu_last_error() : strerror(-err));
}

static int cmd_info(struct udrv_edu *edu)
{
	struct udrv_edu_info i;
	int ret;

	if ((ret = udrv_edu_info(edu, &i)))
		return failed("info", ret);
	printf("edu %u.%u (id 0x%08x) at %s, /dev/uio%u (%s), DMA pool %zu KiB, %u-bit DMA "
	       "mask assumed\n", i.major, i.minor, i.id, i.pci_address, i.uio,
	       i.driver[0] ? i.driver : "?", i.dma_pool / 1024, i.dma_bits);
	if (udrv_edu_liveness(edu, 0xc0ffee00))
		return failed("liveness", -EIO);
	printf("liveness: wrote 0xc0ffee00, read back 0x%08x\n", ~0xc0ffee00u);
	return 0;
}

static int cmd_fact(struct udrv_edu *edu, uint32_t n)
{
	double t0 = (udrv_now_ns() / 1e9);
	uint32_t r;
	int ret = udrv_edu_factorial(edu, n, &r, 2000 * MS);

	if (ret)
		return failed("fact", ret);
	printf("%u! = %u (by the device, completion interrupt after %.3f ms)\n", n, r,
	       ((udrv_now_ns() / 1e9) - t0) * 1e3);
	return 0;
}

static int cmd_dma(struct udrv_edu *edu, uint32_t size)
{
	/* The driver checks the size and says why it refuses one; the buffer
	 * (source, then destination) is never empty so that it gets to. */
	size_t n = size == 0 || size > 4096 ? 1 : size;
	struct udrv_dma_buf *buf = NULL;
	double t0 = (udrv_now_ns() / 1e9);
	uint8_t *p;
	int ret, rc = 1;

	if ((ret = udrv_edu_dma_ready(edu)))
		return failed("dma", ret);
	if ((ret = udrv_dma_alloc(udrv_edu_device(edu), 2 * n, 0, &buf)))
		return say(1, "dma: cannot allocate %zu bytes in the DMA pool: %s", 2 * n,
			   strerror(-ret));
	p = udrv_dma_cpu(buf);
	srand((unsigned int)((udrv_now_ns() / 1e9) * 1e6));
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)rand();
		p[n + i] = (uint8_t)~p[i];
	}
	if ((ret = udrv_edu_dma_to_device(edu, buf, 0, 0, size, 2000 * MS)) ||
	    (ret = udrv_edu_dma_from_device(edu, 0, buf, n, size, 2000 * MS)))
		goto out;
	if (memcmp(p, p + n, size)) {
		say(1, "dma: %u bytes came back different", size);
		goto out;
	}
	printf("dma: %u random bytes RAM 0x%llx -> edu buffer -> RAM 0x%llx in %.1f ms, equal\n",
	       size, (unsigned long long)udrv_dma_bus(buf), (unsigned long long)udrv_dma_bus(buf) + n,
	       ((udrv_now_ns() / 1e9) - t0) * 1e3);
	rc = 0;
out:
	if (ret)
		failed("dma", ret);
	udrv_dma_free(buf);
	return rc;
}

static int cmd_irq(struct udrv_edu *edu, uint32_t count)
{
	uint32_t c0, c1, seen;
	uint64_t missed;
	double t0 = (udrv_now_ns() / 1e9);
	int ret;

	udrv_edu_irq_stats(edu, &c0, NULL);
	for (uint32_t i = 0; i < count; i++) {
		if ((ret = udrv_edu_irq_raise(edu, TEST_IRQ)))
			return failed("irq raise", ret);
		if ((ret = udrv_edu_irq_wait(edu, TEST_IRQ, 2000 * MS, &seen)) != 1)
			return say(1, "irq: interrupt %u of %u not seen: %s", i + 1, count,
				   ret ? strerror(-ret) : "timed out");
	}
	udrv_edu_irq_stats(edu, &c1, &missed);
	printf("irq: %u raised, %u seen by the kernel's counter, %llu missed, %.1f us per "
	       "round trip\n", count, c1 - c0, (unsigned long long)missed,
	       ((udrv_now_ns() / 1e9) - t0) * 1e6 / count);
	return c1 - c0 == count && !missed ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "address", required_argument, NULL, 'a' },
		{ "dma-bits", required_argument, NULL, 'b' },
		{ "rt", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct udrv_rt_opts rt = { .cpu = -1 };
	const char *addr = NULL, *cmd;
	uint32_t arg = 0, bits = 32;
	unsigned long long v = 0;
	struct udrv_edu *edu;
	int c, ret, rc;

	opterr = 0;	/* one line of our own instead */
	while ((c = getopt_long(argc, argv, "+ha:b:r:", opts, NULL)) != -1) {
		if (c == 'r') {
			if (cli_rt_parse("udrv-edu", optarg, &rt))
				return 2;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else if (c == 'a') {
			addr = optarg;
		} else if (c == 'b') {
			if (cli_parse(optarg, 28, 64, &v))
				return say(2, "-b wants a number of bits 28..64, not '%s'", optarg);
			bits = (uint32_t)v;
		} else {
			return say(2, "bad option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return say(2, "no command (info, fact N, dma SIZE, irq COUNT; see --help)");
	cmd = argv[optind++];
	if (!strcmp(cmd, "bind"))
		return optind != argc ? say(2, "bind takes no argument (see --help)") :
		       (ret = udrv_edu_bind(addr)) ? failed("bind", ret) : 0;
	if (strcmp(cmd, "info") && strcmp(cmd, "fact") && strcmp(cmd, "dma") && strcmp(cmd, "irq"))
		return say(2, "unknown command '%s' (info, bind, fact, dma, irq; see --help)", cmd);
	if (!strcmp(cmd, "info") ? optind != argc : optind + 1 != argc)
		return say(2, "%s takes %s (see --help)", cmd,
			   strcmp(cmd, "info") ? "one number" : "no argument");
	if (strcmp(cmd, "info") && cli_parse(argv[optind], 0, UINT32_MAX, &v))
		return say(2, "'%s' is not a whole number 0..4294967295", argv[optind]);
	arg = strcmp(cmd, "info") ? (uint32_t)v : 0;
	if (!strcmp(cmd, "irq") && arg == 0)
		return say(2, "irq COUNT must be at least 1");

	if ((ret = udrv_edu_open(addr, &edu)))
		return failed("cannot open the edu device", ret);
	if (cli_rt_apply_dev("udrv-edu", &rt, udrv_edu_device(edu))) {
		udrv_edu_close(edu);
		return 1;
	}
	udrv_edu_set_dma_bits(edu, bits);
	if (!strcmp(cmd, "info"))
		rc = cmd_info(edu);
	else if (!strcmp(cmd, "fact"))
		rc = cmd_fact(edu, arg);
	else if (!strcmp(cmd, "dma"))
		rc = cmd_dma(edu, arg);
	else
		rc = cmd_irq(edu, arg);
	udrv_edu_close(edu);
	return rc;
}
