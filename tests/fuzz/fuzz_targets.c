/*
 * fuzz_targets: the target-list syntax (core/targets.h) that arrives from
 * the command line, targets files and the discovery API. One token per
 * input line; a line starting with '!' is an exclusion. Host names are
 * never resolved here (flags 0), so no input reaches a resolver.
 *
 * After targets_finish() it checks the promises of the header: the count
 * is within the cap, every index below it yields an address that formats
 * and parses back to itself, and the index past the end is refused.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "core/targets.h"
#include "fuzz.h"

#define FUZZ_TARGETS_CAP 4096u /* small, so a finish stays quick */

static void check_index(const struct targets *t, uint64_t i)
{
	struct targets_addr a, b;
	char text[INET6_ADDRSTRLEN];

	if (targets_get(t, i, &a) < 0 ||
	    !targets_addr_format(&a, text, sizeof(text)) ||
	    targets_addr_parse(text, &b) < 0 || !targets_addr_equal(&a, &b)) {
		fprintf(stderr, "index %llu of %llu does not round-trip\n",
			(unsigned long long)i,
			(unsigned long long)targets_count(t));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size), *line = in, *next;
	struct targets *t = targets_new(FUZZ_TARGETS_CAP, 0);
	struct targets_addr a;
	uint64_t n;

	for (; line; line = next) {
		next = fuzz_split(line, '\n');
		if (line[0] == '!')
			(void)targets_exclude(t, line + 1);
		else
			(void)targets_add(t, line);
	}
	if (targets_finish(t) == 0) {
		n = targets_count(t);
		if (n > FUZZ_TARGETS_CAP || (n && !targets_range_count(t)))
			abort();
		if (n) {
			check_index(t, 0);
			check_index(t, n / 2);
			check_index(t, n - 1);
		}
		if (targets_get(t, n, &a) == 0)
			abort();
	}
	targets_free(t);
	free(in);
	return 0;
}
