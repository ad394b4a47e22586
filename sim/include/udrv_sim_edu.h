/* SPDX-License-Identifier: MIT */
/*
 * udrv_sim_edu.h - a model of QEMU's educational PCI device "edu"
 * (1234:11e8) on libudrv-sim (udrv_sim.h), for host tests of drivers/edu.
 *
 * The model follows QEMU 7.2's hw/misc/edu.c (what Debian 12 ships and the
 * guest tests run on) and docs/specs/edu.rst: the identification and
 * liveness registers, the factorial computed off the CPU's path, the
 * interrupt status/raise/acknowledge registers driving a level INTx line
 * (asserted while the status is not 0), and the DMA engine copying between
 * the stub's pool, by bus address, and edu's 4 KiB buffer at device
 * address 0x40000, 100 ms after its command. Like 7.2 it aborts (the
 * emulator's hw_error()) on a transfer outside that buffer: count 0, or
 * offset + count reaching its end. sim/models/edu.c cites each register.
 *
 * A DMA address is ANDed with the device's DMA mask (edu_clamp_addr()); one
 * then outside the pool is what an IOMMU refuses (udrv_sim_dma_read()'s
 * -EFAULT): edu ignores the bus's error (pci_dma_read() and pci_dma_write()'s
 * results are dropped), so the transfer completes as usual, the interrupt
 * included, but a read from RAM fills edu's buffer with zeros (QEMU's
 * unassigned memory) and a write to RAM lands nowhere. The model counts it.
 *
 * Errors as in udrv_sim.h: 0 on success, a negative errno on failure; a NULL
 * device is a programming error (assert). The controls below may be called
 * from any thread but not from a hook or timer callback; a device that is
 * not an edu model gets -EINVAL.
 */
#ifndef UDRV_SIM_EDU_H
#define UDRV_SIM_EDU_H

#include <stdint.h>

#include "udrv_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A factorial or DMA delay: the operation never completes. */
#define UDRV_SIM_EDU_NEVER	UINT64_MAX

/**
 * struct udrv_sim_edu_config - what may differ from the edu of the virt
 * board (the harness's `-device edu,dma_mask=0xffffffff`, bound to the stub
 * by udrv_edu_bind()). Zero fields take the defaults in brackets.
 * @pci:       its PCI address ["0000:00:01.0"]
 * @bar0:      BAR0's address [0x10000000, the start of virt's PCIe window]
 * @pool_size: the stub's DMA pool [65536, what udrv_edu_bind() asks for]
 * @pool_addr: its bus address [0x5c000000: in the guest the kernel's DMA
 *             allocator puts it near the top of virt's 512 MiB, e.g. 0x5b670000]
 * @dma_mask:  -device edu,dma_mask= [0xffffffff; QEMU's own is 0xfffffff]
 * @fact_ns:   how long a factorial takes [10 us]; UDRV_SIM_EDU_NEVER
 * @dma_ns:    how long after its command a DMA completes [100 ms, QEMU's
 *             timer]; UDRV_SIM_EDU_NEVER
 */
struct udrv_sim_edu_config {
	const char *pci;
	uint64_t bar0;
	uint64_t pool_size, pool_addr;
	uint64_t dma_mask;
	uint64_t fact_ns, dma_ns;
};

/**
 * udrv_sim_edu_add() - add an edu as the stub hands it over: UIO name
 * "udrv_uio" (the stub names PCI devices after itself), PCI function @pci
 * with id 1234:11e8, map 0 "bar0" (1 MiB), map 1 "dma" (the pool), one
 * interrupt (INTx). @cfg NULL: all defaults. *@out owns the device and the
 * model until udrv_sim_device_free().
 * Returns 0; -EINVAL a bad config (a @dma_mask of 0 bits is the default,
 * see above); the errors of udrv_sim_device_add() (-EEXIST: another
 * device has the name or @pci); -ENOMEM.
 */
UDRV_API int udrv_sim_edu_add(const struct udrv_sim_edu_config *cfg,
			      struct udrv_sim_device **out);

/**
 * udrv_sim_edu_timing() - how long factorials and DMAs started from now on
 * take (an operation under way keeps its time); UDRV_SIM_EDU_NEVER: they
 * never complete (the factorial's status bit 0x01 and the DMA command's
 * start bit stay set), as a device that hung or a transfer stuck on the
 * bus. Returns 0; -EINVAL not an edu model.
 */
UDRV_API int udrv_sim_edu_timing(struct udrv_sim_device *dev, uint64_t fact_ns,
				 uint64_t dma_ns);

/**
 * udrv_sim_edu_storm() - interrupt causes @bits are raised now and stay
 * raised: an acknowledge does not clear them, so the level line stays
 * asserted and fires again at every unmask (a stuck cause, an interrupt
 * storm). 0 ends it (the causes stay raised until acknowledged once more).
 * Returns 0; -EINVAL not an edu model.
 */
UDRV_API int udrv_sim_edu_storm(struct udrv_sim_device *dev, uint32_t bits);

/** What udrv_sim_edu_state() reports: the device's registers and counts. */
struct udrv_sim_edu_state {
	uint32_t status;	/* 0x20: 0x01 computing, 0x80 interrupt after it */
	uint32_t irq_status;	/* 0x24 */
	uint64_t dma_cmd;	/* 0x98: 0x01 while a DMA runs */
	unsigned int factorials;/* computations completed */
	unsigned int dmas;	/* transfers completed, faulted ones included */
	unsigned int dma_faults;/* transfers whose bus address was outside the pool */
};

/** udrv_sim_edu_state() - fill *@st. Returns 0; -EINVAL not an edu model or @st NULL. */
UDRV_API int udrv_sim_edu_state(struct udrv_sim_device *dev, struct udrv_sim_edu_state *st);

/**
 * udrv_sim_edu_buffer() - copy @len bytes of edu's internal DMA buffer from
 * byte @off into @out (the CPU cannot read it through BAR0). Returns 0;
 * -EINVAL not an edu model, @out NULL or the range beyond the 4 KiB.
 */
UDRV_API int udrv_sim_edu_buffer(struct udrv_sim_device *dev, size_t off, void *out,
				 size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_SIM_EDU_H */
