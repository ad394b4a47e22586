// SPDX-License-Identifier: MIT
/*
 * fw-cfg - a userspace driver for QEMU's firmware configuration device
 * (fw_cfg, device-tree compatible "qemu,fw-cfg-mmio"), built out of tree
 * against udrv with nothing but pkg-config.
 *
 *   fw-cfg info        the signature and features, read through the data register
 *   fw-cfg list        the file directory (size, selector, name), read by DMA
 *   fw-cfg cat NAME    one file's contents on stdout, read by DMA
 *
 * The device is handed to the udrv_uio stub by fw-cfg.dtso, with a 64 KiB
 * DMA pool. Interface: QEMU's docs/specs/fw_cfg.rst ("Memory-Mapped
 * Interface", "DMA interface"; also Linux drivers/firmware/qemu_fw_cfg.c).
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <udrv.h>

/* Registers (fw_cfg.rst, "Memory-Mapped Interface": ARM layout). */
#define FW_CFG_DATA	0x00	/* 1..8 bytes of the selected item, in order */
#define FW_CFG_SELECTOR	0x08	/* 16-bit big-endian: select an item */
#define FW_CFG_DMA_HI	0x10	/* 64-bit big-endian DMA descriptor address: */
#define FW_CFG_DMA_LO	0x14	/* writing the low half starts the transfer */
#define FW_CFG_REGS_SIZE 0x18

/* Items ("Selector Register" and "File Directory"). */
#define FW_CFG_SIGNATURE 0x0000	/* "QEMU" */
#define FW_CFG_ID	0x0001	/* le32 features: bit 1, the DMA interface */
#define FW_CFG_FILE_DIR	0x0019	/* be32 count, then count struct fw_cfg_file */
#define FW_CFG_F_DMA	(1u << 1)

/* The DMA descriptor ("DMA interface", FWCfgDmaAccess), all big-endian. */
struct fw_cfg_dma {
	uint32_t control;
	uint32_t length;
	uint64_t address;
};
#define FW_CFG_DMA_ERROR	0x01
#define FW_CFG_DMA_READ		0x02
#define FW_CFG_DMA_SELECT	0x08	/* selector in bits 31..16 */

struct fw_cfg_file {
	uint32_t size;		/* big-endian */
	uint16_t select;	/* big-endian */
	uint16_t reserved;
	char name[56];
};

struct fw_cfg {
	struct udrv_device *dev;
	volatile void *regs;
	struct udrv_dma_buf *desc;	/* one struct fw_cfg_dma */
	struct udrv_dma_buf *buf;	/* where transfers land */
};

#define BUF_SIZE	0x8000

static int fw_cfg_open(struct fw_cfg *c)
{
	struct udrv_region *r;
	int ret;

	ret = udrv_device_open_dt_compatible("qemu,fw-cfg-mmio", 0, &c->dev);
	if (ret) {
		fprintf(stderr, "fw-cfg: no qemu,fw-cfg-mmio device handed to udrv_uio: %s %s\n",
			strerror(-ret), udrv_last_error());
		return ret;
	}
	ret = udrv_device_region(c->dev, 0, FW_CFG_REGS_SIZE, &r);
	if (!ret)
		ret = udrv_dma_alloc(c->dev, sizeof(struct fw_cfg_dma), 16, &c->desc);
	if (!ret)
		ret = udrv_dma_alloc(c->dev, BUF_SIZE, 0, &c->buf);
	if (ret) {
		fprintf(stderr, "fw-cfg: %s: %s (is its DMA pool, udrv,dma-pool-size, large enough?)\n",
			udrv_device_name(c->dev), strerror(-ret));
		udrv_device_close(c->dev);
		return ret;
	}
	c->regs = udrv_region_base(r);
	return 0;
}

/* Read len bytes of an item through the data register, one byte at a time. */
static void fw_cfg_read_pio(struct fw_cfg *c, uint16_t key, void *out, size_t len)
{
	uint8_t *p = out;

	udrv_write16(c->regs, FW_CFG_SELECTOR, htobe16(key));
	while (len--)
		*p++ = udrv_read8(c->regs, FW_CFG_DATA);
}

/*
 * Read len (<= BUF_SIZE) bytes into c->buf by DMA: of item key from its
 * start if select, else from where the last read of it stopped.
 */
