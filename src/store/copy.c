/*
 * copy.c: a whole store copied into another, and the per-table digest
 * (copy.h). Written with the statement helper (db.h): the only engine
 * specific SQL is how each engine lists a table's columns and tables.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"
#include "store/copy.h"
#include "store/db.h"

/* The tables of the schema in the order their rows can be inserted: the
 * migrations' order, with collector (migration 5) before discovery and
 * discovery_run, which reference it. A table of either store that is
 * not here stops the copy, so that a new migration's table is never left
 * behind. */
static const char *const copy_tables[] = {
	"org",		"user",		 "token",	   "collector",
	"credential",	"device",	 "component",	   "change_log",
	"audit_log",	"discovery",	 "discovery_run",  "discovery_log",
	"report",	"task",		 "setting",	   "auth_source",
	"location",	"ssh_host",	 "collector_item", "windows_host",
	"custom_field", "device_custom", "user_pref",	   "session"};
#define COPY_NTABLES (sizeof(copy_tables) / sizeof(copy_tables[0]))
#define COPY_MAX_COLS 64
/* values bound to one statement at most: pg.c's PG_MAX_PARAMS */
#define COPY_MAX_PARAMS 64
#define COPY_PROGRESS_ROWS 50000
#define COPY_DIGEST_LEN 32

/* A table as one engine has it. */
struct copy_table {
	const char *name;
	int ncols;
	char *col[COPY_MAX_COLS]; /* the engine's names ("sysname" on PG) */
	int pk[COPY_MAX_COLS];	  /* place in the primary key (1..), or 0 */
	int order[COPY_MAX_COLS]; /* columns by lower-case name */
	int has_id;
};

static int copy_is_pg(struct store *st)
{
	return !strcmp(st->ops->name, "PostgreSQL");
}

static void copy_table_free(struct copy_table *t)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		free(t->col[i]);
	t->ncols = 0;
}

/* Reads table name's columns on st into t. 0 or -1 (logged). */
static int copy_columns(struct store *st, const char *name,
			struct copy_table *t)
{
	struct db_stmt *s = db_stmt(
		st, copy_is_pg(st)
			    ? "SELECT c.column_name, coalesce((SELECT"
			      " k.ordinal_position FROM"
			      " information_schema.key_column_usage k JOIN"
			      " information_schema.table_constraints tc ON"
			      " tc.constraint_name = k.constraint_name AND"
			      " tc.table_schema = k.table_schema WHERE"
			      " tc.constraint_type = 'PRIMARY KEY' AND"
			      " k.table_schema = c.table_schema AND"
			      " k.table_name = c.table_name AND"
			      " k.column_name = c.column_name), 0)"
			      " FROM information_schema.columns c"
			      " WHERE c.table_schema = current_schema()"
			      " AND c.table_name = CAST(?1 AS TEXT)"
			      " ORDER BY c.ordinal_position"
			    : "SELECT name, pk FROM pragma_table_info(?1)"
			      " ORDER BY cid");
	int rc, i, j;

	memset(t, 0, sizeof(*t));
	t->name = name;
	if (!s)
		return -1;
	db_bind_text(s, 1, name);
	while ((rc = db_step(s)) == DB_ROW) {
		if (t->ncols == COPY_MAX_COLS || !db_text(s, 0)) {
			db_reset(s);
			log_err("database copy: table %s has more than %d "
				"columns",
				name, COPY_MAX_COLS);
			copy_table_free(t);
			return -1;
		}
		t->pk[t->ncols] = (int)db_int64(s, 1);
		t->col[t->ncols++] = xstrdup(db_text(s, 0));
	}
	if (rc < 0) {
		copy_table_free(t);
		return -1;
	}
	db_reset(s);
	if (!t->ncols) {
		log_err("database copy: the database has no table %s", name);
		return -1;
	}
	/* the columns by lower-case name: the digest's order on both */
	for (i = 0; i < t->ncols; i++) {
		for (j = i; j > 0 &&
			    strcasecmp(t->col[t->order[j - 1]], t->col[i]) > 0;
		     j--)
			t->order[j] = t->order[j - 1];
		t->order[j] = i;
		if (!strcasecmp(t->col[i], "id"))
			t->has_id = 1;
	}
	return 0;
}

