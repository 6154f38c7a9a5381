/*
 * sqlite_sched.c: reports, tasks, settings, directory auth sources, users
 * that come from a directory, and retention (store_sched.h) on SQLite.
 *
 * Statements take their values through sch_bind()'s small format string
 * ('t' text or NULL, 'i' 64-bit integer), so no value ever reaches SQL
 * text. JSON columns (options, columns, config) are decoded on the way
 * out; secret columns never leave this file except through the two
 * functions that decrypt one field for the code that needs it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/secret.h"
#include "store/sqlite_api_int.h"
#include "store/sqlite_int.h"
#include "store/store_sched.h"

/* Binds the variadic values described by fmt to s. */
static void sch_bindv(sqlite3_stmt *s, const char *fmt, va_list ap)
{
	int i;

	for (i = 0; fmt[i]; i++) {
		if (fmt[i] == 'i') {
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
		} else {
			const char *t = va_arg(ap, const char *);

			if (t)
				sqlite3_bind_text(s, i + 1, t, -1,
						  SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(s, i + 1);
		}
	}
}

static sqlite3_stmt *sch_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(sqlite_of(st)->db, sql, -1, &s, NULL) !=
	    SQLITE_OK) {
		log_err("database: cannot prepare '%.60s...': %s", sql,
			sqlite3_errmsg(sqlite_of(st)->db));
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* Runs a statement that returns no rows. 0, or -1 (*constraint = 1 when
 * a UNIQUE or CHECK constraint refused it, then not logged). */
static int sch_exec(struct store *st, int *constraint, const char *sql,
		    const char *fmt, ...)
{
	sqlite3_stmt *s = sch_prepare(st, sql);
	va_list ap;
	int rc;

	if (constraint)
		*constraint = 0;
	if (!s)
		return -1;
	va_start(ap, fmt);
	sch_bindv(s, fmt, ap);
	va_end(ap);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (constraint && (rc & 0xff) == SQLITE_CONSTRAINT) {
		*constraint = 1;
		return -1;
	}
	log_err("database: %s (in '%.60s...')",
		sqlite3_errmsg(sqlite_of(st)->db), sql);
	return -1;
}

static json_t *sch_column(sqlite3_stmt *s, int i)
{
	const char *name = sqlite3_column_name(s, i);
	const char *text;
	json_t *j;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		if (!strcmp(name, "enabled") || !strcmp(name, "builtin"))
			return json_boolean(sqlite3_column_int64(s, i));
		return json_integer(sqlite3_column_int64(s, i));
	case SQLITE_TEXT:
		text = (const char *)sqlite3_column_text(s, i);
		if (!strcmp(name, "options") || !strcmp(name, "columns") ||
		    !strcmp(name, "config")) {
			j = json_loads(text, 0, NULL);
			if (j)
				return j;
		}
		j = json_string(text);
		return j ? j : json_null();
	default:
		return json_null();
	}
}

/* Rows of a query as objects named by column; NULL on error. */
static json_t *sch_rows(struct store *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *s = sch_prepare(st, sql);
	json_t *rows;
	va_list ap;
	int rc, i;

	if (!s)
		return NULL;
	va_start(ap, fmt);
	sch_bindv(s, fmt, ap);
	va_end(ap);
	rows = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (i = 0; i < sqlite3_column_count(s); i++)
			json_object_set_new(o, sqlite3_column_name(s, i),
					    sch_column(s, i));
		json_array_append_new(rows, o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("database: %s (in '%.60s...')",
			sqlite3_errmsg(sqlite_of(st)->db), sql);
		json_decref(rows);
		return NULL;
	}
	return rows;
}

/* The first row of rows (a new reference) or NULL with *found = 0. */
static json_t *sch_one(json_t *rows, int *found)
{
	json_t *r = rows ? json_array_get(rows, 0) : NULL;

	if (found)
		*found = r != NULL;
	json_incref(r);
	json_decref(rows);
	return r;
}

/* " AND org_id IN (1,2,3)" for an org list (ids are integers we hold,
 * never request text); "" for every org. */
