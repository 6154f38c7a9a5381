/*
 * fuzz_cron: a task's schedule (sched/cron.h), sent through the tasks API.
 * An accepted schedule must give a next run that is after the start, on a
 * whole minute, within the search window, and that cron_matches() agrees
 * with - or -1 for a schedule that never fires.
 */
#include <stdio.h>

#include "fuzz.h"
#include "sched/cron.h"

#define FUZZ_CRON_START ((time_t)1795000000) /* 2026-11-18, a fixed point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size);
	char err[256];
	struct cron c;
	time_t t;

	err[0] = '\0';
	if (cron_parse(line, &c, err, sizeof(err)) < 0) {
		if (!err[0])
			abort(); /* a refusal must say why */
		goto out;
	}
	t = cron_next(&c, FUZZ_CRON_START, 1);
	if (t != (time_t)-1 &&
	    (t <= FUZZ_CRON_START || t % 60 || !cron_matches(&c, t, 1))) {
		fprintf(stderr, "'%s': next run %lld is wrong\n", line,
			(long long)t);
		abort();
	}
out:
	free(line);
	return 0;
}
