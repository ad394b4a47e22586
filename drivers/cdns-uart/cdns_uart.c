// SPDX-License-Identifier: MIT
/*
 * cdns_uart.c - Cadence UART over udrv (see cdns_uart.h).
 *
 * One level interrupt serves both directions. The RX causes (trigger
 * level, timeout, overrun, framing, parity) stay enabled; TX empty is
 * enabled only while a writer waits for a stalled transmitter. Serving it:
 * read the status, clear the causes read, then move the RX FIFO into the
 * ring (as Linux's cdns_uart_isr: a trigger that latches while draining is
 * a new event, not cleared unserved), then unmask, so a cause that still
 * holds (more bytes) raises the line again at once.
 * (UG1085, UART Controller, "Interrupts"; QEMU hw/char/cadence_uart.c.)
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdns_uart.h"
#include "cdns_uart_regs.h"

#define RX_TRIGGER	8	/* bytes: fits QEMU's 16-byte and the 64-byte FIFO */
#define RX_TIMEOUT	10	/* x 4 bit periods of silence */
#define RX_IRQS		(UART_IXR_RTRIG | UART_IXR_TOUT | UART_IXR_ROVR | \
			 UART_IXR_FRAME | UART_IXR_PARITY)
#define CR_RUN		(UART_CR_RX_EN | UART_CR_TX_EN | UART_CR_RSTTO | UART_CR_STPBRK)
#define CR_STOP		(UART_CR_RX_DIS | UART_CR_TX_DIS | UART_CR_STPBRK)

struct udrv_cdns_uart {
	struct udrv_device *dev;
	struct udrv_region *reg;
	volatile void *r;
	struct udrv_irq *irq;
	uint32_t ref_hz, baud, ier;
	struct udrv_cdns_uart_stats st;
	unsigned int rhead, rlen;
	uint8_t ring[CDNS_UART_RING_SIZE];
};

static void set_ier(struct udrv_cdns_uart *u, uint32_t ier);

/* The RX causes to enable: all of them unless the ring is full. */
static uint32_t rx_ier(const struct udrv_cdns_uart *u)
{
	return u->rlen < CDNS_UART_RING_SIZE ? RX_IRQS : 0;
}

/* Move what the RX FIFO holds into the ring (as much as fits). */
static void pull(struct udrv_cdns_uart *u)
{
	while (u->rlen < CDNS_UART_RING_SIZE &&
	       !(udrv_read32(u->r, UART_SR) & UART_SR_REMPTY)) {
		u->ring[(u->rhead + u->rlen++) % CDNS_UART_RING_SIZE] =
			(uint8_t)udrv_read32(u->r, UART_FIFO);
		u->st.rx_bytes++;
	}
}

static size_t take(struct udrv_cdns_uart *u, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && u->rlen) {
		buf[n++] = u->ring[u->rhead];
		u->rhead = (u->rhead + 1) % CDNS_UART_RING_SIZE;
		u->rlen--;
	}
	if (n && !(u->ier & RX_IRQS))
		set_ier(u, u->ier | rx_ier(u));	/* room again */
	return n;
}

/* Serve one interrupt (already consumed from the UIO node). */
static int service(struct udrv_cdns_uart *u)
{
	uint32_t isr = udrv_read32(u->r, UART_ISR), why = isr & u->ier;

	udrv_write32(u->r, UART_ISR, isr);	/* clear first, then drain */
	pull(u);
	u->st.irq_rx_trigger += !!(why & UART_IXR_RTRIG);
	u->st.irq_rx_timeout += !!(why & UART_IXR_TOUT);
	u->st.irq_tx_empty += !!(why & UART_IXR_TEMPTY);
	u->st.overruns += !!(isr & UART_IXR_ROVR);
	u->st.framing_errors += !!(isr & UART_IXR_FRAME);
	u->st.parity_errors += !!(isr & UART_IXR_PARITY);
	if (why & UART_IXR_TOUT)
		udrv_write32(u->r, UART_CR, CR_RUN);	/* RSTTO: re-arm the timeout */
	/* TX empty is one-shot; RX causes off while the ring is full */
	if (u->ier != (rx_ier(u) | (u->ier & ~why & UART_IXR_TEMPTY)))
		set_ier(u, rx_ier(u) | (u->ier & ~why & UART_IXR_TEMPTY));
	return udrv_irq_unmask(u->irq);
}

