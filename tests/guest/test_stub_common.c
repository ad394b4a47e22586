// SPDX-License-Identifier: MIT
#include "test_stub_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int file_read(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return (int)n;
}

int sysfs_read(const char *path, char *buf, size_t len)
{
	int n = file_read(path, buf, len - 1);

	if (n < 0)
		return n;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

long long sysfs_num(const char *path)
{
	char buf[64];

	if (sysfs_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 0);
}

int uio_by_name(const char *name)
{
	char path[64], buf[64];
	int n;

	for (n = 0; n < MAX_UIO; n++) {
		snprintf(path, sizeof(path), "/sys/class/uio/uio%d/name", n);
		if (sysfs_read(path, buf, sizeof(buf)) >= 0 && !strcmp(buf, name))
			return n;
	}
	return -1;
}

long long uio_map_attr(int n, int map, const char *attr)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/%s", n, map, attr);
	return sysfs_num(path);
}

long long uio_events(int n)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/event", n);
	return sysfs_num(path);
}

int uio_open(int n)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/uio%d", n);
	return open(path, O_RDWR | O_CLOEXEC);
}

void *uio_mmap(int fd, int map, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)map * getpagesize());

	return p == MAP_FAILED ? NULL : p;
}

int uio_wait(int fd, int timeout_ms, uint32_t *count)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);

	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	if (read(fd, count, sizeof(*count)) != sizeof(*count))
		return -errno;
	return 1;
}

int uio_irqcontrol(int fd, uint32_t on)
{
	return write(fd, &on, sizeof(on)) == sizeof(on) ? 0 : -errno;
}

int uio_device_dir(int n, char *out, size_t len)
{
	char path[64], real[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device", n);
	if (!realpath(path, real))
		return -errno;
	snprintf(out, len, "%s", real);
	return 0;
}

int uio_rebind(const char *name)
{
	char dev[PATH_MAX], drv[PATH_MAX], path[PATH_MAX + 16];
	const char *base;
	int n = uio_by_name(name), r;

	if (n < 0)
		return -ENODEV;
	if ((r = uio_device_dir(n, dev, sizeof(dev))))
		return r;
	snprintf(path, sizeof(path), "%s/driver", dev);
	if (!realpath(path, drv))
		return -errno;
	base = strrchr(dev, '/') + 1;
	snprintf(path, sizeof(path), "%s/unbind", drv);
	if ((r = sysfs_write(path, base)))
		return r;
	snprintf(path, sizeof(path), "%s/bind", drv);
	return sysfs_write(path, base);
}

const char *board(void)
{
	const char *b = getenv("UDRV_BOARD");

	return b ? b : "";
}

long long mem_available_kb(void)
{
	char buf[4096], *p;

	/* Drop clean caches first: what is left is what the kernel holds. */
	sync();
	sysfs_write("/proc/sys/vm/drop_caches", "3");
	if (sysfs_read("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "MemAvailable:");
	return p ? strtoll(p + strlen("MemAvailable:"), NULL, 10) : -1;
}

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int kmsg_scan(int fd, const char *const *needles, int print)
{
	char rec[2048];
	ssize_t n;
	int found = 0;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (const char *const *s = needles; *s; s++) {
			if (strstr(rec, *s)) {
				if (print)
					printf("kmsg: %s", rec);
				found++;
				break;
			}
		}
	}
	return found;
}

int kmsg_bad_lines(int fd)
{
	static const char *const bad[] = { "Oops", "BUG", "WARNING", NULL };

	return kmsg_scan(fd, bad, 1);
}

void stub_module_params(char *out, size_t len)
{
	static const char *const names[] = {
		"of_id", "ids", "msi", "pci_pool_size", "pci_dma_bits"
	};
	char path[128], val[256];
	size_t used = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && used < len; i++) {
		snprintf(path, sizeof(path), "/sys/module/udrv_uio/parameters/%s", names[i]);
		if (sysfs_read(path, val, sizeof(val)) <= 0 || !strcmp(val, "(null)"))
			continue;
		used += snprintf(out + used, len - used, "%s%s=%s", used ? " " : "",
				 names[i], val);
	}
}

int stub_loaded(void)
{
	return access("/sys/module/udrv_uio", F_OK) == 0;
}

int stub_rmmod(int retries)
{
	for (;;) {
		if (!syscall(SYS_delete_module, "udrv_uio", O_NONBLOCK))
			return 0;
		if (errno != EWOULDBLOCK || retries-- <= 0)
			return -errno;
		usleep(20000);
	}
}

int stub_insmod(const char *params)
{
	int fd = open(STUB_MODULE_PATH, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return r;
}

static sigjmp_buf touch_env;

static void touch_signal(int sig)
{
	siglongjmp(touch_env, sig);
}

int touch32(volatile void *p, int write)
{
	struct sigaction sa = { .sa_handler = touch_signal }, old_bus, old_segv;
	volatile int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(touch_env, 1);
	if (!sig) {
		if (write)
			*(volatile uint32_t *)p = 0;
		else
			(void)*(volatile uint32_t *)p;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

int iommu_present(void)
{
	DIR *d = opendir("/sys/kernel/iommu_groups");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n > 0;
}

int stub_bind_pci(const char *addr, unsigned int pool)
{
	char path[PATH_MAX], val[64], drv[PATH_MAX];
	ssize_t n;
	int r;

	snprintf(val, sizeof(val), "%s %u", addr, pool);
	r = sysfs_write("/sys/bus/pci/drivers/udrv_uio/pool", val);
	if (r)
		return r;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	n = readlink(path, drv, sizeof(drv) - 1);
	drv[n > 0 ? n : 0] = '\0';
	if (n > 0 && strstr(drv, "/udrv_uio")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/uio", addr);
		DIR *d = opendir(path);
		struct dirent *e;
		int u = -1;

		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "uio", 3))
				u = atoi(e->d_name + 3);
		if (d)
			closedir(d);
		if (u >= 0 && uio_map_attr(u, 1, "size") == (long long)pool)
			return 0;
		sysfs_write("/sys/bus/pci/drivers/udrv_uio/unbind", addr);
	} else if (n > 0) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", addr);
		sysfs_write(path, addr);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", addr);
	r = sysfs_write(path, "udrv_uio");
	if (!r)
		r = sysfs_write("/sys/bus/pci/drivers_probe", addr);
	return r;
}
