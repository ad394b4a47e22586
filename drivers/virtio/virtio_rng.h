/* SPDX-License-Identifier: MIT */
/*
 * virtio_rng.h - a userspace virtio entropy device driver (virtio 1.1
 * section 5.4) on the virtio-mmio transport of virtio.h: one queue of
 * device-writable buffers the device fills with random bytes.
 *
 * Conventions of udrv.h; virtio_last_error() (virtio.h) explains failures.
 */
#ifndef UDRV_VIRTIO_RNG_H
#define UDRV_VIRTIO_RNG_H

#include <stddef.h>
#include <sys/types.h>

#include "virtio.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_rng;

/**
 * virtio_rng_open() - bring up the entropy device behind UIO device @name
 * (a UIO name or DT path; NULL: the first virtio-mmio entropy device), completion by interrupt (polled if @polled).
 * The caller owns *@out (virtio_rng_close()). Errors: -EINVAL @out NULL;
 * those of virtio_dev_open() (-ENOENT no such UIO device, -ENODEV not a
 * virtio entropy device) and virtq_create().
 */
int virtio_rng_open(const char *name, bool polled, struct virtio_rng **out);

/** virtio_rng_close() - reset the device and free it. NULL is ignored. */
void virtio_rng_close(struct virtio_rng *rng);

/**
 * virtio_rng_read() - fill @buf (owned by the caller) with @len random bytes
 * from the device, waiting (at most 5 s per buffer) as long as it takes.
 * Returns @len, or -EINVAL (@buf NULL with @len > 0), -ETIMEDOUT, -EIO,
 * -ENODEV as virtio_dev_wait(); -EIO also when the device answers with no
 * bytes several times in a row. After -ETIMEDOUT the request stays with
 * the device and the next call waits for it (never a second one into the
 * same buffer). A @len of 0 returns 0.
 */
ssize_t virtio_rng_read(struct virtio_rng *rng, void *buf, size_t len);

/** virtio_rng_virtio() - the transport device, owned by @rng. */
struct virtio_dev *virtio_rng_virtio(const struct virtio_rng *rng);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_VIRTIO_RNG_H */
