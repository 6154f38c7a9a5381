/*
 * sqlite.c: store.h on SQLite — opening and migrating, transactions,
 * checks, devices, components, the change log and the audit log.
 * (Orgs, users, tokens and credentials are in sqlite_admin.c.)
 *
 * The database runs in WAL mode with synchronous=FULL: readers never
 * block the one writer, and a commit returns only once the WAL is on disk
 * (fsync), so what was acknowledged (an intake answered 2xx, an API write)
 * survives a power cut; NORMAL would lose the last transactions then. A handle
 * is opened without SQLite's own connection mutex (one thread uses it at a
 * time), and waits for another writer by polling every few hundred microseconds
 * rather than in SQLite's default steps of up to 100 ms: in the server a write
 * that has to wait waits for a transaction of a few milliseconds. Every
 * statement is prepared once per handle and kept in a small cache keyed by its
 * SQL text; the device statements are built once at open from the column list
 * of report/fields.c, which must follow migrations.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "report/fields.h"
#include "store/migrations.h"
#include "store/sqlite_int.h"
#include "store/store.h"

#define STORE_BUSY_TIMEOUT_MS 10000
#define STORE_BUSY_STEP_MAX_US 2000
#define STORE_FIND_MAX_FIELDS 6

/* The device columns holding sys fields are report/fields.h's; every
 * other sys field goes to the JSON column "extra". */
#define DEVICE_NCOLS FIELD_NCOLUMNS

const char *store_default_path(const char *opt)
{
	const char *env;

	if (opt && *opt)
		return opt;
	env = getenv("NETCENSUS_DB");
	if (env && *env)
		return env;
	return "./netcensus.db";
}

int store_schema_version(void)
{
	return store_migration_count;
}

/* ---- statements ---- */

/* ---- writers ----
 * SQLite has one writer per database file. The handles of this process on
 * one file take turns in its struct sqlite_file: a transaction
 * (store_begin() or store_batch_begin()) first takes the file's writer
 * turn, waiting without a time limit for another handle of this process
 * to finish its transaction (as long as an intake takes), then BEGIN
 * IMMEDIATE, which waits for another process's writer through the busy
 * handler (STORE_BUSY_TIMEOUT_MS). A single statement outside a
 * transaction that finds the file locked by a transaction of this process
 * waits for the turn to be given back in the busy handler, and polls
 * only for other processes. So callers need no lock of their own: the
 * server has none. A handle set not to wait (store_set_wait(st, 0))
 * fails at once instead, and store_interrupt() ends a wait. */
struct sqlite_file {
	char *path; /* realpath of the database, the registry key */
	int refs;
	pthread_mutex_t lock;
	pthread_cond_t given; /* the writer turn was given back */
	struct sqlite_store *writer;
	pthread_t writer_thread;
	struct sqlite_file *next;
};

static pthread_mutex_t sq_files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sqlite_file *sq_files;

static struct sqlite_file *sq_file_get(const char *path)
{
	char *real = realpath(path, NULL);
	struct sqlite_file *f;

	if (!real)
		real = xstrdup(path);
	pthread_mutex_lock(&sq_files_lock);
	for (f = sq_files; f && strcmp(f->path, real); f = f->next)
		;
	if (f) {
		free(real);
	} else {
		f = xcalloc(1, sizeof(*f));
		f->path = real;
		pthread_mutex_init(&f->lock, NULL);
		pthread_cond_init(&f->given, NULL);
		f->next = sq_files;
		sq_files = f;
	}
	f->refs++;
	pthread_mutex_unlock(&sq_files_lock);
	return f;
}

static void sq_file_put(struct sqlite_file *f)
{
	struct sqlite_file **p;

	if (!f)
		return;
	pthread_mutex_lock(&sq_files_lock);
	if (--f->refs > 0) {
		pthread_mutex_unlock(&sq_files_lock);
		return;
	}
	for (p = &sq_files; *p != f; p = &(*p)->next)
		;
	*p = f->next;
	pthread_mutex_unlock(&sq_files_lock);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->given);
	free(f->path);
	free(f);
}

