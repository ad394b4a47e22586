// SPDX-License-Identifier: GPL-2.0
/*
 * udrv_uio - hand platform, AMBA and PCI devices to userspace through UIO:
 * register regions and a DMA pool as maps, interrupts masked in the handler
 * and unmasked by userspace. udrv_uio.h is the contract with userspace.
 *
 * Lifecycle (the VFIO model): user mappings are filled by a fault handler
 * and revoked at unbind, so an old process's next access is SIGBUS; then the
 * device is quiesced (PCI bus mastering off and a function reset, platform
 * reset line asserted; a device with neither whose pool userspace used gets
 * UDRV_DMA_DRAIN_MS to end its DMA) and its DMA pool freed while still
 * bound, never through the DMA API after its DMA configuration is gone.
 * Clocks and the reset line are held while bound, runtime PM while open;
 * the last close turns PCI bus mastering off, the next open turns it on.
 */

#include <linux/amba/bus.h>
#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/clk.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/property.h>
#include <linux/reset.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uio_driver.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "udrv_compat.h"
#include "udrv_uio.h"

#define UDRV_MAX_IRQS	8
#define UDRV_MAX_OF_IDS	8
#define UDRV_MAX_PCI_IDS	8
#define UDRV_MASKED	0	/* bits in udrv_uio.flags: masked (or to be) */
#define UDRV_LIVE	1	/* the interrupt is requested */
/*
 * A PCI device with no reset method may still hold a DMA it accepted when
 * its bus mastering was turned off; it issues it when mastering comes back
 * (real hardware) or drops it if it tries meanwhile (QEMU). Mastering stays
 * off this long before it is turned on again or the pool is freed.
 */
#define UDRV_DMA_DRAIN_MS	200

/* Compatibles contain commas: this list is separated by semicolons. */
static char *of_id;
module_param(of_id, charp, 0444);
MODULE_PARM_DESC(of_id, "Extra compatibles to bind: \"vendor,dev[;vendor,dev...]\"");

static char *ids[UDRV_MAX_PCI_IDS];
static int n_ids;
module_param_array(ids, charp, &n_ids, 0444);
MODULE_PARM_DESC(ids, "PCI ids to bind: vendor:device[:pool][,...] (hex ids, pool in bytes)");

static bool msi;
module_param(msi, bool, 0444);
MODULE_PARM_DESC(msi, "Use one MSI vector instead of INTx for PCI devices that have MSI");

static unsigned int pci_pool_size;
module_param(pci_pool_size, uint, 0444);
MODULE_PARM_DESC(pci_pool_size, "PCI devices' DMA pool in bytes (default 0: none)");

static bool pci_pool_cached;
module_param(pci_pool_cached, bool, 0444);
MODULE_PARM_DESC(pci_pool_cached, "PCI devices' DMA pools are cached, synced by userspace (default 0: coherent)");

static unsigned int pci_dma_bits = 32;
module_param(pci_dma_bits, uint, 0444);
MODULE_PARM_DESC(pci_dma_bits, "DMA mask width for PCI devices (default 32)");

/*
 * Pools asked for at run time, by device name, before binding: root writes
 * "DEVICE SIZE" or "DEVICE SIZE cached" to any of the stub's drivers' `pool`
 * attribute ("DEVICE 0": no pool; "-DEVICE": forget it). An entry wins over
 * the DT properties and the pci_pool_* parameters, and stays for later
 * bindings until forgotten.
 */
#define UDRV_MAX_POOLS	16

struct udrv_pool_req {
	char dev[64];
	u32 size;
	bool cached;
};

static struct udrv_pool_req udrv_pools[UDRV_MAX_POOLS];
static DEFINE_MUTEX(udrv_pools_lock);

/* The pool asked for `dev` at run time into *size, *cached; false if none was. */
static bool udrv_pool_requested(struct device *dev, u32 *size, bool *cached)
{
	bool found = false;
	int i;

	mutex_lock(&udrv_pools_lock);
	for (i = 0; i < UDRV_MAX_POOLS && !found; i++) {
		found = !strcmp(udrv_pools[i].dev, dev_name(dev));
		if (found) {
			*size = udrv_pools[i].size;
			*cached = udrv_pools[i].cached;
		}
	}
	mutex_unlock(&udrv_pools_lock);
	return found;
}

static ssize_t pool_show(struct device_driver *drv, char *buf)
{
	ssize_t len = 0;
	int i;

	mutex_lock(&udrv_pools_lock);
	for (i = 0; i < UDRV_MAX_POOLS; i++)
		if (udrv_pools[i].dev[0])
			len += sysfs_emit_at(buf, len, "%s %u%s\n", udrv_pools[i].dev,
					     udrv_pools[i].size,
					     udrv_pools[i].cached ? " cached" : "");
	mutex_unlock(&udrv_pools_lock);
	return len;
}

static ssize_t pool_store(struct device_driver *drv, const char *buf, size_t count)
{
	struct udrv_pool_req req = { };
	struct udrv_pool_req *free = NULL, *r;
	bool forget = buf[0] == '-';
	char fmt[24], mode[8] = "";
	int n, ret = 0;

	snprintf(fmt, sizeof(fmt), "%%%zus %%u %%7s", sizeof(req.dev) - 1);
	n = sscanf(buf + forget, fmt, req.dev, &req.size, mode);
	if (forget ? n < 1 : n < 2 || (n == 3 && strcmp(mode, "cached")))
		return -EINVAL;
	req.cached = n == 3;
	mutex_lock(&udrv_pools_lock);
	for (r = udrv_pools; r < udrv_pools + UDRV_MAX_POOLS; r++) {
		if (!strcmp(r->dev, req.dev))
			break;
		if (!free && !r->dev[0])
			free = r;
	}
	if (r == udrv_pools + UDRV_MAX_POOLS)
		r = forget ? NULL : free;
	if (forget && r)
		memset(r, 0, sizeof(*r));
	else if (r)
		*r = req;
	else if (!forget)
		ret = -ENOSPC;
	mutex_unlock(&udrv_pools_lock);
	return ret ? ret : count;
}
static DRIVER_ATTR_RW(pool);

