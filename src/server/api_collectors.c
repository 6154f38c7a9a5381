/*
 * The collector API (docs/collectors.md): what `netcensus collector`
 * calls with its collector-role token, and what admins see of collectors.
 *
 * A collector registers (POST /collectors/register: name, version, host,
 * subnets), then asks for jobs (GET /collectors/jobs: the oldest run
 * queued for it, claimed, with the discovery's definition and the
 * credentials' secrets - over HTTPS only, unless the server was started
 * with collector_plain_http), posts live counters
 * (POST /collectors/runs/{id}/progress, answered with whether the run was
 * cancelled), and uploads its spool item by item (POST
 * /collectors/results: a device report, a batch of log rows or the run's
 * final state). A report goes through the same store sink as the
 * server's own runs (intake into the discovery's org, the SSH facts, a
 * "store" log row); its item id is recorded in the report's own
 * transaction, so an item sent again is answered "duplicate" and stored
 * once.
 *
 * A collector token reaches only these routes and intake (http.c), only
 * the collector it registered, only that collector's runs, and stores
 * only into the org of the run's discovery: it never names an org.
 * Everyone else reads collectors of their org tree (GET /collectors,
 * /collectors/{id}); org_admin and admin change and delete them.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "discover/discover.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/intake.h"
#include "store/store_collectors.h"
#include "store/store_discoveries.h"
#include "store/store_discovery.h"
#include "store/store_ssh.h"

#define COLL_NAME_MAX 100
#define COLL_TEXT_MAX 200
#define COLL_SUBNETS_MAX 256
#define COLL_ITEM_ID_LEN 32
#define COLL_BATCH_MAX 256

/* ---- the calling collector ---- */

/* 1 when the caller is a collector token; else replies 403. */
static int coll_need_token(struct request *rq)
{
	if (rq->who.role == ROLE_COLLECTOR && rq->token_id)
		return 1;
	api_reply_error(rq, 403, NULL,
			"only a collector's API token may call this (a user "
			"with the collector role, and a token of it)");
	return 0;
}

/* The collector the caller's token registered; 0 after replying 403. */
static int64_t coll_self(struct request *rq)
{
	int64_t id = 0;
	int enabled = 0;

	if (!coll_need_token(rq))
		return 0;
	if (store_collector_by_token(rq->st, rq->token_id, &id, &enabled) < 0) {
		api_reply_error(rq, 500, NULL, "cannot read collectors");
		return 0;
	}
	if (!id) {
		api_reply_error(rq, 403, NULL,
				"this token has not registered a collector: "
				"POST /api/v1/collectors/register first");
		return 0;
	}
	if (!enabled) {
		api_reply_error(rq, 403, NULL,
				"collector %lld is disabled by an "
				"administrator",
				(long long)id);
		return 0;
	}
	return id;
}

/* A text member of at most max characters (required or not). 0, or -1
 * after replying 400. */
static int coll_text(struct request *rq, json_t *body, const char *k,
		     size_t max, int required, const char **out)
{
	json_t *v = json_object_get(body, k);

	*out = NULL;
	if ((!v || json_is_null(v)) && !required)
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max ||
	    (required && !json_string_length(v)) ||
	    !util_utf8_valid(json_string_value(v), json_string_length(v))) {
		api_reply_error(rq, 400, k,
				"%s must be text of %s%zu characters", k,
				required ? "1 to " : "at most ", max);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* subnets: an array of CIDRs (checked). 0, or -1 after replying 400. */
static int coll_subnets(struct request *rq, json_t *v)
{
	struct server_net net;
	json_t *s;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > COLL_SUBNETS_MAX)
		goto bad;
	json_array_foreach(v, i, s)
		if (!json_is_string(s) ||
		    server_net_parse(json_string_value(s), &net) < 0)
			goto bad;
	return 0;
bad:
	api_reply_error(rq, 400, "subnets",
			"subnets must be an array of at most %d networks like "
			"198.18.0.0/24",
			COLL_SUBNETS_MAX);
	return -1;
}

