/* SPDX-License-Identifier: GPL-2.0 */
/*
 * udrv_compat.h - the few kernel interfaces that changed between the
 * kernels udrv_uio builds for. One helper per change, named after the
 * newest kernel's interface, so udrv_uio.c reads like code for that kernel.
 */
#ifndef UDRV_COMPAT_H
#define UDRV_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
/* 6.3 made vm_flags read-only and added setters that assert mmap_lock. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* UDRV_COMPAT_H */
