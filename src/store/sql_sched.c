/*
 * sql_sched.c: saved reports, scheduled tasks (with their leases), the
 * users that come from a directory and retention (store_sched.h), written
 * once for every SQL engine with the statement helper (db.h). Settings
 * and directory auth sources, which hold secrets under the key file, are
 * sql_settings.c.
 *
 * A task is claimed by one statement (sql_task_claim()): the UPDATE
 * finds it due and unleased and leases it in one step, so two servers on
 * one database never both run it; on PostgreSQL the second UPDATE waits
 * for the first one's row and then sees the lease (READ COMMITTED
 * re-checks the WHERE on the new row).
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_ops.h"
#include "store/sql_row.h"

/* ---- reports ---- */

#define REPORT_SELECT                                                          \
	"SELECT id, org_id, name, resource, query, columns, description,"      \
	" builtin, created, updated FROM report WHERE TRUE"

static const char *const report_cols[] = {
	"i:id",	     "i:org_id",      "t:name",	   "t:resource", "t:query",
	"j:columns", "t:description", "b:builtin", "t:created",	 "t:updated",
	NULL};

json_t *sql_report_list(struct store *st, const int64_t *org_ids, int norgs)
{
	struct db_stmt *s;

	if (!org_ids)
		return sql_rows(db_stmt(st, REPORT_SELECT " ORDER BY name, id"),
				report_cols);
	s = db_stmt(st, REPORT_SELECT " AND " DB_IN_JSON_IDS(
				"org_id", "?1") " ORDER BY name, id");
	if (!s)
		return NULL;
	sql_bind_ids(s, 1, org_ids, norgs);
	return sql_rows(s, report_cols);
}

/* The first row of s, *found 1 or 0 (an error, logged, is 0 too). */
static json_t *sched_one(struct db_stmt *s, const char *const *cols, int *found)
{
	int f;
	json_t *row = sql_row_first(s, cols, &f);

	if (found)
		*found = f > 0;
	return row;
}

json_t *sql_report_get(struct store *st, int64_t id, int *found)
{
	struct db_stmt *s = db_stmt(st, REPORT_SELECT " AND id = ?1");

	if (s)
		db_bind_int64(s, 1, id);
	return sched_one(s, report_cols, found);
}

json_t *sql_report_find(struct store *st, const char *key,
			const int64_t *org_ids, int norgs, int *found)
{
	struct db_stmt *s;

	if (org_ids)
		s = db_stmt(st, REPORT_SELECT
			    " AND (CAST(id AS TEXT) = ?1 OR name = ?1) "
			    "AND " DB_IN_JSON_IDS("org_id",
						  "?2") " ORDER BY id LIMIT 1");
	else
		s = db_stmt(st, REPORT_SELECT
			    " AND (CAST(id AS TEXT) = ?1 OR name = ?1)"
			    " ORDER BY id LIMIT 1");
	if (s) {
		db_bind_text(s, 1, key);
		if (org_ids)
			sql_bind_ids(s, 2, org_ids, norgs);
	}
	return sched_one(s, report_cols, found);
}

static const char *sched_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Steps an INSERT ... ON CONFLICT DO NOTHING RETURNING id: 0 with *id, or
 * -1 with *dup = 1 when the row was there already (nothing logged). */
static int sched_insert(struct db_stmt *s, int64_t *id, int *dup)
{
	int rc;

	*dup = 0;
	if (!s)
		return -1;
	rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_int64(s, 0);
	if (rc >= 0)
		db_reset(s);
	if (rc == DB_DONE)
		*dup = 1;
	return rc == DB_ROW ? 0 : -1;
}

int sql_report_add(struct store *st, json_t *rep, int64_t *id, int *dup)
{
	struct db_stmt *s =
		db_stmt(st, "INSERT INTO report (org_id, name, resource, query,"
			    " columns, description, builtin, created, updated)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)"
			    " ON CONFLICT DO NOTHING RETURNING id");
	json_t *cols = json_object_get(rep, "columns");
	char now[20];

	util_now(now);
	if (s) {
		db_bind_int64(
			s, 1,
			json_integer_value(json_object_get(rep, "org_id")));
		db_bind_text(s, 2, sched_str(rep, "name"));
		db_bind_text(s, 3, sched_str(rep, "resource"));
		db_bind_text(s, 4, sched_str(rep, "query"));
		db_bind_json(s, 5, json_is_array(cols) ? cols : NULL);
		db_bind_text(s, 6, sched_str(rep, "description"));
		db_bind_text(s, 7, now);
	}
	return sched_insert(s, id, dup);
}

int sql_report_delete(struct store *st, int64_t id)
{
	return sql_exec_id(st, "DELETE FROM report WHERE id = ?1", id);
}

/* ---- tasks ---- */

#define TASK_SELECT                                                            \
	"SELECT id, org_id, name, type, schedule, enabled, options, last_run," \
	" next_run, last_status, last_result, runs, created, updated"          \
	" FROM task WHERE TRUE"

