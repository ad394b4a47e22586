// SPDX-License-Identifier: MIT
/*
 * udrv - look at and poke the devices handed to userspace through UIO.
 *
 *   udrv list [--json] / info DEV [--json]  (show.c)
 *   udrv read / write / dump / irq          (regs.c)
 *   udrv bind DEV [--force] / unbind DEV    (bind.c)
 *   udrv dt DEV                             (dt.c)
 *
 * DEV is uioN, a UIO name, a device-tree path ("/pl031@9010000") or a PCI
 * address ("0000:00:02.0" or "00:02.0"). The tool is a thin layer over
 * libudrv: the library finds, opens, describes and binds devices; this file
 * parses the command line, finds DEV and says what went wrong.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int report(int status, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "udrv%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int parse_u64(const char *s, uint64_t *v)
{
	return s ? udrv_parse_u64(s, v, NULL) : -EINVAL;
}

int bad_option(const char *cmd, char **argv, int c)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return report(EXIT_USAGE, cmd, "option '%s' needs a value (see 'udrv %s --help')",
			    opt, cmd);
	return report(EXIT_USAGE, cmd, "unknown option '%s' (see 'udrv %s --help')", opt, cmd);
}

/* ---- finding a device ---- */

void spec_selector(const char *spec, struct udrv_open_opts *sel, char pci[16])
{
	if (spec[0] == '/')
		*sel = (struct udrv_open_opts){ .dt_path = spec };
	else if (!udrv_pci_address_parse(spec, pci, 16))
		*sel = (struct udrv_open_opts){ .pci_address = pci };
	else
		*sel = (struct udrv_open_opts){ .name = spec };
}

struct find_ctx {
	struct udrv_open_opts sel;
	char pci[16];
	bool by_uio;
	unsigned int uio;
	int pass;		/* 0: exact name/path/address, 1: uioN */
	bool found;
	struct target *t;
};

void copy_info(struct target *t, const struct udrv_device_info *i)
{
	memset(t, 0, sizeof(*t));
	t->uio = i->uio;
	t->nodes = i->nodes;
	t->source = i->source;
	snprintf(t->name, sizeof(t->name), "%s", i->name);
	if (i->dt_path)
		snprintf(t->dt_path, sizeof(t->dt_path), "%s", i->dt_path);
	if (i->pci_address)
		snprintf(t->pci, sizeof(t->pci), "%s", i->pci_address);
	t->vendor = i->vendor;
	t->device = i->device;
}

static int find_cb(const struct udrv_device_info *i, void *data)
{
	struct find_ctx *c = data;
	bool hit;

	if (c->pass == 1)
		hit = c->by_uio && i->uio == c->uio;
	else if (c->sel.dt_path)
		hit = i->dt_path && !strcmp(i->dt_path, c->sel.dt_path);
	else if (c->sel.pci_address)
		hit = i->pci_address && !strcmp(i->pci_address, c->sel.pci_address);
	else
		hit = !strcmp(i->name, c->sel.name);
	if (hit)
		copy_info(c->t, i);
	c->found |= hit;
	return hit;
}

int find_target(const char *spec, struct target *t)
{
	struct find_ctx c = { .t = t };
	char *end;
	int r;

	if (!spec[0])
		return -ENOENT;
	spec_selector(spec, &c.sel, c.pci);
	if (!strncmp(spec, "uio", 3) && spec[3] >= '0' && spec[3] <= '9') {
		errno = 0;
		c.uio = (unsigned int)strtoul(spec + 3, &end, 10);
		c.by_uio = !*end && !errno;
	}
	r = udrv_device_foreach(find_cb, &c);
	if (r >= 0 && !c.found) {
		c.pass = 1;
		r = udrv_device_foreach(find_cb, &c);
	}
	if (c.found)
		return 0;
	/* foreach's -ENOENT is "no UIO class at all" */
	return r == -ENOENT ? -ENODEV : r < 0 ? r : -ENOENT;
}

int need_target(const char *cmd, const char *spec, struct target *t)
{
	struct udrv_kdev kd;
	int r = find_target(spec, t);

	if (!r)
		return 0;
	if (r == -ENODEV)
		return report(1, cmd, "no UIO devices at all (is the uio module loaded?): %s",
			      udrv_last_error());
	if (r != -ENOENT)
		return report(1, cmd, "cannot list UIO devices: %s", strerror(-r));
	if (spec[0] == '/') {
		r = udrv_kdev_find(&(struct udrv_open_opts){ .dt_path = spec }, &kd);
		if (r == 0 || r == -ENODEV)
			return report(EXIT_USAGE, cmd, "%s is not handed to UIO (try 'udrv bind %s')",
				      spec, spec);
		return report(EXIT_USAGE, cmd, "no device-tree node %s", spec);
	}
	return report(EXIT_USAGE, cmd, "no UIO device '%s' ('udrv list' shows uioN, names, "
		    "DT paths and PCI addresses)", spec);
}

/* Open @t with libudrv, by the most exact key it has. 0 or an exit status. */
int open_target(const char *cmd, const struct target *t, struct udrv_device **dev)
{
	int r;

	if (t->source == UDRV_SOURCE_DT)
		r = udrv_device_open_dt_path(t->dt_path, dev);
	else if (t->source == UDRV_SOURCE_PCI)
		r = udrv_device_open_pci(t->pci, dev);
	else
		r = udrv_device_open(t->name, dev);
	if (!r)
		return 0;
	if (r == -EACCES || r == -EPERM)	/* the library names node, mode and group */
		return report(1, cmd, "%s: run as root or join that group (see the udev rule "
			      "60-udrv-uio.rules)", udrv_last_error());
	return report(1, cmd, "cannot open %s (/dev/uio%u): %s%s%s", t->name, t->uio, strerror(-r),
		    udrv_last_error()[0] ? ": " : "", udrv_last_error());
}

