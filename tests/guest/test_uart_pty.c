// SPDX-License-Identifier: MIT
/*
 * test_uart_pty - `udrv-uart pty`: zcu102's UART1 (whose far end is the
 * harness's socket) served as a pseudo-terminal, used by programs that know
 * nothing of udrv: busybox stty and microcom.
 *
 * The UART's registers are read through a mapping of its /dev/uioN of our
 * own (PROT_READ, no libudrv and so no lock: the export holds the device's
 * exclusive lock), not from anything the export prints.
 *
 *   settings         `stty 57600 cstopb` on the link reprograms the baud
 *                    divisors and the mode register's stop bits; data bits
 *                    and parity stay those of --format (7O1 here), and
 *                    `stty parenb` fails (Linux's pty clears PARENB)
 *   binary_64k       64 KiB holding every byte value, written to and read
 *                    from the tty, echoed by the host, come back identical
 *                    (and the host checks what it got: uart-check)
 *   microcom         1 KiB the same way through busybox microcom (it
 *                    writes one byte per write(2): 64 KiB took 30 s and
 *                    more), then 64 KiB of every byte value the host sends
 *                    arrive intact on its stdout; its own speed (-s 38400)
 *                    reaches the UART while it runs, and its restore on
 *                    exit too; its close does not end the export
 *   second_and_stop  after a SIGKILL the next export replaces the stale
 *                    link; a second export of the UART is refused with
 *                    one line and a non-zero exit, the first's link
 *                    untouched; SIGTERM: exit 0, nothing on stderr, the
 *                    link gone (every test stops its export so)
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
#include <sys/mman.h>
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
#define LINK		"/dev/ttyUDRV0"
#define DATA		(64 * 1024)	/* through the tty by this program */
#define MICROCOM	1024		/* through microcom and back */
#define MICROCOM_IN	(64 * 1024)	/* from the host through microcom */

/* ---- processes ---- */

/* A running `udrv-uart ... pty --link LINK`. */
struct export {
	pid_t pid;
	int out, err;
	char slave[64];
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
	unlink(LINK);
	return 0;
}

static void export_start(struct export *x, const char *format)
{
	char *argv[] = { UART_CLI, "--format", (char *)format, "pty", "--link", LINK, NULL };
	char line[128], err[512], target[64];
	ssize_t n;

	x->pid = spawn(argv, -1, &x->out, &x->err);
	running = x->pid;
	read_some(x->out, line, sizeof(line), 10000, true);
	if (sscanf(line, "%63s", x->slave) != 1 || strncmp(x->slave, "/dev/pts/", 9)) {
		read_some(x->err, err, sizeof(err), 100, false);
		fail_msg("udrv-uart pty printed '%s', stderr '%s'", line, err);
	}
	/* the link is made before the path is printed */
	n = readlink(LINK, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, x->slave);
}

/* SIGTERM: exit 0 within 5 s, nothing on stderr, the link gone. */
static void export_stop(struct export *x)
{
	char err[512];
	struct stat st;
	int status;

	assert_int_equal(kill(x->pid, SIGTERM), 0);
	status = wait_exit(x->pid, 5000);
	read_some(x->err, err, sizeof(err), 100, false);
	if (status != 0)
		fail_msg("udrv-uart pty after SIGTERM: status %d, stderr '%s'", status, err);
	running = 0;
	assert_string_equal(err, "");
	assert_int_equal(lstat(LINK, &st), -1);
	close(x->out);
	close(x->err);
}

/* ---- tests ---- */

static void test_settings(void **state)
{
	const uint32_t fmt = UART_MR_CHRL_7 | UART_MR_PAR_ODD;
	const uint32_t mask = 0xfe;	/* CHRL, PAR, NBSTOP: MR bits 7:1 */
	struct export x;
	uint32_t d0;

	(void)state;
	export_start(&x, "7O1");
	/* --format and the default 115200 */
	assert_int_equal(reg(UART_MR) & mask, fmt | UART_MR_NBSTOP_1);
	d0 = divisor();
	assert_int_equal(sh("stty -F " LINK " 57600 cstopb"), 0);
	if (!wait_line(d0, 2, 1, mask, fmt | UART_MR_NBSTOP_2, 2000))
		fail_msg("after stty 57600 cstopb: divisor %u (115200: %u), MR 0x%x",
			 divisor(), d0, reg(UART_MR));
	/* A pty cannot carry parity or data bits: the kernel gives back cs8
	 * -parenb and stty says it could not; the UART keeps --format's. */
	assert_int_not_equal(sh("stty -F " LINK " parenb 2>/dev/null"), 0);
	assert_int_not_equal(sh("stty -F " LINK " cs7 2>/dev/null"), 0);
	assert_int_equal(reg(UART_MR) & mask, fmt | UART_MR_NBSTOP_2);
	assert_int_equal(sh("stty -F " LINK " 115200 -cstopb"), 0);
	if (!wait_line(d0, 1, 1, mask, fmt | UART_MR_NBSTOP_1, 2000))
		fail_msg("after stty 115200 -cstopb: divisor %u (want %u), MR 0x%x",
			 divisor(), d0, reg(UART_MR));
	export_stop(&x);
}

