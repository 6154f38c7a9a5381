/*
 * Saved reports (run through store/query.c, rendered as CSV and an HTML
 * summary, mailed) and the SMTP settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/log.h"
#include "core/util.h"
#include "sched/mail.h"
#include "sched/sched.h"
#include "store/secret.h"
#include "store/store_api.h"
#include "store/store_sched.h"

#define REPORT_NAME_MAX 100
#define REPORT_QUERY_MAX 4096
#define REPORT_ARGS_MAX 96
#define REPORT_COLUMNS_MAX 64
#define MAIL_BODY_MAX (64u * 1024 * 1024)

static const struct {
	const char *name;
	enum store_api_res res;
} report_resources[] = {
	{"devices", STORE_API_DEVICES},
	{"components", STORE_API_COMPONENTS},
	{"changes", STORE_API_CHANGES},
};

static int report_resource(const char *name, enum store_api_res *out)
{
	size_t i;

	for (i = 0;
	     name && i < sizeof(report_resources) / sizeof(report_resources[0]);
	     i++)
		if (!strcmp(report_resources[i].name, name)) {
			*out = report_resources[i].res;
			return 0;
		}
	return -1;
}

static int report_fail(char *err, size_t errlen, const char **field,
		       const char *f, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	*field = f;
	return -1;
}

int sched_report_check(json_t *rep, char *err, size_t errlen,
		       const char **field)
{
	static const char *const known[] = {"name",    "resource",    "query",
					    "columns", "description", "org_id",
					    NULL};
	const char *name = json_string_value(json_object_get(rep, "name"));
	const char *q = json_string_value(json_object_get(rep, "query"));
	json_t *cols = json_object_get(rep, "columns"), *v, *qv;
	enum store_api_res res;
	struct query_arg args[REPORT_ARGS_MAX];
	struct store_query sq;
	struct query_error qe;
	const char *k;
	char *buf = NULL;
	size_t i;
	int n, rc, j;

	*field = NULL;
	json_object_foreach(rep, k, v) {
		for (j = 0; known[j] && strcmp(known[j], k); j++)
			;
		if (!known[j]) {
			snprintf(err, errlen,
				 "unknown field '%.40s' (name, "
				 "resource, query, columns, "
				 "description, org_id)",
				 k);
			*field = "body";
			return -1;
		}
	}
	if (!name || !*name || strlen(name) > REPORT_NAME_MAX)
		return report_fail(err, errlen, field, "name",
				   "name is required (text, at most 100 "
				   "bytes)");
	if (report_resource(json_string_value(json_object_get(rep, "resource")),
			    &res) < 0)
		return report_fail(err, errlen, field, "resource",
				   "resource must be devices, components or "
				   "changes");
	qv = json_object_get(rep, "query");
	if (qv && !json_is_string(qv))
		return report_fail(err, errlen, field, "query",
				   "query must be text in the API's filter "
				   "syntax, e.g. last_seen__lt=-30d");
	if (!qv)
		json_object_set_new(rep, "query", json_string(""));
	if (q && strlen(q) > REPORT_QUERY_MAX)
		return report_fail(err, errlen, field, "query",
				   "query is longer than 4096 bytes");
	n = query_split(q, args, REPORT_ARGS_MAX, &buf);
	if (n < 0) {
		free(buf);
		return report_fail(err, errlen, field, "query",
				   "query has too many parameters");
	}
	rc = query_parse(res, args, n, NULL, &sq, &qe);
	store_query_free(&sq);
	free(buf);
	if (rc < 0) {
		snprintf(err, errlen, "query: %s", qe.msg);
		*field = "query";
		return -1;
	}
	if (cols && !json_is_null(cols)) {
		if (!json_is_array(cols) || !json_array_size(cols) ||
		    json_array_size(cols) > REPORT_COLUMNS_MAX)
			return report_fail(err, errlen, field, "columns",
					   "columns must be a list of 1 to 64 "
					   "field names");
		json_array_foreach(cols, i, v)
			if (!json_is_string(v) ||
			    store_api_field_type(res, json_string_value(v)) ==
				    STORE_FIELD_UNKNOWN) {
				snprintf(err, errlen,
					 "columns: '%.40s' is not "
					 "a field of %s",
					 json_string_value(v)
						 ? json_string_value(v)
						 : "?",
					 json_string_value(json_object_get(
						 rep, "resource")));
				*field = "columns";
				return -1;
			}
	}
	v = json_object_get(rep, "description");
	if (v && !json_is_null(v) &&
	    (!json_is_string(v) || strlen(json_string_value(v)) > 1000))
		return report_fail(err, errlen, field, "description",
				   "description must be text of at most 1000 "
				   "bytes");
	return 0;
}

json_t *sched_report_rows(struct store *st, json_t *report,
			  const struct query_arg *extra, int nextra,
			  const int64_t *org_ids, int norgs, int64_t max_rows,
			  int64_t *total, json_t **columns,
			  struct query_error *err)
{
	static const char *const skip[] = {"format", NULL};
	struct query_arg args[REPORT_ARGS_MAX * 2];
	struct store_query q;
	enum store_api_res res;
	json_t *rows = NULL, *out = NULL, *cols, *row, *c;
	const char *idkey;
	char *buf = NULL;
	int n, i, has_limit = 0;
	size_t r, j;

	*columns = NULL;
	memset(err, 0, sizeof(*err));
	memset(&q, 0, sizeof(q));
	if (report_resource(
		    json_string_value(json_object_get(report, "resource")),
		    &res) < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "the report's resource "
			 "is not known");
		return NULL;
	}
	n = query_split(json_string_value(json_object_get(report, "query")),
			args, REPORT_ARGS_MAX, &buf);
	if (n < 0 || nextra > REPORT_ARGS_MAX) {
		snprintf(err->msg, sizeof(err->msg), "too many parameters");
		goto out;
	}
	for (i = 0; i < nextra; i++)
		args[n++] = extra[i];
	for (i = 0; i < n; i++)
		if (!strcmp(args[i].key, "limit"))
			has_limit = 1;
	if (query_parse(res, args, n, skip, &q, err) < 0)
		goto out;
	if (!has_limit)
		q.limit = max_rows > 0 ? max_rows : SCHED_REPORT_ROWS_MAX;
	q.org_ids = org_ids;
	q.norgs = norgs;
	rows = store_api_list(st, res, &q, total);
	if (!rows) {
		snprintf(err->msg, sizeof(err->msg),
			 "the database query failed (the server's log has the "
			 "database's reason)");
		goto out;
	}
	cols = json_object_get(report, "columns");
	cols = json_is_array(cols) ? json_incref(cols)
				   : store_api_field_names(res);
	/* every row keeps its device's id, even when the columns leave it
	 * out, so a client can link the row to its device; CSV and HTML
	 * show the columns only */
	idkey = res == STORE_API_DEVICES ? "id" : "device_id";
	out = json_array();
	json_array_foreach(rows, r, row) {
		json_t *o = json_object(), *id = json_object_get(row, idkey);

		json_array_foreach(cols, j, c) {
			json_t *v = json_object_get(row, json_string_value(c));

			json_object_set(o, json_string_value(c),
					v ? v : json_null());
		}
		if (id && !json_object_get(o, idkey))
			json_object_set(o, idkey, id);
		json_array_append_new(out, o);
	}
	*columns = cols;
