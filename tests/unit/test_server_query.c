/* store/query + store/sqlite_api: the list filter parser and the SQL it
 * leads to. Field names and lookups are whitelisted, values only ever
 * travel as bound parameters, and the queries give the right rows on a
 * real database. */
#include "testlib.h"

#include "core/log.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_api.h"

#define ARGS(...) ((const struct query_arg[]){__VA_ARGS__})
#define NARGS(...)                                                             \
	((int)(sizeof((const struct query_arg[]){__VA_ARGS__}) /               \
	       sizeof(struct query_arg)))
#define PARSE(q, e, ...)                                                       \
	query_parse(STORE_API_DEVICES, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__),  \
		    extra, q, e)

static const char *const extra[] = {"format", NULL};

static void expect_refused(const char *key, const char *value,
			   const char *field)
{
	struct query_arg a = {key, value};
	struct store_query q;
	struct query_error e;

	assert_int_equal(query_parse(STORE_API_DEVICES, &a, 1, extra, &q, &e),
			 -1);
	assert_string_equal(e.field, field);
	assert_true(strlen(e.msg) > 0);
	store_query_free(&q);
}

static void test_defaults_and_paging(void **state)
{
	struct store_query q;
	struct query_error e;

	(void)state;
	assert_int_equal(query_parse(STORE_API_DEVICES, NULL, 0, extra, &q, &e),
			 0);
	assert_int_equal(q.limit, 50);
	assert_int_equal(q.offset, 0);
	assert_int_equal(q.nconds, 0);
	store_query_free(&q);
	assert_int_equal(PARSE(&q, &e, {"limit", "1000"}, {"offset", "20"},
			       {"format", "csv"}),
			 0);
	assert_int_equal(q.limit, 1000);
	assert_int_equal(q.offset, 20);
	store_query_free(&q);
	expect_refused("limit", "1001", "limit");
	expect_refused("limit", "0", "limit");
	expect_refused("limit", "10; DROP TABLE device", "limit");
	expect_refused("offset", "-1", "offset");
	expect_refused("offset", "1 OR 1=1", "offset");
}

static void test_filters_parsed(void **state)
{
	struct store_query q;
	struct query_error e;

	(void)state;
	assert_int_equal(
		PARSE(&q, &e, {"hostname", "web1"}, {"hostname__ic", "WEB"},
		      {"last_seen__gte", "2026-01-01"}, {"type__n", "printer"},
		      {"id__lt", "100"}, {"serial__empty", "true"}),
		0);
	assert_int_equal(q.nconds, 6);
	assert_string_equal(q.conds[0].field, "hostname");
	assert_int_equal(q.conds[0].op, STORE_OP_EQ);
	assert_int_equal(q.conds[1].op, STORE_OP_IC);
	assert_string_equal(q.conds[1].value, "WEB");
	assert_string_equal(q.conds[2].field, "last_seen");
	assert_int_equal(q.conds[2].op, STORE_OP_GTE);
	assert_int_equal(q.conds[3].op, STORE_OP_N);
	assert_int_equal(q.conds[4].op, STORE_OP_LT);
	assert_int_equal(q.conds[5].op, STORE_OP_EMPTY);
	store_query_free(&q);
}

static void test_unknown_and_injection_refused(void **state)
{
	(void)state;
	expect_refused("bogus", "1", "bogus");
	expect_refused("password_hash", "x", "password_hash");
	expect_refused("extra", "x", "extra");
	expect_refused("hostname;DROP TABLE device--", "x",
		       "hostname;DROP TABLE device--");
	expect_refused("hostname) OR 1=1 --", "x", "hostname) OR 1=1 --");
	expect_refused("hostname__ic) OR (1", "x", "hostname__ic) OR (1");
	expect_refused("hostname__like", "%", "hostname__like");
	expect_refused("hostname__", "x", "hostname__");
	expect_refused("__ic", "x", "__ic");
	expect_refused("id", "1 OR 1=1", "id");
	expect_refused("org_id__gt", "0) OR (1=1", "org_id__gt");
	expect_refused("serial__empty", "maybe", "serial__empty");
	expect_refused("ordering", "-last_seen;DROP TABLE device", "ordering");
	expect_refused("ordering", "hostname DESC", "ordering");
	expect_refused("ordering", "(SELECT 1)", "ordering");
	expect_refused("ordering", "-", "ordering");
	expect_refused("ordering", "a,b,c,d,e", "ordering");
}

