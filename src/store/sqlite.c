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

sqlite3_stmt *sqlite_store_stmt(struct store *st, const char *sql)
{
	struct sqlite_stmt_slot *slot;
	sqlite3_stmt *s = NULL;
	int i;

	for (i = 0; i < sqlite_of(st)->nstmts; i++) {
		slot = &sqlite_of(st)->stmts[i];
		if (slot->sql == sql || !strcmp(slot->sql, sql)) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
	}
	if (sqlite_of(st)->nstmts >= SQLITE_STMT_CACHE) {
		log_err("database %s: statement cache full (%d); not running: "
			"%.60s",
			sqlite_of(st)->path, SQLITE_STMT_CACHE, sql);
		return NULL;
	}
	if (sqlite3_prepare_v3(sqlite_of(st)->db, sql, -1,
			       SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		log_err("database %s: %s (in: %.60s)", sqlite_of(st)->path,
			sqlite3_errmsg(sqlite_of(st)->db), sql);
		sqlite3_finalize(s);
		return NULL;
	}
	slot = &sqlite_of(st)->stmts[sqlite_of(st)->nstmts++];
	slot->sql = xstrdup(sql);
	slot->stmt = s;
	return s;
}

/* Steps a statement that returns no rows and resets it. 0 or -1. */
static int sq_step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("database %s: %s (in: %.60s)", sqlite_of(st)->path,
			sqlite3_errmsg(sqlite_of(st)->db), sqlite3_sql(s));
		return -1;
	}
	return 0;
}

/* Logs a failed step of a statement that returns rows, then resets it. */
static void sq_step_fail(struct store *st, sqlite3_stmt *s)
{
	log_err("database %s: %s (in: %.60s)", sqlite_of(st)->path,
		sqlite3_errmsg(sqlite_of(st)->db), sqlite3_sql(s));
	sqlite3_reset(s);
}

/* Steps s to the end, making a JSON array of row(s) for each row. */
static json_t *sq_collect(struct store *st, sqlite3_stmt *s,
			  json_t *(*row)(sqlite3_stmt *s))
{
	json_t *a = json_array();
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, row(s));
	if (rc != SQLITE_DONE) {
		sq_step_fail(st, s);
		json_decref(a);
		return NULL;
	}
	sqlite3_reset(s);
	return a;
}

static const char *sq_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

static void sq_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
	if (v)
		sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, idx);
}

/* Binds a JSON value as text (dumped compact); NULL for NULL. */
static void sq_bind_json(sqlite3_stmt *s, int idx, json_t *v)
{
	char *txt = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (txt)
		sqlite3_bind_text(s, idx, txt, -1, free);
	else
		sqlite3_bind_null(s, idx);
}

/* A JSON object parsed from a text column; an empty object when the text
 * is missing or damaged. */
