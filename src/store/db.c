/*
 * db.c: the statement helper's engine-neutral half (db.h): the calls an
 * operation makes go to its statement's engine, plus the few things
 * written once on top of them (JSON binding and reading, collecting rows)
 * and the rewrite of the common SQL into PostgreSQL's text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"
#include "store/db.h"

struct db_stmt *db_stmt(struct store *st, const char *sql)
{
	return st->ops->stmt(st, sql);
}

void db_bind_null(struct db_stmt *s, int idx)
{
	s->eng->bind_null(s, idx);
}

void db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	s->eng->bind_int64(s, idx, v);
}

void db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	if (v)
		s->eng->bind_text(s, idx, v, strlen(v));
	else
		s->eng->bind_null(s, idx);
}

void db_bind_json(struct db_stmt *s, int idx, json_t *v)
{
	char *txt = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	db_bind_text(s, idx, txt);
	free(txt);
}

int db_bind_scalar(struct db_stmt *s, int idx, json_t *v)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		s->eng->bind_text(s, idx, json_string_value(v),
				  json_string_length(v));
		return 0;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		db_bind_text(s, idx, num);
		return 0;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		db_bind_text(s, idx, num);
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		db_bind_text(s, idx, json_is_true(v) ? "1" : "0");
		return 0;
	case JSON_NULL:
		db_bind_null(s, idx);
		return 0;
	default:
		return -1;
	}
}

int db_step(struct db_stmt *s)
{
	return s->eng->step(s);
}

int db_step_unique(struct db_stmt *s)
{
	int rc;

	s->quiet_constraint = 1;
	rc = db_step(s);
	s->quiet_constraint = 0;
	return rc;
}

int db_step_id(struct db_stmt *s, int64_t *id)
{
	int rc = db_step_unique(s);

	if (rc == DB_ROW && id)
		*id = db_int64(s, 0);
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	return rc == DB_CONSTRAINT ? DB_CONSTRAINT : -1;
}

int db_exec(struct db_stmt *s)
{
	int rc = db_step(s);

	db_reset(s);
	if (rc == DB_ROW) {
		log_err("database: a statement that returns rows was run as "
			"one that does not");
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

json_t *db_collect(struct db_stmt *s, json_t *(*row)(struct db_stmt *s))
{
	json_t *a = json_array();
	int rc;

	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(a, row(s));
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	db_reset(s);
	return a;
}

json_t *db_value(struct db_stmt *s, int col, int is_json)
{
	const char *txt;
	json_t *v;

	switch (s->eng->column_type(s, col)) {
	case DB_INTEGER:
		return json_integer(db_int64(s, col));
	case DB_FLOAT:
		return json_real(db_double(s, col));
	case DB_TEXT:
		txt = db_text(s, col);
		if (is_json && txt && (v = json_loads(txt, 0, NULL)))
			return v;
		v = json_string(txt ? txt : "");
		return v ? v : json_null();
	default:
		return json_null();
	}
}

json_t *db_row_object(struct db_stmt *s)
{
	json_t *o = json_object();
	int i, n = db_column_count(s);

	for (i = 0; i < n; i++)
		json_object_set_new(o, s->eng->column_name(s, i),
				    db_value(s, i, 0));
	return o;
}

int db_column_count(struct db_stmt *s)
{
	return s->eng->column_count(s);
}

double db_double(struct db_stmt *s, int col)
{
	return s->eng->column_double(s, col);
}

json_t *db_rows(struct db_stmt *s)
{
	return db_collect(s, db_row_object);
}

json_t *db_row_first(struct db_stmt *s, int *found)
{
	json_t *row = NULL;

	if (found)
		*found = 0;
	if (db_step(s) == DB_ROW) {
		row = db_row_object(s);
		if (found)
			*found = 1;
	}
	db_reset(s);
	return row;
}

enum db_type db_type(struct db_stmt *s, int col)
{
	return s->eng->column_type(s, col);
}

int db_is_null(struct db_stmt *s, int col)
{
	return s->eng->is_null(s, col);
}

int64_t db_int64(struct db_stmt *s, int col)
{
	return s->eng->column_int64(s, col);
}

const char *db_text(struct db_stmt *s, int col)
{
	return s->eng->column_text(s, col);
}

json_t *db_json_object(struct db_stmt *s, int col)
{
	const char *txt = db_text(s, col);
	json_t *o = NULL;

	if (txt)
		o = json_loads(txt, JSON_DECODE_ANY, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

int64_t db_changes(struct db_stmt *s)
{
	return s->eng->changes(s);
}

void db_reset(struct db_stmt *s)
{
	if (s)
		s->eng->reset(s);
}

/* ---- PostgreSQL's text ---- */

