// SPDX-License-Identifier: MIT
/*
 * tty_cuse.c - `udrv-uart tty`: the UART as a serial character device
 * through CUSE (see tty_cuse.h).
 *
 * One thread (cuse_export_loop()): the kernel's requests for /dev/NAME
 * and the UART's interrupt fd, in one poll(). No request blocks the
 * thread: a read() with nothing to read, a write() that does not fit, a
 * TCSETSW waiting for the line to drain are kept (their fuse_req_t, the
 * written bytes copied) and answered when the UART side moves, or with
 * -EINTR when the caller takes a signal (FUSE_INTERRUPT). The only waits
 * are the TX FIFO draining before a change of settings (64 characters at
 * most) and a break's length.
 *
 * After every wakeup step() moves bytes as far as each side takes them:
 * kept writes into the transmit ring, the ring into the TX FIFO
 * (udrv_cdns_uart_write_nonblock(): a full FIFO arms TX empty, whose
 * interrupt wakes the loop), the driver's receive ring into ours
 * (udrv_cdns_uart_read_nonblock()) while it has room, ours to kept
 * reads; then pollers whose events became true are notified.
 *
 * ioctls come unrestricted (CUSE_UNRESTRICTED_IOCTL): the first call of
 * one that passes a structure has no data; we answer
 * fuse_reply_ioctl_retry() with the caller's buffer and the size the
 * command moves, and the kernel calls again with it copied in and room
 * for ours. The termios structures are the kernel's (<asm/termbits.h>:
 * struct termios is glibc's without the speeds; termios2 has them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <linux/termios.h>

#include "cuse_export.h"
#include "termios_cfg.h"
#include "tty_cuse.h"

#define BUF		4096			/* bytes per direction */
#define MS		1000000ull
#define BREAK_MS	250			/* tcsendbreak(fd, 0) */
#define BREAK_MAX_MS	10000			/* TCSBRKP's longest */
#define KTERMIOS	sizeof(struct termios)	/* TCGETS/TCSETS: no speeds */

struct server;

/* A request answered later. */
struct waiter {
	fuse_req_t req;
	struct server *s;
	struct waiter **list;	/* the queue it is on */
	struct waiter *next;
	size_t size;		/* read: bytes wanted; write: bytes in all */
	size_t done;		/* write: bytes queued so far */
	uint8_t *data;		/* write: all of its bytes */
	int cmd;		/* drain: the ioctl */
	unsigned long arg;	/* ... its argument */
	struct termios2 t;	/* ... TCSETS*: the settings asked */
};

/* One open file (fi->fh): its latest poll handle. */
struct opener {
	struct fuse_pollhandle *ph;
	unsigned int events;	/* what that poll() waits for */
	struct opener *next;
};

struct server {
	struct cuse_export x;
	struct udrv_cdns_uart *u;
	struct udrv_cdns_uart_config cfg;	/* in force on the UART */
	struct termios2 t;			/* what TCGETS returns */
	struct winsize ws;
	int modem;				/* TIOCM_DTR, TIOCM_RTS */
	bool excl, stopped;			/* TIOCEXCL; TCOOFF */
	bool kick;				/* a request moved the rings */
	bool debug;				/* log unknown ioctls */
	struct opener *openers;
	struct waiter *reads, *writes, *drains;	/* oldest first */
	size_t thead, tlen;			/* tx[]: for the UART */
	size_t rhead, rlen;			/* rx[]: from the UART */
	int err;				/* fatal, from the UART */
	uint8_t tx[BUF], rx[BUF];
};

/* ---- the UART side ---- */

static int uart_err(struct server *s, const char *what, long err)
{
	if (!s->err)
		s->err = udrv_error((int)err, "the UART: %s: %s", what, strerror((int)-err));
	return s->err;
}

/* Discard what was received: our ring, the driver's, the FIFO. */
static void flush_input(struct server *s)
{
	uint8_t junk[256];

	s->rlen = 0;
	while (udrv_cdns_uart_read_nonblock(s->u, junk, sizeof(junk)) > 0)
		;
}

