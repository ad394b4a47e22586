/* SPDX-License-Identifier: MIT */
/*
 * gpio.c - GPIO lines named by "<name>-gpios", requested through libgpiod.
 *
 * A specifier is <&controller offset flags> (#gpio-cells of the controller).
 * The kernel's chip for the controller is the one in /sys/bus/gpio/devices
 * whose of_node (or whose parent device's of_node) is the controller's node
 * in the live tree. libgpiod 1.x (the v1 API, Debian 12) and 2.x both work:
 * meson defines UDRV_GPIOD_V2 for the latter. Active-low is handed to
 * libgpiod, so values and edges are logical in both.
 */
#include <dirent.h>
#include <gpiod.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct udrv_gpio {
	struct udrv_gpio_desc desc;
	enum udrv_gpio_mode mode;
	struct gpiod_chip *chip;
#if UDRV_GPIOD_V2
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *events;
#else
	struct gpiod_line *line;
#endif
};

/* Is the of_node of chip @name in @dir (@up "/..": of its parent device) @want? */
static bool chip_is(const char *dir, const char *name, const char *up, const char *want)
{
	char link[UDRV_PATH + 300], real[UDRV_PATH];

	snprintf(link, sizeof(link), "%s/%s%s/of_node", dir, name, up);
	return realpath(link, real) && !strcmp(real, want);
}

static int find_chip(const struct udrv_dt *ctl, struct udrv_gpio_desc *desc)
{
	char dir[UDRV_PATH], want[UDRV_PATH], node[UDRV_PATH];
	const char *path = udrv_dt_path(ctl);
	struct dirent *d;
	DIR *dd;
	int ret;

	if ((ret = udrv__path(node, sizeof(node), "/sys/firmware/devicetree/base%s",
			      strcmp(path, "/") ? path : "")) ||
	    (ret = udrv__path(dir, sizeof(dir), "/sys/bus/gpio/devices")))
		return ret;
	if (!realpath(node, want))
		return udrv_error(-ENODEV, "GPIO controller %s is not in the live tree (%s)", path,
				  node);
	dd = opendir(dir);
	if (!dd)
		return udrv_error(-ENODEV, "no GPIO chips (%s: %s)", dir, strerror(errno));
	ret = -ENODEV;
	while (ret && (d = readdir(dd))) {
		if (strncmp(d->d_name, "gpiochip", 8) || strlen(d->d_name) >= sizeof(desc->chip))
			continue;
		if (chip_is(dir, d->d_name, "", want) || chip_is(dir, d->d_name, "/..", want)) {
			strcpy(desc->chip, d->d_name);
			ret = 0;
		}
	}
	closedir(dd);
	return ret ? udrv_error(ret, "no GPIO chip for %s (is its driver bound?)", path) : 0;
}

UDRV_API int udrv_dt_gpio_lookup(const struct udrv_dt *dt, const char *name, unsigned int index,
				 struct udrv_gpio_desc *desc)
{
	char prop[128];
	struct udrv_dt *ctl = NULL;
	uint32_t args[16];
	int ret;

	assert(dt);
	if (!desc || (name && (!name[0] || strlen(name) > 64)))
		return -EINVAL;
	memset(desc, 0, sizeof(*desc));
	snprintf(prop, sizeof(prop), "%s%sgpios", name ? name : "", name ? "-" : "");
	if (udrv_dt_bool(dt, prop) != 1 && name) {
		snprintf(prop, sizeof(prop), "%s-gpio", name);	/* deprecated form */
		if (udrv_dt_bool(dt, prop) != 1)
			snprintf(prop, sizeof(prop), "%s-gpios", name);
	}
	ret = udrv_dt_phandle_args(dt, prop, "#gpio-cells", index, &ctl, args, 16);
	if (ret < 0)
		return ret;
	if (ret == 0 || udrv_dt_bool(ctl, "gpio-controller") != 1) {
		ret = udrv_error(-EINVAL, "%s: property \"%s\": entry %u: %s", udrv_dt_path(dt),
				 prop, index, ret ? "its target is not a gpio-controller"
						  : "no line offset (#gpio-cells is 0)");
		goto out;
	}
	desc->offset = args[0];
	desc->dt_flags = ret >= 2 ? args[1] : 0;
	snprintf(desc->controller, sizeof(desc->controller), "%s", udrv_dt_path(ctl));
	ret = find_chip(ctl, desc);
out:
	udrv_dt_close(ctl);
	return ret;
}