static const char *const task_cols[] = {
	"i:id",		 "i:org_id",	  "t:name",
	"t:type",	 "t:schedule",	  "b:enabled",
	"j:options",	 "t:last_run",	  "t:next_run",
	"t:last_status", "t:last_result", "i:runs",
	"t:created",	 "t:updated",	  NULL};

json_t *sql_task_list(struct store *st, const int64_t *org_ids, int norgs)
{
	struct db_stmt *s;

	if (!org_ids)
		return sql_rows(db_stmt(st, TASK_SELECT " ORDER BY id"),
				task_cols);
	s = db_stmt(st, TASK_SELECT
		    " AND " DB_IN_JSON_IDS("org_id", "?1") " ORDER BY id");
	if (!s)
		return NULL;
	sql_bind_ids(s, 1, org_ids, norgs);
	return sql_rows(s, task_cols);
}

json_t *sql_task_get(struct store *st, int64_t id, int *found)
{
	struct db_stmt *s = db_stmt(st, TASK_SELECT " AND id = ?1");

	if (s)
		db_bind_int64(s, 1, id);
	return sched_one(s, task_cols, found);
}

/* Binds name, schedule, enabled, options and next_run of task at first..
 * first+4. */
static void task_bind(struct db_stmt *s, int first, json_t *task)
{
	json_t *opts = json_object_get(task, "options");

	db_bind_text(s, first, sched_str(task, "name"));
	db_bind_text(s, first + 1, sched_str(task, "schedule"));
	db_bind_int64(s, first + 2,
		      json_is_true(json_object_get(task, "enabled")));
	if (opts)
		db_bind_json(s, first + 3, opts);
	else
		db_bind_text(s, first + 3, "{}");
	db_bind_text(s, first + 4, sched_str(task, "next_run"));
}

int sql_task_add(struct store *st, json_t *task, int64_t *id, int *dup)
{
	struct db_stmt *s = db_stmt(
		st, "INSERT INTO task (org_id, type, name, schedule, enabled,"
		    " options, next_run, created, updated)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
		    " ON CONFLICT DO NOTHING RETURNING id");
	char now[20];

	util_now(now);
	if (s) {
		db_bind_int64(
			s, 1,
			json_integer_value(json_object_get(task, "org_id")));
		db_bind_text(s, 2, sched_str(task, "type"));
		task_bind(s, 3, task);
		db_bind_text(s, 8, now);
	}
	return sched_insert(s, id, dup);
}

int sql_task_update(struct store *st, int64_t id, json_t *task, int *dup)
{
	struct db_stmt *s;
	int64_t taken = 0;
	char now[20];

	*dup = 0;
	s = db_stmt(st, "SELECT count(*) FROM task WHERE name = ?1"
			" AND id <> ?2");
	if (!s)
		return -1;
	db_bind_text(s, 1, sched_str(task, "name"));
	db_bind_int64(s, 2, id);
	if (sql_scalar(s, &taken) < 0)
		return -1;
	if (taken) {
		*dup = 1;
		return -1;
	}
	s = db_stmt(st, "UPDATE task SET name = ?2, schedule = ?3,"
			" enabled = ?4, options = ?5, next_run = ?6,"
			" updated = ?7 WHERE id = ?1");
	if (!s)
		return -1;
	util_now(now);
	db_bind_int64(s, 1, id);
	task_bind(s, 2, task);
	db_bind_text(s, 7, now);
	return db_exec(s);
}

int sql_task_delete(struct store *st, int64_t id)
{
	return sql_exec_id(st, "DELETE FROM task WHERE id = ?1", id);
}

json_t *sql_task_due(struct store *st, const char *now)
{
	struct db_stmt *s = db_stmt(st, TASK_SELECT
				    " AND enabled = 1 AND (next_run IS NULL OR"
				    " next_run <= ?1) ORDER BY next_run, id");

	if (!s)
		return NULL;
	db_bind_text(s, 1, now);
	return sql_rows(s, task_cols);
}

int sql_task_finish(struct store *st, int64_t id, const char *last_run,
		    const char *status, const char *result,
		    const char *next_run)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE task SET last_run = ?2, last_status = ?3,"
		    " last_result = ?4, next_run = ?5, runs = runs + 1,"
		    " lease_owner = NULL, lease_until = NULL WHERE id = ?1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, last_run);
	db_bind_text(s, 3, status);
	db_bind_text(s, 4, result);
	db_bind_text(s, 5, next_run);
	return db_exec(s);
}

int sql_task_claim(struct store *st, int64_t id, const char *now, int lease_s)
{
	struct db_stmt *s =
		db_stmt(st, "UPDATE task SET lease_owner = ?2, lease_until = ?3"
			    " WHERE id = ?1 AND enabled = 1"
			    " AND next_run IS NOT NULL AND next_run <= ?4"
			    " AND (lease_until IS NULL OR lease_until < ?5)"
			    " RETURNING id");
	char until[20], lease_now[20];
	int rc;

	if (!s)
		return -1;
	store_lease_time(0, lease_now);
	store_lease_time(lease_s, until);
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, store_lease_owner());
	db_bind_text(s, 3, until);
	db_bind_text(s, 4, now);
	db_bind_text(s, 5, lease_now);
	rc = db_step(s);
	if (rc < 0)
		return -1;
	db_reset(s);
	return rc == DB_ROW;
}

