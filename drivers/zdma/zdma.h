/* SPDX-License-Identifier: MIT */
/*
 * zdma.h - driver for one ZynqMP DMA channel ("xlnx,zynqmp-dma-1.0")
 * handed to userspace by the udrv_uio stub with a DMA pool: memory-to-memory
 * copies between buffers of that pool, in simple mode (descriptors in the
 * channel's registers), completion by interrupt, error interrupts reported,
 * and a software queue that starts each copy as the previous one completes.
 *
 * Every copy must lie inside the channel's DMA pool: the driver refuses any
 * other bus address before it reaches the hardware (the channel would
 * otherwise write wherever it is told).
 *
 * Who owns the memory (udrv.h, "Who owns a DMA buffer"): the _buf calls
 * hand the copy's ranges of their buffers to the channel when the copy is
 * queued and back to the CPU once it has ended (before udrv_zdma_wait()
 * reports it), so the caller owns them before and after; udrv_zdma_submit()
 * and udrv_zdma_copy() take bus addresses and sync nothing: their caller
 * hands the source (UDRV_DMA_TO_DEVICE) and the destination
 * (UDRV_DMA_FROM_DEVICE) over before and takes them back after.
 *
 * Conventions as libudrv (udrv.h): 0 or a count on success, -errno on
 * failure; a NULL object argument is a programming error (assert); nothing
 * is printed. A struct udrv_zdma is used from one thread at a time.
 */
#ifndef UDRV_ZDMA_H
#define UDRV_ZDMA_H

#include <stddef.h>
#include <stdint.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_zdma;

/** Copies queued (in flight included) at most. */
#define ZDMA_QUEUE_MAX 64

/** A finished copy (see udrv_zdma_wait()). */
struct udrv_zdma_done {
	void *cookie;		/* as given to udrv_zdma_submit(); NULL for an error
				 * interrupt with no copy in flight */
	int status;		/* 0, or -EIO: an error interrupt (see errors) */
	uint32_t errors;	/* ZDMA_CH_ISR error bits seen (zdma_regs.h) */
	uint32_t len;		/* bytes asked for */
};

/**
 * udrv_zdma_open() - open the channel under UIO name @name (NULL: the first
 * whose DT node lists "xlnx,zynqmp-dma-1.0"; it needs the stub's DMA pool),
 * disable and clear its interrupts, program simple mode and unmask the
 * done and error interrupts. The caller owns *@out and frees it with
 * udrv_zdma_close().
 * Errors: -EINVAL @out NULL; -ENOENT no such device or no interrupt;
 * -ENXIO the device has no DMA pool; -ERANGE the register region is too
 * small; -EBUSY the channel is running; -ENOMEM; others from
 * udrv_device_open() or from reading the pool's sysfs address.
 */
int udrv_zdma_open(const char *name, struct udrv_zdma **out);

/**
 * udrv_zdma_close() - disable the channel's interrupts and close it; copies
 * still queued are dropped (the one in flight, if any, finishes in the
 * hardware). Buffers from udrv_zdma_device() are freed with the device. NULL is
 * ignored.
 */
void udrv_zdma_close(struct udrv_zdma *z);

/**
 * udrv_zdma_device() - the udrv device, owned by @z (valid until udrv_zdma_close()):
 * allocate copy buffers with udrv_dma_alloc() on it.
 */
struct udrv_device *udrv_zdma_device(const struct udrv_zdma *z);

/** udrv_zdma_pool() - the pool's bus address and size (either pointer may be NULL). */
void udrv_zdma_pool(const struct udrv_zdma *z, uint64_t *bus, size_t *size);

/**
 * udrv_zdma_submit() - queue a copy of @len bytes from bus address @src to @dst;
 * it starts now if the channel is idle, else when the copies before it
 * are done. @cookie comes back in its struct udrv_zdma_done.
 * Errors: -EINVAL @len 0 or above 2^30 - 1; -EFAULT a range outside the
 * DMA pool; -EBUSY ZDMA_QUEUE_MAX copies already queued; -ENODEV the device
 * was removed.
 */
int udrv_zdma_submit(struct udrv_zdma *z, uint64_t dst, uint64_t src, size_t len, void *cookie);

/**
 * udrv_zdma_submit_buf() - udrv_zdma_submit() between @len bytes at @dst_off in @dst
 * and at @src_off in @src, pool buffers (borrowed; keep them until the copy
 * is done), those ranges handed to the channel until then. -EINVAL also for
 * a NULL buffer or a range beyond either buffer; the errors of
 * udrv_dma_sync_for_device().
 */
int udrv_zdma_submit_buf(struct udrv_zdma *z, struct udrv_dma_buf *dst, size_t dst_off,
		    struct udrv_dma_buf *src, size_t src_off, size_t len, void *cookie);

/**
 * udrv_zdma_wait() - wait up to @timeout_ns (0: just check; UINT64_MAX: forever)
 * for the oldest queued copy to finish, and report it in *@done (may be
 * NULL). Serving the interrupt starts the next queued copy. With nothing
 * queued it still serves an interrupt, so that an error interrupt outside
 * any copy is reported.
 * Returns 1 when a copy finished (done->status says how), 0 on timeout,
 * -EIO for an error interrupt with no copy in flight (done->errors has its
 * bits, done->cookie is NULL), -ENODEV if the device was removed, -EINTR on
 * a signal.
 */
int udrv_zdma_wait(struct udrv_zdma *z, uint64_t timeout_ns, struct udrv_zdma_done *done);

/**
 * udrv_zdma_copy() - udrv_zdma_submit() and wait for that copy, the copies queued
 * before it being completed on the way (their results are dropped).
 * Returns 0, -EIO on an error interrupt during the copy, -ETIMEDOUT (the
 * copy stays queued and is reported by a later udrv_zdma_wait()), or as
 * udrv_zdma_submit() / udrv_zdma_wait().
 */
int udrv_zdma_copy(struct udrv_zdma *z, uint64_t dst, uint64_t src, size_t len, uint64_t timeout_ns);

/**
 * udrv_zdma_copy_buf() - udrv_zdma_copy() between pool buffers, as
 * udrv_zdma_submit_buf(): after -ETIMEDOUT the ranges stay the channel's
 * until a later udrv_zdma_wait() reports the copy.
 */
int udrv_zdma_copy_buf(struct udrv_zdma *z, struct udrv_dma_buf *dst, size_t dst_off,
		  struct udrv_dma_buf *src, size_t src_off, size_t len, uint64_t timeout_ns);

/** udrv_zdma_pending() - copies queued, the one in flight included. */
unsigned int udrv_zdma_pending(const struct udrv_zdma *z);

/**
 * udrv_zdma_fd() - a pollable fd (POLLIN on an interrupt) for the caller's own
 * loop; then call udrv_zdma_wait(z, 0, done). Borrowed: valid until udrv_zdma_close().
 */
int udrv_zdma_fd(const struct udrv_zdma *z);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_ZDMA_H */
