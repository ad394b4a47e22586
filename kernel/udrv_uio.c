// SPDX-License-Identifier: GPL-2.0
/*
 * udrv_uio - hand platform, AMBA and PCI devices to userspace through UIO:
 * register regions and a DMA pool as maps, interrupts masked in the handler
 * and unmasked by userspace. udrv_uio.h is the contract with userspace.
 *
 * The DMA pool is reference counted by its mappings: a process that still
 * maps it after unbind never sees memory given back to the kernel.
 */

#include <linux/amba/bus.h>
#include <linux/bitops.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uio_driver.h>

#include "udrv_uio.h"

#define UDRV_MAX_IRQS	8
#define UDRV_MAX_OF_IDS	8
#define UDRV_MAX_PCI_IDS	8
#define UDRV_MASKED	0	/* bit in udrv_uio.flags */

/* Compatibles contain commas: this list is separated by semicolons. */
static char *of_id;
module_param(of_id, charp, 0444);
MODULE_PARM_DESC(of_id, "Extra compatibles to bind: \"vendor,dev[;vendor,dev...]\"");

static char *ids[UDRV_MAX_PCI_IDS];
static int n_ids;
module_param_array(ids, charp, &n_ids, 0444);
MODULE_PARM_DESC(ids, "PCI ids to bind: vendor:device[,vendor:device...] (hex)");

static bool msi;
module_param(msi, bool, 0444);
MODULE_PARM_DESC(msi, "Use one MSI vector instead of INTx for PCI devices that have MSI");

static unsigned int pci_pool_size = SZ_64K;
module_param(pci_pool_size, uint, 0444);
MODULE_PARM_DESC(pci_pool_size, "PCI devices' DMA pool in bytes, 0 for none (default 64 KiB)");

static unsigned int pci_dma_bits = 32;
module_param(pci_dma_bits, uint, 0444);
MODULE_PARM_DESC(pci_dma_bits, "DMA mask width for PCI devices (default 32)");

struct udrv_pool {
	refcount_t ref;
	struct device *dev;
	void *cpu;
	dma_addr_t bus;
	size_t size;
};

/* One per UIO device: a device with n interrupts has n of these. */
struct udrv_uio {
	struct uio_info info;
	spinlock_t lock;		/* orders masking against the handler */
	unsigned long flags;
	struct pci_dev *intx;		/* set when the line is PCI INTx */
	struct udrv_pool *pool;		/* the last map, if any */
	int pool_map;
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
	struct pci_dev *intx;
	u32 pool_size;
	u32 dma_bits;
};

static irqreturn_t udrv_handler(int irq, struct uio_info *info)
{
	struct udrv_uio *u = info->priv;
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
	return ret;
}

static int udrv_irqcontrol(struct uio_info *info, s32 on)
{
	struct udrv_uio *u = info->priv;
	bool pending = false;
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	if (on && __test_and_clear_bit(UDRV_MASKED, &u->flags)) {
		if (!u->intx) {
			enable_irq(info->irq);
		} else if (!pci_check_and_unmask_intx(u->intx)) {
			/* The cause is still there: report it, stay masked. */
			__set_bit(UDRV_MASKED, &u->flags);
			pending = true;
		}
	} else if (!on && !__test_and_set_bit(UDRV_MASKED, &u->flags)) {
		if (u->intx)
			pci_intx(u->intx, 0);
		else
			disable_irq_nosync(info->irq);
	}
	spin_unlock_irqrestore(&u->lock, flags);

	if (pending)
		uio_event_notify(info);
	return 0;
}

static void udrv_irq_lazy(void *irq)
{
	irq_clear_status_flags((unsigned long)irq, IRQ_DISABLE_UNLAZY);
}

static void udrv_pool_put(void *pool)
{
	struct udrv_pool *p = pool;

	if (!refcount_dec_and_test(&p->ref))
		return;
	dma_free_coherent(p->dev, p->size, p->cpu, p->bus);
	put_device(p->dev);
	kfree(p);
}

