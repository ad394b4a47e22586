/* SPDX-License-Identifier: MIT */
/* sysfs.c - root prefix, small-file reading, logging and the last error. */
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The callback and its data change together, from any thread: a mutex
 * keeps the pair whole (the callback is called outside it). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static udrv_log_fn log_fn;
static void *log_data;
static __thread char last_error[512];

UDRV_API void udrv_set_log(udrv_log_fn fn, void *data)
{
	pthread_mutex_lock(&log_lock);
	log_fn = fn;
	log_data = data;
	pthread_mutex_unlock(&log_lock);
}

UDRV_API const char *udrv_last_error(void)
{
	return last_error;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	char msg[sizeof(last_error)];
	udrv_log_fn fn;
	void *data;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level <= UDRV_LOG_ERR)
		memcpy(last_error, msg, sizeof(msg));
	pthread_mutex_lock(&log_lock);
	fn = log_fn;
	data = log_data;
	pthread_mutex_unlock(&log_lock);
	if (fn)
		fn(level, msg, data);
}

void udrv__log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int udrv__fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(UDRV_LOG_ERR, fmt, ap);
	va_end(ap);
	return err;
}

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

/* Not strtoull(s, &end, 0), which reads "010" as 8. */
UDRV_API int udrv_parse_u64(const char *s, uint64_t *val, char **end)
{
	unsigned long long v;
	int base = 10;
	char *e;

	assert(s && val);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)s[0]) || s[1] == 'x' || s[1] == 'X')
			return -EINVAL;
	} else if (!isdigit((unsigned char)s[0])) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &e, base);
	if (errno || (!end && *e))
		return -EINVAL;
	if (end)
		*end = e;
	*val = v;
	return 0;
}
