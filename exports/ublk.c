// SPDX-License-Identifier: MIT
/*
 * ublk.c - the virtio-blk disk as /dev/ublkbN (ublk.h).
 *
 * The protocol (Linux drivers/block/ublk_drv.c, include/uapi/linux/ublk_cmd.h):
 * control commands are io_uring URING_CMDs on /dev/ublk-control (128-byte
 * SQEs): ADD_DEV makes /dev/ublkcN, SET_PARAMS gives the size, START_DEV
 * adds the disk /dev/ublkbN once every tag of the queue has a FETCH_REQ
 * outstanding on /dev/ublkcN. A FETCH_REQ's completion is a request, its
 * descriptor in the array mmapped from /dev/ublkcN; COMMIT_AND_FETCH_REQ
 * gives the result and waits for the tag's next request. STOP_DEV deletes the
 * disk (after the requests in flight complete) and completes the outstanding
 * commands with UBLK_IO_RES_ABORT; DEL_DEV removes /dev/ublkcN.
 *
 * Raw io_uring system calls (linux/io_uring.h), as bench/virtio_blk.c: one
 * ring for the queue, holding the tags' commands and one-shot polls of the
 * interrupt's fd, the caller's stop fd and the control thread's eventfd.
 *
 * Removal (the virtio device unbound from the stub under the server): the
 * UIO node reports POLLERR (watched polled too), and the stub revokes the
 * mappings, so an access racing with it is a bus error. Either way the
 * server fails every request it holds with -EIO, stops and deletes the ublk
 * device and returns -ENODEV: bus_error() turns the SIGBUS of the queue
 * thread into a jump back to run(), which touches the device no more.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/ublk_cmd.h>

#include "ublk.h"
#include "uring.h"

/*
 * The ioctl-encoded opcodes (include/uapi/linux/ublk_cmd.h since Linux 6.4);
 * older UAPI headers have only the legacy numbers (their _IOC_NR), which a
 * kernel built without CONFIG_BLKDEV_UBLK_LEGACY_OPCODES refuses, and the
 * only ones Linux 6.1 takes: opcode().
 */
#ifndef UBLK_U_CMD_ADD_DEV
#define UBLK_U_CMD_GET_DEV_INFO	_IOR('u', UBLK_CMD_GET_DEV_INFO, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_ADD_DEV	_IOWR('u', UBLK_CMD_ADD_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_DEL_DEV	_IOWR('u', UBLK_CMD_DEL_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_START_DEV	_IOWR('u', UBLK_CMD_START_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_STOP_DEV	_IOWR('u', UBLK_CMD_STOP_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_SET_PARAMS	_IOWR('u', UBLK_CMD_SET_PARAMS, struct ublksrv_ctrl_cmd)
#define UBLK_U_IO_FETCH_REQ	_IOWR('u', UBLK_IO_FETCH_REQ, struct ublksrv_io_cmd)
#define UBLK_U_IO_COMMIT_AND_FETCH_REQ _IOWR('u', UBLK_IO_COMMIT_AND_FETCH_REQ, struct ublksrv_io_cmd)
#endif
#ifndef UBLK_U_CMD_GET_FEATURES	/* Linux 6.5 */
#define UBLK_U_CMD_GET_FEATURES	_IOR('u', 0x13, struct ublksrv_ctrl_cmd)
#endif
#ifndef UBLK_U_CMD_DEL_DEV_ASYNC	/* Linux 6.9 */
#define UBLK_U_CMD_DEL_DEV_ASYNC _IOR('u', 0x14, struct ublksrv_ctrl_cmd)
#endif
#ifndef UBLK_F_CMD_IOCTL_ENCODE
#define UBLK_F_CMD_IOCTL_ENCODE	(1ULL << 6)
#endif

#define DEFAULT_DEPTH	16
#define MAX_BUF		(128u * 1024)	/* largest request, halved until the pool has room */
#define MIN_BUF		4096u
#define MARK		0x7564727600000000ull	/* "udrv" in ublksrv_flags, + a hash of the UIO name */
#define UD_POLL		(1ull << 32)		/* user_data of the polls; a tag's is the tag */
enum { POLL_IRQ, POLL_STOP, POLL_CTL };

