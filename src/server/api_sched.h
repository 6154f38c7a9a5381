/*
 * api_sched: the API of the scheduler, saved reports, settings and
 * directory auth sources (api_tasks.c, api_reports.c, api_settings.c,
 * api_auth_sources.c), and the hooks the rest of the server calls: the
 * directory sign-in used by POST /api/v1/auth/login, and the
 * "ldap.NAME.KEY" lines of the config file. Handlers follow
 * server_int.h's contract.
 */
#ifndef NC_API_SCHED_H
#define NC_API_SCHED_H

#include <stdint.h>

struct request;
struct store;

/* ---- api_tasks.c ---- */
int api_tasks_list(struct request *rq);
int api_task_get(struct request *rq);
int api_task_create(struct request *rq);
int api_task_update(struct request *rq);
int api_task_delete(struct request *rq);
int api_task_run(struct request *rq);

/* ---- api_reports.c ---- */
int api_reports_list(struct request *rq);
int api_report_get(struct request *rq);
int api_report_create(struct request *rq);
int api_report_delete(struct request *rq);
int api_report_run(struct request *rq);

/* ---- api_settings.c ---- */
int api_smtp_get(struct request *rq);
int api_smtp_put(struct request *rq);
int api_smtp_test(struct request *rq);
int api_intake_settings_get(struct request *rq);
int api_intake_settings_put(struct request *rq);
/* Whether the caller's address is in the intake allow-list stored through
 * /settings/intake: 1 (with *org set), 0 when that list is empty, -1 when
 * it is not but the address is not in it. */
int api_intake_allowed(struct request *rq, int64_t *org);

/* ---- api_auth_sources.c ---- */
int api_auth_sources_list(struct request *rq);
int api_auth_source_get(struct request *rq);
int api_auth_source_create(struct request *rq);
int api_auth_source_delete(struct request *rq);
int api_auth_source_test(struct request *rq);

/* Signs name in against the enabled directory sources (never for a user
 * of another source, e.g. a local one), creating or updating the user
 * from its mapped groups, or disabling it when it is in none. 1 when
 * signed in (the user row is ready), 0 when refused, -1 on an internal
 * error. */
int auth_directory_login(struct request *rq, const char *name,
			 const char *password);

/* One "ldap.NAME.KEY = value" config line (key without "ldap."), kept in
 * *sources (a json_t). 0, or -1 with *why. */
int auth_sources_config_set(void **sources, const char *key, const char *value,
			    const char **why);
/* Checks every source of the config file; 0, or -1 after logging. */
int auth_sources_config_check(void *sources);
/* Stores the config file's sources (origin "config"). 0 or -1. */
int auth_sources_config_apply(struct store *st, void *sources);
void auth_sources_config_free(void *sources);

#endif
