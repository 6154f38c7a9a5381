/*
 * Devices, their component sections, the change log and the audit log.
 * An object in an org the caller cannot see answers 404, exactly like one
 * that does not exist, so ids of other tenants cannot be probed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "report/sections.h"
#include "server/server_int.h"
#include "store/store_api.h"
#include "store/store_attach.h"
#include "store/store_data.h"
#include "store/store_ui.h"

static const char *const list_extra[] = {"format", NULL};

/* The common list handler: parse, scope, query, reply as JSON or CSV. */
/* A list page as JSON without building jansson objects for the rows: the
 * envelope comes from api_reply_list() with an empty results array (it
 * ends in "[]}"), and the rows' text takes the place of that array. */
static void api_list_json(struct request *rq, enum store_api_res res,
			  const struct store_query *q)
{
	struct strbuf rows;
	int64_t count = 0;
	char *out;

	strbuf_init(&rows, 0);
	if (store_api_list_json(rq->st, res, q, &count, &rows) < 0) {
		api_reply_error(rq, 500, NULL, "the query failed");
		goto out;
	}
	api_reply_list(rq, json_array(), count, q->limit, q->offset);
	if (rq->status != 200 || rq->reply_len < 3 ||
	    memcmp(rq->reply + rq->reply_len - 3, "[]}", 3)) {
		api_reply_error(rq, 500, NULL, "cannot encode the list");
		goto out;
	}
	out = xmalloc(rq->reply_len - 3 + rows.len + 2);
	memcpy(out, rq->reply, rq->reply_len - 3);
	memcpy(out + rq->reply_len - 3, rows.data, rows.len);
	memcpy(out + rq->reply_len - 3 + rows.len, "}", 2);
	free(rq->reply);
	rq->reply = out;
	rq->reply_len = rq->reply_len - 3 + rows.len + 1;
out:
	strbuf_free(&rows);
}

static int api_list(struct request *rq, enum store_api_res res,
		    const char *default_order, int default_desc)
{
	struct store_query q;
	struct query_error err;
	const char *format = request_arg(rq, "format");
	json_t *rows;
	int64_t count = 0;

	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return api_reply_error(rq, 400, "format",
				       "format must be json or csv");
	if (query_parse(res, rq->args, rq->nargs, list_extra, &q, &err) < 0) {
		store_query_free(&q);
		return api_reply_error(rq, 400, err.field, "%s", err.msg);
	}
	if (!q.norder && default_order) {
		snprintf(q.order[0].field, sizeof(q.order[0].field), "%s",
			 default_order);
		q.order[0].desc = default_desc;
		q.norder = 1;
	}
	api_query_scope(rq, &q);
	if (res == STORE_API_DEVICES && !api_custom_filters_ok(rq, &q)) {
		store_query_free(&q);
		return 0;
	}
	if (!format || strcmp(format, "csv")) {
		api_list_json(rq, res, &q);
		store_query_free(&q);
		return 0;
	}
	rows = store_api_list(rq->st, res, &q, &count);
	if (!rows) {
		store_query_free(&q);
		return api_reply_error(rq, 500, NULL, "the query failed");
	}
	if (res == STORE_API_DEVICES) { /* with the custom fields */
		json_t *cols = api_custom_csv_columns(rq);

		if (store_custom_attach(rq->st, rows) < 0) {
			json_decref(cols);
			json_decref(rows);
			store_query_free(&q);
			return api_reply_error(rq, 500, NULL,
					       "the query failed");
		}
		api_reply_csv(rq, rows, cols);
		json_decref(cols);
	} else {
		api_reply_csv(rq, rows, NULL);
	}
	store_query_free(&q);
	return 0;
}

int api_devices_list(struct request *rq)
{
	return api_list(rq, STORE_API_DEVICES, NULL, 0);
}

int api_changes_list(struct request *rq)
{
	return api_list(rq, STORE_API_CHANGES, "id", 1);
}

