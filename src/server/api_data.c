/*
 * Data management (branch uidata): devices created by hand or imported
 * from a CSV file (both through intake, import.h), bulk edits of a
 * selection, and custom fields (store_data.h). Reads are open to every
 * logged-in user of the org tree; writes need org_admin. An id of a
 * device in an org the caller cannot see is refused exactly like one that
 * does not exist (404), so other tenants' ids cannot be probed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "report/csv_devices.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/import.h"
#include "store/store_api.h"
#include "store/store_data.h"

#define BULK_MAX 10000	   /* devices in one bulk edit */
#define BULK_TEXT_MAX 1024 /* a status, location or tags value */
#define FIELD_LABEL_MAX 100

/* ---- field errors in the one shape (docs/api.md, "Errors") ---- */

/* Replies status with {error, field, fields} from errors ([{column,
 * message}]): the first message is the error, each column its own. */
static int data_reply_fields(struct request *rq, unsigned status,
			     json_t *errors, json_t *extra)
{
	json_t *first = json_array_get(errors, 0), *e;
	json_t *o = extra ? json_copy(extra) : json_object();
	json_t *fields = json_object();
	size_t i;

	json_object_set(o, "error", json_object_get(first, "message"));
	json_array_foreach(errors, i, e) {
		const char *col =
			json_string_value(json_object_get(e, "column"));

		if (!col || !*col || json_object_get(fields, col))
			continue;
		if (!json_object_size(fields))
			json_object_set_new(o, "field", json_string(col));
		json_object_set(fields, col, json_object_get(e, "message"));
	}
	if (json_object_size(fields))
		json_object_set_new(o, "fields", fields);
	else
		json_decref(fields);
	return api_reply_json(rq, status, o);
}

/* "user NAME, from ADDR": who imported, for the audit log. */
static void data_source(struct request *rq, char *buf, size_t len)
{
	snprintf(buf, len, "user %s (%s), from %s", rq->who.name,
		 rq->token_id ? "token" : "session", rq->client);
}

/* Runs rows through import under the write lock; NULL after replying. */
static json_t *data_import(struct request *rq, json_t *rows, int64_t org,
			   int dry_run, const char *format)
{
	struct import_opts o = {
		.org_id = org, .dry_run = dry_run, .format = format};
	char src[sizeof(rq->who.name) + 128];
	json_t *res;

	o.org_ids = api_scope(rq, &o.norgs);
	data_source(rq, src, sizeof(src));
	o.source = src;
	res = import_devices(rq->st, rows, &o);
	if (!res)
		api_reply_error(rq, 500, NULL,
				"the database failed during the import: "
				"nothing was stored");
	return res;
}

/* The org_id query parameter (default: the caller's org); 0 after
 * replying 400. */
static int64_t data_org_arg(struct request *rq)
{
	const char *a = request_arg(rq, "org_id");
	long v;

	if (!a)
		return rq->who.org_id;
	if (util_parse_long(a, 1, INT64_MAX, &v) < 0 ||
	    !api_org_visible(rq, v)) {
		api_reply_error(rq, 400, "org_id", "no org '%.32s'", a);
		return 0;
	}
	return v;
}

/* ---- POST /api/v1/devices/import ---- */