/* Wait until the TX FIFO has sent everything (64 characters at most). */
static int drain_fifo(struct server *s)
{
	int ret = udrv_cdns_uart_drain(s->u, 64 * 12 * 1000000000ull / s->cfg.baud + 100 * MS);

	return ret == -ENODEV ? uart_err(s, "drain", ret) : 0;
}

/*
 * Program the UART from @nt (as xuartps' cdns_uart_set_termios()) and
 * store in s->t, and in *@nt, what it got. (A TCSETS carries no speeds:
 * the caller put the current ones in, for BOTHER.)
 */
static int set_termios(struct server *s, struct termios2 *nt)
{
	struct udrv_cdns_uart_config want = s->cfg;
	unsigned int cflag = cdns_uart_cflag_config(nt->c_cflag, &want);
	unsigned int code = nt->c_cflag & CBAUD, was = s->t.c_cflag & CBAUD;
	uint32_t baud = code == BOTHER ? nt->c_ospeed : cdns_uart_speed_baud(code);
	int ret = 0;

	if (baud)	/* B0 (hang up) keeps the rate */
		want.baud = baud;
	if (memcmp(&want, &s->cfg, sizeof(want))) {
		ret = udrv_cdns_uart_configure(s->u, &want);
		if (ret == -ERANGE) {	/* out of reach: the rate it had */
			want.baud = s->cfg.baud;
			ret = udrv_cdns_uart_configure(s->u, &want);
		}
		if (ret)
			return ret == -ENODEV ? uart_err(s, "configure", ret) : ret;
		s->cfg = want;
	}
	if (code != B0) {
		uint32_t actual = udrv_cdns_uart_baud(s->u);

		/* as tty_termios_encode_baud_rate(): BOTHER asked, BOTHER told */
		code = code == BOTHER ? BOTHER : cdns_uart_baud_code(actual);
		cflag = (cflag & ~(unsigned int)CBAUD) | code;
		nt->c_ispeed = nt->c_ospeed = actual;
		if (was == B0)	/* out of hang-up: the lines up again */
			s->modem |= TIOCM_DTR | TIOCM_RTS;
	} else {
		nt->c_ispeed = nt->c_ospeed = 0;
		s->modem &= ~(TIOCM_DTR | TIOCM_RTS);
	}
	if (cflag & CIBAUD)	/* a separate input rate: the same one */
		cflag = (cflag & ~(unsigned int)CIBAUD) | (code << IBSHIFT);
	nt->c_cflag = cflag;
	nt->c_line = s->t.c_line;	/* the discipline is not set so */
	s->t = *nt;
	return 0;
}

