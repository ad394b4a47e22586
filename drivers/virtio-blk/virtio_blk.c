// SPDX-License-Identifier: MIT
/*
 * virtio_blk.c - virtio-blk (5.2) over virtio.h.
 *
 * A request is three segments (5.2.6): the 16-byte header the device reads,
 * the data, and the status byte it writes. Headers and status bytes live in
 * two DMA arrays (the CPU writes one, the device the other: apart, each is
 * whole pages under the ownership checker), one slot per request that can be
 * in flight; with indirect descriptors that is the queue size, else a third
 * of it.
 *
 * Ownership (udrv.h): a request's header, status byte and data are handed
 * to the device when it is submitted and back when it is reaped. Slots
 * share pages: the CPU takes a slot's bytes just before it writes them
 * (put()), whatever another slot's hand-over did to the page.
 */
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_blk.h"

#define BOUNCE_SIZE	(64u * 1024)
#define HDR_SIZE	sizeof(struct virtio_blk_req_hdr)
/* A status byte per cache line: written back from a CPU cache, a line would
 * carry stale copies of the status bytes the device writes meanwhile. */
#define STATUS_STRIDE	64

struct req {
	void *tag;
	uint16_t next_free;
	struct udrv_dma_buf *buf;	/* its data, NULL if none */
	size_t off;
	uint32_t len;
	enum udrv_dma_dir dir;
};

struct udrv_virtio_blk {
	struct udrv_virtio_dev *vd;
	struct udrv_device *udev;
	struct udrv_virtq *vq;
	uint64_t capacity;		/* in blocks */
	uint32_t block_size, max_io;
	unsigned int depth, inflight;
	bool ro, flush;
	uint64_t timeout_ns;
	struct udrv_dma_buf *hdrs, *status, *bounce;	/* per slot: header, status byte */
	struct req *reqs;
	uint16_t free_slot;
};

/* Write @len bytes at @off of @buf and hand them to the device. */
static int put(struct udrv_dma_buf *buf, size_t off, const void *src, size_t len,
	       enum udrv_dma_dir dir)
{
	udrv_dma_sync_for_cpu(buf, off, len, dir);
	memcpy((char *)udrv_dma_cpu(buf) + off, src, len);
	return udrv_dma_sync_for_device(buf, off, len, dir);
}

int udrv_virtio_blk_open(const char *name, const struct udrv_virtio_blk_opts *opts,
		    struct udrv_virtio_blk **out)
{
	static const struct udrv_virtio_blk_opts defaults;
	struct udrv_virtio_blk *blk;
	uint64_t sectors, v;
	int ret;

	if (!out)
		return -EINVAL;
	if (!opts)
		opts = &defaults;
	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->timeout_ns = opts->timeout_ns ? opts->timeout_ns : 5000000000ull;
	ret = udrv_virtio_dev_open(name, VIRTIO_ID_BLOCK, &blk->vd);
	if (ret) {
		free(blk);
		return ret;
	}
	blk->udev = udrv_virtio_dev_udrv(blk->vd);
	ret = udrv_virtio_dev_negotiate(blk->vd, (opts->no_indirect ? 0 : 1ull << VIRTIO_F_INDIRECT_DESC) |
				   1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_RO |
				   1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH);
	if (ret)
		goto err;
	/* 5.2.4 Device configuration layout */
	udrv_virtio_config_read(blk->vd, VIRTIO_BLK_CFG_CAPACITY, 64, &sectors);
	blk->block_size = VIRTIO_BLK_SECTOR_SIZE;
	if (udrv_virtio_dev_has(blk->vd, VIRTIO_BLK_F_BLK_SIZE) &&
	    !udrv_virtio_config_read(blk->vd, VIRTIO_BLK_CFG_BLK_SIZE, 32, &v) &&
	    v >= VIRTIO_BLK_SECTOR_SIZE && !(v & (v - 1)))
		blk->block_size = (uint32_t)v;
	blk->capacity = sectors / (blk->block_size / VIRTIO_BLK_SECTOR_SIZE);
	blk->max_io = 1u << 31;
	if (udrv_virtio_dev_has(blk->vd, VIRTIO_BLK_F_SIZE_MAX) &&
	    !udrv_virtio_config_read(blk->vd, VIRTIO_BLK_CFG_SIZE_MAX, 32, &v) && v)
		blk->max_io = v < blk->max_io ? (uint32_t)v : blk->max_io;
	blk->ro = udrv_virtio_dev_has(blk->vd, VIRTIO_BLK_F_RO);
	blk->flush = udrv_virtio_dev_has(blk->vd, VIRTIO_BLK_F_FLUSH);
	ret = udrv_virtq_create(blk->vd, VIRTIO_BLK_REQUESTQ, opts->queue_size, &blk->vq);
	if (ret)
		goto err;
	blk->depth = udrv_virtq_free(blk->vq, 3);
	blk->reqs = calloc(blk->depth, sizeof(*blk->reqs));
	if (!blk->reqs) {
		ret = -ENOMEM;
		goto err;
	}
	for (unsigned int i = 0; i < blk->depth; i++)
		blk->reqs[i].next_free = (uint16_t)(i + 1);
	ret = udrv_dma_alloc(blk->udev, (size_t)blk->depth * HDR_SIZE, 64, &blk->hdrs);
	if (!ret)
		ret = udrv_dma_alloc(blk->udev, (size_t)blk->depth * STATUS_STRIDE, 64,
				     &blk->status);
	if (!ret)
		ret = udrv_dma_alloc(blk->udev, BOUNCE_SIZE, 4096, &blk->bounce);
	if (ret) {
		ret = udrv_error(ret, "%s: no room in the DMA pool (%zu bytes) for %u requests",
				   name, udrv_device_dma_pool_size(blk->udev), blk->depth);
		goto err;
	}
	if (opts->polled && (ret = udrv_virtio_dev_set_polled(blk->vd, true)))
		goto err;
	if ((ret = udrv_virtio_dev_start(blk->vd)))
		goto err;
	*out = blk;
	return 0;
err:
	udrv_virtio_blk_close(blk);
	return ret;
}

