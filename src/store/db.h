/*
 * db: the one statement helper of the SQL back ends. Private to
 * src/store/.
 *
 * An operation written with it runs on every engine: it asks its handle
 * for a statement by SQL text (db_stmt(): prepared once per connection
 * and cached), binds parameters by position, steps through the rows and
 * reads columns, and never sees sqlite3_* or PQ* itself. The engine is a
 * detail of the statement (struct db_engine: SQLite in sqlite.c,
 * PostgreSQL in pg.c).
 *
 * The SQL is written once, in the subset both engines accept:
 * - parameters as ?N or ? (numbered as SQLite does), rewritten to $N
 *   for PostgreSQL;
 * - a new row's id with INSERT ... RETURNING id (never
 *   last_insert_rowid()), rows changed with db_changes();
 * - ON CONFLICT ... DO NOTHING / DO UPDATE, never INSERT OR IGNORE;
 * - a value read from a JSON column with DB_JSON_TEXT(col, key), which
 *   is json_extract() on SQLite and ->> on PostgreSQL;
 * - "CROSS JOIN t ON ..." only as SQLite's join-order hint (it is an
 *   inner join there): PostgreSQL runs it as JOIN; "INDEXED BY name",
 *   SQLite's index hint, is left out on PostgreSQL;
 * - a comparison that ignores ASCII case as "x COLLATE NOCASE >= ?1
 *   COLLATE NOCASE" (x a column, both sides marked), which is lower(x)
 *   >= lower($1) on PostgreSQL (indexes on lower(col) serve it there);
 * - no LIMIT -1 (bind INT64_MAX for "no limit"), no "IN table" (write
 *   IN (SELECT id FROM table)), a bare parameter only where its type is
 *   known (CAST(?1 AS BIGINT) in a SELECT list), the table "user" quoted;
 * - a list of ids bound as one JSON array with DB_IN_JSON_IDS(col, "?N")
 *   (one statement text whatever the list's length);
 * - a claim's "take the row unless another transaction holds it" with
 *   DB_SKIP_LOCKED after its SELECT (PostgreSQL's FOR UPDATE SKIP LOCKED;
 *   on SQLite, whose writer is alone, nothing);
 * - no "WHERE 1" (write WHERE TRUE).
 * Text columns compare and sort byte by byte on both engines (the
 * PostgreSQL schema declares them COLLATE "C"). LIKE ignores ASCII case
 * on both (it is ILIKE on PostgreSQL); "x IS NOT ?" is NULL-safe on both.
 */
#ifndef NC_STORE_DB_H
#define NC_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;
struct db_stmt;

/* What db_step() returns besides -1 (an error, logged). */
#define DB_DONE 0
#define DB_ROW 1
/* db_step_unique(): the statement broke a UNIQUE or other constraint
 * (not logged: the caller names what already exists). */
#define DB_CONSTRAINT (-2)

/* What a column of the current row holds (db_type()). */
enum db_type { DB_NULL, DB_INTEGER, DB_FLOAT, DB_TEXT };

/* The text of a JSON object member read in SQL: col and key are SQL
 * identifiers (string literals), never input. PostgreSQL's form is
 * written by pg.c's rewrite of exactly this text. */
#define DB_JSON_TEXT(col, key) "json_extract(" col ", '$." key "')"

/* col is one of the ids of the JSON array bound to parameter p ("?N"):
 * json_each() on SQLite, jsonb_array_elements_text() on PostgreSQL (by
 * pg.c's rewrite of exactly this text). */
#define DB_IN_JSON_IDS(col, p)                                                 \
	col " IN (SELECT CAST(value AS BIGINT) FROM json_each(" p "))"

/* After a claim's SELECT ... LIMIT n: rows another transaction has locked
 * are passed over on PostgreSQL (a comment on SQLite). */
#define DB_SKIP_LOCKED " /*FOR UPDATE SKIP LOCKED*/"

/* The few SQL forms the engines write differently, for SQL built at run
 * time (sql_api.c's filters and orderings); a member of the back end's
 * ops table. */
struct db_dialect {
	/* PRE col POST: col equals one bound value, ASCII case ignored
	 * (SQLite: COLLATE NOCASE; PostgreSQL: lower() = lower()) */
	const char *nocase_pre, *nocase_post;
	/* PRE col POST: a sort key that orders addresses as numbers */
	const char *ip_pre, *ip_post;
	/* written before a column compared with a range in a count: SQLite
	 * then scans instead of reading a wide range through an index */
	const char *scan;
	/* written before a statement for its plan's rows (a "detail" or a
	 * "QUERY PLAN" column): search_plans */
	const char *explain;
	/* of a sort value v (a column or a JSON member read with ->>):
	 * true when v is a number or starts with digits, and the number it
	 * starts with (a component page: sizes, counts, versions) */
	const char *num_first, *num_key;
};

