/* SPDX-License-Identifier: MIT */
/*
 * cdns_uart.h - driver for a Cadence UART (ZynqMP UART1 at 0xFF010000)
 * handed to userspace by the udrv_uio stub: baud rate and frame format,
 * transmit and receive through the FIFOs with interrupts (RX trigger level,
 * receiver timeout, TX empty), a blocking and a non-blocking read.
 *
 * Received bytes move from the RX FIFO into a software ring whenever the
 * driver serves the interrupt (in any read or write call), so a caller
 * that writes a long block does not lose what comes back meanwhile. When
 * the ring is full the receive interrupts are off until a read takes
 * bytes out: the RX FIFO fills, and then (no hardware flow control is
 * used) the peer must wait, or bytes overflow (stats: overruns).
 *
 * Conventions as libudrv (udrv.h): 0 or a count on success, -errno on
 * failure; a NULL object argument is a programming error (assert); nothing
 * is printed. A struct udrv_cdns_uart is used from one thread at a time.
 */
#ifndef UDRV_CDNS_UART_H
#define UDRV_CDNS_UART_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "udrv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct udrv_cdns_uart;

/** Line settings. */
struct udrv_cdns_uart_config {
	uint32_t baud;		/* e.g. 115200 */
	unsigned int data_bits;	/* 6, 7 or 8 */
	char parity;		/* 'N', 'E', 'O', 'M' (mark: always 1), 'S' (space: 0) */
	unsigned int stop_bits;	/* 1 or 2 */
};

/** 115200 baud, 8 data bits, no parity, 1 stop bit. */
#define CDNS_UART_CONFIG_DEFAULT ((struct udrv_cdns_uart_config){ 115200, 8, 'N', 1 })

/** Bytes the software receive ring holds. */
#define CDNS_UART_RING_SIZE 4096

/** Counters since open (see udrv_cdns_uart_stats()). */
struct udrv_cdns_uart_stats {
	uint64_t rx_bytes, tx_bytes;
	uint64_t irq_rx_trigger;	/* interrupts with the RX trigger cause */
	uint64_t irq_rx_timeout;	/* ... with the receiver timeout cause */
	uint64_t irq_tx_empty;		/* ... with the TX empty cause */
	uint64_t overruns;		/* RX FIFO overflows (bytes lost) */
	uint64_t framing_errors, parity_errors;
};

/**
 * udrv_cdns_uart_open() - open the UART under UIO name @name (NULL: the first
 * whose DT node lists "cdns,uart-r1p12"),
 * reset both FIFOs (bytes already in them are dropped), apply @cfg (NULL:
 * CDNS_UART_CONFIG_DEFAULT) and enable the receiver, the transmitter and
 * the RX interrupts. @ref_clk_hz is the UART reference clock; 0 reads the
 * node's "clock-frequency". The caller owns *@out (udrv_cdns_uart_close()).
 * Errors: -EINVAL @out NULL or a bad @cfg; -ERANGE the baud rate cannot be
 * made within 3% from the clock, or the register region is too small;
 * -ENOENT no such device, no interrupt, or (@ref_clk_hz 0) no
 * "clock-frequency"; -ENOMEM; others from udrv_device_open().
 */
int udrv_cdns_uart_open(const char *name, uint32_t ref_clk_hz, const struct udrv_cdns_uart_config *cfg,
		   struct udrv_cdns_uart **out);

/**
 * udrv_cdns_uart_close() - let the TX FIFO drain (up to 100 ms), disable the
 * interrupts and close. The receiver and transmitter stay enabled. NULL is
 * ignored.
 */
void udrv_cdns_uart_close(struct udrv_cdns_uart *u);

/**
 * udrv_cdns_uart_configure() - apply @cfg: baud rate (the divisors closest to it,
 * within 3%), data bits, parity, stop bits. The receiver and transmitter
 * are disabled while the registers change; bytes in the FIFOs stay.
 * Errors: -EINVAL a field out of range; -ERANGE the rate is out of reach.
 */
int udrv_cdns_uart_configure(struct udrv_cdns_uart *u, const struct udrv_cdns_uart_config *cfg);

