/*
 * sql_ops: the store operations written once for every SQL engine with
 * the statement helper (db.h), named sql_ instead of store_. Both back
 * ends' tables (sqlite_ops.c, pg.c) point at them; everyone else calls
 * store_*().
 */
#ifndef NC_SQL_OPS_H
#define NC_SQL_OPS_H

#include "store/backend.h"
#include "store/store_api.h"

json_t *sql_counts(struct store *st);
int sql_org_find(struct store *st, const char *name, int64_t *id);
int sql_device_find(struct store *st, const char *const *fields,
		    const char *const *values, int n, int64_t *id);
int sql_match_fields(struct store *st, int64_t org_id,
		     const char *const *fields, const char *const *values,
		     int nfields, int64_t *ids, int max, int *n);
int sql_match_mac(struct store *st, int64_t org_id, const char *mac,
		  int64_t *ids, int max, int *n);
int sql_match_ip(struct store *st, int64_t org_id, const char *ip, int64_t *ids,
		 int max, int *n);
json_t *sql_device_get(struct store *st, int64_t id);
json_t *sql_device_list(struct store *st, int64_t limit, int64_t offset);
int sql_device_insert(struct store *st, int64_t org_id, json_t *sys,
		      const char *now, int64_t *id);
int sql_device_update(struct store *st, int64_t id, json_t *sys,
		      const char *now);
int sql_device_delete(struct store *st, int64_t id);
json_t *sql_component_list(struct store *st, int64_t device_id,
			   const char *section, int current_only);
json_t *sql_component_sections(struct store *st, int64_t device_id);
int sql_component_insert(struct store *st, int64_t device_id,
			 const char *section, const char *key, json_t *data,
			 const char *now);
int sql_component_update(struct store *st, int64_t component_id, json_t *data,
			 const char *now);
int sql_component_retire(struct store *st, int64_t component_id);
int sql_component_touch(struct store *st, int64_t device_id,
			const char *section, const char *now);
int sql_change_add(struct store *st, int64_t device_id, const char *section,
		   const char *action, const char *key, json_t *detail,
		   const char *now);
json_t *sql_change_list(struct store *st, int64_t device_id, int64_t limit);
int sql_audit_add(struct store *st, const struct store_audit *a,
		  const char *now);
int sql_audit_add_id(struct store *st, const struct store_audit *a,
		     const char *now, int64_t *id);
int sql_audit_set_message(struct store *st, int64_t id, const char *message);
json_t *sql_audit_list(struct store *st, int64_t limit);
/* sql_admin.c */
int sql_org_add(struct store *st, const char *name, int64_t parent_id,
		int64_t *id);
json_t *sql_org_list(struct store *st);
int sql_org_is_root(struct store *st, int64_t org_id);
int sql_user_add(struct store *st, const char *name, const char *role,
		 int64_t org_id, const char *password);
int sql_user_set_password(struct store *st, const char *name,
			  const char *password);
int sql_user_password_stamp(struct store *st, const char *name, char stamp[65]);
int sql_user_verify(struct store *st, const char *name, const char *password);
json_t *sql_user_list(struct store *st);
json_t *sql_user_get(struct store *st, const char *name);
int sql_token_create(struct store *st, const char *user, const char *label,
		     char **token);
char *sql_token_user(struct store *st, const char *token);
int sql_token_revoke(struct store *st, int64_t id);
json_t *sql_token_list(struct store *st);
int sql_credential_add(struct store *st, json_t *cred, int64_t *id);
int sql_credential_update(struct store *st, int64_t id, json_t *cred);
json_t *sql_credential_list(struct store *st);
json_t *sql_credential_get_secret(struct store *st, int64_t id);
int sql_credential_delete(struct store *st, int64_t id);

/* sql_api.c */
json_t *sql_api_list(struct store *st, enum store_api_res res,
		     const struct store_query *q, int64_t *count);
int sql_api_list_json(struct store *st, enum store_api_res res,
		      const struct store_query *q, int64_t *count,
		      struct strbuf *out);
json_t *sql_api_org_tree(struct store *st, int64_t org_id);
int sql_api_org_count(struct store *st, int64_t *n);
json_t *sql_api_org_get(struct store *st, int64_t id, int *found);
json_t *sql_api_user_get(struct store *st, const char *name);
json_t *sql_api_user_get_id(struct store *st, int64_t id);
int sql_api_user_count(struct store *st, int64_t *n);
json_t *sql_api_user_list(struct store *st, const int64_t *org_ids, int norgs);
int sql_api_user_touch_login(struct store *st, int64_t id, const char *now);
int sql_api_user_delete(struct store *st, int64_t id);
json_t *sql_api_token_list(struct store *st, int64_t user_id,
			   const int64_t *org_ids, int norgs);
int sql_api_token_owner(struct store *st, int64_t id, int64_t *user_id,
			int64_t *org_id);
char *sql_api_token_check(struct store *st, const char *token,
			  int64_t *token_id);
int sql_api_token_touch(struct store *st, int64_t token_id, const char *now);
int sql_api_device_org(struct store *st, int64_t id, int64_t *org_id);
int sql_api_device_patch(struct store *st, int64_t id, json_t *fields,
			 const char **bad_field);
/* sql_locations.c */
json_t *sql_location_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sql_location_get(struct store *st, int64_t id, const int64_t *org_ids,
			 int norgs, int *found);
int sql_location_find(struct store *st, int64_t org_id, const char *name,
		      int64_t *id);
