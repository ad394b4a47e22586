// SPDX-License-Identifier: MIT
/*
 * virtio-blk BOARD [SECONDS] - read performance of the userspace virtio-blk
 * driver (drivers/virtio-blk, disk 0, UIO "virtio-blk") with interrupts and
 * polled, against the kernel's virtio_blk on its own disk of the same kind
 * (/dev/vda, disk 1) read with O_DIRECT: pread() at queue depth 1, Linux
 * native AIO (io_submit) deeper. Same guest run, same kind of backing file.
 *
 * Tests: 4 KiB random reads at queue depth 1 and 32 (IOPS), 1 MiB
 * sequential reads at depth 1 (MiB/s); SECONDS (default 2) per test and
 * driver, in 4 rounds that alternate the drivers so that a change in the
 * machine's load (the host is shared) hits all three alike. One JSON object per line: one per test and driver, then one per
 * test with the ratios udrv/kernel. Only on virt and virt32; other boards
 * print nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "blk_bench.h"

#define KERNEL_DISK	"/dev/vda"
#define MAX_QD		32
#define ROUNDS		4

struct test {
	const char *name, *metric;
	struct udrv_blk_bench b;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The same loop as udrv_blk_bench_run(), through the kernel's block layer. */
static int kernel_run(int fd, uint64_t bytes, const struct udrv_blk_bench *b, struct udrv_blk_bench_result *r)
{
	uint64_t slots = bytes / b->io_bytes, next = 0, seed = 88172645463325252ull;
	struct iocb cbs[MAX_QD], *list[MAX_QD];
	struct io_event ev[MAX_QD];
	aio_context_t ctx = 0;
	unsigned int inflight = 0;
	double t0, end;
	char *buf;
	int ret = 0;

	if (!slots || b->qd > MAX_QD || posix_memalign((void **)&buf, 4096, (size_t)b->qd * b->io_bytes))
		return -EINVAL;
	r->ios = 0;
	r->irqs = 0;
	t0 = (udrv_now_ns() / 1e9);
	end = t0 + b->seconds;
	if (b->qd == 1) {
		while ((udrv_now_ns() / 1e9) < end) {
			uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

			if (pread(fd, buf, b->io_bytes, (off_t)(s * b->io_bytes)) != (ssize_t)b->io_bytes) {
				ret = -EIO;
				break;
			}
			r->ios++;
		}
	} else if (syscall(SYS_io_setup, b->qd, &ctx) < 0) {
		ret = -errno;
	} else {
		for (unsigned int i = 0; i < b->qd; i++) {
			uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

			memset(&cbs[i], 0, sizeof(cbs[i]));
			cbs[i].aio_fildes = (uint32_t)fd;
			cbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
			cbs[i].aio_buf = (uint64_t)(uintptr_t)(buf + (size_t)i * b->io_bytes);
			cbs[i].aio_nbytes = b->io_bytes;
			cbs[i].aio_offset = (int64_t)(s * b->io_bytes);
			cbs[i].aio_data = i;
			list[i] = &cbs[i];
		}
		if (syscall(SYS_io_submit, ctx, (long)b->qd, list) != (long)b->qd)
			ret = -EIO;
		else
			inflight = b->qd;
		while (!ret && inflight) {
			long n = syscall(SYS_io_getevents, ctx, 1L, (long)MAX_QD, ev, NULL);
			unsigned int again = 0;

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				ret = -errno;
				break;
			}
			inflight -= (unsigned int)n;
			for (long i = 0; i < n; i++) {
				struct iocb *cb = &cbs[ev[i].data];

				if (ev[i].res != (int64_t)b->io_bytes)
					ret = -EIO;
				r->ios++;
				if ((udrv_now_ns() / 1e9) < end) {
					uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

					cb->aio_offset = (int64_t)(s * b->io_bytes);
					list[again++] = cb;
				}
			}
			if (!ret && again) {
				if (syscall(SYS_io_submit, ctx, (long)again, list) != (long)again)
					ret = -EIO;
				else
					inflight += again;
			}
		}
		syscall(SYS_io_destroy, ctx);
	}
	r->seconds = (udrv_now_ns() / 1e9) - t0;
	r->iops = (double)r->ios / r->seconds;
	r->mib_s = r->iops * b->io_bytes / (1024.0 * 1024.0);
	free(buf);
	return ret;
}

