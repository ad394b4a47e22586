/* SPDX-License-Identifier: MIT */
/* log.c - the log callback and each thread's last error. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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


UDRV_API int udrv_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(UDRV_LOG_ERR, fmt, ap);
	va_end(ap);
	return err;
}
