/* SPDX-License-Identifier: MIT */
/*
 * sysfs.c - the files the library reads and writes: paths under the root
 * prefix (UDRV_ROOT, for the tests' fake trees), small files whole, links.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *udrv__root(void)
{
	const char *root = getenv("UDRV_ROOT");

	return root ? root : "";
}

int udrv__path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	n = snprintf(buf, len, "%s", udrv__root());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

int udrv__read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Up to @len bytes: a file that fills @buf does not fit, and is never cut short. */
	while (got < len && ((n = read(fd, buf + got, len - got)) > 0 || (n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	if (n < 0)
		n = -errno;
	else if (got == len)
		n = -EFBIG;
	else
		buf[got] = '\0';
	close(fd);
	return n < 0 ? (int)n : (int)got;
}

int udrv__read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int n;

	n = udrv__read_file(path, buf, sizeof(buf));
	if (n < 0)
		return udrv_error(n, "%s: cannot read: %s", path, strerror(-n));
	if (udrv_parse_u64(buf, val, &end) || end[strspn(end, " \n")])
		return udrv_error(-EINVAL, "%s: malformed number", path);
	return 0;
}

void udrv__driver_of(const char *dir, char *out, size_t len)
{
	char path[UDRV_PATH + 8], real[UDRV_PATH];

	snprintf(path, sizeof(path), "%s/driver", dir);
	snprintf(out, len, "%s", realpath(path, real) ? strrchr(real, '/') + 1 : "");
}

int udrv__write_attr(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	ret = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return ret;
}