/* Takes the writer turn of sq's file: 0, or -1 when the handle must not
 * wait (store_set_wait()) or was interrupted (logged). */
static int sq_writer_take(struct sqlite_store *sq)
{
	struct sqlite_file *f = sq->file;
	int rc = 0;

	if (!f || sq->writing)
		return 0;
	pthread_mutex_lock(&f->lock);
	while (f->writer && !sq->nowait && !atomic_load(&sq->interrupted))
		pthread_cond_wait(&f->given, &f->lock);
	if (f->writer) {
		rc = -1;
	} else {
		f->writer = sq;
		f->writer_thread = pthread_self();
		sq->writing = 1;
	}
	pthread_mutex_unlock(&f->lock);
	/* a handle told not to wait expects this: not an error */
	if (rc < 0 && !sq->nowait)
		log_err("database %s: interrupted while waiting to write",
			sq->path);
	return rc;
}

static void sq_writer_give(struct sqlite_store *sq)
{
	struct sqlite_file *f = sq->file;

	if (!f || !sq->writing)
		return;
	pthread_mutex_lock(&f->lock);
	f->writer = NULL;
	sq->writing = 0;
	pthread_cond_broadcast(&f->given);
	pthread_mutex_unlock(&f->lock);
}

/* For the busy handler: when another handle of this process holds the
 * writer turn (and it is not this thread's own, which would never come
 * back), waits until it is given back and returns 1; else 0. */
static int sq_writer_wait(struct sqlite_store *sq)
{
	struct sqlite_file *f = sq->file;
	int waited = 0;

	if (!f)
		return 0;
	pthread_mutex_lock(&f->lock);
	while (f->writer && f->writer != sq &&
	       !pthread_equal(f->writer_thread, pthread_self()) &&
	       !atomic_load(&sq->interrupted)) {
		pthread_cond_wait(&f->given, &f->lock);
		waited = 1;
	}
	pthread_mutex_unlock(&f->lock);
	return waited;
}

/* Wakes sq if it waits for the writer turn (store_interrupt()). */
static void sq_writer_wake(struct sqlite_store *sq)
{
	struct sqlite_file *f = sq->file;

	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	pthread_cond_broadcast(&f->given);
	pthread_mutex_unlock(&f->lock);
}

/* The busy handler: sleeps 100 us, doubling up to 2 ms per call, and gives
 * up (SQLITE_BUSY) after about STORE_BUSY_TIMEOUT_MS in all, or at once
 * once the handle was interrupted (sqlite3_interrupt() does not end a
 * wait for a lock). */
static int sq_busy(void *arg, int n)
{
	struct sqlite_store *sq = arg;
	long step = 100L << (n < 5 ? n : 5), waited = 0;
	struct timespec ts;
	int i;

	if (sq && atomic_load(&sq->interrupted))
		return 0;
	if (sq && sq_writer_wait(sq))
		return 1; /* a transaction of this process is over: retry */
	for (i = 0; i < n && i < 5; i++)
		waited += 100L << i;
	if (n > 5)
		waited += (long)(n - 5) * STORE_BUSY_STEP_MAX_US;
	if (waited >= STORE_BUSY_TIMEOUT_MS * 1000L)
		return 0;
	if (step > STORE_BUSY_STEP_MAX_US)
		step = STORE_BUSY_STEP_MAX_US;
	ts.tv_sec = 0;
	ts.tv_nsec = step * 1000L;
	nanosleep(&ts, NULL);
	return 1;
}