out:
	store_query_free(&q);
	json_decref(rows);
	free(buf);
	return out;
}

/* ---- rendering ---- */

static void html_escape(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			strbuf_puts(sb, "&amp;");
			break;
		case '<':
			strbuf_puts(sb, "&lt;");
			break;
		case '>':
			strbuf_puts(sb, "&gt;");
			break;
		case '"':
			strbuf_puts(sb, "&quot;");
			break;
		case '\'':
			strbuf_puts(sb, "&#39;");
			break;
		default:
			strbuf_append(sb, s, 1);
		}
	}
}

static void html_value(struct strbuf *sb, json_t *v)
{
	char num[32];
	char *d = NULL;

	if (json_is_string(v)) {
		html_escape(sb, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		strbuf_puts(sb, num);
	} else if (v && !json_is_null(v)) {
		d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		html_escape(sb, d);
		free(d);
	}
}

char *sched_report_html(json_t *report, json_t *rows, json_t *columns,
			const char *when)
{
	const char *desc =
		json_string_value(json_object_get(report, "description"));
	struct strbuf sb;
	json_t *row, *c;
	size_t i, j, n = json_array_size(rows);

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			 "<title>");
	html_escape(&sb, json_string_value(json_object_get(report, "name")));
	strbuf_puts(&sb, "</title></head>\n<body style=\"font-family:sans-"
			 "serif\">\n<h2>");
	html_escape(&sb, json_string_value(json_object_get(report, "name")));
	strbuf_puts(&sb, "</h2>\n");
	if (desc && *desc) {
		strbuf_puts(&sb, "<p>");
		html_escape(&sb, desc);
		strbuf_puts(&sb, "</p>\n");
	}
	strbuf_printf(
		&sb, "<p>%zu row%s from %s", n, n == 1 ? "" : "s",
		json_string_value(json_object_get(report, "resource"))
			? json_string_value(json_object_get(report, "resource"))
			: "?");
	strbuf_puts(&sb, " matching <code>");
	html_escape(&sb, json_string_value(json_object_get(report, "query")));
	strbuf_puts(&sb, "</code>, ");
	html_escape(&sb, when);
	strbuf_puts(&sb, " UTC.</p>\n<table border=\"1\" cellpadding=\"4\" "
			 "cellspacing=\"0\">\n<tr>");
	json_array_foreach(columns, j, c) {
		strbuf_puts(&sb, "<th>");
		html_escape(&sb, json_string_value(c));
		strbuf_puts(&sb, "</th>");
	}
	strbuf_puts(&sb, "</tr>\n");
	json_array_foreach(rows, i, row) {
		if (i >= SCHED_REPORT_HTML_ROWS)
			break;
		strbuf_puts(&sb, "<tr>");
		json_array_foreach(columns, j, c) {
			strbuf_puts(&sb, "<td>");
			html_value(&sb,
				   json_object_get(row, json_string_value(c)));
			strbuf_puts(&sb, "</td>");
		}
		strbuf_puts(&sb, "</tr>\n");
	}
	strbuf_puts(&sb, "</table>\n");
	if (n > SCHED_REPORT_HTML_ROWS)
		strbuf_printf(&sb,
			      "<p>The first %d of %zu rows; all of them "
			      "are in the attached CSV file.</p>\n",
			      SCHED_REPORT_HTML_ROWS, n);
	strbuf_puts(&sb, "</body></html>\n");
	return sb.data;
}

