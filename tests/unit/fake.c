/* SPDX-License-Identifier: MIT */
/* fake.c - see fake.h. Aborts (through cmocka's fail) on any setup error. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "fake.h"

#define MAX_UIO 16
#define MAX_FD 1024

static char root[64];
static struct node {
	bool used, irq;
	bool steal;		/* fake_steal() */
	bool no_irqcontrol;	/* fake_no_irqcontrol() */
	char rename[64];	/* fake_rename_on_open() */
	unsigned int nmaps;
	uint64_t size[8];
	void *mem[8];
	int peer;		/* the test's end of the interrupt socket pair */
} nodes[MAX_UIO];
static int fd_node[MAX_FD];	/* library fd -> uio + 1, 0 if not a fake node */
static ino_t fd_ino[MAX_FD];	/* ... while the fd is still that socket */
static bool fd_removed[MAX_FD];	/* fake_remove(): answer as the kernel does */

int __real_open64(const char *path, int flags, ...);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask);

static void check(bool ok, const char *what)
{
	if (!ok)
		fail_msg("fake: %s: %s", what, strerror(errno));
}

static void mkpath(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		check(!mkdir(p, 0755) || errno == EEXIST, p);
		*s = '/';
	}
	check(!mkdir(p, 0755) || errno == EEXIST, p);
}

static void write_raw(const char *rel, const void *buf, size_t len)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = __real_open64(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0, p);
	check(write(fd, buf, len) == (ssize_t)len, p);
	close(fd);
}

void fake_write(const char *rel, const char *content)
{
	write_raw(rel, content, strlen(content));
}

void fake_unlink(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	check(!unlink(p), p);
}

void fake_rmdir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	check(!rmdir(p), p);
}

static void map_attr(const char *rel, unsigned int m, const char *attr, const char *val)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/maps/map%u/%s", rel, m, attr);
	fake_write(p, val);
}

const char *fake_init(void)
{
	memset(nodes, 0, sizeof(nodes));
	memset(fd_node, 0, sizeof(fd_node));
	snprintf(root, sizeof(root), "/tmp/udrv-unit-XXXXXX");
	check(mkdtemp(root) != NULL, "mkdtemp");
	setenv("UDRV_ROOT", root, 1);
	mkpath("sys/class/uio");
	mkpath("dev");
	mkpath("sys/firmware/devicetree/base");
	return root;
}

static int rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