static char *sch_org_clause(const char *col, const int64_t *org_ids, int norgs)
{
	struct strbuf sb;
	int i;

	if (!org_ids)
		return xstrdup("");
	strbuf_init(&sb, 0);
	strbuf_printf(&sb, " AND %s IN (", col);
	for (i = 0; i < norgs; i++)
		strbuf_printf(&sb, "%s%lld", i ? "," : "",
			      (long long)org_ids[i]);
	strbuf_puts(&sb, norgs ? ")" : "NULL)");
	return sb.data;
}

static char *sch_dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	return s;
}

/* ---- reports ---- */

#define REPORT_COLS                                                            \
	"SELECT id, org_id, name, resource, query, columns, description,"      \
	" builtin, created, updated FROM report WHERE 1"

json_t *sqlite_report_list(struct store *st, const int64_t *org_ids, int norgs)
{
	char *org = sch_org_clause("org_id", org_ids, norgs);
	char *sql = xasprintf(REPORT_COLS "%s ORDER BY name, id", org);
	json_t *rows = sch_rows(st, sql, "");

	free(sql);
	free(org);
	return rows;
}

json_t *sqlite_report_get(struct store *st, int64_t id, int *found)
{
	return sch_one(sch_rows(st, REPORT_COLS " AND id = ?1", "i", id),
		       found);
}

json_t *sqlite_report_find(struct store *st, const char *key,
			   const int64_t *org_ids, int norgs, int *found)
{
	char *org = sch_org_clause("org_id", org_ids, norgs);
	char *sql = xasprintf(REPORT_COLS " AND (CAST(id AS TEXT) = ?1 OR"
					  " name = ?1)%s ORDER BY id LIMIT 1",
			      org);
	json_t *r = sch_one(sch_rows(st, sql, "t", key), found);

	free(sql);
	free(org);
	return r;
}

int sqlite_report_add(struct store *st, json_t *rep, int64_t *id, int *dup)
{
	char now[20];
	char *cols = sch_dump(json_object_get(rep, "columns"));
	int rc;

	util_now(now);
	rc = sch_exec(
		st, dup,
		"INSERT INTO report (org_id, name, resource, query,"
		" columns, description, builtin, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)",
		"itttttt",
		(int64_t)json_integer_value(json_object_get(rep, "org_id")),
		json_string_value(json_object_get(rep, "name")),
		json_string_value(json_object_get(rep, "resource")),
		json_string_value(json_object_get(rep, "query")),
		json_is_array(json_object_get(rep, "columns")) ? cols : NULL,
		json_string_value(json_object_get(rep, "description")), now);
	free(cols);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(sqlite_of(st)->db);
	return rc;
}

int sqlite_report_delete(struct store *st, int64_t id)
{
	return sch_exec(st, NULL, "DELETE FROM report WHERE id = ?1", "i", id);
}

/* ---- tasks ---- */

#define TASK_COLS                                                              \
	"SELECT id, org_id, name, type, schedule, enabled, options, last_run," \
	" next_run, last_status, last_result, runs, created, updated"          \
	" FROM task WHERE 1"

json_t *sqlite_task_list(struct store *st, const int64_t *org_ids, int norgs)
{
	char *org = sch_org_clause("org_id", org_ids, norgs);
	char *sql = xasprintf(TASK_COLS "%s ORDER BY id", org);
	json_t *rows = sch_rows(st, sql, "");

	free(sql);
	free(org);
	return rows;
}

json_t *sqlite_task_get(struct store *st, int64_t id, int *found)
{
	return sch_one(sch_rows(st, TASK_COLS " AND id = ?1", "i", id), found);
}

static const char *sch_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int sqlite_task_add(struct store *st, json_t *task, int64_t *id, int *dup)
{
	char now[20];
	char *opts = sch_dump(json_object_get(task, "options"));
	int rc;

	util_now(now);
	rc = sch_exec(
		st, dup,
		"INSERT INTO task (org_id, name, type, schedule, enabled,"
		" options, next_run, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
		"itttittt",
		(int64_t)json_integer_value(json_object_get(task, "org_id")),
		sch_str(task, "name"), sch_str(task, "type"),
		sch_str(task, "schedule"),
		(int64_t)json_is_true(json_object_get(task, "enabled")),
		opts ? opts : "{}", sch_str(task, "next_run"), now);
	free(opts);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(sqlite_of(st)->db);
	return rc;
}