static struct attribute *udrv_drv_attrs[] = {
	&driver_attr_pool.attr,
	NULL,
};
ATTRIBUTE_GROUPS(udrv_drv);

struct udrv_bind;

/* What a user mapping of one UIO map reaches: vm_private_data of its VMAs. */
struct udrv_map {
	struct udrv_bind *bind;
	unsigned int index;		/* UIO map number = first file page */
	unsigned long pages;
	unsigned long pfn;		/* registers: first page frame */
	bool pool;			/* the DMA pool: frames from bind->pool_cpu */
};

/* An inode whose mappings reach the device: zapped at unbind. */
struct udrv_inode {
	struct list_head node;
	struct inode *inode;
};

/*
 * One per bound device, shared by its UIO devices. Mappings are filled page
 * by page from udrv_vm_fault(), never at mmap time, so that one flag under
 * one lock revokes them all: after unbind no fault inserts a page, and the
 * pages inserted before are zapped. The device's resources are released
 * while it is still bound; only this structure outlives the binding, held
 * by the VMAs that still exist (kref), and it holds nothing of the device.
 */
struct udrv_bind {
	struct kref ref;		/* the binding + one per VMA */
	struct mutex lock;		/* revoked, inodes, opens */
	bool revoked;
	struct list_head inodes;
	unsigned int opens;
	struct udrv_map map[MAX_UIO_MAPS];
	/* Valid while bound only. */
	struct device *dev;
	struct pci_dev *pci;		/* set for PCI devices */
	unsigned long master_off;	/* jiffies when mastering went off */
	bool mastered;			/* mastering was on in this binding */
	struct reset_control *reset;	/* platform: asserted to quiesce */
	bool pool_used;			/* userspace touched the pool (faulted a page in) */
	bool pm;			/* runtime PM held while open */
	void *pool_cpu;
	dma_addr_t pool_bus;
	size_t pool_size;
	bool pool_cached;		/* streaming mapping of pages; else coherent */
	bool pool_rmem;			/* coherent, from its DT memory-region */
	struct bin_attribute sync_attr;	/* a cached pool's syncs (udrv_uio.h) */
	bool sync_added;
	int irq[UDRV_MAX_IRQS];
	unsigned long unlazy;		/* bit i: we set IRQ_DISABLE_UNLAZY on irq[i] */
};

/* One per UIO device: a device with n interrupts has n of these. */
struct udrv_uio {
	struct uio_info info;
	spinlock_t lock;		/* orders masking against the handler */
	unsigned long flags;
	int irq;			/* Linux's; info.irq is UIO_IRQ_CUSTOM */
	struct pci_dev *intx;		/* set when the line is PCI INTx */
	struct udrv_bind *bind;
};

/*
 * What a bus hands to udrv_register(); nreg counts all regions, even
 * those that do not fit in reg[].
 */
struct udrv_desc {
	const char *name;
	struct resource *reg[MAX_UIO_MAPS];
	const char *reg_name[MAX_UIO_MAPS];
	int nreg;
	struct resource *port[MAX_UIO_PORT_REGIONS];
	const char *port_name[MAX_UIO_PORT_REGIONS];
	int nport;
	int irq[UDRV_MAX_IRQS];
	int nirq;
	struct pci_dev *pci;
	bool intx;
	u32 pool_size;
	bool pool_cached;
	u32 dma_bits;
};

/*
 * The stub requests its interrupts itself (UIO_IRQ_CUSTOM) and notifies from
 * this handler: since Linux 6.10 the UIO core notifies from a second, threaded
 * handler, a scheduling hop between the interrupt and the driver's thread (two
 * on PREEMPT_RT, where this handler is itself a thread). Masks the line until
 * userspace writes 1 (udrv_irqcontrol()).
 */
static irqreturn_t udrv_handler(int irq, void *dev_id)
{
	struct udrv_uio *u = dev_id;
	irqreturn_t ret = IRQ_HANDLED;

	spin_lock(&u->lock);
	if (u->intx) {
		/* Shared line: claim it only if our device raised it. */
		if (test_bit(UDRV_MASKED, &u->flags) ||
		    !pci_check_and_mask_intx(u->intx))
			ret = IRQ_NONE;
		else
			__set_bit(UDRV_MASKED, &u->flags);
	} else if (!__test_and_set_bit(UDRV_MASKED, &u->flags)) {
		disable_irq_nosync(irq);
	}
	spin_unlock(&u->lock);
	if (ret == IRQ_HANDLED)
		uio_event_notify(&u->info);
	return ret;
}

/*
 * pci_intx() runs under the spinlock: it only reads and writes the command
 * register because the device is not managed (see udrv_pci_probe()). Before
 * the interrupt is requested (UDRV_LIVE) only the wish is recorded.
 */