/* "SELECT cols FROM t ORDER BY primary key" in t's own column order. */
static char *copy_select(const struct copy_table *t)
{
	struct strbuf sb;
	int i, k, any = 0;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "SELECT ");
	for (i = 0; i < t->ncols; i++)
		strbuf_printf(&sb, "%s\"%s\"", i ? ", " : "", t->col[i]);
	strbuf_printf(&sb, " FROM \"%s\" ORDER BY ", t->name);
	for (k = 1; k <= t->ncols; k++)
		for (i = 0; i < t->ncols; i++)
			if (t->pk[i] == k) {
				strbuf_printf(&sb, "%s\"%s\"", any ? ", " : "",
					      t->col[i]);
				any = 1;
			}
	/* (every table of the schema has a key; all columns otherwise) */
	for (i = 0; !any && i < t->ncols; i++)
		strbuf_printf(&sb, "%s%d", i ? ", " : "", i + 1);
	return sb.data;
}

/* ---- the digest ---- */

/* v as both engines' digests see it (copy.h); *tmp holds a string made
 * for it (free()). */
static const char *copy_canon(const char *v, char **tmp, char num[40])
{
	json_t *j;
	char *end;
	double d;

	*tmp = NULL;
	if (*v == '{' || *v == '[') {
		j = json_loads(v, JSON_DECODE_ANY, NULL);
		*tmp = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS |
						 JSON_ENCODE_ANY |
						 JSON_REAL_PRECISION(15))
			 : NULL;
		json_decref(j);
		return *tmp ? *tmp : v;
	}
	if ((isdigit((unsigned char)*v) || *v == '-' || *v == '.') &&
	    strpbrk(v, ".eE")) {
		d = strtod(v, &end);
		if (!*end) {
			snprintf(num, 40, "%.15g", d);
			return num;
		}
	}
	return v;
}

static void copy_hash_text(crypto_generichash_state *h, const char *s)
{
	crypto_generichash_update(h, (const unsigned char *)s, strlen(s) + 1);
}

/* Adds the current row of s (a copy_select() of t) to h. */
static void copy_hash_row(crypto_generichash_state *h,
			  const struct copy_table *t, struct db_stmt *s)
{
	char *tmp, num[40], lower[64];
	const char *v;
	int k, c;
	size_t i;

	for (k = 0; k < t->ncols; k++) {
		c = t->order[k];
		for (i = 0; t->col[c][i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)tolower((unsigned char)t->col[c][i]);
		lower[i] = '\0';
		copy_hash_text(h, lower);
		v = db_text(s, c);
		if (!v) {
			crypto_generichash_update(h, (const unsigned char *)"N",
						  1);
			continue;
		}
		crypto_generichash_update(h, (const unsigned char *)"V", 1);
		copy_hash_text(h, copy_canon(v, &tmp, num));
		free(tmp);
	}
}

static void copy_hex(crypto_generichash_state *h, char hex[65])
{
	unsigned char out[COPY_DIGEST_LEN];

	crypto_generichash_final(h, out, sizeof(out));
	sodium_bin2hex(hex, 65, out, sizeof(out));
}

/* The rows and digest of table t on st. 0 or -1. */
static int copy_digest_table(struct store *st, const struct copy_table *t,
			     int64_t *rows, char hex[65])
{
	crypto_generichash_state h;
	char *sql = copy_select(t);
	struct db_stmt *s = db_stmt(st, sql);
	int rc;

	free(sql);
	*rows = 0;
	if (!s)
		return -1;
	crypto_generichash_init(&h, NULL, 0, COPY_DIGEST_LEN);
	while ((rc = db_step(s)) == DB_ROW) {
		copy_hash_row(&h, t, s);
		(*rows)++;
	}
	if (rc < 0)
		return -1;
	db_reset(s);
	copy_hex(&h, hex);
	return 0;
}

static json_t *copy_entry(const char *table, int64_t rows, const char *hex)
{
	return json_pack("{sssIss}", "table", table, "rows", (json_int_t)rows,
			 "checksum", hex);
}

/* Every table of st must be one copy_tables names. 0 or -1 (logged). */
static int copy_known_tables(struct store *st)
{
	struct db_stmt *s = db_stmt(
		st, copy_is_pg(st)
			    ? "SELECT table_name FROM information_schema.tables"
			      " WHERE table_schema = current_schema() AND"
			      " table_type = 'BASE TABLE' AND"
			      " table_name <> 'netcensus_schema'"
			    : "SELECT name FROM sqlite_master WHERE type ="
			      " 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE"
			      " '\\'");
	size_t i;
	int rc, bad = 0;

	if (!s)
		return -1;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *name = db_text(s, 0);

		for (i = 0; name && i < COPY_NTABLES; i++)
			if (!strcmp(name, copy_tables[i]))
				break;
		if (name && i == COPY_NTABLES) {
			log_err("database copy: table %s is not one this "
				"netcensus knows how to copy; not copying "
				"without it",
				name);
			bad = 1;
		}
	}
	if (rc < 0)
		return -1;
	db_reset(s);
	return bad ? -1 : 0;
}

