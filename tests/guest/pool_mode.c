// SPDX-License-Identifier: MIT
/*
 * pool_mode.c - see pool_mode.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_mode.h"

static struct {
	struct udrv_kdev kd;
	uint64_t pool;		/* the pool it had */
} saved[4];
static int nsaved;

bool pool_mode_cached(void)
{
	const char *p = getenv("UDRV_POOL");

	return p && !strcmp(p, "cached");
}

int pool_mode_setup(const struct udrv_open_opts *sel, uint64_t size)
{
	struct udrv_kdev *kd;
	int ret;

	if (!pool_mode_cached())
		return 0;
	if (nsaved == (int)(sizeof(saved) / sizeof(saved[0])))
		return -ENOSPC;
	kd = &saved[nsaved].kd;
	if ((ret = udrv_kdev_find(sel, kd)))
		goto fail;
	saved[nsaved].pool = kd->pool_size;
	if ((ret = udrv_kdev_bind(kd, true, size | UDRV_POOL_CACHED)))
		goto fail;
	nsaved++;
	printf("# %s: a cached %llu-byte DMA pool (UDRV_POOL=cached)\n", kd->name,
	       (unsigned long long)size);
	return 0;
fail:
	fprintf(stderr, "pool_mode_setup: %s\n", udrv_last_error());
	return ret;
}

int pool_mode_restore(void)
{
	int ret = 0;

	while (nsaved > 0) {
		struct udrv_kdev *kd = &saved[--nsaved].kd;
		char path[256];
		FILE *f;

		if (udrv_kdev_bind(kd, true, saved[nsaved].pool)) {
			fprintf(stderr, "pool_mode_restore: %s\n", udrv_last_error());
			ret = -EIO;
			continue;
		}
		snprintf(path, sizeof(path), "/sys/bus/%s/drivers/udrv_uio/pool", kd->bus);
		f = fopen(path, "w");
		if (!f || (fprintf(f, "-%s", kd->name) < 0) | (fclose(f) != 0)) {
			fprintf(stderr, "pool_mode_restore: %s: %s\n", path, strerror(errno));
			ret = -EIO;
		}
	}
	return ret;
}