static int udrv_irqcontrol(struct uio_info *info, s32 on)
{
	struct udrv_uio *u = info->priv;
	bool live, pending = false;
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	live = test_bit(UDRV_LIVE, &u->flags);
	if (on && __test_and_clear_bit(UDRV_MASKED, &u->flags)) {
		if (!u->intx) {
			if (live)
				enable_irq(u->irq);
		} else if (!pci_check_and_unmask_intx(u->intx)) {
			/* The cause is still there: report it, stay masked. */
			__set_bit(UDRV_MASKED, &u->flags);
			pending = true;
		}
	} else if (!on && !__test_and_set_bit(UDRV_MASKED, &u->flags)) {
		if (u->intx)
			pci_intx(u->intx, 0);
		else if (live)
			disable_irq_nosync(u->irq);
	}
	spin_unlock_irqrestore(&u->lock, flags);

	if (pending)
		uio_event_notify(info);
	return 0;
}

/*
 * Undo udrv_request_irq(), before the UIO device is unregistered: from here
 * on irqcontrol (a write() the UIO core still lets through) leaves the line
 * alone; free_irq() waits for a handler under way.
 */
static void udrv_free_irq(void *data)
{
	struct udrv_uio *u = data;
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	__clear_bit(UDRV_LIVE, &u->flags);
	spin_unlock_irqrestore(&u->lock, flags);
	free_irq(u->irq, u);
}

/*
 * Request @u's interrupt once its UIO device exists (the handler notifies
 * it; devres frees the interrupt before it unregisters the device). A
 * platform line starts masked and is enabled here unless userspace masked it
 * since registration; INTx is masked in the device until udrv_irqcontrol(1).
 */
static int udrv_request_irq(struct device *dev, struct udrv_uio *u)
{
	unsigned long flags;
	int ret;

	ret = request_irq(u->irq, udrv_handler, u->intx ? IRQF_SHARED : IRQF_NO_AUTOEN,
			  u->info.name, u);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request interrupt %d\n", u->irq);
	spin_lock_irqsave(&u->lock, flags);
	__set_bit(UDRV_LIVE, &u->flags);
	if (!u->intx && !test_bit(UDRV_MASKED, &u->flags))
		enable_irq(u->irq);
	spin_unlock_irqrestore(&u->lock, flags);
	return devm_add_action_or_reset(dev, udrv_free_irq, u);
}

static void udrv_bind_free(struct kref *ref)
{
	kfree(container_of(ref, struct udrv_bind, ref));
}

static void udrv_vm_open(struct vm_area_struct *vma)
{
	struct udrv_map *m = vma->vm_private_data;

	kref_get(&m->bind->ref);
}

static void udrv_vm_close(struct vm_area_struct *vma)
{
	struct udrv_map *m = vma->vm_private_data;

	kref_put(&m->bind->ref, udrv_bind_free);
}

static unsigned long udrv_pool_pfn(struct udrv_bind *b, unsigned long page)
{
	void *cpu = b->pool_cpu + (page << PAGE_SHIFT);

	/* A remapped (non-coherent or IOMMU) buffer, or the linear map. */
	return is_vmalloc_addr(cpu) ? vmalloc_to_pfn(cpu) : page_to_pfn(virt_to_page(cpu));
}

static vm_fault_t udrv_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct udrv_map *m = vma->vm_private_data;
	struct udrv_bind *b = m->bind;
	unsigned long page = vma->vm_pgoff - m->index +
			     ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&b->lock);
	if (!b->revoked && page < m->pages)
		ret = vmf_insert_pfn_prot(vma, vmf->address,
					  m->pool ? udrv_pool_pfn(b, page) : m->pfn + page,
					  vma->vm_page_prot);
	if (ret == VM_FAULT_NOPAGE && m->pool)
		b->pool_used = true;
	mutex_unlock(&b->lock);
	return ret;
}

static const struct vm_operations_struct udrv_vm_ops = {
	.open = udrv_vm_open,
	.close = udrv_vm_close,
	.fault = udrv_vm_fault,
};

/* Remember the inode a mapping goes through, to zap it at unbind. */
static int udrv_track_inode(struct udrv_bind *b, struct inode *inode)
{
	struct udrv_inode *i;

	list_for_each_entry(i, &b->inodes, node)
		if (i->inode == inode)
			return 0;
	i = kmalloc(sizeof(*i), GFP_KERNEL);
	if (!i)
		return -ENOMEM;
	ihold(inode);
	i->inode = inode;
	list_add(&i->node, &b->inodes);
	return 0;
}

/*
 * The UIO core has checked the map index and that the length fits. Nothing
 * is mapped here: udrv_vm_fault() inserts each page on first touch.
 */
static int udrv_mmap(struct uio_info *info, struct vm_area_struct *vma)
{
	struct udrv_uio *u = info->priv;
	struct udrv_bind *b = u->bind;
	struct udrv_map *m = &b->map[vma->vm_pgoff];
	int ret;

	/* A private mapping would copy registers and descriptors into RAM. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&b->lock);
	ret = b->revoked ? -ENODEV : udrv_track_inode(b, file_inode(vma->vm_file));
	if (!ret)
		kref_get(&b->ref);
	mutex_unlock(&b->lock);
	if (ret)
		return ret;

	/*
	 * A pool as the kernel maps it: a cached one is the CPU's pages; a
	 * memory-region is write-combined (memremap()) even for a coherent
	 * device.
	 */
	if (!m->pool)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	else if (b->pool_rmem || (!b->pool_cached && !dev_is_dma_coherent(b->dev)))
		vma->vm_page_prot = pgprot_dmacoherent(vma->vm_page_prot);
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = m;
	vma->vm_ops = &udrv_vm_ops;
	return 0;
}

