/* SPDX-License-Identifier: MIT */
/*
 * child.h - a guest suite runs a program (an export, a tool) as a child with
 * its stdout and stderr on pipes, reads what it prints, waits for it and for
 * paths to come and go, each within a deadline in milliseconds.
 */
#ifndef CHILD_H
#define CHILD_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

__attribute__((unused))
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((unused))
static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Wait up to @ms for @path to exist (@want) or not; whether it came to be so. */
__attribute__((unused))
static bool wait_path(const char *path, bool want, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (exists(path) != want) {
		if (now_ms() > end)
			return false;
		usleep(5000);
	}
	return true;
}

/*
 * Start @argv[0] with @argv, its stdin @in (or ours if -1), its stdout and
 * stderr on pipes whose read ends go to *@out and *@err (the caller closes
 * them): its pid, or -1 if it could not start.
 */
__attribute__((unused))
static pid_t spawn(char *const *argv, int in, int *out, int *err)
{
	int o[2], e[2];
	pid_t pid;

	if (pipe2(o, O_CLOEXEC))
		return -1;
	if (pipe2(e, O_CLOEXEC)) {
		close(o[0]);
		close(o[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (in >= 0)
			dup2(in, 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	if (pid < 0) {
		close(o[0]);
		close(e[0]);
		return -1;
	}
	*out = o[0];
	*err = e[0];
	return pid;
}

/* What @fd has within @ms (up to @len - 1 bytes; a line if @line), NUL-ended: its length. */
__attribute__((unused))
static size_t read_some(int fd, char *buf, size_t len, unsigned int ms, bool line)
{
	uint64_t end = now_ms() + ms;
	size_t got = 0;

	buf[0] = '\0';
	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(end - now_ms());
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (line && strchr(buf, '\n'))
			break;
	}
	return got;
}

/* Wait up to @ms for @pid: its exit status (128 + signal), or -1 still running. */
__attribute__((unused))
static int wait_exit(pid_t pid, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	int st;

	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (now_ms() > end)
			return -1;
		usleep(5000);
	}
}

/*
 * Run @argv to its end (killed after @ms): its exit status (128 + signal),
 * what it printed on stdout and stderr within that time into @out and @err
 * (NUL-ended, at most @len - 1 bytes each), or -1 if it could not start.
 */
__attribute__((unused))
static int run_to_end(char *const *argv, unsigned int ms, char *out, char *err, size_t len)
{
	int o, e, st;
	pid_t pid = spawn(argv, -1, &o, &e);

	if (pid < 0)
		return -1;
	st = wait_exit(pid, ms);
	if (st < 0) {
		kill(pid, SIGKILL);
		st = wait_exit(pid, 5000);
	}
	read_some(o, out, len, 100, false);
	read_some(e, err, len, 100, false);
	close(o);
	close(e);
	return st;
}

#endif
