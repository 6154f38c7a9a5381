#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "ev/reactor.h"

#define REACTOR_BATCH 256
#define REACTOR_DRAIN_MAX 64 /* extra batches read before timers fire */

struct reactor {
	int epfd;
	struct reactor_io wake_io;
	atomic_int stopped;
	uint64_t now;
	struct timer_heap timers;
	void (*prepare)(void *);
	void *prepare_arg;
	void (*on_wake)(void *);
	void *wake_arg;
	/* the batch being dispatched, so a deleted io can be dropped from it */
	struct epoll_event ev[REACTOR_BATCH];
	int ev_n, ev_i;
};

uint64_t reactor_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void reactor_wake_read(struct reactor_io *io, uint32_t events)
{
	struct reactor *r = io->arg;
	uint64_t v;

	while (read(io->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	if (r->on_wake)
		r->on_wake(r->wake_arg);
}

struct reactor *reactor_new(void)
{
	struct reactor *r = xcalloc(1, sizeof(*r));
	int efd = -1;

	r->wake_io.fd = -1;
	timer_heap_init(&r->timers);
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0) {
		log_err("reactor: epoll_create1: %s", strerror(errno));
		goto fail;
	}
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0) {
		log_err("reactor: eventfd: %s", strerror(errno));
		goto fail;
	}
	if (reactor_io_add(r, &r->wake_io, efd, EPOLLIN, reactor_wake_read, r) <
	    0) {
		close(efd);
		goto fail;
	}
	r->now = reactor_clock();
	return r;
fail:
	reactor_free(r);
	return NULL;
}

void reactor_free(struct reactor *r)
{
	if (!r)
		return;
	if (r->wake_io.fd >= 0)
		close(r->wake_io.fd);
	if (r->epfd >= 0)
		close(r->epfd);
	timer_heap_free(&r->timers);
	free(r);
}

int reactor_io_add(struct reactor *r, struct reactor_io *io, int fd,
		   uint32_t events, reactor_io_fn fn, void *arg)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};

	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->arg = arg;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_err("reactor: cannot watch fd %d: %s", fd, strerror(errno));
		io->fd = -1;
		return -1;
	}
	return 0;
}

int reactor_io_mod(struct reactor *r, struct reactor_io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};

	if (io->events == events)
		return 0;
	if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0) {
		log_err("reactor: cannot change fd %d: %s", io->fd,
			strerror(errno));
		return -1;
	}
	io->events = events;
	return 0;
}

/* Drops events for io still waiting in the batch being dispatched. */
static void reactor_forget(struct reactor *r, const struct reactor_io *io)
{
	int i;

	for (i = r->ev_i; i < r->ev_n; i++)
		if (r->ev[i].data.ptr == io)
			r->ev[i].data.ptr = NULL;
}

void reactor_io_del(struct reactor *r, struct reactor_io *io)
{
	if (io->fd < 0)
		return;
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	reactor_forget(r, io);
	io->fd = -1;
}

void reactor_io_close(struct reactor *r, struct reactor_io *io)
{
	if (io->fd < 0)
		return;
	/* close() takes the fd out of the epoll set (we never dup it) */
	close(io->fd);
	reactor_forget(r, io);
	io->fd = -1;
}

void reactor_timer_start(struct reactor *r, struct timer *t, uint64_t delay)
{
	timer_heap_add(&r->timers, t, r->now + delay);
}

void reactor_timer_stop(struct reactor *r, struct timer *t)
{
	timer_heap_remove(&r->timers, t);
}

uint64_t reactor_now(const struct reactor *r)
{
	return r->now;
}

void reactor_set_prepare(struct reactor *r, void (*fn)(void *), void *arg)
{
	r->prepare = fn;
	r->prepare_arg = arg;
}

void reactor_set_wake(struct reactor *r, void (*fn)(void *), void *arg)
{
	r->on_wake = fn;
	r->wake_arg = arg;
}

void reactor_wake(struct reactor *r)
{
	uint64_t one = 1;

	while (write(r->wake_io.fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void reactor_stop(struct reactor *r)
{
	atomic_store(&r->stopped, 1);
	reactor_wake(r);
}

static int reactor_wait_ms(struct reactor *r)
{
	struct timer *t = timer_heap_peek(&r->timers);
	uint64_t now = reactor_clock(), ms;

	if (!t)
		return -1;
	if (t->deadline <= now)
		return 0;
	ms = (t->deadline - now + 999999) / 1000000;
	return ms > 60000 ? 60000 : (int)ms;
}

/* Runs the I/O callbacks of the events in r->ev. */
static void reactor_dispatch(struct reactor *r)
{
	for (r->ev_i = 0; r->ev_i < r->ev_n;) {
		struct epoll_event *e = &r->ev[r->ev_i++];
		struct reactor_io *io = e->data.ptr;

		if (io)
			io->fn(io, e->events);
	}
}

int reactor_run(struct reactor *r)
{
	struct timer *t;
	int i;

	atomic_store(&r->stopped, 0);
	while (!atomic_load(&r->stopped)) {
		r->now = reactor_clock();
		if (r->prepare)
			r->prepare(r->prepare_arg);
		if (atomic_load(&r->stopped))
			break;
		r->ev_n = epoll_wait(r->epfd, r->ev, REACTOR_BATCH,
				     reactor_wait_ms(r));
		if (r->ev_n < 0) {
			r->ev_n = 0;
			if (errno == EINTR)
				continue;
			log_err("reactor: epoll_wait: %s", strerror(errno));
			return -1;
		}
		r->now = reactor_clock();
		reactor_dispatch(r);
		/* A full batch may leave ready sockets behind: read them all
		 * before any deadline fires, or a busy loop would time out
		 * probes whose answers are already here. Bounded, so timers
		 * cannot starve. */
		for (i = 0; i < REACTOR_DRAIN_MAX && r->ev_n == REACTOR_BATCH;
		     i++) {
			r->ev_n = epoll_wait(r->epfd, r->ev, REACTOR_BATCH, 0);
			if (r->ev_n <= 0)
				break;
			reactor_dispatch(r);
		}
		r->ev_n = r->ev_i = 0;
		while ((t = timer_heap_pop_due(&r->timers, r->now)))
			t->fn(t, t->arg);
	}
	return 0;
}
