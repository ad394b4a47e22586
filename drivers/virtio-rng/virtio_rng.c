// SPDX-License-Identifier: MIT
/*
 * virtio_rng.c - virtio entropy device (5.4) over virtio.h: hand the device
 * one writable buffer at a time, take what it wrote (5.4.6: it may write
 * fewer bytes than the buffer holds), repeat until the caller has enough.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_regs.h"
#include "virtio_rng_regs.h"
#include "virtio_rng.h"

#define RNG_CHUNK	4096u
#define RNG_TIMEOUT_NS	5000000000ull
#define RNG_MAX_EMPTY	4	/* 0-byte answers in a row before giving up */

struct udrv_virtio_rng {
	struct udrv_virtio_dev *vd;
	struct udrv_virtq *vq;
	struct udrv_dma_buf *buf;
	uint32_t queued;	/* bytes the device may write into buf; 0: buf is ours */
};

int udrv_virtio_rng_open(const char *name, bool polled, struct udrv_virtio_rng **out)
{
	struct udrv_virtio_rng *rng;
	int ret;

	if (!out)
		return -EINVAL;
	rng = calloc(1, sizeof(*rng));
	if (!rng)
		return -ENOMEM;
	ret = udrv_virtio_dev_open(name, VIRTIO_ID_ENTROPY, &rng->vd);
	if (ret) {
		free(rng);
		return ret;
	}
	if ((ret = udrv_virtio_dev_negotiate(rng->vd, 0)) ||
	    (ret = udrv_virtq_create(rng->vd, VIRTIO_RNG_REQUESTQ, 8, &rng->vq)))
		goto err;
	ret = udrv_dma_alloc(udrv_virtio_dev_udrv(rng->vd), RNG_CHUNK, 64, &rng->buf);
	if (ret) {
		ret = udrv_error(ret, "no room for %u bytes in the DMA pool", RNG_CHUNK);
		goto err;
	}
	if ((polled && (ret = udrv_virtio_dev_set_polled(rng->vd, true))) ||
	    (ret = udrv_virtio_dev_start(rng->vd)))
		goto err;
	*out = rng;
	return 0;
err:
	udrv_virtio_rng_close(rng);
	return ret;
}

void udrv_virtio_rng_close(struct udrv_virtio_rng *rng)
{
	if (!rng)
		return;
	udrv_virtio_dev_close(rng->vd);
	free(rng);
}

struct udrv_virtio_dev *udrv_virtio_rng_virtio(const struct udrv_virtio_rng *rng)
{
	assert(rng);
	return rng->vd;
}

/*
 * One buffer, at most one descriptor: after a timeout the buffer stays with
 * the device (it may still write it) and the next call waits for that same
 * request instead of queueing the buffer a second time. Random bytes are
 * random whichever call asked for them; any the caller no longer needs are
 * dropped. The bytes asked for are the device's (udrv_dma_sync_for_device())
 * from the add until the device has used the buffer.
 */
ssize_t udrv_virtio_rng_read(struct udrv_virtio_rng *rng, void *buf, size_t len)
{
	unsigned int empty = 0;
	size_t done = 0;
	void *token;
	uint32_t got, asked;
	int ret;

	assert(rng);
	if (!buf && len)
		return -EINVAL;
	while (done < len) {
		if (!rng->queued) {
			uint32_t want = len - done < RNG_CHUNK ? (uint32_t)(len - done) : RNG_CHUNK;
			struct udrv_virtq_seg seg = { udrv_dma_bus(rng->buf), want, true };

			ret = udrv_dma_sync_for_device(rng->buf, 0, want, UDRV_DMA_FROM_DEVICE);
			if (ret)
				return ret;
			if ((ret = udrv_virtq_add(rng->vq, &seg, 1, rng))) {
				udrv_dma_sync_for_cpu(rng->buf, 0, want, UDRV_DMA_FROM_DEVICE);
				return ret;
			}
			rng->queued = want;
			udrv_virtq_kick(rng->vq);
		}
		if ((ret = udrv_virtio_dev_wait(rng->vd, rng->vq, RNG_TIMEOUT_NS)))
			return ret;	/* the buffer stays with the device */
		if ((ret = udrv_virtq_get(rng->vq, &token, &got)) < 0)
			return ret;
		if (!ret)
			continue;
		udrv_dma_sync_for_cpu(rng->buf, 0, rng->queued, UDRV_DMA_FROM_DEVICE);
		asked = rng->queued;
		rng->queued = 0;
		if (got > asked)
			return udrv_error(-EIO, "the device wrote %u bytes into %u", got, asked);
		/* 5.4.6.2: the device places one or more bytes */
		if (!got && ++empty >= RNG_MAX_EMPTY)
			return udrv_error(-EIO, "the device returned no bytes %u times in a row",
					    empty);
		if (got)
			empty = 0;
		if (got > len - done)
			got = (uint32_t)(len - done);
		memcpy((char *)buf + done, udrv_dma_cpu(rng->buf), got);
		done += got;
	}
	return (ssize_t)done;
}
