/*
 * server_ops: the server's locations and discoveries API, the discovery
 * runner, and the operations side (metrics, access log). Included by the
 * files of src/server/ only; struct request and the reply helpers are in
 * server_int.h.
 *
 * The runner: discoveries queued with POST /discoveries/{id}/run become
 * rows in state "queued"; runner threads (cfg->discovery_workers, default
 * 1) take the oldest one at a time, run it with discover_run() inside the
 * server, store every device report through intake (in the discovery's
 * org) and the log, and mark the run done. While a run is going its
 * engine's counters are read live (runner_live) and written to the run's
 * row every RUNNER_PROGRESS_MS. At start, runs left "running" by a server
 * that stopped are marked interrupted; at stop, runs under way are
 * stopped, what they found is stored, and they are marked interrupted.
 */
#ifndef NC_SERVER_OPS_H
#define NC_SERVER_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct request;
struct server_state;

#define RUNNER_PROGRESS_MS 1000
#define RUNNER_MAX_WORKERS 4

/* ---- api_admin.c ---- */
/* An optional positive integer member; def when absent or null. 0, or -1
 * after replying 400. */
int api_body_int(struct request *rq, json_t *body, const char *key, int64_t def,
		 int64_t *out);
/* The org named by member key of body (the caller's own when absent); -1
 * after replying 400 when it is not an org the caller can see. */
int api_body_org(struct request *rq, json_t *body, const char *key,
		 int64_t *org);

/* ---- api_locations.c ---- */
/* The caller's orgs for a store call (NULL and 0: every org). */
const int64_t *api_scope(const struct request *rq, int *norgs);
int api_locations_list(struct request *rq);
int api_location_get(struct request *rq);
int api_location_create(struct request *rq);
int api_location_patch(struct request *rq);
int api_location_delete(struct request *rq);

/* ---- api_discoveries.c ---- */
int api_discoveries_list(struct request *rq);
int api_discovery_get(struct request *rq);
int api_discovery_create(struct request *rq);
int api_discovery_patch(struct request *rq);
int api_discovery_delete(struct request *rq);
int api_discovery_run(struct request *rq);
int api_discovery_run_get(struct request *rq);
int api_discovery_run_cancel(struct request *rq);

/* ---- runner.c ---- */
/* Marks runs left running interrupted and starts the worker threads
 * (their signals must already be blocked). 0 or -1. */
int runner_start(struct server_state *srv);
/* Stops the engines under way, waits for the workers to store what they
 * found, and joins them. Safe when runner_start() was not called. */
void runner_stop(void);
/* Wakes a worker: a run was queued. */
void runner_wake(void);
/* Adds the live counters of run_id to run when it is running here:
 * "progress": {"total", "done", "alive", "packets", "open_ports",
 * "elapsed_s", "eta_s", "stages": {"discovery", "ports", "dns", "jobs"}}.
 * 1 when it was live, else 0. */
int runner_live(int64_t run_id, json_t *run);
/* Asks the engine of a running run to stop (it ends "cancelled" with what
 * it found stored). 1 when run_id is running here, else 0. */
int runner_cancel(int64_t run_id);
/* Appends one object per live run ({"run_id", "total", "done", "alive",
 * "packets"}) to out. */
void runner_live_all(json_t *out);

/* ---- metrics.c ---- */
/* Counts a finished request by its status. */
void metrics_request(unsigned status, double ms);
/* Counts an intake by result: "created", "updated", "rejected" or
 * "refused" (never reached intake: no token, closed, bad form). */
void metrics_intake(const char *result);
/* Counts a login attempt: "ok" or "failed" (its password was checked) or
 * "throttled" (refused before any check). */
void metrics_login(const char *result);
/* GET /metrics: Prometheus text format 0.0.4. */
int api_metrics(struct request *rq);
/* Opens the access log (path "-" is stderr; NULL: none). 0 or -1. */
int metrics_access_open(const char *path);
void metrics_access_close(void);
/* One access-log line: ADDR - USER [TIME] "METHOD PATH" STATUS BYTES MS. */
void metrics_access_write(const char *client, const char *user,
			  const char *method, const char *path, unsigned status,
			  size_t bytes, double ms);

#endif