int api_devices_import(struct request *rq)
{
	static const char *const allowed[] = {"dry_run", "org_id", NULL};
	const char *dry = request_arg(rq, "dry_run");
	const char *ctype = request_header(rq, "Content-Type");
	struct report_error err;
	json_t *body = NULL, *parsed = NULL, *res;
	const char *text = rq->body.data;
	size_t len = rq->body.len;
	int64_t org;
	int dry_run = 0;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) ||
	    !api_args_known(rq, allowed, "dry_run, org_id"))
		return 0;
	if (dry && (!strcmp(dry, "true") || !strcmp(dry, "1")))
		dry_run = 1;
	else if (dry && strcmp(dry, "false") && strcmp(dry, "0"))
		return api_reply_error(rq, 400, "dry_run",
				       "dry_run must be true or false");
	if (!(org = data_org_arg(rq)))
		return 0;
	/* the web UI sends {"csv": TEXT}; curl and scripts the file */
	if (ctype && !strncmp(ctype, "application/json", 16)) {
		if (!(body = api_body_json(rq)))
			return 0;
		text = json_string_value(json_object_get(body, "csv"));
		if (!text) {
			json_decref(body);
			return api_reply_error(rq, 400, "csv",
					       "csv must hold the file's text");
		}
		len = json_string_length(json_object_get(body, "csv"));
	}
	memset(&err, 0, sizeof(err));
	if (!text || !len || !(parsed = csv_devices_read(text, len, &err))) {
		json_decref(body);
		return api_reply_error(rq, 400, "csv",
				       "the file is refused: %s",
				       len ? err.msg
					   : "it is empty (the first line "
					     "must name the columns)");
	}
	json_decref(body);
	res = data_import(rq, json_object_get(parsed, "rows"), org, dry_run,
			  "csv");
	if (res) {
		json_object_set(res, "columns",
				json_object_get(parsed, "columns"));
		json_object_set(res, "ignored",
				json_object_get(parsed, "ignored"));
		/* a file with a bad row is refused whole: 422, as a rejected
		 * device report */
		api_reply_json(
			rq,
			json_integer_value(json_object_get(res, "errors")) &&
					!dry_run
				? 422
				: 200,
			res);
	}
	json_decref(parsed);
	return 0;
}

/* ---- POST /api/v1/devices ---- */

/* body's members as column values ({"column": "text"}); 0, or -1 after
 * replying 400 naming the member at fault. */
static int data_create_values(struct request *rq, json_t *body, json_t *values)
{
	const char *k, *ck;
	json_t *v, *cv;
	char num[32], key[STORE_CUSTOM_NAME_MAX + 16];

	json_object_foreach(body, k, v) {
		if (!strcmp(k, "custom") && json_is_object(v)) {
			json_object_foreach(v, ck, cv) {
				snprintf(key, sizeof(key), "custom.%.40s", ck);
				if (json_is_string(cv)) {
					json_object_set(values, key, cv);
				} else if (json_is_number(cv)) {
					snprintf(num, sizeof(num), "%.15g",
						 json_number_value(cv));
					json_object_set_new(values, key,
							    json_string(num));
				} else if (!json_is_null(cv)) {
					api_reply_error(rq, 400, key,
							"%s must be text or a "
							"number",
							key);
					return -1;
				}
			}
			continue;
		}
		if (csv_devices_column_kind(k) == CSV_COLUMN_UNKNOWN ||
		    csv_devices_column_kind(k) == CSV_COLUMN_CUSTOM) {
			api_reply_error(rq, 400, k,
					"unknown field '%.48s'; a device has "
					"hostname, fqdn, domain, ip, mac, "
					"serial, uuid, manufacturer, model, "
					"type, os_*, sysName, status, owner, "
					"location, tags, description, org_id, "
					"custom",
					k);
			return -1;
		}
		if (!strcmp(k, "org_id") && json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
			json_object_set_new(values, k, json_string(num));
		} else if (json_is_string(v)) {
			json_object_set(values, k, v);
		} else if (!json_is_null(v)) {
			api_reply_error(rq, 400, k, "%s must be text", k);
			return -1;
		}
	}
	return 0;
}

int api_device_create(struct request *rq)
{
	json_t *body, *values = NULL, *rows = NULL, *res = NULL, *r;
	const char *action;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	values = json_object();
	if (data_create_values(rq, body, values) < 0)
		goto done;
	rows = json_pack("[o]", csv_devices_row(values, 1));
	/* first as a dry run: a create that matches a stored device would
	 * update it, which is not what the form asked */
	if (!(res = data_import(rq, rows, rq->who.org_id, 1, "api")))
		goto done;
	r = json_array_get(json_object_get(res, "rows"), 0);
	action = json_string_value(json_object_get(r, "action"));
	if (!strcmp(action, "error")) {
		data_reply_fields(rq, 400, json_object_get(r, "errors"), NULL);
		goto done;
	}
	if (!strcmp(action, "update")) {
		api_reply_error(rq, 409, NULL,
				"this is device %lld already (matched by %s): "
				"edit that one instead",
				(long long)json_integer_value(
					json_object_get(r, "device_id")),
				json_string_value(json_object_get(r, "rule")));
		goto done;
	}
	json_decref(res);
	if (!(res = data_import(rq, rows, rq->who.org_id, 0, "api")))
		goto done;
	r = json_array_get(json_object_get(res, "rows"), 0);
	if (!json_object_get(res, "stored") ||
	    !json_is_true(json_object_get(res, "stored"))) {
		data_reply_fields(rq, 400, json_object_get(r, "errors"), NULL);
		goto done;
	}
	{
		int64_t id =
			json_integer_value(json_object_get(r, "device_id"));
		json_t *dev = store_device_get(rq->st, id);

		if (!dev) {
			api_reply_error(rq, 500, NULL, "cannot read device");
			goto done;
		}
		json_object_set_new(dev, "custom",
				    store_custom_values(rq->st, id));
		api_reply_json(rq, 201, dev);
	}
done:
	json_decref(res);
	json_decref(rows);
	json_decref(values);
	json_decref(body);
	return 0;
}

