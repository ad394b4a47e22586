/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - a range allocator: first fit over a sorted array of free spans.
 * Giving a range back merges it with its neighbours, so take/give cycles
 * do not fragment the space. It knows nothing of devices or memory: the DMA
 * pool (pool.c, dma.c) is one user.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int udrv__alloc_init(struct udrv__alloc *a, size_t size)
{
	a->free = malloc(sizeof(*a->free));
	if (!a->free)
		return -ENOMEM;
	a->free[0] = (struct udrv__span){ 0, size };
	a->nfree = a->cap = 1;
	return 0;
}

void udrv__alloc_fini(struct udrv__alloc *a)
{
	free(a->free);
	*a = (struct udrv__alloc){ 0 };
}

/* Room for one more span at index @i (the spans from @i move up by @n). */
static int make_room(struct udrv__alloc *a, size_t i, size_t n)
{
	if (a->nfree + n > a->cap) {
		struct udrv__span *f = realloc(a->free, 2 * a->cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		a->free = f;
		a->cap *= 2;
	}
	memmove(&a->free[i + n], &a->free[i], (a->nfree - i) * sizeof(*a->free));
	a->nfree += n;
	return 0;
}

static void drop(struct udrv__alloc *a, size_t i)
{
	memmove(&a->free[i], &a->free[i + 1], (a->nfree - i - 1) * sizeof(*a->free));
	a->nfree--;
}

int udrv__alloc_take(struct udrv__alloc *a, uint64_t base, size_t size, size_t align,
		     size_t *off)
{
	for (size_t i = 0; i < a->nfree; i++) {
		struct udrv__span s = a->free[i];
		uint64_t at = base + s.off;
		size_t pad = (size_t)(((at + align - 1) & ~(uint64_t)(align - 1)) - at);
		size_t tail_off = s.off + pad + size, tail_len;

		if (pad > s.len || size > s.len - pad)
			continue;
		tail_len = s.off + s.len - tail_off;
		/* Cut [off+pad, off+pad+size) out of the span: the pad before it
		 * keeps the span's place, the tail after it follows. */
		if (pad && tail_len && make_room(a, i + 1, 1))
			return -ENOMEM;
		if (pad)
			a->free[i].len = pad;
		if (tail_len)
			a->free[pad ? i + 1 : i] = (struct udrv__span){ tail_off, tail_len };
		if (!pad && !tail_len)
			drop(a, i);
		*off = s.off + pad;
		return 0;
	}
	return -ENOSPC;
}

int udrv__alloc_give(struct udrv__alloc *a, size_t off, size_t len)
{
	size_t i = 0;
	bool prev, next;

	while (i < a->nfree && a->free[i].off < off)
		i++;
	if ((i > 0 && a->free[i - 1].off + a->free[i - 1].len > off) ||
	    (i < a->nfree && off + len > a->free[i].off))
		return -EINVAL;
	prev = i > 0 && a->free[i - 1].off + a->free[i - 1].len == off;
	next = i < a->nfree && off + len == a->free[i].off;
	if (prev && next) {
		a->free[i - 1].len += len + a->free[i].len;
		drop(a, i);
	} else if (prev) {
		a->free[i - 1].len += len;
	} else if (next) {
		a->free[i].off = off;
		a->free[i].len += len;
	} else {
		if (make_room(a, i, 1))
			return -ENOMEM;
		a->free[i] = (struct udrv__span){ off, len };
	}
	return 0;
}
