// SPDX-License-Identifier: MIT
/*
 * test_virtio - drivers/virtio-blk and drivers/virtio-rng, on the
 * drivers/virtio transport, on the virt board: the userspace virtio-blk
 * driver on disk 0 (virtio-mmio 0xa003e00, UIO "virtio-blk") and the
 * virtio-rng driver (0xa003a00, UIO "virtio-rng").
 *
 * Disk 0 is a fresh 32 MiB zeroed image each boot. 16 MiB .. 24 MiB get a
 * known pattern (each 8-byte word a function of its byte offset) that the
 * random reads verify; 12 MiB .. 13 MiB get the written-then-read data.
 * Both regions are handed to the host (disk-check) to compare with the image
 * file once QEMU exits. Only the ublk suite also writes to disk 0, elsewhere
 * (test_ublk.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sha256.h"
#include "proc_irq.h"
#include "tool_run.h"
#include "virtio_blk.h"
#include "virtio_regs.h"
#include "virtio_rng.h"

#define MiB		(1024u * 1024u)
#define PATTERN_OFF	(16 * MiB)
#define PATTERN_BYTES	(8 * MiB)
#define RW_OFF		(12 * MiB)
#define RW_BYTES	(1 * MiB)
#define RANDOM_READS	10000
#define QD		32

static uint64_t pattern_word(uint64_t off)
{
	uint64_t x = off * 0x9e3779b97f4a7c15ull;

	return x ^ (x >> 29) ^ 0x75647276ull;
}

static void fill_pattern(void *buf, uint64_t off, size_t len)
{
	uint64_t *w = buf;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern_word(off + 8 * i);
}

/* Ask the host to compare bytes off..off+len of disk 0 with @data. */
static void host_disk_check(const void *data, uint64_t off, size_t len)
{
	char sum[65];

	sha256_hex(data, len, sum);
	printf("@@UDRV-HOST disk-check 0 %llu %zu %s\n", (unsigned long long)off, len, sum);
	fflush(stdout);
}

static struct udrv_virtio_blk *open_blk_opts(const struct udrv_virtio_blk_opts *o)
{
	struct udrv_virtio_blk *blk = NULL;
	int ret = udrv_virtio_blk_open(NULL, o, &blk);

	if (ret)
		fail_msg("udrv_virtio_blk_open: %d: %s", ret, udrv_virtio_last_error());
	return blk;
}

static struct udrv_virtio_blk *open_blk(bool polled)
{
	struct udrv_virtio_blk_opts o = { .polled = polled };
	struct udrv_virtio_blk *blk = NULL;
	int ret = udrv_virtio_blk_open(NULL, &o, &blk);

	if (ret)
		fail_msg("udrv_virtio_blk_open: %d: %s", ret, udrv_virtio_last_error());
	return blk;
}

/* Interrupts the kernel counted for the disk's UIO node (it counts every
 * one, whether or not the driver ever sleeps on it). */
static uint64_t uio_events(struct udrv_virtio_blk *blk)
{
	unsigned int n = udrv_device_uio(udrv_virtio_dev_udrv(udrv_virtio_blk_virtio(blk)));
	unsigned long long v = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%u/event", n);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &v), 1);
	fclose(f);
	return v;
}

