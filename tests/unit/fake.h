/* SPDX-License-Identifier: MIT */
/*
 * fake.h - a simulated UIO device tree for the host tests.
 *
 * fake_init() makes a temporary directory, points UDRV_ROOT at it and fills
 * it with sysfs-like files. /dev/uioN exists as an empty file; the test is
 * linked with -Wl,--wrap=open64,--wrap=mmap64 so that opening it yields one
 * end of a SOCK_SEQPACKET socket pair (the interrupt: the test sends 4-byte
 * event counts and reads what the library writes to unmask/mask; O_NONBLOCK
 * is honoured), and mapping map K of it maps the regular file /dev/uioN.mapK
 * (the registers or DMA pool). read, write, poll and ppoll are wrapped too
 * (--wrap=read,...), so that a removed node answers as the kernel's UIO core
 * does: read EIO, write EINVAL, poll POLLERR.
 */
#ifndef FAKE_H
#define FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_map {
	const char *name;
	uint64_t addr, size, offset;
};

/* Create the tree; returns its root. fake_cleanup() removes it. */
const char *fake_init(void);
void fake_cleanup(void);

/*
 * A UIO node uio<uio> named @name whose parent is sys/<parent> (created if
 * needed), with @nmaps maps and, if @irq, an interrupt whose counter starts
 * at @event.
 */
void fake_uio(unsigned int uio, const char *name, const char *parent,
	      const struct fake_map *maps, unsigned int nmaps, bool irq, uint32_t event);

/* Give sys/<parent> a DT node /<node> with @compat (NUL-separated, @len bytes). */
void fake_dt(const char *parent, const char *node, const char *compat, size_t len);
/* Add a raw property file to the DT node /<node>. */
void fake_dt_prop(const char *node, const char *prop, const void *val, size_t len);
/* Make sys/<parent> a PCI function: vendor, device and a 256-byte config. */
void fake_pci(const char *parent, uint16_t vendor, uint16_t device);

/* Write / delete a file under the root ("sys/class/uio/uio0/name"). */
void fake_write(const char *rel, const char *content);
void fake_unlink(const char *rel);
void fake_rmdir(const char *rel);

/* The test's view of map @map of uio<uio> (MAP_SHARED with the library). */
void *fake_mem(unsigned int uio, unsigned int map);

/* Signal an interrupt: the kernel's counter is now @count. */
void fake_fire(unsigned int uio, uint32_t count);
/* The last value the library wrote to /dev/uio<uio> (-1 if none since last call). */
long fake_control(unsigned int uio);
/* Make the device vanish as the kernel does at unbind: read fails with EIO,
 * write with EINVAL, poll reports POLLERR (and wakes). */
void fake_remove(unsigned int uio);
/* The next poll that reports uio<uio> readable also consumes its event, as
 * another user of the open file description (a thread, a forked child) may
 * between the library's poll and its read. */
void fake_steal(unsigned int uio);
/* Writes to /dev/uio<uio> fail with ENOSYS, as under a UIO driver without
 * irqcontrol (uio_pci_generic). */
void fake_no_irqcontrol(unsigned int uio);
/* Bind sys/<parent> to kernel driver @driver (its `driver` link). */
void fake_driver(const char *parent, const char *driver);
/* The PCI command register in sys/<parent>/config (fake_pci()); set it. */
unsigned int fake_pci_command(const char *parent);
void fake_set_pci_command(const char *parent, unsigned int cmd);
/* The next open of /dev/uio<uio> renames it to @name first, as if its device
 * had gone and another had taken its number since the library's scan. */
void fake_rename_on_open(unsigned int uio, const char *name);

/*
 * The standard board of the tests (fake_init() first):
 *   uio0 "rtc"         DT /pl031@9010000, "arm,pl031" "arm,primecell";
 *                      map0 "regs" 0x9010000 + 0x1000; irq, counter 5
 *   uio1 "timer"       DT /soc/timer@ff110000, "cdns,ttc", interrupt-names
 *                      "first" "second" "third"; map0 "regs" 0xff110000 +
 *                      0x100; map1 "dma" 0x40000000 + 0x10000; irq, counter 0
 *   uio2 "timer.irq1", uio3 "timer.irq2"   its other interrupts
 *   uio4 "edu"         PCI 0000:00:02.0 1234:11e8; map0 "bar0" 0x10000000 +
 *                      0x100000; map1 "dma" 0x80000000 + 0x4000; irq
 *   uio5 "plain"       no parent; map0 unnamed at unaligned 0x1000100 + 0x40
 *                      reported with offset 0; no irq
 *   uio1 and uio4 are bound to the udrv_uio driver (sys/.../driver).
 *   uio6 "rtc2"        DT /pl031@9020000 "arm,pl031"; map0 "regs" addr
 *                      0x9020000 offset 0x100 size 0x200 (from the page
 *                      start, so a 0x100-byte region); irq
 */
int fake_setup(void **state);
int fake_teardown(void **state);

#endif /* FAKE_H */
