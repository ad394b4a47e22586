// SPDX-License-Identifier: MIT
/*
 * udrv-blk - the userspace virtio-blk driver from the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef UDRV_BLK_UBLK
#endif

#include "../cli.h"
#include "blk_bench.h"
#include "virtio_blk.h"
#ifdef UDRV_BLK_UBLK
#include "ublk.h"
#endif

static const char usage[] =
	"usage: udrv-blk [-d UIO-NAME] [-p] [-q QUEUE-SIZE] COMMAND\n"
	"  info                 capacity, block size, queue, features\n"
	"  read LBA COUNT       write COUNT blocks from LBA to stdout\n"
	"  write LBA COUNT      write COUNT blocks at LBA from stdin (a short input is\n"
	"                       padded with zeros), then flush\n"
	"  bench [-s] [-b BYTES] [-Q DEPTH] [-t SECONDS]\n"
	"                       read benchmark: random (sequential with -s) reads of\n"
	"                       BYTES (4096), DEPTH in flight (1), for SECONDS (2)\n"
#ifdef UDRV_BLK_UBLK
	"  ublk [-Q DEPTH]      serve the disk as a Linux block device through ublk:\n"
	"                       prints its node (/dev/ublkbN) once it is live, serves\n"
	"                       DEPTH requests in flight (16) until SIGTERM or SIGINT,\n"
	"                       then removes it and exits 0\n"
#endif
	"options:\n"
	"  -d DEVICE     the UIO name or DT path (default: the first virtio-mmio\n"
	"                block device handed to UIO)\n"
	"  -p            poll for completions instead of waiting for interrupts\n"
	"  -q SIZE       virtqueue entries (a power of 2; default: the device's, <= 256)\n"
	"  -h, --help    this text\n"
	CLI_RT_HELP;

static int die(const char *what, int err)
{
	const char *why = udrv_virtio_last_error();

	fprintf(stderr, "udrv-blk: %s%s%s\n", what ? what : "", what ? ": " : "",
		*why ? why : strerror(-err));
	return 1;
}

static int bad(const char *msg, const char *arg)
{
	fprintf(stderr, "udrv-blk: %s%s%s (try --help)\n", msg, arg ? ": " : "", arg ? arg : "");
	return 2;
}

/* A command line checked before the device is opened. */
struct cmd {
	enum { INFO, READ, WRITE, BENCH, UBLK } what;
	unsigned long long lba, count;
	struct udrv_blk_bench b;
};

static int parse(struct cmd *c, char **argv, int argc)
{
	static const char *const names[] = { "info", "read", "write", "bench", "ublk" };
	unsigned long long v;
	int o;

	for (c->what = INFO; c->what <= UBLK && strcmp(argv[0], names[c->what]); c->what++)
		;
	switch (c->what) {
	case INFO:
		return argc == 1 ? 0 : bad("info takes no argument", argv[1]);
	case READ:
	case WRITE:
		if (argc != 3)
			return bad(c->what == READ ? "read needs LBA COUNT" : "write needs LBA COUNT", NULL);
		if (cli_parse(argv[1], 0, UINT64_MAX, &c->lba))
			return bad("bad LBA", argv[1]);
		if (cli_parse(argv[2], 1, 1u << 21, &c->count))
			return bad("bad COUNT (1 .. 2097152 blocks, at most 1 GiB)", argv[2]);
		return 0;
	case BENCH:
		c->b = (struct udrv_blk_bench){ .random = true, .io_bytes = 4096, .qd = 1, .seconds = 2 };
		optind = 0;	/* glibc: start over */
		opterr = 0;	/* cli_bad_option() says what was wrong */
		while ((o = getopt(argc, argv, "+sb:Q:t:")) != -1) {
			switch (o) {
			case 's': c->b.random = false; break;
			case 'b':
				if (cli_parse(optarg, 1, 1u << 30, &v))
					return bad("bad -b (1 byte .. 1 GiB)", optarg);
				c->b.io_bytes = (uint32_t)v;
				break;
			case 'Q':
				if (cli_parse(optarg, 1, 64, &v))
					return bad("bad -Q (1 .. 64)", optarg);
				c->b.qd = (unsigned int)v;
				break;
			case 't':
				if (cli_parse(optarg, 1, 3600, &v))
					return bad("bad -t (1 .. 3600 seconds)", optarg);
				c->b.seconds = (double)v;
				break;
			default: return cli_bad_option("udrv-blk bench", argv);
			}
		}
		return optind == argc ? 0 : bad("unexpected argument", argv[optind]);
	case UBLK:
#ifdef UDRV_BLK_UBLK
		c->b.qd = 0;
		optind = 0;
		opterr = 0;
		while ((o = getopt(argc, argv, "+Q:")) != -1) {
			if (o != 'Q')
				return cli_bad_option("udrv-blk ublk", argv);
			if (cli_parse(optarg, 1, 4096, &v))
				return bad("bad -Q (1 .. 4096)", optarg);
			c->b.qd = (unsigned int)v;
		}
		return optind == argc ? 0 : bad("unexpected argument", argv[optind]);
#else
		return bad("ublk: this udrv-blk was built without ublk (no linux/ublk_cmd.h)", NULL);
#endif
	}
	return bad("unknown command", argv[0]);
}

