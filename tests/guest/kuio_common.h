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

#include "sh.h"
#include "test_stub_common.h"

#define KUIO_MODULES "/lib/modules/udrv"

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