int sqlite_task_update(struct store *st, int64_t id, json_t *task, int *dup)
{
	char now[20];
	char *opts = sch_dump(json_object_get(task, "options"));
	int rc;

	util_now(now);
	rc = sch_exec(st, dup,
		      "UPDATE task SET name = ?2, schedule = ?3, enabled = ?4,"
		      " options = ?5, next_run = ?6, updated = ?7"
		      " WHERE id = ?1",
		      "ittittt", id, sch_str(task, "name"),
		      sch_str(task, "schedule"),
		      (int64_t)json_is_true(json_object_get(task, "enabled")),
		      opts ? opts : "{}", sch_str(task, "next_run"), now);
	free(opts);
	return rc;
}

int sqlite_task_delete(struct store *st, int64_t id)
{
	return sch_exec(st, NULL, "DELETE FROM task WHERE id = ?1", "i", id);
}

json_t *sqlite_task_due(struct store *st, const char *now)
{
	return sch_rows(st,
			TASK_COLS " AND enabled = 1 AND (next_run IS NULL OR"
				  " next_run <= ?1) ORDER BY next_run, id",
			"t", now);
}

int sqlite_task_finish(struct store *st, int64_t id, const char *last_run,
		       const char *status, const char *result,
		       const char *next_run)
{
	return sch_exec(st, NULL,
			"UPDATE task SET last_run = ?2, last_status = ?3,"
			" last_result = ?4, next_run = ?5, runs = runs + 1,"
			" lease_owner = NULL, lease_until = NULL"
			" WHERE id = ?1",
			"itttt", id, last_run, status, result, next_run);
}

int sqlite_task_claim(struct store *st, int64_t id, const char *now,
		      int lease_s)
{
	char until[20], lease_now[20];
	json_t *row;
	int found = 0;

	store_lease_time(0, lease_now);
	store_lease_time(lease_s, until);
	row = sqlite_api_row(
		st,
		"UPDATE task SET lease_owner = ?2, lease_until = ?3"
		" WHERE id = ?1 AND enabled = 1"
		" AND next_run IS NOT NULL AND next_run <= ?4"
		" AND (lease_until IS NULL OR lease_until < ?5)"
		" RETURNING id",
		json_pack("[Issss]", (json_int_t)id, store_lease_owner(), until,
			  now, lease_now),
		&found);
	if (!row)
		return found ? -1 : 0;
	json_decref(row);
	return 1;
}

int sqlite_task_set_next(struct store *st, int64_t id, const char *next_run)
{
	return sch_exec(st, NULL, "UPDATE task SET next_run = ?2 WHERE id = ?1",
			"it", id, next_run);
}

/* ---- secrets in a JSON column ---- */

/* Encrypts the string field of value into secrets (removing it from
 * value); "" removes the stored one. 0 or -1. */
static int sch_seal(struct store *st, json_t *value, json_t *secrets,
		    const char *field)
{
	json_t *v = json_object_get(value, field);
	struct secret_key *key;
	char *sealed;

	if (!v)
		return 0;
	if (!json_is_string(v) || !*json_string_value(v)) {
		json_object_del(secrets, field);
		json_object_del(value, field);
		return 0;
	}
	key = sqlite_store_key(st);
	sealed = key ? secret_encrypt(key, json_string_value(v)) : NULL;
	if (!sealed)
		return -1;
	json_object_set_new(secrets, field, json_string(sealed));
	free(sealed);
	json_object_del(value, field);
	return 0;
}

