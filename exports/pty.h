/* SPDX-License-Identifier: MIT */
/*
 * pty.h - `udrv-uart pty`: the UART served as a pseudo-terminal (pty.c).
 * Part of the udrv-uart CLI, not of the driver's library.
 */
#ifndef UDRV_EXPORTS_PTY_H
#define UDRV_EXPORTS_PTY_H

#include "cdns_uart.h"

/**
 * cdns_uart_pty_serve() - open a pseudo-terminal, print its slave's path
 * (one line on stdout), link @link (NULL: none) to it, and relay bytes both
 * ways between its master and @u until SIGTERM or SIGINT; changes of the
 * slave's speed and CSTOPB reprogram @u (data bits and parity stay those of
 * @cfg: a pty cannot carry them, see README). @stop_fd is a signalfd for
 * SIGTERM and SIGINT (cli_stop_fd()); the caller owns it and @u, which stay
 * open. On return the link is removed and the pty closed.
 * Returns 0 after a signal; -errno (its one-line reason already printed on
 * stderr, prefixed with @prog) when the pty, the link or the UART failed.
 */
int cdns_uart_pty_serve(const char *prog, struct udrv_cdns_uart *u,
			const struct udrv_cdns_uart_config *cfg, const char *link, int stop_fd);

#endif
