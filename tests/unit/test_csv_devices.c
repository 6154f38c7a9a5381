/* csv_devices.h: a devices CSV into import rows — quoting (commas, doubled
 * quotes, line breaks in a cell), the BOM, the line each record starts on,
 * Open-AudIT's column names, per-row errors with their column, and the
 * errors that refuse the whole file. */
#include "testlib.h"

#include "core/log.h"
#include "report/csv_devices.h"

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	return 0;
}

static json_t *read_ok(const char *text)
{
	struct report_error err = {{0}};
	json_t *out = csv_devices_read(text, strlen(text), &err);

	if (!out)
		fail_msg("refused: %s", err.msg);
	return out;
}

static const char *row_sys(json_t *out, size_t i, const char *field)
{
	return json_string_value(json_object_get(
		json_object_get(json_array_get(json_object_get(out, "rows"), i),
				"sys"),
		field));
}

static json_int_t row_line(json_t *out, size_t i)
{
	return json_integer_value(json_object_get(
		json_array_get(json_object_get(out, "rows"), i), "line"));
}

static json_t *row_errors(json_t *out, size_t i)
{
	return json_object_get(json_array_get(json_object_get(out, "rows"), i),
			       "errors");
}

static void test_quoting_bom_and_lines(void **state)
{
	json_t *out = read_ok(
		"\xef\xbb\xbfName,IP, description ,icon\r\n"
		"web1,198.18.1.1,\"a, b\",x\r\n"
		"\r\n"
		"\"web \"\"2\"\"\",198.18.1.2,\"first\nsecond\nthird\",y\r\n"
		"web3,198.18.001.003,plain,z"); /* no line end at the end */

	(void)state;
	assert_int_equal(json_array_size(json_object_get(out, "rows")), 3);
	assert_string_equal(row_sys(out, 0, "hostname"), "web1");
	assert_string_equal(row_sys(out, 0, "description"), "a, b");
	assert_string_equal(row_sys(out, 1, "hostname"), "web \"2\"");
	assert_string_equal(row_sys(out, 1, "description"),
			    "first\nsecond\nthird");
	assert_string_equal(row_sys(out, 2, "ip"), "198.18.1.3");
	/* the line each record starts on: the blank line 3 is skipped, the
	 * record of line 4 spans three lines */
	assert_int_equal(row_line(out, 0), 2);
	assert_int_equal(row_line(out, 1), 4);
	assert_int_equal(row_line(out, 2), 7);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(out, "ignored"), 0)),
			    "icon");
	json_decref(out);
}

/* old Mac files end lines with a CR alone; libcsv ends records there */
static void test_cr_line_ends(void **state)
{
	json_t *out = read_ok("hostname,ip\rweb1,198.18.1.1\r\rweb2,\r");

	(void)state;
	assert_int_equal(json_array_size(json_object_get(out, "rows")), 2);
	assert_int_equal(row_line(out, 0), 2);
	assert_int_equal(row_line(out, 1), 4);
	json_decref(out);
}

static void test_open_audit_columns(void **state)
{
	json_t *out = read_ok(
		"id,name,dns_hostname,mac_address,dns_fqdn,org,custom.rack,"
		"os_family,sysname\n"
		"77,display-name,,000C29AABB01,web.example.org,east,R12,Debian,"
		"sw\n"
		"78,shown,real-host,00-0c-29-aa-bb-02,,,,,\n");

	(void)state;
	/* name is the host name when no other column gives one */
	assert_string_equal(row_sys(out, 0, "hostname"), "display-name");
	assert_string_equal(row_sys(out, 1, "hostname"), "real-host");
	assert_string_equal(row_sys(out, 0, "mac"), "00:0c:29:aa:bb:01");
	assert_string_equal(row_sys(out, 1, "mac"), "00:0c:29:aa:bb:02");
	assert_string_equal(row_sys(out, 0, "fqdn"), "web.example.org");
	assert_string_equal(row_sys(out, 0, "sysName"), "sw");
	assert_null(row_sys(out, 0, "id")); /* Open-AudIT's id: ignored */
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(out, "rows"), 0),
			"org")),
		"east");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(
				json_array_get(json_object_get(out, "rows"), 0),
				"custom"),
			"rack")),
		"R12");
	json_decref(out);
}

static void test_row_errors_name_the_column(void **state)
{
	json_t *out = read_ok("hostname,ip,mac,status\n"
			      "a,198.18.1.300,,\n"
			      "b,,zz:00,\n"
			      ",,,spare\n"
			      "c,198.18.1.4,,,extra\n"
			      "'=d,198.18.1.5,,\n");
	json_t *e;

	(void)state;
	e = json_array_get(row_errors(out, 0), 0);
	assert_string_equal(json_string_value(json_object_get(e, "column")),
			    "ip");
	e = json_array_get(row_errors(out, 1), 0);
	assert_string_equal(json_string_value(json_object_get(e, "column")),
			    "mac");
	/* nothing to match on */
	e = json_array_get(row_errors(out, 2), 0);
	assert_string_equal(json_string_value(json_object_get(e, "column")),
			    "hostname");
	/* more cells than columns */
	assert_int_equal(json_array_size(row_errors(out, 3)), 1);
	/* the exporter's ' before = is taken off again */
	assert_int_equal(json_array_size(row_errors(out, 4)), 0);
	assert_string_equal(row_sys(out, 4, "hostname"), "=d");
	json_decref(out);
}

static void test_whole_file_refused(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"", "empty"},
		{"hostname,ip\n\"web1,198.18.1.1\n", "never closed"},
		{"colour,size\nred,3\n", "no column netcensus knows"},
		{"ip,IP\n198.18.1.1,198.18.1.2\n", "named twice"},
	};
	struct report_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_null(csv_devices_read(bad[i].text, strlen(bad[i].text),
					     &err));
		if (!strstr(err.msg, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].want);
	}
}

static void test_create_values_share_the_checks(void **state)
{
	json_t *v = json_pack("{ssss}", "hostname", "h1", "ip", "198.18.0.999");
	json_t *row = csv_devices_row(v, 1);

	(void)state;
	assert_int_equal(json_array_size(json_object_get(row, "errors")), 1);
	assert_int_equal(csv_devices_column_kind("org"), CSV_COLUMN_ORG);
	assert_int_equal(csv_devices_column_kind("custom.rack"),
			 CSV_COLUMN_CUSTOM);
	assert_int_equal(csv_devices_column_kind("colour"), CSV_COLUMN_UNKNOWN);
	json_decref(row);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting_bom_and_lines),
		cmocka_unit_test(test_cr_line_ends),
		cmocka_unit_test(test_open_audit_columns),
		cmocka_unit_test(test_row_errors_name_the_column),
		cmocka_unit_test(test_whole_file_refused),
		cmocka_unit_test(test_create_values_share_the_checks),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
