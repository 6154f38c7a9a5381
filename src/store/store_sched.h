/*
 * store_sched: what the scheduler, the saved reports, the settings and the
 * directory (LDAP / Active Directory) sign-in keep in the store
 * (migration 2).
 *
 * A report is {"id","org_id","name","resource" (devices|components|
 * changes),"query" (the API's filter language, e.g.
 * "last_seen__lt=-30d&ordering=hostname"),"columns" (array or null),
 * "description","builtin","created","updated"}; the query text is parsed
 * by store/query.c each time it runs, never turned into SQL here.
 *
 * A task is {"id","org_id","name","type" (discovery|report|purge),
 * "schedule","enabled","options" (object: report, recipients, days,
 * targets, ...),"last_run","next_run","last_status","last_result","runs",
 * "created","updated"}.
 *
 * Settings are named JSON objects ("smtp") with write-only secret fields
 * stored encrypted; an auth source is {"id","name","type","enabled",
 * "origin" (api|config), ...its configuration}, with "bind_password"
 * stored encrypted and listed only as "bind_password_set".
 *
 * Everything returned is a new jansson reference owned by the caller;
 * functions return 0 / -1 (or NULL) and log the reason once.
 */
#ifndef NC_STORE_SCHED_H
#define NC_STORE_SCHED_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* ---- reports ---- */
/* Reports in the given orgs (all when org_ids is NULL), by name. */
json_t *store_report_list(struct store *st, const int64_t *org_ids, int norgs);
/* One report, or NULL (*found = 0 when absent, logged only on error). */
json_t *store_report_get(struct store *st, int64_t id, int *found);
/* The report whose id (all digits) or name is key, among org_ids (all
 * when NULL); *found = 0 when none. */
json_t *store_report_find(struct store *st, const char *key,
			  const int64_t *org_ids, int norgs, int *found);
/* Adds rep (name, resource, query, columns, description, org_id); *id
 * receives its id. -1 with *dup = 1 when the name is taken in that org. */
int store_report_add(struct store *st, json_t *rep, int64_t *id, int *dup);
int store_report_delete(struct store *st, int64_t id);

/* ---- tasks ---- */
json_t *store_task_list(struct store *st, const int64_t *org_ids, int norgs);
json_t *store_task_get(struct store *st, int64_t id, int *found);
/* Adds task (name, type, schedule, enabled, options, org_id, next_run).
 * -1 with *dup = 1 when the name is taken. */
int store_task_add(struct store *st, json_t *task, int64_t *id, int *dup);
/* Replaces name, schedule, enabled, options and next_run with task's. */
int store_task_update(struct store *st, int64_t id, json_t *task, int *dup);
int store_task_delete(struct store *st, int64_t id);
/* Enabled tasks with next_run NULL or <= now, by next_run. */
json_t *store_task_due(struct store *st, const char *now);
/* Records a run: last_run, last_status ("ok"|"failed"), last_result,
 * runs + 1, and the next_run (NULL for none); ends its lease. */
int store_task_finish(struct store *st, int64_t id, const char *last_run,
		      const char *status, const char *result,
		      const char *next_run);
/* Claims due task id for this process (store_lease_owner()) for lease_s
 * seconds, in one atomic statement: 1 when it is still due at now and no
 * live lease holds it (run it, then store_task_finish(), which ends the
 * lease), 0 when another server has it or ran it, -1 on error. */
int store_task_claim(struct store *st, int64_t id, const char *now,
		     int lease_s);
/* Sets next_run only (NULL clears it). */
int store_task_set_next(struct store *st, int64_t id, const char *next_run);

/* ---- settings ---- */
/* The setting's value with "<field>_set": true for each stored secret and
 * never a secret; an empty object when it was never set. */
json_t *store_setting_get(struct store *st, const char *name);
/* Stores value; the fields named in secret_fields that value holds as
 * strings are encrypted and kept apart (an empty string removes one), and
 * secrets not in value are kept as they were. */
int store_setting_put(struct store *st, const char *name, json_t *value,
		      const char *const *secret_fields);
/* The clear value of a stored secret (secret_free()), or NULL when unset
 * or on error. */
char *store_setting_secret(struct store *st, const char *name,
			   const char *field);

/* ---- directory auth sources ---- */
/* Sources without secrets, by id; only enabled ones when enabled_only. */
json_t *store_auth_source_list(struct store *st, int enabled_only);
json_t *store_auth_source_get(struct store *st, int64_t id, int *found);
/* Adds or (same name) replaces src, origin "api" or "config"; its
 * "bind_password" is encrypted (absent: the stored one is kept). */
int store_auth_source_put(struct store *st, json_t *src, const char *origin,
			  int64_t *id);
int store_auth_source_delete(struct store *st, int64_t id);
/* The clear bind password of source id (secret_free()), or NULL. */
char *store_auth_source_password(struct store *st, int64_t id);

/* ---- users from a directory ---- */
/* Creates user name with source (e.g. "ldap"), no password, role and org,
 * or updates role, org, full name, email and enables it when it exists
 * with that source. -1 with *conflict = 1 when a user of another source
 * has the name. */
int store_user_external_put(struct store *st, const char *name,
			    const char *source, const char *role,
			    int64_t org_id, const char *full_name,
			    const char *email, int *conflict);
/* Disables user name when its source is source. */
int store_user_external_disable(struct store *st, const char *name,
				const char *source);
/* The source of user name ("local", "ldap", ...) (free()), or NULL when
 * there is no such user. */
char *store_user_source(struct store *st, const char *name);

/* ---- retention ---- */
/* Deletes non-current components, change and audit log rows, and
 * finished discovery runs (with their logs) older than cutoff, of the
 * devices and discoveries of org_ids only (norgs of them); org_ids NULL
 * means every org, and then also the rows that belong to no org (audit
 * rows of refused intakes, runs of `netcensus discover --db`). *counts
 * receives {"components","changes","audits","discovery_runs"}. */
int store_purge(struct store *st, const char *cutoff, const int64_t *org_ids,
		int norgs, json_t **counts);

#endif
