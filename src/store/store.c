/*
 * store: the public store functions, each a dispatch to the handle's back
 * end (backend.h), and the choice of back end by the database URL.
 *
 * store_open() picks the back end by the URL's prefix: "postgresql://"
 * and "postgres://" name PostgreSQL (not built yet: a clear error), a
 * file path or "sqlite:PATH" names SQLite. Everything else here is one
 * line per operation; functions that return nothing accept NULL.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "store/backend.h"

static char store_owner[128];
static pthread_once_t store_owner_once = PTHREAD_ONCE_INIT;

static void store_owner_make(void)
{
	char host[64] = "";
	unsigned char r[6];
	char hex[sizeof(r) * 2 + 1];

	gethostname(host, sizeof(host) - 1);
	if (sodium_init() < 0)
		log_warn("libsodium did not start: lease owner ids may repeat");
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	snprintf(store_owner, sizeof(store_owner), "%s:%ld:%s",
		 host[0] ? host : "localhost", (long)getpid(), hex);
}

const char *store_lease_owner(void)
{
	pthread_once(&store_owner_once, store_owner_make);
	return store_owner;
}

void store_lease_time(int s, char out[20])
{
	util_time_format(time(NULL) + s, out);
}

static const struct {
	const char *prefix;
	const struct store_ops *ops; /* NULL: not in this build */
	const char *name;
} store_backends[] = {
	{"postgresql://", NULL, "PostgreSQL"},
	{"postgres://", NULL, "PostgreSQL"},
	{"sqlite:", &sqlite_store_ops, "SQLite"},
};

struct store *store_open(const char *url)
{
	const struct store_ops *ops = &sqlite_store_ops; /* a bare path */
	size_t i;

	if (!url || !*url) {
		log_err("no database given: pass --db PATH or set "
			"NETCENSUS_DB");
		return NULL;
	}
	for (i = 0; i < sizeof(store_backends) / sizeof(store_backends[0]);
	     i++) {
		const char *p = store_backends[i].prefix;

		if (strncmp(url, p, strlen(p)))
			continue;
		ops = store_backends[i].ops;
		if (!ops) {
			log_err("%s: the %s back end is not built yet; give "
				"--db a SQLite file path",
				url, store_backends[i].name);
			return NULL;
		}
		break;
	}
	return ops->open(url);
}

void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

void store_set_wait(struct store *st, int wait)
{
	if (st)
		st->ops->set_wait(st, wait);
}

void store_interrupt(struct store *st)
{
	if (st)
		st->ops->interrupt(st);
}

int store_db_version(struct store *st)
{
	return st->ops->db_version(st);
}

int store_begin(struct store *st)
{
	return st->ops->begin(st);
}

int store_commit(struct store *st)
{
	return st->ops->commit(st);
}

int store_rollback(struct store *st)
{
	return st->ops->rollback(st);
}

int store_batch_begin(struct store *st)
{
	return st->ops->batch_begin(st);
}

int store_batch_commit(struct store *st)
{
	return st->ops->batch_commit(st);
}

void store_batch_rollback(struct store *st)
{
	if (st)
		st->ops->batch_rollback(st);
}

int store_check(struct store *st)
{
	return st->ops->check(st);
}

json_t *store_counts(struct store *st)
{
	return st->ops->counts(st);
}

int store_org_find(struct store *st, const char *name, int64_t *id)
{
	return st->ops->org_find(st, name, id);
}

int store_org_add(struct store *st, const char *name, int64_t parent_id,
		  int64_t *id)
{
	return st->ops->org_add(st, name, parent_id, id);
}

json_t *store_org_list(struct store *st)
{
	return st->ops->org_list(st);
}

int store_org_is_root(struct store *st, int64_t org_id)
{
	return st->ops->org_is_root(st, org_id);
}

int store_device_find(struct store *st, const char *const *fields,
		      const char *const *values, int n, int64_t *id)
{
	return st->ops->device_find(st, fields, values, n, id);
}