json_t *store_digest(struct store *st)
{
	struct copy_table t;
	json_t *tables = json_array();
	int64_t rows, total = 0;
	char hex[65];
	size_t i;

	if (copy_known_tables(st) < 0)
		goto fail;
	for (i = 0; i < COPY_NTABLES; i++) {
		if (copy_columns(st, copy_tables[i], &t) < 0)
			goto fail;
		if (copy_digest_table(st, &t, &rows, hex) < 0) {
			copy_table_free(&t);
			goto fail;
		}
		copy_table_free(&t);
		json_array_append_new(tables,
				      copy_entry(copy_tables[i], rows, hex));
		total += rows;
	}
	return json_pack("{soso}", "tables", tables, "rows",
			 json_integer(total));
fail:
	json_decref(tables);
	return NULL;
}

/* ---- the copy ---- */

/* Rows of to that a new database does not ship with: 0 or more, -1. */
static int64_t copy_user_rows(struct store *to)
{
	struct db_stmt *s;
	int64_t n, total = 0;
	char *sql;
	size_t i;

	for (i = 0; i < COPY_NTABLES; i++) {
		if (!strcmp(copy_tables[i], "org"))
			sql = xstrdup("SELECT count(*) FROM org WHERE id <> 1");
		else if (!strcmp(copy_tables[i], "report"))
			sql = xstrdup("SELECT count(*) FROM report"
				      " WHERE builtin = 0");
		else
			sql = xasprintf("SELECT count(*) FROM \"%s\"",
					copy_tables[i]);
		s = db_stmt(to, sql);
		free(sql);
		if (!s || db_step(s) != DB_ROW) {
			db_reset(s);
			return -1;
		}
		n = db_int64(s, 0);
		db_reset(s);
		total += n;
	}
	return total;
}

/* Runs sql (no parameters, no rows wanted) on st: 0 or -1. */
static int copy_run(struct store *st, const char *sql)
{
	struct db_stmt *s = db_stmt(st, sql);
	int rc;

	if (!s)
		return -1;
	while ((rc = db_step(s)) == DB_ROW)
		;
	if (rc < 0)
		return -1;
	db_reset(s);
	return 0;
}

/* "INSERT INTO t (to's names of src's columns) VALUES (?1...), ..." for
 * nrows rows: NULL when the two tables' columns differ (logged). */
