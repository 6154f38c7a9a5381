/*
 * sqlite_discoveries.c: store_discoveries.h on SQLite (tables discovery of
 * migration 1 and discovery_run of migration 3). options and credentials
 * are stored as JSON text and given back as JSON values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_api_int.h"
#include "store/store_discoveries.h"

#define DEF_COLS                                                               \
	"SELECT d.id, d.org_id, d.name, d.targets, d.exclude, d.options,"      \
	" d.credentials, d.collector_id AS collector, d.created, d.updated,"   \
	" r.id AS run_id,"                                                     \
	" r.state AS run_state, r.started AS run_started,"                     \
	" r.finished AS run_finished FROM discovery d LEFT JOIN"               \
	" discovery_run r ON r.id = (SELECT max(id) FROM discovery_run"        \
	" WHERE discovery_id = d.id) WHERE 1"

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

json_t *sqlite_discodef_list(struct store *st, const int64_t *org_ids,
			     int norgs)
{
	return sqlite_api_org_rows(st, DEF_COLS, "d.org_id", org_ids, norgs,
				   "d.name, d.id", def_shape);
}

json_t *sqlite_discodef_get(struct store *st, int64_t id, int *found)
{
	json_t *row = sqlite_api_row(st, DEF_COLS " AND d.id = ?",
				     json_pack("[I]", (json_int_t)id), found);

	if (row)
		def_shape(row);
	return row;
}

int sqlite_discodef_find(struct store *st, int64_t org_id, const char *name,
			 int64_t *id)
{
	json_t *params = json_pack("[Is]", (json_int_t)org_id, name);
	int rc = sqlite_api_scalar(
		st, "SELECT id FROM discovery WHERE org_id = ? AND name = ?",
		params, id);

	json_decref(params);
	return rc;
}

/* Member k of def as text to bind: JSON values are dumped, strings kept,
 * absent or null as def_text (may be NULL: a JSON null). */
static json_t *def_text(json_t *def, const char *k, const char *dflt)
{
	json_t *v = json_object_get(def, k);
	char *s;
	json_t *out;

	if (json_is_string(v))
		return json_incref(v);
	if (!v || json_is_null(v))
		return dflt ? json_string(dflt) : json_null();
	s = json_dumps(v, JSON_COMPACT);
	out = json_string(s ? s : dflt ? dflt : "");
	free(s);
	return out;
}

/* The collector a definition is assigned to: its id, or null. */
static json_t *def_collector(json_t *def)
{
	json_int_t c = json_integer_value(json_object_get(def, "collector"));

	return c > 0 ? json_integer(c) : json_null();
}

int sqlite_discodef_add(struct store *st, json_t *def, int64_t *id)
{
	char now[20];
	json_t *params;

	util_now(now);
	params = json_array();
	json_array_append(params, json_object_get(def, "org_id"));
	json_array_append_new(params, def_text(def, "name", ""));
	json_array_append_new(params, def_text(def, "targets", ""));
	json_array_append_new(params, def_text(def, "exclude", NULL));
	json_array_append_new(params, def_text(def, "options", "{}"));
	json_array_append_new(params, def_text(def, "credentials", "[]"));
	json_array_append_new(params, def_collector(def));
	json_array_append_new(params, json_string(now));
	json_array_append_new(params, json_string(now));
	if (sqlite_api_exec(st,
			    "INSERT INTO discovery (org_id, name, targets,"
			    " exclude, options, credentials, collector_id,"
			    " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?,"
			    " ?, ?)",
			    params) < 0)
		return -1;
	return sqlite_api_scalar(st, "SELECT last_insert_rowid()", NULL, id);
}

int sqlite_discodef_update(struct store *st, int64_t id, json_t *def)
{
	static const char *const cols[] = {"name",    "targets",     "exclude",
					   "options", "credentials", NULL};
	static const char *const dflt[] = {"", "", NULL, "{}", "[]"};
	json_t *params = json_array();
	struct strbuf sb;
	char now[20];
	int i, rc;

	util_now(now);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE discovery SET updated = ?");
	json_array_append_new(params, json_string(now));
	for (i = 0; cols[i]; i++) {
		if (!json_object_get(def, cols[i]))
			continue;
		strbuf_printf(&sb, ", %s = ?", cols[i]);
		json_array_append_new(params, def_text(def, cols[i], dflt[i]));
	}
	if (json_object_get(def, "collector")) {
		strbuf_puts(&sb, ", collector_id = ?");
		json_array_append_new(params, def_collector(def));
	}
	strbuf_puts(&sb, " WHERE id = ?");
	json_array_append_new(params, json_integer(id));
	rc = sqlite_api_exec(st, sb.data, params);
	strbuf_free(&sb);
	return rc;
}

