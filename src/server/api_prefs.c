/*
 * The caller's own preferences (branch uidev): small JSON values by name
 * that the web UI keeps on the server, so a choice (the device list's
 * columns) follows the user to another browser or a new login. Every
 * signed-in user reads and writes only their own; nobody reads another's.
 */
#include <string.h>

#include "core/log.h"
#include "server/server_int.h"
#include "store/store_ui.h"

int api_prefs_get(struct request *rq)
{
	json_t *p = store_pref_get_all(rq->st, rq->who.user_id);

	if (!p)
		return api_reply_error(rq, 500, NULL,
				       "cannot read your preferences");
	return api_reply_json(rq, 200, p);
}

/* PUT /preferences/{name} {"value": any JSON}; a null value removes it. */
int api_pref_put(struct request *rq)
{
	const char *name = rq->params.v[0];
	struct log_capture cap;
	json_t *body, *v;
	int rc;

	if (!store_pref_name_ok(name))
		return api_reply_error(rq, 400, "name",
				       "a preference name is 1-%d of a-z, "
				       "0-9, '_', '.' and '-'",
				       STORE_PREF_NAME_MAX - 1);
	if (!(body = api_body_json(rq)))
		return 0;
	v = json_object_get(body, "value");
	if (!v) {
		json_decref(body);
		return api_reply_error(rq, 400, "value",
				       "value is required (any JSON; null "
				       "removes the preference)");
	}
	log_capture_start(&cap);
	rc = store_pref_set(rq->st, rq->who.user_id, name, v);
	log_capture_stop();
	json_decref(body);
	if (rc < 0)
		return api_reply_captured(rq, &cap,
					  "cannot save the preference");
	return api_prefs_get(rq);
}
