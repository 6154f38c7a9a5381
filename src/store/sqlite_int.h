/*
 * sqlite_int: the SQLite back end's private handle, shared by the files
 * that implement store.h on SQLite (sqlite.c: open, migrations, devices,
 * components, change and audit logs; sqlite_admin.c: orgs, users, tokens,
 * credentials). Nothing outside src/store/ includes this.
 */
#ifndef NC_SQLITE_INT_H
#define NC_SQLITE_INT_H

#include <sqlite3.h>

#include "store/secret.h"

struct store {
	sqlite3 *db;
	char *path;		/* database file */
	char *key_path;		/* PATH.key */
	struct secret_key *key; /* opened lazily by sqlite_store_key() */
	int in_tx;
};

/* The secret key for st, opening (or creating) the key file on first use.
 * NULL on failure (reason logged). */
struct secret_key *sqlite_store_key(struct store *st);

#endif
