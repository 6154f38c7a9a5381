/*
 * backend: the table of operations a store back end fills, and the one
 * field every handle starts with. Private to src/store/.
 *
 * store.c holds the public functions of store.h and the store_*.h
 * interfaces: each one is a dispatch through st->ops, so callers never
 * know which back end they talk to. A back end embeds struct store as the
 * first member of its own handle (struct sqlite_store in sqlite_int.h),
 * sets ops when it opens one, and fills every member of its ops table.
 *
 * Adding an operation: its prototype in the store_*.h header callers use,
 * a member here, a dispatcher in store.c and one implementation per back
 * end. Adding a back end: an ops table, a row in store_backends[] of
 * store.c naming its URL prefix. Logic that is not the database's (checks,
 * parsing, the API's field tables) stays out of the back ends, so that
 * each one holds only its dialect of SQL and its concurrency rules.
 */
#ifndef NC_STORE_BACKEND_H
#define NC_STORE_BACKEND_H

struct db_dialect;
struct db_stmt;
struct secret_key;

#include "store/store.h"
#include "store/store_api.h"
#include "store/store_attach.h"
#include "store/store_collectors.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"
#include "store/store_locations.h"
#include "store/store_sched.h"
#include "store/store_search.h"
#include "store/store_ssh.h"
#include "store/store_stats.h"

