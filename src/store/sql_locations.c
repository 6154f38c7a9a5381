/*
 * sql_locations.c: store_locations.h (table location of migration 3) for
 * every SQL engine, through the API's query helpers (sql_api_int.h).
 * Column names in SQL come only from the constant lists below; values
 * are bound.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_api_int.h"
#include "store/sql_ops.h"
#include "store/store_locations.h"

const char *const store_location_text_fields[] = {
	"type", "address", "city", "country", "description", NULL};

static const char *const loc_set_cols[] = {
	"name",	       "type",	   "address",	"city", "country",
	"description", "latitude", "longitude", NULL};

#define LOC_COLS                                                               \
	"SELECT l.id, l.org_id, l.name, l.type, l.address, l.city,"            \
	" l.country, l.latitude, l.longitude, l.description, l.created,"       \
	" l.updated, (SELECT count(*) FROM device d WHERE"                     \
	" d.location = l.name"

/* The SELECT with the device count and the location filter limited to
 * org_ids, values into params. */
static void loc_select(struct strbuf *sb, const int64_t *org_ids, int norgs,
		       json_t *params)
{
	strbuf_puts(sb, LOC_COLS);
	sql_api_org_in(sb, " AND ", "d.org_id", org_ids, norgs, params);
	strbuf_puts(sb, ") AS devices FROM location l WHERE 1 = 1");
	sql_api_org_in(sb, " AND ", "l.org_id", org_ids, norgs, params);
}

json_t *sql_location_list(struct store *st, const int64_t *org_ids, int norgs)
{
	struct strbuf sb;
	json_t *params = json_array(), *rows;

	strbuf_init(&sb, 0);
	loc_select(&sb, org_ids, norgs, params);
	strbuf_puts(&sb, " ORDER BY l.name, l.id");
	rows = sql_api_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

json_t *sql_location_get(struct store *st, int64_t id, const int64_t *org_ids,
			 int norgs, int *found)
{
	struct strbuf sb;
	json_t *params = json_array(), *row;

	strbuf_init(&sb, 0);
	loc_select(&sb, org_ids, norgs, params);
	strbuf_puts(&sb, " AND l.id = ?");
	json_array_append_new(params, json_integer(id));
	row = sql_api_row(st, sb.data, params, found);
	strbuf_free(&sb);
	return row;
}

int sql_location_find(struct store *st, int64_t org_id, const char *name,
		      int64_t *id)
{
	json_t *params = json_pack("[Is]", (json_int_t)org_id, name);
	int rc = sql_api_scalar(
		st, "SELECT id FROM location WHERE org_id = ? AND name = ?",
		params, id);

	json_decref(params);
	return rc;
}

/* The value of member k of o for binding: a JSON null when absent. */
static json_t *loc_value(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_incref(v) : json_null();
}

int sql_location_add(struct store *st, json_t *loc, int64_t *id)
{
	json_t *params = json_array();
	char now[20];
	int i, rc;

	util_now(now);
	json_array_append(params, json_object_get(loc, "org_id"));
	for (i = 0; loc_set_cols[i]; i++)
		json_array_append_new(params, loc_value(loc, loc_set_cols[i]));
	json_array_append_new(params, json_string(now));
	json_array_append_new(params, json_string(now));
	rc = sql_api_scalar(st,
			    "INSERT INTO location (org_id, name, type, address,"
			    " city, country, description, latitude, longitude,"
			    " created, updated)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			    " RETURNING id",
			    params, id);
	json_decref(params);
	return rc;
}

int sql_location_update(struct store *st, int64_t id, json_t *fields)
{
	json_t *params = json_array(), *old = NULL, *name;
	struct strbuf sb;
	char now[20];
	int i, rc = -1;

	util_now(now);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "UPDATE location SET updated = ?");
	json_array_append_new(params, json_string(now));
	for (i = 0; loc_set_cols[i]; i++) {
		json_t *v = json_object_get(fields, loc_set_cols[i]);

		if (!v)
			continue;
		strbuf_printf(&sb, ", %s = ?", loc_set_cols[i]);
		json_array_append(params, v);
	}
	strbuf_puts(&sb, " WHERE id = ?");
	json_array_append_new(params, json_integer(id));
	if (store_begin(st) < 0) {
		json_decref(params);
		goto out;
	}
	name = json_object_get(fields, "name");
	old = name ? sql_api_row(st,
				 "SELECT org_id, name FROM location"
				 " WHERE id = ?",
				 json_pack("[I]", (json_int_t)id), NULL)
		   : NULL;
	if (sql_api_exec(st, sb.data, params) < 0)
		goto fail;
	if (old &&
	    sql_api_exec(st,
			 "UPDATE device SET location = ? WHERE location = ?"
			 " AND org_id = ?",
			 json_pack("[OOO]", name, json_object_get(old, "name"),
				   json_object_get(old, "org_id"))) < 0)
		goto fail;
	rc = store_commit(st);
	goto out;
fail:
	store_rollback(st);
out:
	json_decref(old);
	strbuf_free(&sb);
	return rc;
}

int sql_location_delete(struct store *st, int64_t id)
{
	return sql_api_exec(st, "DELETE FROM location WHERE id = ?",
			    json_pack("[I]", (json_int_t)id));
}