int store_match_fields(struct store *st, int64_t org_id,
		       const char *const *fields, const char *const *values,
		       int nfields, int64_t *ids, int max, int *n)
{
	return st->ops->match_fields(st, org_id, fields, values, nfields, ids,
				     max, n);
}

int store_match_mac(struct store *st, int64_t org_id, const char *mac,
		    int64_t *ids, int max, int *n)
{
	return st->ops->match_mac(st, org_id, mac, ids, max, n);
}

int store_match_ip(struct store *st, int64_t org_id, const char *ip,
		   int64_t *ids, int max, int *n)
{
	return st->ops->match_ip(st, org_id, ip, ids, max, n);
}

json_t *store_device_get(struct store *st, int64_t id)
{
	return st->ops->device_get(st, id);
}

json_t *store_device_list(struct store *st, int64_t limit, int64_t offset)
{
	return st->ops->device_list(st, limit, offset);
}

int store_device_insert(struct store *st, int64_t org_id, json_t *sys,
			const char *now, int64_t *id)
{
	return st->ops->device_insert(st, org_id, sys, now, id);
}

int store_device_update(struct store *st, int64_t id, json_t *sys,
			const char *now)
{
	return st->ops->device_update(st, id, sys, now);
}

int store_device_delete(struct store *st, int64_t id)
{
	return st->ops->device_delete(st, id);
}

json_t *store_component_list(struct store *st, int64_t device_id,
			     const char *section, int current_only)
{
	return st->ops->component_list(st, device_id, section, current_only);
}

json_t *store_component_sections(struct store *st, int64_t device_id)
{
	return st->ops->component_sections(st, device_id);
}

int store_component_insert(struct store *st, int64_t device_id,
			   const char *section, const char *key, json_t *data,
			   const char *now)
{
	return st->ops->component_insert(st, device_id, section, key, data,
					 now);
}

int store_component_update(struct store *st, int64_t component_id, json_t *data,
			   const char *now)
{
	return st->ops->component_update(st, component_id, data, now);
}

int store_component_retire(struct store *st, int64_t component_id)
{
	return st->ops->component_retire(st, component_id);
}

int store_component_touch(struct store *st, int64_t device_id,
			  const char *section, const char *now)
{
	return st->ops->component_touch(st, device_id, section, now);
}

int store_change_add(struct store *st, int64_t device_id, const char *section,
		     const char *action, const char *key, json_t *detail,
		     const char *now)
{
	return st->ops->change_add(st, device_id, section, action, key, detail,
				   now);
}

json_t *store_change_list(struct store *st, int64_t device_id, int64_t limit)
{
	return st->ops->change_list(st, device_id, limit);
}

int store_audit_add(struct store *st, const struct store_audit *a,
		    const char *now)
{
	return st->ops->audit_add(st, a, now);
}

int store_audit_add_id(struct store *st, const struct store_audit *a,
		       const char *now, int64_t *id)
{
	return st->ops->audit_add_id(st, a, now, id);
}

int store_audit_set_message(struct store *st, int64_t id, const char *message)
{
	return st->ops->audit_set_message(st, id, message);
}

json_t *store_audit_list(struct store *st, int64_t limit)
{
	return st->ops->audit_list(st, limit);
}

int store_user_add(struct store *st, const char *name, const char *role,
		   int64_t org_id, const char *password)
{
	return st->ops->user_add(st, name, role, org_id, password);
}

int store_user_set_password(struct store *st, const char *name,
			    const char *password)
{
	return st->ops->user_set_password(st, name, password);
}

int store_user_password_stamp(struct store *st, const char *name,
			      char stamp[65])
{
	return st->ops->user_password_stamp(st, name, stamp);
}

int store_user_verify(struct store *st, const char *name, const char *password)
{
	return st->ops->user_verify(st, name, password);
}

json_t *store_user_list(struct store *st)
{
	return st->ops->user_list(st);
}

