// SPDX-License-Identifier: MIT
/*
 * pty.c - `udrv-uart pty`: the UART as a pseudo-terminal, for programs that
 * open a tty (microcom, picocom, screen, a getty) and know nothing of udrv.
 *
 * One thread, one poll() over three fds: the signalfd (SIGTERM, SIGINT),
 * the pty master (/dev/ptmx, packet mode) and the UART's interrupt fd.
 * Bytes move raw both ways through one bounded buffer per direction; a
 * full side stops the other instead of dropping:
 *   master -> UART: the master is read only when the previous read has all
 *     gone into the TX FIFO; a full FIFO arms the TX empty interrupt
 *     (udrv_cdns_uart_write_nonblock()) and the pty buffers what the slave
 *     writes meanwhile (its writer blocks when that is full).
 *   UART -> master: the UART is read only when the previous read has all
 *     been taken by the master; while the master is full the driver's ring
 *     fills, then its RX interrupts go off and the RX FIFO fills (QEMU then
 *     holds the peer; silicon, without RTS/CTS, overruns).
 *
 * Line settings: the slave carries EXTPROC and the master is in packet
 * mode (TIOCPKT), so every termios change on the slave reaches the master
 * as a TIOCPKT_IOCTL packet; tcgetattr() on the master returns the slave's
 * termios. Its output speed and CSTOPB are applied with
 * udrv_cdns_uart_configure() once the TX FIFO has drained. Data bits and
 * parity cannot be carried: Linux's pty_set_termios() (drivers/tty/pty.c)
 * forces CS8 and clears PARENB on every change, so those come from
 * --format. A program that clears EXTPROC gets no more packets: the
 * relay then reads the slave's termios every 100 ms and before relaying
 * each read from the master.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"
#include "termios_cfg.h"

#define MS		1000000ull
#define BUF		4096
#define RECHECK_MS	100	/* termios poll period while EXTPROC is off */

struct relay {
	const char *prog;
	struct udrv_cdns_uart *u;
	struct udrv_cdns_uart_config cfg;	/* in force on the UART */
	uint32_t asked_baud;			/* the slave's, as last applied */
	unsigned int asked_stop;
	int master, slave, sig;
	char slave_path[PATH_MAX];
	bool extproc;				/* the slave's, as last seen */
	size_t toff, tlen;	/* tx[toff..]: from the master, for the UART */
	size_t roff, rlen;	/* rx[roff..]: from the UART, for the master */
	uint8_t tx[1 + BUF];	/* a packet: status byte, then the data */
	uint8_t rx[BUF];
};

static int say(const struct relay *r, const char *what, int err)
{
	fprintf(stderr, "%s: pty: %s: %s\n", r->prog, what, strerror(-err));
	return err;
}

/*
 * Apply the slave's speed and CSTOPB to the UART if they changed since the
 * last call. Called only with nothing pending for the UART (tlen 0): what
 * the TX FIFO holds goes out at the old settings first. A rate the UART
 * cannot make is reported on stderr once and the UART keeps its settings.
 */
static int apply(struct relay *r)
{
	struct udrv_cdns_uart_config want = r->cfg;
	uint32_t baud;
	struct termios t;
	int ret;

	if (tcgetattr(r->master, &t))
		return say(r, "tcgetattr", -errno);
	r->extproc = t.c_lflag & EXTPROC;
	baud = cdns_uart_speed_baud(cfgetospeed(&t));	/* 0: B0 (hang up) or BOTHER */
	want.stop_bits = t.c_cflag & CSTOPB ? 2 : 1;
	if (baud == r->asked_baud && want.stop_bits == r->asked_stop)
		return 0;
	r->asked_baud = baud;
	r->asked_stop = want.stop_bits;
	if (baud)
		want.baud = baud;
	if (want.baud == r->cfg.baud && want.stop_bits == r->cfg.stop_bits)
		return 0;
	ret = udrv_cdns_uart_drain(r->u, 64 * 12 * 1000000000ull / r->cfg.baud + 100 * MS);
	if (ret == -ENODEV)
		return say(r, "UART", ret);
	ret = udrv_cdns_uart_configure(r->u, &want);
	if (ret == -ERANGE || ret == -EINVAL) {
		fprintf(stderr, "%s: pty: %u baud, %u stop bits: out of the UART's reach; it stays at %u baud, %u stop bits\n",
			r->prog, want.baud, want.stop_bits, r->cfg.baud, r->cfg.stop_bits);
		return 0;
	}
	if (ret)
		return say(r, "configure", ret);
	r->cfg = want;
	return 0;
}

/* Read one packet from the master: data for the UART, or a status. */
static int from_master(struct relay *r)
{
	ssize_t n;
	int ret;

	/* Without EXTPROC no packet says the settings changed: look now,
	 * so that these bytes go out with the slave's current ones. */
	if (!r->extproc && (ret = apply(r)))
		return ret;
	n = read(r->master, r->tx, sizeof(r->tx));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : say(r, "read", -errno);
	if (n == 0)
		return 0;
	if (r->tx[0] == TIOCPKT_DATA) {
		r->toff = 1;
		r->tlen = (size_t)n - 1;
		return 0;
	}
	if (r->tx[0] & TIOCPKT_FLUSHREAD)	/* tcflush(TCIFLUSH) on the slave */
		r->rlen = 0;
	if (r->tx[0] & TIOCPKT_IOCTL)
		return apply(r);
	return 0;
}

