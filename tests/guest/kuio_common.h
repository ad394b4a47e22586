/* SPDX-License-Identifier: MIT */
/*
 * kuio_common.h - for the suites that run udrv over the kernel's own UIO
 * drivers (test_genirq.c, test_pci_generic.c, test_bind_pool.c): shell
 * commands with their output, module loading (sysfs writes: test_stub_common).
 */
#ifndef KUIO_COMMON_H
#define KUIO_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_stub_common.h"

#define KUIO_MODULES "/lib/modules/udrv"

/* Output (stdout and stderr) of the last sh(). */
static char sh_out[8192];

/* Run a shell command; its exit status (-1 if it could not run). */
__attribute__((format(printf, 1, 2), unused))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	size_t got = 0, n;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (got + 1 < sizeof(sh_out) && (n = fread(sh_out + got, 1, sizeof(sh_out) - 1 - got, p)))
		got += n;
	sh_out[got] = '\0';
	st = pclose(p);
	printf("# $ %s -> %d\n%s", cmd, WIFEXITED(st) ? WEXITSTATUS(st) : -1, sh_out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Load /lib/modules/udrv/@name.ko with @params unless it is loaded; 0 or -errno. */
__attribute__((unused))
static int kuio_load(const char *name, const char *params)
{
	char path[256];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, sizeof(path), KUIO_MODULES "/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return r;
}

#endif /* KUIO_COMMON_H */