/* What poll() says now. */
static unsigned int mask(const struct server *s)
{
	unsigned int m = 0;

	if (s->rlen)
		m |= POLLIN | POLLRDNORM;
	if (s->tlen < BUF && !s->writes)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

/* Copy what fits of @p into the transmit ring; returns how much. */
static size_t put(struct server *s, const uint8_t *p, size_t len)
{
	size_t n = 0;

	while (n < len && s->tlen < BUF) {
		size_t tail = (s->thead + s->tlen) % BUF;
		size_t chunk = BUF - s->tlen;			/* room */

		if (chunk > BUF - tail)
			chunk = BUF - tail;			/* contiguous */
		if (chunk > len - n)
			chunk = len - n;
		memcpy(s->tx + tail, p + n, chunk);
		s->tlen += chunk;
		n += chunk;
	}
	return n;
}

/* Answer a read of @size with what the receive ring holds (rlen > 0). */
static void reply_read(struct server *s, fuse_req_t req, size_t size)
{
	size_t n = size < s->rlen ? size : s->rlen, first = BUF - s->rhead;
	struct iovec iov[2] = {
		{ s->rx + s->rhead, n < first ? n : first },
		{ s->rx, n > first ? n - first : 0 },
	};

	fuse_reply_iov(req, iov, n > first ? 2 : 1);
	s->rhead = (s->rhead + n) % BUF;
	s->rlen -= n;
}

static void unlink_waiter(struct waiter *w)
{
	for (struct waiter **p = w->list; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
}

static void free_waiter(struct waiter *w)
{
	free(w->data);
	free(w);
}

/* FUSE_INTERRUPT: a signal reached the caller of a kept request. */
static void interrupted(fuse_req_t req, void *data)
{
	struct waiter *w = data;

	(void)req;
	unlink_waiter(w);
	if (w->list == &w->s->writes && w->done)
		fuse_reply_write(w->req, w->done);	/* what was queued */
	else
		fuse_reply_err(w->req, EINTR);
	free_waiter(w);
}

/* Keep @req on @list (a new struct waiter, or NULL and the request
 * answered: -ENOMEM, or -EINTR if its caller was interrupted already). */
static struct waiter *keep(struct server *s, fuse_req_t req, struct waiter **list)
{
	struct waiter *w, **p;

	if (fuse_req_interrupted(req)) {
		fuse_reply_err(req, EINTR);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		fuse_reply_err(req, ENOMEM);
		return NULL;
	}
	w->req = req;
	w->s = s;
	w->list = list;
	for (p = list; *p; p = &(*p)->next)
		;
	*p = w;
	return w;
}

static void arm(struct waiter *w)
{
	fuse_req_interrupt_func(w->req, interrupted, w);
}

/* A kept TCSETSW/F, TCSBRK(P) or tcdrain(), once the line has drained. */
static void finish_drain(struct server *s, struct waiter *w)
{
	int ret = 0;

	switch (w->cmd) {
	case TCSETSF: case TCSETSF2:
		flush_input(s);
		/* fall through */
	case TCSETSW: case TCSETSW2:
		ret = set_termios(s, &w->t);
		break;
	case TCSBRK: case TCSBRKP:
		if (w->arg) {
			ret = udrv_cdns_uart_send_break(s->u, w->arg * MS);
			if (ret == -ENODEV)
				uart_err(s, "break", ret);
		}
		break;
	}
	if (ret)
		fuse_reply_err(w->req, -ret);
	else
		fuse_reply_ioctl(w->req, 0, NULL, 0);
}

/* Move bytes as far as each side takes them now. */
static int step(void *data, short revents)
{
	struct server *s = data;
	bool moved;

	/* Nothing for the UART unless it interrupted or a request changed
	 * the rings (a poll() request alone does not): under emulation the
	 * syscalls and register reads it takes are what costs. */
	if (!revents && !s->kick && !s->drains)
		goto notify;
	s->kick = false;
	do {
		ssize_t n;

		moved = false;
		/* kept writes into the ring */
		while (s->writes && s->tlen < BUF) {
			struct waiter *w = s->writes;

			w->done += put(s, w->data + w->done, w->size - w->done);
			if (w->done < w->size)
				break;
			s->writes = w->next;
			fuse_reply_write(w->req, w->size);
			free_waiter(w);
			moved = true;
		}
		/* the ring into the TX FIFO */
		if (s->tlen && !s->stopped) {
			size_t chunk = BUF - s->thead < s->tlen ? BUF - s->thead : s->tlen;

			n = udrv_cdns_uart_write_nonblock(s->u, s->tx + s->thead, chunk);
			if (n > 0) {
				s->thead = (s->thead + (size_t)n) % BUF;
				s->tlen -= (size_t)n;
				moved = true;
			} else if (n != -EAGAIN) {
				return uart_err(s, "write", n);
			}
		}
		/* the driver's ring into ours */
		if (s->rlen < BUF) {
			size_t tail = (s->rhead + s->rlen) % BUF;
			size_t room = BUF - s->rlen < BUF - tail ? BUF - s->rlen : BUF - tail;

			n = udrv_cdns_uart_read_nonblock(s->u, s->rx + tail, room);
			if (n > 0) {
				if (s->t.c_cflag & CREAD)
					s->rlen += (size_t)n;
				moved = true;
			} else if (n != -EAGAIN) {
				return uart_err(s, "read", n);
			}
		}
		/* ours to kept reads */
		while (s->reads && s->rlen) {
			struct waiter *w = s->reads;

			s->reads = w->next;
			reply_read(s, w->req, w->size);
			free_waiter(w);
			moved = true;
		}
	} while (moved && !s->err);
	if (s->drains && !s->tlen && !s->writes && !s->stopped && !drain_fifo(s)) {
		while (s->drains) {
			struct waiter *w = s->drains;

			s->drains = w->next;
			finish_drain(s, w);
			free_waiter(w);
		}
	}
notify:
	for (struct opener *o = s->openers; o; o = o->next) {
		if (o->ph && (mask(s) & o->events)) {
			fuse_lowlevel_notify_poll(o->ph);
			fuse_pollhandle_destroy(o->ph);
			o->ph = NULL;
		}
	}
	return s->err;
}

static void events(void *data, struct pollfd *p)
{
	struct server *s = data;

	/* Not while nothing would serve it: ring full, nothing to send. */
	if (s->rlen < BUF || (s->tlen && !s->stopped)) {
		p->fd = udrv_cdns_uart_fd(s->u);
		p->events = POLLIN;
	}
}

/* ---- the character device ---- */

static void tty_open(fuse_req_t req, struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);
	struct opener *o;

	/* TIOCEXCL: the kernel lets CAP_SYS_ADMIN through; we let root */
	if (s->excl && fuse_req_ctx(req)->uid != 0) {
		fuse_reply_err(req, EBUSY);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	o->next = s->openers;
	s->openers = o;
	fi->fh = (uintptr_t)o;
	fi->nonseekable = 1;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void tty_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);
	struct opener *o = (struct opener *)(uintptr_t)fi->fh;

	for (struct opener **p = &s->openers; *p; p = &(*p)->next) {
		if (*p == o) {
			*p = o->next;
			break;
		}
	}
	if (o->ph)
		fuse_pollhandle_destroy(o->ph);
	free(o);
	if (!s->openers)
		s->excl = false;	/* the tty's last close */
	fuse_reply_err(req, 0);
}

static void tty_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);
	struct waiter *w;

	(void)off;
	if (!size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	s->kick = true;		/* room in the ring: read the UART again */
	if (s->rlen && !s->reads) {
		reply_read(s, req, size);
		return;
	}
	if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
		return;
	}
	if ((w = keep(s, req, &s->reads))) {
		w->size = size;
		arm(w);
	}
}

