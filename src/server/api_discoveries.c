/*
 * /api/v1/discoveries (stored definitions, store_discoveries.h),
 * POST /discoveries/{id}/run (queue a run for the runner, runner.c),
 * GET /discovery-runs/{id} (the run with its live progress and its log
 * counted by stage) and POST /discovery-runs/{id}/cancel.
 *
 * Everyone reads the definitions and runs of their org tree; org_admin
 * and admin create, change, delete and run them. A definition is checked
 * whole before it is stored — targets parsed (no host names: nothing is
 * resolved on the server's behalf), ports or preset known, options of the
 * right type and range, credentials existing and visible to the caller —
 * so a run fails only for reasons that arise at run time.
 */
#include <stdio.h>
#include <string.h>

#include "discover/discover_def.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_collectors.h"
#include "store/store_discoveries.h"
#include "store/store_stats.h"

#define DEF_NAME_MAX 200
#define DEF_TARGETS_MAX (64 * 1024)

/* ---- checking a definition ---- */

/* Credential id (borrowed from creds) when it exists and its org is
 * visible to the caller, else NULL. */
static json_t *def_credential_find(struct request *rq, json_t *creds,
				   int64_t id)
{
	json_t *c;
	size_t i;

	json_array_foreach(creds, i, c)
		if (json_integer_value(json_object_get(c, "id")) == id)
			return api_org_visible(
				       rq, json_integer_value(json_object_get(
						   c, "org_id")))
				       ? c
				       : NULL;
	return NULL;
}

/* The credential ids of a definition: known and visible, and for an
 * Active Directory discovery (ad) one that can bind. 0, or -1 after
 * replying 400. */
static int def_check_credentials(struct request *rq, json_t *ids, int ad)
{
	json_t *all, *id, *c;
	const char *t;
	int binds = 0;
	size_t i;

	if (!json_is_array(ids) || json_array_size(ids) > 64) {
		api_reply_error(rq, 400, "credentials",
				"credentials must be an array of at most 64 "
				"credential ids");
		return -1;
	}
	all = store_credential_list(rq->st);
	if (!all) {
		api_reply_error(rq, 500, NULL, "cannot read credentials");
		return -1;
	}
	json_array_foreach(ids, i, id) {
		c = json_is_integer(id)
			    ? def_credential_find(rq, all,
						  json_integer_value(id))
			    : NULL;
		if (!c) {
			char v[32];

			snprintf(v, sizeof(v), "%lld",
				 (long long)json_integer_value(id));
			api_reply_error(rq, 400, "credentials",
					"no credential %s (give ids from "
					"GET /api/v1/credentials)",
					json_is_integer(id) ? v
							    : "that is "
							      "not an id");
			json_decref(all);
			return -1;
		}
		t = json_string_value(json_object_get(c, "type"));
		binds |= t && (!strcmp(t, "ldap") || !strcmp(t, "windows"));
	}
	json_decref(all);
	if (ad && !binds) {
		api_reply_error(rq, 400, "credentials",
				"an Active Directory discovery needs an ldap "
				"or windows credential to bind to the domain "
				"controller with (Administration, "
				"Credentials)");
		return -1;
	}
	return 0;
}

static int def_check_text(struct request *rq, json_t *body, const char *k,
			  size_t max, int required)
{
	json_t *v = json_object_get(body, k);

	if (!required && json_is_string(v) && !json_string_length(v))
		json_object_set_new(body, k, json_null()); /* "" clears it */
	v = json_object_get(body, k);
	if ((!v || json_is_null(v)) && !required)
		return 0;
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) > max) {
		if (required)
			api_reply_error(rq, 400, k,
					"%s is required: text of 1 to %zu "
					"characters",
					k, max);
		else
			api_reply_error(rq, 400, k,
					"%s must be text of at most %zu "
					"characters, or empty for none",
					k, max);
		return -1;
	}
	return 0;
}

/* The collector def names (its name or id; null or absent: the server
 * itself) becomes its id. 0, or -1 after replying 400. */
static int def_check_collector(struct request *rq, json_t *def)
{
	json_t *v = json_object_get(def, "collector"), *c;
	char name[32];
	const char *s = name;
	int64_t id = 0;
	int found = 0;

	if (!v || json_is_null(v) ||
	    (json_is_string(v) && !json_string_length(v))) {
		json_object_set_new(def, "collector", json_null());
		return 0;
	}
	if (json_is_integer(v))
		snprintf(name, sizeof(name), "%lld",
			 (long long)json_integer_value(v));
	else if (json_is_string(v))
		s = json_string_value(v);
	else
		s = NULL;
	if (s && store_collector_find(rq->st, s, &id) == 0 && id) {
		c = store_collector_get(rq->st, id, &found);
		if (c && api_org_visible(rq, json_integer_value(json_object_get(
						     c, "org_id")))) {
			json_decref(c);
			json_object_set_new(def, "collector", json_integer(id));
			return 0;
		}
		json_decref(c);
	}
	api_reply_error(rq, 400, "collector",
			"no collector '%s' (give a name or id from GET "
			"/api/v1/collectors, or null for the server itself)",
			s ? s : "of that type");
	return -1;
}

