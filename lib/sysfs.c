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
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += n;
	}
	/* Full: one more byte means the file does not fit, never cut it short. */
	if (got + 1 == len) {
		char c;

		do
			n = read(fd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n > 0) {
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	buf[got] = '\0';
	return (int)got;
}

int udrv__realpath(const char *path, char *buf, size_t len)
{
	char *r = realpath(path, NULL);
	size_t n;

	if (!r)
		return -errno;
	n = strlen(r);
	if (n >= len) {
		free(r);
		return -ENAMETOOLONG;
	}
	memcpy(buf, r, n + 1);
	free(r);
	return 0;
}

int udrv__read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int n;

	n = udrv__read_file(path, buf, sizeof(buf));
	if (n < 0)
		return udrv__fail(n, "%s: cannot read: %s", path, strerror(-n));
	if (udrv_parse_u64(buf, val, &end))
		return udrv__fail(-EINVAL, "%s: malformed number", path);
	while (*end == '\n' || *end == ' ')
		end++;
	if (*end != '\0')
		return udrv__fail(-EINVAL, "%s: malformed number", path);
	return 0;
}

void udrv__driver_of(const char *dir, char *out, size_t len)
{
	char path[UDRV_PATH + 8], real[UDRV_PATH];
	const char *b;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/driver", dir);
	if (udrv__realpath(path, real, sizeof(real)))
		return;
	b = strrchr(real, '/');
	snprintf(out, len, "%s", b ? b + 1 : real);
}

int udrv__write_attr(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : write(fd, val, len);
	if (n < 0)
		n = -errno;
	else if ((size_t)n != len)
		n = -EIO;
	if (fd >= 0)
		close(fd);
	return n < 0 ? (int)n : 0;
}
