/*
 * fuzz_intake_form: how POST /open-audit/... finds the audit document in
 * the request body - an application/x-www-form-urlencoded field "data"
 * (intake_form_field) or a multipart/form-data part named "data"
 * (intake_multipart_field), both in server/api_intake.c.
 *
 * The input's first line is the Content-Type header, the rest the body,
 * passed as the unterminated tail of the input so that a read past its
 * end is seen. A value found must fit in the body it came from.
 */
#include "fuzz.h"
#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *ct, *v;
	const char *body;
	size_t len, n;

	if (!nl)
		return 0;
	ct = fuzz_cstr(data, (size_t)(nl - data));
	body = (const char *)nl + 1;
	len = size - (size_t)(nl + 1 - data);

	n = (size_t)-1;
	v = intake_multipart_field(body, len, ct, "data", &n);
	if (v && n > len)
		abort();
	free(v);

	n = (size_t)-1;
	v = intake_form_field(body, len, "data", &n);
	if (v && (n > len || strlen(v) > n))
		abort();
	free(v);
	free(ct);
	return 0;
}