/* Mastering off; a device without a reset gets time to drop what it holds. */
static void udrv_master_off(struct udrv_bind *b)
{
	pci_clear_master(b->pci);
	b->master_off = jiffies;
}

static void udrv_master_on(struct udrv_bind *b)
{
	unsigned long until = b->master_off + msecs_to_jiffies(UDRV_DMA_DRAIN_MS);

	/* reset_methods[0]: the PCI core found a way to reset it (5.15+). */
	if (b->mastered && !b->pci->reset_methods[0] && time_before(jiffies, until))
		msleep(jiffies_to_msecs(until - jiffies));
	pci_set_master(b->pci);
	b->mastered = true;
}

/* First open: the device may master DMA again (PCI); runtime PM per open. */
static int udrv_open(struct uio_info *info, struct inode *inode)
{
	struct udrv_bind *b = ((struct udrv_uio *)info->priv)->bind;
	int ret = 0;

	mutex_lock(&b->lock);
	if (b->pm)
		ret = pm_runtime_resume_and_get(b->dev);
	if (!ret && !b->opens++ && b->pci)
		udrv_master_on(b);
	mutex_unlock(&b->lock);
	return ret;
}

/* Last close: a killed driver leaves no DMA running (as uio_pci_generic). */
static int udrv_release(struct uio_info *info, struct inode *inode)
{
	struct udrv_bind *b = ((struct udrv_uio *)info->priv)->bind;

	mutex_lock(&b->lock);
	if (!--b->opens && b->pci)
		udrv_master_off(b);
	if (b->pm)
		pm_runtime_put(b->dev);
	mutex_unlock(&b->lock);
	return 0;
}

/* A cached pool's sync: one pwrite() of a struct udrv_uio_sync (udrv_uio.h). */
static ssize_t udrv_sync_write(struct file *file, struct kobject *kobj,
			       struct bin_attribute *attr, char *buf, loff_t pos, size_t count)
{
	struct udrv_bind *b = attr->private;
	struct udrv_uio_sync s;

	static const enum dma_data_direction dirs[] = {
		[UDRV_UIO_DIR_BIDIRECTIONAL] = DMA_BIDIRECTIONAL,
		[UDRV_UIO_DIR_TO_DEVICE] = DMA_TO_DEVICE,
		[UDRV_UIO_DIR_FROM_DEVICE] = DMA_FROM_DEVICE,
	};

	if (pos || count != sizeof(s))
		return -EINVAL;
	memcpy(&s, buf, sizeof(s));
	if (!s.len || s.offset >= b->pool_size || s.len > b->pool_size - s.offset ||
	    s.op > UDRV_UIO_SYNC_FOR_CPU || s.dir >= ARRAY_SIZE(dirs))
		return -EINVAL;
	if (s.op == UDRV_UIO_SYNC_FOR_CPU)
		dma_sync_single_for_cpu(b->dev, b->pool_bus + s.offset, s.len, dirs[s.dir]);
	else
		dma_sync_single_for_device(b->dev, b->pool_bus + s.offset, s.len, dirs[s.dir]);
	return count;
}

static void udrv_pool_free(struct udrv_bind *b)
{
	if (!b->pool_cached) {
		dma_free_coherent(b->dev, b->pool_size, b->pool_cpu, b->pool_bus);
		return;
	}
	dma_unmap_single(b->dev, b->pool_bus, b->pool_size, DMA_BIDIRECTIONAL);
	free_pages_exact(b->pool_cpu, b->pool_size);
}

/* Pages mapped for streaming DMA for as long as the device is bound. */
static int udrv_pool_map_cached(struct device *dev, struct udrv_bind *b)
{
	size_t max = dma_max_mapping_size(dev);

	if (dev->of_node && of_find_property(dev->of_node, "memory-region", NULL))
		dev_info(dev, "a cached DMA pool comes from the page allocator, not from its memory-region\n");
	if (b->pool_size > max)
		return dev_err_probe(dev, -E2BIG,
				     "a cached DMA pool is at most %zu bytes on this device (bounce buffers), not %zu\n",
				     max, b->pool_size);
	b->pool_cpu = alloc_pages_exact(b->pool_size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!b->pool_cpu) {
		dev_err(dev, "cannot allocate a %zu byte cached DMA pool: it takes one physically contiguous block of the page allocator (4 MiB at most with 4 KiB pages); a coherent pool can be larger\n",
			b->pool_size);
		return -ENOMEM;
	}
	b->pool_bus = dma_map_single(dev, b->pool_cpu, b->pool_size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, b->pool_bus)) {
		free_pages_exact(b->pool_cpu, b->pool_size);
		b->pool_cpu = NULL;
		dev_err(dev, "cannot map its %zu byte cached DMA pool for DMA\n", b->pool_size);
		return -ENOMEM;
	}
	b->pool_cached = true;
	sysfs_bin_attr_init(&b->sync_attr);
	b->sync_attr.attr.name = UDRV_UIO_SYNC_ATTR;
	b->sync_attr.attr.mode = 0600;
	b->sync_attr.write = udrv_sync_write;
	b->sync_attr.private = b;
	return 0;
}

/*
 * Unbind, after the UIO devices are gone (no new open, mmap or interrupt):
 * revoke every user mapping, stop the device, then release what it could
 * write into, all while the device's DMA configuration still exists.
 */