static char *sch_open(struct store *st, const char *secrets_text,
		      const char *field, const char *what)
{
	json_t *secrets =
		json_loads(secrets_text ? secrets_text : "{}", 0, NULL);
	const char *c = json_string_value(json_object_get(secrets, field));
	struct secret_key *key;
	char *plain = NULL;

	if (c && (key = sqlite_store_key(st)))
		plain = secret_decrypt(key, c);
	if (c && !plain)
		log_err("%s: the stored %s cannot be decrypted (key file "
			"changed?); enter it again",
			what, field);
	json_decref(secrets);
	return plain;
}

/* The secrets column text of a row, or NULL (free()). */
static char *sch_secrets_text(struct store *st, const char *sql,
			      const char *fmt, const char *key_s, int64_t key_i)
{
	json_t *rows = fmt[0] == 'i' ? sch_rows(st, sql, fmt, key_i)
				     : sch_rows(st, sql, fmt, key_s);
	const char *t = json_string_value(
		json_object_get(json_array_get(rows, 0), "secrets"));
	char *out = t ? xstrdup(t) : NULL;

	json_decref(rows);
	return out;
}

/* Adds "<field>_set": true to o for each key of the secrets text. */
static void sch_mark_secrets(json_t *o, const char *secrets_text)
{
	json_t *secrets =
		json_loads(secrets_text ? secrets_text : "{}", 0, NULL);
	const char *k;
	json_t *v;
	char name[96];

	json_object_foreach(secrets, k, v) {
		snprintf(name, sizeof(name), "%s_set", k);
		json_object_set_new(o, name, json_true());
	}
	json_decref(secrets);
}

/* ---- settings ---- */

json_t *sqlite_setting_get(struct store *st, const char *name)
{
	json_t *rows = sch_rows(st,
				"SELECT value, secrets FROM setting"
				" WHERE name = ?1",
				"t", name);
	json_t *row = json_array_get(rows, 0), *v;

	if (!rows)
		return NULL;
	v = row ? json_loads(sch_str(row, "value"), 0, NULL) : NULL;
	if (!json_is_object(v)) {
		json_decref(v);
		v = json_object();
	}
	if (row)
		sch_mark_secrets(v, sch_str(row, "secrets"));
	json_decref(rows);
	return v;
}

int sqlite_setting_put(struct store *st, const char *name, json_t *value,
		       const char *const *secret_fields)
{
	char *old = sch_secrets_text(st,
				     "SELECT secrets FROM setting"
				     " WHERE name = ?1",
				     "t", name, 0);
	json_t *secrets = json_loads(old ? old : "{}", 0, NULL);
	json_t *v = json_deep_copy(value);
	char *vs = NULL, *ss = NULL, now[20];
	int rc = -1;

	if (!secrets)
		secrets = json_object();
	for (; secret_fields && *secret_fields; secret_fields++)
		if (sch_seal(st, v, secrets, *secret_fields) < 0)
			goto out;
	vs = json_dumps(v, JSON_COMPACT);
	ss = json_dumps(secrets, JSON_COMPACT);
	util_now(now);
	rc = sch_exec(st, NULL,
		      "INSERT INTO setting (name, value, secrets, updated)"
		      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE"
		      " SET value = ?2, secrets = ?3, updated = ?4",
		      "tttt", name, vs, ss, now);
out:
	free(old);
	free(vs);
	free(ss);
	json_decref(v);
	json_decref(secrets);
	return rc;
}

char *sqlite_setting_secret(struct store *st, const char *name,
			    const char *field)
{
	char *text = sch_secrets_text(st,
				      "SELECT secrets FROM setting"
				      " WHERE name = ?1",
				      "t", name, 0);
	char *plain = sch_open(st, text, field, name);

	free(text);
	return plain;
}

/* ---- auth sources ---- */

/* A row of auth_source as the API shows it: config flattened in. */
static json_t *sch_source_row(json_t *row)
{
	json_t *o = json_object_get(row, "config"), *out;

	out = json_is_object(o) ? json_deep_copy(o) : json_object();
	json_object_set(out, "id", json_object_get(row, "id"));
	json_object_set(out, "name", json_object_get(row, "name"));
	json_object_set(out, "type", json_object_get(row, "type"));
	json_object_set(out, "enabled", json_object_get(row, "enabled"));
	json_object_set(out, "origin", json_object_get(row, "origin"));
	json_object_set(out, "created", json_object_get(row, "created"));
	json_object_set(out, "updated", json_object_get(row, "updated"));
	sch_mark_secrets(out, sch_str(row, "secrets"));
	return out;
}

