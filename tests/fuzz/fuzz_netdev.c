/*
 * fuzz_netdev: a network device's SSH banner and `show version` text
 * (audit_parse_netdev, audit_netdev_family), both chosen by whoever runs
 * the device. The input's first line is the banner, the rest the text; an
 * input without a newline is text with no banner. The text is passed as
 * the unterminated tail of the input, so a read past its length is seen.
 */
#include "audit/audit.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *banner = nl ? fuzz_cstr(data, (size_t)(nl - data)) : NULL;
	const uint8_t *text = nl ? nl + 1 : data;
	size_t len = size - (size_t)(text - data);
	char *ctext = fuzz_cstr(text, len);
	struct report_error err;
	json_t *rep;

	(void)audit_netdev_family(banner, ctext);
	rep = audit_parse_netdev(banner, (const char *)text, len, &err);
	if (rep && !json_is_object(json_object_get(rep, "sys")))
		abort();
	json_decref(rep);
	free(ctext);
	free(banner);
	return 0;
}