static json_t *sq_json_object(sqlite3_stmt *s, int col)
{
	const char *txt = sq_text(s, col);
	json_t *o = NULL;

	if (txt)
		o = json_loads(txt, JSON_DECODE_ANY, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
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

static void sq_build_device_sql(struct store *st)
{
	struct strbuf cols, qs, set;
	int i;

	strbuf_init(&cols, 0);
	strbuf_init(&qs, 0);
	strbuf_init(&set, 0);
	for (i = 0; i < DEVICE_NCOLS; i++) {
		strbuf_printf(&cols, "%s, ", fields_column(i));
		strbuf_printf(&qs, "?%d, ", i + 2);
		strbuf_printf(&set, "%s = ?%d, ", fields_column(i), i + 2);
	}
	/* insert: ?1 org_id, ?2.. columns, extra, now */
	sqlite_of(st)->sql_device_insert = xasprintf(
		"INSERT INTO device (org_id, %sextra, first_seen, last_seen) "
		"VALUES (?1, %s?%d, ?%d, ?%d)",
		cols.data, qs.data, DEVICE_NCOLS + 2, DEVICE_NCOLS + 3,
		DEVICE_NCOLS + 3);
	/* update: ?1 id, ?2.. columns, extra, now */
	sqlite_of(st)->sql_device_update =
		xasprintf("UPDATE device SET %sextra = ?%d, last_seen = ?%d "
			  "WHERE id = ?1",
			  set.data, DEVICE_NCOLS + 2, DEVICE_NCOLS + 3);
	sqlite_of(st)->sql_device_get = xasprintf(
		"SELECT id, org_id, %sextra, first_seen, last_seen FROM device "
		"WHERE id = ?1",
		cols.data);
	sqlite_of(st)->sql_device_list = xasprintf(
		"SELECT id, org_id, %sextra, first_seen, last_seen FROM device "
		"ORDER BY id LIMIT ?1 OFFSET ?2",
		cols.data);
	strbuf_free(&cols);
	strbuf_free(&qs);
	strbuf_free(&set);
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
	if (sqlite_search_register(sqlite_of(st)->db))
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
	sq_build_device_sql(st);
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
		sqlite3_finalize(sqlite_of(st)->stmts[i].stmt);
		free(sqlite_of(st)->stmts[i].sql);
	}
	sqlite_api_stmts_free(st);
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
	free(sqlite_of(st)->sql_device_insert);
	free(sqlite_of(st)->sql_device_update);
	free(sqlite_of(st)->sql_device_get);
	free(sqlite_of(st)->sql_device_list);
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

json_t *sqlite_counts(struct store *st)
{
	static const char *const names[] = {
		"devices", "components", "components_current",
		"changes", "audits",	 "orgs",
		"users"};
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "SELECT (SELECT count(*) FROM device),"
		    " (SELECT count(*) FROM component),"
		    " (SELECT count(*) FROM component WHERE current = 1),"
		    " (SELECT count(*) FROM change_log),"
		    " (SELECT count(*) FROM audit_log),"
		    " (SELECT count(*) FROM org),"
		    " (SELECT count(*) FROM user)");
	json_t *o;
	size_t i;

	if (!s)
		return NULL;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sq_step_fail(st, s);
		return NULL;
	}
	o = json_object();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_set_new(
			o, names[i],
			json_integer(sqlite3_column_int64(s, (int)i)));
	sqlite3_reset(s);
	return o;
}

/* ---- devices ---- */

static int device_column_index(const char *name)
{
	int i;

	for (i = 0; i < DEVICE_NCOLS; i++)
		if (!strcmp(fields_column(i), name))
			return i;
	return -1;
}

/* Binds a scalar JSON value as text; 0, or -1 when it is not a scalar. */
static int sq_bind_scalar(sqlite3_stmt *s, int idx, json_t *v)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		sqlite3_bind_text(s, idx, json_string_value(v),
				  (int)json_string_length(v), SQLITE_TRANSIENT);
		return 0;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		sqlite3_bind_text(s, idx, num, -1, SQLITE_TRANSIENT);
		return 0;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		sqlite3_bind_text(s, idx, num, -1, SQLITE_TRANSIENT);
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		sqlite3_bind_text(s, idx, json_is_true(v) ? "1" : "0", -1,
				  SQLITE_STATIC);
		return 0;
	case JSON_NULL:
		sqlite3_bind_null(s, idx);
		return 0;
	default:
		return -1;
	}
}

/* Binds the device columns at first.. and "extra" right after them. */
static void sq_bind_sys(sqlite3_stmt *s, int first, json_t *sys)
{
	json_t *extra = json_object(), *v;
	const char *name;
	int col;

	json_object_foreach(sys, name, v) {
		if (fields_has(name, FIELD_OWNED) || json_is_null(v))
			continue;
		col = device_column_index(name);
		if (col < 0 || sq_bind_scalar(s, first + col, v) < 0)
			json_object_set(extra, name, v);
	}
	sq_bind_json(s, first + DEVICE_NCOLS, extra);
	json_decref(extra);
}

