// SPDX-License-Identifier: MIT
/*
 * udrv-rng - random bytes from the virtio entropy device, driven from userspace.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "virtio_rng.h"

static const char usage[] =
	"usage: udrv-rng [-d DEVICE] [-p] [-x] BYTES\n"
	"  write BYTES (1 .. 16 MiB) random bytes from the virtio entropy device to stdout\n"
	"  -d DEVICE     the UIO name or DT path (default: the first virtio-mmio\n"
	"                entropy device handed to UIO)\n"
	"  -p            poll for completions instead of waiting for interrupts\n"
	"  -x            print hexadecimal, 32 bytes a line\n"
	"  -h, --help    this text\n"
	CLI_RT_HELP;

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "rt", required_argument, NULL, 'r' }, { 0 }
	};
	struct udrv_rt_opts rt = { .cpu = -1 };
	const char *name = NULL;
	bool polled = false, hex = false;
	struct udrv_virtio_rng *rng;
	unsigned long long len;
	unsigned char *buf;
	ssize_t n;
	int c, ret;

	opterr = 0;	/* cli_bad_option() says what was wrong */
	while ((c = getopt_long(argc, argv, "+d:pxr:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': name = optarg; break;
		case 'p': polled = true; break;
		case 'x': hex = true; break;
		case 'r': if (cli_rt_parse("udrv-rng", optarg, &rt)) return 2; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("udrv-rng", argv);
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "udrv-rng: need exactly one argument, BYTES (try --help)\n");
		return 2;
	}
	if (cli_parse(argv[optind], 1, 16u << 20, &len)) {
		fprintf(stderr, "udrv-rng: bad BYTES (1 .. 16 MiB): %s\n", argv[optind]);
		return 2;
	}
	buf = malloc(len);
	if (!buf) {
		fprintf(stderr, "udrv-rng: out of memory\n");
		return 1;
	}
	ret = udrv_virtio_rng_open(name, polled, &rng);
	if (ret) {
		fprintf(stderr, "udrv-rng: %s\n", *udrv_virtio_last_error() ? udrv_virtio_last_error() :
			strerror(-ret));
		free(buf);
		return 1;
	}
	if (cli_rt_apply_dev("udrv-rng", &rt, udrv_virtio_dev_udrv(udrv_virtio_rng_virtio(rng)))) {
		udrv_virtio_rng_close(rng);
		free(buf);
		return 1;
	}
	n = udrv_virtio_rng_read(rng, buf, len);
	udrv_virtio_rng_close(rng);
	if (n < 0) {
		fprintf(stderr, "udrv-rng: read: %s\n", *udrv_virtio_last_error() ? udrv_virtio_last_error() :
			strerror((int)-n));
		free(buf);
		return 1;
	}
	for (size_t i = 0; hex && i < len; i++)
		printf("%02x%s", buf[i], i % 32 == 31 || i + 1 == len ? "\n" : "");
	for (size_t got = 0; !hex && got < len; got += (size_t)n) {
		if ((n = write(1, buf + got, len - got)) <= 0) {
			fprintf(stderr, "udrv-rng: stdout: %s\n", strerror(errno));
			free(buf);
			return 1;
		}
	}
	free(buf);
	return 0;
}