/* ---- POST /api/v1/devices/bulk ---- */

/* 0 when every member of set is one a bulk edit may set, else -1 after
 * replying 400 naming it. */
static int bulk_check_set(struct request *rq, json_t *set)
{
	const char *k;
	json_t *v, *t;
	size_t i;

	if (!json_is_object(set) || !json_object_size(set))
		return api_reply_error(rq, 400, "set",
				       "set must be an object of status, "
				       "location, tags, tags_add, tags_remove "
				       "or org_id"),
		       -1;
	json_object_foreach(set, k, v) {
		if (!strcmp(k, "status") || !strcmp(k, "location") ||
		    !strcmp(k, "tags")) {
			if (json_is_null(v) ||
			    (json_is_string(v) &&
			     json_string_length(v) <= BULK_TEXT_MAX))
				continue;
			api_reply_error(rq, 400, k,
					"%s must be text of at most %d bytes, "
					"or null",
					k, BULK_TEXT_MAX);
			return -1;
		}
		if (!strcmp(k, "tags_add") || !strcmp(k, "tags_remove")) {
			if (!json_is_array(v))
				goto bad_tags;
			json_array_foreach(v, i, t)
				if (!json_is_string(t) ||
				    !json_string_length(t) ||
				    json_string_length(t) > 100 ||
				    strchr(json_string_value(t), ','))
					goto bad_tags;
			continue;
		}
		if (!strcmp(k, "org_id")) {
			if (json_is_integer(v) &&
			    api_org_visible(rq, json_integer_value(v)))
				continue;
			api_reply_error(rq, 400, k, "no org '%lld'",
					(long long)json_integer_value(v));
			return -1;
		}
		api_reply_error(rq, 400, k,
				"'%.48s' cannot be set in bulk: use status, "
				"location, tags, tags_add, tags_remove or "
				"org_id",
				k);
		return -1;
	}
	return 0;
bad_tags:
	api_reply_error(rq, 400, k,
			"%s must be a list of tags (text of 1 to 100 bytes "
			"without commas)",
			k);
	return -1;
}

/* 400 naming a custom.NAME condition of q that is no field the caller
 * sees (the fields of its org tree, above it and global); 0 when there
 * is none. */
static int data_custom_conds(struct request *rq, const struct store_query *q)
{
	json_t *fields = NULL, *f;
	int i, found;
	size_t j;

	for (i = 0; i < q->nconds; i++) {
		if (strncmp(q->conds[i].field, "custom.", 7))
			continue;
		if (!fields)
			fields = store_custom_field_list(
				rq->st, rq->who.all_orgs ? 0 : rq->who.org_id);
		found = 0;
		json_array_foreach(fields, j, f)
			found |= !strcmp(
				json_string_value(json_object_get(f, "name")),
				q->conds[i].field + 7);
		if (!found) {
			json_decref(fields);
			api_reply_error(rq, 400, q->conds[i].field,
					"unknown custom field '%s' (see "
					"/api/v1/custom-fields)",
					q->conds[i].field + 7);
			return -1;
		}
	}
	json_decref(fields);
	return 0;
}

/* The ids a bulk edit's filter selects (its text in the filter
 * language); NULL after replying. */
