/*
 * sqlite_ops: the SQLite back end's table of operations (backend.h).
 */
#include "store/sql_ops.h"
#include "store/sqlite_int.h"

const struct store_ops sqlite_store_ops = {
	.name = "SQLite",
	.open = sqlite_open,
	.close = sqlite_close,
	.stmt = sqlite_stmt,
	.key = sqlite_store_key,
	.dialect = &sqlite_dialect,
	.read_begin = sqlite_read_begin,
	.read_end = sqlite_read_end,
	.data_version = sqlite_data_version,
	SQL_OPS,
	.set_wait = sqlite_set_wait,
	.interrupt = sqlite_interrupt,
	.db_version = sqlite_db_version,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.batch_begin = sqlite_batch_begin,
	.batch_commit = sqlite_batch_commit,
	.batch_rollback = sqlite_batch_rollback,
	.check = sqlite_check,
	.api_tune = sqlite_api_tune,
};
