/*
 * discover_int.h: what discover.c (the run, its enrichers and the merge)
 * and discover_sink.c (the sink thread and the store sink) share.
 *
 * The run's reactor thread hands finished reports and log rows to a
 * queue; the sink thread takes everything queued at once, finishes the
 * reports and gives them to the sinks. The queue owns what is in it.
 */
#ifndef NC_DISCOVER_INT_H
#define NC_DISCOVER_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <sys/queue.h>

#include "discover/discover.h"

struct disc_item {
	TAILQ_ENTRY(disc_item) link;
	json_t *report;
	json_t *ssh;	 /* or NULL */
	int proxied_mac; /* a proxy answered ARP for it: the neighbour
			  * table holds the proxy's MAC, not the host's */
};

TAILQ_HEAD(disc_items, disc_item);

struct disc_out {
	const struct discover_opts *o;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_cond_t space;	 /* the queue has room again */
	struct disc_items items; /* reports waiting */
	size_t n_items;
	struct discover_log *log; /* rows waiting */
	size_t n_log, cap_log;
	int closing, started;
	pthread_t thread;
	/* the sink thread's own */
	json_t *neigh;	   /* the neighbour table, as last read */
	uint64_t neigh_ns; /* when (CLOCK_MONOTONIC) */
	int failed;	   /* a sink refused something */
};

/* Starts the sink thread; 0 or -1 (logged). */
int disc_out_start(struct disc_out *q, const struct discover_opts *o);
/* Hands everything left to the sinks and joins the thread. */
void disc_out_close(struct disc_out *q);
/* Queues a log row (message printf-like, may be NULL). */
void disc_out_vlog(struct disc_out *q, const char *ip, const char *stage,
		   const char *outcome, int64_t duration_ms, const char *fmt,
		   va_list ap);
/* Queues a finished host's report and SSH facts (both stolen). With
 * DISC_QUEUE_MAX reports waiting it first waits for the sink thread to
 * take them: a sink slower than the engine slows the engine down instead
 * of letting the queue grow with the number of live hosts. */
void disc_out_report(struct disc_out *q, json_t *report, json_t *ssh,
		     int proxied_mac);

#endif
