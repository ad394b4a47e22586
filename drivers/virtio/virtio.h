/* SPDX-License-Identifier: MIT */
/*
 * virtio.h - the virtio-mmio transport (version 2) and split virtqueues, in
 * userspace over a device handed to udrv_uio. The device drivers built on it
 * (virtio_blk.h, virtio_rng.h) are what applications use; this layer is for
 * writing another one.
 *
 * Conventions: as libudrv's (udrv.h) — 0 or a count on success, -errno on
 * failure, a NULL object argument is a programming error (assert). Failures
 * worth explaining leave a one-line reason in udrv_virtio_last_error().
 * Objects are not thread-safe.
 *
 * Life of a device: udrv_virtio_dev_open() (reset, ACKNOWLEDGE, DRIVER) ->
 * udrv_virtio_dev_negotiate() (FEATURES_OK) -> udrv_virtq_create() per queue ->
 * udrv_virtio_dev_start() (DRIVER_OK) -> udrv_virtq_add() / udrv_virtq_kick() /
 * udrv_virtio_dev_wait() / udrv_virtq_get() -> udrv_virtio_dev_close() (reset).
 */
#ifndef UDRV_VIRTIO_H
#define UDRV_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <udrv.h>

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_virtio_dev;
struct udrv_virtq;

#define VIRTIO_MAX_QUEUES	4	/* queues one device may have set up */
#define VIRTQ_MAX_SEGS		4	/* segments in one buffer (udrv_virtq_add) */
#define VIRTQ_DEFAULT_SIZE	256	/* udrv_virtq_create() with size 0, at most */

/**
 * udrv_virtio_last_error() - the reason for the last failure in this thread
 * ("" if none): udrv_last_error(), where the virtio drivers record their
 * reasons with udrv_error(). Owned by libudrv; valid until the next call into it.
 */
const char *udrv_virtio_last_error(void);

/**
 * udrv_virtio_dev_open() - open the UIO device named @name (its UIO name, or
 * its DT path "/virtio_mmio@a003a00"; NULL: the first free UIO device
 * whose DT node lists "virtio,mmio" and whose device type is @device_id,
 * whatever UIO driver or overlay handed it over), check it is a virtio-mmio version 2 device of type @device_id
 * (5 Device Types; 0: any type), reset it and set ACKNOWLEDGE and DRIVER.
 * The caller owns *@out (udrv_virtio_dev_close()). Opening resets the device:
 * one process drives it at a time, and another open takes it over.
 * Errors: -EINVAL @out NULL; from udrv_device_open() (-ENOENT no such
 * UIO device, -EBUSY another driver holds it); @name NULL: -EBUSY no free
 * device of the type but some virtio-mmio UIO device is held by another
 * driver (the one wanted may be among them), -ENOENT none at all; -ENODEV no virtio-mmio magic, an empty slot (device ID 0), or
 * a device of another type; -EPROTONOSUPPORT a legacy (version 1) device;
 * -ERANGE a register region shorter than 0x200; -EIO the reset did not
 * complete.
 */
int udrv_virtio_dev_open(const char *name, uint32_t device_id, struct udrv_virtio_dev **out);

/**
 * udrv_virtio_dev_close() - reset the device and wait (up to 1 s) for Status to
 * read 0, when it has stopped using every queue; then free the queues and
 * close the UIO device. NULL is ignored.
 */
void udrv_virtio_dev_close(struct udrv_virtio_dev *vd);

/** udrv_virtio_dev_udrv() - the udrv device, owned by @vd: allocate DMA buffers on it. */
struct udrv_device *udrv_virtio_dev_udrv(const struct udrv_virtio_dev *vd);
/** udrv_virtio_dev_id() - the device type (5 Device Types). */
uint32_t udrv_virtio_dev_id(const struct udrv_virtio_dev *vd);
/** udrv_virtio_dev_features() - the features negotiated (0 before negotiation). */
uint64_t udrv_virtio_dev_features(const struct udrv_virtio_dev *vd);
/** udrv_virtio_dev_has() - whether feature bit @bit was negotiated. */
bool udrv_virtio_dev_has(const struct udrv_virtio_dev *vd, unsigned int bit);

/**
 * udrv_virtio_dev_negotiate() - accept the features in @wanted (bit masks, 1ull <<
 * VIRTIO_F_...) that the device offers, plus VIRTIO_F_VERSION_1, which it must
 * offer, and VIRTIO_F_ACCESS_PLATFORM / VIRTIO_F_ORDER_PLATFORM whenever
 * offered (the driver's addresses are bus addresses, its barriers the
 * platform's); set FEATURES_OK and check the device kept it (3.1.1).
 * Errors: -EPROTONOSUPPORT no VIRTIO_F_VERSION_1; -ENOTSUP the device
 * refused the set (it is left FAILED); -EALREADY called twice.
 */
int udrv_virtio_dev_negotiate(struct udrv_virtio_dev *vd, uint64_t wanted);

/**
 * udrv_virtio_config_read() - read the @width-bit (8, 16, 32, 64) field at byte
 * @off of the device configuration space into *@val, retrying while the
 * configuration generation moves (2.4.1). Errors: -EINVAL bad width,
 * misaligned, out of the space or @val NULL.
 */