/* "new-devices-in-the-last-7-days-20261120-0600.csv" */
static void report_file_name(const char *name, time_t t, char *out, size_t len)
{
	struct tm tm;
	size_t w = 0;
	int dash = 0;

	for (; name && *name && w + 24 < len && w < 60; name++) {
		char c = *name;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[w++] = c;
			dash = 0;
		} else if (!dash && w) {
			out[w++] = '-';
			dash = 1;
		}
	}
	if (!w)
		out[w++] = 'r';
	gmtime_r(&t, &tm);
	strftime(out + w, len - w,
		 dash ? "%Y%m%d-%H%M.csv" : "-%Y%m%d-%H%M.csv", &tm);
}

/* The SMTP settings of st into srv, with password (secret_free()) and the
 * settings object (json_decref()) that srv's strings point into. */
static int smtp_load(struct store *st, struct mail_server *srv,
		     json_t **settings, char **password, char *why,
		     size_t whylen)
{
	json_t *s = store_setting_get(st, "smtp");
	json_t *v;

	memset(srv, 0, sizeof(*srv));
	*settings = s;
	*password = NULL;
	if (!s || !json_string_value(json_object_get(s, "host"))) {
		snprintf(why, whylen,
			 "SMTP is not configured: PUT "
			 "/api/v1/settings/smtp first");
		return -1;
	}
	srv->host = json_string_value(json_object_get(s, "host"));
	srv->port = (int)json_integer_value(json_object_get(s, "port"));
	if (mail_security_parse(
		    json_string_value(json_object_get(s, "security")),
		    &srv->security) < 0)
		srv->security = MAIL_SEC_NONE;
	srv->username = json_string_value(json_object_get(s, "username"));
	srv->from = json_string_value(json_object_get(s, "from"));
	v = json_object_get(s, "verify_tls");
	srv->verify_tls = v ? json_is_true(v) : 1;
	srv->ca_file = json_string_value(json_object_get(s, "ca_file"));
	if (json_is_true(json_object_get(s, "password_set"))) {
		*password = store_setting_secret(st, "smtp", "password");
		if (!*password) {
			snprintf(why, whylen,
				 "the stored SMTP password cannot "
				 "be read; set it again");
			return -1;
		}
	}
	srv->password = *password;
	return 0;
}

