/*
 * sqlite_collectors.c: store_collectors.h on SQLite (tables collector and
 * collector_item, and the collector_id columns of discovery and
 * discovery_run, of migration 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_api_int.h"
#include "store/store_collectors.h"

#define COLL_STATE                                                             \
	"CASE WHEN c.last_seen >= datetime('now', '-120 seconds') THEN"        \
	" 'online' WHEN c.last_seen >= datetime('now', '-3600 seconds') THEN"  \
	" 'stale' ELSE 'offline' END"

#define COLL_COLS                                                              \
	"SELECT c.id, c.org_id, c.name, c.version, c.host, c.subnets,"         \
	" c.description, c.enabled, c.spool_depth, c.spool_dropped,"           \
	" c.created, c.last_seen, " COLL_STATE " AS state,"                    \
	" (SELECT count(*) FROM discovery_run r WHERE r.collector_id = c.id"   \
	"  AND r.state = 'queued') AS jobs_queued,"                            \
	" (SELECT count(*) FROM discovery_run r WHERE r.collector_id = c.id"   \
	"  AND r.state = 'running') AS jobs_running"                           \
	" FROM collector c WHERE 1"

_Static_assert(COLLECTOR_ONLINE_S == 120 && COLLECTOR_STALE_S == 3600,
	       "COLL_STATE spells the limits out");

/* subnets text as an array, enabled as a boolean */
static void coll_shape(json_t *row)
{
	const char *s = json_string_value(json_object_get(row, "subnets"));
	json_t *v = s ? json_loads(s, 0, NULL) : NULL;

	json_object_set_new(row, "subnets",
			    json_is_array(v) ? v : json_array());
	if (v && !json_is_array(v))
		json_decref(v);
	json_object_set_new(row, "enabled",
			    json_boolean(json_integer_value(
				    json_object_get(row, "enabled"))));
}

int sqlite_collector_register(struct store *st,
			      const struct store_collector_reg *r, int64_t *id,
			      int64_t *interrupted)
{
	json_t *row, *params;
	char now[20], *subnets;
	int found = 0, rc = -1;

	*id = *interrupted = 0;
	util_now(now);
	subnets = json_dumps(r->subnets ? r->subnets : json_array(),
			     JSON_COMPACT);
	if (store_begin(st) < 0)
		goto out;
	row = sqlite_api_row(st,
			     "SELECT id, user_id FROM collector WHERE name = ?",
			     json_pack("[s]", r->name), &found);
	if (!row && found)
		goto rollback;
	if (row &&
	    json_integer_value(json_object_get(row, "user_id")) != r->user_id) {
		json_decref(row);
		store_rollback(st);
		rc = -2;
		goto out;
	}
	if (row) {
		*id = json_integer_value(json_object_get(row, "id"));
		json_decref(row);
		params = json_pack("[IIs?s?ssI]", (json_int_t)r->token_id,
				   (json_int_t)r->org_id, r->version, r->host,
				   subnets, now, (json_int_t)*id);
		/* a collector that registers again with a new token leaves
		 * the old one unused */
		if (sqlite_api_exec(st,
				    "UPDATE collector SET token_id = ?,"
				    " org_id = ?, version = ?, host = ?,"
				    " subnets = ?, last_seen = ? WHERE id = ?",
				    params) < 0)
			goto rollback;
	} else {
		if (sqlite_api_exec(st,
				    "UPDATE collector SET token_id = NULL WHERE"
				    " token_id = ?",
				    json_pack("[I]", (json_int_t)r->token_id)) <
			    0 ||
		    sqlite_api_exec(
			    st,
			    "INSERT INTO collector (org_id, name, user_id,"
			    " token_id, version, host, subnets, created,"
			    " last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    json_pack("[IsIIs?s?sss]", (json_int_t)r->org_id,
				      r->name, (json_int_t)r->user_id,
				      (json_int_t)r->token_id, r->version,
				      r->host, subnets, now, now)) < 0 ||
		    sqlite_api_scalar(st, "SELECT last_insert_rowid()", NULL,
				      id) < 0)
			goto rollback;
	}
	params = json_pack("[I]", (json_int_t)*id);
	if (sqlite_api_scalar(st,
			      "SELECT count(*) FROM discovery_run WHERE"
			      " collector_id = ? AND state = 'running'",
			      params, interrupted) < 0) {
		json_decref(params);
		goto rollback;
	}
	json_decref(params);
	if (sqlite_api_exec(st,
			    "UPDATE discovery_run SET state = 'interrupted',"
			    " finished = ?, message = 'interrupted: the"
			    " collector restarted while it ran; what it"
			    " spooled is uploaded' WHERE collector_id = ?"
			    " AND state = 'running'",
			    json_pack("[sI]", now, (json_int_t)*id)) < 0 ||
	    store_commit(st) < 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	store_rollback(st);
	*id = 0;
out:
	free(subnets);
	return rc;
}