static int sq_exec(struct store *st, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(sqlite_of(st)->db, sql, NULL, NULL, &err) !=
	    SQLITE_OK) {
		log_err("database %s: %s (in: %.60s)", sqlite_of(st)->path,
			err ? err : sqlite3_errmsg(sqlite_of(st)->db), sql);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* The cache slot of sql, its statement reset with no bindings; NULL on
 * failure (logged). */
static struct sqlite_stmt_slot *sq_slot(struct store *st, const char *sql)
{
	struct sqlite_store *sq = sqlite_of(st);
	struct sqlite_stmt_slot *slot, *victim = NULL;
	sqlite3_stmt *s = NULL;
	int i;

	for (i = 0; i < sq->nstmts; i++) {
		slot = &sq->stmts[i];
		if (slot->sql == sql || !strcmp(slot->sql, sql)) {
			sqlite3_reset(slot->dbs.stmt);
			sqlite3_clear_bindings(slot->dbs.stmt);
			slot->used = ++sq->stmt_tick;
			return slot;
		}
		if (!victim || slot->used < victim->used)
			victim = slot;
	}
	if (sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		log_err("database %s: %s (in: %.60s)", sq->path,
			sqlite3_errmsg(sq->db), sql);
		sqlite3_finalize(s);
		return NULL;
	}
	if (sq->nstmts < SQLITE_STMT_CACHE) {
		slot = &sq->stmts[sq->nstmts++];
	} else {
		/* full: the least recently used one goes (the statements
		 * in use now were all asked for more recently) */
		slot = victim;
		sqlite3_finalize(slot->dbs.stmt);
		free(slot->sql);
	}
	slot->sql = xstrdup(sql);
	slot->dbs.base.eng = &sqlite_db_engine;
	slot->dbs.base.quiet_constraint = 0;
	slot->dbs.sq = sq;
	slot->dbs.stmt = s;
	slot->used = ++sq->stmt_tick;
	return slot;
}

sqlite3_stmt *sqlite_store_stmt(struct store *st, const char *sql)
{
	struct sqlite_stmt_slot *slot = sq_slot(st, sql);

	return slot ? slot->dbs.stmt : NULL;
}

struct db_stmt *sqlite_stmt(struct store *st, const char *sql)
{
	struct sqlite_stmt_slot *slot = sq_slot(st, sql);

	return slot ? &slot->dbs.base : NULL;
}

/* ---- the statement helper's SQLite engine (db.h) ---- */

static sqlite3_stmt *sq_s(struct db_stmt *s)
{
	return ((struct sqlite_db_stmt *)s)->stmt;
}

static void sq_db_bind_null(struct db_stmt *s, int idx)
{
	sqlite3_bind_null(sq_s(s), idx);
}

static void sq_db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(sq_s(s), idx, v);
}

static void sq_db_bind_text(struct db_stmt *s, int idx, const char *v,
			    size_t len)
{
	sqlite3_bind_text64(sq_s(s), idx, v, len, SQLITE_TRANSIENT,
			    SQLITE_UTF8);
}

static int sq_db_step(struct db_stmt *s)
{
	struct sqlite_store *sq = ((struct sqlite_db_stmt *)s)->sq;
	int rc = sqlite3_step(sq_s(s));

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if ((rc & 0xff) == SQLITE_CONSTRAINT && s->quiet_constraint) {
		sqlite3_reset(sq_s(s));
		return DB_CONSTRAINT;
	}
	log_err("database %s: %s (in: %.60s)", sq->path, sqlite3_errmsg(sq->db),
		sqlite3_sql(sq_s(s)));
	sqlite3_reset(sq_s(s));
	return -1;
}

static int sq_db_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(sq_s(s), col) == SQLITE_NULL;
}

static int64_t sq_db_column_int64(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(sq_s(s), col);
}

static const char *sq_db_column_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(sq_s(s), col);
}

static int64_t sq_db_changes(struct db_stmt *s)
{
	return sqlite3_changes64(((struct sqlite_db_stmt *)s)->sq->db);
}

static void sq_db_reset(struct db_stmt *s)
{
	sqlite3_reset(sq_s(s));
}

static int sq_db_column_count(struct db_stmt *s)
{
	return sqlite3_column_count(sq_s(s));
}

static const char *sq_db_column_name(struct db_stmt *s, int col)
{
	return sqlite3_column_name(sq_s(s), col);
}

static enum db_type sq_db_column_type(struct db_stmt *s, int col)
{
	switch (sqlite3_column_type(sq_s(s), col)) {
	case SQLITE_INTEGER:
		return DB_INTEGER;
	case SQLITE_FLOAT:
		return DB_FLOAT;
	case SQLITE_NULL:
		return DB_NULL;
	default:
		return DB_TEXT;
	}
}

