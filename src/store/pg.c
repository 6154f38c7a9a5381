/*
 * pg.c: the PostgreSQL back end (libpq), selected by a postgresql:// or
 * postgres:// URL (store_open()).
 *
 * Connections come from a pool per URL, shared by the handles of the
 * process: a handle holds one connection from store_open() to
 * store_close(), which gives it back for the next handle (its prepared
 * statements stay with it). The pool opens at most "pool=N" connections
 * (a parameter of the URL that netcensus takes out before libpq sees it;
 * PG_POOL_DEFAULT without it); a handle opened while all are held waits
 * up to PG_POOL_WAIT_S for one. Everything else in the URL is libpq's:
 * host (a directory for a Unix socket), port, user, password, dbname,
 * sslmode and the other TLS parameters (sslrootcert, sslcert, sslkey), so
 * TLS to the database is sslmode=verify-full in the URL.
 *
 * The schema is migrations.c's numbered migrations in PostgreSQL's text
 * (pg_migrations.c), applied when the pool opens its first connection,
 * in one transaction under an advisory lock, so that several servers
 * starting at once migrate once. The version is the one row of
 * netcensus_schema.
 *
 * The operations are the ones written once for every SQL engine
 * (sql_ops.h) through this file's statement engine: SQL in the common
 * subset rewritten by db_sql_pg(), prepared once per connection,
 * parameters and results as text, plus the few that are PostgreSQL's own
 * (the API's read snapshot and data version, the check). Every member of
 * pg_store_ops is set.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "core/log.h"
#include "core/util.h"
#include "store/db.h"
#include "store/migrations.h"
#include "store/secret.h"
#include "store/sql_ops.h"

#define PG_POOL_DEFAULT 16
#define PG_POOL_MAX 256
#define PG_POOL_WAIT_S 30
#define PG_CONNECT_TIMEOUT_S 10
#define PG_STMT_CACHE 256
#define PG_MAX_PARAMS 64
/* pg_advisory_xact_lock() keys: the migrations ("nc17"), and the write
 * turn of transactions ("ncwr"): held exclusively by store_begin() and
 * store_batch_begin(), shared by store_begin_keyed() (the locking notes
 * above pg_tx_begin()). The keys of store_begin_keyed() are 64-bit
 * hashes in the same space: one colliding with these would only make
 * its transaction wait longer. */
#define PG_MIGRATE_LOCK 0x6e633137
#define PG_WRITE_LOCK 0x6e637772

struct pg_conn;

/* A prepared statement of one connection (the helper's, db.h). */
struct pg_stmt {
	struct db_stmt base; /* first */
	struct pg_conn *c;
	char *sql; /* as the operation wrote it: the cache key */
	char name[24];
	int nparams;
	unsigned long used; /* the connection's tick at its last use */
	char *vals[PG_MAX_PARAMS];
	PGresult *res; /* of the last run, until reset */
	int row, nrows;
	int64_t changes;
};

struct pg_conn {
	PGconn *conn;
	const char *shown; /* the pool's URL without its password */
	struct pg_stmt *stmts[PG_STMT_CACHE];
	int nstmts;
	unsigned long tick;   /* the statement cache's clock */
	unsigned long serial; /* names statements: nc<serial> */
	unsigned lost;	      /* store_lost() */
	int retry; /* a deadlock or serialization failure since BEGIN */
	int down;  /* unreachable since the last success: logged */
	struct pg_conn *next; /* in the pool's idle list */
};

/* The connections of one URL. */
struct pg_pool {
	char *conninfo; /* the URL as libpq takes it (no pool=) */
	char *shown;	/* the URL without its password, for messages */
	int size, open;
	int migrated;
	pthread_mutex_t lock;
	pthread_cond_t freed; /* a connection came back or was closed */
	struct pg_conn *idle;
	struct pg_pool *next;
};

/* The PostgreSQL handle: a struct store (backend.h) and its connection. */
struct pg_store {
	struct store base; /* first: a struct store * points here */
	struct pg_pool *pool;
	struct pg_conn *c;
	int in_tx;
	int in_batch;  /* store_batch_begin(): transactions are savepoints */
	int nowait;    /* store_set_wait(st, 0): undone before the pool */
	int tuned;     /* store_api_tune() ran: again after a reconnection */
	char *keyfile; /* the URL's keyfile=, or NULL */
	struct secret_key *key; /* opened on first use (pg_key) */
};

static pthread_mutex_t pg_pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pg_pool *pg_pools;

static struct pg_store *pg_of(struct store *st)
{
	return (struct pg_store *)st;
}

/* libpq's messages end with a newline; the log adds its own. */
static const char *pg_msg(const char *m, char *buf, size_t n)
{
	size_t len;

	snprintf(buf, n, "%s", m && *m ? m : "unknown error");
	len = strlen(buf);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return buf;
}

/* ---- the URL ---- */

/* Takes "pool=N" and "keyfile=PATH" out of url's query: the rest is
 * libpq's. 0, or -1 with the reason logged. */