/* Move what is pending as far as each side takes it now. */
static int pump(struct relay *r, bool uart_event)
{
	ssize_t n;

	if (r->tlen) {
		n = udrv_cdns_uart_write_nonblock(r->u, r->tx + r->toff, r->tlen);
		if (n < 0 && n != -EAGAIN)
			return say(r, "UART write", (int)n);
		if (n > 0) {
			r->toff += (size_t)n;
			r->tlen -= (size_t)n;
			uart_event = true;	/* it may have moved RX bytes into the ring */
		}
	}
	if (!r->rlen && uart_event) {
		n = udrv_cdns_uart_read_nonblock(r->u, r->rx, sizeof(r->rx));
		if (n < 0 && n != -EAGAIN)
			return say(r, "UART read", (int)n);
		if (n > 0) {
			r->roff = 0;
			r->rlen = (size_t)n;
		}
	}
	if (r->rlen) {
		n = write(r->master, r->rx + r->roff, r->rlen);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return say(r, "write", -errno);
		if (n > 0) {
			r->roff += (size_t)n;
			r->rlen -= (size_t)n;
		}
	}
	return 0;
}

static int relay(struct relay *r)
{
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = r->sig, .events = POLLIN },
			{ .fd = r->master, .events = (short)((r->tlen ? 0 : POLLIN) | (r->rlen ? POLLOUT : 0)) },
			/* not while the master is full and the TX FIFO has room */
			{ .fd = r->rlen && !r->tlen ? -1 : udrv_cdns_uart_fd(r->u), .events = POLLIN },
		};
		int n = poll(p, 3, r->extproc ? -1 : RECHECK_MS), ret;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return say(r, "poll", -errno);
		}
		if (p[0].revents)
			return 0;	/* SIGTERM or SIGINT */
		if (p[1].revents & (POLLERR | POLLNVAL))
			return say(r, "the pty master", -EIO);
		if (p[1].revents & POLLHUP) {
			/* Not from a close (the slave is held open): a hangup
			 * (vhangup(), as getty does). Hold it anew. */
			close(r->slave);
			r->slave = open(r->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
			if (r->slave < 0)
				return say(r, r->slave_path, -errno);
		}
		if (n == 0 && !r->extproc && !r->tlen && (ret = apply(r)))
			return ret;
		if ((p[1].revents & POLLIN) && (ret = from_master(r)))
			return ret;
		if ((ret = pump(r, p[2].revents & POLLIN)))
			return ret;
	}
}

/* Point @link at @target: a new symlink, or replacing a symlink (one a
 * killed export left); anything else there is refused. */
static int make_link(const struct relay *r, const char *link, const char *target)
{
	char tmp[PATH_MAX];
	struct stat st;

	if (!lstat(link, &st) && !S_ISLNK(st.st_mode)) {
		fprintf(stderr, "%s: pty: %s exists and is not a symbolic link\n", r->prog, link);
		return -EEXIST;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", link, (int)getpid()) >= (int)sizeof(tmp))
		return say(r, link, -ENAMETOOLONG);
	unlink(tmp);
	if (symlink(target, tmp))
		return say(r, link, -errno);
	if (rename(tmp, link)) {
		int err = -errno;

		unlink(tmp);
		return say(r, link, err);
	}
	return 0;
}

/* Remove @link if it still points at @target. */
static void remove_link(const char *link, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		if (!strcmp(buf, target))
			unlink(link);
	}
}

/* The slave's first settings: raw, EXTPROC, the UART's rate and stop bits. */
static int setup_slave(struct relay *r)
{
	speed_t sp = cdns_uart_baud_speed(r->cfg.baud);
	struct termios t;

	if (tcgetattr(r->slave, &t))
		return say(r, "tcgetattr", -errno);
	cfmakeraw(&t);
	t.c_lflag |= EXTPROC;
	t.c_cflag |= CLOCAL | CREAD;
	if (r->cfg.stop_bits == 2)
		t.c_cflag |= CSTOPB;
	if (sp != B0)
		cfsetspeed(&t, sp);
	if (tcsetattr(r->slave, TCSANOW, &t) || tcgetattr(r->slave, &t))
		return say(r, "tcsetattr", -errno);
	r->asked_baud = cdns_uart_speed_baud(cfgetospeed(&t));
	r->asked_stop = t.c_cflag & CSTOPB ? 2 : 1;
	r->extproc = t.c_lflag & EXTPROC;
	return 0;
}

int cdns_uart_pty_serve(const char *prog, struct udrv_cdns_uart *u,
			const struct udrv_cdns_uart_config *cfg, const char *link, int stop_fd)
{
	static struct relay rl;	/* 8 KiB of buffers; one export per process */
	struct relay *r = &rl;
	char *slave = rl.slave_path;
	int one = 1, ret;

	*r = (struct relay){ .prog = prog, .u = u, .cfg = *cfg, .master = -1, .slave = -1,
			     .sig = stop_fd };
	r->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (r->master < 0) {
		ret = say(r, "/dev/ptmx", -errno);
		goto out;
	}
	if (grantpt(r->master) || unlockpt(r->master) ||
	    ptsname_r(r->master, slave, sizeof(r->slave_path))) {
		ret = say(r, "/dev/ptmx", -errno);
		goto out;
	}
	/* Held open for the export's life: the last other opener closing the
	 * slave then does not hang the pty up, and its settings stay. */
	r->slave = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (r->slave < 0) {
		ret = say(r, slave, -errno);
		goto out;
	}
	if ((ret = setup_slave(r)))
		goto out;
	if (ioctl(r->master, TIOCPKT, &one)) {
		ret = say(r, "TIOCPKT", -errno);
		goto out;
	}
	if (link && (ret = make_link(r, link, slave)))
		goto out;
	printf("%s\n", slave);
	fflush(stdout);
	ret = relay(r);
	if (link)
		remove_link(link, slave);
out:
	if (r->slave >= 0)
		close(r->slave);
	if (r->master >= 0)
		close(r->master);
	return ret;
}
