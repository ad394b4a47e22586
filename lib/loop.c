/* SPDX-License-Identifier: MIT */
/*
 * loop.c - a single-threaded loop over interrupts (poll on their UIO fds),
 * GPIO edge events (poll on their line fds) and timers (the nearest deadline
 * bounds the poll), kept in one list of sources.
 * Callbacks may add and remove sources, including their own.
 */
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

/* An interrupt (irq), a GPIO line (gpio) or a timer (timer_fn). */
struct source {
	int id;			/* > 0, unique in the loop; a timer is known by it */
	struct udrv_irq *irq;
	struct udrv_gpio *gpio;
	udrv_irq_fn irq_fn;
	udrv_gpio_fn gpio_fn;
	udrv_timer_fn timer_fn;
	void *data;
	uint64_t deadline, period;	/* timers only */
};

struct udrv_loop {
	struct source *src;
	size_t n, cap;
	/* Scratch for udrv_loop_run_once, grown with src so that serving events
	 * never allocates: the fds polled and the ids of the sources to serve,
	 * looked up afresh after each callback (which may change src). */
	struct pollfd *pfd;
	int *ids;
	int last_id;
	void (*gone)(struct udrv_device *dev, void *data);	/* udrv__loop_on_gone() */
	void *gone_data;
	bool stopped;
	int result;
};

