/*
 * sql_collectors.c: collectors and the items they uploaded
 * (store_collectors.h), written once for every SQL engine with the
 * statement helper (db.h). A collector's state (online, stale, offline)
 * is computed from its last_seen against two cut-offs bound as times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_ops.h"
#include "store/sql_row.h"

/* ?1 and ?2: the times COLLECTOR_ONLINE_S and COLLECTOR_STALE_S ago */
#define COLL_SELECT                                                            \
	"SELECT c.id, c.org_id, c.name, c.version, c.host, c.subnets,"         \
	" c.description, c.enabled, c.spool_depth, c.spool_dropped,"           \
	" c.created, c.last_seen, CASE WHEN c.last_seen >= ?1 THEN 'online'"   \
	" WHEN c.last_seen >= ?2 THEN 'stale' ELSE 'offline' END,"             \
	" (SELECT count(*) FROM discovery_run r WHERE r.collector_id = c.id"   \
	"  AND r.state = 'queued'),"                                           \
	" (SELECT count(*) FROM discovery_run r WHERE r.collector_id = c.id"   \
	"  AND r.state = 'running')"                                           \
	" FROM collector c WHERE TRUE"

static const char *const coll_cols[] = {
	"i:id",		 "i:org_id",	    "t:name",	      "t:version",
	"t:host",	 "j:subnets",	    "t:description",  "b:enabled",
	"i:spool_depth", "i:spool_dropped", "t:created",      "t:last_seen",
	"t:state",	 "i:jobs_queued",   "i:jobs_running", NULL};

/* Binds the state's cut-offs (wall time: a collector's last_seen is). */
static void coll_bind_cutoffs(struct db_stmt *s)
{
	char online[20], stale[20];
	time_t now = time(NULL);

	util_time_format(now - COLLECTOR_ONLINE_S, online);
	util_time_format(now - COLLECTOR_STALE_S, stale);
	db_bind_text(s, 1, online);
	db_bind_text(s, 2, stale);
}

/* subnets as an array whatever was stored */
static void coll_shape(json_t *row)
{
	if (!json_is_array(json_object_get(row, "subnets")))
		json_object_set_new(row, "subnets", json_array());
}

/* The collectors s finds (bound), shaped; NULL on error. */
static json_t *coll_rows(struct db_stmt *s)
{
	json_t *rows = sql_rows(s, coll_cols), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		coll_shape(r);
	return rows;
}

/* Runs s (bound), a statement without rows: 0 or -1. NULL s is -1. */
static int coll_exec(struct db_stmt *s)
{
	return s ? db_exec(s) : -1;
}

/* The statement for sql with the integer v as ?1 and the text t as ?2
 * (when not NULL), or NULL. */
static struct db_stmt *coll_stmt(struct store *st, const char *sql, int64_t v,
				 const char *t)
{
	struct db_stmt *s = db_stmt(st, sql);

	if (s) {
		db_bind_int64(s, 1, v);
		if (t)
			db_bind_text(s, 2, t);
	}
	return s;
}

/* Marks the runs of collector id that are in state from: to with message
 * (and finished = now). 0 or -1. */
static int coll_runs_end(struct store *st, int64_t id, const char *from,
			 const char *to, const char *message, const char *now)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE discovery_run SET state = ?3, finished = ?2,"
		    " message = ?4 WHERE collector_id = ?1 AND state = ?5");

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, now);
	db_bind_text(s, 3, to);
	db_bind_text(s, 4, message);
	db_bind_text(s, 5, from);
	return db_exec(s);
}

/* Finds collector r->name: 0 with *id (0 when none), -2 when another user
 * has it, -1 on error. */
static int coll_find_own(struct store *st, const struct store_collector_reg *r,
			 int64_t *id)
{
	struct db_stmt *s = db_stmt(
		st, "SELECT id, user_id FROM collector WHERE name = ?1");
	int64_t user = 0;

	*id = 0;
	if (s)
		db_bind_text(s, 1, r->name);
	if (sql_first_ints(s, id, &user) < 0)
		return -1;
	return *id && user != r->user_id ? -2 : 0;
}

/* Binds token, org, version, host, subnets and now at 1..6. */
static void coll_bind_reg(struct db_stmt *s,
			  const struct store_collector_reg *r,
			  const char *subnets, const char *now)
{
	db_bind_int64(s, 1, r->token_id);
	db_bind_int64(s, 2, r->org_id);
	db_bind_text(s, 3, r->version);
	db_bind_text(s, 4, r->host);
	db_bind_text(s, 5, subnets);
	db_bind_text(s, 6, now);
}