json_t *store_user_get(struct store *st, const char *name)
{
	return st->ops->user_get(st, name);
}

int store_token_create(struct store *st, const char *user, const char *label,
		       char **token)
{
	return st->ops->token_create(st, user, label, token);
}

char *store_token_user(struct store *st, const char *token)
{
	return st->ops->token_user(st, token);
}

int store_token_revoke(struct store *st, int64_t id)
{
	return st->ops->token_revoke(st, id);
}

json_t *store_token_list(struct store *st)
{
	return st->ops->token_list(st);
}

int store_credential_add(struct store *st, json_t *cred, int64_t *id)
{
	return st->ops->credential_add(st, cred, id);
}

int store_credential_update(struct store *st, int64_t id, json_t *cred)
{
	return st->ops->credential_update(st, id, cred);
}

json_t *store_credential_list(struct store *st)
{
	return st->ops->credential_list(st);
}

json_t *store_credential_get_secret(struct store *st, int64_t id)
{
	return st->ops->credential_get_secret(st, id);
}

int store_credential_delete(struct store *st, int64_t id)
{
	return st->ops->credential_delete(st, id);
}

json_t *store_api_list(struct store *st, enum store_api_res res,
		       const struct store_query *q, int64_t *count)
{
	return st->ops->api_list(st, res, q, count);
}

int store_api_list_json(struct store *st, enum store_api_res res,
			const struct store_query *q, int64_t *count,
			struct strbuf *out)
{
	return st->ops->api_list_json(st, res, q, count, out);
}

int store_api_tune(struct store *st)
{
	return st->ops->api_tune(st);
}

json_t *store_api_org_tree(struct store *st, int64_t org_id)
{
	return st->ops->api_org_tree(st, org_id);
}

int store_api_org_count(struct store *st, int64_t *n)
{
	return st->ops->api_org_count(st, n);
}

json_t *store_api_org_get(struct store *st, int64_t id, int *found)
{
	return st->ops->api_org_get(st, id, found);
}

json_t *store_api_user_get(struct store *st, const char *name)
{
	return st->ops->api_user_get(st, name);
}

json_t *store_api_user_get_id(struct store *st, int64_t id)
{
	return st->ops->api_user_get_id(st, id);
}

int store_api_user_count(struct store *st, int64_t *n)
{
	return st->ops->api_user_count(st, n);
}

json_t *store_api_user_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return st->ops->api_user_list(st, org_ids, norgs);
}

int store_api_user_touch_login(struct store *st, int64_t id, const char *now)
{
	return st->ops->api_user_touch_login(st, id, now);
}

int store_api_user_delete(struct store *st, int64_t id)
{
	return st->ops->api_user_delete(st, id);
}

json_t *store_api_token_list(struct store *st, int64_t user_id,
			     const int64_t *org_ids, int norgs)
{
	return st->ops->api_token_list(st, user_id, org_ids, norgs);
}

int store_api_token_owner(struct store *st, int64_t id, int64_t *user_id,
			  int64_t *org_id)
{
	return st->ops->api_token_owner(st, id, user_id, org_id);
}

char *store_api_token_check(struct store *st, const char *token,
			    int64_t *token_id)
{
	return st->ops->api_token_check(st, token, token_id);
}

int store_api_token_touch(struct store *st, int64_t token_id, const char *now)
{
	return st->ops->api_token_touch(st, token_id, now);
}

int store_api_device_org(struct store *st, int64_t id, int64_t *org_id)
{
	return st->ops->api_device_org(st, id, org_id);
}

int store_api_device_patch(struct store *st, int64_t id, json_t *fields,
			   const char **bad_field)
{
	return st->ops->api_device_patch(st, id, fields, bad_field);
}

json_t *store_device_attachment(struct store *st, int64_t id)
{
	return st->ops->device_attachment(st, id);
}

int store_collector_register(struct store *st,
			     const struct store_collector_reg *r, int64_t *id,
			     int64_t *interrupted)
{
	return st->ops->collector_register(st, r, id, interrupted);
}

