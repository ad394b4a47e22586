// SPDX-License-Identifier: MIT
/*
 * drivers/cdns-uart on zcu102: UART1 (Debian's DTB, /axi/serial@ff010000),
 * whose far end is a unix socket the harness holds. The host writes a 4 KiB
 * random block into it (@@UDRV-HOST uart-send, several lines) and the driver
 * must receive it intact; then the host echoes (@@UDRV-HOST uart-echo on)
 * and a 4 KiB block the driver sends must come back intact (and, checked by
 * the host after the run, hash right there: @@UDRV-HOST uart-check).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "sha256.h"
#include "cdns_uart.h"

#define MS 1000000ull
#define BLOCK 4096
#define PER_LINE 256	/* bytes per uart-send line: 512 hex digits */

static void host_send(const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len; off += PER_LINE) {
		size_t n = len - off < PER_LINE ? len - off : PER_LINE;

		printf("@@UDRV-HOST uart-send ");
		for (size_t i = 0; i < n; i++)
			printf("%02x", p[off + i]);
		printf("\n");
	}
	fflush(stdout);
}

static void host_echo(int on)
{
	printf("@@UDRV-HOST uart-echo %s\n", on ? "on" : "off");
	fflush(stdout);
}

/* Read exactly @len bytes (each read may wait up to 5 s). */
static void read_all(struct udrv_cdns_uart *u, uint8_t *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = udrv_cdns_uart_read(u, p + got, len - got, 5000 * MS);

		if (n <= 0)
			fail_msg("read %zd after %zu of %zu bytes", n, got, len);
		got += (size_t)n;
	}
}

static void random_block(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rand();
}

static void test_config(void **state)
{
	struct udrv_cdns_uart_config cfg = CDNS_UART_CONFIG_DEFAULT;
	struct udrv_cdns_uart *u = NULL;

	(void)state;
	assert_int_equal(udrv_cdns_uart_open("no-such-uart", 0, NULL, &u), -ENOENT);
	assert_int_equal(udrv_cdns_uart_open(NULL, 0, NULL, &u), 0);
	/* 50 MHz / (CD * (BDIV + 1)): within 3% */
	assert_in_range(udrv_cdns_uart_baud(u), 115200 - 3456, 115200 + 3456);
	cfg = (struct udrv_cdns_uart_config){ 9600, 7, 'E', 2 };
	assert_int_equal(udrv_cdns_uart_configure(u, &cfg), 0);
	assert_in_range(udrv_cdns_uart_baud(u), 9600 - 288, 9600 + 288);
	cfg = (struct udrv_cdns_uart_config){ 115200, 5, 'N', 1 };
	assert_int_equal(udrv_cdns_uart_configure(u, &cfg), -EINVAL);
	cfg = (struct udrv_cdns_uart_config){ 115200, 8, 'X', 1 };
	assert_int_equal(udrv_cdns_uart_configure(u, &cfg), -EINVAL);
	cfg = (struct udrv_cdns_uart_config){ 115200, 8, 'N', 3 };
	assert_int_equal(udrv_cdns_uart_configure(u, &cfg), -EINVAL);
	cfg = (struct udrv_cdns_uart_config){ 20000000, 8, 'N', 1 };	/* > 50 MHz / 5 */
	assert_int_equal(udrv_cdns_uart_configure(u, &cfg), -ERANGE);
	cfg = CDNS_UART_CONFIG_DEFAULT;
	assert_int_equal(udrv_cdns_uart_configure(u, &cfg), 0);
	udrv_cdns_uart_close(u);
}

static void test_nothing_to_read(void **state)
{
	struct udrv_cdns_uart *u = NULL;
	uint8_t b[16];

	(void)state;
	assert_int_equal(udrv_cdns_uart_open(NULL, 0, NULL, &u), 0);
	assert_int_equal(udrv_cdns_uart_read_nonblock(u, b, sizeof(b)), -EAGAIN);
	assert_int_equal(udrv_cdns_uart_read(u, b, sizeof(b), 50 * MS), 0);
	assert_int_equal(udrv_cdns_uart_read(u, NULL, 1, 0), -EINVAL);
	udrv_cdns_uart_close(u);
}

/* host -> UART1 -> driver: a 4 KiB random block, intact. */
static void test_receive_4k_from_host(void **state)
{
	static uint8_t out[BLOCK], in[BLOCK];
	struct udrv_cdns_uart_stats st;
	struct udrv_cdns_uart *u = NULL;

	(void)state;
	random_block(out, sizeof(out));
	assert_int_equal(udrv_cdns_uart_open(NULL, 0, NULL, &u), 0);
	host_send(out, sizeof(out));
	read_all(u, in, sizeof(in));
	assert_memory_equal(out, in, sizeof(out));
	assert_int_equal(udrv_cdns_uart_read_nonblock(u, in, sizeof(in)), -EAGAIN);
	udrv_cdns_uart_stats(u, &st);
	assert_int_equal(st.rx_bytes, BLOCK);
	assert_true(st.irq_rx_trigger > 0);
	assert_int_equal(st.overruns, 0);
	udrv_cdns_uart_close(u);
}