void udrv_virtio_blk_close(struct udrv_virtio_blk *blk)
{
	if (!blk)
		return;
	udrv_virtio_dev_close(blk->vd);	/* resets first, then frees the pool's buffers */
	free(blk->reqs);
	free(blk);
}

uint64_t udrv_virtio_blk_capacity(const struct udrv_virtio_blk *blk) { assert(blk); return blk->capacity; }
uint32_t udrv_virtio_blk_block_size(const struct udrv_virtio_blk *blk) { assert(blk); return blk->block_size; }
unsigned int udrv_virtio_blk_queue_depth(const struct udrv_virtio_blk *blk) { assert(blk); return blk->depth; }
unsigned int udrv_virtio_blk_queue_size(const struct udrv_virtio_blk *blk) { assert(blk); return udrv_virtq_size(blk->vq); }
bool udrv_virtio_blk_read_only(const struct udrv_virtio_blk *blk) { assert(blk); return blk->ro; }
uint32_t udrv_virtio_blk_max_io(const struct udrv_virtio_blk *blk) { assert(blk); return blk->max_io; }
struct udrv_virtio_dev *udrv_virtio_blk_virtio(const struct udrv_virtio_blk *blk) { assert(blk); return blk->vd; }
unsigned int udrv_virtio_blk_inflight(const struct udrv_virtio_blk *blk) { assert(blk); return blk->inflight; }

int udrv_virtio_blk_set_polled(struct udrv_virtio_blk *blk, bool polled)
{
	assert(blk);
	return udrv_virtio_dev_set_polled(blk->vd, polled);
}

int udrv_virtio_blk_dma_alloc(struct udrv_virtio_blk *blk, size_t size, struct udrv_dma_buf **out)
{
	int ret;

	assert(blk);
	ret = udrv_dma_alloc(blk->udev, size, 4096, out);
	if (ret == -ENOMEM)
		return udrv_error(ret, "no %zu free bytes in the DMA pool (%zu bytes)", size,
				    udrv_device_dma_pool_size(blk->udev));
	return ret;
}

/* 0 if blocks @lba .. @lba + @count - 1 (@count > 0) are on the disk, else -ERANGE. */
static int check_range(const struct udrv_virtio_blk *blk, uint64_t lba, uint32_t count)
{
	if (lba < blk->capacity && count <= blk->capacity - lba)
		return 0;
	return udrv_error(-ERANGE, "blocks %llu..%llu are past the capacity (%llu blocks)",
			    (unsigned long long)lba, (unsigned long long)(lba + count - 1),
			    (unsigned long long)blk->capacity);
}

int udrv_virtio_blk_submit(struct udrv_virtio_blk *blk, uint32_t type, uint64_t lba, uint32_t count,
		      struct udrv_dma_buf *buf, size_t off, void *tag)
{
	struct udrv_virtq_seg seg[3];
	struct virtio_blk_req_hdr hdr = { .type = htole32(type) };
	uint64_t len = (uint64_t)count * blk->block_size;
	uint64_t hdr_bus = udrv_dma_bus(blk->hdrs), st_bus = udrv_dma_bus(blk->status);
	const uint8_t unset = 0xff;	/* until the device writes the status */
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	enum udrv_dma_dir dir = in ? UDRV_DMA_FROM_DEVICE : UDRV_DMA_TO_DEVICE;
	unsigned int n = 0, slot;
	struct req *r;
	int ret;

