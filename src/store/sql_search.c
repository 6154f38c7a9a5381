/*
 * sql_search.c: store_search.h for every SQL engine.
 *
 * Each lookup is one constant statement (column names from the table
 * below, values bound); the org filter is appended by sql_api_org_in().
 * A device found by several fields is listed once, under the first field
 * in the table's order. A prefix is a range on an index: on SQLite an
 * index with COLLATE NOCASE (named by INDEXED BY, so that a plan that
 * cannot use it fails instead of scanning), on PostgreSQL one on
 * lower(col) (db.h: "x COLLATE NOCASE" is lower(x) there, INDEXED BY
 * goes).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"
#include "store/db.h"
#include "store/sql_api_int.h"
#include "store/sql_ops.h"
#include "store/store_search.h"

/* Sorts after any text that starts with the prefix (memcmp order). */
#define SEARCH_TOP "\xf4\x8f\xbf\xbf" /* U+10FFFF */

#define DEVICE_OUT "d.id, d.hostname, d.ip, d.mac, d.type, d.os_name, d.org_id"

enum search_kind {
	SEARCH_TEXT, /* any text: NOCASE prefix */
	SEARCH_IP,   /* an address prefix */
	SEARCH_MAC,  /* a canonical MAC prefix */
	SEARCH_TAG,  /* one of the comma-separated tags */
};

struct search_field {
	const char *field; /* the name shown as "match.field" */
	enum search_kind kind;
	const char *sql; /* ?1 low, ?2 high (or the LIKE patterns); the org
			  * filter and "LIMIT ?" follow */
};

/* (SQL names ignore case: device_sysName_nc is device_sysname_nc.) */
#define DEV_PREFIX(col)                                                        \
	"SELECT " DEVICE_OUT ", d." col " AS value FROM device d INDEXED BY"   \
	" device_" col "_nc WHERE d." col " COLLATE NOCASE >= ?1 COLLATE"      \
	" NOCASE AND d." col " COLLATE NOCASE < ?2 COLLATE NOCASE"

static const struct search_field search_fields[] = {
	{"hostname", SEARCH_TEXT, DEV_PREFIX("hostname")},
	{"fqdn", SEARCH_TEXT, DEV_PREFIX("fqdn")},
	{"sysName", SEARCH_TEXT, DEV_PREFIX("sysName")},
	{"serial", SEARCH_TEXT, DEV_PREFIX("serial")},
	{"uuid", SEARCH_TEXT, DEV_PREFIX("uuid")},
	{"ip", SEARCH_IP,
	 "SELECT " DEVICE_OUT ", d.ip AS value FROM device d INDEXED BY"
	 " device_ip WHERE d.ip >= ?1 AND d.ip < ?2"},
	{"ip", SEARCH_IP,
	 "SELECT " DEVICE_OUT ", c.ip AS value FROM component c INDEXED BY"
	 " component_ip CROSS JOIN device d ON d.id = c.device_id WHERE"
	 " c.ip >= ?1 AND c.ip < ?2 AND c.section = 'ip' AND c.current = 1"},
	{"mac", SEARCH_MAC,
	 "SELECT " DEVICE_OUT ", d.mac AS value FROM device d INDEXED BY"
	 " device_mac WHERE d.mac >= ?1 AND d.mac < ?2"},
	{"mac", SEARCH_MAC,
	 "SELECT " DEVICE_OUT ", c.mac AS value FROM component c INDEXED BY"
	 " component_mac CROSS JOIN device d ON d.id = c.device_id WHERE"
	 " c.mac >= ?1 AND c.mac < ?2 AND c.section IN ('network', 'ip')"
	 " AND c.current = 1"},
	{"location", SEARCH_TEXT, DEV_PREFIX("location")},
	{"tags", SEARCH_TAG,
	 "SELECT " DEVICE_OUT ", d.tags AS value FROM device d INDEXED BY"
	 " device_tags_nc WHERE d.tags IS NOT NULL AND (d.tags LIKE ?1"
	 " ESCAPE '\\' OR ',' || replace(d.tags, ', ', ',') LIKE ?2"
	 " ESCAPE '\\')"},
};

#define NFIELDS ((int)(sizeof(search_fields) / sizeof(search_fields[0])))