/* Checks def (the complete definition after a create or patch). 0, or -1
 * after replying 400. */
static int def_check(struct request *rq, json_t *def)
{
	static const char *const keys[] = {
		"name",	       "targets", "exclude",   "options",
		"credentials", "org_id",  "collector", NULL};
	const char *k, *field;
	char why[512];
	json_t *v;
	int i, ad;

	json_object_foreach(def, k, v) {
		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i]) {
			api_reply_error(rq, 400, k,
					"unknown field '%s'; a discovery has "
					"name, targets, exclude, options, "
					"credentials, org_id, collector",
					k);
			return -1;
		}
	}
	/* an Active Directory discovery (options.ad_server) reads the
	 * directory: targets are not needed */
	ad = json_is_string(
		json_object_get(json_object_get(def, "options"), "ad_server"));
	if (ad && !json_string_length(json_object_get(
			  json_object_get(def, "options"), "ad_server"))) {
		api_reply_error(rq, 400, "ad_server",
				"ad_server is required for an Active "
				"Directory discovery: the domain controller, "
				"HOST, ldaps://HOST[:PORT] or "
				"ldap://HOST[:PORT]");
		return -1;
	}
	if (ad && !json_object_get(def, "targets"))
		json_object_set_new(def, "targets", json_string(""));
	if (def_check_text(rq, def, "name", DEF_NAME_MAX, 1) < 0 ||
	    (!ad &&
	     def_check_text(rq, def, "targets", DEF_TARGETS_MAX, 1) < 0) ||
	    def_check_text(rq, def, "exclude", DEF_TARGETS_MAX, 0) < 0)
		return -1;
	/* the options and targets as the run builder reads them */
	if (discover_def_check(def, &field, why, sizeof(why)) < 0) {
		api_reply_error(rq, 400, field, "%s", why);
		return -1;
	}
	if (def_check_collector(rq, def) < 0)
		return -1;
	return def_check_credentials(rq, json_object_get(def, "credentials"),
				     ad);
}

/* The definition in the path when the caller sees it; else replies 404
 * and returns NULL. */
static json_t *def_find(struct request *rq)
{
	int found = 0;
	json_t *def = store_discodef_get(rq->st, rq->params.id[0], &found);

	if (def && api_org_visible(rq, json_integer_value(
					       json_object_get(def, "org_id"))))
		return def;
	json_decref(def);
	api_reply_error(rq, def || !found ? 404 : 500, NULL,
			"no discovery %lld", (long long)rq->params.id[0]);
	return NULL;
}

/* A definition as stored, without the store's own members. */
static json_t *def_editable(json_t *def)
{
	return json_pack("{sOsOsOsOsOsOsO}", "name",
			 json_object_get(def, "name"), "targets",
			 json_object_get(def, "targets"), "exclude",
			 json_object_get(def, "exclude"), "options",
			 json_object_get(def, "options"), "credentials",
			 json_object_get(def, "credentials"), "org_id",
			 json_object_get(def, "org_id"), "collector",
			 json_object_get(def, "collector"));
}

/* ---- handlers ---- */

int api_discoveries_list(struct request *rq)
{
	int norgs;
	const int64_t *orgs = api_scope(rq, &norgs);
	json_t *rows;

	if (!api_args_known(rq, NULL, NULL))
		return 0;
	rows = store_discodef_list(rq->st, orgs, norgs);
	if (!rows)
		return api_reply_error(rq, 500, NULL,
				       "cannot read discoveries");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

int api_discovery_get(struct request *rq)
{
	json_t *def = def_find(rq);

	return def ? api_reply_json(rq, 200, def) : 0;
}

/* Stores def as new (id 0) or over id, after the checks and the name's
 * uniqueness in its org; replies. */
static void def_save(struct request *rq, json_t *def, int64_t id)
{
	const char *name = json_string_value(json_object_get(def, "name"));
	int64_t org, other = 0;
	int rc, is_new = !id;

	if (!json_object_get(def, "options"))
		json_object_set_new(def, "options", json_object());
	if (!json_object_get(def, "credentials"))
		json_object_set_new(def, "credentials", json_array());
	if (def_check(rq, def) < 0 || api_body_org(rq, def, "org_id", &org) < 0)
		return;
	json_object_set_new(def, "org_id", json_integer(org));
	if (api_tx_begin(rq) < 0)
		return;
	if (store_discodef_find(rq->st, org, name, &other) == 0 && other &&
	    other != id) {
		api_tx_end(rq);
		api_reply_error(rq, 409, "name",
				"discovery '%s' already exists (id %lld)", name,
				(long long)other);
		return;
	}
	rc = id ? store_discodef_update(rq->st, id, def)
		: store_discodef_add(rq->st, def, &id);
	if (api_tx_end(rq) < 0)
		return;
	if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot store the discovery");
		return;
	}
	api_reply_json(rq, is_new ? 201 : 200,
		       store_discodef_get(rq->st, id, NULL));
}