static int pg_url_split(const char *url, char **conninfo, int *size,
			char **keyfile)
{
	const char *q = strchr(url, '?'), *p, *end;
	struct strbuf out;
	long v;
	char num[16];
	int first = 1;

	*size = PG_POOL_DEFAULT;
	strbuf_init(&out, 0);
	strbuf_append(&out, url, q ? (size_t)(q - url) : strlen(url));
	for (p = q ? q + 1 : NULL; p && *p; p = *end ? end + 1 : end) {
		end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		if (!strncmp(p, "pool=", 5)) {
			snprintf(num, sizeof(num), "%.*s", (int)(end - p - 5),
				 p + 5);
			if (end - p - 5 >= (long)sizeof(num) ||
			    util_parse_long(num, 1, PG_POOL_MAX, &v)) {
				log_err("database URL: pool=%.*s is not a "
					"number of connections from 1 to %d",
					(int)(end - p - 5), p + 5, PG_POOL_MAX);
				strbuf_free(&out);
				return -1;
			}
			*size = (int)v;
			continue;
		}
		if (!strncmp(p, "keyfile=", 8)) {
			free(*keyfile);
			*keyfile = xstrndup(p + 8, (size_t)(end - p - 8));
			continue;
		}
		strbuf_append(&out, first ? "?" : "&", 1);
		strbuf_append(&out, p, (size_t)(end - p));
		first = 0;
	}
	/* a database host that does not answer: a request waits for it
	 * this long, not for the system's TCP timeout (minutes) */
	if (!strstr(url, "connect_timeout="))
		strbuf_printf(&out, "%sconnect_timeout=%d", first ? "?" : "&",
			      PG_CONNECT_TIMEOUT_S);
	*conninfo = out.data;
	return 0;
}

/* ---- the statement helper's PostgreSQL engine (db.h) ---- */

static struct pg_stmt *pg_s(struct db_stmt *s)
{
	return (struct pg_stmt *)s;
}

static void pg_bind_set(struct db_stmt *s, int idx, char *v)
{
	struct pg_stmt *ps = pg_s(s);

	/* like SQLite, a parameter the SQL does not have is ignored */
	if (idx < 1 || idx > ps->nparams) {
		free(v);
		return;
	}
	free(ps->vals[idx - 1]);
	ps->vals[idx - 1] = v;
}

static void pg_db_bind_null(struct db_stmt *s, int idx)
{
	pg_bind_set(s, idx, NULL);
}

static void pg_db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	pg_bind_set(s, idx, xasprintf("%" PRId64, v));
}

static void pg_db_bind_text(struct db_stmt *s, int idx, const char *v,
			    size_t len)
{
	pg_bind_set(s, idx, xstrndup(v, len));
}

static void pg_db_reset(struct db_stmt *s)
{
	struct pg_stmt *ps = pg_s(s);

	PQclear(ps->res);
	ps->res = NULL;
	ps->row = -1;
	ps->nrows = 0;
}

static void pg_clear_bindings(struct pg_stmt *ps)
{
	int i;

	for (i = 0; i < ps->nparams; i++) {
		free(ps->vals[i]);
		ps->vals[i] = NULL;
	}
}

/* SQLSTATE class 23: integrity constraint violation (a UNIQUE name). */
static int pg_is_constraint(const PGresult *res)
{
	const char *code =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return code && !strncmp(code, "23", 2);
}

/* SQLSTATE 40001 (serialization failure) or 40P01 (deadlock detected):
 * PostgreSQL rolled the transaction back to let another one finish, and
 * it may be run again from its start (store_retryable()). */
static int pg_is_retryable(const PGresult *res)
{
	const char *code =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return code && (!strcmp(code, "40001") || !strcmp(code, "40P01"));
}

/* 1 when the database went away or cannot be reached: the connection
 * is broken, or SQLSTATE class 08 (connection exception) or 57P01-57P03
 * (the server shuts down, crashed, or is starting). */
static int pg_gone(struct pg_conn *c, const PGresult *res)
{
	const char *code =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(c->conn) != CONNECTION_OK ||
	       (code && (!strncmp(code, "08", 2) || !strncmp(code, "57P0", 4)));
}

/* Logs the failure of sql on c (res: its result, or NULL). A database
 * that went away counts in store_lost() and is logged once until it
 * answers again. */
static void pg_fail(struct pg_conn *c, const PGresult *res, const char *sql)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	char msg[512];

	pg_msg(*m ? m : PQerrorMessage(c->conn), msg, sizeof(msg));
	if (pg_is_retryable(res))
		c->retry = 1;
	if (!pg_gone(c, res)) {
		log_err("database %s: %s (in: %.60s)", c->shown, msg, sql);
		return;
	}
	c->lost++;
	if (!c->down)
		log_err("database %s is unavailable: %s (in: %.60s)", c->shown,
			msg, sql);
	c->down = 1;
}

static int pg_db_step(struct db_stmt *s)
{
	struct pg_stmt *ps = pg_s(s);
	ExecStatusType rc;

	if (!ps->res) {
		ps->res = PQexecPrepared(ps->c->conn, ps->name, ps->nparams,
					 (const char *const *)ps->vals, NULL,
					 NULL, 0);
		rc = PQresultStatus(ps->res);
		if (rc != PGRES_TUPLES_OK && rc != PGRES_COMMAND_OK &&
		    s->quiet_constraint && pg_is_constraint(ps->res)) {
			pg_db_reset(s);
			return DB_CONSTRAINT;
		}
		if (rc != PGRES_TUPLES_OK && rc != PGRES_COMMAND_OK) {
			pg_fail(ps->c, ps->res, ps->sql);
			pg_db_reset(s);
			return -1;
		}
		ps->nrows = PQntuples(ps->res);
		ps->changes = strtoll(PQcmdTuples(ps->res), NULL, 10);
		ps->row = -1;
	}
	if (ps->row < ps->nrows)
		ps->row++;
	return ps->row < ps->nrows ? DB_ROW : DB_DONE;
}

static int pg_db_is_null(struct db_stmt *s, int col)
{
	struct pg_stmt *ps = pg_s(s);

	return !ps->res || ps->row < 0 || ps->row >= ps->nrows ||
	       col >= PQnfields(ps->res) || PQgetisnull(ps->res, ps->row, col);
}