int store_collector_by_token(struct store *st, int64_t token_id, int64_t *id,
			     int *enabled)
{
	return st->ops->collector_by_token(st, token_id, id, enabled);
}

int store_collector_seen(struct store *st, int64_t id, int64_t spool_depth,
			 int64_t spool_dropped)
{
	return st->ops->collector_seen(st, id, spool_depth, spool_dropped);
}

json_t *store_collector_list(struct store *st, const int64_t *org_ids,
			     int norgs)
{
	return st->ops->collector_list(st, org_ids, norgs);
}

json_t *store_collector_get(struct store *st, int64_t id, int *found)
{
	return st->ops->collector_get(st, id, found);
}

int store_collector_find(struct store *st, const char *s, int64_t *id)
{
	return st->ops->collector_find(st, s, id);
}

int store_collector_update(struct store *st, int64_t id, json_t *fields)
{
	return st->ops->collector_update(st, id, fields);
}

int store_collector_delete(struct store *st, int64_t id)
{
	return st->ops->collector_delete(st, id);
}

int store_collector_run(struct store *st, int64_t id, int64_t run_id,
			int64_t *org_id, char state[16])
{
	return st->ops->collector_run(st, id, run_id, org_id, state);
}

int store_collector_run_cancel(struct store *st, int64_t run_id, int *changed)
{
	return st->ops->collector_run_cancel(st, run_id, changed);
}

int store_collector_item_seen(struct store *st, const char *item_id)
{
	return st->ops->collector_item_seen(st, item_id);
}

int store_collector_item_add(struct store *st, const char *item_id,
			     int64_t run_id, const char *kind,
			     int64_t device_id)
{
	return st->ops->collector_item_add(st, item_id, run_id, kind,
					   device_id);
}

int store_collector_run_reports(struct store *st, int64_t run_id, int64_t *n)
{
	return st->ops->collector_run_reports(st, run_id, n);
}

json_t *store_discodef_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return st->ops->discodef_list(st, org_ids, norgs);
}

json_t *store_discodef_get(struct store *st, int64_t id, int *found)
{
	return st->ops->discodef_get(st, id, found);
}

int store_discodef_find(struct store *st, int64_t org_id, const char *name,
			int64_t *id)
{
	return st->ops->discodef_find(st, org_id, name, id);
}

int store_discodef_add(struct store *st, json_t *def, int64_t *id)
{
	return st->ops->discodef_add(st, def, id);
}

int store_discodef_update(struct store *st, int64_t id, json_t *def)
{
	return st->ops->discodef_update(st, id, def);
}

int store_discodef_delete(struct store *st, int64_t id)
{
	return st->ops->discodef_delete(st, id);
}

int store_discorun_queue(struct store *st, int64_t discovery_id,
			 int64_t *run_id)
{
	return st->ops->discorun_queue(st, discovery_id, run_id);
}

int store_discorun_active(struct store *st, int64_t discovery_id,
			  int64_t *run_id)
{
	return st->ops->discorun_active(st, discovery_id, run_id);
}

int store_discorun_claim(struct store *st, int lease_s, int64_t *run_id,
			 int64_t *discovery_id)
{
	return st->ops->discorun_claim(st, lease_s, run_id, discovery_id);
}

int store_discorun_renew(struct store *st, int64_t run_id, int lease_s)
{
	return st->ops->discorun_renew(st, run_id, lease_s);
}

int store_discorun_claim_for(struct store *st, int64_t collector_id,
			     int64_t *run_id, int64_t *discovery_id)
{
	return st->ops->discorun_claim_for(st, collector_id, run_id,
					   discovery_id);
}

int store_discorun_progress(struct store *st, int64_t run_id, int64_t total,
			    int64_t done, int64_t alive, int64_t packets)
{
	return st->ops->discorun_progress(st, run_id, total, done, alive,
					  packets);
}