#define SOURCE_COLS                                                            \
	"SELECT id, name, type, enabled, config, secrets, origin, created,"    \
	" updated FROM auth_source WHERE 1"

json_t *sqlite_auth_source_list(struct store *st, int enabled_only)
{
	json_t *rows = sch_rows(st,
				enabled_only ? SOURCE_COLS
					" AND enabled = 1 ORDER BY id"
					     : SOURCE_COLS " ORDER BY id",
				"");
	json_t *out, *row;
	size_t i;

	if (!rows)
		return NULL;
	out = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(out, sch_source_row(row));
	json_decref(rows);
	return out;
}

json_t *sqlite_auth_source_get(struct store *st, int64_t id, int *found)
{
	json_t *row = sch_one(sch_rows(st, SOURCE_COLS " AND id = ?1", "i", id),
			      found);
	json_t *out = row ? sch_source_row(row) : NULL;

	json_decref(row);
	return out;
}

int sqlite_auth_source_put(struct store *st, json_t *src, const char *origin,
			   int64_t *id)
{
	static const char *const skip[] = {"id",      "name",	"type",
					   "enabled", "origin", "created",
					   "updated", NULL};
	char *old = sch_secrets_text(st,
				     "SELECT secrets FROM auth_source"
				     " WHERE name = ?1",
				     "t", sch_str(src, "name"), 0);
	json_t *secrets = json_loads(old ? old : "{}", 0, NULL);
	json_t *cfg = json_deep_copy(src), *v, *found_id;
	char *cs = NULL, *ss = NULL, now[20];
	const char *k;
	void *tmp;
	int rc = -1, i;

	if (!secrets)
		secrets = json_object();
	json_object_foreach_safe(cfg, tmp, k, v) {
		for (i = 0; skip[i]; i++)
			if (!strcmp(skip[i], k))
				break;
		if (skip[i] ||
		    !strcmp(k + strlen(k) - (strlen(k) >= 4 ? 4 : 0), "_set"))
			json_object_del(cfg, k);
	}
	if (sch_seal(st, cfg, secrets, "bind_password") < 0)
		goto out;
	cs = json_dumps(cfg, JSON_COMPACT);
	ss = json_dumps(secrets, JSON_COMPACT);
	util_now(now);
	v = json_object_get(src, "enabled");
	rc = sch_exec(st, NULL,
		      "INSERT INTO auth_source (name, type, enabled, config,"
		      " secrets, origin, created, updated)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
		      " ON CONFLICT (name) DO UPDATE SET type = ?2,"
		      " enabled = ?3, config = ?4, secrets = ?5, origin = ?6,"
		      " updated = ?7",
		      "ttitttt", sch_str(src, "name"), sch_str(src, "type"),
		      (int64_t)(v ? json_is_true(v) : 1), cs, ss, origin, now);
	if (rc == 0) {
		found_id = sch_rows(st,
				    "SELECT id FROM auth_source WHERE"
				    " name = ?1",
				    "t", sch_str(src, "name"));
		*id = json_integer_value(
			json_object_get(json_array_get(found_id, 0), "id"));
		json_decref(found_id);
	}
out:
	free(old);
	free(cs);
	free(ss);
	json_decref(cfg);
	json_decref(secrets);
	return rc;
}

int sqlite_auth_source_delete(struct store *st, int64_t id)
{
	return sch_exec(st, NULL, "DELETE FROM auth_source WHERE id = ?1", "i",
			id);
}

char *sqlite_auth_source_password(struct store *st, int64_t id)
{
	char *text = sch_secrets_text(st,
				      "SELECT secrets FROM auth_source"
				      " WHERE id = ?1",
				      "i", NULL, id);
	char *plain = sch_open(st, text, "bind_password", "auth source");

	free(text);
	return plain;
}