/* The queue still works: a read of the pattern's first block returns it. */
static void assert_usable(struct udrv_virtio_blk *blk)
{
	uint64_t got[64], want[64];

	assert_int_equal(udrv_virtio_blk_read(blk, PATTERN_OFF / 512, 1, got), 0);
	fill_pattern(want, PATTERN_OFF, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
}

static void test_info(void **state)
{
	struct udrv_virtio_blk *blk = open_blk(false);

	(void)state;
	assert_int_equal(udrv_virtio_blk_block_size(blk), 512);
	assert_int_equal(udrv_virtio_blk_capacity(blk) * udrv_virtio_blk_block_size(blk), 32 * MiB);
	assert_false(udrv_virtio_blk_read_only(blk));
	assert_true(udrv_virtio_blk_queue_depth(blk) >= QD);
	assert_true(udrv_virtio_dev_has(udrv_virtio_blk_virtio(blk), VIRTIO_F_VERSION_1));
	udrv_virtio_blk_close(blk);
}

/* Fill 16 MiB .. 24 MiB with the pattern, read it all back. */
static void test_pattern_write_read(void **state)
{
	struct udrv_virtio_blk *blk = open_blk(false);
	size_t chunk = 256 * 1024;
	char *buf = malloc(PATTERN_BYTES), *back = malloc(chunk);

	(void)state;
	assert_non_null(buf);
	assert_non_null(back);
	fill_pattern(buf, PATTERN_OFF, PATTERN_BYTES);
	for (size_t off = 0; off < PATTERN_BYTES; off += chunk)
		assert_int_equal(udrv_virtio_blk_write(blk, (PATTERN_OFF + off) / 512, chunk / 512,
						       buf + off), 0);
	assert_int_equal(udrv_virtio_blk_flush(blk), 0);
	for (size_t off = 0; off < PATTERN_BYTES; off += chunk) {
		assert_int_equal(udrv_virtio_blk_read(blk, (PATTERN_OFF + off) / 512, chunk / 512, back), 0);
		assert_memory_equal(back, buf + off, chunk);
	}
	host_disk_check(buf, PATTERN_OFF, PATTERN_BYTES);
	free(back);
	free(buf);
	udrv_virtio_blk_close(blk);
}

/* Written with interrupts, read back polled and with interrupts by a new
 * open, then checked by the host in the image file. */
static void test_write_read_back_host_sees_it(void **state)
{
	char *data = malloc(RW_BYTES), *back = malloc(RW_BYTES);
	struct udrv_virtio_blk *blk = open_blk(false);

	(void)state;
	srand(12345);
	for (size_t i = 0; i < RW_BYTES; i++)
		data[i] = (char)(rand() >> 7);
	assert_int_equal(udrv_virtio_blk_write(blk, RW_OFF / 512, RW_BYTES / 512, data), 0);
	assert_int_equal(udrv_virtio_blk_flush(blk), 0);
	udrv_virtio_blk_close(blk);

	blk = open_blk(true);
	memset(back, 0, RW_BYTES);
	assert_int_equal(udrv_virtio_blk_read(blk, RW_OFF / 512, RW_BYTES / 512, back), 0);
	assert_memory_equal(back, data, RW_BYTES);
	assert_int_equal(udrv_virtio_blk_set_polled(blk, false), 0);
	memset(back, 0, RW_BYTES);
	assert_int_equal(udrv_virtio_blk_read(blk, RW_OFF / 512, RW_BYTES / 512, back), 0);
	assert_memory_equal(back, data, RW_BYTES);
	udrv_virtio_blk_close(blk);
	host_disk_check(data, RW_OFF, RW_BYTES);
	free(back);
	free(data);
}

/* @reads random 4 KiB reads, up to 32 in flight, each checked. */
static void random_reads(bool polled, bool no_indirect, unsigned int reads)
{
	struct udrv_virtio_blk_opts o = { .polled = polled, .no_indirect = no_indirect };
	struct udrv_virtio_blk *blk = open_blk_opts(&o);
	struct udrv_dma_buf *buf;
	struct udrv_virtio_blk_done done[QD];
	uint64_t lba[QD], want[512];
	unsigned int free_slots[QD], nfree = QD;
	unsigned int submitted = 0, completed = 0, max_inflight = 0;
	uint64_t events0;
	struct udrv_irq *irq;
	int n;

	/* unmasked even when polling, so that an interrupt would be counted */
	assert_int_equal(udrv_device_irq(udrv_virtio_dev_udrv(udrv_virtio_blk_virtio(blk)), 0, &irq), 0);
	assert_int_equal(udrv_irq_unmask(irq), 0);
	events0 = uio_events(blk);

	for (unsigned int i = 0; i < QD; i++)
		free_slots[i] = i;
	assert_int_equal(udrv_virtio_blk_dma_alloc(blk, QD * 4096, &buf), 0);
	srand(polled ? 7 : 8);
	while (completed < reads) {
		while (submitted < reads && nfree) {
			/* slot i of the buffer, tag i + 1, back on the free list when done */
			unsigned int slot = free_slots[--nfree];

			lba[slot] = (PATTERN_OFF + (uint64_t)(rand() % (PATTERN_BYTES / 4096)) * 4096) / 512;
			assert_int_equal(udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, lba[slot], 8, buf,
							   slot * 4096u, (void *)(uintptr_t)(slot + 1)), 0);
			submitted++;
		}
		if (udrv_virtio_blk_inflight(blk) > max_inflight)
			max_inflight = udrv_virtio_blk_inflight(blk);
		n = udrv_virtio_blk_reap(blk, done, QD);
		if (n <= 0)
			fail_msg("reap: %d: %s", n, udrv_virtio_last_error());
		for (int i = 0; i < n; i++) {
			unsigned int slot = (unsigned int)(uintptr_t)done[i].tag - 1;

			assert_int_equal(done[i].status, 0);
			fill_pattern(want, lba[slot] * 512, 4096);
			assert_memory_equal((char *)udrv_dma_cpu(buf) + slot * 4096u, want, 4096);
			free_slots[nfree++] = slot;
			completed++;
		}
	}
	assert_int_equal(max_inflight, QD);
	/* polled: the device was asked not to interrupt (2.6.7) and did not */
	if (polled)
		assert_int_equal(uio_events(blk), events0);
	else
		assert_true(uio_events(blk) > events0);
	udrv_virtio_blk_close(blk);
}