/* The server's io_uring (uring.h, 128-byte SQEs) and what it has queued. */
struct ring {
	struct uring u;
	unsigned int queued;	/* written, not yet submitted */
};

/* A control command the control thread sends (START_DEV or STOP_DEV). */
struct ctl_job {
	const struct srv *s;
	uint32_t op;
	int result;
	pthread_t thread;
	bool running;
};

struct srv {
	struct udrv_virtio_blk *blk;
	const struct udrv_blk_ublk_opts *o;
	struct udrv_irq *irq;		/* NULL: none (then a removal shows as a bus error only) */
	bool polled;			/* completions polled, the interrupt watched for removal */
	unsigned int depth, bs;
	size_t buf_size;
	bool flush, ro;
	int ctl_fd, cdev_fd, evfd;
	bool legacy;			/* the kernel takes the legacy opcodes only */
	uint32_t dev_id;		/* UINT32_MAX: none added */
	uint64_t mark;
	struct ring ring;
	const struct ublksrv_io_desc *iods;
	size_t iods_len;
	char *io;			/* the tags' buffers ublk copies to and from */
	struct udrv_dma_buf *dma;	/* the tags' slots the device reads and writes */
	uint8_t *op;			/* per tag: the ublk op being served */
	uint32_t *bytes;		/* per tag: its length */
	bool *held;			/* per tag: a request taken from ublk, not committed */
	bool kick;			/* requests submitted since the last kick */
	unsigned int active;		/* commands outstanding on /dev/ublkcN */
	int dead;			/* the disk failed: fail every request with it */
	struct ctl_job ctl;
	/* run()'s state, in memory: it outlives a jump from bus_error() */
	bool stop, stopping, stopped;
	int err;
};

static void ring_close(struct ring *r)
{
	uring_close(&r->u);
	r->queued = 0;
}

static int ring_open(struct ring *r, unsigned int entries)
{
	int ret = uring_open(&r->u, entries, IORING_SETUP_SQE128);

	r->queued = 0;
	return ret ? udrv_error(ret, "io_uring: %s", strerror(-ret)) : 0;
}

/* Submit what is queued; wait for @wait completions (0: none). */
static int ring_enter(struct ring *r, unsigned int wait)
{
	long n = syscall(__NR_io_uring_enter, r->u.fd, r->queued, wait, IORING_ENTER_GETEVENTS,
			 NULL, 0);

	if (n < 0)
		return errno == EINTR ? 0 : udrv_error(-errno, "io_uring_enter: %s", strerror(errno));
	r->queued -= (unsigned int)n < r->queued ? (unsigned int)n : r->queued;
	return 0;
}

/* The next SQE, zeroed (submitting what is queued first if the ring is full). */
static struct io_uring_sqe *ring_sqe(struct ring *r)
{
	unsigned int tail = *r->u.sq_tail, idx;

	while (tail - __atomic_load_n(r->u.sq_head, __ATOMIC_ACQUIRE) == r->u.sq_entries)
		if (ring_enter(r, 0))
			return NULL;
	idx = tail & *r->u.sq_mask;
	r->u.sq_array[idx] = idx;
	return uring_sqe_at(&r->u, idx);
}

static void ring_push(struct ring *r)
{
	__atomic_store_n(r->u.sq_tail, *r->u.sq_tail + 1, __ATOMIC_RELEASE);
	r->queued++;
}

/* The command area of a 128-byte SQE (sqe->cmd: 80 bytes from addr3 on). */
static void *sqe_cmd(struct io_uring_sqe *sqe)
{
	return (char *)sqe + offsetof(struct io_uring_sqe, addr3);
}

/* Command @op (UBLK_U_*) as this kernel takes it: ioctl-encoded, or its legacy
 * number where the kernel does not answer UBLK_U_CMD_GET_FEATURES (before 6.5). */
static uint32_t opcode(const struct srv *s, uint32_t op)
{
	return s->legacy ? _IOC_NR(op) : op;
}

/* One control command on /dev/ublk-control, waited for, on a ring of its own
 * (so that any thread may send one). Returns its result. */
