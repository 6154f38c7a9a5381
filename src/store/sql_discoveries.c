/*
 * sql_discoveries.c: discovery definitions and their runs' queue
 * (store_discoveries.h), written once for every SQL engine with the
 * statement helper (db.h). options and credentials are stored as JSON
 * text (JSONB on PostgreSQL) and given back as JSON values.
 *
 * A queued run is claimed by one UPDATE whose sub-select picks the oldest
 * queued run: on SQLite the writer is alone, on PostgreSQL the sub-select
 * takes its row FOR UPDATE SKIP LOCKED (DB_SKIP_LOCKED), so servers
 * claiming at once each get a different run and none waits for another;
 * the outer "state = 'queued'" makes a run taken in between count as
 * none, never as twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_ops.h"
#include "store/sql_row.h"

#define DEF_SELECT                                                             \
	"SELECT d.id, d.org_id, d.name, d.targets, d.exclude, d.options,"      \
	" d.credentials, d.collector_id, d.created, d.updated, r.id,"          \
	" r.state, r.started, r.finished FROM discovery d LEFT JOIN"           \
	" discovery_run r ON r.id = (SELECT max(id) FROM discovery_run"        \
	" WHERE discovery_id = d.id) WHERE TRUE"

static const char *const def_cols[] = {
	"i:id",		 "i:org_id",	   "t:name",
	"t:targets",	 "t:exclude",	   "t:options",
	"t:credentials", "i:collector",	   "t:created",
	"t:updated",	 "i:run_id",	   "t:run_state",
	"t:run_started", "t:run_finished", NULL};

/* Turns the stored JSON text members into values and the run columns
 * into "last_run". */
static void def_shape(json_t *row)
{
	static const char *const js[] = {"options", "credentials"};
	json_t *run = json_null();
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(row, js[i]));
		json_t *v = s ? json_loads(s, 0, NULL) : NULL;

		json_object_set_new(row, js[i],
				    v	? v
				    : i ? json_array()
					: json_object());
	}
	if (json_is_integer(json_object_get(row, "run_id")))
		run = json_pack("{sOsOsOsO}", "id",
				json_object_get(row, "run_id"), "state",
				json_object_get(row, "run_state"), "started",
				json_object_get(row, "run_started"), "finished",
				json_object_get(row, "run_finished"));
	json_object_set_new(row, "last_run", run);
	json_object_del(row, "run_id");
	json_object_del(row, "run_state");
	json_object_del(row, "run_started");
	json_object_del(row, "run_finished");
}

json_t *sql_discodef_list(struct store *st, const int64_t *org_ids, int norgs)
{
	struct db_stmt *s;
	json_t *rows, *r;
	size_t i;

	if (org_ids)
		s = db_stmt(st,
			    DEF_SELECT " AND " DB_IN_JSON_IDS(
				    "d.org_id", "?1") " ORDER BY d.name, d.id");
	else
		s = db_stmt(st, DEF_SELECT " ORDER BY d.name, d.id");
	if (s && org_ids)
		sql_bind_ids(s, 1, org_ids, norgs);
	rows = sql_rows(s, def_cols);
	json_array_foreach(rows, i, r)
		def_shape(r);
	return rows;
}

json_t *sql_discodef_get(struct store *st, int64_t id, int *found)
{
	struct db_stmt *s = db_stmt(st, DEF_SELECT " AND d.id = ?1");
	json_t *row;
	int f;

	if (s)
		db_bind_int64(s, 1, id);
	row = sql_row_first(s, def_cols, &f);
	if (found)
		*found = f > 0;
	if (row)
		def_shape(row);
	return row;
}

int sql_discodef_find(struct store *st, int64_t org_id, const char *name,
		      int64_t *id)
{
	struct db_stmt *s = db_stmt(
		st, "SELECT id FROM discovery WHERE org_id = ?1 AND name = ?2");

	*id = 0;
	if (!s)
		return -1;
	db_bind_int64(s, 1, org_id);
	db_bind_text(s, 2, name);
	return sql_scalar(s, id);
}