static int cmd_info(struct udrv_virtio_blk *blk)
{
	struct udrv_virtio_dev *vd = udrv_virtio_blk_virtio(blk);
	uint64_t cap = udrv_virtio_blk_capacity(blk);
	uint32_t bs = udrv_virtio_blk_block_size(blk);
	char id[VIRTIO_BLK_ID_BYTES + 1];

	if (udrv_virtio_blk_get_id(blk, id))
		strcpy(id, "(none)");
	printf("device:      %s (virtio-mmio, version 2)\n", udrv_device_name(udrv_virtio_dev_udrv(vd)));
	printf("capacity:    %llu blocks of %u bytes (%llu bytes)\n", (unsigned long long)cap, bs,
	       (unsigned long long)(cap * bs));
	printf("serial:      %s\n", *id ? id : "(none)");
	printf("read-only:   %s\n", udrv_virtio_blk_read_only(blk) ? "yes" : "no");
	printf("queue:       %u entries, %u requests in flight\n", udrv_virtio_blk_queue_size(blk),
	       udrv_virtio_blk_queue_depth(blk));
	printf("features:    0x%016llx%s%s\n", (unsigned long long)udrv_virtio_dev_features(vd),
	       udrv_virtio_dev_has(vd, VIRTIO_F_INDIRECT_DESC) ? " indirect" : "",
	       udrv_virtio_dev_has(vd, VIRTIO_BLK_F_FLUSH) ? " flush" : "");
	printf("completion:  %s\n", udrv_virtio_dev_polled(vd) ? "polled" : "interrupt");
	return 0;
}

static int cmd_rw(struct udrv_virtio_blk *blk, const struct cmd *c)
{
	size_t len = (size_t)c->count * udrv_virtio_blk_block_size(blk), got = 0;
	char *buf;
	ssize_t n;
	int ret;

	if (len > 1u << 30)
		return bad("COUNT is more than 1 GiB", NULL);
	buf = calloc(1, len);
	if (!buf)
		return die("memory", -ENOMEM);
	if (c->what == WRITE) {
		while (got < len && (n = read(0, buf + got, len - got)) > 0)
			got += (size_t)n;
		ret = udrv_virtio_blk_write(blk, c->lba, (uint32_t)c->count, buf);
		if (!ret)
			ret = udrv_virtio_blk_flush(blk);
	} else {
		ret = udrv_virtio_blk_read(blk, c->lba, (uint32_t)c->count, buf);
		for (got = 0; !ret && got < len; got += (size_t)n)
			if ((n = write(1, buf + got, len - got)) <= 0)
				ret = -errno;
	}
	free(buf);
	return ret ? die(c->what == WRITE ? "write" : "read", ret) : 0;
}

