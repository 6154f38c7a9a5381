/*
 * store_discoveries: stored discovery definitions and the run queue, for
 * the server (/api/v1/discoveries, POST /discoveries/{id}/run). The runs'
 * counters and log rows written by the engine side are store_discovery.h.
 *
 * A definition: {"id", "org_id", "name" (unique in its org), "targets"
 * (text: addresses, CIDRs, ranges, names, comma or space separated),
 * "exclude" (same, or null), "options" (an object: preset, ports, rate,
 * timeout_ms, retries, no_ping, dns, snmp; checked by the server),
 * "credentials" (an array of credential ids, tried in order),
 * "collector" (the id of the collector that runs it, or null: the server
 * itself; store_collectors.h), "created", "updated"}. Lists and get add
 * "last_run": the newest run's {"id", "state", "started", "finished"} or null.
 *
 * Run states: queued -> running -> done | failed | cancelled |
 * interrupted. "interrupted" is a run the server was running when it
 * stopped (or crashed): store_discorun_interrupt_all() marks those at
 * start, keeping their counters and log rows; queued runs stay queued and
 * run after the restart.
 *
 * jansson values returned are new references owned by the caller;
 * functions return 0 / -1 (or NULL) and log the reason once.
 */
#ifndef NC_STORE_DISCOVERIES_H
#define NC_STORE_DISCOVERIES_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* Definitions whose org is in org_ids (all when NULL), by name. */
json_t *store_discodef_list(struct store *st, const int64_t *org_ids,
			    int norgs);
/* One definition, or NULL (*found = 0 when absent). */
json_t *store_discodef_get(struct store *st, int64_t id, int *found);
/* *id of the definition called name in org_id, 0 when none. 0 or -1. */
int store_discodef_find(struct store *st, int64_t org_id, const char *name,
			int64_t *id);
/* Adds def ({"org_id", "name", "targets", "exclude", "options",
 * "credentials"}, checked by the caller) and sets *id. 0 or -1. */
int store_discodef_add(struct store *st, json_t *def, int64_t *id);
/* Sets the members of def that are present (same keys as add). */
int store_discodef_update(struct store *st, int64_t id, json_t *def);
/* Deletes it with its runs and their logs. */
int store_discodef_delete(struct store *st, int64_t id);

/* Queues a run of discovery_id (state queued) and sets *run_id. */
int store_discorun_queue(struct store *st, int64_t discovery_id,
			 int64_t *run_id);
/* The queued or running run of discovery_id in *run_id, 0 when none. */
int store_discorun_active(struct store *st, int64_t discovery_id,
			  int64_t *run_id);
/* Takes the oldest queued run that is not a collector's, in one atomic
 * statement: state running, started now, leased to this process
 * (store_lease_owner()) for lease_s seconds; *run_id and *discovery_id,
 * both 0 when nothing is queued. Two servers never take the same run.
 * 0 or -1. */
int store_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
			 int64_t *discovery_id);
/* Extends this process's lease on running run run_id to lease_s seconds
 * from now (while the run works). 0 or -1. */
int store_discorun_renew(struct store *st, int64_t run_id, int lease_s);
/* The same for the runs queued for collector collector_id (0: the
 * server's own, as store_discorun_claim). */
int store_discorun_claim_for(struct store *st, int64_t collector_id,
			     int64_t *run_id, int64_t *discovery_id);
/* Writes a running run's counters (live progress for lists). */
int store_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			    int64_t done, int64_t alive, int64_t packets);
/* Marks every "running" run of a server (not a collector's) whose lease
 * ran out, or that has none (claimed before leases), interrupted
 * (finished now, a message saying so): its server stopped or died; a
 * live server's runs keep their renewed leases, and this process's own
 * runs are never touched. *n gets how many. */
int store_discorun_interrupt_all(struct store *st, int64_t *n);
/* Sets a finished run's state and message (after store_discovery.h's
 * run_finish, when the server knows better why it stopped). */
int store_discorun_mark(struct store *st, int64_t run_id, const char *state,
			const char *message);
/* Cancels a queued run; *changed = 1 when it was queued. */
int store_discorun_cancel_queued(struct store *st, int64_t run_id,
				 int *changed);
/* The run's discovery id and state ("" when absent) for checks. */
int store_discorun_state(struct store *st, int64_t run_id,
			 int64_t *discovery_id, char state[16]);
/* The log's rows counted by stage and outcome:
 * {"discovery": {"alive": 3, "dead": 250}, "ports": {...}, ...}. */
json_t *store_discorun_stages(struct store *st, int64_t run_id);
/* Runs counted by state: {"queued": n, "running": n, ...}. */
json_t *store_discorun_count_states(struct store *st);

#endif
