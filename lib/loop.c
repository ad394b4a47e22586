/* SPDX-License-Identifier: MIT */
/*
 * loop.c - a single-threaded loop over interrupts (poll on their UIO fds),
 * GPIO edge events (poll on their line fds) and timers (a small list; the
 * nearest deadline bounds the poll).
 * Callbacks may add and remove interrupts and timers, including their own.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct loop_irq {		/* an interrupt or a GPIO line */
	struct udrv_irq *irq;
	struct udrv_gpio *gpio;
	udrv_irq_fn fn;
	udrv_gpio_fn gfn;
	void *data;
};

struct loop_timer {
	int id;
	uint64_t deadline, period;
	udrv_timer_fn fn;
	void *data;
};

struct udrv_loop {
	struct loop_irq *irqs;
	size_t nirqs, irq_cap;
	struct loop_timer *timers;
	size_t ntimers, timer_cap;
	/* Scratch for udrv_loop_run_once, grown with the lists above so that
	 * serving events never allocates; indexed afresh after each callback
	 * (a callback adding a source may move them). */
	struct pollfd *pfd;
	const void **ready;	/* the irq or gpio of each pfd */
	size_t ready_cap;
	int *due;
	size_t due_cap;
	int next_id;
	void (*gone)(struct udrv_device *dev, void *data);	/* udrv__loop_on_gone() */
	void *gone_data;
	bool stopped;
	int result;
};

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (*cap ? 2 * *cap : 4) * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = *cap ? 2 * *cap : 4;
	return 0;
}

UDRV_API int udrv_loop_new(struct udrv_loop **out)
{
	struct udrv_loop *loop;

	if (!out)
		return -EINVAL;
	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->next_id = 1;
	*out = loop;
	return 0;
}

UDRV_API void udrv_loop_free(struct udrv_loop *loop)
{
	if (!loop)
		return;
	free(loop->irqs);
	free(loop->timers);
	free(loop->pfd);
	free(loop->ready);
	free(loop->due);
	free(loop);
}

static struct loop_irq *find_irq(struct udrv_loop *loop, const void *key)
{
	for (size_t i = 0; i < loop->nirqs; i++)
		if (loop->irqs[i].irq == key || loop->irqs[i].gpio == key)
			return &loop->irqs[i];
	return NULL;
}

static int add_source(struct udrv_loop *loop, struct loop_irq src)
{
	if (find_irq(loop, src.irq ? (const void *)src.irq : src.gpio))
		return -EEXIST;
	if (grow((void **)&loop->irqs, &loop->irq_cap, loop->nirqs, sizeof(*loop->irqs)))
		return -ENOMEM;
	if (loop->ready_cap < loop->irq_cap) {
		void *p = realloc(loop->pfd, loop->irq_cap * sizeof(*loop->pfd));

		if (!p)
			return -ENOMEM;
		loop->pfd = p;
		p = realloc(loop->ready, loop->irq_cap * sizeof(*loop->ready));
		if (!p)
			return -ENOMEM;
		loop->ready = p;
		loop->ready_cap = loop->irq_cap;
	}
	loop->irqs[loop->nirqs++] = src;
	return 0;
}

static int remove_source(struct udrv_loop *loop, const void *key)
{
	struct loop_irq *li;

	assert(loop);
	li = key ? find_irq(loop, key) : NULL;
	if (!li)
		return -ENOENT;
	*li = loop->irqs[--loop->nirqs];
	return 0;
}

UDRV_API int udrv_loop_add_irq(struct udrv_loop *loop, struct udrv_irq *irq, udrv_irq_fn fn,
			       void *data)
{
	assert(loop);
	if (!irq || !fn)
		return -EINVAL;
	return add_source(loop, (struct loop_irq){ .irq = irq, .fn = fn, .data = data });
}

UDRV_API int udrv_loop_remove_irq(struct udrv_loop *loop, struct udrv_irq *irq)
{
	return remove_source(loop, irq);
}

void udrv__loop_forget_device(struct udrv_loop *loop, const struct udrv_device *dev)
{
	for (size_t i = loop->nirqs; i-- > 0;)
		if (loop->irqs[i].irq && loop->irqs[i].irq->dev == dev)
			remove_source(loop, loop->irqs[i].irq);
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
	assert(loop);
	if (!gpio || !fn)
		return -EINVAL;
	if (udrv_gpio_fd(gpio) < 0)
		return -EPERM;
	return add_source(loop, (struct loop_irq){ .gpio = gpio, .gfn = fn, .data = data });
}

UDRV_API int udrv_loop_remove_gpio(struct udrv_loop *loop, struct udrv_gpio *gpio)
{
	return remove_source(loop, gpio);
}

