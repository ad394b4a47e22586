/* SPDX-License-Identifier: MIT */
/*
 * irq.c - a device's interrupts: one UIO node each.
 *
 * read(4 bytes) on /dev/uioN returns the event counter once it has moved;
 * poll() reports POLLIN then. The nodes are opened O_NONBLOCK, so a read
 * finding the event already consumed (by another thread or a forked child
 * sharing the open file description) fails with EAGAIN instead of blocking.
 * Writing a 32-bit 1/0 unmasks/masks the line (irqcontrol). UIO drivers
 * without irqcontrol fail that write with ENOSYS; on a PCI function
 * (uio_pci_generic) the line is then (un)masked in the PCI command register
 * instead (intx_control()). A node without an interrupt
 * fails read with EIO and polls POLLERR. A node whose device is gone does
 * too, except that write fails with EINVAL (the UIO core's choice).
 */
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int udrv__has_irq(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* poll() on a node without an interrupt says POLLERR (uio_poll()) */
	if (poll(&p, 1, 0) < 0)
		return -1;
	return !(p.revents & (POLLERR | POLLNVAL));
}

int udrv__irq_setup(struct udrv_device *dev)
{
	char path[UDRV_PATH];
	uint64_t count;
	int ret;

	for (unsigned int i = 0; i < dev->e.nnodes; i++) {
		const struct udrv__node *node = &dev->e.nodes[i];
		struct udrv_irq *irq = &dev->irqs[dev->nirqs];
		int fd = dev->fd;

		if (i > 0) {
			if ((ret = udrv__path(path, sizeof(path), "/dev/uio%u", node->uio)))
				return ret;
			fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
			if (fd < 0)
				return udrv_error(-errno, "%s: cannot open: %s", path,
						  strerror(errno));
			if ((ret = udrv__verify_node(&dev->e, node, fd))) {
				close(fd);
				return ret;
			}
		}
		if (udrv__has_irq(fd) != 1) {
			if (i > 0)
				close(fd);
			continue;
		}
		*irq = (struct udrv_irq){ .dev = dev, .index = node->irq_index, .uio = node->uio,
					  .fd = fd };
		dev->nirqs++;
		if ((ret = udrv__path(path, sizeof(path), "/sys/class/uio/uio%u/event", node->uio)))
			return ret;
		if ((ret = udrv__read_u64(path, &count)))
			return ret;
		irq->count = (uint32_t)count;
	}
	return 0;
}

void udrv__irq_teardown(struct udrv_device *dev)
{
	for (unsigned int i = 0; i < dev->nirqs; i++)
		if (dev->irqs[i].fd >= 0 && dev->irqs[i].fd != dev->fd)
			close(dev->irqs[i].fd);
	dev->nirqs = 0;
}

UDRV_API unsigned int udrv_device_num_irqs(const struct udrv_device *dev)
{
	assert(dev);
	return dev->nirqs;
}

UDRV_API int udrv_device_irq(struct udrv_device *dev, unsigned int index, struct udrv_irq **out)
{
	assert(dev);
	if (!out)
		return -EINVAL;
	for (unsigned int i = 0; i < dev->nirqs; i++) {
		if (dev->irqs[i].index == index) {
			*out = &dev->irqs[i];
			return 0;
		}
	}
	return udrv_error(-ENOENT, "%s: no interrupt %u", dev->e.nodes[0].name, index);
}

UDRV_API int udrv_device_irq_by_name(struct udrv_device *dev, const char *name,
				     struct udrv_irq **out)
{
	unsigned int index = 0;
	char names[512];
	int len;

	assert(dev);
	if (!name || !out)
		return -EINVAL;
	len = udrv_device_dt_property(dev, "interrupt-names", names, sizeof(names) - 1);
	if (len < 0)
		return udrv_error(-ENOENT, "%s: no interrupt-names", dev->e.nodes[0].name);
	len = len < (int)sizeof(names) - 1 ? len : (int)sizeof(names) - 1;
	names[len] = '\0';
	for (int i = 0; i < len; i += (int)strlen(names + i) + 1, index++)
		if (!strcmp(names + i, name))
			return udrv_device_irq(dev, index, out);
	return udrv_error(-ENOENT, "%s: no interrupt named \"%s\"", dev->e.nodes[0].name, name);
}

UDRV_API unsigned int udrv_irq_index(const struct udrv_irq *irq)
{
	assert(irq);
	return irq->index;
}

UDRV_API struct udrv_device *udrv_irq_device(const struct udrv_irq *irq)
{
	assert(irq);
	return irq->dev;
}

static int gone(struct udrv_irq *irq)
{
	irq->dev->gone = true;	/* the checked register accessors stop too */
	return udrv_error(-ENODEV, "%s: the device was removed (uio%u)", irq->dev->e.nodes[0].name,
			  irq->uio);
}

/* Interrupt Disable, bit 10 of the PCI command register (PCI Local Bus
 * 3.0, 6.2.2), which uio_pci_generic's handler sets. */
#define PCI_COMMAND		0x04
#define PCI_COMMAND_INTX_DISABLE	0x0400

/*
 * Unmask (@on) or mask INTx by clearing or setting Interrupt Disable,
 * read-modify-write of the 16-bit (little-endian) register through sysfs
 * config, as DPDK does for uio_pci_generic. The handler only ever sets the
 * bit, and only while it is clear: it cannot fire between our read and
 * write of an unmask, and a mask it races with ends masked either way.
 */
