// SPDX-License-Identifier: MIT
/*
 * udrv-pl031 - read and set the PL031 RTC, wait for its alarm, or serve it
 * as an RTC character device (rtc: exports/rtc_cuse.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cli.h"
#include "pl031.h"
#ifdef UDRV_PL031_CUSE
#include "rtc_cuse.h"
#endif

static const char usage[] =
	"usage: udrv-pl031 [-d DEVICE] [--rt SPEC] COMMAND\n"
	"  time            print the RTC's time (seconds since the epoch, and UTC)\n"
	"  set EPOCH       set the RTC to EPOCH seconds (0 .. 4294967295)\n"
	"  alarm SECONDS   arm the alarm SECONDS (1 .. 86400) ahead and wait for its interrupt\n"
	"  rtc [--name NAME]\n"
	"                  serve the RTC as a Linux RTC character device, /dev/NAME\n"
	"                  (default udrv-rtc0), through CUSE: hwclock -f /dev/NAME and\n"
	"                  programs using <linux/rtc.h> (RTC_RD_TIME, RTC_SET_TIME, the\n"
	"                  alarm ioctls, read()/poll() for the alarm) use it. Prints the\n"
	"                  node once it exists and serves until SIGTERM or SIGINT, then\n"
	"                  removes it and exits 0. Needs the cuse module; one export\n"
	"                  (one user of the PL031) at a time\n"
	"  -d DEVICE       a DT compatible (vendor,x), DT path (/...), UIO name or uioN;\n"
	"                  default: the first device compatible with arm,pl031\n"
	CLI_RT_HELP
	"  -h, --help      this text\n";

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "udrv-pl031: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int failed(const char *what, int err)
{
	const char *why = udrv_pl031_last_error();

	fprintf(stderr, "udrv-pl031: %s: %s\n", what, *why ? why : strerror(-err));
	return 1;
}

static void print_time(const char *label, uint32_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%s%" PRIu32 " (%s)\n", label, t, buf);
}

#ifdef UDRV_PL031_CUSE
static void rtc_ready(const char *node, void *data)
{
	(void)data;
	printf("%s\n", node);
	fflush(stdout);
}

/* rtc: serve until SIGTERM or SIGINT (taken through a signalfd by the loop). */
static int cmd_rtc(struct udrv_pl031 *rtc, const char *name)
{
	struct udrv_pl031_cuse_opts o = { .name = name, .ready = rtc_ready };
	int ret;

	if ((o.stop_fd = cli_stop_fd(0)) < 0)
		return failed("rtc: signalfd", o.stop_fd);
	ret = udrv_pl031_cuse_serve(rtc, &o);
	close(o.stop_fd);
	return ret ? failed("rtc", ret) : 0;
}
#else
static int cmd_rtc(struct udrv_pl031 *rtc, const char *name)
{
	(void)rtc;
	(void)name;
	return 1;
}
#endif

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "device", required_argument, NULL, 'd' },
		{ "rt", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct udrv_rt_opts rt = { .cpu = -1 };
	const char *device = NULL, *cmd, *name = NULL;
	struct udrv_pl031 *rtc;
	uint32_t arg = 0, t;
	unsigned long long v = 0;
	int c, ret, rc = 0;

	opterr = 0;	/* one line of our own instead */
	while ((c = getopt_long(argc, argv, "+hd:r:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (cli_rt_parse("udrv-pl031", optarg, &rt))
				return 2;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'd':
			device = optarg;
			break;
		default:
			return bad("bad option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad("%s", "no command (time, set EPOCH, alarm SECONDS, rtc; see --help)");
	cmd = argv[optind++];
	if (!strcmp(cmd, "time")) {
		if (optind != argc)
			return bad("time takes no argument, got '%s'", argv[optind]);
	} else if (!strcmp(cmd, "set")) {
		if (optind + 1 != argc)
			return bad("%s", "set takes one argument: EPOCH");
		if (cli_parse(argv[optind], 0, UINT32_MAX, &v))
			return bad("EPOCH must be a whole number of seconds 0..4294967295, not '%s'",
				   argv[optind]);
	} else if (!strcmp(cmd, "alarm")) {
		if (optind + 1 != argc)
			return bad("%s", "alarm takes one argument: SECONDS");
		/* 0 parses; the driver refuses it (an alarm in the past) */
		if (cli_parse(argv[optind], 0, 86400, &v))
			return bad("SECONDS must be a whole number 1..86400, not '%s'",
				   argv[optind]);
	} else if (!strcmp(cmd, "rtc")) {
		for (; optind < argc; optind++) {
			if (!strcmp(argv[optind], "--name") && optind + 1 < argc)
				name = argv[++optind];
			else if (!strncmp(argv[optind], "--name=", 7))
				name = argv[optind] + 7;
			else
				return bad("rtc: bad argument '%s' (rtc [--name NAME])", argv[optind]);
		}
#ifndef UDRV_PL031_CUSE
		return bad("%s", "rtc: this udrv-pl031 was built without CUSE (no libfuse3)");
#endif
	} else {
		return bad("unknown command '%s' (time, set, alarm, rtc; see --help)", cmd);
	}
	arg = (uint32_t)v;

	ret = udrv_pl031_open(device, &rtc);
	if (ret)
		return failed(strcmp(cmd, "rtc") ? "cannot open the PL031" :
			      "rtc: cannot export the PL031", ret);
	if (cli_rt_apply_dev("udrv-pl031", &rt, udrv_pl031_device(rtc))) {
		udrv_pl031_close(rtc);
		return 1;
	}
	udrv_pl031_time(rtc, &t);
	if (!strcmp(cmd, "rtc")) {
		rc = cmd_rtc(rtc, name);
	} else if (!strcmp(cmd, "time")) {
		print_time("", t);
	} else if (!strcmp(cmd, "set")) {
		print_time("was: ", t);
		udrv_pl031_set_time(rtc, arg);
		udrv_pl031_time(rtc, &t);
		print_time("now: ", t);
	} else {
		double t0 = (udrv_now_ns() / 1e9);

		ret = udrv_pl031_alarm_in(rtc, arg);
		if (ret) {
			rc = failed("cannot arm the alarm", ret);
			goto out;
		}
		print_time("armed for ", t + arg);
		ret = udrv_pl031_alarm_wait(rtc, (uint64_t)(arg + 2) * 1000000000u);
		if (ret == 1) {
			udrv_pl031_time(rtc, &t);
			printf("alarm fired after %.3f s (interrupt via /dev/uio%u)\n", (udrv_now_ns() / 1e9) - t0,
			       udrv_device_uio(udrv_pl031_device(rtc)));
			print_time("clock: ", t);
		} else {
			fprintf(stderr, "udrv-pl031: the alarm did not fire within %u s%s%s\n",
				arg + 2, ret < 0 ? ": " : "", ret < 0 ? strerror(-ret) : "");
			rc = 1;
		}
	}
out:
	udrv_pl031_close(rtc);
	return rc;
}
