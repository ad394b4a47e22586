/* SPDX-License-Identifier: MIT */
/*
 * Deliberately bad register accesses, recorded in section udrv_mmio like the
 * real accessors, so that the code-generation check of `qemu/run test` shows
 * it catches them: one post-indexed store, one pre-indexed load, one paired
 * store, one register-offset load; and one good access that must pass.
 * Never linked into anything shipped.
 */
#include <stdint.h>
#include "udrv.h"

void codegen_bad_sites(volatile void *p, uint32_t v, uint64_t d);

void codegen_bad_sites(volatile void *p, uint32_t v, uint64_t d)
{
	volatile void *q = p;
	uint32_t x;
	long off = 8;

#if defined(__aarch64__)
	__asm__ __volatile__(UDRV__MMIO("str %w1, [%0], #4") : "+r"(q) : "r"(v) : "memory");
	__asm__ __volatile__(UDRV__MMIO("ldr %w1, [%0, #8]!") : "+r"(q), "=r"(x) : : "memory");
	__asm__ __volatile__(UDRV__MMIO("stp %x1, %x1, [%0]") : : "r"(q), "r"(d) : "memory");
	__asm__ __volatile__(UDRV__MMIO("ldr %w0, [%1, %2]") : "=r"(x) : "r"(q), "r"(off) : "memory");
#elif defined(__arm__)
	__asm__ __volatile__(UDRV__MMIO("str %1, [%0], #4") : "+r"(q) : "r"(v) : "memory");
	__asm__ __volatile__(UDRV__MMIO("ldr %1, [%0, #8]!") : "+r"(q), "=r"(x) : : "memory");
	__asm__ __volatile__(UDRV__MMIO("strd %1, %H1, [%0]") : : "r"(q), "r"(d) : "memory");
	__asm__ __volatile__(UDRV__MMIO("ldr %0, [%1, %2]") : "=r"(x) : "r"(q), "r"(off) : "memory");
#else
#error "aarch64 and 32-bit ARM only"
#endif
	udrv_write32(p, 4, v + x);
}