static int intx_control(struct udrv_irq *irq, uint32_t on)
{
	struct udrv_device *dev = irq->dev;
	uint16_t cmd;
	int n;

	/* Unbound from UIO (its node polls POLLERR, as if it had no interrupt):
	 * the config file of the function is still there. */
	if (!udrv__has_irq(irq->fd))
		return gone(irq);
	n = udrv__pci_config(dev, PCI_COMMAND, &cmd, NULL, sizeof(cmd));
	if (n == sizeof(cmd)) {
		cmd = htole16(on ? le16toh(cmd) & ~PCI_COMMAND_INTX_DISABLE
				 : le16toh(cmd) | PCI_COMMAND_INTX_DISABLE);
		n = udrv__pci_config(dev, PCI_COMMAND, NULL, &cmd, sizeof(cmd));
	}
	if (n == -ENOENT || n == -ENODEV)	/* the function itself is gone */
		return gone(irq);
	if (n >= 0 && n != sizeof(cmd))
		return udrv_error(-EIO, "%s: short PCI config access to the command register",
				  dev->e.nodes[0].name);
	return n < 0 ? n : 0;
}

static int control(struct udrv_irq *irq, uint32_t on)
{
	ssize_t n;
	int err;

	assert(irq);
	if (irq->dev->gone)
		return udrv_error(-ENODEV, "%s: the device was removed", irq->dev->e.nodes[0].name);
	if (irq->intx)
		return intx_control(irq, on);
	do
		n = write(irq->fd, &on, sizeof(on));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(on))
		return 0;
	err = n < 0 ? errno : EIO;
	/* The UIO core answers a well-formed write to a removed device with
	 * EINVAL; the node polls POLLERR then, which tells it from an
	 * irqcontrol that refused the value. */
	if (err == EIO || err == ENODEV || (err == EINVAL && !udrv__has_irq(irq->fd)))
		return gone(irq);
	if (err == ENOSYS && irq->dev->e.source == UDRV_SOURCE_PCI) {
		irq->intx = true;	/* uio_pci_generic: from now on, config space */
		return intx_control(irq, on);
	}
	if (err == ENOSYS)
		return udrv_error(-ENOSYS, "%s: its UIO driver (%s) has no irqcontrol: the "
				  "interrupt cannot be %smasked from userspace",
				  irq->dev->e.nodes[0].name,
				  irq->dev->e.driver[0] ? irq->dev->e.driver : "unknown",
				  on ? "un" : "");
	return udrv_error(-err, "%s: cannot %smask the interrupt (uio%u): %s",
			  irq->dev->e.nodes[0].name, on ? "un" : "", irq->uio, strerror(err));
}

UDRV_API int udrv_irq_unmask(struct udrv_irq *irq)
{
	return control(irq, 1);
}

UDRV_API int udrv_irq_mask(struct udrv_irq *irq)
{
	return control(irq, 0);
}

UDRV_API int udrv_irq_wait(struct udrv_irq *irq, uint64_t timeout_ns)
{
	return udrv_irq_wait_until(irq, udrv_deadline_ns(timeout_ns));
}

UDRV_API int udrv_irq_wait_until(struct udrv_irq *irq, uint64_t deadline)
{
	struct timespec ts;
	uint32_t count, delta;
	ssize_t n;
	int ret;

	assert(irq);
	if (irq->dev->gone)
		return udrv_error(-ENODEV, "%s: the device was removed", irq->dev->e.nodes[0].name);
	for (;;) {
		struct pollfd p = { .fd = irq->fd, .events = POLLIN };

		ret = ppoll(&p, 1, udrv__timespec(udrv_left_ns(deadline), &ts), NULL);
		if (ret < 0)
			return errno == EINTR ? -EINTR : udrv_error(-errno, "uio%u: poll: %s",
								 irq->uio, strerror(errno));
		if (ret == 0)
			return 0;
		if (p.revents & POLLNVAL)
			return udrv_error(-EBADF, "uio%u: the node's fd is closed", irq->uio);
		n = read(irq->fd, &count, sizeof(count));
		if (n >= 0 || errno != EAGAIN)
			break;
		/* Someone sharing the node consumed the event: wait on, if there is time. */
		if (!udrv_left_ns(deadline))
			return 0;
	}
	if (n < 0 && errno == EINTR)
		return -EINTR;
	if (n != sizeof(count)) {
		if (n >= 0 || errno == EIO || errno == ENODEV || errno == ECONNRESET)
			return gone(irq);
		return udrv_error(-errno, "uio%u: read: %s", irq->uio, strerror(errno));
	}
	delta = count - irq->count;
	if (delta > 1)
		irq->missed += delta - 1;
	irq->count = count;
	return 1;
}

UDRV_API int udrv_irq_flush(struct udrv_irq *irq)
{
	int ret, seen = 0;

	while ((ret = udrv_irq_wait(irq, 0)) == 1)
		seen = 1;
	if (ret < 0 || (ret = udrv_irq_unmask(irq)) < 0)
		return ret;
	return seen;
}

UDRV_API int udrv_irq_fd(const struct udrv_irq *irq)
{
	assert(irq);
	return irq->fd;
}

UDRV_API uint32_t udrv_irq_count(const struct udrv_irq *irq)
{
	assert(irq);
	return irq->count;
}

UDRV_API uint64_t udrv_irq_missed(const struct udrv_irq *irq)
{
	assert(irq);
	return irq->missed;
}
