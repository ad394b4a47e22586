// SPDX-License-Identifier: MIT
/*
 * test_uart_tty - `udrv-uart tty`: zcu102's UART1 (whose far end is the
 * harness's socket) served as a serial character device, /dev/ttyUDRV0,
 * through CUSE (issue 23), used by programs that know nothing of udrv:
 * busybox stty and microcom.
 *
 * The UART's registers are read through a read-only mapping of its
 * /dev/uioN (uart_common.h), not from anything the export says.
 *
 *   settings         `stty 57600 cs7 parenb parodd cstopb` sets the baud
 *                    divisors and each of the mode register's data bits,
 *                    parity and stop bits, once stty has returned; `stty
 *                    -a` shows them back; `115200 cs8 -parenb -cstopb` and
 *                    mark parity (cs6 parenb parodd cmspar) too
 *   bad_settings     CS5 becomes CS8 as xuartps makes it (stty says it
 *                    could not, tcgetattr() says cs8, the UART runs 8
 *                    bits), CRTSCTS is cleared; an ioctl the export does
 *                    not serve is ENOTTY; a non-blocking read of nothing
 *                    is EAGAIN; FIONREAD, TIOCOUTQ, tcdrain() answer;
 *                    tcsendbreak() holds the break 250 ms
 *   binary_64k       64 KiB holding every byte value, written to and read
 *                    from the node (poll, O_NONBLOCK writes), echoed by the
 *                    host, come back identical (and the host's uart-check)
 *   microcom         busybox microcom -X -s 115200, stdin from a pipe,
 *                    stdout captured: MICROCOM bytes of every value come
 *                    back identical (and the host's uart-check), then
 *                    64 KiB of every byte value the host sends
 *                    (uart-send-pattern) arrive intact on its stdout; its
 *                    -s 115200 after 9600 reaches the UART. microcom
 *                    writes one byte per write(2) with a poll() between,
 *                    each a round trip to the export through CUSE: about
 *                    1.3 ms a byte under TCG, so 1 KiB goes that way, not
 *                    64 KiB (85 s); it reads a buffer at a time
 *   second_and_stop  after a SIGKILL the node is gone and the next start
 *                    works; a second export of the UART is refused with
 *                    one line and exit 1; SIGTERM: exit 0, nothing on
 *                    stderr, the node gone (every test stops its export so)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "child.h"
#include "sh.h"
#include "uart_common.h"

#define UART_CLI	"/usr/bin/udrv-uart"
#define NODE		"/dev/ttyUDRV0"
#define DATA		(64 * 1024)	/* through the node by this program */
#define MICROCOM	1024		/* through microcom and back: see the top */
#define MICROCOM_IN	(64 * 1024)	/* from the host through microcom */
#define MR_FMT		0xfeu		/* MR's CHRL, PAR, NBSTOP: bits 7:1 */

/* ---- the export ---- */

struct export {
	pid_t pid;
	int out, err;
};

static pid_t running;	/* for teardown() after a failure */

static int teardown(void **state)
{
	(void)state;
	if (running) {
		kill(running, SIGKILL);
		wait_exit(running, 5000);
		running = 0;
	}
	return 0;
}

static void export_start(struct export *x)
{
	char *argv[] = { UART_CLI, "tty", NULL };
	char line[128], err[512];

	x->pid = spawn(argv, -1, &x->out, &x->err);
	running = x->pid;
	read_some(x->out, line, sizeof(line), 10000, true);
	if (strcmp(line, NODE "\n") || !exists(NODE)) {
		read_some(x->err, err, sizeof(err), 200, false);
		fail_msg("udrv-uart tty printed '%s', stderr '%s'", line, err);
	}
}

/* SIGTERM: exit 0 within 5 s, nothing on stderr, the node gone. */
static void export_stop(struct export *x)
{
	char err[512];
	int status;

	assert_int_equal(kill(x->pid, SIGTERM), 0);
	status = wait_exit(x->pid, 5000);
	read_some(x->err, err, sizeof(err), 100, false);
	if (status != 0)
		fail_msg("udrv-uart tty after SIGTERM: status %d, stderr '%s'", status, err);
	running = 0;
	assert_string_equal(err, "");
	assert_false(exists(NODE));
	close(x->out);
	close(x->err);
}

/* `stty -a`'s output (sh_out) has the flag @f, as a word: "parenb" is
 * not in "-parenb". */
static bool has_word(const char *f)
{
	size_t n = strlen(f);

	for (const char *p = sh_out; (p = strstr(p, f)); p++) {
		bool start = p == sh_out || p[-1] == ' ' || p[-1] == '\n' || p[-1] == ';';
		bool end = p[n] == ' ' || p[n] == '\n' || p[n] == ';' || p[n] == '\0';

		if (start && end)
			return true;
	}
	return false;
}