int sql_collector_register(struct store *st,
			   const struct store_collector_reg *r, int64_t *id,
			   int64_t *interrupted)
{
	struct db_stmt *s;
	char now[20], *subnets;
	int rc = -1, found;

	*id = *interrupted = 0;
	util_now(now);
	subnets = json_dumps(r->subnets ? r->subnets : json_array(),
			     JSON_COMPACT);
	if (store_begin(st) < 0)
		goto out;
	found = coll_find_own(st, r, id);
	if (found == -2) {
		store_rollback(st);
		*id = 0;
		rc = -2;
		goto out;
	}
	if (found < 0)
		goto rollback;
	if (*id) {
		/* a collector that registers again with a new token leaves
		 * the old one unused */
		s = db_stmt(st, "UPDATE collector SET token_id = ?1,"
				" org_id = ?2, version = ?3, host = ?4,"
				" subnets = ?5, last_seen = ?6 WHERE id = ?7");
		if (!s)
			goto rollback;
		coll_bind_reg(s, r, subnets, now);
		db_bind_int64(s, 7, *id);
		if (db_exec(s) < 0)
			goto rollback;
	} else {
		if (coll_exec(coll_stmt(st,
					"UPDATE collector SET token_id = NULL"
					" WHERE token_id = ?1",
					r->token_id, NULL)) < 0)
			goto rollback;
		s = db_stmt(st, "INSERT INTO collector (token_id, org_id,"
				" version, host, subnets, last_seen, created,"
				" name, user_id) VALUES (?1, ?2, ?3, ?4, ?5,"
				" ?6, ?6, ?7, ?8) RETURNING id");
		if (!s)
			goto rollback;
		coll_bind_reg(s, r, subnets, now);
		db_bind_text(s, 7, r->name);
		db_bind_int64(s, 8, r->user_id);
		if (sql_scalar(s, id) < 0 || !*id)
			goto rollback;
	}
	if (sql_scalar(coll_stmt(st,
				 "SELECT count(*) FROM discovery_run WHERE"
				 " collector_id = ?1 AND state = 'running'",
				 *id, NULL),
		       interrupted) < 0 ||
	    coll_runs_end(st, *id, "running", "interrupted",
			  "interrupted: the collector restarted while it ran;"
			  " what it spooled is uploaded",
			  now) < 0 ||
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

int sql_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			   int *enabled)
{
	int64_t on = 0;
	int rc;

	*id = 0;
	rc = sql_first_ints(coll_stmt(st,
				      "SELECT id, enabled FROM collector"
				      " WHERE token_id = ?1",
				      token_id, NULL),
			    id, &on);
	*enabled = (int)on;
	return rc < 0 ? -1 : 0;
}

int sql_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
		       int64_t spool_dropped)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE collector SET last_seen = ?2, spool_depth = ?3,"
		    " spool_dropped = ?4 WHERE id = ?1");
	char now[20];

	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, now);
	db_bind_int64(s, 3, spool_depth);
	db_bind_int64(s, 4, spool_dropped);
	return db_exec(s);
}

json_t *sql_collector_list(struct store *st, const int64_t *org_ids, int norgs)
{
	struct db_stmt *s;

	if (org_ids)
		s = db_stmt(st,
			    COLL_SELECT " AND " DB_IN_JSON_IDS(
				    "c.org_id", "?3") " ORDER BY c.name, c.id");
	else
		s = db_stmt(st, COLL_SELECT " ORDER BY c.name, c.id");
	if (!s)
		return NULL;
	coll_bind_cutoffs(s);
	if (org_ids)
		sql_bind_ids(s, 3, org_ids, norgs);
	return coll_rows(s);
}

json_t *sql_collector_get(struct store *st, int64_t id, int *found)
{
	static const char *const run_cols[] = {
		"i:id",	      "i:discovery_id",	   "t:discovery",
		"t:state",    "t:queued",	   "t:started",
		"t:finished", "i:addresses_total", "i:addresses_done",
		"i:alive",    "i:devices_stored",  "t:message",
		NULL};
	struct db_stmt *s = db_stmt(st, COLL_SELECT " AND c.id = ?3");
	json_t *row, *runs;
	int f;

	if (s) {
		coll_bind_cutoffs(s);
		db_bind_int64(s, 3, id);
	}
	row = sql_row_first(s, coll_cols, &f);
	if (found)
		*found = f > 0;
	if (!row)
		return NULL;
	coll_shape(row);
	runs = sql_rows(
		coll_stmt(st,
			  "SELECT r.id, r.discovery_id, d.name, r.state,"
			  " r.queued, r.started, r.finished, r.addresses_total,"
			  " r.addresses_done, r.alive, r.devices_stored,"
			  " r.message FROM discovery_run r LEFT JOIN discovery"
			  " d ON d.id = r.discovery_id WHERE r.collector_id ="
			  " ?1 ORDER BY r.id DESC LIMIT 10",
			  id, NULL),
		run_cols);
	json_object_set_new(row, "recent_runs", runs ? runs : json_array());
	return row;
}

