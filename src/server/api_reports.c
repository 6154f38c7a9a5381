/*
 * /api/v1/reports: saved queries in the API's filter language, run as
 * JSON or CSV (the same CSV writer as the mailed attachment).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sched/sched.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "store/store_sched.h"

static const int64_t *report_scope(const struct request *rq)
{
	return rq->who.all_orgs ? NULL : rq->who.orgs;
}

/* The report of the path's {id} in the caller's orgs, or NULL after
 * replying 404. */
static json_t *report_load(struct request *rq)
{
	int found = 0;
	json_t *r = store_report_get(rq->st, rq->params.id[0], &found);

	if (r && api_org_visible(
			 rq, json_integer_value(json_object_get(r, "org_id"))))
		return r;
	json_decref(r);
	if (!found || r)
		api_reply_error(rq, 404, NULL, "no report %lld",
				(long long)rq->params.id[0]);
	else
		api_reply_error(rq, 500, NULL, "cannot read report %lld",
				(long long)rq->params.id[0]);
	return NULL;
}

int api_reports_list(struct request *rq)
{
	json_t *rows =
		store_report_list(rq->st, report_scope(rq), rq->who.norgs);

	if (!rows)
		return api_reply_error(rq, 500, NULL, "cannot list reports");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

int api_report_get(struct request *rq)
{
	json_t *r = report_load(rq);

	return r ? api_reply_json(rq, 200, r) : 0;
}

int api_report_create(struct request *rq)
{
	json_t *body, *org;
	const char *field;
	char err[320];
	int64_t id = 0;
	int dup = 0, rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	org = json_object_get(body, "org_id");
	if (sched_report_check(body, err, sizeof(err), &field) < 0) {
		api_reply_error(rq, 400, field, "%s", err);
		goto out;
	}
	if (org && (!json_is_integer(org) ||
		    !api_org_visible(rq, json_integer_value(org)))) {
		api_reply_error(rq, 400, "org_id",
				"org_id must be an org of your tree");
		goto out;
	}
	if (!org)
		json_object_set_new(body, "org_id",
				    json_integer(rq->who.org_id));
	rc = store_report_add(rq->st, body, &id, &dup);
	if (rc < 0 && dup)
		api_reply_error(
			rq, 409, "name",
			"a report named '%s' exists already in that "
			"org",
			json_string_value(json_object_get(body, "name")));
	else if (rc < 0)
		api_reply_error(rq, 500, NULL, "cannot store the report");
	else
		api_reply_json(rq, 201, store_report_get(rq->st, id, NULL));
out:
	json_decref(body);
	return 0;
}

int api_report_delete(struct request *rq)
{
	json_t *r;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(r = report_load(rq)))
		return 0;
	json_decref(r);
	rc = store_report_delete(rq->st, rq->params.id[0]);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot delete the report");
	return api_reply_text(rq, 204, "%s", "");
}

/* A run answers the report's true row count, whatever page it returns:
 * JSON {report, columns, count, offset, limit, results} with limit and
 * offset paging it (default: the first SCHED_REPORT_ROWS_MAX rows); CSV
 * holds every row up to SCHED_REPORT_CSV_ROWS_MAX, with X-Total-Count,
 * and when there are more an X-Truncated header that says which rows it
 * holds and the offset of the rest. */
int api_report_run(struct request *rq)
{
	const char *format = request_arg(rq, "format");
	const char *lim = request_arg(rq, "limit");
	const char *off = request_arg(rq, "offset");
	int csv = format && !strcmp(format, "csv");
	struct query_error qe;
	json_t *r, *rows, *cols = NULL, *out;
	int64_t total = 0, n;
	long offset = 0, limit = 0;

	if (format && strcmp(format, "csv") && strcmp(format, "json"))
		return api_reply_error(rq, 400, "format",
				       "format must be csv or json");
	if (!(r = report_load(rq)))
		return 0;
	rows = sched_report_rows(
		rq->st, r, rq->args, rq->nargs, report_scope(rq), rq->who.norgs,
		csv ? SCHED_REPORT_CSV_ROWS_MAX : 0, &total, &cols, &qe);
	if (!rows) {
		api_reply_error(rq, 400, qe.field[0] ? qe.field : NULL, "%s",
				qe.msg);
		json_decref(r);
		return 0;
	}
	/* query_parse() has checked both */
	if (off)
		util_parse_long(off, 0, INT64_MAX, &offset);
	if (lim)
		util_parse_long(lim, 1, INT64_MAX, &limit);
	n = (int64_t)json_array_size(rows);
	if (csv) {
		snprintf(rq->total_count, sizeof(rq->total_count), "%lld",
			 (long long)total);
		if (!lim && offset + n < total)
			snprintf(rq->truncated, sizeof(rq->truncated),
				 "rows %lld to %lld of %lld (a CSV download "
				 "holds at most %d); the next ones: "
				 "offset=%lld",
				 (long long)(n ? offset + 1 : 0),
				 (long long)(offset + n), (long long)total,
				 SCHED_REPORT_CSV_ROWS_MAX,
				 (long long)(offset + n));
		api_reply_csv(rq, rows, cols); /* core/csv.h, as mailed */
	} else {
		out = json_pack(
			"{sOsOsIsIsIso}", "report", r, "columns", cols, "count",
			(json_int_t)total, "offset", (json_int_t)offset,
			"limit",
			(json_int_t)(lim ? limit : SCHED_REPORT_ROWS_MAX),
			"results", rows);
		api_reply_json(rq, 200, out);
	}
	json_decref(cols);
	json_decref(r);
	return 0;
}
