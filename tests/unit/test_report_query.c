/*
 * Saved reports: relative times in the filter language, the shipped
 * reports on a real store (devices, components, changes), org scoping,
 * extra filters, refused queries, CSV and the escaped HTML summary.
 */
#include "testlib.h"

#include <jansson.h>

#include "core/csv.h"
#include "sched/sched.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_api.h"
#include "store/store_sched.h"

#define NOW "2026-11-20 12:00:00"

struct fixture {
	char dir[64];
	char db[128];
	struct store *st;
	int64_t dev_old, dev_new, dev_east;
	int64_t org_east;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	json_t *sys;

	setenv("NETCENSUS_NOW", NOW, 1);
	testlib_tmpdir(f->dir);
	snprintf(f->db, sizeof(f->db), "%s/nc.db", f->dir);
	f->st = store_open(f->db);
	assert_non_null(f->st);
	assert_int_equal(store_org_add(f->st, "east", 1, &f->org_east), 0);
	/* seen last 45 days ago */
	sys = json_pack("{ss ss}", "hostname", "old-printer", "ip",
			"198.18.0.9");
	assert_int_equal(store_device_insert(f->st, 1, sys,
					     "2026-10-06 08:00:00",
					     &f->dev_old),
			 0);
	json_decref(sys);
	/* first seen 2 days ago, with software */
	sys = json_pack("{ss ss}", "hostname", "<script>alert(1)</script>",
			"ip", "198.18.0.10");
	assert_int_equal(store_device_insert(f->st, 1, sys,
					     "2026-11-18 09:30:00",
					     &f->dev_new),
			 0);
	json_decref(sys);
	sys = json_pack("{ss}", "hostname", "east-web");
	assert_int_equal(store_device_insert(f->st, f->org_east, sys,
					     "2026-11-19 09:30:00",
					     &f->dev_east),
			 0);
	json_decref(sys);
	sys = json_pack("{ss ss}", "name", "openssl", "version", "3.0.11");
	assert_int_equal(store_component_insert(f->st, f->dev_new, "software",
						"openssl", sys,
						"2026-11-18 09:30:00"),
			 0);
	json_decref(sys);
	sys = json_pack("{ss ss}", "name", "=cmd|' /C calc'!A0", "version",
			"1");
	assert_int_equal(store_component_insert(f->st, f->dev_east, "software",
						"evil", sys,
						"2026-11-19 09:30:00"),
			 0);
	json_decref(sys);
	sys = json_pack("{s{ss}}", "to", "version", "3.0.11");
	assert_int_equal(store_change_add(f->st, f->dev_new, "software",
					  "change", "openssl", sys,
					  "2026-11-20 06:00:00"),
			 0);
	assert_int_equal(store_change_add(f->st, f->dev_new, "software", "add",
					  "openssl", sys,
					  "2026-11-17 06:00:00"),
			 0);
	json_decref(sys);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	unsetenv("NETCENSUS_NOW");
	return 0;
}

static void test_relative_time(void **state)
{
	struct query_error err;
	char out[20];

	(void)state;
	setenv("NETCENSUS_NOW", NOW, 1);
	assert_int_equal(query_time_relative("-30d", out, &err), 1);
	assert_string_equal(out, "2026-10-21 12:00:00");
	assert_int_equal(query_time_relative("-24h", out, &err), 1);
	assert_string_equal(out, "2026-11-19 12:00:00");
	assert_int_equal(query_time_relative("-90m", out, &err), 1);
	assert_string_equal(out, "2026-11-20 10:30:00");
	assert_int_equal(query_time_relative("-2w", out, &err), 1);
	assert_string_equal(out, "2026-11-06 12:00:00");
	assert_int_equal(query_time_relative("-0s", out, &err), 1);
	assert_string_equal(out, NOW);
	assert_int_equal(query_time_relative("now", out, &err), 1);
	assert_string_equal(out, NOW);
	/* not relative: used as they are */
	assert_int_equal(query_time_relative("2026-11-01", out, &err), 0);
	assert_int_equal(query_time_relative("-abc", out, &err), 0);
	/* relative but wrong */
	assert_int_equal(query_time_relative("-3x", out, &err), -1);
	assert_non_null(strstr(err.msg, "-30d"));
	assert_int_equal(query_time_relative("-5", out, &err), -1);
	assert_int_equal(query_time_relative("-5dd", out, &err), -1);
	assert_int_equal(query_time_relative("-99999999999d", out, &err), -1);
	assert_int_equal(query_time_relative("-40000w", out, &err), -1);
}