void fake_cleanup(void)
{
	for (unsigned int i = 0; i < MAX_UIO; i++) {
		for (unsigned int m = 0; m < nodes[i].nmaps; m++)
			munmap(nodes[i].mem[m], nodes[i].size[m]);
		if (nodes[i].peer > 0)
			close(nodes[i].peer);
	}
	memset(nodes, 0, sizeof(nodes));
	nftw(root, rm, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("UDRV_ROOT");
}

void fake_uio(unsigned int uio, const char *name, const char *parent,
	      const struct fake_map *maps, unsigned int nmaps, bool irq, uint32_t event)
{
	char rel[256], buf[64], p[PATH_MAX], target[PATH_MAX];
	struct node *n = &nodes[uio];
	long pg = sysconf(_SC_PAGESIZE);

	snprintf(rel, sizeof(rel), "sys/class/uio/uio%u", uio);
	mkpath(rel);
	snprintf(p, sizeof(p), "%s/name", rel);
	snprintf(buf, sizeof(buf), "%s\n", name);
	fake_write(p, buf);
	snprintf(p, sizeof(p), "%s/event", rel);
	snprintf(buf, sizeof(buf), "%u\n", event);
	fake_write(p, buf);
	snprintf(p, sizeof(p), "%s/dev", rel);
	fake_write(p, "0:0\n");	/* the fake nodes (sockets, pipes) have st_rdev 0 */
	if (parent) {
		snprintf(p, sizeof(p), "sys/%s", parent);
		mkpath(p);
		snprintf(target, sizeof(target), "%s/sys/%s", root, parent);
		snprintf(p, sizeof(p), "%s/%s/device", root, rel);
		check(!symlink(target, p), p);
	}
	for (unsigned int m = 0; m < nmaps; m++) {
		int fd;
		size_t len = (size_t)(((maps[m].addr & (pg - 1)) + maps[m].size + pg - 1) &
				      ~(uint64_t)(pg - 1));
		snprintf(p, sizeof(p), "%s/maps/map%u", rel, m);
		mkpath(p);
		snprintf(buf, sizeof(buf), "0x%llx\n", (unsigned long long)maps[m].addr);
		map_attr(rel, m, "addr", buf);
		snprintf(buf, sizeof(buf), "0x%llx\n", (unsigned long long)maps[m].size);
		map_attr(rel, m, "size", buf);
		snprintf(buf, sizeof(buf), "0x%llx\n", (unsigned long long)maps[m].offset);
		map_attr(rel, m, "offset", buf);
		if (maps[m].name) {
			snprintf(buf, sizeof(buf), "%s\n", maps[m].name);
			map_attr(rel, m, "name", buf);
		}
		snprintf(p, sizeof(p), "%s/dev/uio%u.map%u", root, uio, m);
		fd = __real_open64(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
		check(fd >= 0 && !ftruncate(fd, (off_t)len), p);
		n->mem[m] = __real_mmap64(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		check(n->mem[m] != MAP_FAILED, p);
		n->size[m] = len;
		close(fd);
	}
	snprintf(p, sizeof(p), "dev/uio%u", uio);
	fake_write(p, "");
	n->used = true;
	n->irq = irq;
	n->nmaps = nmaps;
	n->peer = -1;
}

void fake_dt(const char *parent, const char *node, const char *compat, size_t len)
{
	char p[PATH_MAX], target[PATH_MAX];

	snprintf(p, sizeof(p), "sys/firmware/devicetree/base/%s", node);
	mkpath(p);
	snprintf(p, sizeof(p), "sys/firmware/devicetree/base/%s/compatible", node);
	write_raw(p, compat, len);
	snprintf(target, sizeof(target), "%s/sys/firmware/devicetree/base/%s", root, node);
	snprintf(p, sizeof(p), "%s/sys/%s/of_node", root, parent);
	check(!symlink(target, p), p);
}

void fake_dt_prop(const char *node, const char *prop, const void *val, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "sys/firmware/devicetree/base/%s/%s", node, prop);
	write_raw(p, val, len);
}

void fake_pci(const char *parent, uint16_t vendor, uint16_t device)
{
	char p[PATH_MAX], buf[32];
	uint8_t config[256] = { 0 };

	snprintf(p, sizeof(p), "sys/%s/vendor", parent);
	snprintf(buf, sizeof(buf), "0x%04x\n", vendor);
	fake_write(p, buf);
	snprintf(p, sizeof(p), "sys/%s/device", parent);
	snprintf(buf, sizeof(buf), "0x%04x\n", device);
	fake_write(p, buf);
	config[0] = vendor & 0xff;
	config[1] = vendor >> 8;
	config[2] = device & 0xff;
	config[3] = device >> 8;
	snprintf(p, sizeof(p), "sys/%s/config", parent);
	write_raw(p, config, sizeof(config));
}

void *fake_mem(unsigned int uio, unsigned int map)
{
	return nodes[uio].mem[map];
}

void fake_fire(unsigned int uio, uint32_t count)
{
	check(nodes[uio].peer >= 0, "fire: not open");
	check(send(nodes[uio].peer, &count, sizeof(count), 0) == sizeof(count), "fire");
}

long fake_control(unsigned int uio)
{
	uint32_t v;
	long last = -1;

	while (recv(nodes[uio].peer, &v, sizeof(v), MSG_DONTWAIT) == sizeof(v))
		last = v;
	return last;
}

static struct node *fake_fd(int fd);

void fake_remove(unsigned int uio)
{
	close(nodes[uio].peer);	/* wakes a poll or read in progress */
	nodes[uio].peer = -1;
	for (int fd = 0; fd < MAX_FD; fd++)
		if (fd_node[fd] == (int)uio + 1 && fake_fd(fd))
			fd_removed[fd] = true;
}

void fake_steal(unsigned int uio)
{
	nodes[uio].steal = true;
}

void fake_no_irqcontrol(unsigned int uio)
{
	nodes[uio].no_irqcontrol = true;
}

void fake_driver(const char *parent, const char *driver)
{
	char p[PATH_MAX], target[PATH_MAX];

	snprintf(p, sizeof(p), "sys/bus/fake/drivers/%s", driver);
	mkpath(p);
	snprintf(target, sizeof(target), "%s/sys/bus/fake/drivers/%s", root, driver);
	snprintf(p, sizeof(p), "%s/sys/%s/driver", root, parent);
	unlink(p);
	check(!symlink(target, p), p);
}

unsigned int fake_pci_command(const char *parent)
{
	char p[PATH_MAX];
	uint8_t b[2];
	int fd;

	snprintf(p, sizeof(p), "%s/sys/%s/config", root, parent);
	fd = __real_open64(p, O_RDONLY);
	check(fd >= 0 && pread(fd, b, 2, 4) == 2, p);
	close(fd);
	return b[0] | b[1] << 8;
}

void fake_set_pci_command(const char *parent, unsigned int cmd)
{
	char p[PATH_MAX];
	uint8_t b[2] = { (uint8_t)cmd, (uint8_t)(cmd >> 8) };
	int fd;

	snprintf(p, sizeof(p), "%s/sys/%s/config", root, parent);
	fd = __real_open64(p, O_WRONLY);
	check(fd >= 0 && pwrite(fd, b, 2, 4) == 2, p);
	close(fd);
}

void fake_rename_on_open(unsigned int uio, const char *name)
{
	snprintf(nodes[uio].rename, sizeof(nodes[uio].rename), "%s", name);
}

/* ---- the wrapped system calls ---- */

int __wrap_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...)
{
	size_t rl = strlen(root);
	unsigned int uio;
	char *end;
	int mode = 0, fd;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	fd = __real_open64(path, flags, mode);
	if (fd < 0 || fd >= MAX_FD)
		return fd;
	fd_node[fd] = 0;
	if (!rl || strncmp(path, root, rl) || strncmp(path + rl, "/dev/uio", 8))
		return fd;
	uio = (unsigned int)strtoul(path + rl + 8, &end, 10);
	if (*end || uio >= MAX_UIO || !nodes[uio].used)
		return fd;
	close(fd);
	if (nodes[uio].rename[0]) {
		char rel[64], buf[80];

		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/name", uio);
		snprintf(buf, sizeof(buf), "%s\n", nodes[uio].rename);
		fake_write(rel, buf);
		nodes[uio].rename[0] = '\0';
	}
	int sv[2];

	if (nodes[uio].irq) {
		check(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
		if (flags & O_NONBLOCK)
			check(!fcntl(sv[0], F_SETFL, O_NONBLOCK), "O_NONBLOCK");
		if (nodes[uio].peer >= 0)
			close(nodes[uio].peer);
		nodes[uio].peer = sv[1];
		fd = sv[0];
	} else {
		/* A pipe's write end whose reader is gone polls as POLLERR,
		 * like a UIO node without an interrupt. */
		check(!pipe2(sv, O_CLOEXEC), "pipe");
		close(sv[0]);
		fd = sv[1];
	}
	if (fd < MAX_FD) {
		struct stat st;

		check(!fstat(fd, &st), "fstat");
		fd_node[fd] = (int)uio + 1;
		fd_ino[fd] = st.st_ino;
		fd_removed[fd] = false;
	}
	return fd;
}

/* The fake node behind a library fd, or NULL. */
static struct node *fake_fd(int fd)
{
	struct stat st;

	if (fd < 0 || fd >= MAX_FD || !fd_node[fd] || fstat(fd, &st) || st.st_ino != fd_ino[fd])
		return NULL;
	return &nodes[fd_node[fd] - 1];
}

/* The UIO core on a removed device: read fails with EIO, write with EINVAL. */
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	if (fake_fd(fd) && fd_removed[fd]) {
		errno = EIO;
		return -1;
	}
	return __real_read(fd, buf, len);
}

ssize_t __wrap_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	struct node *nd = fake_fd(fd);

	if (nd && fd_removed[fd]) {
		errno = EINVAL;
		return -1;
	}
	if (nd && nd->no_irqcontrol) {	/* uio_write() without info->irqcontrol */
		errno = ENOSYS;
		return -1;
	}
	return __real_write(fd, buf, len);
}

