/*
 * sql_data.c: store_data.h (tables custom_field and device_custom of
 * migration 10) for every SQL engine, through the API's query helpers
 * (sql_api_int.h). SQL text is constant; values are bound.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "store/sql_api_int.h"
#include "store/store_data.h"

/* The orgs above org ?1 (its ancestors), as a subquery. */
#define ORG_UP                                                                 \
	"(WITH RECURSIVE up(id) AS (SELECT parent_id FROM org WHERE id = ?1"   \
	" UNION SELECT o.parent_id FROM org o JOIN up ON o.id = up.id)"        \
	" SELECT id FROM up WHERE id IS NOT NULL)"
/* Org ?1 and the orgs below it. */
#define ORG_DOWN                                                               \
	"(WITH RECURSIVE down(id) AS (SELECT CAST(?1 AS BIGINT) UNION"         \
	" SELECT o.id FROM org o"                                              \
	" JOIN down ON o.parent_id = down.id) SELECT id FROM down)"

#define FIELD_COLS                                                             \
	"SELECT id, org_id, name, label, type, allowed, created, updated"      \
	" FROM custom_field"

/* f with its allowed text parsed into an array (f returned). */
static json_t *field_parse(json_t *f)
{
	json_t *a;

	if (!f)
		return NULL;
	a = json_loads(json_string_value(json_object_get(f, "allowed")), 0,
		       NULL);
	json_object_set_new(f, "allowed", json_is_array(a) ? a : json_array());
	if (a && !json_is_array(a))
		json_decref(a);
	return f;
}

static json_t *fields_parse(json_t *rows)
{
	json_t *f;
	size_t i;

	json_array_foreach(rows, i, f)
		field_parse(f);
	return rows;
}

int store_custom_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n > STORE_CUSTOM_NAME_MAX || !islower((unsigned char)name[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return 0;
	return 1;
}

static int custom_date_ok(const char *s)
{
	struct tm tm, back;
	time_t t;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) !=
		    3 ||
	    strspn(s, "0123456789-") != 10)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	/* timegm() normalises 2026-02-30 to March: a changed date was not
	 * one */
	return t != (time_t)-1 && tm.tm_year == back.tm_year &&
	       tm.tm_mon == back.tm_mon && tm.tm_mday == back.tm_mday;
}

int store_custom_value_check(json_t *field, const char *in, char *out,
			     size_t outlen, char *why, size_t whylen)
{
	const char *type = json_string_value(json_object_get(field, "type"));
	const char *name = json_string_value(json_object_get(field, "name"));
	json_t *allowed = json_object_get(field, "allowed"), *v;
	size_t i;

	if (!type || !name)
		goto bad_field;
	if (strlen(in) > STORE_CUSTOM_VALUE_MAX ||
	    !util_utf8_valid(in, strlen(in))) {
		snprintf(why, whylen,
			 "%s must be UTF-8 text of at most %d bytes", name,
			 STORE_CUSTOM_VALUE_MAX);
		return -1;
	}
	if (!strcmp(type, "number")) {
		char *end;
		double d = strtod(in, &end);

		if (!*in || *end || isspace((unsigned char)*in) ||
		    !isfinite(d)) {
			snprintf(why, whylen,
				 "%s must be a number, not '%.64s'", name, in);
			return -1;
		}
		snprintf(out, outlen, "%.15g", d);
		return 0;
	}
	if (!strcmp(type, "date") && !custom_date_ok(in)) {
		snprintf(why, whylen,
			 "%s must be a date YYYY-MM-DD, not '%.64s'", name, in);
		return -1;
	}
	if (!strcmp(type, "list")) {
		json_array_foreach(allowed, i, v)
			if (!strcmp(json_string_value(v), in))
				break;
		if (i == json_array_size(allowed)) {
			struct strbuf sb;

			strbuf_init(&sb, 0);
			json_array_foreach(allowed, i, v)
				strbuf_printf(&sb, "%s%s", i ? ", " : "",
					      json_string_value(v));
			snprintf(why, whylen,
				 "%s must be one of: %s (not "
				 "'%.64s')",
				 name, sb.data ? sb.data : "", in);
			strbuf_free(&sb);
			return -1;
		}
	}
	snprintf(out, outlen, "%s", in);
	return 0;
bad_field:
	snprintf(why, whylen, "the custom field has no type");
	return -1;
}

