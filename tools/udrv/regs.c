// SPDX-License-Identifier: MIT
/*
 * udrv read / write / dump / irq: registers and interrupts of a device,
 * through libudrv's checked accessors, a bus error caught as one line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

static int get_region(const char *cmd, struct udrv_device *dev, const char *spec,
		      struct udrv_region **reg)
{
	unsigned int n = udrv_device_num_regions(dev);
	char names[256] = "";
	size_t used = 0;
	uint64_t idx;
	int r;

	if (!parse_u64(spec, &idx))
		r = idx >= n ? -ENOENT : udrv_device_region(dev, (unsigned int)idx, 0, reg);
	else
		r = udrv_device_region_by_name(dev, spec, 0, reg);
	if (!r)
		return 0;
	for (unsigned int i = 0; i < n && used < sizeof(names) - 80; i++) {
		struct udrv_region *g;

		bool alias;

		if (udrv_device_region(dev, i, 0, &g))
			continue;
		alias = udrv_region_alias(g)[0] && strcmp(udrv_region_alias(g), udrv_region_name(g));
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%u '%s'%s%s%s",
					 i ? ", " : "", i, udrv_region_name(g), alias ? " (" : "",
					 alias ? udrv_region_alias(g) : "", alias ? ")" : "");
	}
	if (!strcmp(spec, "dma"))
		return report(EXIT_USAGE, cmd, "'dma' is the DMA pool of %s, not a register region "
			    "(regions: %s)", udrv_device_name(dev), n ? names : "none");
	return report(EXIT_USAGE, cmd, "%s has no region '%s' (regions: %s)", udrv_device_name(dev),
		    spec, n ? names : "none");
}

static int parse_width(const char *cmd, const char *s, unsigned int *width)
{
	uint64_t v;

	if (parse_u64(s, &v) || (v != 8 && v != 16 && v != 32 && v != 64))
		return report(EXIT_USAGE, cmd, "bad width '%s' (8, 16, 32 or 64)", s);
	*width = (unsigned int)v;
	return 0;
}

/* Check that @len bytes at @s (an offset) fit in @reg, aligned to @align. */
static int parse_range(const char *cmd, const struct udrv_region *reg, const char *s,
		       uint64_t len, unsigned int align, uint64_t *off)
{
	size_t size = udrv_region_size(reg);

	if (parse_u64(s, off))
		return report(EXIT_USAGE, cmd, "bad offset '%s' (a number: 16, 0x10)", s);
	if (*off % align)
		return report(EXIT_USAGE, cmd, "offset 0x%" PRIx64 " is not a multiple of %u "
			    "(the access width in bytes)", *off, align);
	if (*off >= size || len > size - *off)
		return report(EXIT_USAGE, cmd, "offset 0x%" PRIx64 " + %" PRIu64 " bytes is past the "
			    "end of region '%s' (0x%zx bytes)", *off, len, udrv_region_name(reg),
			    size);
	return 0;
}

/*
 * Checked register accesses with SIGBUS and SIGSEGV caught: a bus that
 * refuses one (an unassigned address, a register that takes other widths,
 * an external abort) or a mapping revoked under us (unbind) is one line on
 * stderr naming the device, region and offset, exit 1 -- never a signal.
 * The handlers live only while a command accesses registers (guard_on() to
 * guard_off()); the caller's come back after (the host tests and the
 * fuzzer run the tool in-process). SA_NODEFER leaves the signal mask alone,
 * so each access costs a sigsetjmp() and no system call.
 */
struct guard {
	struct sigaction bus, segv;
};

static sigjmp_buf access_env;
static volatile sig_atomic_t access_signal;

static void access_fault(int sig)
{
	access_signal = sig;
	siglongjmp(access_env, 1);
}

static void guard_on(struct guard *g)
{
	struct sigaction sa = { .sa_handler = access_fault, .sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &g->bus);
	sigaction(SIGSEGV, &sa, &g->segv);
}

