/*
 * Cron schedules: fields, ranges, steps, lists, names, the day-of-month /
 * day-of-week OR rule, errors naming the field, and the next firing
 * across month and year ends, leap days and DST.
 */
#include "testlib.h"

#include <time.h>

#include "sched/cron.h"

static time_t ts(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		abort();
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static const char *fmt(time_t t)
{
	static char buf[32];
	struct tm tm;

	if (t == (time_t)-1)
		return "never";
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static const char *next(const char *line, const char *after)
{
	struct cron c;
	char err[160];

	if (cron_parse(line, &c, err, sizeof(err)) < 0)
		fail_msg("'%s' refused: %s", line, err);
	return fmt(cron_next(&c, ts(after), 1));
}

static void test_fields(void **state)
{
	struct cron c;
	char err[160];

	(void)state;
	assert_int_equal(cron_parse("*/15 0-5/2 1,15,31 jan-mar,DEC mon-fri",
				    &c, err, sizeof(err)),
			 0);
	assert_true(c.minute ==
		    ((1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45)));
	assert_int_equal(c.hour, (1u << 0) | (1u << 2) | (1u << 4));
	assert_int_equal(c.dom, (1u << 1) | (1u << 15) | (1u << 31));
	assert_int_equal(c.month,
			 (1u << 1) | (1u << 2) | (1u << 3) | (1u << 12));
	assert_int_equal(c.dow, 0x3e); /* Monday..Friday */
	assert_false(c.dom_star);
	assert_false(c.dow_star);

	/* a/step runs to the field's end; 7 is Sunday */
	assert_int_equal(cron_parse("5/20 * * * 7", &c, err, sizeof(err)), 0);
	assert_true(c.minute == ((1ULL << 5) | (1ULL << 25) | (1ULL << 45)));
	assert_int_equal(c.dow, 1);
	assert_int_equal(cron_parse("0 0 * * 5-7", &c, err, sizeof(err)), 0);
	assert_int_equal(c.dow, (1 << 5) | (1 << 6) | 1);
	assert_true(c.dom_star);

	/* shortcuts */
	assert_int_equal(cron_parse("@daily", &c, err, sizeof(err)), 0);
	assert_true(c.minute == 1 && c.hour == 1);
	assert_int_equal(cron_parse("  @Weekly ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.dow, 1);
	assert_int_equal(cron_parse("@monthly", &c, err, sizeof(err)), 0);
	assert_int_equal(c.dom, 1u << 1);
	assert_int_equal(cron_parse("@hourly", &c, err, sizeof(err)), 0);
	assert_int_equal(c.hour, 0xffffffu);
}

static void expect_error(const char *line, const char *words)
{
	struct cron c;
	char err[160] = "";

	if (cron_parse(line, &c, err, sizeof(err)) == 0)
		fail_msg("'%s' was accepted", line);
	if (!strstr(err, words))
		fail_msg("'%s': error '%s' does not say '%s'", line, err,
			 words);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("60 * * * *", "minute: '60' is out of range 0-59");
	expect_error("* 24 * * *", "hour");
	expect_error("* * 0 * *", "day-of-month");
	expect_error("* * 32 * *", "day-of-month");
	expect_error("* * * 13 *", "month");
	expect_error("* * * foo *", "month");
	expect_error("* * * * 8", "day-of-week");
	expect_error("* * * * funday", "day-of-week");
	expect_error("* * * *", "day-of-week: missing");
	expect_error("*", "hour: missing");
	expect_error("", "minute: missing");
	expect_error("* * * * * *", "more than 5 fields");
	expect_error("*/0 * * * *", "minute: step");
	expect_error("* */25 * * *", "hour: step");
	expect_error("30-10 * * * *", "runs backwards");
	expect_error("1,,2 * * * *", "minute: empty item");
	expect_error("1, * * * *", "minute: empty item");
	expect_error("@reboot", "unknown shortcut");
	expect_error("-5 * * * *", "minute");
	expect_error("1-2-3 * * * *", "minute");
}

static void test_next(void **state)
{
	(void)state;
	/* strictly after, on whole minutes */
	assert_string_equal(next("* * * * *", "2026-11-20 10:15:00"),
			    "2026-11-20 10:16:00");
	assert_string_equal(next("* * * * *", "2026-11-20 10:15:59"),
			    "2026-11-20 10:16:00");
	assert_string_equal(next("0 12 * * *", "2026-11-20 12:00:00"),
			    "2026-11-21 12:00:00");
	assert_string_equal(next("@hourly", "2026-11-20 10:59:59"),
			    "2026-11-20 11:00:00");
	/* year end */
	assert_string_equal(next("0 0 1 1 *", "2026-12-31 23:59:30"),
			    "2027-01-01 00:00:00");
	assert_string_equal(next("59 23 31 12 *", "2026-12-31 23:59:00"),
			    "2027-12-31 23:59:00");
	/* month end: April has no 31st */
	assert_string_equal(next("30 2 31 * *", "2026-04-01 00:00:00"),
			    "2026-05-31 02:30:00");
	/* leap day */
	assert_string_equal(next("0 12 29 2 *", "2026-03-01 00:00:00"),
			    "2028-02-29 12:00:00");
	/* @weekly: Sunday midnight; 2026-11-20 is a Friday */
	assert_string_equal(next("@weekly", "2026-11-20 08:00:00"),
			    "2026-11-22 00:00:00");
	assert_string_equal(next("@monthly", "2026-11-20 08:00:00"),
			    "2026-12-01 00:00:00");
	/* day-of-month OR day-of-week when both are restricted: the 1st
	 * (a Sunday) or a Monday */
	assert_string_equal(next("0 0 1 * 1", "2026-10-31 12:00:00"),
			    "2026-11-01 00:00:00");
	assert_string_equal(next("0 0 1 * 1", "2026-11-01 00:00:00"),
			    "2026-11-02 00:00:00");
	/* AND when one of them starts with '*': odd days that are Mondays */
	assert_string_equal(next("0 0 */2 * 1", "2026-11-01 00:00:00"),
			    "2026-11-09 00:00:00");
	/* names */
	assert_string_equal(next("15 6 * feb sat", "2026-11-20 00:00:00"),
			    "2027-02-06 06:15:00");
	/* a day that never comes */
	assert_string_equal(next("0 0 30 2 *", "2026-01-01 00:00:00"), "never");
	assert_string_equal(next("0 0 31 4,6,9,11 *", "2026-01-01 00:00:00"),
			    "never");
}

static void test_matches(void **state)
{
	struct cron c;
	char err[160];

	(void)state;
	assert_int_equal(
		cron_parse("*/5 9-17 * * mon-fri", &c, err, sizeof(err)), 0);
	assert_true(cron_matches(&c, ts("2026-11-20 09:05:42"), 1));
	assert_false(cron_matches(&c, ts("2026-11-20 09:06:00"), 1));
	assert_false(cron_matches(&c, ts("2026-11-21 09:05:00"), 1));
}

static void test_local_dst(void **state)
{
	struct cron c;
	char err[160];
	time_t after, t;
	struct tm tm;

	(void)state;
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0)
		skip();
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	/* 02:30 does not exist on 2026-03-29 in Berlin */
	assert_int_equal(cron_parse("30 2 * * *", &c, err, sizeof(err)), 0);
	after = ts("2026-03-28 12:00:00");
	t = cron_next(&c, after, 0);
	assert_true(t > after);
	assert_true(t - after < 3 * 86400);
	localtime_r(&t, &tm);
	assert_int_equal(tm.tm_min, 30);
	/* an ordinary day: 06:00 local is 05:00 UTC in winter */
	assert_int_equal(cron_parse("0 6 * * *", &c, err, sizeof(err)), 0);
	assert_string_equal(fmt(cron_next(&c, ts("2026-11-20 00:00:00"), 0)),
			    "2026-11-20 05:00:00");
	unsetenv("TZ");
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_local_dst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