static int ctl_cmd(const struct srv *s, uint32_t op, uint32_t dev_id, void *buf, uint16_t len,
		   uint64_t data0)
{
	struct ublksrv_ctrl_cmd c = {
		.dev_id = dev_id, .queue_id = (uint16_t)-1, .len = len,
		.addr = (uint64_t)(uintptr_t)buf, .data = { data0 },
	};
	struct io_uring_sqe *sqe;
	struct ring r;
	int ret;

	if ((ret = ring_open(&r, 2)))
		return ret;
	sqe = ring_sqe(&r);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = s->ctl_fd;
	sqe->cmd_op = opcode(s, op);
	memcpy(sqe_cmd(sqe), &c, sizeof(c));
	ring_push(&r);
	for (;;) {
		unsigned int head = *r.u.cq_head;

		if (head != __atomic_load_n(r.u.cq_tail, __ATOMIC_ACQUIRE)) {
			ret = r.u.cqes[head & *r.u.cq_mask].res;
			break;
		}
		if ((ret = ring_enter(&r, 1)))
			break;
	}
	ring_close(&r);
	return ret;
}

/*
 * A killed server's requests: the kernel fails them when the dying io_uring
 * cancels the server's outstanding commands; but if the server held every tag
 * when it died there is no command to cancel, and only the request timeout
 * finds them (ublk_timeout(), 30 s by default). A live server's requests are
 * never failed by it (the timer is re-armed), so a short one costs nothing.
 * (Linux 6.1 has no ublk_timeout(): its monitor work, every 5 s, fails the
 * requests of a dying server and stops the disk.) Written by the control
 * thread: the write freezes the queue (Linux 6.12), which waits for the
 * requests in flight, which the queue thread serves.
 */
static void short_timeout(uint32_t id)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/sys/block/ublkb%u/queue/io_timeout", id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1000", 4) != 4) {
		/* not fatal: the default timeout applies */
	}
	close(fd);
}

static void *ctl_thread(void *arg)
{
	struct ctl_job *j = arg;
	uint64_t one = 1;

	j->result = ctl_cmd(j->s, j->op, j->s->dev_id, NULL, 0, (uint64_t)getpid());
	if (j->op == UBLK_U_CMD_START_DEV && !j->result)
		short_timeout(j->s->dev_id);
	if (write(j->s->evfd, &one, sizeof(one)) != sizeof(one))
		j->result = j->result ? j->result : -EIO;
	return NULL;
}

/* Send @op (START_DEV, STOP_DEV) from the control thread. */
static int ctl_start(struct srv *s, uint32_t op)
{
	int ret;

	s->ctl = (struct ctl_job){ .s = s, .op = op };
	if ((ret = pthread_create(&s->ctl.thread, NULL, ctl_thread, &s->ctl)))
		return udrv_error(-ret, "cannot start the control thread: %s", strerror(ret));
	s->ctl.running = true;
	return 0;
}

