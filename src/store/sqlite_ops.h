/*
 * sqlite_ops: the SQLite back end's implementations of the store
 * operations (struct store_ops in backend.h), one per public function of
 * the store_*.h headers, named sqlite_ instead of store_. Only
 * sqlite_ops.c's table calls them; everyone else calls store_*().
 */
#ifndef NC_SQLITE_OPS_H
#define NC_SQLITE_OPS_H

#include "store/backend.h"

/* 0 when st is a SQLite handle; else logs "not yet on <back end>: fn"
 * and returns -1. The store functions that are not yet operations of
 * struct store_ops (custom fields, preferences, ...) start with it, so
 * that another back end's handle is refused instead of misread. */
int sqlite_only(struct store *st, const char *fn);

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
int sqlite_org_add(struct store *st, const char *name, int64_t parent_id,
		   int64_t *id);
json_t *sqlite_org_list(struct store *st);
int sqlite_org_is_root(struct store *st, int64_t org_id);
int sqlite_user_add(struct store *st, const char *name, const char *role,
		    int64_t org_id, const char *password);
int sqlite_user_set_password(struct store *st, const char *name,
			     const char *password);
int sqlite_user_password_stamp(struct store *st, const char *name,
			       char stamp[65]);
int sqlite_user_verify(struct store *st, const char *name,
		       const char *password);
json_t *sqlite_user_list(struct store *st);
json_t *sqlite_user_get(struct store *st, const char *name);
int sqlite_token_create(struct store *st, const char *user, const char *label,
			char **token);
char *sqlite_token_user(struct store *st, const char *token);
int sqlite_token_revoke(struct store *st, int64_t id);
json_t *sqlite_token_list(struct store *st);
int sqlite_credential_add(struct store *st, json_t *cred, int64_t *id);
int sqlite_credential_update(struct store *st, int64_t id, json_t *cred);
json_t *sqlite_credential_list(struct store *st);
json_t *sqlite_credential_get_secret(struct store *st, int64_t id);
int sqlite_credential_delete(struct store *st, int64_t id);
json_t *sqlite_api_list(struct store *st, enum store_api_res res,
			const struct store_query *q, int64_t *count);
int sqlite_api_list_json(struct store *st, enum store_api_res res,
			 const struct store_query *q, int64_t *count,
			 struct strbuf *out);
int sqlite_api_tune(struct store *st);
json_t *sqlite_api_org_tree(struct store *st, int64_t org_id);
int sqlite_api_org_count(struct store *st, int64_t *n);
json_t *sqlite_api_org_get(struct store *st, int64_t id, int *found);
json_t *sqlite_api_user_get(struct store *st, const char *name);
json_t *sqlite_api_user_get_id(struct store *st, int64_t id);
int sqlite_api_user_count(struct store *st, int64_t *n);
json_t *sqlite_api_user_list(struct store *st, const int64_t *org_ids,
			     int norgs);
int sqlite_api_user_touch_login(struct store *st, int64_t id, const char *now);
int sqlite_api_user_delete(struct store *st, int64_t id);
json_t *sqlite_api_token_list(struct store *st, int64_t user_id,
			      const int64_t *org_ids, int norgs);
int sqlite_api_token_owner(struct store *st, int64_t id, int64_t *user_id,
			   int64_t *org_id);
char *sqlite_api_token_check(struct store *st, const char *token,
			     int64_t *token_id);
int sqlite_api_token_touch(struct store *st, int64_t token_id, const char *now);
int sqlite_api_device_org(struct store *st, int64_t id, int64_t *org_id);
int sqlite_api_device_patch(struct store *st, int64_t id, json_t *fields,
			    const char **bad_field);
json_t *sqlite_device_attachment(struct store *st, int64_t id);
json_t *sqlite_location_list(struct store *st, const int64_t *org_ids,
			     int norgs);
json_t *sqlite_location_get(struct store *st, int64_t id,
			    const int64_t *org_ids, int norgs, int *found);
int sqlite_location_find(struct store *st, int64_t org_id, const char *name,
			 int64_t *id);
int sqlite_location_add(struct store *st, json_t *loc, int64_t *id);
int sqlite_location_update(struct store *st, int64_t id, json_t *fields);
int sqlite_location_delete(struct store *st, int64_t id);
json_t *sqlite_setting_get(struct store *st, const char *name);
int sqlite_setting_put(struct store *st, const char *name, json_t *value,
		       const char *const *secret_fields);
char *sqlite_setting_secret(struct store *st, const char *name,
			    const char *field);
json_t *sqlite_auth_source_list(struct store *st, int enabled_only);
json_t *sqlite_auth_source_get(struct store *st, int64_t id, int *found);
int sqlite_auth_source_put(struct store *st, json_t *src, const char *origin,
			   int64_t *id);
int sqlite_auth_source_delete(struct store *st, int64_t id);
char *sqlite_auth_source_password(struct store *st, int64_t id);
json_t *sqlite_search(struct store *st, const struct store_search *s);
json_t *sqlite_search_plans(struct store *st);
json_t *sqlite_stats_summary(struct store *st, const int64_t *org_ids,
			     int norgs, const char *since);
json_t *sqlite_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
			  int64_t limit, int64_t offset, int64_t *count);
json_t *sqlite_stats_run_get(struct store *st, const int64_t *org_ids,
			     int norgs, int64_t id, int *found);
json_t *sqlite_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			     int64_t offset, int64_t *count);
json_t *sqlite_stats_network(struct store *st, const int64_t *org_ids,
			     int norgs, const char *ip_prefix, int64_t limit);

#endif
