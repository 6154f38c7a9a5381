/*
 * sqlite_api_int: the old names of sql_api_int.h's helpers, for the SQLite
 * files not ported to the statement helper yet (collectors, discovery
 * definitions, schedules). They are engine-neutral now; a file that moves
 * to sql_*.c calls sql_api_*() directly, and this header goes when the
 * last one has.
 */
#ifndef NC_SQLITE_API_INT_H
#define NC_SQLITE_API_INT_H

#include "store/sql_api_int.h"
#include "store/sqlite_ops.h"

static inline json_t *sqlite_api_rows(struct store *st, const char *sql,
				      json_t *params)
{
	return sql_api_rows(st, sql, params);
}

static inline json_t *sqlite_api_row(struct store *st, const char *sql,
				     json_t *params, int *found)
{
	return sql_api_row(st, sql, params, found);
}

static inline int sqlite_api_exec(struct store *st, const char *sql,
				  json_t *params)
{
	return sql_api_exec(st, sql, params);
}

static inline int sqlite_api_scalar(struct store *st, const char *sql,
				    json_t *params, int64_t *out)
{
	return sql_api_scalar(st, sql, params, out);
}

static inline json_t *sqlite_api_like_value(const char *pre, const char *value,
					    const char *post)
{
	return sql_api_like_value(pre, value, post);
}

static inline void sqlite_api_org_in(struct strbuf *sb, const char *glue,
				     const char *col, const int64_t *org_ids,
				     int norgs, json_t *params)
{
	sql_api_org_in(sb, glue, col, org_ids, norgs, params);
}

static inline json_t *sqlite_api_org_rows(struct store *st, const char *select,
					  const char *col,
					  const int64_t *org_ids, int norgs,
					  const char *order,
					  void (*shape)(json_t *row))
{
	return sql_api_org_rows(st, select, col, org_ids, norgs, order, shape);
}

#endif
