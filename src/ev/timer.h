/*
 * timer: a binary min-heap of deadlines, as libuv keeps its timers.
 *
 * Timers are intrusive: the caller embeds a struct timer in whatever waits
 * (a probe, a host) and the heap only holds pointers, so arming a timer
 * allocates nothing once the heap has grown. Each timer knows its slot, so
 * stopping one is O(log n) and never scans. Equal deadlines fire in the
 * order they were armed. Single-threaded: the reactor thread owns it.
 */
#ifndef NC_TIMER_H
#define NC_TIMER_H

#include <stddef.h>
#include <stdint.h>

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

struct timer {
	uint64_t deadline; /* monotonic nanoseconds */
	uint64_t order;	   /* tie-break: arming sequence */
	size_t slot;	   /* index in the heap; SIZE_MAX when idle */
	timer_fn fn;
	void *arg;
};

struct timer_heap {
	struct timer **v;
	size_t n, cap;
	uint64_t armed; /* arming counter for order */
};

/* Prepares an idle timer that will call fn(t, arg) when it fires. */
void timer_init(struct timer *t, timer_fn fn, void *arg);
/* 1 when t is armed. */
int timer_armed(const struct timer *t);

void timer_heap_init(struct timer_heap *h);
void timer_heap_free(struct timer_heap *h);
/* Arms (or re-arms) t for the absolute deadline. */
void timer_heap_add(struct timer_heap *h, struct timer *t, uint64_t deadline);
/* Disarms t; a no-op when it is idle. */
void timer_heap_remove(struct timer_heap *h, struct timer *t);
/* The earliest armed timer, or NULL. */
struct timer *timer_heap_peek(const struct timer_heap *h);
/* Removes and returns the earliest timer due at now, or NULL. */
struct timer *timer_heap_pop_due(struct timer_heap *h, uint64_t now);

#endif
