/*
 * GET /api/v1/search?q=TEXT&limit=N: the header search (store_search.h).
 * Scoped to the caller's org tree like the device list; users are
 * searched only for callers who may list them (org_admin and admin).
 */
#include <string.h>

#include "server/server_int.h"
#include "store/store_search.h"

int api_search(struct request *rq)
{
	static const char *const known[] = {"q", "limit", NULL};
	const char *q = request_arg(rq, "q");
	const char *lim = request_arg(rq, "limit");
	struct store_search s;
	json_t *res, *check;
	long limit = 10;

	if (!api_args_known(rq, known, "q, limit"))
		return 0;
	while (q && *q == ' ')
		q++;
	if (!q || !*q)
		return api_reply_error(rq, 400, "q",
				       "q is required: the text to look for");
	if (strlen(q) > STORE_SEARCH_Q_MAX)
		return api_reply_error(rq, 400, "q",
				       "q is at most %d bytes long",
				       STORE_SEARCH_Q_MAX);
	check = json_string(q); /* NULL when q is not UTF-8 */
	if (!check)
		return api_reply_error(rq, 400, "q", "q must be UTF-8 text");
	json_decref(check);
	if (lim && util_parse_long(lim, 1, STORE_SEARCH_LIMIT_MAX, &limit) < 0)
		return api_reply_error(rq, 400, "limit",
				       "limit must be 1 to %d",
				       STORE_SEARCH_LIMIT_MAX);
	memset(&s, 0, sizeof(s));
	s.q = q;
	s.limit = (int)limit;
	s.org_ids = rq->who.all_orgs ? NULL : rq->who.orgs;
	s.norgs = rq->who.all_orgs ? 0 : rq->who.norgs;
	s.users = rq->who.role >= ROLE_ORG_ADMIN;
	res = store_search(rq->st, &s);
	if (!res)
		return api_reply_error(rq, 500, NULL, "the search failed");
	json_object_set_new(res, "q", json_string(q));
	return api_reply_json(rq, 200, res);
}