/* ---- tests ---- */

static void test_settings(void **state)
{
	struct export x;
	uint32_t d0;

	(void)state;
	export_start(&x);
	/* the defaults: 115200 8N1 */
	assert_int_equal(reg(UART_MR) & MR_FMT, UART_MR_CHRL_8 | UART_MR_PAR_NONE | UART_MR_NBSTOP_1);
	d0 = divisor();

	/* Applied before stty returns (TCSETSW answers once programmed):
	 * the registers are read once, no waiting. */
	assert_int_equal(sh("stty -F " NODE " 57600 cs7 parenb parodd cstopb"), 0);
	if (!wait_line(d0, 2, 1, 0, 0, 0))
		fail_msg("after stty 57600: divisor %u (115200: %u)", divisor(), d0);
	assert_int_equal(reg(UART_MR) & 0x06, UART_MR_CHRL_7);		/* CHRL */
	assert_int_equal(reg(UART_MR) & 0x38, UART_MR_PAR_ODD);		/* PAR */
	assert_int_equal(reg(UART_MR) & 0xc0, UART_MR_NBSTOP_2);	/* NBSTOP */
	assert_int_equal(sh("stty -F " NODE " -a"), 0);
	assert_non_null(strstr(sh_out, "speed 57600 baud"));
	assert_true(has_word("cs7") && has_word("parenb") && has_word("parodd") && has_word("cstopb"));

	assert_int_equal(sh("stty -F " NODE " 115200 cs8 -parenb -cstopb"), 0);
	if (!wait_line(d0, 1, 1, 0, 0, 0))
		fail_msg("after stty 115200: divisor %u (want %u)", divisor(), d0);
	assert_int_equal(reg(UART_MR) & MR_FMT, UART_MR_CHRL_8 | UART_MR_PAR_NONE | UART_MR_NBSTOP_1);
	assert_int_equal(sh("stty -F " NODE " -a"), 0);
	assert_non_null(strstr(sh_out, "speed 115200 baud"));
	assert_true(has_word("cs8") && has_word("-parenb") && has_word("-cstopb"));

	/* mark parity: CMSPAR with PARODD */
	assert_int_equal(sh("stty -F " NODE " cs6 parenb parodd cmspar"), 0);
	assert_int_equal(reg(UART_MR) & MR_FMT, UART_MR_CHRL_6 | UART_MR_PAR_MARK | UART_MR_NBSTOP_1);
	assert_int_equal(sh("stty -F " NODE " cs8 -parenb -parodd -cmspar"), 0);
	assert_int_equal(reg(UART_MR) & MR_FMT, UART_MR_CHRL_8 | UART_MR_PAR_NONE | UART_MR_NBSTOP_1);
	export_stop(&x);
}

