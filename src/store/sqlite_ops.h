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
int sqlite_api_tune(struct store *st);
json_t *sqlite_device_attachment(struct store *st, int64_t id);
int sqlite_collector_register(struct store *st,
			      const struct store_collector_reg *r, int64_t *id,
			      int64_t *interrupted);
int sqlite_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			      int *enabled);
int sqlite_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
			  int64_t spool_dropped);
json_t *sqlite_collector_list(struct store *st, const int64_t *org_ids,
			      int norgs);
json_t *sqlite_collector_get(struct store *st, int64_t id, int *found);
int sqlite_collector_find(struct store *st, const char *s, int64_t *id);
int sqlite_collector_update(struct store *st, int64_t id, json_t *fields);
int sqlite_collector_delete(struct store *st, int64_t id);
int sqlite_collector_run(struct store *st, int64_t id, int64_t run_id,
			 int64_t *org_id, char state[16]);
int sqlite_collector_run_cancel(struct store *st, int64_t run_id, int *changed);
int sqlite_collector_item_seen(struct store *st, const char *item_id);
int sqlite_collector_item_add(struct store *st, const char *item_id,
			      int64_t run_id, const char *kind,
			      int64_t device_id);
int sqlite_collector_run_reports(struct store *st, int64_t run_id, int64_t *n);
json_t *sqlite_discodef_list(struct store *st, const int64_t *org_ids,
			     int norgs);
json_t *sqlite_discodef_get(struct store *st, int64_t id, int *found);
int sqlite_discodef_find(struct store *st, int64_t org_id, const char *name,
			 int64_t *id);
int sqlite_discodef_add(struct store *st, json_t *def, int64_t *id);
int sqlite_discodef_update(struct store *st, int64_t id, json_t *def);
int sqlite_discodef_delete(struct store *st, int64_t id);
int sqlite_discorun_queue(struct store *st, int64_t discovery_id,
			  int64_t *run_id);
int sqlite_discorun_active(struct store *st, int64_t discovery_id,
			   int64_t *run_id);
int sqlite_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
			  int64_t *discovery_id);
int sqlite_discorun_renew(struct store *st, int64_t run_id, int lease_s);
int sqlite_discorun_claim_for(struct store *st, int64_t collector_id,
			      int64_t *run_id, int64_t *discovery_id);
int sqlite_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			     int64_t done, int64_t alive, int64_t packets);
int sqlite_discorun_interrupt_all(struct store *st, int64_t *n);
int sqlite_discorun_mark(struct store *st, int64_t run_id, const char *state,
			 const char *message);
int sqlite_discorun_cancel_queued(struct store *st, int64_t run_id,
				  int *changed);
int sqlite_discorun_state(struct store *st, int64_t run_id,
			  int64_t *discovery_id, char state[16]);
json_t *sqlite_discorun_stages(struct store *st, int64_t run_id);
json_t *sqlite_discorun_count_states(struct store *st);
int sqlite_discovery_run_start(struct store *st, int64_t discovery_id,
			       int64_t total, int64_t *run_id);
int sqlite_discovery_run_finish(struct store *st, int64_t run_id,
				const char *state,
				const struct store_discovery_counts *c,
				const char *message);
int sqlite_discovery_log_add(struct store *st, int64_t run_id,
			     const struct store_discovery_log *rows, size_t n);
json_t *sqlite_discovery_run_list(struct store *st, int64_t limit);
json_t *sqlite_discovery_log_list(struct store *st, int64_t run_id);
json_t *sqlite_report_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sqlite_report_get(struct store *st, int64_t id, int *found);
json_t *sqlite_report_find(struct store *st, const char *key,
			   const int64_t *org_ids, int norgs, int *found);
int sqlite_report_add(struct store *st, json_t *rep, int64_t *id, int *dup);
int sqlite_report_delete(struct store *st, int64_t id);
json_t *sqlite_task_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *sqlite_task_get(struct store *st, int64_t id, int *found);
int sqlite_task_add(struct store *st, json_t *task, int64_t *id, int *dup);
int sqlite_task_update(struct store *st, int64_t id, json_t *task, int *dup);
int sqlite_task_delete(struct store *st, int64_t id);
json_t *sqlite_task_due(struct store *st, const char *now);
int sqlite_task_finish(struct store *st, int64_t id, const char *last_run,
		       const char *status, const char *result,
		       const char *next_run);
int sqlite_task_claim(struct store *st, int64_t id, const char *now,
		      int lease_s);
int sqlite_task_set_next(struct store *st, int64_t id, const char *next_run);
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
int sqlite_user_external_put(struct store *st, const char *name,
			     const char *source, const char *role,
			     int64_t org_id, const char *full_name,
			     const char *email, int *conflict);
int sqlite_user_external_disable(struct store *st, const char *name,
				 const char *source);
char *sqlite_user_source(struct store *st, const char *name);
int sqlite_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
		 int norgs, json_t **counts);
json_t *sqlite_search(struct store *st, const struct store_search *s);
json_t *sqlite_search_plans(struct store *st);
json_t *sqlite_ssh_host_map(struct store *st, int64_t org_id);
int sqlite_ssh_host_set(struct store *st, const struct store_ssh_host *h);
json_t *sqlite_stats_network(struct store *st, const int64_t *org_ids,
			     int norgs, const char *ip_prefix, int64_t limit);

#endif