static void tty_write(fuse_req_t req, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct server *s = fuse_req_userdata(req);
	size_t n = s->writes ? 0 : put(s, (const uint8_t *)buf, size);
	struct waiter *w;

	(void)off;
	s->kick = true;
	if (n == size || (n && (fi->flags & O_NONBLOCK))) {
		fuse_reply_write(req, n);
		return;
	}
	if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
		return;
	}
	/* Blocking: answered once all of it is in the ring. */
	if (!(w = keep(s, req, &s->writes)))
		return;
	w->data = malloc(size);
	if (!w->data) {
		unlink_waiter(w);
		free_waiter(w);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	memcpy(w->data, buf, size);
	w->size = size;
	w->done = n;
	arm(w);
}

static void tty_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct server *s = fuse_req_userdata(req);
	struct opener *o = (struct opener *)(uintptr_t)fi->fh;

	if (ph) {
		if (o->ph)
			fuse_pollhandle_destroy(o->ph);
		o->ph = ph;
		o->events = fi->poll_events ? fi->poll_events : ~0u;
	}
	fuse_reply_poll(req, mask(s));
}

/* Kept until the line has drained: TCSETSW/F, TCSBRK(P) (@arg: the break's
 * length in ms, 0 none). */
static void after_drain(struct server *s, fuse_req_t req, int cmd, unsigned long arg,
			const struct termios2 *t)
{
	struct waiter *w;

	if (!(w = keep(s, req, &s->drains)))
		return;
	w->cmd = cmd;
	w->arg = arg;
	if (t)
		w->t = *t;
	arm(w);
}