static void udrv_unbind(void *data)
{
	struct udrv_bind *b = data;
	struct udrv_inode *i, *tmp;
	unsigned int opens;
	bool pool_used;
	int n;

	/* Waits for the syncs under way; none starts after. */
	if (b->sync_added)
		device_remove_bin_file(b->dev, &b->sync_attr);
	mutex_lock(&b->lock);
	b->revoked = true;
	opens = b->opens;
	pool_used = b->pool_used;
	mutex_unlock(&b->lock);
	list_for_each_entry_safe(i, tmp, &b->inodes, node) {
		unmap_mapping_range(i->inode->i_mapping, 0, 0, 1);
		iput(i->inode);
		kfree(i);
	}

	if (b->pci) {
		udrv_master_off(b);
		/* Saves the command register with mastering off, restores it. */
		if (pci_reset_function_locked(b->pci) && b->mastered)
			msleep(UDRV_DMA_DRAIN_MS);
	} else if (b->reset) {
		reset_control_assert(b->reset);
	} else if (pool_used) {
		/*
		 * Nothing stops it (a virtio-mmio slot, an FPGA block without
		 * a reset line): DMA it was given before the revoke, e.g.
		 * requests in flight, gets time to end before its memory goes
		 * back to the kernel.
		 */
		msleep(UDRV_DMA_DRAIN_MS);
	}
	if (b->pool_cpu)
		udrv_pool_free(b);
	for (n = 0; n < UDRV_MAX_IRQS; n++)
		if (test_bit(n, &b->unlazy))
			irq_clear_status_flags(b->irq[n], IRQ_DISABLE_UNLAZY);
	/* Opens the UIO core will no longer release through us. */
	while (b->pm && opens--)
		pm_runtime_put_noidle(b->dev);
	kref_put(&b->ref, udrv_bind_free);
}

static int udrv_pool_alloc(struct device *dev, struct udrv_bind *b,
			   struct uio_mem *mem, int n, const struct udrv_desc *d)
{
	int ret;

	/* PAGE_ALIGN of a size near 4 GiB wraps on 32-bit. */
	if (d->pool_size > ULONG_MAX - PAGE_SIZE + 1)
		return dev_err_probe(dev, -E2BIG, "a %u byte DMA pool does not fit\n",
				     d->pool_size);
	b->pool_size = PAGE_ALIGN(d->pool_size);
	if (d->pool_cached) {
		ret = udrv_pool_map_cached(dev, b);
		if (ret)
			return ret;
	} else {
		b->pool_cpu = dma_alloc_coherent(dev, b->pool_size, &b->pool_bus,
						 GFP_KERNEL | __GFP_NOWARN);
		if (!b->pool_cpu) {	/* zeroed when it is not */
			/* dev_err_probe() is silent on -ENOMEM since 6.9: say it all here. */
			dev_err(dev, "cannot allocate a %zu byte DMA pool (%lu KiB of CMA free): boot with a larger cma=, or give its DT node a memory-region (reserved-memory, shared-dma-pool)\n",
				b->pool_size,
				global_zone_page_state(NR_FREE_CMA_PAGES) << (PAGE_SHIFT - 10));
			return -ENOMEM;
		}
	}
	b->map[n].pool = true;
	b->map[n].pages = b->pool_size >> PAGE_SHIFT;
	mem->name = UDRV_UIO_DMA_MAP_NAME;
	mem->memtype = UIO_MEM_IOVA;
	mem->addr = b->pool_bus;
	mem->internal_addr = (void __force __iomem *)b->pool_cpu; /* RAM, not I/O (sparse) */
	mem->size = b->pool_size;
	/* Before the UIO device exists: userspace finds the attribute with it. */
	if (b->pool_cached) {
		ret = device_create_bin_file(dev, &b->sync_attr);
		if (ret)
			return dev_err_probe(dev, ret, "cannot create its %s attribute\n",
					     UDRV_UIO_SYNC_ATTR);
		b->sync_added = true;
	}
	return 0;
}

static int udrv_fill_maps(struct device *dev, struct udrv_uio *u,
			  const struct udrv_desc *d)
{
	struct udrv_bind *b = u->bind;
	struct resource *r;
	int i;

	for (i = 0; i < d->nreg; i++) {
		struct uio_mem *mem = &u->info.mem[i];
		resource_size_t len;

		r = d->reg[i];
		len = resource_size(r);
		if (!d->reg_name[i])
			return -ENOMEM;
		/* A zero-size map would end UIO's list and hide the maps after it. */
		if (!len)
			return dev_err_probe(dev, -EINVAL, "region %d (%s) has size 0, refused\n",
					     i, d->reg_name[i]);
		if (!devm_request_mem_region(dev, r->start, len, d->name))
			return dev_err_probe(dev, -EBUSY, "%pR is busy\n", r);
		/* The device's own window: userspace checks accesses against it. */
		mem->name = d->reg_name[i];
		mem->memtype = UIO_MEM_PHYS;
		mem->addr = r->start;
		mem->offs = r->start & ~PAGE_MASK;
		mem->size = len;
		b->map[i].pfn = PFN_DOWN(r->start);
		b->map[i].pages = PFN_UP(mem->offs + len);
		/* A page is the smallest thing a process can map. */
		if ((b->map[i].pages << PAGE_SHIFT) != len)
			dev_warn(dev, "map%d %pR is not page-aligned: userspace can reach the %llu bytes around it in its pages too\n",
				 i, r, (unsigned long long)((b->map[i].pages << PAGE_SHIFT) - len));
	}
	for (i = 0; i < d->nport; i++) {
		r = d->port[i];
		if (!devm_request_region(dev, r->start, resource_size(r), d->name))
			return dev_err_probe(dev, -EBUSY, "%pR is busy\n", r);
		u->info.port[i].name = d->port_name[i];
		u->info.port[i].start = r->start;
		u->info.port[i].size = resource_size(r);
		u->info.port[i].porttype = UIO_PORT_OTHER;
		if (IS_ENABLED(CONFIG_X86))
			u->info.port[i].porttype = UIO_PORT_X86;
	}
	if (!d->pool_size)
		return 0;
	return udrv_pool_alloc(dev, b, &u->info.mem[d->nreg], d->nreg, d);
}

