/*
 * store_api: the store queries the HTTP API needs beyond store.h —
 * filtered, ordered and paged lists, users and tokens with their orgs, the
 * org tree, device user-field edits.
 *
 * A list request arrives as a struct store_query: conditions (field,
 * lookup, value) and orderings that the API has already checked with
 * store_api_field_type(). The back end maps every field name through its
 * own fixed table of columns, so SQL is only ever built from those
 * constant column names plus "?" placeholders; values are always bound.
 * Conditions on the same field and lookup are OR'ed for the positive
 * lookups (hostname=a&hostname=b) and AND'ed for the negative ones
 * (__n, __nic); different fields are AND'ed. A query with org_ids set only
 * sees rows whose org is in that list (the caller's org tree).
 *
 * jansson values returned are new references owned by the caller; strings
 * in a struct store_query are owned by it (store_query_free()). Functions
 * return 0 / -1 (or NULL) and log the reason once.
 */
#ifndef NC_STORE_API_H
#define NC_STORE_API_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

#define STORE_QUERY_MAX_CONDS 32
#define STORE_QUERY_MAX_ORDER 4
#define STORE_QUERY_FIELD_MAX 48   /* longest field name */
#define STORE_QUERY_VALUE_MAX 1024 /* longest filter value */

enum store_api_res {
	STORE_API_DEVICES = 0,
	STORE_API_CHANGES,
	STORE_API_AUDIT,
	STORE_API_COMPONENTS, /* component rows with their device's hostname */
	STORE_API_RES_COUNT
};

enum store_op {
	STORE_OP_EQ = 0, /* field=v         exact */
	STORE_OP_N,	 /* field__n=v      not equal (NULL counts as not) */
	STORE_OP_IE,	 /* field__ie=v     equal, case-insensitive */
	STORE_OP_IC,	 /* field__ic=v     contains, case-insensitive */
	STORE_OP_NIC,	 /* field__nic=v    does not contain */
	STORE_OP_ISW,	 /* field__isw=v    starts with, case-insensitive */
	STORE_OP_IEW,	 /* field__iew=v    ends with, case-insensitive */
	STORE_OP_GT,	 /* field__gt=v */
	STORE_OP_GTE,	 /* field__gte=v */
	STORE_OP_LT,	 /* field__lt=v */
	STORE_OP_LTE,	 /* field__lte=v */
	STORE_OP_EMPTY,	 /* field__empty=true|false  NULL or "" */
	STORE_OP_COUNT
};

enum store_field_type {
	STORE_FIELD_UNKNOWN = 0,
	STORE_FIELD_TEXT,
	STORE_FIELD_INT,
	STORE_FIELD_TIME, /* "YYYY-MM-DD HH:MM:SS" text; query.c also takes
			   * relative times ("-30d") */
};

struct store_cond {
	char field[STORE_QUERY_FIELD_MAX];
	enum store_op op;
	char *value; /* owned */
};

struct store_order {
	char field[STORE_QUERY_FIELD_MAX];
	int desc;
};

struct store_query {
	struct store_cond conds[STORE_QUERY_MAX_CONDS];
	int nconds;
	struct store_order order[STORE_QUERY_MAX_ORDER];
	int norder;
	int64_t limit; /* 0: no limit */
	int64_t offset;
	const int64_t *org_ids; /* NULL: every org; not owned */
	int norgs;
};

/* "exact", "n", "ie", "ic", ...; NULL when out of range. */
const char *store_op_name(enum store_op op);
/* The lookup called name ("" is exact), or -1. */
int store_op_from_name(const char *name);

/* Frees the condition values and zeroes q; NULL is fine. */
void store_query_free(struct store_query *q);

/* The type of a filterable field of res, STORE_FIELD_UNKNOWN when res has
 * no such field. */
enum store_field_type store_api_field_type(enum store_api_res res,
					   const char *field);
/* The field names of res, as a JSON array (for errors and openapi). */
json_t *store_api_field_names(enum store_api_res res);

/* The SQL a query runs (count = 1: the count query), with its bound values
 * appended to params (a JSON array) in order. For tests and -v output. */
char *store_api_sql(enum store_api_res res, const struct store_query *q,
		    int count, json_t *params);

/* Rows of res matching q, and in *count (may be NULL) how many rows match
 * without limit/offset. */
json_t *store_api_list(struct store *st, enum store_api_res res,
		       const struct store_query *q, int64_t *count);

/* The same rows as store_api_list() written straight into out as a JSON
 * array text (no jansson objects: the fast path of the list endpoints);
 * *count as there. 0, or -1 with out possibly holding a partial array. */
struct strbuf;
int store_api_list_json(struct store *st, enum store_api_res res,
			const struct store_query *q, int64_t *count,
			struct strbuf *out);

/* Frees what the calling thread's list calls keep (remembered counts);
 * call before a thread that used store_api_list_json() ends. */
void store_api_thread_cleanup(void);

/* Sets a busy timeout so that handles in several threads wait for each
 * other instead of failing. */
int store_api_tune(struct store *st);

/* ---- orgs ---- */
/* org_id and all its descendants, as an array of integers. */
json_t *store_api_org_tree(struct store *st, int64_t org_id);
int store_api_org_count(struct store *st, int64_t *n);
/* {"id","name","parent_id","description","created"} or NULL (logged
 * only on error; *found = 0 when absent). */
json_t *store_api_org_get(struct store *st, int64_t id, int *found);

/* ---- users ---- */
/* {"id","name","role","org_id","enabled","full_name","email","source",
 * "created","last_login"} (never the hash), or NULL when absent. */
json_t *store_api_user_get(struct store *st, const char *name);
json_t *store_api_user_get_id(struct store *st, int64_t id);
int store_api_user_count(struct store *st, int64_t *n);
/* Users in the given orgs (all when org_ids is NULL), by name. */
json_t *store_api_user_list(struct store *st, const int64_t *org_ids,
			    int norgs);
int store_api_user_touch_login(struct store *st, int64_t id, const char *now);
int store_api_user_delete(struct store *st, int64_t id);

/* ---- tokens ---- */
/* Tokens with their owner: {"id","label","prefix","created","last_used",
 * "revoked","user","user_id","org_id"}; only user's own when user_id is
 * not 0, only in org_ids when that is not NULL. */
json_t *store_api_token_list(struct store *st, int64_t user_id,
			     const int64_t *org_ids, int norgs);
/* The owner of token id: *user_id and *org_id, both 0 when absent. */
int store_api_token_owner(struct store *st, int64_t id, int64_t *user_id,
			  int64_t *org_id);

/* The user name (free()) the token belongs to, with *token_id, when the
 * token is known, not revoked and its user enabled; else NULL (logged
 * at info level). Reads only: the server records use separately. */
char *store_api_token_check(struct store *st, const char *token,
			    int64_t *token_id);
/* Sets the token's last_used. */
int store_api_token_touch(struct store *st, int64_t token_id, const char *now);

/* ---- devices ---- */
/* The org of device id, *org_id = 0 when there is no such device. */
int store_api_device_org(struct store *st, int64_t id, int64_t *org_id);
/* Sets the user-maintained fields in fields (status, owner, location,
 * tags, description; a JSON null clears one). Any other key is refused,
 * with *bad_field set to it. */
int store_api_device_patch(struct store *st, int64_t id, json_t *fields,
			   const char **bad_field);

#endif