static int ctl_join(struct srv *s)
{
	uint64_t v;

	if (!s->ctl.running)
		return 0;
	pthread_join(s->ctl.thread, NULL);
	s->ctl.running = false;
	if (read(s->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return s->ctl.result;
}

/* Delete device @id (its disk first); not waiting for its last users (before
 * Linux 6.9, DEL_DEV waits until the disk's last opener has closed it). */
static int del_dev(const struct srv *s, uint32_t id)
{
	int ret = ctl_cmd(s, UBLK_U_CMD_DEL_DEV_ASYNC, id, NULL, 0, 0);

	if (ret == -EINVAL || ret == -EOPNOTSUPP)	/* before Linux 6.9 */
		ret = ctl_cmd(s, UBLK_U_CMD_DEL_DEV, id, NULL, 0, 0);
	return ret;
}

/*
 * Delete the devices an earlier udrv_blk_ublk_serve() on this UIO device
 * added and left (its process killed: the kernel then deleted the disk but
 * keeps /dev/ublkcN until DEL_DEV). Ours by the mark in ublksrv_flags; their
 * server is gone, since we hold the UIO device exclusively.
 */
static void delete_stale(struct srv *s)
{
	DIR *d = opendir("/sys/class/ublk-char");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct ublksrv_ctrl_dev_info info = { 0 };
		unsigned int id;
		char c;

		if (sscanf(e->d_name, "ublkc%u%c", &id, &c) != 1 ||
		    ctl_cmd(s, UBLK_U_CMD_GET_DEV_INFO, id, &info, sizeof(info), 0) ||
		    info.ublksrv_flags != s->mark)
			continue;
		/* Linux 6.1 (legacy): a DEL_DEV of a disk still live when its server
		 * died never returns (the device is never freed); its monitor work
		 * stops such a disk within 5 s: wait for that. */
		for (int i = 0; s->legacy && info.state == UBLK_S_DEV_LIVE && i < 140; i++)
			if (usleep(50000) ||
			    ctl_cmd(s, UBLK_U_CMD_GET_DEV_INFO, id, &info, sizeof(info), 0))
				break;
		del_dev(s, id);
	}
	closedir(d);
}

/* A one-shot poll of @fd for @events (POLLERR and POLLHUP always count). */
static int poll_add(struct srv *s, int fd, unsigned int which, unsigned int events)
{
	struct io_uring_sqe *sqe = ring_sqe(&s->ring);

	if (!sqe)
		return -EIO;
	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = fd;
	sqe->poll32_events = events;
	sqe->user_data = UD_POLL | which;
	ring_push(&s->ring);
	return 0;
}

/* FETCH_REQ (@res unused) or COMMIT_AND_FETCH_REQ with result @res for @tag. */
static int io_cmd(struct srv *s, uint32_t op, unsigned int tag, int res)
{
	struct ublksrv_io_cmd c = {
		.q_id = 0, .tag = (uint16_t)tag, .result = res,
		.addr = (uint64_t)(uintptr_t)(s->io + (size_t)tag * s->buf_size),
	};
	struct io_uring_sqe *sqe = ring_sqe(&s->ring);

	if (!sqe)
		return -EIO;
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = s->cdev_fd;
	sqe->cmd_op = opcode(s, op);
	sqe->user_data = tag;
	memcpy(sqe_cmd(sqe), &c, sizeof(c));
	ring_push(&s->ring);
	s->active++;
	return 0;
}

static int commit(struct srv *s, unsigned int tag, int res)
{
	s->held[tag] = false;
	return io_cmd(s, UBLK_U_IO_COMMIT_AND_FETCH_REQ, tag, res);
}

/* A request came for @tag: hand it to the disk (or answer it at once). */
static int serve(struct srv *s, unsigned int tag)
{
	const struct ublksrv_io_desc *iod = &s->iods[tag];
	uint8_t op = (uint8_t)(iod->op_flags & 0xff);
	uint64_t sector = iod->start_sector;
	uint32_t sectors = iod->nr_sectors, spb = s->bs / 512;
	size_t off = (size_t)tag * s->buf_size, bytes = (size_t)sectors * 512;
	uint32_t type;
	int ret;

	s->held[tag] = true;
	if (s->dead)
		return commit(s, tag, s->dead);
	switch (op) {
	case UBLK_IO_OP_READ:
		type = VIRTIO_BLK_T_IN;
		break;
	case UBLK_IO_OP_WRITE:
		type = VIRTIO_BLK_T_OUT;
		break;
	case UBLK_IO_OP_FLUSH:
		if (!s->flush)	/* the disk writes through */
			return commit(s, tag, 0);
		type = VIRTIO_BLK_T_FLUSH;
		bytes = 0;
		break;
	default:		/* discard, write zeroes: not offered */
		return commit(s, tag, -EOPNOTSUPP);
	}
	if (type != VIRTIO_BLK_T_FLUSH && (!sectors || bytes > s->buf_size || sector % spb ||
					   sectors % spb))
		return commit(s, tag, -EINVAL);
	if (type == VIRTIO_BLK_T_OUT)	/* the slot is the CPU's until submitted */
		memcpy((char *)udrv_dma_cpu(s->dma) + off, s->io + off, bytes);
	ret = udrv_virtio_blk_submit(s->blk, type, sector / spb, sectors / spb, s->dma, off,
				     (void *)(uintptr_t)(tag + 1));
	if (ret)
		return commit(s, tag, ret);
	s->op[tag] = op;
	s->bytes[tag] = (uint32_t)bytes;
	s->kick = true;
	return 0;
}

/* Take the disk's completions and commit them. */
static int complete(struct srv *s)
{
	struct udrv_virtio_blk_done done[32];
	int n, ret = 0;

	do {
		n = udrv_virtio_blk_reap_nowait(s->blk, done, 32);
		if (n < 0) {
			/* The disk failed: its requests will not complete.
			 * Fail them (their slots stay unused from now on). */
			s->dead = n;
			return n;
		}
		for (int i = 0; i < n && !ret; i++) {
			unsigned int tag = (unsigned int)(uintptr_t)done[i].tag - 1;
			size_t off = (size_t)tag * s->buf_size;

			if (!done[i].status && s->op[tag] == UBLK_IO_OP_READ)
				memcpy(s->io + off, (char *)udrv_dma_cpu(s->dma) + off, s->bytes[tag]);
			ret = commit(s, tag, done[i].status ? done[i].status : (int)s->bytes[tag]);
		}
	} while (!ret && n == 32);
	return ret;
}

/* Fail the requests the server holds: the disk failed (s->dead). */
static void fail_held(struct srv *s)
{
	for (unsigned int tag = 0; tag < s->depth; tag++)
		if (s->held[tag])
			commit(s, tag, s->dead);
}

/*
 * The disk failed with @err (a bus error: 0): fail what is held and every
 * request to come with -EIO, and stop; the reason is its removal if it was
 * removed, else @err and udrv_virtio_last_error().
 */
static void disk_failed(struct srv *s, int err)
{
	struct udrv_device *dev = udrv_virtio_dev_udrv(udrv_virtio_blk_virtio(s->blk));

	if (!s->err && (!err || udrv_device_present(dev) == -ENODEV))
		s->err = udrv_error(-ENODEV, "%s: the disk was removed", udrv_device_name(dev));
	else if (!s->err)
		s->err = udrv_error(err, "the disk failed: %s", udrv_virtio_last_error());
	s->dead = -EIO;
	fail_held(s);
	s->stop = true;
}

/* The queue thread's jump target while run() serves (bus_error()). */
static __thread sigjmp_buf *bus_jump;

/*
 * SIGBUS: an access to the device's registers or DMA pool after the stub
 * revoked them (unbind). In the queue thread while run() serves, back to
 * run(); anywhere else, the default action (returning re-runs the access).
 */
static void bus_error(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (bus_jump)
		siglongjmp(*bus_jump, 1);
	signal(sig, SIG_DFL);
}

static uint64_t mark_of(const char *name)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return MARK | h;
}

