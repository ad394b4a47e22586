/* SPDX-License-Identifier: MIT */
/*
 * Driver-style loops over a register window, compiled by the code-generation
 * check of `qemu/run test` (qemu/hardening.py) for aarch64 and armhf.
 * With plain volatile C (-DCODEGEN_PLAIN_VOLATILE, the check's control) GCC
 * and clang at -O2 turn them into post-indexed stores and loads
 * (str w2, [x0], #4) and a 64-bit store into strd on 32-bit ARM; with the
 * accessors of udrv.h they must not. The only device accesses are the
 * stores of the write functions and the loads of the read function.
 */
#include <stddef.h>
#include <stdint.h>
#include "udrv.h"

#ifdef CODEGEN_PLAIN_VOLATILE
#define W32(p, off, v)	(*(volatile uint32_t *)((volatile char *)(p) + (off)) = (v))
#define R32(p, off)	(*(const volatile uint32_t *)((const volatile char *)(p) + (off)))
#define W64(p, off, v)	(*(volatile uint64_t *)((volatile char *)(p) + (off)) = (v))
#else
#define W32(p, off, v)	udrv_write32_relaxed(p, off, v)
#define R32(p, off)	udrv_read32_relaxed(p, off)
#define W64(p, off, v)	udrv_write64_relaxed(p, off, v)
#endif

void codegen_write_loop(volatile void *p, const uint32_t *v, size_t n);
uint32_t codegen_read_loop(const volatile void *p, size_t n);
void codegen_write64(volatile void *p, uint64_t v);

void codegen_write_loop(volatile void *p, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++, p = (volatile char *)p + 4)
		W32(p, 0, v[i]);
}

uint32_t codegen_read_loop(const volatile void *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i++, p = (const volatile char *)p + 4)
		s += R32(p, 0);
	return s;
}

void codegen_write64(volatile void *p, uint64_t v)
{
	W64(p, 0x80, v);
}