int store_search_mac_prefix(const char *text, char out[18])
{
	char hex[13];
	size_t n = 0, o = 0, i;
	const char *p;

	for (p = text; *p; p++) {
		if (strchr(":-. ", *p))
			continue;
		if (!isxdigit((unsigned char)*p) || n >= 12)
			return -1;
		hex[n++] = (char)tolower((unsigned char)*p);
	}
	if (n < 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (i && !(i % 2))
			out[o++] = ':';
		out[o++] = hex[i];
	}
	out[o] = '\0';
	return 0;
}

/* 1 when q may be the start of an address: digits and dots, or hex
 * digits with a colon (IPv6). */
static int search_looks_ip(const char *q)
{
	int colon = 0;
	const char *p;

	for (p = q; *p; p++) {
		if (*p == ':')
			colon = 1;
		else if (!isxdigit((unsigned char)*p) && *p != '.')
			return 0;
	}
	return colon || strspn(q, "0123456789.") == strlen(q);
}

/* The two values of field f for q in params, or -1 when q cannot match
 * it (not an address, not a MAC). */
static int search_params(const struct search_field *f, const char *q,
			 json_t *params)
{
	char mac[18], low[STORE_SEARCH_Q_MAX + 1];
	const char *v = q;
	size_t i;

	switch (f->kind) {
	case SEARCH_IP:
		if (!search_looks_ip(q))
			return -1;
		for (i = 0; i < sizeof(low) - 1 && q[i]; i++)
			low[i] = (char)tolower((unsigned char)q[i]);
		low[i] = '\0';
		v = low;
		break;
	case SEARCH_MAC:
		if (store_search_mac_prefix(q, mac) < 0)
			return -1;
		v = mac;
		break;
	case SEARCH_TAG:
		json_array_append_new(params, sql_api_like_value("", q, "%"));
		json_array_append_new(params, sql_api_like_value("%,", q, "%"));
		return 0;
	case SEARCH_TEXT:
		break;
	}
	json_array_append_new(params, json_string(v));
	{
		char *high = xasprintf("%s%s", v, SEARCH_TOP);

		json_array_append_new(params, json_string_nocheck(high));
		free(high);
	}
	return 0;
}

/* Runs sql with params (consumed), the org filter on col and LIMIT ?
 * appended. */
static json_t *search_rows(struct store *st, const struct store_search *s,
			   const char *sql, const char *col, json_t *params,
			   const char *tail, int limit)
{
	struct strbuf sb;
	json_t *rows;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, sql);
	sql_api_org_in(&sb, " AND ", col, s->org_ids, s->norgs, params);
	strbuf_printf(&sb, "%s LIMIT ?", tail ? tail : "");
	json_array_append_new(params, json_integer(limit));
	rows = sql_api_rows(st, sb.data, params);
	strbuf_free(&sb);
	json_decref(params);
	return rows;
}

static int search_devices(struct store *st, const struct store_search *s,
			  json_t *out, int *more)
{
	json_t *seen = json_object();
	int i, rc = -1;

	for (i = 0; i < NFIELDS && !*more; i++) {
		const struct search_field *f = &search_fields[i];
		json_t *params = json_array(), *rows, *r;
		size_t j;

		if (search_params(f, s->q, params) < 0) {
			json_decref(params);
			continue;
		}
		rows = search_rows(st, s, f->sql, "+d.org_id", params, NULL,
				   s->limit + 1);
		if (!rows)
			goto out;
		json_array_foreach(rows, j, r) {
			char key[24];

			snprintf(key, sizeof(key), "%lld",
				 (long long)json_integer_value(
					 json_object_get(r, "id")));
			if (json_object_get(seen, key))
				continue;
			if ((int)json_array_size(out) >= s->limit) {
				*more = 1;
				break;
			}
			json_object_set_new(seen, key, json_true());
			json_object_set_new(
				r, "match",
				json_pack("{sssO}", "field", f->field, "value",
					  json_object_get(r, "value")));
			json_object_del(r, "value");
			json_array_append(out, r);
		}
		json_decref(rows);
	}
	rc = 0;
out:
	json_decref(seen);
	return rc;
}

/* The software name after (or from, when first) name that is still under
 * the prefix's high bound: 1 with *next set (free()), 0 at the end, -1 on
 * a database error. */
static const char sw_from[] =
	"SELECT name FROM component INDEXED BY component_software"
	" WHERE section = 'software' AND name COLLATE NOCASE >= ?1"
	" COLLATE NOCASE AND name COLLATE NOCASE < ?2 COLLATE NOCASE"
	" ORDER BY name COLLATE NOCASE LIMIT 1";