int sqlite_discodef_delete(struct store *st, int64_t id)
{
	return sqlite_api_exec(st, "DELETE FROM discovery WHERE id = ?",
			       json_pack("[I]", (json_int_t)id));
}

/* ---- runs ---- */

int sqlite_discorun_queue(struct store *st, int64_t discovery_id,
			  int64_t *run_id)
{
	char now[20];

	util_now(now);
	if (sqlite_api_exec(st,
			    "INSERT INTO discovery_run (discovery_id, state,"
			    " queued, collector_id) SELECT id, 'queued', ?,"
			    " collector_id FROM discovery WHERE id = ?",
			    json_pack("[sI]", now, (json_int_t)discovery_id)) <
	    0)
		return -1;
	return sqlite_api_scalar(st, "SELECT last_insert_rowid()", NULL,
				 run_id);
}

int sqlite_discorun_active(struct store *st, int64_t discovery_id,
			   int64_t *run_id)
{
	json_t *params = json_pack("[I]", (json_int_t)discovery_id);
	int rc = sqlite_api_scalar(
		st,
		"SELECT id FROM discovery_run WHERE discovery_id = ?"
		" AND state IN ('queued','running') ORDER BY id LIMIT 1",
		params, run_id);

	json_decref(params);
	return rc;
}

int sqlite_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
			  int64_t *discovery_id)
{
	char now[20], until[20];
	json_t *row;
	int found = 0;

	*run_id = *discovery_id = 0;
	util_now(now);
	store_lease_time(lease_s, until);
	/* one statement: no other connection comes between finding the
	 * run and taking it (SQLite 3.35's RETURNING) */
	row = sqlite_api_row(
		st,
		"UPDATE discovery_run SET state = 'running',"
		" started = ?1, lease_owner = ?2, lease_until = ?3"
		" WHERE id = (SELECT id FROM discovery_run"
		"  WHERE state = 'queued' AND collector_id IS NULL"
		"  ORDER BY id LIMIT 1)"
		" RETURNING id, discovery_id",
		json_pack("[sss]", now, store_lease_owner(), until), &found);
	if (!row)
		return found ? -1 : 0;
	*run_id = json_integer_value(json_object_get(row, "id"));
	*discovery_id =
		json_integer_value(json_object_get(row, "discovery_id"));
	json_decref(row);
	return 0;
}

int sqlite_discorun_renew(struct store *st, int64_t run_id, int lease_s)
{
	char until[20];

	store_lease_time(lease_s, until);
	return sqlite_api_exec(st,
			       "UPDATE discovery_run SET lease_until = ?1"
			       " WHERE id = ?2 AND lease_owner = ?3"
			       " AND state = 'running'",
			       json_pack("[sIs]", until, (json_int_t)run_id,
					 store_lease_owner()));
}

int sqlite_discorun_claim_for(struct store *st, int64_t collector_id,
			      int64_t *run_id, int64_t *discovery_id)
{
	json_t *row;
	char now[20];
	int found = 0;

	*run_id = *discovery_id = 0;
	if (store_begin(st) < 0)
		return -1;
	row = sqlite_api_row(st,
			     "SELECT id, discovery_id FROM discovery_run"
			     " WHERE state = 'queued' AND"
			     " coalesce(collector_id, 0) = ?"
			     " ORDER BY id LIMIT 1",
			     json_pack("[I]", (json_int_t)collector_id),
			     &found);
	if (!row) {
		store_rollback(st);
		return found ? -1 : 0;
	}
	util_now(now);
	*run_id = json_integer_value(json_object_get(row, "id"));
	*discovery_id =
		json_integer_value(json_object_get(row, "discovery_id"));
	json_decref(row);
	if (sqlite_api_exec(st,
			    "UPDATE discovery_run SET state = 'running',"
			    " started = ? WHERE id = ?",
			    json_pack("[sI]", now, (json_int_t)*run_id)) < 0 ||
	    store_commit(st) < 0) {
		store_rollback(st);
		*run_id = *discovery_id = 0;
		return -1;
	}
	return 0;
}

int sqlite_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			     int64_t done, int64_t alive, int64_t packets)
{
	return sqlite_api_exec(
		st,
		"UPDATE discovery_run SET addresses_total = ?,"
		" addresses_done = ?, alive = ?, packets = ? WHERE id = ?"
		" AND state = 'running'",
		json_pack("[IIIII]", (json_int_t)total, (json_int_t)done,
			  (json_int_t)alive, (json_int_t)packets,
			  (json_int_t)run_id));
}

