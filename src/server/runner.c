/*
 * The discovery runner inside the server (see server_ops.h): worker
 * threads that take queued runs and run them with discover_run(), a
 * ticker that writes live counters to the runs' rows, and the live view
 * the API reads.
 *
 * The slots (one per worker) are guarded by runner.lock; a slot's engine
 * pointer is set by discover_run()'s engine hook and cleared before the
 * engine is freed, under that lock, so engine_progress() and
 * engine_stop() from other threads only ever see a live engine. The store
 * serialises database writers itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/targets.h"
#include "discover/ad.h"
#include "discover/discover.h"
#include "discover/discover_def.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_api.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"

#define RUNNER_IDLE_SECONDS 5

struct runner_slot {
	int64_t run_id;		  /* 0: idle */
	struct engine *engine;	  /* while the engine exists */
	int cancel;		  /* asked to stop through the API */
	int ad;			  /* an Active Directory run: ad_live */
	struct ad_result ad_live; /* its counters (no subnets) */
};

static struct {
	struct server_state *srv;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int started, stopping, pending;
	int nworkers;
	pthread_t workers[RUNNER_MAX_WORKERS];
	pthread_t ticker;
	struct runner_slot slots[RUNNER_MAX_WORKERS];
} runner = {.lock = PTHREAD_MUTEX_INITIALIZER,
	    .wake = PTHREAD_COND_INITIALIZER};

/* ---- the engine hook and the live view ---- */

static void runner_hook(struct engine *e, void *ud)
{
	struct runner_slot *slot = ud;

	pthread_mutex_lock(&runner.lock);
	slot->engine = e;
	if (e && (slot->cancel || runner.stopping))
		engine_stop(e);
	pthread_mutex_unlock(&runner.lock);
}

/* The slot running run_id, or NULL; call with runner.lock held. */
static struct runner_slot *runner_slot_find(int64_t run_id)
{
	int i;

	for (i = 0; i < runner.nworkers; i++)
		if (runner.slots[i].run_id == run_id)
			return &runner.slots[i];
	return NULL;
}

/* An AD run's live counters: "reading" (pages and objects so far), then
 * "storing" (done of total computers). Call with runner.lock held. */
static json_t *runner_ad_live(const struct runner_slot *slot)
{
	const struct ad_result *a = &slot->ad_live;

	return json_pack(
		"{sssIsIsIsIsb}", "phase", a->storing ? "storing" : "reading",
		"pages", (json_int_t)a->pages, "objects",
		(json_int_t)a->objects, "total", (json_int_t)a->found, "done",
		(json_int_t)a->computers, "active_directory", 1);
}

int runner_live(int64_t run_id, json_t *run)
{
	struct engine_progress p;
	struct runner_slot *slot;
	json_t *o;

	pthread_mutex_lock(&runner.lock);
	slot = runner_slot_find(run_id);
	if (slot && slot->ad) {
		o = runner_ad_live(slot);
		pthread_mutex_unlock(&runner.lock);
		json_object_set_new(run, "progress", o);
		return 1;
	}
	if (!slot || !slot->engine) {
		pthread_mutex_unlock(&runner.lock);
		return 0;
	}
	engine_progress(slot->engine, &p);
	pthread_mutex_unlock(&runner.lock);
	o = json_pack("{sIsIsIsIsIsfsos{sIsIsIsI}}", "total",
		      (json_int_t)p.total, "done", (json_int_t)p.done, "alive",
		      (json_int_t)p.alive, "packets", (json_int_t)p.packets,
		      "open_ports", (json_int_t)p.open_ports, "elapsed_s",
		      p.elapsed_s, "eta_s",
		      p.eta_s >= 0 ? json_real(p.eta_s) : json_null(), "stages",
		      "discovery", (json_int_t)p.in_discovery, "ports",
		      (json_int_t)p.in_ports, "dns", (json_int_t)p.in_dns,
		      "jobs", (json_int_t)p.jobs_pending);
	json_object_set_new(run, "progress", o);
	return 1;
}

