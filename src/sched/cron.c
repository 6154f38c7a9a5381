/*
 * Cron schedules: parsing into bit sets and finding the next firing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sched/cron.h"

#define CRON_SEARCH_SECONDS (8LL * 366 * 24 * 3600)

struct cron_field {
	const char *name;
	int min, max;
	const char *const *names; /* names[i] is value min + i, or NULL */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may",
					  "jun", "jul", "aug", "sep", "oct",
					  "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed",
					"thu", "fri", "sat", NULL};

static const struct cron_field cron_fields[5] = {
	{"minute", 0, 59, NULL},	  {"hour", 0, 23, NULL},
	{"day-of-month", 1, 31, NULL},	  {"month", 1, 12, month_names},
	{"day-of-week", 0, 7, dow_names},
};

static const struct {
	const char *name;
	const char *line;
} cron_shortcuts[] = {
	{"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},
	{"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
	{"@monthly", "0 0 1 * *"},  {"@yearly", "0 0 1 1 *"},
	{"@annually", "0 0 1 1 *"},
};

/* A value of field f from s[0..n): digits or a name. 0 or -1. */
static int cron_value(const struct cron_field *f, const char *s, size_t n,
		      int *out)
{
	int v = 0;
	size_t i;

	if (!n)
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		if (n > 3)
			return -1;
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		*out = v;
		return 0;
	}
	if (!f->names || n != 3)
		return -1;
	for (i = 0; f->names[i]; i++)
		if (!strncasecmp(f->names[i], s, 3)) {
			*out = f->min + (int)i;
			return 0;
		}
	return -1;
}

/* Parses one item ("*", "a", "a-b", each with an optional "/step") into
 * bits. 0, or -1 with err. */
static int cron_item(const struct cron_field *f, const char *s, size_t n,
		     uint64_t *bits, char *err, size_t errlen)
{
	const char *slash = memchr(s, '/', n);
	size_t bn = slash ? (size_t)(slash - s) : n;
	const char *dash = memchr(s, '-', bn);
	int lo, hi, step = 1, v;

	if (bn == 1 && s[0] == '*') {
		lo = f->min;
		hi = f->max;
		if (f->max == 7)
			hi = 6; /* '*' in day-of-week: 7 is Sunday again */
	} else if (dash) {
		if (cron_value(f, s, (size_t)(dash - s), &lo) < 0 ||
		    cron_value(f, dash + 1, bn - (size_t)(dash - s) - 1, &hi) <
			    0)
			goto bad;
	} else {
		if (cron_value(f, s, bn, &lo) < 0)
			goto bad;
		hi = slash ? f->max : lo;
	}
	if (lo < f->min || lo > f->max || hi < f->min || hi > f->max) {
		snprintf(err, errlen, "%s: '%.*s' is out of range %d-%d",
			 f->name, (int)n, s, f->min, f->max);
		return -1;
	}
	if (lo > hi) {
		snprintf(err, errlen, "%s: range '%.*s' runs backwards",
			 f->name, (int)n, s);
		return -1;
	}
	if (slash) {
		size_t sn = n - bn - 1;

		step = 0;
		if (!sn || sn > 2)
			goto bad_step;
		for (size_t i = 0; i < sn; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9')
				goto bad_step;
			step = step * 10 + (slash[1 + i] - '0');
		}
		if (step < 1 || step > f->max - f->min + 1)
			goto bad_step;
	}
	for (v = lo; v <= hi; v += step)
		*bits |= 1ULL << (f->max == 7 && v == 7 ? 0 : v);
	return 0;
bad_step:
	snprintf(err, errlen,
		 "%s: step in '%.*s' must be a number from 1 "
		 "to %d",
		 f->name, (int)n, s, f->max - f->min + 1);
	return -1;
bad:
	snprintf(err, errlen, "%s: '%.*s' is not a value, range or '*'%s",
		 f->name, (int)n, s,
		 f->names ? " (names are three letters: jan, mon, ...)" : "");
	return -1;
}

static int cron_field_parse(const struct cron_field *f, const char *s, size_t n,
			    uint64_t *bits, char *err, size_t errlen)
{
	size_t off = 0;

	*bits = 0;
	while (off <= n) {
		const char *item = s + off;
		const char *comma = memchr(item, ',', n - off);
		size_t in = comma ? (size_t)(comma - item) : n - off;

		if (!in) {
			snprintf(err, errlen, "%s: empty item in '%.*s'",
				 f->name, (int)n, s);
			return -1;
		}
		if (cron_item(f, item, in, bits, err, errlen) < 0)
			return -1;
		off += in + 1;
	}
	return 0;
}

int cron_parse(const char *line, struct cron *c, char *err, size_t errlen)
{
	uint64_t bits[5];
	const char *p, *start[5];
	size_t len[5], i;
	int nf = 0;

	memset(c, 0, sizeof(*c));
	if (!line || strlen(line) > CRON_LINE_MAX) {
		snprintf(err, errlen,
			 "schedule: missing or longer than %d "
			 "characters",
			 CRON_LINE_MAX);
		return -1;
	}
	p = line + strspn(line, " \t");
	if (*p == '@') {
		size_t n = strcspn(p, " \t");

		for (i = 0;
		     i < sizeof(cron_shortcuts) / sizeof(cron_shortcuts[0]);
		     i++)
			if (strlen(cron_shortcuts[i].name) == n &&
			    !strncasecmp(p, cron_shortcuts[i].name, n) &&
			    !p[n + strspn(p + n, " \t")])
				return cron_parse(cron_shortcuts[i].line, c,
						  err, errlen);
		snprintf(err, errlen,
			 "schedule: unknown shortcut '%.*s'; use "
			 "@hourly, @daily, @weekly, @monthly or "
			 "@yearly",
			 (int)(n > 32 ? 32 : n), p);
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, " \t");

		if (nf == 5) {
			snprintf(err, errlen,
				 "schedule: more than 5 fields "
				 "(minute hour day-of-month month "
				 "day-of-week)");
			return -1;
		}
		start[nf] = p;
		len[nf++] = n;
		p += n;
		p += strspn(p, " \t");
	}
	if (nf < 5) {
		snprintf(err, errlen,
			 "%s: missing (a schedule has 5 fields: "
			 "minute hour day-of-month month "
			 "day-of-week)",
			 cron_fields[nf].name);
		return -1;
	}
	for (i = 0; i < 5; i++)
		if (cron_field_parse(&cron_fields[i], start[i], len[i],
				     &bits[i], err, errlen) < 0)
			return -1;
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	c->dow = (uint8_t)bits[4];
	c->dom_star = start[2][0] == '*';
	c->dow_star = start[4][0] == '*';
	return 0;
}