static char *copy_insert(const struct copy_table *src,
			 const struct copy_table *dst, int nrows)
{
	struct strbuf sb;
	int i, j;

	if (src->ncols != dst->ncols) {
		log_err("database copy: table %s has %d columns in the source "
			"and %d in the target (not the same schema)",
			src->name, src->ncols, dst->ncols);
		return NULL;
	}
	strbuf_init(&sb, 0);
	strbuf_printf(&sb, "INSERT INTO \"%s\" (", src->name);
	for (i = 0; i < src->ncols; i++) {
		for (j = 0; j < dst->ncols; j++)
			if (!strcasecmp(src->col[i], dst->col[j]))
				break;
		if (j == dst->ncols) {
			log_err("database copy: the target's table %s has no "
				"column %s",
				src->name, src->col[i]);
			strbuf_free(&sb);
			return NULL;
		}
		strbuf_printf(&sb, "%s\"%s\"", i ? ", " : "", dst->col[j]);
	}
	strbuf_puts(&sb, ") VALUES ");
	for (j = 0; j < nrows; j++) {
		strbuf_puts(&sb, j ? ", (" : "(");
		for (i = 0; i < src->ncols; i++)
			strbuf_printf(&sb, "%s?%d", i ? ", " : "",
				      j * src->ncols + i + 1);
		strbuf_puts(&sb, ")");
	}
	return sb.data;
}

/* Rows waiting to be inserted together: their values, copied. */
struct copy_batch {
	const struct copy_table *src, *dst;
	struct store *to;
	int size;   /* rows per INSERT */
	int n;	    /* rows waiting */
	char *full; /* the INSERT of size rows */
	char *val[COPY_MAX_PARAMS];
	int64_t done; /* rows inserted before these */
};

/* Inserts the rows waiting in b: 0 or -1 (logged). */
static int copy_flush(struct copy_batch *b)
{
	char *sql =
		b->n == b->size ? b->full : copy_insert(b->src, b->dst, b->n);
	struct db_stmt *w = sql ? db_stmt(b->to, sql) : NULL;
	int i, nv = b->n * b->src->ncols, rc = -1;

	if (w) {
		for (i = 0; i < nv; i++)
			db_bind_text(w, i + 1, b->val[i]);
		rc = db_exec(w);
	}
	if (rc < 0)
		log_err("database copy: table %s: rows %" PRId64 " to %" PRId64
			" were refused by the target",
			b->src->name, b->done + 1, b->done + b->n);
	for (i = 0; i < nv; i++) {
		free(b->val[i]);
		b->val[i] = NULL;
	}
	b->done += b->n;
	b->n = 0;
	if (sql != b->full)
		free(sql);
	return rc;
}

/* Copies the rows of src (on from) into dst (on to), digesting them;
 * then reads them back from to and compares. Into PostgreSQL the rows go
 * several to an INSERT (as many as COPY_MAX_PARAMS values allow): one
 * round trip per row was most of the time. 0 or -1 (logged). */
static int copy_rows(struct store *from, struct store *to,
		     const struct copy_table *src, const struct copy_table *dst,
		     store_copy_progress progress, json_t *tables)
{
	crypto_generichash_state h;
	struct copy_batch b;
	char *sel = copy_select(src), hex[65], back[65];
	struct db_stmt *s = NULL;
	int64_t rows = 0, back_rows;
	int rc = -1, step, i;
	const char *v;

	memset(&b, 0, sizeof(b));
	b.src = src;
	b.dst = dst;
	b.to = to;
	b.size = copy_is_pg(to) ? COPY_MAX_PARAMS / src->ncols : 1;
	if (b.size < 1)
		b.size = 1;
	b.full = copy_insert(src, dst, b.size);
	if (!b.full)
		goto out;
	s = db_stmt(from, sel);
	if (!s)
		goto out;
	crypto_generichash_init(&h, NULL, 0, COPY_DIGEST_LEN);
	while ((step = db_step(s)) == DB_ROW) {
		for (i = 0; i < src->ncols; i++) {
			v = db_text(s, i);
			b.val[b.n * src->ncols + i] = v ? xstrdup(v) : NULL;
		}
		copy_hash_row(&h, src, s);
		if (++b.n == b.size && copy_flush(&b) < 0)
			goto out;
		if (++rows % COPY_PROGRESS_ROWS == 0 && progress)
			progress(src->name, rows, 0);
	}
	if (step < 0 || (b.n && copy_flush(&b) < 0))
		goto out;
	db_reset(s);
	s = NULL;
	copy_hex(&h, hex);
	if (copy_digest_table(to, dst, &back_rows, back) < 0)
		goto out;
	if (back_rows != rows || strcmp(hex, back)) {
		log_err("database copy: table %s: the target holds %" PRId64
			" rows (checksum %.16s...) where the source has "
			"%" PRId64 " (%.16s...): not stored",
			src->name, back_rows, back, rows, hex);
		goto out;
	}
	json_array_append_new(tables, copy_entry(src->name, rows, hex));
	if (progress)
		progress(src->name, rows, 1);
	rc = 0;
out:
	for (i = 0; i < b.n * src->ncols; i++)
		free(b.val[i]);
	db_reset(s);
	free(sel);
	free(b.full);
	return rc;
}