/* The device object for a row of sql_device_get / sql_device_list. */
static json_t *sq_device_row(sqlite3_stmt *s)
{
	json_t *o = sq_json_object(s, 2 + DEVICE_NCOLS);
	int i;

	for (i = 0; i < DEVICE_NCOLS; i++) {
		const char *v = sq_text(s, 2 + i);

		if (v)
			json_object_set_new(o, fields_column(i),
					    json_string(v));
	}
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(o, "org_id",
			    json_integer(sqlite3_column_int64(s, 1)));
	json_object_set_new(o, "first_seen",
			    json_string(sq_text(s, 3 + DEVICE_NCOLS)));
	json_object_set_new(o, "last_seen",
			    json_string(sq_text(s, 4 + DEVICE_NCOLS)));
	return o;
}

/* ---- matching ----
 * Every match query starts from the same org filter: the report's org and
 * its descendants (the recursive CTE "tree", org id bound to ?1), the row
 * limit is ?2 and the values start at ?3. The org test is written
 * "+d.org_id" so that SQLite never walks device_org (every device of the
 * org) instead of the selective index of the compared field. */
#define MATCH_TREE                                                             \
	"WITH RECURSIVE tree(id) AS (SELECT ?1 UNION SELECT org.id FROM"       \
	" org JOIN tree ON org.parent_id = tree.id) "
#define MATCH_IN_TREE "+d.org_id IN tree"
/* (The component branches join with CROSS JOIN for the same reason: the
 * component's mac or ip index first, whatever the statistics say.) */