int api_collector_register(struct request *rq)
{
	struct store_collector_reg r;
	json_t *body;
	int64_t id = 0, interrupted = 0;
	int rc;

	if (!coll_need_token(rq) || !(body = api_body_json(rq)))
		return 0;
	memset(&r, 0, sizeof(r));
	if (coll_text(rq, body, "name", COLL_NAME_MAX, 1, &r.name) < 0 ||
	    coll_text(rq, body, "version", COLL_TEXT_MAX, 0, &r.version) < 0 ||
	    coll_text(rq, body, "host", COLL_TEXT_MAX, 0, &r.host) < 0 ||
	    coll_subnets(rq, json_object_get(body, "subnets")) < 0)
		goto out;
	r.subnets = json_object_get(body, "subnets");
	r.user_id = rq->who.user_id;
	r.token_id = rq->token_id;
	r.org_id = rq->who.org_id;
	rc = store_collector_register(rq->st, &r, &id, &interrupted);
	if (rc == -2) {
		api_reply_error(rq, 409, "name",
				"collector '%s' belongs to another user; "
				"choose another --name",
				r.name);
		goto out;
	}
	if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot store the collector");
		goto out;
	}
	if (interrupted)
		log_warn("collector '%s' registered again: %lld of its runs "
			 "were running, marked interrupted",
			 r.name, (long long)interrupted);
	log_info("collector '%s' (id %lld) registered from %s", r.name,
		 (long long)id, rq->client);
	api_reply_json(rq, 200,
		       json_pack("{sIsssIsI}", "id", (json_int_t)id, "name",
				 r.name, "org_id", (json_int_t)r.org_id,
				 "interrupted", (json_int_t)interrupted));
out:
	json_decref(body);
	return 0;
}

/* The spool the collector reports in ?spool=N&dropped=N (or a body). */
static void coll_seen(struct request *rq, int64_t id, json_t *body)
{
	const char *a = request_arg(rq, "spool"),
		   *b = request_arg(rq, "dropped");
	long depth = 0, dropped = 0;

	if (body) {
		depth = (long)json_integer_value(
			json_object_get(body, "spool"));
		dropped = (long)json_integer_value(
			json_object_get(body, "dropped"));
	}
	if (a)
		util_parse_long(a, 0, INT32_MAX, &depth);
	if (b)
		util_parse_long(b, 0, INT32_MAX, &dropped);
	if (api_tx_try(rq) == 0) {
		store_collector_seen(rq->st, id, depth, dropped);
		api_tx_end_try(rq);
	}
}

/* The job of run_id: the definition without credential ids, the
 * credentials with their secrets, the SSH facts of the org. NULL when the
 * discovery is gone. */
static json_t *coll_job(struct request *rq, int64_t run_id, int64_t disc_id,
			json_t **creds)
{
	json_t *def = store_discodef_get(rq->st, disc_id, NULL);
	json_t *id, *known, *job;
	int64_t org;
	size_t i;

	*creds = json_array();
	if (!def)
		return NULL;
	org = json_integer_value(json_object_get(def, "org_id"));
	json_array_foreach(json_object_get(def, "credentials"), i, id) {
		json_t *c = store_credential_get_secret(rq->st,
							json_integer_value(id));

		if (c)
			json_array_append_new(*creds, c);
		else
			log_warn("collector run %lld: credential %lld is gone; "
				 "the job goes without it",
				 (long long)run_id,
				 (long long)json_integer_value(id));
	}
	known = store_ssh_host_map(rq->st, org);
	job = json_pack("{sIsIsOsIs{sOsOsOsOsIs[]}sOso}", "run_id",
			(json_int_t)run_id, "discovery_id", (json_int_t)disc_id,
			"name", json_object_get(def, "name"), "org_id",
			(json_int_t)org, "definition", "name",
			json_object_get(def, "name"), "targets",
			json_object_get(def, "targets"), "exclude",
			json_object_get(def, "exclude"), "options",
			json_object_get(def, "options"), "org_id",
			(json_int_t)org, "credentials", "credentials", *creds,
			"ssh_known", known ? known : json_object());
	json_decref(def);
	return job;
}

