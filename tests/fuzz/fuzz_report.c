/*
 * fuzz_report: report_parse() - every device report that arrives from
 * outside (netcensus JSON, Open-AudIT XML in UTF-8 or UTF-16, Open-AudIT
 * JSON) goes through it, from `netcensus import` and POST /api/v1/intake.
 *
 * Beyond "does not crash, leak or read out of bounds", it checks what
 * report.h promises of an accepted report: it is a netcensus report that
 * report_parse() accepts again, unchanged, when written out and read back.
 */
#include <stdio.h>

#include "fuzz.h"
#include "report/report.h"

/* A report that was accepted must be accepted again, the same. */
static void check_again(json_t *rep)
{
	struct report_error err;
	enum report_format fmt;
	char *text = json_dumps(rep, JSON_COMPACT);
	json_t *again;

	if (!text)
		abort();
	again = report_parse(text, strlen(text), &fmt, &err);
	if (!again || fmt != REPORT_FMT_NETCENSUS) {
		fprintf(stderr,
			"an accepted report is refused when read "
			"back: %s\n%s\n",
			again ? "wrong format" : err.msg, text);
		abort();
	}
	if (!json_equal(rep, again)) {
		char *t2 = json_dumps(again, JSON_COMPACT);

		fprintf(stderr,
			"an accepted report changes when read "
			"back:\n%s\n%s\n",
			text, t2 ? t2 : "?");
		abort();
	}
	json_decref(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_error err;
	enum report_format fmt;
	json_t *rep;

	rep = report_parse((const char *)data, size, &fmt, &err);
	if (!rep)
		return 0;
	if (fmt == REPORT_FMT_UNKNOWN ||
	    !json_is_object(json_object_get(rep, "sys")))
		abort();
	check_again(rep);
	json_decref(rep);
	return 0;
}