json_t *store_custom_field_list(struct store *st, int64_t org_id)
{
	json_t *params, *rows;

	if (!org_id)
		return fields_parse(sql_api_rows(
			st, FIELD_COLS " ORDER BY name, id", NULL));
	params = json_pack("[I]", (json_int_t)org_id);
	rows = sql_api_rows(st,
			    FIELD_COLS
			    " WHERE org_id IS NULL OR org_id IN " ORG_UP
			    " OR org_id IN " ORG_DOWN " ORDER BY name, id",
			    params);
	json_decref(params);
	return fields_parse(rows);
}

json_t *store_custom_field_get(struct store *st, int64_t id, int *found)
{
	return field_parse(sql_api_row(st, FIELD_COLS " WHERE id = ?",
				       json_pack("[I]", (json_int_t)id),
				       found));
}

json_t *store_custom_field_for_org(struct store *st, int64_t org_id,
				   const char *name, int *found)
{
	return field_parse(sql_api_row(
		st,
		FIELD_COLS " WHERE name = ?2 AND (org_id IS NULL OR org_id = ?1"
			   " OR org_id IN " ORG_UP ")",
		json_pack("[Is]", (json_int_t)org_id, name), found));
}

int store_custom_field_clash(struct store *st, int64_t org_id, const char *name,
			     int64_t except_id, int *clash)
{
	json_t *params = json_pack("[IsI]", (json_int_t)org_id, name,
				   (json_int_t)except_id);
	int64_t n = 0;
	int rc;

	/* ?1 is 0 for a global field: every field of that name clashes */
	rc = sql_api_scalar(st,
			    "SELECT count(*) FROM custom_field WHERE name ="
			    " ?2 AND id <> ?3 AND (?1 = 0 OR org_id IS NULL"
			    " OR org_id IN " ORG_UP " OR org_id IN " ORG_DOWN
			    ")",
			    params, &n);
	json_decref(params);
	*clash = n > 0;
	return rc;
}

