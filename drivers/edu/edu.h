/* SPDX-License-Identifier: MIT */
/*
 * edu.h - userspace driver for QEMU's educational PCI device "edu"
 * (1234:11e8; QEMU docs/specs/edu.rst, hw/misc/edu.c), on libudrv.
 *
 * The device is bound to a UIO driver: udrv_uio (udrv_edu_bind()), which gives
 * it the DMA pool DMA needs, or the kernel's uio_pci_generic (identify,
 * factorial and interrupts; no DMA). Its one interrupt
 * line is shared by factorial done (0x1), DMA done (0x100) and causes
 * userspace raises itself; the driver acknowledges every cause present
 * before it unmasks, and keeps causes not yet asked for, so none is lost.
 * It never makes QEMU 7.2's edu abort the emulator (see edu_regs.h).
 *
 * Conventions (as libudrv): 0 on success, a negative errno on failure; a
 * NULL object is a programming error (assert); refusals leave a one-line
 * reason in udrv_edu_last_error(). One struct udrv_edu per thread at a time.
 *
 * Removal: once the device is unbound (the stub revokes its registers: an
 * access would be SIGBUS), a wait ends with -ENODEV and every later call
 * that would touch the registers returns -ENODEV instead, found through the
 * interrupt node before any access; udrv_edu_close() then only frees. An
 * unbind racing with a call can still fault it.
 */
#ifndef EDU_H
#define EDU_H

#include <stddef.h>
#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_edu;

/** The largest n whose n! fits the device's 32-bit factorial register. */
#define EDU_FACT_MAX		12
/** The longest DMA QEMU 7.2's edu survives (from buffer offset 0). */
#define EDU_DMA_MAX		4095
/** Interrupt status bits the device itself raises (not for udrv_edu_irq_raise()). */
#define EDU_IRQ_RESERVED	0x00000101u

/** struct udrv_edu_info - what udrv_edu_info() reports. Strings owned by the edu object. */
struct udrv_edu_info {
	uint32_t id;		/* identification register, 0xRRrr00ed */
	unsigned int major, minor;
	const char *pci_address;/* "0000:00:01.0" */
	unsigned int uio;	/* /dev/uioN */
	size_t dma_pool;	/* bytes in the stub's DMA pool, 0 if none */
	const char *driver;	/* the UIO driver: "udrv_uio", "uio_pci_generic" */
	unsigned int dma_bits;	/* DMA mask the driver assumes, see udrv_edu_set_dma_bits() */
};

/**
 * udrv_edu_bind() - hand the PCI function at @pci_address (NULL: the first
 * 1234:11e8) to udrv_uio with a 64 KiB DMA pool (the stub's `pool`
 * attribute, then driver_override) if no driver has it; a stub binding
 * without a pool is redone with one.
 * Done with libudrv's udrv_kdev_find() and udrv_kdev_bind().
 * 0 if udrv_uio has it (now); -EBUSY another driver has it (left alone);
 * -ENOENT no such device; -EINVAL a malformed @pci_address; -ENXIO the
 * stub is not loaded; -EIO udrv_uio did not take it; -errno (sysfs).
 */
int udrv_edu_bind(const char *pci_address);

/**
 * udrv_edu_open() - open the edu at @pci_address ("0000:00:01.0"; NULL: the
 * first 1234:11e8), bound to any UIO driver; only BAR0 is required. Checks its id and liveness,
 * acknowledges stale interrupts, unmasks the line, waits (up to 1 s) for a
 * DMA left running. The caller owns *@out (udrv_edu_close()).
 * Errors: -EINVAL @out NULL; -ENOENT no such PCI device; -ENODEV bound to
 * no driver (see udrv_edu_bind()) or not an edu; -EBUSY bound to a driver that
 * is not a UIO driver; -EIO no BAR0; -errno from libudrv.
 */
int udrv_edu_open(const char *pci_address, struct udrv_edu **out);

/** udrv_edu_close() - acknowledge everything (unless the device was removed), close
 * the device, free @edu. NULL is ignored. */
void udrv_edu_close(struct udrv_edu *edu);

/** udrv_edu_device() - the underlying device, owned by @edu (borrowed). */
struct udrv_device *udrv_edu_device(const struct udrv_edu *edu);

/** udrv_edu_info() - fill *@info (strings borrowed from @edu). -EINVAL if @info is NULL;
 * -ENODEV device removed. */
int udrv_edu_info(struct udrv_edu *edu, struct udrv_edu_info *info);

/** udrv_edu_liveness() - write @pattern to the liveness register; 0 if it reads back
 * inverted, else -EIO; -ENODEV device removed. */
int udrv_edu_liveness(struct udrv_edu *edu, uint32_t pattern);