static void test_value_ceiling(void **state)
{
	char big[STORE_QUERY_VALUE_MAX + 2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_refused("hostname", big, "hostname");
}

static void test_ordering(void **state)
{
	struct store_query q;
	struct query_error e;

	(void)state;
	assert_int_equal(PARSE(&q, &e, {"ordering", "-last_seen,hostname"}), 0);
	assert_int_equal(q.norder, 2);
	assert_string_equal(q.order[0].field, "last_seen");
	assert_true(q.order[0].desc);
	assert_string_equal(q.order[1].field, "hostname");
	assert_false(q.order[1].desc);
	store_query_free(&q);
}

/* The SQL text holds only whitelisted names and '?': the hostile value is
 * a bound parameter, never part of the statement. */
static void test_sql_binds_values(void **state)
{
	const char *evil = "x' OR '1'='1'; DROP TABLE device; --";
	struct store_query q;
	struct query_error e;
	json_t *params = json_array();
	char *sql;
	int64_t orgs[2] = {1, 3};

	(void)state;
	assert_int_equal(PARSE(&q, &e, {"hostname", evil}, {"hostname", "b"},
			       {"type__n", "x"}, {"type__n", "y"},
			       {"os_name__ic", "50%_\\"},
			       {"ordering", "-last_seen"}),
			 0);
	q.org_ids = orgs;
	q.norgs = 2;
	sql = store_api_sql(STORE_API_DEVICES, &q, 0, params);
	assert_non_null(sql);
	assert_null(strstr(sql, "DROP"));
	assert_null(strstr(sql, "'1'"));
	assert_non_null(strstr(sql, "org_id IN (?,?)"));
	assert_non_null(strstr(sql, "(hostname = ? OR hostname = ?)"));
	assert_non_null(strstr(sql, "(type IS NOT ? AND type IS NOT ?)"));
	assert_non_null(strstr(sql, "os_name LIKE ? ESCAPE"));
	assert_non_null(strstr(sql, "ORDER BY last_seen DESC, id DESC"));
	assert_non_null(strstr(sql, "LIMIT ? OFFSET ?"));
	/* orgs, 2 hostnames, 2 types, 1 like, limit, offset */
	assert_int_equal(json_array_size(params), 9);
	assert_string_equal(json_string_value(json_array_get(params, 2)), evil);
	assert_string_equal(json_string_value(json_array_get(params, 6)),
			    "%50\\%\\_\\\\%");
	free(sql);
	json_decref(params);
	store_query_free(&q);

	/* the count query reads ranges by scanning, and has no paging */
	params = json_array();
	assert_int_equal(PARSE(&q, &e, {"last_seen__gte", "2026-01-01"}), 0);
	sql = store_api_sql(STORE_API_DEVICES, &q, 1, params);
	assert_non_null(strstr(sql, "SELECT count(*) FROM device"));
	assert_non_null(strstr(sql, "+last_seen >= ?"));
	assert_null(strstr(sql, "LIMIT"));
	assert_int_equal(json_array_size(params), 1);
	free(sql);
	json_decref(params);
	store_query_free(&q);
}

/* ---- against a real database ---- */

static char dir[64];

static struct store *make_store(void)
{
	char path[128];
	struct store *st;
	int64_t org2 = 0;
	int i;

	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/q.db", dir);
	st = store_open(path);
	assert_non_null(st);
	assert_int_equal(store_org_add(st, "two", 1, &org2), 0);
	assert_int_equal(org2, 2);
	for (i = 1; i <= 30; i++) {
		char host[32], seen[20];
		json_t *sys;
		int64_t id;

		snprintf(host, sizeof(host), "%s%02d", i % 3 ? "web" : "DB", i);
		snprintf(seen, sizeof(seen), "2026-01-%02d 00:00:00", i);
		sys = json_pack("{ssss}", "hostname", host, "type",
				i % 2 ? "computer" : "printer");
		if (i == 5)
			json_object_set_new(sys, "serial", json_string("S5"));
		assert_int_equal(store_device_insert(st, i <= 20 ? 1 : 2, sys,
						     seen, &id),
				 0);
		json_decref(sys);
	}
	return st;
}

static json_t *run(struct store *st, int64_t *count, const struct query_arg *a,
		   int n, const int64_t *orgs, int norgs)
{
	struct store_query q;
	struct query_error e;
	json_t *rows;

	assert_int_equal(query_parse(STORE_API_DEVICES, a, n, extra, &q, &e),
			 0);
	q.org_ids = orgs;
	q.norgs = norgs;
	rows = store_api_list(st, STORE_API_DEVICES, &q, count);
	store_query_free(&q);
	assert_non_null(rows);
	return rows;
}

static const char *host_at(json_t *rows, size_t i)
{
	return json_string_value(
		json_object_get(json_array_get(rows, i), "hostname"));
}

static void test_db_filters(void **state)
{
	struct store *st = make_store();
	int64_t n = 0, org2[1] = {2};
	json_t *r;

	(void)state;
	r = run(st, &n, ARGS({"limit", "5"}), 1, NULL, 0);
	assert_int_equal(n, 30);
	assert_int_equal(json_array_size(r), 5);
	json_decref(r);

	r = run(st, &n, ARGS({"hostname__ic", "db"}), 1, NULL, 0);
	assert_int_equal(n, 10); /* DB03, DB06, ... DB30 */
	json_decref(r);

	r = run(st, &n, ARGS({"hostname", "db03"}), 1, NULL, 0);
	assert_int_equal(n, 0); /* exact is case-sensitive */
	json_decref(r);
	r = run(st, &n, ARGS({"hostname__ie", "db03"}), 1, NULL, 0);
	assert_int_equal(n, 1);
	json_decref(r);

	r = run(st, &n,
		ARGS({"last_seen__gte", "2026-01-10"},
		     {"last_seen__lt", "2026-01-20"}, {"type__n", "printer"}),
		3, NULL, 0);
	assert_int_equal(n, 5); /* 11, 13, 15, 17, 19 */
	json_decref(r);

	r = run(st, &n, ARGS({"ordering", "-last_seen"}, {"limit", "2"}), 2,
		NULL, 0);
	assert_string_equal(host_at(r, 0), "DB30");
	assert_string_equal(host_at(r, 1), "web29");
	json_decref(r);

	r = run(st, &n, ARGS({"hostname", "web01"}, {"hostname", "web02"}), 2,
		NULL, 0);
	assert_int_equal(n, 2);
	json_decref(r);

	r = run(st, &n, ARGS({"serial__empty", "false"}), 1, NULL, 0);
	assert_int_equal(n, 1);
	json_decref(r);

	r = run(st, &n, ARGS({"hostname__ic", "%"}), 1, NULL, 0);
	assert_int_equal(n, 0); /* '%' is a literal, not a wildcard */
	json_decref(r);

	r = run(st, &n, ARGS({"hostname", "x' OR '1'='1"}), 1, NULL, 0);
	assert_int_equal(n, 0);
	json_decref(r);

	r = run(st, &n, ARGS({"limit", "50"}), 1, org2, 1);
	assert_int_equal(n, 10); /* devices 21-30 are in org 2 */
	assert_int_equal(json_array_size(r), 10);
	json_decref(r);

	r = run(st, &n, NULL, 0, org2, 0);
	assert_int_equal(n, 0); /* an empty org list sees nothing */
	json_decref(r);

	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_paging),
		cmocka_unit_test(test_filters_parsed),
		cmocka_unit_test(test_unknown_and_injection_refused),
		cmocka_unit_test(test_value_ceiling),
		cmocka_unit_test(test_ordering),
		cmocka_unit_test(test_sql_binds_values),
		cmocka_unit_test(test_db_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
