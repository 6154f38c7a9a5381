/*
 * store_discovery: discovery runs and their structured log (DESIGN.md
 * section 2, "the discovery log").
 *
 * A run is one pass of the engine over a target set: its state, counters
 * and a summary message. The log holds one row per address and stage
 * (discovery, ports, dns, snmp, classify, store, ...) with the outcome and
 * how long the stage took, so counters and reports come from rows, never
 * from parsing messages. Rows are written in batches inside one
 * transaction; messages never hold secrets (callers pass what the probes
 * say, which names hosts and credentials, never their values).
 *
 * Everything returned is a new jansson reference owned by the caller.
 */
#ifndef NC_STORE_DISCOVERY_H
#define NC_STORE_DISCOVERY_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* One log row; strings are borrowed. */
struct store_discovery_log {
	const char *ip;
	const char *stage;   /* "discovery", "ports", "dns", "snmp", ... */
	const char *outcome; /* "alive", "dead", "ok", "no-answer", ... */
	int64_t duration_ms; /* < 0: unknown (stored as NULL) */
	const char *message; /* may be NULL */
	const char *time;    /* "YYYY-MM-DD HH:MM:SS"; NULL: now */
};

/* Counters of a run, written when it ends. */
struct store_discovery_counts {
	int64_t total, done, alive, stored;
};

/* Creates a run in state "running" (discovery_id 0: a one-shot run from
 * the command line) and sets *run_id. 0 or -1. */
int store_discovery_run_start(struct store *st, int64_t discovery_id,
			      int64_t total, int64_t *run_id);
/* Ends a run: state "done", "failed" or "cancelled", the counters and a
 * summary. 0 or -1. */
int store_discovery_run_finish(struct store *st, int64_t run_id,
			       const char *state,
			       const struct store_discovery_counts *c,
			       const char *message);
/* Adds n log rows to a run in one transaction. 0, or -1 and none added. */
int store_discovery_log_add(struct store *st, int64_t run_id,
			    const struct store_discovery_log *rows, size_t n);
/* Runs, newest first; limit 0 means all. */
json_t *store_discovery_run_list(struct store *st, int64_t limit);
/* A run's log rows in insertion order. */
json_t *store_discovery_log_list(struct store *st, int64_t run_id);

#endif
