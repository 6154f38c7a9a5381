/*
 * reactor: the one event loop of a discovery - epoll for sockets, a timer
 * heap for deadlines, an eventfd to be woken from other threads.
 *
 * Everything here runs on the thread that calls reactor_run(), except
 * reactor_wake() and reactor_stop(), which any thread may call. Watched
 * sockets and timers are intrusive structs owned by the caller
 * (struct reactor_io, struct timer); the reactor only points at them, so
 * the caller must delete or close an io before freeing it - which also
 * drops events for it still waiting in the current batch. Time is a cached
 * monotonic clock in nanoseconds, refreshed after every wait, so all
 * callbacks in one turn see the same "now".
 *
 * Each turn: the prepare hook runs (the engine sends what pacing allows),
 * then epoll waits until the earliest timer, then I/O callbacks run, then
 * due timers fire. reactor_run() returns after reactor_stop().
 */
#ifndef NC_REACTOR_H
#define NC_REACTOR_H

#include <stdint.h>

#include "ev/timer.h"

struct reactor;
struct reactor_io;
typedef void (*reactor_io_fn)(struct reactor_io *io, uint32_t events);

struct reactor_io {
	int fd;		 /* -1 when not watched */
	uint32_t events; /* EPOLLIN / EPOLLOUT ... */
	reactor_io_fn fn;
	void *arg;
};

/* A new loop; NULL (logged) when epoll or eventfd cannot be had. */
struct reactor *reactor_new(void);
void reactor_free(struct reactor *r);

/* Watches fd for events, calling fn(io, revents); 0 or -1 (logged). */
int reactor_io_add(struct reactor *r, struct reactor_io *io, int fd,
		   uint32_t events, reactor_io_fn fn, void *arg);
/* Changes the events watched; 0 or -1 (logged). */
int reactor_io_mod(struct reactor *r, struct reactor_io *io, uint32_t events);
/* Stops watching io (the fd stays open). */
void reactor_io_del(struct reactor *r, struct reactor_io *io);
/* Stops watching io and closes its fd: one syscall instead of two. */
void reactor_io_close(struct reactor *r, struct reactor_io *io);

/* Arms t to fire delay nanoseconds from reactor_now(). */
void reactor_timer_start(struct reactor *r, struct timer *t, uint64_t delay);
void reactor_timer_stop(struct reactor *r, struct timer *t);

/* The loop's cached monotonic time in nanoseconds. */
uint64_t reactor_now(const struct reactor *r);
/* The monotonic clock read now, in nanoseconds. */
uint64_t reactor_clock(void);

/* fn(arg) runs at the start of every turn, before the loop sleeps. */
void reactor_set_prepare(struct reactor *r, void (*fn)(void *), void *arg);
/* fn(arg) runs on the loop thread after reactor_wake() was called. */
void reactor_set_wake(struct reactor *r, void (*fn)(void *), void *arg);
/* Wakes the loop from any thread. */
void reactor_wake(struct reactor *r);
/* Makes reactor_run() return after the current turn; any thread. */
void reactor_stop(struct reactor *r);
/* Runs until reactor_stop(); 0, or -1 when epoll fails (logged). */
int reactor_run(struct reactor *r);

#endif