/*
 * An interrupt the handler cannot mask: a line nested in another
 * interrupt's thread (behind an I2C or SPI expander) never runs the
 * primary handler, and a slow-bus chip's mask sleeps.
 */
static int udrv_check_irq(struct device *dev, int irq)
{
	struct irq_chip *chip = irq_get_chip(irq);

	if (irq_check_status_bit(irq, IRQ_NESTED_THREAD) || (chip && chip->irq_bus_lock))
		return dev_err_probe(dev, -EINVAL,
				     "interrupt %d sits behind a slow bus (nested thread or bus lock): udrv_uio cannot mask it in its handler, refused\n",
				     irq);
	return 0;
}

struct udrv_clks {
	int n;
	struct clk_bulk_data *clk;
};

static void udrv_clks_off(void *data)
{
	struct udrv_clks *c = data;

	clk_bulk_disable_unprepare(c->n, c->clk);
}

/*
 * Hold the device's clocks and its reset line deasserted while bound, and
 * runtime PM (platform bus) while open. Released after udrv_unbind().
 */
static int udrv_power(struct device *dev, struct udrv_bind *b, bool pm)
{
	struct udrv_clks *c;
	int ret;

	c = devm_kzalloc(dev, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->n = devm_clk_bulk_get_all(dev, &c->clk);
	if (c->n < 0)
		return dev_err_probe(dev, c->n, "cannot get the clocks its node names\n");
	ret = clk_bulk_prepare_enable(c->n, c->clk);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable its clocks\n");
	ret = devm_add_action_or_reset(dev, udrv_clks_off, c);
	if (ret)
		return ret;
	b->reset = devm_reset_control_array_get_optional_exclusive(dev);
	if (IS_ERR(b->reset))
		return dev_err_probe(dev, PTR_ERR(b->reset), "cannot get its reset line\n");
	ret = reset_control_deassert(b->reset);
	if (ret)
		return dev_err_probe(dev, ret, "cannot take it out of reset\n");
	b->pm = pm;
	return pm ? devm_pm_runtime_enable(dev) : 0;
}

static void udrv_rmem_release(void *dev)
{
	of_reserved_mem_device_release(dev);
}

static int udrv_register(struct device *dev, struct udrv_desc *d)
{
	struct udrv_bind *b;
	struct udrv_uio *u;
	bool rmem = false;
	int i, ret;

	if (!d->name)
		return -ENOMEM;
	udrv_pool_requested(dev, &d->pool_size, &d->pool_cached);
	if (d->nreg + !!d->pool_size > MAX_UIO_MAPS)
		return dev_err_probe(dev, -E2BIG,
				     "%d register regions%s do not fit in %d UIO maps, refused\n",
				     d->nreg, d->pool_size ? " and a DMA pool" : "",
				     MAX_UIO_MAPS);
	if (d->nirq > UDRV_MAX_IRQS)
		return dev_err_probe(dev, -E2BIG, "%d interrupts, at most %d handled\n",
				     d->nirq, UDRV_MAX_IRQS);
	if (d->dma_bits && (d->dma_bits < 24 || d->dma_bits > 64 ||
			    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(d->dma_bits))))
		return dev_err_probe(dev, -EINVAL, "cannot use a %u-bit DMA mask\n",
				     d->dma_bits);
	for (i = 0; i < d->nirq && !d->pci; i++) {
		ret = udrv_check_irq(dev, d->irq[i]);
		if (ret)
			return ret;
	}
	/* Released after udrv_unbind() has freed the pool (devres is LIFO). */
	if (d->pool_size && !d->pool_cached && dev->of_node &&
	    of_find_property(dev->of_node, "memory-region", NULL)) {
		ret = of_reserved_mem_device_init(dev);
		if (ret)
			return dev_err_probe(dev, ret, "cannot use its memory-region\n");
		ret = devm_add_action_or_reset(dev, udrv_rmem_release, dev);
		if (ret)
			return ret;
		rmem = true;
	}

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	kref_init(&b->ref);
	mutex_init(&b->lock);
	INIT_LIST_HEAD(&b->inodes);
	b->dev = dev;
	b->pci = d->pci;
	b->pool_rmem = rmem;
	for (i = 0; i < MAX_UIO_MAPS; i++) {
		b->map[i].bind = b;
		b->map[i].index = i;
	}
	memcpy(b->irq, d->irq, sizeof(b->irq));
	ret = d->pci ? 0 : udrv_power(dev, b, dev->bus == &platform_bus_type);
	if (ret) {
		kfree(b);
		return ret;
	}
	/*
	 * Runs after every UIO device below is unregistered and before the
	 * clocks, reset and runtime PM above are released (devres is LIFO).
	 */
	ret = devm_add_action_or_reset(dev, udrv_unbind, b);
	if (ret)
		return ret;

	for (i = 0; i < max(d->nirq, 1); i++) {
		u = devm_kzalloc(dev, sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		spin_lock_init(&u->lock);
		u->bind = b;
		u->info.priv = u;
		u->info.version = "1";
		u->irq = d->nirq ? d->irq[i] : 0;
		u->info.irq = d->nirq ? UIO_IRQ_CUSTOM : UIO_IRQ_NONE;
		u->info.irqcontrol = udrv_irqcontrol;
		u->info.mmap = udrv_mmap;
		u->info.open = udrv_open;
		u->info.release = udrv_release;
		u->intx = d->intx ? d->pci : NULL;
		u->info.name = i ? devm_kasprintf(dev, GFP_KERNEL, "%s%s%d", d->name,
						  UDRV_UIO_IRQ_SUFFIX, i) : d->name;
		if (!u->info.name)
			return -ENOMEM;
		/* INTx stays disabled until the handler exists. */
		if (u->intx)
			__set_bit(UDRV_MASKED, &u->flags);

		if (i == 0) {
			ret = udrv_fill_maps(dev, u, d);
			if (ret)
				return ret;
		}
		ret = devm_uio_register_device(dev, &u->info);
		if (ret)
			return dev_err_probe(dev, ret, "cannot register UIO device %s\n",
					     u->info.name);
		if (!d->nirq)
			continue;
		if (!u->intx && !irq_check_status_bit(u->irq, IRQ_DISABLE_UNLAZY)) {
			/*
			 * Mask at the controller at once: a lazy disable would
			 * let an interrupt raised while userspace keeps the
			 * line masked be replayed at the next unmask on
			 * controllers that report their level lines as edge
			 * (bcm2835), after the device has dropped it.
			 */
			irq_set_status_flags(u->irq, IRQ_DISABLE_UNLAZY);
			__set_bit(i, &b->unlazy);
		}
		ret = udrv_request_irq(dev, u);
		if (ret)
			return ret;
		/* INTx: unmask now; a stale pending interrupt stays masked. */
		if (u->intx)
			udrv_irqcontrol(&u->info, 1);
	}
	return 0;
}

/* Name, DMA pool and DMA mask of a device-tree (or firmware-less) device. */
static void udrv_fw_desc(struct device *dev, struct udrv_desc *d)
{
	const char *name;
	int i;

	if (device_property_read_string(dev, UDRV_UIO_PROP_NAME, &name))
		name = dev->of_node ? dev->of_node->name : dev_name(dev);
	/* Copies: an overlay's removal frees the property memory. */
	d->name = devm_kstrdup(dev, name, GFP_KERNEL);
	device_property_read_u32(dev, UDRV_UIO_PROP_POOL, &d->pool_size);
	d->pool_cached = device_property_read_bool(dev, UDRV_UIO_PROP_POOL_CACHED);
	device_property_read_u32(dev, UDRV_UIO_PROP_DMA_BITS, &d->dma_bits);
	for (i = 0; i < min(d->nreg, MAX_UIO_MAPS); i++) {
		if (of_property_read_string_index(dev->of_node, "reg-names", i, &name))
			d->reg_name[i] = devm_kasprintf(dev, GFP_KERNEL, "reg%d", i);
		else
			d->reg_name[i] = devm_kstrdup(dev, name, GFP_KERNEL);
	}
}

static int udrv_platform_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct udrv_desc d = { };
	struct resource *r;
	int i;

	while ((r = platform_get_resource(pdev, IORESOURCE_MEM, d.nreg)))
		if (d.nreg++ < MAX_UIO_MAPS)
			d.reg[d.nreg - 1] = r;
	d.nirq = platform_irq_count(pdev);
	if (d.nirq < 0)
		return d.nirq;
	udrv_fw_desc(dev, &d);
	for (i = 0; i < min(d.nirq, UDRV_MAX_IRQS); i++) {
		d.irq[i] = platform_get_irq(pdev, i);
		if (d.irq[i] < 0)
			return d.irq[i];
	}
	return udrv_register(dev, &d);
}

