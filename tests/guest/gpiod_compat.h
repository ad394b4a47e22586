/* SPDX-License-Identifier: MIT */
/*
 * gpiod_compat.h - the few libgpiod calls the guest suites make directly
 * (to look at a line from outside libudrv), for libgpiod 1.x (Debian 12's
 * 1.6, on the 6.1 guests) and 2.x (bookworm-backports' 2.1, on the 6.12
 * guests). tests/guest/meson.build defines UDRV_GPIOD_V2 as lib/ does.
 *
 * Each helper opens the chip by its name under /dev ("gpiochip0") and
 * closes it before returning, except a watch, which holds its request
 * until test_gpiod_unwatch().
 */
#ifndef UDRV_TEST_GPIOD_COMPAT_H
#define UDRV_TEST_GPIOD_COMPAT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gpiod.h>

#ifndef UDRV_GPIOD_V2
#error "UDRV_GPIOD_V2 must be defined (0 or 1) by the build"
#endif

static inline struct gpiod_chip *test_gpiod_open(const char *name)
{
#if UDRV_GPIOD_V2
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", name);
	return gpiod_chip_open(path);
#else
	return gpiod_chip_open_by_name(name);
#endif
}

/* The chip's label into @buf; 0, or -1 if the chip does not open. */
static inline int test_gpiod_chip_label(const char *name, char *buf, size_t len)
{
	struct gpiod_chip *chip = test_gpiod_open(name);
#if UDRV_GPIOD_V2
	struct gpiod_chip_info *info;
#endif

	if (!chip)
		return -1;
#if UDRV_GPIOD_V2
	info = gpiod_chip_get_info(chip);
	snprintf(buf, len, "%s", info ? gpiod_chip_info_get_label(info) : "");
	gpiod_chip_info_free(info);
#else
	snprintf(buf, len, "%s", gpiod_chip_label(chip));
#endif
	gpiod_chip_close(chip);
	return 0;
}

/*
 * The kernel's view of a line: its direction (compare with this API's
 * GPIOD_LINE_DIRECTION_INPUT/OUTPUT), whether it is requested, by whom.
 * 0, or -1 on an error.
 */
static inline int test_gpiod_line_info(const char *name, unsigned int offset, int *dir,
				       bool *used, char *consumer, size_t len)
{
	struct gpiod_chip *chip = test_gpiod_open(name);
	const char *c;
	int r = -1;

	if (!chip)
		return -1;
#if UDRV_GPIOD_V2
	struct gpiod_line_info *info = gpiod_chip_get_line_info(chip, offset);

	if (info) {
		*dir = gpiod_line_info_get_direction(info);
		*used = gpiod_line_info_is_used(info);
		c = gpiod_line_info_get_consumer(info);
		snprintf(consumer, len, "%s", c ? c : "");
		gpiod_line_info_free(info);
		r = 0;
	}
#else
	struct gpiod_line *line = gpiod_chip_get_line(chip, offset);

	if (line && gpiod_line_update(line) == 0) {
		*dir = gpiod_line_direction(line);
		*used = gpiod_line_is_used(line);
		c = gpiod_line_consumer(line);
		snprintf(consumer, len, "%s", c ? c : "");
		r = 0;
	}
#endif
	gpiod_chip_close(chip);
	return r;
}

/* A free line's physical level, read through a request of its own; -1 on an error. */
static inline int test_gpiod_raw_level(const char *name, unsigned int offset, const char *consumer)
{
	struct gpiod_chip *chip = test_gpiod_open(name);
	int v = -1;

	if (!chip)
		return -1;
#if UDRV_GPIOD_V2
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;

	if (ls && lc && rc) {
		gpiod_request_config_set_consumer(rc, consumer);
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) == 0)
			req = gpiod_chip_request_lines(chip, rc, lc);
	}
	if (req) {
		v = gpiod_line_request_get_value(req, offset);
		v = v == GPIOD_LINE_VALUE_ACTIVE ? 1 : v == GPIOD_LINE_VALUE_INACTIVE ? 0 : -1;
		gpiod_line_request_release(req);
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
#else
	struct gpiod_line *line = gpiod_chip_get_line(chip, offset);

	if (line && gpiod_line_request_input(line, consumer) == 0) {
		v = gpiod_line_get_value(line);
		gpiod_line_release(line);
	}
#endif
	gpiod_chip_close(chip);
	return v;
}

/* A line requested for both edges; test_gpiod_unwatch() frees it. */
struct test_gpiod_watch {
	struct gpiod_chip *chip;
#if UDRV_GPIOD_V2
	struct gpiod_line_request *req;
#else
	struct gpiod_line *line;
#endif
};

static inline void test_gpiod_unwatch(struct test_gpiod_watch *w)
{
	if (!w)
		return;
#if UDRV_GPIOD_V2
	if (w->req)
		gpiod_line_request_release(w->req);
#endif
	if (w->chip)
		gpiod_chip_close(w->chip);
	free(w);
}

/* Request line @offset of chip @name for both edges; NULL on an error. */
static inline struct test_gpiod_watch *test_gpiod_watch(const char *name, unsigned int offset,
							const char *consumer)
{
	struct test_gpiod_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->chip = test_gpiod_open(name);
	if (!w->chip)
		goto fail;
#if UDRV_GPIOD_V2
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();

	if (ls && lc && rc) {
		gpiod_request_config_set_consumer(rc, consumer);
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH);
		if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) == 0)
			w->req = gpiod_chip_request_lines(w->chip, rc, lc);
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	if (!w->req)
		goto fail;
#else
	w->line = gpiod_chip_get_line(w->chip, offset);
	if (!w->line || gpiod_line_request_both_edges_events(w->line, consumer))
		goto fail;
#endif
	return w;
fail:
	test_gpiod_unwatch(w);
	return NULL;
}

/*
 * Wait up to @seconds for the next edge and read it: 1 rising, 0 falling,
 * -1 on a timeout or an error.
 */
static inline int test_gpiod_next_edge(struct test_gpiod_watch *w, int seconds)
{
#if UDRV_GPIOD_V2
	struct gpiod_edge_event_buffer *buf;
	struct gpiod_edge_event *e;
	int r = -1;

	if (gpiod_line_request_wait_edge_events(w->req, (int64_t)seconds * 1000000000) != 1)
		return -1;
	buf = gpiod_edge_event_buffer_new(1);
	if (buf && gpiod_line_request_read_edge_events(w->req, buf, 1) == 1) {
		e = gpiod_edge_event_buffer_get_event(buf, 0);
		r = gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE;
	}
	gpiod_edge_event_buffer_free(buf);
	return r;
#else
	struct timespec timeout = { .tv_sec = seconds };
	struct gpiod_line_event ev;

	if (gpiod_line_event_wait(w->line, &timeout) != 1 || gpiod_line_event_read(w->line, &ev))
		return -1;
	return ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
#endif
}

#endif /* UDRV_TEST_GPIOD_COMPAT_H */
