/*
 * sql_ui.c: store_ui.h for every SQL engine, through the API's query
 * helpers (sql_api_int.h). SQL text is built only from the constant
 * pieces below; every value, the JSON path of a sort field included, is
 * bound. One page of a component section sorts numbers first and as
 * numbers, addresses as addresses: the two engines' own forms of those
 * sort keys are in their dialect (db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"
#include "store/db.h"
#include "store/sql_api_int.h"
#include "store/store_ui.h"

/* ---- one page of a component section ---- */

static int ui_word_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n >= max)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

static int ui_is_address_field(const char *f)
{
	size_t n = strlen(f);

	return !strcmp(f, "ip") || (n > 3 && !strcmp(f + n - 3, "_ip"));
}

/* Replaces each row's "data" text by the object it holds. */
static void ui_rows_data(json_t *rows)
{
	json_error_t err;
	json_t *r, *d;
	size_t i;

	json_array_foreach(rows, i, r) {
		d = json_loads(
			json_string_value(json_object_get(r, "data"))
				? json_string_value(json_object_get(r, "data"))
				: "{}",
			0, &err);
		json_object_set_new(r, "data", d ? d : json_object());
	}
}

json_t *store_component_page(struct store *st, int64_t device_id,
			     const char *section, enum store_rows which,
			     const char *q, const char *field, int desc,
			     long limit, long offset, int64_t *total)
{
	const struct db_dialect *d = st->ops->dialect;
	const char *dir = desc ? " DESC" : "";
	json_t *params = NULL, *rows = NULL;
	int lo = which == STORE_ROWS_CURRENT ? 1 : 0;
	int hi = which == STORE_ROWS_RETIRED ? 0 : 1;
	struct strbuf sb;

	strbuf_init(&sb, 0);
	if (field && *field && !ui_word_ok(field, STORE_SECTION_FIELD_MAX)) {
		log_err_field("ordering",
			      "cannot sort by '%s': a field name is "
			      "1-%d letters, digits or _",
			      field, STORE_SECTION_FIELD_MAX - 1);
		goto out;
	}
	/* q: a row any of whose values contains it (ignoring case) */
	params = json_pack("[Isiio]", (json_int_t)device_id, section, lo, hi,
			   sql_api_like_value("%", q ? q : "", "%"));
	if (sql_api_scalar(st,
			   "SELECT count(*) FROM component WHERE"
			   " device_id = ? AND section = ?"
			   " AND current BETWEEN ? AND ?"
			   " AND CAST(data AS TEXT) LIKE ? ESCAPE '\\'",
			   params, total) < 0)
		goto out;
	strbuf_puts(&sb, "SELECT id, section, key, current, first_seen,"
			 " last_seen, data FROM (SELECT c.*, ");
	if (field && *field && strcmp(field, "first_seen") &&
	    strcmp(field, "last_seen")) {
		/* the member named field (SQLite's ->> reads a bare name
		 * as $.name) */
		json_array_insert_new(params, 0, json_string(field));
		strbuf_puts(&sb, "c.data ->> ? AS v");
	} else {
		strbuf_puts(&sb, field && *field ? field : "c.key");
		strbuf_puts(&sb, " AS v");
	}
	strbuf_puts(&sb, " FROM component c WHERE c.device_id = ?"
			 " AND c.section = ? AND c.current BETWEEN ? AND ?"
			 " AND CAST(c.data AS TEXT) LIKE ? ESCAPE '\\') s"
			 " ORDER BY (v IS NULL OR v = ''), ");
	if (field && ui_is_address_field(field))
		strbuf_printf(&sb, "%sv%s%s, ", d->ip_pre, d->ip_post, dir);
	else /* numbers (sizes, counts, versions) first and as numbers */
		strbuf_printf(&sb, "%s DESC, %s%s, ", d->num_first, d->num_key,
			      dir);
	strbuf_printf(&sb,
		      "lower(CAST(v AS TEXT))%s, id%s"
		      " LIMIT ? OFFSET ?",
		      dir, dir);
	json_array_append_new(params, json_integer(limit));
	json_array_append_new(params, json_integer(offset));
	rows = sql_api_rows(st, sb.data, params);
	if (rows)
		ui_rows_data(rows);
out:
	json_decref(params);
	strbuf_free(&sb);
	return rows;
}