struct store_ops {
	const char *name; /* "SQLite": for messages */
	/* A new handle on the database url names (the back end's own URL
	 * form), migrated; NULL on failure (logged). */
	struct store *(*open)(const char *url);
	/* The statement helper's statement for sql on st's connection
	 * (db.h): the operations written once for every SQL engine
	 * (sql_ops.h) run through it. */
	struct db_stmt *(*stmt)(struct store *st, const char *sql);
	/* The key sealing secrets (secret.h), opened on first use; NULL
	 * on failure (logged). Owned by the handle. */
	struct secret_key *(*key)(struct store *st);
	/* The SQL forms this engine writes its own way (db.h). */
	const struct db_dialect *dialect;
	/* A read snapshot for a count and its page (optional): 1 when one
	 * began (read_end ends it), 0 when not (inside a transaction). */
	int (*read_begin)(struct store *st);
	void (*read_end)(struct store *st);
	/* A number that changes with every commit to the database, by any
	 * connection (optional; 0: unknown): the API's count cache. */
	uint64_t (*data_version)(struct store *st);
	/* store.h: store_ready(), store_lost() (optional: a database that
	 * cannot go away, SQLite's file) */
	int (*ready)(struct store *st);
	unsigned (*lost)(struct store *st);
	/* store.h */
	void (*close)(struct store *st);
	void (*set_wait)(struct store *st, int wait);
	void (*interrupt)(struct store *st);
	int (*db_version)(struct store *st);
	int (*begin)(struct store *st);
	int (*commit)(struct store *st);
	int (*rollback)(struct store *st);
	int (*batch_begin)(struct store *st);
	int (*batch_commit)(struct store *st);
	void (*batch_rollback)(struct store *st);
	/* store.h: store_begin_keyed(), store_lock_key(), store_retryable()
	 * (optional: a back end with one writer at a time needs no keys;
	 * without them store_begin() serves, a key is held at once and
	 * nothing is worth retrying) */
	int (*begin_keyed)(struct store *st, const char *const *keys, size_t n,
			   const char *const *shared, size_t nshared);
	int (*lock_key)(struct store *st, const char *key);
	int (*retryable)(struct store *st);
	int (*check)(struct store *st);
	json_t *(*counts)(struct store *st);
	int (*org_find)(struct store *st, const char *name, int64_t *id);
	int (*org_add)(struct store *st, const char *name, int64_t parent_id,
		       int64_t *id);
	json_t *(*org_list)(struct store *st);
	int (*org_is_root)(struct store *st, int64_t org_id);
	int (*device_find)(struct store *st, const char *const *fields,
			   const char *const *values, int n, int64_t *id);
	int (*match_fields)(struct store *st, int64_t org_id,
			    const char *const *fields,
			    const char *const *values, int nfields,
			    int64_t *ids, int max, int *n);
	int (*match_mac)(struct store *st, int64_t org_id, const char *mac,
			 int64_t *ids, int max, int *n);
	int (*match_ip)(struct store *st, int64_t org_id, const char *ip,
			int64_t *ids, int max, int *n);
	json_t *(*device_get)(struct store *st, int64_t id);
	json_t *(*device_list)(struct store *st, int64_t limit, int64_t offset);
	int (*device_insert)(struct store *st, int64_t org_id, json_t *sys,
			     const char *now, int64_t *id);
	int (*device_update)(struct store *st, int64_t id, json_t *sys,
			     const char *now);
	int (*device_delete)(struct store *st, int64_t id);
	json_t *(*component_list)(struct store *st, int64_t device_id,
				  const char *section, int current_only);
	json_t *(*component_sections)(struct store *st, int64_t device_id);
	int (*component_insert)(struct store *st, int64_t device_id,
				const char *section, const char *key,
				json_t *data, const char *now);
	int (*component_update)(struct store *st, int64_t component_id,
				json_t *data, const char *now);
	int (*component_retire)(struct store *st, int64_t component_id);
	int (*component_touch)(struct store *st, int64_t device_id,
			       const char *section, const char *now);
	int (*change_add)(struct store *st, int64_t device_id,
			  const char *section, const char *action,
			  const char *key, json_t *detail, const char *now);
	json_t *(*change_list)(struct store *st, int64_t device_id,
			       int64_t limit);
	int (*audit_add)(struct store *st, const struct store_audit *a,
			 const char *now);
	int (*audit_add_id)(struct store *st, const struct store_audit *a,
			    const char *now, int64_t *id);
	int (*audit_set_message)(struct store *st, int64_t id,
				 const char *message);
	json_t *(*audit_list)(struct store *st, int64_t limit);
	int (*user_add)(struct store *st, const char *name, const char *role,
			int64_t org_id, const char *password);
	int (*user_set_password)(struct store *st, const char *name,
				 const char *password);
	int (*user_password_stamp)(struct store *st, const char *name,
				   char stamp[65]);
	int (*user_verify)(struct store *st, const char *name,
			   const char *password);
	json_t *(*user_list)(struct store *st);
	json_t *(*user_get)(struct store *st, const char *name);
	int (*token_create)(struct store *st, const char *user,
			    const char *label, char **token);
	char *(*token_user)(struct store *st, const char *token);
	int (*token_revoke)(struct store *st, int64_t id);
	json_t *(*token_list)(struct store *st);
	int (*credential_add)(struct store *st, json_t *cred, int64_t *id);
	int (*credential_update)(struct store *st, int64_t id, json_t *cred);
	json_t *(*credential_list)(struct store *st);
	json_t *(*credential_get_secret)(struct store *st, int64_t id);
	int (*credential_delete)(struct store *st, int64_t id);
	/* store_api.h */
	json_t *(*api_list)(struct store *st, enum store_api_res res,
			    const struct store_query *q, int64_t *count);
	int (*api_list_json)(struct store *st, enum store_api_res res,
			     const struct store_query *q, int64_t *count,
			     struct strbuf *out);
	int (*api_tune)(struct store *st);
	json_t *(*api_org_tree)(struct store *st, int64_t org_id);
	int (*api_org_count)(struct store *st, int64_t *n);
	json_t *(*api_org_get)(struct store *st, int64_t id, int *found);
	json_t *(*api_user_get)(struct store *st, const char *name);
	json_t *(*api_user_get_id)(struct store *st, int64_t id);
	int (*api_user_count)(struct store *st, int64_t *n);
	json_t *(*api_user_list)(struct store *st, const int64_t *org_ids,
				 int norgs);
	int (*api_user_touch_login)(struct store *st, int64_t id,
				    const char *now);
	int (*api_user_delete)(struct store *st, int64_t id);
	json_t *(*api_token_list)(struct store *st, int64_t user_id,
				  const int64_t *org_ids, int norgs);
	int (*api_token_owner)(struct store *st, int64_t id, int64_t *user_id,
			       int64_t *org_id);
	char *(*api_token_check)(struct store *st, const char *token,
				 int64_t *token_id);
	int (*api_token_touch)(struct store *st, int64_t token_id,
			       const char *now);
	int (*api_device_org)(struct store *st, int64_t id, int64_t *org_id);
	int (*api_device_patch)(struct store *st, int64_t id, json_t *fields,
				const char **bad_field);
	/* store_attach.h */
	json_t *(*device_attachment)(struct store *st, int64_t id);
	/* store_collectors.h */
	int (*collector_register)(struct store *st,
				  const struct store_collector_reg *r,
				  int64_t *id, int64_t *interrupted);
	int (*collector_by_token)(struct store *st, int64_t token_id,
				  int64_t *id, int *enabled);
	int (*collector_seen)(struct store *st, int64_t id, int64_t spool_depth,
			      int64_t spool_dropped);
	json_t *(*collector_list)(struct store *st, const int64_t *org_ids,
				  int norgs);
	json_t *(*collector_get)(struct store *st, int64_t id, int *found);
	int (*collector_find)(struct store *st, const char *s, int64_t *id);
	int (*collector_update)(struct store *st, int64_t id, json_t *fields);
	int (*collector_delete)(struct store *st, int64_t id);
	int (*collector_run)(struct store *st, int64_t id, int64_t run_id,
			     int64_t *org_id, char state[16]);
	int (*collector_run_cancel)(struct store *st, int64_t run_id,
				    int *changed);
	int (*collector_item_seen)(struct store *st, const char *item_id);
	int (*collector_item_add)(struct store *st, const char *item_id,
				  int64_t run_id, const char *kind,
				  int64_t device_id);
	int (*collector_run_reports)(struct store *st, int64_t run_id,
				     int64_t *n);
	/* store_discoveries.h */
	json_t *(*discodef_list)(struct store *st, const int64_t *org_ids,
				 int norgs);
	json_t *(*discodef_get)(struct store *st, int64_t id, int *found);
	int (*discodef_find)(struct store *st, int64_t org_id, const char *name,
			     int64_t *id);
	int (*discodef_add)(struct store *st, json_t *def, int64_t *id);
	int (*discodef_update)(struct store *st, int64_t id, json_t *def);
	int (*discodef_delete)(struct store *st, int64_t id);
	int (*discorun_queue)(struct store *st, int64_t discovery_id,
			      int64_t *run_id);
	int (*discorun_active)(struct store *st, int64_t discovery_id,
			       int64_t *run_id);
	int (*discorun_claim)(struct store *st, int lease_s, int64_t *run_id,
			      int64_t *discovery_id);
	int (*discorun_renew)(struct store *st, int64_t run_id, int lease_s);
	int (*discorun_claim_for)(struct store *st, int64_t collector_id,
				  int64_t *run_id, int64_t *discovery_id);
	int (*discorun_progress)(struct store *st, int64_t run_id,
				 int64_t total, int64_t done, int64_t alive,
				 int64_t packets);
	int (*discorun_interrupt_all)(struct store *st, int64_t *n);
	int (*discorun_mark)(struct store *st, int64_t run_id,
			     const char *state, const char *message);
	int (*discorun_cancel_queued)(struct store *st, int64_t run_id,
				      int *changed);
	int (*discorun_state)(struct store *st, int64_t run_id,
			      int64_t *discovery_id, char state[16]);
	json_t *(*discorun_stages)(struct store *st, int64_t run_id);
	json_t *(*discorun_count_states)(struct store *st);
	/* store_discovery.h */
	int (*discovery_run_start)(struct store *st, int64_t discovery_id,
				   int64_t total, int64_t *run_id);
	int (*discovery_run_finish)(struct store *st, int64_t run_id,
				    const char *state,
				    const struct store_discovery_counts *c,
				    const char *message);
	int (*discovery_log_add)(struct store *st, int64_t run_id,
				 const struct store_discovery_log *rows,
				 size_t n);
	json_t *(*discovery_run_list)(struct store *st, int64_t limit);
	json_t *(*discovery_log_list)(struct store *st, int64_t run_id);
	/* store_locations.h */
	json_t *(*location_list)(struct store *st, const int64_t *org_ids,
				 int norgs);
	json_t *(*location_get)(struct store *st, int64_t id,
				const int64_t *org_ids, int norgs, int *found);
	int (*location_find)(struct store *st, int64_t org_id, const char *name,
			     int64_t *id);
	int (*location_add)(struct store *st, json_t *loc, int64_t *id);
	int (*location_update)(struct store *st, int64_t id, json_t *fields);
	int (*location_delete)(struct store *st, int64_t id);
	/* store_sched.h */
	json_t *(*report_list)(struct store *st, const int64_t *org_ids,
			       int norgs);
	json_t *(*report_get)(struct store *st, int64_t id, int *found);
	json_t *(*report_find)(struct store *st, const char *key,
			       const int64_t *org_ids, int norgs, int *found);
	int (*report_add)(struct store *st, json_t *rep, int64_t *id, int *dup);
	int (*report_delete)(struct store *st, int64_t id);
	json_t *(*task_list)(struct store *st, const int64_t *org_ids,
			     int norgs);
	json_t *(*task_get)(struct store *st, int64_t id, int *found);
	int (*task_add)(struct store *st, json_t *task, int64_t *id, int *dup);
	int (*task_update)(struct store *st, int64_t id, json_t *task,
			   int *dup);
	int (*task_delete)(struct store *st, int64_t id);
	json_t *(*task_due)(struct store *st, const char *now);
	int (*task_finish)(struct store *st, int64_t id, const char *last_run,
			   const char *status, const char *result,
			   const char *next_run);
	int (*task_claim)(struct store *st, int64_t id, const char *now,
			  int lease_s);
	int (*task_set_next)(struct store *st, int64_t id,
			     const char *next_run);
	json_t *(*setting_get)(struct store *st, const char *name);
	int (*setting_put)(struct store *st, const char *name, json_t *value,
			   const char *const *secret_fields);
	char *(*setting_secret)(struct store *st, const char *name,
				const char *field);
	json_t *(*auth_source_list)(struct store *st, int enabled_only);
	json_t *(*auth_source_get)(struct store *st, int64_t id, int *found);
	int (*auth_source_put)(struct store *st, json_t *src,
			       const char *origin, int64_t *id);
	int (*auth_source_delete)(struct store *st, int64_t id);
	char *(*auth_source_password)(struct store *st, int64_t id);
	int (*user_external_put)(struct store *st, const char *name,
				 const char *source, const char *role,
				 int64_t org_id, const char *full_name,
				 const char *email, int *conflict);
	int (*user_external_disable)(struct store *st, const char *name,
				     const char *source);
	char *(*user_source)(struct store *st, const char *name);
	int (*purge)(struct store *st, const char *cutoff,
		     const int64_t *org_ids, int norgs, json_t **counts);
	/* store_search.h */
	json_t *(*search)(struct store *st, const struct store_search *s);
	json_t *(*search_plans)(struct store *st);
	/* store_ssh.h */
	json_t *(*ssh_host_map)(struct store *st, int64_t org_id);
	int (*ssh_host_set)(struct store *st, const struct store_ssh_host *h);
	/* store_stats.h */
	json_t *(*stats_summary)(struct store *st, const int64_t *org_ids,
				 int norgs, const char *since);
	json_t *(*stats_runs)(struct store *st, const int64_t *org_ids,
			      int norgs, int64_t limit, int64_t offset,
			      int64_t *count);
	json_t *(*stats_run_get)(struct store *st, const int64_t *org_ids,
				 int norgs, int64_t id, int *found);
	json_t *(*stats_run_log)(struct store *st, int64_t run_id,
				 int64_t limit, int64_t offset, int64_t *count);
	json_t *(*stats_network)(struct store *st, const int64_t *org_ids,
				 int norgs, const char *ip_prefix,
				 int64_t limit);
};

/* Logs "not yet on <back end>: op" for an operation st's back end does not
 * have yet; returns 0. */
int store_missing(struct store *st, const char *op);

/* What store_open_unavailable() answers on this thread: a back end's
 * open sets 1 when it could not reach its database. */
void store_set_open_unavailable(int yes);

struct store {
	const struct store_ops *ops;
};

/* The back ends built in. */
extern const struct store_ops sqlite_store_ops;
/* pg.c: PostgreSQL (libpq) */
extern const struct store_ops pg_store_ops;

#endif