/** udrv_cdns_uart_baud() - the baud rate the divisors actually make. */
uint32_t udrv_cdns_uart_baud(const struct udrv_cdns_uart *u);

/**
 * udrv_cdns_uart_write() - queue @len bytes of @buf for transmission, waiting
 * (on the TX empty interrupt) while the TX FIFO is full, up to @timeout_ns
 * in all (UINT64_MAX: forever). Returns the number of bytes queued (less
 * than @len only on timeout), -ETIMEDOUT if none could be, -EINVAL @buf
 * NULL with @len > 0, -ENODEV device removed, -EINTR signal.
 */
ssize_t udrv_cdns_uart_write(struct udrv_cdns_uart *u, const void *buf, size_t len, uint64_t timeout_ns);

/**
 * udrv_cdns_uart_write_nonblock() - serve a pending interrupt if any, then
 * queue as many bytes of @buf as the TX FIFO takes now; never waits. If
 * not all of @len fit, the TX empty interrupt is armed (once: serving it
 * disarms it), so udrv_cdns_uart_fd() polls readable when the FIFO has
 * drained: call this again then. Returns the number of bytes queued
 * (>= 1), -EAGAIN none fitted (armed as above), -EINVAL @buf NULL with
 * @len > 0, -ENODEV. With @len 0 it only serves the interrupt and disarms
 * TX empty (returns -EAGAIN).
 */
ssize_t udrv_cdns_uart_write_nonblock(struct udrv_cdns_uart *u, const void *buf, size_t len);

/**
 * udrv_cdns_uart_drain() - wait up to @timeout_ns until the TX FIFO is empty and
 * the transmitter idle. 0, -ETIMEDOUT, -ENODEV.
 */
int udrv_cdns_uart_drain(struct udrv_cdns_uart *u, uint64_t timeout_ns);

/**
 * udrv_cdns_uart_send_break() - let the transmitter drain (up to 100 ms),
 * then hold the line in the break condition for @duration_ns (sleeping:
 * the call blocks that long) and end it. 0, -ETIMEDOUT (not drained: no
 * break sent), -ENODEV.
 */
int udrv_cdns_uart_send_break(struct udrv_cdns_uart *u, uint64_t duration_ns);

/**
 * udrv_cdns_uart_read() - blocking read: wait up to @timeout_ns (UINT64_MAX:
 * forever) until at least one byte has been received, then return what is
 * there, up to @len bytes, into @buf. Woken by the RX trigger-level and
 * receiver-timeout interrupts. Returns the number of bytes (>= 1), 0 on
 * timeout, -EINVAL @buf NULL or @len 0, -ENODEV, -EINTR.
 */
ssize_t udrv_cdns_uart_read(struct udrv_cdns_uart *u, void *buf, size_t len, uint64_t timeout_ns);

/**
 * udrv_cdns_uart_read_nonblock() - serve a pending interrupt if any, then return
 * the bytes already received, up to @len; never waits. Returns >= 1,
 * -EAGAIN if there are none, or as udrv_cdns_uart_read().
 */
ssize_t udrv_cdns_uart_read_nonblock(struct udrv_cdns_uart *u, void *buf, size_t len);

/**
 * udrv_cdns_uart_fd() - a pollable fd (POLLIN on an interrupt) for the caller's
 * own loop; then call udrv_cdns_uart_read_nonblock(). Borrowed: valid until
 * udrv_cdns_uart_close().
 */
int udrv_cdns_uart_fd(const struct udrv_cdns_uart *u);

/**
 * udrv_cdns_uart_device() - the UART's libudrv device, for settings such as
 * udrv_rt_apply(). Borrowed: valid until udrv_cdns_uart_close().
 */
struct udrv_device *udrv_cdns_uart_device(const struct udrv_cdns_uart *u);

/** udrv_cdns_uart_stats() - copy the counters into *@st. */
void udrv_cdns_uart_stats(const struct udrv_cdns_uart *u, struct udrv_cdns_uart_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_CDNS_UART_H */
