/*
 * sql_discovery.c: discovery runs started outside the queue (`netcensus
 * discover --db`, the runner) and the discovery log (store_discovery.h),
 * written once for every SQL engine with the statement helper (db.h).
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_ops.h"
#include "store/sql_row.h"

/* A LIMIT of "no limit" both engines accept. */
#define DISC_NO_LIMIT INT64_MAX

int sql_discovery_run_start(struct store *st, int64_t discovery_id,
			    int64_t total, int64_t *run_id)
{
	struct db_stmt *s = db_stmt(
		st, "INSERT INTO discovery_run (discovery_id, state, started,"
		    " addresses_total) VALUES (?1, 'running', ?2, ?3)"
		    " RETURNING id");
	char now[20];
	int rc;

	if (!s)
		return -1;
	util_now(now);
	if (discovery_id > 0)
		db_bind_int64(s, 1, discovery_id);
	else
		db_bind_null(s, 1);
	db_bind_text(s, 2, now);
	db_bind_int64(s, 3, total);
	rc = db_step(s);
	if (rc == DB_ROW)
		*run_id = db_int64(s, 0);
	if (rc >= 0)
		db_reset(s);
	if (rc != DB_ROW)
		log_err("database: cannot start a discovery run");
	return rc == DB_ROW ? 0 : -1;
}

int sql_discovery_run_finish(struct store *st, int64_t run_id,
			     const char *state,
			     const struct store_discovery_counts *c,
			     const char *message)
{
	struct db_stmt *s = db_stmt(
		st, "UPDATE discovery_run SET state = ?1, finished = ?2,"
		    " addresses_total = ?3, addresses_done = ?4, alive = ?5,"
		    " devices_stored = ?6, message = ?7 WHERE id = ?8");
	char now[20];

	if (!s)
		return -1;
	util_now(now);
	db_bind_text(s, 1, state);
	db_bind_text(s, 2, now);
	db_bind_int64(s, 3, c->total);
	db_bind_int64(s, 4, c->done);
	db_bind_int64(s, 5, c->alive);
	db_bind_int64(s, 6, c->stored);
	db_bind_text(s, 7, message);
	db_bind_int64(s, 8, run_id);
	return db_exec(s);
}

int sql_discovery_log_add(struct store *st, int64_t run_id,
			  const struct store_discovery_log *rows, size_t n)
{
	struct db_stmt *s;
	char now[20];
	size_t i;

	if (n == 0)
		return 0;
	/* rows added, nothing read: no key to hold, nobody to wait for but
	 * a transaction holding the whole write turn */
	if (store_begin_keyed(st, NULL, 0, NULL, 0) < 0)
		return -1;
	util_now(now);
	for (i = 0; i < n; i++) {
		const struct store_discovery_log *r = &rows[i];

		s = db_stmt(st, "INSERT INTO discovery_log (run_id, time, ip,"
				" stage, outcome, duration_ms, message)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
		if (!s)
			goto fail;
		db_bind_int64(s, 1, run_id);
		db_bind_text(s, 2, r->time ? r->time : now);
		db_bind_text(s, 3, r->ip);
		db_bind_text(s, 4, r->stage);
		db_bind_text(s, 5, r->outcome);
		if (r->duration_ms >= 0)
			db_bind_int64(s, 6, r->duration_ms);
		else
			db_bind_null(s, 6);
		db_bind_text(s, 7, r->message);
		if (db_exec(s) < 0) {
			log_err("database: cannot write the discovery log");
			goto fail;
		}
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}

json_t *sql_discovery_run_list(struct store *st, int64_t limit)
{
	static const char *const cols[] = {"i:id",
					   "i:discovery_id",
					   "t:state",
					   "t:started",
					   "t:finished",
					   "i:addresses_total",
					   "i:addresses_done",
					   "i:alive",
					   "i:devices_stored",
					   "t:message",
					   NULL};
	struct db_stmt *s = db_stmt(
		st, "SELECT id, discovery_id, state, started, finished,"
		    " addresses_total, addresses_done, alive, devices_stored,"
		    " message FROM discovery_run ORDER BY id DESC LIMIT ?1");

	if (!s)
		return NULL;
	db_bind_int64(s, 1, limit > 0 ? limit : DISC_NO_LIMIT);
	return sql_rows(s, cols);
}

json_t *sql_discovery_log_list(struct store *st, int64_t run_id)
{
	static const char *const cols[] = {
		"i:id",	     "i:run_id",      "t:time",	   "t:ip", "t:stage",
		"t:outcome", "i:duration_ms", "t:message", NULL};
	struct db_stmt *s = db_stmt(
		st,
		"SELECT id, run_id, time, ip, stage, outcome, duration_ms,"
		" message FROM discovery_log WHERE run_id = ?1 ORDER BY id");

	if (!s)
		return NULL;
	db_bind_int64(s, 1, run_id);
	return sql_rows(s, cols);
}
