/*
 * fuzz_sched: the JSON bodies of POST/PATCH /api/v1/tasks and
 * /api/v1/reports, as sched_task_normalise() and sched_report_check()
 * check them (sched/sched.h) - including a saved report's query string,
 * which sched_report.c splits and URL-decodes itself before query_parse().
 * The first input byte picks the checker (even: report, odd: task); the
 * rest is the body. A refusal must name a reason and a field.
 */
#include "fuzz.h"
#include "sched/sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *field = NULL;
	json_error_t jerr;
	char err[256];
	json_t *body;
	int rc;

	if (!size)
		return 0;
	body = json_loadb((const char *)data + 1, size - 1,
			  JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(body))
		goto out;
	err[0] = '\0';
	if (data[0] & 1)
		rc = sched_task_normalise(body, err, sizeof(err), &field);
	else
		rc = sched_report_check(body, err, sizeof(err), &field);
	if (rc < 0 && (!err[0] || !field))
		abort();
out:
	json_decref(body);
	return 0;
}