int store_discorun_interrupt_all(struct store *st, int64_t *n)
{
	return st->ops->discorun_interrupt_all(st, n);
}

int store_discorun_mark(struct store *st, int64_t run_id, const char *state,
			const char *message)
{
	return st->ops->discorun_mark(st, run_id, state, message);
}

int store_discorun_cancel_queued(struct store *st, int64_t run_id, int *changed)
{
	return st->ops->discorun_cancel_queued(st, run_id, changed);
}

int store_discorun_state(struct store *st, int64_t run_id,
			 int64_t *discovery_id, char state[16])
{
	return st->ops->discorun_state(st, run_id, discovery_id, state);
}

json_t *store_discorun_stages(struct store *st, int64_t run_id)
{
	return st->ops->discorun_stages(st, run_id);
}

json_t *store_discorun_count_states(struct store *st)
{
	return st->ops->discorun_count_states(st);
}

int store_discovery_run_start(struct store *st, int64_t discovery_id,
			      int64_t total, int64_t *run_id)
{
	return st->ops->discovery_run_start(st, discovery_id, total, run_id);
}

int store_discovery_run_finish(struct store *st, int64_t run_id,
			       const char *state,
			       const struct store_discovery_counts *c,
			       const char *message)
{
	return st->ops->discovery_run_finish(st, run_id, state, c, message);
}

int store_discovery_log_add(struct store *st, int64_t run_id,
			    const struct store_discovery_log *rows, size_t n)
{
	return st->ops->discovery_log_add(st, run_id, rows, n);
}

json_t *store_discovery_run_list(struct store *st, int64_t limit)
{
	return st->ops->discovery_run_list(st, limit);
}

json_t *store_discovery_log_list(struct store *st, int64_t run_id)
{
	return st->ops->discovery_log_list(st, run_id);
}

json_t *store_location_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return st->ops->location_list(st, org_ids, norgs);
}

json_t *store_location_get(struct store *st, int64_t id, const int64_t *org_ids,
			   int norgs, int *found)
{
	return st->ops->location_get(st, id, org_ids, norgs, found);
}

int store_location_find(struct store *st, int64_t org_id, const char *name,
			int64_t *id)
{
	return st->ops->location_find(st, org_id, name, id);
}

int store_location_add(struct store *st, json_t *loc, int64_t *id)
{
	return st->ops->location_add(st, loc, id);
}

int store_location_update(struct store *st, int64_t id, json_t *fields)
{
	return st->ops->location_update(st, id, fields);
}

int store_location_delete(struct store *st, int64_t id)
{
	return st->ops->location_delete(st, id);
}

json_t *store_report_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return st->ops->report_list(st, org_ids, norgs);
}

json_t *store_report_get(struct store *st, int64_t id, int *found)
{
	return st->ops->report_get(st, id, found);
}

json_t *store_report_find(struct store *st, const char *key,
			  const int64_t *org_ids, int norgs, int *found)
{
	return st->ops->report_find(st, key, org_ids, norgs, found);
}

int store_report_add(struct store *st, json_t *rep, int64_t *id, int *dup)
{
	return st->ops->report_add(st, rep, id, dup);
}

int store_report_delete(struct store *st, int64_t id)
{
	return st->ops->report_delete(st, id);
}

json_t *store_task_list(struct store *st, const int64_t *org_ids, int norgs)
{
	return st->ops->task_list(st, org_ids, norgs);
}

json_t *store_task_get(struct store *st, int64_t id, int *found)
{
	return st->ops->task_get(st, id, found);
}

int store_task_add(struct store *st, json_t *task, int64_t *id, int *dup)
{
	return st->ops->task_add(st, task, id, dup);
}

int store_task_update(struct store *st, int64_t id, json_t *task, int *dup)
{
	return st->ops->task_update(st, id, task, dup);
}

int store_task_delete(struct store *st, int64_t id)
{
	return st->ops->task_delete(st, id);
}