/* Binds member k of def: JSON values dumped, strings kept, absent or null
 * as dflt (NULL: SQL NULL). */
static void def_bind(struct db_stmt *s, int idx, json_t *def, const char *k,
		     const char *dflt)
{
	json_t *v = json_object_get(def, k);

	if (json_is_string(v))
		db_bind_text(s, idx, json_string_value(v));
	else if (!v || json_is_null(v))
		db_bind_text(s, idx, dflt);
	else
		db_bind_json(s, idx, v);
}

/* Binds the collector a definition is assigned to: its id, or NULL. */
static void def_bind_collector(struct db_stmt *s, int idx, json_t *def)
{
	json_int_t c = json_integer_value(json_object_get(def, "collector"));

	if (c > 0)
		db_bind_int64(s, idx, c);
	else
		db_bind_null(s, idx);
}

int sql_discodef_add(struct store *st, json_t *def, int64_t *id)
{
	struct db_stmt *s = db_stmt(
		st,
		"INSERT INTO discovery (org_id, name, targets, exclude,"
		" options, credentials, collector_id, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id");
	char now[20];
	int rc;

	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, json_integer_value(json_object_get(def, "org_id")));
	def_bind(s, 2, def, "name", "");
	def_bind(s, 3, def, "targets", "");
	def_bind(s, 4, def, "exclude", NULL);
	def_bind(s, 5, def, "options", "{}");
	def_bind(s, 6, def, "credentials", "[]");
	def_bind_collector(s, 7, def);
	db_bind_text(s, 8, now);
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_int64(s, 0);
	if (rc >= 0)
		db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}

int sql_discodef_update(struct store *st, int64_t id, json_t *def)
{
	static const char *const cols[] = {"name",    "targets",     "exclude",
					   "options", "credentials", NULL};
	static const char *const dflt[] = {"", "", NULL, "{}", "[]"};
	struct db_stmt *s;
	struct strbuf sb;
	char now[20];
	int i, n = 2;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE discovery SET updated = ?2");
	for (i = 0; cols[i]; i++)
		if (json_object_get(def, cols[i]))
			strbuf_printf(&sb, ", %s = ?%d", cols[i], ++n);
	if (json_object_get(def, "collector"))
		strbuf_printf(&sb, ", collector_id = ?%d", ++n);
	strbuf_puts(&sb, " WHERE id = ?1");
	s = db_stmt(st, sb.data);
	strbuf_free(&sb);
	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, now);
	n = 2;
	for (i = 0; cols[i]; i++)
		if (json_object_get(def, cols[i]))
			def_bind(s, ++n, def, cols[i], dflt[i]);
	if (json_object_get(def, "collector"))
		def_bind_collector(s, ++n, def);
	return db_exec(s);
}

int sql_discodef_delete(struct store *st, int64_t id)
{
	return sql_exec_id(st, "DELETE FROM discovery WHERE id = ?1", id);
}

/* ---- runs ---- */