static json_t *bulk_filter_ids(struct request *rq, const char *filter)
{
	struct query_arg args[STORE_QUERY_MAX_CONDS + 2];
	struct query_error qe;
	struct store_query q;
	json_t *rows, *ids, *r;
	int64_t count = 0;
	char *buf = NULL;
	int n;
	size_t i;

	n = query_split(filter, args, STORE_QUERY_MAX_CONDS, &buf);
	if (n <= 0) {
		free(buf);
		api_reply_error(rq, 400, "filter",
				n ? "filter has too many conditions"
				  : "filter must hold at least one condition "
				    "(every device: id__gte=1)");
		return NULL;
	}
	if (query_parse(STORE_API_DEVICES, args, n, NULL, &q, &qe) < 0 ||
	    q.limit != QUERY_LIMIT_DEFAULT || q.offset || q.norder) {
		free(buf);
		store_query_free(&q);
		api_reply_error(rq, 400, "filter", "filter: %s",
				qe.msg[0]
					? qe.msg
					: "limit, offset and ordering have no "
					  "place in a bulk edit");
		return NULL;
	}
	free(buf);
	if (data_custom_conds(rq, &q) < 0) {
		store_query_free(&q);
		return NULL;
	}
	q.limit = BULK_MAX + 1;
	api_query_scope(rq, &q);
	rows = store_api_list(rq->st, STORE_API_DEVICES, &q, &count);
	store_query_free(&q);
	if (!rows) {
		api_reply_error(rq, 500, NULL, "the query failed");
		return NULL;
	}
	if (count > BULK_MAX) {
		json_decref(rows);
		api_reply_error(rq, 400, "filter",
				"the filter selects %lld devices; a bulk edit "
				"takes at most %d",
				(long long)count, BULK_MAX);
		return NULL;
	}
	ids = json_array();
	json_array_foreach(rows, i, r)
		json_array_append(ids, json_object_get(r, "id"));
	json_decref(rows);
	return ids;
}

/* The ids of a bulk edit's "ids", each one a device the caller sees;
 * NULL after replying (404 naming the first other one). */
static json_t *bulk_ids(struct request *rq, json_t *given)
{
	json_t *found = NULL, *v;
	const int64_t *orgs;
	int norgs;
	size_t i, j;

	if (!json_is_array(given) || !json_array_size(given) ||
	    json_array_size(given) > BULK_MAX)
		goto bad;
	json_array_foreach(given, i, v)
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			goto bad;
	orgs = api_scope(rq, &norgs);
	if (store_devices_in_orgs(rq->st, given, orgs, norgs, &found) < 0) {
		json_decref(found);
		api_reply_error(rq, 500, NULL, "the query failed");
		return NULL;
	}
	json_array_foreach(given, i, v) {
		json_t *w;
		int seen = 0;

		json_array_foreach(found, j, w)
			seen |= json_integer_value(w) == json_integer_value(v);
		if (!seen) {
			api_reply_error(rq, 404, "ids", "no device %lld",
					(long long)json_integer_value(v));
			json_decref(found);
			return NULL;
		}
	}
	return found;
bad:
	api_reply_error(rq, 400, "ids",
			"ids must be a list of 1 to %d device ids", BULK_MAX);
	return NULL;
}

int api_devices_bulk(struct request *rq)
{
	json_t *body, *set, *ids = NULL, *filter, *v;
	struct store *st;
	char now[20];
	int changed = 0, ch, rc = 0;
	size_t i;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	set = json_object_get(body, "set");
	filter = json_object_get(body, "filter");
	if (json_object_get(body, "ids") && filter) {
		api_reply_error(rq, 400, "filter",
				"give ids or filter, not both");
		goto done;
	}
	if (filter && !json_is_string(filter)) {
		api_reply_error(rq, 400, "filter",
				"filter must be text in the filter language "
				"(status=spare&location__ic=dc1)");
		goto done;
	}
	if (bulk_check_set(rq, set) < 0)
		goto done;
	ids = filter ? bulk_filter_ids(rq, json_string_value(filter))
		     : bulk_ids(rq, json_object_get(body, "ids"));
	if (!ids)
		goto done;
	util_now(now);
	st = rq->st;
	if (store_begin(st) < 0) {
		rc = -1;
	} else {
		json_array_foreach(ids, i, v) {
			if (store_device_bulk_set(st, json_integer_value(v),
						  set, now, &ch) < 0) {
				rc = -1;
				break;
			}
			changed += ch;
		}
		if (rc < 0)
			store_rollback(st);
		else
			rc = store_commit(st);
	}
	if (rc < 0)
		api_reply_error(rq, 500, NULL,
				"the database failed: nothing was changed");
	else
		api_reply_json(rq, 200,
			       json_pack("{sIsisO}", "matched",
					 (json_int_t)json_array_size(ids),
					 "changed", changed, "ids", ids));
done:
	json_decref(ids);
	json_decref(body);
	return 0;
}

