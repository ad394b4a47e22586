/* SPDX-License-Identifier: MIT */
/*
 * sh.h - a guest suite runs a shell command and keeps what it printed.
 */
#ifndef SH_H
#define SH_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* Output (stdout and stderr) of the last sh(). */
static char sh_out[8192];

/* Run a shell command; its exit status (-1 if it could not run). */
__attribute__((format(printf, 1, 2), unused))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	size_t got = 0, n;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (got + 1 < sizeof(sh_out) && (n = fread(sh_out + got, 1, sizeof(sh_out) - 1 - got, p)))
		got += n;
	sh_out[got] = '\0';
	st = pclose(p);
	printf("# $ %s -> %d\n%s", cmd, WIFEXITED(st) ? WEXITSTATUS(st) : -1, sh_out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
