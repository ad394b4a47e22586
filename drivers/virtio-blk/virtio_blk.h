/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk.h - a userspace virtio-blk driver (virtio 1.1 section 5.2) on
 * the virtio-mmio transport of virtio.h.
 *
 * Two ways in: synchronous udrv_virtio_blk_read()/write()/flush() on ordinary
 * memory (copied through a bounce buffer in the DMA pool), and asynchronous
 * udrv_virtio_blk_submit()/udrv_virtio_blk_reap() on buffers the caller allocates in
 * the DMA pool (udrv_virtio_blk_dma_alloc()), with up to udrv_virtio_blk_queue_depth()
 * requests in flight. Completion is by interrupt or, after
 * udrv_virtio_blk_set_polled(), by polling. Block numbers (LBA) and counts are in
 * units of udrv_virtio_blk_block_size().
 *
 * Conventions of udrv.h: 0 (or a count) or -errno; a NULL object argument
 * is a programming error; udrv_virtio_last_error() (virtio.h) gives the reason
 * for a failure in one line. Not thread-safe.
 */
#ifndef UDRV_VIRTIO_BLK_H
#define UDRV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio.h"
#include "virtio_regs.h"
#include "virtio_blk_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_virtio_blk;

/** struct udrv_virtio_blk_opts - how to open; a zeroed struct (or NULL) means defaults. */
struct udrv_virtio_blk_opts {
	unsigned int queue_size;	/* power of 2; 0: the device's, at most 256 */
	bool polled;			/* poll for completions instead of interrupts */
	uint64_t timeout_ns;		/* per wait for a completion; 0: 5 s */
	bool no_indirect;		/* chain 3 descriptors per request even if the
				 * device offers indirect ones (depth: size / 3) */
};

/**
 * udrv_virtio_blk_open() - bring up the virtio-blk device behind UIO device @name
 * (a UIO name or DT path; NULL: the first virtio-mmio block device): reset, negotiate, one request queue, DRIVER_OK.
 * The caller owns *@out (udrv_virtio_blk_close()).
 * Errors: as udrv_virtio_dev_open() (-ENOENT no such UIO device, -ENODEV not a
 * virtio block device) and udrv_virtq_create() (-EINVAL a queue size the device
 * refuses, -ENOMEM a DMA pool too small); -EINVAL @out NULL.
 */
int udrv_virtio_blk_open(const char *name, const struct udrv_virtio_blk_opts *opts,
		    struct udrv_virtio_blk **out);

/**
 * udrv_virtio_blk_close() - reset the device (requests still in flight are
 * dropped: their buffers may be reused once this returns), free everything
 * including the DMA buffers allocated with udrv_virtio_blk_dma_alloc(). NULL is ignored.
 */
void udrv_virtio_blk_close(struct udrv_virtio_blk *blk);

/** udrv_virtio_blk_capacity() - size of the disk in blocks. */
uint64_t udrv_virtio_blk_capacity(const struct udrv_virtio_blk *blk);
/** udrv_virtio_blk_block_size() - bytes per block: blk_size if offered, else 512. */
uint32_t udrv_virtio_blk_block_size(const struct udrv_virtio_blk *blk);
/** udrv_virtio_blk_queue_depth() - requests that can be in flight at once. */
unsigned int udrv_virtio_blk_queue_depth(const struct udrv_virtio_blk *blk);
/** udrv_virtio_blk_queue_size() - entries of the request queue. */
unsigned int udrv_virtio_blk_queue_size(const struct udrv_virtio_blk *blk);
/** udrv_virtio_blk_read_only() - whether the device offered VIRTIO_BLK_F_RO. */
bool udrv_virtio_blk_read_only(const struct udrv_virtio_blk *blk);
/** udrv_virtio_blk_max_io() - largest transfer of one request, in bytes. */
uint32_t udrv_virtio_blk_max_io(const struct udrv_virtio_blk *blk);
/** udrv_virtio_blk_virtio() - the transport device, owned by @blk. */
struct udrv_virtio_dev *udrv_virtio_blk_virtio(const struct udrv_virtio_blk *blk);

/** udrv_virtio_blk_set_polled() - as udrv_virtio_dev_set_polled(). */
int udrv_virtio_blk_set_polled(struct udrv_virtio_blk *blk, bool polled);

/**
 * udrv_virtio_blk_dma_alloc() - @size bytes of the device's DMA pool, aligned to
 * 4 KiB, for udrv_virtio_blk_submit(). Owned by the caller (udrv_dma_free()), and
 * freed at the latest by udrv_virtio_blk_close(). -ENOMEM: the pool is full.
 * The driver syncs it (udrv.h, "Who owns a DMA buffer"): a request's range
 * is the device's from udrv_virtio_blk_submit() until udrv_virtio_blk_reap()
 * reports the request, the caller's before and after.
 */
int udrv_virtio_blk_dma_alloc(struct udrv_virtio_blk *blk, size_t size, struct udrv_dma_buf **out);

