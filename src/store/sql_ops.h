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
/* sql_settings.c */
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
/* pg7b */
json_t *sql_report_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sql_report_get(struct store *st, int64_t id, int *found);
json_t *sql_report_find(struct store *st, const char *key,
			const int64_t *org_ids, int norgs, int *found);
int sql_report_add(struct store *st, json_t *rep, int64_t *id, int *dup);
int sql_report_delete(struct store *st, int64_t id);
json_t *sql_task_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sql_task_get(struct store *st, int64_t id, int *found);
int sql_task_add(struct store *st, json_t *task, int64_t *id, int *dup);
int sql_task_update(struct store *st, int64_t id, json_t *task, int *dup);
int sql_task_delete(struct store *st, int64_t id);
json_t *sql_task_due(struct store *st, const char *now);
int sql_task_finish(struct store *st, int64_t id, const char *last_run,
		    const char *status, const char *result,
		    const char *next_run);
int sql_task_claim(struct store *st, int64_t id, const char *now, int lease_s);
int sql_task_set_next(struct store *st, int64_t id, const char *next_run);
char *sql_user_source(struct store *st, const char *name);
int sql_user_external_put(struct store *st, const char *name,
			  const char *source, const char *role, int64_t org_id,
			  const char *full_name, const char *email,
			  int *conflict);
int sql_user_external_disable(struct store *st, const char *name,
			      const char *source);
int sql_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
	      int norgs, json_t **counts);
json_t *sql_discodef_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sql_discodef_get(struct store *st, int64_t id, int *found);
int sql_discodef_find(struct store *st, int64_t org_id, const char *name,
		      int64_t *id);
int sql_discodef_add(struct store *st, json_t *def, int64_t *id);
int sql_discodef_update(struct store *st, int64_t id, json_t *def);
int sql_discodef_delete(struct store *st, int64_t id);
int sql_discorun_queue(struct store *st, int64_t discovery_id, int64_t *run_id);
int sql_discorun_active(struct store *st, int64_t discovery_id,
			int64_t *run_id);
int sql_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
		       int64_t *discovery_id);
int sql_discorun_renew(struct store *st, int64_t run_id, int lease_s);
int sql_discorun_claim_for(struct store *st, int64_t collector_id,
			   int64_t *run_id, int64_t *discovery_id);
int sql_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			  int64_t done, int64_t alive, int64_t packets);
int sql_discorun_interrupt_all(struct store *st, int64_t *n);
int sql_discorun_mark(struct store *st, int64_t run_id, const char *state,
		      const char *message);
int sql_discorun_cancel_queued(struct store *st, int64_t run_id, int *changed);
int sql_discorun_state(struct store *st, int64_t run_id, int64_t *discovery_id,
		       char state[16]);
json_t *sql_discorun_stages(struct store *st, int64_t run_id);
json_t *sql_discorun_count_states(struct store *st);
int sql_discovery_run_start(struct store *st, int64_t discovery_id,
			    int64_t total, int64_t *run_id);
int sql_discovery_run_finish(struct store *st, int64_t run_id,
			     const char *state,
			     const struct store_discovery_counts *c,
			     const char *message);
int sql_discovery_log_add(struct store *st, int64_t run_id,
			  const struct store_discovery_log *rows, size_t n);
json_t *sql_discovery_run_list(struct store *st, int64_t limit);
json_t *sql_discovery_log_list(struct store *st, int64_t run_id);
int sql_collector_register(struct store *st,
			   const struct store_collector_reg *r, int64_t *id,
			   int64_t *interrupted);
int sql_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			   int *enabled);
int sql_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
		       int64_t spool_dropped);
json_t *sql_collector_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sql_collector_get(struct store *st, int64_t id, int *found);
int sql_collector_find(struct store *st, const char *s, int64_t *id);
int sql_collector_update(struct store *st, int64_t id, json_t *fields);
int sql_collector_delete(struct store *st, int64_t id);
int sql_collector_run(struct store *st, int64_t id, int64_t run_id,
		      int64_t *org_id, char state[16]);