int api_audit_list(struct request *rq)
{
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	return api_list(rq, STORE_API_AUDIT, "id", 1);
}

/* 1 when the device in the path exists and the caller may see it;
 * otherwise replies 404 (or 500) and returns 0. */
static int api_device_visible(struct request *rq, int64_t id)
{
	int64_t org = 0;

	if (store_api_device_org(rq->st, id, &org) < 0) {
		api_reply_error(rq, 500, NULL, "cannot read device %lld",
				(long long)id);
		return 0;
	}
	if (!org || !api_org_visible(rq, org)) {
		api_reply_error(rq, 404, NULL, "no device %lld", (long long)id);
		return 0;
	}
	return 1;
}

/* Whether section name's rows go into GET /devices/{id}'s answer:
 * sections is NULL or "all" (every section's), "summary" (none), or a
 * comma-separated list of section names (docs/api.md). */
static int api_section_wanted(const char *sections, const char *name)
{
	size_t n = strlen(name), len;
	const char *p;

	if (!sections || !strcmp(sections, "all"))
		return 1;
	for (p = sections; *p; p += *p == ',') {
		len = strcspn(p, ",");
		if (len == n && !strncmp(p, name, n))
			return 1;
		p += len;
	}
	return 0;
}

/* 0 when sections (the parameter, may be NULL) is well formed; otherwise
 * replies 400 and returns -1. */
static int api_sections_check(struct request *rq, const char *sections)
{
	char name[72];
	const char *p;
	size_t len;

	if (!sections || !strcmp(sections, "all") ||
	    !strcmp(sections, "summary"))
		return 0;
	for (p = sections;; p += len + 1) {
		len = strcspn(p, ",");
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (len >= sizeof(name) || !section_name_valid(name)) {
			api_reply_error(rq, 400, "sections",
					"sections is all, summary (no rows) "
					"or a comma-separated list of "
					"section names, not '%.*s'",
					(int)(len > 64 ? 64 : len), p);
			return -1;
		}
		if (!p[len])
			return 0;
	}
}

/* The device with its attachment, custom fields, section_counts (current
 * rows per section) and, in components, the current rows of the sections
 * api_section_wanted() names. */
static json_t *api_device_full(struct request *rq, int64_t id, const char *want)
{
	json_t *dev = store_device_get(rq->st, id), *sections, *comp, *s, *att;
	json_t *counts, *rows;
	size_t i;

	if (!dev)
		return NULL;
	sections = store_component_sections(rq->st, id);
	comp = json_object();
	counts = json_object();
	json_array_foreach(sections, i, s) {
		const char *name = json_string_value(s);
		int64_t total = 0;

		if (api_section_wanted(want, name)) {
			rows = store_component_list(rq->st, id, name, 1);
			total = (int64_t)json_array_size(rows);
			if (total)
				json_object_set(comp, name, rows);
		} else {
			/* one row read: the page's total is the count */
			rows = store_component_page(rq->st, id, name,
						    STORE_ROWS_CURRENT, NULL,
						    NULL, 0, 1, 0, &total);
		}
		json_decref(rows);
		if (total)
			json_object_set_new(counts, name,
					    json_integer((json_int_t)total));
	}
	json_decref(sections);
	json_object_set_new(dev, "components", comp);
	json_object_set_new(dev, "section_counts", counts);
	att = store_device_attachment(rq->st, id);
	if (!att) {
		json_decref(dev);
		return NULL;
	}
	json_object_set_new(dev, "attachment", att);
	json_object_set_new(dev, "custom", store_custom_values(rq->st, id));
	return dev;
}

int api_device_get(struct request *rq)
{
	static const char *const allowed[] = {"sections", NULL};
	const char *want = request_arg(rq, "sections");
	int64_t id = rq->params.id[0];
	json_t *dev;

	if (!api_args_known(rq, allowed, "sections") ||
	    api_sections_check(rq, want) < 0 || !api_device_visible(rq, id))
		return 0;
	dev = api_device_full(rq, id, want);
	if (!dev)
		return api_reply_error(rq, 500, NULL, "cannot read device %lld",
				       (long long)id);
	return api_reply_json(rq, 200, dev);
}

