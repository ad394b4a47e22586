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
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The unsigned number at the start of @s, in @base as strtoull() takes it
 * (10; 0 for 0x.. hex and 0.. octal too), into *@out; *@end points after it.
 * Returns 0, or -1 if @s does not start with a digit (empty, a sign, a
 * blank) or the number does not fit in unsigned long long.
 */
static inline int cli_parse_prefix(const char *s, int base, unsigned long long *out,
				   const char **end)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &e, base);
	*end = e;
	return errno ? -1 : 0;
}

/* All of @s as a number in [@min, @max] (see cli_parse_prefix()); 0 or -1. */
static inline int cli_parse(const char *s, int base, unsigned long long min,
			    unsigned long long max, unsigned long long *out)
{
	const char *end;

	if (cli_parse_prefix(s, base, out, &end) || *end || *out < min || *out > max)
		return -1;
	return 0;
}

/* Say "PROG: bad WHAT 'S' (want MIN..MAX)" on stderr; returns -1. */
static inline int cli_bad_number(const char *prog, const char *what, const char *s,
				 unsigned long long min, unsigned long long max)
{
	fprintf(stderr, "%s: bad %s '%s' (want %llu..%llu)\n", prog, what, s, min, max);
	return -1;
}

/* A decimal cli_parse(), or cli_bad_number() if it fails; 0 or -1. */
static inline int cli_number(const char *prog, const char *what, const char *s,
			     unsigned long long min, unsigned long long max,
			     unsigned long long *out)
{
	if (cli_parse(s, 10, min, max, out))
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

#endif
