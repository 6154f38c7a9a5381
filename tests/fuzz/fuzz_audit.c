/*
 * fuzz_audit: the netcensus audit line format (docs/audit.md) as the
 * collection script prints it on a remote host and netcensus reads it back
 * over SSH: audit_find_start() skips a login shell's greeting, then
 * audit_parse() turns the lines into a device report.
 *
 * An accepted report must also pass report_validate() again unchanged:
 * audit_parse() promises a validated report.
 */
#include <stdio.h>

#include "audit/audit.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *start = audit_find_start(buf, size);
	struct report_error err;
	json_t *rep, *copy;

	if (start && (start < buf || start >= buf + size))
		abort();
	rep = audit_parse(start ? start : buf,
			  start ? size - (size_t)(start - buf) : size, &err);
	if (!rep)
		return 0;
	copy = json_deep_copy(rep);
	err.msg[0] = '\0';
	if (report_validate(copy, &err) < 0 || !json_equal(rep, copy)) {
		char *a = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
		char *b = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);

		fprintf(stderr,
			"audit_parse() returned a report that does "
			"not validate unchanged: %s\n%s\n%s\n",
			err.msg[0] ? err.msg : "(it changes)", a, b);
		abort();
	}
	json_decref(copy);
	json_decref(rep);
	return 0;
}
