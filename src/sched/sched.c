/*
 * The scheduler thread, task checking and task runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "sched/cron.h"
#include "sched/mail.h"
#include "sched/sched.h"
#include "store/store_api.h"
#include "store/store_discoveries.h"
#include "store/store_sched.h"

#define TASK_NAME_MAX 100
/* A scheduled task's lease (store_task_claim()): it is not renewed, so it
 * is longer than a task takes; a task whose server died while running it
 * is run by another server after that, when it is still due. */
#define SCHED_TASK_LEASE_SECONDS 900

struct sched {
	pthread_t thread;
	char *db;
};

static pthread_mutex_t sched_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_cond = PTHREAD_COND_INITIALIZER;
static int sched_stopping, sched_poked;
/* one task runs at a time, from the thread or from the API */
static pthread_mutex_t sched_run_lock = PTHREAD_MUTEX_INITIALIZER;
static int sched_in_utc = 1;
/* from sched_start(), under sched_lock */
static struct sched_hooks sched_hooks;

int sched_set_timezone(const char *tz)
{
	char path[300];

	if (!tz || !*tz || !strcmp(tz, "UTC")) {
		sched_in_utc = 1;
		return 0;
	}
	if (strstr(tz, "..") || tz[0] == '/' || strlen(tz) > 200) {
		log_err("timezone '%.64s' is not a zone name like "
			"Europe/Berlin",
			tz);
		return -1;
	}
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (access(path, R_OK) != 0) {
		log_err("timezone '%s' is unknown (no %s; install tzdata)", tz,
			path);
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	sched_in_utc = 0;
	return 0;
}

int sched_utc(void)
{
	return sched_in_utc;
}

int sched_schedule_check(const char *schedule, char *err, size_t errlen)
{
	struct cron c;

	if (cron_parse(schedule, &c, err, errlen) < 0)
		return -1;
	if (cron_next(&c, time(NULL), sched_in_utc) == (time_t)-1) {
		snprintf(err, errlen,
			 "schedule: '%s' never fires (a day "
			 "that does not exist in that month?)",
			 schedule);
		return -1;
	}
	return 0;
}

int sched_next_run(const char *schedule, time_t after, char out[20])
{
	struct cron c;
	char err[160];
	time_t t;

	if (cron_parse(schedule, &c, err, sizeof(err)) < 0) {
		log_err("task schedule '%s': %s", schedule, err);
		return -1;
	}
	t = cron_next(&c, after, sched_in_utc);
	if (t == (time_t)-1)
		return -1;
	util_time_format(t, out);
	return 0;
}

/* ---- checking tasks ---- */

static int task_fail(char *err, size_t errlen, const char **field,
		     const char *f, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	*field = f;
	return -1;
}

static int task_check_recipients(json_t *r, char *err, size_t errlen,
				 const char **field)
{
	json_t *v;
	size_t i;

	if (!json_is_array(r) || json_array_size(r) < 1 ||
	    json_array_size(r) > MAIL_MAX_RCPT)
		return task_fail(err, errlen, field, "recipients",
				 "a report task needs recipients: a list of "
				 "1 to 50 mail addresses");
	json_array_foreach(r, i, v)
		if (!mail_address_ok(json_string_value(v))) {
			snprintf(err, errlen,
				 "recipient %zu is not a plain "
				 "address like name@example.org",
				 i + 1);
			*field = "recipients";
			return -1;
		}
	return 0;
}

static int task_check_options(const char *type, json_t *opts, char *err,
			      size_t errlen, const char **field)
{
	json_t *v;

	if (!strcmp(type, "report")) {
		v = json_object_get(opts, "report");
		if (!(json_is_integer(v) && json_integer_value(v) > 0) &&
		    !(json_is_string(v) && *json_string_value(v)))
			return task_fail(err, errlen, field, "report",
					 "a report task needs report: the id "
					 "or name of a saved report");
		if (json_object_get(opts, "subject") &&
		    (!json_is_string(json_object_get(opts, "subject")) ||
		     strlen(json_string_value(
			     json_object_get(opts, "subject"))) > 200))
			return task_fail(err, errlen, field, "subject",
					 "subject must be text of at most "
					 "200 bytes");
		return task_check_recipients(
			json_object_get(opts, "recipients"), err, errlen,
			field);
	}
	if (!strcmp(type, "purge")) {
		v = json_object_get(opts, "days");
		if (!v) {
			json_object_set_new(
				opts, "days",
				json_integer(SCHED_PURGE_DAYS_DEFAULT));
			return 0;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 36500)
			return task_fail(err, errlen, field, "days",
					 "days must be a whole number of "
					 "days from 1 to 36500");
		return 0;
	}
	v = json_object_get(opts, "discovery");
	if (!(json_is_integer(v) && json_integer_value(v) > 0) &&
	    !(json_is_string(v) && *json_string_value(v) &&
	      strlen(json_string_value(v)) <= 200))
		return task_fail(err, errlen, field, "discovery",
				 "a discovery task needs discovery: the id "
				 "or name of a stored discovery");
	return 0;
}

int sched_task_normalise(json_t *task, char *err, size_t errlen,
			 const char **field)
{
	static const char *const moved[] = {"report",	 "recipients", "days",
					    "discovery", "subject",    NULL};
	const char *name = json_string_value(json_object_get(task, "name"));
	const char *type = json_string_value(json_object_get(task, "type"));
	const char *sched =
		json_string_value(json_object_get(task, "schedule"));
	json_t *opts = json_object_get(task, "options"), *en;
	char cerr[160], next[20];
	int i;

	*field = NULL;
	if (!name || !*name || strlen(name) > TASK_NAME_MAX)
		return task_fail(err, errlen, field, "name",
				 "name is required (text, at most 100 "
				 "bytes)");
	if (!type ||
	    (strcmp(type, "report") && strcmp(type, "purge") &&
	     strcmp(type, "discovery") && strcmp(type, "active_directory")))
		return task_fail(err, errlen, field, "type",
				 "type must be report, purge, discovery or "
				 "active_directory");
	if (!sched || sched_schedule_check(sched, cerr, sizeof(cerr)) < 0) {
		snprintf(err, errlen, "%s",
			 sched ? cerr
			       : "schedule is required: 5 cron fields "
				 "(\"0 6 * * 1\") or @hourly, @daily, "
				 "@weekly, @monthly");
		*field = "schedule";
		return -1;
	}
	if (opts && !json_is_object(opts))
		return task_fail(err, errlen, field, "options",
				 "options must be an object");
	opts = opts ? json_deep_copy(opts) : json_object();
	for (i = 0; moved[i]; i++) {
		json_t *v = json_object_get(task, moved[i]);

		if (v)
			json_object_set(opts, moved[i], v);
		json_object_del(task, moved[i]);
	}
	json_object_set_new(task, "options", opts);
	en = json_object_get(task, "enabled");
	if (en && !json_is_boolean(en))
		return task_fail(err, errlen, field, "enabled",
				 "enabled must be true or false");
	if (!en)
		json_object_set_new(task, "enabled", json_true());
	if (task_check_options(type, opts, err, errlen, field) < 0)
		return -1;
	if (sched_next_run(sched, time(NULL), next) < 0)
		return task_fail(err, errlen, field, "schedule",
				 "schedule never fires");
	json_object_set_new(task, "next_run", json_string(next));
	return 0;
}

/* ---- running tasks ---- */

/* The org tree of org_id as a new array (*n entries; free()). */
static int64_t *task_orgs(struct store *st, int64_t org_id, int *n)
{
	json_t *tree = store_api_org_tree(st, org_id);
	int64_t *ids;
	size_t i;

	*n = 0;
	if (!tree)
		return NULL;
	ids = xcalloc(json_array_size(tree) + 1, sizeof(*ids));
	for (i = 0; i < json_array_size(tree); i++)
		ids[i] = json_integer_value(json_array_get(tree, i));
	*n = (int)json_array_size(tree);
	json_decref(tree);
	return ids;
}

static int task_run_report(struct store *st, json_t *task, char *result,
			   size_t len)
{
	json_t *opts = json_object_get(task, "options");
	json_t *key = json_object_get(opts, "report"), *rep = NULL;
	int64_t *orgs;
	char keybuf[32], answer[512];
	const char *k;
	int norgs, found = 0, rc = -1;

	orgs = task_orgs(st,
			 json_integer_value(json_object_get(task, "org_id")),
			 &norgs);
	if (!orgs) {
		snprintf(result, len, "cannot read the task's org tree");
		return -1;
	}
	if (json_is_integer(key)) {
		snprintf(keybuf, sizeof(keybuf), "%lld",
			 (long long)json_integer_value(key));
		k = keybuf;
	} else {
		k = json_string_value(key) ? json_string_value(key) : "";
	}
	rep = store_report_find(st, k, orgs, norgs, &found);
	if (!rep) {
		snprintf(result, len, "report '%.100s' %s", k,
			 found ? "cannot be read"
			       : "does not exist (in the task's orgs)");
		goto out;
	}
	rc = sched_report_mail(
		st, rep, json_object_get(opts, "recipients"), orgs, norgs,
		json_string_value(json_object_get(opts, "subject")), answer,
		sizeof(answer));
	snprintf(result, len, "%s: %s", rc == 0 ? "mailed" : "not mailed",
		 answer);
out:
	json_decref(rep);
	free(orgs);
	return rc;
}

static int task_run_purge(struct store *st, json_t *task, char *result,
			  size_t len)
{
	json_int_t days = json_integer_value(
		json_object_get(json_object_get(task, "options"), "days"));
	int64_t org = json_integer_value(json_object_get(task, "org_id"));
	json_t *counts = NULL;
	int64_t *orgs;
	char cutoff[20];
	int norgs, root, rc;

	if (days < 1)
		days = SCHED_PURGE_DAYS_DEFAULT;
	util_time_format(time(NULL) - (time_t)days * 86400, cutoff);
	/* a purge cleans its own org tree; only one of the root org cleans
	 * everything, rows that belong to no org included */
	orgs = task_orgs(st, org, &norgs);
	root = store_org_is_root(st, org);
	if (!orgs || !norgs || root < 0) {
		free(orgs);
		snprintf(result, len, "cannot read the task's org tree");
		return -1;
	}
	rc = store_purge(st, cutoff, root ? NULL : orgs, norgs, &counts);
	free(orgs);
	if (rc < 0) {
		snprintf(result, len, "purge failed (see the server log)");
		return -1;
	}
	snprintf(result, len,
		 "deleted rows older than %s in %s: %lld retired "
		 "components, %lld changes, %lld audit log rows, %lld "
		 "discovery runs",
		 cutoff, root ? "every org" : "the task's org tree",
		 (long long)json_integer_value(
			 json_object_get(counts, "components")),
		 (long long)json_integer_value(
			 json_object_get(counts, "changes")),
		 (long long)json_integer_value(
			 json_object_get(counts, "audits")),
		 (long long)json_integer_value(
			 json_object_get(counts, "discovery_runs")));
	json_decref(counts);
	return 0;
}

/* The stored discovery named by the task (an id or a name in the task's
 * org tree), or NULL with the reason in result. */
static json_t *task_find_discovery(struct store *st, json_t *task, char *result,
				   size_t len)
{
	json_t *key =
		json_object_get(json_object_get(task, "options"), "discovery");
	int64_t *orgs, id = 0, org;
	json_t *def = NULL;
	int norgs, i, found = 0, visible = 0;

	orgs = task_orgs(st,
			 json_integer_value(json_object_get(task, "org_id")),
			 &norgs);
	if (!orgs) {
		snprintf(result, len, "cannot read the task's org tree");
		return NULL;
	}
	if (json_is_integer(key)) {
		id = json_integer_value(key);
	} else if (json_is_string(key)) {
		for (i = 0; i < norgs && !id; i++)
			if (store_discodef_find(st, orgs[i],
						json_string_value(key),
						&id) < 0)
				break;
	}
	if (id > 0)
		def = store_discodef_get(st, id, &found);
	org = json_integer_value(json_object_get(def, "org_id"));
	for (i = 0; def && i < norgs; i++)
		visible |= orgs[i] == org;
	if (!def || !visible) {
		if (json_is_integer(key))
			snprintf(result, len,
				 "discovery %lld does not exist (in the "
				 "task's orgs)",
				 (long long)json_integer_value(key));
		else
			snprintf(result, len,
				 "discovery '%.100s' does not exist (in the "
				 "task's orgs)",
				 json_string_value(key) ? json_string_value(key)
							: "");
		json_decref(def);
		def = NULL;
	}
	free(orgs);
	return def;
}

/* Tells whoever started the scheduler that a run was queued. */
static void sched_run_queued(void)
{
	struct sched_hooks h;

	pthread_mutex_lock(&sched_lock);
	h = sched_hooks;
	pthread_mutex_unlock(&sched_lock);
	if (h.run_queued)
		h.run_queued(h.ud);
}

/* Queues a run of the task's stored discovery for the server's runner
 * (sched_hooks.run_queued); the run itself is followed at
 * /api/v1/discovery-runs/{id}. */
static int task_run_discovery(struct store *st, json_t *task, char *result,
			      size_t len)
{
	json_t *def = task_find_discovery(st, task, result, len);
	const char *type = json_string_value(json_object_get(task, "type"));
	int64_t did, active = 0, run_id = 0;
	const char *name;
	int rc = -1;

	if (!def)
		return -1;
	if (type && !strcmp(type, "active_directory") &&
	    !json_is_string(json_object_get(json_object_get(def, "options"),
					    "ad_server"))) {
		snprintf(result, len,
			 "discovery '%.100s' reads no directory (its options "
			 "have no ad_server): use a discovery task for it",
			 json_string_value(json_object_get(def, "name")));
		json_decref(def);
		return -1;
	}
	did = json_integer_value(json_object_get(def, "id"));
	name = json_string_value(json_object_get(def, "name"));
	/* one transaction: two servers cannot both find no run active and
	 * queue one each */
	if (store_batch_begin(st) < 0) {
		snprintf(result, len, "the database is busy: not queued");
	} else if (store_discorun_active(st, did, &active) < 0) {
		snprintf(result, len,
			 "cannot read the runs of discovery "
			 "'%.100s'",
			 name);
	} else if (active) {
		snprintf(result, len,
			 "not queued: run %lld of discovery '%.100s' is "
			 "still queued or running",
			 (long long)active, name);
	} else if (store_discorun_queue(st, did, &run_id) < 0) {
		snprintf(result, len,
			 "cannot queue a run of discovery "
			 "'%.100s'",
			 name);
	} else {
		snprintf(result, len, "queued run %lld of discovery '%.100s'",
			 (long long)run_id, name);
		rc = 0;
	}
	if (rc == 0 && store_batch_commit(st) < 0) {
		snprintf(result, len,
			 "cannot queue a run of discovery '%.100s'", name);
		rc = -1;
	} else if (rc < 0) {
		store_batch_rollback(st);
	}
	if (rc == 0)
		sched_run_queued();
	json_decref(def);
	return rc;
}

int sched_task_run(struct store *st, json_t *task, char *result,
		   size_t result_len)
{
	const char *type = json_string_value(json_object_get(task, "type"));

	if (type && !strcmp(type, "report"))
		return task_run_report(st, task, result, result_len);
	if (type && !strcmp(type, "purge"))
		return task_run_purge(st, task, result, result_len);
	return task_run_discovery(st, task, result, result_len);
}

int sched_task_run_record(struct store *st, json_t *task, char *result,
			  size_t result_len)
{
	const char *schedule =
		json_string_value(json_object_get(task, "schedule"));
	int64_t id = json_integer_value(json_object_get(task, "id"));
	char started[20], next[20];
	int rc, has_next;

	pthread_mutex_lock(&sched_run_lock);
	util_time_format(time(NULL), started);
	rc = sched_task_run(st, task, result, result_len);
	has_next = schedule && sched_next_run(schedule, time(NULL), next) == 0;
	if (store_task_finish(st, id, started, rc == 0 ? "ok" : "failed",
			      result, has_next ? next : NULL) < 0)
		rc = -1;
	pthread_mutex_unlock(&sched_run_lock);
	log_info("task %lld (%s): %s", (long long)id,
		 json_string_value(json_object_get(task, "name")), result);
	return rc;
}

/* ---- the thread ---- */

static int sched_should_stop(void)
{
	int s;

	pthread_mutex_lock(&sched_lock);
	s = sched_stopping;
	pthread_mutex_unlock(&sched_lock);
	return s;
}

/* Runs what is due now. */
static void sched_tick(struct sched *s, struct store *st)
{
	char now[20], next[20], result[1024];
	json_t *due, *task;
	size_t i;

	util_time_format(time(NULL), now);
	due = store_task_due(st, now);
	json_array_foreach(due, i, task) {
		const char *sch =
			json_string_value(json_object_get(task, "schedule"));

		if (sched_should_stop())
			break;
		if (json_is_null(json_object_get(task, "next_run"))) {
			/* never scheduled (e.g. enabled by hand): schedule
			 * it, do not run it */
			if (sch && sched_next_run(sch, time(NULL), next) == 0) {
				store_task_set_next(
					st,
					json_integer_value(
						json_object_get(task, "id")),
					next);
			}
			continue;
		}
		/* several servers on one database: only the one whose claim
		 * holds runs it, once per period (store_task_finish() moves
		 * next_run on and ends the lease) */
		if (store_task_claim(
			    st, json_integer_value(json_object_get(task, "id")),
			    now, SCHED_TASK_LEASE_SECONDS) != 1)
			continue;
		sched_task_run_record(st, task, result, sizeof(result));
	}
	json_decref(due);
}

static void *sched_main(void *arg)
{
	struct sched *s = arg;
	struct store *st = store_open(s->db);

	if (!st) {
		log_err("scheduler: cannot open the database; no task will "
			"run");
		return NULL;
	}
	store_api_tune(st);
	log_info("scheduler: started (schedules in %s)",
		 sched_in_utc ? "UTC" : getenv("TZ"));
	for (;;) {
		struct timespec ts;
		time_t now;

		if (sched_should_stop())
			break;
		/* a database that was restarted: connect again first */
		if (store_ready(st) == 0)
			sched_tick(s, st);
		now = time(NULL);
		ts.tv_sec = now - now % 60 + 60; /* the next whole minute */
		ts.tv_nsec = 5 * 1000 * 1000;
		pthread_mutex_lock(&sched_lock);
		while (!sched_stopping && !sched_poked) {
			int rc = pthread_cond_timedwait(&sched_cond,
							&sched_lock, &ts);

			if (rc == ETIMEDOUT)
				break;
		}
		sched_poked = 0;
		pthread_mutex_unlock(&sched_lock);
	}
	store_close(st);
	return NULL;
}

struct sched *sched_start(const char *db, const struct sched_hooks *hooks)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	sigset_t all, old;
	int rc;

	s->db = xstrdup(db);
	pthread_mutex_lock(&sched_lock);
	sched_stopping = 0;
	sched_poked = 0;
	memset(&sched_hooks, 0, sizeof(sched_hooks));
	if (hooks)
		sched_hooks = *hooks;
	pthread_mutex_unlock(&sched_lock);
	/* the thread must never take SIGTERM/SIGINT from the server's
	 * sigwait() */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&s->thread, NULL, sched_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_err("scheduler: cannot start its thread: %s", strerror(rc));
		pthread_mutex_lock(&sched_lock);
		memset(&sched_hooks, 0, sizeof(sched_hooks));
		pthread_mutex_unlock(&sched_lock);
		free(s->db);
		free(s);
		return NULL;
	}
	return s;
}

void sched_wake(void)
{
	pthread_mutex_lock(&sched_lock);
	sched_poked = 1;
	pthread_cond_signal(&sched_cond);
	pthread_mutex_unlock(&sched_lock);
}

void sched_stop(struct sched *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&sched_lock);
	sched_stopping = 1;
	pthread_cond_signal(&sched_cond);
	pthread_mutex_unlock(&sched_lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_lock(&sched_lock);
	memset(&sched_hooks, 0, sizeof(sched_hooks));
	pthread_mutex_unlock(&sched_lock);
	free(s->db);
	free(s);
}