/* Runs the match query sql with values (?3...): up to max ids into ids. */
static int sq_match(struct store *st, const char *sql, int64_t org_id,
		    const char *const *values, int nvalues, int64_t *ids,
		    int max, int *n)
{
	sqlite3_stmt *s = sqlite_store_stmt(st, sql);
	int i, rc;

	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, org_id);
	sqlite3_bind_int(s, 2, max);
	for (i = 0; i < nvalues; i++)
		sq_bind_text(s, i + 3, values[i]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_step_fail(st, s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int sqlite_match_fields(struct store *st, int64_t org_id,
			const char *const *fields, const char *const *values,
			int nfields, int64_t *ids, int max, int *n)
{
	struct strbuf sql;
	int i, rc;

	*n = 0;
	if (nfields < 1 || nfields > STORE_FIND_MAX_FIELDS) {
		log_err("device find: %d fields (1 to %d allowed)", nfields,
			STORE_FIND_MAX_FIELDS);
		return -1;
	}
	strbuf_init(&sql, 0);
	strbuf_puts(&sql,
		    MATCH_TREE "SELECT id FROM device d WHERE " MATCH_IN_TREE);
	for (i = 0; i < nfields; i++) {
		/* only known column names reach the SQL text */
		if (device_column_index(fields[i]) < 0 || !values[i]) {
			log_err("device find: '%s' is not a device column",
				fields[i]);
			strbuf_free(&sql);
			return -1;
		}
		strbuf_printf(&sql, " AND d.%s = ?%d", fields[i], i + 3);
	}
	strbuf_puts(&sql, " ORDER BY id LIMIT ?2");
	rc = sq_match(st, sql.data, org_id, values, nfields, ids, max, n);
	strbuf_free(&sql);
	return rc;
}

int sqlite_match_mac(struct store *st, int64_t org_id, const char *mac,
		     int64_t *ids, int max, int *n)
{
	return sq_match(
		st,
		MATCH_TREE
		"SELECT id FROM device d WHERE d.mac = ?3 AND " MATCH_IN_TREE
		" UNION SELECT c.device_id FROM component c"
		" CROSS JOIN device d ON d.id = c.device_id WHERE c.mac = ?3"
		" AND c.current = 1 AND c.section IN ('network', 'ip') "
		"AND " MATCH_IN_TREE " ORDER BY 1 LIMIT ?2",
		org_id, &mac, 1, ids, max, n);
}

/* The serial test on d is written with coalesce() so that it cannot use
 * device_serial: SQLite took "serial IS NULL OR serial = ''" as two
 * selective index lookups and walked every device without a serial (all
 * the discovered network gear of a real store: 4 ms for 5,000 of them, on
 * every new device's intake) instead of starting from component_ip. */
int sqlite_match_ip(struct store *st, int64_t org_id, const char *ip,
		    int64_t *ids, int max, int *n)
{
	return sq_match(
		st,
		MATCH_TREE
		"SELECT id FROM device d WHERE d.ip = ?3"
		" AND coalesce(d.serial, '') = '' AND " MATCH_IN_TREE
		" UNION SELECT d.id FROM component c"
		" CROSS JOIN device d ON d.id = c.device_id"
		" WHERE c.ip = ?3 AND c.current = 1 AND c.section = 'ip'"
		" AND coalesce(d.serial, '') = '' AND " MATCH_IN_TREE
		" ORDER BY 1 LIMIT ?2",
		org_id, &ip, 1, ids, max, n);
}

int sqlite_device_find(struct store *st, const char *const *fields,
		       const char *const *values, int n, int64_t *id)
{
	int found;

	*id = 0;
	return store_match_fields(st, STORE_ORG_ROOT, fields, values, n, id, 1,
				  &found);
}

json_t *sqlite_device_get(struct store *st, int64_t id)
{
	sqlite3_stmt *s = sqlite_store_stmt(st, sqlite_of(st)->sql_device_get);
	json_t *o = NULL;
	int rc;

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		o = sq_device_row(s);
	else if (rc == SQLITE_DONE)
		/* not an error of the store: callers say it their way */
		log_debug("database %s: no device with id %" PRId64,
			  sqlite_of(st)->path, id);
	else {
		sq_step_fail(st, s);
		return NULL;
	}
	sqlite3_reset(s);
	return o;
}

json_t *sqlite_device_list(struct store *st, int64_t limit, int64_t offset)
{
	sqlite3_stmt *s = sqlite_store_stmt(st, sqlite_of(st)->sql_device_list);

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
	sqlite3_bind_int64(s, 2, offset > 0 ? offset : 0);
	return sq_collect(st, s, sq_device_row);
}

/*
 * The device INSERT and UPDATE bind the same columns: ?1 is the org id
 * (insert) or the device id (update), then the system columns, then the
 * time stamp.
 */
static int sq_device_write(struct store *st, const char *sql, int64_t key,
			   json_t *sys, const char *now)
{
	sqlite3_stmt *s = sqlite_store_stmt(st, sql);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, key);
	sq_bind_sys(s, 2, sys);
	sq_bind_text(s, DEVICE_NCOLS + 3, now);
	return sq_step_done(st, s);
}

int sqlite_device_insert(struct store *st, int64_t org_id, json_t *sys,
			 const char *now, int64_t *id)
{
	if (sq_device_write(st, sqlite_of(st)->sql_device_insert, org_id, sys,
			    now))
		return -1;
	*id = sqlite3_last_insert_rowid(sqlite_of(st)->db);
	return 0;
}

int sqlite_device_update(struct store *st, int64_t id, json_t *sys,
			 const char *now)
{
	if (sq_device_write(st, sqlite_of(st)->sql_device_update, id, sys, now))
		return -1;
	if (sqlite3_changes(sqlite_of(st)->db) == 0) {
		log_err("database %s: no device with id %" PRId64,
			sqlite_of(st)->path, id);
		return -1;
	}
	return 0;
}

int sqlite_device_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s =
		sqlite_store_stmt(st, "DELETE FROM device WHERE id = ?1");

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sq_step_done(st, s))
		return -1;
	if (sqlite3_changes(sqlite_of(st)->db) == 0) {
		log_err("database %s: no device with id %" PRId64,
			sqlite_of(st)->path, id);
		return -1;
	}
	return 0;
}

/* ---- components ---- */

static json_t *sq_component_row(sqlite3_stmt *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(o, "section", json_string(sq_text(s, 1)));
	json_object_set_new(o, "key", json_string(sq_text(s, 2)));
	json_object_set_new(o, "current",
			    json_integer(sqlite3_column_int(s, 3)));
	json_object_set_new(o, "first_seen", json_string(sq_text(s, 4)));
	json_object_set_new(o, "last_seen", json_string(sq_text(s, 5)));
	json_object_set_new(o, "data", sq_json_object(s, 6));
	return o;
}