int api_collector_jobs(struct request *rq)
{
	int64_t id, run_id = 0, disc_id = 0;
	json_t *jobs = json_array(), *job, *creds = NULL;
	int rc;

	if (!(id = coll_self(rq)))
		goto out;
	if (!rq->tls && !rq->srv->cfg->collector_plain_http) {
		api_reply_error(rq, 403, NULL,
				"jobs carry credentials and go only over "
				"HTTPS: connect the collector to an https:// "
				"listener (or start the server with "
				"--collector-plain-http on a network you "
				"trust)");
		goto out;
	}
	coll_seen(rq, id, NULL);
	rc = store_discorun_claim_for(rq->st, id, &run_id, &disc_id);
	if (rc < 0) {
		api_reply_error(rq, 500, NULL, "cannot read the job queue");
		goto out;
	}
	if (run_id) {
		job = coll_job(rq, run_id, disc_id, &creds);
		if (job) {
			json_array_append_new(jobs, job);
			log_info("collector %lld took discovery run %lld",
				 (long long)id, (long long)run_id);
		}
	}
	api_reply_json(rq, 200, json_pack("{sO}", "jobs", jobs));
out:
	/* the reply is text now: wipe the secrets held in the tree */
	store_credential_wipe(creds);
	json_decref(creds);
	json_decref(jobs);
	return 0;
}

/* The run in the path (or run_id) when it is the caller's: *org the org
 * of its discovery. 0 after replying 403/404. */
static int coll_run(struct request *rq, int64_t coll, int64_t run_id,
		    int64_t *org, char state[16])
{
	if (store_collector_run(rq->st, coll, run_id, org, state) < 0) {
		api_reply_error(rq, 500, NULL, "cannot read the run");
		return 0;
	}
	if (!*org) {
		api_reply_error(rq, 403, NULL,
				"run %lld is not one of this collector's runs",
				(long long)run_id);
		return 0;
	}
	return 1;
}

int api_collector_progress(struct request *rq)
{
	int64_t id, org = 0;
	char state[16];
	json_t *body;

	if (!(id = coll_self(rq)) || !(body = api_body_json(rq)))
		return 0;
	if (coll_run(rq, id, rq->params.id[0], &org, state)) {
		coll_seen(rq, id, body);
		if (api_tx_try(rq) == 0) {
			store_discorun_progress(
				rq->st, rq->params.id[0],
				json_integer_value(
					json_object_get(body, "total")),
				json_integer_value(
					json_object_get(body, "done")),
				json_integer_value(
					json_object_get(body, "alive")),
				json_integer_value(
					json_object_get(body, "packets")));
			api_tx_end_try(rq);
		}
		api_reply_json(rq, 200,
			       json_pack("{sssb}", "state", state, "cancel",
					 !strcmp(state, "cancelled")));
	}
	json_decref(body);
	return 0;
}

/* ---- results ---- */

/* One item's outcome. */
struct coll_out {
	unsigned status;    /* 201 stored, 200 duplicate, 4xx, 503 */
	const char *result; /* "stored", "duplicate", or NULL: msg says */
	char msg[256];
};

struct coll_item {
	const char *id;
	int64_t run_id;
};

static void coll_fail(struct coll_out *out, unsigned status, const char *msg)
{
	out->status = status;
	out->result = NULL;
	snprintf(out->msg, sizeof(out->msg), "%s", msg);
}

/* intake's in-transaction hook: records the report's item id */
static int coll_item_in_tx(struct store *st, int64_t device_id, void *ud)
{
	struct coll_item *it = ud;

	return store_collector_item_add(st, it->id, it->run_id, "report",
					device_id);
}

