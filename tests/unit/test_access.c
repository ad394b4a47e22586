/* SPDX-License-Identifier: MIT */
/*
 * The inline register accessors of udrv.h on ordinary memory: byte order of
 * the little- and big-endian ones, and the repeated (data port) ones, which
 * must touch the one register and nothing beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "udrv.h"

/* 64 bytes of "registers", 8-byte aligned, filled with a canary. */
static union {
	uint64_t align;
	uint8_t b[64];
} regs;

static int fill(void **state)
{
	(void)state;
	memset(regs.b, 0xee, sizeof(regs.b));
	return 0;
}

static void assert_bytes(size_t off, const uint8_t *want, size_t len)
{
	assert_memory_equal(regs.b + off, want, len);
}

static void test_little_endian(void **state)
{
	volatile void *base = regs.b;
	static const uint8_t w16[] = { 0x34, 0x12 }, w32[] = { 0x44, 0x33, 0x22, 0x11 },
		w64[] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };

	(void)state;
	udrv_write16(base, 2, 0x1234);
	udrv_write32(base, 4, 0x11223344);
	udrv_write64(base, 8, 0x1122334455667788ull);
	assert_bytes(2, w16, 2);
	assert_bytes(4, w32, 4);
	assert_bytes(8, w64, 8);
	assert_int_equal(udrv_read16_relaxed(base, 2), 0x1234);
	assert_int_equal(udrv_read32_relaxed(base, 4), 0x11223344);
	assert_true(udrv_read64_relaxed(base, 8) == 0x1122334455667788ull);
	assert_int_equal(regs.b[16], 0xee);
}

static void test_big_endian(void **state)
{
	volatile void *base = regs.b;
	static const uint8_t w16[] = { 0x12, 0x34 }, w32[] = { 0x11, 0x22, 0x33, 0x44 },
		w64[] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };

	(void)state;
	udrv_write16be(base, 2, 0x1234);
	udrv_write32be(base, 4, 0x11223344);
	udrv_write64be(base, 8, 0x1122334455667788ull);
	assert_bytes(2, w16, 2);
	assert_bytes(4, w32, 4);
	assert_bytes(8, w64, 8);
	assert_int_equal(udrv_read16be(base, 2), 0x1234);
	assert_int_equal(udrv_read32be(base, 4), 0x11223344);
	assert_true(udrv_read64be(base, 8) == 0x1122334455667788ull);

	udrv_write16be_relaxed(base, 16, 0xa1b2);
	udrv_write32be_relaxed(base, 20, 0xc1d2e3f4);
	udrv_write64be_relaxed(base, 24, 0x0102030405060708ull);
	assert_int_equal(regs.b[16], 0xa1);
	assert_int_equal(regs.b[20], 0xc1);
	assert_int_equal(regs.b[24], 0x01);
	assert_int_equal(regs.b[31], 0x08);
	assert_int_equal(udrv_read16be_relaxed(base, 16), 0xa1b2);
	assert_int_equal(udrv_read32be_relaxed(base, 20), 0xc1d2e3f4);
	assert_true(udrv_read64be_relaxed(base, 24) == 0x0102030405060708ull);
	/* the same bytes read little-endian */
	assert_int_equal(udrv_read32(base, 20), 0xf4e3d2c1);
	assert_int_equal(regs.b[32], 0xee);
}

/* Writing a buffer to a data port leaves the last element in the one
 * register and nothing around it (a memcpy would fill the whole range). */
static void test_writes(void **state)
{
	volatile void *base = regs.b;
	uint8_t src[1 + 4 * 8];
	uint8_t *s = src + 1;	/* not aligned */

	(void)state;
	for (size_t i = 0; i < 4 * 8; i++)
		s[i] = (uint8_t)(i + 1);
	udrv_writes8(base, 1, s, 5);
	assert_int_equal(regs.b[1], 5);
	assert_int_equal(regs.b[0], 0xee);
	assert_int_equal(regs.b[2], 0xee);
	udrv_writes16(base, 4, s, 3);
	assert_bytes(4, s + 4, 2);
	assert_int_equal(regs.b[6], 0xee);
	udrv_writes32(base, 8, s, 4);
	assert_bytes(8, s + 12, 4);
	assert_int_equal(regs.b[12], 0xee);
	udrv_writes64(base, 16, s, 4);
	assert_bytes(16, s + 24, 8);
	assert_int_equal(regs.b[24], 0xee);
	/* nothing at all for count 0 */
	udrv_writes32(base, 28, s, 0);
	assert_int_equal(regs.b[28], 0xee);
}

/* Reading a data port fills the buffer with what the register holds each
 * time, bytes as they are, and stops at @count. */
static void test_reads(void **state)
{
	volatile void *base = regs.b;
	static const uint8_t port[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t dst[2 + 3 * 8];
	uint8_t *d = dst + 1;	/* not aligned */

	(void)state;
	memcpy(regs.b + 8, port, sizeof(port));
	for (unsigned int width = 1; width <= 8; width *= 2) {
		memset(dst, 0x55, sizeof(dst));
		switch (width) {
		case 1: udrv_reads8(base, 8, d, 3); break;
		case 2: udrv_reads16(base, 8, d, 3); break;
		case 4: udrv_reads32(base, 8, d, 3); break;
		default: udrv_reads64(base, 8, d, 3); break;
		}
		for (unsigned int i = 0; i < 3; i++)
			assert_memory_equal(d + i * width, port, width);
		assert_int_equal(d[3 * width], 0x55);
		assert_int_equal(dst[0], 0x55);
	}
	memset(dst, 0x55, sizeof(dst));
	udrv_reads32(base, 8, d, 0);
	assert_int_equal(d[0], 0x55);
}

#define T(f) cmocka_unit_test_setup(f, fill)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_little_endian),
		T(test_big_endian),
		T(test_writes),
		T(test_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
