/*
 * store_search: the one search behind the UI's header box and
 * GET /api/v1/search. What a person types is looked up, as the start of
 * the value and ignoring case, in every field an administrator knows a
 * device by: hostname, fqdn, sysName, serial, uuid, location, each of its
 * addresses (the main one and every row of its ip section), each of its
 * MAC addresses (main, network and ip sections; typed in any notation:
 * 00:0c:29, 00-0C-29, 000c.29, 000c29), a tag (any of the comma-separated
 * tags), and the names of installed software; then the names and targets
 * of discoveries and the names of users (both "contains").
 *
 * Every device and software lookup starts from an index (migration 5
 * made the NOCASE ones): a prefix becomes the range [q, q + U+10FFFF),
 * and the org filter is written "+org_id" so the planner never walks the
 * org index instead. Tags are read from their own partial index (tagged
 * devices only). Discoveries and users are small tables, read whole.
 *
 * Results are scoped like the device list: with org_ids set, nothing of
 * another org is returned or counted — a software name that only another
 * org's devices have is not listed. The returned object is owned by the
 * caller.
 */
#ifndef NC_STORE_SEARCH_H
#define NC_STORE_SEARCH_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

#define STORE_SEARCH_Q_MAX 128	    /* longest search text, bytes */
#define STORE_SEARCH_LIMIT_MAX 100  /* results per type */
#define STORE_SEARCH_COUNT_CAP 1000 /* software device counts stop here */

struct store_search {
	const char *q; /* 1 to STORE_SEARCH_Q_MAX bytes */
	int limit;     /* results per type, 1..STORE_SEARCH_LIMIT_MAX */
	const int64_t *org_ids; /* NULL: every org; not owned */
	int norgs;
	int users; /* also search users (the caller may list them) */
};

/* {"devices": [{id, hostname, ip, mac, type, os_name, org_id,
 *   match: {field, value}}], "software": [{name, device_count,
 *   device_count_capped, devices: [{id, hostname, ip}]}],
 *   "discoveries": [{id, name, targets, org_id}], "users": [{id,
 *   username, full_name, role, org_id}], "more": {TYPE: true when that
 *   type had more than limit}}, or NULL on a database error (logged). */
json_t *store_search(struct store *st, const struct store_search *s);

/* How SQLite runs each lookup: {NAME: "the EXPLAIN QUERY PLAN lines"},
 * NAME being the field ("hostname.0", "mac.8", "software.next", ...).
 * For the tests (no lookup may scan a table) and for -v. */
json_t *store_search_plans(struct store *st);

/* The canonical MAC prefix ("00:0c:29") of text typed in any notation,
 * into out; 0, or -1 when text is not 4 to 12 hex digits with optional
 * ':', '-', '.' or ' ' separators. */
int store_search_mac_prefix(const char *text, char out[18]);

#endif
