/*
 * fuzz_csv_devices: the devices CSV (report/csv_devices.h) that arrives
 * from `netcensus import --csv` and POST /api/v1/devices/import. Checks
 * the promises of the header: a refused file has a reason; an accepted
 * one has only objects for rows, each with a line number of at least 2
 * (the header is line 1), no later than the last line of the input, and
 * an errors array; every value in sys is a string of UTF-8 that jansson
 * can write out.
 */
#include <stdio.h>

#include "fuzz.h"
#include "report/csv_devices.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_error err = {{0}};
	json_t *out = csv_devices_read((const char *)data, size, &err), *row;
	size_t i, lines = 1, j;
	char *dump;

	/* a line ends in LF, CRLF or a CR alone */
	for (j = 0; j < size; j++)
		lines += data[j] == '\n' ||
			 (data[j] == '\r' &&
			  (j + 1 == size || data[j + 1] != '\n'));
	if (!out) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	json_array_foreach(json_object_get(out, "rows"), i, row) {
		json_int_t line =
			json_integer_value(json_object_get(row, "line"));

		if (!json_is_object(row) || line < 2 || (size_t)line > lines ||
		    !json_is_array(json_object_get(row, "errors")))
			abort();
	}
	dump = json_dumps(out, JSON_COMPACT);
	if (!dump) /* a value jansson cannot write: not UTF-8 */
		abort();
	free(dump);
	json_decref(out);
	return 0;
}