static const char sw_after[] =
	"SELECT name FROM component INDEXED BY component_software"
	" WHERE section = 'software' AND name COLLATE NOCASE > ?1"
	" COLLATE NOCASE AND name COLLATE NOCASE < ?2 COLLATE NOCASE"
	" ORDER BY name COLLATE NOCASE LIMIT 1";
static const char sw_devs[] =
	"SELECT DISTINCT d.id, d.hostname, d.ip FROM component c"
	" INDEXED BY component_software CROSS JOIN device d ON"
	" d.id = c.device_id WHERE c.section = 'software' AND"
	" c.name COLLATE NOCASE = ?1 COLLATE NOCASE AND c.current = 1";
static const char sw_ids[] =
	"SELECT DISTINCT c.device_id FROM component c"
	" INDEXED BY component_software CROSS JOIN device d ON"
	" d.id = c.device_id WHERE c.section = 'software' AND"
	" c.name COLLATE NOCASE = ?1 COLLATE NOCASE AND c.current = 1";

static int search_next_name(struct store *st, const char *name,
			    const char *high, int first, char **next)
{
	json_t *params = json_array(), *rows;
	const char *v;
	int rc;

	json_array_append_new(params, json_string_nocheck(name));
	json_array_append_new(params, json_string_nocheck(high));
	rows = sql_api_rows(st, first ? sw_from : sw_after, params);
	json_decref(params);
	if (!rows)
		return -1;
	v = json_string_value(json_object_get(json_array_get(rows, 0), "name"));
	rc = v ? 1 : 0;
	*next = v ? xstrdup(v) : NULL;
	json_decref(rows);
	return rc;
}

/* The devices (visible to the caller) that have software name, up to
 * limit, and how many there are (up to STORE_SEARCH_COUNT_CAP): an
 * object, json_null() when no visible device has it, NULL on error. */
static json_t *search_software_one(struct store *st,
				   const struct store_search *s,
				   const char *name)
{
	json_t *rows, *n;
	size_t count;

	rows = search_rows(st, s, sw_devs, "+d.org_id", json_pack("[s]", name),
			   NULL, s->limit);
	if (!rows || !json_array_size(rows)) {
		json_decref(rows);
		return rows ? json_null() : NULL;
	}
	n = search_rows(st, s, sw_ids, "+d.org_id", json_pack("[s]", name),
			NULL, STORE_SEARCH_COUNT_CAP + 1);
	if (!n) {
		json_decref(rows);
		return NULL;
	}
	count = json_array_size(n);
	json_decref(n);
	return json_pack("{sssIsbso}", "name", name, "device_count",
			 (json_int_t)(count > STORE_SEARCH_COUNT_CAP
					      ? STORE_SEARCH_COUNT_CAP
					      : count),
			 "device_count_capped", count > STORE_SEARCH_COUNT_CAP,
			 "devices", rows);
}

/* Distinct software names under the prefix, one index seek each, as far
 * as the first limit that a visible device has (at most 10 * limit names
 * are tried, so another org's many names cannot make this long). */
static int search_software(struct store *st, const struct store_search *s,
			   json_t *out, int *more)
{
	char *high = xasprintf("%s%s", s->q, SEARCH_TOP);
	char *name = xstrdup(s->q), *next = NULL;
	int tries, got, rc = -1;

	for (tries = 0; tries < 10 * s->limit; tries++) {
		json_t *one;

		got = search_next_name(st, name, high, !tries, &next);
		if (got < 0)
			goto out;
		if (!got)
			break;
		free(name);
		name = next;
		one = search_software_one(st, s, name);
		if (!one)
			goto out;
		if (json_is_null(one))
			continue;
		if ((int)json_array_size(out) >= s->limit) {
			json_decref(one);
			*more = 1;
			break;
		}
		json_array_append_new(out, one);
	}
	rc = 0;
out:
	free(name);
	free(high);
	return rc;
}

static json_t *search_contains(struct store *st, const struct store_search *s,
			       const char *sql, int nlike, int *more)
{
	json_t *params = json_array(), *rows;
	int i;

	for (i = 0; i < nlike; i++)
		json_array_append_new(params,
				      sql_api_like_value("%", s->q, "%"));
	rows = search_rows(st, s, sql, "org_id", params, " ORDER BY 2",
			   s->limit + 1);
	if (rows && (int)json_array_size(rows) > s->limit) {
		json_array_remove(rows, (size_t)s->limit);
		*more = 1;
	}
	return rows;
}