/**
 * udrv_edu_set_dma_bits() - the DMA mask QEMU gave the device (-device
 * edu,dma_mask=; QEMU's default is 28 bits, 32 is assumed: udrv's harness
 * passes 0xffffffff and the stub's pool is below 4 GiB). Buffers beyond it
 * are refused, not silently redirected. -EINVAL unless 28 <= @bits <= 64.
 */
int udrv_edu_set_dma_bits(struct udrv_edu *edu, unsigned int bits);

/**
 * udrv_edu_factorial() - @n! computed by the device into *@result; completion
 * by its interrupt, waited for up to @timeout_ns. Errors: -ERANGE @n >
 * EDU_FACT_MAX (n! does not fit 32 bits); -ETIMEDOUT; -EINVAL @result
 * NULL; -ENODEV device removed; -errno.
 */
int udrv_edu_factorial(struct udrv_edu *edu, uint32_t n, uint32_t *result, uint64_t timeout_ns);

/**
 * udrv_edu_dma_ready() - 0 if udrv_edu_dma_to_device()/_from_device() can run:
 * the device has the stub's DMA pool (allocate buffers in it with
 * udrv_dma_alloc(udrv_edu_device())) and its interrupt, and no transfer that
 * failed to complete in time is still running (once it has ended, its
 * buffer is handed back here). -ENXIO no pool or no interrupt, with the
 * reason (and how to bind it with a pool) in udrv_edu_last_error(); -EBUSY
 * that transfer is still running; -ENODEV device removed.
 */
int udrv_edu_dma_ready(struct udrv_edu *edu);

/** udrv_edu_irq_raise() - raise a test interrupt with cause @bits. -EINVAL if 0 or in
 * EDU_IRQ_RESERVED; -ENODEV device removed. */
int udrv_edu_irq_raise(struct udrv_edu *edu, uint32_t bits);

/**
 * udrv_edu_irq_wait() - wait up to @timeout_ns (0: just check; UINT64_MAX:
 * forever) until an interrupt with a cause in @bits has been seen,
 * acknowledged at the device and the line unmasked. The causes in @bits
 * seen so far are stored in *@seen (may be NULL) and consumed; other
 * causes are kept for later calls. Interrupts of other causes (a storm of
 * them included) do not make the wait outlast @timeout_ns. Returns 1, 0 on
 * timeout, -EINVAL @bits is 0, -ENODEV device removed, -EINTR, -errno.
 */
int udrv_edu_irq_wait(struct udrv_edu *edu, uint32_t bits, uint64_t timeout_ns, uint32_t *seen);

/** udrv_edu_irq_stats() - the kernel's event counter as of the last event, events missed since open (NULLs ok). */
void udrv_edu_irq_stats(const struct udrv_edu *edu, uint32_t *count, uint64_t *missed);

/**
 * udrv_edu_dma_to_device() - copy @len bytes at byte @buf_off of @buf (a
 * udrv DMA buffer of this device, borrowed for the call) into edu's
 * buffer at @edu_off by the device's DMA engine; wait up to @timeout_ns
 * for its completion interrupt.
 * Ownership: the driver hands the @len bytes to the device for the transfer
 * (udrv_dma_sync_for_device()) and back when it completes; the caller owns
 * them before and after, except after a failed wait (-ETIMEDOUT, -EINTR):
 * then they stay the device's until udrv_edu_dma_ready() or the next
 * transfer finds the transfer ended (keep @buf until then).
 * Errors (nothing is started, reason in udrv_edu_last_error()): -EINVAL @buf
 * NULL or @len 0 (QEMU 7.2 aborts on count 0); -EMSGSIZE @len > 4096;
 * -ERANGE @edu_off + @len >= 4096 (QEMU 7.2 aborts on a transfer reaching
 * the buffer's last byte), @buf_off + @len beyond @buf, or the bus address
 * beyond the DMA mask; -EBUSY an earlier transfer is still running.
 * -ETIMEDOUT no completion in time; -ENODEV; -errno.
 */
int udrv_edu_dma_to_device(struct udrv_edu *edu, struct udrv_dma_buf *buf, size_t buf_off,
		      uint32_t edu_off, uint32_t len, uint64_t timeout_ns);

/**
 * udrv_edu_dma_from_device() - copy @len bytes of edu's buffer at @edu_off to
 * @buf at @buf_off; as udrv_edu_dma_to_device() otherwise.
 */
int udrv_edu_dma_from_device(struct udrv_edu *edu, uint32_t edu_off, struct udrv_dma_buf *buf,
			size_t buf_off, uint32_t len, uint64_t timeout_ns);

/**
 * udrv_edu_last_error() - the reason for the last failure with one in this
 * thread: libudrv's udrv_last_error(), where the driver records its own
 * (udrv_error()). A failure without one (a NULL argument) leaves an older
 * reason in place. Valid until the next call into the driver or libudrv.
 */
const char *udrv_edu_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* EDU_H */