json_t *sqlite_component_list(struct store *st, int64_t device_id,
			      const char *section, int current_only)
{
	sqlite3_stmt *s;

	if (section)
		s = sqlite_store_stmt(
			st, "SELECT id, section, key, current, first_seen,"
			    " last_seen, data FROM component WHERE"
			    " device_id = ?1 AND section = ?2 AND current >= ?3"
			    " ORDER BY key");
	else
		s = sqlite_store_stmt(
			st, "SELECT id, section, key, current, first_seen,"
			    " last_seen, data FROM component WHERE"
			    " device_id = ?1 AND current >= ?3"
			    " ORDER BY section, key");
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, device_id);
	if (section)
		sq_bind_text(s, 2, section);
	sqlite3_bind_int(s, 3, current_only ? 1 : 0);
	return sq_collect(st, s, sq_component_row);
}

static json_t *sq_first_text(sqlite3_stmt *s)
{
	return json_string(sq_text(s, 0));
}

json_t *sqlite_component_sections(struct store *st, int64_t device_id)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st,
		"SELECT DISTINCT section FROM component WHERE device_id = ?1"
		" ORDER BY section");

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, device_id);
	return sq_collect(st, s, sq_first_text);
}

/* Binds data and its mac, ip and name fields at first.. first+3. */
static void sq_bind_component_data(sqlite3_stmt *s, int first, json_t *data)
{
	static const char *const copied[] = {"mac", "ip", "name"};
	int i;

	sq_bind_json(s, first, data);
	for (i = 0; i < 3; i++) {
		const char *v =
			json_string_value(json_object_get(data, copied[i]));

		sq_bind_text(s, first + 1 + i, v && *v ? v : NULL);
	}
}

int sqlite_component_insert(struct store *st, int64_t device_id,
			    const char *section, const char *key, json_t *data,
			    const char *now)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "INSERT INTO component (device_id, section, key, data, mac,"
		    " ip, name, current, first_seen, last_seen)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8)");

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	sq_bind_text(s, 2, section);
	sq_bind_text(s, 3, key);
	sq_bind_component_data(s, 4, data);
	sq_bind_text(s, 8, now);
	return sq_step_done(st, s);
}

int sqlite_component_update(struct store *st, int64_t component_id,
			    json_t *data, const char *now)
{
	sqlite3_stmt *s;

	if (data)
		s = sqlite_store_stmt(
			st, "UPDATE component SET data = ?2, mac = ?3, ip = ?4,"
			    " name = ?5, current = 1, last_seen = ?6"
			    " WHERE id = ?1");
	else
		s = sqlite_store_stmt(st, "UPDATE component SET current = 1,"
					  " last_seen = ?6 WHERE id = ?1");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, component_id);
	if (data)
		sq_bind_component_data(s, 2, data);
	sq_bind_text(s, 6, now);
	return sq_step_done(st, s);
}

int sqlite_component_retire(struct store *st, int64_t component_id)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "UPDATE component SET current = 0 WHERE id = ?1");

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, component_id);
	return sq_step_done(st, s);
}

int sqlite_component_touch(struct store *st, int64_t device_id,
			   const char *section, const char *now)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "UPDATE component SET last_seen = ?3 WHERE device_id = ?1"
		    " AND section = ?2 AND current = 1");

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	sq_bind_text(s, 2, section);
	sq_bind_text(s, 3, now);
	return sq_step_done(st, s);
}