static const char discoveries[] =
	"SELECT id, name, targets, org_id FROM discovery WHERE"
	" (name LIKE ?1 ESCAPE '\\' OR targets LIKE ?2 ESCAPE '\\')";
static const char users[] =
	"SELECT id, name AS username, full_name, role, org_id FROM"
	" \"user\" WHERE (name LIKE ?1 ESCAPE '\\' OR full_name LIKE ?2"
	" ESCAPE '\\' OR email LIKE ?3 ESCAPE '\\')";

json_t *sql_search(struct store *st, const struct store_search *s)
{
	json_t *o = json_object(), *devices = json_array(), *sw = json_array();
	json_t *disc = NULL, *us = NULL;
	int more_d = 0, more_s = 0, more_x = 0, more_u = 0;

	if (search_devices(st, s, devices, &more_d) < 0 ||
	    search_software(st, s, sw, &more_s) < 0)
		goto fail;
	disc = search_contains(st, s, discoveries, 2, &more_x);
	if (!disc)
		goto fail;
	us = s->users ? search_contains(st, s, users, 3, &more_u)
		      : json_array();
	if (!us)
		goto fail;
	json_object_set_new(o, "devices", devices);
	json_object_set_new(o, "software", sw);
	json_object_set_new(o, "discoveries", disc);
	json_object_set_new(o, "users", us);
	json_object_set_new(o, "more",
			    json_pack("{sbsbsbsb}", "devices", more_d,
				      "software", more_s, "discoveries", more_x,
				      "users", more_u));
	return o;
fail:
	json_decref(o);
	json_decref(devices);
	json_decref(sw);
	json_decref(disc);
	return NULL;
}

/* The plan of sql with the org filter on col (NULL: none) for two orgs,
 * its lines joined by "; ": the engine's own words (SQLite's EXPLAIN
 * QUERY PLAN "detail", PostgreSQL's EXPLAIN "QUERY PLAN" lines). */
static json_t *search_plan(struct store *st, const char *sql, const char *col)
{
	static const int64_t orgs[] = {1, 2};
	struct strbuf sb, out;
	json_t *params = json_array(), *rows, *r;
	size_t i;

	strbuf_init(&sb, 0);
	strbuf_init(&out, 0);
	strbuf_printf(&sb, "%s%s", st->ops->dialect->explain, sql);
	if (col) { /* as search_rows() */
		sql_api_org_in(&sb, " AND ", col, orgs, 2, params);
		strbuf_puts(&sb, " LIMIT 10");
	}
	rows = sql_api_rows(st, sb.data, params);
	json_array_foreach(rows, i, r) {
		json_t *line = json_object_get(r, "detail");

		if (!line)
			line = json_object_get(r, "QUERY PLAN");
		strbuf_printf(&out, "%s%s", i ? "; " : "",
			      json_string_value(line));
	}
	json_decref(params);
	strbuf_free(&sb);
	r = rows ? json_string(out.data ? out.data : "") : NULL;
	json_decref(rows);
	strbuf_free(&out);
	return r;
}

json_t *sql_search_plans(struct store *st)
{
	static const struct {
		const char *name, *sql, *col;
	} more[] = {
		{"software.first", sw_from, NULL},
		{"software.next", sw_after, NULL},
		{"software.devices", sw_devs, "+d.org_id"},
		{"software.count", sw_ids, "+d.org_id"},
		{"discoveries", discoveries, "org_id"},
		{"users", users, "org_id"},
	};
	json_t *o = json_object(), *p;
	char name[32];
	size_t i, n = sizeof(more) / sizeof(more[0]);

	for (i = 0; i < (size_t)NFIELDS + n; i++) {
		if (i < (size_t)NFIELDS) {
			snprintf(name, sizeof(name), "%s.%zu",
				 search_fields[i].field, i);
			p = search_plan(st, search_fields[i].sql, "+d.org_id");
		} else {
			snprintf(name, sizeof(name), "%s",
				 more[i - NFIELDS].name);
			p = search_plan(st, more[i - NFIELDS].sql,
					more[i - NFIELDS].col);
		}
		if (!p) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, name, p);
	}
	return o;
}
