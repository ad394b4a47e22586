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

/* DEV as a selector: a DT path ("/..."), a PCI address in either form
 * (normalised into @pci), else a name (a UIO name, uioN, a sysfs device). */
void spec_selector(const char *spec, struct udrv_open_opts *sel, char pci[16]);

/*
 * Find the UIO device named by @spec: uioN, its UIO name, its DT path or its
 * PCI address. 0 and *@t filled; -ENOENT none (nothing printed);
 * another -errno if the devices cannot be listed.
 */
int find_target(const char *spec, struct target *t);
/* find_target() with the failure explained; 0 or an exit status. */
int need_target(const char *cmd, const char *spec, struct target *t);
/* Open @t, or the device @spec names; 0 or an exit status (explained). */
int open_target(const char *cmd, const struct target *t, struct udrv_device **dev);
int open_spec(const char *cmd, const char *spec, struct udrv_device **dev);
/* @t from what udrv_device_foreach() reports. */
void copy_info(struct target *t, const struct udrv_device_info *i);

/*
 * The whole tool: argv as main() gets it; returns the exit status. It never
 * calls exit(), so the host tests (and a fuzzer) call it in-process; build
 * main.c with -DUDRV_TOOL_NO_MAIN for that.
 */
int udrv_tool_main(int argc, char **argv);

/* The sub-commands (show.c, regs.c, bind.c, dt.c): argc/argv start at the
 * sub-command; each returns the exit status. */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_irq(int argc, char **argv);
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