static void guard_off(const struct guard *g)
{
	sigaction(SIGBUS, &g->bus, NULL);
	sigaction(SIGSEGV, &g->segv, NULL);
}

/* One access between guard_on() and guard_off(). */
static int access_reg(const char *cmd, struct udrv_device *dev, const struct udrv_region *reg,
		      uint64_t off, unsigned int width, bool write, uint64_t *val)
{
	volatile int r = 0;

	access_signal = 0;
	if (!sigsetjmp(access_env, 0))
		r = write ? udrv_region_write(reg, off, width, *val) :
			    udrv_region_read(reg, off, width, val);
	if (access_signal)
		return report(1, cmd, "%s region '%s' offset 0x%" PRIx64 ": the %u-bit %s was "
			    "refused (%s)", udrv_device_name(dev), udrv_region_name(reg), off,
			    width, write ? "write" : "read",
			    access_signal == SIGBUS ? "bus error" : "segmentation fault");
	if (r)
		return report(1, cmd, "%s region '%s' offset 0x%" PRIx64 ": %s",
			    udrv_device_name(dev), udrv_region_name(reg), off,
			    r == -ENODEV ? "the device was removed" : strerror(-r));
	return 0;
}

static int cmd_rw(int argc, char **argv, bool write)
{
	static const struct option opts[] = { { "width", required_argument, NULL, 'w' }, { 0 } };
	const char *cmd = write ? "write" : "read";
	struct udrv_device *dev = NULL;
	struct guard g;
	struct udrv_region *reg;
	unsigned int width = 32;
	uint64_t off, val = 0;
	int o, r;

	while ((o = getopt_long(argc, argv, ":w:", opts, NULL)) != -1) {
		if (o != 'w')
			return bad_option(cmd, argv, o);
		if ((r = parse_width(cmd, optarg, &width)))
			return r;
	}
	if (argc - optind != 3 + write)
		return report(EXIT_USAGE, cmd, "want DEV REGION OFF%s (see 'udrv %s --help')",
			    write ? " VALUE" : "", cmd);
	if (write) {
		if (parse_u64(argv[optind + 3], &val))
			return report(EXIT_USAGE, cmd, "bad value '%s' (a number: 255, 0xff)",
				    argv[optind + 3]);
		if (width < 64 && val >> width)
			return report(EXIT_USAGE, cmd, "value 0x%" PRIx64 " does not fit in %u bits",
				    val, width);
	}
	if ((r = open_spec(cmd, argv[optind], &dev)) ||
	    (r = get_region(cmd, dev, argv[optind + 1], &reg)) ||
	    (r = parse_range(cmd, reg, argv[optind + 2], width / 8, width / 8, &off)))
		goto out;
	guard_on(&g);
	r = access_reg(cmd, dev, reg, off, width, write, &val);
	guard_off(&g);
	if (!r && !write)
		printf("0x%0*" PRIx64 "\n", (int)width / 4, val);
out:
	udrv_device_close(dev);
	return r;
}

int cmd_read(int argc, char **argv)
{
	return cmd_rw(argc, argv, false);
}

int cmd_write(int argc, char **argv)
{
	return cmd_rw(argc, argv, true);
}