int store_custom_field_add(struct store *st, json_t *f, int64_t *id)
{
	char now[20];
	char *allowed;
	json_t *params;
	int rc;

	util_now(now);
	/* absent (or null): no values */
	allowed = json_is_array(json_object_get(f, "allowed"))
			  ? json_dumps(json_object_get(f, "allowed"),
				       JSON_COMPACT)
			  : NULL;
	params = json_pack(
		"[OsOssss]",
		json_object_get(f, "org_id") ? json_object_get(f, "org_id")
					     : json_null(),
		json_string_value(json_object_get(f, "name")),
		json_object_get(f, "label") ? json_object_get(f, "label")
					    : json_null(),
		json_string_value(json_object_get(f, "type")),
		allowed ? allowed : "[]", now, now);
	free(allowed);
	rc = sql_api_scalar(st,
			    "INSERT INTO custom_field (org_id, name, label,"
			    " type, allowed, created, updated) VALUES"
			    " (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    params, id);
	json_decref(params);
	return rc;
}

int store_custom_field_update(struct store *st, int64_t id, json_t *f)
{
	json_t *label = json_object_get(f, "label");
	json_t *allowed = json_object_get(f, "allowed");
	char now[20], *a = NULL;
	int rc = 0;

	util_now(now);
	if (label)
		rc = sql_api_exec(
			st,
			"UPDATE custom_field SET label = ?,"
			" updated = ? WHERE id = ?",
			json_pack("[OsI]", label, now, (json_int_t)id));
	if (!rc && allowed) {
		a = json_dumps(allowed, JSON_COMPACT);
		rc = sql_api_exec(
			st,
			"UPDATE custom_field SET allowed = ?,"
			" updated = ? WHERE id = ?",
			json_pack("[ssI]", a ? a : "[]", now, (json_int_t)id));
		free(a);
	}
	return rc;
}

int store_custom_field_delete(struct store *st, int64_t id)
{
	return sql_api_exec(st, "DELETE FROM custom_field WHERE id = ?",
			    json_pack("[I]", (json_int_t)id));
}

json_t *store_custom_values(struct store *st, int64_t device_id)
{
	json_t *params = json_pack("[I]", (json_int_t)device_id);
	json_t *rows = sql_api_rows(st,
				    "SELECT f.name, v.value FROM"
				    " device_custom v JOIN custom_field f"
				    " ON f.id = v.field_id WHERE"
				    " v.device_id = ? ORDER BY f.name",
				    params);
	json_t *out, *r;
	size_t i;

	json_decref(params);
	if (!rows)
		return NULL;
	out = json_object();
	json_array_foreach(rows, i, r)
		json_object_set(out,
				json_string_value(json_object_get(r, "name")),
				json_object_get(r, "value"));
	json_decref(rows);
	return out;
}

int store_custom_set(struct store *st, int64_t device_id, int64_t field_id,
		     const char *name, const char *value, const char *now,
		     int log_change, int *changed)
{
	json_t *params =
		json_pack("[II]", (json_int_t)device_id, (json_int_t)field_id);
	json_t *old = sql_api_row(st,
				  "SELECT value FROM device_custom WHERE"
				  " device_id = ? AND field_id = ?",
				  params, NULL);
	const char *was = json_string_value(json_object_get(old, "value"));
	json_t *detail = NULL;
	int rc;

	*changed = 0;
	if ((!was && !value) || (was && value && !strcmp(was, value))) {
		json_decref(old);
		return 0;
	}
	if (value)
		rc = sql_api_exec(st,
				  "INSERT INTO device_custom (device_id,"
				  " field_id, value) VALUES (?, ?, ?) ON"
				  " CONFLICT (device_id, field_id) DO"
				  " UPDATE SET value = excluded.value",
				  json_pack("[IIs]", (json_int_t)device_id,
					    (json_int_t)field_id, value));
	else
		rc = sql_api_exec(st,
				  "DELETE FROM device_custom WHERE"
				  " device_id = ? AND field_id = ?",
				  json_pack("[II]", (json_int_t)device_id,
					    (json_int_t)field_id));
	detail = json_pack("{s{so?}s{ss?}}", "from", name,
			   was ? json_string(was) : NULL, "to", name, value);
	if (!rc && log_change)
		rc = store_change_add(st, device_id, "custom",
				      was && value ? "change"
				      : value	   ? "add"
						   : "remove",
				      name, detail, now);
	*changed = rc == 0;
	json_decref(detail);
	json_decref(old);
	return rc;
}

int store_custom_attach(struct store *st, json_t *rows)
{
	json_t *r, *vals;
	size_t i;

	json_array_foreach(rows, i, r) {
		const char *k;
		json_t *v;

		vals = store_custom_values(
			st, json_integer_value(json_object_get(r, "id")));
		if (!vals)
			return -1;
		json_object_foreach(vals, k, v) {
			char key[STORE_CUSTOM_NAME_MAX + 8];

			snprintf(key, sizeof(key), "custom.%s", k);
			json_object_set(r, key, v);
		}
		json_decref(vals);
	}
	return 0;
}

int store_devices_in_orgs(struct store *st, json_t *ids, const int64_t *org_ids,
			  int norgs, json_t **found)
{
	struct strbuf sb;
	json_t *params, *v;
	size_t i;
	int64_t n;

	*found = json_array();
	json_array_foreach(ids, i, v) {
		size_t j;
		json_t *w;
		int dup = 0;

		json_array_foreach(*found, j, w)
			dup |= json_integer_value(w) == json_integer_value(v);
		if (dup)
			continue;
		strbuf_init(&sb, 0);
		params = json_pack("[I]", (json_int_t)json_integer_value(v));
		strbuf_puts(&sb, "SELECT count(*) FROM device WHERE id = ?");
		sql_api_org_in(&sb, " AND ", "org_id", org_ids, norgs, params);
		n = 0;
		if (sql_api_scalar(st, sb.data, params, &n) < 0) {
			strbuf_free(&sb);
			json_decref(params);
			return -1;
		}
		strbuf_free(&sb);
		json_decref(params);
		if (n)
			json_array_append(*found, v);
	}
	return 0;
}

/* tags (comma-separated) with add merged in and remove taken out, in
 * their first order, without repeats or empty items; NULL when none is
 * left. A new string. */
static char *bulk_tags(const char *tags, json_t *add, json_t *remove)
{
	json_t *list = json_array(), *v;
	struct strbuf sb;
	const char *p = tags ? tags : "";
	char *out;
	size_t i;

	while (*p) {
		size_t n = strcspn(p, ",");

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n)
			json_array_append_new(list, json_stringn(p, n));
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	json_array_foreach(add, i, v)
		json_array_append(list, v);
	strbuf_init(&sb, 0);
	json_array_foreach(list, i, v) {
		const char *t = json_string_value(v);
		json_t *r;
		size_t j, k;
		int skip = 0;

		json_array_foreach(remove, j, r)
			skip |= !strcmp(json_string_value(r), t);
		for (k = 0; k < i; k++)
			skip |= !strcmp(
				json_string_value(json_array_get(list, k)), t);
		if (!skip)
			strbuf_printf(&sb, "%s%s", sb.len ? "," : "", t);
	}
	out = sb.len ? xstrdup(sb.data) : NULL;
	strbuf_free(&sb);
	json_decref(list);
	return out;
}

/* to's k when it changes, else dev's (NULL when neither has it). */
static json_t *bulk_pick(json_t *to, json_t *dev, const char *k)
{
	json_t *v = json_object_get(to, k);

	return v ? v : json_object_get(dev, k);
}

static const char *const bulk_text_fields[] = {"status", "location", "tags",
					       NULL};

int store_device_bulk_set(struct store *st, int64_t id, json_t *set,
			  const char *now, int *changed)
{
	json_t *dev = store_device_get(st, id), *from = json_object();
	json_t *to = json_object(), *next, *detail = NULL;
	char *tags = NULL;
	const char *k;
	json_t *v;
	int rc = -1, i;

	*changed = 0;
	if (!dev)
		goto done;
	next = json_object();
	for (i = 0; bulk_text_fields[i]; i++) {
		v = json_object_get(set, bulk_text_fields[i]);
		json_object_set(next, bulk_text_fields[i],
				v ? v
				  : json_object_get(dev, bulk_text_fields[i]));
	}
	if (json_object_get(set, "tags_add") ||
	    json_object_get(set, "tags_remove")) {
		tags = bulk_tags(
			json_string_value(json_object_get(next, "tags")),
			json_object_get(set, "tags_add"),
			json_object_get(set, "tags_remove"));
		json_object_set_new(next, "tags",
				    tags ? json_string(tags) : json_null());
	}
	v = json_object_get(set, "org_id");
	json_object_set(next, "org_id", v ? v : json_object_get(dev, "org_id"));
	json_object_foreach(next, k, v) {
		json_t *old = json_object_get(dev, k);

		if (!old)
			old = json_null();
		if (json_is_string(v) && !*json_string_value(v))
			v = json_null();
		if (json_equal(old, v))
			continue;
		json_object_set(from, k, old);
		json_object_set(to, k, v);
	}
	json_decref(next);
	if (!json_object_size(to)) {
		rc = 0;
		goto done;
	}
	rc = sql_api_exec(
		st,
		"UPDATE device SET status = ?, location = ?, tags = ?,"
		" org_id = ? WHERE id = ?",
		json_pack("[O?O?O?O?I]", bulk_pick(to, dev, "status"),
			  bulk_pick(to, dev, "location"),
			  bulk_pick(to, dev, "tags"),
			  bulk_pick(to, dev, "org_id"), (json_int_t)id));
	if (rc)
		goto done;
	/* moved to another org: values of fields that do not apply there
	 * go (they would show another org's fields to the new one) */
	if (json_object_get(to, "org_id"))
		rc = sql_api_exec(
			st,
			"DELETE FROM device_custom WHERE device_id = ?2 AND"
			" field_id IN (SELECT id FROM custom_field WHERE org_id"
			" IS NOT NULL AND org_id <> ?1 AND org_id NOT "
			"IN " ORG_UP ")",
			json_pack("[OI]", json_object_get(to, "org_id"),
				  (json_int_t)id));
	if (rc)
		goto done;
	detail = json_pack("{sOsO}", "from", from, "to", to);
	rc = store_change_add(st, id, "sys", "change", "", detail, now);
	*changed = rc == 0;
done:
	free(tags);
	json_decref(detail);
	json_decref(from);
	json_decref(to);
	json_decref(dev);
	return rc;
}

int store_org_lookup(struct store *st, const char *name, int64_t *id)
{
	json_t *params = json_pack("[s]", name);
	int rc;

	*id = 0;
	rc = sql_api_scalar(st, "SELECT id FROM org WHERE name = ?", params,
			    id);
	json_decref(params);
	return rc;
}
