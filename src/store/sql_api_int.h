/*
 * sql_api_int: the small query helpers of sql_api.c, shared with the
 * other files behind the API (locations, custom fields, search, UI
 * preferences, collectors, discovery definitions), on every SQL engine.
 * SQL passed in is constant text with "?" placeholders in the common
 * subset of db.h; params is a JSON array bound in order (integers, reals,
 * strings; null binds NULL). Rows come back as objects named by the
 * result columns (a real as a JSON real, an integer as an integer, NULL
 * as null). Nothing outside src/store/ includes this.
 */
#ifndef NC_SQL_API_INT_H
#define NC_SQL_API_INT_H

#include <stdint.h>
#include <jansson.h>

#include "core/util.h"
#include "store/store.h"

/* Every row of sql; params is borrowed. NULL on error (logged). */
json_t *sql_api_rows(struct store *st, const char *sql, json_t *params);
/* The first row, or NULL (*found says whether there was one; an error
 * logs). params is consumed. */
json_t *sql_api_row(struct store *st, const char *sql, json_t *params,
		    int *found);
/* Runs a statement without rows; params is consumed. 0 or -1. */
int sql_api_exec(struct store *st, const char *sql, json_t *params);
/* The one integer sql answers (0 when no row); params is borrowed and may
 * be NULL. 0 or -1. */
int sql_api_scalar(struct store *st, const char *sql, json_t *params,
		   int64_t *out);
/* value with LIKE's wildcards escaped by '\', between pre and post: a
 * string to bind for "LIKE ? ESCAPE '\'". */
json_t *sql_api_like_value(const char *pre, const char *value,
			   const char *post);
/* Appends "GLUE col IN (?,...)" for org_ids (nothing when org_ids is
 * NULL: every org), the ids to params. */
void sql_api_org_in(struct strbuf *sb, const char *glue, const char *col,
		    const int64_t *org_ids, int norgs, json_t *params);
/* The rows of select (a SELECT whose last condition is "x = ?", bound to
 * id) whose col is in org_ids (every org when org_ids is NULL); NULL on
 * failure (logged). */
json_t *sql_api_org_id_rows(struct store *st, const char *select,
			    const char *col, const int64_t *org_ids, int norgs,
			    int64_t id);
/* The rows of select (a SELECT ending in a WHERE clause) whose col is in
 * org_ids (every org when org_ids is NULL), in the order "ORDER BY order",
 * each passed to shape; NULL on failure (logged). The org-scoped lists
 * (collectors, discovery definitions) are this one call. */
json_t *sql_api_org_rows(struct store *st, const char *select, const char *col,
			 const int64_t *org_ids, int norgs, const char *order,
			 void (*shape)(json_t *row));

#endif