void runner_live_all(json_t *out)
{
	struct engine_progress p;
	int i;

	pthread_mutex_lock(&runner.lock);
	for (i = 0; i < runner.nworkers; i++) {
		const struct ad_result *a = &runner.slots[i].ad_live;

		if (runner.slots[i].ad) /* computers stored of those read */
			json_array_append_new(
				out,
				json_pack("{sIsIsIsisi}", "run_id",
					  (json_int_t)runner.slots[i].run_id,
					  "total", (json_int_t)a->found, "done",
					  (json_int_t)a->computers, "alive", 0,
					  "packets", 0));
		if (!runner.slots[i].engine)
			continue;
		engine_progress(runner.slots[i].engine, &p);
		json_array_append_new(
			out, json_pack("{sIsIsIsIsI}", "run_id",
				       (json_int_t)runner.slots[i].run_id,
				       "total", (json_int_t)p.total, "done",
				       (json_int_t)p.done, "alive",
				       (json_int_t)p.alive, "packets",
				       (json_int_t)p.packets));
	}
	pthread_mutex_unlock(&runner.lock);
}

int runner_cancel(int64_t run_id)
{
	struct runner_slot *slot;

	pthread_mutex_lock(&runner.lock);
	slot = runner_slot_find(run_id);
	if (slot) {
		slot->cancel = 1;
		if (slot->engine)
			engine_stop(slot->engine);
	}
	pthread_mutex_unlock(&runner.lock);
	return slot != NULL;
}

void runner_wake(void)
{
	pthread_mutex_lock(&runner.lock);
	runner.pending = 1;
	pthread_cond_broadcast(&runner.wake);
	pthread_mutex_unlock(&runner.lock);
}

/* ---- one run ---- */

static void runner_fail(struct store *st, int64_t run_id, const char *why)
{
	struct store_discovery_counts c = {0, 0, 0, 0};

	log_warn("discovery run %lld failed: %s", (long long)run_id, why);
	store_discovery_run_finish(st, run_id, "failed", &c, why);
}

static int runner_ad_stop(void *ud)
{
	struct runner_slot *slot = ud;
	int stop;

	pthread_mutex_lock(&runner.lock);
	stop = slot->cancel || runner.stopping;
	pthread_mutex_unlock(&runner.lock);
	return stop;
}

static void runner_ad_progress(void *ud, const struct ad_result *res)
{
	struct runner_slot *slot = ud;

	pthread_mutex_lock(&runner.lock);
	slot->ad_live = *res;
	slot->ad_live.subnets = NULL;
	pthread_mutex_unlock(&runner.lock);
}

/* An Active Directory run: no engine; stopped through s->ad.stop (between
 * pages, while waiting for the DC, between stored reports), counters for
 * the live view through s->ad.progress; everything stored through
 * ad_run(). */
static void runner_ad(struct runner_slot *slot, struct store *st,
		      int64_t run_id, struct discover_setup *s)
{
	struct ad_result res;
	char why[512] = "";
	int stopping, cancelled;

	s->ad.stop = runner_ad_stop;
	s->ad.stop_ud = slot;
	s->ad.progress = runner_ad_progress;
	s->ad.progress_ud = slot;
	pthread_mutex_lock(&runner.lock);
	memset(&slot->ad_live, 0, sizeof(slot->ad_live));
	slot->ad = 1;
	pthread_mutex_unlock(&runner.lock);
	if (ad_run(s, st, run_id, NULL, 0, &res, why, sizeof(why)) < 0)
		log_warn("discovery run %lld (Active Directory) %s: %s",
			 (long long)run_id, res.stopped ? "stopped" : "failed",
			 why);
	else
		log_info("discovery run %lld (Active Directory): %ld "
			 "computers, %zu subnets in %.1f s",
			 (long long)run_id, res.computers,
			 json_array_size(res.subnets), res.read_s);
	pthread_mutex_lock(&runner.lock);
	slot->ad = 0;
	stopping = runner.stopping;
	cancelled = slot->cancel;
	pthread_mutex_unlock(&runner.lock);
	if (res.stopped && stopping && !cancelled) {
		char msg[600];

		snprintf(msg, sizeof(msg),
			 "interrupted: the server stopped; %s", why);
		store_discorun_mark(st, run_id, "interrupted", msg);
	}
	ad_result_free(&res);
}

