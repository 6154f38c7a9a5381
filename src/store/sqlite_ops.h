/*
 * sqlite_ops: the SQLite back end's implementations of the store
 * operations (struct store_ops in backend.h), one per public function of
 * the store_*.h headers, named sqlite_ instead of store_. Only
 * sqlite_ops.c's table calls them; everyone else calls store_*().
 */
#ifndef NC_SQLITE_OPS_H
#define NC_SQLITE_OPS_H

#include "store/backend.h"

struct store *sqlite_open(const char *url);
void sqlite_close(struct store *st);
void sqlite_set_wait(struct store *st, int wait);
void sqlite_interrupt(struct store *st);
int sqlite_db_version(struct store *st);
int sqlite_begin(struct store *st);
int sqlite_commit(struct store *st);
int sqlite_rollback(struct store *st);
int sqlite_batch_begin(struct store *st);
int sqlite_batch_commit(struct store *st);
void sqlite_batch_rollback(struct store *st);
int sqlite_check(struct store *st);
int sqlite_api_tune(struct store *st);

#endif
