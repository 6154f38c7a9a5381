/*
 * fuzz_query: the API's list filters (store/query.h) as a client sends
 * them in a query string, and the SQL they become (store_api_sql). The
 * first input byte picks the resource; the rest is "key=value&key=value"
 * as libmicrohttpd hands the pairs over, already split and decoded (a pair
 * without '=' has the value ""). A parsed query must turn into SQL that
 * does not depend on the values sent: they may only be bound parameters.
 */
#include <stdio.h>

#include "fuzz.h"
#include "store/query.h"
#include "server/server_int.h"

/* The SQL of q must be the same whatever the condition values are (they
 * are bound parameters); only __empty's true/false may change it. */
static void check_sql(enum store_api_res res, const struct store_query *q,
		      int count)
{
	json_t *params = json_array(), *params2 = json_array();
	struct store_query blank = *q;
	char x[] = "x";
	char *sql, *sql2;
	int i;

	for (i = 0; i < blank.nconds; i++)
		if (blank.conds[i].op != STORE_OP_EMPTY)
			blank.conds[i].value = x;
	sql = store_api_sql(res, q, count, params);
	sql2 = store_api_sql(res, &blank, count, params2);
	if (!sql || !sql2 || strcmp(sql, sql2) ||
	    json_array_size(params) != json_array_size(params2)) {
		fprintf(stderr,
			"the SQL depends on the values (%zu and %zu "
			"bound):\n%s\n%s\n",
			json_array_size(params), json_array_size(params2),
			sql ? sql : "(null)", sql2 ? sql2 : "(null)");
		abort();
	}
	free(sql);
	free(sql2);
	json_decref(params);
	json_decref(params2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const extra[] = {"format", NULL};
	struct query_arg args[QUERY_ARGS_MAX];
	struct store_query q;
	struct query_error err;
	enum store_api_res res;
	char *in, *p, *next, *eq;
	int n = 0;

	if (!size)
		return 0;
	res = (enum store_api_res)(data[0] % STORE_API_RES_COUNT);
	in = fuzz_cstr(data + 1, size - 1);
	for (p = in; p && n < QUERY_ARGS_MAX; p = next) {
		next = fuzz_split(p, '&');
		eq = fuzz_split(p, '=');
		args[n].key = p;
		args[n].value = eq ? eq : "";
		n++;
	}
	if (query_parse(res, args, n, extra, &q, &err) == 0) {
		if (q.limit < 0 || q.limit > QUERY_LIMIT_MAX || q.offset < 0)
			abort();
		check_sql(res, &q, 0);
		check_sql(res, &q, 1);
	} else if (!err.msg[0]) {
		abort(); /* a refusal must say why */
	}
	store_query_free(&q);
	free(in);
	return 0;
}
