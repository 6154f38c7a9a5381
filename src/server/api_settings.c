/*
 * /api/v1/settings/smtp: the mail server for reports. The password is
 * write-only: stored encrypted, shown as "password_set".
 * /api/v1/settings/intake: the Open-AudIT intake allow-list (below).
 * Both serve every org: only an admin of the root org reads or changes
 * them (api_need_root_admin()).
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sched/mail.h"
#include "sched/sched.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/secret.h"
#include "store/store_sched.h"

int api_smtp_get(struct request *rq)
{
	json_t *s;

	if (!api_need_root_admin(rq))
		return 0;
	s = store_setting_get(rq->st, "smtp");
	if (!s)
		return api_reply_error(rq, 500, NULL, "cannot read settings");
	return api_reply_json(rq, 200, s);
}

int api_smtp_put(struct request *rq)
{
	static const char *const secret[] = {"password", NULL};
	const char *field;
	char err[256];
	json_t *body;
	int rc;

	if (!api_need_root_admin(rq) || !(body = api_body_json(rq)))
		return 0;
	if (sched_smtp_check(body, err, sizeof(err), &field) < 0) {
		api_reply_error(rq, 400, field, "%s", err);
		json_decref(body);
		return 0;
	}
	rc = store_setting_put(rq->st, "smtp", body, secret);
	if (json_is_string(json_object_get(body, "password")))
		secret_wipe((void *)(uintptr_t)json_string_value(
				    json_object_get(body, "password")),
			    strlen(json_string_value(
				    json_object_get(body, "password"))));
	json_decref(body);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot store the SMTP settings");
	return api_reply_json(rq, 200, store_setting_get(rq->st, "smtp"));
}

int api_smtp_test(struct request *rq)
{
	char answer[512];
	const char *to;
	json_t *body;
	int rc;

	if (!api_need_root_admin(rq) || !(body = api_body_json(rq)))
		return 0;
	to = json_string_value(json_object_get(body, "to"));
	if (!mail_address_ok(to)) {
		json_decref(body);
		return api_reply_error(rq, 400, "to",
				       "to is required: one address like "
				       "you@example.org");
	}
	rc = sched_smtp_test(rq->st, to, answer, sizeof(answer));
	api_reply_json(rq, rc == 0 ? 200 : 502,
		       json_pack("{sbssss}", "sent", rc == 0, "to", to,
				 "answer", answer));
	json_decref(body);
	return 0;
}

/*
 * /api/v1/settings/intake: the networks whose hosts may post Open-AudIT
 * audits without ?token=, kept in the database so an admin can change them
 * from the UI without a restart. They add to the config file's
 * intake_allow, which the answer shows apart (read-only here).
 */

/* Parses the "allow" array of an intake setting into nets. The count, or
 * -1 with err naming the entry that is wrong. */
static int intake_allow_parse(const json_t *allow, struct server_net *nets,
			      char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	int n = 0;

	if (!json_is_array(allow)) {
		snprintf(err, errlen,
			 "allow must be a list of networks like "
			 "[\"198.18.0.0/15\"]");
		return -1;
	}
	json_array_foreach(allow, i, v) {
		const char *s = json_string_value(v);

		if (n >= SERVER_MAX_ALLOW) {
			snprintf(err, errlen, "at most %d networks",
				 SERVER_MAX_ALLOW);
			return -1;
		}
		if (!s || server_net_parse(s, &nets[n]) < 0) {
			snprintf(err, errlen,
				 "allow entry %zu is not a network like "
				 "198.18.0.0/15 or 192.0.2.7",
				 i + 1);
			return -1;
		}
		n++;
	}
	return n;
}

/* The org a stored intake setting sends devices to (1 when unset). */
static json_int_t intake_setting_org(const json_t *s)
{
	json_int_t o = json_integer_value(json_object_get(s, "org_id"));

	return o > 0 ? o : 1;
}

int api_intake_allowed(struct request *rq, int64_t *org)
{
	struct server_net nets[SERVER_MAX_ALLOW];
	char err[128];
	json_t *s = store_setting_get(rq->st, "intake");
	int n, ok = 0;

	if (!s)
		return 0;
	n = intake_allow_parse(json_object_get(s, "allow"), nets, err,
			       sizeof(err));
	if (n > 0 && server_net_contains(nets, n, rq->client)) {
		*org = intake_setting_org(s);
		ok = 1;
	} else if (n > 0) {
		ok = -1;
	}
	json_decref(s);
	return ok;
}

/* The answer of GET and PUT: the stored list and the config file's. */
static json_t *intake_settings_json(struct request *rq)
{
	const struct server_config *cfg = rq->srv->cfg;
	json_t *s = store_setting_get(rq->st, "intake");
	json_t *allow = json_object_get(s, "allow");
	json_t *out, *conf = json_array();
	char buf[INET6_ADDRSTRLEN + 8];
	int i;

	for (i = 0; i < cfg->nintake_allow; i++) {
		server_net_format(&cfg->intake_allow[i], buf, sizeof(buf));
		json_array_append_new(conf, json_string(buf));
	}
	out = json_pack(
		"{s:o,s:I,s:o,s:I}", "allow",
		json_is_array(allow) ? json_incref(allow) : json_array(),
		"org_id", intake_setting_org(s), "config_allow", conf,
		"config_org_id",
		(json_int_t)(cfg->intake_org > 0 ? cfg->intake_org : 1));
	json_decref(s);
	return out;
}

int api_intake_settings_get(struct request *rq)
{
	if (!api_need_root_admin(rq))
		return 0;
	return api_reply_json(rq, 200, intake_settings_json(rq));
}

int api_intake_settings_put(struct request *rq)
{
	struct server_net nets[SERVER_MAX_ALLOW];
	char err[128];
	json_t *body, *allow, *val;
	int64_t org;
	int rc;

	if (!api_need_root_admin(rq) || !(body = api_body_json(rq)))
		return 0;
	allow = json_object_get(body, "allow");
	if (intake_allow_parse(allow, nets, err, sizeof(err)) < 0) {
		json_decref(body);
		return api_reply_error(rq, 400, "allow", "%s", err);
	}
	if (api_body_org(rq, body, "org_id", &org) < 0) {
		json_decref(body);
		return 0;
	}
	val = json_pack("{s:O,s:I}", "allow", allow, "org_id", (json_int_t)org);
	json_decref(body);
	rc = store_setting_put(rq->st, "intake", val, NULL);
	json_decref(val);
	if (rc < 0)
		return api_reply_error(rq, 500, NULL,
				       "cannot store the intake settings");
	return api_reply_json(rq, 200, intake_settings_json(rq));
}