/* Wait up to @left for the interrupt and serve it: 1, 0 (timeout), -errno. */
static int wait_serve(struct udrv_cdns_uart *u, uint64_t left)
{
	int ret = udrv_irq_wait(u->irq, left);

	if (ret == 1 && (ret = service(u)) == 0)
		ret = 1;
	return ret;
}

static void set_ier(struct udrv_cdns_uart *u, uint32_t ier)
{
	udrv_write32(u->r, UART_IDR, ~ier & UART_IXR_ALL);
	udrv_write32(u->r, UART_IER, ier);
	u->ier = ier;
}

/* Divisors for @baud from @ref: baud = ref / (cd * (bdiv + 1)). */
static int divisors(uint32_t ref, uint32_t baud, uint32_t *cd_out, uint32_t *bdiv_out,
		    uint32_t *actual)
{
	uint64_t best_err = UINT64_MAX;

	for (uint32_t bdiv = UART_BDIV_MIN; bdiv <= UART_BDIV_MAX; bdiv++) {
		uint64_t div = (uint64_t)baud * (bdiv + 1);
		uint64_t cd = (ref + div / 2) / div, rate, err;

		if (cd < 1 || cd > UART_CD_MAX)
			continue;
		rate = ref / (cd * (bdiv + 1));
		err = rate > baud ? rate - baud : baud - rate;
		if (err < best_err) {
			best_err = err;
			*cd_out = (uint32_t)cd;
			*bdiv_out = bdiv;
			*actual = (uint32_t)rate;
		}
	}
	if (best_err == UINT64_MAX || best_err * 100 > (uint64_t)baud * 3)
		return -ERANGE;
	return 0;
}

int udrv_cdns_uart_configure(struct udrv_cdns_uart *u, const struct udrv_cdns_uart_config *cfg)
{
	uint32_t mr = UART_MR_CHMODE_NORMAL, cd = 0, bdiv = 0, actual = 0;
	int ret;

	assert(u);
	if (!cfg || !cfg->baud)
		return -EINVAL;
	switch (cfg->data_bits) {
	case 6: mr |= UART_MR_CHRL_6; break;
	case 7: mr |= UART_MR_CHRL_7; break;
	case 8: mr |= UART_MR_CHRL_8; break;
	default: return -EINVAL;
	}
	switch (cfg->parity) {
	case 'N': case 'n': mr |= UART_MR_PAR_NONE; break;
	case 'E': case 'e': mr |= UART_MR_PAR_EVEN; break;
	case 'O': case 'o': mr |= UART_MR_PAR_ODD; break;
	case 'S': case 's': mr |= UART_MR_PAR_SPACE; break;
	case 'M': case 'm': mr |= UART_MR_PAR_MARK; break;
	default: return -EINVAL;
	}
	if (cfg->stop_bits != 1 && cfg->stop_bits != 2)
		return -EINVAL;
	mr |= cfg->stop_bits == 2 ? UART_MR_NBSTOP_2 : UART_MR_NBSTOP_1;
	if ((ret = divisors(u->ref_hz, cfg->baud, &cd, &bdiv, &actual)))
		return ret;

	/* UG1085 "Configure the Controller": disable, program, enable. */
	udrv_write32(u->r, UART_CR, CR_STOP);
	udrv_write32(u->r, UART_BAUDGEN, cd);
	udrv_write32(u->r, UART_BAUDDIV, bdiv);
	udrv_write32(u->r, UART_MR, mr);
	udrv_write32(u->r, UART_RXWM, RX_TRIGGER);
	udrv_write32(u->r, UART_RXTOUT, RX_TIMEOUT);
	udrv_write32(u->r, UART_CR, CR_RUN);
	u->baud = actual;
	return 0;
}