/*
 * "udrv,uio", then the compatibles of of_id=, then the terminator. Not const
 * (checkpatch's warning): module init fills it from the of_id= parameter.
 */
static struct of_device_id udrv_of_ids[UDRV_MAX_OF_IDS + 2] = {
	{ .compatible = UDRV_UIO_COMPATIBLE },
};

/* For module autoloading only: the spare entries above must not alias. */
static const struct of_device_id udrv_of_alias[] = {
	{ .compatible = UDRV_UIO_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, udrv_of_alias);

static struct platform_driver udrv_platform_driver = {
	.probe = udrv_platform_probe,
	.driver = {
		.name = UDRV_UIO_DRIVER_NAME,
		.of_match_table = udrv_of_ids,
		.groups = udrv_drv_groups,
	},
};

static int udrv_amba_probe(struct amba_device *adev, const struct amba_id *id)
{
	struct device *dev = &adev->dev;
	struct udrv_desc d = { .nreg = 1, .reg = { &adev->res } };

	udrv_fw_desc(dev, &d);
	while (d.nirq < min(AMBA_NR_IRQS, UDRV_MAX_IRQS) && adev->irq[d.nirq]) {
		d.irq[d.nirq] = adev->irq[d.nirq];
		d.nirq++;
	}
	return udrv_register(dev, &d);
}

/* Matches nothing by id: AMBA devices come to us by driver_override only. */
static const struct amba_id udrv_amba_ids[] = {
	{ 0, 0 },
};

static struct amba_driver udrv_amba_driver = {
	.drv = {
		.name = UDRV_UIO_DRIVER_NAME,
		.owner = THIS_MODULE,
		.groups = udrv_drv_groups,
	},
	.probe = udrv_amba_probe,
	.id_table = udrv_amba_ids,
};

static void udrv_pci_disable(void *pdev)
{
	pci_disable_device(pdev);
}

static void udrv_pci_free_vectors(void *pdev)
{
	pci_free_irq_vectors(pdev);
}

/*
 * Enabled without pcim_enable_device(): on a managed device pci_intx() may
 * allocate (6.11 onwards), and the stub masks INTx in atomic context. Bus
 * mastering stays off until the first open (udrv_open()).
 */
static int udrv_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct udrv_desc d = {
		.name = UDRV_UIO_DRIVER_NAME,
		/* ids=vendor:device:pool keeps the pool in the id's driver_data */
		.pool_size = id->driver_data ? id->driver_data : pci_pool_size,
		.pool_cached = pci_pool_cached,
		.dma_bits = pci_dma_bits,
		.pci = pdev,
	};
	int i, ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable the device\n");
	ret = devm_add_action_or_reset(dev, udrv_pci_disable, pdev);
	if (ret)
		return ret;
	pci_clear_master(pdev);

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct resource *r = &pdev->resource[i];
		const char *name;

		if (!resource_size(r))
			continue;
		name = devm_kasprintf(dev, GFP_KERNEL, "bar%d", i);
		if (!name)
			return -ENOMEM;
		if (r->flags & IORESOURCE_MEM) {
			if (d.nreg < MAX_UIO_MAPS) {
				d.reg_name[d.nreg] = name;
				d.reg[d.nreg] = r;
			}
			d.nreg++;
		} else if (r->flags & IORESOURCE_IO && d.nport < MAX_UIO_PORT_REGIONS) {
			d.port_name[d.nport] = name;
			d.port[d.nport++] = r;
		}
	}
	if (msi && pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI) == 1) {
		ret = devm_add_action_or_reset(dev, udrv_pci_free_vectors, pdev);
		if (ret)
			return ret;
		d.irq[d.nirq++] = pci_irq_vector(pdev, 0);
	} else if (pdev->irq && pci_intx_mask_supported(pdev)) {
		/* Masked until the handler exists: see udrv_register(). */
		pci_intx(pdev, 0);
		d.irq[d.nirq++] = pdev->irq;
		d.intx = true;
	} else {
		dev_warn(dev, "no usable interrupt, handing over without one\n");
	}
	return udrv_register(dev, &d);
}

