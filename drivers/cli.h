/* SPDX-License-Identifier: MIT */
/*
 * cli.h - number and option errors shared by the driver CLIs (udrv-ttc, udrv-edu, ...).
 *
 * Header only, no library: a CLI includes it as "../cli.h". Not part of
 * libudrv or of any driver's API.
 */
#ifndef UDRV_DRIVERS_CLI_H
#define UDRV_DRIVERS_CLI_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "udrv.h"

/*
 * All of @s as a number in [@min, @max] into *@out: decimal, or hex after
 * "0x" (libudrv's udrv_parse_u64(), as the udrv tool reads numbers; "010"
 * is ten). Returns 0, or -1.
 */
static inline int cli_parse(const char *s, unsigned long long min, unsigned long long max,
			    unsigned long long *out)
{
	uint64_t v;

	if (udrv_parse_u64(s, &v, NULL) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Say "PROG: bad WHAT 'S' (want MIN..MAX)" on stderr; returns -1. */
static inline int cli_bad_number(const char *prog, const char *what, const char *s,
				 unsigned long long min, unsigned long long max)
{
	fprintf(stderr, "%s: bad %s '%s' (want %llu..%llu)\n", prog, what, s, min, max);
	return -1;
}

/* cli_parse(), or cli_bad_number() if it fails; 0 or -1. */
static inline int cli_number(const char *prog, const char *what, const char *s,
			     unsigned long long min, unsigned long long max,
			     unsigned long long *out)
{
	if (cli_parse(s, min, max, out))
		return cli_bad_number(prog, what, s, min, max);
	return 0;
}

/*
 * One line naming the option getopt() refused; set opterr = 0 before the
 * option loop so getopt() prints nothing of its own. Returns 2, the exit
 * status for bad usage.
 */
static inline int cli_bad_option(const char *prog, char *const argv[])
{
	if (optopt)
		fprintf(stderr, "%s: bad option '-%c' (unknown, or its value is missing; see --help)\n",
			prog, optopt);
	else
		fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, argv[optind - 1]);
	return 2;
}

/* The --rt SPEC help line, for the CLIs whose waiting thread it sets. */
#define CLI_RT_HELP \
	"  --rt SPEC           real-time settings for the thread that waits and its\n" \
	"                      interrupt: fifo=PRIO,cpu=N,mlock, any of them (udrv_rt_apply())\n"

/* Parse --rt @spec into *@o; on a bad one say why on stderr and return -1. */
static inline int cli_rt_parse(const char *prog, const char *spec, struct udrv_rt_opts *o)
{
	if (!udrv_rt_parse(spec, o))
		return 0;
	fprintf(stderr, "%s: --rt: %s\n", prog, udrv_last_error());
	return -1;
}

/* Apply *@o to this thread and @irq; on failure say why and return -1. An
 * interrupt that cannot move is said on stderr, not a failure. */
static inline int cli_rt_apply(const char *prog, const struct udrv_rt_opts *o, struct udrv_irq *irq)
{
	int ret = udrv_rt_apply(o, irq);

	if (ret == 1)
		fprintf(stderr, "%s: --rt: the interrupt cannot leave the CPU that serves it; "
			"its thread, if any, is pinned there\n", prog);
	if (ret >= 0)
		return 0;
	fprintf(stderr, "%s: --rt: %s\n", prog, udrv_last_error());
	return -1;
}

/* cli_rt_apply() with @dev's first interrupt (none: the thread only). */
static inline int cli_rt_apply_dev(const char *prog, const struct udrv_rt_opts *o,
				   struct udrv_device *dev)
{
	struct udrv_irq *irq = NULL;

	if (udrv_device_num_irqs(dev))
		udrv_device_irq(dev, 0, &irq);
	return cli_rt_apply(prog, o, irq);
}

/*
 * For a CLI that serves until it is stopped (the exports: ublk, pty, CUSE):
 * block SIGTERM and SIGINT and return a signalfd that reads them
 * (close-on-exec, plus @flags: 0 or SFD_NONBLOCK), for the server to poll and
 * then clean up. Call it before opening the device, so that a stop never skips
 * the cleanup. Returns the fd (the caller closes it), or -errno.
 */
static inline int cli_stop_fd(int flags)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | flags);
	return fd < 0 ? -errno : fd;
}

#endif
