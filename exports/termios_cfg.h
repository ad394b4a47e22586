/* SPDX-License-Identifier: MIT */
/*
 * termios_cfg.h - termios line settings <-> the Cadence UART's
 * (struct udrv_cdns_uart_config), for the exports of udrv-uart: the pty
 * (pty.c: speed only) and the CUSE tty (tty_cuse.c: all of c_cflag).
 * Part of the udrv-uart CLI, not of the driver's library.
 *
 * Flags and speed codes are plain integers with Linux's termios values
 * (CSIZE, PARENB, B115200...: the same in <termios.h> and in the kernel's
 * <asm/termbits.h>), so both kinds of callers can use them. Pure
 * functions: no state, nothing printed.
 */
#ifndef UDRV_EXPORTS_TERMIOS_CFG_H
#define UDRV_EXPORTS_TERMIOS_CFG_H

#include <stdint.h>

#include "cdns_uart.h"

/** The baud rate of speed code @code (B50..B4000000); 0 for B0, BOTHER or
 * an unknown code. */
uint32_t cdns_uart_speed_baud(unsigned int code);

/** The speed code of exactly @baud; 0 (B0) if there is none. */
unsigned int cdns_uart_baud_speed(uint32_t baud);

/**
 * cdns_uart_baud_code() - the speed code to report for a UART running at
 * @baud: a standard rate within 2% of it (what Linux's
 * tty_termios_encode_baud_rate() reports for a divided clock), else BOTHER.
 */
unsigned int cdns_uart_baud_code(uint32_t baud);

/**
 * cdns_uart_cflag_config() - the frame format @cflag asks for, as the
 * kernel's xuartps driver (cdns_uart_set_termios()) makes it: CS6, CS7, or
 * 8 data bits for CS8 and CS5 (which the UART cannot do); PARENB with
 * PARODD and CMSPAR: even, odd, space ('S', CMSPAR) or mark ('M', CMSPAR
 * PARODD); CSTOPB: 2 stop bits. Sets cfg->data_bits, parity, stop_bits
 * (not the baud rate). Returns @cflag as the UART then runs it: CS5 turned
 * into CS8, CRTSCTS cleared (no hardware flow control here).
 */
unsigned int cdns_uart_cflag_config(unsigned int cflag, struct udrv_cdns_uart_config *cfg);

/** The c_cflag bits (CSIZE, PARENB, PARODD, CMSPAR, CSTOPB) for @cfg. */
unsigned int cdns_uart_config_cflag(const struct udrv_cdns_uart_config *cfg);

#endif
