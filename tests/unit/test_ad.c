/*
 * The Active Directory discovery's options (discover_def.c) and what
 * ad_discover() refuses before it sends anything. The reading itself runs
 * against a real Samba DC in tests/lab/test_ad.sh.
 */
#include "testlib.h"

#include <jansson.h>

#include "discover/ad.h"
#include "discover/discover_def.h"

static json_t *def_of(const char *text)
{
	json_t *d = json_loads(text, 0, NULL);

	assert_non_null(d);
	return d;
}

/* discover_def_check() of text; the field at fault copied into fbuf
 * (it points into the definition) and *field set to it. */
static char fbuf[64];

static int check(const char *text, const char **field)
{
	json_t *d = def_of(text);
	char why[512] = "";
	int rc = discover_def_check(d, field, why, sizeof(why));

	snprintf(fbuf, sizeof(fbuf), "%s", *field ? *field : "");
	*field = fbuf;
	json_decref(d);
	return rc;
}

static void test_check_targets(void **state)
{
	const char *field = NULL;

	(void)state;
	/* an AD discovery needs no targets; any other does */
	assert_int_equal(
		check("{\"options\": {\"ad_server\": \"dc1\"}}", &field), 0);
	assert_int_equal(check("{\"options\": {}}", &field), -1);
	assert_string_equal(field, "targets");
	assert_int_equal(check("{\"options\": {\"ad_server\": \"dc1\", "
			       "\"ad_page_size\": 5000}}",
			       &field),
			 -1);
	assert_string_equal(field, "ad_page_size");
	assert_int_equal(check("{\"options\": {\"ad_server\": \"\"}}", &field),
			 -1);
	assert_string_equal(field, "ad_server");
	assert_int_equal(check("{\"targets\": \"198.18.0.1\", \"options\": "
			       "{\"disabled\": \"yes\"}}",
			       &field),
			 -1);
	assert_string_equal(field, "disabled");
}

static void test_build(void **state)
{
	json_t *d = def_of(
		"{\"org_id\": 3, \"options\": {\"ad_server\": "
		"\"ldap://dc1\", \"ad_base\": \"OU=Corp,DC=lab,DC=test\", "
		"\"ad_deadline_ms\": 5000}, \"credentials\": []}");
	json_t *cred =
		json_pack("[{ssssssss}]", "type", "windows", "name", "ad",
			  "username", "reader", "password", "s3cret-Pw");
	struct discover_def_in in;
	struct discover_setup s;
	char why[512] = "", *text;
	json_t *j;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.def = d;
	in.credentials = cred;
	assert_int_equal(discover_setup_build(&in, &s, why, sizeof(why)), 0);
	assert_true(s.is_ad);
	assert_null(s.targets);
	assert_string_equal(s.ad.server, "ldap://dc1");
	assert_string_equal(s.ad.base, "OU=Corp,DC=lab,DC=test");
	assert_int_equal(s.ad.deadline_ms, 5000);
	assert_int_equal(s.ad.page_size, AD_PAGE_SIZE_DEFAULT);
	assert_int_equal(s.ad.stale_days, AD_STALE_DAYS_DEFAULT);
	assert_int_equal(s.ad.max_objects, AD_MAX_OBJECTS_DEFAULT);
	assert_non_null(s.ad.credential);
	assert_int_equal(s.org_id, 3);
	/* the options as JSON: the server, no secret */
	j = discover_setup_json(&s);
	text = json_dumps(j, JSON_SORT_KEYS);
	assert_non_null(strstr(text, "\"server\": \"ldap://dc1\""));
	assert_null(strstr(text, "s3cret-Pw"));
	free(text);
	json_decref(j);
	discover_setup_free(&s);
	json_decref(d);
	json_decref(cred);
}

static void test_disabled_does_not_build(void **state)
{
	json_t *d = def_of("{\"targets\": \"198.18.0.0/24\", \"options\": "
			   "{\"disabled\": true}}");
	struct discover_def_in in;
	struct discover_setup s;
	char why[512] = "";

	(void)state;
	memset(&in, 0, sizeof(in));
	in.def = d;
	assert_int_equal(discover_setup_build(&in, &s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "disabled"));
	json_decref(d);
}

static int reports_seen;

static int count_report(void *ud, json_t *report, json_t *ssh)
{
	(void)ud;
	(void)report;
	(void)ssh;
	reports_seen++;
	return 0;
}

static void test_refused_before_connecting(void **state)
{
	struct discover_sink sink = {count_report, NULL, NULL};
	json_t *cred = json_pack("{ssss}", "type", "windows", "username", "x");
	struct ad_opts o;
	struct ad_result res;
	char why[512] = "";

	(void)state;
	memset(&o, 0, sizeof(o));
	o.server = "127.0.0.1:1";
	/* no credential */
	assert_int_equal(ad_discover(&o, &sink, 1, &res, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "needs a credential"));
	ad_result_free(&res);
	/* no password: an anonymous bind is never tried */
	o.credential = cred;
	assert_int_equal(ad_discover(&o, &sink, 1, &res, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no password"));
	ad_result_free(&res);
	/* not an LDAP URL */
	json_object_set_new(cred, "password", json_string("pw-1"));
	o.server = "http://dc1";
	assert_int_equal(ad_discover(&o, &sink, 1, &res, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ldaps://HOST"));
	ad_result_free(&res);
	assert_int_equal(reports_seen, 0);
	json_decref(cred);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_targets),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_disabled_does_not_build),
		cmocka_unit_test(test_refused_before_connecting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