int api_device_patch(struct request *rq)
{
	int64_t id = rq->params.id[0];
	const char *bad = NULL;
	json_t *body;
	int rc;

	if (!api_device_visible(rq, id) || !api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	body = api_body_json(rq);
	if (!body)
		return 0;
	rc = store_api_device_patch(rq->st, id, body, &bad);
	if (rc < 0 && bad) {
		api_reply_error(rq, 400, bad,
				"'%s' cannot be set: the editable fields are "
				"status, owner, location, tags and "
				"description (strings or null)",
				bad);
	} else if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot update device %lld",
				(long long)id);
	} else {
		json_t *dev = store_device_get(rq->st, id);

		if (dev)
			api_reply_json(rq, 200, dev);
		else
			api_reply_error(rq, 500, NULL, "cannot read device");
	}
	json_decref(body);
	return 0;
}

int api_device_delete(struct request *rq)
{
	int64_t id = rq->params.id[0];
	int rc;

	if (!api_device_visible(rq, id) || !api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	rc = store_device_delete(rq->st, id);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot delete device %lld",
				       (long long)id);
	return api_reply_text(rq, 204, "%s", "");
}

/* GET /devices/{id}/{section}: one page of a section, sorted and paged
 * in SQL (store_component_page), with the section's true row count. */
int api_device_section(struct request *rq)
{
	static const char *const extra[] = {"current",	"limit", "offset",
					    "ordering", "q",	 NULL};
	int64_t id = rq->params.id[0], total = 0;
	const char *section = rq->params.v[1];
	const char *cur = request_arg(rq, "current");
	const char *lim = request_arg(rq, "limit");
	const char *off = request_arg(rq, "offset");
	const char *ord = request_arg(rq, "ordering");
	long limit = QUERY_LIMIT_DEFAULT, offset = 0;
	enum store_rows which = STORE_ROWS_CURRENT;
	struct log_capture cap;
	json_t *rows;
	int j;

	for (j = 0; j < rq->nargs; j++) {
		const char *const *e;

		for (e = extra; *e && strcmp(*e, rq->args[j].key); e++)
			;
		if (!*e)
			return api_reply_error(rq, 400, rq->args[j].key,
					       "unknown parameter '%s'; use "
					       "current, limit, offset, "
					       "ordering, q",
					       rq->args[j].key);
	}
	if (cur && (!strcmp(cur, "0") || !strcmp(cur, "false")))
		which = STORE_ROWS_RETIRED;
	else if (cur && !strcmp(cur, "all"))
		which = STORE_ROWS_ALL;
	else if (cur && strcmp(cur, "1") && strcmp(cur, "true"))
		return api_reply_error(rq, 400, "current",
				       "current must be true, false or all");
	if (lim && util_parse_long(lim, 1, QUERY_LIMIT_MAX, &limit) < 0)
		return api_reply_error(rq, 400, "limit",
				       "limit must be 1 to %d",
				       QUERY_LIMIT_MAX);
	if (off && util_parse_long(off, 0, 1000000000L, &offset) < 0)
		return api_reply_error(rq, 400, "offset",
				       "offset must be a non-negative "
				       "integer");
	if (!api_device_visible(rq, id))
		return 0;
	log_capture_start(&cap);
	rows = store_component_page(rq->st, id, section, which,
				    request_arg(rq, "q"),
				    ord && *ord == '-' ? ord + 1 : ord,
				    ord && *ord == '-', limit, offset, &total);
	log_capture_stop();
	if (!rows)
		return api_reply_captured(rq, &cap, "cannot read the section");
	return api_reply_list(rq, rows, total, limit, offset);
}