#if UDRV_GPIOD_V2
static int request(struct udrv_gpio *g, const struct udrv_gpio_config *cfg)
{
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	uint32_t f = g->desc.dt_flags;
	unsigned int off = g->desc.offset;
	int ret = -ENOMEM;

	if (!ls || !lc || !rc)
		goto out;
	gpiod_request_config_set_consumer(rc, cfg->consumer);
	gpiod_line_settings_set_active_low(ls, f & UDRV_GPIO_DT_ACTIVE_LOW);
	if (f & UDRV_GPIO_DT_PULL_UP)
		gpiod_line_settings_set_bias(ls, GPIOD_LINE_BIAS_PULL_UP);
	else if (f & UDRV_GPIO_DT_PULL_DOWN)
		gpiod_line_settings_set_bias(ls, GPIOD_LINE_BIAS_PULL_DOWN);
	if (cfg->mode == UDRV_GPIO_OUTPUT) {
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_OUTPUT);
		gpiod_line_settings_set_output_value(ls, cfg->value ? GPIOD_LINE_VALUE_ACTIVE
								    : GPIOD_LINE_VALUE_INACTIVE);
		if (f & UDRV_GPIO_DT_SINGLE_ENDED)
			gpiod_line_settings_set_drive(ls, f & UDRV_GPIO_DT_LINE_OPEN_DRAIN
							  ? GPIOD_LINE_DRIVE_OPEN_DRAIN
							  : GPIOD_LINE_DRIVE_OPEN_SOURCE);
	} else {
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
	}
	if (cfg->mode == UDRV_GPIO_EVENTS) {
		gpiod_line_settings_set_edge_detection(ls, cfg->edge == UDRV_GPIO_EDGE_RISING
						       ? GPIOD_LINE_EDGE_RISING
						       : cfg->edge == UDRV_GPIO_EDGE_FALLING
						       ? GPIOD_LINE_EDGE_FALLING
						       : GPIOD_LINE_EDGE_BOTH);
		g->events = gpiod_edge_event_buffer_new(1);
		if (!g->events)
			goto out;
	}
	if (!gpiod_line_config_add_line_settings(lc, &off, 1, ls))
		g->req = gpiod_chip_request_lines(g->chip, rc, lc);
	ret = g->req ? 0 : -errno;
out:
	gpiod_line_settings_free(ls);
	gpiod_line_config_free(lc);
	gpiod_request_config_free(rc);
	return ret;
}

static int read_event(struct udrv_gpio *g, struct udrv_gpio_event *ev)
{
	struct gpiod_edge_event *e;

	if (gpiod_line_request_read_edge_events(g->req, g->events, 1) != 1)
		return -errno;
	e = gpiod_edge_event_buffer_get_event(g->events, 0);
	ev->edge = gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE
		   ? UDRV_GPIO_EDGE_RISING : UDRV_GPIO_EDGE_FALLING;
	ev->timestamp_ns = gpiod_edge_event_get_timestamp_ns(e);
	return 0;
}
#else /* libgpiod 1.x */
static int request(struct udrv_gpio *g, const struct udrv_gpio_config *cfg)
{
	uint32_t f = g->desc.dt_flags;
	struct gpiod_line_request_config rc = { .consumer = cfg->consumer };
	struct gpiod_line *line = gpiod_chip_get_line(g->chip, g->desc.offset);

	if (!line)
		return -errno;
	if (f & UDRV_GPIO_DT_ACTIVE_LOW)
		rc.flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	if (f & UDRV_GPIO_DT_PULL_UP)
		rc.flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	else if (f & UDRV_GPIO_DT_PULL_DOWN)
		rc.flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	if (cfg->mode == UDRV_GPIO_OUTPUT && (f & UDRV_GPIO_DT_SINGLE_ENDED))
		rc.flags |= f & UDRV_GPIO_DT_LINE_OPEN_DRAIN ? GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN
							    : GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE;
	if (cfg->mode == UDRV_GPIO_OUTPUT)
		rc.request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
	else if (cfg->mode == UDRV_GPIO_INPUT)
		rc.request_type = GPIOD_LINE_REQUEST_DIRECTION_INPUT;
	else
		rc.request_type = cfg->edge == UDRV_GPIO_EDGE_RISING
				  ? GPIOD_LINE_REQUEST_EVENT_RISING_EDGE
				  : cfg->edge == UDRV_GPIO_EDGE_FALLING
				  ? GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE
				  : GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
	if (gpiod_line_request(line, &rc, cfg->value ? 1 : 0))
		return -errno;
	g->line = line;
	return 0;
}

static int read_event(struct udrv_gpio *g, struct udrv_gpio_event *ev)
{
	struct gpiod_line_event e;

	if (gpiod_line_event_read(g->line, &e))
		return -errno;
	ev->edge = e.event_type == GPIOD_LINE_EVENT_RISING_EDGE ? UDRV_GPIO_EDGE_RISING
								: UDRV_GPIO_EDGE_FALLING;
	ev->timestamp_ns = (uint64_t)e.ts.tv_sec * 1000000000u + (uint64_t)e.ts.tv_nsec;
	return 0;
}
#endif