/* TCXONC's TCIOFF/TCION: send the STOP or START character ahead. */
static void send_char(struct server *s, uint8_t c)
{
	if (udrv_cdns_uart_write_nonblock(s->u, &c, 1) != 1)
		put(s, &c, 1);
}

static void tty_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi,
		      unsigned int flags, const void *in, size_t in_size, size_t out_size)
{
	struct server *s = fuse_req_userdata(req);
	size_t need_in = 0, need_out = 0;
	unsigned long val = (unsigned long)(uintptr_t)arg;
	union {
		struct termios2 t;
		struct winsize ws;
		int i;
	} u;
	int ret = 0;

	(void)fi;
	(void)flags;
	memset(&u, 0, sizeof(u));
	s->kick = true;
	switch ((unsigned int)cmd) {
	case TCGETS: need_out = KTERMIOS; break;
	case TCGETS2: need_out = sizeof(struct termios2); break;
	case TCSETS: case TCSETSW: case TCSETSF: need_in = KTERMIOS; break;
	case TCSETS2: case TCSETSW2: case TCSETSF2: need_in = sizeof(struct termios2); break;
	case TIOCGWINSZ: need_out = sizeof(struct winsize); break;
	case TIOCSWINSZ: need_in = sizeof(struct winsize); break;
	case FIONREAD: case TIOCOUTQ: case TIOCMGET: case TIOCGEXCL: case TIOCGETD:
		need_out = sizeof(int);
		break;
	case TIOCMSET: case TIOCMBIS: case TIOCMBIC: need_in = sizeof(int); break;
	}
	if (in_size < need_in || out_size < need_out) {
		struct iovec iv = { arg, need_in }, ov = { arg, need_out };

		fuse_reply_ioctl_retry(req, need_in ? &iv : NULL, need_in ? 1 : 0,
				       need_out ? &ov : NULL, need_out ? 1 : 0);
		return;
	}
	if (need_in == KTERMIOS) {	/* no speeds: the current ones */
		u.t = s->t;
		memcpy(&u.t, in, KTERMIOS);
	} else if (need_in) {
		memcpy(&u, in, need_in);
	}
	switch ((unsigned int)cmd) {
	case TCGETS: case TCGETS2:
		u.t = s->t;
		break;
	case TCSETS: case TCSETS2:
		ret = set_termios(s, &u.t);
		break;
	case TCSETSF: case TCSETSF2:
	case TCSETSW: case TCSETSW2:
		after_drain(s, req, cmd, 0, &u.t);
		return;
	case TCSBRK:	/* tcdrain() (1), tcsendbreak(fd, 0) (0) */
		after_drain(s, req, cmd, val ? 0 : BREAK_MS, NULL);
		return;
	case TCSBRKP:	/* tenths of a second, 0: the default */
		after_drain(s, req, cmd, !val ? BREAK_MS : val > BREAK_MAX_MS / 100 ? BREAK_MAX_MS : val * 100,
			    NULL);
		return;
	case TCFLSH:
		if (val == TCIFLUSH || val == TCIOFLUSH)
			flush_input(s);
		if (val == TCOFLUSH || val == TCIOFLUSH)
			s->tlen = 0;
		if (val > TCIOFLUSH)
			ret = -EINVAL;
		break;
	case TCXONC:
		switch (val) {
		case TCOOFF: s->stopped = true; break;
		case TCOON: s->stopped = false; break;
		case TCIOFF: send_char(s, s->t.c_cc[VSTOP]); break;
		case TCION: send_char(s, s->t.c_cc[VSTART]); break;
		default: ret = -EINVAL; break;
		}
		break;
	case FIONREAD: u.i = (int)s->rlen; break;
	case TIOCOUTQ: u.i = (int)s->tlen; break;
	case TIOCGWINSZ: u.ws = s->ws; break;
	case TIOCSWINSZ: s->ws = u.ws; break;
	case TIOCEXCL: s->excl = true; break;
	case TIOCNXCL: s->excl = false; break;
	case TIOCGEXCL: u.i = s->excl; break;
	case TIOCGETD: u.i = 0; break;	/* N_TTY */
	case TIOCMGET: u.i = s->modem | TIOCM_CTS | TIOCM_DSR | TIOCM_CAR; break;
	case TIOCMSET: s->modem = u.i & (TIOCM_DTR | TIOCM_RTS); break;
	case TIOCMBIS: s->modem |= u.i & (TIOCM_DTR | TIOCM_RTS); break;
	case TIOCMBIC: s->modem &= ~(u.i & (TIOCM_DTR | TIOCM_RTS)); break;
	default:
		if (s->debug)
			fprintf(stderr, "udrv-uart: tty: ioctl 0x%x: -ENOTTY\n", (unsigned int)cmd);
		ret = -ENOTTY;
		break;
	}
	cuse_export_reply_ioctl(req, ret, &u, need_out);
}