/* The device named by @spec, opened. 0 or an exit status. */
int open_spec(const char *cmd, const char *spec, struct udrv_device **dev)
{
	struct target t;
	int r = need_target(cmd, spec, &t);

	return r ? r : open_target(cmd, &t, dev);
}

/* ---- main ---- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "list", cmd_list,
	  "udrv list [--json]\n"
	  "  Every UIO device: uioN, name, source (dt PATH | pci ADDRESS), kernel driver,\n"
	  "  interrupt count and maps (addr, size, offset, name) as sysfs reports them.\n"
	  "  --json  one JSON array of objects instead of text\n" },
	{ "info", cmd_info,
	  "udrv info DEV [--json]\n"
	  "  One device: what list shows, its compatible strings or PCI id, each UIO\n"
	  "  node's event counter, and the regions, interrupts and DMA pool libudrv\n"
	  "  finds when it opens the device (so this needs access to /dev/uioN).\n"
	  "  --json  one JSON object\n" },
	{ "bind", cmd_bind,
	  "udrv bind DEV [--force] [--pool SIZE [--cached]]\n"
	  "  Hand a platform, AMBA or PCI device to the udrv_uio stub: set its\n"
	  "  driver_override and probe it. DEV is a DT path, a PCI address or a sysfs\n"
	  "  device name (9010000.pl031). A device held by another driver is left\n"
	  "  alone unless --force: then it is unbound from that driver first (from\n"
	  "  udrv_uio too, to bind it again with another --pool).\n"
	  "  --pool SIZE  give it a DMA pool of SIZE bytes (0: none), whatever its DT\n"
	  "               node or the module's parameters say (the stub's pool\n"
	  "               attribute, kept for its later bindings); PCI devices get\n"
	  "               none unless asked\n"
	  "  --cached     make that pool cached: the CPU maps it cacheable and the\n"
	  "               driver's udrv_dma_sync_*() calls move data (udrv_uio.h)\n" },
	{ "unbind", cmd_unbind,
	  "udrv unbind DEV\n"
	  "  Take a device from the udrv_uio stub and give it back: unbind it, clear its\n"
	  "  driver_override and let the kernel probe its own driver. A device the stub\n"
	  "  matches by compatible (udrv,uio or of_id=) or id is left without a driver.\n" },
	{ "dt", cmd_dt,
	  "udrv dt DEV\n"
	  "  The device's device-tree node, decoded from /sys/firmware/fdt (the tree the\n"
	  "  kernel booted with; for non-root users, the live tree under\n"
	  "  /sys/firmware/devicetree/base): properties as strings, cells or bytes, reg as\n"
	  "  address/size pairs, GIC interrupt specifiers, phandles as node paths, then\n"
	  "  its child nodes. DEV may be any DT path, handed to UIO or not.\n" },
	{ "read", cmd_read,
	  "udrv read DEV REGION OFF [--width 8|16|32|64]\n"
	  "  Read one register: REGION is a region number or its map name, OFF a byte\n"
	  "  offset aligned to the width (default 32). Prints 0x-prefixed hex.\n" },
	{ "write", cmd_write,
	  "udrv write DEV REGION OFF VALUE [--width 8|16|32|64]\n"
	  "  Write one register (VALUE must fit in the width, default 32).\n" },
	{ "dump", cmd_dump,
	  "udrv dump DEV REGION [OFF [LEN]]\n"
	  "  Hexdump LEN bytes (default: to the end of the region) from OFF (default 0),\n"
	  "  one 32-bit read per word, four words a line. Beware registers that change\n"
	  "  on read (FIFOs, clear-on-read status).\n" },
	{ "irq", cmd_irq,
	  "udrv irq DEV [--count N] [--timeout MS] [--irq I]\n"
	  "  Unmask interrupt I (default 0: the device's first UIO node; I >= 1 is\n"
	  "  <name>.irqI) and wait for N events (default 1, 0 = forever), unmasking after\n"
	  "  each. Prints one line per event: monotonic time in seconds, the interrupt,\n"
	  "  the kernel's event count and how many were missed. --timeout bounds the\n"
	  "  whole wait; running out of it is a failure (exit 1).\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("usage: udrv COMMAND [ARGS]   (udrv COMMAND --help for details)\n\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %.*s\n", (int)strcspn(commands[i].usage, "\n"), commands[i].usage);
	fputs("\nDEV is uioN, a UIO name, a device-tree path (/pl031@9010000) or a PCI\n"
	      "address (0000:00:02.0 or 00:02.0). Exit status: 0 done, 1 failed, 2 bad usage.\n",
	      f);
}

static const struct command *lookup(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int udrv_tool_main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			if (!(c = lookup(argv[2])))
				return report(EXIT_USAGE, NULL, "no command '%s'", argv[2]);
			fputs(c->usage, stdout);
			return 0;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("udrv %s\n", UDRV_VERSION);
		return 0;
	}
	if (!(c = lookup(argv[1])))
		return report(EXIT_USAGE, NULL, "no command '%s' (see 'udrv --help')", argv[1]);
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(c->usage, stdout);
			return 0;
		}
	}
	optind = 0;	/* glibc: a full reset, for callers that run the tool twice */
	opterr = 0;
	return c->fn(argc - 1, argv + 1);
}

#ifndef UDRV_TOOL_NO_MAIN
int main(int argc, char **argv)
{
	int r = udrv_tool_main(argc, argv);

	if (fflush(stdout) && !r)
		r = report(1, NULL, "cannot write the output: %s", strerror(errno));
	return r;
}
#endif
