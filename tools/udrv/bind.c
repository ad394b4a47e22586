// SPDX-License-Identifier: MIT
/*
 * udrv bind / unbind: hand a device to the udrv_uio stub and back, through
 * libudrv's udrv_kdev_*() (which follow the kernel's driver_override way).
 * --pool SIZE first asks the stub for a DMA pool of that size.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "udrv_uio.h"

/*
 * DEV for bind/unbind: a DT path, a PCI address, a sysfs device name on one
 * of the buses or a UIO device (uioN, name). 0 or an exit status.
 */
static int resolve(const char *cmd, const char *spec, struct udrv_kdev *kd)
{
	struct udrv_open_opts sel;
	char pci[16];
	int r;

	if (udrv_kdev_stub_loaded())
		return report(1, cmd, "%s", udrv_last_error());
	spec_selector(spec, &sel, pci);
	r = udrv_kdev_find(&sel, kd);
	if (r == -EINVAL)
		return report(EXIT_USAGE, cmd, "no device '%s' (want a DT path, a PCI address, a UIO "
			      "device or a sysfs device name)", spec);
	return !r ? 0 : report(r == -ENOENT ? EXIT_USAGE : 1, cmd, "%s", udrv_last_error());
}

static bool is_stub(const struct udrv_kdev *kd)
{
	return !strcmp(kd->driver, UDRV_UIO_DRIVER_NAME);
}

int cmd_bind(int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      { "pool", required_argument, NULL, 'p' },
					      { "cached", no_argument, NULL, 'c' }, { 0 } };
	struct udrv_kdev kd;
	uint64_t pool = UDRV_POOL_UNSET;
	bool force = false, cached = false;
	int o, r;

	while ((o = getopt_long(argc, argv, ":fp:c", opts, NULL)) != -1) {
		if (o == 'p' && (parse_u64(optarg, &pool) || pool > UINT32_MAX))
			return report(EXIT_USAGE, "bind", "bad pool size '%s' (bytes, up to "
				      "4 GiB - 1: 65536, 0x10000; 0 for none)", optarg);
		if (o != 'f' && o != 'p' && o != 'c')
			return bad_option("bind", argv, o);
		force |= o == 'f';
		cached |= o == 'c';
	}
	if (argc - optind != 1)
		return report(EXIT_USAGE, "bind", "want one DEV (see 'udrv bind --help')");
	if (cached && (pool == UDRV_POOL_UNSET || !pool))
		return report(EXIT_USAGE, "bind", "--cached is a mode of the pool: give --pool SIZE too");
	if ((r = resolve("bind", argv[optind], &kd)))
		return r;
	if (!is_stub(&kd) && kd.driver[0] && !force)
		return report(1, "bind", "%s (%s) is held by the %s driver; --force unbinds it from %s",
			      argv[optind], kd.name, kd.driver, kd.driver);
	if (is_stub(&kd) && (pool == UDRV_POOL_UNSET ||
			     (pool == kd.pool_size && (!pool || cached == kd.pool_cached)))) {
		printf("%s: already bound to %s as uio%d (%s)\n", kd.name, kd.driver, kd.uio,
		       kd.uio_name);
		return 0;
	}
	r = udrv_kdev_bind(&kd, force, cached ? pool | UDRV_POOL_CACHED : pool);
	if (r == -EEXIST)
		return report(1, "bind", "%s: 'udrv unbind %s' first to bind it with --pool %" PRIu64
			      "%s (or --force)", udrv_last_error(), argv[optind], pool,
			      cached ? " --cached" : "");
	if (r)
		return report(1, "bind", "%s", udrv_last_error());
	printf("%s: bound to %s as uio%d (%s)", kd.name, kd.driver, kd.uio, kd.uio_name);
	if (kd.pool_size)
		printf(", %sDMA pool %" PRIu64 " bytes", kd.pool_cached ? "cached " : "",
		       kd.pool_size);
	putchar('\n');
	return 0;
}

int cmd_unbind(int argc, char **argv)
{
	struct udrv_kdev kd;
	int o, r;

	while ((o = getopt_long(argc, argv, ":", (const struct option[]){ { 0 } }, NULL)) != -1)
		return bad_option("unbind", argv, o);
	if (argc - optind != 1)
		return report(EXIT_USAGE, "unbind", "want one DEV (see 'udrv unbind --help')");
	if ((r = resolve("unbind", argv[optind], &kd)))
		return r;
	if (!is_stub(&kd))
		return report(1, "unbind", "%s (%s) is not bound to %s (driver: %s)", argv[optind],
			      kd.name, UDRV_UIO_DRIVER_NAME, kd.driver[0] ? kd.driver : "none");
	r = udrv_kdev_unbind(&kd);
	if (r < 0)
		return report(1, "unbind", "%s", udrv_last_error());
	if (r == 1)
		printf("%s: unbound from %s, left without a driver (%s matches it by "
		       "compatible or id)\n", kd.name, UDRV_UIO_DRIVER_NAME, UDRV_UIO_DRIVER_NAME);
	else if (kd.driver[0])
		printf("%s: unbound from %s, now bound to %s\n", kd.name, UDRV_UIO_DRIVER_NAME,
		       kd.driver);
	else
		printf("%s: unbound from %s, no driver took it\n", kd.name, UDRV_UIO_DRIVER_NAME);
	return 0;
}
