/* SPDX-License-Identifier: MIT */
/*
 * uart_common.h - what the UART export suites (test_uart_pty.c,
 * test_uart_tty.c) share: zcu102's UART1 registers read through a
 * read-only mapping of its /dev/uioN of their own (no libudrv, so no lock:
 * the export holds the device's exclusive lock), a data pattern, a
 * two-way exchange through a file, and the host harness's UART actions.
 * Include after <cmocka.h> and "child.h".
 */
#ifndef UART_COMMON_H
#define UART_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "child.h"
#include "sha256.h"
#include "udrv.h"
#include "cdns_uart_regs.h"

/* ---- the UART's registers, read-only ---- */

static volatile uint32_t *regs;

static int find_uart1(const struct udrv_device_info *info, void *data)
{
	if (info->dt_path && strstr(info->dt_path, "serial@ff010000")) {
		*(unsigned int *)data = info->uio;
		return 1;
	}
	return 0;
}

/* The suite's setup: map the registers (regs). */
__attribute__((unused))
static int uart_regs_setup(void **state)
{
	unsigned int uio = ~0u;
	struct udrv_uio_map m;
	char path[32];
	void *p;
	int fd, ret;

	(void)state;
	ret = udrv_device_foreach(find_uart1, &uio);
	if (uio == ~0u) {
		print_error("no UIO device for serial@ff010000 (%d)\n", ret);
		return -1;
	}
	if ((ret = udrv_uio_map(uio, 0, &m))) {
		print_error("uio%u map 0: %d\n", uio, ret);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/uio%u", uio);
	/* O_RDWR: for a read-only fd the kernel drops VM_SHARED, which
	 * the stub requires (a private mapping would copy registers) */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		print_error("%s: %s\n", path, strerror(errno));
		return -1;
	}
	p = mmap(NULL, (size_t)(m.offset + UART_REGS_SIZE), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		print_error("mmap %s: %s\n", path, strerror(errno));
		return -1;
	}
	regs = (volatile uint32_t *)((char *)p + m.offset);
	return 0;
}

__attribute__((unused))
static uint32_t reg(unsigned int off)
{
	return regs[off / 4];
}

/* The baud clock's divisor: CD * (BDIV + 1) (UG1087 Baud_rate_gen, Baud_rate_divider). */
__attribute__((unused))
static uint32_t divisor(void)
{
	return reg(UART_BAUDGEN) * (reg(UART_BAUDDIV) + 1);
}

/* Wait up to @ms for the divisor to be @num/@den of @base (within 3%) and,
 * unless @mr_mask is 0, for MR & @mr_mask to be @mr. */
__attribute__((unused))
static bool wait_line(uint32_t base, unsigned int num, unsigned int den, uint32_t mr_mask,
		      uint32_t mr, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		uint64_t want = (uint64_t)base * num / den, d = divisor();

		if (d * 100 >= want * 97 && d * 100 <= want * 103 && (reg(UART_MR) & mr_mask) == mr)
			return true;
		if (now_ms() > end)
			return false;
		usleep(2000);
	}
}

/* Every byte value, @len / 256 times, in a different order each round. */
__attribute__((unused))
static void pattern(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i + (i >> 8) * 97);
}

/*
 * Write @len bytes of @out into @wfd and read as many into @in from @rfd,
 * both at once (poll), within 30 s; returns how many came back.
 * @sample: called each round (register sampling while the data flows).
 */
