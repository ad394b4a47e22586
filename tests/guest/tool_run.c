// SPDX-License-Identifier: MIT
/* tool_run.c - running a program from a guest test (tool_run.h). */
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tool_run.h"

struct tool_run R;

const char *tool(void)
{
	const char *t = getenv("UDRV_TOOL");

	return t ? t : "/usr/bin/udrv";
}

static void drain(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

int run_as(int uid, int gid, int group, char *const *argv)
{
	int out[2], err[2], st;
	pid_t pid;

	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (uid >= 0) {
			gid_t g = (gid_t)group;

			if (setgroups(group >= 0 ? 1 : 0, &g) || setgid((gid_t)gid) ||
			    setuid((uid_t)uid))
				_exit(99);
		}
		execv(argv[0], argv);
		_exit(98);
	}
	close(out[1]);
	close(err[1]);
	/* stderr is short: read stdout to its end first. */
	drain(out[0], R.out, sizeof(R.out));
	drain(err[0], R.err, sizeof(R.err));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	R.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return R.status;
}

int udrv(const char *arg, ...)
{
	char *argv[32] = { (char *)tool() };
	va_list ap;
	int n = 1;

	va_start(ap, arg);
	for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return run_as(-1, -1, -1, argv);
}