static void runner_do(struct runner_slot *slot, struct store *st,
		      int64_t run_id, int64_t disc_id)
{
	struct discover_setup s;
	struct discover_result res;
	struct discover_store_sink ss;
	struct discover_sink sink;
	struct discover_def_in in;
	json_t *def;
	char why[512] = "";
	int found = 0, rc, stopping, cancelled;

	memset(&res, 0, sizeof(res));
	memset(&s, 0, sizeof(s));
	def = store_discodef_get(st, disc_id, &found);
	if (!def) {
		runner_fail(st, run_id, "the discovery could not be read");
		return;
	}
	/* the same builder as the command line: stored SSH host keys and
	 * last working credentials included */
	memset(&in, 0, sizeof(in));
	in.def = def;
	in.st = st;
	in.run_id = run_id;
	if (discover_setup_build(&in, &s, why, sizeof(why)) < 0) {
		runner_fail(st, run_id, why);
		goto out;
	}
	discover_setup_log(&s, run_id);
	if (s.is_ad) {
		runner_ad(slot, st, run_id, &s);
		goto out;
	}
	/* each host is stored as soon as it is done */
	memset(&ss, 0, sizeof(ss));
	ss.st = st;
	ss.run_id = run_id;
	ss.org_id = s.org_id;
	discover_sink_store(&ss, &sink);
	s.opts.sinks = &sink;
	s.opts.n_sinks = 1;
	s.opts.engine_hook = runner_hook;
	s.opts.engine_hook_ud = slot;
	store_discorun_progress(st, run_id, (int64_t)targets_count(s.targets),
				0, 0, 0);
	log_info("discovery run %lld of '%s': %llu addresses",
		 (long long)run_id,
		 json_string_value(json_object_get(def, "name")),
		 (unsigned long long)targets_count(s.targets));
	rc = discover_run(&s.opts, s.targets, &res);
	pthread_mutex_lock(&runner.lock);
	stopping = runner.stopping;
	cancelled = slot->cancel;
	pthread_mutex_unlock(&runner.lock);
	if (rc < 0) {
		runner_fail(st, run_id,
			    "the discovery could not run (see the "
			    "server log)");
		goto out;
	}
	discover_store_finish(&ss, &res);
	store_discorun_progress(st, run_id, (int64_t)res.progress.total,
				(int64_t)res.progress.done,
				(int64_t)res.progress.alive,
				(int64_t)res.progress.packets);
	if (res.stopped && stopping && !cancelled)
		store_discorun_mark(st, run_id, "interrupted",
				    "interrupted: the server stopped; what it "
				    "found is stored");
	else if (res.stopped)
		store_discorun_mark(st, run_id, "cancelled",
				    "cancelled through the API; what it found "
				    "is stored");
	log_info("discovery run %lld: %llu of %llu addresses, %llu alive%s",
		 (long long)run_id, (unsigned long long)res.progress.done,
		 (unsigned long long)res.progress.total,
		 (unsigned long long)res.progress.alive,
		 res.stopped ? " (stopped)" : "");
out:
	discover_setup_free(&s);
	json_decref(def);
}

/* ---- threads ---- */

static void runner_wait(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += RUNNER_IDLE_SECONDS;
	pthread_mutex_lock(&runner.lock);
	while (!runner.stopping && !runner.pending)
		if (pthread_cond_timedwait(&runner.wake, &runner.lock, &ts) ==
		    ETIMEDOUT)
			break;
	runner.pending = 0;
	pthread_mutex_unlock(&runner.lock);
}

static int runner_stopping(void)
{
	int s;

	pthread_mutex_lock(&runner.lock);
	s = runner.stopping;
	pthread_mutex_unlock(&runner.lock);
	return s;
}

static void *runner_worker(void *arg)
{
	struct runner_slot *slot = arg;
	struct store *st = store_open(runner.srv->cfg->db);

	if (!st || store_api_tune(st) < 0) {
		log_err("discovery runner: cannot open the database; queued "
			"discoveries will not run");
		store_close(st);
		return NULL;
	}
	while (!runner_stopping()) {
		int64_t run_id = 0, disc_id = 0;
		int rc;

		rc = store_ready(st) < 0
			     ? -1
			     : store_discorun_claim(
				       st, runner.srv->cfg->lease_seconds,
				       &run_id, &disc_id);
		if (rc < 0 || !run_id) {
			runner_wait();
			continue;
		}
		pthread_mutex_lock(&runner.lock);
		slot->run_id = run_id;
		slot->cancel = 0;
		pthread_mutex_unlock(&runner.lock);
		runner_do(slot, st, run_id, disc_id);
		pthread_mutex_lock(&runner.lock);
		slot->run_id = 0;
		pthread_mutex_unlock(&runner.lock);
	}
	store_close(st);
	return NULL;
}

