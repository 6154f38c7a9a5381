/* server/router: pattern matching, {id} and word placeholders, 404 vs 405,
 * the Allow list. */
#include "testlib.h"

#include "server/router.h"

static int h_a(struct request *rq)
{
	(void)rq;
	return 0;
}
static int h_b(struct request *rq)
{
	(void)rq;
	return 1;
}

static const struct route routes[] = {
	{"GET", "/api/v1/devices", h_a, 0, ""},
	{"GET", "/api/v1/devices/{id}", h_a, 0, ""},
	{"PATCH", "/api/v1/devices/{id}", h_b, 0, ""},
	{"DELETE", "/api/v1/devices/{id}", h_b, 0, ""},
	{"GET", "/api/v1/devices/{id}/{section}", h_a, 0, ""},
	{"POST", "/index.php/input/devices", h_b, 0, ""},
};
#define N ((int)(sizeof(routes) / sizeof(routes[0])))

static enum router_result match(const char *m, const char *path,
				const struct route **r, struct route_params *p)
{
	return router_match(routes, N, m, path, r, p);
}

static void test_fixed_and_id(void **state)
{
	const struct route *r;
	struct route_params p;

	(void)state;
	assert_int_equal(match("GET", "/api/v1/devices", &r, &p), ROUTER_FOUND);
	assert_ptr_equal(r, &routes[0]);
	assert_int_equal(p.n, 0);
	assert_int_equal(match("GET", "/api/v1/devices/42", &r, &p),
			 ROUTER_FOUND);
	assert_ptr_equal(r, &routes[1]);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.id[0], 42);
	assert_int_equal(match("PATCH", "/api/v1/devices/7", &r, &p),
			 ROUTER_FOUND);
	assert_ptr_equal(r, &routes[2]);
	assert_int_equal(match("GET", "/api/v1/devices/7/software", &r, &p),
			 ROUTER_FOUND);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.id[0], 7);
	assert_string_equal(p.v[1], "software");
	assert_int_equal(match("POST", "/index.php/input/devices", &r, &p),
			 ROUTER_FOUND);
}

static void test_bad_ids(void **state)
{
	static const char *const bad[] = {
		"/api/v1/devices/0",
		"/api/v1/devices/007",
		"/api/v1/devices/-1",
		"/api/v1/devices/1x",
		"/api/v1/devices/1e3",
		"/api/v1/devices/ 1",
		"/api/v1/devices/9007199254740993",
		"/api/v1/devices/99999999999999999999",
		"/api/v1/devices/1%20OR%201",
	};
	const struct route *r;
	struct route_params p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(match("GET", bad[i], &r, &p),
				 ROUTER_NOT_FOUND);
		assert_null(r);
	}
	assert_int_equal(
		match("GET", "/api/v1/devices/9007199254740992", &r, &p),
		ROUTER_FOUND);
}

static void test_words_and_shape(void **state)
{
	static const char *const bad[] = {
		"/api/v1/devices/1/soft'ware",
		"/api/v1/devices/1/a;b",
		"/api/v1/devices/1/x/y",
		"/api/v1/device",
		"api/v1/devices",
		"/api/v1/devices/1//software",
		"/api/v1/devicesX",
		"",
	};
	char longseg[200];
	const struct route *r;
	struct route_params p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(match("GET", bad[i], &r, &p),
				 ROUTER_NOT_FOUND);
	/* one trailing slash is tolerated, as NetBox clients send it */
	assert_int_equal(match("GET", "/api/v1/devices/1/", &r, &p),
			 ROUTER_FOUND);
	assert_ptr_equal(r, &routes[1]);
	assert_int_equal(match("GET", "/api/v1/devices/", &r, &p),
			 ROUTER_FOUND);
	assert_ptr_equal(r, &routes[0]);
	memset(longseg, 0, sizeof(longseg));
	memcpy(longseg, "/api/v1/devices/1/", 18);
	memset(longseg + 18, 'a', 65);
	assert_int_equal(match("GET", longseg, &r, &p), ROUTER_NOT_FOUND);
	longseg[18 + 64] = '\0';
	assert_int_equal(match("GET", longseg, &r, &p), ROUTER_FOUND);
}

static void test_method_not_allowed(void **state)
{
	const struct route *r;
	struct route_params p;
	char allow[64];

	(void)state;
	assert_int_equal(match("PUT", "/api/v1/devices/3", &r, &p),
			 ROUTER_BAD_METHOD);
	assert_null(r);
	router_allowed(routes, N, "/api/v1/devices/3", allow, sizeof(allow));
	assert_string_equal(allow, "GET, PATCH, DELETE");
	assert_int_equal(match("GET", "/index.php/input/devices", &r, &p),
			 ROUTER_BAD_METHOD);
	router_allowed(routes, N, "/nowhere", allow, sizeof(allow));
	assert_string_equal(allow, "");
	router_allowed(routes, N, "/api/v1/devices/3", allow, 6);
	assert_string_equal(allow, "GET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_and_id),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_words_and_shape),
		cmocka_unit_test(test_method_not_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
