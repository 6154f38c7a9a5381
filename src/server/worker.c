/*
 * worker: the intake threads, and the audit-log rows of refused intake
 * posts counted per address and minute.
 *
 * Storing an audit can take long (a big report, a transaction waiting for
 * the one writer). Run on an HTTP thread, it held every other connection
 * of that libmicrohttpd thread, and a few at once held them all: /health
 * and every read stopped answering. So a request of an intake route,
 * once its body is in, is queued here with its connection suspended, and
 * one of WORKER_THREADS threads runs its handler and resumes the
 * connection; the HTTP threads only read, authenticate and answer. The
 * queue is bounded (WORKER_QUEUE_MAX; past it the caller answers 503).
 *
 * Refused posts (no or a bad token, an address outside the allow-list)
 * used to write one audit-log row each, so anyone could flood the log.
 * Now the first refusal of an address for one reason in a minute writes
 * a row (through an intake thread, before the 401 is sent), the next
 * ones of that minute are only counted, and when the minute is over the
 * row's message gets the count: "intake closed: no token (37 posts in
 * the minute from 10:01:00)". REFUSAL_SLOTS addresses are tracked at
 * once; past that the oldest row's last count may be lost.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "core/log.h"
#include "core/util.h"
#include "server/server_int.h"
#include "server/server_ops.h"

#define WORKER_THREADS 2
#define WORKER_QUEUE_MAX 64
#define REFUSAL_SLOTS 256
#define REFUSAL_WINDOW 60

struct refusal {
	char addr[64];
	const char *reason; /* a literal; NULL when the slot is free */
	time_t start;	    /* the minute's start */
	int count;	    /* posts counted */
	int written;	    /* the count the row shows */
	int64_t row;	    /* its audit_log id once written */
};

struct worker {
	struct server_state *srv;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct request *queue[WORKER_QUEUE_MAX];
	int head, n;
	int busy;
	int quiescing, stop;
	pthread_t threads[WORKER_THREADS];
	int nthreads;
	int running; /* threads not yet past their loop */
	/* each thread's store handle, for worker_interrupt() */
	struct store *stores[WORKER_THREADS];
	int nstores;
	struct refusal refusals[REFUSAL_SLOTS];
};

int worker_refusal_note(struct server_state *srv, const char *addr,
			const char *reason)
{
	struct worker *w = srv->worker;
	struct refusal *slot = NULL;
	time_t now = time(NULL);
	int i, fresh = 1;

	if (!w)
		return 1;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < REFUSAL_SLOTS; i++) {
		struct refusal *r = &w->refusals[i];

		if (r->reason && r->reason == reason &&
		    !strcmp(r->addr, addr) && now - r->start < REFUSAL_WINDOW) {
			r->count++;
			fresh = 0;
			goto out;
		}
		if (!slot || !r->reason ||
		    (slot->reason && r->start < slot->start))
			slot = r;
	}
	snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
	slot->reason = reason;
	slot->start = now;
	slot->count = 1;
	slot->written = 1;
	slot->row = 0;
out:
	pthread_mutex_unlock(&w->lock);
	return fresh;
}

/* Writes the audit-log row of rq's refusal (on an intake thread). */
static void worker_refusal_write(struct worker *w, struct request *rq)
{
	struct store_audit a;
	int64_t id = 0;
	char now[20];
	int i;

	memset(&a, 0, sizeof(a));
	a.source = rq->client;
	a.result = "rejected";
	a.message = rq->refusal;
	util_now(now);
	if (store_audit_add_id(rq->st, &a, now, &id) < 0)
		id = 0;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < REFUSAL_SLOTS; i++) {
		struct refusal *r = &w->refusals[i];

		if (r->reason == rq->refusal && !r->row &&
		    !strcmp(r->addr, rq->client))
			r->row = id;
	}
	pthread_mutex_unlock(&w->lock);
}

/* Writes the counts of the minutes that are over (all of them when
 * stopping); caller holds w->lock, which is dropped around each write. */