/* Buffers for @depth tags: the largest request that fits the pool. */
static int alloc_buffers(struct srv *s)
{
	uint32_t max_io = udrv_virtio_blk_max_io(s->blk);
	size_t size = MAX_BUF;
	int ret;

	while (size > MIN_BUF && size > max_io)
		size /= 2;
	for (;;) {
		ret = udrv_virtio_blk_dma_alloc(s->blk, size * s->depth, &s->dma);
		if (!ret || ret != -ENOMEM || size <= MIN_BUF || size / 2 < s->bs)
			break;
		size /= 2;
	}
	if (ret)
		return udrv_error(ret, "no room in the disk's DMA pool for %u requests of %zu bytes: "
				    "%s", s->depth, size, udrv_virtio_last_error());
	s->buf_size = size;
	s->io = mmap(NULL, size * s->depth, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	s->op = calloc(s->depth, sizeof(*s->op));
	s->bytes = calloc(s->depth, sizeof(*s->bytes));
	s->held = calloc(s->depth, sizeof(*s->held));
	if (s->io == MAP_FAILED || !s->op || !s->bytes || !s->held) {
		if (s->io == MAP_FAILED)
			s->io = NULL;
		return udrv_error(-ENOMEM, "no memory for %u requests", s->depth);
	}
	return 0;
}

/* ADD_DEV, SET_PARAMS, open /dev/ublkcN and map its descriptors. */
static int add_device(struct srv *s)
{
	struct ublksrv_ctrl_dev_info info = {
		.nr_hw_queues = 1, .queue_depth = (uint16_t)s->depth,
		.max_io_buf_bytes = (uint32_t)s->buf_size, .dev_id = UINT32_MAX,
		.ublksrv_pid = getpid(), .flags = UBLK_F_CMD_IOCTL_ENCODE,
		.ublksrv_flags = s->mark,
	};
	struct ublk_params p = { .len = sizeof(p), .types = UBLK_PARAM_TYPE_BASIC };
	unsigned int shift = (unsigned int)__builtin_ctz(s->bs);
	long page = sysconf(_SC_PAGESIZE);
	char path[32];
	int ret;

	ret = ctl_cmd(s, UBLK_U_CMD_ADD_DEV, UINT32_MAX, &info, sizeof(info), 0);
	if (ret)
		return udrv_error(ret, "ublk ADD_DEV: %s", strerror(-ret));
	s->dev_id = info.dev_id;
	p.basic.attrs = (s->ro ? UBLK_ATTR_READ_ONLY : 0) | (s->flush ? UBLK_ATTR_VOLATILE_CACHE : 0);
	p.basic.logical_bs_shift = (uint8_t)shift;
	p.basic.physical_bs_shift = (uint8_t)shift;
	p.basic.io_min_shift = (uint8_t)shift;
	p.basic.io_opt_shift = (uint8_t)shift;
	p.basic.max_sectors = (uint32_t)(s->buf_size / 512);
	p.basic.dev_sectors = udrv_virtio_blk_capacity(s->blk) * (s->bs / 512);
	ret = ctl_cmd(s, UBLK_U_CMD_SET_PARAMS, s->dev_id, &p, sizeof(p), 0);
	if (ret)
		return udrv_error(ret, "ublk SET_PARAMS: %s", strerror(-ret));
	snprintf(path, sizeof(path), "/dev/ublkc%u", s->dev_id);
	/* devtmpfs has made it; a udev rule might still be at it: give it 1 s */
	for (int i = 0; (s->cdev_fd = open(path, O_RDWR | O_CLOEXEC)) < 0 && errno == ENOENT &&
	     i < 100; i++)
		usleep(10000);
	if (s->cdev_fd < 0)
		return udrv_error(-errno, "%s: %s", path, strerror(errno));
	s->iods_len = ((size_t)s->depth * sizeof(struct ublksrv_io_desc) + (size_t)page - 1) &
		      ~((size_t)page - 1);
	s->iods = mmap(NULL, s->iods_len, PROT_READ, MAP_SHARED | MAP_POPULATE, s->cdev_fd,
		       UBLKSRV_CMD_BUF_OFFSET);
	if (s->iods == MAP_FAILED) {
		s->iods = NULL;
		return udrv_error(-errno, "%s: mmap: %s", path, strerror(errno));
	}
	return 0;
}

/* The interrupt's poll came back with @res: 1 it fired (polled again),
 * 0 the node reports an error (the device removed, or failing), -errno. */
static int irq_polled(struct srv *s, int res)
{
	int ret;

	if (res < 0 || (res & (POLLERR | POLLHUP | POLLNVAL))) {
		disk_failed(s, res < 0 ? res : -EIO);
		return 0;
	}
	ret = poll_add(s, udrv_irq_fd(s->irq), POLL_IRQ, POLLIN);
	return ret ? ret : 1;
}

/* One pass over the completions: the ublk commands' and the polls'. */
static int reap_ring(struct srv *s, bool *irq)
{
	struct ring *r = &s->ring;
	unsigned int head = *r->u.cq_head, tail = __atomic_load_n(r->u.cq_tail, __ATOMIC_ACQUIRE);
	int ret = 0;

	for (; head != tail && !ret; head++) {
		struct io_uring_cqe *cqe = &r->u.cqes[head & *r->u.cq_mask];
		uint64_t ud = cqe->user_data;
		int res = cqe->res;

		/* consumed before it is handled: a bus error in serve() jumps
		 * out of this loop, and the entry must not be seen twice */
		__atomic_store_n(r->u.cq_head, head + 1, __ATOMIC_RELEASE);

		if (ud == (UD_POLL | POLL_IRQ)) {
			if (!s->dead) {
				ret = irq_polled(s, res);
				*irq = ret > 0;
				ret = ret < 0 ? ret : 0;
			}
		} else if (ud == (UD_POLL | POLL_STOP)) {
			s->stop = true;	/* the caller's fd stays readable: not again */
		} else if (ud == (UD_POLL | POLL_CTL)) {
			int cr = ctl_join(s);

			if (s->ctl.op == UBLK_U_CMD_START_DEV) {
				if (cr) {
					if (!s->err)
						s->err = udrv_error(cr, "ublk START_DEV: %s",
								    strerror(-cr));
					s->stop = true;
				} else {
					if (s->o->ready)
						s->o->ready((int)s->dev_id, s->o->data);
				}
			} else {
				if (cr && !s->err)
					s->err = udrv_error(cr, "ublk STOP_DEV: %s", strerror(-cr));
				s->stopped = true;
			}
			ret = poll_add(s, s->evfd, POLL_CTL, POLLIN);
		} else if (ud < s->depth) {
			s->active--;
			if (res == UBLK_IO_RES_OK)
				ret = serve(s, (unsigned int)ud);
			else if (res != UBLK_IO_RES_ABORT && !s->err) {
				s->err = udrv_error(res < 0 ? res : -EPROTO, "ublk tag %llu: %s",
						    (unsigned long long)ud,
						    res < 0 ? strerror(-res) : "unexpected result");
				s->stop = true;
			}
		}
	}
	return ret;
}

/* The queue: until STOP_DEV has returned and every command has come back. */
static int run(struct srv *s, const struct udrv_blk_ublk_opts *o)
{
	struct sigaction sa = { .sa_sigaction = bus_error, .sa_flags = SA_SIGINFO }, old;
	sigjmp_buf jump;
	int ret = 0;

	for (unsigned int tag = 0; tag < s->depth && !ret; tag++)
		ret = io_cmd(s, UBLK_U_IO_FETCH_REQ, tag, 0);
	if (!ret && s->irq)	/* polled: only POLLERR, the device's removal */
		ret = poll_add(s, udrv_irq_fd(s->irq), POLL_IRQ, s->polled ? 0 : POLLIN);
	if (!ret && o->stop_fd >= 0)
		ret = poll_add(s, o->stop_fd, POLL_STOP, POLLIN);
	if (!ret)
		ret = poll_add(s, s->evfd, POLL_CTL, POLLIN);
	if (!ret)
		ret = ring_enter(&s->ring, 0);
	if (!ret)
		ret = ctl_start(s, UBLK_U_CMD_START_DEV);
	if (ret)
		return ret;
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(jump, 1))	/* a bus error: the device's mappings are revoked */
		disk_failed(s, 0);
	bus_jump = &jump;
	while (!s->stopped || s->active) {
		bool irq = false;

		if ((ret = reap_ring(s, &irq)))
			break;
		if (s->kick && !s->dead)
			udrv_virtio_blk_kick(s->blk);
		s->kick = false;
		if ((irq || s->polled) && !s->dead) {
			ret = complete(s);
			if (s->dead) {
				disk_failed(s, ret);
				ret = 0;
			}
			if (ret)
				break;
		}
		if (s->stop && !s->stopping && !s->ctl.running) {
			if ((ret = ctl_start(s, UBLK_U_CMD_STOP_DEV)))
				break;
			s->stopping = true;
		}
		if (s->stopped && !s->active)
			break;
		/* polled with requests in the disk: spin; else sleep until something comes */
		ret = ring_enter(&s->ring, s->polled && !s->dead &&
					   udrv_virtio_blk_inflight(s->blk) ? 0 : 1);
		if (ret)
			break;
	}
	bus_jump = NULL;
	sigaction(SIGBUS, &old, NULL);
	return ret ? ret : s->err;
}

