// SPDX-License-Identifier: MIT
/*
 * udrv-uart - use a Cadence UART (ZynqMP UART1) from the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "cdns_uart.h"
#include "pty.h"
#ifdef UDRV_UART_CUSE
#include "tty_cuse.h"
#endif

#define PROG "udrv-uart"

#define MS 1000000ull

static void usage(FILE *f)
{
	fprintf(f,
		"usage: udrv-uart [OPTIONS] COMMAND\n"
		"  send TEXT           transmit TEXT\n"
		"  recv                print what is received; with --timeout, stop after\n"
		"                      MS milliseconds without data (default: never)\n"
		"  echo                loopback server: send back whatever is received;\n"
		"                      with --timeout, stop after MS idle milliseconds\n"
		"  chat TEXT           transmit TEXT, then print what comes back until\n"
		"                      --timeout MS (default 1000) passes without data\n"
		"  pty [--link PATH]   serve the UART as a pseudo-terminal until SIGTERM or\n"
		"                      SIGINT: print the slave's path (/dev/pts/N), with --link\n"
		"                      make PATH a symlink to it (removed at exit), and relay\n"
		"                      bytes raw both ways. `stty -F` on the slave sets the\n"
		"                      UART's baud rate and stop bits (cstopb); data bits and\n"
		"                      parity stay those of --format: Linux's pty forces cs8\n"
		"                      -parenb on every change (stty parenb or cs7 fail)\n"
		"  tty [--name NAME]   serve the UART as a serial character device /dev/NAME\n"
		"                      (default ttyUDRV0) through CUSE until SIGTERM or SIGINT:\n"
		"                      print its path once it exists, move bytes raw (no line\n"
		"                      discipline); termios (stty -F, tcsetattr) sets the baud\n"
		"                      rate, data bits (cs6-cs8), parity (even, odd, mark,\n"
		"                      space) and stop bits. Needs the cuse module\n"
		"options:\n"
		"  --timeout MS        see the commands\n"
		"  --baud N            baud rate (default 115200)\n"
		"  --format 8N1        data bits (6-8), parity (N/E/O/M/S: mark, space),\n"
		"                      stop bits (1-2)\n"
		"  --device NAME       UIO name (default: a cdns,uart-r1p12 node)\n"
		"  --clock HZ          reference clock (default: the DT's clock-frequency)\n"
		CLI_RT_HELP);
}

static int fail(const char *what, long err)
{
	fprintf(stderr, "udrv-uart: %s: %s%s%s\n", what, strerror((int)-err),
		*udrv_last_error() ? ": " : "", udrv_last_error());
	return 1;
}

#ifdef UDRV_UART_CUSE
static void tty_ready(const char *node, void *data)
{
	(void)data;
	printf("%s\n", node);
	fflush(stdout);
}
#endif

/* Receive until @timeout_ns without data; echo back to the UART or print. */
static int pump(struct udrv_cdns_uart *u, uint64_t timeout_ns, int echo)
{
	unsigned long long total = 0;
	char buf[256];

	for (;;) {
		ssize_t n = udrv_cdns_uart_read(u, buf, sizeof(buf), timeout_ns);

		if (n < 0)
			return fail("read", n);
		if (n == 0)
			break;
		total += (unsigned long long)n;
		if (echo) {
			ssize_t w = udrv_cdns_uart_write(u, buf, (size_t)n, 1000 * MS);

			if (w != n)
				return fail("write", w < 0 ? w : -ETIMEDOUT);
		} else {
			fwrite(buf, 1, (size_t)n, stdout);
			fflush(stdout);
		}
	}
	if (echo)
		fprintf(stderr, "udrv-uart: echoed %llu bytes\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "baud", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "device", required_argument, NULL, 'd' },
		{ "clock", required_argument, NULL, 'c' },
		{ "rt", required_argument, NULL, 'r' },
		{ "link", required_argument, NULL, 'l' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct udrv_cdns_uart_config cfg = CDNS_UART_CONFIG_DEFAULT;
	struct udrv_rt_opts rt = { .cpu = -1 };
	unsigned long long v, clk = 0;
	uint64_t timeout = UINT64_MAX;
	const char *dev = NULL, *cmd, *link = NULL, *name = NULL;
	struct udrv_cdns_uart *u;
	int c, ret, has_timeout = 0, stop_fd = -1;

	opterr = 0;	/* cli_bad_option() says what was wrong */
	while ((c = getopt_long(argc, argv, "t:b:f:d:c:r:l:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_number(PROG, "timeout", optarg, 0, 86400000, &v))
				return 2;
			timeout = v * MS;
			has_timeout = 1;
			break;
		case 'b':
			if (cli_number(PROG, "baud rate", optarg, 0, 10000000, &v))
				return 2;
			if (!v) {
				fprintf(stderr, "udrv-uart: baud rate 0\n");
				return 2;
			}
			cfg.baud = (uint32_t)v;
			break;
		case 'f':
			if (strlen(optarg) != 3 || !strchr("678", optarg[0]) ||
			    !strchr("NEOMSneoms", optarg[1]) || !strchr("12", optarg[2])) {
				fprintf(stderr, "udrv-uart: bad format '%s' (e.g. 8N1, 7E2)\n", optarg);
				return 2;
			}
			cfg.data_bits = (unsigned int)(optarg[0] - '0');
			cfg.parity = optarg[1];
			cfg.stop_bits = (unsigned int)(optarg[2] - '0');
			break;
		case 'd': dev = optarg; break;
		case 'c':
			if (cli_number(PROG, "clock", optarg, 0, UINT32_MAX, &clk))
				return 2;
			break;
		case 'r': if (cli_rt_parse(PROG, optarg, &rt)) return 2; break;
		case 'l':
			if (!*optarg) {
				fprintf(stderr, "udrv-uart: empty --link\n");
				return 2;
			}
			link = optarg;
			break;
		case 'n':
			if (!*optarg) {
				fprintf(stderr, "udrv-uart: empty --name\n");
				return 2;
			}
			name = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option(PROG, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "udrv-uart: missing command (try --help)\n");
		return 2;
	}
	cmd = argv[0];
	if (!strcmp(cmd, "send") || !strcmp(cmd, "chat")) {
		if (argc != 2) {
			fprintf(stderr, "udrv-uart: %s takes one TEXT argument\n", cmd);
			return 2;
		}
	} else if (strcmp(cmd, "recv") && strcmp(cmd, "echo") && strcmp(cmd, "pty") &&
		   strcmp(cmd, "tty")) {
		fprintf(stderr, "udrv-uart: unknown command '%s' (try --help)\n", cmd);
		return 2;
	} else if (argc != 1) {
		fprintf(stderr, "udrv-uart: %s takes no argument\n", cmd);
		return 2;
	}
	if (link && strcmp(cmd, "pty")) {
		fprintf(stderr, "udrv-uart: --link is for the pty command\n");
		return 2;
	}
	if (name && strcmp(cmd, "tty")) {
		fprintf(stderr, "udrv-uart: --name is for the tty command\n");
		return 2;
	}
#ifndef UDRV_UART_CUSE
	if (!strcmp(cmd, "tty")) {
		fprintf(stderr, "udrv-uart: tty: built without CUSE (libfuse3)\n");
		return 2;
	}
#endif
	/* SIGTERM and SIGINT for the exports, taken before the UART is opened */
	if ((!strcmp(cmd, "pty") || !strcmp(cmd, "tty")) && (stop_fd = cli_stop_fd(SFD_NONBLOCK)) < 0)
		return fail("signalfd", stop_fd);

	if ((ret = udrv_cdns_uart_open(dev, (uint32_t)clk, &cfg, &u)))
		return fail(dev ? dev : "the cdns,uart-r1p12 UART", ret);
	if (cli_rt_apply_dev(PROG, &rt, udrv_cdns_uart_device(u))) {
		udrv_cdns_uart_close(u);
		return 1;
	}
	ret = 0;
	if (!strcmp(cmd, "send") || !strcmp(cmd, "chat")) {
		size_t len = strlen(argv[1]);
		ssize_t n = udrv_cdns_uart_write(u, argv[1], len, 5000 * MS);

		if (n != (ssize_t)len)
			ret = fail("write", n < 0 ? n : -ETIMEDOUT);
		else if ((n = udrv_cdns_uart_drain(u, 5000 * MS)))
			ret = fail("drain", n);
		else if (!strcmp(cmd, "chat"))
			ret = pump(u, has_timeout ? timeout : 1000 * MS, 0);
	} else if (!strcmp(cmd, "pty")) {
		ret = cdns_uart_pty_serve(PROG, u, &cfg, link, stop_fd) ? 1 : 0;
#ifdef UDRV_UART_CUSE
	} else if (!strcmp(cmd, "tty")) {
		ret = cdns_uart_tty_serve(u, &cfg, name, stop_fd, tty_ready, NULL);
		ret = ret ? fail("tty", ret) : 0;
#endif
	} else {
		ret = pump(u, timeout, !strcmp(cmd, "echo"));
	}
	udrv_cdns_uart_close(u);
	if (stop_fd >= 0)
		close(stop_fd);
	return ret;
}
