/*
 * sql_settings.c: settings (global, intake, SMTP), directory sources and
 * the users they bring, written once for every SQL engine with the
 * statement helper (db.h). Both back ends' tables point at these.
 *
 * A secret field of a setting or a source (an SMTP or bind password) is
 * sealed (secret.h) under the back end's key file into the row's secrets
 * column, {"field": "v1:..."}, and taken out of the value; readers see
 * "<field>_set": true instead, and only the functions that hand a secret
 * to its one user (mail, the directory bind) open it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/db.h"
#include "store/secret.h"
#include "store/sql_ops.h"

/* ---- secrets in a JSON column ---- */

/* Adds "<field>_set": true to o for each key of the secrets text. */
static void set_mark_secrets(json_t *o, const char *secrets_text)
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

/* Encrypts the string field of value into secrets (removing it from
 * value); "" removes the stored one. 0 or -1. */
static int set_seal(struct store *st, json_t *value, json_t *secrets,
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
	key = st->ops->key(st);
	sealed = key ? secret_encrypt(key, json_string_value(v)) : NULL;
	if (!sealed)
		return -1;
	json_object_set_new(secrets, field, json_string(sealed));
	free(sealed);
	json_object_del(value, field);
	return 0;
}

/* The clear text of field in a secrets column's text, or NULL (none
 * stored, or it cannot be opened: logged, naming what). */
static char *set_open(struct store *st, const char *secrets_text,
		      const char *field, const char *what)
{
	json_t *secrets =
		json_loads(secrets_text ? secrets_text : "{}", 0, NULL);
	const char *c = json_string_value(json_object_get(secrets, field));
	struct secret_key *key;
	char *plain = NULL;

	if (c && (key = st->ops->key(st)))
		plain = secret_decrypt(key, c);
	if (c && !plain)
		log_err("%s: the stored %s cannot be decrypted (key file "
			"changed?); enter it again",
			what, field);
	json_decref(secrets);
	return plain;
}

/* The secrets column of the row sql (?1 = key_s, or key_i when key_s is
 * NULL) finds, or NULL (free()). */
static char *set_secrets_text(struct store *st, const char *sql,
			      const char *key_s, int64_t key_i)
{
	struct db_stmt *s = db_stmt(st, sql);
	char *out = NULL;

	if (!s)
		return NULL;
	if (key_s)
		db_bind_text(s, 1, key_s);
	else
		db_bind_int64(s, 1, key_i);
	if (db_step(s) == DB_ROW && !db_is_null(s, 0))
		out = xstrdup(db_text(s, 0));
	db_reset(s);
	return out;
}

/* ---- settings ---- */

json_t *sql_setting_get(struct store *st, const char *name)
{
	struct db_stmt *s = db_stmt(st, "SELECT value, secrets FROM setting"
					" WHERE name = ?1");
	json_t *v = NULL;
	int rc;

	if (!s)
		return NULL;
	db_bind_text(s, 1, name);
	rc = db_step(s);
	if (rc < 0)
		return NULL;
	v = rc == DB_ROW ? db_json_object(s, 0) : json_object();
	if (rc == DB_ROW)
		set_mark_secrets(v, db_text(s, 1));
	db_reset(s);
	return v;
}

int sql_setting_put(struct store *st, const char *name, json_t *value,
		    const char *const *secret_fields)
{
	char *old = set_secrets_text(st,
				     "SELECT secrets FROM setting"
				     " WHERE name = ?1",
				     name, 0);
	json_t *secrets = json_loads(old ? old : "{}", 0, NULL);
	json_t *v = json_deep_copy(value);
	char *vs = NULL, *ss = NULL, now[20];
	struct db_stmt *s;
	int rc = -1;

	if (!secrets)
		secrets = json_object();
	for (; secret_fields && *secret_fields; secret_fields++)
		if (set_seal(st, v, secrets, *secret_fields) < 0)
			goto out;
	vs = json_dumps(v, JSON_COMPACT);
	ss = json_dumps(secrets, JSON_COMPACT);
	util_now(now);
	s = db_stmt(st, "INSERT INTO setting (name, value, secrets, updated)"
			" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE"
			" SET value = ?2, secrets = ?3, updated = ?4");
	if (!s)
		goto out;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, vs);
	db_bind_text(s, 3, ss);
	db_bind_text(s, 4, now);
	rc = db_exec(s);
out:
	free(old);
	free(vs);
	free(ss);
	json_decref(v);
	json_decref(secrets);
	return rc;
}