__attribute__((unused))
static size_t exchange(int wfd, int rfd, const uint8_t *out, uint8_t *in, size_t len,
		       void (*sample)(void))
{
	uint64_t t0 = now_ms(), end = t0 + 30000;
	size_t sent = 0, got = 0;

	fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
	while (got < len && now_ms() < end) {
		struct pollfd p[2] = {
			{ .fd = rfd, .events = POLLIN },
			{ .fd = sent < len ? wfd : -1, .events = POLLOUT },
		};

		if (sample)
			sample();
		if (poll(p, 2, 1000) < 0)
			break;
		if (p[1].revents & POLLOUT) {
			ssize_t n = write(wfd, out + sent, len - sent > 4096 ? 4096 : len - sent);

			if (n > 0)
				sent += (size_t)n;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(rfd, in + got, len - got);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	printf("# %zu bytes out, %zu back, in %llu ms\n", sent, got,
	       (unsigned long long)(now_ms() - t0));
	return got;
}

/* Ask the host to check what it received: the last @len bytes, @p. */
__attribute__((unused))
static void host_check(const uint8_t *p, size_t len)
{
	char hex[65];

	sha256_hex(p, len, hex);
	printf("@@UDRV-HOST uart-check %zu %s\n", len, hex);
	fflush(stdout);
}

/* Ask the host to send @len bytes of pattern() down the UART. */
__attribute__((unused))
static void host_send_pattern(size_t len)
{
	printf("@@UDRV-HOST uart-send-pattern %zu\n", len);
	fflush(stdout);
}

/* Read @len bytes from @fd into @in within 30 s; how many came. */
__attribute__((unused))
static size_t receive(int fd, uint8_t *in, size_t len)
{
	uint64_t t0 = now_ms(), end = t0 + 30000;
	size_t got = 0;

	while (got < len && now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 1000) < 0)
			break;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		if ((n = read(fd, in + got, len - got)) <= 0)
			break;
		got += (size_t)n;
	}
	printf("# %zu bytes received in %llu ms\n", got, (unsigned long long)(now_ms() - t0));
	return got;
}

__attribute__((unused))
static void host_echo(bool on)
{
	printf("@@UDRV-HOST uart-echo %s\n", on ? "on" : "off");
	fflush(stdout);
}

/* Wait for a probe byte written to @path to come back (the host acts on
 * its console line some time after we print it), then let strays drain. */
__attribute__((unused))
static void sync_echo(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	bool back = false;
	char b[64];

	assert_true(fd >= 0);
	for (int i = 0; i < 100 && !back; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_int_equal(write(fd, "?", 1), 1);
		back = poll(&p, 1, 100) == 1;
	}
	assert_true(back);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 300) != 1)
			break;
		assert_true(read(fd, b, sizeof(b)) > 0);
	}
	close(fd);	/* the last other opener: the export must go on */
}

/* What a microcom_session() saw. */
struct microcom {
	size_t got, got_in;	/* bytes echoed back, bytes from the host */
	int status;		/* microcom's exit status after SIGTERM, -1 if it hung */
};

/*
 * busybox microcom (@argv, the tty last) with stdin a pipe and stdout
 * captured, the host echoing: @len bytes of @out written to its stdin come
 * back into @in (@sample called each round); then, echo off, the host sends
 * @len_in bytes of pattern() down the UART, read into @from_host from its
 * stdout (microcom reads the tty a buffer at a time); then SIGTERM.
 */
static struct microcom microcom_session(char **argv, const uint8_t *out, uint8_t *in,
					size_t len, uint8_t *from_host, size_t len_in,
					void (*sample)(void))
{
	struct microcom m;
	int in_pipe[2], mout, merr;
	pid_t mc;

	assert_int_equal(pipe2(in_pipe, O_CLOEXEC), 0);
	mc = spawn(argv, in_pipe[0], &mout, &merr);
	close(in_pipe[0]);
	m.got = exchange(in_pipe[1], mout, out, in, len, sample);
	host_echo(false);
	host_send_pattern(len_in);
	m.got_in = receive(mout, from_host, len_in);
	kill(mc, SIGTERM);	/* it restores the tty's settings and exits */
	m.status = wait_exit(mc, 5000);
	if (m.status < 0)
		kill(mc, SIGKILL), wait_exit(mc, 5000);
	close(in_pipe[1]);
	close(mout);
	close(merr);
	return m;
}

#endif