/* After a poll: a removed node reports POLLERR (with POLLHUP and POLLIN, from
 * the socket whose peer is gone); a node told to fake_steal() loses the event
 * it just reported readable. */
static int polled(struct pollfd *fds, nfds_t n, int ret)
{
	for (nfds_t i = 0; ret > 0 && i < n; i++) {
		struct node *nd = fake_fd(fds[i].fd);
		uint32_t v;

		if (!nd)
			continue;
		if (fd_removed[fds[i].fd])
			fds[i].revents |= POLLERR;
		if (nd->steal && (fds[i].revents & POLLIN) && nd->peer >= 0) {
			nd->steal = false;
			check(recv(fds[i].fd, &v, sizeof(v), MSG_DONTWAIT) == sizeof(v), "steal");
		}
	}
	return ret;
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return polled(fds, n, __real_poll(fds, n, timeout));
}

int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask);
int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	return polled(fds, n, __real_ppoll(fds, n, ts, mask));
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long pg = sysconf(_SC_PAGESIZE);
	char p[PATH_MAX];
	void *ret;
	int mfd;

	if (fd < 0 || fd >= MAX_FD || !fd_node[fd])
		return __real_mmap64(addr, len, prot, flags, fd, off);
	snprintf(p, sizeof(p), "%s/dev/uio%d.map%ld", root, fd_node[fd] - 1, (long)(off / pg));
	mfd = __real_open64(p, O_RDWR);
	if (mfd < 0)
		return MAP_FAILED;
	ret = __real_mmap64(addr, len, prot, flags, mfd, 0);
	close(mfd);
	return ret;
}