int cmd_dump(int argc, char **argv)
{
	struct udrv_device *dev = NULL;
	struct guard g;
	struct udrv_region *reg;
	uint64_t off = 0, len = 0, v;
	int o, r;

	while ((o = getopt_long(argc, argv, ":", (const struct option[]){ { 0 } }, NULL)) != -1)
		return bad_option("dump", argv, o);
	if (argc - optind < 2 || argc - optind > 4)
		return report(EXIT_USAGE, "dump", "want DEV REGION [OFF [LEN]] (see 'udrv dump --help')");
	if (argc - optind == 4 && (parse_u64(argv[optind + 3], &len) || !len || len % 4))
		return report(EXIT_USAGE, "dump", "bad length '%s' (a non-zero multiple of 4)",
			    argv[optind + 3]);
	if ((r = open_spec("dump", argv[optind], &dev)) ||
	    (r = get_region("dump", dev, argv[optind + 1], &reg)))
		goto out;
	if (argc - optind >= 3 &&
	    (r = parse_range("dump", reg, argv[optind + 2], len ? len : 4, 4, &off)))
		goto out;
	if (!len)
		len = (udrv_region_size(reg) - off) & ~(uint64_t)3;
	guard_on(&g);
	for (uint64_t a = off; a < off + len; a += 4) {
		if (a == off || !(a % 16))
			printf("%s%08" PRIx64 ":", a == off ? "" : "\n", a & ~(uint64_t)15);
		if (a == off)
			for (uint64_t pad = a & ~(uint64_t)15; pad < a; pad += 4)
				fputs("         ", stdout);
		if ((r = access_reg("dump", dev, reg, a, 32, false, &v))) {
			putchar('\n');
			break;
		}
		printf(" %08" PRIx64, v);
	}
	guard_off(&g);
	if (!r)
		putchar('\n');
out:
	udrv_device_close(dev);
	return r;
}

int cmd_irq(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "irq", required_argument, NULL, 'i' },
		{ 0 }
	};
	uint64_t count = 1, timeout_ms = 0, index = 0, got = 0, deadline = UINT64_MAX, *v;
	struct udrv_device *dev = NULL;
	struct udrv_irq *irq;
	int o, r;

	while ((o = getopt_long(argc, argv, ":c:t:i:", opts, NULL)) != -1) {
		v = o == 'c' ? &count : o == 't' ? &timeout_ms : o == 'i' ? &index : NULL;
		if (!v)
			return bad_option("irq", argv, o);
		if (parse_u64(optarg, v) || (o == 't' && (!*v || *v > UINT32_MAX)) ||
		    (o == 'i' && *v > 64))
			return report(EXIT_USAGE, "irq", "bad %s '%s'", o == 'c' ? "count" :
				    o == 't' ? "timeout (milliseconds, > 0)" : "interrupt index",
				    optarg);
	}
	if (argc - optind != 1)
		return report(EXIT_USAGE, "irq", "want one DEV (see 'udrv irq --help')");
	if ((r = open_spec("irq", argv[optind], &dev)))
		return r;
	if (udrv_device_irq(dev, (unsigned int)index, &irq)) {
		r = report(EXIT_USAGE, "irq", "%s has no interrupt %" PRIu64 " (it has %u)",
			 udrv_device_name(dev), index, udrv_device_num_irqs(dev));
		goto out;
	}
	if (timeout_ms)
		deadline = udrv_deadline_ns(timeout_ms * 1000000u);
	while (!count || got < count) {
		if ((r = udrv_irq_unmask(irq))) {
			r = report(1, "irq", "unmask: %s", strerror(-r));
			goto out;
		}
		r = udrv_irq_wait_until(irq, deadline);
		if (r < 0) {
			r = report(1, "irq", "%s", r == -ENODEV ? "the device was removed" :
				 strerror(-r));
			goto out;
		}
		if (!r) {
			r = report(1, "irq", "timeout: %" PRIu64 " of %" PRIu64 " interrupt%s in %"
				 PRIu64 " ms", got, count, count == 1 ? "" : "s", timeout_ms);
			goto out;
		}
		uint64_t t = udrv_now_ns();

		got++;
		printf("%" PRIu64 ".%06" PRIu64 " irq %" PRIu64 " count %" PRIu32 " missed %" PRIu64
		       "\n", t / 1000000000u, t / 1000 % 1000000, index, udrv_irq_count(irq),
		       udrv_irq_missed(irq));
		fflush(stdout);
	}
	r = 0;
out:
	udrv_device_close(dev);
	return r;
}

