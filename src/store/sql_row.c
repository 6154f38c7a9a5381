/*
 * sql_row.c: rows as JSON objects for the operations written once for
 * both engines (sql_row.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/sql_row.h"

static json_t *row_value(struct db_stmt *s, int col, char type)
{
	const char *text;
	json_t *j;

	if (db_is_null(s, col))
		return json_null();
	switch (type) {
	case 'i':
		return json_integer(db_int64(s, col));
	case 'b':
		return json_boolean(db_int64(s, col));
	case 'r':
		return json_real(strtod(db_text(s, col), NULL));
	case 'j':
		text = db_text(s, col);
		j = json_loads(text, JSON_DECODE_ANY, NULL);
		return j ? j : json_string(text);
	default:
		j = json_string(db_text(s, col));
		return j ? j : json_null();
	}
}

json_t *sql_row_object(struct db_stmt *s, const char *const *cols)
{
	json_t *o = json_object();
	int i;

	for (i = 0; cols[i]; i++)
		json_object_set_new(o, cols[i] + 2,
				    row_value(s, i, cols[i][0]));
	return o;
}

json_t *sql_rows(struct db_stmt *s, const char *const *cols)
{
	json_t *rows;
	int rc;

	if (!s)
		return NULL;
	rows = json_array();
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(rows, sql_row_object(s, cols));
	if (rc < 0) {
		json_decref(rows);
		return NULL;
	}
	db_reset(s);
	return rows;
}

json_t *sql_row_first(struct db_stmt *s, const char *const *cols, int *found)
{
	json_t *o = NULL;
	int rc;

	if (found)
		*found = 0;
	if (!s)
		return NULL;
	rc = db_step(s);
	if (rc == DB_ROW)
		o = sql_row_object(s, cols);
	if (rc >= 0)
		db_reset(s);
	if (found)
		*found = rc < 0 ? -1 : o != NULL;
	return o;
}

/* Steps s to its first row: DB_ROW (the row there), DB_DONE or -1. */
static int first_row(struct db_stmt *s)
{
	return s ? db_step(s) : -1;
}

int sql_first_ints(struct db_stmt *s, int64_t *a, int64_t *b)
{
	int rc = first_row(s);

	if (rc == DB_ROW) {
		*a = db_int64(s, 0);
		if (b)
			*b = db_int64(s, 1);
	}
	if (rc < 0)
		return -1;
	db_reset(s);
	return rc == DB_ROW;
}

int sql_first_int_text(struct db_stmt *s, int64_t *a, char *text, size_t n)
{
	int rc = first_row(s);

	if (rc == DB_ROW) {
		*a = db_int64(s, 0);
		snprintf(text, n, "%s", db_text(s, 1) ? db_text(s, 1) : "");
	}
	if (rc < 0)
		return -1;
	db_reset(s);
	return rc == DB_ROW;
}

int sql_scalar(struct db_stmt *s, int64_t *out)
{
	*out = 0;
	return sql_first_ints(s, out, NULL) < 0 ? -1 : 0;
}

int sql_exec_id(struct store *st, const char *sql, int64_t id)
{
	struct db_stmt *s = db_stmt(st, sql);

	if (!s)
		return -1;
	db_bind_int64(s, 1, id);
	return db_exec(s);
}

void sql_bind_ids(struct db_stmt *s, int idx, const int64_t *ids, int n)
{
	json_t *a;
	int i;

	if (!ids) {
		db_bind_null(s, idx);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	db_bind_json(s, idx, a);
	json_decref(a);
}