/* ---- custom fields ---- */

int api_custom_fields_list(struct request *rq)
{
	json_t *rows = store_custom_field_list(
		rq->st, rq->who.all_orgs ? 0 : rq->who.org_id);

	if (!rows)
		return api_reply_error(rq, 500, NULL, "the query failed");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

/* The field of the path when the caller may change it (global: an
 * admin of the root org; else org_admin of its org); NULL after
 * replying 404 (not visible) or 403. */
static json_t *field_for_write(struct request *rq)
{
	int found = 0;
	json_t *f = store_custom_field_get(rq->st, rq->params.id[0], &found);
	json_t *org;

	if (!api_need_role(rq, ROLE_ORG_ADMIN)) {
		json_decref(f);
		return NULL;
	}
	if (!f) {
		api_reply_error(rq, found ? 500 : 404, NULL,
				"no custom field %lld",
				(long long)rq->params.id[0]);
		return NULL;
	}
	org = json_object_get(f, "org_id");
	if (json_is_null(org) ? !rq->who.root_org || rq->who.role != ROLE_ADMIN
			      : !api_org_visible(rq, json_integer_value(org))) {
		json_t *mine = store_custom_field_list(rq->st, rq->who.org_id);
		json_t *m;
		size_t i;
		int sees = rq->who.all_orgs;

		json_array_foreach(mine, i, m)
			sees |= json_integer_value(json_object_get(m, "id")) ==
				rq->params.id[0];
		json_decref(mine);
		if (sees)
			api_reply_error(
				rq, 403, NULL,
				"custom field '%s' belongs to %s: only "
				"its admins change it",
				json_string_value(json_object_get(f, "name")),
				json_is_null(org) ? "every org (global)"
						  : "an org above yours");
		else
			api_reply_error(rq, 404, NULL, "no custom field %lld",
					(long long)rq->params.id[0]);
		json_decref(f);
		return NULL;
	}
	return f;
}

/* Checks label and allowed of f for type; 0, or -1 after 400. */
static int field_check(struct request *rq, json_t *f, const char *type)
{
	json_t *label = json_object_get(f, "label");
	json_t *allowed = json_object_get(f, "allowed"), *v;
	size_t i, j;

	if (label && !json_is_null(label) &&
	    (!json_is_string(label) ||
	     json_string_length(label) > FIELD_LABEL_MAX))
		return api_reply_error(rq, 400, "label",
				       "label must be text of at most %d "
				       "bytes",
				       FIELD_LABEL_MAX),
		       -1;
	if (strcmp(type, "list")) {
		if (allowed &&
		    !(json_is_array(allowed) && !json_array_size(allowed)))
			return api_reply_error(rq, 400, "allowed",
					       "allowed values are for a list "
					       "field; a %s field takes none",
					       type),
			       -1;
		return 0;
	}
	if (!json_is_array(allowed) || !json_array_size(allowed) ||
	    json_array_size(allowed) > STORE_CUSTOM_ALLOWED_MAX)
		goto bad;
	json_array_foreach(allowed, i, v) {
		if (!json_is_string(v) || !json_string_length(v) ||
		    json_string_length(v) > 200)
			goto bad;
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(allowed, j), v))
				return api_reply_error(
					       rq, 400, "allowed",
					       "allowed names '%s' twice",
					       json_string_value(v)),
				       -1;
	}
	return 0;
bad:
	return api_reply_error(rq, 400, "allowed",
			       "a list field needs allowed: 1 to %d values, "
			       "each text of 1 to 200 bytes",
			       STORE_CUSTOM_ALLOWED_MAX),
	       -1;
}

