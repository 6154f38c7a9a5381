/*
 * sqlite_discovery.c: discovery runs and the discovery log on SQLite
 * (tables discovery_run and discovery_log of migration 1).
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/store_discovery.h"

static int disc_step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database: %s: %s", what,
			sqlite3_errmsg(sqlite_of(st)->db));
		return -1;
	}
	return 0;
}

int sqlite_discovery_run_start(struct store *st, int64_t discovery_id,
			       int64_t total, int64_t *run_id)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "INSERT INTO discovery_run (discovery_id, state, started,"
		    " addresses_total) VALUES (?, 'running', ?, ?)");
	char now[20];

	if (!s)
		return -1;
	util_now(now);
	if (discovery_id > 0)
		sqlite3_bind_int64(s, 1, discovery_id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, total);
	if (disc_step_done(st, s, "cannot start a discovery run") < 0)
		return -1;
	*run_id = sqlite3_last_insert_rowid(sqlite_of(st)->db);
	return 0;
}

int sqlite_discovery_run_finish(struct store *st, int64_t run_id,
				const char *state,
				const struct store_discovery_counts *c,
				const char *message)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "UPDATE discovery_run SET state = ?, finished = ?,"
		    " addresses_total = ?, addresses_done = ?, alive = ?,"
		    " devices_stored = ?, message = ? WHERE id = ?");
	char now[20];

	if (!s)
		return -1;
	util_now(now);
	sqlite3_bind_text(s, 1, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, c->total);
	sqlite3_bind_int64(s, 4, c->done);
	sqlite3_bind_int64(s, 5, c->alive);
	sqlite3_bind_int64(s, 6, c->stored);
	if (message)
		sqlite3_bind_text(s, 7, message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 8, run_id);
	return disc_step_done(st, s, "cannot finish a discovery run");
}

int sqlite_discovery_log_add(struct store *st, int64_t run_id,
			     const struct store_discovery_log *rows, size_t n)
{
	sqlite3_stmt *s;
	char now[20];
	size_t i;

	if (n == 0)
		return 0;
	if (store_begin(st) < 0)
		return -1;
	s = sqlite_store_stmt(
		st, "INSERT INTO discovery_log (run_id, time, ip, stage,"
		    " outcome, duration_ms, message) VALUES (?,?,?,?,?,?,?)");
	if (!s)
		goto fail;
	util_now(now);
	for (i = 0; i < n; i++) {
		const struct store_discovery_log *r = &rows[i];

		sqlite3_clear_bindings(s);
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_text(s, 2, r->time ? r->time : now, -1,
				  SQLITE_TRANSIENT);
		if (r->ip)
			sqlite3_bind_text(s, 3, r->ip, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, r->stage, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, r->outcome, -1, SQLITE_TRANSIENT);
		if (r->duration_ms >= 0)
			sqlite3_bind_int64(s, 6, r->duration_ms);
		if (r->message)
			sqlite3_bind_text(s, 7, r->message, -1,
					  SQLITE_TRANSIENT);
		if (disc_step_done(st, s, "cannot write the discovery log") < 0)
			goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}

static json_t *disc_column(sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(s, i));
	case SQLITE_TEXT:
		return json_stringn((const char *)sqlite3_column_text(s, i),
				    (size_t)sqlite3_column_bytes(s, i));
	default:
		return json_null();
	}
}

static json_t *disc_rows(struct store *st, sqlite3_stmt *s)
{
	json_t *rows = json_array(), *o;
	int i, rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		o = json_object();
		for (i = 0; i < sqlite3_column_count(s); i++)
			json_object_set_new(o, sqlite3_column_name(s, i),
					    disc_column(s, i));
		json_array_append_new(rows, o);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database: cannot read the discovery log: %s",
			sqlite3_errmsg(sqlite_of(st)->db));
		json_decref(rows);
		return NULL;
	}
	return rows;
}

json_t *sqlite_discovery_run_list(struct store *st, int64_t limit)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "SELECT id, discovery_id, state, started, finished,"
		    " addresses_total, addresses_done, alive, devices_stored,"
		    " message FROM discovery_run ORDER BY id DESC LIMIT ?");

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
	return disc_rows(st, s);
}

json_t *sqlite_discovery_log_list(struct store *st, int64_t run_id)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "SELECT id, run_id, time, ip, stage, outcome, duration_ms,"
		    " message FROM discovery_log WHERE run_id = ? ORDER BY id");

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, run_id);
	return disc_rows(st, s);
}