UDRV_API int udrv_gpio_open(const struct udrv_dt *dt, const char *name, unsigned int index,
			    const struct udrv_gpio_config *cfg, struct udrv_gpio **out)
{
	struct udrv_gpio_config c = { .mode = UDRV_GPIO_INPUT };
	char path[UDRV_PATH];
	struct udrv_gpio *g;
	int ret;

	assert(dt);
	if (!out)
		return -EINVAL;
	if (cfg)
		c = *cfg;
	if (c.mode > UDRV_GPIO_EVENTS ||
	    (c.mode == UDRV_GPIO_EVENTS &&
	     (c.edge < UDRV_GPIO_EDGE_RISING || c.edge > UDRV_GPIO_EDGE_BOTH)))
		return -EINVAL;
	if (!c.consumer)
		c.consumer = "udrv";
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->mode = c.mode;
	ret = udrv_dt_gpio_lookup(dt, name, index, &g->desc);
	if (!ret)
		ret = udrv__path(path, sizeof(path), "/dev/%s", g->desc.chip);
	if (!ret) {
		g->chip = gpiod_chip_open(path);
		ret = g->chip ? request(g, &c) : -errno;
		if (ret)
			udrv_error(ret, "%s: cannot request line %u of %s (%s, for %s): %s",
				   udrv_dt_path(dt), g->desc.offset, g->desc.chip,
				   g->desc.controller, name ? name : "gpios", strerror(-ret));
	}
	if (ret) {
		udrv_gpio_close(g);
		return ret;
	}
	*out = g;
	return 0;
}

UDRV_API int udrv_device_gpio_open(struct udrv_device *dev, const char *name, unsigned int index,
				   const struct udrv_gpio_config *cfg, struct udrv_gpio **out)
{
	struct udrv_dt *dt;
	int ret;

	assert(dev);
	if (!out)
		return -EINVAL;
	ret = udrv_device_dt(dev, &dt);
	return ret ? ret : udrv_gpio_open(dt, name, index, cfg, out);
}

/* libgpiod 2 frees NULL objects; 1.x needs them checked. */
UDRV_API void udrv_gpio_close(struct udrv_gpio *gpio)
{
	if (!gpio)
		return;
#if UDRV_GPIOD_V2
	gpiod_line_request_release(gpio->req);
	gpiod_edge_event_buffer_free(gpio->events);
	gpiod_chip_close(gpio->chip);
#else
	if (gpio->line)
		gpiod_line_release(gpio->line);
	if (gpio->chip)
		gpiod_chip_close(gpio->chip);
#endif
	free(gpio);
}

UDRV_API int udrv_gpio_get(struct udrv_gpio *gpio)
{
	int v;

	assert(gpio);
#if UDRV_GPIOD_V2
	v = gpiod_line_request_get_value(gpio->req, gpio->desc.offset);
#else
	v = gpiod_line_get_value(gpio->line);
#endif
	return v < 0 ? -errno : v;	/* libgpiod 2: GPIOD_LINE_VALUE_ACTIVE is 1 */
}

UDRV_API int udrv_gpio_set(struct udrv_gpio *gpio, int value)
{
	int ret;

	assert(gpio);
	if (gpio->mode != UDRV_GPIO_OUTPUT)
		return -EPERM;
#if UDRV_GPIOD_V2
	ret = gpiod_line_request_set_value(gpio->req, gpio->desc.offset,
					   value ? GPIOD_LINE_VALUE_ACTIVE
						 : GPIOD_LINE_VALUE_INACTIVE);
#else
	ret = gpiod_line_set_value(gpio->line, value ? 1 : 0);
#endif
	return ret ? -errno : 0;
}

UDRV_API int udrv_gpio_fd(const struct udrv_gpio *gpio)
{
	assert(gpio);
	if (gpio->mode != UDRV_GPIO_EVENTS)
		return -EPERM;
#if UDRV_GPIOD_V2
	return gpiod_line_request_get_fd(gpio->req);
#else
	return gpiod_line_event_get_fd(gpio->line);
#endif
}

UDRV_API int udrv_gpio_wait_event(struct udrv_gpio *gpio, uint64_t timeout_ns,
				  struct udrv_gpio_event *ev)
{
	struct timespec ts;
	struct udrv_gpio_event dummy;
	struct pollfd p = { .fd = udrv_gpio_fd(gpio), .events = POLLIN };
	int ret;

	if (p.fd < 0)
		return p.fd;	/* -EPERM: not requested for events */
	ret = ppoll(&p, 1, udrv__timespec(timeout_ns, &ts), NULL);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (p.revents & (POLLERR | POLLNVAL | POLLHUP) && !(p.revents & POLLIN))
		return -ENODEV;
	ret = read_event(gpio, ev ? ev : &dummy);
	return ret ? ret : 1;
}

UDRV_API const struct udrv_gpio_desc *udrv_gpio_desc(const struct udrv_gpio *gpio)
{
	assert(gpio);
	return &gpio->desc;
}