static void cron_tm(time_t t, int utc, struct tm *tm)
{
	if (utc)
		gmtime_r(&t, tm);
	else
		localtime_r(&t, tm);
}

static time_t cron_time(struct tm *tm, int utc)
{
	tm->tm_isdst = -1;
	return utc ? timegm(tm) : mktime(tm);
}

static int cron_day_ok(const struct cron *c, const struct tm *tm)
{
	int d = (c->dom >> tm->tm_mday) & 1;
	int w = (c->dow >> tm->tm_wday) & 1;

	if (c->dom_star || c->dow_star)
		return d && w;
	return d || w;
}

int cron_matches(const struct cron *c, time_t t, int utc)
{
	struct tm tm;

	cron_tm(t, utc, &tm);
	return ((c->month >> (tm.tm_mon + 1)) & 1) && cron_day_ok(c, &tm) &&
	       ((c->hour >> tm.tm_hour) & 1) && ((c->minute >> tm.tm_min) & 1);
}

time_t cron_next(const struct cron *c, time_t after, int utc)
{
	time_t t = after - (((after % 60) + 60) % 60) + 60, next;
	time_t end = after + (time_t)CRON_SEARCH_SECONDS;
	struct tm tm;

	while (t <= end) {
		cron_tm(t, utc, &tm);
		if (!((c->month >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!cron_day_ok(c, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!((c->hour >> tm.tm_hour) & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
		} else if (!((c->minute >> tm.tm_min) & 1)) {
			tm.tm_min++;
		} else {
			return t;
		}
		tm.tm_sec = 0;
		next = cron_time(&tm, utc);
		/* a local-time jump (DST) must never send us backwards */
		t = next > t ? next : t + 60;
	}
	return (time_t)-1;
}