int api_custom_field_create(struct request *rq)
{
	static const char *const keys[] = {"name",    "label",	"type",
					   "allowed", "org_id", NULL};
	json_t *body, *org, *f;
	const char *name, *type, *k;
	json_t *v;
	int64_t id = 0, org_id;
	int clash = 0, rc, i, batch;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	json_object_foreach(body, k, v) {
		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i]) {
			api_reply_error(
				rq, 400, k,
				"unknown field '%.48s'; a custom field "
				"has name, label, type, allowed, org_id",
				k);
			goto done;
		}
	}
	name = json_string_value(json_object_get(body, "name"));
	type = json_string_value(json_object_get(body, "type"));
	org = json_object_get(body, "org_id");
	if (!name || !store_custom_name_ok(name)) {
		api_reply_error(rq, 400, "name",
				"name must be 1 to %d of a-z, 0-9 and _, "
				"starting with a letter (it is used in "
				"filters: custom.NAME=value)",
				STORE_CUSTOM_NAME_MAX);
		goto done;
	}
	if (!type || (strcmp(type, "text") && strcmp(type, "number") &&
		      strcmp(type, "date") && strcmp(type, "list"))) {
		api_reply_error(rq, 400, "type",
				"type must be text, number, date or list");
		goto done;
	}
	if (field_check(rq, body, type) < 0)
		goto done;
	if (json_is_null(org)) {
		if (!rq->who.root_org || rq->who.role != ROLE_ADMIN) {
			api_reply_error(rq, 403, "org_id",
					"a global field (org_id null) needs an "
					"admin of the root org");
			goto done;
		}
		org_id = 0;
	} else if (!org) {
		org_id = rq->who.org_id;
	} else if (!json_is_integer(org) ||
		   !api_org_visible(rq, json_integer_value(org))) {
		api_reply_error(rq, 400, "org_id", "no org '%lld'",
				(long long)json_integer_value(org));
		goto done;
	} else {
		org_id = json_integer_value(org);
	}
	/* one transaction: the name is still free when it is added */
	batch = store_batch_begin(rq->st) == 0;
	rc = batch ? store_custom_field_clash(rq->st, org_id, name, 0, &clash)
		   : -1;
	if (!rc && !clash) {
		f = json_pack("{sossss?sssO?}", "org_id",
			      org_id ? json_integer(org_id) : json_null(),
			      "name", name, "label",
			      json_string_value(json_object_get(body, "label")),
			      "type", type, "allowed",
			      json_object_get(body, "allowed"));
		rc = store_custom_field_add(rq->st, f, &id);
		json_decref(f);
	}
	if (batch && (rc < 0 || clash))
		store_batch_rollback(rq->st);
	else if (batch)
		rc = store_batch_commit(rq->st);
	if (rc < 0)
		api_reply_error(rq, 500, NULL, "cannot add the custom field");
	else if (clash)
		api_reply_error(rq, 409, "name",
				"a custom field named '%s' already applies to "
				"some of these devices (global, or in an org "
				"above or below)",
				name);
	else
		api_reply_json(rq, 201, store_custom_field_get(rq->st, id, &i));
done:
	json_decref(body);
	return 0;
}

int api_custom_field_patch(struct request *rq)
{
	json_t *f = field_for_write(rq), *body = NULL;
	const char *k;
	json_t *v;
	int rc, found;

	if (!f || !(body = api_body_json(rq)))
		goto done;
	json_object_foreach(body, k, v) {
		if (strcmp(k, "label") && strcmp(k, "allowed")) {
			api_reply_error(rq, 400, k,
					"'%.48s' cannot be changed: only label "
					"and allowed (a field's name and type "
					"are its identity: add a new one)",
					k);
			goto done;
		}
	}
	if (field_check(rq, body,
			json_string_value(json_object_get(f, "type"))) < 0)
		goto done;
	rc = store_custom_field_update(rq->st, rq->params.id[0], body);
	if (rc < 0)
		api_reply_error(rq, 500, NULL, "cannot change the field");
	else
		api_reply_json(rq, 200,
			       store_custom_field_get(rq->st, rq->params.id[0],
						      &found));
done:
	json_decref(body);
	json_decref(f);
	return 0;
}