/* An engine's side of a statement (sqlite.c, pg.c). */
struct db_engine {
	const char *name;
	void (*bind_null)(struct db_stmt *s, int idx);
	void (*bind_int64)(struct db_stmt *s, int idx, int64_t v);
	/* v holds len bytes (not NUL-terminated); copied */
	void (*bind_text)(struct db_stmt *s, int idx, const char *v,
			  size_t len);
	int (*step)(struct db_stmt *s);
	int (*is_null)(struct db_stmt *s, int col);
	int64_t (*column_int64)(struct db_stmt *s, int col);
	const char *(*column_text)(struct db_stmt *s, int col);
	int64_t (*changes)(struct db_stmt *s);
	void (*reset)(struct db_stmt *s);
	int (*column_count)(struct db_stmt *s);
	const char *(*column_name)(struct db_stmt *s, int col);
	enum db_type (*column_type)(struct db_stmt *s, int col);
	double (*column_double)(struct db_stmt *s, int col);
};

/* The first member of every engine's statement. */
struct db_stmt {
	const struct db_engine *eng;
	/* set by db_step_unique() while it steps: a constraint violation
	 * is DB_CONSTRAINT, not a logged error */
	int quiet_constraint;
};

/* The statement for sql on st's connection, reset and with no bindings;
 * db_reset() it when done. Owned by the handle. NULL on failure (logged).
 */
struct db_stmt *db_stmt(struct store *st, const char *sql);

/* Parameters count from 1, as ?N in the SQL. A NULL text or JSON binds
 * SQL NULL; JSON is bound as its compact text. */
void db_bind_null(struct db_stmt *s, int idx);
void db_bind_int64(struct db_stmt *s, int idx, int64_t v);
void db_bind_text(struct db_stmt *s, int idx, const char *v);
void db_bind_json(struct db_stmt *s, int idx, json_t *v);
/* A JSON scalar as text (a number in its JSON form, true/false as 1/0);
 * 0, or -1 when v is an array or object (nothing bound). */
int db_bind_scalar(struct db_stmt *s, int idx, json_t *v);

/* DB_ROW, DB_DONE, or -1 (logged; the statement is reset). */
int db_step(struct db_stmt *s);
/* db_step(), but a broken constraint (a name that exists already) is
 * DB_CONSTRAINT, not logged; the statement is reset then. */
int db_step_unique(struct db_stmt *s);
/* Steps an INSERT ... RETURNING id (or an UPDATE ... RETURNING id) as
 * db_step_unique() and resets it: 0 with the row's id in *id (when not
 * NULL), DB_CONSTRAINT, or -1 (also when no row came back). */
int db_step_id(struct db_stmt *s, int64_t *id);
/* Steps a statement that returns no rows and resets it: 0 or -1. */
int db_exec(struct db_stmt *s);
/* Steps s to its end, an array of row(s) for each row; NULL on failure. */
json_t *db_collect(struct db_stmt *s, json_t *(*row)(struct db_stmt *s));
/* The current row as an object named by the result columns: integers,
 * reals, text as strings, NULL as null. */
json_t *db_row_object(struct db_stmt *s);
/* db_collect(s, db_row_object). */
json_t *db_rows(struct db_stmt *s);
/* The first row of s as db_row_object(), reset after; NULL when there is
 * none (*found 0) or on failure (*found 0, logged). found may be NULL. */
json_t *db_row_first(struct db_stmt *s, int *found);
/* Columns count from 0. Text stays valid until the next step or reset;
 * NULL for SQL NULL. */
int db_is_null(struct db_stmt *s, int col);
int64_t db_int64(struct db_stmt *s, int col);
double db_double(struct db_stmt *s, int col);
const char *db_text(struct db_stmt *s, int col);
enum db_type db_type(struct db_stmt *s, int col);
int db_column_count(struct db_stmt *s);
/* Column col as JSON: an integer, a real, null, or text as a string (with
 * is_json, the document the text holds when it parses). */
json_t *db_value(struct db_stmt *s, int col, int is_json);
/* A JSON object parsed from a text column; an empty object when the text
 * is missing or damaged. */
json_t *db_json_object(struct db_stmt *s, int col);
/* Rows the last run of s inserted, changed or deleted. */
int64_t db_changes(struct db_stmt *s);
void db_reset(struct db_stmt *s);

/* PostgreSQL's text of sql: ?N and ? become $N, "CROSS JOIN" becomes
 * "JOIN", "INDEXED BY name" goes, "x COLLATE NOCASE" becomes lower(x),
 * LIKE becomes ILIKE, "IS NOT ?" (a parameter) becomes "IS
 * DISTINCT FROM ?", DB_JSON_TEXT()'s form becomes (col ->> 'key'),
 * json_each(?N) becomes jsonb_array_elements_text(CAST($N AS jsonb)) and
 * DB_SKIP_LOCKED's comment FOR UPDATE SKIP LOCKED; quoted text is left
 * alone. A bare ? is numbered as SQLite numbers it: one more than the
 * largest number before it (so "?1 ... ?2 ... ?" is $1, $2, $3).
 * *nparams is the highest parameter number. Returns NULL (why set) when
 * sql uses more than max parameters. Caller frees. */
char *db_sql_pg(const char *sql, int max, int *nparams, const char **why);

#endif