/* Builds and sends one message; 0 when the server accepted it. */
static int report_send(struct store *st, struct mail_message *m, char *answer,
		       size_t answer_len)
{
	struct mail_server srv;
	struct strbuf msg;
	json_t *settings;
	char *password;
	int rc = -1;

	strbuf_init(&msg, MAIL_BODY_MAX);
	if (smtp_load(st, &srv, &settings, &password, answer, answer_len) < 0)
		goto out;
	m->from = srv.from;
	if (mail_build(m, &msg) < 0) {
		snprintf(answer, answer_len,
			 "the message cannot be built: "
			 "check the from and recipient "
			 "addresses");
		goto out;
	}
	rc = mail_send(&srv, m->to, m->nto, msg.data, msg.len, answer,
		       answer_len);
out:
	secret_free(password);
	json_decref(settings);
	strbuf_free(&msg);
	return rc;
}

int sched_report_mail(struct store *st, json_t *report, json_t *recipients,
		      const int64_t *org_ids, int norgs, const char *subject,
		      char *answer, size_t answer_len)
{
	const char *to[MAIL_MAX_RCPT];
	struct mail_message m;
	struct query_error qe;
	struct strbuf csv;
	json_t *rows, *cols = NULL, *v;
	char when[20], fname[128], *html = NULL, *text = NULL, *subj = NULL;
	const char *name = json_string_value(json_object_get(report, "name"));
	time_t now = time(NULL);
	int64_t total = 0;
	size_t i;
	int rc = -1;

	strbuf_init(&csv, 0);
	memset(&m, 0, sizeof(m));
	rows = sched_report_rows(st, report, NULL, 0, org_ids, norgs, 0, &total,
				 &cols, &qe);
	if (!rows) {
		snprintf(answer, answer_len, "the report cannot run: %s",
			 qe.msg);
		goto out;
	}
	json_array_foreach(recipients, i, v) {
		if (i >= MAIL_MAX_RCPT)
			break;
		to[i] = json_string_value(v);
		m.nto = (int)i + 1;
	}
	csv_append_rows(&csv, rows, cols);
	util_time_format(now, when);
	html = sched_report_html(report, rows, cols, when);
	if ((int64_t)json_array_size(rows) < total)
		text = xasprintf("%s: %lld rows, %s UTC.\r\nThe attached CSV "
				 "file holds the first %zu of them (a mail "
				 "carries at most %d); download the whole "
				 "report as CSV from the web UI (Reports) or "
				 "GET /api/v1/reports/ID/run?format=csv.\r\n",
				 name ? name : "report", (long long)total, when,
				 json_array_size(rows), SCHED_REPORT_ROWS_MAX);
	else
		text = xasprintf("%s: %zu rows, %s UTC.\r\nThe rows are in "
				 "the attached CSV file.\r\n",
				 name ? name : "report", json_array_size(rows),
				 when);
	subj = subject && *subject
		       ? xstrdup(subject)
		       : xasprintf("netcensus report: %s (%lld rows)",
				   name ? name : "report", (long long)total);
	report_file_name(name, now, fname, sizeof(fname));
	m.to = to;
	m.subject = subj;
	m.text = text;
	m.html = html;
	m.attach_name = fname;
	m.attach_type = "text/csv; charset=utf-8";
	m.attach_data = csv.data ? csv.data : "";
	m.attach_len = csv.len;
	rc = report_send(st, &m, answer, answer_len);
out:
	free(html);
	free(text);
	free(subj);
	strbuf_free(&csv);
	json_decref(rows);
	json_decref(cols);
	return rc;
}