/* Stores a report item through the store sink. */
static void coll_put_report(struct store *st, struct coll_item *it, int64_t org,
			    json_t *body, struct coll_out *out)
{
	struct discover_store_sink ss;
	struct discover_sink sink;
	struct intake_config cfg;
	json_t *report = json_object_get(body, "report");
	json_t *ssh = json_object_get(body, "ssh");

	if (!json_is_object(report)) {
		coll_fail(out, 422,
			  "a report item needs body.report, a device "
			  "report");
		return;
	}
	intake_config_default(&cfg);
	cfg.in_tx = coll_item_in_tx;
	cfg.in_tx_ud = it;
	memset(&ss, 0, sizeof(ss));
	ss.st = st;
	ss.run_id = it->run_id;
	ss.org_id = org;
	ss.cfg = &cfg;
	discover_sink_store(&ss, &sink);
	sink.report(sink.ud, report, json_is_object(ssh) ? ssh : NULL);
	if (ss.stored)
		return;
	if (server_stopping())
		coll_fail(out, 503, "the server is stopping; send it again");
	else
		coll_fail(out, 422, "report rejected (see the run's log)");
}

/* Stores a log item's rows. */
static void coll_put_log(struct store *st, struct coll_item *it, json_t *body,
			 struct coll_out *out)
{
	json_t *rows = json_object_get(body, "rows"), *r;
	struct store_discovery_log *lr;
	size_t i, n = json_array_size(rows);
	int rc;

	if (!json_is_array(rows)) {
		coll_fail(out, 422, "a log item needs body.rows, an array");
		return;
	}
	lr = xcalloc(n ? n : 1, sizeof(*lr));
	json_array_foreach(rows, i, r) {
		json_t *d = json_object_get(r, "duration_ms");

		lr[i].ip = json_string_value(json_object_get(r, "ip"));
		lr[i].stage = json_string_value(json_object_get(r, "stage"));
		lr[i].outcome =
			json_string_value(json_object_get(r, "outcome"));
		lr[i].duration_ms =
			json_is_integer(d) ? json_integer_value(d) : -1;
		lr[i].message =
			json_string_value(json_object_get(r, "message"));
		lr[i].time = json_string_value(json_object_get(r, "time"));
		if (!lr[i].stage || !lr[i].outcome) {
			free(lr);
			coll_fail(out, 422,
				  "every log row needs stage and "
				  "outcome");
			return;
		}
	}
	rc = store_discovery_log_add(st, it->run_id, lr, n);
	free(lr);
	if (rc < 0 ||
	    store_collector_item_add(st, it->id, it->run_id, "log", 0) < 0)
		coll_fail(out, 503,
			  "cannot store the log rows; send them "
			  "again");
}

/* Stores a state item (the run's end). */
static void coll_put_state(struct store *st, struct coll_item *it, json_t *body,
			   struct coll_out *out)
{
	static const char *const states[] = {"done", "failed", "cancelled",
					     "interrupted", NULL};
	const char *state = json_string_value(json_object_get(body, "state"));
	const char *msg = json_string_value(json_object_get(body, "message"));
	struct store_discovery_counts c;
	int i;

	for (i = 0; states[i] && (!state || strcmp(states[i], state)); i++)
		;
	if (!states[i]) {
		coll_fail(out, 422,
			  "a state item needs body.state: done, "
			  "failed, cancelled or interrupted");
		return;
	}
	c.total = json_integer_value(json_object_get(body, "total"));
	c.done = json_integer_value(json_object_get(body, "done"));
	c.alive = json_integer_value(json_object_get(body, "alive"));
	c.stored = 0;
	if (store_collector_run_reports(st, it->run_id, &c.stored) < 0 ||
	    store_discovery_run_finish(st, it->run_id, state, &c, msg) < 0 ||
	    store_collector_item_add(st, it->id, it->run_id, "state", 0) < 0) {
		coll_fail(out, 503,
			  "cannot store the run's state; send it "
			  "again");
		return;
	}
	log_info("discovery run %lld: the collector says %s%s%s",
		 (long long)it->run_id, state, msg ? ": " : "", msg ? msg : "");
}

