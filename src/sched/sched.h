/*
 * sched: the server's scheduler — tasks on cron schedules (cron.h), saved
 * reports run through the API's filter language and mailed (mail.h), and
 * retention.
 *
 * One scheduler thread per server, with its own store handle. It wakes at
 * every whole minute (or when sched_wake() says tasks changed), runs the
 * enabled tasks whose next_run has come, one at a time, and stores
 * last_run, last_status, last_result and the next_run computed from the
 * moment the run ends, so a task whose time passed while the server was
 * down runs ONCE at start and then follows its schedule. Writes take the
 * server's write lock, as request handlers do.
 *
 * Schedules are read in UTC unless sched_set_timezone() named a zone
 * (config key "timezone"); stored times are always UTC text.
 *
 * Task types: "report" (options: report = id or name, recipients = list
 * of addresses, subject), "purge" (options: days, default 90: non-current
 * components, change, audit and discovery logs older than that) and
 * "discovery" (options: discovery = id or name of a stored discovery in
 * the task's org tree: a run of it is queued in the store, the hook
 * run_queued given to sched_start() is called - the server wakes its
 * runner there - and last_result names the run), "active_directory" (the
 * same, for a discovery whose options name ad_server: a refresh from the
 * directory; any other discovery is refused). The scheduler knows
 * nothing of the server: it includes no src/server header.
 *
 * Reports: {"name","resource" (devices|components|changes),"query"
 * ("field__lookup=value&...&ordering=-x", the API's syntax, relative
 * times allowed),"columns"}; run with the caller's or the task's org tree.
 * Everything returned is owned by the caller.
 */
#ifndef NC_SCHED_H
#define NC_SCHED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "store/query.h"
#include "store/store.h"

#define SCHED_REPORT_ROWS_MAX 10000	 /* rows a report returns or mails */
#define SCHED_REPORT_CSV_ROWS_MAX 250000 /* rows one CSV download holds */
#define SCHED_REPORT_HTML_ROWS 50	 /* rows shown in the mail's summary */
#define SCHED_PURGE_DAYS_DEFAULT 90

struct sched;

/* Reads schedules in zone tz ("Europe/Berlin"; NULL or "UTC": UTC). Call
 * before any thread starts (it sets TZ). 0, or -1 when tz is unknown. */
int sched_set_timezone(const char *tz);
/* 1 when schedules are read in UTC. */
int sched_utc(void);

/* Checks a schedule; 0, or -1 with err naming the field at fault. */
int sched_schedule_check(const char *schedule, char *err, size_t errlen);
/* The next firing of schedule after t as UTC text into out. 0, or -1
 * when the schedule is wrong or never fires. */
int sched_next_run(const char *schedule, time_t after, char out[20]);

/* Checks a task object from the API (name, type, schedule, enabled,
 * options or the report/recipients/days/targets keys at top level) and
 * normalises it: options gathered into "options", enabled defaulted, and
 * next_run set. 0, or -1 with err and *field. */
int sched_task_normalise(json_t *task, char *err, size_t errlen,
			 const char **field);

/* Runs task now (any type) on st; result (>= 256 bytes) receives a line
 * saying what happened. 0 when it succeeded. */
int sched_task_run(struct store *st, json_t *task, char *result,
		   size_t result_len);
/* Runs task and records the outcome (last_run, runs, next_run). */
int sched_task_run_record(struct store *st, json_t *task, char *result,
			  size_t result_len);

/* ---- reports ---- */
/* Checks a report object (name, resource, query, columns); 0, or -1 with
 * err and *field. */
int sched_report_check(json_t *rep, char *err, size_t errlen,
		       const char **field);
/* Runs report with extra filters (may be NULL) in the orgs given (NULL:
 * all). Returns the rows projected on the report's columns (each also
 * with its device's id, "id" for devices, else "device_id", so it can be
 * linked), with *columns set (new reference); NULL with err filled on a
 * query error or logged database error. Without a limit among the parameters at
 * most max_rows rows come back (0: SCHED_REPORT_ROWS_MAX); *total (may be NULL)
 * is how many rows the report has without limit and offset, so a caller can say
 * "the first 10,000 of 61,201". */
json_t *sched_report_rows(struct store *st, json_t *report,
			  const struct query_arg *extra, int nextra,
			  const int64_t *org_ids, int norgs, int64_t max_rows,
			  int64_t *total, json_t **columns,
			  struct query_error *err);
/* An HTML summary of the rows (escaped), a new string (free()). */
char *sched_report_html(json_t *report, json_t *rows, json_t *columns,
			const char *when);
/* Mails the report to recipients (an array of addresses) with the SMTP
 * settings of st. 0 when the server accepted it; answer receives its
 * reply or the reason. */
int sched_report_mail(struct store *st, json_t *report, json_t *recipients,
		      const int64_t *org_ids, int norgs, const char *subject,
		      char *answer, size_t answer_len);

/* ---- SMTP settings ---- */
/* Checks and normalises a PUT /settings/smtp body; 0, or -1 with err and
 * *field. */
int sched_smtp_check(json_t *smtp, char *err, size_t errlen,
		     const char **field);
/* Sends a test message to `to`; answer receives the server's reply. */
int sched_smtp_test(struct store *st, const char *to, char *answer,
		    size_t answer_len);

/* ---- the thread ---- */
/* What the scheduler asks of whoever starts it. */
struct sched_hooks {
	/* A discovery run was queued (by a task, from the thread or from
	 * sched_task_run()); called from that thread, after the store's
	 * write. NULL: nobody is told (the run waits for its runner). */
	void (*run_queued)(void *ud);
	void *ud;
};

/* Starts the scheduler on database db (opened by the thread); hooks (copied;
 * NULL: none) serve sched_task_run() too until sched_stop(). NULL when the
 * thread cannot start. */
struct sched *sched_start(const char *db, const struct sched_hooks *hooks);
/* Makes the thread look at the tasks again now. */
void sched_wake(void);
/* Stops the thread (after the task under way) and frees s. */
void sched_stop(struct sched *s);

#endif