static void test_parse_relative(void **state)
{
	struct query_arg args[] = {{"last_seen__lt", "-30d"},
				   {"hostname", "-30d"},
				   {"first_seen__empty", "false"}};
	struct query_arg bad[] = {{"last_seen__gte", "-7q"}};
	struct store_query q;
	struct query_error err;

	(void)state;
	setenv("NETCENSUS_NOW", NOW, 1);
	assert_int_equal(
		query_parse(STORE_API_DEVICES, args, 3, NULL, &q, &err), 0);
	assert_string_equal(q.conds[0].value, "2026-10-21 12:00:00");
	assert_string_equal(q.conds[1].value, "-30d"); /* a text field */
	assert_string_equal(q.conds[2].value, "false");
	store_query_free(&q);
	assert_int_equal(query_parse(STORE_API_DEVICES, bad, 1, NULL, &q, &err),
			 -1);
	assert_string_equal(err.field, "last_seen__gte");
	store_query_free(&q);
	/* components are a resource too */
	assert_int_equal(store_api_field_type(STORE_API_COMPONENTS, "name"),
			 STORE_FIELD_TEXT);
	assert_int_equal(
		store_api_field_type(STORE_API_COMPONENTS, "last_seen"),
		STORE_FIELD_TIME);
	assert_int_equal(store_api_field_type(STORE_API_CHANGES, "time"),
			 STORE_FIELD_TIME);
}

/* The shipped report called name. */
static json_t *shipped(struct fixture *f, const char *name)
{
	int found = 0;
	json_t *r = store_report_find(f->st, name, NULL, 0, &found);

	if (!r)
		fail_msg("no shipped report '%s'", name);
	assert_true(json_is_true(json_object_get(r, "builtin")));
	return r;
}

/* The values of column col of rows, comma separated. */
static char *column(json_t *rows, const char *col)
{
	struct strbuf sb;
	json_t *row;
	size_t i;

	strbuf_init(&sb, 0);
	json_array_foreach(rows, i, row) {
		json_t *v = json_object_get(row, col);

		strbuf_printf(&sb, "%s%s", i ? "," : "",
			      json_is_string(v)	   ? json_string_value(v)
			      : json_is_integer(v) ? "#"
						   : "null");
	}
	return sb.data ? sb.data : strdup("");
}

static void check_report(struct fixture *f, const char *name,
			 const struct query_arg *extra, int nextra,
			 const int64_t *orgs, int norgs, const char *col,
			 const char *expect)
{
	struct query_error err;
	json_t *r = shipped(f, name), *cols = NULL, *rows;
	char *got;

	rows = sched_report_rows(f->st, r, extra, nextra, orgs, norgs, 0, NULL,
				 &cols, &err);
	if (!rows)
		fail_msg("%s: %s", name, err.msg);
	got = column(rows, col);
	if (strcmp(got, expect))
		fail_msg("%s: %s is '%s', expected '%s'", name, col, got,
			 expect);
	free(got);
	json_decref(rows);
	json_decref(cols);
	json_decref(r);
}

static void test_shipped_reports(void **state)
{
	struct fixture *f = *state;
	struct query_arg narrow[] = {{"name__ic", "SSL"}, {"format", "csv"}};
	struct query_arg hostfilter[] = {{"hostname__isw", "old"}};
	int64_t east[] = {f->org_east};
	json_t *list = store_report_list(f->st, NULL, 0);

	/* four, and the two Active Directory difference reports */
	assert_int_equal(json_array_size(list), 6);
	json_decref(list);
	check_report(f, "Devices not seen for 30 days", NULL, 0, NULL, 0,
		     "hostname", "old-printer");
	check_report(f, "New devices in the last 7 days", NULL, 0, NULL, 0,
		     "hostname", "east-web,<script>alert(1)</script>");
	/* the caller's orgs limit what a report sees */
	check_report(f, "New devices in the last 7 days", NULL, 0, east, 1,
		     "hostname", "east-web");
	check_report(f, "Software by name", NULL, 0, NULL, 0, "name",
		     "=cmd|' /C calc'!A0,openssl");
	check_report(f, "Software by name", narrow, 2, NULL, 0, "version",
		     "3.0.11");
	check_report(f, "Changes in the last 24 hours", NULL, 0, NULL, 0,
		     "time", "2026-11-20 06:00:00");
	/* no device here came from Active Directory: both queries parse and
	 * find nothing */
	check_report(f, "In Active Directory, never seen on the network", NULL,
		     0, NULL, 0, "hostname", "");
	check_report(f, "Windows on the network, not in Active Directory", NULL,
		     0, NULL, 0, "hostname", "");
	/* extra filters only narrow */
	check_report(f, "New devices in the last 7 days", hostfilter, 1, NULL,
		     0, "hostname", "");
}

