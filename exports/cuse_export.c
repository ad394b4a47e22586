// SPDX-License-Identifier: MIT
/*
 * cuse_export.c - CUSE session and loop for the character-device exports
 * (see cuse_export.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udrv.h"
#include "cuse_export.h"

static int check_name(const char *name)
{
	if (!name[0] || strlen(name) > 64 || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return udrv_error(-EINVAL, "bad device name '%s' (1 to 64 characters, no '/')", name);
	return 0;
}

int cuse_export_open(struct cuse_export *x, const char *prog, const char *name,
		     unsigned int flags, const struct cuse_lowlevel_ops *ops, void *userdata,
		     void (*ready)(const char *node, void *data), void *data)
{
	char devname[80], fdpath[32];
	const char *info[] = { devname };
	struct cuse_info ci = { .dev_info_argc = 1, .dev_info_argv = info, .flags = flags };
	char *argv[] = { (char *)prog, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct stat st;
	int fd, ret;

	*x = (struct cuse_export){ .ready = ready, .ready_data = data };
	if ((ret = check_name(name)))
		return ret;
	snprintf(devname, sizeof(devname), "DEVNAME=%s", name);
	snprintf(x->node, sizeof(x->node), "/dev/%s", name);
	/* The kernel refuses a name CUSE has (and devtmpfs one it has): say
	 * which before asking. */
	if (stat(x->node, &st) == 0)
		return udrv_error(-EEXIST, "%s exists already (another export of that name? choose another)",
				  x->node);
	fd = open("/dev/cuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT || ret == -ENODEV)
			return udrv_error(-ENODEV, "/dev/cuse: no CUSE in this kernel (load the cuse module)");
		return udrv_error(ret, "/dev/cuse: %s", strerror(-ret));
	}
	x->se = cuse_lowlevel_new(&args, &ci, ops, userdata);
	if (!x->se) {
		close(fd);
		return udrv_error(-ENOMEM, "cannot set up a CUSE session");
	}
	/* Hand libfuse the open /dev/cuse ("/dev/fd/N"): fuse_session_destroy()
	 * closes it, which removes /dev/NAME. */
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	if (fuse_session_mount(x->se, fdpath)) {
		close(fd);
		fuse_session_destroy(x->se);
		x->se = NULL;
		return udrv_error(-EIO, "cannot hand /dev/cuse to libfuse");
	}
	return 0;
}

void cuse_export_ready(struct cuse_export *x)
{
	x->live = 1;
	if (x->ready)
		x->ready(x->node, x->ready_data);
}

void cuse_export_reply_ioctl(fuse_req_t req, int ret, const void *out, size_t out_size)
{
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_ioctl(req, 0, out_size ? out : NULL, out_size);
}

int cuse_export_loop(struct cuse_export *x, int stop_fd, const struct cuse_export_dev *dev)
{
	struct fuse_buf buf = { .mem = NULL };
	int ret = 0;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = fuse_session_fd(x->se), .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
			{ .fd = -1 },
		};

		if (dev->events)
			dev->events(dev->data, &p[2]);
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = udrv_error(-errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents) {
			ret = fuse_session_receive_buf(x->se, &buf);
			if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
				ret = udrv_error(ret, "reading /dev/cuse: %s", strerror(-ret));
				break;
			}
			if (ret > 0)
				fuse_session_process_buf(x->se, &buf);
			ret = 0;
			if (fuse_session_exited(x->se)) {
				ret = udrv_error(-EPROTO, x->live ? "%s: the kernel ended the CUSE connection" :
						 "%s: the kernel refused the device", x->node);
				break;
			}
		}
		if (dev->step && (ret = dev->step(dev->data, p[2].revents)) < 0)
			break;
		ret = 0;
	}
	free(buf.mem);
	return ret;
}

void cuse_export_close(struct cuse_export *x)
{
	if (x->se)
		fuse_session_destroy(x->se);
	x->se = NULL;
}