static void worker_refusal_flush(struct worker *w, struct store *st, int all)
{
	time_t now = time(NULL);
	int i;

	for (i = 0; i < REFUSAL_SLOTS; i++) {
		struct refusal *r = &w->refusals[i];
		char msg[256], t[20];
		int64_t row = r->row;
		int count = r->count;

		if (!r->reason || !row || count == r->written ||
		    (!all && now - r->start < REFUSAL_WINDOW))
			continue;
		util_time_format(r->start, t);
		snprintf(msg, sizeof(msg),
			 "%s (%d posts in the minute from %s)", r->reason,
			 count, t + 11);
		r->written = count;
		pthread_mutex_unlock(&w->lock);
		store_audit_set_message(st, row, msg);
		pthread_mutex_lock(&w->lock);
	}
}

/* Runs rq on this thread: its handler, or the row of its refusal. */
static void worker_run(struct worker *w, struct request *rq)
{
	if (server_store_ready(rq) < 0)
		return; /* answered 503, or a refusal answered already */
	if (rq->refusal)
		worker_refusal_write(w, rq);
	else
		http_handle(rq);
}

static void worker_resume(struct request *rq)
{
	rq->stage = RQ_DONE;
	MHD_resume_connection(rq->conn);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct request fake; /* for server_store() on this thread */
	struct store *mine;
	struct timespec ts;
	int i;

	memset(&fake, 0, sizeof(fake));
	fake.srv = w->srv;
	mine = server_store(&fake);
	pthread_mutex_lock(&w->lock);
	if (mine && w->nstores < WORKER_THREADS)
		w->stores[w->nstores++] = mine;
	while (!w->stop || w->n) {
		struct request *rq;

		if (!w->n) {
			struct store *st = server_store(&fake);

			if (st)
				worker_refusal_flush(w, st, 0);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->cond, &w->lock, &ts);
			continue;
		}
		rq = w->queue[w->head];
		w->head = (w->head + 1) % WORKER_QUEUE_MAX;
		w->n--;
		w->busy++;
		pthread_mutex_unlock(&w->lock);
		worker_run(w, rq);
		worker_resume(rq);
		pthread_mutex_lock(&w->lock);
		w->busy--;
	}
	if (--w->running == 0) { /* the last one out writes every count */
		struct store *st = server_store(&fake);

		if (st)
			worker_refusal_flush(w, st, 1);
	}
	for (i = 0; i < w->nstores; i++) /* closed when the thread ends */
		if (w->stores[i] == mine)
			w->stores[i] = w->stores[--w->nstores];
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(struct server_state *srv)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	int i;

	w->srv = srv;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	srv->worker = w;
	w->running = WORKER_THREADS;
	for (i = 0; i < WORKER_THREADS; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0) {
			log_err("cannot start the intake threads");
			pthread_mutex_lock(&w->lock);
			w->running -= WORKER_THREADS - i;
			pthread_mutex_unlock(&w->lock);
			return -1;
		}
		w->nthreads++;
	}
	return 0;
}

int worker_submit(struct server_state *srv, struct request *rq)
{
	struct worker *w = srv->worker;
	int rc = -1;

	pthread_mutex_lock(&w->lock);
	if (!w->quiescing && w->n < WORKER_QUEUE_MAX) {
		rq->stage = RQ_QUEUED;
		MHD_suspend_connection(rq->conn);
		w->queue[(w->head + w->n) % WORKER_QUEUE_MAX] = rq;
		w->n++;
		pthread_cond_signal(&w->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void worker_quiesce(struct server_state *srv)
{
	struct worker *w = srv->worker;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quiescing = 1;
	while (w->n) {
		struct request *rq = w->queue[w->head];

		w->head = (w->head + 1) % WORKER_QUEUE_MAX;
		w->n--;
		if (!rq->status)
			api_reply_error(rq, 503, NULL,
					"the server is stopping; nothing was "
					"stored: send it again");
		worker_resume(rq);
	}
	pthread_mutex_unlock(&w->lock);
}

void worker_interrupt(struct server_state *srv)
{
	struct worker *w = srv->worker;
	int i;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->nstores; i++)
		store_interrupt(w->stores[i]);
	pthread_mutex_unlock(&w->lock);
}

int worker_busy(struct server_state *srv)
{
	struct worker *w = srv->worker;
	int busy;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	busy = w->busy + w->n;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

void worker_stop(struct server_state *srv)
{
	struct worker *w = srv->worker;
	int i;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
	srv->worker = NULL;
}
