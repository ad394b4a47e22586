/* SPDX-License-Identifier: MIT */
/*
 * tool.h - the parts of the udrv command-line tool shared between its files.
 *
 * Exit status: 0 done, 1 the operation failed (the device, the kernel or a
 * permission said no), 2 bad usage (unknown option, malformed number, wrong
 * device, region, offset, width or value). Every failure prints one line on
 * stderr, "udrv CMD: what was wrong".
 */
#ifndef UDRV_TOOL_H
#define UDRV_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udrv.h"

#define EXIT_USAGE 2
#define TOOL_PATH 512

/* A UIO device as libudrv lists it (udrv_device_foreach), copied out. */
struct target {
	unsigned int uio, nodes;
	char name[64];
	enum udrv_source source;
	char dt_path[256];
	char pci[32];
	uint16_t vendor, device;
};

/* Print "udrv CMD: MSG" on stderr; return @status. */
int report(int status, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "/sys/..." under $UDRV_ROOT (as libudrv does); 0 or -ENAMETOOLONG. */
int syspath(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Read a small sysfs file, trailing newline dropped; length or -errno. */
int sysread(const char *path, char *buf, size_t len);
/* Write a string to a sysfs file; 0 or -errno. */
int syswrite(const char *path, const char *val);
/* Basename of the driver bound to the sysfs device @dev ("" if none). */
void driver_of(const char *dev, char *out, size_t len);

/* The N of every /sys/class/uio/uioN, ascending, into @out; the count (at
 * most @max), 0 if there is no UIO class. */
int uio_numbers(unsigned int *out, int max);

/* Normalise "bb:dd.f" / "dddd:bb:dd.f" into @out ("0000:00:02.0"); 0 or -EINVAL. */
int pci_address(const char *s, char *out, size_t len);

/*
 * Find the UIO device named by @spec: uioN, its UIO name, its DT path or its
 * PCI address. 0 and *@t filled; -ENOENT none (nothing printed);
 * another -errno if the devices cannot be listed.
 */
int find_target(const char *spec, struct target *t);
/* find_target() with the failure explained; 0 or an exit status. */
int need_target(const char *cmd, const char *spec, struct target *t);

/*
 * The whole tool: argv as main() gets it; returns the exit status. It never
 * calls exit(), so the host tests (and a fuzzer) call it in-process; build
 * main.c with -DUDRV_TOOL_NO_MAIN for that.
 */
int udrv_tool_main(int argc, char **argv);

/* Sub-commands in bind.c and dt.c: argc/argv start at the sub-command. */
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_dt(int argc, char **argv);

/*
 * The message for what getopt_long() returned as @c ('?' unknown option,
 * ':' missing argument) in sub-command @cmd; returns EXIT_USAGE.
 */
int bad_option(const char *cmd, char **argv, int c);

/* Parse a non-negative number (0x.., 0.., decimal) that fills all of @s. */
int parse_u64(const char *s, uint64_t *v);

#endif /* UDRV_TOOL_H */