int sql_collector_find(struct store *st, const char *name, int64_t *id)
{
	struct db_stmt *s = db_stmt(
		st,
		"SELECT id FROM collector WHERE name = ?1"
		" OR CAST(id AS TEXT) = ?1 ORDER BY name = ?1 DESC LIMIT 1");

	*id = 0;
	if (!s)
		return -1;
	db_bind_text(s, 1, name);
	return sql_scalar(s, id);
}

int sql_collector_update(struct store *st, int64_t id, json_t *fields)
{
	static const char *const cols[] = {"name", "description", "enabled",
					   NULL};
	struct db_stmt *s;
	struct strbuf sb;
	json_t *v;
	int i, n = 1;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE collector SET id = id");
	for (i = 0; cols[i]; i++)
		if (json_object_get(fields, cols[i]))
			strbuf_printf(&sb, ", %s = ?%d", cols[i], ++n);
	strbuf_puts(&sb, " WHERE id = ?1");
	s = db_stmt(st, sb.data);
	strbuf_free(&sb);
	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	n = 1;
	for (i = 0; cols[i]; i++) {
		v = json_object_get(fields, cols[i]);
		if (!v)
			continue;
		if (!strcmp(cols[i], "enabled"))
			db_bind_int64(s, ++n, json_is_true(v));
		else if (db_bind_scalar(s, ++n, v) < 0)
			db_bind_null(s, n);
	}
	return db_exec(s);
}

int sql_collector_delete(struct store *st, int64_t id)
{
	char now[20];

	util_now(now);
	if (store_begin(st) < 0)
		return -1;
	if (coll_runs_end(st, id, "queued", "cancelled",
			  "cancelled: its collector was deleted", now) < 0 ||
	    coll_runs_end(st, id, "running", "interrupted",
			  "interrupted: its collector was deleted", now) < 0 ||
	    coll_exec(
		    coll_stmt(st,
			      "UPDATE token SET revoked = 1 WHERE id ="
			      " (SELECT token_id FROM collector WHERE id = ?1)",
			      id, NULL)) < 0 ||
	    coll_exec(coll_stmt(st, "DELETE FROM collector WHERE id = ?1", id,
				NULL)) < 0 ||
	    store_commit(st) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int sql_collector_run(struct store *st, int64_t id, int64_t run_id,
		      int64_t *org_id, char state[16])
{
	struct db_stmt *s = db_stmt(
		st, "SELECT d.org_id, r.state FROM discovery_run r JOIN"
		    " discovery d ON d.id = r.discovery_id WHERE r.id = ?1"
		    " AND r.collector_id = ?2");

	*org_id = 0;
	state[0] = '\0';
	if (s) {
		db_bind_int64(s, 1, run_id);
		db_bind_int64(s, 2, id);
	}
	return sql_first_int_text(s, org_id, state, 16) < 0 ? -1 : 0;
}

int sql_collector_run_cancel(struct store *st, int64_t run_id, int *changed)
{
	struct db_stmt *s = coll_stmt(
		st,
		"UPDATE discovery_run SET state = 'cancelled',"
		" message = 'cancelled through the API; the collector stops it,"
		" what it found is stored' WHERE id = ?1 AND state = 'running'"
		" AND collector_id IS NOT NULL",
		run_id, NULL);

	*changed = 0;
	if (coll_exec(s) < 0)
		return -1;
	*changed = db_changes(s) > 0;
	return 0;
}

int sql_collector_item_seen(struct store *st, const char *item_id)
{
	struct db_stmt *s = db_stmt(
		st, "SELECT count(*) FROM collector_item WHERE item_id = ?1");
	int64_t n = 0;

	if (!s)
		return -1;
	db_bind_text(s, 1, item_id);
	return sql_scalar(s, &n) < 0 ? -1 : n > 0;
}

int sql_collector_item_add(struct store *st, const char *item_id,
			   int64_t run_id, const char *kind, int64_t device_id)
{
	struct db_stmt *s =
		db_stmt(st, "INSERT INTO collector_item (item_id, run_id, kind,"
			    " device_id, stored) VALUES (?1, ?2, ?3, ?4, ?5)");
	char now[20];

	if (!s)
		return -1;
	util_now(now);
	db_bind_text(s, 1, item_id);
	db_bind_int64(s, 2, run_id);
	db_bind_text(s, 3, kind);
	if (device_id)
		db_bind_int64(s, 4, device_id);
	else
		db_bind_null(s, 4);
	db_bind_text(s, 5, now);
	return db_exec(s);
}

int sql_collector_run_reports(struct store *st, int64_t run_id, int64_t *n)
{
	return sql_scalar(coll_stmt(st,
				    "SELECT count(*) FROM collector_item"
				    " WHERE run_id = ?1 AND kind = 'report'",
				    run_id, NULL),
			  n);
}