int api_discovery_create(struct request *rq)
{
	json_t *body;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	json_object_del(body, "id");
	def_save(rq, body, 0);
	json_decref(body);
	return 0;
}

int api_discovery_patch(struct request *rq)
{
	json_t *def, *body = NULL, *merged = NULL;

	if (!(def = def_find(rq)))
		return 0;
	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(body = api_body_json(rq)))
		goto out;
	merged = def_editable(def);
	json_object_update(merged, body);
	def_save(rq, merged, rq->params.id[0]);
out:
	json_decref(merged);
	json_decref(body);
	json_decref(def);
	return 0;
}

/* With the write lock held: when a run of the path's discovery is queued
 * or running, releases the lock, replies 409 (deleting: saying how to
 * cancel it) and returns 1; else 0. */
static int def_busy(struct request *rq, int deleting)
{
	int64_t active = 0;

	if (store_discorun_active(rq->st, rq->params.id[0], &active) < 0 ||
	    !active)
		return 0;
	api_tx_end(rq);
	if (deleting)
		api_reply_error(rq, 409, NULL,
				"run %lld of this discovery is queued or "
				"running: cancel it first (POST "
				"/api/v1/discovery-runs/%lld/cancel)",
				(long long)active, (long long)active);
	else
		api_reply_error(rq, 409, NULL,
				"run %lld of this discovery is already queued "
				"or running",
				(long long)active);
	return 1;
}

int api_discovery_delete(struct request *rq)
{
	json_t *def;

	if (!(def = def_find(rq)))
		return 0;
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		goto out;
	if (api_tx_begin(rq) < 0 || def_busy(rq, 1))
		goto out;
	if (store_discodef_delete(rq->st, rq->params.id[0]) < 0)
		api_reply_error(rq, 500, NULL, "cannot delete the discovery");
	else
		api_reply_text(rq, 204, "%s", "");
	api_tx_end(rq);
out:
	json_decref(def);
	return 0;
}

int api_discovery_run(struct request *rq)
{
	json_t *def;
	int64_t run_id = 0;
	char url[64];

	if (!(def = def_find(rq)))
		return 0;
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		goto out;
	if (api_tx_begin(rq) < 0 || def_busy(rq, 0))
		goto out;
	if (store_discorun_queue(rq->st, rq->params.id[0], &run_id) < 0) {
		api_tx_end(rq);
		api_reply_error(rq, 500, NULL, "cannot queue the run");
		goto out;
	}
	if (api_tx_end(rq) < 0)
		goto out;
	runner_wake();
	snprintf(url, sizeof(url), "/api/v1/discovery-runs/%lld",
		 (long long)run_id);
	api_reply_json(rq, 202,
		       json_pack("{sIsIssssss+}", "id", (json_int_t)run_id,
				 "discovery_id", (json_int_t)rq->params.id[0],
				 "state", "queued", "url", url, "log", url,
				 "/log"));
out:
	json_decref(def);
	return 0;
}

/* The run in the path when the caller sees it; else replies 404. */
static json_t *run_find(struct request *rq)
{
	int norgs, found = 0;
	const int64_t *orgs = api_scope(rq, &norgs);
	json_t *run = store_stats_run_get(rq->st, orgs, norgs, rq->params.id[0],
					  &found);

	if (!run)
		api_reply_error(rq, found ? 500 : 404, NULL,
				"no discovery run %lld",
				(long long)rq->params.id[0]);
	return run;
}

int api_discovery_run_get(struct request *rq)
{
	json_t *run, *stages;

	if (!api_args_known(rq, NULL, NULL))
		return 0;
	if (!(run = run_find(rq)))
		return 0;
	stages = store_discorun_stages(rq->st, rq->params.id[0]);
	json_object_set_new(run, "log_counts", stages ? stages : json_null());
	if (!runner_live(rq->params.id[0], run))
		json_object_set_new(run, "progress", json_null());
	return api_reply_json(rq, 200, run);
}

int api_discovery_run_cancel(struct request *rq)
{
	json_t *run;
	char state[16];
	int64_t disc = 0;
	int changed = 0, remote = 0;

	if (!(run = run_find(rq)))
		return 0;
	json_decref(run);
	if (!api_need_role(rq, ROLE_ORG_ADMIN))
		return 0;
	if (api_tx_begin(rq) < 0)
		return 0;
	store_discorun_cancel_queued(rq->st, rq->params.id[0], &changed);
	if (!changed) /* a collector's running run: it stops at its next post */
		store_collector_run_cancel(rq->st, rq->params.id[0], &remote);
	if (api_tx_end(rq) < 0)
		return 0;
	if (changed || remote || runner_cancel(rq->params.id[0]))
		return api_reply_json(
			rq, 202,
			json_pack("{sIss}", "id", (json_int_t)rq->params.id[0],
				  "state", changed ? "cancelled" : "stopping"));
	store_discorun_state(rq->st, rq->params.id[0], &disc, state);
	return api_reply_error(rq, 409, NULL,
			       "run %lld is %s, not queued or running",
			       (long long)rq->params.id[0], state);
}
