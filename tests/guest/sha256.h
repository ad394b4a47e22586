/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - the SHA-256 of a buffer as 64 hex digits, by busybox's sha256sum:
 * what a guest suite hands the host to compare (disk-check, uart-check,
 * fs-check). Include it after <cmocka.h>: a failure fails the test.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void sha256_hex(const void *data, size_t len, char out[65])
{
	char tmp[] = "/tmp/sha256-XXXXXX", cmd[64];
	int fd = mkstemp(tmp);
	FILE *p;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	snprintf(cmd, sizeof(cmd), "sha256sum %s", tmp);
	assert_non_null(p = popen(cmd, "r"));
	assert_int_equal(fscanf(p, "%64s", out), 1);
	pclose(p);
	unlink(tmp);
	assert_int_equal(strlen(out), 64);
}

#endif
