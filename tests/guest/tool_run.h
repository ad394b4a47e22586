/* SPDX-License-Identifier: MIT */
/*
 * tool_run.h - guest tests that run a program (the installed udrv tool, an
 * example driver) and look at its exit status and output.
 */
#ifndef TOOL_RUN_H
#define TOOL_RUN_H

#define TOOL_OUT_MAX (256 << 10)

/* The last run: exit status (128 + signal if it died), stdout, stderr. */
struct tool_run {
	int status;
	char out[TOOL_OUT_MAX];
	char err[8192];
};

extern struct tool_run R;

/* The udrv tool to run: $UDRV_TOOL, else /usr/bin/udrv. */
const char *tool(void);

/* Run argv (argv[0] a path) as @uid/@gid with the supplementary group
 * @group (-1: none) when @uid is not -1; its status, output into R. */
int run_as(int uid, int gid, int group, char *const *argv);

/* udrv ARGS... (NULL-terminated, at most 30): its status, output into R. */
int udrv(const char *arg, ...);

/* udrv ARGS... that must exit 0 (the test fails with its stderr if not). */
#define UDRV_OK(...)                                                               \
	do {                                                                       \
		if (udrv(__VA_ARGS__, NULL))                                       \
			fail_msg("udrv exited %d: %s", R.status, R.err);           \
	} while (0)

#endif