/* Renews the leases of this server's runs (every tick) and marks the runs
 * of a server that died interrupted once their leases ran out (every
 * half lease). */
static void runner_leases(struct store *st, time_t *swept)
{
	const struct server_config *cfg = runner.srv->cfg;
	int64_t ids[RUNNER_MAX_WORKERS], n = 0;
	int i, k = 0;

	pthread_mutex_lock(&runner.lock);
	for (i = 0; i < runner.nworkers; i++)
		if (runner.slots[i].run_id)
			ids[k++] = runner.slots[i].run_id;
	pthread_mutex_unlock(&runner.lock);
	for (i = 0; i < k; i++)
		store_discorun_renew(st, ids[i], cfg->lease_seconds);
	if (time(NULL) - *swept < cfg->lease_seconds / 2)
		return;
	*swept = time(NULL);
	if (store_discorun_interrupt_all(st, &n) == 0 && n)
		log_warn("%lld discovery runs of a server that stopped "
			 "answering (their leases ran out) marked interrupted",
			 (long long)n);
}

/* Writes the live counters of every running run to its row, and keeps
 * the leases (runner_leases()). */
static void *runner_ticker(void *arg)
{
	struct timespec ts = {RUNNER_PROGRESS_MS / 1000,
			      (RUNNER_PROGRESS_MS % 1000) * 1000000L};
	struct store *st = store_open(runner.srv->cfg->db);
	time_t swept = time(NULL);

	(void)arg;
	if (!st || store_api_tune(st) < 0) {
		store_close(st);
		return NULL;
	}
	while (!runner_stopping()) {
		json_t *live = json_array(), *r;
		size_t i;

		nanosleep(&ts, NULL);
		if (store_ready(st) == 0)
			runner_leases(st, &swept);
		runner_live_all(live);
		json_array_foreach(live, i, r)
			store_discorun_progress(
				st,
				json_integer_value(
					json_object_get(r, "run_id")),
				json_integer_value(json_object_get(r, "total")),
				json_integer_value(json_object_get(r, "done")),
				json_integer_value(json_object_get(r, "alive")),
				json_integer_value(
					json_object_get(r, "packets")));
		json_decref(live);
	}
	store_close(st);
	return NULL;
}

int runner_start(struct server_state *srv)
{
	struct store *st;
	int64_t n = 0;
	int i, rc;

	runner.srv = srv;
	st = store_open(srv->cfg->db);
	if (!st)
		return -1;
	rc = store_discorun_interrupt_all(st, &n);
	store_close(st);
	if (rc < 0)
		return -1;
	if (n)
		log_warn("%lld discovery runs were running when their server "
			 "stopped (their leases ran out); marked interrupted "
			 "(what they stored is kept)",
			 (long long)n);
	runner.stopping = 0;
	runner.nworkers = 0;
	if (pthread_create(&runner.ticker, NULL, runner_ticker, NULL) != 0) {
		log_err("discovery runner: cannot start a thread");
		return -1;
	}
	runner.started = 1;
	for (i = 0; i < srv->cfg->discovery_workers && i < RUNNER_MAX_WORKERS;
	     i++) {
		memset(&runner.slots[i], 0, sizeof(runner.slots[i]));
		if (pthread_create(&runner.workers[i], NULL, runner_worker,
				   &runner.slots[i]) != 0) {
			log_err("discovery runner: cannot start a thread");
			return -1;
		}
		runner.nworkers++;
	}
	return 0;
}

void runner_stop(void)
{
	int i;

	if (!runner.started)
		return;
	pthread_mutex_lock(&runner.lock);
	runner.stopping = 1;
	for (i = 0; i < runner.nworkers; i++)
		if (runner.slots[i].engine)
			engine_stop(runner.slots[i].engine);
	pthread_cond_broadcast(&runner.wake);
	pthread_mutex_unlock(&runner.lock);
	for (i = 0; i < runner.nworkers; i++)
		pthread_join(runner.workers[i], NULL);
	pthread_join(runner.ticker, NULL);
	runner.nworkers = 0;
	runner.started = 0;
}
