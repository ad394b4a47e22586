/* SPDX-License-Identifier: MIT */
/*
 * cuse_export.h - the CUSE plumbing shared by the exports that serve a
 * userspace driver as a character device /dev/NAME (udrv-pl031 rtc:
 * rtc_cuse.c; udrv-uart tty: tty_cuse.c): the node's name
 * checked, /dev/cuse opened and handed to a libfuse3 lowlevel CUSE session,
 * and one thread's poll() loop over /dev/cuse, the device's interrupt fd
 * and the caller's stop fd.
 *
 * Not part of libudrv or of any driver's API: compiled into the CLIs that
 * use it. Failures return -errno with one line in udrv_last_error()
 * (udrv_error()). Needs the cuse module (/dev/cuse) and the right to open
 * it (root).
 */
#ifndef UDRV_EXPORTS_CUSE_EXPORT_H
#define UDRV_EXPORTS_CUSE_EXPORT_H

#define FUSE_USE_VERSION 31
#include <cuse_lowlevel.h>
#include <poll.h>

/* One served node. Fill nothing: cuse_export_open() does. */
struct cuse_export {
	struct fuse_session *se;
	char node[80];		/* "/dev/NAME" */
	int live;		/* the kernel made the node (cuse_export_ready()) */
	/* called once /dev/NAME exists, with its path; may be NULL */
	void (*ready)(const char *node, void *data);
	void *ready_data;
};

/* The device side of cuse_export_loop(). */
struct cuse_export_dev {
	/*
	 * Before each poll(): set p->fd (-1: do not wait on the device now)
	 * and p->events. NULL: never wait on the device.
	 */
	void (*events)(void *data, struct pollfd *p);
	/*
	 * After each wakeup, once the requests that came are answered:
	 * serve the device; @revents is what poll() said of its fd (0: it
	 * did not wake, or was not polled). A negative return ends the loop
	 * with it (the caller then says why).
	 */
	int (*step)(void *data, short revents);
	void *data;
};

/*
 * cuse_export_open() - check @name (1 to 64 characters, no '/'; -EINVAL),
 * refuse a /dev/@name that exists (-EEXIST), open /dev/cuse (-ENODEV: no
 * cuse module; -EACCES) and start a CUSE session for /dev/@name with
 * @ops and @userdata (what fuse_req_userdata() returns), @flags as
 * cuse_info's (CUSE_UNRESTRICTED_IOCTL). @ready/@data (may be NULL) are
 * kept in *@x for cuse_export_ready(). @prog names the session (argv[0]).
 * The node appears once the loop has served the kernel's CUSE_INIT.
 * On success the caller owns *@x until cuse_export_close(); on failure
 * nothing is left open. -ENOMEM, -EIO as well.
 */
int cuse_export_open(struct cuse_export *x, const char *prog, const char *name,
		     unsigned int flags, const struct cuse_lowlevel_ops *ops, void *userdata,
		     void (*ready)(const char *node, void *data), void *data);

/*
 * cuse_export_ready() - to be called from the ops' init_done: marks the
 * node live and calls the ready callback with its path.
 */
void cuse_export_ready(struct cuse_export *x);

/*
 * cuse_export_reply_ioctl() - answer an ioctl @req: @ret < 0 is the error
 * (-errno) the caller gets; 0 returns the @out_size bytes at @out (borrowed,
 * copied before it returns; none if @out_size is 0).
 */
void cuse_export_reply_ioctl(fuse_req_t req, int ret, const void *out, size_t out_size);

/*
 * cuse_export_loop() - serve requests (libfuse calls the ops, in this
 * thread) and the device (@dev, borrowed) until @stop_fd (borrowed, never
 * read; -1: none) is readable: then 0. Errors: what @dev->step returned;
 * -EPROTO the kernel refused the node or ended the connection; -errno of
 * poll() or of reading /dev/cuse (each with its line in udrv_last_error(),
 * except @dev->step's).
 */
int cuse_export_loop(struct cuse_export *x, int stop_fd, const struct cuse_export_dev *dev);

/*
 * cuse_export_close() - end the session: closing /dev/cuse removes the
 * node; the kernel fails requests still unanswered. Answer (or drop) the
 * ones you keep before. Safe on a zeroed *@x.
 */
void cuse_export_close(struct cuse_export *x);

#endif
