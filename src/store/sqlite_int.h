/*
 * sqlite_int: the SQLite back end's private handle, shared by the files
 * that implement store.h on SQLite (sqlite.c: open, migrations, devices,
 * components, change and audit logs; sqlite_admin.c: orgs, users, tokens,
 * credentials). Nothing outside src/store/ includes this.
 *
 * Prepared statements are cached in the handle by their SQL text
 * (sqlite_store_stmt), so the intake path prepares each statement once per
 * open database instead of once per row.
 */
#ifndef NC_SQLITE_INT_H
#define NC_SQLITE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>

#include "store/db.h"
#include "store/secret.h"
#include "store/sqlite_ops.h"

/* Distinct SQL texts the cache holds; past it the least recently used
 * statement is replaced (the API's SQL is built per request). */
#define SQLITE_STMT_CACHE 192
/* The org bound to ?1 and its descendants as the CTE t(id); the rows of
 * a device d are in the tree when "?1 = 0 OR d.org_id IN (SELECT id FROM
 * t)" (SQLITE_IN_ORG_TREE; 0 means every org). */
#define SQLITE_ORG_TREE                                                        \
	"WITH RECURSIVE t(id) AS (SELECT id FROM org WHERE id = ?1"            \
	" UNION SELECT org.id FROM org JOIN t ON org.parent_id = t.id) "
#define SQLITE_IN_ORG_TREE "(?1 = 0 OR d.org_id IN (SELECT id FROM t))"

/* A cached statement as the statement helper (db.h) sees it. */
struct sqlite_db_stmt {
	struct db_stmt base; /* first */
	struct sqlite_store *sq;
	sqlite3_stmt *stmt;
};

struct sqlite_stmt_slot {
	char *sql;
	struct sqlite_db_stmt dbs; /* dbs.stmt: the prepared statement */
	unsigned long used;	   /* the handle's stmt_tick at its last use */
};

/* One database file as this process sees it: SQLite lets one connection
 * write at a time, so the handles of a process on the same file take
 * turns here (sqlite.c, "writers") instead of polling each other. */
struct sqlite_file;

/* The SQLite handle: a struct store (backend.h) and its connection. */
struct sqlite_store {
	struct store base; /* first: a struct store * points here */
	sqlite3 *db;
	char *path;		/* database file */
	char *key_path;		/* PATH.key */
	struct secret_key *key; /* opened by store_open (sqlite_store_key) */
	int in_tx;
	int in_batch; /* store_batch_begin(): transactions are savepoints */
	atomic_int interrupted; /* store_interrupt(): stop waiting for locks */
	int nowait;		/* store_set_wait(st, 0) */
	struct sqlite_file *file; /* the writer turn of its database file */
	int writing;		  /* holds the file's writer turn */
	struct sqlite_stmt_slot stmts[SQLITE_STMT_CACHE];
	int nstmts;
	unsigned long stmt_tick; /* the cache's clock (least recently used) */
};

/* The SQLite handle behind st (which the SQLite back end opened). */
static inline struct sqlite_store *sqlite_of(struct store *st)
{
	return (struct sqlite_store *)st;
}

/* The secret key for st, opening (or creating) the key file on first use.
 * NULL on failure (reason logged). */
struct secret_key *sqlite_store_key(struct store *st);

/* A cached statement for sql, reset and with its bindings cleared; call
 * sqlite3_reset() when done with it. NULL on failure (reason logged). */
sqlite3_stmt *sqlite_store_stmt(struct store *st, const char *sql);

/* The statement helper's engine on SQLite (sqlite.c). */
extern const struct db_engine sqlite_db_engine;

/* The statement helper's statement for sql (db.h), from the same cache;
 * the SQLite back end's stmt operation. */
struct db_stmt *sqlite_stmt(struct store *st, const char *sql);

/* Registers ip_key(text) on db (sqlite.c): a sort key that orders
 * addresses as numbers. 0 or -1. */
int sqlite_ip_key_register(sqlite3 *db);

/* The SQL SQLite writes its own way (db.h), and the read snapshot and
 * data version of the API's lists (backend.h). */
extern const struct db_dialect sqlite_dialect;
int sqlite_read_begin(struct store *st);
void sqlite_read_end(struct store *st);
uint64_t sqlite_data_version(struct store *st);

#endif
