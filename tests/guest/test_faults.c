/* SPDX-License-Identifier: MIT */
/*
 * Faults and security on the virt board: what a udrv driver, the library and
 * the udrv_uio stub survive, and what they refuse.
 *
 *   unbind_while_waiting   the PL031 is unbound while a process has it mapped
 *                          and waits for its interrupt: the wait ends with
 *                          -ENODEV, a checked register read afterwards is
 *                          -ENODEV (the process lives), a later bind works
 *   rmmod_while_waiting    removing the stub module then is refused
 *                          (EWOULDBLOCK) and the waiter gets its interrupt
 *   irq_storm_level        the PL031 alarm is left asserted (level) and never
 *                          cleared: while masked no event arrives; each of a
 *                          few hundred unmasks gives exactly one event; a
 *                          timer in another process keeps time meanwhile
 *   killed_while_holding   a process holding the PL031 (line masked, alarm
 *                          asserted) and the virtio-rng's DMA pool is
 *                          SIGKILLed: the next opener gets both (the lock
 *                          died with it), the line stayed masked, interrupts
 *                          arrive after its unmask, the pool is intact
 *   second_opener          a second process opening a held device is told
 *                          (-EBUSY, naming it) unless both share
 *   fresh_pool_zeroed      after a rebind the pool reads all zeros (the
 *                          previous test left a pattern in it)
 *   mmap_past_end          mapping more than a map, or a map that does not
 *                          exist, fails
 *   sysfs_not_writable     the bind/unbind/driver_override/new_id files and
 *                          the UIO attributes are not writable by others, and
 *                          an unprivileged process can neither rebind nor
 *                          open /dev/uioN
 *   unbind_revokes_maps    a process maps the virtio-rng's registers and
 *                          pool; the device is unbound and handed to the
 *                          kernel's virtio-mmio driver: each of its reads
 *                          and writes through the old mappings is SIGBUS, the
 *                          kernel's driver works, and udrv gets it back
 *   map_private_refused    MAP_PRIVATE of registers or pool: EINVAL
 *   dma_killed_in_flight   an edu DMA into the pool is in flight when its
 *                          driver is SIGKILLed: it never lands, neither in
 *                          the pool the next opener gets nor, after a
 *                          rebind, in the new pool
 *   dma_outside_pool       edu told to DMA to a physical page outside its
 *                          pool: behind an IOMMU the SMMU faults it (logged)
 *                          and the page is unchanged; without one it is
 *                          written (what the README warns of)
 *   unmaskable_irq_refused interrupts behind a slow bus or nested in a
 *                          thread are refused at probe with a message
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "edu_regs.h"
#include "test_stub_common.h"
#include "udrv.h"

/* PL031 registers (ARM DDI 0224, 3.3) */
#define RTCDR	0x00
#define RTCMR	0x04
#define RTCIMSC	0x10
#define RTCRIS	0x14
#define RTCICR	0x1c

#define PL031_DEV "9010000.pl031"
#define STUB_PLATFORM "/sys/bus/platform/drivers/udrv_uio"
#define RNG_POOL_FILL 0xa5

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Open the PL031 with its registers and interrupt. */
static int udrv_pl031_open(struct udrv_device **dev, struct udrv_region **r, struct udrv_irq **irq)
{
	int ret = udrv_device_open("pl031", dev);

	if (ret)
		return ret;
	if ((ret = udrv_device_region(*dev, 0, 0x20, r)) || (ret = udrv_device_irq(*dev, 0, irq)))
		udrv_device_close(*dev);
	return ret;
}

/* Quiet the PL031: interrupt disabled and cleared, the line unmasked, the
 * stale event (if any) consumed. */
static void pl031_quiet(struct udrv_region *r, struct udrv_irq *irq)
{
	udrv_region_write(r, RTCIMSC, 32, 0);
	udrv_region_write(r, RTCICR, 32, 1);
	udrv_irq_unmask(irq);
	udrv_irq_wait(irq, 0);
}

/* Assert the alarm now (match = the counter) and leave it asserted.
 * QEMU raises it when MR equals the count at the write; retry if the
 * second turned between our read and write. 0 or -ETIMEDOUT. */
