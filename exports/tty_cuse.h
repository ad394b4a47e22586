/* SPDX-License-Identifier: MIT */
/*
 * tty_cuse.h - `udrv-uart tty`: the UART served as a serial character
 * device, /dev/NAME, through CUSE (the kernel's cuse module and libfuse3),
 * for programs that know nothing of udrv (stty, microcom, picocom...).
 * Part of the udrv-uart CLI, not of the driver's library.
 *
 * What a program sees is a serial port without a line discipline:
 *  - read()/write() move raw bytes (no echo, no canonical mode, no CR/LF
 *    mapping, no signals: c_iflag, c_oflag, c_lflag and c_cc are stored
 *    and reported, never applied; stty raw/-raw change nothing else).
 *    read() blocks until a byte is there, write() until all of it is
 *    queued; with O_NONBLOCK they return -EAGAIN (write: or a short
 *    count). poll(): POLLIN bytes to read, POLLOUT room to write.
 *  - termios (TCGETS, TCSETS, TCSETSW, TCSETSF and the termios2 TCGETS2,
 *    TCSETS2, TCSETSW2, TCSETSF2): every change reprograms the UART, as
 *    Linux's xuartps driver does: the baud rate (Bnnn or BOTHER with
 *    c_ospeed; one out of the UART's reach keeps the rate it had; B0 keeps
 *    it too and drops DTR/RTS), CS6, CS7, CS8 (CS5 becomes CS8), PARENB
 *    PARODD CMSPAR (even, odd, mark, space), CSTOPB; CRTSCTS is cleared
 *    (no hardware flow control); CREAD off drops what is received.
 *    TCGETS returns what the UART got: the rate it makes (its Bnnn within
 *    2%, else BOTHER) and the corrected flags, so stty says so when a
 *    change could not be made. *W waits until the written bytes are sent,
 *    *F also discards what was received.
 *  - TCFLSH, TCSBRK/TCSBRKP (drain; a zero argument, or TCSBRKP's, also
 *    sends a break: the export blocks for its length), TCXONC, FIONREAD,
 *    TIOCOUTQ, TIOCEXCL/TIOCNXCL/TIOCGEXCL (exclusive: a later open by
 *    anyone but root is -EBUSY until the last close), TIOCGWINSZ/TIOCSWINSZ
 *    (stored), TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC (DTR, RTS stored, not
 *    driven; CTS, DSR and CD read as on), TIOCGETD (N_TTY). Every other
 *    ioctl is -ENOTTY.
 *  - Settings stay from one open to the next, as a tty's.
 *
 * Flow: one 4 KiB ring per direction. A reader that does not read: the
 * receive ring fills, then the UART is no longer read, the driver's ring
 * fills, its RX interrupts go off and the RX FIFO fills: QEMU then holds
 * the peer back; silicon (no RTS/CTS) overruns and counts it. A writer
 * faster than the line: the transmit ring fills and its write() waits
 * (O_NONBLOCK: -EAGAIN). Nothing is dropped inside the export.
 */
#ifndef UDRV_EXPORTS_TTY_CUSE_H
#define UDRV_EXPORTS_TTY_CUSE_H

#include "cdns_uart.h"

/** The default node: /dev/ttyUDRV0. */
#define CDNS_UART_TTY_NAME	"ttyUDRV0"

/**
 * cdns_uart_tty_serve() - serve @u as /dev/@name (NULL: CDNS_UART_TTY_NAME)
 * through CUSE until @stop_fd (a signalfd for SIGTERM and SIGINT,
 * cli_stop_fd(); borrowed, never read) is readable, then remove the node
 * and return 0. @ready (may be NULL) is called with the node's path, and
 * @data, once it exists. @u (borrowed) runs with @cfg when called; the
 * programs' settings stay on it after the return.
 * Errors, each with one line in udrv_last_error(): -EINVAL a bad @name;
 * -EEXIST /dev/NAME exists; -ENODEV no cuse module, or the UART was
 * removed; -EACCES; -EPROTO the kernel refused the node or ended the
 * connection; -ENOMEM; -errno of the UART.
 */
int cdns_uart_tty_serve(struct udrv_cdns_uart *u, const struct udrv_cdns_uart_config *cfg,
			const char *name, int stop_fd,
			void (*ready)(const char *node, void *data), void *data);

#endif