int sql_discorun_queue(struct store *st, int64_t discovery_id, int64_t *run_id)
{
	struct db_stmt *s = db_stmt(
		st, "INSERT INTO discovery_run (discovery_id, state, queued,"
		    " collector_id) SELECT id, 'queued', CAST(?1 AS TEXT),"
		    " collector_id FROM discovery WHERE id = ?2 RETURNING id");
	char now[20];
	int rc;

	*run_id = 0;
	if (!s)
		return -1;
	util_now(now);
	db_bind_text(s, 1, now);
	db_bind_int64(s, 2, discovery_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*run_id = db_int64(s, 0);
	if (rc >= 0)
		db_reset(s);
	if (rc == DB_DONE)
		log_err("database: no discovery with id %lld to queue a run of",
			(long long)discovery_id);
	return rc == DB_ROW ? 0 : -1;
}

int sql_discorun_active(struct store *st, int64_t discovery_id, int64_t *run_id)
{
	struct db_stmt *s = db_stmt(
		st, "SELECT id FROM discovery_run WHERE discovery_id = ?1"
		    " AND state IN ('queued','running') ORDER BY id LIMIT 1");

	*run_id = 0;
	if (!s)
		return -1;
	db_bind_int64(s, 1, discovery_id);
	return sql_scalar(s, run_id);
}

/* Claims with s (its parameters bound; it returns id, discovery_id of the
 * run it took): 0 with the run, or with 0s when none was queued; -1. */
static int run_claim(struct db_stmt *s, int64_t *run_id, int64_t *discovery_id)
{
	return sql_first_ints(s, run_id, discovery_id) < 0 ? -1 : 0;
}

int sql_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
		       int64_t *discovery_id)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE discovery_run SET state = 'running', started = ?1,"
		    " lease_owner = ?2, lease_until = ?3"
		    " WHERE id = (SELECT id FROM discovery_run"
		    "  WHERE state = 'queued' AND collector_id IS NULL"
		    "  ORDER BY id LIMIT 1" DB_SKIP_LOCKED ")"
		    " AND state = 'queued' RETURNING id, discovery_id");
	char now[20], until[20];

	*run_id = *discovery_id = 0;
	if (!s)
		return -1;
	util_now(now);
	store_lease_time(lease_s, until);
	db_bind_text(s, 1, now);
	db_bind_text(s, 2, store_lease_owner());
	db_bind_text(s, 3, until);
	return run_claim(s, run_id, discovery_id);
}

int sql_discorun_renew(struct store *st, int64_t run_id, int lease_s)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE discovery_run SET lease_until = ?1 WHERE id = ?2"
		    " AND lease_owner = ?3 AND state = 'running'");
	char until[20];

	if (!s)
		return -1;
	store_lease_time(lease_s, until);
	db_bind_text(s, 1, until);
	db_bind_int64(s, 2, run_id);
	db_bind_text(s, 3, store_lease_owner());
	return db_exec(s);
}

int sql_discorun_claim_for(struct store *st, int64_t collector_id,
			   int64_t *run_id, int64_t *discovery_id)
{
	struct db_stmt *s = db_stmt(
		st,
		"UPDATE discovery_run SET state = 'running', started = ?1"
		" WHERE id = (SELECT id FROM discovery_run"
		"  WHERE state = 'queued' AND coalesce(collector_id, 0) = ?2"
		"  ORDER BY id LIMIT 1" DB_SKIP_LOCKED ")"
		" AND state = 'queued' RETURNING id, discovery_id");
	char now[20];

	*run_id = *discovery_id = 0;
	if (!s)
		return -1;
	util_now(now);
	db_bind_text(s, 1, now);
	db_bind_int64(s, 2, collector_id);
	return run_claim(s, run_id, discovery_id);
}

int sql_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			  int64_t done, int64_t alive, int64_t packets)
{
	struct db_stmt *s =
		db_stmt(st, "UPDATE discovery_run SET addresses_total = ?1,"
			    " addresses_done = ?2, alive = ?3, packets = ?4"
			    " WHERE id = ?5 AND state = 'running'");

	if (!s)
		return -1;
	db_bind_int64(s, 1, total);
	db_bind_int64(s, 2, done);
	db_bind_int64(s, 3, alive);
	db_bind_int64(s, 4, packets);
	db_bind_int64(s, 5, run_id);
	return db_exec(s);
}

/* The runs of servers whose leases ran out: ?1 the lease clock's now, ?2
 * this process (its own runs are never another's to mark). */
#define RUN_LEASE_GONE                                                         \
	" WHERE state = 'running' AND collector_id IS NULL"                    \
	" AND (lease_until IS NULL OR lease_until < ?1)"                       \
	" AND (lease_owner IS NULL OR lease_owner <> ?2)"