int api_custom_field_delete(struct request *rq)
{
	json_t *f = field_for_write(rq);
	int rc;

	if (!f)
		return 0;
	json_decref(f);
	rc = store_custom_field_delete(rq->st, rq->params.id[0]);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot delete the field");
	return api_reply_text(rq, 204, "%s", "");
}

/* ---- PUT /api/v1/devices/{id}/custom ---- */

int api_device_custom_put(struct request *rq)
{
	int64_t id = rq->params.id[0], org = 0;
	json_t *body = NULL, *checked = json_object(), *f, *v;
	char val[STORE_CUSTOM_VALUE_MAX + 1], why[400], now[20];
	const char *k;
	int found, rc = 0, ch;

	if (store_api_device_org(rq->st, id, &org) < 0 ||
	    (org && !api_org_visible(rq, org)) || !org) {
		api_reply_error(rq, 404, NULL, "no device %lld", (long long)id);
		goto done;
	}
	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		goto done;
	json_object_foreach(body, k, v) {
		f = store_custom_field_for_org(rq->st, org, k, &found);
		if (!f) {
			api_reply_error(rq, 400, k,
					"no custom field '%.40s' for this "
					"device's org",
					k);
			goto done;
		}
		if (json_is_number(v)) {
			char num[32];

			snprintf(num, sizeof(num), "%.15g",
				 json_number_value(v));
			json_object_set_new(body, k, json_string(num));
			v = json_object_get(body, k);
		}
		if (json_is_null(v) ||
		    (json_is_string(v) && !json_string_length(v))) {
			json_object_set_new(
				checked, k,
				json_pack("{sO}", "id",
					  json_object_get(f, "id")));
		} else if (!json_is_string(v) ||
			   store_custom_value_check(f, json_string_value(v),
						    val, sizeof(val), why,
						    sizeof(why)) < 0) {
			if (!json_is_string(v))
				snprintf(why, sizeof(why),
					 "%s must be text, a number or null",
					 k);
			api_reply_error(rq, 400, k, "%s", why);
			json_decref(f);
			goto done;
		} else {
			json_object_set_new(checked, k,
					    json_pack("{sOss}", "id",
						      json_object_get(f, "id"),
						      "value", val));
		}
		json_decref(f);
	}
	util_now(now);
	if (store_begin(rq->st) < 0) {
		rc = -1;
	} else {
		json_object_foreach(checked, k, v) {
			rc = store_custom_set(
				rq->st, id,
				json_integer_value(json_object_get(v, "id")), k,
				json_string_value(json_object_get(v, "value")),
				now, 1, &ch);
			if (rc < 0)
				break;
		}
		if (rc < 0)
			store_rollback(rq->st);
		else
			rc = store_commit(rq->st);
	}
	if (rc < 0)
		api_reply_error(rq, 500, NULL,
				"cannot set the custom fields: nothing was "
				"changed");
	else
		api_reply_json(rq, 200,
			       json_pack("{so}", "custom",
					 store_custom_values(rq->st, id)));
done:
	json_decref(checked);
	json_decref(body);
	return 0;
}

/* ---- for the device list and page (api_devices.c) ---- */

int api_custom_filters_ok(struct request *rq, const struct store_query *q)
{
	return data_custom_conds(rq, q) == 0;
}

json_t *api_custom_csv_columns(struct request *rq)
{
	json_t *cols = store_api_field_names(STORE_API_DEVICES);
	json_t *fields = store_custom_field_list(
		rq->st, rq->who.all_orgs ? 0 : rq->who.org_id);
	json_t *f;
	size_t i;

	json_array_foreach(fields, i, f) {
		char key[STORE_CUSTOM_NAME_MAX + 8];

		snprintf(key, sizeof(key), "custom.%s",
			 json_string_value(json_object_get(f, "name")));
		/* two orgs' fields may share a name: one column */
		if (!json_array_size(cols) ||
		    strcmp(json_string_value(json_array_get(
				   cols, json_array_size(cols) - 1)),
			   key))
			json_array_append_new(cols, json_string(key));
	}
	json_decref(fields);
	return cols;
}