/* Fold one run into a sum and recompute the rates. */
static void accumulate(struct udrv_blk_bench_result *sum, const struct udrv_blk_bench_result *run,
		       const struct udrv_blk_bench *b)
{
	sum->ios += run->ios;
	sum->seconds += run->seconds;
	sum->irqs += run->irqs;
	sum->iops = sum->seconds > 0 ? (double)sum->ios / sum->seconds : 0;
	sum->mib_s = sum->iops * b->io_bytes / (1024.0 * 1024.0);
}

static void print_result(const char *test, const char *driver, const struct udrv_blk_bench *b,
			 const struct udrv_blk_bench_result *r)
{
	printf("{\"bench\": \"virtio-blk\", \"test\": \"%s\", \"driver\": \"%s\", \"io_bytes\": %u, "
	       "\"queue_depth\": %u, \"ios\": %llu, \"seconds\": %.3f, \"iops\": %.1f, "
	       "\"mib_s\": %.2f, \"interrupts\": %llu}\n", test, driver, b->io_bytes, b->qd,
	       (unsigned long long)r->ios, r->seconds, r->iops, r->mib_s,
	       (unsigned long long)r->irqs);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	const struct test tests[] = {
		{ "randread-4k-qd1", "iops", { true, 4096, 1, seconds } },
		{ "randread-4k-qd32", "iops", { true, 4096, 32, seconds } },
		{ "seqread-1m-qd1", "mib_s", { false, 1u << 20, 1, seconds } },
	};
	struct udrv_virtio_blk *blk;
	uint64_t bytes;
	int fd, ret, rc = 0;

	if (argc < 2 || argc > 3 || seconds <= 0) {
		fprintf(stderr, "usage: virtio-blk BOARD [SECONDS]\n");
		return 2;
	}
	if (strcmp(argv[1], "virt") && strcmp(argv[1], "virt32"))
		return 0;
	fd = open(KERNEL_DISK, O_RDONLY | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		fprintf(stderr, "virtio-blk: %s: %s\n", KERNEL_DISK, strerror(errno));
		return 1;
	}
	if ((ret = udrv_virtio_blk_open(NULL, NULL, &blk))) {
		fprintf(stderr, "virtio-blk: %s\n", udrv_virtio_last_error());
		close(fd);
		return 1;
	}
	for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]) && !rc; t++) {
		const struct test *T = &tests[t];
		struct udrv_blk_bench_result k = { 0 }, irq = { 0 }, poll = { 0 };
		struct udrv_blk_bench b = T->b;

		/* Rounds alternate the drivers so that each sees the same machine. */
		b.seconds /= ROUNDS;
		for (int round = 0; round < ROUNDS && !rc; round++) {
			struct udrv_blk_bench_result rk = { 0 }, ri = { 0 }, rp = { 0 };

			if ((ret = kernel_run(fd, bytes, &b, &rk)) ||
			    (ret = udrv_virtio_blk_set_polled(blk, false)) ||
			    (ret = udrv_blk_bench_run(blk, &b, &ri)) ||
			    (ret = udrv_virtio_blk_set_polled(blk, true)) ||
			    (ret = udrv_blk_bench_run(blk, &b, &rp))) {
				fprintf(stderr, "virtio-blk: %s: %s\n", T->name,
					*udrv_virtio_last_error() ? udrv_virtio_last_error() : strerror(-ret));
				rc = 1;
			}
			accumulate(&k, &rk, &b);
			accumulate(&irq, &ri, &b);
			accumulate(&poll, &rp, &b);
		}
		if (rc)
			break;
		print_result(T->name, "kernel", &T->b, &k);
		print_result(T->name, "udrv-irq", &T->b, &irq);
		print_result(T->name, "udrv-poll", &T->b, &poll);
		bool iops = !strcmp(T->metric, "iops");
		double kv = iops ? k.iops : k.mib_s, iv = iops ? irq.iops : irq.mib_s,
		       pv = iops ? poll.iops : poll.mib_s;

		printf("{\"bench\": \"virtio-blk\", \"test\": \"%s\", \"metric\": \"%s\", "
		       "\"kernel\": %.2f, \"udrv-irq\": %.2f, \"udrv-poll\": %.2f, "
		       "\"ratio_udrv_irq_vs_kernel\": %.3f, \"ratio_udrv_poll_vs_kernel\": %.3f}\n",
		       T->name, T->metric, kv, iv, pv, kv > 0 ? iv / kv : 0, kv > 0 ? pv / kv : 0);
		fflush(stdout);
	}
	udrv_virtio_blk_close(blk);
	close(fd);
	return rc;
}
