// SPDX-License-Identifier: MIT
/*
 * virtio-blk BOARD [SECONDS] - read performance of the userspace virtio-blk
 * driver (drivers/virtio-blk, disk 0, UIO "virtio-blk") with interrupts and
 * polled, against the kernel's virtio_blk on its own disk of the same kind
 * (/dev/vda, disk 1) read with O_DIRECT through io_uring, with interrupts and
 * with IORING_SETUP_IOPOLL on the disk's poll queue (the board gives it two
 * virtqueues and virtio_blk.poll_queues=1; /sys/block/vda/queue/io_poll must
 * be 1). Every side runs the same loop as udrv_blk_bench_run(): keep the
 * depth in flight, one call per batch of completions, the clock read once per
 * batch. The io_uring side is the kernel at its best for a light client:
 * registered buffers (READ_FIXED) and a registered file, submit and wait in
 * one io_uring_enter(); no SQPOLL (it would take one of the guest's two CPUs).
 * Raw system calls (linux/io_uring.h, the rings set up by
 * exports/uring.h), not liburing: nothing more to put in the guest.
 *
 * Tests: 4 KiB random reads at queue depth 1 and 32 (IOPS), 1 MiB
 * sequential reads at depth 1 (MiB/s); SECONDS (default 2) per test and
 * side, in 4 rounds that alternate the sides so that a change in the
 * machine's load (the host is shared) hits all four alike. One JSON object
 * per line: the disk's io_poll, one per test and side (with where the guest's
 * CPU time went meanwhile, from /proc/stat: user, system, hard and soft
 * interrupt, idle, in percent of all CPUs), then one per test with the ratios
 * udrv/kernel. Only on virt and virt32; other boards print nothing.
 *
 * virtio-blk BOARD SECONDS TEST:SIDE runs one test on one side only (e.g.
 * randread-4k-qd32:udrv-poll), for a profiler on the host to watch.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "blk_bench.h"
#include "uring.h"

#define KERNEL_DISK	"/dev/vda"
#define IO_POLL		"/sys/block/vda/queue/io_poll"
#define MAX_QD		32
#define ROUNDS		4

enum side { KERNEL_IRQ, KERNEL_IOPOLL, UDRV_IRQ, UDRV_POLL, SIDES };

static const char *const side_name[SIDES] = {
	"kernel-uring-irq", "kernel-uring-iopoll", "udrv-irq", "udrv-poll",
};

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

/* A ring of @entries (uring.h), IOPOLL or not, with @fd and @iov registered. */
static int ring_open(struct uring *r, unsigned int entries, bool iopoll, int fd, const struct iovec *iov)
{
	int ret = uring_open(r, entries, iopoll ? IORING_SETUP_IOPOLL : 0);

	if (ret)
		return ret;
	if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_FILES, &fd, 1) < 0 ||
	    syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, iov, 1) < 0) {
		ret = -errno;
		uring_close(r);
	}
	return ret;
}

/* Queue a read of @len at @off into registered buffer 0 at @buf; tag @i. */
static void ring_read(struct uring *r, unsigned int i, char *buf, uint32_t len, uint64_t off)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = uring_sqe_at(r, idx);

	sqe->opcode = IORING_OP_READ_FIXED;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;
	sqe->addr = (uint64_t)(uintptr_t)buf;
	sqe->len = len;
	sqe->off = off;
	sqe->buf_index = 0;
	sqe->user_data = i;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/*
 * The same loop as udrv_blk_bench_run(), through io_uring on the kernel's
 * block layer: with interrupts, or IOPOLL (the kernel polls the poll queue
 * inside io_uring_enter).
 */
static int kernel_run(int fd, uint64_t bytes, bool iopoll, const struct udrv_blk_bench *b,
		      struct udrv_blk_bench_result *r)
{
	uint64_t slots = bytes / b->io_bytes, next = 0, seed = 88172645463325252ull;
	unsigned int inflight = 0, queued = 0;
	struct iovec iov;
	struct uring ring;
	double t0, end;
	char *buf;
	int ret;