/* 1 when id is COLL_ITEM_ID_LEN hex digits. */
static int coll_item_id_ok(const char *id)
{
	size_t i;

	if (!id || strlen(id) != COLL_ITEM_ID_LEN)
		return 0;
	for (i = 0; i < COLL_ITEM_ID_LEN; i++)
		if (util_hexval(id[i]) < 0)
			return 0;
	return 1;
}

/* Stores one item of collector coll (write lock held, st the writer). */
static void coll_put(struct store *st, int64_t coll, json_t *item,
		     struct coll_out *out)
{
	struct coll_item it;
	const char *kind = json_string_value(json_object_get(item, "kind"));
	json_t *body = json_object_get(item, "body");
	int64_t org = 0;
	char state[16];
	int seen;

	out->status = 201;
	out->result = "stored";
	out->msg[0] = '\0';
	it.id = json_string_value(json_object_get(item, "id"));
	it.run_id = json_integer_value(json_object_get(item, "run_id"));
	if (!coll_item_id_ok(it.id) || !kind || !json_is_object(body)) {
		coll_fail(out, 400,
			  "a result is a spool item: {id (32 hex "
			  "digits), kind, run_id, body}");
		return;
	}
	if (store_collector_run(st, coll, it.run_id, &org, state) < 0) {
		coll_fail(out, 503, "cannot read the run; send it again");
		return;
	}
	if (!org) {
		snprintf(out->msg, sizeof(out->msg),
			 "run %lld is not one of this collector's runs",
			 (long long)it.run_id);
		out->status = 403;
		out->result = NULL;
		return;
	}
	seen = store_collector_item_seen(st, it.id);
	if (seen) {
		if (seen < 0)
			coll_fail(out, 503, "database busy; send it again");
		else {
			out->status = 200;
			out->result = "duplicate";
		}
		return;
	}
	if (!strcmp(kind, "report"))
		coll_put_report(st, &it, org, body, out);
	else if (!strcmp(kind, "log"))
		coll_put_log(st, &it, body, out);
	else if (!strcmp(kind, "state"))
		coll_put_state(st, &it, body, out);
	else
		coll_fail(out, 422, "kind must be report, log or state");
}

static json_t *coll_out_json(json_t *item, const struct coll_out *o)
{
	json_t *id = json_object_get(item, "id");

	return json_pack("{sOsiss*}", "id", id ? id : json_null(), "status",
			 (int)o->status, o->result ? "result" : "error",
			 o->result ? o->result : o->msg);
}

/* POST /collectors/results: one spool item, or {"items": [...]} - up to
 * COLL_BATCH_MAX stored in one transaction (one fsync), each item in a
 * savepoint of its own, so one refused item leaves the others stored. */
int api_collector_result(struct request *rq)
{
	json_t *body, *items, *item, *results = NULL;
	struct coll_out *outs = NULL;
	struct store *st;
	int64_t coll;
	size_t i, n;
	int single, ok;

	if (!(coll = coll_self(rq)) || !(body = api_body_json(rq)))
		return 0;
	items = json_object_get(body, "items");
	single = !items;
	if (single)
		items = json_pack("[O]", body);
	else
		json_incref(items);
	n = json_array_size(items);
	if (!json_is_array(items) || !n || n > COLL_BATCH_MAX) {
		api_reply_error(rq, 400, "items",
				"items must be an array of 1 to %d spool "
				"items",
				COLL_BATCH_MAX);
		goto out;
	}
	outs = xcalloc(n, sizeof(*outs));
	st = rq->st;
	ok = store_batch_begin(st) == 0;
	json_array_foreach(items, i, item) {
		if (ok)
			coll_put(st, coll, item, &outs[i]);
		else
			coll_fail(&outs[i], 503, "database busy");
	}
	if (ok && store_batch_commit(st) < 0) {
		ok = 0;
		store_batch_rollback(st);
	}
	if (!ok) {
		snprintf(rq->retry_after, sizeof(rq->retry_after), "5");
		api_reply_error(rq, 503, NULL,
				"the items could not be stored; send them "
				"again");
		goto out;
	}
	if (single) {
		if (outs[0].result)
			api_reply_json(
				rq, outs[0].status,
				json_pack("{ss}", "result", outs[0].result));
		else
			api_reply_error(rq, outs[0].status, NULL, "%s",
					outs[0].msg);
		goto out;
	}
	results = json_array();
	json_array_foreach(items, i, item)
		json_array_append_new(results, coll_out_json(item, &outs[i]));
	api_reply_json(rq, 200, json_pack("{sO}", "results", results));
out:
	free(outs);
	json_decref(results);
	json_decref(items);
	json_decref(body);
	return 0;
}