static void test_report_check(void **state)
{
	struct fixture *f = *state;
	const char *field;
	char err[256];
	json_t *rep;
	int64_t id;
	int dup = 0, found;

	rep = json_pack(
		"{ss ss ss s[ss]}", "name", "printers", "resource", "devices",
		"query",
		"type=printer&hostname__ic=%27%3B%20DROP%20TABLE%20device"
		"&ordering=-last_seen",
		"columns", "hostname", "ip");
	assert_int_equal(sched_report_check(rep, err, sizeof(err), &field), 0);
	json_object_set_new(rep, "org_id", json_integer(1));
	assert_int_equal(store_report_add(f->st, rep, &id, &dup), 0);
	assert_int_equal(store_report_add(f->st, rep, &id, &dup), -1);
	assert_int_equal(dup, 1);
	json_decref(rep);
	rep = store_report_find(f->st, "printers", NULL, 0, &found);
	assert_non_null(rep);
	{
		struct query_error qe;
		json_t *cols,
			*rows = sched_report_rows(f->st, rep, NULL, 0, NULL, 0,
						  0, NULL, &cols, &qe);

		/* the quote and DROP are a value: nothing matches, nothing
		 * breaks */
		assert_non_null(rows);
		assert_int_equal(json_array_size(rows), 0);
		assert_int_equal(json_array_size(cols), 2);
		json_decref(rows);
		json_decref(cols);
	}
	json_decref(rep);

	rep = json_pack("{ss ss ss}", "name", "x", "resource", "devices",
			"query", "password=1");
	assert_int_equal(sched_report_check(rep, err, sizeof(err), &field), -1);
	assert_string_equal(field, "query");
	assert_non_null(strstr(err, "unknown field 'password'"));
	json_decref(rep);
	rep = json_pack("{ss ss ss}", "name", "x", "resource", "users", "query",
			"");
	assert_int_equal(sched_report_check(rep, err, sizeof(err), &field), -1);
	assert_string_equal(field, "resource");
	json_decref(rep);
	rep = json_pack("{ss ss ss s[s]}", "name", "x", "resource", "changes",
			"query", "time__gte=-1d", "columns", "password_hash");
	assert_int_equal(sched_report_check(rep, err, sizeof(err), &field), -1);
	assert_string_equal(field, "columns");
	json_decref(rep);
	rep = json_pack("{ss ss ss}", "name", "x", "resource", "devices",
			"query", "last_seen__lt=-30days");
	assert_int_equal(sched_report_check(rep, err, sizeof(err), &field), -1);
	json_decref(rep);
}

static void test_render(void **state)
{
	struct fixture *f = *state;
	struct query_error qe;
	struct strbuf sb;
	json_t *r = shipped(f, "Software by name"), *cols, *rows;
	char *html;

	rows = sched_report_rows(f->st, r, NULL, 0, NULL, 0, 0, NULL, &cols,
				 &qe);
	assert_non_null(rows);
	html = sched_report_html(r, rows, cols, NOW);
	assert_non_null(strstr(html, "<th>name</th>"));
	assert_non_null(strstr(html, "<td>openssl</td>"));
	assert_non_null(strstr(html, "&#39; /C calc&#39;"));
	free(html);
	strbuf_init(&sb, 0);
	csv_append_rows(&sb, rows, cols);
	/* a formula is defused; every line ends CRLF */
	assert_non_null(strstr(sb.data, "\"'=cmd|' /C calc'!A0\""));
	assert_non_null(strstr(sb.data, "\"name\",\"version\",\"hostname\""));
	assert_null(strstr(sb.data, "A0\"\n"));
	strbuf_free(&sb);
	json_decref(rows);
	json_decref(cols);
	json_decref(r);

	r = shipped(f, "New devices in the last 7 days");
	rows = sched_report_rows(f->st, r, NULL, 0, NULL, 0, 0, NULL, &cols,
				 &qe);
	html = sched_report_html(r, rows, cols, NOW);
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	free(html);
	json_decref(rows);
	json_decref(cols);
	json_decref(r);

	/* columns without the id: each row still names its device (the web
	 * UI links it), the CSV holds the columns only */
	r = json_pack("{sssssss[ss]}", "name", "ids", "resource", "devices",
		      "query", "ordering=hostname", "columns", "hostname",
		      "ip");
	rows = sched_report_rows(f->st, r, NULL, 0, NULL, 0, 0, NULL, &cols,
				 &qe);
	assert_non_null(rows);
	assert_true(json_array_size(rows) > 0);
	assert_true(json_integer_value(json_object_get(json_array_get(rows, 0),
						       "id")) > 0);
	strbuf_init(&sb, 0);
	csv_append_rows(&sb, rows, cols);
	assert_int_equal(strncmp(sb.data, "\"hostname\",\"ip\"\r\n", 17), 0);
	strbuf_free(&sb);
	json_decref(rows);
	json_decref(cols);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_time),
		cmocka_unit_test(test_parse_relative),
		cmocka_unit_test_setup_teardown(test_shipped_reports, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_report_check, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_render, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
