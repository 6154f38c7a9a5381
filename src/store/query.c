#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "store/query.h"

static int query_fail(struct query_error *err, const char *field,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int query_fail(struct query_error *err, const char *field,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->field, sizeof(err->field), "%s", field);
	return -1;
}

static int query_is_extra(const char *key, const char *const *extra)
{
	for (; extra && *extra; extra++)
		if (!strcmp(*extra, key))
			return 1;
	return 0;
}

static int query_paging(const struct query_arg *a, struct store_query *q,
			struct query_error *err)
{
	long v;

	if (!strcmp(a->key, "limit")) {
		if (util_parse_long(a->value, 1, QUERY_LIMIT_MAX, &v) < 0)
			return query_fail(err, "limit",
					  "limit must be an integer from 1 "
					  "to %d",
					  QUERY_LIMIT_MAX);
		q->limit = v;
	} else {
		if (util_parse_long(a->value, 0, 1000000000L, &v) < 0)
			return query_fail(err, "offset",
					  "offset must be an integer from 0 "
					  "to 1000000000");
		q->offset = v;
	}
	return 0;
}

static int query_ordering(enum store_api_res res, const char *value,
			  struct store_query *q, struct query_error *err)
{
	const char *p = value;

	q->norder = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		struct store_order *o;
		int desc = 0;
		const char *f = p;

		if (n && (*f == '-' || *f == '+')) {
			desc = *f == '-';
			f++;
			n--;
		}
		if (!n || n >= STORE_QUERY_FIELD_MAX)
			return query_fail(err, "ordering",
					  "ordering takes field names "
					  "separated by commas, each "
					  "optionally prefixed by '-'");
		if (q->norder >= STORE_QUERY_MAX_ORDER)
			return query_fail(err, "ordering",
					  "ordering takes at most %d fields",
					  STORE_QUERY_MAX_ORDER);
		o = &q->order[q->norder];
		memcpy(o->field, f, n);
		o->field[n] = '\0';
		if (!strncmp(o->field, "custom.", 7))
			return query_fail(err, "ordering",
					  "cannot order by a custom field "
					  "('%s'); filter on it instead",
					  o->field);
		if (store_api_field_type(res, o->field) == STORE_FIELD_UNKNOWN)
			return query_fail(err, "ordering",
					  "cannot order by unknown field "
					  "'%s'",
					  o->field);
		o->desc = desc;
		q->norder++;
		p = f + n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int query_value_ok(enum store_field_type type, enum store_op op,
			  const char *v)
{
	long dummy;

	if (op == STORE_OP_EMPTY)
		return !strcmp(v, "true") || !strcmp(v, "false") ||
		       !strcmp(v, "1") || !strcmp(v, "0");
	if (type == STORE_FIELD_INT &&
	    (op == STORE_OP_EQ || op == STORE_OP_N || op == STORE_OP_GT ||
	     op == STORE_OP_GTE || op == STORE_OP_LT || op == STORE_OP_LTE))
		return util_parse_long(v, -9007199254740992L, 9007199254740992L,
				       &dummy) == 0;
	return 1;
}

static int query_filter(enum store_api_res res, const struct query_arg *a,
			struct store_query *q, struct query_error *err)
{
	const char *sep = strstr(a->key, "__");
	size_t fn = sep ? (size_t)(sep - a->key) : strlen(a->key);
	struct store_cond *c;
	enum store_field_type type;
	int op;