int sqlite_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			      int *enabled)
{
	int found = 0;
	json_t *row = sqlite_api_row(
		st, "SELECT id, enabled FROM collector WHERE token_id = ?",
		json_pack("[I]", (json_int_t)token_id), &found);

	*id = 0;
	*enabled = 0;
	if (!row)
		return found ? -1 : 0;
	*id = json_integer_value(json_object_get(row, "id"));
	*enabled = (int)json_integer_value(json_object_get(row, "enabled"));
	json_decref(row);
	return 0;
}

int sqlite_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
			  int64_t spool_dropped)
{
	char now[20];

	util_now(now);
	return sqlite_api_exec(st,
			       "UPDATE collector SET last_seen = ?,"
			       " spool_depth = ?, spool_dropped = ?"
			       " WHERE id = ?",
			       json_pack("[sIII]", now, (json_int_t)spool_depth,
					 (json_int_t)spool_dropped,
					 (json_int_t)id));
}

json_t *sqlite_collector_list(struct store *st, const int64_t *org_ids,
			      int norgs)
{
	return sqlite_api_org_rows(st, COLL_COLS, "c.org_id", org_ids, norgs,
				   "c.name, c.id", coll_shape);
}

json_t *sqlite_collector_get(struct store *st, int64_t id, int *found)
{
	json_t *row = sqlite_api_row(st, COLL_COLS " AND c.id = ?",
				     json_pack("[I]", (json_int_t)id), found);
	json_t *params, *runs;

	if (!row)
		return NULL;
	coll_shape(row);
	params = json_pack("[I]", (json_int_t)id);
	runs = sqlite_api_rows(
		st,
		"SELECT r.id, r.discovery_id, d.name AS discovery, r.state,"
		" r.queued, r.started, r.finished, r.addresses_total,"
		" r.addresses_done, r.alive, r.devices_stored, r.message"
		" FROM discovery_run r LEFT JOIN discovery d ON"
		" d.id = r.discovery_id WHERE r.collector_id = ?"
		" ORDER BY r.id DESC LIMIT 10",
		params);
	json_decref(params);
	json_object_set_new(row, "recent_runs", runs ? runs : json_array());
	return row;
}

int sqlite_collector_find(struct store *st, const char *s, int64_t *id)
{
	json_t *params = json_pack("[ss]", s, s);
	int rc = sqlite_api_scalar(st,
				   "SELECT id FROM collector WHERE name = ?"
				   " OR CAST(id AS TEXT) = ? ORDER BY"
				   " name = ?1 DESC LIMIT 1",
				   params, id);

	json_decref(params);
	return rc;
}

int sqlite_collector_update(struct store *st, int64_t id, json_t *fields)
{
	json_t *params = json_array(), *v;
	struct strbuf sb;
	char now[20];
	int rc;

	util_now(now);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE collector SET id = id");
	if ((v = json_object_get(fields, "name"))) {
		strbuf_puts(&sb, ", name = ?");
		json_array_append(params, v);
	}
	if ((v = json_object_get(fields, "description"))) {
		strbuf_puts(&sb, ", description = ?");
		json_array_append(params, v);
	}
	if ((v = json_object_get(fields, "enabled"))) {
		strbuf_puts(&sb, ", enabled = ?");
		json_array_append_new(params, json_integer(json_is_true(v)));
	}
	strbuf_puts(&sb, " WHERE id = ?");
	json_array_append_new(params, json_integer(id));
	rc = sqlite_api_exec(st, sb.data, params);
	strbuf_free(&sb);
	return rc;
}