char *sql_setting_secret(struct store *st, const char *name, const char *field)
{
	char *text = set_secrets_text(st,
				      "SELECT secrets FROM setting"
				      " WHERE name = ?1",
				      name, 0);
	char *plain = set_open(st, text, field, name);

	free(text);
	return plain;
}

/* ---- auth sources ---- */

#define SOURCE_COLS                                                            \
	"SELECT id, name, type, enabled, config, secrets, origin, created,"    \
	" updated FROM auth_source"

/* The current row of SOURCE_COLS as the API shows it: config flattened
 * in, secrets as "<field>_set". */
static json_t *set_source_row(struct db_stmt *s)
{
	json_t *out = db_json_object(s, 4);

	json_object_set_new(out, "id", json_integer(db_int64(s, 0)));
	json_object_set_new(out, "name", db_value(s, 1, 0));
	json_object_set_new(out, "type", db_value(s, 2, 0));
	json_object_set_new(out, "enabled", json_integer(db_int64(s, 3)));
	json_object_set_new(out, "origin", db_value(s, 6, 0));
	json_object_set_new(out, "created", db_value(s, 7, 0));
	json_object_set_new(out, "updated", db_value(s, 8, 0));
	set_mark_secrets(out, db_text(s, 5));
	return out;
}

json_t *sql_auth_source_list(struct store *st, int enabled_only)
{
	struct db_stmt *s = db_stmt(
		st, enabled_only ? SOURCE_COLS " WHERE enabled = 1 ORDER BY id"
				 : SOURCE_COLS " ORDER BY id");

	return s ? db_collect(s, set_source_row) : NULL;
}

json_t *sql_auth_source_get(struct store *st, int64_t id, int *found)
{
	struct db_stmt *s = db_stmt(st, SOURCE_COLS " WHERE id = ?1");
	json_t *out = NULL;
	int rc;

	if (found)
		*found = 0;
	if (!s)
		return NULL;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		out = set_source_row(s);
		if (found)
			*found = 1;
	}
	db_reset(s);
	return out;
}

int sql_auth_source_put(struct store *st, json_t *src, const char *origin,
			int64_t *id)
{
	static const char *const skip[] = {"id",      "name",	"type",
					   "enabled", "origin", "created",
					   "updated", NULL};
	const char *name = json_string_value(json_object_get(src, "name"));
	char *old = set_secrets_text(st,
				     "SELECT secrets FROM auth_source"
				     " WHERE name = ?1",
				     name ? name : "", 0);
	json_t *secrets = json_loads(old ? old : "{}", 0, NULL);
	json_t *cfg = json_deep_copy(src), *v;
	char *cs = NULL, *ss = NULL, now[20];
	struct db_stmt *s;
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
	if (set_seal(st, cfg, secrets, "bind_password") < 0)
		goto out;
	cs = json_dumps(cfg, JSON_COMPACT);
	ss = json_dumps(secrets, JSON_COMPACT);
	util_now(now);
	v = json_object_get(src, "enabled");
	s = db_stmt(st, "INSERT INTO auth_source (name, type, enabled, config,"
			" secrets, origin, created, updated)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
			" ON CONFLICT (name) DO UPDATE SET type = ?2,"
			" enabled = ?3, config = ?4, secrets = ?5, origin = ?6,"
			" updated = ?7 RETURNING id");
	if (!s)
		goto out;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, json_string_value(json_object_get(src, "type")));
	db_bind_int64(s, 3, v ? json_is_true(v) : 1);
	db_bind_text(s, 4, cs);
	db_bind_text(s, 5, ss);
	db_bind_text(s, 6, origin);
	db_bind_text(s, 7, now);
	rc = db_step(s);
	if (rc == DB_ROW && id)
		*id = db_int64(s, 0);
	db_reset(s);
	rc = rc == DB_ROW ? 0 : -1;
out:
	free(old);
	free(cs);
	free(ss);
	json_decref(cfg);
	json_decref(secrets);
	return rc;
}

int sql_auth_source_delete(struct store *st, int64_t id)
{
	struct db_stmt *s =
		db_stmt(st, "DELETE FROM auth_source WHERE id = ?1");

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	return db_exec(s);
}

char *sql_auth_source_password(struct store *st, int64_t id)
{
	char *text = set_secrets_text(st,
				      "SELECT secrets FROM auth_source"
				      " WHERE id = ?1",
				      NULL, id);
	char *plain = set_open(st, text, "bind_password", "auth source");

	free(text);
	return plain;
}