int sql_location_add(struct store *st, json_t *loc, int64_t *id);
int sql_location_update(struct store *st, int64_t id, json_t *fields);
int sql_location_delete(struct store *st, int64_t id);
/* sql_stats.c */
json_t *sql_stats_summary(struct store *st, const int64_t *org_ids, int norgs,
			  const char *since);
json_t *sql_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
		       int64_t limit, int64_t offset, int64_t *count);
json_t *sql_stats_run_get(struct store *st, const int64_t *org_ids, int norgs,
			  int64_t id, int *found);
json_t *sql_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			  int64_t offset, int64_t *count);
/* sql_settings.c (their SQLite versions in sqlite_sched.c are unused now) */
json_t *sql_setting_get(struct store *st, const char *name);
int sql_setting_put(struct store *st, const char *name, json_t *value,
		    const char *const *secret_fields);
char *sql_setting_secret(struct store *st, const char *name, const char *field);
json_t *sql_auth_source_list(struct store *st, int enabled_only);
json_t *sql_auth_source_get(struct store *st, int64_t id, int *found);
int sql_auth_source_put(struct store *st, json_t *src, const char *origin,
			int64_t *id);
int sql_auth_source_delete(struct store *st, int64_t id);
char *sql_auth_source_password(struct store *st, int64_t id);
int sql_user_external_put(struct store *st, const char *name,
			  const char *source, const char *role, int64_t org_id,
			  const char *full_name, const char *email,
			  int *conflict);
int sql_user_external_disable(struct store *st, const char *name,
			      const char *source);
char *sql_user_source(struct store *st, const char *name);

/* The members of struct store_ops these fill, for every SQL back end's
 * table (sqlite_ops.c, pg.c): an operation ported to the statement helper
 * moves here, and both engines have it. */
/* clang-format off */
#define SQL_OPS \
	.counts = sql_counts, \
	.org_find = sql_org_find, \
	.device_find = sql_device_find, \
	.match_fields = sql_match_fields, \
	.match_mac = sql_match_mac, \
	.match_ip = sql_match_ip, \
	.device_get = sql_device_get, \
	.device_list = sql_device_list, \
	.device_insert = sql_device_insert, \
	.device_update = sql_device_update, \
	.device_delete = sql_device_delete, \
	.component_list = sql_component_list, \
	.component_sections = sql_component_sections, \
	.component_insert = sql_component_insert, \
	.component_update = sql_component_update, \
	.component_retire = sql_component_retire, \
	.component_touch = sql_component_touch, \
	.change_add = sql_change_add, \
	.change_list = sql_change_list, \
	.audit_add = sql_audit_add, \
	.audit_add_id = sql_audit_add_id, \
	.audit_set_message = sql_audit_set_message, \
	.audit_list = sql_audit_list, \
	.org_add = sql_org_add, \
	.org_list = sql_org_list, \
	.org_is_root = sql_org_is_root, \
	.user_add = sql_user_add, \
	.user_set_password = sql_user_set_password, \
	.user_password_stamp = sql_user_password_stamp, \
	.user_verify = sql_user_verify, \
	.user_list = sql_user_list, \
	.user_get = sql_user_get, \
	.token_create = sql_token_create, \
	.token_user = sql_token_user, \
	.token_revoke = sql_token_revoke, \
	.token_list = sql_token_list, \
	.credential_add = sql_credential_add, \
	.credential_update = sql_credential_update, \
	.credential_list = sql_credential_list, \
	.credential_get_secret = sql_credential_get_secret, \
	.credential_delete = sql_credential_delete, \
	.api_list = sql_api_list, \
	.api_list_json = sql_api_list_json, \
	.api_org_tree = sql_api_org_tree, \
	.api_org_count = sql_api_org_count, \
	.api_org_get = sql_api_org_get, \
	.api_user_get = sql_api_user_get, \
	.api_user_get_id = sql_api_user_get_id, \
	.api_user_count = sql_api_user_count, \
	.api_user_list = sql_api_user_list, \
	.api_user_touch_login = sql_api_user_touch_login, \
	.api_user_delete = sql_api_user_delete, \
	.api_token_list = sql_api_token_list, \
	.api_token_owner = sql_api_token_owner, \
	.api_token_check = sql_api_token_check, \
	.api_token_touch = sql_api_token_touch, \
	.api_device_org = sql_api_device_org, \
	.api_device_patch = sql_api_device_patch, \
	.location_list = sql_location_list, \
	.location_get = sql_location_get, \
	.location_find = sql_location_find, \
	.location_add = sql_location_add, \
	.location_update = sql_location_update, \
	.location_delete = sql_location_delete, \
	.stats_summary = sql_stats_summary, \
	.stats_runs = sql_stats_runs, \
	.stats_run_get = sql_stats_run_get, \
	.stats_run_log = sql_stats_run_log, \
	.setting_get = sql_setting_get, \
	.setting_put = sql_setting_put, \
	.setting_secret = sql_setting_secret, \
	.auth_source_list = sql_auth_source_list, \
	.auth_source_get = sql_auth_source_get, \
	.auth_source_put = sql_auth_source_put, \
	.auth_source_delete = sql_auth_source_delete, \
	.auth_source_password = sql_auth_source_password, \
	.user_external_put = sql_user_external_put, \
	.user_external_disable = sql_user_external_disable, \
	.user_source = sql_user_source
/* clang-format on */

#endif