static int fw_cfg_read_dma(struct fw_cfg *c, uint16_t key, bool select, size_t len)
{
	volatile struct fw_cfg_dma *d = udrv_dma_cpu(c->desc);
	uint64_t bus = udrv_dma_bus(c->desc);
	uint32_t ctl;
	int i;

	d->control = htobe32(FW_CFG_DMA_READ | (select ? (uint32_t)key << 16 | FW_CFG_DMA_SELECT : 0));
	d->length = htobe32((uint32_t)len);
	d->address = htobe64(udrv_dma_bus(c->buf));
	/* The ordered write puts the descriptor in memory before the doorbell. */
	udrv_write32(c->regs, FW_CFG_DMA_HI, htobe32((uint32_t)(bus >> 32)));
	udrv_write32(c->regs, FW_CFG_DMA_LO, htobe32((uint32_t)bus));
	/* The device clears control when done (QEMU before the write returns). */
	for (i = 0; i < 100000; i++) {
		ctl = be32toh(d->control);
		if (!(ctl & ~FW_CFG_DMA_ERROR))
			return ctl & FW_CFG_DMA_ERROR ? -EIO : 0;
		usleep(10);
	}
	return -ETIMEDOUT;
}

static int fw_cfg_find(struct fw_cfg *c, const char *name, bool print, struct fw_cfg_file *out)
{
	struct fw_cfg_file *f = udrv_dma_cpu(c->buf);
	uint32_t count, i;
	int ret;

	ret = fw_cfg_read_dma(c, FW_CFG_FILE_DIR, true, sizeof(count));
	if (ret)
		return ret;
	count = be32toh(*(uint32_t *)udrv_dma_cpu(c->buf));
	if (count > BUF_SIZE / sizeof(*f))
		count = BUF_SIZE / sizeof(*f);
	ret = fw_cfg_read_dma(c, FW_CFG_FILE_DIR, false, count * sizeof(*f));
	if (ret)
		return ret;
	for (i = 0; i < count; i++) {
		f[i].name[sizeof(f[i].name) - 1] = '\0';
		if (print)
			printf("%8u  0x%04x  %s\n", be32toh(f[i].size), be16toh(f[i].select), f[i].name);
		if (name && !strcmp(name, f[i].name)) {
			*out = f[i];
			return 0;
		}
	}
	return name ? -ENOENT : 0;
}

static int fw_cfg_cat(struct fw_cfg *c, const char *name)
{
	struct fw_cfg_file f;
	size_t left, n;
	bool first = true;
	int ret;

	ret = fw_cfg_find(c, name, false, &f);
	if (ret) {
		fprintf(stderr, "fw-cfg: %s: %s\n", name, strerror(-ret));
		return ret;
	}
	for (left = be32toh(f.size); left; left -= n, first = false) {
		n = left < BUF_SIZE ? left : BUF_SIZE;
		ret = fw_cfg_read_dma(c, be16toh(f.select), first, n);
		if (ret) {
			fprintf(stderr, "fw-cfg: %s: DMA read failed: %s\n", name, strerror(-ret));
			return ret;
		}
		fwrite(udrv_dma_cpu(c->buf), 1, n, stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "info";
	struct fw_cfg c = { 0 };
	uint8_t id[4];
	char sig[5] = "";
	int ret;

	if (strcmp(cmd, "info") && strcmp(cmd, "list") && !(!strcmp(cmd, "cat") && argc == 3)) {
		fprintf(stderr, "usage: fw-cfg info | list | cat NAME\n");
		return 2;
	}
	if (fw_cfg_open(&c))
		return 1;
	fw_cfg_read_pio(&c, FW_CFG_SIGNATURE, sig, 4);
	fw_cfg_read_pio(&c, FW_CFG_ID, id, sizeof(id));
	if (strcmp(sig, "QEMU") || !(id[0] & FW_CFG_F_DMA)) {
		fprintf(stderr, "fw-cfg: signature \"%s\", features 0x%x: not a fw_cfg with DMA\n",
			sig, id[0]);
		ret = -ENODEV;
	} else if (!strcmp(cmd, "info")) {
		printf("%s: signature %s, features 0x%x (DMA), pool %zu bytes at bus 0x%llx\n",
		       udrv_device_name(c.dev), sig, id[0], udrv_device_dma_pool_size(c.dev),
		       (unsigned long long)udrv_dma_bus(c.desc));
		ret = 0;
	} else if (!strcmp(cmd, "list")) {
		ret = fw_cfg_find(&c, NULL, true, NULL);
	} else {
		ret = fw_cfg_cat(&c, argv[2]);
	}
	udrv_device_close(c.dev);
	return ret ? 1 : 0;
}