static struct pci_driver udrv_pci_driver = {
	.name = UDRV_UIO_DRIVER_NAME,
	.id_table = NULL,	/* new_id, driver_override and ids= only */
	.probe = udrv_pci_probe,
	.groups = udrv_drv_groups,	/* driver attributes (pool) */
};

/* "vvvv:dddd" or "vvvv:dddd:POOL" (POOL in bytes, decimal or 0x hex). */
static int udrv_add_pci_id(const char *id)
{
	unsigned int vendor, device, pool = 0;
	const char *p = strchr(id, ':');
	char sep;
	int n;

	n = sscanf(id, "%x:%x%c", &vendor, &device, &sep);
	p = p ? strchr(p + 1, ':') : NULL;	/* the pool's colon */
	if (n < 2 || (n == 3 && (sep != ':' || !p || kstrtouint(p + 1, 0, &pool)))) {
		pr_err(UDRV_UIO_DRIVER_NAME ": bad PCI id \"%s\" in ids= (vendor:device[:pool])\n",
		       id);
		return -EINVAL;
	}
	return pci_add_dynid(&udrv_pci_driver, vendor, device, PCI_ANY_ID, PCI_ANY_ID,
			     0, 0, pool);
}

static int __init udrv_add_of_ids(void)
{
	char *list, *p, *c;
	int n = 1, ret = 0;

	list = kstrdup(of_id ? of_id : "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	p = list;
	while ((c = strsep(&p, ";")) && !ret) {
		c = strim(c);
		if (*c && n > UDRV_MAX_OF_IDS)
			ret = -E2BIG;
		else if (*c)
			strscpy(udrv_of_ids[n++].compatible, c, sizeof(udrv_of_ids[0].compatible));
	}
	kfree(list);
	if (ret)
		pr_err(UDRV_UIO_DRIVER_NAME ": more than %d compatibles in of_id=\n",
		       UDRV_MAX_OF_IDS);
	return ret;
}

static int __init udrv_init(void)
{
	int i, ret;

	ret = udrv_add_of_ids();
	if (ret)
		return ret;
	ret = platform_driver_register(&udrv_platform_driver);
	if (ret)
		return ret;
	if (IS_ENABLED(CONFIG_ARM_AMBA)) {
		ret = amba_driver_register(&udrv_amba_driver);
		if (ret)
			goto err_platform;
	}
	ret = pci_register_driver(&udrv_pci_driver);
	if (ret)
		goto err_amba;
	for (i = 0; i < n_ids && !ret; i++)
		ret = udrv_add_pci_id(ids[i]);
	if (!ret)
		return 0;

	pci_unregister_driver(&udrv_pci_driver);
err_amba:
	if (IS_ENABLED(CONFIG_ARM_AMBA))
		amba_driver_unregister(&udrv_amba_driver);
err_platform:
	platform_driver_unregister(&udrv_platform_driver);
	return ret;
}
module_init(udrv_init);

static void __exit udrv_exit(void)
{
	pci_unregister_driver(&udrv_pci_driver);
	if (IS_ENABLED(CONFIG_ARM_AMBA))
		amba_driver_unregister(&udrv_amba_driver);
	platform_driver_unregister(&udrv_platform_driver);
}
module_exit(udrv_exit);

MODULE_DESCRIPTION("Hand platform, AMBA and PCI devices to userspace through UIO");
MODULE_AUTHOR("The udrv authors");
MODULE_LICENSE("GPL");