static const char rtc_compat[] = "arm,pl031\0arm,primecell";
static const char ttc_compat[] = "cdns,ttc";
static const char irq_names[] = "first\0second\0third";

int fake_setup(void **state)
{
	static const struct fake_map rtc[] = { { "regs", 0x9010000, 0x1000, 0 } };
	static const struct fake_map ttc[] = { { "regs", 0xff110000, 0x100, 0 },
					       { "dma", 0x40000000, 0x10000, 0 } };
	static const struct fake_map edu[] = { { "bar0", 0x10000000, 0x100000, 0 },
					       { "dma", 0x80000000, 0x4000, 0 } };
	static const struct fake_map plain[] = { { NULL, 0x1000100, 0x40, 0 } };
	static const struct fake_map rtc2[] = { { "regs", 0x9020000, 0x200, 0x100 } };

	(void)state;
	fake_init();
	fake_uio(0, "rtc", "devices/platform/9010000.pl031", rtc, 1, true, 5);
	fake_dt("devices/platform/9010000.pl031", "pl031@9010000", rtc_compat, sizeof(rtc_compat));
	fake_uio(1, "timer", "devices/platform/ff110000.timer", ttc, 2, true, 0);
	fake_uio(2, "timer.irq1", "devices/platform/ff110000.timer", NULL, 0, true, 0);
	fake_uio(3, "timer.irq2", "devices/platform/ff110000.timer", NULL, 0, true, 0);
	fake_dt("devices/platform/ff110000.timer", "soc/timer@ff110000", ttc_compat,
		sizeof(ttc_compat));
	fake_dt_prop("soc/timer@ff110000", "interrupt-names", irq_names, sizeof(irq_names));
	fake_uio(4, "edu", "devices/pci0000:00/0000:00:02.0", edu, 2, true, 0);
	fake_pci("devices/pci0000:00/0000:00:02.0", 0x1234, 0x11e8);
	fake_uio(5, "plain", NULL, plain, 1, false, 0);
	fake_uio(6, "rtc2", "devices/platform/9020000.pl031", rtc2, 1, true, 0);
	/* Bound to the stub: their maps named "dma" are pools. */
	fake_driver("devices/platform/ff110000.timer", "udrv_uio");
	fake_driver("devices/pci0000:00/0000:00:02.0", "udrv_uio");
	fake_dt("devices/platform/9020000.pl031", "pl031@9020000", rtc_compat, sizeof(rtc_compat));
	return 0;
}

int fake_teardown(void **state)
{
	(void)state;
	fake_cleanup();
	return 0;
}