struct reader {
	struct udrv_cdns_uart *u;
	volatile int started;
	ssize_t n;
	uint8_t b[16];
};

static void *reader(void *arg)
{
	struct reader *r = arg;

	r->started = 1;
	r->n = udrv_cdns_uart_read(r->u, r->b, sizeof(r->b), 5000 * MS);
	return NULL;
}

/* Three bytes, fewer than the RX trigger level: a blocking read already
 * waiting (another thread; this one only asks the host) is woken by the
 * receiver timeout interrupt. Then a non-blocking read picks up three more. */
static void test_short_message_by_timeout(void **state)
{
	struct udrv_cdns_uart_stats st;
	struct reader r = { 0 };
	pthread_t th;
	size_t got = 0;
	uint8_t b[16];
	ssize_t n;

	(void)state;
	assert_int_equal(udrv_cdns_uart_open(NULL, 0, NULL, &r.u), 0);
	assert_int_equal(pthread_create(&th, NULL, reader, &r), 0);
	while (!r.started)
		nanosleep(&(struct timespec){ 0, 1 * MS }, NULL);
	nanosleep(&(struct timespec){ 0, 300 * MS }, NULL);	/* let it block */
	host_send((const uint8_t *)"abc", 3);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(r.n >= 1);
	memcpy(b, r.b, (size_t)r.n);
	if (r.n < 3)
		read_all(r.u, b + r.n, 3 - (size_t)r.n);
	assert_memory_equal(b, "abc", 3);
	udrv_cdns_uart_stats(r.u, &st);
	assert_int_equal(st.irq_rx_trigger, 0);
	assert_true(st.irq_rx_timeout >= 1);

	host_send((const uint8_t *)"xyz", 3);
	for (int tries = 0; got < 3 && tries < 500; tries++) {
		n = udrv_cdns_uart_read_nonblock(r.u, b + got, sizeof(b) - got);
		if (n == -EAGAIN) {
			nanosleep(&(struct timespec){ 0, 10 * MS }, NULL);
			continue;
		}
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_int_equal(got, 3);
	assert_memory_equal(b, "xyz", 3);
	udrv_cdns_uart_close(r.u);
}

/* driver -> UART1 -> host, echoed -> UART1 -> driver: a 4 KiB random block. */
static void test_send_4k_to_host(void **state)
{
	static uint8_t out[BLOCK], in[BLOCK];
	struct udrv_cdns_uart *u = NULL;
	uint8_t b[64];
	int synced = 0;

	(void)state;
	random_block(out, sizeof(out));
	assert_int_equal(udrv_cdns_uart_open(NULL, 0, NULL, &u), 0);
	host_echo(1);
	/* The host acts when it reads the console line: until a probe byte
	 * comes back, echo is not on yet. Then let stray probes drain. */
	for (int i = 0; i < 100 && !synced; i++) {
		assert_int_equal(udrv_cdns_uart_write(u, "?", 1, 1000 * MS), 1);
		synced = udrv_cdns_uart_read(u, b, sizeof(b), 100 * MS) > 0;
	}
	assert_true(synced);
	while (udrv_cdns_uart_read(u, b, sizeof(b), 300 * MS) > 0)
		;

	/* Send in pieces of 64 bytes, each read back before the next, so the
	 * host never holds more than one piece. */
	for (size_t off = 0; off < sizeof(out); off += 64) {
		assert_int_equal(udrv_cdns_uart_write(u, out + off, 64, 5000 * MS), 64);
		read_all(u, in + off, 64);
	}
	assert_int_equal(udrv_cdns_uart_drain(u, 5000 * MS), 0);
	host_echo(0);
	/* and the host checks what it got, once the guest is done */
	char hex[65];

	sha256_hex(out, sizeof(out), hex);
	printf("@@UDRV-HOST uart-check %d %s\n", BLOCK, hex);
	fflush(stdout);
	assert_memory_equal(out, in, sizeof(out));
	/* nothing more than was sent */
	assert_int_equal(udrv_cdns_uart_read(u, b, sizeof(b), 200 * MS), 0);
	udrv_cdns_uart_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_nothing_to_read),
		cmocka_unit_test(test_receive_4k_from_host),
		cmocka_unit_test(test_short_message_by_timeout),
		cmocka_unit_test(test_send_4k_to_host),
	};

	srand((unsigned int)time(NULL));
	return cmocka_run_group_tests_name("uart", tests, NULL, NULL);
}
