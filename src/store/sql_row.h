/*
 * sql_row: rows of the statement helper (db.h) as the JSON objects the
 * store functions return, for the operations written once for both
 * engines (sql_sched.c, sql_discoveries.c, sql_collectors.c, ...).
 * Private to src/store/.
 *
 * A row is described by its columns in SELECT order, each "T:name" where
 * T says what the JSON value is: 'i' an integer, 't' text, 'b' a boolean
 * (an integer column, 0 or 1), 'j' a JSON document stored as text (kept
 * as a string when it does not parse), 'r' a real. SQL NULL is null for
 * every type. The list ends with NULL.
 */
#ifndef NC_SQL_ROW_H
#define NC_SQL_ROW_H

#include <stdint.h>
#include <jansson.h>

#include "store/db.h"

/* The current row of s as an object named by cols. */
json_t *sql_row_object(struct db_stmt *s, const char *const *cols);
/* Every row of s (its parameters bound), stepped to the end and reset;
 * NULL on error (logged). */
json_t *sql_rows(struct db_stmt *s, const char *const *cols);
/* The first row of s (reset after), or NULL: *found (may be NULL) is 1
 * when there was a row, 0 when none, -1 on error (logged). */
json_t *sql_row_first(struct db_stmt *s, const char *const *cols, int *found);
/* The first column of s's first row as an integer (0 when no row); s is
 * reset. 0 or -1 (also for a NULL s). */
int sql_scalar(struct db_stmt *s, int64_t *out);
/* Steps s (bound) to its first row and resets it: 1 with its column 0 in
 * *a and column 1 in *b (when b is not NULL), 0 when there is no row (a
 * and b untouched), -1 on error or for a NULL s. */
int sql_first_ints(struct db_stmt *s, int64_t *a, int64_t *b);
/* The same with column 1 as text, copied into text[n] ("" for NULL). */
int sql_first_int_text(struct db_stmt *s, int64_t *a, char *text, size_t n);
/* Runs sql, a statement without rows, with the integer id as ?1: 0 or
 * -1. */
int sql_exec_id(struct store *st, const char *sql, int64_t id);
/* Binds a JSON array of the n ids (NULL binds SQL NULL), for
 * DB_IN_JSON_IDS(). */
void sql_bind_ids(struct db_stmt *s, int idx, const int64_t *ids, int n);

#endif
