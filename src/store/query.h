/*
 * query: turns a list request's query parameters into a struct store_query
 * (store_api.h), NetBox style: field=value, field__LOOKUP=value,
 * ordering=-field,field2, limit, offset. Every field is checked against
 * the resource's own list (store_api_field_type) and every lookup against
 * the fixed set in enum store_op; anything else is refused with the
 * parameter named, so no text from the request ever becomes SQL. Integer
 * fields only take integers; values are at most STORE_QUERY_VALUE_MAX
 * bytes. Parameters listed in extra (e.g. "format", "current") are left
 * for the caller.
 *
 * Time fields (STORE_FIELD_TIME) also take a time relative to now:
 * "-30d", "-24h", "-15m", "-90s", "-2w", or "now", turned into the UTC text
 * "YYYY-MM-DD HH:MM:SS" when parsed (now is util_now(), so NETCENSUS_NOW
 * pins it in tests): last_seen__lt=-30d means "not seen for 30 days".
 */
#ifndef NC_QUERY_H
#define NC_QUERY_H

#include "store/store_api.h"

#define QUERY_LIMIT_DEFAULT 50
#define QUERY_LIMIT_MAX 1000

struct query_arg {
	const char *key;
	const char *value; /* "" when the parameter has no value */
};

struct query_error {
	char msg[256];
	char field[STORE_QUERY_FIELD_MAX + 16];
};

/* Fills q (zeroed first; store_query_free() it either way). 0, or -1 with
 * err naming the parameter to fix. */
int query_parse(enum store_api_res res, const struct query_arg *args, int nargs,
		const char *const *extra, struct store_query *q,
		struct query_error *err);

/* Turns a relative time ("-30d", "now"; see above) into out. 1 when v was
 * one, 0 when v is not relative (use it as it is), -1 when v looks
 * relative but is wrong ("-3x"), with err set. */
int query_time_relative(const char *v, char out[20], struct query_error *err);

/* Splits "a=b&c=d" (URL-encoded: %XX and '+' decoded) into args pointing
 * into *buf, a copy the caller frees (also on failure). The number of
 * args, or -1 when there are more than max. Saved reports and bulk edits
 * take a filter as such text. */
int query_split(const char *query, struct query_arg *args, int max, char **buf);

#endif
