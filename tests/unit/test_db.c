/* db.h: the common SQL rewritten into PostgreSQL's text (placeholders,
 * CROSS JOIN, JSON access, a JSON list of ids, SKIP LOCKED, quoted text
 * untouched, bad placeholders refused), a database URL shown without its
 * password, and an operation a back end does not have refused with its
 * name instead of a crash (a SQLite handle posing as another back end). */
#include "testlib.h"

#include "core/log.h"
#include "store/backend.h"
#include "store/db.h"
#include "store/store.h"

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	return 0;
}

static char *pg(const char *sql, int *n)
{
	const char *why = NULL;

	return db_sql_pg(sql, 64, n, &why);
}

static void test_placeholders(void **state)
{
	char *s;
	int n;

	(void)state;
	s = pg("SELECT id FROM t WHERE a = ?1 AND b = ?12 OR c = ?1", &n);
	assert_string_equal(s, "SELECT id FROM t WHERE a = $1 AND b = $12 OR "
			       "c = $1");
	assert_int_equal(n, 12);
	free(s);
	s = pg("INSERT INTO t (a, b) VALUES (?, ?)", &n);
	assert_string_equal(s, "INSERT INTO t (a, b) VALUES ($1, $2)");
	assert_int_equal(n, 2);
	free(s);
	/* a bare ? after numbered ones: one more than the largest, as
	 * SQLite numbers it (an org filter appended to numbered SQL) */
	s = pg("SELECT a FROM t WHERE a >= ?2 AND b < ?1 AND c IN (?,?)"
	       " LIMIT ?",
	       &n);
	assert_string_equal(s, "SELECT a FROM t WHERE a >= $2 AND b < $1 AND"
			       " c IN ($3,$4) LIMIT $5");
	assert_int_equal(n, 5);
	free(s);
	/* text and quoted names are never rewritten */
	s = pg("SELECT '?1 it''s ?', \"a?b\" FROM t WHERE x = ?1", &n);
	assert_string_equal(s,
			    "SELECT '?1 it''s ?', \"a?b\" FROM t WHERE x = $1");
	assert_int_equal(n, 1);
	free(s);
}

static void test_bad_placeholders(void **state)
{
	const char *why = NULL;
	int n;

	(void)state;
	assert_null(db_sql_pg("SELECT ?65", 64, &n, &why));
	assert_non_null(why);
	why = NULL;
	assert_null(db_sql_pg("SELECT ?0", 64, &n, &why));
	assert_non_null(why);
}

static void test_dialect(void **state)
{
	char *s;
	int n;

	(void)state;
	s = pg("SELECT d.id FROM component c CROSS JOIN device d ON d.id ="
	       " c.device_id WHERE " DB_JSON_TEXT("d.extra", "os_arch") " = ?1",
	       &n);
	assert_string_equal(s, "SELECT d.id FROM component c JOIN device d ON "
			       "d.id = c.device_id WHERE (d.extra ->> "
			       "'os_arch') = $1");
	free(s);
	/* only the whole words */
	s = pg("SELECT xCROSS JOIN_ FROM t", &n);
	assert_string_equal(s, "SELECT xCROSS JOIN_ FROM t");
	assert_int_equal(n, 0);
	free(s);
	/* a list of ids as one JSON parameter, and a claim's row lock */
	s = pg("SELECT id FROM t WHERE " DB_IN_JSON_IDS(
		       "org_id",
		       "?2") " AND a = ?1 ORDER BY id LIMIT 1" DB_SKIP_LOCKED,
	       &n);
	assert_string_equal(s, "SELECT id FROM t WHERE org_id IN (SELECT "
			       "CAST(value AS BIGINT) FROM "
			       "jsonb_array_elements_text(CAST($2 AS jsonb))) "
			       "AND a = $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP "
			       "LOCKED");
	assert_int_equal(n, 2);
	free(s);
	/* LIKE ignores ASCII case on SQLite: ILIKE; IS NOT on a value is
	 * NULL-safe inequality; IS NOT NULL stays */
	s = pg("SELECT 1 FROM t WHERE a LIKE ?1 ESCAPE '\\' AND b NOT LIKE ?2"
	       " AND c IS NOT ?3 AND d IS NOT ?4 AND e IS NOT NULL"
	       " AND UNLIKELY_NAME = 1",
	       &n);
	assert_string_equal(s, "SELECT 1 FROM t WHERE a ILIKE $1 ESCAPE '\\'"
			       " AND b NOT ILIKE $2 AND c IS DISTINCT FROM $3"
			       " AND d IS DISTINCT FROM $4 AND e IS NOT NULL"
			       " AND UNLIKELY_NAME = 1");
	free(s);
	/* SQLite's index hint goes; NOCASE on a column or a parameter is
	 * lower() on both sides */
	s = pg("SELECT d.id FROM device d INDEXED BY device_hostname_nc"
	       " WHERE d.hostname COLLATE NOCASE >= ?1 COLLATE NOCASE"
	       " ORDER BY name COLLATE NOCASE LIMIT 1",
	       &n);
	assert_string_equal(s, "SELECT d.id FROM device d WHERE"
			       " lower(d.hostname) >= lower($1)"
			       " ORDER BY lower(name) LIMIT 1");
	free(s);
}

static void test_url_shown(void **state)
{
	static const char *const cases[][2] = {
		{"postgresql://nc:s3cret@db.example:5432/nc?sslmode=require",
		 "postgresql://nc:***@db.example:5432/nc?sslmode=require"},
		{"postgres://db/nc?user=nc&password=s3cret&pool=8",
		 "postgres://db/nc?user=nc&password=***&pool=8"},
		{"postgresql://db:5432/nc", "postgresql://db:5432/nc"},
		{"postgresql:///nc?host=/run/pg&sslpassword=k&password=p",
		 "postgresql:///nc?host=/run/pg&sslpassword=k&password=***"},
		{"/var/lib/netcensus/a:b@c.db", "/var/lib/netcensus/a:b@c.db"},
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = store_url_shown(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		assert_null(strstr(s, "s3cret"));
		free(s);
	}
}

/* A back end with an operation left NULL: the dispatcher refuses it. */
static void test_missing_op(void **state)
{
	char dir[64], path[96];
	struct store_ops partial;
	const struct store_ops *real;
	struct store *st;
	int64_t id = 7;

	(void)state;
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/nc.db", dir);
	st = store_open(path);
	assert_non_null(st);
	real = st->ops;
	partial = *real;
	partial.name = "Partial";
	partial.org_find = NULL;
	partial.device_list = NULL;
	st->ops = &partial;
	assert_int_equal(store_org_find(st, "Default", &id), -1);
	assert_null(store_device_list(st, 0, 0));
	st->ops = real;
	assert_int_equal(store_org_find(st, "Default", &id), 0);
	assert_int_equal(id, 1);
	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_bad_placeholders),
		cmocka_unit_test(test_dialect),
		cmocka_unit_test(test_url_shown),
		cmocka_unit_test(test_missing_op),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
