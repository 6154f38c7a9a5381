/*
 * copy: a whole store copied into another, SQLite to PostgreSQL or back
 * (`netcensus admin db copy`), and the per-table digest that verifies it.
 *
 * Every table of the schema is copied in the order of the migrations
 * that made it (a table that others reference first: collector before
 * the discovery tables), every column by name, ids as they are; on
 * PostgreSQL each id sequence is then set past the highest id, so new
 * rows never collide. Secrets are copied as stored: still encrypted, so
 * the target needs the source's key file. The target is written in one
 * transaction and verified inside it before the commit: the rows and
 * digest of each table read back from the target must equal the source's,
 * else nothing is stored.
 *
 * A table's digest is BLAKE2b (libsodium) over its rows in primary-key
 * order, each column named and its value in a canonical text that both
 * engines give alike: JSON documents re-encoded with sorted keys (jsonb
 * keeps its own key order and spacing), real numbers to 15 significant
 * digits (SQLite's text of a REAL), everything else as stored.
 */
#ifndef NC_STORE_COPY_H
#define NC_STORE_COPY_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* Called after each table, and every 50,000 rows of a long one. */
typedef void (*store_copy_progress)(const char *table, int64_t rows, int done);

/* Copies every table of from into to (both open, at the same schema
 * version). to must hold nothing but what a new database ships with (the
 * Default org, the built-in reports) unless force is set: then what it
 * holds is replaced. 0 with *report = {"tables": [{"table", "rows",
 * "checksum"}], "rows"}; -2 when to is not empty (force unset); -1 on any
 * other failure (logged; nothing stored in to). */
int store_copy(struct store *from, struct store *to, int force,
	       store_copy_progress progress, json_t **report);

/* The digest of every table of st, as store_copy() reports it; NULL on
 * error (logged). */
json_t *store_digest(struct store *st);

#endif