	if (!slots || b->qd > MAX_QD || posix_memalign((void **)&buf, 4096, (size_t)b->qd * b->io_bytes))
		return -EINVAL;
	iov.iov_base = buf;
	iov.iov_len = (size_t)b->qd * b->io_bytes;
	if ((ret = ring_open(&ring, MAX_QD, iopoll, fd, &iov))) {
		free(buf);
		return ret;
	}
	r->ios = 0;
	r->irqs = 0;
	t0 = (udrv_now_ns() / 1e9);
	end = t0 + b->seconds;
	for (unsigned int i = 0; i < b->qd; i++) {
		uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

		ring_read(&ring, i, buf + (size_t)i * b->io_bytes, b->io_bytes, s * b->io_bytes);
	}
	queued = b->qd;
	while (!ret && (inflight || queued)) {
		/* submit what is queued and wait for at least one completion */
		long n = syscall(__NR_io_uring_enter, ring.fd, queued, 1u, IORING_ENTER_GETEVENTS, NULL, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		inflight += queued;
		queued = 0;
		unsigned int head = *ring.cq_head, tail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
		bool more = (udrv_now_ns() / 1e9) < end;

		for (; head != tail; head++) {
			struct io_uring_cqe *cqe = &ring.cqes[head & *ring.cq_mask];
			unsigned int i = (unsigned int)cqe->user_data;

			inflight--;
			if (cqe->res != (int32_t)b->io_bytes) {
				ret = cqe->res < 0 ? cqe->res : -EIO;
				continue;
			}
			r->ios++;
			if (more && !ret) {
				uint64_t s = b->random ? xorshift(&seed) % slots : next++ % slots;

				ring_read(&ring, i, buf + (size_t)i * b->io_bytes, b->io_bytes, s * b->io_bytes);
				queued++;
			}
		}
		__atomic_store_n(ring.cq_head, head, __ATOMIC_RELEASE);
	}
	r->seconds = (udrv_now_ns() / 1e9) - t0;
	r->iops = (double)r->ios / r->seconds;
	r->mib_s = r->iops * b->io_bytes / (1024.0 * 1024.0);
	uring_close(&ring);	/* waits for what is still in flight after an error */
	free(buf);
	return ret;
}

/* Fold one run into a sum and recompute the rates. */
/* The guest's CPU time so far (/proc/stat's first line), in ticks. */
enum { CPU_USER, CPU_SYSTEM, CPU_IRQ, CPU_SOFTIRQ, CPU_IDLE, CPU_KINDS };

static const char *const cpu_kind[CPU_KINDS] = { "user", "system", "irq", "softirq", "idle" };

static void cpu_ticks(unsigned long long t[CPU_KINDS])
{
	unsigned long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, soft = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
			   &iowait, &irq, &soft) != 7)
			user = nice = sys = idle = iowait = irq = soft = 0;
		fclose(f);
	}
	t[CPU_USER] = user + nice;
	t[CPU_SYSTEM] = sys;
	t[CPU_IRQ] = irq;
	t[CPU_SOFTIRQ] = soft;
	t[CPU_IDLE] = idle + iowait;
}

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
			 const struct udrv_blk_bench_result *r, const unsigned long long cpu[CPU_KINDS])
{
	unsigned long long all = 0;

	for (int k = 0; k < CPU_KINDS; k++)
		all += cpu[k];
	printf("{\"bench\": \"virtio-blk\", \"test\": \"%s\", \"driver\": \"%s\", \"io_bytes\": %u, "
	       "\"queue_depth\": %u, \"ios\": %llu, \"seconds\": %.3f, \"iops\": %.1f, "
	       "\"mib_s\": %.2f, \"interrupts\": %llu, \"guest_cpu_pct\": {", test, driver,
	       b->io_bytes, b->qd, (unsigned long long)r->ios, r->seconds, r->iops, r->mib_s,
	       (unsigned long long)r->irqs);
	for (int k = 0; k < CPU_KINDS; k++)
		printf("%s\"%s\": %.1f", k ? ", " : "", cpu_kind[k], all ? 100.0 * cpu[k] / all : 0);
	printf("}}\n");
	fflush(stdout);
}

/* One side's run of @b. */
static int run_side(enum side s, struct udrv_virtio_blk *blk, int fd, uint64_t bytes,
		    const struct udrv_blk_bench *b, struct udrv_blk_bench_result *r)
{
	int ret;

	switch (s) {
	case KERNEL_IRQ:
	case KERNEL_IOPOLL:
		return kernel_run(fd, bytes, s == KERNEL_IOPOLL, b, r);
	default:
		if ((ret = udrv_virtio_blk_set_polled(blk, s == UDRV_POLL)))
			return ret;
		return udrv_blk_bench_run(blk, b, r);
	}
}