json_t *store_task_due(struct store *st, const char *now)
{
	return st->ops->task_due(st, now);
}

int store_task_finish(struct store *st, int64_t id, const char *last_run,
		      const char *status, const char *result,
		      const char *next_run)
{
	return st->ops->task_finish(st, id, last_run, status, result, next_run);
}

int store_task_claim(struct store *st, int64_t id, const char *now, int lease_s)
{
	return st->ops->task_claim(st, id, now, lease_s);
}

int store_task_set_next(struct store *st, int64_t id, const char *next_run)
{
	return st->ops->task_set_next(st, id, next_run);
}

json_t *store_setting_get(struct store *st, const char *name)
{
	return st->ops->setting_get(st, name);
}

int store_setting_put(struct store *st, const char *name, json_t *value,
		      const char *const *secret_fields)
{
	return st->ops->setting_put(st, name, value, secret_fields);
}

char *store_setting_secret(struct store *st, const char *name,
			   const char *field)
{
	return st->ops->setting_secret(st, name, field);
}

json_t *store_auth_source_list(struct store *st, int enabled_only)
{
	return st->ops->auth_source_list(st, enabled_only);
}

json_t *store_auth_source_get(struct store *st, int64_t id, int *found)
{
	return st->ops->auth_source_get(st, id, found);
}

int store_auth_source_put(struct store *st, json_t *src, const char *origin,
			  int64_t *id)
{
	return st->ops->auth_source_put(st, src, origin, id);
}

int store_auth_source_delete(struct store *st, int64_t id)
{
	return st->ops->auth_source_delete(st, id);
}

char *store_auth_source_password(struct store *st, int64_t id)
{
	return st->ops->auth_source_password(st, id);
}

int store_user_external_put(struct store *st, const char *name,
			    const char *source, const char *role,
			    int64_t org_id, const char *full_name,
			    const char *email, int *conflict)
{
	return st->ops->user_external_put(st, name, source, role, org_id,
					  full_name, email, conflict);
}

int store_user_external_disable(struct store *st, const char *name,
				const char *source)
{
	return st->ops->user_external_disable(st, name, source);
}

char *store_user_source(struct store *st, const char *name)
{
	return st->ops->user_source(st, name);
}

int store_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
		int norgs, json_t **counts)
{
	return st->ops->purge(st, cutoff, org_ids, norgs, counts);
}

json_t *store_search(struct store *st, const struct store_search *s)
{
	return st->ops->search(st, s);
}

json_t *store_search_plans(struct store *st)
{
	return st->ops->search_plans(st);
}

json_t *store_ssh_host_map(struct store *st, int64_t org_id)
{
	return st->ops->ssh_host_map(st, org_id);
}

int store_ssh_host_set(struct store *st, const struct store_ssh_host *h)
{
	return st->ops->ssh_host_set(st, h);
}

json_t *store_stats_summary(struct store *st, const int64_t *org_ids, int norgs,
			    const char *since)
{
	return st->ops->stats_summary(st, org_ids, norgs, since);
}

json_t *store_stats_runs(struct store *st, const int64_t *org_ids, int norgs,
			 int64_t limit, int64_t offset, int64_t *count)
{
	return st->ops->stats_runs(st, org_ids, norgs, limit, offset, count);
}

json_t *store_stats_run_get(struct store *st, const int64_t *org_ids, int norgs,
			    int64_t id, int *found)
{
	return st->ops->stats_run_get(st, org_ids, norgs, id, found);
}

json_t *store_stats_run_log(struct store *st, int64_t run_id, int64_t limit,
			    int64_t offset, int64_t *count)
{
	return st->ops->stats_run_log(st, run_id, limit, offset, count);
}

json_t *store_stats_network(struct store *st, const int64_t *org_ids, int norgs,
			    const char *ip_prefix, int64_t limit)
{
	return st->ops->stats_network(st, org_ids, norgs, ip_prefix, limit);
}