/* ---- preferences ---- */

int store_pref_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n && n < STORE_PREF_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

json_t *store_pref_get_all(struct store *st, int64_t user_id)
{
	json_t *params = json_pack("[I]", (json_int_t)user_id);
	json_t *rows, *out = NULL, *r, *v;
	json_error_t err;
	size_t i;

	rows = sql_api_rows(st,
			    "SELECT name, value FROM user_pref"
			    " WHERE user_id = ? ORDER BY name",
			    params);
	json_decref(params);
	if (!rows)
		return NULL;
	out = json_object();
	json_array_foreach(rows, i, r) {
		v = json_loads(json_string_value(json_object_get(r, "value")),
			       JSON_DECODE_ANY, &err);
		if (v)
			json_object_set_new(
				out,
				json_string_value(json_object_get(r, "name")),
				v);
	}
	json_decref(rows);
	return out;
}

int store_pref_set(struct store *st, int64_t user_id, const char *name,
		   json_t *value)
{
	char *text = NULL, now[20];
	int64_t n = 0, have = 0;
	json_t *params, *mine;
	int rc = -1;

	params = json_pack("[Is]", (json_int_t)user_id, name);
	if (!value || json_is_null(value)) {
		rc = sql_api_exec(st,
				  "DELETE FROM user_pref WHERE user_id = ?"
				  " AND name = ?",
				  params);
		params = NULL;
		goto out;
	}
	text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text || strlen(text) > STORE_PREF_VALUE_MAX) {
		log_err_field("value",
			      "preference '%s' is too large: at most %d bytes "
			      "of JSON",
			      name, STORE_PREF_VALUE_MAX);
		goto out;
	}
	mine = json_pack("[I]", (json_int_t)user_id);
	rc = sql_api_scalar(st,
			    "SELECT count(*) FROM user_pref WHERE"
			    " user_id = ?",
			    mine, &n);
	json_decref(mine);
	if (rc < 0 || sql_api_scalar(st,
				     "SELECT count(*) FROM user_pref WHERE"
				     " user_id = ? AND name = ?",
				     params, &have) < 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	if (!have && n >= STORE_PREF_COUNT_MAX) {
		log_err_field("name",
			      "a user keeps at most %d preferences: remove "
			      "one first",
			      STORE_PREF_COUNT_MAX);
		goto out;
	}
	util_now(now);
	json_array_append_new(params, json_string(text));
	json_array_append_new(params, json_string(now));
	rc = sql_api_exec(st,
			  "INSERT INTO user_pref (user_id, name, value,"
			  " updated) VALUES (?, ?, ?, ?)"
			  " ON CONFLICT (user_id, name) DO UPDATE SET"
			  " value = excluded.value,"
			  " updated = excluded.updated",
			  params);
	params = NULL;
out:
	json_decref(params);
	free(text);
	return rc;
}

/* ---- users ---- */

int store_user_update(struct store *st, int64_t id, json_t *fields)
{
	static const char *const cols[] = {"role",	"org_id", "enabled",
					   "full_name", "email",  NULL};
	json_t *params = json_array(), *v;
	struct strbuf sb;
	int i, n = 0, rc;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE \"user\" SET ");
	for (i = 0; cols[i]; i++) {
		if (!(v = json_object_get(fields, cols[i])))
			continue;
		strbuf_printf(&sb, "%s%s = ?", n++ ? ", " : "", cols[i]);
		json_array_append(params, v);
	}
	if (!n) {
		json_decref(params);
		strbuf_free(&sb);
		return 0;
	}
	strbuf_puts(&sb, " WHERE id = ?");
	json_array_append_new(params, json_integer(id));
	rc = sql_api_exec(st, sb.data, params);
	strbuf_free(&sb);
	return rc;
}
