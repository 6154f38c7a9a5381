/*
 * Replies: JSON documents, JSON errors, short text, list envelopes and CSV.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/log.h"
#include "server/server_int.h"

static void reply_set(struct request *rq, unsigned status, char *body,
		      size_t len, const char *type)
{
	free(rq->reply);
	rq->status = status;
	rq->reply = body;
	rq->reply_len = len;
	rq->content_type = type;
}

int api_reply_json(struct request *rq, unsigned status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (!s)
		return api_reply_error(rq, 500, NULL, "cannot encode reply");
	reply_set(rq, status, s, strlen(s), "application/json");
	return 0;
}

int api_reply_error(struct request *rq, unsigned status, const char *field,
		    const char *fmt, ...)
{
	char msg[512];
	json_t *o;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (api_reply_db_lost(rq, status)) {
		status = 503;
		field = NULL;
		snprintf(msg, sizeof(msg), "%s", api_db_down_message());
	}
	o = json_pack("{ss}", "error", msg);
	/* "field" names the one at fault (older clients read it); "fields"
	 * maps each field at fault to its message: the one shape of
	 * field-level errors (docs/api.md, "Errors"). */
	if (field) {
		json_object_set_new(o, "field", json_string(field));
		json_object_set_new(o, "fields", json_pack("{ss}", field, msg));
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		s = xstrdup("{\"error\":\"internal error\"}");
	reply_set(rq, status, s, strlen(s), "application/json");
	if (status >= 500)
		log_err("%s %s: %s", rq->method, rq->path, msg);
	return 0;
}

int api_reply_captured(struct request *rq, const struct log_capture *cap,
		       const char *fallback)
{
	return api_reply_error(rq, 400, cap->field[0] ? cap->field : NULL, "%s",
			       cap->msg[0] ? cap->msg : fallback);
}

int api_reply_text(struct request *rq, unsigned status, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	reply_set(rq, status, s, strlen(s), "text/plain; charset=utf-8");
	return 0;
}

static void reply_urlencode(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.')
			strbuf_append(sb, (const char *)p, 1);
		else
			strbuf_printf(sb, "%%%02X", *p);
	}
}

/* The request's own URL with offset replaced, for next/previous. */
static json_t *reply_page_url(struct request *rq, int64_t offset)
{
	struct strbuf sb;
	json_t *j;
	int i;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, rq->path);
	strbuf_printf(&sb, "?offset=%lld", (long long)offset);
	for (i = 0; i < rq->nargs; i++) {
		if (!strcmp(rq->args[i].key, "offset"))
			continue;
		strbuf_puts(&sb, "&");
		reply_urlencode(&sb, rq->args[i].key);
		strbuf_puts(&sb, "=");
		reply_urlencode(&sb, rq->args[i].value);
	}
	j = json_string(sb.data);
	strbuf_free(&sb);
	return j;
}

int api_reply_list(struct request *rq, json_t *results, int64_t count,
		   int64_t limit, int64_t offset)
{
	json_t *o = json_object();
	int64_t prev = offset - limit;

	json_object_set_new(o, "count", json_integer(count));
	json_object_set_new(o, "next",
			    limit > 0 && offset + limit < count
				    ? reply_page_url(rq, offset + limit)
				    : json_null());
	json_object_set_new(o, "previous",
			    offset > 0 ? reply_page_url(rq, prev > 0 ? prev : 0)
				       : json_null());
	json_object_set_new(o, "results", results);
	return api_reply_json(rq, 200, o);
}

int api_reply_csv(struct request *rq, json_t *results, json_t *columns)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	csv_append_rows(&sb, results, columns);
	json_decref(results);
	reply_set(rq, 200, sb.data ? sb.data : xstrdup(""), sb.len,
		  "text/csv; charset=utf-8");
	return 0;
}

json_t *api_body_json(struct request *rq)
{
	json_error_t e;
	json_t *j;

	if (!rq->body.len) {
		api_reply_error(rq, 400, NULL,
				"a JSON object is required in the body");
		return NULL;
	}
	j = json_loadb(rq->body.data, rq->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		api_reply_error(rq, 400, NULL,
				"body is not valid JSON: line %d: %s", e.line,
				e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_reply_error(rq, 400, NULL, "body must be a JSON object");
		return NULL;
	}
	return j;
}

int api_org_visible(const struct request *rq, int64_t org_id)
{
	int i;

	if (rq->who.all_orgs)
		return 1;
	for (i = 0; i < rq->who.norgs; i++)
		if (rq->who.orgs[i] == org_id)
			return 1;
	return 0;
}

void api_query_scope(const struct request *rq, struct store_query *q)
{
	if (rq->who.all_orgs) {
		q->org_ids = NULL;
		q->norgs = 0;
	} else {
		q->org_ids = rq->who.orgs;
		q->norgs = rq->who.norgs;
	}
}

int api_need_role(struct request *rq, enum role min)
{
	if (rq->who.role >= min)
		return 1;
	api_reply_error(rq, 403, NULL,
			"this needs the %s role or above; you "
			"are '%s'",
			auth_role_name(min), auth_role_name(rq->who.role));
	return 0;
}

int api_args_known(struct request *rq, const char *const *allowed,
		   const char *names)
{
	int i;

	for (i = 0; i < rq->nargs; i++) {
		const char *const *a = allowed;

		while (a && *a && strcmp(*a, rq->args[i].key))
			a++;
		if (!a || !*a) {
			if (names)
				api_reply_error(
					rq, 400, rq->args[i].key,
					"unknown parameter '%s'; use %s",
					rq->args[i].key, names);
			else
				api_reply_error(rq, 400, rq->args[i].key,
						"unknown parameter '%s': this "
						"takes no parameters",
						rq->args[i].key);
			return 0;
		}
	}
	return 1;
}