/* ---- users from a directory ---- */

char *sqlite_user_source(struct store *st, const char *name)
{
	json_t *rows = sch_rows(st, "SELECT source FROM user WHERE name = ?1",
				"t", name);
	const char *s = sch_str(json_array_get(rows, 0), "source");
	char *out = s ? xstrdup(s) : NULL;

	json_decref(rows);
	return out;
}

int sqlite_user_external_put(struct store *st, const char *name,
			     const char *source, const char *role,
			     int64_t org_id, const char *full_name,
			     const char *email, int *conflict)
{
	char *have = store_user_source(st, name);
	char now[20];
	int rc;

	*conflict = 0;
	util_now(now);
	if (have && strcmp(have, source)) {
		free(have);
		*conflict = 1;
		return -1;
	}
	if (have)
		rc = sch_exec(st, NULL,
			      "UPDATE user SET role = ?2, org_id = ?3,"
			      " full_name = ?4, email = ?5, enabled = 1"
			      " WHERE name = ?1 AND source = ?6",
			      "ttitt"
			      "t",
			      name, role, org_id, full_name, email, source);
	else
		rc = sch_exec(st, NULL,
			      "INSERT INTO user (name, role, org_id,"
			      " password_hash, source, full_name, email,"
			      " enabled, created) VALUES (?1, ?2, ?3, NULL,"
			      " ?4, ?5, ?6, 1, ?7)",
			      "ttitttt", name, role, org_id, source, full_name,
			      email, now);
	free(have);
	return rc;
}

int sqlite_user_external_disable(struct store *st, const char *name,
				 const char *source)
{
	return sch_exec(st, NULL,
			"UPDATE user SET enabled = 0 WHERE name = ?1 AND"
			" source = ?2",
			"tt", name, source);
}

/* ---- retention ---- */

/* The rows of a table that belong to the purge's orgs: ?2 is a JSON array
 * of org ids, or NULL for every org (then rows that belong to no org, like
 * the audit-log row of a refused intake, go too). */
#define PURGE_DEVICE_IN                                                        \
	" AND (?2 IS NULL OR device_id IN (SELECT d.id FROM device d,"         \
	" json_each(?2) o WHERE d.org_id = o.value))"

int sqlite_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
		 int norgs, json_t **counts)
{
	static const struct {
		const char *name;
		const char *sql;
	} steps[] = {
		{"components", "DELETE FROM component WHERE current = 0 AND"
			       " last_seen < ?1" PURGE_DEVICE_IN},
		{"changes",
		 "DELETE FROM change_log WHERE time < ?1" PURGE_DEVICE_IN},
		{"audits",
		 "DELETE FROM audit_log WHERE time < ?1" PURGE_DEVICE_IN},
		{"discovery_runs", "DELETE FROM discovery_run WHERE state IN"
				   " ('done','failed','cancelled') AND"
				   " finished < ?1 AND (?2 IS NULL OR"
				   " discovery_id IN (SELECT x.id FROM"
				   " discovery x, json_each(?2) o"
				   " WHERE x.org_id = o.value))"},
	};
	json_t *ids = NULL;
	char *scope = NULL;
	size_t i;
	int k;

	*counts = json_object();
	if (org_ids) {
		ids = json_array();
		for (k = 0; k < norgs; k++)
			json_array_append_new(ids, json_integer(org_ids[k]));
		scope = json_dumps(ids, JSON_COMPACT);
		json_decref(ids);
		if (!scope)
			goto fail;
	}
	if (store_begin(st) < 0)
		goto fail;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (sch_exec(st, NULL, steps[i].sql, "tt", cutoff, scope) < 0) {
			store_rollback(st);
			goto fail;
		}
		json_object_set_new(
			*counts, steps[i].name,
			json_integer(sqlite3_changes(sqlite_of(st)->db)));
	}
	free(scope);
	return store_commit(st);
fail:
	free(scope);
	json_decref(*counts);
	*counts = NULL;
	return -1;
}
