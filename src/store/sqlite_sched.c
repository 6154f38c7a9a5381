/*
 * sqlite_sched.c: settings and directory auth sources (store_sched.h) on
 * SQLite: the two that keep secrets under the SQLite store's key file.
 * Reports, tasks, directory users and retention are written once for
 * every engine in sql_sched.c.
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

static const char *sch_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
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
