/*
 * fuzz_credentials: a credentials file (`discover --credentials FILE`,
 * `admin credential add --from-file`): netcensus's own JSON or an
 * Open-AudIT export, read as discover_credentials_load() reads it
 * (json_loadb with duplicate keys refused) and checked by
 * store_credential_parse(). Each accepted credential is then asked which
 * secrets it still needs and wiped, as the callers do.
 */
#include "fuzz.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *doc, *creds, *c;
	size_t i;

	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!doc)
		return 0;
	creds = store_credential_parse(doc);
	if (creds) {
		if (!json_is_array(creds))
			abort();
		json_array_foreach(creds, i, c) {
			json_t *need = store_credential_secrets_needed(c);

			if (!need || !json_is_array(need))
				abort();
			json_decref(need);
		}
		store_credential_wipe(creds);
		json_decref(creds);
	}
	json_decref(doc);
	return 0;
}