int sql_discorun_interrupt_all(struct store *st, int64_t *n)
{
	struct db_stmt *s;
	char now[20], lease_now[20];

	*n = 0;
	util_now(now);
	store_lease_time(0, lease_now);
	/* read first: the usual answer is none, and a read takes no lock */
	s = db_stmt(st, "SELECT count(*) FROM discovery_run" RUN_LEASE_GONE);
	if (!s)
		return -1;
	db_bind_text(s, 1, lease_now);
	db_bind_text(s, 2, store_lease_owner());
	if (sql_scalar(s, n) < 0)
		return -1;
	if (!*n)
		return 0;
	s = db_stmt(st, "UPDATE discovery_run SET state = 'interrupted',"
			" finished = ?3, message = 'interrupted: the server"
			" running it stopped (its lease ran out); what it"
			" stored is kept'" RUN_LEASE_GONE);
	if (!s)
		return -1;
	db_bind_text(s, 1, lease_now);
	db_bind_text(s, 2, store_lease_owner());
	db_bind_text(s, 3, now);
	if (db_exec(s) < 0)
		return -1;
	*n = db_changes(s);
	return 0;
}

int sql_discorun_mark(struct store *st, int64_t run_id, const char *state,
		      const char *message)
{
	struct db_stmt *s = db_stmt(st, "UPDATE discovery_run SET state = ?2,"
					" message = ?3 WHERE id = ?1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, run_id);
	db_bind_text(s, 2, state);
	db_bind_text(s, 3, message);
	return db_exec(s);
}

int sql_discorun_cancel_queued(struct store *st, int64_t run_id, int *changed)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE discovery_run SET state = 'cancelled',"
		    " finished = ?2, message = 'cancelled before it started'"
		    " WHERE id = ?1 AND state = 'queued'");
	char now[20];

	*changed = 0;
	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, run_id);
	db_bind_text(s, 2, now);
	if (db_exec(s) < 0)
		return -1;
	*changed = db_changes(s) > 0;
	return 0;
}

int sql_discorun_state(struct store *st, int64_t run_id, int64_t *discovery_id,
		       char state[16])
{
	struct db_stmt *s = db_stmt(
		st,
		"SELECT discovery_id, state FROM discovery_run WHERE id = ?1");

	state[0] = '\0';
	*discovery_id = 0;
	if (s)
		db_bind_int64(s, 1, run_id);
	return sql_first_int_text(s, discovery_id, state, 16) < 0 ? -1 : 0;
}

json_t *sql_discorun_stages(struct store *st, int64_t run_id)
{
	struct db_stmt *s =
		db_stmt(st, "SELECT stage, outcome, count(*) FROM discovery_log"
			    " WHERE run_id = ?1 GROUP BY stage, outcome"
			    " ORDER BY stage, outcome");
	json_t *out, *o;
	int rc;

	if (!s)
		return NULL;
	db_bind_int64(s, 1, run_id);
	out = json_object();
	while ((rc = db_step(s)) == DB_ROW) {
		const char *stage = db_text(s, 0), *outcome = db_text(s, 1);

		if (!stage || !outcome)
			continue;
		o = json_object_get(out, stage);
		if (!o) {
			o = json_object();
			json_object_set_new(out, stage, o);
		}
		json_object_set_new(o, outcome, json_integer(db_int64(s, 2)));
	}
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	db_reset(s);
	return out;
}

json_t *sql_discorun_count_states(struct store *st)
{
	struct db_stmt *s = db_stmt(
		st, "SELECT state, count(*) FROM discovery_run GROUP BY state");
	json_t *out;
	int rc;

	if (!s)
		return NULL;
	out = json_object();
	while ((rc = db_step(s)) == DB_ROW)
		if (db_text(s, 0))
			json_object_set_new(out, db_text(s, 0),
					    json_integer(db_int64(s, 1)));
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	db_reset(s);
	return out;
}