static void tty_init_done(void *userdata)
{
	struct server *s = userdata;

	cuse_export_ready(&s->x);
}

static const struct cuse_lowlevel_ops tty_ops = {
	.init_done = tty_init_done,
	.open = tty_open,
	.read = tty_read,
	.write = tty_write,
	.release = tty_release,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};

/* The settings a tty starts with: raw, the UART's line. */
static void initial_termios(struct server *s)
{
	static const uint8_t cc[] = {
		[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		[VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021, [VSTOP] = 023,
		[VSUSP] = 032, [VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027,
		[VLNEXT] = 026,
	};
	struct termios2 t = { .c_cflag = cdns_uart_config_cflag(&s->cfg) | CREAD | CLOCAL };
	uint32_t actual = udrv_cdns_uart_baud(s->u);

	memcpy(t.c_cc, cc, sizeof(cc));
	t.c_cflag |= cdns_uart_baud_code(actual);
	t.c_ispeed = t.c_ospeed = actual;
	s->t = t;
	s->modem = TIOCM_DTR | TIOCM_RTS;
}

/* Going away: kept reads see end of file (a hung-up tty's), the rest EIO. */
static void answer_all(struct server *s)
{
	while (s->reads) {
		struct waiter *w = s->reads;

		s->reads = w->next;
		fuse_reply_buf(w->req, NULL, 0);
		free_waiter(w);
	}
	while (s->writes || s->drains) {
		struct waiter *w = s->writes ? s->writes : s->drains;

		*w->list = w->next;
		fuse_reply_err(w->req, EIO);
		free_waiter(w);
	}
	while (s->openers) {
		struct opener *o = s->openers;

		s->openers = o->next;
		if (o->ph)
			fuse_pollhandle_destroy(o->ph);
		free(o);
	}
}

int cdns_uart_tty_serve(struct udrv_cdns_uart *u, const struct udrv_cdns_uart_config *cfg,
			const char *name, int stop_fd,
			void (*ready)(const char *node, void *data), void *data)
{
	struct server *s = calloc(1, sizeof(*s));
	const struct cuse_export_dev dev = { .events = events, .step = step, .data = s };
	int ret;

	if (!s)
		return udrv_error(-ENOMEM, "out of memory");
	s->u = u;
	s->cfg = *cfg;
	s->debug = getenv("UDRV_TTY_DEBUG") != NULL;
	initial_termios(s);
	ret = cuse_export_open(&s->x, "udrv-uart", name ? name : CDNS_UART_TTY_NAME,
			       CUSE_UNRESTRICTED_IOCTL, &tty_ops, s, ready, data);
	if (!ret) {
		ret = cuse_export_loop(&s->x, stop_fd, &dev);
		answer_all(s);
		cuse_export_close(&s->x);
	}
	free(s);
	return ret;
}
