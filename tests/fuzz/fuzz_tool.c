/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tool - the udrv command line (tools/udrv), in-process through
 * udrv_tool_main(), against the fake sysfs tree of tests/unit/fake.h.
 *
 * Each input is split at NUL bytes into at most 15 arguments after "udrv".
 * Every sub-command runs except `irq`, which waits for interrupts the fake
 * tree never sends. Registers the tool reads and writes are the fake's
 * files, sized as their sysfs attributes say. The tool's output goes to
 * /dev/null (UDRV_FUZZ_VERBOSE=1 keeps it, to replay a crash).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake.h"
#include "tool.h"

static int null_fd = -1, saved_out = -1, saved_err = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[512];

	(void)argc;
	(void)argv;
	fake_setup(NULL);
	atexit(fake_cleanup);
	/* udrv bind/unbind write under sys/bus: give them somewhere to write. */
	snprintf(p, sizeof(p), "%s/sys/bus", getenv("UDRV_ROOT"));
	mkdir(p, 0755);
	strcat(p, "/platform");
	mkdir(p, 0755);
	fake_write("sys/bus/platform/drivers_probe", "");
	if (!getenv("UDRV_FUZZ_VERBOSE")) {
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		saved_out = dup(1);
		saved_err = dup(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[17] = { "udrv" }, *buf;
	int argc = 1;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; p < buf + size && argc < 16; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (argc > 1 && !strcmp(argv[1], "irq")) {
		free(buf);
		return 0;
	}
	if (null_fd >= 0) {
		fflush(stdout);
		fflush(stderr);
		dup2(null_fd, 1);
		dup2(null_fd, 2);
	}
	(void)udrv_tool_main(argc, argv);
	if (null_fd >= 0) {
		fflush(stdout);
		fflush(stderr);
		dup2(saved_out, 1);
		dup2(saved_err, 2);
	}
	free(buf);
	return 0;
}