/**
 * udrv_virtio_blk_submit() - queue one request of type @type (5.2.6:
 * VIRTIO_BLK_T_IN reads @count blocks at @lba into @buf at @off,
 * VIRTIO_BLK_T_OUT writes them, VIRTIO_BLK_T_FLUSH and VIRTIO_BLK_T_GET_ID
 * (VIRTIO_BLK_ID_BYTES into @buf) ignore @lba and @count; other types go to
 * the device as they are, with @count blocks of device-readable data, for
 * whatever it makes of them). @tag comes back from udrv_virtio_blk_reap().
 * The device sees the request at the next udrv_virtio_blk_kick() or
 * udrv_virtio_blk_reap(); @buf must stay allocated until it completes.
 * Errors: -EINVAL @count 0 for a read/write, @buf NULL when data is needed,
 * or @off + length past the end of @buf; -ERANGE the blocks go past the
 * capacity; -EFBIG more than udrv_virtio_blk_max_io() bytes; -EROFS a write to a
 * read-only disk; -EAGAIN udrv_virtio_blk_queue_depth() requests are in flight;
 * the errors of udrv_dma_sync_for_device() (-EINVAL @buf freed).
 */
int udrv_virtio_blk_submit(struct udrv_virtio_blk *blk, uint32_t type, uint64_t lba, uint32_t count,
		      struct udrv_dma_buf *buf, size_t off, void *tag);

/** udrv_virtio_blk_kick() - let the device see the requests submitted so far. */
void udrv_virtio_blk_kick(struct udrv_virtio_blk *blk);

/** struct udrv_virtio_blk_done - a completed request. */
struct udrv_virtio_blk_done {
	void *tag;	/* as submitted */
	int status;	/* 0; -EIO the device failed it (VIRTIO_BLK_S_IOERR);
			 * -EOPNOTSUPP it does not support it (VIRTIO_BLK_S_UNSUPP);
			 * -EPROTO any other status byte */
};

/**
 * udrv_virtio_blk_reap() - kick, then wait (up to the open timeout) until at least
 * one request completes and store up to @max completions in @done.
 * Returns their number, 0 at once if nothing is in flight, or -ETIMEDOUT /
 * -EIO / -ENODEV as udrv_virtio_dev_wait() (the requests stay in flight).
 * A request the device failed is a completion with a negative status; the
 * queue goes on working.
 */
int udrv_virtio_blk_reap(struct udrv_virtio_blk *blk, struct udrv_virtio_blk_done *done, unsigned int max);

/**
 * udrv_virtio_blk_reap_nowait() - udrv_virtio_blk_reap() without waiting, for
 * a loop of the caller's own: kick, take the interrupt if it fired
 * (acknowledge, unmask), store up to @max completions that are there. In
 * interrupt mode call it when the interrupt's fd (udrv_irq_fd() of
 * udrv_device_irq(udrv_virtio_dev_udrv(udrv_virtio_blk_virtio(@blk)), 0))
 * is readable, polled whenever requests are in flight. Returns their number,
 * 0 if none has completed yet, -EIO / -ENODEV as udrv_virtio_dev_wait().
 */
int udrv_virtio_blk_reap_nowait(struct udrv_virtio_blk *blk, struct udrv_virtio_blk_done *done,
				unsigned int max);

/** udrv_virtio_blk_inflight() - requests submitted and not yet reaped. */
unsigned int udrv_virtio_blk_inflight(const struct udrv_virtio_blk *blk);

/**
 * udrv_virtio_blk_read() - read @count blocks at @lba into @buf (ordinary memory,
 * @count * block size bytes, owned by the caller), waiting for completion.
 * Errors: -EBUSY asynchronous requests are in flight; -EINVAL @buf NULL or
 * @count 0; -ERANGE past the capacity; a failed request's status (-EIO...);
 * the errors of udrv_virtio_blk_reap().
 */
int udrv_virtio_blk_read(struct udrv_virtio_blk *blk, uint64_t lba, uint32_t count, void *buf);

/** udrv_virtio_blk_write() - write @count blocks from @buf at @lba; as udrv_virtio_blk_read(), and -EROFS. */
int udrv_virtio_blk_write(struct udrv_virtio_blk *blk, uint64_t lba, uint32_t count, const void *buf);

/**
 * udrv_virtio_blk_flush() - make the writes completed so far durable
 * (VIRTIO_BLK_T_FLUSH; 0 at once if the device did not offer
 * VIRTIO_BLK_F_FLUSH, i.e. writes through). Errors as udrv_virtio_blk_read().
 */
int udrv_virtio_blk_flush(struct udrv_virtio_blk *blk);

/**
 * udrv_virtio_blk_get_id() - the device's ID string (its serial) into @id, at
 * least VIRTIO_BLK_ID_BYTES + 1 bytes, NUL-terminated. Errors as
 * udrv_virtio_blk_read(); -EOPNOTSUPP if the device does not support it.
 */
int udrv_virtio_blk_get_id(struct udrv_virtio_blk *blk, char *id);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_VIRTIO_BLK_H */