int sqlite_discorun_interrupt_all(struct store *st, int64_t *n)
{
	char now[20], lease_now[20];
	json_t *params;
	int rc;

	util_now(now);
	store_lease_time(0, lease_now);
	*n = 0;
	/* read first: the usual answer is none, and a read takes no lock */
	params = json_pack("[ss]", lease_now, store_lease_owner());
	rc = sqlite_api_scalar(
		st,
		"SELECT count(*) FROM discovery_run"
		" WHERE state = 'running' AND collector_id IS NULL"
		" AND (lease_until IS NULL OR lease_until < ?1)"
		" AND lease_owner IS NOT ?2",
		params, n);
	json_decref(params);
	if (rc < 0)
		return -1;
	if (!*n)
		return 0;
	return sqlite_api_exec(
		st,
		"UPDATE discovery_run SET state = 'interrupted', finished = ?1,"
		" message = 'interrupted: the server running it stopped (its"
		" lease ran out); what it stored is kept' WHERE state ="
		" 'running' AND collector_id IS NULL"
		" AND (lease_until IS NULL OR lease_until < ?2)"
		" AND lease_owner IS NOT ?3",
		json_pack("[sss]", now, lease_now, store_lease_owner()));
}

int sqlite_discorun_mark(struct store *st, int64_t run_id, const char *state,
			 const char *message)
{
	return sqlite_api_exec(
		st,
		"UPDATE discovery_run SET state = ?, message = ?"
		" WHERE id = ?",
		json_pack("[ssI]", state, message, (json_int_t)run_id));
}

int sqlite_discorun_cancel_queued(struct store *st, int64_t run_id,
				  int *changed)
{
	char now[20];
	int64_t n = 0;
	json_t *params = json_pack("[I]", (json_int_t)run_id);

	util_now(now);
	*changed = 0;
	if (sqlite_api_scalar(st,
			      "SELECT count(*) FROM discovery_run WHERE id = ?"
			      " AND state = 'queued'",
			      params, &n) < 0) {
		json_decref(params);
		return -1;
	}
	json_decref(params);
	if (!n)
		return 0;
	*changed = 1;
	return sqlite_api_exec(st,
			       "UPDATE discovery_run SET state = 'cancelled',"
			       " finished = ?, message = 'cancelled before it"
			       " started' WHERE id = ? AND state = 'queued'",
			       json_pack("[sI]", now, (json_int_t)run_id));
}

int sqlite_discorun_state(struct store *st, int64_t run_id,
			  int64_t *discovery_id, char state[16])
{
	int found = 0;
	json_t *row =
		sqlite_api_row(st,
			       "SELECT discovery_id, state FROM"
			       " discovery_run WHERE id = ?",
			       json_pack("[I]", (json_int_t)run_id), &found);

	state[0] = '\0';
	*discovery_id = 0;
	if (!row)
		return found ? -1 : 0;
	*discovery_id =
		json_integer_value(json_object_get(row, "discovery_id"));
	snprintf(state, 16, "%s",
		 json_string_value(json_object_get(row, "state")));
	json_decref(row);
	return 0;
}

json_t *sqlite_discorun_stages(struct store *st, int64_t run_id)
{
	json_t *params = json_pack("[I]", (json_int_t)run_id);
	json_t *rows = sqlite_api_rows(
		st,
		"SELECT stage, outcome, count(*) AS n FROM discovery_log"
		" WHERE run_id = ? GROUP BY stage, outcome ORDER BY stage,"
		" outcome",
		params);
	json_t *out, *r;
	size_t i;

	json_decref(params);
	if (!rows)
		return NULL;
	out = json_object();
	json_array_foreach(rows, i, r) {
		const char *stage =
			json_string_value(json_object_get(r, "stage"));
		json_t *o = json_object_get(out, stage);

		if (!o) {
			o = json_object();
			json_object_set_new(out, stage, o);
		}
		json_object_set(
			o, json_string_value(json_object_get(r, "outcome")),
			json_object_get(r, "n"));
	}
	json_decref(rows);
	return out;
}

json_t *sqlite_discorun_count_states(struct store *st)
{
	json_t *rows = sqlite_api_rows(
		st,
		"SELECT state, count(*) AS n FROM discovery_run GROUP BY"
		" state",
		NULL);
	json_t *out, *r;
	size_t i;

	if (!rows)
		return NULL;
	out = json_object();
	json_array_foreach(rows, i, r)
		json_object_set(out,
				json_string_value(json_object_get(r, "state")),
				json_object_get(r, "n"));
	json_decref(rows);
	return out;
}