int sql_collector_run_cancel(struct store *st, int64_t run_id, int *changed);
int sql_collector_item_seen(struct store *st, const char *item_id);
int sql_collector_item_add(struct store *st, const char *item_id,
			   int64_t run_id, const char *kind, int64_t device_id);
int sql_collector_run_reports(struct store *st, int64_t run_id, int64_t *n);
/* sql_search.c, sql_network.c, sql_attach.c */
json_t *sql_search(struct store *st, const struct store_search *s);
json_t *sql_search_plans(struct store *st);
json_t *sql_stats_network(struct store *st, const int64_t *org_ids, int norgs,
			  const char *ip_prefix, int64_t limit);
json_t *sql_device_attachment(struct store *st, int64_t id);
json_t *sql_ssh_host_map(struct store *st, int64_t org_id);
int sql_ssh_host_set(struct store *st, const struct store_ssh_host *h);

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
	/* pg7b */ \
	.report_list = sql_report_list, \
	.report_get = sql_report_get, \
	.report_find = sql_report_find, \
	.report_add = sql_report_add, \
	.report_delete = sql_report_delete, \
	.task_list = sql_task_list, \
	.task_get = sql_task_get, \
	.task_add = sql_task_add, \
	.task_update = sql_task_update, \
	.task_delete = sql_task_delete, \
	.task_due = sql_task_due, \
	.task_finish = sql_task_finish, \
	.task_claim = sql_task_claim, \
	.task_set_next = sql_task_set_next, \
	.user_source = sql_user_source, \
	.user_external_put = sql_user_external_put, \
	.user_external_disable = sql_user_external_disable, \
	.purge = sql_purge, \
	.discodef_list = sql_discodef_list, \
	.discodef_get = sql_discodef_get, \
	.discodef_find = sql_discodef_find, \
	.discodef_add = sql_discodef_add, \
	.discodef_update = sql_discodef_update, \
	.discodef_delete = sql_discodef_delete, \
	.discorun_queue = sql_discorun_queue, \
	.discorun_active = sql_discorun_active, \
	.discorun_claim = sql_discorun_claim, \
	.discorun_renew = sql_discorun_renew, \
	.discorun_claim_for = sql_discorun_claim_for, \
	.discorun_progress = sql_discorun_progress, \
	.discorun_interrupt_all = sql_discorun_interrupt_all, \
	.discorun_mark = sql_discorun_mark, \
	.discorun_cancel_queued = sql_discorun_cancel_queued, \
	.discorun_state = sql_discorun_state, \
	.discorun_stages = sql_discorun_stages, \
	.discorun_count_states = sql_discorun_count_states, \
	.discovery_run_start = sql_discovery_run_start, \
	.discovery_run_finish = sql_discovery_run_finish, \
	.discovery_log_add = sql_discovery_log_add, \
	.discovery_run_list = sql_discovery_run_list, \
	.discovery_log_list = sql_discovery_log_list, \
	.collector_register = sql_collector_register, \
	.collector_by_token = sql_collector_by_token, \
	.collector_seen = sql_collector_seen, \
	.collector_list = sql_collector_list, \
	.collector_get = sql_collector_get, \
	.collector_find = sql_collector_find, \
	.collector_update = sql_collector_update, \
	.collector_delete = sql_collector_delete, \
	.collector_run = sql_collector_run, \
	.collector_run_cancel = sql_collector_run_cancel, \
	.collector_item_seen = sql_collector_item_seen, \
	.collector_item_add = sql_collector_item_add, \
	.collector_run_reports = sql_collector_run_reports, \
	.ssh_host_map = sql_ssh_host_map, \
	.ssh_host_set = sql_ssh_host_set, \
	.search = sql_search, \
	.search_plans = sql_search_plans, \
	.stats_network = sql_stats_network, \
	.device_attachment = sql_device_attachment
/* clang-format on */

#endif