UDRV_API int udrv_loop_add_timer(struct udrv_loop *loop, uint64_t delay_ns, uint64_t period_ns,
				 udrv_timer_fn fn, void *data)
{
	uint64_t now = udrv_now_ns();

	assert(loop);
	if (!fn)
		return -EINVAL;
	if (grow((void **)&loop->timers, &loop->timer_cap, loop->ntimers, sizeof(*loop->timers)))
		return -ENOMEM;
	if (loop->due_cap < loop->timer_cap) {
		int *p = realloc(loop->due, loop->timer_cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		loop->due = p;
		loop->due_cap = loop->timer_cap;
	}
	if (loop->next_id == INT32_MAX)
		loop->next_id = 1;
	loop->timers[loop->ntimers++] = (struct loop_timer){
		.id = loop->next_id++,
		.deadline = udrv__add_sat(now, delay_ns),
		.period = period_ns, .fn = fn, .data = data,
	};
	return loop->timers[loop->ntimers - 1].id;
}

static struct loop_timer *find_timer(struct udrv_loop *loop, int id)
{
	for (size_t i = 0; i < loop->ntimers; i++)
		if (loop->timers[i].id == id)
			return &loop->timers[i];
	return NULL;
}

UDRV_API int udrv_loop_remove_timer(struct udrv_loop *loop, int id)
{
	struct loop_timer *t;

	assert(loop);
	t = find_timer(loop, id);
	if (!t)
		return -ENOENT;
	*t = loop->timers[--loop->ntimers];
	return 0;
}

UDRV_API void udrv_loop_stop(struct udrv_loop *loop, int result)
{
	assert(loop);
	loop->stopped = true;
	loop->result = result;
}

UDRV_API int udrv_loop_run_once(struct udrv_loop *loop, uint64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;
	uint64_t now, deadline;
	size_t n, nt;
	int called = 0, ret;

	assert(loop);
	now = udrv_now_ns();
	deadline = udrv__add_sat(now, timeout_ns);
	for (size_t i = 0; i < loop->ntimers; i++)
		if (loop->timers[i].deadline < deadline)
			deadline = loop->timers[i].deadline;
	if (deadline != UINT64_MAX)
		tsp = udrv__timespec(deadline > now ? deadline - now : 0, &ts);
	n = loop->nirqs;
	for (size_t i = 0; i < n; i++) {
		struct loop_irq *li = &loop->irqs[i];

		loop->ready[i] = li->irq ? (const void *)li->irq : li->gpio;
		loop->pfd[i] = (struct pollfd){
			.fd = li->irq ? udrv_irq_fd(li->irq) : udrv_gpio_fd(li->gpio),
			.events = POLLIN };
	}
	ret = ppoll(n ? loop->pfd : NULL, n, tsp, NULL);
	if (ret < 0)
		return -errno;
	for (size_t i = 0; i < n && ret > 0; i++) {
		struct udrv_gpio_event ev;
		struct loop_irq *li, src;
		int st;

		if (!loop->pfd[i].revents || !(li = find_irq(loop, loop->ready[i])))
			continue;
		src = *li;
		st = src.irq ? udrv_irq_wait(src.irq, 0) : udrv_gpio_wait_event(src.gpio, 0, &ev);
		if (st == 0)
			continue;
		if (st < 0)	/* gone (or broken): report once, then drop it */
			remove_source(loop, loop->ready[i]);
		called++;
		int got = st;

		st = src.irq ? src.fn(src.irq, st, src.data)
			     : src.gfn(src.gpio, st > 0 ? &ev : NULL, st, src.data);
		if (got == -ENODEV && src.irq && loop->gone)
			loop->gone(src.irq->dev, loop->gone_data);	/* may close it */
		if (st < 0) {
			udrv_loop_stop(loop, st);
			return st;
		}
	}
	/* Timers due now, by id: callbacks may change the list. */
	now = udrv_now_ns();
	nt = loop->ntimers;
	for (size_t i = 0; i < nt; i++)
		loop->due[i] = loop->timers[i].deadline <= now ? loop->timers[i].id : 0;
	for (size_t i = 0; i < nt; i++) {
		struct loop_timer *t = loop->due[i] ? find_timer(loop, loop->due[i]) : NULL;
		udrv_timer_fn fn;
		void *data;

		if (!t)
			continue;
		fn = t->fn;
		data = t->data;
		if (t->period)
			t->deadline = udrv__add_sat(t->deadline, t->period) > now ?
				      udrv__add_sat(t->deadline, t->period) :
				      udrv__add_sat(now, t->period);
		else
			udrv_loop_remove_timer(loop, t->id);
		called++;
		ret = fn(loop, data);
		if (ret < 0) {
			udrv_loop_stop(loop, ret);
			return ret;
		}
	}
	return called;
}

UDRV_API int udrv_loop_run(struct udrv_loop *loop)
{
	int ret;

	assert(loop);
	loop->stopped = false;
	loop->result = 0;
	while (!loop->stopped) {
		if (!loop->nirqs && !loop->ntimers)
			return 0;
		ret = udrv_loop_run_once(loop, UINT64_MAX);
		if (ret < 0 && ret != -EINTR && !loop->stopped)
			return ret;
	}
	return loop->result;
}
