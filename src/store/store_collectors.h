/*
 * store_collectors: the collectors a server knows (docs/collectors.md),
 * the runs queued for them and the items they uploaded, for the server's
 * collector API (src/server/api_collectors.c).
 *
 * A collector row: {"id", "org_id", "name", "version", "host", "subnets"
 * (array of CIDRs), "description", "enabled", "spool_depth",
 * "spool_dropped", "created", "last_seen", "state" (online: seen within
 * COLLECTOR_ONLINE_S; stale: within COLLECTOR_STALE_S; else offline),
 * "jobs_queued", "jobs_running"}. A collector is known by the API token
 * that registered it.
 *
 * Runs of a discovery assigned to a collector carry its id from the
 * moment they are queued (store_discorun_queue copies it), and only that
 * collector claims them (store_collector_claim); the server's runner
 * never does.
 *
 * jansson values returned are new references owned by the caller;
 * functions return 0 / -1 (or NULL) and log the reason once.
 */
#ifndef NC_STORE_COLLECTORS_H
#define NC_STORE_COLLECTORS_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

#define COLLECTOR_ONLINE_S 120
#define COLLECTOR_STALE_S 3600

/* What a collector says about itself when it registers (borrowed). */
struct store_collector_reg {
	int64_t user_id, token_id, org_id;
	const char *name, *version, *host;
	json_t *subnets; /* array of strings */
};

/* Adds or updates the collector called r->name (last_seen now) and sets
 * *id; runs it left "running" are marked interrupted (it restarted), their
 * number in *interrupted. 0; -2 when the name belongs to another user's
 * collector; -1 on error. */
int store_collector_register(struct store *st,
			     const struct store_collector_reg *r, int64_t *id,
			     int64_t *interrupted);
/* The collector registered with token_id: *id (0: none) and *enabled. */
int store_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			     int *enabled);
/* Records a contact: last_seen now, the spool as the collector said. */
int store_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
			 int64_t spool_dropped);

/* Collectors whose org is in org_ids (all when NULL), by name. */
json_t *store_collector_list(struct store *st, const int64_t *org_ids,
			     int norgs);
/* One collector with "recent_runs" (its newest 10), or NULL (*found 0
 * when absent). */
json_t *store_collector_get(struct store *st, int64_t id, int *found);
/* *id of the collector named s, or numbered s; 0 when none. */
int store_collector_find(struct store *st, const char *s, int64_t *id);
/* Sets the members of fields that are present: name, description,
 * enabled. */
int store_collector_update(struct store *st, int64_t id, json_t *fields);
/* Deletes it: its queued runs are cancelled, its running runs marked
 * interrupted, the token it registered with is revoked, its discoveries
 * go back to the server. */
int store_collector_delete(struct store *st, int64_t id);

/* (a collector takes its runs with store_discorun_claim_for()) */
/* When run_id is collector id's: *org_id (the run's discovery's org)
 * and state; *org_id 0 when it is not. */
int store_collector_run(struct store *st, int64_t id, int64_t run_id,
			int64_t *org_id, char state[16]);

/* Marks run_id cancelled when it is a collector's and running (the
 * collector learns it at its next progress post and stops);
 * *changed = 1 when it was. */
int store_collector_run_cancel(struct store *st, int64_t run_id, int *changed);

/* 1 when item_id was stored already, 0 when not, -1 on error. */
int store_collector_item_seen(struct store *st, const char *item_id);
/* Records item_id (of kind, for run_id; device_id or 0). */
int store_collector_item_add(struct store *st, const char *item_id,
			     int64_t run_id, const char *kind,
			     int64_t device_id);
/* Device reports stored for run_id. */
int store_collector_run_reports(struct store *st, int64_t run_id, int64_t *n);

#endif