UDRV_API int udrv_loop_new(struct udrv_loop **out)
{
	if (!out)
		return -EINVAL;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

UDRV_API void udrv_loop_free(struct udrv_loop *loop)
{
	if (!loop)
		return;
	free(loop->src);
	free(loop->pfd);
	free(loop->ids);
	free(loop);
}

/* The source with @id or, if @id is 0, the one serving @key (an irq or a gpio). */
static struct source *find(struct udrv_loop *loop, int id, const void *key)
{
	for (size_t i = 0; i < loop->n; i++) {
		struct source *s = &loop->src[i];

		if (id ? s->id == id : key && (s->irq == key || s->gpio == key))
			return s;
	}
	return NULL;
}

/* Add @s: a timer's id, 0 for an interrupt or a line, -EEXIST or -ENOMEM. */
static int add(struct udrv_loop *loop, struct source s)
{
	void *p;

	assert(loop);
	if (!s.timer_fn && find(loop, 0, s.irq ? (const void *)s.irq : s.gpio))
		return -EEXIST;
	if (loop->n == loop->cap) {
		size_t cap = loop->cap ? 2 * loop->cap : 8;

		if (!(p = realloc(loop->src, cap * sizeof(*loop->src))))
			return -ENOMEM;
		loop->src = p;
		if (!(p = realloc(loop->pfd, cap * sizeof(*loop->pfd))))
			return -ENOMEM;
		loop->pfd = p;
		if (!(p = realloc(loop->ids, cap * sizeof(*loop->ids))))
			return -ENOMEM;
		loop->ids = p;
		loop->cap = cap;
	}
	if (loop->last_id == INT32_MAX)
		loop->last_id = 0;
	s.id = ++loop->last_id;
	loop->src[loop->n++] = s;
	return s.timer_fn ? s.id : 0;
}

static void drop(struct udrv_loop *loop, struct source *s)
{
	*s = loop->src[--loop->n];
}

/* Remove timer @id or, if @id is 0, the source serving @key. */
static int remove_source(struct udrv_loop *loop, int id, const void *key)
{
	struct source *s;

	assert(loop);
	s = find(loop, id, key);
	if (!s || (id && !s->timer_fn))
		return -ENOENT;
	drop(loop, s);
	return 0;
}

UDRV_API int udrv_loop_add_irq(struct udrv_loop *loop, struct udrv_irq *irq, udrv_irq_fn fn,
			       void *data)
{
	if (!irq || !fn)
		return -EINVAL;
	return add(loop, (struct source){ .irq = irq, .irq_fn = fn, .data = data });
}

UDRV_API int udrv_loop_remove_irq(struct udrv_loop *loop, struct udrv_irq *irq)
{
	return remove_source(loop, 0, irq);
}

void udrv__loop_forget_device(struct udrv_loop *loop, const struct udrv_device *dev)
{
	for (size_t i = loop->n; i-- > 0;)
		if (loop->src[i].irq && loop->src[i].irq->dev == dev)
			drop(loop, &loop->src[i]);
}

void udrv__loop_on_gone(struct udrv_loop *loop, void (*fn)(struct udrv_device *, void *),
			void *data)
{
	loop->gone = fn;
	loop->gone_data = data;
}

UDRV_API int udrv_loop_add_gpio(struct udrv_loop *loop, struct udrv_gpio *gpio, udrv_gpio_fn fn,
				void *data)
{
	if (!gpio || !fn)
		return -EINVAL;
	if (udrv_gpio_fd(gpio) < 0)
		return -EPERM;
	return add(loop, (struct source){ .gpio = gpio, .gpio_fn = fn, .data = data });
}

UDRV_API int udrv_loop_remove_gpio(struct udrv_loop *loop, struct udrv_gpio *gpio)
{
	return remove_source(loop, 0, gpio);
}

UDRV_API int udrv_loop_add_timer(struct udrv_loop *loop, uint64_t delay_ns, uint64_t period_ns,
				 udrv_timer_fn fn, void *data)
{
	if (!fn)
		return -EINVAL;
	return add(loop, (struct source){ .deadline = udrv_deadline_ns(delay_ns),
					  .period = period_ns, .timer_fn = fn, .data = data });
}

UDRV_API int udrv_loop_remove_timer(struct udrv_loop *loop, int id)
{
	return remove_source(loop, id, NULL);
}

UDRV_API void udrv_loop_stop(struct udrv_loop *loop, int result)
{
	assert(loop);
	loop->stopped = true;
	loop->result = result;
}

UDRV_API int udrv_loop_run_once(struct udrv_loop *loop, uint64_t timeout_ns)
{
	uint64_t now, deadline = udrv_deadline_ns(timeout_ns);
	struct timespec ts;
	int called = 0, ret;
	size_t n = 0;

	assert(loop);
	for (size_t i = 0; i < loop->n; i++) {
		struct source *s = &loop->src[i];

		if (s->timer_fn) {
			deadline = s->deadline < deadline ? s->deadline : deadline;
			continue;
		}
		loop->ids[n] = s->id;
		loop->pfd[n++] = (struct pollfd){
			.fd = s->irq ? udrv_irq_fd(s->irq) : udrv_gpio_fd(s->gpio), .events = POLLIN };
	}
	ret = ppoll(n ? loop->pfd : NULL, n, udrv__timespec(udrv_left_ns(deadline), &ts), NULL);
	if (ret < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		struct source *s = loop->pfd[i].revents ? find(loop, loop->ids[i], NULL) : NULL;
		struct udrv_gpio_event ev;
		struct source src;
		int st;

		if (!s)
			continue;
		src = *s;
		st = src.irq ? udrv_irq_wait(src.irq, 0) : udrv_gpio_wait_event(src.gpio, 0, &ev);
		if (st == 0)
			continue;
		if (st < 0)	/* gone (or broken): report once, then drop it */
			drop(loop, s);
		called++;
		ret = src.irq ? src.irq_fn(src.irq, st, src.data)
			      : src.gpio_fn(src.gpio, st > 0 ? &ev : NULL, st, src.data);
		if (st == -ENODEV && src.irq && loop->gone)
			loop->gone(src.irq->dev, loop->gone_data);	/* may close it */
		if (ret < 0)
			goto stop;
	}
	/* Timers due now, by id: callbacks may change the list. */
	now = udrv_now_ns();
	n = 0;
	for (size_t i = 0; i < loop->n; i++)
		if (loop->src[i].timer_fn && loop->src[i].deadline <= now)
			loop->ids[n++] = loop->src[i].id;
	for (size_t i = 0; i < n; i++) {
		struct source *t = find(loop, loop->ids[i], NULL);
		struct source src;

		if (!t)
			continue;
		src = *t;
		/* the next period from the last deadline; if that is past, from now */
		t->deadline = udrv__add_sat(t->deadline, t->period);
		if (t->deadline <= now)
			t->deadline = udrv__add_sat(now, t->period);
		if (!t->period)
			drop(loop, t);
		called++;
		ret = src.timer_fn(loop, src.data);
		if (ret < 0)
			goto stop;
	}
	return called;
stop:
	udrv_loop_stop(loop, ret);
	return ret;
}

UDRV_API int udrv_loop_run(struct udrv_loop *loop)
{
	int ret;

	assert(loop);
	loop->stopped = false;
	loop->result = 0;
	while (!loop->stopped) {
		if (!loop->n)
			return 0;
		ret = udrv_loop_run_once(loop, UINT64_MAX);
		if (ret < 0 && ret != -EINTR && !loop->stopped)
			return ret;
	}
	return loop->result;
}