int sqlite_collector_delete(struct store *st, int64_t id)
{
	char now[20];

	util_now(now);
	if (store_begin(st) < 0)
		return -1;
	if (sqlite_api_exec(st,
			    "UPDATE discovery_run SET state = 'cancelled',"
			    " finished = ?, message = 'cancelled: its"
			    " collector was deleted' WHERE collector_id = ?"
			    " AND state = 'queued'",
			    json_pack("[sI]", now, (json_int_t)id)) < 0 ||
	    sqlite_api_exec(st,
			    "UPDATE discovery_run SET state = 'interrupted',"
			    " finished = ?, message = 'interrupted: its"
			    " collector was deleted' WHERE collector_id = ?"
			    " AND state = 'running'",
			    json_pack("[sI]", now, (json_int_t)id)) < 0 ||
	    sqlite_api_exec(st,
			    "UPDATE token SET revoked = 1 WHERE id ="
			    " (SELECT token_id FROM collector WHERE id = ?)",
			    json_pack("[I]", (json_int_t)id)) < 0 ||
	    sqlite_api_exec(st, "DELETE FROM collector WHERE id = ?",
			    json_pack("[I]", (json_int_t)id)) < 0 ||
	    store_commit(st) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int sqlite_collector_run(struct store *st, int64_t id, int64_t run_id,
			 int64_t *org_id, char state[16])
{
	int found = 0;
	json_t *row = sqlite_api_row(
		st,
		"SELECT d.org_id, r.state FROM discovery_run r JOIN"
		" discovery d ON d.id = r.discovery_id WHERE r.id = ?"
		" AND r.collector_id = ?",
		json_pack("[II]", (json_int_t)run_id, (json_int_t)id), &found);

	*org_id = 0;
	state[0] = '\0';
	if (!row)
		return found ? -1 : 0;
	*org_id = json_integer_value(json_object_get(row, "org_id"));
	snprintf(state, 16, "%s",
		 json_string_value(json_object_get(row, "state")));
	json_decref(row);
	return 0;
}

int sqlite_collector_run_cancel(struct store *st, int64_t run_id, int *changed)
{
	json_t *params = json_pack("[I]", (json_int_t)run_id);
	int64_t n = 0;
	int rc = sqlite_api_scalar(st,
				   "SELECT count(*) FROM discovery_run WHERE"
				   " id = ? AND state = 'running' AND"
				   " collector_id IS NOT NULL",
				   params, &n);

	json_decref(params);
	*changed = 0;
	if (rc < 0 || !n)
		return rc;
	*changed = 1;
	return sqlite_api_exec(st,
			       "UPDATE discovery_run SET state = 'cancelled',"
			       " message = 'cancelled through the API; the"
			       " collector stops it, what it found is stored'"
			       " WHERE id = ? AND state = 'running'",
			       json_pack("[I]", (json_int_t)run_id));
}

int sqlite_collector_item_seen(struct store *st, const char *item_id)
{
	json_t *params = json_pack("[s]", item_id);
	int64_t n = 0;
	int rc = sqlite_api_scalar(
		st, "SELECT count(*) FROM collector_item WHERE item_id = ?",
		params, &n);

	json_decref(params);
	return rc < 0 ? -1 : n > 0;
}

int sqlite_collector_item_add(struct store *st, const char *item_id,
			      int64_t run_id, const char *kind,
			      int64_t device_id)
{
	char now[20];

	util_now(now);
	return sqlite_api_exec(
		st,
		"INSERT INTO collector_item (item_id, run_id, kind,"
		" device_id, stored) VALUES (?, ?, ?, ?, ?)",
		json_pack("[sIsos]", item_id, (json_int_t)run_id, kind,
			  device_id ? json_integer(device_id) : json_null(),
			  now));
}

int sqlite_collector_run_reports(struct store *st, int64_t run_id, int64_t *n)
{
	json_t *params = json_pack("[I]", (json_int_t)run_id);
	int rc = sqlite_api_scalar(st,
				   "SELECT count(*) FROM collector_item WHERE"
				   " run_id = ? AND kind = 'report'",
				   params, n);

	json_decref(params);
	return rc;
}