static double sq_db_column_double(struct db_stmt *s, int col)
{
	return sqlite3_column_double(sq_s(s), col);
}

const struct db_engine sqlite_db_engine = {
	.name = "SQLite",
	.bind_null = sq_db_bind_null,
	.bind_int64 = sq_db_bind_int64,
	.bind_text = sq_db_bind_text,
	.step = sq_db_step,
	.is_null = sq_db_is_null,
	.column_int64 = sq_db_column_int64,
	.column_text = sq_db_column_text,
	.changes = sq_db_changes,
	.reset = sq_db_reset,
	.column_count = sq_db_column_count,
	.column_name = sq_db_column_name,
	.column_type = sq_db_column_type,
	.column_double = sq_db_column_double,
};

static const char *sq_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/* ---- open, migrate, close ---- */

static int sq_user_version(struct store *st, int *v)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(sqlite_of(st)->db, "PRAGMA user_version", -1, &s,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		log_err("%s: cannot read the schema version: %s (is it a "
			"netcensus database?)",
			sqlite_of(st)->path, sqlite3_errmsg(sqlite_of(st)->db));
		sqlite3_finalize(s);
		return -1;
	}
	*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int sq_refuse_newer(struct store *st, int v)
{
	if (v <= store_schema_version())
		return 0;
	log_err("database %s has schema version %d, newer than this netcensus "
		"knows (%d): upgrade netcensus to open it",
		sqlite_of(st)->path, v, store_schema_version());
	return -1;
}

/* Applies each missing migration in its own transaction. */
static int sq_migrate(struct store *st)
{
	char pragma[48];
	int v;

	/* the usual case needs no write lock: a handle opened while a long
	 * transaction runs (a server thread's first request) must not wait
	 * for it */
	if (sq_user_version(st, &v) == 0 && v == store_schema_version())
		return 0;
	for (;;) {
		if (sq_exec(st, "BEGIN IMMEDIATE"))
			return -1;
		/* read inside the write lock: another process may have
		 * migrated meanwhile */
		if (sq_user_version(st, &v) || sq_refuse_newer(st, v))
			goto fail;
		if (v == store_schema_version())
			return sq_exec(st, "COMMIT");
		if (sq_exec(st, store_migrations[v]))
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 v + 1);
		if (sq_exec(st, pragma) || sq_exec(st, "COMMIT"))
			goto fail;
		log_info("database %s: migrated to schema version %d",
			 sqlite_of(st)->path, v + 1);
	}
