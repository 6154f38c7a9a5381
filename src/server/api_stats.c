/*
 * Read-only summaries for the web UI's dashboard, discoveries page and
 * network picture (store_stats.h): /api/v1/stats, /api/v1/discovery-runs
 * (+ /{id}, /{id}/log) and /api/v1/network. All are scoped to the caller's
 * org tree like the device lists; a run outside it answers 404.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "server/server_int.h"
#include "store/store_stats.h"

#define STATS_DAYS_DEFAULT 30
#define STATS_DAYS_MAX 366
#define NETWORK_LIMIT_DEFAULT 500

/* Parses parameter key into *out within [min, max] (default kept); 0, or
 * -1 after replying 400. */
static int stats_arg_long(struct request *rq, const char *key, long min,
			  long max, long *out)
{
	const char *v = request_arg(rq, key);

	if (v && util_parse_long(v, min, max, out) < 0) {
		api_reply_error(rq, 400, key, "%s must be %ld to %ld", key, min,
				max);
		return -1;
	}
	return 0;
}

static const int64_t *stats_orgs(const struct request *rq, int *norgs)
{
	*norgs = rq->who.all_orgs ? 0 : rq->who.norgs;
	return rq->who.all_orgs ? NULL : rq->who.orgs;
}

/* The day n days before today (UTC, or NETCENSUS_NOW) as "YYYY-MM-DD". */
static void stats_day(int n, char out[11])
{
	char now[20], buf[20];
	struct tm tm;
	time_t t;

	util_now(now);
	memset(&tm, 0, sizeof(tm));
	if (sscanf(now, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) !=
	    3) {
		t = time(NULL);
	} else {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		tm.tm_hour = 12;
		t = timegm(&tm);
	}
	util_time_format(t - (time_t)n * 86400, buf);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

/* rows (one object per day that had any, with "day") as one object per
 * day from days-1 days ago to today, the missing ones with zero keys. */
static json_t *stats_fill_days(json_t *rows, int days, const char *const *keys)
{
	json_t *out = json_array(), *r;
	size_t i = 0;
	int d, k;

	for (d = days - 1; d >= 0; d--) {
		char day[11];
		json_t *o;

		stats_day(d, day);
		while ((r = json_array_get(rows, i)) &&
		       strcmp(json_string_value(json_object_get(r, "day")),
			      day) < 0)
			i++; /* not a day of the range (bad data) */
		if (r && !strcmp(json_string_value(json_object_get(r, "day")),
				 day)) {
			json_array_append(out, r);
			i++;
			continue;
		}
		o = json_pack("{ss}", "day", day);
		for (k = 0; keys[k]; k++)
			json_object_set_new(o, keys[k], json_integer(0));
		json_array_append_new(out, o);
	}
	return out;
}

int api_stats(struct request *rq)
{
	static const char *const allowed[] = {"days", NULL};
	static const char *const count_keys[] = {"count", NULL};
	static const char *const change_keys[] = {"add", "remove", "change",
						  NULL};
	long days = STATS_DAYS_DEFAULT;
	const int64_t *orgs;
	char since[11];
	json_t *s;
	int norgs;

	if (!api_args_known(rq, allowed, "days") ||
	    stats_arg_long(rq, "days", 1, STATS_DAYS_MAX, &days) < 0)
		return 0;
	orgs = stats_orgs(rq, &norgs);
	stats_day((int)days - 1, since);
	s = store_stats_summary(rq->st, orgs, norgs, since);
	if (!s)
		return api_reply_error(rq, 500, NULL, "cannot count devices");
	json_object_set_new(s, "days", json_integer(days));
	json_object_set_new(s, "since", json_string(since));
	json_object_set_new(s, "new_devices",
			    stats_fill_days(json_object_get(s, "new_devices"),
					    (int)days, count_keys));
	json_object_set_new(s, "changes",
			    stats_fill_days(json_object_get(s, "changes"),
					    (int)days, change_keys));
	return api_reply_json(rq, 200, s);
}

int api_runs_list(struct request *rq)
{
	static const char *const allowed[] = {"limit", "offset", NULL};
	long limit = QUERY_LIMIT_DEFAULT, offset = 0;
	const int64_t *orgs;
	int64_t count = 0;
	json_t *rows;
	int norgs;

	if (!api_args_known(rq, allowed, "limit, offset") ||
	    stats_arg_long(rq, "limit", 1, QUERY_LIMIT_MAX, &limit) < 0 ||
	    stats_arg_long(rq, "offset", 0, 1000000000L, &offset) < 0)
		return 0;
	orgs = stats_orgs(rq, &norgs);
	rows = store_stats_runs(rq->st, orgs, norgs, limit, offset, &count);
	if (!rows)
		return api_reply_error(rq, 500, NULL,
				       "cannot read discovery runs");
	return api_reply_list(rq, rows, count, limit, offset);
}

/* The run in the path when the caller may see it; else replies 404. */
static json_t *stats_run(struct request *rq)
{
	const int64_t *orgs;
	int norgs, found = 0;
	json_t *run;

	orgs = stats_orgs(rq, &norgs);
	run = store_stats_run_get(rq->st, orgs, norgs, rq->params.id[0],
				  &found);
	if (!run && found)
		api_reply_error(rq, 500, NULL, "cannot read the run");
	else if (!run)
		api_reply_error(rq, 404, NULL, "no discovery run %lld",
				(long long)rq->params.id[0]);
	return run;
}

int api_run_get(struct request *rq)
{
	json_t *run;

	if (!api_args_known(rq, NULL, NULL))
		return 0;
	run = stats_run(rq);
	return run ? api_reply_json(rq, 200, run) : 0;
}

int api_run_log(struct request *rq)
{
	static const char *const allowed[] = {"limit", "offset", NULL};
	long limit = QUERY_LIMIT_MAX, offset = 0;
	int64_t count = 0;
	json_t *run, *rows;

	if (!api_args_known(rq, allowed, "limit, offset") ||
	    stats_arg_long(rq, "limit", 1, QUERY_LIMIT_MAX, &limit) < 0 ||
	    stats_arg_long(rq, "offset", 0, 1000000000L, &offset) < 0)
		return 0;
	if (!(run = stats_run(rq)))
		return 0;
	json_decref(run);
	rows = store_stats_run_log(rq->st, rq->params.id[0], limit, offset,
				   &count);
	if (!rows)
		return api_reply_error(rq, 500, NULL,
				       "cannot read the discovery log");
	return api_reply_list(rq, rows, count, limit, offset);
}

int api_network(struct request *rq)
{
	static const char *const allowed[] = {"ip__isw", "limit", NULL};
	long limit = NETWORK_LIMIT_DEFAULT;
	const char *prefix = request_arg(rq, "ip__isw");
	const int64_t *orgs;
	json_t *net;
	int norgs;

	if (!api_args_known(rq, allowed, "ip__isw, limit") ||
	    stats_arg_long(rq, "limit", 1, 2000, &limit) < 0)
		return 0;
	if (prefix && strlen(prefix) > 64)
		return api_reply_error(rq, 400, "ip__isw",
				       "ip__isw is an address prefix of at "
				       "most 64 characters");
	orgs = stats_orgs(rq, &norgs);
	net = store_stats_network(rq->st, orgs, norgs, prefix, limit);
	if (!net)
		return api_reply_error(rq, 500, NULL,
				       "cannot read the network picture");
	return api_reply_json(rq, 200, net);
}