static void test_bad_settings(void **state)
{
	struct export x;
	struct termios t;
	uint64_t t0;
	char b[16];
	int fd, n;

	(void)state;
	export_start(&x);
	/* xuartps: CS5 is run (and reported) as CS8; stty notices */
	assert_int_not_equal(sh("stty -F " NODE " cs5"), 0);
	assert_int_equal(sh("stty -F " NODE " -a"), 0);
	assert_true(has_word("cs8") && !has_word("cs5"));
	assert_int_equal(reg(UART_MR) & 0x06, UART_MR_CHRL_8);

	fd = open(NODE, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(isatty(fd));
	assert_int_equal(tcgetattr(fd, &t), 0);
	t.c_cflag = (t.c_cflag & ~(tcflag_t)CSIZE) | CS5 | PARENB | CRTSCTS;
	assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
	assert_int_equal(tcgetattr(fd, &t), 0);
	assert_int_equal(t.c_cflag & CSIZE, CS8);
	assert_true(t.c_cflag & PARENB);
	assert_false(t.c_cflag & CRTSCTS);
	assert_int_equal(reg(UART_MR) & MR_FMT, UART_MR_CHRL_8 | UART_MR_PAR_EVEN | UART_MR_NBSTOP_1);
	t.c_cflag &= ~(tcflag_t)PARENB;
	assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
	assert_int_equal(reg(UART_MR) & MR_FMT, UART_MR_CHRL_8 | UART_MR_PAR_NONE | UART_MR_NBSTOP_1);

	/* not served: ENOTTY, as the kernel for an ioctl a tty lacks */
	errno = 0;
	assert_int_equal(ioctl(fd, TIOCGSERIAL, b), -1);
	assert_int_equal(errno, ENOTTY);
	errno = 0;
	assert_int_equal(ioctl(fd, TIOCSCTTY, 0), -1);
	assert_int_equal(errno, ENOTTY);
	/* nothing to read: EAGAIN, FIONREAD 0; tcdrain() and TIOCOUTQ */
	errno = 0;
	assert_int_equal(read(fd, b, sizeof(b)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(tcdrain(fd), 0);
	assert_int_equal(ioctl(fd, TIOCOUTQ, &n), 0);
	assert_int_equal(n, 0);
	/* a break (TCSBRK 0): held 250 ms, as the kernel's */
	t0 = now_ms();
	assert_int_equal(tcsendbreak(fd, 0), 0);
	assert_true(now_ms() - t0 >= 250);
	close(fd);
	export_stop(&x);
}

/* 64 KiB of every byte value through the node (open, poll, non-blocking
 * write, read), echoed by the host, come back identical. */
static void test_binary_64k(void **state)
{
	static uint8_t out[DATA], in[DATA];
	struct export x;
	size_t got;
	int fd;

	(void)state;
	pattern(out, DATA);
	export_start(&x);
	host_echo(true);
	sync_echo(NODE);
	fd = open(NODE, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(fd >= 0);
	got = exchange(fd, fd, out, in, DATA, NULL);
	close(fd);
	host_echo(false);
	assert_int_equal(got, DATA);
	assert_memory_equal(in, out, DATA);
	host_check(out, DATA);
	export_stop(&x);
}

static uint32_t d_9600;
static bool saw_115200;

static void sample_115200(void)
{
	uint64_t want = (uint64_t)d_9600 / 12, d = divisor();

	saw_115200 |= d * 100 >= want * 97 && d * 100 <= want * 103;
}

/* busybox microcom -X (every byte passes) -s 115200, stdin a pipe, stdout
 * captured: what it sends comes back identical through the host's echo;
 * what the host sends arrives identical. */
static void test_microcom(void **state)
{
	static uint8_t out[MICROCOM], in[MICROCOM], want[MICROCOM_IN], from_host[MICROCOM_IN];
	char *argv[] = { "/bin/busybox", "microcom", "-X", "-t", "5000", "-s", "115200", NODE, NULL };
	struct microcom m;
	struct export x;

	(void)state;
	pattern(out, MICROCOM);
	export_start(&x);
	host_echo(true);
	sync_echo(NODE);
	/* from 9600, so that microcom's speed is seen to arrive */
	assert_int_equal(sh("stty -F " NODE " 9600"), 0);
	d_9600 = divisor();
	saw_115200 = false;

	pattern(want, MICROCOM_IN);
	m = microcom_session(argv, out, in, MICROCOM, from_host, MICROCOM_IN, sample_115200);
	assert_int_equal(m.got, MICROCOM);
	assert_memory_equal(in, out, MICROCOM);
	host_check(out, MICROCOM);
	assert_int_equal(m.got_in, MICROCOM_IN);
	assert_memory_equal(from_host, want, MICROCOM_IN);
	assert_true(saw_115200);
	assert_true(m.status >= 0);	/* it ended on SIGTERM */
	assert_int_equal(wait_exit(x.pid, 0), -1);	/* its close ended nothing */
	export_stop(&x);
}

static void test_second_and_stop(void **state)
{
	char *argv[] = { UART_CLI, "tty", NULL };
	char line[512], err[512];
	struct export x;
	int st;

	(void)state;
	/* SIGKILL: the kernel removes the node, the next start works */
	export_start(&x);
	assert_int_equal(kill(x.pid, SIGKILL), 0);
	assert_int_equal(wait_exit(x.pid, 5000), 128 + SIGKILL);
	running = 0;
	close(x.out);
	close(x.err);
	assert_true(wait_path(NODE, false, 2000));
	export_start(&x);

	st = run_to_end(argv, 5000, line, err, sizeof(err));
	printf("# second export: status %d, stderr: %s", st, err);
	assert_int_equal(st, 1);
	assert_string_equal(line, "");
	/* one line, naming the reason */
	assert_non_null(strstr(err, "busy"));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
	assert_true(exists(NODE));
	assert_int_equal(wait_exit(x.pid, 0), -1);
	export_stop(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_settings, teardown),
		cmocka_unit_test_teardown(test_bad_settings, teardown),
		cmocka_unit_test_teardown(test_binary_64k, teardown),
		cmocka_unit_test_teardown(test_microcom, teardown),
		cmocka_unit_test_teardown(test_second_and_stop, teardown),
	};

	if (!exists("/dev/cuse")) {
		fprintf(stderr, "no /dev/cuse: the cuse module is not loaded\n");
		return 1;
	}
	return cmocka_run_group_tests_name("uart_tty", tests, uart_regs_setup, NULL);
}
