/* SPDX-License-Identifier: MIT */
/*
 * uring.h - an io_uring's rings, set up and mapped with the raw system calls
 * of linux/io_uring.h (no liburing in the guest): shared by udrv-blk's ublk
 * server (ublk.c, 128-byte SQEs) and bench/virtio_blk.c's kernel side.
 * Not installed.
 */
#ifndef UDRV_EXPORTS_URING_H
#define UDRV_EXPORTS_URING_H

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

/* An io_uring, mapped; fd -1 when closed. */
struct uring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len, sqes_len, sqe_size;
	char *sqes;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	unsigned int sq_entries;
	struct io_uring_cqe *cqes;
};

/* Unmap and close @r (any state uring_open() left it in). */
static inline void uring_close(struct uring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq && r->cq != MAP_FAILED && r->cq != r->sq)
		munmap(r->cq, r->cq_len);
	if (r->sq && r->sq != MAP_FAILED)
		munmap(r->sq, r->sq_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/*
 * io_uring_setup(@entries) with @flags (IORING_SETUP_SQE128: 128-byte SQEs)
 * and map its rings into *@r. Returns 0, or -errno from io_uring_setup or
 * mmap (@r closed).
 */
static inline int uring_open(struct uring *r, unsigned int entries, unsigned int flags)
{
	struct io_uring_params p = { .flags = flags };
	char *sq, *cq;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		r->sq_len = r->cq_len = r->sq_len > r->cq_len ? r->sq_len : r->cq_len;
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		     IORING_OFF_SQ_RING);
	if (r->sq == MAP_FAILED)
		goto fail;
	r->cq = p.features & IORING_FEAT_SINGLE_MMAP ? r->sq :
		mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		     IORING_OFF_CQ_RING);
	if (r->cq == MAP_FAILED)
		goto fail;
	r->sqe_size = flags & IORING_SETUP_SQE128 ? 128 : sizeof(struct io_uring_sqe);
	r->sqes_len = p.sq_entries * r->sqe_size;
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		goto fail;
	sq = r->sq;
	cq = r->cq;
	r->sq_head = (unsigned int *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	r->sq_entries = p.sq_entries;
	return 0;
fail:
	ret = -errno;
	uring_close(r);
	return ret;
}

/* SQE @idx of @r, zeroed. */
static inline struct io_uring_sqe *uring_sqe_at(struct uring *r, unsigned int idx)
{
	char *sqe = r->sqes + (size_t)idx * r->sqe_size;

	memset(sqe, 0, r->sqe_size);
	return (struct io_uring_sqe *)sqe;
}

#endif /* UDRV_EXPORTS_URING_H */