int udrv_cdns_uart_open(const char *name, uint32_t ref_clk_hz, const struct udrv_cdns_uart_config *cfg,
		   struct udrv_cdns_uart **out)
{
	struct udrv_cdns_uart_config def = CDNS_UART_CONFIG_DEFAULT;
	struct udrv_cdns_uart *u;
	uint64_t hz;
	int ret;

	if (!out)
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	ret = name ? udrv_device_open(name, &u->dev) :
		     udrv_device_open_dt_compatible("cdns,uart-r1p12", 0, &u->dev);
	if (ret || (ret = udrv_device_region(u->dev, 0, UART_REGS_SIZE, &u->reg)) ||
	    (ret = udrv_device_irq(u->dev, 0, &u->irq)))
		goto fail;
	/* 0: the DT's clock (its clocks phandle, else clock-frequency) */
	hz = ref_clk_hz;
	if (!hz && (ret = udrv_device_clock_frequency(u->dev, 0, &hz)))
		goto fail;
	if (!hz || hz > UINT32_MAX) {
		ret = -EINVAL;
		goto fail;
	}
	u->ref_hz = (uint32_t)hz;
	u->r = udrv_region_base(u->reg);
	set_ier(u, 0);
	if ((ret = udrv_cdns_uart_configure(u, cfg ? cfg : &def)))
		goto fail;
	udrv_write32(u->r, UART_CR, CR_STOP | UART_CR_RXRST | UART_CR_TXRST);
	udrv_write32(u->r, UART_CR, CR_RUN);
	udrv_write32(u->r, UART_ISR, UART_IXR_ALL);
	/* Forget interrupts counted before now; unmask with the causes clear. */
	if ((ret = udrv_irq_flush(u->irq)) < 0)
		goto fail;
	set_ier(u, RX_IRQS);
	*out = u;
	return 0;
fail:
	udrv_device_close(u->dev);
	free(u);
	return ret;
}

void udrv_cdns_uart_close(struct udrv_cdns_uart *u)
{
	if (!u)
		return;
	udrv_cdns_uart_drain(u, 100000000);
	set_ier(u, 0);
	udrv_write32(u->r, UART_ISR, UART_IXR_ALL);
	udrv_irq_unmask(u->irq);
	udrv_device_close(u->dev);
	free(u);
}

uint32_t udrv_cdns_uart_baud(const struct udrv_cdns_uart *u)
{
	assert(u);
	return u->baud;
}

int udrv_cdns_uart_fd(const struct udrv_cdns_uart *u)
{
	assert(u);
	return udrv_irq_fd(u->irq);
}

struct udrv_device *udrv_cdns_uart_device(const struct udrv_cdns_uart *u)
{
	assert(u);
	return u->dev;
}

void udrv_cdns_uart_stats(const struct udrv_cdns_uart *u, struct udrv_cdns_uart_stats *st)
{
	assert(u);
	if (st)
		*st = u->st;
}

/* Put bytes of @p into the TX FIFO while it has room; how many went in. */
static size_t fill(struct udrv_cdns_uart *u, const uint8_t *p, size_t len)
{
	size_t done = 0;
	uint32_t sr;

	/* Take what arrives meanwhile, so a peer that answers (or echoes)
	 * does not find the RX FIFO full. */
	while (done < len && !((sr = udrv_read32(u->r, UART_SR)) & UART_SR_TFUL)) {
		if (!(sr & UART_SR_REMPTY))
			pull(u);
		udrv_write32(u->r, UART_FIFO, p[done++]);
		u->st.tx_bytes++;
	}
	return done;
}

