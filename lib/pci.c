/* SPDX-License-Identifier: MIT */
/*
 * pci.c - PCI config space through the function's sysfs "config" file:
 * raw reads and writes, and the typed accessors over them.
 *
 * Config space is little-endian. The kernel turns an aligned 1-, 2- or
 * 4-byte read or write of that file into one config access of that width
 * (drivers/pci/pci-sysfs.c), which is what a device with side effects on
 * access needs; hence the alignment rule.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int udrv__pci_config(const struct udrv_device *dev, unsigned int offset, void *rbuf,
		     const void *wbuf, size_t len)
{
	char path[UDRV_PATH + 16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/config", dev->e.parent);
	fd = open(path, (rbuf ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0)
		return udrv__fail(-errno, "%s: cannot open: %s", path, strerror(errno));
	n = rbuf ? pread(fd, rbuf, len, offset) : pwrite(fd, wbuf, len, offset);
	if (n < 0)
		n = udrv__fail(-errno, "%s: cannot %s %zu bytes at %#x: %s", path,
			       rbuf ? "read" : "write", len, offset, strerror(errno));
	close(fd);
	return (int)n;
}

static int pci_config_io(struct udrv_device *dev, unsigned int offset, void *rbuf,
			 const void *wbuf, size_t len)
{
	assert(dev);
	if ((!rbuf && !wbuf) || !len || len > INT_MAX)
		return -EINVAL;
	if (dev->e.source != UDRV_SOURCE_PCI)
		return -EOPNOTSUPP;
	return udrv__pci_config(dev, offset, rbuf, wbuf, len);
}

UDRV_API int udrv_device_pci_config_read(struct udrv_device *dev, unsigned int offset, void *buf,
					 size_t len)
{
	return pci_config_io(dev, offset, buf, NULL, len);
}

UDRV_API int udrv_device_pci_config_write(struct udrv_device *dev, unsigned int offset,
					  const void *buf, size_t len)
{
	return pci_config_io(dev, offset, NULL, buf, len);
}

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