int store_component_each(
	struct store *st, int64_t device_id, const char *section,
	int (*fn)(void *ctx, const struct store_component_row *row), void *ctx)
{
	struct store_component_row row;
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "SELECT id, key, current, data FROM component"
		    " WHERE device_id = ?1 AND section = ?2 ORDER BY key");
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	sq_bind_text(s, 2, section);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		row.key = sq_text(s, 1);
		row.current = sqlite3_column_int(s, 2);
		row.data = sq_text(s, 3);
		if (!row.key || !row.data)
			continue;
		if (fn(ctx, &row)) {
			sqlite3_reset(s);
			return 0;
		}
	}
	if (rc != SQLITE_DONE) {
		sq_step_fail(st, s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

/* ---- change log ---- */

int sqlite_change_add(struct store *st, int64_t device_id, const char *section,
		      const char *action, const char *key, json_t *detail,
		      const char *now)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "INSERT INTO change_log (device_id, section, action, key,"
		    " detail, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	sq_bind_text(s, 2, section);
	sq_bind_text(s, 3, action);
	sq_bind_text(s, 4, key ? key : "");
	if (detail)
		sq_bind_json(s, 5, detail);
	else
		sq_bind_text(s, 5, "{}");
	sq_bind_text(s, 6, now);
	return sq_step_done(st, s);
}

static json_t *sq_change_row(sqlite3_stmt *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(o, "device_id",
			    json_integer(sqlite3_column_int64(s, 1)));
	if (sq_text(s, 2))
		json_object_set_new(o, "hostname", json_string(sq_text(s, 2)));
	json_object_set_new(o, "section", json_string(sq_text(s, 3)));
	json_object_set_new(o, "action", json_string(sq_text(s, 4)));
	json_object_set_new(o, "key", json_string(sq_text(s, 5)));
	json_object_set_new(o, "detail", sq_json_object(s, 6));
	json_object_set_new(o, "time", json_string(sq_text(s, 7)));
	return o;
}

json_t *sqlite_change_list(struct store *st, int64_t device_id, int64_t limit)
{
	sqlite3_stmt *s;

	if (device_id)
		s = sqlite_store_stmt(
			st, "SELECT c.id, c.device_id, d.hostname, c.section,"
			    " c.action, c.key, c.detail, c.time FROM change_log"
			    " c LEFT JOIN device d ON d.id = c.device_id"
			    " WHERE c.device_id = ?1 ORDER BY c.id DESC"
			    " LIMIT ?2");
	else
		s = sqlite_store_stmt(
			st, "SELECT c.id, c.device_id, d.hostname, c.section,"
			    " c.action, c.key, c.detail, c.time FROM change_log"
			    " c LEFT JOIN device d ON d.id = c.device_id"
			    " ORDER BY c.id DESC LIMIT ?2");
	if (!s)
		return NULL;
	if (device_id)
		sqlite3_bind_int64(s, 1, device_id);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	return sq_collect(st, s, sq_change_row);
}

/* ---- audit log ---- */

int sqlite_audit_add(struct store *st, const struct store_audit *a,
		     const char *now)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "INSERT INTO audit_log (time, source, format, result, rule,"
		    " message, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

	if (!s)
		return -1;
	sq_bind_text(s, 1, now);
	sq_bind_text(s, 2, a->source);
	sq_bind_text(s, 3, a->format);
	sq_bind_text(s, 4, a->result ? a->result : "rejected");
	sq_bind_text(s, 5, a->rule);
	sq_bind_text(s, 6, a->message);
	if (a->device_id > 0)
		sqlite3_bind_int64(s, 7, a->device_id);
	return sq_step_done(st, s);
}

int sqlite_audit_add_id(struct store *st, const struct store_audit *a,
			const char *now, int64_t *id)
{
	if (store_audit_add(st, a, now) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(sqlite_of(st)->db);
	return 0;
}

int sqlite_audit_set_message(struct store *st, int64_t id, const char *message)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "UPDATE audit_log SET message = ?1 WHERE id = ?2");

	if (!s)
		return -1;
	sq_bind_text(s, 1, message);
	sqlite3_bind_int64(s, 2, id);
	return sq_step_done(st, s);
}

static json_t *sq_audit_row(sqlite3_stmt *s)
{
	static const char *const names[] = {
		"id", "time", "source", "format", "result", "rule", "message"};
	json_t *o = json_object();
	int i;

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(s, 0)));
	for (i = 1; i < 7; i++)
		json_object_set_new(o, names[i],
				    sq_text(s, i) ? json_string(sq_text(s, i))
						  : json_null());
	json_object_set_new(o, "device_id",
			    json_integer(sqlite3_column_int64(s, 7)));
	return o;
}

json_t *sqlite_audit_list(struct store *st, int64_t limit)
{
	sqlite3_stmt *s = sqlite_store_stmt(
		st, "SELECT id, time, source, format, result, rule, message,"
		    " device_id FROM audit_log ORDER BY id DESC LIMIT ?1");

	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
	return sq_collect(st, s, sq_audit_row);
}
