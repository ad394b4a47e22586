/* SPDX-License-Identifier: MIT */
/*
 * ublk.h - serve the userspace virtio-blk driver's disk as a Linux block
 * device, /dev/ublkbN, through the kernel's ublk driver (ublk_drv, Linux
 * 6.0+; include/uapi/linux/ublk_cmd.h, Documentation/block/ublk.rst).
 *
 * One queue, one thread: the caller's thread takes the block requests from
 * ublk (io_uring commands on /dev/ublkcN) and hands them to the virtio-blk
 * driver (udrv_virtio_blk_submit()), with completions by interrupt or
 * polled as the driver was opened. A short-lived second thread sends
 * START_DEV and STOP_DEV, which wait for I/O the queue thread must serve.
 *
 * Data path: ublk copies a request's data between the kernel's pages and a
 * per-request buffer in ordinary memory (it pins that buffer's pages, which
 * the UIO DMA pool's mapping, VM_IO | VM_PFNMAP, does not allow); the server
 * copies it to or from the request's slot of a DMA buffer in the device's
 * pool, which the device reads or writes.
 *
 * Conventions of udrv.h: 0 or -errno, the reason in udrv_virtio_last_error().
 * Needs CAP_SYS_ADMIN (ublk's control commands) and /dev/ublk-control.
 */
#ifndef UDRV_EXPORTS_UBLK_H
#define UDRV_EXPORTS_UBLK_H

#include "virtio_blk.h"

#ifdef __cplusplus
extern "C" {
#endif

/** struct udrv_blk_ublk_opts - how to serve; zero fields mean defaults. */
struct udrv_blk_ublk_opts {
	unsigned int depth;	/* requests in flight; 0: 16; at most the
				 * driver's udrv_virtio_blk_queue_depth() */
	int stop_fd;		/* readable = stop (a signalfd, an eventfd...);
				 * borrowed, never read or closed; -1: none */
	/* called once the device is live, with its number N (/dev/ublkbN) */
	void (*ready)(int dev_id, void *data);
	void *data;
};

/**
 * udrv_blk_ublk_serve() - add a ublk device the size and block size of
 * @blk's disk, serve it until @opts->stop_fd becomes readable, then stop it
 * (the kernel fails nothing in flight: STOP_DEV waits for the requests
 * being served), delete it (/dev/ublkbN and /dev/ublkcN go away) and return
 * 0. On the way in, ublk devices this function added for the same UIO
 * device and left behind (its process killed) are deleted first.
 * @blk is borrowed: no request of the caller's may be in flight, and it is
 * left with none. Buffers of its DMA pool are allocated for the time of
 * the call (@opts->depth times the largest request, which is halved until
 * they fit, down to 4 KiB).
 * Errors (every one also in udrv_virtio_last_error(), one line):
 * -EINVAL bad @opts or requests in flight on @blk; -ENODEV no ublk in
 * this kernel (/dev/ublk-control missing: ublk_drv not loaded); -EPERM not
 * allowed (CAP_SYS_ADMIN); -ENOMEM the DMA pool has no room for @depth
 * requests of 4 KiB; -errno from io_uring or a ublk command (named); -EIO
 * the disk failed under it, -ENODEV it was removed (unbound: the stub
 * revoked its mappings); in both cases the requests held and those that
 * came after were failed with EIO, and the device stopped and deleted all
 * the same. While it serves, SIGBUS is handled (the previous action is
 * restored on return): a bus error of the calling thread is taken as the
 * disk's removal; one of another thread gets the default action.
 */
int udrv_blk_ublk_serve(struct udrv_virtio_blk *blk, const struct udrv_blk_ublk_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_EXPORTS_UBLK_H */