/* ---- SMTP settings ---- */

int sched_smtp_check(json_t *smtp, char *err, size_t errlen, const char **field)
{
	static const char *const known[] = {
		"host", "port",	      "security", "username", "password",
		"from", "verify_tls", "ca_file",  NULL};
	enum mail_security sec;
	const char *k;
	json_t *v;
	int i;

	*field = NULL;
	json_object_foreach(smtp, k, v) {
		for (i = 0; known[i] && strcmp(known[i], k); i++)
			;
		if (!known[i]) {
			snprintf(err, errlen,
				 "unknown setting '%.40s' (host, "
				 "port, security, username, "
				 "password, from, verify_tls, "
				 "ca_file)",
				 k);
			*field = "body";
			return -1;
		}
		if (strcmp(k, "port") && strcmp(k, "verify_tls") &&
		    !json_is_string(v) && !json_is_null(v)) {
			snprintf(err, errlen, "%s must be text", k);
			*field = known[i];
			return -1;
		}
	}
	if (!mail_host_ok(json_string_value(json_object_get(smtp, "host"))))
		return report_fail(err, errlen, field, "host",
				   "host is required: the mail server's name "
				   "or address");
	v = json_object_get(smtp, "port");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
		  json_integer_value(v) > 65535))
		return report_fail(err, errlen, field, "port",
				   "port must be a number from 1 to 65535");
	v = json_object_get(smtp, "security");
	if (!v) {
		json_int_t p =
			json_integer_value(json_object_get(smtp, "port"));

		json_object_set_new(smtp, "security",
				    json_string(p == 465   ? "tls"
						: p == 587 ? "starttls"
							   : "none"));
	} else if (mail_security_parse(json_string_value(v), &sec) < 0) {
		return report_fail(err, errlen, field, "security",
				   "security must be none (port 25), "
				   "starttls (587) or tls (465)");
	}
	if (!mail_address_ok(json_string_value(json_object_get(smtp, "from"))))
		return report_fail(err, errlen, field, "from",
				   "from is required: a plain address like "
				   "netcensus@example.org");
	v = json_object_get(smtp, "verify_tls");
	if (v && !json_is_boolean(v))
		return report_fail(err, errlen, field, "verify_tls",
				   "verify_tls must be true or false");
	if (!v)
		json_object_set_new(smtp, "verify_tls", json_true());
	v = json_object_get(smtp, "password");
	if (v && json_is_string(v) &&
	    strlen(json_string_value(v)) > SECRET_PASSWORD_MAX)
		return report_fail(err, errlen, field, "password",
				   "password is too long");
	v = json_object_get(smtp, "ca_file");
	if (json_is_string(v) && *json_string_value(v) &&
	    access(json_string_value(v), R_OK) != 0)
		return report_fail(err, errlen, field, "ca_file",
				   "ca_file cannot be read by the server");
	return 0;
}

int sched_smtp_test(struct store *st, const char *to, char *answer,
		    size_t answer_len)
{
	const char *rcpt[1] = {to};
	struct mail_message m;
	char when[20];
	char *text;
	int rc;

	util_time_format(time(NULL), when);
	text = xasprintf("This is a test message from netcensus, sent at %s "
			 "UTC.\r\nMail from scheduled reports will arrive the "
			 "same way.\r\n",
			 when);
	memset(&m, 0, sizeof(m));
	m.to = rcpt;
	m.nto = 1;
	m.subject = "netcensus test message";
	m.text = text;
	rc = report_send(st, &m, answer, answer_len);
	free(text);
	return rc;
}