/* 64 KiB of every byte value through the tty (open, write, read: what
 * cat or dd do), echoed by the host, come back identical. */
static void test_binary_64k(void **state)
{
	static uint8_t out[DATA], in[DATA];
	struct export x;
	size_t got;
	int fd;

	(void)state;
	pattern(out, DATA);
	export_start(&x, "8N1");
	host_echo(true);
	sync_echo(LINK);
	fd = open(LINK, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(fd >= 0);
	got = exchange(fd, fd, out, in, DATA, NULL);
	close(fd);
	host_echo(false);
	assert_int_equal(got, DATA);
	assert_memory_equal(in, out, DATA);
	host_check(out, DATA);
	export_stop(&x);
}

static uint32_t d_115200;
static bool saw_38400;

static void sample_38400(void)
{
	uint64_t want = (uint64_t)d_115200 * 3, d = divisor();

	saw_38400 |= d * 100 >= want * 97 && d * 100 <= want * 103;
}

/* busybox microcom: a block of every byte value (microcom writes one byte
 * per write(2): 1 KiB keeps it short) through microcom -X, echoed by the
 * host, comes back identical; 64 KiB the host sends arrive intact on its
 * stdout; its -s 38400 reaches the UART while it runs, and its restore on
 * exit too; its close does not end the export. */
static void test_microcom(void **state)
{
	static uint8_t out[MICROCOM], in[MICROCOM], want[MICROCOM_IN], from_host[MICROCOM_IN];
	char *argv[] = { "/bin/busybox", "microcom", "-X", "-t", "10000", "-s", "38400", LINK, NULL };
	struct microcom m;
	struct export x;

	(void)state;
	pattern(out, MICROCOM);
	export_start(&x, "8N1");
	d_115200 = divisor();
	saw_38400 = false;
	host_echo(true);
	sync_echo(LINK);
	assert_int_equal(wait_exit(x.pid, 0), -1);	/* still serving */

	pattern(want, MICROCOM_IN);
	m = microcom_session(argv, out, in, MICROCOM, from_host, MICROCOM_IN, sample_38400);
	assert_int_equal(m.got, MICROCOM);
	assert_memory_equal(in, out, MICROCOM);
	assert_int_equal(m.got_in, MICROCOM_IN);
	assert_memory_equal(from_host, want, MICROCOM_IN);
	host_check(out, MICROCOM);
	assert_true(saw_38400);
	/* microcom put back the settings it found (115200) on exit */
	if (!wait_line(d_115200, 1, 1, 0, 0, 2000))
		fail_msg("after microcom: divisor %u, want %u", divisor(), d_115200);
	assert_int_equal(wait_exit(x.pid, 0), -1);	/* its close ended nothing */
	export_stop(&x);
}

static void test_second_and_stop(void **state)
{
	char *argv[] = { UART_CLI, "pty", "--link", LINK, NULL };
	char line[512], err[512], target[64];
	struct export x;
	int st;
	ssize_t n;

	(void)state;
	/* a killed export leaves its link (stale): the next start replaces it */
	export_start(&x, "8N1");
	assert_int_equal(kill(x.pid, SIGKILL), 0);
	assert_int_equal(wait_exit(x.pid, 5000), 128 + SIGKILL);
	running = 0;
	close(x.out);
	close(x.err);
	assert_true(readlink(LINK, target, sizeof(target)) > 0);
	export_start(&x, "8N1");

	st = run_to_end(argv, 5000, line, err, sizeof(err));
	printf("# second export: status %d, stderr: %s", st, err);
	assert_true(st > 0 && st < 128);
	assert_string_equal(line, "");
	/* one line, naming the reason */
	assert_non_null(strstr(err, "busy"));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
	n = readlink(LINK, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, x.slave);
	assert_int_equal(wait_exit(x.pid, 0), -1);
	export_stop(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_settings, teardown),
		cmocka_unit_test_teardown(test_binary_64k, teardown),
		cmocka_unit_test_teardown(test_microcom, teardown),
		cmocka_unit_test_teardown(test_second_and_stop, teardown),
	};

	return cmocka_run_group_tests_name("uart_pty", tests, uart_regs_setup, NULL);
}