static int word_at(const char *sql, const char *p, const char *word)
{
	size_t n = strlen(word);

	if (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return 0;
	return !strncmp(p, word, n) && !isalnum((unsigned char)p[n]) &&
	       p[n] != '_';
}

/* DB_JSON_TEXT()'s form at p: json_extract(COL, '$.KEY'). Appends
 * (COL ->> 'KEY') to out and returns the length read, or 0. */
static size_t json_form(const char *p, struct strbuf *out)
{
	static const char head[] = "json_extract(";
	const char *col, *key;
	size_t ncol, nkey;

	if (strncmp(p, head, sizeof(head) - 1))
		return 0;
	col = p + sizeof(head) - 1;
	for (ncol = 0; isalnum((unsigned char)col[ncol]) || col[ncol] == '_' ||
		       col[ncol] == '.';
	     ncol++)
		;
	if (!ncol || strncmp(col + ncol, ", '$.", 5))
		return 0;
	key = col + ncol + 5;
	for (nkey = 0; isalnum((unsigned char)key[nkey]) || key[nkey] == '_';
	     nkey++)
		;
	if (!nkey || strncmp(key + nkey, "')", 2))
		return 0;
	strbuf_printf(out, "(%.*s ->> '%.*s')", (int)ncol, col, (int)nkey, key);
	return (size_t)(key + nkey + 2 - p);
}

/* DB_SKIP_LOCKED's comment at p: appends the clause, returns the length
 * read, or 0. */
static size_t skip_locked_form(const char *p, struct strbuf *out)
{
	static const char form[] = "/*FOR UPDATE SKIP LOCKED*/";

	if (strncmp(p, form, sizeof(form) - 1))
		return 0;
	strbuf_puts(out, "FOR UPDATE SKIP LOCKED");
	return sizeof(form) - 1;
}

/* DB_IN_JSON_IDS()'s json_each(?N) at p: appends the start of PostgreSQL's
 * form and returns the length of "json_each(" (the parameter is rewritten
 * as any other; *close is set so that the ")" after it gets
 * " AS jsonb))"), or 0. */
static size_t json_each_form(const char *sql, const char *p, struct strbuf *out,
			     int *close)
{
	static const char head[] = "json_each(?";

	if (!word_at(sql, p, "json_each") || strncmp(p, head, sizeof(head) - 1))
		return 0;
	strbuf_puts(out, "jsonb_array_elements_text(CAST(");
	*close = 1;
	return sizeof(head) - 2;
}

/* SQLite's "INDEXED BY name" at p (a planner hint, like CROSS JOIN):
 * PostgreSQL picks its own index, so it is left out. Returns the length
 * read, or 0. */
static size_t indexed_by_form(const char *sql, const char *p)
{
	size_t n = strlen("INDEXED BY ");

	if (!word_at(sql, p, "INDEXED BY"))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* "X COLLATE NOCASE" (X a column or a parameter: the word out ends with)
 * at p: X becomes lower(X), both sides of a comparison written so ignore
 * ASCII case, as NOCASE does. Returns the length read, or 0 when out ends
 * with no such word (the collation then goes as it is, and PostgreSQL
 * refuses it by name). */
static size_t nocase_form(const char *sql, const char *p, struct strbuf *out)
{
	size_t end, start;
	char *x;

	if (!word_at(sql, p, "COLLATE NOCASE") || !out->data)
		return 0;
	end = out->len;
	while (end && out->data[end - 1] == ' ')
		end--;
	start = end;
	while (start && (isalnum((unsigned char)out->data[start - 1]) ||
			 strchr("_.$", out->data[start - 1])))
		start--;
	if (start == end)
		return 0;
	x = xstrndup(out->data + start, end - start);
	out->len = start;
	out->data[start] = '\0';
	strbuf_printf(out, "lower(%s)", x);
	free(x);
	return strlen("COLLATE NOCASE");
}

char *db_sql_pg(const char *sql, int max, int *nparams, const char **why)
{
	int close = 0;
	struct strbuf out;
	const char *p = sql;
	int n;
	size_t len;
	char quote;

	*nparams = 0;
	strbuf_init(&out, 0);
	while (*p) {
		if (*p == '\'' || *p == '"') {
			/* quoted text and identifiers go as they are ('' and
			 * "" are their own escapes: two quotes in a row) */
			quote = *p;
			len = 1;
			while (p[len] && p[len] != quote)
				len++;
			if (p[len])
				len++;
			strbuf_append(&out, p, len);
			p += len;
		} else if (*p == '?') {
			p++;
			if (isdigit((unsigned char)*p)) {
				n = 0;
				while (isdigit((unsigned char)*p) && n <= max)
					n = n * 10 + (*p++ - '0');
			} else {
				/* as SQLite numbers it: one more than the
				 * largest number so far */
				n = *nparams + 1;
			}
			if (n < 1 || n > max) {
				*why = "more parameters than allowed";
				goto fail;
			}
			if (n > *nparams)
				*nparams = n;
			strbuf_printf(&out, "$%d", n);
			if (close && *p == ')') {
				strbuf_puts(&out, " AS jsonb))");
				p++;
				close = 0;
			} else if (close) {
				*why = "json_each() of more than a parameter";
				goto fail;
			}
		} else if ((len = json_each_form(sql, p, &out, &close)) > 0) {
			p += len;
		} else if ((len = skip_locked_form(p, &out)) > 0) {
			p += len;
		} else if (word_at(sql, p, "IS NOT") &&
			   !strncmp(p + strlen("IS NOT"), " ?", 2)) {
			/* IS NOT on a value: a boolean test on PostgreSQL */
			strbuf_puts(&out, "IS DISTINCT FROM ");
			p += strlen("IS NOT ");
		} else if (word_at(sql, p, "LIKE")) {
			strbuf_puts(&out, "ILIKE");
			p += strlen("LIKE");
		} else if ((len = indexed_by_form(sql, p)) > 0) {
			p += len;
			while (*p == ' ')
				p++;
		} else if ((len = nocase_form(sql, p, &out)) > 0) {
			p += len;
		} else if (word_at(sql, p, "CROSS JOIN")) {
			strbuf_puts(&out, "JOIN");
			p += strlen("CROSS JOIN");
		} else if ((len = json_form(p, &out)) > 0) {
			p += len;
		} else {
			strbuf_append(&out, p, 1);
			p++;
		}
	}
	return out.data ? out.data : xstrdup("");
fail:
	strbuf_free(&out);
	return NULL;
}
