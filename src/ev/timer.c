#include <stdlib.h>

#include "core/util.h"
#include "ev/timer.h"

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->deadline = 0;
	t->order = 0;
	t->slot = SIZE_MAX;
	t->fn = fn;
	t->arg = arg;
}

int timer_armed(const struct timer *t)
{
	return t->slot != SIZE_MAX;
}

void timer_heap_init(struct timer_heap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->armed = 0;
}

void timer_heap_free(struct timer_heap *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		h->v[i]->slot = SIZE_MAX;
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

static int timer_less(const struct timer *a, const struct timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->order < b->order;
}

static void timer_place(struct timer_heap *h, size_t i, struct timer *t)
{
	h->v[i] = t;
	t->slot = i;
}

static void timer_sift_up(struct timer_heap *h, size_t i)
{
	struct timer *t = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_less(t, h->v[parent]))
			break;
		timer_place(h, i, h->v[parent]);
		i = parent;
	}
	timer_place(h, i, t);
}

static void timer_sift_down(struct timer_heap *h, size_t i)
{
	struct timer *t = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && timer_less(h->v[c + 1], h->v[c]))
			c++;
		if (!timer_less(h->v[c], t))
			break;
		timer_place(h, i, h->v[c]);
		i = c;
	}
	timer_place(h, i, t);
}

void timer_heap_remove(struct timer_heap *h, struct timer *t)
{
	size_t i = t->slot;
	struct timer *last;

	if (i == SIZE_MAX || i >= h->n || h->v[i] != t)
		return;
	t->slot = SIZE_MAX;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	timer_place(h, i, last);
	if (i > 0 && timer_less(last, h->v[(i - 1) / 2]))
		timer_sift_up(h, i);
	else
		timer_sift_down(h, i);
}

void timer_heap_add(struct timer_heap *h, struct timer *t, uint64_t deadline)
{
	timer_heap_remove(h, t);
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	t->deadline = deadline;
	t->order = h->armed++;
	h->v[h->n] = t;
	t->slot = h->n++;
	timer_sift_up(h, t->slot);
}

struct timer *timer_heap_peek(const struct timer_heap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct timer *timer_heap_pop_due(struct timer_heap *h, uint64_t now)
{
	struct timer *t = timer_heap_peek(h);

	if (!t || t->deadline > now)
		return NULL;
	timer_heap_remove(h, t);
	return t;
}
