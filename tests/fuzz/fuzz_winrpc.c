/*
 * fuzz_winrpc: what the Windows RPC worker process (data/winrpc.py) writes
 * back, as netcensus reads it - untrusted, since the worker runs a client
 * library against a hostile host: the input is split into lines, each fed
 * to winrpc_line_feed() (probe/winrpc.h), then winrpc_report() builds the
 * partial device report, which must be an object with a sys object whenever
 * a credential was said to work, whatever the lines held.
 */
#include "fuzz.h"

#include "probe/winrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct winrpc_state st;
	const char *p = (const char *)data, *end = p + size, *nl;
	json_t *rep;

	winrpc_state_init(&st);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		(void)winrpc_line_feed(&st, p, (size_t)(nl - p));
		p = nl + 1;
	}
	rep = winrpc_report(&st);
	if (st.cred_index >= 0 &&
	    (!json_is_object(rep) ||
	     !json_is_object(json_object_get(rep, "sys"))))
		abort();
	if (st.cred_index < 0 && rep)
		abort();
	json_decref(rep);
	winrpc_state_free(&st);
	return 0;
}