	assert(blk);
	if (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT) {
		if (!count)
			return udrv_error(-EINVAL, "a read or write of 0 blocks");
		if ((ret = check_range(blk, lba, count)))
			return ret;
		if (len > blk->max_io)
			return udrv_error(-EFBIG, "%llu bytes in one request: the device takes "
					    "at most %u", (unsigned long long)len, blk->max_io);
		if (type == VIRTIO_BLK_T_OUT && blk->ro)
			return udrv_error(-EROFS, "the disk is read-only");
	} else if (type == VIRTIO_BLK_T_FLUSH) {
		len = 0;
	} else if (type == VIRTIO_BLK_T_GET_ID) {
		len = VIRTIO_BLK_ID_BYTES;
	}
	if (len && (!buf || off > udrv_dma_size(buf) || len > udrv_dma_size(buf) - off))
		return udrv_error(-EINVAL, "%llu bytes at offset %zu do not fit in the buffer",
				    (unsigned long long)len, off);
	if (blk->inflight == blk->depth)
		return -EAGAIN;
	slot = blk->free_slot;
	r = &blk->reqs[slot];
	if (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT)
		hdr.sector = htole64(lba * (blk->block_size / VIRTIO_BLK_SECTOR_SIZE));
	/* The status both ways: the device overwrites the CPU's 0xff. */
	if ((ret = put(blk->hdrs, slot * HDR_SIZE, &hdr, HDR_SIZE, UDRV_DMA_TO_DEVICE)) ||
	    (ret = put(blk->status, slot * STATUS_STRIDE, &unset, 1, UDRV_DMA_BIDIRECTIONAL)) ||
	    (len && (ret = udrv_dma_sync_for_device(buf, off, len, dir))))
		return ret;
	seg[n++] = (struct udrv_virtq_seg){ hdr_bus + slot * HDR_SIZE, HDR_SIZE, false };
	if (len)
		seg[n++] = (struct udrv_virtq_seg){ udrv_dma_bus(buf) + off, (uint32_t)len, in };
	seg[n++] = (struct udrv_virtq_seg){ st_bus + slot * STATUS_STRIDE, 1, true };
	ret = udrv_virtq_add(blk->vq, seg, n, r);
	if (ret) {
		if (len)	/* never the device's */
			udrv_dma_sync_for_cpu(buf, off, len, dir);
		return ret == -ENOSPC ? -EAGAIN : ret;
	}
	blk->free_slot = r->next_free;
	r->tag = tag;
	r->buf = len ? buf : NULL;
	r->off = off;
	r->len = (uint32_t)len;
	r->dir = dir;
	blk->inflight++;
	return 0;
}

void udrv_virtio_blk_kick(struct udrv_virtio_blk *blk)
{
	assert(blk);
	udrv_virtq_kick(blk->vq);
}

/* udrv_virtio_blk_reap() waiting up to @timeout_ns; 0: not at all. */
static int reap(struct udrv_virtio_blk *blk, struct udrv_virtio_blk_done *done, unsigned int max,
		uint64_t timeout_ns)
{
	unsigned int n = 0;
	void *token;
	int ret;

	assert(blk);
	if (!done || !max)
		return -EINVAL;
	if (!blk->inflight && timeout_ns)
		return 0;	/* (not waiting, an interrupt that fired is still taken) */
	udrv_virtq_kick(blk->vq);
	ret = udrv_virtio_dev_wait(blk->vd, blk->vq, timeout_ns);
	if (ret)
		return ret == -EAGAIN && !timeout_ns ? 0 : ret;
	while (n < max && (ret = udrv_virtq_get(blk->vq, &token, NULL)) == 1) {
		struct req *r = token;
		unsigned int slot = (unsigned int)(r - blk->reqs);
		uint8_t st;

		/* The device is done with the request: its bytes are the CPU's. */
		udrv_dma_sync_for_cpu(blk->status, slot * STATUS_STRIDE, 1, UDRV_DMA_BIDIRECTIONAL);
		st = ((volatile uint8_t *)udrv_dma_cpu(blk->status))[slot * STATUS_STRIDE];
		if (r->buf)
			udrv_dma_sync_for_cpu(r->buf, r->off, r->len, r->dir);

		done[n].tag = r->tag;
		done[n].status = st == VIRTIO_BLK_S_OK ? 0 : st == VIRTIO_BLK_S_IOERR ? -EIO :
				 st == VIRTIO_BLK_S_UNSUPP ? -EOPNOTSUPP : -EPROTO;
		n++;
		r->next_free = blk->free_slot;
		blk->free_slot = (uint16_t)slot;
		blk->inflight--;
	}
	return ret < 0 ? ret : (int)n;
}