/* PostgreSQL: the id sequence of table t past its highest id. */
static int copy_sequence(struct store *to, const char *t)
{
	char *sql = xasprintf("SELECT setval(pg_get_serial_sequence('\"%s\"',"
			      " 'id'), (SELECT coalesce(max(id), 0) + 1"
			      " FROM \"%s\"), false)",
			      t, t);
	int rc = copy_run(to, sql);

	free(sql);
	return rc;
}

int store_copy(struct store *from, struct store *to, int force,
	       store_copy_progress progress, json_t **report)
{
	struct copy_table src, dst;
	json_t *tables = json_array();
	int64_t held, total = 0;
	char *sql;
	size_t i, k;
	int rc, vf = store_db_version(from), vt = store_db_version(to);

	*report = NULL;
	if (vf < 0 || vt < 0)
		goto fail_quiet;
	if (vf != vt) {
		log_err("database copy: the source is at schema version %d, "
			"the target at %d: both must be the same",
			vf, vt);
		goto fail_quiet;
	}
	if (copy_known_tables(from) < 0 || copy_known_tables(to) < 0)
		goto fail_quiet;
	held = copy_user_rows(to);
	if (held < 0)
		goto fail_quiet;
	if (held > 0 && !force) {
		json_decref(tables);
		return -2;
	}
	/* the source is read inside a transaction too: no writer of
	 * netcensus changes it half-way */
	if (store_begin(from) < 0)
		goto fail_quiet;
	if (store_begin(to) < 0) {
		store_rollback(from);
		goto fail_quiet;
	}
	for (k = COPY_NTABLES; k-- > 0;) {
		sql = xasprintf("DELETE FROM \"%s\"", copy_tables[k]);
		if (copy_run(to, sql) < 0) {
			free(sql);
			goto fail;
		}
		free(sql);
	}
	for (i = 0; i < COPY_NTABLES; i++) {
		if (copy_columns(from, copy_tables[i], &src) < 0)
			goto fail;
		if (copy_columns(to, copy_tables[i], &dst) < 0) {
			copy_table_free(&src);
			goto fail;
		}
		rc = copy_rows(from, to, &src, &dst, progress, tables);
		if (rc == 0 && copy_is_pg(to) && dst.has_id)
			rc = copy_sequence(to, copy_tables[i]);
		copy_table_free(&src);
		copy_table_free(&dst);
		if (rc < 0)
			goto fail;
		total += json_integer_value(json_object_get(
			json_array_get(tables, json_array_size(tables) - 1),
			"rows"));
	}
	if (store_commit(to) < 0) {
		store_rollback(from);
		goto fail_quiet;
	}
	store_rollback(from);
	*report = json_pack("{soso}", "tables", tables, "rows",
			    json_integer(total));
	return 0;
fail:
	store_rollback(to);
	store_rollback(from);
fail_quiet:
	json_decref(tables);
	return -1;
}
