/* SPDX-License-Identifier: MIT */
/*
 * dt_load.c - where device trees come from: .dtb files, the boot blob
 * (/sys/firmware/fdt) and the live tree (/sys/firmware/devicetree/base,
 * made into a blob with libfdt's sequential writer), and a device's node.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAX_BLOB (16u << 20)

/*
 * The whole of @file in a malloc'ed buffer, sized as stat() says and read
 * again with more room if the file holds more (sysfs says 0 for a
 * "security-*" property).
 */
static int read_blob(const char *file, void **fdt, size_t *len)
{
	struct stat st;
	int n;

	if (stat(file, &st))
		return udrv_error(-errno, "%s: cannot read: %s", file, strerror(errno));
	for (size_t cap = (size_t)st.st_size; cap <= MAX_BLOB; cap = 2 * cap + 4096) {
		char *buf = malloc(cap + 1);

		if (!buf)
			return -ENOMEM;
		n = udrv__read_file(file, buf, cap + 1);
		if (n >= 0) {
			*fdt = buf;
			*len = (size_t)n;
			return 0;
		}
		free(buf);
		if (n != -EFBIG)
			return udrv_error(n, "%s: cannot read: %s", file, strerror(-n));
	}
	return udrv_error(-EFBIG, "%s: larger than %u bytes", file, MAX_BLOB);
}

/* A libfdt error while writing a blob: -E2BIG if it is out of room. */
static int wrote(int err)
{
	return err == -FDT_ERR_NOSPACE ? -E2BIG : err ? -EINVAL : 0;
}

/* Add the live-tree directory @dir as node @name: its files are the
 * properties (which a blob lists before the subnodes), its directories the
 * subnodes. 0, -E2BIG (the blob is full) or -errno. */
static int live_node(void *fdt, const char *dir, const char *name)
{
	char path[UDRV_PATH];
	struct dirent **e;
	int n, err;

	n = scandir(dir, &e, NULL, alphasort);	/* properties in name order */
	if (n < 0)
		return udrv_error(-errno, "%s: cannot open: %s", dir, strerror(errno));
	err = wrote(fdt_begin_node(fdt, name));
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n && !err; i++) {
			const char *d = e[i]->d_name;
			struct stat st;
			void *val;
			size_t len;

			/* "name": the kernel's own property, in no blob dtc writes */
			if (d[0] == '.' || snprintf(path, sizeof(path), "%s/%s", dir, d) >=
			    (int)sizeof(path) || lstat(path, &st))
				continue;
			if (pass == 1 && S_ISDIR(st.st_mode)) {
				err = live_node(fdt, path, d);
			} else if (pass == 0 && S_ISREG(st.st_mode) && strcmp(d, "name")) {
				if ((err = read_blob(path, &val, &len)))
					break;
				err = wrote(fdt_property(fdt, d, val, (int)len));
				free(val);
			}
		}
	}
	for (int i = 0; i < n; i++)
		free(e[i]);
	free(e);
	return err ? err : wrote(fdt_end_node(fdt));
}

/* A blob made from the live tree (sysfs), @path's node in it. */
UDRV_API int udrv_dt_open_live(const char *path, struct udrv_dt **out)
{
	char base[UDRV_PATH];
	int err;

	if (!path || path[0] != '/' || !out)
		return -EINVAL;
	if ((err = udrv__path(base, sizeof(base), "/sys/firmware/devicetree/base")))
		return err;
	for (size_t cap = 64 << 10;; cap *= 2) {
		void *fdt = malloc(cap);

		if (!fdt)
			return -ENOMEM;
		if (!(err = wrote(fdt_create(fdt, (int)cap))) &&
		    !(err = wrote(fdt_finish_reservemap(fdt))) &&
		    !(err = live_node(fdt, base, "")) && !(err = wrote(fdt_finish(fdt))))
			return udrv__dt_open_owned(fdt, fdt_totalsize(fdt), base, path, out);
		free(fdt);
		if (err != -E2BIG)
			return err;
		if (cap >= MAX_BLOB)
			return udrv_error(-EFBIG, "%s: larger than %u bytes", base, MAX_BLOB);
	}
}

UDRV_API int udrv_dt_open_file(const char *dtb, const char *path, struct udrv_dt **out)
{
	void *fdt;
	size_t len;
	int ret;

	if (!dtb || !path || !out)
		return -EINVAL;
	ret = read_blob(dtb, &fdt, &len);
	return ret ? ret : udrv__dt_open_owned(fdt, len, dtb, path, out);
}

UDRV_API int udrv_dt_open_boot(const char *path, struct udrv_dt **out)
{
	char boot[UDRV_PATH];
	int ret;

	if ((ret = udrv__path(boot, sizeof(boot), "/sys/firmware/fdt")))
		return ret;
	if (access(boot, R_OK))
		return udrv_dt_open_live(path, out);
	return udrv_dt_open_file(boot, path, out);
}

UDRV_API int udrv_device_dt_property(const struct udrv_device *dev, const char *name, void *buf,
				     size_t len)
{
	char path[UDRV_PATH + 256];
	off_t size;
	int fd, ret;

	assert(dev);
	if (!name || !name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > 255 || (!buf && len))
		return -EINVAL;
	if (dev->e.source != UDRV_SOURCE_DT)
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), "%s/%s", dev->e.of_node, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	ret = size < 0 || size > INT_MAX ? -EIO : (int)size;
	if (ret >= 0 && len && pread(fd, buf, len, 0) < 0)	/* stops at the end */
		ret = -errno;
	close(fd);
	return ret;
}
