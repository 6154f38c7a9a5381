/*
 * store_stats: the read-only summaries the web UI draws — device counts by
 * type, OS family and manufacturer, new devices and changes per day, the
 * discovery runs and their logs, and the network picture (devices with the
 * ARP and LLDP links between them).
 *
 * Every function takes the caller's org scope: org_ids/norgs as in
 * struct store_query (org_ids NULL: every org). Discovery runs belong to
 * the org of their discovery; a run with no discovery (a one-shot
 * `netcensus discover` from the command line) is seen only by an
 * every-org caller. SQL text is constant apart from "?" placeholders;
 * values are bound.
 *
 * jansson values returned are new references owned by the caller.
 * Functions return NULL (or -1) on a database error and log it once.
 */
#ifndef NC_STORE_STATS_H
#define NC_STORE_STATS_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

#define STATS_TOP 10 /* values shown per breakdown; the rest is "other" */

/* {"devices": N,
 *  "by_type" / "by_os_family" / "by_manufacturer": [{"value", "count"}]
 *     (the STATS_TOP largest, empty values as "unknown"),
 *  "other": {"type": n, "os_family": n, "manufacturer": n} (the rest),
 *  "new_devices": [{"day", "count"}] (first_seen on or after since),
 *  "changes": [{"day", "add", "remove", "change"}] (time >= since)}
 * Days with nothing are absent; since is "YYYY-MM-DD". */
json_t *store_stats_summary(struct store *st, const int64_t *org_ids, int norgs,
			    const char *since);

/* Discovery runs, newest first: {"id", "discovery_id", "discovery",
 * "org_id", "state", "started", "finished", "addresses_total",
 * "addresses_done", "alive", "devices_stored", "message"}; *count gets
 * how many the scope holds. */
json_t *store_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
			 int64_t limit, int64_t offset, int64_t *count);
/* One run as in the list, or NULL with *found = 0 when absent or outside
 * the scope. */
json_t *store_stats_run_get(struct store *st, const int64_t *org_ids, int norgs,
			    int64_t id, int *found);
/* A run's log rows in order: {"id", "time", "ip", "stage", "outcome",
 * "duration_ms", "message"}; *count gets the total. */
json_t *store_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			    int64_t offset, int64_t *count);

/* The network picture: {"count": devices with an address in scope (and
 * under ip_prefix when not NULL), "nodes": [{"id", "hostname", "ip",
 * "type", "netmask"}] (at most limit, by address, plus up to limit more:
 * the visible devices their links reach), "links": [{"source", "target", "kind"
 * ("arp"|"lldp"|"cdp"|"attach": a switch port to the device plugged in
 * there, source the switch), "label"}] (each pair and kind once)}. */
json_t *store_stats_network(struct store *st, const int64_t *org_ids, int norgs,
			    const char *ip_prefix, int64_t limit);

#endif
