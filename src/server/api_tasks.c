/*
 * /api/v1/tasks: scheduled tasks (sched/sched.h). Anyone may read the
 * tasks of their org tree; org_admin and admin create, change, delete
 * and run them; purge tasks are admin's, and clean only the task's org
 * tree (every org, when the task's org is the root org).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sched/sched.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "store/store_sched.h"

static const char *const task_keys[] = {
	"name",	      "type", "schedule",  "enabled", "options", "report",
	"recipients", "days", "discovery", "subject", "org_id",	 NULL};

/* The task of the path's {id}, or NULL after replying 404. */
static json_t *task_load(struct request *rq)
{
	int found = 0;
	json_t *t = store_task_get(rq->st, rq->params.id[0], &found);

	if (t && api_org_visible(
			 rq, json_integer_value(json_object_get(t, "org_id"))))
		return t;
	json_decref(t);
	if (!found || t)
		api_reply_error(rq, 404, NULL, "no task %lld",
				(long long)rq->params.id[0]);
	else
		api_reply_error(rq, 500, NULL, "cannot read task %lld",
				(long long)rq->params.id[0]);
	return NULL;
}

static int task_unknown_key(struct request *rq, json_t *body)
{
	const char *k;
	json_t *v;
	int i;

	json_object_foreach(body, k, v) {
		for (i = 0; task_keys[i] && strcmp(task_keys[i], k); i++)
			;
		if (!task_keys[i]) {
			api_reply_error(rq, 400, k,
					"unknown field '%.40s' (name, type, "
					"schedule, enabled, options, report, "
					"recipients, days, targets, subject, "
					"org_id)",
					k);
			return 1;
		}
	}
	return 0;
}

/* Checks what only the API can: the org, the role for purge tasks, and
 * that a report task's report is there. 0, or -1 after replying. */
static int task_check_access(struct request *rq, json_t *task)
{
	json_t *org = json_object_get(task, "org_id"), *rep, *key;
	const char *type = json_string_value(json_object_get(task, "type"));
	char keybuf[32];
	int64_t *orgs = NULL;
	json_t *tree;
	size_t i;
	int found = 0, n;

	if (!org) {
		json_object_set_new(task, "org_id",
				    json_integer(rq->who.org_id));
	} else if (!json_is_integer(org) ||
		   !api_org_visible(rq, json_integer_value(org))) {
		api_reply_error(rq, 400, "org_id",
				"org_id must be an org of your tree");
		return -1;
	}
	if (!strcmp(type, "purge") && !api_need_role(rq, ROLE_ADMIN))
		return -1;
	if (strcmp(type, "report"))
		return 0;
	key = json_object_get(json_object_get(task, "options"), "report");
	if (json_is_integer(key))
		snprintf(keybuf, sizeof(keybuf), "%lld",
			 (long long)json_integer_value(key));
	else
		snprintf(keybuf, sizeof(keybuf), "%.30s",
			 json_string_value(key));
	tree = store_api_org_tree(
		rq->st, json_integer_value(json_object_get(task, "org_id")));
	n = (int)json_array_size(tree);
	orgs = xcalloc((size_t)n + 1, sizeof(*orgs));
	for (i = 0; i < (size_t)n; i++)
		orgs[i] = json_integer_value(json_array_get(tree, i));
	rep = store_report_find(
		rq->st, json_is_integer(key) ? keybuf : json_string_value(key),
		orgs, n, &found);
	free(orgs);
	json_decref(tree);
	if (!rep) {
		api_reply_error(rq, 400, "report",
				"report '%s' does not exist in the task's "
				"orgs (GET /api/v1/reports lists them)",
				json_is_integer(key) ? keybuf
						     : json_string_value(key));
		return -1;
	}
	json_decref(rep);
	return 0;
}

int api_tasks_list(struct request *rq)
{
	json_t *rows = store_task_list(
		rq->st, rq->who.all_orgs ? NULL : rq->who.orgs, rq->who.norgs);

	if (!rows)
		return api_reply_error(rq, 500, NULL, "cannot list tasks");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

int api_task_get(struct request *rq)
{
	json_t *t = task_load(rq);

	return t ? api_reply_json(rq, 200, t) : 0;
}

/* Normalises task, checks access and stores it (id 0: a new one). */
static int task_save(struct request *rq, json_t *task, int64_t id)
{
	char err[256];
	const char *field;
	int64_t new_id = id;
	int dup = 0, rc;

	if (sched_task_normalise(task, err, sizeof(err), &field) < 0)
		return api_reply_error(rq, 400, field, "%s", err);
	if (task_check_access(rq, task) < 0)
		return 0;
	rc = id ? store_task_update(rq->st, id, task, &dup)
		: store_task_add(rq->st, task, &new_id, &dup);
	if (rc < 0 && dup)
		return api_reply_error(
			rq, 409, "name", "a task named '%s' exists already",
			json_string_value(json_object_get(task, "name")));
	if (rc < 0)
		return api_reply_error(rq, 500, NULL, "cannot store the task");
	sched_wake();
	return api_reply_json(rq, id ? 200 : 201,
			      store_task_get(rq->st, new_id, NULL));
}

int api_task_create(struct request *rq)
{
	json_t *body;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	if (!task_unknown_key(rq, body))
		task_save(rq, body, 0);
	json_decref(body);
	return 0;
}

int api_task_update(struct request *rq)
{
	json_t *body = NULL, *t = NULL, *v;
	const char *k;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(t = task_load(rq)) ||
	    !(body = api_body_json(rq)) || task_unknown_key(rq, body))
		goto out;
	v = json_object_get(body, "type");
	if (v && !json_equal(v, json_object_get(t, "type"))) {
		api_reply_error(rq, 400, "type",
				"a task's type cannot change; make a new "
				"task");
		goto out;
	}
	if (json_object_get(body, "org_id") &&
	    !json_equal(json_object_get(body, "org_id"),
			json_object_get(t, "org_id"))) {
		api_reply_error(rq, 400, "org_id",
				"a task's org cannot change");
		goto out;
	}
	/* options given at the top level replace those keys only */
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "options"))
			json_object_update(json_object_get(t, "options"), v);
		else if (strcmp(k, "type") && strcmp(k, "org_id"))
			json_object_set(t, k, v);
	}
	task_save(rq, t, rq->params.id[0]);
out:
	json_decref(body);
	json_decref(t);
	return 0;
}

int api_task_delete(struct request *rq)
{
	json_t *t;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(t = task_load(rq)))
		return 0;
	json_decref(t);
	rc = store_task_delete(rq->st, rq->params.id[0]);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL, "cannot delete the task");
	return api_reply_text(rq, 204, "%s", "");
}

int api_task_run(struct request *rq)
{
	char result[1024];
	json_t *t, *after;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(t = task_load(rq)))
		return 0;
	if (!strcmp(json_string_value(json_object_get(t, "type")), "purge") &&
	    !api_need_role(rq, ROLE_ADMIN)) {
		json_decref(t);
		return 0;
	}
	rc = sched_task_run_record(rq->st, t, result, sizeof(result));
	json_decref(t);
	after = store_task_get(rq->st, rq->params.id[0], NULL);
	if (!after)
		return api_reply_error(rq, 500, NULL, "cannot read the task");
	json_object_set_new(after, "ok", json_boolean(rc == 0));
	return api_reply_json(rq, 200, after);
}
