/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the udrv_uio stub's guest suites. Plain sysfs, /dev/uioN
 * and mmap: these suites test the kernel stub alone, without libudrv.
 */
#ifndef TEST_STUB_COMMON_H
#define TEST_STUB_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define MAX_UIO 32

/* Read a sysfs file into buf (NUL-terminated, trailing newline dropped). */
int sysfs_read(const char *path, char *buf, size_t len);
/* Write a string to a sysfs file; 0 or -errno. */
int sysfs_write(const char *path, const char *val);
/* A sysfs file holding a number (0x... or decimal); -1 on error. */
long long sysfs_num(const char *path);
/* Read a whole binary file (device-tree property); length or -errno. */
int file_read(const char *path, void *buf, size_t len);

/* uioN of the UIO device named `name`, -1 if none. */
int uio_by_name(const char *name);
/* A UIO map attribute: maps/map<map>/<attr> of uio<n>. */
long long uio_map_attr(int n, int map, const char *attr);
/* Event counter of uio<n> from sysfs. */
long long uio_events(int n);
/* Open /dev/uio<n>. */
int uio_open(int n);
/* mmap map `map` of an open uio fd; NULL on failure. */
void *uio_mmap(int fd, int map, size_t size);
/* Wait up to timeout_ms for an interrupt: 1 and *count set, 0 on timeout,
 * -errno if read fails. */
int uio_wait(int fd, int timeout_ms, uint32_t *count);
/* Unmask (1) or mask (0) the interrupt: 0 or -errno. */
int uio_irqcontrol(int fd, uint32_t on);

static inline uint32_t rd32(volatile void *base, size_t off)
{
	return *(volatile uint32_t *)((volatile char *)base + off);
}

static inline void wr32(volatile void *base, size_t off, uint32_t v)
{
	*(volatile uint32_t *)((volatile char *)base + off) = v;
}

/* Read (write = 0) or write 0 to (write = 1) the 32-bit word at p: 0 if
 * the access went through, else the signal it raised (SIGBUS, SIGSEGV). */
int touch32(volatile void *p, int write);
/* 1 if an IOMMU translates for some device (iommu groups exist). */
int iommu_present(void);

/* The sysfs device directory of uio<n> (resolved), in out. 0 or -errno. */
int uio_device_dir(int n, char *out, size_t len);
/* Unbind the device behind the UIO device `name` from its driver and bind
 * it again; 0 or -errno. */
int uio_rebind(const char *name);

#define STUB_MODULE_PATH "/lib/modules/udrv/udrv_uio.ko"
/* The stub module's current parameters, as an insmod argument string. */
void stub_module_params(char *out, size_t len);
/* rmmod udrv_uio without waiting (retried briefly while references drop);
 * 0 or -errno (-EWOULDBLOCK while a /dev/uioN is open). */
int stub_rmmod(int retries);
/* insmod the stub with `params`; 0 or -errno. */
int stub_insmod(const char *params);
int stub_loaded(void);
/*
 * Bind PCI function @addr to the stub with a DMA pool of @pool bytes (the
 * stub gives PCI devices none unless asked): the request goes to the pool
 * attribute first; a binding without that pool is undone and redone.
 * 0 or -errno.
 */
int stub_bind_pci(const char *addr, unsigned int pool);

/* The board the guest runs on (UDRV_BOARD, set by the guest's init). */
const char *board(void);
/* MemAvailable from /proc/meminfo, in kB, after dropping clean caches. */
long long mem_available_kb(void);
/* Open /dev/kmsg positioned at its end, to read what is logged after. */
int kmsg_open(void);
/* Records logged since kmsg_open (or the last scan) that contain one of
 * the NULL-terminated needles; printed if print is set. */
int kmsg_scan(int fd, const char *const *needles, int print);
/* Lines logged since kmsg_open with Oops, BUG or WARNING; printed. */
int kmsg_bad_lines(int fd);

#endif