static void udrv_pool_vm_open(struct vm_area_struct *vma)
{
	struct udrv_pool *p = vma->vm_private_data;

	refcount_inc(&p->ref);
}

static void udrv_pool_vm_close(struct vm_area_struct *vma)
{
	udrv_pool_put(vma->vm_private_data);
}

static const struct vm_operations_struct udrv_pool_vm_ops = {
	.open = udrv_pool_vm_open,
	.close = udrv_pool_vm_close,
};

/* The UIO core has checked the map index and the length against its size. */
static int udrv_mmap(struct uio_info *info, struct vm_area_struct *vma)
{
	struct udrv_uio *u = info->priv;
	struct uio_mem *mem = &info->mem[vma->vm_pgoff];
	unsigned long len = vma->vm_end - vma->vm_start;
	struct udrv_pool *p = u->pool;
	int ret;

	if (p && vma->vm_pgoff == u->pool_map) {
		vma->vm_pgoff = 0;
		ret = dma_mmap_coherent(p->dev, vma, p->cpu, p->bus, len);
		if (ret)
			return ret;
		refcount_inc(&p->ref);
		vma->vm_private_data = p;
		vma->vm_ops = &udrv_pool_vm_ops;
		return 0;
	}

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return io_remap_pfn_range(vma, vma->vm_start, mem->addr >> PAGE_SHIFT,
				  len, vma->vm_page_prot);
}

static int udrv_pool_alloc(struct device *dev, struct udrv_uio *u,
			   const struct udrv_desc *d)
{
	struct uio_mem *mem = &u->info.mem[d->nreg];
	struct udrv_pool *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->size = PAGE_ALIGN(d->pool_size);
	p->cpu = dma_alloc_coherent(dev, p->size, &p->bus, GFP_KERNEL); /* zeroed */
	if (!p->cpu) {
		kfree(p);
		return dev_err_probe(dev, -ENOMEM, "cannot allocate a %zu byte DMA pool\n",
				     p->size);
	}
	p->dev = get_device(dev);
	refcount_set(&p->ref, 1);

	u->pool = p;
	u->pool_map = d->nreg;
	mem->name = UDRV_UIO_DMA_MAP_NAME;
	mem->memtype = UIO_MEM_IOVA;
	mem->addr = p->bus;
	mem->internal_addr = (void __force __iomem *)p->cpu;	/* RAM, not I/O (sparse) */
	mem->size = p->size;
	return devm_add_action_or_reset(dev, udrv_pool_put, p);
}

