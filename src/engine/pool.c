#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "engine/pool.h"

struct pool_job {
	TAILQ_ENTRY(pool_job) link; /* in the queue or the done list */
	enum pool_kind kind;
	pool_fn fn;
	pool_done_fn done;
	void *arg;
};

TAILQ_HEAD(pool_jobs, pool_job);

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t *threads;
	unsigned n_threads; /* at most */
	unsigned n_started; /* started so far (pool_submit) */
	unsigned idle;	    /* started threads waiting for a job */
	int efd;
	int stop;
	size_t queue_max, queued, running_total, finished;
	unsigned running[POOL_KINDS];
	unsigned cap[POOL_KINDS];
	struct pool_jobs queue; /* queued, oldest first */
	struct pool_jobs done;	/* finished, oldest first */
};

/* The first queued job whose kind has a free thread; unlinks it. */
static struct pool_job *pool_pick(struct pool *p)
{
	struct pool_job *j;

	TAILQ_FOREACH(j, &p->queue, link) {
		if (p->running[j->kind] >= p->cap[j->kind])
			continue;
		TAILQ_REMOVE(&p->queue, j, link);
		p->queued--;
		return j;
	}
	return NULL;
}

static void pool_signal(struct pool *p)
{
	uint64_t one = 1;

	while (write(p->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	struct pool_job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->stop)
			break;
		j = pool_pick(p);
		if (!j) {
			p->idle++;
			pthread_cond_wait(&p->cv, &p->mu);
			p->idle--;
			continue;
		}
		p->running[j->kind]++;
		p->running_total++;
		pthread_mutex_unlock(&p->mu);
		j->fn(j->arg);
		pthread_mutex_lock(&p->mu);
		p->running[j->kind]--;
		p->running_total--;
		p->finished++;
		TAILQ_INSERT_TAIL(&p->done, j, link);
		pool_signal(p);
		/* a kind slot came free: a held-back job may go now */
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Starts one more worker (p->mu held); 0, or -1 (logged). */
static int pool_start_thread(struct pool *p)
{
	int rc =
		pthread_create(&p->threads[p->n_started], NULL, pool_worker, p);

	if (rc != 0) {
		log_err("pool: cannot start worker thread %u of %u: %s",
			p->n_started + 1, p->n_threads, strerror(rc));
		return -1;
	}
	p->n_started++;
	return 0;
}

struct pool *pool_new(const struct pool_opts *o)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	unsigned i;

	TAILQ_INIT(&p->queue);
	TAILQ_INIT(&p->done);
	p->n_threads = o && o->threads ? o->threads : 8;
	p->queue_max = o && o->queue_max ? o->queue_max : 1024;
	for (i = 0; i < POOL_KINDS; i++) {
		p->cap[i] = o && o->kind_cap[i] ? o->kind_cap[i]
						: (p->n_threads + 1) / 2;
		if (p->cap[i] > p->n_threads)
			p->cap[i] = p->n_threads;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->efd < 0) {
		log_err("pool: eventfd: %s", strerror(errno));
		p->n_threads = 0;
		goto fail;
	}
	/* the threads start as jobs come (pool_submit): a run that
	 * submits none (host discovery alone) starts none */
	p->threads = xcalloc(p->n_threads, sizeof(*p->threads));
	return p;
fail:
	pool_free(p);
	return NULL;
}

void pool_free(struct pool *p)
{
	struct pool_job *j;
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n_started; i++)
		pthread_join(p->threads[i], NULL);
	pool_drain(p);
	while ((j = TAILQ_FIRST(&p->queue))) {
		TAILQ_REMOVE(&p->queue, j, link);
		j->done(j->arg, 1);
		free(j);
	}
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}

int pool_submit(struct pool *p, enum pool_kind kind, pool_fn fn,
		pool_done_fn done, void *arg)
{
	struct pool_job *j;

	if ((unsigned)kind >= POOL_KINDS || !fn || !done) {
		log_err("pool: bad job (kind %d)", (int)kind);
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	if (p->queued >= p->queue_max || p->stop) {
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	TAILQ_INSERT_TAIL(&p->queue, j, link);
	p->queued++;
	/* one more thread while more jobs wait than threads do */
	if (p->queued > p->idle && p->n_started < p->n_threads &&
	    pool_start_thread(p) < 0 && p->n_started == 0) {
		TAILQ_REMOVE(&p->queue, j, link);
		p->queued--;
		pthread_mutex_unlock(&p->mu);
		free(j);
		return -1;
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int pool_fd(const struct pool *p)
{
	return p->efd;
}

unsigned pool_drain(struct pool *p)
{
	struct pool_jobs list;
	struct pool_job *j;
	uint64_t v;
	unsigned n = 0;

	while (read(p->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	TAILQ_INIT(&list);
	pthread_mutex_lock(&p->mu);
	TAILQ_CONCAT(&list, &p->done, link);
	pthread_mutex_unlock(&p->mu);
	while ((j = TAILQ_FIRST(&list))) {
		TAILQ_REMOVE(&list, j, link);
		j->done(j->arg, 0);
		free(j);
		n++;
		pthread_mutex_lock(&p->mu);
		p->finished--;
		pthread_mutex_unlock(&p->mu);
	}
	return n;
}

size_t pool_pending(struct pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->queued + p->running_total + p->finished;
	pthread_mutex_unlock(&p->mu);
	return n;
}

size_t pool_queued(struct pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->queued;
	pthread_mutex_unlock(&p->mu);
	return n;
}