static int pl031_assert(struct udrv_region *r)
{
	uint64_t dr, ris = 0;

	udrv_region_write(r, RTCIMSC, 32, 1);
	for (int i = 0; i < 5 && !(ris & 1); i++) {
		udrv_region_read(r, RTCDR, 32, &dr);
		udrv_region_write(r, RTCMR, 32, dr);
		udrv_region_read(r, RTCRIS, 32, &ris);
	}
	return ris & 1 ? 0 : -ETIMEDOUT;
}

/* The PL031's driver directory and device name in sysfs. */
static void pl031_driver(char *drv, size_t len)
{
	char path[128];
	char real[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver", PL031_DEV);
	if (!realpath(path, real))
		real[0] = '\0';
	snprintf(drv, len, "%s", real);
}

/* Read exactly len bytes from fd (0) or fail (-1). */
static int read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void test_unbind_while_waiting(void **state)
{
	struct udrv_device *dev;
	struct udrv_region *r;
	struct udrv_irq *irq;
	int p[2], res[3] = { 99, 99, 99 }, st;
	char drv[512], path[600];
	uint64_t t0;
	pid_t pid;

	(void)state;
	pl031_driver(drv, sizeof(drv));
	assert_non_null(strstr(drv, "udrv_uio"));
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint64_t v;
		char go = 1;

		close(p[0]);
		res[0] = udrv_pl031_open(&dev, &r, &irq);
		if (!res[0]) {
			pl031_quiet(r, irq);
		}
		if (write(p[1], &go, 1) != 1)
			_exit(3);
		if (!res[0]) {
			res[1] = udrv_irq_wait(irq, 20ull * 1000000000);
			res[2] = udrv_region_read(r, RTCDR, 32, &v);
			udrv_device_close(dev);
		}
		if (write(p[1], res, sizeof(res)) != sizeof(res))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	char go;

	assert_int_equal(read_all(p[0], &go, 1), 0);
	sleep_ms(300);	/* let the child sleep in its wait */
	t0 = now_ms();
	snprintf(path, sizeof(path), "%s/unbind", drv);
	assert_int_equal(sysfs_write(path, PL031_DEV), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	t0 = now_ms() - t0;
	if (read_all(p[0], res, sizeof(res)))
		res[0] = res[1] = res[2] = 99;
	close(p[0]);
	printf("# child: %s %d; open %d, wait %d, udrv_region_read after unbind %d; ended %llu ms after the unbind\n",
	       WIFSIGNALED(st) ? "killed by signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) :
	       WEXITSTATUS(st), res[0], res[1], res[2], (unsigned long long)t0);
	assert_false(WIFSIGNALED(st));	/* no SIGBUS */
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(res[0], 0);
	assert_int_equal(res[1], -ENODEV);
	assert_int_equal(res[2], -ENODEV);	/* the checked read refused, no access */

	/* gone from the library's view, then back with a bind */
	assert_int_equal(udrv_device_open("pl031", &dev), -ENOENT);
	snprintf(path, sizeof(path), "%s/bind", drv);
	assert_int_equal(sysfs_write(path, PL031_DEV), 0);
	assert_int_equal(udrv_pl031_open(&dev, &r, &irq), 0);
	pl031_quiet(r, irq);
	assert_int_equal(pl031_assert(r), 0);
	assert_int_equal(udrv_irq_wait(irq, 2ull * 1000000000), 1);
	pl031_quiet(r, irq);
	udrv_device_close(dev);
}

/* rmmod while a process has the PL031 mapped and waits: refused (an open
 * /dev/uioN pins the module, udrv_uio.h), and the waiter gets its interrupt. */
static void test_rmmod_while_waiting(void **state)
{
	struct udrv_device *dev;
	struct udrv_region *r;
	struct udrv_irq *irq;
	char params[512], c = 0;
	int ready[2], go[2], st, rm;
	pid_t pid;

	(void)state;
	stub_module_params(params, sizeof(params));
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (udrv_pl031_open(&dev, &r, &irq))
			_exit(1);
		pl031_quiet(r, irq);
		if (write(ready[1], &c, 1) != 1 || read_all(go[0], &c, 1))
			_exit(2);
		if (pl031_assert(r) || udrv_irq_wait(irq, 5ull * 1000000000) != 1)
			_exit(3);
		pl031_quiet(r, irq);
		udrv_device_close(dev);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read_all(ready[0], &c, 1), 0);
	rm = stub_rmmod(0);
	if (!rm)	/* it went: put it back for the other tests */
		stub_insmod(params);
	assert_int_equal(write(go[1], &c, 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	printf("# rmmod udrv_uio while a process waits on the PL031: %s; the waiter %s %d\n",
	       strerror(-rm), WIFEXITED(st) ? "exited" : "died of signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	assert_int_equal(rm, -EWOULDBLOCK);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ready[0]);
	close(go[1]);
}

/* A child that sleeps 25 x 20 ms and exits 1 if any sleep overran by more
 * than 500 ms, or the whole took more than 5 s. */
static pid_t timer_child(void)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	uint64_t start = now_ms(), worst = 0;

	for (int i = 0; i < 25; i++) {
		uint64_t t = now_ms();

		sleep_ms(20);
		t = now_ms() - t;
		if (t > worst)
			worst = t;
	}
	printf("# timer child: 25 x 20 ms sleeps in %llu ms, longest %llu ms\n",
	       (unsigned long long)(now_ms() - start), (unsigned long long)worst);
	fflush(stdout);
	_exit(worst <= 520 && now_ms() - start <= 5000 ? 0 : 1);
}

static void test_irq_storm_level(void **state)
{
	struct udrv_device *dev;
	struct udrv_region *r;
	struct udrv_irq *irq;
	unsigned int unmasks = 0, events = 0;
	uint32_t c0, c1;
	int n = uio_by_name("pl031"), st;
	long long e0;
	uint64_t t;
	pid_t pid;

	(void)state;
	assert_int_equal(udrv_pl031_open(&dev, &r, &irq), 0);
	pl031_quiet(r, irq);
	assert_int_equal(pl031_assert(r), 0);
	/* The line is level and stays asserted: one event, then masked. */
	assert_int_equal(udrv_irq_wait(irq, 2ull * 1000000000), 1);
	e0 = uio_events(n);
	sleep_ms(500);
	assert_int_equal(udrv_irq_wait(irq, 0), 0);
	assert_int_equal(uio_events(n), e0);	/* the stub kept it masked */

	/* Storm: unmask again and again without clearing the cause, for 2 s,
	 * while another process runs a timer. */
	pid = timer_child();
	assert_true(pid > 0);
	c0 = udrv_irq_count(irq);
	t = now_ms();
	while (now_ms() - t < 2000) {
		assert_int_equal(udrv_irq_unmask(irq), 0);
		unmasks++;
		int w = udrv_irq_wait(irq, 1000000000);

		assert_int_equal(w, 1);
		events++;
	}
	c1 = udrv_irq_count(irq);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	printf("# %u unmasks of an asserted level line in 2 s: %u events, counter +%u, missed %llu\n",
	       unmasks, events, c1 - c0, (unsigned long long)udrv_irq_missed(irq));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);	/* the guest kept time */
	assert_int_equal(events, unmasks);
	assert_int_equal(c1 - c0, unmasks);	/* exactly one per unmask */
	/* and masked again once the storm stops */
	e0 = uio_events(n);
	sleep_ms(200);
	assert_int_equal(uio_events(n), e0);
	pl031_quiet(r, irq);
	udrv_device_close(dev);
}

static void test_killed_while_holding(void **state)
{
	struct udrv_device *dev, *rng;
	struct udrv_region *r;
	struct udrv_irq *irq;
	struct udrv_dma_buf *b;
	uint64_t bus = 0;
	size_t pool;
	int p[2], st;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint64_t msg = 0;

		close(p[0]);
		if (udrv_pl031_open(&dev, &r, &irq) || udrv_device_open("virtio-rng", &rng))
			_exit(1);
		pl031_quiet(r, irq);
		/* leave the alarm asserted and the line masked by its event */
		if (pl031_assert(r) || udrv_irq_wait(irq, 2ull * 1000000000) != 1)
			_exit(2);
		if (udrv_dma_alloc(rng, udrv_device_dma_pool_size(rng), 0, &b))
			_exit(3);
		memset(udrv_dma_cpu(b), RNG_POOL_FILL, udrv_dma_size(b));
		msg = udrv_dma_bus(b);
		if (write(p[1], &msg, sizeof(msg)) != sizeof(msg))
			_exit(4);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read_all(p[0], &bus, sizeof(bus)), 0);
	close(p[0]);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* The next opener: the alarm the dead process left is still asserted
	 * and the line still masked (no event counted), until it unmasks. */
	assert_int_equal(udrv_pl031_open(&dev, &r, &irq), 0);
	uint64_t ris;
	long long e0 = uio_events(uio_by_name("pl031"));

	assert_int_equal(udrv_region_read(r, RTCRIS, 32, &ris), 0);
	assert_int_equal(ris & 1, 1);
	sleep_ms(200);
	assert_int_equal(uio_events(uio_by_name("pl031")), e0);
	pl031_quiet(r, irq);	/* clears the alarm the dead process left, unmasks */
	assert_int_equal(udrv_irq_wait(irq, 200000000), 0);
	assert_int_equal(pl031_assert(r), 0);
	assert_int_equal(udrv_irq_wait(irq, 2ull * 1000000000), 1);
	pl031_quiet(r, irq);
	udrv_device_close(dev);

	/* The pool: same bus address and size, the dead process's data still
	 * there (zeroed at bind only, udrv.h), all of it allocatable. */
	assert_int_equal(udrv_device_open("virtio-rng", &rng), 0);
	pool = udrv_device_dma_pool_size(rng);
	assert_true(pool > 0);
	assert_int_equal(udrv_dma_alloc(rng, pool, 0, &b), 0);
	assert_int_equal(udrv_dma_bus(b), bus);
	const unsigned char *c = udrv_dma_cpu(b);

	for (size_t i = 0; i < pool; i++)
		if (c[i] != RNG_POOL_FILL)
			fail_msg("pool byte %zu is %#x after the holder died", i, c[i]);
	printf("# holder killed: PL031 interrupt after unmask, %zu-byte pool at bus %#llx intact\n",
	       pool, (unsigned long long)bus);
	udrv_device_close(rng);
}

static void test_second_opener(void **state)
{
	struct udrv_device *dev;
	int st;
	pid_t pid;

	(void)state;
	assert_int_equal(udrv_device_open("pl031", &dev), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct udrv_device *d2;
		int r = udrv_device_open("pl031", &d2);

		printf("# second opener: %d, \"%s\"\n", r, udrv_last_error());
		fflush(stdout);
		_exit(r == -EBUSY && strstr(udrv_last_error(), "pl031") &&
		      strstr(udrv_last_error(), "in use") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	udrv_device_close(dev);

	/* both ask to share: both get it */
	assert_int_equal(udrv_device_open_with(&(struct udrv_open_opts){ .name = "pl031",
		.shared = true }, &dev), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct udrv_device *d2;

		_exit(udrv_device_open_with(&(struct udrv_open_opts){ .name = "pl031",
			.shared = true }, &d2) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	udrv_device_close(dev);
}

static void test_fresh_pool_zeroed(void **state)
{
	struct udrv_device *rng;
	struct udrv_dma_buf *b;
	size_t pool;

	(void)state;
	assert_int_equal(uio_rebind("virtio-rng"), 0);
	assert_int_equal(udrv_device_open("virtio-rng", &rng), 0);
	pool = udrv_device_dma_pool_size(rng);
	assert_true(pool >= 4096);
	assert_int_equal(udrv_dma_alloc(rng, pool, 0, &b), 0);
	const unsigned char *c = udrv_dma_cpu(b);

	for (size_t i = 0; i < pool; i++)
		if (c[i])
			fail_msg("fresh pool byte %zu is %#x", i, c[i]);
	printf("# fresh %zu-byte pool reads all zeros\n", pool);
	udrv_device_close(rng);
}

static void test_mmap_past_end(void **state)
{
	const char *names[] = { "pl031", "virtio-rng" };
	long pg = sysconf(_SC_PAGESIZE);

	(void)state;
	for (unsigned int k = 0; k < 2; k++) {
		int n = uio_by_name(names[k]), fd, maps = 0;

		assert_true(n >= 0);
		fd = uio_open(n);
		assert_true(fd >= 0);
		for (int m = 0; m < 5; m++) {
			long long size = uio_map_attr(n, m, "size");
			void *p;

			if (size < 0)
				break;
			maps++;
			/* the whole map: fine */
			p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, (off_t)m * pg);
			assert_true(p != MAP_FAILED);
			munmap(p, (size_t)size);
			/* one page more: refused */
			p = mmap(NULL, (size_t)size + (size_t)pg, PROT_READ, MAP_SHARED, fd,
				 (off_t)m * pg);
			assert_true(p == MAP_FAILED);
			printf("# %s map%d: %lld bytes map, %lld refused (%s)\n", names[k], m, size,
			       size + pg, strerror(errno));
		}
		/* a map that does not exist */
		void *p = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, (off_t)maps * pg);

		assert_true(p == MAP_FAILED);
		p = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, (off_t)5 * pg);
		assert_true(p == MAP_FAILED);
		close(fd);
	}
}

static void check_not_writable(const char *pattern, int *count)
{
	glob_t g;

	if (glob(pattern, 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct stat st;

		assert_int_equal(lstat(g.gl_pathv[i], &st), 0);
		if (!S_ISREG(st.st_mode))
			continue;
		if (st.st_mode & 0022)
			fail_msg("%s is mode %o: writable by group/others", g.gl_pathv[i],
				 st.st_mode & 07777);
		if (st.st_uid != 0)
			fail_msg("%s is owned by uid %u", g.gl_pathv[i], st.st_uid);
		(*count)++;
	}
	globfree(&g);
}

static void test_sysfs_not_writable(void **state)
{
	static const char *const files[] = {
		STUB_PLATFORM "/*",
		"/sys/bus/platform/drivers_probe",
		"/sys/bus/platform/devices/*/driver_override",
		"/sys/bus/amba/devices/*/driver_override",
		"/sys/bus/pci/drivers/udrv_uio/*",
		"/sys/bus/pci/devices/*/driver_override",
		"/sys/bus/pci/drivers_probe",
		"/sys/module/udrv_uio/parameters/*",
		"/sys/class/uio/uio*/*",
		"/sys/class/uio/uio*/maps/map*/*",
	};
	int count = 0, n = uio_by_name("pl031"), st;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		check_not_writable(files[i], &count);
	printf("# %d sysfs files checked: none writable by group or others\n", count);
	assert_true(count > 20);

	/* An unprivileged process: no rebind, no /dev/uioN. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char dev[32];
		int bad = 0, fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(STUB_PLATFORM "/unbind", O_WRONLY);
		bad |= fd >= 0 || errno != EACCES;
		fd = open("/sys/bus/platform/devices/" PL031_DEV "/driver_override", O_WRONLY);
		bad |= (fd >= 0 || errno != EACCES) << 1;
		fd = open("/sys/bus/pci/drivers/udrv_uio/new_id", O_WRONLY);
		bad |= (fd >= 0 || (errno != EACCES && errno != ENOENT)) << 2;
		snprintf(dev, sizeof(dev), "/dev/uio%d", n);
		fd = open(dev, O_RDWR);
		bad |= (fd >= 0 || errno != EACCES) << 3;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* --- raw UIO: the stub's own promises ------------------------------------ */

#define RNG_DEV "a003a00.virtio_mmio"
#define PLATFORM_DEVS "/sys/bus/platform/devices"
#define VIRTIO_MAGIC 0x74726976	/* "virt", virtio-mmio MagicValue (virtio 1.2, 4.2.2) */

/* Hand platform device `dev` to driver `drv` (driver_override + probe). */
static void platform_hand_to(const char *dev, const char *drv)
{
	char path[256];

	snprintf(path, sizeof(path), PLATFORM_DEVS "/%s/driver/unbind", dev);
	sysfs_write(path, dev);	/* whoever has it */
	snprintf(path, sizeof(path), PLATFORM_DEVS "/%s/driver_override", dev);
	assert_int_equal(sysfs_write(path, drv), 0);
	assert_int_equal(sysfs_write("/sys/bus/platform/drivers_probe", dev), 0);
}

static void platform_driver_of(const char *dev, char *out, size_t len)
{
	char path[256], real[PATH_MAX];

	snprintf(path, sizeof(path), PLATFORM_DEVS "/%s/driver", dev);
	if (!realpath(path, real))
		real[0] = '\0';
	snprintf(out, len, "%s", strrchr(real, '/') ? strrchr(real, '/') + 1 : "");
}

static void test_unbind_revokes_maps(void **state)
{
	int n = uio_by_name("virtio-rng"), ready[2], go[2], st, kmsg;
	char drv[64], path[256];
	pid_t pid;

	(void)state;
	assert_true(n >= 0);
	kmsg = kmsg_open();
	assert_true(kmsg >= 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t offs = (size_t)uio_map_attr(n, 0, "offset");
		size_t rlen = offs + (size_t)uio_map_attr(n, 0, "size");
		size_t plen = (size_t)uio_map_attr(n, 1, "size");
		int fd = uio_open(n), bad = 0;
		volatile char *regs = fd < 0 ? NULL : uio_mmap(fd, 0, rlen);
		volatile uint32_t *pool = fd < 0 ? NULL : uio_mmap(fd, 1, plen);
		char c = 0;

		if (!regs || !pool || rd32(regs + offs, 0) != VIRTIO_MAGIC)
			_exit(100);
		pool[0] = 0x12345678;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(101);
		/* MagicValue is read-only: a write that got through harms nothing. */
		bad |= (touch32(regs + offs, 0) != SIGBUS) << 0;
		bad |= (touch32(regs + offs, 1) != SIGBUS) << 1;
		bad |= (touch32(pool, 0) != SIGBUS) << 2;
		bad |= (touch32(pool + plen / 4 - 1, 1) != SIGBUS) << 3;
		close(fd);
		bad |= (touch32(pool, 0) != SIGBUS) << 4;	/* closed, still mapped */
		_exit(bad);
	}
	char c;

	assert_int_equal(read(ready[0], &c, 1), 1);
	platform_hand_to(RNG_DEV, "virtio-mmio");
	platform_driver_of(RNG_DEV, drv, sizeof(drv));
	assert_string_equal(drv, "virtio-mmio");
	assert_int_equal(write(go[1], &c, 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("old mappings after unbind: status %#x (bit set = access went through)", st);

	/* The kernel's driver found a virtio device (an entropy source, id 4). */
	snprintf(path, sizeof(path), PLATFORM_DEVS "/" RNG_DEV "/virtio*/device");
	glob_t g;

	assert_int_equal(glob(path, 0, NULL, &g), 0);
	assert_int_equal(sysfs_num(g.gl_pathv[0]), 4);
	globfree(&g);

	/* Back to udrv: a fresh, zeroed pool. */
	platform_hand_to(RNG_DEV, "udrv_uio");
	platform_driver_of(RNG_DEV, drv, sizeof(drv));
	assert_string_equal(drv, "udrv_uio");
	n = uio_by_name("virtio-rng");
	assert_true(n >= 0);
	int fd = uio_open(n);
	size_t plen = (size_t)uio_map_attr(n, 1, "size");
	uint32_t *pool = uio_mmap(fd, 1, plen);

	assert_non_null(pool);
	for (size_t i = 0; i < plen / 4; i++)
		assert_int_equal(pool[i], 0);
	munmap(pool, plen);
	close(fd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	assert_int_equal(kmsg_bad_lines(kmsg), 0);
	close(kmsg);
	printf("# revoked: 5 accesses through old mappings each SIGBUS; virtio-mmio took the device, udrv took it back\n");
}

static void test_map_private_refused(void **state)
{
	int n = uio_by_name("virtio-rng"), fd;
	long pg = sysconf(_SC_PAGESIZE);

	(void)state;
	assert_true(n >= 0);
	fd = uio_open(n);
	assert_true(fd >= 0);
	for (int m = 0; m < 2; m++) {
		void *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
			       (off_t)m * pg);

		assert_true(p == MAP_FAILED);
		assert_int_equal(errno, EINVAL);
		p = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE, fd, (off_t)m * pg);
		assert_true(p == MAP_FAILED);
	}
	close(fd);
}

/* edu (drivers/edu/edu_regs.h): QEMU 7.2 rejects a transfer ending at the buffer's end */
#define EDU_LEN		4000
#define EDU_OUT		0x8000	/* where in the pool DMAs from edu land */

struct edu_map {
	int n, fd;
	volatile char *bar0;
	uint8_t *pool;
	uint64_t pool_bus;
	size_t pool_len;
};

/* Bind edu to the stub if it is not, open and map it. */
static void edu_map(struct edu_map *e)
{
	glob_t g;
	char path[256], addr[64] = "";

	assert_int_equal(glob("/sys/bus/pci/devices/*", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc && !addr[0]; i++) {
		snprintf(path, sizeof(path), "%s/vendor", g.gl_pathv[i]);
		if (sysfs_num(path) != EDU_VENDOR_ID)
			continue;
		snprintf(path, sizeof(path), "%s/device", g.gl_pathv[i]);
		if (sysfs_num(path) == EDU_DEVICE_ID)
			snprintf(addr, sizeof(addr), "%s", strrchr(g.gl_pathv[i], '/') + 1);
	}
	globfree(&g);
	assert_true(addr[0]);
	assert_int_equal(stub_bind_pci(addr, 0x10000), 0);	/* with a 64 KiB pool */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/uio/uio*", addr);
	assert_int_equal(glob(path, 0, NULL, &g), 0);
	e->n = atoi(strrchr(g.gl_pathv[0], '/') + 4);
	globfree(&g);
	e->fd = uio_open(e->n);
	assert_true(e->fd >= 0);
	e->pool_len = (size_t)uio_map_attr(e->n, 1, "size");
	e->pool_bus = (uint64_t)uio_map_attr(e->n, 1, "addr");
	e->bar0 = uio_mmap(e->fd, 0, (size_t)uio_map_attr(e->n, 0, "size"));
	e->pool = uio_mmap(e->fd, 1, e->pool_len);
	assert_non_null(e->bar0);
	assert_non_null(e->pool);
	assert_true(e->pool_len >= EDU_OUT + EDU_LEN);
}

static void edu_unmap(struct edu_map *e)
{
	munmap((void *)e->bar0, (size_t)uio_map_attr(e->n, 0, "size"));
	munmap(e->pool, e->pool_len);
	close(e->fd);
}

static void edu_dma_start(struct edu_map *e, uint64_t src, uint64_t dst, uint32_t cmd)
{
	wr32(e->bar0, EDU_REG_DMA_SRC, (uint32_t)src);
	wr32(e->bar0, EDU_REG_DMA_SRC + 4, (uint32_t)(src >> 32));
	wr32(e->bar0, EDU_REG_DMA_DST, (uint32_t)dst);
	wr32(e->bar0, EDU_REG_DMA_DST + 4, (uint32_t)(dst >> 32));
	wr32(e->bar0, EDU_REG_DMA_COUNT, EDU_LEN);
	wr32(e->bar0, EDU_REG_DMA_CMD, cmd | EDU_DMA_CMD_START);
}

static int edu_dma_wait(struct edu_map *e)
{
	for (int i = 0; i < 300 && (rd32(e->bar0, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START); i++)
		sleep_ms(10);
	return rd32(e->bar0, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START ? -ETIMEDOUT : 0;
}

/* A child loads edu's buffer with a pattern, starts a DMA of it into the
 * pool (edu runs it about 100 ms later) and is SIGKILLed at once. */
static void edu_kill_mid_dma(void)
{
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct edu_map e;

		edu_map(&e);
		for (int i = 0; i < EDU_LEN; i++)
			e.pool[i] = (uint8_t)(i * 13 + 1);
		edu_dma_start(&e, e.pool_bus, EDU_DMA_BUF_ADDR, 0);
		if (edu_dma_wait(&e))
			_exit(1);
		memset(e.pool + EDU_OUT, 0, EDU_LEN);
		__sync_synchronize();
		edu_dma_start(&e, EDU_DMA_BUF_ADDR, e.pool_bus + EDU_OUT, EDU_DMA_CMD_FROM_EDU);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void assert_zero(const uint8_t *p, size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			fail_msg("%s: byte %zu is %#x: the dead driver's DMA landed", what, i, p[i]);
}

static void test_dma_killed_in_flight(void **state)
{
	struct edu_map e;
	char path[256];

	(void)state;
	/* The same binding: the next opener's pool stays as the dead one left it. */
	edu_kill_mid_dma();
	sleep_ms(400);
	edu_map(&e);
	assert_zero(e.pool + EDU_OUT, EDU_LEN, "the next opener's pool");
	edu_unmap(&e);

	/* A rebind at once: the new pool is never written by the old transfer. */
	edu_kill_mid_dma();
	{
		char dev[PATH_MAX], *slash;

		snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device", uio_by_name("udrv_uio"));
		assert_non_null(realpath(path, dev));
		slash = strrchr(dev, '/');
		assert_int_equal(sysfs_write("/sys/bus/pci/drivers/udrv_uio/unbind", slash + 1), 0);
		assert_int_equal(sysfs_write("/sys/bus/pci/drivers_probe", slash + 1), 0);
	}
	edu_map(&e);
	sleep_ms(400);
	assert_zero(e.pool, e.pool_len, "the rebound device's fresh pool");
	edu_unmap(&e);
	printf("# an edu DMA in flight at SIGKILL landed nowhere (same binding, and after a rebind)\n");
}

/* The physical address of the page at p (root reads PFNs from pagemap). */
static uint64_t phys_of(const void *p)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t ent = 0;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &ent, 8, (off_t)((uintptr_t)p / (uintptr_t)pg * 8)), 8);
	close(fd);
	assert_true(ent & (1ull << 63));	/* present */
	return (ent & ((1ull << 55) - 1)) * (uint64_t)pg;
}

static void test_dma_outside_pool(void **state)
{
	const char *const smmu[] = { "arm-smmu-v3", NULL };
	long pg = sysconf(_SC_PAGESIZE);
	struct edu_map e;
	uint8_t *page;
	uint64_t phys;
	int kmsg, changed = 0, events;

	(void)state;
	page = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_LOCKED, -1, 0);
	assert_true(page != MAP_FAILED);
	memset(page, 0x11, (size_t)pg);
	phys = phys_of(page);
	assert_true(phys < 1ull << 32);	/* edu's dma_mask */
	edu_map(&e);
	memset(e.pool, 0x22, EDU_LEN);
	edu_dma_start(&e, e.pool_bus, EDU_DMA_BUF_ADDR, 0);
	assert_int_equal(edu_dma_wait(&e), 0);
	kmsg = kmsg_open();
	assert_true(kmsg >= 0);
	edu_dma_start(&e, EDU_DMA_BUF_ADDR, phys, EDU_DMA_CMD_FROM_EDU);
	assert_int_equal(edu_dma_wait(&e), 0);
	sleep_ms(100);
	for (long i = 0; i < pg; i++)
		changed += page[i] != 0x11;
	events = kmsg_scan(kmsg, smmu, 1);
	close(kmsg);
	edu_unmap(&e);
	printf("# DMA to physical %#llx outside the pool: %d bytes changed, %d SMMU log lines (%s)\n",
	       (unsigned long long)phys, changed, events, iommu_present() ? "IOMMU" : "no IOMMU");
	if (iommu_present()) {
		assert_int_equal(changed, 0);
		assert_true(events > 0);
	} else {
		/* Nothing confines a DMA master without an IOMMU. */
		assert_int_equal(changed, pg < EDU_LEN ? pg : EDU_LEN);
	}
	munmap(page, (size_t)pg);
}

/* A platform device whose interrupt the handler cannot mask (slow-bus chip,
 * nested thread) is refused at probe, saying why (tests/kmod/udrv_test_irq.c). */
static void test_unmaskable_irq_refused(void **state)
{
	const char *const said[] = { "sits behind a slow bus", NULL };
	int fd, kmsg, i, refused;
	char path[256], drv[64];

	(void)state;
	fd = open("/lib/modules/udrv/udrv_test_irq.ko", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(syscall(SYS_finit_module, fd, "", 0), 0);
	close(fd);
	kmsg = kmsg_open();
	assert_true(kmsg >= 0);
	for (i = 0; i < 2; i++) {
		char dev[32];

		snprintf(dev, sizeof(dev), "udrv-test-irq.%d", i);
		snprintf(path, sizeof(path), PLATFORM_DEVS "/%s/driver_override", dev);
		assert_int_equal(sysfs_write(path, "udrv_uio"), 0);
		sysfs_write("/sys/bus/platform/drivers_probe", dev);
		platform_driver_of(dev, drv, sizeof(drv));
		assert_string_equal(drv, "");	/* not bound */
	}
	refused = kmsg_scan(kmsg, said, 1);
	close(kmsg);
	assert_int_equal(syscall(SYS_delete_module, "udrv_test_irq", O_NONBLOCK), 0);
	assert_int_equal(refused, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unbind_while_waiting),
		cmocka_unit_test(test_rmmod_while_waiting),
		cmocka_unit_test(test_irq_storm_level),
		cmocka_unit_test(test_killed_while_holding),
		cmocka_unit_test(test_second_opener),
		cmocka_unit_test(test_fresh_pool_zeroed),
		cmocka_unit_test(test_mmap_past_end),
		cmocka_unit_test(test_sysfs_not_writable),
		cmocka_unit_test(test_unbind_revokes_maps),
		cmocka_unit_test(test_map_private_refused),
		cmocka_unit_test(test_dma_killed_in_flight),
		cmocka_unit_test(test_dma_outside_pool),
		cmocka_unit_test(test_unmaskable_irq_refused),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