static int cmd_bench(struct udrv_virtio_blk *blk, const struct cmd *c)
{
	struct udrv_blk_bench_result r;
	int ret;

	if (c->b.io_bytes % udrv_virtio_blk_block_size(blk))
		return bad("-b is not a multiple of the block size", NULL);
	if (c->b.qd > udrv_virtio_blk_queue_depth(blk))
		return bad("-Q is more than the queue depth", NULL);
	if ((ret = udrv_blk_bench_run(blk, &c->b, &r)))
		return die("bench", ret);
	printf("%s reads of %u bytes, %u in flight, %s: %llu in %.2f s: %.0f IOPS, %.1f MiB/s, "
	       "%llu interrupts\n", c->b.random ? "random" : "sequential", c->b.io_bytes, c->b.qd,
	       udrv_virtio_dev_polled(udrv_virtio_blk_virtio(blk)) ? "polled" : "interrupts",
	       (unsigned long long)r.ios, r.seconds, r.iops, r.mib_s, (unsigned long long)r.irqs);
	return 0;
}

#ifdef UDRV_BLK_UBLK
static void ublk_ready(int dev_id, void *data)
{
	(void)data;
	printf("/dev/ublkb%d\n", dev_id);
	fflush(stdout);
}

/* Serve until SIGTERM or SIGINT (taken through a signalfd by the queue's loop). */
static int cmd_ublk(struct udrv_virtio_blk *blk, const struct cmd *c)
{
	struct udrv_blk_ublk_opts o = { .depth = c->b.qd, .ready = ublk_ready };
	int ret;

	if ((o.stop_fd = cli_stop_fd(0)) < 0)
		return die("signalfd", o.stop_fd);
	ret = udrv_blk_ublk_serve(blk, &o);
	close(o.stop_fd);
	return ret ? die("ublk", ret) : 0;
}
#else
static int cmd_ublk(struct udrv_virtio_blk *blk, const struct cmd *c)
{
	(void)blk;
	(void)c;
	return 1;
}
#endif

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "rt", required_argument, NULL, 'r' }, { 0 }
	};
	struct udrv_virtio_blk_opts opts = { 0 };
	struct udrv_rt_opts rt = { .cpu = -1 };
	const char *name = NULL;
	struct udrv_virtio_blk *blk;
	struct cmd cmd;
	unsigned long long v;
	int c, ret;

	opterr = 0;	/* cli_bad_option() says what was wrong */
	while ((c = getopt_long(argc, argv, "+d:pq:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': name = optarg; break;
		case 'p': opts.polled = true; break;
		case 'q':
			if (cli_parse(optarg, 1, 32768, &v))
				return bad("bad -q", optarg);
			opts.queue_size = (unsigned int)v;
			break;
		case 'r': if (cli_rt_parse("udrv-blk", optarg, &rt)) return 2; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("udrv-blk", argv);
		}
	}
	if (optind >= argc)
		return bad("no command", NULL);
	if ((ret = parse(&cmd, argv + optind, argc - optind)))
		return ret;
	if ((ret = udrv_virtio_blk_open(name, &opts, &blk)) == -EBUSY) {
		fprintf(stderr, "udrv-blk: the disk is already being served by another driver "
			"(%s)\n", udrv_virtio_last_error());
		return 1;
	}
	if (ret)
		return die(NULL, ret);
	if (cli_rt_apply_dev("udrv-blk", &rt, udrv_virtio_dev_udrv(udrv_virtio_blk_virtio(blk)))) {
		udrv_virtio_blk_close(blk);
		return 1;
	}
	ret = cmd.what == INFO ? cmd_info(blk) : cmd.what == BENCH ? cmd_bench(blk, &cmd) :
	      cmd.what == UBLK ? cmd_ublk(blk, &cmd) : cmd_rw(blk, &cmd);
	udrv_virtio_blk_close(blk);
	return ret;
}