static void test_random_reads_qd32_interrupts(void **state)
{
	(void)state;
	random_reads(false, false, RANDOM_READS);
}

static void test_random_reads_qd32_polled(void **state)
{
	(void)state;
	random_reads(true, false, RANDOM_READS);
}

/* Without indirect descriptors: three per request, a third of the queue. */
static void test_random_reads_direct_chains(void **state)
{
	struct udrv_virtio_blk_opts o = { .no_indirect = true };
	struct udrv_virtio_blk *blk = open_blk_opts(&o);

	(void)state;
	assert_false(udrv_virtio_dev_has(udrv_virtio_blk_virtio(blk), VIRTIO_F_INDIRECT_DESC));
	assert_int_equal(udrv_virtio_blk_queue_depth(blk), udrv_virtio_blk_queue_size(blk) / 3);
	udrv_virtio_blk_close(blk);
	random_reads(false, true, 2000);
}

static void test_read_past_capacity(void **state)
{
	struct udrv_virtio_blk *blk = open_blk(false);
	uint64_t cap = udrv_virtio_blk_capacity(blk);
	struct udrv_dma_buf *buf;
	char b[1024];

	(void)state;
	assert_int_equal(udrv_virtio_blk_read(blk, cap, 1, b), -ERANGE);
	assert_non_null(strstr(udrv_virtio_last_error(), "past the capacity"));
	assert_int_equal(udrv_virtio_blk_read(blk, cap - 1, 2, b), -ERANGE);
	assert_int_equal(udrv_virtio_blk_read(blk, UINT64_MAX, 1, b), -ERANGE);
	assert_int_equal(udrv_virtio_blk_write(blk, cap, 1, b), -ERANGE);
	assert_int_equal(udrv_virtio_blk_dma_alloc(blk, 4096, &buf), 0);
	assert_int_equal(udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, cap - 7, 8, buf, 0, b), -ERANGE);
	assert_int_equal(udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, 0, 9, buf, 0, b), -EINVAL);
	assert_int_equal(udrv_virtio_blk_inflight(blk), 0);
	assert_int_equal(udrv_virtio_blk_read(blk, cap - 1, 1, b), 0);	/* the last block is fine */
	assert_usable(blk);
	udrv_virtio_blk_close(blk);
}

static void test_not_a_block_device(void **state)
{
	struct udrv_virtio_blk *blk = NULL;

	(void)state;
	assert_int_equal(udrv_virtio_blk_open("virtio-rng", NULL, &blk), -ENODEV);
	assert_non_null(strstr(udrv_virtio_last_error(), "entropy"));
	assert_int_equal(udrv_virtio_blk_open("pl031", NULL, &blk), -ENODEV);	/* no virtio magic */
	assert_non_null(strstr(udrv_virtio_last_error(), "not virtio-mmio"));
	assert_int_equal(udrv_virtio_blk_open("no-such-device", NULL, &blk), -ENOENT);
	assert_null(blk);
}

