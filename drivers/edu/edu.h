/* SPDX-License-Identifier: MIT */
/*
 * edu.h - userspace driver for QEMU's educational PCI device "edu"
 * (1234:11e8; QEMU docs/specs/edu.rst, hw/misc/edu.c), on libudrv.
 *
 * The device must be bound to the udrv_uio stub (driver_override; see
 * edu_bind()). Its one interrupt line (INTx) is shared by three causes,
 * all kept in the interrupt status register: factorial done (0x1), DMA
 * done (0x100), and whatever userspace raises itself. The driver waits for
 * the line, reads and acknowledges every cause present, then unmasks, and
 * keeps causes nobody has asked for yet, so no interrupt is lost between
 * calls.
 *
 * The driver never makes QEMU 7.2's edu abort the emulator: it refuses
 * DMA counts of 0 and transfers reaching the last byte of edu's 4 KiB
 * buffer (see edu_regs.h), and bus addresses beyond the device's DMA mask.
 *
 * Conventions (as libudrv): 0 (or a count) on success, a negative errno on
 * failure; a NULL object is a programming error (assert). Refusals and
 * failures leave a one-line reason in edu_last_error(). One struct edu is
 * used from one thread at a time.
 */
#ifndef EDU_H
#define EDU_H

#include <stddef.h>
#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct edu;

/** The largest n whose n! fits the device's 32-bit factorial register. */
#define EDU_FACT_MAX		12
/** The longest DMA QEMU 7.2's edu survives (from buffer offset 0). */
#define EDU_DMA_MAX		4095
/** Interrupt status bits the device itself raises (not for edu_irq_raise()). */
#define EDU_IRQ_RESERVED	0x00000101u

/** struct edu_info - what edu_info() reports. Strings owned by the edu object. */
struct edu_info {
	uint32_t id;		/* identification register, 0xRRrr00ed */
	unsigned int major, minor;
	const char *pci_address;/* "0000:00:01.0" */
	unsigned int uio;	/* /dev/uioN */
	size_t dma_pool;	/* bytes in the stub's DMA pool */
	unsigned int dma_bits;	/* DMA mask the driver assumes, see edu_set_dma_bits() */
};

/**
 * edu_bind() - hand the PCI function at @pci_address (NULL: the first
 * 1234:11e8) to udrv_uio through driver_override, if no driver has it.
 * Returns 0 if it is (now) bound to udrv_uio; -EBUSY if another driver has
 * it (left alone; the reason names the driver); -ENOENT no edu device;
 * -errno from sysfs (e.g. -EACCES, or -ENODEV if udrv_uio is not loaded).
 */
int edu_bind(const char *pci_address);

/**
 * edu_open() - open the edu function at @pci_address ("0000:00:01.0"), or
 * with NULL the first device with id 1234:11e8, bound to udrv_uio.
 * Checks the identification register and the liveness register,
 * acknowledges stale interrupts, unmasks the line, and waits (up to 1 s)
 * for a DMA left running. The caller owns *@out (edu_close()).
 * Errors: -EINVAL @out NULL; -ENOENT no such PCI device; -ENODEV it exists
 * but is bound to no driver (edu_bind() hands it over), or it is not an
 * edu (wrong id, failed liveness); -EBUSY it is bound to another driver;
 * -EIO no DMA pool or no interrupt; -errno from libudrv.
 */
int edu_open(const char *pci_address, struct edu **out);

/** edu_close() - acknowledge everything, close the device, free @edu. NULL is ignored. */
void edu_close(struct edu *edu);

/** edu_device() - the underlying device, owned by @edu (borrowed). */
struct udrv_device *edu_device(const struct edu *edu);

/** edu_info() - fill *@info (strings borrowed from @edu). -EINVAL if @info is NULL. */
int edu_info(struct edu *edu, struct edu_info *info);

/**
 * edu_liveness() - write @pattern to the liveness register and check it
 * reads back inverted. 0, or -EIO (reason says what came back).
 */
int edu_liveness(struct edu *edu, uint32_t pattern);

/**
 * edu_set_dma_bits() - the DMA mask QEMU was started with
 * (-device edu,dma_mask=...; 28 bits by default in QEMU, 32 assumed here
 * because udrv's harness passes dma_mask=0xffffffff and the stub allocates
 * the pool below 4 GiB). Buffers beyond it are refused instead of being
 * silently redirected by the device. -EINVAL unless 28 <= @bits <= 64.
 */
int edu_set_dma_bits(struct edu *edu, unsigned int bits);

/**
 * edu_factorial() - have the device compute @n! and wait for its
 * completion interrupt, up to @timeout_ns.
 * Errors: -ERANGE @n > EDU_FACT_MAX (the result would not fit the 32-bit
 * register); -ETIMEDOUT no completion in time; -ENODEV device removed;
 * -EINVAL @result NULL; -errno.
 */
int edu_factorial(struct edu *edu, uint32_t n, uint32_t *result, uint64_t timeout_ns);

/**
 * edu_irq_raise() - raise the test interrupt with cause bits @bits (ORed
 * into the interrupt status). -EINVAL if @bits is 0 or touches
 * EDU_IRQ_RESERVED (the device's own completion causes).
 */
int edu_irq_raise(struct edu *edu, uint32_t bits);

/**
 * edu_irq_wait() - wait up to @timeout_ns (0: just check; UINT64_MAX:
 * forever) until an interrupt with a cause in @bits has been seen,
 * acknowledged at the device and the line unmasked. The causes in @bits
 * seen so far are stored in *@seen (may be NULL) and consumed; other
 * causes are kept for later calls. Returns 1, 0 on timeout, -EINVAL @bits
 * is 0, -ENODEV device removed, -EINTR, -errno.
 */
int edu_irq_wait(struct edu *edu, uint32_t bits, uint64_t timeout_ns, uint32_t *seen);

/**
 * edu_irq_stats() - the interrupt's kernel event counter as of the last
 * event seen, and the events missed (counter jumps) since open. Either
 * pointer may be NULL.
 */
void edu_irq_stats(const struct edu *edu, uint32_t *count, uint64_t *missed);

/**
 * edu_dma_to_device() - copy @len bytes at byte @buf_off of @buf (a
 * udrv DMA buffer of this device, borrowed for the call) into edu's
 * buffer at @edu_off by the device's DMA engine; wait up to @timeout_ns
 * for its completion interrupt.
 * Errors (nothing is started, reason in edu_last_error()): -EINVAL @buf
 * NULL or @len 0 (QEMU 7.2 aborts on count 0); -EMSGSIZE @len > 4096;
 * -ERANGE @edu_off + @len >= 4096 (QEMU 7.2 aborts on a transfer reaching
 * the buffer's last byte), @buf_off + @len beyond @buf, or the bus address
 * beyond the DMA mask. -ETIMEDOUT no completion in time; -ENODEV; -errno.
 */
int edu_dma_to_device(struct edu *edu, const struct udrv_dma_buf *buf, size_t buf_off,
		      uint32_t edu_off, uint32_t len, uint64_t timeout_ns);

/**
 * edu_dma_from_device() - copy @len bytes of edu's buffer at @edu_off to
 * @buf at @buf_off; as edu_dma_to_device() otherwise.
 */
int edu_dma_from_device(struct edu *edu, uint32_t edu_off, const struct udrv_dma_buf *buf,
			size_t buf_off, uint32_t len, uint64_t timeout_ns);

/**
 * edu_last_error() - why the last failing call in this thread failed
 * ("" if it gave no reason). Owned by the driver, valid until the next
 * call into it from this thread.
 */
const char *edu_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* EDU_H */