int udrv_virtio_config_read(struct udrv_virtio_dev *vd, unsigned int off, unsigned int width,
		       uint64_t *val);

/**
 * udrv_virtio_dev_start() - set DRIVER_OK: the device may now use its queues.
 * In interrupt mode the interrupt is unmasked. -EIO if the device reports
 * FAILED or NEEDS_RESET.
 */
int udrv_virtio_dev_start(struct udrv_virtio_dev *vd);

/**
 * udrv_virtio_dev_set_polled() - completion by interrupt (@polled false, the
 * default when the device has an interrupt) or by polling the used rings
 * (true: the device is asked not to interrupt, udrv_virtio_dev_wait() spins).
 * -ENXIO if @polled is false and the device has no interrupt.
 */
int udrv_virtio_dev_set_polled(struct udrv_virtio_dev *vd, bool polled);
/** udrv_virtio_dev_polled() - whether completion is polled. */
bool udrv_virtio_dev_polled(const struct udrv_virtio_dev *vd);

/**
 * udrv_virtio_dev_wait() - wait until @vq has a used buffer (returns at once if it
 * has one), for at most @timeout_ns (UINT64_MAX: forever). In interrupt mode
 * sleeps on the interrupt, acknowledges it and unmasks it; polled, spins.
 * @timeout_ns 0 only looks: an interrupt that fired is taken as above, and
 * -EAGAIN (no reason recorded) says no buffer is used yet; for a loop of the
 * caller's own that polls the interrupt's fd (udrv_irq_fd()).
 * Returns 0, -ETIMEDOUT, -EIO if the device set NEEDS_RESET (it must be
 * reopened), -ENODEV if it was removed, -EINTR on a signal.
 */
int udrv_virtio_dev_wait(struct udrv_virtio_dev *vd, struct udrv_virtq *vq, uint64_t timeout_ns);

/** udrv_virtio_dev_irq_count() - interrupts seen so far (0 when polled throughout). */
uint64_t udrv_virtio_dev_irq_count(const struct udrv_virtio_dev *vd);

/**
 * udrv_virtq_create() - set up queue @index with @size entries (a power of 2, at
 * most what the device allows; 0: the device's maximum, capped at
 * VIRTQ_DEFAULT_SIZE) in DMA memory of the device's pool. The queue is owned
 * by @vd and freed by udrv_virtio_dev_close(); *@out is borrowed.
 * Must come after udrv_virtio_dev_negotiate() and before udrv_virtio_dev_start().
 * With VIRTIO_F_INDIRECT_DESC negotiated, a buffer of several segments takes
 * one ring entry (2.6.5.3), so @size buffers can be in flight.
 * Errors: -ENOENT the device has no queue @index; -EINVAL @size not a power
 * of 2 or larger than the device's maximum (the reason names both);
 * -EBUSY the queue is already live; -ENOMEM the pool is too small;
 * -EOPNOTSUPP the device did not take the queue (QueueReady stays 0).
 */
int udrv_virtq_create(struct udrv_virtio_dev *vd, unsigned int index, unsigned int size,
		 struct udrv_virtq **out);

/** udrv_virtq_size() - number of entries. */
unsigned int udrv_virtq_size(const struct udrv_virtq *vq);
/** udrv_virtq_free() - buffers of @nsegs segments that can still be added now. */
unsigned int udrv_virtq_free(const struct udrv_virtq *vq, unsigned int nsegs);

/** struct udrv_virtq_seg - one piece of a buffer: bus address in the DMA pool. */
struct udrv_virtq_seg {
	uint64_t bus;
	uint32_t len;
	bool device_writes;	/* the device writes it (a read's data, a status) */
};

/**
 * udrv_virtq_add() - queue a buffer of @n segments (device-readable ones first,
 * 2.6.4.2) with the caller's @token, returned by udrv_virtq_get(). Not visible to
 * the device until udrv_virtq_kick(). The memory must stay valid until then.
 * The queue syncs its own rings; the segments' memory is the caller's to hand
 * over: udrv_dma_sync_for_device() before the kick, udrv_dma_sync_for_cpu()
 * once udrv_virtq_get() has returned the token.
 * Errors: -EINVAL @n 0 or above VIRTQ_MAX_SEGS, a readable segment after a
 * writable one, a NULL @token; -ENOSPC the queue is full.
 */
int udrv_virtq_add(struct udrv_virtq *vq, const struct udrv_virtq_seg *segs, unsigned int n, void *token);

/**
 * udrv_virtq_kick() - publish the buffers added since the last kick and notify the
 * device unless it asked not to be (VIRTQ_USED_F_NO_NOTIFY); nothing if none.
 */
void udrv_virtq_kick(struct udrv_virtq *vq);

/**
 * udrv_virtq_get() - take the next used buffer: its token and the bytes the device
 * wrote. Returns 1, 0 if none is used yet, -EIO if the device returned an id
 * that is not in flight (the queue is then unusable).
 */
int udrv_virtq_get(struct udrv_virtq *vq, void **token, uint32_t *len);

/** udrv_virtq_pending() - whether udrv_virtq_get() would return a buffer. */
bool udrv_virtq_pending(struct udrv_virtq *vq);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_VIRTIO_H */