int sql_task_set_next(struct store *st, int64_t id, const char *next_run)
{
	struct db_stmt *s =
		db_stmt(st, "UPDATE task SET next_run = ?2 WHERE id = ?1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, next_run);
	return db_exec(s);
}

/* ---- users from a directory ---- */

char *sql_user_source(struct store *st, const char *name)
{
	struct db_stmt *s =
		db_stmt(st, "SELECT source FROM \"user\" WHERE name = ?1");
	char *out = NULL;
	int rc;

	if (!s)
		return NULL;
	db_bind_text(s, 1, name);
	rc = db_step(s);
	if (rc == DB_ROW && db_text(s, 0))
		out = xstrdup(db_text(s, 0));
	if (rc >= 0)
		db_reset(s);
	return out;
}

int sql_user_external_put(struct store *st, const char *name,
			  const char *source, const char *role, int64_t org_id,
			  const char *full_name, const char *email,
			  int *conflict)
{
	char *have = sql_user_source(st, name);
	struct db_stmt *s;
	char now[20];

	*conflict = 0;
	if (have && strcmp(have, source)) {
		free(have);
		*conflict = 1;
		return -1;
	}
	if (have)
		s = db_stmt(st, "UPDATE \"user\" SET role = ?2, org_id = ?3,"
				" full_name = ?4, email = ?5, enabled = 1"
				" WHERE name = ?1 AND source = ?6");
	else
		s = db_stmt(st, "INSERT INTO \"user\" (name, role, org_id,"
				" password_hash, source, full_name, email,"
				" enabled, created) VALUES (?1, ?2, ?3, NULL,"
				" ?6, ?4, ?5, 1, ?7)");
	free(have);
	if (!s)
		return -1;
	util_now(now);
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, role);
	db_bind_int64(s, 3, org_id);
	db_bind_text(s, 4, full_name);
	db_bind_text(s, 5, email);
	db_bind_text(s, 6, source);
	db_bind_text(s, 7, now);
	return db_exec(s);
}

int sql_user_external_disable(struct store *st, const char *name,
			      const char *source)
{
	struct db_stmt *s = db_stmt(st, "UPDATE \"user\" SET enabled = 0"
					" WHERE name = ?1 AND source = ?2");

	if (!s)
		return -1;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, source);
	return db_exec(s);
}

/* ---- retention ---- */

/* The rows of a device's table that belong to the purge's orgs (?2: a
 * JSON array of org ids); without ?2, every row goes (rows that belong
 * to no org, like the audit row of a refused intake, too). */
#define PURGE_DEVICE_IN                                                        \
	" AND device_id IN (SELECT d.id FROM device d WHERE " DB_IN_JSON_IDS(  \
		"d.org_id", "?2") ")"
#define PURGE_RUNS                                                             \
	"DELETE FROM discovery_run WHERE state IN"                             \
	" ('done','failed','cancelled') AND finished < ?1"
#define PURGE_COMPONENTS                                                       \
	"DELETE FROM component WHERE current = 0 AND last_seen < ?1"
#define PURGE_CHANGES "DELETE FROM change_log WHERE time < ?1"
#define PURGE_AUDITS "DELETE FROM audit_log WHERE time < ?1"

int sql_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
	      int norgs, json_t **counts)
{
	static const struct {
		const char *name;
		const char *all, *scoped;
	} steps[] = {
		{"components", PURGE_COMPONENTS,
		 PURGE_COMPONENTS PURGE_DEVICE_IN},
		{"changes", PURGE_CHANGES, PURGE_CHANGES PURGE_DEVICE_IN},
		{"audits", PURGE_AUDITS, PURGE_AUDITS PURGE_DEVICE_IN},
		{"discovery_runs", PURGE_RUNS,
		 PURGE_RUNS " AND discovery_id IN (SELECT x.id FROM discovery"
			    " x WHERE " DB_IN_JSON_IDS("x.org_id", "?2") ")"},
	};
	struct db_stmt *s;
	size_t i;

	*counts = json_object();
	if (store_begin(st) < 0)
		goto fail;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		s = db_stmt(st, org_ids ? steps[i].scoped : steps[i].all);
		if (!s)
			goto rollback;
		db_bind_text(s, 1, cutoff);
		if (org_ids)
			sql_bind_ids(s, 2, org_ids, norgs);
		if (db_exec(s) < 0)
			goto rollback;
		json_object_set_new(*counts, steps[i].name,
				    json_integer(db_changes(s)));
	}
	if (store_commit(st) == 0)
		return 0;
	goto fail;
rollback:
	store_rollback(st);
fail:
	json_decref(*counts);
	*counts = NULL;
	return -1;
}
