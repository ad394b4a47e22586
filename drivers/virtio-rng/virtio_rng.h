/* SPDX-License-Identifier: MIT */
/*
 * virtio_rng.h - a userspace virtio entropy device driver (virtio 1.1
 * section 5.4) on the virtio-mmio transport of virtio.h: one queue of
 * device-writable buffers the device fills with random bytes.
 *
 * Conventions of udrv.h; udrv_virtio_last_error() (virtio.h) explains failures.
 */
#ifndef UDRV_VIRTIO_RNG_H
#define UDRV_VIRTIO_RNG_H

#include <stddef.h>
#include <sys/types.h>

#include "virtio.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_virtio_rng;

/**
 * udrv_virtio_rng_open() - bring up the entropy device behind UIO device @name
 * (a UIO name or DT path; NULL: the first virtio-mmio entropy device), completion by interrupt (polled if @polled).
 * The caller owns *@out (udrv_virtio_rng_close()). Errors: -EINVAL @out NULL;
 * those of udrv_virtio_dev_open() (-ENOENT no such UIO device, -ENODEV not a
 * virtio entropy device) and udrv_virtq_create().
 */
int udrv_virtio_rng_open(const char *name, bool polled, struct udrv_virtio_rng **out);

/** udrv_virtio_rng_close() - reset the device and free it. NULL is ignored. */
void udrv_virtio_rng_close(struct udrv_virtio_rng *rng);

/**
 * udrv_virtio_rng_read() - fill @buf (owned by the caller) with @len random bytes
 * from the device, waiting (at most 5 s per buffer) as long as it takes.
 * Returns @len, or -EINVAL (@buf NULL with @len > 0), -ETIMEDOUT, -EIO,
 * -ENODEV as udrv_virtio_dev_wait(); -EIO also when the device answers with no
 * bytes several times in a row. After -ETIMEDOUT the request stays with
 * the device and the next call waits for it (never a second one into the
 * same buffer). A @len of 0 returns 0.
 */
ssize_t udrv_virtio_rng_read(struct udrv_virtio_rng *rng, void *buf, size_t len);

/** udrv_virtio_rng_virtio() - the transport device, owned by @rng. */
struct udrv_virtio_dev *udrv_virtio_rng_virtio(const struct udrv_virtio_rng *rng);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_VIRTIO_RNG_H */