int udrv_virtio_blk_reap(struct udrv_virtio_blk *blk, struct udrv_virtio_blk_done *done, unsigned int max)
{
	return reap(blk, done, max, blk->timeout_ns);
}

int udrv_virtio_blk_reap_nowait(struct udrv_virtio_blk *blk, struct udrv_virtio_blk_done *done,
				unsigned int max)
{
	return reap(blk, done, max, 0);
}

/* 0 if no request is in flight (so the bounce buffer is the CPU's), else -EBUSY. */
static int idle(const struct udrv_virtio_blk *blk)
{
	if (blk->inflight)
		return udrv_error(-EBUSY, "%u asynchronous requests in flight", blk->inflight);
	return 0;
}

/* One request on the bounce buffer, waited for. */
static int sync_io(struct udrv_virtio_blk *blk, uint32_t type, uint64_t lba, uint32_t count)
{
	static const char *const what[] = { [VIRTIO_BLK_T_IN] = "read", [VIRTIO_BLK_T_OUT] = "write",
					    [VIRTIO_BLK_T_FLUSH] = "flush", [VIRTIO_BLK_T_GET_ID] = "get-id" };
	struct udrv_virtio_blk_done d;
	int ret;

	if ((ret = idle(blk)))
		return ret;
	ret = udrv_virtio_blk_submit(blk, type, lba, count, blk->bounce, 0, blk);
	if (ret)
		return ret;
	ret = udrv_virtio_blk_reap(blk, &d, 1);
	if (ret < 0)
		return ret;
	if (d.status)
		return udrv_error(d.status, "the device failed the %s of %u blocks at %llu: %s",
				    what[type], count, (unsigned long long)lba,
				    d.status == -EIO ? "I/O error" : d.status == -EOPNOTSUPP ?
				    "unsupported" : "bad status");
	return 0;
}

static int rw(struct udrv_virtio_blk *blk, uint32_t type, uint64_t lba, uint32_t count, void *buf)
{
	uint32_t chunk = BOUNCE_SIZE / blk->block_size, n;
	int ret;

	assert(blk);
	if (!buf || !count)
		return udrv_error(-EINVAL, "no buffer or no blocks");
	if ((ret = check_range(blk, lba, count)) || (ret = idle(blk)))
		return ret;
	if (blk->max_io / blk->block_size < chunk)
		chunk = blk->max_io / blk->block_size;
	for (; count; count -= n, lba += n, buf = (char *)buf + (size_t)n * blk->block_size) {
		n = count < chunk ? count : chunk;
		if (type == VIRTIO_BLK_T_OUT)
			memcpy(udrv_dma_cpu(blk->bounce), buf, (size_t)n * blk->block_size);
		if ((ret = sync_io(blk, type, lba, n)))
			return ret;
		if (type == VIRTIO_BLK_T_IN)
			memcpy(buf, udrv_dma_cpu(blk->bounce), (size_t)n * blk->block_size);
	}
	return 0;
}

int udrv_virtio_blk_read(struct udrv_virtio_blk *blk, uint64_t lba, uint32_t count, void *buf)
{
	return rw(blk, VIRTIO_BLK_T_IN, lba, count, buf);
}

int udrv_virtio_blk_write(struct udrv_virtio_blk *blk, uint64_t lba, uint32_t count, const void *buf)
{
	assert(blk);
	if (blk->ro)
		return udrv_error(-EROFS, "the disk is read-only");
	return rw(blk, VIRTIO_BLK_T_OUT, lba, count, (void *)buf);
}

int udrv_virtio_blk_flush(struct udrv_virtio_blk *blk)
{
	assert(blk);
	return blk->flush ? sync_io(blk, VIRTIO_BLK_T_FLUSH, 0, 0) : 0;
}

int udrv_virtio_blk_get_id(struct udrv_virtio_blk *blk, char *id)
{
	int ret;

	assert(blk);
	if (!id)
		return -EINVAL;
	if ((ret = sync_io(blk, VIRTIO_BLK_T_GET_ID, 0, 0)))
		return ret;
	memcpy(id, udrv_dma_cpu(blk->bounce), VIRTIO_BLK_ID_BYTES);
	id[VIRTIO_BLK_ID_BYTES] = '\0';
	return 0;
}
