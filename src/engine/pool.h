/*
 * pool: a bounded pool of worker threads for the blocking library calls the
 * reactor must never make itself (net-snmp walks and v3, libssh, SMB).
 *
 * A job is a function run on a worker plus a `done` callback run later on
 * the thread that drains the pool (the reactor). The queue has a ceiling:
 * pool_submit() refuses a job when it is full, and a job it accepts belongs
 * to the pool until its done callback has run - exactly once, with
 * cancelled = 1 if the pool was freed before the job started. Each job has
 * a kind, and each kind may occupy at most its cap of threads at once (by
 * default half the threads, rounded up), so a wave of slow SSH logins
 * cannot starve quick SNMP reads, as libuv limits its slow I/O. Jobs of a
 * kind at its cap wait while later jobs of other kinds go ahead.
 *
 * Completion is signalled through an eventfd (pool_fd) that the reactor
 * watches; pool_drain() then runs the done callbacks on its thread. The job
 * function itself must bound its time (library timeouts): a thread cannot
 * be cancelled safely.
 */
#ifndef NC_POOL_H
#define NC_POOL_H

#include <stddef.h>

enum pool_kind {
	POOL_SNMP,   /* net-snmp walks, v3 sessions */
	POOL_SSH,    /* libssh logins and audits */
	POOL_WIN,    /* SMB / RPC / WMI */
	POOL_WINRPC, /* credentialed RPC: one worker process per job */
	POOL_OTHER,
	POOL_KINDS
};

typedef void (*pool_fn)(void *arg);
typedef void (*pool_done_fn)(void *arg, int cancelled);

struct pool_opts {
	unsigned threads;	       /* 0: 8 */
	size_t queue_max;	       /* 0: 1024 */
	unsigned kind_cap[POOL_KINDS]; /* 0: (threads + 1) / 2 */
};

struct pool;

/* A pool of up to o->threads workers; NULL (logged) on failure. A worker
 * starts only when a job is queued and no started one is free, so a run
 * that never submits a job (host discovery alone) starts no thread. */
struct pool *pool_new(const struct pool_opts *o);
/* Cancels queued jobs (done with cancelled = 1), waits for running ones,
 * runs every pending done callback, and frees the pool. */
void pool_free(struct pool *p);

/* Queues fn(arg) of a kind; 0, or -1 when the queue is full, the kind is
 * unknown or no worker could be started (the job is then still the
 * caller's). */
int pool_submit(struct pool *p, enum pool_kind kind, pool_fn fn,
		pool_done_fn done, void *arg);
/* The eventfd that becomes readable when jobs have finished. */
int pool_fd(const struct pool *p);
/* Runs the done callbacks of finished jobs; returns how many ran. */
unsigned pool_drain(struct pool *p);
/* Jobs queued plus running plus finished but not yet drained. */
size_t pool_pending(struct pool *p);
/* Jobs waiting in the queue (not yet running). */
size_t pool_queued(struct pool *p);

#endif