/* ---- admins ---- */

/* The collector in the path when the caller sees it; else replies 404. */
static json_t *coll_find(struct request *rq)
{
	int found = 0;
	json_t *c = store_collector_get(rq->st, rq->params.id[0], &found);

	if (c && api_org_visible(
			 rq, json_integer_value(json_object_get(c, "org_id"))))
		return c;
	json_decref(c);
	api_reply_error(rq, c || !found ? 404 : 500, NULL, "no collector %lld",
			(long long)rq->params.id[0]);
	return NULL;
}

int api_collectors_list(struct request *rq)
{
	int norgs;
	const int64_t *orgs;
	json_t *rows;

	if (!api_need_role(rq, ROLE_USER) || !api_args_known(rq, NULL, NULL))
		return 0;
	orgs = api_scope(rq, &norgs);
	rows = store_collector_list(rq->st, orgs, norgs);
	if (!rows)
		return api_reply_error(rq, 500, NULL, "cannot read collectors");
	return api_reply_list(rq, rows, (int64_t)json_array_size(rows), 0, 0);
}

int api_collector_get(struct request *rq)
{
	json_t *c;

	if (!api_need_role(rq, ROLE_USER))
		return 0;
	c = coll_find(rq);
	return c ? api_reply_json(rq, 200, c) : 0;
}

int api_collector_patch(struct request *rq)
{
	static const char *const keys[] = {"name", "description", "enabled",
					   NULL};
	json_t *c = NULL, *body = NULL, *v;
	const char *k, *s;
	int i;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(c = coll_find(rq)) ||
	    !(body = api_body_json(rq)))
		goto out;
	json_object_foreach(body, k, v) {
		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i]) {
			api_reply_error(rq, 400, k,
					"unknown field '%s'; a collector's "
					"name, description and enabled can be "
					"changed",
					k);
			goto out;
		}
	}
	if (coll_text(rq, body, "name", COLL_NAME_MAX,
		      json_object_get(body, "name") != NULL, &s) < 0 ||
	    coll_text(rq, body, "description", COLL_TEXT_MAX, 0, &s) < 0)
		goto out;
	v = json_object_get(body, "enabled");
	if (v && !json_is_boolean(v)) {
		api_reply_error(rq, 400, "enabled",
				"enabled must be true or false");
		goto out;
	}
	i = store_collector_update(rq->st, rq->params.id[0], body);
	json_decref(c);
	c = NULL;
	if (i < 0)
		api_reply_error(rq, 409, "name",
				"cannot change the collector (is the name "
				"taken?)");
	else
		api_reply_json(
			rq, 200,
			store_collector_get(rq->st, rq->params.id[0], NULL));
out:
	json_decref(c);
	json_decref(body);
	return 0;
}

int api_collector_delete(struct request *rq)
{
	json_t *c;
	int rc;

	if (!api_need_role(rq, ROLE_ORG_ADMIN) || !(c = coll_find(rq)))
		return 0;
	json_decref(c);
	rc = store_collector_delete(rq->st, rq->params.id[0]);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot delete the collector");
	return api_reply_text(rq, 204, "%s", "");
}