static void test_queue_size_refused(void **state)
{
	struct udrv_virtio_blk_opts o = { .queue_size = 4096 };
	struct udrv_virtio_blk *blk = NULL;

	(void)state;
	assert_int_equal(udrv_virtio_blk_open(NULL, &o, &blk), -EINVAL);
	assert_non_null(strstr(udrv_virtio_last_error(), "size 4096 refused"));
	o.queue_size = 100;
	assert_int_equal(udrv_virtio_blk_open(NULL, &o, &blk), -EINVAL);
	assert_null(blk);
	/* the device is still usable after a refused size, at a size it takes */
	o.queue_size = 64;
	assert_int_equal(udrv_virtio_blk_open(NULL, &o, &blk), 0);
	assert_int_equal(udrv_virtio_blk_queue_size(blk), 64);
	assert_usable(blk);
	udrv_virtio_blk_close(blk);
}

static void test_failed_request(void **state)
{
	struct udrv_virtio_blk *blk = open_blk(false);
	struct udrv_virtio_blk_done d;

	(void)state;
	/* a request type the device does not know: it answers UNSUPP */
	assert_int_equal(udrv_virtio_blk_submit(blk, 0x7f, 0, 0, NULL, 0, blk), 0);
	assert_int_equal(udrv_virtio_blk_reap(blk, &d, 1), 1);
	assert_ptr_equal(d.tag, blk);
	assert_int_equal(d.status, -EOPNOTSUPP);
	assert_int_equal(udrv_virtio_blk_inflight(blk), 0);
	assert_usable(blk);
	udrv_virtio_blk_close(blk);
}

static void test_queue_full(void **state)
{
	struct udrv_virtio_blk *blk = open_blk(false);
	unsigned int depth = udrv_virtio_blk_queue_depth(blk), got = 0;
	struct udrv_virtio_blk_done d[64];
	struct udrv_dma_buf *buf;
	int n;

	(void)state;
	assert_int_equal(udrv_virtio_blk_dma_alloc(blk, 512, &buf), 0);
	for (unsigned int i = 0; i < depth; i++)
		assert_int_equal(udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, i, 1, buf, 0, blk), 0);
	assert_int_equal(udrv_virtio_blk_submit(blk, VIRTIO_BLK_T_IN, 0, 1, buf, 0, blk), -EAGAIN);
	assert_int_equal(udrv_virtio_blk_read(blk, 0, 1, d), -EBUSY);
	while (got < depth) {
		n = udrv_virtio_blk_reap(blk, d, 64);
		assert_true(n > 0);
		got += (unsigned int)n;
	}
	assert_int_equal(udrv_virtio_blk_reap(blk, d, 64), 0);
	assert_usable(blk);
	udrv_virtio_blk_close(blk);
}