fail:
	sqlite3_exec(sqlite_of(st)->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Creates the database file with mode 0600 (it holds password hashes);
 * SQLite gives its -wal and -shm files the same mode. */
static int sq_create_private(const char *path)
{
	int fd;

	if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	log_err("cannot create database %s: %s (does the directory exist and "
		"is it writable?)",
		path, strerror(errno));
	return -1;
}

struct store *sqlite_open(const char *url)
{
	struct sqlite_store *sq;
	struct store *st;
	const char *path = url;
	int v;

	if (!strncmp(url, "sqlite:", 7))
		path = url + 7;
	if (!*path) {
		log_err("%s: no database file named", url);
		return NULL;
	}
	sq = xcalloc(1, sizeof(*sq));
	sq->base.ops = &sqlite_store_ops;
	st = &sq->base;
	sqlite_of(st)->path = xstrdup(path);
	sqlite_of(st)->key_path = xasprintf("%s.key", path);
	if (sq_create_private(path))
		goto fail;
	if (sqlite3_open_v2(path, &sqlite_of(st)->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		log_err("cannot open database %s: %s", path,
			sqlite_of(st)->db ? sqlite3_errmsg(sqlite_of(st)->db)
					  : "out of memory");
		goto fail;
	}
	sq->file = sq_file_get(path);
	sqlite3_busy_handler(sqlite_of(st)->db, sq_busy, sq);
	if (sqlite_ip_key_register(sqlite_of(st)->db))
		goto fail;
	/* refuse a newer database before changing anything in it */
	if (sq_user_version(st, &v) || sq_refuse_newer(st, v))
		goto fail;
	/* 16 KiB pages: an audit's rows go to the WAL in a quarter of the
	 * writes (only takes effect on a new database) */
	if (sq_exec(st, "PRAGMA page_size = 16384") ||
	    sq_exec(st, "PRAGMA journal_mode = WAL") ||
	    sq_exec(st, "PRAGMA synchronous = FULL") ||
	    sq_exec(st, "PRAGMA foreign_keys = ON"))
		goto fail;
	if (sq_migrate(st))
		goto fail;
	/* the key file is made at first open, beside the database */
	if (strcmp(path, ":memory:") && !sqlite_store_key(st))
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void sqlite_close(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < sqlite_of(st)->nstmts; i++) {
		sqlite3_finalize(sqlite_of(st)->stmts[i].dbs.stmt);
		free(sqlite_of(st)->stmts[i].sql);
	}
	if (sqlite_of(st)->db) {
		if (sqlite_of(st)->in_tx || sqlite_of(st)->in_batch)
			sqlite3_exec(sqlite_of(st)->db, "ROLLBACK", NULL, NULL,
				     NULL);
		/* lets the planner keep statistics current; cheap when
		 * nothing needs it, and skipped rather than waited for when
		 * another writer holds the database (a stopping server must
		 * not wait 10 s per handle) */
		sqlite3_busy_timeout(sqlite_of(st)->db, 0);
		sqlite3_exec(sqlite_of(st)->db, "PRAGMA optimize", NULL, NULL,
			     NULL);
		sqlite3_close_v2(sqlite_of(st)->db);
	}
	sq_writer_give(sqlite_of(st));
	sq_file_put(sqlite_of(st)->file);
	secret_key_close(sqlite_of(st)->key);
	free(sqlite_of(st)->path);
	free(sqlite_of(st)->key_path);
	free(sqlite_of(st));
}

void sqlite_set_wait(struct store *st, int wait)
{
	if (st)
		sqlite_of(st)->nowait = !wait;
	if (st && sqlite_of(st)->db)
		sqlite3_busy_handler(sqlite_of(st)->db, wait ? sq_busy : NULL,
				     sqlite_of(st));
}

void sqlite_interrupt(struct store *st)
{
	if (!st || !sqlite_of(st)->db)
		return;
	atomic_store(&sqlite_of(st)->interrupted, 1);
	sqlite3_interrupt(sqlite_of(st)->db);
	sq_writer_wake(sqlite_of(st));
}

/* ip_key(text): a 16-byte blob (IPv4 as ::ffff:a.b.c.d) so that ORDER BY
 * puts 10.1.0.2 before 10.1.0.102; text that is not an address is
 * returned as it is (text sorts before blobs in SQLite), NULL as NULL. */
static void search_ip_key(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	const char *s = (const char *)sqlite3_value_text(v[0]);
	unsigned char b[16];
	struct in_addr a4;
	char one[64];
	size_t n;

	(void)argc;
	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	/* a list ("10.0.0.2,10.0.0.3") sorts by its first address */
	n = strcspn(s, ", ");
	if (n >= sizeof(one)) {
		sqlite3_result_value(ctx, v[0]);
		return;
	}
	memcpy(one, s, n);
	one[n] = '\0';
	if (inet_pton(AF_INET, one, &a4) == 1) {
		memset(b, 0, 10);
		b[10] = b[11] = 0xff;
		memcpy(b + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, one, b) != 1) {
		sqlite3_result_value(ctx, v[0]);
		return;
	}
	sqlite3_result_blob(ctx, b, sizeof(b), SQLITE_TRANSIENT);
}

int sqlite_ip_key_register(sqlite3 *db)
{
	if (sqlite3_create_function(
		    db, "ip_key", 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
		    search_ip_key, NULL, NULL) != SQLITE_OK) {
		log_err("cannot register ip_key(): %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

const struct db_dialect sqlite_dialect = {
	.nocase_pre = "",
	.nocase_post = " = ? COLLATE NOCASE",
	.ip_pre = "ip_key(", /* sqlite_ip_key_register() */
	.ip_post = ")",
	.scan = "+",
	.explain = "EXPLAIN QUERY PLAN ",
	.num_first = "(CAST(v AS TEXT) GLOB '[0-9]*' OR"
		     " typeof(v) IN ('integer', 'real'))",
	.num_key = "CAST(v AS REAL)",
};

int sqlite_read_begin(struct store *st)
{
	return sqlite3_exec(sqlite_of(st)->db, "BEGIN", NULL, NULL, NULL) ==
	       SQLITE_OK;
}

void sqlite_read_end(struct store *st)
{
	sqlite3_exec(sqlite_of(st)->db, "COMMIT", NULL, NULL, NULL);
}

uint64_t sqlite_data_version(struct store *st)
{
	unsigned version = 0;
	struct db_stmt *s;
	int rc;

	/* the snapshot starts with its first read */
	s = sqlite_stmt(st, "SELECT count(*) FROM sqlite_master");
	rc = s ? db_step(s) : -1;
	db_reset(s);
	if (rc != DB_ROW)
		return 0;
	if (sqlite3_file_control(sqlite_of(st)->db, "main",
				 SQLITE_FCNTL_DATA_VERSION,
				 &version) != SQLITE_OK)
		return 0;
	return version;
}

#define STORE_API_MMAP_TEXT "268435456" /* 256 MiB */

int sqlite_api_tune(struct store *st)
{
	/* The same plan whatever the bound values: without it a cached
	 * statement with a LIKE on a bound pattern is parsed and planned
	 * again each time it is bound (the LIKE prefix optimisation it
	 * would look for needs a NOCASE index, which the device table does
	 * not have, and the store keeps no STAT4 statistics). */
	if (sqlite3_db_config(sqlite_of(st)->db, SQLITE_DBCONFIG_ENABLE_QPSG, 1,
			      NULL) != SQLITE_OK) {
		log_err("store: query planner stability: %s",
			sqlite3_errmsg(sqlite_of(st)->db));
		return -1;
	}
	/* The server's handles read the same pages over and over (a list
	 * with a filter scans the device table): map the file so that a
	 * page the OS holds is read in place instead of copied by pread
	 * into each handle's small page cache. The mapping is shared by
	 * every handle; writes still go through the WAL. */
	if (sqlite3_exec(sqlite_of(st)->db,
			 "PRAGMA mmap_size = " STORE_API_MMAP_TEXT, NULL, NULL,
			 NULL) != SQLITE_OK) {
		log_err("store: mmap_size: %s",
			sqlite3_errmsg(sqlite_of(st)->db));
		return -1;
	}
	return 0;
}

struct secret_key *sqlite_store_key(struct store *st)
{
	if (!sqlite_of(st)->key)
		sqlite_of(st)->key = secret_key_open(sqlite_of(st)->key_path);
	return sqlite_of(st)->key;
}

int sqlite_db_version(struct store *st)
{
	int v;

	return sq_user_version(st, &v) ? -1 : v;
}

/* ---- transactions ---- */

int sqlite_begin(struct store *st)
{
	if (sqlite_of(st)->in_batch && !sqlite_of(st)->in_tx) {
		/* the batch's transaction was rolled back under us (an
		 * interrupt, a full disk): nothing more may go in */
		if (sqlite3_get_autocommit(sqlite_of(st)->db) ||
		    sq_exec(st, "SAVEPOINT part"))
			return -1;
		sqlite_of(st)->in_tx = 1;
		return 0;
	}
	if (sqlite_of(st)->in_tx) {
		log_err("database %s: a transaction is already open",
			sqlite_of(st)->path);
		return -1;
	}
	/* IMMEDIATE takes the write lock now, so a busy database waits here
	 * (busy_timeout) instead of failing half-way through */
	if (sq_writer_take(sqlite_of(st)) < 0)
		return -1;
	if (sq_exec(st, "BEGIN IMMEDIATE")) {
		sq_writer_give(sqlite_of(st));
		return -1;
	}
	sqlite_of(st)->in_tx = 1;
	return 0;
}

int sqlite_commit(struct store *st)
{
	if (!sqlite_of(st)->in_tx) {
		log_err("database %s: commit without a transaction",
			sqlite_of(st)->path);
		return -1;
	}
	if (sqlite_of(st)->in_batch) {
		sqlite_of(st)->in_tx = 0;
		return sq_exec(st, "RELEASE part") ? -1 : 0;
	}
	if (sq_exec(st, "COMMIT")) {
		store_rollback(st);
		return -1;
	}
	sqlite_of(st)->in_tx = 0;
	sq_writer_give(sqlite_of(st));
	return 0;
}

int sqlite_rollback(struct store *st)
{
	int rc = 0;

	if (!sqlite_of(st)->in_tx)
		return 0;
	if (sqlite_of(st)->in_batch &&
	    sqlite3_get_autocommit(sqlite_of(st)->db) == 0) {
		sqlite_of(st)->in_tx = 0;
		return sq_exec(st, "ROLLBACK TO part") ||
				       sq_exec(st, "RELEASE part")
			       ? -1
			       : 0;
	}
	if (sqlite3_get_autocommit(sqlite_of(st)->db) == 0)
		rc = sq_exec(st, "ROLLBACK");
	sqlite_of(st)->in_tx = 0;
	sq_writer_give(sqlite_of(st));
	return rc;
}

int sqlite_batch_begin(struct store *st)
{
	if (sqlite_of(st)->in_tx || sqlite_of(st)->in_batch) {
		log_err("database %s: a transaction is already open",
			sqlite_of(st)->path);
		return -1;
	}
	if (sq_writer_take(sqlite_of(st)) < 0)
		return -1;
	if (sq_exec(st, "BEGIN IMMEDIATE")) {
		sq_writer_give(sqlite_of(st));
		return -1;
	}
	sqlite_of(st)->in_batch = 1;
	return 0;
}

int sqlite_batch_commit(struct store *st)
{
	int rc = 0;

	if (!sqlite_of(st)->in_batch)
		return -1;
	sqlite_of(st)->in_batch = 0;
	sqlite_of(st)->in_tx = 0;
	if (sqlite3_get_autocommit(sqlite_of(st)->db)) {
		log_err("database %s: a batch's transaction was rolled back",
			sqlite_of(st)->path);
		rc = -1;
	} else if (sq_exec(st, "COMMIT")) {
		if (sqlite3_get_autocommit(sqlite_of(st)->db) == 0)
			sq_exec(st, "ROLLBACK");
		rc = -1;
	}
	sq_writer_give(sqlite_of(st));
	return rc;
}

void sqlite_batch_rollback(struct store *st)
{
	if (!sqlite_of(st)->in_batch)
		return;
	sqlite_of(st)->in_batch = 0;
	sqlite_of(st)->in_tx = 0;
	if (sqlite3_get_autocommit(sqlite_of(st)->db) == 0)
		sq_exec(st, "ROLLBACK");
	sq_writer_give(sqlite_of(st));
}

/* ---- checks and counts ---- */

int sqlite_check(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int bad = 0, rows = 0, v, rc;

	v = store_db_version(st);
	printf("database: %s\nschema version: %d (this netcensus: %d)\n",
	       sqlite_of(st)->path, v, store_schema_version());
	if (v != store_schema_version())
		bad++;
	if (sqlite3_prepare_v2(sqlite_of(st)->db, "PRAGMA integrity_check", -1,
			       &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *msg = sq_text(s, 0);

		if (msg && !strcmp(msg, "ok"))
			printf("integrity: ok\n");
		else {
			printf("integrity: %s\n", msg ? msg : "?");
			bad++;
		}
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(sqlite_of(st)->db, "PRAGMA foreign_key_check",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		printf("foreign key: %s row %lld refers to a missing %s\n",
		       sq_text(s, 0), (long long)sqlite3_column_int64(s, 1),
		       sq_text(s, 2));
		rows++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	if (!rows)
		printf("foreign keys: ok\n");
	sqlite3_finalize(s);
	return bad || rows ? -1 : 0;
fail:
	log_err("database %s: check failed: %s", sqlite_of(st)->path,
		sqlite3_errmsg(sqlite_of(st)->db));
	sqlite3_finalize(s);
	return -1;
}
