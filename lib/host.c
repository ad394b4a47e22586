/* SPDX-License-Identifier: MIT */
/*
 * host.c - run registered drivers over the devices they match, in one loop.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct binding {
	const struct udrv_driver *drv;
	struct udrv_device *dev;
	void *priv;
};

struct udrv_host {
	struct udrv_loop *loop;
	const struct udrv_driver **drivers;
	size_t ndrivers;
	struct binding *bound;
	size_t nbound;
};

/* Undo one binding: the driver's remove (if its probe succeeded), then
 * whatever sources of the device it left in the loop, then the device. */
static void unbind(struct udrv_host *host, struct binding *b, bool probed)
{
	if (probed && b->drv->remove)
		b->drv->remove(b->dev, host->loop, b->priv);
	udrv__loop_forget_device(host->loop, b->dev);
	udrv_device_close(b->dev);
}

/* The loop saw @dev removed: remove its driver and forget the binding. */
static void device_gone(struct udrv_device *dev, void *data)
{
	struct udrv_host *host = data;
	size_t i = 0;

	while (i < host->nbound && host->bound[i].dev != dev)
		i++;
	if (i == host->nbound)
		return;
	udrv__log(UDRV_LOG_INFO, "%s: %s was removed", host->bound[i].drv->name ?
		  host->bound[i].drv->name : "?", udrv_device_name(dev));
	unbind(host, &host->bound[i], true);
	host->nbound--;
	memmove(&host->bound[i], &host->bound[i + 1], (host->nbound - i) * sizeof(host->bound[0]));
}

UDRV_API int udrv_host_new(struct udrv_host **out)
{
	struct udrv_host *host;

	if (!out)
		return -EINVAL;
	host = calloc(1, sizeof(*host));
	if (!host || udrv_loop_new(&host->loop)) {	/* which fails only with -ENOMEM */
		free(host);
		return -ENOMEM;
	}
	udrv__loop_on_gone(host->loop, device_gone, host);
	*out = host;
	return 0;
}

UDRV_API void udrv_host_free(struct udrv_host *host)
{
	if (!host)
		return;
	while (host->nbound)
		unbind(host, &host->bound[--host->nbound], true);
	udrv_loop_free(host->loop);
	free(host->bound);
	free(host->drivers);
	free(host);
}

UDRV_API int udrv_host_register(struct udrv_host *host, const struct udrv_driver *drv)
{
	const struct udrv_driver **d;

	assert(host);
	if (!drv || !drv->probe || (!drv->compatibles && !drv->pci_ids))
		return -EINVAL;
	d = realloc(host->drivers, (host->ndrivers + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	host->drivers = d;
	host->drivers[host->ndrivers++] = drv;
	return 0;
}

static bool matches(const struct udrv_driver *drv, const struct udrv__entry *e)
{
	if (e->source == UDRV_SOURCE_PCI && drv->pci_ids)
		for (const struct udrv_pci_id *id = drv->pci_ids; id->vendor || id->device; id++)
			if (id->vendor == e->vendor && id->device == e->device)
				return true;
	if (e->source == UDRV_SOURCE_DT && drv->compatibles)
		for (const char *const *c = drv->compatibles; *c; c++)
			if (udrv__entry_compatible(e, *c))
				return true;
	return false;
}

struct probe_ctx {
	struct udrv_host *host;
	int bound;
	unsigned int failed;
};

static int probe_cb(const struct udrv__entry *e, void *data)
{
	struct probe_ctx *c = data;
	struct udrv_host *host = c->host;
	const char *name = e->nodes[0].name, *drv;
	struct binding b = { 0 }, *nb;
	int ret;

	for (size_t i = 0; i < host->nbound; i++)
		if (udrv_device_uio(host->bound[i].dev) == e->nodes[0].uio)
			return 0;
	for (size_t i = 0; i < host->ndrivers && !b.drv; i++)
		if (matches(host->drivers[i], e))
			b.drv = host->drivers[i];
	if (!b.drv)
		return 0;
	drv = b.drv->name ? b.drv->name : "?";
	/* Room first: a probed device always finds its place. */
	nb = realloc(host->bound, (host->nbound + 1) * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	host->bound = nb;
	ret = udrv__open_entry(e, false, &b.dev);
	if (ret) {
		udrv__log(UDRV_LOG_ERR, "%s: cannot open %s: %s", drv, name, strerror(-ret));
		c->failed++;
		return 0;
	}
	ret = b.drv->probe(b.dev, host->loop, &b.priv);
	if (ret) {
		udrv__log(UDRV_LOG_ERR, "%s: probe of %s failed: %s", drv, name,
			  strerror(ret < 0 ? -ret : ret));
		unbind(host, &b, false);	/* the sources it added, the device */
		c->failed++;
		return 0;
	}
	udrv__log(UDRV_LOG_INFO, "%s: bound %s", drv, name);
	host->bound[host->nbound++] = b;
	c->bound++;
	return 0;
}

UDRV_API int udrv_host_probe(struct udrv_host *host, unsigned int *failed)
{
	struct probe_ctx c = { .host = host };
	int ret;

	assert(host);
	ret = udrv__scan(probe_cb, &c);
	if (failed)
		*failed = c.failed;
	return ret ? ret : c.bound;
}

UDRV_API unsigned int udrv_host_num_bound(const struct udrv_host *host)
{
	assert(host);
	return (unsigned int)host->nbound;
}

UDRV_API struct udrv_loop *udrv_host_loop(struct udrv_host *host)
{
	assert(host);
	return host->loop;
}

UDRV_API int udrv_host_run(struct udrv_host *host)
{
	assert(host);
	return udrv_loop_run(host->loop);
}
