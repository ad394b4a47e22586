/* SPDX-License-Identifier: MIT */
/*
 * pci.c - typed PCI config-space accessors over the function's sysfs
 * "config" file (udrv_device_pci_config_read/_write, device.c).
 *
 * Config space is little-endian. The kernel turns an aligned 1-, 2- or
 * 4-byte read or write of that file into one config access of that width
 * (drivers/pci/pci-sysfs.c), which is what a device with side effects on
 * access needs; hence the alignment rule.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"

/* @bytes of config space at @offset into @rbuf or from @wbuf, checked. */
static int config_access(struct udrv_device *dev, unsigned int offset, unsigned int bytes,
			 uint8_t *rbuf, const uint8_t *wbuf)
{
	char path[UDRV_PATH + 16];
	struct stat st;
	int n;

	assert(dev);
	if (offset % bytes)
		return -EINVAL;
	if (udrv_device_source(dev) != UDRV_SOURCE_PCI)
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), "%s/config", dev->e.parent);
	if (stat(path, &st) < 0)
		return udrv__fail(-errno, "%s: %s", path, strerror(errno));
	/* 256 bytes (conventional PCI) or 4096 (PCI Express) */
	if (offset >= (uint64_t)st.st_size || bytes > (uint64_t)st.st_size - offset)
		return -ERANGE;
	n = rbuf ? udrv_device_pci_config_read(dev, offset, rbuf, bytes)
		 : udrv_device_pci_config_write(dev, offset, wbuf, bytes);
	if (n < 0)
		return n;
	if ((unsigned int)n == bytes)
		return 0;
	if (rbuf)
		return udrv__fail(-EACCES, "%s: offset 0x%x is not readable by this process "
				  "(without CAP_SYS_ADMIN the kernel shows only the header)",
				  path, offset);
	return udrv__fail(-EIO, "%s: short write at offset 0x%x", path, offset);
}

static int config_read(struct udrv_device *dev, unsigned int offset, unsigned int bytes,
		       uint32_t *val)
{
	uint8_t b[4];
	uint32_t v = 0;
	int ret;

	assert(dev);
	if (!val)
		return -EINVAL;
	ret = config_access(dev, offset, bytes, b, NULL);
	if (ret)
		return ret;
	for (unsigned int i = bytes; i-- > 0;)
		v = v << 8 | b[i];
	*val = v;
	return 0;
}

static int config_write(struct udrv_device *dev, unsigned int offset, unsigned int bytes,
			uint32_t val)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	return config_access(dev, offset, bytes, NULL, b);
}

UDRV_API int udrv_device_pci_config_read8(struct udrv_device *dev, unsigned int offset,
					  uint8_t *val)
{
	uint32_t v;
	int ret;

	assert(dev);
	if (!val)
		return -EINVAL;
	ret = config_read(dev, offset, 1, &v);
	if (!ret)
		*val = (uint8_t)v;
	return ret;
}

UDRV_API int udrv_device_pci_config_read16(struct udrv_device *dev, unsigned int offset,
					   uint16_t *val)
{
	uint32_t v;
	int ret;

	assert(dev);
	if (!val)
		return -EINVAL;
	ret = config_read(dev, offset, 2, &v);
	if (!ret)
		*val = (uint16_t)v;
	return ret;
}

UDRV_API int udrv_device_pci_config_read32(struct udrv_device *dev, unsigned int offset,
					   uint32_t *val)
{
	return config_read(dev, offset, 4, val);
}

UDRV_API int udrv_device_pci_config_write8(struct udrv_device *dev, unsigned int offset,
					   uint8_t val)
{
	return config_write(dev, offset, 1, val);
}

UDRV_API int udrv_device_pci_config_write16(struct udrv_device *dev, unsigned int offset,
					    uint16_t val)
{
	return config_write(dev, offset, 2, val);
}

UDRV_API int udrv_device_pci_config_write32(struct udrv_device *dev, unsigned int offset,
					    uint32_t val)
{
	return config_write(dev, offset, 4, val);
}
