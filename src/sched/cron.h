/*
 * cron: the schedule of a task, in the 5-field crontab syntax of Vixie
 * cron (minute hour day-of-month month day-of-week) or one of the
 * shortcuts @hourly, @daily (@midnight), @weekly, @monthly, @yearly
 * (@annually).
 *
 * Each field is a comma-separated list of items: "*", a value, a range
 * "a-b", each optionally followed by "/step"; "a/step" means a to the
 * field's end. Months take jan..dec and days of the week sun..sat (0 and 7
 * are both Sunday). When both day fields are restricted (neither starts
 * with '*'), a day matches when EITHER matches, as in every cron since
 * Vixie's; otherwise both must match.
 *
 * cron_next() walks forward from a time, field by field, in UTC or in the
 * process's local time zone (TZ), and answers -1 for a schedule that never
 * fires (30 February). A struct cron is plain data: copy it freely.
 */
#ifndef NC_CRON_H
#define NC_CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CRON_LINE_MAX 256 /* longest schedule accepted */

struct cron {
	uint64_t minute; /* bit m: minute m (0-59) */
	uint32_t hour;	 /* bit h: 0-23 */
	uint32_t dom;	 /* bit d: day of month 1-31 */
	uint16_t month;	 /* bit m: 1-12 */
	uint8_t dow;	 /* bit d: 0-6, Sunday is 0 */
	int dom_star;	 /* the day-of-month field starts with '*' */
	int dow_star;
};

/* Parses a schedule into c. 0, or -1 with err (a message naming the field
 * and the text at fault, e.g. "hour: 24 is out of range 0-23"). */
int cron_parse(const char *line, struct cron *c, char *err, size_t errlen);

/* The first time strictly after `after`, on a whole minute, that c
 * matches; in UTC when utc is non-zero, else in local time. -1 when there
 * is none within eight years. */
time_t cron_next(const struct cron *c, time_t after, int utc);

/* 1 when c matches the minute that t falls in. */
int cron_matches(const struct cron *c, time_t t, int utc);

#endif