ssize_t udrv_cdns_uart_write(struct udrv_cdns_uart *u, const void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);
	const uint8_t *p = buf;
	size_t done = 0;
	int ret = 0;

	assert(u);
	if (!buf && len)
		return -EINVAL;
	while (done < len) {
		done += fill(u, p + done, len - done);
		if (done == len)
			break;
		/* Full: the transmitter frees a slot every character time, so
		 * wait for not-full (polling a few character times), not for an
		 * empty FIFO. Only a stalled transmitter (flow control, a clock
		 * gone) sleeps until TX empty, enabled for now. */
		uint64_t left = udrv_left_ns(deadline), frames = 4 * 12 * 1000000000ull / u->baud;

		if (!left) {
			ret = -ETIMEDOUT;
			break;
		}
		ret = udrv_region_poll32_ne(u->reg, UART_SR, UART_SR_TFUL, UART_SR_TFUL,
					    frames < left ? frames : left, NULL);
		if (!ret)
			continue;
		if (ret != -ETIMEDOUT)
			break;
		ret = 0;
		udrv_write32(u->r, UART_ISR, UART_IXR_TEMPTY);
		set_ier(u, rx_ier(u) | UART_IXR_TEMPTY);
		if (udrv_read32(u->r, UART_SR) & UART_SR_TFUL)
			ret = wait_serve(u, left);
		set_ier(u, rx_ier(u));
		if (ret < 0)
			break;
	}
	return done ? (ssize_t)done : ret;
}

ssize_t udrv_cdns_uart_write_nonblock(struct udrv_cdns_uart *u, const void *buf, size_t len)
{
	size_t done = 0;
	int ret;

	assert(u);
	if (!buf && len)
		return -EINVAL;
	ret = wait_serve(u, 0);
	if (ret < 0)
		return ret;
	for (;;) {
		done += fill(u, (const uint8_t *)buf + done, len - done);
		if (done == len) {
			if (u->ier & UART_IXR_TEMPTY)
				set_ier(u, rx_ier(u));
			break;
		}
		/* Full: arm TX empty, then look again, in case the FIFO
		 * drained before it was armed (its edge would be gone). */
		udrv_write32(u->r, UART_ISR, UART_IXR_TEMPTY);
		set_ier(u, rx_ier(u) | UART_IXR_TEMPTY);
		if (udrv_read32(u->r, UART_SR) & UART_SR_TFUL)
			break;
	}
	return done ? (ssize_t)done : -EAGAIN;
}

int udrv_cdns_uart_drain(struct udrv_cdns_uart *u, uint64_t timeout_ns)
{
	assert(u);
	return udrv_region_poll32(u->reg, UART_SR, UART_SR_TEMPTY | UART_SR_TACTIVE,
				  UART_SR_TEMPTY, timeout_ns, NULL);
}

int udrv_cdns_uart_send_break(struct udrv_cdns_uart *u, uint64_t duration_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(duration_ns / 1000000000u),
			       .tv_nsec = (long)(duration_ns % 1000000000u) };
	int ret;

	assert(u);
	/* UG1087 Control (CR) STTBRK: a break once the transmitter is
	 * idle, held until STPBRK; the line stays low meanwhile. */
	if ((ret = udrv_cdns_uart_drain(u, 100000000u)))
		return ret;
	udrv_write32(u->r, UART_CR, UART_CR_RX_EN | UART_CR_TX_EN | UART_CR_STTBRK);
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
	udrv_write32(u->r, UART_CR, CR_RUN);
	return 0;
}

ssize_t udrv_cdns_uart_read(struct udrv_cdns_uart *u, void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = udrv_deadline_ns(timeout_ns);

	assert(u);
	if (!buf || !len)
		return -EINVAL;
	for (;;) {
		uint64_t left;
		int ret;

		pull(u);
		if (u->rlen)
			return (ssize_t)take(u, buf, len);
		left = udrv_left_ns(deadline);
		if (!left)
			return 0;
		ret = wait_serve(u, left);
		if (ret < 0)
			return ret;
	}
}

ssize_t udrv_cdns_uart_read_nonblock(struct udrv_cdns_uart *u, void *buf, size_t len)
{
	int ret;

	assert(u);
	if (!buf || !len)
		return -EINVAL;
	ret = wait_serve(u, 0);
	if (ret < 0)
		return ret;
	pull(u);
	return u->rlen ? (ssize_t)take(u, buf, len) : -EAGAIN;
}
