/*
 * /api/v1/settings/smtp: the mail server for reports (admin only). The
 * password is write-only: stored encrypted, shown as "password_set".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sched/mail.h"
#include "sched/sched.h"
#include "server/api_sched.h"
#include "server/server_int.h"
#include "store/secret.h"
#include "store/store_sched.h"

int api_smtp_get(struct request *rq)
{
	json_t *s;

	if (!api_need_role(rq, ROLE_ADMIN))
		return 0;
	s = store_setting_get(rq->st, "smtp");
	if (!s)
		return api_reply_error(rq, 500, NULL, "cannot read settings");
	return api_reply_json(rq, 200, s);
}

int api_smtp_put(struct request *rq)
{
	static const char *const secret[] = { "password", NULL };
	const char *field;
	char err[256];
	json_t *body;
	int rc;

	if (!api_need_role(rq, ROLE_ADMIN) || !(body = api_body_json(rq)))
		return 0;
	if (sched_smtp_check(body, err, sizeof(err), &field) < 0) {
		api_reply_error(rq, 400, field, "%s", err);
		json_decref(body);
		return 0;
	}
	write_lock(rq);
	rc = store_setting_put(rq->st, "smtp", body, secret);
	write_unlock(rq);
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

	if (!api_need_role(rq, ROLE_ADMIN) || !(body = api_body_json(rq)))
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