/* /sys/block/vda/queue/io_poll: 1 when the disk has a poll queue, else 0; -1 unreadable. */
static int io_poll(void)
{
	FILE *f = fopen(IO_POLL, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	const char *only = argc > 3 ? argv[3] : NULL;
	const struct test tests[] = {
		{ "randread-4k-qd1", "iops", { true, 4096, 1, seconds } },
		{ "randread-4k-qd32", "iops", { true, 4096, 32, seconds } },
		{ "seqread-1m-qd1", "mib_s", { false, 1u << 20, 1, seconds } },
	};
	struct udrv_virtio_blk *blk;
	uint64_t bytes;
	int fd, ret, rc = 0, poll, ran = 0;

	if (argc < 2 || argc > 4 || seconds <= 0) {
		fprintf(stderr, "usage: virtio-blk BOARD [SECONDS [TEST:SIDE]]\n");
		return 2;
	}
	if (strcmp(argv[1], "virt") && strcmp(argv[1], "virt32"))
		return 0;
	poll = io_poll();
	printf("{\"bench\": \"virtio-blk\", \"disk\": \"%s\", \"io_poll\": %d}\n", KERNEL_DISK, poll);
	fflush(stdout);
	if (poll != 1) {
		fprintf(stderr, "virtio-blk: %s is %d, not 1: the kernel's disk has no poll queue "
			"(it needs two virtqueues and virtio_blk.poll_queues=1); no IOPOLL baseline\n",
			IO_POLL, poll);
		return 1;
	}
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
		struct udrv_blk_bench_result sum[SIDES] = { 0 };
		unsigned long long cpu[SIDES][CPU_KINDS] = { { 0 } };
		struct udrv_blk_bench b = T->b;
		double v[SIDES];

		/* Rounds alternate the sides so that each sees the same machine. */
		b.seconds /= ROUNDS;
		for (int round = 0; round < ROUNDS && !rc; round++) {
			for (int s = 0; s < SIDES && !rc; s++) {
				struct udrv_blk_bench_result one = { 0 };
				unsigned long long t0[CPU_KINDS], t1[CPU_KINDS];
				char name[64];

				snprintf(name, sizeof(name), "%s:%s", T->name, side_name[s]);
				if (only && strcmp(only, name))
					continue;
				ran = 1;
				cpu_ticks(t0);
				ret = run_side((enum side)s, blk, fd, bytes, &b, &one);
				cpu_ticks(t1);
				for (int k = 0; k < CPU_KINDS; k++)
					cpu[s][k] += t1[k] - t0[k];
				if (ret) {
					fprintf(stderr, "virtio-blk: %s: %s: %s\n", T->name, side_name[s],
						s >= UDRV_IRQ && *udrv_virtio_last_error() ?
						udrv_virtio_last_error() : strerror(-ret));
					rc = 1;
				}
				accumulate(&sum[s], &one, &b);
			}
		}
		if (rc)
			break;
		if (only) {
			for (int s = 0; s < SIDES; s++)
				if (sum[s].ios)
					print_result(T->name, side_name[s], &T->b, &sum[s], cpu[s]);
			continue;
		}
		for (int s = 0; s < SIDES; s++) {
			print_result(T->name, side_name[s], &T->b, &sum[s], cpu[s]);
			v[s] = !strcmp(T->metric, "iops") ? sum[s].iops : sum[s].mib_s;
		}
		printf("{\"bench\": \"virtio-blk\", \"test\": \"%s\", \"metric\": \"%s\", "
		       "\"kernel-uring-irq\": %.2f, \"kernel-uring-iopoll\": %.2f, "
		       "\"udrv-irq\": %.2f, \"udrv-poll\": %.2f, "
		       "\"ratio_udrv_irq_vs_kernel_irq\": %.3f, "
		       "\"ratio_udrv_poll_vs_kernel_iopoll\": %.3f}\n",
		       T->name, T->metric, v[KERNEL_IRQ], v[KERNEL_IOPOLL], v[UDRV_IRQ], v[UDRV_POLL],
		       v[KERNEL_IRQ] > 0 ? v[UDRV_IRQ] / v[KERNEL_IRQ] : 0,
		       v[KERNEL_IOPOLL] > 0 ? v[UDRV_POLL] / v[KERNEL_IOPOLL] : 0);
		fflush(stdout);
	}
	if (only && !ran && !rc) {
		fprintf(stderr, "virtio-blk: no TEST:SIDE '%s' (sides: kernel-uring-irq, "
			"kernel-uring-iopoll, udrv-irq, udrv-poll)\n", only);
		rc = 2;
	}
	udrv_virtio_blk_close(blk);
	close(fd);
	return rc;
}