static const char *pg_db_column_text(struct db_stmt *s, int col)
{
	struct pg_stmt *ps = pg_s(s);

	return pg_db_is_null(s, col) ? NULL : PQgetvalue(ps->res, ps->row, col);
}

static int64_t pg_db_column_int64(struct db_stmt *s, int col)
{
	const char *v = pg_db_column_text(s, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

static int64_t pg_db_changes(struct db_stmt *s)
{
	return pg_s(s)->changes;
}

static int pg_db_column_count(struct db_stmt *s)
{
	return pg_s(s)->res ? PQnfields(pg_s(s)->res) : 0;
}

static const char *pg_db_column_name(struct db_stmt *s, int col)
{
	return PQfname(pg_s(s)->res, col);
}

/* Type OIDs of pg_type.h (server headers, not libpq's) */
#define PG_OID_INT8 20
#define PG_OID_INT2 21
#define PG_OID_INT4 23
#define PG_OID_FLOAT4 700
#define PG_OID_FLOAT8 701
#define PG_OID_NUMERIC 1700

static enum db_type pg_db_column_type(struct db_stmt *s, int col)
{
	if (pg_db_is_null(s, col))
		return DB_NULL;
	switch (PQftype(pg_s(s)->res, col)) {
	case PG_OID_INT8:
	case PG_OID_INT2:
	case PG_OID_INT4:
		return DB_INTEGER;
	case PG_OID_FLOAT4:
	case PG_OID_FLOAT8:
	case PG_OID_NUMERIC:
		return DB_FLOAT;
	default:
		return DB_TEXT;
	}
}

static double pg_db_column_double(struct db_stmt *s, int col)
{
	const char *v = pg_db_column_text(s, col);

	return v ? strtod(v, NULL) : 0;
}

static const struct db_engine pg_db_engine = {
	.name = "PostgreSQL",
	.bind_null = pg_db_bind_null,
	.bind_int64 = pg_db_bind_int64,
	.bind_text = pg_db_bind_text,
	.step = pg_db_step,
	.is_null = pg_db_is_null,
	.column_int64 = pg_db_column_int64,
	.column_text = pg_db_column_text,
	.changes = pg_db_changes,
	.reset = pg_db_reset,
	.column_count = pg_db_column_count,
	.column_name = pg_db_column_name,
	.column_type = pg_db_column_type,
	.column_double = pg_db_column_double,
};

static void pg_stmt_free(struct pg_stmt *ps)
{
	if (!ps)
		return;
	pg_db_reset(&ps->base);
	pg_clear_bindings(ps);
	free(ps->sql);
	free(ps);
}

static int pg_run(struct pg_conn *c, const char *sql, const char *want);

/* Prepares sql on c: a new cache entry (named nc<serial>), or NULL
 * (logged). */
static struct pg_stmt *pg_prepare(struct pg_conn *c, const char *sql)
{
	struct pg_stmt *ps;
	PGresult *res;
	const char *why = NULL;
	char *text;
	int n;

	text = db_sql_pg(sql, PG_MAX_PARAMS, &n, &why);
	if (!text) {
		log_err("database %s: %s (in: %.60s)", c->shown, why, sql);
		return NULL;
	}
	ps = xcalloc(1, sizeof(*ps));
	ps->base.eng = &pg_db_engine;
	ps->c = c;
	ps->sql = xstrdup(sql);
	ps->nparams = n;
	ps->row = -1;
	snprintf(ps->name, sizeof(ps->name), "nc%lu", c->serial++);
	res = PQprepare(c->conn, ps->name, text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(c, res, sql);
		PQclear(res);
		free(text);
		pg_stmt_free(ps);
		return NULL;
	}
	PQclear(res);
	free(text);
	return ps;
}

/* The slot for a new statement: a free one, else the least recently used
 * one's, deallocated (the API's SQL is built per request, so the cache
 * replaces rather than fills up). -1 when that fails (logged). */
static int pg_slot(struct pg_conn *c)
{
	struct pg_stmt *old;
	char sql[48];
	int i, v = 0;

	if (c->nstmts < PG_STMT_CACHE)
		return c->nstmts;
	for (i = 1; i < c->nstmts; i++)
		if (c->stmts[i]->used < c->stmts[v]->used)
			v = i;
	old = c->stmts[v];
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", old->name);
	if (pg_run(c, sql, NULL))
		return -1;
	pg_stmt_free(old);
	c->stmts[v] = NULL;
	return v;
}

static struct db_stmt *pg_stmt(struct store *st, const char *sql)
{
	struct pg_conn *c = pg_of(st)->c;
	struct pg_stmt *ps = NULL;
	int i;

	for (i = 0; i < c->nstmts && !ps; i++)
		if (c->stmts[i]->sql == sql || !strcmp(c->stmts[i]->sql, sql))
			ps = c->stmts[i];
	if (!ps) {
		i = pg_slot(c);
		if (i < 0)
			return NULL;
		ps = pg_prepare(c, sql);
		if (i == c->nstmts)
			c->nstmts++;
		c->stmts[i] = ps;
		if (!ps) {
			/* no hole left in the cache */
			c->stmts[i] = c->stmts[--c->nstmts];
			return NULL;
		}
	}
	ps->used = ++c->tick;
	pg_db_reset(&ps->base);
	pg_clear_bindings(ps);
	return &ps->base;
}

/* ---- plain commands ---- */

/* Runs sql (no parameters, any number of statements) on c. With want
 * set, the command tag must be it ("COMMIT": an aborted transaction's
 * COMMIT answers ROLLBACK). 0 or -1 (logged). */
static int pg_run(struct pg_conn *c, const char *sql, const char *want)
{
	PGresult *res = PQexec(c->conn, sql);
	ExecStatusType rc = PQresultStatus(res);
	int ok = rc == PGRES_COMMAND_OK || rc == PGRES_TUPLES_OK;

	if (!ok)
		pg_fail(c, res, sql);
	else if (want && strcmp(PQcmdStatus(res), want)) {
		log_err("database %s: %s ended as %s: the transaction had "
			"failed, nothing of it was stored",
			c->shown, want, PQcmdStatus(res));
		ok = 0;
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* The one integer sql returns on c: 0 (in *v) or -1 (logged); *v is -1
 * when there is no row. */
static int pg_int(struct pg_conn *c, const char *sql, int64_t *v)
{
	PGresult *res = PQexec(c->conn, sql);

	*v = -1;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(c, res, sql);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* ---- migrations ---- */

static int pg_migrate(struct pg_conn *c)
{
	char sql[96];
	int64_t v;

	if (pg_run(c, "BEGIN", NULL))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)",
		 PG_MIGRATE_LOCK);
	if (pg_run(c, sql, NULL) ||
	    pg_run(c,
		   "CREATE TABLE IF NOT EXISTS netcensus_schema"
		   " (version INTEGER NOT NULL)",
		   NULL) ||
	    pg_int(c, "SELECT version FROM netcensus_schema", &v))
		goto fail;
	if (v < 0) {
		if (pg_run(c, "INSERT INTO netcensus_schema VALUES (0)", NULL))
			goto fail;
		v = 0;
	}
	if (v > pg_migration_count) {
		log_err("database %s has schema version %" PRId64
			", newer than this netcensus knows (%d): upgrade "
			"netcensus to open it",
			c->shown, v, pg_migration_count);
		goto fail;
	}
	for (; v < pg_migration_count; v++) {
		snprintf(sql, sizeof(sql),
			 "UPDATE netcensus_schema SET version = %" PRId64,
			 v + 1);
		if (pg_run(c, pg_migrations[v], NULL) || pg_run(c, sql, NULL))
			goto fail;
		log_info("database %s: migrated to schema version %" PRId64,
			 c->shown, v + 1);
	}
	return pg_run(c, "COMMIT", "COMMIT");
fail:
	pg_run(c, "ROLLBACK", NULL);
	return -1;
}

/* ---- the pool ---- */

static void pg_notice(void *arg, const char *message)
{
	char msg[512];

	log_debug("database %s: %s", (const char *)arg,
		  pg_msg(message, msg, sizeof(msg)));
}

static struct pg_conn *pg_connect(struct pg_pool *p)
{
	struct pg_conn *c = xcalloc(1, sizeof(*c));
	char msg[512];

	c->shown = p->shown;
	c->conn = PQconnectdb(p->conninfo);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		log_err("cannot connect to database %s: %s", p->shown,
			pg_msg(PQerrorMessage(c->conn), msg, sizeof(msg)));
		store_set_open_unavailable(1);
		PQfinish(c->conn);
		free(c);
		return NULL;
	}
	PQsetNoticeProcessor(c->conn, pg_notice, p->shown);
	return c;
}

static void pg_conn_free(struct pg_conn *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nstmts; i++)
		pg_stmt_free(c->stmts[i]);
	PQfinish(c->conn);
	free(c);
}

static struct pg_pool *pg_pool_get(const char *conninfo, const char *url,
				   int size)
{
	struct pg_pool *p;

	pthread_mutex_lock(&pg_pools_lock);
	for (p = pg_pools; p && strcmp(p->conninfo, conninfo); p = p->next)
		;
	if (!p) {
		p = xcalloc(1, sizeof(*p));
		p->conninfo = xstrdup(conninfo);
		p->shown = store_url_shown(url);
		p->size = size;
		pthread_mutex_init(&p->lock, NULL);
		pthread_cond_init(&p->freed, NULL);
		p->next = pg_pools;
		pg_pools = p;
	}
	pthread_mutex_unlock(&pg_pools_lock);
	return p;
}

/* A connection of p for a new handle, migrated: an idle one, a new one
 * while fewer than p->size are open, or the first given back within
 * PG_POOL_WAIT_S. NULL on failure (logged). */
static struct pg_conn *pg_pool_take(struct pg_pool *p)
{
	struct timespec until;
	struct pg_conn *c = NULL;
	int rc = 0, migrate;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PG_POOL_WAIT_S;
	pthread_mutex_lock(&p->lock);
	while (!p->idle && p->open >= p->size && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->freed, &p->lock, &until);
	if (p->idle) {
		c = p->idle;
		p->idle = c->next;
		c->next = NULL;
	} else if (p->open < p->size) {
		p->open++;
	} else {
		pthread_mutex_unlock(&p->lock);
		log_err("database %s: all %d connections of the pool are in "
			"use (raise pool= in the URL)",
			p->shown, p->size);
		return NULL;
	}
	migrate = !p->migrated;
	pthread_mutex_unlock(&p->lock);
	/* an idle connection whose server went away is replaced */
	if (c && PQstatus(c->conn) != CONNECTION_OK) {
		pg_conn_free(c);
		c = NULL;
	}
	if (!c)
		c = pg_connect(p);
	if (c && migrate && pg_migrate(c)) {
		pg_conn_free(c);
		c = NULL;
	}
	pthread_mutex_lock(&p->lock);
	if (!c)
		p->open--;
	else if (migrate)
		p->migrated = 1;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
	return c;
}

/* Gives c back to p: kept for the next handle when it is healthy and
 * outside a transaction, else closed. */
static void pg_pool_give(struct pg_pool *p, struct pg_conn *c)
{
	int keep = PQstatus(c->conn) == CONNECTION_OK &&
		   PQtransactionStatus(c->conn) == PQTRANS_IDLE;

	if (!keep)
		pg_conn_free(c);
	pthread_mutex_lock(&p->lock);
	if (keep) {
		c->next = p->idle;
		p->idle = c;
	} else {
		p->open--;
	}
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* ---- open, close ---- */

static struct store *pg_open(const char *url)
{
	struct pg_store *pg;
	char *conninfo = NULL;
	int size;

	char *keyfile = NULL;

	if (pg_url_split(url, &conninfo, &size, &keyfile)) {
		free(keyfile);
		return NULL;
	}
	pg = xcalloc(1, sizeof(*pg));
	pg->keyfile = keyfile;
	pg->base.ops = &pg_store_ops;
	pg->pool = pg_pool_get(conninfo, url, size);
	free(conninfo);
	pg->c = pg_pool_take(pg->pool);
	if (!pg->c) {
		free(pg->keyfile);
		free(pg);
		return NULL;
	}
	return &pg->base;
}

/* The key file sealing secrets (secret.h): the URL's keyfile=PATH, opened
 * (created at first use) when a secret is first read or written. */
static struct secret_key *pg_key(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (pg->key)
		return pg->key;
	if (!pg->keyfile || !*pg->keyfile) {
		log_err("database %s: secrets on PostgreSQL are sealed with a "
			"key file: add keyfile=PATH to the database URL "
			"(e.g. &keyfile=/var/lib/netcensus/netcensus.key, "
			"mode 0600, created when missing)",
			pg->c->shown);
		return NULL;
	}
	pg->key = secret_key_open(pg->keyfile);
	return pg->key;
}

static void pg_close(struct store *st)
{
	struct pg_store *pg = pg_of(st);
	int i;

	if (!st)
		return;
	if (pg->in_tx || pg->in_batch)
		pg_run(pg->c, "ROLLBACK", NULL);
	/* the next handle gets the connection as a new one would be */
	if (pg->nowait)
		pg_run(pg->c, "RESET lock_timeout", NULL);
	for (i = 0; i < pg->c->nstmts; i++)
		pg_db_reset(&pg->c->stmts[i]->base);
	pg_pool_give(pg->pool, pg->c);
	secret_key_close(pg->key);
	free(pg->keyfile);
	free(pg);
}

/* PostgreSQL waits for a lock on its own; a handle told not to wait
 * gives up on one at once. */
static void pg_set_wait(struct store *st, int wait)
{
	if (!st)
		return;
	pg_of(st)->nowait = !wait;
	pg_run(pg_of(st)->c,
	       wait ? "SET lock_timeout = 0" : "SET lock_timeout = 1", NULL);
}

/* Cancels what the connection runs now (libpq's cancel request is safe
 * from another thread). */
static void pg_interrupt(struct store *st)
{
	PGcancel *cancel;
	char err[256];

	if (!st)
		return;
	cancel = PQgetCancel(pg_of(st)->c->conn);
	if (cancel && !PQcancel(cancel, err, sizeof(err)))
		log_warn("database %s: cancelling failed: %s",
			 pg_of(st)->c->shown, err);
	PQfreeCancel(cancel);
}

static int pg_db_version(struct store *st)
{
	int64_t v;

	if (pg_int(pg_of(st)->c, "SELECT version FROM netcensus_schema", &v))
		return -1;
	return (int)v;
}

/* ---- transactions ----
 * As on SQLite: store_begin() opens a transaction, or inside a batch
 * (store_batch_begin()) a savepoint that store_rollback() undoes alone. A
 * COMMIT PostgreSQL answers with ROLLBACK (a statement of the transaction
 * failed) is a failure: nothing was stored. */

/*
 * Who waits for whom. Every lock below is an advisory lock of the
 * transaction (pg_advisory_xact_lock*), so it holds across processes and
 * servers and ends with COMMIT or ROLLBACK.
 *
 * - Intake of one report (intake_report() outside a batch,
 *   store_begin_keyed()): the write turn in shared mode, then one lock
 *   per identity value the matcher may look up (the report's serial,
 *   uuid, dbus id, hostname, fqdn, sysName, address and every MAC it may
 *   match by), and a shared one per address of its ip rows (the IP rule
 *   finds devices by those, but looks up sys.ip alone: a report writing
 *   an address waits for one looking it up, reports that only carry one
 *   do not wait for each other): the keys intake.c makes, taken in one
 *   statement in sorted order, before matching. Two reports that could
 *   find or create the same device share a value, so they take turns
 *   and the second sees the first's device; two different machines run
 *   side by side. The keys are not
 *   scoped by org (matching looks into an org's whole subtree): equal
 *   values in two orgs only wait for each other. The shared-MAC rule
 *   counts the devices holding a MAC: the MAC is a key, so the count is
 *   taken in turn too. A device found is then locked by its id
 *   (store_lock_key()) and matched again, so two reports of one stored
 *   machine that share no value (one by hostname+uuid, one by serial)
 *   update it one after the other, each on the other's result.
 * - A discovery's log rows (store_discovery_log_add()): the turn shared
 *   and no key: rows are only added, nothing read decides them.
 * - Every other transaction (store_begin(), store_batch_begin()): the
 *   write turn exclusively, as before, waiting for the intakes under way
 *   and holding off new ones. These are the batches of many reports (CSV
 *   import, a collector's upload: a key per value of thousands of
 *   reports would fill PostgreSQL's lock table), admin db copy, the
 *   API's multi-row edits (bulk device edits, custom fields, credentials
 *   imported together), queueing a discovery run (the "none active"
 *   check), registering or deleting a collector, a purge and a
 *   location's update: rare or short, they keep SQLite's one-writer
 *   order.
 * - Statements outside a transaction (run claims with FOR UPDATE SKIP
 *   LOCKED, lease renewals, a device's PATCH, session and token touches,
 *   audit-log rows) never took the turn: PostgreSQL's row locks order
 *   them.
 * A deadlock or serialization failure PostgreSQL reports rolls the
 * transaction back; store_retryable() says so, and intake runs the
 * report again from its start (a bounded number of times, then 503).
 * The turn's key is the one servers before this used exclusively, so
 * old and new servers on one database still exclude each other.
 */

/* BEGIN, unless a transaction or batch is open already, with the write
 * turn (above): shared or exclusive. 0 or -1. */
static int pg_tx_begin(struct pg_store *pg, int shared)
{
	char sql[64];

	if (pg->in_tx || pg->in_batch) {
		log_err("database %s: a transaction is already open",
			pg->c->shown);
		return -1;
	}
	pg->c->retry = 0;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock%s(%d)",
		 shared ? "_shared" : "", PG_WRITE_LOCK);
	if (pg_run(pg->c, "BEGIN", NULL))
		return -1;
	if (pg_run(pg->c, sql, NULL)) {
		pg_run(pg->c, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

/* FNV-1a of a text: a key's lock number, the data version's hash. */
static uint64_t pg_fnv1a(const char *text)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p;

	for (p = text; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

/* A key to lock: its number, and the mode. */
struct pg_key {
	int64_t h;
	int shared;
};

/* By number, the exclusive one first of two equal numbers. */
static int pg_key_cmp(const void *a, const void *b)
{
	const struct pg_key *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->shared - y->shared;
}

/* Locks keys exclusively and shared in shared mode (a key in both:
 * exclusively), until the transaction ends, in the order of their
 * numbers, so that two transactions locking overlapping sets cannot
 * each hold what the other waits for: one statement, unnest() yielding
 * the arrays in their order. 0 or -1 (logged). */
static int pg_lock_keys(struct pg_conn *c, const char *const *keys, size_t n,
			const char *const *shared, size_t nshared)
{
	static const char sql[] =
		"SELECT CASE WHEN s"
		" THEN CAST(pg_advisory_xact_lock_shared(k) AS text)"
		" ELSE CAST(pg_advisory_xact_lock(k) AS text) END"
		" FROM unnest(CAST($1 AS bigint[]), CAST($2 AS boolean[]))"
		" AS t(k, s)";
	struct pg_key *h;
	struct strbuf ks, ms;
	const char *vals[2];
	PGresult *res;
	size_t i, m = n + nshared;
	int rc = 0;

	if (!m)
		return 0;
	h = xcalloc(m, sizeof(*h));
	for (i = 0; i < n; i++)
		h[i].h = (int64_t)pg_fnv1a(keys[i]);
	for (i = 0; i < nshared; i++) {
		h[n + i].h = (int64_t)pg_fnv1a(shared[i]);
		h[n + i].shared = 1;
	}
	qsort(h, m, sizeof(*h), pg_key_cmp);
	strbuf_init(&ks, 0);
	strbuf_init(&ms, 0);
	for (i = 0; i < m; i++) {
		if (i && h[i].h == h[i - 1].h)
			continue;
		strbuf_printf(&ks, "%s%" PRId64, i ? "," : "{", h[i].h);
		strbuf_printf(&ms, "%s%s", i ? "," : "{",
			      h[i].shared ? "t" : "f");
	}
	strbuf_puts(&ks, "}");
	strbuf_puts(&ms, "}");
	vals[0] = ks.data;
	vals[1] = ms.data;
	res = PQexecParams(c->conn, sql, 2, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(c, res, sql);
		rc = -1;
	}
	PQclear(res);
	strbuf_free(&ks);
	strbuf_free(&ms);
	free(h);
	return rc;
}

/* COMMIT: 0, or -1 with the transaction rolled back (nothing stored). */
static int pg_tx_commit(struct pg_store *pg)
{
	if (pg_run(pg->c, "COMMIT", "COMMIT") == 0)
		return 0;
	if (PQtransactionStatus(pg->c->conn) != PQTRANS_IDLE)
		pg_run(pg->c, "ROLLBACK", NULL);
	return -1;
}

static int pg_begin(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (pg->in_batch && !pg->in_tx) {
		pg->c->retry = 0;
		if (PQtransactionStatus(pg->c->conn) != PQTRANS_INTRANS ||
		    pg_run(pg->c, "SAVEPOINT part", NULL))
			return -1;
		pg->in_tx = 1;
		return 0;
	}
	if (pg_tx_begin(pg, 0))
		return -1;
	pg->in_tx = 1;
	return 0;
}

/* store_begin_keyed(): the turn shared and the keys locked; inside a
 * batch, which holds the whole turn, a savepoint as pg_begin(). */
static int pg_begin_keyed(struct store *st, const char *const *keys, size_t n,
			  const char *const *shared, size_t nshared)
{
	struct pg_store *pg = pg_of(st);

	if (pg->in_batch)
		return pg_begin(st);
	if (pg_tx_begin(pg, 1))
		return -1;
	if (pg_lock_keys(pg->c, keys, n, shared, nshared)) {
		pg_run(pg->c, "ROLLBACK", NULL);
		return -1;
	}
	pg->in_tx = 1;
	return 0;
}

static int pg_lock_key(struct store *st, const char *key)
{
	struct pg_store *pg = pg_of(st);

	if (pg->in_batch)
		return 0; /* the batch holds the whole turn */
	if (!pg->in_tx) {
		log_err("database %s: a key locked outside a transaction",
			pg->c->shown);
		return -1;
	}
	return pg_lock_keys(pg->c, &key, 1, NULL, 0) ? -1 : 1;
}

/* Retried from its start: only a whole transaction, not a part of a
 * batch (the batch's other parts are in the transaction rolled back). */
static int pg_retryable(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	return pg->c->retry && !pg->in_batch;
}

static int pg_rollback(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (!pg->in_tx)
		return 0;
	pg->in_tx = 0;
	if (pg->in_batch)
		return pg_run(pg->c, "ROLLBACK TO SAVEPOINT part", NULL) ||
				       pg_run(pg->c, "RELEASE part", NULL)
			       ? -1
			       : 0;
	return pg_run(pg->c, "ROLLBACK", NULL);
}

static int pg_commit(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (!pg->in_tx) {
		log_err("database %s: commit without a transaction",
			pg->c->shown);
		return -1;
	}
	if (pg->in_batch) {
		if (pg_run(pg->c, "RELEASE part", NULL) == 0) {
			pg->in_tx = 0;
			return 0;
		}
		pg_rollback(st);
		return -1;
	}
	pg->in_tx = 0;
	return pg_tx_commit(pg);
}

static int pg_batch_begin(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (pg_tx_begin(pg, 0))
		return -1;
	pg->in_batch = 1;
	return 0;
}

static int pg_batch_commit(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (!pg->in_batch)
		return -1;
	pg->in_batch = 0;
	pg->in_tx = 0;
	return pg_tx_commit(pg);
}

static void pg_batch_rollback(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (!pg || !pg->in_batch)
		return;
	pg->in_batch = 0;
	pg->in_tx = 0;
	pg_run(pg->c, "ROLLBACK", NULL);
}

/* ---- the API's snapshots, data version, tuning; the check ---- */

/* A list's count and its page read one snapshot: 1 when a REPEATABLE
 * READ, READ ONLY transaction began (pg_read_end() ends it), 0 inside a
 * transaction, which is one snapshot already. */
static int pg_read_begin(struct store *st)
{
	struct pg_store *pg = pg_of(st);

	if (pg->in_tx || pg->in_batch ||
	    PQtransactionStatus(pg->c->conn) != PQTRANS_IDLE)
		return 0;
	return pg_run(pg->c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
		      NULL) == 0;
}

static void pg_read_end(struct store *st)
{
	pg_run(pg_of(st)->c, "COMMIT", NULL);
}

/* A hash of the snapshot's text (xmin:xmax:ids in progress). A
 * transaction that writes takes an id when it starts writing (xmax moves
 * past it) and leaves the in-progress ids when it commits, so the text
 * changes with every commit, by any connection of any server; read as
 * the first statement of pg_read_begin()'s snapshot, it is that
 * snapshot's. Transactions of other databases of the cluster change it
 * too: then a count is counted again, never a stale one kept. 0 on
 * failure (the count is not cached). */
static uint64_t pg_data_version(struct store *st)
{
	PGresult *res = PQexec(pg_of(st)->c->conn,
			       "SELECT CAST(pg_current_snapshot() AS text)");
	uint64_t h;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	h = pg_fnv1a(PQgetvalue(res, 0, 0));
	PQclear(res);
	return h ? h : 1;
}

/* The server's connections: the API's queries are short, and compiling
 * one with JIT (on by default for a costly plan, such as a filter that
 * reads the whole device table) takes longer than running it. */
static int pg_api_tune(struct store *st)
{
	pg_of(st)->tuned = 1;
	return pg_run(pg_of(st)->c, "SET jit = off", NULL);
}

/* store_ready(): an idle connection learns that the server closed it
 * only by reading (its last message, "terminating connection due to
 * administrator command", then the end of the stream), so it reads what
 * is there first; a broken one is opened again (PQreset(): the same
 * parameters), its prepared statements dropped and its settings
 * (store_api_tune(), store_set_wait()) made again. */
static int pg_ready(struct store *st)
{
	struct pg_store *pg = pg_of(st);
	struct pg_conn *c = pg->c;
	char msg[512];
	int i;

	if (pg->in_tx || pg->in_batch)
		return 0;
	if (PQstatus(c->conn) == CONNECTION_OK &&
	    PQtransactionStatus(c->conn) == PQTRANS_IDLE) {
		PQconsumeInput(c->conn);
		PQconsumeInput(c->conn);
	}
	if (PQstatus(c->conn) == CONNECTION_OK) {
		if (c->down)
			log_info("database %s answers again", c->shown);
		c->down = 0;
		return 0;
	}
	for (i = 0; i < c->nstmts; i++)
		pg_stmt_free(c->stmts[i]);
	c->nstmts = 0;
	PQreset(c->conn);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		c->lost++;
		if (!c->down)
			log_err("database %s is unavailable: %s", c->shown,
				pg_msg(PQerrorMessage(c->conn), msg,
				       sizeof(msg)));
		c->down = 1;
		return -1;
	}
	log_info("database %s: connected again", c->shown);
	c->down = 0;
	if ((pg->tuned && pg_run(c, "SET jit = off", NULL)) ||
	    (pg->nowait && pg_run(c, "SET lock_timeout = 1", NULL)))
		return -1;
	return 0;
}

static unsigned pg_lost(struct store *st)
{
	return pg_of(st)->c->lost;
}

/* Prints each row of sql (two text columns) as "PRE col0 MID col1 POST"
 * (nothing when pre is NULL): the number of rows, or -1 (the error
 * printed as "what: message"). */
static int pg_check_rows(struct pg_store *pg, const char *what, const char *sql,
			 const char *pre, const char *mid, const char *post)
{
	PGresult *res = PQexec(pg->c->conn, sql);
	char msg[512];
	int i, n;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("%s: %s\n", what,
		       pg_msg(PQresultErrorMessage(res), msg, sizeof(msg)));
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	for (i = 0; pre && i < n; i++)
		printf("%s%s%s%s%s\n", pre, PQgetvalue(res, i, 0), mid,
		       PQgetvalue(res, i, 1), post);
	PQclear(res);
	return n;
}

/* The schema netcensus's tables are in (the connection's search path). */
#define PG_OURS " = to_regnamespace(current_schema())"

/* What can go wrong in a PostgreSQL database that PostgreSQL itself lets
 * stand: the schema version, indexes left invalid (a failed CREATE INDEX
 * CONCURRENTLY or REINDEX), constraints added NOT VALID, and, when the
 * amcheck extension is installed in the database, every B-tree index's
 * structure (bt_index_check). Foreign keys are enforced by PostgreSQL:
 * no row can refer to a missing one. */
static int pg_check(struct store *st)
{
	struct pg_store *pg = pg_of(st);
	int v = pg_db_version(st), bad = 0, n;
	int64_t amcheck = -1;

	printf("database: %s\nschema version: %d (this netcensus: %d)\n",
	       pg->c->shown, v, store_schema_version());
	if (v != store_schema_version())
		bad++;
	n = pg_check_rows(
		pg, "integrity",
		"SELECT c.relname, t.relname FROM pg_index i"
		" JOIN pg_class c ON c.oid = i.indexrelid"
		" JOIN pg_class t ON t.oid = i.indrelid"
		" WHERE c.relnamespace" PG_OURS " AND NOT (i.indisvalid"
		" AND i.indisready AND i.indislive) ORDER BY 1",
		"integrity: index ", " of ", " is not valid (REINDEX it)");
	bad += n != 0;
	if (n == 0 &&
	    pg_int(pg->c,
		   "SELECT count(*) FROM pg_extension"
		   " WHERE extname = 'amcheck'",
		   &amcheck) == 0 &&
	    amcheck > 0) {
		n = pg_check_rows(pg, "integrity",
				  "SELECT c.relname, bt_index_check(c.oid)"
				  " FROM pg_index i"
				  " JOIN pg_class c ON c.oid = i.indexrelid"
				  " JOIN pg_am am ON am.oid = c.relam"
				  " WHERE c.relnamespace" PG_OURS
				  " AND am.amname = 'btree' ORDER BY 1",
				  NULL, NULL, NULL);
		bad += n < 0;
	}
	if (n >= 0 && !bad)
		printf("integrity: ok (indexes valid; %s)\n",
		       amcheck > 0 ? "B-tree structure checked by amcheck"
				   : "B-trees not checked: the amcheck "
				     "extension is not installed in this "
				     "database");
	n = pg_check_rows(pg, "constraints",
			  "SELECT c.conname, CAST(c.conrelid AS regclass)"
			  " FROM pg_constraint c WHERE c.connamespace" PG_OURS
			  " AND NOT c.convalidated ORDER BY 1",
			  "constraint: ", " on ",
			  " is not validated (ALTER TABLE ... VALIDATE"
			  " CONSTRAINT)");
	if (n == 0)
		printf("constraints: ok (foreign keys enforced by PostgreSQL,"
		       " none left NOT VALID)\n");
	return bad || n ? -1 : 0;
}

/* Addresses sort as numbers: every run of digits is padded to three, so
 * 10.1.0.2 sorts before 10.1.0.102 (SQLite's ip_key() also orders IPv6
 * by value; here it sorts as that padded text). */
static const struct db_dialect pg_dialect = {
	.nocase_pre = "lower(",
	.nocase_post = ") = lower(?)",
	.ip_pre = "regexp_replace(regexp_replace(",
	.ip_post = ", '(\\d+)', '00\\1', 'g'), '0*(\\d{3})', '\\1', 'g')",
	.scan = "",
	.explain = "EXPLAIN ",
	/* SQLite's CAST to REAL reads the number text starts with; here
	 * the digits are taken first, as a CAST of "10 GB" fails */
	.num_first = "(CAST(v AS TEXT) ~ '^[0-9]')",
	.num_key = "CAST(substring(CAST(v AS TEXT) from"
		   " '^[0-9]+(?:\\.[0-9]+)?') AS double precision)",
};

const struct store_ops pg_store_ops = {
	.name = "PostgreSQL",
	.open = pg_open,
	.stmt = pg_stmt,
	.close = pg_close,
	.set_wait = pg_set_wait,
	.interrupt = pg_interrupt,
	.db_version = pg_db_version,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.batch_begin = pg_batch_begin,
	.batch_commit = pg_batch_commit,
	.batch_rollback = pg_batch_rollback,
	.begin_keyed = pg_begin_keyed,
	.lock_key = pg_lock_key,
	.retryable = pg_retryable,
	.key = pg_key,
	.dialect = &pg_dialect,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.data_version = pg_data_version,
	.api_tune = pg_api_tune,
	.ready = pg_ready,
	.lost = pg_lost,
	.check = pg_check,
	SQL_OPS,
};