static int udrv_fill_maps(struct device *dev, struct udrv_uio *u,
			  const struct udrv_desc *d)
{
	struct resource *r;
	int i;

	for (i = 0; i < d->nreg; i++) {
		struct uio_mem *mem = &u->info.mem[i];

		r = d->reg[i];
		if (!d->reg_name[i])
			return -ENOMEM;
		if (!devm_request_mem_region(dev, r->start, resource_size(r), d->name))
			return dev_err_probe(dev, -EBUSY, "%pR is busy\n", r);
		mem->name = d->reg_name[i];
		mem->memtype = UIO_MEM_PHYS;
		mem->addr = r->start;
		mem->offs = r->start & ~PAGE_MASK;
		mem->size = resource_size(r);
		/* A page is the smallest thing a process can map. */
		if (PAGE_ALIGN(mem->offs + mem->size) != mem->size)
			dev_warn(dev, "map%d %pR is not page-aligned: userspace can reach the %llu bytes around it in its pages too\n",
				 i, r, (u64)(PAGE_ALIGN(mem->offs + mem->size) - mem->size));
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
	return d->pool_size ? udrv_pool_alloc(dev, u, d) : 0;
}

static int udrv_register(struct device *dev, const struct udrv_desc *d)
{
	struct udrv_uio *u;
	int i, ret;

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

	for (i = 0; i < max(d->nirq, 1); i++) {
		u = devm_kzalloc(dev, sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		spin_lock_init(&u->lock);
		u->info.priv = u;
		u->info.version = "1";
		u->info.irq = d->nirq ? d->irq[i] : UIO_IRQ_NONE;
		u->info.irq_flags = d->intx ? IRQF_SHARED : 0;
		u->info.handler = udrv_handler;
		u->info.irqcontrol = udrv_irqcontrol;
		u->info.mmap = udrv_mmap;
		u->intx = d->intx;
		u->info.name = i ? devm_kasprintf(dev, GFP_KERNEL, "%s%s%d", d->name,
						  UDRV_UIO_IRQ_SUFFIX, i) : d->name;
		if (!u->info.name)
			return -ENOMEM;

		if (i == 0) {
			ret = udrv_fill_maps(dev, u, d);
			if (ret)
				return ret;
		}
		/*
		 * Mask at the controller at once: a lazy disable would let an
		 * interrupt raised while userspace keeps the line masked be
		 * replayed at the next unmask on controllers that report
		 * their level lines as edge (bcm2835), after the device has
		 * dropped it.
		 */
		if (!d->intx && d->nirq) {
			irq_set_status_flags(d->irq[i], IRQ_DISABLE_UNLAZY);
			ret = devm_add_action_or_reset(dev, udrv_irq_lazy,
						       (void *)(unsigned long)d->irq[i]);
			if (ret)
				return ret;
		}
		ret = devm_uio_register_device(dev, &u->info);
		if (ret)
			return dev_err_probe(dev, ret, "cannot register UIO device %s\n",
					     u->info.name);
	}
	return 0;
}

/* Name, DMA pool and DMA mask of a device-tree (or firmware-less) device. */
static void udrv_fw_desc(struct device *dev, struct udrv_desc *d)
{
	int i;

	if (device_property_read_string(dev, UDRV_UIO_PROP_NAME, &d->name))
		d->name = dev->of_node ? dev->of_node->name : dev_name(dev);
	device_property_read_u32(dev, UDRV_UIO_PROP_POOL, &d->pool_size);
	device_property_read_u32(dev, UDRV_UIO_PROP_DMA_BITS, &d->dma_bits);
	for (i = 0; i < min(d->nreg, MAX_UIO_MAPS); i++)
		if (of_property_read_string_index(dev->of_node, "reg-names", i,
						  &d->reg_name[i]))
			d->reg_name[i] = devm_kasprintf(dev, GFP_KERNEL, "reg%d", i);
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
	},
	.probe = udrv_amba_probe,
	.id_table = udrv_amba_ids,
};

static void udrv_pci_clear_master(void *pdev)
{
	pci_clear_master(pdev);
}

static int udrv_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct udrv_desc d = {
		.name = UDRV_UIO_DRIVER_NAME,
		.pool_size = pci_pool_size,
		.dma_bits = pci_dma_bits,
	};
	int i, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable the device\n");

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
		d.irq[d.nirq++] = pci_irq_vector(pdev, 0);
	} else if (pdev->irq && pci_intx_mask_supported(pdev)) {
		pci_intx(pdev, 1);
		d.irq[d.nirq++] = pdev->irq;
		d.intx = pdev;
	} else {
		dev_warn(dev, "no usable interrupt, handing over without one\n");
	}

	pci_set_master(pdev);
	ret = devm_add_action_or_reset(dev, udrv_pci_clear_master, pdev);
	if (ret)
		return ret;
	return udrv_register(dev, &d);
}

static struct pci_driver udrv_pci_driver = {
	.name = UDRV_UIO_DRIVER_NAME,
	.id_table = NULL,	/* new_id, driver_override and ids= only */
	.probe = udrv_pci_probe,
};

static int udrv_add_pci_id(const char *id)
{
	unsigned int vendor, device;

	if (sscanf(id, "%x:%x", &vendor, &device) != 2) {
		pr_err(UDRV_UIO_DRIVER_NAME ": bad PCI id \"%s\" in ids=\n", id);
		return -EINVAL;
	}
	return pci_add_dynid(&udrv_pci_driver, vendor, device, PCI_ANY_ID, PCI_ANY_ID,
			     0, 0, 0);
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