static void rng_reads(bool polled)
{
	unsigned char a[64], b[64], big[10000];
	struct udrv_virtio_rng *rng = NULL;
	int ret = udrv_virtio_rng_open(NULL, polled, &rng);

	if (ret)
		fail_msg("udrv_virtio_rng_open: %d: %s", ret, udrv_virtio_last_error());
	assert_int_equal(udrv_virtio_rng_read(rng, a, sizeof(a)), sizeof(a));
	assert_int_equal(udrv_virtio_rng_read(rng, b, sizeof(b)), sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(udrv_virtio_rng_read(rng, big, sizeof(big)), sizeof(big));
	assert_int_equal(udrv_virtio_rng_read(rng, a, 1), 1);
	assert_int_equal(udrv_virtio_rng_read(rng, a, 0), 0);
	udrv_virtio_rng_close(rng);
}

static void test_rng_interrupts(void **state)
{
	(void)state;
	rng_reads(false);
}

static void test_rng_polled(void **state)
{
	(void)state;
	rng_reads(true);
}

/*
 * The virt boards' virtio-rng has iommu_platform=on (qemu/udrv_qemu.py):
 * it offers VIRTIO_F_ACCESS_PLATFORM and refuses FEATURES_OK without it
 * (review D1). The driver accepts it, with ORDER_PLATFORM when offered,
 * and the device works.
 */
static void test_rng_access_platform(void **state)
{
	struct udrv_virtio_rng *rng = NULL;
	uint8_t a[64];
	int ret;

	(void)state;
	ret = udrv_virtio_rng_open(NULL, false, &rng);
	if (ret)
		fail_msg("udrv_virtio_rng_open: %d: %s", ret, udrv_virtio_last_error());
	assert_true(udrv_virtio_dev_has(udrv_virtio_rng_virtio(rng), VIRTIO_F_ACCESS_PLATFORM));
	assert_true(udrv_virtio_dev_has(udrv_virtio_rng_virtio(rng), VIRTIO_F_VERSION_1));
	assert_int_equal(udrv_virtio_rng_read(rng, a, sizeof(a)), sizeof(a));
	udrv_virtio_rng_close(rng);
}

static void test_rng_not_entropy(void **state)
{
	struct udrv_virtio_rng *rng = NULL;

	(void)state;
	assert_int_equal(udrv_virtio_rng_open("virtio-blk", false, &rng), -ENODEV);
	assert_non_null(strstr(udrv_virtio_last_error(), "block"));
	assert_null(rng);
}

/* The smp_affinity_list path of the interrupt named @name. */
static void irq_affinity_path(const char *name, char *path, size_t len)
{
	int irq = proc_irq_number(name);

	assert_true(irq > 0);
	snprintf(path, len, "/proc/irq/%d/smp_affinity_list", irq);
}

/* Read (@set NULL) or write a small sysfs/procfs file, into @buf. */
static void proc_file(const char *path, const char *set, char *buf, size_t len)
{
	FILE *f = fopen(path, set ? "w" : "r");

	assert_non_null(f);
	if (set) {
		assert_true(fputs(set, f) >= 0);
		assert_int_equal(fclose(f), 0);
		return;
	}
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* --rt on the virtio CLIs: udrv-rng runs with SCHED_FIFO, pinned, locked, and
 * leaves its interrupt on CPU 1; a bad SPEC is one line and exit 2. */
static void test_cli_rt(void **state)
{
	char *rng[] = { "/usr/bin/udrv-rng", "--rt", "fifo=10,cpu=1,mlock", "-x", "32", NULL };
	char *bad[] = { "/usr/bin/udrv-blk", "--rt", "fifo=100", "info", NULL };
	char path[64], was[64], now[64];

	(void)state;
	irq_affinity_path("virtio-rng", path, sizeof(path));
	proc_file(path, NULL, was, sizeof(was));
	assert_int_equal(run_as(-1, -1, -1, rng), 0);
	assert_int_equal(strlen(R.out), 65);	/* 32 bytes as hex and a newline */
	proc_file(path, NULL, now, sizeof(now));
	assert_string_equal(now, "1");
	assert_int_equal(run_as(-1, -1, -1, bad), 2);
	assert_string_equal(R.err, "udrv-blk: --rt: real-time settings: 'fifo=100' is none of "
			    "fifo=1..99, cpu=N, mlock\n");
	proc_file(path, was, NULL, 0);
	proc_file(path, NULL, now, sizeof(now));
	assert_string_equal(now, was);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_pattern_write_read),
		cmocka_unit_test(test_write_read_back_host_sees_it),
		cmocka_unit_test(test_random_reads_qd32_interrupts),
		cmocka_unit_test(test_random_reads_qd32_polled),
		cmocka_unit_test(test_random_reads_direct_chains),
		cmocka_unit_test(test_read_past_capacity),
		cmocka_unit_test(test_not_a_block_device),
		cmocka_unit_test(test_queue_size_refused),
		cmocka_unit_test(test_failed_request),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_rng_interrupts),
		cmocka_unit_test(test_rng_polled),
		cmocka_unit_test(test_rng_access_platform),
		cmocka_unit_test(test_rng_not_entropy),
		cmocka_unit_test(test_cli_rt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