	if (!fn || fn >= STORE_QUERY_FIELD_MAX)
		return query_fail(err, a->key, "unknown filter '%.64s'",
				  a->key);
	if (q->nconds >= STORE_QUERY_MAX_CONDS)
		return query_fail(err, a->key,
				  "at most %d filters in one request",
				  STORE_QUERY_MAX_CONDS);
	c = &q->conds[q->nconds];
	memcpy(c->field, a->key, fn);
	c->field[fn] = '\0';
	type = store_api_field_type(res, c->field);
	if (type == STORE_FIELD_UNKNOWN)
		return query_fail(err, c->field, "unknown field '%s'",
				  c->field);
	op = store_op_from_name(sep ? sep + 2 : "");
	if (op < 0 || (sep && !sep[2]))
		return query_fail(err, a->key,
				  "unknown lookup '%.32s' on %s; use one of "
				  "n, ie, ic, nic, isw, iew, gt, gte, lt, "
				  "lte, empty",
				  sep + 2, c->field);
	if (strlen(a->value) > STORE_QUERY_VALUE_MAX)
		return query_fail(err, a->key, "value longer than %d bytes",
				  STORE_QUERY_VALUE_MAX);
	if (!util_utf8_valid(a->value, strlen(a->value)))
		return query_fail(err, a->key,
				  "value is not valid UTF-8; percent-encode "
				  "its bytes as UTF-8");
	if (!query_value_ok(type, (enum store_op)op, a->value))
		return query_fail(err, a->key, "%s needs %s", a->key,
				  op == STORE_OP_EMPTY ? "true or false"
						       : "an integer");
	c->op = (enum store_op)op;
	if (type == STORE_FIELD_TIME && op != STORE_OP_EMPTY) {
		char abs[20];
		int r = query_time_relative(a->value, abs, err);

		if (r < 0) {
			snprintf(err->field, sizeof(err->field), "%s", a->key);
			return -1;
		}
		c->value = xstrdup(r ? abs : a->value);
	} else {
		c->value = xstrdup(a->value);
	}
	q->nconds++;
	return 0;
}

int query_time_relative(const char *v, char out[20], struct query_error *err)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = {{'s', 1},
		     {'m', 60},
		     {'h', 3600},
		     {'d', 86400},
		     {'w', 7 * 86400}};
	char now[20], digits[16];
	struct tm tm;
	size_t n, i;
	long amount;
	time_t t;

	util_now(now);
	if (!strcmp(v, "now")) {
		memcpy(out, now, 20);
		return 1;
	}
	if (v[0] != '-' || v[1] < '0' || v[1] > '9')
		return 0;
	n = strspn(v + 1, "0123456789");
	if (n >= sizeof(digits) || strlen(v + 1 + n) != 1)
		goto bad;
	memcpy(digits, v + 1, n);
	digits[n] = '\0';
	if (util_parse_long(digits, 0, 100L * 366 * 86400, &amount) < 0)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == v[1 + n])
			break;
	if (i == sizeof(units) / sizeof(units[0]) ||
	    amount > 100L * 366 * 86400 / units[i].seconds)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(now, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		goto bad;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) - (time_t)(amount * units[i].seconds);
	util_time_format(t, out);
	return 1;
bad:
	query_fail(err, "",
		   "'%.32s' is not a relative time: use -N followed "
		   "by s, m, h, d or w (-30d, -24h), or now",
		   v);
	return -1;
}

int query_parse(enum store_api_res res, const struct query_arg *args, int nargs,
		const char *const *extra, struct store_query *q,
		struct query_error *err)
{
	int i;

	memset(q, 0, sizeof(*q));
	memset(err, 0, sizeof(*err));
	q->limit = QUERY_LIMIT_DEFAULT;
	for (i = 0; i < nargs; i++) {
		const struct query_arg *a = &args[i];

		if (query_is_extra(a->key, extra))
			continue;
		if (!strcmp(a->key, "limit") || !strcmp(a->key, "offset")) {
			if (query_paging(a, q, err) < 0)
				return -1;
		} else if (!strcmp(a->key, "ordering")) {
			if (query_ordering(res, a->value, q, err) < 0)
				return -1;
		} else if (query_filter(res, a, q, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Decodes %XX and '+' in place. */
static void query_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '+') {
			*w++ = ' ';
		} else if (*s == '%' && util_hexval(s[1]) >= 0 &&
			   util_hexval(s[2]) >= 0) {
			*w++ = (char)(util_hexval(s[1]) * 16 +
				      util_hexval(s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int query_split(const char *query, struct query_arg *args, int max, char **buf)
{
	char *p;
	int n = 0;

	*buf = xstrdup(query ? query : "");
	p = *buf;
	while (*p) {
		char *amp = strchr(p, '&'), *eq;

		if (amp)
			*amp = '\0';
		if (*p) {
			if (n >= max)
				return -1;
			eq = strchr(p, '=');
			if (eq)
				*eq = '\0';
			query_unescape(p);
			if (eq)
				query_unescape(eq + 1);
			args[n].key = p;
			args[n].value = eq ? eq + 1 : "";
			n++;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return n;
}