int udrv_blk_ublk_serve(struct udrv_virtio_blk *blk, const struct udrv_blk_ublk_opts *opts)
{
	static const struct udrv_blk_ublk_opts defaults = { .stop_fd = -1 };
	struct udrv_virtio_dev *vd;
	uint64_t features;
	struct srv s = { .blk = blk, .ctl_fd = -1, .cdev_fd = -1, .evfd = -1,
			 .dev_id = UINT32_MAX, .ring = { .u = { .fd = -1 } } };
	int ret;

	if (!blk)
		return -EINVAL;
	if (!opts)
		opts = &defaults;
	s.o = opts;
	vd = udrv_virtio_blk_virtio(blk);
	s.depth = opts->depth ? opts->depth : DEFAULT_DEPTH;
	if (s.depth > udrv_virtio_blk_queue_depth(blk))
		s.depth = opts->depth ? s.depth : udrv_virtio_blk_queue_depth(blk);
	if (s.depth > udrv_virtio_blk_queue_depth(blk) || s.depth > UBLK_MAX_QUEUE_DEPTH)
		return udrv_error(-EINVAL, "depth %u: the disk's queue takes at most %u requests",
				    s.depth, udrv_virtio_blk_queue_depth(blk));
	if (udrv_virtio_blk_inflight(blk))
		return udrv_error(-EINVAL, "%u requests of the caller's in flight",
				    udrv_virtio_blk_inflight(blk));
	s.bs = udrv_virtio_blk_block_size(blk);
	s.ro = udrv_virtio_blk_read_only(blk);
	s.flush = udrv_virtio_dev_has(vd, VIRTIO_BLK_F_FLUSH);
	s.mark = mark_of(udrv_device_name(udrv_virtio_dev_udrv(vd)));
	if (s.bs > 4096)
		return udrv_error(-EINVAL, "block size %u: ublk takes at most a page", s.bs);
	s.polled = udrv_virtio_dev_polled(vd);
	ret = udrv_device_irq(udrv_virtio_dev_udrv(vd), 0, &s.irq);
	if (ret && !s.polled)
		return udrv_error(ret, "the disk's interrupt: %s", strerror(-ret));

	s.ctl_fd = open("/dev/ublk-control", O_RDWR | O_CLOEXEC);
	if (s.ctl_fd < 0) {
		ret = errno;
		if (ret == ENOENT)
			return udrv_error(-ENODEV, "no /dev/ublk-control: this kernel has no ublk "
					    "(modprobe ublk_drv; CONFIG_BLK_DEV_UBLK, Linux 6.0+)");
		return udrv_error(ret == EACCES ? -EPERM : -ret, "/dev/ublk-control: %s%s",
				    strerror(ret), ret == EACCES ? " (ublk needs CAP_SYS_ADMIN)" : "");
	}
	s.legacy = ctl_cmd(&s, UBLK_U_CMD_GET_FEATURES, UINT32_MAX, &features, sizeof(features),
			   0) != 0;
	delete_stale(&s);
	if ((ret = alloc_buffers(&s)))
		goto out;
	s.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s.evfd < 0) {
		ret = udrv_error(-errno, "eventfd: %s", strerror(errno));
		goto out;
	}
	if ((ret = ring_open(&s.ring, 2 * s.depth + 8)))
		goto out;
	if ((ret = add_device(&s)))
		goto out;
	ret = run(&s, opts);
out:
	/* Closing the ring cancels the commands still outstanding (after an
	 * error): ublk then fails the requests and stops the disk, which lets
	 * a START_DEV or STOP_DEV still running end. */
	ring_close(&s.ring);
	ctl_join(&s);
	if (s.iods)
		munmap((void *)s.iods, s.iods_len);
	if (s.cdev_fd >= 0)
		close(s.cdev_fd);
	if (s.dev_id != UINT32_MAX) {
		int r = del_dev(&s, s.dev_id);

		if (r && !ret)
			ret = udrv_error(r, "ublk DEL_DEV: %s", strerror(-r));
	}
	close(s.ctl_fd);
	if (s.evfd >= 0)
		close(s.evfd);
	if (s.io)
		munmap(s.io, s.buf_size * s.depth);
	free(s.op);
	free(s.bytes);
	free(s.held);
	if (s.dma && !s.dead)	/* else the disk may still write it: udrv_virtio_blk_close() frees it */
		udrv_dma_free(s.dma);
	return ret;
}
