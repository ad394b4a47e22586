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
#include <endian.h>
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
		return udrv_error(-errno, "%s: cannot open: %s", path, strerror(errno));
	n = rbuf ? pread(fd, rbuf, len, offset) : pwrite(fd, wbuf, len, offset);
	if (n < 0)
		n = udrv_error(-errno, "%s: cannot %s %zu bytes at %#x: %s", path,
			       rbuf ? "read" : "write", len, offset, strerror(errno));
	close(fd);
	return (int)n;
}

static int config_io(struct udrv_device *dev, unsigned int offset, void *rbuf,
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
	return config_io(dev, offset, buf, NULL, len);
}

UDRV_API int udrv_device_pci_config_write(struct udrv_device *dev, unsigned int offset,
					  const void *buf, size_t len)
{
	return config_io(dev, offset, NULL, buf, len);
}

/* One aligned access of @bytes at @offset: *@val written, or read into it. */
static int typed(struct udrv_device *dev, unsigned int offset, unsigned int bytes, uint32_t *val,
		 bool write)
{
	char path[UDRV_PATH + 16];
	uint32_t le;	/* its first @bytes bytes are the access's, little-endian */
	struct stat st;
	int n;

	assert(dev);
	if (!val || offset % bytes)
		return -EINVAL;
	if (dev->e.source != UDRV_SOURCE_PCI)
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), "%s/config", dev->e.parent);
	if (stat(path, &st) < 0)
		return udrv_error(-errno, "%s: %s", path, strerror(errno));
	/* 256 bytes (conventional PCI) or 4096 (PCI Express) */
	if (offset >= (uint64_t)st.st_size || bytes > (uint64_t)st.st_size - offset)
		return -ERANGE;
	le = htole32(write ? *val : 0);
	n = udrv__pci_config(dev, offset, write ? NULL : &le, write ? &le : NULL, bytes);
	if (n >= 0 && (unsigned int)n != bytes)
		return write ? udrv_error(-EIO, "%s: short write at offset 0x%x", path, offset) :
		       udrv_error(-EACCES, "%s: offset 0x%x is not readable by this process "
				  "(without CAP_SYS_ADMIN the kernel shows only the header)",
				  path, offset);
	if (n > 0 && !write)
		*val = le32toh(le);
	return n < 0 ? n : 0;
}

/* udrv_device_pci_config_read8/16/32 and _write8/16/32 */
#define TYPED(bits)								\
UDRV_API int udrv_device_pci_config_read##bits(struct udrv_device *dev,		\
					       unsigned int offset, uint##bits##_t *val) \
{										\
	uint32_t v;								\
	int ret = typed(dev, offset, bits / 8, val ? &v : NULL, false);		\
										\
	if (!ret)								\
		*val = (uint##bits##_t)v;					\
	return ret;								\
}										\
UDRV_API int udrv_device_pci_config_write##bits(struct udrv_device *dev,	\
						unsigned int offset, uint##bits##_t val) \
{										\
	uint32_t v = val;							\
										\
	return typed(dev, offset, bits / 8, &v, true);				\
}
TYPED(8)
TYPED(16)
TYPED(32)
